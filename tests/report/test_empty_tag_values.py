"""A requestMetadata value logged as "" (the API allows it) is a group of its own, apart from calls without the key
and from a value logged as ``(empty)``: shown ``(empty)`` in the terminal and the dashboard, kept ``""`` in CSV (a
quoted empty cell; without the key, a bare one), JSON and the chargeback; a value of spaces is kept as logged and shown
quoted in the terminal, as is a value logged like a label the terminal shows (``(none)``, ``(empty)``)."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from bedrock_usage.dashboard.tables import named_columns
from bedrock_usage.dashboard.text import Text
from tests.logfiles import ACCOUNT, write_records

HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
DAY = "2025-11-02"


def record(minute: int, tags: dict[str, str] | None) -> dict:
    base = {"timestamp": f"{DAY}T10:{minute:02d}:00Z", "identity": {"arn": f"arn:aws:iam::{ACCOUNT}:user/alice"},
            "region": "us-east-1", "requestId": f"r{minute}", "modelId": HAIKU,
            "input": {"inputTokenCount": 1000 * (minute + 1)}, "output": {"outputTokenCount": 10 * (minute + 1)}}
    return base if tags is None else {**base, "requestMetadata": tags}


RECORDS = [record(0, {"cost_center": ""}), record(1, {"cost_center": ""}), record(2, None),
           record(3, {"application_name": "chat"}), record(4, {"cost_center": "  "}), record(5, {"cost_center": "cc1"}),
           record(6, {"cost_center": "(empty)"})]


def input_tokens(value: str | None) -> int:
    """Input tokens of the calls whose cost_center is ``value`` (None: calls without the key), in plain Python."""
    return sum(r["input"]["inputTokenCount"] for r in RECORDS
               if (r.get("requestMetadata") or {}).get("cost_center") == value)


@pytest.fixture
def logs(tmp_path: Path) -> Path:
    write_records(tmp_path / "logs", RECORDS)
    return tmp_path / "logs"


def cli(capsys: pytest.CaptureFixture[str], logs: Path, *options: str) -> str:
    import bedrock_tracker_cli

    code = bedrock_tracker_cli.main(["--engine", "local", "--logs-dir", str(logs), "--quiet", *options])
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def report(capsys: pytest.CaptureFixture[str], logs: Path, *options: str) -> str:
    return cli(capsys, logs, "--start-date", DAY, "--end-date", DAY, "--analysis", "user", "--tag", "cost_center",
               *options)


def test_an_empty_value_is_its_own_group_in_the_terminal(logs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = report(capsys, logs)
    table = text[text.index("Usage by requestMetadata tag cost_center"):]
    rows = [re.match(r"(.+?) +(\d+) +\d+ +([\d,]+) ", line) for line in table.splitlines()[3:8]]
    inputs = sorted((row[1], int(row[3].replace(",", ""))) for row in rows if row)
    assert inputs == sorted([("(empty)", input_tokens("")), ('"(empty)"', input_tokens("(empty)")),
                             ("(none)", input_tokens(None)), ('"  "', input_tokens("  ")),
                             ("cc1", input_tokens("cc1"))])


# A value logged like a label of the terminal (the placeholders, or opening with a quote), beside calls without the key
# and a value logged empty: each row is told apart, as the chargeback's terminal table does.
LABEL_LIKE = {None: "(none)", "": "(empty)", "(none)": '"(none)"', "(empty)": '"(empty)"',
              '"(none)"': '"\\"(none)\\""', "ops": "ops"}


def test_a_value_logged_like_a_label_is_quoted_in_the_terminal(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    records = [record(minute, None if value is None else {"cost_center": value})
               for minute, value in enumerate([*LABEL_LIKE, None])]
    write_records(tmp_path / "logs", records)
    text = report(capsys, tmp_path / "logs")
    table = text[text.index("Usage by requestMetadata tag cost_center"):].splitlines()[3:3 + len(LABEL_LIKE)]
    rows = {row[1]: int(row[2].replace(",", "")) for line in table
            if (row := re.match(r"(.+?) +\d+ +\d+ +([\d,]+) ", line))}
    expected = {cell: sum(r["input"]["inputTokenCount"] for r in records
                          if (r.get("requestMetadata") or {}).get("cost_center") == value)
                for value, cell in LABEL_LIKE.items()}
    assert rows == expected


def test_an_empty_value_is_its_own_group_in_csv_and_json(logs: Path, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    report(capsys, logs, "--format", "csv", "--output-dir", str(tmp_path / "csv"))
    [path] = (tmp_path / "csv").glob("*_tag_cost_center.csv")
    with path.open(newline="") as handle:
        rows = {row["tag:cost_center"]: int(row["input_tokens"]) for row in csv.DictReader(handle)
                if row["tag:cost_center"]}
    assert rows == {"(empty)": input_tokens("(empty)"), "  ": input_tokens("  "), "cc1": input_tokens("cc1")}
    # csv readers give "" for both; the file tells them apart: a quoted empty cell for "", a bare one without the key
    lines = path.read_text().splitlines()
    header = next(csv.reader(lines[:1]))
    assert header[0] == "tag:cost_center"
    first_input = {line.split(",", 1)[0]: int(next(csv.reader([line]))[header.index("input_tokens")])
                   for line in lines[1:]}
    assert (first_input['""'], first_input[""]) == (input_tokens(""), input_tokens(None))

    document = json.loads(report(capsys, logs, "--format", "json", "--output-dir", "-"))
    rows = {row["tag:cost_center"]: row["input_tokens"] for row in document["analyses"]["tag:cost_center"]}
    assert rows == {"": input_tokens(""), "(empty)": input_tokens("(empty)"), None: input_tokens(None),
                    "  ": input_tokens("  "), "cc1": input_tokens("cc1")}


def test_an_empty_value_is_its_own_group_in_the_chargeback(logs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    document = json.loads(cli(capsys, logs, "--chargeback", "2025-11", "--chargeback-by", "tag:cost_center",
                              "--format", "json", "--output-dir", "-"))
    totals = {row["group"]: row["input_tokens"] for row in document["rows"] if row["row_type"] == "group_total"}
    assert totals == {"": input_tokens(""), "(empty)": input_tokens("(empty)"), "(none)": input_tokens(None),
                      "  ": input_tokens("  "), "cc1": input_tokens("cc1")}


def test_the_dashboard_shows_an_empty_value_and_an_absent_tag_by_name() -> None:
    frame = pd.DataFrame({"tag:cost_center": ["", None, "(empty)", "(none)", "cc1"], "calls": [1, 2, 3, 4, 5]})
    shown = named_columns(Text("en"), frame, "tag:cost_center")
    # values logged like the labels are quoted, as in the CLI's tables: no two rows read alike
    assert shown["tag:cost_center"].tolist() == ["(empty)", "(none)", '"(empty)"', '"(none)"', "cc1"]
    assert frame["tag:cost_center"].tolist()[:1] == [""]  # the download keeps the value as logged
