"""The governance outputs name the price file whose rows priced calls, as the usage report does: the budget check
(terminal and alert), the anomalies, the comparison with the bill per caller (a small CUR 2.0 folder) and the
developer costs (terminal and JSON accuracy); without a price file they say list prices as before."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

import bedrock_tracker_cli
from bedrock_usage.governance.budgets import alert_text, check_budgets, load_budgets
from bedrock_usage.governance.chargeback import developer_costs
from bedrock_usage.governance.render import developers_text
from tests.governance.cur_export import LineItem, write_export
from tests.governance.test_developer_costs import write_scene
from tests.logfiles import ACCOUNT, write_records
from tests.qdev.test_offline import offline  # noqa: F401  (fixture)
from tests.report.test_price_file_named import DAY, HAIKU, OWN, RECORDS, analyse, price_file

pytestmark = pytest.mark.usefixtures("no_aws_env")


def named(prices: Path, digest: str) -> str:
    """How every output names the price file that priced calls."""
    return f"the prices of the price file {prices} (sha256 {digest}) where its rows apply, else list prices"


def run(capsys: pytest.CaptureFixture[str], logs: Path, prices: Path, *args: str) -> tuple[int, str]:
    """The report CLI's exit code and standard output, on the local ``logs`` priced with ``prices``."""
    code = bedrock_tracker_cli.main(["--engine", "local", "--logs-dir", str(logs), "--quiet", "--prices",
                                     str(prices), *args])
    return code, capsys.readouterr().out


@pytest.fixture
def priced(tmp_path: Path) -> tuple[Path, Path, str]:
    """The logs of ``RECORDS`` and a price file of Claude 3 Haiku's rows, with its digest."""
    write_records(tmp_path / "logs", RECORDS)
    return tmp_path / "logs", *price_file(tmp_path, [{"model": HAIKU, **OWN}])


def test_the_budget_check_and_its_alert_name_the_price_file(priced: tuple[Path, Path, str], tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    logs, prices, digest = priced
    budgets = tmp_path / "budgets.json"
    budgets.write_text(json.dumps({"budgets": [{"name": "All", "all": True, "monthly_usd": 0.0001}]}), "utf-8")
    code, out = run(capsys, logs, prices, "--check-budgets", str(budgets), "--end-date", DAY, "--tz", "UTC")
    assert code == 3 and f"Spend is the estimated cost (logged tokens x {named(prices, digest)})." in out
    report = analyse(tmp_path, prices)
    check = check_budgets(report.facts, load_budgets(str(budgets)), date.fromisoformat(DAY), "UTC")
    assert "costs are estimates from list prices." in alert_text(check)[1]
    check.price_file = report.price_file
    assert f"costs are estimates from {named(prices, digest)}." in alert_text(check)[1]


def test_the_anomalies_name_the_price_file(priced: tuple[Path, Path, str], capsys: pytest.CaptureFixture[str]) -> None:
    logs, prices, digest = priced
    _, out = run(capsys, logs, prices, "--anomalies", "--start-date", DAY, "--end-date", DAY, "--tz", "UTC")
    assert f"Costs are estimated from {named(prices, digest)}." in out


@pytest.mark.parametrize("rows", [[{"model": HAIKU, **OWN}], [{"model": HAIKU, **OWN, "effective_from": "2025-12-01"}]],
                         ids=["rows that price calls", "rows that price no call"])
def test_the_budgets_and_anomalies_json_name_the_price_file_as_the_report_json(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], rows: list[dict]) -> None:
    """``price_file`` is the report JSON's ``source.price_file`` (path as given, 12 hex digits of the SHA-256 of the
    file's bytes) when its rows priced calls, else null."""
    write_records(tmp_path / "logs", RECORDS)
    prices, digest = price_file(tmp_path, rows)
    budgets = tmp_path / "budgets.json"
    budgets.write_text(json.dumps({"budgets": [{"name": "All", "all": True, "monthly_usd": 100.0}]}), "utf-8")
    json_out = ("--format", "json", "--output-dir", "-", "--tz", "UTC")
    expected = {"path": str(prices), "sha256": digest} if "effective_from" not in rows[0] else None
    report = json.loads(run(capsys, tmp_path / "logs", prices, "--start-date", DAY, "--end-date", DAY, *json_out)[1])
    assert report["source"].get("price_file") == expected
    for mode in (("--check-budgets", str(budgets), "--end-date", DAY),
                 ("--anomalies", "--start-date", DAY, "--end-date", DAY)):
        code, out = run(capsys, tmp_path / "logs", prices, *mode, *json_out)
        assert code == 0 and json.loads(out)["price_file"] == expected


def test_the_budgets_and_anomalies_json_without_a_price_file_say_null(tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    write_records(tmp_path / "logs", RECORDS)
    budgets = tmp_path / "budgets.json"
    budgets.write_text(json.dumps({"budgets": [{"name": "All", "all": True, "monthly_usd": 100.0}]}), "utf-8")
    for mode in (("--check-budgets", str(budgets), "--end-date", DAY),
                 ("--anomalies", "--start-date", DAY, "--end-date", DAY)):
        code = bedrock_tracker_cli.main(["--engine", "local", "--logs-dir", str(tmp_path / "logs"), "--quiet", *mode,
                                         "--tz", "UTC", "--format", "json", "--output-dir", "-"])
        document = json.loads(capsys.readouterr().out)
        assert code == 0 and "price_file" in document and document["price_file"] is None


def test_the_comparison_with_the_bill_names_the_price_file(priced: tuple[Path, Path, str], tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    logs, prices, digest = priced
    ann = RECORDS[0]["identity"]["arn"]
    export = write_export(tmp_path / "bucket", [
        LineItem(ACCOUNT, ann, "AmazonBedrock", "Amazon Bedrock", "USE1-Claude3Haiku-input-tokens", "us-east-1",
                 date.fromisoformat(DAY), 0.001, 4006)])
    _, document = run(capsys, logs, prices, "--reconcile", "--cur-dir", str(export), "--region", "us-east-1",
                      "--start-date", DAY, "--end-date", DAY, "--format", "json", "--output-dir", "-")
    assert f"the estimate is logged tokens x {named(prices, digest)}. Difference" in json.loads(document)["truth"]


@pytest.mark.usefixtures("offline")
def test_the_developer_costs_name_the_price_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    logs, qdev, _ = write_scene(tmp_path, [])
    prices, digest = price_file(tmp_path, [{"model": HAIKU, **OWN}])
    _, document = run(capsys, logs, prices, "--qdev-logs-dir", str(qdev), "--developer-costs", "2025-11",
                      "--format", "json", "--output-dir", "-")
    assert named(prices, digest) in json.loads(document)["accuracy"]["cost"]
    report = analyse(tmp_path / "report", prices)
    first, last = date(2025, 11, 1), date(2025, 11, 30)
    text = developers_text(developer_costs(report.facts, [], first, last), "2025-11", "a note", [],
                           price_file=report.price_file)
    assert f"Bedrock cost is estimated from {named(prices, digest)}; seats" in text
