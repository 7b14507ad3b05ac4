"""Plotly figures for the dashboard, built from the report tables; labels come in from the caller (ui_text)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

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
    rank_by: str | None = None,
    n: int = 7,
    height: int = 330,
) -> go.Figure:
    """``value`` per day as stacked areas, one per ``key``: the ``n`` largest by ``rank_by`` (default ``value``),
    the rest as ``other_label``."""
    names, colors = _ranked(table, key, rank_by or value, n, other_label)
    series = table.assign(**{key: names, value: table[value].fillna(0)})
    grid = series.pivot_table(index="day", columns=key, values=value, aggfunc="sum", fill_value=0)
    grid = grid.reindex(index=[d.isoformat() for d in days], columns=[c for c in colors if c in grid.columns],
                        fill_value=0).fillna(0)
    long = grid.reset_index(names="day").melt(id_vars="day", var_name=key, value_name=value)
    long["day"] = pd.to_datetime(long["day"])
    fig = px.area(
        long, x="day", y=value, color=key, labels={"day": day_label, value: value_label},
        color_discrete_map=colors, category_orders={key: list(colors)},
    )
    fmt = MONEY if money else COUNT
    fig.update_traces(hovertemplate=f"%{{x|%Y-%m-%d}}<br>%{{fullData.name}}: %{{y{fmt}}}<extra></extra>",
                      line={"width": 1})
    fig.update_xaxes(title=None, tickformat="%m-%d")
    fig.update_yaxes(title=value_label, tickformat="$,.2f" if money else "~s", rangemode="tozero")
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
    frame: pd.DataFrame, x: str, columns: dict[str, str], *, x_label: str, value_label: str, height: int = 330
) -> go.Figure:
    """Stacked bars of several count columns of ``frame`` (``columns`` maps column to legend label)."""
    long = frame.melt(id_vars=x, value_vars=list(columns), var_name="series", value_name="value")
    long["series"] = long["series"].map(columns)
    long[x] = long[x].astype(str)
    fig = px.bar(
        long, x=x, y="value", color="series", labels={x: x_label, "value": value_label},
        color_discrete_sequence=PALETTE,
    )
    fig.update_traces(hovertemplate=f"%{{x}}<br>%{{fullData.name}}: %{{y{COUNT}}}<extra></extra>")
    fig.update_xaxes(title=None, type="category")
    fig.update_yaxes(title=value_label)
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
