"""The real dashboard in a real browser: one ``streamlit run`` in demo mode per module, driven by Debian's Chromium
(headless) through Playwright, at 1400 and 800 px.

No metric value may overflow its card (measured in the DOM), the panels stack when narrow, the cards show the CLI's
figures, a drill-down and its address open the same view again, and the server logs no traceback. Pictures of each
page go to test-artifacts/ (tools/dashboard_screenshots.py makes the README's).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.parse
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.dashboard.helpers import CLI, END, ROOT, START, expected_compact, expected_compact_usd, same_utc_day
from tests.oracle import aggregate, caller, with_profiles_resolved
from tools.dashboard_screenshots import (
    CHROMIUM,
    launch_chromium,
    no_aws_environment,
    streamlit_server,
    wait_until_drawn,
)

pytestmark = pytest.mark.slow  # a Streamlit server and Chromium per module: run by CI after the quick suite

ARTIFACTS = ROOT / "test-artifacts"
WIDTHS = (1400, 800)
TABS = ("Amazon Bedrock", "Amazon Q / Kiro", "Governance")
CARDS = (6, 9, 0)  # metric cards each tab shows before any click: the governance tab runs its checks on request
# Per metric card of the open tab: its label and value, whether either is cut (its text wider than its box, or
# reaching past the card), and the card's box.
MEASURE_CARDS = """() => {
  const panel = [...document.querySelectorAll('[data-testid="stTabPanel"]')].find(p => p.getClientRects().length);
  const cut = (element, card) => {
    const range = document.createRange();
    range.selectNodeContents(element);
    const text = range.getBoundingClientRect(), box = element.getBoundingClientRect();
    const scrolled = [element, ...element.querySelectorAll('*')].some(e => e.scrollWidth > e.clientWidth + 1);
    return scrolled || text.width > box.width + 1 || text.right > card.right + 1 || text.left < card.left - 1;
  };
  return [...panel.querySelectorAll('[data-testid="stMetric"]')].map(card => {
    const box = card.getBoundingClientRect();
    const label = card.querySelector('[data-testid="stMetricLabel"]');
    const value = card.querySelector('[data-testid="stMetricValue"]');
    return {label: label.innerText.trim(), value: value.innerText.trim(), labelCut: cut(label, box),
            valueCut: cut(value, box), left: box.left, right: box.right, top: box.top,
            panelRight: panel.getBoundingClientRect().right};
  });
}"""
PANEL_BOXES = """(key) => ['first', 'second'].map(side => {
  const box = document.querySelector(`.st-key-${key}_${side}`).getBoundingClientRect();
  return {left: box.left, right: box.right, top: box.top, bottom: box.bottom};
})"""


@dataclass
class Dashboard:
    """The running server: its address, environment and log."""

    url: str
    env: dict[str, str]
    log: Path

    def assert_no_traceback(self) -> None:
        """No page has made the server log a traceback so far."""
        text = self.log.read_text()
        assert "Traceback" not in text, text[text.index("Traceback") - 300:][:3000]


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory: pytest.TempPathFactory, demo_cache: Path) -> Iterator[Dashboard]:
    """``streamlit run bedrock_tracker.py`` with no AWS credentials, on the session's demo corpus."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: CI must install Debian's chromium package")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium); the browser tests need it")
    scratch = tmp_path_factory.mktemp("browser")
    env = no_aws_environment(demo_cache, scratch)
    log = scratch / "streamlit.log"
    with streamlit_server(env, log) as url:
        yield Dashboard(url, env, log)


@pytest.fixture(scope="module")
def browser(dashboard: Dashboard) -> Iterator[Any]:
    """One headless Chromium for the module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


def cli_json(env: dict[str, str], *args: str) -> dict:
    """bedrock_tracker_cli.py's JSON document on the demo corpus."""
    proc = subprocess.run([sys.executable, str(CLI), "--demo", "--format", "json", "--output-dir", "-", *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=180, check=False)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def open_tab(page: Any, name: str, charts: int, cards: int) -> list[dict]:
    """Open a tab, wait for its charts and its first ``cards`` metric cards (on a loaded machine they may come
    after the charts), and measure its metric cards."""
    tab = page.get_by_role("tab", name=name)
    tab.click()
    page.wait_for_function("(tab) => tab.getAttribute('aria-selected') === 'true'", arg=tab.element_handle(),
                           timeout=120_000)
    wait_until_drawn(page, charts)
    if cards:
        page.locator('[data-testid="stTabPanel"]:visible [data-testid="stMetric"]').nth(cards - 1).wait_for(
            timeout=120_000)
    return page.evaluate(MEASURE_CARDS)


def test_cards_fit_and_panels_stack_at_1400_and_800_px(dashboard: Dashboard, browser: Any) -> None:
    with same_utc_day():  # the CLI and the page read the last 7 days of one UTC day
        report = cli_json(dashboard.env, "--days", "7")
        summary = report["summary"]
        expected = {
            "Estimated cost": expected_compact_usd(summary["estimated_cost_usd"]),
            "Calls": expected_compact(summary["calls"]),
            "Input tokens": expected_compact(summary["input_tokens"]),
            "Output tokens": expected_compact(summary["output_tokens"]),
            "Cache read": expected_compact(summary["cache_read_tokens"]),
            "Cache write": expected_compact(summary["cache_write_tokens"]),
        }
        ARTIFACTS.mkdir(exist_ok=True)
        for width in WIDTHS:
            page = browser.new_page(viewport={"width": width, "height": 1400})
            page.goto(dashboard.url)  # no AWS credentials: the demo opens straight away on the last 7 days
            measured = {}
            for name, charts, cards in zip(TABS, (6, 3, 3), CARDS, strict=True):
                measured[name] = open_tab(page, name, charts, cards)
                page.screenshot(path=str(ARTIFACTS / f"dashboard-{width}-{TABS.index(name)}.png"), full_page=True)
                assert page.locator('[data-testid="stException"]').count() == 0
            bedrock = measured["Amazon Bedrock"]
            assert {card["label"]: card["value"] for card in bedrock} == expected, width
            cards = [card for cards in measured.values() for card in cards]
            assert len(cards) >= sum(CARDS)
            for card in cards:
                assert not card["valueCut"], (width, card)
                assert not card["labelCut"], (width, card)
                assert card["right"] <= card["panelRight"] + 1, (width, card)
            rows = len({round(card["top"]) for card in bedrock})
            page.get_by_role("tab", name="Amazon Bedrock").click()
            wait_until_drawn(page, 6)
            top, share = page.evaluate(PANEL_BOXES, "top")
            if width == 1400:
                assert rows == 1
                assert share["left"] >= top["right"] and abs(share["top"] - top["top"]) < 2  # side by side
            else:
                assert rows >= 2  # the cards wrap
                assert share["top"] >= top["bottom"]  # the model share stacks under the top spenders
            page.close()
        dashboard.assert_no_traceback()


def test_drill_down_and_its_address(dashboard: Dashboard, browser: Any, demo_records: list[dict]) -> None:
    # A week clear of today, whose calls are the same in the corpus the session read and one made after midnight.
    page = browser.new_page(viewport={"width": 1400, "height": 1400})
    page.goto(f"{dashboard.url}/?start={START}&end={END}")
    wait_until_drawn(page, 6)
    page.wait_for_function("() => location.search.includes('source=demo')", timeout=120_000)
    assert f"start={START}" in page.url and f"end={END}" in page.url  # the view is in the address from the start

    # Click the top bar of "Top 10 by cost": the costliest user of the week.
    records = with_profiles_resolved(demo_records)
    per_user: dict[str, float] = defaultdict(float)
    for (user,), totals in aggregate(records, START, END)["user"].items():
        per_user[user] += totals.estimated_cost
    costliest = max(per_user, key=per_user.get)
    bar = page.locator(".st-key-chart_top .bars path").last.bounding_box()
    page.mouse.click(bar["x"] + 12, bar["y"] + bar["height"] / 2)  # as a person would, clear of the modebar
    page.get_by_text(f"User: {costliest}.").wait_for(timeout=120_000)
    wait_until_drawn(page, 8)
    # The address is written at the end of the run, after every tab is drawn.
    page.wait_for_function("() => location.search.includes('focus_by=')", timeout=120_000)
    query = urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)
    assert query["focus_by"] == ["user"] and query["focus"] == [costliest]

    mine = aggregate([r for r in records if caller(r)[0] == costliest], START, END)["summary"][()]
    cards = {card["label"]: card["value"] for card in page.evaluate(MEASURE_CARDS)}
    assert cards["Estimated cost"] == expected_compact_usd(mine.estimated_cost)
    assert cards["Calls"] == expected_compact(mine.calls)
    assert cards["Error rate"] == f"{mine.errors / mine.calls:.1%}"

    # The address opens the same view in a new session: a bookmark, or a link sent to someone.
    shared = browser.new_page(viewport={"width": 1400, "height": 1400})
    shared.goto(page.url)
    shared.get_by_text(f"User: {costliest}.").wait_for(timeout=120_000)
    wait_until_drawn(shared, 8)
    assert {card["label"]: card["value"] for card in shared.evaluate(MEASURE_CARDS)} == cards

    shared.get_by_text("Everything", exact=True).click()
    shared.wait_for_function("() => !location.search.includes('focus=')", timeout=60_000)
    wait_until_drawn(shared, 6)
    assert "Share of cost" not in {card["label"] for card in shared.evaluate(MEASURE_CARDS)}
    page.close()
    shared.close()
    dashboard.assert_no_traceback()
