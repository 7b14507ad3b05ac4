"""Finished reports kept per query shape, so a repeated refresh over the same data loads them instead of pricing
and rolling up the facts again.

A report is kept only beside an engine result that names its rows exactly (``QueryResult.identity``: the local
engine's stored results over immutable cache parts). Its key adds everything else the figures depend on: the
tracker's settings, the price book's rows, the user filter and the source of the code that prices and rolls up.
The same key therefore always comes with the same figures; anything else is a new key, computed and kept anew.
Entries are pickles (exact frames and dtypes back), replaced atomically, the few most recently used kept. A
pickle runs code when loaded, so an entry is written readable and writable by its owner only, and loaded only when
it still is (POSIX): a file another user wrote or could have changed is ignored and the report computed again.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from ..cache import keep_newest, write_atomically

KEPT_REPORTS = 16  # finished reports kept per logs folder, the most recently used
# The modules whose code turns engine rows into the figures: a change to any of them is a new key.
_FIGURE_CODE = ("report", "pricing", "logs", "governance/profiles.py")


@dataclass
class Finished:
    """What a report adds to the engine's rows: priced facts (after the user filter), the tables, the unpriced
    models and the totals, with what was left out on the way."""

    facts: pd.DataFrame
    tables: dict[str, pd.DataFrame]
    unpriced: pd.DataFrame
    summary: dict[str, float | int]
    records_skipped: int
    duplicate_records: int
    rewriter_warnings: list[str]


def report_key(identity: str, settings: list[object]) -> str:
    """The key of a finished report: the engine result's identity, the tracker's ``settings`` (JSON values) and
    the code that computes the figures."""
    text = json.dumps([identity, settings, _code_digest(), pd.__version__], default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def load_finished(shelf: Path, key: str) -> Finished | None:
    """The finished report kept under ``key``, or None (never kept, removed, or unreadable)."""
    path = shelf / f"{key}.pickle"
    try:
        with path.open("rb") as handle:
            if not _private(os.fstat(handle.fileno())):
                return None
            finished = pickle.load(handle)
        os.utime(path)  # most recently used
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError, ValueError):
        return None
    return finished if isinstance(finished, Finished) else None


def keep_finished(shelf: Path, key: str, finished: Finished) -> None:
    """Keep a finished report for the next refresh; a report that cannot be written is computed again then."""
    def write(path: Path) -> None:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:  # streamed: no second copy of the facts in memory
            pickle.dump(finished, handle, protocol=pickle.HIGHEST_PROTOCOL)

    if write_atomically(shelf / f"{key}.pickle", write):
        keep_newest(shelf, "*.pickle", KEPT_REPORTS)


def _private(info: os.stat_result) -> bool:
    """True for a file only its owner, this user, can have written (always on systems without POSIX owners)."""
    if not hasattr(os, "getuid"):
        return True
    return info.st_uid == os.getuid() and not info.st_mode & 0o022


@lru_cache(maxsize=1)
def _code_digest() -> str:
    """A digest of the source of the modules that compute the figures."""
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for name in _FIGURE_CODE:
        target = package / name
        for path in sorted(target.rglob("*.py")) if target.is_dir() else [target]:
            digest.update(path.relative_to(package).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()
