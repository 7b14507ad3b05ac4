"""Finished reports kept per query shape, so a repeated refresh over the same data loads them instead of pricing
and rolling up the facts again.

A report is kept only beside an engine result that names its rows exactly (``QueryResult.identity``: the local
engine's stored results over immutable cache parts). Its key adds everything else the figures depend on: the
tracker's settings, the price book's rows, the user filter and the source of the code that prices and rolls up.
The same key therefore always comes with the same figures; anything else is a new key, computed and kept anew.
Entries are pickles (tables as plain values with their dtypes: ``output.plain_table``), replaced atomically, the
few most recently used kept. A pickle runs code when loaded, so an entry is written readable and writable by its
owner only, and loaded only when it still is (POSIX): a file another user wrote or could have changed is ignored
and the report computed again.

The fact rows (nearly one per record) are kept in a Parquet file of their own beside the entry, written from the
priced rows' Arrow table, and read when first used (``StoredFacts``, ``DeferredFrame``): a report that only prints
its tables loads a few hundred rows, and one computed afresh never turns its facts into a frame unless asked. The
tables themselves are kept as plain values (``PlainTable``), so loading and printing a kept report needs no pandas.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

from ..cache import keep_newest, source_digest, write_atomically
from ..errors import UsageError
from ..lazy_modules import lazy, library_version
from ..output.notices import Notice
from ..output.plain_table import PlainTable
from .price_notes import PriceNotes
from .priced_facts import PricedRows, SkippedRecords

pd = lazy("pandas")
pa = lazy("pyarrow")

KEPT_REPORTS = 16  # finished reports kept per logs folder, the most recently used
# The modules whose code turns engine rows into the figures: a change to any of them is a new key.
_FIGURE_CODE = ("report", "pricing", "logs", "governance/profiles.py", "output/plain_table.py", "output/wording.py")


@dataclass(frozen=True)
class StoredFacts:
    """The fact rows of a kept report, in their file beside it (``count`` of them), not read yet."""

    path: Path
    count: int

    def load(self) -> pd.DataFrame:
        """The fact rows; a UsageError when the file was removed or damaged after its report was loaded (that
        report is then forgotten, so the next run computes it again)."""
        frame = _read_private(self.path, _read_facts)
        if not isinstance(frame, pd.DataFrame):
            self.path.with_suffix(".pickle").unlink(missing_ok=True)
            raise UsageError(Notice(f"the kept fact rows {self.path} were removed or damaged while in use: run again",
                                    "kept_rows_gone", path=str(self.path)))
        return frame


class DeferredFrame:
    """A dataclass field holding a frame, or a source of it (``StoredFacts``, ``PricedRows``, ``PlainTable``:
    anything with ``load()``) read on first use and then kept; :func:`held` gives what it holds without reading it.

    Pickling a holder (Streamlit's cache, a worker process) carries the rows themselves, never the file's name.
    """

    def __set_name__(self, owner: type, name: str) -> None:
        self._slot = f"_{name}"

    def __get__(self, holder: object, owner: type | None = None) -> pd.DataFrame:
        if holder is None:
            raise AttributeError(self._slot)  # no default value for the dataclass field
        value = holder.__dict__[self._slot]
        if not isinstance(value, pd.DataFrame):
            value = holder.__dict__[self._slot] = value.load()
        return value

    def __set__(self, holder: object, value: pd.DataFrame | StoredFacts | PricedRows | PlainTable) -> None:
        holder.__dict__[self._slot] = value


def held(holder: object, field_name: str) -> object:
    """What ``holder``'s ``DeferredFrame`` field ``field_name`` holds: the frame, or its source when not read yet."""
    return holder.__dict__[f"_{field_name}"]


def loaded_state(holder: object, field_name: str) -> dict[str, object]:
    """``holder``'s attributes for pickling, with its deferred ``field_name`` read."""
    return {**holder.__dict__, f"_{field_name}": getattr(holder, field_name)}


@dataclass
class Finished:
    """What a report adds to the engine's rows: priced facts (after the user filter), the tables, the unpriced
    models and the totals, with what was left out on the way and the warnings only the facts could tell."""

    facts: PricedRows | StoredFacts
    tables: dict[str, PlainTable]
    unpriced: PlainTable
    summary: dict[str, float | int]
    skipped_records: SkippedRecords
    duplicate_records: int
    rewriter_warnings: list[str]
    fact_warnings: list[str]
    price_warnings: list[str]
    price_notes: PriceNotes  # what the price warnings are made of, for a narrowed report's own
    price_file_calls: int  # priced calls whose rates came from the user's price file

    @property
    def rows(self) -> int:
        """How many fact rows (without reading or converting them)."""
        return self.facts.count


def report_key(identity: str, settings: list[object]) -> str:
    """The key of a finished report: the engine result's identity, the tracker's ``settings`` (JSON values) and
    the code that computes the figures."""
    text = json.dumps([identity, settings, _code_digest(), library_version("pandas")], default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def load_finished(shelf: Path, key: str) -> Finished | None:
    """The finished report kept under ``key`` (its facts read when first used), or None (never kept, removed, or
    unreadable)."""
    path, facts = shelf / f"{key}.pickle", shelf / f"{key}.facts"
    finished = _read_private(path, pickle.load)
    if not isinstance(finished, Finished) or not isinstance(finished.facts, StoredFacts):
        return None
    try:
        if not _private(facts.stat()):
            return None
        for name in (path, facts):
            os.utime(name)  # most recently used
    except OSError:
        return None
    finished.facts = StoredFacts(facts, finished.facts.count)
    return finished


def keep_finished(shelf: Path, key: str, finished: Finished) -> None:
    """Keep a finished report for the next refresh: its facts, then the rest naming them; a report that cannot be
    written is computed again then."""
    facts = finished.facts
    if isinstance(facts, StoredFacts):
        return
    if write_atomically(shelf / f"{key}.facts", lambda path: _write_private(path, facts.write)):
        entry = replace(finished, facts=StoredFacts(Path(f"{key}.facts"), facts.count))
        if write_atomically(shelf / f"{key}.pickle", lambda path: _write_private(path, _pickled(entry))):
            keep_newest(shelf, "*.pickle", KEPT_REPORTS)
            keep_newest(shelf, "*.facts", KEPT_REPORTS)


def _pickled(value: object) -> Callable[[BinaryIO], None]:
    """A writer that pickles ``value`` into a file."""
    return lambda handle: pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)


def _read_facts(handle: BinaryIO) -> pd.DataFrame:
    """Fact rows from a Parquet file (``PricedRows.write``)."""
    return _parquet_table(handle).to_pandas()


def _parquet_table(handle: BinaryIO) -> pa.Table:
    """The Parquet file behind ``handle``, read from a copy in memory Arrow owns (released on return): Arrow's
    threads may free what they read from a Python file object after ``read_table`` returns, and doing so while the
    interpreter exits aborts the process."""
    import pyarrow.parquet as pq

    content = pa.allocate_buffer(os.fstat(handle.fileno()).st_size)
    if handle.readinto(memoryview(content)) != content.size:
        raise EOFError(f"{handle.name} changed while it was read")
    return pq.read_table(pa.BufferReader(content))


def _write_private(path: Path, write: Callable[[BinaryIO], None]) -> None:
    """A new file only its owner can read and write, filled by ``write``."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        write(handle)


def _read_private(path: Path, read: Callable[[BinaryIO], object]) -> object:
    """What ``read`` makes of the file at ``path``, or None when it is missing, unreadable, or not private to its
    owner."""
    try:
        with path.open("rb") as handle:
            if not _private(os.fstat(handle.fileno())):
                return None
            return read(handle)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError, ValueError,
            pa.ArrowException):
        return None


def _private(info: os.stat_result) -> bool:
    """True for a file only its owner, this user, can have written (always on systems without POSIX owners)."""
    if not hasattr(os, "getuid"):
        return True
    return info.st_uid == os.getuid() and not info.st_mode & 0o022


@lru_cache(maxsize=1)
def _code_digest() -> str:
    """A digest of the source of the modules that compute the figures."""
    return source_digest(_FIGURE_CODE)
