"""The Amazon Q pieces reached through the shared entry points: the generator's --qdev and --service qcli."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def offline_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(BEDROCK_USAGE_CACHE_DIR=str(tmp_path / "cache"), TIKTOKEN_CACHE_DIR=str(tmp_path / "no-tiktoken"),
               AWS_CONFIG_FILE=str(tmp_path / "none"), AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"))
    return env


@pytest.mark.slow
def test_generated_qdev_corpus_is_read_whole_by_the_bedrock_cli(tmp_path: Path) -> None:
    env = offline_env(tmp_path)
    out = tmp_path / "qdev"
    made = run("generate_test_data.py", "--qdev", "--simulate", "--out-dir", str(out), "--start-date", "2025-10-28",
               "--end-date", "2025-11-04", "--users", "4", env=env)
    assert made.returncode == 0, made.stderr
    records = tool_turns = 0
    for path in out.rglob("*.json.gz"):
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            for record in json.load(handle)["records"]:
                chat = record.get("generateAssistantResponseEventRequest")
                turn = "/KiroLogs/" in path.as_posix() and chat is not None and not chat["prompt"]
                tool_turns += turn  # a Kiro agent turn after a tool ran: not a user request
                records += not turn
    assert records > 0 and tool_turns > 0
    report = run("bedrock_tracker_cli.py", "--service", "qcli", "--logs-dir", str(out), "--start-date", "2025-10-28",
                 "--end-date", "2025-11-04", "--format", "json", "--output-dir", "-", env=env)
    assert report.returncode == 0, report.stderr
    doc = json.loads(report.stdout)
    assert doc["summary"]["requests"] == records and doc["summary"]["tool_results"] == tool_turns
    assert doc["summary"]["users"] <= 4
    # a second corpus into the same folder would be counted with the first: refused, the first left whole
    files = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
    again = run("generate_test_data.py", "--qdev", "--simulate", "--out-dir", str(out), "--start-date", "2025-10-28",
                "--end-date", "2025-11-04", "--users", "4", "--seed", "9", env=env)
    assert again.returncode == 1 and "already holds" in again.stderr and again.stderr.count("\n") == 1
    assert sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file()) == files


@pytest.mark.slow
def test_service_qcli_demo(tmp_path: Path) -> None:
    result = run("bedrock_tracker_cli.py", "--service", "qcli", "--demo", env=offline_env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "cl100k_base" in result.stdout and "Virtual cost" in result.stdout


def test_qdev_needs_simulate(tmp_path: Path) -> None:
    result = run("generate_test_data.py", "--qdev", env=offline_env(tmp_path))
    assert result.returncode == 1 and "--simulate" in result.stderr
