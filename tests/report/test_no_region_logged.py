"""A folder without logs of any region read is no $0 report: logging set up but no region logged yet, or only
regions asked for that have no logs there, is one line and exit 1, in the report and the governance modes. When
some regions asked for have logs, the report is made and names the others as unknown, not zero."""

from __future__ import annotations

from pathlib import Path

import pytest

import bedrock_tracker_cli
from bedrock_usage.dashboard.bedrock_tab import no_calls_line
from bedrock_usage.dashboard.text import Text
from bedrock_usage.engines.local import LocalEngine
from bedrock_usage.logs.layout import PERMISSION_CHECK_NAME, SERVICE_FOLDER
from bedrock_usage.logs.period import resolve_period
from bedrock_usage.report.tracker import BedrockAthenaTracker
from tests.logfiles import ACCOUNT, write_records

DAY = "2025-11-02"
PERIOD = ["--start-date", DAY, "--end-date", DAY]


def record(region: str) -> dict:
    return {"timestamp": f"{DAY}T10:10:00Z", "region": region, "requestId": f"r-{region}",
            "modelId": "anthropic.claude-3-haiku-20240307-v1:0", "identity": {"arn": f"arn:aws:iam::{ACCOUNT}:user/a"},
            "input": {"inputTokenCount": 100}, "output": {"outputTokenCount": 10}}


def run(capsys: pytest.CaptureFixture[str], *options: str) -> tuple[int, str, str]:
    code = bedrock_tracker_cli.main(["--engine", "local", "--quiet", *options])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def logs(tmp_path: Path) -> Path:
    write_records(tmp_path / "logs", [record("us-east-1"), record("us-west-2")], prefix="")
    return tmp_path / "logs"


def test_logging_set_up_with_no_region_logged_yet_is_one_line_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Only the permission-check object that Bedrock writes when logging is set up: a $0 report with no region."""
    service = tmp_path / "AWSLogs" / ACCOUNT / SERVICE_FOLDER
    service.mkdir(parents=True)
    (service / PERMISSION_CHECK_NAME).write_bytes(b"")
    for extra in ((), ("--region", "all"), ("--anomalies",)):
        code, out, err = run(capsys, "--logs-dir", str(tmp_path), *PERIOD, *extra)
        assert (code, out) == (1, ""), extra
        assert err.splitlines() == [f"error: logging is set up but no region has written logs yet under {tmp_path}, "
                                    "so no report is made ($0 would read as no spend): Bedrock writes a region's "
                                    "folder with its first logged call"]


def test_only_folders_that_are_no_region_is_one_line_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "AWSLogs" / ACCOUNT / SERVICE_FOLDER / "mars-central-1").mkdir(parents=True)
    code, out, err = run(capsys, "--logs-dir", str(tmp_path), *PERIOD)
    assert (code, out) == (1, "")
    assert err.startswith(f"error: no folder under {tmp_path} (mars-central-1) is an Amazon Bedrock region")


@pytest.mark.parametrize("mode", [(), ("--anomalies",), ("--chargeback", DAY[:7], "--chargeback-by", "application")])
def test_regions_asked_for_none_of_which_has_logs_is_one_line_exit_1(
    logs: Path, capsys: pytest.CaptureFixture[str], mode: tuple[str, ...]
) -> None:
    period = [] if "--chargeback" in mode else PERIOD
    code, out, err = run(capsys, "--logs-dir", str(logs), *period, "--region", "ap-southeast-1,sa-east-1", *mode)
    assert (code, out) == (1, "")
    assert err.splitlines() == [f"error: no logs of ap-southeast-1, sa-east-1 under {logs}, so no report is made ($0 "
                                "would read as no spend): it has logs of us-east-1, us-west-2: ask for those regions"]


def test_some_regions_asked_for_with_logs_give_the_report_and_name_the_others(
    logs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "--logs-dir", str(logs), *PERIOD, "--region", "us-east-1,ap-southeast-1",
                         "--analysis", "summary")
    assert code == 0, err
    assert "Calls:              1" in out
    assert f"no logs of ap-southeast-1 under {logs}, though asked for: its figures are unknown, not zero" in out


def test_the_dashboard_says_a_region_without_logs_is_unknown_not_that_there_are_no_calls(logs: Path) -> None:
    """"No calls in this period" beside regions without logs read as no spend in them."""
    tracker = BedrockAthenaTracker(LocalEngine(logs, cache=False))
    report = tracker.analyze(resolve_period(start="2025-11-05", end="2025-11-05"), ["us-east-1", "ap-southeast-1"])
    assert report.summary["calls"] == 0
    assert no_calls_line(Text("en"), report) == (
        "No calls in this period in us-east-1 for this scope and these filters. There are no logs of ap-southeast-1 "
        "under the logs folder: their figures are unknown, not zero.")
    assert "ap-southeast-1" in no_calls_line(Text("ko"), report)
    every = tracker.analyze(resolve_period(start="2025-11-05", end="2025-11-05"), ["us-east-1"])
    assert no_calls_line(Text("en"), every) == Text("en")("no_calls")
