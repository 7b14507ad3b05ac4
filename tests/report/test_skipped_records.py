"""A skipped record's warning says why and where: records skipped are counted by reason (a line that is not JSON, a
record without a readable timestamp, impossible or non-integer token counts) and the first objects holding each kind
are named, by the local engine and by the facts SQL over the table Athena's reader makes of the same lines; the
terminal's, JSON's and CSV run's warnings and the Korean page say so. Expected figures are counted from what the test
wrote."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import duckdb
import pytest

import bedrock_tracker_cli
from bedrock_usage.engines.local import LocalEngine, to_duckdb
from bedrock_usage.engines.queries import FACT_DIMENSIONS, SKIP_DIMENSIONS, Filters, usage_facts_query
from bedrock_usage.logs.period import resolve_period
from bedrock_usage.report.priced_facts import clean_rows
from bedrock_usage.report.tracker import BedrockAthenaTracker
from tests.dashboard.test_korean_page_english_left import english_left
from tests.logfiles import athena_shaped_table, cli_json, write_records

DAY = "2025-11-03"
PERIOD = resolve_period(start=DAY, end=DAY)
HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
REASON_WORDS = {"not_json": "lines that are not JSON (a record pretty-printed over several lines counts once per line)",
                "no_timestamp": "without a readable timestamp",
                "token_counts": "with impossible or non-integer token counts"}


def call(request: str, when: str = f"{DAY}T10:15:00Z", **fields: object) -> dict:
    """A record of a call as Bedrock logs it, with ``fields`` replaced."""
    return {"schemaType": "ModelInvocationLog", "schemaVersion": "1.0", "timestamp": when, "accountId": "123456789012",
            "identity": {"arn": "arn:aws:iam::123456789012:user/alice"}, "region": "us-east-1", "requestId": request,
            "operation": "Converse", "modelId": HAIKU, "input": {"inputTokenCount": 100},
            "output": {"outputTokenCount": 10}, **fields}


def no_timestamp(request: str) -> dict:
    return {key: value for key, value in call(request).items() if key != "timestamp"}


def scene(root: Path) -> tuple[dict[Path, list[str | dict]], dict[str, int], dict[str, list[str]]]:
    """Two objects of the period's hour holding readable calls and every kind of skipped record, and one of the next
    day's first hour holding a line that is not JSON (that day's own, read only for late calls); the lines of each
    object, and the records skipped by reason with the objects holding them, counted from what is written."""
    [first, late] = write_records(root, [call("ok-1"), call("late", "2025-11-04T00:20:00Z")])
    second = first.with_name("zz-second.json.gz")
    pretty = json.dumps(call("pretty"), indent=2).splitlines()
    objects: dict[Path, list[str | dict]] = {
        first: [call("ok-1"), *pretty, "not json at all", call("negative", input={"inputTokenCount": -7})],
        second: [no_timestamp("stampless"), "{cut off", call("ok-2"),
                 call("ok-1", input={"inputTokenCount": -1})],  # an unreadable copy of ok-1: a duplicate
        late: [call("late", "2025-11-04T00:20:00Z"), "late garbage"],
    }
    for path, lines in objects.items():
        text = "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines)
        path.write_bytes(gzip.compress(text.encode()))
    kinds: dict[str, set[Path]] = {"not_json": set(), "no_timestamp": set(), "token_counts": set()}
    counts = dict.fromkeys(kinds, 0)
    for path in (first, second):
        for line in objects[path]:
            if isinstance(line, str):
                kind = "not_json"
            elif "timestamp" not in line:
                kind = "no_timestamp"
            elif line["input"]["inputTokenCount"] >= 0 or line["requestId"] == "ok-1":
                continue
            else:
                kind = "token_counts"
            counts[kind] += 1
            kinds[kind].add(path)
    assert counts["not_json"] == len(pretty) + 2 > 20  # the pretty-printed record is one skipped record per line
    return objects, counts, {kind: sorted(str(path) for path in paths) for kind, paths in kinds.items()}


@pytest.mark.slow
def test_the_local_engine_counts_skipped_records_by_reason_and_names_their_objects(tmp_path: Path) -> None:
    objects, counts, named = scene(tmp_path)
    report = BedrockAthenaTracker(LocalEngine(tmp_path, cache=False)).analyze(PERIOD, ["us-east-1"])
    assert report.skipped_records.counts == counts
    assert report.skipped_records.objects == named
    assert report.records_skipped == sum(counts.values())
    readable = {line["requestId"] for lines in objects.values() for line in lines if isinstance(line, dict)
                and line.get("timestamp", "").startswith(DAY) and line["input"]["inputTokenCount"] >= 0}
    assert report.stats.duplicate_records == 1 and report.summary["calls"] == len(readable)
    lines = [line for line in report.warnings if line.startswith("skipped") and " record" in line]
    assert lines == [f"skipped {counts[kind]} record{'s' if counts[kind] > 1 else ''}: {REASON_WORDS[kind]} "
                     f"({', '.join(named[kind])})" for kind in REASON_WORDS]
    assert english_left(report.warnings) == {}


@pytest.mark.slow
def test_only_the_first_three_objects_are_named_and_a_filtered_report_says_more(tmp_path: Path) -> None:
    paths = write_records(tmp_path, [call("ok")])
    hour = paths[0].parent
    for index in range(5):
        (hour / f"bad-{index}.json.gz").write_bytes(gzip.compress(json.dumps(no_timestamp(f"s{index}")).encode()))
    report = BedrockAthenaTracker(LocalEngine(tmp_path, cache=False)).analyze(
        PERIOD, ["us-east-1"], Filters(arn_pattern="alice"))
    first = ", ".join(str(hour / f"bad-{index}.json.gz") for index in range(3))
    [line] = [w for w in report.warnings if w.startswith("skipped 5 records")]
    assert line.startswith(f"skipped 5 records: without a readable timestamp (first: {first}); a skipped record's")


@pytest.mark.slow
def test_the_sql_over_athenas_table_counts_the_same_reasons_and_objects(tmp_path: Path) -> None:
    """Athena's reader makes a row of NULLs of a line that is not JSON (``ignore.malformed.json``); the others are
    the records' fields. Readable rows keep no reason nor object: their grain is that of ``FACT_DIMENSIONS``."""
    objects, counts, named = scene(tmp_path / "logs")
    table = tmp_path / "rows.jsonl"
    with table.open("w") as out:
        for path, lines in objects.items():
            day = "/".join(path.parts[-5:-2])
            for line in lines:
                out.write(json.dumps({**(line if isinstance(line, dict) else {}), "dt": day, "$path": str(path)})
                          + "\n")
    query = usage_facts_query(PERIOD, Filters(), ())
    rows = athena_shaped_table(table).execute(to_duckdb(query.sql), query.params).df()
    readable = rows[rows["day"].notna()]
    assert readable[list(SKIP_DIMENSIONS)].isna().all().all()
    assert len(readable.drop_duplicates(list(FACT_DIMENSIONS))) == len(readable)
    _, skipped, duplicates = clean_rows(duckdb.connect(), rows)
    assert (skipped.counts, skipped.objects, duplicates) == (counts, named, 1)


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_the_cli_reports_skipped_records_by_reason(tmp_path: Path, fmt: str,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    _, counts, named = scene(tmp_path / "logs")
    period = ("--start-date", DAY, "--end-date", DAY, "--regions", "us-east-1")
    if fmt == "json":
        scan = cli_json(capsys, tmp_path / "logs", *period)["scan"]
        assert scan["records_skipped"] == sum(counts.values())
        assert (scan["records_skipped_by_reason"], scan["records_skipped_objects"]) == (counts, named)
        return
    code = bedrock_tracker_cli.main(["--engine", "local", "--logs-dir", str(tmp_path / "logs"), "--quiet",
                                     "--format", "csv", "--output-dir", str(tmp_path / "out"), *period])
    err = capsys.readouterr().err
    assert code == 0, err
    said = [line for line in err.splitlines() if line.startswith("warning: skipped") and " record" in line]
    assert [line.split(":")[1].split()[1] for line in said] == [str(counts[kind]) for kind in REASON_WORDS]
    for line, kind in zip(said, REASON_WORDS, strict=True):
        assert REASON_WORDS[kind] in line and all(path in line for path in named[kind]), line
