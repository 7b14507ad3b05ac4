"""Set up Amazon Athena over the Bedrock invocation logs in each region.

Per region: a private results bucket whose query results expire, the Glue database and a table over the
region's logs with the ``dt`` partition projected (no crawler, no partitions to add), an Athena workgroup that
writes to the results bucket, and a test query. Run setup_bedrock_logging.py first: the table's location is
read from the region's logging configuration. Running it again changes nothing and says so; after an upgrade
it updates the table definition.
"""

from __future__ import annotations

import sys

from bedrock_usage.athena_setup import (
    DEFAULT_EXPIRE_DAYS,
    DEFAULT_RESULTS_BUCKET_TEMPLATE,
    DEFAULT_START_DAY,
    DEFAULT_WORKGROUP,
    AthenaOptions,
    configure_region,
)
from bedrock_usage.aws import Aws
from bedrock_usage.errors import UsageError
from bedrock_usage.logging_setup import SETUP_POLICY_FILE
from bedrock_usage.period import parse_day
from bedrock_usage.provisioning import bucket_name
from bedrock_usage.script_cli import add_dry_run, finish_setup, make_parser, regions_of, run_main, run_setup

EXAMPLES = """\
  python setup_athena_bucket.py --dry-run
  python setup_athena_bucket.py --regions us-east-1 ap-northeast-2 --bytes-scanned-cutoff 10000000000
  python setup_athena_bucket.py --log-bucket acme-bedrock-logs-{region} --log-prefix logs/ --skip-test-query"""

MIN_BYTES_SCANNED_CUTOFF = 10_000_000  # Athena refuses smaller per-query limits


def main(argv: list[str] | None = None) -> int:
    """Parse the options and set Athena up region by region."""
    parser = make_parser(
        "setup_athena_bucket.py",
        "Set up Amazon Athena over Bedrock invocation logs in each region: results bucket (Block Public Access, "
        "SSE-S3, results expire), Glue database and partition-projected table, workgroup, test query. Idempotent.",
        EXAMPLES,
    )
    add_dry_run(parser)
    parser.add_argument(
        "--results-bucket",
        default=DEFAULT_RESULTS_BUCKET_TEMPLATE,
        metavar="TEMPLATE",
        help="query results bucket; {account} and {region} are filled in (default %(default)s)",
    )
    parser.add_argument(
        "--expire-days",
        type=_positive_int,
        default=DEFAULT_EXPIRE_DAYS,
        metavar="N",
        help="delete query results after N days (default %(default)s)",
    )
    parser.add_argument(
        "--workgroup", default=DEFAULT_WORKGROUP, help="Athena workgroup to create or use (default %(default)s)"
    )
    parser.add_argument(
        "--bytes-scanned-cutoff",
        type=_cutoff,
        metavar="BYTES",
        help=f"cancel any query of the workgroup that scans more (at least {MIN_BYTES_SCANNED_CUTOFF}); "
        "default: no limit, or the workgroup's current one",
    )
    parser.add_argument(
        "--start-date",
        type=lambda text: parse_day(text, "--start-date"),
        default=DEFAULT_START_DAY,
        metavar="YYYY-MM-DD",
        help=f"first day the dt partition projection covers (default {DEFAULT_START_DAY:%Y-%m-%d})",
    )
    parser.add_argument(
        "--log-bucket",
        metavar="TEMPLATE",
        help="log bucket, {account} and {region} filled in (default: read from the region's logging configuration)",
    )
    parser.add_argument(
        "--log-prefix",
        metavar="PREFIX",
        help="key prefix of the logs (default: read from the region's logging configuration)",
    )
    parser.add_argument("--skip-test-query", action="store_true", help="do not run the test query at the end")
    args = parser.parse_args(argv)
    regions = regions_of(args)
    options = AthenaOptions(
        results_bucket_template=args.results_bucket,
        expire_days=args.expire_days,
        workgroup=args.workgroup,
        start_day=args.start_date,
        bytes_scanned_cutoff=args.bytes_scanned_cutoff,
        log_bucket_template=args.log_bucket,
        log_prefix=args.log_prefix,
        test_query=not args.skip_test_query,
    )
    aws = Aws.connect(args.profile)
    account = aws.account_id()
    for template in filter(None, (args.results_bucket, args.log_bucket)):
        bucket_name(template, account, regions[0])
    if args.format == "table":
        dry = " (dry run: nothing will be changed)" if args.dry_run else ""
        print(f"🔧 Setting up Athena over Bedrock invocation logs for account {account}{dry}")
    results = run_setup(
        regions,
        lambda region, result: configure_region(aws, region, options, args.dry_run, result),
        SETUP_POLICY_FILE,
        args.format,
    )
    return finish_setup(
        results,
        aws,
        "Athena over Bedrock invocation logs",
        args.dry_run,
        args.format,
        f"the table above says why (run setup_bedrock_logging.py first; permissions: {SETUP_POLICY_FILE})",
    )


def _positive_int(text: str) -> int:
    value = int(text) if text.isdigit() else 0
    if value < 1:
        raise UsageError(f"--expire-days must be a whole number of days, at least 1 (got {text!r})")
    return value


def _cutoff(text: str) -> int:
    if not text.isdigit() or int(text) < MIN_BYTES_SCANNED_CUTOFF:
        raise UsageError(f"--bytes-scanned-cutoff must be a number of bytes of at least {MIN_BYTES_SCANNED_CUTOFF}")
    return int(text)


if __name__ == "__main__":
    sys.exit(run_main(main))
