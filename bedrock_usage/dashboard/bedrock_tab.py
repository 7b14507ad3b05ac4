"""The Bedrock tab: cards, drill-down, charts and tables of who spends what, and the logging status panel."""

from __future__ import annotations

import html
from datetime import date

import streamlit as st

from ..aws.logging_repair import blocking_statement
from ..aws.logging_setup import BEDROCK_SERVICE
from ..aws.logging_status import READER_LOG_BUCKET_GRANT, READER_POLICY_FILE, RegionLoggingStatus, refused_beyond
from ..engines.base import PAYLOAD_OBJECTS
from ..errors import SetupRequired, UsageError
from ..logs.period import Period
from ..output.files import file_part
from ..pricing import PriceFile
from ..report.priced_facts import SPLIT_UNKNOWN, TOTAL_COST
from ..report.render import row_accuracy
from ..report.tracker import UsageReport
from . import charts, data
from .drilldown import detail_view, focus_controls
from .layout import cards, pair
from .tables import data_table, download_stem, load_error, named_columns, show_warnings
from .text import Text, change, compact, compact_usd, number, plain


def logging_panel(t: Text, regions: tuple[str, ...] | None, profile: str) -> None:
    """Per-region Model Invocation Logging status, and the command that fixes what is missing (Athena only);
    ``None``: every region whose logging delivers to S3."""
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
            load_error(t, exc)
            return
        if not statuses:
            st.warning(t("logging_nowhere"))
        for check in statuses:
            (st.success if check.status.verdict == "ok" else st.warning)(logging_line(t, check))
            for note in logging_notes(t, check.status):
                st.info(note)


def logging_line(t: Text, check: data.RegionCheck) -> str:
    """What the panel says of one region. A region healthy as far as read but with a read refused (``unchecked``)
    names what could not be read and the policy that grants it, never a setup command: nothing shows one is needed;
    nor does one whose bucket policy holds someone's Deny of Bedrock's writes, which only its owner can change,
    nor one whose only fault is the bucket's key, which setup does not change (the problem says what to set). Reads
    refused of a team's bucket, whose name the reader policy does not cover, name the statements to add."""
    status = check.status
    key = f"logging_{status.verdict}"
    if status.unchecked:
        key = "logging_unchecked" if status.bedrock_can_write is not None else "logging_unconfirmed"
    elif status.verdict == "problems" and status.destination_sound:  # only the AWS managed key: setup keeps keys
        key = "logging_key"
    statement = blocking_statement(status)
    if statement:  # someone's Deny: no setup command lifts it
        key = "logging_denied"
    newest = status.newest_log.last_modified.strftime("%Y-%m-%d %H:%M UTC") if status.newest_log else ""
    beyond = refused_beyond(status, READER_LOG_BUCKET_GRANT, "the check")
    reads = plain(t.notice(beyond)) if beyond else t("logging_reads", policy=plain(READER_POLICY_FILE))
    return t(key, region=status.region, bucket=plain(status.bucket or ""), newest=newest,
             error=plain(t.notice(status.error)) if status.error else "", problems=logging_problems(t, status),
             command=check.command, reads=reads,
             service=BEDROCK_SERVICE, folder=status.log_folder(check.account), statement=plain(statement or ""))


def logging_problems(t: Text, status: RegionLoggingStatus) -> str:
    """A region's problems, each in the page's language (the check's ``Notice``), as one text shown as written (an
    ARN's ``*``, a prefix's ``_``: ``plain``)."""
    return "; ".join(plain(t.notice(problem)) for problem in status.problems)


def logging_notes(t: Text, status: RegionLoggingStatus) -> list[str]:
    """What the panel notes of a region beside its status: the days a lifecycle rule of the bucket may have deleted,
    then archived, or why the rules could not be read, in the page's language."""
    return [plain(t.notice(note)) for note in (status.expiry_note, status.archive_note) if note]


def show_bedrock(t: Text, request: data.BedrockRequest | None) -> None:
    """The Bedrock tab for the last analysed request (served from the cache on re-renders)."""
    if request is None:
        st.info(t("press_analyze"))
        return
    try:
        with st.spinner(t("loading")):
            whole = data.load_bedrock(request)
            previous = whole.previous_period.label()
            if whole.previous_through is not None:
                previous += t("previous_through", end=whole.previous_period.end.isoformat(),
                              hour=whole.previous_through)
            st.caption(t("scope_line", period=whole.report.period.label(), regions=", ".join(whole.report.regions),
                         previous=previous))
            if request.models:
                st.caption(t("models_line", models=", ".join(map(plain, request.models))))
            focus = focus_controls(t, whole.focus_choices)
            view = data.load_bedrock(request, focus) if focus else whole
    except (UsageError, SetupRequired) as exc:
        load_error(t, exc)
        return
    report, summary = view.report, view.report.summary
    metric_row(t, summary, view.previous, report.price_file)
    note = previous_note(t, view.previous["calls"], view.previous_first_call, view.previous_period)
    if note:
        st.caption(note)
    st.caption(cost_note(t, report))
    show_warnings(t, report.warnings)
    if not summary["calls"]:
        st.info(no_calls_line(t, report))
        return
    if focus:
        detail_view(t, focus, view)
    bedrock_charts(t, view, request, drillable=focus is None)
    bedrock_tables(t, view, request, filtered=bool(focus) or request.filtered)
    st.caption(scan_line(t, report, view.query_cost_usd))


def scan_line(t: Text, report: UsageReport, query_cost_usd: float | None) -> str:
    """What the read took in: objects, bytes and engine, the body objects under /data/ left unread (as the CLI's Read
    line counts them) and the Athena queries' cost when there was one."""
    stats = report.stats
    scan = t("scan_line", objects=number(stats.objects_read), megabytes=f"{stats.bytes_read / 1e6:,.1f}",
             engine=t.log_source(report.source))
    payloads = stats.skipped_objects.get(PAYLOAD_OBJECTS, 0)
    if payloads:
        scan += " " + t("scan_payloads", count=number(payloads))
    if query_cost_usd:
        scan += " " + t("scan_cost", cost=f"${query_cost_usd:,.4f}")
    return scan


def no_calls_line(t: Text, report: UsageReport) -> str:
    """What the tab says of a scope without calls: regions asked for without logs are unknown, not zero."""
    missing = report.stats.regions_without_logs
    if not missing:
        return t("no_calls")
    read = [region for region in report.regions if region not in missing]
    return t("no_calls_unknown", read=plain(", ".join(read)), missing=plain(", ".join(sorted(missing))))


def previous_note(t: Text, calls: float, first: date | None, before: Period) -> str | None:
    """Why the changes are missing or compare unlike periods: the previous period (``before``) has no calls to
    compare with (``calls``), or none before its ``first`` day with a call (logging began then); else None."""
    if not calls:
        return t("previous_none")
    if first is not None and first > before.start:
        return t("previous_gap", first=first.isoformat(), days=(first - before.start).days, of=before.days)
    return None


Card = tuple[str, str, str | None, str, str]  # (label, value, change, colour, help) of one metric card


def card_items(t: Text, summary: dict, previous: dict, price_file: PriceFile | None = None) -> list[Card]:
    """Each card as (label, value, change, colour, help); the cost card as ``cost_card`` says (at ``price_file``'s
    prices where its rows priced calls)."""
    items = []
    for label, name in data.CARDS:
        value, was = summary[name], previous[name]
        if name == TOTAL_COST:
            items.append(cost_card(t, label, summary, previous, price_file))
        else:
            items.append((t(label), compact(value), change(value, was), "off", t(f"{label}_help", exact=number(value))))
    return items


def cost_card(t: Text, label: str, summary: dict, previous: dict, price_file: PriceFile | None = None) -> Card:
    """The cost card: ``unpriced`` when no call has a price (never $0.00), the priced part marked when some have
    none, and no change when either period has calls without a price (a priced part is not the period's cost, so a
    change would read unpriced calls as a rise or a drop in spend)."""
    value = summary[TOTAL_COST]
    if data.all_unpriced(summary):
        return t(label), t("cost_unpriced"), None, "inverse", t("cost_unpriced_help")
    prices = t.prices(price_file, goes_on=True)
    shown, help_text = compact_usd(value), t(f"{label}_help", exact=f"${value:,.4f}", prices=prices)
    if summary["unpriced_calls"]:
        shown = t("cost_partial", amount=shown)
    if summary["unpriced_calls"] or previous["unpriced_calls"]:
        return t(label), shown, None, "inverse", f"{help_text} {t('cost_no_change')}"
    return t(label), shown, change(value, previous[TOTAL_COST]), "inverse", help_text


def cost_note(t: Text, report: UsageReport) -> str:
    """The note under the cards: what is exact and what is estimated, in the words of the CLI's cost note
    (``report.tracker.cost_note``: with the priced calls whose cache writes went at the 5-minute rate for want of their
    split), and how many calls have no price."""
    split = t.split_unknown(int(report.summary.get(SPLIT_UNKNOWN[0], 0)))
    notes = [t("accuracy_note", prices=t.prices(report.price_file, "book_prices", goes_on=True), split=split)]
    if report.summary["unpriced_calls"]:
        notes.append(t("unpriced_note", calls=number(report.summary["unpriced_calls"])))
    return " ".join(notes)


def metric_row(t: Text, summary: dict, previous: dict, price_file: PriceFile | None) -> None:
    """Cost, calls and tokens, each with its change against the previous period (exact figures on hover)."""
    with cards("bedrock"):
        for label, value, delta, color, help_text in card_items(t, summary, previous, price_file):
            st.metric(label, value, delta, delta_color=color, border=True, help=help_text)
    st.caption(t("who_line", users=number(summary["users"]), applications=number(summary["applications"]),
                 models=number(summary["models"]), errors=number(summary["errors"])))


def _drill_from_chart(by: str) -> None:
    """A click on a bar of the top chart drills into that user or application."""
    points = st.session_state["chart_top"].selection.points
    if points:
        st.session_state["focus_by"], st.session_state["focus"] = by, html.unescape(str(points[0]["y"]))


def bedrock_charts(t: Text, view: data.BedrockView, request: data.BedrockRequest, drillable: bool) -> None:
    """Who spends, on which models, when and where."""
    report = view.report
    partial = {"partial": view.partial_days, "partial_labels": t.partial_labels()}
    group_label = _group_label(t, request)
    group = named_columns(t, view.top, request.group_column)
    marks = t.unpriced_marks()
    if report.summary["unpriced_calls"]:
        st.caption(t("chart_priced_only"))
    top, models = pair("top")
    with top:
        st.markdown(f"**{t('chart_top', group=group_label)}**")
        clickable = drillable and request.group_by in data.FOCUS_BY
        if clickable:
            st.caption(t("chart_top_click"))
        st.plotly_chart(charts.top_bar(group, request.group_column, TOTAL_COST, value_label=t("cost_usd"),
                                       unpriced_marks=marks),
                        key="chart_top", selection_mode="points",
                        on_select=(lambda: _drill_from_chart(request.group_by)) if clickable else "ignore")
    with models:
        st.markdown(f"**{t('chart_models')}**")
        if data.all_unpriced(report.summary):
            st.caption(t("cost_unpriced_help"))
        else:
            st.plotly_chart(charts.share_donut(report.tables["model"], "model", TOTAL_COST, other_label=t("other"),
                                               value_label=t("cost_usd")), key="chart_models")

    with st.container(border=True):
        head, choice = st.columns([3, 2])
        head.markdown(f"**{t('chart_daily')}**")
        stack = choice.radio(t("stack_by"), data.STACK_BY, key="stack_by", horizontal=True,
                             format_func=lambda k: t(f"group_{k}"))
        daily = view.daily_by[stack]
        days = report.period.all_days()
        cost_panel, token_panel = pair("daily", even=True, border=False)
        cost_panel.caption(t("daily_cost"))
        cost_panel.plotly_chart(charts.stacked_daily(
            daily, stack, TOTAL_COST, days, value_label=t("cost_usd"),
            other_label=t("other"), money=True, unpriced_marks=marks, **partial), key="chart_daily_cost")
        token_panel.caption(t("daily_tokens"))
        token_panel.plotly_chart(charts.stacked_daily(
            daily, stack, "tokens", days, value_label=t("tokens"),
            other_label=t("other"), money=False, rank_by=TOTAL_COST, **partial), key="chart_daily_tokens")

    lines, unit_cost = pair("trend")
    with lines:
        spend_over_time(t, view, partial)
    with unit_cost:
        st.markdown(f"**{t('chart_cost_per_1k')}**")
        st.caption(t("chart_cost_per_1k_note"))
        st.plotly_chart(charts.top_bar(view.cost_per_1k, "model", "cost_per_1k_calls_usd", value_label=t("cost_per_1k"),
                                       height=330), key="chart_cost_per_1k")

    heat, regions = pair("when_where")
    with heat:
        st.markdown(f"**{t('chart_heatmap')}**")
        st.plotly_chart(charts.weekday_hour_heatmap(
            report.tables["weekday-hour"], TOTAL_COST, weekday_labels=t.weekdays(), value_label=t("cost_usd"),
            hour_label=t("hour_axis", tz=report.period.tz), unpriced_marks=marks), key="chart_heatmap")
    with regions:
        st.markdown(f"**{t('chart_regions')}**")
        st.plotly_chart(charts.top_bar(report.tables["region"], "source_region", TOTAL_COST,
                                       value_label=t("cost_usd"), height=330, unpriced_marks=marks),
                        key="chart_regions")


def spend_over_time(t: Text, view: data.BedrockView, partial: dict) -> None:
    """Daily cost of the top N users or applications, one line each."""
    st.markdown(f"**{t('chart_lines')}**")
    by_column, n_column = st.columns([3, 1], vertical_alignment="bottom")
    by = by_column.radio(t("lines_by"), data.LINES_BY, key="lines_by", horizontal=True,
                         format_func=lambda k: t(f"group_{k}"))
    n = int(n_column.number_input(t("top_n"), min_value=1, max_value=20, step=1, key="top_n"))
    daily = view.daily_by[by]
    st.plotly_chart(charts.top_lines(daily, by, TOTAL_COST, view.report.period.all_days(), value_label=t("cost_usd"),
                                     n=n, unpriced_marks=t.unpriced_marks(), **partial), key="chart_lines")
    shown = min(n, daily[by].nunique())
    st.caption(t("lines_note", shown=shown, total=daily[by].nunique(), group=t(f"group_{by}").lower()))


def bedrock_tables(t: Text, view: data.BedrockView, request: data.BedrockRequest, filtered: bool = False) -> None:
    """Every table behind the charts, each with a CSV download whose rows end with the period and the accuracy
    columns of the CLI's CSV files (``row_accuracy``); the files of a ``filtered`` view (a drill-down, models,
    an ARN or user pattern) are named ``bedrock_filtered_...``, never like the whole scope's."""
    report = view.report
    stem = download_stem("bedrock_filtered" if filtered else "bedrock", report.period)
    group_name = request.group_by if request.group_by != "tag" else f"tag_{file_part(request.tag_key, '_')}"
    tables = [
        (t("table_group", group=_group_label(t, request)), group_name, view.group),
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
            # a missing tag reads "(none)" on the page, as in the CLI's tables; the file has it empty, as its file does
            shown = named_columns(t, frame, request.group_column) if name == group_name else None
            data_table(t, frame, f"{stem}_{name}", key=f"bedrock_{name}", period=report.period, shown=shown,
                       end=row_accuracy(report, name))


def _group_label(t: Text, request: data.BedrockRequest) -> str:
    return plain(request.tag_key) if request.group_by == "tag" else t(f"group_{request.group_by}")

