"""Athena over the Amazon Q Developer / Kiro user-activity reports and Kiro's user reports: ``--qdev``.

Two tables per region: ``qdev_user_activity`` over the ``by_user_analytic`` CSVs and ``kiro_user_report`` over Kiro's
``user_report`` CSVs, each made when the bucket holds that kind of report for the region (or both with
``--qdev-prefix``). Report locations are found first (so a missing one changes nothing); the results bucket,
database and workgroup steps are the invocation-log setup's (``aws/athena_setup.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from ..aws.athena_queries import CountQuery
from ..aws.athena_setup import (
    LINE_DELIMITER,
    LINE_SERDE,
    AthenaOptions,
    configure_athena,
    day_projection,
    projected_text_table,
)
from ..aws.logging_setup import SETUP_POLICY_FILE
from ..aws.provisioning import BucketGrant, RegionSetup, Write, bucket_name, bucket_region, refusals_explained
from ..aws.session import Aws
from ..errors import SetupRequired, UsageError
from ..logs.layout import normalise_prefix, partition_value
from ..logs.schema import PARTITION_COLUMN
from . import activity_sql, kiro_report_sql
from .layout import ACTIVITY_TYPE, PRODUCTS, REPORT_TYPES, USER_REPORT_TYPE, accounts_prefix
from .sources import DEFAULT_BUCKET as QDEV_DEFAULT_BUCKET
from .sources import DOCS as QDEV_DOCS
from .sources import S3Store, discover_locations

QDEV_TEST_QUERY = f"SELECT count(*) FROM {activity_sql.TABLE_NAME} WHERE {PARTITION_COLUMN} = ?"
KIRO_TEST_QUERY = f"SELECT count(*) FROM {kiro_report_sql.TABLE_NAME} WHERE {PARTITION_COLUMN} = ?"
REPORT_NAMES = {ACTIVITY_TYPE: "activity reports", USER_REPORT_TYPE: "Kiro user reports"}
# What SETUP_POLICY_FILE grants on report buckets (statement FindAmazonQDeveloperReports); setup makes none: Amazon Q
# and Kiro write to the bucket an administrator names in their settings
REPORT_BUCKET_GRANT = BucketGrant(
    "report bucket", "amazonq-developer-reports-*", ("s3:GetBucketLocation", "s3:ListBucket"), "--qdev-bucket", None,
    SETUP_POLICY_FILE,
)


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


def kiro_table_input(bucket: str, prefix: str, account: str, region: str, start_day: date) -> dict[str, Any]:
    """The Glue table over one region's Kiro user reports: one row per CSV line, partition ``dt``.

    A report's columns drift (a ``{model}_messages`` column per model used that day), so the table declares one
    column holding the whole line and the SQL (``qdev.kiro_report_sql``) maps cells by each file's header: a new
    model needs no change here.
    """
    location = f"s3://{bucket}/{accounts_prefix(prefix)}{account}/KiroLogs/{USER_REPORT_TYPE}/{region}/"
    return projected_text_table(
        kiro_report_sql.TABLE_NAME,
        f"Kiro user reports of {region}, one row per CSV line (bedrock-usage)",
        "csv",
        location,
        f"{location}${{{PARTITION_COLUMN}}}",
        {PARTITION_COLUMN: day_projection(start_day)},
        [{"Name": activity_sql.LINE_COLUMN, "Type": "string"}],
        {
            "SerializationLibrary": LINE_SERDE,
            "Parameters": {"field.delim": LINE_DELIMITER, "serialization.format": LINE_DELIMITER},
        },
    )


def qdev_report_prefixes(
    aws: Aws, bucket: str, account: str, regions: tuple[str, ...] | None = None,
    report_types: tuple[str, ...] = REPORT_TYPES,
) -> dict[str, list[str]]:
    """Region -> the key prefixes (the bucket root or a top-level folder) under which ``bucket`` holds reports of
    ``report_types`` of ``account``; found with delimiter listings, as ``qcli_s3_analyzer.py`` finds them."""
    store = S3Store(aws.client("s3", qdev_bucket_region(aws, bucket)), bucket, REPORT_BUCKET_GRANT)
    found: dict[str, dict[str, None]] = {}
    for location in discover_locations(store, None, set(report_types), regions):
        if location.account == account:
            found.setdefault(location.region, {})[location.prefix] = None
    return {region: list(prefixes) for region, prefixes in sorted(found.items())}


def qdev_bucket_region(aws: Aws, bucket: str) -> str:
    """The region of the report bucket; SetupRequired when it does not exist, or when S3 refuses to say (for a name
    the setup policy does not cover, the line names the statements to add)."""
    with refusals_explained(bucket, REPORT_BUCKET_GRANT):  # every run's first read of the bucket
        region = bucket_region(aws.client("s3"), bucket)
    if region is None:
        raise SetupRequired(
            f"bucket {bucket} does not exist: turn on Amazon Q Developer user activity reports (see {QDEV_DOCS}), "
            "or pass --qdev-bucket"
        )
    return region


def _report_prefix(aws: Aws, bucket: str, account: str, region: str, report_type: str) -> str | None:
    """The one prefix under which the bucket holds the region's reports of one type; None when there is none."""
    prefixes = qdev_report_prefixes(aws, bucket, account, (region,), (report_type,)).get(region, [])
    if len(prefixes) > 1:
        raise UsageError(
            f"{REPORT_NAMES[report_type]} of {region} are under several prefixes "
            f"({', '.join(p or '(root)' for p in prefixes)}): choose one with --qdev-prefix"
        )
    return prefixes[0] if prefixes else None


def _table_prefixes(aws: Aws, bucket: str, account: str, region: str, options: QDevOptions) -> dict[str, str]:
    """Report type -> the prefix its table covers: ``--qdev-prefix`` for both, else each type where it is found."""
    if options.prefix is not None:
        qdev_bucket_region(aws, bucket)
        return dict.fromkeys(REPORT_TYPES, normalise_prefix(options.prefix))
    found = {kind: prefix for kind in REPORT_TYPES if (prefix := _report_prefix(aws, bucket, account, region, kind))
             is not None}
    if not found:
        raise SetupRequired(
            f"no activity reports or Kiro user reports of {region} in s3://{bucket}/ (the root and each top-level "
            "folder were searched): pass --qdev-prefix (e.g. user-activity-reports/) to set up before the first "
            "report arrives"
        )
    return found


def configure_qdev_region(
    aws: Aws, region: str, options: AthenaOptions, qdev: QDevOptions, dry_run: bool, result: RegionSetup
) -> None:
    """Everything Athena needs in one region to read its Amazon Q Developer / Kiro activity reports and Kiro user
    reports; the report locations are found first so a missing one changes nothing."""
    account = aws.account_id()
    bucket = bucket_name(qdev.bucket_template, account, region)
    prefixes = _table_prefixes(aws, bucket, account, region, qdev)
    result.target = ", ".join(f"s3://{bucket}/{prefix} ({REPORT_NAMES[kind]})" for kind, prefix in prefixes.items())
    tables = {
        ACTIVITY_TYPE: (qdev_table_input, (QDEV_TEST_QUERY, "report lines")),
        USER_REPORT_TYPE: (kiro_table_input, (KIRO_TEST_QUERY, "Kiro report lines")),
    }
    today = partition_value(datetime.now(UTC).date())
    made: list[Write] = []  # a refusal of the second table's steps names the first's writes too
    for kind in REPORT_TYPES:
        if kind not in prefixes:
            result.notes.append(
                f"no {REPORT_NAMES[kind]} of {region} found: table {_table_name(kind)} not made (run again once "
                "they arrive, or pass --qdev-prefix)"
            )
            continue
        make_table, (sql, unit) = tables[kind]
        table = make_table(bucket, prefixes[kind], account, region, options.start_day)
        step = RegionSetup(region)
        try:
            made = configure_athena(aws, region, options, table, CountQuery(sql, PARTITION_COLUMN, today, unit),
                                    dry_run, step, made)
        finally:  # refused, what the step made or left is shown above the line too
            known = {change.resource for change in result.changes}
            result.changes.extend(change for change in step.changes if change.resource not in known)
            result.notes.extend(step.notes)
        if step.error:
            result.error = step.error
            return


def _table_name(report_type: str) -> str:
    return activity_sql.TABLE_NAME if report_type == ACTIVITY_TYPE else kiro_report_sql.TABLE_NAME
