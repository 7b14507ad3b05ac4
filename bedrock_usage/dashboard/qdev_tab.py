"""The Amazon Q / Kiro tab: prompt-log requests and tokens, virtual cost, user activity, limits and Kiro credits.

People are shown by e-mail where a source knows it (the Kiro user reports, the user map), else by the id as logged.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import pandas as pd
import streamlit as st

from ..errors import SetupRequired, UsageError
from ..logs.period import Period
from ..output.terminal_table import money
from ..qdev.analysis import REQUEST_TYPE_ORDER, TOOL_RESULT, QDevReport, ReportTokenEstimate
from ..qdev.cost import Q_DEVELOPER, SUBSCRIPTION_USD_PER_USER_MONTH, VirtualCost
from ..qdev.credits import FLAGGED, KiroCredits
from ..qdev.limits import ACCOUNT, LimitStatus, pool_users
from ..qdev.render import filtered_pool, limits_frame, table_ends, table_period
from . import charts, data
from .layout import cards, pair
from .progress_view import load_with_outcome
from .tables import data_table, download_stem, load_error, show_warnings
from .text import Text, compact, compact_usd, number, usd


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
        report = load_with_outcome(t, lambda progress: data.load_qdev(request, progress), f"qdev {request!r}",
                                   t("loading"), lambda loaded: t("q_loaded", source=loaded.source),
                                   t("q_load_failed"))
    except (UsageError, SetupRequired) as exc:
        load_error(t, exc)
        st.markdown(t("q_enable_help"))
        return
    s = report.summary
    st.caption(t("q_scope_line", period=report.period.label(), source=report.source))
    cost = report.virtual_cost
    items: list[tuple[str, str, str | None]] = [
        ("q_requests", compact(s.requests), t("q_requests_help", exact=number(s.requests), chat=number(s.chat),
                                              inline=number(s.inline), dev=number(s.dev),
                                              tools=number(s.tool_results))),
        ("q_input", compact(s.input_tokens), t("q_tokens_help", exact=number(s.input_tokens))),
        ("q_output", compact(s.output_tokens), t("q_tokens_help", exact=number(s.output_tokens))),
        ("q_users", number(s.users), None),
    ]
    for row, row_items in (("qdev", items), ("qdev_cost", cost_cards(t, cost, other_products(report)))):
        with cards(row, wide=row == "qdev_cost"):
            for label, value, help_text in row_items:
                st.metric(t(label), value, border=True, help=help_text)
    st.caption(t("q_accuracy_note", prices=t.virtual_prices(cost)))
    show_warnings(t, report.warnings)
    if not s.requests and not s.tool_results and report.activity is None and report.kiro is None:
        st.info(t("q_no_data"))
        st.markdown(t("q_enable_help"))
        return
    qdev_charts(t, report)
    if report.kiro is not None:
        kiro_section(t, report.kiro, report.period)
    qdev_tables(t, report)


def other_products(report: QDevReport) -> bool:
    """Whether the period holds requests or tool-result turns of a product other than Amazon Q Developer (Kiro)."""
    rows = report.per_product
    others = rows.loc[rows["product"] != Q_DEVELOPER]
    return bool((others["requests"].sum() + others["tool_results"].sum()) > 0)


def cost_cards(t: Text, cost: VirtualCost, with_others: bool) -> list[tuple[str, str, str]]:
    """The virtual-cost cards, a row of their own (their labels are long): the total with Kiro's requests when there
    are any (``with_others``), then the Amazon Q Developer requests' cost beside the subscription set against it, as
    the chart compares them; each virtual cost's help names what it is priced at as the note under the cards does
    (``Text.virtual_prices``)."""
    prices = t.virtual_prices(cost)
    cards_: list[tuple[str, str, str]] = []
    if with_others:
        cards_.append(("q_virtual_cost", compact_usd(cost.total),
                       t("q_virtual_cost_help", exact=money(cost.total), model=cost.price.name, prices=prices)))
    cards_ += [
        ("q_subscribed_cost_card", compact_usd(cost.subscribed_cost),
         t("q_subscribed_cost_help", exact=money(cost.subscribed_cost), model=cost.price.name, prices=prices)),
        ("q_subscription", compact_usd(cost.subscription),
         t("q_subscription_help", exact=f"${cost.subscription:,.4f}", users=number(cost.users),
           price=usd(SUBSCRIPTION_USD_PER_USER_MONTH))),
    ]
    return cards_


def qdev_charts(t: Text, report: QDevReport) -> None:
    """Per person, per request type, per day, context window and virtual cost."""
    types = {name: t(f"q_type_{name}") for name in (*REQUEST_TYPE_ORDER, TOOL_RESULT)}
    left, right = pair("q_people")
    with left:
        st.markdown(f"**{t('q_chart_users')}**")
        st.plotly_chart(charts.top_bar(report.per_user, "user", "total_tokens", value_label=t("tokens"),
                                       money=False), key="q_chart_users")
    with right:
        st.markdown(f"**{t('q_chart_types')}**")
        per_type = report.per_type.assign(request_type=report.per_type["request_type"].map(types),
                                          count=report.per_type["requests"] + report.per_type["tool_results"])
        st.plotly_chart(charts.top_bar(per_type, "request_type", "count", value_label=t("q_requests"),
                                       money=False, height=200),
                        key="q_chart_types")
        window = report.context_window
        st.markdown(f"**{t('q_context_window', window=number(window.window))}**")
        with cards("q_context"):
            st.metric(t("q_context_avg"), f"{window.average_share:.1%}")
            st.metric(t("q_context_max"), f"{window.max_share:.1%}")
            st.metric(t("q_context_over_80"), f"{window.share_over_80:.1%}")

    left, right = pair("q_daily")
    with left:
        st.markdown(f"**{t('q_chart_daily')}**")
        daily = {name: types[name] for name in REQUEST_TYPE_ORDER}
        busy = report.daily.loc[report.daily["requests"] > 0, "date"].astype(str)
        st.plotly_chart(charts.stacked_columns(report.daily, "date", daily, value_label=t("q_requests"),
                                               partial=data.partial_days(report.period, busy),
                                               partial_labels=t.partial_labels()), key="q_chart_daily")
    with right:
        st.markdown(f"**{t('q_chart_cost')}**")
        cost = report.virtual_cost
        st.plotly_chart(charts.compare_bars({t("q_subscribed_cost"): cost.subscribed_cost,
                                             t("q_subscription"): cost.subscription},
                                            value_label=t("cost_usd")), key="q_chart_cost")
        if not math.isnan(cost.difference):  # unknown when none of the requests is priced
            verdict = "q_cost_below" if cost.difference >= 0 else "q_cost_above"
            st.caption(t(verdict, amount=usd(abs(cost.difference))))


def kiro_section(t: Text, kiro: KiroCredits, period: Period) -> None:
    """Kiro credits: cards, credits per person and day, messages per model, and the tier prices used."""
    st.subheader(t("kiro_header"))
    month = kiro.month
    st.caption(t("kiro_scope", files=number(kiro.stats.files_read), month=month.start.strftime("%Y-%m"),
                 days=kiro.days_counted, days_in_month=month.days_in_month))
    with cards("kiro"):
        for label, value, help_text in kiro_cards(t, kiro):
            st.metric(t(label), value, border=True, help=help_text)
    left, right = pair("kiro_people")
    with left:
        st.markdown(f"**{t('kiro_chart_users')}**")
        st.plotly_chart(charts.top_bar(kiro.per_user, "user", "total_credits", value_label=t("credits_label"),
                                       money=False), key="kiro_chart_users")
    with right:
        st.markdown(f"**{t('kiro_chart_models')}**")
        st.plotly_chart(charts.top_bar(kiro.per_model, "model", "messages", value_label=t("messages_label"),
                                       money=False, height=300), key="kiro_chart_models")
    with st.container(border=True):
        st.markdown(f"**{t('kiro_chart_daily')}**")
        series = {"credits_in_plan": t("kiro_in_plan"), "overage_credits": t("kiro_overage")}
        reported = kiro.per_day.loc[kiro.per_day["messages"] > 0, "date"].astype(str)
        st.plotly_chart(charts.stacked_columns(kiro.per_day, "date", series, value_label=t("credits_label"),
                                               partial=data.report_partial_days(period, kiro.reported_through,
                                                                                reported),
                                               partial_labels=t.partial_labels()), key="kiro_chart_daily")
    if kiro.tiers:
        tiers = ", ".join(f"{tier.name} {usd(tier.monthly_usd)} / {tier.credits:,.0f}" for tier in kiro.tiers.values())
        first = next(iter(kiro.tiers.values()))
        st.caption(t("kiro_prices_note", tiers=tiers, overage=f"${first.overage_usd_per_credit:g}",
                     as_of=min(tier.as_of for tier in kiro.tiers.values())))


def kiro_cards(t: Text, kiro: KiroCredits) -> list[tuple[str, str, str]]:
    """The Kiro cards (label key, value, help): credits in plan, overage credits, the Kiro cost and the people near
    or over their allowance. The cards that set credits against the tiers' allowances (in plan, near or over) say in
    their help what those allowances are, as the note over the allowance table does (``Text.kiro_allowance``)."""
    credits, overage = float(kiro.per_user["credits_in_plan"].sum()), float(kiro.per_user["overage_credits"].sum())
    cost_help = t("kiro_cost_help", exact=f"${kiro.cost_usd:,.4f}", seats=usd(kiro.seat_usd),
                  overage=usd(kiro.overage_usd))
    if kiro.unpriced_tiers:
        cost_help += " " + t("kiro_unpriced_tiers", unpriced=", ".join(kiro.unpriced_tiers))
    allowances = t("kiro_allowance_note", note=t.kiro_allowance(kiro))
    return [
        ("kiro_credits", compact(round(credits)),
         f"{t('kiro_credits_help', exact=f'{credits:,.2f}', overage=f'{overage:,.2f}')} {allowances}"),
        ("kiro_overage", compact(round(overage)), t("kiro_overage_help", exact=f"{overage:,.2f}")),
        ("kiro_cost", compact_usd(kiro.cost_usd), cost_help),
        ("kiro_flagged", number(len(kiro.flagged)), f"{t('kiro_flagged_help')} {allowances}"),
    ]


class Table(NamedTuple):
    """One table of the tab: its title, the CLI's CSV table name, its download's rows (the CLI file's columns), the
    rows to tint, and the days and accuracy columns each download row ends with, as the CLI file's rows do."""

    title: str
    name: str
    frame: pd.DataFrame
    highlight: pd.Series | None
    period: Period
    end: dict[str, object]


def table_list(t: Text, report: QDevReport) -> tuple[list[Table], dict[str, pd.DataFrame]]:
    """The tables the tab shows, limits and Kiro allowances first when there are reports, each downloaded as the
    CLI's CSV file of the same table (``table_period``, ``table_ends``), and, by name, what the page shows where it
    differs (translated words)."""
    tables: list[tuple[str, str, pd.DataFrame, pd.Series | None]] = [
        (t("q_table_users"), "per_user", report.per_user, None),
        (t("q_table_types"), "per_type", report.per_type, None),
        (t("q_table_products"), "per_product", report.per_product, None),
        (t("q_table_models"), "virtual_cost_per_model", report.virtual_cost.per_model, None),
        (t("q_table_daily"), "daily", report.daily, None),
        (t("q_table_people"), "people", report.people, None),
    ]
    shown: dict[str, pd.DataFrame] = {}
    kiro = report.kiro
    if kiro is not None:
        flagged = kiro.allowance["status"].isin(FLAGGED)
        shown["kiro_allowance"] = kiro.allowance.assign(status=kiro.allowance["status"].map(t.limit_status))
        tables[:0] = [(t("kiro_table_allowance", month=kiro.month.start.strftime("%Y-%m")), "kiro_allowance",
                       kiro.allowance, flagged)]
        tables += [(t("kiro_table_users"), "kiro_per_user", kiro.per_user, None),
                   (t("kiro_table_clients"), "kiro_per_client", kiro.per_client, None),
                   (t("kiro_table_models"), "kiro_per_model", kiro.per_model, None)]
    if report.activity is not None:
        statuses = report.activity.limits
        limits = limits_table(statuses)
        shown["limits"] = limits.assign(limit=[t.limit_name(s.limit.key, s.limit.name) for s in statuses],
                                        subject=limits["subject"].map(lambda who: t.limit_subject(who, ACCOUNT)),
                                        status=limits["status"].map(t.limit_status))
        tables.insert(0, (t("q_table_limits", month=report.activity.month.start.strftime("%Y-%m")), "limits",
                          limits_frame(statuses), None))
        tables.append((t("q_table_activity"), "activity_per_user", report.activity.per_user, None))
    if report.report_estimate is not None:
        tables.append((t("q_table_estimate"), "activity_estimated_tokens", report.report_estimate.rows, None))
    ends = table_ends(report)
    return [Table(title, name, frame, highlight, table_period(report, name), ends.get(name, {}))
            for title, name, frame, highlight in tables], shown


def qdev_tables(t: Text, report: QDevReport) -> None:
    """The Amazon Q / Kiro tables of ``table_list``, each with its CSV download."""
    stem = download_stem("qdev", report.period)
    tables, shown = table_list(t, report)
    # the virtual cost per model is what Amazon Bedrock would charge, never a cost billed: its headers say so
    labels = {"virtual_cost_per_model": {"input_cost_usd": t("q_virtual_input"),
                                         "output_cost_usd": t("q_virtual_output"),
                                         "cost_usd": t.column("virtual_cost_usd")},
              "kiro_allowance": {"used": t("kiro_used")}}  # Kiro's used adds the overage to the credits in plan
    st.subheader(t("tables"))
    pool = filtered_pool(report)
    if pool is not None:
        st.caption(t("q_pool_note", users=number(pool_users(pool) or 0)))
    estimate = report.report_estimate
    if estimate is not None:
        st.caption(estimate_note(t, estimate))
    # what the allowances are, over the table that shows them, as its download's rows say it
    notes = {"kiro_allowance": t("kiro_allowance_note", note=t.kiro_allowance(report.kiro))} if report.kiro else {}
    for tab, table in zip(st.tabs([table.title for table in tables]), tables, strict=True):
        with tab:
            if table.name in notes:
                st.caption(notes[table.name])
            data_table(t, table.frame, f"{stem}_{table.name}", key=f"qdev_{table.name}", period=table.period,
                       labels=labels.get(table.name), highlight=table.highlight, shown=shown.get(table.name),
                       end=table.end)


def estimate_note(t: Text, estimate: ReportTokenEstimate) -> str:
    """The estimated total, and the request types it leaves out for want of a measured average."""
    note = t("q_estimate_note", total=number(estimate.total))
    if estimate.not_estimable:
        note += " " + t("q_estimate_left_out", types=", ".join(estimate.not_estimable))
    return note


def limits_table(statuses: list[LimitStatus]) -> pd.DataFrame:
    """The monthly limits: one typed column each (no published allowance is a missing number, not text)."""
    return pd.DataFrame({
        "limit": pd.Series([s.limit.name for s in statuses], dtype="object"),
        "subject": pd.Series([s.subject for s in statuses], dtype="object"),
        "used": pd.Series([s.used for s in statuses], dtype="Int64"),
        "allowance": pd.Series([s.allowance for s in statuses], dtype="Int64"),  # AWS publishes no figure for some
        "projected": pd.Series([round(s.projected, 1) for s in statuses], dtype="float64"),
        "used_share": pd.Series([s.used_share for s in statuses], dtype="float64"),
        "status": pd.Series([s.status for s in statuses], dtype="object"),
        "verified": pd.Series([s.limit.verified for s in statuses], dtype="bool"),
    })
