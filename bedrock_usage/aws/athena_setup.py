"""The Athena side of one region: results bucket, Glue database and table over the logs, workgroup, test query.

One function per resource. ``configure_region`` sets Athena up over the Bedrock invocation logs; the Amazon Q
Developer / Kiro tables (``qdev/athena_setup.py``) use the same results bucket, database and workgroup steps
(``configure_athena``) with their own table and test query.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from botocore.exceptions import ClientError

from ..engines.athena import DEFAULT_RESULTS_BUCKET_TEMPLATE, DEFAULT_WORKGROUP, RESULTS_PREFIX
from ..logs.layout import RECORD_PATH_SQL, normalise_prefix, partition_value, region_prefix
from ..logs.schema import COLUMNS, DATABASE_NAME, PARTITION_COLUMN, TABLE_NAME, glue_columns
from .athena_queries import CountQuery, QueryPlace, run_setup_query
from .logging_config import LogLocation, log_location
from .logging_repair import cannot_deliver, check_command, region_command, run_line, setup_command
from .logging_setup import LOG_BUCKET_GRANT, SETUP_POLICY_FILE
from .logging_status import check_region
from .provisioning import (
    CREATE,
    REPLACE_OPTION,
    BucketGrant,
    Change,
    Difference,
    RegionSetup,
    RegionWrites,
    Write,
    bucket_name,
    decide_change,
    find_differences,
    plan_lifecycle_rule,
    prepare_private_bucket,
    read_bucket_region,
    refusals_explained,
    set_apart,
)
from .put_back_commands import (
    DELETE_DATABASE_ACTION,
    DELETE_TABLE_ACTION,
    DELETE_WORKGROUP_ACTION,
    UPDATE_TABLE_ACTION,
    UPDATE_WORKGROUP_ACTION,
    delete_database,
    delete_table,
    delete_workgroup,
    restore_table,
    restore_workgroup,
)
from .session import AWS_ERRORS, Aws, describe, error_code, is_access_denied

DEFAULT_EXPIRE_DAYS = 30
DEFAULT_START_DAY = date(2023, 1, 1)
EXPIRY_RULE_ID = "expire-query-results"
# What SETUP_POLICY_FILE grants on results buckets (statements CreateAndHardenBuckets, ResultsBucketLifecycle)
RESULTS_BUCKET_GRANT = BucketGrant(
    "results bucket", "bedrock-analytics-*",
    ("s3:GetBucketLocation", "s3:CreateBucket", "s3:GetBucketPublicAccessBlock", "s3:PutBucketPublicAccessBlock",
     "s3:GetEncryptionConfiguration", "s3:PutEncryptionConfiguration", "s3:ListBucket", "s3:GetLifecycleConfiguration",
     "s3:PutLifecycleConfiguration", "s3:GetBucketVersioning", "s3:GetBucketObjectLockConfiguration"),
    "--results-bucket", DEFAULT_RESULTS_BUCKET_TEMPLATE, SETUP_POLICY_FILE,
)
# The rule's action on noncurrent versions (a versioned results bucket); added to setup's rule without the option,
# as it only makes the rule delete what it says it deletes; other NoncurrentDays someone set are theirs.
NONCURRENT_SETTING = "NoncurrentVersionExpiration"
NONCURRENT_DAYS = 1
JSON_SERDE = "org.openx.data.jsonserde.JsonSerDe"
LINE_SERDE = "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe"
# A field delimiter no report contains: each line is read whole into the one column.
LINE_DELIMITER = "\u0001"
INPUT_FORMAT = "org.apache.hadoop.mapred.TextInputFormat"
OUTPUT_FORMAT = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"
TEST_QUERY = f"SELECT count(*) FROM {TABLE_NAME} WHERE {PARTITION_COLUMN} = ? AND {RECORD_PATH_SQL}"
# Table parameters this project owns besides projection.*; any others (added by hand or by Glue) are kept.
_OWN_PARAMETERS = {"EXTERNAL", "classification", "storage.location.template"}
# Without it Athena skips every object of the table in S3 Glacier Flexible Retrieval or Deep Archive, restored or not
# (Athena User Guide, "Query restored Amazon S3 Glacier objects"): log objects a lifecycle rule archived and a user
# restored are read, as the local engine's sync copies them once restored. Set on the tables setup creates or
# updates; an existing table without it is not shown as differing (it reads every other object alike).
READ_RESTORED = "read_restored_glacier_objects"
CUTOFF_SETTING = "bytes scanned cutoff per query"
# The setting each option with a default sets, as the old -> new lines name it.
_RANGE_KEY = f"projection.{PARTITION_COLUMN}.range"
_OPTION_SETTINGS = {"expire_days": "Expiration.Days", "start_day": f"parameter {_RANGE_KEY}"}
GLUE_DATABASE = f"Glue database {DATABASE_NAME}"
_OPEN_RANGE = re.compile(r"\d{4}/\d{2}/\d{2},NOW")  # a projection from some day up to today, as setup writes it


@dataclass(frozen=True)
class AthenaOptions:
    """What setup_athena_bucket.py was asked for (the same for every region)."""

    results_bucket_template: str = DEFAULT_RESULTS_BUCKET_TEMPLATE
    expire_days: int = DEFAULT_EXPIRE_DAYS
    workgroup: str = DEFAULT_WORKGROUP
    start_day: date = DEFAULT_START_DAY
    bytes_scanned_cutoff: int | None = None
    log_bucket_template: str | None = None
    log_prefix: str | None = None
    test_query: bool = True
    replace_existing: bool = False
    explicit: frozenset[str] = frozenset()  # the fields above given on this run's command line

    def asked_settings(self) -> frozenset[str]:
        """The settings, as the old -> new lines name them, that this run's command line sets by name: they are
        changed without --replace-existing (--bytes-scanned-cutoff has no default, so it is always asked for)."""
        return frozenset(setting for name, setting in _OPTION_SETTINGS.items() if name in self.explicit)


def find_log_location(aws: Aws, region: str, account: str, options: AthenaOptions) -> LogLocation:
    """The options' bucket (its template filled in) and prefix where given, the rest from the region's logging
    configuration (``logging_config.log_location``)."""
    template = options.log_bucket_template
    bucket = bucket_name(template, account, region) if template else None
    return log_location(aws, region, bucket, options.log_prefix, SETUP_POLICY_FILE)


def day_projection(start_day: date) -> dict[str, str]:
    """Projection of the ``dt`` partition: one value per UTC day folder (``yyyy/MM/dd``) from ``start_day`` on."""
    return {
        f"projection.{PARTITION_COLUMN}.type": "date",
        f"projection.{PARTITION_COLUMN}.format": "yyyy/MM/dd",
        f"projection.{PARTITION_COLUMN}.range": f"{partition_value(start_day)},NOW",
        f"projection.{PARTITION_COLUMN}.interval": "1",
        f"projection.{PARTITION_COLUMN}.interval.unit": "DAYS",
    }


def projected_text_table(
    name: str,
    description: str,
    classification: str,
    location: str,
    template: str,
    projection: dict[str, dict[str, str]],
    columns: list[dict[str, str]],
    serde: dict[str, Any],
) -> dict[str, Any]:
    """An external table over text objects whose partitions (``projection``: key -> its projection.* settings, in
    partition order) are projected into ``template``: no crawler, no partitions to add."""
    parameters = {"EXTERNAL": "TRUE", "classification": classification, "projection.enabled": "true",
                  READ_RESTORED: "true"}
    for settings in projection.values():
        parameters.update(settings)
    return {
        "Name": name,
        "Description": description,
        "TableType": "EXTERNAL_TABLE",
        "Parameters": {**parameters, "storage.location.template": template},
        "PartitionKeys": [{"Name": key, "Type": "string"} for key in projection],
        "StorageDescriptor": {
            "Columns": columns,
            "Location": location,
            "InputFormat": INPUT_FORMAT,
            "OutputFormat": OUTPUT_FORMAT,
            "SerdeInfo": serde,
        },
    }


def table_input(logs: LogLocation, account: str, region: str, start_day: date) -> dict[str, Any]:
    """The Glue table over one region's logs, with the ``dt`` partition projected from the date folders.

    Athena reads a Hive table's location recursively, so the payload objects one folder below the hour
    (``.../{HH}/data/``) and any object not named ``.json.gz`` are inside it too; every query of the table keeps only
    the record objects (``RECORD_PATH_SQL``), those the local engine reads.
    """
    location = f"s3://{logs.bucket}/{region_prefix(logs.prefix, account, region)}"
    return projected_text_table(
        TABLE_NAME,
        f"Amazon Bedrock model invocation logs of {region} (bedrock-usage)",
        "json",
        location,
        location + "${" + PARTITION_COLUMN + "}",
        {PARTITION_COLUMN: day_projection(start_day)},
        glue_columns(),
        {"SerializationLibrary": JSON_SERDE, "Parameters": json_serde_parameters()},
    )


def json_serde_parameters() -> dict[str, str]:
    """The OpenX JSON SerDe's settings for the log records: keys matched as written, every mixed-case key mapped.

    With ``case.insensitive`` (the SerDe's default) the OpenX SerDe lower-cases every key of the record, bodies
    included, and rejects a record holding two keys that differ only by case ("Duplicate key", Athena User Guide,
    "OpenX JSON SerDe"): a tool schema with ``Id`` and ``id`` would drop the call, and requestMetadata keys would
    reach the map lower-cased. Case-sensitive, the SerDe needs a ``mapping.{column}`` for each declared field whose
    key is not all lower case (at any depth: the mappings apply to struct fields too), so those are listed here.
    Malformed lines are skipped, as before.
    """
    parameters = {"ignore.malformed.json": "true", "case.insensitive": "false"}
    for key in declared_keys():
        if key != key.lower():
            parameters[f"mapping.{key.lower()}"] = key
    return parameters


def declared_keys() -> list[str]:
    """Every JSON key the table declares: the top-level fields and the fields of their structs."""
    keys = []
    for name, hive_type, _ in COLUMNS:
        keys.append(name)
        keys += re.findall(r"(\w+):", hive_type) if hive_type.startswith("struct<") else []
    return keys


def expiry_rule(days: int, versioned: bool = False) -> dict[str, Any]:
    """The lifecycle rule deleting query results after ``days`` days.

    In a bucket that keeps versions, expiring a result only adds a delete marker and keeps the result as a noncurrent
    version, which expiration does not touch (Amazon S3 User Guide, "Expiring objects"): there (``versioned``) the
    rule also removes noncurrent versions (``NoncurrentVersionExpiration``) a day after they become so.
    """
    rule: dict[str, Any] = {
        "ID": EXPIRY_RULE_ID,
        "Filter": {"Prefix": RESULTS_PREFIX},
        "Status": "Enabled",
        "Expiration": {"Days": days},
    }
    if versioned:
        rule[NONCURRENT_SETTING] = {"NoncurrentDays": NONCURRENT_DAYS}
    return rule


def keeps_versions(s3: Any, bucket: str) -> bool:
    """Whether a bucket keeps object versions: versioning enabled, or suspended after it was (the versions made
    meanwhile stay); a bucket never versioned has no status (Amazon S3 API Reference, "GetBucketVersioning")."""
    return s3.get_bucket_versioning(Bucket=bucket).get("Status") in ("Enabled", "Suspended")


def retention_notes(s3: Any, bucket: str) -> list[str]:
    """What an existing results bucket's Object Lock default retention does to the expiry rule: a locked object
    version is not deleted by a lifecycle rule until its retention ends (Amazon S3 User Guide, "Object Lock
    considerations", on managing S3 Lifecycle with Object Lock), and every query result written gets the bucket's
    default retention ("Locking objects with Object Lock"). None without it: a bucket without Object Lock answers
    ObjectLockConfigurationNotFoundError (Amazon S3 API Reference, "GetObjectLockConfiguration")."""
    try:
        lock = s3.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"]
    except ClientError as exc:
        if error_code(exc) == "ObjectLockConfigurationNotFoundError":
            return []
        if is_access_denied(exc) and not RESULTS_BUCKET_GRANT.covers(bucket):
            raise  # a team's bucket: the read setup needs there, named with the statements to add
        return [f"bucket {bucket}: whether Object Lock keeps query results longer than the expiry rule says is "
                f"unknown ({describe(exc, SETUP_POLICY_FILE)})"]
    retention = (lock.get("Rule") or {}).get("DefaultRetention") or {}
    period = " ".join(f"{count} {unit if count == 1 else unit + 's'}" for unit, count in
                      (("year", retention.get("Years")), ("day", retention.get("Days"))) if count)
    if lock.get("ObjectLockEnabled") != "Enabled" or not period:
        return []
    return [f"bucket {bucket}: Object Lock keeps every query result {period} after it is written (default retention, "
            f"{retention.get('Mode', 'no mode')} mode): the expiry rule {EXPIRY_RULE_ID} cannot delete a result "
            "before its retention ends"]


def _rule_days(s3: Any, bucket: str) -> int | None:
    """The days of setup's expiry rule in ``bucket`` as an earlier run set them (``--expire-days``), or None.

    A run that does not name the option keeps them: a plain daily ``--compact`` after ``--expire-days 7`` reported
    the rule as left as it is, exit 2, skipped the copy, and its advice (``--replace-existing``) undid the 7 days."""
    try:
        rules = s3.get_bucket_lifecycle_configuration(Bucket=bucket).get("Rules", [])
    except ClientError as exc:
        if is_access_denied(exc) and not RESULTS_BUCKET_GRANT.covers(bucket):
            raise  # a team's bucket: the read setup needs there, named with the statements to add
        return None
    days = next((r.get("Expiration", {}).get("Days") for r in rules if r.get("ID") == EXPIRY_RULE_ID), None)
    return days if isinstance(days, int) and days > 0 else None


def projection_range(glue: Any, name: str) -> str:
    """The ``dt`` projection range of the existing table ``name`` (``yyyy/MM/dd,NOW`` as setup writes it), or ""."""
    try:
        current = glue.get_table(DatabaseName=DATABASE_NAME, Name=name)["Table"]
    except AWS_ERRORS:
        return ""
    return (current.get("Parameters") or {}).get(_RANGE_KEY, "")


def _with_earlier_range(glue: Any, table: dict[str, Any]) -> dict[str, Any]:
    """``table`` with the first day of its existing table's projection (an earlier ``--start-date``) when that runs
    up to today as setup writes it: a run that does not name the option keeps it."""
    if _RANGE_KEY not in table.get("Parameters", {}):
        return table
    earlier = projection_range(glue, table["Name"])
    if not _OPEN_RANGE.fullmatch(earlier):
        return table
    return {**table, "Parameters": {**table["Parameters"], _RANGE_KEY: earlier}}


def glue_table(name: str) -> str:
    """A Glue table of the database, as setup's changes name it."""
    return f"Glue table {DATABASE_NAME}.{name}"


def athena_workgroup(name: str) -> str:
    """An Athena workgroup, as setup's changes name it."""
    return f"Athena workgroup {name}"


def athena_steps(table: str, workgroup: str) -> list[str]:
    """What ``configure_athena`` makes after the results bucket, in order: the database, ``table``, the
    ``workgroup``."""
    return [GLUE_DATABASE, glue_table(table), athena_workgroup(workgroup)]


def ensure_database(glue: Any, writes: RegionWrites, account: str) -> Change:
    """Create the Glue database if missing; made, deleting it puts it back, and the tables made in it after."""
    try:
        glue.get_database(Name=DATABASE_NAME)
        exists = True
    except ClientError as exc:
        if error_code(exc) != "EntityNotFoundException":
            raise
        exists = False
    decided = decide_change(GLUE_DATABASE, exists, replace=False)
    ((change,),) = writes.make(Write(
        (decided,),
        lambda: glue.create_database(
            DatabaseInput={"Name": DATABASE_NAME, "Description": "Amazon Bedrock usage analytics (bedrock-usage)"}
        ),
        delete_database(DATABASE_NAME, account, glue.meta.region_name), DELETE_DATABASE_ACTION,
        puts_back=(glue_table(""),),
    ))
    return change


def ensure_table(
    glue: Any, desired: dict[str, Any], writes: RegionWrites, account: str, replace: bool, asked: Collection[str] = ()
) -> Change:
    """Create the table; one whose definition differs from ``desired`` (another location, an earlier version) is
    updated only when ``replace``, or, where only the ``asked`` settings (this run's options set them) differ,
    without it. Made, deleting it puts it back; updated, its definition as it was."""
    try:
        current = glue.get_table(DatabaseName=DATABASE_NAME, Name=desired["Name"])["Table"]
    except ClientError as exc:
        if error_code(exc) != "EntityNotFoundException":
            raise
        current = None

    def write() -> None:
        if current is None:
            glue.create_table(DatabaseName=DATABASE_NAME, TableInput=desired)
        else:
            glue.update_table(DatabaseName=DATABASE_NAME, TableInput=_update_input(current, desired))

    region = glue.meta.region_name
    undo, action = ((delete_table(DATABASE_NAME, desired["Name"], account, region), DELETE_TABLE_ACTION)
                    if current is None else
                    (restore_table(glue, DATABASE_NAME, current, account, region), UPDATE_TABLE_ACTION))
    differences, asked_differences = set_apart(table_differences(current or {}, desired), asked)
    decided = decide_change(
        glue_table(desired["Name"]),
        exists=current is not None,
        replace=replace,
        differences=differences,
        asked=asked_differences,
        detail=desired["Parameters"].get("storage.location.template") or _location(desired),
    )
    ((change,),) = writes.make(Write((decided,), write, undo, action))
    return change


def table_differences(current: dict[str, Any], desired: dict[str, Any]) -> list[Difference]:
    """How a table's definition differs from ``desired`` in the parts this project decides (Glue adds bookkeeping
    fields of its own, and parameters someone else added are kept): location, columns, then the rest."""
    found = find_differences({"location": _location(current)}, {"location": _location(desired)})
    columns = _column_difference(_columns(current), _columns(desired))
    return found + ([columns] if columns else []) + find_differences(_table_settings(current), _table_settings(desired))


def _location(table: dict[str, Any]) -> str | None:
    return table.get("StorageDescriptor", {}).get("Location")


def _table_settings(table: dict[str, Any]) -> dict[str, Any]:
    storage = table.get("StorageDescriptor", {})
    serde = storage.get("SerdeInfo", {})
    own = {k: v for k, v in table.get("Parameters", {}).items() if _is_own_parameter(k)}
    return {
        "table type": table.get("TableType"),
        "partition keys": ", ".join(f"{key['Name']} {key['Type']}" for key in table.get("PartitionKeys", [])),
        "input format": storage.get("InputFormat"),
        "output format": storage.get("OutputFormat"),
        "SerDe": serde.get("SerializationLibrary"),
        **{f"parameter {key}": value for key, value in own.items()},
        **{f"SerDe parameter {key}": value for key, value in serde.get("Parameters", {}).items()},
    }


def _columns(table: dict[str, Any]) -> dict[str, str]:
    return {column["Name"]: column["Type"] for column in table.get("StorageDescriptor", {}).get("Columns", [])}


def _column_difference(current: dict[str, str], desired: dict[str, str]) -> Difference | None:
    """The columns that differ, by name (with their type when both sides have the name), or else their order."""
    if list(current.items()) == list(desired.items()):
        return None
    if current == desired:
        return Difference("column order", ", ".join(current), ", ".join(desired))

    def named(columns: dict[str, str], other: dict[str, str]) -> str:
        differing = [name for name, kind in columns.items() if other.get(name) != kind]
        return ", ".join(f"{name} {columns[name]}" if name in other else name for name in differing) or "(none)"

    return Difference("columns", named(current, desired), named(desired, current))


def _is_own_parameter(key: str) -> bool:
    return key in _OWN_PARAMETERS or key.startswith("projection.")


def _update_input(current: dict[str, Any], desired: dict[str, Any]) -> dict[str, Any]:
    """``desired`` with what describes the existing table and setup does not decide (UpdateTable replaces the whole
    definition): the table parameters someone else added (ours and projection.* are replaced), its description,
    owner and retention, the comments of columns and partition keys, and the storage descriptor's parameters."""
    foreign = {key: value for key, value in current.get("Parameters", {}).items() if not _is_own_parameter(key)}
    described = {key: current[key] for key in _DESCRIBING_FIELDS if key in current}
    storage = dict(desired["StorageDescriptor"])
    current_storage = current.get("StorageDescriptor", {})
    storage["Columns"] = _with_comments(storage["Columns"], current_storage.get("Columns", []))
    if "Parameters" in current_storage:
        storage["Parameters"] = current_storage["Parameters"]
    return {**desired, **described, "Parameters": {**foreign, **desired["Parameters"]}, "StorageDescriptor": storage,
            "PartitionKeys": _with_comments(desired["PartitionKeys"], current.get("PartitionKeys", []))}


_DESCRIBING_FIELDS = ("Description", "Owner", "Retention")


def _with_comments(columns: list[dict[str, Any]], current: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``columns`` with the comment a same-named column of ``current`` carries."""
    comments = {column["Name"]: column["Comment"] for column in current if "Comment" in column}
    return [{**column, "Comment": comments[column["Name"]]} if column["Name"] in comments else column
            for column in columns]


def ensure_workgroup(
    athena: Any, name: str, output_location: str, bytes_scanned_cutoff: int | None, writes: RegionWrites,
    replace: bool,
) -> Change:
    """Create the workgroup that writes results to the results bucket; one with other settings is brought in line
    only when ``replace``. ``bytes_scanned_cutoff`` is this run's --bytes-scanned-cutoff (None: the workgroup's own
    stays): asked for by name, it is set without ``replace``. Made, deleting it puts it back; updated, the settings it
    had."""
    current = _read_workgroup(athena, name)
    now = (current or {}).get("Configuration", {})
    cutoff = {} if bytes_scanned_cutoff is None else {"BytesScannedCutoffPerQuery": bytes_scanned_cutoff}
    settings = {"EnforceWorkGroupConfiguration": True, **cutoff}
    configuration = {"ResultConfiguration": {"OutputLocation": output_location}, **settings}

    def write() -> None:
        if current is None:
            athena.create_work_group(
                Name=name, Description="bedrock-usage queries over Bedrock invocation logs", Configuration=configuration
            )
        else:
            athena.update_work_group(
                WorkGroup=name,
                ConfigurationUpdates={"ResultConfigurationUpdates": {"OutputLocation": output_location}, **settings},
            )

    decided = decide_change(
        athena_workgroup(name),
        exists=current is not None,
        replace=replace,
        differences=find_differences(_workgroup_settings(now), _workgroup_settings(configuration)),
        asked=[] if bytes_scanned_cutoff is None else find_differences(
            {CUTOFF_SETTING: now.get("BytesScannedCutoffPerQuery")}, {CUTOFF_SETTING: bytes_scanned_cutoff}
        ),
        detail=output_location,
    )
    region = athena.meta.region_name
    undo, action = ((delete_workgroup(name, region), DELETE_WORKGROUP_ACTION) if current is None else
                    (restore_workgroup(name, now, output_location, bytes_scanned_cutoff, region),
                     UPDATE_WORKGROUP_ACTION))
    ((change,),) = writes.make(Write((decided,), write, undo, action))
    return change


def _workgroup_settings(configuration: dict[str, Any]) -> dict[str, Any]:
    """The settings of a workgroup's configuration setup decides, besides the scan limit."""
    return {
        "output location": configuration.get("ResultConfiguration", {}).get("OutputLocation"),
        "enforce workgroup configuration": configuration.get("EnforceWorkGroupConfiguration"),
    }


def _read_workgroup(athena: Any, name: str) -> dict[str, Any] | None:
    try:
        return athena.get_work_group(WorkGroup=name).get("WorkGroup") or None
    except ClientError as exc:
        if error_code(exc) == "InvalidRequestException" and "not found" in str(exc).lower():
            return None
        raise


def configure_region(
    aws: Aws, region: str, options: AthenaOptions, dry_run: bool, result: RegionSetup
) -> LogLocation:
    """Everything Athena needs in one region; the log location is read first so a missing one changes nothing.
    Returns that location."""
    account = aws.account_id()
    logs = find_log_location(aws, region, account, options)
    result.target = f"s3://{logs.bucket}/{normalise_prefix(logs.prefix)}"
    if logs.configured:
        check_delivery(aws, region, logs.bucket, result)
    table = table_input(logs, account, region, options.start_day)
    test = CountQuery(TEST_QUERY, PARTITION_COLUMN, partition_value(datetime.now(UTC).date()), "records")
    configure_athena(aws, region, options, table, test, dry_run, result)
    return logs


def check_delivery(aws: Aws, region: str, bucket: str, result: RegionSetup) -> None:
    """Warn (``result.warning``) when the bucket the region's logging configuration names is in another Region or
    does not exist: the table over it is made all the same, and stays empty until logging delivers.

    Bedrock delivers logs only to a bucket in the Region it logs (Amazon Bedrock User Guide, "Monitor model
    invocation using CloudWatch Logs and Amazon S3": only destinations of the same account and Region are
    supported). The bucket's Region is its GetBucketLocation (Amazon S3 API Reference, "GetBucketLocation": none
    for us-east-1, ``EU`` for eu-west-1: ``read_bucket_region``), NoSuchBucket when it does not exist (Amazon S3 API
    Reference, "Error responses"); a bucket whose Region cannot be read (AccessDenied) is there, but not checked:
    noted, with the statements to add where the setup policy grants that read on other bucket names only.
    """
    check = check_command([region], aws.profile)
    try:
        where = read_bucket_region(aws.client("s3", region), bucket)
    except AWS_ERRORS as exc:
        beyond = is_access_denied(exc) and not LOG_BUCKET_GRANT.covers(bucket)
        why = describe(exc, None if beyond else SETUP_POLICY_FILE)
        instead = (f"{LOG_BUCKET_GRANT.reads_beyond(bucket, 'setup')}, then run again to have setup check it, or run "
                   f"`{check}`") if beyond else f"`{check}` checks it"
        result.notes.append(f"bucket {bucket}: its Region is unknown ({why}), so whether Bedrock can deliver logs "
                            f"there is not checked: {instead}")
        return
    if where is None:
        result.warning = missing_bucket_warning(aws, region, check)
    elif where != region:
        move = setup_command([region], aws.profile, REPLACE_OPTION)
        result.warning = (f"the logging configuration of {region} names bucket {bucket}, which is in {where}: Bedrock "
                          f"delivers logs only to a bucket in the Region it logs, so none arrive there and the table "
                          f"over it stays empty; `{check}` shows it, and `{move}` (with --dry-run first) moves logging "
                          f"to a bucket in {region}, after which this setup with {REPLACE_OPTION} moves the table "
                          "there")


def missing_bucket_warning(aws: Aws, region: str, check: str) -> str:
    """The warning of a region whose log bucket does not exist, in check_bedrock_logging.py's words: its verdict on
    the region (``check_region``) and the command it prints, which makes the bucket again where logging names it
    (the plain setup for setup's own bucket name, else with ``--bucket`` and ``--prefix``)."""
    account = aws.account_id()
    status = check_region(aws, region, account)
    command = region_command(status, account, aws.profile)
    return (f"{cannot_deliver(status)}, so no logs arrive and the table over it stays empty; `{check}` shows it; "
            f"{run_line(status, account, command)} to make the bucket again where logging delivers (the table stays "
            "as it is)")


def configure_athena(
    aws: Aws,
    region: str,
    options: AthenaOptions,
    table: dict[str, Any],
    test: CountQuery,
    dry_run: bool,
    result: RegionSetup,
    earlier: Sequence[Write] = (),
) -> list[Write]:
    """Results bucket, database, ``table``, workgroup, then the ``test`` query; a refusal after a write names the
    ``earlier`` writes of the caller's steps (another bucket's, another table's) too. Returns those and the writes made
    here, for a later step's refusal to name."""
    account = aws.account_id()
    results_bucket = bucket_name(options.results_bucket_template, account, region)
    s3, glue, athena = (aws.client(service, region) for service in ("s3", "glue", "athena"))
    replace = options.replace_existing
    asked = options.asked_settings()
    writes = RegionWrites(dry_run, earlier)
    # all the bucket's reads first, then its writes, the rule first (granted apart from the hardening, so the
    # likeliest refused); a refusal on a team's bucket stops the region there, naming what to add
    with refusals_explained(results_bucket, RESULTS_BUCKET_GRANT), writes.guarded(result.changes):
        created, hardening = prepare_private_bucket(s3, results_bucket, region, writes, replace)
        new = created.action == CREATE
        # setup's own bucket: made now, or named as setup names it (a first run stopped before its rule was made)
        setups = new or results_bucket == bucket_name(DEFAULT_RESULTS_BUCKET_TEMPLATE, account, region)
        notes = [] if new else retention_notes(s3, results_bucket)
        try:
            days = options.expire_days if "expire_days" in options.explicit else _rule_days(s3, results_bucket)
            rule = expiry_rule(days or options.expire_days, not new and keeps_versions(s3, results_bucket))
            (lifecycle,) = writes.make(plan_lifecycle_rule(s3, results_bucket, rule, replace,
                                                           asked | {NONCURRENT_SETTING}, setups_bucket=setups))
        except AWS_ERRORS as exc:  # the rule only tidies query results: the region's other steps still run
            if not RESULTS_BUCKET_GRANT.covers(results_bucket) and is_access_denied(exc):
                raise
            lifecycle, lifecycle_error = [], (f"bucket {results_bucket}: lifecycle rule {EXPIRY_RULE_ID} not made "
                                              f"({describe(exc, SETUP_POLICY_FILE)}); the other steps ran")
        else:
            lifecycle_error = None
        block, encryption = writes.make(*hardening)
    result.changes += [created, *block, *encryption, *lifecycle]
    result.notes += notes
    # refused once the bucket's writes were made: they are named as what a run again needs, these steps those left
    with writes.then(result.changes, athena_steps(table["Name"], options.workgroup), SETUP_POLICY_FILE):
        result.changes.append(ensure_database(glue, writes, account))
        if "start_day" not in options.explicit:
            table = _with_earlier_range(glue, table)
        result.changes.append(ensure_table(glue, table, writes, account, replace, asked))
        output_location = f"s3://{results_bucket}/{RESULTS_PREFIX}"
        result.changes.append(
            ensure_workgroup(athena, options.workgroup, output_location, options.bytes_scanned_cutoff, writes,
                             replace)
        )
    result.error = lifecycle_error
    if not options.test_query or skips_test_query(result, dry_run):
        return writes.all_made
    place = QueryPlace(options.workgroup, results_bucket, RESULTS_BUCKET_GRANT, _location(table) or "")
    return run_setup_query(athena, test, place, writes.all_made, result)


def skips_test_query(result: RegionSetup, dry_run: bool) -> bool:
    """Whether the test query is skipped, noted with why: in a dry run, or where something was left as it is."""
    if dry_run:
        result.notes.append("test query skipped (dry run)")
    elif result.left_as_is:
        result.notes.append("test query skipped (what was left as it is may write or read elsewhere)")
    return dry_run or bool(result.left_as_is)
