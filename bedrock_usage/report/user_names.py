"""Users named apart across accounts: an IAM user or the root user found in several accounts of the logs (an
organisation's central log bucket) is named with its account, ``alice ({account id})``, wherever users are one
value each (a chargeback's groups, the dashboard's charts and drill-down, a budget's ``user``)."""

from __future__ import annotations

import re

import pandas as pd

from .priced_facts import ACCOUNT_SCOPED_USERS

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
    named = users.copy()
    named.loc[apart] = users.loc[apart] + " (" + facts["account"].astype("object").loc[apart] + ")"
    return named


def is_user(facts: pd.DataFrame, value: str) -> pd.Series:
    """Fact rows of the user ``value``: the name as the rows have it, or, given with its account
    (``alice ({account id})``), that account's IAM or root user of that name, named so or not (a link or a budget
    may name it so where the rows of another period do not); a name alone covers every account's user of it."""
    users = facts["user"].astype("object")
    named = user_in_account(value)
    if not named:  # the name alone: every account's user of that name, also where the rows name them apart
        apart = users.astype("string").str.fullmatch(re.escape(value) + r" \(\d{12}\)").fillna(False)
        return (users == value) | (facts["principal_type"].isin(ACCOUNT_SCOPED_USERS) & apart.astype(bool))
    return (users == value) | (facts["principal_type"].isin(ACCOUNT_SCOPED_USERS) & (users == named[0])
                               & (facts["account"] == named[1]))


def user_in_account(name: str) -> tuple[str, str] | None:
    """``("alice", account id)`` for a name given with its account (``alice ({account id})``), else None."""
    match = _WITH_ACCOUNT.fullmatch(name)
    return (match["user"], match["account"]) if match else None
