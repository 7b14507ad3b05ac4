"""The few numbers a report reads from logged request and response bodies, and the body that keeps only them.

Token counts do not show everything a call is billed for. When bodies are logged (``input.inputBodyJson``,
``output.outputBodyJson``), the request says how many images of which size and quality an image model makes,
how many seconds of video (or shots of six seconds) at which resolution, how many documents a rerank call scores,
what media an embeddings call was given; Anthropic's response splits cache writes into 5-minute and 1-hour
ones (``usage.cache_creation``, in the first chunk of a stream), as does a Converse response
(``usage.cacheDetails``: ``{ttl, inputTokens}`` per time to live, Bedrock Runtime API reference, ``TokenUsage``),
which also says when a guardrail intervened (``stopReason``) and which service tier (flex, priority...) and latency
(optimized) served the call, as its request asked, and, for a call through a prompt router, which model the router
chose (``trace.promptRouter.invokedModelId``). A response over 100 KB is delivered apart under ``/data/``, which
reports do not read (long streams of chunks often are); its cache writes then go by the request's cache breakpoints:
how many there are and how many ask one hour (``cache_points``, ``cache_points_1h``). The facts query reads these
paths (``engines/queries.py``). Nothing else of a body is read: no prompt text reaches a report.

The local engine's columnar cache and the compacted Parquet copy keep a *reduced body* instead of the body: a
JSON document with the same paths and only these values, so the same query reads either. An array of documents is
kept as its length under ``documents_count``, Nova Reel's manual shots as theirs under ``shots_count``, the images,
video or audio given to an embeddings model as their number under ``media_count`` (never the media), the cache
breakpoints of a call with cache writes whose response went to ``/data/`` as their numbers; a request body with none
of the values (every text model's) is kept as ``{}``, which the facts query reads as "logged, nothing to read" without
parsing it.
"""

from __future__ import annotations

# Request-body values: image count, size and quality (Titan Image Generator and Nova Canvas put them under
# ``imageGenerationConfig``, Stability's SDXL at the top level with ``steps``), video length (Nova Reel under
# ``videoGenerationConfig``, Luma Ray as ``duration`` like "5s", with its ``resolution`` like "720p"), the documents
# of a rerank call, and the service tier and latency a Converse request asked for.
INPUT_BODY_PATHS: tuple[str, ...] = (
    "imageGenerationConfig.numberOfImages",
    "imageGenerationConfig.width",
    "imageGenerationConfig.height",
    "imageGenerationConfig.quality",
    "videoGenerationConfig.durationSeconds",
    "samples",
    "width",
    "height",
    "steps",
    "duration",
    "resolution",
    "serviceTier.type",
    "service_tier",
    "performanceConfig.latency",
)
DOCUMENTS_PATH = "documents"
DOCUMENTS_COUNT = "documents_count"
# Nova Reel's MULTI_SHOT_MANUAL requests name no duration: each shot is six seconds.
SHOTS_PATH = "multiShotManualParams.shots"
SHOTS_COUNT = "shots_count"
# Arrays a reduced body keeps only the length of: path -> key of the length.
COUNTED_ARRAYS = {DOCUMENTS_PATH: DOCUMENTS_COUNT, SHOTS_PATH: SHOTS_COUNT}
# Media given to an embeddings model, each a string when present: Titan Multimodal Embeddings' ``inputImage``
# (base64; billed per image), the ``format`` of the image, video or audio of a Nova Multimodal Embeddings request, and
# a Nova segmented (asynchronous) job, whose media and tokens the log does not hold (Amazon Nova user guide,
# embeddings schema). A reduced body keeps how many, never them.
MEDIA_GIVEN_PATHS: tuple[str, ...] = (
    "inputImage", *(f"singleEmbeddingParams.{medium}.format" for medium in ("image", "video", "audio")),
    "segmentedEmbeddingParams.embeddingPurpose")
# The models whose calls may give media (the paths above): without a logged request body, what they were given is
# unknown.
MEDIA_MODELS = ("amazon.titan-embed-image-v1", "amazon.nova-2-multimodal-embeddings-v1:0")
MEDIA_COUNT = "media_count"
# A cache breakpoint of a request: Anthropic's ``cache_control`` ({"type": "ephemeral", "ttl": "1h"}; 5 minutes
# without ``ttl``), in system, tools or message content blocks, and Converse's ``cachePoint`` block ({"type":
# "default", "ttl": "5m" | "1h"}; Bedrock Runtime API reference, ``CachePointBlock``: without ``ttl`` the type's
# default, 5 minutes; Amazon Bedrock User Guide, "Prompt caching for faster model inference": cache checkpoints in
# system, messages and tools). They sit at any depth, so they are found in the body's text: the quoted key and a colon
# (a quote inside a JSON string is escaped, and a string value is never followed by a colon, so text in a prompt never
# matches), its value an object of plain values. The pattern opens with the quoted key, which regex engines find
# without trying every comma and brace of a request of tens of KB. ``CACHE_POINT_1H`` is such a breakpoint asking one
# hour. No ``?`` (Athena's parameters).
CACHE_POINT = r'"(cache_control|cachePoint)"\s*:\s*\{[^{}]*\}'
CACHE_POINT_1H = r'"(cache_control|cachePoint)"\s*:\s*\{[^{}]*"ttl"\s*:\s*"1h"[^{}]*\}'
CACHE_POINTS, CACHE_POINTS_1H = "cache_points", "cache_points_1h"
# Response-body values: Anthropic's split of cache writes by time to live (InvokeModel, and the
# ``message_start`` chunk that opens an InvokeModelWithResponseStream body).
CACHE_SPLIT_PATHS: tuple[str, ...] = (
    "usage.cache_creation.ephemeral_5m_input_tokens",
    "usage.cache_creation.ephemeral_1h_input_tokens",
)
# Converse and ConverseStream: cache writes by time to live, an array of at most one entry per TTL ("5m", "1h").
CACHE_DETAILS_PATH = "usage.cacheDetails"
CACHE_DETAILS_ENTRIES = 2
STREAM_PREFIX = "[0].message."
# Converse responses say a guardrail stepped in with ``stopReason`` ``guardrail_intervened``.
STOP_REASON_PATH = "stopReason"
GUARDRAIL_INTERVENED = "guardrail_intervened"
# The service tier that served a Converse call (``ServiceTier.type``: priority, default, flex, reserved; OpenAI's
# Chat Completions bodies say ``service_tier``) and its latency (``PerformanceConfiguration.latency``: standard,
# optimized), in the response as in the request. Converse responses name their tier, so most keep a reduced body.
SERVICE_TIER_PATHS = ("serviceTier.type", "service_tier")
LATENCY_PATH = "performanceConfig.latency"
OUTPUT_BODY_PATHS: tuple[str, ...] = (*CACHE_SPLIT_PATHS, CACHE_DETAILS_PATH, STOP_REASON_PATH, *SERVICE_TIER_PATHS,
                                      LATENCY_PATH)
# The model a prompt router chose, in a Converse or ConverseStream response (Amazon Bedrock API Reference,
# "ConverseTrace" and "PromptRouterTrace": a foundation-model or inference-profile ARN); InvokeModel's responses, an
# error's and one delivered apart under /data/ do not name it. The facts query reads it, and the compacted copy keeps
# it, only for calls whose ``modelId`` matches ``PROMPT_ROUTER_ARN`` (``arn:...:default-prompt-router/{id}`` or
# ``arn:...:prompt-router/{id}``): no other call pays for parsing its response again.
ROUTED_MODEL_PATH = "trace.promptRouter.invokedModelId"
PROMPT_ROUTER_ARN = "^arn:aws[a-z-]*:bedrock:[a-z0-9-]*:[0-9]*:(default-prompt-router|prompt-router)/"


def json_path(path: str) -> str:
    """A dotted body path as a JSON path (``$.a.b``, or ``$[0].a.b`` for a path into a stream's chunks)."""
    return "$" + (path if path.startswith("[") else f".{path}")


def _tree(paths: tuple[str, ...]) -> dict:
    tree: dict = {}
    for path in paths:
        node = tree
        parts = path.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = path
    return tree


def _object_sql(tree: dict, value_sql: dict[str, str]) -> str:
    """SQL text concatenation that builds a JSON object of ``tree`` from each leaf's JSON text."""
    parts = []
    for index, (key, node) in enumerate(tree.items()):
        comma = "," if index else ""
        inner = _object_sql(node, value_sql) if isinstance(node, dict) else value_sql[node]
        parts.append(f"'{comma}\"{key}\":' || {inner}")
    return "'{' || " + " || ".join(parts) + " || '}'"


def cache_points_sql(text: str, pattern: str, dialect: str = "trino") -> str:
    """SQL for how many matches of ``pattern`` (``CACHE_POINT``, ``CACHE_POINT_1H``) the JSON text ``text`` holds."""
    if dialect == "trino":
        return f"regexp_count({text}, '{pattern}')"
    return f"len(regexp_extract_all({text}, '{pattern}'))"


def via_router_sql(model_id: str) -> str:
    """Trino SQL: true when the ``modelId`` expression ``model_id`` is a prompt router's ARN (NULL for none)."""
    return f"regexp_like({model_id}, '{PROMPT_ROUTER_ARN}')"


def reduced_body_sql(body: str, side: str, dialect: str, model_id: str) -> str:
    """SQL for the reduced form of a body column (text of a JSON document, NULL when there is no body).

    ``body`` is an expression holding the body's JSON text; ``side`` is ``input`` or ``output``; ``dialect`` is
    ``trino`` (the compacted copy) or ``duckdb`` (the local engine's cache); ``model_id`` is the record's ``modelId``:
    only a prompt router's call has the model its router chose read (``ROUTED_MODEL_PATH``).
    """
    def leaf(path: str) -> str:
        extract = f"json_extract({body}, '{json_path(path)}')"
        text = f"json_format({extract})" if dialect == "trino" else f"CAST({extract} AS VARCHAR)"
        return f"coalesce({text}, 'null')"

    if side == "input":
        paths = INPUT_BODY_PATHS
        values = {path: leaf(path) for path in paths}
        for array, key in COUNTED_ARRAYS.items():
            count = f"json_array_length(json_extract({body}, '{json_path(array)}'))"
            values[key] = f"coalesce(CAST({count} AS VARCHAR), 'null')"
        values[MEDIA_COUNT] = f"coalesce(CAST(nullif({media_given_sql(body)}, 0) AS VARCHAR), 'null')"
        for key, pattern in ((CACHE_POINTS, CACHE_POINT), (CACHE_POINTS_1H, CACHE_POINT_1H)):
            values[key] = f"coalesce(CAST(nullif({cache_points_sql(body, pattern)}, 0) AS VARCHAR), 'null')"
        counts = {key: key for key in (*COUNTED_ARRAYS.values(), MEDIA_COUNT, CACHE_POINTS, CACHE_POINTS_1H)}
        document = _object_sql({**_tree(paths), **counts}, values)
        return f"CASE WHEN {body} IS NULL THEN NULL ELSE {document} END"
    values = {p: leaf(p) for p in OUTPUT_BODY_PATHS}
    values[ROUTED_MODEL_PATH] = f"CASE WHEN {via_router_sql(model_id)} THEN {leaf(ROUTED_MODEL_PATH)} ELSE 'null' END"
    plain = _object_sql(_tree((*OUTPUT_BODY_PATHS, ROUTED_MODEL_PATH)), values)
    streamed = {p: leaf(STREAM_PREFIX + p) for p in CACHE_SPLIT_PATHS}
    stream = "'[{\"message\":' || " + _object_sql(_tree(CACHE_SPLIT_PATHS), streamed) + " || '}]'"
    is_array = f"json_array_length({body}) IS NOT NULL" if dialect == "trino" else f"json_type({body}) = 'ARRAY'"
    return f"CASE WHEN {body} IS NULL THEN NULL WHEN {is_array} THEN {stream} ELSE {plain} END"


def media_given_sql(body: str) -> str:
    """Trino SQL for how many media a request body (JSON text) gives an embeddings model (``MEDIA_GIVEN_PATHS``; a
    JSON null is none)."""
    return " + ".join(f"CASE WHEN json_extract_scalar({body}, '{json_path(path)}') IS NOT NULL THEN 1 ELSE 0 END"
                      for path in MEDIA_GIVEN_PATHS)


def _struct_type(tree: dict, types: dict[str, str]) -> str:
    fields = []
    for key, node in tree.items():
        kind = _struct_type(node, types) if isinstance(node, dict) else types.get(node, "JSON")
        fields.append(f"{key} {kind}")
    return f"STRUCT({', '.join(fields)})"


def duckdb_body_type(side: str) -> str:
    """The DuckDB type ``json_transform`` reads a body into: only the paths reports read (counted arrays as lists of
    nulls, so only their number is kept; cache details as their TTLs and token counts). A body of another shape
    reads as NULL fields."""
    if side == "input":
        arrays = dict.fromkeys(COUNTED_ARRAYS, "BOOLEAN[]")
        return _struct_type(_tree((*INPUT_BODY_PATHS, *COUNTED_ARRAYS, *MEDIA_GIVEN_PATHS)), arrays)
    details = {CACHE_DETAILS_PATH: "STRUCT(ttl JSON, inputTokens JSON)[]"}
    return _struct_type(_tree((*OUTPUT_BODY_PATHS, ROUTED_MODEL_PATH)), details)


def duckdb_reduced_body(side: str, body: str, line: str, cache_writes: str, response_apart: str) -> str:
    """DuckDB SQL for the reduced body from the struct ``duckdb_body_type`` read (``body``); a stream's cache split
    is read from the record's text (``line``) only for calls with cache writes, and so are the request's cache
    breakpoints, only for such calls whose response went to ``/data/`` (``response_apart``: the record's text then
    holds no other body)."""
    if side == "input":
        tops = dict.fromkeys(path.split(".")[0] for path in (*COUNTED_ARRAYS, *MEDIA_GIVEN_PATHS))
        without_arrays = f"struct_update({body}, {', '.join(f'{top} := NULL' for top in tops)})"
        media = " + ".join(f"CASE WHEN {body}.{path} IS NOT NULL THEN 1 ELSE 0 END" for path in MEDIA_GIVEN_PATHS)
        points = {key: f"CASE WHEN {cache_writes} > 0 AND {response_apart} "
                       f"THEN nullif({cache_points_sql(line, pattern, 'duckdb')}, 0) END"
                  for key, pattern in ((CACHE_POINTS, CACHE_POINT), (CACHE_POINTS_1H, CACHE_POINT_1H))}
        lengths = ", ".join([*(f"{key} := len({body}.{array})" for array, key in COUNTED_ARRAYS.items()),
                             f"{MEDIA_COUNT} := nullif({media}, 0)",
                             *(f"{key} := {sql}" for key, sql in points.items())])
        counted = f"struct_insert({without_arrays}, {lengths})"
        leaves = [*(f"{body}.{path}" for path in (*INPUT_BODY_PATHS, *COUNTED_ARRAYS, *MEDIA_GIVEN_PATHS)),
                  points[CACHE_POINTS]]
        empty = " AND ".join(f"{leaf} IS NULL" for leaf in leaves)
        return f"CASE WHEN {body} IS NULL THEN NULL WHEN {empty} THEN '{{}}' ELSE to_json({counted}) END"
    split = "usage.cache_creation"
    named = (*SERVICE_TIER_PATHS, LATENCY_PATH, ROUTED_MODEL_PATH)
    stream = f"json_extract({line}, '$.output.outputBodyJson{STREAM_PREFIX.rstrip('.')}.{split}')"
    return (
        f"CASE WHEN {body}.usage.cache_creation IS NOT NULL OR len({body}.{CACHE_DETAILS_PATH}) > 0 "
        f"OR CAST({body}.{STOP_REASON_PATH} AS VARCHAR) = '\"{GUARDRAIL_INTERVENED}\"' "
        f"OR {' OR '.join(f'{body}.{path} IS NOT NULL' for path in named)} "
        f"THEN to_json({body}) "
        f"WHEN {cache_writes} > 0 AND {stream} IS NOT NULL "
        f"THEN '[{{\"message\":{{\"usage\":{{\"cache_creation\":' || CAST({stream} AS VARCHAR) || '}}}}}}]' END"
    )
