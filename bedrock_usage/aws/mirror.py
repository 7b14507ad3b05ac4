"""Copy the invocation-log objects of some regions and UTC days from S3 into a local folder.

The mirror keeps each object's key as its path under the destination, so the local engine reads it like
any logs folder. It holds what the local engine and Athena read of a day, no more: every ``.json.gz`` object below the
day folder (in its hour folders, directly in it, in their sub-folders), but payloads (``data/``), the permission-check
object and hidden objects (a name, or a folder's below the day folder, starting with ``_`` or ``.``: Athena skips
them). Files are written under a temporary ``*.part`` name and renamed when complete, with the object's
LastModified as their modification time; an existing file whose size differs from the object's, or that is 2 s
or more older than the object (FAT keeps times to 2 s), is fetched again, so an interrupted sync resumes cleanly:
the next sync of the same days fetches what is missing and deletes the ``*.part`` files the interrupted one left
behind. Once a day folder is listed, the mirror's record files of that day whose object the bucket no longer holds
are counted, and deleted only when asked (``prune``): they may be days a lifecycle rule expired, which the mirror
keeps, or another bucket's logs under the same prefix, as much as objects deleted or regenerated. An object S3 will
not serve until it is restored (S3 Glacier Flexible Retrieval or Deep Archive, an Intelligent-Tiering archive tier)
is counted apart, with its storage class, and leaves no file; once restored it is copied like any other. Days of
which neither the bucket nor the mirror holds a record are checked against the bucket's lifecycle rules (read once per
bucket, only then): a day a rule expired before any sync copied it has no figures, which the report says.
A bucket may hold several accounts' logs (S3 replication, central logging): every account folder under
``{prefix}AWSLogs/`` is mirrored, unless the caller names the accounts; an identity refused that listing (allowed
only its own account's prefix) syncs its own account.
"""

from __future__ import annotations

import errno
import os
import re
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from ..errors import SetupRequired, UsageError
from ..logs.layout import day_prefix, days_between, logs_root, normalise_prefix, read_below_day
from ..logs.period import Period
from ..output.notices import Notice
from ..output.progress import Reporter, Tally, silent
from ..output.wording import day_spans
from .log_lifecycle import DAY_FOLDER, BucketLifecycles, ExpiredDays, expired_days
from .logging_config import log_location, logging_regions
from .logging_status import READER_POLICY_FILE
from .session import AWS_ERRORS, Aws, as_project_error, describe, error_code, required_action

DEFAULT_WORKERS = 8
CHUNK_BYTES = 1024 * 1024
PART_SUFFIX = ".part"  # not ``.json.gz``, so readers of the mirror never pick up a half-written file
# A ``*.part`` file untouched this long belongs to a sync that was stopped (a running one writes every few ms).
ABANDONED_PART_SECONDS = 600
MTIME_ROUNDING_SECONDS = 2  # FAT keeps modification times to 2 s: a copy may read as up to that much older
# Bedrock writes under the 12-digit account id; other folders under AWSLogs/ (an organization trail's ``o-...``)
# hold no invocation logs.
_ACCOUNT_FOLDER = re.compile(r"\d{12}")


class MirrorUnwritable(UsageError):
    """The mirror folder refuses a file (read-only, no permission, a full disk): the whole sync stops, not only a
    region's."""


@dataclass
class SyncSummary:
    """What one sync listed and did; ``failed`` holds objects that could not be fetched, with the reason, and
    ``archived`` those S3 serves only once restored, with their storage class."""

    listed: int = 0
    downloaded: int = 0
    already_present: int = 0
    skipped: int = 0
    bytes: int = 0
    failed: dict[str, str] = field(default_factory=dict)
    archived: dict[str, str] = field(default_factory=dict)
    partials_removed: int = 0  # ``*.part`` files an interrupted sync left behind
    removed: int = 0  # record files whose object is no longer in the bucket, deleted (``prune``)
    not_in_bucket: int = 0  # such files kept (without ``prune``): still read
    # the day folders (day, key prefix) of which neither the bucket nor the mirror holds a record file
    empty_days: list[tuple[date, str]] = field(default_factory=list)


@dataclass(frozen=True)
class _Listed:
    key: str
    size: int
    last_modified: float  # POSIX time
    storage_class: str = "STANDARD"


@dataclass(frozen=True)
class _NotFetched:
    """Why an object was not fetched; ``archived`` when S3 serves it only once restored (``reason`` is then its
    storage class)."""

    reason: str
    archived: bool = False


def sync_logs(
    s3_client: Any,
    bucket: str,
    prefix: str,
    accounts: Sequence[str],
    regions: Sequence[str],
    first_day: date,
    last_day: date,
    dest: Path,
    workers: int = DEFAULT_WORKERS,
    progress: Reporter = silent,
    prune: bool = False,
) -> SyncSummary:
    """Make the mirror under ``dest`` hold the record objects of ``accounts`` and ``regions`` from ``first_day`` to
    ``last_day`` (UTC).

    Missing, changed and partial files are downloaded. A file whose object is no longer in the bucket (deleted,
    expired by a lifecycle rule, or another bucket's under the same prefix) is counted and kept, and deleted only
    with ``prune`` and only from a day the bucket still holds records of. Payload objects under ``/data/``, the
    permission-check object and hidden objects are listed but never copied. ``progress`` hears of the day folders
    listed and the objects and bytes copied, with those skipped. A MirrorUnwritable when ``dest`` refuses a file.
    """
    try:
        return _sync(s3_client, bucket, prefix, accounts, regions, (first_day, last_day), Path(dest), workers, progress,
                     prune)
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        raise MirrorUnwritable(f"cannot write the mirror in {dest}: {exc.strerror or exc}{where}: free some space, or "
                               "give --logs-dir a folder that takes files") from None


def _sync(s3_client: Any, bucket: str, prefix: str, accounts: Sequence[str], regions: Sequence[str],
          days: tuple[date, date], dest: Path, workers: int, progress: Reporter, prune: bool) -> SyncSummary:
    """``sync_logs``, whose local file errors are raised as they are."""
    dest.mkdir(parents=True, exist_ok=True)
    root = dest.resolve()
    dated = [(d, day_prefix(prefix, a, r, d)) for a in accounts for r in regions for d in days_between(*days)]
    prefixes = [day for _, day in dated]
    summary = SyncSummary()
    for day in prefixes:
        folder = _local_path(root, day.rstrip("/"))
        if folder is not None:
            summary.partials_removed += remove_abandoned_parts(folder)
    names = ", ".join(regions)
    listing = Tally(progress, f"listing s3://{bucket} {names}", unit="day folders")
    listing.start(len(prefixes))

    def list_day(day: str) -> list[_Listed]:
        listed = _list(s3_client, bucket, day)
        listing.add(1)
        return listed

    pool = ThreadPoolExecutor(max_workers=max(1, workers))
    try:
        # A listing that fails raises here, before anything is removed.
        listings = list(pool.map(list_day, prefixes))
        listing.finish(f"{sum(len(found) for found in listings):,} objects")
        for (when, day), found in zip(dated, listings, strict=True):
            keys = {listed.key for listed in found}
            stale = _not_in_bucket(root, day, keys)
            held = any(read_below_day(key[len(day):]) for key in keys)
            if not held and not stale:
                summary.empty_days.append((when, day))
            # Never from a day the bucket holds no record of: a wrong bucket or prefix, or a day a lifecycle rule
            # expired whole, would empty the mirror.
            if prune and held:
                for path in stale:
                    path.unlink(missing_ok=True)
                summary.removed += len(stale)
            else:
                summary.not_in_bucket += len(stale)
        to_fetch = _outdated(root, [(day, listed) for day, found in zip(prefixes, listings, strict=True)
                                    for listed in found], summary)
        _copy(pool, s3_client, bucket, to_fetch, summary, Tally(
            progress, f"copying {names}", with_bytes=True,
            notes=lambda counts: _copy_note(summary, counts)))
    finally:
        pool.shutdown(cancel_futures=True)  # a failure or Ctrl-C waits only for the downloads under way
    return summary


def _outdated(root: Path, listed_objects: list[tuple[str, _Listed]], summary: SyncSummary
              ) -> list[tuple[_Listed, Path]]:
    """The record objects (each with the day prefix it was listed under) whose mirror file is missing or not current,
    with that file; counts the others."""
    to_fetch = []
    for day, listed in listed_objects:
        summary.listed += 1
        target = _local_path(root, listed.key) if read_below_day(listed.key[len(day):]) else None
        if target is None:
            summary.skipped += 1
        elif _is_current(target, listed.size, listed.last_modified):
            summary.already_present += 1
        else:
            to_fetch.append((listed, target))
    return to_fetch


def _copy(pool: ThreadPoolExecutor, s3_client: Any, bucket: str, to_fetch: list[tuple[_Listed, Path]],
          summary: SyncSummary, copying: Tally) -> None:
    """Download ``to_fetch`` with ``pool``, counting into ``summary`` and ``copying``."""
    copying.start(len(to_fetch), sum(listed.size for listed, _ in to_fetch))
    results = pool.map(lambda item: _fetch(s3_client, bucket, *item), to_fetch)
    for (listed, _), missed in zip(to_fetch, results, strict=True):
        if missed and missed.archived:
            summary.archived[listed.key] = missed.reason
            copying.add(1, archived=1)
        elif missed:
            summary.failed[listed.key] = missed.reason
            copying.add(1, failed=1)
        else:
            summary.downloaded += 1
            summary.bytes += listed.size
            copying.add(1, listed.size)
    copying.finish()


def _copy_note(summary: SyncSummary, counts: dict[str, int]) -> str:
    """The copy's progress note: objects already present, failed and, when any, archived."""
    note = f"{summary.already_present:,} already present, {counts.get('failed', 0):,} failed"
    archived = counts.get("archived", 0)
    return f"{note}, {archived:,} archived" if archived else note


def _is_current(path: Path, size: int, last_modified: float) -> bool:
    """A mirror file holds its object's present content: the same size, and not written before the object last
    was (a download takes the object's LastModified as its time; files of earlier syncs are newer still), within
    less than the 2 seconds a FAT file system rounds times to."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return False
    except OSError as exc:
        if _name_refused(exc):  # fetched, and counted as failed with the reason
            return False
        raise
    return path.is_file() and stat.st_size == size and stat.st_mtime > last_modified - MTIME_ROUNDING_SECONDS


def _local_path(root: Path, key: str) -> Path | None:
    """Where an object (or a key prefix) goes under ``root``; ``None`` for one that would escape it."""
    parts = key.split("/")
    if any(part in ("", ".", "..") for part in parts):
        return None
    return root.joinpath(*parts)


def remove_abandoned_parts(day_folder: Path, now: float | None = None) -> int:
    """Delete the ``*.part`` files of a stopped sync in a day folder and the folders below it; return how many."""
    limit = (now or time.time()) - ABANDONED_PART_SECONDS
    removed = 0
    for part in day_folder.rglob(f"*{PART_SUFFIX}"):
        try:
            if part.stat().st_mtime < limit:
                part.unlink()
                removed += 1
        except FileNotFoundError:  # another sync finished or removed it
            continue
    return removed


def _not_in_bucket(root: Path, day: str, keys: set[str]) -> list[Path]:
    """The record files of the mirror's day folder ``day`` (a key prefix), wherever below it, whose key is not in
    ``keys``, the day's complete listing. ``*.part`` files, payload and hidden objects are never among them."""
    folder = _local_path(root, day.rstrip("/"))
    if folder is None:
        return []
    stale = ((path, path.relative_to(root).as_posix()) for path in folder.rglob("*.json.gz"))
    return [path for path, key in stale if key not in keys and read_below_day(key[len(day):])]


def log_accounts(s3_client: Any, bucket: str, prefix: str) -> list[str]:
    """The account folders under ``{prefix}AWSLogs/`` in ``bucket``, sorted (one request per 1,000 folders)."""
    root = logs_root(prefix)
    try:
        pages = s3_client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=root, Delimiter="/")
        folders = [common["Prefix"][len(root):].rstrip("/")
                   for page in pages for common in page.get("CommonPrefixes", [])]
    except AWS_ERRORS as err:
        raise _project_error(err, bucket, f"listing s3://{bucket}/{root}") or UsageError(
            f"cannot list s3://{bucket}/{root}: {describe(err)}"
        ) from err
    return sorted(folder for folder in folders if _ACCOUNT_FOLDER.fullmatch(folder))


def _accounts_to_sync(s3_client: Any, bucket: str, prefix: str, own: str) -> tuple[tuple[str, ...], str]:
    """Every account folder of the bucket (``own`` when it holds none), and ``""``; or, when listing the folders is
    refused (a policy allowing only the caller's own account's prefix, common in central buckets), ``own`` alone
    and why the others could not be listed."""
    try:
        return tuple(log_accounts(s3_client, bucket, prefix)) or (own,), ""
    except SetupRequired as refused:
        return (own,), str(refused)


def _list(s3_client: Any, bucket: str, prefix: str) -> list[_Listed]:
    try:
        pages = s3_client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        return [_Listed(obj["Key"], int(obj["Size"]), obj["LastModified"].timestamp(),
                        obj.get("StorageClass") or "STANDARD")
                for page in pages for obj in page.get("Contents", [])]
    except AWS_ERRORS as err:
        raise _project_error(err, bucket, f"listing s3://{bucket}/{prefix}") or UsageError(
            f"cannot list s3://{bucket}/{prefix}: {describe(err)}"
        ) from err


def _fetch(s3_client: Any, bucket: str, listed: _Listed, target: Path) -> _NotFetched | None:
    """Download one object atomically, dated by its LastModified; return why it was not fetched, or ``None``.

    A name the file system refuses (too long) is that object's failure; any other local error (a full disk, a
    folder that refuses files) is raised.
    """
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=PART_SUFFIX)
    except OSError as exc:
        if _name_refused(exc):
            return _NotFetched(f"this file system refuses its name: {exc.strerror}")
        raise
    try:
        with os.fdopen(handle, "wb") as out:
            body = s3_client.get_object(Bucket=bucket, Key=listed.key)["Body"]
            for chunk in iter(lambda: body.read(CHUNK_BYTES), b""):
                out.write(chunk)
            written = out.tell()
        if written != listed.size:
            # The object changed between listing and download; the next sync fetches it again.
            os.unlink(temp_name)
            return _NotFetched(f"got {written} bytes, listing said {listed.size}")
        # Dated as listed: an object rewritten since the listing is newer than the file, and fetched again next time.
        os.utime(temp_name, (listed.last_modified, listed.last_modified))
        os.replace(temp_name, target)
        return None
    except AWS_ERRORS as err:
        os.unlink(temp_name)
        return _not_fetched(err, bucket, listed)
    except BaseException:
        os.unlink(temp_name)
        raise


def _name_refused(exc: OSError) -> bool:
    """True when the file system refuses a path for its name alone (a key's last part longer than it allows)."""
    return exc.errno == errno.ENAMETOOLONG


def _not_fetched(err: Exception, bucket: str, listed: _Listed) -> _NotFetched:
    """Why reading an object failed, when only that object is concerned; raises the error that stops the region."""
    error = err.response.get("Error", {}) if isinstance(err, ClientError) else {}
    if error_code(err) == "InvalidObjectState":  # archived: GetObject is refused until the object is restored
        tier = error.get("AccessTier")  # an Intelligent-Tiering archive tier
        return _NotFetched(" ".join(filter(None, (error.get("StorageClass") or listed.storage_class, tier))), True)
    project_error = _project_error(err, bucket, f"reading s3://{bucket}/{listed.key}")
    if project_error:
        raise project_error from err
    if error_code(err) in ("NoSuchKey", "404"):
        return _NotFetched("object deleted after it was listed")
    # Anything else (a dropped connection after the retries) is left for the next sync to fetch.
    return _NotFetched(describe(err))


def _project_error(err: Exception, bucket: str, doing: str) -> UsageError | SetupRequired | None:
    """The error that stops the region's sync (no bucket, no permission, no credentials); None for one object's.

    ``doing`` names the request (``reading s3://bucket/key``). A refusal keeps AWS's message, which may name the
    action refused (kms:Decrypt when the object's KMS key refuses) or the policy that refused it.
    """
    code = error_code(err)
    if isinstance(err, ClientError) and code in ("AccessDenied", "AccessDeniedException", "403"):
        message = (err.response.get("Error", {}).get("Message") or code).strip()
        needed = required_action(err)
        if needed == "s3:GetObject":
            needed += " on it, and kms:Decrypt on the bucket's KMS key if it uses SSE-KMS"
        return SetupRequired(f"access denied {doing}: AWS says {message!r}; this identity needs {needed}")
    if code == "NoSuchBucket":
        return UsageError(f"bucket {bucket} does not exist: check the logging configuration's bucket name")
    return as_project_error(err)


@dataclass(frozen=True)
class MirrorResult:
    """One region's sync into the local mirror; ``failure`` says why it was not synced (``summary`` is then None)."""

    region: str
    bucket: str = ""
    prefix: str = ""
    summary: SyncSummary | None = None
    failure: UsageError | SetupRequired | None = None
    accounts: tuple[str, ...] = ()  # the account folders synced
    accounts_unlisted: str = ""  # why the bucket's account folders could not be listed (the caller's alone synced)
    # the days of which neither the bucket nor the mirror holds a record that a lifecycle rule of the bucket has
    # deleted or may have, or, when its rules could not be read, the note naming such days (``rules_unread``)
    expired: ExpiredDays | None = None
    lifecycle_unread: Notice | str = ""

    def expiry_notes(self) -> list[str]:
        """What the report must say of the days a lifecycle rule deleted before the mirror copied them, or of rules
        that could not be read while some days hold no record."""
        if self.expired:
            return [self.expired.note(self.region, synced=True)]
        return [self.lifecycle_unread] if self.lifecycle_unread else []

    @property
    def location(self) -> str:
        """``s3://bucket/prefix/`` the region was synced from."""
        return f"s3://{self.bucket}/{normalise_prefix(self.prefix)}"

    @property
    def holds_records(self) -> bool:
        """The region was synced and its days hold record files: objects the bucket lists, or the mirror's files no
        longer in it (still read)."""
        s = self.summary
        return s is not None and (s.listed - s.skipped + s.not_in_bucket) > 0


def mirror_logs(
    aws: Aws, regions: tuple[str, ...] | None, period: Period, dest: Path, bucket: str | None = None,
    prefix: str | None = None, progress: Reporter = silent, prune: bool = False,
    accounts: tuple[str, ...] | None = None,
) -> list[MirrorResult]:
    """Sync each region's log objects for ``period`` from its logging bucket into ``dest``.

    The bucket and prefix come from the region's logging configuration unless given (``bucket`` alone: the
    configuration's prefix when its bucket is that one, else the bucket's root). ``None`` for the regions means
    every region whose logging delivers to S3. A region that fails, or whose bucket holds nothing of the period, is
    reported in its result and the others are synced; when no region synced holds a record of the period (a report
    would read as no spend), each failure and each empty bucket is raised in one error (a UsageError when no region
    failed), and a mirror folder that refuses files stops them all.
    Every account folder the bucket holds under the prefix is synced, or only ``accounts`` when given (the caller's
    own when the bucket holds none, or when listing the folders is refused). ``progress`` hears how far each
    region's copy got.
    """
    account = aws.account_id()
    days = period.partition_days()
    first, last = period.utc_days()  # the period's days: the one after them is read for late calls only
    results: list[MirrorResult] = []
    lifecycles = BucketLifecycles()  # each bucket's lifecycle rules, read once, and only for days with no record
    if regions is None:
        found = logging_regions(aws, policy_file=READER_POLICY_FILE)
        if not found.regions:
            raise SetupRequired(
                f"Model Invocation Logging delivers to S3 in no region of account {account}: run "
                "python setup_bedrock_logging.py --regions REGION, or name the regions to copy"
            )
        regions = found.regions
        results += [MirrorResult(region, failure=SetupRequired(f"{why}; pass --region {region} --log-bucket BUCKET to "
                                                              "copy from the bucket you name"))
                    for region, why in sorted(found.unread.items())]
    for region in regions:
        try:
            location = log_location(aws, region, bucket, prefix, READER_POLICY_FILE)
            region_bucket, region_prefix = location.bucket, location.prefix
            s3_client = aws.client("s3", region)
            synced, unlisted = (accounts, "") if accounts else _accounts_to_sync(
                s3_client, region_bucket, region_prefix, account)
            summary = sync_logs(s3_client, region_bucket, region_prefix, synced, [region], *days, dest,
                                progress=progress, prune=prune)
        except MirrorUnwritable:
            raise
        except (UsageError, SetupRequired) as exc:
            results.append(MirrorResult(region, failure=exc))
        else:
            empty = [(day, folder) for day, folder in summary.empty_days if first <= day <= last]
            expired, unread = _expired(lifecycles, s3_client, location.bucket, location.prefix, region, empty)
            results.append(MirrorResult(region, region_bucket, region_prefix, summary, accounts=synced,
                                        accounts_unlisted=unlisted, expired=expired, lifecycle_unread=unread))
    if not any(result.holds_records for result in results):
        failures = [result.failure for result in results if result.failure]
        raise (type(failures[0]) if failures else UsageError)(_failed_and_empty(results, period))
    return results


def _expired(lifecycles: BucketLifecycles, s3_client: Any, bucket: str, prefix: str, region: str,
             empty: list[tuple[date, str]]) -> tuple[ExpiredDays | None, Notice | str]:
    """The days of the period of which neither the bucket nor the mirror holds a record (``empty``: each with its
    folder) that a lifecycle rule of the bucket has deleted or may have (read once per bucket, only when there are
    such days), or why its rules could not be read."""
    if not empty:
        return None, ""
    rules = lifecycles.read(s3_client, bucket, region)
    if rules is None:
        return None, rules_unread(region, f"s3://{bucket}/{normalise_prefix(prefix)}",
                                  sorted({day for day, _ in empty}), lifecycles.reasons[bucket])
    regions = [(day, folder.removesuffix(f"{day:{DAY_FOLDER}}")) for day, folder in empty]
    return expired_days(bucket, rules, regions) if rules else None, ""


def rules_unread(region: str, location: str, days: list[date], why: Notice) -> Notice:
    """A sync's note of the ``days`` of the period neither the bucket (at ``location``) nor the mirror holds a record
    of, where the bucket's lifecycle rules could not be read (``why``): whether those days had no calls or a rule
    deleted their logs before the mirror copied them is not known, and the figures lack any such calls."""
    spans = day_spans(days)
    return Notice(f"{region} has no log object of {spans} (UTC) in {location} nor in the mirror, and the bucket's "
                  "lifecycle rules could not be read, so whether those days had no calls or a rule deleted their logs "
                  f"before the mirror copied them (their calls then missing from these figures) is not known: {why}",
                  "sync_rules_unread", region=region, spans=spans, location=location, why=why)


def _failed_and_empty(results: list[MirrorResult], period: Period) -> str:
    """Each region not synced and why, then each bucket that holds no log object of the period for the regions
    synced from it, and what to check."""
    lines = [f"{r.region} not synced: {r.failure}" for r in results if r.failure]
    empty: dict[str, list[str]] = {}
    for result in results:
        if result.summary is not None:
            empty.setdefault(result.location, []).append(result.region)
    lines += [f"{where} holds no log object of {', '.join(regions)} for {period.label()}"
              for where, regions in empty.items()]
    lines += [note for result in results if result.expired for note in result.expiry_notes()]
    if empty:
        regions = " ".join(region for names in empty.values() for region in names)
        lines.append(f"no report is made, as $0 would read as no spend: check that logging delivers there (python "
                     f"check_bedrock_logging.py --regions {regions}), the bucket and prefix (--log-bucket, "
                     "--log-prefix) and the period")
    return "; ".join(lines)
