"""The reports' refusals (no report is made, as $0 would read as no spend) are worded in Korean on the Korean page,
as the line the page shows for them (``tables.error_line``): every log object of the period unreadable, no log of the
regions asked for, no Region folder at all or none Bedrock knows, a period Athena's partition projection leaves out
entirely, and every Amazon Q / Kiro file unreadable (the tab refuses as ``qcli_s3_analyzer.py`` does, and the
developer costs too). The English page shows the refusal as the CLI prints it."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bedrock_usage.aws.session import Aws
from bedrock_usage.dashboard import data
from bedrock_usage.dashboard.tables import error_line
from bedrock_usage.dashboard.text import Text, plain
from bedrock_usage.engines.athena import AthenaEngine
from bedrock_usage.engines.local import LocalEngine
from bedrock_usage.errors import UsageError
from bedrock_usage.governance.chargeback import qdev_subscribers
from bedrock_usage.logs.period import Period, resolve_period
from bedrock_usage.qdev.sources import LocalStore
from bedrock_usage.report.tracker import BedrockAthenaTracker
from tests.dashboard.test_korean_page_english_left import english_left
from tests.dashboard.test_korean_qdev_warnings import NOVEMBER, prompt_file
from tests.dashboard.test_korean_warnings import HAIKU, call
from tests.engines.test_athena_engine import create_workgroup, logs_table
from tests.logfiles import write_records
from tests.qdev.test_kiro_edges import write_report
from tests.qdev.test_offline import offline  # noqa: F401  (fixture)

EN, KO = Text("en"), Text("ko")
PERIOD = resolve_period(start="2026-01-30", end="2026-01-31")


def refused(make: Callable[[], object]) -> tuple[UsageError, str]:
    """The refusal ``make`` raises and the line the Korean page shows for it, after checking that line is Korean with
    no English of the project's own, and the English page's is the CLI's message."""
    with pytest.raises(UsageError) as raised:
        make()
    english = str(raised.value)
    assert error_line(EN, raised.value) == EN("usage_error", message=EN.for_dashboard(plain(english)))
    assert english_left([raised.value.args[0]]) == {}
    korean = error_line(KO, raised.value).replace("\\", "")
    assert korean.startswith("분석할 수 없습니다: ") and "no report is made" not in korean, korean
    return raised.value, korean


def analyze_local(logs: Path, regions: list[str] | None) -> Callable[[], object]:
    return lambda: BedrockAthenaTracker(LocalEngine(logs, cache=False)).analyze(PERIOD, regions)


def test_every_object_unreadable_is_refused_in_korean(tmp_path: Path) -> None:
    [path] = write_records(tmp_path, [call(1, HAIKU, 10)])
    path.write_bytes(gzip.compress(b'{"timestamp": "x"}\n')[:-6] + b"garbage!")
    (path.parent / "empty.json.gz").write_bytes(b"")
    exc, korean = refused(analyze_local(tmp_path, ["us-east-1"]))
    assert str(exc).startswith("none of the 2 log objects of 2026-01-30 .. 2026-01-31 (UTC) could be read")
    assert korean.startswith("분석할 수 없습니다: 2026-01-30 .. 2026-01-31 (UTC) 의 로그 객체 2 개를 하나도 읽지 못해")
    assert f"{KO.phrase('empty object')} 1 개 ({path.parent / 'empty.json.gz'})" in korean, korean


def test_no_logs_of_the_regions_asked_for_is_refused_in_korean(tmp_path: Path) -> None:
    write_records(tmp_path, [call(1, HAIKU, 10)])
    exc, korean = refused(analyze_local(tmp_path, ["us-west-2"]))
    assert str(exc).endswith("it has logs of us-east-1: ask for those regions")
    assert f"{tmp_path} 아래에 us-west-2 의 로그가 없어" in korean, korean
    assert korean.endswith("그 폴더에는 us-east-1 의 로그가 있습니다: 그 리전을 요청하세요"), korean


@pytest.mark.parametrize("folder", ["xx-north-9", None])
def test_no_region_folder_is_refused_in_korean(tmp_path: Path, folder: str | None) -> None:
    """Every region asked for: a service folder holding only a folder no Region is named, or no folder at all."""
    service = tmp_path / "AWSLogs" / "123456789012" / "BedrockModelInvocationLogs"
    (service / folder if folder else service).mkdir(parents=True)
    _, korean = refused(analyze_local(tmp_path, None))
    assert str(tmp_path) in korean and (folder is None or f"({folder})" in korean), korean


def test_a_period_athena_reads_none_of_is_refused_in_korean(aws_env: dict[str, str]) -> None:
    """The logs table's partition projection begins after the period (moto's Glue): refused before any query."""
    today = datetime.now(UTC).date()
    logs_table("us-east-1", f"{today - timedelta(days=2):%Y/%m/%d},NOW")
    create_workgroup("us-east-1")
    period = Period(today - timedelta(days=6), today - timedelta(days=4))
    _, korean = refused(lambda: BedrockAthenaTracker(AthenaEngine(Aws.connect())).analyze(period, ("us-east-1",)))
    assert korean.startswith(f"분석할 수 없습니다: Athena 가 {period.label()} 의 날짜를 하나도 읽지 않아"), korean
    assert f"python setup_athena_bucket.py --regions us-east-1 --start-date {period.start}" in korean


@pytest.mark.usefixtures("offline")
def test_amazon_q_and_kiro_files_all_unreadable_are_refused_in_korean(tmp_path: Path) -> None:
    """An empty prompt-log file and a Kiro user report that is not UTF-8 text: the tab refuses, as the developer
    costs do."""
    prompt_file(tmp_path, "QDeveloperLogs", "empty.json.gz", b"")
    write_report(tmp_path, date(2026, 11, 4), []).write_bytes(b"Date,UserId\n2026-11-04,u-\xff\n")
    request = data.QDevRequest("local", NOVEMBER.start, NOVEMBER.end, logs_dir=str(tmp_path))
    exc, korean = refused(lambda: data.load_qdev(request))
    assert str(exc).startswith("none of the 1 prompt-log file (1 empty file) nor of the 1 Kiro user report (1 not "
                               "UTF-8 text) listed for 2026-11-01 .. 2026-11-15 (UTC) could be read")
    assert ("프롬프트 로그 파일 1 개 (빈 파일 1 개), Kiro 사용자 보고서 1 개 (UTF-8 텍스트가 아님 1 개)"
            in korean), korean
    _, korean = refused(lambda: qdev_subscribers(LocalStore(tmp_path), NOVEMBER))
    assert ("Amazon Q / Kiro 파일 2 개를 하나도 읽지 못해 (프롬프트 로그 파일 1 개: 빈 파일 1 개, Kiro 사용자 보고서 1 "
            "개: UTF-8 텍스트가 아님 1 개)") in korean, korean
