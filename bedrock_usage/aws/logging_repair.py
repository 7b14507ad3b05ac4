"""The setup command that makes a region's Model Invocation Logging deliver to S3: what check_bedrock_logging.py
prints and the dashboard's logging panel shows, one rule for both."""

from __future__ import annotations

import shlex

from ..logs.layout import normalise_prefix
from .logging_setup import (
    DEFAULT_BUCKET_TEMPLATE,
    DEFAULT_PREFIX,
    LOG_BUCKET_GRANT,
    TLS_ONLY_SID,
    deny_advice,
    foreign_denial,
)
from .logging_status import RegionLoggingStatus, missing_bucket, refused_beyond, writer_sid
from .provisioning import REPLACE_OPTION, TEAM_BUCKETS_DOCS, bucket_name


def setup_command(regions: list[str], profile: str | None, *options: str) -> str:
    """The setup command that configures ``regions``."""
    return script_command("setup_bedrock_logging.py", regions, profile, *options)


def check_command(regions: list[str], profile: str | None) -> str:
    """The check that says whether logs can reach ``regions``' buckets and are arriving."""
    return script_command("check_bedrock_logging.py", regions, profile)


def keep_command(region: str, bucket: str, prefix: str | None, profile: str | None, *options: str) -> str:
    """The setup command that checks and repairs the bucket and prefix a region already logs to, keeping them."""
    return setup_command([region], profile, "--bucket", bucket, "--prefix", normalise_prefix(prefix), *options)


def script_command(script: str, regions: list[str], profile: str | None, *options: str) -> str:
    """``python script --regions ...`` with ``options``, and ``--profile`` when one is used."""
    words = ["python", script, "--regions", *regions, *options]
    if profile:
        words += ["--profile", profile]
    return shlex.join(words)


def replacing(status: RegionLoggingStatus) -> tuple[str, ...]:
    """The option setup needs (it shows old -> new) to turn on text delivery someone turned off, or to replace a
    policy statement named as setup names its own that lets Bedrock write nowhere it logs (setup keeps it without)."""
    return () if status.text_delivery and not status.own_statement_kept else (REPLACE_OPTION,)


def repair_command(status: RegionLoggingStatus, account: str, profile: str | None) -> str | None:
    """The setup command that makes a region's existing logging deliver again; None when the plain one does.

    The destination is kept: setup is pointed at the bucket and prefix the region already uses, and repairs them (it
    creates a missing bucket, adds the statements Bedrock needs to its policy). A bucket in another region cannot
    be repaired: Bedrock delivers to a bucket in the region, so logging must move (--replace-existing, old -> new);
    text delivery someone turned off, and setup's own policy statement someone changed, only with it too.
    """
    if status.bucket_region and status.bucket_region != status.region:
        return setup_command([status.region], profile, REPLACE_OPTION)
    default = bucket_name(DEFAULT_BUCKET_TEMPLATE, account, status.region)
    if status.bucket == default and normalise_prefix(status.prefix) == DEFAULT_PREFIX:
        return setup_command([status.region], profile, *replacing(status)) if replacing(status) else None
    return keep_command(status.region, status.bucket or "", status.prefix, profile, *replacing(status))


def cannot_deliver(status: RegionLoggingStatus) -> str:
    """What check_bedrock_logging.py says of a region whose logging cannot deliver, with the check's problems; the
    Athena setup says it in the check's words too."""
    why = "; ".join(status.problems) or "Bedrock cannot write to the bucket"
    return f"logging in {status.region} cannot deliver ({why})"


def run_line(status: RegionLoggingStatus, account: str, command: str) -> str:
    """The command that repairs a region, with all it changes when it replaces what someone set, and the permissions
    it needs beyond the setup policy's when it names the region's own bucket (``policy_note``)."""
    advice = "; ".join(filter(None, (replace_advice(status, account, command), policy_note(status, command))))
    return f"run `{command}`" + (f" ({advice})" if advice else "")


def policy_note(status: RegionLoggingStatus, command: str) -> str:
    """What a command naming the region's log bucket with ``--bucket`` needs beyond what the setup policy grants, when
    that bucket's name is not one the policy covers: s3:CreateBucket for a bucket that is gone, and setup's other log
    bucket actions; '' otherwise."""
    if "--bucket" not in shlex.split(command) or LOG_BUCKET_GRANT.covers(status.bucket or ""):
        return ""
    gone = "s3:CreateBucket (the bucket is gone) and " if missing_bucket(status.bucket or "") in status.problems else ""
    return (f"under {LOG_BUCKET_GRANT.policy_file}, which grants setup's log bucket actions on "
            f"{LOG_BUCKET_GRANT.pattern} only, it needs {gone}those actions on {status.bucket} too: add the log bucket "
            f"statements of {TEAM_BUCKETS_DOCS}")


def beyond_setup_policy(status: RegionLoggingStatus, keep: str) -> str:
    """What lets setup check the bucket a region logs to when AWS refused its reads there, as the setup policy grants
    them on other names only: the log bucket statements to add (``keep`` needs them too); '' for a bucket the policy
    covers, or when AWS refused no read of S3."""
    beyond = refused_beyond(status, LOG_BUCKET_GRANT, "setup")
    return beyond and (f"{beyond}, then run again to have setup check it there (`{keep}`, which also hardens it there, "
                       "needs them too)")


def blocking_statement(status: RegionLoggingStatus) -> str | None:
    """The statement someone else wrote that denies Bedrock's writes to the bucket the region keeps logging to: only
    its owner can change it, so no setup command repairs the region (a bucket in another region is left behind)."""
    if status.bucket_region and status.bucket_region != status.region:
        return None
    return foreign_denial(status.denied_by, status.region)


def region_command(status: RegionLoggingStatus, account: str, profile: str | None) -> str:
    """The one command for one region that is not logging to S3 as it should: set up, or repaired in place."""
    if status.enabled:
        return repair_command(status, account, profile) or setup_command([status.region], profile)
    return setup_command([status.region], profile, *replacing(status))


def replace_advice(status: RegionLoggingStatus, account: str, command: str) -> str:
    """What the region's command changes when it carries --replace-existing, which replaces whatever setup finds set
    otherwise, not only what the check found wrong: said in full, with its dry run to run first; '' without it."""
    elsewhere = status.enabled and status.bucket_region not in (None, status.region)
    if not (elsewhere or replacing(status)):
        return ""
    moves = elsewhere or not status.enabled
    bucket = bucket_name(DEFAULT_BUCKET_TEMPLATE, account, status.region) if moves else status.bucket
    prefix = DEFAULT_PREFIX if moves else normalise_prefix(status.prefix)
    return (f"{REPLACE_OPTION} changes whatever setup finds set otherwise, not only that: logging to "
            f"s3://{bucket}/{prefix} with text delivery on (a CloudWatch destination and other kinds of data kept); "
            f"on bucket {bucket} the public access block (all four blocked), default encryption where it has none "
            f"(SSE-S3), and the policy statements {TLS_ONLY_SID} (TLS only) and {writer_sid(status.region)} (Bedrock's "
            f"writes) where they differ from setup's; run it with --dry-run first: `{command} --dry-run`")


def kept_elsewhere(status: RegionLoggingStatus, account: str, profile: str | None) -> str:
    """What setup says of a region whose logging delivers to another bucket or prefix, which it left as it is: where
    Bedrock can write there, that the reports read the logs there and the command that checks and hardens that
    destination, keeping it; else what check_bedrock_logging.py says of the region, with its command."""
    keep = keep_command(status.region, status.bucket or "", status.prefix, profile)
    where = f"s3://{status.bucket}/{normalise_prefix(status.prefix)}"
    if status.delivers:
        return (f"logging in {status.region} already delivers to {where} and Bedrock can write there: nothing to "
                "change for the reports (setup_athena_bucket.py and the reports read the region's logging "
                f"configuration); to have setup check and harden that destination instead, run `{keep}`")
    statement = blocking_statement(status)
    if statement:
        return f"{cannot_deliver(status)}: {deny_advice(statement)}"
    if status.unchecked:
        return (f"logging in {status.region} delivers to {where}, which could not all be checked "
                f"({'; '.join(status.problems)}): "
                + (beyond_setup_policy(status, keep) or f"to have setup check and harden it there, run `{keep}`"))
    return f"{cannot_deliver(status)}: {run_line(status, account, region_command(status, account, profile))}"
