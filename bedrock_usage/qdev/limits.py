"""Documented monthly limits of Amazon Q Developer Pro, as dated constants with their sources, and their monitoring.

Limits change: each constant says when it was read and where. A figure we could not confirm in AWS's own
pages says so in ``source`` and has ``verified=False``; reports show that next to every such limit.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pandas as pd

from ..output.notices import Notice, clause

WARNING_SHARE = 0.8
PRICING_PAGE = "https://aws.amazon.com/q/developer/pricing/"


@dataclass(frozen=True)
class DocumentedLimit:
    """A monthly limit, the activity-report columns that count against it, and where the figure comes from."""

    key: str
    name: str
    unit: str
    monthly: int | None  # None: a limit exists but no figure is published
    scope: str  # "user": per user; "account": per subscribed user, pooled across the account
    columns: tuple[str, ...]
    as_of: date
    source: str
    verified: bool


CODE_TRANSFORMATION_LINES = DocumentedLimit(
    key="code_transformation_lines",
    name="Code transformation",
    unit="lines of code",
    monthly=4_000,
    scope="account",
    columns=("Transformation_LinesIngested",),
    as_of=date(2025, 11, 12),
    source=(
        f"{PRICING_PAGE} (Pro tier): 4,000 lines of submitted code per month per subscribed user, pooled at the "
        "account level; lines above the pool are billed at $0.003 each. Counted here from "
        "Transformation_LinesIngested; the pool is 4,000 x users present in the month's activity reports."
    ),
    verified=True,
)

DEV_AGENT_INVOCATIONS = DocumentedLimit(
    key="dev_invocations",
    name="/dev (software development agent)",
    unit="invocations",
    monthly=30,
    scope="user",
    columns=("Dev_GenerationEventCount",),
    as_of=date(2025, 11, 12),
    source=(
        "UNVERIFIED: 30 per user per month is the figure of the project's original README (2025-11-12). The AWS "
        f"pricing page ({PRICING_PAGE}) now counts /dev among agentic requests and publishes no separate Pro figure."
    ),
    verified=False,
)

AGENTIC_REQUESTS = DocumentedLimit(
    key="agentic_requests",
    name="Agentic requests (/dev, /test, /doc, /review)",
    unit="requests",
    monthly=None,
    scope="user",
    columns=(
        "Dev_GenerationEventCount",
        "TestGeneration_EventCount",
        "DocGeneration_EventCount",
        "CodeReview_SucceededEventCount",
        "CodeReview_FailedEventCount",
    ),
    as_of=date(2025, 11, 12),
    source=(
        f"{PRICING_PAGE}: the Free tier allows 50 agentic requests per month; the Pro tier has higher limits with "
        "no published figure, so usage is shown without a percentage. Agentic chat is not separated in the "
        "activity reports and is not counted here."
    ),
    verified=True,
)

PRO_LIMITS: tuple[DocumentedLimit, ...] = (CODE_TRANSFORMATION_LINES, DEV_AGENT_INVOCATIONS, AGENTIC_REQUESTS)
ACCOUNT = "(account pool)"
# A limit's verdicts that warn (``LimitStatus.status``).
EXCEEDED, PROJECTED_TO_EXCEED, WARNING = "exceeded", "projected to exceed", "warning"


def reports_due_through(now: datetime, delay: timedelta) -> date:
    """The last day whose daily report has been written by ``now``, when a day's report is written ``delay``
    after the day began (UTC)."""
    return (now.astimezone(UTC) - delay).date()


@dataclass(frozen=True)
class MonthWindow:
    """The calendar month of a day, and how much of it has elapsed by that day."""

    start: date
    as_of: date
    days_elapsed: int
    days_in_month: int

    @classmethod
    def of(cls, as_of: date, reported_through: date | None = None) -> MonthWindow:
        """The month containing ``as_of``, elapsed up to and including ``as_of``, or only up to
        ``reported_through`` when that is earlier: the last day whose report has arrived (a later day's use is
        not known yet, and counting it as a day without use would lower the projection)."""
        start = as_of.replace(day=1)
        counted_to = as_of if reported_through is None else min(as_of, reported_through)
        days = max(0, (counted_to - start).days + 1)
        return cls(start, as_of, days, calendar.monthrange(as_of.year, as_of.month)[1])

    def project(self, used: float | pd.Series) -> float | pd.Series:
        """Linear month-end projection from the days elapsed (none elapsed yet: the use so far).

        Multiplied before it is divided, so a projection that lands on a limit equals it exactly.
        """
        return used * self.days_in_month / self.days_elapsed if self.days_elapsed else used


@dataclass(frozen=True)
class LimitStatus:
    """One limit for one user (or the account pool): month-to-date use, projection and verdict."""

    limit: DocumentedLimit
    subject: str  # a person (e-mail, name or id), or ACCOUNT
    used: int
    allowance: int | None
    projected: float

    @property
    def used_share(self) -> float | None:
        """Month-to-date use as a share of the allowance (``None`` without a published figure)."""
        return self.used / self.allowance if self.allowance else None

    @property
    def projected_share(self) -> float | None:
        """Projected month-end use as a share of the allowance."""
        return self.projected / self.allowance if self.allowance else None

    @property
    def status(self) -> str:
        """``exceeded`` (at the allowance), ``projected to exceed`` (the projection passes it), ``warning`` (80% used,
        on course to stay within), ``ok`` or ``no published limit``: the first that holds, so 80% used on course to
        run out says it will."""
        if self.allowance is None:
            return "no published limit"
        if self.used >= self.allowance:
            return EXCEEDED
        if self.projected > self.allowance:
            return PROJECTED_TO_EXCEED
        if self.used >= WARNING_SHARE * self.allowance:
            return WARNING
        return "ok"


def evaluate_limits(
    month_rows: pd.DataFrame,
    window: MonthWindow,
    limits: tuple[DocumentedLimit, ...] = PRO_LIMITS,
    account_rows: pd.DataFrame | None = None,
) -> list[LimitStatus]:
    """Statuses for the month-to-date activity rows (columns ``user``, the person, and the metric columns).

    An account pool counts ``account_rows`` (default ``month_rows``): every user of the month's reports, whatever
    filter chose ``month_rows``, since the pool and its use are the account's, not a person's.
    """
    pool_rows = month_rows if account_rows is None else account_rows
    statuses: list[LimitStatus] = []
    for limit in limits:
        if limit.scope == "account":
            statuses.append(account_pool(limit, pool_rows, window))
        else:
            statuses.extend(per_user_statuses(limit, month_rows, window))
    return statuses


def account_pool(limit: DocumentedLimit, rows: pd.DataFrame, window: MonthWindow) -> LimitStatus:
    """The account's pool: the limit x every user in ``rows`` (at least one), against all their use."""
    users = rows["user"].nunique() if len(rows) else 0
    used = int(rows[list(limit.columns)].to_numpy().sum()) if users else 0
    allowance = None if limit.monthly is None else limit.monthly * max(users, 1)
    return LimitStatus(limit, ACCOUNT, used, allowance, window.project(used))


def per_user_statuses(limit: DocumentedLimit, rows: pd.DataFrame, window: MonthWindow) -> list[LimitStatus]:
    """One status per person with some use, most used first."""
    if not len(rows):
        return []
    used_by_user = rows.groupby("user")[list(limit.columns)].sum().sum(axis=1)
    return [LimitStatus(limit, str(user), int(used), limit.monthly, window.project(int(used)))
            for user, used in used_by_user.sort_values(ascending=False).items() if used > 0]


def pool_users(status: LimitStatus) -> int | None:
    """How many users an account pool's allowance counts (``None`` for a person's limit or no published figure)."""
    if status.subject != ACCOUNT or status.allowance is None or not status.limit.monthly:
        return None
    return status.allowance // status.limit.monthly


def limit_warnings(statuses: list[LimitStatus]) -> list[str]:
    """One line per limit that is used to 80% or more, exceeded, or projected to be exceeded, a ``Notice`` a page
    words in its language."""
    lines: list[str] = []
    for status in statuses:
        if status.status in (WARNING, EXCEEDED, PROJECTED_TO_EXCEED):
            caveat = clause("" if status.limit.verified else " (limit figure unverified)", "limit_unverified")
            used, allowance = f"{status.used:,.0f}", f"{status.allowance:,.0f}"
            share, projected = f"{status.used_share:.0%}", f"{status.projected:,.0f}"
            lines.append(Notice(
                f"{status.limit.name}: {status.subject} {status.status}: {used} of {allowance} {status.limit.unit} "
                f"used this month ({share}), projected {projected} by month end{caveat}", "limit_warning",
                name=status.limit.name, subject=status.subject, status=status.status, used=used, allowance=allowance,
                unit=status.limit.unit, share=share, projected=projected, caveat=caveat))
    return lines
