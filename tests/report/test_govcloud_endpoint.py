"""GovCloud calls are a ``govcloud`` row of the model table, apart from commercial calls of the same model id: no row
mixes two price families. Expected rows come from plain Python over the records written here, costs from
tests/oracle.py (published prices)."""

from __future__ import annotations

import csv
import math
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest

from bedrock_usage.engines.local import LocalEngine
from bedrock_usage.logs.period import resolve_period
from bedrock_usage.report.render import render_terminal, report_document, write_csv
from bedrock_usage.report.tracker import BedrockAthenaTracker, UsageReport
from tests.logfiles import ACCOUNT, write_records
from tests.oracle import GEOS, base_and_family, call_cost

DAY = "2026-06-01"
HAIKU_3 = "anthropic.claude-3-haiku-20240307-v1:0"
HAIKU_45 = "anthropic.claude-haiku-4-5-20251001-v1:0"
CALLS = [  # (logged model id, source region)
    (HAIKU_3, "us-east-1"), (HAIKU_3, "us-gov-west-1"), (f"us-gov.{HAIKU_3}", "us-gov-west-1"),
    (f"us.{HAIKU_45}", "us-east-1"), (f"global.{HAIKU_45}", "us-east-1"), (HAIKU_45, "us-east-1"),
    (f"us-gov.{HAIKU_45}", "us-gov-east-1"), (HAIKU_45, "us-gov-west-1"),
]


def record(n: int, model_id: str, region: str) -> dict:
    """One Converse call of 1M input and 1M output tokens."""
    partition = "aws-us-gov" if region.startswith("us-gov-") else "aws"
    return {"schemaType": "ModelInvocationLog", "schemaVersion": "1.0", "timestamp": f"{DAY}T12:{n:02d}:00Z",
            "accountId": ACCOUNT, "identity": {"arn": f"arn:{partition}:iam::{ACCOUNT}:user/ivy"},
            "region": region, "requestId": f"00000000-0000-4000-8000-{n:012d}", "operation": "Converse",
            "modelId": model_id, "input": {"inputTokenCount": 1_000_000}, "output": {"outputTokenCount": 1_000_000}}


def endpoint(model_id: str, region: str) -> str:
    """The endpoint a report should show: GovCloud by its region or ``us-gov.`` id, else the id's form."""
    head, _, rest = model_id.partition(".")
    if region.startswith("us-gov-") or head == "us-gov":
        return "govcloud"
    if head == "global" and "." in rest:
        return "global"
    return "geo" if head in GEOS and "." in rest else "in-region"


def expected_rows(records: list[dict]) -> dict[tuple[str, str], tuple[int, float]]:
    """(endpoint, base model id) -> (calls, cost at published prices)."""
    terms: dict[tuple[str, str], list[float]] = defaultdict(list)
    calls: dict[tuple[str, str], int] = defaultdict(int)
    for rec in records:
        key = (endpoint(rec["modelId"], rec["region"]), base_and_family(rec["modelId"], rec["region"])[0] or "")
        calls[key] += 1
        cost = call_cost(rec, date.fromisoformat(DAY))
        assert cost is not None, rec["modelId"]  # every call here has a published price
        terms[key].extend(cost)
    return {key: (calls[key], math.fsum(terms[key])) for key in calls}


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[dict], UsageReport]:
    """The records written, and the report over them."""
    records = [record(n, model_id, region) for n, (model_id, region) in enumerate(CALLS)]
    root = tmp_path_factory.mktemp("govcloud")
    write_records(root, records)
    regions = tuple(sorted({region for _, region in CALLS}))
    report = BedrockAthenaTracker(LocalEngine(root, cache=False)).analyze(resolve_period(start=DAY, end=DAY), regions)
    return records, report


def test_govcloud_calls_are_a_row_of_their_own(written: tuple[list[dict], UsageReport]) -> None:
    records, report = written
    got = {(row.endpoint, row.base_model_id): (row.calls, row.estimated_cost_usd)
           for row in report.tables["model"].itertuples()}
    want = expected_rows(records)
    assert set(got) == set(want)
    for key, (calls, cost) in want.items():
        assert got[key] == (calls, pytest.approx(cost, rel=1e-12)), key
    assert math.fsum(cost for _, cost in want.values()) == pytest.approx(report.summary["estimated_cost_usd"])


def test_json_csv_and_terminal_name_the_govcloud_endpoint(written: tuple[list[dict], UsageReport],
                                                          tmp_path: Path) -> None:
    records, report = written
    want = {key: calls for key, (calls, _) in expected_rows(records).items()}
    document = report_document(report, ["model"])
    assert {(row["endpoint"], row["base_model_id"]): row["calls"] for row in document["analyses"]["model"]} == want
    with next(p for p in write_csv(report, ["model"], tmp_path) if p.name.endswith("_model.csv")).open() as handle:
        assert {(row["endpoint"], row["base_model_id"]): int(row["calls"]) for row in csv.DictReader(handle)} == want
    lines = render_terminal(report, ["model"], max_rows=20).splitlines()
    assert sum(1 for line in lines if " govcloud " in line) == sum(1 for endpoint, _ in want if endpoint == "govcloud")
