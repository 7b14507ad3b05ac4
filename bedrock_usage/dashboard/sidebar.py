"""The sidebar: data source, period, regions, filters and language; it returns the requests they describe."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import available_timezones

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from ..engines.choice import SOURCES
from ..errors import SetupRequired, UsageError
from ..logs.period import ATHENA_UNKNOWN_ZONES, today_in
from ..logs.regions import ALL, REGION_NAMES, other_partition, partition_clauses
from . import data
from .bedrock_tab import logging_panel
from .session import LINK_IGNORED_KEY, keep_translated_choices
from .text import LANGUAGES, Text, plain
from .url_state import left_out_regions

ZONES = ["UTC", *sorted(z for z in available_timezones() - ATHENA_UNKNOWN_ZONES
                        if "/" in z and not z.startswith(("Etc/", "SystemV/")))]


@dataclass
class SidebarChoice:
    """What the sidebar describes: both requests, a problem to fix before analysing, whether Analyze was clicked,
    and the place of the model filter (drawn once the analysed models are known)."""

    bedrock: data.BedrockRequest
    qdev: data.QDevRequest
    problem: str | None
    clicked: bool
    model_slot: DeltaGenerator


def sidebar(t: Text) -> SidebarChoice:
    """The sidebar widgets and the requests they describe."""
    st.radio(t("language"), list(LANGUAGES), key="lang", format_func=LANGUAGES.get, horizontal=True,
             on_change=keep_translated_choices)

    st.subheader(t("data_source"))
    source = st.radio(t("data_source"), SOURCES, key="source", format_func=lambda s: t(f"source_{s}"),
                      label_visibility="collapsed")
    logs_dir = profile = workgroup = q_bucket = q_prefix = q_dir = q_user_map = ""
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
            q_user_map = st.text_input(t("q_user_map"), key="q_user_map", help=t("q_user_map_help"))

    st.subheader(t("period"))
    dates = st.date_input(t("date_range"), key="dates", format="YYYY-MM-DD")
    zone = st.session_state.get("tz", "UTC")
    tz = st.selectbox(t("timezone"), ZONES if zone in ZONES else [zone, *ZONES], key="tz")

    st.subheader(t("scope"))
    regions = st.multiselect(t("regions"), [ALL, *REGION_NAMES], key="regions", on_change=_all_stands_alone,
                             format_func=lambda r: t("regions_all") if r == ALL else r, help=t("regions_help"))
    arn_pattern = st.text_input(t("arn_filter"), key="arn_pattern", help=t("arn_filter_help"))
    user_pattern = st.text_input(t("user_filter"), key="user_pattern", help=t("user_filter_help"))
    model_slot = st.empty()
    group_by = st.radio(t("group_by"), data.GROUP_BY, key="group_by", format_func=lambda g: t(f"group_{g}"),
                        horizontal=True)
    tag_key = ""
    if group_by == "tag":
        tag_key = st.text_input(t("tag_key"), key="tag_key", placeholder="cost_center", help=t("tag_key_help"))

    clicked = st.button(t("analyze"), type="primary", key="analyze", width="stretch")
    if source == "athena":
        logging_panel(t, None if ALL in regions or not regions else tuple(regions), profile.strip())

    start, end = (dates[0], dates[-1]) if isinstance(dates, tuple | list) and len(dates) == 2 else (None, None)
    problem = _problem(t, regions, start, end, tz, source, logs_dir, group_by, tag_key)
    if end is not None and end > today_in(tz):
        st.caption(t("ends_today"))
    start, end = start or date.today(), end or date.today()
    bedrock = data.pinned(data.BedrockRequest(
        source=source, regions=tuple(regions), start=start, end=end, tz=tz,
        arn_pattern=arn_pattern.strip(), user_pattern=user_pattern.strip(), group_by=group_by,
        tag_key=tag_key.strip(), logs_dir=logs_dir.strip(), profile=profile.strip(), workgroup=workgroup.strip(),
    ))
    qdev = data.QDevRequest(
        source={"athena": "s3"}.get(source, source), start=start, end=end, tz=tz, user_pattern=user_pattern.strip(),
        logs_dir=q_dir.strip(), bucket=q_bucket.strip(), prefix=q_prefix.strip(), profile=profile.strip(),
        user_map=q_user_map.strip(),
    )
    return SidebarChoice(bedrock, qdev, problem, clicked, model_slot)


def model_filter(t: Text, slot: DeltaGenerator, active: data.BedrockRequest | None) -> tuple[str, ...]:
    """The model filter, in its place in the sidebar: the models of the analysed scan, costliest first. It narrows
    the figures without reading the logs again, so it applies at once."""
    choices: list[str] = []
    if active is not None:
        try:
            with slot, st.spinner(t("loading")):
                choices = data.model_choices(active)
        except (UsageError, SetupRequired):
            pass  # the tab shows the error
    chosen = list(st.session_state.get("models") or [])
    options = choices + [model for model in chosen if model not in choices]
    return tuple(slot.multiselect(t("models"), options, key="models", placeholder=t("models_all"),
                                  help=t("models_help"), disabled=not options))


def _all_stands_alone() -> None:
    """Keep "all regions with logs" and named regions apart: choosing it drops the named ones, naming a region
    drops it."""
    regions = st.session_state["regions"]
    if ALL in regions and len(regions) > 1:
        st.session_state["regions"] = [r for r in regions if r != ALL] if regions[0] == ALL else [ALL]


def _no_region(t: Text) -> str:
    """Ask for a region, naming the unknown ones of the link that opened the page, else its Regions of a partition
    this tool does not read (it sets no region rather than read every region)."""
    left_out = left_out_regions(st.session_state.get(LINK_IGNORED_KEY) or [])
    unknown = [region for region in left_out if other_partition(region) is None]
    if unknown:
        return t("link_no_region", regions=", ".join(map(plain, unknown)))
    return t("link_no_region_partition", regions=", ".join(map(plain, left_out))) if left_out else t("need_region")


def link_left_out(t: Text, ignored: list[str]) -> str:
    """The warning naming the settings of the link that opened the page left out, then why each of its Regions of a
    partition this tool does not read is (``cn-north-1 is a Region of the aws-cn partition (China), ...``)."""
    clauses = [f" {plain(t.notice(clause))}." for clause in partition_clauses(left_out_regions(ignored))]
    return t("link_ignored", params=", ".join(map(plain, ignored))) + "".join(clauses)


def _problem(t: Text, regions: list[str], start: date | None, end: date | None, tz: str, source: str,
             logs_dir: str, group_by: str, tag_key: str) -> str | None:
    """What must be filled in before Analyze can run, if anything (a start after today: ``starts_after_today``)."""
    if start is None or end is None:
        return t("need_dates")
    if data.starts_after_today(start, tz):
        return t("future_start", today=today_in(tz).isoformat(), tz=tz)
    if not regions:
        return _no_region(t)
    if source == "local" and not logs_dir.strip():
        return t("need_logs_dir")
    if group_by == "tag" and not tag_key.strip():
        return t("need_tag_key")
    return None
