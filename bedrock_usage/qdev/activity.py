"""Daily user-activity reports (``by_user_analytic`` CSVs): reading, aggregation, spike days and limits.

Columns are mapped by header name (their order differs between sources, and an older layout has 41 of the
46 columns): a missing column or an empty cell is 0. ``Date`` is ``MM-DD-YYYY``. The reports hold counts
and lines, never tokens: any token figure derived from them is an estimate. The cell rules (patterns, skip
reasons, the dates read) are defined here once; ``activity_sql`` applies the same ones in SQL for Athena.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pandas as pd

from .layout import QDevKey, parse_key
from .limits import LimitStatus, MonthWindow, evaluate_limits, reports_due_through
from .people import person_key

ACTIVITY_COLUMNS: tuple[str, ...] = (
    "UserId",
    "Date",
    "Chat_AICodeLines",
    "Chat_MessagesInteracted",
    "Chat_MessagesSent",
    "CodeFix_AcceptanceEventCount",
    "CodeFix_AcceptedLines",
    "CodeFix_GeneratedLines",
    "CodeFix_GenerationEventCount",
    "CodeReview_FailedEventCount",
    "CodeReview_FindingsCount",
    "CodeReview_SucceededEventCount",
    "Dev_AcceptanceEventCount",
    "Dev_AcceptedLines",
    "Dev_GeneratedLines",
    "Dev_GenerationEventCount",
    "DocGeneration_AcceptedFileUpdates",
    "DocGeneration_AcceptedFilesCreations",
    "DocGeneration_AcceptedLineAdditions",
    "DocGeneration_AcceptedLineUpdates",
    "DocGeneration_EventCount",
    "DocGeneration_RejectedFileCreations",
    "DocGeneration_RejectedFileUpdates",
    "DocGeneration_RejectedLineAdditions",
    "DocGeneration_RejectedLineUpdates",
    "InlineChat_AcceptanceEventCount",
    "InlineChat_AcceptedLineAdditions",
    "InlineChat_AcceptedLineDeletions",
    "InlineChat_DismissalEventCount",
    "InlineChat_DismissedLineAdditions",
    "InlineChat_DismissedLineDeletions",
    "InlineChat_RejectedLineAdditions",
    "InlineChat_RejectedLineDeletions",
    "InlineChat_RejectionEventCount",
    "InlineChat_TotalEventCount",
    "Inline_AICodeLines",
    "Inline_AcceptanceCount",
    "Inline_SuggestionsCount",
    "TestGeneration_AcceptedLines",
    "TestGeneration_AcceptedTests",
    "TestGeneration_EventCount",
    "TestGeneration_GeneratedLines",
    "TestGeneration_GeneratedTests",
    "Transformation_EventCount",
    "Transformation_LinesGenerated",
    "Transformation_LinesIngested",
)
METRIC_COLUMNS: tuple[str, ...] = ACTIVITY_COLUMNS[2:]
DATE_FORMAT = "%m-%d-%Y"
# What a cell must look like (after trimming): the same patterns in Python and in the Athena SQL (written
# without "?", which the SQL reserves for parameters). Counts are never negative: a minus sign is a bad number.
DATE_PATTERN = r"^(0{0,1}[1-9]|1[0-2])-(0{0,1}[1-9]|[12][0-9]|3[01])-([1-9][0-9]{3})$"
NUMBER_PATTERN = r"^[+]{0,1}([0-9]+[.]{0,1}[0-9]*|[.][0-9]+)([eE][+-]{0,1}[0-9]+){0,1}$"
# A cell of 2**32 or more (a user's day) is a bad number: no real day comes near it, and below it no sum over the
# rows a run can hold (fewer than 2**31) passes int64, nor a sum of credits float64.
MAX_COUNT = 2**32
_LINE_END = re.compile(r"\r\n|\r|\n")
CELL_LIMIT = 131_072  # characters: the csv module's default field limit; no report cell comes near it
# What a cell is trimmed of, on every path: spaces and tabs, nothing else. Each engine's own trim takes another set
# (Python's str.strip also U+00A0, U+0085, ...; Trino's Java whitespace; DuckDB's Unicode spaces, no tab), so the
# SQL trims with this pattern instead; a line never holds CR or LF (lines end there).
BLANKS = " \t"
BLANK_EDGES_PATTERN = r"^[ \t]+|[ \t]+$"
QUOTE = '"'

# Why a file or a row is left out (counted by reason in the report).
NO_HEADER = "no UserId/Date header"
NOT_UTF8 = "not UTF-8 text"
WRONG_CELL_COUNT = "wrong number of cells"
NO_USER = "no UserId"
BAD_DATE = "bad Date"
BAD_NUMBER = "bad number"
CELL_TOO_LONG = f"a cell longer than {CELL_LIMIT:,} characters"

# One user action each: what "activity" means for daily totals and spike days.
EVENT_COLUMNS: tuple[str, ...] = (
    "Chat_MessagesSent",
    "Inline_SuggestionsCount",
    "InlineChat_TotalEventCount",
    "Dev_GenerationEventCount",
    "TestGeneration_EventCount",
    "DocGeneration_EventCount",
    "CodeFix_GenerationEventCount",
    "CodeReview_SucceededEventCount",
    "CodeReview_FailedEventCount",
    "Transformation_EventCount",
)
SPIKE_FACTOR = 3.0
SPIKE_HISTORY_DAYS = 7  # trailing window: the user's previous active days, at most this many
SPIKE_MIN_HISTORY = 3  # fewer previous active days than this: no verdict
REPORT_DELAY = timedelta(days=1)  # the report of day D is written at 00:00 UTC on D + 1 (docs/amazon-q.md)
FILE_COLUMNS = ("product", "region", "source_file")  # where a row was read, beside the report's columns


class BadActivityFile(Exception):
    """An activity CSV that cannot be read at all; the message is the short reason that is counted."""


@dataclass
class ParsedReport:
    """The usable rows of one CSV, the known columns its header lacked, and rows skipped by reason."""

    rows: pd.DataFrame
    missing_columns: tuple[str, ...]
    skipped_rows: Counter[str]


_DATE_RE = re.compile(DATE_PATTERN)
_NUMBER_RE = re.compile(NUMBER_PATTERN)


def _number(cell: str) -> int:
    """An empty cell is 0; else a number below ``MAX_COUNT`` that is not negative, truncated toward zero (ValueError
    otherwise)."""
    if not cell:
        return 0
    if not _NUMBER_RE.match(cell):
        raise ValueError(cell)
    value = float(cell)
    if not value < MAX_COUNT:
        raise ValueError(cell)
    return math.trunc(value)


def report_date(cell: str) -> date:
    """The day of a ``MM-DD-YYYY`` cell (one-digit month and day accepted); ValueError for anything else."""
    match = _DATE_RE.match(cell)
    if not match:
        raise ValueError(cell)
    month, day, year = (int(part) for part in match.groups())
    return date(year, month, day)


def cell_text(raw: str) -> str:
    """A cell as every path reads it (the SQL of ``activity_sql.cells_sql`` too): trimmed of ``BLANKS``, then one
    pair of surrounding quotes removed (``""`` inside -> ``"``) and trimmed again."""
    cell = raw.strip(BLANKS)
    if len(cell) >= 2 and cell[0] == cell[-1] == QUOTE:
        return cell[1:-1].replace(QUOTE * 2, QUOTE).strip(BLANKS)
    return cell


def csv_rows(text: str) -> Iterator[list[str]]:
    """The cells of each line of a CSV text, lines ending at LF, CRLF or CR and cells at every comma, as the Athena
    query splits them: a quote left open spoils its cell alone, and a quoted comma splits its cell (the reports
    never quote one)."""
    for line in _LINE_END.split(text):
        yield [cell_text(raw) for raw in line.split(",")]


def too_long(cells: list[str]) -> bool:
    """True when a cell is longer than ``CELL_LIMIT``."""
    return any(len(cell) > CELL_LIMIT for cell in cells)


def read_activity_csv(data: bytes) -> ParsedReport:
    """Parse one ``by_user_analytic`` CSV into ``UserId``, ``Date`` and the 44 metric columns."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadActivityFile(NOT_UTF8) from None
    reader = csv_rows(text)
    header = next(reader, [])
    if "UserId" not in header or "Date" not in header:
        raise BadActivityFile(NO_HEADER)
    position = {name: i for i, name in enumerate(header)}
    present = [name for name in METRIC_COLUMNS if name in position]
    records: list[list[object]] = []
    skipped: Counter[str] = Counter()
    for row in reader:
        if not any(row):
            continue
        if len(row) != len(header):
            skipped[WRONG_CELL_COUNT] += 1
            continue
        if too_long(row):
            skipped[CELL_TOO_LONG] += 1
            continue
        user = row[position["UserId"]]
        if not user:
            skipped[NO_USER] += 1
            continue
        try:
            day = report_date(row[position["Date"]])
        except ValueError:
            skipped[BAD_DATE] += 1
            continue
        try:
            values = [_number(row[position[name]]) if name in position else 0 for name in METRIC_COLUMNS]
        except ValueError:
            skipped[BAD_NUMBER] += 1
            continue
        records.append([user, day, *values])
    frame = pd.DataFrame(records, columns=list(ACTIVITY_COLUMNS))
    frame[list(METRIC_COLUMNS)] = frame[list(METRIC_COLUMNS)].astype("int64")
    missing = tuple(name for name in METRIC_COLUMNS if name not in present)
    return ParsedReport(frame, missing, skipped)


def empty_rows() -> pd.DataFrame:
    """An activity frame with no rows (plus the ``product``, ``region`` and ``source_file`` they came from)."""
    frame = pd.DataFrame(columns=[*ACTIVITY_COLUMNS, *FILE_COLUMNS])
    return frame.astype({name: "int64" for name in METRIC_COLUMNS})


def latest_delivery(rows: pd.DataFrame, stats: ActivityStats) -> pd.DataFrame:
    """The rows without ``source_file``, a user's day of one account, product and region counted from one file.

    A report has one row per user and day; the same user and day in two files of an account is a report
    delivered (or copied) again, which would count twice: the file delivered last (its day and hour folder, then
    its name, which holds its time) counts, and the rows of the others are counted in ``stats.replaced_rows``.
    """
    files = {name: parse_key(name) for name in rows["source_file"].unique()}
    delivered = sorted(files, key=lambda name: _delivery(files[name], name))
    order = rows["source_file"].map({name: rank for rank, name in enumerate(delivered)})
    account = rows["source_file"].map({name: key.account if key else "" for name, key in files.items()})
    kept = later_file_wins(order, [account, rows["product"], rows["region"], person_keys(rows["UserId"]), rows["Date"]])
    stats.replaced_rows += int((~kept).sum())
    return rows[kept].drop(columns="source_file").reset_index(drop=True)


def later_file_wins(order: pd.Series, groups: list[pd.Series]) -> pd.Series:
    """Which rows count when a report's rows come again in a later file: of each group (a user's day, ...), the
    rows of the file latest in ``order`` (a rank per row's file)."""
    return order == (order.groupby(groups).transform("max") if len(order) else order)


def person_keys(user_ids: pd.Series) -> pd.Series:
    """The person key of each id (people.py): a re-delivery may write a user's id in another form."""
    return user_ids.map({raw: person_key(raw) for raw in user_ids.unique()}) if len(user_ids) else user_ids


def _delivery(key: QDevKey | None, name: str) -> tuple[date, int, str, str]:
    """When a report file was delivered, as its key says, for ordering deliveries (its whole name breaks ties)."""
    if key is None:
        return date.min, -1, "", name
    return key.day, -1 if key.hour is None else key.hour, key.name, name


def with_events(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows plus an ``events`` column (sum of EVENT_COLUMNS)."""
    return rows.assign(events=rows[list(EVENT_COLUMNS)].sum(axis=1).astype("int64"))


def find_spikes(rows: pd.DataFrame, first_day: date) -> pd.DataFrame:
    """Days from ``first_day`` on where a person's (``user``) events exceed 3x the mean of their previous active
    days."""
    daily = with_events(rows).groupby(["user", "Date"], as_index=False)["events"].sum()
    daily = daily[daily["events"] > 0].sort_values(["user", "Date"])
    trailing = daily.groupby("user")["events"].transform(
        lambda s: s.shift(1).rolling(SPIKE_HISTORY_DAYS, min_periods=SPIKE_MIN_HISTORY).mean()
    )
    daily = daily.assign(trailing_average=trailing)
    spikes = daily[(daily["events"] > SPIKE_FACTOR * daily["trailing_average"]) & (daily["Date"] >= first_day)]
    spikes = spikes.assign(ratio=spikes["events"] / spikes["trailing_average"])
    return spikes.sort_values(["Date", "user"]).reset_index(drop=True)


@dataclass
class ActivityStats:
    """What was read from the activity reports."""

    files_listed: int = 0
    files_read: int = 0
    skipped_files: Counter[str] = field(default_factory=Counter)
    skipped_rows: Counter[str] = field(default_factory=Counter)
    older_layout_files: int = 0
    replaced_rows: int = 0  # rows of a user's day that a later file delivered again
    via_athena: bool = False  # read by a query (files_listed then counts the files the query saw)
    queried_regions: tuple[str, ...] = ()  # with via_athena: the regions the query ran in
    bytes_scanned: int = 0
    query_cost_usd: float = 0.0
    failed_regions: dict[str, str] = field(default_factory=dict)


@dataclass
class ActivityReport:
    """Activity-report figures for the period, plus month-to-date limits and spike days."""

    rows: pd.DataFrame  # one row per user, day and source file in the period, with ``events``
    per_user: pd.DataFrame
    per_day: pd.DataFrame
    per_feature: pd.DataFrame
    spikes: pd.DataFrame
    month: MonthWindow
    limits: list[LimitStatus]
    stats: ActivityStats
    reports_due_through: date  # the last day whose report has been delivered (at 00:00 UTC the next day)

    @property
    def daily_events(self) -> dict[str, float | int]:
        """Average, highest and lowest daily event totals over the period's days whose report is due, and those days.

        A day whose report cannot have arrived yet (today) would otherwise count as a day without events.
        """
        events = self.per_day.loc[self.per_day["Date"] <= self.reports_due_through, "events"]
        if events.empty:
            return {"average": 0.0, "max": 0, "min": 0, "days": 0}
        return {"average": float(events.mean()), "max": int(events.max()), "min": int(events.min()),
                "days": len(events)}


def summarise_activity(
    rows: pd.DataFrame,
    first_day: date,
    last_day: date,
    stats: ActivityStats,
    now: datetime | None = None,
    account_rows: pd.DataFrame | None = None,
) -> ActivityReport:
    """Aggregate rows read from ``min(first_day - 7 days, 1st of the month of last_day)`` to ``last_day``.

    Rows carry ``user``, the person an id belongs to (``people``): figures are per person, whatever ids they used.
    ``account_rows`` (default ``rows``) are every user's rows, whatever filter chose ``rows``: the account pools
    count them. ``now`` (default: the clock) says which days' reports are due yet.
    """
    rows = with_events(rows)
    reported_through = reports_due_through(now or datetime.now(UTC), REPORT_DELAY)
    window = MonthWindow.of(last_day, reported_through)
    month_rows = dated_between(rows, window.start, last_day)
    account_month = None if account_rows is None else dated_between(account_rows, window.start, last_day)
    in_period = dated_between(rows, first_day, last_day).reset_index(drop=True)
    metrics = [*METRIC_COLUMNS, "events"]

    per_user = in_period.groupby("user").agg(
        user_ids=("UserId", lambda ids: ", ".join(sorted(set(ids)))),
        days_active=("Date", "nunique"),
        **{m: (m, "sum") for m in metrics},
    )
    per_user = per_user.sort_values(["events", "days_active"], ascending=False).reset_index()

    days = pd.DataFrame({"Date": [first_day + timedelta(days=i) for i in range((last_day - first_day).days + 1)]})
    sums = in_period.groupby("Date").agg(active_users=("user", "nunique"), **{m: (m, "sum") for m in metrics})
    per_day = days.merge(sums.reset_index(), on="Date", how="left").fillna(0)
    per_day = per_day.astype({c: "int64" for c in per_day.columns if c != "Date"})

    totals = in_period[list(METRIC_COLUMNS)].sum()
    per_feature = pd.DataFrame(
        {
            "feature": [name.split("_", 1)[0] for name in METRIC_COLUMNS],
            "metric": [name.split("_", 1)[1] for name in METRIC_COLUMNS],
            "value": [int(totals[name]) for name in METRIC_COLUMNS],
        }
    )
    return ActivityReport(
        rows=in_period,
        per_user=per_user,
        per_day=per_day,
        per_feature=per_feature,
        spikes=find_spikes(rows[rows["Date"] <= last_day], first_day),
        month=window,
        limits=evaluate_limits(month_rows, window, account_rows=account_month),
        stats=stats,
        reports_due_through=reported_through,
    )


def dated_between(rows: pd.DataFrame, first_day: date, last_day: date) -> pd.DataFrame:
    """The rows dated from ``first_day`` to ``last_day``."""
    return rows[(rows["Date"] >= first_day) & (rows["Date"] <= last_day)]


def read_window(first_day: date, last_day: date) -> tuple[date, date]:
    """Report dates to read: back to the month start (limits) or 7 days before the period (spikes)."""
    return min(first_day - timedelta(days=SPIKE_HISTORY_DAYS), last_day.replace(day=1)), last_day


def report_folder_days(first_day: date, last_day: date) -> tuple[date, date]:
    """The UTC day folders that hold the reports of ``read_window``: a day's report arrives the next day."""
    first, last = read_window(first_day, last_day)
    return first, last + timedelta(days=1)


def in_read_window(rows: pd.DataFrame, first_day: date, last_day: date) -> pd.DataFrame:
    """The rows whose ``Date`` is in ``read_window``: the same rows whichever folder a report arrived in."""
    first, last = read_window(first_day, last_day)
    return rows[(rows["Date"] >= first) & (rows["Date"] <= last)]
