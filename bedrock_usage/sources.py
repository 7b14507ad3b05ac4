"""Choosing the engine behind the tracker: Athena, a local logs folder (or mirror), or demo data."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .engines.base import Engine
from .engines.local import LocalEngine
from .errors import UsageError

SOURCES = ("athena", "local", "demo")


@dataclass(frozen=True)
class SourceChoice:
    """What the user asked to read."""

    source: str
    logs_dir: Path | None = None
    profile: str | None = None
    workgroup: str | None = None


def build_engine(choice: SourceChoice) -> Engine:
    """The engine for a source; demo data is generated on first use."""
    if choice.source == "demo":
        from .demo import ensure_demo_logs

        return LocalEngine(ensure_demo_logs())
    if choice.source == "local":
        if choice.logs_dir is None:
            raise UsageError("the local engine needs --logs-dir DIR (a folder holding AWSLogs/...), or use --demo")
        return LocalEngine(choice.logs_dir)
    if choice.source == "athena":
        from .engines.athena import athena_engine

        return athena_engine(profile=choice.profile, workgroup=choice.workgroup)
    raise UsageError(f"unknown data source '{choice.source}'; choose one of {', '.join(SOURCES)}")
