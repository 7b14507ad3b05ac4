"""Runs of qcli_s3_analyzer.py that must not report: a filter that filters nothing, figures with no file read.

Each input is written here; the expected lines name what the test wrote."""

from __future__ import annotations

from pathlib import Path

import pytest

import qcli_s3_analyzer
from tests.qdev.test_cost_days import SONNET_V2, write_kiro_chat
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
