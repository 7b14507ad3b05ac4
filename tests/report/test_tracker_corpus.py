"""Every analysis of the tracker equals an independent plain-Python aggregation of the same 20,000 records."""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest

from bedrock_usage.engines.local import LocalEngine
from bedrock_usage.engines.queries import Filters
from bedrock_usage.logs.period import resolve_period
from bedrock_usage.logs.regions import DEFAULT_REGIONS
from bedrock_usage.report.tracker import BedrockAthenaTracker, rollup
from tests.oracle import Totals, aggregate

CASES = [
    pytest.param(dict(start="2025-10-20", end="2025-12-05"), id="whole-corpus"),
    pytest.param(dict(start="2025-10-25", end="2025-11-03"), id="across-october-end"),
    pytest.param(dict(start="2025-11-28", end="2025-12-03", tz="Asia/Seoul"), id="seoul-across-price-change"),
    pytest.param(dict(start="2025-11-01", end="2025-11-15", arn_pattern="BedrockRole"), id="arn-filter"),
    pytest.param(dict(start="2025-11-01", end="2025-11-15", regions=("ap-northeast-2", "eu-central-1")),
                 id="two-regions"),
]
MEASURES = ("calls", "errors", "input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens")


def assert_row_equals(row: pd.Series | dict, expected: Totals, label: str) -> None:
    for name in MEASURES:
        assert int(row[name]) == getattr(expected, name), f"{label}: {name}"
    assert int(row["unpriced_calls"]) == expected.unpriced_calls, f"{label}: unpriced_calls"
    cost = row["estimated_cost_usd"]
    if math.isnan(expected.estimated_cost):
        assert cost is None or math.isnan(cost), label
    else:
        assert cost == pytest.approx(expected.estimated_cost, abs=1e-9), f"{label}: cost"


def assert_table_equals(table: pd.DataFrame, key: str, expected: dict[tuple, Totals], label: str) -> None:
    rows = {(r[key],): r for _, r in table.iterrows()}
    assert set(rows) == set(expected), label
    for k, totals in expected.items():
        assert_row_equals(rows[k], totals, f"{label} {k}")


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES)
def test_analyses_equal_independent_aggregation(bedrock_corpus, case: dict) -> None:
    root, records = bedrock_corpus
    tz = case.get("tz", "UTC")
    regions = case.get("regions", DEFAULT_REGIONS)
    period = resolve_period(start=case["start"], end=case["end"], tz=tz)
    tracker = BedrockAthenaTracker(LocalEngine(root))
    filters = Filters(arn_pattern=case.get("arn_pattern"))
    report = tracker.analyze(period, regions, filters)
    expected = aggregate(records, date.fromisoformat(case["start"]), date.fromisoformat(case["end"]), tz,
                         case.get("arn_pattern"), regions)

    assert report.records_skipped == 0
    assert expected["summary"][()].calls > 1000
    assert_row_equals(report.summary, expected["summary"][()], "summary")
    assert_table_equals(report.tables["application"], "application", expected["application"], "application")
    assert_table_equals(report.tables["daily"], "day", expected["daily"], "daily")
    assert_table_equals(report.tables["hourly"], "hour", expected["hourly"], "hourly")
    assert_table_equals(report.tables["region"], "source_region", expected["region"], "region")
    facts, _, _ = tracker.facts(period, tuple(regions), filters)
    assert_table_equals(rollup(facts, ["user"]), "user", expected["user"], "user")
    assert_table_equals(rollup(facts, ["model_id"]), "model_id", expected["model_id"], "model")
    assert set(report.tables["user"]["user"]) == {k[0] for k in expected["user"]}
    model_totals = report.tables["model"][list(MEASURES)].sum()
    for name in MEASURES:
        assert int(model_totals[name]) == getattr(expected["summary"][()], name)


@pytest.mark.slow
def test_corpus_shows_unpriced_application_profiles_with_their_tokens(bedrock_corpus) -> None:
    root, records = bedrock_corpus
    report = BedrockAthenaTracker(LocalEngine(root)).analyze(resolve_period(start="2025-10-20", end="2025-12-05"))
    profiles = [r for r in records if ":application-inference-profile/" in r["modelId"]]
    assert profiles
    unpriced = report.unpriced
    assert int(unpriced["calls"].sum()) == len(profiles)
    assert int(unpriced["input_tokens"].sum()) == sum(r["input"].get("inputTokenCount") or 0 for r in profiles)
    assert any("application-inference-profile" in w and "unpriced" in w for w in report.warnings)
