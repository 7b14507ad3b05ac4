"""Analyse Amazon Q Developer / Kiro prompt logs and activity reports for a period: ``analyze()`` -> QDevReport.

Every prompt-log file in range is read (a sample only when asked for), concurrently; workers parse and count
tokens, and only counts leave them, so no prompt or response text reaches the report.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple, Protocol

import pandas as pd

from ..errors import SetupRequired
from ..logs.layout import days_between
from ..logs.period import Period
from . import activity as act
from .cost import DEFAULT_MODEL, VirtualCost, model_price, token_cost, virtual_cost
from .layout import ACTIVITY_TYPE, REQUEST_TYPES, QDevKey, parse_key
from .limits import limit_warnings
from .prompt_logs import BadLogFile, parse_log_file
from .sources import DOCS, Location, LogStore, StoredObject, UnreadableObject, discover_locations
from .tokens import count_tokens, load_encoding

DEFAULT_CONTEXT_WINDOW = 200_000
REQUEST_TYPE_ORDER = ("chat", "inline", "dev")
# Activity-report count behind each prompt-log request type, and how many report units make one request:
# Chat_MessagesSent counts messages to and from Amazon Q (AWS "User activity report metrics"), two per prompt.
REPORT_COUNTS = {
    "chat": ("Chat_MessagesSent", 2),
    "inline": ("Inline_SuggestionsCount", 1),
    "dev": ("Dev_GenerationEventCount", 1),
}
ESTIMATE_LABEL = (
    "estimate: requests counted in the activity reports x average tokens per request measured in the prompt logs"
)

ProgressFn = Callable[[int, int], None]


class ActivityReader(Protocol):
    """Reads the activity reports some other way than file by file from the store (e.g. through Athena)."""

    def describe(self) -> str:
        """Where the reports are read, for reports."""
        ...

    def read(
        self, regions: tuple[str, ...], first_day: date, last_day: date, filters: Filters
    ) -> tuple[pd.DataFrame, act.ActivityStats]:
        """The usable rows of the regions' reports for the period ``first_day``..``last_day`` (``read_window``
        of it, users filtered), as ``read_activity_csv`` gives them plus ``product`` and ``region``, and counts."""
        ...


@dataclass(frozen=True)
class Source:
    """A store and the key prefixes to search in it (none: the root and each top-level folder).

    With ``activity`` the activity reports are read by it, for the regions whose report folders the store
    holds; the store then only supplies the prompt logs.
    """

    store: LogStore
    prefixes: tuple[str, ...] = ()
    activity: ActivityReader | None = None

    def describe(self) -> str:
        """``s3://bucket/`` or a folder, with the prefixes when given, and the activity reader if any."""
        where = self.store.describe()
        where = f"{where} (prefixes: {', '.join(self.prefixes)})" if self.prefixes else where
        return f"{where}; activity reports: {self.activity.describe()}" if self.activity else where


@dataclass(frozen=True)
class Filters:
    """Which requests count: users whose id contains ``user_pattern`` (literal, case-sensitive), in ``regions``."""

    user_pattern: str | None = None
    regions: tuple[str, ...] | None = None

    def keeps(self, user_id: str) -> bool:
        """True when the user passes the pattern."""
        return not self.user_pattern or self.user_pattern in user_id


@dataclass(frozen=True)
class Options:
    """How to analyse: context window, price model, optional sample size, worker threads."""

    context_window: int = DEFAULT_CONTEXT_WINDOW
    model: str = DEFAULT_MODEL
    sample: int | None = None
    workers: int = 8


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
    filtered_out: int = 0

    @property
    def sampled(self) -> bool:
        """True when only a sample of the files in range was read."""
        return self.selected < self.listed


@dataclass(frozen=True)
class Summary:
    """Headline figures of the prompt logs in the period."""

    requests: int
    chat: int
    inline: int
    dev: int
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
    """Tokens estimated for the activity-report counts (always an estimate, never a measurement)."""

    label: str
    rows: pd.DataFrame  # request_type, report_column, report_count, requests, measured_avg_tokens, estimated_tokens

    @property
    def total(self) -> int:
        """All estimated tokens."""
        return int(self.rows["estimated_tokens"].sum())


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


@dataclass
class _FileResult:
    rows: list[RequestRow] = field(default_factory=list)
    records: int = 0
    skipped_records: Counter[str] = field(default_factory=Counter)
    outside_period: int = 0
    filtered_out: int = 0
    error: str | None = None


def _read_prompt_file(
    store: LogStore, obj: StoredObject, key: QDevKey, period: Period, filters: Filters
) -> _FileResult:
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
        elif not filters.keeps(req.user_id):
            result.filtered_out += 1
        else:
            inputs = sum(count_tokens(encoding, text) for text in req.input_texts)
            outputs = sum(count_tokens(encoding, text) for text in req.output_texts)
            result.rows.append(
                RequestRow(
                    key.product, req.request_type, req.user_id, key.account, key.region, req.timestamp, inputs, outputs
                )
            )
    return result


def _read_activity_file(store: LogStore, obj: StoredObject, key: QDevKey) -> act.ParsedReport | str:
    """Parse one activity CSV, tagging rows with the product and region of its folder; a reason string on failure."""
    try:
        parsed = act.read_activity_csv(store.read(obj.key))
    except (act.BadActivityFile, UnreadableObject) as exc:
        return str(exc)
    parsed.rows = parsed.rows.assign(product=key.product, region=key.region)
    return parsed


def _list_jobs(locations: list[Location], period: Period) -> list[tuple[Location, date]]:
    """(location, UTC day) pairs to list: the period's partition days, or the activity reports' folders."""
    first, last = period.partition_days()
    jobs = []
    for location in locations:
        if location.log_type == ACTIVITY_TYPE:
            days = days_between(*act.report_folder_days(period.start, period.end))
        else:
            days = days_between(first, last)
        jobs.extend((location, day) for day in days)
    return jobs


def _sample(objects: list[tuple[StoredObject, QDevKey]], size: int | None) -> list[tuple[StoredObject, QDevKey]]:
    if size is None or size >= len(objects):
        return objects
    chosen = random.Random(0).sample(range(len(objects)), size)  # fixed seed: the same sample on every run
    return [objects[i] for i in sorted(chosen)]


def _run(pool: ThreadPoolExecutor, futures: list[Future], progress: ProgressFn | None) -> list:
    """Results in submission order; the first error cancels what has not started."""
    done = 0
    try:
        for future in as_completed(futures):
            future.result()
            done += 1
            if progress:
                progress(done, len(futures))
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    return [future.result() for future in futures]


def collect(
    source: Source, period: Period, filters: Filters, options: Options, progress: ProgressFn | None = None
) -> tuple[pd.DataFrame, pd.DataFrame | None, FileStats, act.ActivityStats]:
    """Read the period's prompt logs (and activity reports): request rows, activity rows and what was read."""
    load_encoding()  # a missing tokenizer is reported before any download starts
    store = source.store
    locations = discover_locations(store, source.prefixes, {*REQUEST_TYPES, ACTIVITY_TYPE}, filters.regions)
    if not locations:
        regions = f" for {', '.join(filters.regions)}" if filters.regions else ""
        raise SetupRequired(
            f"no Amazon Q Developer or Kiro logs in {source.describe()}{regions}: turn on prompt logging or user "
            f"activity reports (see {DOCS}), or check --bucket, --prefix and --regions"
        )
    stats, activity_stats = FileStats(folders=len(locations)), act.ActivityStats()
    prompt_objects: list[tuple[StoredObject, QDevKey]] = []
    activity_objects: list[tuple[StoredObject, QDevKey]] = []
    report_regions = tuple(sorted({loc.region for loc in locations if loc.log_type == ACTIVITY_TYPE}))
    if source.activity is not None:
        locations = [loc for loc in locations if loc.log_type != ACTIVITY_TYPE]
    with ThreadPoolExecutor(max_workers=max(1, options.workers)) as pool:
        jobs = _list_jobs(locations, period)
        listings = _run(pool, [pool.submit(store.list_objects, loc.day_prefix(day)) for loc, day in jobs], None)
        for obj in (o for listing in listings for o in listing):
            key = parse_key(obj.key)
            if key is None:
                stats.other_objects += 1
            elif key.is_activity_report:
                activity_objects.append((obj, key))
            else:
                prompt_objects.append((obj, key))
        stats.listed, activity_stats.files_listed = len(prompt_objects), len(activity_objects)
        selected = _sample(prompt_objects, options.sample)
        stats.selected = len(selected)
        futures = [pool.submit(_read_prompt_file, store, obj, key, period, filters) for obj, key in selected]
        futures += [pool.submit(_read_activity_file, store, obj, key) for obj, key in activity_objects]
        results = _run(pool, futures, progress)

    rows: list[RequestRow] = []
    for result in results[: len(selected)]:
        if result.error:
            stats.skipped[result.error] += 1
            continue
        stats.read += 1
        stats.records += result.records
        stats.skipped_records.update(result.skipped_records)
        stats.outside_period += result.outside_period
        stats.filtered_out += result.filtered_out
        rows.extend(result.rows)

    frames = []
    for result in results[len(selected) :]:
        if isinstance(result, str):
            activity_stats.skipped_files[result] += 1
            continue
        activity_stats.files_read += 1
        activity_stats.skipped_rows.update(result.skipped_rows)
        activity_stats.older_layout_files += bool(result.missing_columns)
        frames.append(result.rows)
    activity_rows = None
    if source.activity is not None and report_regions:
        # kept even without rows: the report says the query found none, and what its scan cost
        activity_rows, activity_stats = source.activity.read(report_regions, period.start, period.end, filters)
    elif activity_objects:
        activity_rows = pd.concat([act.empty_rows(), *frames], ignore_index=True) if frames else act.empty_rows()
        activity_rows = activity_rows[activity_rows["UserId"].map(filters.keeps).astype(bool)]
        activity_rows = act.in_read_window(activity_rows, period.start, period.end)
    return _request_frame(rows, period), activity_rows, stats, activity_stats


def _request_frame(rows: list[RequestRow], period: Period) -> pd.DataFrame:
    """Request rows with UTC and local time columns, sorted for stable output."""
    frame = pd.DataFrame(rows, columns=list(RequestRow._fields))
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


def _per_user(frame: pd.DataFrame, options: Options) -> pd.DataFrame:
    price = model_price(options.model)
    columns = ["user_id", "products", "requests", *REQUEST_TYPE_ORDER, "input_tokens", "output_tokens"]
    if frame.empty:
        return pd.DataFrame(columns=[*columns, "total_tokens", "max_context_share", "virtual_cost_usd"])
    grouped = frame.groupby("user_id")
    table = grouped.agg(
        products=("product", lambda s: ", ".join(sorted(set(s)))),
        requests=("request_type", "size"),
        input_tokens=("input_tokens", "sum"),
        output_tokens=("output_tokens", "sum"),
        max_input_tokens=("input_tokens", "max"),
    )
    types = pd.crosstab(frame["user_id"], frame["request_type"]).reindex(columns=list(REQUEST_TYPE_ORDER), fill_value=0)
    table = table.join(types).reset_index()
    table = table.assign(
        total_tokens=table["input_tokens"] + table["output_tokens"],
        max_context_share=table.pop("max_input_tokens") / options.context_window,
        virtual_cost_usd=[
            token_cost(i, o, price) for i, o in zip(table["input_tokens"], table["output_tokens"], strict=True)
        ],
    )
    ordered = table[[*columns, "total_tokens", "max_context_share", "virtual_cost_usd"]]
    return ordered.sort_values(["total_tokens", "user_id"], ascending=[False, True]).reset_index(drop=True)


def _per_type(frame: pd.DataFrame, options: Options) -> pd.DataFrame:
    records = []
    for request_type in REQUEST_TYPE_ORDER:
        part = frame[frame["request_type"] == request_type]
        n = len(part)
        inputs, outputs = int(part["input_tokens"].sum()), int(part["output_tokens"].sum())
        records.append(
            {
                "request_type": request_type,
                "requests": n,
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


def _per_product(frame: pd.DataFrame) -> pd.DataFrame:
    columns = ["product", "requests", "users", "input_tokens", "output_tokens", "total_tokens"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    table = frame.groupby("product").agg(
        requests=("request_type", "size"),
        users=("user_id", "nunique"),
        input_tokens=("input_tokens", "sum"),
        output_tokens=("output_tokens", "sum"),
        total_tokens=("total_tokens", "sum"),
    )
    return table.reset_index()[columns]


def _daily(frame: pd.DataFrame, period: Period) -> pd.DataFrame:
    days = pd.DataFrame({"date": period.all_days()})
    if frame.empty:
        sums = pd.DataFrame(columns=["date", "requests", "users", "input_tokens", "output_tokens", "total_tokens"])
    else:
        sums = frame.groupby("date").agg(
            requests=("request_type", "size"),
            users=("user_id", "nunique"),
            input_tokens=("input_tokens", "sum"),
            output_tokens=("output_tokens", "sum"),
            total_tokens=("total_tokens", "sum"),
        )
        types = pd.crosstab(frame["date"], frame["request_type"]).reindex(
            columns=list(REQUEST_TYPE_ORDER), fill_value=0
        )
        sums = sums.join(types).reset_index()
    table = days.merge(sums, on="date", how="left")
    for name in REQUEST_TYPE_ORDER:
        if name not in table:
            table[name] = 0
    table = table.fillna(0)
    order = ["date", "requests", *REQUEST_TYPE_ORDER, "users", "input_tokens", "output_tokens", "total_tokens"]
    return table[order].astype({name: "int64" for name in order[1:]})


def _hourly(frame: pd.DataFrame) -> pd.DataFrame:
    hours = pd.DataFrame({"hour": range(24)})
    for column, suffix in (("hour_utc", "utc"), ("hour_local", "local")):
        sums = frame.groupby(column).agg(requests=("request_type", "size"), tokens=("total_tokens", "sum"))
        sums = sums.rename(columns={"requests": f"requests_{suffix}", "tokens": f"tokens_{suffix}"})
        hours = hours.merge(sums, left_on="hour", right_index=True, how="left")
    return hours.fillna(0).astype("int64")


def _context_window(frame: pd.DataFrame, window: int) -> ContextWindowUsage:
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
    if activity is None or activity.rows.empty or not per_type["requests"].any():
        return None
    records = []
    for row in per_type.itertuples():
        column, per_request = REPORT_COUNTS[row.request_type]
        count = int(activity.rows[column].sum())
        requests = -(-count // per_request)  # whole requests: an odd message count ends with an unanswered prompt
        records.append(
            {
                "request_type": row.request_type,
                "report_column": column,
                "report_count": count,
                "requests": requests,
                "measured_avg_tokens": row.avg_total_tokens,
                "estimated_tokens": round(requests * row.avg_total_tokens),
            }
        )
    return ReportTokenEstimate(ESTIMATE_LABEL, pd.DataFrame(records))


def _warnings(report: QDevReport) -> list[str]:
    lines: list[str] = []
    files = report.files
    if files.listed == 0:
        lines.append(f"no prompt-log files in {report.period.label()}")
    if files.sampled:
        lines.append(
            f"sampled {files.selected:,} of {files.listed:,} prompt-log files (--sample): figures cover the sample only"
        )
    if files.skipped:
        reasons = ", ".join(f"{n} {why}" for why, n in files.skipped.most_common())
        lines.append(f"skipped {sum(files.skipped.values()):,} unreadable prompt-log files ({reasons})")
    if files.skipped_records:
        reasons = ", ".join(f"{n} {why}" for why, n in files.skipped_records.most_common())
        lines.append(f"skipped {sum(files.skipped_records.values()):,} unusable records ({reasons})")
    if report.activity is not None:
        stats = report.activity.stats
        for region, reason in stats.failed_regions.items():
            lines.append(f"activity reports of {region} not read: {reason}")
        if stats.skipped_files:
            reasons = ", ".join(f"{n} {why}" for why, n in stats.skipped_files.most_common())
            lines.append(f"skipped {sum(stats.skipped_files.values()):,} unreadable activity reports ({reasons})")
        if stats.skipped_rows:
            reasons = ", ".join(f"{n} {why}" for why, n in stats.skipped_rows.most_common())
            lines.append(f"skipped {sum(stats.skipped_rows.values()):,} unusable activity-report rows ({reasons})")
        lines.extend(limit_warnings(report.activity.limits))
        for spike in report.activity.spikes.itertuples():
            lines.append(
                f"usage spike: {spike.UserId} on {spike.Date}: {spike.events:,} events, {spike.ratio:.1f}x their "
                f"trailing average ({spike.trailing_average:.1f})"
            )
    return lines


def analyze(
    source: Source,
    period: Period,
    filters: Filters | None = None,
    options: Options | None = None,
    progress: ProgressFn | None = None,
) -> QDevReport:
    """Read and analyse the period's prompt logs and activity reports; independent of any rendering."""
    filters, options = filters or Filters(), options or Options()
    model_price(options.model)  # an unknown model fails before any reading
    frame, activity_rows, stats, activity_stats = collect(source, period, filters, options, progress)
    activity = (
        None
        if activity_rows is None
        else act.summarise_activity(activity_rows, period.start, period.end, activity_stats)
    )
    per_type = _per_type(frame, options)
    inputs, outputs = int(frame["input_tokens"].sum()), int(frame["output_tokens"].sum())
    counts = frame["request_type"].value_counts()
    users = int(frame["user_id"].nunique())
    report = QDevReport(
        period=period,
        filters=filters,
        options=options,
        source=source.describe(),
        requests=frame,
        summary=Summary(
            requests=len(frame),
            chat=int(counts.get("chat", 0)),
            inline=int(counts.get("inline", 0)),
            dev=int(counts.get("dev", 0)),
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
        virtual_cost=virtual_cost(inputs, outputs, users, period.start, period.end, options.model),
        activity=activity,
        report_estimate=_report_estimate(activity, per_type),
        files=stats,
        warnings=[],
    )
    report.warnings = _warnings(report)
    return report
