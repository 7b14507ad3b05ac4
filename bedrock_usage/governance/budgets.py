"""Budgets per application, user or tag value: month-to-date spend, breaches, forecast, burn-down and alerts.

A budgets file (TOML ``[[budgets]]`` tables, or JSON ``{"budgets": [...]}``) lists budgets; each names what
it covers (``application``, ``user``, ``tag`` + ``value``, or ``all = true``) and a ``monthly_usd`` and/or
``daily_usd`` amount. Spend is the tracker's estimated cost in the calendar month of the as-of day, in the
report's time zone. A breach: month-to-date spend over the monthly amount, or the as-of day's spend over the
daily amount. A forecast over the monthly amount is a warning, not a breach.
"""

from __future__ import annotations

import json
import math
import tomllib
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd

from ..aws.session import AWS_ERRORS
from ..errors import UsageError
from ..logs.period import Period
from ..output.notices import Notice
from ..output.terminal_table import money
from ..output.wording import counted
from ..pricing import PriceFile, priced_at
from ..report.priced_facts import is_text, split_unknown_calls
from ..report.render import DEMO_SOURCE
from ..report.tracker import absent_tag_note, cost_note
from ..report.user_names import is_application, is_user
from .anomalies import (
    DEFAULT_WINDOW,
    ForecastBasis,
    daily_cost,
    day_in_progress,
    days_in_month,
    first_logged_day,
    forecast_series,
    month_start,
    on_days,
)
from .coverage import trailing_days_without_records, trailing_gap_warning
from .days_read import ScanBeyondDays
from .filters import only_line
from .options import check_webhook_url, sns_region
from .profiles import aws_failure

ALERT_SCHEMA = "bedrock-usage/budget-alert/v1"
SCOPES = ("application", "user", "tag", "all")
_FIELDS = {"name", "application", "user", "tag", "value", "all", "monthly_usd", "daily_usd"}
WEBHOOK_TIMEOUT_SECONDS = 10
FILTERED_SPEND = "each budget's whole spend"  # what filtered budgets are not
ALL_SPEND = "all Bedrock spend"  # what an ``all = true`` budget covers, as its status row and the CLI word it


@dataclass(frozen=True)
class Budget:
    """One budget: what it covers and its amounts in USD."""

    name: str
    scope: str  # application, user, tag or all
    value: str | None = None
    tag_key: str | None = None
    monthly_usd: float | None = None
    daily_usd: float | None = None

    @property
    def covers(self) -> str:
        """``application = Chatbot``, ``tag cost_center = CC-1``, ``all Bedrock spend``."""
        if self.scope == "all":
            return ALL_SPEND
        if self.scope == "tag":
            return f"tag {self.tag_key} = {self.value}"
        return f"{self.scope} = {self.value}"

    def mask(self, facts: pd.DataFrame) -> pd.Series:
        """Fact rows this budget covers."""
        if self.scope == "all":
            return pd.Series(True, index=facts.index)
        column = f"tag:{self.tag_key}" if self.scope == "tag" else self.scope
        if column not in facts:  # the tag was not read: nothing matches
            return pd.Series(False, index=facts.index)
        values = facts[column].astype("object")
        if self.scope == "user" and "@" in (self.value or ""):  # an e-mail: case aside, as --developer-costs
            return values.astype("string").str.lower().eq(self.value.lower()).fillna(False).astype(bool)
        if self.scope == "user":  # ``alice ({account id})``: one account's IAM or root user, as chargebacks name it
            return is_user(facts, self.value)
        if self.scope == "application":  # ``alice``: every account's application named like its IAM user alice
            return is_application(facts, self.value)
        return values == self.value


def _amount(entry: dict[str, Any], name: str, where: Notice) -> float | None:
    value = entry.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
        raise _mistake(where, f"{name} must be a positive number of USD, not {value!r}", "budget_bad_amount",
                       name=name, value=repr(value))
    return float(value)


def budget_at(origin: str, index: int) -> Notice:
    """``budgets.toml, budget 3``: where a budget is, its file and its place in it from 1."""
    return Notice(f"{origin}, budget {index + 1}", "budget_at", file=origin, number=index + 1)


def _mistake(where: Notice, what: str, kind: str, **values: object) -> UsageError:
    """The error for a mistake in the budget ``where`` names: ``where: what``, a Notice a page words in its
    language."""
    return UsageError(Notice(f"{where}: {what}", kind, where=where, **values))


def parse_budget(entry: object, index: int, origin: str) -> Budget:
    """Validate one budget entry of a budgets file."""
    where = budget_at(origin, index)
    if not isinstance(entry, dict):
        raise _mistake(where, "each budget must be a table/object", "budget_not_table")
    unknown = sorted(set(entry) - _FIELDS)
    if unknown:
        allowed = sorted(_FIELDS)
        raise _mistake(where, f"unknown fields {', '.join(unknown)}; allowed: {', '.join(allowed)}",
                       "budget_unknown_fields", fields=unknown, allowed=allowed)
    if "all" in entry and entry["all"] is not True:  # "no", 1 or false would read as all spend or as nothing
        raise _mistake(where, f"all must be true (a budget of all Bedrock spend), not {entry['all']!r}",
                       "budget_all_not_true", value=repr(entry["all"]))
    selectors = [s for s in ("application", "user", "tag", "all") if s in entry]
    if len(selectors) != 1:
        raise _mistake(where, "name exactly one of application, user, tag (with value) or all = true",
                       "budget_one_scope")
    scope = selectors[0]
    for text_field in ("name", "application", "user", "tag", "value"):
        if text_field in entry and (not isinstance(entry[text_field], str) or not entry[text_field].strip()):
            raise _mistake(where, f"{text_field} must be a non-empty string", "budget_empty_text", field=text_field)
    if scope == "tag" and "value" not in entry:
        raise _mistake(where, "a tag budget needs the tag's value, e.g. tag = \"cost_center\", value = \"CC-1\"",
                       "budget_tag_value")
    if scope != "tag" and "value" in entry:
        raise _mistake(where, "value is only for tag budgets", "budget_value_not_tag")
    monthly, daily = _amount(entry, "monthly_usd", where), _amount(entry, "daily_usd", where)
    if monthly is None and daily is None:
        raise _mistake(where, "give monthly_usd, daily_usd or both", "budget_no_amount")
    value = None if scope == "all" else entry["value" if scope == "tag" else scope]
    budget = Budget("", scope, value, entry.get("tag"), monthly, daily)
    return replace(budget, name=entry.get("name") or budget.covers)


def load_budgets(path: str | Path) -> list[Budget]:
    """Read a TOML or JSON budgets file; UsageError naming the file and entry on any mistake."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise UsageError(Notice(f"budgets file {path} is not UTF-8 text: save it as UTF-8", "budgets_not_utf8",
                                path=str(path))) from None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise UsageError(Notice(f"cannot read budgets file {path}: {reason}", "budgets_unreadable", path=str(path),
                                reason=reason)) from None
    try:
        raw = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(Notice(f"budgets file {path} cannot be parsed: {exc}", "budgets_unparsed", path=str(path),
                                reason=str(exc))) from None
    stray = sorted(map(str, set(raw) - {"budgets"})) if isinstance(raw, dict) else []
    if stray:  # a budget written before the first [[budgets]] header lands here, and would never be checked
        raise UsageError(Notice(f"budgets file {path}: unknown top-level keys {', '.join(stray)}: every budget goes in "
                                "a [[budgets]] table (TOML) or the \"budgets\" list (JSON)", "budgets_stray_keys",
                                path=str(path), keys=stray))
    entries = raw.get("budgets") if isinstance(raw, dict) else None
    if not isinstance(entries, list) or not entries:
        raise UsageError(Notice(f"budgets file {path} has no budgets ([[budgets]] tables or a \"budgets\" list)",
                                "budgets_none", path=str(path)))
    budgets = [parse_budget(entry, i, str(path)) for i, entry in enumerate(entries)]
    names = [b.name for b in budgets]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise names_not_unique(Notice(f"budgets file {path}", "budgets_file", path=str(path)), duplicates)
    return budgets


def names_not_unique(origin: str, names: list[str]) -> UsageError:
    """The error for budgets of ``origin`` (a file, the editor's) sharing a name: ``names``."""
    return UsageError(Notice(f"{origin}: budget names must be unique ({', '.join(names)})", "budget_names_unique",
                             origin=origin, names=names))


def tag_keys(budgets: list[Budget]) -> tuple[str, ...]:
    """The requestMetadata keys the tracker must read for these budgets."""
    return tuple(dict.fromkeys(b.tag_key for b in budgets if b.tag_key))


def absent_tag_keys(facts: pd.DataFrame, budgets: list[Budget]) -> tuple[str, ...]:
    """The budgets' tag keys no call of ``facts`` carries (none when there is no call)."""
    if facts.empty:
        return ()
    return tuple(key for key in tag_keys(budgets)
                 if f"tag:{key}" not in facts or not facts[f"tag:{key}"].astype("object").map(is_text).any())


def scan_warnings(warnings: list[str], facts: pd.DataFrame, budgets: list[Budget]) -> list[str]:
    """The scan's warnings for a budget check (``BudgetCheck.scan_warnings``): without the usage report's line on a
    tag key no call carries, which speaks of a --tag table a budget check has not (``check_budgets`` says what the key
    means for its budgets)."""
    notes = tuple(absent_tag_note(key) for key in absent_tag_keys(facts, budgets))
    return [line for line in warnings if not line.startswith(notes)]


def _covers_nothing(budget: Budget, absent: tuple[str, ...]) -> str:
    """Why a budget covers no call of the scan: no call carries its tag key, or none matches its value."""
    if budget.tag_key in absent:
        return Notice(f"budget {budget.name!r} covers no calls: {absent_tag_note(budget.tag_key)}",
                      "budget_tag_absent", budget=repr(budget.name), key=budget.tag_key)
    return Notice(f"budget {budget.name!r}: no calls of {budget.covers} were found", "budget_covers_nothing",
                  budget=repr(budget.name), covers=budget.covers)


def scan_period(as_of: date, tz: str, window: int = DEFAULT_WINDOW) -> Period:
    """The days a budget check reads: the month of ``as_of`` and two forecast windows before it (the pace's ``window``
    whole days before it, which a forecast as of today reads, and a window before those, which shows whether logging
    began inside the pace's days: ``first_logged_day``)."""
    return Period(min(month_start(as_of), as_of - timedelta(days=2 * window)), as_of, tz)


@dataclass(frozen=True)
class BudgetStatus:
    """One budget on the as-of day."""

    budget: Budget
    month_to_date_usd: float
    day_usd: float
    forecast_usd: float
    unpriced_calls: int
    breaches: tuple[str, ...]
    forecast_over: bool

    @property
    def monthly_share(self) -> float | None:
        """Month-to-date spend as a share of the monthly amount."""
        return self.month_to_date_usd / self.budget.monthly_usd if self.budget.monthly_usd else None


@dataclass
class BudgetCheck(ScanBeyondDays):
    """Every budget's status on one day, and how the forecast was made."""

    DAYS_BEFORE: ClassVar[tuple[str, str]] = ("the forecast's days before the month", "the month")

    tz: str
    basis: ForecastBasis
    statuses: list[BudgetStatus]
    read: Period  # the days the scan read (``scan_period``): the month and the forecast's days before it
    warnings: list[str] = field(default_factory=list)
    demo: bool = False  # checked on demo data: every alert says so
    filters: dict[str, object] = field(default_factory=dict)  # what narrowed the calls: spend of those calls only
    days_without_records: list[date] = field(default_factory=list)  # the empty days ending on the as-of day
    gap_warning: str | None = None  # the line naming them
    price_file: PriceFile | None = None  # the user's price file, when its rows priced some of the calls read
    scan_warnings: list[str] = field(default_factory=list)  # the scan's (``scan_warnings``), over every day ``read``
    split_unknown_calls: int = 0  # the month's priced calls with cache writes at the 5-minute rate, split unknown

    @property
    def accuracy(self) -> dict[str, str]:
        """What the figures are: every one is a cost, estimated as the report's cost note says, counting the month's
        calls whose cache writes went at the 5-minute rate for want of their split."""
        return {"cost": cost_note(self.price_file, self.split_unknown_calls)}

    @property
    def as_of(self) -> date:
        """The day the check is made as of."""
        return self.basis.as_of

    @property
    def window(self) -> int:
        """The days the forecast's pace averages at most."""
        return self.basis.window

    @property
    def in_progress(self) -> bool:
        """Whether the as-of day is today."""
        return self.basis.in_progress

    @property
    def breached(self) -> list[BudgetStatus]:
        """Budgets with at least one breach."""
        return [s for s in self.statuses if s.breaches]

    @property
    def method(self) -> str:
        """How the forecast is made."""
        return self.basis.method()

    @property
    def month(self) -> Period:
        """The days the month-to-date figures cover: the month's first day to the as-of day."""
        return Period(month_start(self.as_of), self.as_of, self.tz)

    @property
    def own_days(self) -> Period:
        """The days each budget's own lines count: ``month``."""
        return self.month


def _series(facts: pd.DataFrame, budget: Budget, first: date, as_of: date) -> tuple[pd.Series, int]:
    """The budget's daily cost from ``first`` to ``as_of`` and its unpriced calls in the month."""
    if facts.empty:
        return pd.Series(0.0, index=pd.Index([], name="day")), 0
    covered = facts.loc[budget.mask(facts)]
    daily = daily_cost(covered, None, first, as_of)
    series = daily.iloc[:, 0] if daily.shape[1] else pd.Series(0.0, index=daily.index)
    days = pd.to_datetime(covered["day"]).dt.date
    unpriced = int(covered.loc[(days >= month_start(as_of)) & (days <= as_of), "unpriced_calls"].sum())
    return series, unpriced


def _late_month_warning(facts: pd.DataFrame, read_from: date, as_of: date, window: int) -> str | None:
    """A line when the month's first logged call follows more than a window of days without any from ``read_from``
    (the read's first day) and the 1st: logging may have begun that day, too long ago to shorten the pace
    (``ForecastBasis.warning``) but not before the month began."""
    if facts.empty:
        return None
    first = pd.to_datetime(facts["day"]).dt.date.min()
    if first <= month_start(as_of) or (first - read_from).days <= window:
        return None
    days = (first - read_from).days
    return Notice(f"the first logged call is on {first}, after {counted(days, 'day')} without any: if logging began "
                  "then, the month to date leaves out any spend before that day", "late_month", first=str(first),
                  days=days)


def check_budgets(
    facts: pd.DataFrame, budgets: list[Budget], as_of: date, tz: str, window: int = DEFAULT_WINDOW,
    now: datetime | None = None, filtered: bool = False,
) -> BudgetCheck:
    """Month-to-date spend, the as-of day's spend and the month-end forecast of every budget; ``now`` (default:
    the clock) says whether the as-of day is still in progress; ``filtered``: the facts are some calls only."""
    read = scan_period(as_of, tz, window)
    first = read.start
    basis = ForecastBasis(as_of, window, day_in_progress(as_of, tz, now), first_logged_day(facts, as_of, window))
    empty = trailing_days_without_records(facts, read)
    gap = trailing_gap_warning(empty, read, filtered)
    statuses = []
    warnings = [line for line in [gap, basis.warning() or _late_month_warning(facts, first, as_of, window)] if line]
    absent = absent_tag_keys(facts, budgets)
    for budget in budgets:
        series, unpriced = _series(facts, budget, first, as_of)
        forecast = forecast_series(series, basis)
        day = float(series.get(as_of, 0.0))
        breaches = []
        if budget.monthly_usd is not None and forecast.month_to_date_usd > budget.monthly_usd:
            breaches.append(f"month to date {money(forecast.month_to_date_usd)} is over the monthly "
                            f"{money(budget.monthly_usd)}")
        if budget.daily_usd is not None and day > budget.daily_usd:
            breaches.append(f"{as_of} spend {money(day)} is over the daily {money(budget.daily_usd)}")
        forecast_over = budget.monthly_usd is not None and forecast.forecast_usd > budget.monthly_usd
        statuses.append(BudgetStatus(budget, forecast.month_to_date_usd, day, forecast.forecast_usd, unpriced,
                                     tuple(breaches), forecast_over))
        if unpriced:
            one = unpriced == 1
            warnings.append(Notice(f"budget {budget.name!r}: {counted(unpriced, 'call')} this month "
                                   f"{'has' if one else 'have'} no price and {'is' if one else 'are'} not in its spend",
                                   "budget_unpriced", budget=repr(budget.name), calls=unpriced))
        if budget.scope != "all" and not facts.empty and not budget.mask(facts).any():
            warnings.append(_covers_nothing(budget, absent))
    return BudgetCheck(tz, basis, statuses, read, warnings, days_without_records=empty, gap_warning=gap,
                       split_unknown_calls=split_unknown_calls(on_days(facts, month_start(as_of), as_of)))


def burndown(
    facts: pd.DataFrame, budgets: list[Budget], as_of: date, tz: str, window: int = DEFAULT_WINDOW,
    in_progress: bool = False,
) -> pd.DataFrame:
    """Per budget and day of the month: spend, cumulative spend, the even-pace line and the forecast path.

    Days up to ``as_of`` are ``actual``; later days are ``forecast`` at the recent daily mean (as ``check_budgets``
    makes it). An ``in_progress`` as-of day is ``today``: its spend so far, or the recent mean when that is more.
    """
    first = scan_period(as_of, tz, window).start
    basis = ForecastBasis(as_of, window, in_progress, first_logged_day(facts, as_of, window))
    last_day = month_start(as_of) + timedelta(days=days_in_month(as_of) - 1)
    rows = []
    for budget in budgets:
        series, _ = _series(facts, budget, first, as_of)
        mean = forecast_series(series, basis).recent_daily_mean_usd
        cumulative = 0.0
        day = month_start(as_of)
        while day <= last_day:
            kind = "forecast" if day > as_of else "today" if in_progress and day == as_of else "actual"
            spend = mean if kind == "forecast" else float(series.get(day, 0.0))
            spend = max(spend, mean) if kind == "today" else spend
            cumulative += spend
            pace = budget.monthly_usd * day.day / days_in_month(as_of) if budget.monthly_usd else None
            rows.append({
                "budget": budget.name, "day": day.isoformat(), "kind": kind,
                "spend_usd": spend, "cumulative_usd": cumulative, "monthly_usd": budget.monthly_usd,
                "even_pace_usd": pace,
                "remaining_usd": budget.monthly_usd - cumulative if budget.monthly_usd else None,
            })
            day += timedelta(days=1)
    columns = ["budget", "day", "kind", "spend_usd", "cumulative_usd", "monthly_usd", "even_pace_usd",
               "remaining_usd"]
    return pd.DataFrame(rows, columns=columns)


def alert_text(check: BudgetCheck) -> tuple[str, str]:
    """A subject (under 100 characters, SNS's limit) and a plain-text body listing the breaches."""
    breached = check.breached
    subject = f"{'[DEMO DATA] ' if check.demo else ''}Bedrock budgets: {len(breached)} breached on {check.as_of}"[:99]
    lines = [DEMO_SOURCE] if check.demo else []
    lines.append(f"Amazon Bedrock budget check for {check.as_of} ({check.tz}); costs are estimates from "
                 f"{priced_at(check.price_file)}.")
    lines += only_line(check.filters, FILTERED_SPEND)
    lines += [f"NO RECORDS: {check.gap_warning}."] if check.gap_warning else []
    for status in breached:
        lines.append(f"- {status.budget.name} ({status.budget.covers}):")
        lines += [f"    {breach}" for breach in status.breaches]
        lines.append(f"    month-end forecast {money(status.forecast_usd)}")
    lines.append(f"Forecast: {check.method}.")
    return subject, "\n".join(lines)


def alert_document(check: BudgetCheck) -> dict[str, Any]:
    """The webhook payload: schema id, the breaches, and a ``text`` field chat webhooks display as is."""
    subject, body = alert_text(check)
    return {
        "schema": ALERT_SCHEMA,
        "demo": check.demo,
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "as_of": check.as_of.isoformat(),
        "tz": check.tz,
        "filters": check.filters,
        "days_without_records": [day.isoformat() for day in check.days_without_records],
        "text": f"{subject}\n{body}",
        "breaches": [
            {"budget": s.budget.name, "covers": s.budget.covers, "monthly_usd": s.budget.monthly_usd,
             "daily_usd": s.budget.daily_usd, "month_to_date_usd": s.month_to_date_usd, "day_usd": s.day_usd,
             "forecast_usd": s.forecast_usd, "reasons": list(s.breaches)}
            for s in check.breached
        ],
        "forecast_method": check.method,
    }


def notify_sns(client: Any, topic_arn: str, check: BudgetCheck) -> str:
    """Publish the alert to an SNS topic; return the message id."""
    subject, body = alert_text(check)
    return client.publish(TopicArn=topic_arn, Subject=subject, Message=body)["MessageId"]


def notify_webhook(url: str, check: BudgetCheck, timeout: float = WEBHOOK_TIMEOUT_SECONDS) -> int:
    """POST the alert document as JSON; return the HTTP status. Raises OSError when it cannot be delivered."""
    check_webhook_url(url)
    body = json.dumps(alert_document(check)).encode()
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.status


def webhook_failure(exc: Exception) -> str:
    """One line for a webhook that could not be delivered."""
    if isinstance(exc, urllib.error.HTTPError):
        return f"the webhook answered HTTP {exc.code}"
    return f"the webhook could not be reached: {getattr(exc, 'reason', exc)}"


def deliver_alert(
    check: BudgetCheck, topic_arn: str | None, webhook_url: str | None, sns_client_for: Callable[[str], Any]
) -> list[str]:
    """Send the alert to the SNS topic and/or webhook; one line per delivery, failures included (never raised).

    A failed delivery must not hide the breach: the caller still exits 3.
    """
    lines = []
    if topic_arn:
        try:
            message_id = notify_sns(sns_client_for(sns_region(topic_arn)), topic_arn, check)
            lines.append(f"Notified SNS topic {topic_arn} (message {message_id})")
        except AWS_ERRORS as exc:
            lines.append(f"warning: the SNS notification failed: {aws_failure(exc)}")
    if webhook_url:
        try:
            lines.append(f"Notified webhook {webhook_url} (HTTP {notify_webhook(webhook_url, check)})")
        except OSError as exc:
            lines.append(f"warning: the webhook notification failed: {webhook_failure(exc)}")
    return lines
