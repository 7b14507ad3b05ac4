"""The scripts under a pseudo-terminal: progress bars on stderr, none without a terminal or with --quiet, and
standard output byte for byte the same either way."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from bedrock_usage.demo.synthetic import CorpusSpec, generate_records
from bedrock_usage.demo.writer import write_local
from bedrock_usage.qdev.synthetic import write_qdev_corpus
from tests.terminal_run import run

FIRST, LAST = date(2025, 11, 3), date(2025, 11, 6)
DAYS = ["--start-date", FIRST.isoformat(), "--end-date", LAST.isoformat()]
BAR_MARKS = ("\r", "%|", "reading", "writing", "listing")
CLOCK = re.compile(rb'"generated_at": "[^"]*"')  # when the report was made: the one field two runs differ in


def same_text(*outputs: bytes) -> bool:
    """Whether the outputs are byte for byte the same, the time a JSON report was made aside."""
    return len({CLOCK.sub(b'"generated_at": ""', output) for output in outputs}) == 1


def assert_no_bars(stderr: str) -> None:
    """No bar drawn; warning lines may be there (a pseudo-terminal ends each line with CR LF)."""
    lines = stderr.replace("\r\n", "\n")
    assert not any(mark in lines for mark in BAR_MARKS), stderr


@pytest.fixture(scope="module")
def bedrock_logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("bedrock-logs")
    write_local(root, generate_records(CorpusSpec(records=1500, start_date=FIRST, end_date=LAST, seed=1919)))
    return root


@pytest.fixture(scope="module")
def qdev_logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("qdev-logs")
    write_qdev_corpus(root, start=FIRST, end=LAST, seed=19, users=4)
    return root


@pytest.mark.slow
@pytest.mark.parametrize("output", [[], ["--format", "json", "--output-dir", "-"]], ids=["terminal", "json"])
def test_the_report_cli_shows_progress_only_on_a_terminal(
    bedrock_logs: Path, no_aws_env: dict[str, str], output: list[str]
) -> None:
    args = ["--engine", "local", "--logs-dir", str(bedrock_logs), *DAYS, *output]
    on_terminal, bars = run("bedrock_tracker_cli.py", *args, terminal=True)
    piped, plain = run("bedrock_tracker_cli.py", *args, terminal=False)
    quiet, hushed = run("bedrock_tracker_cli.py", *args, "--quiet", terminal=True)

    assert same_text(on_terminal, piped, quiet)
    assert "listing logs: 100%" in bars and "reading logs: 100%" in bars and "pricing: 100%" in bars
    assert "1,500 records parsed" in bars  # every record of the corpus
    assert_no_bars(plain)
    assert_no_bars(hushed)
    if output:
        assert json.loads(piped)["summary"]["calls"] > 0
    else:
        assert b"\x1b" not in piped and b"\r" not in piped


@pytest.mark.slow
@pytest.mark.parametrize("output", [[], ["--format", "json", "--output-dir", "-"]], ids=["terminal", "json"])
def test_the_amazon_q_analyzer_shows_progress_only_on_a_terminal(
    qdev_logs: Path, no_aws_env: dict[str, str], output: list[str]
) -> None:
    files = sum(1 for path in qdev_logs.rglob("*") if path.is_file())
    args = ["--logs-dir", str(qdev_logs), *DAYS, *output]
    on_terminal, bars = run("qcli_s3_analyzer.py", *args, terminal=True)
    piped, plain = run("qcli_s3_analyzer.py", *args, terminal=False)
    quiet, hushed = run("qcli_s3_analyzer.py", *args, "--quiet", terminal=True)

    assert same_text(on_terminal, piped, quiet)
    assert "listing Amazon Q logs: 100%" in bars
    assert "reading Amazon Q logs: 100%|" in bars and f" {files}/{files} [" in bars and "files/s" in bars
    assert_no_bars(plain)
    assert_no_bars(hushed)
    if output:
        json.loads(piped)


@pytest.mark.slow
def test_the_test_data_writer_shows_progress_only_on_a_terminal(tmp_path: Path, no_aws_env: dict[str, str]) -> None:
    args = ["--simulate", "--out-dir", "corpus", "--records", "800", "--regions", "us-east-1", "eu-west-1", *DAYS]
    runs = {}
    for name, terminal, extra in (("terminal", True, []), ("pipe", False, []), ("quiet", True, ["--quiet"])):
        for fmt in ("table", "json"):
            cwd = tmp_path / f"{name}-{fmt}"
            cwd.mkdir()
            runs[name, fmt] = run("generate_test_data.py", *args, "--format", fmt, *extra, terminal=terminal, cwd=cwd)

    assert runs["terminal", "table"][0] == runs["pipe", "table"][0] == runs["quiet", "table"][0]
    documents = [json.loads(runs[name, "json"][0]) for name in ("terminal", "pipe", "quiet")]
    for document in documents:
        document["spec"].pop("not_after")  # the clock at the run: no report is dated after it
    assert documents[0] == documents[1] == documents[2]
    bars = runs["terminal", "table"][1]
    assert "writing corpus/: 100%|" in bars and " 800/800 [" in bars and "records/s" in bars
    for name in ("pipe", "quiet"):
        assert_no_bars(runs[name, "table"][1])
        assert_no_bars(runs[name, "json"][1])


@pytest.mark.slow
def test_the_amazon_q_test_data_writer_shows_progress_only_on_a_terminal(
    tmp_path: Path, no_aws_env: dict[str, str]
) -> None:
    args = ["--simulate", "--qdev", "--out-dir", "qdev", "--users", "3", *DAYS]
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    on_terminal, bars = run("generate_test_data.py", *args, terminal=True, cwd=tmp_path / "a")
    piped, plain = run("generate_test_data.py", *args, terminal=False, cwd=tmp_path / "b")
    files = sum(1 for path in (tmp_path / "a" / "qdev" / "AWSLogs").rglob("*") if path.is_file())  # not users.csv
    assert on_terminal == piped
    assert "writing qdev/: 100%|" in bars and f"{files}/{files} files" in bars
    assert_no_bars(plain)
