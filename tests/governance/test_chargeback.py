"""--chargeback and --developer-costs: long-form rows, totals, unpriced usage and the days the logs cover, against a
plain computation."""

from __future__ import annotations

import csv
import gzip
import json
import math
import re
import subprocess
import sys
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

import bedrock_tracker_cli
from bedrock_usage.cache import CACHE_ENV
from bedrock_usage.demo.writer import write_local
from bedrock_usage.engines.local import LocalEngine
from bedrock_usage.engines.queries import Filters
from bedrock_usage.errors import UsageError
from bedrock_usage.governance.chargeback import (
    QDevUser,
    build_chargeback,
    developer_costs,
    developer_warnings,
    month_period,
    qdev_people,
)
from bedrock_usage.governance.coverage import through_day
from bedrock_usage.governance.render import chargeback_document, chargeback_stem, chargeback_text, developers_text
from bedrock_usage.logs.period import Period
from bedrock_usage.qdev.analysis import Source
from bedrock_usage.qdev.analysis import analyze as analyze_qdev
from bedrock_usage.qdev.people import read_user_map
from bedrock_usage.qdev.sources import LocalStore
from bedrock_usage.qdev.synthetic import write_qdev_corpus
from bedrock_usage.report.tracker import BedrockAthenaTracker
from tests.oracle import caller, published_rates
from tests.qdev.test_cost_days import ACCOUNT as COST_ACCOUNT
from tests.qdev.test_cost_days import USER as COST_USER
from tests.qdev.test_cost_days import write_kiro_chat
from tests.qdev.test_kiro_edges import ACCOUNT as KIRO_ACCOUNT
from tests.qdev.test_kiro_edges import ana, kiro_of, write_report
from tests.qdev.test_offline import offline  # noqa: F401  (fixture)

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = "123456789012"
NAMES = {  # the book's names of the models used, to key expected rows; unknown models keep their id
    "anthropic.claude-3-haiku-20240307-v1:0": "Claude 3 Haiku",
    "us.anthropic.claude-sonnet-4-5-20250929-v1:0": "Claude Sonnet 4.5",
    "global.anthropic.claude-sonnet-4-5-20250929-v1:0": "Claude Sonnet 4.5",
    "anthropic.claude-opus-4-1-20250805-v1:0": "Claude Opus 4.1",
    "example.unlisted-model-v1:0": "example.unlisted-model-v1:0",  # a model no price book lists
}
COVERAGE_COLUMNS = ["coverage_first_day", "coverage_last_day", "coverage_through", "coverage_days_in_month",
                    "coverage_days_with_records", "coverage_days_without_records", "coverage_complete"]
# the JSON accuracy's notes, every CSV row ending with them
ACCURACY_COLUMNS = ["accuracy_tokens", "accuracy_cost", "accuracy_unpriced"]
SSO = "AWSReservedSSO_Developers_0123456789abcdef"
CALLERS = [
    (f"arn:aws:sts::{ACCOUNT}:assumed-role/Chatbot-BedrockRole/w", {"team": "support"}),
    (f"arn:aws:sts::{ACCOUNT}:assumed-role/Search-BedrockRole/w", {"team": "search"}),
    (f"arn:aws:iam::{ACCOUNT}:user/batch-svc", {}),
    (f"arn:aws:sts::{ACCOUNT}:assumed-role/{SSO}/alex@example.com", {"team": "platform"}),
    (f"arn:aws:sts::{ACCOUNT}:assumed-role/{SSO}/bora@example.com", {}),
]


def usage() -> list[dict]:
    """November calls of five callers and four models (one unpriced), plus calls just outside the month."""
    models = list(NAMES)
    records = []
    for n in range(160):
        arn, tags = CALLERS[n % len(CALLERS)]
        when = datetime(2025, 10, 31, 23, tzinfo=UTC) + timedelta(hours=4.5 * n)
        rec = {"schemaType": "ModelInvocationLog", "schemaVersion": "1.0",
               "timestamp": when.strftime("%Y-%m-%dT%H:%M:%SZ"), "accountId": ACCOUNT, "identity": {"arn": arn},
               "region": "us-east-1", "requestId": f"req-{n}", "operation": "Converse",
               "modelId": models[(n // 3) % len(models)],
               "input": {"inputTokenCount": 500 + 13 * n, "cacheReadInputTokenCount": 40 * (n % 4)},
               "output": {"outputTokenCount": 120 + 7 * n}}
        if n % 17 == 0:
            rec["errorCode"] = "ThrottlingException"
        if tags:
            rec["requestMetadata"] = tags
        records.append(rec)
    return records


def expected_rows(records: list[dict], month: str, key: str) -> dict[tuple[str, str], dict]:
    """(group, model name) -> totals; model "" is the group total, ("", "") the grand total."""
    out: dict[tuple[str, str], dict] = defaultdict(lambda: {"calls": 0, "errors": 0, "input_tokens": 0,
                                                            "output_tokens": 0, "cache_read_tokens": 0,
                                                            "unpriced_calls": 0, "terms": []})
    for rec in records:
        if rec["timestamp"][:7] != month:
            continue
        user, application = caller(rec)
        tags = rec.get("requestMetadata") or {}
        group = {"application": application, "user": user}.get(key) or tags.get(key[4:], "(none)")
        day = date.fromisoformat(rec["timestamp"][:10])
        rates = published_rates(rec["modelId"], day, False)
        cache_read = rec["input"]["cacheReadInputTokenCount"]
        for row_key in ((group, NAMES[rec["modelId"]]), (group, ""), ("", "")):
            t = out[row_key]
            t["calls"] += 1
            t["errors"] += 1 if rec.get("errorCode") else 0
            t["input_tokens"] += rec["input"]["inputTokenCount"]
            t["output_tokens"] += rec["output"]["outputTokenCount"]
            t["cache_read_tokens"] += cache_read
            if rates is None or (cache_read and rates[3] is None):  # a token kind the model has no price for
                t["unpriced_calls"] += 1
            else:
                t["terms"] += [rec["input"]["inputTokenCount"] * rates[0] / 1000,
                               rec["output"]["outputTokenCount"] * rates[1] / 1000,
                               cache_read * (rates[3] or 0.0) / 1000]
    return dict(out)


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("chargeback") / "logs"
    write_local(root, usage())
    return root


def calls_at(times: list[datetime]) -> list[dict]:
    """One priced Converse call of the Chatbot application at each of ``times``."""
    arn, tags = CALLERS[0]
    return [{"schemaType": "ModelInvocationLog", "schemaVersion": "1.0",
             "timestamp": when.strftime("%Y-%m-%dT%H:%M:%SZ"), "accountId": ACCOUNT, "identity": {"arn": arn},
             "region": "us-east-1", "requestId": f"cov-{n}", "operation": "Converse",
             "modelId": "anthropic.claude-3-haiku-20240307-v1:0", "input": {"inputTokenCount": 100 + n},
             "output": {"outputTokenCount": 10 + n}, "requestMetadata": tags} for n, when in enumerate(times)]


def every_hours(first: datetime, last: datetime, hours: int, skip_utc_days: tuple[int, ...] = ()) -> list[datetime]:
    """``first``, then every ``hours`` hours up to ``last``, without the UTC days of the month in ``skip_utc_days``."""
    times, when = [], first
    while when <= last:
        if when.day not in skip_utc_days:
            times.append(when)
        when += timedelta(hours=hours)
    return times


# Logging switched on 2025-11-15, off for three UTC days, and the logs stop on the 28th.
PARTIAL = calls_at(every_hours(datetime(2025, 11, 15, 2, tzinfo=UTC), datetime(2025, 11, 28, 12, tzinfo=UTC), 5,
                               skip_utc_days=(20, 21, 22)))
# The first days of a month in progress: up to the morning of 2025-11-06.
STARTED = calls_at(every_hours(datetime(2025, 11, 1, 0, 30, tzinfo=UTC), datetime(2025, 11, 6, 9, tzinfo=UTC), 3))
LATER = datetime(2026, 1, 5, tzinfo=UTC)  # long after November: the month is over


def local_days(records: list[dict], tz: str, month: str) -> set[date]:
    """The days of ``month`` in ``tz`` on which the records were made, read from their timestamps."""
    zone = ZoneInfo(tz)
    days = {datetime.fromisoformat(r["timestamp"].replace("Z", "+00:00")).astimezone(zone).date() for r in records}
    return {day for day in days if day.strftime("%Y-%m") == month}


def expected_coverage(records: list[dict], tz: str, month: str, today: date) -> dict:
    """The JSON ``coverage`` of the chargeback of ``month`` on the day ``today`` (in ``tz``), computed from the
    records alone: the month is in progress until its last day is over."""
    held = local_days(records, tz, month)
    first_of_month = date.fromisoformat(f"{month}-01")
    month_days = [first_of_month + timedelta(days=i) for i in range(31)
                  if (first_of_month + timedelta(days=i)).strftime("%Y-%m") == month]
    through = min(today, month_days[-1])
    missing = [day for day in month_days if day <= through and day not in held]
    regions = {}
    for region in sorted({r["region"] for r in records}):
        own = sorted(day for day in local_days([r for r in records if r["region"] == region], tz, month)
                     if day <= through)
        regions[region] = {"first_day": own[0].isoformat() if own else None,
                           "last_day": own[-1].isoformat() if own else None, "days_with_records": len(own),
                           "missing_days": [day.isoformat() for day in month_days if day <= through and day not in own],
                           "days_not_read": []}
    return {"first_day": min(held).isoformat(), "last_day": max(held).isoformat(), "through": through.isoformat(),
            "days_in_month": len(month_days), "days_with_records": len(held), "days_without_records": len(missing),
            "complete": today > month_days[-1] and not missing, "in_progress": today <= month_days[-1],
            "missing_days": [day.isoformat() for day in missing], "regions": regions}


def month_facts(root: Path, month: str, tz: str) -> pd.DataFrame:
    """The tracker's facts of ``month`` in ``tz`` from the logs folder ``root``."""
    return BedrockAthenaTracker(LocalEngine(root)).facts(month_period(month, tz), ("us-east-1",), Filters())[0]


@pytest.fixture(scope="module")
def partial_logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("partial") / "logs"
    write_local(root, PARTIAL)
    return root


def run_cli(env: dict[str, str], logs: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(ROOT / "bedrock_tracker_cli.py"), "--engine", "local", "--logs-dir", str(logs),
               *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)


@pytest.mark.slow
@pytest.mark.parametrize("group_by", ["application", "user", "tag:team"])
def test_chargeback_rows_equal_plain_computation(logs: Path, no_aws_env: dict[str, str], group_by: str) -> None:
    result = run_cli(no_aws_env, logs, "--chargeback", "2025-11", "--chargeback-by", group_by, "--format", "json",
                     "--output-dir", "-")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["schema"] == "bedrock-usage/chargeback/v4" and doc["month"] == "2025-11"
    expected = expected_rows(usage(), "2025-11", group_by)
    rows = {(r["group"], r["model"]): r for r in doc["rows"]}
    assert set(rows) == set(expected)
    kinds = {(r["group"], r["model"]): r["row_type"] for r in doc["rows"]}
    assert kinds[("", "")] == "grand_total" and all(
        kinds[k] == ("group_total" if k[1] == "" else "model") for k in kinds if k[0])
    # the model's id to join on: the logged id without its inference-profile prefix; total rows have none
    base_ids = {NAMES[model_id]: model_id.removeprefix("us.").removeprefix("global.") for model_id in NAMES}
    assert all(r["base_model_id"] == (base_ids[r["model"]] if r["row_type"] == "model" else "") for r in doc["rows"])
    for key, want in expected.items():
        row = rows[key]
        for name in ("calls", "errors", "input_tokens", "output_tokens", "cache_read_tokens", "unpriced_calls"):
            assert row[name] == want[name], (key, name)
        assert row["month"] == "2025-11" and row["group_by"] == group_by
        if want["terms"]:
            assert row["estimated_cost_usd"] == pytest.approx(math.fsum(want["terms"]), abs=1e-9), key
        else:
            assert row["estimated_cost_usd"] is None, key  # never a silent 0
    assert sum(u["calls"] for u in doc["unpriced"]) == expected[("", "")]["unpriced_calls"] > 0
    assert "example.unlisted-model-v1:0" in {u["model_id"] for u in doc["unpriced"]}


@pytest.mark.slow
def test_chargeback_schema_is_documented(logs: Path, no_aws_env: dict[str, str], tmp_path: Path) -> None:
    result = run_cli(no_aws_env, logs, "--chargeback", "2025-11", "--format", "json", "--output-dir", "-")
    doc = json.loads(result.stdout)
    columns = [c["name"] for c in doc["columns"]]
    assert all(list(row) == columns for row in doc["rows"])
    accuracy = {c["name"]: c["accuracy"] for c in doc["columns"]}
    assert {accuracy[c] for c in columns if c.endswith("_usd")} == {"estimated"}
    assert {accuracy[c] for c in columns if c.endswith("_tokens") or c == "calls"} == {"exact"}
    assert {c["unit"] for c in doc["columns"] if c["name"].endswith("_usd")} == {"USD"}
    docs = (ROOT / "docs" / "governance.md").read_text()
    assert all(f"`{name}`" in docs for name in columns)

    out = tmp_path / "out"
    out.mkdir()
    (out / "bedrock_chargeback_2025-11_tag-team.csv").write_text("a previous run's figures\n")
    files = run_cli(no_aws_env, logs, "--chargeback", "2025-11", "--chargeback-by", "tag:team", "--format", "csv",
                    "--output-dir", str(out))
    assert files.returncode == 0, files.stderr
    # stable names: a monthly job's run replaces the previous run's files, never writes "_2" files beside them
    assert sorted(p.name for p in out.iterdir()) == ["bedrock_chargeback_2025-11_tag-team.csv",
                                                     "bedrock_chargeback_2025-11_tag-team_unpriced.csv"]
    with (out / "bedrock_chargeback_2025-11_tag-team.csv").open() as handle:
        assert next(csv.reader(handle)) == columns + [*COVERAGE_COLUMNS, "tz", "filters", *ACCURACY_COLUMNS]
    assert all(f"`{name}`" in docs for name in ["tz", "filters", *COVERAGE_COLUMNS, *ACCURACY_COLUMNS])
    with (out / "bedrock_chargeback_2025-11_tag-team_unpriced.csv").open() as handle:
        unpriced = list(csv.DictReader(handle))
    assert "example.unlisted-model-v1:0" in {r["model_id"] for r in unpriced}
    # forwarded on its own, the file still names its month, grouping and zone
    assert {(r["month"], r["group_by"], r["tz"]) for r in unpriced} == {("2025-11", "tag:team", "UTC")}


@pytest.mark.slow
def test_partial_month_in_every_form_exit_0(partial_logs: Path, no_aws_env: dict[str, str], tmp_path: Path) -> None:
    want = expected_coverage(PARTIAL, "UTC", "2025-11", datetime.now(UTC).date())
    result = run_cli(no_aws_env, partial_logs, "--chargeback", "2025-11", "--format", "json", "--output-dir", "-")
    assert result.returncode == 0, result.stderr  # a warning: the figures are what the logs hold
    doc = json.loads(result.stdout)
    assert doc["coverage"] == want
    warning = doc["warnings"][0]
    assert warning.startswith(f"PARTIAL MONTH: logs cover {want['first_day']} .. {want['last_day']}")
    assert "before logging began" in warning
    assert f"warning: {warning}\n" in result.stderr  # a file is read later: the run says so as it writes it

    terminal = run_cli(no_aws_env, partial_logs, "--chargeback", "2025-11")
    assert terminal.returncode == 0 and terminal.stdout.splitlines()[2] == warning  # the same line everywhere
    assert "warning:" not in terminal.stderr  # standard output already opens with it

    files = run_cli(no_aws_env, partial_logs, "--chargeback", "2025-11", "--format", "csv", "--output-dir",
                    str(tmp_path))
    assert files.returncode == 0 and f"warning: {warning}\n" in files.stderr
    with (tmp_path / "bedrock_chargeback_2025-11_application.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    stamp = {f"coverage_{name}": str(want[name]) for name in
             ("first_day", "last_day", "through", "days_in_month", "days_with_records", "days_without_records",
              "complete")}
    assert rows and all({k: row[k] for k in stamp} == stamp for row in rows)
    end = [*COVERAGE_COLUMNS, "tz", "filters", *ACCURACY_COLUMNS]
    assert list(rows[0])[-len(end):] == end
    assert rows[0]["tz"] == "UTC"
    assert rows[0]["filters"] == ""


@pytest.mark.parametrize(("args", "message"), [
    (("--chargeback", "2025-13"), "not a month of the year"),
    (("--chargeback", "2099-01"), "starts after today"),
    (("--chargeback", "2025-11", "--chargeback-by", "team"), "application, user or tag:KEY"),
    (("--chargeback", "2025-11", "--reconcile"), "choose one of --reconcile, --chargeback"),
    (("--chargeback", "2025-11", "--output-dir", "-"), "add --format json"),
])
@pytest.mark.slow
def test_chargeback_mistakes_are_exit_1(logs: Path, no_aws_env: dict[str, str], args: tuple, message: str) -> None:
    result = run_cli(no_aws_env, logs, *args)
    assert result.returncode == 1 and message in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("tz", ["UTC", "Asia/Seoul"])
def test_chargeback_of_logs_begun_mid_month_says_which_days_they_cover(partial_logs: Path, tz: str) -> None:
    facts = month_facts(partial_logs, "2025-11", tz)
    result = build_chargeback(facts, "2025-11", tz, "application", now=LATER)
    want = expected_coverage(PARTIAL, tz, "2025-11", LATER.date())
    assert chargeback_document(result)["coverage"] == want
    held = local_days(PARTIAL, tz, "2025-11")
    gaps = [day for day in want["missing_days"] if want["first_day"] < day < want["last_day"]]
    assert want["first_day"] > "2025-11-01" and want["last_day"] < "2025-11-30" and gaps  # what the corpus is for
    warning = result.warnings[0]
    assert warning.startswith(f"PARTIAL MONTH: logs cover {want['first_day']} .. {want['last_day']} ({len(held)} of "
                              f"30 days with records, {want['days_without_records']} without any): ")
    assert "the chargeback leaves out spend before logging began" in warning
    assert f"no records after {want['last_day']}: the chargeback leaves out spend after the logs stop" in warning
    assert f"{len(gaps)} days in between without any record ({', '.join(gaps)})" in warning
    assert chargeback_text(result).splitlines()[2] == warning and warning.endswith(".")
    assert result.grand_total["calls"] == sum(1 for r in PARTIAL if local_days([r], tz, "2025-11"))


def test_chargeback_of_the_month_in_progress_runs_to_today(tmp_path: Path) -> None:
    write_local(tmp_path / "logs", STARTED)
    facts = month_facts(tmp_path / "logs", "2025-11", "UTC")
    today = build_chargeback(facts, "2025-11", "UTC", "user", now=datetime(2025, 11, 6, 12, tzinfo=UTC))
    assert chargeback_document(today)["coverage"] == expected_coverage(STARTED, "UTC", "2025-11", date(2025, 11, 6))
    assert today.warnings == ["PARTIAL MONTH: logs cover 2025-11-01 .. 2025-11-06 (6 of 30 days with records): the "
                              "month is not over (month to 2025-11-06, today included)."]
    tomorrow = build_chargeback(facts, "2025-11", "UTC", "user", now=datetime(2025, 11, 7, 1, tzinfo=UTC))
    assert chargeback_document(tomorrow)["coverage"] == expected_coverage(STARTED, "UTC", "2025-11",
                                                                          date(2025, 11, 7))
    assert tomorrow.warnings[0].endswith("the month is not over (month to 2025-11-07, today included); no records "
                                         "after 2025-11-06 yet.")


def test_a_chargeback_on_the_months_last_day_is_not_the_whole_month(logs: Path) -> None:
    """A month-end close run at 00:05 on the 30th misses the 30th's calls to come: the month is not over."""
    facts = month_facts(logs, "2025-11", "UTC")
    closing = build_chargeback(facts, "2025-11", "UTC", "application", now=datetime(2025, 11, 30, 0, 5, tzinfo=UTC))
    assert chargeback_document(closing)["coverage"] == expected_coverage(usage(), "UTC", "2025-11", date(2025, 11, 30))
    assert not closing.coverage.complete
    assert closing.warnings[0].endswith("the month is not over (month to 2025-11-30, today included).")
    # in Los Angeles it is still the 29th at 05:00 UTC on the 30th
    west = build_chargeback(month_facts(logs, "2025-11", "America/Los_Angeles"), "2025-11", "America/Los_Angeles",
                            "application", now=datetime(2025, 11, 30, 5, tzinfo=UTC))
    assert west.coverage.in_progress and west.coverage.through == date(2025, 11, 29)


def test_a_filtered_chargeback_speaks_of_matching_calls_not_of_logging(partial_logs: Path) -> None:
    facts = month_facts(partial_logs, "2025-11", "UTC")
    result = build_chargeback(facts, "2025-11", "UTC", "application", now=LATER, filtered=True)
    first = local_days(PARTIAL, "UTC", "2025-11")
    assert f"no matching calls before {min(first)}" in result.warnings[0]
    assert "logging began" not in result.warnings[0] and "logs stop" not in result.warnings[0]
    empty = build_chargeback(facts.iloc[0:0], "2025-11", "UTC", "application", now=LATER, filtered=True)
    assert empty.warnings[0].endswith("no call matches the filters.")


def test_chargeback_of_a_whole_month_has_no_coverage_warning(logs: Path) -> None:
    assert len(local_days(usage(), "UTC", "2025-11")) == 30  # every day of November has calls
    facts = month_facts(logs, "2025-11", "UTC")
    result = build_chargeback(facts, "2025-11", "UTC", "application", now=LATER)
    assert chargeback_document(result)["coverage"] == expected_coverage(usage(), "UTC", "2025-11", LATER.date())
    assert result.coverage.complete and not any("logs cover" in line for line in result.warnings)
    assert chargeback_text(result).splitlines()[2] == ("Whole month: logs cover 2025-11-01 .. 2025-11-30 (30 of 30 "
                                                       "days with records).")


def test_a_month_not_begun_is_refused() -> None:
    new_year_eve = datetime(2025, 12, 31, 20, tzinfo=UTC)
    with pytest.raises(UsageError, match=r"^the period 2026-01-01 \.\. 2026-01-31 \(UTC\) starts after today"):
        through_day(month_period("2026-01", "UTC"), new_year_eve)
    assert through_day(month_period("2026-01", "Asia/Seoul"), new_year_eve) == date(2026, 1, 1)  # 05:00 in Seoul


def test_month_period() -> None:
    assert month_period("2024-02", "Asia/Seoul") == Period(date(2024, 2, 1), date(2024, 2, 29), "Asia/Seoul")
    with pytest.raises(UsageError, match=r"^month '2024-2' is not in YYYY-MM form$"):
        month_period("2024-2", "UTC")


@pytest.mark.parametrize("args", [("--chargeback", "2025-13"), ("--developer-costs", "2025-00")])
def test_a_month_past_12_or_0_is_refused_as_such(no_aws_env: dict[str, str], tmp_path: Path, args: tuple) -> None:
    """'2025-13' is in YYYY-MM form, yet was refused as 'not in YYYY-MM form', sending the user to the format they
    had written; the line now says what is wrong with it, before any log is read."""
    env = {**no_aws_env, CACHE_ENV: str(tmp_path / "cache")}
    result = subprocess.run([sys.executable, str(ROOT / "bedrock_tracker_cli.py"), "--demo", *args],
                            capture_output=True, text=True, env=env, cwd=ROOT, timeout=60)
    assert result.returncode == 1
    last = result.stderr.splitlines()[-1]
    assert last == f"error: month '{args[1]}' is not a month of the year: MM goes from 01 to 12"


def test_developer_costs_join_sso_emails_and_prorate_seats(logs: Path) -> None:
    facts, _, _ = BedrockAthenaTracker(LocalEngine(logs)).facts(Period(date(2025, 11, 1), date(2025, 11, 30)),
                                                               ("us-east-1",), Filters())
    users = [QDevUser("Alex@Example.com", "d-1.alex", requests=12, events=40, q_developer=True),
             QDevUser("d-1.casey", "d-1.casey", requests=3, q_developer=True),
             QDevUser("bora@example.com", "b0ra", kiro=True, kiro_tier="PRO_PLUS", kiro_credits_in_plan=812.5,
                      kiro_overage_credits=0.0, kiro_cost_usd=20.0),
             QDevUser("dana@example.com", "d4na", kiro=True, kiro_tier="PRO_MAX", kiro_credits_in_plan=10.0)]
    table = developer_costs(facts, users, date(2025, 11, 1), date(2025, 11, 15))
    rows = {r["developer"].lower(): r for r in table.to_dict("records")}
    # SSO users only: IAM users and application roles are not developers here.
    assert set(rows) == {"alex@example.com", "bora@example.com", "d-1.casey", "dana@example.com"}
    expected = expected_rows(usage(), "2025-11", "user")
    alex = rows["alex@example.com"]
    assert alex["qdev_user_ids"] == "d-1.alex" and alex["qdev_requests"] == 12 and alex["qdev_events"] == 40
    assert alex["bedrock_calls"] == expected[("alex@example.com", "")]["calls"]
    assert alex["bedrock_cost_usd"] == pytest.approx(math.fsum(expected[("alex@example.com", "")]["terms"]), abs=1e-9)
    assert alex["seat_cost_usd"] == pytest.approx(19.0 * 15 / 30) and math.isnan(alex["kiro_cost_usd"])
    assert alex["total_cost_usd"] == pytest.approx(alex["bedrock_cost_usd"] + 9.5)
    bora = rows["bora@example.com"]  # Bedrock as an SSO session, Kiro through the e-mail of the Kiro report
    assert bora["seat_cost_usd"] == 0 and bora["kiro_tier"] == "PRO_PLUS" and bora["kiro_credits_in_plan"] == 812.5
    assert bora["total_cost_usd"] == pytest.approx(bora["bedrock_cost_usd"] + 20.0)
    assert rows["d-1.casey"]["bedrock_calls"] == 0
    dana = rows["dana@example.com"]  # a tier without a published price: unknown, not 0
    assert math.isnan(dana["kiro_cost_usd"])
    assert math.isnan(dana["total_cost_usd"])  # a part with no figure leaves the total unknown, never 0


SPELLING_HAIKU, SPELLING_UNLISTED = "anthropic.claude-3-haiku-20240307-v1:0", "example.unlisted-model-v1:0"


def spelling_records() -> list[dict]:
    """SSO calls of two people, each signing in with their e-mail in two letter cases."""
    calls = [("Jisoo.Kim@Example.com", SPELLING_HAIKU, 1_000), ("jisoo.kim@example.com", SPELLING_HAIKU, 3_000),
             ("jisoo.kim@example.com", SPELLING_UNLISTED, 5_000), ("Lee@Example.com", SPELLING_UNLISTED, 7_000),
             ("lee@example.com", SPELLING_UNLISTED, 9_000)]
    return [{"schemaType": "ModelInvocationLog", "schemaVersion": "1.0",
             "timestamp": f"2025-11-{n + 3:02d}T10:00:00Z", "accountId": ACCOUNT,
             "identity": {"arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/{SSO}/{email}"}, "region": "us-east-1",
             "requestId": f"spelling-{n}", "operation": "Converse", "modelId": model,
             "input": {"inputTokenCount": tokens}, "output": {"outputTokenCount": tokens // 10}}
            for n, (email, model, tokens) in enumerate(calls)]


def test_a_chargeback_by_user_and_the_user_table_name_one_e_mail_once(tmp_path: Path) -> None:
    records = spelling_records()
    write_local(tmp_path / "logs", records)
    report = BedrockAthenaTracker(LocalEngine(tmp_path / "logs")).analyze(
        Period(date(2025, 11, 1), date(2025, 11, 30)), ("us-east-1",), Filters())
    expected: dict[str, list[dict]] = defaultdict(list)  # the calls of each person, their e-mail case aside
    for r in records:
        expected[r["identity"]["arn"].rsplit("/", 1)[1].lower()].append(r)
    spellings = {person: person for person in expected}  # the lower-case e-mail, whatever the period's spellings

    rows = build_chargeback(report.facts, "2025-11", "UTC", "user").rows
    totals = rows.loc[rows["row_type"] == "group_total"].set_index("group")
    users = report.tables["user"].set_index("user")
    for person, own in expected.items():
        tokens = sum(r["input"]["inputTokenCount"] for r in own)
        assert (totals.loc[spellings[person], "calls"], totals.loc[spellings[person], "input_tokens"]) == (
            len(own), tokens), person
        assert (users.loc[spellings[person], "calls"], users.loc[spellings[person], "input_tokens"]) == (
            len(own), tokens), person
    assert len(totals) == len(users) == len(expected)


@pytest.mark.slow
def test_a_person_keeps_one_name_whatever_spellings_the_period_holds(tmp_path: Path) -> None:
    """A month with only ``Lee@Example.com`` and one with only ``lee@example.com`` name the same chargeback group."""
    records = spelling_records()
    write_local(tmp_path / "logs", records)
    tracker = BedrockAthenaTracker(LocalEngine(tmp_path / "logs"))
    for r in records:
        day = date.fromisoformat(r["timestamp"][:10])
        report = tracker.analyze(Period(day, day), ("us-east-1",), Filters())
        groups = build_chargeback(report.facts, "2025-11", "UTC", "user").rows["group"]
        assert set(groups) - {""} == {r["identity"]["arn"].rsplit("/", 1)[1].lower()}, day


def test_the_unpriced_usage_table_shows_cache_tokens(tmp_path: Path) -> None:
    records = [{"schemaType": "ModelInvocationLog", "schemaVersion": "1.0", "accountId": ACCOUNT,
                "timestamp": f"2025-11-0{n + 3}T10:00:00Z", "identity": {"arn": f"arn:aws:iam::{ACCOUNT}:user/ann"},
                "region": "us-east-1", "requestId": f"cached-{n}", "operation": "Converse",
                "modelId": SPELLING_UNLISTED,
                "input": {"inputTokenCount": 100 * (n + 1), "cacheReadInputTokenCount": 7_000 * (n + 1),
                          "cacheWriteInputTokenCount": 900 * (n + 1)},
                "output": {"outputTokenCount": 10 * (n + 1)}} for n in range(2)]
    write_local(tmp_path / "logs", records)
    report = BedrockAthenaTracker(LocalEngine(tmp_path / "logs")).analyze(
        Period(date(2025, 11, 1), date(2025, 11, 30)), ("us-east-1",), Filters())

    text = chargeback_text(build_chargeback(report.facts, "2025-11", "UTC", "application"))

    unpriced = text[text.index("Unpriced usage"):].splitlines()
    assert unpriced[1].split()[-4:] == ["Cache", "read", "Cache", "write"]
    [row] = [line.split() for line in unpriced[3:] if SPELLING_UNLISTED in line]
    expected = [sum(r["input"][name] for r in records)
                for name in ("inputTokenCount", "cacheReadInputTokenCount", "cacheWriteInputTokenCount")]
    expected.insert(1, sum(r["output"]["outputTokenCount"] for r in records))
    assert [int(cell.replace(",", "")) for cell in row[-4:]] == expected


def test_developer_costs_add_the_spellings_of_one_e_mail(tmp_path: Path) -> None:
    haiku = SPELLING_HAIKU
    records = spelling_records()
    write_local(tmp_path / "logs", records)
    facts, _, _ = BedrockAthenaTracker(LocalEngine(tmp_path / "logs")).facts(
        Period(date(2025, 11, 1), date(2025, 11, 30)), ("us-east-1",), Filters())
    rows = {r["developer"]: r for r in developer_costs(facts, [], date(2025, 11, 1),
                                                               date(2025, 11, 30)).to_dict("records")}
    assert set(rows) == {"jisoo.kim@example.com", "lee@example.com"}
    for person, row in rows.items():
        own = [r for r in records if r["identity"]["arn"].lower().endswith("/" + person)]
        priced = [r for r in own if r["modelId"] == haiku]
        terms = [r["input"]["inputTokenCount"] * published_rates(haiku, date(2025, 11, 3), False)[0] / 1000
                 + r["output"]["outputTokenCount"] * published_rates(haiku, date(2025, 11, 3), False)[1] / 1000
                 for r in priced]
        assert row["bedrock_calls"] == len(own), person
        assert row["bedrock_tokens"] == sum(r["input"]["inputTokenCount"] + r["output"]["outputTokenCount"]
                                            for r in own), person
        assert row["bedrock_unpriced_calls"] == len(own) - len(priced), person
        if priced:
            assert row["bedrock_cost_usd"] == pytest.approx(math.fsum(terms), abs=1e-12), person
        else:  # nothing priced in either spelling: unknown, not 0
            assert math.isnan(row["bedrock_cost_usd"]) and math.isnan(row["total_cost_usd"]), person


def test_developer_costs_add_the_q_and_kiro_figures_of_every_spelling() -> None:
    """Two Amazon Q / Kiro users whose e-mails differ only in case are one person: ids, requests, events, credits
    and Kiro cost add up (one seat), and a spelling whose Kiro cost is unknown leaves the person's cost unknown."""
    first, last = date(2025, 11, 1), date(2025, 11, 30)
    users = [QDevUser("Ann@Example.com", "id-1", requests=3, events=2, q_developer=True, kiro=True, kiro_tier="PRO",
                      kiro_credits_in_plan=120.0, kiro_overage_credits=20.0, kiro_cost_usd=20.8),
             QDevUser("ann@example.com", "id-2", requests=4, events=5, q_developer=True, kiro=True, kiro_tier="PRO",
                      kiro_credits_in_plan=30.5, kiro_overage_credits=0.0, kiro_cost_usd=19.0),
             QDevUser("Bo@Example.com", "id-3", requests=1, kiro=True, kiro_tier="PRO_MAX", kiro_cost_usd=None),
             QDevUser("bo@example.com", "id-4", requests=2, kiro=True, kiro_tier="", kiro_cost_usd=None)]
    rows = {r["developer"].lower(): r for r in developer_costs(pd.DataFrame(), users, first, last).to_dict("records")}
    assert set(rows) == {"ann@example.com", "bo@example.com"}
    ann = rows["ann@example.com"]
    assert (ann["qdev_user_ids"], ann["qdev_requests"], ann["qdev_events"]) == ("id-1, id-2", 7, 7)
    assert (ann["kiro_credits_in_plan"], ann["kiro_overage_credits"]) == (150.5, 20.0)
    assert ann["kiro_cost_usd"] == pytest.approx(39.8)
    assert ann["seat_cost_usd"] == pytest.approx(19.0)  # one seat for the whole month of November
    assert ann["total_cost_usd"] == pytest.approx(39.8 + 19.0)
    bo = rows["bo@example.com"]
    assert bo["qdev_requests"] == 3 and math.isnan(bo["kiro_cost_usd"]) and math.isnan(bo["total_cost_usd"])
    assert "Kiro cost unknown for 1 developer(s)" in developer_warnings(users)[0]


@pytest.mark.usefixtures("offline")
def test_developer_costs_charge_one_kiro_seat_for_two_spellings_of_an_email_id(tmp_path: Path) -> None:
    """Kiro rows whose UserId is one e-mail in two letter cases: one developer at the tier of the latest row, Pro+
    ($40 a month, kiro.dev) over 15 of November's 30 days, never a Pro seat beside it."""
    first, last = date(2026, 11, 1), date(2026, 11, 15)
    write_report(tmp_path, date(2026, 11, 2), [ana(date(2026, 11, 2), 100, UserId="Alice@Example.com",
                                                   User_Email="")])
    write_report(tmp_path, date(2026, 11, 3), [ana(date(2026, 11, 3), 50, UserId="alice@example.com",
                                                   User_Email="", Subscription_Tier="PRO_PLUS")])
    users = qdev_people(kiro_of(tmp_path, first, last))
    (row,) = developer_costs(pd.DataFrame(), users, first, last).to_dict("records")
    assert (row["developer"], row["kiro_tier"], row["kiro_credits_in_plan"]) == ("alice@example.com", "PRO_PLUS", 150)
    assert row["kiro_cost_usd"] == pytest.approx(40 * 15 / 30, rel=1e-12)
    assert row["total_cost_usd"] == pytest.approx(40 * 15 / 30, rel=1e-12)


@pytest.mark.usefixtures("offline")
def test_a_kiro_user_the_reports_have_no_row_for_is_not_told_to_turn_them_on(tmp_path: Path) -> None:
    """The reports are on and hold Ana's row; the person of the Kiro prompt log has none."""
    first, last = date(2026, 11, 1), date(2026, 11, 30)
    write_kiro_chat(tmp_path, "us-east-1", "2026-11-03T10:00:00.000000Z", "claude-sonnet-4.5", "Fix it", "Done.")
    write_report(tmp_path, date(2026, 11, 5), [ana(date(2026, 11, 5), 10)])
    users = qdev_people(analyze_qdev(Source(LocalStore(tmp_path)), Period(first, last)))
    lines = developer_warnings(users)
    assert lines[0] == (f"Kiro cost unknown for 1 developer(s) the Kiro user reports have no row for in the period "
                        f"({COST_USER})")
    assert not any("turn on the reports" in line for line in lines)


@pytest.mark.slow
def test_developer_costs_cli_with_q_developer_and_kiro_logs(logs: Path, no_aws_env: dict[str, str],
                                                            tmp_path: Path) -> None:
    qdev = write_qdev_corpus(tmp_path / "qdev", start=date(2025, 11, 3), end=date(2025, 11, 16), users=4,
                             emails=["alex@example.com", "casey@example.com", "drew@example.com", "bora@example.com"])
    kiro_user = qdev.users[3]  # every fourth user also uses Kiro: named by the e-mail of the Kiro report
    assert kiro_user.uses_kiro and kiro_user.email == "bora@example.com"
    user_map = tmp_path / "users.csv"
    with user_map.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["userId", "email"])
        writer.writerows((user.user_id, user.email) for user in qdev.users[:3])  # the Kiro user is not in it
    result = run_cli(no_aws_env, logs, "--developer-costs", "2025-11", "--qdev-logs-dir", str(tmp_path / "qdev"),
                     "--user-map", str(user_map), "--format", "json", "--output-dir", "-")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["schema"] == "bedrock-usage/developer-costs/v3" and "$19" in doc["seat"]
    rows = {r["developer"]: r for r in doc["rows"]}
    assert set(qdev.emails.values()) == set(rows)
    alex = rows["alex@example.com"]  # in both: Bedrock as an SSO session, Q Developer through the map
    assert alex["seat_cost_usd"] == pytest.approx(19.0) and alex["bedrock_calls"] > 0 and alex["qdev_requests"] > 0
    assert alex["total_cost_usd"] == pytest.approx(alex["bedrock_cost_usd"] + 19.0)
    bora = rows["bora@example.com"]
    credits = kiro_report_credits(tmp_path / "qdev", kiro_user.store_user_id, "2025-11")
    assert bora["bedrock_calls"] > 0 and bora["kiro_tier"] == kiro_user.tier
    assert bora["kiro_credits_in_plan"] + bora["kiro_overage_credits"] == pytest.approx(credits)
    allowance, price = {"PRO": (1000, 20.0), "PRO_PLUS": (2000, 40.0), "POWER": (10000, 200.0)}[kiro_user.tier]
    assert bora["kiro_cost_usd"] == pytest.approx(price + bora["kiro_overage_credits"] * 0.04)
    assert bora["total_cost_usd"] == pytest.approx(bora["bedrock_cost_usd"] + bora["seat_cost_usd"]
                                                   + bora["kiro_cost_usd"])
    assert not any("no e-mail" in line for line in doc["warnings"])
    files = run_cli(no_aws_env, logs, "--developer-costs", "2025-11", "--qdev-logs-dir", str(tmp_path / "qdev"),
                    "--user-map", str(user_map), "--format", "csv", "--output-dir", str(tmp_path / "out"))
    assert files.returncode == 0, files.stderr
    with (tmp_path / "out" / "bedrock_developer_costs_2025-11.csv").open() as handle:
        stamps = {(row["period_start"], row["period_end"], row["tz"]) for row in csv.DictReader(handle)}
    assert stamps == {("2025-11-01", "2025-11-30", "UTC")}  # a file forwarded alone says what it covers


@pytest.mark.usefixtures("offline")
def test_developer_costs_say_what_the_amazon_q_side_skipped(logs: Path, no_aws_env: dict[str, str], tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    """A Kiro report row with a bad number and a prompt log cut short are skipped by the Amazon Q / Kiro report;
    the developer costs say so in their warnings (JSON, and stderr), as qcli_s3_analyzer.py does, so the credits
    shown are never taken for the whole month's."""
    qdev = tmp_path / "qdev"
    write_report(qdev, date(2025, 11, 2), [ana(date(2025, 11, 2), 100)])
    write_report(qdev, date(2025, 11, 3), [ana(date(2025, 11, 3), "30.25abc")])
    folder = (qdev / "AWSLogs" / KIRO_ACCOUNT / "QDeveloperLogs" / "GenerateAssistantResponse" / "us-east-1"
              / "2025" / "11" / "04" / "10")
    folder.mkdir(parents=True)
    whole = gzip.compress(json.dumps({"records": []}).encode() * 20)
    (folder / f"{KIRO_ACCOUNT}_GenerateAssistantResponse_20251104T101000Z_x.json.gz").write_bytes(whole[:20])
    code = bedrock_tracker_cli.main(["--engine", "local", "--logs-dir", str(logs), "--region", "us-east-1",
                                     "--developer-costs", "2025-11", "--qdev-logs-dir", str(qdev), "--format", "json",
                                     "--output-dir", "-"])
    out = capsys.readouterr()
    assert code == 0, out.err
    doc = json.loads(out.out)
    (ana_row,) = [row for row in doc["rows"] if row["developer"] == "ana.silva@example.com"]
    assert ana_row["kiro_credits_in_plan"] == 100  # the readable row only, and the warnings say a row was not read
    skipped = ["Amazon Q / Kiro: skipped 1 unreadable prompt-log file (1 truncated or corrupt gzip)",
               "Amazon Q / Kiro: skipped 1 unusable Kiro user-report row (1 bad number)"]
    assert all(line in doc["warnings"] for line in skipped), doc["warnings"]
    assert all(f"warning: {line}\n" in out.err for line in skipped)


@pytest.mark.usefixtures("offline")
def test_developer_costs_price_a_kiro_tier_from_kiro_prices(logs: Path, no_aws_env: dict[str, str], tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    """``--kiro-prices FILE``, which the warning of an unpriced tier names, prices it as in qcli_s3_analyzer.py: a
    PRO_MAX seat at the file's $100 a month is $100 for the whole of November, 12 overage credits $0.05 each."""
    qdev, prices = tmp_path / "qdev", tmp_path / "kiro.json"
    write_report(qdev, date(2025, 11, 2), [ana(date(2025, 11, 2), 100, Subscription_Tier="PRO_MAX",
                                               Overage_Credits_Used=12)])
    prices.write_text(json.dumps([{"tier": "PRO_MAX", "monthly_usd": 100, "credits": 5000,
                                   "overage_usd_per_credit": 0.05, "source": "our contract"}]))
    argv = ["--engine", "local", "--logs-dir", str(logs), "--region", "us-east-1", "--developer-costs", "2025-11",
            "--qdev-logs-dir", str(qdev), "--format", "json", "--output-dir", "-"]
    assert bedrock_tracker_cli.main(argv) == 0
    unpriced = json.loads(capsys.readouterr().out)
    assert any("add the tier with --kiro-prices FILE" in line for line in unpriced["warnings"])
    assert bedrock_tracker_cli.main([*argv, "--kiro-prices", str(prices)]) == 0
    out = capsys.readouterr()
    doc = json.loads(out.out)
    (ana_row,) = [row for row in doc["rows"] if row["developer"] == "ana.silva@example.com"]
    assert ana_row["kiro_cost_usd"] == pytest.approx(100 + 12 * 0.05, rel=1e-12)
    assert not any("Kiro cost unknown" in line for line in doc["warnings"]), doc["warnings"]


@pytest.mark.usefixtures("offline")
def test_the_developer_table_says_its_requests_are_amazon_qs_and_kiros(tmp_path: Path) -> None:
    """One Amazon Q Developer request and two Kiro requests of one developer: the column holds 3, and its header says
    it counts both products' requests, not Amazon Q Developer's alone beside the Q seat."""
    write_kiro_chat(tmp_path, "us-east-1", "2026-03-02T09:00:00.000000Z", "auto", "Plan the release", "A plan.")
    write_kiro_chat(tmp_path, "us-east-1", "2026-03-02T10:00:00.000000Z", "auto", "Write the notes", "Notes.")
    folder = tmp_path / "AWSLogs" / COST_ACCOUNT / "QDeveloperLogs" / "GenerateAssistantResponse" / "us-east-1"
    (folder / "2026/03/02/11").mkdir(parents=True)
    record = {"generateAssistantResponseEventRequest": {"prompt": "Explain this", "userId": COST_USER,
                                                        "timeStamp": "2026-03-02T11:00:00.000000Z"},
              "generateAssistantResponseEventResponse": {"assistantResponse": "It sorts.", "requestId": "q-1"}}
    (folder / "2026/03/02/11" / "q.json.gz").write_bytes(gzip.compress(json.dumps({"records": [record]}).encode()))
    first, last = date(2026, 3, 1), date(2026, 3, 31)
    people = qdev_people(analyze_qdev(Source(LocalStore(tmp_path)), Period(first, last)))
    text = developers_text(developer_costs(pd.DataFrame(), people, first, last), "2026-03", "a note", [])
    header, _, row = text.splitlines()[3:6]
    cells = dict(zip(re.split(r"\s{2,}", header.strip()), re.split(r"\s{2,}", row.strip()), strict=True))
    assert cells["Developer"] == COST_USER and cells["Q+Kiro requests"] == "3"


def kiro_report_credits(root: Path, user: str, month: str) -> float:
    """In-plan plus overage credits of ``user`` in ``month``, from the Kiro user reports under ``root``."""
    total = 0.0
    for path in root.rglob("*_user_report_*.csv"):
        for row in csv.DictReader(path.read_text().splitlines()):
            if row["UserId"] == user and row["Date"].startswith(month):
                total += float(row["Credits_Used"] or 0) + float(row["Overage_Credits_Used"] or 0)
    return total


def test_user_map_needs_its_columns(tmp_path: Path) -> None:
    path = tmp_path / "map.csv"
    path.write_text("id,mail\nx,y@z\n")
    with pytest.raises(UsageError, match="userId and email"):
        read_user_map(path)
    uuid = "aaaaaaaa-0000-4000-8000-000000000001"
    path.write_text(f"UserId,Email,DisplayName\nd-1234567890.{uuid},A@example.com,Ann\n")
    (identity,) = read_user_map(path).items()
    assert identity[0] == uuid and (identity[1].email, identity[1].display_name) == ("a@example.com", "Ann")



def test_chargeback_files_of_other_groupings_have_other_names() -> None:
    """Tag keys that make the same file name each get files of their own; the same report keeps its name, so a
    monthly job replaces its previous run (a run in another zone too: its rows say which, in ``tz``)."""
    keys = ["tag:team/name", "tag:team-name", "tag:team name", "tag:team:name", "tag:team_name"]
    stems = [chargeback_stem("2026-11", key) for key in keys]
    assert len(set(stems)) == len(keys) and stems[1] == "bedrock_chargeback_2026-11_tag-team-name"
    assert stems == [chargeback_stem("2026-11", key) for key in keys]
    assert chargeback_stem("2026-11", "application") == "bedrock_chargeback_2026-11_application"


@pytest.mark.slow
def test_a_chargeback_of_some_calls_never_replaces_the_months_files(logs: Path, no_aws_env: dict[str, str],
                                                                    tmp_path: Path) -> None:
    """``--model`` (or a pattern, or ``--region``) narrows the calls: the files are named apart, by a digest of the
    filters, and every row and the JSON say what narrowed them; the whole month's files stay as they were."""
    whole = run_cli(no_aws_env, logs, "--chargeback", "2025-11", "--format", "csv", "--output-dir", str(tmp_path))
    assert whole.returncode == 0, whole.stderr
    month_file = tmp_path / "bedrock_chargeback_2025-11_application.csv"
    before = month_file.read_bytes()
    model = "anthropic.claude-3-haiku-20240307-v1:0"
    some = run_cli(no_aws_env, logs, "--chargeback", "2025-11", "--model", model, "--format", "csv", "--output-dir",
                   str(tmp_path))
    assert some.returncode == 0, some.stderr
    assert month_file.read_bytes() == before
    narrowed = sorted(p.name for p in tmp_path.glob("bedrock_chargeback_2025-11_application_filtered-*.csv"))
    assert len(narrowed) == 2 and re.fullmatch(r"bedrock_chargeback_2025-11_application_filtered-[0-9a-f]{8}\.csv",
                                               narrowed[0]), narrowed
    with (tmp_path / narrowed[0]).open() as handle:
        rows = list(csv.DictReader(handle))
    assert {json.dumps(json.loads(row["filters"]), sort_keys=True) for row in rows} == {
        json.dumps({"models": [model]})}
    expected = sum(1 for record in usage() if record["modelId"] == model and record["timestamp"].startswith("2025-11"))
    assert int(next(row for row in rows if row["row_type"] == "grand_total")["calls"]) == expected > 0
    with month_file.open() as handle:
        assert {row["filters"] for row in csv.DictReader(handle)} == {""}
    doc = run_cli(no_aws_env, logs, "--chargeback", "2025-11", "--region", "us-east-1", "--format", "json",
                  "--output-dir", "-")
    assert json.loads(doc.stdout)["filters"] == {"regions": ["us-east-1"]}
    terminal = run_cli(no_aws_env, logs, "--chargeback", "2025-11", "--arn-pattern", "Chatbot")
    assert 'Only the calls of {"arn_pattern":"Chatbot"}' in terminal.stdout
    every = run_cli(no_aws_env, logs, "--chargeback", "2025-11", "--region", "all", "--format", "json",
                    "--output-dir", "-")
    assert json.loads(every.stdout)["filters"] == {}  # 'all' regions narrows nothing: the month's own files


def test_the_same_filters_in_another_order_name_the_same_files() -> None:
    """A filtered chargeback's files are named by its filters, whatever order the options came in."""
    forward = chargeback_stem("2026-11", "application", {"models": ["a.m-v1:0", "b.m-v1:0"], "regions": ["x", "y"]})
    backward = chargeback_stem("2026-11", "application", {"regions": ["y", "x"], "models": ["b.m-v1:0", "a.m-v1:0"]})
    assert forward == backward and forward.startswith("bedrock_chargeback_2026-11_application_filtered-")
    assert chargeback_stem("2026-11", "application", {"models": ["a.m-v1:0"]}) != forward


@pytest.mark.slow
def test_calls_without_the_tag_have_the_label_the_warning_names(logs: Path, no_aws_env: dict[str, str],
                                                                tmp_path: Path) -> None:
    """No call carries ``team/name``: the warning says every call is under (none), and so do the rows."""
    result = run_cli(no_aws_env, logs, "--chargeback", "2025-11", "--chargeback-by", "tag:team/name", "--format",
                     "csv", "--output-dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "its table has every call under (none)" in result.stderr
    [path] = [p for p in tmp_path.iterdir() if not p.name.endswith("_unpriced.csv")]
    with path.open() as handle:
        groups = {row["group"] for row in csv.DictReader(handle) if row["row_type"] != "grand_total"}
    assert groups == {"(none)"}


def test_developer_costs_of_a_month_to_come_are_refused(logs: Path, no_aws_env: dict[str, str],
                                                        tmp_path: Path) -> None:
    result = run_cli(no_aws_env, logs, "--developer-costs", "2099-01", "--qdev-logs-dir", str(tmp_path))
    assert result.returncode == 1 and result.stderr.startswith("error: the period 2099-01-01 .. 2099-01-31 (UTC) "
                                                               "starts after today")


@pytest.mark.slow
def test_developer_costs_of_the_month_in_progress_prorate_through_today(no_aws_env: dict[str, str],
                                                                        tmp_path: Path) -> None:
    """Seats and Kiro tiers are never prorated over days to come; the month says PARTIAL MONTH as a chargeback's."""
    today = datetime.now(UTC).date()
    first = today.replace(day=1)
    days = (first.replace(month=first.month % 12 + 1, year=first.year + first.month // 12) - first).days
    alex = CALLERS[3][0]
    write_local(tmp_path / "logs", [{**record, "timestamp": f"{first}T00:30:00Z", "identity": {"arn": alex}}
                                    for record in usage()[:3]])
    qdev = write_qdev_corpus(tmp_path / "qdev", start=first, end=today, users=4,
                             emails=["alex@example.com", "casey@example.com", "drew@example.com", "bora@example.com"])
    month = first.strftime("%Y-%m")
    args = ("--developer-costs", month, "--qdev-logs-dir", str(tmp_path / "qdev"))
    doc_run = run_cli(no_aws_env, tmp_path / "logs", *args, "--format", "json", "--output-dir", "-")
    text_run = run_cli(no_aws_env, tmp_path / "logs", *args)
    if datetime.now(UTC).date() != today:
        pytest.skip("the month's day changed during the test")
    assert doc_run.returncode == 0 and text_run.returncode == 0, doc_run.stderr + text_run.stderr
    doc = json.loads(doc_run.stdout)
    partial = (f"PARTIAL MONTH: logs cover {first} .. {first} (1 of {days} days with records"
               + ("" if today == first else f", {today.day - 1} without any"))
    assert doc["warnings"][0].startswith(partial) and "the month is not over" in doc["warnings"][0]
    assert f"warning: {doc['warnings'][0]}\n" in doc_run.stderr
    assert text_run.stdout.splitlines()[2] == doc["warnings"][0]
    assert f"prorated by day over {first} .. {today}," in doc["seat"]
    rows = {row["developer"]: row for row in doc["rows"]}
    seated = [row for row in rows.values() if row["seat_cost_usd"]]
    assert seated and all(row["seat_cost_usd"] == pytest.approx(19.0 * today.day / days) for row in seated)
    bora = rows[qdev.users[3].email]  # a Kiro user: the tier's price over the same days
    price = {"PRO": 20.0, "PRO_PLUS": 40.0, "POWER": 200.0}[bora["kiro_tier"]]
    assert bora["kiro_cost_usd"] == pytest.approx(price * today.day / days + bora["kiro_overage_credits"] * 0.04)


def test_a_tag_value_logged_none_is_never_merged_with_calls_without_the_tag(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], no_aws_env: dict[str, str]) -> None:
    """Calls tagged ``(none)`` and calls without the tag are two groups, both labelled ``(none)``, told apart by
    ``group_present`` in JSON and CSV; each group's money is its own calls'."""
    arn, model = CALLERS[0][0], "anthropic.claude-3-haiku-20240307-v1:0"
    tags = [{"team": "(none)"}] * 2 + [None] * 3 + [{"team": ""}, {"team": "ops"}]
    records = [{"schemaType": "ModelInvocationLog", "schemaVersion": "1.0", "accountId": ACCOUNT,
                "timestamp": f"2025-11-0{n + 1}T10:00:00Z", "identity": {"arn": arn}, "region": "us-east-1",
                "requestId": f"none-{n}", "operation": "Converse", "modelId": model,
                "input": {"inputTokenCount": 1000 * (n + 1)}, "output": {"outputTokenCount": 100 * (n + 1)},
                **({"requestMetadata": tag} if tag is not None else {})} for n, tag in enumerate(tags)]
    write_local(tmp_path / "logs", records)
    expected: dict[tuple[str, bool], list[float]] = defaultdict(list)
    for r in records:
        value = (r.get("requestMetadata") or {}).get("team")
        rates = published_rates(model, date.fromisoformat(r["timestamp"][:10]), False)
        expected[("(none)" if value is None else value, value is not None)] += [
            r["input"]["inputTokenCount"] * rates[0] / 1000, r["output"]["outputTokenCount"] * rates[1] / 1000]
    args = ["--engine", "local", "--logs-dir", str(tmp_path / "logs"), "--quiet", "--chargeback", "2025-11",
            "--chargeback-by", "tag:team"]

    assert bedrock_tracker_cli.main([*args, "--format", "json", "--output-dir", "-"]) == 0
    rows = json.loads(capsys.readouterr().out)["rows"]
    assert sorted(r["calls"] for r in rows if r["row_type"] == "group_total" and r["group"] == "(none)") == [2, 3]
    totals = {(r["group"], r["group_present"]): r["estimated_cost_usd"] for r in rows if r["row_type"] == "group_total"}
    assert set(totals) == set(expected)
    for key, terms in expected.items():
        assert totals[key] == pytest.approx(math.fsum(terms), abs=1e-12), key
    assert [r["group_present"] for r in rows if r["row_type"] == "grand_total"] == [None]

    assert bedrock_tracker_cli.main([*args, "--format", "csv", "--output-dir", str(tmp_path / "out")]) == 0
    with (tmp_path / "out" / "bedrock_chargeback_2025-11_tag-team.csv").open() as handle:
        present = {(r["group"], r["group_present"]) for r in csv.DictReader(handle) if r["row_type"] == "group_total"}
    assert present == {(group, str(known)) for group, known in expected}  # as coverage_complete: True, False


def test_the_terminal_tells_a_tag_value_logged_none_from_calls_without_the_tag(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], no_aws_env: dict[str, str]) -> None:
    """The terminal shows the calls without the tag as ``(none)`` and a logged value that could read as a label
    (``(none)``, ``ALL``, empty, or opening with a quote) in double quotes; the CSV keeps the labels as they were."""
    arn, model = CALLERS[0][0], "anthropic.claude-3-haiku-20240307-v1:0"
    tags = [{"team": "(none)"}] * 2 + [None] * 3 + [{"team": ""}, {"team": "ops"}, {"team": '"(none)"'},
                                                    {"team": "ALL"}]
    records = [{"schemaType": "ModelInvocationLog", "schemaVersion": "1.0", "accountId": ACCOUNT,
                "timestamp": f"2025-11-0{n + 1}T10:00:00Z", "identity": {"arn": arn}, "region": "us-east-1",
                "requestId": f"label-{n}", "operation": "Converse", "modelId": model,
                "input": {"inputTokenCount": 100}, "output": {"outputTokenCount": 10},
                **({"requestMetadata": tag} if tag is not None else {})} for n, tag in enumerate(tags)]
    write_local(tmp_path / "logs", records)
    expected: dict[str, int] = defaultdict(int)
    for tag in tags:
        value = None if tag is None else tag["team"]
        quoted = value is not None and (value in ("(none)", "ALL", "") or value.startswith('"'))
        expected["(none)" if value is None else json.dumps(value) if quoted else value] += 1
    args = ["--engine", "local", "--logs-dir", str(tmp_path / "logs"), "--quiet", "--chargeback", "2025-11",
            "--chargeback-by", "tag:team"]

    assert bedrock_tracker_cli.main(args) == 0
    totals = re.findall(r"^(\S.*?)\s{2,}TOTAL\s+(\d+)", capsys.readouterr().out, re.MULTILINE)
    assert sorted((group, int(calls)) for group, calls in totals) == sorted(expected.items())

    assert bedrock_tracker_cli.main([*args, "--format", "csv", "--output-dir", str(tmp_path / "out")]) == 0
    with (tmp_path / "out" / "bedrock_chargeback_2025-11_tag-team.csv").open() as handle:
        groups = sorted(r["group"] for r in csv.DictReader(handle) if r["row_type"] == "group_total")
    assert groups == sorted(["(none)", *{tag["team"] for tag in tags if tag}])  # as logged, unquoted



def test_the_terminal_keeps_the_grand_total_when_max_rows_leaves_rows_out(
        logs: Path, capsys: pytest.CaptureFixture[str], no_aws_env: dict[str, str]) -> None:
    """The month's grand total is the chargeback's headline figure: it stays under the table's last rule however
    many rows ``--max-rows`` leaves out, with the calls, tokens and cost of a plain computation."""
    args = ["--engine", "local", "--logs-dir", str(logs), "--quiet", "--chargeback", "2025-11",
            "--chargeback-by", "application", "--max-rows", "3"]

    assert bedrock_tracker_cli.main(args) == 0
    out = capsys.readouterr().out.splitlines()
    want = expected_rows(usage(), "2025-11", "application")[("", "")]
    table = out[out.index("") + 1:]
    assert re.fullmatch(r"\.\.\. \d+ more rows .*", table[5]) and set(table[6]) <= {"-", " "}
    assert table[7].split()[:7] == ["ALL", "GRAND", "TOTAL", f"{want['calls']:,}", f"{want['input_tokens']:,}",
                                    f"{want['output_tokens']:,}", f"{want['cache_read_tokens']:,}"]
    assert float(table[7].split()[-2].lstrip("$").replace(",", "")) == pytest.approx(math.fsum(want["terms"]),
                                                                                      abs=5e-5)


@pytest.mark.parametrize("calls", [1, 2])
def test_the_unpriced_warning_counts_one_call_as_one(tmp_path: Path, calls: int) -> None:
    records = [{"schemaType": "ModelInvocationLog", "schemaVersion": "1.0", "accountId": ACCOUNT,
                "timestamp": f"2025-11-0{n + 3}T10:00:00Z", "identity": {"arn": f"arn:aws:iam::{ACCOUNT}:user/ann"},
                "region": "us-east-1", "requestId": f"unpriced-{n}", "operation": "Converse",
                "modelId": SPELLING_UNLISTED, "input": {"inputTokenCount": 100}, "output": {"outputTokenCount": 10}}
               for n in range(calls)]
    write_local(tmp_path / "logs", records)
    report = BedrockAthenaTracker(LocalEngine(tmp_path / "logs")).analyze(
        Period(date(2025, 11, 1), date(2025, 11, 30)), ("us-east-1",), Filters())

    warnings = build_chargeback(report.facts, "2025-11", "UTC", "application").warnings

    said = {1: "1 call has no price: its tokens are in the rows, its cost is not",
            2: "2 calls have no price: their tokens are in the rows, their cost is not"}[calls]
    assert [line for line in warnings if "no price" in line] == [f"{said} (see the unpriced table)"]
