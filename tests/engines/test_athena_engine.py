"""AthenaEngine against moto's Athena (which records queries and serves registered results but runs no SQL).

Failure states, paging and scan statistics that moto cannot produce are driven through ``FakeAthena``, a
stand-in for AWS's Athena API injected as the engine's client: it replaces AWS, not our code.
"""

from __future__ import annotations

import json
import math
import urllib.request
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pandas as pd
import pytest
import sqlglot
from botocore.exceptions import ClientError
from hypothesis import given, settings
from hypothesis import strategies as st

import bedrock_tracker_cli
from bedrock_usage.aws.session import Aws
from bedrock_usage.engines.athena import (
    DEFAULT_WORKGROUP,
    AthenaEngine,
    AthenaQueryError,
    athena_engine,
    execution_parameters,
    query_cost_usd,
    sql_literal,
)
from bedrock_usage.engines.base import Scope
from bedrock_usage.engines.compacted import COMPACT_TABLE
from bedrock_usage.errors import SetupRequired, UsageError
from bedrock_usage.governance.coverage import log_coverage
from bedrock_usage.logs.period import Period
from bedrock_usage.logs.schema import DATABASE_NAME
from bedrock_usage.report.render import report_document
from bedrock_usage.report.tracker import BedrockAthenaTracker, UsageReport

ACCOUNT = "123456789012"
RESULTS = "s3://results-bucket/athena/"
SQL = (
    "SELECT modelId AS model_id, count(*) AS calls\n"
    "FROM bedrock_invocation_logs\n"
    "WHERE dt BETWEEN ? AND ? AND strpos(identity.arn, ?) > 0  -- naïve ‘quotes’ 100% _x_\n"
    "\tAND operation <> 'it''s'\n"
    "GROUP BY 1   "
)
HOSTILE = [
    "it's",
    "''",
    "back\\slash\\'",
    "100%",
    "under_score",
    "x -- comment",
    "a'; DROP TABLE bedrock_invocation_logs; --",
    "naïve 東京 🙂",
    "line\nbreak",
    "",
]
# One price for 10 MB, the minimum Athena bills per query: $5 per TB with 1 TB = 2**40 bytes.
TEN_MB_COST = 10 * 2**20 / 2**40 * 5.0


def scope(*regions: str) -> Scope:
    return Scope(regions=tuple(regions), first_day=date(2025, 3, 1), last_day=date(2025, 3, 31))


def column(name: str, kind: str) -> dict[str, Any]:
    return {"Name": name, "Label": name, "Type": kind, "Nullable": "UNKNOWN", "CaseSensitive": True}


def result_rows(names: list[str], rows: list[list[Any]]) -> list[dict[str, Any]]:
    """Rows as Athena returns them: a header row, then text cells, NULL as a cell without VarCharValue."""
    cells = [[{"VarCharValue": name} for name in names]]
    for row in rows:
        cells.append([{} if value is None else {"VarCharValue": athena_text(value)} for value in row])
    return [{"Data": data} for data in cells]


def athena_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def register_result(endpoint: str, region: str, columns: list[dict[str, Any]], rows: list[dict[str, Any]]) -> None:
    body = {"account_id": ACCOUNT, "region": region, "results": [{"rows": rows, "column_info": columns}]}
    request = urllib.request.Request(
        f"{endpoint}/moto-api/static/athena/query-results",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    urllib.request.urlopen(request)


def set_transition(endpoint: str, transition: dict[str, Any] | None) -> None:
    path = "set-transition" if transition else "unset-transition"
    body: dict[str, Any] = {"model_name": "athena::execution"}
    if transition:
        body["transition"] = transition
    request = urllib.request.Request(
        f"{endpoint}/moto-api/state-manager/{path}",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    urllib.request.urlopen(request)


@pytest.fixture
def athena_states(moto_endpoint: str) -> Iterator[None]:
    """Lets a test change how moto's query states advance, and restores the default afterwards."""
    yield
    set_transition(moto_endpoint, None)


def create_workgroup(region: str, output: str | None = RESULTS, name: str = DEFAULT_WORKGROUP) -> None:
    configuration = {"ResultConfiguration": {"OutputLocation": output}} if output else {}
    boto3.client("athena", region_name=region).create_work_group(Name=name, Configuration=configuration)


def executions(region: str) -> list[dict[str, Any]]:
    client = boto3.client("athena", region_name=region)
    ids = client.list_query_executions()["QueryExecutionIds"]
    return [client.get_query_execution(QueryExecutionId=i)["QueryExecution"] for i in ids]


# --- parameters -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "literal"),
    [
        ("it's", "'it''s'"),
        ("''", "''''''"),
        ("back\\slash\\'", "'back\\slash\\'''"),
        ("100%", "'100%'"),
        ("under_score", "'under_score'"),
        ("x -- comment", "'x -- comment'"),
        ("a'; DROP TABLE t; --", "'a''; DROP TABLE t; --'"),
        ("naïve 東京 🙂", "'naïve 東京 🙂'"),
        ("", "''"),
        (42, "42"),
        (-7, "-7"),
        (2.5, "2.5"),
        (1e-07, "1e-07"),
        (True, "TRUE"),
    ],
)
def test_parameters_are_rendered_as_sql_literals(value: Any, literal: str) -> None:
    assert sql_literal(value) == literal


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_any_string_literal_reads_back_as_the_same_string(value: str) -> None:
    parsed = sqlglot.parse_one(sql_literal(value), read="trino")
    assert parsed.is_string and parsed.this == value


def test_non_finite_floats_have_no_literal() -> None:
    with pytest.raises(ValueError, match="^query parameter nan has no SQL literal$"):
        sql_literal(math.nan)
    with pytest.raises(ValueError, match="^query parameter inf has no SQL literal$"):
        sql_literal(math.inf)


def test_very_long_value_is_refused_before_anything_runs(aws_env: dict[str, str]) -> None:
    create_workgroup("us-east-1")
    assert len(execution_parameters(["x" * 1022])[0]) == 1024
    engine = AthenaEngine(Aws.connect())
    with pytest.raises(UsageError, match="at most 1024"):
        engine.query(SQL, ["2025/03/01", "2025/03/31", "x" * 1023], scope("us-east-1"))
    assert executions("us-east-1") == []


# --- a successful query on moto ----------------------------------------------------------------------------


def test_query_polls_until_succeeded_and_sends_sql_and_parameters_verbatim(
    aws_env: dict[str, str], moto_endpoint: str, athena_states: None
) -> None:
    create_workgroup("us-east-1")
    register_result(
        moto_endpoint,
        "us-east-1",
        [column("model_id", "varchar"), column("calls", "bigint")],
        result_rows(["model_id", "calls"], [["amazon.nova-lite-v1:0", 3]]),
    )
    # Each GetQueryExecution then moves the query one state on: QUEUED -> RUNNING -> SUCCEEDED.
    set_transition(moto_endpoint, {"progression": "manual", "times": 1})
    aws = Aws.connect()
    seen_states: list[str] = []
    aws.session.events.register(
        "after-call.athena.GetQueryExecution",
        lambda parsed, **_: seen_states.append(parsed["QueryExecution"]["Status"]["State"]),
    )
    params = ["2025/03/01", "2025/03/31", *HOSTILE, 42, 0.5]

    result = AthenaEngine(aws).query(SQL, params, scope("us-east-1"))

    assert seen_states == ["RUNNING", "SUCCEEDED"]
    assert result.frame.to_dict("records") == [{"model_id": "amazon.nova-lite-v1:0", "calls": 3}]
    [execution] = executions("us-east-1")
    assert execution["Query"] == SQL
    assert execution["Query"].encode() == SQL.encode()
    assert execution["ExecutionParameters"] == (
        ["'2025/03/01'", "'2025/03/31'"] + ["'" + v.replace("'", "''") + "'" for v in HOSTILE] + ["42", "0.5"]
    )
    assert execution["QueryExecutionContext"] == {"Database": DATABASE_NAME}
    assert execution["WorkGroup"] == DEFAULT_WORKGROUP
    assert result.stats.failed_regions == {}
    assert result.stats.objects_read == 0
    assert result.stats.bytes_read == 0
    assert result.stats.cost_usd == pytest.approx(TEN_MB_COST)


def test_more_than_a_thousand_typed_rows_with_nulls(aws_env: dict[str, str], moto_endpoint: str) -> None:
    """moto serves all rows in one response; ``test_every_result_page_is_read`` covers NextToken paging."""
    create_workgroup("us-east-1")
    names = ["day", "calls", "hour", "cost", "share", "long_context"]
    kinds = ["varchar", "bigint", "integer", "double", "decimal(10,2)", "boolean"]
    rows = [
        [
            None if i % 97 == 0 else f"2025-03-{i % 28 + 1:02d}",
            i * 1_000_003,
            None if i % 89 == 0 else i % 24,
            None if i % 83 == 0 else i / 7,
            f"{i % 100}.25",
            None if i % 79 == 0 else i % 2 == 0,
        ]
        for i in range(2500)
    ]
    register_result(
        moto_endpoint, "us-east-1", [column(n, k) for n, k in zip(names, kinds, strict=True)], result_rows(names, rows)
    )

    frame = AthenaEngine(Aws.connect()).query("SELECT 1", [], scope("us-east-1")).frame

    assert list(frame.columns) == names
    assert len(frame) == 2500
    assert str(frame["calls"].dtype) == "int64"
    assert str(frame["hour"].dtype) == "Int64"
    assert str(frame["cost"].dtype) == "float64"
    assert str(frame["share"].dtype) == "float64"
    assert str(frame["long_context"].dtype) == "boolean"
    assert frame["calls"].tolist() == [i * 1_000_003 for i in range(2500)]
    assert frame["day"].tolist() == [row[0] for row in rows]
    assert [None if v is None or v is pd.NA else int(v) for v in frame["hour"]] == [row[2] for row in rows]
    costs = frame["cost"].tolist()
    assert all(
        (math.isnan(got) if want is None else got == pytest.approx(want))
        for got, want in zip(costs, (row[3] for row in rows), strict=True)
    )
    assert frame["share"].tolist() == [float(row[4]) for row in rows]
    assert [None if v is pd.NA else bool(v) for v in frame["long_context"]] == [row[5] for row in rows]


def test_header_only_result_is_an_empty_typed_frame(aws_env: dict[str, str], moto_endpoint: str) -> None:
    create_workgroup("us-east-1")
    register_result(
        moto_endpoint,
        "us-east-1",
        [column("model_id", "varchar"), column("calls", "bigint"), column("flag", "boolean")],
        result_rows(["model_id", "calls", "flag"], []),
    )
    frame = AthenaEngine(Aws.connect()).query("SELECT 1", [], scope("us-east-1")).frame
    assert list(frame.columns) == ["model_id", "calls", "flag"]
    assert frame.empty
    assert str(frame["calls"].dtype) == "int64"


def test_athena_engine_builds_on_a_profile_and_the_default_workgroup(aws_env: dict[str, str]) -> None:
    create_workgroup("us-east-1")
    engine = athena_engine()
    assert engine.description == f"Amazon Athena over Model Invocation Logs (workgroup {DEFAULT_WORKGROUP})"
    assert engine.query("SELECT 1", [], scope("us-east-1")).stats.failed_regions == {}
    with pytest.raises(UsageError, match="no-such-profile"):
        athena_engine(profile="no-such-profile")


# --- where results go ---------------------------------------------------------------------------------------


def test_workgroup_output_location_is_left_to_the_workgroup(aws_env: dict[str, str]) -> None:
    create_workgroup("us-east-1")
    AthenaEngine(Aws.connect()).query("SELECT 1", [], scope("us-east-1"))
    [execution] = executions("us-east-1")
    assert not execution.get("ResultConfiguration")


def test_default_output_location_is_the_analytics_bucket(aws_env: dict[str, str]) -> None:
    create_workgroup("us-west-2", output=None)
    AthenaEngine(Aws.connect()).query("SELECT 1", [], scope("us-west-2"))
    [execution] = executions("us-west-2")
    location = execution["ResultConfiguration"]["OutputLocation"]
    assert location.startswith(f"s3://bedrock-analytics-{ACCOUNT}-us-west-2/query-results/")


def test_explicit_output_location_wins(aws_env: dict[str, str]) -> None:
    create_workgroup("us-east-1")
    AthenaEngine(Aws.connect(), output_location="s3://mine/out/").query("SELECT 1", [], scope("us-east-1"))
    [execution] = executions("us-east-1")
    assert execution["ResultConfiguration"]["OutputLocation"].startswith("s3://mine/out/")


# --- regions -------------------------------------------------------------------------------------------------


def test_regions_run_concurrently_and_rows_are_stacked(aws_env: dict[str, str], moto_endpoint: str) -> None:
    columns = [column("source_region", "varchar"), column("calls", "bigint")]
    for region, calls in (("us-east-1", [5, 6]), ("us-west-2", [7])):
        create_workgroup(region)
        register_result(
            moto_endpoint, region, columns, result_rows(["source_region", "calls"], [[region, c] for c in calls])
        )
    result = AthenaEngine(Aws.connect(), max_concurrency=2).query("SELECT 1", [], scope("us-east-1", "us-west-2"))
    assert sorted(result.frame.itertuples(index=False, name=None)) == [
        ("us-east-1", 5),
        ("us-east-1", 6),
        ("us-west-2", 7),
    ]
    assert result.stats.failed_regions == {}
    assert result.stats.cost_usd == pytest.approx(2 * TEN_MB_COST)


def test_a_failing_region_is_reported_and_the_others_answer(aws_env: dict[str, str], moto_endpoint: str) -> None:
    create_workgroup("us-east-1")
    register_result(moto_endpoint, "us-east-1", [column("calls", "bigint")], result_rows(["calls"], [[11]]))
    result = AthenaEngine(Aws.connect()).query("SELECT 1", [], scope("us-east-1", "eu-central-1"))
    assert result.frame["calls"].tolist() == [11]
    assert list(result.stats.failed_regions) == ["eu-central-1"]
    message = result.stats.failed_regions["eu-central-1"]
    assert f"workgroup {DEFAULT_WORKGROUP}" in message
    assert "setup_athena_bucket.py --regions eu-central-1" in message
    assert result.stats.cost_usd == pytest.approx(TEN_MB_COST)


def test_when_every_region_fails_the_first_error_is_raised(aws_env: dict[str, str]) -> None:
    engine = AthenaEngine(Aws.connect(), workgroup="nightly")
    assert engine.description == "Amazon Athena over Model Invocation Logs (workgroup nightly)"
    with pytest.raises(SetupRequired, match="nightly does not exist in ap-northeast-2") as raised:
        engine.query("SELECT 1", [], scope("ap-northeast-2", "eu-central-1"))
    assert "setup_athena_bucket.py --regions ap-northeast-2 --workgroup nightly" in str(raised.value)


# --- timeout on moto -------------------------------------------------------------------------------------------


def test_timeout_stops_the_query(aws_env: dict[str, str], moto_endpoint: str, athena_states: None) -> None:
    create_workgroup("us-east-1")
    set_transition(moto_endpoint, {"progression": "manual", "times": 1_000_000})
    engine = AthenaEngine(Aws.connect(), poll_timeout=0.3)
    with pytest.raises(AthenaQueryError, match="did not finish within 0.3 s and was cancelled"):
        engine.query("SELECT 1", [], scope("us-east-1"))
    [execution] = executions("us-east-1")
    assert execution["Status"]["State"] == "CANCELLED"


# --- states moto cannot produce, through a stand-in for the Athena API (no AWS endpoint at all) ---------------


class FakeAthena:
    """Athena's API as AWS behaves: scripted query states, results paged at most 1,000 rows per call."""

    def __init__(
        self,
        states: list[str],
        reason: str = "",
        rows: list[dict[str, Any]] | None = None,
        columns: list[dict[str, Any]] | None = None,
        scanned: int = 0,
        start_error: ClientError | None = None,
        output: str | None = None,
        encryption: str | None = None,
        retryable: bool = False,
    ):
        self.states = list(states)
        self.retryable = retryable  # a FAILED state's AthenaError says the query may succeed if run again
        self.reason = reason
        self.rows = rows or []
        self.columns = columns or []
        self.scanned = scanned
        self.start_error = start_error
        self.output = output  # the result file's S3 URI GetQueryExecution names, as Athena's ResultConfiguration
        self.encryption = {"EncryptionConfiguration": {"EncryptionOption": encryption}} if encryption else {}
        self.started: list[dict[str, Any]] = []
        self.stopped: list[str] = []
        self.result_calls: list[dict[str, Any]] = []

    def get_work_group(self, WorkGroup: str) -> dict[str, Any]:
        config = {"ResultConfiguration": {"OutputLocation": RESULTS}}
        return {"WorkGroup": {"Name": WorkGroup, "State": "ENABLED", "Configuration": config}}

    def start_query_execution(self, **request: Any) -> dict[str, Any]:
        if self.start_error:
            raise self.start_error
        self.started.append(request)
        return {"QueryExecutionId": "q-1"}

    def get_query_execution(self, QueryExecutionId: str) -> dict[str, Any]:
        state = self.states.pop(0) if len(self.states) > 1 else self.states[0]
        status: dict[str, Any] = {"State": state}
        if self.reason:
            status["StateChangeReason"] = self.reason
        if state == "FAILED":  # ErrorCategory 1 is SYSTEM (Athena API reference, AthenaError)
            status["AthenaError"] = {"ErrorCategory": 1 if self.retryable else 2, "Retryable": self.retryable,
                                     "ErrorMessage": self.reason}
        execution = {"QueryExecutionId": QueryExecutionId, "Status": status,
                     "Statistics": {"DataScannedInBytes": self.scanned}}
        if self.output:
            execution["ResultConfiguration"] = {"OutputLocation": self.output, **self.encryption}
        return {"QueryExecution": execution}

    def get_query_results(self, QueryExecutionId: str, MaxResults: int = 1000, NextToken: str = "0") -> dict:
        assert 1 <= MaxResults <= 1000
        self.result_calls.append({"MaxResults": MaxResults, "NextToken": NextToken})
        start = int(NextToken)
        page: dict[str, Any] = {
            "ResultSet": {
                "Rows": self.rows[start : start + MaxResults],
                "ResultSetMetadata": {"ColumnInfo": self.columns},
            }
        }
        if start + MaxResults < len(self.rows):
            page["NextToken"] = str(start + MaxResults)
        return page

    def stop_query_execution(self, QueryExecutionId: str) -> dict[str, Any]:
        self.stopped.append(QueryExecutionId)
        return {}


def fake_engine(clients: dict[str, FakeAthena]) -> AthenaEngine:
    return AthenaEngine(Aws.connect(), output_location=RESULTS, client_factory=clients.get, retry_pauses=(0.0, 0.0))


def test_every_result_page_is_read(no_aws_env: dict[str, str]) -> None:
    values = list(range(2500))
    fake = FakeAthena(["SUCCEEDED"], rows=result_rows(["n"], [[v] for v in values]), columns=[column("n", "bigint")])
    frame = fake_engine({"us-east-1": fake}).query("SELECT n", [], scope("us-east-1")).frame
    assert frame["n"].tolist() == values
    assert [call["NextToken"] for call in fake.result_calls] == ["0", "1000", "2000"]


def athena_csv(names: list[str], rows: list[list[Any]]) -> bytes:
    """A result file as Athena writes it: a header, every value quoted (a quote doubled), a NULL as nothing."""
    def line(values: list[Any]) -> str:
        return ",".join("" if v is None else '"' + athena_text(v).replace('"', '""') + '"' for v in values)

    return "".join(line(row) + "\n" for row in [names, *rows]).encode()


RESULT_NAMES = ["caller", "calls", "hour", "cost", "share", "long_context", "tag", "caller"]
RESULT_KINDS = ["varchar", "bigint", "integer", "double", "decimal(10,2)", "boolean", "varchar", "varchar"]
RESULT_ROWS = [
    [f"arn:aws:iam::{ACCOUNT}:user/u{i}" if i % 7 else None, i * 1_000_003, None if i % 89 == 0 else i % 24,
     None if i % 83 == 0 else i / 7, f"{i % 100}.25", None if i % 79 == 0 else i % 2 == 0,
     ["", 'say "hi", twice', "line\nbreak, 東京", None][i % 4], f"dup{i}"]
    for i in range(2_500)
]


def test_a_large_result_is_read_from_its_file_in_one_request(aws_env: dict[str, str]) -> None:
    """More rows than one GetQueryResults page: the CSV file Athena wrote gives the same frame as the pages
    (NULL apart from an empty string, quotes, commas and line breaks in values, two columns of one name)."""
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="results-bucket")
    boto3.client("s3", region_name="us-east-1").put_object(Bucket="results-bucket", Key="athena/q-1.csv",
                                                          Body=athena_csv(RESULT_NAMES, RESULT_ROWS))
    columns = [column(n, k) for n, k in zip(RESULT_NAMES, RESULT_KINDS, strict=True)]

    def read(output: str) -> tuple[pd.DataFrame, FakeAthena]:
        fake = FakeAthena(["SUCCEEDED"], rows=result_rows(RESULT_NAMES, RESULT_ROWS), columns=columns, output=output)
        return fake_engine({"us-east-1": fake}).query("SELECT 1", [], scope("us-east-1")).frame, fake

    from_file, fake = read(f"{RESULTS}q-1.csv")
    assert len(fake.result_calls) == 1  # the first page only: its column types
    from_pages, fake = read(f"{RESULTS}q-missing.csv")  # no such file (managed results, no s3:GetObject): pages
    assert len(fake.result_calls) == 3
    fake = FakeAthena(["SUCCEEDED"], rows=result_rows(RESULT_NAMES, RESULT_ROWS), columns=columns,
                      output=f"{RESULTS}q-1.csv", encryption="CSE_KMS")  # the file is ciphertext: pages
    encrypted = fake_engine({"us-east-1": fake}).query("SELECT 1", [], scope("us-east-1")).frame
    assert len(fake.result_calls) == 3
    pd.testing.assert_frame_equal(encrypted, from_pages)
    pd.testing.assert_frame_equal(from_file, from_pages)
    assert from_file.iloc[:, 6].tolist()[:4] == ["", 'say "hi", twice', "line\nbreak, 東京", None]
    assert str(from_file["calls"].dtype) == "int64" and str(from_file["hour"].dtype) == "Int64"
    assert from_file["calls"].tolist() == [row[1] for row in RESULT_ROWS]


def test_a_result_file_of_other_columns_is_not_trusted(aws_env: dict[str, str]) -> None:
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="results-bucket")
    boto3.client("s3", region_name="us-east-1").put_object(Bucket="results-bucket", Key="athena/q-1.csv",
                                                          Body=b'"a"\n"1"\n')
    values = list(range(2500))
    fake = FakeAthena(["SUCCEEDED"], rows=result_rows(["n", "m"], [[v, v] for v in values]),
                      columns=[column("n", "bigint"), column("m", "bigint")], output=f"{RESULTS}q-1.csv")
    frame = fake_engine({"us-east-1": fake}).query("SELECT n", [], scope("us-east-1")).frame
    assert frame["n"].tolist() == values and len(fake.result_calls) == 3


def test_failed_query_reports_athenas_reason(no_aws_env: dict[str, str]) -> None:
    fake = FakeAthena(["RUNNING", "FAILED"], reason="DIVISION_BY_ZERO: Division by zero")
    with pytest.raises(AthenaQueryError, match="failed in us-east-1: DIVISION_BY_ZERO: Division by zero"):
        fake_engine({"us-east-1": fake}).query("SELECT 1 / 0", [], scope("us-east-1"))


def test_a_missing_column_asks_for_the_tables_definition_not_a_permission(no_aws_env: dict[str, str]) -> None:
    """Athena engine 3's wording of a column the table lacks (as in its GetQueryExecution answers) also says "not
    authorized": the fix named is the table's definition, not the bucket's permissions."""
    reason = ("COLUMN_NOT_FOUND: line 1:8: Column 'x' cannot be resolved or requester is not authorized to access "
              "requested resources")
    fake = FakeAthena(["RUNNING", "FAILED"], reason=reason)
    with pytest.raises(SetupRequired) as raised:
        fake_engine({"us-east-1": fake}).query("SELECT x", [], scope("us-east-1"))
    message = str(raised.value)
    assert "lacks a column the reports read" in message and "grant the caller permission" not in message
    assert "run python setup_athena_bucket.py --regions us-east-1 to see its definition old -> new" in message


@pytest.mark.parametrize("reason", [
    "TYPE_MISMATCH: line 3:12: Expression identity is not of type ROW",
    "FUNCTION_NOT_FOUND: line 2:5: Unexpected parameters (timestamp(3), varchar(31)) for function regexp_like. "
    "Expected: regexp_like(varchar(x), JoniRegExp)",
])
def test_a_column_of_another_type_asks_for_the_tables_definition(no_aws_env: dict[str, str], reason: str) -> None:
    """A Glue table someone made with other column types (``identity`` a string, ``timestamp`` a timestamp) fails
    Athena's analysis in Trino's words: the fix named is the table's definition, Athena's words kept; a failure of
    the data (a value the SerDe cannot read) is not taken for one."""
    fake = FakeAthena(["RUNNING", "FAILED"], reason=reason)
    with pytest.raises(SetupRequired) as raised:
        fake_engine({"us-east-1": fake}).query("SELECT 1", [], scope("us-east-1"))
    message = str(raised.value)
    assert "has a column of another type than the reports read" in message and reason in message
    assert "run python setup_athena_bucket.py --regions us-east-1 to see its definition old -> new" in message
    data = FakeAthena(["FAILED"], reason="HIVE_BAD_DATA: Error parsing field value 'many' for field 3")
    with pytest.raises(AthenaQueryError, match="failed in us-east-1: HIVE_BAD_DATA"):
        fake_engine({"us-east-1": data}).query("SELECT 1", [], scope("us-east-1"))


def test_a_query_athena_says_may_succeed_again_is_run_again(no_aws_env: dict[str, str]) -> None:
    """FAILED with AthenaError.Retryable (an internal error): the query is started again and its rows read; a failure
    that stays retryable is reported once the retries are spent; a failure that is not retryable is never rerun."""
    reason = "GENERIC_INTERNAL_ERROR: Query exhausted resources at this scale factor"
    again = FakeAthena(["RUNNING", "FAILED", "RUNNING", "SUCCEEDED"], reason=reason, retryable=True,
                       rows=result_rows(["n"], [[1]]), columns=[column("n", "bigint")])
    frame = fake_engine({"us-east-1": again}).query("SELECT 1", [], scope("us-east-1")).frame
    assert len(again.started) == 2 and frame["n"].tolist() == [1]
    stuck = FakeAthena(["FAILED"], reason=reason, retryable=True)
    with pytest.raises(AthenaQueryError, match="failed again when run 2 more times"):
        fake_engine({"us-east-1": stuck}).query("SELECT 1", [], scope("us-east-1"))
    assert len(stuck.started) == 3
    once = FakeAthena(["FAILED"], reason="DIVISION_BY_ZERO: Division by zero")
    with pytest.raises(AthenaQueryError, match="failed in us-east-1: DIVISION_BY_ZERO"):
        fake_engine({"us-east-1": once}).query("SELECT 1 / 0", [], scope("us-east-1"))
    assert len(once.started) == 1


def test_cancelled_query_reports_athenas_reason(no_aws_env: dict[str, str]) -> None:
    fake = FakeAthena(["CANCELLED"], reason="Query exceeded the workgroup's bytes scanned limit")
    with pytest.raises(AthenaQueryError, match="was cancelled in us-east-1: Query exceeded"):
        fake_engine({"us-east-1": fake}).query("SELECT 1", [], scope("us-east-1"))


@pytest.mark.parametrize(
    "reason",
    [
        "TABLE_NOT_FOUND: line 3:6: Table 'awsdatacatalog.bedrock_analytics.bedrock_invocation_logs' does not exist",
        "SCHEMA_NOT_FOUND: line 3:6: Schema 'bedrock_analytics' does not exist",
    ],
)
def test_missing_table_asks_for_setup(reason: str, no_aws_env: dict[str, str]) -> None:
    fake = FakeAthena(["FAILED"], reason=reason)
    with pytest.raises(SetupRequired, match=r"run python setup_athena_bucket.py --regions ap-southeast-1$"):
        fake_engine({"ap-southeast-1": fake}).query("SELECT 1", [], scope("ap-southeast-1"))


def test_access_denied_while_running_names_the_permission(no_aws_env: dict[str, str]) -> None:
    reason = (
        "Insufficient permissions to execute the query. User: arn:aws:iam::123456789012:user/analyst is not "
        "authorized to perform: glue:GetTable on resource: arn:aws:glue:us-east-1:123456789012:catalog"
    )
    fake = FakeAthena(["FAILED"], reason=reason)
    with pytest.raises(SetupRequired, match="grant the caller permission glue:GetTable$"):
        fake_engine({"us-east-1": fake}).query("SELECT 1", [], scope("us-east-1"))


def test_access_denied_on_start_names_the_permission(no_aws_env: dict[str, str]) -> None:
    error = ClientError(
        {"Error": {"Code": "AccessDeniedException", "Message": "You are not authorized to perform this operation"}},
        "StartQueryExecution",
    )
    fake = FakeAthena(["SUCCEEDED"], start_error=error)
    with pytest.raises(SetupRequired, match="us-east-1: access denied: this identity needs athena:StartQueryExecution"):
        fake_engine({"us-east-1": fake}).query("SELECT 1", [], scope("us-east-1"))


def test_scanned_bytes_are_summed_and_priced_per_query(no_aws_env: dict[str, str]) -> None:
    scanned = {"us-east-1": 3 * 2**30 + 5, "eu-central-1": 1_000}
    clients = {
        region: FakeAthena(["SUCCEEDED"], rows=result_rows(["n"], [[1]]), columns=[column("n", "bigint")], scanned=b)
        for region, b in scanned.items()
    }
    stats = fake_engine(clients).query("SELECT 1", [], scope(*scanned)).stats
    assert stats.bytes_read == sum(scanned.values())
    # 3 GiB + 5 bytes rounds up to 3 GiB + 1 MiB; 1,000 bytes is billed as the 10 MiB minimum.
    expected = ((3 * 1024 + 1) * 2**20 + 10 * 2**20) / 2**40 * 5.0
    assert stats.cost_usd == pytest.approx(expected)


def test_a_cancelled_query_is_billed_and_a_failed_one_is_not(no_aws_env: dict[str, str]) -> None:
    """The workgroup's scan limit and the poll timeout cancel a query: Athena bills what it scanned (Athena User Guide,
    per-query data usage controls); a failed query costs nothing."""
    answered = FakeAthena(["SUCCEEDED"], rows=result_rows(["n"], [[1]]), columns=[column("n", "bigint")],
                          scanned=1_000)
    cut = FakeAthena(["RUNNING", "CANCELLED"], reason="Query exceeded the workgroup's bytes scanned limit",
                     scanned=10 * 2**30)
    failed = FakeAthena(["FAILED"], reason="SYNTAX_ERROR", scanned=5 * 2**30)
    slow = FakeAthena(["RUNNING"], scanned=2**30)
    clients = {"us-east-1": answered, "eu-west-1": cut, "ap-south-1": failed, "us-west-2": slow}
    engine = AthenaEngine(Aws.connect(), output_location=RESULTS, client_factory=clients.get, poll_timeout=0.3)
    stats = engine.query("SELECT 1", [], scope(*clients)).stats
    assert set(stats.failed_regions) == {"eu-west-1", "ap-south-1", "us-west-2"} and slow.stopped == ["q-1"]
    assert stats.bytes_read == 1_000 + 10 * 2**30 + 2**30
    assert stats.cost_usd == pytest.approx(TEN_MB_COST + (10 * 2**30 + 2**30) / 2**40 * 5.0)


def test_query_cost_follows_the_price_rule() -> None:
    assert query_cost_usd(0) == pytest.approx(TEN_MB_COST)
    assert query_cost_usd(10 * 2**20 + 1) == pytest.approx(11 * 2**20 / 2**40 * 5.0)
    assert query_cost_usd(2**40) == pytest.approx(5.0)


# --- days outside the logs table's partition projection ----------------------------------------------------


def logs_table(region: str, projection_range: str, compacted: tuple[date, date] | None = None,
               projection_format: str = "yyyy/MM/dd") -> None:
    """The logs table as setup_athena_bucket.py --start-date writes it (``projection.dt.range``), and the compacted
    copy holding ``compacted`` (first, last day) when given."""
    glue = boto3.client("glue", region_name=region)
    glue.create_database(DatabaseInput={"Name": DATABASE_NAME})
    glue.create_table(DatabaseName=DATABASE_NAME, TableInput={
        "Name": "bedrock_invocation_logs", "StorageDescriptor": {"Location": "s3://logs/AWSLogs/"},
        "PartitionKeys": [{"Name": "dt", "Type": "string"}],
        "Parameters": {"projection.enabled": "true", "projection.dt.type": "date",
                       "projection.dt.format": projection_format, "projection.dt.range": projection_range,
                       "projection.dt.interval": "1", "projection.dt.interval.unit": "DAYS"}})
    if compacted:
        glue.create_table(DatabaseName=DATABASE_NAME, TableInput={
            "Name": COMPACT_TABLE, "StorageDescriptor": {"Location": "s3://results/compacted/"},
            "Parameters": {"bedrock_usage.compacted_from": compacted[0].isoformat(),
                           "bedrock_usage.compacted_through": compacted[1].isoformat()}})


def projected_report(first: date, last: date) -> UsageReport:
    create_workgroup("us-east-1")
    return BedrockAthenaTracker(AthenaEngine(Aws.connect())).analyze(Period(first, last), ("us-east-1",))


@pytest.mark.slow
def test_a_period_before_the_projection_start_is_refused_not_reported_as_zero(aws_env: dict[str, str]) -> None:
    today = datetime.now(UTC).date()
    start = today - timedelta(days=6)
    logs_table("us-east-1", f"{start:%Y/%m/%d},NOW")
    with pytest.raises(UsageError) as refused:
        projected_report(today - timedelta(days=9), today - timedelta(days=7))
    message = str(refused.value)
    assert "no report is made" in message and "bedrock_analytics.bedrock_invocation_logs" in message
    assert f"covers only {start} through today" in message
    assert f"python setup_athena_bucket.py --regions us-east-1 --start-date {today - timedelta(days=9)}" in message
    assert executions("us-east-1") == []  # refused before a query that Athena would bill for reading nothing
    comparison = BedrockAthenaTracker(AthenaEngine(Aws.connect())).analyze(
        Period(today - timedelta(days=9), today - timedelta(days=7)), ("us-east-1",), unreadable_ok=True)
    assert comparison.stats.days_not_projected["us-east-1"].every_day and len(executions("us-east-1")) == 1


@pytest.mark.slow
@pytest.mark.parametrize(("projection_range", "compacted", "unread"), [
    ("{start},NOW", None, (9, 8, 7)),  # before the range start
    ("{start},NOW", (9, 8), (7,)),  # the compacted copy holds two of them
    ("2020/01/01,{end}", None, (5, 4)),  # after a fixed end
])
def test_days_outside_the_projection_are_named_with_the_command_that_widens_it(
    aws_env: dict[str, str], projection_range: str, compacted: tuple[int, int] | None, unread: tuple[int, ...]
) -> None:
    today = datetime.now(UTC).date()
    ago = [today - timedelta(days=n) for n in range(12)]
    logs_table("us-east-1", projection_range.format(start=f"{ago[6]:%Y/%m/%d}", end=f"{ago[6]:%Y/%m/%d}"),
               (ago[compacted[0]], ago[compacted[1]]) if compacted else None)
    report = projected_report(ago[9], ago[4])
    expected = [ago[n] for n in unread]
    assert list(report.stats.days_not_projected["us-east-1"].days) == expected
    span = f"{expected[0]}" if len(expected) == 1 else f"{expected[0]} .. {expected[-1]}"
    [line] = [w for w in report.warnings if "not read" in w]
    assert line.startswith(f"the logs of {span} in us-east-1 are not read")
    widen = min(expected[0], date(2020, 1, 1) if projection_range.startswith("2020") else ago[6])
    assert f"python setup_athena_bucket.py --regions us-east-1 --start-date {widen}" in line
    document = report_document(report, ["model"])
    assert document["scan"]["days_not_projected"] == {"us-east-1": [day.isoformat() for day in expected]}


def test_a_chargeback_does_not_blame_logging_for_days_athena_did_not_read() -> None:
    month = Period(date(2026, 11, 1), date(2026, 11, 30))
    facts = pd.DataFrame({"day": [date(2026, 11, n).isoformat() for n in range(5, 31)]})
    unread = [date(2026, 11, n) for n in range(1, 5)]
    coverage = log_coverage(facts, month, datetime(2026, 12, 7, tzinfo=UTC), unread={"us-east-1": unread})
    [headline] = coverage.warnings()
    assert "before logging began" not in headline
    assert "4 days not read (2026-11-01 .. 2026-11-04 in us-east-1: outside the partition projection" in headline
    assert "before logging began" in log_coverage(facts, month, datetime(2026, 12, 7, tzinfo=UTC)).warnings()[0]


UNCHECKED = "the partition projection of table bedrock_analytics.bedrock_invocation_logs in us-east-1 is one"


@pytest.mark.parametrize(("projection_range", "projection_format"), [
    ("2024/01/01,NOW-1YEARS+2MONTHS", "yyyy/MM/dd"),  # an offset of two units
    ("2024/001,NOW", "yyyy/DDD"),  # a day of the year: a letter this does not read
    ("", "yyyy/MM/dd"),  # no range at all
])
def test_a_projection_that_cannot_be_read_is_a_warning_naming_it_not_every_day_read(
    aws_env: dict[str, str], projection_range: str, projection_format: str
) -> None:
    today = datetime.now(UTC).date()
    logs_table("us-east-1", projection_range, projection_format=projection_format)
    report = projected_report(today - timedelta(days=3), today - timedelta(days=2))
    assert report.stats.days_not_projected == {}
    [line] = [w for w in report.warnings if w.startswith(UNCHECKED)]
    assert (f"(projection.dt.range {projection_range!r}, projection.dt.format {projection_format!r}), so the "
            "period's days could not be checked against it") in line
    assert len(executions("us-east-1")) == 1  # a warning, never a refusal
    document = report_document(report, ["model"])
    assert line in document["warnings"]
    assert document["scan"]["projections_not_checked"] == {"us-east-1": {
        "table": "bedrock_analytics.bedrock_invocation_logs", "range": projection_range, "format": projection_format}}


@pytest.mark.slow
def test_the_unchecked_projection_is_said_in_the_terminal_json_and_csv_runs(
    aws_env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    today = datetime.now(UTC).date()
    logs_table("us-east-1", "2024/01/01,NOW-1YEARS+2MONTHS")
    create_workgroup("us-east-1")
    dates = ["--start-date", f"{today - timedelta(days=3)}", "--end-date", f"{today - timedelta(days=2)}"]
    said = {}
    for fmt in ("terminal", "json", "csv"):
        where = [] if fmt == "terminal" else ["--output-dir", "-" if fmt == "json" else str(tmp_path)]
        code = bedrock_tracker_cli.main(["--engine", "athena", "--region", "us-east-1", *dates, "--format", fmt,
                                         *where, "--quiet"])
        assert code == 0
        said[fmt] = capsys.readouterr()
    assert f"  - {UNCHECKED}" in said["terminal"].out
    assert any(w.startswith(UNCHECKED) for w in json.loads(said["json"].out)["warnings"])
    assert f"warning: {UNCHECKED}" in said["csv"].err


def test_a_compacted_copy_of_every_day_needs_no_projection_check(aws_env: dict[str, str]) -> None:
    today = datetime.now(UTC).date()
    logs_table("us-east-1", "2024/01/01,NOW-1YEARS+2MONTHS", (today - timedelta(days=9), today - timedelta(days=1)))
    report = projected_report(today - timedelta(days=3), today - timedelta(days=2))
    assert report.stats.projections_not_checked == {}
    assert not [w for w in report.warnings if w.startswith(UNCHECKED)]


@pytest.mark.slow
def test_no_calls_on_athena_says_the_bytes_scanned_and_the_table_not_log_objects(aws_env: dict[str, str]) -> None:
    today = datetime.now(UTC).date()
    logs_table("us-east-1", "2020/01/01,NOW")
    report = projected_report(today - timedelta(days=3), today - timedelta(days=2))
    [line] = [w for w in report.warnings if w.startswith("no calls in")]
    [execution] = executions("us-east-1")
    scanned = execution["Statistics"].get("DataScannedInBytes", 0)
    assert scanned < 1024  # moto scans nothing
    assert f"(Athena scanned {scanned} B of bedrock_analytics.bedrock_invocation_logs)" in line
    assert "log objects read" not in line
