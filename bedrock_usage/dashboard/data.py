"""What the dashboard shows, loaded through the same tracker and analyzers as the CLIs, cached per request.

Every loader takes one frozen request (hashable, so Streamlit's caches key on it) and returns plain data:
reports, DataFrames and dataclasses, never an engine or a client. Nothing here lays out a page.

The Bedrock scan, its views and the Amazon Q / Kiro report are kept as shared objects (``st.cache_resource``),
not pickled copies (``st.cache_data``): a rerun for a control change then costs no unpickling of a record-sized
fact table. They are read-only: the tabs derive new frames from them and never change them.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import NamedTuple
from zoneinfo import ZoneInfo

import botocore.credentials
import botocore.session
import pandas as pd
import streamlit as st
from botocore.exceptions import BotoCoreError

from ..aws.logging_repair import region_command
from ..aws.logging_status import RegionLoggingStatus, check_regions
from ..aws.session import Aws
from ..cache import cache_dir
from ..demo.profiles import DEMO_INFERENCE_PROFILES
from ..engines.choice import SourceChoice, build_engine
from ..engines.queries import Filters
from ..errors import UsageError
from ..governance import anomalies, budgets, callers, reconcile
from ..governance.anomalies import AnomalyReport
from ..governance.budgets import BudgetCheck
from ..governance.callers import CallerReconciliation
from ..governance.coverage import log_coverage
from ..governance.filters import run_filters
from ..governance.profiles import profile_resolver
from ..governance.reconcile import Reconciliation
from ..governance.render import budget_rows
from ..logs.period import Period, check_zone, resolve_period, through_today, today_in
from ..logs.regions import requested_regions
from ..output.progress import Reporter, labelled, silent
from ..pricing import PriceBook, price_file_stamp
from ..qdev.analysis import Filters as QFilters
from ..qdev.analysis import Identities, QDevReport
from ..qdev.analysis import Source as QSource
from ..qdev.analysis import analyze as analyze_qdev
from ..qdev.analysis import none_readable as qdev_none_readable
from ..qdev.people import read_user_map
from ..qdev.sources import LocalStore, s3_store
from ..qdev.synthetic import ensure_demo_corpus
from ..report.priced_facts import TOKEN_COLUMNS, TOTAL_COST, PricedRows
from ..report.tracker import BedrockAthenaTracker, UsageReport, narrowed, refigured
from ..report.user_names import is_application, is_user, named_applications, named_users, shared_names

CACHE_SECONDS = 600
GROUP_BY = ("user", "application", "tag")
STACK_BY = ("model", "application")
FOCUS_BY = ("user", "application", "model")
LINES_BY = ("user", "application")
TOP_N_DEFAULT = 5
DAILY_BY = ("model", "application", "user")
DETAIL_KEYS = ["application", "model", "source_region"]
BUDGETS_ENV = "BEDROCK_USAGE_BUDGETS"
EXAMPLE_BUDGETS = Path(__file__).resolve().parents[2] / "examples" / "budgets.toml"
# Credential providers that would call the network (instance metadata, container endpoint) to find out.
_NETWORK_PROVIDERS = ("iam-role", "container-role")
_CONTAINER_CREDENTIAL_ENV = ("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI")


def aws_credentials_available(profile: str | None = None) -> bool:
    """True when boto3's credential chain finds credentials without any network call.

    Instance-metadata roles (EC2) cannot be seen without calling the metadata service, so they count as absent;
    a container role counts as present when its endpoint variable is set.
    """
    if any(os.environ.get(name) for name in _CONTAINER_CREDENTIAL_ENV):
        return True
    try:
        resolver = botocore.credentials.create_credential_resolver(botocore.session.Session(profile=profile))
        for name in _NETWORK_PROVIDERS:
            resolver.remove(name)
        return resolver.load_credentials() is not None
    except (BotoCoreError, OSError, ValueError):
        return False


def starts_after_today(start: date, tz: str, now: datetime | None = None) -> bool:
    """Whether a picked start is after today in ``tz``, which the dashboard refuses (a shared link would show other
    days each day); the pickers' today, a UTC day (tomorrow west of UTC for hours), is not: it starts today."""
    return start > max(today_in(tz, now), today_in("UTC", now))


def dashboard_period(start: date, end: date, tz: str, now: datetime | None = None) -> Period:
    """The checked period of the date pickers, cut at today in ``tz`` as the CLIs cut theirs (``through_today``):
    later days have no logs yet. A start after today (``starts_after_today``) is a UsageError."""
    chosen = resolve_period(start=start, end=end, tz=tz)  # order, length and zone checked as chosen
    if not starts_after_today(chosen.start, chosen.tz, now):
        chosen = Period(min(chosen.start, today_in(chosen.tz, now)), chosen.end, chosen.tz)
    return through_today(chosen, now)[0]


@dataclass(frozen=True)
class BedrockRequest:
    """One Bedrock view: where to read, what period and scope, how to filter and group.

    ``models`` (display names, as the Models table shows them) narrow the figures after the scan, so choosing
    them reads no logs again.
    """

    source: str
    regions: tuple[str, ...]
    start: date
    end: date
    tz: str = "UTC"
    arn_pattern: str = ""
    user_pattern: str = ""
    group_by: str = "user"
    tag_key: str = ""
    logs_dir: str = ""
    profile: str = ""
    workgroup: str = ""
    models: tuple[str, ...] = ()
    prices: str = ""  # the user's price file as read now (``price_file_stamp``): an edited file is priced anew

    def period(self) -> Period:
        """The analysed period (checked: order, length, time zone), ending today at the latest."""
        return dashboard_period(self.start, self.end, self.tz)

    def filters(self) -> Filters:
        """The engine-side filters."""
        return Filters(arn_pattern=self.arn_pattern or None)

    @property
    def filtered(self) -> bool:
        """Whether only some calls are counted (models, caller ARNs, users), as the CLI's governance modes ask
        (``filtered``): a day without any is then no proof the logs stopped."""
        return bool(self.models or self.arn_pattern or self.user_pattern)

    def source_choice(self) -> SourceChoice:
        """The engine choice for ``build_engine``."""
        return SourceChoice(
            self.source,
            Path(self.logs_dir).expanduser() if self.source == "local" and self.logs_dir else None,
            self.profile or None,
            self.workgroup or None,
        )

    @property
    def group_column(self) -> str:
        """The fact column the group-by table is keyed on."""
        return f"tag:{self.tag_key}" if self.group_by == "tag" else self.group_by

    def scan(self) -> BedrockRequest:
        """What decides which logs are read: no model choice, and users and applications grouped alike."""
        return replace(self, models=(), group_by="tag" if self.group_by == "tag" else "user")


def pinned(request: BedrockRequest) -> BedrockRequest:
    """The request with a demo source tied to the current cache folder, so cached views never mix corpora, and with
    the price file's current state, so kept figures never mix prices."""
    request = replace(request, prices=price_file_stamp())
    return replace(request, logs_dir=str(cache_dir())) if request.source == "demo" else request


@dataclass(frozen=True)
class Focus:
    """A drill-down: one user, application or model whose calls alone every chart and table shows."""

    by: str  # one of FOCUS_BY
    value: str


# The figures of the Bedrock tab's cards, each with its change against the previous period: (label key, summary key).
CARDS = (("metric_cost", TOTAL_COST), ("metric_calls", "calls"), ("metric_input", "input_tokens"),
         ("metric_output", "output_tokens"), ("metric_cache_read", "cache_read_tokens"),
         ("metric_cache_write", "cache_write_tokens"))


@dataclass
class BedrockScan:
    """One read of the logs: the period's report and the previous period's, unfiltered by model."""

    report: UsageReport
    previous: UsageReport
    query_cost_usd: float
    load_seconds: float = 0.0  # how long reading and pricing both periods took
    loaded_at: datetime | None = None


@dataclass
class BedrockView:
    """A request's report (narrowed to its models and drill-down), the previous period's totals under the same
    narrowing, the extra roll-ups the charts need, and the choices the sidebar and drill-down offer."""

    report: UsageReport
    previous_period: Period
    previous: dict[str, float | int]
    previous_through: str | None  # the time of day the previous period's last day is read to (HH:MM), or None
    previous_first_call: date | None  # the previous period's first day with a call (any model; no caller filter)
    group: pd.DataFrame
    top: pd.DataFrame  # the top chart's rows: one per user (named apart across accounts), application or tag value
    detail: pd.DataFrame
    daily_by: dict[str, pd.DataFrame]  # roll-ups per day and key, with all four token counts summed as ``tokens``
    cost_per_1k: pd.DataFrame
    models: pd.DataFrame
    query_cost_usd: float
    focus_choices: dict[str, list[str]]
    partial_days: dict[str, str]
    scope_cost_usd: float


def _tracker(request: BedrockRequest, tags: tuple[str, ...] = ()) -> BedrockAthenaTracker:
    """The tracker of a request; application inference profiles are resolved as in every report
    (``$BEDROCK_USAGE_INFERENCE_PROFILES`` and, with Athena, the Bedrock API; the demo's from its examples file)."""
    engine = build_engine(request.source_choice())
    resolver = profile_resolver(engine.name, request.profile or None,
                                DEMO_INFERENCE_PROFILES if request.source == "demo" else None)
    return BedrockAthenaTracker(engine, PriceBook.load(), extra_tags=tags, rewriter=resolver)


def _analyze(tracker: BedrockAthenaTracker, request: BedrockRequest, period: Period,
             progress: Reporter = silent, comparison: bool = False) -> UsageReport:
    """One period's report (with its user-filtered facts); the ``comparison`` period's objects may all be
    unreadable without stopping the page, which reports the request's own period."""
    return tracker.analyze(period, request.regions, request.filters(), request.user_pattern or None,
                           labelled(progress, period.label()), unreadable_ok=comparison)


@st.cache_resource(show_spinner=False, ttl=CACHE_SECONDS, max_entries=16)
def load_scan(request: BedrockRequest, _progress: Reporter = silent) -> BedrockScan:
    """The request's period and the previous one of equal length, analysed concurrently (models not applied), IAM
    and root users found in several accounts of either named with their account once for every view of the scan;
    ``_progress`` (not part of the cache key) hears the steps of both."""
    started = time.perf_counter()
    request = request.scan()
    period = request.period()
    tracker = _tracker(request, (request.tag_key,) if request.group_by == "tag" else ())
    with ThreadPoolExecutor(max_workers=2) as pool:
        current = pool.submit(_analyze, tracker, request, period, _progress)
        previous = pool.submit(_analyze, tracker, request, period.previous(), _progress, True)
        report, previous_report = current.result(), previous.result()
    shared = shared_names(report.facts, previous_report.facts)
    tags = tracker.application_tags
    report, previous_report = _users_named(report, shared, tags), _users_named(previous_report, shared, tags)
    return BedrockScan(report, previous_report, report.stats.cost_usd + previous_report.stats.cost_usd,
                       time.perf_counter() - started, datetime.now(UTC))


def only_models(report: UsageReport, models: tuple[str, ...]) -> UsageReport:
    """The report narrowed to the calls of ``models`` (display names); the whole report without any."""
    if not models:
        return report
    return narrowed(report, report.facts["model"].isin(models), model_names=list(models))


def _users_named(report: UsageReport, shared: set[str], application_tags: tuple[str, ...]) -> UsageReport:
    """The report with IAM and root users whose names are in ``shared`` (found in several accounts) named with
    their account in its facts, and the applications named like them (but not by ``application_tags``): the charts,
    lines, tables and drill-down keep them apart, in both periods alike. The figures are computed again only when
    an application's name changed (its name is found in several accounts of the other period alone)."""
    if not shared:
        return report
    facts = report.facts
    applications = named_applications(facts, shared, application_tags)
    named = facts.assign(user=named_users(facts, shared), application=applications)
    if applications.equals(facts["application"].astype("object")):
        return replace(report, facts=named)
    return refigured(report, named)


def _focused(report: UsageReport, focus: Focus | None) -> UsageReport:
    if focus is None:
        return report
    return narrowed(report, focus_rows(report.facts, focus), focus={focus.by: focus.value})


def focus_rows(facts: pd.DataFrame, focus: Focus) -> pd.Series:
    """The fact rows of a drill-down: those holding its value, so it shows what that value's bar shows; a user or
    application no row holds as it is (a link from another period) is found as a budget finds it (``is_user``:
    ``alice`` covers every account's alice, named apart or not)."""
    rows = facts[focus.by].astype("object") == focus.value
    if rows.any() or focus.by not in ("user", "application"):
        return rows
    return is_user(facts, focus.value) if focus.by == "user" else is_application(facts, focus.value)


def ranked(facts: pd.DataFrame, columns: Iterable[str]) -> dict[str, list[str]]:
    """The values of each of ``columns`` by estimated cost, then calls, largest first (unpriced ones last), from
    one aggregation."""
    columns = list(columns)
    if facts.empty:
        return {column: [] for column in columns}
    tables = PricedRows.of_frame(facts).rollups({column: [column] for column in columns})
    return {column: [str(value) for value in table[column] if pd.notna(value)] for column, table in tables.items()}


def partial_days(period: Period, days_with_data: Iterable[str], now: datetime | None = None) -> dict[str, str]:
    """Days of the period whose figures are not complete, as ISO day -> ``today`` (not over yet in the period's
    time zone) or ``no_logs`` (after the last day with data, when the period reaches today: the logs have not
    arrived yet, or the mirror was synced before); nothing for a period that ended before today."""
    today = today_in(period.tz, now)
    if period.end < today:
        return {}
    last = max((str(day) for day in days_with_data), default=None)
    marks = {}
    for day in period.all_days():
        text = day.isoformat()
        if day == today:
            marks[text] = "today"
        elif day > today or last is None or text > last:
            marks[text] = "no_logs"
    return marks


def report_partial_days(period: Period, reported_through: date, days_with_data: Iterable[str] = (),
                        now: datetime | None = None) -> dict[str, str]:
    """``partial_days`` of figures from daily reports: a day up to ``reported_through`` (the last whose report is
    due) is complete, with or without use, and so is a later day whose report came early (``days_with_data``)."""
    due = [day.isoformat() for day in period.all_days() if day <= reported_through]
    return partial_days(period, [*due, *days_with_data], now)


def _hour_starts(day: date, hour: int, zone: ZoneInfo) -> datetime:
    """The first instant (in UTC) of the clock's hour ``hour`` of ``day`` in ``zone``; 24 is the next midnight. An
    hour the clocks skip starts, and ends, when they skip it; an hour they repeat starts at its first pass."""
    day += timedelta(days=hour // 24)
    return datetime(day.year, day.month, day.day, hour % 24, tzinfo=zone).astimezone(UTC)


def same_time_of_day(previous: UsageReport, period: Period, read_at: datetime
                     ) -> tuple[dict[str, float | int], str | None]:
    """The previous period's totals, and the time (HH:MM) its last day is read to, when ``period`` ends on the day
    of ``read_at`` (when the logs were read) in its zone: that last day then counts only its calls of as much time
    after its midnight as ``read_at`` is after today's (the hour in progress by its share of the hour, facts being
    hourly), so today so far is compared with as much of a day, not a whole one (a steady spend read at 09:00 fell
    13% against a week of whole days). Around a clock change that is not the clock's time of day: 09:00 after a
    23-hour day reads it to 10:00. A period that ended before that day is compared whole (None)."""
    zone = period.zone
    today = read_at.astimezone(zone).date()
    if period.end != today:
        return previous.summary, None
    previous_end = previous.period.end
    cut = _hour_starts(previous_end, 0, zone) + (read_at - _hour_starts(today, 0, zone))
    there = cut.astimezone(zone)
    if there.date() != previous_end:  # today has run longer than that whole day (the clocks went back today)
        return previous.summary, "24:00"
    start, end = _hour_starts(previous_end, there.hour, zone), _hour_starts(previous_end, there.hour + 1, zone)
    facts = previous.facts
    last_day = (facts["day"].astype("object") == previous_end.isoformat()).to_numpy()
    hours = facts["hour"].to_numpy()
    before = PricedRows.of_frame(facts.loc[~last_day | (hours < there.hour)]).summary()
    in_hour = PricedRows.of_frame(facts.loc[last_day & (hours == there.hour)]).summary()
    share = (cut - start) / (end - start)
    prorated = [name for _, name in CARDS] + ["unpriced_calls"]  # an unpriced call there withholds the cost change
    return {**before, **{name: before[name] + share * in_hour[name] for name in prorated}}, there.strftime("%H:%M")


@st.cache_resource(show_spinner=False, ttl=CACHE_SECONDS, max_entries=32)
def load_bedrock(request: BedrockRequest, focus: Focus | None = None) -> BedrockView:
    """The request's figures (models and drill-down applied to both periods), with the roll-ups the tab draws."""
    scan = load_scan(request.scan())
    report, previous = only_models(scan.report, request.models), only_models(scan.previous, request.models)
    choices = ranked(report.facts, FOCUS_BY)
    scope_cost = report.summary[TOTAL_COST]
    report, previous = _focused(report, focus), _focused(previous, focus)
    previous_totals, through = same_time_of_day(previous, report.period, scan.loaded_at or datetime.now(UTC))
    rows = PricedRows.of_frame(report.facts)
    tables = rows.rollups({"detail": DETAIL_KEYS, "models": ["model"], "users": ["user"],
                           **{key: ["day", key] for key in DAILY_BY}})
    group = _group_table(report, rows, request)
    return BedrockView(
        report=report,
        previous_period=previous.period,
        previous=previous_totals,
        previous_through=through,
        # with a caller filter a late first call is someone starting, not logging
        previous_first_call=None if request.arn_pattern or request.user_pattern
        else log_coverage(scan.previous.facts, scan.previous.period).first_day,
        group=group,
        top=tables["users"] if request.group_by == "user" else group,
        detail=tables["detail"],
        daily_by={key: _with_tokens(tables[key]) for key in DAILY_BY},
        cost_per_1k=cost_per_1k_calls(report.tables["model"]),
        models=tables["models"],
        query_cost_usd=scan.query_cost_usd,
        focus_choices=choices,
        partial_days=partial_days(report.period, scan.report.facts["day"], scan.loaded_at),
        scope_cost_usd=scope_cost,
    )


@st.cache_data(show_spinner=False, ttl=CACHE_SECONDS, max_entries=16)
def model_choices(request: BedrockRequest) -> list[str]:
    """The models the request's scan holds (display names), costliest first: what the model filter offers."""
    return ranked(load_scan(request.scan()).report.facts, ["model"])["model"]


def _group_table(report: UsageReport, rows: PricedRows, request: BedrockRequest) -> pd.DataFrame:
    """The table of the group-by dimension: the report's user or application table, or a tag roll-up."""
    if request.group_by == "tag":
        return rows.rollup([request.group_column])
    return report.tables[request.group_by]


def all_unpriced(summary: dict[str, float | int]) -> bool:
    """Whether a summary has calls and none of them has a price: its cost is unknown, not $0."""
    return bool(summary["calls"]) and summary["unpriced_calls"] == summary["calls"]


def share_of_scope(summary: dict[str, float | int], scope_cost: float) -> float | None:
    """A drill-down's share of the scope's priced cost; None when it has no priced call or the scope no cost."""
    if all_unpriced(summary) or not scope_cost:
        return None
    return summary[TOTAL_COST] / scope_cost


def unit_figures(summary: dict[str, float | int]) -> dict[str, float | None]:
    """Per-call figures of a summary: error rate, cost per call and per 1,000 calls (over the priced calls),
    tokens per call (input, output and cache); None without calls."""
    calls = summary["calls"]
    priced = calls - summary["unpriced_calls"]
    tokens = sum(summary[name] for name in ("input_tokens", "output_tokens", "cache_read_tokens",
                                            "cache_write_tokens"))
    cost = summary[TOTAL_COST]
    return {
        "error_rate": summary["errors"] / calls if calls else None,
        "cost_per_call": cost / priced if priced else None,
        "cost_per_1k_calls": 1000 * cost / priced if priced else None,
        "tokens_per_call": tokens / calls if calls else None,
    }


def _with_tokens(table: pd.DataFrame) -> pd.DataFrame:
    return table.assign(tokens=table[list(TOKEN_COLUMNS)].sum(axis=1))


def cost_per_1k_calls(models: pd.DataFrame) -> pd.DataFrame:
    """Estimated cost per 1,000 priced calls of each model (its endpoints together), costliest per call first."""
    priced = models.assign(priced_calls=models["calls"] - models["unpriced_calls"])
    table = priced.groupby("model", sort=False)[["calls", "priced_calls", TOTAL_COST]].sum(min_count=1)
    table = table.loc[table["priced_calls"] > 0].reset_index()
    table["cost_per_1k_calls_usd"] = 1000 * table[TOTAL_COST] / table["priced_calls"]
    return table.sort_values("cost_per_1k_calls_usd", ascending=False, kind="stable").reset_index(drop=True)


@dataclass(frozen=True)
class QDevRequest:
    """One Amazon Q / Kiro view: where the prompt logs and reports are, the period, and an optional user map."""

    source: str  # "demo", "local" (a folder laid out like the bucket) or "s3"
    start: date
    end: date
    tz: str = "UTC"
    user_pattern: str = ""
    logs_dir: str = ""
    bucket: str = ""
    prefix: str = ""
    profile: str = ""
    user_map: str = ""


@st.cache_resource(show_spinner=False, ttl=CACHE_SECONDS, max_entries=16)
def load_qdev(request: QDevRequest, _progress: Reporter = silent) -> QDevReport:
    """The Amazon Q / Kiro report of the request's period (counts, tokens and costs only), people by e-mail where
    a Kiro report or the user map (the demo's own for the demo) knows it; ``_progress`` (not part of the cache
    key) hears how far the reading got."""
    period = dashboard_period(request.start, request.end, request.tz)
    prefixes = (request.prefix,) if request.prefix else ()
    user_map = request.user_map
    if request.source == "demo":
        demo = ensure_demo_corpus()
        source, user_map = QSource(LocalStore(demo.path)), str(demo.user_map)
    elif request.source == "local":
        source = QSource(LocalStore(request.logs_dir), prefixes)
    else:
        source = _s3_source(request, prefixes)
    identities = Identities(read_user_map(user_map) if user_map else {})
    report = analyze_qdev(source, period, QFilters(user_pattern=request.user_pattern or None),
                          identities=identities, progress=_progress)
    refusal = qdev_none_readable(report)
    if refusal:  # as qcli_s3_analyzer.py refuses it: its $0 would read as no use and no spend
        raise UsageError(refusal)
    report.demo = request.source == "demo"
    return report


def _s3_source(request: QDevRequest, prefixes: tuple[str, ...]) -> QSource:
    """The bucket of the request, or the default report bucket of the caller's account."""
    return QSource(s3_store(Aws.connect(request.profile or None), request.bucket or None), prefixes)


class RegionCheck(NamedTuple):
    """One region's logging status, the setup command that makes it deliver, and the account it was checked in."""

    status: RegionLoggingStatus
    command: str
    account: str


@st.cache_data(show_spinner=False, ttl=CACHE_SECONDS, max_entries=8)
def load_logging_status(regions: tuple[str, ...] | None, profile: str = "") -> list[RegionCheck]:
    """Model Invocation Logging as configured and observed in each region, or (``None``) in every region whose
    logging delivers to S3, each with the setup command that makes it deliver, and the days a lifecycle rule of its
    bucket may have deleted or archived (AWS calls; Athena source only)."""
    aws = Aws.connect(profile or None)
    account = aws.account_id()
    return [RegionCheck(status, region_command(status, account, profile or None), account)
            for status in check_regions(aws, regions, archive=True)]


# Governance views (docs/governance.md): the same module functions as bedrock_tracker_cli.py's governance modes,
# each on the days that mode reads, with the scope and filters of the analysed Bedrock request.

def default_budgets_path() -> str:
    """The budgets file named by ``$BEDROCK_USAGE_BUDGETS``, or nothing."""
    return os.environ.get(BUDGETS_ENV, "").strip()


def governance_scope(request: BedrockRequest) -> BedrockRequest:
    """The request without its grouping, which the governance views do not use (so regrouping reads nothing)."""
    return replace(request, group_by="user", tag_key="")


def governance_filters(report: UsageReport, request: BedrockRequest) -> dict[str, object]:
    """What narrowed a governance view's calls, as the CLI's governance modes name it (``run_filters``): the ARN and
    user patterns, the models chosen (``model_names``: the page chooses models by name) and the regions when some
    were named rather than every region with logs."""
    return run_filters(report.filters, report.regions, requested_regions(list(request.regions)) is not None)


def _scan(request: BedrockRequest, period: Period, tags: tuple[str, ...] = ()) -> UsageReport:
    """The request's report over another period (a budget month, an anomaly history), narrowed to its models."""
    return only_models(_analyze(_tracker(request, tags), request, period), request.models)


@dataclass(frozen=True)
class BudgetsRequest:
    """Budgets checked as of the last day of a Bedrock request; ``stamp`` (the file's mtime) renews the cache."""

    bedrock: BedrockRequest
    path: str
    stamp: int = 0


def budgets_request(bedrock: BedrockRequest, path: str) -> BudgetsRequest:
    """The request for a budgets file, stamped with its modification time so an edited file is read again."""
    file = Path(path).expanduser()
    try:
        stamp = file.stat().st_mtime_ns
    except OSError:
        stamp = 0  # load_budgets names the problem
    return BudgetsRequest(bedrock, str(file), stamp)


@dataclass
class BudgetsView:
    """Every budget's status (the CLI's status rows) and its burn-down over the month of the as-of day."""

    check: BudgetCheck
    statuses: pd.DataFrame
    burndown: pd.DataFrame


@st.cache_data(show_spinner=False, ttl=CACHE_SECONDS, max_entries=16)
def load_budgets_view(request: BudgetsRequest) -> BudgetsView:
    """``--check-budgets``: month-to-date spend, breaches and forecast as of the request's last day."""
    budget_list = budgets.load_budgets(request.path)
    as_of, tz = request.bedrock.period().end, check_zone(request.bedrock.tz)
    report = _scan(request.bedrock, budgets.scan_period(as_of, tz), budgets.tag_keys(budget_list))
    check = budgets.check_budgets(report.facts, budget_list, as_of, tz, filtered=request.bedrock.filtered)
    check.scan_warnings = budgets.scan_warnings(report.warnings, report.facts, budget_list)
    check.price_file, check.filters = report.price_file, governance_filters(report, request.bedrock)
    burn = budgets.burndown(report.facts, budget_list, as_of, tz, check.window, check.in_progress)
    return BudgetsView(check, budget_rows(check), burn)


@dataclass(frozen=True)
class AnomalyRequest:
    """Anomalies per application in a Bedrock request's period, by the rule's factor, window and minimum."""

    bedrock: BedrockRequest
    factor: float = anomalies.DEFAULT_FACTOR
    window: int = anomalies.DEFAULT_WINDOW
    min_cost: float = anomalies.DEFAULT_MIN_COST


@dataclass
class AnomalyView:
    """The anomalies of a request's period and its days whose figures are not complete (see ``partial_days``)."""

    report: AnomalyReport
    partial_days: dict[str, str]


@st.cache_data(show_spinner=False, ttl=CACHE_SECONDS, max_entries=16)
def load_anomalies(request: AnomalyRequest) -> AnomalyView:
    """``--anomalies``: anomalous days per application and the month-end forecast."""
    period = request.bedrock.period()
    scan = anomalies.scan_period(period, request.window)
    read = _analyze(_tracker(request.bedrock), request.bedrock, scan)
    report = only_models(read, request.bedrock.models)
    result = anomalies.analyze_anomalies(report.facts, period, "application", request.factor, request.window,
                                         request.min_cost, history_start=scan.start,
                                         filters=governance_filters(report, request.bedrock))
    result.scan_warnings, result.price_file = report.warnings, report.price_file
    return AnomalyView(result, partial_days(period, read.facts["day"]))


@dataclass(frozen=True)
class ReconcileRequest:
    """Reconciliation of a Bedrock request's dates as UTC days, flagging coverage below ``threshold``."""

    bedrock: BedrockRequest
    threshold: float = reconcile.DEFAULT_THRESHOLD

    def period(self) -> Period:
        """The request's dates as UTC days, the days CloudWatch and Cost Explorer count."""
        return dashboard_period(self.bedrock.start, self.bedrock.end, "UTC")


@st.cache_data(show_spinner=False, ttl=CACHE_SECONDS, max_entries=8)
def load_reconciliation(request: ReconcileRequest) -> Reconciliation:
    """``--reconcile``: logged against CloudWatch-metered usage and estimated against billed cost (AWS calls)."""
    period = request.period()
    report = _scan(request.bedrock, period)
    aws = Aws.connect(request.bedrock.profile or None)
    result = reconcile.run_reconciliation(aws, report.facts, period, report.regions, request.threshold)
    result.warnings[:0] = reconcile.account_scan_warnings(report, result.account)
    result.price_file = report.price_file
    return result


@dataclass(frozen=True)
class CallerRequest:
    """Billed against estimated cost per caller over a Bedrock request's dates (UTC days), from one bill source."""

    bedrock: BedrockRequest
    cur_dir: str = ""
    cur_region: str = ""
    ce_tag: str = ""
    ce_names: str = "user"
    account: str = ""

    def period(self) -> Period:
        """The request's dates as UTC days, the days the bill counts."""
        return dashboard_period(self.bedrock.start, self.bedrock.end, "UTC")

    def bill_source(self) -> callers.BillSource:
        """Where the bill is read (UsageError when none or several are given)."""
        return callers.BillSource(cur_dir=Path(self.cur_dir).expanduser() if self.cur_dir else None,
                                  cur_region=self.cur_region or None, ce_tag=self.ce_tag or None,
                                  ce_names=self.ce_names, workgroup=self.bedrock.workgroup or None)


@st.cache_data(show_spinner=False, ttl=CACHE_SECONDS, max_entries=8)
def load_callers(request: CallerRequest) -> CallerReconciliation:
    """``--reconcile --cur-dir / --cur / --ce-principal-tag``: the bill per caller beside the logs' estimate."""
    period = request.period()
    source = request.bill_source()
    report = _scan(request.bedrock, period)
    aws = Aws.connect(request.bedrock.profile or None) if source.needs_aws or request.bedrock.source == "athena" \
        else None
    account = reconcile.logs_account(build_engine(request.bedrock.source_choice()), aws, request.account or None)
    result = callers.reconcile_callers(report.facts, callers.read_bill(source, aws, period, account), period,
                                       report.regions)
    result.warnings[:0], result.price_file = reconcile.account_scan_warnings(report, account), report.price_file
    return result
