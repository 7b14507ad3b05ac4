"""The dashboard's cost help names the price file whose rows priced calls, as the usage report does, in English and
Korean. In-process, over a report of real log objects (no Streamlit)."""

from __future__ import annotations

from pathlib import Path

from bedrock_usage.dashboard.bedrock_tab import card_items
from bedrock_usage.dashboard.text import Text, plain
from bedrock_usage.report.tracker import UsageReport
from tests.report.test_price_file_named import HAIKU, OWN, analyse, price_file


def cost_help(lang: str, report: UsageReport) -> str:
    """The help of the cost card, as the Bedrock tab builds it (the period compared with itself)."""
    [(_, _, _, _, text)] = [item for item in card_items(Text(lang), report.summary, report.summary, report.price_file)
                            if item[0] == Text(lang)("metric_cost")]
    return text


def test_the_cost_help_names_the_price_file_that_priced_calls(tmp_path: Path) -> None:
    prices, digest = price_file(tmp_path, [{"model": HAIKU, **OWN}])
    report = analyse(tmp_path, prices)
    label = plain(f"{prices} (sha256 {digest})")  # the page reads Markdown: the path's punctuation stays text
    english = cost_help("en", report)
    assert (f"x the prices of the price file {label} where its rows apply, else list prices, for the model, source "
            "region" in english)
    assert f"가격 파일 {label} 의 행이 적용되는 호출은 그 파일의 가격, 나머지는 정가" in cost_help("ko", report)

