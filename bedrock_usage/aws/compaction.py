"""An optional Parquet copy of the invocation logs for Athena: the parsed columns only, one partition per UTC day.

``setup_athena_bucket.py --compact`` creates the table (beside the query results, under ``compacted/``) and copies
every settled day not yet copied from the first day with logs (or ``--start-date``, when later), with one
``INSERT INTO`` per block of at most 100 days (the most partitions one Athena query may write). After each block the
table parameters ``bedrock_usage.compacted_from`` and ``bedrock_usage.compacted_through`` record the first and last
day copied; days before the first copied one (an earlier ``--start-date``, logs found earlier) are copied block by
block backwards from it, so the days between the two are always all copied. The Athena engine reads those days from
Parquet and every other day from the JSON table, so a query scans about a sixteenth of the bytes (BENCHMARKS.md).
Request and response bodies are never copied. A copy interrupted and run again cannot double count: the facts query
counts a record (``requestId`` and ``timestamp``) once, wherever its copies are.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from ..engines.compacted import (
    COMPACT_PARTITION,
    COMPACT_TABLE,
    COMPACTED_FROM,
    COMPACTED_THROUGH,
    EARLIER_COMPACT_TABLES,
    SOURCE_PATH,
    CompactedDays,
    insert_sql,
    parse_compacted_days,
    parse_compacted_through,
    read_compact_table,
)
from ..logs.layout import partition_value, region_prefix
from ..logs.schema import DATABASE_NAME, TABLE_NAME, glue_columns
from ..output.progress import Reporter, Tally, silent
from .athena_queries import run_query
from .athena_setup import AthenaOptions, ensure_table, projection_range
from .logging_config import LogLocation
from .logging_status import first_log_day
from .provisioning import KEEP, RegionSetup, RegionWrites, bucket_name
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


def blocks_around(start: date, copied: CompactedDays | None, through: date) -> list[DayBlock]:
    """The blocks still to copy of ``start``..``through``, in the order that keeps the copied days one span: the
    days before ``copied`` backwards from its first day, then the days after it."""
    if copied is None:
        return blocks_to_copy(start, None, through)
    before = blocks_to_copy(start, None, copied.first - timedelta(days=1))[::-1]
    return before + blocks_to_copy(start, copied.last, through)


def record_compacted_days(
    glue: Any, table: dict[str, Any], days: CompactedDays, database: str = DATABASE_NAME
) -> dict[str, Any]:
    """Store the first and last day copied, keeping the rest of the table's definition; returns that definition."""
    keep = ("Name", "Description", "Owner", "Retention", "StorageDescriptor", "PartitionKeys", "TableType")
    table_input = {key: table[key] for key in keep if key in table}
    table_input["Parameters"] = {**table.get("Parameters", {}), COMPACTED_FROM: days.first.isoformat(),
                                 COMPACTED_THROUGH: days.last.isoformat()}
    glue.update_table(DatabaseName=database, TableInput=table_input)
    return table_input


def first_copied_day(glue: Any, database: str = DATABASE_NAME) -> date | None:
    """The earliest day partition of the compacted table (a copy that recorded only its last day), or None."""
    days = []
    for page in glue.get_paginator("get_partitions").paginate(DatabaseName=database, TableName=COMPACT_TABLE):
        for partition in page.get("Partitions", []):
            with contextlib.suppress(ValueError, IndexError):
                days.append(date.fromisoformat(partition["Values"][0]))
    return min(days, default=None)


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
    table_change = ensure_table(glue, compact_table_input(location + f"{COMPACT_TABLE}/"), RegionWrites(dry_run),
                                account, options.replace_existing)
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
    done = _copied_days(glue, table)
    if done and table is not None and parse_compacted_days(table) is None and not dry_run:
        table = record_compacted_days(glue, table, done)  # an earlier version's copy: read again from now on
        result.notes.append(f"{COMPACT_TABLE} holds {done.first} through {done.last} (its partitions); recorded")
    # the first day with logs, not years of empty partitions before it
    first = first_log_day(aws.client("s3", region), logs.bucket, region_prefix(logs.prefix, account, region))
    if first is None and done is None:
        result.notes.append(f"no log objects yet: nothing to copy into {COMPACT_TABLE}")
        return
    # Athena reads no day before the JSON table's projection starts (an earlier --start-date a run without it keeps):
    # a copy of those days would copy nothing and still be recorded
    start = max(_projection_start(glue) or options.start_day, first) if first else done.first
    if done and start > done.last + timedelta(days=1):  # the copy would not reach the first day read: begun again
        result.notes.append(f"{COMPACT_TABLE} held {done.first} through {done.last}, before the first day the logs "
                            f"table reads ({start}): copied afresh from {start}")
        done = None
    blocks = blocks_around(start, done, settled_through(now))
    if not blocks:
        result.notes.append(f"compacted table up to date ({done.first} through {done.last})" if done else
                            f"no settled day to copy into {COMPACT_TABLE} yet")
        return
    days = sum((block.last - block.first).days + 1 for block in blocks)
    span = " and ".join(f"{part.first}..{part.last}" for part in _spans(blocks))
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
        done = CompactedDays(min(block.first, done.first), max(block.last, done.last)) if done else CompactedDays(
            block.first, block.last)
        table = record_compacted_days(glue, table, done)
        copied.add(1)
    copied.finish(f"compacted {done.first} through {done.last}")
    result.notes.append(f"copied {days} days ({span}) into {COMPACT_TABLE}; compacted {done.first} through "
                        f"{done.last}")


def _projection_start(glue: Any) -> date | None:
    """The first day the JSON logs table's ``dt`` projection covers (``yyyy/MM/dd,NOW``), or None."""
    first = projection_range(glue, TABLE_NAME).split(",", 1)[0]
    try:
        return datetime.strptime(first, "%Y/%m/%d").date()
    except ValueError:
        return None


def _spans(blocks: list[DayBlock]) -> list[DayBlock]:
    """``blocks`` as runs of consecutive days, in day order."""
    spans: list[DayBlock] = []
    for block in sorted(blocks, key=lambda b: b.first):
        if spans and spans[-1].last + timedelta(days=1) == block.first:
            spans[-1] = DayBlock(spans[-1].first, block.last)
        else:
            spans.append(block)
    return spans


def _copied_days(glue: Any, table: dict[str, Any] | None) -> CompactedDays | None:
    """The days the compacted table holds; for a copy that recorded its last day only (an earlier version), its
    first day from its partitions."""
    days = parse_compacted_days(table)
    through = parse_compacted_through(table)
    if days is not None or through is None or table is None:
        return days
    first = first_copied_day(glue)
    return CompactedDays(first, through) if first and first <= through else None


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
