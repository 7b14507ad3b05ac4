"""The chargeback's terminal text says the days its logs cover once, on its third line (``PARTIAL MONTH: ...``), not
again under Warnings, where its other warnings stay; the JSON keeps the line first among its ``warnings``. A past
month with days missing and the month in progress, over local logs, in-process."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import bedrock_tracker_cli
from tests.logfiles import ACCOUNT, cli_json, write_records

HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
MYSTERY = "example.unlisted-model-v1:0"  # no price in the book: its own warning stays under Warnings


def calls(times: list[datetime]) -> list[dict]:
    """One call at each time, the first of a model the book does not price."""
    return [{"timestamp": at.strftime("%Y-%m-%dT%H:%M:%SZ"), "identity": {"arn": f"arn:aws:iam::{ACCOUNT}:user/ann"},
             "region": "us-east-1", "requestId": f"r{i}", "modelId": MYSTERY if i == 0 else HAIKU,
             "input": {"inputTokenCount": 100}, "output": {"outputTokenCount": 10}} for i, at in enumerate(times)]


def month_in_progress() -> list[datetime]:
    now = datetime.now(UTC).replace(microsecond=0)
    return [max(now - timedelta(minutes=m), now.replace(day=1, hour=0, minute=0, second=0)) for m in (2, 1)]


@pytest.mark.parametrize("times", [
    [datetime(2025, 11, 15, 9, tzinfo=UTC), datetime(2025, 11, 28, 9, tzinfo=UTC)],
    month_in_progress(),
], ids=["past month, days missing", "month in progress"])
def test_the_partial_month_line_is_printed_once(times: list[datetime], tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    write_records(tmp_path / "logs", calls(times))
    month = times[0].strftime("%Y-%m")
    args = ("--chargeback", month, "--chargeback-by", "application")
    warnings = cli_json(capsys, tmp_path / "logs", *args)["warnings"]
    assert warnings[0].startswith("PARTIAL MONTH: ") and any(MYSTERY in line for line in warnings[1:])
    code = bedrock_tracker_cli.main(["--engine", "local", "--logs-dir", str(tmp_path / "logs"), "--quiet", *args])
    out = capsys.readouterr()
    assert code == 0, out.err
    lines = out.out.splitlines()
    assert lines[2] == warnings[0] and out.out.count("PARTIAL MONTH") == 1
    assert lines[lines.index("Warnings") + 1:] == [f"  - {line}" for line in warnings[1:]]
