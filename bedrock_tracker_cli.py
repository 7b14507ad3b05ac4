"""Bedrock usage reports in the terminal, as CSV or as JSON.

Examples:
  python bedrock_tracker_cli.py --demo
  python bedrock_tracker_cli.py --region us-east-1 ap-northeast-2 --days 30 --analysis user
  python bedrock_tracker_cli.py --start-date 2025-10-25 --end-date 2025-11-03 --tz Asia/Seoul --format json
  python bedrock_tracker_cli.py --engine local --logs-dir ./mirror --arn-pattern DataAnalysis --format csv
  python bedrock_tracker_cli.py --service qcli --demo
  python bedrock_tracker_cli.py --reconcile --cur-dir ./cur --engine local --logs-dir ./mirror --days 30
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bedrock_usage.aws.mirror import mirror_logs
from bedrock_usage.aws.session import Aws
from bedrock_usage.cache import default_mirror_dir
from bedrock_usage.cli import UsageErrorParser, guard_output
from bedrock_usage.demo.daily import DEMO_INFERENCE_PROFILES
from bedrock_usage.engines.base import Engine
from bedrock_usage.engines.choice import SourceChoice, build_engine
from bedrock_usage.engines.queries import Filters
from bedrock_usage.errors import SetupRequired, UsageError
from bedrock_usage.governance import anomalies, budgets, callers, chargeback, reconcile
from bedrock_usage.governance import render as gr
from bedrock_usage.governance.profiles import PROFILES_ENV, profile_resolver
from bedrock_usage.logs.period import Period, check_zone, readable, resolve_period
from bedrock_usage.logs.regions import requested_regions, resolve_regions
from bedrock_usage.output.json_values import document_text
from bedrock_usage.output.progress import add_quiet_option, terminal_progress
from bedrock_usage.output.terminal_table import visible, visible_lines
from bedrock_usage.pricing import PRICES_ENV, PriceBook
from bedrock_usage.qdev.analysis import Identities
from bedrock_usage.qdev.identity_center import IdentityCenter, check_store_option
from bedrock_usage.qdev.people import read_user_map
from bedrock_usage.qdev.sources import LocalStore, S3Store
from bedrock_usage.qdev.synthetic import ensure_demo_corpus
from bedrock_usage.report.render import render_terminal, report_document, selected_analyses, write_csv, write_json
from bedrock_usage.report.tracker import ANALYSES, BedrockAthenaTracker

EXIT_OK, EXIT_USER, EXIT_ENVIRONMENT = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    """All options of the Bedrock report."""
    parser = UsageErrorParser(
        prog="bedrock_tracker_cli.py",
        description="Who spends how much on Amazon Bedrock: calls, tokens and cost per user, application, "
        "model, day, hour and region, from Model Invocation Logs.",
        epilog="Exit codes: 0 ok; 1 a mistake in the options or input; 2 the environment needs a setup step "
        "(credentials, logging, the Athena table). Amazon Q Developer: --service qcli (see --service qcli --help).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--service", choices=("bedrock", "qcli"), default="bedrock",
                        help="bedrock (default) or qcli for Amazon Q Developer / Kiro analytics")
    when = parser.add_argument_group("period (inclusive calendar days in --tz)")
    when.add_argument("--days", type=int, help="the last N days ending today (default 7)")
    when.add_argument("--start-date", help="first day, YYYY-MM-DD")
    when.add_argument("--end-date", help="last day, YYYY-MM-DD (default today)")
    when.add_argument("--tz", default="UTC", help="time zone of days and hours, e.g. Asia/Seoul (default UTC)")
    what = parser.add_argument_group("what to analyse")
    what.add_argument("--region", "--regions", nargs="+", metavar="REGION",
                      help="one or more regions (spaces or commas), or 'all' (default: all = every region with "
                      "logs: the region folders present locally, or where logging delivers to S3 on AWS)")
    what.add_argument("--analysis", choices=("all", *ANALYSES), default="all", help="which tables (default all)")
    what.add_argument("--arn-pattern", help="only callers whose identity ARN contains this text (literal, "
                      "case-sensitive)")
    what.add_argument("--user-pattern", help="only users whose name contains this text (literal, case-sensitive)")
    what.add_argument("--model", action="append", default=[], metavar="MODEL_ID",
                      help="only this modelId as logged (repeatable)")
    what.add_argument("--tag", action="append", default=[], metavar="KEY",
                      help="also report by this requestMetadata key, e.g. cost_center (repeatable); "
                      "application_name is always read and names the application")
    what.add_argument("--role-suffix", default="-BedrockRole",
                      help="roles named {App}{suffix} are attributed to application {App} (default -BedrockRole)")
    what.add_argument("--inference-profiles", metavar="FILE",
                      help="JSON mapping application inference profile ARN -> {model_id, tags}, so their calls are "
                      "priced and attributed (default $" + PROFILES_ENV + "); with Athena the Bedrock API resolves "
                      "the profiles the file does not name")
    what.add_argument("--prices", help=f"price file (JSON, TOML or CSV) with extra or negotiated prices "
                      f"(default ${PRICES_ENV})")
    source = parser.add_argument_group("data source")
    source.add_argument("--engine", choices=("athena", "local"),
                        help="athena (default with AWS) or local (DuckDB over --logs-dir)")
    source.add_argument("--logs-dir", type=Path,
                        help="folder with log objects in the S3 layout (AWSLogs/...); "
                        "with --engine local the default is the mirror --sync fills")
    source.add_argument("--demo", action="store_true",
                        help="analyse generated demo data (made once a day in the cache folder); no AWS needed")
    source.add_argument("--sync", action="store_true",
                        help="with --engine local: first copy new log objects of the period from each region's "
                        "logging bucket into --logs-dir (default: a mirror in the cache folder)")
    source.add_argument("--log-bucket", help="with --sync: the log bucket (default: from the logging configuration)")
    source.add_argument("--log-prefix", help="with --sync and --log-bucket: the key prefix of the logs")
    source.add_argument("--profile", help="AWS profile for Athena and --sync")
    source.add_argument("--workgroup", help="Athena workgroup (default bedrock-usage)")
    out = parser.add_argument_group("output")
    out.add_argument("--format", choices=("terminal", "csv", "json"), default="terminal",
                     help="terminal tables (default), one CSV file per analysis, or one JSON document")
    out.add_argument("--max-rows", type=int, default=20, help="rows per terminal table (0 = all; default 20)")
    out.add_argument("--output-dir", default="report",
                     help="where csv/json files go (default report/); '-' prints JSON to standard output")
    add_quiet_option(out)
    add_governance_arguments(parser)
    return parser


def make_tracker(args: argparse.Namespace, engine: Engine, extra_tags: tuple[str, ...]) -> BedrockAthenaTracker:
    """The tracker for the options: prices, role suffix, tags, and inference profiles resolved when possible."""
    mapping = args.inference_profiles or (DEMO_INFERENCE_PROFILES if args.demo else None)
    resolver = profile_resolver(engine.name, args.profile, mapping)
    return BedrockAthenaTracker(engine, PriceBook.load(args.prices), role_suffix=args.role_suffix,
                                extra_tags=extra_tags, rewriter=resolver)


def run(args: argparse.Namespace) -> int:
    """Produce the Bedrock report the options ask for."""
    if args.output_dir == "-" and args.format != "json":
        raise UsageError("--output-dir - prints JSON to standard output: add --format json")
    period = resolve_period(days=args.days, start=args.start_date, end=args.end_date, tz=args.tz)
    period = governance_scan_period(args) or period
    caller_bill_source(args, governance_mode(args))  # the per-caller options go with --reconcile only
    if args.demo:
        source = "demo"
    elif args.engine:
        source = args.engine
    else:
        source = "local" if args.logs_dir or args.sync else "athena"
    if args.sync:
        if source != "local":
            raise UsageError("--sync copies logs for the local engine; use it with --engine local")
        args.logs_dir = args.logs_dir or default_mirror_dir()
        with terminal_progress(args.quiet) as progress:
            results = mirror_logs(Aws.connect(args.profile), requested_regions(args.region), period, args.logs_dir,
                                  args.log_bucket, args.log_prefix, progress)
        for result in results:
            s = result.summary
            cleaned = f", {s.partials_removed:,} partial files of a stopped sync removed" if s.partials_removed else ""
            print(f"Synced {result.region} from s3://{result.bucket}/{result.prefix}: {s.downloaded:,} new objects, "
                  f"{s.already_present:,} already present, {len(s.failed):,} failed{cleaned}", file=sys.stderr)
            for key, reason in s.failed.items():
                print(f"  not copied: {key}: {reason}", file=sys.stderr)
    engine = build_engine(SourceChoice(source, args.logs_dir, args.profile, args.workgroup))
    if governance_mode(args):
        return run_governance(args, engine, period)
    tracker = make_tracker(args, engine, tuple(args.tag))
    filters = Filters(arn_pattern=args.arn_pattern or None, models=tuple(args.model))
    with terminal_progress(args.quiet) as progress:
        report = tracker.analyze(period, args.region, filters, user_pattern=args.user_pattern or None,
                                 progress=progress)
    analyses = selected_analyses(args.analysis, report)
    if args.demo:
        print("Demo mode: generated sample data, not your account's usage.", file=sys.stderr)
    if args.format == "terminal":
        print(visible_lines(render_terminal(report, analyses, args.max_rows)))
    elif args.format == "json" and args.output_dir == "-":
        print(document_text(report_document(report, analyses)))
    elif args.format == "json":
        print(f"Wrote {write_json(report, analyses, Path(args.output_dir))}")
    else:
        for path in write_csv(report, analyses, Path(args.output_dir)):
            print(f"Wrote {path}")
    if report.stats.failed_regions and len(report.stats.failed_regions) == len(report.regions):
        return EXIT_ENVIRONMENT
    return EXIT_OK


# ---------------------------------------------------------------------------------------------------------------
# Governance modes: --reconcile, --check-budgets, --anomalies, --chargeback, --developer-costs (docs/governance.md).
# The logic lives in bedrock_usage/governance/; this only wires options.

EXIT_ALERT = 3
GOVERNANCE_MODES = ("reconcile", "check_budgets", "anomalies", "chargeback", "developer_costs")


def add_governance_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of the governance modes (one mode per run)."""
    group = parser.add_argument_group(
        "governance (one mode per run; see docs/governance.md)",
        "Exit code 3 (for cron and CI): --check-budgets found a breached budget, --reconcile a region-day\n"
        "with logs missing or below the coverage threshold or a caller billed with no logs, --anomalies an\n"
        "anomalous day.")
    group.add_argument("--reconcile", action="store_true",
                       help="compare logged calls and tokens with CloudWatch metrics, and estimated cost with Cost "
                       "Explorer, per region, model and UTC day of the period")
    group.add_argument("--coverage-threshold", type=float, default=95.0, metavar="PCT",
                       help="with --reconcile: flag region-days whose logged / metered calls is below PCT (default 95)")
    group.add_argument("--cur-dir", type=Path, metavar="DIR",
                       help="with --reconcile: billed and estimated cost per caller from a local copy of a CUR 2.0 "
                       "export with caller identity (the folder holding data/BILLING_PERIOD=YYYY-MM/); reads only "
                       "local files, no CloudWatch or Cost Explorer")
    group.add_argument("--cur", action="store_true",
                       help="with --reconcile: also billed cost per caller from the CUR 2.0 export's Athena table "
                       "(setup_athena_bucket.py --cur)")
    group.add_argument("--cur-region", default="us-east-1", metavar="REGION",
                       help="with --cur: the region of the export's Athena table (default us-east-1)")
    group.add_argument("--ce-principal-tag", metavar="KEY",
                       help="with --reconcile: also billed cost per caller from Cost Explorer, grouped by this IAM "
                       "principal tag (e.g. iamPrincipal/user), when there is no CUR 2.0 export")
    group.add_argument("--ce-principal-names", choices=("user", "application"), default="user",
                       help="with --ce-principal-tag: the tag's values name the logs' user (default) or application")
    group.add_argument("--account", metavar="ACCOUNT_ID",
                       help="with --reconcile: the account whose bill is compared (default: the account of the logs)")
    group.add_argument("--check-budgets", metavar="FILE",
                       help="budgets file (TOML or JSON): month-to-date spend, breaches and month-end forecast as of "
                       "--end-date (default today) in --tz")
    group.add_argument("--notify-sns", metavar="TOPIC_ARN", help="with --check-budgets: publish breaches to this topic")
    group.add_argument("--notify-webhook", metavar="URL",
                       help="with --check-budgets: POST breaches as JSON (with a 'text' field) to this URL")
    group.add_argument("--anomalies", action="store_true",
                       help="days whose cost per application exceeds --anomaly-factor x the trailing median, and "
                       "the month-end forecast")
    group.add_argument("--anomaly-factor", type=float, default=3.0, metavar="X",
                       help="anomaly threshold factor (default 3)")
    group.add_argument("--anomaly-window", type=int, default=7, metavar="DAYS",
                       help="days of trailing history for anomalies and forecasts (default 7)")
    group.add_argument("--anomaly-min-cost", type=float, default=1.0, metavar="USD",
                       help="never flag a day cheaper than this (default 1)")
    group.add_argument("--chargeback", metavar="YYYY-MM", help="monthly chargeback export (CSV or JSON)")
    group.add_argument("--chargeback-by", default="application", metavar="application|user|tag:KEY",
                       help="with --chargeback: the group of each row (default application)")
    group.add_argument("--developer-costs", metavar="YYYY-MM",
                       help="Bedrock spend per developer (SSO email) beside their Q Developer seat and Kiro cost")
    group.add_argument("--qdev-logs-dir", type=Path, metavar="DIR",
                       help="with --developer-costs: Q Developer / Kiro logs folder")
    group.add_argument("--qdev-bucket", metavar="BUCKET", help="with --developer-costs: Q Developer / Kiro logs bucket")
    group.add_argument("--user-map", metavar="CSV",
                       help="with --developer-costs: CSV with userId,email (any Identity Center id form -> email)")
    group.add_argument("--identity-store", metavar="auto|d-XXXXXXXXXX",
                       help="with --developer-costs: look people without an e-mail up in IAM Identity Center")


def governance_mode(args: argparse.Namespace) -> str | None:
    """The governance mode asked for, if any; more than one is a mistake."""
    chosen = [m for m in GOVERNANCE_MODES if getattr(args, m, None)]
    if len(chosen) > 1:
        raise UsageError(f"choose one of {', '.join('--' + m.replace('_', '-') for m in chosen)} per run")
    return chosen[0] if chosen else None


def caller_bill_source(args: argparse.Namespace, mode: str | None) -> callers.BillSource | None:
    """Where --reconcile reads the bill per caller (None: not asked for)."""
    chosen = args.cur_dir is not None or args.cur or args.ce_principal_tag
    if not chosen:
        return None
    if mode != "reconcile":
        raise UsageError("--cur-dir, --cur and --ce-principal-tag go with --reconcile")
    return callers.BillSource(cur_dir=args.cur_dir, cur_region=resolve_regions([args.cur_region])[0] if args.cur
                              else None, ce_tag=args.ce_principal_tag, ce_names=args.ce_principal_names,
                              workgroup=args.workgroup)


def governance_scan_period(args: argparse.Namespace) -> Period | None:
    """The days a governance mode reads (None without one): UTC days, a month, or history before the period."""
    mode = governance_mode(args)
    if mode is None:
        return None
    return readable(lambda: _governance_days(args, mode))


def _governance_days(args: argparse.Namespace, mode: str) -> Period:
    tz = check_zone(args.tz)
    if mode in ("chargeback", "developer_costs"):
        return chargeback.month_period(getattr(args, mode), tz)
    if mode == "reconcile":
        return resolve_period(days=args.days, start=args.start_date, end=args.end_date, tz="UTC")
    period = resolve_period(days=args.days, start=args.start_date, end=args.end_date, tz=tz)
    if mode == "check_budgets":
        return budgets.scan_period(period.end, tz, args.anomaly_window)
    return anomalies.scan_period(period, args.anomaly_window)


def run_governance(args: argparse.Namespace, engine: Engine, scan: Period) -> int:
    """Run the governance mode on ``scan``'s facts; print or write its result; return the exit code."""
    mode = governance_mode(args)
    if args.anomaly_window < 1 or args.anomaly_factor <= 0 or not 0 < args.coverage_threshold <= 100:
        raise UsageError("--anomaly-window must be >= 1, --anomaly-factor > 0, --coverage-threshold in (0, 100]")
    if args.demo and mode == "reconcile":
        raise UsageError("--reconcile compares your account's logs with its CloudWatch metrics and bill: not demo data")
    if (args.notify_sns or args.notify_webhook) and mode != "check_budgets":
        raise UsageError("--notify-sns and --notify-webhook go with --check-budgets")
    if args.notify_sns:
        budgets.sns_region(args.notify_sns)
    budget_list = budgets.load_budgets(args.check_budgets) if mode == "check_budgets" else []
    tags = [*args.tag, *budgets.tag_keys(budget_list)]
    if mode == "chargeback":
        tags += [key for key in [chargeback.group_column(args.chargeback_by)[1]] if key]
    bill = caller_bill_source(args, mode)
    needs_aws = mode == "reconcile" and (bill is None or bill.needs_aws)
    aws = Aws.connect(args.profile) if engine.name == "athena" or args.sync or needs_aws else None
    tracker = make_tracker(args, engine, tuple(dict.fromkeys(tags)))
    filters = Filters(arn_pattern=args.arn_pattern or None, models=tuple(args.model))
    with terminal_progress(args.quiet) as progress:
        scanned = tracker.analyze(scan, requested_regions(args.region), filters, args.user_pattern or None, progress)
    regions = scanned.regions
    if args.demo:
        print("Demo mode: generated sample data, not your account's usage.", file=sys.stderr)
    if scanned.stats.failed_regions and len(scanned.stats.failed_regions) == len(regions):
        print("\n".join(f"error: {w}" for w in scanned.warnings), file=sys.stderr)
        return EXIT_ENVIRONMENT
    facts, warnings = scanned.facts, scanned.warnings

    if mode == "reconcile":
        if check_zone(args.tz) != "UTC":
            print(f"note: --reconcile compares UTC days (as CloudWatch and Cost Explorer do), not {args.tz} days",
                  file=sys.stderr)
        account = reconcile.logs_account(engine, aws, args.account)
        result = None
        if bill is None or bill.needs_aws:
            result = reconcile.run_reconciliation(aws, facts, scan, regions, args.coverage_threshold / 100,
                                                  account=account)
            result.warnings[:0] = warnings
        per_caller = None
        if bill is not None:
            known = None if result is None or result.billed_failure else set(result.billed_services)
            per_caller = callers.reconcile_callers(facts, callers.read_bill(bill, aws, scan, account, known), scan,
                                                   regions, args.role_suffix)
            if result is None:
                per_caller.warnings[:0] = warnings
        output = gr.reconciliation_output(result, args.max_rows, per_caller)
        alert = (result is not None and len(result.flagged) > 0) or (
            per_caller is not None and len(per_caller.billed_without_logs) > 0)
    elif mode == "check_budgets":
        check = budgets.check_budgets(facts, budget_list, scan.end, scan.tz, args.anomaly_window)
        check.warnings[:0] = warnings
        output, alert = gr.budgets_output(check, facts, budget_list), bool(check.breached)
    elif mode == "anomalies":
        period = resolve_period(days=args.days, start=args.start_date, end=args.end_date, tz=scan.tz)
        report = anomalies.analyze_anomalies(facts, period, "application", args.anomaly_factor, args.anomaly_window,
                                             args.anomaly_min_cost, history_start=scan.start)
        report.warnings = warnings
        output, alert = gr.anomalies_output(report, args.max_rows), len(report.anomalies) > 0
    elif mode == "chargeback":
        result = chargeback.build_chargeback(facts, args.chargeback, scan.tz, args.chargeback_by)
        result.warnings[:0] = warnings
        output, alert = gr.chargeback_output(result, args.max_rows), False
    else:
        user_map = args.user_map
        if args.demo and not (args.qdev_logs_dir or args.qdev_bucket):
            demo = ensure_demo_corpus()  # the Amazon Q / Kiro demo beside the Bedrock demo, with its user map
            args.qdev_logs_dir, user_map = demo.path, user_map or demo.user_map
        if bool(args.qdev_logs_dir) == bool(args.qdev_bucket):
            raise UsageError("--developer-costs needs one of --qdev-logs-dir DIR or --qdev-bucket BUCKET")
        store = (S3Store((aws or Aws.connect(args.profile)).client("s3"), args.qdev_bucket) if args.qdev_bucket
                 else LocalStore(args.qdev_logs_dir))
        lookup = (IdentityCenter((aws or Aws.connect(args.profile)).client("identitystore"),
                                 check_store_option(args.identity_store)) if args.identity_store else None)
        identities = Identities(read_user_map(user_map) if user_map else {}, lookup)
        people = chargeback.qdev_subscribers(store, scan, identities)
        table = chargeback.developer_costs(facts, people, scan.start, scan.end)
        warnings.extend(chargeback.developer_warnings(people))
        output = gr.developers_output(table, args.developer_costs, chargeback.seat_note(scan.start, scan.end),
                                      warnings, args.max_rows)
        alert = False

    gr.emit(output, args.format, args.output_dir)
    if mode == "check_budgets" and alert:
        sns_session = aws or Aws.connect(args.profile)
        for line in budgets.deliver_alert(check, args.notify_sns, args.notify_webhook,
                                          lambda region: sns_session.client("sns", region)):
            print(line, file=sys.stderr)
    return EXIT_ALERT if alert else EXIT_OK


# End of the governance modes.
# ---------------------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Entry point: parse options, run, map our errors to exit codes with a one-line message."""
    argv = sys.argv[1:] if argv is None else argv
    service = argparse.ArgumentParser(add_help=False)
    service.add_argument("--service", choices=("bedrock", "qcli"), default="bedrock")
    known, rest = service.parse_known_args(argv)
    if known.service == "qcli":
        import qcli_s3_analyzer

        return qcli_s3_analyzer.main(rest, prog="bedrock_tracker_cli.py --service qcli")
    try:
        return guard_output(lambda: run(build_parser().parse_args(argv)))
    except UsageError as exc:
        print(f"error: {visible(str(exc))}", file=sys.stderr)
        return EXIT_USER
    except SetupRequired as exc:
        print(f"setup needed: {visible(str(exc))}", file=sys.stderr)
        return EXIT_ENVIRONMENT


if __name__ == "__main__":
    sys.exit(main())
