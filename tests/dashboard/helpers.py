"""What the dashboard tests share: running the app in AppTest, the CLIs' JSON, finding cards, tables and charts,
and the card formats computed independently of the dashboard's code."""

from __future__ import annotations

import base64
import gc
import json
import math
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "bedrock_tracker.py"
CLI = ROOT / "bedrock_tracker_cli.py"
QCLI = ROOT / "qcli_s3_analyzer.py"
# The UTC day the tests were collected: a base for periods, never the page's today, which a run crossing midnight
# UTC moves on (a test comparing with today takes it in ``same_utc_day``).
TODAY = datetime.now(UTC).date()
# Inside the 30-day demo corpus, previous period included, and clear of its first day and of today: the demo's past
# days are the same whichever day it is made on, so these periods' figures hold when the corpus is made again after
# midnight UTC during a run.
START, END = TODAY - timedelta(days=9), TODAY - timedelta(days=3)
PREVIOUS = (START - timedelta(days=7), START - timedelta(days=1))


@contextmanager
def same_utc_day() -> Iterator[date]:
    """Today in UTC, for a test expecting the page's or a CLI's today; when the day has changed by the test's end,
    whatever the test found, it is skipped: what it ran may have read either day."""
    today = datetime.now(UTC).date()
    try:
        yield today
    finally:
        if datetime.now(UTC).date() != today:
            pytest.skip(f"the UTC day changed during the test ({today} to {datetime.now(UTC).date()})")


def run_cli(env: dict[str, str], script: Path, *args: str) -> dict:
    """A CLI's JSON report (bedrock_tracker_cli.py prints it; qcli_s3_analyzer.py names the file it wrote)."""
    proc = subprocess.run([sys.executable, str(script), *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=180, check=False)
    assert proc.returncode == 0, proc.stderr
    if script == CLI:
        return json.loads(proc.stdout)
    return json.loads(Path(proc.stdout.split("wrote ", 1)[1].strip()).read_text())


def cli_report(env: dict[str, str], start: date, end: date, *options: str) -> dict:
    """``bedrock_tracker_cli.py --demo --format json`` for the period."""
    return run_cli(env, CLI, "--demo", "--format", "json", "--output-dir", "-", "--start-date", start.isoformat(),
                   "--end-date", end.isoformat(), *options)


def checked(at: AppTest) -> AppTest:
    """``at`` after asserting its run raised nothing."""
    assert not at.exception, [e.value for e in at.exception]
    return at


def shown(markdown: str) -> str:
    """The text a reader sees of Markdown whose punctuation is escaped (``\\[`` reads ``[``; a word joiner, which
    keeps an address from becoming a link, is invisible)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace("\u2060", "")


def open_app(**query: str | list[str]) -> AppTest:
    """The dashboard after its first run, opened with ``query`` as the address's parameters."""
    at = AppTest.from_file(str(APP), default_timeout=240)
    at.query_params.update(query)
    return checked(at.run())


def analyze(at: AppTest, start: date = START, end: date = END, **texts: str) -> AppTest:
    """Set the period and text inputs (by widget key), click Analyze and run."""
    at.date_input(key="dates").set_value((start, end))
    for key, value in texts.items():
        at.text_input(key=key).set_value(value)
    at.button(key="analyze").click()
    return checked(at.run())


def tab(at: AppTest, label: str):
    """The tab with this label."""
    found = [t for t in at.tabs if t.label == label]
    assert len(found) == 1, label
    return found[0]


def metric(container, label: str):
    """The metric card with this label in ``container`` (the app or one tab)."""
    found = [m for m in container.metric if m.label == label]
    assert len(found) == 1, f"{label}: {[m.label for m in container.metric]}"
    return found[0]


def frame_starting(at: AppTest, *columns: str) -> pd.DataFrame:
    """The one table whose first columns are ``columns``."""
    found = [d.value for d in at.dataframe if tuple(d.value.columns[: len(columns)]) == columns]
    assert len(found) == 1, columns
    return found[0]


def chart(at: AppTest, key: str) -> dict:
    """The plotly figure drawn under ``key``, as plotly's JSON (``data`` and ``layout``)."""
    found = [c for c in at.get("plotly_chart") if c.proto.id.endswith(f"-{key}")]
    assert len(found) == 1, key
    return json.loads(found[0].proto.spec)


def values(array: list | dict) -> list:
    """A trace's x or y: a JSON list, or plotly's base64 typed array."""
    if isinstance(array, dict):
        return list(np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"]))
    return array


def plain(value: object) -> object:
    """A table cell as a plain Python value (NaN and NA as None)."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    return value.item() if hasattr(value, "item") else value


def expected_compact(value: int) -> str:
    """How a metric card prints a count: exact below 100,000, else in K, M or B, each step taken once the rounded
    figure reaches the next (999,960 is 1.00M)."""
    if value < 100_000:
        return f"{value:,}"
    if float(f"{value / 1e3:.1f}") < 1000:
        return f"{value / 1e3:,.1f}K"
    if float(f"{value / 1e6:.2f}") < 1000:
        return f"{value / 1e6:,.2f}M"
    return f"{value / 1e9:,.2f}B"


def expected_compact_usd(amount: float) -> str:
    """How a metric card prints a (non-negative) amount: ``<$0.01`` below a cent (never $0.00), cents below $100,
    dimes below $1,000, then $1.2K, $3.4M, $5.6B (one decimal), each step taken once the rounded figure reaches the
    next."""
    if 0 < amount < 0.01:
        return "<$0.01"
    if round(amount, 2) < 100:
        return f"${amount:,.2f}"
    if round(amount, 1) < 1000:
        return f"${amount:,.1f}"
    for divisor, unit in ((1e3, "K"), (1e6, "M"), (1e9, "B")):
        if round(amount / divisor, 1) < 1000:
            return f"${amount / divisor:,.1f}{unit}"
    return f"${amount / 1e12:,.1f}T"


def expected_change(current: float, previous: float) -> str | None:
    """A card's change against the previous period."""
    return f"{(current - previous) / previous:+.1%}" if previous else None


def downloads(at: AppTest) -> dict[str, bytes]:
    """Every download button's file by its name, made as a click makes it: the buttons defer their data to a callable
    the media file manager keeps (AppTest gives no handle on it, so it is found among the live objects)."""
    from streamlit.runtime.media_file_manager import MediaFileManager

    managers = [o for o in gc.get_objects() if isinstance(o, MediaFileManager)]
    found: dict[str, bytes] = {}
    for button in at.get("download_button"):
        for manager in managers:
            entry = manager._deferred_callables.get(button.proto.deferred_file_id)
            if entry is not None:
                data = entry["callable"]()
                found[entry["filename"]] = data.encode() if isinstance(data, str) else data
    return found
