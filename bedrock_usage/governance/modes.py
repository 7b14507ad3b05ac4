"""The governance modes of the Bedrock report (docs/governance.md): read the scan's facts once, run the mode,
print or write its result. ``governance.options`` holds their options; this module only wires them."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping
from datetime import date

import pandas as pd

from ..aws.session import Aws
from ..engines.base import Engine, ScanStats
from ..engines.queries import Filters
from ..errors import UsageError
from ..logs.period import Period, check_zone, readable, resolve_period, through_today
from ..logs.regions import requested_regions, resolve_regions
from ..output.command import EXIT_ENVIRONMENT, EXIT_OK
from ..output.progress import terminal_progress
from ..pricing import PriceFile
from ..qdev.analysis import Identities
from ..qdev.identity_center import IdentityCenter, check_store_option
from ..qdev.people import read_user_map
from ..qdev.sources import LocalStore, s3_store
from ..qdev.synthetic import ensure_demo_corpus
from ..report.tracker import BedrockAthenaTracker
from . import anomalies, budgets, callers, chargeback, coverage, reconcile
from . import render as gr
from .filters import run_filters
from .options import EXIT_ALERT, MONTH_MODES, wants_caller_bill

TrackerMaker = Callable[[argparse.Namespace, Engine, tuple[str, ...]], BedrockAthenaTracker]


def caller_bill_source(args: argparse.Namespace) -> callers.BillSource | None:
    """Where --reconcile reads the bill per caller (None: not asked for)."""
    if not wants_caller_bill(args):
        return None
    return callers.BillSource(cur_dir=args.cur_dir, cur_region=resolve_regions([args.cur_region])[0] if args.cur
                              else None, ce_tag=args.ce_principal_tag, ce_names=args.ce_principal_names,
                              workgroup=args.workgroup)


def scan_period(args: argparse.Namespace, mode: str) -> Period:
    """The days a governance mode reads: UTC days, a month through today (days to come have no logs; a month to come
    is refused), or history before the period."""
    period = readable(lambda: _governance_days(args, mode))
    return through_today(period)[0] if mode in MONTH_MODES else period


def _governance_days(args: argparse.Namespace, mode: str) -> Period:
    tz = check_zone(args.tz)
    if mode in MONTH_MODES:
        return chargeback.month_period(getattr(args, mode), tz)
    if mode == "reconcile":
        return resolve_period(days=args.days, start=args.start_date, end=args.end_date, tz="UTC")
    period = resolve_period(days=args.days, start=args.start_date, end=args.end_date, tz=tz)
    if mode == "check_budgets":
        return budgets.scan_period(period.end, tz, args.anomaly_window)
    return anomalies.scan_period(period, args.anomaly_window)


def _filtered(args: argparse.Namespace) -> bool:
    """Whether only some calls are read (models, caller ARNs, users): a month's figures are not the whole bill."""
    return bool(args.model or args.arn_pattern or args.user_pattern)


def developer_costs_output(args: argparse.Namespace, facts: pd.DataFrame, scan: Period, aws: Aws | None,
                           warnings: list[str], unread: Mapping[str, tuple[date, ...]] | None = None,
                           filters: dict[str, object] | None = None, price_file: PriceFile | None = None,
                           regions: tuple[str, ...] = ()) -> gr.Output:
    """--developer-costs for the month ``scan`` reads (through today at the latest): seats and Kiro tiers prorated
    over those days (never over days to come), and the days the Bedrock logs cover first among the warnings, then
    the Bedrock scan's, what the ``filters`` narrowed, then the Amazon Q / Kiro report's (what it skipped or could not
    price). ``--user-pattern`` narrows the developers of both sides; the other filters the Bedrock calls only.
    ``price_file``: the user's price file, when its rows priced some of the Bedrock calls; ``regions``: those read,
    whose days are counted apart too."""
    filters = filters or {}
    user_map = args.user_map
    if args.demo and not (args.qdev_logs_dir or args.qdev_bucket):
        demo = ensure_demo_corpus()  # the Amazon Q / Kiro demo beside the Bedrock demo, with its user map
        args.qdev_logs_dir, user_map = demo.path, user_map or demo.user_map
    if bool(args.qdev_logs_dir) == bool(args.qdev_bucket):
        raise UsageError("--developer-costs needs one of --qdev-logs-dir DIR or --qdev-bucket BUCKET")
    store = (s3_store(aws or Aws.connect(args.profile), args.qdev_bucket) if args.qdev_bucket
             else LocalStore(args.qdev_logs_dir))
    lookup = (IdentityCenter((aws or Aws.connect(args.profile)).client("identitystore"),
                             check_store_option(args.identity_store)) if args.identity_store else None)
    identities = Identities(read_user_map(user_map) if user_map else {}, lookup)
    whole = chargeback.month_period(args.developer_costs, scan.tz)
    days = coverage.log_coverage(facts, whole, filtered=_filtered(args), subject="the Bedrock cost", unread=unread,
                                 regions=regions)
    people, qdev_warnings, kiro = chargeback.qdev_subscribers(store, scan, identities, args.kiro_prices,
                                                              args.user_pattern)
    table = chargeback.developer_costs(facts, people, scan.start, scan.end)
    notes = [*days.warnings(), *warnings, *chargeback.filter_notes(filters), *chargeback.unpriced_developers(table),
             *qdev_warnings, *chargeback.developer_warnings(people)]
    return gr.developers_output(table, args.developer_costs, chargeback.seat_note(scan.start, scan.end), notes,
                                args.max_rows, scan, days.headline(), filters, price_file,
                                chargeback.split_unknown_calls(chargeback.sso_calls(facts)), kiro)


def _unread_days(stats: ScanStats) -> dict[str, tuple[date, ...]]:
    """The UTC day folders of the scan Athena did not read in each region (outside the logs table's projection)."""
    return {region: unread.days for region, unread in stats.days_not_projected.items()}


def _regions_read(regions: tuple[str, ...], stats: ScanStats) -> tuple[str, ...]:
    """The ``regions`` of a scan whose logs were read: not those that failed or have no logs (named in the scan's
    warnings)."""
    return tuple(r for r in regions if r not in stats.failed_regions and r not in stats.regions_without_logs)


def check_rule_options(args: argparse.Namespace) -> None:
    """Refuse a window, factor or threshold no rule can use, naming the option and its value."""
    if args.anomaly_window < 1:
        raise UsageError(f"--anomaly-window {args.anomaly_window} must be 1 day or more")
    if args.anomaly_factor <= 0:
        raise UsageError(f"--anomaly-factor {args.anomaly_factor:g} must be more than 0")
    if not 0 < args.coverage_threshold <= 100:
        raise UsageError(f"--coverage-threshold {args.coverage_threshold:g} must be more than 0 and at most 100")


def run_governance(
    args: argparse.Namespace, mode: str, engine: Engine, scan: Period, make_tracker: TrackerMaker,
    source_warnings: tuple[str, ...] = (),
) -> int:
    """Run the governance ``mode`` on ``scan``'s facts; print or write its result, with ``source_warnings`` (what
    copying the logs could not do) among its warnings; return the exit code."""
    check_rule_options(args)
    if args.demo and mode == "reconcile":
        raise UsageError("--reconcile compares your account's logs with its CloudWatch metrics and bill, which demo "
                         "data has not: leave out --demo (--cur-dir DIR with --engine local --logs-dir DIR reads only "
                         "local files)")
    if mode in ("check_budgets", "anomalies"):
        anomalies.day_in_progress(scan.end, scan.tz)  # a forecast as of a day to come is refused before reading
    budget_list = budgets.load_budgets(args.check_budgets) if mode == "check_budgets" else []
    tags = [*budgets.tag_keys(budget_list)]
    if mode == "chargeback":
        tags += [key for key in [chargeback.group_column(args.chargeback_by)[1]] if key]
    bill = caller_bill_source(args)
    needs_aws = mode == "reconcile" and (bill is None or bill.needs_aws)
    aws = Aws.connect(args.profile) if engine.name == "athena" or args.sync or needs_aws else None
    tracker = make_tracker(args, engine, tuple(dict.fromkeys(tags)))
    filters = Filters(arn_pattern=args.arn_pattern, models=tuple(args.model))
    with terminal_progress(args.quiet) as progress:
        asked = requested_regions(args.region)  # None: every region with logs ("all" or none named)
        scanned = tracker.analyze(scan, asked, filters, args.user_pattern, progress)
    regions = scanned.regions
    if args.demo:
        print("Demo mode: generated sample data, not your account's usage.", file=sys.stderr)
    if scanned.stats.failed_regions and len(scanned.stats.failed_regions) == len(regions):
        print("\n".join(f"error: {w}" for w in scanned.warnings), file=sys.stderr)
        return EXIT_ENVIRONMENT
    facts, warnings = scanned.facts, [*scanned.warnings, *source_warnings]
    narrowed = run_filters(scanned.filters, regions, bool(asked))

    if mode == "reconcile":
        if check_zone(args.tz) != "UTC":
            print(f"note: --reconcile compares UTC days (as CloudWatch and Cost Explorer do), not {args.tz} days",
                  file=sys.stderr)
        account = reconcile.logs_account(engine, aws, args.account)
        warnings = [*reconcile.account_scan_warnings(scanned, account), *source_warnings]
        result = None
        if bill is None or bill.needs_aws:
            result = reconcile.run_reconciliation(aws, facts, scan, regions, args.coverage_threshold / 100,
                                                  account=account)
            result.warnings[:0], result.price_file = warnings, scanned.price_file
        per_caller = None
        if bill is not None:
            known = None if result is None or result.billed_failure else set(result.billed_services)
            per_caller = callers.reconcile_callers(facts, callers.read_bill(bill, aws, scan, account, known), scan,
                                                   regions, args.role_suffix)
            per_caller.price_file = scanned.price_file
            if result is None:
                per_caller.warnings[:0] = warnings
        output = gr.reconciliation_output(result, args.max_rows, per_caller)
        alert = (result is not None and len(result.flagged) > 0) or (
            per_caller is not None and len(per_caller.billed_without_logs) > 0)
    elif mode == "check_budgets":
        check = budgets.check_budgets(facts, budget_list, scan.end, scan.tz, args.anomaly_window,
                                      filtered=_filtered(args))
        check.scan_warnings = budgets.scan_warnings(warnings, facts, budget_list)
        check.demo, check.filters, check.price_file = args.demo, narrowed, scanned.price_file
        output, alert = gr.budgets_output(check, facts, budget_list), bool(check.breached)
    elif mode == "anomalies":
        period = resolve_period(days=args.days, start=args.start_date, end=args.end_date, tz=scan.tz)
        report = anomalies.analyze_anomalies(facts, period, "application", args.anomaly_factor, args.anomaly_window,
                                             args.anomaly_min_cost, history_start=scan.start, filters=narrowed)
        report.scan_warnings, report.price_file = warnings, scanned.price_file
        output, alert = gr.anomalies_output(report, args.max_rows), len(report.anomalies) > 0
    elif mode == "chargeback":
        result = chargeback.build_chargeback(facts, args.chargeback, scan.tz, args.chargeback_by,
                                             filtered=_filtered(args), unread=_unread_days(scanned.stats),
                                             regions=_regions_read(regions, scanned.stats))
        result.filters, result.price_file = narrowed, scanned.price_file
        result.warnings[len(result.coverage.warnings()):0] = warnings  # the days covered stay first
        output, alert = gr.chargeback_output(result, args.max_rows), False
    else:
        output, alert = developer_costs_output(args, facts, scan, aws, warnings, _unread_days(scanned.stats),
                                               narrowed, scanned.price_file,
                                               _regions_read(regions, scanned.stats)), False

    gr.emit(gr.as_demo(output) if args.demo else output, args.format, args.output_dir, said=source_warnings)
    if mode == "check_budgets" and alert:
        sns_session = aws or Aws.connect(args.profile)
        for line in budgets.deliver_alert(check, args.notify_sns, args.notify_webhook,
                                          lambda region: sns_session.client("sns", region)):
            print(line, file=sys.stderr)
    return EXIT_ALERT if alert else EXIT_OK
