"""Set up Amazon Athena over the Bedrock invocation logs in each region (or, with --qdev, over the Amazon Q
Developer / Kiro user-activity reports and Kiro's user reports).

Per region: a private results bucket whose query results expire, the Glue database and a table over the
region's logs with the ``dt`` partition projected (no crawler, no partitions to add), an Athena workgroup that
writes to the results bucket, and a test query. Run setup_bedrock_logging.py first: the table's location is
read from the region's logging configuration (a bucket it names in another Region, or one that does not exist, where
Bedrock cannot deliver, gets its table all the same, with a warning and exit 2). With ``--qdev`` the tables are
``qdev_user_activity`` over the activity-report CSVs and ``kiro_user_report`` over Kiro's user-report CSVs, in the
regions whose reports the bucket holds (docs/amazon-q.md). With ``--cur``: a CUR 2.0 export with caller identity
(found or created), its bucket policy and the table ``cur2_export`` over it (docs/governance.md). Running it again
changes nothing and says so. What exists with other settings (a workgroup writing elsewhere, a table over another
location or of an earlier version) is left as it is and reported old -> new, with exit 2;
an existing bucket's public access block or lack of one is left too, as advice, with exit 0. Only
--replace-existing changes them. Settings passed on the command line (--bytes-scanned-cutoff, --expire-days,
--start-date) change setup's own resources without it; a run without --expire-days or --start-date keeps the
expiry rule's days and the table's first day as they are.
"""

from __future__ import annotations

import argparse
import shlex
import sys

from bedrock_usage.output.command import interrupt_ends_run

with interrupt_ends_run():  # Ctrl-C while the modules load ends the run as later: one line, exit 130
    from bedrock_usage.aws.athena_setup import (
        DEFAULT_EXPIRE_DAYS,
        DEFAULT_START_DAY,
        AthenaOptions,
        configure_region,
    )
    from bedrock_usage.aws.compaction import compact_region
    from bedrock_usage.aws.logging_setup import SETUP_POLICY_FILE
    from bedrock_usage.aws.provisioning import RegionSetup, bucket_name, one_bucket_per_region
    from bedrock_usage.aws.session import Aws
    from bedrock_usage.cli import (
        LOGGING_REGIONS_HELP,
        SETUP_EXIT_CODES,
        NextStep,
        add_dry_run,
        add_replace_existing,
        finish_setup,
        logging_regions_of,
        make_parser,
        regions_of,
        run_main,
        run_setup,
    )
    from bedrock_usage.engines.athena import DEFAULT_RESULTS_BUCKET_TEMPLATE, DEFAULT_WORKGROUP
    from bedrock_usage.engines.compacted import COMPACT_TABLE
    from bedrock_usage.errors import SetupRequired, UsageError
    from bedrock_usage.governance.cur_setup import (
        DATA_EXPORTS_REGION,
        DEFAULT_CUR_BUCKET_TEMPLATE,
        DEFAULT_CUR_PREFIX,
        DEFAULT_EXPORT_NAME,
        CurOptions,
        configure_cur,
    )
    from bedrock_usage.logs.period import parse_day
    from bedrock_usage.logs.regions import resolve_regions
    from bedrock_usage.output.command import workgroup_name
    from bedrock_usage.output.progress import add_quiet_option, terminal_progress
    from bedrock_usage.qdev.athena_setup import (
        QDEV_DEFAULT_BUCKET,
        QDevOptions,
        configure_qdev_region,
        qdev_report_prefixes,
    )

EXAMPLES = """\
  python setup_athena_bucket.py --dry-run
  python setup_athena_bucket.py --regions us-east-1 ap-northeast-2 --bytes-scanned-cutoff 10000000000
  python setup_athena_bucket.py --log-bucket acme-bedrock-logs-{region} --log-prefix logs/ --skip-test-query
  python setup_athena_bucket.py --compact            # daily, e.g. from cron
  python setup_athena_bucket.py --qdev
  python setup_athena_bucket.py --qdev --regions eu-central-1 --qdev-prefix user-activity-reports/
  python setup_athena_bucket.py --cur --dry-run"""

MIN_BYTES_SCANNED_CUTOFF = 10_000_000  # Athena refuses smaller per-query limits


def main(argv: list[str] | None = None) -> int:
    """Parse the options and set Athena up region by region."""
    parser = make_parser(
        "setup_athena_bucket.py",
        "Set up Amazon Athena over Bedrock invocation logs in each region: results bucket (Block Public Access, "
        "SSE-S3, results expire), Glue database and partition-projected table, workgroup, test query. Idempotent. "
        "With --qdev: the same over the Amazon Q Developer / Kiro user-activity reports and Kiro user reports instead.",
        EXAMPLES,
        LOGGING_REGIONS_HELP + "; with --log-bucket: the six default regions, 'all' every Bedrock region",
        exit_codes=SETUP_EXIT_CODES,
    )
    add_dry_run(parser)
    add_replace_existing(
        parser,
        "the workgroup's output location and settings, the Glue tables' definitions (location, columns, "
        "projection: after an upgrade too), the results bucket's lifecycle rule, public access block (or lack of "
        "one) and lack of default encryption (SSE-S3 is set), the --cur bucket's policy statement",
    )
    parser.add_argument(
        "--results-bucket",
        default=DEFAULT_RESULTS_BUCKET_TEMPLATE,
        metavar="TEMPLATE",
        help="query results bucket; {account} and {region} are filled in, {region} is needed for more than one "
        "region (default %(default)s)",
    )
    parser.add_argument(
        "--expire-days",
        type=_positive_int,
        metavar="N",
        help=f"delete query results after N days (default {DEFAULT_EXPIRE_DAYS} for a new rule; given, it also "
        "changes an existing rule of setup's with other days, which a run without it keeps)",
    )
    parser.add_argument(
        "--workgroup", default=DEFAULT_WORKGROUP, type=workgroup_name,
        help="Athena workgroup to create or use (default %(default)s)",
    )
    parser.add_argument(
        "--bytes-scanned-cutoff",
        type=_cutoff,
        metavar="BYTES",
        help=f"cancel any query of the workgroup that scans more (at least {MIN_BYTES_SCANNED_CUTOFF}), also in an "
        "existing workgroup of setup's; default: no limit, or the workgroup's current one",
    )
    parser.add_argument(
        "--start-date",
        type=lambda text: parse_day(text, "--start-date"),
        metavar="YYYY-MM-DD",
        help=f"first day the dt partition projection covers (default {DEFAULT_START_DAY:%Y-%m-%d} for a new table; "
        "given, it also changes the range of an existing table of setup's, which a run without it keeps)",
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
    parser.add_argument(
        "--compact",
        action="store_true",
        help=f"also keep the Parquet table {COMPACT_TABLE}: copy every UTC day at least two days old "
        "not copied yet (run daily); reports then scan about 16x fewer bytes (docs/aws-setup.md)",
    )
    add_quiet_option(parser)
    qdev = parser.add_argument_group("Amazon Q Developer / Kiro reports (see docs/amazon-q.md)")
    qdev.add_argument(
        "--qdev",
        action="store_true",
        help="set up the tables qdev_user_activity (user-activity report CSVs) and kiro_user_report (Kiro user-report "
        "CSVs) instead of the Bedrock table, for qcli_s3_analyzer.py --data-source athena; each is made where the "
        "bucket holds its reports; default regions: those whose reports the bucket holds",
    )
    qdev.add_argument(
        "--qdev-bucket",
        metavar="TEMPLATE",
        help=f"with --qdev: the report bucket, {{account}} and {{region}} filled in (default {QDEV_DEFAULT_BUCKET})",
    )
    qdev.add_argument(
        "--qdev-prefix",
        metavar="PREFIX",
        help="with --qdev: key prefix before AWSLogs/ for both tables (default: for each kind of report, the one "
        "prefix, the bucket root or a top-level folder, under which the bucket holds the region's reports)",
    )
    cur = parser.add_argument_group("CUR 2.0 export with caller identity (see docs/governance.md)")
    cur.add_argument(
        "--cur",
        action="store_true",
        help="instead of the Bedrock table: find or create a CUR 2.0 export with caller identity (an existing one "
        "is used or reported, never changed), its bucket and bucket policy, and the table cur2_export over it "
        "(for bedrock_tracker_cli.py --reconcile --cur)",
    )
    cur.add_argument("--cur-region", default=DATA_EXPORTS_REGION, metavar="REGION",
                     help=f"with --cur: region of the export's bucket and table (default {DATA_EXPORTS_REGION})")
    cur.add_argument("--cur-bucket", default=DEFAULT_CUR_BUCKET_TEMPLATE, metavar="TEMPLATE",
                     help="with --cur: the bucket a new export writes to, {account} and {region} filled in "
                     "(default %(default)s)")
    cur.add_argument("--cur-prefix", default=DEFAULT_CUR_PREFIX, metavar="PREFIX",
                     help="with --cur: the key prefix of a new export (default %(default)s)")
    cur.add_argument("--cur-export-name", default=DEFAULT_EXPORT_NAME, metavar="NAME",
                     help="with --cur: the name of the export (default %(default)s)")
    args = parser.parse_args(argv)
    _check_qdev_options(args)
    _check_cur_options(args)
    given = {"expire_days": args.expire_days, "start_day": args.start_date}
    options = AthenaOptions(
        results_bucket_template=args.results_bucket,
        expire_days=args.expire_days or DEFAULT_EXPIRE_DAYS,
        workgroup=args.workgroup,
        start_day=args.start_date or DEFAULT_START_DAY,
        bytes_scanned_cutoff=args.bytes_scanned_cutoff,
        log_bucket_template=args.log_bucket,
        log_prefix=args.log_prefix,
        test_query=not args.skip_test_query,
        replace_existing=args.replace_existing,
        explicit=frozenset(name for name, value in given.items() if value is not None),
    )
    aws = Aws.connect(args.profile)
    if args.cur:
        return _set_up_cur(args, aws, options)
    if args.qdev:
        regions = regions_of(args, aws) if args.regions else ()
    elif args.log_bucket:
        regions = regions_of(args, aws)
    else:
        regions = logging_regions_of(args, aws, SETUP_POLICY_FILE)
    account = aws.account_id()
    for template in filter(None, (args.results_bucket, args.log_bucket, args.qdev_bucket)):
        bucket_name(template, account, regions[0] if regions else "us-east-1")
    qdev = QDevOptions(args.qdev_bucket or QDEV_DEFAULT_BUCKET, args.qdev_prefix) if args.qdev else None
    if qdev:
        regions = regions or _report_regions(aws, account, qdev.bucket_template)
        what = "Amazon Q Developer / Kiro reports"
        fix = (f"where no reports are found, turn on user activity reports (docs/amazon-q.md); an AccessDenied "
               f"names what {SETUP_POLICY_FILE} grants")
    else:
        what = "Bedrock invocation logs"
        fix = (f"where no logs are found, run setup_bedrock_logging.py first; an AccessDenied names what "
               f"{SETUP_POLICY_FILE} grants")
    one_bucket_per_region("--results-bucket", args.results_bucket, regions,
                          "setup makes each region's results bucket in that region")

    def step(region: str, result: RegionSetup) -> None:
        if qdev:
            configure_qdev_region(aws, region, options, qdev, args.dry_run, result)
        else:
            logs = configure_region(aws, region, options, args.dry_run, result)
            if args.compact and result.problem:
                result.notes.append("--compact skipped: the region is not fully set up")
            elif args.compact:
                with terminal_progress(args.quiet) as progress:
                    compact_region(aws, region, logs, options, args.dry_run, result, progress=progress)

    if args.format == "table":
        dry = " (dry run: nothing will be changed)" if args.dry_run else ""
        print(f"🔧 Setting up Athena over {what} for account {account}{dry}")
    results = run_setup(regions, step, SETUP_POLICY_FILE, args.format)
    return finish_setup(results, aws, f"Athena over {what}", args.dry_run, args.format, fix,
                        next_steps(args, regions, bool(qdev)))


def next_steps(args: argparse.Namespace, regions: tuple[str, ...], qdev: bool) -> list[NextStep]:
    """What to run after a setup that set every region up: the report over the new table, on the workgroup and
    profile this setup used."""
    options = _report_options(args)
    if qdev:
        return [NextStep(1, "report on the last 30 days of Amazon Q Developer / Kiro usage from the Athena tables",
                         shlex.join(["python", "qcli_s3_analyzer.py", "--data-source", "athena", "--regions",
                                     *regions, "--days", "30", *options]))]
    return [
        NextStep(1, "report on the last 30 days from the Athena table",
                 shlex.join(["python", "bedrock_tracker_cli.py", "--engine", "athena", "--regions", *regions,
                             "--days", "30", *options])),
        NextStep(1, "open the dashboard (it reads Athena when it finds AWS credentials)",
                 "streamlit run bedrock_tracker.py"),
    ]


def _report_options(args: argparse.Namespace) -> list[str]:
    """The options a report needs to read what this setup made: its workgroup when not the default, its profile."""
    return [*(["--workgroup", args.workgroup] if args.workgroup != DEFAULT_WORKGROUP else []),
            *(["--profile", args.profile] if args.profile else [])]


def _check_qdev_options(args: argparse.Namespace) -> None:
    """The Bedrock log options and the report options do not mix."""
    if args.qdev and (args.log_bucket or args.log_prefix is not None):
        raise UsageError(
            "--log-bucket and --log-prefix locate Bedrock logs: with --qdev, use --qdev-bucket and --qdev-prefix"
        )
    if args.qdev and args.compact:
        raise UsageError("--compact copies Bedrock invocation logs: run it without --qdev")
    if not args.qdev and (args.qdev_bucket or args.qdev_prefix is not None):
        raise UsageError("--qdev-bucket and --qdev-prefix go with --qdev")


def _check_cur_options(args: argparse.Namespace) -> None:
    """--cur sets up the export and its table in one region, alone."""
    if args.cur and (args.qdev or args.compact or args.log_bucket or args.log_prefix is not None or args.regions):
        raise UsageError("--cur sets up the CUR 2.0 export and its table alone, in --cur-region: run it without "
                         "--qdev, --compact, --log-bucket, --log-prefix and --regions")


def _set_up_cur(args: argparse.Namespace, aws: Aws, athena: AthenaOptions) -> int:
    """The CUR 2.0 export, its bucket and policy, its table, workgroup and test query (docs/governance.md)."""
    region = resolve_regions([args.cur_region])[0]
    bucket_name(args.cur_bucket, aws.account_id(), region)
    options = CurOptions(region, args.cur_bucket, args.cur_prefix, args.cur_export_name)
    if args.format == "table":
        dry = " (dry run: nothing will be changed)" if args.dry_run else ""
        print(f"🔧 Setting up a CUR 2.0 export with caller identity for account {aws.account_id()}{dry}")
    results = run_setup((region,), lambda _, result: configure_cur(aws, options, athena, args.dry_run, result),
                        SETUP_POLICY_FILE, args.format)
    compare = NextStep(1, "once the export's first files arrive (within 24 hours), set the bill against the logs' "
                       "estimate per caller", shlex.join(["python", "bedrock_tracker_cli.py", "--reconcile", "--cur",
                                                          "--cur-region", region, "--days", "30",
                                                          *_report_options(args)]))
    return finish_setup(results, aws, "CUR 2.0 export and its Athena table", args.dry_run, args.format,
                        f"permissions: {SETUP_POLICY_FILE}", [compare])


def _report_regions(aws: Aws, account: str, template: str) -> tuple[str, ...]:
    """The regions whose activity reports or Kiro user reports the report bucket holds (the default regions of
    --qdev)."""
    if "{region}" in template:
        raise UsageError("--qdev-bucket with {region} needs --regions")
    bucket = bucket_name(template, account, "")
    regions = tuple(qdev_report_prefixes(aws, bucket, account))
    if not regions:
        raise SetupRequired(
            f"no Amazon Q Developer or Kiro activity reports of account {account} in s3://{bucket}/: turn them on "
            "(see docs/amazon-q.md), or pass --regions and --qdev-prefix to set up before the first report arrives"
        )
    return regions


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
