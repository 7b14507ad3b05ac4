"""Choosing the engine behind the tracker: Athena, a local logs folder (or mirror), or demo data."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .aws import Aws
from .cache import cache_dir
from .engines.base import Engine
from .engines.local import LocalEngine
from .errors import SetupRequired, UsageError
from .logging_status import check_region
from .mirror import SyncSummary, sync_logs
from .period import Period

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
        from .engines.athena import athena_engine

        return athena_engine(profile=choice.profile, workgroup=choice.workgroup)
    raise UsageError(f"unknown data source '{choice.source}'; choose one of {', '.join(SOURCES)}")


@dataclass(frozen=True)
class MirrorResult:
    """One region's sync into the local mirror."""

    region: str
    bucket: str
    prefix: str
    summary: SyncSummary


def default_mirror_dir() -> Path:
    """Where ``--sync`` keeps its copy of the log objects unless ``--logs-dir`` says otherwise."""
    return cache_dir() / "mirror"


def mirror_logs(
    aws: Aws, regions: tuple[str, ...], period: Period, dest: Path, bucket: str | None = None,
    prefix: str | None = None,
) -> list[MirrorResult]:
    """Copy each region's new log objects for ``period`` from its logging bucket into ``dest``.

    The bucket and prefix come from the region's logging configuration unless given.
    """
    account = aws.account_id()
    first_day, last_day = period.partition_days()
    results = []
    for region in regions:
        region_bucket, region_prefix = bucket, prefix
        if region_bucket is None:
            status = check_region(aws, region, account)
            if not status.enabled or not status.bucket:
                raise SetupRequired(
                    f"Model Invocation Logging to S3 is not enabled in {region}; run "
                    f"python setup_bedrock_logging.py --regions {region} (or pass --log-bucket)"
                )
            region_bucket, region_prefix = status.bucket, status.prefix
        summary = sync_logs(aws.client("s3", region), region_bucket, region_prefix or "", account, [region],
                            first_day, last_day, dest)
        results.append(MirrorResult(region, region_bucket, region_prefix or "", summary))
    return results
