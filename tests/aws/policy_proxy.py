"""S3 as an identity with one of the project's IAM policies sees it: a refusing proxy (tests/aws/refusing_proxy.py)
that answers AccessDenied to every S3 request the policy's Allow statements do not grant, action and resource, as
IAM evaluates an identity-based policy with no Deny (IAM User Guide, "Policy evaluation logic": what no statement
allows is denied). moto enforces no IAM; this does, for the S3 requests the scripts send.

A request is mapped to its IAM action from its method and subresource (Amazon S3 User Guide, "Policy actions for
Amazon S3"); one this table does not know is refused and listed in ``unknown``, so a test sees it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from tests.aws.refusing_proxy import refusing_proxy

ROOT = Path(__file__).resolve().parents[2]
# (method, bucket subresource) -> IAM action; "" is the bucket itself.
_BUCKET_ACTIONS = {
    ("GET", "location"): "s3:GetBucketLocation",
    ("GET", "publicAccessBlock"): "s3:GetBucketPublicAccessBlock",
    ("PUT", "publicAccessBlock"): "s3:PutBucketPublicAccessBlock",
    ("GET", "encryption"): "s3:GetEncryptionConfiguration",
    ("PUT", "encryption"): "s3:PutEncryptionConfiguration",
    ("GET", "policy"): "s3:GetBucketPolicy",
    ("PUT", "policy"): "s3:PutBucketPolicy",
    ("GET", "lifecycle"): "s3:GetLifecycleConfiguration",
    ("PUT", "lifecycle"): "s3:PutLifecycleConfiguration",
    ("GET", "versioning"): "s3:GetBucketVersioning",
    ("GET", "object-lock"): "s3:GetBucketObjectLockConfiguration",
    ("PUT", ""): "s3:CreateBucket",
    ("GET", ""): "s3:ListBucket",
    ("HEAD", ""): "s3:ListBucket",
}
_OBJECT_ACTIONS = {"GET": "s3:GetObject", "HEAD": "s3:GetObject", "PUT": "s3:PutObject"}


def policy_document(name: str) -> dict[str, Any]:
    """One of the policy files in iam/, e.g. ``setup-admin``."""
    return json.loads((ROOT / "iam" / f"{name}.json").read_text())


def s3_request(method: str, path: str) -> tuple[str, str] | None:
    """The IAM action and resource ARN of a path-style S3 request; None when the table above does not know it."""
    parts = urlsplit(path)
    bucket, _, key = unquote(parts.path).lstrip("/").partition("/")
    if not bucket:
        return None
    if key:
        action = _OBJECT_ACTIONS.get(method)
        return (action, f"arn:aws:s3:::{bucket}/{key}") if action else None
    query = parse_qs(parts.query, keep_blank_values=True)
    subresource = next((name for name in query if (method, name) in _BUCKET_ACTIONS), "")
    if subresource == "" and set(query) - {"list-type", "prefix", "delimiter", "encoding-type", "continuation-token",
                                           "max-keys", "start-after", "fetch-owner"}:
        return None
    action = _BUCKET_ACTIONS.get((method, subresource))
    return (action, f"arn:aws:s3:::{bucket}") if action else None


def allows(policy: dict[str, Any], action: str, resource: str) -> bool:
    """Whether an Allow statement of ``policy`` (no conditions on S3 statements) grants ``action`` on ``resource``."""
    for statement in policy["Statement"]:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        if (statement["Effect"] == "Allow" and "Condition" not in statement
                and any(fnmatchcase(action, pattern) for pattern in actions)
                and any(fnmatchcase(resource, pattern) for pattern in resources)):
            return True
    return False


@dataclass
class PolicyProxy:
    """The proxy's port, and what it refused: ``denied`` as ``action resource``, ``unknown`` requests unmapped."""

    port: int
    denied: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)


@contextmanager
def s3_under_policy(upstream: str, policy: dict[str, Any]) -> Iterator[PolicyProxy]:
    """A proxy before the moto server at ``upstream`` that lets through only the S3 requests ``policy`` grants;
    point a script at it with ``AWS_ENDPOINT_URL_S3``."""
    found: list[str] = []
    unknown: list[str] = []

    def refuses(method: str, path: str) -> bool:
        request = s3_request(method, path)
        if request is None:
            unknown.append(f"{method} {path}")
            return True
        if allows(policy, *request):
            return False
        found.append(" ".join(request))
        return True

    with refusing_proxy(upstream, refuses) as proxy:
        yield PolicyProxy(proxy.server_port, found, unknown)
