"""Progress of long work as plain data, and the one place it is drawn on a terminal.

Whatever can run long (the engines, the S3 mirror, compaction, the corpus writers, the Amazon Q analyzer) takes a
``Reporter``: a function it calls with a ``Progress``, plain counts of one step. It draws nothing and never imports
a progress library. The scripts make their reporter with ``terminal_progress``: tqdm bars on standard error when
that is a terminal, and nothing at all otherwise (pipes, CI, cron) or with ``--quiet``. Standard output is never
written, so the report there is the same with or without a terminal. The dashboard draws the same updates with
Streamlit (``dashboard/progress_view.py``), worded in the page's language: the steps it shows name themselves, their
units and notes in ``Words`` (a key and the counts in it), whose English here is the terminal's.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any, TextIO

# The English of the steps the dashboard shows, their units and notes, and of how a step's line is put together
# (``progress_line``); dashboard/text.py words each key ``progress_{key}`` in the page's language.
ENGLISH: dict[str, str] = {
    "listing_logs": "listing logs",
    "reading_logs": "reading logs",
    "pricing": "pricing",
    "athena_regions": "Athena regions",
    "athena_region": "Athena {region}",
    "listing_qdev": "listing Amazon Q logs",
    "reading_qdev": "reading Amazon Q logs",
    "activity_reports": "activity reports",
    "kiro_user_reports": "Kiro user reports",
    "objects": "objects",
    "day_folders": "day folders",
    "fact_rows": "fact rows",
    "files": "files",
    "regions": "regions",
    "objects_listed": "{objects:,} objects",
    "records_parsed": "{records:,} records parsed",
    "records_cached": "{records:,} records parsed, {cached:,} objects cached",
    "kept": "kept from an earlier refresh",
    "query_state": "{state}, {seconds:.0f} s, {scanned} scanned (${cost:.4f})",
    "regions_scanned": "{scanned} scanned, ${cost:.4f}",
    "count_of": "{done:,} of {total:,} {unit}",
    "count": "{done:,} {unit}",
    "size_of": "{done} of {total}",
}


@dataclass(frozen=True)
class Words:
    """Words of progress as data, for a page to word in its own language: the key of their wording (``ENGLISH``)
    and the values in it (counts, a region, a size); ``english`` as the terminal shows them."""

    key: str
    values: tuple[tuple[str, object], ...] = ()

    @classmethod
    def of(cls, key: str, **values: object) -> Words:
        """``Words.of("objects_listed", objects=911)``."""
        return cls(key, tuple(values.items()))

    @property
    def english(self) -> str:
        """``911 objects``."""
        return ENGLISH[self.key].format(**dict(self.values))


Said = str | Words  # text as it is (a period, a step only the scripts show), or words a page words in its language


def english(said: Said) -> str:
    """``said`` in English."""
    return said.english if isinstance(said, Words) else said


OBJECTS, DAY_FOLDERS, FACT_ROWS = Words("objects"), Words("day_folders"), Words("fact_rows")  # the steps' units
FILES, REGIONS = Words("files"), Words("regions")


@dataclass(frozen=True)
class StepWords:
    """A step's name, unit and note as a page words them: ``Words``, or text as it is; ``labels``: what ``labelled``
    put before its name, outermost first."""

    name: Words
    unit: Said = ""
    note: Said = ""
    labels: tuple[Said, ...] = ()


@dataclass(frozen=True)
class Progress:
    """How far one step of long work got: running totals, never increments.

    ``step`` names the step and keys its bar (``reading logs``, ``Athena us-east-1``); ``total`` is None while
    unknown. ``bytes_done`` / ``bytes_total`` go with steps that move bytes; ``note`` carries the rest in plain
    words (records parsed, an Athena query's state, data scanned and its cost). These are English; ``worded`` has
    the same in ``Words`` for a page to word in its language (None: a step only the scripts show; ``step_update``
    makes both).
    """

    step: str
    done: int = 0
    total: int | None = None
    unit: str = "objects"
    bytes_done: int | None = None
    bytes_total: int | None = None
    note: str = ""
    finished: bool = False
    worded: StepWords | None = None


def step_update(step: Said, done: int = 0, total: int | None = None, unit: Said = "objects",
                bytes_done: int | None = None, bytes_total: int | None = None, note: Said = "",
                finished: bool = False) -> Progress:
    """A ``Progress`` whose name, unit and note are text or ``Words``: a step named in ``Words`` carries them
    (``worded``), its text fields their English."""
    worded = StepWords(step, unit, note) if isinstance(step, Words) else None
    return Progress(english(step), done, total, english(unit), bytes_done, bytes_total, english(note), finished,
                    worded)


Reporter = Callable[[Progress], None]


def silent(update: Progress) -> None:
    """The reporter that shows nothing."""


def labelled(report: Reporter, label: Said) -> Reporter:
    """A reporter that puts ``label`` before every step's name (two loads running side by side)."""
    if report is silent:
        return silent

    def label_update(update: Progress) -> None:
        worded = update.worded and replace(update.worded, labels=(label, *update.worded.labels))
        report(replace(update, step=f"{english(label)}: {update.step}", worded=worded))

    return label_update


class Tally:
    """The running totals of one step, added to from any thread; each addition is reported.

    ``notes`` turns the extra counts (e.g. records parsed) into the update's note; the step, its unit and notes may
    be ``Words`` (``step_update``).
    """

    def __init__(self, report: Reporter, step: Said, unit: Said = "objects", with_bytes: bool = False,
                 notes: Callable[[dict[str, int]], Said] | None = None):
        self.report = report
        self.step = step
        self.unit = unit
        self.with_bytes = with_bytes
        self.notes = notes
        self.total: int | None = None
        self.bytes_total: int | None = None
        self.done = 0
        self.bytes_done = 0
        self.extra: dict[str, int] = {}
        self._lock = threading.Lock()

    def start(self, total: int | None, bytes_total: int | None = None) -> None:
        """Set the totals (once known) and report nothing done yet (a step started again counts from zero)."""
        with self._lock:
            self.total, self.bytes_total = total, bytes_total
            self.done, self.bytes_done, self.extra = 0, 0, {}
            self._report(False)

    def add(self, done: int = 0, bytes_done: int = 0, **extra: int) -> None:
        """Count more units (and bytes, and named extra counts) done."""
        if self.report is silent:
            return
        with self._lock:
            self.done += done
            self.bytes_done += bytes_done
            for name, value in extra.items():
                self.extra[name] = self.extra.get(name, 0) + value
            self._report(False)

    def finish(self, note: Said = "") -> None:
        """Report the step ended; ``note`` replaces the counts' note when given."""
        with self._lock:
            self._report(True, note)

    def _report(self, finished: bool, note: Said = "") -> None:
        if self.report is silent:
            return
        note = note or (self.notes(self.extra) if self.notes else "")
        bytes_done, bytes_total = (self.bytes_done, self.bytes_total) if self.with_bytes else (None, None)
        self.report(step_update(self.step, self.done, self.total, self.unit, bytes_done, bytes_total, note, finished))


class TerminalProgress:
    """Draws each step as a tqdm bar on ``stream`` (a terminal): counts, rate and time left, then its note.

    A step that moves bytes is measured in bytes (the better estimate of time left), with its units in the note.
    Safe to call from any thread.
    """

    def __init__(self, stream: TextIO):
        from tqdm import tqdm  # only when a terminal draws bars

        self._tqdm = tqdm
        self.stream = stream
        self.bars: dict[str, Any] = {}
        self.closed: set[str] = set()
        self._lock = threading.Lock()

    def __call__(self, update: Progress) -> None:
        with self._lock:
            if update.step in self.closed:
                return
            by_bytes = update.bytes_done is not None
            bar = self.bars.get(update.step)
            if bar is None:
                # A step without units (an Athena query, whose note holds its time) shows its note only.
                shape = {} if update.unit or by_bytes else {"bar_format": "{desc}{postfix}"}
                bar = self._tqdm(desc=update.step, total=update.bytes_total if by_bytes else update.total, **shape,
                                 unit="B" if by_bytes else f" {update.unit}", unit_scale=by_bytes,
                                 unit_divisor=1024, file=self.stream, leave=True, dynamic_ncols=True,
                                 mininterval=0.1)
                self.bars[update.step] = bar
            total = update.bytes_total if by_bytes else update.total
            if total is not None and bar.total != total:
                bar.total = total
            counted = f"{update.done:,}/{update.total:,} {update.unit}" if by_bytes and update.total else ""
            postfix = ", ".join(part for part in (counted, update.note) if part)
            changed = postfix != getattr(bar, "postfix", None)
            if changed:
                bar.set_postfix_str(postfix, refresh=False)
            moved = (update.bytes_done if by_bytes else update.done) - bar.n
            if moved:
                bar.update(moved)
            elif changed:
                bar.refresh()  # a new state with no count moved (an Athena query running on)
            if update.finished:
                bar.close()
                self.closed.add(update.step)

    def close(self) -> None:
        """End every bar still open."""
        with self._lock:
            for step, bar in self.bars.items():
                if step not in self.closed:
                    bar.close()
            self.closed.update(self.bars)


@contextmanager
def terminal_progress(quiet: bool = False, stream: TextIO | None = None) -> Iterator[Reporter]:
    """The scripts' reporter: bars on standard error (or ``stream``) when it is a terminal and not ``quiet``,
    else ``silent``; open bars are ended on the way out."""
    stream = stream or sys.stderr
    if quiet or not _is_terminal(stream):
        yield silent
        return
    bars = TerminalProgress(stream)
    try:
        yield bars
    finally:
        bars.close()


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


def progress_line(update: Progress, word: Callable[[Said], str] = english) -> str:
    """One update in words: ``reading logs: 120 of 340 objects, 12.0 MiB of 40.0 MiB; 1,234 records parsed``;
    ``word`` words a step named in ``Words`` in a page's language (a step without them reads in English)."""
    said = update.worded
    if said is None:
        word = english
        step, unit, note = update.step, update.unit, update.note
    else:
        step, unit, note = ": ".join(map(word, (*said.labels, said.name))), word(said.unit), word(said.note)
    parts = []
    if unit:
        counts = (Words.of("count_of", done=update.done, total=update.total, unit=unit) if update.total is not None
                  else Words.of("count", done=update.done, unit=unit))
        parts.append(word(counts))
    if update.bytes_done is not None:
        size = data_size(update.bytes_done)
        parts.append(word(Words.of("size_of", done=size, total=data_size(update.bytes_total)))
                     if update.bytes_total is not None else size)
    text = "; ".join(part for part in (", ".join(parts), note) if part)
    return f"{step}: {text}" if text else step


def fraction_done(update: Progress) -> float:
    """How much of the step is done, 0 to 1 (0 while the total is unknown, 1 once finished)."""
    if update.finished:
        return 1.0
    if update.bytes_done is not None and update.bytes_total:
        return min(update.bytes_done / update.bytes_total, 1.0)
    return min(update.done / update.total, 1.0) if update.total else 0.0


def data_size(size: int) -> str:
    """Bytes in binary units, as AWS states data scanned: ``512 B``, ``1.5 MiB``."""
    if size < 1024:
        return f"{size:,} B"
    value = size / 1024
    for unit in ("KiB", "MiB", "GiB"):
        if value < 1024:
            return f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TiB"


def add_quiet_option(parser: Any) -> None:
    """The ``--quiet`` option of every script that can run long."""
    parser.add_argument("--quiet", action="store_true",
                        help="no progress bars on standard error (there are none unless it is a terminal)")
