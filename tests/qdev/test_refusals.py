"""Runs of qcli_s3_analyzer.py that must not report: a filter that filters nothing, figures with no file read.

Each input is written here; the expected lines name what the test wrote."""

from __future__ import annotations

import gzip
import json
from datetime import date
from pathlib import Path

import pytest

import qcli_s3_analyzer
from tests.qdev.test_cost_days import SONNET_V2, USER, write_kiro_chat
from tests.qdev.test_kiro_edges import ana, write_report
from tests.qdev.test_offline import offline  # noqa: F401  (fixture)

pytestmark = pytest.mark.usefixtures("offline")

PERIOD = ["--start-date", "2026-11-01", "--end-date", "2026-11-30", "--quiet"]


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    """The exit code and standard error of one run in this process."""
    capsys.readouterr()
    code = qcli_s3_analyzer.main(list(argv))
    return code, capsys.readouterr().err


@pytest.mark.parametrize("value", ["", "  "])
def test_an_empty_user_pattern_is_refused_not_taken_as_no_filter(
        tmp_path: Path, value: str, capsys: pytest.CaptureFixture[str]) -> None:
    """``--user-pattern "$WHO"`` with the variable unset reported everyone, exit 0."""
    write_kiro_chat(tmp_path, "us-east-1", "2026-11-10T10:00:00.000000Z", SONNET_V2, "Fix the parser", "Done.")
    code, err = _run(capsys, "--logs-dir", str(tmp_path), *PERIOD, "--user-pattern", value)
    assert code == 1
    assert err.splitlines() == ["error: argument --user-pattern: empty: give the text to look for "
                                "(see qcli_s3_analyzer.py --help)"]


def _prompt_log(root: Path, day: int, content: bytes | None = None) -> Path:
    """One Kiro chat of 2026-11-``day``, or that file's place holding ``content`` instead (a damaged file)."""
    write_kiro_chat(root, "us-east-1", f"2026-11-{day:02d}T10:00:00.000000Z", SONNET_V2, "Fix the parser", "Done.")
    [path] = (root / "AWSLogs").rglob(f"2026/11/{day:02d}/10/*.json.gz")
    if content is not None:
        path.write_bytes(content)
    return path


def _user_report(root: Path, day: int, text: bytes) -> None:
    """The Kiro user report of 2026-11-``day`` (in the next day's folder) holding ``text``."""
    write_report(root, date(2026, 11, day), []).write_bytes(text)


GOOD_REPORT = b"Date,UserId,Subscription_Tier,Credits_Used\n2026-11-05,u-1,PRO,10\n"
NOT_UTF8 = b"Date,UserId,Subscription_Tier,Credits_Used\n2026-11-05,u-\xff,PRO,10\n"


def test_no_report_when_every_prompt_log_file_is_unreadable(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Two damaged files used to give 0 users and a $0.0000 subscription, exit 0."""
    _prompt_log(tmp_path, 3, b"")
    _prompt_log(tmp_path, 4, gzip.compress(b'{"records": []}')[:20])
    code, err = _run(capsys, "--logs-dir", str(tmp_path), *PERIOD)
    assert code == 1 and len(err.splitlines()) == 1, err
    assert err.startswith("error: none of the 2 prompt-log files (")
    assert "listed for 2026-11-01 .. 2026-11-30 (UTC) could be read, so no report is made" in err
    assert "Kiro" not in err.split("could be read")[0]


def test_no_report_when_every_kiro_user_report_is_unreadable(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    """The prompt logs are read, but the Kiro cost of unreadable reports used to read $0.0000, exit 0."""
    _prompt_log(tmp_path, 3)
    for day in (5, 6):
        _user_report(tmp_path, day, NOT_UTF8)
    code, err = _run(capsys, "--logs-dir", str(tmp_path), *PERIOD)
    assert code == 1 and len(err.splitlines()) == 1, err
    assert err.startswith("error: none of the 2 Kiro user reports (2 not UTF-8 text) listed for 2026-11-01 .. "
                          "2026-11-30 (UTC) could be read, so no report is made")


def test_one_readable_file_of_each_kind_keeps_the_report_and_the_warnings(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _prompt_log(tmp_path, 3)
    _prompt_log(tmp_path, 4, b"")
    _user_report(tmp_path, 5, GOOD_REPORT)
    _user_report(tmp_path, 6, NOT_UTF8)
    capsys.readouterr()
    assert qcli_s3_analyzer.main(["--logs-dir", str(tmp_path), *PERIOD, "--format", "json", "--output-dir", "-"]) == 0
    out = capsys.readouterr().out
    document = json.loads(out)
    assert document["files"]["read"] == 1 and document["summary"]["requests"] == 1
    assert document["kiro"]["files"]["read"] == 1 and document["kiro"]["per_user"][0]["credits_in_plan"] == 10
    assert any(line.startswith("skipped 1 unreadable prompt-log file (1 ") for line in document["warnings"])
    assert "skipped 1 unreadable Kiro user report (1 not UTF-8 text)" in document["warnings"]


def _warnings(capsys: pytest.CaptureFixture[str], root: Path) -> list[str]:
    """The warnings of the JSON report of November 2026 (every Kiro report in by then)."""
    capsys.readouterr()
    assert qcli_s3_analyzer.main(["--logs-dir", str(root), *PERIOD, "--format", "json", "--output-dir", "-"]) == 0
    return json.loads(capsys.readouterr().out)["warnings"]


def test_a_kiro_user_without_a_row_in_the_user_reports_is_named_as_such(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The reports are on and hold Ana's row; the person of the Kiro prompt log has none, so no Kiro cost."""
    _prompt_log(tmp_path, 3)
    write_report(tmp_path, date(2026, 11, 5), [ana(date(2026, 11, 5), 10)])
    assert (f"the Kiro user reports have no row in 2026-11-01 .. 2026-11-30 (UTC) for 1 person seen using Kiro in the "
            f"prompt logs or activity reports ({USER}): their Kiro seats and overage are not in the Kiro cost"
            ) in _warnings(capsys, tmp_path)


def test_no_such_line_when_the_user_has_a_row_or_the_reports_are_off(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _prompt_log(tmp_path, 3)
    assert not any("Kiro user reports have no row" in line for line in _warnings(capsys, tmp_path))
    write_report(tmp_path, date(2026, 11, 5), [ana(date(2026, 11, 5), 10, UserId=USER, User_Email="")])
    assert not any("Kiro user reports have no row" in line for line in _warnings(capsys, tmp_path))
