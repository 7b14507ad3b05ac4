"""The dashboard's figures: drawn values against plain Python over the same rows, and figures kept per input."""

from __future__ import annotations

import gc
import html
import math
from collections import defaultdict
from datetime import date, timedelta

import pandas as pd
import plotly.graph_objects as go
import pytest

from bedrock_usage.dashboard import charts

DAYS = [date(2025, 11, 1) + timedelta(days=n) for n in range(10)]
PARTIAL = {"2025-11-08": "today", "2025-11-09": "no_logs", "2025-11-10": "no_logs"}
LABELS = {"today": "today (partial)", "no_logs": "no logs yet"}
ROWS = [
    (day.isoformat(), model, round(0.37 * (n + 1) * (i + 2), 6))
    for n, day in enumerate(DAYS[:8])
    for i, model in enumerate(("claude", "nova", "llama", "titan"))
    if (n + i) % 3
]


def daily_table() -> pd.DataFrame:
    return pd.DataFrame(ROWS, columns=["day", "model", "total_cost_usd"])


def stacked(table: pd.DataFrame, value_label: str = "Cost", n: int = 2):
    return charts.stacked_daily(table, "model", "total_cost_usd", DAYS, value_label=value_label,
                                other_label="Other", money=True, partial=PARTIAL, partial_labels=LABELS, n=n)


def test_stacked_bars_hold_each_days_sum_with_the_rest_folded_into_other() -> None:
    totals: dict[str, float] = defaultdict(float)
    for _, model, cost in ROWS:
        totals[model] += cost
    top = sorted(totals, key=lambda m: -totals[m])[:2]
    expected: dict[tuple[str, str], float] = defaultdict(float)
    for day, model, cost in ROWS:
        expected[(model if model in top else "Other", day)] += cost

    figure = stacked(daily_table())

    assert [trace.name for trace in figure.data] == [*top, "Other"]
    for trace in figure.data:
        # Days after the logs end are left empty (no data), not drawn as zero spend.
        assert list(trace.x) == [day.isoformat() for day in DAYS[:8]]
        for day, value in zip(trace.x, trace.y, strict=True):
            assert value == pytest.approx(expected.get((trace.name, day), 0.0), rel=1e-12)
        assert [shape for shape in trace.marker.pattern.shape] == [""] * 7 + ["/"]
    assert [note.text for note in figure.layout.annotations] == ["today (partial)", "no logs yet"]
    assert math.isclose(sum(sum(trace.y) for trace in figure.data), sum(cost for *_, cost in ROWS))


def test_a_one_day_period_draws_a_days_wide_bar_a_tick_per_day_and_points() -> None:
    """With one day, Plotly sizes a bar by the spacing of bars (none) and splits the day's axis in two ticks."""
    day = [date(2025, 11, 3)]
    table = pd.DataFrame([("2025-11-03", "claude", 2.0), ("2025-11-03", "nova", 1.0)],
                         columns=["day", "model", "total_cost_usd"])
    bars = charts.stacked_daily(table, "model", "total_cost_usd", day, value_label="Cost", other_label="Other",
                                money=True, partial={}, partial_labels=LABELS)
    assert [trace.width for trace in bars.data] == [0.85 * 86_400_000] * 2
    assert bars.layout.xaxis.dtick == 86_400_000
    lines = charts.top_lines(table, "model", "total_cost_usd", day, value_label="Cost", n=5, money=True,
                             partial={}, partial_labels=LABELS)
    assert {trace.mode for trace in lines.data} == {"markers"}  # a line of one point draws nothing
    month = charts.stacked_daily(daily_table(), "model", "total_cost_usd",
                                 [date(2025, 11, 1) + timedelta(days=n) for n in range(30)], value_label="Cost",
                                 other_label="Other", money=True, partial=PARTIAL, partial_labels=LABELS)
    assert month.layout.xaxis.dtick is None  # Plotly's own ticks over a longer period


def test_today_alone_draws_each_line_as_a_named_point() -> None:
    """A period of today only: the day is partial, so its line would be the dotted segment into today, which needs
    a day before it; each line is its named point instead (the chart was empty, its legend too)."""
    day = [date(2025, 11, 3)]
    table = pd.DataFrame([("2025-11-03", "claude", 2.0), ("2025-11-03", "nova", 1.0)],
                         columns=["day", "model", "total_cost_usd"])
    lines = charts.top_lines(table, "model", "total_cost_usd", day, value_label="Cost", n=5, money=True,
                             partial={"2025-11-03": "today"}, partial_labels=LABELS)
    drawn = {trace.name: (trace.mode, list(trace.x), list(trace.y)) for trace in lines.data}
    assert drawn == {"claude": ("markers", ["2025-11-03"], [2.0]), "nova": ("markers", ["2025-11-03"], [1.0])}
    assert all(trace.showlegend is not False for trace in lines.data)


def test_an_anomaly_chart_without_costs_spans_its_period() -> None:
    """No costs in the period (or none matching the filters): the axis is the period's days, not Plotly's default
    year 2000 with a tick per day."""
    empty = pd.DataFrame({"day": pd.Series(dtype=str), "group": pd.Series(dtype=str),
                          "cost_usd": pd.Series(dtype=float)})
    anomalies = pd.DataFrame({"day": pd.Series(dtype=str), "group": pd.Series(dtype=str),
                              "cost_usd": pd.Series(dtype=float), "baseline_usd": pd.Series(dtype=float)})
    figure = charts.anomaly_lines(empty, anomalies, value_label="Cost", anomaly_label="anomaly",
                                  baseline_label="baseline", other_label="Other", partial={}, partial_labels=LABELS,
                                  period_days=DAYS)
    start, end = (pd.Timestamp(x) for x in figure.layout.xaxis.range)
    assert start.date() == DAYS[0] - timedelta(days=1) and end.date() == DAYS[-1]  # half a day either side


def test_axes_say_cents_under_ten_dollars_and_the_year_over_a_new_year() -> None:
    small = pd.DataFrame({"user": ["a", "b"], "cost": [0.42, 1.37]})
    assert charts.top_bar(small, "user", "cost", value_label="Cost").layout.xaxis.tickformat == "$,.2f"
    large = pd.DataFrame({"user": ["a", "b"], "cost": [4.2, 13.7]})
    assert charts.top_bar(large, "user", "cost", value_label="Cost").layout.xaxis.tickformat == "$,.0f"
    assert charts.compare_bars({"a": 0.5, "b": 1.5}, value_label="Cost").layout.xaxis.tickformat == "$,.2f"
    new_year = [date(2025, 12, 30) + timedelta(days=n) for n in range(5)]
    table = pd.DataFrame([(d.isoformat(), "claude", 1.0) for d in new_year], columns=["day", "model", "total_cost_usd"])
    lines = charts.top_lines(table, "model", "total_cost_usd", new_year, value_label="Cost", n=5, money=True,
                             partial={}, partial_labels=LABELS)
    assert lines.layout.xaxis.tickformat == "%Y-%m-%d"
    assert stacked(daily_table()).layout.xaxis.tickformat == "%m-%d"


def test_a_figure_is_built_once_per_input() -> None:
    first = stacked(daily_table())
    # Equal tables (new objects, as a rerun hands in) give back the figure built before.
    assert stacked(daily_table()) is first
    relabelled = stacked(daily_table(), value_label="비용")
    assert relabelled is not first and relabelled.layout.yaxis.title.text == "비용"
    changed = daily_table()
    changed.loc[0, "total_cost_usd"] += 1.0
    assert stacked(changed) is not first
    assert stacked(daily_table(), n=3) is not first


def test_frame_token_follows_values_types_and_names_and_forgets_collected_frames() -> None:
    table = daily_table()
    token = charts._frame_token(table)
    assert charts._frame_token(daily_table()) == token
    assert charts._frame_token(table.assign(total_cost_usd=table["total_cost_usd"] + 1e-9)) != token
    assert charts._frame_token(table.astype({"total_cost_usd": "float32"})) != token
    assert charts._frame_token(table.rename(columns={"model": "application"})) != token
    assert charts._frame_token(table.iloc[::-1]) != token
    listed = table.assign(model=[[name] for name in table["model"]])  # cells pandas cannot hash
    assert charts._frame_token(listed) != charts._frame_token(listed.assign(total_cost_usd=0.0))
    key = id(table)
    assert key in charts._tokens
    del table
    gc.collect()
    assert key not in charts._tokens


def test_names_from_the_logs_draw_as_the_characters_they_are() -> None:
    """A requestMetadata value holding plotly's markup (a link, bold) is escaped in every chart that names it, so it
    never draws a link to another site; the figures' values stay the logged ones."""
    hostile = '<a href="https://evil.example/">Finance</a> <b>x</b>'
    table = pd.DataFrame({"tag:team": [hostile, "ops"], "estimated_cost_usd": [2.0, 1.0]})
    bar = charts.top_bar(table, "tag:team", "estimated_cost_usd", value_label="Cost").to_dict()["data"][0]
    donut = charts.share_donut(table, "tag:team", "estimated_cost_usd", other_label="Other",
                               value_label="Cost").to_dict()["data"][0]
    daily = pd.DataFrame({"day": ["2025-11-01", "2025-11-01"], "tag:team": [hostile, "ops"],
                          "estimated_cost_usd": [2.0, 1.0]})
    stacked = charts.stacked_daily(daily, "tag:team", "estimated_cost_usd", [date(2025, 11, 1)], value_label="Cost",
                                   other_label="Other", money=True, partial={}, partial_labels={}).to_dict()["data"]
    drawn = [*bar["y"], *donut["labels"], *(trace["name"] for trace in stacked)]
    assert all("<" not in text and ">" not in text for text in drawn), drawn
    assert html.unescape(list(bar["y"])[-1]) == hostile  # the bar a click drills into names the logged value


# Amounts under a cent, and what the CLI prints for each (four decimals: bedrock_tracker_cli.py's tables).
TINY = {"alice": (0.0042, "$0.0042"), "bob": (0.0017, "$0.0017")}


def _tiny_figures() -> dict[str, go.Figure]:
    """Every money chart over the amounts of ``TINY``."""
    names = list(TINY)
    costs = [TINY[name][0] for name in names]
    day = [date(2025, 11, 3)]
    daily = pd.DataFrame({"day": ["2025-11-03"] * 2, "user": names, "cost": costs})
    anomalies = pd.DataFrame({"day": ["2025-11-03"], "group": ["alice"], "cost_usd": [TINY["alice"][0]],
                              "baseline_usd": [TINY["bob"][0]]})
    burn = pd.DataFrame({"day": ["2025-11-01", "2025-11-02"], "kind": ["actual", "actual"],
                         "cumulative_usd": costs[::-1], "monthly_usd": [None, None], "even_pace_usd": costs[::-1]})
    heat = pd.DataFrame({"weekday": ["Monday", "Tuesday"], "hour": [9, 10], "cost": costs})
    figures = {
        "top_bar": charts.top_bar(daily, "user", "cost", value_label="Cost"),
        "donut": charts.share_donut(daily, "user", "cost", other_label="Other", value_label="Cost"),
        "stacked": charts.stacked_daily(daily, "user", "cost", day, value_label="Cost", other_label="Other",
                                        money=True, partial={}, partial_labels={}),
        "lines": charts.top_lines(daily, "user", "cost", day, value_label="Cost", n=5, partial={}, partial_labels={}),
        "heatmap": charts.weekday_hour_heatmap(heat, "cost", weekday_labels=list(charts.WEEKDAYS), value_label="Cost",
                                               hour_label="Hour"),
        "compare": charts.compare_bars(dict(zip(names, costs, strict=True)), value_label="Cost"),
        "anomalies": charts.anomaly_lines(daily.rename(columns={"user": "group", "cost": "cost_usd"}), anomalies,
                                          value_label="Cost", anomaly_label="anomaly", baseline_label="baseline",
                                          other_label="Other", partial={}, partial_labels={}),
        "burndown": charts.burndown(burn, labels={"actual": "Spent", "forecast": "Forecast", "budget": "Budget",
                                                  "pace": "Pace"}),
    }
    return figures


def _drawn_texts(figure: go.Figure) -> list[str]:
    """The amounts a figure prints: bar labels and the texts its hovers name (``%{text}``, ``%{customdata...}``),
    but a heatmap's empty cells (no spend: ``$0.00``)."""
    texts = []
    for trace in figure.data:
        for name in ("text", "customdata"):
            values = getattr(trace, name)
            if values is not None and f"%{{{name}" in (trace.hovertemplate or "") + (trace.texttemplate or ""):
                if trace.type == "heatmap":
                    values = [text for row, texts_of in zip(trace.z, values, strict=True)
                              for z, text in zip(row, texts_of, strict=True) if z]
                texts += [str(v) for v in pd.Series(list(values)).explode().explode()]
    return texts


def test_amounts_under_a_cent_read_as_the_cli_prints_them_in_every_chart() -> None:
    """A bar label or a hover of an amount under a cent read ``$0.00`` (a d3 format of two decimals): it reads as the
    CLI prints it, and no non-zero amount reads ``$0.00`` anywhere."""
    expected = {text for _, text in TINY.values()}
    for name, figure in _tiny_figures().items():
        texts = _drawn_texts(figure)
        assert expected & set(texts), (name, texts)
        assert "$0.00" not in texts, (name, texts)
        for trace in figure.data:
            template = (trace.hovertemplate or "") + (trace.texttemplate or "")
            assert "$,.2f" not in template and ":$" not in template, (name, template)


def test_an_axis_of_amounts_under_a_cent_tells_its_ticks_apart() -> None:
    """Ticks of an axis reaching $0.0042 read ``$0.00`` each: the format has the decimals that tell apart ticks
    a tenth of its top apart (the smallest step Plotly's ticks take: 1, 2 or 5 times a power of ten)."""
    top = max(cost for cost, _ in TINY.values())
    step = min(m * 10.0 ** k for k in range(-8, 2) for m in (1, 2, 5) if m * 10.0 ** k >= top / 10)
    for name, figure in _tiny_figures().items():
        if name == "donut":
            continue
        formats = [figure.layout.xaxis.tickformat, figure.layout.yaxis.tickformat]
        formats += [trace.colorbar.tickformat for trace in figure.data if trace.type == "heatmap"]
        money = [f for f in formats if f and f.startswith("$")]
        assert money, (name, formats)
        for spec in money:
            decimals = int(spec.removeprefix("$,.").removesuffix("f"))
            ticks = [f"${i * step:,.{decimals}f}" for i in range(5)]
            assert len(set(ticks)) == len(ticks), (name, spec, ticks)


def test_compare_bars_print_every_amount_whole_in_a_half_page_column() -> None:
    """At 1280 px the Subscription bar's amount, printed after the bar, ran past the figure's edge (``$34``) and the
    long category label squeezed the bars: a bar at least half the longest prints its amount inside its end, a
    shorter one after it with at least half of the axis free, and category labels wrap onto short lines."""
    long_name = "Virtual API cost of Amazon Q Developer requests"
    values = {long_name: 2.10, "Subscription": 34.49, "Nearly as much": 30.0}
    printed = ["$2.10", "$34.49", "$30.00"]
    figure = charts.compare_bars(values, value_label="Cost (USD)")
    low, high = figure.layout.xaxis.range
    assert figure.layout.yaxis.automargin is True
    for trace, (name, amount), text in zip(figure.data, values.items(), printed, strict=True):
        assert trace.text == (text,)
        if trace.textposition == "inside":
            assert amount - low >= (high - low) / 2, name
        else:
            assert (high - amount) >= (high - low) / 2, name
        lines = trace.y[0].split("<br>")
        assert " ".join(lines) == name and all(len(line) <= 24 for line in lines), trace.y
    assert list(figure.layout.yaxis.categoryarray) == [trace.y[0] for trace in figure.data][::-1]
