"""Activity reports read through Athena: ``qcli_s3_analyzer.py --data-source athena``.

The query of ``activity_sql`` runs in each region whose report folder the bucket holds, on that region's
``qdev_user_activity`` table (``setup_athena_bucket.py --qdev`` makes it), through the project's Athena engine.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from ..athena_setup import DEFAULT_WORKGROUP
from ..aws import Aws
from ..engines.athena import AthenaEngine
from ..engines.base import Scope
from ..errors import SetupRequired
from . import activity as act
from .activity_sql import TABLE_NAME, activity_query, decode_activity
from .analysis import Filters

SETUP_STEP = "run python setup_athena_bucket.py --qdev --regions {region}"


class QDevAthenaEngine(AthenaEngine):
    """The Athena engine, whose setup advice names the Amazon Q Developer table and ``--qdev``."""

    def __init__(self, aws: Aws, *, workgroup: str = DEFAULT_WORKGROUP, **options: Any):
        super().__init__(aws, workgroup=workgroup, **options)
        self.description = f"Amazon Athena table {self.database}.{TABLE_NAME} (workgroup {workgroup})"

    def _missing_table(self, region: str, reason: str) -> SetupRequired:
        return SetupRequired(
            f"Athena table {self.database}.{TABLE_NAME} is missing in {region} ({reason.strip()}): "
            + SETUP_STEP.format(region=region)
        )

    def _missing_workgroup(self, region: str) -> SetupRequired:
        return SetupRequired(
            f"Athena workgroup {self.workgroup} does not exist in {region}: "
            + SETUP_STEP.format(region=region)
            + ", or choose an existing one with --workgroup"
        )


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
            bytes_scanned=result.stats.bytes_read,
            query_cost_usd=result.stats.cost_usd,
            failed_regions=dict(result.stats.failed_regions),
        )
        if result.frame.columns.empty:  # no region answered
            return act.empty_rows(), stats
        return decode_activity(result.frame, stats), stats
