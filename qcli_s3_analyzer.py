#!/usr/bin/env python3
"""How developers use Amazon Q Developer and Kiro, from prompt logs, user-activity reports and Kiro user reports.

Reads the prompt logs (chat, inline suggestions, /dev), the daily user-activity CSVs and Kiro's daily user reports
that Amazon Q Developer and Kiro write to S3, or a local folder in the same layout (the CSVs also through Athena),
counts tokens offline with cl100k_base (an approximation of Claude's tokenizer), and reports, per person (by e-mail
where known): requests, tokens, context-window use, a virtual cost at Amazon Bedrock list prices (an estimate, never
billed) against the subscription, activity per feature, documented monthly limits, spike days, and Kiro credits
against each tier's allowance with their estimated cost. Reports say which figures are exact and which estimated,
and never contain prompt or response text. Set-up and output format: docs/amazon-q.md.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path

from bedrock_usage.output.command import interrupt_ends_run

with interrupt_ends_run():  # Ctrl-C while the modules load ends the run as later: one line, exit 130
    from bedrock_usage.aws.session import Aws
    from bedrock_usage.engines.athena import DEFAULT_WORKGROUP
    from bedrock_usage.errors import UsageError
    from bedrock_usage.logs.period import resolve_period, through_today
    from bedrock_usage.logs.regions import requested_regions
    from bedrock_usage.output.command import (
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
    from bedrock_usage.output.files import STANDARD_OUTPUT, output_folder
    from bedrock_usage.output.json_values import document_text
    from bedrock_usage.output.progress import add_quiet_option, terminal_progress
    from bedrock_usage.output.terminal_table import visible_lines
    from bedrock_usage.pricing import PRICES_ENV
    from bedrock_usage.qdev.analysis import (
        DEFAULT_CONTEXT_WINDOW,
        Filters,
        Identities,
        Options,
        Source,
        analyze,
        none_readable,
    )
    from bedrock_usage.qdev.athena import AthenaActivity, AthenaUserReports, kiro_athena_engine, qdev_athena_engine
    from bedrock_usage.qdev.cost import DEFAULT_MODEL, MODEL_IDS
    from bedrock_usage.qdev.identity_center import IdentityCenter, check_store_option
    from bedrock_usage.qdev.kiro_prices import PRICES_ENV as KIRO_PRICES_ENV
    from bedrock_usage.qdev.people import read_user_map
    from bedrock_usage.qdev.render import (
        DEMO_BANNER,
        render_terminal,
        report_document,
        write_csv,
        write_json,
    )
    from bedrock_usage.qdev.sources import DEFAULT_BUCKET, LocalStore, s3_store
    from bedrock_usage.qdev.synthetic import DEMO_DAYS, demo_cache_dir, ensure_demo_corpus

PROG = "qcli_s3_analyzer.py"
EXAMPLES = """examples:
  python qcli_s3_analyzer.py --demo
  python qcli_s3_analyzer.py --days 30 --tz Asia/Seoul
  python qcli_s3_analyzer.py --bucket amazonq-developer-reports-123456789012 --prefix prompt_logging \\
      --prefix user-activity-reports --start-date 2025-11-01 --end-date 2025-11-12 --format json
  python qcli_s3_analyzer.py --logs-dir ./q-logs --user-pattern jane@example.com --format csv
  python qcli_s3_analyzer.py --data-source athena --days 30   # after setup_athena_bucket.py --qdev
  python qcli_s3_analyzer.py --days 30 --identity-store auto --user-map people.csv
"""


def build_parser(prog: str = PROG) -> argparse.ArgumentParser:
    """The full command line; ``prog`` is the command usage and help name (``bedrock_tracker_cli.py --service qcli``
    when reached through the main CLI)."""
    parser = UsageErrorParser(
        prog=prog,
        description=__doc__.split("\n\n")[1],
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    where = parser.add_argument_group("where the logs are (choose one; default: S3 with the default bucket)")
    where.add_argument(
        "--bucket",
        type=named,
        help="S3 bucket holding the logs (default: " + DEFAULT_BUCKET + ", account from STS)",
    )
    where.add_argument(
        "--prefix",
        action="append",
        default=[],
        metavar="PREFIX",
        help="key prefix in front of AWSLogs/ (repeatable, e.g. once for prompt logs and once for activity "
        "reports; default: the bucket root and every top-level folder)",
    )
    where.add_argument("--logs-dir", type=named_path, help="a local folder laid out like the bucket, instead of S3")
    where.add_argument(
        "--demo",
        action="store_true",
        help=f"analyse a generated demo corpus of the last {DEMO_DAYS} days up to now (made once a day and cached in "
        f"{demo_cache_dir()}; set BEDROCK_USAGE_CACHE_DIR to move it)",
    )
    where.add_argument(
        "--data-source",
        choices=("s3", "athena"),
        default="s3",
        help="s3 (default): prompt logs and reports from S3 or --logs-dir; athena: activity reports and Kiro user "
        "reports through the Athena tables of setup_athena_bucket.py --qdev, prompt logs still from S3",
    )
    where.add_argument(
        "--workgroup", type=workgroup_name,
        help=f"with --data-source athena: the Athena workgroup (default {DEFAULT_WORKGROUP})",
    )
    where.add_argument("--profile", help="AWS profile for S3, STS and Athena (default: the standard credential chain)")
    where.add_argument(
        "--regions",
        nargs="+",
        action="extend",
        metavar="REGION",
        help="only these regions' log folders (space- or comma-separated; default: every region found)",
    )

    when = parser.add_argument_group("period")
    when.add_argument("--days", type=int, help="the last N days, today included (default 7)")
    when.add_argument("--start-date", metavar="YYYY-MM-DD", help="first day (inclusive)")
    when.add_argument("--end-date", metavar="YYYY-MM-DD", help="last day (inclusive; default today)")
    when.add_argument(
        "--tz",
        default="UTC",
        help="time zone of the dates, the daily table and the local hourly column, e.g. Asia/Seoul (default UTC)",
    )

    who = parser.add_argument_group("people (one row per developer, shown by e-mail where known)")
    who.add_argument(
        "--user-pattern",
        type=pattern,
        help="only people whose id (any form), e-mail or name contains this text (literal, case-insensitive)",
    )
    who.add_argument(
        "--user-map",
        type=named_path,
        metavar="CSV",
        help="a CSV with userId and email columns (optional displayName): names people the Kiro reports do not "
        "(with --demo: the demo's own map)",
    )
    who.add_argument(
        "--identity-store",
        type=named,
        metavar="auto|d-XXXXXXXXXX",
        help="look people without an e-mail up in IAM Identity Center (identitystore DescribeUser/ListUsers, "
        "cached for 7 days): auto = the directories named in the user ids",
    )
    who.add_argument(
        "--identity-region",
        type=named,
        metavar="REGION",
        help="with --identity-store: the Region of IAM Identity Center (default: the profile's Region)",
    )

    what = parser.add_argument_group("analysis")
    what.add_argument(
        "--sample",
        type=int,
        metavar="N",
        help="read only N randomly chosen prompt-log files (default: every file in the period)",
    )
    what.add_argument(
        "--context-window",
        type=int,
        default=DEFAULT_CONTEXT_WINDOW,
        metavar="TOKENS",
        help=f"context window for the per-request usage figures (default {DEFAULT_CONTEXT_WINDOW:,})",
    )
    what.add_argument(
        "--model",
        choices=sorted(MODEL_IDS),
        default=DEFAULT_MODEL,
        help=f"Claude model whose list price gives the virtual cost (default {DEFAULT_MODEL})",
    )
    what.add_argument(
        "--kiro-prices",
        type=named,
        metavar="FILE",
        help=f"Kiro tier prices (CSV or JSON, the columns of bedrock_usage/qdev/kiro_prices.csv) on top of the "
        f"built-in ones (default: ${KIRO_PRICES_ENV} if set)",
    )
    what.add_argument(
        "--prices",
        metavar="FILE",
        type=named,
        help=f"Bedrock price file (JSON, TOML or CSV, as bedrock_tracker_cli.py --prices) on top of the built-in book "
        f"for the virtual cost (default: ${PRICES_ENV} if set)",
    )
    what.add_argument("--workers", type=int, default=8, help="parallel downloads (default 8)")

    out = parser.add_argument_group("output")
    out.add_argument(
        "--format",
        choices=("terminal", "csv", "json"),
        default="terminal",
        help="terminal text (default), one CSV file per table, or one JSON document (see docs/amazon-q.md)",
    )
    out.add_argument(
        "--output-dir",
        type=named,
        help="folder for csv/json files, named qcli_analysis_YYYYmmdd_HHMMSS* (default report/); "
        "'-' prints JSON to standard output",
    )
    out.add_argument(
        "--max-rows",
        type=row_count,
        default=20,
        help="rows per table in terminal output (0 = all; files are complete; default 20)",
    )
    add_quiet_option(out)
    return parser


def _check(args: argparse.Namespace) -> None:
    """Option combinations argparse cannot express (UsageError, exit 1)."""
    sources = (("--bucket", args.bucket), ("--logs-dir", args.logs_dir), ("--demo", args.demo))
    chosen = [name for name, value in sources if value]
    if len(chosen) > 1:
        raise UsageError(f"choose one of {', '.join(chosen)}")
    if args.data_source == "athena" and (args.logs_dir or args.demo):
        raise UsageError(f"--data-source athena reads the bucket's reports through Athena: drop {chosen[0]}")
    if args.workgroup and args.data_source != "athena":
        raise UsageError("--workgroup goes with --data-source athena")
    for name, value in (("--sample", args.sample), ("--context-window", args.context_window)):
        if value is not None and value < 1:
            raise UsageError(f"{name} must be at least 1 (got {value})")
    if args.workers < 1:
        raise UsageError(f"--workers must be at least 1 (got {args.workers})")
    if args.identity_store and args.demo:
        raise UsageError("--identity-store looks your directory up: the demo's people are not in it (drop --demo)")
    if args.identity_region and not args.identity_store:
        raise UsageError("--identity-region goes with --identity-store")


def _s3_source(args: argparse.Namespace) -> Source:
    """The bucket; with ``--data-source athena`` its activity reports and Kiro user reports are read through Athena."""
    aws = Aws.connect(args.profile)
    if args.data_source != "athena":
        return Source(s3_store(aws, args.bucket), tuple(args.prefix))
    workgroup = args.workgroup or DEFAULT_WORKGROUP
    return Source(
        s3_store(aws, args.bucket),
        tuple(args.prefix),
        AthenaActivity(qdev_athena_engine(aws, workgroup=workgroup)),
        AthenaUserReports(kiro_athena_engine(aws, workgroup=workgroup)),
    )


def _identities(args: argparse.Namespace, user_map: Path | None) -> Identities:
    """The user map (``--user-map``, or the demo's) and the IAM Identity Center lookups (``--identity-store``)."""
    mapping = read_user_map(user_map) if user_map else {}
    if not args.identity_store:
        return Identities(mapping)
    store = check_store_option(args.identity_store)
    aws = Aws.connect(args.profile)
    return Identities(mapping, IdentityCenter(aws.client("identitystore", args.identity_region), store))


def run(args: argparse.Namespace) -> int:
    """Analyse and render; errors a user can fix are raised as UsageError / SetupRequired."""
    _check(args)
    args.output_dir = output_folder(args.format, args.output_dir)
    filters = Filters(user_pattern=args.user_pattern, regions=requested_regions(args.regions))
    options = Options(context_window=args.context_window, model=args.model, sample=args.sample, workers=args.workers,
                      kiro_prices=args.kiro_prices, prices=args.prices)
    period, note = through_today(resolve_period(days=args.days, start=args.start_date, end=args.end_date, tz=args.tz))
    if note:
        print(f"note: {note}", file=sys.stderr)
    corpus = ensure_demo_corpus(log=lambda line: print(line, file=sys.stderr)) if args.demo else None
    identities = _identities(args, args.user_map or (corpus.user_map if corpus else None))
    hint = None if corpus or args.logs_dir else "or, without AWS, try --demo, or --logs-dir DIR"
    with hint_without_aws(hint):
        if corpus:
            if args.format != "terminal":  # the terminal's report opens with it
                print(DEMO_BANNER, file=sys.stderr)
            source = Source(LocalStore(corpus.path))
        elif args.logs_dir:
            source = Source(LocalStore(args.logs_dir), tuple(args.prefix))
        else:
            source = _s3_source(args)
        with terminal_progress(args.quiet) as progress:
            report = analyze(source, period, filters, options, progress, identities)
    refusal = none_readable(report)
    if refusal:
        raise UsageError(refusal)
    report.demo = corpus is not None
    if args.format == "terminal":
        sys.stdout.write(visible_lines(render_terminal(report, args.max_rows)))
        return 0
    print_warnings(report.warnings)
    if args.format == "json" and args.output_dir == STANDARD_OUTPUT:
        print(document_text(report_document(report)))
        return 0
    stamp = datetime.now().strftime("%Y%m%d_%H%M%S")
    paths = (
        [write_json(report, Path(args.output_dir), stamp)]
        if args.format == "json"
        else write_csv(report, Path(args.output_dir), stamp)
    )
    for path in paths:
        print(f"wrote {path}")
    return 0


def main(argv: list[str] | None = None, prog: str = PROG) -> int:
    """Entry point for the script and for ``bedrock_tracker_cli.py --service qcli`` (which passes its own ``prog``);
    returns the exit code."""
    return report_main(lambda: run(build_parser(prog).parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
