"""The Amazon Q / Kiro tab: prompt-log requests and tokens, virtual cost, user activity, limits and Kiro credits.

People are shown by e-mail where a source knows it (the Kiro user reports, the user map), else by the id as logged.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ..errors import SetupRequired, UsageError
from ..qdev.analysis import REQUEST_TYPE_ORDER, TOOL_RESULT, QDevReport
from ..qdev.cost import SUBSCRIPTION_USD_PER_USER_MONTH
from ..qdev.credits import FLAGGED, KiroCredits
from . import charts, data
from .tables import data_table, load_error, show_warnings
from .text import Text, compact, number, usd


def show_qdev(t: Text, request: data.QDevRequest | None) -> None:
    """The Amazon Q / Kiro tab: prompt-log tokens, virtual cost, activity limits and Kiro credits, never prompt text."""
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
                                              inline=number(s.inline), dev=number(s.dev),
                                              tools=number(s.tool_results))),
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
    if not s.requests and not s.tool_results and report.activity is None and report.kiro is None:
        st.info(t("q_no_data"))
        st.markdown(t("q_enable_help"))
        return
    qdev_charts(t, report)
    if report.kiro is not None:
        kiro_section(t, report.kiro)
    qdev_tables(t, report)


def qdev_charts(t: Text, report: QDevReport) -> None:
    """Per person, per request type, per day, context window and virtual cost."""
    types = {name: t(f"q_type_{name}") for name in (*REQUEST_TYPE_ORDER, TOOL_RESULT)}
    left, right = st.columns([3, 2])
    with left.container(border=True):
        st.markdown(f"**{t('q_chart_users')}**")
        st.plotly_chart(charts.top_bar(report.per_user, "user", "total_tokens", value_label=t("tokens"),
                                       key_label=t.column("user"), money=False), key="q_chart_users")
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
        daily = {name: types[name] for name in REQUEST_TYPE_ORDER}
        st.plotly_chart(charts.stacked_columns(report.daily, "date", daily, x_label=t.column("date"),
                                               value_label=t("q_requests")), key="q_chart_daily")
    with right.container(border=True):
        st.markdown(f"**{t('q_chart_cost')}**")
        cost = report.virtual_cost
        st.plotly_chart(charts.compare_bars({t("q_virtual_cost"): cost.total, t("q_subscription"): cost.subscription},
                                            value_label=t("cost_usd")), key="q_chart_cost")
        verdict = "q_cost_below" if cost.difference >= 0 else "q_cost_above"
        st.caption(t(verdict, amount=usd(abs(cost.difference))))


def kiro_section(t: Text, kiro: KiroCredits) -> None:
    """Kiro credits: cards, credits per person and day, messages per model, and the tier prices used."""
    st.subheader(t("kiro_header"))
    month = kiro.month
    st.caption(t("kiro_scope", files=number(kiro.stats.files_read), month=month.start.strftime("%Y-%m"),
                 days=kiro.days_counted, days_in_month=month.days_in_month))
    credits, overage = float(kiro.per_user["credits"].sum()), float(kiro.per_user["overage_credits"].sum())
    cards = [
        ("kiro_credits", f"{credits:,.0f}", t("kiro_credits_help", exact=f"{credits:,.2f}",
                                                overage=f"{overage:,.2f}")),
        ("kiro_overage", f"{overage:,.0f}", None),
        ("kiro_cost", usd(kiro.cost_usd), t("kiro_cost_help", seats=usd(kiro.seat_usd), overage=usd(kiro.overage_usd),
                                            unpriced=", ".join(kiro.unpriced_tiers) or "—")),
        ("kiro_flagged", number(len(kiro.flagged)), t("kiro_flagged_help")),
    ]
    for column, (label, value, help_text) in zip(st.columns(len(cards)), cards, strict=True):
        column.metric(t(label), value, border=True, help=help_text)
    left, right = st.columns([3, 2])
    with left.container(border=True):
        st.markdown(f"**{t('kiro_chart_users')}**")
        st.plotly_chart(charts.top_bar(kiro.per_user, "user", "total_credits", value_label=t("credits_label"),
                                       key_label=t.column("user"), money=False), key="kiro_chart_users")
    with right.container(border=True):
        st.markdown(f"**{t('kiro_chart_models')}**")
        st.plotly_chart(charts.top_bar(kiro.per_model, "model", "messages", value_label=t("messages_label"),
                                       key_label=t.column("model"), money=False, height=300), key="kiro_chart_models")
    with st.container(border=True):
        st.markdown(f"**{t('kiro_chart_daily')}**")
        series = {"credits": t("kiro_in_plan"), "overage_credits": t("kiro_overage")}
        st.plotly_chart(charts.stacked_columns(kiro.per_day, "date", series, x_label=t.column("date"),
                                               value_label=t("credits_label")), key="kiro_chart_daily")
    if kiro.tiers:
        tiers = ", ".join(f"{tier.name} {usd(tier.monthly_usd)} / {tier.credits:,.0f}" for tier in kiro.tiers.values())
        first = next(iter(kiro.tiers.values()))
        st.caption(t("kiro_prices_note", tiers=tiers, overage=f"${first.overage_usd_per_credit:g}",
                     as_of=min(tier.as_of for tier in kiro.tiers.values())))


def qdev_tables(t: Text, report: QDevReport) -> None:
    """The Amazon Q / Kiro tables: limits and Kiro allowances first when there are reports."""
    stem = f"qdev_{report.period.start}_{report.period.end}"
    tables: list[tuple[str, str, pd.DataFrame, pd.Series | None]] = [
        (t("q_table_users"), "per_user", report.per_user, None),
        (t("q_table_types"), "per_type", report.per_type, None),
        (t("q_table_products"), "per_product", report.per_product, None),
        (t("q_table_models"), "per_model", report.virtual_cost.per_model, None),
        (t("q_table_daily"), "daily", report.daily, None),
        (t("q_table_people"), "people", report.people, None),
    ]
    kiro = report.kiro
    if kiro is not None:
        flagged = kiro.allowance["status"].isin(FLAGGED)
        tables[:0] = [(t("kiro_table_allowance", month=kiro.month.start.strftime("%Y-%m")), "kiro_allowance",
                       kiro.allowance, flagged)]
        tables += [(t("kiro_table_users"), "kiro_per_user", kiro.per_user, None),
                   (t("kiro_table_clients"), "kiro_per_client", kiro.per_client, None),
                   (t("kiro_table_models"), "kiro_per_model", kiro.per_model, None)]
    if report.activity is not None:
        limits = pd.DataFrame([
            {"limit": s.limit.name, "subject": s.subject, "used": s.used,
             "allowance": "—" if s.allowance is None else s.allowance,  # AWS publishes no figure for some limits
             "projected": round(s.projected, 1), "used_share": "—" if s.used_share is None else s.used_share,
             "status": s.status, "verified": s.limit.verified}
            for s in report.activity.limits
        ], columns=["limit", "subject", "used", "allowance", "projected", "used_share", "status", "verified"])
        tables.insert(0, (t("q_table_limits", month=report.activity.month.start.strftime("%Y-%m")), "limits",
                          limits, None))
        tables.append((t("q_table_activity"), "activity_per_user", report.activity.per_user, None))
    st.subheader(t("tables"))
    for tab, (_, name, frame, highlight) in zip(st.tabs([title for title, *_ in tables]), tables, strict=True):
        with tab:
            data_table(t, frame, f"{stem}_{name}", key=f"qdev_{name}", highlight=highlight)
