"""Model Invocation Logging to S3: the log bucket, the bucket policy Bedrock needs, the logging configuration."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from ..logs.layout import SERVICE_FOLDER, normalise_prefix
from .logging_config import read_logging_config
from .logging_status import (
    BEDROCK_SERVICE,
    KMS_DOCS,
    RegionLoggingStatus,
    bedrock_source_arns,
    bedrock_write_verdict,
    check_region,
    grants_bedrock_writes,
    managed_key_problem,
    writer_sid,
)
from .provisioning import (
    CREATE,
    KEEP,
    SKIP,
    WRITES,
    BucketGrant,
    Change,
    Difference,
    RegionSetup,
    RegionWrites,
    bucket_kms_key,
    bucket_name,
    decide_change,
    key_managed_by_aws,
    plan_policy_statements,
    prepare_private_bucket,
)
from .session import AWS_ERRORS, Aws, describe, partition

DEFAULT_BUCKET_TEMPLATE = "bedrock-logs-{account}-{region}"
DEFAULT_PREFIX = "bedrock-logs/"
TLS_ONLY_SID = "DenyInsecureTransport"
SETUP_POLICY_FILE = "iam/setup-admin.json"
# What SETUP_POLICY_FILE grants on log buckets (statements CreateAndHardenBuckets, LogBucketPolicy)
LOG_BUCKET_GRANT = BucketGrant(
    "log bucket", "bedrock-logs-*",
    ("s3:GetBucketLocation", "s3:CreateBucket", "s3:GetBucketPublicAccessBlock", "s3:PutBucketPublicAccessBlock",
     "s3:GetEncryptionConfiguration", "s3:PutEncryptionConfiguration", "s3:GetBucketPolicy", "s3:PutBucketPolicy",
     "s3:ListBucket"),
    "--bucket", DEFAULT_BUCKET_TEMPLATE, SETUP_POLICY_FILE,
)


@dataclass(frozen=True)
class LoggingTarget:
    """Where one region's invocation logs are delivered."""

    region: str
    account: str
    bucket: str
    prefix: str = DEFAULT_PREFIX

    @property
    def url(self) -> str:
        """``s3://bucket/prefix``."""
        return f"s3://{self.bucket}/{normalise_prefix(self.prefix)}"


@dataclass(frozen=True)
class DeliveryOptions:
    """Which kinds of data Bedrock logs besides text (off by default: they are large)."""

    image: bool = False
    embedding: bool = False
    video: bool = False


def log_objects_arn(bucket: str, prefix: str, account: str, region: str) -> str:
    """The ARN pattern of every object Model Invocation Logging writes for ``account``."""
    return f"arn:{partition(region)}:s3:::{bucket}/{normalise_prefix(prefix)}AWSLogs/{account}/{SERVICE_FOLDER}/*"


def bucket_policy_statements(target: LoggingTarget) -> list[dict[str, Any]]:
    """A TLS-only Deny, and an Allow for Bedrock of this account and region to put log objects only."""
    arn = partition(target.region)
    return [
        {
            "Sid": TLS_ONLY_SID,
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [f"arn:{arn}:s3:::{target.bucket}", f"arn:{arn}:s3:::{target.bucket}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
        {
            "Sid": writer_sid(target.region),
            "Effect": "Allow",
            "Principal": {"Service": BEDROCK_SERVICE},
            "Action": "s3:PutObject",
            "Resource": log_objects_arn(target.bucket, target.prefix, target.account, target.region),
            "Condition": {
                "StringEquals": {"aws:SourceAccount": target.account},
                "ArnLike": {"aws:SourceArn": bedrock_source_arns(target.region, target.account)},
            },
        },
    ]


DELIVERY_FLAGS = {
    "text": "textDataDeliveryEnabled",
    "image": "imageDataDeliveryEnabled",
    "embedding": "embeddingDataDeliveryEnabled",
    "video": "videoDataDeliveryEnabled",
}


@dataclass(frozen=True)
class LoggingPlan:
    """The configuration setup would put as the region's logging configuration, described before (``old``) and
    after (``new``); ``takes_over`` when putting it would replace what the region has rather than only add."""

    desired: dict[str, Any]
    old: str
    new: str
    takes_over: bool = False


def destination(config: dict[str, Any]) -> str | None:
    """``s3://bucket/prefix`` of a configuration's S3 delivery, or None when it has none."""
    s3_config = config.get("s3Config") or {}
    if not s3_config.get("bucketName"):
        return None
    return f"s3://{s3_config['bucketName']}/{normalise_prefix(s3_config.get('keyPrefix'))}"


def describe_delivery(config: dict[str, Any]) -> str:
    """Where a configuration delivers and which kinds of data: ``s3://b/p/ (text on, image off, ...)``."""
    where = [destination(config) or "no S3 destination"]
    group = (config.get("cloudWatchConfig") or {}).get("logGroupName")
    if group:
        where.append(f"CloudWatch Logs {group}")
    flags = ", ".join(f"{kind} {'on' if config.get(key) else 'off'}" for kind, key in DELIVERY_FLAGS.items())
    return f"{' + '.join(where)} ({flags})"


def plan_logging(current: dict[str, Any], target: LoggingTarget, delivery: DeliveryOptions) -> LoggingPlan:
    """The configuration to put, keeping what the region already has.

    A configuration already delivering elsewhere (another bucket or prefix), or with text delivery off, is taken over
    by the plan (``takes_over``): it is put only with ``--replace-existing``. A CloudWatch Logs destination is always
    kept, and a kind of data already delivered is never switched off; ``delivery`` only adds.
    """
    s3_config = {"bucketName": target.bucket}
    if normalise_prefix(target.prefix):
        s3_config["keyPrefix"] = normalise_prefix(target.prefix)
    wanted = {"text": True, "image": delivery.image, "embedding": delivery.embedding, "video": delivery.video}
    desired = {**current, "s3Config": s3_config}
    for kind, key in DELIVERY_FLAGS.items():
        desired[key] = bool(current.get(key)) or wanted[kind]
    takes_over = destination(current) not in (None, target.url) or current.get("textDataDeliveryEnabled") is False
    return LoggingPlan(desired, describe_delivery(current), describe_delivery(desired), takes_over)


def logging_change(current: dict[str, Any], plan: LoggingPlan, region: str, replace: bool) -> Change:
    """What putting the planned configuration does: create it, add to it (more kinds of data) or, where it takes
    over what the region has, replace it only when ``replace``."""
    difference = [Difference("", plan.old, plan.new)] if current and plan.old != plan.new else []
    return decide_change(
        f"logging configuration {region}",
        exists=bool(current),
        replace=replace,
        differences=difference if plan.takes_over else [],
        asked=[] if plan.takes_over else difference,
        detail=destination(plan.desired) or "",
    )


def foreign_denial(denied_by: str | None, region: str) -> str | None:
    """The policy statement denying Bedrock's log writes when setup did not write it (setup never changes such a
    statement: only its owner can); None when none denies them, or setup's own Sid does (``--replace-existing``)."""
    return None if denied_by in (None, TLS_ONLY_SID, writer_sid(region)) else denied_by


def deny_advice(statement: str) -> str:
    """What the owner of a bucket policy statement denying Bedrock's log writes must change, as setup cannot."""
    exemption = f'"StringNotEqualsIfExists": {{"aws:PrincipalServiceName": "{BEDROCK_SERVICE}"}}'
    return (f"setup changes no statement it did not write: change {statement} so it does not apply to the "
            f"{BEDROCK_SERVICE} service principal (e.g. add the condition {exemption} to it, or leave that principal "
            "out of it), then run again")


def kms_notes(aws: Aws, bucket: str, region: str, account: str) -> list[str]:
    """What a log bucket encrypted with SSE-KMS needs: Bedrock must be able to use the key, readers to decrypt."""
    key = bucket_kms_key(aws.client("s3", region), bucket)
    if key is None:
        return []
    needs = (f"bucket {bucket} encrypts with SSE-KMS ({key}): the key policy must let {BEDROCK_SERVICE} use "
             f"kms:GenerateDataKey for {bedrock_source_arns(region, account)}, and whoever reads the logs "
             f"needs kms:Decrypt on the key ({KMS_DOCS})")
    try:
        managed = key_managed_by_aws(aws, key, region, account)
    except AWS_ERRORS as exc:
        return [f"bucket {bucket}: whether key {key} is the AWS managed key aws/s3, which Bedrock cannot use, is "
                f"unknown: {describe(exc, SETUP_POLICY_FILE)}", needs]
    return [managed_key_problem(bucket, region, account) if managed else needs]


def denial(policy: dict[str, Any], target: LoggingTarget) -> str | None:
    """The statement of ``policy`` setup did not write that denies Bedrock's log writes to ``target``, evaluated as
    check_bedrock_logging.py evaluates it; None when none does."""
    verdict = bedrock_write_verdict(policy, target.bucket, target.prefix, target.account, target.region)
    return foreign_denial(verdict.denied_by, target.region)


def configure_region(
    aws: Aws, target: LoggingTarget, delivery: DeliveryOptions, dry_run: bool, result: RegionSetup,
    replace: bool = False, keep_working: bool = False,
) -> RegionLoggingStatus | None:
    """Decide what to do with the region's logging first, then the log bucket, its policy (Bedrock checks it may
    write when logging is switched on), then logging. Where the logging configuration is left as it is, the bucket
    steps are shown but not carried out; where the statement letting Bedrock write is, logging is not switched on, nor
    where the policy, as setup leaves it, still denies Bedrock's writes (the region fails, naming the statement).

    Logging left as it is that delivers to another bucket or prefix is checked as check_bedrock_logging.py checks it;
    its status is returned. With ``keep_working`` (the run named no destination of its own) logging that delivers
    there is the region's: the region needs nothing of setup's (exit 0), and its target is that destination."""
    bedrock = aws.client("bedrock", target.region)
    current = read_logging_config(bedrock)
    plan = plan_logging(current, target, delivery)
    logging = logging_change(current, plan, target.region, replace)
    result.target = target.url
    elsewhere = None
    if logging.action == KEEP and destination(current) not in (None, target.url):
        # checked with setup's rights: a refusal names setup's policy where it grants the reads, else the line kept
        # says what to add (``logging_repair.kept_elsewhere``)
        elsewhere = check_region(aws, target.region, target.account, LOG_BUCKET_GRANT)
        if keep_working and elsewhere.delivers:
            logging = dataclasses.replace(logging, needed=False, in_use=True)
            result.target = destination(current) or target.url
    only_shown = dry_run or logging.action == KEEP
    s3 = aws.client("s3", target.region)
    tls_only, writer = bucket_policy_statements(target)
    writes = RegionWrites(only_shown)
    with writes.guarded(result.changes):  # every read comes first, then the writes, the bucket policy's first
        created, hardening = prepare_private_bucket(s3, target.bucket, target.region, writes, replace)
        # setup's own bucket: made now, or named as setup names it, set as setup sets it (public access blocked,
        # encrypted) and still without a policy: a first run stopped before writing it; it gets the TLS-only
        # statement as a bucket made now does
        named_as_setups = (target.bucket == bucket_name(DEFAULT_BUCKET_TEMPLATE, target.account, target.region)
                           and not any(change.differences for write in hardening for change in write.changes))
        planned = plan_policy_statements(
            s3, target.bucket, [writer], replace, hardening=[tls_only], new_bucket=created.action == CREATE,
            new_without_policy=named_as_setups,
            grants=lambda statement, wanted: wanted is writer and grants_bedrock_writes(
                statement, writer["Resource"], target.bucket, target.prefix, target.account, target.region))
        denied = denial(planned.document, target)  # known before any write: a refused region changes no policy
        keys = kms_notes(aws, target.bucket, target.region, target.account)  # setup's writes keep a bucket's key
        if denied:
            policy, (block, encryption) = planned.changes, writes.make(*hardening)
        else:  # granted apart from the hardening (iam/setup-admin.json LogBucketPolicy), so the likeliest refused
            policy, block, encryption = writes.make(planned.write(s3, target.bucket), *hardening)
    bucket = [created, *block, *encryption]
    if denied and not dry_run and any(change.action in WRITES for change in policy):
        policy = [dataclasses.replace(c, action=SKIP) if c.action in WRITES else c for c in policy]
        result.notes.append(f"bucket {target.bucket}: policy left as it is, as statement {denied} would still deny "
                            "Bedrock's log writes")
    if only_shown and not dry_run and any(change.action in WRITES for change in bucket + policy):
        bucket, policy = ([dataclasses.replace(c, action=SKIP) if c.action in WRITES else c for c in changes]
                          for changes in (bucket, policy))
        result.notes.append(f"bucket {target.bucket}: nothing made or changed, as the logging configuration that "
                            "would use it was left as it is")
    result.changes += [*bucket, *policy]
    if writer["Sid"] in planned.granted:
        result.notes.append(f"bucket {target.bucket}: policy statement {planned.granted[writer['Sid']]} already allows "
                            f"Bedrock to write its logs under {target.url}, as {writer['Sid']} would: it is not added")
    result.notes.extend(keys)
    if denied:
        if logging.action in WRITES:
            result.notes.append(f"logging configuration {target.region} not made: the bucket policy denies Bedrock's "
                                "log writes")
        result.error = f"bucket policy statement {denied} denies Bedrock's log writes; {deny_advice(denied)}"
        return elsewhere
    if logging.action in WRITES and policy[0].action == KEEP:
        result.notes.append(f"logging configuration {target.region} not made: Bedrock's permission to write its logs "
                            f"there (policy statement {writer['Sid']}) was left as it is")
        return elsewhere
    # refused once the bucket's writes were made: they are named as what a run again needs, logging the step left
    writes.finish(logging, lambda: bedrock.put_model_invocation_logging_configuration(loggingConfig=plan.desired),
                  result.changes)
    return elsewhere
