"""The compacted Parquet table: its SQL on DuckDB, and setup_athena_bucket.py --compact against moto's server.

The SQL test loads the raw logs into DuckDB with DuckDB's own JSON reader (independent of our engines), copies some
days with the compaction SQL, then checks that the facts query rewritten to read those days from the copy gives the
rows the original gives over the JSON, even once the JSON rows of the copied days are deleted.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import boto3
import duckdb
import pandas as pd
import pytest

from bedrock_usage.aws.compaction import (
    MAX_DAYS_PER_INSERT,
    DayBlock,
    blocks_around,
    blocks_to_copy,
    compact_table_input,
    record_compacted_days,
)
from bedrock_usage.aws.session import Aws
from bedrock_usage.demo.synthetic import CorpusSpec, generate_records
from bedrock_usage.demo.writer import write_local
from bedrock_usage.engines.athena import AthenaEngine
from bedrock_usage.engines.base import Scope
from bedrock_usage.engines.compacted import (
    COMPACT_PARTITION,
    COMPACT_TABLE,
    COMPACTED_FROM,
    COMPACTED_THROUGH,
    EARLIER_COMPACT_TABLES,
    CompactedDays,
    copy_select_sql,
    parse_compacted_days,
    parse_compacted_through,
    with_compacted_days,
)
from bedrock_usage.engines.local import to_duckdb
from bedrock_usage.engines.queries import Filters, usage_facts_query
from bedrock_usage.logs.layout import partition_value
from bedrock_usage.logs.period import Period
from bedrock_usage.logs.schema import DATABASE_NAME, TABLE_NAME, duckdb_columns
from tests.terminal_run import run as run_script

ROOT = Path(__file__).resolve().parents[2]
FIRST, LAST = date(2025, 10, 27), date(2025, 11, 5)
COPIED_THROUGH = date(2025, 10, 31)


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A corpus across a month end, with a re-delivered object, a payload object and a malformed line."""
    root = tmp_path_factory.mktemp("compaction-logs")
    write_local(root, generate_records(CorpusSpec(records=4000, start_date=FIRST, end_date=LAST, seed=7)))
    objects = sorted(root.rglob("*.json.gz"))
    copy = objects[3].with_name("redelivered-" + objects[3].name)
    copy.write_bytes(objects[3].read_bytes())
    payload_dir = objects[5].parent / "data"
    payload_dir.mkdir()
    record = json.loads(gzip.decompress(objects[5].read_bytes()).splitlines()[0])
    (payload_dir / "body.json.gz").write_bytes(gzip.compress(json.dumps(record).encode()))
    broken = objects[-1]
    broken.write_bytes(gzip.compress(gzip.decompress(broken.read_bytes()) + b'{"timestamp": "2025-11-05T1\n'))
    return root


def raw_connection(root: Path) -> duckdb.DuckDBPyConnection:
    """The logs as the Glue table exposes them: declared columns, ``dt`` and ``"$path"``."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute("CREATE MACRO at_timezone(ts, zone) AS timezone(zone, ts)")
    # Trino's json_array_length is NULL for a value that is not an array; DuckDB's is 0 for an object
    con.execute("CREATE MACRO trino_json_array_length(j) AS "
                "CASE WHEN json_type(j) = 'ARRAY' THEN json_array_length(j) END")
    con.execute(
        f"""CREATE TABLE {TABLE_NAME} AS
        SELECT * EXCLUDE (filename), filename AS "$path",
               regexp_extract(filename, '/(\\d{{4}}/\\d{{2}}/\\d{{2}})/\\d{{2}}/', 1) AS dt
        FROM read_json(?, columns = {duckdb_columns()!r}, format = 'newline_delimited', filename = true,
                       ignore_errors = true)""",
        [str(root / "**" / "*.json.gz")],
    )
    return con


def copy_on_duckdb() -> str:
    """The copy SQL as DuckDB runs it, with Trino's ``json_array_length`` (the copy tells a stream's array of chunks
    from a response object by it)."""
    return to_duckdb(copy_select_sql()).replace("JSON_ARRAY_LENGTH(", "trino_json_array_length(")


def compacted_day_rows(root: Path, period: Period, sql: str, params: list) -> pd.DataFrame:
    """The rows of a facts query over ``period`` (``sql``, ``params``, Athena's dialect) when its first day is read
    from the compacted copy of the local logs of ``root``, the JSON table emptied, as Athena reads a day that
    ``--compact`` copied."""
    con = raw_connection(root)
    day = period.start
    con.execute(f"CREATE TABLE {COMPACT_TABLE} AS {copy_on_duckdb()}", [partition_value(day)] * 2)
    con.execute(f"DELETE FROM {TABLE_NAME}")
    rewritten = with_compacted_days(sql, CompactedDays(day, day), *period.partition_days())
    return con.execute(to_duckdb(rewritten), params).df()


def facts(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> pd.DataFrame:
    frame = con.execute(to_duckdb(sql), params).df()
    return frame.sort_values(list(frame.columns)).reset_index(drop=True)


@pytest.mark.parametrize("copied_from", [pytest.param(FIRST, marks=pytest.mark.slow), FIRST + timedelta(days=2)])
def test_facts_read_from_the_compacted_days_equal_the_facts_read_from_json(logs: Path, copied_from: date) -> None:
    """Days copied from the first day with logs, or from a later one (a copy begun at a later --start-date): the
    days before and after the copy come from JSON."""
    con = raw_connection(logs)
    raw_rows = con.execute(f"SELECT count(*) FROM {TABLE_NAME}").fetchone()[0]
    con.execute(
        f"CREATE TABLE {COMPACT_TABLE} AS {copy_on_duckdb()}",
        [partition_value(copied_from), partition_value(COPIED_THROUGH)],
    )
    copied = con.execute(f"SELECT count(*), count(*) FILTER (source_path LIKE '%/data/%') FROM {COMPACT_TABLE}")
    assert copied.fetchone()[1] == 0
    days = con.execute(f"SELECT DISTINCT {COMPACT_PARTITION} FROM {COMPACT_TABLE} ORDER BY 1").fetchall()
    assert [row[0] for row in days] == [str(copied_from + timedelta(days=i))
                                        for i in range((COPIED_THROUGH - copied_from).days + 1)]

    period = Period(FIRST, LAST, "Asia/Seoul")
    query = usage_facts_query(period, Filters(), ("project",))
    first_day, last_day = period.partition_days()
    expected = facts(con, query.sql, query.params)
    assert expected["calls"].sum() > 3000 and expected["duplicate"].any()

    rewritten = with_compacted_days(query.sql, CompactedDays(copied_from, COPIED_THROUGH), first_day, last_day)
    assert COMPACT_TABLE in rewritten and rewritten != query.sql
    con.execute(f"DELETE FROM {TABLE_NAME} WHERE dt BETWEEN ? AND ?",
                [partition_value(copied_from), partition_value(COPIED_THROUGH)])
    assert con.execute(f"SELECT count(*) FROM {TABLE_NAME}").fetchone()[0] < raw_rows
    pd.testing.assert_frame_equal(facts(con, rewritten, query.params), expected)


def test_values_read_from_bodies_are_the_same_from_the_compacted_copy(tmp_path: Path) -> None:
    """Every body shape of the pricing tests (1-hour cache writes of InvokeModel, streams and Converse, images,
    video seconds, shots and resolutions, rerank documents, guardrails, service tiers) gives the same facts from the
    copy as from the JSON."""
    from tests.report.test_pricing_families import CALLS, DAY, UNPRICED, record

    records = [record(n, model, region, **options) for n, (model, region, options) in enumerate(CALLS)]
    records += [record(100 + n, model, region, **options) for n, (model, region, options, _) in enumerate(UNPRICED)]
    write_local(tmp_path, records)
    con = raw_connection(tmp_path)
    day = date.fromisoformat(DAY)
    con.execute(f"CREATE TABLE {COMPACT_TABLE} AS {copy_on_duckdb()}",
                [partition_value(day - timedelta(days=1)), partition_value(day + timedelta(days=1))])
    period = Period(day, day)
    query = usage_facts_query(period, Filters(), ())
    expected = facts(con, query.sql, query.params)
    assert expected["cache_write_1h_tokens"].sum() > 0 and expected["video_seconds"].sum() > 0
    assert expected["guardrail_interventions"].sum() == 1 and expected["rerank_queries"].sum() > 0
    assert {"flex", "priority", "reserved", "latency-optimized"} <= set(expected["service_tier"])
    assert {540, 720} <= set(expected["media_size"]) and expected["media_given"].sum() == 4  # Luma; Titan, 3 Nova
    rewritten = with_compacted_days(query.sql, CompactedDays(day - timedelta(days=1), day + timedelta(days=1)),
                                    *period.partition_days())
    con.execute(f"DELETE FROM {TABLE_NAME}")
    pd.testing.assert_frame_equal(facts(con, rewritten, query.params), expected)


def test_a_range_entirely_compacted_reads_no_json(logs: Path) -> None:
    con = raw_connection(logs)
    con.execute(
        f"CREATE TABLE {COMPACT_TABLE} AS {copy_on_duckdb()}",
        [partition_value(FIRST), partition_value(LAST + timedelta(days=1))],
    )
    query = usage_facts_query(Period(FIRST, date(2025, 11, 2)), Filters(), ())
    first_day, last_day = Period(FIRST, date(2025, 11, 2)).partition_days()
    expected = facts(con, query.sql, query.params)
    rewritten = with_compacted_days(query.sql, CompactedDays(FIRST - timedelta(days=1), LAST + timedelta(days=1)),
                                    first_day, last_day)
    assert f"FROM {TABLE_NAME} " not in rewritten.replace(f"FROM {TABLE_NAME}\n", "")
    con.execute(f"DELETE FROM {TABLE_NAME}")
    pd.testing.assert_frame_equal(facts(con, rewritten, query.params), expected)


def test_sql_without_compacted_days_is_unchanged() -> None:
    query = usage_facts_query(Period(FIRST, LAST), Filters(), ())
    assert with_compacted_days(query.sql, None, FIRST, LAST) == query.sql
    before = CompactedDays(FIRST - timedelta(days=9), FIRST - timedelta(days=1))
    after = CompactedDays(LAST + timedelta(days=1), LAST + timedelta(days=9))
    assert with_compacted_days(query.sql, before, FIRST, LAST) == query.sql
    assert with_compacted_days(query.sql, after, FIRST, LAST) == query.sql
    assert with_compacted_days("SELECT 1", CompactedDays(FIRST, LAST), FIRST, LAST) == "SELECT 1"


def test_blocks_cover_every_day_once_in_blocks_athena_accepts() -> None:
    start, through = date(2023, 1, 1), date(2026, 11, 27)
    blocks = blocks_to_copy(start, None, through)
    days = [b.first + timedelta(days=i) for b in blocks for i in range((b.last - b.first).days + 1)]
    assert days == [start + timedelta(days=i) for i in range((through - start).days + 1)]
    assert max((b.last - b.first).days + 1 for b in blocks) == MAX_DAYS_PER_INSERT
    assert blocks_to_copy(start, date(2026, 11, 25), through) == [DayBlock(date(2026, 11, 26), through)]
    assert blocks_to_copy(start, through, through) == []


@pytest.mark.parametrize("value", ["", "2025/11/01", "2025-13-01", "2025-11-01'; DROP TABLE x; --", None])
def test_unusable_compacted_through_values_are_ignored(value: str | None) -> None:
    table = {"Parameters": {} if value is None else {COMPACTED_THROUGH: value}}
    assert parse_compacted_through(table) is None
    assert parse_compacted_days({"Parameters": {**table["Parameters"], COMPACTED_FROM: "2025-01-01"}}) is None


def test_days_before_a_copy_are_copied_backwards_from_it() -> None:
    """Each block recorded as it is done keeps the copied days one span: the block next to the copy goes first."""
    copied = CompactedDays(date(2025, 6, 1), date(2025, 11, 20))
    blocks = blocks_around(date(2025, 1, 1), copied, date(2025, 11, 25))
    assert blocks == [DayBlock(date(2025, 4, 11), date(2025, 5, 31)), DayBlock(date(2025, 1, 1), date(2025, 4, 10)),
                      DayBlock(date(2025, 11, 21), date(2025, 11, 25))]
    assert blocks_around(date(2025, 7, 1), copied, date(2025, 11, 20)) == []


def test_both_copied_days_are_recorded_and_the_rest_of_the_table_kept(aws_env: dict[str, str]) -> None:
    glue = boto3.client("glue", region_name="us-east-1")
    glue.create_database(DatabaseInput={"Name": DATABASE_NAME})
    glue.create_table(DatabaseName=DATABASE_NAME, TableInput={**compact_table_input("s3://results/compacted/"),
                                                              "Parameters": {"team": "finops"}})
    table = glue.get_table(DatabaseName=DATABASE_NAME, Name=COMPACT_TABLE)["Table"]
    days = CompactedDays(date(2025, 6, 1), date(2025, 11, 20))
    record_compacted_days(glue, table, days)
    stored = glue.get_table(DatabaseName=DATABASE_NAME, Name=COMPACT_TABLE)["Table"]
    assert parse_compacted_days(stored) == days and stored["Parameters"]["team"] == "finops"


def test_a_copy_names_its_first_day_too() -> None:
    """Without its first day a copy is not read (days before it would read as empty); a first day after the last is
    no copy."""
    assert parse_compacted_days({"Parameters": {COMPACTED_THROUGH: "2025-11-20"}}) is None
    days = {"Parameters": {COMPACTED_FROM: "2025-06-01", COMPACTED_THROUGH: "2025-11-20"}}
    assert parse_compacted_days(days) == CompactedDays(date(2025, 6, 1), date(2025, 11, 20))
    assert parse_compacted_days({"Parameters": {COMPACTED_FROM: "2025-11-21", COMPACTED_THROUGH: "2025-11-20"}}) is None


def run_setup(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "setup_athena_bucket.py"), *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )


@pytest.mark.slow
def test_compact_creates_the_table_copies_settled_days_and_the_engine_reads_them(aws_env: dict[str, str]) -> None:
    region = "us-west-2"
    options = ["--regions", region, "--log-bucket", "bedrock-logs-{account}-{region}", "--log-prefix", "",
               "--skip-test-query", "--compact"]
    start = datetime.now(UTC).date() - timedelta(days=150)
    s3 = boto3.client("s3", region_name=region)
    s3.create_bucket(Bucket=f"bedrock-logs-123456789012-{region}",
                     CreateBucketConfiguration={"LocationConstraint": region})
    empty = run_setup(*options, "--start-date", start.isoformat(), env=aws_env)  # the log bucket is still empty
    assert empty.returncode == 0, empty.stderr
    assert "no log objects yet" in empty.stdout
    first_logs = start + timedelta(days=20)  # a first run copies from the first day with logs
    for day in (first_logs, first_logs + timedelta(days=40)):
        key = f"AWSLogs/123456789012/BedrockModelInvocationLogs/{region}/{day:%Y/%m/%d}/07/x.json.gz"
        s3.put_object(Bucket=f"bedrock-logs-123456789012-{region}", Key=key, Body=gzip.compress(b"{}\n"))
    glue = boto3.client("glue", region_name=region)
    glue.create_table(DatabaseName=DATABASE_NAME, TableInput={  # an earlier version's copy: left, and named
        "Name": EARLIER_COMPACT_TABLES[0], "Parameters": {COMPACTED_THROUGH: first_logs.isoformat()},
        "StorageDescriptor": {"Location": f"s3://bedrock-analytics-123456789012-{region}/compacted/old/"}})
    engine = AthenaEngine(Aws.connect(), output_location="s3://results/")
    before = usage_facts_query(Period(first_logs, first_logs), Filters(), ())
    stats = engine.query(before.sql, before.params, Scope((region,), first_logs, first_logs)).stats
    assert stats.earlier_compacted == {region: f"{EARLIER_COMPACT_TABLES[0]} through {first_logs}"}  # said, not read
    old_table = glue.get_table(DatabaseName=DATABASE_NAME, Name=EARLIER_COMPACT_TABLES[0])["Table"]
    first = run_setup(*options, "--start-date", start.isoformat(), env=aws_env)
    assert first.returncode == 0, first.stderr
    assert f"{EARLIER_COMPACT_TABLES[0]} (the compacted copy of an earlier version" in first.stdout
    assert "compacted/old/" in first.stdout  # where it really is
    kept = glue.get_table(DatabaseName=DATABASE_NAME, Name=EARLIER_COMPACT_TABLES[0])["Table"]
    assert (kept["Parameters"], kept["StorageDescriptor"]) == (old_table["Parameters"], old_table["StorageDescriptor"])
    table = glue.get_table(DatabaseName=DATABASE_NAME, Name=COMPACT_TABLE)["Table"]
    storage = table["StorageDescriptor"]
    assert storage["SerdeInfo"]["SerializationLibrary"].endswith("ParquetHiveSerDe")
    assert storage["Location"].startswith(f"s3://bedrock-analytics-123456789012-{region}/compacted/")
    assert "prompt" not in json.dumps(storage["Columns"]).lower()
    through = datetime.now(UTC).date() - timedelta(days=2)
    assert parse_compacted_through(table) == through

    athena = boto3.client("athena", region_name=region)
    inserts = []
    for query_id in athena.list_query_executions(WorkGroup="bedrock-usage")["QueryExecutionIds"]:
        execution = athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]
        if execution["Query"].startswith(f"INSERT INTO {COMPACT_TABLE}"):
            inserts.append(execution["ExecutionParameters"])
    expected = [[f"'{partition_value(b.first)}'", f"'{partition_value(b.last)}'"]
                for b in blocks_to_copy(first_logs, None, through)]
    assert sorted(inserts) == sorted(expected) and len(expected) == 2

    again = run_setup(*options, "--start-date", start.isoformat(), "--format", "json", env=aws_env)
    assert again.returncode == 0, again.stderr
    assert "up to date" in again.stdout

    query = usage_facts_query(Period(through - timedelta(days=3), through + timedelta(days=1)), Filters(), ())
    result = engine.query(
        query.sql, query.params, Scope((region,), through - timedelta(days=4), through + timedelta(days=2))
    )
    assert result.stats.compacted_through == {region: through.isoformat()}
    assert result.stats.earlier_compacted == {}  # the new copy holds every day the earlier one did
    latest = athena.list_query_executions()["QueryExecutionIds"]
    texts = [athena.get_query_execution(QueryExecutionId=q)["QueryExecution"]["Query"] for q in latest]
    assert any(f"FROM {COMPACT_TABLE} WHERE" in text and "UNION ALL" in text for text in texts)


def insert_days(region: str) -> list[list[str]]:
    """The day parameters of the INSERT INTOs the workgroup ran in ``region``, in the order they ran."""
    athena = boto3.client("athena", region_name=region)
    found = []
    for query_id in athena.list_query_executions(WorkGroup="bedrock-usage")["QueryExecutionIds"]:
        execution = athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]
        if execution["Query"].startswith(f"INSERT INTO {COMPACT_TABLE}"):
            found.append((execution["Status"]["SubmissionDateTime"], execution["ExecutionParameters"]))
    return [params for _, params in sorted(found, key=lambda item: item[0])]


def logs_since(region: str, day: date) -> list[str]:
    """A log bucket in ``region`` whose first log object is of ``day``; the options of a --compact run over it."""
    s3 = boto3.client("s3", region_name=region)
    bucket = f"bedrock-logs-123456789012-{region}"
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})
    key = f"AWSLogs/123456789012/BedrockModelInvocationLogs/{region}/{day:%Y/%m/%d}/07/x.json.gz"
    s3.put_object(Bucket=bucket, Key=key, Body=gzip.compress(b"{}\n"))
    return ["--regions", region, "--log-bucket", "bedrock-logs-{account}-{region}", "--log-prefix", "",
            "--skip-test-query", "--compact"]


@pytest.mark.slow
def test_days_before_the_copy_are_read_from_json_then_copied_backwards(aws_env: dict[str, str]) -> None:
    """A first copy begun at a later --start-date holds the days from it; a report of a day before reads that day
    from JSON (it read the copy, which has none, and showed no calls); the next run copies the earlier days, the
    block next to the copy first, so the copied days stay one span."""
    region = "eu-north-1"
    through = datetime.now(UTC).date() - timedelta(days=2)
    first_logs, later = through - timedelta(days=250), through - timedelta(days=30)
    options = logs_since(region, first_logs)
    first = run_setup(*options, "--start-date", later.isoformat(), env=aws_env)
    assert first.returncode == 0, first.stderr
    glue = boto3.client("glue", region_name=region)
    table = glue.get_table(DatabaseName=DATABASE_NAME, Name=COMPACT_TABLE)["Table"]
    assert parse_compacted_days(table) == CompactedDays(later, through)

    engine = AthenaEngine(Aws.connect(), output_location="s3://results/")
    day = first_logs + timedelta(days=3)
    query = usage_facts_query(Period(day, day), Filters(), ())
    engine.query(query.sql, query.params, Scope((region,), day, day + timedelta(days=1)))
    athena = boto3.client("athena", region_name=region)
    latest = athena.list_query_executions()["QueryExecutionIds"]
    texts = [athena.get_query_execution(QueryExecutionId=q)["QueryExecution"]["Query"] for q in latest]
    reports = [text for text in texts if not text.startswith("INSERT")]
    assert reports and not any(COMPACT_TABLE in text for text in reports)

    daily = run_setup(*options, env=aws_env)  # the plain daily run: the table still reads from the later day
    assert daily.returncode == 0 and "up to date" in daily.stdout, daily.stdout + daily.stderr
    table = glue.get_table(DatabaseName=DATABASE_NAME, Name=COMPACT_TABLE)["Table"]
    assert parse_compacted_days(table) == CompactedDays(later, through)  # no day Athena cannot read is recorded

    second = run_setup(*options, "--start-date", first_logs.isoformat(), env=aws_env)
    assert second.returncode == 0, second.stderr
    table = glue.get_table(DatabaseName=DATABASE_NAME, Name=COMPACT_TABLE)["Table"]
    assert parse_compacted_days(table) == CompactedDays(first_logs, through)
    earlier = [[f"'{partition_value(b.first)}'", f"'{partition_value(b.last)}'"]
               for b in blocks_to_copy(first_logs, None, later - timedelta(days=1))]
    assert insert_days(region)[-len(earlier):] == earlier[::-1] and len(earlier) == 3
    assert f"copied {(later - first_logs).days} days ({first_logs}..{later - timedelta(days=1)})" in second.stdout

    # A copy that ends long before the first day read (--start-date moved past it) is begun again from that day,
    # never extended over days it has not copied
    table = glue.get_table(DatabaseName=DATABASE_NAME, Name=COMPACT_TABLE)["Table"]
    ended = through - timedelta(days=100)
    glue.update_table(DatabaseName=DATABASE_NAME, TableInput={
        **{k: table[k] for k in ("Name", "StorageDescriptor", "PartitionKeys", "TableType")},
        "Parameters": {**table["Parameters"], COMPACTED_THROUGH: ended.isoformat()}})
    moved = through - timedelta(days=50)
    third = run_setup(*options, "--start-date", moved.isoformat(), env=aws_env)
    assert third.returncode == 0, third.stderr
    assert f"copied afresh from {moved}" in third.stdout
    table = glue.get_table(DatabaseName=DATABASE_NAME, Name=COMPACT_TABLE)["Table"]
    assert parse_compacted_days(table) == CompactedDays(moved, through)


@pytest.mark.slow
def test_a_copy_that_recorded_only_its_last_day_gets_its_first_from_its_partitions(aws_env: dict[str, str]) -> None:
    region = "eu-south-1"
    through = datetime.now(UTC).date() - timedelta(days=2)
    copied_from = through - timedelta(days=20)
    options = logs_since(region, copied_from)
    assert run_setup(*options, env=aws_env).returncode == 0
    glue = boto3.client("glue", region_name=region)
    table = glue.get_table(DatabaseName=DATABASE_NAME, Name=COMPACT_TABLE)["Table"]
    parameters = {k: v for k, v in table["Parameters"].items() if k != COMPACTED_FROM}  # as an earlier version left it
    glue.update_table(DatabaseName=DATABASE_NAME, TableInput={
        "Name": COMPACT_TABLE, "Parameters": parameters, "StorageDescriptor": table["StorageDescriptor"],
        "PartitionKeys": table["PartitionKeys"], "TableType": table["TableType"]})
    for n in range(21):
        glue.create_partition(DatabaseName=DATABASE_NAME, TableName=COMPACT_TABLE, PartitionInput={
            "Values": [(copied_from + timedelta(days=n)).isoformat()], "StorageDescriptor": table["StorageDescriptor"]})
    assert parse_compacted_days(glue.get_table(DatabaseName=DATABASE_NAME, Name=COMPACT_TABLE)["Table"]) is None
    before = len(insert_days(region))
    engine = AthenaEngine(Aws.connect(), output_location="s3://results/")
    query = usage_facts_query(Period(through, through), Filters(), ())
    day_scope = Scope((region,), through, through + timedelta(days=1))
    unread = engine.query(query.sql, query.params, day_scope).stats.earlier_compacted
    assert unread == {region: f"{COMPACT_TABLE} through {through}, its first day not recorded"}  # said, not read

    again = run_setup(*options, env=aws_env)

    assert again.returncode == 0, again.stderr
    table = glue.get_table(DatabaseName=DATABASE_NAME, Name=COMPACT_TABLE)["Table"]
    assert parse_compacted_days(table) == CompactedDays(copied_from, through)
    assert len(insert_days(region)) == before  # nothing copied twice
    assert f"holds {copied_from} through {through} (its partitions); recorded" in again.stdout
    stats = engine.query(query.sql, query.params, day_scope).stats
    assert stats.earlier_compacted == {} and stats.compacted_through == {region: through.isoformat()}


def test_of_several_earlier_copies_the_newest_is_named(aws_env: dict[str, str]) -> None:
    """A user who kept two earlier versions' copies (the docs say either may be dropped once a new copy holds their
    days) is told of the newest, the one holding the latest days, not the first version's."""
    region = "sa-east-1"
    glue = boto3.client("glue", region_name=region)
    glue.create_database(DatabaseInput={"Name": DATABASE_NAME})
    boto3.client("athena", region_name=region).create_work_group(Name="bedrock-usage")
    day = datetime.now(UTC).date() - timedelta(days=3)
    for name, through in ((EARLIER_COMPACT_TABLES[0], day - timedelta(days=60)), (EARLIER_COMPACT_TABLES[-1], day)):
        glue.create_table(DatabaseName=DATABASE_NAME, TableInput={
            "Name": name, "Parameters": {COMPACTED_THROUGH: through.isoformat()},
            "StorageDescriptor": {"Location": f"s3://bedrock-analytics-123456789012-{region}/compacted/{name}/"}})
    engine = AthenaEngine(Aws.connect(), output_location="s3://results/")
    query = usage_facts_query(Period(day, day), Filters(), ())
    stats = engine.query(query.sql, query.params, Scope((region,), day, day)).stats
    assert stats.earlier_compacted == {region: f"{EARLIER_COMPACT_TABLES[-1]} through {day}"}


@pytest.mark.parametrize(("region", "quiet"), [("eu-west-3", False), ("ap-south-1", True)])
def test_compact_shows_the_day_blocks_done_on_a_terminal_unless_quiet(
    aws_env: dict[str, str], region: str, quiet: bool
) -> None:
    first = datetime.now(UTC).date() - timedelta(days=150)
    options = [*logs_since(region, first), *(["--quiet"] if quiet else [])]
    blocks = len(blocks_to_copy(first, None, datetime.now(UTC).date() - timedelta(days=2)))

    _, stderr = run_script("setup_athena_bucket.py", *options, "--start-date", first.isoformat(), terminal=True)

    if quiet:
        assert "compacting" not in stderr and "\r" not in stderr
    else:
        assert f"compacting {region}: 100%|" in stderr and f" {blocks}/{blocks} [" in stderr
        assert f"Athena {region} {first}.." in stderr and "SUCCEEDED" in stderr


@pytest.mark.slow
def test_a_compacted_table_someone_moved_is_left_as_it_is_and_nothing_is_copied(aws_env: dict[str, str]) -> None:
    region = "ca-central-1"
    first = datetime.now(UTC).date() - timedelta(days=30)
    options = logs_since(region, first)
    assert run_setup(*options[:-1], "--start-date", first.isoformat(), env=aws_env).returncode == 0
    glue = boto3.client("glue", region_name=region)
    glue.create_table(DatabaseName=DATABASE_NAME, TableInput={
        "Name": COMPACT_TABLE, "StorageDescriptor": {"Location": "s3://team-parquet/records/"}})

    kept = run_setup(*options, "--start-date", first.isoformat(), env=aws_env)
    assert kept.returncode == 2 and "--replace-existing" in kept.stderr
    assert (f"  left as it is Glue table {DATABASE_NAME}.{COMPACT_TABLE}: location s3://team-parquet/records/ -> "
            f"s3://bedrock-analytics-123456789012-{region}/compacted/{COMPACT_TABLE}/, ") in kept.stdout
    table = glue.get_table(DatabaseName=DATABASE_NAME, Name=COMPACT_TABLE)["Table"]
    assert table["StorageDescriptor"]["Location"] == "s3://team-parquet/records/"
    assert boto3.client("athena", region_name=region).list_query_executions()["QueryExecutionIds"] == []
