"""Plotly figures for the dashboard, built from the report tables; labels come in from the caller (text.py).

Daily charts take ``partial``: days whose figures are not complete (``today``, ``no_logs``; see
``data.partial_days``) mapped to their label. They are shaded and labelled, today's bars hatched and its line
segments dotted, and days without logs left empty, so the end of a period never reads as a drop in spend.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

ACCENT = "#EC7211"
PALETTE = px.colors.qualitative.Safe
OTHER_COLOR = "#B8BEC9"
HEAT_SCALE = "YlOrRd"
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONEY = ":$,.2f"
COUNT = ":,.0f"
PARTIAL_FILL = "rgba(141, 153, 174, 0.18)"
PARTIAL_TEXT = "#5A6B86"
HALF_DAY = pd.Timedelta(hours=12)


def _tidy(fig: go.Figure, height: int) -> go.Figure:
    """Compact margins and a legend that stays out of the plot."""
    fig.update_layout(
        height=height,
        margin={"l": 8, "r": 8, "t": 8, "b": 8},
        legend={"orientation": "h", "yanchor": "top", "y": -0.15, "x": 0, "title": None},
        hoverlabel={"namelength": -1},
    )
    return fig


def _ranked(table: pd.DataFrame, key: str, rank_by: str, n: int, other: str) -> tuple[pd.Series, dict[str, str]]:
    """``key`` of each row with all but the ``n`` largest by ``rank_by`` folded into ``other``, and their colours.

    Colours follow the rank, so the same key has the same colour in every chart ranked by the same measure.
    """
    totals = table.groupby(key, dropna=False)[rank_by].sum().fillna(0).sort_values(ascending=False, kind="stable")
    keep = list(totals.index[:n])
    colors = {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(keep)} | {other: OTHER_COLOR}
    return table[key].where(table[key].isin(keep), other), colors


def top_bar(
    table: pd.DataFrame,
    key: str,
    value: str,
    *,
    value_label: str,
    key_label: str,
    n: int = 10,
    money: bool = True,
    height: int = 360,
) -> go.Figure:
    """Horizontal bars of the ``n`` largest rows by ``value``, largest on top."""
    top = table.assign(**{value: pd.to_numeric(table[value]).fillna(0)}).nlargest(n, value).iloc[::-1]
    top = top.assign(**{key: top[key].astype(str)})
    fmt = MONEY if money else COUNT
    fig = px.bar(
        top,
        x=value,
        y=key,
        orientation="h",
        text=value,
        labels={value: value_label, key: key_label},
        color_discrete_sequence=[ACCENT],
    )
    fig.update_traces(
        texttemplate=f"%{{x{fmt}}}",
        textposition="outside",
        cliponaxis=False,
        hovertemplate=f"%{{y}}<br>{value_label}: %{{x{fmt}}}<extra></extra>",
    )
    fig.update_yaxes(title=None, automargin=True)
    # Room on the right for the value printed after the longest bar.
    longest = float(top[value].max()) if len(top) else 0.0
    fig.update_xaxes(title=value_label, tickformat="$,.0f" if money else "~s", range=[0, longest * 1.18 or 1])
    return _tidy(fig, height)


def share_donut(
    table: pd.DataFrame, key: str, value: str, *, other_label: str, value_label: str, n: int = 7, height: int = 360
) -> go.Figure:
    """Each ``key``'s share of ``value`` (the ``n`` largest, the rest as ``other_label``)."""
    names, colors = _ranked(table, key, value, n, other_label)
    shares = table.assign(**{key: names, value: table[value].fillna(0)})
    shares = shares.groupby(key, sort=False)[value].sum().reindex(list(colors)).dropna().reset_index()
    fig = px.pie(shares, names=key, values=value, hole=0.55, color=key, color_discrete_map=colors)
    fig.update_traces(
        sort=False,
        textinfo="percent",
        textposition="inside",
        hovertemplate=f"%{{label}}<br>{value_label}: %{{value:$,.2f}} (%{{percent}})<extra></extra>",
    )
    _tidy(fig, height)
    fig.update_layout(legend={"orientation": "v", "y": 0.5, "yanchor": "middle", "x": 1.02})
    return fig


def _runs(days: dict[str, str]) -> list[tuple[str, str, str]]:
    """Consecutive days of the same kind as (first day, last day, kind)."""
    runs: list[tuple[str, str, str]] = []
    for day, kind in sorted(days.items()):
        if runs and runs[-1][2] == kind and pd.Timestamp(day) - pd.Timestamp(runs[-1][1]) == pd.Timedelta(days=1):
            runs[-1] = (runs[-1][0], day, kind)
        else:
            runs.append((day, day, kind))
    return runs


def mark_partial(fig: go.Figure, partial: dict[str, str], labels: dict[str, str]) -> go.Figure:
    """Shade the days of ``partial`` (ISO day -> kind) and label each run of them with ``labels[kind]``."""
    for first, last, kind in _runs(partial):
        fig.add_vrect(x0=pd.Timestamp(first) - HALF_DAY, x1=pd.Timestamp(last) + HALF_DAY, fillcolor=PARTIAL_FILL,
                      line_width=0, layer="below", annotation_text=labels[kind], annotation_position="top right",
                      annotation_font={"size": 10, "color": PARTIAL_TEXT})
    return fig


def _day_axis(fig: go.Figure, days: Sequence[date]) -> None:
    """A date axis over exactly the period's days (bars centred on them), ticks as month-day."""
    if days:
        fig.update_xaxes(range=[pd.Timestamp(days[0]) - HALF_DAY, pd.Timestamp(days[-1]) + HALF_DAY])
    fig.update_xaxes(title=None, tickformat="%m-%d", type="date")


def _hatch_today(fig: go.Figure, partial: dict[str, str]) -> None:
    """Hatch the bars of today (a day not over yet)."""
    today = {day for day, kind in partial.items() if kind == "today"}
    for trace in fig.data:
        shapes = ["/" if pd.Timestamp(x).date().isoformat() in today else "" for x in trace.x]
        trace.update(marker_pattern_shape=shapes, marker_pattern_size=6)


def _without_days_lacking_logs(frame: pd.DataFrame, day: str, partial: dict[str, str]) -> pd.DataFrame:
    """Rows of ``frame`` except those of days after the logs end (no data, not zero spend)."""
    missing = [d for d, kind in partial.items() if kind == "no_logs"]
    return frame.loc[~frame[day].astype(str).isin(missing)]


def stacked_daily(
    table: pd.DataFrame,
    key: str,
    value: str,
    days: Sequence[date],
    *,
    value_label: str,
    day_label: str,
    other_label: str,
    money: bool,
    partial: dict[str, str],
    partial_labels: dict[str, str],
    rank_by: str | None = None,
    n: int = 7,
    height: int = 330,
) -> go.Figure:
    """``value`` per day as stacked bars, one colour per ``key``: the ``n`` largest by ``rank_by`` (default
    ``value``), the rest as ``other_label``; partial days marked."""
    names, colors = _ranked(table, key, rank_by or value, n, other_label)
    series = table.assign(**{key: names, value: table[value].fillna(0)})
    grid = series.pivot_table(index="day", columns=key, values=value, aggfunc="sum", fill_value=0)
    grid = grid.reindex(index=[d.isoformat() for d in days], columns=[c for c in colors if c in grid.columns],
                        fill_value=0).fillna(0)
    long = grid.reset_index(names="day").melt(id_vars="day", var_name=key, value_name=value)
    long = _without_days_lacking_logs(long, "day", partial)
    long["day"] = pd.to_datetime(long["day"])
    fig = px.bar(
        long, x="day", y=value, color=key, labels={"day": day_label, value: value_label},
        color_discrete_map=colors, category_orders={key: list(colors)},
    )
    fmt = MONEY if money else COUNT
    fig.update_traces(hovertemplate=f"%{{x|%Y-%m-%d}}<br>%{{fullData.name}}: %{{y{fmt}}}<extra></extra>",
                      marker_line_width=0)
    _hatch_today(fig, partial)
    fig.update_layout(barmode="stack", bargap=0.15)
    _day_axis(fig, days)
    fig.update_yaxes(title=value_label, tickformat="$,.2f" if money else "~s", rangemode="tozero")
    mark_partial(fig, partial, partial_labels)
    return _tidy(fig, height)


def _dot_partial_segments(fig: go.Figure, partial: dict[str, str]) -> None:
    """Draw each line's segment into today dotted: the day is not over, its point is not a fall in spend."""
    today = {day for day, kind in partial.items() if kind == "today"}
    for trace in list(fig.data):
        days = [pd.Timestamp(x).date().isoformat() for x in trace.x]
        if trace.mode != "lines" or not today.intersection(days):
            continue
        xs, ys = list(trace.x), list(trace.y)
        cut = min(i for i, day in enumerate(days) if day in today)
        start = max(cut - 1, 0)
        fig.add_scatter(x=xs[start:], y=ys[start:], mode="lines", showlegend=False, hoverinfo="skip",
                        line={"color": trace.line.color, "width": trace.line.width, "dash": "dot"},
                        opacity=trace.opacity, legendgroup=trace.legendgroup)
        trace.update(x=xs[:cut], y=ys[:cut])


def top_lines(
    table: pd.DataFrame,
    key: str,
    value: str,
    days: Sequence[date],
    *,
    value_label: str,
    n: int,
    partial: dict[str, str],
    partial_labels: dict[str, str],
    money: bool = True,
    height: int = 340,
) -> go.Figure:
    """``value`` per day as one line for each of the ``n`` largest ``key`` values over the period (no others)."""
    totals = table.groupby(key, dropna=False)[value].sum().fillna(0).sort_values(ascending=False, kind="stable")
    keep = list(totals.index[:n])
    colors = {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(keep)}
    grid = table.loc[table[key].isin(keep)].pivot_table(index="day", columns=key, values=value, aggfunc="sum",
                                                        fill_value=0)
    grid = grid.reindex(index=[d.isoformat() for d in days], columns=keep, fill_value=0).fillna(0)
    long = grid.reset_index(names="day").melt(id_vars="day", var_name=key, value_name=value)
    long = _without_days_lacking_logs(long, "day", partial)
    long["day"] = pd.to_datetime(long["day"])
    fig = px.line(long, x="day", y=value, color=key, color_discrete_map=colors, category_orders={key: keep},
                  labels={"day": "", value: value_label})
    fmt = MONEY if money else COUNT
    fig.update_traces(hovertemplate=f"%{{x|%Y-%m-%d}}<br>%{{fullData.name}}: %{{y{fmt}}}<extra></extra>",
                      line={"width": 2})
    _dot_partial_segments(fig, partial)
    _day_axis(fig, days)
    fig.update_yaxes(title=value_label, tickformat="$,.2f" if money else "~s", rangemode="tozero")
    mark_partial(fig, partial, partial_labels)
    return _tidy(fig, height)


def weekday_hour_heatmap(
    table: pd.DataFrame, value: str, *, weekday_labels: Sequence[str], value_label: str, hour_label: str,
    money: bool = True, height: int = 330,
) -> go.Figure:
    """``value`` by weekday (rows, Monday first) and hour of day (columns), every cell present."""
    grid = table.pivot_table(index="weekday", columns="hour", values=value, aggfunc="sum", fill_value=0)
    grid = grid.reindex(index=list(WEEKDAYS), columns=range(24), fill_value=0).fillna(0)
    fmt = MONEY if money else COUNT
    fig = go.Figure(
        go.Heatmap(
            z=grid.to_numpy(),
            x=[f"{h:02d}" for h in range(24)],
            y=list(weekday_labels),
            colorscale=HEAT_SCALE,
            hovertemplate=f"%{{y}} %{{x}}:00<br>{value_label}: %{{z{fmt}}}<extra></extra>",
            colorbar={"thickness": 10, "tickformat": "$,.0f" if money else "~s"},
            xgap=1,
            ygap=1,
        )
    )
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title=hour_label)
    return _tidy(fig, height)


def stacked_columns(
    frame: pd.DataFrame,
    x: str,
    columns: dict[str, str],
    *,
    value_label: str,
    partial: dict[str, str],
    partial_labels: dict[str, str],
    height: int = 330,
) -> go.Figure:
    """Stacked bars per day (``x`` holds ISO days) of several count columns of ``frame`` (``columns`` maps column
    to legend label); partial days marked."""
    long = frame.melt(id_vars=x, value_vars=list(columns), var_name="series", value_name="value")
    long["series"] = long["series"].map(columns)
    long = _without_days_lacking_logs(long, x, partial)
    long[x] = pd.to_datetime(long[x].astype(str))
    fig = px.bar(long, x=x, y="value", color="series", labels={"value": value_label},
                 color_discrete_sequence=PALETTE)
    fig.update_traces(hovertemplate=f"%{{x|%Y-%m-%d}}<br>%{{fullData.name}}: %{{y{COUNT}}}<extra></extra>",
                      marker_line_width=0)
    _hatch_today(fig, partial)
    fig.update_layout(barmode="stack", bargap=0.15)
    days = sorted({*pd.to_datetime(frame[x].astype(str)).dt.date, *map(date.fromisoformat, partial)})
    _day_axis(fig, days)
    fig.update_yaxes(title=value_label)
    mark_partial(fig, partial, partial_labels)
    return _tidy(fig, height)


def compare_bars(values: dict[str, float], *, value_label: str, height: int = 240) -> go.Figure:
    """A few labelled amounts side by side (e.g. virtual API cost against the subscription)."""
    frame = pd.DataFrame({"name": list(values), "value": list(values.values())})
    fig = px.bar(frame, x="value", y="name", orientation="h", text="value", color="name",
                 color_discrete_sequence=[ACCENT, "#5A6B86", *PALETTE])
    fig.update_traces(texttemplate=f"%{{x{MONEY}}}", textposition="outside", cliponaxis=False,
                      hovertemplate=f"%{{y}}: %{{x{MONEY}}}<extra></extra>")
    fig.update_layout(showlegend=False)
    fig.update_yaxes(title=None)
    fig.update_xaxes(title=value_label, tickformat="$,.0f", range=[0, max(values.values(), default=0) * 1.25 or 1])
    return _tidy(fig, height)


BREACH_COLOR = "#D13212"
PACE_COLOR = "#8D99AE"
FLAG_COLOR = "#D13212"
COVERAGE_SCALE = [(0.0, "#D13212"), (0.5, "#F2C14E"), (0.9, "#C9E4B4"), (1.0, "#2E8540")]


def burndown(
    frame: pd.DataFrame, *, labels: dict[str, str], height: int = 220
) -> go.Figure:
    """One budget's month: cumulative spend to the as-of day, the forecast path after it, the budget and even pace.

    ``frame`` holds one budget's rows of ``budgets.burndown``; ``labels`` names the ``actual``, ``forecast``,
    ``budget`` and ``pace`` lines.
    """
    days = pd.to_datetime(frame["day"])
    actual = frame["kind"] == "actual"
    fig = go.Figure()
    fig.add_scatter(x=days[actual], y=frame.loc[actual, "cumulative_usd"], name=labels["actual"], mode="lines",
                    line={"color": ACCENT, "width": 2.5}, fill="tozeroy", fillcolor="rgba(236,114,17,0.12)",
                    hovertemplate=f"%{{x|%Y-%m-%d}}<br>{labels['actual']}: %{{y{MONEY}}}<extra></extra>")
    if (~actual).any():
        # The forecast starts at the as-of day's point, so the two lines join.
        path = frame.loc[actual].tail(1).index.union(frame.index[~actual])
        fig.add_scatter(x=days[path], y=frame.loc[path, "cumulative_usd"], name=labels["forecast"], mode="lines",
                        line={"color": ACCENT, "width": 2, "dash": "dot"},
                        hovertemplate=f"%{{x|%Y-%m-%d}}<br>{labels['forecast']}: %{{y{MONEY}}}<extra></extra>")
    monthly = frame["monthly_usd"].dropna()
    top = float(frame["cumulative_usd"].max()) if len(frame) else 0.0
    if len(monthly):
        amount = float(monthly.iloc[0])
        top = max(top, amount)
        fig.add_scatter(x=days, y=frame["even_pace_usd"], name=labels["pace"], mode="lines",
                        line={"color": PACE_COLOR, "width": 1, "dash": "dash"},
                        hovertemplate=f"%{{x|%Y-%m-%d}}<br>{labels['pace']}: %{{y{MONEY}}}<extra></extra>")
        fig.add_scatter(x=[days.min(), days.max()], y=[amount, amount], name=labels["budget"], mode="lines",
                        line={"color": BREACH_COLOR, "width": 1.5},
                        hovertemplate=f"{labels['budget']}: %{{y{MONEY}}}<extra></extra>")
    fig.update_xaxes(title=None, tickformat="%m-%d")
    fig.update_yaxes(title=None, tickformat="$,.0f" if top >= 10 else "$,.2f", range=[0, top * 1.1 or 1])
    _tidy(fig, height)
    fig.update_layout(showlegend=False, hovermode="x unified")  # the page explains the lines once, above the cards
    return fig


def anomaly_lines(
    daily: pd.DataFrame,
    anomalies: pd.DataFrame,
    *,
    group_label: str,
    value_label: str,
    anomaly_label: str,
    baseline_label: str,
    other_label: str,
    partial: dict[str, str],
    partial_labels: dict[str, str],
    n: int = 7,
    height: int = 360,
) -> go.Figure:
    """Daily cost per group as lines (the ``n`` costliest and every group with an anomaly, the rest summed as
    ``other_label``), with each anomalous day marked on its group's line; partial days marked."""
    flagged = list(dict.fromkeys(anomalies["group"]))
    totals = daily.groupby("group")["cost_usd"].sum().sort_values(ascending=False, kind="stable")
    keep = list(dict.fromkeys([*totals.index[:n], *flagged]))
    colors = {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(keep)} | {other_label: OTHER_COLOR}
    lines = daily.assign(group=daily["group"].where(daily["group"].isin(keep), other_label))
    lines = lines.groupby(["group", "day"], sort=False)["cost_usd"].sum().reset_index()
    days = sorted({*map(date.fromisoformat, lines["day"].astype(str)), *map(date.fromisoformat, partial)})
    lines = _without_days_lacking_logs(lines, "day", partial).sort_values(["group", "day"], kind="stable")
    lines["day"] = pd.to_datetime(lines["day"])
    fig = px.line(lines, x="day", y="cost_usd", color="group", color_discrete_map=colors,
                  category_orders={"group": [c for c in colors if c in set(lines["group"])]},
                  labels={"day": "", "cost_usd": value_label, "group": group_label})
    fig.update_traces(line={"width": 1.2}, opacity=0.45,
                      hovertemplate=f"%{{x|%Y-%m-%d}}<br>%{{fullData.name}}: %{{y{MONEY}}}<extra></extra>")
    # The groups with an anomaly stand out; the others stay as context.
    fig.update_traces(selector=lambda trace: trace.name in flagged, line={"width": 2.4}, opacity=1.0)
    if len(anomalies):
        fig.add_scatter(
            x=pd.to_datetime(anomalies["day"]), y=anomalies["cost_usd"], mode="markers", name=anomaly_label,
            marker={"color": FLAG_COLOR, "size": 11, "symbol": "circle-open", "line": {"width": 2.5}},
            customdata=anomalies[["group", "baseline_usd"]].to_numpy(),
            hovertemplate=(f"%{{x|%Y-%m-%d}} · %{{customdata[0]}}<br>{value_label}: %{{y{MONEY}}}<br>"
                           f"{baseline_label}: %{{customdata[1]{MONEY}}}<extra>{anomaly_label}</extra>"),
        )
    _dot_partial_segments(fig, partial)
    _day_axis(fig, days)
    fig.update_yaxes(title=value_label, tickformat="$,.2f", rangemode="tozero")
    mark_partial(fig, partial, partial_labels)
    return _tidy(fig, height)


def coverage_heatmap(
    table: pd.DataFrame, *, coverage_label: str, logged_label: str, metered_label: str, height: int = 260
) -> go.Figure:
    """Coverage (logged / metered calls) per region (rows) and UTC day (columns), red where logs are missing."""
    grid = table.pivot_table(index="region", columns="utc_day", values="coverage", aggfunc="first")
    logged = table.pivot_table(index="region", columns="utc_day", values="logged_calls", aggfunc="first")
    metered = table.pivot_table(index="region", columns="utc_day", values="metered_calls", aggfunc="first")
    logged, metered = logged.reindex_like(grid), metered.reindex_like(grid)
    text = grid.apply(lambda column: column.map(lambda v: "" if pd.isna(v) else f"{v:.0%}"))
    fig = go.Figure(go.Heatmap(
        z=grid.clip(upper=1.0).to_numpy(dtype=float), x=list(grid.columns), y=list(grid.index),
        text=text.to_numpy(), texttemplate="%{text}", colorscale=COVERAGE_SCALE, zmin=0, zmax=1,
        customdata=np.dstack([logged.to_numpy(dtype=float), metered.to_numpy(dtype=float)]),
        hovertemplate=(f"%{{y}} %{{x}}<br>{coverage_label}: %{{text}}<br>{logged_label}: %{{customdata[0]:,}}"
                       f"<br>{metered_label}: %{{customdata[1]:,}}<extra></extra>"),
        colorbar={"thickness": 10, "tickformat": ".0%"}, xgap=2, ygap=2,
    ))
    fig.update_xaxes(type="category", title=None)
    fig.update_yaxes(autorange="reversed")
    return _tidy(fig, max(height, 60 + 36 * len(grid)))
