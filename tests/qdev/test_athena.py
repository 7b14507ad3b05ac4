"""``qcli_s3_analyzer.py --data-source athena`` against moto: prompt logs from S3, activity reports from Athena.

moto records each query and serves a result registered beforehand (it runs no SQL; the SQL's meaning is tested
on DuckDB in test_qdev_athena_sql.py). The registered rows are written here in the query's result shape, and the
report must show exactly their figures, not those of the CSV files also in the bucket. Failures Athena reports
while running (a missing table, one region failing) come from a stand-in for the Athena API.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import boto3
import pytest

import bedrock_tracker_cli
import qcli_s3_analyzer
import setup_athena_bucket
from bedrock_usage.aws.session import Aws
from bedrock_usage.errors import SetupRequired
from bedrock_usage.logs.period import Period
from bedrock_usage.qdev.activity_sql import activity_query
from bedrock_usage.qdev.analysis import Source, analyze
from bedrock_usage.qdev.athena import AthenaActivity, qdev_athena_engine
from bedrock_usage.qdev.sources import LocalStore
from bedrock_usage.qdev.synthetic import write_qdev_corpus
from tests.engines.test_athena_engine import RESULTS, FakeAthena, column, register_result, result_rows
from tests.qdev.test_activity import header
from tests.qdev.test_offline import offline  # noqa: F401  (fixture)

pytestmark = pytest.mark.usefixtures("offline")

ACCOUNT = "123456789012"
BUCKET = f"amazonq-developer-reports-{ACCOUNT}"
ALICE = "d-9999999999.athena-alice"
BOB = "d-9999999999.athena-bob"
REPORT = f"s3://{BUCKET}/prompt_logging/AWSLogs/{ACCOUNT}/QDeveloperLogs/by_user_analytic/us-east-1/2025/11/"
FILES = {"new": REPORT + "11/00/a.csv", "old": REPORT + "12/00/b.csv", "broken": REPORT + "13/00/c.csv"}
ARGS = ["--data-source", "athena", "--prefix", "prompt_logging", "--start-date", "2025-11-10",
        "--end-date", "2025-11-12", "--user-pattern", "d-"]


def result_columns() -> list[tuple[str, str]]:
    """The query's result columns and their Athena types (report columns in lower case, as Athena names them)."""
    texts = ["line_kind", "problem", "source_file", "product_folder", "region"]
    return ([(name, "varchar") for name in texts] + [("missing_columns", "bigint"), ("user_id", "varchar"),
            ("report_date", "varchar")] + [(name.lower(), "bigint") for name in header()[2:]])


def athena_row(kind: str, source: str, **values: Any) -> list[Any]:
    """One result row; a report row's counts default to 0, every other cell to NULL."""
    counts = {name.lower(): 0 for name in header()[2:]} if kind == "row" else {}
    row = {"line_kind": kind, "source_file": source, "product_folder": "QDeveloperLogs", "region": "us-east-1",
           **counts, **values}
    return [row.get(name) for name, _ in result_columns()]


# Alice: 6 and 9 messages in the period, 2 /dev runs on the 5th (before the period: month to date only).
RECORDS = [
    {"user_id": ALICE, "report_date": "2025-11-05", "dev_generationeventcount": 2},
    {"user_id": ALICE, "report_date": "2025-11-10", "chat_messagessent": 6, "dev_generationeventcount": 1},
    {"user_id": BOB, "report_date": "2025-11-11", "chat_messagessent": 4, "inline_suggestionscount": 30},
    {"user_id": ALICE, "report_date": "2025-11-12", "chat_messagessent": 9},
]


def register_activity(endpoint: str) -> None:
    rows = [athena_row("header", FILES["new"], missing_columns=0)]
    rows += [athena_row("header", FILES["old"], missing_columns=5)]
    rows += [athena_row("row", FILES["new" if i % 2 else "old"], **record) for i, record in enumerate(RECORDS)]
    rows += [athena_row("row", FILES["old"], problem="bad number", user_id=BOB, report_date="2025-11-12")]
    rows += [athena_row("row", FILES["broken"], problem="no UserId/Date header")]
    names = [name for name, _ in result_columns()]
    register_result(endpoint, "us-east-1", [column(n, k) for n, k in result_columns()], result_rows(names, rows))


@pytest.fixture
def bucket(aws_env: dict[str, str]) -> None:
    """Prompt logs and activity-report CSVs in the default bucket, and Athena set up over the reports."""
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket=BUCKET)
    write_qdev_corpus(f"s3://{BUCKET}/prompt_logging", start=date(2025, 11, 1), end=date(2025, 11, 13), seed=5,
                      users=3, s3_client=s3)
    assert setup_athena_bucket.main(["--qdev", "--skip-test-query", "--format", "json"]) == 0


def executions() -> list[dict[str, Any]]:
    athena = boto3.client("athena", region_name="us-east-1")
    ids = athena.list_query_executions()["QueryExecutionIds"]
    return [athena.get_query_execution(QueryExecutionId=i)["QueryExecution"] for i in ids]


@pytest.mark.slow
def test_activity_comes_from_athena_and_prompt_logs_from_s3(
    bucket: None, moto_endpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    register_activity(moto_endpoint)
    assert qcli_s3_analyzer.main([*ARGS, "--format", "json", "--output-dir", "-"]) == 0
    document = json.loads(capsys.readouterr().out)

    [execution] = executions()
    assert execution["Query"] == activity_query(date(2025, 11, 10), date(2025, 11, 12)).sql
    # reports dated from the 1st (month start, earlier than 7 days before the 10th), in folders up to the 13th;
    # the user pattern is applied per person afterwards (it also matches e-mails other sources give)
    assert execution["ExecutionParameters"] == ["'2025/11/01'", "'2025/11/13'", "'2025-11-01'", "'2025-11-12'"]
    assert execution["QueryExecutionContext"] == {"Database": "bedrock_analytics"}
    assert execution["WorkGroup"] == "bedrock-usage"

    assert document["summary"]["requests"] > 0  # prompt logs, read from S3
    assert "qdev_user_activity" in document["source"]
    activity = document["activity"]
    per_user = {row["user"]: row for row in activity["per_user"]}  # no source names them: shown by id
    in_period = [r for r in RECORDS if "2025-11-10" <= r["report_date"] <= "2025-11-12"]
    assert set(per_user) == {ALICE, BOB}
    for user, row in per_user.items():
        mine = [r for r in in_period if r["user_id"] == user]
        assert row["days_active"] == len(mine)
        for name in ("Chat_MessagesSent", "Inline_SuggestionsCount", "Dev_GenerationEventCount"):
            assert row[name] == sum(r.get(name.lower(), 0) for r in mine)
    ten_mb = 10 * 2**20 / 2**40 * 5.0  # what Athena bills at least per query
    assert activity["files"] == {
        "listed": 3, "read": 2, "skipped": {"no UserId/Date header": 1}, "skipped_rows": {"bad number": 1},
        "older_layout_files": 1, "replaced_rows": 0, "via_athena": True, "queried_regions": ["us-east-1"],
        "bytes_scanned": 0,
        "query_cost_usd": pytest.approx(ten_mb, abs=1e-9),
    }
    dev = [s for s in document["limits"]["statuses"] if s["limit"] == "dev_invocations" and s["subject"] == ALICE]
    assert [s["used"] for s in dev] == [3]  # month to date: the 5th and the 10th


@pytest.mark.slow
def test_terminal_report_says_the_reports_were_read_through_athena(
    bucket: None, moto_endpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    register_activity(moto_endpoint)
    assert bedrock_tracker_cli.main(["--service", "qcli", *ARGS]) == 0
    out = capsys.readouterr().out
    assert "read through Athena: 0.0 MiB scanned" in out and ALICE in out


@pytest.mark.slow
def test_a_query_without_rows_says_so_and_keeps_the_scan_and_its_cost(
    bucket: None, moto_endpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    names = [name for name, _ in result_columns()]
    columns = [column(n, k) for n, k in result_columns()]
    for _ in range(2):  # one query per run: JSON, then terminal
        register_result(moto_endpoint, "us-east-1", columns, result_rows(names, []))
    capsys.readouterr()
    assert qcli_s3_analyzer.main([*ARGS, "--format", "json", "--output-dir", "-"]) == 0
    activity = json.loads(capsys.readouterr().out)["activity"]
    ten_mb = 10 * 2**20 / 2**40 * 5.0  # what Athena bills at least per query
    assert activity["files"] == {
        "listed": 0, "read": 0, "skipped": {}, "skipped_rows": {}, "older_layout_files": 0, "replaced_rows": 0,
        "via_athena": True,
        "queried_regions": ["us-east-1"], "bytes_scanned": 0, "query_cost_usd": pytest.approx(ten_mb, abs=1e-9),
    }
    assert activity["per_user"] == [] and activity["spikes"] == []

    assert qcli_s3_analyzer.main(ARGS) == 0
    out = capsys.readouterr().out
    section = out[out.index("Activity reports") :]
    assert ("the Athena query on qdev_user_activity returned no rows for 2025-11-10 .. 2025-11-12 (UTC) in "
            "us-east-1") in section
    assert "read through Athena: 0.0 MiB scanned, about $0.0000" in section
    assert "no user-activity reports found" not in out


@pytest.mark.slow
@pytest.mark.parametrize("entry", ["qcli_s3_analyzer", "bedrock_tracker_cli"])
def test_a_missing_workgroup_names_the_setup_step(
    bucket: None, entry: str, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    argv = [*ARGS, "--workgroup", "nightly"]
    code = qcli_s3_analyzer.main(argv) if entry == "qcli_s3_analyzer" else bedrock_tracker_cli.main(
        ["--service", "qcli", *argv])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert ("Athena workgroup nightly does not exist in us-east-1: run python setup_athena_bucket.py --qdev "
            "--regions us-east-1 --workgroup nightly") in err


def fake_reader(clients: dict[str, FakeAthena], **options: Any) -> AthenaActivity:
    return AthenaActivity(qdev_athena_engine(Aws.connect(), output_location=RESULTS, client_factory=clients.get,
                                             **options))


def test_a_missing_table_names_the_setup_step(no_aws_env: dict[str, str]) -> None:
    reason = "TABLE_NOT_FOUND: line 9:8: Table 'awsdatacatalog.bedrock_analytics.qdev_user_activity' does not exist"
    reader = fake_reader({"us-east-1": FakeAthena(["FAILED"], reason=reason)})
    with pytest.raises(SetupRequired, match=r"qdev_user_activity is missing in us-east-1 .*"
                       r": run python setup_athena_bucket.py --qdev --regions us-east-1$"):
        reader.read(("us-east-1",), date(2025, 11, 10), date(2025, 11, 12))


def report_with_a_failing_region(tmp_path: Path, failing: dict[str, FakeAthena] | None = None, **options: Any):
    """The analysis of activity reports read through Athena in us-east-1, which answers one user's row, and in
    eu-central-1, whose query fails (or in each Region of ``failing``, through its stand-in; ``options`` are the
    engine's)."""
    failing = failing or {"eu-central-1": FakeAthena(["FAILED"], reason="HIVE_CURSOR_ERROR: something broke")}
    for region in ("us-east-1", *failing):  # report folders, so every region is queried
        folder = tmp_path / f"AWSLogs/{ACCOUNT}/QDeveloperLogs/by_user_analytic/{region}/2025/11/11/00"
        folder.mkdir(parents=True)
    names = [name for name, _ in result_columns()]
    rows = [athena_row("header", FILES["new"], missing_columns=0), athena_row("row", FILES["new"], **RECORDS[1])]
    answering = FakeAthena(["SUCCEEDED"], rows=result_rows(names, rows),
                           columns=[column(n, k) for n, k in result_columns()])
    reader = fake_reader({"us-east-1": answering, **failing}, **options)
    return analyze(Source(LocalStore(tmp_path), activity=reader), Period(date(2025, 11, 10), date(2025, 11, 12)))


def test_a_failing_region_is_a_warning_and_the_other_regions_count(no_aws_env: dict[str, str], tmp_path: Path) -> None:
    report = report_with_a_failing_region(tmp_path)
    assert report.activity is not None
    assert report.activity.per_user["Chat_MessagesSent"].tolist() == [6]
    assert any(line.startswith("activity reports of eu-central-1 not read: ") and "HIVE_CURSOR_ERROR" in line
               for line in report.warnings)
