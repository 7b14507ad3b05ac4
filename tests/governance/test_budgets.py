"""--check-budgets on generated usage with known breaches: spend, forecast, exit code 3, SNS and webhook alerts."""

from __future__ import annotations

import csv
import json
import math
import re
import subprocess
import sys
import threading
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from zoneinfo import ZoneInfo

import boto3
import pandas as pd
import pytest

from bedrock_usage.demo.writer import write_local
from bedrock_usage.engines.local import LocalEngine
from bedrock_usage.engines.queries import Filters
from bedrock_usage.errors import UsageError
from bedrock_usage.governance.anomalies import ForecastBasis, analyze_anomalies, forecast_series
from bedrock_usage.governance.anomalies import scan_period as anomalies_scan_period
from bedrock_usage.governance.budgets import burndown, check_budgets, load_budgets, scan_period
from bedrock_usage.logs.period import Period
from bedrock_usage.report.tracker import BedrockAthenaTracker
from tests.logfiles import write_records
from tests.oracle import caller, published_rates

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = "123456789012"
AS_OF = date(2025, 11, 20)
SONNET_45 = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
DEV = "dev@example.com"
SSO_ROLE = "AWSReservedSSO_Developers_0123456789abcdef"

BREACHING = """
[[budgets]]
name = "Alpha"
application = "Alpha"
monthly_usd = 60
daily_usd = 10

[[budgets]]
name = "Beta cost center"
tag = "cost_center"
value = "CC-5"
monthly_usd = 100
daily_usd = 1

[[budgets]]
user = "dev@example.com"
monthly_usd = 30

[[budgets]]
name = "Everything"
all = true
monthly_usd = 1000
"""
CALM = {"budgets": [{"name": "Beta", "application": "Beta", "monthly_usd": 100}]}


def call(when: datetime, n: int, arn: str, tags: dict[str, str] | None = None) -> dict:
    rec = {"schemaType": "ModelInvocationLog", "schemaVersion": "1.0", "timestamp": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
           "accountId": ACCOUNT, "identity": {"arn": arn}, "region": "us-east-1", "requestId": f"req-{n}",
           "operation": "Converse", "modelId": SONNET_45, "input": {"inputTokenCount": 100_000 + n},
           "output": {"outputTokenCount": 20_000}}
    if tags:
        rec["requestMetadata"] = tags
    return rec


def usage() -> list[dict]:
    """Alpha: 5 calls a day, 20 on the as-of day; Beta (tag CC-5): 1 a day; a developer: 2 a day.

    October 31 late UTC is already November 1 in Seoul; the budgets must follow the time zone.
    """
    alpha = f"arn:aws:sts::{ACCOUNT}:assumed-role/Alpha-BedrockRole/worker"
    beta = f"arn:aws:sts::{ACCOUNT}:assumed-role/Beta-BedrockRole/worker"
    dev = f"arn:aws:sts::{ACCOUNT}:assumed-role/{SSO_ROLE}/{DEV}"
    records, n = [], 0
    day = date(2025, 10, 24)
    while day <= AS_OF:
        base = datetime(day.year, day.month, day.day, 3, tzinfo=UTC)
        for i in range(20 if day == AS_OF else 5):
            records.append(call(base + timedelta(minutes=7 * i), n := n + 1, alpha))
        records.append(call(base + timedelta(hours=2), n := n + 1, beta, {"cost_center": "CC-5"}))
        records += [call(base + timedelta(hours=4, minutes=i), n := n + 1, dev) for i in range(2)]
        day += timedelta(days=1)
    records.append(call(datetime(2025, 10, 31, 20, tzinfo=UTC), n + 1, alpha))
    return records


def daily_costs(records: list[dict], tz: str, covers) -> dict[date, float]:
    """Cost per local day of the records ``covers`` selects, from the oracle's price table."""
    terms: dict[date, list[float]] = defaultdict(list)
    for rec in records:
        if not covers(rec):
            continue
        when = datetime.fromisoformat(rec["timestamp"].replace("Z", "+00:00"))
        rates = published_rates(rec["modelId"], when.date(), False)
        terms[when.astimezone(ZoneInfo(tz)).date()] += [rec["input"]["inputTokenCount"] * rates[0] / 1000,
                                                        rec["output"]["outputTokenCount"] * rates[1] / 1000]
    return {day: math.fsum(values) for day, values in terms.items()}


SELECTORS = {
    "Alpha": lambda r: caller(r)[1] == "Alpha",
    "Beta cost center": lambda r: (r.get("requestMetadata") or {}).get("cost_center") == "CC-5",
    "user = dev@example.com": lambda r: caller(r)[0] == DEV,
    "Everything": lambda r: True,
}


def expected_status(records: list[dict], tz: str, name: str) -> dict[str, float]:
    costs = daily_costs(records, tz, SELECTORS[name])
    mtd = sum(v for d, v in costs.items() if AS_OF.replace(day=1) <= d <= AS_OF)
    recent = sum(costs.get(AS_OF - timedelta(days=i), 0.0) for i in range(7)) / 7
    return {"month_to_date_usd": mtd, "day_usd": costs.get(AS_OF, 0.0), "forecast_usd": mtd + recent * 10}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("budgets")
    records = usage()
    write_local(root / "logs", records)
    (root / "budgets.toml").write_text(BREACHING)
    (root / "calm.json").write_text(json.dumps(CALM))
    return {"root": root, "logs": root / "logs", "records": records}


def run_cli(env: dict[str, str], corpus: dict, budgets: str, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(ROOT / "bedrock_tracker_cli.py"), "--engine", "local", "--logs-dir",
               str(corpus["logs"]), "--region", "us-east-1", "--check-budgets", str(corpus["root"] / budgets),
               "--end-date", AS_OF.isoformat(), *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)


@pytest.mark.slow
@pytest.mark.parametrize("tz", ["UTC", "Asia/Seoul"])
def test_breaches_and_forecast_equal_plain_computation(corpus: dict, no_aws_env: dict[str, str], tz: str) -> None:
    result = run_cli(no_aws_env, corpus, "budgets.toml", "--tz", tz, "--format", "json", "--output-dir", "-")
    assert result.returncode == 3, result.stderr
    doc = json.loads(result.stdout)
    assert doc["schema"] == "bedrock-usage/budgets/v1" and doc["as_of"] == AS_OF.isoformat() and doc["tz"] == tz
    rows = {row["budget"]: row for row in doc["budgets"]}
    assert set(rows) == set(SELECTORS)
    for name in SELECTORS:
        want = expected_status(corpus["records"], tz, name)
        for field, value in want.items():
            assert rows[name][field] == pytest.approx(value, abs=1e-6), (name, field)
    alpha = expected_status(corpus["records"], tz, "Alpha")
    assert alpha["month_to_date_usd"] > 60 and alpha["day_usd"] > 10  # the known breaches
    assert doc["breached"] == ["Alpha"]
    assert rows["Alpha"]["status"] == "BREACHED" and rows["Beta cost center"]["status"] == "ok"
    developer = rows["user = dev@example.com"]  # under its amount so far, over it by the month's end
    assert developer["status"] == "ok" and developer["forecast_over"] is True
    assert doc["forecast_method"].startswith("month-to-date cost + mean daily cost of the last 7 days")


@pytest.mark.slow
def test_terminal_output_and_calm_budgets(corpus: dict, no_aws_env: dict[str, str]) -> None:
    result = run_cli(no_aws_env, corpus, "budgets.toml")
    assert result.returncode == 3
    assert "BREACHED: 1 of 4 budgets" in result.stdout
    assert "Alpha: month to date $" in result.stdout and "over the daily $10.00" in result.stdout
    # under its amount so far, over it by the month's end: its row says so, not "ok" (the files keep status ok)
    developer = next(line for line in result.stdout.splitlines() if line.startswith("user = dev@example.com"))
    assert developer.rstrip().endswith("  forecast over"), developer
    calm = run_cli(no_aws_env, corpus, "calm.json")
    assert calm.returncode == 0, calm.stdout + calm.stderr
    assert "BREACHED" not in calm.stdout


def test_burndown_reaches_month_to_date_then_forecast(corpus: dict) -> None:
    tracker = BedrockAthenaTracker(LocalEngine(corpus["logs"]), extra_tags=("cost_center",))
    facts, _, _ = tracker.facts(Period(date(2025, 10, 25), AS_OF), ("us-east-1",), Filters())
    budgets = load_budgets(corpus["root"] / "budgets.toml")
    table = burndown(facts, budgets, AS_OF, "UTC")
    alpha = table.loc[table["budget"] == "Alpha"].reset_index(drop=True)
    want = expected_status(corpus["records"], "UTC", "Alpha")
    assert list(alpha["day"]) == [(date(2025, 11, 1) + timedelta(days=i)).isoformat() for i in range(30)]
    assert alpha.loc[19, "cumulative_usd"] == pytest.approx(want["month_to_date_usd"], abs=1e-6)
    assert alpha.loc[29, "cumulative_usd"] == pytest.approx(want["forecast_usd"], abs=1e-6)
    assert set(alpha.loc[20:, "kind"]) == {"forecast"} and alpha.loc[29, "even_pace_usd"] == pytest.approx(60)
    check = check_budgets(facts, budgets, AS_OF, "UTC")
    assert [s.budget.name for s in check.breached] == ["Alpha"]


def test_a_day_in_progress_is_forecast_from_the_whole_days_before_it(corpus: dict) -> None:
    tracker = BedrockAthenaTracker(LocalEngine(corpus["logs"]), extra_tags=("cost_center",))
    facts, _, _ = tracker.facts(Period(date(2025, 10, 25), AS_OF), ("us-east-1",), Filters())
    budgets = load_budgets(corpus["root"] / "budgets.toml")
    check = check_budgets(facts, budgets, AS_OF, "UTC", now=datetime(2025, 11, 20, 9, tzinfo=UTC))
    assert check.in_progress and "whole days before the as-of day" in check.method
    costs = daily_costs(corpus["records"], "UTC", SELECTORS["Alpha"])
    whole = sum(costs.get(AS_OF - timedelta(days=i), 0.0) for i in range(1, 8)) / 7  # the 13th to the 19th
    mtd = sum(v for d, v in costs.items() if AS_OF.replace(day=1) <= d <= AS_OF)
    alpha = next(s for s in check.statuses if s.budget.name == "Alpha")
    assert costs[AS_OF] > whole  # Alpha's 20 calls so far: the day counts as what it cost, not the mean
    assert alpha.forecast_usd == pytest.approx(mtd + whole * 10, abs=1e-6)
    table = burndown(facts, budgets, AS_OF, "UTC", in_progress=True)
    rows = table.loc[table["budget"] == "Alpha"].reset_index(drop=True)
    assert rows.loc[19, "kind"] == "today" and rows.loc[29, "cumulative_usd"] == pytest.approx(alpha.forecast_usd)


def test_a_day_in_progress_early_in_the_month_reads_its_whole_window(tmp_path: Path) -> None:
    alpha = f"arn:aws:sts::{ACCOUNT}:assumed-role/Alpha-BedrockRole/worker"
    days = [date(2025, 10, 25) + timedelta(days=i) for i in range(10)]  # the 25th to 3 November, a call a day
    records = [call(datetime(d.year, d.month, d.day, 12, tzinfo=UTC), n, alpha) for n, d in enumerate(days)]
    write_local(tmp_path, records)
    as_of = days[-1]
    budgets = load_budgets_text(tmp_path, '[[budgets]]\nname = "Alpha"\napplication = "Alpha"\nmonthly_usd = 1\n')
    scan = scan_period(as_of, "UTC")
    facts, _, _ = BedrockAthenaTracker(LocalEngine(tmp_path)).facts(scan, ("us-east-1",), Filters())
    check = check_budgets(facts, budgets, as_of, "UTC", now=datetime(2025, 11, 3, 23, tzinfo=UTC))
    costs = daily_costs(records, "UTC", SELECTORS["Alpha"])
    whole = sum(costs[as_of - timedelta(days=i)] for i in range(1, 8)) / 7  # 27 October to 2 November
    mtd = sum(costs[d] for d in days if d.month == 11)
    assert check.statuses[0].forecast_usd == pytest.approx(mtd + max(0.0, whole - costs[as_of]) + whole * 27)


def load_budgets_text(folder: Path, text: str) -> list:
    (folder / "budgets.toml").write_text(text)
    return load_budgets(folder / "budgets.toml")


def test_forecast_of_a_day_in_progress_counts_it_as_at_least_the_recent_mean() -> None:
    days = [date(2025, 11, d) for d in range(1, 12)]
    series = pd.Series([10.0] * 10 + [2.0], index=days)  # the 11th is today: $2 so far
    whole_day_pace = 10.0 * 30  # every whole day cost $10: the month at that pace
    assert forecast_series(series, ForecastBasis(days[-1], 7, in_progress=True)).forecast_usd == pytest.approx(
        whole_day_pace)
    # the 11th over at $2: the mean of the last 7 days is lower
    done = forecast_series(series, ForecastBasis(days[-1], 7))
    assert done.forecast_usd == pytest.approx(102 + (6 * 10 + 2) / 7 * 19)


@pytest.mark.slow
def test_an_as_of_day_to_come_is_refused(corpus: dict, no_aws_env: dict[str, str]) -> None:
    result = run_cli(no_aws_env, corpus, "budgets.toml", "--end-date", "2999-01-31")
    assert result.returncode == 1 and "after today" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.slow
def test_sns_alert_reaches_a_subscribed_queue(corpus: dict, aws_env: dict[str, str]) -> None:
    sns, sqs = boto3.client("sns", region_name="us-east-1"), boto3.client("sqs", region_name="us-east-1")
    topic = sns.create_topic(Name="bedrock-budget-alerts")["TopicArn"]
    queue = sqs.create_queue(QueueName="alerts")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    result = run_cli(aws_env, corpus, "budgets.toml", "--notify-sns", topic)
    assert result.returncode == 3, result.stderr
    assert f"Notified SNS topic {topic}" in result.stderr
    messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", [])
    assert len(messages) == 1
    envelope = json.loads(messages[0]["Body"])
    assert envelope["Subject"] == f"Bedrock budgets: 1 breached on {AS_OF}"
    assert "- Alpha (application = Alpha):" in envelope["Message"]


class _Hook(BaseHTTPRequestHandler):
    received: list[dict] = []

    def do_POST(self) -> None:  # noqa: N802 (http.server's method name)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append({"path": self.path, "type": self.headers["Content-Type"], "json": json.loads(body)})
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[dict]]]:
    _Hook.received = []
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hooks/bedrock", _Hook.received
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.mark.slow
def test_webhook_alert_is_posted_as_json(corpus: dict, no_aws_env: dict[str, str], webhook) -> None:
    url, received = webhook
    result = run_cli(no_aws_env, corpus, "budgets.toml", "--notify-webhook", url)
    assert result.returncode == 3, result.stderr
    assert "Notified webhook" in result.stderr and "(HTTP 204)" in result.stderr
    [post] = received
    assert post["path"] == "/hooks/bedrock" and post["type"] == "application/json"
    payload = post["json"]
    assert payload["schema"] == "bedrock-usage/budget-alert/v1"
    assert [b["budget"] for b in payload["breaches"]] == ["Alpha"]
    assert payload["text"].startswith("Bedrock budgets: 1 breached") and payload["demo"] is False
    assert payload["filters"] == {"regions": ["us-east-1"]}  # run_cli reads one region: the alert says so
    assert 'Only the calls of {"regions":["us-east-1"]}: not each budget\'s whole spend.' in payload["text"]
    want = expected_status(usage(), "UTC", "Alpha")
    assert payload["breaches"][0]["month_to_date_usd"] == pytest.approx(want["month_to_date_usd"], abs=1e-6)


@pytest.mark.slow
def test_no_alert_without_a_breach(corpus: dict, no_aws_env: dict[str, str], webhook) -> None:
    url, received = webhook
    result = run_cli(no_aws_env, corpus, "calm.json", "--notify-webhook", url)
    assert result.returncode == 0 and received == []


def test_unreachable_webhook_is_reported_and_keeps_exit_3(corpus: dict, no_aws_env: dict[str, str]) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = run_cli(no_aws_env, corpus, "budgets.toml", "--notify-webhook", f"http://127.0.0.1:{port}/x")
    assert result.returncode == 3
    assert "warning: the webhook notification failed: the webhook could not be reached" in result.stderr


@pytest.mark.parametrize(("text", "message"), [
    ("[[budgets]]\napplication = 'A'\n", "give monthly_usd, daily_usd or both"),
    ("[[budgets]]\napplication = 'A'\nuser = 'b'\nmonthly_usd = 1\n", "exactly one of"),
    ("[[budgets]]\ntag = 'team'\nmonthly_usd = 1\n", "needs the tag's value"),
    ("[[budgets]]\napplication = 'A'\nmonthly_usd = -5\n", "positive number"),
    # nothing compares over nan: the budget could never breach; inf writes JSON no parser reads
    ("[[budgets]]\napplication = 'A'\nmonthly_usd = nan\n", "monthly_usd must be a positive number of USD, not nan"),
    ("[[budgets]]\napplication = 'A'\ndaily_usd = inf\n", "daily_usd must be a positive number of USD, not inf"),
    ("[[budgets]]\napp = 'A'\nmonthly_usd = 5\n", "unknown fields app"),
    # only the boolean true makes a budget of all spend: "no" is no yes, 1 no boolean
    ("[[budgets]]\nall = 'no'\nmonthly_usd = 1\n", r"budget 1: all must be true \(a budget of all Bedrock spend\), "
                                                  "not 'no'"),
    ("[[budgets]]\nall = 1\nmonthly_usd = 1\n", "all must be true .*, not 1$"),
    ("[[budgets]]\napplication = 'A'\nall = false\nmonthly_usd = 1\n", "all must be true .*, not False$"),
    ("budgets = []\n", "has no budgets"),
    # a budget written before the first [[budgets]] header is top-level keys: refused, never silently dropped
    ("name = 'Early'\napplication = 'A'\nmonthly_usd = 5\n[[budgets]]\nall = true\nmonthly_usd = 9\n",
     "unknown top-level keys application, monthly_usd, name: every budget goes in a"),
    ("[[budgets]\n", "cannot be parsed"),
])
def test_bad_budget_files_are_named(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "budgets.toml"
    path.write_text(text)
    with pytest.raises(UsageError, match=message):
        load_budgets(path)


def test_json_top_level_keys_other_than_budgets_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "budgets.json"
    path.write_text(json.dumps({"budget": [{"all": True, "monthly_usd": 1}], "budgets": [{"all": True,
                                                                                       "monthly_usd": 2}]}))
    with pytest.raises(UsageError, match=r"unknown top-level keys budget: "):
        load_budgets(path)


def test_cli_bad_budget_file_is_exit_1(corpus: dict, no_aws_env: dict[str, str], tmp_path: Path) -> None:
    (corpus["root"] / "bad.toml").write_text("[[budgets]]\nuser = 'x'\n")
    result = run_cli(no_aws_env, corpus, "bad.toml")
    assert result.returncode == 1
    assert result.stderr.startswith("error: ") and "budget 1" in result.stderr and "Traceback" not in result.stderr


def test_cli_all_other_than_true_is_exit_1(corpus: dict, no_aws_env: dict[str, str]) -> None:
    (corpus["root"] / "all-no.toml").write_text("[[budgets]]\nall = \"no\"\nmonthly_usd = 1\n")
    result = run_cli(no_aws_env, corpus, "all-no.toml")
    assert result.returncode == 1, result.stdout
    assert result.stderr.splitlines()[-1].endswith("budget 1: all must be true (a budget of all Bedrock spend), "
                                                   "not 'no'")


@pytest.mark.slow
def test_a_tag_key_no_call_carries_is_said_of_the_budget(corpus: dict, no_aws_env: dict[str, str]) -> None:
    (corpus["root"] / "teams.toml").write_text("[[budgets]]\nname = 'Team X'\ntag = 'team'\nvalue = 'x'\n"
                                               "monthly_usd = 5\n")
    result = run_cli(no_aws_env, corpus, "teams.toml", "--format", "json", "--output-dir", "-")
    assert result.returncode == 0, result.stderr
    assert not any("team" in (r.get("requestMetadata") or {}) for r in corpus["records"])
    warnings = json.loads(result.stdout)["warnings"]
    assert warnings == ["budget 'Team X' covers no calls: no call in the period carries the requestMetadata key "
                        "'team' (keys are matched as written, case included)"]
    assert "(none)" not in result.stderr


def test_example_budgets_file_loads() -> None:
    budgets = load_budgets(ROOT / "examples" / "budgets.toml")
    assert {b.scope for b in budgets} == {"application", "user", "tag", "all"}


LATE_START = [date(2025, 11, 7) + timedelta(days=i) for i in range(4)]  # logging switched on on the 7th


def late_start_usage() -> list[dict]:
    """The developer's calls from the day logging was switched on to the as-of day: 2, 3, 4 and 5 a day."""
    dev = f"arn:aws:sts::{ACCOUNT}:assumed-role/{SSO_ROLE}/{DEV}"
    return [call(datetime(d.year, d.month, d.day, 9, i, tzinfo=UTC), 100 * k + i, dev)
            for k, d in enumerate(LATE_START) for i in range(2 + k)]


@pytest.fixture(scope="module")
def late_start(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    root = tmp_path_factory.mktemp("late_start") / "logs"
    write_local(root, late_start_usage())
    scan = scan_period(LATE_START[-1], "UTC", 60)
    facts, _, _ = BedrockAthenaTracker(LocalEngine(root)).facts(scan, ("us-east-1",), Filters())
    return facts


@pytest.mark.parametrize("window", [7, 60])
def test_the_forecast_pace_never_counts_days_before_logging_began(late_start: pd.DataFrame, tmp_path: Path,
                                                                  window: int) -> None:
    """Logs from the 7th, as of the 10th: the pace is the mean of those 4 days, whatever the window; budgets and
    anomalies forecast alike, and both say the pace rests on 4 days."""
    as_of = LATE_START[-1]
    costs = daily_costs(late_start_usage(), "UTC", SELECTORS["user = dev@example.com"])
    mtd = math.fsum(costs.values())
    want = mtd + mtd / 4 * 20  # 20 days left after the 10th
    assert mtd < 40 < want  # under the budget so far, over it at the pace of the days logged
    budgets = load_budgets_text(tmp_path, f'[[budgets]]\nuser = "{DEV}"\nmonthly_usd = 40\n')
    check = check_budgets(late_start, budgets, as_of, "UTC", window)
    [status] = check.statuses
    assert status.forecast_usd == pytest.approx(want, abs=1e-9) and status.forecast_over
    assert "mean daily cost of the last 4 days (2025-11-07 .. 2025-11-10," in check.method
    [warning] = check.warnings
    assert warning.startswith(f"logs begin on 2025-11-07: the month-end forecast's daily pace is the mean of only 4 "
                              f"days, not {window}")
    report = analyze_anomalies(late_start, Period(as_of, as_of, "UTC"), "user", window=window)
    [row] = report.forecast.to_dict("records")
    assert row["group"] == DEV and row["forecast_usd"] == pytest.approx(want, abs=1e-9)
    assert report.method == check.method and report.warnings == [warning]


def weekday_usage() -> list[dict]:
    """Three calls each weekday from Monday 2 February to Friday 6 March 2026 (logging on all along)."""
    dev = f"arn:aws:sts::{ACCOUNT}:assumed-role/{SSO_ROLE}/{DEV}"
    days = [date(2026, 2, 2) + timedelta(days=i) for i in range(33)]
    return [call(datetime(d.year, d.month, d.day, 10, i, tzinfo=UTC), 1000 * n + i, dev)
            for n, d in enumerate(days) if d.weekday() < 5 for i in range(3)]


def test_a_weekend_is_days_without_calls_not_days_before_logging(tmp_path: Path) -> None:
    """As of Sunday 8 March, in progress: the pace is the mean of the 7 whole days before it, Sunday 1 and Saturday
    7 March at $0 (the read begins on a weekend day, which shows no logging start), and nothing warns of one."""
    write_local(tmp_path / "logs", weekday_usage())
    as_of, now = date(2026, 3, 8), datetime(2026, 3, 8, 12, tzinfo=UTC)
    facts, _, _ = BedrockAthenaTracker(LocalEngine(tmp_path / "logs")).facts(
        scan_period(as_of, "UTC"), ("us-east-1",), Filters())
    costs = daily_costs(weekday_usage(), "UTC", SELECTORS["user = dev@example.com"])
    pace = math.fsum(costs.get(date(2026, 3, d), 0.0) for d in range(1, 8)) / 7
    mtd = math.fsum(cost for day, cost in costs.items() if date(2026, 3, 1) <= day <= as_of)
    want = mtd + pace + pace * 23  # the rest of today (no call yet) and the 23 days after the 8th

    check = check_budgets(facts, load_budgets_text(tmp_path, f'[[budgets]]\nuser = "{DEV}"\nmonthly_usd = 500\n'),
                          as_of, "UTC", now=now)

    assert check.statuses[0].forecast_usd == pytest.approx(want, abs=1e-9)
    assert "the 7 whole days before the as-of day (2026-03-01 .. 2026-03-07," in check.method
    assert not any(line.startswith("logs begin") for line in check.warnings)
    period = Period(as_of, as_of, "UTC")
    read = anomalies_scan_period(period)  # the anomalies' own read
    facts, _, _ = BedrockAthenaTracker(LocalEngine(tmp_path / "logs")).facts(read, ("us-east-1",), Filters())
    report = analyze_anomalies(facts, period, "user", history_start=read.start, now=now)
    assert report.forecast.to_dict("records")[0]["forecast_usd"] == pytest.approx(want, abs=1e-9)


def test_budgets_and_a_longer_anomalies_read_see_logging_begin_on_the_same_day(tmp_path: Path) -> None:
    """Calls to 20 February, none for 13 days, calls again from 6 March; as of 10 March both modes pace the 5 days
    since (more than a window without calls before them), however far back the anomalies read."""
    dev = f"arn:aws:sts::{ACCOUNT}:assumed-role/{SSO_ROLE}/{DEV}"
    days = [date(2026, 2, 2) + timedelta(days=i) for i in range(19)] + [date(2026, 3, 6) + timedelta(days=i)
                                                                         for i in range(5)]
    usage = [call(datetime(d.year, d.month, d.day, 10, i, tzinfo=UTC), 100 * n + i, dev)
             for n, d in enumerate(days) for i in range(1 + n % 3)]
    write_local(tmp_path / "logs", usage)
    as_of = date(2026, 3, 10)
    costs = daily_costs(usage, "UTC", SELECTORS["user = dev@example.com"])
    mtd = math.fsum(cost for day, cost in costs.items() if date(2026, 3, 1) <= day <= as_of)
    want = mtd + mtd / 5 * 21  # the 5 days' mean for the 21 days after the 10th
    tracker = BedrockAthenaTracker(LocalEngine(tmp_path / "logs"))
    budget_facts, _, _ = tracker.facts(scan_period(as_of, "UTC"), ("us-east-1",), Filters())
    check = check_budgets(budget_facts, load_budgets_text(tmp_path, f'[[budgets]]\nuser = "{DEV}"\nmonthly_usd = 9\n'),
                          as_of, "UTC")
    assert check.statuses[0].forecast_usd == pytest.approx(want, abs=1e-9)
    for period in (Period(as_of, as_of, "UTC"), Period(as_of - timedelta(days=27), as_of, "UTC")):
        read = anomalies_scan_period(period)
        facts, _, _ = tracker.facts(read, ("us-east-1",), Filters())
        report = analyze_anomalies(facts, period, "user", history_start=read.start)
        assert report.forecast.to_dict("records")[0]["forecast_usd"] == pytest.approx(want, abs=1e-9), period
        assert report.method == check.method and report.warnings == check.warnings


def test_a_user_budget_matches_an_email_whatever_its_case(late_start: pd.DataFrame, tmp_path: Path) -> None:
    budgets = load_budgets_text(tmp_path, '[[budgets]]\nuser = "Dev@Example.COM"\nmonthly_usd = 40\n')
    check = check_budgets(late_start, budgets, LATE_START[-1], "UTC")
    mtd = math.fsum(daily_costs(late_start_usage(), "UTC", SELECTORS["user = dev@example.com"]).values())
    assert check.statuses[0].month_to_date_usd == pytest.approx(mtd, abs=1e-9)
    assert not any("no calls of" in line for line in check.warnings)


def test_a_month_whose_logs_begin_after_a_quiet_stretch_warns_of_its_month_to_date(tmp_path: Path) -> None:
    """Logging on from 12 November, as of the 25th: the pace has its 7 days, but the month to date may lack the 1st to
    the 11th, and says so; logs from the 8th (7 quiet days, a window but not more) are a quiet stretch, no warning."""
    dev = f"arn:aws:sts::{ACCOUNT}:assumed-role/{SSO_ROLE}/{DEV}"
    as_of = date(2025, 11, 25)
    budgets = load_budgets_text(tmp_path, f'[[budgets]]\nuser = "{DEV}"\nmonthly_usd = 500\n')
    found = {}
    for first in (12, 8):
        usage = [call(datetime(2025, 11, d, 9, tzinfo=UTC), d, dev) for d in range(first, 26)]
        write_local(tmp_path / str(first), usage)
        facts, _, _ = BedrockAthenaTracker(LocalEngine(tmp_path / str(first))).facts(
            scan_period(as_of, "UTC"), ("us-east-1",), Filters())
        found[first] = check_budgets(facts, budgets, as_of, "UTC").warnings
    assert found[12] == ["the first logged call is on 2025-11-12, after 11 days without any: if logging began then, "
                         "the month to date leaves out any spend before that day"]
    assert found[8] == []


def test_a_breach_of_a_small_budget_shows_the_amounts_as_tables_do(late_start: pd.DataFrame, tmp_path: Path) -> None:
    """A daily budget under a cent reads "over the daily $0.0010", not "$0.00": four decimals, as every table."""
    budgets = load_budgets_text(tmp_path, f'[[budgets]]\nuser = "{DEV}"\ndaily_usd = 0.001\n')
    as_of = LATE_START[-1]
    day = daily_costs(late_start_usage(), "UTC", SELECTORS["user = dev@example.com"])[as_of]
    status = check_budgets(late_start, budgets, as_of, "UTC").statuses[0]
    assert status.breaches == (f"{as_of} spend ${day:,.4f} is over the daily $0.0010",)


@pytest.mark.slow
def test_a_breach_in_a_csv_run_is_named_on_stderr(corpus: dict, no_aws_env: dict[str, str], tmp_path: Path) -> None:
    """Exit 3 from cron says what needs attention: each breach is a line on stderr, as warnings are."""
    result = run_cli(no_aws_env, corpus, "budgets.toml", "--format", "csv", "--output-dir", str(tmp_path))
    assert result.returncode == 3, result.stderr
    alpha = expected_status(corpus["records"], "UTC", "Alpha")
    attention = [line for line in result.stderr.splitlines() if line.startswith("attention: ")]
    assert attention == [
        f"attention: budget breached: Alpha: month to date ${alpha['month_to_date_usd']:,.4f} is over the monthly "
        "$60.0000",
        f"attention: budget breached: Alpha: {AS_OF} spend ${alpha['day_usd']:,.4f} is over the daily $10.0000"]
    calm = run_cli(no_aws_env, corpus, "calm.json", "--format", "csv", "--output-dir", str(tmp_path))
    assert calm.returncode == 0 and "attention:" not in calm.stderr


def run_main(corpus: dict, budgets: str, *args: str) -> int:
    """The CLI's main in this process, on the corpus (every region read unless ``args`` name some)."""
    import bedrock_tracker_cli

    return bedrock_tracker_cli.main(["--engine", "local", "--logs-dir", str(corpus["logs"]), "--check-budgets",
                                     str(corpus["root"] / budgets), "--end-date", AS_OF.isoformat(), "--quiet", *args])


@pytest.mark.slow
def test_budgets_of_some_calls_say_so_in_text_json_and_file_names(
        corpus: dict, no_aws_env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``--region``, ``--model`` and the patterns narrow the calls a budget sums, as a chargeback's: every output says
    which, so a budget found ok is not read as the whole spend found ok."""
    run_main(corpus, "calm.json", "--region", "us-east-1")
    assert 'Only the calls of {"regions":["us-east-1"]}: not each budget\'s whole spend.' in capsys.readouterr().out
    run_main(corpus, "calm.json", "--arn-pattern", "Beta", "--format", "json", "--output-dir", "-")
    doc = json.loads(capsys.readouterr().out)
    assert doc["filters"] == {"arn_pattern": "Beta"}
    run_main(corpus, "calm.json", "--format", "json", "--output-dir", "-")
    assert json.loads(capsys.readouterr().out)["filters"] == {}
    run_main(corpus, "calm.json", "--model", SONNET_45, "--format", "csv", "--output-dir", str(tmp_path))
    names = sorted(path.name for path in tmp_path.glob("*.csv"))
    assert len(names) == 2 and all(re.search(r"_filtered-[0-9a-f]{8}_(status|burndown)\.csv$", n) for n in names), names
    with (tmp_path / names[1]).open() as handle:
        assert {row["filters"] for row in csv.DictReader(handle)} == {json.dumps({"models": [SONNET_45]},
                                                                                separators=(",", ":"))}


@pytest.mark.slow
def test_days_without_records_up_to_the_as_of_day_are_named_in_text_json_and_alert(
        corpus: dict, no_aws_env: dict[str, str], webhook, capsys: pytest.CaptureFixture[str]) -> None:
    """Logs that stop are what a daily check must hear of: the run of days without any record ending on the as-of day
    is named in the text, the JSON and the alert, not checked as $0 and ok without a word."""
    last = max(datetime.fromisoformat(r["timestamp"].replace("Z", "+00:00")).date() for r in corpus["records"])
    as_of = last + timedelta(days=3)
    empty = [(last + timedelta(days=i)).isoformat() for i in (1, 2, 3)]
    line = f"no log records on {empty[0]} .. {empty[-1]} (3 days up to the as-of day): logging may be off"
    url, received = webhook
    assert run_main(corpus, "budgets.toml", "--end-date", as_of.isoformat(), "--notify-webhook", url) == 3
    assert f"NO RECORDS: {line}" in capsys.readouterr().out
    [post] = received
    assert post["json"]["days_without_records"] == empty and line in post["json"]["text"]
    run_main(corpus, "calm.json", "--end-date", as_of.isoformat(), "--format", "json", "--output-dir", "-")
    doc = json.loads(capsys.readouterr().out)
    assert doc["days_without_records"] == empty and doc["warnings"][0].startswith(line)
    run_main(corpus, "calm.json", "--end-date", last.isoformat(), "--format", "json", "--output-dir", "-")
    doc = json.loads(capsys.readouterr().out)
    assert doc["days_without_records"] == [] and not any("no log records" in w for w in doc["warnings"])


def test_a_mistyped_webhook_url_is_refused_before_the_report(corpus: dict, no_aws_env: dict[str, str],
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    """Exit 1 before any scan: found only when a breach is alerted, it cost the alert and turned exit 3 into 1."""
    assert run_main(corpus, "budgets.toml", "--notify-webhook", "htps://hooks.example.com/x") == 1
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.strip() == (
        "error: --notify-webhook 'htps://hooks.example.com/x' must be an http:// or https:// URL with a host")


def test_the_scans_counts_are_said_to_be_over_every_day_read(tmp_path: Path, no_aws_env: dict[str, str],
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    """The scan reads the forecast's days before the month: its counts (here duplicate deliveries, one before the
    month and one in it) come under a line naming the days read, in the terminal, the JSON and on stderr beside CSV
    files, so they are not read as the month's; each budget's own lines stay above it."""
    import bedrock_tracker_cli

    as_of = date(2025, 11, 9)
    arn = f"arn:aws:sts::{ACCOUNT}:assumed-role/Alpha-BedrockRole/worker"
    records = [call(datetime(2025, 10, 20, 3, tzinfo=UTC) + timedelta(days=i), i, arn) for i in range(21)]
    copies = [records[11], records[16]]  # October 31 and November 5, delivered twice
    write_records(tmp_path / "logs", records + copies)
    (tmp_path / "calm.json").write_text(json.dumps({"budgets": [{"all": True, "monthly_usd": 1_000_000}]}))
    first = min(as_of.replace(day=1), as_of - timedelta(days=14))  # two 7-day forecast windows before the as-of day
    extra = len(records + copies) - len({(r["requestId"], r["timestamp"]) for r in records + copies})
    assert first < date(2025, 11, 1) and extra == 2 and {c["timestamp"][:10] for c in copies} == {
        "2025-10-31", "2025-11-05"}

    def warnings(*args: str) -> tuple[list[str], str]:
        code = bedrock_tracker_cli.main(["--engine", "local", "--logs-dir", str(tmp_path / "logs"), "--quiet",
                                         "--check-budgets", str(tmp_path / "calm.json"), "--end-date",
                                         as_of.isoformat(), *args])
        out = capsys.readouterr()
        assert code == 0, out.err
        return (json.loads(out.out)["warnings"] if "json" in args else []), out.out + out.err

    lines, _ = warnings("--format", "json", "--output-dir", "-")
    named = [i for i, line in enumerate(lines) if f"{first} .. {as_of}" in line]
    assert named, lines
    heading = named[0]
    assert "every day read" in lines[heading] and "before the month" in lines[heading], lines
    [duplicates] = [line for line in lines if "duplicate" in line]
    assert lines.index(duplicates) > heading and re.search(rf"\b{extra} duplicate", duplicates), lines
    _, terminal = warnings()
    assert terminal.index(lines[heading]) < terminal.index(duplicates)
    _, stderr = warnings("--format", "csv", "--output-dir", str(tmp_path / "out"))
    assert stderr.index(f"warning: {lines[heading]}") < stderr.index(f"warning: {duplicates}")


def test_late_in_the_month_the_scans_counts_are_the_months_and_no_line_says_otherwise(
        tmp_path: Path, no_aws_env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    """As of the 20th the forecast's two windows lie in the month: the scan reads the month alone, so its counts (a
    duplicate delivery on November 10) are the month's and come last with no line saying they count days before it."""
    import bedrock_tracker_cli

    as_of = date(2025, 11, 20)
    arn = f"arn:aws:sts::{ACCOUNT}:assumed-role/Alpha-BedrockRole/worker"
    records = [call(datetime(2025, 11, 1, 3, tzinfo=UTC) + timedelta(days=i), i, arn) for i in range(20)]
    write_records(tmp_path / "logs", [*records, records[9]])  # November 10, delivered twice
    (tmp_path / "calm.json").write_text(json.dumps({"budgets": [{"all": True, "monthly_usd": 1_000_000}]}))
    assert as_of - timedelta(days=14) >= as_of.replace(day=1)  # two 7-day forecast windows, both in the month

    def run(*args: str) -> tuple[str, str]:
        code = bedrock_tracker_cli.main(["--engine", "local", "--logs-dir", str(tmp_path / "logs"), "--quiet",
                                         "--check-budgets", str(tmp_path / "calm.json"), "--end-date",
                                         as_of.isoformat(), *args])
        out = capsys.readouterr()
        assert code == 0, out.err
        return out.out, out.err

    lines = json.loads(run("--format", "json", "--output-dir", "-")[0])["warnings"]
    assert re.search(r"\b1 duplicate", lines[-1]) and not any("every day read" in line for line in lines), lines
    for args in ((), ("--format", "csv", "--output-dir", str(tmp_path / "out"))):
        text = "".join(run(*args))
        assert "duplicate" in text and "every day read" not in text and "before the month" not in text, text


def test_one_unpriced_call_is_worded_as_one(tmp_path: Path, no_aws_env: dict[str, str],
                                           capsys: pytest.CaptureFixture[str]) -> None:
    """A budget whose month holds one call without a price says so in the singular, as the anomalies' line does."""
    import bedrock_tracker_cli

    arn = f"arn:aws:sts::{ACCOUNT}:assumed-role/Alpha-BedrockRole/worker"
    records = [call(datetime(2025, 11, 18, 3, tzinfo=UTC), 0, arn),
               call(datetime(2025, 11, 19, 3, tzinfo=UTC), 1, arn) | {"modelId": "example.unknown-model-v1:0"}]
    write_records(tmp_path / "logs", records)
    (tmp_path / "calm.json").write_text(json.dumps({"budgets": [{"name": "All", "all": True, "monthly_usd": 1e6}]}))
    code = bedrock_tracker_cli.main(["--engine", "local", "--logs-dir", str(tmp_path / "logs"), "--quiet",
                                     "--check-budgets", str(tmp_path / "calm.json"), "--end-date", "2025-11-20",
                                     "--format", "json", "--output-dir", "-"])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "budget 'All': 1 call this month has no price and is not in its spend" in json.loads(out.out)["warnings"]
