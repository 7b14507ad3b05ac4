"""The tracker's SQL, written once in Athena's (Trino) dialect with ``?`` placeholders.

One query returns usage "facts": calls and token sums at the finest grain any analysis needs
(local day and hour, caller, model, source region, pricing dimensions, tag values). Every analysis is a
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

from ..errors import UsageError
from ..logs.bodies import (
    CACHE_DETAILS_ENTRIES,
    CACHE_DETAILS_PATH,
    CACHE_POINT,
    CACHE_POINT_1H,
    CACHE_POINTS,
    CACHE_POINTS_1H,
    CACHE_SPLIT_PATHS,
    DOCUMENTS_COUNT,
    DOCUMENTS_PATH,
    GUARDRAIL_INTERVENED,
    LATENCY_PATH,
    MEDIA_COUNT,
    ROUTED_MODEL_PATH,
    SERVICE_TIER_PATHS,
    SHOTS_COUNT,
    SHOTS_PATH,
    STOP_REASON_PATH,
    STREAM_PREFIX,
    cache_points_sql,
    json_path,
    media_given_sql,
    via_router_sql,
)
from ..logs.layout import RECORD_PATH_SQL, SERVICE_FOLDER, partition_value
from ..logs.period import ATHENA_UNKNOWN_ZONES, Period, is_zone_name
from ..logs.schema import PARTITION_COLUMN, TABLE_NAME
from ..output.notices import Notice
from ..pricing.book import MAX_CONTEXT_TIER_K
from .base import SqlParam

# ``context_over`` is the largest context threshold of the price book (its ``above_{N}k`` tiers, the user's price
# file's included) that a call's input with cache exceeds, so each tier can be applied. Athena takes ``?`` only in
# WHERE, so the thresholds enter as one parameter (",128,200,", in thousands) that picks them from 1..N; only their
# count (the CASE branches of ``context_over``) shapes the text.
# Per-call values read from logged bodies (logs/bodies.py); with no request body in the record they are 0 and
# ``request_body`` says why (``none``: not logged; ``offloaded``: over 100 KB, delivered apart under ``/data/``,
# which reports do not read), so a model billed per image, second or query is left unpriced rather than priced at 0.
# A logged body that gives an embeddings model images, video or audio is ``media``: such calls are priced (or left
# unpriced) apart from the text-only calls of the same hour. A failed call (``errorCode``) is ``failed`` whatever
# became of its body: it bills no images, seconds of video, rerank queries or media, so nothing of its body is
# needed to price it, and its facts are apart from those of the calls that succeeded.
# A logged request that asks a count of images, seconds of video or rerank queries no call can be billed (below one,
# or above ``MAX_UNITS_PER_CALL``: a corrupt or hand-made record) is ``impossible``: a call of a model billed in that
# unit is unpriced, never priced at a negative or absurd figure.
BODY_DIMENSIONS = ("context_over", "request_body", "media_size", "image_quality", "service_tier")
REQUEST_BODY_LOGGED, REQUEST_BODY_MEDIA = "logged", "media"
REQUEST_BODY_OFFLOADED, REQUEST_BODY_NONE, REQUEST_BODY_FAILED = "offloaded", "none", "failed"
REQUEST_BODY_IMPOSSIBLE = "impossible"
# Far above what one call can ask: Nova Canvas and Titan Image Generator make 1 to 5 images a call, Nova Reel at most
# two minutes of video, a rerank call scores at most 1,000 documents (10 queries).
MAX_UNITS_PER_CALL = 1_000
UNIT_COUNTS = ("unit_images", "unit_video_seconds", "unit_rerank_queries")  # per call, from ``_unit_counts``
# ``cache_split_unknown_*``: calls with cache writes whose response went to ``/data/`` and whose request does not tell
# their time to live (not logged inline, or its breakpoints ask both), and their cache writes: priced at the 5-minute
# rate, and said so.
BODY_MEASURES = ("images", "video_seconds", "rerank_queries", "media_given", "cache_write_1h_tokens",
                 "guardrail_interventions", "cache_split_unknown_calls", "cache_split_unknown_tokens")
DEFAULT_TIER = "default"  # ``service_tier`` of a call whose bodies name no tier: on-demand standard
LATENCY_OPTIMIZED = "latency-optimized"
DEFAULT_VIDEO_SECONDS = 6  # Nova Reel's durationSeconds when the request leaves it out
SHOT_SECONDS = 6  # each shot of a Nova Reel MULTI_SHOT_MANUAL request
RERANK_DOCUMENTS_PER_QUERY = 100  # a rerank call of more documents bills one query per 100
# No single call reads or writes more tokens than this; a larger or negative count marks a corrupt record.
MAX_TOKENS_PER_CALL = 100_000_000
# Timestamps must be ISO-8601 with a "T" (as the service writes them), so both engines read the same records.
ISO_TIMESTAMP_PATTERN = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}"
# The pattern of a requestMetadata key in the Bedrock Runtime API model (Converse, ConverseStream); ",-." is the
# character range from "," to ".".
TAG_KEY_PATTERN = re.compile(r"[a-zA-Z0-9\s:_@$#=/+,-.]{1,256}")
# IANA zone names are made of these characters only.
_ZONE_NAME = re.compile(r"[A-Za-z0-9_+\-/]+")

# The grain of the facts: what attribution, pricing and every roll-up or feature reading the facts needs, and
# nothing more (the inference region, the operation and the 200K flag, which no figure reads, would multiply the
# rows). ``RECORD_DIMENSIONS`` added give one row per delivered record, the finest grain there is.
FACT_DIMENSIONS = (
    "day",
    "utc_day",
    "hour",
    "identity_arn",
    "source_region",
    "model_id",
    "cache_kinds",
    "duplicate",
    *BODY_DIMENSIONS,
)
RECORD_DIMENSIONS = ("request_id", "raw_timestamp", "object_path", "inference_region", "operation")
# Why a record was skipped and the object holding it, NULL for every other row (a readable record, an extra copy), so
# they leave the grain of the readable records as it is; every facts query groups by them.
SKIP_DIMENSIONS = ("skip_reason", "skipped_object")
# ``skip_reason``: a line that is not JSON (the reader gives it no field: a row of NULLs, Athena's
# ``ignore.malformed.json`` too), a record without a readable timestamp, or one whose token counts are impossible
# (negative, above ``MAX_TOKENS_PER_CALL``) or not integers (the local engine reads those as -1; Athena fails instead).
SKIPPED_NOT_JSON, SKIPPED_NO_TIMESTAMP, SKIPPED_TOKEN_COUNTS = "not_json", "no_timestamp", "token_counts"
# ``prompt_router_calls``: calls made through a prompt router, counted under the model it chose where the logged
# response names it (``model_id``), else under the router's ARN.
FACT_MEASURES = (
    "calls",
    "errors",
    "input_tokens",
    "output_tokens",
    "cache_read_tokens",
    "cache_write_tokens",
    *BODY_MEASURES,
    "prompt_router_calls",
)


CACHE_1H = CACHE_SPLIT_PATHS[1]
# ``cache_kinds``: which cache quantities a call bills, one bit each, so the calls of a model whose book lacks one
# of their rates are the only ones left unpriced (a fact row is priced or not as a whole); and whether a call through
# a prompt router logged no tokens at all (``ROUTED_NO_TOKENS``), so such a call, which costs nothing whichever model
# the router chose, is a fact apart from the router's calls with tokens (``report/priced_facts.py``).
CACHE_READS, CACHE_WRITES_5M, CACHE_WRITES_1H, ROUTED_NO_TOKENS = 1, 2, 4, 8


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


def _body_text(path: str, side: str = "input") -> str:
    """A value of a logged body (``input_body`` or ``output_body``) as text; NULL when absent."""
    return f"json_extract_scalar({side}_body, '{json_path(path)}')"


def _body_number(path: str, side: str = "input") -> str:
    """A whole number of a logged body; NULL when absent or not a number. A fraction is rounded half away from zero
    by ``round`` first: a cast alone rounds 2.5 to 3 on Trino (Athena) but to 2 on DuckDB."""
    return f"try(CAST(round(CAST({_body_text(path, side)} AS double)) AS bigint))"


def _unit_counts() -> str:
    """What a call is billed in besides tokens, as its logged request body says, one column each (``UNIT_COUNTS``):
    images made, seconds of video (Nova Reel's ``durationSeconds``, six per manual shot, Luma's ``duration`` like
    "5s", else Nova Reel's default) and rerank queries (one per 100 documents). NULL for a call without a logged
    request body, and for a failed call, which makes and bills none."""
    images = f'coalesce({_body_number("imageGenerationConfig.numberOfImages")}, {_body_number("samples")}, 1)'
    shots = (f"{SHOT_SECONDS} * coalesce({_body_number(SHOTS_COUNT)}, "
             f"json_array_length(json_extract(input_body, '{json_path(SHOTS_PATH)}')))")
    seconds = (f'coalesce({_body_number("videoGenerationConfig.durationSeconds")}, {shots}, '
               f"try(CAST(regexp_extract({_body_text('duration')}, '[0-9]+') AS bigint)), {DEFAULT_VIDEO_SECONDS})")
    documents = (f"coalesce({_body_number(DOCUMENTS_COUNT)}, "
                 f"json_array_length(json_extract(input_body, '{json_path(DOCUMENTS_PATH)}')), 1)")
    queries = f"greatest(1, CAST(ceil({documents} / {RERANK_DOCUMENTS_PER_QUERY}.0) AS bigint))"
    counts = dict(zip(UNIT_COUNTS, (images, seconds, queries), strict=True))
    return ", ".join(f"CASE WHEN body_logged AND error_code IS NULL THEN {sql} END AS {column}"
                     for column, sql in counts.items())


def _unit_sums() -> str:
    """The sums of what calls are billed in besides tokens (``_unit_counts``) and of the media given to an embeddings
    model. A call without a logged request body counts none, and so does a failed call, which makes and bills none,
    and one whose request asks an impossible count (``_UNITS_IMPOSSIBLE``), which is unpriced."""
    sums = [f"sum(CASE WHEN {_UNITS_IMPOSSIBLE} THEN 0 ELSE coalesce({column}, 0) END) AS {name}"
            for name, column in zip(("images", "video_seconds", "rerank_queries"), UNIT_COUNTS, strict=True)]
    sums.append("sum(CASE WHEN NOT body_logged OR error_code IS NOT NULL THEN 0 ELSE media_count END) AS media_given")
    return ",\n  ".join(sums)


def _request_writes_1h() -> str:
    """The 1-hour cache writes of a call with cache writes whose response went to ``/data/``, as its logged request
    says: none when no breakpoint asks one hour (5 minutes is the default), all of them when every breakpoint does;
    NULL when the request does not tell (not logged inline, or breakpoints of both kinds), and for other calls."""
    points, points_1h = (f"coalesce({_body_number(key)}, {cache_points_sql('input_body', pattern)}, 0)"
                         for key, pattern in ((CACHE_POINTS, CACHE_POINT), (CACHE_POINTS_1H, CACHE_POINT_1H)))
    return (f"CASE WHEN response_offloaded AND body_logged AND cache_write_count > 0 THEN "
            f"CASE WHEN {points_1h} = 0 THEN 0 WHEN {points_1h} = {points} THEN cache_write_count END END")


def _cache_writes_1h() -> str:
    """A call's 1-hour cache writes, between 0 and its logged cache writes: from Anthropic's
    ``usage.cache_creation`` (InvokeModel, or a stream's first chunk) or Converse's ``usage.cacheDetails`` entry whose
    ``ttl`` is ``1h``; for a response delivered apart under ``/data/``, from the request (``request_1h_count``)."""
    converse = " ".join(
        f"WHEN {_body_text(f'{CACHE_DETAILS_PATH}[{i}].ttl', 'output')} = '1h' "
        f"THEN {_body_number(f'{CACHE_DETAILS_PATH}[{i}].inputTokens', 'output')}"
        for i in range(CACHE_DETAILS_ENTRIES)
    )
    return (f"greatest(0, least(cache_write_count, coalesce({_body_number(CACHE_1H, 'output')}, "
            f"{_body_number(STREAM_PREFIX + CACHE_1H, 'output')}, CASE {converse} END, request_1h_count, 0)))")


def _cache_kinds() -> str:
    """The ``cache_kinds`` bits of a call: cache reads, 5-minute writes, 1-hour writes (``cache_write_1h_count``, read
    from the body once per record), a call through a prompt router without tokens."""
    return (f"CASE WHEN cache_read_count > 0 THEN {CACHE_READS} ELSE 0 END"
            f" + CASE WHEN cache_write_count > cache_write_1h_count THEN {CACHE_WRITES_5M} ELSE 0 END"
            f" + CASE WHEN cache_write_1h_count > 0 THEN {CACHE_WRITES_1H} ELSE 0 END"
            " + CASE WHEN coalesce(via_router, false) AND input_count + output_count + cache_read_count"
            f" + cache_write_count = 0 THEN {ROUTED_NO_TOKENS} ELSE 0 END")


def _service_tier() -> str:
    """The service tier that served a call, as the response says or else the request asked (``default`` when
    neither does); ``latency-optimized`` for a call served with optimized latency."""
    def said(*paths: str) -> str:  # "auto" (OpenAI clients' default) names no tier: the next value decides
        values = [f"nullif(lower({_body_text(path, side)}), 'auto')" for side in ("output", "input") for path in paths]
        return f"coalesce({', '.join(values)})"
    return (f"CASE WHEN {said(LATENCY_PATH)} = 'optimized' THEN '{LATENCY_OPTIMIZED}' "
            f"ELSE coalesce({said(*SERVICE_TIER_PATHS)}, '{DEFAULT_TIER}') END")


def _context_over(count: int) -> str:
    """The largest of the ``count`` thresholds of ``context_tiers`` (largest first) a call's input (with cache)
    exceeds, or 0."""
    tokens = "input_count + cache_read_count + cache_write_count"
    cases = " ".join(f"WHEN {tokens} > element_at(context_thresholds, {i}) THEN element_at(context_thresholds, {i})"
                     for i in range(1, count + 1))
    return f"CASE {cases} ELSE 0 END" if cases else "0"


def _context_tiers() -> str:
    """The ``context_tiers`` row: the thresholds (tokens) its parameter lists in thousands between commas."""
    return f"""context_tiers AS (
  SELECT array_agg(k * 1000 ORDER BY k DESC) AS context_thresholds
  FROM UNNEST(sequence(1, {MAX_CONTEXT_TIER_K})) AS tiers(k)
  WHERE strpos(?, ',' || CAST(k AS varchar) || ',') > 0
)"""


def context_tiers_param(thresholds: tuple[int, ...]) -> str:
    """The ``context_tiers`` parameter of thresholds in tokens: their thousands between commas (",128,200,")."""
    return "," + "".join(f"{n // 1000}," for n in thresholds)


def usage_facts_query(
    period: Period, filters: Filters, tag_keys: tuple[str, ...], dimensions: tuple[str, ...] = FACT_DIMENSIONS,
    narrow_dedup: bool = False, context_thresholds: tuple[int, ...] = (),
) -> FactQuery:
    """The facts query for a period.

    Records without a readable timestamp, or with a negative or impossibly large token count, come back
    with ``day`` NULL, to be counted as skipped unless flagged ``duplicate``. A record delivered more than once
    (same ``requestId`` and ``timestamp``: a re-synced object, an overlapping mirror) is counted once, a readable
    copy before an unreadable one; its extra copies, readable or not, come back flagged ``duplicate`` where the
    period and filters keep them (an unreadable one by its own timestamp). Calls are facts apart by the
    cache quantities they bill (``cache_kinds``), so a model without one cache price leaves only the calls that
    bill it unpriced. Failed calls bill no images or media (made or given), seconds of video or rerank queries.
    ``dimensions`` (``FACT_DIMENSIONS``, optionally with some of ``RECORD_DIMENSIONS``) are the columns grouped by,
    with ``SKIP_DIMENSIONS`` (a skipped record's reason and object, NULL for other rows);
    ``context_thresholds`` (tokens, multiples of 1,000: ``PriceBook.context_thresholds``) decide ``context_over``.

    The copies are numbered by a window over every record. With ``narrow_dedup`` (for engines where reading the
    logs again costs time, not bytes billed: DuckDB) a first, narrow read finds the hashes of keys seen more than
    once, and only the records with such a hash go through the window: the same numbering (a hash collision only
    sends a record through the window, where its own key decides), without holding every record in it.
    """
    zone = zone_literal(period.tz)
    first_day, last_day = period.partition_days()
    # A record skipped (no readable timestamp, impossible token counts) is this period's when its timestamp is in
    # it, or, unreadable, when its folder is one of the period's own (``Period.own_folder_days``): the next day's
    # folder, read for the last day's late calls, is that day's, and a folder two days of a zone straddle is one's.
    # Literals: dates and times write only digits, "/", "-", ":", "T" and "Z", and Athena takes at most 25
    # parameters.
    own_first, own_last = (quoted(partition_value(day)) for day in period.own_folder_days())
    stamp_in_period = (f"stamp >= from_iso8601_timestamp({quoted(period.utc_start.strftime('%Y-%m-%dT%H:%M:%SZ'))}) "
                       f"AND stamp < from_iso8601_timestamp({quoted(period.utc_end.strftime('%Y-%m-%dT%H:%M:%SZ'))})")
    tag_selects = [f"element_at(requestMetadata, {tag_key_literal(key)}) AS {tag_column(i)}" for i, key in
                   enumerate(tag_keys)]
    params: list[SqlParam] = [partition_value(first_day), partition_value(last_day),
                              context_tiers_param(context_thresholds)]

    conditions = ["kept_ts >= from_iso8601_timestamp(?)", "kept_ts < from_iso8601_timestamp(?)"]
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
    expressions = _dimension_expressions(zone, len(context_thresholds))
    dimensions = (*dimensions, *(name for name in SKIP_DIMENSIONS if name not in dimensions))
    dimension_selects = ",\n  ".join(f"{expressions[name]} AS {name}" for name in dimensions)
    group_count = len(dimensions) + len(tag_keys)
    sql = f"""WITH parsed AS {"NOT MATERIALIZED " if narrow_dedup else ""}(
  SELECT
    CASE
      WHEN least(coalesce(input.inputTokenCount, 0), coalesce(input.cacheReadInputTokenCount, 0),
                 coalesce(input.cacheWriteInputTokenCount, 0), coalesce(output.outputTokenCount, 0)) < 0
        OR greatest(coalesce(input.inputTokenCount, 0), coalesce(input.cacheReadInputTokenCount, 0),
                    coalesce(input.cacheWriteInputTokenCount, 0), coalesce(output.outputTokenCount, 0))
           > {MAX_TOKENS_PER_CALL}
      THEN NULL
      ELSE {_STAMP}
    END AS ts,
    {_STAMP} AS stamp,
    {_NO_FIELD} AS no_field,
    requestId AS request_id,
    "timestamp" AS raw_timestamp,
    "$path" AS object_path,
    {PARTITION_COLUMN} AS partition_day,
    identity.arn AS identity_arn,
    coalesce(nullif(region, ''), {_FOLDER_REGION}) AS source_region,
    inferenceRegion AS inference_region,
    {_MODEL_ID} AS model_id,
    {_VIA_ROUTER} AS via_router,
    operation AS operation_name,
    nullif(errorCode, '') AS error_code,
    coalesce(input.inputTokenCount, 0) AS input_count,
    coalesce(input.cacheReadInputTokenCount, 0) AS cache_read_count,
    coalesce(input.cacheWriteInputTokenCount, 0) AS cache_write_count,
    coalesce(output.outputTokenCount, 0) AS output_count,
    input.inputBodyJson IS NOT NULL AS body_logged,
    input.inputBodyS3Path IS NOT NULL AS body_offloaded,
    output.outputBodyS3Path IS NOT NULL AS response_offloaded,
    nullif(input.inputBodyJson, '{{}}') AS input_body,
    nullif(output.outputBodyJson, '{{}}') AS output_body{tags_inner}
  FROM {TABLE_NAME}
  WHERE {PARTITION_COLUMN} BETWEEN ? AND ?
    AND {RECORD_PATH_SQL}
),
{_delivered(narrow_dedup)},
{_context_tiers()}
SELECT
  {dimension_selects}{tags_outer},
  count(*) AS calls,
  count_if(error_code IS NOT NULL) AS errors,
  sum(input_count) AS input_tokens,
  sum(output_count) AS output_tokens,
  sum(cache_read_count) AS cache_read_tokens,
  sum(cache_write_count) AS cache_write_tokens,
  {_unit_sums()},
  sum(cache_write_1h_count) AS cache_write_1h_tokens,
  count_if(coalesce({_body_text(STOP_REASON_PATH, "output")} = '{GUARDRAIL_INTERVENED}', false))
    AS guardrail_interventions,
  count_if({_SPLIT_UNKNOWN}) AS cache_split_unknown_calls,
  sum(CASE WHEN {_SPLIT_UNKNOWN} THEN cache_write_count ELSE 0 END) AS cache_split_unknown_tokens,
  count_if(via_router) AS prompt_router_calls
FROM (SELECT *, {_cache_writes_1h()} AS cache_write_1h_count, {_KEPT_TS} AS kept_ts,
        coalesce({_body_number(MEDIA_COUNT)}, {media_given_sql("input_body")}) AS media_count
      FROM (SELECT *, {_request_writes_1h()} AS request_1h_count, {_unit_counts()} FROM delivered))
CROSS JOIN context_tiers
WHERE (kept_ts IS NULL AND CASE WHEN stamp IS NULL THEN partition_day BETWEEN {own_first} AND {own_last}
                            ELSE {stamp_in_period} END)
  OR ({' AND '.join(conditions)})
GROUP BY {', '.join(str(i) for i in range(1, group_count + 1))}"""
    return FactQuery(sql, params + filter_params)


# A record without ``region`` (absent, null or empty) was made in the region whose folder holds it (the key layout,
# logs/layout.py): it is priced there rather than left unpriced. No match is NULL on Athena, '' on DuckDB.
_FOLDER_REGION = f"nullif(regexp_extract(\"$path\", '/{SERVICE_FOLDER}/([a-z0-9-]+)/[0-9]{{4}}/', 1), '')"
_STAMP = (f"CASE WHEN regexp_like(coalesce(\"timestamp\", ''), '{ISO_TIMESTAMP_PATTERN}') "
          "THEN try(from_iso8601_timestamp(\"timestamp\")) END")
# A call through a prompt router is a call of the model the router chose, as its logged response names it
# (``ROUTED_MODEL_PATH``): its model id, price, endpoint family and filter are that model's. Only such calls read the
# response; one that does not name the model keeps the router's ARN (unpriced, ``report/tracker.py`` says why).
_VIA_ROUTER = via_router_sql("modelId")
_MODEL_ID = (f"CASE WHEN {_VIA_ROUTER} THEN coalesce(nullif(json_extract_scalar(output.outputBodyJson, "
             f"'{json_path(ROUTED_MODEL_PATH)}'), ''), modelId) ELSE modelId END")
# A row the reader made of a line that is not JSON: none of the record's fields (a JSON value that holds none of
# them, such as ``{}``, reads the same).
_NO_FIELD = " AND ".join(f"{field} IS NULL" for field in (
    '"schemaType"', '"schemaVersion"', '"timestamp"', '"accountId"', "identity.arn", '"region"', '"requestId"',
    '"operation"', '"modelId"', "input.inputTokenCount", "output.outputTokenCount", '"inferenceRegion"',
    '"requestMetadata"', '"errorCode"'))
_COPY_NUMBER = "row_number() OVER (PARTITION BY request_id, raw_timestamp ORDER BY ts IS NULL, object_path)"
_KEY_HASH = "hash(request_id, raw_timestamp)"
# The time the period and filters see: a readable record's, and an unreadable extra copy's own timestamp, so an extra
# copy is kept, as a duplicate, only where a readable one would be (the filters on its own fields); a record skipped
# is counted whatever the filters.
_KEPT_TS = "coalesce(ts, CASE WHEN request_id IS NOT NULL AND copy_number > 1 THEN stamp END)"
# A record skipped: unreadable, and no extra copy (those are duplicates, readable or not).
_SKIPPED = "ts IS NULL AND NOT (request_id IS NOT NULL AND copy_number > 1)"
# A call whose cache writes' time to live is known neither from its response (delivered apart under /data/) nor its
# request (``_request_writes_1h``).
_SPLIT_UNKNOWN = "response_offloaded AND cache_write_count > 0 AND request_1h_count IS NULL"
# A call whose logged request asks a count of images, seconds or queries no call can be billed (``_unit_counts``).
_UNITS_IMPOSSIBLE = ("coalesce(NOT (" + " AND ".join(f"{column} BETWEEN 1 AND {MAX_UNITS_PER_CALL}"
                                                    for column in UNIT_COUNTS) + "), false)")


def _delivered(narrow_dedup: bool) -> str:
    """The ``delivered`` rows: the parsed records, each with its ``copy_number`` among the records of its key."""
    if not narrow_dedup:
        return f"delivered AS (\n  SELECT *, {_COPY_NUMBER} AS copy_number\n  FROM parsed\n)"
    return f"""repeated AS (
  SELECT {_KEY_HASH} AS key_hash FROM parsed WHERE request_id IS NOT NULL GROUP BY 1 HAVING count(*) > 1
),
delivered AS (
  SELECT *, 1 AS copy_number FROM parsed
  WHERE request_id IS NULL OR {_KEY_HASH} NOT IN (SELECT key_hash FROM repeated)
  UNION ALL
  SELECT *, {_COPY_NUMBER} AS copy_number FROM parsed
  WHERE request_id IS NOT NULL AND {_KEY_HASH} IN (SELECT key_hash FROM repeated)
)"""


def _dimension_expressions(zone: str, context_tiers: int) -> dict[str, str]:
    """The SQL of every dimension a facts query may group by, over the ``delivered`` rows and the ``context_tiers``
    thresholds (``context_tiers`` of them)."""
    return {
        "day": f"date_format(at_timezone(ts, {zone}), '%Y-%m-%d')",
        "utc_day": "date_format(ts, '%Y-%m-%d')",
        "hour": f"hour(at_timezone(ts, {zone}))",
        "identity_arn": "identity_arn",
        "source_region": "source_region",
        "model_id": "model_id",
        "cache_kinds": _cache_kinds(),
        "duplicate": "request_id IS NOT NULL AND copy_number > 1",
        "context_over": _context_over(context_tiers),
        "request_body": "CASE WHEN body_logged AND media_count > 0 AND error_code IS NULL "
                        f"THEN '{REQUEST_BODY_MEDIA}' WHEN error_code IS NOT NULL THEN '{REQUEST_BODY_FAILED}' "
                        f"WHEN {_UNITS_IMPOSSIBLE} THEN '{REQUEST_BODY_IMPOSSIBLE}' "
                        f"WHEN body_logged THEN '{REQUEST_BODY_LOGGED}' "
                        f"WHEN body_offloaded THEN '{REQUEST_BODY_OFFLOADED}' ELSE '{REQUEST_BODY_NONE}' END",
        "media_size": f"""greatest(coalesce({_body_number("imageGenerationConfig.width")}, {_body_number("width")}, 0),
           coalesce({_body_number("imageGenerationConfig.height")}, {_body_number("height")}, 0),
           CASE WHEN {_body_text("duration")} IS NOT NULL
             THEN coalesce(try(CAST(regexp_extract({_body_text("resolution")}, '^([0-9]+)p$', 1) AS bigint)), 0)
             ELSE 0 END)""",
        "image_quality": f"""CASE WHEN lower({_body_text("imageGenerationConfig.quality")}) = 'premium'
       OR {_body_number("steps")} > 50 THEN 'premium' ELSE 'standard' END""",
        "service_tier": _service_tier(),
        "request_id": "request_id",
        "raw_timestamp": "raw_timestamp",
        "object_path": "object_path",
        "inference_region": "inference_region",
        "operation": "operation_name",
        "skip_reason": f"CASE WHEN {_SKIPPED} THEN CASE WHEN no_field THEN '{SKIPPED_NOT_JSON}' "
                       f"WHEN stamp IS NULL THEN '{SKIPPED_NO_TIMESTAMP}' ELSE '{SKIPPED_TOKEN_COUNTS}' END END",
        "skipped_object": f"CASE WHEN {_SKIPPED} THEN object_path END",
    }


def quoted(text: str) -> str:
    """A Trino string literal: single quotes, inner ones doubled."""
    return "'" + text.replace("'", "''") + "'"


def quoted_name(name: str) -> str:
    """A column name as a DuckDB identifier."""
    return '"' + name.replace('"', '""') + '"'


def zone_literal(tz: str) -> str:
    """The time zone as a literal, once ``zoneinfo`` knows it (UsageError otherwise)."""
    if not is_zone_name(tz):
        raise UsageError(f"'{tz}' is not a time zone name such as UTC or Asia/Seoul")
    if not _ZONE_NAME.fullmatch(tz) or tz in ATHENA_UNKNOWN_ZONES:
        raise UsageError(f"'{tz}' is not a time zone name Amazon Athena knows")
    return quoted(tz)


def tag_key_literal(key: str) -> str:
    """A requestMetadata key as a literal, once it has the form the Converse API accepts (UsageError otherwise)."""
    if not TAG_KEY_PATTERN.fullmatch(key):
        raise UsageError(Notice(
            f"tag key {key!r} cannot be a requestMetadata key: keys are 1-256 letters, digits, spaces or :_@$#=/+,-.",
            "tag_key_invalid", key=repr(key)))
    return quoted(key)
