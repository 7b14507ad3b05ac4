"""The DuckDB engine over files in the real key layout: published records, bad input, hostile filters."""

from __future__ import annotations

import gc
import gzip
import json
import os
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import sqlglot

from bedrock_usage.cache import CACHE_ENV
from bedrock_usage.engines.athena import execution_parameters
from bedrock_usage.engines.base import QueryResult, Scope
from bedrock_usage.engines.duckdb_memory import SPILL_FOLDER
from bedrock_usage.engines.local import LocalEngine
from bedrock_usage.engines.queries import Filters
from bedrock_usage.errors import UsageError
from bedrock_usage.logs.period import resolve_period
from bedrock_usage.output.progress import silent
from bedrock_usage.report.tracker import BedrockAthenaTracker
from tests.athena_rules import athena_violations
from tests.conftest import ROOT
from tests.logfiles import ACCOUNT, write_records

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def record(ts: str, arn: str, model: str = "anthropic.claude-3-haiku-20240307-v1:0", region: str = "us-east-1",
           inp: int = 100, out: int = 50, **extra: object) -> dict:
    return {"schemaType": "ModelInvocationLog", "schemaVersion": "1.0", "timestamp": ts, "accountId": ACCOUNT,
            "identity": {"arn": arn}, "region": region, "requestId": f"r-{ts}-{arn[-6:]}", "operation": "Converse",
            "modelId": model, "input": {"inputTokenCount": inp}, "output": {"outputTokenCount": out}, **extra}


def user(name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:user/{name}"


def reference_records() -> list[dict]:
    folder = FIXTURES / "bedrock_logs"
    records = [json.loads((folder / name).read_text()) for name in ("example_1.json", "example_3.json")]
    events = json.loads((folder / "example_4_cloudwatch_get_log_events.json").read_text())["events"]
    return records + [event["message"] for event in events]


def test_every_published_record_parses(tmp_path: Path) -> None:
    records = reference_records()
    for index, rec in enumerate(records):  # the published records mask their account ids differently
        rec["requestId"] = f"req-{index}"
    write_records(tmp_path, records)
    days = sorted(r["timestamp"][:10] for r in records)
    tracker = BedrockAthenaTracker(LocalEngine(tmp_path))
    report = tracker.analyze(resolve_period(start=days[0], end=days[-1]), ["us-east-1", "us-west-2"])
    assert report.summary["calls"] == len(records)
    assert report.summary["input_tokens"] == sum(r["input"]["inputTokenCount"] for r in records)
    assert report.summary["output_tokens"] == sum(r["output"]["outputTokenCount"] for r in records)
    assert report.records_skipped == 0
    tagged = [r for r in records if r.get("requestMetadata", {}).get("application_name")]
    apps = report.tables["application"].set_index("application")["calls"]
    for name in {r["requestMetadata"]["application_name"] for r in tagged}:
        assert apps[name] == sum(1 for r in tagged if r["requestMetadata"]["application_name"] == name)


def test_bad_input_is_skipped_and_counted_and_changes_nothing(tmp_path: Path) -> None:
    good = [record(f"2025-10-31T{h:02d}:10:00Z", user("alice"), inp=10 * h, out=h) for h in range(24)]
    paths = write_records(tmp_path / "dirty", good)
    clean_dir = tmp_path / "clean"
    write_records(clean_dir, good)
    hour_dir = paths[0].parent
    with gzip.open(hour_dir / "zz_malformed.json.gz", "wt") as handle:
        handle.write('{"timestamp": "2025-10-31T01:00:00Z", "identity": \n')  # cut-off line
        handle.write("not json at all\n")
        handle.write('{"timestamp": "last tuesday", "modelId": "x"}\n')
        handle.write("\n")
    (hour_dir / "zz_truncated.json.gz").write_bytes(gzip.compress(json.dumps(good[0]).encode() * 50)[:40])
    (hour_dir / "zz_not_gzip.json.gz").write_bytes(b"plain text, not gzip")
    (hour_dir / "zz_empty.json.gz").write_bytes(b"")
    (hour_dir / "amazon-bedrock-logs-permission-check").write_bytes(b"")
    (hour_dir / "data").mkdir()
    (hour_dir / "data" / "x_input.json.gz").write_bytes(gzip.compress(b'{"messages": []}'))

    period = resolve_period(start="2025-10-31", end="2025-10-31")
    dirty = BedrockAthenaTracker(LocalEngine(tmp_path / "dirty")).analyze(period, ["us-east-1"])
    clean = BedrockAthenaTracker(LocalEngine(clean_dir)).analyze(period, ["us-east-1"])
    assert dirty.summary == clean.summary
    assert dirty.summary["calls"] == 24
    assert dirty.records_skipped == 3
    skipped = dirty.stats.skipped_objects
    assert sum(v for k, v in skipped.items() if k.startswith("unreadable")) == 2
    assert sum(v for k, v in skipped.items() if k.startswith("empty")) == 1
    assert sum(v for k, v in skipped.items() if k.startswith("payload")) == 1
    assert dirty.skipped_records.counts == {"not_json": 2, "no_timestamp": 1}  # the cut-off line is no JSON either
    malformed = str(hour_dir / "zz_malformed.json.gz")
    assert {w for w in dirty.warnings if w.startswith("skipped") and "record" in w} == {
        f"skipped 2 records: lines that are not JSON (a record pretty-printed over several lines counts once per "
        f"line) ({malformed})", f"skipped 1 record: without a readable timestamp ({malformed})"}


@pytest.mark.parametrize("cache", [False, True], ids=["cache-off", "cache-on"])
def test_token_counts_that_are_not_integers_make_the_record_skipped(tmp_path: Path, cache: bool) -> None:
    good = [record(f"2025-11-02T{h:02d}:05:00Z", user("alice"), inp=100 + h, out=h) for h in range(12)]
    good[1]["input"]["inputTokenCount"] = "101"  # a numeric string reads as the number, as Athena reads it
    good[2]["output"]["outputTokenCount"] = "-0"
    good[3]["input"]["cacheReadInputTokenCount"] = None
    bad_values = ["abc", "12x", "", "12.5", True, False, {"n": 5}, [5], 7.5, "99999999999999999999"]
    bad = []
    for index, value in enumerate(bad_values):
        rec = record(f"2025-11-02T13:{index:02d}:00Z", user("bob"), inp=1000, out=1000)
        part, name = [("input", "inputTokenCount"), ("output", "outputTokenCount"),
                      ("input", "cacheReadInputTokenCount"), ("input", "cacheWriteInputTokenCount")][index % 4]
        rec[part][name] = value
        bad.append(rec)
    write_records(tmp_path / "logs", good + bad)
    period = resolve_period(start="2025-11-02", end="2025-11-02")
    engine = LocalEngine(tmp_path / "logs", cache=tmp_path / "cache" if cache else False)
    for _ in range(2 if cache else 1):  # with the cache, the second refresh reads the stored parts
        report = BedrockAthenaTracker(engine).analyze(period, ["us-east-1"])
        assert report.summary["calls"] == len(good)
        assert report.summary["input_tokens"] == sum(int(r["input"]["inputTokenCount"]) for r in good)
        assert report.summary["output_tokens"] == sum(int(r["output"]["outputTokenCount"]) for r in good)
        assert report.summary["cache_read_tokens"] == 0
        assert report.records_skipped == len(bad)
        assert list(report.tables["user"]["user"]) == ["alice"]  # bob's records are all bad


@pytest.mark.parametrize("pattern", ["o'brien", "100%", "a_b", "back\\slash", "x' OR '1'='1", "--", "ünï"])
def test_arn_pattern_matches_literally(tmp_path: Path, pattern: str) -> None:
    names = ["o'brien", "obrien", "100%", "1000", "a_b", "axb", "back\\slash", "x' OR '1'='1", "--", "ünï", "plain"]
    records = [record(f"2025-11-02T10:{i:02d}:00Z", user(n), inp=i + 1) for i, n in enumerate(names)]
    write_records(tmp_path, records)
    report = BedrockAthenaTracker(LocalEngine(tmp_path)).analyze(
        resolve_period(start="2025-11-02", end="2025-11-02"), ["us-east-1"], Filters(arn_pattern=pattern)
    )
    expected = [r for r in records if pattern in r["identity"]["arn"]]
    assert report.summary["calls"] == len(expected)
    assert report.summary["input_tokens"] == sum(r["input"]["inputTokenCount"] for r in expected)


def test_month_end_range_counts_exactly_its_records(tmp_path: Path) -> None:
    stamps = ["2025-10-24T23:59:59Z", "2025-10-25T00:00:00Z", "2025-10-31T23:59:59Z", "2025-11-01T00:00:00Z",
              "2025-11-03T23:59:59Z", "2025-11-04T00:00:00Z", "2024-11-01T12:00:00Z"]
    write_records(tmp_path, [record(ts, user("bob")) for ts in stamps])
    report = BedrockAthenaTracker(LocalEngine(tmp_path)).analyze(
        resolve_period(start="2025-10-25", end="2025-11-03"), ["us-east-1"]
    )
    assert report.summary["calls"] == 4
    assert list(report.tables["daily"]["day"]) == ["2025-10-25", "2025-10-31", "2025-11-01", "2025-11-03"]


def test_files_outside_the_range_are_never_listed(tmp_path: Path) -> None:
    stamps = ["2025-09-30T10:00:00Z", "2025-10-02T10:00:00Z", "2025-10-03T10:00:00Z", "2025-10-20T10:00:00Z"]
    write_records(tmp_path, [record(ts, user("bob")) for ts in stamps])
    write_records(tmp_path, [record("2025-10-02T11:00:00Z", user("eve"), region="eu-central-1")])
    engine = LocalEngine(tmp_path)
    period = resolve_period(start="2025-10-02", end="2025-10-02")
    first, last = period.partition_days()
    from bedrock_usage.engines.base import Scope

    files, _ = engine.list_objects(Scope(("us-east-1",), first, last))
    # the day after the range is read too (objects are written after their calls); nothing else is
    assert {f.parts[-5:-2] for f in files} == {("2025", "10", "02"), ("2025", "10", "03")}
    assert (first, last) == (date(2025, 10, 2), date(2025, 10, 3))


class RecordingEngine(LocalEngine):
    """A real LocalEngine that also keeps every SQL text and parameter list it was sent."""

    def __init__(self, root: Path):
        super().__init__(root)
        self.sent: list[tuple[str, list]] = []

    def query(self, sql, params, scope, progress=silent):
        self.sent.append((sql, list(params)))
        return super().query(sql, params, scope, progress)


class BilledPerReadEngine(RecordingEngine):
    """A LocalEngine that declares reads billed, as Athena does: it must be sent the single-read SQL."""

    rereads_billed = True


def test_an_engine_billed_per_read_gets_the_single_read_form(tmp_path: Path) -> None:
    records = [record(f"2025-11-02T10:{m:02d}:00Z", user("alice"), inp=m + 1) for m in range(4)]
    write_records(tmp_path / "a", records)
    write_records(tmp_path / "b", records[:2])
    billed, free = BilledPerReadEngine(tmp_path), RecordingEngine(tmp_path)
    period = resolve_period(start="2025-11-02", end="2025-11-02")
    reports = [BedrockAthenaTracker(engine).analyze(period, ["us-east-1"]) for engine in (billed, free)]
    ((window, params),), ((narrow, _),) = billed.sent, free.sent
    assert "hash(" not in window and "NOT MATERIALIZED" not in window
    assert athena_violations(window, execution_parameters(params)) == []
    assert "hash(" in narrow and window.count("FROM parsed") == 1 < narrow.count("FROM parsed")
    assert reports[0].summary == reports[1].summary
    assert reports[0].stats.duplicate_records == reports[1].stats.duplicate_records == 2


def test_tracker_sql_is_trino_and_never_holds_user_input(tmp_path: Path) -> None:
    write_records(tmp_path, [record("2025-11-02T10:00:00Z", user("alice"))])
    engine = RecordingEngine(tmp_path)
    hostile = "zz'; DROP TABLE x; --"
    tracker = BedrockAthenaTracker(engine, extra_tags=("cost_center",))
    tracker.analyze(resolve_period(start="2025-11-01", end="2025-11-02", tz="Asia/Seoul"), ["us-east-1"],
                    Filters(arn_pattern=hostile, models=("m'1", "m2")), user_pattern=hostile)
    tracker.analyze(resolve_period(days=3), None)
    assert len(engine.sent) == 2
    for sql, params in engine.sent:
        sqlglot.parse_one(sql, read="trino", error_level=sqlglot.ErrorLevel.RAISE)
        assert sql.count("?") == len(params)
        assert hostile not in sql and "m'1" not in sql
    assert hostile in engine.sent[0][1]
    # The SELECT list takes no parameters on Athena: the checked time zone and tag keys are literals there.
    assert "at_timezone(ts, 'Asia/Seoul')" in engine.sent[0][0] and "Asia/Seoul" not in engine.sent[0][1]
    assert "element_at(requestMetadata, 'cost_center')" in engine.sent[0][0]


def test_a_record_delivered_twice_is_counted_once(tmp_path: Path) -> None:
    records = [record(f"2025-11-02T10:{m:02d}:00Z", user("alice"), inp=m + 1) for m in range(10)]
    write_records(tmp_path / "mirror-a", records)
    write_records(tmp_path / "mirror-b", records[3:])  # an overlapping second copy, e.g. a re-synced folder
    no_id = [dict(record("2025-11-02T11:00:00Z", user("bob")), requestId=None) for _ in range(2)]
    write_records(tmp_path / "mirror-a", no_id, prefix="other/")
    report = BedrockAthenaTracker(LocalEngine(tmp_path)).analyze(
        resolve_period(start="2025-11-02", end="2025-11-02"), ["us-east-1"]
    )
    assert report.summary["calls"] == 12  # ten distinct records, and two without a requestId kept as they are
    assert report.summary["input_tokens"] == sum(r["input"]["inputTokenCount"] for r in records + no_id)
    assert report.stats.duplicate_records == 7
    assert any("7 duplicate" in w for w in report.warnings)


HAIKU_3_INPUT_PER_TOKEN = 0.25 / 1e6  # published on-demand price, USD per input token
HAIKU_3_OUTPUT_PER_TOKEN = 1.25 / 1e6


def test_only_the_call_with_unpriceable_cache_tokens_is_unpriced(tmp_path: Path) -> None:
    plain = record("2025-11-03T10:05:00Z", user("dev"), inp=100, out=50)
    cached = record("2025-11-03T10:20:00Z", user("dev"), inp=300, out=70)
    cached["input"]["cacheReadInputTokenCount"] = 500  # the book has no cache price for Claude 3 Haiku
    write_records(tmp_path, [plain, cached])
    report = BedrockAthenaTracker(LocalEngine(tmp_path, cache=False)).analyze(
        resolve_period(start="2025-11-03", end="2025-11-03"), ["us-east-1"])
    assert report.summary["calls"] == 2 and report.summary["unpriced_calls"] == 1
    assert report.summary["estimated_cost_usd"] == pytest.approx(
        100 * HAIKU_3_INPUT_PER_TOKEN + 50 * HAIKU_3_OUTPUT_PER_TOKEN)


def test_a_corrupt_copy_never_displaces_the_readable_record(tmp_path: Path) -> None:
    good = record("2025-11-03T10:05:00Z", user("dev"), inp=100, out=50)
    corrupt = json.loads(json.dumps(good))
    corrupt["input"]["inputTokenCount"] = -5
    (path,) = write_records(tmp_path, [good])
    earlier = path.with_name("0-" + path.name)  # sorts before the good object
    earlier.write_bytes(gzip.compress((json.dumps(corrupt) + "\n").encode()))
    report = BedrockAthenaTracker(LocalEngine(tmp_path, cache=False)).analyze(
        resolve_period(start="2025-11-03", end="2025-11-03"), ["us-east-1"])
    assert (report.summary["calls"], report.summary["input_tokens"]) == (1, 100)
    assert report.records_skipped == 0 and report.stats.duplicate_records == 1  # an extra copy, nothing lost


def count_per_caller(engine: LocalEngine) -> QueryResult:
    """Calls and input tokens per caller ARN over the engine's logs of 2025-11-02 in us-east-1."""
    period = resolve_period(start="2025-11-02", end="2025-11-02")
    sql = ('SELECT "identity"."arn" AS arn, count(*) AS calls, sum("input"."inputTokenCount") AS tokens '
           "FROM bedrock_invocation_logs GROUP BY 1 ORDER BY 1")
    return engine.query(sql, [], Scope(("us-east-1",), *period.partition_days()))


@pytest.mark.filterwarnings("error")  # a folder left for the garbage collector to remove would warn
def test_without_the_cache_a_query_s_rows_wait_in_a_scratch_file_removed_with_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    records = [record(f"2025-11-02T{h:02d}:05:00Z", user(name), inp=10 * h + 1)
               for h in range(6) for name in ("alice", "bob", "carol")]
    write_records(tmp_path / "logs", records)
    expected = sorted((user(name), sum(1 for r in records if r["identity"]["arn"] == user(name)),
                       sum(r["input"]["inputTokenCount"] for r in records if r["identity"]["arn"] == user(name)))
                      for name in ("alice", "bob", "carol"))
    engine = LocalEngine(tmp_path / "logs", cache=False)

    result = count_per_caller(engine)
    assert result.path is not None and result.path.is_file()  # never a whole table in memory
    folder = result.path.parent
    assert folder.parent == tmp_path / "cache" / SPILL_FOLDER  # where a killed process's leftovers are removed
    assert sorted(tuple(row.values()) for row in pq.read_table(result.path).to_pylist()) == expected
    del result
    gc.collect()
    assert not folder.exists()  # removed with the result that held it

    result = count_per_caller(engine)
    folder = result.path.parent
    assert sorted(tuple(row.values()) for row in result.rows.to_pylist()) == expected
    assert not folder.exists()  # its rows read, the file is no longer needed


def test_without_the_cache_a_scratch_folder_that_cannot_be_made_keeps_the_rows_in_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    records = [record(f"2025-11-02T{h:02d}:05:00Z", user("alice"), inp=h + 1) for h in range(5)]
    write_records(tmp_path / "logs", records)
    not_a_folder = tmp_path / "not-a-folder"
    not_a_folder.write_text("a file where the cache folder and the temporary folder should be")
    monkeypatch.setenv(CACHE_ENV, str(not_a_folder))
    monkeypatch.setattr(tempfile, "tempdir", str(not_a_folder))
    result = count_per_caller(LocalEngine(tmp_path / "logs", cache=False))
    assert result.path is None
    assert [tuple(row.values()) for row in result.rows.to_pylist()] == [(user("alice"), 5, sum(range(1, 6)))]


@pytest.mark.parametrize("kind", ["missing", "file"])
def test_a_logs_folder_that_is_missing_or_a_file_is_named_as_such(tmp_path: Path, kind: str) -> None:
    root = tmp_path / "logs"
    if kind == "file":
        root.write_text("not a folder")
    expected = "is a file, not a folder" if kind == "file" else "does not exist"
    with pytest.raises(UsageError, match=f"logs folder {root} {expected}: give --logs-dir the folder that holds"):
        BedrockAthenaTracker(LocalEngine(root, cache=False)).analyze(resolve_period(start="2025-11-02",
                                                                                  end="2025-11-02"), ["us-east-1"])


def test_a_symbolic_link_to_nothing_is_skipped_and_counted(tmp_path: Path) -> None:
    """An object, an hour folder or a day folder that links to nothing (a mirror moved away) is counted, never
    dropped without a word."""
    records = [record("2025-11-10T09:00:00Z", user("alice")), record("2025-11-10T09:30:00Z", user("bob"))]
    [path] = write_records(tmp_path, records)
    dangling = [path.parent / "20251110T0900Z_gone.json.gz", path.parent.parent / "10",
                path.parent.parent.parent / "11"]
    for link in dangling:
        link.symlink_to(tmp_path / "nowhere")
    report = BedrockAthenaTracker(LocalEngine(tmp_path, cache=False)).analyze(
        resolve_period(start="2025-11-10", end="2025-11-11"), ["us-east-1"])
    assert report.summary["calls"] == len(records)
    assert dict(report.stats.skipped_objects) == {"a symbolic link to nothing": len(dangling)}
    assert sorted(report.stats.skipped_examples["a symbolic link to nothing"]) == sorted(map(str, dangling))


def test_unreadable_day_hour_and_payload_folders_are_skipped_and_counted(tmp_path: Path) -> None:
    """Run as a user the folders refuse (root in a user namespace of its own is held to their permissions)."""
    probe = subprocess.run(["unshare", "--user", "true"], capture_output=True, check=False)
    if probe.returncode:
        pytest.skip(f"unshare --user is not allowed here: {probe.stderr.decode().strip()}")
    readable = [record("2025-11-10T09:00:00Z", user("alice"), inp=7), record("2025-11-10T09:10:00Z", user("bob"))]
    refused = [record("2025-11-10T10:00:00Z", user("carol")), record("2025-11-11T10:00:00Z", user("dave"))]
    paths = write_records(tmp_path / "logs", readable + refused)
    payloads = paths[0].parent / "data"
    payloads.mkdir()
    (payloads / "20251110T0900Z_input.json.gz").write_bytes(gzip.compress(b"{}"))
    refused_folders = [paths[0].parent.parent / "10", paths[0].parent.parent.parent / "11", payloads]
    for folder in refused_folders:
        folder.chmod(0)
    try:
        done = subprocess.run(
            ["unshare", "--user", sys.executable, str(ROOT / "bedrock_tracker_cli.py"), "--engine", "local",
             "--logs-dir", str(tmp_path / "logs"), "--start-date", "2025-11-10", "--end-date", "2025-11-11",
             "--analysis", "summary", "--format", "json", "--output-dir", "-", "--quiet"],
            env={**os.environ, "BEDROCK_USAGE_CACHE_DIR": str(tmp_path / "cache")}, cwd=ROOT, capture_output=True,
            text=True, check=False, timeout=300)
    finally:
        for folder in refused_folders:
            folder.chmod(0o755)
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert document["summary"]["calls"] == len(readable)
    assert document["summary"]["input_tokens"] == sum(r["input"]["inputTokenCount"] for r in readable)
    assert document["scan"]["objects_skipped"] == {
        "unreadable folder, counted as one object (the objects in it are not read): Permission denied": 2,
        "unreadable /data/ folder of request and response bodies (it holds no records): Permission denied": 1,
    }
    assert "Traceback" not in done.stderr


def test_an_account_folder_that_cannot_be_read_is_one_line(tmp_path: Path) -> None:
    """An ``AWSLogs/{account}`` folder the user may not read is named (its logs would be missing), not a traceback."""
    probe = subprocess.run(["unshare", "--user", "true"], capture_output=True, check=False)
    if probe.returncode:
        pytest.skip(f"unshare --user is not allowed here: {probe.stderr.decode().strip()}")
    write_records(tmp_path / "logs", [record("2025-11-10T09:00:00Z", user("alice"))])
    account = next((tmp_path / "logs").rglob(f"AWSLogs/{ACCOUNT}"))
    account.chmod(0)
    try:
        done = subprocess.run(
            ["unshare", "--user", sys.executable, str(ROOT / "bedrock_tracker_cli.py"), "--engine", "local",
             "--logs-dir", str(tmp_path / "logs"), "--start-date", "2025-11-10", "--end-date", "2025-11-10",
             "--quiet"], env={**os.environ, "BEDROCK_USAGE_CACHE_DIR": str(tmp_path / "cache")}, cwd=ROOT,
            capture_output=True, text=True, check=False, timeout=300)
    finally:
        account.chmod(0o755)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert f"cannot read the logs folder {account}: Permission denied" in done.stderr
