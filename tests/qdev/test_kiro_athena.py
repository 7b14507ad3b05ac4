"""Kiro user reports through Athena: the query on DuckDB over the fixture, and the whole path against moto.

The Glue table ``kiro_user_report`` is emulated as Athena reads it (every object under the projected ``dt`` folders,
split into lines at LF, CRLF or CR, bytes that are not UTF-8 replaced, ``$path`` the S3 URI). The SQL must give
what the CSV reader gives, file by file and in the report. Against moto (which runs no SQL), the setup script must
make the table, and the rows the query returns on DuckDB, registered as the Athena result, must give the same
report as the folder.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date
from pathlib import Path

import boto3
import duckdb
import pandas as pd
import pytest
import sqlglot

import qcli_s3_analyzer
import setup_athena_bucket
from bedrock_usage.engines.local import to_duckdb
from bedrock_usage.qdev import kiro_report as kr
from bedrock_usage.qdev.activity_sql import activity_query
from bedrock_usage.qdev.credits import in_read_window
from bedrock_usage.qdev.kiro_report_sql import decode_user_reports, user_report_query
from bedrock_usage.qdev.sources import LocalStore
from tests.engines.test_athena_engine import column, create_workgroup, register_result, result_rows
from tests.qdev import kiro_oracle as oracle
from tests.qdev.test_kiro_reports import NOW, PERIOD
from tests.qdev.test_offline import offline  # noqa: F401  (fixture)

pytestmark = pytest.mark.usefixtures("offline")

BUCKET = "amazonq-developer-reports-123456789012"
ACCOUNT = "123456789012"
_KIRO_RE = re.compile(r"AWSLogs/[^/]+/KiroLogs/user_report/([^/]+)/(\d{4}/\d{2}/\d{2})/")
_ACTIVITY_RE = re.compile(r"AWSLogs/[^/]+/(QDeveloperLogs|KiroLogs)/by_user_analytic/([^/]+)/(\d{4}/\d{2}/\d{2})/")


def _lines(path: Path) -> list[str]:
    lines = re.split(r"\r\n|\r|\n", path.read_bytes().decode("utf-8", errors="replace"))
    return lines[:-1] if lines and lines[-1] == "" else lines


def emulate(con: duckdb.DuckDBPyConnection, root: Path) -> None:
    """Both Glue tables over ``root`` as Athena would read them (keys as ``s3://BUCKET/{path}``)."""
    kiro, activity = [], []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        key = path.relative_to(root).as_posix()
        if match := _KIRO_RE.search(key):
            kiro += [(line, match[2], f"s3://{BUCKET}/{key}") for line in _lines(path)]
        if match := _ACTIVITY_RE.search(key):
            activity += [(line, match[1], match[3], f"s3://{BUCKET}/{key}") for line in _lines(path)]
    con.register("kiro_lines", pd.DataFrame(kiro, columns=["line", "dt", "$path"]))
    con.execute('CREATE TABLE kiro_user_report AS SELECT line, dt, "$path" FROM kiro_lines')
    con.register("activity_lines", pd.DataFrame(activity, columns=["line", "product", "dt", "$path"]))
    con.execute('CREATE TABLE qdev_user_activity AS SELECT line, product, dt, "$path" FROM activity_lines')


def run_on_duckdb(sql: str, params: list, root: Path = oracle.FIXTURE) -> pd.DataFrame:
    con = duckdb.connect()
    try:
        emulate(con, root)
        return con.execute(to_duckdb(sql), params).df()
    finally:
        con.close()


class DuckDBUserReports:
    """A UserReportReader running the Athena query on DuckDB over the emulated table (of the fixture by default)."""

    def __init__(self, root: Path = oracle.FIXTURE) -> None:
        self.root = root

    def describe(self) -> str:
        return "DuckDB over the fixture"

    def read(self, regions: tuple[str, ...], first_day: date, last_day: date,
             progress: object = None) -> kr.UserReportRows:
        query = user_report_query(first_day, last_day)
        stats = kr.UserReportStats(via_athena=True, queried_regions=regions)
        return decode_user_reports(run_on_duckdb(query.sql, query.params, self.root), stats,
                                   lambda facts: in_read_window(facts, first_day, last_day))


def test_the_sql_gives_what_the_csv_reader_gives_file_by_file() -> None:
    query = user_report_query(PERIOD.start, PERIOD.end)
    frame = run_on_duckdb(query.sql, query.params)
    readable = oracle.report_files(date(2026, 11, 1), date(2026, 11, 5))
    for path in readable:
        key = f"s3://{BUCKET}/{path.relative_to(oracle.FIXTURE).as_posix()}"
        stats = kr.UserReportStats()
        from_sql = decode_user_reports(frame[frame["source_file"] == key], stats)
        parsed = read_user_report_csv_of(path)
        from_csv = kr.combine_files([kr.UserReportFile(parsed, key, "us-east-1", "")], kr.UserReportStats())
        pd.testing.assert_frame_equal(from_sql.facts, from_csv.facts)
        pd.testing.assert_frame_equal(from_sql.models, from_csv.models)
        assert stats.skipped_rows == parsed.skipped_rows, path.name
        assert stats.files_without_email == (not parsed.has_email), path.name


def read_user_report_csv_of(path: Path) -> kr.ParsedUserReport:
    return kr.read_user_report_csv(path.read_bytes())


def test_the_sql_counts_files_and_rows_as_the_s3_reader_does() -> None:
    rows = DuckDBUserReports().read(("us-east-1",), PERIOD.start, PERIOD.end)
    stats = rows.stats
    assert stats.files_listed == 12 and stats.files_read == 10
    assert dict(stats.skipped_files) == oracle.SKIPPED_FILES  # the Latin-1 file too, by its replaced bytes
    assert dict(stats.skipped_rows) == oracle.SKIPPED_ROWS and stats.replaced_rows == 1
    expected = oracle.rows(date(2026, 11, 1), date(2026, 11, 5))
    assert sorted(rows.facts["Credits_Used"]) == sorted(r.credits for r in expected if r.day >= date(2026, 11, 1))


@pytest.mark.slow
def test_reports_through_sql_equal_reports_from_the_files() -> None:
    from bedrock_usage.qdev.analysis import Source, analyze

    from_files = analyze(Source(LocalStore(oracle.FIXTURE)), PERIOD, now=NOW).kiro
    through_sql = analyze(Source(LocalStore(oracle.FIXTURE), user_reports=DuckDBUserReports()), PERIOD, now=NOW).kiro
    for name in ("per_user", "per_client", "per_day", "per_model", "allowance"):
        pd.testing.assert_frame_equal(getattr(through_sql, name), getattr(from_files, name), check_like=False)
    for name in ("files_listed", "files_read", "skipped_files", "skipped_rows", "replaced_rows",
                 "files_without_email"):
        assert getattr(through_sql.stats, name) == getattr(from_files.stats, name), name


def test_a_negative_number_is_a_bad_number_through_the_sql(tmp_path: Path) -> None:
    folder = tmp_path / "AWSLogs" / ACCOUNT / "KiroLogs" / "user_report" / "us-east-1" / "2026/11/03/00"
    folder.mkdir(parents=True)
    lines = ["Date,UserId,Credits_Used,Overage_Credits_Used,Total_Messages,auto_messages",
             "2026-11-02,u1,3.5,0,2,2", "2026-11-02,u2,-3.5,0,2,2", "2026-11-02,u3,1,-0.5,2,2",
             "2026-11-02,u4,1,0,-2,2", "2026-11-02,u5,1,0,2,-2"]
    (folder / f"KIRO_IDE_{ACCOUNT}_user_report_202611030200.csv").write_text("\n".join(lines) + "\n")
    query = user_report_query(date(2026, 11, 2), date(2026, 11, 2))
    con = duckdb.connect()
    try:
        emulate(con, tmp_path)
        frame = con.execute(to_duckdb(query.sql), query.params).df()
    finally:
        con.close()

    rows = decode_user_reports(frame, kr.UserReportStats())

    assert rows.facts["UserId"].tolist() == ["u1"]
    assert dict(rows.stats.skipped_rows) == {"bad number": 4}


def test_query_text_is_trino_and_every_value_is_a_parameter() -> None:
    query = user_report_query(PERIOD.start, PERIOD.end)
    placeholders = list(sqlglot.parse_one(query.sql, read="trino").find_all(sqlglot.exp.Placeholder))
    assert query.params == ["2026/11/01", "2026/11/05"]  # the month start .. the day after the period
    assert len(placeholders) == len(query.params) == query.sql.count("?")
    assert "2026" not in query.sql
    assert "auto" not in query.sql and "claude" not in query.sql  # no model is named: each file's header says


def _athena_rows(frame: pd.DataFrame) -> tuple[list[dict], list[dict]]:
    """A DuckDB result as Athena's column info and text rows."""
    kinds = {"bool": "boolean", "int64": "bigint", "Int64": "bigint", "int32": "integer", "float64": "double"}
    columns = [column(name, kinds.get(str(dtype), "varchar")) for name, dtype in frame.dtypes.items()]
    values = [[None if pd.isna(v) else (bool(v) if isinstance(v, bool) else v) for v in row]
              for row in frame.itertuples(index=False)]
    return columns, result_rows(list(frame.columns), values)


@pytest.fixture
def kiro_bucket(aws_env: dict[str, str]) -> None:
    """The fixture in the default report bucket, and Athena set up over it."""
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket=BUCKET)
    for path in oracle.FIXTURE.rglob("*"):
        if path.is_file():
            key = path.relative_to(oracle.FIXTURE).as_posix().replace("111122223333", ACCOUNT)
            s3.put_object(Bucket=BUCKET, Key=key, Body=path.read_bytes())


@pytest.mark.slow
def test_setup_makes_a_table_per_kind_of_report_under_its_own_prefix(kiro_bucket: None, capsys) -> None:
    capsys.readouterr()
    assert setup_athena_bucket.main(["--qdev", "--skip-test-query", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    glue = boto3.client("glue", region_name="us-east-1")
    kiro = glue.get_table(DatabaseName="bedrock_analytics", Name="kiro_user_report")["Table"]
    location = f"s3://{BUCKET}/user-activity/AWSLogs/{ACCOUNT}/KiroLogs/user_report/us-east-1/"
    assert kiro["Parameters"]["storage.location.template"] == location + "${dt}"
    assert [c["Name"] for c in kiro["StorageDescriptor"]["Columns"]] == ["line"]
    assert [c["Name"] for c in kiro["PartitionKeys"]] == ["dt"]
    activity = glue.get_table(DatabaseName="bedrock_analytics", Name="qdev_user_activity")["Table"]
    assert activity["StorageDescriptor"]["Location"].startswith(f"s3://{BUCKET}/prompt-logs/")
    resources = [change["resource"] for region in out["regions"] for change in region["changes"]]
    assert len(resources) == len(set(resources))  # the shared bucket, database and workgroup listed once

    capsys.readouterr()
    assert setup_athena_bucket.main(["--qdev", "--skip-test-query", "--format", "json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert all(change["outcome"] == "unchanged" for region in again["regions"] for change in region["changes"])


def test_a_region_with_kiro_reports_only_gets_the_kiro_table(aws_env: dict[str, str], capsys) -> None:
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket=BUCKET)
    source = next(oracle.REPORTS.rglob("KIRO_IDE_*_202611030200.csv"))
    s3.put_object(Bucket=BUCKET, Body=source.read_bytes(),
                  Key=f"kiro/AWSLogs/{ACCOUNT}/KiroLogs/user_report/us-east-1/2026/11/03/00/{source.name}")
    capsys.readouterr()
    assert setup_athena_bucket.main(["--qdev", "--skip-test-query", "--format", "json"]) == 0
    (region,) = json.loads(capsys.readouterr().out)["regions"]
    note = "no activity reports of us-east-1 found: table qdev_user_activity not made"
    assert any(note in line for line in region["notes"])
    names = {t["Name"] for t in boto3.client("glue", region_name="us-east-1").get_tables(
        DatabaseName="bedrock_analytics")["TableList"]}
    assert "kiro_user_report" in names and "qdev_user_activity" not in names


@pytest.mark.slow
def test_data_source_athena_reads_the_kiro_reports_through_their_table(
    kiro_bucket: None, moto_endpoint: str, tmp_path: Path, capsys
) -> None:
    assert setup_athena_bucket.main(["--qdev", "--skip-test-query", "--format", "json"]) == 0
    activity = activity_query(PERIOD.start, PERIOD.end)
    kiro = user_report_query(PERIOD.start, PERIOD.end)
    for query in (activity, kiro):  # in the order the analyser runs them: activity reports, then Kiro's
        columns, rows = _athena_rows(run_on_duckdb(query.sql, query.params))
        register_result(moto_endpoint, "us-east-1", columns, rows)
    argv = ["--start-date", "2026-11-02", "--end-date", "2026-11-04", "--format", "json", "--output-dir", "-"]
    capsys.readouterr()
    assert qcli_s3_analyzer.main(["--data-source", "athena", *argv]) == 0
    through_athena = json.loads(capsys.readouterr().out)
    assert qcli_s3_analyzer.main(["--bucket", BUCKET, *argv]) == 0
    from_s3 = json.loads(capsys.readouterr().out)

    athena = boto3.client("athena", region_name="us-east-1")
    queries = [athena.get_query_execution(QueryExecutionId=i)["QueryExecution"]["Query"]
               for i in athena.list_query_executions()["QueryExecutionIds"]]
    assert Counter(queries) == Counter([activity.sql, kiro.sql])
    kiro_files = through_athena["kiro"]["files"]
    assert kiro_files["via_athena"] and kiro_files["queried_regions"] == ["us-east-1"]
    for part in ("per_user", "per_client", "per_model"):
        assert through_athena["kiro"][part] == from_s3["kiro"][part], part
    for name in ("listed", "read", "skipped", "skipped_rows", "replaced_rows"):
        assert kiro_files[name] == from_s3["kiro"]["files"][name], name
    assert "kiro_user_report" in through_athena["source"]


def test_a_missing_kiro_table_names_the_setup_step(no_aws_env: dict[str, str]) -> None:
    from bedrock_usage.aws.session import Aws
    from bedrock_usage.errors import SetupRequired
    from bedrock_usage.qdev.athena import AthenaUserReports, kiro_athena_engine
    from tests.engines.test_athena_engine import RESULTS, FakeAthena

    reason = "TABLE_NOT_FOUND: line 9:8: Table 'awsdatacatalog.bedrock_analytics.kiro_user_report' does not exist"
    clients = {"us-east-1": FakeAthena(["FAILED"], reason=reason)}
    reader = AthenaUserReports(kiro_athena_engine(Aws.connect(), output_location=RESULTS, client_factory=clients.get))
    with pytest.raises(SetupRequired, match=r"kiro_user_report is missing in us-east-1 .*"
                       r": run python setup_athena_bucket.py --qdev --regions us-east-1$"):
        reader.read(("us-east-1",), PERIOD.start, PERIOD.end)


@pytest.mark.slow
def test_a_region_whose_kiro_reports_cannot_be_read_is_named_in_each_language(
    kiro_bucket: None, capsys
) -> None:
    """Kiro user reports in us-east-1, where Athena is set up (moto's), and in eu-central-1, where it never was (no
    workgroup there): ``qcli_s3_analyzer.py --data-source athena`` reads us-east-1 and says eu-central-1's reports
    are not read and why, and the dashboard's warning list words that line in English and Korean."""
    s3 = boto3.client("s3", region_name="us-east-1")
    source = next(oracle.REPORTS.rglob("KIRO_IDE_*_202611030200.csv"))
    s3.put_object(Bucket=BUCKET, Body=source.read_bytes(), Key=f"user-activity/AWSLogs/{ACCOUNT}/KiroLogs/user_report/"
                  f"eu-central-1/2026/11/03/00/{source.name.replace('111122223333', ACCOUNT)}")
    create_workgroup("us-east-1")
    capsys.readouterr()
    assert qcli_s3_analyzer.main(["--data-source", "athena", "--start-date", "2026-11-02", "--end-date",
                                  "2026-11-04"]) == 0
    [line] = [line for line in capsys.readouterr().out.splitlines() if "Kiro user reports of eu-central-1" in line]
    assert line.startswith("  ! Kiro user reports of eu-central-1 not read: ") and "eu-central-1: run python " \
        "setup_athena_bucket.py --qdev --regions eu-central-1" in line, line

    from bedrock_usage.aws.session import Aws
    from bedrock_usage.dashboard.tables import warning_lines
    from bedrock_usage.dashboard.text import Text
    from bedrock_usage.qdev.analysis import Source, analyze
    from bedrock_usage.qdev.athena import AthenaActivity, AthenaUserReports, kiro_athena_engine, qdev_athena_engine
    from bedrock_usage.qdev.sources import s3_store
    from tests.dashboard.helpers import shown

    aws = Aws.connect()
    report = analyze(Source(s3_store(aws), (), AthenaActivity(qdev_athena_engine(aws)),
                            AthenaUserReports(kiro_athena_engine(aws))), PERIOD)
    [line] = [line for line in report.warnings if line.startswith("Kiro user reports of eu-central-1 not read: ")]
    reason = line.removeprefix("Kiro user reports of eu-central-1 not read: ")
    assert [shown(seen) for seen in warning_lines(Text("en"), [line])] == [line]
    assert reason == ("Athena workgroup bedrock-usage does not exist in eu-central-1: run python "
                      "setup_athena_bucket.py --qdev --regions eu-central-1, or choose an existing workgroup")
    assert [shown(seen) for seen in warning_lines(Text("ko"), [line])] == [
        "eu-central-1 의 Kiro 사용자 보고서를 읽지 못했습니다: eu-central-1 에 Athena 작업 그룹 bedrock-usage 이(가) "
        "없습니다: python setup_athena_bucket.py --qdev --regions eu-central-1 을(를) 실행하거나 있는 작업 그룹을 "
        "고르세요"]
