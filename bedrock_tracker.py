"""Streamlit dashboard: who spends what on Amazon Bedrock, how developers use Amazon Q Developer, and governance
(budgets, cost anomalies, reconciliation with CloudWatch and Cost Explorer).

Run ``streamlit run bedrock_tracker.py`` (docs/dashboard.md). This page only lays out: the data comes from
bedrock_usage.dashboard_data (the tracker and analyzers the CLIs use), the figures from bedrock_usage.charts and
every visible string from bedrock_usage.ui_text. It holds no SQL and no pricing.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, available_timezones

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from bedrock_usage import charts
from bedrock_usage import dashboard_data as data
from bedrock_usage.anomalies import DEFAULT_FACTOR, DEFAULT_MIN_COST, DEFAULT_WINDOW, AnomalyReport
from bedrock_usage.budgets import BudgetStatus
from bedrock_usage.errors import SetupRequired, UsageError
from bedrock_usage.governance_render import money
from bedrock_usage.jsonable import rounded
from bedrock_usage.qdev.analysis import REQUEST_TYPE_ORDER, QDevReport
from bedrock_usage.qdev.cost import SUBSCRIPTION_USD_PER_USER_MONTH
from bedrock_usage.reconcile import DEFAULT_THRESHOLD, FLAGGED, Reconciliation
from bedrock_usage.regions import DEFAULT_REGIONS, REGION_NAMES
from bedrock_usage.sources import SOURCES
from bedrock_usage.tracker import COST_COLUMNS, TOTAL_COST
from bedrock_usage.ui_text import LANGUAGES, Text, change, compact, number, usd

BEDROCK_KEY = "bedrock_request"
QDEV_KEY = "qdev_request"
RECONCILE_KEY = "reconcile_request"
TAB_KEY = "main_tab"
TABS = ("tab_bedrock", "tab_qdev", "tab_governance")
ZONES = ["UTC", *sorted(z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/")))]
MONEY_COLUMNS = {*COST_COLUMNS, TOTAL_COST, "virtual_cost_usd"}
SHARE_COLUMNS = {"max_context_share", "avg_context_share", "used_share", "projected_share", "monthly_share",
                 "coverage"}
RATIO_COLUMNS = {"ratio"}
FLAG_STYLE = "background-color: rgba(209, 50, 18, 0.14)"
BUDGET_CARDS_PER_ROW = 3
DEFAULT_DAYS = 7
TRANSLATED_RADIOS = ("source", "group_by", "stack_by")


def main() -> None:
    """Lay out the page for the current widget state."""
    st.set_page_config(page_title="Bedrock usage", page_icon="📊", layout="wide")
    t = Text(st.session_state.get("lang", "en"))
    if not signed_in(t):
        return
    _first_visit_defaults()
    _keep_governance_settings()
    with st.sidebar:
        bedrock_request, qdev_request, problem, clicked = sidebar(t)
    if clicked:
        if problem:
            st.session_state.pop(BEDROCK_KEY, None)
            st.session_state.pop(QDEV_KEY, None)
        else:
            st.session_state[BEDROCK_KEY], st.session_state[QDEV_KEY] = bedrock_request, qdev_request
    elif st.session_state.pop("auto_analyze", False) and not problem:
        # A first visit without AWS credentials opens on the demo data straight away.
        st.session_state[BEDROCK_KEY], st.session_state[QDEV_KEY] = bedrock_request, qdev_request

    active: data.BedrockRequest | None = st.session_state.get(BEDROCK_KEY)
    st.title(t("title"))
    if problem and clicked:
        st.error(problem)
    if active is not None and active.source == "demo":
        st.info(t("demo_banner_no_credentials" if st.session_state.get("no_credentials") else "demo_banner"),
                icon=":material/science:")
    if active is not None and active != bedrock_request and not problem:
        st.caption(t("sidebar_changed"))
    # The tabs report which one is open, so the Governance tab reads its longer periods only when looked at.
    bedrock_tab, qdev_tab, governance_tab = st.tabs([t(key) for key in TABS], key=TAB_KEY, on_change="rerun")
    with bedrock_tab:
        show_bedrock(t, active)
    with qdev_tab:
        show_qdev(t, st.session_state.get(QDEV_KEY))
    if governance_tab.open:
        with governance_tab:
            show_governance(t, active)


def _login_configured() -> bool:
    """True when secrets.toml has an ``[auth]`` section (Streamlit's OpenID Connect login)."""
    try:
        return "auth" in st.secrets
    except (StreamlitSecretNotFoundError, FileNotFoundError):
        return False


def signed_in(t: Text) -> bool:
    """With OIDC login configured, nothing but a log-in button until the user has logged in."""
    if not _login_configured():
        return True
    if st.user.get("is_logged_in"):
        with st.sidebar:
            st.caption(t("signed_in_as", who=st.user.get("email") or st.user.get("name") or ""))
            st.button(t("log_out"), on_click=st.logout, key="log_out")
        return True
    st.title(t("title"))
    st.info(t("login_needed"), icon=":material/lock:")
    st.button(t("log_in"), on_click=st.login, type="primary", key="log_in")
    return False


def _first_visit_defaults() -> None:
    """Source, period and regions of a new session: Athena with AWS credentials, else the demo data."""
    if "source" in st.session_state:
        return
    has_credentials = data.aws_credentials_available()
    st.session_state["source"] = "athena" if has_credentials else "demo"
    st.session_state["no_credentials"] = not has_credentials
    st.session_state["auto_analyze"] = not has_credentials
    today = datetime.now(ZoneInfo("UTC")).date()
    st.session_state["dates"] = (today - timedelta(days=DEFAULT_DAYS - 1), today)
    st.session_state["regions"] = list(DEFAULT_REGIONS)


def _keep_translated_choices() -> None:
    """Re-assert the choices of radios whose option labels are translated.

    The browser remembers a radio's choice by its label, so after a language switch it would match nothing.
    """
    for key in TRANSLATED_RADIOS:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]
    open_tab = st.session_state.get(TAB_KEY)
    for lang in LANGUAGES:
        labels = [Text(lang)(key) for key in TABS]
        if open_tab in labels:
            st.session_state[TAB_KEY] = Text(st.session_state["lang"])(TABS[labels.index(open_tab)])
            break


def _keep_governance_settings() -> None:
    """Start the Governance tab's settings at their defaults and keep them while another tab is open.

    Streamlit forgets the value of a widget that a run does not draw; assigning it again keeps it.
    """
    path = data.default_budgets_path()
    defaults = {
        "use_example_budgets": not path,
        "budgets_path": path,
        "anomaly_factor": DEFAULT_FACTOR,
        "anomaly_window": DEFAULT_WINDOW,
        "anomaly_min_cost": DEFAULT_MIN_COST,
        "coverage_threshold": DEFAULT_THRESHOLD * 100,
    }
    for key, default in defaults.items():
        st.session_state[key] = st.session_state.get(key, default)


def sidebar(t: Text) -> tuple[data.BedrockRequest, data.QDevRequest, str | None, bool]:
    """The sidebar widgets; returns both requests they describe, a problem to fix first, and the Analyze click."""
    st.radio(t("language"), list(LANGUAGES), key="lang", format_func=LANGUAGES.get, horizontal=True,
             on_change=_keep_translated_choices)

    st.subheader(t("data_source"))
    source = st.radio(t("data_source"), SOURCES, key="source", format_func=lambda s: t(f"source_{s}"),
                      label_visibility="collapsed")
    logs_dir = profile = workgroup = q_bucket = q_prefix = q_dir = ""
    if source == "local":
        logs_dir = st.text_input(t("logs_dir"), key="logs_dir", placeholder="./mirror", help=t("logs_dir_help"))
    if source == "athena":
        with st.expander(t("aws_options")):
            profile = st.text_input(t("profile"), key="profile", help=t("profile_help"))
            workgroup = st.text_input(t("workgroup"), key="workgroup", placeholder="bedrock-usage")
    if source != "demo":
        with st.expander(t("qdev_logs")):
            if source == "athena":
                q_bucket = st.text_input(t("q_bucket"), key="q_bucket", placeholder="amazonq-developer-reports-…",
                                         help=t("q_bucket_help"))
            else:
                q_dir = st.text_input(t("q_logs_dir"), key="q_logs_dir", help=t("q_logs_dir_help"))
            q_prefix = st.text_input(t("q_prefix"), key="q_prefix", help=t("q_prefix_help"))

    st.subheader(t("period"))
    dates = st.date_input(t("date_range"), key="dates", format="YYYY-MM-DD")
    tz = st.selectbox(t("timezone"), ZONES, key="tz")

    st.subheader(t("scope"))
    regions = st.multiselect(t("regions"), list(REGION_NAMES), key="regions",
                             help=t("regions_help"))
    arn_pattern = st.text_input(t("arn_filter"), key="arn_pattern", help=t("arn_filter_help"))
    user_pattern = st.text_input(t("user_filter"), key="user_pattern", help=t("user_filter_help"))
    group_by = st.radio(t("group_by"), data.GROUP_BY, key="group_by", format_func=lambda g: t(f"group_{g}"),
                        horizontal=True)
    tag_key = ""
    if group_by == "tag":
        tag_key = st.text_input(t("tag_key"), key="tag_key", placeholder="cost_center", help=t("tag_key_help"))

    clicked = st.button(t("analyze"), type="primary", key="analyze", width="stretch")
    if source == "athena":
        logging_panel(t, tuple(regions) or DEFAULT_REGIONS, profile.strip())

    start, end = (dates[0], dates[-1]) if isinstance(dates, tuple | list) and len(dates) == 2 else (None, None)
    problem = _problem(t, regions, start, end, source, logs_dir, group_by, tag_key)
    start, end = start or date.today(), end or date.today()
    bedrock = data.pinned(data.BedrockRequest(
        source=source, regions=tuple(regions), start=start, end=end, tz=tz,
        arn_pattern=arn_pattern.strip(), user_pattern=user_pattern.strip(), group_by=group_by,
        tag_key=tag_key.strip(), logs_dir=logs_dir.strip(), profile=profile.strip(), workgroup=workgroup.strip(),
    ))
    qdev = data.QDevRequest(
        source={"athena": "s3"}.get(source, source), start=start, end=end, tz=tz, user_pattern=user_pattern.strip(),
        logs_dir=q_dir.strip(), bucket=q_bucket.strip(), prefix=q_prefix.strip(), profile=profile.strip(),
    )
    return bedrock, qdev, problem, clicked


def _problem(t: Text, regions: list[str], start: date | None, end: date | None, source: str, logs_dir: str,
             group_by: str, tag_key: str) -> str | None:
    """What must be filled in before Analyze can run, if anything."""
    if start is None or end is None:
        return t("need_dates")
    if not regions:
        return t("need_region")
    if source == "local" and not logs_dir.strip():
        return t("need_logs_dir")
    if group_by == "tag" and not tag_key.strip():
        return t("need_tag_key")
    return None


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


def _load_error(t: Text, exc: Exception) -> None:
    """One line for an error the user can fix, never a traceback."""
    key = "setup_needed" if isinstance(exc, SetupRequired) else "usage_error"
    st.error(t(key, message=str(exc)))


def show_bedrock(t: Text, request: data.BedrockRequest | None) -> None:
    """The Bedrock tab for the last analysed request (served from the cache on re-renders)."""
    if request is None:
        st.info(t("press_analyze"))
        return
    try:
        with st.spinner(t("loading")):
            view = data.load_bedrock(request)
    except (UsageError, SetupRequired) as exc:
        _load_error(t, exc)
        return
    report, summary = view.report, view.report.summary
    st.caption(t("scope_line", period=report.period.label(), regions=", ".join(report.regions),
                 previous=view.previous_period.label()))
    metric_row(t, summary, view.previous)
    notes = [t("accuracy_note")]
    if summary["unpriced_calls"]:
        notes.append(t("unpriced_note", calls=number(summary["unpriced_calls"])))
    st.caption(" ".join(notes))
    _warnings(t, report.warnings)
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
    group = _named(t, view.group, request.group_column)
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
        (t("table_group", group=_group_label(t, request)), group_name, _named(t, view.group, request.group_column)),
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


def _named(t: Text, frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """``frame`` with missing group names shown as "(not set)" (a tag absent from a call)."""
    if column not in frame or not frame[column].isna().any():
        return frame
    return frame.assign(**{column: frame[column].astype(object).where(frame[column].notna(), t("not_set"))})


def _money_format(values: pd.Series) -> str:
    """Cents, unless every amount is under a dollar (a day of one region), where cents would round most to $0.00."""
    amounts = pd.to_numeric(values, errors="coerce").abs()
    return "$%.4f" if len(amounts.dropna()) and amounts.max() < 1 else "dollar"


def data_table(t: Text, frame: pd.DataFrame, file_stem: str, key: str, labels: dict[str, str] | None = None,
               highlight: pd.Series | None = None) -> None:
    """A table with translated headers, money and share formats, and its CSV download.

    ``labels`` overrides headers; rows where ``highlight`` is true are tinted.
    """
    config = {}
    for column in frame.columns:
        label = (labels or {}).get(column) or t.column(column)
        if column in MONEY_COLUMNS or column.endswith("_usd"):
            config[column] = st.column_config.NumberColumn(label, format=_money_format(frame[column]))
        elif column in SHARE_COLUMNS:
            config[column] = st.column_config.NumberColumn(label, format="percent")
        elif column in RATIO_COLUMNS:
            config[column] = st.column_config.NumberColumn(label, format="%.1fx")
        elif pd.api.types.is_numeric_dtype(frame[column]) and not pd.api.types.is_bool_dtype(frame[column]):
            config[column] = st.column_config.NumberColumn(label, format="localized")
        else:
            config[column] = st.column_config.Column(label, width="medium" if column == "status" else None)
    shown = frame
    if highlight is not None and highlight.any():
        marked = dict(zip(frame.index, highlight.to_numpy(), strict=True))
        shown = frame.style.apply(lambda row: [FLAG_STYLE if marked[row.name] else ""] * len(row), axis=1)
    st.dataframe(shown, hide_index=True, column_config=config, key=f"table_{key}")
    csv_bytes = rounded(frame).to_csv(index=False).encode("utf-8")
    st.download_button(t("download_csv"), csv_bytes, file_name=f"{file_stem}.csv",
                       mime="text/csv", on_click="ignore", key=f"download_{key}", icon=":material/download:")


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
        _load_error(t, exc)
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
    _warnings(t, report.warnings)
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


def show_governance(t: Text, request: data.BedrockRequest | None) -> None:
    """Budgets, anomalies and reconciliation for the analysed scope, as the CLI's governance modes compute them."""
    if request is None:
        st.info(t("press_analyze"))
        return
    st.caption(t("gov_scope_line", regions=", ".join(request.regions)))
    request = data.governance_scope(request)
    budgets_section(t, request)
    st.divider()
    anomalies_section(t, request)
    st.divider()
    reconciliation_section(t, request)


def _budgets_path(t: Text, source: str) -> str:
    """The budgets file to check: the example in demo mode when ticked, else the path typed in."""
    path_column, example_column = st.columns([3, 2], vertical_alignment="bottom")
    use_example = source == "demo" and example_column.checkbox(t("budgets_use_example"), key="use_example_budgets")
    typed = path_column.text_input(t("budgets_path"), key="budgets_path", placeholder="budgets.toml",
                                   help=t("budgets_path_help"), disabled=use_example)
    return str(data.EXAMPLE_BUDGETS) if use_example else typed.strip()


def budgets_section(t: Text, request: data.BedrockRequest) -> None:
    """Each budget's month so far, its burn-down and forecast, and the breaches."""
    st.subheader(t("budgets_header"))
    path = _budgets_path(t, request.source)
    if not path:
        st.info(t("budgets_need_file"))
        return
    try:
        with st.spinner(t("budgets_loading")):
            view = data.load_budgets_view(data.budgets_request(request, path))
    except (UsageError, SetupRequired) as exc:
        _load_error(t, exc)
        return
    check = view.check
    st.caption(t("budgets_scope", as_of=check.as_of.isoformat(), tz=check.tz,
                 month_start=check.as_of.replace(day=1).isoformat()))
    breached = check.breached
    if breached:
        st.error(t("budgets_breached", count=len(breached), total=len(check.statuses),
                   names=", ".join(s.budget.name for s in breached)), icon=":material/error:")
    else:
        st.success(t("budgets_ok", total=len(check.statuses)), icon=":material/check_circle:")
    over = [s.budget.name for s in check.statuses if s.forecast_over and not s.breaches]
    if over:
        st.warning(t("budgets_forecast_over", names=", ".join(over)), icon=":material/trending_up:")
    st.caption(t("burn_legend"))
    statuses = check.statuses
    for start in range(0, len(statuses), BUDGET_CARDS_PER_ROW):
        row = statuses[start : start + BUDGET_CARDS_PER_ROW]
        for column, status in zip(st.columns(BUDGET_CARDS_PER_ROW), row, strict=False):
            with column.container(border=True):
                budget_card(t, status, view.burndown.loc[view.burndown["budget"] == status.budget.name])
    st.caption(t("forecast_method", window=check.window))
    stem = f"bedrock_budgets_{check.as_of}"
    status_tab, burndown_tab = st.tabs([t("budgets_table"), t("burndown_table")])
    with status_tab:
        data_table(t, view.statuses, f"{stem}_status", key="budgets_status",
                   highlight=view.statuses["status"] != "ok")
    with burndown_tab:
        data_table(t, view.burndown, f"{stem}_burndown", key="budgets_burndown")
    _warnings(t, check.warnings)


def budget_card(t: Text, status: BudgetStatus, burndown: pd.DataFrame) -> None:
    """One budget: its name and state, month to date against the amount, and the burn-down chart."""
    budget = status.budget
    if status.breaches:
        badge = f":red-badge[:material/error: {t('budget_status_breached')}]"
    elif status.forecast_over:
        badge = f":orange-badge[:material/trending_up: {t('budget_status_forecast')}]"
    else:
        badge = f":green-badge[:material/check: {t('budget_status_ok')}]"
    st.markdown(f"**{budget.name}** {badge}")
    if budget.monthly_usd:
        spent = t("budget_spent_of", spent=usd(status.month_to_date_usd), monthly=usd(budget.monthly_usd),
                  share=f"{status.monthly_share:.0%}")
    else:
        spent = t("budget_spent", spent=usd(status.month_to_date_usd))
    day = (t("budget_day_of", day=usd(status.day_usd), daily=usd(budget.daily_usd)) if budget.daily_usd
           else t("budget_day", day=usd(status.day_usd)))
    st.caption(f"`{budget.covers}`  \n{spent} · {day} · {t('budget_forecast', forecast=usd(status.forecast_usd))}")
    labels = {"actual": t("burn_actual"), "forecast": t("burn_forecast"), "budget": t("burn_budget"),
              "pace": t("burn_pace")}
    st.plotly_chart(charts.burndown(burndown, labels=labels),
                    key=f"chart_burndown_{budget.name}")


def anomalies_section(t: Text, request: data.BedrockRequest) -> None:
    """Daily cost per application with the days far above their recent median marked, and the month-end forecast."""
    st.subheader(t("anomalies_header"))
    with st.expander(t("anomaly_rule"), icon=":material/tune:"):
        a, b, c = st.columns(3)
        factor = a.number_input(t("anomaly_factor"), min_value=0.1, step=0.5, key="anomaly_factor",
                                help=t("anomaly_factor_help"))
        window = b.number_input(t("anomaly_window"), min_value=1, max_value=60, step=1, key="anomaly_window",
                                help=t("anomaly_window_help"))
        min_cost = c.number_input(t("anomaly_min_cost"), min_value=0.0, step=1.0, format="%.2f",
                                  key="anomaly_min_cost", help=t("anomaly_min_cost_help"))
    try:
        with st.spinner(t("anomalies_loading")):
            report = data.load_anomalies(data.AnomalyRequest(request, float(factor), int(window), float(min_cost)))
    except (UsageError, SetupRequired) as exc:
        _load_error(t, exc)
        return
    st.caption(t("anomaly_method", factor=f"{report.factor:g}", window=report.window, min_cost=usd(report.min_cost)))
    period = report.period.label()
    if len(report.anomalies):
        st.warning(t("anomalies_found", count=len(report.anomalies), period=period), icon=":material/warning:")
    else:
        st.success(t("anomalies_none", period=period), icon=":material/check_circle:")
    if report.unjudged_days:
        st.caption(t("anomalies_unjudged", days=", ".join(report.unjudged_days)))
    anomaly_chart(t, report)
    anomaly_tables(t, report)
    notes = list(report.warnings)
    if report.unpriced_calls:
        notes.append(t("anomalies_unpriced", calls=number(report.unpriced_calls)))
    _warnings(t, notes)


def anomaly_chart(t: Text, report: AnomalyReport) -> None:
    """Daily cost lines per application with the anomalous days circled."""
    with st.container(border=True):
        st.markdown(f"**{t('anomalies_chart')}**")
        st.plotly_chart(charts.anomaly_lines(
            report.daily, report.anomalies, group_label=t.column("application"), value_label=t("cost_usd"),
            anomaly_label=t("anomaly_marker"), baseline_label=t("baseline_label", window=report.window),
            other_label=t("other")), key="chart_anomalies")


def anomaly_tables(t: Text, report: AnomalyReport) -> None:
    """The anomalous days, the month-end forecast and the daily costs, with CSV downloads."""
    stem = f"bedrock_anomalies_{report.period.start}_{report.period.end}"
    labels = {"group": t.column("application"), "baseline_usd": t("baseline_label", window=report.window)}
    tables = [
        (t("anomalies_table"), "anomalies", report.anomalies),
        (t("forecast_table", month=report.period.end.strftime("%Y-%m")), "forecast", report.forecast),
        (t("anomaly_daily_table"), "daily", report.daily),
    ]
    for tab, (_, name, frame) in zip(st.tabs([title for title, _, _ in tables]), tables, strict=True):
        with tab:
            data_table(t, frame, f"{stem}_{name}", key=f"anomalies_{name}", labels=labels)


def reconciliation_section(t: Text, request: data.BedrockRequest) -> None:
    """Logs against CloudWatch and Cost Explorer (Athena source only: it reads the AWS account)."""
    st.subheader(t("reconcile_header"))
    if request.source != "athena":
        st.info(t("reconcile_needs_athena"), icon=":material/cloud_off:")
        return
    rec_request = data.ReconcileRequest(request)
    period = rec_request.period()
    st.caption(t("reconcile_intro", start=period.start.isoformat(), end=period.end.isoformat()))
    left, right = st.columns([1, 3], vertical_alignment="bottom")
    threshold = left.number_input(t("reconcile_threshold"), min_value=1.0, max_value=100.0, step=1.0,
                                  format="%.0f", key="coverage_threshold", help=t("reconcile_threshold_help"))
    rec_request = data.ReconcileRequest(request, float(threshold) / 100)
    if right.button(t("reconcile_run"), key="reconcile_button", icon=":material/balance:"):
        st.session_state[RECONCILE_KEY] = rec_request
    shown: data.ReconcileRequest | None = st.session_state.get(RECONCILE_KEY)
    if shown is None:
        return
    if shown != rec_request:
        st.caption(t("reconcile_changed"))
    try:
        with st.spinner(t("reconcile_loading")):
            rec = data.load_reconciliation(shown)
    except (UsageError, SetupRequired) as exc:
        _load_error(t, exc)
        return
    show_reconciliation(t, rec)


def show_reconciliation(t: Text, rec: Reconciliation) -> None:
    """Totals, the region-days that need attention, coverage per region and day, and the detail tables."""
    st.info(t("billing_truth"), icon=":material/receipt_long:")
    s = rec.summary()
    cards = [
        ("rec_logged", number(s["logged_calls"])),
        ("rec_metered", number(s["metered_calls"])),
        ("rec_coverage", "—" if s["coverage"] is None else f"{s['coverage']:.1%}"),
        ("rec_estimated", money(s["estimated_cost_usd"])),
        ("rec_billed", money(s["billed_cost_usd"])),
    ]
    for column, (label, value) in zip(st.columns(len(cards)), cards, strict=True):
        column.metric(t(label), value, border=True)
    threshold = f"{rec.threshold:.0%}"
    flagged = rec.flagged
    if len(flagged):
        days = "; ".join(f"{r.region} {r.utc_day} ({r.status}, {r.logged_calls:,} / {r.metered_calls:,})"
                         for r in flagged.itertuples())
        st.error(t("rec_flagged", count=len(flagged), threshold=threshold, days=days), icon=":material/error:")
    else:
        st.success(t("rec_all_ok", threshold=threshold), icon=":material/check_circle:")
    table = rec.by_region_day
    if len(table):
        with st.container(border=True):
            st.markdown(f"**{t('rec_heatmap')}**")
            st.plotly_chart(charts.coverage_heatmap(table, coverage_label=t.column("coverage"),
                                                    logged_label=t.column("logged_calls"),
                                                    metered_label=t.column("metered_calls")), key="chart_coverage")
    stem = f"bedrock_reconciliation_{rec.period.start}_{rec.period.end}"
    tables = [
        (t("rec_table_region_day"), "region_day", table, table["status"].isin(FLAGGED)),
        (t("rec_table_model_day"), "model_day", rec.by_model_day, rec.by_model_day["status"].isin(FLAGGED)),
        (t("rec_table_cost"), "cost_model_day", rec.cost_by_model_day, None),
    ]
    if len(rec.unmapped_charges):
        tables.append((t("rec_table_unmapped"), "unmapped_charges", rec.unmapped_charges, None))
    for tab, (_, name, frame, flags) in zip(st.tabs([title for title, *_ in tables]), tables, strict=True):
        with tab:
            data_table(t, frame, f"{stem}_{name}", key=f"reconcile_{name}", highlight=flags)
    _warnings(t, rec.warnings)


def _warnings(t: Text, lines: list[str]) -> None:
    """A collapsed list of what may make the figures incomplete."""
    if lines:
        with st.expander(t("warnings", count=len(lines)), icon=":material/warning:"):
            st.markdown("\n".join(f"- {line}" for line in lines))


if __name__ == "__main__":
    main()
