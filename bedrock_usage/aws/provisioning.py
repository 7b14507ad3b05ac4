"""Idempotent setup steps: what each step did to a resource, and the private S3 buckets the scripts create.

Every step reads the current state first and writes only when it differs, so a second run changes nothing;
in a dry run it reads but never writes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from ..errors import SetupRequired, UsageError
from .session import AWS_ERRORS, describe, error_code

CREATE, UPDATE, NONE = "create", "update", "none"

_BUCKET_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_BLOCK_ALL_PUBLIC_ACCESS = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}
_SERVER_SIDE_ALGORITHMS = {"AES256", "aws:kms", "aws:kms:dsse"}


@dataclass(frozen=True)
class Change:
    """One resource a step looked at and what it did to it (in a dry run: what it would do)."""

    resource: str
    action: str
    applied: bool
    detail: str = ""

    @property
    def outcome(self) -> str:
        """``created``, ``updated``, ``unchanged``, ``would create`` or ``would update``."""
        if self.action == NONE:
            return "unchanged"
        return f"{self.action}d" if self.applied else f"would {self.action}"


@dataclass
class RegionSetup:
    """What the setup of one region did; ``error`` says why it stopped early."""

    region: str
    target: str = ""
    changes: list[Change] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def changed(self) -> bool:
        """True when any resource was (or would be) created or updated."""
        return any(change.action != NONE for change in self.changes)


def run_region(region: str, step: Callable[[RegionSetup], None], policy_file: str) -> RegionSetup:
    """Run one region's ``step``; a failure stops that region only and is recorded with what was done."""
    result = RegionSetup(region)
    try:
        step(result)
    except (UsageError, SetupRequired) as exc:
        result.error = str(exc)
    except AWS_ERRORS as exc:
        result.error = describe(exc, policy_file)
    return result


def apply_change(
    resource: str, exists: bool, up_to_date: bool, dry_run: bool, write: Callable[[], object], detail: str = ""
) -> Change:
    """Call ``write`` unless the resource is up to date or this is a dry run, and say what happened."""
    if up_to_date:
        return Change(resource, NONE, True, detail)
    if not dry_run:
        write()
    return Change(resource, UPDATE if exists else CREATE, not dry_run, detail)


def bucket_name(template: str, account: str, region: str) -> str:
    """Fill ``{account}`` and ``{region}`` into a bucket-name template and check the result is valid."""
    try:
        name = template.format(account=account, region=region)
    except (KeyError, IndexError, ValueError):
        raise UsageError(
            f"bucket name {template!r}: the only placeholders allowed are {{account}} and {{region}}"
        ) from None
    if not _BUCKET_NAME_RE.match(name) or ".." in name:
        raise UsageError(f"{name!r} is not a valid S3 bucket name (3-63 lower-case letters, digits, dots and hyphens)")
    return name


def bucket_region(s3: Any, bucket: str) -> str | None:
    """The region a bucket lives in, or None when it does not exist."""
    try:
        location = s3.get_bucket_location(Bucket=bucket).get("LocationConstraint")
    except ClientError as exc:
        if error_code(exc) in ("NoSuchBucket", "404"):
            return None
        raise
    # Buckets made before regions had names report "EU"; us-east-1 reports no constraint at all.
    return {"EU": "eu-west-1", "": "us-east-1"}.get(location or "", location)


def ensure_private_bucket(s3: Any, bucket: str, region: str, dry_run: bool) -> list[Change]:
    """Create ``bucket`` in ``region`` if missing, with all public access blocked and SSE-S3 encryption."""
    found = bucket_region(s3, bucket)
    if found is None:
        if dry_run:
            return [
                Change(f"bucket {bucket}", CREATE, False, region),
                Change(f"bucket {bucket}: public access block", CREATE, False),
                Change(f"bucket {bucket}: default encryption", CREATE, False, "SSE-S3"),
            ]
        _create_bucket(s3, bucket, region)
        changes = [Change(f"bucket {bucket}", CREATE, True, region)]
    elif found != region:
        raise SetupRequired(
            f"bucket {bucket} is in {found}, but {region} needs a bucket in {region}: pass another bucket name"
        )
    else:
        changes = [Change(f"bucket {bucket}", NONE, True, region)]
    changes.append(_ensure_public_access_block(s3, bucket, dry_run))
    changes.append(_ensure_encryption(s3, bucket, dry_run))
    return changes


def _create_bucket(s3: Any, bucket: str, region: str) -> None:
    location = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    try:
        s3.create_bucket(Bucket=bucket, **location)
    except ClientError as exc:
        if error_code(exc) == "BucketAlreadyExists":
            raise SetupRequired(
                f"the bucket name {bucket} is taken by another AWS account: pass another bucket name"
            ) from None
        if error_code(exc) != "BucketAlreadyOwnedByYou":
            raise


def _ensure_public_access_block(s3: Any, bucket: str, dry_run: bool) -> Change:
    try:
        current = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    except ClientError as exc:
        if error_code(exc) != "NoSuchPublicAccessBlockConfiguration":
            raise
        current = None
    return apply_change(
        f"bucket {bucket}: public access block",
        exists=current is not None,
        up_to_date=current is not None and all(current.get(key) for key in _BLOCK_ALL_PUBLIC_ACCESS),
        dry_run=dry_run,
        write=lambda: s3.put_public_access_block(
            Bucket=bucket, PublicAccessBlockConfiguration=_BLOCK_ALL_PUBLIC_ACCESS
        ),
    )


def read_encryption_rules(s3: Any, bucket: str) -> list[dict[str, Any]] | None:
    """The bucket's default encryption rules; None when it has none (or the bucket does not exist yet)."""
    try:
        return s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    except ClientError as exc:
        if error_code(exc) not in ("ServerSideEncryptionConfigurationNotFoundError", "NoSuchBucket"):
            raise
        return None


def bucket_kms_key(s3: Any, bucket: str) -> str | None:
    """The KMS key a bucket encrypts new objects with by default (``aws/s3`` when it names none); None without
    SSE-KMS."""
    for rule in read_encryption_rules(s3, bucket) or []:
        default = rule.get("ApplyServerSideEncryptionByDefault", {})
        if default.get("SSEAlgorithm", "").startswith("aws:kms"):
            return default.get("KMSMasterKeyID") or "the AWS managed key aws/s3"
    return None


def _ensure_encryption(s3: Any, bucket: str, dry_run: bool) -> Change:
    rules = read_encryption_rules(s3, bucket)
    algorithms = {rule.get("ApplyServerSideEncryptionByDefault", {}).get("SSEAlgorithm") for rule in rules or []}
    # A bucket already encrypted with KMS keeps its key: SSE-S3 is the floor, not a downgrade target.
    return apply_change(
        f"bucket {bucket}: default encryption",
        exists=rules is not None,
        up_to_date=bool(algorithms & _SERVER_SIDE_ALGORITHMS),
        dry_run=dry_run,
        write=lambda: s3.put_bucket_encryption(
            Bucket=bucket,
            ServerSideEncryptionConfiguration={
                "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
            },
        ),
        detail="SSE-S3",
    )


def policy_statements(policy: dict[str, Any] | None) -> list[dict[str, Any]]:
    """A policy's statements: IAM lets ``Statement`` be one object or a list of them."""
    statement = (policy or {}).get("Statement")
    if statement is None:
        return []
    return statement if isinstance(statement, list) else [statement]


def read_bucket_policy(s3: Any, bucket: str) -> dict[str, Any] | None:
    """The bucket's policy document, or None when it has none (or the bucket does not exist yet)."""
    try:
        return json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    except ClientError as exc:
        if error_code(exc) in ("NoSuchBucketPolicy", "NoSuchBucket"):
            return None
        raise


def ensure_policy_statements(s3: Any, bucket: str, statements: list[dict[str, Any]], dry_run: bool) -> Change:
    """Make the bucket policy hold ``statements`` (matched by Sid), keeping every other statement, and the rest of
    the document (``Id``, ``Version``), as it is."""
    policy = read_bucket_policy(s3, bucket)
    existing = policy_statements(policy)
    current = {statement.get("Sid"): statement for statement in existing}
    up_to_date = all(_canonical(current.get(statement["Sid"])) == _canonical(statement) for statement in statements)
    ours = {statement["Sid"] for statement in statements}
    merged = {
        "Version": "2012-10-17",
        **(policy or {}),
        "Statement": [s for s in existing if s.get("Sid") not in ours] + statements,
    }
    return apply_change(
        f"bucket {bucket}: policy",
        exists=policy is not None,
        up_to_date=up_to_date,
        dry_run=dry_run,
        write=lambda: s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(merged)),
        detail=", ".join(sorted(ours)),
    )


def ensure_lifecycle_rule(s3: Any, bucket: str, rule: dict[str, Any], dry_run: bool) -> Change:
    """Make the bucket's lifecycle configuration hold ``rule`` (matched by ID), keeping the other rules."""
    try:
        rules = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    except ClientError as exc:
        if error_code(exc) not in ("NoSuchLifecycleConfiguration", "NoSuchBucket"):
            raise
        rules = None
    current = next((r for r in rules or [] if r.get("ID") == rule["ID"]), None)
    up_to_date = current is not None and _canonical({k: current.get(k) for k in rule}) == _canonical(rule)
    others = [r for r in rules or [] if r.get("ID") != rule["ID"]]
    return apply_change(
        f"bucket {bucket}: lifecycle rule {rule['ID']}",
        exists=current is not None,
        up_to_date=up_to_date,
        dry_run=dry_run,
        write=lambda: s3.put_bucket_lifecycle_configuration(
            Bucket=bucket, LifecycleConfiguration={"Rules": [*others, rule]}
        ),
    )


def _canonical(value: Any) -> Any:
    """A form of a policy or rule fragment where key order and one-item lists make no difference."""
    if isinstance(value, dict):
        return {key: _canonical(item) for key, item in sorted(value.items())}
    if isinstance(value, list):
        items = [_canonical(item) for item in value]
        return items[0] if len(items) == 1 else sorted(items, key=lambda item: json.dumps(item, sort_keys=True))
    return value
