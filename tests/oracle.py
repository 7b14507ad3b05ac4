"""An independent plain-Python aggregation of invocation-log records, to check the tracker against.

It shares no code with the product: its own ARN parsing, its own model-id reading, its own reading of bodies,
and its own copy of published list prices (``tests/fixtures/pricing/published_prices.json``, which names the
source of each figure; USD per 1K tokens, or per image, second of video and rerank query).
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

PUBLISHED_FILE = Path(__file__).resolve().parent / "fixtures" / "pricing" / "published_prices.json"
_PUBLISHED = json.loads(PUBLISHED_FILE.read_text(encoding="utf-8"))
MODELS: dict[str, dict] = _PUBLISHED["models"]
IMAGES: dict[str, dict[str, float]] = _PUBLISHED["images"]
VIDEO: dict[str, float] = _PUBLISHED["video_per_second"]
RERANK: dict[str, float] = _PUBLISHED["rerank_per_query"]
VIDEO_BY_RESOLUTION: dict[str, dict[str, float]] = _PUBLISHED["video_per_second_by_resolution"]
TIER_FACTORS: dict[str, dict[str, float]] = _PUBLISHED["service_tier_factors"]
INPUT_IMAGE: dict[str, float] = _PUBLISHED["input_image"]
UNPRICED_MEDIA: list[str] = _PUBLISHED["unpriced_media"]
EXTENDED_ACCESS_FROM = date(2025, 12, 1)
GEOS = ("us", "eu", "apac", "jp", "au", "in", "ca", "us-gov")


def base_and_family(model_id: str, region: str = "us-east-1") -> tuple[str | None, str]:
    """The base model id of a logged id (None for an opaque ARN) and its price family."""
    ident = model_id or ""
    if ident.startswith("arn:"):
        kind_and_id = ident.split(":", 5)[-1]
        kind, _, rest = kind_and_id.partition("/")
        if kind not in ("inference-profile", "foundation-model"):
            return None, ""
        ident = rest
    family = "govcloud" if region.startswith("us-gov-") else "regional"
    first, _, rest = ident.partition(".")
    if first == "global" and "." in rest:
        family, ident = "global", rest
    elif first in GEOS and "." in rest:
        ident = rest
    return ident, family


def all_rates(model_id: str, on: date, context_tokens: int, region: str = "us-east-1") -> list[float | None] | None:
    """[input, output, cache write 5 min, cache write 1 h, cache read] for a call, or None when unpublished."""
    base, family = base_and_family(model_id, region)
    table = MODELS.get(base or "")
    if table is None:
        return None
    if region in table.get("regions", {}) and family == "regional":
        return table["regions"][region]
    dated = "@from-2025-12-01" if on >= EXTENDED_ACCESS_FROM else "@until-2025-12-01"
    if f"{family}{dated}" in table:
        return table[f"{family}{dated}"]
    if context_tokens > table.get("long_above", 200_000) and f"{family}-long" in table:
        return table[f"{family}-long"]
    return table.get(family)


def published_rates(
    model_id: str, on: date, long_context: bool, region: str = "us-east-1"
) -> tuple[float | None, ...] | None:
    """(input, output, cache write 5 min, cache read) for a logged model id, or None when it has no price here."""
    rates = all_rates(model_id, on, 200_001 if long_context else 0, region)
    return None if rates is None else (rates[0], rates[1], rates[2], rates[4])


def _body_number(body: object, *path: object) -> float | None:
    for key in path:
        if isinstance(key, int):
            body = body[key] if isinstance(body, list) and len(body) > key else None
        else:
            body = body.get(key) if isinstance(body, dict) else None
    try:
        return float(body) if body is not None and not isinstance(body, bool) else None
    except (TypeError, ValueError):
        return None


def call_cost(record: dict, on: date) -> list[float] | None:
    """The cost terms of one call at published prices, or None when it cannot be priced."""
    inp, out = record.get("input") or {}, record.get("output") or {}
    model_id, region = record.get("modelId", ""), record.get("region", "")
    base, _ = base_and_family(model_id, region)
    request = inp.get("inputBodyJson")
    if base in IMAGES or base in VIDEO or base in VIDEO_BY_RESOLUTION or base in RERANK:  # per unit, not tokens
        if record.get("errorCode"):
            return [0.0]  # a failed call makes no image, video or ranking, whatever became of its request body
        if not isinstance(request, dict):
            return None  # needs body logging (or the body was over 100 KB and delivered apart)
        if base in IMAGES:
            config = request.get("imageGenerationConfig") or {}
            side = max(config.get("width") or 1024, config.get("height") or 1024)
            quality = "premium" if config.get("quality") == "premium" else "standard"
            sizes = sorted(int(key.split("/")[0]) for key in IMAGES[base] if key.endswith(f"/{quality}"))
            if not sizes:
                return None
            size = next((size for size in sizes if size >= side), sizes[-1])  # the largest class holds the rest
            return [(config.get("numberOfImages") or 1) * IMAGES[base][f"{size}/{quality}"]]
        if base in VIDEO_BY_RESOLUTION:  # Luma Ray2: "duration": "5s", "resolution": "720p"
            per_second = VIDEO_BY_RESOLUTION[base].get(request.get("resolution"))
            if per_second is None or "duration" not in request:
                return None  # no length is guessed
            return [int(str(request["duration"]).rstrip("s")) * per_second]
        if base in VIDEO:
            shots = (request.get("multiShotManualParams") or {}).get("shots")
            seconds = (request.get("videoGenerationConfig") or {}).get("durationSeconds") or (
                6 * len(shots) if isinstance(shots, list) else 6)
            return [seconds * VIDEO[base]]
        documents = len(request.get("documents") or []) or 1
        return [math.ceil(documents / 100) * RERANK[base]]
    tokens = (_int(inp.get("inputTokenCount")), _int(out.get("outputTokenCount")),
              _int(inp.get("cacheReadInputTokenCount")), _int(inp.get("cacheWriteInputTokenCount")))
    rates = all_rates(model_id, on, tokens[0] + tokens[2] + tokens[3], region)
    response = out.get("outputBodyJson")
    failed = bool(record.get("errorCode"))  # a failed call is billed no media given: its tokens alone
    if base in INPUT_IMAGE and not failed and not isinstance(request, dict):
        return None  # whether an image was given is unknown
    if base in UNPRICED_MEDIA and not failed and (not isinstance(request, dict) or _media(request)):
        return None  # what was given is unknown, or an image, video, audio or async job, which has no price here
    tier = _service_tier(request, response)
    factor = 1.0 if tier == "default" else TIER_FACTORS.get(base or "", {}).get(tier)
    if rates is None or factor is None:
        return None  # no price; reserved (paid for by the reservation), latency-optimized or a tier not offered
    rates = [None if rate is None else rate * factor for rate in rates]
    one_hour = _body_number(response, "usage", "cache_creation", "ephemeral_1h_input_tokens")
    if one_hour is None:
        one_hour = _body_number(response, 0, "message", "usage", "cache_creation", "ephemeral_1h_input_tokens")
    if one_hour is None and isinstance(response, dict):  # Converse: usage.cacheDetails, one entry per TTL
        details = (response.get("usage") or {}).get("cacheDetails") or []
        one_hour = next((_body_number(d, "inputTokens") for d in details if isinstance(d, dict)
                         and d.get("ttl") == "1h"), None)
    one_hour = max(0, min(int(one_hour or 0), tokens[3]))
    counts = (tokens[0], tokens[1], tokens[3] - one_hour, one_hour, tokens[2])
    terms = []
    for count, rate in zip(counts, rates, strict=True):
        if count and rate is None:
            return None
        terms.append(count * (rate or 0.0) / 1000)
    if base in INPUT_IMAGE and not failed and request.get("inputImage") is not None:
        terms.append(INPUT_IMAGE[base])
    return terms


def _media(request: dict) -> bool:
    """True when a Nova Multimodal Embeddings request gives an image, video or audio, or is a segmented job."""
    single = request.get("singleEmbeddingParams")
    segmented = request.get("segmentedEmbeddingParams")
    given = [(single or {}).get(medium) for medium in ("image", "video", "audio")] if isinstance(single, dict) else []
    return (any(isinstance(m, dict) and m.get("format") is not None for m in given)
            or (isinstance(segmented, dict) and segmented.get("embeddingPurpose") is not None))


def _service_tier(request: object, response: object) -> str:
    """The tier that served a Converse call: the response's ``serviceTier``, else the request's; ``optimized`` for a
    latency-optimized call; ``default`` when neither names one."""
    said = [body for body in (response, request) if isinstance(body, dict)]
    latency = next((body["performanceConfig"]["latency"] for body in said
                    if (body.get("performanceConfig") or {}).get("latency")), None)
    if latency == "optimized":
        return "optimized"
    named = [(body.get("serviceTier") or {}).get("type") or body.get("service_tier") for body in said]
    tier = next((tier for tier in named if tier and tier != "auto"), "default")  # "auto" names no tier
    return "default" if tier == "standard" else tier


EXAMPLE_PROFILES = Path(__file__).resolve().parents[1] / "examples" / "inference-profiles.json"


def with_profiles_resolved(records: list[dict], profiles_file: Path = EXAMPLE_PROFILES) -> list[dict]:
    """The records with each application inference profile replaced by the model a profiles file names (the demo's
    is the shipped examples file), its tags filling the ``requestMetadata`` keys a call left empty."""
    profiles = json.loads(profiles_file.read_text(encoding="utf-8"))
    resolved = []
    for record in records:
        profile = profiles.get(record.get("modelId"))
        if profile:
            tags = dict(record.get("requestMetadata") or {})
            for key, value in profile.get("tags", {}).items():
                tags[key] = tags.get(key) or value
            record = {**record, "modelId": profile["model_id"], "requestMetadata": tags}
        resolved.append(record)
    return resolved


def caller(record: dict, role_suffix: str = "-BedrockRole") -> tuple[str, str]:
    """(user, application) of a record."""
    arn = (record.get("identity") or {}).get("arn") or ""
    resource = arn.split(":", 5)[-1] if arn.count(":") >= 5 else ""
    if resource.startswith("user/"):
        user = application = resource.split("/")[-1]
    elif resource.startswith("assumed-role/"):
        _, role, session = resource.split("/", 2)
        user = session
        if role.startswith("AWSReservedSSO_"):
            application = role[len("AWSReservedSSO_"):].rsplit("_", 1)[0]
        elif role.endswith(role_suffix):
            user, application = role, role[: -len(role_suffix)]
        else:
            application = role
    else:
        user = application = arn or "(unknown)"
    tag = (record.get("requestMetadata") or {}).get("application_name")
    return user, (tag or application)


@dataclass
class Totals:
    calls: int = 0
    errors: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    cost: float = 0.0
    priced_calls: int = 0
    unpriced_calls: int = 0
    _terms: list[float] = field(default_factory=list, repr=False)

    @property
    def estimated_cost(self) -> float:
        return math.fsum(self._terms) if self.priced_calls else math.nan


def _int(value: object) -> int:
    return int(value) if value is not None else 0


def aggregate(
    records: list[dict], start: date, end: date, tz: str = "UTC", arn_pattern: str | None = None,
    regions: tuple[str, ...] | None = None,
) -> dict[str, dict[tuple, Totals]]:
    """Per-analysis totals of the records whose timestamps fall in the local days ``start`` to ``end``."""
    zone = ZoneInfo(tz)
    lo = datetime.combine(start, datetime.min.time(), zone)
    hi = datetime.combine(end + timedelta(days=1), datetime.min.time(), zone)
    out: dict[str, dict[tuple, Totals]] = defaultdict(lambda: defaultdict(Totals))
    for record in records:
        when = datetime.fromisoformat(record["timestamp"].replace("Z", "+00:00"))
        if not lo <= when < hi:
            continue
        if regions and record.get("region") not in regions:
            continue
        arn = (record.get("identity") or {}).get("arn") or ""
        if arn_pattern and arn_pattern not in arn:
            continue
        inp, out_ = record.get("input") or {}, record.get("output") or {}
        tokens = (_int(inp.get("inputTokenCount")), _int(out_.get("outputTokenCount")),
                  _int(inp.get("cacheReadInputTokenCount")), _int(inp.get("cacheWriteInputTokenCount")))
        cost = call_cost(record, when.date())
        local = when.astimezone(zone)
        user, application = caller(record)
        keys = {
            "summary": (),
            "user": (user,),
            "application": (application,),
            "daily": (local.date().isoformat(),),
            "hourly": (local.hour,),
            "region": (record.get("region"),),
            "model_id": (record.get("modelId"),),
        }
        for analysis, key in keys.items():
            t = out[analysis][key]
            t.calls += 1
            t.errors += 1 if record.get("errorCode") else 0
            t.input_tokens += tokens[0]
            t.output_tokens += tokens[1]
            t.cache_read_tokens += tokens[2]
            t.cache_write_tokens += tokens[3]
            if cost is None:
                t.unpriced_calls += 1
            else:
                t.priced_calls += 1
                t._terms.extend(cost)
    return out
