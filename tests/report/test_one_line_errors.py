"""Where a user's setup or input is at fault, the CLIs say so in one line and exit 1: never a traceback, never a file
written over another run's."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

import bedrock_tracker_cli
from bedrock_usage.errors import UsageError
from bedrock_usage.pricing import PriceBook
from bedrock_usage.report.render import write_csv, write_json
from bedrock_usage.report.tracker import BedrockAthenaTracker
from tests.logfiles import ACCOUNT, write_records

ROOT = Path(__file__).resolve().parents[2]
HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("logs")
    write_records(root, [
        {"timestamp": f"2025-11-02T10:{m:02d}:00Z", "identity": {"arn": f"arn:aws:iam::{ACCOUNT}:user/ann"},
         "region": "us-east-1", "requestId": f"r{m}", "modelId": HAIKU, "input": {"inputTokenCount": 100},
         "output": {"outputTokenCount": 10}} for m in range(5)
    ])
    return root


def cli(*args: str, script: str = "bedrock_tracker_cli.py", stdout=subprocess.PIPE, cwd: Path = ROOT,
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / script), *args], stdout=stdout, stderr=subprocess.PIPE,
                          text=True, cwd=cwd, env=env, timeout=180)


def local(logs: Path, *args: str) -> list[str]:
    return ["--engine", "local", "--logs-dir", str(logs), "--start-date", "2025-11-02", "--end-date", "2025-11-02",
            "--region", "us-east-1", *args]


def assert_one_line(proc: subprocess.CompletedProcess[str], message: str, code: int = 1) -> None:
    assert proc.returncode == code, proc.stderr
    assert "Traceback" not in proc.stderr and proc.stderr.count("\n") == 1, proc.stderr
    assert message in proc.stderr


def main(capsys: pytest.CaptureFixture[str], *args: str) -> subprocess.CompletedProcess[str]:
    """The CLI's ``main`` run in this process (cheaper than a new interpreter), as a finished process."""
    capsys.readouterr()
    code = bedrock_tracker_cli.main(list(args))
    out, err = capsys.readouterr()
    return subprocess.CompletedProcess(["bedrock_tracker_cli.py", *args], code, out, err)


def test_an_output_dir_that_is_a_file_is_one_line(logs: Path, tmp_path: Path) -> None:
    a_file = tmp_path / "report.txt"
    a_file.write_text("keep me")
    assert_one_line(cli(*local(logs, "--format", "csv", "--output-dir", str(a_file))), str(a_file))
    assert a_file.read_text() == "keep me"


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_an_output_dir_that_is_a_file_or_refuses_files(logs: Path, tmp_path: Path, fmt: str,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    a_file = tmp_path / "report.txt"
    a_file.write_text("keep me")
    assert_one_line(main(capsys, *local(logs, "--format", fmt, "--output-dir", str(a_file))), str(a_file))
    assert a_file.read_text() == "keep me"
    # /sys refuses new files and folders to every user, root included.
    assert_one_line(main(capsys, *local(logs, "--format", fmt, "--output-dir", "/sys")),
                    "cannot write in the output folder")
    assert_one_line(main(capsys, *local(logs, "--format", fmt, "--output-dir", "/sys/bedrock-usage-report")),
                    "cannot use the output folder")


@pytest.mark.slow
@pytest.mark.parametrize("script", ["bedrock_tracker_cli.py", "pricing.py"])
def test_a_full_standard_output_is_one_line(logs: Path, script: str) -> None:
    args = local(logs) if script == "bedrock_tracker_cli.py" else []
    with open("/dev/full", "w") as full:
        proc = cli(*args, script=script, stdout=full)
    assert_one_line(proc, "cannot write to standard output")


def test_a_full_standard_output_of_the_amazon_q_report_is_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "AWSLogs" / ACCOUNT / "QDeveloperLogs" / "GenerateAssistantResponse" / "us-east-1" / "2025"
    folder = folder / "01" / "06" / "10"
    folder.mkdir(parents=True)
    request = {"prompt": "hello", "userId": "d-1.alice", "timeStamp": "2025-01-06T10:00:00.000000Z"}
    document = {"records": [{"generateAssistantResponseEventRequest": request}]}
    (folder / "a.json.gz").write_bytes(gzip.compress(json.dumps(document).encode()))
    env = {**os.environ, "BEDROCK_USAGE_CACHE_DIR": str(tmp_path)}
    with open("/dev/full", "w") as full:
        proc = cli("--logs-dir", str(tmp_path), "--start-date", "2025-01-06", "--end-date", "2025-01-06",
                   script="qcli_s3_analyzer.py", stdout=full, env=env)
    assert_one_line(proc, "cannot write to standard output")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--days", "100000000000000000000"], "at most 731"),
        (["--start-date", "9999-12-30"], "is after today"),
        (["--start-date", "9999-12-30", "--end-date", "9999-12-31"], "ends of the calendar"),
        (["--start-date", "9999-12-29", "--days", "5"], "leave the calendar"),
        (["--end-date", "0001-01-02"], "leave the calendar"),
        (["--chargeback", "9999-12"], "ends of the calendar"),
        (["--anomalies", "--anomaly-window", "1000000000", "--days", "2"], "ends of the calendar"),
        (["--check-budgets", str(ROOT / "examples" / "budgets.toml"), "--end-date", "9999-12-20"],
         "ends of the calendar"),
    ],
)
def test_dates_at_the_ends_of_the_calendar(logs: Path, args: list[str], message: str,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    assert_one_line(main(capsys, "--engine", "local", "--logs-dir", str(logs), *args), message)


def test_huge_days_in_a_new_process(logs: Path) -> None:
    assert_one_line(cli("--engine", "local", "--logs-dir", str(logs), "--days", "100000000000000000000"),
                    "at most 731")


def test_files_that_are_not_utf8(logs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name, text in (("prices.json", b'{"prices": [{"model": "caf\xe9", "input": 0.1}]}'),
                       ("prices.csv", b"model,input\ncaf\xe9,0.1\n"), ("prices.toml", b'[[prices]]\nmodel = "\xe9"\n')):
        (tmp_path / name).write_bytes(text)
        assert_one_line(main(capsys, *local(logs, "--prices", str(tmp_path / name))), "is not UTF-8 text")
    (tmp_path / "budgets.toml").write_bytes(b'[[budgets]]\nname = "caf\xe9"\n')
    budgets = ["--engine", "local", "--logs-dir", str(logs), "--end-date", "2025-11-02", "--region", "us-east-1",
               "--check-budgets", str(tmp_path / "budgets.toml")]  # as of --end-date: no --start-date
    assert_one_line(cli(*budgets), "is not UTF-8 text")


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"model": HAIKU}, "has no price"),
        ({"model": HAIKU, "input": "", "output": None}, "has no price"),
        ({"model": HAIKU, "input": "NaN", "output": 0.001}, "is not a number"),
        ({"model": HAIKU, "input": 0.00025, "output": "nan"}, "is not a number"),
    ],
)
def test_a_price_row_without_prices_never_replaces_a_price(tmp_path: Path, row: dict, message: str) -> None:
    path = tmp_path / "prices.json"
    path.write_text(json.dumps({"prices": [row]}))
    with pytest.raises(UsageError, match=message):
        PriceBook.load(path)
    toml = tmp_path / "prices.toml"
    toml.write_text(f'[[prices]]\nmodel = "{HAIKU}"\ninput = nan\noutput = 0.001\n')
    with pytest.raises(UsageError, match="is not a number"):
        PriceBook.load(toml)


def test_a_price_row_with_nan_is_a_one_line_error(logs: Path, tmp_path: Path) -> None:
    path = tmp_path / "prices.json"
    path.write_text(json.dumps({"prices": [{"model": HAIKU, "input": "NaN", "output": 0.001}]}))
    assert_one_line(cli(*local(logs, "--prices", str(path))), "input 'NaN' is not a number")


def test_runs_in_the_same_second_keep_each_others_files(logs: Path, tmp_path: Path) -> None:
    from bedrock_usage.engines.local import LocalEngine
    from bedrock_usage.logs.period import resolve_period

    result = BedrockAthenaTracker(LocalEngine(logs, cache=False)).analyze(
        resolve_period(start="2025-11-02", end="2025-11-02"), ["us-east-1"])
    now = datetime(2025, 11, 2, 10, 0, 0).astimezone()  # every run in the same second, in local time
    stem = "bedrock_analysis_us-east-1_20251102_100000"  # the region, then the time of the run to the second

    first = write_json(result, ["user"], tmp_path, now)
    written = first.read_bytes()
    second = write_json(result, ["user"], tmp_path, now)
    assert (first.name, second.name) == (f"{stem}.json", f"{stem}_2.json")
    assert first.read_bytes() == written and json.loads(second.read_bytes()) == json.loads(written)
    assert json.loads(written)["generated_at"] == now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    csv_first = write_csv(result, ["user"], tmp_path, now)
    kept = {path: path.read_bytes() for path in csv_first}
    csv_second = write_csv(result, ["user"], tmp_path, now)
    assert [path.name for path in csv_first] == [f"{stem}_summary.csv", f"{stem}_user.csv"]
    assert [path.name for path in csv_second] == [f"{stem}_2_summary.csv", f"{stem}_2_user.csv"]
    assert {path: path.read_bytes() for path in csv_first} == kept
    assert [path.read_bytes() for path in csv_second] == list(kept.values())
    assert len(list(tmp_path.iterdir())) == 2 + 2 * 2


@pytest.mark.parametrize("value", ["", "  "])
def test_an_empty_model_is_refused_not_taken_as_a_filter_nothing_matches(
        logs: Path, value: str, capsys: pytest.CaptureFixture[str]) -> None:
    """``--model "$MODEL"`` with the variable unset matched no call and reported zeros, exit 0."""
    assert_one_line(main(capsys, *local(logs, "--model", value)), "argument --model: empty: give a name", code=1)


@pytest.mark.parametrize("option", ["--arn-pattern", "--user-pattern"])
@pytest.mark.parametrize("value", ["", "  "])
def test_an_empty_pattern_is_refused_not_taken_as_no_filter(
        logs: Path, option: str, value: str, capsys: pytest.CaptureFixture[str]) -> None:
    """``--user-pattern "$WHO"`` with the variable unset reported every caller, exit 0."""
    proc = main(capsys, *local(logs, option, value))
    assert_one_line(proc, f"argument {option}: empty: give the text to look for", code=1)
    assert proc.stdout == ""


@pytest.mark.parametrize("tags", [["application_name", "cost_center"], ["cost_center", "application_name"]])
def test_a_tag_table_that_would_be_ignored_is_refused(logs: Path, capsys: pytest.CaptureFixture[str],
                                                      tags: list[str]) -> None:
    proc = main(capsys, *local(logs, *(option for key in tags for option in ("--tag", key))))
    assert_one_line(proc, "--tag application_name: application_name is always read and names the application")
    assert proc.stdout == ""


# Runs a script as Python would, with Ctrl-C arriving while it imports one module (as a SIGINT in its first second
# does): the finder raises KeyboardInterrupt in place of the import.
_INTERRUPTED_IMPORT = """
import runpy, sys

script, module = sys.argv[1:3]

class CtrlC:
    def find_spec(self, name, path=None, target=None):
        if name == module:
            raise KeyboardInterrupt

sys.meta_path.insert(0, CtrlC())
sys.argv = [script, *sys.argv[3:]]
runpy.run_path(script, run_name="__main__")
"""


@pytest.mark.slow
@pytest.mark.parametrize(("script", "module", "args"), [
    ("bedrock_tracker_cli.py", "bedrock_usage.report.render", ["--demo"]),
    ("bedrock_tracker_cli.py", "bedrock_usage.qdev.render", ["--service", "qcli", "--demo"]),
    ("qcli_s3_analyzer.py", "bedrock_usage.qdev.render", ["--demo"]),
    ("setup_athena_bucket.py", "bedrock_usage.aws.athena_setup", []),
    ("setup_bedrock_logging.py", "bedrock_usage.aws.logging_setup", []),
    ("check_bedrock_logging.py", "bedrock_usage.aws.logging_status", []),
    ("verify_bedrock_permissions.py", "bedrock_usage.aws.permissions", []),
    ("generate_test_data.py", "botocore.config", []),
    ("pricing.py", "bedrock_usage.pricing.refresh", []),
])
def test_ctrl_c_while_the_modules_load_is_one_line_and_exit_130(script: str, module: str, args: list[str]) -> None:
    done = subprocess.run([sys.executable, "-c", _INTERRUPTED_IMPORT, str(ROOT / script), module, *args],
                          capture_output=True, text=True, cwd=ROOT, timeout=120, check=False)
    assert (done.returncode, done.stderr, done.stdout) == (130, "interrupted\n", "")
