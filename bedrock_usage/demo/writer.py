"""Write invocation-log records the way the service delivers them, to a local folder or an S3 bucket.

Records become gzip-compressed JSON-lines objects per account, region and UTC hour (several per hour when
busy); bodies over the service's inline limit move to ``.../{HH}/data/`` objects, and each region gets the
zero-byte permission-check object.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from botocore.exceptions import ClientError
from isal import igzip

from ..aws.session import AWS_ERRORS, as_project_error, describe
from ..errors import SetupRequired, UsageError
from ..logs.layout import PERMISSION_CHECK_NAME, day_prefix, normalise_prefix, object_key, region_prefix
from ..output.progress import Reporter, Tally, data_size, silent

# The policy a test-data writer needs (generate_test_data.py), named in its permission errors.
POLICY_FILE = "iam/test-data-generator.json"
PAYLOAD_THRESHOLD_BYTES = 100 * 1024  # bodies larger than this are stored apart from the record
RECORDS_PER_OBJECT = 250
LOCAL_BUCKET = "local-demo-bucket"


@dataclass
class RegionTally:
    """Records and record objects written for one region."""

    records: int = 0
    objects: int = 0


@dataclass
class WriteSummary:
    """What a writer put where."""

    destination: str
    objects: int = 0
    payload_objects: int = 0
    check_objects: int = 0
    records: int = 0
    bytes: int = 0
    regions: dict[str, RegionTally] = field(default_factory=dict)


@dataclass(frozen=True)
class CorpusObject:
    """One object to write: a record batch, a large body, or a permission check."""

    key: str
    body: bytes
    kind: str  # "records", "payload" or "check"
    region: str
    records: int = 0


# In the name of every record and payload object a synthetic corpus writes (never in the service's names).
SYNTHETIC_MARK = "bedrock-usage-test"


class Destination(Protocol):
    """Where objects go: a folder mirroring the bucket layout, or the bucket itself."""

    label: str
    uri_base: str
    workers: int  # objects written at the same time

    def put(self, key: str, body: bytes) -> None: ...

    def keys(self, prefix: str) -> list[str]: ...

    def delete(self, keys: Sequence[str]) -> None: ...


class LocalFolder:
    """A folder laid out like a bucket: ``{root}/{key}``.

    Records whose bodies moved to payload objects point at ``s3://{bucket}/{key}``, as in a mirror of that
    bucket; the stand-in name keeps the objects the same wherever the folder is.
    """

    def __init__(self, root: Path, bucket: str = LOCAL_BUCKET) -> None:
        self.root = Path(root)
        self.label = f"{self.root}/"
        self.uri_base = f"s3://{bucket}/"
        self.workers = 1
        self._made: set[Path] = set()

    def put(self, key: str, body: bytes) -> None:
        path = self.root / key
        try:
            if path.parent not in self._made:
                path.parent.mkdir(parents=True, exist_ok=True)
                self._made.add(path.parent)
            path.write_bytes(body)
        except OSError as exc:
            raise UsageError(f"cannot write {path}: {exc.strerror or exc}; choose another folder") from None

    def keys(self, prefix: str) -> list[str]:
        base = self.root / prefix
        if not base.is_dir():
            return []
        return sorted(p.relative_to(self.root).as_posix() for p in base.rglob("*") if p.is_file())

    def delete(self, keys: Sequence[str]) -> None:
        for key in keys:
            (self.root / key).unlink(missing_ok=True)


class S3Bucket:
    """An existing S3 bucket, written through a boto3 client the caller made.

    A refused call names the IAM action it needed and ``policy_file``, the policy that grants it.
    """

    def __init__(self, client: Any, bucket: str, policy_file: str = POLICY_FILE) -> None:
        self.client = client
        self.bucket = bucket
        self.policy_file = policy_file
        self.label = f"s3://{bucket}/"
        self.uri_base = f"s3://{bucket}/"
        self.workers = 8  # requests wait on the network, so a few in parallel

    def put(self, key: str, body: bytes) -> None:
        try:
            self.client.put_object(Bucket=self.bucket, Key=key, Body=body)
        except AWS_ERRORS as exc:
            raise SetupRequired(f"cannot write s3://{self.bucket}/{key}: {describe(exc, self.policy_file)}") from None

    def keys(self, prefix: str) -> list[str]:
        found: list[str] = []
        try:
            for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
                found.extend(item["Key"] for item in page.get("Contents", []))
        except AWS_ERRORS as exc:
            raise SetupRequired(
                f"cannot list s3://{self.bucket}/{prefix}: {describe(exc, self.policy_file)}"
            ) from None
        return found

    def delete(self, keys: Sequence[str]) -> None:
        for start in range(0, len(keys), 1000):
            batch = [{"Key": k} for k in keys[start : start + 1000]]
            try:
                self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True})
            except AWS_ERRORS as exc:
                raise SetupRequired(
                    f"cannot delete from s3://{self.bucket}/: {describe(exc, self.policy_file)}"
                ) from None


def check_bucket(client: Any, bucket: str, policy_file: str = POLICY_FILE) -> None:
    """Raise SetupRequired unless ``bucket`` exists and is reachable with the client's credentials."""
    try:
        client.head_bucket(Bucket=bucket)
    except AWS_ERRORS as exc:
        code = str(exc.response.get("Error", {}).get("Code", "")) if isinstance(exc, ClientError) else ""
        if code in ("404", "NoSuchBucket"):
            raise SetupRequired(f"bucket {bucket} does not exist; create it first (aws s3 mb s3://{bucket})") from None
        kind = UsageError if isinstance(as_project_error(exc, policy_file), UsageError) else SetupRequired
        raise kind(f"cannot reach bucket {bucket}: {describe(exc, policy_file)}") from None


def write_local(root: Path, records: Iterable[dict[str, Any]], prefix: str = "") -> WriteSummary:
    """Write ``records`` under ``root`` in the bucket layout (``root/{prefix}AWSLogs/...``)."""
    return write_corpus(LocalFolder(root), records, prefix)


def write_s3(s3_client: Any, bucket: str, prefix: str, records: Iterable[dict[str, Any]]) -> WriteSummary:
    """Write ``records`` to an existing bucket under ``prefix``."""
    return write_corpus(S3Bucket(s3_client, bucket), records, prefix)


def write_corpus(destination: Destination, records: Iterable[dict[str, Any]], prefix: str = "",
                 progress: Reporter = silent, records_total: int | None = None) -> WriteSummary:
    """Write every object of the corpus to ``destination`` and count what went where; ``progress`` hears of the
    records written (of ``records_total`` when known), with the objects and bytes."""
    summary = WriteSummary(destination=destination.label + normalise_prefix(prefix))
    written = Tally(progress, f"writing {summary.destination}", unit="records", notes=lambda counts: (
        f"{counts.get('objects', 0):,} objects, {data_size(counts.get('bytes', 0))}"))
    written.start(records_total)

    def count(obj: CorpusObject) -> None:
        _count(summary, obj)
        written.add(obj.records, objects=1, bytes=len(obj.body))

    objects = corpus_objects(records, prefix, destination.uri_base)
    if destination.workers > 1:
        _put_concurrently(destination, objects, count)
    else:
        for obj in objects:
            destination.put(obj.key, obj.body)
            count(obj)
    written.finish()
    return summary


def existing_log_keys(destination: Destination, prefix: str, account: str, regions: Sequence[str]) -> list[str]:
    """Keys already under the invocation-log prefixes of ``regions``, but the service's permission check objects
    (Bedrock writes one when logging is switched on; a corpus writes its own)."""
    keys: list[str] = []
    for region in regions:
        keys.extend(key for key in destination.keys(region_prefix(prefix, account, region))
                    if not key.rsplit("/", 1)[-1].startswith(PERMISSION_CHECK_NAME))
    return keys


def is_synthetic_key(key: str) -> bool:
    """True for an object a synthetic corpus wrote: its name carries ``SYNTHETIC_MARK``, which the service's never
    do, so a real log object is never taken for one (and never deleted as one)."""
    return SYNTHETIC_MARK in key.rsplit("/", 1)[-1]


def corpus_objects(records: Iterable[dict[str, Any]], prefix: str, uri_base: str) -> Iterator[CorpusObject]:
    """The objects of a corpus in key order of region and hour: record batches, payloads and check objects."""
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for record in records:
        # Hour folders come from the record's own UTC timestamp, the way the service files them.
        hour = record["timestamp"][:13]
        groups.setdefault((record["accountId"], record["region"], hour), []).append(record)

    checked: set[tuple[str, str]] = set()
    for (account, region, _), group in sorted(groups.items()):
        if (account, region) not in checked:
            checked.add((account, region))
            yield CorpusObject(region_prefix(prefix, account, region) + PERMISSION_CHECK_NAME, b"", "check", region)
        group.sort(key=lambda r: r["timestamp"])
        for start in range(0, len(group), RECORDS_PER_OBJECT):
            batch = group[start : start + RECORDS_PER_OBJECT]
            when = _parse_time(batch[0]["timestamp"])
            hour_prefix = f"{day_prefix(prefix, account, region, when.date())}{when:%H}/"
            lines = []
            for record in batch:
                line = _json(record)
                if len(line) > PAYLOAD_THRESHOLD_BYTES:
                    stored, payloads = _externalise_bodies(record, hour_prefix, uri_base)
                    for key, body in payloads:
                        yield CorpusObject(key, _gzip(body), "payload", region)
                    line = _json(stored)
                lines.append(line)
            suffix = f"{SYNTHETIC_MARK}-" + hashlib.sha256(f"{batch[0]['requestId']}/{start}".encode()).hexdigest()[:16]
            body = _gzip(b"\n".join(lines) + b"\n")
            yield CorpusObject(object_key(prefix, account, region, when, suffix), body, "records", region, len(batch))


def _externalise_bodies(
    record: dict[str, Any], hour_prefix: str, uri_base: str
) -> tuple[dict[str, Any], list[tuple[str, bytes]]]:
    """Move bodies over the inline limit to payload objects; the record then points at them."""
    stored = record
    payloads: list[tuple[str, bytes]] = []
    for part_name, body_field, path_field in (
        ("input", "inputBodyJson", "inputBodyS3Path"),
        ("output", "outputBodyJson", "outputBodyS3Path"),
    ):
        part = record.get(part_name)
        if not isinstance(part, dict) or body_field not in part:
            continue
        raw = _json(part[body_field])
        if len(raw) <= PAYLOAD_THRESHOLD_BYTES:
            continue
        key = f"{hour_prefix}data/{SYNTHETIC_MARK}-{record['requestId']}_{part_name}.json.gz"
        payloads.append((key, raw))
        moved = {(path_field if k == body_field else k): (uri_base + key if k == body_field else v)
                 for k, v in part.items()}
        stored = {**stored, part_name: moved}
    return stored, payloads


def _put_concurrently(
    destination: Destination, objects: Iterable[CorpusObject], count: Callable[[CorpusObject], None]
) -> None:
    """Write with a few threads, keeping only a bounded number of bodies in memory; ``count`` each one written."""
    with ThreadPoolExecutor(max_workers=destination.workers) as pool:
        pending: dict[Future[None], CorpusObject] = {}
        for obj in objects:
            if len(pending) >= destination.workers * 4:
                _collect(pending, count, wait(pending, return_when=FIRST_COMPLETED).done)
            pending[pool.submit(destination.put, obj.key, obj.body)] = obj
        _collect(pending, count, wait(pending).done)


def _collect(
    pending: dict[Future[None], CorpusObject], count: Callable[[CorpusObject], None], done: Iterable[Future[None]]
) -> None:
    for future in done:
        obj = pending.pop(future)
        future.result()
        count(obj)


def _count(summary: WriteSummary, obj: CorpusObject) -> None:
    summary.bytes += len(obj.body)
    if obj.kind == "payload":
        summary.payload_objects += 1
    elif obj.kind == "check":
        summary.check_objects += 1
    else:
        tally = summary.regions.setdefault(obj.region, RegionTally())
        tally.records += obj.records
        tally.objects += 1
        summary.records += obj.records
        summary.objects += 1


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def _gzip(data: bytes) -> bytes:
    # ISA-L compresses a corpus about 14x faster than zlib at level 6 (objects about 15 % larger); mtime=0 keeps the
    # bytes identical for identical records.
    return igzip.compress(data, compresslevel=2, mtime=0)


def _parse_time(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")
