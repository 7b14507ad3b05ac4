"""``setup_athena_bucket.py --cur``: a CUR 2.0 export with caller identity, the bucket it writes to, its Athena table.

Steps, each read first and written only when missing (nothing in a dry run):

1. the account's Data Exports exports (``bcm-data-exports``, one endpoint in us-east-1): an export of ours by
   name, or another CUR 2.0 export that fits (Parquet, overwrite delivery, caller identity, daily or hourly) is
   used as it is and reported; an export that does not fit is reported with what it lacks and never changed;
2. with no export to use: a private bucket, the bucket policy statement Data Exports needs
   (``EnableAWSDataExportsToWriteToS3AndCheckPolicy``, AWS Data Exports user guide, "Setting up an Amazon S3 bucket
   for data exports"), and the export (``CreateExport``: table ``COST_AND_USAGE_REPORT`` with
   ``INCLUDE_IAM_PRINCIPAL_DATA`` on, daily, Parquet, overwrite);
3. the Glue table ``bedrock_analytics.cur2_export`` over the export's ``data/`` folder, its ``billing_period``
   partition projected from the ``BILLING_PERIOD=YYYY-MM`` folders, then the results bucket and workgroup of the
   region and a test query.

The first files arrive within 24 hours of creating the export; Data Exports can also backfill earlier months
through a support case.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from ..aws.athena_queries import CountQuery
from ..aws.athena_setup import AthenaOptions, athena_steps, configure_athena
from ..aws.logging_setup import SETUP_POLICY_FILE
from ..aws.provisioning import (
    CREATE,
    KEEP,
    NONE,
    BucketGrant,
    Change,
    RegionSetup,
    RegionWrites,
    Write,
    bucket_name,
    plan_policy_statements,
    prepare_private_bucket,
    refusals_explained,
)
from ..aws.session import Aws, partition
from ..errors import SetupRequired
from ..logs.layout import normalise_prefix
from .cur_layout import CUR_COLUMNS, CUR_TABLE, DATA_FOLDER, PARTITION_COLUMN, PARTITION_FOLDER

DATA_EXPORTS_REGION = "us-east-1"
CUR_SQL_TABLE = "COST_AND_USAGE_REPORT"
DEFAULT_EXPORT_NAME = "bedrock-usage-cur2"
DEFAULT_CUR_BUCKET_TEMPLATE = "bedrock-usage-cur-{account}"
# What SETUP_POLICY_FILE grants on CUR export buckets (statement CurExportBucket)
CUR_BUCKET_GRANT = BucketGrant(
    "CUR export bucket", "bedrock-usage-cur-*",
    ("s3:GetBucketLocation", "s3:CreateBucket", "s3:GetBucketPublicAccessBlock", "s3:PutBucketPublicAccessBlock",
     "s3:GetEncryptionConfiguration", "s3:PutEncryptionConfiguration", "s3:GetBucketPolicy", "s3:PutBucketPolicy",
     "s3:ListBucket"),
    "--cur-bucket", DEFAULT_CUR_BUCKET_TEMPLATE, SETUP_POLICY_FILE,
)
DEFAULT_CUR_PREFIX = "cur"
DEFAULT_FIRST_MONTH = date(2026, 4, 1)  # IAM principal data starts with Amazon Bedrock's attribution, April 2026
POLICY_SID = "EnableAWSDataExportsToWriteToS3AndCheckPolicy"
TABLE_CONFIGURATION = {
    "TIME_GRANULARITY": "DAILY",
    "INCLUDE_RESOURCES": "FALSE",
    "INCLUDE_MANUAL_DISCOUNT_COMPATIBILITY": "FALSE",
    "INCLUDE_SPLIT_COST_ALLOCATION_DATA": "FALSE",
    "INCLUDE_IAM_PRINCIPAL_DATA": "TRUE",
}
OUTPUT = {"OutputType": "CUSTOM", "Format": "PARQUET", "Compression": "PARQUET", "Overwrite": "OVERWRITE_REPORT"}
PARQUET_SERDE = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
PARQUET_INPUT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
PARQUET_OUTPUT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"
TEST_QUERY = f"SELECT count(*) FROM {CUR_TABLE} WHERE {PARTITION_COLUMN} = ?"


@dataclass(frozen=True)
class CurOptions:
    """What ``setup_athena_bucket.py --cur`` was asked for."""

    region: str = DATA_EXPORTS_REGION
    bucket_template: str = DEFAULT_CUR_BUCKET_TEMPLATE
    prefix: str = DEFAULT_CUR_PREFIX
    export_name: str = DEFAULT_EXPORT_NAME
    first_month: date = DEFAULT_FIRST_MONTH


@dataclass(frozen=True)
class ExportLocation:
    """Where an export delivers: ``s3://{bucket}/{prefix}/{name}/data/BILLING_PERIOD=YYYY-MM/``."""

    name: str
    bucket: str
    prefix: str
    region: str

    @property
    def data_location(self) -> str:
        """The table's location: the export's ``data/`` folder."""
        return f"s3://{self.bucket}/{normalise_prefix(self.prefix)}{self.name}/{DATA_FOLDER}/"


def export_query() -> str:
    """The export's SQL: the CUR 2.0 columns the reader needs (Data Exports' own SQL, no WHERE)."""
    return f"SELECT {', '.join(name for name, _ in CUR_COLUMNS)} FROM {CUR_SQL_TABLE}"


def export_request(location: ExportLocation, account: str) -> dict[str, Any]:
    """The ``CreateExport`` arguments of our export."""
    return {
        "Export": {
            "Name": location.name,
            "Description": "CUR 2.0 with caller identity, for bedrock-usage's per-caller reconciliation",
            "DataQuery": {"QueryStatement": export_query(),
                          "TableConfigurations": {CUR_SQL_TABLE: TABLE_CONFIGURATION}},
            "DestinationConfigurations": {"S3Destination": {
                "S3Bucket": location.bucket, "S3BucketOwner": account, "S3Prefix": location.prefix,
                "S3Region": location.region, "S3OutputConfigurations": OUTPUT,
            }},
            "RefreshCadence": {"Frequency": "SYNCHRONOUS"},
        },
    }


def bucket_policy_statement(bucket: str, account: str, region: str) -> dict[str, Any]:
    """The statement that lets Data Exports (and CUR) write the account's exports to ``bucket``."""
    arn = partition(region)
    return {
        "Sid": POLICY_SID,
        "Effect": "Allow",
        "Principal": {"Service": ["billingreports.amazonaws.com", "bcm-data-exports.amazonaws.com"]},
        "Action": ["s3:PutObject", "s3:GetBucketPolicy"],
        "Resource": [f"arn:{arn}:s3:::{bucket}/*", f"arn:{arn}:s3:::{bucket}"],
        "Condition": {"StringLike": {
            "aws:SourceAccount": account,
            "aws:SourceArn": [f"arn:{arn}:cur:{DATA_EXPORTS_REGION}:{account}:definition/*",
                              f"arn:{arn}:bcm-data-exports:{DATA_EXPORTS_REGION}:{account}:export/*"],
        }},
    }


def cur_table_input(location: ExportLocation, first_month: date) -> dict[str, Any]:
    """The Glue table over the export's Parquet files, ``billing_period`` projected month by month."""
    key = PARTITION_COLUMN
    return {
        "Name": CUR_TABLE,
        "Description": f"CUR 2.0 export {location.name}: the columns bedrock-usage reads (bedrock-usage)",
        "TableType": "EXTERNAL_TABLE",
        "Parameters": {
            "EXTERNAL": "TRUE",
            "classification": "parquet",
            "projection.enabled": "true",
            f"projection.{key}.type": "date",
            f"projection.{key}.format": "yyyy-MM",
            f"projection.{key}.range": f"{first_month:%Y-%m},NOW",
            f"projection.{key}.interval": "1",
            f"projection.{key}.interval.unit": "MONTHS",
            "storage.location.template": f"{location.data_location}{PARTITION_FOLDER}=${{{key}}}/",
        },
        "PartitionKeys": [{"Name": key, "Type": "string"}],
        "StorageDescriptor": {
            "Columns": [{"Name": name, "Type": kind} for name, kind in CUR_COLUMNS],
            "Location": location.data_location,
            "InputFormat": PARQUET_INPUT,
            "OutputFormat": PARQUET_OUTPUT,
            "SerdeInfo": {"SerializationLibrary": PARQUET_SERDE, "Parameters": {"serialization.format": "1"}},
        },
    }


def list_exports(client: Any) -> list[dict[str, Any]]:
    """Every export of the account, in full (``ListExports`` then ``GetExport`` each)."""
    arns, token = [], None
    while True:
        page = client.list_exports(**({"NextToken": token} if token else {}))
        arns += [item["ExportArn"] for item in page.get("Exports", [])]
        token = page.get("NextToken")
        if not token:
            break
    return [client.get_export(ExportArn=arn)["Export"] for arn in arns]


def export_problems(export: dict[str, Any]) -> list[str]:
    """Why an export cannot be read per caller (empty when it can)."""
    query = export.get("DataQuery", {})
    statement = query.get("QueryStatement", "")
    if CUR_SQL_TABLE.lower() not in statement.lower():
        return ["not a CUR 2.0 export"]
    settings = query.get("TableConfigurations", {}).get(CUR_SQL_TABLE, {})
    output = export.get("DestinationConfigurations", {}).get("S3Destination", {}).get("S3OutputConfigurations", {})
    problems = []
    if settings.get("INCLUDE_IAM_PRINCIPAL_DATA", "FALSE").upper() != "TRUE":
        problems.append("no caller identity (INCLUDE_IAM_PRINCIPAL_DATA is off)")
    if settings.get("TIME_GRANULARITY", "HOURLY").upper() == "MONTHLY":
        problems.append("MONTHLY granularity (per-day reconciliation needs DAILY or HOURLY)")
    if output.get("Format") != "PARQUET":
        problems.append(f"{output.get('Format')} files (the table reads Parquet)")
    if output.get("Overwrite") != "OVERWRITE_REPORT":
        problems.append("creates new files on each refresh (the table reads overwrite delivery)")
    selected = statement.lower()
    missing = [name for name, _ in CUR_COLUMNS if "select *" not in selected and name not in selected]
    if missing:
        problems.append(f"does not select {', '.join(missing)}")
    return problems


def location_of(export: dict[str, Any]) -> ExportLocation:
    """Where an export writes."""
    destination = export["DestinationConfigurations"]["S3Destination"]
    return ExportLocation(export["Name"], destination["S3Bucket"], destination.get("S3Prefix", ""),
                          destination["S3Region"])


def choose_export(exports: list[dict[str, Any]], name: str) -> tuple[dict[str, Any] | None, list[str]]:
    """The export to read (ours by name, else the first that fits) and what to say about the others."""
    notes = []
    ours = next((export for export in exports if export.get("Name") == name), None)
    fitting = [export for export in exports if not export_problems(export)]
    for export in exports:
        problems = export_problems(export)
        if problems and export is not ours and problems != ["not a CUR 2.0 export"]:
            notes.append(f"export {export.get('Name')} is not used (left as it is): {'; '.join(problems)}")
    if ours is not None:
        problems = export_problems(ours)
        if problems:
            raise SetupRequired(
                f"export {name} exists but cannot be read per caller: {'; '.join(problems)}. It is not changed: edit "
                "it in the Billing console (Data Exports) or choose another name with --cur-export-name")
        return ours, notes
    return (fitting[0] if fitting else None), notes


def export_write(aws: Aws, location: ExportLocation, account: str, export: Change) -> Write:
    """The ``CreateExport`` of our export, and the command that deletes it (AWS CLI Command Reference,
    bcm-data-exports delete-export: the export's ARN, which CreateExport answers), which needs
    bcm-data-exports:DeleteExport."""
    client = aws.client("bcm-data-exports", DATA_EXPORTS_REGION)
    return Write((export,), lambda: client.create_export(**export_request(location, account)), "",
                 "bcm-data-exports:DeleteExport", undo_of=lambda answer: shlex.join([
                     "aws", "bcm-data-exports", "delete-export", "--export-arn", answer["ExportArn"], "--region",
                     DATA_EXPORTS_REGION]))


def configure_cur(aws: Aws, options: CurOptions, athena: AthenaOptions, dry_run: bool, result: RegionSetup) -> None:
    """Find or create the export, then its Glue table, the workgroup and a test query in ``options.region``."""
    account = aws.account_id()
    exports = list_exports(aws.client("bcm-data-exports", DATA_EXPORTS_REGION))
    chosen, notes = choose_export(exports, options.export_name)
    result.notes += notes
    earlier: list[Write] = []
    if chosen is not None:
        location = location_of(chosen)
        result.changes.append(Change(f"Data Exports export {location.name}", NONE, True, "found, used as it is"))
        if location.region != options.region:
            raise SetupRequired(f"export {location.name} writes to s3://{location.bucket} in {location.region}: "
                                f"run again with --cur-region {location.region}, where its table belongs")
    else:
        bucket = bucket_name(options.bucket_template, account, options.region)
        location = ExportLocation(options.export_name, bucket, options.prefix, options.region)
        s3 = aws.client("s3", options.region)
        writes = RegionWrites(dry_run)
        with refusals_explained(bucket, CUR_BUCKET_GRANT), writes.guarded(result.changes):
            created, hardening = prepare_private_bucket(s3, bucket, options.region, writes, athena.replace_existing)
            planned = plan_policy_statements(s3, bucket, [bucket_policy_statement(bucket, account, options.region)],
                                             athena.replace_existing)
            # the policy the export needs first, then the hardening it goes without, as for the log bucket
            policy, block, encryption = writes.make(planned.write(s3, bucket), *hardening)
        result.changes += [created, *block, *encryption, *policy]
        if policy[0].action == KEEP:
            result.notes.append(f"Data Exports export {location.name} not made: its permission to write to the bucket "
                                f"(policy statement {POLICY_SID}) was left as it is")
        else:
            export = Change(f"Data Exports export {location.name}", CREATE, False,
                            "CUR 2.0, caller identity, daily, Parquet")
            results = bucket_name(athena.results_bucket_template, account, options.region)
            # refused once the bucket's writes were made: they are named as what a run again needs, the export and
            # the Athena steps after it those left; made, it is named so too should a later step be refused
            with writes.then(result.changes, [export, f"results bucket {results}",
                                              *athena_steps(CUR_TABLE, athena.workgroup)], SETUP_POLICY_FILE):
                (made,) = writes.make(export_write(aws, location, account, export))
            result.changes += made
            result.notes.append("the first export files arrive within 24 hours")
        earlier = writes.made
    result.target = location.data_location
    test = CountQuery(TEST_QUERY, PARTITION_COLUMN, f"{datetime.now(UTC):%Y-%m}", "line items")
    configure_athena(aws, options.region, athena, cur_table_input(location, options.first_month), test, dry_run,
                     result, earlier)
