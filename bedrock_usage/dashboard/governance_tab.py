"""The Governance tab: budgets and burn-down, cost anomalies, reconciliation with AWS billing and per caller."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import pandas as pd
import streamlit as st

from ..errors import SetupRequired, UsageError
from ..governance.anomalies import AnomalyReport
from ..governance.budgets import ALL_SPEND, BudgetStatus
from ..governance.callers import STATUS_BILLED_ONLY, CallerReconciliation
from ..governance.reconcile import BATCH_BILLED, FLAGGED, Reconciliation
from ..governance.render import anomaly_ends, budget_ends, models_below, money, reconciliation_ends
from ..logs.regions import ALL
from . import charts, data
from .budget_editor import budget_editor
from .layout import cards, tiles
from .session import RECONCILE_KEY
from .tables import data_table, download_stem, load_error, show_warnings
from .text import Text, compact, compact_usd, number, percent, plain, usd

CALLERS_KEY = "callers_request"
Request = TypeVar("Request")
Result = TypeVar("Result")
BILL_SOURCES = ("cur_dir", "cur_athena", "cost_explorer")


def show_governance(t: Text, request: data.BedrockRequest | None) -> None:
    """Budgets, anomalies and reconciliation for the analysed scope, as the CLI's governance modes compute them."""
    if request is None:
        st.info(t("press_analyze"))
        return
    st.caption(t("gov_scope_line", regions=", ".join(t("regions_all") if r == ALL else r for r in request.regions)))
    if request.models:
        st.caption(t("models_line", models=", ".join(map(plain, request.models))))
    request = data.governance_scope(request)
    budgets_section(t, request)
    st.divider()
    anomalies_section(t, request)
    st.divider()
    reconciliation_section(t, request)
    st.divider()
    callers_section(t, request)


def _budgets_path(t: Text, source: str) -> str:
    """The budgets file to check: the example in demo mode when ticked, else the path typed in."""
    use_example = source == "demo" and st.checkbox(t("budgets_use_example"), key="use_example_budgets")
    typed = st.text_input(t("budgets_path"), key="budgets_path", placeholder="budgets.toml",
                          help=t("budgets_path_help"), disabled=use_example)
    return str(data.EXAMPLE_BUDGETS) if use_example else typed.strip()


def budgets_section(t: Text, request: data.BedrockRequest) -> None:
    """Each budget's month so far, its burn-down and forecast, and the breaches."""
    st.subheader(t("budgets_header"))
    path = _budgets_path(t, request.source)
    if not path:
        st.info(t("budgets_need_file"))
        budget_editor(t, [], "")
        return
    try:
        with st.spinner(t("budgets_loading")):
            view = data.load_budgets_view(data.budgets_request(request, path))
    except (UsageError, SetupRequired) as exc:
        load_error(t, exc)
        budget_editor(t, [], path)
        return
    check = view.check
    st.caption(t("budgets_scope", as_of=check.as_of.isoformat(), tz=check.tz,
                 month_start=check.as_of.replace(day=1).isoformat(), prices=t.prices(check.price_file)))
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
    with tiles("budgets"):
        for status in statuses:
            with st.container(border=True):
                budget_card(t, status, view.burndown.loc[view.burndown["budget"] == status.budget.name])
    days = check.basis.days
    span = f"{days[0]} .. {days[-1]}" if days else "-"
    st.caption(t("forecast_method_today" if check.in_progress else "forecast_method", days=len(days), span=span))
    month = check.month
    stem = download_stem("bedrock_budgets", month)
    ends = budget_ends(check)  # the CLI's files' filters and accuracy columns
    status_tab, burndown_tab = st.tabs([t("budgets_table"), t("burndown_table")])
    with status_tab:
        data_table(t, view.statuses, f"{stem}_status", key="budgets_status", period=month,
                   highlight=view.statuses["status"] != "ok", shown=shown_statuses(t, view.statuses),
                   end=ends["status"])
    with burndown_tab:
        data_table(t, view.burndown, f"{stem}_burndown", key="budgets_burndown", period=month, end=ends["burndown"])
    read = check.read
    show_warnings(t, check.all_warnings(t("budgets_days_read", start=read.start, end=read.end, tz=read.tz)))
    budget_editor(t, [s.budget for s in statuses], path)


def shown_statuses(t: Text, statuses: pd.DataFrame) -> pd.DataFrame:
    """The budgets' status rows as the page shows them: the share of the monthly amount used as the cards (and the
    CLI) print it, one decimal (``percent``), where the table's percent format printed two; the status in the cards'
    words and language (on track, forecast over, breached), where the CSV keeps the CLI's ``ok`` and ``BREACHED``;
    an all-spend budget's cover in the cards' words too (the others are the file's words)."""
    words = [t(state_key(status != "ok", over))
             for status, over in zip(statuses["status"], statuses["forecast_over"], strict=True)]
    return statuses.assign(monthly_share=statuses["monthly_share"].map(percent),
                           status=pd.Series(words, index=statuses.index, dtype="object"),
                           covers=statuses["covers"].replace(ALL_SPEND, t("budget_all_spend")))


def state_key(breached: bool, forecast_over: bool) -> str:
    """The text key of a budget's state, as its card and the status table word it."""
    return "budget_status_breached" if breached else "budget_status_forecast" if forecast_over else "budget_status_ok"


STATE_BADGES = {"budget_status_breached": ("red", "error"), "budget_status_forecast": ("orange", "trending_up"),
                "budget_status_ok": ("green", "check")}  # a card's badge: colour and icon


def budget_card(t: Text, status: BudgetStatus, burndown: pd.DataFrame) -> None:
    """One budget: its name and state, month to date against the amount, and the burn-down chart."""
    budget = status.budget
    key = state_key(bool(status.breaches), status.forecast_over)
    colour, icon = STATE_BADGES[key]
    badge = f":{colour}-badge[:material/{icon}: {t(key)}]"
    st.markdown(f"**{budget.name}** {badge}")
    if budget.monthly_usd:
        spent = t("budget_spent_of", spent=usd(status.month_to_date_usd), monthly=usd(budget.monthly_usd),
                  share=percent(status.monthly_share))  # as the CLI and the status table
    else:
        spent = t("budget_spent", spent=usd(status.month_to_date_usd))
    day = (t("budget_day_of", day=usd(status.day_usd), daily=usd(budget.daily_usd)) if budget.daily_usd
           else t("budget_day", day=usd(status.day_usd)))
    covers = t("budget_all_spend") if budget.scope == "all" else budget.covers  # the others are the file's words
    st.caption(f"`{covers}`  \n{spent} · {day} · {t('budget_forecast', forecast=usd(status.forecast_usd))}")
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
            loaded = data.load_anomalies(data.AnomalyRequest(request, float(factor), int(window), float(min_cost)))
    except (UsageError, SetupRequired) as exc:
        load_error(t, exc)
        return
    report = loaded.report
    st.caption(t("anomaly_method", factor=f"{report.factor:g}", window=report.window, min_cost=usd(report.min_cost)))
    period = report.period.label()
    if len(report.anomalies):
        st.warning(t("anomalies_found", count=len(report.anomalies), period=period), icon=":material/warning:")
    else:
        st.success(t("anomalies_none", period=period), icon=":material/check_circle:")
    if report.unjudged_days:
        st.caption(t("anomalies_unjudged", days=", ".join(report.unjudged_days)))
    anomaly_chart(t, report, loaded.partial_days)
    anomaly_tables(t, report)
    unpriced = [t("anomalies_unpriced", calls=number(report.unpriced_calls))] if report.unpriced_calls else []
    read = report.read
    show_warnings(t, report.all_warnings(t("anomalies_days_read", start=read.start, end=read.end, tz=read.tz),
                                         unpriced))


def anomaly_chart(t: Text, report: AnomalyReport, partial: dict[str, str]) -> None:
    """Daily cost lines per application with the anomalous days circled and the partial days marked."""
    with st.container(border=True):
        st.markdown(f"**{t('anomalies_chart')}**")
        st.plotly_chart(charts.anomaly_lines(
            report.daily, report.anomalies, value_label=t("cost_usd"),
            anomaly_label=t("anomaly_marker"), baseline_label=t("baseline_label", window=report.window),
            other_label=t("other"), partial=partial, partial_labels=t.partial_labels(),
            period_days=report.period.all_days()), key="chart_anomalies")


def anomaly_tables(t: Text, report: AnomalyReport) -> None:
    """The anomalous days, the month-end forecast and the daily costs, with CSV downloads."""
    stem = download_stem("bedrock_anomalies", report.period)
    labels = {"group": t.column("application"), "baseline_usd": t("baseline_label", window=report.window)}
    tables = [
        (t("anomalies_table"), "anomalies", report.anomalies),
        (t("forecast_table", month=report.period.end.strftime("%Y-%m")), "forecast", report.forecast),
        (t("anomaly_daily_table"), "daily", report.daily),
    ]
    ends = anomaly_ends(report)  # the CLI's files' filters and accuracy columns
    for tab, (_, name, frame) in zip(st.tabs([title for title, _, _ in tables]), tables, strict=True):
        with tab:
            data_table(t, frame, f"{stem}_{name}", key=f"anomalies_{name}", period=report.period, labels=labels,
                       end=ends[name])


def reconciliation_section(t: Text, request: data.BedrockRequest) -> None:
    """Logs against CloudWatch and Cost Explorer (Athena source only: it reads the AWS account)."""
    st.subheader(t("reconcile_header"))
    if request.source != "athena":
        st.info(t("reconcile_needs_athena"), icon=":material/cloud_off:")
        return
    try:
        period = data.ReconcileRequest(request).period()
    except UsageError as exc:  # a day east of UTC can be today there and tomorrow as a UTC day
        load_error(t, exc)
        return
    st.caption(t("reconcile_intro", start=period.start.isoformat(), end=period.end.isoformat()))
    left, right = st.columns([1, 3], vertical_alignment="bottom")
    threshold = left.number_input(t("reconcile_threshold"), min_value=1.0, max_value=100.0, step=1.0,
                                  format="%.0f", key="coverage_threshold", help=t("reconcile_threshold_help"))
    rec_request = data.ReconcileRequest(request, float(threshold) / 100)
    asked = right.button(t("reconcile_run"), key="reconcile_button", icon=":material/balance:")
    rec = last_asked(t, "reconcile", asked, RECONCILE_KEY, rec_request, data.load_reconciliation)
    if rec is not None:
        show_reconciliation(t, rec)


def last_asked(t: Text, name: str, asked: bool, key: str, request: Request, load: Callable[[Request], Result]
               ) -> Result | None:
    """The result of the request last asked for with a button (``asked`` on this run): remembered across reruns
    under ``key``, noted as older when the controls changed since, loaded under a spinner; None when never asked or
    when loading failed (the error is shown). ``name`` prefixes the ``_changed`` and ``_loading`` texts."""
    if asked:
        st.session_state[key] = request
    shown = st.session_state.get(key)
    if shown is None:
        return None
    if shown != request:
        st.caption(t(f"{name}_changed"))
    try:
        with st.spinner(t(f"{name}_loading")):
            return load(shown)
    except (UsageError, SetupRequired) as exc:
        load_error(t, exc)
        return None


Card = tuple[str, str, str | None]  # (label, value, help) of one metric card


def amount_card(t: Text, label: str, amount: float | None) -> Card:
    """A card of one amount: short on the card, exact in its help."""
    return t(label), compact_usd(amount), money(amount)


def apart_card(t: Text, label: str, amount: float | None) -> list[Card]:
    """A part of the bill kept apart from the comparison (batch inference, regions not read), with why in its help;
    none without any."""
    if not amount:
        return []
    return [(t(label), compact_usd(amount), f"{money(amount)} {t(f'{label}_help')}")]


def estimate_card(t: Text, label: str, estimated: float | None, unpriced: int) -> Card:
    """The logs' estimate: ``unpriced`` when no logged call has a price (never $0.00), the priced part marked when
    ``unpriced`` calls have none, its help counting them."""
    if unpriced and estimated is None:
        return t(label), t("cost_unpriced"), t("cost_unpriced_help")
    if unpriced:
        return (t(label), t("cost_partial", amount=compact_usd(estimated)),
                f"{money(estimated)} {t('estimate_partial_help', calls=number(unpriced))}")
    return amount_card(t, label, estimated)


def show_reconciliation(t: Text, rec: Reconciliation) -> None:
    """Totals, the region-days that need attention, coverage per region and day, and the detail tables."""
    st.info(t("billing_truth", prices=t.prices(rec.price_file)), icon=":material/receipt_long:")
    with cards("reconcile"):
        for label, value, help_text in reconciliation_cards(t, rec):
            st.metric(label, value, border=True, help=help_text)
    threshold = f"{rec.threshold:.0%}"
    flagged = rec.flagged
    if len(flagged):
        st.error(t("rec_flagged", count=len(flagged), threshold=threshold, days=flagged_days(t, rec)),
                 icon=":material/error:")
    else:
        st.success(t("rec_all_ok", threshold=threshold), icon=":material/check_circle:")
    table = rec.by_region_day
    if len(table):
        with st.container(border=True):
            st.markdown(f"**{t('rec_heatmap')}**")
            st.plotly_chart(charts.coverage_heatmap(table, coverage_label=t.column("coverage"),
                                                    logged_label=t.column("logged_calls"),
                                                    metered_label=t.column("metered_calls")), key="chart_coverage")
    stem = download_stem("bedrock_reconciliation", rec.period)
    tables = [
        (t("rec_table_region_day"), "region_day", table, table["status"].isin(FLAGGED)),
        (t("rec_table_model_day"), "model_day", rec.by_model_day, rec.by_model_day["status"].isin(FLAGGED)),
        (t("rec_table_cost"), "cost_model_day", rec.cost_by_model_day, None),
    ]
    if len(rec.unmapped_charges):
        tables.append((t("rec_table_unmapped"), "unmapped_charges", rec.unmapped_charges, None))
    ends = reconciliation_ends(rec)  # the CLI's files' accuracy columns
    for tab, (_, name, frame, flags) in zip(st.tabs([title for title, *_ in tables]), tables, strict=True):
        with tab:
            data_table(t, frame, f"{stem}_{name}", key=f"reconcile_{name}", period=rec.period, highlight=flags,
                       end=ends[name])
    show_warnings(t, rec.warnings)


def reconciliation_cards(t: Text, rec: Reconciliation) -> list[Card]:
    """Logged and metered calls, coverage, and the estimate (marked as its priced part when some logged calls have no
    price) beside the bill and the batch inference in it, as the command line's header gives them."""
    s = rec.summary()
    unpriced = int(rec.by_region_day["unpriced_calls"].sum())
    return [(t("rec_logged"), compact(s["logged_calls"]), number(s["logged_calls"])),
            (t("rec_metered"), compact(s["metered_calls"]), number(s["metered_calls"])),
            (t("rec_coverage"), percent(s["coverage"]), None),
            estimate_card(t, "rec_estimated", s["estimated_cost_usd"], unpriced),
            amount_card(t, "rec_billed", s["billed_cost_usd"]), *apart_card(t, "rec_batch", s[BATCH_BILLED])]


def flagged_days(t: Text, rec: Reconciliation) -> str:
    """The region-days whose logs are missing or below the threshold, each naming its models below the threshold
    when its own coverage is not (as the command line's attention lines do)."""
    return "; ".join(f"{r.region} {r.utc_day} ({r.status}, {r.logged_calls:,} / {r.metered_calls:,}"
                     f"{_models_below(t, rec, r)})" for r in rec.flagged.itertuples())


def _models_below(t: Text, rec: Reconciliation, day: object) -> str:
    below = models_below(rec, day)
    if below.empty:
        return ""
    return t("rec_models_below", models=", ".join(
        f"{plain(m.model_key)} {m.logged_calls:,} / {m.metered_calls:,}" for m in below.itertuples()))


def callers_section(t: Text, request: data.BedrockRequest) -> None:
    """The bill per caller (CUR 2.0 export or Cost Explorer's IAM principal tags) beside the logs' estimate."""
    st.subheader(t("callers_header"))
    if request.source == "demo":
        st.info(t("callers_needs_logs"), icon=":material/cloud_off:")
        return
    st.caption(t("callers_intro"))
    kind = st.radio(t("callers_source"), BILL_SOURCES, key="callers_source", horizontal=True,
                    format_func=lambda value: t(f"callers_source_{value}"))
    left, right = st.columns(2)
    fields: dict[str, str] = {}
    if kind == "cur_dir":
        fields["cur_dir"] = left.text_input(t("callers_cur_dir"), key="callers_cur_dir", help=t("callers_cur_dir_help"),
                                            placeholder="./cur/bedrock-usage-cur2").strip()
    elif kind == "cur_athena":
        fields["cur_region"] = left.text_input(t("callers_cur_region"), value="us-east-1", key="callers_cur_region",
                                               help=t("callers_cur_region_help")).strip()
    else:
        fields["ce_tag"] = left.text_input(t("callers_ce_tag"), key="callers_ce_tag", placeholder="iamPrincipal/user",
                                           help=t("callers_ce_tag_help")).strip()
        fields["ce_names"] = left.selectbox(t("callers_ce_names"), ("user", "application"), key="callers_ce_names",
                                            format_func=t.column)
    fields["account"] = right.text_input(t("callers_account"), key="callers_account",
                                         help=t("callers_account_help")).strip()
    caller_request = data.CallerRequest(request, **fields)
    asked = st.button(t("callers_run"), key="callers_button", icon=":material/person_search:")
    result = last_asked(t, "callers", asked, CALLERS_KEY, caller_request, data.load_callers)
    if result is not None:
        show_callers(t, result)


def show_callers(t: Text, rec: CallerReconciliation) -> None:
    """Totals, the callers only one side names, and the tables per caller, model, day and month."""
    st.info(t("callers_truth", source=rec.source, prices=t.prices(rec.price_file)), icon=":material/receipt_long:")
    with cards("callers"):
        for label, value, help_text in caller_cards(t, rec):
            st.metric(label, value, border=True, help=help_text)
    missing = rec.billed_without_logs
    if len(missing):
        names = ", ".join(plain(_caller(rec, row)) for _, row in missing.iterrows())
        st.error(t("callers_missing", count=len(missing), names=names), icon=":material/error:")
    else:
        st.success(t("callers_all_logged"), icon=":material/check_circle:")
    unbilled = rec.logged_without_bill
    if len(unbilled):
        names = ", ".join(plain(_caller(rec, row)) for _, row in unbilled.iterrows())
        st.warning(t("callers_unbilled", count=len(unbilled), names=names), icon=":material/receipt:")
    stem = download_stem("bedrock_callers", rec.period)
    labels = {"billed_cost_usd": t("callers_billed"), "estimated_cost_usd": t("callers_estimated"),
              "difference_usd": t("callers_difference")}
    flagged = STATUS_BILLED_ONLY
    tables = [
        (t("callers_table_caller"), "caller", rec.by_caller, rec.by_caller["status"] == flagged),
        (t("callers_table_model"), "caller_model", rec.by_caller_model, rec.by_caller_model["status"] == flagged),
        (t("callers_table_day"), "caller_day", rec.by_caller_day, rec.by_caller_day["status"] == flagged),
        (t("callers_table_month"), "caller_month", rec.by_month, None),
    ]
    if len(rec.unattributed):
        tables.append((t("callers_table_unattributed"), "unattributed", rec.unattributed, None))
    if len(rec.batch):
        tables.append((t("callers_table_batch"), "batch", rec.batch, None))
    if len(rec.outside_regions):
        tables.append((t("callers_table_outside"), "outside_regions", rec.outside_regions, None))
    ends = reconciliation_ends(None, rec)  # the CLI's files' accuracy columns
    notes = {"caller_month": t("callers_month_note"), "batch": t("callers_batch_note")}
    for tab, (_, name, frame, flags) in zip(st.tabs([title for title, *_ in tables]), tables, strict=True):
        with tab:
            if name in notes:
                st.caption(notes[name])
            data_table(t, frame, f"{stem}_{name}", key=f"callers_{name}", period=rec.period, labels=labels,
                       highlight=flags, end=ends[name])
    show_warnings(t, rec.warnings)


def caller_cards(t: Text, rec: CallerReconciliation) -> list[Card]:
    """Billed, estimated, their difference, the bill naming no principal, batch inference's of the regions read and
    the whole bill of the regions not read (``MONTH_NOTE``'s rule). With calls without a price the estimate is the
    priced part and the difference is not shown: it would read those calls as a gap in the bill."""
    s = rec.summary()
    unpriced = int(s["unpriced_calls"] or 0)
    difference = (amount_card(t, "callers_difference", s["difference_usd"]) if not unpriced else
                  (t("callers_difference"), "—", t("callers_difference_unpriced", calls=number(unpriced))))
    return [amount_card(t, "callers_billed", s["billed_cost_usd"]),
            estimate_card(t, "callers_estimated", s["estimated_cost_usd"], unpriced), difference,
            amount_card(t, "callers_unattributed", s["unattributed_billed_usd"]),
            *apart_card(t, "callers_batch", s[BATCH_BILLED]),
            *apart_card(t, "callers_unread", s["billed_outside_regions_usd"])]


def _caller(rec: CallerReconciliation, row: pd.Series) -> str:
    return " / ".join(dict.fromkeys(str(row[key]) for key in rec.keys if key in ("user", "application")))
