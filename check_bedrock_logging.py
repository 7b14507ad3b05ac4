"""Check Amazon Bedrock Model Invocation Logging in each region: on or off, where to, can Bedrock write there,
and when the newest log arrived. Changes nothing.
"""

from __future__ import annotations

import shlex
import sys
from datetime import UTC, datetime

from bedrock_usage.aws.logging_status import RegionLoggingStatus, check_region
from bedrock_usage.aws.session import Aws
from bedrock_usage.cli import EXIT_OK, make_parser, print_json, regions_of, render_table, run_main
from bedrock_usage.errors import SetupRequired

EXAMPLES = """\
  python check_bedrock_logging.py
  python check_bedrock_logging.py --regions us-east-1 ap-northeast-2 --profile reader
  python check_bedrock_logging.py --format json"""


def main(argv: list[str] | None = None) -> int:
    """Check each region, print the report, exit 2 when a region is not configured or cannot be read."""
    parser = make_parser(
        "check_bedrock_logging.py",
        "Show, per region, whether Amazon Bedrock Model Invocation Logging delivers to S3, the bucket, prefix "
        "and bucket region, whether the bucket policy lets Bedrock write, and the newest log object.",
        EXAMPLES,
    )
    args = parser.parse_args(argv)
    regions = regions_of(args)
    aws = Aws.connect(args.profile)
    account = aws.account_id()
    table = args.format == "table"
    if table:
        print(f"🔍 Checking Bedrock Model Invocation Logging for account {account}\n")
    statuses = []
    for region in regions:
        if table:
            print(f"Checking {region}...", flush=True)
        statuses.append(check_region(aws, region, account))

    missing = [status.region for status in statuses if not status.enabled and status.error is None]
    broken = [status for status in statuses if status.enabled and not status.healthy and status.error is None]
    failed = [status for status in statuses if status.error]
    to_fix = missing + [status.region for status in broken]
    fix = fix_command(to_fix, args.profile) if to_fix else None
    if table:
        print("\n📋 Summary")
        for status in statuses:
            print(render_status(status))
        print(render_table(*summary_table(statuses)))
    else:
        print_json({"account": account, "regions": statuses, "fix_command": fix})
    problems = []
    if missing:
        problems.append(f"logging is not configured in {' '.join(missing)}: run `{fix}`")
    for status in broken:
        why = "; ".join(status.problems) or "Bedrock cannot write to the bucket"
        problems.append(f"logging in {status.region} cannot deliver ({why}): run `{fix}`")
    if failed:
        regions_failed = " ".join(status.region for status in failed)
        problems.append(f"could not check {regions_failed}: {failed[0].error}")
    if problems:
        raise SetupRequired("; ".join(problems))
    return EXIT_OK


def fix_command(regions: list[str], profile: str | None) -> str:
    """The setup command that configures ``regions``."""
    words = ["python", "setup_bedrock_logging.py", "--regions", *regions]
    if profile:
        words += ["--profile", profile]
    return shlex.join(words)


def render_status(status: RegionLoggingStatus) -> str:
    """One region's block, in the layout of the original tool."""
    state = f"⚠️ Unknown ({status.error})" if status.error else "✅ Enabled" if status.enabled else "❌ Not Configured"
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
    lines += [f"  ⚠️ {problem}" for problem in status.problems]
    return "\n".join(lines) + "\n"


def summary_table(statuses: list[RegionLoggingStatus]) -> tuple[list[str], list[list[str]]]:
    """Headers and rows of the final table."""
    headers = ["Region", "Status", "Bucket", "Prefix", "Bucket region", "Bedrock can write", "Newest log"]
    rows = []
    for status in statuses:
        state = "❔ unknown" if status.error else "✅ enabled" if status.enabled else "❌ not configured"
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
