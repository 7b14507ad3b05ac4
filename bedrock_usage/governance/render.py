"""Terminal text, CSV files and JSON documents for reconciliation, budgets, anomalies and chargeback."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from ..logs.period import Period
from ..output.command import print_warnings
from ..output.files import accuracy_ends, file_part, new_files, stable_files, write_csv, write_text
from ..output.json_values import document_text, json_records
from ..output.terminal_table import money, quoted_if_blank, quoted_if_label, text_table, visible
from ..output.wording import counted
from ..pricing import PriceFile, price_file_value, priced_at
from ..qdev.credits import KiroCredits
from ..report.render import DEMO_SOURCE
from ..report.tracker import split_unknown_note
from .anomalies import NO_VALUE, AnomalyReport, group_label
from .budgets import FILTERED_SPEND, BudgetCheck, burndown
from .callers import (
    BATCH_NOTE,
    MONTH_BILL,
    MONTH_NOTE,
    REGION_NOT_READ,
    UNREAD_BILLED,
    CallerReconciliation,
    caller_truth,
)
from .chargeback import (
    CHARGEBACK_SCHEMA,
    DEVELOPER_SCHEMA,
    NO_NAME,
    Chargeback,
    accuracy_notes,
    chargeback_columns,
    developer_accuracy,
)
from .coverage import Coverage
from .filters import digest, filtered_suffix, filters_text, only_line
from .reconcile import (
    BATCH_BILLED,
    BATCH_NOT_LOGGED,
    BILLED_WITHOUT_REGION,
    FLAGGED,
    UNMETERED,
    Reconciliation,
    billing_truth,
)

# v2: billed_cost_usd (per region-day, per caller) leaves batch inference out, counted apart in batch_billed_usd
# (the summary's billed total stays the whole bill); CSV rows end with accuracy_ columns. v1 held batch in them.
# v3: the callers' outside_regions leaves batch out too (batch of any region is in batch, its region_not_read saying
# which are of regions not read); their by_month and summary keep to the regions read but billed_unread_regions_usd
# (summary: billed_outside_regions_usd), batch included, their parts adding up to billed_total_usd. v2 counted batch
# of regions not read in batch_billed_usd and other regions' batch among outside_regions.
# v4: a model's rows (cost_by_model_day, the callers' by_caller_model) are per mode (standard, flex, priority, latency;
# "(tier not recognised)" for a charge whose usage type leaves its tier unknown, never compared), and such charges are
# among unmapped_charges. v3 compared a model's every tier in one row and read every usage type's tier as Standard.
RECONCILIATION_SCHEMA = "bedrock-usage/reconciliation/v4"
CALLERS_SCHEMA = "bedrock-usage/caller-reconciliation/v4"
BUDGETS_SCHEMA = "bedrock-usage/budgets/v1"
ANOMALIES_SCHEMA = "bedrock-usage/anomalies/v1"

Column = tuple[str, str]  # (frame column, header)


def _is_missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _figure(column: str) -> bool:
    return column.endswith("_usd") or column == "ratio"


def _cell(column: str, value: object) -> str:
    if isinstance(value, str) and _figure(column):
        return value  # already text: a priced part or a figure withheld
    if column.endswith("_usd"):
        return money(value)
    if _is_missing(value):
        return "-"
    if column in ("coverage", "monthly_share"):
        return f"{float(value):.1%}"  # type: ignore[arg-type]
    if column == "ratio":
        return f"{float(value):.1f}x"  # type: ignore[arg-type]
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, int | float) or hasattr(value, "item"):
        number = value.item() if hasattr(value, "item") else value
        return f"{number:,}" if isinstance(number, int) else f"{number:,.2f}"
    return quoted_if_blank(str(value))


def table_text(frame: pd.DataFrame, columns: Sequence[Column], max_rows: int = 0,
               total: pd.Series | None = None) -> str:
    """An aligned text table; text columns left, figures right; ``total`` under a rule, shown however many rows
    ``max_rows`` leaves out."""
    shown = frame.head(max_rows) if max_rows > 0 else frame
    header = [label for _, label in columns]
    body = [[_cell(name, row[name]) for name, _ in columns] for _, row in shown.iterrows()]
    footer = None if total is None else [_cell(name, total[name]) for name, _ in columns]
    numeric = [pd.api.types.is_numeric_dtype(frame[name]) or _figure(name) for name, _ in columns]
    return text_table(header, body, right=numeric, total=footer, hidden=len(frame) - len(shown))


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _warnings(lines: list[str]) -> list[str]:
    return ["", "Warnings", *(f"  - {visible(w)}" for w in lines)] if lines else []


# Reconciliation

_REGION_DAY: list[Column] = [
    ("region", "Region"), ("utc_day", "UTC day"), ("logged_calls", "Logged"), ("metered_calls", "Metered"),
    ("coverage", "Coverage"), ("status", "Status"), (UNMETERED, "Logged, no metric"),
    ("logged_input_tokens", "Input (log)"), ("metered_input_tokens", "Input (CW)"),
    ("logged_output_tokens", "Output (log)"), ("metered_output_tokens", "Output (CW)"),
    ("delivery_failures", "Delivery failures"),
    ("estimated_cost_usd", "Estimated"), ("billed_cost_usd", "Billed (CE)"), ("cost_difference_usd", "Est - billed"),
]
_MODEL_DAY: list[Column] = [
    ("region", "Region"), ("utc_day", "UTC day"), ("model_key", "ModelId"), ("logged_calls", "Logged"),
    ("metered_calls", "Metered"), ("coverage", "Coverage"), ("status", "Status"),
    ("logged_input_tokens", "Input (log)"), ("metered_input_tokens", "Input (CW)"),
    ("logged_output_tokens", "Output (log)"), ("metered_output_tokens", "Output (CW)"),
]
_COST_MODEL_DAY: list[Column] = [
    ("region", "Region"), ("utc_day", "UTC day"), ("model", "Model"), ("mode", "Mode"),
    ("estimated_cost_usd", "Estimated"), ("billed_cost_usd", "Billed (CE)"), ("difference_usd", "Est - billed"),
    ("ratio", "Est / billed"),
]


def reconciliation_text(rec: Reconciliation, max_rows: int = 20) -> str:
    """The reconciliation as terminal text: totals, flagged days, then the detail tables."""
    s = rec.summary()
    coverage = "-" if s["coverage"] is None else f"{s['coverage']:.1%}"
    lines = [
        "Amazon Bedrock reconciliation: logs vs CloudWatch metrics vs Cost Explorer",
        f"Period:   {rec.period.start} .. {rec.period.end} (UTC days; CloudWatch and Cost Explorer days are UTC)",
        f"Regions:  {', '.join(rec.regions)}",
        *_account_line(rec.account),
        f"Truth:    {visible(billing_truth(rec.price_file))}.",
        "",
        f"Logged calls {s['logged_calls']:,} of {s['metered_calls']:,} metered: coverage {coverage} "
        f"(threshold {rec.threshold:.0%}); estimated cost {money(s['estimated_cost_usd'])}, billed "
        f"{money(s['billed_cost_usd'])}",
        *([f"Logged calls of models without a CloudWatch metric that day, not compared: {s[UNMETERED]:,}"]
          if s[UNMETERED] else []),
        *([f"Batch inference billed, in the billed total and not compared with the logs: {money(s[BATCH_BILLED])}"]
          if s[BATCH_BILLED] else []),
        *([f"Billed under usage types of no known region, in no region-day: {money(s[BILLED_WITHOUT_REGION])}"]
          if s[BILLED_WITHOUT_REGION] else []),
    ]
    flagged = reconciliation_attention(rec)
    if flagged:
        lines += ["", f"ATTENTION: {len(flagged)} region-days with logging missing or late"]
        lines += [f"  - {line}" for line in flagged]
    else:
        lines += ["", "Every region-day with metered calls has logs at or above the threshold."]
    lines += ["", "By region and UTC day", table_text(rec.by_region_day, _region_day_columns(s), max_rows)]
    lines += ["", "By region, UTC day and ModelId (as called)", table_text(rec.by_model_day, _MODEL_DAY, max_rows)]
    lines += ["", "Cost by region, UTC day, model and mode", table_text(rec.cost_by_model_day, _COST_MODEL_DAY,
                                                                          max_rows)]
    if len(rec.unmapped_charges):
        lines += ["", "Billed usage types not tied to a model or a tier (in the region-day totals; of no known region, "
                      "in the billed total only)",
                  table_text(rec.unmapped_charges, [("region", "Region"), ("service", "Service"),
                                                    ("usage_type", "Usage type"), ("billed_cost_usd", "Billed")])]
    return "\n".join(lines + _warnings(rec.warnings))


def _region_day_columns(summary: dict[str, Any]) -> list[Column]:
    """The region-day table's columns, with batch inference's bill last (apart from the comparison) when there is
    any."""
    return [*_REGION_DAY, (BATCH_BILLED, "Batch billed (apart)")] if summary[BATCH_BILLED] else _REGION_DAY


def _account_line(account: str | None) -> list[str]:
    """The header line naming the account whose bill and callers' logs are compared (none when not one account)."""
    return [f"Account:  {account} (its bill, and the logs of its callers)"] if account else []


def reconciliation_attention(rec: Reconciliation) -> list[str]:
    """A line per region-day whose logs are missing or below the threshold (naming the models below it when the
    region-day's own coverage is not)."""
    return [f"{r.region} {r.utc_day}: {r.status}, {r.logged_calls:,} logged of {r.metered_calls:,} metered"
            + _models_below(rec, r) + (f" ({r.note})" if r.note else "") for r in rec.flagged.itertuples()]


def models_below(rec: Reconciliation, day: Any) -> pd.DataFrame:
    """The ``model_day`` rows of a flagged region-day whose logs are missing or below the threshold, when the
    region-day's own coverage is not (none otherwise: its own figures say why it is flagged)."""
    models = rec.by_model_day
    if day.coverage < rec.threshold:
        return models.iloc[:0]
    return models.loc[(models["region"] == day.region) & (models["utc_day"] == day.utc_day)
                      & models["status"].isin(FLAGGED)]


def _models_below(rec: Reconciliation, day: Any) -> str:
    """``; models below the threshold: X 8 of 10`` for a region-day flagged by its models alone, else nothing."""
    below = models_below(rec, day)
    if below.empty:
        return ""
    return "; models below the threshold: " + ", ".join(
        f"{m.model_key} {m.logged_calls:,} of {m.metered_calls:,}" for m in below.itertuples())


def reconciliation_document(rec: Reconciliation) -> dict[str, Any]:
    """The reconciliation as one JSON document."""
    return {
        "schema": RECONCILIATION_SCHEMA,
        "generated_at": _now(),
        "period": {"start": rec.period.start.isoformat(), "end": rec.period.end.isoformat(), "tz": "UTC"},
        "regions": list(rec.regions),
        "account": rec.account,
        "billing_truth": billing_truth(rec.price_file),
        "accuracy": rec.accuracy,
        "coverage_threshold": rec.threshold,
        "summary": rec.summary(),
        "flagged": json_records(rec.flagged),
        "by_region_day": json_records(rec.by_region_day),
        "by_model_day": json_records(rec.by_model_day),
        "cost_by_model_day": json_records(rec.cost_by_model_day),
        "unmapped_charges": json_records(rec.unmapped_charges),
        "warnings": rec.warnings,
    }


def reconciliation_frames(rec: Reconciliation) -> dict[str, pd.DataFrame]:
    """The tables written as CSV files."""
    return {"region_day": rec.by_region_day, "model_day": rec.by_model_day, "cost_model_day": rec.cost_by_model_day,
            "unmapped_charges": rec.unmapped_charges}


# Billed and estimated cost per caller

_CALLER_LABELS = {"principal_type": "Type", "principal": "Principal", "user": "User", "application": "Application"}
_CALLER_FIGURES: list[Column] = [
    ("status", "Status"), ("logged_calls", "Calls (log)"), ("estimated_cost_usd", "Estimated"),
    ("billed_cost_usd", "Billed"), ("difference_usd", "Est - billed"), ("ratio", "Est / billed"),
]


WITHHELD = "—"  # a difference or ratio not given: calls without a price leave the estimate short


def estimate_text(estimated: object, unpriced: int) -> str:
    """The logs' estimate: ``unpriced`` when no call has a price, the priced part marked when some have none."""
    if not unpriced:
        return money(estimated)
    return money(estimated, missing="unpriced") + ("" if _is_missing(estimated) else " (priced part)")


def difference_text(difference: object, unpriced: int) -> str:
    """Estimated - billed, or ``—`` when calls without a price leave the estimate short."""
    return WITHHELD if unpriced else money(difference)


def _priced_parts(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the estimate, difference and ratio as text on its rows with calls without a price."""
    unpriced = frame["unpriced_calls"] > 0
    if not unpriced.any():
        return frame
    withheld = [column for column in ("difference_usd", "ratio") if column in frame]
    shown = frame.astype(dict.fromkeys(["estimated_cost_usd", *withheld], object))
    for index, row in frame.loc[unpriced].iterrows():
        shown.at[index, "estimated_cost_usd"] = estimate_text(row["estimated_cost_usd"], row["unpriced_calls"])
        for column in withheld:
            shown.at[index, column] = WITHHELD
    return shown


def _caller_columns(rec: CallerReconciliation, *extra: Column) -> list[Column]:
    shown = [key for key in rec.keys if key != "principal"]
    return [(key, _CALLER_LABELS[key]) for key in shown] + list(extra) + _CALLER_FIGURES


def callers_text(rec: CallerReconciliation, max_rows: int = 20) -> str:
    """Billed against estimated cost per caller as terminal text: totals, callers only one side has, the tables."""
    s = rec.summary()
    lines = [
        "Amazon Bedrock cost per caller: the bill vs the logs' estimate",
        f"Period:   {rec.period.start} .. {rec.period.end} (UTC days)",
        f"Regions:  {', '.join(rec.regions)}",
        *_account_line(rec.account),
        f"Bill:     {rec.source}",
        f"Truth:    {visible(caller_truth(rec.price_file))}.",
        "",
        f"{s['callers']:,} callers: billed {money(s['billed_cost_usd'])}, estimated "
        f"{estimate_text(s['estimated_cost_usd'], s['unpriced_calls'])}, difference "
        f"{difference_text(s['difference_usd'], s['unpriced_calls'])}; unattributed billed cost "
        f"{money(s['unattributed_billed_usd'])}",
        *([f"Batch inference billed in the regions read, listed apart on no caller and not compared with the logs: "
           f"{money(s['batch_billed_usd'])}"] if s["batch_billed_usd"] else []),
        *([f"Billed in regions not read (their whole bill, batch included), not compared: "
           f"{money(s['billed_outside_regions_usd'])}"] if s["billed_outside_regions_usd"] else []),
        *([f"The period's bill: {money(s[MONTH_BILL])} (billed + no principal + batch + regions not read)"]
          if s[MONTH_BILL] is not None else []),
        *([f"Unpriced: {s['unpriced_calls']:,} logged calls have no price, so no difference or ratio is given where "
           "they are (it would read them as a gap in the bill)"] if s["unpriced_calls"] else []),
    ]
    missing = rec.billed_without_logs
    if len(missing):
        lines += ["", f"ATTENTION: {len(missing)} callers billed with no logs (logging gaps, logging switched off, "
                  "or another region)"]
        lines += [f"  - {line}" for line in callers_attention(rec)]
    else:
        lines += ["", "Every caller the bill names has logs."]
    unbilled = rec.logged_without_bill
    if len(unbilled):
        lines += ["", f"{len(unbilled)} callers logged with no bill"]
        lines += [f"  - {_caller_name(rec, row)}: {row['status']}, estimated "
                  f"{estimate_text(row['estimated_cost_usd'], row['unpriced_calls'])}"
                  for _, row in unbilled.iterrows()]
    lines += ["", "Per caller", table_text(_priced_parts(rec.by_caller), _caller_columns(rec), max_rows)]
    lines += ["", "Per caller, model and mode", table_text(_priced_parts(rec.by_caller_model),
                                                           _caller_columns(rec, ("model", "Model"), ("mode", "Mode")),
                                                           max_rows)]
    lines += ["", "Per caller and UTC day", table_text(_priced_parts(rec.by_caller_day),
                                                       _caller_columns(rec, ("utc_day", "UTC day")), max_rows)]
    lines += ["", "Per month", f"{MONTH_NOTE}.", table_text(_priced_parts(rec.by_month), [
        ("month", "Month"), ("logged_calls", "Calls (log)"), ("estimated_cost_usd", "Estimated"),
        ("billed_cost_usd", "Billed"), ("difference_usd", "Est - billed"),
        ("unattributed_billed_usd", "Billed, no principal"), (BATCH_BILLED, "Batch billed"),
        (UNREAD_BILLED, "Regions not read"), (MONTH_BILL, "Month's bill")])]
    if len(rec.unattributed):
        lines += ["", "Billed usage that names no principal", table_text(rec.unattributed, [
            ("utc_day", "UTC day"), ("region", "Region"), ("service", "Service"), ("usage_type", "Usage type"),
            ("billed_cost_usd", "Billed")], max_rows)]
    if len(rec.batch):
        lines += ["", f"Billed batch inference, on no caller: {BATCH_NOT_LOGGED}", f"{BATCH_NOTE}.", table_text(
            rec.batch, [("utc_day", "UTC day"), ("region", "Region"), ("service", "Service"),
                        ("usage_type", "Usage type"), ("model", "Model"), ("billed_cost_usd", "Billed"),
                        (REGION_NOT_READ, "Region not read")], max_rows)]
    return "\n".join(lines + _warnings(rec.warnings))


def callers_attention(rec: CallerReconciliation) -> list[str]:
    """A line per caller the bill names with no logs."""
    return [f"{_caller_name(rec, row)}: billed {money(row['billed_cost_usd'])}"
            for _, row in rec.billed_without_logs.iterrows()]


def _caller_name(rec: CallerReconciliation, row: pd.Series) -> str:
    names = [str(row[key]) for key in rec.keys if key in ("user", "application")]
    return " / ".join(dict.fromkeys(names))


def callers_document(rec: CallerReconciliation) -> dict[str, Any]:
    """Billed against estimated cost per caller as one JSON document."""
    return {
        "schema": CALLERS_SCHEMA,
        "generated_at": _now(),
        "period": {"start": rec.period.start.isoformat(), "end": rec.period.end.isoformat(), "tz": "UTC"},
        "regions": list(rec.regions),
        "account": rec.account,
        "bill": rec.source,
        "truth": caller_truth(rec.price_file),
        "accuracy": rec.accuracy,
        "caller_keys": rec.keys,
        "summary": rec.summary(),
        "billed_without_logs": json_records(rec.billed_without_logs),
        "logged_without_bill": json_records(rec.logged_without_bill),
        "by_caller": json_records(rec.by_caller),
        "by_caller_model": json_records(rec.by_caller_model),
        "by_caller_day": json_records(rec.by_caller_day),
        "by_month": json_records(rec.by_month),
        "unattributed": json_records(rec.unattributed),
        "batch": json_records(rec.batch),
        "outside_regions": json_records(rec.outside_regions),
        "warnings": rec.warnings,
    }


def callers_frames(rec: CallerReconciliation) -> dict[str, pd.DataFrame]:
    """The per-caller tables written as CSV files."""
    return {"caller": rec.by_caller, "caller_model": rec.by_caller_model, "caller_day": rec.by_caller_day,
            "caller_month": rec.by_month, "unattributed": rec.unattributed, "batch": rec.batch,
            "outside_regions": rec.outside_regions}


# Budgets

FORECAST_OVER = "forecast over"  # the terminal's Status of a budget on course to pass its monthly amount


def budget_rows(check: BudgetCheck) -> pd.DataFrame:
    """One row per budget."""
    rows = [{
        "budget": s.budget.name, "covers": s.budget.covers, "monthly_usd": s.budget.monthly_usd,
        "month_to_date_usd": s.month_to_date_usd, "monthly_share": s.monthly_share, "daily_usd": s.budget.daily_usd,
        "day_usd": s.day_usd, "forecast_usd": s.forecast_usd, "forecast_over": s.forecast_over,
        "unpriced_calls": s.unpriced_calls, "status": "BREACHED" if s.breaches else "ok",
        "breaches": "; ".join(s.breaches),
    } for s in check.statuses]
    return pd.DataFrame(rows, columns=["budget", "covers", "monthly_usd", "month_to_date_usd", "monthly_share",
                                       "daily_usd", "day_usd", "forecast_usd", "forecast_over", "unpriced_calls",
                                       "status", "breaches"])


def budgets_text(check: BudgetCheck) -> str:
    """Budget statuses as terminal text, breaches first; a budget not breached whose forecast passes its monthly
    amount reads ``forecast over`` in the Status column (the files' ``status`` stays ``ok``, beside
    ``forecast_over``)."""
    table = budget_rows(check)
    table["status"] = table["status"].where(~((table["status"] == "ok") & table["forecast_over"]), FORECAST_OVER)
    lines = [
        f"Amazon Bedrock budgets on {check.as_of} ({check.tz}); month to date from {check.as_of.replace(day=1)}",
        *map(visible, only_line(check.filters, FILTERED_SPEND)),
        f"Spend is the estimated cost (logged tokens x {visible(priced_at(check.price_file))}).",
        *([f"NO RECORDS: {visible(check.gap_warning)}."] if check.gap_warning else []),
        "",
        table_text(table, [("budget", "Budget"), ("covers", "Covers"), ("month_to_date_usd", "Month to date"),
                           ("monthly_usd", "Monthly"), ("monthly_share", "Used"), ("day_usd", "As-of day"),
                           ("daily_usd", "Daily"), ("forecast_usd", "Forecast"), ("status", "Status")]),
        "",
        f"Forecast: {check.method}.",
    ]
    breached = check.breached
    if breached:
        lines += ["", f"BREACHED: {len(breached)} of {len(check.statuses)} budgets"]
        lines += [f"  - {visible(line)}" for line in budgets_attention(check)]
    over = [s for s in check.statuses if s.forecast_over and not s.breaches]
    if over:
        lines += ["", "Forecast over the monthly amount (not yet breached):"]
        lines += [f"  - {visible(s.budget.name)}: forecast {money(s.forecast_usd)} of {money(s.budget.monthly_usd)}"
                  for s in over]
    return "\n".join(lines + _warnings(check.all_warnings()))


def budgets_attention(check: BudgetCheck) -> list[str]:
    """A line per breach."""
    return [f"{s.budget.name}: {breach}" for s in check.breached for breach in s.breaches]


def budgets_document(check: BudgetCheck, burndown: pd.DataFrame) -> dict[str, Any]:
    """Budget statuses and burn-down as one JSON document (``price_file`` as the report's ``source.price_file``: the
    file whose rows priced some of the calls, else null)."""
    return {
        "schema": BUDGETS_SCHEMA,
        "generated_at": _now(),
        "as_of": check.as_of.isoformat(),
        "tz": check.tz,
        "filters": check.filters,
        "price_file": price_file_value(check.price_file),
        "accuracy": check.accuracy,
        "days_without_records": [day.isoformat() for day in check.days_without_records],
        "forecast_method": check.method,
        "breached": [s.budget.name for s in check.breached],
        "budgets": json_records(budget_rows(check)),
        "burndown": json_records(burndown),
        "warnings": check.all_warnings(),
    }


# Anomalies

def _labelled(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its groups named as tables show them (``group_label``)."""
    return frame.assign(group=frame["group"].map(group_label))


NOTHING_TO_FORECAST = "Nothing to forecast: no calls in the month to date or the days of the daily pace."


def anomalies_text(report: AnomalyReport, max_rows: int = 20) -> str:
    """Anomalies and the month-end forecast as terminal text."""
    period = report.period
    lines = [
        f"Amazon Bedrock cost anomalies by {report.group_by}: {period.label()}",
        *map(visible, only_line(report.filters, "all Bedrock spend")),
        f"Rule: a day's estimated cost over {report.factor:g}x the median of the {report.window} days before it, "
        f"and at least {money(report.min_cost)}; days without {report.window} days of history are not judged.",
        *([f"Costs are estimated from {visible(priced_at(report.price_file))}."] if report.price_file else []),
        "",
    ]
    if report.anomalies.empty:
        lines.append("No anomalies.")
    else:
        lines += [f"ANOMALIES: {len(report.anomalies)}",
                  table_text(_labelled(report.anomalies),
                             [("day", "Day"), ("group", report.group_by.capitalize()), ("cost_usd", "Cost"),
                              ("baseline_usd", f"{report.window}-day median"), ("ratio", "Ratio")], max_rows)]
    if report.unjudged_days:
        lines.append(f"Not judged (too little history): {', '.join(report.unjudged_days)}")
    today: list[Column] = [("rest_of_today_usd", "+ Rest of today")] if report.in_progress else []
    table = table_text(_labelled(report.forecast),
                       [("group", report.group_by.capitalize()), ("month_to_date_usd", "Month to date"), *today,
                        ("recent_daily_mean_usd", "+ Daily pace"), ("days_left", "x Days left"),
                        ("forecast_usd", "= Forecast")], max_rows)
    lines += ["", f"Month-end forecast ({period.end.strftime('%B %Y')}, as of {period.end})",
              table if len(report.forecast) else NOTHING_TO_FORECAST, f"Method: {report.method}."]
    return "\n".join(lines + _warnings(_anomaly_warnings(report)))


def anomalies_attention(report: AnomalyReport) -> list[str]:
    """A line per anomalous day."""
    window = f"{report.window}-day median"
    return [f"{group_label(r.group)} on {r.day}: {money(r.cost_usd)}, "
            + (f"{r.ratio:.1f}x its {window} {money(r.baseline_usd)}" if r.baseline_usd else f"new spend (its {window} "
               "is $0)") for r in report.anomalies.itertuples()]


def _anomaly_warnings(report: AnomalyReport) -> list[str]:
    """The report's warnings and the calls of the period without a price, then the scan's under the days read."""
    calls = report.unpriced_calls
    unpriced = [f"{counted(calls, 'call')} in the period {'has' if calls == 1 else 'have'} no price and no cost here"]
    return report.all_warnings(more=unpriced if report.unpriced_calls else ())


def anomalies_document(report: AnomalyReport) -> dict[str, Any]:
    """Anomalies, daily costs and the forecast as one JSON document (``price_file`` as the report's
    ``source.price_file``: the file whose rows priced some of the calls, else null)."""
    return {
        "schema": ANOMALIES_SCHEMA,
        "generated_at": _now(),
        "period": {"start": report.period.start.isoformat(), "end": report.period.end.isoformat(),
                   "tz": report.period.tz},
        "group_by": report.group_by,
        "filters": report.filters,
        "price_file": price_file_value(report.price_file),
        "accuracy": report.accuracy,
        "rule": {"factor": report.factor, "window_days": report.window, "min_cost_usd": report.min_cost,
                 "baseline": "median of the window's daily costs, days without calls as 0"},
        "anomalies": json_records(report.anomalies),
        "unjudged_days": report.unjudged_days,
        "forecast_method": report.method,
        "forecast": json_records(report.forecast),
        "daily": json_records(report.daily),
        "unpriced_calls": report.unpriced_calls,
        "warnings": _anomaly_warnings(report),
    }


# Chargeback and developer costs

_CHARGEBACK_TERMINAL: list[Column] = [
    ("group", "Group"), ("model", "Model"), ("calls", "Calls"), ("input_tokens", "Input"),
    ("output_tokens", "Output"), ("cache_read_tokens", "Cache read"), ("cache_write_tokens", "Cache write"),
    ("estimated_cost_usd", "Cost (USD)"), ("unpriced_calls", "Unpriced calls"),
]


def coverage_fields(coverage: Coverage) -> dict[str, object]:
    """The days the logs cover, as values: the JSON document's ``coverage`` and (prefixed) every CSV row's end."""
    return {
        "first_day": coverage.first_day.isoformat() if coverage.first_day else None,
        "last_day": coverage.last_day.isoformat() if coverage.last_day else None,
        "through": coverage.through.isoformat(),
        "days_in_month": coverage.period.days,
        "days_with_records": len(coverage.record_days),
        "days_without_records": len(coverage.missing_days),
        "complete": coverage.complete,
    }


def region_coverage(coverage: Coverage) -> dict[str, dict[str, object]]:
    """The days each region read has records on, by region: the first and last, how many, and those of the month up to
    ``through`` without any (``missing_days``) and not read by Athena there (``days_not_read``)."""
    fields = {}
    for region, days in sorted(coverage.region_days.items()):
        fields[region] = {
            "first_day": days[0].isoformat() if days else None,
            "last_day": days[-1].isoformat() if days else None,
            "days_with_records": len(days),
            "missing_days": [day.isoformat() for day in coverage.region_missing_days(region)],
            "days_not_read": [day.isoformat() for day in coverage.region_unread.get(region, ())],
        }
    return fields


GRAND_TOTAL_GROUP = "ALL"
_GROUP_LABELS = (NO_VALUE, NO_NAME, GRAND_TOTAL_GROUP)  # what the terminal's group column says of no logged value


def _group_cell(group: str, present: object) -> str:
    """A chargeback group as the terminal shows it: a logged value in double quotes when it could read as a label
    (``quoted_if_label`` of ``_GROUP_LABELS``)."""
    if pd.isna(present) or not present:
        return group
    return quoted_if_label(group, _GROUP_LABELS)


def _group_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its groups as the terminal shows them (``_group_cell``)."""
    cells = [_group_cell(group, present) for group, present in zip(frame["group"], frame["group_present"], strict=True)]
    return frame.assign(group=pd.Series(cells, index=frame.index, dtype="object"))


def chargeback_text(chargeback: Chargeback, max_rows: int = 0) -> str:
    """The chargeback as terminal text (group totals marked with ``TOTAL``; groups as ``_group_cell`` shows them), the
    days its logs cover on the third line and not again among the warnings, as ``developers_text`` does."""
    rows, prices = _group_cells(chargeback.rows), visible(priced_at(chargeback.price_file, goes_on=True))
    days = chargeback.coverage.headline()
    rows.loc[rows["row_type"] == "group_total", "model"] = "TOTAL"
    rows.loc[rows["row_type"] == "grand_total", ["group", "model"]] = [GRAND_TOTAL_GROUP, "GRAND TOTAL"]
    grand = rows["row_type"] == "grand_total"
    lines = [
        f"Amazon Bedrock chargeback {chargeback.month} ({chargeback.tz}) by {chargeback.group_by}",
        *map(visible, only_line(chargeback.filters, "the whole month's bill")),
        f"Calls and tokens are exact; costs are estimated from {prices} and cover priced calls only"
        + (f"; {split_unknown_note(chargeback.split_unknown_calls)}." if chargeback.split_unknown_calls else "."),
        days,
        "",
        table_text(rows[~grand], _CHARGEBACK_TERMINAL, max_rows,
                   rows[grand].iloc[0] if grand.any() else None),
    ]
    if len(chargeback.unpriced):
        lines += ["", "Unpriced usage (tokens counted above, cost unknown)",
                  table_text(_group_cells(chargeback.unpriced), [("group", "Group"), ("model_id", "Model id"),
                                                   ("source_region", "Region"), ("calls", "Calls"),
                                                   ("input_tokens", "Input"), ("output_tokens", "Output"),
                                                   ("cache_read_tokens", "Cache read"),
                                                   ("cache_write_tokens", "Cache write")])]
    return "\n".join(lines + _warnings([line for line in chargeback.warnings if line != days]))


def chargeback_document(chargeback: Chargeback) -> dict[str, Any]:
    """The chargeback as one JSON document with its schema (columns, units, accuracy)."""
    return {
        "schema": CHARGEBACK_SCHEMA,
        "generated_at": _now(),
        "month": chargeback.month,
        "tz": chargeback.tz,
        "group_by": chargeback.group_by,
        "filters": chargeback.filters,
        "coverage": {**coverage_fields(chargeback.coverage), "in_progress": chargeback.coverage.in_progress,
                     "missing_days": [day.isoformat() for day in chargeback.coverage.missing_days],
                     "regions": region_coverage(chargeback.coverage)},
        "accuracy": accuracy_notes(chargeback.price_file, chargeback.split_unknown_calls),
        "columns": [{"name": n, "unit": u, "accuracy": a, "meaning": m}
                    for n, u, a, m in chargeback_columns(chargeback.price_file)],
        "rows": json_records(chargeback.rows),
        "unpriced": json_records(chargeback.unpriced),
        "warnings": chargeback.warnings,
    }


def chargeback_stem(month: str, group_by: str, filters: dict[str, object] | None = None) -> str:
    """``bedrock_chargeback_2025-11_tag-cost_center``: stable, so a monthly export replaces its previous run, and
    apart for another grouping: a tag key that is not a file name as it is adds a digest of it (``team/name`` and
    ``team-name`` would share one). A chargeback of some calls only (``filters``) ends ``_filtered-`` and a digest
    of them, so it never replaces the whole month's files."""
    by = file_part(group_by)
    if by != group_by.replace(":", "-", 1):
        by += "-" + digest(group_by)
    return f"bedrock_chargeback_{month}_{by}{filtered_suffix(filters)}"


_DEVELOPERS: list[Column] = [
    ("developer", "Developer"), ("bedrock_calls", "Bedrock calls"), ("bedrock_tokens", "Bedrock tokens"),
    ("bedrock_cost_usd", "Bedrock cost"), ("qdev_requests", "Q+Kiro requests"),
    ("qdev_events", "Q+Kiro events"),
    ("seat_cost_usd", "Q seat"), ("kiro_tier", "Kiro tier"), ("kiro_credits_in_plan", "Credits in plan"),
    ("kiro_overage_credits", "Overage credits"), ("kiro_cost_usd", "Kiro cost"), ("total_cost_usd", "Total"),
]


def _developer_parts(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with the Bedrock cost and the total as text, marked ``(priced part)``, on the rows of developers with
    Bedrock calls without a price (a Bedrock cost ``unpriced`` where none of their calls has one; an unknown total
    stays ``-``)."""
    unpriced = table["bedrock_unpriced_calls"] > 0
    if not unpriced.any():
        return table
    shown = table.astype(dict.fromkeys(["bedrock_cost_usd", "total_cost_usd"], object))
    for index, row in table.loc[unpriced].iterrows():
        shown.at[index, "bedrock_cost_usd"] = estimate_text(row["bedrock_cost_usd"], row["bedrock_unpriced_calls"])
        if not _is_missing(row["total_cost_usd"]):
            shown.at[index, "total_cost_usd"] = estimate_text(row["total_cost_usd"], row["bedrock_unpriced_calls"])
    return shown


def developers_text(table: pd.DataFrame, month: str, note: str, warnings: list[str], max_rows: int = 0,
                    days: str = "", filters: dict[str, object] | None = None,
                    price_file: PriceFile | None = None, split_unknown: int = 0) -> str:
    """Total AI cost per developer as terminal text, ``days`` (the days the Bedrock logs cover) on its third line
    (its fourth after the ``filters`` that narrowed it); Bedrock costs at ``price_file``'s prices where its rows
    priced calls, ``split_unknown`` of their calls with cache writes at the 5-minute rate for want of their split."""
    split = f" ({split_unknown_note(split_unknown)})" if split_unknown else ""
    lines = [f"Total AI cost per developer, {month}: Amazon Bedrock (as IAM Identity Center user) + Q Developer "
             "seat + Kiro tier and overage",
             *map(visible, only_line(filters, "the whole month's cost of every developer")),
             f"Bedrock cost is estimated from {visible(priced_at(price_file))}{split}; seats and Kiro tiers are "
             "estimated too, from published subscription prices prorated by day; so is the total, which holds no "
             "Amazon Q virtual cost.",
             *([days] if days else []), "",
             table_text(_developer_parts(table), _DEVELOPERS, max_rows), "", f"Seat: {note}."]
    return "\n".join(lines + _warnings([line for line in warnings if line != days]))


def developers_document(table: pd.DataFrame, month: str, note: str, warnings: list[str],
                        filters: dict[str, object] | None = None, price_file: PriceFile | None = None,
                        split_unknown: int = 0, kiro: KiroCredits | None = None) -> dict[str, Any]:
    """Total AI cost per developer as one JSON document (``filters``: what narrowed it, ``{}`` for none; ``kiro``:
    the Kiro figures whose prices the Kiro cost's note names)."""
    return {"schema": DEVELOPER_SCHEMA, "generated_at": _now(), "month": month, "filters": filters or {},
            "seat": note, "accuracy": developer_accuracy(price_file, split_unknown, kiro), "rows": json_records(table),
            "warnings": warnings}


# Files

# The JSON ``accuracy`` notes each CSV table's rows end with (as ``accuracy_<note>``): those of the figures it holds.
RECONCILIATION_NOTES = {"region_day": ("tokens", "metered", "cost", "billed"), "model_day": ("tokens", "metered"),
                        "cost_model_day": ("cost", "billed"), "unmapped_charges": ("billed",)}
CALLER_NOTES = {"caller": ("cost", "billed"), "caller_model": ("cost", "billed"), "caller_day": ("cost", "billed"),
                "caller_month": ("cost", "billed"), "unattributed": ("billed",), "batch": ("billed",),
                "outside_regions": ("billed",)}
CHARGEBACK_NOTES = {"": ("tokens", "cost", "unpriced"), "unpriced": ("tokens", "unpriced")}
BUDGET_NOTES = {"status": ("cost",), "burndown": ("cost",)}
ANOMALY_NOTES = {"anomalies": ("cost",), "forecast": ("cost",), "daily": ("cost",)}


def budget_ends(check: BudgetCheck) -> dict[str, dict[str, object]]:
    """The values every row of a budget CSV table ends with after its month's days: the run's ``filters`` (empty for
    every call), then the accuracy columns (``accuracy_ends``); the dashboard's downloads end alike."""
    return _filtered_ends(check.filters, accuracy_ends(check.accuracy, BUDGET_NOTES))


def anomaly_ends(report: AnomalyReport) -> dict[str, dict[str, object]]:
    """The values every row of an anomalies CSV table ends with after the period's days, as ``budget_ends``."""
    return _filtered_ends(report.filters, accuracy_ends(report.accuracy, ANOMALY_NOTES))


def _filtered_ends(filters: dict[str, object], ends: dict[str, dict[str, object]]) -> dict[str, dict[str, object]]:
    return {table: {"filters": filters_text(filters), **end} for table, end in ends.items()}


def reconciliation_ends(rec: Reconciliation | None, callers: CallerReconciliation | None = None
                        ) -> dict[str, dict[str, object]]:
    """The accuracy columns of every reconciliation table written (``accuracy_ends``)."""
    return {**(accuracy_ends(rec.accuracy, RECONCILIATION_NOTES) if rec is not None else {}),
            **(accuracy_ends(callers.accuracy, CALLER_NOTES) if callers is not None else {})}


@dataclass
class Output:
    """One result in every form: terminal text, the JSON document, the CSV tables and the file name stem."""

    text: str
    document: dict[str, Any]
    frames: dict[str, pd.DataFrame]  # CSV name suffix ("" for the main table) -> table
    stem: str
    stable: bool = False  # a fixed period's report: its files keep their names and each run replaces them
    period: Period | None = None  # the days every CSV row says it covers (a chargeback's rows name their month)
    row_end: dict[str, object] = dataclasses.field(default_factory=dict)  # more values every CSV row ends with
    # more values the rows of one CSV table (by its name suffix) end with, after row_end's
    table_end: dict[str, dict[str, object]] = dataclasses.field(default_factory=dict)
    attention: list[str] = dataclasses.field(default_factory=list)  # what made the run exit 3, a line each
    heading: str | None = None  # the line over the scan's warnings, last of all (``ScanBeyondDays``)


def reconciliation_output(
    rec: Reconciliation | None, max_rows: int, callers: CallerReconciliation | None = None
) -> Output:
    """The reconciliation in every form: with CloudWatch and Cost Explorer, per caller, or both (each CSV row ending
    with the period and the accuracy notes of its figures: ``reconciliation_ends``)."""
    if rec is None:
        if callers is None:
            raise ValueError("nothing to render")
        return Output(callers_text(callers, max_rows), callers_document(callers), callers_frames(callers),
                      timestamped("reconciliation"), period=callers.period,
                      table_end=reconciliation_ends(None, callers), attention=_billed_without_logs(callers))
    output = Output(reconciliation_text(rec, max_rows), reconciliation_document(rec), reconciliation_frames(rec),
                    timestamped("reconciliation"), period=rec.period, table_end=reconciliation_ends(rec, callers),
                    attention=[f"logs missing or late: {line}" for line in reconciliation_attention(rec)])
    if callers is not None:
        output.text += "\n\n" + callers_text(callers, max_rows)
        output.document["callers"] = {k: v for k, v in callers_document(callers).items() if k != "schema"}
        output.frames.update(callers_frames(callers))
        output.attention += _billed_without_logs(callers)
    return output


def _billed_without_logs(callers: CallerReconciliation) -> list[str]:
    return [f"billed with no logs: {line}" for line in callers_attention(callers)]


def budgets_output(check: BudgetCheck, facts: pd.DataFrame, budgets: list) -> Output:
    """Budget statuses and their burn-down in every form (CSV rows ending with the month to the as-of day, the filters
    and ``accuracy_cost``)."""
    burn = burndown(facts, budgets, check.as_of, check.tz, check.window, check.in_progress)
    return Output(budgets_text(check), budgets_document(check, burn), {"status": budget_rows(check),
                                                                      "burndown": burn},
                  timestamped("budgets") + filtered_suffix(check.filters),
                  period=check.month, table_end=budget_ends(check),
                  attention=[f"budget breached: {line}" for line in budgets_attention(check)],
                  heading=check.days_read_line())


def anomalies_output(report: AnomalyReport, max_rows: int) -> Output:
    """Anomalies and forecasts in every form (CSV rows ending with the period, the filters and ``accuracy_cost``)."""
    frames = {"anomalies": report.anomalies, "forecast": report.forecast, "daily": report.daily}
    return Output(anomalies_text(report, max_rows), anomalies_document(report), frames,
                  timestamped("anomalies") + filtered_suffix(report.filters), period=report.period,
                  table_end=anomaly_ends(report),
                  attention=[f"anomaly: {line}" for line in anomalies_attention(report)],
                  heading=report.days_read_line())


def chargeback_output(chargeback: Chargeback, max_rows: int) -> Output:
    """The chargeback in every form (CSV: the rows and the unpriced usage, each row ending with the days the logs
    cover, its month, grouping, zone and filters, then the JSON ``accuracy`` of what it holds: ``accuracy_tokens``,
    on the rows, which hold costs, ``accuracy_cost``, and ``accuracy_unpriced``, as the developer costs' rows do)."""
    document = chargeback_document(chargeback)
    covered = {f"coverage_{name}": value for name, value in coverage_fields(chargeback.coverage).items()}
    # the rows' own month and group_by stay first; tz comes last, after the columns files had before it
    named = {"month": chargeback.month, "group_by": chargeback.group_by, "tz": chargeback.tz,
             "filters": filters_text(chargeback.filters)}
    return Output(chargeback_text(chargeback, max_rows), document,
                  {"": chargeback.rows, "unpriced": chargeback.unpriced},
                  chargeback_stem(chargeback.month, chargeback.group_by, chargeback.filters), stable=True,
                  row_end=covered | named, table_end=accuracy_ends(document["accuracy"], CHARGEBACK_NOTES))


def developers_output(table: pd.DataFrame, month: str, note: str, warnings: list[str], max_rows: int,
                      period: Period, days: str = "", filters: dict[str, object] | None = None,
                      price_file: PriceFile | None = None, split_unknown: int = 0,
                      kiro: KiroCredits | None = None) -> Output:
    """Total AI cost per developer in every form (CSV rows end with the days they cover, through today at the
    latest, the zone and the ``filters``, as the chargeback's do, then each note of the JSON ``accuracy`` as
    ``accuracy_<key>``); ``days`` is the line saying which days the Bedrock logs cover; ``price_file``: the user's
    price file, when its rows priced some of the Bedrock calls; ``split_unknown``: the developers' priced Bedrock
    calls whose cache writes went at the 5-minute rate for want of their split; ``kiro``: the Amazon Q / Kiro report's
    Kiro figures (``accuracy_kiro_cost`` names their price table, as ``qcli_s3_analyzer.py``'s does). A run narrowed
    by ``filters`` is named apart, so it never replaces the whole month's files."""
    document = developers_document(table, month, note, warnings, filters, price_file, split_unknown, kiro)
    return Output(developers_text(table, month, note, warnings, max_rows, days, filters, price_file, split_unknown),
                  document, {"": table}, f"bedrock_developer_costs_{month}{filtered_suffix(filters)}", stable=True,
                  period=period, row_end={"filters": filters_text(filters)},
                  table_end=accuracy_ends(document["accuracy"], {"": tuple(document["accuracy"])}))


def as_demo(output: Output) -> Output:
    """``output`` marked as demo data wherever it goes: a first line of text, ``"demo": true`` in the document and
    ``demo`` in file names (as the report's), so its figures are never taken for an account's."""
    return dataclasses.replace(output, text=f"*** {DEMO_SOURCE} ***\n{output.text}",
                               document={"demo": True, **output.document},
                               stem=output.stem.replace("bedrock_", "bedrock_demo_", 1))


def emit(output: Output, fmt: str, out_dir: str, said: Sequence[str] = ()) -> None:
    """Print the text (terminal), or write the CSV files or JSON document and say where, with what needs attention
    (why the run exits 3) and the warnings on stderr, but the warnings already ``said`` there (the sync's)."""
    if fmt == "terminal":
        print(output.text)
        return
    print_warnings(output.attention, "attention")
    nested = output.document.get("callers") or {}  # a reconciliation's per-caller part keeps its own
    lines = [line for line in [*output.document.get("warnings", ()), *nested.get("warnings", ())] if line not in said]
    print_warnings(lines[:-1] if lines and lines[-1] == output.heading else lines)  # a heading over nothing left
    for path in write_outputs(output, fmt, out_dir):
        print(f"Wrote {path}")


def write_outputs(output: Output, fmt: str, out_dir: str) -> list[str]:
    """Write CSV files (one per table) or one JSON document; ``-`` prints the JSON. Returns what was written.
    A stable output's files replace those of the same name; the others are always new files."""
    if fmt == "json" and out_dir == "-":
        print(document_text(output.document))
        return []
    folder = Path(out_dir)
    files = stable_files if output.stable else new_files
    if fmt == "json":
        (path,) = files(folder, output.stem, [".json"])
        return [str(write_text(path, document_text(output.document)))]
    paths = files(folder, output.stem, [f"_{name}.csv" if name else ".csv" for name in output.frames])
    stamp = {**(output.period.columns() if output.period else {}), **output.row_end}
    return [str(write_csv(path, frame.assign(**stamp, **output.table_end.get(name, {}))))
            for path, (name, frame) in zip(paths, output.frames.items(), strict=True)]


def timestamped(name: str, now: datetime | None = None) -> str:
    """``bedrock_reconciliation_20251019_214611``."""
    return f"bedrock_{name}_{(now or datetime.now()).strftime('%Y%m%d_%H%M%S')}"
