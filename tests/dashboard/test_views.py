"""The dashboard's views in Streamlit's AppTest on the demo corpus: drill-down, model filter, the view in the
address, spend lines and cost per 1,000 calls, partial days, table formats, and the messages and labels of the issue
"The dashboard, for the people who read it".

Expected figures come from the plain-Python count of the corpus with its own prices (tests/oracle.py); the partial
days from the calendar.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
from collections import defaultdict
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from bedrock_usage.dashboard import data
from bedrock_usage.dashboard.data import partial_days, report_partial_days
from bedrock_usage.dashboard.session import BEDROCK_KEY, QDEV_KEY
from bedrock_usage.demo.synthetic import CorpusSpec, generate_records
from bedrock_usage.demo.writer import write_local
from bedrock_usage.engines.local import LocalEngine
from bedrock_usage.logs.period import Period
from bedrock_usage.pricing import PriceBook
from bedrock_usage.qdev.analysis import Source
from bedrock_usage.qdev.analysis import analyze as analyze_qdev
from bedrock_usage.qdev.sources import LocalStore
from bedrock_usage.report.priced_facts import TOTAL_COST
from bedrock_usage.report.tracker import BedrockAthenaTracker
from tests.dashboard.helpers import (
    END,
    PREVIOUS,
    START,
    analyze,
    chart,
    checked,
    downloads,
    expected_change,
    expected_compact,
    expected_compact_usd,
    frame_starting,
    metric,
    open_app,
    plain,
    same_utc_day,
    tab,
    values,
)
from tests.oracle import Totals, aggregate, base_and_family, caller, with_profiles_resolved
from tests.qdev.kiro_oracle import FIXTURE as KIRO_FIXTURE

MONEY_FORMAT = "$%,.4f"


def user_records(records: list[dict], user: str) -> list[dict]:
    """The records of one user, as the oracle names callers (profiles resolved, for their prices)."""
    return [r for r in with_profiles_resolved(records) if caller(r)[0] == user]


@pytest.mark.slow
def test_drill_down_into_a_user_shows_only_their_calls(demo_env: dict[str, str], demo_records: list[dict]) -> None:
    at = analyze(open_app())
    at.radio(key="focus_by").set_value("user")
    checked(at.run())
    ranked = at.selectbox(key="focus").options
    user = next(name for name in ranked if "@" in name)  # an IAM Identity Center user, by e-mail
    at.selectbox(key="focus").set_value(user)
    checked(at.run())

    mine = user_records(demo_records, user)
    oracle = aggregate(mine, START, END)
    totals = oracle["summary"][()]
    before = aggregate(mine, *PREVIOUS)["summary"][()]
    everyone = aggregate(with_profiles_resolved(demo_records), START, END)["summary"][()]
    assert 0 < totals.calls < everyone.calls
    bedrock = tab(at, "Amazon Bedrock")
    card = metric(bedrock, "Estimated cost")
    assert card.value == expected_compact_usd(totals.estimated_cost)
    assert f"${totals.estimated_cost:,.4f}" in card.help
    assert card.delta == expected_change(totals.estimated_cost, before.estimated_cost)
    for label, name in (("Calls", "calls"), ("Input tokens", "input_tokens"), ("Output tokens", "output_tokens")):
        assert metric(bedrock, label).value == expected_compact(getattr(totals, name)), label
        assert metric(bedrock, label).delta == expected_change(getattr(totals, name), getattr(before, name)), label

    # The detail view: share, error rate, cost and tokens per call.
    tokens = totals.input_tokens + totals.output_tokens + totals.cache_read_tokens + totals.cache_write_tokens
    assert metric(bedrock, "Share of cost").value == f"{totals.estimated_cost / everyone.estimated_cost:.1%}"
    assert metric(bedrock, "Error rate").value == f"{totals.errors / totals.calls:.1%}"
    assert metric(bedrock, "Cost per call").value == f"${totals.estimated_cost / totals.priced_calls:,.4f}"
    assert metric(bedrock, "Tokens per call").value == expected_compact(round(tokens / totals.calls))
    daily = chart(at, "chart_detail_daily")
    shown_daily: dict[str, float] = defaultdict(float)
    for trace in daily["data"]:
        for x, y in zip(values(trace["x"]), values(trace["y"]), strict=True):
            shown_daily[str(x)[:10]] += float(y)
    for (day,), day_totals in oracle["daily"].items():
        assert shown_daily[day] == pytest.approx(day_totals.estimated_cost, rel=1e-9), day

    # Every table holds only the user's calls.
    users = frame_starting(at, "user", "principal_type", "principal")
    assert set(users["user"]) == {user}
    assert set(frame_starting(at, "user", "account", "application", "model")["user"]) == {user}
    days = frame_starting(at, "day", "calls")
    assert {row["day"]: (row["calls"], pytest.approx(row["estimated_cost_usd"], rel=1e-9))
            for row in days.to_dict("records")} == \
        {day: (t.calls, t.estimated_cost) for (day,), t in oracle["daily"].items()}
    # its files are named apart from the whole scope's, which they would otherwise overwrite in a downloads folder
    bedrock_files = [name for name in downloads(at) if name.startswith("bedrock")]
    assert bedrock_files and all(name.startswith("bedrock_filtered_") for name in bedrock_files), bedrock_files

    at.button(key="focus_clear").click()
    checked(at.run())
    assert metric(tab(at, "Amazon Bedrock"), "Calls").value == expected_compact(everyone.calls)
    bedrock_files = [name for name in downloads(at) if name.startswith("bedrock")]
    assert bedrock_files and not any(name.startswith("bedrock_filtered_") for name in bedrock_files)
    assert not [m for m in at.metric if m.label == "Share of cost"]


def oracle_by_model(totals_by_id: Mapping[tuple, Totals]) -> dict[str, tuple[int, int, float]]:
    """(calls, priced calls, estimated cost) of each model of the oracle's per-model-id totals, by the name the
    dashboard gives it. The figures are the oracle's, summed over the ids of one base model (``us.``, ``global.``,
    in-region...); only the name is the price book's, and each base model must have its own."""
    calls: dict[str, int] = defaultdict(int)
    priced: dict[str, int] = defaultdict(int)
    cost: dict[str, float] = defaultdict(float)
    for (model_id,), totals in totals_by_id.items():
        base, _ = base_and_family(model_id)
        if base:
            calls[base] += totals.calls
            priced[base] += totals.priced_calls
            cost[base] += totals.estimated_cost if totals.priced_calls else 0.0
    book = PriceBook.load()
    names = {base: book.display_name(base) for base in calls}
    assert len(set(names.values())) == len(names), names
    return {names[base]: (calls[base], priced[base], cost[base]) for base in calls}


@pytest.mark.slow
def test_model_filter_narrows_the_figures(demo_env: dict[str, str], demo_records: list[dict]) -> None:
    at = analyze(open_app())
    options = at.multiselect(key="models").options
    chosen = options[1:3]  # the second and third costliest models
    at.multiselect(key="models").set_value(chosen)
    checked(at.run())

    models = oracle_by_model(aggregate(with_profiles_resolved(demo_records), START, END)["model_id"])
    calls, cost = sum(models[name][0] for name in chosen), math.fsum(models[name][2] for name in chosen)
    bedrock = tab(at, "Amazon Bedrock")
    assert metric(bedrock, "Calls").value == expected_compact(calls)
    assert f"${cost:,.4f}" in metric(bedrock, "Estimated cost").help
    assert set(frame_starting(at, "model", "endpoint")["model"]) == set(chosen)
    assert int(frame_starting(at, "day", "calls")["calls"].sum()) == calls
    assert any(", ".join(chosen) in c.value for c in at.caption)
    # Choosing models reads nothing again: the sidebar has not changed since the analysis.
    assert not any("click **Analyze**" in c.value for c in at.caption)


@pytest.mark.slow
def test_the_view_is_in_the_address_and_a_link_opens_it(demo_env: dict[str, str], demo_records: list[dict]) -> None:
    link = {"start": START.isoformat(), "end": END.isoformat(), "regions": "us-east-1,us-west-2",
            "group": "application", "focus_by": "application", "focus": "CodeReviewApp", "top": "3", "lang": "ko"}
    at = open_app(**link)
    assert at.date_input(key="dates").value == (START, END)
    assert at.multiselect(key="regions").value == ["us-east-1", "us-west-2"]
    assert at.radio(key="group_by").value == "application" and at.radio(key="lang").value == "ko"
    assert at.selectbox(key="focus").value == "CodeReviewApp"
    assert at.number_input(key="top_n").value == 3
    application = aggregate(with_profiles_resolved(demo_records), START, END, regions=("us-east-1", "us-west-2"))[
        "application"][("CodeReviewApp",)]
    assert metric(at, "호출 수").value == expected_compact(application.calls)  # analysed straight away
    assert f"${application.estimated_cost:,.4f}" in metric(at, "예상 비용").help
    assert at.query_params == {**link, "source": "demo"}

    at.radio(key="focus_by").set_value("model")
    checked(at.run())
    assert "focus" not in at.query_params and "focus_by" not in at.query_params
    at.radio(key="stack_by").set_value("application")
    checked(at.run())
    assert at.query_params["stack"] == "application"

    bad = checked(open_app(start="2026-02-30", end=END.isoformat(), regions="mars-1", tab="nowhere"))
    warning = next(w.value for w in bad.warning if "left out" in w.value)
    assert all(part in warning for part in ("start=2026-02-30", "regions=mars-1", "tab=nowhere")), warning


@pytest.mark.slow
def test_a_link_keeps_its_known_regions_and_models(demo_env: dict[str, str], demo_records: list[dict]) -> None:
    period = {"source": "demo", "start": START.isoformat(), "end": END.isoformat()}
    at = open_app(**period, regions="mars-1,us-east-1")
    east = aggregate(with_profiles_resolved(demo_records), START, END, regions=("us-east-1",))
    assert at.multiselect(key="regions").value == ["us-east-1"]
    assert f"${east['summary'][()].estimated_cost:,.4f}" in metric(at, "Estimated cost").help
    assert [w.value for w in at.warning if "left out" in w.value] == \
        ["This link's settings that could not be used were left out: regions=mars-1."]
    assert at.query_params["regions"] == "us-east-1"

    # A model of the link the scan does not hold narrows to nothing; the others are kept.
    models = oracle_by_model(east["model_id"])
    costliest = max(models, key=lambda name: models[name][2])
    at = open_app(**period, regions="us-east-1", model=["no such model", costliest])
    assert at.multiselect(key="models").value == ["no such model", costliest]
    assert f"${models[costliest][2]:,.4f}" in metric(at, "Estimated cost").help
    assert not [w.value for w in at.warning if "left out" in w.value]


@pytest.mark.slow
@pytest.mark.parametrize(("lang", "error"), [
    ("en", "Choose at least one region. The link's unknown regions were left out (mars-1, venus-2); the page does "
           "not read every region in their place."),
    ("ko", "리전을 하나 이상 고르세요. 링크의 알 수 없는 리전은 뺐습니다(mars-1, venus-2). 그 대신 모든 리전을 읽지는 "
           "않습니다."),
])
def test_a_link_naming_no_known_region_analyses_nothing(demo_env: dict[str, str], lang: str, error: str) -> None:
    at = open_app(source="demo", days="7", regions="mars-1,venus-2", lang=lang)
    assert at.multiselect(key="regions").value == []
    assert [e.value for e in at.error] == [error]
    assert BEDROCK_KEY not in at.session_state and not at.metric
    assert sum("regions=mars-1, regions=venus-2" in w.value for w in at.warning) == 1

    at.multiselect(key="regions").set_value(["us-east-1"])
    at.button(key="analyze").click()
    checked(at.run())
    assert not at.error and at.session_state[BEDROCK_KEY].regions == ("us-east-1",)


@pytest.mark.slow
def test_spend_lines_and_cost_per_thousand_calls(demo_env: dict[str, str], demo_records: list[dict]) -> None:
    at = analyze(open_app())
    oracle = aggregate(with_profiles_resolved(demo_records), START, END)
    per_user = {user: totals.estimated_cost if totals.priced_calls else 0.0
                for (user,), totals in oracle["user"].items()}
    top = sorted(per_user, key=per_user.get, reverse=True)[:5]
    lines = chart(at, "chart_lines")["data"]
    assert [trace["name"] for trace in lines] == top
    for trace in lines:
        assert math.fsum(map(float, values(trace["y"]))) == pytest.approx(per_user[trace["name"]], rel=1e-9)

    expected = {name: 1000 * cost / priced for name, (_, priced, cost) in oracle_by_model(oracle["model_id"]).items()
                if priced}
    bars = chart(at, "chart_cost_per_1k")["data"][0]
    shown = dict(zip(values(bars["y"]), map(float, values(bars["x"])), strict=True))
    assert list(shown) == sorted(expected, key=expected.get)[-10:]  # the ten dearest per call, dearest on top
    for model, value in shown.items():
        assert value == pytest.approx(expected[model], rel=1e-9), model


def test_kiro_days_follow_the_reports_that_have_come_not_the_days_with_use() -> None:
    """A day's Kiro user report comes at 02:00 UTC the next day; a day reported without use (the fixture's 5th and
    6th) is a complete day of the chart, as it is one of the days its month-end projection counts."""
    period = Period(date(2026, 11, 1), date(2026, 11, 7))
    for now, through, marks in [(datetime(2026, 11, 7, 3, tzinfo=UTC), date(2026, 11, 6), {"2026-11-07": "today"}),
                                (datetime(2026, 11, 7, 1, tzinfo=UTC), date(2026, 11, 5),
                                 {"2026-11-06": "no_logs", "2026-11-07": "today"})]:
        kiro = analyze_qdev(Source(LocalStore(KIRO_FIXTURE)), period, now=now).kiro
        assert kiro is not None and kiro.reported_through == through and kiro.days_counted == through.day
        assert set(kiro.per_day.loc[kiro.per_day["messages"] == 0, "date"].astype(str)) >= {"2026-11-05", "2026-11-06"}
        assert report_partial_days(period, kiro.reported_through, now=now) == marks
    # a report that came before it was due counts as come; on the 1st before 02:00 the 31st's report is not due yet
    early = report_partial_days(period, date(2026, 11, 4), ["2026-11-05"], now=datetime(2026, 11, 7, 1, tzinfo=UTC))
    assert early == {"2026-11-06": "no_logs", "2026-11-07": "today"}
    kiro = analyze_qdev(Source(LocalStore(KIRO_FIXTURE)), Period(date(2026, 10, 25), date(2026, 11, 1)),
                        now=datetime(2026, 11, 1, 1, tzinfo=UTC)).kiro
    assert kiro is not None and kiro.reported_through == date(2026, 10, 30) and kiro.days_counted == 0


def test_partial_days_follow_the_calendar() -> None:
    now = datetime(2026, 12, 5, 20, 0, tzinfo=UTC)
    week = Period(date(2026, 11, 29), date(2026, 12, 5))
    assert partial_days(week, ["2026-11-29", "2026-12-05"], now) == {"2026-12-05": "today"}
    assert partial_days(week, ["2026-11-29", "2026-12-02"], now) == {"2026-12-03": "no_logs", "2026-12-04": "no_logs",
                                                                     "2026-12-05": "today"}
    assert partial_days(Period(date(2026, 11, 1), date(2026, 11, 7)), ["2026-11-01"], now) == {}
    # 20:00 UTC is the next morning in Seoul: the 6th is today there, the 5th is a whole day.
    seoul = Period(date(2026, 11, 30), date(2026, 12, 7), "Asia/Seoul")
    assert partial_days(seoul, ["2026-12-05"], now) == {"2026-12-06": "today", "2026-12-07": "no_logs"}


@pytest.mark.parametrize("tz", ["UTC", "America/Los_Angeles"])
def test_a_period_ending_today_is_compared_with_the_same_hours_of_the_day_before_it(tmp_path: Path, tz: str) -> None:
    """Read at 09:20 on the 5th, the week to the 5th is compared with the week before whose last day counts its calls
    before 09:00 and a third of those of 09:00-10:00 (facts are hourly); a week that ended before then with the
    whole week before."""
    read_at = datetime(2026, 12, 5, 9, 20, tzinfo=ZoneInfo(tz))
    records = generate_records(CorpusSpec(records=2_000, start_date=date(2026, 11, 20), end_date=date(2026, 12, 6),
                                          seed=21))
    write_local(tmp_path / "logs", records)
    tracker = BedrockAthenaTracker(LocalEngine(tmp_path / "logs", cache=False))
    week = Period(date(2026, 11, 29), date(2026, 12, 5), tz)
    previous = tracker.analyze(week.previous())

    totals, through = data.same_time_of_day(previous, week, read_at)
    assert through == "09:20"
    zone = ZoneInfo(tz)

    def local(record: dict) -> datetime:
        return datetime.fromisoformat(record["timestamp"].replace("Z", "+00:00")).astimezone(zone)

    nine, ten = datetime(2026, 11, 28, 9, tzinfo=zone), datetime(2026, 11, 28, 10, tzinfo=zone)
    before = aggregate([r for r in records if local(r) < nine], date(2026, 11, 22), date(2026, 11, 28), tz)
    in_hour = aggregate([r for r in records if nine <= local(r) < ten], date(2026, 11, 22), date(2026, 11, 28), tz)
    whole_before, hour = before["summary"][()], in_hour["summary"][()]
    assert hour.calls > 0
    assert totals["calls"] == pytest.approx(whole_before.calls + hour.calls / 3)
    assert totals["calls"] < previous.summary["calls"]
    assert totals[TOTAL_COST] == pytest.approx(whole_before.estimated_cost + hour.estimated_cost / 3, rel=1e-9)
    assert totals["input_tokens"] == pytest.approx(whole_before.input_tokens + hour.input_tokens / 3)

    whole, none = data.same_time_of_day(previous, week, read_at + timedelta(days=1))
    assert none is None and whole == previous.summary


@pytest.mark.slow
def test_days_after_the_logs_end_are_marked_not_drawn_as_zero(demo_env: dict[str, str], tmp_path: Path) -> None:
    with same_utc_day() as today:
        last = today - timedelta(days=3)
        write_local(tmp_path / "logs", generate_records(CorpusSpec(records=1_500, start_date=today - timedelta(days=13),
                                                                  end_date=last, seed=11)))
        at = open_app()
        at.radio(key="source").set_value("local")
        checked(at.run())
        at = analyze(at, today - timedelta(days=6), today, logs_dir=str(tmp_path / "logs"))
    figure = chart(at, "chart_daily_cost")
    drawn = {str(x)[:10] for trace in figure["data"] for x in values(trace["x"])}
    missing = {(last + timedelta(days=n)).isoformat() for n in (1, 2)}
    assert drawn.isdisjoint(missing) and today.isoformat() in drawn and last.isoformat() in drawn
    labels = {a["text"] for a in figure["layout"]["annotations"]}
    assert labels == {"no logs yet", "today (partial)"}
    shaded = sorted((s["x0"][:10], s["x1"][:10]) for s in figure["layout"]["shapes"])
    # Half a day either side of each run of days: the day after the logs end to the day before today, then today.
    assert shaded == [(last.isoformat(), (last + timedelta(days=2)).isoformat()),
                      ((today - timedelta(days=1)).isoformat(), today.isoformat())]
    lines = chart(at, "chart_lines")["data"]
    assert all(set(str(x)[:10] for x in values(t["x"])).isdisjoint(missing) for t in lines)
    scope = next(c.value for c in tab(at, "Amazon Bedrock").caption if "changes against" in c.value)
    last_day = today - timedelta(days=7)
    assert re.search(rf", its last day {last_day} read only to \d\d:\d\d, as far as today has come", scope), scope


@pytest.mark.slow
def test_every_table_is_typed_and_formatted_alike(demo_env: dict[str, str]) -> None:
    # Also checked for every test by conftest.py: no table needed Arrow's "automatic fixes".
    at = open_app()  # the default view, through today, opens straight away in demo mode
    tables = list(at.dataframe)
    for name in ("Amazon Q / Kiro", "Governance"):
        at.session_state["main_tab"] = name
        checked(at.run())
        tables += list(at.dataframe)
    assert len(tables) > 15
    shown = [table for table in tables if not table.proto.editing_mode]  # the budget editor's cells may be blank
    assert len(shown) == len(tables) - 1
    for table in shown:
        assert table.proto.placeholder == "—"
        config = json.loads(table.proto.columns)
        for column in table.value.columns:
            kinds = {type(plain(v)).__name__ for v in table.value[column] if plain(v) is not None}
            assert not ({"str"} & kinds and {"int", "float"} & kinds), (column, kinds)
            if column.endswith("_usd"):
                assert config[column]["type_config"]["format"] == MONEY_FORMAT, column
    budgets = frame_starting(at, "budget", "covers")
    assert budgets["daily_usd"].isna().any()  # shown as the placeholder, not "None"


@pytest.mark.slow
def test_charts_mark_today_as_partial(demo_env: dict[str, str]) -> None:
    with same_utc_day() as today:
        at = open_app()
        assert at.date_input(key="dates").value[1] == today
        for key in ("chart_daily_cost", "chart_daily_tokens", "chart_lines"):
            labels = [a["text"] for a in chart(at, key)["layout"]["annotations"]]
            assert labels == ["today (partial)"], key
        cost = chart(at, "chart_daily_cost")
        for trace in cost["data"]:
            hatched = [str(x)[:10] for x, shape in zip(values(trace["x"]), trace["marker"]["pattern"]["shape"],
                                                       strict=True) if shape]
            assert hatched in ([], [today.isoformat()])
        # The Amazon Q demo runs through today too.
        assert frame_starting(at, "date", "requests")["date"].astype(str).iloc[-1] == today.isoformat()
        assert [a["text"] for a in chart(at, "q_chart_daily")["layout"]["annotations"]] == ["today (partial)"]
        at.session_state["main_tab"] = "Governance"
        checked(at.run())
        assert [a["text"] for a in chart(at, "chart_anomalies")["layout"]["annotations"]] == ["today (partial)"]


@pytest.mark.slow
def test_korean_limits_and_a_dashboard_credentials_message(demo_env: dict[str, str]) -> None:
    at = open_app(lang="ko")
    limits = frame_starting(at, "limit", "subject", "used")
    assert "코드 변환 (줄 수)" in set(limits["limit"])
    assert not set(limits["limit"]) & {"Code transformation", "/dev (software development agent)"}
    assert "(계정 전체 풀)" in set(limits["subject"])

    at = open_app()
    at.radio(key="source").set_value("athena")
    at.button(key="analyze").click()
    checked(at.run())
    errors = [e.value for e in at.error]  # the Bedrock and the Amazon Q / Kiro tabs
    assert errors and all("no AWS credentials found" in e and "--profile" not in e for e in errors), errors
    assert all("AWS options in the sidebar" in e for e in errors), errors
    # Each load says it failed in a closed box with the error icon (a status box, or the box alone when it failed
    # at once)
    outcomes = {box.label for box in [*at.status, *at.expander] if box.proto.icon == ":material/error:"}
    assert outcomes == {"Could not read the logs (the Bedrock tab says why)",
                        "Could not read the Amazon Q / Kiro data (the reason is below)"}, outcomes


def frames_of(value: object) -> dict[str, pd.DataFrame]:
    """Every DataFrame a view or scan holds (through dataclasses and mappings), by where it sits."""
    found: dict[str, pd.DataFrame] = {}

    def walk(item: object, where: str) -> None:
        if isinstance(item, pd.DataFrame):
            found[where] = item
        elif dataclasses.is_dataclass(item) and not isinstance(item, type):
            for field in dataclasses.fields(item):
                walk(getattr(item, field.name), f"{where}.{field.name}")
        elif isinstance(item, Mapping):  # a report's tables too
            for key, inner in item.items():
                walk(inner, f"{where}[{key}]")

    walk(value, "")
    return found


@pytest.mark.slow
def test_reruns_leave_the_shared_scan_views_and_q_report_as_they_were(demo_env: dict[str, str]) -> None:
    # The scan, its views and the Amazon Q report are shared objects (no copy per rerun): no page may change them.
    at = analyze(open_app())
    request, qdev = at.session_state[BEDROCK_KEY], at.session_state[QDEV_KEY]
    for loader in (data.load_scan, data.load_bedrock, data.load_qdev):
        loader.clear()
    # Loaded here, before any page saw them; the page then draws these very objects.
    shared = {"view": data.load_bedrock(request), "scan": data.load_scan(request.scan()), "q": data.load_qdev(qdev)}
    before = {name: {where: frame.copy(deep=True) for where, frame in frames_of(value).items()}
              for name, value in shared.items()}
    assert len(before["view"]) > 10 and before["scan"] and before["q"]
    checked(at.run())
    for key, value in (("stack_by", "application"), ("lines_by", "application"), ("group_by", "application"),
                       ("focus_by", "user"), ("lang", "ko")):
        at.radio(key=key).set_value(value)
        checked(at.run())
    at.selectbox(key="focus").set_value(at.selectbox(key="focus").options[1])
    checked(at.run())
    at.session_state["main_tab"] = "거버넌스"
    checked(at.run())
    assert data.load_bedrock(request) is shared["view"] and data.load_qdev(qdev) is shared["q"]
    for name, value in shared.items():
        after = frames_of(value)
        assert set(after) == set(before[name])
        for where, frame in before[name].items():
            pd.testing.assert_frame_equal(after[where], frame, check_exact=True, obj=f"{name}{where}")


@pytest.mark.slow
def test_an_edited_price_file_is_priced_by_the_next_analyze(demo_env: dict[str, str], tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """A view kept for ten minutes is not reused once the price file changed: the sidebar's next request prices the
    calls with the file as it is now."""
    from tests.logfiles import write_records

    model, day = "acme.dashboard-test-v1:0", date(2026, 11, 2)
    write_records(tmp_path / "logs", [
        {"timestamp": f"{day}T10:00:00Z", "region": "us-east-1", "modelId": model, "requestId": "r1",
         "identity": {"arn": "arn:aws:iam::123456789012:user/ann"},
         "input": {"inputTokenCount": 1000}, "output": {"outputTokenCount": 1000}},
    ])
    prices = tmp_path / "prices.json"
    monkeypatch.setenv("BEDROCK_USAGE_PRICES", str(prices))
    for input_price in (0.001, 0.004):  # per 1K tokens; 1K tokens in, and 1K out at $0.002
        prices.write_text(json.dumps([{"model": model, "input": input_price, "output": 0.002}]))
        request = data.pinned(data.BedrockRequest(source="local", regions=("us-east-1",), start=day, end=day,
                                                  logs_dir=str(tmp_path / "logs")))
        summary = data.load_bedrock(request).report.summary
        assert summary[TOTAL_COST] == pytest.approx(input_price + 0.002, rel=1e-12)
