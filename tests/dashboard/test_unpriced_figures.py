"""A cost the price book cannot give is missing on the dashboard, never $0.00: cards, bars, hovers, shares, the pie
and the heatmap say "unpriced", a partly priced group shows its priced part marked, and shares are of the priced
cost only. In-process, over a report of real log objects (no Streamlit)."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bedrock_usage.dashboard import charts, data
from bedrock_usage.dashboard.bedrock_tab import card_items
from bedrock_usage.dashboard.text import Text, percent
from bedrock_usage.engines.local import LocalEngine
from bedrock_usage.logs.period import resolve_period
from bedrock_usage.report.priced_facts import TOTAL_COST, PricedRows
from bedrock_usage.report.tracker import BedrockAthenaTracker, UsageReport
from tests.logfiles import ACCOUNT, write_records

HAIKU = "anthropic.claude-3-5-haiku-20241022-v1:0"
MYSTERY = "acme.mystery-model-v1:0"
# Claude 3.5 Haiku's published on-demand price in us-east-1: $0.80 per million input tokens, $4 per million output.
HAIKU_CALL = 1_000 * 0.80 / 1e6 + 200 * 4.00 / 1e6  # one call of 1,000 input and 200 output tokens: $0.0016
CALLS = [  # (user, model, day, hour)
    ("alice", HAIKU, "2026-01-31", 10), ("alice", HAIKU, "2026-01-31", 11),
    ("canaryuser", MYSTERY, "2026-01-31", 12),
    ("bob", HAIKU, "2026-01-30", 9), ("bob", MYSTERY, "2026-01-30", 9),
]
PERIOD = resolve_period(start="2026-01-30", end="2026-01-31")
EN = Text("en")
MARKS = EN.unpriced_marks()


def record(n: int, user: str, model: str, day: str, hour: int) -> dict:
    tokens = (1_000, 500) if model == MYSTERY else (1_000, 200)
    return {"timestamp": f"{day}T{hour:02d}:{n:02d}:00Z", "region": "us-east-1", "requestId": f"r{n}",
            "identity": {"arn": f"arn:aws:iam::{ACCOUNT}:user/{user}"}, "operation": "Converse", "modelId": model,
            "input": {"inputTokenCount": tokens[0]}, "output": {"outputTokenCount": tokens[1]}}


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> UsageReport:
    logs = tmp_path_factory.mktemp("logs")
    write_records(logs, [record(n, *call) for n, call in enumerate(CALLS)])
    return BedrockAthenaTracker(LocalEngine(logs, cache=False)).analyze(PERIOD, ["us-east-1"])


def by_user(report: UsageReport) -> dict[str, str]:
    figure = charts.top_bar(report.tables["user"], "user", TOTAL_COST, value_label="Cost", unpriced_marks=MARKS)
    (bar,) = figure.data
    return dict(zip(bar.y, bar.text, strict=True))


def test_bars_say_unpriced_or_the_priced_part_never_zero(report: UsageReport) -> None:
    assert by_user(report) == {"alice": f"${2 * HAIKU_CALL:,.4f}", "bob": f"${HAIKU_CALL:,.4f} (priced part)",
                               "canaryuser": "unpriced"}
    (bar,) = charts.top_bar(report.tables["user"], "user", TOTAL_COST, value_label="Cost").data
    assert list(bar.y)[0] == "canaryuser" and bar.text[0] == "—"  # ranked last (drawn at the bottom), not as $0.00


def test_the_pie_shares_the_priced_cost_only(report: UsageReport) -> None:
    (pie,) = charts.share_donut(report.tables["model"], "model", TOTAL_COST, other_label="Other",
                                value_label="Cost").data
    assert list(pie.labels) == ["Claude 3.5 Haiku"]
    assert list(pie.values) == pytest.approx([3 * HAIKU_CALL])


def test_daily_bars_and_the_heatmap_leave_an_unpriced_cost_blank(report: UsageReport) -> None:
    daily = PricedRows.of_frame(report.facts).rollups({"user": ["day", "user"]})["user"]
    figure = charts.stacked_daily(daily, "user", TOTAL_COST, PERIOD.all_days(), value_label="Cost",
                                  other_label="Other", money=True, partial={}, partial_labels={},
                                  unpriced_marks=MARKS)
    bars = {trace.name: dict(zip(trace.x, zip(trace.y, trace.customdata, strict=True), strict=True))
            for trace in figure.data}
    canary = bars["canaryuser"]["2026-01-31"]
    assert math.isnan(canary[0]) and canary[1] == "unpriced"
    assert bars["canaryuser"]["2026-01-30"] == (0, "$0.00")  # no call that day: zero spend
    assert bars["bob"]["2026-01-30"] == (pytest.approx(HAIKU_CALL), f"${HAIKU_CALL:,.4f} (priced part)")
    (heat,) = charts.weekday_hour_heatmap(report.tables["weekday-hour"], TOTAL_COST, weekday_labels=EN.weekdays(),
                                          value_label="Cost", hour_label="Hour", unpriced_marks=MARKS).data
    saturday = 5  # 2026-01-31, Monday first
    assert math.isnan(heat.z[saturday][12]) and heat.customdata[saturday][12] == "unpriced"
    assert heat.z[saturday][10] == pytest.approx(HAIKU_CALL)


def test_a_scope_without_a_priced_call_has_no_cost_card_and_no_share(report: UsageReport) -> None:
    canary = report.facts.loc[report.facts["user"] == "canaryuser"]
    summary = PricedRows.of_frame(canary).summary()
    assert summary["calls"] == 1 and summary["unpriced_calls"] == 1
    cost = card_items(EN, summary, summary)[0]
    assert cost[1:3] == ("unpriced", None)
    assert percent(data.share_of_scope(summary, report.summary[TOTAL_COST])) == "—"
    whole = card_items(EN, report.summary, report.summary)[0]
    assert whole[1] == "<$0.01 (priced part)" and whole[4].startswith(f"${3 * HAIKU_CALL:,.4f}, estimated")
    alice = PricedRows.of_frame(report.facts.loc[report.facts["user"] == "alice"]).summary()
    assert data.share_of_scope(alice, report.summary[TOTAL_COST]) == pytest.approx(2 / 3)  # of the priced $0.0048


def period_summary(tmp_path: Path, calls: list[tuple[str, str, str]], start: str, end: str) -> dict:
    """The totals of a period of (model, day, region) calls, as the Bedrock tab's cards read them."""
    records = [{**record(n, "alice", model, day, 10), "region": region} for n, (model, day, region) in enumerate(calls)]
    write_records(tmp_path, records)
    regions = sorted({region for *_, region in calls})
    return BedrockAthenaTracker(LocalEngine(tmp_path, cache=False)).analyze(
        resolve_period(start=start, end=end), regions).summary


def test_a_partly_priced_cost_is_marked_and_never_compared(tmp_path_factory: pytest.TempPathFactory) -> None:
    """4 Haiku calls, then 1 Haiku call and 3 unpriced ones: the card is the priced part, marked, and no -75% drop
    (nor, the other way round, a rise against a partly priced previous period)."""
    before = period_summary(tmp_path_factory.mktemp("before"), [(HAIKU, "2026-01-28", "us-east-1")] * 4,
                            "2026-01-28", "2026-01-29")
    now = period_summary(tmp_path_factory.mktemp("now"), [(HAIKU, "2026-01-30", "us-east-1")]
                         + [(MYSTERY, "2026-01-31", "ap-northeast-2")] * 3, "2026-01-30", "2026-01-31")
    label, value, delta, _, help_text = card_items(EN, now, before)[0]
    assert (label, value, delta) == ("Estimated cost", "<$0.01 (priced part)", None)
    assert help_text.startswith(f"${HAIKU_CALL:,.4f}, estimated") and "No change is shown" in help_text
    assert card_items(EN, now, before)[1][2] == "+0.0%"  # calls still compare: 4 and 4
    assert card_items(EN, before, now)[0][1:3] == ("<$0.01", None)
    assert card_items(EN, before, before)[0][2] == "+0.0%"  # all priced on both sides: the change stays


def test_an_unpriced_call_in_the_hour_read_to_still_withholds_the_change(tmp_path: Path) -> None:
    """Read at 09:30 on the period's last day, the previous period's last day counts half of its 09:00 hour, whose
    only call has no price: the previous cost is a priced part, so the card gives no change."""
    calls = [(HAIKU, "2026-01-28", 10), (HAIKU, "2026-01-29", 8), (MYSTERY, "2026-01-29", 9),
             (HAIKU, "2026-01-30", 10), (HAIKU, "2026-01-31", 8)]
    write_records(tmp_path, [record(n, "alice", model, day, hour) for n, (model, day, hour) in enumerate(calls)])
    tracker = BedrockAthenaTracker(LocalEngine(tmp_path, cache=False))
    period = resolve_period(start="2026-01-30", end="2026-01-31")
    now = tracker.analyze(period, ["us-east-1"]).summary
    previous, through = data.same_time_of_day(tracker.analyze(period.previous(), ["us-east-1"]), period,
                                              datetime(2026, 1, 31, 9, 30, tzinfo=UTC))
    assert through == "09:30" and previous["calls"] == pytest.approx(2.5)
    assert previous["unpriced_calls"] == pytest.approx(0.5)  # the 09:00 hour's one unpriced call, half counted
    assert card_items(EN, now, previous)[0][1:3] == ("<$0.01", None)
