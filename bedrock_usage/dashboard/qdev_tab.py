"""The Amazon Q tab: prompt-log requests and tokens, virtual cost, user activity and limits."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ..errors import SetupRequired, UsageError
from ..qdev.analysis import REQUEST_TYPE_ORDER, QDevReport
from ..qdev.cost import SUBSCRIPTION_USD_PER_USER_MONTH
from . import charts, data
from .tables import data_table, load_error, show_warnings
from .text import Text, compact, number, usd


def show_qdev(t: Text, request: data.QDevRequest | None) -> None:
    """The Amazon Q Developer tab: prompt-log tokens, virtual cost and activity limits, never prompt text."""
    if request is None:
        st.info(t("press_analyze"))
        return
    if request.source == "local" and not request.logs_dir:
        st.info(t("q_need_dir"))
        st.markdown(t("q_enable_help"))
        return
    try:
        with st.spinner(t("loading")):
            report = data.load_qdev(request)
    except (UsageError, SetupRequired) as exc:
        load_error(t, exc)
        st.markdown(t("q_enable_help"))
        return
    s = report.summary
    st.caption(t("q_scope_line", period=report.period.label(), source=report.source))
    cost = report.virtual_cost
    cards = [
        ("q_requests", compact(s.requests), t("q_requests_help", exact=number(s.requests), chat=number(s.chat),
                                              inline=number(s.inline), dev=number(s.dev))),
        ("q_input", compact(s.input_tokens), t("q_tokens_help", exact=number(s.input_tokens))),
        ("q_output", compact(s.output_tokens), t("q_tokens_help", exact=number(s.output_tokens))),
        ("q_users", number(s.users), None),
        ("q_virtual_cost", usd(cost.total), t("q_virtual_cost_help", exact=f"${cost.total:,.4f}",
                                              model=cost.price.name)),
        ("q_subscription", usd(cost.subscription), t("q_subscription_help", users=number(cost.users),
                                                     price=usd(SUBSCRIPTION_USD_PER_USER_MONTH))),
    ]
    for column, (label, value, help_text) in zip(st.columns(len(cards)), cards, strict=True):
        column.metric(t(label), value, border=True, help=help_text)
    st.caption(t("q_accuracy_note"))
    show_warnings(t, report.warnings)
    if not s.requests and report.activity is None:
        st.info(t("q_no_data"))
        st.markdown(t("q_enable_help"))
        return
    qdev_charts(t, report)
    qdev_tables(t, report)


def qdev_charts(t: Text, report: QDevReport) -> None:
    """Per user, per request type, per day, context window and virtual cost."""
    types = {name: t(f"q_type_{name}") for name in REQUEST_TYPE_ORDER}
    left, right = st.columns([3, 2])
    with left.container(border=True):
        st.markdown(f"**{t('q_chart_users')}**")
        st.plotly_chart(charts.top_bar(report.per_user, "user_id", "total_tokens", value_label=t("tokens"),
                                       key_label=t.column("user_id"), money=False), key="q_chart_users")
    with right.container(border=True):
        st.markdown(f"**{t('q_chart_types')}**")
        per_type = report.per_type.assign(request_type=report.per_type["request_type"].map(types))
        st.plotly_chart(charts.top_bar(per_type, "request_type", "requests", value_label=t("q_requests"),
                                       key_label=t.column("request_type"), money=False, height=200),
                        key="q_chart_types")
        window = report.context_window
        st.markdown(f"**{t('q_context_window', window=number(window.window))}**")
        a, b, c = st.columns(3)
        a.metric(t("q_context_avg"), f"{window.average_share:.1%}")
        b.metric(t("q_context_max"), f"{window.max_share:.1%}")
        c.metric(t("q_context_over_80"), f"{window.share_over_80:.1%}")

    left, right = st.columns([3, 2])
    with left.container(border=True):
        st.markdown(f"**{t('q_chart_daily')}**")
        st.plotly_chart(charts.stacked_columns(report.daily, "date", types, x_label=t.column("date"),
                                               value_label=t("q_requests")), key="q_chart_daily")
    with right.container(border=True):
        st.markdown(f"**{t('q_chart_cost')}**")
        cost = report.virtual_cost
        st.plotly_chart(charts.compare_bars({t("q_virtual_cost"): cost.total, t("q_subscription"): cost.subscription},
                                            value_label=t("cost_usd")), key="q_chart_cost")
        verdict = "q_cost_below" if cost.difference >= 0 else "q_cost_above"
        st.caption(t(verdict, amount=usd(abs(cost.difference))))


def qdev_tables(t: Text, report: QDevReport) -> None:
    """The Q tables, limits first when there are activity reports."""
    stem = f"qdev_{report.period.start}_{report.period.end}"
    tables = [
        (t("q_table_users"), "per_user", report.per_user),
        (t("q_table_types"), "per_type", report.per_type),
        (t("q_table_products"), "per_product", report.per_product),
        (t("q_table_daily"), "daily", report.daily),
    ]
    if report.activity is not None:
        limits = pd.DataFrame([
            {"limit": s.limit.name, "subject": s.subject, "used": s.used,
             "allowance": "—" if s.allowance is None else s.allowance,  # AWS publishes no figure for some limits
             "projected": round(s.projected, 1), "used_share": "—" if s.used_share is None else s.used_share,
             "status": s.status, "verified": s.limit.verified}
            for s in report.activity.limits
        ], columns=["limit", "subject", "used", "allowance", "projected", "used_share", "status", "verified"])
        tables.insert(0, (t("q_table_limits", month=report.activity.month.start.strftime("%Y-%m")), "limits",
                          limits))
        tables.append((t("q_table_activity"), "activity_per_user", report.activity.per_user))
    st.subheader(t("tables"))
    for tab, (_, name, frame) in zip(st.tabs([title for title, _, _ in tables]), tables, strict=True):
        with tab:
            data_table(t, frame, f"{stem}_{name}", key=f"qdev_{name}")
