"""The budget check's, the anomalies' and the reconciliation's CSV files say on every row what is exact and what is
estimated, as the JSON ``accuracy`` of the same run does: each file's columns are those of its JSON table, the period's
and the filters', then ``accuracy_<note>`` for the figures it holds. Costs' note compared with the report's own JSON
over the same days (an independent path) and with the count of calls whose cache-write split is unknown in plain
Python (``tests/report/test_offloaded_cache_writes.py``'s ``CALLS``); the reconciliation's against moto's CloudWatch
and Cost Explorer, and a local CUR 2.0 export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.governance.test_cur_callers import account as cur_account  # noqa: F401  (fixture)
from tests.governance.test_cur_callers import cur_args
from tests.governance.test_offloaded_cache_writes import BATCHES, UNKNOWN, logs, note  # noqa: F401  (fixture)
from tests.governance.test_reconcile import account, reconcile_args, run_cli  # noqa: F401  (fixture)
from tests.logfiles import cli_csv_files, cli_json, csv_rows

MONTH = ("--start-date", "2026-11-01", "--end-date", "2026-11-30")
PERIOD_COLUMNS = ["period_start", "period_end", "tz"]
TOKENS = "exact: token counts from Model Invocation Logs"


def month_cost_note(capsys: pytest.CaptureFixture[str], folder: Path) -> str:
    """The report's own cost note over November (its summary counts the calls whose split is unknown)."""
    return cli_json(capsys, folder, *MONTH)["accuracy"]["cost"]


def test_every_budget_csv_row_ends_with_the_accuracy_of_its_json(
        logs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    budgets = tmp_path / "budgets.toml"
    budgets.write_text("[[budgets]]\nname = \"all\"\nall = true\nmonthly_usd = 1000\n", encoding="utf-8")
    args = ("--check-budgets", str(budgets), "--end-date", "2026-11-30")
    doc = cli_json(capsys, logs, *args)
    in_month = UNKNOWN * sum(day.startswith("2026-11") for day, _ in BATCHES)
    assert doc["accuracy"] == {"cost": month_cost_note(capsys, logs)}
    assert doc["accuracy"]["cost"].endswith(f"; {note(in_month)}")
    files = cli_csv_files(capsys, logs, tmp_path / "out", *args)
    for name, records in (("status", doc["budgets"]), ("burndown", doc["burndown"])):
        header, rows = csv_rows(files[name])
        assert header == [*records[0], *PERIOD_COLUMNS, "filters", "accuracy_cost"], name
        assert len(rows) == len(records) and {row["accuracy_cost"] for row in rows} == {doc["accuracy"]["cost"]}


def test_every_anomalies_csv_row_ends_with_the_accuracy_of_its_json(
        logs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    args = ("--anomalies", *MONTH)
    doc = cli_json(capsys, logs, *args)
    in_period = UNKNOWN * sum(day.startswith("2026-11") for day, _ in BATCHES)
    assert doc["accuracy"] == {"cost": month_cost_note(capsys, logs)}
    assert doc["accuracy"]["cost"].endswith(f"; {note(in_period)}")
    files = cli_csv_files(capsys, logs, tmp_path / "out", *args)
    for name in ("forecast", "daily"):
        header, rows = csv_rows(files[name])
        assert header == [*doc[name][0], *PERIOD_COLUMNS, "filters", "accuracy_cost"], name
        assert len(rows) == len(doc[name]) and {row["accuracy_cost"] for row in rows} == {doc["accuracy"]["cost"]}
    header, rows = csv_rows(files["anomalies"])  # no anomaly in this scene: the header alone
    assert header[-5:] == [*PERIOD_COLUMNS, "filters", "accuracy_cost"] and rows == doc["anomalies"] == []


# The notes each reconciliation file's rows end with: those of the figures it holds.
RECONCILIATION_ENDS = {
    "region_day": ("by_region_day", ["tokens", "metered", "cost", "billed"]),
    "model_day": ("by_model_day", ["tokens", "metered"]),
    "cost_model_day": ("cost_by_model_day", ["cost", "billed"]),
    "unmapped_charges": ("unmapped_charges", ["billed"]),
}


@pytest.mark.slow
def test_every_reconciliation_csv_row_ends_with_the_accuracy_of_its_json(account: dict,  # noqa: F811
                                                                           tmp_path: Path) -> None:
    """Logged tokens exact from the logs, CloudWatch's counts exact as metered, the estimate as the report words it,
    Cost Explorer's bill exact as billed."""
    result = run_cli(account["env"], *reconcile_args(account["logs"], "--format", "json", "--output-dir", "-"))
    doc = json.loads(result.stdout)
    accuracy = doc["accuracy"]
    assert accuracy["tokens"] == TOKENS and accuracy["cost"].startswith("estimated: logged tokens")
    assert accuracy["metered"].startswith("exact as metered: CloudWatch AWS/Bedrock metrics (Invocations, "
                                          "InputTokenCount, OutputTokenCount")
    assert accuracy["billed"].startswith("exact as billed: Cost Explorer's UnblendedCost")
    out = tmp_path / "out"
    assert run_cli(account["env"], *reconcile_args(account["logs"], "--format", "csv", "--output-dir",
                                                   str(out))).returncode == 3
    for name, (table, notes) in RECONCILIATION_ENDS.items():
        [path] = out.glob(f"*[0-9]_{name}.csv")
        header, rows = csv_rows(path)
        ends = {f"accuracy_{key}": accuracy[key] for key in notes}
        assert header == [*doc[table][0], *PERIOD_COLUMNS, *ends], name
        assert len(rows) == len(doc[table]) and all({k: row[k] for k in ends} == ends for row in rows), name


@pytest.mark.slow
def test_every_caller_csv_row_ends_with_the_accuracy_of_its_json(cur_account: dict,  # noqa: F811
                                                                  no_aws_env: dict[str, str], tmp_path: Path) -> None:
    """The bill per caller is exact as billed by the CUR 2.0 export read; the logs' estimate as the report words it."""
    result = run_cli(no_aws_env, *cur_args(cur_account, "--format", "json", "--output-dir", "-"))
    doc = json.loads(result.stdout)
    assert doc["accuracy"]["billed"] == f"exact as billed: {doc['bill']}" and doc["bill"].startswith("CUR 2.0 export")
    assert doc["accuracy"]["cost"].startswith("estimated: logged tokens")
    out = tmp_path / "out"
    assert run_cli(no_aws_env, *cur_args(cur_account, "--format", "csv", "--output-dir", str(out))).returncode == 3
    tables = {"caller": "by_caller", "caller_model": "by_caller_model", "caller_day": "by_caller_day",
              "caller_month": "by_month", "unattributed": "unattributed", "batch": "batch",
              "outside_regions": "outside_regions"}
    for name, table in tables.items():
        notes = ["cost", "billed"] if name.startswith("caller") else ["billed"]
        [path] = out.glob(f"*[0-9]_{name}.csv")
        header, rows = csv_rows(path)
        ends = {f"accuracy_{key}": doc["accuracy"][key] for key in notes}
        assert header[len(header) - len(ends) - 3:] == [*PERIOD_COLUMNS, *ends], name
        assert not doc[table] or header == [*doc[table][0], *PERIOD_COLUMNS, *ends], name
        assert len(rows) == len(doc[table]) and all({k: row[k] for k in ends} == ends for row in rows), name
