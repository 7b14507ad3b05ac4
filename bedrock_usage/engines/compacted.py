"""Reading the compacted Parquet copy of the logs: its names, the copy SQL, and the facts SQL that reads it.

``setup_athena_bucket.py --compact`` (``aws/compaction.py``) fills the table; the table parameters
``bedrock_usage.compacted_from`` and ``bedrock_usage.compacted_through`` name the first and last day copied (every
day between them is). The Athena engine then reads those days from Parquet and every other day from the JSON table,
so a query scans about a sixteenth of the bytes. A copy that names no first day (made before it was recorded) is not
read until ``--compact`` runs again and records it: read as starting at the dawn of time, it hid the days before it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from botocore.exceptions import ClientError

from ..aws.session import error_code
from ..logs.bodies import reduced_body_sql
from ..logs.layout import RECORD_PATH_SQL, partition_value
from ..logs.schema import BODY_FIELDS, COLUMNS, DATABASE_NAME, PARTITION_COLUMN, TABLE_NAME

# The copy keeps reduced bodies (logs/bodies.py): when what they keep changes, the table gets a new name, so days
# copied by an earlier version are never read as if they held the new values (the new table is filled afresh).
COMPACT_TABLE = "bedrock_invocation_records_v7"
# v1: no Converse cache details or Nova Reel shots; v2: no video resolution or service tier; v3: no images given to
# an embeddings model or OpenAI-style service_tier; v4: no media given to Nova Multimodal Embeddings; v5: no cache
# breakpoints of a request; v6: no model a prompt router chose
EARLIER_COMPACT_TABLES = ("bedrock_invocation_records", "bedrock_invocation_records_v2",
                          "bedrock_invocation_records_v3", "bedrock_invocation_records_v4",
                          "bedrock_invocation_records_v5", "bedrock_invocation_records_v6")
COMPACT_PARTITION = "day"  # yyyy-MM-dd: Hive-style folders (day=2026-11-01) need a value without slashes
COMPACTED_FROM = "bedrock_usage.compacted_from"
COMPACTED_THROUGH = "bedrock_usage.compacted_through"
SOURCE_PATH = "source_path"
_DAY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_FROM_LOGS_RE = re.compile(rf"\bFROM {TABLE_NAME}\b")
_COLUMN_LIST = ", ".join(f'"{name}"' for name, _, _ in COLUMNS)
_TRINO_TYPES = {"string": "varchar", "bigint": "bigint"}


def _copied_column(name: str, hive: str) -> str:
    """A column as copied: the body inside ``input``/``output`` reduced to the values reports read."""
    if name not in BODY_FIELDS:
        return f'"{name}"'
    fields = [field.split(":") for field in hive[len("struct<"):-1].split(",")]
    values = [
        reduced_body_sql(f'"{name}".{field}', name, "trino", '"modelId"') if field == BODY_FIELDS[name]
        else f'"{name}".{field}'
        for field, _ in fields
    ]
    row_type = ", ".join(f"{field} {_TRINO_TYPES[kind]}" for field, kind in fields)
    return f'CAST(ROW({", ".join(values)}) AS ROW({row_type})) AS "{name}"'


def copy_select_sql() -> str:
    """The records of the JSON table between two ``dt`` partitions (``?``, ``?``) in the compacted table's shape, read
    from the objects the facts query reads (``RECORD_PATH_SQL``): the copy holds no row the reports would not read."""
    columns = ", ".join(_copied_column(name, hive) for name, hive, _ in COLUMNS)
    return (
        f'SELECT {columns}, "$path" AS {SOURCE_PATH}, replace({PARTITION_COLUMN}, \'/\', \'-\') AS '
        f"{COMPACT_PARTITION}\nFROM {TABLE_NAME}\nWHERE {PARTITION_COLUMN} BETWEEN ? AND ?\n  AND {RECORD_PATH_SQL}"
    )


def insert_sql() -> str:
    """Copy the days between two ``dt`` partitions (``?``, ``?``) into the compacted table."""
    return f"INSERT INTO {COMPACT_TABLE}\n{copy_select_sql()}"


@dataclass(frozen=True)
class CompactedDays:
    """The UTC days the compacted table holds: every day from ``first`` to ``last``."""

    first: date
    last: date


def parse_compacted_through(table: dict[str, Any] | None) -> date | None:
    """The last day copied, from the compacted table's definition (None when there is no usable one)."""
    return _day_parameter(table, COMPACTED_THROUGH)


def parse_compacted_days(table: dict[str, Any] | None) -> CompactedDays | None:
    """The days copied, from the compacted table's definition; None unless it names a usable first and last day."""
    first, last = _day_parameter(table, COMPACTED_FROM), _day_parameter(table, COMPACTED_THROUGH)
    return CompactedDays(first, last) if first and last and first <= last else None


def _day_parameter(table: dict[str, Any] | None, name: str) -> date | None:
    value = ((table or {}).get("Parameters") or {}).get(name, "")
    if not _DAY_RE.match(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def read_compact_table(glue: Any, database: str = DATABASE_NAME, name: str = COMPACT_TABLE) -> dict[str, Any] | None:
    """The compacted table's definition (or that of the table ``name``), or None when it does not exist."""
    try:
        return glue.get_table(DatabaseName=database, Name=name)["Table"]
    except ClientError as exc:
        if error_code(exc) == "EntityNotFoundException":
            return None
        raise


def reads_logs_table(sql: str) -> bool:
    """True when ``sql`` reads the JSON logs table exactly once (the form ``with_compacted_days`` rewrites)."""
    return len(_FROM_LOGS_RE.findall(sql)) == 1


def with_compacted_days(sql: str, compacted: CompactedDays | None, first_day: date, last_day: date) -> str:
    """``sql`` reading the compacted days of ``first_day``..``last_day`` from the compacted table, and the days before
    and after them from JSON.

    The days are rendered from ``date`` values (never from user text). ``sql`` is returned unchanged when no day
    of ``first_day``..``last_day`` is compacted, or when it does not read the logs table exactly once.
    """
    if (compacted is None or compacted.last < first_day or compacted.first > last_day
            or not reads_logs_table(sql)):
        return sql
    start, through = max(compacted.first, first_day), min(compacted.last, last_day)
    parts = [
        f'SELECT {_COLUMN_LIST}, {SOURCE_PATH} AS "$path", replace({COMPACT_PARTITION}, \'-\', \'/\') AS '
        f"{PARTITION_COLUMN} FROM {COMPACT_TABLE} "
        f"WHERE {COMPACT_PARTITION} BETWEEN '{start.isoformat()}' AND '{through.isoformat()}'"
    ]
    outside = ([f"{PARTITION_COLUMN} < '{partition_value(start)}'"] if first_day < start else []) + (
        [f"{PARTITION_COLUMN} > '{partition_value(through)}'"] if through < last_day else [])
    if outside:
        parts.append(f'SELECT {_COLUMN_LIST}, "$path", {PARTITION_COLUMN} FROM {TABLE_NAME} '
                     f"WHERE {' OR '.join(outside)}")
    source = "FROM (\n    " + "\n    UNION ALL\n    ".join(parts) + f"\n  ) AS {TABLE_NAME}"
    return _FROM_LOGS_RE.sub(lambda _: source, sql)
