"""Kiro credits from the user reports: per person, client type, day and model; the monthly allowance; the cost.

``Credits_Used`` are the credits taken from the plan's monthly allowance and ``Overage_Credits_Used`` those billed
above it, per day, user and client type. For the month of the period's last day each person's credits (both kinds,
every client) are set against their tier's allowance with a linear month-end projection, over the days whose report
has arrived (a day's report is written at 02:00 UTC the next day). A person's tier in a calendar month is the one of
their latest row in it (Kiro re-rates the whole month after an upgrade, not the months before); a month after one
with a row keeps its tier, and a month before their first row has no seat (the reports show no subscription start).
Cost for the period: each day's share of the monthly price of the person's tier of that month in force that day, plus
each day's overage credits at that tier's per-credit price of that day (``kiro_prices``); a day without a price row
for the tier is unpriced, never priced as another tier or day.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pandas as pd

from ..logs.layout import days_between
from . import kiro_report as kr
from .kiro_prices import KiroPriceTable, KiroTier
from .kiro_report import UserReportStats
from .limits import PROJECTED_TO_EXCEED, WARNING, WARNING_SHARE, MonthWindow, reports_due_through

REPORT_DELAY = timedelta(days=1, hours=2)  # the report of day D is written at 02:00 UTC on D + 1
IN_OVERAGE = "in overage"
OVER_ALLOWANCE = "allowance used up"
PROJECTED = PROJECTED_TO_EXCEED  # the words of a limit's verdict
OK = "ok"
NO_ALLOWANCE = "no published allowance"
FLAGGED = (IN_OVERAGE, OVER_ALLOWANCE, PROJECTED, WARNING)  # most pressing first

PER_USER_COLUMNS = ["user", "person", "user_ids", "tier", "clients", "days_active", "conversations", "messages",
                    "credits_in_plan", "overage_credits", "total_credits", "seat_usd", "overage_usd", "cost_usd"]
ALLOWANCE_COLUMNS = ["user", "person", "tier", "allowance", "credits_in_plan", "overage_credits", "used", "used_share",
                     "projected", "projected_share", "overage_enabled", "overage_cap", "status"]


@dataclass
class KiroCredits:
    """What the Kiro user reports say for the period, the month-to-date allowances, and the cost."""

    rows: pd.DataFrame  # the period's report rows, with person and user
    per_user: pd.DataFrame
    per_client: pd.DataFrame
    per_day: pd.DataFrame
    per_model: pd.DataFrame
    allowance: pd.DataFrame
    month: MonthWindow  # elapsed: the days of the month whose report has arrived, up to the period's end
    reported_through: date  # the last day whose report is due by now, or the period's end when earlier
    tiers: dict[str, KiroTier]  # by tier, the row of the period's last day it has one (allowances use it)
    price_rows: list[KiroTier]  # every row that priced a day of the period
    unpriced_tiers: list[str]  # tiers some seat is on during the period, without a price on any day of it
    unpriced_days: dict[str, list[date]]  # tiers priced on some days of the period: the days a seat is on one unpriced
    users_without_tier: list[str]  # people with a month whose latest row has no Subscription_Tier: unpriced then
    seats_from_first_row: list[str]  # people without a seat before the month of their first row, within the period
    prices_from: str | None  # the user's price file, if any
    stats: UserReportStats

    @property
    def days_counted(self) -> int:
        """Days of the month whose report has arrived, up to the period's end."""
        return self.month.days_elapsed

    @property
    def seat_usd(self) -> float:
        """Prorated tier prices of the period's priced people."""
        return float(self.per_user["seat_usd"].sum())

    @property
    def overage_usd(self) -> float:
        """Overage credits of the period at their tier's price (priced tiers only)."""
        return float(self.per_user["overage_usd"].sum())

    @property
    def cost_usd(self) -> float:
        """Seats plus overage."""
        return self.seat_usd + self.overage_usd

    @property
    def flagged(self) -> pd.DataFrame:
        """People in overage, at 80% of their allowance, or projected to pass it by month end."""
        return self.allowance[self.allowance["status"].isin(FLAGGED)]


def read_window(first_day: date, last_day: date) -> tuple[date, date]:
    """Report dates to read: from the period's start or the 1st of the end date's month, whichever is earlier."""
    return min(first_day, last_day.replace(day=1)), last_day


def report_folder_days(first_day: date, last_day: date) -> tuple[date, date]:
    """The UTC day folders that may hold the reports of ``read_window``: the day itself or the next."""
    first, last = read_window(first_day, last_day)
    return first, last + timedelta(days=1)


def in_read_window(facts: pd.DataFrame, first_day: date, last_day: date) -> pd.Series:
    """Mask of the rows dated in ``read_window``."""
    first, last = read_window(first_day, last_day)
    return (facts[kr.DATE] >= first) & (facts[kr.DATE] <= last)


DayPrices = dict[date, KiroTier | None]  # a tier's price row in force on each day of the period (None: no price)


def day_share(day: date) -> float:
    """The share of a monthly price one day costs: 1/(days in its month)."""
    return 1 / calendar.monthrange(day.year, day.month)[1]


def seat_price(rows: DayPrices) -> float:
    """A seat for the days of ``rows``: each priced day its share of that day's monthly price; NaN when none is."""
    priced = [row.monthly_usd * day_share(day) for day, row in rows.items() if row is not None]
    return math.fsum(priced) if priced else math.nan


def day_prices(prices: KiroPriceTable, tiers: set[str], days: list[date]) -> dict[str, DayPrices]:
    """Each tier's price row on each day."""
    return {tier: {day: prices.tier(tier, day) for day in days} for tier in tiers}


def _latest(frame: pd.DataFrame, column: str) -> pd.Series:
    """Per person, the value of ``column`` on their latest row (ties: the larger value)."""
    ordered = frame.sort_values(["person", kr.DATE, column], kind="stable")
    return ordered.groupby("person")[column].last()


DayTiers = dict[str, dict[date, str]]  # per person, their tier on each day of the period they hold a seat ("": none)


def _day_tiers(period_rows: pd.DataFrame, days: list[date]) -> DayTiers:
    """Per person, their tier on each day from the month of their first row: that of their latest row in its
    calendar month; a month without a row of theirs takes the tier of the nearest month before with one. Days before
    the month of their first row are left out: the reports hold a row per active user per day and no subscription
    start, so no seat is known before it (a seat runs until cancelled, so months after the last row keep its tier)."""
    months = period_rows[kr.DATE].map(lambda day: (day.year, day.month))
    ordered = period_rows.assign(_month=months).sort_values(["person", "_month", kr.DATE, kr.TIER], kind="stable")
    latest = ordered.groupby(["person", "_month"])[kr.TIER].last()
    by_person: dict[str, dict[tuple[int, int], str]] = {}
    for (person, month), tier in latest.items():
        by_person.setdefault(person, {})[month] = tier
    return {person: {day: _tier_in(tiers, month) for day in days if (month := (day.year, day.month)) >= min(tiers)}
            for person, tiers in by_person.items()}


def _tier_in(tiers: dict[tuple[int, int], str], month: tuple[int, int]) -> str:
    """The tier of ``month`` (not before a person's first month with rows), carried over a month without one."""
    return tiers[max(key for key in tiers if key <= month)]


def _seats_from_first_row(per_user: pd.DataFrame, day_tiers: DayTiers, days: list[date]) -> list[str]:
    """The people whose seat starts after the period's first day: at the month of their first row."""
    return sorted(per_user.loc[[days[0] not in day_tiers[p] for p in per_user["person"]], "user"])


Held = set[tuple[str, date]]  # (tier, day) for each day of the period some seat is on the tier ("": none)


def _held(day_tiers: DayTiers) -> Held:
    """The tiers some seat is on (``_day_tiers``), with the days it is."""
    return {(tier, day) for tiers in day_tiers.values() for day, tier in tiers.items()}


def _unpriced_tiers(held: Held, priced: Iterable[str]) -> list[str]:
    """The tiers some seat is on during the period, without a price on any of its days."""
    return sorted({tier for tier, _ in held} - {*priced, ""})


def _unpriced_days(held: Held, prices: dict[str, DayPrices], priced: Iterable[str]) -> dict[str, list[date]]:
    """Per tier priced on some day of the period, the days a seat is on it that have no price."""
    gaps = {tier: [day for day, row in prices[tier].items() if row is None and (tier, day) in held] for tier in priced}
    return {tier: days for tier, days in gaps.items() if days}


def _overage_usd(period_rows: pd.DataFrame, day_tiers: DayTiers, prices: dict[str, DayPrices]) -> pd.Series:
    """Per person, their overage credits of each day at the price of their tier of that day (NaN: no day priced)."""
    rates = [None if (row := prices[day_tiers[person][day]][day]) is None else row.overage_usd_per_credit
             for person, day in zip(period_rows["person"], period_rows[kr.DATE], strict=True)]
    rate = pd.Series(rates, index=period_rows.index, dtype="float64")
    return (period_rows[kr.OVERAGE] * rate).groupby(period_rows["person"]).sum(min_count=1)


def _per_user(period_rows: pd.DataFrame, prices: dict[str, DayPrices], day_tiers: DayTiers) -> pd.DataFrame:
    """One row per person; ``tier`` is their latest row's, the seat and overage are priced at each month's tier."""
    if period_rows.empty:
        return pd.DataFrame(columns=PER_USER_COLUMNS)
    grouped = period_rows.groupby("person")
    table = grouped.agg(
        user=("user", "first"),
        user_ids=(kr.USER, lambda s: ", ".join(sorted(set(s)))),
        clients=(kr.CLIENT, lambda s: ", ".join(sorted(set(s) - {""}))),
        days_active=(kr.DATE, "nunique"),
        conversations=(kr.CONVERSATIONS, "sum"),
        messages=(kr.MESSAGES, "sum"),
        credits_in_plan=(kr.CREDITS, "sum"),
        overage_credits=(kr.OVERAGE, "sum"),
    )
    table["tier"] = _latest(period_rows, kr.TIER)
    table["total_credits"] = table["credits_in_plan"] + table["overage_credits"]
    table["seat_usd"] = [seat_price({day: prices[tier][day] for day, tier in day_tiers[person].items()})
                         for person in table.index]
    priced = table["seat_usd"].notna()  # a day priced: an overage of 0 costs $0, not unpriced
    table["overage_usd"] = _overage_usd(period_rows, day_tiers, prices).fillna(0.0).where(priced)
    table["cost_usd"] = table["seat_usd"] + table["overage_usd"]
    table = table.reset_index()[PER_USER_COLUMNS]
    return table.sort_values(["total_credits", "user"], ascending=[False, True]).reset_index(drop=True)


def _sums(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    return frame.groupby(by).agg(
        users=("person", "nunique"),
        conversations=(kr.CONVERSATIONS, "sum"),
        messages=(kr.MESSAGES, "sum"),
        credits_in_plan=(kr.CREDITS, "sum"),
        overage_credits=(kr.OVERAGE, "sum"),
    )


def _per_day(period_rows: pd.DataFrame, days: list[date]) -> pd.DataFrame:
    table = pd.DataFrame({kr.DATE: days}).merge(_sums(period_rows, kr.DATE).reset_index(), on=kr.DATE, how="left")
    table = table.fillna({"users": 0, "conversations": 0, "messages": 0, "credits_in_plan": 0.0,
                          "overage_credits": 0.0})
    return table.astype({"users": "int64", "conversations": "int64", "messages": "int64"}).rename(
        columns={kr.DATE: "date"})


def _per_client(period_rows: pd.DataFrame) -> pd.DataFrame:
    columns = ["client_type", "users", "conversations", "messages", "credits_in_plan", "overage_credits"]
    if period_rows.empty:
        return pd.DataFrame(columns=columns)
    table = _sums(period_rows, kr.CLIENT).reset_index().rename(columns={kr.CLIENT: "client_type"})
    table = table[columns].sort_values(["credits_in_plan", "client_type"], ascending=[False, True])
    return table.reset_index(drop=True)


def _per_model(models: pd.DataFrame) -> pd.DataFrame:
    columns = ["model", "users", "messages", "share"]
    if models.empty:
        return pd.DataFrame(columns=columns)
    table = models.groupby("model").agg(users=("person", "nunique"), messages=("messages", "sum")).reset_index()
    table["share"] = table["messages"] / table["messages"].sum()
    return table[columns].sort_values(["messages", "model"], ascending=[False, True]).reset_index(drop=True)


def _status(used_in_plan: float, overage: float, projected: float, allowance: float | None) -> str:
    if allowance is None:
        return IN_OVERAGE if overage > 0 else NO_ALLOWANCE
    if overage > 0:
        return IN_OVERAGE
    if used_in_plan >= allowance:
        return OVER_ALLOWANCE
    if projected > allowance:
        return PROJECTED
    if used_in_plan >= WARNING_SHARE * allowance:
        return WARNING
    return OK


def _allowance(month_rows: pd.DataFrame, month: MonthWindow, tiers: dict[str, KiroTier]) -> pd.DataFrame:
    if month_rows.empty:
        return pd.DataFrame(columns=ALLOWANCE_COLUMNS)
    grouped = month_rows.groupby("person")
    table = grouped.agg(user=("user", "first"), credits_in_plan=(kr.CREDITS, "sum"),
                        overage_credits=(kr.OVERAGE, "sum"))
    table["tier"] = _latest(month_rows, kr.TIER)
    table["overage_enabled"] = _latest(month_rows, kr.OVERAGE_ENABLED).astype(bool)
    table["overage_cap"] = _latest(month_rows, kr.OVERAGE_CAP)
    table = table.reset_index()
    table["used"] = table["credits_in_plan"] + table["overage_credits"]
    table["projected"] = month.project(table["used"])
    allowance = [tiers[t].credits if t in tiers else None for t in table["tier"]]
    table["allowance"] = pd.array(allowance, dtype="Float64")
    shareable = table["allowance"].where(table["allowance"] > 0)  # a share of no credits is none, not infinite
    table["used_share"] = (table["used"] / shareable).astype("Float64")
    table["projected_share"] = (table["projected"] / shareable).astype("Float64")
    table["status"] = [
        _status(c, o, p, a)
        for c, o, p, a in zip(table["credits_in_plan"], table["overage_credits"], table["projected"], allowance,
                              strict=True)
    ]
    table = table[ALLOWANCE_COLUMNS]
    order = {status: i for i, status in enumerate((*FLAGGED, OK, NO_ALLOWANCE))}
    table = table.assign(_order=table["status"].map(order))
    table = table.sort_values(["_order", "projected", "user"], ascending=[True, False, True], kind="stable")
    return table.drop(columns="_order").reset_index(drop=True)


def summarise_credits(
    facts: pd.DataFrame,
    models: pd.DataFrame,
    first_day: date,
    last_day: date,
    stats: UserReportStats,
    prices: KiroPriceTable,
    now: datetime | None = None,
) -> KiroCredits:
    """The Kiro figures of ``first_day``..``last_day`` from rows of ``read_window`` carrying ``person`` and ``user``.

    ``now`` (default: the clock) says which days' reports have arrived, for the month-end projection.
    """
    days = days_between(first_day, last_day)
    reported_through = min(last_day, reports_due_through(now or datetime.now(UTC), REPORT_DELAY))
    month = MonthWindow.of(last_day, reported_through)
    period_rows = facts[(facts[kr.DATE] >= first_day) & (facts[kr.DATE] <= last_day)].reset_index(drop=True)
    month_rows = facts[(facts[kr.DATE] >= month.start) & (facts[kr.DATE] <= last_day)]
    period_models = models[(models[kr.DATE] >= first_day) & (models[kr.DATE] <= last_day)]
    seen = sorted(set(facts[kr.TIER]) - {""})
    by_day = day_prices(prices, {*seen, ""}, days)
    tiers = {tier: rows[-1] for tier in seen if (rows := [r for r in by_day[tier].values() if r is not None])}
    day_tiers = _day_tiers(period_rows, days)
    held = _held(day_tiers)
    per_user = _per_user(period_rows, by_day, day_tiers)
    return KiroCredits(
        rows=period_rows,
        per_user=per_user,
        per_client=_per_client(period_rows),
        per_day=_per_day(period_rows, days),
        per_model=_per_model(period_models),
        allowance=_allowance(month_rows, month, tiers),
        month=month,
        reported_through=reported_through,
        tiers=tiers,
        price_rows=list(dict.fromkeys(row for tier in seen for row in by_day[tier].values() if row is not None)),
        unpriced_tiers=_unpriced_tiers(held, tiers),
        unpriced_days=_unpriced_days(held, by_day, tiers),
        users_without_tier=sorted(per_user.loc[["" in day_tiers[p].values() for p in per_user["person"]], "user"]),
        seats_from_first_row=_seats_from_first_row(per_user, day_tiers, days),
        prices_from=prices.override,
        stats=stats,
    )
