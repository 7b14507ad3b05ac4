"""Streamlit dashboard: who spends what on Amazon Bedrock, how developers use Amazon Q Developer, and governance
(budgets, cost anomalies, reconciliation with CloudWatch and Cost Explorer).

Run ``streamlit run bedrock_tracker.py`` (docs/dashboard.md). This page only assembles the tabs of
``bedrock_usage/dashboard/``; they load their data through the tracker and analyzers the CLIs use.
"""

from __future__ import annotations

import streamlit as st

from bedrock_usage.dashboard import data
from bedrock_usage.dashboard.bedrock_tab import show_bedrock
from bedrock_usage.dashboard.governance_tab import show_governance
from bedrock_usage.dashboard.qdev_tab import show_qdev
from bedrock_usage.dashboard.session import (
    BEDROCK_KEY,
    QDEV_KEY,
    TAB_KEY,
    TABS,
    first_visit_defaults,
    keep_governance_settings,
    signed_in,
)
from bedrock_usage.dashboard.sidebar import sidebar
from bedrock_usage.dashboard.text import Text


def main() -> None:
    """Lay out the page for the current widget state."""
    st.set_page_config(page_title="Bedrock usage", page_icon="📊", layout="wide")
    t = Text(st.session_state.get("lang", "en"))
    if not signed_in(t):
        return
    first_visit_defaults()
    keep_governance_settings()
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


if __name__ == "__main__":
    main()
