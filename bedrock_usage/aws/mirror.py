"""Copy the invocation-log objects of some regions and UTC days from S3 into a local folder.

The mirror keeps each object's key as its path under the destination, so the local engine reads it like
any logs folder. Files are written under a temporary ``*.part`` name and renamed when complete, and an existing
file whose size differs from the object's is fetched again, so an interrupted sync resumes cleanly: the next sync
of the same days fetches what is missing and deletes the ``*.part`` files the interrupted one left behind.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ..errors import SetupRequired, UsageError
from ..logs.layout import day_prefix, days_between, parse_key
from ..logs.period import Period
from ..output.progress import Reporter, Tally, silent
from .logging_config import logging_regions
from .logging_status import READER_POLICY_FILE, check_region
from .session import AWS_ERRORS, Aws, as_project_error, describe, error_code

DEFAULT_WORKERS = 8
CHUNK_BYTES = 1024 * 1024
PART_SUFFIX = ".part"  # not ``.json.gz``, so readers of the mirror never pick up a half-written file
# A ``*.part`` file untouched this long belongs to a sync that was stopped (a running one writes every few ms).
ABANDONED_PART_SECONDS = 600


@dataclass
class SyncSummary:
    """What one sync listed and did; ``failed`` holds objects that could not be fetched, with the reason."""

    listed: int = 0
    downloaded: int = 0
    already_present: int = 0
    skipped: int = 0
    bytes: int = 0
    failed: dict[str, str] = field(default_factory=dict)
    partials_removed: int = 0  # ``*.part`` files an interrupted sync left behind


@dataclass(frozen=True)
class _Listed:
    key: str
    size: int


def sync_logs(
    s3_client: Any,
    bucket: str,
    prefix: str,
    account: str,
    regions: Sequence[str],
    first_day: date,
    last_day: date,
    dest: Path,
    workers: int = DEFAULT_WORKERS,
    progress: Reporter = silent,
) -> SyncSummary:
    """Download the record objects of ``regions`` from ``first_day`` to ``last_day`` (UTC) missing under ``dest``.

    Payload objects under ``/data/`` and the permission-check object are listed but never copied. ``progress``
    hears of the day folders listed and the objects and bytes copied, with those skipped.
    """
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    root = dest.resolve()
    prefixes = [day_prefix(prefix, account, r, d) for r in regions for d in days_between(first_day, last_day)]
    summary = SyncSummary()
    for day in prefixes:
        folder = _local_path(root, day.rstrip("/"), folder=True)
        if folder is not None:
            summary.partials_removed += remove_abandoned_parts(folder)
    names = ", ".join(regions)
    listing = Tally(progress, f"listing s3://{bucket} {names}", unit="day folders")
    listing.start(len(prefixes))

    def list_day(day: str) -> list[_Listed]:
        listed = _list(s3_client, bucket, day)
        listing.add(1)
        return listed

    copying = Tally(progress, f"copying {names}", with_bytes=True, notes=lambda counts: (
        f"{summary.already_present:,} already present, {counts.get('failed', 0):,} failed"))
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        listings = list(pool.map(list_day, prefixes))
        listing.finish(f"{sum(len(found) for found in listings):,} objects")
        to_fetch: list[tuple[_Listed, Path]] = []
        for listed in (obj for listing in listings for obj in listing):
            summary.listed += 1
            target = _local_path(root, listed.key)
            if target is None:
                summary.skipped += 1
            elif target.is_file() and target.stat().st_size == listed.size:
                summary.already_present += 1
            else:
                to_fetch.append((listed, target))
        copying.start(len(to_fetch), sum(listed.size for listed, _ in to_fetch))
        results = pool.map(lambda item: _fetch(s3_client, bucket, *item), to_fetch)
        for (listed, _), error in zip(to_fetch, results, strict=True):
            if error:
                summary.failed[listed.key] = error
                copying.add(1, failed=1)
            else:
                summary.downloaded += 1
                summary.bytes += listed.size
                copying.add(1, listed.size)
        copying.finish()
    return summary


def _local_path(root: Path, key: str, folder: bool = False) -> Path | None:
    """Where a record object (or a key prefix, with ``folder``) goes under ``root``; ``None`` for objects that are
    not records or would escape it."""
    if not folder and parse_key(key) is None:
        return None
    parts = key.split("/")
    if any(part in ("", ".", "..") for part in parts):
        return None
    return root.joinpath(*parts)


def remove_abandoned_parts(day_folder: Path, now: float | None = None) -> int:
    """Delete the ``*.part`` files of a stopped sync in a day folder's hour folders; return how many."""
    limit = (now or time.time()) - ABANDONED_PART_SECONDS
    removed = 0
    for part in day_folder.glob(f"*/*{PART_SUFFIX}"):
        try:
            if part.stat().st_mtime < limit:
                part.unlink()
                removed += 1
        except FileNotFoundError:  # another sync finished or removed it
            continue
    return removed


def _list(s3_client: Any, bucket: str, prefix: str) -> list[_Listed]:
    try:
        pages = s3_client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        return [_Listed(obj["Key"], int(obj["Size"])) for page in pages for obj in page.get("Contents", [])]
    except AWS_ERRORS as err:
        raise _project_error(err, bucket, "s3:ListBucket") or UsageError(
            f"cannot list s3://{bucket}/{prefix}: {describe(err)}"
        ) from err


def _fetch(s3_client: Any, bucket: str, listed: _Listed, target: Path) -> str | None:
    """Download one object atomically; return why it could not be fetched, or ``None``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=PART_SUFFIX)
    try:
        with os.fdopen(handle, "wb") as out:
            body = s3_client.get_object(Bucket=bucket, Key=listed.key)["Body"]
            for chunk in iter(lambda: body.read(CHUNK_BYTES), b""):
                out.write(chunk)
            written = out.tell()
        if written != listed.size:
            # The object changed between listing and download; the next sync fetches it again.
            os.unlink(temp_name)
            return f"got {written} bytes, listing said {listed.size}"
        os.replace(temp_name, target)
        return None
    except AWS_ERRORS as err:
        os.unlink(temp_name)
        project_error = _project_error(err, bucket, "s3:GetObject")
        if project_error:
            raise project_error from err
        if error_code(err) in ("NoSuchKey", "404"):
            return "object deleted after it was listed"
        # Anything else (a dropped connection after the retries) is left for the next sync to fetch.
        return describe(err)
    except BaseException:
        os.unlink(temp_name)
        raise


def _project_error(err: Exception, bucket: str, action: str) -> UsageError | SetupRequired | None:
    """The error that stops the whole sync (no bucket, no permission, no credentials); None for one object's."""
    code = error_code(err)
    if code in ("AccessDenied", "AccessDeniedException", "403"):
        return SetupRequired(f"access denied reading s3://{bucket}: this identity needs {action} on it")
    if code == "NoSuchBucket":
        return UsageError(f"bucket {bucket} does not exist: check the logging configuration's bucket name")
    return as_project_error(err)


@dataclass(frozen=True)
class MirrorResult:
    """One region's sync into the local mirror."""

    region: str
    bucket: str
    prefix: str
    summary: SyncSummary


def mirror_logs(
    aws: Aws, regions: tuple[str, ...] | None, period: Period, dest: Path, bucket: str | None = None,
    prefix: str | None = None, progress: Reporter = silent,
) -> list[MirrorResult]:
    """Copy each region's new log objects for ``period`` from its logging bucket into ``dest``.

    The bucket and prefix come from the region's logging configuration unless given. ``None`` for the regions
    means every region whose logging delivers to S3. ``progress`` hears how far each region's copy got.
    """
    account = aws.account_id()
    first_day, last_day = period.partition_days()
    if regions is None:
        found = logging_regions(aws, policy_file=READER_POLICY_FILE)
        if not found.regions:
            raise SetupRequired(
                f"Model Invocation Logging delivers to S3 in no region of account {account}: run "
                "python setup_bedrock_logging.py --regions REGION, or name the regions to copy"
            )
        regions = found.regions
    results = []
    for region in regions:
        region_bucket, region_prefix = bucket, prefix
        if region_bucket is None:
            status = check_region(aws, region, account)
            if not status.enabled or not status.bucket:
                raise SetupRequired(
                    f"Model Invocation Logging to S3 is not enabled in {region}; run "
                    f"python setup_bedrock_logging.py --regions {region} (or pass --log-bucket)"
                )
            region_bucket, region_prefix = status.bucket, status.prefix
        summary = sync_logs(aws.client("s3", region), region_bucket, region_prefix or "", account, [region],
                            first_day, last_day, dest, progress=progress)
        results.append(MirrorResult(region, region_bucket, region_prefix or "", summary))
    return results
