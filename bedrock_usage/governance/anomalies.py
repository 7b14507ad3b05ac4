"""Cost anomalies per application (a day far above its recent median) and the month-end forecast.

A day is flagged when its estimated cost is at least ``min_cost`` and more than ``factor`` times the median
of the ``window`` days before it. Days without a full window of history before them are not judged. Days
without calls count as zero. Unpriced calls have no cost here; their number is reported beside.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import ClassVar

import numpy as np
import pandas as pd

from ..errors import UsageError
from ..logs.identity import holds_pattern
from ..logs.layout import days_between
from ..logs.period import Period, today_in
from ..output.notices import Notice, clause
from ..output.wording import counted
from ..pricing import PriceFile
from ..report.priced_facts import EMPTY_TAG_VALUE, NO_VALUE, TOTAL_COST, split_unknown_calls
from ..report.tracker import cost_note
from .days_read import ScanBeyondDays

DEFAULT_FACTOR = 3.0
DEFAULT_WINDOW = 7
DEFAULT_MIN_COST = 1.0
ALL = "(all)"


def day_in_progress(day: date, tz: str, now: datetime | None = None) -> bool:
    """Whether ``day`` is today in ``tz``: its cost so far is part of a day. A later day is refused: it has no
    calls yet, and a forecast as of it would count the days before it as days without any."""
    today = today_in(tz, now)
    if day > today:
        raise UsageError(Notice(f"the as-of day {day} is after today ({today} in {tz}): give an --end-date up to "
                                "today", "as_of_after_today", day=str(day), today=str(today), zone=tz))
    return day == today


def month_start(day: date) -> date:
    """The first day of ``day``'s month."""
    return day.replace(day=1)


def days_in_month(day: date) -> int:
    """How many days ``day``'s month has."""
    return calendar.monthrange(day.year, day.month)[1]


def group_values(facts: pd.DataFrame, key: str | None) -> pd.Series:
    """The group each fact row belongs to: a tag's value as logged (``""`` kept, missing without the tag; named for
    display by ``group_label``), else the name, ``NO_VALUE`` when missing or empty."""
    if key is None:
        return pd.Series(ALL, index=facts.index, dtype="object")
    values = facts[key].astype("object")
    if key.startswith("tag:"):
        return values.where(values.notna(), None)
    empty = (values.astype("string").str.len() == 0).fillna(False).astype(bool)
    return values.where(values.notna() & ~empty, NO_VALUE)


def group_label(group: object) -> str:
    """A group as tables show it: ``NO_VALUE`` for calls without the tag, ``EMPTY_TAG_VALUE`` for a value logged
    empty, else the value."""
    if pd.isna(group):
        return NO_VALUE
    return EMPTY_TAG_VALUE if group == "" else str(group)


CALLER_PATTERNS = ("user_pattern", "arn_pattern")  # the filters that can name a group: they choose the callers


def named_by(filters: Mapping[str, object], group: object) -> bool:
    """Whether a caller pattern of the user's filters (``--user-pattern``, ``--arn-pattern``) names ``group``: the
    pattern holds its name or its name holds the pattern, in any letter case (``holds_pattern``), as ``checkout`` and
    ``checkout-BedrockRole`` name the application ``checkout``; a group without a name is named by none."""
    if not isinstance(group, str) or not group or group == NO_VALUE:
        return False
    patterns = [value for value in (filters.get(name) for name in CALLER_PATTERNS) if isinstance(value, str) and value]
    return any(holds_pattern(group, pattern) or holds_pattern(pattern, group) for pattern in patterns)


def no_calls_warning(group: object) -> Notice:
    """A group the filters name that made no call in the period: its daily rows are there, each $0."""
    label = group_label(group)
    return Notice(f"{label}, which the filters name, made no call in the period: its daily rows are $0",
                  "named_no_calls", group=label)


def daily_cost(facts: pd.DataFrame, key: str | None, first: date, last: date,
               measure: str = TOTAL_COST) -> pd.DataFrame:
    """Estimated cost (or another ``measure`` of the facts) per local day (rows, every day ``first``..``last``) and
    group (columns); no calls = 0."""
    days = days_between(first, last)
    if facts.empty:
        return pd.DataFrame(index=pd.Index(days, name="day"), dtype="float64")
    frame = pd.DataFrame({
        "day": pd.to_datetime(facts["day"]).dt.date,
        "group": group_values(facts, key),
        "value": facts[measure].fillna(0.0).astype("float64"),
    })
    frame = frame.loc[(frame["day"] >= first) & (frame["day"] <= last)]
    # groupby keeps the calls without the tag (a missing group), which pivot_table would drop
    table = frame.groupby(["day", "group"], dropna=False)["value"].sum().unstack("group", fill_value=0.0)
    return table.reindex(days, fill_value=0.0).rename_axis("day").rename_axis(None, axis=1).astype("float64")


def on_days(facts: pd.DataFrame, first: date, last: date) -> pd.DataFrame:
    """The fact rows of the local days ``first`` .. ``last``."""
    if facts.empty:
        return facts
    days = pd.to_datetime(facts["day"]).dt.date
    return facts.loc[(days >= first) & (days <= last)]


def first_logged_day(facts: pd.DataFrame, as_of: date, window: int) -> date | None:
    """The first local day with a logged call (of those the filters keep) in the two windows up to ``as_of``; None
    without any. It falls inside the pace's days only after more than a window of days without calls, so a quiet
    stretch such as a weekend is never taken for the start of logging; looking at those days only, a mode that
    reads further back (``--anomalies --days 30``) finds the same day as a budget check."""
    days = pd.to_datetime(facts["day"]).dt.date
    recent = days[(days >= as_of - timedelta(days=2 * window)) & (days <= as_of)]
    return recent.min() if len(recent) else None


def pace_days(last_whole: date, window: int, logs_from: date | None = None) -> list[date]:
    """The days whose mean daily cost is a forecast's pace: the ``window`` days up to ``last_whole``, none before
    ``logs_from`` (the first day with logs): a day before logging began is no day without calls."""
    first = last_whole - timedelta(days=window - 1)
    return days_between(max(first, logs_from) if logs_from else first, last_whole)


@dataclass(frozen=True)
class ForecastBasis:
    """What every month-end forecast of a run rests on: the as-of day, whether it is today, the pace's window and
    the first day with logs in the scan (None: no logs)."""

    as_of: date
    window: int = DEFAULT_WINDOW
    in_progress: bool = False
    logs_from: date | None = None

    @property
    def days(self) -> list[date]:
        """The days the pace averages."""
        return pace_days(self.as_of - timedelta(days=1) if self.in_progress else self.as_of, self.window,
                         self.logs_from)

    @property
    def short(self) -> bool:
        """Whether logging began too late for the pace to average a whole window."""
        return self.logs_from is not None and len(self.days) < self.window

    def method(self) -> str:
        """The forecast, in words, naming the days its pace averages."""
        days = self.days
        span = f"{days[0]} .. {days[-1]}" if days else "none"
        before = f"; not the days before logging began on {self.logs_from}" if self.short else ""
        if self.in_progress:
            return (f"month-to-date cost + mean daily cost of the {counted(len(days), 'whole day')} before the as-of "
                    f"day ({span}, days without calls as 0{before}) x days left in the month after it; the as-of day "
                    "is today, not over, and counts as at least that mean (the rest of today)")
        return (f"month-to-date cost + mean daily cost of the last {counted(len(days), 'day')} ({span}, up to and "
                f"including the as-of day, days without calls as 0{before}) x days left in the month after the "
                "as-of day")

    def warning(self) -> str | None:
        """A pace that rests on fewer days than its window, in one line; None when it has them all."""
        if not self.short:
            return None
        before = clause("; the month to date leaves out any spend before that day"
                        if self.logs_from and self.logs_from > month_start(self.as_of) else "", "spend_before_logs")
        return Notice(f"logs begin on {self.logs_from}: the month-end forecast's daily pace is the mean of only "
                      f"{counted(len(self.days), 'day')}, not {self.window}, so the forecast is rough{before}",
                      "short_pace", first=str(self.logs_from), days=len(self.days), window=self.window, before=before)


@dataclass(frozen=True)
class Forecast:
    """Month-end forecast of one series: month to date + the rest of today (an as-of day in progress) + the pace x
    the days left."""

    month_to_date_usd: float
    recent_daily_mean_usd: float
    days_left: int
    forecast_usd: float
    rest_of_today_usd: float = 0.0


def forecast_series(series: pd.Series, basis: ForecastBasis) -> Forecast:
    """Forecast the month of ``basis.as_of`` from a daily cost series indexed by day (absent days count as 0).

    The pace is the mean of ``basis.days``: never of days before logging began. An as-of day in progress (today)
    is not over: the pace is of the whole days before it (its cost so far would lower the mean), and the day counts
    as that mean unless it has already cost more.
    """
    as_of = basis.as_of
    month_to_date = float(series[[d for d in series.index if month_start(as_of) <= d <= as_of]].sum())
    recent = [float(series.get(day, 0.0)) for day in basis.days]
    mean = float(np.mean(recent)) if recent else 0.0
    days_left = days_in_month(as_of) - as_of.day
    rest_of_today = max(0.0, mean - float(series.get(as_of, 0.0))) if basis.in_progress else 0.0
    return Forecast(month_to_date, mean, days_left, month_to_date + rest_of_today + mean * days_left, rest_of_today)


def detect_anomalies(
    daily: pd.DataFrame, judge_from: date, factor: float = DEFAULT_FACTOR, window: int = DEFAULT_WINDOW,
    min_cost: float = DEFAULT_MIN_COST,
) -> pd.DataFrame:
    """Days from ``judge_from`` on whose cost exceeds ``factor`` x the trailing ``window``-day median."""
    rows = []
    days = list(daily.index)
    for group in daily.columns:
        series = daily[group]
        for position, day in enumerate(days):
            if day < judge_from or position < window:
                continue
            cost = float(series.iloc[position])
            baseline = float(np.median(series.iloc[position - window : position]))
            if cost >= min_cost and cost > factor * baseline:
                rows.append({
                    "group": group, "day": day.isoformat(), "cost_usd": cost, "baseline_usd": baseline,
                    "ratio": cost / baseline if baseline > 0 else None,
                })
    columns = ["group", "day", "cost_usd", "baseline_usd", "ratio"]
    return pd.DataFrame(rows, columns=columns).sort_values(["day", "group"]).reset_index(drop=True)


@dataclass
class AnomalyReport(ScanBeyondDays):
    """Anomalies in a period and the month-end forecast, per group (application by default)."""

    DAYS_BEFORE: ClassVar[tuple[str, str]] = ("the median's and the forecast's days before the period", "the period")

    period: Period
    group_by: str
    factor: float
    window: int
    min_cost: float
    # group, day, cost_usd, unpriced_calls: every day of the period, for the groups with a call in it or named by the
    # filters (``named_by``)
    daily: pd.DataFrame
    anomalies: pd.DataFrame
    # group, month, as_of, month_to_date_usd, recent_daily_mean_usd, days_left, forecast_usd, unpriced_calls,
    # rest_of_today_usd: the groups with calls in the month to date or the pace's days
    forecast: pd.DataFrame
    unjudged_days: list[str]
    unpriced_calls: int
    basis: ForecastBasis
    read: Period  # the days the scan read (``scan_period``): the period and the median's and forecast's days before
    split_unknown_calls: int = 0  # the period's priced calls with cache writes at the 5-minute rate, split unknown
    warnings: list[str] = field(default_factory=list)
    filters: dict[str, object] = field(default_factory=dict)  # what narrowed the calls: their costs only
    price_file: PriceFile | None = None  # the user's price file, when its rows priced some of the calls
    scan_warnings: list[str] = field(default_factory=list)  # the scan's, over every day ``read``

    @property
    def own_days(self) -> Period:
        """The days the report's own lines count: ``period``."""
        return self.period

    @property
    def accuracy(self) -> dict[str, str]:
        """What the figures are: every one is a cost, estimated as the report's cost note says, counting the period's
        calls whose cache writes went at the 5-minute rate for want of their split."""
        return {"cost": cost_note(self.price_file, self.split_unknown_calls)}

    @property
    def in_progress(self) -> bool:
        """Whether the period ends today."""
        return self.basis.in_progress

    @property
    def method(self) -> str:
        """How the forecast is made."""
        return self.basis.method()


def scan_period(period: Period, window: int = DEFAULT_WINDOW) -> Period:
    """The days to read for ``period``: ``window`` days of history before it, the whole month of its end, and two
    windows before its end (the forecast's pace and a window before it, which shows whether logging began inside
    the pace's days: ``first_logged_day``)."""
    first = min(period.start - timedelta(days=window), period.end - timedelta(days=2 * window),
                month_start(period.end))
    return Period(first, period.end, period.tz)


def analyze_anomalies(
    facts: pd.DataFrame, period: Period, key: str = "application", factor: float = DEFAULT_FACTOR,
    window: int = DEFAULT_WINDOW, min_cost: float = DEFAULT_MIN_COST, history_start: date | None = None,
    now: datetime | None = None, filters: Mapping[str, object] | None = None,
) -> AnomalyReport:
    """Anomalies in ``period`` and the forecast for the month of its last day, from facts of ``scan_period``.

    ``history_start`` is the first day the facts cover (default: ``scan_period(period).start``): the report's
    ``read`` begins there. History begins no earlier than the first day with any call: days before logging began are
    not zero-cost days.
    ``now`` (default: the clock) says whether the last day is still in progress.
    ``filters``: what narrowed the calls (``run_filters``); a group without a call in the period has no daily rows
    unless they name it (``named_by``), and then a warning says it made none.
    """
    basis = ForecastBasis(period.end, window, day_in_progress(period.end, period.tz, now),
                          first_logged_day(facts, period.end, window))
    read = Period(history_start or scan_period(period, window).start, period.end, period.tz)
    first = read.start
    if len(facts):  # days before the first call have no history to judge by
        first = max(first, min(pd.to_datetime(facts["day"]).dt.date.min(), period.end))
    daily = daily_cost(facts, key, first, period.end)
    # calls without a price are not in a cost: a group whose calls have none shows 0 beside its unpriced calls
    unpriced_daily = daily_cost(facts, key, first, period.end, "unpriced_calls").reindex(columns=daily.columns,
                                                                                         fill_value=0.0)
    # a group without a call in the month to date or the pace's days (its spend all before them) has nothing to
    # forecast: no row, rather than a forecast of $0 beside groups that spend
    calls = daily_cost(facts, key, first, period.end, "calls").reindex(columns=daily.columns, fill_value=0.0)
    forecast_days = sorted({*(d for d in daily.index if month_start(period.end) <= d), *basis.days})
    anomalies = detect_anomalies(daily, period.start, factor, window, min_cost)
    unjudged = [d.isoformat() for i, d in enumerate(daily.index) if d >= period.start and i < window]
    forecasts = []
    for group in daily.columns:
        if not calls[group].reindex(forecast_days, fill_value=0.0).sum():
            continue
        f = forecast_series(daily[group], basis)
        month_unpriced = unpriced_daily[group][[d for d in daily.index if month_start(period.end) <= d]].sum()
        forecasts.append({"group": group, "month": period.end.strftime("%Y-%m"), "as_of": period.end.isoformat(),
                          "month_to_date_usd": f.month_to_date_usd, "recent_daily_mean_usd": f.recent_daily_mean_usd,
                          "days_left": f.days_left, "forecast_usd": f.forecast_usd,
                          "unpriced_calls": int(month_unpriced), "rest_of_today_usd": f.rest_of_today_usd})
    forecast = pd.DataFrame(forecasts, columns=["group", "month", "as_of", "month_to_date_usd",
                                                "recent_daily_mean_usd", "days_left", "forecast_usd",
                                                "unpriced_calls", "rest_of_today_usd"])
    own_days = [d for d in daily.index if d >= period.start]
    filters = dict(filters or {})
    # a group without a call in the period (its calls all in the median's or forecast's days before it) has no
    # daily rows of $0 beside groups that spend, unless the filters name it: then its rows answer, and a line says
    idle = ~calls.loc[own_days].sum().astype(bool).to_numpy()
    named_idle = [g for g, quiet in zip(daily.columns, idle, strict=True) if quiet and named_by(filters, g)]
    shown = ~idle | daily.columns.isin(named_idle)
    long = daily.loc[own_days, shown].reset_index().melt(id_vars="day", var_name="group", value_name="cost_usd")
    unpriced_long = unpriced_daily.loc[own_days, shown].reset_index().melt(id_vars="day", var_name="group",
                                                                            value_name="unpriced_calls")
    long = long.assign(unpriced_calls=unpriced_long["unpriced_calls"].astype("int64"))
    long["day"] = long["day"].map(date.isoformat)
    own = on_days(facts, period.start, period.end)
    unpriced = int(own["unpriced_calls"].sum()) if len(own) else 0
    return AnomalyReport(
        period=period, group_by=key, factor=factor, window=window, min_cost=min_cost,
        daily=long[["group", "day", "cost_usd", "unpriced_calls"]],
        anomalies=anomalies,
        forecast=forecast.sort_values("forecast_usd", ascending=False).reset_index(drop=True),
        unjudged_days=unjudged,
        unpriced_calls=unpriced,
        basis=basis,
        read=read,
        split_unknown_calls=split_unknown_calls(own),
        warnings=[line for line in [basis.warning(), *map(no_calls_warning, named_idle)] if line],
        filters=filters,
    )
