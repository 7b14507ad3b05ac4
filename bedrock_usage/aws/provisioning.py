"""Idempotent setup steps: what each step did to a resource, and the private S3 buckets the scripts create.

Every step reads the current state first and writes only when it differs, so a second run changes nothing;
in a dry run it reads but never writes. A resource that exists with other settings is someone's configuration:
it is left as it is, and reported old -> new, unless the user passed ``--replace-existing`` (``REPLACE_OPTION``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from ..errors import SetupRequired, UsageError
from .session import AWS_ERRORS, describe, error_code

CREATE, UPDATE, NONE, KEEP = "create", "update", "none", "keep"
REPLACE_OPTION = "--replace-existing"

_BUCKET_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_BLOCK_ALL_PUBLIC_ACCESS = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}
_SERVER_SIDE_ALGORITHMS = {"AES256", "aws:kms", "aws:kms:dsse"}
_AWS_MANAGED_KEY = "the AWS managed key aws/s3"


@dataclass(frozen=True)
class Difference:
    """One setting of an existing resource that setup would replace: what it holds and what it would become."""

    setting: str
    old: str
    new: str

    def __str__(self) -> str:
        return " ".join(part for part in (self.setting, self.old, "->", self.new) if part)


@dataclass(frozen=True)
class Change:
    """One resource a step looked at and what it did to it (in a dry run: what it would do); ``differences`` are
    the settings it held that were replaced (or, when it was left as it is, would have been)."""

    resource: str
    action: str
    applied: bool
    detail: str = ""
    differences: tuple[Difference, ...] = ()

    @property
    def outcome(self) -> str:
        """``created``, ``updated``, ``unchanged``, ``left as it is``, ``would create`` or ``would update``."""
        if self.action == NONE:
            return "unchanged"
        if self.action == KEEP:
            return "left as it is"
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
        return any(change.action in (CREATE, UPDATE) for change in self.changes)

    @property
    def left_as_is(self) -> list[str]:
        """The resources that differ from what setup wants and were left as they are (no ``--replace-existing``)."""
        return [change.resource for change in self.changes if change.action == KEEP]

    def problem(self) -> str | None:
        """Why the region is not set up: its error, or else what was left as it is and how to change it."""
        kept = self.left_as_is
        if self.error or not kept:
            return self.error
        them = "it" if len(kept) == 1 else "them"
        return f"left as it is: {', '.join(kept)}; to change {them} (old -> new above), run again with {REPLACE_OPTION}"


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
    resource: str,
    exists: bool,
    dry_run: bool,
    replace: bool,
    write: Callable[[], object],
    differences: Sequence[Difference] = (),
    adds: bool = False,
    detail: str = "",
) -> Change:
    """Create a missing resource; of an existing one, ``write`` what it lacks (``adds``: nothing it holds changes)
    and replace the settings in ``differences`` only when ``replace``. A dry run never writes; both say the same."""
    if exists and not differences and not adds:
        return Change(resource, NONE, True, detail)
    if exists and differences and not replace:
        return Change(resource, KEEP, False, detail, tuple(differences))
    if not dry_run:
        write()
    if not exists:
        return Change(resource, CREATE, not dry_run, detail)
    return Change(resource, UPDATE, not dry_run, detail, tuple(differences))


def find_differences(current: Mapping[str, Any], desired: Mapping[str, Any], prefix: str = "") -> list[Difference]:
    """The settings, keyed by dotted path, in which ``current`` differs from ``desired`` (either's keys; key order
    and one-item lists make no difference)."""
    found = []
    for key in [*desired, *(key for key in current if key not in desired)]:
        have, want = current.get(key), desired.get(key)
        if isinstance(have, dict) and isinstance(want, dict):
            found += find_differences(have, want, f"{prefix}{key}.")
        elif _canonical(have) != _canonical(want):
            found.append(Difference(f"{prefix}{key}", shown(have), shown(want)))
    return found


def shown(value: Any) -> str:
    """A setting's value as the old -> new lines print it."""
    if value is None or value == "":
        return "(none)"
    if isinstance(value, bool):
        return str(value).lower()
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


def one_bucket_per_region(option: str, template: str, regions: Sequence[str], why: str) -> None:
    """Refuse, before anything is read or written, a bucket-name template naming one bucket for several regions."""
    if len(regions) > 1 and "{region}" not in template:
        raise UsageError(
            f"{option} {template} names one bucket for the {len(regions)} regions {' '.join(regions)}, but {why}: "
            f"put {{region}} in the name, e.g. {option} {template}-{{region}}"
        )


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


def ensure_private_bucket(s3: Any, bucket: str, region: str, dry_run: bool, replace: bool) -> list[Change]:
    """Create ``bucket`` in ``region`` if missing, with all public access blocked and SSE-S3 encryption; an existing
    bucket's other settings are replaced only when ``replace``."""
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
    changes.append(_ensure_public_access_block(s3, bucket, dry_run, replace))
    changes.append(_ensure_encryption(s3, bucket, dry_run, replace))
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


def _ensure_public_access_block(s3: Any, bucket: str, dry_run: bool, replace: bool) -> Change:
    try:
        current = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    except ClientError as exc:
        if error_code(exc) != "NoSuchPublicAccessBlockConfiguration":
            raise
        current = None
    return apply_change(
        f"bucket {bucket}: public access block",
        exists=current is not None,
        dry_run=dry_run,
        replace=replace,
        write=lambda: s3.put_public_access_block(
            Bucket=bucket, PublicAccessBlockConfiguration=_BLOCK_ALL_PUBLIC_ACCESS
        ),
        differences=find_differences(current or {}, _BLOCK_ALL_PUBLIC_ACCESS),
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
    return _kms_key(read_encryption_rules(s3, bucket) or [])


def _kms_key(rules: list[dict[str, Any]]) -> str | None:
    for rule in rules:
        default = rule.get("ApplyServerSideEncryptionByDefault", {})
        if default.get("SSEAlgorithm", "").startswith("aws:kms"):
            return default.get("KMSMasterKeyID") or _AWS_MANAGED_KEY
    return None


def describe_encryption(rules: list[dict[str, Any]]) -> str:
    """What default encryption rules hold: ``SSE-S3``, ``SSE-KMS, key ...``, ``DSSE-KMS, key ...`` or ``none``."""
    algorithms = {rule.get("ApplyServerSideEncryptionByDefault", {}).get("SSEAlgorithm") for rule in rules}
    key = _kms_key(rules)
    if key is not None:
        kind = "DSSE-KMS" if "aws:kms:dsse" in algorithms else "SSE-KMS"
        return f"{kind}, {key if key == _AWS_MANAGED_KEY else 'key ' + key}"
    return "SSE-S3" if "AES256" in algorithms else "none"


def _ensure_encryption(s3: Any, bucket: str, dry_run: bool, replace: bool) -> Change:
    rules = read_encryption_rules(s3, bucket)
    algorithms = {rule.get("ApplyServerSideEncryptionByDefault", {}).get("SSEAlgorithm") for rule in rules or []}
    held = describe_encryption(rules or [])
    # A bucket already encrypted with KMS keeps its key: SSE-S3 is the floor, not a downgrade target.
    encrypted = bool(algorithms & _SERVER_SIDE_ALGORITHMS)
    return apply_change(
        f"bucket {bucket}: default encryption",
        exists=rules is not None,
        dry_run=dry_run,
        replace=replace,
        write=lambda: s3.put_bucket_encryption(
            Bucket=bucket,
            ServerSideEncryptionConfiguration={
                "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
            },
        ),
        differences=[] if encrypted else [Difference("", held, "SSE-S3")],
        detail=held if encrypted else "" if rules else "SSE-S3",
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


def ensure_policy_statements(
    s3: Any, bucket: str, statements: list[dict[str, Any]], dry_run: bool, replace: bool
) -> Change:
    """Make the bucket policy hold ``statements`` (matched by Sid), keeping every other statement, and the rest of
    the document (``Id``, ``Version``), as it is. Adding a statement needs no option; a statement with one of our
    Sids that says something else is replaced (and the missing ones added) only when ``replace``."""
    policy = read_bucket_policy(s3, bucket)
    existing = policy_statements(policy)
    current = {statement.get("Sid"): statement for statement in existing}
    ours = [statement["Sid"] for statement in statements]
    missing = [sid for sid in ours if sid not in current]
    differences = [
        difference
        for statement in statements
        if statement["Sid"] in current
        for difference in find_differences(current[statement["Sid"]], statement, f"statement {statement['Sid']} ")
    ]
    others = [statement for statement in existing if statement.get("Sid") not in ours]
    merged = {"Version": "2012-10-17", **(policy or {}), "Statement": others + statements}
    kept = f"keeps {len(others)} other statement(s)"
    if policy is None or not (missing or differences):
        detail = ", ".join(ours)
    elif differences:
        differences += [Difference(f"statement {sid}", "(none)", "added") for sid in missing]
        detail = kept
    else:
        detail = f"adds {', '.join(missing)}; {kept}"
    return apply_change(
        f"bucket {bucket}: policy",
        exists=policy is not None,
        dry_run=dry_run,
        replace=replace,
        write=lambda: s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(merged)),
        differences=differences,
        adds=bool(missing),
        detail=detail,
    )


def ensure_lifecycle_rule(s3: Any, bucket: str, rule: dict[str, Any], dry_run: bool, replace: bool) -> Change:
    """Make the bucket's lifecycle configuration hold ``rule`` (matched by ID), keeping the other rules; a rule
    with that ID and other settings is replaced only when ``replace``."""
    try:
        rules = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    except ClientError as exc:
        if error_code(exc) not in ("NoSuchLifecycleConfiguration", "NoSuchBucket"):
            raise
        rules = None
    current = next((r for r in rules or [] if r.get("ID") == rule["ID"]), None)
    others = [r for r in rules or [] if r.get("ID") != rule["ID"]]
    return apply_change(
        f"bucket {bucket}: lifecycle rule {rule['ID']}",
        exists=current is not None,
        dry_run=dry_run,
        replace=replace,
        write=lambda: s3.put_bucket_lifecycle_configuration(
            Bucket=bucket, LifecycleConfiguration={"Rules": [*others, rule]}
        ),
        differences=find_differences({key: (current or {}).get(key) for key in rule}, rule),
    )


def _canonical(value: Any) -> Any:
    """A form of a policy or rule fragment where key order and one-item lists make no difference."""
    if isinstance(value, dict):
        return {key: _canonical(item) for key, item in sorted(value.items())}
    if isinstance(value, list):
        items = [_canonical(item) for item in value]
        return items[0] if len(items) == 1 else sorted(items, key=lambda item: json.dumps(item, sort_keys=True))
    return value
