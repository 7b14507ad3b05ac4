"""Athena's queries read the objects the local engine reads: a day folder holding a hand-made ``.json`` copy, a stray
text file or a nested ``data/`` folder besides its ``.json.gz`` objects gives the same figures on both engines.

"The table Athena would read" is built in plain Python as Athena's Hive reader lists a partition: every object below
the day folder (recursively), each read as gzip when named ``.gz`` (Hadoop picks the codec by the name) and as text
otherwise, a line that is not a JSON object a row of NULLs (``ignore.malformed.json``), with ``dt`` and ``"$path"``.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import duckdb
import pytest

import bedrock_tracker_cli
from bedrock_usage.aws.athena_setup import TEST_QUERY
from bedrock_usage.engines.compacted import SOURCE_PATH, copy_select_sql
from bedrock_usage.engines.local import to_duckdb
from bedrock_usage.engines.queries import Filters, usage_facts_query
from bedrock_usage.logs.period import resolve_period
from tests.logfiles import ACCOUNT, athena_shaped_table, write_records

DAY = "2025-11-02"
PERIOD = resolve_period(start=DAY, end=DAY)
BUCKET = "s3://bedrock-logs-x/"


def record(minute: int, inp: int) -> dict:
    return {"schemaType": "ModelInvocationLog", "timestamp": f"{DAY}T10:{minute:02d}:00Z", "accountId": ACCOUNT,
            "identity": {"arn": f"arn:aws:iam::{ACCOUNT}:user/alice"}, "region": "us-east-1",
            "requestId": f"req-{minute}", "operation": "Converse",
            "modelId": "anthropic.claude-3-haiku-20240307-v1:0", "input": {"inputTokenCount": inp},
            "output": {"outputTokenCount": 10}}


DELIVERED = [record(m, 100 + m) for m in range(4)]


@pytest.fixture
def logs(tmp_path: Path) -> Path:
    """One hour's object as the service writes it, and beside it what a person may leave: a ``.json`` copy of it, a
    ``.json`` file of a call never delivered, a text note, and a record object in a folder below a ``data/`` folder."""
    root = tmp_path / "logs"
    (delivered,) = write_records(root, DELIVERED)
    hour = delivered.parent
    hour.joinpath("copy.json").write_text("".join(json.dumps(r) + "\n" for r in DELIVERED))
    hour.joinpath("hand-made.json").write_text(json.dumps(record(40, 9000)) + "\n")
    hour.joinpath("notes.txt").write_text("copied from the bucket on Monday\n")
    nested = hour / "data" / "old"
    nested.mkdir(parents=True)
    nested.joinpath("body.json.gz").write_bytes(gzip.compress((json.dumps(record(50, 7000)) + "\n").encode()))
    return root


def athena_table(root: Path, tmp_path: Path) -> duckdb.DuckDBPyConnection:
    """Every object below the day folders as Athena's table reads it (see the module's docstring)."""
    lines = tmp_path / "athena-rows.jsonl"
    with lines.open("w") as out:
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            key = path.relative_to(root).as_posix()
            parts = key.split("/")
            at = parts.index("BedrockModelInvocationLogs")
            dt = "/".join(parts[at + 2:at + 5])
            text = gzip.decompress(path.read_bytes()).decode() if path.name.endswith(".gz") else path.read_text()
            for line in filter(str.strip, text.splitlines()):
                try:
                    row = json.loads(line)
                except ValueError:
                    row = None
                out.write(json.dumps({**(row if isinstance(row, dict) else {}), "dt": dt, "$path": BUCKET + key})
                          + "\n")
    con = athena_shaped_table(lines)
    return con


def local_report(root: Path, capsys: pytest.CaptureFixture[str]) -> dict:
    code = bedrock_tracker_cli.main(["--engine", "local", "--logs-dir", str(root), "--start-date", DAY, "--end-date",
                                     DAY, "--region", "us-east-1", "--analysis", "summary", "--format", "json",
                                     "--output-dir", "-", "--quiet"])
    assert code == 0
    return json.loads(capsys.readouterr().out)


def test_athenas_facts_equal_the_local_engines_and_the_delivered_records(
        logs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    query = usage_facts_query(PERIOD, Filters(), ())
    facts = athena_table(logs, tmp_path).execute(to_duckdb(query.sql), query.params).df()
    counted = facts[facts["day"].notna() & ~facts["duplicate"]]
    athena = {"calls": int(counted["calls"].sum()), "input_tokens": int(counted["input_tokens"].sum()),
              "duplicates": int(facts.loc[facts["duplicate"], "calls"].sum()),
              "skipped": int(facts.loc[facts["day"].isna() & ~facts["duplicate"], "calls"].sum())}
    expected = {"calls": len(DELIVERED), "input_tokens": sum(r["input"]["inputTokenCount"] for r in DELIVERED),
                "duplicates": 0, "skipped": 0}
    assert athena == expected

    document = local_report(logs, capsys)
    local = {"calls": document["summary"]["calls"], "input_tokens": document["summary"]["input_tokens"],
             "duplicates": document["scan"]["duplicate_records_ignored"],
             "skipped": document["scan"]["records_skipped"]}
    assert local == expected


def test_the_compacted_copy_and_setups_test_query_read_only_the_record_objects(logs: Path, tmp_path: Path) -> None:
    con = athena_table(logs, tmp_path)
    day = DAY.replace("-", "/")
    copied = con.execute(to_duckdb(copy_select_sql()), [day, day]).df()
    assert len(copied) == len(DELIVERED)
    assert all(path.endswith(".json.gz") and "/data/" not in path for path in copied[SOURCE_PATH])
    assert sorted(copied["requestId"]) == sorted(r["requestId"] for r in DELIVERED)
    assert con.execute(to_duckdb(TEST_QUERY), [day]).fetchone()[0] == len(DELIVERED)
