"""The real dashboard in a real browser: ``streamlit run`` in demo mode, driven by Playwright's Chromium.

Clicks Analyze, waits for the plotly charts, checks the metric cards against the CLI's JSON for the same period
and saves a screenshot to test-artifacts/dashboard.png (and to docs/dashboard-demo.png with UPDATE_SCREENSHOT=1).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from bedrock_usage.cache import CACHE_ENV

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
SCREENSHOT = ROOT / "test-artifacts" / "dashboard.png"
DOCS_SCREENSHOT = ROOT / "docs" / "dashboard-demo.png"
VIEWPORT = {"width": 1440, "height": 1640}
WAIT_MS = 90_000


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _compact(value: int) -> str:
    """How a metric card prints a count: exact below 100,000, else in K, M or B."""
    if value < 100_000:
        return f"{value:,}"
    if value < 1_000_000:
        return f"{value / 1e3:,.1f}K"
    if value < 1_000_000_000:
        return f"{value / 1e6:,.2f}M"
    return f"{value / 1e9:,.2f}B"


@pytest.fixture
def chromium() -> Path:
    """The system Chromium; its absence skips the test, except in CI where it must be installed."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: CI must install Debian's chromium package")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium); the browser test needs it")
    return CHROMIUM


@pytest.fixture
def dashboard(no_aws_env: dict[str, str], tmp_path: Path, shared_demo_cache: Path):
    """``streamlit run bedrock_tracker.py`` on a free loopback port with no AWS credentials; yields (url, env)."""
    # One corpus for the app and the CLI, made before either starts, so they never write it at the same time.
    env = {**no_aws_env, CACHE_ENV: str(shared_demo_cache)}
    port = _free_port()
    log = (tmp_path / "streamlit.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "bedrock_tracker.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"streamlit did not start: {(tmp_path / 'streamlit.log').read_text()}") from None
                time.sleep(0.3)
        yield url, env
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.mark.slow
def test_dashboard_in_a_browser_shows_the_cli_figures(dashboard: tuple[str, dict[str, str]], chromium: Path) -> None:
    from playwright.sync_api import sync_playwright

    url, env = dashboard
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport=VIEWPORT)
            page.goto(url)
            page.get_by_role("button", name="Analyze").click(timeout=WAIT_MS)
            page.locator(".js-plotly-plot").nth(5).wait_for(timeout=WAIT_MS)
            page.locator('[data-testid="stSpinner"]').first.wait_for(state="detached", timeout=WAIT_MS)
            page.wait_for_timeout(1500)  # let the charts finish their first draw before the screenshot
            SCREENSHOT.parent.mkdir(exist_ok=True)
            page.screenshot(path=str(SCREENSHOT))

            assert page.locator('[data-testid="stException"]').count() == 0
            assert page.get_by_text("Demo mode").count() >= 1
            bedrock_tab = page.locator('[data-testid="stTabPanel"]').first
            cards = {}
            for card in bedrock_tab.locator('[data-testid="stMetric"]').all():
                label = card.locator('[data-testid="stMetricLabel"]').inner_text().strip()
                cards[label] = card.locator('[data-testid="stMetricValue"]').inner_text().strip()
            captions = bedrock_tab.locator('[data-testid="stCaptionContainer"]').all_inner_texts()
        finally:
            browser.close()

    proc = subprocess.run(
        [sys.executable, "bedrock_tracker_cli.py", "--demo", "--days", "7", "--format", "json", "--output-dir", "-"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    period, summary = report["period"], report["summary"]
    assert any(c.startswith(f"{period['start']} .. {period['end']} ({period['tz']})") for c in captions), captions
    assert cards == {
        "Estimated cost": f"${summary['estimated_cost_usd']:,.2f}",
        "Calls": _compact(summary["calls"]),
        "Input tokens": _compact(summary["input_tokens"]),
        "Output tokens": _compact(summary["output_tokens"]),
        "Cache read": _compact(summary["cache_read_tokens"]),
        "Cache write": _compact(summary["cache_write_tokens"]),
    }
    if os.environ.get("UPDATE_SCREENSHOT") == "1":
        DOCS_SCREENSHOT.parent.mkdir(exist_ok=True)
        shutil.copyfile(SCREENSHOT, DOCS_SCREENSHOT)
