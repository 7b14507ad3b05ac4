"""The view in the page's address (``st.query_params``), so it can be bookmarked and shared.

Each run writes the analysed settings (source, period, scope, filters, grouping) and the view's choices (models,
drill-down, tab, language, chart options) into the address; a new session opening such an address starts from
them and analyses straight away. Values a link cannot hold (unknown regions, a bad date) are left out and named; of a
list, only the unknown values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from ..engines.choice import SOURCES
from ..errors import UsageError
from ..logs.period import check_zone, today_in
from ..logs.regions import ALL, REGION_NAMES
from . import data
from .text import LANGUAGES

TABS = {"bedrock": "tab_bedrock", "qdev": "tab_qdev", "governance": "tab_governance"}
# URL parameter -> session-state key of a text setting taken as it is.
TEXTS = {"logs": "logs_dir", "profile": "profile", "workgroup": "workgroup", "arn": "arn_pattern",
         "user": "user_pattern", "tag": "tag_key", "q_bucket": "q_bucket", "q_prefix": "q_prefix",
         "q_logs": "q_logs_dir", "q_user_map": "q_user_map"}
# URL parameter -> (session-state key, allowed values) of a choice.
CHOICES = {"lang": ("lang", tuple(LANGUAGES)), "source": ("source", SOURCES), "group": ("group_by", data.GROUP_BY),
           "stack": ("stack_by", data.STACK_BY), "lines": ("lines_by", data.LINES_BY),
           "focus_by": ("focus_by", ("none", *data.FOCUS_BY))}
TOP_N = (1, 20)
MAX_DAYS_FROM_LINK = 366


@dataclass
class LinkSettings:
    """What an address sets: session-state values, whether it names a period (then the page analyses it), the tab
    to open, and the parameters it could not use."""

    values: dict[str, object] = field(default_factory=dict)
    has_period: bool = False
    tab: str | None = None
    ignored: list[str] = field(default_factory=list)

    @property
    def zone(self) -> str:
        """The link's time zone: its ``tz``, or UTC without a usable one."""
        return str(self.values.get("tz", "UTC"))


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def read_link(params: Mapping[str, list[str]], now: datetime) -> LinkSettings:
    """The settings of an address's parameters (each a list of its values, as ``st.query_params`` holds them) at
    the instant ``now``."""
    link = LinkSettings()
    first = {name: values[-1] for name, values in params.items() if values}
    for name, key in TEXTS.items():
        if name in first:
            link.values[key] = first[name]
    for name, (key, allowed) in CHOICES.items():
        if name in first:
            if first[name] in allowed:
                link.values[key] = first[name]
            else:
                link.ignored.append(f"{name}={first[name]}")
    if "tab" in first:
        if first["tab"] in TABS:
            link.tab = TABS[first["tab"]]
        else:
            link.ignored.append(f"tab={first['tab']}")
    if "tz" in first:
        try:
            link.values["tz"] = check_zone(first["tz"])
        except UsageError:
            link.ignored.append(f"tz={first['tz']}")
    if "regions" in params:
        _read_regions(params["regions"], link)
    _read_period(first, today_in(link.zone, now), link)
    if "model" in params:
        link.values["models"] = [m for m in params["model"] if m]
    if "focus" in first:
        link.values["focus"] = first["focus"]
    if "top" in first:
        n = _whole(first["top"])
        if TOP_N[0] <= n <= TOP_N[1]:
            link.values["top_n"] = n
        else:
            link.ignored.append(f"top={first['top']}")
    return link


def _read_regions(values: list[str], link: LinkSettings) -> None:
    """``regions``: region codes, comma-separated or in several parameters, or ``all``. Unknown ones, and Regions of
    a partition this tool does not read (China's), are left out and named; a link naming no Bedrock region sets none,
    so the page asks for one rather than read every region."""
    named = list(dict.fromkeys(r.strip() for value in values for r in value.split(",") if r.strip()))
    if named == [ALL]:
        link.values["regions"] = named
    elif named:
        link.values["regions"] = [r for r in named if r in REGION_NAMES]
        link.ignored += [f"regions={r}" for r in named if r not in REGION_NAMES]


def left_out_regions(ignored: list[str]) -> list[str]:
    """The regions of a link's parameters left out (``LinkSettings.ignored``): unknown names and Regions of a partition
    this tool neither reads nor prices (``logs.regions.partition_clauses`` names those)."""
    return [value.removeprefix("regions=") for value in ignored if value.startswith("regions=")]


def _read_period(first: dict[str, str], today: date, link: LinkSettings) -> None:
    """``start`` and ``end`` (YYYY-MM-DD), or ``days`` ending ``today`` (the day it is in the link's zone)."""
    if "start" in first or "end" in first:
        start, end = _day(first.get("start", "")), _day(first.get("end", ""))
        if start and end and start <= end and (end - start).days < MAX_DAYS_FROM_LINK:
            link.values["dates"], link.has_period = (start, end), True
        else:
            link.ignored.append(f"start={first.get('start', '')}&end={first.get('end', '')}")
    elif "days" in first:
        days = _whole(first["days"])
        if 1 <= days <= MAX_DAYS_FROM_LINK:
            link.values["dates"], link.has_period = (today - timedelta(days=days - 1), today), True
        else:
            link.ignored.append(f"days={first['days']}")


def link_of(request: data.BedrockRequest | None, state: Mapping[str, object], tab: str) -> dict[str, str | list[str]]:
    """The address parameters of the shown view: the analysed request (none before the first analysis) and the
    choices of ``state`` (session state); defaults are left out so addresses stay short."""
    params: dict[str, str | list[str]] = {}
    if state.get("lang", "en") != "en":
        params["lang"] = str(state["lang"])
    if tab != "bedrock":
        params["tab"] = tab
    if request is None:
        return params
    params["source"] = request.source
    if request.source != "demo":
        for name, value in (("logs", request.logs_dir), ("profile", request.profile),
                            ("workgroup", request.workgroup)):
            if value:
                params[name] = value
    params["start"], params["end"] = request.start.isoformat(), request.end.isoformat()
    if request.tz != "UTC":
        params["tz"] = request.tz
    if request.regions != (ALL,):
        params["regions"] = ",".join(request.regions)
    for name, value in (("arn", request.arn_pattern), ("user", request.user_pattern)):
        if value:
            params[name] = value
    if request.group_by != "user":
        params["group"] = request.group_by
    if request.group_by == "tag":
        params["tag"] = request.tag_key
    if request.models:
        params["model"] = list(request.models)
    for name in ("q_bucket", "q_prefix", "q_logs", "q_user_map"):
        value = str(state.get(TEXTS[name]) or "").strip()
        if value and request.source != "demo":
            params[name] = value
    focus_by = state.get("focus_by") or "none"
    if focus_by != "none" and state.get("focus"):
        params["focus_by"], params["focus"] = str(focus_by), str(state["focus"])
    for name, default in (("stack", "model"), ("lines", "user")):
        value = state.get(CHOICES[name][0])
        if value and value != default:
            params[name] = str(value)
    if state.get("top_n") not in (None, data.TOP_N_DEFAULT):
        params["top"] = str(state["top_n"])
    return params


def _whole(text: str) -> int:
    """A link's whole number of ASCII digits; 0 for anything else (``str.isdigit`` is true for ``²``, which ``int``
    refuses)."""
    return int(text) if text.isascii() and text.isdigit() else 0
