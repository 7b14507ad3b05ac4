"""A price file that priced some calls is named, with a digest of its content, wherever a report says what its costs
are (terminal, JSON, CSV, the chargeback's header and column notes); without one, or when its rows price no call,
the costs are said to be list prices as before."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import pytest

import bedrock_tracker_cli
from bedrock_usage.engines.local import LocalEngine
from bedrock_usage.engines.queries import Filters
from bedrock_usage.governance.chargeback import build_chargeback
from bedrock_usage.governance.render import chargeback_text
from bedrock_usage.logs.period import resolve_period
from bedrock_usage.pricing import PriceBook
from bedrock_usage.report.render import render_terminal, report_document, write_csv
from bedrock_usage.report.tracker import BedrockAthenaTracker, UsageReport
from tests.logfiles import ACCOUNT, write_records

HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
DAY = "2025-11-02"
RECORDS = [{"timestamp": f"{DAY}T10:{m:02d}:00Z", "identity": {"arn": f"arn:aws:iam::{ACCOUNT}:user/ann"},
            "region": "us-east-1", "requestId": f"r{m}", "modelId": HAIKU, "input": {"inputTokenCount": 1000 + m},
            "output": {"outputTokenCount": 100 + m}} for m in range(4)]
OWN = {"input": 0.0001, "output": 0.0005}  # USD per 1K tokens, below the list price
LIST_PRICES = "x list prices of the price book for the model"


def analyse(tmp_path: Path, prices: Path | None = None) -> UsageReport:
    """The report of ``RECORDS`` priced with the price file ``prices`` (none: the built-in book alone)."""
    logs = tmp_path / "logs"
    if not logs.exists():
        write_records(logs, RECORDS)
    tracker = BedrockAthenaTracker(LocalEngine(logs, cache=False), PriceBook.load(prices))
    return tracker.analyze(resolve_period(start=DAY, end=DAY), ("us-east-1",), Filters())


def price_file(tmp_path: Path, rows: list[dict], name: str = "prices.json") -> tuple[Path, str]:
    """A price file of ``rows`` and the first 12 hex digits of its content's SHA-256."""
    path = tmp_path / name
    path.write_text(json.dumps({"prices": rows}), encoding="utf-8")
    return path, hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def test_every_report_output_names_the_price_file_that_priced_calls(tmp_path: Path) -> None:
    prices, digest = price_file(tmp_path, [{"model": HAIKU, **OWN}])
    named = f"the prices of the price file {prices} (sha256 {digest}) where its rows apply"
    priced = analyse(tmp_path, prices)
    document = report_document(priced, [])
    own_cost = sum(r["input"]["inputTokenCount"] * OWN["input"] + r["output"]["outputTokenCount"] * OWN["output"]
                   for r in RECORDS) / 1000
    assert document["summary"]["estimated_cost_usd"] == pytest.approx(own_cost)
    assert document["source"]["price_file"] == {"path": str(prices), "sha256": digest}
    assert named in document["accuracy"]["cost"] and "list prices of the price book" in document["accuracy"]["cost"]
    assert ("  Cost is estimated: logged tokens (and images made, video seconds, rerank queries and images given to "
            "an embeddings model, from logged request bodies, a call of a Stability AI one-image model as its one "
            f"image) x {named}") in render_terminal(priced, [], 0)
    [path] = [path for path in write_csv(priced, [], tmp_path / "out") if path.name.endswith("_summary.csv")]
    with path.open(newline="") as handle:
        [row] = list(csv.DictReader(handle))
    assert row["accuracy_cost"] == document["accuracy"]["cost"]


def test_two_price_files_of_one_name_are_told_apart(tmp_path: Path) -> None:
    prices, first = price_file(tmp_path, [{"model": HAIKU, **OWN}])
    before = analyse(tmp_path, prices).cost_note
    _, second = price_file(tmp_path, [{"model": HAIKU, "input": 0.0002, "output": 0.0005}])
    after = analyse(tmp_path, prices).cost_note
    assert first != second and f"(sha256 {first})" in before and f"(sha256 {second})" in after


@pytest.mark.parametrize("rows", [None, [{"model": HAIKU, **OWN, "effective_from": "2025-12-01"}]],
                         ids=["no price file", "rows that price no call"])
def test_costs_at_list_prices_say_so_as_before(tmp_path: Path, rows: list[dict] | None) -> None:
    listed = analyse(tmp_path, price_file(tmp_path, rows)[0] if rows else None)
    document = report_document(listed, [])
    assert LIST_PRICES in document["accuracy"]["cost"] and "price file" not in document["accuracy"]["cost"]
    assert "price_file" not in document["source"]
    chargeback = chargeback_text(build_chargeback(listed.facts, "2025-11", "UTC", "user"))
    assert "costs are estimated from list prices and cover priced calls only" in chargeback
    assert "price file" not in chargeback


def test_the_chargeback_header_and_column_notes_name_the_price_file(tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    prices, digest = price_file(tmp_path, [{"model": HAIKU, **OWN}])
    write_records(tmp_path / "logs", RECORDS)
    label = f"the price file {prices} (sha256 {digest}) where its rows apply"
    run = ["--engine", "local", "--logs-dir", str(tmp_path / "logs"), "--quiet", "--prices", str(prices),
           "--chargeback", "2025-11"]
    assert bedrock_tracker_cli.main(run) == 0
    assert f"costs are estimated from the prices of {label}, else list prices, and cover priced calls only" in (
        capsys.readouterr().out)
    assert bedrock_tracker_cli.main([*run, "--format", "json", "--output-dir", "-"]) == 0
    document = json.loads(capsys.readouterr().out)
    notes = {column["name"]: column["meaning"] for column in document["columns"]}
    assert notes["input_cost_usd"].startswith(f"input tokens x price ({label}, else the list price)")
    assert all("list price," not in notes[name] for name in ("output_cost_usd", "cache_read_cost_usd"))
    assert label in document["accuracy"]["cost"]
