"""Choosing the engine behind the tracker: Athena, a local logs folder (or mirror), or demo data."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..cache import default_mirror_dir
from ..errors import UsageError
from .base import Engine
from .local import LocalEngine

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
        from ..demo.daily import ensure_demo_logs

        return LocalEngine(ensure_demo_logs())
    if choice.source == "local":
        logs_dir = choice.logs_dir
        if logs_dir is None and default_mirror_dir().is_dir():
            logs_dir = default_mirror_dir()  # what an earlier --sync copied
        if logs_dir is None:
            raise UsageError(
                "the local engine needs --logs-dir DIR (a folder holding AWSLogs/...), or --sync to copy the logs "
                f"from S3 first (into {default_mirror_dir()}), or use --demo"
            )
        return LocalEngine(logs_dir)
    if choice.source == "athena":
        from .athena import athena_engine

        return athena_engine(profile=choice.profile, workgroup=choice.workgroup)
    raise UsageError(f"unknown data source '{choice.source}'; choose one of {', '.join(SOURCES)}")
