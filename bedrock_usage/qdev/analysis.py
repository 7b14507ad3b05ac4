"""Analyse Amazon Q Developer / Kiro prompt logs, activity reports and Kiro user reports: ``analyze()`` -> QDevReport.

Every prompt-log file in range is read (a sample only when asked for), concurrently; workers parse and count
tokens, and only counts leave them, so no prompt or response text reaches the report. The ids of every source
are then joined into people (``people``), named by e-mail where a source knows it, and every table is per person.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple, Protocol

import pandas as pd

from ..errors import SetupRequired, UsageError
from ..logs.layout import days_between
from ..logs.period import Period
from ..output.notices import Notice, clause
from ..output.progress import DAY_FOLDERS, FILES, Reporter, Words, labelled, silent, step_update
from ..output.wording import counted
from ..pricing import PriceBook
from . import activity as act
from . import credits as kc
from . import kiro_report as kr
from .cost import DEFAULT_MODEL, TOOL_RESULT, VirtualCost, model_price, price_requests, priced_sum, virtual_cost
from .identity_center import IdentityCenter
from .kiro_prices import KiroPriceTable
from .layout import ACTIVITY_TYPE, AWSLOGS, PRODUCTS, REQUEST_TYPES, USER_REPORT_TYPE, QDevKey, parse_key
from .limits import limit_warnings
from .people import REPORT_EMAIL, Directory, Identity
from .prompt_logs import UNKNOWN_USER, BadLogFile, parse_log_file
from .sources import DOCS, LocalStore, Location, LogStore, StoredObject, UnreadableObject, discover_locations
from .tokens import count_tokens, load_encoding

DEFAULT_CONTEXT_WINDOW = 200_000
REQUEST_TYPE_ORDER = ("chat", "inline", "dev")
KIRO_FOLDER = "KiroLogs"
# Activity-report count behind each prompt-log request type, and how many report units make one request:
# Chat_MessagesSent counts messages to and from Amazon Q (AWS "User activity report metrics"), two per prompt.
REPORT_COUNTS = {
    "chat": ("Chat_MessagesSent", 2),
    "inline": ("Inline_SuggestionsCount", 1),
    "dev": ("Dev_GenerationEventCount", 1),
}
ESTIMATE_LABEL = (
    "estimate: requests counted in the activity reports x average tokens per request measured in the prompt logs; "
    "chat requests are Chat_MessagesSent / 2, rounded up, as it counts messages to and from Amazon Q"
)

LISTING, READING = Words("listing_qdev"), Words("reading_qdev")
# What the warnings say was skipped (in the singular; a page words them in its language), and a Kiro row's tier
# when it names none.
UNREADABLE_PROMPT_LOG = "unreadable prompt-log file"
UNUSABLE_RECORD = "unusable record"
UNREADABLE_ACTIVITY_REPORT = "unreadable activity report"
UNUSABLE_ACTIVITY_ROW = "unusable activity-report row"
UNREADABLE_USER_REPORT = "unreadable Kiro user report"
UNUSABLE_USER_REPORT_ROW = "unusable Kiro user-report row"
NO_KIRO_TIER = "no tier"
# The kinds of file a report reads (``files_by_kind``), which its refusals name (in the singular).
PROMPT_LOG_FILE, ACTIVITY_REPORT, KIRO_USER_REPORT = "prompt-log file", "activity report", "Kiro user report"


class ActivityReader(Protocol):
    """Reads the activity reports some other way than file by file from the store (e.g. through Athena)."""

    def describe(self) -> str:
        """Where the reports are read, for reports."""
        ...

    def read(self, regions: tuple[str, ...], first_day: date, last_day: date,
             progress: Reporter = silent) -> tuple[pd.DataFrame, act.ActivityStats]:
        """The usable rows of the regions' reports for the period ``first_day``..``last_day`` (``read_window``
        of it, every user), as ``read_activity_csv`` gives them plus ``product`` and ``region``, and counts;
        ``progress`` hears how far the reading got."""
        ...


class UserReportReader(Protocol):
    """Reads the Kiro user reports some other way than file by file from the store (e.g. through Athena)."""

    def describe(self) -> str:
        """Where the reports are read, for reports."""
        ...

    def read(self, regions: tuple[str, ...], first_day: date, last_day: date,
             progress: Reporter = silent) -> kr.UserReportRows:
        """The rows of the regions' reports dated in ``credits.read_window`` of the period, as ``combine_files``
        gives them, and counts; ``progress`` hears how far the reading got."""
        ...


@dataclass(frozen=True)
class Source:
    """A store and the key prefixes to search in it (none: the root and each top-level folder).

    With ``activity`` (``user_reports``) the activity reports (Kiro user reports) are read by it, for the regions
    whose report folders the store holds; the store then only supplies the rest.
    """

    store: LogStore
    prefixes: tuple[str, ...] = ()
    activity: ActivityReader | None = None
    user_reports: UserReportReader | None = None

    def describe(self) -> str:
        """``s3://bucket/`` or a folder, with the prefixes when given, and the report readers if any."""
        where = self.store.describe()
        where = f"{where} (prefixes: {', '.join(self.prefixes)})" if self.prefixes else where
        if self.activity:
            where += f"; activity reports: {self.activity.describe()}"
        if self.user_reports:
            where += f"; Kiro user reports: {self.user_reports.describe()}"
        return where


@dataclass(frozen=True)
class Filters:
    """Which people count: those ``user_pattern`` matches (any id form, e-mail or name; literal, case-insensitive),
    and which regions' folders are read."""

    user_pattern: str | None = None
    regions: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Identities:
    """Where people's e-mails and names come from besides the Kiro reports: a user map, IAM Identity Center."""

    user_map: dict[str, Identity] = field(default_factory=dict)
    lookup: IdentityCenter | None = None


@dataclass(frozen=True)
class Options:
    """How to analyse: context window, price model, optional sample size, worker threads, Kiro price file and
    Bedrock price file (``None``: ``$BEDROCK_USAGE_PRICES`` or the built-in book alone)."""

    context_window: int = DEFAULT_CONTEXT_WINDOW
    model: str = DEFAULT_MODEL
    sample: int | None = None
    workers: int = 8
    kiro_prices: str | None = None
    prices: str | None = None


@dataclass
class FileStats:
    """What was listed and read, and what had to be left out (by reason)."""

    folders: int = 0
    listed: int = 0
    selected: int = 0
    read: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    other_objects: int = 0
    records: int = 0
    skipped_records: Counter[str] = field(default_factory=Counter)
    outside_period: int = 0
    duplicate_records: int = 0  # records of the period read before in another file of their account and region
    filtered_out: int = 0

    @property
    def sampled(self) -> bool:
        """True when only a sample of the files in range was read."""
        return self.selected < self.listed


@dataclass(frozen=True)
class Summary:
    """Headline figures of the prompt logs in the period."""

    requests: int  # user requests: chat, inline and /dev (tool-result turns apart)
    chat: int
    inline: int
    dev: int
    tool_results: int
    input_tokens: int
    output_tokens: int
    users: int
    days: int

    @property
    def total_tokens(self) -> int:
        """Input plus output tokens."""
        return self.input_tokens + self.output_tokens


@dataclass(frozen=True)
class ContextWindowUsage:
    """Per-request input tokens against the context window."""

    window: int
    requests: int
    average_share: float
    max_share: float
    max_input_tokens: int
    share_over_50: float
    share_over_80: float


@dataclass(frozen=True)
class ReportTokenEstimate:
    """Tokens estimated for the activity-report counts (always an estimate, never a measurement).

    A type with report requests but no prompt-log request to measure has no average and no estimate (NA), not 0.
    """

    label: str
    rows: pd.DataFrame  # request_type, report_column, report_count, requests, measured_avg_tokens, estimated_tokens

    @property
    def total(self) -> int:
        """The estimated tokens of the types that could be estimated (``not_estimable`` are left out)."""
        return int(self.rows["estimated_tokens"].sum(skipna=True))

    @property
    def not_estimable(self) -> list[str]:
        """The request types with report requests but no measured average: left out of ``total``."""
        return self.rows.loc[self.rows["estimated_tokens"].isna(), "request_type"].tolist()


@dataclass
class QDevReport:
    """Everything the renderers and the dashboard show; no prompt or response text is held here."""

    period: Period
    filters: Filters
    options: Options
    source: str
    requests: pd.DataFrame  # one row per request: who, when, type, product and token counts
    summary: Summary
    per_user: pd.DataFrame
    per_type: pd.DataFrame
    per_product: pd.DataFrame
    daily: pd.DataFrame
    hourly: pd.DataFrame
    context_window: ContextWindowUsage
    virtual_cost: VirtualCost
    activity: act.ActivityReport | None
    report_estimate: ReportTokenEstimate | None
    files: FileStats
    warnings: list[str]
    people: pd.DataFrame  # one row per person: user (how shown), named_by, ids
    kiro: kc.KiroCredits | None = None
    demo: bool = False


class RequestRow(NamedTuple):
    """One counted request: who, when, what, and its tokens (no text)."""

    product: str
    request_type: str
    user_id: str
    account: str
    region: str
    timestamp: datetime
    input_tokens: int
    output_tokens: int
    model_id: str  # '' when the record names none


@dataclass
class _FileResult:
    rows: list[RequestRow] = field(default_factory=list)
    delivery_keys: list[tuple[str, ...] | None] = field(default_factory=list)  # account, region, type, user, id, time
    records: int = 0
    skipped_records: Counter[str] = field(default_factory=Counter)
    outside_period: int = 0
    error: str | None = None


def _request_type(key: QDevKey, request_type: str, empty_prompt: bool) -> str:
    """A Kiro chat record with an empty prompt is a tool-result turn; every other record keeps its type."""
    return TOOL_RESULT if key.folder == KIRO_FOLDER and request_type == "chat" and empty_prompt else request_type


def _read_prompt_file(store: LogStore, obj: StoredObject, key: QDevKey, period: Period) -> _FileResult:
    """Parse one file and count the tokens of its requests in the period; only counts leave this function."""
    encoding = load_encoding()
    try:
        requests, skipped = parse_log_file(store.read(obj.key))
    except (BadLogFile, UnreadableObject) as exc:
        return _FileResult(error=str(exc))
    result = _FileResult(records=len(requests) + sum(skipped.values()), skipped_records=skipped)
    for req in requests:
        if not period.utc_start <= req.timestamp < period.utc_end:
            result.outside_period += 1
        else:
            inputs = sum(count_tokens(encoding, text) for text in req.input_texts)
            outputs = sum(count_tokens(encoding, text) for text in req.output_texts)
            request_type = _request_type(key, req.request_type, req.empty_prompt)
            result.rows.append(
                RequestRow(
                    key.product, request_type, req.user_id, key.account, key.region, req.timestamp, inputs, outputs,
                    req.model_id or "",
                )
            )
            copy_key = req.delivery_key
            result.delivery_keys.append(None if copy_key is None else (key.account, key.region, *copy_key))
    return result


def _read_activity_file(store: LogStore, obj: StoredObject, key: QDevKey) -> act.ParsedReport | str:
    """Parse one activity CSV, tagging rows with the product and region of its folder; a reason string on failure."""
    try:
        parsed = act.read_activity_csv(store.read(obj.key))
    except (act.BadActivityFile, UnreadableObject) as exc:
        return str(exc)
    parsed.rows = parsed.rows.assign(product=key.product, region=key.region, source_file=obj.key)
    return parsed


def _read_user_report_file(store: LogStore, obj: StoredObject, key: QDevKey) -> kr.UserReportFile | str:
    """Parse one Kiro user report; a reason string on failure."""
    try:
        parsed = kr.read_user_report_csv(store.read(obj.key))
    except (kr.BadUserReport, UnreadableObject) as exc:
        return str(exc)
    return kr.UserReportFile(parsed, obj.key, key.region, key.export_stamp)


def _list_jobs(locations: list[Location], period: Period) -> list[tuple[Location, date]]:
    """(location, UTC day) pairs to list: the period's partition days, or the report folders of the period."""
    first, last = period.partition_days()
    jobs = []
    for location in locations:
        if location.log_type == ACTIVITY_TYPE:
            days = days_between(*act.report_folder_days(period.start, period.end))
        elif location.log_type == USER_REPORT_TYPE:
            days = days_between(*kc.report_folder_days(period.start, period.end))
        else:
            days = days_between(first, last)
        jobs.extend((location, day) for day in days)
    return jobs


def _sample(objects: list[tuple[StoredObject, QDevKey]], size: int | None) -> list[tuple[StoredObject, QDevKey]]:
    if size is None or size >= len(objects):
        return objects
    chosen = random.Random(0).sample(range(len(objects)), size)  # fixed seed: the same sample on every run
    return [objects[i] for i in sorted(chosen)]


def _run(pool: ThreadPoolExecutor, futures: list[Future], progress: Reporter, step: Words, unit: Words) -> list:
    """Results in submission order, with each one done told to ``progress``; the first error cancels what has
    not started."""
    done = 0
    try:
        progress(step_update(step, 0, len(futures), unit, finished=not futures))
        for future in as_completed(futures):
            future.result()
            done += 1
            progress(step_update(step, done, len(futures), unit, finished=done == len(futures)))
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    return [future.result() for future in futures]


@dataclass
class Collected:
    """Everything read for a period, every user included."""

    requests: pd.DataFrame
    activity: pd.DataFrame | None
    user_reports: kr.UserReportRows | None
    files: FileStats
    activity_stats: act.ActivityStats


def _no_logs(source: Source, regions: tuple[str, ...] | None) -> UsageError | SetupRequired:
    """No log folder in the source: in a bucket, logging or reports are not turned on (a step to take); in a local
    folder, the path is wrong, so the layouts read under it are named."""
    where = f"{source.describe()}{' for ' + ', '.join(regions) if regions else ''}"
    if not isinstance(source.store, LocalStore):
        return SetupRequired(Notice(f"no Amazon Q Developer or Kiro logs in {where}: turn on prompt logging or user "
                                    f"activity reports (see {DOCS}), or check --bucket, --prefix and --regions",
                                    "qdev_no_logs_bucket", where=where, docs=DOCS))
    layout = (f"[PREFIX/]{AWSLOGS}/ACCOUNT/{{{','.join(PRODUCTS)}}}/"
              f"{{{','.join([*REQUEST_TYPES, ACTIVITY_TYPE, USER_REPORT_TYPE])}}}/REGION/")
    return UsageError(Notice(f"no Amazon Q Developer or Kiro logs in {where}: the folders read are {layout} under it "
                             "(PREFIX: each --prefix, else none or a top-level folder): give --logs-dir the folder "
                             "that holds the reports bucket's AWSLogs/, or check --prefix and --regions",
                             "qdev_no_logs_folder", where=where, layout=layout))


def collect(source: Source, period: Period, filters: Filters, options: Options,
            progress: Reporter = silent) -> Collected:
    """Read the period's prompt logs, activity reports and Kiro user reports (every user; ``filters`` choose the
    regions); ``progress`` hears of the folders listed and the files read."""
    load_encoding()  # a missing tokenizer is reported before any download starts
    store = source.store
    wanted = {*REQUEST_TYPES, ACTIVITY_TYPE, USER_REPORT_TYPE}
    locations = discover_locations(store, source.prefixes, wanted, filters.regions)
    if not locations:
        raise _no_logs(source, filters.regions)
    stats, activity_stats = FileStats(folders=len(locations)), act.ActivityStats()
    report_stats = kr.UserReportStats()
    prompt_objects: list[tuple[StoredObject, QDevKey]] = []
    activity_objects: list[tuple[StoredObject, QDevKey]] = []
    user_report_objects: list[tuple[StoredObject, QDevKey]] = []
    activity_regions = tuple(sorted({loc.region for loc in locations if loc.log_type == ACTIVITY_TYPE}))
    user_report_regions = tuple(sorted({loc.region for loc in locations if loc.log_type == USER_REPORT_TYPE}))
    if source.activity is not None:
        locations = [loc for loc in locations if loc.log_type != ACTIVITY_TYPE]
    if source.user_reports is not None:
        locations = [loc for loc in locations if loc.log_type != USER_REPORT_TYPE]
    with ThreadPoolExecutor(max_workers=max(1, options.workers)) as pool:
        jobs = _list_jobs(locations, period)
        listings = _run(pool, [pool.submit(store.list_objects, loc.day_prefix(day)) for loc, day in jobs], progress,
                        LISTING, DAY_FOLDERS)
        for obj in (o for listing in listings for o in listing):
            key = parse_key(obj.key)
            if key is None:
                stats.other_objects += 1
            elif key.is_activity_report:
                activity_objects.append((obj, key))
            elif key.is_user_report:
                user_report_objects.append((obj, key))
            else:
                prompt_objects.append((obj, key))
        stats.listed, activity_stats.files_listed = len(prompt_objects), len(activity_objects)
        report_stats.files_listed = len(user_report_objects)
        selected = _sample(prompt_objects, options.sample)
        stats.selected = len(selected)
        futures = [pool.submit(_read_prompt_file, store, obj, key, period) for obj, key in selected]
        futures += [pool.submit(_read_activity_file, store, obj, key) for obj, key in activity_objects]
        futures += [pool.submit(_read_user_report_file, store, obj, key) for obj, key in user_report_objects]
        results = _run(pool, futures, progress, READING, FILES)
    prompt_results = results[: len(selected)]
    activity_results = results[len(selected) : len(selected) + len(activity_objects)]
    user_report_results = results[len(selected) + len(activity_objects) :]

    rows: list[RequestRow] = []
    delivered: set[tuple[str, ...]] = set()
    for result in prompt_results:
        if result.error:
            stats.skipped[result.error] += 1
            continue
        stats.read += 1
        stats.records += result.records
        stats.skipped_records.update(result.skipped_records)
        stats.outside_period += result.outside_period
        for row, key in zip(result.rows, result.delivery_keys, strict=True):
            if key in delivered:  # a copy of the logs elsewhere in the bucket, or a record delivered again
                stats.duplicate_records += 1
                continue
            if key is not None:
                delivered.add(key)
            rows.append(row)

    frames = []
    for result in activity_results:
        if isinstance(result, str):
            activity_stats.skipped_files[result] += 1
            continue
        activity_stats.files_read += 1
        activity_stats.skipped_rows.update(result.skipped_rows)
        activity_stats.older_layout_files += bool(result.missing_columns)
        frames.append(result.rows)
    activity_rows = None
    if source.activity is not None and activity_regions:
        # kept even without rows: the report says the query found none, and what its scan cost
        activity_rows, activity_stats = source.activity.read(activity_regions, period.start, period.end,
                                                             labelled(progress, Words("activity_reports")))
    elif activity_regions:  # the reports folder exists: no report in the period is a finding, not a missing setup
        activity_rows = pd.concat([act.empty_rows(), *frames], ignore_index=True) if frames else act.empty_rows()
        activity_rows = act.in_read_window(activity_rows, period.start, period.end)
    if activity_rows is not None:
        activity_rows = act.latest_delivery(activity_rows, activity_stats)

    user_reports = None
    if source.user_reports is not None and user_report_regions:
        user_reports = source.user_reports.read(user_report_regions, period.start, period.end,
                                                labelled(progress, Words("kiro_user_reports")))
    elif user_report_objects:
        user_reports = _combine_user_reports(user_report_results, report_stats, period)
    return Collected(_request_frame(rows, period), activity_rows, user_reports, stats, activity_stats)


def _combine_user_reports(results: list, stats: kr.UserReportStats, period: Period) -> kr.UserReportRows:
    """The files read (a reason string for each one that could not be) as one set of rows in the read window."""
    files = []
    for result in results:
        if isinstance(result, str):
            stats.skipped_files[result] += 1
            continue
        stats.files_read += 1
        stats.skipped_rows.update(result.parsed.skipped_rows)
        stats.files_without_email += not result.parsed.has_email
        files.append(result)
    return kr.combine_files(files, stats, lambda facts: kc.in_read_window(facts, period.start, period.end))


def _request_frame(rows: list[RequestRow], period: Period) -> pd.DataFrame:
    """Request rows with UTC and local time columns, sorted for stable output."""
    frame = pd.DataFrame(rows, columns=list(RequestRow._fields)).astype({"model_id": "object"})
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True)
    frame = frame.astype({"input_tokens": "int64", "output_tokens": "int64"})
    frame = frame.sort_values(["timestamp", "user_id", "request_type"], kind="stable").reset_index(drop=True)
    local = frame["timestamp"].dt.tz_convert(period.tz)
    return frame.assign(
        date=local.dt.date,
        hour_utc=frame["timestamp"].dt.hour.astype("int64"),
        hour_local=local.dt.hour.astype("int64"),
        total_tokens=frame["input_tokens"] + frame["output_tokens"],
    )


PER_USER_COLUMNS = ["user", "person", "user_ids", "products", "requests", *REQUEST_TYPE_ORDER, "tool_results",
                    "input_tokens", "output_tokens", "total_tokens", "max_context_share", "virtual_cost_usd",
                    "unpriced_tokens"]


def _per_user(frame: pd.DataFrame, options: Options) -> pd.DataFrame:
    """One row per person; the virtual cost sums the priced requests (NaN when none is), ``unpriced_tokens`` the
    others' tokens."""
    if frame.empty:
        return pd.DataFrame(columns=PER_USER_COLUMNS)
    user_requests = frame[frame["request_type"] != TOOL_RESULT]
    unpriced = frame["input_cost_usd"].isna()
    table = frame.assign(
        cost=frame["input_cost_usd"] + frame["output_cost_usd"],  # NaN for an unpriced request
        unpriced=(frame["input_tokens"] + frame["output_tokens"]).where(unpriced, 0),
    ).groupby("person").agg(
        user=("user", "first"),
        user_ids=("user_id", lambda ids: ", ".join(sorted(set(ids)))),
        products=("product", lambda s: ", ".join(sorted(set(s)))),
        input_tokens=("input_tokens", "sum"),
        output_tokens=("output_tokens", "sum"),
        virtual_cost_usd=("cost", priced_sum),
        unpriced_tokens=("unpriced", "sum"),
    )
    table["max_context_share"] = user_requests.groupby("person")["input_tokens"].max() / options.context_window
    types = pd.crosstab(frame["person"], frame["request_type"]).reindex(
        columns=[*REQUEST_TYPE_ORDER, TOOL_RESULT], fill_value=0
    )
    table = table.join(types.rename(columns={TOOL_RESULT: "tool_results"})).reset_index()
    table = table.assign(
        requests=table[list(REQUEST_TYPE_ORDER)].sum(axis=1),
        total_tokens=table["input_tokens"] + table["output_tokens"],
        max_context_share=table["max_context_share"].fillna(0.0),
    )
    ordered = table[PER_USER_COLUMNS].astype({"unpriced_tokens": "int64"})
    return ordered.sort_values(["total_tokens", "user"], ascending=[False, True]).reset_index(drop=True)


def _per_type(frame: pd.DataFrame, options: Options) -> pd.DataFrame:
    """One row per request type, then the tool-result turns (whose averages would distort chat's): their count is
    ``tool_results``, not ``requests``, so the requests add up to the user requests, as in every other table."""
    records = []
    for request_type in (*REQUEST_TYPE_ORDER, TOOL_RESULT):
        part = frame[frame["request_type"] == request_type]
        n = len(part)
        turns = request_type == TOOL_RESULT
        inputs, outputs = int(part["input_tokens"].sum()), int(part["output_tokens"].sum())
        records.append(
            {
                "request_type": request_type,
                "requests": 0 if turns else n,
                "tool_results": n if turns else 0,
                "input_tokens": inputs,
                "output_tokens": outputs,
                "total_tokens": inputs + outputs,
                "avg_input_tokens": inputs / n if n else 0.0,
                "avg_output_tokens": outputs / n if n else 0.0,
                "avg_total_tokens": (inputs + outputs) / n if n else 0.0,
                "max_input_tokens": int(part["input_tokens"].max()) if n else 0,
                "avg_context_share": inputs / n / options.context_window if n else 0.0,
            }
        )
    return pd.DataFrame(records)


def named(requests: pd.DataFrame) -> pd.Series:
    """Which requests name their user: one without a ``userId`` counts, under ``(unknown)``, but not as a user (a
    Pro subscription or seat)."""
    return requests["user_id"] != UNKNOWN_USER


def _subscribers(frame: pd.DataFrame) -> pd.Series:
    """Each request's person, or NA for a request that names no user."""
    return frame["person"].where(named(frame))


def _per_product(frame: pd.DataFrame) -> pd.DataFrame:
    columns = ["product", "requests", "tool_results", "users", "input_tokens", "output_tokens", "total_tokens"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    table = frame.assign(
        is_request=frame["request_type"] != TOOL_RESULT, is_tool=frame["request_type"] == TOOL_RESULT,
        subscriber=_subscribers(frame),
    ).groupby("product").agg(
        requests=("is_request", "sum"),
        tool_results=("is_tool", "sum"),
        users=("subscriber", "nunique"),
        input_tokens=("input_tokens", "sum"),
        output_tokens=("output_tokens", "sum"),
        total_tokens=("total_tokens", "sum"),
    )
    return table.reset_index()[columns].astype({"requests": "int64", "tool_results": "int64"})


def _daily(frame: pd.DataFrame, period: Period) -> pd.DataFrame:
    days = pd.DataFrame({"date": period.all_days()})
    kinds = [*REQUEST_TYPE_ORDER, TOOL_RESULT]
    if frame.empty:
        sums = pd.DataFrame(columns=["date", "users", "input_tokens", "output_tokens", "total_tokens", *kinds])
    else:
        sums = frame.assign(subscriber=_subscribers(frame)).groupby("date").agg(
            users=("subscriber", "nunique"),
            input_tokens=("input_tokens", "sum"),
            output_tokens=("output_tokens", "sum"),
            total_tokens=("total_tokens", "sum"),
        )
        types = pd.crosstab(frame["date"], frame["request_type"]).reindex(columns=kinds, fill_value=0)
        sums = sums.join(types).reset_index()
    table = days.merge(sums, on="date", how="left").fillna(0)
    table = table.rename(columns={TOOL_RESULT: "tool_results"})
    table["requests"] = table[list(REQUEST_TYPE_ORDER)].sum(axis=1)
    order = ["date", "requests", *REQUEST_TYPE_ORDER, "tool_results", "users", "input_tokens", "output_tokens",
             "total_tokens"]
    return table[order].astype({name: "int64" for name in order[1:]})


def _hourly(frame: pd.DataFrame) -> pd.DataFrame:
    """Per hour of the day (UTC and local): user requests, and the tokens of every turn."""
    hours = pd.DataFrame({"hour": range(24)})
    requests = frame[frame["request_type"] != TOOL_RESULT]
    for column, suffix in (("hour_utc", "utc"), ("hour_local", "local")):
        counts = requests.groupby(column).size().rename(f"requests_{suffix}")
        tokens = frame.groupby(column)["total_tokens"].sum().rename(f"tokens_{suffix}")
        hours = hours.merge(counts, left_on="hour", right_index=True, how="left")
        hours = hours.merge(tokens, left_on="hour", right_index=True, how="left")
    return hours.fillna(0).astype("int64")


def _context_window(frame: pd.DataFrame, window: int) -> ContextWindowUsage:
    """Input tokens of each user request against the window (tool-result turns log no prompt)."""
    frame = frame[frame["request_type"] != TOOL_RESULT]
    if frame.empty:
        return ContextWindowUsage(window, 0, 0.0, 0.0, 0, 0.0, 0.0)
    share = frame["input_tokens"] / window
    return ContextWindowUsage(
        window=window,
        requests=len(frame),
        average_share=float(share.mean()),
        max_share=float(share.max()),
        max_input_tokens=int(frame["input_tokens"].max()),
        share_over_50=float((share > 0.5).mean()),
        share_over_80=float((share > 0.8).mean()),
    )


def _report_estimate(activity: act.ActivityReport | None, per_type: pd.DataFrame) -> ReportTokenEstimate | None:
    """Report counts x measured average tokens per request, when both sources have data."""
    per_type = per_type[per_type["request_type"].isin(REQUEST_TYPE_ORDER)]
    if activity is None or activity.rows.empty or not per_type["requests"].any():
        return None
    records = []
    for row in per_type.itertuples():
        column, per_request = REPORT_COUNTS[row.request_type]
        count = int(activity.rows[column].sum())
        requests = -(-count // per_request)  # whole requests: an odd message count ends with an unanswered prompt
        average = row.avg_total_tokens if row.requests else math.nan  # nothing logged: nothing measured
        records.append(
            {
                "request_type": row.request_type,
                "report_column": column,
                "report_count": count,
                "requests": requests,
                "measured_avg_tokens": average,
                "estimated_tokens": _estimated_tokens(requests, average),
            }
        )
    return ReportTokenEstimate(ESTIMATE_LABEL, pd.DataFrame(records).astype({"estimated_tokens": "Int64"}))


def _estimated_tokens(requests: int, average: float) -> int | None:
    """Requests x the measured average; ``None`` (not estimable) for requests without a measured average."""
    if not requests:
        return 0
    return None if math.isnan(average) else round(requests * average)


def _skipped_line(reasons: Counter[str], what: str) -> Notice:
    """``skipped 12 unreadable files (10 not gzip, 2 too large)``, ``what`` in the singular: the count and its
    reasons, most frequent first."""
    detail = [Notice(f"{n} {why}", "qdev_reason", count=n, reason=why) for why, n in reasons.most_common()]
    count = sum(reasons.values())
    return Notice(f"skipped {counted(count, what)} ({', '.join(detail)})", "qdev_skipped", count=count, what=what,
                  reasons=detail)


def _days(days: list[date]) -> str:
    """Sorted days as runs: ``2026-11-01 .. 2026-11-03, 2026-11-07``."""
    runs: list[list[date]] = []
    for day in days:
        if runs and (day - runs[-1][-1]).days == 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    return ", ".join(f"{run[0]}" if len(run) == 1 else f"{run[0]} .. {run[-1]}" for run in runs)


def _kiro_warnings(kiro: kc.KiroCredits) -> list[str]:
    lines: list[str] = []
    stats = kiro.stats
    for region, reason in stats.failed_regions.items():
        lines.append(Notice(f"Kiro user reports of {region} not read: {reason}", "kiro_region_failed", region=region,
                            reason=reason))
    if stats.skipped_files:
        lines.append(_skipped_line(stats.skipped_files, UNREADABLE_USER_REPORT))
    if stats.skipped_rows:
        lines.append(_skipped_line(stats.skipped_rows, UNUSABLE_USER_REPORT_ROW))
    if stats.replaced_rows:
        lines.append(Notice(f"Kiro user-report rows exported again later: {stats.replaced_rows:,} (the later export "
                            "counts, the earlier one not)", "kiro_replaced", rows=stats.replaced_rows))
    if kiro.unpriced_tiers:
        lines.append(Notice(f"Kiro tiers without published prices: {', '.join(kiro.unpriced_tiers)}: their seats and "
                            "overage are not in the cost (add them with --kiro-prices)", "kiro_unpriced_tiers",
                            tiers=list(kiro.unpriced_tiers)))
    if kiro.users_without_tier:
        lines.append(Notice(f"Kiro users without a Subscription_Tier in their latest report row of a month: "
                            f"{', '.join(kiro.users_without_tier)}: their seats and overage of that month are not in "
                            "the cost", "kiro_no_tier", users=list(kiro.users_without_tier)))
    if kiro.seats_from_first_row:
        people = len(kiro.seats_from_first_row)
        lines.append(Notice(f"{counted(people, 'person', 'people')}'s Kiro {'seat' if people == 1 else 'seats'} "
                            "counted from the month of their first report row (before it no seat is known)",
                            "kiro_seats_from_first_row", people=people))
    for tier, days in kiro.unpriced_days.items():
        lines.append(Notice(f"Kiro tier {tier} has no price on {counted(len(days), 'day')} of the period "
                            f"({_days(days)}): their seats and overage are not in the cost (add a price row with "
                            "--kiro-prices)", "kiro_unpriced_days", tier=tier, count=len(days), days=_days(days)))
    for row in kiro.flagged.itertuples():
        allowance = clause("" if pd.isna(row.allowance) else f" of {row.allowance:,.0f}", "kiro_allowance_of",
                           allowance=f"{row.allowance:,.0f}")
        tier = row.tier or NO_KIRO_TIER
        lines.append(Notice(f"Kiro credits: {row.user} ({tier}) {row.status}: {row.used:,.2f}{allowance} credits "
                            f"used this month, projected {row.projected:,.0f} by month end", "kiro_flagged",
                            user=row.user, tier=tier, status=row.status, used=f"{row.used:,.2f}", allowance=allowance,
                            projected=f"{row.projected:,.0f}"))
    return lines


def _warnings(report: QDevReport, extra: list[str]) -> list[str]:
    lines: list[str] = []
    files = report.files
    period = report.period.label()
    if files.listed == 0:
        lines.append(Notice(f"no prompt-log files in {period}", "qdev_no_files", period=period))
    if files.sampled:
        lines.append(Notice(f"sampled {files.selected:,} of {files.listed:,} prompt-log files (--sample): figures "
                            "cover the sample only", "qdev_sampled", selected=files.selected, listed=files.listed))
    if files.skipped:
        lines.append(_skipped_line(files.skipped, UNREADABLE_PROMPT_LOG))
    if files.skipped_records:
        lines.append(_skipped_line(files.skipped_records, UNUSABLE_RECORD))
    if files.duplicate_records:
        lines.append(Notice(f"ignored {counted(files.duplicate_records, 'prompt-log record')} read before (same "
                            "account, region, request type, user, requestId and timeStamp: a copy of the logs, or a "
                            "record delivered again)", "qdev_duplicates", count=files.duplicate_records))
    anonymous = int((~named(report.requests)).sum())
    if anonymous:
        lines.append(Notice(f"{anonymous:,} prompt-log records without a userId: their requests and tokens are "
                            f"counted under {UNKNOWN_USER}, not as a user nor in the subscription", "qdev_anonymous",
                            count=anonymous, unknown=UNKNOWN_USER))
    if report.virtual_cost.unpriced_tokens:
        unpriced = report.requests.loc[report.requests["input_cost_usd"].isna(), "model_id"]
        names = sorted({model or "(none)" for model in unpriced})
        tokens = int(report.virtual_cost.unpriced_tokens)
        lines.append(Notice(f"{tokens:,} tokens of models the price book does not price on their day and Region "
                            f"({', '.join(names)}) are counted but not in the virtual cost", "qdev_unpriced_tokens",
                            tokens=tokens, models=names))
    lines.extend(extra)
    if report.activity is not None:
        stats = report.activity.stats
        if not stats.files_listed and not stats.via_athena:
            lines.append(Notice(f"no user-activity report in the folders of {period} (a day's report is in the next "
                                "day's folder): the activity figures are empty, not missing", "activity_none",
                                period=period))
        for region, reason in stats.failed_regions.items():
            lines.append(Notice(f"activity reports of {region} not read: {reason}", "activity_region_failed",
                                region=region, reason=reason))
        if stats.skipped_files:
            lines.append(_skipped_line(stats.skipped_files, UNREADABLE_ACTIVITY_REPORT))
        if stats.skipped_rows:
            lines.append(_skipped_line(stats.skipped_rows, UNUSABLE_ACTIVITY_ROW))
        if stats.replaced_rows:
            lines.append(Notice(f"activity-report rows delivered again in a later file: {stats.replaced_rows:,} (the "
                                "later file counts, the earlier one not)", "activity_replaced",
                                rows=stats.replaced_rows))
        lines.extend(limit_warnings(report.activity.limits))
        for spike in report.activity.spikes.itertuples():
            ratio, average = f"{spike.ratio:.1f}", f"{spike.trailing_average:.1f}"
            lines.append(Notice(f"usage spike: {spike.user} on {spike.Date}: {spike.events:,} events, {ratio}x their "
                                f"trailing average ({average})", "usage_spike", user=spike.user, day=str(spike.Date),
                                events=int(spike.events), ratio=ratio, average=average))
    if report.kiro is not None:
        lines.extend(_kiro_warnings(report.kiro))
    unreported = kiro_unreported(report)
    if unreported:
        lines.append(Notice(f"the Kiro user reports have no row in {period} for "
                            f"{counted(len(unreported), 'person', 'people')} seen using Kiro in the prompt logs or "
                            f"activity reports ({', '.join(unreported)}): their Kiro seats and overage are not in the "
                            "Kiro cost", "kiro_unreported", period=period, count=len(unreported), people=unreported))
    return lines


def kiro_unreported(report: QDevReport) -> list[str]:
    """The people seen using Kiro in the period (a prompt-log request naming them, an activity-report row) for whom
    the Kiro user reports, when read, have no row in it: their Kiro cost is unknown. Empty without the reports."""
    if report.kiro is None:
        return []
    kiro = PRODUCTS[KIRO_FOLDER]
    requests = report.requests
    users = requests.loc[named(requests) & (requests["product"] == kiro), ["person", "user"]]
    if report.activity is not None:
        rows = report.activity.rows
        users = pd.concat([users, rows.loc[rows["product"] == kiro, ["person", "user"]]])
    missing = users[~users["person"].isin(set(report.kiro.rows["person"]))]
    return sorted(set(missing["user"]))


def none_readable(report: QDevReport) -> Notice | None:
    """Why no report is made when every prompt-log file, or every Kiro user report, listed for the period was skipped
    as unreadable and none read (its $0 would read as no use and no spend): each such kind, how many and the most
    common reasons; None otherwise."""
    unread = [Notice(f"the {counted(count, what)} ({first_reasons(skipped)})", "qdev_unread_files", count=count,
                     what=what, reasons=reason_counts(skipped))
              for what, read, skipped in files_by_kind(report) if skipped and not read
              for count in [sum(skipped.values())]]
    if not unread:
        return None
    period = report.period.label()
    return Notice(f"none of {' nor of '.join(unread)} listed for {period} could be read, so no report is made ($0 "
                  "would read as no spend): read the files as Amazon Q Developer and Kiro deliver them (whole and "
                  "unchanged)", "qdev_none_readable", kinds=unread, period=period)


def files_by_kind(report: QDevReport, activity: bool = False) -> list[tuple[str, int, Counter[str]]]:
    """Each kind of file the report read (prompt logs, the activity reports when ``activity`` and read, the Kiro user
    reports when read): its name, how many were read and the skipped ones by reason."""
    kinds = [(PROMPT_LOG_FILE, report.files.read, report.files.skipped)]
    if activity and report.activity is not None:
        kinds.append((ACTIVITY_REPORT, report.activity.stats.files_read, report.activity.stats.skipped_files))
    if report.kiro is not None:
        kinds.append((KIRO_USER_REPORT, report.kiro.stats.files_read, report.kiro.stats.skipped_files))
    return kinds


def reason_counts(reasons: Counter[str], shown: int | None = 3) -> list[str]:
    """``41 truncated or corrupt gzip``, ``1 empty file``: each reason with its count (a Notice), the most frequent
    first, at most ``shown`` of them and then ``...`` (every one when None)."""
    counts: list[str] = [Notice(f"{n:,} {why}", "qdev_reason", count=n, reason=why)
                         for why, n in reasons.most_common(shown)]
    return counts if shown is None or len(reasons) <= shown else [*counts, "..."]


def first_reasons(reasons: Counter[str], shown: int | None = 3) -> str:
    """``41 truncated or corrupt gzip, 1 empty file``: the most frequent reasons first, at most ``shown`` of them
    (every one when None)."""
    return ", ".join(reason_counts(reasons, shown))


def build_directory(collected: Collected, identities: Identities) -> tuple[Directory, list[str]]:
    """Every id of every source as people, named by the Kiro reports' e-mails, the user map, then Identity Center.

    Returns the directory and warnings from the lookups.
    """
    directory = Directory()
    directory.add(collected.requests["user_id"].unique())
    if collected.activity is not None:
        directory.add(collected.activity["UserId"].unique())
    reports = collected.user_reports
    if reports is not None:
        directory.add(reports.facts[kr.USER].unique())
        named = reports.facts.loc[reports.facts[kr.EMAIL] != "", [kr.USER, kr.DATE, kr.EMAIL]]
        latest = named.sort_values([kr.DATE, kr.EMAIL], ascending=False).drop_duplicates(kr.USER)  # the latest wins
        for user_id, _, email in latest.itertuples(index=False):
            directory.name(directory.key_of(user_id), Identity(email, source=REPORT_EMAIL))
    for key, identity in identities.user_map.items():
        directory.name(key, identity)
    warnings: list[str] = []
    if identities.lookup is not None:
        result = identities.lookup.lookup(directory.unnamed())
        for key, identity in result.found.items():
            directory.name(key, identity)
        warnings.extend(result.warnings)
    directory.settle()
    return directory, warnings


def _with_people(frame: pd.DataFrame, column: str, directory: Directory, pattern: str | None) -> pd.DataFrame:
    """``frame`` with ``person`` (the group key) and ``user`` (how the person is shown), only the people kept."""
    ids = frame[column].astype(str)
    unique = ids.unique()  # each id is resolved once, however many rows carry it
    keep = {raw: directory.keeps(raw, pattern) for raw in unique}
    kept = frame[ids.map(keep).astype(bool)]
    ids = kept[column].astype(str)
    groups = {raw: directory.group_of(raw) for raw in ids.unique()}
    labels = {raw: directory.label_of(raw) for raw in groups}
    return kept.assign(person=ids.map(groups), user=ids.map(labels))


def people_table(directory: Directory, kept: set[str]) -> pd.DataFrame:
    """One row per person in the report: how shown, where that comes from, and their ids."""
    rows = [
        {"user": directory.label_of(next(iter(person.ids))), "person": directory.group_of(next(iter(person.ids))),
         "named_by": person.named_by, "user_ids": ", ".join(sorted(person.ids))}
        for person in directory.people.values()
        if person.ids and directory.group_of(next(iter(person.ids))) in kept
    ]
    table = pd.DataFrame(rows, columns=["user", "person", "named_by", "user_ids"])
    return table.sort_values(["user", "user_ids"]).reset_index(drop=True)


def analyze(
    source: Source,
    period: Period,
    filters: Filters | None = None,
    options: Options | None = None,
    progress: Reporter = silent,
    identities: Identities | None = None,
    now: datetime | None = None,
) -> QDevReport:
    """Read and analyse the period's logs and reports; independent of any rendering.

    ``now`` (default: the clock) says which days' reports have arrived yet; ``progress`` hears how far the
    reading got.
    """
    filters, options, identities = filters or Filters(), options or Options(), identities or Identities()
    book = PriceBook.load(options.prices)  # a bad price file fails before any reading
    reference = model_price(book, options.model, period.end)  # and so does an unknown model
    prices = KiroPriceTable.load(options.kiro_prices)
    collected = collect(source, period, filters, options, progress)
    directory, lookup_warnings = build_directory(collected, identities)
    pattern = filters.user_pattern
    everyone = collected.requests
    frame = _with_people(everyone, "user_id", directory, pattern)
    frame = price_requests(book, frame, options.model)
    collected.files.filtered_out = len(everyone) - len(frame)
    activity = None
    if collected.activity is not None:
        rows = _with_people(collected.activity, "UserId", directory, pattern)
        # the pools are the account's: every user's rows, when a pattern chose some
        account_rows = _with_people(collected.activity, "UserId", directory, None) if pattern else None
        activity = act.summarise_activity(rows, period.start, period.end, collected.activity_stats, now,
                                          account_rows)
    kiro = None
    if collected.user_reports is not None:
        reports = collected.user_reports
        facts = _with_people(reports.facts, kr.USER, directory, pattern)
        models = _with_people(reports.models, kr.USER, directory, pattern)
        kiro = kc.summarise_credits(facts, models, period.start, period.end, reports.stats, prices, now)
    per_type = _per_type(frame, options)
    inputs, outputs = int(frame["input_tokens"].sum()), int(frame["output_tokens"].sum())
    counts = frame["request_type"].value_counts()
    users = int(_subscribers(frame).nunique())
    kept = set(frame["person"])
    kept |= set(activity.rows["person"]) if activity is not None else set()
    kept |= set(kiro.rows["person"]) if kiro is not None else set()
    report = QDevReport(
        period=period,
        filters=filters,
        options=options,
        source=source.describe(),
        requests=frame,
        summary=Summary(
            requests=int(sum(counts.get(t, 0) for t in REQUEST_TYPE_ORDER)),
            chat=int(counts.get("chat", 0)),
            inline=int(counts.get("inline", 0)),
            dev=int(counts.get("dev", 0)),
            tool_results=int(counts.get(TOOL_RESULT, 0)),
            input_tokens=inputs,
            output_tokens=outputs,
            users=users,
            days=period.days,
        ),
        per_user=_per_user(frame, options),
        per_type=per_type,
        per_product=_per_product(frame),
        daily=_daily(frame, period),
        hourly=_hourly(frame),
        context_window=_context_window(frame, options.context_window),
        virtual_cost=virtual_cost(frame, _subscribers(frame), period.start, period.end, options.model, reference,
                                  sampled=collected.files.sampled, price_file=book.price_file),
        activity=activity,
        report_estimate=_report_estimate(activity, per_type),
        files=collected.files,
        warnings=[],
        people=people_table(directory, kept),
        kiro=kiro,
    )
    report.warnings = _warnings(report, lookup_warnings)
    return report
