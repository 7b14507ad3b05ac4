"""The governance modes on Claude calls whose cache writes' split is known only in ``/data/`` (their response over
100 KB, their request not saying one time to live): priced at the 5-minute rate, which the chargeback's and
--developer-costs' accuracy say as the report's cost note does, counting the calls of their month (and of the
developer table). Records as in ``tests/report/test_offloaded_cache_writes.py``; expected counts from its ``CALLS``
flags, in plain Python."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

import bedrock_tracker_cli
from tests.logfiles import ACCOUNT, cli_json
from tests.qdev.test_kiro_edges import ana, write_report
from tests.report.test_offloaded_cache_writes import CALLS, ROLE, records_of, write_logs

DEV = f"arn:aws:sts::{ACCOUNT}:assumed-role/AWSReservedSSO_Developers_0123456789abcdef/dev@example.com"
# (day, caller): each batch is every call of CALLS; the first before November, a developer's (IAM Identity Center)
BATCHES = [("2026-10-30", DEV), ("2026-11-05", ROLE), ("2026-11-05", DEV)]
UNKNOWN = sum(call[5] for call in CALLS)  # calls of a batch whose split is unknown


def note(calls: int) -> str:
    return f"{calls} calls' cache writes priced at the 5-minute rate; the split is in /data/ objects"


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every batch's records and payload objects."""
    root = tmp_path_factory.mktemp("governance-offloaded-cache")
    for batch, (day, arn) in enumerate(BATCHES):
        write_logs(root, *records_of(day, arn, batch), batch)
    return root


def test_the_chargeback_and_developer_costs_say_the_calls_priced_at_the_5_minute_rate_in_their_accuracy(
        logs: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    in_month = UNKNOWN * sum(day.startswith("2026-11") for day, _ in BATCHES)
    doc = cli_json(capsys, logs, "--chargeback", "2026-11")
    report = cli_json(capsys, logs, "--start-date", "2026-11-01", "--end-date", "2026-11-30")
    assert report["summary"]["cache_split_unknown_calls"] == in_month
    assert doc["accuracy"]["cost"] == report["accuracy"]["cost"] and doc["accuracy"]["cost"].endswith(
        f"; {note(in_month)}")
    assert cli_json(capsys, logs, "--chargeback", "2026-10")["accuracy"]["cost"].endswith(f"; {note(UNKNOWN)}")
    assert bedrock_tracker_cli.main(["--engine", "local", "--logs-dir", str(logs), "--quiet",
                                     "--chargeback", "2026-11"]) == 0
    assert f"cover priced calls only; {note(in_month)}.\n" in capsys.readouterr().out

    qdev = tmp_path / "qdev"
    write_report(qdev, date(2026, 11, 5), [ana(date(2026, 11, 5), 10)])
    developers = sum(UNKNOWN for day, arn in BATCHES if day.startswith("2026-11") and arn == DEV)
    doc = cli_json(capsys, logs, "--developer-costs", "2026-11", "--qdev-logs-dir", str(qdev))
    assert doc["accuracy"]["cost"].endswith(f"; {note(developers)}")
    assert {row["developer"]: row["bedrock_calls"] for row in doc["rows"]}["dev@example.com"] == len(CALLS)
    assert bedrock_tracker_cli.main(["--engine", "local", "--logs-dir", str(logs), "--quiet", "--developer-costs",
                                     "2026-11", "--qdev-logs-dir", str(qdev)]) == 0
    assert f"Bedrock cost is estimated from list prices ({note(developers)}); seats" in capsys.readouterr().out

