"""Kiro credits from the user reports: per person, client type, day and model; the monthly allowance; the cost.

``Credits_Used`` are the credits taken from the plan's monthly allowance and ``Overage_Credits_Used`` those billed
above it, per day, user and client type. For the month of the period's last day each person's credits (both kinds,
every client) are set against their tier's allowance with a linear month-end projection, over the days whose report
has arrived (a day's report is written at 02:00 UTC the next day). A person's tier is the one of their latest row.
Cost for the period: the tier's monthly price prorated by day, plus overage credits at the tier's per-credit price
(``kiro_prices``); a tier without published figures is unpriced, never priced as another.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pandas as pd

from ..logs.layout import days_between
from . import kiro_report as kr
from .kiro_prices import KiroPriceTable, KiroTier
from .kiro_report import UserReportStats
from .limits import WARNING_SHARE, MonthWindow, reports_due_through

REPORT_DELAY = timedelta(days=1, hours=2)  # the report of day D is written at 02:00 UTC on D + 1
IN_OVERAGE = "in overage"
OVER_ALLOWANCE = "allowance used up"
WARNING = "warning"
PROJECTED = "projected to exceed"
OK = "ok"
NO_ALLOWANCE = "no published allowance"
FLAGGED = (IN_OVERAGE, OVER_ALLOWANCE, PROJECTED, WARNING)  # most pressing first

PER_USER_COLUMNS = ["user", "person", "user_ids", "tier", "clients", "days_active", "conversations", "messages",
                    "credits", "overage_credits", "total_credits", "seat_usd", "overage_usd", "cost_usd"]
ALLOWANCE_COLUMNS = ["user", "person", "tier", "allowance", "credits", "overage_credits", "used", "used_share",
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
    tiers: dict[str, KiroTier]  # the price rows used, by tier
    unpriced_tiers: list[str]
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


def prorated_price(monthly: float, days: list[date]) -> float:
    """A monthly price for some days: each day costs 1/(days in its month)."""
    return monthly * sum(1 / calendar.monthrange(day.year, day.month)[1] for day in days)


def _latest(frame: pd.DataFrame, column: str) -> pd.Series:
    """Per person, the value of ``column`` on their latest row (ties: the larger value)."""
    ordered = frame.sort_values(["person", kr.DATE, column], kind="stable")
    return ordered.groupby("person")[column].last()


def _per_user(period_rows: pd.DataFrame, days: list[date], tiers: dict[str, KiroTier]) -> pd.DataFrame:
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
        credits=(kr.CREDITS, "sum"),
        overage_credits=(kr.OVERAGE, "sum"),
    )
    table["tier"] = _latest(period_rows, kr.TIER)
    price = [tiers.get(tier) for tier in table["tier"]]
    table["total_credits"] = table["credits"] + table["overage_credits"]
    table["seat_usd"] = [prorated_price(t.monthly_usd, days) if t else float("nan") for t in price]
    table["overage_usd"] = [
        credits * t.overage_usd_per_credit if t else float("nan")
        for credits, t in zip(table["overage_credits"], price, strict=True)
    ]
    table["cost_usd"] = table["seat_usd"] + table["overage_usd"]
    table = table.reset_index()[PER_USER_COLUMNS]
    return table.sort_values(["total_credits", "user"], ascending=[False, True]).reset_index(drop=True)


def _sums(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    return frame.groupby(by).agg(
        users=("person", "nunique"),
        conversations=(kr.CONVERSATIONS, "sum"),
        messages=(kr.MESSAGES, "sum"),
        credits=(kr.CREDITS, "sum"),
        overage_credits=(kr.OVERAGE, "sum"),
    )


def _per_day(period_rows: pd.DataFrame, days: list[date]) -> pd.DataFrame:
    table = pd.DataFrame({kr.DATE: days}).merge(_sums(period_rows, kr.DATE).reset_index(), on=kr.DATE, how="left")
    table = table.fillna({"users": 0, "conversations": 0, "messages": 0, "credits": 0.0, "overage_credits": 0.0})
    return table.astype({"users": "int64", "conversations": "int64", "messages": "int64"}).rename(
        columns={kr.DATE: "date"})


def _per_client(period_rows: pd.DataFrame) -> pd.DataFrame:
    columns = ["client_type", "users", "conversations", "messages", "credits", "overage_credits"]
    if period_rows.empty:
        return pd.DataFrame(columns=columns)
    table = _sums(period_rows, kr.CLIENT).reset_index().rename(columns={kr.CLIENT: "client_type"})
    return table[columns].sort_values(["credits", "client_type"], ascending=[False, True]).reset_index(drop=True)


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
    table = grouped.agg(user=("user", "first"), credits=(kr.CREDITS, "sum"), overage_credits=(kr.OVERAGE, "sum"))
    table["tier"] = _latest(month_rows, kr.TIER)
    table["overage_enabled"] = _latest(month_rows, kr.OVERAGE_ENABLED).astype(bool)
    table["overage_cap"] = _latest(month_rows, kr.OVERAGE_CAP)
    table = table.reset_index()
    table["used"] = table["credits"] + table["overage_credits"]
    table["projected"] = month.project(table["used"])
    allowance = [tiers[t].credits if t in tiers else None for t in table["tier"]]
    table["allowance"] = pd.array(allowance, dtype="Float64")
    table["used_share"] = (table["used"] / table["allowance"]).astype("Float64")
    table["projected_share"] = (table["projected"] / table["allowance"]).astype("Float64")
    table["status"] = [
        _status(c, o, p, a)
        for c, o, p, a in zip(table["credits"], table["overage_credits"], table["projected"], allowance, strict=True)
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
    tiers = {tier: row for tier in seen if (row := prices.tier(tier, last_day)) is not None}
    return KiroCredits(
        rows=period_rows,
        per_user=_per_user(period_rows, days, tiers),
        per_client=_per_client(period_rows),
        per_day=_per_day(period_rows, days),
        per_model=_per_model(period_models),
        allowance=_allowance(month_rows, month, tiers),
        month=month,
        reported_through=reported_through,
        tiers=tiers,
        unpriced_tiers=[tier for tier in seen if tier not in tiers],
        prices_from=prices.override,
        stats=stats,
    )
