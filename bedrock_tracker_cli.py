"""Bedrock usage reports in the terminal, as CSV or as JSON.

Examples:
  python bedrock_tracker_cli.py --demo
  python bedrock_tracker_cli.py --region us-east-1 ap-northeast-2 --days 30 --analysis user
  python bedrock_tracker_cli.py --start-date 2025-10-25 --end-date 2025-11-03 --tz Asia/Seoul --format json
  python bedrock_tracker_cli.py --engine local --logs-dir ./mirror --arn-pattern DataAnalysis --format csv
  python bedrock_tracker_cli.py --service qcli --demo
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bedrock_usage.aws import Aws
from bedrock_usage.errors import SetupRequired, UsageError
from bedrock_usage.period import resolve_period
from bedrock_usage.queries import Filters
from bedrock_usage.regions import DEFAULT_REGIONS, resolve_regions
from bedrock_usage.render import render_terminal, report_document, selected_analyses, write_csv, write_json
from bedrock_usage.sources import SourceChoice, build_engine, default_mirror_dir, mirror_logs
from bedrock_usage.tracker import ANALYSES, BedrockAthenaTracker
from pricing import PRICES_ENV, PriceBook

EXIT_OK, EXIT_USER, EXIT_ENVIRONMENT = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    """All options of the Bedrock report."""
    parser = argparse.ArgumentParser(
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
    what.add_argument("--region", nargs="+", metavar="REGION",
                      help=f"one or more regions, or 'all' (default: all = {' '.join(DEFAULT_REGIONS)})")
    what.add_argument("--analysis", choices=("all", *ANALYSES), default="all", help="which tables (default all)")
    what.add_argument("--arn-pattern", help="only callers whose identity ARN contains this text (literal, "
                      "case-sensitive)")
    what.add_argument("--user-pattern", help="only users whose name contains this text (literal, case-sensitive)")
    what.add_argument("--model", action="append", default=[], metavar="MODEL_ID",
                      help="only this modelId as logged (repeatable)")
    what.add_argument("--tag", action="append", default=[], metavar="KEY",
                      help="also read this requestMetadata key (repeatable); application_name is always read")
    what.add_argument("--role-suffix", default="-BedrockRole",
                      help="roles named {App}{suffix} are attributed to application {App} (default -BedrockRole)")
    what.add_argument("--prices", help=f"price file (JSON, TOML or CSV) with extra or negotiated prices "
                      f"(default ${PRICES_ENV})")
    source = parser.add_argument_group("data source")
    source.add_argument("--engine", choices=("athena", "local"),
                        help="athena (default with AWS) or local (DuckDB over --logs-dir)")
    source.add_argument("--logs-dir", type=Path, help="folder with log objects in the S3 layout (AWSLogs/...)")
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
    out.add_argument("--format", choices=("terminal", "csv", "json"), default="terminal")
    out.add_argument("--max-rows", type=int, default=20, help="rows per terminal table (0 = all; default 20)")
    out.add_argument("--output-dir", default="report",
                     help="where csv/json files go (default report/); '-' prints JSON to standard output")
    return parser


def run(args: argparse.Namespace) -> int:
    """Produce the Bedrock report the options ask for."""
    period = resolve_period(days=args.days, start=args.start_date, end=args.end_date, tz=args.tz)
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
        for result in mirror_logs(Aws.connect(args.profile), resolve_regions(args.region), period, args.logs_dir,
                                  args.log_bucket, args.log_prefix):
            s = result.summary
            print(f"Synced {result.region} from s3://{result.bucket}/{result.prefix}: {s.downloaded:,} new objects, "
                  f"{s.already_present:,} already present, {len(s.failed):,} failed", file=sys.stderr)
            for key, reason in s.failed.items():
                print(f"  not copied: {key}: {reason}", file=sys.stderr)
    engine = build_engine(SourceChoice(source, args.logs_dir, args.profile, args.workgroup))
    tracker = BedrockAthenaTracker(
        engine, PriceBook.load(args.prices), role_suffix=args.role_suffix, extra_tags=tuple(args.tag)
    )
    filters = Filters(arn_pattern=args.arn_pattern or None, models=tuple(args.model))
    report = tracker.analyze(period, args.region, filters, user_pattern=args.user_pattern or None)
    analyses = selected_analyses(args.analysis)
    if args.demo:
        print("Demo mode: generated sample data, not your account's usage.", file=sys.stderr)
    if args.format == "terminal":
        print(render_terminal(report, analyses, args.max_rows))
    elif args.format == "json" and args.output_dir == "-":
        print(json.dumps(report_document(report, analyses), indent=2, ensure_ascii=False))
    elif args.format == "json":
        print(f"Wrote {write_json(report, analyses, Path(args.output_dir))}")
    else:
        for path in write_csv(report, analyses, Path(args.output_dir)):
            print(f"Wrote {path}")
    if report.stats.failed_regions and len(report.stats.failed_regions) == len(report.regions):
        return EXIT_ENVIRONMENT
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    """Entry point: parse options, run, map our errors to exit codes with a one-line message."""
    argv = sys.argv[1:] if argv is None else argv
    service = argparse.ArgumentParser(add_help=False)
    service.add_argument("--service", choices=("bedrock", "qcli"), default="bedrock")
    known, rest = service.parse_known_args(argv)
    if known.service == "qcli":
        import qcli_s3_analyzer

        return qcli_s3_analyzer.main(rest)
    args = build_parser().parse_args(argv)
    try:
        return run(args)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USER
    except SetupRequired as exc:
        print(f"setup needed: {exc}", file=sys.stderr)
        return EXIT_ENVIRONMENT


if __name__ == "__main__":
    sys.exit(main())
