"""A user's price file that prices a model in one endpoint family only (rows default to ``regional``): calls through
another family (``global.``, GovCloud) take the built-in book's price, and the report says so in one line per model
and family, so a negotiated price is never taken to apply everywhere."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from bedrock_usage.engines.local import LocalEngine
from bedrock_usage.engines.queries import Filters
from bedrock_usage.logs.period import resolve_period
from bedrock_usage.pricing import PriceBook
from bedrock_usage.report.tracker import BedrockAthenaTracker, UsageReport, narrowed
from tests.logfiles import ACCOUNT, write_records
from tests.oracle import all_rates

SONNET_45 = "anthropic.claude-sonnet-4-5-20250929-v1:0"
HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
DAY = "2026-11-10"
OWN = {"input": 0.002, "output": 0.01, "cache_write_5m": 0.0025, "cache_read": 0.0002}  # a negotiated price
CALLS = [(f"global.{SONNET_45}", "us-east-1"), (f"global.{SONNET_45}", "us-east-1"), (f"us.{SONNET_45}", "us-east-1"),
         (SONNET_45, "us-gov-west-1"), (HAIKU, "us-east-1")]


def call(n: int, model_id: str, region: str) -> dict:
    return {"timestamp": f"{DAY}T12:{n:02d}:00Z", "accountId": ACCOUNT, "region": region,
            "identity": {"arn": f"arn:aws:iam::{ACCOUNT}:user/ana"}, "requestId": f"r-{n}", "operation": "Converse",
            "modelId": model_id, "input": {"inputTokenCount": 1000}, "output": {"outputTokenCount": 100}}


def analyse(tmp_path: Path, rows: list[dict], calls: list[tuple[str, str]] = CALLS,
            regions: tuple[str, ...] = ("us-east-1", "us-gov-west-1")) -> UsageReport:
    """The report of ``calls`` (model id, Region) on ``DAY`` priced with a price file of ``rows``."""
    logs, prices = tmp_path / "logs", tmp_path / "prices.json"
    write_records(logs, [call(n, model, region) for n, (model, region) in enumerate(calls)])
    prices.write_text(json.dumps({"prices": rows}), encoding="utf-8")
    tracker = BedrockAthenaTracker(LocalEngine(logs, cache=False), PriceBook.load(prices))
    return tracker.analyze(resolve_period(start=DAY, end=DAY), regions, Filters())


def fallbacks(report: UsageReport) -> list[str]:
    return [line for line in report.warnings if "your price file" in line]


def test_calls_of_another_family_name_the_family_that_took_the_book_price(tmp_path: Path) -> None:
    report = analyse(tmp_path, [{"model": SONNET_45, **OWN}])
    assert fallbacks(report) == [
        f"Claude Sonnet 4.5 ({SONNET_45}): your price file prices it for the regional endpoint family only; "
        f"{n} through the {family} family took the built-in book's price (add a row with \"family\": \"{family}\" "
        "for yours there)" for n, family in (("2 calls", "global"), ("1 call", "govcloud"))]
    # the geo call at the user's price, the others at the published list prices (tokens of 1,000 in, 100 out)
    cost = report.facts.groupby("model_id")["estimated_cost_usd"].sum()
    day = date.fromisoformat(DAY)
    listed = {model: all_rates(model, day, 0, region)[:2] for model, region in CALLS}
    assert cost[f"us.{SONNET_45}"] == pytest.approx(OWN["input"] + 0.1 * OWN["output"])
    assert cost[f"global.{SONNET_45}"] == pytest.approx(2 * (listed[f"global.{SONNET_45}"][0]
                                                             + 0.1 * listed[f"global.{SONNET_45}"][1]))
    assert cost[SONNET_45] == pytest.approx(listed[SONNET_45][0] + 0.1 * listed[SONNET_45][1])
    # a drill-down into the model keeps the line; Claude 3 Haiku, not in the price file, has none
    drilled = narrowed(report, pd.Series(report.facts["model_id"].str.contains("sonnet")))
    assert fallbacks(drilled) == fallbacks(report)


def test_a_price_file_that_names_every_family_called_says_nothing(tmp_path: Path) -> None:
    rows = [{"model": SONNET_45, "family": family, **OWN} for family in ("regional", "global", "govcloud")]
    assert fallbacks(analyse(tmp_path, rows)) == []


def test_a_drill_down_says_only_what_its_own_calls_took(tmp_path: Path) -> None:
    """A drill-down without the model's calls through another family has no such line; one with some of them names
    those alone (the same in the dashboard, which narrows reports the same way)."""
    report = analyse(tmp_path, [{"model": SONNET_45, **OWN}])
    model_ids = report.facts["model_id"]
    assert fallbacks(narrowed(report, pd.Series(model_ids == HAIKU))) == []
    assert fallbacks(narrowed(report, pd.Series(model_ids == f"us.{SONNET_45}"))) == []
    assert fallbacks(narrowed(report, pd.Series(model_ids == f"global.{SONNET_45}"))) == [
        f"Claude Sonnet 4.5 ({SONNET_45}): your price file prices it for the regional endpoint family only; 2 calls "
        "through the global family took the built-in book's price (add a row with \"family\": \"global\" for yours "
        "there)"]
