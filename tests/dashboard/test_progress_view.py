"""The dashboard shows the steps of a long load in a status box, then where the data came from and how long it took."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from bedrock_usage.demo.synthetic import CorpusSpec, generate_records
from bedrock_usage.demo.writer import write_local
from tests.dashboard.helpers import END, PREVIOUS, START, analyze, checked, open_app


def steps_script() -> None:
    import threading

    import streamlit as st

    from bedrock_usage.dashboard.progress_view import load_with_steps, show_outcome
    from bedrock_usage.errors import UsageError
    from bedrock_usage.output.progress import Progress

    slow = st.session_state.get("slow", True)
    fail = st.session_state.get("fail", False)
    box_opened = threading.Event()
    opened = []

    def box():
        opened.append(st.status("Loading", expanded=True))
        box_opened.set()
        return opened[0]

    def load(report):
        report(Progress("listing logs", 3, 3, "day folders", finished=True))
        report(Progress("reading logs", 5, 10, "objects", 50, 100, "7 records parsed"))
        if slow:  # a long load: it ends only once its box is open
            assert box_opened.wait(60)
        if fail:
            raise UsageError("no logs here")
        return 42

    try:
        show_outcome(opened, f"loaded {load_with_steps(load, box)}", "complete")
    except UsageError as exc:
        show_outcome(opened, "failed", "error")
        st.error(str(exc))


def test_each_step_is_a_bar_with_its_counts_in_words_and_the_result_comes_back() -> None:
    at = AppTest.from_function(steps_script, default_timeout=60).run()
    assert not at.exception
    assert [status.label for status in at.status] == ["loaded 42"]
    assert not at.expander
    bars = [(bar.value, bar.proto.text) for bar in at.get("progress")]
    assert bars == [(100, "listing logs: 3 of 3 day folders"),
                    (50, "reading logs: 5 of 10 objects, 50 B of 100 B; 7 records parsed")]


def test_a_load_that_ends_at_once_shows_its_outcome_without_a_status_box() -> None:
    at = AppTest.from_function(steps_script, default_timeout=60)
    at.session_state["slow"] = False
    at.run()
    assert not at.exception
    assert not at.status and not at.get("progress")
    assert [(box.label, box.proto.icon) for box in at.expander] == [("loaded 42", ":material/check:")]


@pytest.mark.parametrize("slow", [True, False])
def test_an_error_of_the_load_reaches_the_page(slow: bool) -> None:
    at = AppTest.from_function(steps_script, default_timeout=60)
    at.session_state["fail"] = True
    at.session_state["slow"] = slow
    at.run()
    assert not at.exception
    assert [error.value for error in at.error] == ["no logs here"]
    boxes = at.status if slow else at.expander
    assert [box.label for box in boxes] == ["failed"]
    assert (not at.expander) if slow else (not at.status and boxes[0].proto.icon == ":material/error:")


@pytest.mark.slow
def test_the_bedrock_tab_shows_the_steps_of_both_periods_then_the_source_and_time(
    demo_env: dict[str, str], tmp_path: Path
) -> None:
    logs = tmp_path / "logs"
    write_local(logs, generate_records(CorpusSpec(records=1_000, start_date=PREVIOUS[0], end_date=END, seed=19)))
    at = open_app()
    at.radio(key="source").set_value("local").run()
    at = analyze(at, logs_dir=str(logs))
    assert not at.error

    labels = [status.label for status in at.status]
    bedrock = [label for label in labels if label.startswith("Read with ")]
    assert len(bedrock) == 1, labels
    assert re.fullmatch(rf"Read with DuckDB over local log files in {re.escape(str(logs))}.* in \d+\.\d s at "
                        r"\d\d:\d\d:\d\d UTC \(this period and the previous one\)", bedrock[0]), bedrock[0]
    texts = [bar.proto.text for bar in at.get("progress")]
    for start, end in ((START, END), PREVIOUS):
        for step in ("listing logs", "reading logs", "pricing"):
            assert any(text.startswith(f"{start} .. {end} (UTC): {step}: ") for text in texts), (step, texts)
    assert all(bar.value == 100 for bar in at.get("progress"))  # every step finished

    # Analyze again: answered from the dashboard's cache, the same outcome without a status box of steps
    at.button(key="analyze").click()
    again = checked(at.run())
    assert not again.status and not again.get("progress")
    assert [box.label for box in again.expander if box.label.startswith("Read with ")] == bedrock
