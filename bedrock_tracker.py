"""Streamlit dashboard: who spends what on Amazon Bedrock, how developers use Amazon Q Developer, and governance
(budgets, cost anomalies, reconciliation with CloudWatch and Cost Explorer).

Run ``streamlit run bedrock_tracker.py`` (docs/dashboard.md). This page only assembles the tabs of
``bedrock_usage/dashboard/``; they load their data through the tracker and analyzers the CLIs use.
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from bedrock_usage.dashboard import data
from bedrock_usage.dashboard.bedrock_tab import show_bedrock
from bedrock_usage.dashboard.governance_tab import show_governance
from bedrock_usage.dashboard.layout import page_style
from bedrock_usage.dashboard.progress_view import show_load
from bedrock_usage.dashboard.qdev_tab import show_qdev
from bedrock_usage.dashboard.session import (
    BEDROCK_KEY,
    LINK_IGNORED_KEY,
    QDEV_KEY,
    TAB_KEY,
    TABS,
    first_visit_defaults,
    keep_settings,
    remember_in_link,
    signed_in,
)
from bedrock_usage.dashboard.sidebar import link_left_out, model_filter, sidebar
from bedrock_usage.dashboard.text import Text


def main() -> None:
    """Lay out the page for the current widget state."""
    st.set_page_config(page_title="Bedrock usage", page_icon="📊", layout="wide")
    page_style()
    first_visit_defaults()
    t = Text(st.session_state.get("lang", "en"))
    if not signed_in(t):
        return
    keep_settings()
    with st.sidebar:
        choice = sidebar(t)
    # A first visit without AWS credentials, or from a link naming a period, opens on its view straight away.
    asked_by_link = st.session_state.pop("auto_analyze", False)
    opening = asked_by_link and not choice.problem
    if choice.clicked or opening:
        st.session_state[BEDROCK_KEY] = None if choice.problem else choice.bedrock
        st.session_state[QDEV_KEY] = None if choice.problem else choice.qdev
    if choice.clicked:
        st.session_state.pop(LINK_IGNORED_KEY, None)

    analysed_request: data.BedrockRequest | None = st.session_state.get(BEDROCK_KEY)
    st.title(t("title"))
    if analysed_request is not None:
        show_load(t, analysed_request)  # the steps of reading the logs, then where and how long
    models = model_filter(t, choice.model_slot, analysed_request)
    active = replace(analysed_request, models=models) if analysed_request else None
    if choice.problem and (choice.clicked or asked_by_link):
        st.error(choice.problem)
    if st.session_state.get(LINK_IGNORED_KEY):
        st.warning(link_left_out(t, st.session_state[LINK_IGNORED_KEY]), icon=":material/link_off:")
    if active is not None and active.source == "demo":
        st.info(t("demo_banner_no_credentials" if st.session_state.get("no_credentials") else "demo_banner"),
                icon=":material/science:")
    if analysed_request is not None and analysed_request != choice.bedrock and not choice.problem:
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
    remember_in_link(active)


if __name__ == "__main__":
    main()
