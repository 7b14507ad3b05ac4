"""The interface every engine implements, and what it returns."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeAlias

from ..output.progress import Reporter, silent
from .projection import UncheckedProjection, UnreadDays

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from ..aws.log_lifecycle import ArchivedDays, ExpiredDays

SqlParam = str | int | float
Rows: TypeAlias = "pd.DataFrame | pa.Table"  # a query's rows: a frame, or an Arrow table
# Objects under .../{HH}/data/ hold large request/response bodies, not records: counted, never read, no warning.
PAYLOAD_OBJECTS = "payload object under /data/ (not a log record)"
UNREADABLE_PAYLOADS = "unreadable /data/ folder of request and response bodies (it holds no records)"
SKIPPED_EXAMPLES = 3  # objects named per reason for skipping


@dataclass(frozen=True)
class LogSource:
    """Where an engine reads the logs, in parts a page can word in its own language (``description``: in English)."""

    kind: str  # "athena": the workgroup's logs table; "local": a folder of log objects
    place: str  # the Athena workgroup, or the local folder
    cache: str | None = None  # the local engine's columnar cache folder, if it keeps one

    @property
    def description(self) -> str:
        """``Amazon Athena over Model Invocation Logs (workgroup bedrock-usage)``, ``DuckDB over local log files in
        ./mirror (columnar cache in ...)``."""
        if self.kind == "athena":
            return f"Amazon Athena over Model Invocation Logs (workgroup {self.place})"
        cached = f" (columnar cache in {self.cache})" if self.cache else ""
        return f"DuckDB over local log files in {self.place}{cached}"


@dataclass(frozen=True)
class Scope:
    """Which logs a query may read: the regions and the UTC partition days (inclusive).

    Region selection belongs to the engine (one log location or Glue table per region);
    the SQL text filters on the ``dt`` partition and on exact timestamps.
    """

    regions: tuple[str, ...]
    first_day: date
    last_day: date
    # The day folders whose unreadable objects count in ``ScanStats.skipped_objects`` (``Period.own_folder_days``);
    # None: all of them. Their records are read all the same.
    own_days: tuple[date, date] | None = None
    # The UTC days the period's hours fall on (``Period.utc_days``): the partition days but the one after them read
    # for late calls, the days a note of days deleted or archived names; None: all of them.
    period_days: tuple[date, date] | None = None
    # False: an engine that can tell before it reads that none of the own days can be read in any region (Athena:
    # all outside the logs table's partition projection) raises ``PeriodNotProjected`` instead of running the query.
    run_unprojected: bool = True

    def owns(self, day: date) -> bool:
        """Whether what ``day``'s folder leaves out counts as this query's."""
        return self.own_days is None or self.own_days[0] <= day <= self.own_days[1]


@dataclass
class ScanStats:
    """What an engine read to answer a query, and what it had to leave out."""

    objects_read: int = 0
    bytes_read: int = 0
    skipped_objects: Counter[str] = field(default_factory=Counter)
    skipped_examples: dict[str, list[str]] = field(default_factory=dict)  # reason -> first paths, by name
    failed_regions: dict[str, str] = field(default_factory=dict)
    cost_usd: float = 0.0
    duplicate_records: int = 0
    compacted_through: dict[str, str] = field(default_factory=dict)  # region -> last day read from Parquet
    unread_regions: dict[str, str] = field(default_factory=dict)  # region (or folder) with logs not read -> why
    regions_without_logs: dict[str, str] = field(default_factory=dict)  # region asked for -> folder with none of it
    earlier_compacted: dict[str, str] = field(default_factory=dict)  # region -> an earlier version's copy not read
    objects_not_utf8: int = 0  # objects read with U+FFFD for bytes that are not UTF-8 (their records are kept)
    not_utf8_examples: list[str] = field(default_factory=list)  # the first of them, by name
    # region -> the days of the period the logs table's partition projection leaves out (Athena reads none of them)
    days_not_projected: dict[str, UnreadDays] = field(default_factory=dict)
    # region -> its logs table's projection, on with a range or format the days could not be checked against
    projections_not_checked: dict[str, UncheckedProjection] = field(default_factory=dict)
    tables_read: list[str] = field(default_factory=list)  # Athena: the tables its queries read (database.table)
    # Athena: region -> the days of the period a lifecycle rule of its log bucket may have archived (Athena skips an
    # archived object not restored without a word), and log bucket -> why its lifecycle rules are not known
    days_maybe_archived: dict[str, ArchivedDays] = field(default_factory=dict)
    # Athena: region -> the days of the period a lifecycle rule of its log bucket has deleted or may have (their
    # calls are gone from the bucket)
    days_expired: dict[str, ExpiredDays] = field(default_factory=dict)
    lifecycle_not_checked: dict[str, str] = field(default_factory=dict)

    def skip_example(self, reason: str, path: str) -> None:
        """Keep ``path`` among the first ``SKIPPED_EXAMPLES`` objects (by name) skipped for ``reason``, so a report
        can say where to look; bytes of a name that are not UTF-8 are written as escapes (``\\xe9``)."""
        self.skipped_examples[reason] = _first_names(self.skipped_examples.get(reason, []), path)

    def record_objects_skipped(self) -> Counter[str]:
        """``skipped_objects`` without what holds no records (the ``/data/`` payload objects and folders)."""
        return Counter({reason: count for reason, count in self.skipped_objects.items()
                        if reason != PAYLOAD_OBJECTS and not reason.startswith(UNREADABLE_PAYLOADS)})

    def not_utf8(self, path: str) -> None:
        """Count an object read with replacement characters for bytes that are not UTF-8, named like a skipped one."""
        self.objects_not_utf8 += 1
        self.not_utf8_examples = _first_names(self.not_utf8_examples, path)


def _first_names(examples: list[str], path: str) -> list[str]:
    """The first ``SKIPPED_EXAMPLES`` of ``examples`` and ``path`` by name, the bytes of a name that are not UTF-8
    written as escapes."""
    return shown_names([*examples, path])


def shown_names(paths: Sequence[str]) -> list[str]:
    """The first ``SKIPPED_EXAMPLES`` of ``paths`` by name, as a warning names them: the bytes of a name that are not
    UTF-8 written as escapes (``\\xe9``)."""
    return sorted({os.fsencode(path).decode(errors="backslashreplace") for path in paths})[:SKIPPED_EXAMPLES]


@dataclass(frozen=True)
class LogRegions:
    """The regions an engine finds logs in (what ``all`` means for it), and those it cannot look into, with why."""

    regions: tuple[str, ...]
    unread: dict[str, str] = field(default_factory=dict)


class QueryResult:
    """Rows of one query with the scan figures behind them.

    ``identity`` names exactly these rows when the engine can tell (the same identity always comes with the same
    rows: the local engine's stored results over immutable cache parts); ``shelf`` is then a folder where what is
    computed from them may be kept beside the engine's own results. Both are ``None`` otherwise (Athena, no cache).
    ``rows`` are a frame or an Arrow table (DuckDB's, handed on without a conversion), or a function that reads
    them: a stored result is read only when used, since what is kept beside it may answer without it. ``path``
    is the Parquet file that holds them when they are stored (the local engine's results), for readers that can
    scan it instead of holding every row in memory; it may be gone by then, and ``rows`` still answers.
    """

    def __init__(self, rows: Rows | Callable[[], Rows], stats: ScanStats, identity: str | None = None,
                 shelf: Path | None = None, path: Path | None = None):
        self._rows = rows
        self.stats = stats
        self.identity = identity
        self.shelf = shelf
        self.path = path

    @property
    def rows(self) -> Rows:
        """The rows as the engine made them (read on first use when the engine deferred them)."""
        if callable(self._rows):
            self._rows = self._rows()
        return self._rows

    @property
    def frame(self) -> pd.DataFrame:
        """The rows as a frame."""
        import pyarrow as pa

        if isinstance(self.rows, pa.Table):
            self._rows = self.rows.to_pandas()
        return self._rows


class Engine(Protocol):
    """Runs one SQL text (Athena/Trino dialect, ``?`` placeholders) over the logs in a scope."""

    name: str
    source: LogSource  # where it reads the logs
    description: str  # the same in English
    rereads_billed: bool  # reading the logs twice in one query doubles its bill (Athena), not only its time

    def query(self, sql: str, params: Sequence[SqlParam], scope: Scope, progress: Reporter = silent) -> QueryResult:
        """Run ``sql`` with positional ``params``; raise UsageError or SetupRequired for user-fixable faults.
        ``progress`` hears how far the query got (plain counts, ``output/progress.py``)."""
        ...

    def log_regions(self) -> LogRegions:
        """Every region that has logs this engine can read."""
        ...
