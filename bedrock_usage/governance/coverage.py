"""Which days of a period the logs hold records for, so that part of a month is never billed as the whole month.

Days are the facts' local days in the period's time zone. A day without any record is logging off, logs not arrived
yet, or a day without calls: the logs cannot tell which, so such days are counted and named, never filled in. With
several regions a day counts as covered when any region has records on it; a region whose records begin later or end
earlier than another's, by more than any pause between its own calls, is named beside it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise

import pandas as pd

from ..logs.layout import days_between
from ..logs.period import Period, through_today, today_in
from ..output.notices import Notice, clause
from ..output.wording import counted, day_spans

NAMED_GAPS = 5  # days in between without records named in the warning; the rest are counted


def through_day(period: Period, now: datetime | None = None) -> date:
    """The period's last day that has begun: its end, or today while it is in progress; a UsageError when the period
    begins after today (``now``, default the clock), since no log can hold it yet."""
    return through_today(period, now)[0].end


@dataclass(frozen=True)
class Coverage:
    """The days of ``period`` up to ``through`` and those among them with at least one record (of the calls the
    filters keep, when ``filtered``), in all and in each region read."""

    period: Period
    through: date
    record_days: tuple[date, ...]  # in order
    today: date  # in the period's zone, when the coverage was read
    filtered: bool = False  # only the calls of some models, callers or users are counted
    subject: str = "the chargeback"  # what leaves out the days without logs, in the warning
    region_days: Mapping[str, tuple[date, ...]] = field(default_factory=dict)  # region read -> its days with records
    # region -> the days Athena does not read there: outside the logs table's partition projection
    region_unread: Mapping[str, tuple[date, ...]] = field(default_factory=dict)

    @property
    def unread_days(self) -> tuple[date, ...]:
        """The days Athena did not read in some region, in order."""
        return tuple(sorted({day for days in self.region_unread.values() for day in days}))

    @property
    def first_day(self) -> date | None:
        """The first day with records, None without any."""
        return self.record_days[0] if self.record_days else None

    @property
    def last_day(self) -> date | None:
        """The last day with records, None without any."""
        return self.record_days[-1] if self.record_days else None

    @property
    def in_progress(self) -> bool:
        """Whether the period's last day is not over yet (a month-end close run on the 30th misses its evening)."""
        return self.today <= self.period.end

    @property
    def missing_days(self) -> list[date]:
        """Days of the period up to ``through`` without any record."""
        return self._without(self.record_days)

    def _without(self, held: Iterable[date]) -> list[date]:
        """Days of the period up to ``through`` not among ``held``."""
        had = set(held)
        return [day for day in days_between(self.period.start, self.through) if day not in had]

    @property
    def complete(self) -> bool:
        """Whether the period is over and every one of its days has records."""
        return not self.in_progress and not self.missing_days

    def summary(self) -> str:
        """``logs cover 2025-11-15 .. 2025-11-30 (16 of 30 days with records, 14 without any)``."""
        if not self.record_days:
            return f"no log records in {self.period.start} .. {self.through}"
        missing = len(self.missing_days)
        without = f", {missing:,} without any" if missing else ""
        return (f"logs cover {self.first_day} .. {self.last_day} ({len(self.record_days):,} of {self.period.days:,} "
                f"days with records{without})")

    def gaps(self) -> list[date]:
        """Days between the first and the last day with records that have none."""
        if not self.record_days:
            return []
        first, last = self.record_days[0], self.record_days[-1]
        return [day for day in self.missing_days if first < day < last]

    def warning(self) -> str | None:
        """Why the figures are not the whole period's, in one line; None when they are."""
        if self.complete:
            return None
        reasons = self._unread_reason()
        unread = set(self.unread_days)
        if not self.record_days:
            reasons.append("no call matches the filters" if self.filtered else
                           f"{self.subject} is empty (is logging on, and are these the regions and logs to read?)")
        elif any(day not in unread for day in days_between(self.period.start, self.record_days[0])[:-1]):
            reasons.append(f"no matching calls before {self.record_days[0]}" if self.filtered else
                           f"{self.subject} leaves out spend before logging began")
        if self.in_progress:
            reasons.append(f"the month is not over (month to {self.through}, today included)")
        if self.record_days and any(day not in unread for day in days_between(self.record_days[-1], self.through)[1:]):
            last = self.record_days[-1]
            reasons.append(f"no records after {last} yet" if self.in_progress else
                           f"no matching calls after {last}" if self.filtered else
                           f"no records after {last}: {self.subject} leaves out spend after the logs stop")
        gaps = [day for day in self.gaps() if day not in unread]
        if gaps:
            named = ", ".join(day.isoformat() for day in gaps[:NAMED_GAPS])
            more = ", ..." if len(gaps) > NAMED_GAPS else ""
            reasons.append(f"{counted(len(gaps), 'day')} in between without any record ({named}{more})")
        return f"{self.summary()}: {'; '.join(reasons)}"

    def _unread_reason(self) -> list[str]:
        """The days without records that Athena did not read, as the first reason (their logs may be there), with the
        regions that did not read them."""
        unread = [day for day in self.missing_days if day in set(self.unread_days)]
        if not unread:
            return []
        in_region = {region: [day for day in unread if day in set(days)]
                     for region, days in sorted(self.region_unread.items())}
        where = "; ".join(f"{day_spans(days, NAMED_GAPS)} in {region}" for region, days in in_region.items() if days)
        return [f"{counted(len(unread), 'day')} not read ({where}: outside the partition projection of the Athena "
                f"logs table, see the warnings), so {self.subject} leaves out their spend"]

    def region_missing_days(self, region: str) -> list[date]:
        """Days of the period up to ``through`` without any record of ``region``."""
        return self._without(self.region_days.get(region, ()))

    def region_notes(self) -> list[str]:
        """With several regions read, a line per region whose records begin later or end earlier than other regions'
        by more days than any pause between its own days with records in the period (logging begun late, stopped, or
        logs late). Days a region lacks between its own days with records (a region not called at weekends), a day not
        over yet, and a region with records on fewer than two days (no pause to judge by) are left to the JSON's
        ``coverage.regions``; a day Athena did not read there is left to the scan's warning of it."""
        if len(self.region_days) < 2:
            return []
        notes = []
        for region, days in sorted(self.region_days.items()):
            if len(days) < 2:
                continue
            unread = set(self.region_unread.get(region, ()))
            pause = max((later - earlier).days - 1 for earlier, later in pairwise(days))
            before = [day for day in self.record_days if day < days[0] and day not in unread]
            after = [day for day in self.record_days if days[-1] < day < self.today and day not in unread]
            if before and (days[0] - before[0]).days > pause:
                notes.append(self._region_note(region, before, f"before {days[0]}", f"from {before[0]}",
                                               "its logging began later, or no calls there before"))
            if after and (after[-1] - days[-1]).days > pause:
                notes.append(self._region_note(region, after, f"after {days[-1]}", f"through {after[-1]}",
                                               "its logging off or its logs late, or no calls there since"))
        return notes

    def _region_note(self, region: str, lacking: list[date], side: str, others: str, causes: str) -> str:
        """One region's note: the days other regions have records on, ``side`` of its own, and their likely
        ``causes``."""
        pause = f"{day_spans(lacking, NAMED_GAPS)}: {counted(len(lacking), 'day')}, a longer pause than any between"
        if self.filtered:
            return (f"{region} has no matching calls {side} while other regions have them {others} ({pause} its "
                    "matching calls in the month)")
        return (f"{region} has no records {side} while other regions have records {others} ({pause} its calls in "
                f"the month): {causes} (then {self.subject} leaves out its spend of those days)")

    def headline(self) -> str:
        """The days the logs cover in one line, the same in the text, the warnings and on stderr:
        ``PARTIAL MONTH: ...`` when not the whole period, else ``Whole month: ...``."""
        warning = self.warning()
        return f"PARTIAL MONTH: {warning}." if warning else f"Whole month: {self.summary()}."

    def warnings(self) -> list[str]:
        """The headline when it is a warning (a partial month), then the regions that lack days others have."""
        return ([self.headline()] if self.warning() else []) + self.region_notes()


def log_coverage(facts: pd.DataFrame, period: Period, now: datetime | None = None,
                 filtered: bool = False, subject: str = "the chargeback",
                 unread: Mapping[str, Iterable[date]] | None = None, regions: Sequence[str] = ()) -> Coverage:
    """The days of ``period`` the fact rows (one local ``day`` each, of the calls the filters keep when
    ``filtered``) have records for, as of ``now``, in all and in each of the ``regions`` read and the facts'
    ``source_region``; ``subject`` names what the days without records are missing from, ``unread`` the UTC day
    folders Athena did not read in each region (``ScanStats.days_not_projected``)."""
    through = through_day(period, now)

    def in_period(values: Iterable[object]) -> set[date]:
        """The days of ``values`` (dates or ISO text) from the period's start to ``through``."""
        return {day for day in pd.to_datetime(pd.Series(list(values))).dt.date if period.start <= day <= through}

    held = in_period(facts["day"].unique()) if len(facts) else set()
    by_region: dict[str, set[date]] = {region: set() for region in regions}
    if len(facts) and "source_region" in facts.columns:
        for region, days in facts.groupby("source_region")["day"].unique().items():
            by_region.setdefault(str(region), set()).update(in_period(days))
    zone = period.zone  # a UTC folder is the local day that holds its noon (``Period.own_folder_days``)
    local = {region: tuple(sorted({datetime.combine(day, time(12), UTC).astimezone(zone).date() for day in days}))
             for region, days in (unread or {}).items()}
    return Coverage(period, through, tuple(sorted(held)), today_in(period.tz, now), filtered, subject,
                    {region: tuple(sorted(days)) for region, days in by_region.items()}, local)


def trailing_days_without_records(facts: pd.DataFrame, period: Period) -> list[date]:
    """The run of days of ``period`` ending on its last day that hold no record (of the calls the filters keep),
    oldest first: empty when its last day has one, every day of it when none has."""
    held = set(pd.to_datetime(facts["day"]).dt.date) if len(facts) else set()
    days, day = [], period.end
    while day >= period.start and day not in held:
        days.append(day)
        day -= timedelta(days=1)
    return days[::-1]


def trailing_gap_warning(days: list[date], period: Period, filtered: bool = False) -> str | None:
    """One line naming ``days`` (``trailing_days_without_records``), which figures as of ``period``'s last day count
    as $0 though the logs may have stopped or be late; None when there are none."""
    if not days:
        return None
    span = f"{days[0]}" if len(days) == 1 else f"{days[0]} .. {days[-1]}"
    what = "no matching calls" if filtered else "no log records"
    since = clause(f", none since the read began on {period.start}" if days[0] == period.start else "",
                   "gap_since_start", start=str(period.start))
    cause = "logging may be off or its logs late" + (", or no call matched the filters" if filtered else "")
    return Notice(f"{what} on {span} ({counted(len(days), 'day')} up to the as-of day{since}): {cause}; any calls "
                  "of those days are not in the spend, and the forecast's pace counts them as $0",
                  "trailing_gap_filtered" if filtered else "trailing_gap", span=span, days=len(days), since=since)
