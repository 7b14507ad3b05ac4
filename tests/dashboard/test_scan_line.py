"""The Bedrock tab's read line counts the body objects under /data/ it did not read, as the CLI's Read line does,
in English and Korean. In-process, over a report of real log objects (no Streamlit)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from bedrock_usage.dashboard.bedrock_tab import scan_line
from bedrock_usage.dashboard.text import Text
from bedrock_usage.engines.local import LocalEngine
from bedrock_usage.logs.period import resolve_period
from bedrock_usage.report.render import render_terminal
from bedrock_usage.report.tracker import BedrockAthenaTracker
from tests.logfiles import ACCOUNT, write_records

HAIKU = "anthropic.claude-3-5-haiku-20241022-v1:0"


def test_the_read_line_counts_the_body_objects_under_data_it_did_not_read(tmp_path: Path) -> None:
    calls = [{"timestamp": f"2026-01-31T10:0{n}:00Z", "region": "us-east-1", "requestId": f"r{n}",
              "identity": {"arn": f"arn:aws:iam::{ACCOUNT}:user/alice"}, "operation": "Converse", "modelId": HAIKU,
              "input": {"inputTokenCount": 10}, "output": {"outputTokenCount": 5}} for n in range(2)]
    (written,) = write_records(tmp_path, calls)
    bodies = written.parent / "data"
    bodies.mkdir()
    for name in ("r0_input.json.gz", "r1_output.json.gz"):  # as the service delivers bodies over 100 KB
        (bodies / name).write_bytes(gzip.compress(json.dumps({"messages": []}).encode()))
    report = BedrockAthenaTracker(LocalEngine(tmp_path, cache=False)).analyze(
        resolve_period(start="2026-01-31", end="2026-01-31"), ["us-east-1"])

    assert "2 body objects under /data/ ignored" in render_terminal(report, [], 20)  # the CLI's count
    english = scan_line(Text("en"), report, None)
    assert english.startswith("Read 1 log object (") and (
        "2 body objects under /data/ were not read: they hold a request or response body over 100 KB, never a "
        "record.") in english
    assert "/data/ 아래 본문 객체 2 개는 읽지 않았습니다" in scan_line(Text("ko"), report, None)
    for body in bodies.iterdir():
        body.unlink()
    without = BedrockAthenaTracker(LocalEngine(tmp_path, cache=False)).analyze(
        resolve_period(start="2026-01-31", end="2026-01-31"), ["us-east-1"])
    assert "/data/" not in scan_line(Text("en"), without, None)  # nothing to say when there are none
