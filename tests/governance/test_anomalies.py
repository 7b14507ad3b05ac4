"""--anomalies on generated usage with known spikes: flagged days and forecasts equal a plain computation."""

from __future__ import annotations

import json
import math
import re
import statistics
import subprocess
import sys
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

import bedrock_tracker_cli
from bedrock_usage.demo.writer import write_local
from bedrock_usage.engines.local import LocalEngine
from bedrock_usage.engines.queries import Filters
from bedrock_usage.governance.anomalies import (
    ForecastBasis,
    analyze_anomalies,
    daily_cost,
    detect_anomalies,
    forecast_series,
    scan_period,
)
from bedrock_usage.governance.render import anomalies_text
from bedrock_usage.logs.period import Period
from bedrock_usage.report.priced_facts import TOTAL_COST
from bedrock_usage.report.tracker import BedrockAthenaTracker
from tests.logfiles import csv_rows
from tests.oracle import caller, published_rates

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = "123456789012"
FIRST, LAST = date(2025, 11, 1), date(2025, 11, 20)
SONNET_45 = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
HAIKU_3 = "anthropic.claude-3-haiku-20240307-v1:0"


def calls_per_day(app: str, day: date) -> tuple[int, str]:
    """Known shapes: Steady spikes 5x on the 15th, Growing grows by one call a day, Newcomer starts on the
    18th, Tiny spikes 10x on the 16th but stays under the minimum cost."""
    n = (day - FIRST).days
    return {
        "Steady": (20 if day == date(2025, 11, 15) else 4, SONNET_45),
        "Growing": (2 + n // 2, SONNET_45),
        "Newcomer": (3 if day >= date(2025, 11, 18) else 0, SONNET_45),
        "Tiny": (10 if day == date(2025, 11, 16) else 1, HAIKU_3),
    }[app]


def usage() -> list[dict]:
    records, n = [], 0
    day = FIRST
    while day <= LAST:
        for app in ("Steady", "Growing", "Newcomer", "Tiny"):
            count, model = calls_per_day(app, day)
            for i in range(count):
                n += 1
                when = datetime(day.year, day.month, day.day, 2, tzinfo=UTC) + timedelta(minutes=13 * i)
                records.append({
                    "schemaType": "ModelInvocationLog", "schemaVersion": "1.0",
                    "timestamp": when.strftime("%Y-%m-%dT%H:%M:%SZ"), "accountId": ACCOUNT,
                    "identity": {"arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/{app}-BedrockRole/w"},
                    "region": "us-east-1", "requestId": f"req-{n}", "operation": "Converse", "modelId": model,
                    "input": {"inputTokenCount": 100_000}, "output": {"outputTokenCount": 20_000}})
        day += timedelta(days=1)
    return records


def oracle_daily(records: list[dict]) -> dict[str, dict[date, float]]:
    terms: dict[str, dict[date, list[float]]] = defaultdict(lambda: defaultdict(list))
    for rec in records:
        day = date.fromisoformat(rec["timestamp"][:10])
        rates = published_rates(rec["modelId"], day, False)
        terms[caller(rec)[1]][day] += [rec["input"]["inputTokenCount"] * rates[0] / 1000,
                                       rec["output"]["outputTokenCount"] * rates[1] / 1000]
    return {app: {d: math.fsum(v) for d, v in days.items()} for app, days in terms.items()}


def expected_anomalies(records: list[dict], start: date, factor: float = 3, min_cost: float = 1) -> set:
    """(app, day) pairs over factor x the median of the 7 days before, when those days are all logged."""
    flagged = set()
    for app, costs in oracle_daily(records).items():
        day = start
        while day <= LAST:
            history = [day - timedelta(days=i) for i in range(1, 8)]
            if min(history) >= FIRST:
                baseline = statistics.median(costs.get(d, 0.0) for d in history)
                cost = costs.get(day, 0.0)
                if cost >= min_cost and cost > factor * baseline:
                    flagged.add((app, day.isoformat()))
            day += timedelta(days=1)
    return flagged


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("anomalies") / "logs"
    write_local(root, usage())
    return root


def run_cli(env: dict[str, str], logs: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(ROOT / "bedrock_tracker_cli.py"), "--engine", "local", "--logs-dir", str(logs),
               "--region", "us-east-1", "--anomalies", "--end-date", LAST.isoformat(), *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)


def test_anomalies_and_forecast_equal_plain_computation(logs: Path, no_aws_env: dict[str, str]) -> None:
    result = run_cli(no_aws_env, logs, "--start-date", "2025-11-03", "--format", "json", "--output-dir", "-")
    assert result.returncode == 3, result.stderr
    doc = json.loads(result.stdout)
    assert doc["schema"] == "bedrock-usage/anomalies/v1"
    records = usage()
    flagged = {(a["group"], a["day"]) for a in doc["anomalies"]}
    assert flagged == expected_anomalies(records, date(2025, 11, 3))
    assert {("Steady", "2025-11-15"), ("Newcomer", "2025-11-18")} <= flagged  # the known spike and new spend
    assert not any(app in ("Growing", "Tiny") for app, _ in flagged)
    newcomer = next(a for a in doc["anomalies"] if a["group"] == "Newcomer")
    assert newcomer["baseline_usd"] == 0 and newcomer["ratio"] is None
    # Logs begin on the 1st: the 3rd to the 7th have fewer than 7 days of history and are not judged.
    assert doc["unjudged_days"] == [f"2025-11-0{d}" for d in range(3, 8)]

    daily = oracle_daily(records)
    forecasts = {f["group"]: f for f in doc["forecast"]}
    for app, costs in daily.items():
        mtd = sum(costs.values())
        recent = sum(costs.get(LAST - timedelta(days=i), 0.0) for i in range(7)) / 7
        assert forecasts[app]["month_to_date_usd"] == pytest.approx(mtd, abs=1e-6), app
        assert forecasts[app]["forecast_usd"] == pytest.approx(mtd + recent * 10, abs=1e-6), app
        assert forecasts[app]["days_left"] == 10
    assert "month-to-date cost + mean daily cost of the last 7 days" in doc["forecast_method"]


def test_factor_and_minimum_cost_are_options(logs: Path, no_aws_env: dict[str, str]) -> None:
    args = ("--start-date", "2025-11-10", "--anomaly-factor", "6", "--anomaly-min-cost", "0.01", "--format", "json",
            "--output-dir", "-")
    result = run_cli(no_aws_env, logs, *args)
    doc = json.loads(result.stdout)
    flagged = {(a["group"], a["day"]) for a in doc["anomalies"]}
    assert flagged == expected_anomalies(usage(), date(2025, 11, 10), factor=6, min_cost=0.01)
    assert ("Tiny", "2025-11-16") in flagged and ("Steady", "2025-11-15") not in flagged


@pytest.mark.slow
def test_terminal_output_and_a_quiet_period(logs: Path, no_aws_env: dict[str, str]) -> None:
    result = run_cli(no_aws_env, logs, "--start-date", "2025-11-03")
    assert result.returncode == 3
    assert "ANOMALIES:" in result.stdout and "Month-end forecast (November 2025, as of 2025-11-20)" in result.stdout
    assert "7-day median" in result.stdout
    window = run_cli(no_aws_env, logs, "--start-date", "2025-11-03", "--anomaly-window", "5")
    assert "5-day median" in window.stdout and "7-day median" not in window.stdout  # the header names the window
    quiet = subprocess.run(
        [sys.executable, str(ROOT / "bedrock_tracker_cli.py"), "--engine", "local", "--logs-dir", str(logs),
         "--region", "us-east-1", "--anomalies", "--start-date", "2025-11-09", "--end-date", "2025-11-13"],
        capture_output=True, text=True, env=no_aws_env, cwd=ROOT, timeout=300)
    assert quiet.returncode == 0, quiet.stdout + quiet.stderr
    assert "No anomalies." in quiet.stdout


def test_detection_rule_on_a_small_frame() -> None:
    days = [date(2025, 1, 1) + timedelta(days=i) for i in range(10)]
    frame = pd.DataFrame({"a": [1.0, 1, 1, 1, 2, 1, 1, 3.5, 1, 10]}, index=days)
    found = detect_anomalies(frame, days[0], factor=3, window=7, min_cost=1)
    # Day 8's 3.5 is over 3 x median(1, 1, 1, 1, 2, 1, 1) = 1; day 10's 10 over 3 x median(1, 1, 2, 1, 1, 3.5, 1).
    assert list(found["day"]) == ["2025-01-08", "2025-01-10"]
    assert list(found["ratio"]) == [pytest.approx(3.5), pytest.approx(10.0)]


def test_forecast_counts_days_without_calls_as_zero() -> None:
    series = pd.Series({date(2025, 2, 20): 7.0, date(2025, 2, 24): 7.0})
    forecast = forecast_series(series, ForecastBasis(date(2025, 2, 24), window=7))
    assert forecast.month_to_date_usd == 14 and forecast.days_left == 4
    assert forecast.recent_daily_mean_usd == pytest.approx(2.0) and forecast.forecast_usd == pytest.approx(22.0)


def test_daily_cost_fills_every_day() -> None:
    facts = pd.DataFrame({"day": ["2025-03-02"], "application": ["A"], "estimated_cost_usd": [float("nan")]})
    table = daily_cost(facts, "application", date(2025, 3, 1), date(2025, 3, 3))
    assert list(table.index) == [date(2025, 3, d) for d in (1, 2, 3)] and list(table["A"]) == [0.0, 0.0, 0.0]


def test_a_tag_value_logged_empty_is_a_group_apart_from_one_spelled_like_its_label() -> None:
    """``""``, a value spelled ``(empty)``, calls without the tag and a value spelled ``(none)`` are four groups, each
    with its own month to date; the terminal names them as the usage tables do."""
    values = ["", "(empty)", None, "(none)", "", None]
    costs = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0]
    facts = pd.DataFrame({"day": ["2025-11-01", "2025-11-01", "2025-11-02", "2025-11-02", "2025-11-03", "2025-11-03"],
                          "tag:team": pd.Series(values, dtype="object"), TOTAL_COST: costs,
                          "calls": [1] * 6, "unpriced_calls": [0] * 6})
    report = analyze_anomalies(facts, Period(date(2025, 11, 1), date(2025, 11, 3)), "tag:team",
                               now=datetime(2025, 12, 1, tzinfo=UTC))
    expected: dict[str | None, float] = defaultdict(float)
    for value, cost in zip(values, costs, strict=True):
        expected[value] += cost
    got = {None if pd.isna(row["group"]) else row["group"]: row["month_to_date_usd"]
           for row in report.forecast.to_dict("records")}
    assert got == expected
    forecast = anomalies_text(report).split("Month-end forecast", 1)[1].splitlines()[3:7]
    assert sorted(line.split()[0] for line in forecast) == ["(empty)", "(empty)", "(none)", "(none)"]


def test_a_group_whose_calls_have_no_price_shows_them_beside_its_zero(tmp_path: Path,
                                                                      no_aws_env: dict[str, str]) -> None:
    """An application calling only a model the book does not know costs 0 in the daily and forecast rows: each row
    says how many calls that 0 leaves out, counted from the records."""
    unknown = [{**record, "modelId": "example.unknown-model-v1:0",
                "identity": {"arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/Mystery-BedrockRole/w"},
                "requestId": f"x-{record['requestId']}"}
               for record in usage() if caller(record)[1] == "Steady"]
    write_local(tmp_path / "logs", usage() + unknown)
    result = run_cli(no_aws_env, tmp_path / "logs", "--start-date", "2025-11-10", "--format", "json",
                     "--output-dir", "-")
    doc = json.loads(result.stdout)
    per_day: dict[str, int] = defaultdict(int)
    for record in unknown:
        per_day[record["timestamp"][:10]] += 1
    mystery = [row for row in doc["daily"] if row["group"] == "Mystery"]
    assert [(row["day"], row["cost_usd"], row["unpriced_calls"]) for row in mystery] == [
        (day.isoformat(), 0, per_day[day.isoformat()]) for day in (date(2025, 11, 10) + timedelta(days=i)
                                                                   for i in range(11))]
    assert all(row["unpriced_calls"] == 0 for row in doc["daily"] if row["group"] != "Mystery")
    forecast = next(row for row in doc["forecast"] if row["group"] == "Mystery")
    assert forecast["month_to_date_usd"] == 0 and forecast["unpriced_calls"] == len(unknown)


def test_the_forecast_of_a_day_in_progress_adds_up_in_its_table(logs: Path) -> None:
    """As of the 20th at noon: month to date + the rest of today + the pace x the days left = the forecast, each a
    column of the table."""
    period = Period(date(2025, 11, 14), LAST, "UTC")
    facts, _, _ = BedrockAthenaTracker(LocalEngine(logs)).facts(scan_period(period), ("us-east-1",), Filters())
    report = analyze_anomalies(facts, period, now=datetime(2025, 11, 20, 12, tzinfo=UTC))
    rows = {row["group"]: row for row in report.forecast.to_dict("records")}
    for app, costs in oracle_daily(usage()).items():
        mtd = math.fsum(costs.values())
        pace = math.fsum(costs.get(LAST - timedelta(days=i), 0.0) for i in range(1, 8)) / 7  # the 13th to the 19th
        rest = max(0.0, pace - costs.get(LAST, 0.0))
        assert rows[app]["month_to_date_usd"] == pytest.approx(mtd, abs=1e-9), app
        assert rows[app]["rest_of_today_usd"] == pytest.approx(rest, abs=1e-9), app
        assert rows[app]["recent_daily_mean_usd"] == pytest.approx(pace, abs=1e-9), app
        assert rows[app]["forecast_usd"] == pytest.approx(mtd + rest + pace * 10, abs=1e-9), app
    header = anomalies_text(report).split("Month-end forecast", 1)[1].splitlines()[1].split("  ")
    assert [cell.strip() for cell in header if cell.strip()] == [
        "Application", "Month to date", "+ Rest of today", "+ Daily pace", "x Days left", "= Forecast"]


def test_anomalies_in_a_json_run_are_named_on_stderr(logs: Path, no_aws_env: dict[str, str]) -> None:
    result = run_cli(no_aws_env, logs, "--start-date", "2025-11-03", "--format", "json", "--output-dir", "-")
    assert result.returncode == 3, result.stderr
    named = {tuple(re.fullmatch(r"attention: anomaly: (\w+) on (\S+): .*", line).groups())
             for line in result.stderr.splitlines() if line.startswith("attention: ")}
    assert named == expected_anomalies(usage(), date(2025, 11, 3))


@pytest.mark.parametrize(("option", "value", "message"), [
    ("--anomaly-factor", "0", "error: --anomaly-factor 0 must be more than 0"),
    ("--anomaly-window", "0", "error: --anomaly-window 0 must be 1 day or more"),
])
def test_a_rule_option_out_of_range_is_named(logs: Path, no_aws_env: dict[str, str], option: str, value: str,
                                             message: str) -> None:
    result = run_cli(no_aws_env, logs, option, value)
    assert result.returncode == 1 and result.stderr.splitlines() == [message]


def test_a_coverage_threshold_out_of_range_is_named(logs: Path, no_aws_env: dict[str, str]) -> None:
    command = [sys.executable, str(ROOT / "bedrock_tracker_cli.py"), "--engine", "local", "--logs-dir", str(logs),
               "--reconcile", "--coverage-threshold", "150"]
    result = subprocess.run(command, capture_output=True, text=True, env=no_aws_env, cwd=ROOT, timeout=300)
    assert result.returncode == 1
    assert result.stderr.splitlines() == ["error: --coverage-threshold 150 must be more than 0 and at most 100"]


@pytest.mark.slow
def test_anomalies_of_some_calls_say_so_in_text_json_and_file_names(
        logs: Path, no_aws_env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``--region`` (or ``--model``, a pattern) narrows the calls whose costs are judged, as a chargeback's: the text,
    the JSON and the file names say which; a run over every region says none."""
    import bedrock_tracker_cli

    def run(*args: str) -> str:
        bedrock_tracker_cli.main(["--engine", "local", "--logs-dir", str(logs), "--anomalies", "--end-date",
                                  LAST.isoformat(), "--start-date", "2025-11-20", "--quiet", *args])
        return capsys.readouterr().out

    assert 'Only the calls of {"regions":["us-east-1"]}: not all Bedrock spend.' in run("--region", "us-east-1")
    assert json.loads(run("--user-pattern", "x", "--format", "json", "--output-dir", "-"))["filters"] == {
        "user_pattern": "x"}
    assert json.loads(run("--format", "json", "--output-dir", "-"))["filters"] == {}
    run("--region", "us-east-1", "--format", "csv", "--output-dir", str(tmp_path))
    names = [path.name for path in tmp_path.glob("*.csv")]
    assert len(names) == 3 and all(re.search(r"_filtered-[0-9a-f]{8}_(anomalies|forecast|daily)\.csv$", n)
                                   for n in names), names


def test_the_scans_counts_are_said_to_be_over_every_day_read(tmp_path: Path, no_aws_env: dict[str, str],
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    """The run reads the median's window and the forecast's days before the period: the scan's counts (duplicate
    deliveries and calls without a price, one of each before the period and one in it) come under a line naming the
    days read, in the terminal, the JSON and on stderr beside CSV files, so they are not read as the period's; the
    report's own count of the period's calls without a price stays above it."""
    import bedrock_tracker_cli

    start, end = date(2025, 11, 3), date(2025, 11, 9)
    arn = f"arn:aws:sts::{ACCOUNT}:assumed-role/Alpha-BedrockRole/worker"
    records = [caller_call(datetime(2025, 10, 20, 3, tzinfo=UTC) + timedelta(days=i), i, arn, HAIKU_3)
               for i in range(21)]
    unknown = [caller_call(datetime(2025, 10, 28, 5, tzinfo=UTC), 100, arn, "example.unknown-model-v1:0"),
               caller_call(datetime(2025, 11, 7, 5, tzinfo=UTC), 101, arn, "example.unknown-model-v1:0")]
    copies = [records[10], records[17]]  # October 30 and November 6, delivered twice
    write_local(tmp_path / "logs", records + unknown + copies)
    first = min(start - timedelta(days=7), end - timedelta(days=14), end.replace(day=1))  # median's window, forecast
    extra = len(records + copies) - len({(r["requestId"], r["timestamp"]) for r in records + copies})
    in_period = [c for c in unknown if start <= date.fromisoformat(c["timestamp"][:10]) <= end]
    assert first <= date(2025, 10, 28) and extra == 2 and len(in_period) == 1
    assert {c["timestamp"][:10] for c in copies} == {"2025-10-30", "2025-11-06"}

    def warnings(*args: str) -> tuple[list[str], str]:
        code = bedrock_tracker_cli.main(["--engine", "local", "--logs-dir", str(tmp_path / "logs"), "--quiet",
                                         "--region", "us-east-1", "--anomalies", "--start-date", start.isoformat(),
                                         "--end-date", end.isoformat(), *args])
        out = capsys.readouterr()
        assert code == 0, out.err
        return (json.loads(out.out)["warnings"] if "json" in args else []), out.out + out.err

    lines, _ = warnings("--format", "json", "--output-dir", "-")
    named = [i for i, line in enumerate(lines) if f"{first} .. {end}" in line]
    assert len(named) == 1, lines
    heading = lines[named[0]]
    assert "every day read" in heading and "before the period" in heading, lines
    [duplicates] = [line for line in lines if "duplicate" in line]
    [scan_unpriced] = [line for line in lines if "example.unknown-model-v1:0" in line]
    [own_unpriced] = [line for line in lines if "in the period has no price" in line]
    assert f"{extra} duplicate deliveries" in duplicates and f": {len(unknown)} calls," in scan_unpriced, lines
    assert own_unpriced.startswith(f"{len(in_period)} call in the period"), lines
    assert lines.index(own_unpriced) < lines.index(heading) < min(lines.index(duplicates), lines.index(scan_unpriced))
    _, terminal = warnings()
    assert terminal.index(own_unpriced) < terminal.index(heading) < terminal.index(duplicates)
    _, stderr = warnings("--format", "csv", "--output-dir", str(tmp_path / "out"))
    assert stderr.index(f"warning: {own_unpriced}") < stderr.index(f"warning: {heading}") < stderr.index(
        f"warning: {duplicates}")


def caller_call(when: datetime, n: int, arn: str, model: str) -> dict:
    """One Converse call of ``model`` by ``arn`` at ``when``."""
    return {"schemaType": "ModelInvocationLog", "schemaVersion": "1.0",
            "timestamp": when.strftime("%Y-%m-%dT%H:%M:%SZ"), "accountId": ACCOUNT, "identity": {"arn": arn},
            "region": "us-east-1", "requestId": f"req-{n}", "operation": "Converse", "modelId": model,
            "input": {"inputTokenCount": 1000}, "output": {"outputTokenCount": 100}}


def spend_records() -> list[dict]:
    """Big spends every day of November to the 20th; Small's 3 input and 1 output tokens a day cost under a
    hundredth of a cent; Gone spent only in October, in the median's days before the period."""
    shapes = [("Big", date(2025, 11, 1), 20, 100_000), ("Small", date(2025, 11, 1), 20, 3),
              ("Gone", date(2025, 10, 25), 4, 1_000)]
    records = []
    for app, first, days, tokens in shapes:
        for i in range(days):
            when = datetime.combine(first + timedelta(days=i), datetime.min.time(), UTC) + timedelta(hours=3)
            call = caller_call(when, len(records), f"arn:aws:sts::{ACCOUNT}:assumed-role/{app}-BedrockRole/w", HAIKU_3)
            records.append({**call, "input": {"inputTokenCount": tokens}, "output": {"outputTokenCount": tokens // 3}})
    return records


def test_a_sub_cent_forecast_shows_as_small_and_a_group_with_nothing_to_forecast_has_no_row(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Small's forecast is a real amount under $0.0001: '<$0.0001' as every small cost prints, its figure exact in
    JSON and CSV. Gone made no call in November or the pace's days: no forecast row anywhere, rather than $0.0000."""
    records = spend_records()
    write_local(tmp_path / "logs", records)
    daily = oracle_daily(records)

    def run(*args: str) -> str:
        code = bedrock_tracker_cli.main(["--engine", "local", "--logs-dir", str(tmp_path / "logs"), "--quiet",
                                         "--region", "us-east-1", "--anomalies", "--start-date", "2025-11-01",
                                         "--end-date", LAST.isoformat(), *args])
        out = capsys.readouterr()
        assert code == 0, out.err
        return out.out

    doc = json.loads(run("--format", "json", "--output-dir", "-"))
    forecasts = {row["group"]: row for row in doc["forecast"]}
    assert set(forecasts) == {"Big", "Small"}
    small = daily["Small"]
    expected = math.fsum(small.values()) + math.fsum(small[LAST - timedelta(days=i)] for i in range(7)) / 7 * 10
    assert 0 < expected < 0.0001
    assert forecasts["Small"]["forecast_usd"] == pytest.approx(expected, rel=1e-9)
    forecast = run().split("Month-end forecast", 1)[1].splitlines()
    assert [line.split() for line in forecast if line.startswith(("Small", "Gone"))] == [
        ["Small", "<$0.0001", "<$0.0001", "10", "<$0.0001"]]
    run("--format", "csv", "--output-dir", str(tmp_path / "out"))
    (path,) = (tmp_path / "out").glob("*_forecast.csv")
    _, rows = csv_rows(path)
    assert [(row["group"], float(row["forecast_usd"])) for row in rows] == [
        ("Big", pytest.approx(forecasts["Big"]["forecast_usd"])), ("Small", pytest.approx(expected, rel=1e-9))]


def test_a_month_with_no_calls_says_there_is_nothing_to_forecast(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    write_local(tmp_path / "logs", [r for r in spend_records() if caller(r)[1] == "Gone"])
    code = bedrock_tracker_cli.main(["--engine", "local", "--logs-dir", str(tmp_path / "logs"), "--quiet",
                                     "--region", "us-east-1", "--anomalies", "--start-date", "2025-11-01",
                                     "--end-date", LAST.isoformat()])
    out = capsys.readouterr().out
    assert code == 0
    assert ("Month-end forecast (November 2025, as of 2025-11-20)\nNothing to forecast: no calls in the month to "
            "date or the days of the daily pace.\nMethod: ") in out


def test_a_group_without_a_call_in_the_period_has_no_daily_rows_unless_the_filters_name_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Gone's calls are all in the median's days before the period: the daily table had 20 rows of $0 for it in JSON
    and CSV (and the dashboard's chart and table). It now has none; but a --user-pattern naming it keeps its rows,
    each $0, with a line saying it made no call in the period (terminal and JSON)."""
    records = spend_records()
    write_local(tmp_path / "logs", records)
    in_period = {caller(r)[1] for r in records if FIRST.isoformat() <= r["timestamp"][:10] <= LAST.isoformat()}
    assert in_period == {"Big", "Small"} and "Gone" in {caller(r)[1] for r in records}

    def run(*args: str) -> str:
        code = bedrock_tracker_cli.main(["--engine", "local", "--logs-dir", str(tmp_path / "logs"), "--quiet",
                                         "--region", "us-east-1", "--anomalies", "--start-date", FIRST.isoformat(),
                                         "--end-date", LAST.isoformat(), *args])
        out = capsys.readouterr()
        assert code == 0, out.err
        return out.out

    doc = json.loads(run("--format", "json", "--output-dir", "-"))
    assert {row["group"] for row in doc["daily"]} == in_period
    assert not [line for line in doc["warnings"] if "Gone" in line]
    run("--format", "csv", "--output-dir", str(tmp_path / "out"))
    (path,) = (tmp_path / "out").glob("*_daily.csv")
    assert {row["group"] for row in csv_rows(path)[1]} == in_period

    said = "Gone, which the filters name, made no call in the period: its daily rows are $0"
    for pattern in ("gone", "Gone-BedrockRole"):  # the application's name, or its role's
        doc = json.loads(run("--user-pattern", pattern, "--format", "json", "--output-dir", "-"))
        days = (LAST - FIRST).days + 1
        assert [(row["group"], row["cost_usd"]) for row in doc["daily"]] == [("Gone", 0.0)] * days
        assert said in doc["warnings"]
        assert f"  - {said}" in run("--user-pattern", pattern)
    doc = json.loads(run("--user-pattern", "BedrockRole", "--format", "json", "--output-dir", "-"))
    assert {row["group"] for row in doc["daily"]} == in_period  # a pattern every role holds names no application
