"""Drill-down: one user, application or model whose calls alone every chart and table of the Bedrock tab shows,
and its detail view (daily spend by model, top models, error rate, cost and tokens per call)."""

from __future__ import annotations

import streamlit as st

from ..output.terminal_table import money
from ..report.priced_facts import TOTAL_COST
from . import charts, data
from .layout import cards, pair
from .text import Text, compact, compact_usd, number, percent, plain

FOCUS_OPTIONS = ("none", *data.FOCUS_BY)


def _forget_value() -> None:
    st.session_state["focus"] = None


def _clear() -> None:
    st.session_state["focus_by"], st.session_state["focus"] = "none", None


def focus_controls(t: Text, choices: dict[str, list[str]]) -> data.Focus | None:
    """The drill-down choice: a dimension, then one of its values (costliest first); None for the whole scope."""
    by_column, value_column, clear_column = st.columns([4, 4, 1], vertical_alignment="bottom")
    by = by_column.radio(t("focus_by"), FOCUS_OPTIONS, key="focus_by", horizontal=True, on_change=_forget_value,
                         format_func=lambda k: t("focus_none") if k == "none" else t(f"group_{k}"))
    if by == "none":
        return None
    options = choices.get(by, [])
    current = st.session_state.get("focus")
    if current is not None and current not in options:
        options = [*options, current]  # from a link: shown, with no calls in this scope
    value = value_column.selectbox(t(f"focus_pick_{by}"), options, index=None, key="focus",
                                   placeholder=t("focus_placeholder"))
    if value is None:
        return None
    clear_column.button(t("focus_clear"), key="focus_clear", on_click=_clear, icon=":material/close:")
    return data.Focus(by, value)


def detail_view(t: Text, focus: data.Focus, view: data.BedrockView) -> None:
    """Per-call figures of the drilled-into user, application or model, its daily spend and its top models
    (top applications for a model)."""
    report, summary = view.report, view.report.summary
    units = data.unit_figures(summary)
    cost = summary[TOTAL_COST]
    share = data.share_of_scope(summary, view.scope_cost_usd)
    with st.container(border=True, key="detail"):
        st.markdown(f"**{t('detail_header', what=t(f'group_{focus.by}'), value=plain(focus.value))}**")
        with cards("detail"):
            st.metric(t("detail_share"), percent(share), border=True,
                      help=t("cost_unpriced_help") if share is None and summary["calls"] else
                      t("detail_share_help", cost=f"${cost:,.4f}", scope=f"${view.scope_cost_usd:,.4f}"))
            st.metric(t("detail_error_rate"), percent(units["error_rate"]), border=True,
                      help=t("detail_error_rate_help", errors=number(summary["errors"]),
                             calls=number(summary["calls"])))
            per_call = units["cost_per_call"]
            st.metric(t("detail_cost_per_call"), "—" if per_call is None else money(per_call), border=True,
                      help=t("detail_cost_per_call_help"))
            st.metric(t("detail_cost_per_1k"), compact_usd(units["cost_per_1k_calls"]), border=True,
                      help=t("detail_cost_per_call_help"))
            tokens = units["tokens_per_call"]
            st.metric(t("detail_tokens_per_call"), "—" if tokens is None else compact(round(tokens)), border=True,
                      help=t("detail_tokens_per_call_help", exact="—" if tokens is None else f"{tokens:,.1f}"))
        by = "application" if focus.by == "model" else "model"
        daily, top = pair("detail")
        with daily:
            st.markdown(f"**{t('detail_daily', by=t(f'group_{by}').lower())}**")
            st.plotly_chart(charts.stacked_daily(
                view.daily_by[by], by, TOTAL_COST, report.period.all_days(), value_label=t("cost_usd"),
                other_label=t("other"), money=True, partial=view.partial_days, unpriced_marks=t.unpriced_marks(),
                partial_labels=t.partial_labels(), height=300),
                key="chart_detail_daily")
        with top:
            st.markdown(f"**{t('detail_top', by=t(f'group_{by}').lower())}**")
            table = view.models if by == "model" else report.tables["application"]
            st.plotly_chart(charts.top_bar(table, by, TOTAL_COST, value_label=t("cost_usd"), height=300,
                                           unpriced_marks=t.unpriced_marks()), key="chart_detail_top")
