"""The dashboard's Governance tab: budgets and anomalies equal bedrock_tracker_cli.py's JSON, reconciliation
against moto's CloudWatch and Cost Explorer, and the budget editor writes what the CLI reads.

Budgets and anomalies run in Streamlit's AppTest on the session's demo corpus (tests/dashboard/conftest.py), with
the example budgets; the CLI reads the same corpus as a subprocess, and a plain-Python pass over the corpus
(tests/oracle.py) checks the all-spend budget and the daily cost per application independently. Reconciliation
needs the Athena source, which moto cannot serve, so its loader is called directly with the local source against
moto; the page's reconciliation controls are driven in AppTest with moto credentials up to the one-line setup
error.
"""

from __future__ import annotations

import base64
import json
import math
import subprocess
import sys
import urllib.request
from collections import defaultdict
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import boto3
import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from bedrock_usage.cache import CACHE_ENV
from bedrock_usage.dashboard.data import (
    BUDGETS_ENV,
    AnomalyRequest,
    BedrockRequest,
    ReconcileRequest,
    budgets_request,
    dashboard_period,
    load_anomalies,
    load_budgets_view,
    load_reconciliation,
)
from bedrock_usage.dashboard.governance_tab import flagged_days, shown_statuses
from bedrock_usage.dashboard.tables import warning_lines
from bedrock_usage.dashboard.text import STRINGS, Text
from bedrock_usage.dashboard.text import plain as markdown_plain
from bedrock_usage.demo.writer import write_local
from bedrock_usage.errors import UsageError
from bedrock_usage.governance.budgets import Budget, load_budgets
from bedrock_usage.governance.render import reconciliation_attention
from bedrock_usage.logs.period import Period
from tests.dashboard.helpers import END, START, TODAY, same_utc_day, shown
from tests.governance.test_anomalies import FIRST as SPEND_FIRST
from tests.governance.test_anomalies import LAST as SPEND_LAST
from tests.governance.test_anomalies import spend_records
from tests.governance.test_reconcile_coverage import DAY as COVERAGE_DAY
from tests.governance.test_reconcile_coverage import HAIKU_3
from tests.governance.test_reconcile_coverage import SONNET as SONNET_35
from tests.governance.test_reconcile_coverage import _reconcile as reconcile_one_day
from tests.logfiles import cli_json as cli_json_of
from tests.logfiles import read_tree, write_records
from tests.oracle import aggregate, caller, published_rates, with_profiles_resolved

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "bedrock_tracker.py"
CLI = ROOT / "bedrock_tracker_cli.py"
BUDGETS = ROOT / "examples" / "budgets.toml"
STATUS_FIGURES = ("month_to_date_usd", "day_usd", "forecast_usd")


def cli_json(env: dict[str, str], *args: str) -> tuple[int, dict]:
    """Exit code and JSON document of a governance mode (exit 3 means it found something to act on)."""
    proc = subprocess.run([sys.executable, str(CLI), "--demo", "--format", "json", "--output-dir", "-", *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=180, check=False)
    assert proc.returncode in (0, 3), proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def open_governance(start: date = START, end: date = END) -> AppTest:
    """The dashboard analysed for the period, with the Governance tab open."""
    at = AppTest.from_file(str(APP), default_timeout=240)
    at.run()
    at.date_input(key="dates").set_value((start, end))
    at.session_state["main_tab"] = "Governance"
    at.button(key="analyze").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def frame_starting(at: AppTest, *columns: str) -> pd.DataFrame:
    """The one table whose first columns are ``columns``."""
    found = [d.value for d in at.dataframe if tuple(d.value.columns[: len(columns)]) == columns]
    assert len(found) == 1, columns
    return found[0]


def load_errors(at: AppTest) -> list[str]:
    """Error boxes that say a view could not be loaded (the budget breach summary is an error box too)."""
    return [shown(e.value) for e in at.error if e.value.startswith(("Cannot analyse", "Setup needed"))]


def chart(at: AppTest, key: str) -> list[dict]:
    """The traces of the plotly figure drawn under ``key``."""
    found = [c for c in at.get("plotly_chart") if key in c.proto.id]
    assert len(found) == 1, key
    return json.loads(found[0].proto.spec)["data"]


def values(array: list | dict) -> list:
    """A trace's x or y: a JSON list, or plotly's base64 typed array."""
    if isinstance(array, dict):
        return list(np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"]))
    return array


def plain(value: object) -> object:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def card_word(lang: str, budget: dict) -> str:
    """A budget's state as its card words it, from the CLI's JSON status (``ok`` or ``BREACHED``) and
    ``forecast_over``."""
    key = ("budget_status_breached" if budget["status"] == "BREACHED" else
           "budget_status_forecast" if budget["forecast_over"] else "budget_status_ok")
    return STRINGS[lang][key]


def oracle_cost(records: list[dict], first: date, last: date) -> dict[str, dict[str, float]]:
    """Estimated cost per application and day, from the plain-Python aggregation and its own price list."""
    costs: dict[str, dict[str, float]] = defaultdict(dict)
    day = first
    while day <= last:
        for (application,), totals in aggregate(with_profiles_resolved(records), day, day)["application"].items():
            if totals.priced_calls:
                costs[application][day.isoformat()] = totals.estimated_cost
        day += timedelta(days=1)
    return costs


@pytest.mark.slow
def test_budgets_and_anomalies_equal_the_cli(demo_env: dict[str, str], demo_cache: Path) -> None:
    at = open_governance()
    assert at.checkbox(key="use_example_budgets").value is True  # demo mode offers the example file, ticked
    assert not load_errors(at)
    assert any("Reconciliation reads CloudWatch" in info.value and "Athena" in info.value for info in at.info)

    code, budgets = cli_json(demo_env, "--check-budgets", str(BUDGETS), "--end-date", END.isoformat())
    assert (code == 3) == bool(budgets["breached"])
    shown = {row["budget"]: row for row in frame_starting(at, "budget", "covers").to_dict("records")}
    assert list(shown) == [row["budget"] for row in budgets["budgets"]]
    for expected in budgets["budgets"]:
        row = shown[expected["budget"]]
        assert row["status"] == card_word("en", expected), expected["budget"]
        assert row["breaches"] == expected["breaches"], expected["budget"]
        for name in STATUS_FIGURES:
            assert plain(row[name]) == pytest.approx(expected[name], rel=1e-9, abs=1e-9), (expected["budget"], name)
        share = expected["monthly_share"]
        assert row["monthly_share"] == ("—" if share is None else f"{share * 100:,.1f}%"), expected["budget"]
        caption = next(c.value for c in at.caption if c.value.startswith(f"`{expected['covers']}`"))
        assert f"**${expected['month_to_date_usd']:,.2f}**" in caption, caption
        if expected["monthly_share"] is not None:  # one decimal, as the table: 99.8% never reads as 100%
            assert f"({expected['monthly_share'] * 100:.1f}%)" in caption, caption
    breached = [e.value for e in at.error if "budgets breached" in e.value]
    if budgets["breached"]:
        assert breached == [f"**{len(budgets['breached'])} of {len(budgets['budgets'])} budgets breached**: "
                            f"{', '.join(budgets['breached'])}"]
    else:
        assert not breached and at.success
    paced = f"the last 7 days ({END - timedelta(days=6)} .. {END}, up to and including the as-of day"
    assert any(c.value.startswith("Forecast: month-to-date cost") and paced in c.value for c in at.caption)

    burndown = frame_starting(at, "budget", "day", "kind")
    assert len(burndown) == len(budgets["burndown"])
    for row, expected in zip(burndown.to_dict("records"), budgets["burndown"], strict=True):
        assert (row["budget"], row["day"], row["kind"]) == (expected["budget"], expected["day"], expected["kind"])
        assert row["cumulative_usd"] == pytest.approx(expected["cumulative_usd"], rel=1e-9, abs=1e-9)
    for expected in budgets["budgets"]:
        figure = chart(at, f"chart_burndown_{expected['budget']}")
        spent = next(trace for trace in figure if trace["name"] == "Spent (cumulative)")
        assert values(spent["y"])[-1] == pytest.approx(expected["month_to_date_usd"], rel=1e-9, abs=1e-9)
        assert values(spent["x"])[-1].startswith(END.isoformat())

    # Independently: the all-spend budget is every priced call of the month so far, at the oracle's prices.
    records = read_tree(demo_cache / "demo-logs")
    everything = aggregate(with_profiles_resolved(records), END.replace(day=1), END)["summary"][()]
    assert shown["All Amazon Bedrock"]["month_to_date_usd"] == pytest.approx(everything.estimated_cost, rel=1e-9)

    code, anomalies = cli_json(demo_env, "--anomalies", "--start-date", START.isoformat(),
                               "--end-date", END.isoformat())
    assert (code == 3) == bool(anomalies["anomalies"])
    table = frame_starting(at, "group", "day", "cost_usd", "baseline_usd")
    assert len(table) == len(anomalies["anomalies"])
    for row, expected in zip(table.to_dict("records"), anomalies["anomalies"], strict=True):
        assert (row["group"], row["day"]) == (expected["group"], expected["day"])
        for name in ("cost_usd", "baseline_usd", "ratio"):
            assert plain(row[name]) == pytest.approx(expected[name], rel=1e-9, abs=1e-9), name
    markers = [values(trace["y"]) for trace in chart(at, "chart_anomalies") if trace["name"] == "Anomaly"]
    assert markers == ([[pytest.approx(a["cost_usd"]) for a in anomalies["anomalies"]]]
                       if anomalies["anomalies"] else [])
    assert any(c.value.startswith("Method: a day is flagged") and "3x the median of the 7 days" in c.value
               for c in at.caption)

    daily = next(d.value for d in at.dataframe
                 if list(d.value.columns) == ["group", "day", "cost_usd", "unpriced_calls"])
    expected_daily = oracle_cost(records, START, END)
    for row in daily.to_dict("records"):
        assert row["cost_usd"] == pytest.approx(expected_daily[row["group"]].get(row["day"], 0.0), abs=1e-9), row
        assert row["unpriced_calls"] == 0  # the demo prices every call

    at.radio(key="lang").set_value("ko").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["main_tab"] == "거버넌스"  # the open tab survives the language switch
    assert {"예산", "애플리케이션별 비용 급증"} <= {s.value for s in at.subheader}
    if anomalies["anomalies"]:
        assert [trace["name"] for trace in chart(at, "chart_anomalies") if trace.get("mode") == "markers"] == \
            ["비용 급증"]
    korean = frame_starting(at, "budget", "covers")
    assert list(korean["status"]) == [card_word("ko", row) for row in budgets["budgets"]]


@pytest.mark.slow
def test_budgets_file_from_the_environment_and_its_mistakes(demo_env: dict[str, str], tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    bad = tmp_path / "budgets.toml"
    bad.write_text('[[budgets]]\nname = "x"\napplication = "A"\nmonthly_usd = -5\n')
    monkeypatch.setenv(BUDGETS_ENV, str(bad))
    at = open_governance()
    assert at.text_input(key="budgets_path").value == str(bad)
    assert at.checkbox(key="use_example_budgets").value is False  # a named file wins over the example
    errors = load_errors(at)
    assert len(errors) == 1 and "monthly_usd must be a positive number" in errors[0] and "\n" not in errors[0]

    at.text_input(key="budgets_path").set_value("").run()
    assert not at.exception and not load_errors(at)
    assert any("Enter a budgets file" in info.value for info in at.info)


@pytest.mark.slow
def test_budget_editor_writes_the_file_the_cli_reads(demo_env: dict[str, str], tmp_path: Path) -> None:
    at = open_governance()
    statuses = frame_starting(at, "budget", "covers")
    target = tmp_path / "team" / "budgets.toml"
    at.text_input(key="budget_target").set_value(str(target)).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(f"**{target}** does not exist" in m.value for m in at.markdown)
    diff = at.code[-1].value
    assert diff.startswith("--- /dev/null") and '+name = "Customer service"' in diff
    at.button(key="budget_write").click().run()
    assert not at.exception, [e.value for e in at.exception]

    assert load_budgets(target) == load_budgets(BUDGETS)  # the example's budgets, in a file of our own
    assert at.text_input(key="budgets_path").value == str(target)
    assert at.checkbox(key="use_example_budgets").value is False
    assert any(f"Saved {target}" in s.value for s in at.success)
    pd.testing.assert_frame_equal(frame_starting(at, "budget", "covers"), statuses)
    _, from_editor = cli_json(demo_env, "--check-budgets", str(target), "--end-date", END.isoformat())
    assert [(row["budget"], card_word("en", row), pytest.approx(row["month_to_date_usd"], rel=1e-9))
            for row in from_editor["budgets"]] == \
        [(row["budget"], row["status"], row["month_to_date_usd"]) for row in statuses.to_dict("records")]

    # A file of the user's: shown as a difference, replaced only once ticked, and only if unchanged meanwhile.
    mine = tmp_path / "mine.toml"
    original = '# ours, keep it short\n[[budgets]]\nname = "Chat"\napplication = "ChatApp"\nmonthly_usd = 75\n'
    mine.write_text(original)
    at.text_input(key="budgets_path").set_value(str(mine)).run()
    assert at.text_input(key="budget_target").value == str(mine)  # "Save to" follows the budgets in use
    at.text_input(key="budget_target").set_value(str(mine)).run()
    assert not at.exception, [e.value for e in at.exception]
    assert "-# ours, keep it short" in at.code[-1].value
    assert at.button(key="budget_write").disabled
    at.checkbox(key="budget_confirm").check().run()
    assert not at.button(key="budget_write").disabled
    mine.write_text(original + "# edited elsewhere meanwhile\n")
    at.button(key="budget_write").click().run()
    assert any("changed since its difference was shown" in e.value for e in at.error)
    assert mine.read_text().endswith("# edited elsewhere meanwhile\n")

    at.checkbox(key="budget_confirm").check().run()
    at.button(key="budget_write").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "ours" not in mine.read_text() and "meanwhile" not in mine.read_text()
    assert load_budgets(mine) == [Budget("Chat", "application", "ChatApp", None, 75.0, None)]


# Reconciliation: a few calls "served" over three UTC days in two regions, one region-day without logs.

ACCOUNT = "123456789012"
REC_DAYS = [date(2025, 11, 3) + timedelta(days=i) for i in range(3)]
HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
SERVED = {"us-east-1": (HAIKU, "USE1", 4), "ap-northeast-2": (HAIKU, "APN2", 3)}  # model, usage prefix, calls/day
GAP = ("us-east-1", REC_DAYS[1])


def served_calls() -> list[dict]:
    """Invocation-log records of every call Bedrock served."""
    records = []
    for day in REC_DAYS:
        for region, (model, _, per_day) in SERVED.items():
            for n in range(per_day):
                records.append({
                    "schemaType": "ModelInvocationLog", "schemaVersion": "1.0",
                    "timestamp": f"{day.isoformat()}T{2 + 5 * n:02d}:15:00Z", "accountId": ACCOUNT,
                    "identity": {"arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/Support-BedrockRole/s{n}"},
                    "region": region, "requestId": f"{region}-{day}-{n}", "operation": "Converse", "modelId": model,
                    "input": {"inputTokenCount": 1000 + 100 * n}, "output": {"outputTokenCount": 200 + 10 * n},
                })
    return records


def call_cost(record: dict) -> tuple[float, float]:
    """(input, output) list-price cost of one call, from the oracle's price list."""
    rates = published_rates(record["modelId"], date.fromisoformat(record["timestamp"][:10]), False)
    assert rates is not None
    return record["input"]["inputTokenCount"] * rates[0] / 1000, record["output"]["outputTokenCount"] * rates[1] / 1000


def seed_aws(endpoint: str, served: list[dict]) -> dict[tuple[str, str], float]:
    """CloudWatch daily sums and Cost Explorer charges for every served call; returns billed cost per region-day."""
    metrics: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    billed: dict[tuple[str, str], float] = defaultdict(float)
    charges: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for r in served:
        key = (r["region"], r["timestamp"][:10])
        metrics[key]["Invocations"] += 1
        metrics[key]["InputTokenCount"] += r["input"]["inputTokenCount"]
        metrics[key]["OutputTokenCount"] += r["output"]["outputTokenCount"]
        for kind, amount in zip(("input", "output"), call_cost(r), strict=True):
            charges[key[1]][f"{SERVED[r['region']][1]}-Claude3Haiku-{kind}-tokens"] += amount
            billed[key] += amount
    for (region, day), values in metrics.items():
        noon = datetime.fromisoformat(day).replace(hour=12, tzinfo=UTC)
        boto3.client("cloudwatch", region_name=region).put_metric_data(Namespace="AWS/Bedrock", MetricData=[
            {"MetricName": name, "Dimensions": [{"Name": "ModelId", "Value": HAIKU}], "Timestamp": noon,
             "Value": value, "Unit": "Count"} for name, value in values.items()])
    results = [{
        "TimePeriod": {"Start": day.isoformat(), "End": (day + timedelta(days=1)).isoformat()}, "Total": {},
        "Estimated": False,
        "Groups": [{"Keys": ["Amazon Bedrock", usage_type],
                    "Metrics": {"UnblendedCost": {"Amount": f"{amount:.10f}", "Unit": "USD"}}}
                   for usage_type, amount in sorted(charges[day.isoformat()].items())],
    } for day in REC_DAYS]
    body = json.dumps({"results": [{"ResultsByTime": results, "DimensionValueAttributes": []}]}).encode()
    request = urllib.request.Request(f"{endpoint}/moto-api/static/ce/cost-and-usage-results", data=body,
                                     method="POST", headers={"Content-Type": "application/json"})
    assert urllib.request.urlopen(request).status == 201
    return billed


@pytest.mark.slow
def test_reconciliation_loader_against_moto(aws_env: dict[str, str], tmp_path: Path) -> None:
    served = served_calls()
    logged = [r for r in served if (r["region"], date.fromisoformat(r["timestamp"][:10])) != GAP]
    write_local(tmp_path / "logs", logged)
    billed = seed_aws(aws_env["AWS_ENDPOINT_URL"], served)
    bedrock = BedrockRequest(source="local", regions=tuple(SERVED), start=REC_DAYS[0], end=REC_DAYS[-1],
                             logs_dir=str(tmp_path / "logs"))

    rec = load_reconciliation(ReconcileRequest(bedrock))

    logged_calls, metered, estimated = defaultdict(int), defaultdict(int), defaultdict(list)
    for r in served:
        metered[(r["region"], r["timestamp"][:10])] += 1
    for r in logged:
        key = (r["region"], r["timestamp"][:10])
        logged_calls[key] += 1
        estimated[key] += call_cost(r)
    rows = {(row["region"], row["utc_day"]): row for row in rec.by_region_day.to_dict("records")}
    assert set(rows) == set(metered)
    for key, row in rows.items():
        assert (row["logged_calls"], row["metered_calls"]) == (logged_calls[key], metered[key]), key
        assert row["status"] == ("no logs" if key == (GAP[0], GAP[1].isoformat()) else "ok"), key
        assert row["billed_cost_usd"] == pytest.approx(billed[key], abs=1e-9), key
        if logged_calls[key]:
            assert row["estimated_cost_usd"] == pytest.approx(math.fsum(estimated[key]), abs=1e-9), key
    assert [(r.region, r.utc_day) for r in rec.flagged.itertuples()] == [(GAP[0], GAP[1].isoformat())]
    summary = rec.summary()
    assert (summary["logged_calls"], summary["metered_calls"]) == (len(logged), len(served))
    assert summary["billed_cost_usd"] == pytest.approx(math.fsum(billed.values()), abs=1e-9)


@pytest.mark.slow
def test_reconciliation_controls_with_aws_credentials(aws_env: dict[str, str], monkeypatch: pytest.MonkeyPatch,
                                                      tmp_path: Path) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.run()
    assert at.radio(key="source").value == "athena"
    at.multiselect(key="regions").set_value(["us-east-1"])
    at.session_state["main_tab"] = "Governance"
    at.button(key="analyze").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Enter a budgets file" in info.value for info in at.info)  # no example budgets outside demo mode
    assert at.number_input(key="coverage_threshold").value == 95
    before = load_errors(at)  # the anomalies cannot be read either: moto has no Athena table

    at.button(key="reconcile_button").click().run()
    assert not at.exception, [e.value for e in at.exception]
    added = load_errors(at)[len(before):]
    # The reconciliation's log scan names the setup step that creates the table, in one line.
    assert len(added) == 1 and "setup_athena_bucket.py" in added[0] and "\n" not in added[0], added


def write_daily_calls(root: Path, days: list[date], clock: str, model: str) -> None:
    """One call of ``model`` by one application role on each of ``days``, at ``clock`` (UTC)."""
    alpha = "arn:aws:sts::123456789012:assumed-role/Alpha-BedrockRole/worker"
    write_local(root, [
        {"schemaType": "ModelInvocationLog", "schemaVersion": "1.0", "timestamp": f"{day.isoformat()}T{clock}Z",
         "accountId": "123456789012", "identity": {"arn": alpha}, "region": "us-east-1", "requestId": f"r{n}",
         "operation": "Converse", "modelId": model,
         "input": {"inputTokenCount": 1000}, "output": {"outputTokenCount": 100}} for n, day in enumerate(days)])


def test_every_view_ends_today_at_the_latest(tmp_path: Path) -> None:
    # the date pickers' today is a UTC day: west of UTC it is tomorrow for hours, which the CLI refuses
    with same_utc_day() as today:
        write_daily_calls(tmp_path / "logs", [today - timedelta(days=n) for n in range(12)], "00:00:01",
                          "anthropic.claude-3-haiku-20240307-v1:0")
        (tmp_path / "budgets.toml").write_text('[[budgets]]\nname = "All"\nall = true\nmonthly_usd = 100\n')
        bedrock = BedrockRequest(source="local", regions=("us-east-1",), start=today - timedelta(days=3),
                                 end=today + timedelta(days=1), logs_dir=str(tmp_path / "logs"))

        view = load_budgets_view(budgets_request(bedrock, str(tmp_path / "budgets.toml")))
        found = load_anomalies(AnomalyRequest(bedrock))

        assert bedrock.period() == Period(today - timedelta(days=3), today, "UTC")
    later = today + timedelta(days=5)
    with pytest.raises(UsageError, match="after"):
        dashboard_period(later, later - timedelta(days=3), "UTC")  # a range the wrong way round, even in the future
    assert view.check.as_of == today and view.check.in_progress
    assert found.report.period.end == view.check.as_of and found.report.in_progress


def test_the_anomalies_view_keeps_the_forecasts_short_history_warning(tmp_path: Path) -> None:
    """Logs that begin four days before the as-of day: the pace averages those four days, and the view says so
    beside the report's own warnings, as the CLI does."""
    as_of = TODAY - timedelta(days=3)
    days = [as_of - timedelta(days=n) for n in range(4)]
    write_daily_calls(tmp_path / "logs", days, "12:00:00", "example.unknown-model-v1:0")
    bedrock = BedrockRequest(source="local", regions=("us-east-1",), start=as_of - timedelta(days=1), end=as_of,
                             logs_dir=str(tmp_path / "logs"))

    report = load_anomalies(AnomalyRequest(bedrock)).report

    assert any(line.startswith(f"logs begin on {days[-1]}") and "mean of only 4 days, not 7" in line
               for line in report.warnings), report.warnings
    assert any("example.unknown-model-v1:0" in line for line in report.scan_warnings), report  # the tracker's own


def test_the_anomalies_view_has_no_daily_rows_for_a_group_without_a_call_unless_the_filters_name_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Gone spent only in the median's days before the period: the tab's chart and daily table (both drawn from the
    report's ``daily``) had a flat line and rows of $0 for it. Now it has none, unless the user pattern names it:
    then its rows stay and the warnings say it made no call, in the page's language."""
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    records = spend_records()
    write_local(tmp_path / "logs", records)
    in_period = {caller(r)[1] for r in records if SPEND_FIRST.isoformat() <= r["timestamp"][:10]
                 <= SPEND_LAST.isoformat()}
    bedrock = BedrockRequest(source="local", regions=("us-east-1",), start=SPEND_FIRST, end=SPEND_LAST,
                             logs_dir=str(tmp_path / "logs"))

    report = load_anomalies(AnomalyRequest(bedrock)).report
    assert set(report.daily["group"]) == in_period == {"Big", "Small"}
    named = load_anomalies(AnomalyRequest(replace(bedrock, user_pattern="gone"))).report

    assert set(named.daily["group"]) == {"Gone"} and not named.daily["cost_usd"].any()
    assert len(named.daily) == (SPEND_LAST - SPEND_FIRST).days + 1
    [line] = [line for line in named.warnings if "Gone" in line]
    assert line == "Gone, which the filters name, made no call in the period: its daily rows are $0"
    assert [shown(seen) for seen in warning_lines(Text("ko"), [line])] == [
        "필터가 지정한 Gone 은(는) 기간 중 호출이 없습니다: 일별 행은 $0입니다"]


def test_the_budget_status_table_prints_each_share_as_its_card_does() -> None:
    """The status table printed a share with two decimals (``99.85%``) beside cards of one (``99.8%``): it prints
    the cards' text, one decimal as the CLI, and a dash for a budget without a monthly amount."""
    shares = [0.99849, 0.9986, 0.0625, 12.3456, None]
    statuses = pd.DataFrame({"budget": [f"b{i}" for i in range(len(shares))], "covers": "application = App",
                             "monthly_share": shares, "status": "ok", "forecast_over": False})
    expected = ["—" if share is None else f"{share * 100:,.1f}%" for share in shares]
    assert list(shown_statuses(Text("en"), statuses)["monthly_share"]) == expected == \
        ["99.8%", "99.9%", "6.2%", "1,234.6%", "—"]


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_budget_status_table_words_each_status_as_its_card_does(tmp_path: Path, lang: str) -> None:
    """A budget whose month-end forecast is over its amount read 'Forecast over' on its card and 'ok' in the status
    table under it, and the Korean table read 'ok' and 'BREACHED' in English: the table now says what the cards say,
    in the page's language, and its CSV keeps the CLI's words. So does an all-spend budget's cover, which the Korean
    table left in English ('all Bedrock spend') under cards saying 'Bedrock 전체 지출'."""
    as_of = date(TODAY.year - 1, 3, 10)  # a call a day from the 1st: month to date 10 calls, forecast about 31
    write_daily_calls(tmp_path / "logs", [as_of.replace(day=n) for n in range(1, 11)], "12:00:00",
                      "anthropic.claude-3-haiku-20240307-v1:0")
    call = (1000 * 0.25 + 100 * 1.25) / 1e6  # Claude 3 Haiku, us-east-1: $0.25 and $1.25 per million tokens
    amounts = {"Forecast over": 20 * call, "Breached": 5 * call, "On track": 100 * call}
    (tmp_path / "budgets.toml").write_text("".join(
        f'[[budgets]]\nname = "{name}"\nall = true\nmonthly_usd = {amount}\n' for name, amount in amounts.items()))
    bedrock = BedrockRequest(source="local", regions=("us-east-1",), start=as_of - timedelta(days=1), end=as_of,
                             logs_dir=str(tmp_path / "logs"))

    view = load_budgets_view(budgets_request(bedrock, str(tmp_path / "budgets.toml")))
    table = shown_statuses(Text(lang), view.statuses)

    cards = {"Forecast over": "budget_status_forecast", "Breached": "budget_status_breached",
             "On track": "budget_status_ok"}
    assert dict(zip(table["budget"], table["status"], strict=True)) == \
        {name: STRINGS[lang][key] for name, key in cards.items()}
    assert list(table["covers"]) == [STRINGS[lang]["budget_all_spend"]] * 3  # every budget here is all = true
    assert list(view.statuses["status"]) == ["ok", "BREACHED", "ok"]  # the download, as the CLI writes it
    assert list(view.statuses["covers"]) == ["all Bedrock spend"] * 3


def test_the_flagged_region_days_name_the_models_below_the_threshold_as_the_cli_does() -> None:
    """A region-day at 98 % over a 90 % threshold is flagged by one model at 80 %: the page named the day alone."""
    logged, metered = {SONNET_35: 80, HAIKU_3: 1000}, {SONNET_35: 100, HAIKU_3: 1000}
    rec = reconcile_one_day(logged, metered)
    line = flagged_days(Text("en"), rec)
    day = f"us-east-1 {COVERAGE_DAY.isoformat()}"
    below = f"{markdown_plain(SONNET_35)} {logged[SONNET_35]} / {metered[SONNET_35]}"
    assert line == (f"{day} (incomplete logs, {sum(logged.values()):,} / {sum(metered.values()):,}; models below the "
                    f"threshold: {below})")
    assert HAIKU_3 not in line  # 100 %: not below
    [cli] = reconciliation_attention(rec)
    assert f"{SONNET_35} {logged[SONNET_35]} of {metered[SONNET_35]}" in cli


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_budget_views_scan_warnings_come_under_the_days_they_count(tmp_path: Path, lang: str) -> None:
    """The scan reads the forecast's days before the month: its warnings (a duplicate delivery before the month and
    one in it) come last, under a line naming the days read in the page's language, as the CLI's do."""
    as_of = date(2025, 11, 9)
    days = [as_of - timedelta(days=n) for n in range(15)]
    alpha = "arn:aws:sts::123456789012:assumed-role/Alpha-BedrockRole/worker"
    records = [{"schemaType": "ModelInvocationLog", "schemaVersion": "1.0", "timestamp": f"{day}T12:00:00Z",
                "accountId": "123456789012", "identity": {"arn": alpha}, "region": "us-east-1", "requestId": f"r{n}",
                "operation": "Converse", "modelId": "anthropic.claude-3-haiku-20240307-v1:0",
                "input": {"inputTokenCount": 1000}, "output": {"outputTokenCount": 100}} for n, day in enumerate(days)]
    copies = [records[2], records[12]]  # November 7 and October 28, delivered twice
    write_records(tmp_path / "logs", records + copies)
    (tmp_path / "budgets.toml").write_text('[[budgets]]\nname = "All"\nall = true\nmonthly_usd = 100\n')
    bedrock = BedrockRequest(source="local", regions=("us-east-1",), start=as_of, end=as_of,
                             logs_dir=str(tmp_path / "logs"))
    first = min(as_of.replace(day=1), as_of - timedelta(days=14))  # two 7-day forecast windows before the as-of day
    assert first <= date(2025, 10, 28) < date(2025, 11, 1)

    check = load_budgets_view(budgets_request(bedrock, str(tmp_path / "budgets.toml"))).check
    heading = Text(lang)("budgets_days_read", start=check.read.start, end=check.read.end, tz=check.read.tz)
    lines = check.all_warnings(heading)

    assert (check.read.start, check.read.end) == (first, as_of)
    assert heading == STRINGS[lang]["budgets_days_read"].format(start=first, end=as_of, tz="UTC")
    [duplicates] = [line for line in lines if "duplicate" in line]
    assert "2 duplicate" in duplicates and lines.index(heading) < lines.index(duplicates), lines
    assert lines[:lines.index(heading)] == check.warnings  # the check's own lines, each counting the month, above


@pytest.mark.parametrize("narrowing", [{"user_pattern": "beta"}, {"arn_pattern": "Beta-"},
                                       {"models": ("Claude 3 Haiku",)}])
@pytest.mark.slow
def test_a_filtered_budget_views_trailing_gap_says_no_call_matched_as_the_clis_does(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        narrowing: dict[str, object]) -> None:
    """Alpha calls Claude 3.5 Haiku every day; Beta calls Claude 3 Haiku up to three days before the as-of day. Narrowed
    to Beta's calls, those three days have none: the CLI says 'no matching calls ... or no call matched the filters',
    while the tab said 'no log records ... logging may be off', as if logs had stopped."""
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    as_of = date(2025, 11, 9)
    gap = [as_of - timedelta(days=n) for n in (2, 1, 0)]
    role = "arn:aws:sts::123456789012:assumed-role/{}-BedrockRole/worker"
    calls = [(day, "Alpha", "anthropic.claude-3-5-haiku-20241022-v1:0") for day in days_between(as_of, 20)] + [
        (day, "Beta", HAIKU_3) for day in days_between(as_of, 20) if day not in gap]
    write_records(tmp_path / "logs", [
        {"schemaType": "ModelInvocationLog", "schemaVersion": "1.0", "timestamp": f"{day}T12:00:00Z",
         "accountId": "123456789012", "identity": {"arn": role.format(app)}, "region": "us-east-1",
         "requestId": f"r{n}", "operation": "Converse", "modelId": model, "input": {"inputTokenCount": 1000},
         "output": {"outputTokenCount": 100}} for n, (day, app, model) in enumerate(calls)])
    budgets_file = tmp_path / "budgets.toml"
    budgets_file.write_text('[[budgets]]\nname = "All"\nall = true\nmonthly_usd = 100\n')
    bedrock = BedrockRequest(source="local", regions=("us-east-1",), start=as_of, end=as_of,
                             logs_dir=str(tmp_path / "logs"), **narrowing)  # type: ignore[arg-type]

    check = load_budgets_view(budgets_request(bedrock, str(budgets_file))).check

    span = f"{gap[0]} .. {gap[-1]}"
    [line] = [line for line in check.warnings if span in line]
    assert line.startswith(f"no matching calls on {span} (3 days up to the as-of day)"), line
    assert "logging may be off or its logs late, or no call matched the filters" in line
    option = {"user_pattern": ("--user-pattern", "beta"), "arn_pattern": ("--arn-pattern", "Beta-"),
              "models": ("--model", HAIKU_3)}[next(iter(narrowing))]
    cli = cli_json_of(capsys, tmp_path / "logs", "--region", "us-east-1", "--check-budgets", str(budgets_file),
                      "--end-date", as_of.isoformat(), *option)
    assert line in cli["warnings"]
    [korean] = [shown(seen) for seen in warning_lines(Text("ko"), [line])]
    assert korean.startswith(f"{span} 에 일치하는 호출이 없습니다"), korean
    assert "필터와 일치하는 호출이 없을 수 있습니다" in korean


def days_between(last: date, count: int) -> list[date]:
    """The ``count`` days up to ``last``."""
    return [last - timedelta(days=n) for n in range(count)][::-1]


def anomalies_script() -> None:
    import streamlit as st

    from bedrock_usage.dashboard.governance_tab import anomalies_section
    from bedrock_usage.dashboard.session import keep_settings
    from bedrock_usage.dashboard.text import Text

    keep_settings()  # the rule's defaults, as the page starts them
    anomalies_section(Text(st.session_state["lang"]), st.session_state["request"])


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_anomalies_views_scan_warnings_come_under_the_days_they_count(tmp_path: Path, lang: str) -> None:
    """The anomalies read the median's and the forecast's days before the period: the scan's warnings (a duplicate
    delivery before the period and one in it, calls of a model without a price before it and in it) come last, under
    a line naming the days read in the page's language, below the count of the period's calls without a price, as
    the CLI's do."""
    start, end = TODAY - timedelta(days=6), TODAY - timedelta(days=2)
    alpha = "arn:aws:sts::123456789012:assumed-role/Alpha-BedrockRole/worker"
    days = [end - timedelta(days=n) for n in range(25)]
    models = {n: "example.unknown-model-v1:0" for n in (3, 12)}  # one in the period, one before it
    records = [{"schemaType": "ModelInvocationLog", "schemaVersion": "1.0", "timestamp": f"{day}T12:00:00Z",
                "accountId": "123456789012", "identity": {"arn": alpha}, "region": "us-east-1", "requestId": f"r{n}",
                "operation": "Converse", "modelId": models.get(n, "anthropic.claude-3-haiku-20240307-v1:0"),
                "input": {"inputTokenCount": 1000}, "output": {"outputTokenCount": 100}} for n, day in enumerate(days)]
    copies = [records[1], records[10]]  # in the period, and before it: delivered twice
    write_records(tmp_path / "logs", records + copies)
    first = min(start - timedelta(days=7), end - timedelta(days=14), end.replace(day=1))  # 7-day median, forecast
    period = {day.isoformat() for day in days if start <= day <= end}
    in_period = [r for r in records if r["modelId"] in models.values() and r["timestamp"][:10] in period]
    before = [r for r in records + copies if first.isoformat() <= r["timestamp"][:10] < start.isoformat()]
    assert len(in_period) == 1 and {r["requestId"] for r in before} >= {"r10", "r12"}
    extra = len(records + copies) - len({(r["requestId"], r["timestamp"]) for r in records + copies})

    at = AppTest.from_function(anomalies_script, default_timeout=60)
    at.session_state["lang"] = lang
    at.session_state["request"] = BedrockRequest(source="local", regions=("us-east-1",), start=start, end=end,
                                                 logs_dir=str(tmp_path / "logs"))
    at.run()
    assert not at.exception, at.exception
    t = Text(lang)
    [box] = [box for box in at.expander if box.label.startswith(STRINGS[lang]["warnings"].split("{")[0])]
    lines = [shown(line.removeprefix("- ")) for line in box.markdown[0].value.splitlines()]
    assert box.label == t("warnings", count=len(lines))
    heading = STRINGS[lang]["anomalies_days_read"].format(start=first, end=end, tz="UTC")
    assert lines[:2] == [t("anomalies_unpriced", calls=len(in_period)), heading], lines
    duplicates, unpriced = {  # the scan's warnings in the page's language
        "en": (f"{extra} duplicate deliveries", f"example.unknown-model-v1:0 in us-east-1: {len(models)} calls"),
        "ko": (f"중복 전달 {extra} 건", f"us-east-1 의 example.unknown-model-v1:0: 호출 {len(models)} 건")}[lang]
    assert [line for line in lines[2:] if duplicates in line], lines
    assert [line for line in lines[2:] if unpriced in line], lines
