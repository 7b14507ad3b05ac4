"""Users named apart across accounts: an IAM user or the root user found in several accounts of the logs (an
organisation's central log bucket) is named with its account, ``alice ({account id})``, wherever users are one
value each (a chargeback's groups, the dashboard's charts and drill-down, a budget's ``user``); so is the
application named like such a user (an untagged call's), in every report (``logs.identity.applications_apart``)."""

from __future__ import annotations

import re
from collections.abc import Sequence

import pandas as pd

from ..logs.identity import ACCOUNT_SCOPED_USERS

_WITH_ACCOUNT = re.compile(r"(?P<user>.+) \((?P<account>\d{12})\)")


def shared_names(*facts: pd.DataFrame) -> set[str]:
    """The names of IAM or root users found in more than one account among ``facts`` (fact rows with ``user``,
    ``principal_type`` and ``account``)."""
    pairs = pd.concat([f.loc[f["principal_type"].isin(ACCOUNT_SCOPED_USERS), ["user", "account"]] for f in facts])
    accounts = pairs.drop_duplicates().groupby("user", observed=True)["account"].size()
    return set(accounts.index[accounts > 1])


def named_users(facts: pd.DataFrame, shared: set[str] | None = None) -> pd.Series:
    """The user of each fact row, an IAM or root user whose name is in ``shared`` (default: found in several
    accounts of ``facts``) named with its account."""
    shared = shared_names(facts) if shared is None else shared
    users = facts["user"].astype("object")
    if not shared or facts.empty:
        return users
    apart = (facts["principal_type"].isin(ACCOUNT_SCOPED_USERS) & users.isin(shared)).to_numpy()
    return _with_accounts(users, facts, apart)


def named_applications(facts: pd.DataFrame, shared: set[str], application_tags: Sequence[str]) -> pd.Series:
    """The application of each fact row (of the tracker's naming, users not named apart yet), that of an IAM or root
    user whose name is in ``shared`` named with its account where no application tag named it: what the tracker
    names so when the name is found in several accounts of its own facts, for a name found so in another period."""
    applications = facts["application"].astype("object")
    if not shared or facts.empty:
        return applications
    users = facts["user"].astype("object")
    apart = facts["principal_type"].isin(ACCOUNT_SCOPED_USERS) & users.isin(shared) & (applications == users)
    for key in application_tags:
        if f"tag:{key}" in facts:
            tag = facts[f"tag:{key}"].astype("object")
            apart &= tag.isna() | (tag == "")
    return _with_accounts(applications, facts, apart.to_numpy())


def _with_accounts(values: pd.Series, facts: pd.DataFrame, apart: object) -> pd.Series:
    """``values`` with those of the rows ``apart`` (a boolean array) followed by `` ({account})``."""
    named = values.copy()
    named.loc[apart] = values.loc[apart] + " (" + facts["account"].astype("object").loc[apart] + ")"
    return named


def is_user(facts: pd.DataFrame, value: str) -> pd.Series:
    """Fact rows of the user ``value``: the name as the rows have it, or, given with its account
    (``alice ({account id})``), that account's IAM or root user of that name, named so or not (a link or a budget
    may name it so where the rows of another period do not); a name alone covers every account's user of it."""
    return _is_named(facts, facts["user"].astype("object"), facts["principal_type"].isin(ACCOUNT_SCOPED_USERS),
                     value)


def is_application(facts: pd.DataFrame, value: str) -> pd.Series:
    """Fact rows of the application ``value``, as ``is_user`` finds a user's: given with its account, that account's
    application named like its IAM or root user, named so or not; a name alone covers every account's of it."""
    applications = facts["application"].astype("object")
    users = facts["user"].astype("object").fillna("")
    own = (applications == users) | (applications == users + " (" + facts["account"].astype("object").fillna("") + ")")
    return _is_named(facts, applications, facts["principal_type"].isin(ACCOUNT_SCOPED_USERS) & own, value)


def _is_named(facts: pd.DataFrame, values: pd.Series, scoped: pd.Series, value: str) -> pd.Series:
    """Rows whose ``values`` is ``value``, or, where ``scoped`` (named within an account), its name in the account
    ``value`` names (any account for a name alone)."""
    named = user_in_account(value)
    if not named:  # the name alone: every account's of that name, also where the rows name them apart
        apart = values.astype("string").str.fullmatch(re.escape(value) + r" \(\d{12}\)").fillna(False)
        return (values == value) | (scoped & apart.astype(bool))
    return (values == value) | (scoped & (values == named[0])
                                & (facts["account"] == named[1]))


def user_in_account(name: str) -> tuple[str, str] | None:
    """``("alice", account id)`` for a name given with its account (``alice ({account id})``), else None."""
    match = _WITH_ACCOUNT.fullmatch(name)
    return (match["user"], match["account"]) if match else None
