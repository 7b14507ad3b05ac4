"""A columnar cache of parsed log records: Parquet parts per log folder, region and UTC day, built incrementally.

Each day folder of the logs has a cache folder holding Parquet parts and ``manifest.json``, which lists the
log objects (name and ``LogObject.stamp``: size, mtime, file id, status-change time) behind each part, the cap on
decompressed bytes it was parsed under (and which of its objects were read with replacement characters for bytes that
are not UTF-8) and the objects found unreadable for their content. A refresh reuses every part whose objects are
unchanged, parses only objects it has not seen, and drops a part when one of its objects changed, was replaced or
disappeared, or when it was parsed under a larger cap than today's (its other objects are parsed again). An object
left out for the environment (permission denied, an I/O error) is read again on every refresh: the user may have fixed
it. Parts hold the table's declared columns only: never request or response bodies.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from ..bounded_gzip import over_cap_reason
from ..cache import cache_dir, keep_newest, remove_older, source_digest, write_atomically
from ..errors import UsageError
from ..lazy_modules import lazy, library_version
from ..logs.bodies import duckdb_body_type, duckdb_reduced_body
from ..logs.schema import BODY_FIELDS, COLUMNS
from ..output.notices import Notice
from .duckdb_memory import duckdb_config

duckdb = lazy("duckdb")
pa = lazy("pyarrow")
pq = lazy("pyarrow.parquet")

CACHE_ENV = "BEDROCK_USAGE_COLUMNAR_CACHE"
FORMAT_VERSION = 8  # bump when parts would hold other rows or columns: every cache is then rebuilt
MANIFEST = "manifest.json"
RESULTS = "results"
SHELF = "reports"
KEPT_RESULTS = 16  # query results kept per logs folder, the most recently used
ROOT_FILE = "root.json"
MAX_PARTS = 8  # a day folder with more parts (new objects on every refresh) is compacted into one
PART_BYTES = 8 * 1024 * 1024  # compressed log bytes per part (about 50 MB of JSON): bounds the memory of a parse
# Small day folders are parsed together up to this many compressed bytes: a parse costs about 10 ms however few
# records it holds, and beyond 2 MB a larger run saves little time and holds more memory (measured on 20k- and
# 300k-record corpora: 2 MB runs build the cache 2.1x faster than one run per day folder on the sparse one).
PARSE_GROUP_BYTES = 2 * 1024 * 1024
PARQUET_COMPRESSION = "uncompressed"  # dictionary and run-length encoded still; decoding is 2x faster than zstd
PART_COMPRESSION = "none"  # the same, as Arrow's Parquet writer names it (parts are written by Arrow)
PARQUET_MAGIC = b"PAR1"
ORPHAN_GRACE_SECONDS = 600  # a part no manifest lists is deleted only after this, in case a reader still uses it
# The operating system's error texts: a reason ending in one (``unreadable object: Permission denied``) comes from
# the environment, not from the object's content, and is never remembered.
_OS_ERRORS = frozenset(os.strerror(code) for code in errno.errorcode)
_OFF = {"off", "0", "false", "no"}
_ON = {"", "on", "1", "true", "yes"}
T = TypeVar("T")
# The code that makes the parts: inflating, the parse and its query, the columns and the values reduced bodies keep.
_PARSE_CODE = ("bounded_gzip.py", "engines/local.py", "logs/bodies.py", "logs/layout.py", "logs/schema.py")


@lru_cache(maxsize=1)
def _fingerprint() -> str:
    """What a part holds: its columns, the values its reduced bodies keep, the source of the code that parsed it and
    the DuckDB that ran the parse. A change to any rebuilds every cache, so parts made by another version never
    answer, whether or not it bumped FORMAT_VERSION."""
    return hashlib.sha256(json.dumps(
        [FORMAT_VERSION, COLUMNS, *(duckdb_body_type(side) for side in BODY_FIELDS),
         *(duckdb_reduced_body(side, "body", "line", "writes", "apart") for side in BODY_FIELDS),
         source_digest(_PARSE_CODE), library_version("duckdb")]
    ).encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class LogObject:
    """A record object as listed: its folder and file name, size, modification time, file id (inode) and
    status-change time (``st_ctime_ns``), which together tell an object replaced since it was parsed (``stamp``),
    and the day folder that holds it, which gives its ``partition`` whatever its hour folder is named.

    A listing makes one per object (tens of thousands a month), so each holds text only: the folder's and the day
    folder's texts are objects every file of the folder shares, and ``path`` and ``name`` are made when read (at 5M
    records a warm run's peak memory grew 1.6x from 1M with whole paths held per object).
    """

    folder: str  # the folder holding the object (the hour folder), as ``Path.as_posix()`` writes it
    file: str
    size: int
    mtime_ns: int
    ino: int
    ctime_ns: int
    day: str  # the day folder (``.../{region}/yyyy/MM/dd``) that ``folder`` is or is inside, written as ``folder``

    @property
    def stamp(self) -> list[int]:
        """What changes when the object is replaced, as a manifest keeps it. Size and modification time alone miss a
        copy that keeps both (``rsync -a``, ``cp -p``, a restore, the mirror's whole-second S3 dates); the kernel sets
        the status-change time to now on every write, rename or ``utime`` (no program can set it back), and a file
        put in the object's place has another file id, where Windows' "ctime" is a creation time that the file
        system may carry over to a file of the same name."""
        return [self.size, self.mtime_ns, self.ino, self.ctime_ns]

    @property
    def path(self) -> str:
        """The object's path."""
        return f"{self.folder}/{self.file}"

    @property
    def name(self) -> str:
        """The object's name inside its day folder: ``HH/file.json.gz``."""
        return self.path[len(self.day) + 1 :]

    @property
    def partition(self) -> str:
        """The ``yyyy/MM/dd`` partition value of the object's day folder (Athena's ``dt``)."""
        return self.day[-len("yyyy/MM/dd") :]


@dataclass(frozen=True)
class DayFolder:
    """The record objects of one UTC day folder (``.../{region}/yyyy/MM/dd``) under one ``AWSLogs`` tree."""

    service_dir: Path
    region: str
    partition: str  # yyyy/MM/dd
    objects: tuple[LogObject, ...]

    @property
    def path(self) -> Path:
        return self.service_dir / self.region / self.partition


@dataclass
class RefreshStats:
    """What one refresh of the cache did."""

    objects_reused: int = 0
    objects_parsed: int = 0
    parts_dropped: int = 0
    result_reused: bool = False
    seconds: float = 0.0


@dataclass
class ReadNotes:
    """What reading objects found: those left out, with the reason, and those read with U+FFFD in place of bytes that
    are not UTF-8 (their records are kept)."""

    left_out: dict[LogObject, str] = field(default_factory=dict)
    replaced: set[LogObject] = field(default_factory=set)

    def add(self, other: ReadNotes) -> None:
        """Take in what ``other`` found."""
        self.left_out.update(other.left_out)
        self.replaced |= other.replaced


@dataclass
class CachedScan:
    """The Parquet parts that hold a scope's records, and what reading their objects found."""

    parts: list[Path]
    notes: ReadNotes = field(default_factory=ReadNotes)
    stats: RefreshStats = field(default_factory=RefreshStats)


# Parses the objects of several batches at once and writes each batch's records to a Parquet file at the path
# beside it; returns, batch by batch, what reading found (the objects it left out, with why; those read with
# replacement characters).
PartWriter = Callable[[list[tuple[list[LogObject], Path]]], list[ReadNotes]]


def cache_setting(value: bool | str | Path | None) -> Path | None:
    """Where the cache lives for a constructor argument or, when ``None``, ``$BEDROCK_USAGE_COLUMNAR_CACHE``.

    ``on`` (the default) is ``cache_dir()/columnar``; ``off`` disables the cache; anything else is a folder.
    """
    if value is None:
        value = os.environ.get(CACHE_ENV, "on")
    if isinstance(value, bool):
        return cache_dir() / "columnar" if value else None
    if isinstance(value, Path):
        return value
    text = value.strip()
    if text.lower() in _OFF:
        return None
    if text.lower() in _ON:
        return cache_dir() / "columnar"
    return Path(text).expanduser()


class ColumnarCache:
    """The cache of one logs folder, kept under ``directory`` in a sub-folder named after the folder's path."""

    def __init__(self, directory: Path, logs_root: Path):
        self.directory = Path(directory)
        self.logs_root = Path(logs_root)
        resolved = self.logs_root.resolve().as_posix()
        key = hashlib.sha256(resolved.encode()).hexdigest()[:16]
        self.base = self.directory / key
        try:
            prune_missing_roots(self.directory)
            self.base.mkdir(parents=True, exist_ok=True)
            root_file = self.base / ROOT_FILE
            if _read_json(root_file).get("fingerprint") != _fingerprint():
                self._drop_parts()
                _write_json(root_file, {"root": resolved, "format": FORMAT_VERSION, "fingerprint": _fingerprint()})
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise UsageError(Notice(
                f"cannot use the columnar cache folder {self.directory}: {reason}; "
                f"set {CACHE_ENV} to another folder, or to 'off'", "cache_unusable", folder=str(self.directory),
                reason=reason, setting=CACHE_ENV)) from None

    def _drop_parts(self) -> None:
        """Delete the parts (and manifests) of another format, which no refresh would read again: their day folders
        are parsed afresh. Stored results and kept reports are named by the format, and age out."""
        for child in self.base.iterdir():
            if child.is_dir() and child.name not in (RESULTS, SHELF):
                shutil.rmtree(child, ignore_errors=True)

    def folder_of(self, day: DayFolder) -> Path:
        """The cache folder of a day folder."""
        relative = day.service_dir.relative_to(self.logs_root).as_posix()
        tree = hashlib.sha256(relative.encode()).hexdigest()[:12]
        return self.base / tree / day.region / day.partition

    def refresh(self, days: Iterable[DayFolder], write_parts: PartWriter, workers: int, cap: int,
                on_start: Callable[[int, int], None] | None = None) -> CachedScan:
        """Bring the parts of ``days`` up to date, parsing only new or changed objects, and list them.

        The new parts of many small day folders are parsed together (``parse_groups``), so a parse's fixed cost is
        paid per few megabytes of logs, not per day folder. ``cap`` is the readers' cap on decompressed bytes per
        object: an object left out for passing a smaller cap is read again. ``on_start`` is told how many objects
        and bytes will be parsed, before any is.
        """
        try:
            return self._refresh(list(days), write_parts, workers, cap, on_start)
        except (OSError, duckdb.IOException) as exc:
            reason = getattr(exc, "strerror", None) or str(exc)
            raise UsageError(Notice(
                f"cannot update the columnar cache in {self.directory}: {reason}; "
                f"free some space, or set {CACHE_ENV} to another folder or to 'off'", "cache_not_updated",
                folder=str(self.directory), reason=reason, setting=CACHE_ENV)) from None

    def _refresh(self, days: list[DayFolder], write_parts: PartWriter, workers: int, cap: int,
                 on_start: Callable[[int, int], None] | None) -> CachedScan:
        started = time.perf_counter()
        plans = [_Plan.of(day, self.folder_of(day), cap) for day in days]
        scan = CachedScan([])
        stats = scan.stats
        jobs = [(plan, batch) for plan in plans for batch in batches(plan.new)]
        if on_start:
            on_start(sum(len(batch) for _, batch in jobs), sum(o.size for _, batch in jobs for o in batch))
        workers = max(1, workers)
        with ThreadPoolExecutor(max_workers=workers) as pool:
            written = [part for group in pool.map(lambda group: _write(group, write_parts),
                                                  parse_groups(jobs, workers)) for part in group]
        for (plan, batch), (part, notes) in zip(jobs, written, strict=True):
            plan.add(part, batch, notes, cap)
            stats.objects_parsed += len(batch)
        for plan in plans:
            stats.objects_reused += plan.reused
            stats.parts_dropped += len(plan.dropped)
            if len(plan.parts) > MAX_PARTS:
                plan.compact()
            if plan.changed:
                plan.save()
            plan.sweep()
            scan.parts.extend(plan.folder / part["file"] for part in plan.parts)
            scan.notes.add(ReadNotes(plan.left_out, plan.replaced))
        stats.seconds = time.perf_counter() - started
        return scan

    def parts_of(self, days: Iterable[DayFolder], cap: int) -> list[Path]:
        """The parts the manifests of ``days`` list now that a refresh under ``cap`` would read."""
        return [plan.folder / part["file"] for plan in (_Plan.of(day, self.folder_of(day), cap) for day in days)
                for part in plan.parts]

    def discard(self, parts: list[Path]) -> list[Path]:
        """Delete damaged parts, so the next refresh parses their objects again; return those deleted."""
        for part in parts:
            part.unlink(missing_ok=True)
        return parts

    def result_key(self, sql: str, params: list, parts: list[Path]) -> str:
        """The name of the rows of ``sql`` over exactly these parts: equal names, equal rows (parts are immutable
        and uniquely named)."""
        libraries = [library_version("duckdb"), library_version("pyarrow")]
        key = json.dumps([_fingerprint(), *libraries, sql, [str(p) for p in params], sorted(p.name for p in parts)])
        return hashlib.sha256(key.encode()).hexdigest()[:32]

    def has_result(self, key: str) -> bool:
        """True when the result named ``key`` is stored (``load_result`` may still find it damaged)."""
        return self.result_path(key).is_file()

    def load_result(self, key: str) -> pa.Table | None:
        """The stored result named ``key``, if an earlier refresh kept it and it is readable."""
        path = self.result_path(key)
        try:
            table = pq.read_table(path)
            self.mark_used(key)
            return table
        except (OSError, ValueError, pa.ArrowException):
            return None

    def store_result(self, key: str, table: pa.Table) -> None:
        """Keep a query result for the next refresh over the same parts; only the newest few are kept. A result
        that cannot be kept is computed again next time."""
        try:
            self.write_result(key, lambda target: pq.write_table(table, target))
        except (ValueError, pa.ArrowException):
            return

    def write_result(self, key: str, write: Callable[[Path], None]) -> bool:
        """Keep the query result that ``write`` writes (as Parquet, to the path it is given) under ``key``, as
        ``store_result`` does; False when the folder or the disk refuses it."""
        path = self.result_path(key)
        if not write_atomically(path, write):
            return False
        keep_newest(path.parent, "*.parquet", KEPT_RESULTS)
        remove_older(path.parent.glob("tmp-*"), ORPHAN_GRACE_SECONDS)  # of a process killed while it wrote one
        return True

    def mark_used(self, key: str) -> None:
        """Note that the stored result named ``key`` was used now (the newest few are kept)."""
        with contextlib.suppress(OSError):
            os.utime(self.result_path(key))

    @property
    def shelf(self) -> Path:
        """Where results derived from stored query results are kept (the tracker's finished reports)."""
        return self.base / SHELF

    def result_path(self, key: str) -> Path:
        """Where the result named ``key`` is (or would be) stored."""
        return self.base / RESULTS / f"{key}.parquet"


def prune_missing_roots(directory: Path) -> list[Path]:
    """Remove the caches of logs folders that no longer exist; return the cache folders removed."""
    removed = []
    if not Path(directory).is_dir():
        return removed
    for base in Path(directory).iterdir():
        root_file = base / ROOT_FILE
        try:
            root = Path(json.loads(root_file.read_text())["root"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if not root.exists():
            shutil.rmtree(base, ignore_errors=True)
            removed.append(base)
    return removed


class _Plan:
    """One day folder's manifest, compared with the objects listed now and with the parts on disk.

    A part that is missing, of another size than written, or without Parquet's magic bytes at both ends (a
    truncated or emptied file) is dropped, and its objects parsed again, so a damaged cache heals itself; so is one
    parsed under a larger cap than today's, whose objects may now be over it (a smaller cap leaves it whole).
    ``left_out`` entries are ``[name, *stamp, reason, cap]``; one left out for passing a smaller cap than
    today's is read again, and one left out for the environment is never kept (an earlier version kept them). A part's
    ``replaced`` names its objects read with replacement characters, so a refresh that reuses it still says so.
    """

    def __init__(self, day: DayFolder, folder: Path, manifest: dict, cap: int):
        self.day = day
        self.folder = folder
        listed = {o.name: o for o in day.objects}
        self.parts: list[dict] = []
        self.dropped: list[str] = []
        self.retried: dict[LogObject, str] = {}  # left out for the environment in this refresh: not remembered
        covered: set[str] = set()
        for part in manifest.get("parts", []):
            fresh = all(_same(listed.get(name), stamp) for name, *stamp in part["objects"])
            if fresh and part["cap"] <= cap and part_is_whole(folder / part["file"], part.get("bytes")):
                self.parts.append(part)
                covered.update(name for name, *_ in part["objects"])
            else:
                self.dropped.append(part["file"])
        self.left_out_entries = [
            entry for entry in manifest.get("left_out", [])
            if _same(listed.get(entry[0]), entry[1:-2])
            and (entry[-1] is None or entry[-1] >= cap) and not from_environment(entry[-2])
        ]
        covered.update(entry[0] for entry in self.left_out_entries)
        self.reused = len(covered)
        self.new = [o for name, o in listed.items() if name not in covered]
        self.changed = bool(self.dropped) or len(self.left_out_entries) != len(manifest.get("left_out", []))
        self.changed = self.changed or not manifest

    @classmethod
    def of(cls, day: DayFolder, folder: Path, cap: int) -> _Plan:
        try:
            manifest = json.loads((folder / MANIFEST).read_text())
            if manifest.get("fingerprint") != _fingerprint():
                manifest = {}
        except (OSError, ValueError):
            manifest = {}
        return cls(day, folder, manifest, cap)

    @property
    def left_out(self) -> dict[LogObject, str]:
        """The objects left out, remembered or met in this refresh, with the reason."""
        listed = {o.name: o for o in self.day.objects}
        return {**{listed[entry[0]]: entry[-2] for entry in self.left_out_entries}, **self.retried}

    @property
    def replaced(self) -> set[LogObject]:
        """The objects of the parts read with replacement characters for bytes that are not UTF-8."""
        listed = {o.name: o for o in self.day.objects}
        return {listed[name] for part in self.parts for name in part.get("replaced", ())}

    def add(self, part: Path | None, batch: list[LogObject], notes: ReadNotes, cap: int) -> None:
        left_out = notes.left_out
        bad = {o.path for o in left_out}
        if part is not None:
            self.parts.append({
                "file": part.name,
                "bytes": part.stat().st_size,
                "cap": cap,
                "objects": [[o.name, *o.stamp] for o in batch if o.path not in bad],
                "replaced": sorted(o.name for o in notes.replaced),
            })
        self.left_out_entries += [
            [o.name, *o.stamp, reason, cap if reason == over_cap_reason(cap) else None]
            for o, reason in left_out.items() if not from_environment(reason)
        ]
        self.retried.update({o: reason for o, reason in left_out.items() if from_environment(reason)})
        self.changed = True

    def compact(self) -> None:
        """Merge every part into one; the old parts are swept later."""
        target = self.folder / _part_name()
        merge_parts([self.folder / p["file"] for p in self.parts], target)
        self.dropped += [p["file"] for p in self.parts]
        self.parts = [{"file": target.name, "bytes": target.stat().st_size, "cap": max(p["cap"] for p in self.parts),
                       "objects": [o for p in self.parts for o in p["objects"]],
                       "replaced": sorted(name for p in self.parts for name in p.get("replaced", ()))}]
        self.changed = True

    def save(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        mark_dropped(self.folder / name for name in self.dropped)
        _write_json(self.folder / MANIFEST, {
            "fingerprint": _fingerprint(),
            "day_folder": self.day.path.as_posix(),
            "parts": self.parts,
            "left_out": self.left_out_entries,
        })

    def sweep(self) -> None:
        """Delete parts no manifest lists once they were dropped long enough ago that no reader can still be using
        them (``mark_dropped``)."""
        if not self.folder.is_dir():
            return
        kept = {p["file"] for p in self.parts}
        remove_older([path for path in self.folder.iterdir()
                      if path.name.startswith(("part-", "tmp-")) and path.name not in kept], ORPHAN_GRACE_SECONDS)


_Job = tuple[_Plan, list[LogObject]]  # a batch of new objects of a day folder, to become one part


def part_is_whole(path: Path, size: int | None = None) -> bool:
    """True when a Parquet part is there in full: of the size it was written with (when known), with Parquet's
    magic bytes at both ends."""
    try:
        with path.open("rb") as handle:
            head = handle.read(4)
            handle.seek(-4, os.SEEK_END)
            tail = handle.read(4)
            end = handle.tell()
    except OSError:  # missing, unreadable, or shorter than four bytes
        return False
    return head == tail == PARQUET_MAGIC and (size is None or end == size)


def mark_dropped(parts: Iterable[Path]) -> None:
    """Stamp parts a manifest stops listing with the time they are dropped, before the manifest is saved: their grace
    (``ORPHAN_GRACE_SECONDS``, for a reader that listed them earlier) counts from then, not from when they were
    written, which may be long ago."""
    for part in parts:
        with contextlib.suppress(OSError):  # already gone, or damaged past reading
            os.utime(part)


def damaged_parts(parts: list[Path]) -> list[Path]:
    """The parts DuckDB cannot read through (damage the size and magic-byte checks miss)."""
    damaged = []
    con = duckdb.connect(config=duckdb_config())
    try:
        for part in parts:
            try:
                con.read_parquet(str(part)).fetch_arrow_table()
            except duckdb.Error:
                damaged.append(part)
    finally:
        con.close()
    return damaged


def from_environment(reason: str) -> bool:
    """True when an object was left out for the environment (its reason ends in the operating system's text for an
    error: permission denied, an I/O error), not for its content (not gzip, cut short, over the cap)."""
    return reason.rpartition(": ")[2] in _OS_ERRORS


def _same(obj: LogObject | None, stamp: list[int]) -> bool:
    """True when ``obj`` is listed and still the object a manifest stamped ``stamp``."""
    return obj is not None and obj.stamp == stamp


def batches(objects: list[LogObject], limit: int = PART_BYTES) -> Iterator[list[LogObject]]:
    """Objects in runs of at most ``limit`` compressed bytes (one part each), in path order."""
    return _runs(sorted(objects, key=lambda o: o.path), lambda o: o.size, limit)


def parse_groups(jobs: list[_Job], workers: int) -> Iterator[list[_Job]]:
    """Runs of consecutive jobs (a day folder's batch each) parsed together: at most ``PARSE_GROUP_BYTES``
    compressed bytes, and no more than an even share per worker, so every worker has a run (a larger batch is a run
    of its own)."""
    total = sum(obj.size for _, batch in jobs for obj in batch)
    limit = max(1, min(PARSE_GROUP_BYTES, -(-total // workers)))
    return _runs(jobs, lambda job: sum(obj.size for obj in job[1]), limit)


def _runs(items: Iterable[T], size: Callable[[T], int], limit: int) -> Iterator[list[T]]:
    """``items`` in order, cut into runs of at most ``limit`` in ``size`` (a larger item is a run of its own)."""
    run: list[T] = []
    total = 0
    for item in items:
        item_size = size(item)
        if run and total + item_size > limit:
            yield run
            run, total = [], 0
        run.append(item)
        total += item_size
    if run:
        yield run


def _write(group: list[_Job], write_parts: PartWriter) -> list[tuple[Path | None, ReadNotes]]:
    """Parse the batches of ``group`` at once, each into a new part of its day folder; no part for a batch of which
    nothing could be read."""
    targets = []
    for plan, _ in group:
        plan.folder.mkdir(parents=True, exist_ok=True)
        targets.append(plan.folder / _part_name())
    temporaries = [target.with_name(f"tmp-{target.name}") for target in targets]
    written: list[tuple[Path | None, ReadNotes]] = []
    try:
        read = write_parts([(batch, temporary) for (_, batch), temporary in zip(group, temporaries, strict=True)])
        for (_, batch), target, temporary, notes in zip(group, targets, temporaries, read, strict=True):
            if len(notes.left_out) == len(batch):
                written.append((None, notes))
            else:
                os.replace(temporary, target)
                written.append((target, notes))
    finally:
        for temporary in temporaries:
            temporary.unlink(missing_ok=True)
    return written


def merge_parts(parts: list[Path], target: Path) -> None:
    """Write the rows of several Parquet parts into one file at ``target`` (atomically)."""
    temporary = target.with_name(f"tmp-{target.name}")
    con = duckdb.connect(config=duckdb_config())
    try:
        con.read_parquet([str(p) for p in parts]).write_parquet(str(temporary), compression=PARQUET_COMPRESSION)
        os.replace(temporary, target)
    finally:
        con.close()
        temporary.unlink(missing_ok=True)


def _part_name() -> str:
    return f"part-{uuid.uuid4().hex}.parquet"


def _read_json(path: Path) -> dict:
    """A small JSON document of ours; empty when missing or unreadable."""
    try:
        document = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return document if isinstance(document, dict) else {}


def _write_json(path: Path, document: dict) -> None:
    """Write atomically: readers see the old file or the new one, never half of it."""
    temporary = path.with_name(f"tmp-{uuid.uuid4().hex}-{path.name}")
    temporary.write_text(json.dumps(document, separators=(",", ":")))
    os.replace(temporary, path)
