"""Monthly chargeback per application, user or tag value, and the total AI cost per developer (Bedrock, Amazon Q
Developer seat, Kiro tier and credits).

The chargeback is long form: one row per group x model, a total row per group and a grand total (schema
``bedrock-usage/chargeback/v4``, columns in ``CHARGEBACK_COLUMNS``). Tokens and calls are exact; costs are
estimates from list prices and cover priced calls only: calls the book cannot price are counted in
``unpriced_calls`` and listed apart, never as a cost of 0. Every chargeback says which days of the month its logs
cover (``governance.coverage``) and warns when that is not the whole month.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import pandas as pd

from ..errors import UsageError
from ..logs.identity import person_name
from ..logs.period import Period
from ..output.notices import Notice
from ..output.wording import counted
from ..pricing import PriceFile
from ..qdev.analysis import Filters as QDevFilters
from ..qdev.analysis import (
    Identities,
    Options,
    QDevReport,
    Source,
    files_by_kind,
    first_reasons,
    kiro_unreported,
    named,
    reason_counts,
)
from ..qdev.analysis import analyze as analyze_qdev
from ..qdev.cost import SUBSCRIPTION_SOURCE, SUBSCRIPTION_USD_PER_USER_MONTH, prorated_subscription
from ..qdev.credits import KiroCredits
from ..qdev.kiro_prices import PRICES_ENV as KIRO_PRICES_ENV
from ..qdev.render import ACCURACY as QDEV_ACCURACY
from ..qdev.render import kiro_cost_note
from ..qdev.sources import LogStore
from ..report.priced_facts import COST_COLUMNS, METRICS, TOTAL_COST, split_unknown_calls
from ..report.tracker import TOKENS_NOTE, cost_note
from ..report.user_names import named_users
from .anomalies import NO_VALUE, days_in_month
from .coverage import Coverage, log_coverage

# v3: every CSV row ends with the JSON ``accuracy`` notes as ``accuracy_*`` columns (v2 had none), and the
# developer costs' Kiro credits within the plan are ``kiro_credits_in_plan`` (v2: ``kiro_credits``). Chargeback v4:
# both chargeback files' rows end with ``accuracy_unpriced`` too (v3: the notes of tokens and cost only).
CHARGEBACK_SCHEMA = "bedrock-usage/chargeback/v4"
DEVELOPER_SCHEMA = "bedrock-usage/developer-costs/v3"
NO_NAME = "(unknown)"  # the group of calls without a user or application name
QDEV_SIDE = "Amazon Q / Kiro"  # what begins the lines of the Amazon Q / Kiro report among the developer warnings

# name, unit, accuracy, meaning: the documented schema of every chargeback row.
CHARGEBACK_COLUMNS: tuple[tuple[str, str, str, str], ...] = (
    ("month", "YYYY-MM", "label", "calendar month in the report's time zone"),
    ("group_by", "text", "label", "application, user or tag:KEY"),
    ("group", "text", "label", f"the application, user or tag value ({NO_VALUE} when the call had no such "
                                "tag, empty when logged empty)"),
    ("group_present", "boolean", "label", "false for the group of calls without the tag (or without a user or "
                                          "application name), true for a value as logged; empty on grand_total"),
    ("row_type", "text", "label", "model (one group x model), group_total, or grand_total"),
    ("model", "text", "label", "model name (empty on total rows)"),
    ("base_model_id", "text", "label",
     "the model's id without inference-profile prefix or ARN, as the price book names it: a key to join on"),
    ("calls", "count", "exact", "invocations logged"),
    ("errors", "count", "exact", "invocations logged with an error code"),
    ("input_tokens", "tokens", "exact", "input tokens, without cache reads and writes"),
    ("output_tokens", "tokens", "exact", "output tokens"),
    ("cache_read_tokens", "tokens", "exact", "input tokens read from the prompt cache"),
    ("cache_write_tokens", "tokens", "exact", "input tokens written to the prompt cache"),
    ("input_cost_usd", "USD", "estimated",
     "input tokens x list price, plus rerank queries and the images given to an embeddings model"),
    ("output_cost_usd", "USD", "estimated", "output tokens x list price, plus images and seconds of video made"),
    ("cache_write_cost_usd", "USD", "estimated",
     "cache write tokens x list price (the 1-hour rate for writes the response logs as 1-hour, or, for a response "
     "in /data/, those of a request whose every cache breakpoint asks 1 hour; else 5-minute)"),
    ("cache_read_cost_usd", "USD", "estimated", "cache read tokens x list price"),
    ("estimated_cost_usd", "USD", "estimated", "sum of the four costs over priced calls; null when none is priced"),
    ("unpriced_calls", "count", "exact", "calls with no price in the book: their tokens are above, their cost is not"),
)


def chargeback_columns(price_file: PriceFile | None = None) -> list[tuple[str, str, str, str]]:
    """``CHARGEBACK_COLUMNS`` as a chargeback documents them: costs x list price, or x ``price_file``'s price where
    its rows priced calls."""
    price = "list price" if price_file is None else (f"price (the price file {price_file.label} where its rows "
                                                     "apply, else the list price)")
    return [(name, unit, accuracy, meaning.replace(" x list price", f" x {price}"))
            for name, unit, accuracy, meaning in CHARGEBACK_COLUMNS]


UNPRICED_COLUMNS = ["group", "group_present", "model_id", "source_region", *METRICS]


def month_period(month: str, tz: str) -> Period:
    """The calendar month ``YYYY-MM`` as a Period in ``tz``."""
    if not re.fullmatch(r"\d{4}-\d{2}", month.strip()):
        raise UsageError(f"month '{month}' is not in YYYY-MM form")
    year, number = (int(part) for part in month.strip().split("-"))
    if not 1 <= number <= 12:
        raise UsageError(f"month '{month}' is not a month of the year: MM goes from 01 to 12")
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
    """One month's chargeback rows, the unpriced usage apart, the days its logs cover, and notes on accuracy."""

    month: str
    tz: str
    group_by: str
    rows: pd.DataFrame
    unpriced: pd.DataFrame
    coverage: Coverage
    warnings: list[str] = field(default_factory=list)
    filters: dict[str, object] = field(default_factory=dict)  # what narrowed the calls (models, patterns, regions)
    price_file: PriceFile | None = None  # the user's price file, when its rows priced some of the calls
    split_unknown_calls: int = 0  # priced calls with cache writes at the 5-minute rate, their split unknown

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


def _grouped(facts: pd.DataFrame, column: str) -> pd.DataFrame:
    """The facts with their ``group`` label and ``group_present``: whether the call had the value grouped by. Calls
    without it (for a user or application, also one logged empty) are labelled NO_VALUE / ``(unknown)`` yet kept
    apart from a value logged so; a tag value logged empty stays ``""``, a group of its own."""
    if facts.empty:
        return facts.assign(group=None, group_present=None)
    values = (named_users(facts) if column == "user" else facts[column]).astype("object")
    tag = column.startswith("tag:")
    missing = values.isna()
    if not tag:  # a tag value logged empty stays "": a group apart from the calls without the tag
        missing |= values.astype("string").str.len() == 0
    present = ~missing.astype(bool)
    return facts.assign(group=values.mask(missing, NO_VALUE if tag else NO_NAME), group_present=present)


def build_chargeback(facts: pd.DataFrame, month: str, tz: str, group_by: str,
                     now: datetime | None = None, filtered: bool = False,
                     unread: Mapping[str, Iterable[date]] | None = None, regions: Sequence[str] = ()) -> Chargeback:
    """Chargeback rows for the facts of one month (read with the tag key when grouping by a tag), and the days of
    the month they cover as of ``now`` (default: the clock), in all and in each of the ``regions`` read, with a
    warning when that is not the whole month and a note per region that lacks days another has (``unread``: the UTC
    day folders Athena did not read in each region)."""
    frame = _grouped(facts, group_column(group_by)[0])
    rows = []
    for (group, present), part in (frame.groupby(["group", "group_present"], sort=True) if len(frame) else []):
        labels = {"group": group, "group_present": bool(present)}
        for (model, base_id), model_part in part.groupby(["model", "base_model_id"], sort=True, dropna=False):
            rows.append({**labels, "row_type": "model", "model": model,
                         "base_model_id": "" if pd.isna(base_id) else base_id, **_totals(model_part)})
        rows.append({**labels, "row_type": "group_total", "model": "", "base_model_id": "", **_totals(part)})
    rows.append({"group": "", "group_present": None, "row_type": "grand_total", "model": "", "base_model_id": "",
                 **_totals(frame)})
    table = pd.DataFrame(rows)
    table.insert(0, "group_by", group_by)
    table.insert(0, "month", month)
    table = table[[c[0] for c in CHARGEBACK_COLUMNS]]

    unpriced = pd.DataFrame(columns=UNPRICED_COLUMNS)
    if len(frame) and (~frame["priced"]).any():
        unpriced = (frame.loc[~frame["priced"]]
                    .groupby(["group", "group_present", "model_id", "source_region"], dropna=False)
                    [list(METRICS)].sum().reset_index()
                    .sort_values(["group", "group_present", "calls"], ascending=[True, True, False])
                    .reset_index(drop=True))
    coverage = log_coverage(facts, month_period(month, tz), now, filtered, unread=unread, regions=regions)
    warnings = coverage.warnings()
    if len(unpriced):
        calls = int(unpriced["calls"].sum())
        has, its = ("has", "its") if calls == 1 else ("have", "their")
        warnings.append(Notice(f"{counted(calls, 'call')} {has} no price: {its} tokens are in the rows, {its} cost "
                               "is not (see the unpriced table)", "chargeback_unpriced", calls=calls))
    return Chargeback(month, tz, group_by, table, unpriced, coverage, warnings,
                      split_unknown_calls=split_unknown_calls(facts))


def accuracy_notes(price_file: PriceFile | None = None, split_unknown: int = 0) -> dict[str, str]:
    """What is exact and what is estimated, for every chargeback document (costs at ``price_file``'s prices where
    its rows priced calls; ``split_unknown``: the priced calls whose cache writes' split is known only in /data/, as
    the report's cost note counts them)."""
    return {"tokens": TOKENS_NOTE, "cost": cost_note(price_file, split_unknown),
            "unpriced": "calls without a price are counted in unpriced_calls and listed apart; their cost is unknown, "
                        "not 0"}


def developer_accuracy(price_file: PriceFile | None = None, split_unknown: int = 0,
                       kiro: KiroCredits | None = None) -> dict[str, str]:
    """What is exact and what is estimated in the total AI cost per developer: the Bedrock side's notes
    (``accuracy_notes``; its calls without a price in ``bedrock_unpriced_calls``, not listed apart), the seats and
    Kiro costs (published prices prorated by day, so estimated; the Kiro cost's note that of
    ``qcli_s3_analyzer.py``, ``kiro_cost_note`` of the same ``kiro`` figures, naming the price table and the days its
    rows were read), and the total, which holds no Amazon Q virtual cost (what the tokens would cost on Amazon
    Bedrock is no spend: AWS bills Amazon Q Developer Pro per subscribed user)."""
    return {**accuracy_notes(price_file, split_unknown),
            "unpriced": "Bedrock calls without a price are counted in bedrock_unpriced_calls; their cost is unknown, "
                        "not 0: a developer's Bedrock cost and total are the priced part only (unknown where none of "
                        "their calls is priced)",
            "qdev_requests": "exact: prompt-log requests and activity-report events of Amazon Q Developer and Kiro",
            "seat_cost": f"estimated: the Q Developer Pro list price, ${SUBSCRIPTION_USD_PER_USER_MONTH:g} per user "
                         "per month, prorated by day, for each person seen in the Amazon Q Developer data (AWS bills "
                         "every subscribed user)",
            "kiro_credits": QDEV_ACCURACY["kiro_credits"],
            "kiro_cost": kiro_cost_note(kiro),
            "total": "estimated: Bedrock cost + Q seat + Kiro cost; the Amazon Q virtual cost (tokens at Amazon "
                     "Bedrock prices) is not in it"}


@dataclass(frozen=True)
class QDevUser:
    """One Amazon Q Developer / Kiro subscriber seen in the period (one person, whatever ids they used).

    ``developer`` is the e-mail where a source gives one (a Kiro report, the user map, IAM Identity Center), else
    the id as logged. The Q Developer seat is due for people seen in ``QDeveloperLogs``; the Kiro cost (tier price
    prorated by day plus overage credits) comes from the Kiro user reports, None when the tier has no published
    price or no report names the tier.
    """

    developer: str
    user_ids: str
    requests: int = 0  # prompt-log requests, of Amazon Q Developer and Kiro
    events: int = 0  # activity-report events, of Amazon Q Developer and Kiro (KiroLogs/by_user_analytic)
    q_developer: bool = False
    kiro: bool = False
    kiro_tier: str = ""
    kiro_credits_in_plan: float = 0.0
    kiro_overage_credits: float = 0.0
    kiro_cost_usd: float | None = None
    kiro_unreported: bool = False  # seen using Kiro, but the Kiro user reports read have no row of theirs


def _by_user(table: pd.DataFrame | None, column: str) -> dict[str, object]:
    if table is None or table.empty:
        return {}
    return dict(zip(table["user"], table[column], strict=True))


def qdev_people(report: QDevReport) -> list[QDevUser]:
    """The people of an Amazon Q Developer / Kiro report, with their use, seat and Kiro credits."""
    requests = report.requests
    activity = report.activity.rows if report.activity is not None else None
    kiro = report.kiro
    subscribed = named(requests)  # a record without a userId is no subscriber (no seat)
    q_users = set(requests.loc[subscribed & (requests["product"] == "Q Developer"), "user"])
    kiro_users = set(requests.loc[subscribed & (requests["product"] == "Kiro"), "user"])
    if activity is not None:
        q_users |= set(activity.loc[activity["product"] == "Q Developer", "user"])
        kiro_users |= set(activity.loc[activity["product"] == "Kiro", "user"])
    per_kiro = kiro.per_user.set_index("user") if kiro is not None and not kiro.per_user.empty else None
    if per_kiro is not None:
        kiro_users |= set(per_kiro.index)
    counts = _by_user(report.per_user, "requests")
    events = _by_user(report.activity.per_user if report.activity is not None else None, "events")
    ids: dict[str, set[str]] = {}
    for table in (report.per_user, report.activity.per_user if report.activity else None,
                  kiro.per_user if kiro else None):
        for user, user_ids in _by_user(table, "user_ids").items():
            ids.setdefault(str(user), set()).update(str(user_ids).split(", "))
    unreported = set(kiro_unreported(report))
    people = []
    for user in sorted(q_users | kiro_users | set(counts) | set(events)):
        row = per_kiro.loc[user] if per_kiro is not None and user in per_kiro.index else None
        cost = None if row is None or pd.isna(row["cost_usd"]) else float(row["cost_usd"])
        people.append(QDevUser(
            developer=str(user), user_ids=", ".join(sorted(ids.get(user, ()))), requests=int(counts.get(user, 0)),
            events=int(events.get(user, 0)), q_developer=user in q_users, kiro=user in kiro_users,
            kiro_tier="" if row is None else str(row["tier"]),
            kiro_credits_in_plan=0.0 if row is None else float(row["credits_in_plan"]),
            kiro_overage_credits=0.0 if row is None else float(row["overage_credits"]),
            kiro_cost_usd=cost, kiro_unreported=user in unreported,
        ))
    return people


def qdev_subscribers(store: LogStore, period: Period, identities: Identities | None = None,
                     kiro_prices: str | None = None, user_pattern: str | None = None
                     ) -> tuple[list[QDevUser], list[str], KiroCredits | None]:
    """Subscribers seen in the Amazon Q Developer / Kiro logs and reports of ``store`` in ``period`` (those
    ``user_pattern`` matches, as ``qcli_s3_analyzer.py --user-pattern``), their Kiro tiers priced with ``kiro_prices``
    on top of the built-in prices (as ``qcli_s3_analyzer.py --kiro-prices``), and the report's warnings (files and rows
    skipped, tiers unpriced, ...), each line marked as the Amazon Q / Kiro side's, and its Kiro figures (None without
    Kiro user reports), whose prices the Kiro cost's note names (``developer_accuracy``)."""
    report = analyze_qdev(Source(store), period, QDevFilters(user_pattern=user_pattern),
                          Options(kiro_prices=kiro_prices), identities=identities)
    refusal = none_readable(report)
    if refusal:
        raise UsageError(refusal)
    return qdev_people(report), [qdev_side(line) for line in report.warnings], report.kiro


def qdev_side(line: str) -> Notice:
    """A line of the Amazon Q / Kiro report among the developer warnings, marked as that side's; the line (a
    ``Notice`` too when it is one) is its value, so a page words both in its language."""
    return Notice(f"{QDEV_SIDE}: {line}", "qdev_side", line=line)


def none_readable(report: QDevReport) -> Notice | None:
    """Why no developer costs are made when every Amazon Q / Kiro file of the period was skipped as unreadable and
    none was read ($0 seats would read as no spend): how many of each kind, and why; None otherwise (also when there
    was no file at all)."""
    kinds = files_by_kind(report, activity=True)
    skipped = sum(sum(reasons.values()) for _, _, reasons in kinds)
    if not skipped or any(read for _, read, _ in kinds):
        return None
    why = [Notice(f"{counted(count, kind)}: {first_reasons(reasons, None)}", "qdev_kind_reasons", count=count,
                  what=kind, reasons=reason_counts(reasons, None))
           for kind, _, reasons in kinds if reasons for count in [sum(reasons.values())]]
    period = report.period.label()
    return Notice(f"none of the {counted(skipped, 'Amazon Q / Kiro file')} of {period} could be read "
                  f"({'; '.join(why)}), so no developer costs are made ($0 seats and Kiro costs would read as no "
                  "spend): read the logs and reports as AWS delivers them (whole, gzip-compressed prompt logs; CSV "
                  "reports)", "developer_none_readable", count=skipped, period=period, kinds=why)


DEVELOPER_COLUMNS = ["developer", "qdev_user_ids", "bedrock_calls", "bedrock_tokens", "bedrock_cost_usd",
                     "bedrock_unpriced_calls", "qdev_requests", "qdev_events", "seat_cost_usd", "kiro_tier",
                     "kiro_credits_in_plan", "kiro_overage_credits", "kiro_cost_usd", "total_cost_usd"]


def developer_costs(facts: pd.DataFrame, qdev_users: list[QDevUser], first: date, last: date) -> pd.DataFrame:
    """Per developer (e-mail): Bedrock spend as an SSO user beside their Q Developer seat and Kiro cost.

    Bedrock users are IAM Identity Center sessions, whose session name is the e-mail; Amazon Q Developer and Kiro
    people are named by e-mail where a source knows it (``qdev.people``), else they keep their id. The Q Developer
    seat is $19 per user per month, prorated by day over ``first``..``last``; the Kiro cost is the tier's price
    over the same days plus overage credits, unknown (None, not 0) for a tier without a published price.
    """
    seat = prorated_subscription(1, first, last)
    people: dict[str, dict[str, object]] = {}

    def person(key: str) -> dict[str, object]:
        return people.setdefault(person_name(key), {
            "developer": person_name(key), "qdev_user_ids": None, "bedrock_calls": 0, "bedrock_tokens": 0,
            "bedrock_cost_usd": None, "bedrock_unpriced_calls": 0, "qdev_requests": 0, "qdev_events": 0,
            "seat_cost_usd": 0.0, "kiro_tier": None, "kiro_credits_in_plan": 0.0, "kiro_overage_credits": 0.0,
            "kiro_cost_usd": None})

    if len(facts):
        sso = sso_calls(facts)
        tokens = sso[["input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens"]].sum(axis=1)
        users = sso["user"].astype("object").astype(str)
        # One person per e-mail whatever its letter case: every spelling's calls add up in one group.
        for name, part in sso.assign(tokens=tokens).groupby(users.map(person_name)):
            row = person(name)
            cost = part[TOTAL_COST].sum(min_count=1)
            row.update(bedrock_calls=int(part["calls"].sum()), bedrock_tokens=int(part["tokens"].sum()),
                       bedrock_cost_usd=None if pd.isna(cost) else float(cost),
                       bedrock_unpriced_calls=int(part["unpriced_calls"].sum()))
    for user in _one_per_email(qdev_users):
        row = person(user.developer)
        row.update(qdev_user_ids=user.user_ids, qdev_requests=user.requests, qdev_events=user.events,
                   seat_cost_usd=seat if user.q_developer else 0.0)
        if user.kiro:
            row.update(kiro_tier=user.kiro_tier or None, kiro_credits_in_plan=user.kiro_credits_in_plan,
                       kiro_overage_credits=user.kiro_overage_credits, kiro_cost_usd=user.kiro_cost_usd)
    table = pd.DataFrame(list(people.values()), columns=[c for c in DEVELOPER_COLUMNS if c != "total_cost_usd"])
    bedrock, kiro = table["bedrock_cost_usd"].astype("float64"), table["kiro_cost_usd"].astype("float64")
    kiro_unknown = {person_name(user.developer) for user in qdev_users if user.kiro and user.kiro_cost_usd is None}
    # A part with no figure at all (Bedrock calls none of which is priced, a Kiro tier without a price) leaves the
    # total unknown: a sum without it would read as the whole cost.
    unknown = (bedrock.isna() & (table["bedrock_calls"] > 0)) | table["developer"].isin(kiro_unknown)
    total = bedrock.fillna(0.0) + table["seat_cost_usd"] + kiro.fillna(0.0)
    table["total_cost_usd"] = total.mask(unknown)
    return table.sort_values(["total_cost_usd", "developer"], ascending=[False, True]).reset_index(drop=True)


def sso_calls(facts: pd.DataFrame) -> pd.DataFrame:
    """The fact rows a developer's Bedrock cost sums: the calls of IAM Identity Center users."""
    return facts.loc[facts["principal_type"] == "sso_user"] if len(facts) else facts


def _one_per_email(users: list[QDevUser]) -> list[QDevUser]:
    """The subscribers with one entry per e-mail whatever its letter case: the ids, requests, events, Kiro credits
    and Kiro cost of every spelling added up (the cost unknown when any spelling's is), one seat per person."""
    groups: dict[str, list[QDevUser]] = {}
    for user in users:
        groups.setdefault(person_name(user.developer), []).append(user)
    merged = []
    for group in groups.values():
        kiro = [user for user in group if user.kiro]
        costs = [user.kiro_cost_usd for user in kiro]
        merged.append(QDevUser(
            developer=min(user.developer for user in group),
            user_ids=", ".join(sorted({i for user in group for i in user.user_ids.split(", ") if i})),
            requests=sum(user.requests for user in group), events=sum(user.events for user in group),
            q_developer=any(user.q_developer for user in group), kiro=bool(kiro),
            kiro_tier=" / ".join(dict.fromkeys(user.kiro_tier for user in kiro if user.kiro_tier)),
            kiro_credits_in_plan=math.fsum(user.kiro_credits_in_plan for user in kiro),
            kiro_overage_credits=math.fsum(user.kiro_overage_credits for user in kiro),
            kiro_cost_usd=None if not costs or None in costs else math.fsum(costs),
            kiro_unreported=any(user.kiro_unreported for user in kiro)))
    return merged


def developer_warnings(qdev_users: list[QDevUser]) -> list[str]:
    """What the developer table cannot say: Kiro users without a priced tier, people known only by id (one per
    e-mail whatever its letter case, as the table counts them)."""
    qdev_users = _one_per_email(qdev_users)
    lines = []
    unknown = [user for user in qdev_users if user.kiro and user.kiro_cost_usd is None]
    unreported = sorted(user.developer for user in unknown if user.kiro_unreported)
    if unreported:
        lines.append(f"Kiro cost unknown for {len(unreported)} developer(s) the Kiro user reports have no row for in "
                     f"the period ({', '.join(unreported)})")
    unpriced = sorted(user.developer for user in unknown if not user.kiro_unreported)
    if unpriced:
        lines.append(f"Kiro cost unknown for {len(unpriced)} developer(s) without a priced tier in the Kiro user "
                     f"reports ({', '.join(unpriced)}): add the tier with --kiro-prices FILE (or "
                     f"${KIRO_PRICES_ENV}), or turn on the reports")
    unnamed = sum("@" not in user.developer for user in qdev_users)
    if unnamed:
        lines.append(f"{unnamed} Amazon Q Developer / Kiro user(s) have no e-mail in any source and cannot meet "
                     "their Bedrock spend: name them with --user-map or --identity-store")
    return lines


def unpriced_developers(table: pd.DataFrame) -> list[str]:
    """A line naming the developers with Bedrock calls without a price: their Bedrock cost and total are the priced
    part only (unknown where none of their calls is priced)."""
    part = table.loc[table["bedrock_unpriced_calls"] > 0].sort_values("developer")
    if part.empty:
        return []
    named = "; ".join(f"{row.developer}: {counted(int(row.bedrock_unpriced_calls), 'call')}"
                      for row in part.itertuples())
    return [f"Bedrock calls without a price for {counted(len(part), 'developer')} ({named}): their Bedrock cost and "
            "total are the priced part only (unknown where none of their calls is priced); the calls are in "
            "bedrock_unpriced_calls"]


# The filters of the Bedrock calls alone, by the option that sets them: the Amazon Q / Kiro side has no such values.
_BEDROCK_ONLY = {"models": "--model", "arn_pattern": "--arn-pattern", "regions": "--region"}


def filter_notes(filters: dict[str, object]) -> list[str]:
    """What the filters of a developer-cost run narrowed on each side: ``--user-pattern`` the developers listed,
    the other filters the Bedrock calls only."""
    lines = []
    if filters.get("user_pattern"):
        lines.append("--user-pattern lists the developers it matches, in any letter case: Bedrock calls whose user "
                     "name holds it, Amazon Q / Kiro people whose ids, e-mail or name hold it")
    options = [option for name, option in _BEDROCK_ONLY.items() if filters.get(name)]
    if options:
        matched = " --user-pattern matches" if filters.get("user_pattern") else ""
        lines.append(f"{' and '.join(options)} narrow{'s' if len(options) == 1 else ''} the Bedrock calls only: "
                     f"every Amazon Q Developer / Kiro subscriber{matched} is listed, with their whole seat and Kiro "
                     "cost")
    return lines


def seat_note(first: date, last: date) -> str:
    """How the seat costs are computed, with their sources."""
    return (f"Q Developer Pro seat ${SUBSCRIPTION_USD_PER_USER_MONTH:g} per user per month, prorated by day over "
            f"{first} .. {last}, for each person seen in the Amazon Q Developer data; source: {SUBSCRIPTION_SOURCE}. "
            f"Kiro: the tier's monthly price over the same days plus overage credits at the tier's per-credit price, "
            f"from the Kiro user reports (bedrock_usage/qdev/kiro_prices.csv, with its sources)")
