"""A period whose log objects were all skipped as unreadable is no $0 report: one line, exit 1, in every mode."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

import bedrock_tracker_cli
from bedrock_usage.engines.columnar_cache import CACHE_ENV
from bedrock_usage.engines.local import NOT_GZIP_NAME
from tests.logfiles import ACCOUNT, write_records

DAY = "2025-11-02"
PERIOD = ["--start-date", DAY, "--end-date", DAY, "--region", "us-east-1"]


def record(hour: int) -> dict:
    return {"timestamp": f"{DAY}T{hour:02d}:10:00Z", "region": "us-east-1", "requestId": f"r{hour}",
            "modelId": "anthropic.claude-3-haiku-20240307-v1:0", "identity": {"arn": f"arn:aws:iam::{ACCOUNT}:user/a"},
            "input": {"inputTokenCount": 100}, "output": {"outputTokenCount": 10}}


def unreadable_logs(root: Path) -> tuple[int, int]:
    """Four hours of logs, three gunzipped to ``.json`` (a hand-made copy) and one cut short; the counts of each."""
    paths = write_records(root, [record(hour) for hour in range(4)])
    for path in paths[:3]:
        path.with_name(path.name.removesuffix(".gz")).write_bytes(gzip.decompress(path.read_bytes()))
        path.unlink()
    paths[3].write_bytes(paths[3].read_bytes()[:20])
    plain = sum(1 for path in root.rglob("*") if path.name.endswith(".json"))
    return plain, sum(1 for _ in root.rglob("*.json.gz"))


def run(capsys: pytest.CaptureFixture[str], *options: str) -> tuple[int, str, str]:
    code = bedrock_tracker_cli.main(["--engine", "local", "--quiet", *options])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("cache", ["on", "off"])
def test_a_period_whose_objects_are_all_unreadable_is_one_line_naming_them_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, cache: str
) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache") if cache == "on" else "off")
    plain, cut = unreadable_logs(tmp_path / "logs")
    for _ in range(2):  # the second run, with the cache, reads the manifest that remembers the objects left out
        code, out, err = run(capsys, "--logs-dir", str(tmp_path / "logs"), *PERIOD)
        assert (code, out) == (1, "")
        [line] = err.splitlines()
        assert line.startswith(f"error: none of the {plain + cut} log objects of {DAY} .. {DAY} (UTC) could be read, "
                               f"so no report is made ($0 would read as no spend): {plain} {NOT_GZIP_NAME} (first: ")
        assert f"; {cut} unreadable object: " in line  # the less common reason after


def test_a_month_whose_objects_are_all_unreadable_is_no_chargeback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    unreadable_logs(tmp_path / "logs")
    code, out, err = run(capsys, "--logs-dir", str(tmp_path / "logs"), "--chargeback", DAY[:7], "--chargeback-by",
                         "application", "--format", "csv", "--output-dir", str(tmp_path / "out"))
    assert (code, out) == (1, "")
    assert err.startswith("error: none of the 4 log objects of 2025-11-01 .. 2025-11-30 (UTC) could be read")
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_a_period_with_nothing_skipped_and_no_call_stays_an_empty_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_records(tmp_path / "logs", [{**record(1), "timestamp": "2025-11-05T01:10:00Z"}])
    code, out, err = run(capsys, "--logs-dir", str(tmp_path / "logs"), *PERIOD, "--analysis", "summary")
    assert code == 0, err
    assert "Calls:              0" in out and "no calls in" in out
