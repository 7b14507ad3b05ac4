"""A user's price file that prices a model without one of the book's context tiers: a call past that tier's
threshold takes the built-in book's tier price, as calls of another endpoint family or Region take the book's price,
and the report says so in one line naming the model, the tier and those calls."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from bedrock_usage.engines.local import LocalEngine
from bedrock_usage.engines.queries import Filters
from bedrock_usage.logs.period import resolve_period
from bedrock_usage.pricing import PriceBook
from bedrock_usage.report.tracker import BedrockAthenaTracker, UsageReport, narrowed
from tests.logfiles import ACCOUNT, write_records
from tests.oracle import MODELS
from tests.report.test_price_file_families import DAY, SONNET_45, fallbacks

GPT_54 = "openai.gpt-5.4"
OWN = {"input": 0.002, "output": 0.01}  # a negotiated price, without a context tier
OUTPUT_TOKENS = 500


def call(n: int, model_id: str, input_tokens: int) -> dict:
    return {"timestamp": f"{DAY}T12:{n:02d}:00Z", "accountId": ACCOUNT, "region": "us-east-1",
            "identity": {"arn": f"arn:aws:iam::{ACCOUNT}:user/ana"}, "requestId": f"r-{n}", "operation": "Converse",
            "modelId": model_id, "input": {"inputTokenCount": input_tokens},
            "output": {"outputTokenCount": OUTPUT_TOKENS}}


def analyse(tmp_path: Path, model: str, long_input: int, rows: list[dict]) -> UsageReport:
    """The report of a 1,000-token call and a ``long_input``-token call of ``us.{model}`` from us-east-1."""
    logs, prices = tmp_path / "logs", tmp_path / "prices.json"
    write_records(logs, [call(0, f"us.{model}", 1000), call(1, f"us.{model}", long_input)])
    prices.write_text(json.dumps({"prices": rows}), encoding="utf-8")
    tracker = BedrockAthenaTracker(LocalEngine(logs, cache=False), PriceBook.load(prices))
    return tracker.analyze(resolve_period(start=DAY, end=DAY), ("us-east-1",), Filters())


def cost_by_input(report: UsageReport) -> dict[int, float]:
    return report.facts.groupby("input_tokens")["estimated_cost_usd"].sum().to_dict()


@pytest.mark.parametrize(("model", "name", "tier", "long_input"), [
    (SONNET_45, "Claude Sonnet 4.5", "above_200k", 210_000),
    (GPT_54, "GPT-5.4", "above_272k", 280_000),
])
def test_a_long_call_takes_the_book_tier_price_and_the_report_names_the_tier(
        tmp_path: Path, model: str, name: str, tier: str, long_input: int) -> None:
    report = analyse(tmp_path, model, long_input, [{"model": model, **OWN}])
    assert fallbacks(report) == [
        f"{name} ({model}): your price file has no {tier} row for its regional endpoint family; 1 call from "
        f"us-east-1 took the built-in book's {tier} price (add a row with \"tier\": \"{tier}\" for yours there)"]
    listed_input, listed_output = MODELS[model]["regional-long"][:2]  # the published long-context list price
    cost = cost_by_input(report)
    assert cost[1000] == pytest.approx((1000 * OWN["input"] + OUTPUT_TOKENS * OWN["output"]) / 1000)
    assert cost[long_input] == pytest.approx((long_input * listed_input + OUTPUT_TOKENS * listed_output) / 1000)
    # a drill-down into the short call alone has no such line
    short = narrowed(report, pd.Series(report.facts["input_tokens"] == 1000))
    assert fallbacks(short) == []


def test_a_price_file_with_the_tier_prices_the_long_call_and_says_nothing(tmp_path: Path) -> None:
    long_rate = {"input": 0.004, "output": 0.015}
    rows = [{"model": SONNET_45, **OWN}, {"model": SONNET_45, "tier": "above_200k", **long_rate}]
    report = analyse(tmp_path, SONNET_45, 210_000, rows)
    assert fallbacks(report) == []
    assert cost_by_input(report)[210_000] == pytest.approx(
        (210_000 * long_rate["input"] + OUTPUT_TOKENS * long_rate["output"]) / 1000)
