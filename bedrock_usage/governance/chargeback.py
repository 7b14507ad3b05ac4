"""Monthly chargeback per application, user or tag value, and the total AI cost per developer.

The chargeback is long form: one row per group x model, a total row per group and a grand total (schema
``bedrock-usage/chargeback/v1``, columns in ``CHARGEBACK_COLUMNS``). Tokens and calls are exact; costs are
estimates from list prices and cover priced calls only: calls the book cannot price are counted in
``unpriced_calls`` and listed apart, never as a cost of 0.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

from ..errors import UsageError
from ..logs.period import Period
from ..qdev import Source
from ..qdev import analyze as analyze_qdev
from ..qdev.cost import SUBSCRIPTION_SOURCE, SUBSCRIPTION_USD_PER_USER_MONTH, prorated_subscription
from ..qdev.sources import LogStore
from ..report.tracker import COST_COLUMNS, COST_NOTE, METRICS, TOKENS_NOTE, TOTAL_COST
from .anomalies import days_in_month

CHARGEBACK_SCHEMA = "bedrock-usage/chargeback/v1"
DEVELOPER_SCHEMA = "bedrock-usage/developer-costs/v1"
GROUP_BY_CHOICES = ("application", "user", "tag:KEY")
UNTAGGED = "(untagged)"
ROW_TYPES = ("model", "group_total", "grand_total")

# name, unit, accuracy, meaning: the documented schema of every chargeback row.
CHARGEBACK_COLUMNS: tuple[tuple[str, str, str, str], ...] = (
    ("month", "YYYY-MM", "label", "calendar month in the report's time zone"),
    ("group_by", "text", "label", "application, user or tag:KEY"),
    ("group", "text", "label", f"the application, user or tag value ({UNTAGGED} when the call had no such tag)"),
    ("row_type", "text", "label", "model (one group x model), group_total, or grand_total"),
    ("model", "text", "label", "model name (empty on total rows)"),
    ("calls", "count", "exact", "invocations logged"),
    ("errors", "count", "exact", "invocations logged with an error code"),
    ("input_tokens", "tokens", "exact", "input tokens, without cache reads and writes"),
    ("output_tokens", "tokens", "exact", "output tokens"),
    ("cache_read_tokens", "tokens", "exact", "input tokens read from the prompt cache"),
    ("cache_write_tokens", "tokens", "exact", "input tokens written to the prompt cache"),
    ("input_cost_usd", "USD", "estimated", "input tokens x list price"),
    ("output_cost_usd", "USD", "estimated", "output tokens x list price"),
    ("cache_write_cost_usd", "USD", "estimated", "cache write tokens x list price (5-minute rate)"),
    ("cache_read_cost_usd", "USD", "estimated", "cache read tokens x list price"),
    ("estimated_cost_usd", "USD", "estimated", "sum of the four costs over priced calls; null when none is priced"),
    ("unpriced_calls", "count", "exact", "calls with no price in the book: their tokens are above, their cost is not"),
)
UNPRICED_COLUMNS = ["group", "model_id", "source_region", *METRICS]


def month_period(month: str, tz: str) -> Period:
    """The calendar month ``YYYY-MM`` as a Period in ``tz``."""
    if not re.fullmatch(r"\d{4}-\d{2}", month.strip()):
        raise UsageError(f"month '{month}' is not in YYYY-MM form")
    year, number = (int(part) for part in month.strip().split("-"))
    if not 1 <= number <= 12:
        raise UsageError(f"month '{month}' is not in YYYY-MM form")
    first = date(year, number, 1)
    return Period(first, first + timedelta(days=days_in_month(first) - 1), tz)


def group_column(group_by: str) -> tuple[str, str | None]:
    """The fact column of a ``--chargeback-by`` choice, and the tag key to read for ``tag:KEY``."""
    if group_by in ("application", "user"):
        return group_by, None
    if group_by.startswith("tag:") and group_by[4:].strip():
        key = group_by[4:].strip()
        return f"tag:{key}", key
    raise UsageError(f"--chargeback-by '{group_by}' must be application, user or tag:KEY")


@dataclass
class Chargeback:
    """One month's chargeback rows, the unpriced usage apart, and notes on accuracy."""

    month: str
    tz: str
    group_by: str
    rows: pd.DataFrame
    unpriced: pd.DataFrame
    warnings: list[str] = field(default_factory=list)

    @property
    def grand_total(self) -> dict[str, object]:
        """The grand-total row."""
        return self.rows.loc[self.rows["row_type"] == "grand_total"].iloc[0].to_dict()


def _totals(frame: pd.DataFrame) -> dict[str, object]:
    """Sums of one set of rows; a cost is None when no row of it is priced."""
    if frame.empty:
        return {name: 0 for name in (*METRICS, "unpriced_calls")} | dict.fromkeys((*COST_COLUMNS, TOTAL_COST))
    totals: dict[str, object] = {name: int(frame[name].sum()) for name in (*METRICS, "unpriced_calls")}
    for column in (*COST_COLUMNS, TOTAL_COST):
        value = frame[column].sum(min_count=1)
        totals[column] = None if pd.isna(value) else float(value)
    return totals


def build_chargeback(facts: pd.DataFrame, month: str, tz: str, group_by: str) -> Chargeback:
    """Chargeback rows for the facts of one month (read with the tag key when grouping by a tag)."""
    column, _ = group_column(group_by)
    frame = facts.assign(group=facts[column].astype("object")) if len(facts) else facts.assign(group=None)
    if len(frame):
        missing = frame["group"].isna() | (frame["group"].astype("string").str.len() == 0)
        frame.loc[missing, "group"] = UNTAGGED if column.startswith("tag:") else "(unknown)"
    rows = []
    for group, part in (frame.groupby("group", sort=True) if len(frame) else []):
        for model, model_part in part.groupby("model", sort=True):
            rows.append({"group": group, "row_type": "model", "model": model, **_totals(model_part)})
        rows.append({"group": group, "row_type": "group_total", "model": "", **_totals(part)})
    rows.append({"group": "", "row_type": "grand_total", "model": "", **_totals(frame)})
    table = pd.DataFrame(rows)
    table.insert(0, "group_by", group_by)
    table.insert(0, "month", month)
    table = table[[c[0] for c in CHARGEBACK_COLUMNS]]

    unpriced = pd.DataFrame(columns=UNPRICED_COLUMNS)
    if len(frame) and (~frame["priced"]).any():
        unpriced = (frame.loc[~frame["priced"]].groupby(["group", "model_id", "source_region"], dropna=False)
                    [list(METRICS)].sum().reset_index().sort_values(["group", "calls"], ascending=[True, False])
                    .reset_index(drop=True))
    warnings = []
    if len(unpriced):
        warnings.append(f"{int(unpriced['calls'].sum()):,} calls have no price: their tokens are in the rows, their "
                        "cost is not (see the unpriced table)")
    return Chargeback(month, tz, group_by, table, unpriced, warnings)


def accuracy_notes() -> dict[str, str]:
    """What is exact and what is estimated, for every chargeback document."""
    return {"tokens": TOKENS_NOTE, "cost": COST_NOTE,
            "unpriced": "calls without a price are counted in unpriced_calls and listed apart; their cost is unknown, "
                        "not 0"}


@dataclass(frozen=True)
class QDevUser:
    """One Amazon Q Developer / Kiro subscriber seen in the period, with how much they used it."""

    user_id: str
    requests: int = 0  # prompt-log requests
    events: int = 0  # activity-report events


def qdev_users(per_user: pd.DataFrame, activity_per_user: pd.DataFrame | None) -> list[QDevUser]:
    """Subscribers seen in Q Developer prompt logs (``user_id``, ``requests``) or activity reports (``UserId``)."""
    requests = dict(zip(per_user["user_id"], per_user["requests"], strict=True)) if len(per_user) else {}
    events = {}
    if activity_per_user is not None and len(activity_per_user):
        events = dict(zip(activity_per_user["UserId"], activity_per_user["events"], strict=True))
    return [QDevUser(str(user), int(requests.get(user, 0)), int(events.get(user, 0)))
            for user in sorted(set(requests) | set(events))]


def qdev_subscribers(store: LogStore, period: Period) -> list[QDevUser]:
    """Subscribers seen in the Q Developer / Kiro prompt logs and activity reports of ``store`` in ``period``."""
    report = analyze_qdev(Source(store), period)
    return qdev_users(report.per_user, report.activity.per_user if report.activity else None)


def read_user_map(path: str | Path) -> dict[str, str]:
    """A CSV ``userId,email`` (IAM Identity Center user id -> email); header names are matched loosely."""
    path = Path(path)
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            fields = {re.sub(r"[^a-z]", "", (name or "").lower()): name for name in reader.fieldnames or []}
            if "userid" not in fields or "email" not in fields:
                raise UsageError(f"--user-map {path} needs a header with userId and email columns")
            mapping = {}
            for number, row in enumerate(reader, start=2):
                user_id, email = (row.get(fields["userid"]) or "").strip(), (row.get(fields["email"]) or "").strip()
                if not user_id or "@" not in email:
                    raise UsageError(f"--user-map {path}, line {number}: needs a user id and an email address")
                mapping[user_id] = email
    except OSError as exc:
        raise UsageError(f"cannot read --user-map {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise UsageError(f"--user-map {path} is not UTF-8 text") from None
    return mapping


DEVELOPER_COLUMNS = ["developer", "qdev_user_id", "bedrock_calls", "bedrock_tokens", "bedrock_cost_usd",
                     "bedrock_unpriced_calls", "qdev_requests", "qdev_events", "seat_cost_usd", "total_cost_usd"]


def developer_costs(
    facts: pd.DataFrame, qdev_users: list[QDevUser], emails: dict[str, str], first: date, last: date
) -> pd.DataFrame:
    """Per developer (email): Bedrock spend as an SSO user beside the prorated Q Developer seat.

    Bedrock users are IAM Identity Center sessions, whose session name is the email; Q Developer user ids
    become emails through ``emails``. A subscriber without a mapping keeps the user id as the developer.
    The seat is $19 per user per month, prorated by day over ``first``..``last``.
    """
    seat = prorated_subscription(1, first, last)
    people: dict[str, dict[str, object]] = {}

    def person(key: str) -> dict[str, object]:
        return people.setdefault(key.lower(), {
            "developer": key, "qdev_user_id": None, "bedrock_calls": 0, "bedrock_tokens": 0, "bedrock_cost_usd": None,
            "bedrock_unpriced_calls": 0, "qdev_requests": 0, "qdev_events": 0, "seat_cost_usd": 0.0})

    if len(facts):
        sso = facts.loc[facts["principal_type"] == "sso_user"]
        tokens = sso[["input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens"]].sum(axis=1)
        grouped = sso.assign(tokens=tokens).groupby("user")
        for user, part in grouped:
            row = person(str(user))
            cost = part[TOTAL_COST].sum(min_count=1)
            row.update(bedrock_calls=int(part["calls"].sum()), bedrock_tokens=int(part["tokens"].sum()),
                       bedrock_cost_usd=None if pd.isna(cost) else float(cost),
                       bedrock_unpriced_calls=int(part["unpriced_calls"].sum()))
    for user in qdev_users:
        row = person(emails.get(user.user_id, user.user_id))
        row.update(qdev_user_id=user.user_id, qdev_requests=int(row["qdev_requests"]) + user.requests,
                   qdev_events=int(row["qdev_events"]) + user.events, seat_cost_usd=seat)
    table = pd.DataFrame(list(people.values()), columns=[c for c in DEVELOPER_COLUMNS if c != "total_cost_usd"])
    table["total_cost_usd"] = table["bedrock_cost_usd"].astype("float64").fillna(0.0) + table["seat_cost_usd"]
    return table.sort_values(["total_cost_usd", "developer"], ascending=[False, True]).reset_index(drop=True)


def seat_note(first: date, last: date) -> str:
    """How the seat cost is computed, with its source."""
    return (f"Q Developer Pro seat ${SUBSCRIPTION_USD_PER_USER_MONTH:g} per user per month, prorated by day over "
            f"{first} .. {last}, for each user seen in the Q Developer / Kiro data; source: {SUBSCRIPTION_SOURCE}")
