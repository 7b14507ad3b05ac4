"""Region-day coverage of ``--reconcile`` in process: only the models CloudWatch metered that day are compared.

The counts are built here from plain dicts of calls per model; the expected coverage, status and unmetered calls
are worked out from the same dicts, not by the code under test."""

from __future__ import annotations

from datetime import date

import pandas as pd

from bedrock_usage.governance.reconcile import CHARGE_COLUMNS, BilledCost, MeteredUsage, Reconciliation, reconcile
from bedrock_usage.logs.period import Period

DAY = date(2025, 11, 3)
SONNET = "anthropic.claude-3-5-sonnet-20240620-v1:0"
HAIKU_3 = "anthropic.claude-3-haiku-20240307-v1:0"
HAIKU_45 = "us.anthropic.claude-haiku-4-5-20251001-v1:0"


def _reconcile(logged: dict[str, int], metered: dict[str, int]) -> Reconciliation:
    """``reconcile`` of one us-east-1 day: ``logged`` calls per model id in the facts, ``metered`` per model key in
    CloudWatch (100 input and 10 output tokens per call on both sides), no bill, threshold 90 %."""
    facts = pd.DataFrame([{
        "source_region": "us-east-1", "utc_day": pd.Timestamp(DAY), "model_id": model, "model": model,
        "calls": calls, "errors": 0, "input_tokens": calls * 100, "output_tokens": calls * 10,
        "estimated_cost_usd": calls * 0.01, "unpriced_calls": 0, "account": "123456789012", "service_tier": "default",
    } for model, calls in logged.items()])
    usage = pd.DataFrame([{
        "region": "us-east-1", "utc_day": DAY.isoformat(), "model_key": model, "metered_calls": calls,
        "metered_input_tokens": calls * 100, "metered_output_tokens": calls * 10,
    } for model, calls in metered.items()])
    failures = pd.DataFrame(columns=["region", "utc_day", "delivery_failures"])
    return reconcile(facts, MeteredUsage(usage, failures), BilledCost(pd.DataFrame(columns=CHARGE_COLUMNS)),
                     Period(DAY, DAY), ("us-east-1",), 0.9, today=DAY)


def test_a_model_without_a_metric_never_lifts_another_models_coverage() -> None:
    logged, metered = {SONNET: 50, HAIKU_45: 60}, {SONNET: 100}  # Haiku 4.5 is logged, never metered
    row = _reconcile(logged, metered).by_region_day.iloc[0]
    compared = sum(calls for model, calls in logged.items() if model in metered)
    without = sum(calls for model, calls in logged.items() if model not in metered)
    assert (row["logged_calls"], row["metered_calls"], row["logged_calls_without_metric"]) == (
        compared, sum(metered.values()), without)
    assert row["coverage"] == compared / sum(metered.values())
    assert row["status"] == "incomplete logs"


def test_a_region_day_above_the_threshold_is_flagged_when_one_of_its_models_is_below() -> None:
    logged, metered = {SONNET: 80, HAIKU_3: 1000}, {SONNET: 100, HAIKU_3: 1000}
    result = _reconcile(logged, metered)
    row = result.by_region_day.iloc[0]
    assert row["coverage"] == sum(logged.values()) / sum(metered.values())  # 98 %: above 90 % over the day
    assert result.by_model_day.set_index("model_key").loc[SONNET, "status"] == "incomplete logs"  # 80 %
    assert row["status"] == "incomplete logs"


def test_a_comparison_with_the_bill_is_withheld_where_logged_calls_have_no_price() -> None:
    """Sonnet's calls are priced ($0.01 each); Haiku 3 has 40 priced calls and 10 without a price (a cache price the
    book lacks, say): its estimate is only the priced part, so neither its difference nor its ratio is given, nor the
    region-day's."""
    rows = [(SONNET, 50, 0.50, 0), (HAIKU_3, 40, 0.40, 0), (HAIKU_3, 10, None, 10)]
    facts = pd.DataFrame([{
        "source_region": "us-east-1", "utc_day": pd.Timestamp(DAY), "model_id": model, "model": model,
        "calls": calls, "errors": 0, "input_tokens": calls * 100, "output_tokens": calls * 10,
        "estimated_cost_usd": cost, "unpriced_calls": unpriced, "account": "123456789012", "service_tier": "default",
    } for model, calls, cost, unpriced in rows])
    bill = {SONNET: 0.60, HAIKU_3: 0.55}
    charges = pd.DataFrame([{
        "utc_day": DAY.isoformat(), "region": "us-east-1", "service": "Amazon Bedrock", "usage_type": "x",
        "kind": "input", "model": model, "billed_cost_usd": billed, "batch": False,
    } for model, billed in bill.items()], columns=CHARGE_COLUMNS)
    usage = pd.DataFrame([{
        "region": "us-east-1", "utc_day": DAY.isoformat(), "model_key": model, "metered_calls": calls,
        "metered_input_tokens": calls * 100, "metered_output_tokens": calls * 10,
    } for model, calls in {SONNET: 50, HAIKU_3: 50}.items()])
    failures = pd.DataFrame(columns=["region", "utc_day", "delivery_failures"])
    result = reconcile(facts, MeteredUsage(usage, failures), BilledCost(charges), Period(DAY, DAY), ("us-east-1",),
                       0.9, today=DAY)
    by_model = result.cost_by_model_day.set_index("model")
    assert abs(by_model.loc[SONNET, "difference_usd"] - (0.50 - 0.60)) < 1e-12
    assert abs(by_model.loc[SONNET, "ratio"] - 0.50 / 0.60) < 1e-12
    assert pd.isna(by_model.loc[HAIKU_3, "difference_usd"]) and pd.isna(by_model.loc[HAIKU_3, "ratio"])
    assert abs(by_model.loc[HAIKU_3, "estimated_cost_usd"] - 0.40) < 1e-12  # the priced part, shown as such
    assert pd.isna(result.by_region_day.iloc[0]["cost_difference_usd"])
