"""Time the dashboard's runs in one process with Streamlit's AppTest (for bench/run.py): the Analyze run that loads
the figures of a logs folder, then control changes that need no new query (stacking, grouping, language).

Usage: python bench/dashboard_rerender.py LOGS_DIR START END. Prints one JSON document: wall and CPU seconds of
each run (CPU of this whole process, Streamlit's script thread included).
"""

from __future__ import annotations

import json
import sys
import time
from datetime import date
from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parents[1] / "bedrock_tracker.py"
CHANGES = (("stack_by", "application"), ("group_by", "application"), ("lang", "ko"))


def timed_run(app: AppTest) -> dict[str, float]:
    """Run the script once; fail loudly on an exception shown in the page."""
    wall, cpu = time.perf_counter(), time.process_time()
    app.run()
    figures = {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu}
    if app.exception:
        raise SystemExit(f"the dashboard failed: {app.exception[0].message}")
    return figures


def main(logs_dir: str, start: str, end: str) -> None:
    app = AppTest.from_file(str(APP), default_timeout=900)
    app.run()
    app.radio(key="source").set_value("local").run()
    app.date_input(key="dates").set_value((date.fromisoformat(start), date.fromisoformat(end)))
    app.text_input(key="logs_dir").set_value(logs_dir)
    app.button(key="analyze").click()
    runs = {"analyze": timed_run(app)}
    cards = [(m.label, m.value) for m in app.metric]
    app.button(key="analyze").click()
    runs["analyze_again"] = timed_run(app)
    for key, value in CHANGES:
        app.radio(key=key).set_value(value)
        runs[key] = timed_run(app)
    print(json.dumps({"runs": runs, "cards": cards}))


if __name__ == "__main__":
    main(*sys.argv[1:4])
