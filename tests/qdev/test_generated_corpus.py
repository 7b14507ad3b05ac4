"""generate_test_data.py --qdev --simulate leaves a corpus a new user can read: a user map beside it, the files it
wrote counted, and the command that analyses all of it naming every developer by e-mail."""

from __future__ import annotations

import gzip
import json
import shlex
import subprocess
import sys
from pathlib import Path

import boto3
import pytest

from tests.qdev.test_offline import offline_env

ROOT = Path(__file__).resolve().parents[2]
DAYS = ("--start-date", "2025-10-28", "--end-date", "2025-11-04")
ANALYSE = "👉 Analyse it: "


def run(args: list[str], env: dict[str, str], cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """Run one of the project's scripts (``args[0]``) from ``cwd``."""
    return subprocess.run([sys.executable, str(ROOT / args[0]), *args[1:]], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)


def logged_user_ids(root: Path) -> set[str]:
    """Every userId of the prompt logs under ``root``, read straight from the files."""
    ids = set()
    for path in root.rglob("*.json.gz"):
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            for record in json.load(handle)["records"]:
                ids.update(event["userId"] for key, event in record.items() if key.endswith("EventRequest"))
    return ids


def analyse_as_told(stdout: str, env: dict[str, str], cwd: Path) -> dict:
    """Run the command the generator's last line gives, as JSON on standard output."""
    last = stdout.rstrip("\n").splitlines()[-1]
    assert last.startswith(ANALYSE), stdout
    words = shlex.split(last.removeprefix(ANALYSE))
    assert words[:2] == ["python", "qcli_s3_analyzer.py"]
    report = run([*words[1:], "--format", "json", "--output-dir", "-"], env, cwd)
    assert report.returncode == 0, report.stderr
    return json.loads(report.stdout)


@pytest.mark.slow
def test_the_folder_corpus_comes_with_its_user_map_and_the_command_that_reads_it(tmp_path: Path) -> None:
    env = offline_env(tmp_path)
    out = tmp_path / "q data"
    made = run(["generate_test_data.py", "--qdev", "--simulate", "--out-dir", str(out), *DAYS, "--users", "4"], env)
    assert made.returncode == 0, made.stderr

    files = {folder: sum(1 for p in (out / "AWSLogs").rglob("*") if p.is_file() and f"/{folder}/" in p.as_posix())
             for folder in ("by_user_analytic", "user_report")}
    assert files["user_report"] > 0
    assert (f"{files['by_user_analytic']} activity reports and {files['user_report']} Kiro user reports for "
            "4 developers") in made.stdout
    user_map = out / "users.csv"
    rows = user_map.read_text(encoding="utf-8").splitlines()
    assert rows[0] == "userId,email" and len(rows) == 5
    assert {row.split(",")[0] for row in rows[1:]} == logged_user_ids(out)

    doc = analyse_as_told(made.stdout, env, ROOT)
    assert doc["period"]["start"] == "2025-10-28" and doc["period"]["end"] == "2025-11-04"
    assert doc["files"]["read"] == sum(1 for p in out.rglob("*.json.gz"))
    mapped = {row.split(",")[1] for row in rows[1:]}
    assert {person["user"] for person in doc["people"]} == mapped
    assert all(person["named_by"] in ("user map", "Kiro report") for person in doc["people"])


def test_a_file_in_the_user_maps_place_is_never_overwritten(tmp_path: Path) -> None:
    env = offline_env(tmp_path)
    out = tmp_path / "q"
    out.mkdir()
    (out / "users.csv").write_text("userId,email\nmine,me@example.com\n", encoding="utf-8")
    made = run(["generate_test_data.py", "--qdev", "--simulate", "--out-dir", str(out), *DAYS], env)
    assert made.returncode == 1 and made.stderr.count("\n") == 1
    assert "users.csv already exists and is not this corpus's user map" in made.stderr
    assert [p.name for p in out.iterdir()] == ["users.csv"]
    assert (out / "users.csv").read_text(encoding="utf-8") == "userId,email\nmine,me@example.com\n"


@pytest.mark.slow
def test_the_bucket_corpus_leaves_its_user_map_here_and_the_command_reads_the_bucket(
    aws_env: dict[str, str], tmp_path: Path
) -> None:
    boto3.client("s3").create_bucket(Bucket="q-logs")
    made = run(["generate_test_data.py", "--qdev", "--simulate", "--bucket", "q-logs", "--prefix", "team-a",
                "--start-date", "2025-11-03", "--end-date", "2025-11-04", "--users", "4"], aws_env, tmp_path)
    assert made.returncode == 0, made.stderr
    reports = [key["Key"] for page in boto3.client("s3").get_paginator("list_objects_v2").paginate(Bucket="q-logs")
               for key in page.get("Contents", ()) if "/user_report/" in key["Key"]]
    assert f"and {len(reports)} Kiro user reports for 4 developers to s3://q-logs" in made.stdout
    assert (tmp_path / "users-q-logs.csv").is_file()

    doc = analyse_as_told(made.stdout, aws_env, tmp_path)
    assert doc["summary"]["users"] == 4
    assert all(person["named_by"] in ("user map", "Kiro report") for person in doc["people"])
