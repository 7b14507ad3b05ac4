"""A folder without logs of any region is no $0 report: logging set up but no region logged yet is one line and exit
1, in the report and the governance modes."""

from __future__ import annotations

from pathlib import Path

import pytest

import bedrock_tracker_cli
from bedrock_usage.logs.layout import PERMISSION_CHECK_NAME, SERVICE_FOLDER
from tests.logfiles import ACCOUNT

DAY = "2025-11-02"
PERIOD = ["--start-date", DAY, "--end-date", DAY]


def run(capsys: pytest.CaptureFixture[str], *options: str) -> tuple[int, str, str]:
    code = bedrock_tracker_cli.main(["--engine", "local", "--quiet", *options])
    out, err = capsys.readouterr()
    return code, out, err


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
