"""How much memory each embedded DuckDB database may hold before it spills to disk, where it spills, and where a
query writes rows that no cache keeps.

DuckDB's aggregations, joins, sorts and windows move what exceeds ``memory_limit`` to files in ``temp_directory``
and read them back. Without a cap DuckDB may take 80 % of the machine's memory, and a month of a busy account's
logs would hold memory in proportion to its records; with the cap the memory stays bounded for a little more time
(BENCHMARKS.md has the figures).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
import uuid
from pathlib import Path

from ..cache import cache_dir
from ..errors import UsageError

MEMORY_ENV = "BEDROCK_USAGE_DUCKDB_MEMORY_MB"
DEFAULT_MEMORY_MB = 512
MIB_PER_THREAD = 64
SPILL_FOLDER = "duckdb-spill"
STALE_SPILL_SECONDS = 24 * 3600


def memory_mb(threads: int | None = None) -> int:
    """``$BEDROCK_USAGE_DUCKDB_MEMORY_MB``, else ``DEFAULT_MEMORY_MB`` or 64 MiB per thread when that is more:
    the cap of each DuckDB database, in MiB."""
    text = os.environ.get(MEMORY_ENV, "").strip()
    if not text:
        return max(DEFAULT_MEMORY_MB, MIB_PER_THREAD * (threads or os.cpu_count() or 1))
    if not (text.isascii() and text.isdigit()) or not 64 <= int(text) <= 16 * 1024 * 1024:
        raise UsageError(f"{MEMORY_ENV}={text!r} must be a whole number of mebibytes, at least 64 (default "
                         f"{DEFAULT_MEMORY_MB}, or {MIB_PER_THREAD} per core when that is more)")
    return int(text)


def duckdb_config(threads: int | None = None, memory_threads: int | None = None) -> dict[str, str | int]:
    """The settings of a new DuckDB database on ``threads`` threads (all cores when None): the memory cap of
    ``memory_threads`` threads (``threads`` when None: the parse runs one query per core on one DuckDB thread), and
    a spill folder of its own (DuckDB makes it when it first spills and removes it when the database closes)."""
    config: dict[str, str | int] = {"memory_limit": f"{memory_mb(memory_threads or threads)}MiB",
                                    "temp_directory": str(_own_folder())}
    if threads:
        config["threads"] = threads
    return config


def scratch_folder() -> Path:
    """A new folder of this process's own beside the spill folders (``{pid}-{random}``), for a file a query writes
    that no cache keeps; the caller removes it, and one a killed process left behind goes as spill folders do.
    Raises OSError when it cannot be made."""
    folder = _own_folder()
    folder.mkdir()
    return folder


def _own_folder() -> Path:
    """A new name for a folder of this process's own under the spill root (``{pid}-{random}``)."""
    return _spill_root() / f"{os.getpid()}-{uuid.uuid4().hex}"


def _spill_root() -> Path:
    """The folder that holds the spill folders (``{pid}-{random}``): in the cache folder, else the system's
    temporary folder. Spill folders a killed process left behind go once they are a day old and no process of
    their id runs (on POSIX systems, where that can be asked)."""
    root = cache_dir() / SPILL_FOLDER
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError:
        return Path(tempfile.gettempdir())
    if os.name == "posix":
        _remove_stale(root)
    return root


def _remove_stale(root: Path) -> None:
    """Remove the spill folders under ``root`` that are a day old and whose process no longer runs; another
    process may be removing them too."""
    oldest = time.time() - STALE_SPILL_SECONDS
    try:
        with os.scandir(root) as entries:
            for entry in entries:
                try:
                    old = entry.is_dir(follow_symlinks=False) and entry.stat(follow_symlinks=False).st_mtime < oldest
                except OSError:  # removed meanwhile
                    continue
                if old and not _running(entry.name.partition("-")[0]):
                    shutil.rmtree(entry.path, ignore_errors=True)
    except OSError:
        return


def _running(pid: str) -> bool:
    """True when a process with id ``pid`` runs on this machine (or may: it cannot be told)."""
    if not (pid.isascii() and pid.isdigit()):
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True
    return True
