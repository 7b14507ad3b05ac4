"""Embedded engine: DuckDB runs the tracker's Trino SQL over a local folder (or S3 mirror) of log objects.

Only the day folders of the requested regions and UTC days are listed, so files outside the range are
never opened. Unreadable objects (truncated or non-gzip content) are skipped and counted; malformed lines
become rows without a timestamp, which the tracker counts as skipped records.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import duckdb
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
        self._lock = threading.Lock()

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
            unreadable = self._load(con, [str(f) for f in files])
            if unreadable:
                stats.skipped_objects[UNREADABLE] += len(unreadable)
                stats.objects_read -= len(unreadable)
                stats.bytes_read -= sum(Path(f).stat().st_size for f in unreadable)
            frame = con.execute(to_duckdb(sql), list(params)).df()
        finally:
            con.close()
        return QueryResult(frame, stats)

    def _load(self, con: duckdb.DuckDBPyConnection, files: list[str]) -> list[str]:
        """Create the logs table from ``files``; return the files that could not be read."""
        columns = duckdb_columns()
        if not files:
            ddl = ", ".join(f'"{name}" {kind}' for name, kind in columns.items())
            con.execute(f'CREATE TEMP TABLE {TABLE_NAME} ({ddl}, {PARTITION_COLUMN} VARCHAR, "$path" VARCHAR)')
            return []
        try:
            self._create(con, files, columns)
            return []
        except _READ_ERRORS:
            con.execute(f"DROP TABLE IF EXISTS {TABLE_NAME}")
        readable, unreadable = [], []
        for file in files:
            try:
                con.execute(_READ_SQL.format(target="SELECT count(*)"), [[file], columns]).fetchall()
                readable.append(file)
            except _READ_ERRORS:
                unreadable.append(file)
        if readable:
            self._create(con, readable, columns)
        else:
            self._load(con, [])
        return unreadable

    @staticmethod
    def _create(con: duckdb.DuckDBPyConnection, files: list[str], columns: dict[str, str]) -> None:
        select = ", ".join(f'"{name}"' for name in columns)
        target = (
            f"CREATE TEMP TABLE {TABLE_NAME} AS SELECT {select}, "
            f"regexp_extract(filename, '{_PARTITION_RE}', 1) AS {PARTITION_COLUMN}, filename AS \"$path\""
        )
        con.execute(_READ_SQL.format(target=target), [files, columns])


_READ_ERRORS = (duckdb.IOException, duckdb.InvalidInputException, duckdb.ConversionException)
_READ_SQL = (
    "{target} FROM read_json(?, format = 'newline_delimited', columns = ?, ignore_errors = true, "
    "filename = true, compression = 'gzip')"
)
