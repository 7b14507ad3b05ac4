"""Activity reports read through Athena: ``qcli_s3_analyzer.py --data-source athena``.

The query of ``activity_sql`` runs in each region whose report folder the bucket holds, on that region's
``qdev_user_activity`` table (``setup_athena_bucket.py --qdev`` makes it), through the project's Athena engine.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from ..aws.session import Aws
from ..engines.athena import DEFAULT_WORKGROUP, AthenaEngine
from ..engines.base import Scope
from . import activity as act
from .activity_sql import TABLE_NAME, activity_query, decode_activity
from .analysis import Filters

SETUP_STEP = "run python setup_athena_bucket.py --qdev --regions {region}"


def qdev_athena_engine(aws: Aws, workgroup: str = DEFAULT_WORKGROUP, **options: Any) -> AthenaEngine:
    """The Athena engine over the activity-report table, whose setup advice names ``--qdev``."""
    engine = AthenaEngine(aws, workgroup=workgroup, table=TABLE_NAME, setup_step=SETUP_STEP, **options)
    engine.description = f"Amazon Athena table {engine.database}.{TABLE_NAME} (workgroup {workgroup})"
    return engine


class AthenaActivity:
    """An ``ActivityReader`` that runs the activity query in Athena, one execution per region."""

    def __init__(self, engine: AthenaEngine):
        self.engine = engine

    def describe(self) -> str:
        return self.engine.description

    def read(
        self, regions: tuple[str, ...], first_day: date, last_day: date, filters: Filters
    ) -> tuple[pd.DataFrame, act.ActivityStats]:
        query = activity_query(first_day, last_day, filters.user_pattern)
        scope = Scope(regions, *act.report_folder_days(first_day, last_day))
        result = self.engine.query(query.sql, query.params, scope)
        stats = act.ActivityStats(
            via_athena=True,
            queried_regions=regions,
            bytes_scanned=result.stats.bytes_read,
            query_cost_usd=result.stats.cost_usd,
            failed_regions=dict(result.stats.failed_regions),
        )
        if result.frame.columns.empty:  # no region answered
            return act.empty_rows(), stats
        return decode_activity(result.frame, stats), stats
