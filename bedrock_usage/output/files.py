"""Report files: names no other run can take, the one CSV writer, and one-line errors when a file cannot be written.

CSV cells come from logs anyone with Bedrock access can write (caller names, tags, model ids), and spreadsheets run a
cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return as a formula. As OWASP's CSV injection
guidance recommends, such a text cell gets a leading single quote, which spreadsheets show as text, and every text
cell is quoted (a line break or carriage return inside a name cannot start a row); numbers (and text that is just a
number, such as ``-5``) are written as they are. JSON needs no such care and stays exact.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import io
import math
import re
import shutil
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ..cache import replace_atomically
from ..errors import UsageError
from ..lazy_modules import lazy
from .json_values import decimal_text, rounded

pd = lazy("pandas")

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\0")
_PLAIN_NUMBER_RE = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
MAX_SAME_NAME_RUNS = 1000
_NOT_IN_FILE_NAMES = re.compile(r"[^A-Za-z0-9_.-]+")  # a tag key may hold / : spaces and more, which paths refuse


def file_part(name: str, joiner: str = "-") -> str:
    """``name`` (an analysis, ``tag:team/name``) as a piece of a file name on every system: each run of other
    characters than letters, digits, ``_``, ``.`` and ``-`` becomes ``joiner``."""
    return _NOT_IN_FILE_NAMES.sub(joiner, name)


def distinct(names: Sequence[str]) -> list[str]:
    """``names`` with each one that repeats an earlier one numbered (``x``, ``x_2``), ignoring case as the file systems
    of macOS and Windows do: two tag keys may make the same file name (``Team`` and ``team``, ``a/b`` and ``a:b``)."""
    taken: set[str] = set()
    out = []
    for name in names:
        number, unique = 1, name
        while unique.casefold() in taken:
            number += 1
            unique = f"{name}_{number}"
        taken.add(unique.casefold())
        out.append(unique)
    return out


def defused(value: Any) -> Any:
    """A CSV cell a spreadsheet shows as text: ``'=HYPERLINK(...)`` for a text that would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER_RE.fullmatch(value):
        return "'" + value
    return value


def defused_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` rounded for a file, with every text cell and header defused."""
    frame = rounded(frame)
    text_columns = [name for name in frame.columns if not pd.api.types.is_numeric_dtype(frame[name])]
    # Built as object columns: ``map`` would turn a column of whole numbers with gaps into floats (4000 -> 4000.0).
    changes = {name: pd.Series([defused(v) for v in frame[name]], index=frame.index, dtype=object)
               for name in text_columns}
    frame = frame.assign(**changes) if changes else frame
    return frame.rename(columns={name: defused(name) for name in frame.columns if isinstance(name, str)})


class _PlainNumber(float):
    """A float the CSV writer leaves unquoted and writes as plain decimals (``0.00000538``, never ``5.38e-06``;
    ``2.0`` as before): loaders that read a cost column as fixed-point decimals refuse exponents."""

    def __repr__(self) -> str:
        if not math.isfinite(self):
            return float.__repr__(self)
        text = decimal_text(self)
        return text if "." in text else f"{text}.0"

    __str__ = __repr__


class _Gap(float):
    """A missing value the CSV writer leaves unquoted and empty, so it reads apart from a text cell ``""`` (a tag
    logged empty) in readers that tell them apart."""

    def __repr__(self) -> str:
        return ""

    __str__ = __repr__


_GAP = _Gap(math.nan)


def _csv_cell(value: Any) -> Any:
    """A cell as the CSV writer takes it: numbers unquoted (floats in plain decimals), a gap a bare empty cell, text
    quoted (an empty text ``""``)."""
    if hasattr(value, "item") and not isinstance(value, str):  # a NumPy scalar: the writer would quote it as text
        value = value.item()
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return _GAP
    if isinstance(value, float):
        return _PlainNumber(value)
    return value


def csv_text(frame: pd.DataFrame) -> str:
    """``frame`` as CSV text (rounded, defused), e.g. for a download button."""
    table = defused_frame(frame)
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n")
    writer.writerow(table.columns)
    writer.writerows([_csv_cell(value) for value in row] for row in table.itertuples(index=False, name=None))
    return out.getvalue()


def write_csv(path: Path, frame: pd.DataFrame) -> Path:
    """Write ``frame`` as a CSV file (rounded, defused); a UsageError when it cannot be written."""
    text = csv_text(frame)
    return write_text(path, text)


def write_csv_rows(path: Path, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> Path:
    """Write plain rows under ``headers`` as a CSV file, through the same cell rules as :func:`write_csv`."""
    return write_csv(path, pd.DataFrame([list(row) for row in rows], columns=list(headers), dtype=object))


def accuracy_ends(accuracy: dict[str, str], notes: dict[str, tuple[str, ...]]) -> dict[str, dict[str, object]]:
    """Per CSV table (by its name suffix), the ``accuracy_<note>`` columns its rows end with: the texts of the JSON
    ``accuracy`` of the figures it holds (``notes``), so a file read alone says what is exact and what estimated.
    The dashboard's downloads of the same tables end alike."""
    return {table: {f"accuracy_{note}": accuracy[note] for note in keys} for table, keys in notes.items()}


def write_text(path: Path, text: str) -> Path:
    """Write a report file whole (a reader never sees part of it, nor a mix of two runs of a stable name); a file
    already there keeps its permissions, and a link keeps pointing where it did, at the new text. A character
    UTF-8 cannot hold (a lone surrogate from a log) is written as ``?``. A UsageError names the file when the
    folder or the disk refuses."""
    target = path.resolve() if path.is_symlink() else path

    def write(temporary: Path) -> None:
        temporary.write_text(text, encoding="utf-8", errors="replace")
        with contextlib.suppress(OSError):  # nothing to copy from a file not written yet
            shutil.copymode(target, temporary)

    try:
        replace_atomically(target, write)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {_reason(exc)}") from None
    return path


DEFAULT_OUTPUT_DIR = "report"
STANDARD_OUTPUT = "-"


def output_folder(fmt: str, given: str | None) -> str:
    """Where ``--format``'s files go (``-``: the JSON document on standard output), checked before any work: a
    folder given for terminal text, or ``-`` for anything but JSON, is a UsageError rather than a silent choice."""
    if given == STANDARD_OUTPUT and fmt != "json":
        raise UsageError("--output-dir - prints JSON to standard output: add --format json")
    if given is not None and fmt == "terminal":
        raise UsageError("--output-dir is where --format csv or json writes its files: add --format csv or json, "
                         "or leave --output-dir out for terminal text")
    folder = given or DEFAULT_OUTPUT_DIR
    if fmt != "terminal" and folder != STANDARD_OUTPUT:
        check_output_folder(Path(folder))
    return folder


def check_output_folder(folder: Path) -> None:
    """A UsageError, before any work, when no report could be written in ``folder``: it or the nearest folder above
    it that exists is a file, a link to nothing, or cannot be looked into."""
    try:
        if folder.exists() and not folder.is_dir():
            raise UsageError(f"the output folder {folder} is a file: give --output-dir a folder")
        if folder.is_symlink() and not folder.exists():
            raise UsageError(f"the output folder {folder} is a link to nothing: give --output-dir a folder")
        above = next((parent for parent in folder.absolute().parents if parent.exists()), None)
        if above is not None and not above.is_dir():
            raise UsageError(f"the output folder {folder} is under {above}, a file: give --output-dir a folder")
    except OSError as exc:
        raise UsageError(f"cannot use the output folder {folder}: {_reason(exc)}") from None


def stable_files(folder: Path, stem: str, suffixes: Sequence[str]) -> list[Path]:
    """The files ``{stem}{suffix}`` in ``folder`` (made if missing), whether they exist or not: a report of a fixed
    period (a month's chargeback) keeps one name, so each run replaces the previous run's files."""
    folder = _made(Path(folder))
    return [folder / f"{stem}{suffix}" for suffix in suffixes]


def new_files(folder: Path, stem: str, suffixes: Sequence[str]) -> list[Path]:
    """Create the empty files ``{stem}{suffix}`` in ``folder`` (made if missing), all new.

    Report names carry the time to the second; when another run took a name in the same second, the files are
    named ``{stem}_2{suffix}``, ``{stem}_3{suffix}``... so no run overwrites another's report.
    """
    folder = _made(Path(folder))
    for attempt in range(1, MAX_SAME_NAME_RUNS + 1):
        name = stem if attempt == 1 else f"{stem}_{attempt}"
        created: list[Path] = []
        try:
            for suffix in suffixes:
                path = folder / f"{name}{suffix}"
                path.open("x", encoding="utf-8").close()
                created.append(path)
            return created
        except FileExistsError:
            for path in created:
                path.unlink(missing_ok=True)
        except OSError as exc:
            for path in created:
                path.unlink(missing_ok=True)
            raise UsageError(f"cannot write in the output folder {folder}: {_reason(exc)}") from None
    raise UsageError(f"{folder} already holds {MAX_SAME_NAME_RUNS} reports named {stem}: clean it up")


def _made(folder: Path) -> Path:
    """``folder``, made if missing; a UsageError saying why it cannot be."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        check_output_folder(folder)  # a file, a link to nothing, ... said as such
        raise UsageError(f"cannot use the output folder {folder}: {_reason(exc)}") from None
    return folder


def _reason(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "no space left on the device"
    return exc.strerror or str(exc)
