"""The columns of the invocation-log table, shared by the Glue table and the local engine.

Only the fields the analyses read are declared. The bodies (``inputBodyJson``, ``outputBodyJson``) are declared as
text so the facts query can read the few numbers of ``logs/bodies.py`` from them: Athena's OpenX JSON SerDe reads a
nested object or array into a ``string`` column as its JSON text (Trino's reader, ``OpenXJsonDeserializer``'s
``VarcharDecoder``, writes a JSON object or list as JSON; the original SerDe returns the value's ``toString()``).
The local engine and the compacted copy keep only those numbers, never the bodies' text.
"""

from __future__ import annotations

TABLE_NAME = "bedrock_invocation_logs"
DATABASE_NAME = "bedrock_analytics"
PARTITION_COLUMN = "dt"

# (column name as in the JSON record, Hive type for Glue, DuckDB type for the local engine)
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("schemaType", "string", "VARCHAR"),
    ("schemaVersion", "string", "VARCHAR"),
    ("timestamp", "string", "VARCHAR"),
    ("accountId", "string", "VARCHAR"),
    ("identity", "struct<arn:string>", "STRUCT(arn VARCHAR)"),
    ("region", "string", "VARCHAR"),
    ("requestId", "string", "VARCHAR"),
    ("operation", "string", "VARCHAR"),
    ("modelId", "string", "VARCHAR"),
    (
        "input",
        "struct<inputContentType:string,inputTokenCount:bigint,cacheReadInputTokenCount:bigint,"
        "cacheWriteInputTokenCount:bigint,inputBodyS3Path:string,inputBodyJson:string>",
        "STRUCT(inputContentType VARCHAR, inputTokenCount BIGINT, cacheReadInputTokenCount BIGINT, "
        "cacheWriteInputTokenCount BIGINT, inputBodyS3Path VARCHAR, inputBodyJson VARCHAR)",
    ),
    (
        "output",
        "struct<outputContentType:string,outputTokenCount:bigint,outputBodyS3Path:string,outputBodyJson:string>",
        "STRUCT(outputContentType VARCHAR, outputTokenCount BIGINT, outputBodyS3Path VARCHAR, outputBodyJson VARCHAR)",
    ),
    ("inferenceRegion", "string", "VARCHAR"),
    ("requestMetadata", "map<string,string>", "MAP(VARCHAR, VARCHAR)"),
    ("errorCode", "string", "VARCHAR"),
)


def glue_columns() -> list[dict[str, str]]:
    """Column definitions in the form Glue's ``StorageDescriptor.Columns`` takes (lower-case names)."""
    return [{"Name": name.lower(), "Type": hive.lower()} for name, hive, _ in COLUMNS]


def duckdb_columns() -> dict[str, str]:
    """Column definitions in the form DuckDB's ``read_json(columns=...)`` takes."""
    return {name: duck for name, _, duck in COLUMNS}


BODY_FIELDS = {"input": "inputBodyJson", "output": "outputBodyJson"}
