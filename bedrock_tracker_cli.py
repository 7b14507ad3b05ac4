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
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from bedrock_usage.output.command import interrupt_ends_run

with interrupt_ends_run():  # Ctrl-C while the modules load ends the run as later: one line, exit 130
    from bedrock_usage.cache import default_mirror_dir
    from bedrock_usage.demo.profiles import DEMO_INFERENCE_PROFILES
    from bedrock_usage.engines.base import SKIPPED_EXAMPLES, Engine
    from bedrock_usage.engines.choice import SourceChoice, build_engine
    from bedrock_usage.engines.queries import Filters
    from bedrock_usage.errors import UsageError
    from bedrock_usage.governance.options import add_governance_arguments, governance_mode
    from bedrock_usage.governance.profiles import PROFILES_ENV, profile_resolver
    from bedrock_usage.logs.period import Period, resolve_period, through_today
    from bedrock_usage.logs.regions import requested_regions
    from bedrock_usage.output.command import (
        EXIT_ENVIRONMENT,
        EXIT_OK,
        UsageErrorParser,
        hint_without_aws,
        named,
        named_path,
        pattern,
        print_warnings,
        report_main,
        row_count,
        workgroup_name,
    )
    from bedrock_usage.output.files import output_folder
    from bedrock_usage.output.json_values import document_text
    from bedrock_usage.output.progress import add_quiet_option, terminal_progress
    from bedrock_usage.output.terminal_table import visible, visible_lines
    from bedrock_usage.output.wording import counted
    from bedrock_usage.pricing import PRICES_ENV, PriceBook
    from bedrock_usage.report.render import render_terminal, report_document, selected_analyses, write_csv, write_json
    from bedrock_usage.report.tracker import ANALYSES, DEFAULT_APPLICATION_TAGS, BedrockAthenaTracker, UsageReport

if TYPE_CHECKING:
    from bedrock_usage.aws.mirror import MirrorResult


def build_parser() -> argparse.ArgumentParser:
    """All options of the Bedrock report."""
    parser = UsageErrorParser(
        prog="bedrock_tracker_cli.py",
        description="Who spends how much on Amazon Bedrock: calls, tokens and cost per user, application, "
        "model, day, hour and region, from Model Invocation Logs.",
        epilog="Exit codes: 0 ok; 1 a mistake in the options or input; 2 the environment needs a setup step "
        "(credentials, logging, the Athena table); 3 a governance mode found something to act on. "
        "Amazon Q Developer: --service qcli (see --service qcli --help).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--service", choices=("bedrock", "qcli"), default="bedrock",
                        help="bedrock (default) or qcli for Amazon Q Developer / Kiro analytics")
    when = parser.add_argument_group("period (inclusive calendar days in --tz)")
    when.add_argument("--days", type=int,
                      help="N days: the last N ending today, or ending --end-date, or from --start-date (default 7)")
    when.add_argument("--start-date", help="first day, YYYY-MM-DD")
    when.add_argument("--end-date", help="last day, YYYY-MM-DD (default today)")
    when.add_argument("--tz", default="UTC", help="time zone of days and hours, e.g. Asia/Seoul (default UTC)")
    what = parser.add_argument_group("what to analyse")
    what.add_argument("--region", "--regions", nargs="+", action="extend", metavar="REGION",
                      help="one or more regions (spaces or commas), or 'all' (default: all = every region with "
                      "logs: the region folders present locally, or where logging delivers to S3 on AWS)")
    what.add_argument("--analysis", choices=("all", *ANALYSES), default="all", help="which tables (default all)")
    what.add_argument("--arn-pattern", type=pattern,
                      help="only callers whose identity ARN contains this text (literal, case-sensitive)")
    what.add_argument("--user-pattern", type=pattern,
                      help="only users whose name contains this text (literal, in any letter case, as "
                      "qcli_s3_analyzer.py --user-pattern matches people)")
    what.add_argument("--model", action="append", default=[], metavar="MODEL_ID", type=named,
                      help="only this modelId as logged (repeatable); a call through a prompt router is matched by the "
                      "id of the model the router chose, as the report shows it (by the router's ARN only when "
                      "its logged response does not name that model)")
    what.add_argument("--tag", action="append", default=[], metavar="KEY",
                      help="also report by this requestMetadata key, e.g. cost_center (repeatable; its table "
                      "follows the --analysis tables, but for summary); "
                      "application_name is always read and names the application, so it is refused here")
    what.add_argument("--role-suffix", default="-BedrockRole", type=named,
                      help="roles named {App}{suffix} are attributed to application {App} (default -BedrockRole; "
                      "write a suffix that starts with a dash as --role-suffix=-Role)")
    what.add_argument("--inference-profiles", metavar="FILE", type=named,
                      help="JSON mapping application inference profile ARN -> {model_id, tags}, so their calls are "
                      "priced and attributed (default $" + PROFILES_ENV + "); with Athena the Bedrock API resolves "
                      "the profiles the file does not name")
    what.add_argument("--prices", type=named, help=f"price file (JSON, TOML or CSV) with extra or negotiated prices "
                      f"(default ${PRICES_ENV})")
    source = parser.add_argument_group("data source")
    source.add_argument("--engine", choices=("athena", "local"),
                        help="athena (default with AWS) or local (DuckDB over --logs-dir)")
    source.add_argument("--logs-dir", type=named_path,
                        help="folder with log objects in the S3 layout (AWSLogs/...); "
                        "with --engine local the default is the mirror --sync fills")
    source.add_argument("--demo", action="store_true",
                        help="analyse generated demo data (made once a day in the cache folder); no AWS needed")
    source.add_argument("--sync", action="store_true",
                        help="with --engine local: first copy the period's new and changed log objects from each "
                        "region's logging bucket into --logs-dir (default: a mirror in the cache folder)")
    source.add_argument("--prune", action="store_true",
                        help="with --sync: delete the mirror's files of the synced days whose object is no longer in "
                        "the bucket (without it they are kept, read and counted in a warning: a lifecycle rule's "
                        "expired days stay in the mirror)")
    source.add_argument("--log-bucket", help="with --sync: the log bucket (default: from the logging configuration)")
    source.add_argument("--log-prefix", help="with --sync and --log-bucket: the key prefix of the logs (default: the "
                        "logging configuration's when its bucket is --log-bucket, else none)")
    source.add_argument("--profile", help="AWS profile for Athena and --sync")
    source.add_argument("--workgroup", type=workgroup_name, help="Athena workgroup (default bedrock-usage)")
    out = parser.add_argument_group("output")
    out.add_argument("--format", choices=("terminal", "csv", "json"), default="terminal",
                     help="terminal tables (default), one CSV file per analysis, or one JSON document")
    out.add_argument("--max-rows", type=row_count, default=20, help="rows per terminal table (0 = all; default 20)")
    out.add_argument("--output-dir", type=named,
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
    check_log_location(args)
    check_tags(args.tag)
    args.output_dir = output_folder(args.format, args.output_dir)
    period = resolve_period(days=args.days, start=args.start_date, end=args.end_date, tz=args.tz)
    mode = governance_mode(args)
    if mode:
        from bedrock_usage.governance import modes  # the modes' code loads only when one is asked for

        period = modes.scan_period(args, mode)
        modes.caller_bill_source(args)  # a mistake in the per-caller options stops the run before any scan
    else:
        period, note = through_today(period)
        if note:
            print(f"note: {note}", file=sys.stderr)
    if args.demo:
        given = [name for name, value in (("--engine", args.engine), ("--logs-dir", args.logs_dir),
                                          ("--sync", args.sync)) if value]
        if given:
            raise UsageError(f"--demo analyses generated data: leave out {' and '.join(given)}, or leave out --demo")
        source = "demo"
    elif args.engine:
        source = args.engine
    else:
        source = "local" if args.logs_dir or args.sync else "athena"
    sync_warnings: tuple[str, ...] = ()
    if args.sync:
        if source != "local":
            raise UsageError("--sync copies logs for the local engine; use it with --engine local")
        args.logs_dir = args.logs_dir or default_mirror_dir()
        sync_warnings = sync_mirror(args, period)
    if mode:
        engine = build_engine(SourceChoice(source, args.logs_dir, args.profile, args.workgroup))
        return modes.run_governance(args, mode, engine, period, make_tracker, sync_warnings)
    hint = "or, without AWS, try --demo, or --engine local --logs-dir DIR" if source == "athena" else None
    with hint_without_aws(hint), terminal_progress(args.quiet) as progress:
        engine = build_engine(SourceChoice(source, args.logs_dir, args.profile, args.workgroup))
        tracker = make_tracker(args, engine, tuple(args.tag))
        filters = Filters(arn_pattern=args.arn_pattern, models=tuple(args.model))
        report = tracker.analyze(period, args.region, filters, user_pattern=args.user_pattern,
                                 progress=progress)
    unsaid = list(report.warnings)  # the sync's warnings are on stderr already
    report.warnings[:0] = sync_warnings  # in the terminal text and JSON too, first: they explain what follows
    analyses = selected_analyses(args.analysis, report)
    report.demo = args.demo
    if args.demo and args.format != "terminal":
        print("Demo mode: generated sample data, not your account's usage.", file=sys.stderr)
    if args.format == "terminal":
        print(visible_lines(render_terminal(report, analyses, args.max_rows)))
        return _exit_code(report)
    print_warnings(unsaid)
    if args.format == "json" and args.output_dir == "-":
        print(document_text(report_document(report, analyses)))
    elif args.format == "json":
        print(f"Wrote {write_json(report, analyses, Path(args.output_dir))}")
    else:
        for path in write_csv(report, analyses, Path(args.output_dir)):
            print(f"Wrote {path}")
    return _exit_code(report)


def _exit_code(report: UsageReport) -> int:
    """Exit 2 when every region asked for failed (nothing to report), else 0."""
    if report.stats.failed_regions and len(report.stats.failed_regions) == len(report.regions):
        return EXIT_ENVIRONMENT
    return EXIT_OK


def check_log_location(args: argparse.Namespace) -> None:
    """``--log-bucket``, ``--log-prefix`` and ``--prune`` only say how ``--sync`` copies, and a prefix is one
    bucket's."""
    if (args.log_bucket or args.log_prefix is not None or args.prune) and not args.sync:
        raise UsageError("--log-bucket, --log-prefix and --prune say how --sync copies the logs: add --sync, or "
                         "leave them out")
    if args.log_prefix is not None and not args.log_bucket:
        raise UsageError("--log-prefix is a key prefix in the bucket --log-bucket names: pass --log-bucket too, or "
                         "leave both out to copy from where each region's logging configuration says")


def check_tags(keys: list[str]) -> None:
    """A ``--tag`` key that names the application has no table of its own: asking for one is refused, not
    ignored."""
    named = [key for key in keys if key in DEFAULT_APPLICATION_TAGS]
    if named:
        raise UsageError(f"--tag {named[0]}: {named[0]} is always read and names the application; its calls are in "
                         "the application table (--analysis application): leave out this --tag")


def sync_mirror(args: argparse.Namespace, period: Period) -> tuple[str, ...]:
    """Sync the period's log objects of each region's logging bucket into ``args.logs_dir``; report on stderr what
    was copied, already there, removed or not copied; return the warnings the report must carry too (regions not
    synced, files no longer in the bucket, regions with nothing to copy)."""
    from bedrock_usage.aws.mirror import mirror_logs
    from bedrock_usage.aws.session import Aws

    with terminal_progress(args.quiet) as progress:
        results = mirror_logs(Aws.connect(args.profile), requested_regions(args.region), period, args.logs_dir,
                              args.log_bucket or None, args.log_prefix, progress, prune=args.prune,
                              accounts=synced_accounts(args))
    warnings = tuple(line for result in results for line in sync_warnings_of(result))
    for result in results:
        print_sync_result(result)
    print_warnings(warnings)
    return warnings


def synced_accounts(args: argparse.Namespace) -> tuple[str, ...] | None:
    """The accounts ``--sync`` copies: ``--account`` alone (``--reconcile`` compares that account), else every
    account the bucket holds (None)."""
    if not args.account:
        return None
    from bedrock_usage.governance.cur import check_account  # loaded already: --account comes with --reconcile

    return (check_account(args.account),)


def sync_warnings_of(result: MirrorResult) -> list[str]:
    """What a region's sync could not do, for the report's warnings."""
    if result.summary is None:
        return [f"{result.region} was not synced, its figures are those the mirror already held: {result.failure}"]
    s, where = result.summary, result.location
    lines = []
    if result.accounts_unlisted:
        lines.append(f"other accounts' folders in {where}AWSLogs/ could not be listed, so {result.region} was synced "
                     f"for account {result.accounts[0]} alone ({result.accounts_unlisted}); --reconcile --account ID "
                     "copies a named account")
    if s.not_in_bucket:
        lines.append(f"{s.not_in_bucket:,} mirror files of {result.region} for these days are no longer in {where} "
                     "(deleted, expired by a lifecycle rule, or another bucket's): they are still read and counted; "
                     "--prune deletes them")
    if s.archived:
        classes = ", ".join(f"{name}: {count:,}" for name, count in sorted(Counter(s.archived.values()).items()))
        lines.append(f"{counted(len(s.archived), 'object')} of {result.region} in {where} archived ({classes}) and not "
                     "copied, so their calls are not in these figures: restore them (the S3 console's Initiate "
                     "restore, aws s3api restore-object, or S3 Batch Operations for many), then --sync again: "
                     f"{named_objects(s.archived)}")
    if s.failed:
        lines.append(f"{counted(len(s.failed), 'object')} of {result.region} not copied from {where} (the figures lack "
                     f"them, or hold the mirror's older copy; the next --sync tries again): {named_objects(s.failed)}")
    lines += result.expiry_notes()
    if not s.listed:
        lines.append(f"no log object of {result.region} for the period under {where}: check the bucket and prefix "
                     "(--log-bucket, --log-prefix)")
    return lines


def named_objects(reasons: dict[str, str]) -> str:
    """The first few keys (by name) with their reason, and how many more."""
    keys = sorted(reasons)
    named = "; ".join(f"{key} ({reasons[key]})" for key in keys[:SKIPPED_EXAMPLES])
    more = len(keys) - SKIPPED_EXAMPLES
    return f"{named}; and {more:,} more" if more > 0 else named


def print_sync_result(result: MirrorResult) -> None:
    """One region's sync line on stderr, with the objects not copied."""
    if result.summary is None:
        return
    s, where = result.summary, result.location
    notes = [f"{s.partials_removed:,} partial files of a stopped sync removed"] if s.partials_removed else []
    if s.removed:
        notes.append(f"{s.removed:,} removed (no longer in the bucket, --prune)")
    if s.archived:
        notes.append(f"{len(s.archived):,} archived (not copied until restored)")
    print(f"Synced {result.region} of {counted(len(result.accounts), 'account')} from {visible(where)}: "
          f"{s.downloaded:,} new or changed objects, "
          f"{s.already_present:,} already present, {len(s.failed):,} failed{''.join(', ' + n for n in notes)}",
          file=sys.stderr)
    for key, reason in s.failed.items():
        print(f"  not copied: {visible(key)}: {visible(reason)}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """Entry point: parse options, run, map our errors to exit codes with a one-line message."""
    argv = sys.argv[1:] if argv is None else argv
    # Only picks the analyzer: a wrong or missing value is the full parser's mistake to report (one line, exit 1).
    service = argparse.ArgumentParser(add_help=False)
    service.add_argument("--service", nargs="?")
    known, rest = service.parse_known_args(argv)
    if known.service == "qcli":
        import qcli_s3_analyzer

        return qcli_s3_analyzer.main(rest, prog="bedrock_tracker_cli.py --service qcli")
    return report_main(lambda: run(build_parser().parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
