"""An ``errorCode`` logged empty (``""``) is no error: the call is counted as a success and priced, as one without
the field is, while a named code is a failed call."""

from __future__ import annotations

from pathlib import Path

import pytest

from bedrock_usage.engines.local import LocalEngine
from bedrock_usage.logs.period import resolve_period
from bedrock_usage.report.render import render_terminal
from bedrock_usage.report.tracker import BedrockAthenaTracker
from tests.logfiles import write_records
from tests.oracle import aggregate
from tests.report.test_pricing_families import record

PERIOD = resolve_period(start="2026-11-02", end="2026-11-02")
MODEL = "anthropic.claude-3-haiku-20240307-v1:0"


def test_an_empty_error_code_is_a_priced_success(tmp_path: Path) -> None:
    records = [record(1, MODEL, "us-east-1"), record(2, MODEL, "us-east-1") | {"errorCode": ""},
               record(3, MODEL, "us-east-1", error="ThrottlingException", tokens=(0, 0))]
    write_records(tmp_path, records)
    report = BedrockAthenaTracker(LocalEngine(tmp_path, cache=False)).analyze(PERIOD)
    want = aggregate(records, PERIOD.start, PERIOD.end)["region"][("us-east-1",)]
    assert (report.summary["calls"], report.summary["errors"]) == (3, want.errors) == (3, 1)
    assert report.summary["unpriced_calls"] == 0
    assert report.summary["estimated_cost_usd"] == pytest.approx(want.estimated_cost)
    assert "Calls:              3 (1 error)\n" in render_terminal(report, [], 0)
