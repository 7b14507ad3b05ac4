"""CSV files say which figures are exact and which are estimated, as the JSON's ``accuracy`` does, without a comment
line that would break a pivot: the ``_summary`` file's ``accuracy_tokens`` and ``accuracy_cost`` columns."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tests.logfiles import ACCOUNT, write_records

HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
RECORDS = [{"timestamp": f"2025-11-02T10:{m:02d}:00Z", "identity": {"arn": f"arn:aws:iam::{ACCOUNT}:user/ann"},
            "region": "us-east-1", "requestId": f"r{m}", "modelId": HAIKU, "input": {"inputTokenCount": 100 + m},
            "output": {"outputTokenCount": 10 + m}} for m in range(4)]


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
