"""The Korean page words the warnings of the shared code in Korean: the report's (unpriced models, skipped objects and
records, regions without logs, cache writes without their split), the price file's, and the governance tab's
(batch charges, days without records, budgets' unpriced calls, regions billed but not read). The English page, the
terminal and the files keep the English words, which the warning itself is. In-process, through the function the
dashboard lists its warnings with (``tables.warning_lines``), over real log objects and the governance functions."""

from __future__ import annotations

import ast
import gzip
import pickle
import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from bedrock_usage.dashboard.notice_text import NOTICES
from bedrock_usage.dashboard.tables import warning_lines
from bedrock_usage.dashboard.text import Text, plain
from bedrock_usage.engines.local import DAMAGED_GZIP, EMPTY, UNREADABLE, LocalEngine
from bedrock_usage.governance.budgets import Budget, check_budgets
from bedrock_usage.governance.callers import BATCH_LISTED
from bedrock_usage.governance.coverage import trailing_gap_warning
from bedrock_usage.governance.reconcile import BATCH_KEPT, batch_warnings
from bedrock_usage.logs.period import resolve_period
from bedrock_usage.report.price_notes import PriceNotes
from bedrock_usage.report.tracker import BedrockAthenaTracker, UsageReport
from tests.dashboard.helpers import shown
from tests.logfiles import ACCOUNT, write_records

ROOT = Path(__file__).resolve().parents[2]
HANGUL = re.compile("[\uac00-\ud7a3]")
MYSTERY = "acme.mystery-model-v1:0"
HAIKU = "anthropic.claude-3-5-haiku-20241022-v1:0"
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
    lines = notes.warnings(lambda: [("acme.model", "eu-west-1", "acme.model", None, 3),
                                    ("acme.model", "us-east-1", "acme.model", "above_200k", 2)])
    assert len(lines) == 3 and lines[2] == "unused line"
    assert "3 calls from eu-west-1 took the built-in book's price" in lines[0]
    seen = korean(lines[:2])
    assert "eu-west-1 의 호출 3 건" in seen[0] and "above_200k" in seen[1], seen


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
    assert {"batch_elsewhere", "batch_unread", "billed_elsewhere"} <= kinds
    assert kinds - NOTICES["ko"].keys() == set()
