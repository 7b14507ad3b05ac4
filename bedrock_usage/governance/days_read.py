"""The scan's warnings of a governance mode that reads days before those it reports on (a budget check's month, the
anomalies' period): they count every day read, so they come last, under a line naming those days, below the mode's
own lines, which count its days. A scan that read none before them (a budget check late in the month, whose forecast
windows lie in the month) counts the same days as those lines: its warnings then follow them without that line."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from ..logs.period import Period


class ScanBeyondDays:
    """A mode's result whose scan read days before those it reports on. ``read``: the days the scan read;
    ``warnings``: the result's own (counting its days); ``scan_warnings``: the scan's (duplicates ignored, records
    skipped, calls without a price ...), over every day read. ``DAYS_BEFORE``: what the days before were read for and
    the days the result's own lines count, in words."""

    read: Period
    warnings: list[str]
    scan_warnings: list[str]
    DAYS_BEFORE: ClassVar[tuple[str, str]]

    @property
    def own_days(self) -> Period:
        """The days the result's own lines count."""
        raise NotImplementedError

    @property
    def read_before(self) -> bool:
        """Whether the scan read days before ``own_days``, so that its warnings count more days than the result's."""
        return self.read.start < self.own_days.start

    def days_read_line(self) -> str:
        """The line over the scan's warnings: they count every day read, not the days the result's own lines count."""
        before, own = self.DAYS_BEFORE
        return (f"the scan's warnings below count every day read, {self.read.start} .. {self.read.end} "
                f"({self.read.tz}), {before} included, not {own} alone:")

    def all_warnings(self, heading: str | None = None, more: Sequence[str] = ()) -> list[str]:
        """The result's warnings (``warnings``, then ``more``: each counting its days), then the scan's under
        ``heading`` (default: ``days_read_line``), which says they count every day read; without it when the scan read
        no day before ``own_days``."""
        own = [*self.warnings, *more]
        if not self.scan_warnings or not self.read_before:
            return [*own, *self.scan_warnings]
        return [*own, heading or self.days_read_line(), *self.scan_warnings]
