"""CSV files say which figures are exact and which are estimated, as the JSON's ``accuracy`` does, without a comment
line that would break a pivot: ``accuracy_tokens`` and ``accuracy_cost`` columns ending every row of every file, after
the period's (the ``_unpriced`` file, which holds no cost, ``accuracy_tokens``)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tests.logfiles import ACCOUNT, cli_json, write_records

HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
RECORDS = [{"timestamp": f"2025-11-02T10:{m:02d}:00Z", "identity": {"arn": f"arn:aws:iam::{ACCOUNT}:user/ann"},
            "region": "us-east-1", "requestId": f"r{m}", "modelId": HAIKU, "input": {"inputTokenCount": 100 + m},
            "output": {"outputTokenCount": 10 + m}} for m in range(4)]
MYSTERY = "example.unlisted-model-v1:0"  # a model the price book does not have: its calls are unpriced
PERIOD = ("--start-date", "2025-11-02", "--end-date", "2025-11-02")
PERIOD_COLUMNS = ["period_start", "period_end", "tz"]


def write_csv_files(capsys: pytest.CaptureFixture[str], logs: Path, out: Path, *args: str) -> None:
    """Run the report CLI with ``args`` on the local ``logs``, its CSV files written to ``out`` (exit 0 asserted)."""
    import bedrock_tracker_cli

    code = bedrock_tracker_cli.main(["--engine", "local", "--logs-dir", str(logs), "--quiet", *args, "--format", "csv",
                                     "--output-dir", str(out)])
    assert code == 0, capsys.readouterr().err
    capsys.readouterr()


def read(out: Path, suffix: str) -> tuple[list[str], list[dict[str, str]]]:
    """The header and rows of the one CSV file in ``out`` whose name ends with ``suffix``."""
    [path] = out.glob(f"*{suffix}")
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def test_the_summary_csv_says_tokens_are_exact_and_costs_estimated(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    import bedrock_tracker_cli

    write_records(tmp_path / "logs", RECORDS)
    code = bedrock_tracker_cli.main(["--engine", "local", "--logs-dir", str(tmp_path / "logs"), "--start-date",
                                     "2025-11-02", "--end-date", "2025-11-02", "--analysis", "user", "--format",
                                     "csv", "--output-dir", str(tmp_path / "out"), "--quiet"])
    assert code == 0, capsys.readouterr().err
    [path] = (tmp_path / "out").glob("*_summary.csv")
    with path.open(newline="") as handle:
        lines = list(csv.reader(handle))
    assert len(lines) == 2 and len(lines[0]) == len(lines[1])  # a header and one row: nothing a pivot trips on
    [row] = [dict(zip(lines[0], lines[1], strict=True))]
    assert row["accuracy_tokens"].startswith("exact: token counts from Model Invocation Logs")
    assert row["accuracy_cost"].startswith("estimated: logged tokens")
    assert (int(row["calls"]), int(row["input_tokens"])) == (len(RECORDS),
                                                             sum(r["input"]["inputTokenCount"] for r in RECORDS))


def test_every_analysis_csv_row_ends_with_the_accuracy_of_the_json(tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """Each analysis file (a --tag table's too) keeps its columns and the period's, then ends every row with the JSON
    ``accuracy``: ``accuracy_tokens`` and ``accuracy_cost``; the unpriced models' file with ``accuracy_tokens``."""
    mystery = {**RECORDS[0], "requestId": "r9", "modelId": MYSTERY}
    write_records(tmp_path / "logs", [{**r, "requestMetadata": {"team": "search"}} for r in [*RECORDS, mystery]])
    args = (*PERIOD, "--analysis", "all", "--tag", "team")
    doc = cli_json(capsys, tmp_path / "logs", *args)
    accuracy = {"accuracy_tokens": doc["accuracy"]["tokens"], "accuracy_cost": doc["accuracy"]["cost"]}
    write_csv_files(capsys, tmp_path / "logs", tmp_path / "out", *args)
    assert set(doc["analyses"]) == {"user", "application", "user-app", "model", "daily", "hourly", "region",
                                    "tag:team"}
    for name, records in doc["analyses"].items():
        header, rows = read(tmp_path / "out", f"_{name.replace('-', '_').replace(':', '_')}.csv")
        assert header == [*records[0], *PERIOD_COLUMNS, *accuracy], name
        assert len(rows) == len(records) and all({k: row[k] for k in accuracy} == accuracy for row in rows), name
    header, rows = read(tmp_path / "out", "_unpriced.csv")
    assert header == [*doc["unpriced_models"][0], *PERIOD_COLUMNS, "accuracy_tokens"]
    assert [row["model_id"] for row in rows] == [MYSTERY]
    assert {row["accuracy_tokens"] for row in rows} == {"exact: token counts from Model Invocation Logs"}
    header, [summary] = read(tmp_path / "out", "_summary.csv")
    assert header[-5:] == [*PERIOD_COLUMNS, *accuracy]  # every file ends alike: the period, then the accuracy
    assert {k: summary[k] for k in accuracy} == accuracy
