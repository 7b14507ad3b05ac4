"""Where the logs are read from: an S3 bucket or a local folder in the same layout, behind one small interface.

Discovery walks the folder tree with delimiter listings (prefixes, accounts, products, log types, regions);
objects are then listed one UTC day folder at a time, so a bucket is never listed as a whole.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from botocore.exceptions import ClientError

from ..aws.logging_status import READER_POLICY_FILE
from ..aws.provisioning import BucketGrant, beyond_grant
from ..aws.session import AWS_ERRORS, Aws, as_project_error, describe, error_code
from ..errors import SetupRequired, UsageError
from ..logs.layout import normalise_prefix
from ..output.notices import Notice, said
from . import layout

DOCS = "docs/amazon-q.md"
# Why an object listed is not read after all (counted by reason in the report).
OBJECT_GONE, FILE_GONE = "object disappeared", "file disappeared"
# Why a file could not be read, with the error's name or the system's words: a page words them in its own language
# (``dashboard.notice_text.PHRASE_FORMS``).
DOWNLOAD_FAILED, FILE_NOT_READABLE = "download failed ({error})", "file not readable ({error})"
DEFAULT_BUCKET = "amazonq-developer-reports-{account}"
# What READER_POLICY_FILE grants on report buckets (statements ReadAmazonQDeveloperReportBucket and
# ReadAmazonQDeveloperLogsAndReports): the report lists the bucket and reads its objects
READER_REPORT_BUCKET_GRANT = BucketGrant(
    "report bucket", "amazonq-developer-reports-*", ("s3:ListBucket",), "--bucket", None, READER_POLICY_FILE,
    "report bucket reader",
)
READER = "the Amazon Q / Kiro report"


@dataclass(frozen=True)
class StoredObject:
    """One object (or file) found under a day folder."""

    key: str
    size: int


class UnreadableObject(Exception):
    """One object could not be read (gone since listing, or its download broke); it is skipped and counted."""


class LogStore(Protocol):
    """Read-only access to a tree of keys: child folders, objects under a prefix, object bytes."""

    def describe(self) -> str:
        """Where the store is, for reports (``s3://bucket/`` or a folder path)."""
        ...

    def list_folders(self, prefix: str) -> list[str]:
        """Names of the immediate child folders of ``prefix`` (which ends with ``/`` or is empty)."""
        ...

    def list_objects(self, prefix: str) -> list[StoredObject]:
        """Every object under ``prefix``, at any depth."""
        ...

    def read(self, key: str) -> bytes:
        """The bytes of one object; UnreadableObject when it cannot be read."""
        ...


class S3Store:
    """A bucket read through a boto3 S3 client that the caller creates (and may instrument); ``grant``: what the
    caller's policy grants on such buckets, so that a read refused on a name it does not cover names the statements
    to add (``BucketGrant.refusal``, or, for a ``reader``, ``BucketGrant.reads_beyond``)."""

    def __init__(self, client: Any, bucket: str, grant: BucketGrant | None = None, reader: str = ""):
        self.client = client
        self.bucket = bucket
        self.grant = grant
        self.reader = reader

    def describe(self) -> str:
        return f"s3://{self.bucket}/"

    def _setup_error(self, exc: Exception) -> UsageError | SetupRequired:
        """The one-line message for an S3 failure the user has to fix."""
        if error_code(exc) in ("NoSuchBucket", "404"):
            return SetupRequired(
                f"bucket {self.bucket} does not exist: enable Amazon Q Developer prompt logging or user activity "
                f"reports (see {DOCS}), or pass --bucket / --logs-dir"
            )
        refusal = self.grant and beyond_grant(self.bucket, self.grant, exc)
        if refusal and self.reader:  # the reads the reader's policy grants on other names, as the log check says
            denied, beyond = said(as_project_error(exc)), self.grant.reads_beyond(self.bucket, self.reader)
            return SetupRequired(Notice(f"s3://{self.bucket}: {denied}: {beyond}, then run again",
                                        "qdev_reads_beyond", bucket=self.bucket, denied=denied, beyond=beyond))
        if refusal:
            return SetupRequired(refusal)
        # a bucket the policy covers: the policy granting the reads there, as the log check names it
        covered = self.grant is not None and self.grant.covers(self.bucket)
        project_error = as_project_error(exc, self.grant.policy_file if covered else DOCS)
        if project_error is not None:
            message = said(project_error)
            return project_error.__class__(Notice(f"s3://{self.bucket}: {message}", "qdev_bucket_refused",
                                                  bucket=self.bucket, message=message))
        return SetupRequired(f"reading s3://{self.bucket} failed: {describe(exc)}")

    def _list(self, **kwargs: str) -> Iterator[dict]:
        try:
            yield from self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, **kwargs)
        except AWS_ERRORS as exc:
            raise self._setup_error(exc) from None

    def list_folders(self, prefix: str) -> list[str]:
        return [
            item["Prefix"][len(prefix) :].rstrip("/")
            for page in self._list(Prefix=prefix, Delimiter="/")
            for item in page.get("CommonPrefixes", ())
        ]

    def list_objects(self, prefix: str) -> list[StoredObject]:
        return [
            StoredObject(item["Key"], item.get("Size", 0))
            for page in self._list(Prefix=prefix)
            for item in page.get("Contents", ())
        ]

    def read(self, key: str) -> bytes:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except AWS_ERRORS as exc:
            if error_code(exc) in ("NoSuchKey", "404"):
                raise UnreadableObject(OBJECT_GONE) from None
            if isinstance(exc, ClientError) or as_project_error(exc) is not None:
                raise self._setup_error(exc) from None
            # a download interrupted mid-stream concerns this object only
            raise UnreadableObject(DOWNLOAD_FAILED.format(error=type(exc).__name__)) from None

    def __repr__(self) -> str:
        return f"S3Store({self.bucket!r})"


class LocalStore:
    """A local folder laid out like the bucket (keys are paths relative to ``root``)."""

    def __init__(self, root: str | Path):
        self.root = Path(root).expanduser()
        if not self.root.is_dir():
            raise UsageError(Notice(f"--logs-dir {self.root} is not a folder", "qdev_dir_not_folder",
                                    folder=str(self.root)))

    def describe(self) -> str:
        return str(self.root)

    def list_folders(self, prefix: str) -> list[str]:
        folder = self.root / prefix
        return sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []

    def list_objects(self, prefix: str) -> list[StoredObject]:
        folder = self.root / prefix
        if not folder.is_dir():
            return []
        return [
            StoredObject(path.relative_to(self.root).as_posix(), path.stat().st_size)
            for path in sorted(folder.rglob("*"))
            if path.is_file()
        ]

    def read(self, key: str) -> bytes:
        try:
            return (self.root / key).read_bytes()
        except FileNotFoundError:
            raise UnreadableObject(FILE_GONE) from None
        except OSError as exc:  # no permission, a folder where a file was, an I/O error
            raise UnreadableObject(FILE_NOT_READABLE.format(error=exc.strerror or exc)) from None

    def __repr__(self) -> str:
        return f"LocalStore({str(self.root)!r})"


@dataclass(frozen=True)
class Location:
    """One log-type folder of one region (``{prefix}AWSLogs/{account}/{product}/{type}/{region}/``)."""

    prefix: str
    account: str
    folder: str
    log_type: str
    region: str

    def day_prefix(self, day: date) -> str:
        """This location's folder for one UTC day."""
        return layout.day_prefix(self.prefix, self.account, self.folder, self.log_type, self.region, day)


def candidate_prefixes(store: LogStore, prefixes: Sequence[str] | None) -> list[str]:
    """The given prefixes, or the bucket root and each top-level folder (the console's defaults differ)."""
    if prefixes:
        return list(dict.fromkeys(normalise_prefix(p) for p in prefixes))
    return [""] + [f"{name}/" for name in store.list_folders("") if name != layout.AWSLOGS]


def discover_locations(
    store: LogStore,
    prefixes: Sequence[str] | None,
    log_types: Collection[str],
    regions: Collection[str] | None = None,
) -> list[Location]:
    """Every region folder of the wanted log types under the prefixes, found with delimiter listings only."""
    found: list[Location] = []
    for prefix in candidate_prefixes(store, prefixes):
        for account in store.list_folders(layout.accounts_prefix(prefix)):
            product_folders = store.list_folders(f"{layout.accounts_prefix(prefix)}{account}/")
            for folder in (f for f in product_folders if f in layout.PRODUCTS):
                present = store.list_folders(layout.product_prefix(prefix, account, folder))
                for log_type in (t for t in present if t in log_types):
                    for region in store.list_folders(layout.type_prefix(prefix, account, folder, log_type)):
                        if regions is None or region in regions:
                            found.append(Location(prefix, account, folder, log_type, region))
    return found


def s3_store(aws: Aws, bucket: str | None = None) -> S3Store:
    """The report bucket ``bucket``, or the default one of the caller's account (from STS), read under
    ``READER_POLICY_FILE``: a refused read of a team's bucket names the reader statements to add."""
    return S3Store(aws.client("s3"), bucket or DEFAULT_BUCKET.format(account=aws.account_id()),
                   READER_REPORT_BUCKET_GRANT, READER)
