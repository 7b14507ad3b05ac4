"""Who made a call: principal type, principal, user and application, derived from ``identity.arn``."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

DEFAULT_ROLE_SUFFIX = "-BedrockRole"
UNKNOWN = "(unknown)"
# Users named within their account only: an IAM user or the root user of two accounts are two users. A session name
# (a person's e-mail, an application's role) is one user whatever the account.
ACCOUNT_SCOPED_USERS = ("iam_user", "root")

_ARN_RE = re.compile(r"^arn:aws[a-z-]*:(?P<service>iam|sts)::(?P<account>[^:]*):(?P<resource>.+)$")
_SSO_ROLE_RE = re.compile(r"^AWSReservedSSO_(?P<permission_set>.+)_[0-9a-f]{16}$")


@dataclass(frozen=True)
class Principal:
    """The caller behind one ARN."""

    principal_type: str  # iam_user, application_role, sso_user, assumed_role, role, federated_user, root, other
    principal: str
    user: str
    application: str
    account: str = ""  # the ARN's account: an IAM user or role name means one principal only within its account


def person_name(session_name: str) -> str:
    """The one name of an IAM Identity Center session's person (the session name is an e-mail): its lower-case form,
    as e-mail addresses are in practice one mailbox whatever the case; the same whatever names a period holds, so a
    person's chargeback key does not change from month to month."""
    return session_name.lower()


def holds_pattern(name: str, pattern: str) -> bool:
    """Whether ``name`` holds ``pattern`` (``--user-pattern``) as written but in any letter case: the one rule of the
    Bedrock callers and the Amazon Q / Kiro people alike. IAM does not tell names apart by case (IAM API Reference,
    "CreateUser" and "CreateRole": user, group, role and policy "names are not distinguished by case"), and an e-mail
    session name is one mailbox whatever its case (``person_name``)."""
    return pattern.lower() in name.lower()


def one_spelling_per_person(principals: list[Principal]) -> list[Principal]:
    """``principals`` with every SSO user named by ``person_name``."""
    return [replace(p, user=person_name(p.user)) if p.principal_type == "sso_user" else p for p in principals]


def derive_principal(arn: str | None, role_suffix: str = DEFAULT_ROLE_SUFFIX) -> Principal:
    """Classify an ARN; ``{App}{role_suffix}`` roles are applications (the role is the user), SSO sessions are
    people (the session name is the user)."""
    if not arn:
        return Principal("unknown", UNKNOWN, UNKNOWN, UNKNOWN)
    match = _ARN_RE.match(arn)
    if not match:
        return Principal("other", arn, arn, arn)
    return replace(_principal(match, role_suffix), account=match["account"])


def _principal(match: re.Match[str], role_suffix: str) -> Principal:
    """The caller of a parsed IAM or STS ARN, without its account."""
    kind, _, rest = match["resource"].partition("/")
    if kind == "user":
        name = rest.rsplit("/", 1)[-1] or UNKNOWN
        return Principal("iam_user", name, name, name)
    if kind == "root":
        return Principal("root", "root", "root", "root")
    if kind == "assumed-role":
        role, _, session = rest.partition("/")
        session = session or UNKNOWN
        sso = _SSO_ROLE_RE.match(role)
        if sso:
            return Principal("sso_user", role, session, sso["permission_set"])
        if role_suffix and role.endswith(role_suffix) and len(role) > len(role_suffix):
            # A machine identity: its session names (task ids, SDK defaults) say nothing about who called.
            return Principal("application_role", role, role, role[: -len(role_suffix)])
        return Principal("assumed_role", role, session, role)
    if kind == "role":
        name = rest.rsplit("/", 1)[-1] or UNKNOWN
        return Principal("role", name, name, name)
    if kind == "federated-user":
        return Principal("federated_user", rest or UNKNOWN, rest or UNKNOWN, rest or UNKNOWN)
    return Principal("other", match.string, match.string, match.string)


def with_account(name: str, account: str) -> str:
    """``alice ({account id})``: an IAM or root user (or the application named like it) of one account, where its
    name is found in several."""
    return f"{name} ({account})"


def applications_apart(principals: Sequence[Principal]) -> list[Principal]:
    """``principals`` with the application of every IAM or root user whose name is found in several accounts among
    them named with its account: two accounts' ``alice`` are two applications, as they are two users."""
    accounts: dict[str, set[str]] = {}
    for p in principals:
        if p.principal_type in ACCOUNT_SCOPED_USERS:
            accounts.setdefault(p.user, set()).add(p.account)
    return [replace(p, application=with_account(p.application, p.account))
            if p.principal_type in ACCOUNT_SCOPED_USERS and len(accounts[p.user]) > 1 else p for p in principals]
