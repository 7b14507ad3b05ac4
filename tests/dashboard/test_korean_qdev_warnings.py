"""The Amazon Q / Kiro tab's warnings in Korean on the Korean page: the prompt logs' (files and records skipped,
records read twice or without a userId, tokens of models without a price), the activity reports' (none in the
period, a Region not read, files and rows skipped or delivered again, Amazon Q Developer Pro limits, usage spikes),
the Kiro user reports' (files and rows skipped or exported again, tiers and people without a price, seats counted
from a first row, credits near or over the allowance, Kiro users without a row), IAM Identity Center's lookups and
the chargeback's unpriced calls. The English page, the terminal and the files keep the English words. Through the
function the tab lists its warnings with (``tables.warning_lines``), over report files written in the services'
layouts, moto's Identity Store and the governance functions."""

from __future__ import annotations

import gzip
import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bedrock_usage.dashboard.tables import warning_lines
from bedrock_usage.dashboard.text import Text, plain
from bedrock_usage.engines.local import LocalEngine
from bedrock_usage.governance.chargeback import build_chargeback
from bedrock_usage.logs.period import Period, resolve_period
from bedrock_usage.qdev.analysis import Identities, Options, Source, analyze
from bedrock_usage.qdev.identity_center import IdentityCenter
from bedrock_usage.qdev.people import parse_user_id
from bedrock_usage.qdev.sources import LocalStore
from bedrock_usage.report.tracker import BedrockAthenaTracker
from tests.dashboard.helpers import shown
from tests.dashboard.test_korean_warnings import HAIKU, call
from tests.logfiles import write_records
from tests.qdev.test_activity import csv_bytes, header
from tests.qdev.test_athena import report_with_a_failing_region
from tests.qdev.test_identity_center import PERIOD, STORE, Refusing, lookup, write_chat_logs
from tests.qdev.test_kiro_edges import PRICE_HEADER, ana, write_report
from tests.qdev.test_offline import offline  # noqa: F401  (fixture)

pytestmark = pytest.mark.usefixtures("offline")

HANGUL = re.compile("[\uac00-\ud7a3]")
EN, KO = Text("en"), Text("ko")
ACCOUNT = "111122223333"
ALICE = "d-2222222222.aaaaaaaa-0000-4000-8000-00000000000a"
BOB = "d-2222222222.bbbbbbbb-0000-4000-8000-00000000000b"
DEV = "d-2222222222.dddddddd-0000-4000-8000-00000000000d"
MYSTERY = "acme.mystery-model-v1:0"
NOVEMBER = Period(date(2026, 11, 1), date(2026, 11, 15))


def korean(lines: list[str]) -> dict[str, str]:
    """Each English line and the line a reader of the Korean page sees for it, checked to be Korean and to hold no
    English sentence of the line (its figures and names stay as they are)."""
    seen = [shown(line) for line in warning_lines(KO, lines)]
    for line, english in zip(seen, lines, strict=True):
        assert HANGUL.search(line) and line != english, line
    return dict(zip(lines, seen, strict=True))


def the(lines: list[str], english: str) -> str:
    """The line of ``lines`` (a report's own, with its kind) that reads ``english``."""
    found = [line for line in lines if line == english]
    assert found, (english, lines)
    return found[0]


def chat(user: str | None, stamp: str, request_id: str, model: str | None = None) -> dict:
    request = {"prompt": "Fix the parser", "timeStamp": stamp, **({"userId": user} if user else {}),
               **({"modelId": model} if model else {})}
    return {"generateAssistantResponseEventRequest": request,
            "generateAssistantResponseEventResponse": {"assistantResponse": "Done.", "requestId": request_id}}


def prompt_file(root: Path, product: str, name: str, content: bytes) -> None:
    folder = root / "AWSLogs" / ACCOUNT / product / "GenerateAssistantResponse" / "us-east-1" / "2026/11/02/10"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(content)


def records(*items: object) -> bytes:
    return gzip.compress(json.dumps({"records": list(items)}).encode())


def activity_file(root: Path, day: date, name: str, content: bytes) -> None:
    """A user-activity report of ``day`` in the next day's folder."""
    folder = root / "AWSLogs" / ACCOUNT / "QDeveloperLogs" / "by_user_analytic" / "us-east-1" / \
        f"{day + timedelta(days=1):%Y/%m/%d}" / "03"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(content)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """1 .. 15 November 2026. Prompt logs: Alice's call of a model the book does not price (and a copy of it in
    another file), a call without a userId, a record of no known kind, an empty file, and Dev's Kiro chat. Activity
    reports: Alice's /dev use each day (24 by the 12th: 80% of 30, 48 by month end), Bob's 40 suggestions on the 14th
    (five times his trailing average), 9,000 transformed lines (over the pool of 4,000 each of the two), a row with a
    bad number, a row delivered again in a later file and a file without a header. Kiro user reports: Ana over her
    allowance, Ben without a tier, Cara on a tier without a published price, Eve on Pro Max (priced to the 1st by
    the price file), a row with a bad number (twice: the report is exported again) and a report not UTF-8."""
    root = tmp_path_factory.mktemp("qdev")
    prompt_file(root, "QDeveloperLogs", "a.json.gz", records(
        chat(ALICE, "2026-11-02T10:00:00Z", "r-1", MYSTERY), chat(None, "2026-11-02T10:01:00Z", "r-2"),
        {"somethingElse": {}}))
    prompt_file(root, "QDeveloperLogs", "b.json.gz", records(chat(ALICE, "2026-11-02T10:00:00Z", "r-1", MYSTERY)))
    prompt_file(root, "QDeveloperLogs", "empty.json.gz", b"")
    prompt_file(root, "KiroLogs", "k.json.gz", records(chat(DEV, "2026-11-02T10:05:00Z", "r-3")))

    columns = header()
    for n in range(1, 16):
        day = date(2026, 11, n)
        rows = [{"UserId": ALICE, "Dev_GenerationEventCount": 2 if n <= 12 else 0},
                {"UserId": BOB, "Inline_SuggestionsCount": 40 if n == 14 else 8,
                 "Transformation_LinesIngested": 9_000 if n == 3 else 0}]
        if n == 5:
            rows.append({"UserId": "d-2222222222.x", "Chat_MessagesSent": "many"})
        activity_file(root, day, f"{ACCOUNT}_by_user_analytic_{day + timedelta(days=1):%Y%m%d}T030000Z_a.csv",
                      csv_bytes(columns, [{**row, "Date": day.strftime("%m-%d-%Y")} for row in rows]))
    again = date(2026, 11, 6)
    activity_file(root, again, f"{ACCOUNT}_by_user_analytic_{again + timedelta(days=1):%Y%m%d}T230000Z_b.csv",
                  csv_bytes(columns, [{"UserId": ALICE, "Dev_GenerationEventCount": 2,
                                       "Date": again.strftime("%m-%d-%Y")}]))
    activity_file(root, date(2026, 11, 7), "headless.csv", b"1,2,3\n")

    kiro = root / "kiro"
    first = write_report(root, date(2026, 11, 1), [
        ana(date(2026, 11, 1), 1_200, Overage_Credits_Used=200, UserId=ALICE),
        {"Date": date(2026, 11, 1), "UserId": "u-ben", "Credits_Used": 5, "User_Email": "ben@example.com"},
        ana(date(2026, 11, 1), 5, UserId="u-cara", User_Email="cara@example.com", Subscription_Tier="ULTRA"),
        ana(date(2026, 11, 1), "lots", UserId="u-zed", User_Email="zed@example.com")], account=ACCOUNT)
    first.with_name(first.name.replace("0200.csv", "1330.csv")).write_text(first.read_text())
    write_report(root, date(2026, 11, 3), [ana(date(2026, 11, 3), 5, UserId="u-eve", User_Email="eve@example.com",
                                               Subscription_Tier="PRO_MAX")], account=ACCOUNT)
    write_report(root, date(2026, 11, 4), [], account=ACCOUNT).write_bytes(b"Date,UserId\n2026-11-04,u-\xff\n")
    kiro.mkdir()
    (kiro / "prices.csv").write_text(f"{PRICE_HEADER}\nPRO_MAX,Kiro Pro Max,100,5000,0.05,2026-10-01,2026-11-02,"
                                     "2026-12-05,true,c\n")
    return root


@pytest.fixture(scope="module")
def warnings(corpus: Path) -> list[str]:
    now = datetime(2026, 11, 17, tzinfo=UTC)
    report = analyze(Source(LocalStore(corpus)), NOVEMBER, now=now,
                     options=Options(kiro_prices=str(corpus / "kiro" / "prices.csv")))
    return report.warnings


def test_the_english_page_lists_the_report_s_own_words(warnings: list[str]) -> None:
    assert warning_lines(EN, warnings) == [plain(line) for line in warnings]


def test_the_prompt_logs_lines_are_korean(warnings: list[str]) -> None:
    expected = [
        "skipped 1 unreadable prompt-log file (1 empty file)",
        "skipped 1 unusable record (1 no known request object)",
        "ignored 1 prompt-log record read before (same account, region, request type, user, requestId and timeStamp: "
        "a copy of the logs, or a record delivered again)",
        "1 prompt-log records without a userId: their requests and tokens are counted under (unknown), not as a user "
        "nor in the subscription",
    ]
    expected = [the(warnings, line) for line in expected]
    unpriced = next(line for line in warnings if MYSTERY in line)
    seen = korean([*expected, unpriced])
    assert seen[expected[0]] == "읽을 수 없는 프롬프트 로그 파일 1 개를 건너뛰었습니다 (빈 파일 1 개)"
    assert seen[expected[1]] == "쓸 수 없는 레코드 1 개를 건너뛰었습니다 (알려진 요청 객체 없음 1 개)"
    assert "레코드 1 개" in seen[expected[2]] and "(unknown)" in seen[expected[3]]
    assert MYSTERY in seen[unpriced] and "가상 비용" in seen[unpriced]
    for phrase in ("skipped", "read before", "without a userId", "price book", "empty file"):
        assert not [line for line in seen.values() if phrase in line], phrase


def test_the_activity_reports_lines_are_korean(warnings: list[str]) -> None:
    opening = {line.split(":")[0]: line for line in warnings}
    lines = [opening[key] for key in ("skipped 1 unreadable activity report (1 no UserId/Date header)",
                                      "skipped 1 unusable activity-report row (1 bad number)",
                                      "activity-report rows delivered again in a later file",
                                      "Code transformation", "/dev (software development agent)", "usage spike")]
    assert lines[3].startswith("Code transformation: (account pool) exceeded: 9,000 of 8,000 lines of code")
    assert lines[4] == ("/dev (software development agent): ana.silva@example.com projected to exceed: 24 of 30 "
                        "invocations used this month (80%), projected 48 by month end (limit figure unverified)")
    seen = korean(lines)
    assert seen[lines[0]] == "읽을 수 없는 활동 보고서 1 개를 건너뛰었습니다 (UserId/Date 헤더 없음 1 개)"
    assert seen[lines[1]] == "쓸 수 없는 활동 보고서 행 1 개를 건너뛰었습니다 (잘못된 숫자 1 개)"
    assert seen[lines[3]].startswith("코드 변환 (줄 수): (계정 전체 풀) 초과: 이번 달 8,000 줄 중 9,000 사용")
    assert seen[lines[4]] == ("/dev (소프트웨어 개발 에이전트): ana.silva@example.com 월말 초과 예상: 이번 달 30 회 "
                              "중 24 사용 (80%), 월말 예상 48 (한도 수치 미확인)")
    assert BOB in seen[lines[5]] and "2026-11-14" in seen[lines[5]] and "5.0배" in seen[lines[5]]
    for phrase in ("skipped", "delivered again", "used this month", "unverified", "usage spike", "exceed"):
        assert not [line for line in seen.values() if phrase in line], phrase


def test_the_kiro_user_reports_lines_are_korean(warnings: list[str]) -> None:
    kiro = [line for line in warnings if "Kiro" in line or "kiro" in line]
    kinds = {line.split(" (")[0].split(":")[0] for line in kiro}
    assert {"skipped 1 unreadable Kiro user report", "skipped 2 unusable Kiro user-report rows",
            "Kiro user-report rows exported again later", "Kiro tiers without published prices",
            "Kiro users without a Subscription_Tier in their latest report row of a month",
            "Kiro tier PRO_MAX has no price on 14 days of the period",
            "Kiro credits", "the Kiro user reports have no row in 2026-11-01 .. 2026-11-15"} <= kinds, kiro
    seen = korean(kiro)
    said = "\n".join(seen.values())
    assert "읽을 수 없는 Kiro 사용자 보고서 1 개를 건너뛰었습니다 (UTF-8 텍스트가 아님 1 개)" in seen.values(), said
    assert "쓸 수 없는 Kiro 사용자 보고서 행 2 개를 건너뛰었습니다 (잘못된 숫자 2 개)" in seen.values(), said
    assert "공개된 가격이 없는 Kiro 티어 ULTRA" in said
    assert "Subscription_Tier 가 없는 Kiro 사용자 ben@example.com" in said
    assert "Kiro 티어 PRO_MAX 는 기간 중 14일 (2026-11-02 .. 2026-11-15)" in said and "나중에 다시 내보낸" in said
    assert "Kiro 크레딧: ana.silva@example.com (PRO) 초과 사용 중: 이번 달 1,400.00 / 1,000 크레딧 사용" in said, said
    assert "행이 없는 1 명" in said and DEV in said
    for phrase in ("skipped", "exported again", "without", "has no price", "credits used", "no row", "overage"):
        assert phrase not in said, phrase


def test_seats_counted_from_a_first_row_are_korean(tmp_path: Path) -> None:
    """20 October to 15 November 2026: Ana has a row in October, Ben's first is on 3 November."""
    write_report(tmp_path, date(2026, 10, 20), [ana(date(2026, 10, 20), 5)])
    write_report(tmp_path, date(2026, 11, 3), [ana(date(2026, 11, 3), 5, UserId="u-ben", User_Email="ben@example.com")])
    report = analyze(Source(LocalStore(tmp_path)), Period(date(2026, 10, 20), date(2026, 11, 15)),
                     now=datetime(2026, 11, 17, tzinfo=UTC))
    line = the(report.warnings, "1 person's Kiro seat counted from the month of their first report row (before it no "
                                "seat is known)")
    assert korean([line])[line] == ("1 명의 Kiro 좌석은 첫 보고서 행의 달부터 집계했습니다 (그 전에는 좌석을 알 수 "
                                    "없습니다)")


def test_an_activity_region_not_read_is_korean(no_aws_env: dict[str, str], tmp_path: Path) -> None:
    """A Region whose Athena query fails, beside one that answers (the engine's reason stays as Athena words it)."""
    report = report_with_a_failing_region(tmp_path)
    [line] = [line for line in report.warnings if line.startswith("activity reports of eu-central-1 not read: ")]
    seen = korean([line])[line]
    assert seen.startswith("eu-central-1 의 활동 보고서를 읽지 못했습니다: ") and "HIVE_CURSOR_ERROR" in seen, seen


def test_no_activity_report_in_the_period_and_no_prompt_log_are_korean(tmp_path: Path) -> None:
    """The report folder is there, with a report of October alone; no prompt-log file at all."""
    activity_file(tmp_path, date(2026, 10, 1), "october.csv",
                  csv_bytes(header(), [{"UserId": ALICE, "Chat_MessagesSent": 1, "Date": "10-01-2026"}]))
    report = analyze(Source(LocalStore(tmp_path)), NOVEMBER)
    lines = [f"no prompt-log files in {NOVEMBER.label()}",
             f"no user-activity report in the folders of {NOVEMBER.label()} (a day's report is in the next day's "
             "folder): the activity figures are empty, not missing"]
    lines = [the(report.warnings, line) for line in lines]
    seen = korean(lines)
    assert seen[lines[0]] == f"{NOVEMBER.label()} 에 프롬프트 로그 파일이 없습니다"
    assert seen[lines[1]].startswith(f"{NOVEMBER.label()} 의 폴더에 사용자 활동 보고서가 없습니다")


def test_a_sample_is_korean(corpus: Path) -> None:
    report = analyze(Source(LocalStore(corpus)), NOVEMBER, options=Options(sample=1))
    line = "sampled 1 of 4 prompt-log files (--sample): figures cover the sample only"
    line = the(report.warnings, line)
    assert korean([line])[line] == ("프롬프트 로그 파일 4 개 중 1 개만 표본으로 읽었습니다 (--sample): 수치는 표본만 "
                                    "포함합니다")


def test_identity_center_s_lines_are_korean(aws_env: dict[str, str], tmp_path: Path) -> None:
    """Ids that name no directory to look people up in (moto's Identity Store), and a directory that refuses the
    lookups (an AccessDeniedException) while the report is made."""
    nowhere = lookup(tmp_path / "cache")[0].lookup([parse_user_id("aaaaaaaa-0000-4000-8000-00000000000a")])
    user = f"{STORE}.aaaaaaaa-0000-4000-8000-000000000001"
    write_chat_logs(tmp_path / "logs", [user])
    center = IdentityCenter(Refusing(), "auto", cache_folder=tmp_path / "refused")
    report = analyze(Source(LocalStore(tmp_path / "logs")), PERIOD, identities=Identities(lookup=center))
    lines = [*nowhere.warnings, *(line for line in report.warnings if "IAM Identity Center" in line)]
    assert len(lines) == 2 and lines[1].startswith(f"IAM Identity Center lookups in {STORE} stopped ("), lines
    seen = korean(lines)
    assert seen[lines[0]] == ("사람을 조회할 IAM Identity Center 디렉터리가 없습니다: 어떤 사용자 ID 도 디렉터리 "
                              "(d-xxxxxxxxxx.…) 를 밝히지 않습니다. --identity-store d-xxxxxxxxxx 를 지정하세요")
    assert seen[lines[1]].startswith(f"{STORE} 의 IAM Identity Center 조회가 중단되었습니다 (")
    assert "identitystore:DescribeUser" in seen[lines[1]] and "shown by id" not in seen[lines[1]]


def test_the_chargeback_s_unpriced_calls_are_korean(tmp_path: Path) -> None:
    """Two calls of a model the book does not price, one of a priced model, in a chargeback of January 2026."""
    write_records(tmp_path, [call(1, MYSTERY, 10), call(2, MYSTERY, 10), call(3, HAIKU, 11)])
    report = BedrockAthenaTracker(LocalEngine(tmp_path, cache=False)).analyze(
        resolve_period(start="2026-01-01", end="2026-01-31"), ["us-east-1"])
    charge = build_chargeback(report.facts, "2026-01", "UTC", "user", now=datetime(2026, 2, 2, tzinfo=UTC))
    line = "2 calls have no price: their tokens are in the rows, their cost is not (see the unpriced table)"
    line = the(charge.warnings, line)
    assert korean([line])[line] == "호출 2 건에 가격이 없습니다: 토큰은 행에 있지만 비용은 없습니다 (가격 없음 표 참조)"
