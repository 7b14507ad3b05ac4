"""Plotly figures for the dashboard, built from the report tables; labels come in from the caller (text.py).

Every figure is built as plain trace and layout dictionaries validated once by ``go.Figure`` (Plotly Express
costs several times more per figure), and kept per input (``kept``): a rerun that changes none of a chart's
inputs (another control, another tab) draws the figure built before.

Money charts of the Bedrock report's tables read their ``unpriced_calls`` column: a cost whose calls have no price
is missing (NaN), never $0.00, and labelled with ``unpriced_marks`` (``unpriced``, or the priced part marked
``partial``); a missing cost ranks after every priced one and adds nothing to a share.

Daily charts take ``partial``: days whose figures are not complete (``today``, ``no_logs``; see
``data.partial_days``) mapped to their label. They are shaded and labelled, today's bars hatched and its line
segments dotted, and days without logs left empty, so the end of a period never reads as a drop in spend.
"""

from __future__ import annotations

import hashlib
import html
import math
import pickle
import textwrap
import weakref
from collections.abc import Sequence
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from ..report.priced_facts import WEEKDAYS
from .text import usd

ACCENT = "#EC7211"
PALETTE = (
    "rgb(136, 204, 238)", "rgb(204, 102, 119)", "rgb(221, 204, 119)", "rgb(17, 119, 51)", "rgb(51, 34, 136)",
    "rgb(170, 68, 153)", "rgb(68, 170, 153)", "rgb(153, 153, 51)", "rgb(136, 34, 85)", "rgb(102, 17, 0)",
    "rgb(136, 136, 136)",
)  # Plotly's qualitative "Safe" colours
OTHER_COLOR = "#B8BEC9"
HEAT_SCALE = "YlOrRd"
PARTIAL_FILL = "rgba(141, 153, 174, 0.18)"
PARTIAL_TEXT = "#5A6B86"
HALF_DAY = pd.Timedelta(hours=12)
DAY_MS = 86_400_000  # a date axis measures in milliseconds
BAR_WIDTH_MS = 0.85 * DAY_MS  # a day's bar, as wide with one day as with thirty (Plotly sizes bars by their spacing)
DAILY_TICKS_UP_TO = 14  # days up to which a date axis has a tick per day (Plotly's own ticks split a day in two)
FIGURES_KEPT = 64  # per chart kind: a few views × controls × languages

UNPRICED_CALLS = "unpriced_calls"  # a report table's count of calls without a price, beside their group's cost

_tokens: dict[int, tuple[weakref.ref, bytes]] = {}


def _frame_token(frame: pd.DataFrame) -> bytes:
    """A digest of ``frame``'s columns, types, index and values, computed once per frame object.

    The tables a chart draws come from the shared, read-only scan and views (``data.py``), so the same objects
    come back on every rerun; hashing their values again on each rerun would cost more than drawing.
    """
    known = _tokens.get(id(frame))
    if known is not None and known[0]() is frame:
        return known[1]
    digest = hashlib.sha256(repr([(str(name), str(kind)) for name, kind in frame.dtypes.items()]).encode())
    try:
        digest.update(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
    except TypeError:  # cells pandas cannot hash (lists, dicts)
        digest.update(pickle.dumps(frame, protocol=pickle.HIGHEST_PROTOCOL))
    key = id(frame)
    _tokens[key] = (weakref.ref(frame, lambda _, key=key: _tokens.pop(key, None)), digest.digest())
    return digest.digest()


# Days hash as their ISO text: Streamlit's default for a date costs several times more, on every rerun.
kept = st.cache_resource(max_entries=FIGURES_KEPT, show_spinner=False,
                         hash_funcs={pd.DataFrame: _frame_token, date: date.isoformat})


def _layout(height: int, **parts: Any) -> dict[str, Any]:
    """Compact margins and a legend that stays out of the plot, with ``parts`` (a ``legend`` entry is merged)."""
    legend = {"orientation": "h", "yanchor": "top", "y": -0.15, "x": 0} | parts.pop("legend", {})
    return {"height": height, "margin": {"l": 8, "r": 8, "t": 8, "b": 8}, "legend": legend,
            "hoverlabel": {"namelength": -1}} | parts


def _ranked(table: pd.DataFrame, key: str, rank_by: str, n: int, other: str) -> tuple[pd.Series, dict[str, str]]:
    """``key`` of each row with all but the ``n`` largest by ``rank_by`` folded into ``other``, and their colours.

    Colours follow the rank, so the same key has the same colour in every chart ranked by the same measure.
    """
    keep = _largest(table, key, rank_by, n)
    colors = {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(keep)} | {other: OTHER_COLOR}
    return table[key].where(table[key].isin(keep), other), colors


def _largest(table: pd.DataFrame, key: str, value: str, n: int) -> list:
    """The ``n`` ``key`` values of the largest ``value`` summed; a sum with nothing priced (NaN) after every other."""
    totals = table.groupby(key, dropna=False)[value].sum(min_count=1)
    return list(totals.sort_values(ascending=False, kind="stable", na_position="last").index[:n])


def label(value: object) -> str:
    """A name from the logs (a tag value, an application) as plotly draws text: its ``<a href>``, ``<b>`` and the
    like escaped, so a caller's requestMetadata draws as the characters it is, never a link or markup."""
    return html.escape(str(value), quote=False)


def amounts(values: Any, money: bool, unpriced: Any = None, marks: dict[str, str] | None = None) -> list[str]:
    """Each value as a chart prints it: an amount as the cards and tables do (``text.usd``: ``$1,234.56``, under a
    cent ``$0.0042``, never ``$0.00``; ``—`` when missing), a count with thousands separators. Charts hand these
    texts to plotly (``text``, ``customdata``) rather than a d3 format, which has one number of decimals for every
    value. With ``unpriced`` (calls without a price, one per value) and ``marks``, a missing amount reads
    ``marks["unpriced"]`` and one beside unpriced calls ``marks["partial"]`` (the priced part, as ``{amount}``)."""
    if not money:
        return [f"{float(v):,.0f}" for v in values]
    texts = [usd(float(v)) for v in values]
    if unpriced is None or marks is None:
        return texts
    return [marks["unpriced"] if math.isnan(float(v)) else marks["partial"].format(amount=text) if calls else text
            for v, text, calls in zip(values, texts, unpriced, strict=True)]


def _unpriced(table: pd.DataFrame, money: bool) -> pd.Series | None:
    """The table's count of unpriced calls per row, for a money chart of a report table that has one."""
    return pd.to_numeric(table[UNPRICED_CALLS]).fillna(0) if money and UNPRICED_CALLS in table else None


def _top(values: Any) -> float:
    """The largest of ``values`` (0 when there is none)."""
    top = float(np.nanmax(values)) if np.size(values) and not np.all(np.isnan(values)) else 0.0
    return max(top, 0.0)


def _hbar(names: list[str], values: np.ndarray, color: str, money: bool, hover: str,
          texts: list[str] | None = None) -> dict[str, Any]:
    """One horizontal bar trace with each value (or ``texts``) printed after its bar (``hover`` may name it:
    ``%{text}``); a missing value is a bar of no length with its text."""
    return {"type": "bar", "orientation": "h", "x": np.nan_to_num(values), "y": [label(name) for name in names],
            "text": texts or amounts(values, money), "texttemplate": "%{text}",
            "textposition": "outside", "cliponaxis": False, "marker": {"color": color}, "hovertemplate": hover}


@kept
def top_bar(
    table: pd.DataFrame,
    key: str,
    value: str,
    *,
    value_label: str,
    n: int = 10,
    money: bool = True,
    height: int = 360,
    unpriced_marks: dict[str, str] | None = None,
) -> go.Figure:
    """Horizontal bars of the ``n`` largest rows by ``value``, largest on top; rows without a value (nothing
    priced) after the others, each labelled with ``unpriced_marks`` as ``amounts`` says."""
    ranked = pd.to_numeric(table[value]).reset_index(drop=True)
    top = ranked.sort_values(ascending=False, kind="stable", na_position="last").head(n).iloc[::-1]
    values = top.to_numpy(dtype=float)
    unpriced = _unpriced(table.reset_index(drop=True), money)
    texts = amounts(values, money, None if unpriced is None else unpriced.iloc[top.index], unpriced_marks)
    bar = _hbar(table[key].iloc[top.index].astype(str).tolist(), values, ACCENT, money,
                f"%{{y}}<br>{value_label}: %{{text}}<extra></extra>", texts)
    # Room on the right for the value printed after the longest bar.
    longest = _top(values)
    return go.Figure([bar], _layout(
        height, showlegend=False, yaxis={"automargin": True},
        xaxis={"title": {"text": value_label}, "tickformat": _money_ticks(longest) if money else "~s",
               "range": [0, longest * 1.18 or 1]},
    ))


@kept
def share_donut(
    table: pd.DataFrame, key: str, value: str, *, other_label: str, value_label: str, n: int = 7, height: int = 360
) -> go.Figure:
    """Each ``key``'s share of ``value`` (the ``n`` largest, the rest as ``other_label``): of the rows with a value
    only (the priced cost), so a key without one has no slice rather than a 0% one."""
    names, colors = _ranked(table, key, value, n, other_label)
    shares = table.assign(**{key: names}).groupby(key, sort=False)[value].sum(min_count=1)
    shares = shares.reindex(list(colors)).dropna()
    values = shares.to_numpy(dtype=float)
    pie = {"type": "pie", "labels": [label(name) for name in shares.index], "values": values,
           "marker": {"colors": [colors[name] for name in shares.index]}, "hole": 0.55, "sort": False,
           "textinfo": "percent", "textposition": "inside", "customdata": amounts(values, money=True),
           "hovertemplate": f"%{{label}}<br>{value_label}: %{{customdata}} (%{{percent}})<extra></extra>"}
    return go.Figure([pie], _layout(height, legend={"orientation": "v", "y": 0.5, "yanchor": "middle", "x": 1.02}))


def _runs(days: dict[str, str]) -> list[tuple[str, str, str]]:
    """Consecutive days of the same kind as (first day, last day, kind)."""
    runs: list[tuple[str, str, str]] = []
    for day, kind in sorted(days.items()):
        if runs and runs[-1][2] == kind and pd.Timestamp(day) - pd.Timestamp(runs[-1][1]) == pd.Timedelta(days=1):
            runs[-1] = (runs[-1][0], day, kind)
        else:
            runs.append((day, day, kind))
    return runs


def _partial_marks(partial: dict[str, str], labels: dict[str, str]) -> dict[str, list[dict[str, Any]]]:
    """Layout shapes shading each run of ``partial`` days (ISO day -> kind), with ``labels[kind]`` at its top
    right."""
    shapes, notes = [], []
    for first, last, kind in _runs(partial):
        x0, x1 = pd.Timestamp(first) - HALF_DAY, pd.Timestamp(last) + HALF_DAY
        shapes.append({"type": "rect", "xref": "x", "yref": "y domain", "x0": x0, "x1": x1, "y0": 0, "y1": 1,
                       "fillcolor": PARTIAL_FILL, "line": {"width": 0}, "layer": "below"})
        notes.append({"text": labels[kind], "xref": "x", "yref": "y domain", "x": x1, "y": 1, "xanchor": "right",
                      "yanchor": "top", "showarrow": False, "font": {"size": 10, "color": PARTIAL_TEXT}})
    return {"shapes": shapes, "annotations": notes}


def _money_ticks(top: float) -> str:
    """Dollar ticks for an axis reaching ``top``: whole dollars from $10, else cents (not "$0 $0 $1"), and under
    10 cents the decimals that tell ticks a tenth of ``top`` apart (not "$0.00 $0.00 $0.00")."""
    if top >= 10:
        return "$,.0f"
    if 0 < top < 0.1:
        return f"$,.{max(2, math.ceil(-math.log10(top / 10)))}f"
    return "$,.2f"


def _day_axis(days: Sequence[date]) -> dict[str, Any]:
    """A date axis over exactly the period's days (bars centred on them), ticks as month-day, with the year when
    the days are in more than one."""
    several_years = bool(days) and days[0].year != days[-1].year
    axis: dict[str, Any] = {"tickformat": "%Y-%m-%d" if several_years else "%m-%d", "type": "date"}
    if days:
        axis["range"] = [pd.Timestamp(days[0]) - HALF_DAY, pd.Timestamp(days[-1]) + HALF_DAY]
    if len(days) <= DAILY_TICKS_UP_TO:
        axis["dtick"] = DAY_MS
    return axis


def _value_axis(value_label: str, money: bool, top: float) -> dict[str, Any]:
    """The value axis of a daily chart reaching ``top``, starting at zero."""
    return {"title": {"text": value_label}, "tickformat": _money_ticks(top) if money else "~s", "rangemode": "tozero"}


def _today(partial: dict[str, str]) -> set[str]:
    return {day for day, kind in partial.items() if kind == "today"}


def _daily_grid(table: pd.DataFrame, day: str, key: str, value: str, days: Sequence[str], columns: Sequence[str],
                partial: dict[str, str]) -> pd.DataFrame:
    """``value`` summed per ISO day (rows: ``days``, except days after the logs end, which hold no data rather
    than zero spend) and ``key`` (``columns``, in that order), zero where a day has no row, missing (NaN) where its
    rows have none (calls without a price)."""
    grid = _summed(table, day, key, value).reindex(index=list(days), columns=list(columns), fill_value=0)
    return grid.drop(index=[d for d, kind in partial.items() if kind == "no_logs"], errors="ignore")


def _stacked_bars(grid: pd.DataFrame, colors: dict[str, str], money: bool, partial: dict[str, str],
                  unpriced: pd.DataFrame | None = None, marks: dict[str, str] | None = None) -> list[dict]:
    """One bar trace per column of ``grid`` (rows are ISO days), today's bars hatched (the day is not over); a
    missing amount is no bar, and ``unpriced`` (calls without a price, as ``grid``) marks amounts as ``amounts``
    does."""
    today = _today(partial)
    days = [str(day) for day in grid.index]
    shapes = ["/" if day in today else "" for day in days]
    return [{"type": "bar", "x": days, "y": grid[name].tolist(), "width": BAR_WIDTH_MS, "name": label(name),
             "legendgroup": str(name),
             "customdata": amounts(grid[name], money, None if unpriced is None else unpriced[name], marks),
             "marker": {"color": colors[name], "line": {"width": 0}, "pattern": {"shape": shapes, "size": 6}},
             "hovertemplate": DAILY_HOVER} for name in grid.columns]


def _stacked_figure(bars: list[dict], days: Sequence[date], value_axis: dict[str, Any], partial: dict[str, str],
                    partial_labels: dict[str, str], height: int) -> go.Figure:
    return go.Figure(bars, _layout(height, barmode="stack", xaxis=_day_axis(days), yaxis=value_axis,
                                   **_partial_marks(partial, partial_labels)))


DAILY_HOVER = "%{x|%Y-%m-%d}<br>%{fullData.name}: %{customdata}<extra></extra>"  # customdata: ``amounts``


@kept
def stacked_daily(
    table: pd.DataFrame,
    key: str,
    value: str,
    days: Sequence[date],
    *,
    value_label: str,
    other_label: str,
    money: bool,
    partial: dict[str, str],
    partial_labels: dict[str, str],
    rank_by: str | None = None,
    n: int = 7,
    height: int = 330,
    unpriced_marks: dict[str, str] | None = None,
) -> go.Figure:
    """``value`` per day as stacked bars, one colour per ``key``: the ``n`` largest by ``rank_by`` (default
    ``value``), the rest as ``other_label``; partial days marked, amounts without a price as ``amounts`` says."""
    names, colors = _ranked(table, key, rank_by or value, n, other_label)
    series = table.assign(**{key: names})
    isodays, columns = [d.isoformat() for d in days], [c for c in colors if c in set(names)]
    grid = _daily_grid(series, "day", key, value, isodays, columns, partial)
    unpriced = None if _unpriced(table, money) is None else _daily_grid(series, "day", key, UNPRICED_CALLS, isodays,
                                                                        columns, partial)
    bars = _stacked_bars(grid, colors, money, partial, unpriced, unpriced_marks)
    return _stacked_figure(bars, days, _value_axis(value_label, money, _top(grid.sum(axis=1))), partial,
                           partial_labels, height)


def _lines(frames: list[tuple[str, pd.Series, pd.Series | None]], colors: dict[str, str], money: bool,
           partial: dict[str, str], width: float, opacity: dict[str, float] | None = None,
           marks: dict[str, str] | None = None) -> tuple[list[dict], list[dict]]:
    """One line per (name, values by ISO day, unpriced calls by day or None) and, for each line that reaches today,
    its segment into today dotted (the day is not over, its point is not a fall in spend): (lines, dotted
    segments)."""
    today = _today(partial)
    lines, dotted = [], []
    for name, values, unpriced in frames:
        xs, ys = [str(day) for day in values.index], values.tolist()
        texts = amounts(ys, money, unpriced, marks)
        line = {"color": colors[name], "width": width}
        extra = {"opacity": opacity[name]} if opacity else {}
        cut = next((i for i, x in enumerate(xs) if x in today), None)
        if cut == 0:  # today alone: its point, named, is the whole line (a one-point dotted line draws nothing)
            lines.append({"type": "scatter", "mode": "lines+markers" if len(xs) > 1 else "markers", "x": xs, "y": ys,
                          "name": label(name), "marker": {"color": colors[name], "symbol": "circle-open", "size": 9},
                          "legendgroup": str(name), "line": line | {"dash": "dot"}, "customdata": texts,
                          "hovertemplate": DAILY_HOVER, **extra})
            continue
        if cut is not None:
            dotted.append({"type": "scatter", "mode": "lines", "x": xs[cut - 1:], "y": ys[cut - 1:],
                           "showlegend": False, "hoverinfo": "skip", "line": line | {"dash": "dot"},
                           "legendgroup": str(name), **extra})
            xs, ys, texts = xs[:cut], ys[:cut], texts[:cut]
        lines.append({"type": "scatter", "mode": "lines" if len(xs) > 1 else "markers", "x": xs, "y": ys,
                      "name": label(name), "marker": {"color": colors[name]}, "legendgroup": str(name),
                      "line": line, "customdata": texts, "hovertemplate": DAILY_HOVER, **extra})
    return lines, dotted


@kept
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
    unpriced_marks: dict[str, str] | None = None,
) -> go.Figure:
    """``value`` per day as one line for each of the ``n`` largest ``key`` values over the period (no others); a day
    whose calls have no price is a gap in its line, amounts without a price as ``amounts`` says."""
    keep = _largest(table, key, value, n)
    colors = {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(keep)}
    kept_rows, isodays = table.loc[table[key].isin(keep)], [d.isoformat() for d in days]
    grid = _daily_grid(kept_rows, "day", key, value, isodays, keep, partial)
    unpriced = None if _unpriced(table, money) is None else _daily_grid(kept_rows, "day", key, UNPRICED_CALLS,
                                                                        isodays, keep, partial)
    frames = [(name, grid[name], None if unpriced is None else unpriced[name]) for name in keep]
    lines, dotted = _lines(frames, colors, money, partial, 2, marks=unpriced_marks)
    axis = _value_axis(value_label, money, _top(grid.to_numpy(dtype=float)))
    return go.Figure([*lines, *dotted], _layout(height, xaxis=_day_axis(days), yaxis=axis,
                                                **_partial_marks(partial, partial_labels)))


def _cells(table: pd.DataFrame, value: str) -> pd.DataFrame:
    """``value`` by weekday and hour: zero where no row, missing where its rows have none."""
    return _summed(table, "weekday", "hour", value).reindex(index=list(WEEKDAYS), columns=range(24), fill_value=0)


def _summed(table: pd.DataFrame, rows: str, columns: str, value: str) -> pd.DataFrame:
    """``value`` summed by ``rows`` and ``columns`` (a grid): zero where no row of the table falls, missing (NaN)
    where the rows that fall there have none (calls without a price)."""
    grouped = table.groupby([rows, columns])[value]
    sums, counts = grouped.sum(min_count=1).unstack(columns), grouped.size().unstack(columns)
    return sums.mask(sums.isna() & counts.isna(), 0)


@kept
def weekday_hour_heatmap(
    table: pd.DataFrame, value: str, *, weekday_labels: Sequence[str], value_label: str, hour_label: str,
    money: bool = True, height: int = 330, unpriced_marks: dict[str, str] | None = None,
) -> go.Figure:
    """``value`` by weekday (rows, Monday first) and hour of day (columns), every cell present: zero without calls,
    blank when its calls have no price (amounts without a price as ``amounts`` says)."""
    grid = _cells(table, value)
    unpriced = _cells(table, UNPRICED_CALLS).to_numpy(dtype=float) if _unpriced(table, money) is not None else None
    texts = [amounts(row, money, None if unpriced is None else unpriced[i], unpriced_marks)
             for i, row in enumerate(grid.to_numpy(dtype=float))]
    heat = {"type": "heatmap", "z": grid.to_numpy(), "x": [f"{h:02d}" for h in range(24)], "y": list(weekday_labels),
            "colorscale": HEAT_SCALE, "xgap": 1, "ygap": 1, "customdata": texts,
            "hovertemplate": f"%{{y}} %{{x}}:00<br>{value_label}: %{{customdata}}<extra></extra>",
            "colorbar": {"thickness": 10,
                         "tickformat": _money_ticks(_top(grid.to_numpy(dtype=float))) if money else "~s"}}
    return go.Figure([heat], _layout(height, yaxis={"autorange": "reversed"}, xaxis={"title": {"text": hour_label}}))


@kept
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
    grid = frame.assign(**{x: frame[x].astype(str)}).set_index(x)[list(columns)].rename(columns=columns)
    grid = grid.drop(index=[d for d, kind in partial.items() if kind == "no_logs"], errors="ignore")
    colors = {label: PALETTE[i % len(PALETTE)] for i, label in enumerate(grid.columns)}
    bars = _stacked_bars(grid, colors, False, partial)
    days = sorted({*pd.to_datetime(frame[x].astype(str)).dt.date, *map(date.fromisoformat, partial)})
    return _stacked_figure(bars, days, {"title": {"text": value_label}}, partial, partial_labels, height)


COMPARE_LABEL_CHARS = 22  # a category label of compare_bars wraps at this many characters a line


def _wrapped(name: str, width: int = COMPARE_LABEL_CHARS) -> str:
    """``name`` escaped as ``label`` does, its words wrapped onto lines of at most ``width`` characters (``<br>``), so
    a long category label stays narrow and leaves its bars the width of a half-page column."""
    return "<br>".join(label(line) for line in textwrap.wrap(str(name), width)) or label(name)


def _compare_bar(name: str, amount: float, top: float, color: str) -> dict[str, Any]:
    """One bar of ``compare_bars``: its amount inside its end when the bar is at least half the longest, else after
    it, where at least half of the plot's width is free; so no amount runs past the figure's edge."""
    bar = _hbar([name], np.array([amount], dtype=float), color, True, "%{y}: %{text}<extra></extra>")
    bar["y"] = [_wrapped(name)]
    if top > 0 and amount >= top / 2:
        bar |= {"textposition": "inside", "insidetextanchor": "end", "textfont": {"color": "white"}}
    return bar


@kept
def compare_bars(values: dict[str, float], *, value_label: str, height: int = 240) -> go.Figure:
    """A few labelled amounts side by side (e.g. virtual API cost against the subscription), the first on top."""
    colors = [ACCENT, "#5A6B86", *PALETTE]
    top = max(values.values(), default=0)
    bars = [_compare_bar(name, amount, top, colors[i % len(colors)]) for i, (name, amount) in enumerate(values.items())]
    order = [_wrapped(name) for name in values][::-1]
    return go.Figure(bars, _layout(
        height, showlegend=False, barmode="relative",
        yaxis={"automargin": True, "categoryorder": "array", "categoryarray": order},
        xaxis={"title": {"text": value_label}, "tickformat": _money_ticks(top), "range": [0, top * 1.1 or 1]},
    ))


BREACH_COLOR = "#D13212"
PACE_COLOR = "#8D99AE"
FLAG_COLOR = "#D13212"
COVERAGE_SCALE = [(0.0, "#D13212"), (0.5, "#F2C14E"), (0.9, "#C9E4B4"), (1.0, "#2E8540")]


def _cumulative(name: str, x: Any, y: Any, line: dict[str, Any], hover: str, **extra: Any) -> dict[str, Any]:
    return {"type": "scatter", "mode": "lines", "name": name, "x": x, "y": y, "line": line,
            "customdata": amounts(y, money=True), "hovertemplate": f"{hover}{name}: %{{customdata}}<extra></extra>",
            **extra}


@kept
def burndown(
    frame: pd.DataFrame, *, labels: dict[str, str], height: int = 220
) -> go.Figure:
    """One budget's month: cumulative spend to the as-of day, the forecast path after it, the budget and even pace.

    ``frame`` holds one budget's rows of ``budgets.burndown``; ``labels`` names the ``actual``, ``forecast``,
    ``budget`` and ``pace`` lines.
    """
    days = pd.to_datetime(frame["day"])
    actual = frame["kind"] == "actual"
    on_day = "%{x|%Y-%m-%d}<br>"
    lines = [_cumulative(labels["actual"], days[actual], frame.loc[actual, "cumulative_usd"],
                         {"color": ACCENT, "width": 2.5}, on_day, fill="tozeroy", fillcolor="rgba(236,114,17,0.12)")]
    if (~actual).any():
        # The forecast starts at the as-of day's point, so the two lines join.
        path = frame.loc[actual].tail(1).index.union(frame.index[~actual])
        lines.append(_cumulative(labels["forecast"], days[path], frame.loc[path, "cumulative_usd"],
                                 {"color": ACCENT, "width": 2, "dash": "dot"}, on_day))
    monthly = frame["monthly_usd"].dropna()
    top = float(frame["cumulative_usd"].max()) if len(frame) else 0.0
    if len(monthly):
        amount = float(monthly.iloc[0])
        top = max(top, amount)
        lines.append(_cumulative(labels["pace"], days, frame["even_pace_usd"],
                                 {"color": PACE_COLOR, "width": 1, "dash": "dash"}, on_day))
        lines.append(_cumulative(labels["budget"], [days.min(), days.max()], [amount, amount],
                                 {"color": BREACH_COLOR, "width": 1.5}, ""))
    # No legend: the page explains the lines once, above the cards.
    return go.Figure(lines, _layout(
        height, showlegend=False, hovermode="x unified", xaxis={"tickformat": "%m-%d"},
        yaxis={"tickformat": _money_ticks(top), "range": [0, top * 1.1 or 1]},
    ))


@kept
def anomaly_lines(
    daily: pd.DataFrame,
    anomalies: pd.DataFrame,
    *,
    value_label: str,
    anomaly_label: str,
    baseline_label: str,
    other_label: str,
    partial: dict[str, str],
    partial_labels: dict[str, str],
    period_days: Sequence[date] = (),
    n: int = 7,
    height: int = 360,
) -> go.Figure:
    """Daily cost per group as lines (the ``n`` costliest and every group with an anomaly, the rest summed as
    ``other_label``), with each anomalous day marked on its group's line; partial days marked. The axis spans
    ``period_days`` (and any day drawn), so a period without costs still shows its own dates."""
    flagged = list(dict.fromkeys(anomalies["group"]))
    totals = daily.groupby("group")["cost_usd"].sum().sort_values(ascending=False, kind="stable")
    keep = list(dict.fromkeys([*totals.index[:n], *flagged]))
    colors = {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(keep)} | {other_label: OTHER_COLOR}
    per_day = daily.assign(group=daily["group"].where(daily["group"].isin(keep), other_label))
    per_day = per_day.groupby(["group", "day"], sort=False)["cost_usd"].sum()
    days = sorted({*map(date.fromisoformat, per_day.index.get_level_values("day").astype(str)),
                   *map(date.fromisoformat, partial), *period_days})
    missing = {d for d, kind in partial.items() if kind == "no_logs"}
    drawn = {name for name in per_day.index.get_level_values("group")}
    frames = []
    for name in (c for c in colors if c in drawn):
        values = per_day.xs(name, level="group")
        values.index = values.index.astype(str)
        frames.append((name, values.loc[~values.index.isin(missing)].sort_index(kind="stable"), None))
    # The groups with an anomaly stand out; the others stay as context.
    opacity = {name: 1.0 if name in flagged else 0.45 for name in colors}
    lines, dotted = _lines(frames, colors, True, partial, 1.2, opacity)
    for line in lines + dotted:
        if line["legendgroup"] in flagged:
            line["line"] = line["line"] | {"width": 2.4}
    if len(anomalies):
        lines.append({
            "type": "scatter", "mode": "markers", "name": anomaly_label, "x": pd.to_datetime(anomalies["day"]),
            "y": anomalies["cost_usd"],
            "marker": {"color": FLAG_COLOR, "size": 11, "symbol": "circle-open", "line": {"width": 2.5}},
            "customdata": list(zip([label(group) for group in anomalies["group"]],
                                   amounts(anomalies["cost_usd"], money=True),
                                   amounts(anomalies["baseline_usd"], money=True), strict=True)),
            "hovertemplate": (f"%{{x|%Y-%m-%d}} · %{{customdata[0]}}<br>{value_label}: %{{customdata[1]}}<br>"
                              f"{baseline_label}: %{{customdata[2]}}<extra>{anomaly_label}</extra>"),
        })
    return go.Figure([*lines, *dotted], _layout(
        height, xaxis=_day_axis(days), yaxis=_value_axis(value_label, True, _top(per_day.to_numpy(dtype=float))),
        **_partial_marks(partial, partial_labels),
    ))


@kept
def coverage_heatmap(
    table: pd.DataFrame, *, coverage_label: str, logged_label: str, metered_label: str, height: int = 260
) -> go.Figure:
    """Coverage (logged / metered calls) per region (rows) and UTC day (columns), red where logs are missing."""
    grid = table.pivot_table(index="region", columns="utc_day", values="coverage", aggfunc="first")
    logged = table.pivot_table(index="region", columns="utc_day", values="logged_calls", aggfunc="first")
    metered = table.pivot_table(index="region", columns="utc_day", values="metered_calls", aggfunc="first")
    logged, metered = logged.reindex_like(grid), metered.reindex_like(grid)
    text = grid.apply(lambda column: column.map(lambda v: "" if pd.isna(v) else f"{v:.0%}"))
    heat = {
        "type": "heatmap", "z": grid.clip(upper=1.0).to_numpy(dtype=float), "x": list(grid.columns),
        "y": list(grid.index), "text": text.to_numpy(), "texttemplate": "%{text}", "colorscale": COVERAGE_SCALE,
        "zmin": 0, "zmax": 1, "customdata": np.dstack([logged.to_numpy(dtype=float), metered.to_numpy(dtype=float)]),
        "hovertemplate": (f"%{{y}} %{{x}}<br>{coverage_label}: %{{text}}<br>{logged_label}: %{{customdata[0]:,}}"
                          f"<br>{metered_label}: %{{customdata[1]:,}}<extra></extra>"),
        "colorbar": {"thickness": 10, "tickformat": ".0%"}, "xgap": 2, "ygap": 2,
    }
    return go.Figure([heat], _layout(max(height, 60 + 36 * len(grid)), xaxis={"type": "category"},
                                     yaxis={"autorange": "reversed"}))
