"""The tracker's SQL, written once in Athena's (Trino) dialect with ``?`` placeholders.

One query returns usage "facts": calls and token sums at the finest grain any analysis needs
(local day and hour, caller, model, source region, long-context flag, tag values). Every analysis is a
roll-up of these priced facts, so the logs are read once per refresh and cost is applied per model,
region and day before anything is summed.

Athena accepts ``?`` only in a ``WHERE`` clause ("Use parameterized queries", Athena User Guide), so the values
the ``SELECT`` list needs enter the text as quoted literals, each checked first: the time zone is an IANA name
that ``zoneinfo`` knows, and a tag key matches the key pattern of the Converse API's ``requestMetadata`` (letters,
digits, spaces and ``:_@$#=/+,-.``: no quote or question mark can reach the text). Filters on user values stay
parameters in ``WHERE``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..errors import UsageError
from ..logs.layout import partition_value
from ..logs.period import Period
from ..logs.schema import PARTITION_COLUMN, TABLE_NAME
from .base import SqlParam

LONG_CONTEXT_TOKENS = 200_000
# No single call reads or writes more tokens than this; a larger or negative count marks a corrupt record.
MAX_TOKENS_PER_CALL = 100_000_000
# Timestamps must be ISO-8601 with a "T" (as the service writes them), so both engines read the same records.
ISO_TIMESTAMP_PATTERN = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}"
# The pattern of a requestMetadata key in the Bedrock Runtime API model (Converse, ConverseStream); ",-." is the
# character range from "," to ".".
TAG_KEY_PATTERN = re.compile(r"[a-zA-Z0-9\s:_@$#=/+,-.]{1,256}")
# IANA zone names are made of these characters only.
_ZONE_NAME = re.compile(r"[A-Za-z0-9_+\-/]+")

FACT_DIMENSIONS = (
    "day",
    "utc_day",
    "hour",
    "identity_arn",
    "source_region",
    "inference_region",
    "model_id",
    "operation",
    "long_context",
    "uses_cache",
    "duplicate",
)
FACT_MEASURES = (
    "calls",
    "errors",
    "input_tokens",
    "output_tokens",
    "cache_read_tokens",
    "cache_write_tokens",
)


@dataclass(frozen=True)
class Filters:
    """Row filters; every value reaches the engine as a query parameter."""

    arn_pattern: str | None = None
    models: tuple[str, ...] = ()


@dataclass(frozen=True)
class FactQuery:
    """SQL text and its positional parameters."""

    sql: str
    params: list[SqlParam] = field(default_factory=list)


def tag_column(index: int) -> str:
    """Name of the fact column that holds the ``index``-th requested requestMetadata tag."""
    return f"tag_{index}"


def usage_facts_query(period: Period, filters: Filters, tag_keys: tuple[str, ...]) -> FactQuery:
    """The facts query for a period.

    Records without a readable timestamp, or with a negative or impossibly large token count, come back
    with ``day`` NULL, to be counted as skipped. A record delivered more than once
    (same ``requestId`` and ``timestamp``: a re-synced object, an overlapping mirror) is counted once, a readable
    copy before an unreadable one; its extra copies come back flagged ``duplicate``. Calls with cache tokens are
    facts apart (``uses_cache``), so a model without a cache price leaves only those calls unpriced.
    """
    zone = zone_literal(period.tz)
    first_day, last_day = period.partition_days()
    tag_selects = [f"element_at(requestMetadata, {tag_key_literal(key)}) AS {tag_column(i)}" for i, key in
                   enumerate(tag_keys)]
    params: list[SqlParam] = [partition_value(first_day), partition_value(last_day)]

    conditions = ["ts >= from_iso8601_timestamp(?)", "ts < from_iso8601_timestamp(?)"]
    filter_params: list[SqlParam] = [
        period.utc_start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        period.utc_end.strftime("%Y-%m-%dT%H:%M:%SZ"),
    ]
    if filters.arn_pattern:
        conditions.append("strpos(identity_arn, ?) > 0")
        filter_params.append(filters.arn_pattern)
    if filters.models:
        conditions.append(f"model_id IN ({', '.join('?' for _ in filters.models)})")
        filter_params += list(filters.models)

    tags_inner = "".join(f",\n    {select}" for select in tag_selects)
    tags_outer = "".join(f", {tag_column(i)}" for i in range(len(tag_keys)))
    group_count = len(FACT_DIMENSIONS) + len(tag_keys)
    sql = f"""WITH parsed AS (
  SELECT
    CASE
      WHEN least(coalesce(input.inputTokenCount, 0), coalesce(input.cacheReadInputTokenCount, 0),
                 coalesce(input.cacheWriteInputTokenCount, 0), coalesce(output.outputTokenCount, 0)) < 0
        OR greatest(coalesce(input.inputTokenCount, 0), coalesce(input.cacheReadInputTokenCount, 0),
                    coalesce(input.cacheWriteInputTokenCount, 0), coalesce(output.outputTokenCount, 0))
           > {MAX_TOKENS_PER_CALL}
      THEN NULL
      WHEN NOT regexp_like(coalesce("timestamp", ''), '{ISO_TIMESTAMP_PATTERN}')
      THEN NULL
      ELSE try(from_iso8601_timestamp("timestamp"))
    END AS ts,
    requestId AS request_id,
    "timestamp" AS raw_timestamp,
    "$path" AS object_path,
    identity.arn AS identity_arn,
    region AS source_region,
    inferenceRegion AS inference_region,
    modelId AS model_id,
    operation AS operation_name,
    errorCode AS error_code,
    coalesce(input.inputTokenCount, 0) AS input_count,
    coalesce(input.cacheReadInputTokenCount, 0) AS cache_read_count,
    coalesce(input.cacheWriteInputTokenCount, 0) AS cache_write_count,
    coalesce(output.outputTokenCount, 0) AS output_count{tags_inner}
  FROM {TABLE_NAME}
  WHERE {PARTITION_COLUMN} BETWEEN ? AND ?
    AND NOT regexp_like("$path", '/data/[^/]*$')
),
delivered AS (
  SELECT *, row_number() OVER (PARTITION BY request_id, raw_timestamp ORDER BY ts IS NULL, object_path) AS copy_number
  FROM parsed
)
SELECT
  date_format(at_timezone(ts, {zone}), '%Y-%m-%d') AS day,
  date_format(ts, '%Y-%m-%d') AS utc_day,
  hour(at_timezone(ts, {zone})) AS hour,
  identity_arn,
  source_region,
  inference_region,
  model_id,
  operation_name AS operation,
  input_count + cache_read_count + cache_write_count > {LONG_CONTEXT_TOKENS} AS long_context,
  cache_read_count + cache_write_count > 0 AS uses_cache,
  request_id IS NOT NULL AND copy_number > 1 AS duplicate{tags_outer},
  count(*) AS calls,
  count_if(error_code IS NOT NULL) AS errors,
  sum(input_count) AS input_tokens,
  sum(output_count) AS output_tokens,
  sum(cache_read_count) AS cache_read_tokens,
  sum(cache_write_count) AS cache_write_tokens
FROM delivered
WHERE ts IS NULL OR ({' AND '.join(conditions)})
GROUP BY {', '.join(str(i) for i in range(1, group_count + 1))}"""
    return FactQuery(sql, params + filter_params)


def quoted(text: str) -> str:
    """A Trino string literal: single quotes, inner ones doubled."""
    return "'" + text.replace("'", "''") + "'"


def zone_literal(tz: str) -> str:
    """The time zone as a literal, once ``zoneinfo`` knows it (UsageError otherwise)."""
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise UsageError(f"'{tz}' is not a time zone name such as UTC or Asia/Seoul") from None
    if not _ZONE_NAME.fullmatch(tz):
        raise UsageError(f"'{tz}' is not an IANA time zone name")
    return quoted(tz)


def tag_key_literal(key: str) -> str:
    """A requestMetadata key as a literal, once it has the form the Converse API accepts (UsageError otherwise)."""
    if not TAG_KEY_PATTERN.fullmatch(key):
        raise UsageError(
            f"tag key {key!r} cannot be a requestMetadata key: keys are 1-256 letters, digits, spaces or :_@$#=/+,-."
        )
    return quoted(key)
