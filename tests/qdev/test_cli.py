"""qcli_s3_analyzer.py as a user runs it: --demo in every format, no prompt text in any output, clear errors."""

from __future__ import annotations

import csv
import gzip
import json
import math
import re
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

import qcli_s3_analyzer
from bedrock_usage.qdev.synthetic import write_qdev_corpus
from tests.qdev.test_analysis import REQUESTS, kiro_emails, write_corpus
from tests.qdev.test_cost_days import write_kiro_chat
from tests.qdev.test_offline import offline, offline_env  # noqa: F401  (offline is a fixture)

pytestmark = pytest.mark.usefixtures("offline")

ROOT = Path(__file__).resolve().parents[2]


FORMATS = ("terminal", "json", "csv")


class DemoRuns:
    """``qcli_s3_analyzer.py --demo`` in each format, run once when a test first asks for it, all against one cache
    folder: the first run made generates the demo corpus, the others reuse it."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.env = offline_env(base)
        self.env["BEDROCK_USAGE_CACHE_DIR"] = str(base / "cache")
        self.runs: dict[str, subprocess.CompletedProcess[str]] = {}  # in the order they were made
        self.days: set[date] = set()  # the UTC days the runs were made on

    def __call__(self, fmt: str) -> subprocess.CompletedProcess[str]:
        """The run in ``fmt``: the terminal's in Asia/Seoul, the files' written to ``base / fmt``."""
        if fmt not in self.runs:
            self.days.add(datetime.now(UTC).date())
            self.runs[fmt] = subprocess.run(
                [sys.executable, "qcli_s3_analyzer.py", "--demo", "--format", fmt]
                + (["--tz", "Asia/Seoul"] if fmt == "terminal" else ["--output-dir", str(self.base / fmt)]),
                cwd=ROOT,
                env=self.env,
                capture_output=True,
                text=True,
                timeout=300,
            )
            self.days.add(datetime.now(UTC).date())
        return self.runs[fmt]

    def folder(self, fmt: str) -> Path:
        """The folder the run in ``fmt`` (``json`` or ``csv``) wrote its files to."""
        self(fmt)
        return self.base / fmt


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoRuns:
    """The module's --demo runs: a quick test runs only the formats it reads."""
    return DemoRuns(tmp_path_factory.mktemp("demo"))


def _texts(corpus: Path) -> set[str]:
    """Every prompt, response, context, completion and file name in the corpus, read with gzip + json."""
    found: set[str] = set()

    def walk(value: object, key: str = "") -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, list):
            for v in value:
                walk(v, key)
        elif isinstance(value, str) and key in {
            "prompt",
            "assistantResponse",
            "leftContext",
            "rightContext",
            "completions",
            "fileName",
        }:
            found.add(value)

    for path in corpus.rglob("*.json.gz"):
        walk(json.loads(gzip.decompress(path.read_bytes())))
    return {text for text in found if text.strip()}


@pytest.mark.slow
def test_demo_runs_in_every_format(demo: DemoRuns) -> None:
    runs = {fmt: demo(fmt) for fmt in FORMATS}
    for fmt, result in runs.items():
        assert result.returncode == 0, f"{fmt}: {result.stderr}"
        assert "DEMO DATA" in result.stderr or "DEMO DATA" in result.stdout
    # said once where it is read: in the terminal's report, on stderr beside the files
    assert (runs["terminal"].stdout.count("DEMO DATA"), runs["terminal"].stderr.count("DEMO DATA")) == (1, 0)
    assert runs["json"].stderr.count("DEMO DATA") == runs["csv"].stderr.count("DEMO DATA") == 1
    # made by the first run (of whichever format a test asked for first), reused from the cache by the others
    assert ["generating the demo corpus" in run.stderr for run in demo.runs.values()] == [True, False, False]
    terminal = runs["terminal"].stdout
    for heading in (
        "Requests and tokens",
        "Context window",
        "Virtual cost",
        "Per user",
        "Hourly (UTC and Asia/Seoul)",
        "Activity reports",
        "Official limits",
        "Spike days",
        "ESTIMATE",
    ):
        assert heading in terminal
    assert "counted with cl100k_base (an approximation of Claude's tokenizer)" in terminal

    (json_path,) = demo.folder("json").glob("qcli_analysis_*.json")
    document = json.loads(json_path.read_text())
    assert document["demo"] is True and document["period"]["days"] == 7
    assert document["summary"]["requests"] > 0 and document["activity"]["files"]["read"] > 0
    names = sorted(p.name for p in demo.folder("csv").glob("qcli_analysis_*.csv"))
    assert any(n.endswith("_per_user.csv") for n in names) and any(n.endswith("_limits.csv") for n in names)
    with next(p for p in demo.folder("csv").glob("*_summary.csv")).open() as handle:
        summary = dict(csv.reader(handle))
    assert summary["summary.requests"] == str(document["summary"]["requests"])


@pytest.mark.slow
def test_no_prompt_or_response_text_in_any_output(demo: DemoRuns) -> None:
    outputs = [result.stdout + result.stderr for result in map(demo, FORMATS)]
    outputs += [p.read_text() for fmt in ("json", "csv") for p in demo.folder(fmt).iterdir()]
    texts = _texts(demo.base / "cache" / "demo-qdev")
    assert len(texts) > 100
    everything = "\n".join(outputs)
    for text in texts:
        snippet = text.strip()[:30]
        assert snippet not in everything, f"report output contains logged text: {snippet!r}"


# Columns that each count one user action (docs/amazon-q.md, "Spike days"), and report units per request.
EVENT_COLUMNS = (
    "Chat_MessagesSent", "Inline_SuggestionsCount", "InlineChat_TotalEventCount", "Dev_GenerationEventCount",
    "TestGeneration_EventCount", "DocGeneration_EventCount", "CodeFix_GenerationEventCount",
    "CodeReview_SucceededEventCount", "CodeReview_FailedEventCount", "Transformation_EventCount",
)
UNITS_PER_REQUEST = {"Chat_MessagesSent": 2, "Inline_SuggestionsCount": 1, "Dev_GenerationEventCount": 1}


def _report_events(corpus: Path) -> dict[date, int]:
    """Events per report date, read from the activity CSVs with the csv module (empty or missing cells are 0)."""
    events: dict[date, int] = {}
    for path in corpus.rglob("*by_user_analytic*.csv"):
        for row in csv.DictReader(path.read_text().splitlines()):
            day = datetime.strptime(row["Date"], "%m-%d-%Y").date()
            events[day] = events.get(day, 0) + sum(int(row.get(name) or 0) for name in EVENT_COLUMNS)
    return events


def test_demo_period_ends_today_and_daily_events_leave_out_days_not_reported_yet(demo: DemoRuns) -> None:
    (json_path,) = demo.folder("json").glob("qcli_analysis_*.json")
    document = json.loads(json_path.read_text())
    period = document["period"]
    end = date.fromisoformat(period["end"])
    # the last 7 days including today (UTC), as the Bedrock --demo and --days document it
    assert end in demo.days and date.fromisoformat(period["start"]) == end - timedelta(days=6)
    assert period["tz"] == "UTC"

    # a day's report arrives at 00:00 UTC the next day: days from the analysis day on cannot have one yet
    analysed = datetime.fromisoformat(document["generated_at"]).astimezone(UTC).date()
    due = [end - timedelta(days=i) for i in range(7) if end - timedelta(days=i) < analysed]
    events = _report_events(demo.base / "cache" / "demo-qdev")
    totals = [events.get(day, 0) for day in due]
    assert document["activity"]["daily_events"] == {
        "average": pytest.approx(sum(totals) / len(totals)), "max": max(totals), "min": min(totals), "days": len(due)
    }


def test_counts_are_integers_in_csv_and_json(demo: DemoRuns) -> None:
    csv_dir = demo.folder("csv")
    with next(csv_dir.glob("*_limits.csv")).open() as handle:
        limits = list(csv.DictReader(handle))
    with next(csv_dir.glob("*_activity_estimated_tokens.csv")).open() as handle:
        estimate = list(csv.DictReader(handle))
    assert limits and estimate
    for row in limits:
        assert re.fullmatch(r"\d+", row["used"]), row
        assert re.fullmatch(r"\d*", row["allowance"]) and re.fullmatch(r"\d*", row["monthly_limit"]), row
    for row in estimate:
        for name in ("report_count", "requests", "estimated_tokens"):
            assert re.fullmatch(r"\d+", row[name]), (name, row)
        # whole requests: two chat messages (to and from Amazon Q) per prompt, an unanswered one counts too
        assert int(row["requests"]) == math.ceil(int(row["report_count"]) / UNITS_PER_REQUEST[row["report_column"]])

    (json_path,) = demo.folder("json").glob("qcli_analysis_*.json")
    document = json.loads(json_path.read_text())
    for status in document["limits"]["statuses"]:
        assert type(status["used"]) is int and (status["allowance"] is None or type(status["allowance"]) is int)
    assert all(type(row["requests"]) is int for row in document["activity"]["estimated_tokens"]["rows"])
    daily = document["activity"]["daily_events"]
    assert type(daily["max"]) is int and type(daily["min"]) is int
    period = (document["period"]["start"], document["period"]["end"], document["period"]["tz"])
    month = (document["limits"]["month"] + "-01", document["period"]["end"], document["period"]["tz"])
    for path in csv_dir.glob("qcli_analysis_*.csv"):  # every table's rows carry their days, as the Bedrock CSVs do
        if not path.name.endswith("_summary.csv"):
            with path.open() as handle:
                rows = list(csv.DictReader(handle))
            to_date = path.name.endswith(("_limits.csv", "_kiro_allowance.csv"))  # month-to-date figures
            assert all((r["period_start"], r["period_end"], r["tz"]) == (month if to_date else period) for r in rows)


@pytest.mark.slow
def test_max_rows_0_shows_every_row_as_in_the_bedrock_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    logs = tmp_path / "logs"
    write_qdev_corpus(logs, start=date(2025, 11, 3), end=date(2025, 11, 7), seed=3, users=26)
    emails = kiro_emails(logs)  # Kiro users are shown by the e-mail of their user report
    users = set()
    for path in logs.rglob("*.json.gz"):
        for record in json.loads(gzip.decompress(path.read_bytes()))["records"]:
            request = next(value for name, value in record.items() if name.endswith("Request"))
            users.add(emails.get(request["userId"].split(".", 1)[1], request["userId"]))
    assert emails and set(emails.values()) <= users
    assert len(users) > 20
    argv = ["--logs-dir", str(logs), "--start-date", "2025-11-03", "--end-date", "2025-11-07"]

    def per_user_section(extra: list[str]) -> str:
        capsys.readouterr()
        assert qcli_s3_analyzer.main([*argv, *extra]) == 0
        out = capsys.readouterr().out
        return out[out.index("Per user (") : out.index("Daily (")]

    everything = per_user_section(["--max-rows", "0"])
    assert sorted(u for u in users if u in everything) == sorted(users) and "more rows" not in everything
    shown = per_user_section([])
    assert sum(u in shown for u in users) == 20
    assert f"... {len(users) - 20} more rows (use --max-rows 0 for all, or --format csv or json)" in shown


@pytest.mark.slow
def test_help_through_the_main_cli_shows_the_command_typed() -> None:
    done = subprocess.run(
        [sys.executable, "bedrock_tracker_cli.py", "--service", "qcli", "--help"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: bedrock_tracker_cli.py --service qcli [-h]"), done.stdout[:80]
    alone = subprocess.run(
        [sys.executable, "qcli_s3_analyzer.py", "--help"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert alone.stdout.startswith("usage: qcli_s3_analyzer.py [-h]"), alone.stdout[:80]


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["--start-date", "2025-11-12", "--end-date", "2025-11-01"], 1, "is after end date"),
        (["--start-date", "12/11/2025"], 1, "YYYY-MM-DD"),
        (["--tz", "Mars/Olympus"], 1, "time zone"),
        (["--days", "0"], 1, "--days"),
        (["--sample", "0"], 1, "--sample"),
        (["--max-rows", "-1"], 1, "--max-rows: must be 0 (all rows) or more"),
        (["--bucket", "b", "--logs-dir", "."], 1, "choose one of --bucket, --logs-dir"),
        (["--logs-dir", "/no/such/folder"], 1, "is not a folder"),
        (["--regions", "mars-east-1"], 1, "unknown region"),
        (["--data-source", "athena", "--logs-dir", "."], 1, "drop --logs-dir"),
        (["--data-source", "athena", "--demo"], 1, "drop --demo"),
        (["--workgroup", "nightly"], 1, "--workgroup goes with --data-source athena"),
        (["--logs-dir", "{tmp}"], 1, "no Amazon Q Developer or Kiro logs"),
        (["--demo", "--format", "terminal"], 1, "add --format csv or json, or leave --output-dir out"),
        (["--demo", "--format", "csv", "--output-dir", "-"], 1, "add --format json"),
    ],
)
def test_user_errors_are_one_line(
    argv: list[str], code: int, message: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    argv = [str(tmp_path) if arg == "{tmp}" else arg for arg in argv]
    for option, value in (("--format", "json"), ("--output-dir", str(tmp_path))):
        argv += [] if option in argv else [option, value]
    assert qcli_s3_analyzer.main(argv) == code
    err = capsys.readouterr().err
    prefix = "error: " if code == 1 else "setup needed: "  # as bedrock_tracker_cli.py says them
    assert message in err and err.startswith(prefix) and len(err.strip().splitlines()) == 1


def test_a_folder_without_amazon_q_logs_is_a_wrong_path_naming_the_layouts_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A Bedrock logs folder given by mistake: exit 1 naming what is looked for, not "turn on prompt logging"."""
    from tests.logfiles import write_records

    write_records(tmp_path, [{"timestamp": "2025-11-10T10:00:00Z", "requestId": "r", "modelId": "m"}])
    assert qcli_s3_analyzer.main(["--logs-dir", str(tmp_path), "--quiet"]) == 1
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith(f"error: no Amazon Q Developer or Kiro logs in {tmp_path}: the folders read are "
                           "[PREFIX/]AWSLogs/ACCOUNT/{QDeveloperLogs,KiroLogs}/{GenerateAssistantResponse,"
                           "GenerateCompletions,StartTaskAssistCodeGeneration,by_user_analytic,user_report}/REGION/ "
                           "under it")
    assert "turn on prompt logging" not in line


def test_without_credentials_the_setup_step_is_named(
    no_aws_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert qcli_s3_analyzer.main(["--days", "1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("setup needed: no AWS credentials") and "--profile" in err
    assert "without AWS, try --demo, or --logs-dir DIR" in err


def test_help_lists_the_user_facing_options(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        qcli_s3_analyzer.main(["--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    for option in (
        "--bucket",
        "--prefix",
        "--logs-dir",
        "--days",
        "--start-date",
        "--end-date",
        "--tz",
        "--user-pattern",
        "--format",
        "--output-dir",
        "--max-rows",
        "--data-source",
        "--workgroup",
        "--regions",
        "--sample",
        "--context-window",
        "--prices",
        "--profile",
        "--demo",
    ):
        assert option in text


@pytest.mark.slow
def test_regions_all_reads_every_region_found(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    write_qdev_corpus(logs, start=date(2025, 11, 3), end=date(2025, 11, 4), seed=5, users=3)
    records = 0
    for path in logs.rglob("*.json.gz"):  # a copy of every prompt log in a region outside the six defaults
        copy = logs / str(path.relative_to(logs)).replace("/us-east-1/", "/ap-south-2/")
        if copy != path:
            copy.parent.mkdir(parents=True, exist_ok=True)
            copy.write_bytes(path.read_bytes())
            records += len(json.loads(gzip.decompress(path.read_bytes()))["records"])
    assert records > 0

    def requests(*extra: str) -> int:
        out = tmp_path / "-".join(extra or ("none",))
        argv = ["--logs-dir", str(logs), "--start-date", "2025-11-01", "--end-date", "2025-11-10", "--format",
                "json", "--output-dir", str(out), *extra]
        assert qcli_s3_analyzer.main(argv) == 0
        (path,) = out.glob("qcli_analysis_*.json")
        return json.loads(path.read_text())["summary"]["requests"]

    everywhere = requests()
    assert requests("--regions", "all") == everywhere
    assert requests("--regions", "ap-south-2") + requests("--regions", "us-east-1", "eu-central-1") == everywhere


@pytest.mark.parametrize("form", ["json", "csv"])
def test_csv_and_json_runs_print_every_warning_on_stderr(
    tmp_path: Path, form: str, capsys: pytest.CaptureFixture[str]
) -> None:
    write_kiro_chat(tmp_path / "logs", "us-east-1", "2026-03-02T09:00:00.000000Z", "claude-sonnet-9", "Hi", "Hello.")
    out = "-" if form == "json" else str(tmp_path / "out")
    argv = ["--logs-dir", str(tmp_path / "logs"), "--start-date", "2026-03-02", "--end-date", "2026-03-02",
            "--format", form, "--output-dir", out]

    assert qcli_s3_analyzer.main(argv) == 0

    captured = capsys.readouterr()
    if form == "json":
        warnings = json.loads(captured.out)["warnings"]
    else:
        (summary,) = (tmp_path / "out").glob("*_summary.csv")
        with summary.open(newline="") as handle:
            warnings = [row["value"] for row in csv.DictReader(handle) if row["key"].startswith("warning")]
    assert any("claude-sonnet-9" in line for line in warnings)
    assert [line.removeprefix("warning: ") for line in captured.err.splitlines()
            if line.startswith("warning: ")] == warnings


def test_a_sample_s_virtual_cost_is_not_set_against_the_subscription(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The subscription is for every day of the period, a --sample run's virtual cost for the files it read: the
    difference would count the requests of the unread files as free, so no output gives one."""
    write_corpus(tmp_path / "logs", REQUESTS)
    files = len(list((tmp_path / "logs").rglob("*.json.gz")))
    argv = ["--logs-dir", str(tmp_path / "logs"), "--start-date", "2025-03-09", "--end-date", "2025-03-13"]

    def run(*extra: str) -> str:
        capsys.readouterr()
        assert qcli_s3_analyzer.main([*argv, *extra]) == 0
        return capsys.readouterr().out

    full = json.loads(run("--format", "json", "--output-dir", "-"))["virtual_cost"]
    assert full["difference"] == pytest.approx(full["subscription"] - full["subscribed_requests_cost"])
    assert full["difference"] > 0 and full["difference_left_out"] is None
    assert "subscription minus the virtual cost of their Amazon Q Developer requests" in run()

    document = json.loads(run("--sample", "3", "--format", "json", "--output-dir", "-"))
    cost = document["virtual_cost"]
    assert (document["files"]["selected"], document["files"]["listed"]) == (3, files)
    assert cost["difference"] is None and cost["subscribed_requests_cost"] < full["subscribed_requests_cost"]
    assert cost["difference_left_out"] == ("not compared under --sample: the virtual cost covers the sampled "
                                           "prompt-log files only, the subscription every day of the period")
    text = run("--sample", "3")
    assert "subscription minus" not in text
    assert (f"  virtual cost of their Amazon Q Developer requests in the sample (3 of {files} prompt-log files): "
            f"${cost['subscribed_requests_cost']:.4f}; not set against the subscription, which covers every day of "
            "the period (run without --sample to compare)") in text
    run("--sample", "3", "--format", "csv", "--output-dir", str(tmp_path / "csv"))
    (summary,) = (tmp_path / "csv").glob("*_summary.csv")
    with summary.open(newline="") as handle:
        rows = {row["key"]: row["value"] for row in csv.DictReader(handle)}
    assert rows["virtual_cost.difference"] == "" and rows["virtual_cost.difference_left_out"] == cost[
        "difference_left_out"]
    # a sample as large as the files is every file: compared as ever
    every = json.loads(run("--sample", str(files), "--format", "json", "--output-dir", "-"))["virtual_cost"]
    assert every["difference"] == pytest.approx(full["difference"]) and every["difference_left_out"] is None
