"""Embedded engine: DuckDB runs the tracker's Trino SQL over a local folder (or S3 mirror) of log objects.

Only the day folders of the requested regions and UTC days are listed, so files outside the range are
never opened. Unreadable objects (truncated or non-gzip content) are skipped and counted; malformed lines
become rows without a timestamp, which the tracker counts as skipped records. Parsed records are kept in a
columnar cache (``columnar_cache``) unless it is switched off, so a refresh parses only new objects.

A token count must be a JSON integer or a string of digits (``"12"`` reads as 12, as Athena reads it); a record
with any other count (``"abc"``, ``"12x"``, ``12.5``, ``true``, an object or an array) is a malformed line too.
Athena cannot tell such a count from a missing one: its OpenX JSON SerDe (Trino's reader, engine 3) reads a
string that is not a number, or a boolean, as NULL, which the facts query counts as 0 tokens, truncates ``12.5``
to 12, and fails the whole query (HIVE_BAD_DATA) on an object or array; ``ignore.malformed.json`` covers only
lines that are not JSON.
"""

from __future__ import annotations

import json
import os
import re
import zlib
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import sqlglot
from isal.igzip import decompress as gunzip
from isal.isal_zlib import error as _isal_error

from ..errors import UsageError
from ..logs.bodies import duckdb_body_type, duckdb_reduced_body
from ..logs.layout import PERMISSION_CHECK_NAME, SERVICE_FOLDER, days_between, partition_value
from ..logs.regions import REGION_NAMES
from ..logs.schema import BODY_FIELDS, PARTITION_COLUMN, TABLE_NAME, duckdb_columns
from .base import PAYLOAD_OBJECTS, LogRegions, QueryResult, ScanStats, Scope, SqlParam
from .columnar_cache import (
    PARQUET_COMPRESSION,
    ColumnarCache,
    DayFolder,
    LogObject,
    RefreshStats,
    batches,
    cache_setting,
)

# ISA-L inflates gzip about three times as fast as zlib.
INFLATER = "isal"
_GZIP_ERRORS: tuple[type[Exception], ...] = (OSError, EOFError, zlib.error, _isal_error)

# UTC sessions, as Athena's; Trino functions DuckDB lacks under the same name become macros.
_SESSION_SETUP = (
    "SET TimeZone = 'UTC'",
    "CREATE OR REPLACE TEMP MACRO at_timezone(ts, zone) AS timezone(zone, ts)",
)
_PARTITION_RE = r"/(\d{4}/\d{2}/\d{2})/\d{2}/[^/]+$"
UNREADABLE = "unreadable object (truncated gzip, not gzip or not UTF-8)"
EMPTY = "empty object"
NOT_ASKED_FOR = "its region is not among the regions asked for"
UNKNOWN_REGION = "the folder name is not an Amazon Bedrock region this botocore knows"



@lru_cache(maxsize=64)
def to_duckdb(sql: str) -> str:
    """Transpile the tracker's Trino SQL into DuckDB's dialect."""
    return sqlglot.transpile(sql, read="trino", write="duckdb")[0]


class LocalEngine:
    """Runs queries over ``root``: a folder holding ``AWSLogs/...`` trees, at any depth below a key prefix.

    ``cache`` is ``True``/``False``, a folder, or ``None`` for ``$BEDROCK_USAGE_COLUMNAR_CACHE`` (``on``, ``off``
    or a folder; default on, under the user's cache directory).
    """

    name = "local"

    def __init__(self, root: Path, threads: int | None = None, cache: bool | str | Path | None = None):
        self.root = Path(root)
        self.threads = threads
        self.cache_dir = cache_setting(cache)
        self.last_refresh: RefreshStats | None = None  # what the columnar cache did in the latest query
        cached = f" (columnar cache in {self.cache_dir})" if self.cache_dir else ""
        self.description = f"DuckDB over local log files in {self.root}{cached}"

    def list_objects(self, scope: Scope) -> tuple[list[Path], ScanStats]:
        """Record objects of the scope's regions and days, with counts of what was left out."""
        days, stats = self.list_days(scope)
        return [obj.path for day in days for obj in day.objects], stats

    def log_regions(self) -> LogRegions:
        """The Bedrock regions with a folder under the logs; other folders are named by ``list_days``."""
        folders = {folder.name for service_dir in self._existing_service_dirs() for folder in _subfolders(service_dir)}
        return LogRegions(tuple(region for region in REGION_NAMES if region in folders))

    def list_days(self, scope: Scope) -> tuple[list[DayFolder], ScanStats]:
        """The scope's day folders with their record objects, and counts of what was left out.

        A region folder outside the scope is named in ``unread_regions``, with why it is not read.
        """
        stats = ScanStats()
        days: list[DayFolder] = []
        service_dirs = self._existing_service_dirs()
        for service_dir in service_dirs:
            for folder in _subfolders(service_dir):
                if folder.name not in scope.regions:
                    reason = NOT_ASKED_FOR if folder.name in REGION_NAMES else UNKNOWN_REGION
                    stats.unread_regions[folder.name] = f"{reason} ({folder})"
        for service_dir in service_dirs:
            for region in scope.regions:
                for day in days_between(scope.first_day, scope.last_day):
                    partition = partition_value(day)
                    day_dir = service_dir / region / partition
                    if not day_dir.is_dir():
                        continue
                    objects: list[LogObject] = []
                    with os.scandir(day_dir) as entries:
                        hours = sorted(entry.path for entry in entries if entry.is_dir())
                    for hour_dir in hours:
                        self._collect_hour(hour_dir, objects, stats)
                    if objects:
                        days.append(DayFolder(service_dir, region, partition, tuple(objects)))
        return days, stats

    def accounts(self) -> list[str]:
        """The account ids whose logs the folder holds (its ``AWSLogs/{account}`` folders)."""
        return sorted({path.parent.name for path in self._service_dirs()})

    def _existing_service_dirs(self) -> list[Path]:
        """The service folders under the root; a UsageError when the root holds none."""
        if not self.root.is_dir():
            raise UsageError(f"logs folder {self.root} does not exist")
        service_dirs = self._service_dirs()
        if not service_dirs:
            raise UsageError(
                f"no Model Invocation Logs under {self.root}: give --logs-dir the folder that holds "
                f"AWSLogs/{{account}}/{SERVICE_FOLDER}/ (the log bucket's copy, e.g. from --sync)"
            )
        return service_dirs

    def _service_dirs(self) -> list[Path]:
        """``.../AWSLogs/{account}/BedrockModelInvocationLogs`` folders at any depth; the walk stops at ``AWSLogs``
        so the day and hour folders below are never listed here."""
        found: list[Path] = []
        for folder, subfolders, _ in os.walk(self.root, followlinks=True):
            if os.path.basename(folder) == "AWSLogs":
                found += [Path(folder, account, SERVICE_FOLDER) for account in subfolders]
                subfolders.clear()
        return sorted(p for p in found if p.is_dir())

    @staticmethod
    def _collect_hour(hour_dir: str, objects: list[LogObject], stats: ScanStats) -> None:
        with os.scandir(hour_dir) as scanned:
            entries = sorted(scanned, key=lambda e: e.name)
        for entry in entries:
            if entry.is_dir():
                if entry.name == "data":
                    stats.skipped_objects[PAYLOAD_OBJECTS] += _count_files(entry.path)
                continue
            if entry.name.startswith(PERMISSION_CHECK_NAME) or not entry.name.endswith(".json.gz"):
                continue
            info = entry.stat()
            if info.st_size == 0:
                stats.skipped_objects[EMPTY] += 1
                continue
            objects.append(LogObject(Path(entry.path), info.st_size, info.st_mtime_ns))
            stats.objects_read += 1
            stats.bytes_read += info.st_size

    def query(self, sql: str, params: Sequence[SqlParam], scope: Scope) -> QueryResult:
        """Make the scope's records a table named like the Glue table, then run ``sql`` over it.

        With the cache the table is a view over Parquet parts (only the columns the query reads are read), and
        a query already answered over exactly the same parts returns its stored result; without the cache, the
        records are parsed into memory.
        """
        days, stats = self.list_days(scope)
        con = duckdb.connect(config={"threads": self.threads} if self.threads else {})
        try:
            for statement in _SESSION_SETUP:
                con.execute(statement)
            if self.cache_dir:
                cache = ColumnarCache(self.cache_dir, self.root)
                scan = cache.refresh(days, lambda objects, target: _write_part(con, objects, target), self._workers())
                self.last_refresh = scan.stats
                unreadable = scan.unreadable
                frame = cache.load_result(sql, list(params), scan.parts)
                scan.stats.result_reused = frame is not None
                if frame is None:
                    _create_view(con, scan.parts)
                    frame = con.execute(to_duckdb(sql), list(params)).df()
                    cache.store_result(sql, list(params), scan.parts, frame)
            else:
                unreadable = self._load(con, [obj for day in days for obj in day.objects])
                frame = con.execute(to_duckdb(sql), list(params)).df()
            for obj in unreadable:
                stats.skipped_objects[UNREADABLE] += 1
                stats.objects_read -= 1
                stats.bytes_read -= obj.size
        finally:
            con.close()
        return QueryResult(frame, stats)

    def _workers(self) -> int:
        return self.threads or os.cpu_count() or 2

    def _load(self, con: duckdb.DuckDBPyConnection, objects: list[LogObject]) -> list[LogObject]:
        """Parse ``objects`` into the logs table in bounded batches, one per worker at a time; return the
        objects that could not be read."""
        con.execute(f"CREATE TABLE {TABLE_NAME} ({_TABLE_DDL})")

        def load(batch: list[LogObject]) -> list[LogObject]:
            cursor = con.cursor()
            try:
                records, unreadable = _parsed(cursor, batch)
                if records is not None:
                    records.insert_into(TABLE_NAME)
                return unreadable
            finally:
                cursor.close()

        with ThreadPoolExecutor(max_workers=self._workers()) as pool:
            return [obj for unreadable in pool.map(load, batches(objects)) for obj in unreadable]


_COLUMNS = duckdb_columns()
_TABLE_DDL = ", ".join(
    [f'"{name}" {kind}' for name, kind in _COLUMNS.items()] + [f"{PARTITION_COLUMN} VARCHAR", '"$path" VARCHAR']
)
# Integer fields (the token counts) are parsed as text and checked: json_transform would turn "abc", true or an
# object into NULL, the same as an absent field. At most 18 digits always fits a BIGINT.
_TEXT_COLUMNS = {name: kind.replace(" BIGINT", " VARCHAR") for name, kind in _COLUMNS.items()}
_INTEGER_FIELDS = [
    f'j."{name}"."{field}"' for name, kind in _COLUMNS.items() for field in re.findall(r"(\w+) BIGINT", kind)
]
_INTEGERS_VALID = " AND ".join(f"({p} IS NULL OR regexp_full_match({p}, '-?[0-9]{{1,18}}'))" for p in _INTEGER_FIELDS)
# Bodies are read into structs of the few values reports use (logs/bodies.py), never as text.
_READ_TYPES = {
    name: kind.replace(f"{BODY_FIELDS[name]} VARCHAR", f"{BODY_FIELDS[name]} {duckdb_body_type(name)}")
    if name in BODY_FIELDS else kind
    for name, kind in _TEXT_COLUMNS.items()
}
_STRUCTURE = json.dumps(_READ_TYPES)


def _column_sql(name: str, kind: str) -> str:
    """A parsed column; a body keeps only the values the analyses read (``logs/bodies.py``), never its text."""
    value = f'j."{name}"'
    if name in BODY_FIELDS:
        field = BODY_FIELDS[name]
        cache_writes = 'TRY_CAST(j."input"."cacheWriteInputTokenCount" AS BIGINT)'
        reduced = duckdb_reduced_body(name, f"{value}.{field}", "line", cache_writes)
        value = f"struct_update({value}, {field} := {reduced})"
    return value if kind == _TEXT_COLUMNS[name] else f'CAST({value} AS {kind}) AS "{name}"'


# Objects are decompressed in Python and parsed by DuckDB's JSON functions: reading many small gzip objects
# through ``read_json`` directly costs milliseconds of set-up per object. Bodies are reduced, never kept.
_PARSE = (
    "SELECT "
    + ", ".join(_column_sql(name, kind) for name, kind in _COLUMNS.items())
    + f', dt AS {PARTITION_COLUMN}, path AS "$path" FROM ('
    # A record with an unreadable integer becomes a row of NULLs, like a line that is not JSON.
    f"SELECT CASE WHEN {_INTEGERS_VALID} THEN j END AS j, line, dt, path FROM ("
    "SELECT try(json_transform(line, ?)) AS j, line, dt, path FROM ("
    "SELECT unnest(string_split(content, chr(10))) AS line, dt, path FROM batch"
    # A line is blank when it has nothing but spaces; most start with '{', so trim() rarely runs.
    ") WHERE line <> '' AND (starts_with(line, '{') OR trim(line) <> '')))"
)
_PARTITION_PATTERN = re.compile(_PARTITION_RE)


def _parsed(
    cursor: duckdb.DuckDBPyConnection, objects: list[LogObject]
) -> tuple[duckdb.DuckDBPyRelation | None, list[LogObject]]:
    """The records of ``objects`` as a relation on ``cursor`` (None when none is readable), and the unreadable."""
    texts: list[bytes] = []
    readable: list[LogObject] = []
    unreadable: list[LogObject] = []
    for obj in objects:
        data = _decompressed(obj.path)
        if data is None:
            unreadable.append(obj)
        else:
            texts.append(data)
            readable.append(obj)
    content = _utf8_array(texts)
    if content is None:  # rare: find the objects that are not UTF-8
        valid = [_is_utf8(data) for data in texts]
        unreadable += [obj for obj, ok in zip(readable, valid, strict=True) if not ok]
        readable = [obj for obj, ok in zip(readable, valid, strict=True) if ok]
        content = _utf8_array([data for data, ok in zip(texts, valid, strict=True) if ok])
    if not readable or content is None:
        return None, unreadable
    cursor.register("batch", pa.table({
        "content": content,
        "dt": pa.array([_partition_of(obj.path) for obj in readable]),
        "path": pa.array([obj.path.as_posix() for obj in readable]),
    }))
    return cursor.sql(_PARSE, params=[_STRUCTURE]), unreadable


def _write_part(con: duckdb.DuckDBPyConnection, objects: list[LogObject], target: Path) -> list[LogObject]:
    """Parse ``objects`` into a Parquet file at ``target``; return the objects that could not be read."""
    cursor = con.cursor()
    try:
        records, unreadable = _parsed(cursor, objects)
        if records is not None:
            records.write_parquet(str(target), compression=PARQUET_COMPRESSION)
        return unreadable
    finally:
        cursor.close()


def _create_view(con: duckdb.DuckDBPyConnection, parts: list[Path]) -> None:
    """The logs table as a view over ``parts``, or an empty table when there are none."""
    if parts:
        con.read_parquet([str(p) for p in parts]).create_view(TABLE_NAME)
    else:
        con.execute(f"CREATE TEMP TABLE {TABLE_NAME} ({_TABLE_DDL})")


def _subfolders(folder: Path) -> list[Path]:
    """The folders directly inside ``folder``."""
    with os.scandir(folder) as entries:
        return sorted(Path(entry.path) for entry in entries if entry.is_dir())


def _count_files(folder: str) -> int:
    """Files in ``folder`` and below."""
    with os.scandir(folder) as entries:
        return sum(_count_files(e.path) if e.is_dir() else 1 for e in entries)


def _partition_of(path: Path) -> str | None:
    """The ``yyyy/MM/dd`` partition value of an object, from its key."""
    match = _PARTITION_PATTERN.search(path.as_posix())
    return match.group(1) if match else None


def _decompressed(path: Path) -> bytes | None:
    """The decompressed bytes of a log object, or ``None`` when it is not readable gzip."""
    try:
        return gunzip(path.read_bytes())
    except _GZIP_ERRORS:
        return None


def _utf8_array(texts: list[bytes]) -> pa.LargeStringArray | None:
    """The texts as one Arrow string array without decoding them in Python; ``None`` unless all are UTF-8."""
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum([len(t) for t in texts], out=offsets[1:])
    array = pa.LargeStringArray.from_buffers(len(texts), pa.py_buffer(offsets), pa.py_buffer(b"".join(texts)))
    try:
        array.validate(full=True)
    except pa.ArrowInvalid:
        return None
    return array


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
