"""Session state of the dashboard: sign-in, first-visit defaults, and settings kept across reruns and tabs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from ..governance.anomalies import DEFAULT_FACTOR, DEFAULT_MIN_COST, DEFAULT_WINDOW
from ..governance.reconcile import DEFAULT_THRESHOLD
from ..logs.period import today_in
from ..logs.regions import ALL
from . import data
from .text import LANGUAGES, Text
from .url_state import TABS as TAB_NAMES
from .url_state import link_of, read_link

BEDROCK_KEY = "bedrock_request"
QDEV_KEY = "qdev_request"
RECONCILE_KEY = "reconcile_request"
TAB_KEY = "main_tab"
TABS = ("tab_bedrock", "tab_qdev", "tab_governance")
DEFAULT_DAYS = 7
TRANSLATED_RADIOS = ("source", "group_by", "stack_by", "lines_by", "focus_by")
LINK_IGNORED_KEY = "link_ignored"


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


def first_visit_defaults() -> None:
    """Settings of a new session: those of the address it opens (a bookmarked or shared view, analysed straight
    away), else Athena with AWS credentials or the demo data without, over the last 7 days (to today in the address's
    time zone, else UTC) in every region with logs."""
    if "source" in st.session_state:
        return
    has_credentials = data.aws_credentials_available()
    st.session_state["source"] = "athena" if has_credentials else "demo"
    st.session_state["no_credentials"] = not has_credentials
    now = datetime.now(UTC)
    link = read_link({name: st.query_params.get_all(name) for name in st.query_params}, now)
    today = today_in(link.zone, now)  # the link's days and the default ones end there
    st.session_state["dates"] = (today - timedelta(days=DEFAULT_DAYS - 1), today)
    st.session_state["regions"] = [ALL]
    for key, value in link.values.items():
        st.session_state[key] = value
    if link.tab:
        st.session_state[TAB_KEY] = Text(st.session_state.get("lang", "en"))(link.tab)
    st.session_state[LINK_IGNORED_KEY] = link.ignored
    st.session_state["auto_analyze"] = link.has_period or not has_credentials


def keep_translated_choices() -> None:
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


def keep_settings() -> None:
    """Start the settings of the tabs at their defaults and keep them while their widgets are not drawn.

    Streamlit forgets the value of a widget that a run does not draw (another tab open, nothing analysed yet);
    assigning it again keeps it.
    """
    path = data.default_budgets_path()
    defaults = {
        "models": [],
        "focus_by": "none",
        "focus": None,
        "stack_by": "model",
        "lines_by": "user",
        "top_n": data.TOP_N_DEFAULT,
        "use_example_budgets": not path,
        "budgets_path": path,
        "anomaly_factor": DEFAULT_FACTOR,
        "anomaly_window": DEFAULT_WINDOW,
        "anomaly_min_cost": DEFAULT_MIN_COST,
        "coverage_threshold": DEFAULT_THRESHOLD * 100,
    }
    for key, default in defaults.items():
        st.session_state[key] = st.session_state.get(key, default)


def open_tab() -> str:
    """The open tab as the address names it: ``bedrock``, ``qdev`` or ``governance``."""
    label = st.session_state.get(TAB_KEY)
    for lang in LANGUAGES:
        for name, key in TAB_NAMES.items():
            if Text(lang)(key) == label:
                return name
    return "bedrock"


def remember_in_link(active: data.BedrockRequest | None) -> None:
    """Write the shown view into the page's address."""
    params = link_of(active, st.session_state, open_tab())
    if params != {name: (st.query_params.get_all(name) if name == "model" else st.query_params.get(name))
                  for name in st.query_params}:
        st.query_params.from_dict(params)
