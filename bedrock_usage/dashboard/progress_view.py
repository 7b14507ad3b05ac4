"""The steps of a long dashboard load (listing, reading, pricing), drawn while it runs, then where the figures
were read and how long that took.

The load runs in a worker thread and reports plain ``Progress`` updates (``output/progress.py``) into a
``LatestSteps``; the script's own thread draws the latest update of every step as a progress bar in a
``st.status`` box, in the page's language, until the load ends. Nothing is drawn from the worker, so nothing is
recorded into Streamlit's replay of the cached loaders.

A load answered from the cache (every re-run after the first: a control change, Analyze again) ends at once, and
draws no status box: Streamlit pauses 0.05 s when it makes one and again when a running one closes, so a box would
add 0.1 s to every re-run. Its outcome is drawn in an expander of the same look instead, holding the finished steps
of the load that read those figures (kept in the session by its request): a box the user opened stays open
across re-runs, and would otherwise show nothing.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from typing import Any, Literal, TypeVar

import streamlit as st
from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

from ..errors import SetupRequired, UsageError
from ..output.progress import Progress, Reporter, fraction_done
from . import data
from .text import Text

DRAW_SECONDS = 0.25
# A load that ends this soon is shown by its outcome alone, without a status box of its steps.
QUICK_SECONDS = 0.1
STEPS_KEY = "progress_view_steps"  # session state: the finished steps of the latest loads, by what names each
KEPT_STEPS = 8
OUTCOME_ICONS = {"complete": ":material/check:", "error": ":material/error:"}
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


def load_with_steps(load: Callable[[Reporter], T], box: Callable[[], Any], quick: float, steps: LatestSteps,
                    line: Callable[[Progress], str]) -> T:
    """Run ``load`` (given the reporter ``steps``) in a worker thread, drawing its steps as bars in the status box
    that ``box`` opens (a ``st.status``), each worded by ``line``, until it ends; its result, or its error raised
    here. ``box`` is called only when the load has not ended within ``quick`` seconds."""
    context = get_script_run_ctx()
    bars: dict[str, Any] = {}
    drawn: dict[str, Progress] = {}

    def draw(status: Any) -> None:
        for update in steps.latest():
            if drawn.get(update.step) == update:
                continue
            if update.step not in bars:
                bars[update.step] = status.empty()
            bars[update.step].progress(fraction_done(update), text=line(update))
            drawn[update.step] = update

    with ThreadPoolExecutor(max_workers=1, initializer=lambda: add_script_run_ctx(threading.current_thread(),
                                                                                  context)) as pool:
        future = pool.submit(load, steps)
        if not wait([future], timeout=quick).done:
            status = box()
            while not wait([future], timeout=DRAW_SECONDS).done:
                draw(status)
            draw(status)
    return future.result()


def load_with_outcome(t: Text, load: Callable[[Reporter], T], load_key: str, loading: str,
                      outcome: Callable[[T], str], failed: str, quick: float = QUICK_SECONDS) -> T:
    """``load_with_steps`` in a status box labelled ``loading``, closed on ``outcome`` of the result, or on
    ``failed`` when the load raises (the error is raised again here); a load that ends within ``quick`` seconds
    opens no box and its outcome is drawn alone, with the finished steps this session saw for ``load_key`` (what
    names the load: its request). The steps are worded in ``t``'s language."""
    status: Any | None = None
    steps = LatestSteps()

    def box() -> Any:
        nonlocal status
        status = st.status(loading, expanded=True)
        return status

    try:
        result = load_with_steps(load, box, quick, steps, t.step_line)
    except BaseException:
        show_outcome(t, status, failed, "error")
        raise
    if status is not None:
        _remember_steps(load_key, steps.latest())
    show_outcome(t, status, outcome(result), "complete", st.session_state.get(STEPS_KEY, {}).get(load_key, []))
    return result


def show_outcome(t: Text, status: Any | None, label: str, state: Literal["complete", "error"],
                 steps: list[Progress] | tuple[()] = ()) -> None:
    """Close the status box ``status``, if one was opened, on ``label`` in ``state``; otherwise draw a closed
    expander with that label and the icon a status box in that state has, holding the finished ``steps`` (in
    ``t``'s language)."""
    if status is not None:
        status.update(label=label, state=state, expanded=False)
        return
    with st.expander(label, expanded=False, icon=OUTCOME_ICONS[state]):
        for update in steps:
            st.progress(fraction_done(update), text=t.step_line(update))


def _remember_steps(load_key: str, steps: list[Progress]) -> None:
    """Keep the finished ``steps`` of the load ``load_key`` in the session, for the expander that shows its outcome
    on later re-runs; only the latest ``KEPT_STEPS`` loads are kept."""
    kept = dict(st.session_state.get(STEPS_KEY, {}))
    kept.pop(load_key, None)  # a load read again is the latest
    kept[load_key] = steps
    st.session_state[STEPS_KEY] = dict(list(kept.items())[-KEPT_STEPS:])


def show_load(t: Text, request: data.BedrockRequest) -> None:
    """Read the logs of ``request`` (unless the scan is cached) with its steps in a status box, which then says where
    the figures were read and how long that took. A failed read is left to the Bedrock tab to explain."""
    with contextlib.suppress(UsageError, SetupRequired):
        scan = request.scan()
        load_with_outcome(t, lambda progress: data.load_scan(scan, progress), f"bedrock {scan!r}", t("loading"),
                          lambda loaded: loaded_line(t, loaded), t("load_failed"))


def loaded_line(t: Text, scan: data.BedrockScan) -> str:
    """Where the figures were read and how long that took (the read itself, not a re-render from the cache)."""
    at = scan.loaded_at.strftime("%H:%M:%S UTC") if scan.loaded_at else ""
    return t("loaded_from", source=t.log_source(scan.report.source), seconds=f"{scan.load_seconds:.1f}", at=at)
