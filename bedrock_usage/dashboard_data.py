"""What the dashboard shows, loaded through the same tracker and analyzers as the CLIs, cached per request.

Every loader takes one frozen request (hashable, so ``st.cache_data`` keys on it) and returns plain data:
reports, DataFrames and dataclasses, never an engine or a client. Nothing here lays out a page.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import botocore.credentials
import botocore.session
import pandas as pd
import streamlit as st
from botocore.exceptions import BotoCoreError

from pricing import PriceBook

from .aws import Aws
from .cache import cache_dir
from .engines.base import Engine
from .logging_status import RegionLoggingStatus, check_regions
from .period import Period, resolve_period
from .qdev.analysis import Filters as QFilters
from .qdev.analysis import QDevReport
from .qdev.analysis import Source as QSource
from .qdev.analysis import analyze as analyze_qdev
from .qdev.sources import LocalStore, s3_store
from .qdev.synthetic import ensure_demo_corpus
from .queries import Filters
from .sources import SourceChoice, build_engine
from .tracker import BedrockAthenaTracker, UsageReport, rollup

CACHE_SECONDS = 600
GROUP_BY = ("user", "application", "tag")
STACK_BY = ("model", "application")
DETAIL_KEYS = ["application", "model", "source_region"]
# Credential providers that would call the network (instance metadata, container endpoint) to find out.
_NETWORK_PROVIDERS = ("iam-role", "container-role")
_CONTAINER_CREDENTIAL_ENV = ("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI")


def aws_credentials_available(profile: str | None = None) -> bool:
    """True when boto3's credential chain finds credentials without any network call.

    Instance-metadata roles (EC2) cannot be seen without calling the metadata service, so they count as absent;
    a container role counts as present when its endpoint variable is set.
    """
    if any(os.environ.get(name) for name in _CONTAINER_CREDENTIAL_ENV):
        return True
    try:
        resolver = botocore.credentials.create_credential_resolver(botocore.session.Session(profile=profile))
        for name in _NETWORK_PROVIDERS:
            resolver.remove(name)
        return resolver.load_credentials() is not None
    except (BotoCoreError, OSError, ValueError):
        return False


@dataclass(frozen=True)
class BedrockRequest:
    """One Bedrock view: where to read, what period and scope, how to filter and group."""

    source: str
    regions: tuple[str, ...]
    start: date
    end: date
    tz: str = "UTC"
    arn_pattern: str = ""
    user_pattern: str = ""
    group_by: str = "user"
    tag_key: str = ""
    logs_dir: str = ""
    profile: str = ""
    workgroup: str = ""

    def period(self) -> Period:
        """The analysed period (checked: order, length, time zone)."""
        return resolve_period(start=self.start, end=self.end, tz=self.tz)

    def filters(self) -> Filters:
        """The engine-side filters."""
        return Filters(arn_pattern=self.arn_pattern or None)

    def source_choice(self) -> SourceChoice:
        """The engine choice for ``build_engine``."""
        return SourceChoice(
            self.source,
            Path(self.logs_dir).expanduser() if self.source == "local" and self.logs_dir else None,
            self.profile or None,
            self.workgroup or None,
        )

    @property
    def group_column(self) -> str:
        """The fact column the group-by table is keyed on."""
        return f"tag:{self.tag_key}" if self.group_by == "tag" else self.group_by


def pinned(request: BedrockRequest) -> BedrockRequest:
    """The request with a demo source tied to the current cache folder, so cached views never mix corpora."""
    return replace(request, logs_dir=str(cache_dir())) if request.source == "demo" else request


@dataclass
class BedrockView:
    """A request's report, the previous period's totals and the extra roll-ups the charts need."""

    report: UsageReport
    previous_period: Period
    previous: dict[str, float | int]
    group: pd.DataFrame
    detail: pd.DataFrame
    daily_by: dict[str, pd.DataFrame]
    query_cost_usd: float


def _analyze(engine: Engine, prices: PriceBook, request: BedrockRequest, period: Period) -> UsageReport:
    """One period's report (with its user-filtered facts)."""
    extra_tags = (request.tag_key,) if request.group_by == "tag" else ()
    tracker = BedrockAthenaTracker(engine, prices, extra_tags=extra_tags)
    return tracker.analyze(period, request.regions, request.filters(), request.user_pattern or None)


@st.cache_data(show_spinner=False, ttl=CACHE_SECONDS, max_entries=32)
def load_bedrock(request: BedrockRequest) -> BedrockView:
    """The request's period and the previous one of equal length, analysed concurrently."""
    period = request.period()
    engine = build_engine(request.source_choice())
    prices = PriceBook.load()
    with ThreadPoolExecutor(max_workers=2) as pool:
        current = pool.submit(_analyze, engine, prices, request, period)
        previous = pool.submit(_analyze, engine, prices, request, period.previous())
        report = current.result()
        previous_report = previous.result()
    facts = report.facts
    return BedrockView(
        report=report,
        previous_period=previous_report.period,
        previous=previous_report.summary,
        group=_group_table(report, facts, request),
        detail=rollup(facts, DETAIL_KEYS),
        daily_by={key: rollup(facts, ["day", key]) for key in STACK_BY},
        query_cost_usd=report.stats.cost_usd + previous_report.stats.cost_usd,
    )


def _group_table(report: UsageReport, facts: pd.DataFrame, request: BedrockRequest) -> pd.DataFrame:
    """The table of the group-by dimension: the report's user or application table, or a tag roll-up."""
    if request.group_by == "tag":
        return rollup(facts, [request.group_column])
    return report.tables[request.group_by]


@dataclass(frozen=True)
class QDevRequest:
    """One Amazon Q Developer view: where the prompt logs and activity reports are, and the period."""

    source: str  # "demo", "local" (a folder laid out like the bucket) or "s3"
    start: date
    end: date
    tz: str = "UTC"
    user_pattern: str = ""
    logs_dir: str = ""
    bucket: str = ""
    prefix: str = ""
    profile: str = ""


@st.cache_data(show_spinner=False, ttl=CACHE_SECONDS, max_entries=16)
def load_qdev(request: QDevRequest) -> QDevReport:
    """The Amazon Q Developer report of the request's period (counts, tokens and costs only)."""
    period = resolve_period(start=request.start, end=request.end, tz=request.tz)
    prefixes = (request.prefix,) if request.prefix else ()
    if request.source == "demo":
        source = QSource(LocalStore(ensure_demo_corpus().path))
    elif request.source == "local":
        source = QSource(LocalStore(request.logs_dir), prefixes)
    else:
        source = _s3_source(request, prefixes)
    report = analyze_qdev(source, period, QFilters(user_pattern=request.user_pattern or None))
    report.demo = request.source == "demo"
    return report


def _s3_source(request: QDevRequest, prefixes: tuple[str, ...]) -> QSource:
    """The bucket of the request, or the default report bucket of the caller's account."""
    return QSource(s3_store(Aws.connect(request.profile or None), request.bucket or None), prefixes)


@st.cache_data(show_spinner=False, ttl=CACHE_SECONDS, max_entries=8)
def load_logging_status(regions: tuple[str, ...], profile: str = "") -> list[RegionLoggingStatus]:
    """Model Invocation Logging as configured and observed in each region (AWS calls; Athena source only)."""
    return check_regions(Aws.connect(profile or None), regions)


def logging_verdict(status: RegionLoggingStatus) -> str:
    """``error``, ``disabled``, ``problems``, ``no_logs`` or ``ok``: what the panel tells the user."""
    if status.error:
        return "error"
    if not status.enabled:
        return "disabled"
    if status.problems or not status.healthy:
        return "problems"
    return "ok" if status.newest_log else "no_logs"
