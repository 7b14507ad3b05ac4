"""The dashboard's CSV downloads end their rows with the accuracy columns of the CLI's file of the same table, and its
cost note counts the calls whose cache writes went at the 5-minute rate for want of their split, as the CLI's cost note
does. Logs with such calls (``tests/governance/test_offloaded_cache_writes.py``); compared with the CLI's files and
JSON over the same logs, in-process (no Streamlit page)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from bedrock_usage.cache import CACHE_ENV
from bedrock_usage.dashboard import data
from bedrock_usage.dashboard.bedrock_tab import cost_note
from bedrock_usage.dashboard.tables import download_csv
from bedrock_usage.dashboard.text import Text
from bedrock_usage.governance.render import anomaly_ends, budget_ends
from bedrock_usage.report.render import row_accuracy
from tests.governance.test_offloaded_cache_writes import BATCHES, UNKNOWN, logs, note  # noqa: F401  (fixture)
from tests.logfiles import cli_csv_files, cli_json, csv_rows

START, END = date(2026, 11, 1), date(2026, 11, 30)
PERIOD = ("--start-date", START.isoformat(), "--end-date", END.isoformat())
IN_MONTH = UNKNOWN * sum(day.startswith("2026-11") for day, _ in BATCHES)  # calls whose split is unknown


def same_ends(download: bytes, cli_file: Path) -> None:
    """The download has the CLI file's header, and each row the CLI rows' filters (where the file has them) and
    accuracy columns."""
    header, rows = csv_rows(download)
    cli_header, cli_rows = csv_rows(cli_file)
    notes = [column for column in cli_header if column.startswith("accuracy_")]
    ends = [column for column in cli_header if column == "filters"] + notes
    assert notes and header == cli_header, (header, cli_header)
    assert len(rows) == len(cli_rows) and {tuple(r[n] for n in ends) for r in rows} == {
        tuple(r[n] for n in ends) for r in cli_rows}


@pytest.fixture
def bedrock(logs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> data.BedrockRequest:  # noqa: F811
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    return data.BedrockRequest(source="local", regions=("us-east-1",), start=START, end=END, logs_dir=str(logs))


@pytest.mark.slow
def test_the_bedrock_tabs_downloads_and_cost_note_say_what_the_clis_do(
        bedrock: data.BedrockRequest, logs: Path, tmp_path: Path,  # noqa: F811
        capsys: pytest.CaptureFixture[str]) -> None:
    report = data.load_bedrock(bedrock).report
    cli = cli_json(capsys, logs, *PERIOD, "--region", "us-east-1")["accuracy"]
    assert cli["cost"].endswith(f"; {note(IN_MONTH)}")
    assert cost_note(Text("en"), report) == f"Tokens are exact (from Model Invocation Logs). Cost is {cli['cost']}."
    assert f"; {IN_MONTH:,} 건의 호출은" in cost_note(Text("ko"), report)
    files = cli_csv_files(capsys, logs, tmp_path / "out", *PERIOD, "--region", "us-east-1", "--analysis", "all")
    for name, file in (("user-app", "app"), ("model", "model"), ("daily", "daily"), ("region", "region")):
        same_ends(download_csv(report.tables[name], report.period, row_accuracy(report, name)), files[file])


@pytest.mark.slow
def test_the_governance_tabs_downloads_carry_the_clis_filters_and_accuracy_columns(
        bedrock: data.BedrockRequest, logs: Path, tmp_path: Path,  # noqa: F811
        capsys: pytest.CaptureFixture[str]) -> None:
    """The budget and anomaly downloads (the tab's loaders, ends and download) have the CLI file's columns, its
    ``filters`` holding the page's filters (a region and a user pattern, matched in any case: the developer's calls,
    one batch of November) as the CLI's run with the same filters says them."""
    bedrock = replace(bedrock, user_pattern="Dev@Example")
    narrowing = ("--region", "us-east-1", "--user-pattern", "Dev@Example")
    budgets = tmp_path / "budgets.toml"
    budgets.write_text("[[budgets]]\nname = \"all\"\nall = true\nmonthly_usd = 1000\n", encoding="utf-8")
    view = data.load_budgets_view(data.budgets_request(bedrock, str(budgets)))
    files = cli_csv_files(capsys, logs, tmp_path / "budgets", "--check-budgets", str(budgets), "--end-date",
                      END.isoformat(), *narrowing)
    ends = budget_ends(view.check)
    assert ends["status"]["accuracy_cost"].endswith(f"; {note(UNKNOWN)}")
    want = {"regions": ["us-east-1"], "user_pattern": "Dev@Example"}
    assert json.loads(ends["status"]["filters"]) == want
    for name, frame in (("status", view.statuses), ("burndown", view.burndown)):
        same_ends(download_csv(frame, view.check.month, ends[name]), files[name])

    report = data.load_anomalies(data.AnomalyRequest(bedrock)).report
    files = cli_csv_files(capsys, logs, tmp_path / "anomalies", "--anomalies", *PERIOD, *narrowing)
    ends = anomaly_ends(report)
    assert json.loads(ends["forecast"]["filters"]) == want
    for name, frame in (("forecast", report.forecast), ("daily", report.daily)):
        same_ends(download_csv(frame, report.period, ends[name]), files[name])
