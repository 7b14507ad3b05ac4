"""The dashboard shows the steps of a long load in a status box, then where the data came from and how long it took."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.proto.Block_pb2 import Block
from streamlit.testing.v1 import AppTest

from bedrock_usage.demo.synthetic import CorpusSpec, generate_records
from bedrock_usage.demo.writer import write_local
from tests.dashboard.helpers import END, PREVIOUS, START, analyze, checked, open_app, shown


def steps_script() -> None:
    import threading

    import streamlit as st

    from bedrock_usage.dashboard.progress_view import load_with_outcome
    from bedrock_usage.dashboard.text import Text
    from bedrock_usage.errors import UsageError
    from bedrock_usage.output.progress import Progress

    slow = st.session_state.get("slow", True)
    failure = st.session_state.get("failure")
    request = st.session_state.get("request", "A")
    read = 5 if request == "A" else 8

    drawn = threading.Event()

    class DrawnStep(str):
        """A step's name that tells when the page has written it: the script's thread formats it into a bar's text,
        which it does only in an open status box while the load runs."""

        def __format__(self, spec: str) -> str:
            drawn.set()
            return str.__format__(self, spec)

    def load(report):
        report(Progress("listing logs", 3, 3, "day folders", finished=True))
        report(Progress(DrawnStep("reading logs"), read, 10, "objects", 50, 100, "7 records parsed"))
        if slow:  # still running when its box opens (at once: quick=0), until the box has drawn its bars
            assert drawn.wait(timeout=30), "no status box drew the steps of a load still running"  # < the run's 60 s
        if failure == "usage":
            raise UsageError("no logs here")
        if failure == "bug":
            raise RuntimeError("not a UsageError")
        return 42

    try:
        load_with_outcome(Text("en"), load, request, "Loading", lambda result: f"loaded {result}", "failed",
                          quick=0 if slow else 60)
    except UsageError as exc:
        st.error(str(exc))


def run_steps(slow: bool, failure: str | None = None) -> AppTest:
    at = AppTest.from_function(steps_script, default_timeout=60)
    at.session_state["slow"] = slow
    at.session_state["failure"] = failure
    return at.run()


def test_each_step_is_a_bar_with_its_counts_in_words_and_the_result_comes_back() -> None:
    at = run_steps(slow=True)
    assert not at.exception
    assert [(box.label, box.proto.icon) for box in at.status] == [("loaded 42", ":material/check:")]
    assert not at.expander
    bars = [(bar.value, bar.proto.text) for bar in at.get("progress")]
    assert bars == [(100, "listing logs: 3 of 3 day folders"),
                    (50, "reading logs: 5 of 10 objects, 50 B of 100 B; 7 records parsed")]


def test_a_load_that_ends_at_once_shows_its_outcome_without_a_status_box() -> None:
    at = run_steps(slow=False)
    assert not at.exception
    assert not at.status and not at.get("progress")
    assert [(box.label, box.proto.icon) for box in at.expander] == [("loaded 42", ":material/check:")]


def test_a_rerun_answered_at_once_holds_the_steps_of_the_load_that_read_its_figures() -> None:
    """A status box the user opened stays open across re-runs: the expander drawn in its place holds the same
    finished bars, not nothing."""
    at = run_steps(slow=True)
    first = [(bar.value, bar.proto.text) for bar in at.status[0].get("progress")]
    at.session_state["slow"] = False
    again = at.run()
    assert not again.exception and not again.status
    (box,) = again.expander
    assert box.label == "loaded 42"
    assert [(bar.value, bar.proto.text) for bar in box.get("progress")] == first
    assert len(first) == 2


def test_the_steps_shown_are_those_of_the_same_request_not_of_the_same_label() -> None:
    """Two requests end on the same outcome label (the Amazon Q tab's names only its source): a re-run of the first
    shows the first's steps, not the latest load's."""
    at = run_steps(slow=True)
    first = [bar.proto.text for bar in at.status[0].get("progress")]
    at.session_state["request"] = "B"
    other = [bar.proto.text for bar in at.run().status[0].get("progress")]
    assert first != other
    at.session_state["request"] = "A"
    at.session_state["slow"] = False
    again = at.run()
    assert [bar.proto.text for bar in again.expander[0].get("progress")] == first


@pytest.mark.parametrize("slow", [True, False])
def test_an_error_of_the_load_reaches_the_page_and_closes_its_box(slow: bool) -> None:
    at = run_steps(slow=slow, failure="usage")
    assert not at.exception
    assert [error.value for error in at.error] == ["no logs here"]
    boxes = at.status if slow else at.expander
    assert [(box.label, box.proto.icon) for box in boxes] == [("failed", ":material/error:")]
    assert not (at.expander if slow else at.status)


def test_an_unexpected_error_closes_the_box_too() -> None:
    at = run_steps(slow=True, failure="bug")
    assert [e.message for e in at.exception] == ["not a UsageError"]
    assert [(box.label, box.proto.icon, box.proto.state) for box in at.status] == [
        ("failed", ":material/error:", Block.Expandable.State.ERROR)]  # no longer running


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
                        r"\d\d:\d\d:\d\d UTC \(this period and the previous one\)", shown(bedrock[0])), bedrock[0]
    texts = [bar.proto.text for bar in at.get("progress")]
    for start, end in ((START, END), PREVIOUS):
        for step in ("listing logs", "reading logs", "pricing"):
            assert any(text.startswith(f"{start} .. {end} (UTC): {step}: ") for text in texts), (step, texts)
    assert all(bar.value == 100 for bar in at.get("progress"))  # every step finished

    # Analyze again: answered from the dashboard's cache, the same outcome without a status box of steps
    at.button(key="analyze").click()
    again = checked(at.run())
    assert not again.status
    (box,) = [box for box in again.expander if box.label.startswith("Read with ")]
    assert [box.label] == bedrock
    assert [bar.proto.text for bar in box.get("progress")] == texts  # the read's steps, finished
