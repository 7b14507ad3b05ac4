"""An optional Parquet copy of the invocation logs for Athena: the parsed columns only, one partition per UTC day.

``setup_athena_bucket.py --compact`` creates the table (beside the query results, under ``compacted/``) and copies
every settled day not yet copied, with one ``INSERT INTO`` per block of at most 100 days (the most partitions one
Athena query may write). After each block the table parameter ``bedrock_usage.compacted_through`` records the
last day copied. The Athena engine then reads the days up to that one from Parquet and later days from the JSON
table, so a query scans about a sixteenth of the bytes (BENCHMARKS.md). Request and response bodies are never
copied. A copy interrupted and run again cannot double count: the facts query counts a record (``requestId`` and
``timestamp``) once, wherever its copies are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from ..engines.compacted import (
    COMPACT_PARTITION,
    COMPACT_TABLE,
    COMPACTED_THROUGH,
    EARLIER_COMPACT_TABLES,
    SOURCE_PATH,
    insert_sql,
    parse_compacted_through,
    read_compact_table,
)
from ..logs.layout import partition_value, region_prefix
from ..logs.schema import DATABASE_NAME, glue_columns
from ..output.progress import Reporter, Tally, silent
from .athena_setup import AthenaOptions, ensure_table, run_query
from .logging_config import LogLocation
from .logging_status import first_log_day
from .provisioning import KEEP, RegionSetup, bucket_name
from .session import Aws

COMPACTED_PREFIX = "compacted/"
MAX_DAYS_PER_INSERT = 100  # Athena's limit on the partitions one INSERT INTO writes
SETTLE_DAYS = 2  # a UTC day is copied once this many days have passed: late log objects have arrived by then
COMPACT_TIMEOUT_SECONDS = 1800.0
PARQUET_SERDE = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
PARQUET_INPUT_FORMAT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
PARQUET_OUTPUT_FORMAT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"


@dataclass(frozen=True)
class DayBlock:
    """Consecutive UTC days copied by one INSERT INTO."""

    first: date
    last: date


def compact_table_input(location: str) -> dict[str, Any]:
    """The Glue definition of the Parquet table at ``location`` (partitions are added by INSERT INTO)."""
    return {
        "Name": COMPACT_TABLE,
        "Description": "Parsed Amazon Bedrock invocation log records, without bodies, in Parquet (bedrock-usage)",
        "TableType": "EXTERNAL_TABLE",
        "Parameters": {"EXTERNAL": "TRUE", "classification": "parquet", "parquet.compression": "ZSTD"},
        "PartitionKeys": [{"Name": COMPACT_PARTITION, "Type": "string"}],
        "StorageDescriptor": {
            "Columns": [*glue_columns(), {"Name": SOURCE_PATH, "Type": "string"}],
            "Location": location,
            "InputFormat": PARQUET_INPUT_FORMAT,
            "OutputFormat": PARQUET_OUTPUT_FORMAT,
            "SerdeInfo": {"SerializationLibrary": PARQUET_SERDE, "Parameters": {"serialization.format": "1"}},
        },
    }


def block_params(block: DayBlock) -> list[str]:
    """The parameters of ``insert_sql`` for one block."""
    return [partition_value(block.first), partition_value(block.last)]


def settled_through(now: datetime | None = None) -> date:
    """The last UTC day old enough to copy."""
    return (now or datetime.now(UTC)).date() - timedelta(days=SETTLE_DAYS)


def blocks_to_copy(start: date, compacted_through: date | None, through: date) -> list[DayBlock]:
    """The day blocks after ``compacted_through`` (or from ``start``) up to ``through``."""
    first = max(start, compacted_through + timedelta(days=1)) if compacted_through else start
    blocks = []
    while first <= through:
        last = min(first + timedelta(days=MAX_DAYS_PER_INSERT - 1), through)
        blocks.append(DayBlock(first, last))
        first = last + timedelta(days=1)
    return blocks


def record_compacted_through(
    glue: Any, table: dict[str, Any], day: date, database: str = DATABASE_NAME
) -> dict[str, Any]:
    """Store ``day`` as the last day copied, keeping the rest of the table's definition; returns that definition."""
    keep = ("Name", "Description", "Owner", "Retention", "StorageDescriptor", "PartitionKeys", "TableType")
    table_input = {key: table[key] for key in keep if key in table}
    table_input["Parameters"] = {**table.get("Parameters", {}), COMPACTED_THROUGH: day.isoformat()}
    glue.update_table(DatabaseName=database, TableInput=table_input)
    return table_input


def compact_region(
    aws: Aws,
    region: str,
    logs: LogLocation,
    options: AthenaOptions,
    dry_run: bool,
    result: RegionSetup,
    now: datetime | None = None,
    progress: Reporter = silent,
) -> None:
    """Create the compacted table in ``region`` and copy the settled days of ``logs`` not yet copied, block by
    block; ``progress`` hears of the blocks done and of each block's query."""
    account = aws.account_id()
    location = f"s3://{bucket_name(options.results_bucket_template, account, region)}/{COMPACTED_PREFIX}"
    glue, athena = aws.client("glue", region), aws.client("athena", region)
    table_change = ensure_table(glue, compact_table_input(location + f"{COMPACT_TABLE}/"), dry_run,
                                options.replace_existing)
    result.changes.append(table_change)
    if table_change.action == KEEP:
        return
    for earlier in EARLIER_COMPACT_TABLES:
        old = read_compact_table(glue, name=earlier)
        if old is not None:
            where = old.get("StorageDescriptor", {}).get("Location", "its folder")
            result.notes.append(f"{earlier} (the compacted copy of an earlier version, whose days lack values the "
                                f"reports now read) is no longer read and was left as it is; it is the only copy of "
                                f"days whose JSON logs were deleted: delete it ({where}) only when you no longer "
                                "need those days")
    table = read_compact_table(glue)
    done = parse_compacted_through(table)
    start = options.start_day
    if done is None:  # a first run starts at the first day with logs, not years of empty partitions earlier
        first = first_log_day(aws.client("s3", region), logs.bucket, region_prefix(logs.prefix, account, region))
        if first is None:
            result.notes.append(f"no log objects yet: nothing to copy into {COMPACT_TABLE}")
            return
        start = max(start, first)
    blocks = blocks_to_copy(start, done, settled_through(now))
    if not blocks:
        result.notes.append(f"compacted table up to date (through {done})")
        return
    days = sum((block.last - block.first).days + 1 for block in blocks)
    span = f"{blocks[0].first}..{blocks[-1].last}"
    if dry_run or table is None:
        result.notes.append(f"would copy {days} days ({span}) into {COMPACT_TABLE} in {len(blocks)} queries")
        return
    copied = Tally(progress, f"compacting {region}", unit="day blocks")
    copied.start(len(blocks))
    for block in blocks:
        step = f"Athena {region} {block.first}..{block.last}"
        outcome = _run_insert(athena, options.workgroup, block, progress, step)
        if outcome:
            result.error = f"copying {block.first}..{block.last} into {COMPACT_TABLE}: {outcome}"
            copied.finish(f"stopped at {block.first}")
            return
        table = record_compacted_through(glue, table, block.last)
        copied.add(1)
    copied.finish(f"compacted through {blocks[-1].last}")
    result.notes.append(f"copied {days} days ({span}) into {COMPACT_TABLE}; compacted through {blocks[-1].last}")


def _run_insert(athena: Any, workgroup: str, block: DayBlock, progress: Reporter = silent, step: str = "") -> str:
    """Run one block's INSERT INTO; an empty string when it succeeded, else why not (a late query is stopped).
    ``progress`` hears the query's state at every poll, as ``step``."""
    query_id, execution = run_query(athena, workgroup, insert_sql(), block_params(block), COMPACT_TIMEOUT_SECONDS,
                                    progress, step)
    status = execution["Status"]
    state = status["State"]
    if state == "SUCCEEDED":
        return ""
    if state in ("FAILED", "CANCELLED"):
        return f"query {query_id} {state}: {status.get('StateChangeReason', 'no reason given')}"
    athena.stop_query_execution(QueryExecutionId=query_id)
    return f"query {query_id} did not finish within {COMPACT_TIMEOUT_SECONDS:.0f} s and was stopped; run again"
