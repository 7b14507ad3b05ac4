"""Names and e-mails of IAM Identity Center users, looked up with ``identitystore`` and cached on disk.

A few unnamed people are looked up one by one (``DescribeUser``, trying each ``UserId`` form their ids can stand
for); more than ``LIST_THRESHOLD`` in one directory are found with one paginated ``ListUsers``. Answers, including
"no such user", are kept for ``CACHE_DAYS`` in ``{cache folder}/identity-center/{directory}.json`` (the product's
cache folder, ``$BEDROCK_USAGE_CACHE_DIR``), so a report run again makes no call. The calls need
``identitystore:DescribeUser`` and ``identitystore:ListUsers`` (``iam/report-reader.json``). A refused or failed
call is a warning: the people it concerns keep their ids.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ..aws.session import AWS_ERRORS, describe, error_code
from ..cache import cache_dir
from ..errors import UsageError
from ..output.notices import Notice
from .people import IDENTITY_CENTER, Identity, UserRef, parse_user_id

LIST_THRESHOLD = 20
CACHE_DAYS = 7
PERMISSIONS = "identitystore:DescribeUser and identitystore:ListUsers (iam/report-reader.json)"
AUTO = "auto"
_STORE_RE = re.compile(r"^d-[0-9a-zA-Z]{10}$")


def check_store_option(value: str) -> str:
    """``auto`` or a directory id ``d-xxxxxxxxxx`` (UsageError otherwise)."""
    value = value.strip()
    if value.lower() == AUTO:
        return AUTO
    if not _STORE_RE.match(value):
        raise UsageError(f"--identity-store must be auto or an Identity Store id like d-1234567890 (got {value!r})")
    return value.lower()


def _identity(user: dict[str, Any]) -> Identity:
    """The identity of one ``DescribeUser`` / ``ListUsers`` answer: the primary e-mail, else the first."""
    emails = [e for e in user.get("Emails") or [] if isinstance(e, dict) and e.get("Value")]
    primary = next((e["Value"] for e in emails if e.get("Primary")), emails[0]["Value"] if emails else "")
    return Identity(str(primary).lower(), str(user.get("DisplayName") or ""), str(user.get("UserName") or ""),
                    IDENTITY_CENTER)


@dataclass
class _StoreCache:
    """One directory's cached answers: person key -> identity (or None: no such user) and when it was read."""

    path: Path
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, folder: Path, store: str) -> _StoreCache:
        path = folder / f"{store}.json"
        try:
            entries = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            entries = {}  # no cache yet, or one that cannot be read: it is rebuilt
        return cls(path, entries if isinstance(entries, dict) else {})

    def fresh(self, key: str, now: datetime) -> dict[str, Any] | None:
        entry = self.entries.get(key)
        if not isinstance(entry, dict) or not isinstance(entry.get("at"), str):
            return None
        try:
            read_at = datetime.fromisoformat(entry["at"])
        except ValueError:
            return None
        return entry if now - read_at < timedelta(days=CACHE_DAYS) else None

    def put(self, key: str, identity: Identity | None, now: datetime) -> None:
        value = None if identity is None else {
            "email": identity.email, "display_name": identity.display_name, "user_name": identity.user_name}
        self.entries[key] = {"at": now.isoformat(timespec="seconds"), "user": value}

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        staging = self.path.with_suffix(f".{os.getpid()}.tmp")
        staging.write_text(json.dumps(self.entries, sort_keys=True), encoding="utf-8")
        staging.replace(self.path)


@dataclass
class LookupResult:
    """Identities found (person key -> Identity) and warnings."""

    found: dict[str, Identity] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


class IdentityCenter:
    """Looks people up in one or more Identity Store directories through a boto3 ``identitystore`` client."""

    def __init__(self, client: Any, store: str = AUTO, cache_folder: Path | None = None,
                 clock: Callable[[], datetime] | None = None):
        self.client = client
        self.store = store
        self.cache_folder = cache_folder or cache_dir() / "identity-center"
        self.clock = clock or (lambda: datetime.now(UTC))

    def describe(self) -> str:
        """What is looked up, for reports."""
        which = "the directories named in the user ids" if self.store == AUTO else self.store
        return f"{IDENTITY_CENTER} ({which})"

    def _stores(self, refs: list[UserRef]) -> list[str]:
        if self.store != AUTO:
            return [self.store]
        return sorted({ref.store for ref in refs if ref.store})

    def lookup(self, refs: Iterable[UserRef]) -> LookupResult:
        """Identities of the people behind ``refs`` (ids without a uuid cannot be looked up and are left alone)."""
        result = LookupResult()
        refs = [ref for ref in refs if ref.uuid]
        stores = self._stores(refs)
        if refs and not stores:
            result.warnings.append(Notice(
                "no IAM Identity Center directory to look people up in: no user id names one (d-xxxxxxxxxx.…); "
                "pass --identity-store d-xxxxxxxxxx", "identity_no_store"))
        now = self.clock()
        for store in stores:
            wanted = [ref for ref in refs if ref.store in (None, store) or self.store != AUTO]
            if wanted:
                self._lookup_store(store, wanted, now, result)
        return result

    def _lookup_store(self, store: str, refs: list[UserRef], now: datetime, result: LookupResult) -> None:
        cache = _StoreCache.load(self.cache_folder, store)
        pending: dict[str, list[UserRef]] = {}
        for ref in refs:
            if ref.key in result.found:
                continue
            entry = cache.fresh(ref.key, now)
            if entry is None:
                pending.setdefault(ref.key, []).append(ref)
            elif isinstance(user := entry.get("user"), dict):
                result.found[ref.key] = Identity(str(user.get("email") or ""), str(user.get("display_name") or ""),
                                                 str(user.get("user_name") or ""), IDENTITY_CENTER)
        try:
            if len(pending) > LIST_THRESHOLD:
                self._list(store, pending, cache, now, result)
            else:
                for key, forms in pending.items():
                    self._describe(store, key, forms, cache, now, result)
        except AWS_ERRORS as exc:
            error = describe(exc)
            result.warnings.append(Notice(
                f"IAM Identity Center lookups in {store} stopped ({error}): people without an e-mail are shown by id; "
                f"the calls need {PERMISSIONS}", "identity_stopped", store=store, error=error, permissions=PERMISSIONS))
        finally:
            if pending:
                cache.save()

    def _describe(self, store: str, key: str, refs: list[UserRef], cache: _StoreCache, now: datetime,
                  result: LookupResult) -> None:
        candidates = dict.fromkeys(form for ref in refs for form in ref.store_user_ids)
        for user_id in candidates:
            try:
                user = self.client.describe_user(IdentityStoreId=store, UserId=user_id)
            except AWS_ERRORS as exc:
                if error_code(exc) in ("ResourceNotFoundException", "ValidationException"):
                    continue  # this form is not the user's id: try the next one
                raise
            identity = _identity(user)
            result.found[key] = identity
            cache.put(key, identity, now)
            return
        cache.put(key, None, now)

    def _list(self, store: str, pending: dict[str, list[UserRef]], cache: _StoreCache, now: datetime,
              result: LookupResult) -> None:
        paginator = self.client.get_paginator("list_users")
        for page in paginator.paginate(IdentityStoreId=store):
            for user in page.get("Users", ()):
                key = parse_user_id(str(user.get("UserId", ""))).key
                identity = _identity(user)
                cache.put(key, identity, now)
                if key in pending:
                    result.found[key] = identity
        for key in pending:
            if key not in result.found:
                cache.put(key, None, now)
