"""Embedded engine: DuckDB runs the tracker's Trino SQL over a local folder (or S3 mirror) of log objects.

Only the day folders of the requested regions and UTC days are listed, with every folder below them (Athena's table
reads them all as the day's: its partition location is the day folder), so files outside the range are never opened;
objects in their month folders, which no report reads, are counted, as are hidden objects (a name, or a folder's below
the day folder, starting with ``_`` or ``.``), which Athena skips. Symbolic links are followed, each real folder
and object once. Every object is decompressed and
parsed a chunk at a time, so memory stays bounded and time linear whatever it holds; objects over the cap on
decompressed bytes (``bounded_gzip``) and unreadable ones (truncated or non-gzip content) are skipped and counted
with the reason; malformed lines become rows without a timestamp, which the tracker counts as skipped records.
Bytes that are not UTF-8 (a damaged byte in a prompt) are read as U+FFFD, as Athena's reader reads them, so the
object's records are kept; such objects are counted. Parsed records are kept in a columnar cache
(``columnar_cache``) unless it is switched off, so a refresh parses only new objects; a damaged part of it is
rebuilt.

A ``timestamp`` key written twice in a record is read as its last value, as Python's json and Athena's reader
read it (DuckDB alone would take the first): lines that may hold one are rewritten by Python's json first.

A token count must be a JSON integer or a string of digits (``"12"`` reads as 12, as Athena reads it); a record
with any other count (``"abc"``, ``"12x"``, ``12.5``, ``true``, an object or an array) is skipped as a record with a
negative count is, its ``requestId`` and ``timestamp`` kept, so a copy of it that is readable counts.
Athena's OpenX JSON SerDe fails the region's whole query on such a count instead: ``use.null.for.invalid.data``
is left at its default, false (Athena User Guide, "OpenX JSON SerDe"), as a NULL would count the call as 0 tokens;
``ignore.malformed.json`` covers only lines that are not JSON.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import os
import re
import shutil
import stat
import threading
import weakref
import zlib
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from functools import lru_cache
from itertools import groupby
from pathlib import Path
from typing import NamedTuple

from ..bounded_gzip import CHUNK_BYTES, GZIP_ERRORS, GZIP_MAGIC, OverCap, gunzip_chunks
from ..bounded_gzip import max_object_bytes as max_object_bytes_setting
from ..cache import cache_dir, write_atomically
from ..errors import UsageError
from ..lazy_modules import lazy, library_version
from ..logs.bodies import duckdb_body_type, duckdb_reduced_body
from ..logs.layout import PERMISSION_CHECK_NAME, SERVICE_FOLDER, days_between, is_hidden, partition_value
from ..logs.regions import PARTITION_NAMES, READ_PARTITIONS, REGION_NAMES, other_partition
from ..logs.schema import BODY_FIELDS, PARTITION_COLUMN, TABLE_NAME, duckdb_columns
from ..output.notices import Notice
from ..output.progress import DAY_FOLDERS, OBJECTS, Reporter, Tally, Words, silent, step_update
from .base import PAYLOAD_OBJECTS, UNREADABLE_PAYLOADS, LogRegions, LogSource, QueryResult, ScanStats, Scope, SqlParam
from .columnar_cache import (
    CACHE_ENV,
    PARQUET_COMPRESSION,
    PART_COMPRESSION,
    ColumnarCache,
    DayFolder,
    LogObject,
    ReadNotes,
    RefreshStats,
    batches,
    cache_setting,
    damaged_parts,
)
from .duckdb_memory import duckdb_config, scratch_folder
from .queries import quoted_name

duckdb = lazy("duckdb")
np = lazy("numpy")
pa = lazy("pyarrow")
pc = lazy("pyarrow.compute")
pq = lazy("pyarrow.parquet")

# ISA-L inflates gzip about three times as fast as zlib.
INFLATER = "isal"
# Lines are parsed this many bytes at a time: the text of a batch of objects is never all in memory at once.
PARSE_BYTES = 32 * 1024 * 1024

# UTC sessions, as Athena's; Trino functions DuckDB lacks under the same name become macros.
_SESSION_SETUP = (
    "SET TimeZone = 'UTC'",
    "CREATE OR REPLACE TEMP MACRO at_timezone(ts, zone) AS timezone(zone, ts)",
)
UNREADABLE = "unreadable object"  # each reason names the cause after it: "unreadable object: not gzip"
EMPTY = "empty object"
NAME_NOT_UTF8 = "object path is not UTF-8 (the service writes none)"
NOT_GZIP_NAME = "not named .json.gz (the service writes no other record objects; a hand-made copy may)"
DAMAGED_GZIP = "damaged gzip data (corrupt compressed bytes, or a checksum that does not match them: a damaged copy)"
TRAILING_BYTES = "gzip data followed by bytes that are not gzip (a damaged or appended copy)"
NOT_GZIP = "not gzip"
CUT_SHORT = "gzip cut short (an object still being written, or a partial copy)"
_NOT_GZIP = "Not a gzipped file"  # how Python's and ISA-L's gzip readers say the magic bytes are missing
UNREADABLE_FOLDER = "unreadable folder, counted as one object (the objects in it are not read)"
DANGLING_LINK = "a symbolic link to nothing"
HIDDEN = ("hidden: its name, or a folder's below the day folder, starts with _ or . (Athena skips such objects too: "
          "rename it to have it read)")
OUTSIDE_DAY_FOLDERS = ("in a month folder, which no report reads, nor Athena's table (the service writes objects only "
                       "in day folders: {region}/yyyy/MM/dd/HH/)")
NOT_ASKED_FOR = "not among the regions asked for"
UNKNOWN_REGION = ("the folder name is not an Amazon Bedrock region this botocore knows, so their calls are not in "
                  "these figures (a region newer than botocore: upgrade boto3 and botocore)")
# A Region botocore knows in a partition this tool neither reads nor prices (China's cn-north-1): no upgrade brings it
OTHER_PARTITION = ("the folder name is a Region of the {partition} partition ({name}), whose logs this tool neither "
                   f"reads nor prices ({READ_PARTITIONS})")
LISTING, READING = Words("listing_logs"), Words("reading_logs")
TRANSLATIONS = "duckdb-sql"  # folder of the cache folder keeping translated SQL



def unread_reason(folder: str) -> str:
    """Why the logs of a region folder outside the scope are not read: a region not asked for, a Region of a
    partition this tool does not read, or a name this botocore does not know as a Bedrock region."""
    if folder in REGION_NAMES:
        return NOT_ASKED_FOR
    partition = other_partition(folder)
    if partition is None:
        return UNKNOWN_REGION
    return OTHER_PARTITION.format(partition=partition, name=PARTITION_NAMES.get(partition, partition))


def _folders_why(folders: list[str]) -> list[str]:
    """Why each of ``folders`` is not read, one reason each: alone when all share it, else after the folders it names
    (``cn-north-1: a Region of the aws-cn partition``; ``xx-fake-9: not a Region this botocore knows``)."""
    named: dict[str, list[str]] = {}
    for folder in folders:
        named.setdefault(unread_reason(folder), []).append(folder)
    if len(named) == 1:
        return list(named)
    return [f"{', '.join(group)}: {reason}" for reason, group in named.items()]


@lru_cache(maxsize=64)
def to_duckdb(sql: str) -> str:
    """Transpile the tracker's Trino SQL into DuckDB's dialect.

    Translations are kept in the cache folder, named by sqlglot's version and the SQL text: loading sqlglot and
    transpiling take about half a second, paid once per SQL text, not on every refresh.
    """
    key = hashlib.sha256(f"{library_version('sqlglot')}\n{sql}".encode()).hexdigest()[:32]
    kept = cache_dir() / TRANSLATIONS / f"{key}.sql"
    try:
        return kept.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        pass
    import sqlglot

    translated = sqlglot.transpile(sql, read="trino", write="duckdb")[0]
    write_atomically(kept, lambda path: path.write_text(translated, encoding="utf-8"))
    return translated


class LocalEngine:
    """Runs queries over ``root``: a folder holding ``AWSLogs/...`` trees, at any depth below a key prefix.

    ``cache`` is ``True``/``False``, a folder, or ``None`` for ``$BEDROCK_USAGE_COLUMNAR_CACHE`` (``on``, ``off``
    or a folder; default on, under the user's cache directory).
    """

    name = "local"
    rereads_billed = False

    def __init__(
        self, root: Path, threads: int | None = None, cache: bool | str | Path | None = None,
        max_object_bytes: int | None = None,
    ):
        self.root = Path(root)
        self.threads = threads
        self.cache_dir = cache_setting(cache)
        self.max_object_bytes = max_object_bytes_setting(max_object_bytes)
        self.last_refresh: RefreshStats | None = None  # what the columnar cache did in the latest query
        self.source = LogSource("local", str(self.root), str(self.cache_dir) if self.cache_dir else None)
        self.description = self.source.description

    def list_objects(self, scope: Scope) -> tuple[list[Path], ScanStats]:
        """Record objects of the scope's regions and days, with counts of what was left out."""
        days, stats = self.list_days(scope)
        return [Path(obj.path) for day in days for obj in day.objects], stats

    def log_regions(self) -> LogRegions:
        """The Bedrock regions with a folder under the logs; other folders are named by ``list_days``."""
        folders = {folder.name for service_dir in self._existing_service_dirs() for folder in _subfolders(service_dir)}
        regions = tuple(region for region in REGION_NAMES if region in folders)
        if not regions:
            raise UsageError(self._no_region_folder(sorted(folders)))
        return LogRegions(regions)

    def _no_region_folder(self, folders: list[str]) -> Notice:
        """Why no report is made when the service folders hold no region's folder ($0 would read as no spend)."""
        root = str(self.root)
        if any(other_partition(folder) for folder in folders):
            why = _folders_why(folders)
            return Notice(f"no folder under {root} ({', '.join(folders)}) is a Region this tool reads, so no report "
                          f"is made ($0 would read as no spend): {'; '.join(why)}", "other_partition_folders",
                          folder=root, folders=folders, why=why)
        if folders:
            return Notice(f"no folder under {root} ({', '.join(folders)}) is an Amazon Bedrock region this botocore "
                          "knows, so no report is made ($0 would read as no spend): upgrade boto3 and botocore",
                          "no_region_folder", folder=root, folders=folders)
        return Notice(f"logging is set up but no region has written logs yet under {root}, so no report is made ($0 "
                      "would read as no spend): Bedrock writes a region's folder with its first logged call",
                      "no_logs_yet", folder=root)

    def list_days(self, scope: Scope, progress: Reporter = silent) -> tuple[list[DayFolder], ScanStats]:
        """The scope's day folders with their record objects, and counts of what was left out.

        A region folder outside the scope is named in ``unread_regions``, with why it is not read. ``progress``
        hears of every day folder looked into.
        """
        stats = ScanStats()
        days: list[DayFolder] = []
        service_dirs = self._existing_service_dirs()
        seen: set[int] = set()  # (device, inode) of every day folder, folder below it and object read
        present: set[str] = set()
        for service_dir in service_dirs:
            for folder in _subfolders(service_dir):
                present.add(folder.name)
                if folder.name not in scope.regions:
                    stats.unread_regions[folder.name] = unread_reason(folder.name)
        for region in scope.regions:
            if region not in present:  # a typo, or a region that never logged here: not "no spend"
                stats.regions_without_logs[region] = str(self.root)
        scope_days = days_between(scope.first_day, scope.last_day)
        folders = len(service_dirs) * len(scope.regions) * len(scope_days)
        looked = 0
        for service_dir in service_dirs:
            for region in scope.regions:
                for day in scope_days:
                    looked += 1
                    progress(step_update(LISTING, looked, folders, DAY_FOLDERS, note=_listed_note(stats)))
                    partition = partition_value(day)
                    objects = _day_objects(str(service_dir / region / partition), stats, seen, scope.owns(day))
                    if objects:
                        days.append(DayFolder(service_dir, region, partition, tuple(objects)))
                for month, month_days in groupby(scope_days, key=lambda day: day.strftime("%Y/%m")):
                    owned = any(scope.owns(day) for day in month_days)
                    _count_strays(str(service_dir / region / month), stats if owned else ScanStats())
        progress(step_update(LISTING, looked, folders, DAY_FOLDERS, note=_listed_note(stats), finished=True))
        return days, stats

    def accounts(self) -> list[str]:
        """The account ids whose logs the folder holds (its ``AWSLogs/{account}`` folders)."""
        return sorted({path.parent.name for path in self._service_dirs()})

    def _existing_service_dirs(self) -> list[Path]:
        """The service folders under the root; a UsageError when the root holds none."""
        if not self.root.is_dir():
            what = "is a file, not a folder" if self.root.exists() else "does not exist"
            raise UsageError(Notice(f"logs folder {self.root} {what}: give --logs-dir the folder that holds AWSLogs/",
                                    "logs_dir_is_file" if self.root.exists() else "logs_dir_missing",
                                    folder=str(self.root)))
        service_dirs = self._service_dirs()
        if not service_dirs:
            raise UsageError(Notice(
                f"no Model Invocation Logs under {self.root}: give --logs-dir the folder that holds "
                f"AWSLogs/{{account}}/{SERVICE_FOLDER}/ (the log bucket's copy, e.g. from --sync)",
                "no_invocation_logs", folder=str(self.root), layout=f"AWSLogs/{{account}}/{SERVICE_FOLDER}/"))
        return service_dirs

    def _service_dirs(self) -> list[Path]:
        """``.../AWSLogs/{account}/BedrockModelInvocationLogs`` folders at any depth; the walk stops at ``AWSLogs``
        so the day and hour folders below are never listed here.

        Symbolic links are followed, each real folder once: a link back up the tree (a loop) or a second link to
        the same logs adds nothing.
        """
        found: list[Path] = []
        seen: set[int] = set()
        for folder, subfolders, _ in os.walk(self.root, followlinks=True):
            if not _first_visit(os.stat(folder), seen):
                subfolders.clear()
                continue
            if os.path.basename(folder) == "AWSLogs":
                found += [Path(folder, account, SERVICE_FOLDER) for account in subfolders]
                subfolders.clear()
        unique: dict[tuple[int, int], Path] = {}
        for path in sorted(found):
            try:
                info = path.stat()
            except FileNotFoundError:
                continue
            except OSError as exc:  # an account folder it may not read: its logs would be missing without a word
                raise _unreadable_folder(path.parent, exc) from None
            if stat.S_ISDIR(info.st_mode):
                unique.setdefault((info.st_dev, info.st_ino), path)
        return list(unique.values())

    def query(self, sql: str, params: Sequence[SqlParam], scope: Scope, progress: Reporter = silent) -> QueryResult:
        """Make the scope's records a table named like the Glue table, then run ``sql`` over it.

        With the cache the table is a view over Parquet parts (only the columns the query reads are read), and
        a query already answered over exactly the same parts returns its stored result; without the cache, the
        records are parsed into memory. ``progress`` hears of the folders listed and the objects, bytes and
        records parsed.
        """
        days, stats = self.list_days(scope, progress)
        reading = Tally(progress, READING, OBJECTS, with_bytes=True, notes=_records_note)
        if self.cache_dir:
            result, notes = self._query_cached_healed(sql, params, days, reading, stats)
        else:
            con = self._connect()
            try:
                notes = self._load(con, [obj for day in days for obj in day.objects], reading)
                result = _answer_unkept(con, sql, params, stats)
            finally:
                con.close()
        _count_notes(notes, scope, stats)
        return result

    def _query_cached_healed(
        self, sql: str, params: Sequence[SqlParam], days: list[DayFolder], reading: Tally, stats: ScanStats,
    ) -> tuple[QueryResult, ReadNotes]:
        """``_query_cached``, planned and answered once more when a part it read went away meanwhile (another run on
        the same cache swept it) or is damaged where the cheap checks do not look (dropped first, so its objects are
        parsed again); a part gone again is a UsageError."""
        try:
            return self._query_cached(sql, params, days, reading, stats)
        except _PartsGone:
            pass
        except duckdb.Error:
            cache = ColumnarCache(self.cache_dir, self.root)
            if not cache.discard(damaged_parts(cache.parts_of(days, self.max_object_bytes))):
                raise
        try:
            return self._query_cached(sql, params, days, reading, stats)
        except _PartsGone:
            raise self._parts_gone_error() from None

    def _parts_gone_error(self) -> UsageError:
        return UsageError(Notice(
            f"parts of the columnar cache in {self.cache_dir} were removed while this report read them (another "
            f"run on the same cache folder?): run the report again, or give each run a folder of its own with "
            f"{CACHE_ENV}", "cache_parts_gone", folder=str(self.cache_dir), setting=CACHE_ENV))

    def _query_cached(
        self, sql: str, params: Sequence[SqlParam], days: list[DayFolder], reading: Tally, stats: ScanStats,
    ) -> tuple[QueryResult, ReadNotes]:
        """Run ``sql`` over the columnar cache, brought up to date first (or its stored result); the result is
        named by the query and the parts it read. DuckDB is opened only when there is something to parse or
        query: a repeated refresh answered by its stored result needs none."""
        # The parse workers (one per core) get a connection of their own on one DuckDB thread, closed once they are
        # done: DuckDB's threads on top of them cost more than they gave (300k records: 3.95 s -> 3.5 s a refresh).
        parsing = _Opened(lambda: self._connect(threads=1, memory_threads=self._workers()))
        querying = _Opened(self._connect)
        try:
            return self._answer_cached(parsing, querying, sql, list(params), days, reading, stats)
        finally:
            parsing.close()
            querying.close()

    def _answer_cached(
        self, parsing: _Opened, con: _Opened, sql: str, params: list[SqlParam], days: list[DayFolder],
        reading: Tally, stats: ScanStats,
    ) -> tuple[QueryResult, ReadNotes]:
        """``_query_cached`` with connections opened when first called: ``parsing`` for the parse workers, ``con``
        for the query."""
        cap = self.max_object_bytes
        cache = ColumnarCache(self.cache_dir, self.root)
        scan = cache.refresh(days, lambda jobs: _write_parts(parsing(), jobs, cap, reading),
                             self._workers(), cap, reading.start)
        parsing.close()
        reading.finish(Words.of("records_cached", records=reading.extra.get("records", 0),
                                cached=scan.stats.objects_reused))
        self.last_refresh = scan.stats
        key = cache.result_key(sql, params, scan.parts)
        scan.stats.result_reused = stored = cache.has_result(key)
        with _noting_parts_gone(scan.parts):
            if stored:
                cache.mark_used(key)
            else:
                _create_view(con(), scan.parts)
                try:  # straight from the query to the file, never whole in memory
                    stored = cache.write_result(key, lambda target: _write_rows(con(), sql, params, target))
                except _write_errors():
                    stored = False
            if not stored:  # the cache folder or the disk refuses the file
                return QueryResult(_rows(con(), sql, params), stats), scan.notes
        rows = self._stored_rows(cache, key, sql, params, scan.parts)
        return QueryResult(rows, stats, key, cache.shelf, cache.result_path(key)), scan.notes

    def _stored_rows(
        self, cache: ColumnarCache, key: str, sql: str, params: list[SqlParam], parts: list[Path]
    ) -> Callable[[], pa.Table]:
        """The stored result's rows, read when first used; computed over the parts again (and stored) when it was
        removed or damaged since it was found."""

        def rows() -> pa.Table:
            table = cache.load_result(key)
            if table is None:
                con = self._connect()
                try:
                    with _noting_parts_gone(parts):
                        _create_view(con, parts)
                        table = _rows(con, sql, params)
                except _PartsGone:
                    raise self._parts_gone_error() from None
                finally:
                    con.close()
                cache.store_result(key, table)
            return table

        return rows

    def _connect(self, threads: int | None = None, memory_threads: int | None = None) -> duckdb.DuckDBPyConnection:
        """A DuckDB connection set up as an Athena session (UTC, Trino's function names), on ``threads`` threads
        (the engine's when None), with the memory cap of ``memory_threads`` threads (of ``threads`` when None)."""
        threads = threads or self.threads
        con = duckdb.connect(config=duckdb_config(threads, memory_threads or threads))
        for statement in _SESSION_SETUP:
            con.execute(statement)
        return con

    def _workers(self) -> int:
        return self.threads or os.cpu_count() or 2

    def _load(self, con: duckdb.DuckDBPyConnection, objects: list[LogObject], reading: Tally) -> ReadNotes:
        """Parse ``objects`` into the logs table in bounded batches, one per worker at a time; return what reading
        them found."""
        con.execute(f"CREATE TABLE {TABLE_NAME} ({_TABLE_DDL})")
        reading.start(len(objects), sum(obj.size for obj in objects))

        def load(batch: list[LogObject]) -> ReadNotes:
            cursor = con.cursor()
            try:
                records, notes = _parsed(cursor, batch, self.max_object_bytes)
                if records is not None:
                    cursor.from_arrow(records).insert_into(TABLE_NAME)
                reading.add(len(batch), sum(obj.size for obj in batch), records=len(records) if records else 0)
                return notes
            finally:
                cursor.close()

        found = ReadNotes()
        with _one_thread(con), ThreadPoolExecutor(max_workers=self._workers()) as pool:
            for notes in pool.map(load, batches(objects)):
                found.add(notes)
        reading.finish()
        return found


def _day_objects(day_folder: str, stats: ScanStats, seen: set[int], owned: bool) -> list[LogObject]:
    """The record objects in a day folder and every folder below it but ``data/`` (Athena's table reads all of them
    as the day's: its partition location is the day folder); what is left out is counted when ``owned``."""
    objects: list[LogObject] = []
    skipped = stats if owned else ScanStats()
    day = day_folder.replace(os.sep, "/")
    folders = [day_folder] if _new_folder(day_folder, seen) else []
    while folders:  # a loop, not recursion: a hand-made tree may nest deeper than Python recurses
        folders += _collect_folder(folders.pop(), day, objects, stats, skipped, seen)
    return objects


def _collect_folder(folder_path: str, day: str, objects: list[LogObject], stats: ScanStats, skipped: ScanStats,
                    seen: set[int]) -> list[str]:
    """The record objects directly in a folder of the day folder ``day`` into ``objects``, what it leaves out counted
    in ``skipped``; return its sub-folders not met before (payload folders, ``data/``, are counted, not returned)."""
    entries = _entries(folder_path, skipped)
    folder = folder_path.replace(os.sep, "/")  # as Path.as_posix() would write it; one text for the whole folder
    folder_utf8 = folder.isascii() or _utf8(folder)
    subfolders: list[str] = []
    for entry in entries:
        if entry.is_symlink() and not os.path.exists(entry.path):
            _dangling(entry.path, skipped)
            continue
        if is_hidden(entry.name):
            _count_hidden(entry, seen, skipped)
            continue
        if entry.is_dir():
            if entry.name == "data":
                _count_payloads(entry.path, seen, skipped)
            elif _new_folder(entry.path, seen):
                subfolders.append(entry.path)
            continue
        if entry.name.startswith(PERMISSION_CHECK_NAME):
            continue
        if not entry.name.endswith(".json.gz"):
            skipped.skipped_objects[NOT_GZIP_NAME] += 1
            skipped.skip_example(NOT_GZIP_NAME, entry.path)
            continue
        if not folder_utf8 or not (entry.name.isascii() or _utf8(entry.name)):
            skipped.skipped_objects[NAME_NOT_UTF8] += 1
            skipped.skip_example(NAME_NOT_UTF8, entry.path)
            continue
        try:
            info = entry.stat()
            if not info.st_ino:  # Windows' directory entries leave the file id out: asked for on its own
                info = os.stat(entry.path)
        except OSError as exc:
            reason = DANGLING_LINK if entry.is_symlink() and isinstance(exc, FileNotFoundError) else (
                f"{UNREADABLE}: {exc.strerror or exc}")
            skipped.skipped_objects[reason] += 1
            skipped.skip_example(reason, entry.path)
            continue
        if not _first_visit(info, seen):
            continue
        if info.st_size == 0:
            skipped.skipped_objects[EMPTY] += 1
            skipped.skip_example(EMPTY, entry.path)
            continue
        objects.append(LogObject(folder, entry.name, info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns,
                                 day))
        stats.objects_read += 1
        stats.bytes_read += info.st_size
    return subfolders


def _count_notes(notes: ReadNotes, scope: Scope, stats: ScanStats) -> None:
    """Count in ``stats`` the objects left out (no longer read), those of a day folder the scope does not own (the
    next day's, read for late calls) by the period that owns it; and every object read with replacement characters,
    as its records may be any period's that read it (a late call of the day before, in the next day's first hour)."""
    for obj, reason in notes.left_out.items():
        if scope.owns(_folder_day(obj)):
            stats.skipped_objects[reason] += 1
            stats.skip_example(reason, obj.path)
        stats.objects_read -= 1
        stats.bytes_read -= obj.size
    for obj in notes.replaced:
        stats.not_utf8(obj.path)


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
_INTEGER_VALID = "({0} IS NULL OR regexp_full_match({0}, '-?[0-9]{{1,18}}'))"
_INTEGERS_VALID = " AND ".join(_INTEGER_VALID.format(p) for p in _INTEGER_FIELDS)


def _unreadable_counts_impossible() -> str:
    """The record ``j`` with each unreadable integer as -1, an impossible count: the facts query skips the record as
    it skips a negative count, and still knows its ``requestId`` and ``timestamp``, so a copy of a record that has a
    readable copy is a duplicate, not a lost record."""
    updates = []
    for name, kind in _COLUMNS.items():
        paths = {field: f'j."{name}"."{field}"' for field in re.findall(r"(\w+) BIGINT", kind)}
        values = [f"{field} := CASE WHEN {_INTEGER_VALID.format(path)} THEN {path} ELSE '-1' END"
                  for field, path in paths.items()]
        if values:
            updates.append(f'"{name}" := struct_update(j."{name}", {", ".join(values)})')
    return f"struct_update(j, {', '.join(updates)})"


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
        response_apart = 'j."output"."outputBodyS3Path" IS NOT NULL'
        reduced = duckdb_reduced_body(name, f"{value}.{field}", "line", cache_writes, response_apart)
        value = f"struct_update({value}, {field} := {reduced})"
    return value if kind == _TEXT_COLUMNS[name] else f'CAST({value} AS {kind}) AS "{name}"'


# Objects are decompressed in Python, cut into lines with numpy, and parsed by DuckDB's JSON functions: reading
# many small gzip objects through ``read_json`` directly costs milliseconds of set-up per object. ``batch`` holds
# lines and the index of their object, which the rows keep. Bodies are reduced, never kept.
_PARSE = (
    "SELECT "
    + ", ".join(_column_sql(name, kind) for name, kind in _COLUMNS.items())
    + ", obj FROM ("
    f"SELECT CASE WHEN {_INTEGERS_VALID} THEN j ELSE {_unreadable_counts_impossible()} END AS j, line, obj FROM ("
    "SELECT json_transform(line, ?) AS j, line, obj FROM batch"
    # A line of JSON whitespace only (spaces, tabs, a CRLF file's carriage returns; a line keeps its newlines) is no
    # record. Most lines start with '{': CASE keeps the pattern from running on them, which ``OR`` did not always do
    # (3 us per record in 12k-line batches).
    " WHERE CASE WHEN starts_with(line, '{') THEN true ELSE NOT regexp_full_match(line, '[ \\t\\r\\n]*') END))"
)
# A batch holding a line that is not JSON fails the query above (UnicodeDecodeError when DuckDB's message quotes the
# line cut inside a character); it is parsed again with every line's parse guarded, so such lines become rows of
# NULLs. Guarding every batch would cost 10 % of the parse (0.6 us per record).
_PARSE_GUARDED = _PARSE.replace("json_transform(line, ?)", "try(json_transform(line, ?))")


@contextlib.contextmanager
def _one_thread(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """DuckDB on one thread of its own while the parse workers (one per core) use ``con``, then as before: its
    threads on top of the workers cost more than they gave (300k records, cache off: 5.1 s -> 3.7 s a run)."""
    (threads,) = con.execute("SELECT current_setting('threads')").fetchone()
    con.execute("SET threads = 1")
    try:
        yield
    finally:
        con.execute(f"SET threads = {int(threads)}")


class _Opened:
    """A DuckDB connection opened when first called for (the parse workers may race to it), closed by ``close``."""

    def __init__(self, connect: Callable[[], duckdb.DuckDBPyConnection]):
        self._connect = connect
        self._connection: duckdb.DuckDBPyConnection | None = None
        self._lock = threading.Lock()

    def __call__(self) -> duckdb.DuckDBPyConnection:
        with self._lock:
            if self._connection is None:
                self._connection = self._connect()
            return self._connection

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None


class _PartsGone(Exception):
    """A part a query read went away while it ran (another run on the same cache swept it)."""


@contextlib.contextmanager
def _noting_parts_gone(parts: list[Path]) -> Iterator[None]:
    """Raise ``_PartsGone`` for a DuckDB error met while one of ``parts`` is missing; any other error as it is."""
    try:
        yield
    except duckdb.Error:
        if all(os.path.isfile(part) for part in parts):
            raise
        raise _PartsGone from None


def _write_errors() -> tuple[type[Exception], ...]:
    """The errors of a query's rows that cannot be written to their file (a folder or disk that refuses): they are
    read into memory instead; any other error of the query is raised as it is, not met twice."""
    return (OSError, duckdb.IOException)


def unreadable_reason(exc: BaseException, path: str) -> str:
    """Why the object at ``path`` could not be read, for the skipped-objects warning: what to fix differs by cause.
    The readers say "not gzip" of bytes after a whole gzip member too, and "ended early" of a short object that is
    not gzip at all, so its first bytes tell them apart."""
    gzip_start = _starts_as_gzip(path)
    if gzip_start is False:
        cause = NOT_GZIP
    elif isinstance(exc, EOFError):
        cause = TRAILING_BYTES if _bytes_after_members(path) else CUT_SHORT
    elif isinstance(exc, gzip.BadGzipFile) and str(exc).startswith(_NOT_GZIP):
        cause = TRAILING_BYTES if gzip_start else NOT_GZIP
    elif isinstance(exc, OSError) and exc.strerror:
        cause = exc.strerror  # permission denied, an I/O error
    else:  # bad deflate data, or a gzip whose checksum or length does not match what it holds
        cause = DAMAGED_GZIP
    return f"{UNREADABLE}: {cause}"


def _bytes_after_members(path: str) -> bool:
    """Whether the object is whole gzip members followed by bytes that open no member: ISA-L's reader says "ended
    early" of fewer than a header's bytes after the last member. Inflated again a block at a time, never whole."""
    try:
        with open(path, "rb") as handle:
            rest = handle.read()
    except OSError:
        return False
    while rest[:2] == GZIP_MAGIC:
        inflater = zlib.decompressobj(wbits=31)
        try:
            while rest and not inflater.eof:
                inflater.decompress(rest, 1 << 16)
                rest = inflater.unconsumed_tail
        except zlib.error:
            return False
        if not inflater.eof:
            return False  # cut short
        rest = inflater.unused_data
    return bool(rest)


def _starts_as_gzip(path: str) -> bool | None:
    """Whether the object opens with gzip's magic bytes; None when it cannot be read again."""
    try:
        with open(path, "rb") as handle:
            return handle.read(2) == GZIP_MAGIC
    except OSError:
        return None


@lru_cache(maxsize=1)
def _batch_schema() -> pa.Schema:
    """The parse query's input: one log line and the index of its object."""
    return pa.schema([("line", pa.large_string()), ("obj", pa.int32())])


def _parsed(
    cursor: duckdb.DuckDBPyConnection, objects: list[LogObject], cap: int
) -> tuple[pa.Table | None, ReadNotes]:
    """The records of ``objects`` as an Arrow table (None when none is readable), and what reading found: the objects
    left out with the reason, those read with replacement characters.

    Each object is read in chunks and its lines parsed ``PARSE_BYTES`` at a time, so memory stays bounded
    whatever an object holds; an object found damaged or over the cap part-way has its rows taken out again.
    """
    parsed: list[pa.Table] = []
    pending: list[pa.RecordBatch] = []
    texts: list[bytes] = []  # the chunks the pending lines point into
    keys = 0  # how often the pending chunks write the key "timestamp"
    escaped = False  # whether a pending chunk spells an ASCII character with an escape (\u0073)
    pending_bytes = 0
    left_out: dict[LogObject, str] = {}
    replaced: set[LogObject] = set()

    partitions = pa.array([obj.partition for obj in objects], pa.string())
    paths = pa.array([obj.path for obj in objects], pa.string())

    def parse(batches: list[pa.RecordBatch]) -> pa.Table:
        cursor.register("batch", pa.Table.from_batches(batches, _batch_schema()))
        try:
            try:
                table = cursor.sql(_PARSE, params=[_STRUCTURE]).to_arrow_table()
            except (duckdb.InterruptException, duckdb.OutOfMemoryException):
                raise
            except (duckdb.Error, UnicodeDecodeError):
                table = cursor.sql(_PARSE_GUARDED, params=[_STRUCTURE]).to_arrow_table()
        finally:
            cursor.unregister("batch")
        # Each row's partition and path from its object's index, in Arrow: a join in the query cost more and gave
        # the rows back out of order.
        owner = table.column("obj")
        return table.drop_columns("obj").append_column(PARTITION_COLUMN, partitions.take(owner)).append_column(
            "$path", paths.take(owner))

    def parse_pending() -> None:
        nonlocal pending_bytes, escaped, keys
        if pending:
            table = parse(pending)
            if escaped or _may_hold_duplicate_keys(keys, table):
                rewritten = [_last_key_wins(batch) for batch in pending]
                if any(batch is not None for batch in rewritten):
                    table = parse([new or old for new, old in zip(rewritten, pending, strict=True)])
            parsed.append(table)
            pending.clear()
            texts.clear()
            keys = 0
            pending_bytes = 0
            escaped = False

    for index, obj in enumerate(objects):
        try:
            for chunk in _object_lines(obj.path, cap):
                pending.append(pa.RecordBatch.from_arrays(
                    [chunk.lines, pa.array(np.full(len(chunk.lines), index, dtype=np.int32))], schema=_batch_schema()))
                texts.append(chunk.text)
                keys += chunk.text.count(_TIMESTAMP_KEY)  # while the chunk is in the CPU's cache
                escaped = escaped or chunk.escaped
                pending_bytes += len(chunk.text)  # blank lines too
                if chunk.replaced:
                    replaced.add(obj)
                if pending_bytes >= PARSE_BYTES:
                    parse_pending()
        except OverCap as exc:
            left_out[obj] = str(exc)
        except GZIP_ERRORS as exc:
            left_out[obj] = unreadable_reason(exc, obj.path)
    parse_pending()
    notes = ReadNotes(left_out, replaced - left_out.keys())
    if len(left_out) == len(objects):
        return None, notes
    table = pa.concat_tables(parsed) if parsed else parse([])  # objects of blank lines only: no rows
    if left_out:
        dropped = pa.array([obj.path for obj in left_out])
        table = table.filter(pc.invert(pc.is_in(table["$path"], value_set=dropped)))
    return table, notes


class _Chunk(NamedTuple):
    """The non-blank lines of a run of whole lines of an object, and what the parse needs to know of their text."""

    lines: pa.LargeStringArray
    text: bytes  # the UTF-8 text the lines point into
    escaped: bool  # whether the text spells an ASCII character with an escape (\u0073)
    replaced: bool  # whether bytes that are not UTF-8 were replaced with U+FFFD


def _object_lines(path: str, cap: int, chunk_bytes: int = CHUNK_BYTES) -> Iterator[_Chunk]:
    """The non-blank lines of one gzip object as UTF-8 Arrow strings, a chunk at a time.

    Lines end where Athena's line reader ends them (Trino's ``TextLineReader``, as Hadoop's ``LineRecordReader``):
    at LF, CRLF or a lone CR; and a UTF-8 byte order mark opening the object is no part of its first line. A line
    keeps its line ends and the blank lines after it (JSON whitespace), so cutting needs no copy; a line cut by a
    chunk boundary is carried into the next chunk. Raises OverCap or a gzip error.
    """
    carried: list[bytes] = []
    for chunk in _without_bom(gunzip_chunks(path, cap, chunk_bytes)):
        last_newline = chunk.rfind(b"\n")
        if last_newline < 0:
            last_newline = chunk.rfind(b"\r")  # a file of lone CRs is cut too, so memory stays bounded
        if last_newline < 0:
            carried.append(chunk)
            continue
        text = b"".join([*carried, chunk[: last_newline + 1]]) if carried else chunk[: last_newline + 1]
        carried = [chunk[last_newline + 1 :]]
        cut = _chunk(text)
        if cut is not None:
            yield cut
    rest = b"".join(carried) + b"\n"
    cut = _chunk(rest) if len(rest) > 1 else None
    if cut is not None:
        yield cut


_BOM = b"\xef\xbb\xbf"


def _without_bom(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """``chunks`` without the UTF-8 byte order mark that may open the first of them (a copy saved by a Windows
    editor): Athena's line reader skips it, so the object's first record is read, not skipped as malformed."""
    head = b""
    for chunk in chunks:
        head += chunk
        if len(head) >= len(_BOM) or not _BOM.startswith(head):
            break
    head = head.removeprefix(_BOM)
    if head:
        yield head
    yield from chunks


def _chunk(text: bytes) -> _Chunk | None:
    """The lines of ``text`` (whole lines, so no character is cut); None when all are blank.

    Text that fails the UTF-8 check is decoded again with each bad byte replaced by U+FFFD, as Athena's reader does
    (Hadoop's ``Text.toString``, Java's ``new String(bytes, UTF_8)``), so one damaged byte in a prompt loses no
    record; only such text takes this slower path.
    """
    replaced = False
    try:
        lines = _lines(text)
    except pa.ArrowInvalid:
        text, replaced = text.decode("utf-8", errors="replace").encode("utf-8"), True
        lines = _lines(text)
    return None if lines is None else _Chunk(lines, text, _ascii_escape_in(text), replaced)


def _lines(text: bytes) -> pa.LargeStringArray | None:
    """The non-empty lines of ``text`` (which ends with a line end), each with the line ends (LF, CR) that follow
    it; None when there are none."""
    data = np.frombuffer(text, dtype=np.uint8)
    newline = data == 10
    if b"\r" in text:  # a CR ends a line too; JSON writers escape it in strings, so most text holds none
        newline |= data == 13
    if newline.all():  # blank lines only (a padded or hostile object): nothing more to look at
        return None
    # A line starts where a byte other than a newline follows a newline (or opens the text): runs of blank lines
    # cost a pass over their bytes, never an entry each.
    starts = np.flatnonzero(newline[:-1] > newline[1:]) + 1
    if not newline[0]:
        starts = np.append(0, starts)
    offsets = np.append(starts, len(text)).astype(np.int64, copy=False)
    lines = pa.LargeStringArray.from_buffers(len(starts), pa.py_buffer(offsets), pa.py_buffer(text))
    if not text.isascii():  # ASCII is UTF-8, and quicker to check for than Arrow's UTF-8 check
        lines.validate(full=True)  # ArrowInvalid unless UTF-8
    return lines


_TIMESTAMP_KEY = b'"timestamp"'
_ASCII_ESCAPE = re.compile(r"\\u00[2-7][0-9a-fA-F]")


def _ascii_escape_in(text: bytes) -> bool:
    """True when ``text`` holds an escape of a printable ASCII character (``\\u0073``), which could spell a key;
    ordinary JSON writers never write one. Found with numpy, which runs beside the other threads."""
    data = np.frombuffer(text, dtype=np.uint8)
    backslash = np.flatnonzero(data[:-5] == 92)
    if not len(backslash):
        return False
    digit = data[backslash + 4]
    return bool(np.any((data[backslash + 1] == 117) & (data[backslash + 2] == 48) & (data[backslash + 3] == 48)
                       & (digit >= 50) & (digit <= 55)))


def _may_hold_duplicate_keys(keys: int, parsed: pa.Table) -> bool:
    """True unless every record read with a ``timestamp`` has that key written once, given how often (``keys``) the
    text of the ``parsed`` records writes ``"timestamp"`` (a key spelled with escapes, ``"time\\u0073tamp"``, is
    looked for apart, by :func:`_ascii_escape_in`).

    DuckDB reads the first of two equal keys; Python's json and Athena's reader (Trino's OpenX JSON reader) the
    last. A line holds ``"timestamp"`` at least once per record read with a timestamp, so as many occurrences in
    the text as such records prove no record holds two. Counting costs a pass over the text, far less than the
    parse; it runs on each chunk as it is cut, while the chunk is fresh in the CPU's cache, not over the parse's 32 MB
    of text afterwards (0.1-0.25 s of a 3.4-3.6 s build of 300k records on 2 workers, in two of three comparisons).
    """
    with_timestamp = len(parsed) - parsed.column("timestamp").null_count
    return keys != with_timestamp


def _last_key_wins(batch: pa.RecordBatch) -> pa.RecordBatch | None:
    """``batch`` with every line that may repeat a key rewritten by Python's json, whose last key wins; None when
    no line needs it."""
    lines = batch.column(0).to_pylist()
    changed = False
    for index, line in enumerate(lines):
        if line.count('"timestamp"') > 1 or _ASCII_ESCAPE.search(line):
            try:
                record = json.loads(line)
            except (ValueError, RecursionError):
                continue  # not JSON (or nested past Python's limit): left to DuckDB, which skips and counts it
            if isinstance(record, dict):
                lines[index] = json.dumps(record)
                changed = True
    if not changed:
        return None
    return pa.RecordBatch.from_arrays([pa.array(lines, pa.large_string()), batch.column(1)], schema=_batch_schema())


def _write_parts(
    con: duckdb.DuckDBPyConnection, jobs: list[tuple[list[LogObject], Path]], cap: int, reading: Tally
) -> list[ReadNotes]:
    """Parse the objects of every job in one go and write each job's records to a Parquet file at its path; return,
    job by job, what reading found. A job none of whose objects is readable gets no file."""
    objects = [obj for batch, _ in jobs for obj in batch]
    cursor = con.cursor()
    try:
        records, notes = _parsed(cursor, objects, cap)
        left_out = notes.left_out
        if records is not None:
            job_of_object = np.repeat(np.arange(len(jobs)), [len(batch) for batch, _ in jobs])
            paths = pa.array([obj.path for obj in objects])
            owner = job_of_object[pc.index_in(records["$path"], value_set=paths).to_numpy(zero_copy_only=False)]
            # DuckDB keeps the lines' order (preserve_insertion_order), so rows come in their objects' order; were
            # that setting ever off, they are ordered once here, since a part is a slice
            if np.any(owner[1:] < owner[:-1]):
                order = np.argsort(owner, kind="stable")
                records, owner = records.take(order), owner[order]
            bounds = np.searchsorted(owner, np.arange(len(jobs) + 1))
            for index, (batch, target) in enumerate(jobs):
                if any(obj not in left_out for obj in batch):
                    rows = records.slice(bounds[index], bounds[index + 1] - bounds[index])
                    # Arrow's writer: 2.5x less CPU than DuckDB's for the same file as DuckDB reads it (1.2 against
                    # 2.9 us per record)
                    pq.write_table(rows, target, compression=PART_COMPRESSION)
        reading.add(len(objects), sum(obj.size for obj in objects), records=len(records) if records else 0)
        return [ReadNotes({obj: left_out[obj] for obj in batch if obj in left_out},
                          {obj for obj in batch if obj in notes.replaced}) for batch, _ in jobs]
    finally:
        cursor.close()


def _answer_unkept(
    con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[SqlParam], stats: ScanStats
) -> QueryResult:
    """The rows of ``sql`` in a Parquet file of a scratch folder (``scratch_folder``), as the cache's stored results
    are, never whole in memory; the folder is removed once the result has read its rows or is dropped. In memory
    when the folder cannot be made or the file written."""
    try:
        folder = scratch_folder()
    except OSError:
        return QueryResult(_rows(con, sql, params), stats)
    target = folder / "rows.parquet"
    try:
        _write_rows(con, sql, params, target)
    except _write_errors():
        shutil.rmtree(folder, ignore_errors=True)
        return QueryResult(_rows(con, sql, params), stats)

    def rows() -> pa.Table:
        return pq.read_table(target)

    weakref.finalize(rows, shutil.rmtree, folder, True)  # the result drops this function once it has the rows
    return QueryResult(rows, stats, path=target)


def _write_rows(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[SqlParam], target: Path) -> None:
    """Write the rows of the tracker's ``sql`` to the Parquet file ``target`` as DuckDB makes them, a batch at a
    time."""
    _relation(con, sql, params).write_parquet(str(target), compression=PARQUET_COMPRESSION)


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[SqlParam]) -> pa.Table:
    """The rows of the tracker's ``sql`` as an Arrow table (no conversion to pandas unless a reader asks:
    ``QueryResult.frame``)."""
    return _relation(con, sql, params).to_arrow_table()


def _relation(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[SqlParam]) -> duckdb.DuckDBPyRelation:
    """The tracker's ``sql`` as a DuckDB relation, not run yet; its 128-bit sums become 64-bit integers, as
    Athena's are."""
    relation = con.sql(to_duckdb(sql), params=list(params))
    columns = [f"CAST({quoted_name(name)} AS BIGINT) AS {quoted_name(name)}"
               if kind.id == "hugeint" or (kind.id == "decimal" and kind.children[1][1] == 0) else quoted_name(name)
               for name, kind in zip(relation.columns, relation.types, strict=True)]
    return relation.project(", ".join(columns))


def _records_note(counts: dict[str, int]) -> Words:
    return Words.of("records_parsed", records=counts.get("records", 0))


def _listed_note(stats: ScanStats) -> Words:
    return Words.of("objects_listed", objects=stats.objects_read)


def _create_view(con: duckdb.DuckDBPyConnection, parts: list[Path]) -> None:
    """The logs table as a view over ``parts``, or an empty table when there are none."""
    if parts:
        con.read_parquet([str(p) for p in parts]).create_view(TABLE_NAME)
    else:
        con.execute(f"CREATE TEMP TABLE {TABLE_NAME} ({_TABLE_DDL})")


def _subfolders(folder: Path) -> list[Path]:
    """The folders directly inside ``folder`` (a service folder); a UsageError when it cannot be read."""
    try:
        with os.scandir(folder) as entries:
            return sorted(Path(entry.path) for entry in entries if entry.is_dir())
    except OSError as exc:
        raise _unreadable_folder(folder, exc) from None


def _unreadable_folder(folder: Path, exc: OSError) -> UsageError:
    """The error for a logs folder the system will not list: its words (``exc``) kept."""
    reason = exc.strerror or str(exc)
    return UsageError(Notice(f"cannot read the logs folder {folder}: {reason}", "logs_dir_unreadable",
                             folder=str(folder), reason=reason))


def _entries(folder: str, skipped: ScanStats) -> list[os.DirEntry]:
    """The entries of a day or hour folder, by name; none when it is missing, and none, counted in ``skipped`` with
    the cause, when it cannot be read."""
    try:
        with os.scandir(folder) as scanned:
            return sorted(scanned, key=lambda e: e.name)
    except (FileNotFoundError, NotADirectoryError):
        if os.path.islink(folder) and not os.path.exists(folder):
            _dangling(folder, skipped)
        return []
    except OSError as exc:
        reason = f"{UNREADABLE_FOLDER}: {exc.strerror or exc}"
        skipped.skipped_objects[reason] += 1
        skipped.skip_example(reason, folder)
        return []


def _dangling(path: str, skipped: ScanStats) -> None:
    """Count a symbolic link to nothing (an object, hour or day folder) in ``skipped``."""
    skipped.skipped_objects[DANGLING_LINK] += 1
    skipped.skip_example(DANGLING_LINK, path)


def _count_payloads(folder: str, seen: set[int], skipped: ScanStats) -> None:
    """Count the payload objects under a ``/data/`` folder in ``skipped``; a folder that cannot be read is counted
    with the cause."""
    try:
        skipped.skipped_objects[PAYLOAD_OBJECTS] += _count_files(folder, seen)
    except OSError as exc:
        reason = f"{UNREADABLE_PAYLOADS}: {exc.strerror or exc}"
        skipped.skipped_objects[reason] += 1
        skipped.skip_example(reason, folder)


def _count_hidden(entry: os.DirEntry, seen: set[int], skipped: ScanStats) -> None:
    """Count a hidden object, or every file of a hidden folder (one for a folder that cannot be listed), in
    ``skipped``: Athena's reader skips them, so the engines agree."""
    try:
        count = _count_files(entry.path, seen) if entry.is_dir() else 1
    except OSError:
        count = 1
    if count:
        skipped.skipped_objects[HIDDEN] += count
        skipped.skip_example(HIDDEN, entry.path)


def _count_files(folder: str, seen: set[int]) -> int:
    """Files in ``folder`` and below, each real folder counted once (symbolic links may loop)."""
    if not _first_visit(os.stat(folder), seen):
        return 0
    with os.scandir(folder) as entries:
        return sum(_count_files(e.path, seen) if e.is_dir() else 1 for e in entries)


def _count_strays(month_folder: str, skipped: ScanStats) -> None:
    """Count in ``skipped`` the objects directly in a month folder, which no day's partition holds."""
    try:
        with os.scandir(month_folder) as entries:
            strays = [entry.path for entry in entries  # files only: a day folder linking to nothing counts as one
                      if entry.is_file() and not entry.name.startswith(PERMISSION_CHECK_NAME)]
    except OSError:  # no such month, or one that cannot be listed: its day folders say what they hold
        return
    for path in strays:
        skipped.skipped_objects[OUTSIDE_DAY_FOLDERS] += 1
        skipped.skip_example(OUTSIDE_DAY_FOLDERS, path)


def _new_folder(path: str, seen: set[int]) -> bool:
    """True the first time a folder is met (``_first_visit``), and for one that cannot be looked at, whose listing
    then says why (missing, a link to nothing, permission denied)."""
    try:
        return _first_visit(os.stat(path), seen)
    except OSError:
        return True


def _first_visit(info: os.stat_result, seen: set[int]) -> bool:
    """True the first time a file or folder (by device and inode) is met; it is then remembered, as one number
    (half the memory of a pair)."""
    key = info.st_dev << 128 | info.st_ino  # Windows reports file ids of up to 128 bits (ReFS)
    if key in seen:
        return False
    seen.add(key)
    return True


def _utf8(name: str) -> bool:
    """True when a name read from the file system is UTF-8 (Python keeps other bytes as lone surrogates)."""
    try:
        name.encode()
    except UnicodeEncodeError:
        return False
    return True


def _folder_day(obj: LogObject) -> date:
    """The UTC day of the day folder that holds ``obj``."""
    return date.fromisoformat(obj.partition.replace("/", "-"))
