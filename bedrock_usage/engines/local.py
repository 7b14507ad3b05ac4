"""Embedded engine: DuckDB runs the tracker's Trino SQL over a local folder (or S3 mirror) of log objects.

Only the day folders of the requested regions and UTC days are listed, so files outside the range are
never opened. Unreadable objects (truncated or non-gzip content) are skipped and counted; malformed lines
become rows without a timestamp, which the tracker counts as skipped records.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import zlib
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path

import duckdb
import pyarrow as pa
import sqlglot

from ..errors import UsageError
from ..layout import PERMISSION_CHECK_NAME, SERVICE_FOLDER, days_between
from ..schema import PARTITION_COLUMN, TABLE_NAME, duckdb_columns
from .base import QueryResult, ScanStats, Scope, SqlParam

# UTC sessions, as Athena's; Trino functions DuckDB lacks under the same name become macros.
_SESSION_SETUP = (
    "SET TimeZone = 'UTC'",
    "CREATE OR REPLACE TEMP MACRO at_timezone(ts, zone) AS timezone(zone, ts)",
)
_PARTITION_RE = r"/(\d{4}/\d{2}/\d{2})/\d{2}/[^/]+$"
UNREADABLE = "unreadable object (truncated gzip, not gzip or not UTF-8)"
EMPTY = "empty object"
PAYLOAD = "payload object under /data/ (not a log record)"


@lru_cache(maxsize=64)
def to_duckdb(sql: str) -> str:
    """Transpile the tracker's Trino SQL into DuckDB's dialect."""
    return sqlglot.transpile(sql, read="trino", write="duckdb")[0]


class LocalEngine:
    """Runs queries over ``root``: a folder holding ``AWSLogs/...`` trees, at any depth below a key prefix."""

    name = "local"

    def __init__(self, root: Path, threads: int | None = None):
        self.root = Path(root)
        self.threads = threads
        self.description = f"DuckDB over local log files in {self.root}"

    def list_objects(self, scope: Scope) -> tuple[list[Path], ScanStats]:
        """Record objects of the scope's regions and days, with counts of what was left out."""
        if not self.root.is_dir():
            raise UsageError(f"logs folder {self.root} does not exist")
        stats = ScanStats()
        files: list[Path] = []
        for service_dir in self._service_dirs():
            for region in scope.regions:
                for day in days_between(scope.first_day, scope.last_day):
                    day_dir = service_dir / region / f"{day:%Y/%m/%d}"
                    if not day_dir.is_dir():
                        continue
                    for hour_dir in sorted(p for p in day_dir.iterdir() if p.is_dir()):
                        self._collect_hour(hour_dir, files, stats)
        return files, stats

    def _service_dirs(self) -> list[Path]:
        return sorted(p for p in self.root.glob(f"**/AWSLogs/*/{SERVICE_FOLDER}") if p.is_dir())

    @staticmethod
    def _collect_hour(hour_dir: Path, files: list[Path], stats: ScanStats) -> None:
        for entry in sorted(hour_dir.iterdir()):
            if entry.is_dir():
                if entry.name == "data":
                    stats.skipped_objects[PAYLOAD] += sum(1 for p in entry.rglob("*") if p.is_file())
                continue
            if entry.name.startswith(PERMISSION_CHECK_NAME) or not entry.name.endswith(".json.gz"):
                continue
            size = entry.stat().st_size
            if size == 0:
                stats.skipped_objects[EMPTY] += 1
                continue
            files.append(entry)
            stats.objects_read += 1
            stats.bytes_read += size

    def query(self, sql: str, params: Sequence[SqlParam], scope: Scope) -> QueryResult:
        """Load the scope's records into an in-memory table named like the Glue table, then run ``sql``."""
        files, stats = self.list_objects(scope)
        con = duckdb.connect(config={"threads": self.threads} if self.threads else {})
        try:
            for statement in _SESSION_SETUP:
                con.execute(statement)
            for path in self._load(con, files):
                stats.skipped_objects[UNREADABLE] += 1
                stats.objects_read -= 1
                stats.bytes_read -= path.stat().st_size
            frame = con.execute(to_duckdb(sql), list(params)).df()
        finally:
            con.close()
        return QueryResult(frame, stats)

    def _load(self, con: duckdb.DuckDBPyConnection, files: list[Path]) -> list[Path]:
        """Fill the logs table from ``files`` in bounded batches; return the files that could not be read.

        Objects are decompressed on a thread pool and parsed by DuckDB's JSON functions: reading many small
        gzip objects through ``read_json`` directly costs milliseconds of set-up per object.
        """
        columns = duckdb_columns()
        ddl = ", ".join(f'"{name}" {kind}' for name, kind in columns.items())
        con.execute(f'CREATE TEMP TABLE {TABLE_NAME} ({ddl}, {PARTITION_COLUMN} VARCHAR, "$path" VARCHAR)')
        select = ", ".join(f'j."{name}"' for name in columns)
        insert = (
            f"INSERT INTO {TABLE_NAME} SELECT {select}, dt, path FROM ("
            "SELECT try(json_transform(line, ?)) AS j, dt, path FROM ("
            "SELECT unnest(string_split(content, chr(10))) AS line, dt, path FROM batch"
            ") WHERE trim(line) <> '')"
        )
        structure = json.dumps(columns)
        unreadable: list[Path] = []
        batch: list[tuple[Path, str]] = []
        size = 0

        def flush() -> None:
            nonlocal size
            if batch:
                table = pa.table({
                    "content": pa.array([text for _, text in batch], pa.large_string()),
                    "dt": pa.array([_partition_of(path) for path, _ in batch]),
                    "path": pa.array([path.as_posix() for path, _ in batch]),
                })
                con.register("batch", table)
                con.execute(insert, [structure])
                con.unregister("batch")
            batch.clear()
            size = 0

        with ThreadPoolExecutor(max_workers=self.threads or os.cpu_count() or 2) as pool:
            for path, text in pool.map(_read_object, files):
                if text is None:
                    unreadable.append(path)
                    continue
                batch.append((path, text))
                size += len(text)
                if size >= _BATCH_CHARS:
                    flush()
            flush()
        return unreadable


_BATCH_CHARS = 128 * 1024 * 1024
_PARTITION_PATTERN = re.compile(_PARTITION_RE)


def _partition_of(path: Path) -> str | None:
    """The ``yyyy/MM/dd`` partition value of an object, from its key."""
    match = _PARTITION_PATTERN.search(path.as_posix())
    return match.group(1) if match else None


def _read_object(path: Path) -> tuple[Path, str | None]:
    """Decompressed UTF-8 text of a log object, or ``None`` when it is not readable gzip of UTF-8 text."""
    try:
        return path, gzip.decompress(path.read_bytes()).decode("utf-8")
    except (OSError, EOFError, zlib.error, UnicodeDecodeError):
        return path, None
