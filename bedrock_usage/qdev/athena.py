"""Activity reports and Kiro user reports read through Athena: ``qcli_s3_analyzer.py --data-source athena``.

The query of ``activity_sql`` (``kiro_report_sql``) runs in each region whose report folder the bucket holds, on
that region's ``qdev_user_activity`` (``kiro_user_report``) table, which ``setup_athena_bucket.py --qdev`` makes,
through the project's Athena engine.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from ..aws.session import Aws
from ..engines.athena import DEFAULT_WORKGROUP, AthenaEngine
from ..engines.base import QueryResult, Scope
from ..output.progress import Reporter, silent
from . import activity as act
from . import credits as kc
from . import kiro_report as kr
from .activity_sql import TABLE_NAME, activity_query, decode_activity
from .kiro_report_sql import TABLE_NAME as KIRO_TABLE_NAME
from .kiro_report_sql import decode_user_reports, user_report_query

SETUP_COMMAND = "python setup_athena_bucket.py --qdev --regions {region}"


def qdev_athena_engine(
    aws: Aws, workgroup: str = DEFAULT_WORKGROUP, table: str = TABLE_NAME, **options: Any
) -> AthenaEngine:
    """The Athena engine over a report table (the activity reports' by default), whose setup advice names ``--qdev``."""
    engine = AthenaEngine(aws, workgroup=workgroup, table=table, setup_command=SETUP_COMMAND, **options)
    engine.description = f"Amazon Athena table {engine.database}.{table} (workgroup {workgroup})"
    return engine


def kiro_athena_engine(aws: Aws, workgroup: str = DEFAULT_WORKGROUP, **options: Any) -> AthenaEngine:
    """The Athena engine over the Kiro user-report table."""
    return qdev_athena_engine(aws, workgroup, KIRO_TABLE_NAME, **options)


def _scan_figures(result: QueryResult, regions: tuple[str, ...]) -> dict[str, Any]:
    """What a report's statistics say of the Athena executions behind it."""
    return {"via_athena": True, "queried_regions": regions, "bytes_scanned": result.stats.bytes_read,
            "query_cost_usd": result.stats.cost_usd, "failed_regions": dict(result.stats.failed_regions)}


class _AthenaReader:
    """A report reader over one Athena table, one execution per region."""

    def __init__(self, engine: AthenaEngine):
        self.engine = engine

    def describe(self) -> str:
        return self.engine.description


class AthenaActivity(_AthenaReader):
    """An ``ActivityReader`` that runs the activity query in Athena, one execution per region."""

    def read(self, regions: tuple[str, ...], first_day: date, last_day: date,
             progress: Reporter = silent) -> tuple[pd.DataFrame, act.ActivityStats]:
        query = activity_query(first_day, last_day)
        scope = Scope(regions, *act.report_folder_days(first_day, last_day))
        result = self.engine.query(query.sql, query.params, scope, progress)
        stats = act.ActivityStats(**_scan_figures(result, regions))
        if result.frame.columns.empty:  # no region answered
            return act.empty_rows(), stats
        return decode_activity(result.frame, stats), stats


class AthenaUserReports(_AthenaReader):
    """A ``UserReportReader`` that runs the Kiro user-report query in Athena, one execution per region."""

    def read(self, regions: tuple[str, ...], first_day: date, last_day: date,
             progress: Reporter = silent) -> kr.UserReportRows:
        query = user_report_query(first_day, last_day)
        scope = Scope(regions, *kc.report_folder_days(first_day, last_day))
        result = self.engine.query(query.sql, query.params, scope, progress)
        stats = kr.UserReportStats(**_scan_figures(result, regions))
        if result.frame.columns.empty:  # no region answered
            return kr.combine_files([], stats)
        return decode_user_reports(result.frame, stats, lambda facts: kc.in_read_window(facts, first_day, last_day))
