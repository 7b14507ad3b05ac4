"""An independent plain-Python aggregation of invocation-log records, to check the tracker against.

It shares no code with the product: its own ARN parsing, its own model-id reading and its own copy of
the published list prices (USD per 1K tokens, AWS pricing page as consolidated in shared/reference).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

# base id -> family -> (input, output, cache write 5 min, cache read); "long" = above 200K input tokens
PUBLISHED: dict[str, dict[str, tuple[float | None, ...]]] = {
    "anthropic.claude-3-haiku-20240307-v1:0": {"regional": (0.00025, 0.00125, None, None)},
    "anthropic.claude-3-sonnet-20240229-v1:0": {"regional": (0.003, 0.015, None, None)},
    "anthropic.claude-3-opus-20240229-v1:0": {"regional": (0.015, 0.075, 0.01875, 0.0015)},
    "anthropic.claude-3-5-haiku-20241022-v1:0": {"regional": (0.0008, 0.004, 0.001, 0.00008)},
    "anthropic.claude-3-5-sonnet-20240620-v1:0": {"regional": (0.003, 0.015, 0.00375, 0.0003)},
    "anthropic.claude-3-7-sonnet-20250219-v1:0": {"regional": (0.003, 0.015, 0.00375, 0.0003)},
    "anthropic.claude-sonnet-4-20250514-v1:0": {
        "regional": (0.003, 0.015, 0.00375, 0.0003), "global": (0.003, 0.015, 0.00375, 0.0003),
        "regional-long": (0.006, 0.0225, 0.0075, 0.0006), "global-long": (0.006, 0.0225, 0.0075, 0.0006),
    },
    "anthropic.claude-sonnet-4-5-20250929-v1:0": {
        "global": (0.003, 0.015, 0.00375, 0.0003), "regional": (0.0033, 0.0165, 0.004125, 0.00033),
        "global-long": (0.006, 0.0225, 0.0075, 0.0006), "regional-long": (0.0066, 0.02475, 0.00825, 0.00066),
    },
    "anthropic.claude-haiku-4-5-20251001-v1:0": {
        "global": (0.001, 0.005, 0.00125, 0.0001), "regional": (0.0011, 0.0055, 0.001375, 0.00011),
    },
    "anthropic.claude-opus-4-20250514-v1:0": {"regional": (0.015, 0.075, 0.01875, 0.0015)},
    "anthropic.claude-opus-4-1-20250805-v1:0": {"regional": (0.015, 0.075, 0.01875, 0.0015)},
    "anthropic.claude-opus-4-5-20251101-v1:0": {
        "global": (0.005, 0.025, 0.00625, 0.0005), "regional": (0.0055, 0.0275, 0.006875, 0.00055),
    },
}
SONNET_35_V2 = "anthropic.claude-3-5-sonnet-20241022-v2:0"
EXTENDED_ACCESS_FROM = date(2025, 12, 1)


def published_rates(model_id: str, on: date, long_context: bool) -> tuple[float | None, ...] | None:
    """Rates for a logged model id, or None when it has no published price here."""
    ident = model_id or ""
    if ident.startswith("arn:"):
        if ":inference-profile/" not in ident:
            return None
        ident = ident.split(":inference-profile/", 1)[1]
    family = "regional"
    first, _, rest = ident.partition(".")
    if first == "global":
        family, ident = "global", rest
    elif first in ("us", "eu", "apac", "jp", "au"):
        ident = rest
    if ident == SONNET_35_V2:
        return (0.006, 0.03, 0.0075, 0.0006) if on >= EXTENDED_ACCESS_FROM else (0.003, 0.015, 0.00375, 0.0003)
    table = PUBLISHED.get(ident, {})
    if long_context and f"{family}-long" in table:
        return table[f"{family}-long"]
    return table.get(family)


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
        rates = published_rates(record.get("modelId", ""), when.date(), tokens[0] + tokens[2] + tokens[3] > 200_000)
        cost = None
        if rates is not None:
            parts = []
            for count, rate in zip((tokens[0], tokens[1], tokens[3], tokens[2]), rates, strict=True):
                if count and rate is None:
                    break
                parts.append(count * (rate or 0.0) / 1000)
            else:
                cost = parts
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
