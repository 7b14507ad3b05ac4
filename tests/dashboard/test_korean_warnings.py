"""The Korean page words the warnings of the shared code in Korean: the report's (unpriced models, skipped objects and
records, regions without logs, cache writes without their split, application inference profiles not resolved, a
flex or priority call without a price), the price file's, and the governance tab's (batch charges, days without records,
budgets' unpriced calls, regions billed but not read, the bill per caller's sources: a local or Athena CUR 2.0
export, Cost Explorer's tags). The English page, the terminal and the files keep the English words, which the warning
itself is. In-process, through the function the dashboard lists its warnings with (``tables.warning_lines``), over
real log objects, export files, moto and the governance functions."""

from __future__ import annotations

import ast
import gzip
import json
import pickle
import re
import shutil
from datetime import date
from pathlib import Path

import boto3
import pandas as pd
import pytest

from bedrock_usage.aws.session import Aws
from bedrock_usage.dashboard.notice_text import NOTICES
from bedrock_usage.dashboard.tables import warning_lines
from bedrock_usage.dashboard.text import Text, plain
from bedrock_usage.engines.local import DAMAGED_GZIP, EMPTY, UNREADABLE, LocalEngine
from bedrock_usage.governance.budgets import Budget, check_budgets
from bedrock_usage.governance.callers import BATCH_LISTED
from bedrock_usage.governance.chargeback import qdev_side, qdev_subscribers
from bedrock_usage.governance.cost_explorer_callers import read_cost_explorer_callers
from bedrock_usage.governance.coverage import trailing_gap_warning
from bedrock_usage.governance.cur import read_cur_athena, read_cur_dir
from bedrock_usage.governance.profiles import NOT_IN_FILE, ProfileResolver
from bedrock_usage.governance.reconcile import BATCH_KEPT, batch_warnings
from bedrock_usage.logs.period import Period, resolve_period
from bedrock_usage.qdev.sources import LocalStore
from bedrock_usage.report.price_notes import PriceNotes
from bedrock_usage.report.tracker import TIER_NO_PRICE, BedrockAthenaTracker, UsageReport
from tests.dashboard.helpers import shown
from tests.governance import cur_scenario as sc
from tests.governance.cur_export import LineItem, write_export
from tests.governance.test_bill_sources import RESULTS, billing_periods_result, post
from tests.logfiles import ACCOUNT, write_records
from tests.qdev.test_kiro_edges import ana, write_report
from tests.qdev.test_offline import offline  # noqa: F401  (fixture)

ROOT = Path(__file__).resolve().parents[2]
HANGUL = re.compile("[\uac00-\ud7a3]")
MYSTERY = "acme.mystery-model-v1:0"
HAIKU = "anthropic.claude-3-5-haiku-20241022-v1:0"
PROFILE = f"arn:aws:bedrock:us-east-1:{ACCOUNT}:application-inference-profile/abcd1234efgh"
PERIOD = resolve_period(start="2026-01-30", end="2026-01-31")
EN, KO = Text("en"), Text("ko")


def call(n: int, model: str, hour: int, region: str = "us-east-1") -> dict:
    return {"timestamp": f"2026-01-31T{hour:02d}:{n:02d}:00Z", "region": region, "requestId": f"r{n}",
            "identity": {"arn": f"arn:aws:iam::{ACCOUNT}:user/alice"}, "operation": "Converse", "modelId": model,
            "input": {"inputTokenCount": 1_000}, "output": {"outputTokenCount": 200}}


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> UsageReport:
    """Two calls of a model the book does not price, one of a priced model, a record with impossible token counts,
    an empty object and a damaged one, and us-west-2 asked for without logs."""
    logs = tmp_path_factory.mktemp("logs")
    paths = write_records(logs, [call(1, MYSTERY, 10), call(2, MYSTERY, 10), call(3, HAIKU, 11),
                                 {**call(4, HAIKU, 12), "input": {"inputTokenCount": -5}}])
    folder = paths[0].parent
    (folder / "empty.json.gz").write_bytes(b"")
    (folder / "damaged.json.gz").write_bytes(gzip.compress(b'{"timestamp": "x"}\n')[:-6] + b"garbage!")
    return BedrockAthenaTracker(LocalEngine(logs, cache=False)).analyze(PERIOD, ["us-east-1", "us-west-2"])


def korean(lines: list[str]) -> list[str]:
    """The lines as a reader of the Korean page sees them, each checked to be Korean, not the English line."""
    seen = [shown(line) for line in warning_lines(KO, lines)]
    for line, english in zip(seen, lines, strict=True):
        assert HANGUL.search(line) and line != english, line
    return seen


def test_the_english_page_lists_the_report_s_own_words(report: UsageReport) -> None:
    """English is the report's line as the CLI prints it, shown as written."""
    assert warning_lines(EN, report.warnings) == [plain(line) for line in report.warnings]
    assert all(type(str(line)) is str for line in report.warnings)


def test_the_korean_page_words_the_report_s_warnings_in_korean(report: UsageReport) -> None:
    opening = {line.split(":")[0].split(" (")[0].split(" under ")[0] for line in report.warnings}
    assert {"unpriced", "skipped 1 record", "skipped 1 object", "no logs of us-west-2"} <= opening, report.warnings
    seen = korean(report.warnings)
    unpriced = next(line for line in seen if MYSTERY in line)
    assert "호출 2 건" in unpriced and "입력 2,000" in unpriced and "출력 400" in unpriced, unpriced
    skipped = [line for line in seen if line.startswith("객체 1 개를 건너뛰었습니다")]
    assert any(KO.phrase(EMPTY) in line for line in skipped), skipped
    assert any(f"{KO.phrase(UNREADABLE)}: {KO.phrase(DAMAGED_GZIP)}" in line for line in skipped), skipped
    for phrase in (EMPTY, UNREADABLE, DAMAGED_GZIP, "malformed", "though asked for", "have no price"):
        assert not [line for line in seen if phrase in line], phrase


def test_a_kept_or_cached_report_keeps_the_kind_of_each_warning(report: UsageReport) -> None:
    """Kept reports and Streamlit's cache pickle the report: its warnings come back with their kind and figures."""
    again = pickle.loads(pickle.dumps(report.warnings))
    assert again == report.warnings
    assert warning_lines(KO, again) == warning_lines(KO, report.warnings)


def test_the_price_file_s_lines_are_korean() -> None:
    notes = PriceNotes({"acme.model": ("Acme Model", {"regional": ("us-east-1",)})}, ("unused line",))
    latency = json.dumps({"tier": "base", "unit": "tokens", "input": 0.001, "output": 0.005, "cache_read": 0.0001})
    lines = notes.warnings(lambda: [("acme.model", "eu-west-1", "acme.model", None, None, None, 3),
                                    ("acme.model", "us-east-1", "acme.model", "above_200k", None, None, 2),
                                    ("acme.model", "us-east-1", "acme.model", None, "latency", latency, 4)])
    assert len(lines) == 4 and lines[3] == "unused line"
    assert "3 calls from eu-west-1 took the built-in book's price" in lines[0]
    assert ("4 calls from us-east-1 served with optimized latency took the built-in book's latency rate ($0.001 input "
            "/ $0.005 output / $0.0001 cache read per 1K tokens;") in lines[2]
    seen = korean(lines[:3])
    assert "eu-west-1 의 호출 3 건" in seen[0] and "above_200k" in seen[1], seen
    assert "us-east-1 의 지연 시간 최적화로 처리된 호출 4 건" in seen[2], seen
    assert "1K 토큰당 입력 $0.001, 출력 $0.005, 캐시 읽기 $0.0001" in seen[2], seen


def test_the_governance_tab_s_warnings_are_korean(report: UsageReport) -> None:
    """Batch charges (both places they are counted), days without records, and a budget's unpriced calls."""
    charges = pd.DataFrame({"region": ["us-east-1", "us-west-2"], "billed": [12.5, 0.25]})
    batch = [*batch_warnings(charges, "billed", BATCH_KEPT), *batch_warnings(charges.iloc[:1], "billed", BATCH_LISTED)]
    assert batch[1] == ("Batch inference billed $12.5000 in us-east-1 over the period; batch inference jobs write "
                        "their results to the job's own S3 location, never to model invocation logs, so it is "
                        f"{BATCH_LISTED}")
    days = [date(2026, 1, 29), date(2026, 1, 30), date(2026, 1, 31)]
    gap = trailing_gap_warning(days, resolve_period(start="2026-01-01", end="2026-01-31"))
    check = check_budgets(report.facts, [Budget("team", "all", monthly_usd=100.0)], date(2026, 1, 31), "UTC",
                          now=pd.Timestamp("2026-02-02T00:00:00Z").to_pydatetime())
    unpriced = [line for line in check.warnings if line.startswith("budget 'team'")]
    assert unpriced == ["budget 'team': 2 calls this month have no price and are not in its spend"]
    seen = korean([*batch, gap, *unpriced])
    assert "$12.7500" in seen[0] and "us-west-2 ($0.2500)" in seen[0] and "배치" in seen[1]
    assert "2026-01-29 .. 2026-01-31" in seen[2] and "3일" in seen[2]
    assert "호출 2 건" in seen[3]


def test_the_rewriter_s_and_a_service_tier_s_lines_are_korean(tmp_path: Path) -> None:
    """A call through an application inference profile the mapping does not name (the rewriter's line, and its
    unpriced line) and a call served in the flex tier of a model the book has no flex rate for (its reason)."""
    flex = {**call(2, HAIKU, 10), "output": {"outputTokenCount": 200,
                                             "outputBodyJson": {"serviceTier": {"type": "flex"}}}}
    write_records(tmp_path, [call(1, PROFILE, 10), flex])
    report = BedrockAthenaTracker(LocalEngine(tmp_path, cache=False), rewriter=ProfileResolver()).analyze(
        PERIOD, ["us-east-1"])
    tier = (f"unpriced (no flex tier price for this model, region and endpoint): {HAIKU} in us-east-1: 1 call, "
            "1,000 input / 200 output tokens have no price")
    unresolved = f"application inference profile {PROFILE} not resolved: not in the --inference-profiles file"
    assert tier in report.warnings and unresolved in report.warnings, report.warnings
    seen = korean(report.warnings)
    assert [line for line in seen if HAIKU in line and KO.phrase(TIER_NO_PRICE["flex"]) in line], seen
    assert [line for line in seen if PROFILE in line and line.endswith(KO.phrase(NOT_IN_FILE))], seen
    for phrase in ("tier price", "not resolved", NOT_IN_FILE):
        assert not [line for line in seen if phrase in line], phrase


def test_a_priority_call_without_a_priority_rate_is_korean(tmp_path: Path) -> None:
    """A call served in the priority tier of a model the book has no priority rate for: its reason on the page."""
    priority = {**call(1, HAIKU, 10), "output": {"outputTokenCount": 200,
                                                 "outputBodyJson": {"serviceTier": {"type": "priority"}}}}
    write_records(tmp_path, [priority])
    report = BedrockAthenaTracker(LocalEngine(tmp_path, cache=False)).analyze(PERIOD, ["us-east-1"])
    tier = (f"unpriced (no priority tier price for this model, region and endpoint): {HAIKU} in us-east-1: 1 call, "
            "1,000 input / 200 output tokens have no price")
    assert tier in report.warnings, report.warnings
    seen = korean([line for line in report.warnings if line == tier])
    assert seen == [f"가격 없음 (이 모델, 리전, 엔드포인트의 priority 티어 가격이 없습니다): us-east-1 의 {HAIKU}: "
                    "호출 1 건, 입력 1,000 / 출력 200 토큰에 가격이 없습니다"], seen


def test_a_cached_latency_optimized_call_without_its_cache_rate_is_korean(tmp_path: Path) -> None:
    """A cached call served with optimized latency, whose latency-optimized rate has no cache read rate: its reason
    names that rate on the page, as the CLI does."""
    optimized = {"performanceConfig": {"latency": "optimized"}}
    cached = {**call(1, f"us.{HAIKU}", 10, "us-east-2"),
              "input": {"inputTokenCount": 1_000, "cacheReadInputTokenCount": 500, "inputBodyJson": optimized},
              "output": {"outputTokenCount": 200, "outputBodyJson": optimized}}
    write_records(tmp_path, [cached])
    report = BedrockAthenaTracker(LocalEngine(tmp_path, cache=False)).analyze(PERIOD, ["us-east-2"])
    line = (f"unpriced (no latency-optimized cache read price for this model, region and endpoint): us.{HAIKU} in "
            "us-east-2: 1 call, 1,000 input / 200 output / 500 cache read / 0 cache write tokens have no price")
    assert line in report.warnings, report.warnings
    seen = korean([line for line in report.warnings if line.startswith("unpriced")])
    assert seen == [f"가격 없음 (이 모델, 리전, 엔드포인트의 지연 시간 최적화 캐시 읽기 가격이 없습니다): us-east-2 의 "
                    f"us.{HAIKU}: 호출 1 건, 입력 1,000 / 출력 200 / 캐시 읽기 500 / 캐시 쓰기 0 토큰에 가격이 "
                    "없습니다"], seen


def test_the_local_export_s_lines_are_korean(tmp_path: Path) -> None:
    """A CUR 2.0 export copy of MONTHLY granularity, without the files of a billing period, and with a refresh's
    full copy in a subfolder (as an export that creates new files keeps one)."""
    item = LineItem(sc.ACCOUNT, sc.ALICE, *sc.BEDROCK, "USE1-Claude3Haiku-input-tokens", "us-east-1",
                    date(2025, 11, 1), 30.0, 1, span_days=30)
    export = write_export(tmp_path, [item])
    partition = export / "data" / "BILLING_PERIOD=2025-11"
    (partition / "20251101T0000Z").mkdir()
    shutil.copy(next(partition.glob("*.parquet")), partition / "20251101T0000Z" / "copy.parquet")
    billed = read_cur_dir(export, Period(date(2025, 10, 30), date(2025, 11, 3)), sc.ACCOUNT)
    assert billed.warnings == [
        f"no export files for billing period 2025-10 under {export}",
        "1 Parquet files in subfolders of BILLING_PERIOD=2025-11 are not read: an export that creates new files on "
        "each refresh keeps a full copy per refresh; use one with overwrite delivery",
        "1 line items ($30.0000) span more than a day and are left out: the export's time granularity is MONTHLY; "
        "per-day reconciliation needs DAILY or HOURLY",
    ]
    seen = korean(billed.warnings)
    assert str(export) in seen[0] and "2025-10" in seen[0]
    assert "BILLING_PERIOD=2025-11" in seen[1] and "1 개" in seen[1]
    assert "$30.0000" in seen[2] and "MONTHLY" in seen[2]
    for phrase in ("no export files", "are not read", "span more than a day"):
        assert not [line for line in seen if phrase in line], phrase


def test_the_athena_export_s_and_cost_explorer_s_lines_are_korean(aws_env: dict[str, str]) -> None:
    """The Athena table without a billing period's files, and Cost Explorer grouped by a tag that is not an IAM
    principal tag, read from moto as the Per caller section reads them."""
    boto3.client("athena").create_work_group(Name="bedrock-usage",
                                             Configuration={"ResultConfiguration": {"OutputLocation": RESULTS}})
    post(aws_env["AWS_ENDPOINT_URL"], "/moto-api/static/athena/query-results",
         {"account_id": sc.ACCOUNT, "region": "us-east-1", "results": [billing_periods_result(["2025-10"])]})
    period = Period(date(2025, 10, 30), date(2025, 11, 3))
    cur = read_cur_athena(Aws.connect(), "us-east-1", period, sc.ACCOUNT)
    ce = read_cost_explorer_callers(boto3.client("ce", region_name="us-east-1"), period, sc.ACCOUNT, "team")
    lines = [*cur.warnings, *ce.warnings]
    assert lines == ["no export files for billing period 2025-11 under table bedrock_analytics.cur2_export in "
                     "us-east-1", "tag 'team' is not an IAM principal tag (they read iamPrincipal/KEY in Cost "
                     "Explorer): calls are attributed by it only if it is one"]
    seen = korean(lines)
    assert "bedrock_analytics.cur2_export" in seen[0] and "2025-11" in seen[0] and "us-east-1" in seen[0]
    assert "'team'" in seen[1] and "iamPrincipal/KEY" in seen[1] and "principal tag" not in seen[1]


@pytest.mark.usefixtures("offline")
def test_the_amazon_q_side_s_lines_keep_their_kind(report: UsageReport, tmp_path: Path) -> None:
    """The developer warnings mark each line of the Amazon Q / Kiro report as that side's: the mark is worded on the
    Korean page, and a marked line that is a Notice keeps its own kind inside it."""
    write_report(tmp_path, date(2025, 11, 2), [ana(date(2025, 11, 2), 100)])
    write_report(tmp_path, date(2025, 11, 3), [ana(date(2025, 11, 3), "30.25abc")])
    _, lines, _ = qdev_subscribers(LocalStore(tmp_path), resolve_period(start="2025-11-01", end="2025-11-30"))
    skipped = "Amazon Q / Kiro: skipped 1 unusable Kiro user-report row (1 bad number)"
    assert skipped in lines, lines
    inner = next(line for line in report.warnings if MYSTERY in line)
    marked = qdev_side(inner)
    assert marked == f"Amazon Q / Kiro: {inner}"
    seen = korean([*lines, marked])
    assert ("Amazon Q / Kiro 보고서: 쓸 수 없는 Kiro 사용자 보고서 행 1 개를 건너뛰었습니다 (잘못된 숫자 1 개)"
            in seen), seen
    assert seen[-1] == f"Amazon Q / Kiro 보고서: {korean([inner])[0]}", seen


def notice_kinds() -> set[str]:
    """The kind of every warning the package's code makes (``Notice(english, "kind", ...)``), read from its source."""
    kinds = set()
    for path in (ROOT / "bedrock_usage").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("Notice", "clause")
                    and len(node.args) > 1 and isinstance(node.args[1], ast.Constant)):
                kinds.add(node.args[1].value)
    return kinds


def test_every_kind_of_warning_has_korean_words() -> None:
    """A warning made with a kind the Korean page has no words for would reach it in English."""
    kinds = notice_kinds()
    assert {"batch_elsewhere", "batch_unread", "billed_elsewhere", "profile_unresolved", "qdev_side"} <= kinds
    assert kinds - NOTICES["ko"].keys() == set()
