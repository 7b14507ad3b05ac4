"""Athena over the Amazon Q Developer / Kiro user-activity reports: ``setup_athena_bucket.py --qdev``.

The report location is found first (so a missing one changes nothing); the results bucket, database and workgroup
steps are the invocation-log setup's (``aws/athena_setup.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from ..aws.athena_setup import (
    LINE_DELIMITER,
    LINE_SERDE,
    AthenaOptions,
    configure_athena,
    day_projection,
    projected_text_table,
)
from ..aws.provisioning import RegionSetup, bucket_name, bucket_region
from ..aws.session import Aws
from ..errors import SetupRequired, UsageError
from ..logs.layout import normalise_prefix
from ..logs.schema import PARTITION_COLUMN
from . import activity_sql
from .layout import ACTIVITY_TYPE, PRODUCTS, accounts_prefix
from .sources import DEFAULT_BUCKET as QDEV_DEFAULT_BUCKET
from .sources import DOCS as QDEV_DOCS
from .sources import S3Store, discover_locations

QDEV_TEST_QUERY = f"SELECT count(*) FROM {activity_sql.TABLE_NAME} WHERE {PARTITION_COLUMN} = ?"


@dataclass(frozen=True)
class QDevOptions:
    """Where the Amazon Q Developer activity reports are (``setup_athena_bucket.py --qdev``)."""

    bucket_template: str = QDEV_DEFAULT_BUCKET
    prefix: str | None = None  # None: the one prefix the bucket holds reports under for the region


def qdev_table_input(bucket: str, prefix: str, account: str, region: str, start_day: date) -> dict[str, Any]:
    """The Glue table over one region's activity reports of Amazon Q Developer and Kiro: one row per CSV line.

    Column order differs between report files, so the table declares one column holding the whole line and
    the SQL (``qdev.activity_sql``) maps cells by each file's header. Partitions: ``product`` (the
    ``QDeveloperLogs`` or ``KiroLogs`` folder) and ``dt``.
    """
    product = activity_sql.PRODUCT_COLUMN
    location = f"s3://{bucket}/{accounts_prefix(prefix)}{account}/"
    template = f"{location}${{{product}}}/{ACTIVITY_TYPE}/{region}/${{{PARTITION_COLUMN}}}"
    return projected_text_table(
        activity_sql.TABLE_NAME,
        f"Amazon Q Developer and Kiro user activity reports of {region}, one row per CSV line (bedrock-usage)",
        "csv",
        location,
        template,
        {
            product: {f"projection.{product}.type": "enum", f"projection.{product}.values": ",".join(PRODUCTS)},
            PARTITION_COLUMN: day_projection(start_day),
        },
        [{"Name": activity_sql.LINE_COLUMN, "Type": "string"}],
        {
            "SerializationLibrary": LINE_SERDE,
            "Parameters": {"field.delim": LINE_DELIMITER, "serialization.format": LINE_DELIMITER},
        },
    )


def qdev_report_prefixes(
    aws: Aws, bucket: str, account: str, regions: tuple[str, ...] | None = None
) -> dict[str, list[str]]:
    """Region -> the key prefixes (the bucket root or a top-level folder) under which ``bucket`` holds activity
    reports of ``account``; found with delimiter listings, as ``qcli_s3_analyzer.py`` finds them."""
    store = S3Store(aws.client("s3", qdev_bucket_region(aws, bucket)), bucket)
    found: dict[str, dict[str, None]] = {}
    for location in discover_locations(store, None, {ACTIVITY_TYPE}, regions):
        if location.account == account:
            found.setdefault(location.region, {})[location.prefix] = None
    return {region: list(prefixes) for region, prefixes in sorted(found.items())}


def qdev_bucket_region(aws: Aws, bucket: str) -> str:
    """The region of the report bucket; SetupRequired when it does not exist."""
    region = bucket_region(aws.client("s3"), bucket)
    if region is None:
        raise SetupRequired(
            f"bucket {bucket} does not exist: turn on Amazon Q Developer user activity reports (see {QDEV_DOCS}), "
            "or pass --qdev-bucket"
        )
    return region


def _qdev_prefix(aws: Aws, bucket: str, account: str, region: str, options: QDevOptions) -> str:
    """``--qdev-prefix``, or the one prefix the bucket holds the region's reports under."""
    if options.prefix is not None:
        qdev_bucket_region(aws, bucket)
        return normalise_prefix(options.prefix)
    prefixes = qdev_report_prefixes(aws, bucket, account, (region,)).get(region, [])
    if not prefixes:
        raise SetupRequired(
            f"no activity reports of {region} in s3://{bucket}/ (the root and each top-level folder were searched): "
            "pass --qdev-prefix (e.g. user-activity-reports/) to set up before the first report arrives"
        )
    if len(prefixes) > 1:
        raise UsageError(
            f"activity reports of {region} are under several prefixes ({', '.join(p or '(root)' for p in prefixes)})"
            ": choose one with --qdev-prefix"
        )
    return prefixes[0]


def configure_qdev_region(
    aws: Aws, region: str, options: AthenaOptions, qdev: QDevOptions, dry_run: bool, result: RegionSetup
) -> None:
    """Everything Athena needs in one region to read its Amazon Q Developer / Kiro activity reports; the report
    location is found first so a missing one changes nothing."""
    account = aws.account_id()
    bucket = bucket_name(qdev.bucket_template, account, region)
    prefix = _qdev_prefix(aws, bucket, account, region, qdev)
    result.target = f"s3://{bucket}/{prefix}"
    table = qdev_table_input(bucket, prefix, account, region, options.start_day)
    configure_athena(aws, region, options, table, (QDEV_TEST_QUERY, "report lines"), dry_run, result)
