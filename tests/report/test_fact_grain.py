"""The facts' grain (``FACT_DIMENSIONS``) loses nothing: every table, the summary, the warnings, the unpriced list and
the roll-ups that features read from the facts are the same as from one fact row per delivered record (the finest
grain, ``RECORD_DIMENSIONS`` added), to 1e-9, over the demo corpus and the record-shape fixtures, with filters, tags,
time zones, user patterns, unknown callers and models, duplicates, application inference profiles and the pricing
units read from logged bodies. tests/oracle.py checks the figures themselves (test_tracker_corpus.py and others).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

from bedrock_usage.engines.local import LocalEngine
from bedrock_usage.engines.queries import FACT_DIMENSIONS, RECORD_DIMENSIONS, Filters
from bedrock_usage.governance.profiles import ProfileResolver, load_profile_file
from bedrock_usage.logs.period import resolve_period
from bedrock_usage.logs.regions import DEFAULT_REGIONS
from bedrock_usage.report.priced_facts import TOTAL_COST
from bedrock_usage.report.tracker import BedrockAthenaTracker, UsageReport, rollup
from tests.logfiles import write_records
from tests.oracle import EXAMPLE_PROFILES
from tests.report.test_pricing_families import CALLS, DAY, UNPRICED, record

SHAPES = [entry["record"] for entry in json.loads(
    (Path(__file__).resolve().parents[1] / "fixtures" / "record_shapes.json").read_text())["records"]]
RECORD_GRAIN = (*FACT_DIMENSIONS, *RECORD_DIMENSIONS)
# What the features (budgets, anomalies, chargeback, reconciliation per caller, drill-down) group the facts by.
FEATURE_KEYS = (["identity_arn", "utc_day", "model", "source_region"], ["principal_type", "user", "day"],
                ["model_id", "endpoint", "cache_kinds"], ["application", "weekday", "hour"])


def assert_frames_equal(old: pd.DataFrame, new: pd.DataFrame, label: str) -> None:
    """Same columns and rows (in any order among ties), numbers to 1e-9."""
    assert list(old.columns) == list(new.columns), label
    assert len(old) == len(new), label
    keys = [c for c in old.columns if old[c].dtype == object or pd.api.types.is_string_dtype(old[c])]
    order = keys or list(old.columns)
    old, new = (f.sort_values(order, na_position="first").reset_index(drop=True) for f in (old, new))
    for column in old.columns:
        if pd.api.types.is_float_dtype(old[column]) or pd.api.types.is_float_dtype(new[column]):
            a, b = old[column].astype("float64"), new[column].astype("float64")
            assert (a.isna() == b.isna()).all(), f"{label}: {column} priced differently"
            assert ((a - b).abs().fillna(0) <= 1e-9 * b.abs().clip(lower=1).fillna(1)).all(), f"{label}: {column}"
        else:
            assert old[column].astype("object").fillna("<NA>").tolist() == \
                new[column].astype("object").fillna("<NA>").tolist(), f"{label}: {column}"


def assert_reports_equal(old: UsageReport, new: UsageReport) -> None:
    assert set(old.tables) == set(new.tables)
    for name in old.tables:
        assert_frames_equal(old.tables[name], new.tables[name], name)
    assert old.summary.keys() == new.summary.keys()
    for name, value in old.summary.items():
        assert new.summary[name] == pytest.approx(value, rel=1e-9, abs=1e-9), name
    assert_frames_equal(old.unpriced, new.unpriced, "unpriced")
    assert old.warnings == new.warnings
    assert (old.records_skipped, old.stats.duplicate_records) == (new.records_skipped, new.stats.duplicate_records)
    for keys in FEATURE_KEYS:
        assert_frames_equal(rollup(old.facts, keys), rollup(new.facts, keys), f"facts by {keys}")
    assert len(new.facts) <= len(old.facts)


def both(root: Path, period_args: dict, regions=DEFAULT_REGIONS, filters: Filters | None = None,
         user_pattern: str | None = None, **tracker_args) -> tuple[UsageReport, UsageReport]:
    period = resolve_period(**period_args)
    reports = [BedrockAthenaTracker(LocalEngine(root, cache=False), dimensions=grain, **tracker_args)
               .analyze(period, regions, filters, user_pattern) for grain in (RECORD_GRAIN, FACT_DIMENSIONS)]
    assert reports[0].summary["calls"] > 0
    return reports[0], reports[1]


CORPUS_CASES = [
    pytest.param(dict(period_args=dict(start="2025-10-20", end="2025-12-05")), id="whole-corpus"),
    pytest.param(dict(period_args=dict(start="2025-11-28", end="2025-12-03", tz="Asia/Seoul"),
                      filters=Filters(arn_pattern="BedrockRole")), id="seoul-arn-filter"),
    pytest.param(dict(period_args=dict(start="2025-11-01", end="2025-11-20", tz="Asia/Kolkata"),
                      user_pattern="a"), id="kolkata-user-pattern"),
    pytest.param(dict(period_args=dict(start="2025-11-01", end="2025-11-30"), extra_tags=("team", "cost_center"),
                      role_suffix="-Role"), id="tags-role-suffix"),
    pytest.param(dict(period_args=dict(start="2025-10-20", end="2025-12-05"),
                      rewriter=ProfileResolver(load_profile_file(EXAMPLE_PROFILES))), id="inference-profiles"),
]


@pytest.mark.slow
@pytest.mark.parametrize("case", CORPUS_CASES)
def test_demo_corpus_same_report_at_both_grains(bedrock_corpus, case: dict) -> None:
    old, new = both(bedrock_corpus[0], **case)
    assert_reports_equal(old, new)


@pytest.fixture(scope="module")
def odd_logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Real record shapes, every pricing unit read from bodies, unknown callers and models, and duplicates."""
    root = tmp_path_factory.mktemp("odd-logs")
    priced = [record(n, model, region, **options) for n, (model, region, options) in enumerate(CALLS)]
    priced += [record(100 + n, model, region, **options) for n, (model, region, options, _) in enumerate(UNPRICED)]
    odd = [{**priced[0], "requestId": "no-caller", "identity": None},
           {**priced[1], "requestId": "no-model", "modelId": None},
           {**priced[2], "requestId": "empty-caller", "identity": {"arn": ""}}]
    write_records(root, SHAPES + priced + odd)
    write_records(root, SHAPES[:5] + priced[:4], prefix="copy/")  # delivered twice
    return root


@pytest.mark.slow
@pytest.mark.parametrize("case", [
    pytest.param(dict(start="2025-11-03", end="2025-11-05"), id="shapes-utc"),
    pytest.param(dict(start="2025-11-02", end="2025-11-06", tz="America/St_Johns"), id="shapes-half-hour-zone"),
    pytest.param(dict(start=DAY, end=DAY), id="pricing-units"),
])
def test_odd_records_same_report_at_both_grains(odd_logs: Path, case: dict) -> None:
    regions = ("us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1", "ap-northeast-1",
               "ap-northeast-2", "ap-south-1", "us-gov-west-1")
    old, new = both(odd_logs, case, regions, extra_tags=("traceId", "TraceId", "cost_center"))
    assert old.stats.duplicate_records > 0
    assert_reports_equal(old, new)


def test_pricing_units_are_exercised(odd_logs: Path) -> None:
    old, new = both(odd_logs, dict(start=DAY, end=DAY), ("us-east-1", "us-west-2", "eu-west-1", "ap-northeast-2",
                                                          "us-gov-west-1", "eu-central-1"))
    facts = new.facts
    assert facts["images"].sum() > 0 and facts["video_seconds"].sum() > 0 and facts["rerank_queries"].sum() > 0
    assert facts["cache_write_1h_tokens"].sum() > 0 and (facts["context_over"] > 0).any()
    assert (facts["principal_type"] == "unknown").any() and not math.isnan(new.summary[TOTAL_COST])
    assert set(new.unpriced["reason"]) >= {"needs body logging", "speech and text tokens are not split in the logs"}
