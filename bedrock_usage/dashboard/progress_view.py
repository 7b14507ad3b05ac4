"""The steps of a long dashboard load (listing, reading, pricing), drawn while it runs, then where the figures
were read and how long that took.

The load runs in a worker thread and reports plain ``Progress`` updates (``output/progress.py``) into a
``LatestSteps``; the script's own thread draws the latest update of every step as a progress bar in a
``st.status`` box until the load ends. Nothing is drawn from the worker, so nothing is recorded into
Streamlit's replay of the cached loaders.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from typing import Any, TypeVar

import streamlit as st
from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

from ..errors import SetupRequired, UsageError
from ..output.progress import Progress, Reporter, fraction_done, progress_line
from . import data
from .text import Text

DRAW_SECONDS = 0.25
T = TypeVar("T")


class LatestSteps:
    """A reporter keeping the latest update of every step, in the order the steps started; any thread may call it."""

    def __init__(self) -> None:
        self._steps: dict[str, Progress] = {}
        self._lock = threading.Lock()

    def __call__(self, update: Progress) -> None:
        with self._lock:
            self._steps[update.step] = update

    def latest(self) -> list[Progress]:
        """The latest update of each step so far."""
        with self._lock:
            return list(self._steps.values())


def load_with_steps(load: Callable[[Reporter], T], status: Any) -> T:
    """Run ``load`` (given the reporter) in a worker thread, drawing its steps as bars in ``status`` (a
    ``st.status`` box) until it ends; its result, or its error raised here."""
    steps = LatestSteps()
    context = get_script_run_ctx()
    bars: dict[str, Any] = {}
    drawn: dict[str, Progress] = {}

    def draw() -> None:
        for update in steps.latest():
            if drawn.get(update.step) == update:
                continue
            if update.step not in bars:
                bars[update.step] = status.empty()
            bars[update.step].progress(fraction_done(update), text=progress_line(update))
            drawn[update.step] = update

    with ThreadPoolExecutor(max_workers=1, initializer=lambda: add_script_run_ctx(threading.current_thread(),
                                                                                  context)) as pool:
        future = pool.submit(load, steps)
        while not wait([future], timeout=DRAW_SECONDS).done:
            draw()
    draw()
    return future.result()


def show_load(t: Text, request: data.BedrockRequest) -> None:
    """Read the logs of ``request`` (unless the scan is cached) with its steps in a status box, which then says where
    the figures were read and how long that took. A failed read is left to the Bedrock tab to explain."""
    with st.status(t("loading"), expanded=True) as status:
        try:
            scan = load_with_steps(lambda progress: data.load_scan(request.scan(), progress), status)
        except (UsageError, SetupRequired):
            status.update(label=t("load_failed"), state="error", expanded=False)
            return
    status.update(label=loaded_line(t, scan), state="complete", expanded=False)


def loaded_line(t: Text, scan: data.BedrockScan) -> str:
    """Where the figures were read and how long that took (the read itself, not a re-render from the cache)."""
    at = scan.loaded_at.strftime("%H:%M:%S UTC") if scan.loaded_at else ""
    return t("loaded_from", source=scan.report.engine, seconds=f"{scan.load_seconds:.1f}", at=at)
