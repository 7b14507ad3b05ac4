"""Regenerate the README's dashboard screenshots: ``streamlit run`` on the demo data, driven by headless Chromium.

    python tools/dashboard_screenshots.py                  # docs/dashboard-*.png, on a fresh demo corpus
    python tools/dashboard_screenshots.py --cache-dir DIR  # reuse (or make) the demo corpus in DIR

Needs Playwright's Python package and Debian's Chromium (``apt-get install chromium``; ``fonts-noto-cjk`` draws
the language switch's 한국어). The server runs on a free loopback port with no AWS credentials in its environment;
each picture opens the dashboard from a link (its settings in the address), waits until every chart is drawn, and
saves the page. The browser tests start the server and the browser with the functions here.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
CACHE_ENV = "BEDROCK_USAGE_CACHE_DIR"
WAIT_MS = 180_000


@dataclass(frozen=True)
class Shot:
    """One picture: the file, the link's settings, the window width and how much of the page to keep."""

    name: str
    query: str
    width: int = 1400
    height: int = 1900
    charts: int = 4


SHOTS = (
    Shot("dashboard-demo.png", "source=demo&days=7", height=2300),
    Shot("dashboard-drilldown.png", "source=demo&days=7&focus_by=application&focus=CodeReviewApp", height=1500),
    Shot("dashboard-qdev.png", "source=demo&days=7&tab=qdev", charts=3),
    Shot("dashboard-governance.png", "source=demo&days=7&tab=governance", height=2900, charts=6),
    Shot("dashboard-narrow.png", "source=demo&days=7", width=800, height=1700),
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def no_aws_environment(cache_dir: Path, home: Path) -> dict[str, str]:
    """This process's environment without AWS credentials or endpoints, with its own cache folder."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
    env.update(AWS_CONFIG_FILE=str(home / "no-aws-config"), AWS_EC2_METADATA_DISABLED="true",
               AWS_SHARED_CREDENTIALS_FILE=str(home / "no-aws-credentials"), **{CACHE_ENV: str(cache_dir)})
    return env


@contextmanager
def streamlit_server(env: dict[str, str], log_path: Path, timeout: float = 60) -> Iterator[str]:
    """``streamlit run bedrock_tracker.py`` on a free loopback port; yields its URL, stops it on exit. The server's
    output goes to ``log_path``."""
    port = _free_port()
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "bedrock_tracker.py", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)
                    break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"streamlit did not start: {log_path.read_text()}") from None
                    time.sleep(0.3)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def launch_chromium(playwright: Any) -> Any:
    """Debian's Chromium, headless, with nothing that reaches the network by itself."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


def wait_until_drawn(page: Any, charts: int, timeout_ms: int = WAIT_MS) -> None:
    """Wait for at least ``charts`` plotly charts in the open tab, no spinner left, and the charts' first draw."""
    panel = page.locator('[data-testid="stTabPanel"]:visible')
    panel.locator(".js-plotly-plot").nth(charts - 1).wait_for(timeout=timeout_ms)
    page.locator('[data-testid="stSpinner"]').first.wait_for(state="detached", timeout=timeout_ms)
    page.wait_for_timeout(1500)


def take(playwright: Any, url: str, shots: tuple[Shot, ...], out_dir: Path) -> list[Path]:
    """Open each shot's link in a fresh page and save its picture."""
    browser = launch_chromium(playwright)
    saved = []
    try:
        for shot in shots:
            page = browser.new_page(viewport={"width": shot.width, "height": shot.height})
            page.goto(f"{url}/?{shot.query}")
            wait_until_drawn(page, shot.charts)
            path = out_dir / shot.name
            page.screenshot(path=str(path))
            saved.append(path)
            page.close()
    finally:
        browser.close()
    return saved


def main(argv: list[str] | None = None) -> int:
    """Take every picture of ``SHOTS`` into ``--out-dir``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out-dir", type=Path, default=ROOT / "docs", help="where the pictures go (default docs/)")
    parser.add_argument("--cache-dir", type=Path, help="demo corpus folder to reuse (default: a fresh temporary one)")
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        print(f"error: {CHROMIUM} is missing: apt-get install chromium", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="dashboard-shots-") as scratch:
        cache = args.cache_dir or Path(scratch) / "cache"
        env = no_aws_environment(cache, Path(scratch))
        args.out_dir.mkdir(parents=True, exist_ok=True)
        log = Path(scratch) / "streamlit.log"
        with streamlit_server(env, log) as url, sync_playwright() as playwright:
            saved = take(playwright, url, SHOTS, args.out_dir)
        if "Traceback" in log.read_text():
            print(f"error: the server logged a traceback:\n{log.read_text()}", file=sys.stderr)
            return 1
    for path in saved:
        print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
