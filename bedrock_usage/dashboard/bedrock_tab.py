"""The Bedrock tab: cards, charts and tables of who spends what, and the logging status panel."""

from __future__ import annotations

import streamlit as st

from ..errors import SetupRequired, UsageError
from ..report.tracker import TOTAL_COST
from . import charts, data
from .tables import data_table, load_error, named_columns, show_warnings
from .text import Text, change, compact, number, usd


def logging_panel(t: Text, regions: tuple[str, ...], profile: str) -> None:
    """Per-region Model Invocation Logging status, and the command that fixes what is missing (Athena only)."""
    with st.expander(t("logging_status"), expanded=bool(st.session_state.get("check_logging"))):
        if st.button(t("check_logging"), key="check_logging_button"):
            st.session_state["check_logging"] = True
            data.load_logging_status.clear()  # the button always checks again; re-renders use the last check
        if not st.session_state.get("check_logging"):
            st.caption(t("logging_status_help"))
            return
        try:
            with st.spinner(t("checking_logging")):
                statuses = data.load_logging_status(regions, profile)
        except (UsageError, SetupRequired) as exc:
            st.error(t("setup_needed", message=str(exc)))
            return
        for status in statuses:
            verdict = data.logging_verdict(status)
            newest = status.newest_log.last_modified.strftime("%Y-%m-%d %H:%M UTC") if status.newest_log else ""
            line = t(f"logging_{verdict}", region=status.region, bucket=status.bucket or "", newest=newest,
                     error=status.error or "", problems="; ".join(status.problems))
            (st.success if verdict == "ok" else st.warning)(line)


def show_bedrock(t: Text, request: data.BedrockRequest | None) -> None:
    """The Bedrock tab for the last analysed request (served from the cache on re-renders)."""
    if request is None:
        st.info(t("press_analyze"))
        return
    try:
        with st.spinner(t("loading")):
            view = data.load_bedrock(request)
    except (UsageError, SetupRequired) as exc:
        load_error(t, exc)
        return
    report, summary = view.report, view.report.summary
    st.caption(t("scope_line", period=report.period.label(), regions=", ".join(report.regions),
                 previous=view.previous_period.label()))
    metric_row(t, summary, view.previous)
    notes = [t("accuracy_note")]
    if summary["unpriced_calls"]:
        notes.append(t("unpriced_note", calls=number(summary["unpriced_calls"])))
    st.caption(" ".join(notes))
    show_warnings(t, report.warnings)
    if not summary["calls"]:
        st.info(t("no_calls"))
        return
    bedrock_charts(t, view, request)
    bedrock_tables(t, view, request)
    stats = report.stats
    scan = t("scan_line", objects=number(stats.objects_read), megabytes=f"{stats.bytes_read / 1e6:,.1f}",
             engine=report.engine)
    if view.query_cost_usd:
        scan += " " + t("scan_cost", cost=f"${view.query_cost_usd:,.4f}")
    st.caption(scan)


def metric_row(t: Text, summary: dict, previous: dict) -> None:
    """Cost, calls and tokens, each with its change against the previous period (exact figures on hover)."""
    cost = summary[TOTAL_COST]
    cards = [("metric_cost", usd(cost), f"${cost:,.4f}", change(cost, previous[TOTAL_COST]), "inverse")]
    for label, name in (("metric_calls", "calls"), ("metric_input", "input_tokens"), ("metric_output", "output_tokens"),
                        ("metric_cache_read", "cache_read_tokens"), ("metric_cache_write", "cache_write_tokens")):
        cards.append((label, compact(summary[name]), number(summary[name]), change(summary[name], previous[name]),
                      "off"))
    for column, (label, value, exact, delta, color) in zip(st.columns(len(cards)), cards, strict=True):
        column.metric(t(label), value, delta, delta_color=color, border=True, help=t(f"{label}_help", exact=exact))
    st.caption(t("who_line", users=number(summary["users"]), applications=number(summary["applications"]),
                 models=number(summary["models"]), errors=number(summary["errors"])))


def bedrock_charts(t: Text, view: data.BedrockView, request: data.BedrockRequest) -> None:
    """Who spends, on which models, when and where."""
    report = view.report
    group_label = _group_label(t, request)
    group = named_columns(t, view.group, request.group_column)
    left, right = st.columns([3, 2])
    with left.container(border=True):
        st.markdown(f"**{t('chart_top', group=group_label)}**")
        st.plotly_chart(charts.top_bar(group, request.group_column, TOTAL_COST, value_label=t("cost_usd"),
                                       key_label=group_label), key="chart_top")
    with right.container(border=True):
        st.markdown(f"**{t('chart_models')}**")
        st.plotly_chart(charts.share_donut(report.tables["model"], "model", TOTAL_COST, other_label=t("other"),
                                           value_label=t("cost_usd")), key="chart_models")

    with st.container(border=True):
        head, choice = st.columns([3, 2])
        head.markdown(f"**{t('chart_daily')}**")
        stack = choice.radio(t("stack_by"), data.STACK_BY, key="stack_by", horizontal=True,
                             format_func=lambda k: t(f"group_{k}"))
        daily = view.daily_by[stack]
        days = report.period.all_days()
        cost_col, token_col = st.columns(2)
        cost_col.caption(t("daily_cost"))
        cost_col.plotly_chart(charts.stacked_daily(
            daily, stack, TOTAL_COST, days, value_label=t("cost_usd"), day_label=t.column("day"),
            other_label=t("other"), money=True), key="chart_daily_cost")
        tokens = daily.assign(tokens=daily[["input_tokens", "output_tokens", "cache_read_tokens",
                                            "cache_write_tokens"]].sum(axis=1))
        token_col.caption(t("daily_tokens"))
        token_col.plotly_chart(charts.stacked_daily(
            tokens, stack, "tokens", days, value_label=t("tokens"), day_label=t.column("day"),
            other_label=t("other"), money=False, rank_by=TOTAL_COST), key="chart_daily_tokens")

    left, right = st.columns([3, 2])
    with left.container(border=True):
        st.markdown(f"**{t('chart_heatmap')}**")
        st.plotly_chart(charts.weekday_hour_heatmap(
            report.tables["weekday-hour"], TOTAL_COST, weekday_labels=t.weekdays(), value_label=t("cost_usd"),
            hour_label=t("hour_axis", tz=report.period.tz)), key="chart_heatmap")
    with right.container(border=True):
        st.markdown(f"**{t('chart_regions')}**")
        st.plotly_chart(charts.top_bar(report.tables["region"], "source_region", TOTAL_COST,
                                       value_label=t("cost_usd"), key_label=t.column("source_region"), height=330),
                        key="chart_regions")


def bedrock_tables(t: Text, view: data.BedrockView, request: data.BedrockRequest) -> None:
    """Every table behind the charts, each with a CSV download."""
    report = view.report
    stem = f"bedrock_{report.period.start}_{report.period.end}"
    group_name = request.group_by if request.group_by != "tag" else f"tag_{request.tag_key}"
    tables = [
        (
            t("table_group", group=_group_label(t, request)),
            group_name,
            named_columns(t, view.group, request.group_column),
        ),
        (t("table_detail"), "application_model_region", view.detail),
        (t("table_user_app"), "user_app", report.tables["user-app"]),
        (t("table_models"), "model", report.tables["model"]),
        (t("table_daily"), "daily", report.tables["daily"]),
        (t("table_regions"), "region", report.tables["region"]),
    ]
    if len(report.unpriced):
        tables.append((t("table_unpriced"), "unpriced", report.unpriced))
    st.subheader(t("tables"))
    for tab, (_, name, frame) in zip(st.tabs([title for title, _, _ in tables]), tables, strict=True):
        with tab:
            data_table(t, frame, f"{stem}_{name}", key=f"bedrock_{name}")


def _group_label(t: Text, request: data.BedrockRequest) -> str:
    return request.tag_key if request.group_by == "tag" else t(f"group_{request.group_by}")
