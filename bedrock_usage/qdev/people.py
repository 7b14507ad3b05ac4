"""One person per developer, whatever id form a source uses, shown by e-mail or name where one is known.

IAM Identity Center users appear as ``d-xxxxxxxxxx.{uuid}`` in prompt logs (directory id, a dot, the user's uuid),
as ``{uuid}`` or ``xxxxxxxxxx-{uuid}`` (the Identity Store ``UserId``) in activity reports, and with a
``User_Email`` in Kiro user reports. The uuid is the same in every form, so it is the person's key; an id that is
an e-mail address is keyed by its lower-case form (``logs.identity.person_name``, as on the Bedrock side), so two
spellings of one address are one person. A person is named, in this order, by the e-mail a Kiro report gives, by the
user map file, by IAM Identity Center (``identity_center``), by an id that is an e-mail, and otherwise by the id as
logged.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import UsageError
from ..logs.identity import holds_pattern, person_name
from ..output.notices import Notice

_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_PROMPT_LOG_ID = re.compile(rf"^(?P<store>d-[0-9a-zA-Z]{{10}})\.(?P<uuid>{_UUID})$")
_STORE_USER_ID = re.compile(rf"^(?:(?P<prefix>[0-9a-zA-Z]{{10}})-)?(?P<uuid>{_UUID})$")

REPORT_EMAIL = "Kiro report"
USER_MAP = "user map"
IDENTITY_CENTER = "IAM Identity Center"
AS_LOGGED = "id as logged"


@dataclass(frozen=True)
class UserRef:
    """One user id as a source wrote it, and what it says: the person key, and the directory when it names one."""

    raw: str
    key: str
    store: str | None  # ``d-xxxxxxxxxx``
    uuid: str | None

    @property
    def store_user_ids(self) -> tuple[str, ...]:
        """The Identity Store ``UserId`` values this id can stand for: the uuid, or the prefixed form."""
        if self.uuid is None:
            return ()
        forms = [self.raw] if _STORE_USER_ID.match(self.raw) else []
        forms.append(self.uuid)
        if self.store:
            forms.append(f"{self.store[2:]}-{self.uuid}")
        return tuple(dict.fromkeys(forms))


def parse_user_id(raw: str) -> UserRef:
    """The person key of any id form (its lower-case uuid), an e-mail's lower-case form, else the id itself."""
    text = raw.strip()
    match = _PROMPT_LOG_ID.match(text)
    if match:
        return UserRef(text, match["uuid"].lower(), match["store"].lower(), match["uuid"].lower())
    match = _STORE_USER_ID.match(text)
    if match:
        store = f"d-{match['prefix'].lower()}" if match["prefix"] else None
        return UserRef(text, match["uuid"].lower(), store, match["uuid"].lower())
    return UserRef(text, person_name(text) if _is_email(text) else text, None, None)


def _is_email(text: str) -> bool:
    """True for an id that is an e-mail address (the one an IdP other than IAM Identity Center may log)."""
    return "@" in text


def person_key(raw: str) -> str:
    """Shorthand for ``parse_user_id(raw).key``."""
    return parse_user_id(raw).key


@dataclass(frozen=True)
class Identity:
    """What a source says about a person: an e-mail, a display name, a user name."""

    email: str = ""
    display_name: str = ""
    user_name: str = ""
    source: str = ""


def read_user_map(path: str | Path) -> dict[str, Identity]:
    """A CSV with a user id column (any id form) and an e-mail, optionally a display name: person key -> Identity.

    Header names are matched loosely (``userId``, ``user_id``, ``UserId``; ``email``; ``displayName``, ``name``).
    """
    path = Path(path).expanduser()
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            fields = {re.sub(r"[^a-z]", "", (name or "").lower()): name for name in reader.fieldnames or []}
            if "userid" not in fields or "email" not in fields:
                raise UsageError(Notice(f"--user-map {path} needs a header with userId and email columns",
                                        "user_map_header", path=str(path)))
            name_field = fields.get("displayname") or fields.get("name")
            mapping: dict[str, Identity] = {}
            for number, row in enumerate(reader, start=2):
                user_id, email = (row.get(fields["userid"]) or "").strip(), (row.get(fields["email"]) or "").strip()
                if not user_id or "@" not in email:
                    raise UsageError(Notice(f"--user-map {path}, line {number}: needs a user id and an email address",
                                            "user_map_row", path=str(path), line=number))
                name = (row.get(name_field) or "").strip() if name_field else ""
                mapping[person_key(user_id)] = Identity(email.lower(), name, source=USER_MAP)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise UsageError(Notice(f"cannot read --user-map {path}: {reason}", "user_map_unreadable", path=str(path),
                                reason=reason)) from None
    except UnicodeDecodeError:
        raise UsageError(Notice(f"--user-map {path} is not UTF-8 text", "user_map_not_utf8", path=str(path))) from None
    return mapping


@dataclass
class Person:
    """One developer: every id seen for them and how they are shown."""

    key: str
    ids: set[str] = field(default_factory=set)
    identity: Identity = field(default_factory=Identity)

    @property
    def email(self) -> str:
        """The e-mail a source gives, else the key when the person's ids are an e-mail; else empty."""
        return self.identity.email or (self.key if _is_email(self.key) else "")

    @property
    def label(self) -> str:
        """The e-mail, else the display name, else the fullest id as logged (the prompt logs' ``d-….{uuid}``)."""
        fullest = min(self.ids, key=lambda raw: (-len(raw), raw), default=self.key)
        return self.email or self.identity.display_name or fullest

    @property
    def named_by(self) -> str:
        """Where the label comes from."""
        return self.identity.source if (self.identity.email or self.identity.display_name) else AS_LOGGED

    def matches(self, pattern: str) -> bool:
        """True when ``pattern`` is in any id form, the e-mail or the name (``holds_pattern``: literal, any case)."""
        names = (*self.ids, self.key, self.identity.email, self.identity.display_name, self.identity.user_name)
        return any(holds_pattern(name, pattern) for name in names if name)


class Directory:
    """The people of one report: ids are added as sources are read, identities from the sources that know them.

    After ``settle`` people who share an e-mail are one group (``group_of``), and every group has a label that
    no other group has (``label_of``).
    """

    def __init__(self) -> None:
        self.people: dict[str, Person] = {}
        self._groups: dict[str, list[Person]] = {}
        self._labels: dict[str, str] = {}

    def add(self, raw_ids: Iterable[str]) -> None:
        """Register ids (any form)."""
        for raw in raw_ids:
            ref = parse_user_id(str(raw))
            self.people.setdefault(ref.key, Person(ref.key)).ids.add(ref.raw)

    def name(self, key: str, identity: Identity) -> None:
        """Give a person an identity unless an earlier (higher-ranked) source already named them."""
        person = self.people.get(key)
        if person is not None and not (person.identity.email or person.identity.display_name):
            person.identity = identity

    def unnamed(self) -> list[UserRef]:
        """The ids of people no source has named yet (each person's ids)."""
        return [
            parse_user_id(raw)
            for person in self.people.values()
            if not (person.identity.email or person.identity.display_name)
            for raw in sorted(person.ids)
        ]

    def key_of(self, raw: str) -> str:
        """The person key of an id."""
        return person_key(raw)

    def settle(self) -> None:
        """Group the people by e-mail and give each group a label of its own."""
        self._groups = {}
        for person in self.people.values():
            self._groups.setdefault(person.email or f"key:{person.key}", []).append(person)
        labels: dict[str, str] = {}
        for group, members in self._groups.items():
            labels[group] = min(member.label for member in members)
        taken: dict[str, int] = {}
        for label in labels.values():
            taken[label] = taken.get(label, 0) + 1
        for group, members in self._groups.items():
            if taken[labels[group]] > 1:  # two people with the same display name: add an id
                ids = sorted(raw for member in members for raw in member.ids)
                labels[group] = f"{labels[group]} ({ids[0]})" if ids else labels[group]
        self._labels = labels

    def _group(self, raw: str) -> str:
        person = self.people.get(person_key(raw))
        if person is None:
            return f"key:{person_key(raw)}"
        return person.email or f"key:{person.key}"

    def group_of(self, raw: str) -> str:
        """The group an id belongs to: the person's e-mail, else their key."""
        group = self._group(raw)
        return group.removeprefix("key:")

    def label_of(self, raw: str) -> str:
        """How the person behind an id is shown."""
        return self._labels.get(self._group(raw), raw)

    def keeps(self, raw: str, pattern: str | None) -> bool:
        """True when no pattern is set or it matches someone of the id's group (any id, e-mail or name)."""
        if not pattern:
            return True
        members = self._groups.get(self._group(raw), [])
        return any(member.matches(pattern) for member in members) or holds_pattern(raw, pattern)
