"""The analysed period: inclusive calendar days in a time zone, and the UTC instants and partitions they cover."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..errors import UsageError
from ..output.notices import Notice
from .layout import days_between

MAX_DAYS = 731


@dataclass(frozen=True)
class Period:
    """Days ``start`` to ``end`` inclusive, as calendar days in ``tz``."""

    start: date
    end: date
    tz: str = "UTC"

    @property
    def zone(self) -> ZoneInfo:
        """The period's time zone."""
        return ZoneInfo(self.tz)

    @property
    def days(self) -> int:
        """Number of calendar days in the period."""
        return (self.end - self.start).days + 1

    @property
    def utc_start(self) -> datetime:
        """First instant of the period, in UTC."""
        return datetime.combine(self.start, time(), self.zone).astimezone(UTC)

    @property
    def utc_end(self) -> datetime:
        """First instant after the period, in UTC (exclusive bound)."""
        return datetime.combine(self.end + timedelta(days=1), time(), self.zone).astimezone(UTC)

    def utc_days(self) -> tuple[date, date]:
        """The UTC days the period's hours fall on: the first and last day folder of its calls' days."""
        return self.utc_start.date(), (self.utc_end - timedelta(microseconds=1)).date()

    def partition_days(self) -> tuple[date, date]:
        """UTC days whose log folders may hold the period's records.

        Objects are written after the calls they hold, so a call late on the last day can sit in the next
        day's folder: the scan reaches one day further (after ``utc_days``) and exact timestamps trim the rest.
        """
        first, last = self.utc_days()
        return first, last + timedelta(days=1)

    def own_folder_days(self) -> tuple[date, date]:
        """The UTC day folders whose unreadable contents (records, objects) count as this period's.

        A folder is read by two periods when its day straddles theirs (the next day's folder, read for late calls;
        a zone's day spanning two UTC days): it belongs to the one day of ``tz`` that holds its noon (UTC), so
        adjacent periods never both count it. In UTC these are the period's own days.
        """
        first, last = self.partition_days()
        zone = self.zone
        own = [day for day in days_between(first, last)
               if self.start <= datetime.combine(day, time(12), UTC).astimezone(zone).date() <= self.end]
        return (own[0], own[-1]) if own else (first, first - timedelta(days=1))

    def previous(self) -> Period:
        """The period of equal length just before this one."""
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1), self.tz)

    def all_days(self) -> list[date]:
        """Every day of the period."""
        return days_between(self.start, self.end)

    def columns(self) -> dict[str, str]:
        """What each row of a CSV file says of its period: ``period_start``, ``period_end`` and ``tz``, so a file
        read on its own (by a chargeback job, a spreadsheet) is unambiguous."""
        return {"period_start": self.start.isoformat(), "period_end": self.end.isoformat(), "tz": self.tz}

    def label(self) -> str:
        """``2025-10-25 .. 2025-11-03 (Asia/Seoul)``."""
        return f"{self.start} .. {self.end} ({self.tz})"


def parse_day(value: str, option: str) -> date:
    """A ``YYYY-MM-DD`` option value, or a UsageError naming the option."""
    text = value.strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise UsageError(Notice(f"{option} '{value}' is not a date in YYYY-MM-DD form", "day_not_iso", option=option,
                                value=value))
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise UsageError(Notice(f"{option} '{value}' is not a day of the calendar ({exc})", "day_not_in_calendar",
                                option=option, value=value, reason=str(exc))) from None


# Zones Python's tz database (2026f) names that Amazon Athena does not: Athena's engine 3 knows the zones of Trino's
# fixed list (core/trino-spi/.../type/zone-index.properties: "EST", "HST" and "MST" are left out as "not in
# java.time"; "ROC", "Factory", "localtime" and America/Coyhaique, new in 2025, are not in it), besides UTC, GMT and
# the Etc/GMT offsets it reads by their form. A report in one would fail in every region on Athena.
ATHENA_UNKNOWN_ZONES = frozenset({"EST", "HST", "MST", "ROC", "Factory", "localtime", "America/Coyhaique"})


# What a system's zone folder holds besides the tz database's zones, and ZoneInfo opens as well: DuckDB knows none.
_NOT_ZONES = re.compile(r"(posix|right)/.*|posixrules|localtime|Factory|.*\.(tab|zi|list)|leapseconds|tzdata\..*")


def is_zone_name(name: str) -> bool:
    """Whether ``name`` is a zone of the tz database (``right/UTC``, ``posix/Asia/Seoul`` and ``posixrules`` open in
    ``ZoneInfo`` too). Asked without listing the zone folder, which costs a repeated report 10 ms."""
    if _NOT_ZONES.fullmatch(name):
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder of zones, such as "America"
        return False
    return True


def check_zone(tz: str | None) -> str:
    """A valid IANA time zone name (``None``: UTC); an empty name is refused (an unset variable in a script, not a
    choice of UTC)."""
    name = "UTC" if tz is None else tz.strip()
    if not name:
        raise UsageError(Notice("--tz is empty: give a time zone name such as UTC or Asia/Seoul", "zone_empty"))
    if not is_zone_name(name):
        raise UsageError(Notice(f"--tz '{name}' is not a time zone name such as UTC or Asia/Seoul", "zone_unknown",
                                zone=name))
    if name in ATHENA_UNKNOWN_ZONES:
        raise UsageError(Notice(f"--tz '{name}' is not a time zone Amazon Athena knows, so the same report would "
                                "fail on Athena: give a place's zone such as America/New_York, or an offset such as "
                                "Etc/GMT+5", "zone_not_athena", zone=name))
    return name


def resolve_period(
    *,
    days: int | None = None,
    start: str | date | None = None,
    end: str | date | None = None,
    tz: str | None = None,
    today: date | None = None,
    default_days: int = 7,
) -> Period:
    """Build a Period from CLI-style options: ``--days`` or ``--start-date``/``--end-date``."""
    zone = check_zone(tz)
    today = today or datetime.now(ZoneInfo(zone)).date()
    if days is not None and not 1 <= days <= MAX_DAYS:
        raise UsageError(Notice(f"--days must be at least 1 and at most {MAX_DAYS} (got {days})", "days_out_of_range",
                                limit=MAX_DAYS, days=days))
    if days is not None and start is not None and end is not None:
        raise UsageError(Notice("--days with both --start-date and --end-date: give two of the three",
                                "days_and_dates"))
    first = start if isinstance(start, date) or start is None else parse_day(start, "--start-date")
    last = end if isinstance(end, date) or end is None else parse_day(end, "--end-date")
    span = days or default_days
    try:
        if first is None and last is None:
            last = today
        if first is None:
            first = last - timedelta(days=span - 1)
        if last is None and days is None and first > today:
            raise UsageError(Notice(f"--start-date {first} is after today ({today} in {zone}): it has no logs yet",
                                    "start_after_today", start=str(first), today=str(today), zone=zone))
        if last is None:
            last = today if days is None else first + timedelta(days=span - 1)
    except OverflowError:
        raise UsageError(Notice(f"{span} days from {first or last} leave the calendar (years 1 to 9999)",
                                "days_leave_calendar", days=span, day=str(first or last))) from None
    if first > last:
        raise UsageError(Notice(f"start date {first} is after end date {last}", "start_after_end", start=str(first),
                                end=str(last)))
    period = Period(first, last, zone)
    if period.days > MAX_DAYS:
        raise UsageError(Notice(f"the range {period.label()} has {period.days} days; the limit is {MAX_DAYS}",
                                "range_too_long", period=period.label(), days=period.days, limit=MAX_DAYS))
    return readable(lambda: period)


def today_in(tz: str, now: datetime | None = None) -> date:
    """The day it is in ``tz`` (``now``, default the clock)."""
    return (now or datetime.now(UTC)).astimezone(ZoneInfo(tz)).date()


def through_today(period: Period, now: datetime | None = None) -> tuple[Period, str | None]:
    """A report's period ending today at the latest in its zone, and a note when it was cut: later days have no logs
    yet, and counting them would spread the figures (a daily average, a prorated subscription) over days to come.
    A period that starts after today is a UsageError."""
    today = today_in(period.tz, now)
    if period.start > today:
        raise UsageError(Notice(f"the period {period.label()} starts after today ({today}): it has no logs yet",
                                "period_after_today", period=period.label(), today=str(today)))
    if period.end <= today:
        return period, None
    cut = Period(period.start, today, period.tz)
    return cut, (f"the period asked for ends after today: reported through today, {cut.label()} "
                 f"({cut.days} of {period.days} days); today's figures are partial")


def readable(make: Callable[[], Period]) -> Period:
    """The period ``make`` builds from options, checked to stay inside the calendar (years 1 to 9999) with the
    day after it (its logs reach a day further), the period before it (reports compare with it) and the month after
    its end (forecasts run to the end of the month)."""
    try:
        period = make()
        period.partition_days()
        period.previous().utc_start  # noqa: B018
        date(period.end.year + period.end.month // 12, period.end.month % 12 + 1, 1)
    except (OverflowError, ValueError):
        raise UsageError(Notice("the dates asked for are too close to the ends of the calendar (years 1 to 9999)",
                                "calendar_ends")) from None
    return period
