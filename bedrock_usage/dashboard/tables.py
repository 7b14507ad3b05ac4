"""Data tables and messages every tab shows: formatted columns, CSV download, warnings, load errors."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import streamlit as st

from ..errors import SetupRequired
from ..logs.period import Period
from ..output.files import csv_text
from ..output.notices import said
from ..output.terminal_table import quoted_if_label
from ..report.priced_facts import COST_COLUMNS, TOTAL_COST
from .text import Text, plain

MONEY_COLUMNS = {*COST_COLUMNS, TOTAL_COST, "virtual_cost_usd"}
SHARE_COLUMNS = {"max_context_share", "avg_context_share", "used_share", "projected_share", "monthly_share",
                 "coverage", "share"}
RATIO_COLUMNS = {"ratio"}
FLAG_STYLE = "background-color: rgba(209, 50, 18, 0.14)"
MONEY_FORMAT = "$%,.4f"  # the precision of output/terminal_table.py's money()
MISSING = "—"


def named_columns(t: Text, frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """``frame`` with missing group names shown as "(none)" (a tag absent from a call), a tag value logged empty as
    "(empty)", and a value logged like one of those labels (or opening with a quote) in quotes, as the CLI's tables
    show it, so no two rows read alike."""
    if column not in frame:
        return frame
    labels = (t("not_set"), t("empty_value"))
    values = frame[column].astype(object).map(
        lambda value: quoted_if_label(value, labels) if isinstance(value, str) and value else value)
    empty = values.map(lambda value: isinstance(value, str) and not value)
    return frame.assign(**{column: values.where(values.notna(), t("not_set")).where(~empty, t("empty_value"))})


def download_stem(name: str, period: Period) -> str:
    """``bedrock_2026-11-28_2026-12-03_America-Los_Angeles``: a download's name says its days and their zone."""
    return f"{name}_{period.start}_{period.end}_{period.tz.replace('/', '-')}"


def download_csv(frame: pd.DataFrame, period: Period, end: Mapping[str, object] | None = None) -> bytes:
    """A table's CSV download: its rows end with the period's days and zone, then ``end`` (the accuracy columns of
    the CLI's file of the same table), as the CLI's CSV rows do."""
    return csv_text(frame.assign(**period.columns(), **(end or {}))).encode("utf-8")


def data_table(t: Text, frame: pd.DataFrame, file_stem: str, key: str, period: Period,
               labels: dict[str, str] | None = None, highlight: pd.Series | None = None,
               shown: pd.DataFrame | None = None, end: Mapping[str, object] | None = None) -> None:
    """A table with translated headers, money, share and count formats, and the CSV download of ``frame``, whose
    rows end with ``period``'s days and zone, then ``end``, as the CLI's CSV rows do.

    ``labels`` overrides headers; rows where ``highlight`` is true are tinted; ``shown`` is what the page shows
    when it differs from the CSV (translated names; a caller's type is always in words). Money has the terminal
    tables' precision (four decimals); a missing figure (no price, no amount set) shows as a dash.
    """
    shown = frame if shown is None else shown
    if "principal_type" in shown:  # the page words the kind of caller; the CSV keeps the CLI's code
        shown = shown.assign(principal_type=shown["principal_type"].astype(object).map(
            lambda code: t.principal_type(code) if isinstance(code, str) else code))
    config = {}
    for column in shown.columns:
        label = (labels or {}).get(column) or t.column(column)
        if column in MONEY_COLUMNS or column.endswith("_usd"):
            config[column] = st.column_config.NumberColumn(label, format=MONEY_FORMAT)
        elif column in SHARE_COLUMNS and pd.api.types.is_numeric_dtype(shown[column]):
            config[column] = st.column_config.NumberColumn(label, format="percent")
        elif column in RATIO_COLUMNS:
            config[column] = st.column_config.NumberColumn(label, format="%.1fx")
        elif pd.api.types.is_numeric_dtype(shown[column]) and not pd.api.types.is_bool_dtype(shown[column]):
            config[column] = st.column_config.NumberColumn(label, format="localized")
        else:
            config[column] = st.column_config.Column(label, width="medium" if column == "status" else None)
    styled = shown
    if highlight is not None and highlight.any():
        marked = dict(zip(shown.index, highlight.to_numpy(), strict=True))
        styled = shown.style.apply(lambda row: [FLAG_STYLE if marked[row.name] else ""] * len(row), axis=1)
    st.dataframe(styled, hide_index=True, column_config=config, key=f"table_{key}", placeholder=MISSING)
    # The CSV is written when the button is pressed, not on every rerun.
    st.download_button(t("download_csv"), lambda: download_csv(frame, period, end), file_name=f"{file_stem}.csv",
                       mime="text/csv", on_click="ignore", key=f"download_{key}", icon=":material/download:")


def warning_lines(t: Text, lines: list[str]) -> list[str]:
    """The warnings as the page lists them: each in the page's language (``Text.notice``), shown as written."""
    return [plain(t.notice(line)) for line in lines]


def show_warnings(t: Text, lines: list[str]) -> None:
    """A collapsed list of what may make the figures incomplete."""
    if lines:
        with st.expander(t("warnings", count=len(lines)), icon=":material/warning:"):
            st.markdown("\n".join(f"- {line}" for line in warning_lines(t, lines)))


def error_line(t: Text, exc: Exception) -> str:
    """The line for an error the user can fix, in the dashboard's words: a refusal the shared code makes a ``Notice``
    (no report is made, and why) in the page's language, any other message as it is; command-line options named as
    the sidebar's fields."""
    key = "setup_needed" if isinstance(exc, SetupRequired) else "usage_error"
    return t(key, message=t.for_dashboard(plain(t.notice(said(exc)))))


def load_error(t: Text, exc: Exception) -> None:
    """One line for an error the user can fix (``error_line``), never a traceback."""
    st.error(error_line(t, exc))
