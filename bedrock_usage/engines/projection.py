"""The days the logs table's partition projection covers: Athena reads no ``dt`` partition outside its range.

``setup_athena_bucket.py --start-date`` sets ``projection.dt.range`` (``2026/11/28,NOW``). Athena "ignores the
earlier dates in the query" (Athena User Guide, partition projection, the date type), so a day before the range start
(or after a fixed end) reads nothing, with no error: such days are named here, so a report never shows them as $0.
A range or format this does not read (``2024/01/01,NOW-1YEARS+...``, a format with other letters) is named too, as
one against which the days could not be checked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from ..errors import UsageError
from ..logs.layout import days_between
from ..logs.schema import PARTITION_COLUMN
from ..output.notices import Notice
from ..output.wording import day_spans

NOW = "NOW"
RANGE_KEY = f"projection.{PARTITION_COLUMN}.range"
FORMAT_KEY = f"projection.{PARTITION_COLUMN}.format"
WIDEN_STEP = "python setup_athena_bucket.py --regions {region} --start-date {day}"
# Java DateTimeFormatter letters a day's format may use, as strptime directives; any other makes the range unknown.
_JAVA_TO_STRPTIME = {"yyyy": "%Y", "MM": "%m", "dd": "%d", "HH": "%H", "mm": "%M", "ss": "%S"}
_JAVA_FIELD = re.compile(r"yyyy|MM|dd|HH|mm|ss|[A-Za-z]")
# Relative bounds: NOW, NOW-3YEARS, NOW+1DAYS (Athena User Guide, supported types for partition projection).
_RELATIVE = re.compile(r"NOW(?:([+-])(\d+)(YEARS|MONTHS|WEEKS|DAYS|HOURS|MINUTES|SECONDS))?")
_UNIT_SECONDS = {"WEEKS": 7 * 86400, "DAYS": 86400, "HOURS": 3600, "MINUTES": 60, "SECONDS": 1}


@dataclass(frozen=True)
class ProjectedDays:
    """The UTC days ``first`` to ``last`` the ``dt`` projection covers (``last`` None: up to now), and its range as
    the table states it."""

    first: date
    last: date | None
    range_text: str

    def covers(self, day: date) -> bool:
        """Whether Athena reads ``day``'s partition."""
        return self.first <= day and (self.last is None or day <= self.last)

    def label(self) -> str:
        """``2026-11-28 through today`` or ``2026-11-01 through 2026-11-20``."""
        if self.last is None:
            return Notice(f"{self.first} through today", "through_today", first=str(self.first))
        return Notice(f"{self.first} through {self.last}", "through_day", first=str(self.first), last=str(self.last))


@dataclass(frozen=True)
class UnreadDays:
    """The days of a query's period in one region that Athena does not read, and the projection that leaves them
    out; ``every_day`` when it reads none of the period's days."""

    days: tuple[date, ...]
    projected: ProjectedDays
    every_day: bool
    table: str  # database.table

    def spans(self) -> str:
        """``2026-11-25 .. 2026-11-27, 2026-12-02``: the days as runs of consecutive days."""
        return day_spans(self.days)

    def widen_step(self, region: str) -> str:
        """The setup command that makes the projection cover these days."""
        return WIDEN_STEP.format(region=region, day=min(self.days[0], self.projected.first))

    def why(self, region: str) -> str:
        """Why Athena reads nothing of these days in ``region``, and the command that changes it."""
        label, step = self.projected.label(), self.widen_step(region)
        return Notice(f"the partition projection of table {self.table} in {region} covers only {label} ({RANGE_KEY} "
                      f"{self.projected.range_text}) and Athena ignores the days outside it: run {step} to widen it",
                      "projection_range", table=self.table, region=region, projected=label,
                      range=f"{RANGE_KEY} {self.projected.range_text}", step=step)


@dataclass(frozen=True)
class UncheckedProjection:
    """A ``dt`` projection that is on, with a range or format this does not read (as the table states them, ``""``
    when missing): whether Athena reads a day cannot be told."""

    range_text: str
    format_text: str
    table: str = ""  # database.table

    def note(self, region: str) -> str:
        """The report's warning: the table, its range and format, and that the days could not be checked."""
        shape = f"{RANGE_KEY} {self.range_text!r}, {FORMAT_KEY} {self.format_text!r}"
        return Notice(f"the partition projection of table {self.table} in {region} is one this tool cannot read "
                      f"({shape}), so the period's days could not be checked against it: Athena reads nothing of a "
                      "day outside it, and such a day would show $0 rather than its spend (python "
                      f"setup_athena_bucket.py --regions {region} --start-date DAY writes a range this reads)",
                      "projection_unchecked", table=self.table, region=region, shape=shape)


class PeriodNotProjected(UsageError):
    """Athena would read none of the period's days in any region asked: raised before the query runs (it would be
    billed for reading nothing), so the caller refuses the report with ``refusal``."""

    def __init__(self, unread: dict[str, UnreadDays]):
        super().__init__(refusal("the period", unread))
        self.unread = unread


def refusal(period: str, unread: dict[str, UnreadDays]) -> Notice:
    """Why no report of ``period`` is made when Athena reads none of its days: each region's projection and the
    command that widens it."""
    why = [unread[region].why(region) for region in sorted(unread)]
    return Notice(f"Athena reads none of the days of {period}, so no report is made ($0 would read as no spend): "
                  f"{'; '.join(why)}", "none_projected", period=period, why=why)


def parse_projected_days(table: dict[str, Any] | None,
                         now: datetime | None = None) -> ProjectedDays | UncheckedProjection | None:
    """The days the ``dt`` projection of the logs table's definition covers; None when projection is off (every day
    is read); ``UncheckedProjection`` when its range or format is one this does not read."""
    parameters = (table or {}).get("Parameters") or {}
    if parameters.get("projection.enabled", "").lower() != "true":
        return None
    text, java = parameters.get(RANGE_KEY, ""), parameters.get(FORMAT_KEY, "")
    pattern = _strptime_pattern(java)
    bounds = [part.strip() for part in text.split(",")]
    if pattern is None or len(bounds) != 2:
        return UncheckedProjection(text, java)
    clock = now or datetime.now(UTC)
    first, last = (_bound(bound, pattern, clock) for bound in bounds)
    if first is None or last is None:
        return UncheckedProjection(text, java)
    return ProjectedDays(first, None if bounds[1] == NOW else last, text)


def unread_days(projected: ProjectedDays | None, days: tuple[date, date], read_elsewhere: tuple[date, date] | None,
                table: str, now: datetime | None = None) -> UnreadDays | None:
    """The days of ``days`` (first, last; those after today left out) outside ``projected`` and not in
    ``read_elsewhere`` (the compacted copy's days), ``table`` naming the logs table; None when there are none."""
    if projected is None:
        return None
    period, through = _days_through_projection(days, read_elsewhere, now)
    unread = tuple(day for day in through if not projected.covers(day))
    return UnreadDays(unread, projected, len(unread) == len(period), table) if unread else None


def unchecked_days(projection: UncheckedProjection, days: tuple[date, date],
                   read_elsewhere: tuple[date, date] | None, table: str,
                   now: datetime | None = None) -> UncheckedProjection | None:
    """``projection`` naming ``table`` when some day of ``days`` (first, last; those after today left out) is not in
    ``read_elsewhere`` (the compacted copy's days), so Athena reads it through the projection; None otherwise."""
    _, through = _days_through_projection(days, read_elsewhere, now)
    return replace(projection, table=table) if through else None


def _days_through_projection(days: tuple[date, date], read_elsewhere: tuple[date, date] | None,
                             now: datetime | None) -> tuple[list[date], list[date]]:
    """The days of ``days`` (first, last) up to today, and those of them not in ``read_elsewhere`` (the compacted
    copy's days), which Athena reads through the projection."""
    today = (now or datetime.now(UTC)).date()
    period = [day for day in days_between(*days) if day <= today]
    first, last = read_elsewhere or (date.max, date.min)
    return period, [day for day in period if not first <= day <= last]


def _strptime_pattern(java: str) -> str | None:
    """A Java date format (``yyyy/MM/dd``) as a strptime pattern; None for letters other than those of a day."""
    out, position = [], 0
    for match in _JAVA_FIELD.finditer(java):
        if match.group() not in _JAVA_TO_STRPTIME:
            return None
        out += [java[position:match.start()].replace("%", "%%"), _JAVA_TO_STRPTIME[match.group()]]
        position = match.end()
    return "".join(out) + java[position:].replace("%", "%%") if out else None


def _bound(text: str, pattern: str, now: datetime) -> date | None:
    """The UTC day of one end of a range: a date in the table's format, or NOW with an offset."""
    relative = _RELATIVE.fullmatch(text)
    try:
        return _offset(now, *relative.groups()).date() if relative else datetime.strptime(text, pattern).date()
    except (ValueError, OverflowError):
        return None


def _offset(now: datetime, sign: str | None, amount: str | None, unit: str | None) -> datetime:
    """``now`` moved by ``sign amount unit`` (nothing when no offset is given)."""
    if not sign or not amount or not unit:
        return now
    count = int(amount) * (1 if sign == "+" else -1)
    if unit in _UNIT_SECONDS:
        return now + timedelta(seconds=count * _UNIT_SECONDS[unit])
    months = now.year * 12 + now.month - 1 + count * (12 if unit == "YEARS" else 1)
    year, month = divmod(months, 12)
    next_month = date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
    return now.replace(year=year, month=month + 1, day=min(now.day, (next_month - timedelta(days=1)).day))
