"""Check Amazon Bedrock Model Invocation Logging in each region: on or off, where to, can Bedrock write there,
when the newest log arrived, and up to which day a lifecycle rule may have deleted or archived the logs. Changes
nothing.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime

from bedrock_usage.output.command import interrupt_ends_run

with interrupt_ends_run():  # Ctrl-C while the modules load ends the run as later: one line, exit 130
    from bedrock_usage.aws.logging_repair import (
        blocking_statement,
        cannot_deliver,
        region_command,
        repair_command,
        run_line,
        setup_command,
    )
    from bedrock_usage.aws.logging_setup import BEDROCK_SERVICE, deny_advice
    from bedrock_usage.aws.logging_status import (
        CLOUDWATCH_ONLY,
        READER_LOG_BUCKET_GRANT,
        READER_POLICY_FILE,
        RegionLoggingStatus,
        check_region,
        refused_beyond,
    )
    from bedrock_usage.aws.session import Aws
    from bedrock_usage.cli import (
        EXIT_OK,
        NoLoggingRegion,
        logging_regions_of,
        make_parser,
        print_json,
        render_table,
        run_main,
    )
    from bedrock_usage.errors import SetupRequired

EXIT_CODES = (
    "Exit codes: 0 logging delivers to S3 in every region checked (no log yet included); 1 a mistake in the "
    "options; 2 the environment needs a step (credentials, permissions), logging is not set up or cannot deliver in "
    "a region (the setup command that fixes it, or the fix, is named), or a read the check needs failed, so "
    "delivery is not confirmed. The check changes nothing."
)
REGIONS_HELP = (
    "regions to check (default, and 'all': every region whose Model Invocation Logging delivers to S3, and every "
    "region whose logging goes to CloudWatch Logs only, named as not delivering to S3)"
)
EXAMPLES = """\
  python check_bedrock_logging.py
  python check_bedrock_logging.py --regions us-east-1 ap-northeast-2 --profile reader
  python check_bedrock_logging.py --format json"""


def main(argv: list[str] | None = None) -> int:
    """Check each region, print the report, exit 2 when a region is not configured, cannot be read, or its
    delivery cannot be confirmed (a read it needs failed)."""
    parser = make_parser(
        "check_bedrock_logging.py",
        "Show, per region, whether Amazon Bedrock Model Invocation Logging delivers to S3, the bucket, prefix "
        "and bucket region, whether the bucket policy lets Bedrock write, the newest log object, and the newest day a "
        "lifecycle rule of the bucket may have deleted (no report can give those calls) or archived (Athena skips "
        "such logs unless restored).",
        EXAMPLES,
        exit_codes=EXIT_CODES,
    )
    args = parser.parse_args(argv)
    aws = Aws.connect(args.profile)
    table = args.format == "table"
    try:
        regions = logging_regions_of(args, aws, READER_POLICY_FILE, cloudwatch_only=True)
    except SetupRequired as exc:
        if not table:  # a job reading the JSON gets a document here too: no region, why, and the command if setup is it
            fix = setup_command(["REGION"], args.profile) if isinstance(exc, NoLoggingRegion) else None
            print_json({"account": aws.account_id(), "regions": [], "fix_command": fix, "fix_commands": {},
                        "error": str(exc)})
        raise
    account = aws.account_id()
    if table:
        print(f"🔍 Checking Bedrock Model Invocation Logging for account {account}\n")
    statuses = []
    for region in regions:
        if table:
            print(f"Checking {region}...", flush=True)
        statuses.append(check_region(aws, region, account, archive=True))

    unset = [status for status in statuses if not status.enabled and status.error is None]
    # logging someone set up (CloudWatch only, text delivery off) is changed by setup only with --replace-existing
    missing = [status.region for status in unset if not status.problems]
    elsewhere = {status.region: region_command(status, account, args.profile) for status in unset if status.problems}
    broken = [status for status in statuses if status.enabled and not status.healthy and status.error is None]
    # a Deny someone else wrote: only its owner can lift it, so no setup command is printed for it
    blocked = [(status, statement) for status in broken if (statement := blocking_statement(status))]
    broken = [status for status in broken if not blocking_statement(status)]
    failed = [status for status in statuses if status.error]
    unconfirmed = [status for status in statuses if status.unchecked]
    # a region whose only fault is the AWS managed key gets no setup command: setup keeps a bucket's key
    commands = {status.region: repair_command(status, account, args.profile) for status in broken
                if not status.destination_sound}
    plain = missing + [region for region, command in commands.items() if command is None]
    fix = setup_command(plain, args.profile) if plain else None
    commands = {region: command or fix for region, command in commands.items()}
    if missing:
        commands.update(dict.fromkeys(missing, fix))
    commands |= elsewhere
    if table:
        print("\n📋 Summary")
        for status in statuses:
            print(render_status(status))
        print(render_table(*summary_table(statuses)))
    else:
        print_json({"account": account, "regions": statuses, "fix_command": fix, "fix_commands": commands})
    problems = []
    if missing:
        problems.append(f"logging is not configured in {' '.join(missing)}: run `{fix}`")
    # CloudWatch only, text on: the plain setup adds S3 delivery (the CloudWatch destination kept); one line for all
    cloudwatch = [status.region for status in unset if status.problems == (CLOUDWATCH_ONLY,)]
    if cloudwatch:
        problems.append(f"logging in {' '.join(cloudwatch)} goes to CloudWatch Logs only, and the reports read logs "
                        f"from S3: run `{setup_command(cloudwatch, args.profile)}` to add S3 delivery (the CloudWatch "
                        "destination is kept)")
    for status in unset:
        if status.problems and status.region not in cloudwatch:
            problems.append(f"logging in {status.region} does not deliver to S3 ({'; '.join(status.problems)}): "
                            + run_line(status, account, elsewhere[status.region]))
    for status in broken:
        run = f": {run_line(status, account, commands[status.region])}" if status.region in commands else ""
        problems.append(with_reads_beyond(cannot_deliver(status) + run, status))
    problems += [with_reads_beyond(f"{cannot_deliver(status)}: {deny_advice(statement)}", status)
                 for status, statement in blocked]
    problems += [unconfirmed_line(status, account) for status in unconfirmed]
    if failed:
        regions_failed = " ".join(status.region for status in failed)
        problems.append(f"could not check {regions_failed}: {failed[0].error}")
    if problems:
        raise SetupRequired("; ".join(problems))
    return EXIT_OK


def with_reads_beyond(line: str, status: RegionLoggingStatus) -> str:
    """A region's line, and what grants the reads AWS refused the check there where the reader policy grants them on
    other bucket names only (a team's bucket)."""
    beyond = refused_beyond(status, READER_LOG_BUCKET_GRANT, "the check")
    return f"{line}; {beyond}" if beyond else line


def unconfirmed_line(status: RegionLoggingStatus, account: str) -> str:
    """What the user must look at in a region whose logs may not arrive: the check could not tell. Where the reads
    refused are of a team's bucket, whose name the reader policy does not cover, the statements to add are named."""
    why = "; ".join(status.problems)
    beyond = refused_beyond(status, READER_LOG_BUCKET_GRANT, "the check")
    if status.bedrock_can_write is not None:
        return (f"could not check all of the logging in {status.region} ({why}): delivery is not confirmed until "
                f"these can be read ({beyond or f'{READER_POLICY_FILE} lists what the check reads'})")
    return (f"could not confirm that Bedrock can deliver in {status.region} ({why}): "
            + (f"{beyond}, then run the check again; meanwhile, " if beyond else "")
            + f"make sure the bucket policy lets {BEDROCK_SERVICE} s3:PutObject under {status.log_folder(account)}")


def render_status(status: RegionLoggingStatus) -> str:
    """One region's block, in the layout of the original tool."""
    state = {"error": f"⚠️ Unknown ({status.error})", "ok": "✅ Enabled", "no_logs": "✅ Enabled (no log yet)",
             "problems": "⚠️ Enabled, not healthy" if not status.healthy else "⚠️ Enabled, not all checked",
             "disabled": "❌ Not delivering to S3" if status.problems else "❌ Not Configured"}[status.verdict]
    lines = [
        f"{status.region}:",
        f"  Status: {state}",
        f"  S3 Bucket: {status.bucket or 'Not configured'}",
        f"  Key Prefix: {status.prefix if status.prefix is not None else 'N/A'}",
        f"  Bucket Region: {status.bucket_region or 'N/A'}",
    ]
    if status.enabled:
        lines.append(f"  Bedrock Can Write: {_yes_no(status.bedrock_can_write)}")
        lines.append(f"  Newest Log: {_newest(status)}")
    if status.kms_key:
        lines.append(f"  Encryption: SSE-KMS ({status.kms_key})")
    if status.kms_key and not status.managed_key:  # the AWS managed key's fault is among the problems
        lines.append(
            "  ℹ️ the key policy must let bedrock.amazonaws.com use kms:GenerateDataKey, and readers need kms:Decrypt "
            "(docs/aws-setup.md, 'Log buckets encrypted with SSE-KMS')"
        )
    lines += [f"  ⚠️ {problem}" for problem in status.problems]
    lines += [f"  ℹ️ {note}" for note in (status.expiry_note, status.archive_note) if note]
    return "\n".join(lines) + "\n"


def summary_table(statuses: list[RegionLoggingStatus]) -> tuple[list[str], list[list[str]]]:
    """Headers and rows of the final table."""
    headers = ["Region", "Status", "Bucket", "Prefix", "Bucket region", "Bedrock can write", "Newest log"]
    rows = []
    for status in statuses:
        state = {"error": "❔ unknown", "ok": "✅ enabled", "no_logs": "✅ enabled, no log yet",
                 "problems": "⚠️ enabled, not healthy" if not status.healthy else "⚠️ enabled, not all checked",
                 "disabled": "❌ not to S3" if status.problems else "❌ not configured"}[status.verdict]
        rows.append(
            [
                status.region,
                state,
                status.bucket or "-",
                status.prefix if status.prefix is not None else "-",
                status.bucket_region or "-",
                _yes_no(status.bedrock_can_write) if status.enabled else "-",
                _newest(status) if status.enabled else "-",
            ]
        )
    return headers, rows


def _yes_no(value: bool | None) -> str:
    return {True: "✅ yes", False: "❌ no", None: "? unknown"}[value]


def _newest(status: RegionLoggingStatus) -> str:
    if status.newest_log is None:
        return "none yet"
    when = status.newest_log.last_modified.astimezone(UTC)
    hours = (datetime.now(UTC) - when).total_seconds() / 3600
    age = f"{hours:.0f} h ago" if hours >= 1 else "within the hour"
    return f"{when:%Y-%m-%d %H:%M} UTC ({age})"


if __name__ == "__main__":
    sys.exit(run_main(main))
