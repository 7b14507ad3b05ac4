"""The CLI as a user runs it: demo data, every output format, figures against an independent aggregation."""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.logfiles import read_tree
from tests.oracle import aggregate, with_profiles_resolved

ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args: str, env: dict[str, str], cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "bedrock_tracker_cli.py"), *args], capture_output=True,
                          text=True, env=env, cwd=cwd, timeout=300)


@pytest.fixture(scope="module")
def demo_env(tmp_path_factory: pytest.TempPathFactory, shared_demo_cache: Path) -> dict[str, str]:
    """No AWS at all, and the run's shared cache folder holding the demo corpus."""
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    home = tmp_path_factory.mktemp("home")
    env.update(BEDROCK_USAGE_CACHE_DIR=str(shared_demo_cache), AWS_CONFIG_FILE=str(home / "none"),
               AWS_SHARED_CREDENTIALS_FILE=str(home / "none"), AWS_EC2_METADATA_DISABLED="true")
    return env


def test_demo_prints_every_analysis(demo_env: dict[str, str]) -> None:
    result = run_cli("--demo", env=demo_env)
    assert result.returncode == 0, result.stderr
    for title in ("Summary", "Usage by user", "Usage by application", "Usage by user x application x model",
                  "Usage by model", "Daily usage", "Hourly usage", "Usage by source region"):
        assert title in result.stdout
    assert "Model Invocation Logs, exact tokens" in result.stdout
    assert "TOTAL" in result.stdout
    # Every demo call is priced, application inference profiles included, and nothing warns about the demo.
    assert "unpriced" not in result.stdout and "Warnings" not in result.stdout
    assert "Demo mode" in result.stderr


@pytest.mark.slow
def test_demo_json_equals_independent_aggregation(demo_env: dict[str, str], tmp_path: Path) -> None:
    result = run_cli("--demo", "--days", "10", "--tz", "Asia/Seoul", "--format", "json", "--output-dir", "-",
                     env=demo_env)
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["schema"] == "bedrock-usage/report/v1"
    assert set(doc["analyses"]) == {"user", "application", "user-app", "model", "daily", "hourly", "region"}
    records = read_tree(Path(demo_env["BEDROCK_USAGE_CACHE_DIR"]) / "demo-logs")
    start = datetime.fromisoformat(doc["period"]["start"]).date()
    end = datetime.fromisoformat(doc["period"]["end"]).date()
    assert (end - start).days == 9
    expected = aggregate(with_profiles_resolved(records), start, end, "Asia/Seoul")
    summary = expected["summary"][()]
    for name in ("calls", "errors", "input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens"):
        assert doc["summary"][name] == getattr(summary, name), name
    assert doc["summary"]["estimated_cost_usd"] == pytest.approx(summary.estimated_cost, abs=1e-9)
    daily = {row["day"]: row for row in doc["analyses"]["daily"]}
    assert set(daily) == {k[0] for k in expected["daily"]}
    for (day,), totals in expected["daily"].items():
        assert daily[day]["calls"] == totals.calls
        cost = daily[day]["estimated_cost_usd"]
        assert (cost is None and math.isnan(totals.estimated_cost)) or cost == pytest.approx(
            totals.estimated_cost, abs=1e-9)
    assert doc["unpriced_models"] == []


@pytest.mark.slow
def test_json_and_csv_files(demo_env: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "report"
    result = run_cli("--demo", "--region", "us-east-1", "--format", "json", "--output-dir", str(out), env=demo_env)
    assert result.returncode == 0, result.stderr
    [path] = list(out.glob("bedrock_analysis_us-east-1_*.json"))
    assert json.loads(path.read_text())["regions"] == ["us-east-1"]
    result = run_cli("--demo", "--analysis", "model", "--format", "csv", "--output-dir", str(out), env=demo_env)
    assert result.returncode == 0, result.stderr
    names = sorted(re.sub(r"^bedrock_analysis_multi-region_\d{8}_\d{6}_", "", p.name)
                   for p in out.glob("bedrock_analysis_multi-region_*.csv"))
    assert names == ["model.csv", "summary.csv"]


@pytest.mark.slow
def test_arn_pattern_with_quote_percent_underscore(demo_env: dict[str, str]) -> None:
    records = read_tree(Path(demo_env["BEDROCK_USAGE_CACHE_DIR"]) / "demo-logs")
    for pattern in ("'", "%", "_", "DataAnalysisApp-BedrockRole"):
        result = run_cli("--demo", "--days", "30", "--arn-pattern", pattern, "--analysis", "summary", "--format",
                         "json", "--output-dir", "-", env=demo_env)
        assert result.returncode == 0, result.stderr
        doc = json.loads(result.stdout)
        start = datetime.fromisoformat(doc["period"]["start"]).date()
        end = datetime.fromisoformat(doc["period"]["end"]).date()
        expected = aggregate(records, start, end, "UTC", pattern)["summary"].get(())
        assert doc["summary"]["calls"] == (expected.calls if expected else 0), pattern


def test_without_credentials_the_default_athena_report_names_the_ways_without_aws(
    no_aws_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    import bedrock_tracker_cli

    assert bedrock_tracker_cli.main(["--days", "1", "--quiet"]) == 2
    stderr = capsys.readouterr().err
    assert stderr.startswith("setup needed: no AWS credentials") and stderr.count("\n") == 1
    assert "without AWS, try --demo, or --engine local --logs-dir DIR" in stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--start-date", "2025-11-31"], "not a day of the calendar"),
        (["--start-date", "2025/11/03"], "not a date in YYYY-MM-DD form"),
        (["--start-date", "2025-11-05", "--end-date", "2025-11-01"], "after end date"),
        (["--region", "mars-north-1"], "unknown region"),
        (["--engine", "local"], "--logs-dir"),
        (["--tz", "Nowhere/City"], "time zone"),
        (["--days", "0"], "at least 1"),
        (["--start-date", "2025-11-01", "--days", "3", "--end-date", "2025-11-10"], "give two of the three"),
        (["--logs-dir", "/definitely/not/here"], "does not exist"),
        (["--days", "abc"], "invalid int value"),
        (["--format", "xlsx"], "invalid choice"),
        (["--region", "us-east-1,mars-north-1"], "unknown region mars-north-1"),
        (["--demo", "--format", "csv", "--output-dir", "-"], "add --format json"),
        (["--demo", "--format", "csv", "--output-dir", __file__], "is a file: give --output-dir a folder"),
        (["--demo", "--engine", "athena"], "leave out --engine, or leave out --demo"),
        (["--demo", "--logs-dir", "logs", "--sync"], "leave out --logs-dir and --sync, or leave out --demo"),
    ],
)
def test_user_errors_exit_1_with_one_line(
    no_aws_env: dict[str, str], args: list[str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``main`` in this process (one interpreter less per case); the exit code and stderr are what a user sees."""
    import bedrock_tracker_cli

    monkeypatch.chdir(tmp_path)
    code = bedrock_tracker_cli.main(args)
    stderr = capsys.readouterr().err
    assert code == 1 and not list(tmp_path.iterdir())
    assert message in stderr
    assert stderr.count("\n") == 1 and "Traceback" not in stderr


def test_athena_without_credentials_exits_2(demo_env: dict[str, str]) -> None:
    result = run_cli("--engine", "athena", env=demo_env)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and result.stderr.strip()


def test_help_documents_every_option(demo_env: dict[str, str]) -> None:
    result = run_cli("--help", env=demo_env)
    for option in ("--region", "--days", "--start-date", "--end-date", "--analysis", "--arn-pattern", "--format",
                   "--max-rows", "--service", "--engine", "--logs-dir", "--output-dir", "--tz", "--prices", "--demo"):
        assert option in result.stdout


@pytest.mark.slow
def test_demo_corpus_is_reused_the_same_day(demo_env: dict[str, str]) -> None:
    marker = Path(demo_env["BEDROCK_USAGE_CACHE_DIR"]) / "demo-logs" / "demo-corpus.json"
    run_cli("--demo", "--analysis", "summary", env=demo_env)
    before = marker.stat().st_mtime_ns
    run_cli("--demo", "--analysis", "summary", env=demo_env)
    assert marker.stat().st_mtime_ns == before
    assert json.loads(marker.read_text())["end"] == datetime.now(UTC).date().isoformat()
    assert (datetime.now(UTC) - timedelta(days=1)).date().isoformat() != json.loads(marker.read_text())["end"]


@pytest.mark.slow
def test_the_demo_resolves_its_profiles_from_the_examples_file(demo_env: dict[str, str], tmp_path: Path) -> None:
    args = ("--demo", "--days", "30", "--analysis", "summary", "--format", "json", "--output-dir", "-")
    default = json.loads(run_cli(*args, env=demo_env).stdout)
    named = json.loads(run_cli(*args, "--inference-profiles", str(ROOT / "examples" / "inference-profiles.json"),
                               env=demo_env).stdout)
    empty = tmp_path / "none.json"
    empty.write_text("{}")
    result = run_cli(*args, "--inference-profiles", str(empty), env=demo_env)
    assert result.returncode == 0, result.stderr
    unresolved = json.loads(result.stdout)
    assert default["summary"] == named["summary"] and default["unpriced_models"] == []
    assert default["summary"]["unpriced_calls"] == 0 and not default["warnings"]
    assert unresolved["summary"]["unpriced_calls"] > 0
    assert all("application-inference-profile" in r["model_id"] for r in unresolved["unpriced_models"])
    assert unresolved["summary"]["calls"] == default["summary"]["calls"]
    assert default["summary"]["estimated_cost_usd"] > unresolved["summary"]["estimated_cost_usd"]


def test_a_logs_folder_without_invocation_logs_is_a_user_error(
    no_aws_env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import bedrock_tracker_cli

    service = tmp_path / "AWSLogs" / "123456789012" / "BedrockModelInvocationLogs"
    service.mkdir(parents=True)
    for folder in (tmp_path / "empty", service):  # nothing at all, or pointed below AWSLogs/
        folder.mkdir(exist_ok=True)
        code = bedrock_tracker_cli.main(["--engine", "local", "--logs-dir", str(folder)])
        assert code == 1 and "no Model Invocation Logs under" in capsys.readouterr().err
    for folder in (tmp_path, tmp_path / "AWSLogs"):
        assert bedrock_tracker_cli.main(["--engine", "local", "--logs-dir", str(folder), "--analysis", "summary"]) == 0


def test_local_engine_reads_the_sync_mirror_by_default(demo_env: dict[str, str], tmp_path: Path) -> None:
    from datetime import date

    from bedrock_usage.demo.synthetic import CorpusSpec, generate_records
    from bedrock_usage.demo.writer import write_local

    spec = CorpusSpec(records=300, start_date=date(2025, 11, 3), end_date=date(2025, 11, 4), seed=5)
    records = generate_records(spec)
    write_local(tmp_path / "cache" / "mirror", records)
    env = {**demo_env, "BEDROCK_USAGE_CACHE_DIR": str(tmp_path / "cache")}
    result = run_cli("--engine", "local", "--start-date", "2025-11-02", "--end-date", "2025-11-05", "--analysis",
                     "summary", "--format", "json", "--output-dir", "-", env=env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["summary"]["calls"] == len(records)


def test_developer_costs_in_demo_mode_use_the_amazon_q_demo(demo_env: dict[str, str]) -> None:
    from bedrock_usage.qdev.synthetic import DEMO_USERS

    month = (datetime.now(UTC) - timedelta(days=2)).strftime("%Y-%m")  # a month with a Kiro report written
    result = run_cli("--demo", "--developer-costs", month, "--format", "json", "--output-dir", "-", env=demo_env)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)["rows"]
    assert sum(1 for row in rows if row["qdev_user_ids"]) == DEMO_USERS
    assert sum(1 for row in rows if row["bedrock_calls"]) > 0
    # demo developers have e-mails on both sides: Bedrock SSO sessions meet their Q Developer seat and Kiro cost
    both = [row for row in rows if row["bedrock_calls"] and row["qdev_user_ids"]]
    assert both and all("@" in row["developer"] for row in rows)
    assert any(row["kiro_tier"] and row["bedrock_calls"] for row in rows)
