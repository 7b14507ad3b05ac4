"""How AWS's other sources name a Bedrock model: Cost Explorer usage types and CloudWatch ``ModelId`` values.

Cost Explorer bills Bedrock under three kinds of service, in two shapes. ``Amazon Bedrock`` (CUR product code
``AmazonBedrock``: Amazon's own and openly licensed models) and ``Amazon Bedrock Service`` (product code
``AmazonBedrockService``: current Anthropic models, Claude Sonnet 4 and later) have usage types such as
``USE1-Claude3Haiku-input-tokens`` (region code, model, kind of token). Models sold through AWS Marketplace
appear under a service of their own, ``Claude Haiku 4.5 (Amazon Bedrock Edition)``, with usage types such as
``USE1-MP:USE1_InputTokenCount-Units`` that name only the region and the kind of token: the service name is what
says the model.

A usage type also says the price-book mode it bills (``UsageType.mode``, ``usage_mode``): "the service tier for a
request is reflected in the CUR usage type" (Amazon Bedrock User Guide, "Understanding your Amazon Bedrock Cost and
Usage Report data"). Batch inference (``CreateModelInvocationJob``) as the Price List writes it:
``USE1-NovaLite-input-tokens-batch`` (``Amazon Bedrock``), a ``-batch`` qualifier in ``Amazon Bedrock Service``'s
(``USE1-Claude4.5Sonnet-input-tokens-batch``) and ``Batch`` in Marketplace ones. The Flex and Priority tiers and
latency-optimized inference as public Price List readers quote the live offers: ``USE1-NovaPro-input-tokens-flex``,
``USE1-NovaPro-input-tokens-priority``, ``USE1-Nova2.0Lite-input-tokens-flex-cross-region-global``,
``USW2-Nova2.0Lite-cache-write-input-token-count-flex``, ``USE1-NovaPro-input-tokens-latency-optimized`` (product
``Nova Pro Latency Optimized``), ``USE1-MP:USE1_InputTokenCount_LatencyOptimized-Units``, calls through a geographic
cross-Region profile (``USW2-NovaPro-input-tokens-cross-region-geo``, ``USW2-MP:USW2_OutputTokenCount_Geo-Units``), and
mantle meters' tier last (``USE1-xai.grok-4.3-mantle-input-tokens-flex``,
``USE1-openai.gpt-oss-120b-mantle-input-tokens-standard``). A usage type is read as Standard only when it names that
tier or every word after its kind of token is one those sources show (``TOKEN_WORDS``); a charge of reserved capacity,
customization, provisioned throughput or storage, one naming two tiers, and a token charge with any other word have no
mode: their tier is not known, and a reconciliation says so rather than compare them with Standard calls.

CloudWatch's ``AWS/Bedrock`` metrics carry the model id as the caller passed it (``us.`` / ``global.`` profile
ids stay as they are). ``metric_model_key`` reduces every form to one key so logs and metrics meet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from ..pricing.book import BUILTIN_BOOK, MODES, read_csv_rows
from ..pricing.model_ids import alias_key
from ..pricing.offer_file import OTHER_MODES

BEDROCK_SERVICE = "Amazon Bedrock"
# Cost Explorer SERVICE -> CUR ``line_item_product_code`` (the Price List offer code) of Bedrock's own-shape bills.
# ``Amazon Bedrock Service`` (offer ``AmazonBedrockService``) bills Claude Sonnet 4 and later: its Price List SKUs
# include ``USE1-Claude4Sonnet-output-tokens-long-context-cross-region-global``, and public Cost Explorer filters and
# CUR 2.0 queries of several independent projects read it beside ``Amazon Bedrock`` / ``AmazonBedrock``.
OWN_SHAPE_SERVICES: dict[str, str] = {
    BEDROCK_SERVICE: "AmazonBedrock",
    "Amazon Bedrock Service": "AmazonBedrockService",
}
_SERVICE_BY_CODE = {code: service for service, code in OWN_SHAPE_SERVICES.items()}
MARKETPLACE_SUFFIX = "(Amazon Bedrock Edition)"
MARKETPLACE_BILLING_ENTITY = "AWS Marketplace"
STANDARD_MODE, BATCH_MODE, LATENCY_MODE = MODES[0], MODES[1], MODES[4]  # the book's names of those prices
UNKNOWN_TIER = "(tier not recognised)"  # how tables show the mode of a charge whose usage type leaves its tier unknown

# Region codes that prefix usage types, for every Bedrock region (logs/regions.py), from AWS's table "AWS Region
# billing codes" (https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-region-billing-codes.html).
# eu-west-1 is the historical exception: plain ``EU`` (``EUW1`` also occurs). A code not in this table leaves the
# charge's region unknown: a reconciliation lists it among the unmapped charges and counts it in the billed total.
REGION_CODES: dict[str, str] = {
    "us-east-1": "USE1",
    "us-east-2": "USE2",
    "us-west-1": "USW1",
    "us-west-2": "USW2",
    "ca-central-1": "CAN1",
    "ca-west-1": "CAN2",
    "mx-central-1": "MXC1",
    "sa-east-1": "SAE1",
    "af-south-1": "AFS1",
    "ap-east-2": "APE2",
    "ap-northeast-1": "APN1",
    "ap-northeast-2": "APN2",
    "ap-northeast-3": "APN3",
    "ap-southeast-1": "APS1",
    "ap-southeast-2": "APS2",
    "ap-south-1": "APS3",
    "ap-southeast-3": "APS4",
    "ap-south-2": "APS5",
    "ap-southeast-4": "APS6",
    "ap-southeast-5": "APS7",
    "ap-southeast-6": "APS8",
    "ap-southeast-7": "APS9",
    "eu-central-1": "EUC1",
    "eu-central-2": "EUC2",
    "eu-west-1": "EU",
    "eu-west-2": "EUW2",
    "eu-west-3": "EUW3",
    "eu-north-1": "EUN1",
    "eu-south-1": "EUS1",
    "eu-south-2": "EUS2",
    "il-central-1": "ILC1",
    "me-central-1": "MEC1",
    "me-south-1": "MES1",
    "us-gov-east-1": "UGE1",
    "us-gov-west-1": "UGW1",
}
CODE_REGIONS: dict[str, str] = {code: region for region, code in REGION_CODES.items()} | {"EUW1": "eu-west-1"}


@dataclass(frozen=True)
class ModelBilling:
    """One model: its base id, its name, the model part of its ``Amazon Bedrock`` usage types, and every id a usage
    type may name it by (the price book's ids and their undated forms, lower case).

    Its Marketplace service is ``{name} (Amazon Bedrock Edition)``; names are matched ignoring word order
    (``Claude 4.5 Sonnet`` is ``Claude Sonnet 4.5``), case and dots, so both spellings AWS has used match.
    """

    base_id: str
    name: str
    usage_token: str
    ids: tuple[str, ...] = ()


# Claude's usage tokens follow one pattern, ``Claude{version}{Family}``: Claude 3 Haiku's and Claude Sonnet 4's are
# from the AWS Price List (USE1-Claude3Haiku-input-tokens,
# USE1-Claude4Sonnet-output-tokens-long-context-cross-region-global),
# Claude Sonnet 4.5's and Opus 4.6's from Cost Explorer (USE1-Claude4.5Sonnet-input-tokens-cross-region-global,
# USE1-Claude4.6Opus-input-tokens-cross-region-global). Some usage types name the model by its id, dated or not
# (USW2-anthropic.claude-opus-4-8-mantle-cache-write-tokens-global-standard,
# USE1-anthropic.claude-sonnet-4-5-mantle-cache-write-tokens-1h-standard). The table holds every Anthropic model of
# the built-in price book whose name fits the pattern (``Claude 3.5 Sonnet v2``: ``Claude3.5SonnetV2``; ``Claude Opus
# 5``: ``Claude5Opus``); an undated id two of its models share names neither.
_CLAUDE_NAME_RE = re.compile(r"^Claude (?:(?P<family>[A-Z][a-z]+) (?P<version>\d+(?:\.\d+)?)"
                             r"|(?P<old_version>\d+(?:\.\d+)?) (?P<old_family>[A-Z][a-z]+)(?P<v2> v2)?)$")


# Amazon Nova models whose usage types public sources show: ``USE1-NovaLite-input-tokens`` (the AWS Price List's
# ``AmazonBedrock`` offer, tests/fixtures/pricing), ``USE1-NovaPro-input-tokens-latency-optimized`` and
# ``USE1-NovaPro-input-tokens-priority``, ``USE1-NovaMicro-input-tokens-batch`` and
# ``USW2-Nova2.0Lite-input-tokens-priority-cross-region-global`` (public Price List readers' tests quoting the live
# offer). The Nova models with flex, priority or latency-optimized prices are among them; no other Nova token is known.
NOVA_TOKENS = {"Nova Lite": "NovaLite", "Nova Micro": "NovaMicro", "Nova Pro": "NovaPro", "Nova 2 Lite": "Nova2.0Lite"}


def usage_token(name: str) -> str | None:
    """The usage-type token of a Claude model's name (``Claude Sonnet 4.5``: ``Claude4.5Sonnet``) or of a Nova model
    of ``NOVA_TOKENS``, else None."""
    match = _CLAUDE_NAME_RE.match(name)
    if not match:
        return NOVA_TOKENS.get(name)
    version, family = match["version"] or match["old_version"], match["family"] or match["old_family"]
    return f"Claude{version}{family}{'V2' if match['v2'] else ''}"


@cache
def model_billing() -> tuple[ModelBilling, ...]:
    """A row per Anthropic or Amazon model of the built-in price book that has a usage token, with every id it is
    named by (read once, when a usage type is first parsed)."""
    ids_by_name: dict[str, set[str]] = {}
    for row in read_csv_rows(BUILTIN_BOOK):
        if row.provider in ("Anthropic", "Amazon") and usage_token(row.name):
            ids_by_name.setdefault(row.name, set()).add(row.model)
    forms = {name: {form for model in ids for form in (model.lower(), alias_key(model))}
             for name, ids in ids_by_name.items()}
    shared = {form for name, own in forms.items() for other, theirs in forms.items() if other != name
              for form in own & theirs}
    return tuple(
        ModelBilling(max(ids_by_name[name], key=len), name, usage_token(name) or "",
                     tuple(sorted(forms[name] - shared)))
        for name in sorted(ids_by_name)
    )


_WORD_RE = re.compile(r"\d+(?:\.\d+)*|[A-Za-z][a-z]*")
_BEDROCK_ARN_RE = re.compile(r"^arn:aws[a-z-]*:bedrock:[a-z0-9-]*:\d*:[a-z-]+/(?P<id>.+)$")


def name_key(text: str) -> tuple[str, ...]:
    """Words of a model name, lower case, dots dropped, sorted (``Claude3.5Sonnet``: ``35 claude sonnet``)."""
    return tuple(sorted(word.lower().replace(".", "") for word in _WORD_RE.findall(text)))


@dataclass(frozen=True)
class _Lookups:
    """The table's rows by usage token, by name key, and every way a usage type names a model (token or id), longest
    first so a name is tried before its prefixes."""

    by_token: dict[str, ModelBilling]
    by_name: dict[tuple[str, ...], ModelBilling]
    parts: tuple[tuple[str, ModelBilling], ...]


@cache
def _lookups() -> _Lookups:
    rows = model_billing()
    by_token = {row.usage_token.lower(): row for row in rows}
    parts = {**by_token, **{form: row for row in rows for form in row.ids}}
    return _Lookups(by_token, {name_key(row.name): row for row in rows},
                    tuple(sorted(parts.items(), key=lambda item: -len(item[0]))))


# The words that follow the model in the usage types AWS's Price List and Cost Explorer show (kind of token, mantle
# meter, reserved capacity, provisioned throughput, customization): any other word (``V2``, ``1``) names another model.
_DETAIL_WORDS = frozenset({"input", "output", "cache", "mantle", "reserved", "provisionedthroughput", "model"})


@dataclass(frozen=True)
class UsageType:
    """What a Cost Explorer (service, usage type) pair says: region, model (if known), kind of charge."""

    service: str
    usage_type: str
    region: str | None
    model: ModelBilling | None
    kind: str  # input, output, cache_read, cache_write, other
    marketplace: bool
    global_endpoint: bool
    mode: str | None  # the price-book mode billed (standard, batch, flex, priority, latency); None: not known

    @property
    def batch(self) -> bool:
        """Billed at batch inference rates (a job of CreateModelInvocationJob)."""
        return self.mode == BATCH_MODE


def is_bedrock_service(service: str) -> bool:
    """True for ``Amazon Bedrock``, ``Amazon Bedrock Service`` and the Marketplace ``... (Amazon Bedrock Edition)``."""
    return service in OWN_SHAPE_SERVICES or service.strip().endswith(MARKETPLACE_SUFFIX)


def cur_service(product_code: str | None, product_name: str | None) -> str:
    """The Cost Explorer service of a CUR line: by its product code for Bedrock's own shapes, else its product name."""
    return _SERVICE_BY_CODE.get(product_code or "") or product_name or BEDROCK_SERVICE


def model_for_name(name: str) -> ModelBilling | None:
    """The table row for a usage-type model token or a Marketplace service name, else None."""
    bare = name.replace(MARKETPLACE_SUFFIX, "").strip()
    lookups = _lookups()
    return lookups.by_token.get(bare.lower()) or lookups.by_name.get(name_key(bare))


def parse_usage_type(service: str, usage_type: str) -> UsageType:
    """Read one Cost Explorer group: ``USE1-Claude3Haiku-input-tokens`` or ``USE1-MP:USE1_InputTokenCount-Units``."""
    code, _, rest = usage_type.partition("-")
    region = CODE_REGIONS.get(code.upper())
    marketplace = service not in OWN_SHAPE_SERVICES or rest.startswith("MP:")
    if region is None:
        rest = usage_type
    if marketplace:
        model = model_for_name(service)
        detail = _MARKETPLACE_PREFIX_RE.sub("", rest)
    else:
        model, detail = _model_part(rest)
    kind = _kind(detail)
    return UsageType(service, usage_type, region, model, kind, marketplace, "global" in detail.lower(),
                     _mode(_words(detail), kind != "other"))


@cache
def usage_mode(service: str, usage_type: str) -> str | None:
    """The price-book mode a (service, usage type) bills, None when its tier is not known (``parse_usage_type``)."""
    return parse_usage_type(service, usage_type).mode


_MARKETPLACE_PREFIX_RE = re.compile(r"^MP:[A-Z0-9]+_")
_PART_RE = re.compile(r"\d+[a-z]*|[A-Z]?[a-z]+|[A-Z]+(?![a-z])")
_KIND_WORDS = frozenset({"input", "output", "cache"})
# The words that follow the kind of token in the usage types of the sources above (unit, endpoint, context, cache
# duration, modality, tier): a token charge with another word there may bill a tier no source shows.
TOKEN_WORDS = frozenset({"input", "output", "cache", "read", "write", "token", "tokens", "count", "units", "million",
                         "cross", "region", "global", "geo", "long", "context", "ctx", "1", "hour", "1h", "5m", "30m",
                         "text", "speech", "image", "audio", "video"})
# Charges that are not on-demand inference (the offer reader leaves their prices out for the same words).
_NOT_ON_DEMAND = frozenset({"reserved", "provisioned", "customization", "custom", "training", "storage"})


def _words(detail: str) -> list[str]:
    """The words of a usage type's part after the model, lower case (``CacheWrite1hInputTokenCount_Global``: cache,
    write, 1h, input, token, count, global)."""
    return [word.lower() for word in _PART_RE.findall(detail)]


def _mode(words: list[str], tokens: bool) -> str | None:
    """The mode ``words`` bill: the one tier they name (``flex``, ``priority``, ``batch``, ``latency-optimized``,
    ``standard``), else standard when they bill no tokens or every word after the kind of token is a ``TOKEN_WORDS``
    one; None for a charge that is not on-demand inference, two tiers, or a word no source shows."""
    if _NOT_ON_DEMAND & set(words):
        return None
    pairs = set(zip(words, words[1:], strict=False))
    named = {word for word in words if word in (STANDARD_MODE, *OTHER_MODES)}
    if "latency" in words:
        if ("latency", "optimized") not in pairs:
            return None
        named.add(LATENCY_MODE)
    if len(named) > 1:
        return None
    if named:
        return named.pop()
    start = next((i for i, word in enumerate(words) if word in _KIND_WORDS), len(words))
    if tokens and not set(words[start:]) <= TOKEN_WORDS:
        return None
    return STANDARD_MODE


def _model_part(rest: str) -> tuple[ModelBilling | None, str]:
    """The model the start of a usage type's tail names, and the rest (kind of token, endpoint).

    A known token or base id must be followed by a dash and a word of ``_DETAIL_WORDS``: ``anthropic.claude-opus-4-8``
    does not name ``anthropic.claude-opus-4-8-1-...``, nor ``Claude3.5Sonnet`` ``Claude3.5Sonnet-V2-...``; else the
    text up to the first dash is the model, known or not.
    """
    lower = rest.lower()
    for part, row in _lookups().parts:
        if lower.startswith(f"{part}-") and _is_detail(lower[len(part) + 1:]):
            return row, rest[len(part) + 1:]
    token, _, detail = rest.partition("-")
    return model_for_name(token) if _is_detail(detail) else None, detail


def _is_detail(tail: str) -> bool:
    """True when ``tail`` starts with a word that follows a model in a usage type (``input-tokens``, ``mantle-``)."""
    return tail.partition("-")[0].lower() in _DETAIL_WORDS


def _kind(detail: str) -> str:
    """The kind of token a usage-type tail bills (``cache-read-input-tokens``, ``_OutputTokenCount-Units``)."""
    flat = re.sub(r"[^a-z]", "", detail.lower())
    if "cacheread" in flat:
        return "cache_read"
    if "cachewrite" in flat:
        return "cache_write"
    if "input" in flat:
        return "input"
    if "output" in flat:
        return "output"
    return "other"


def metric_model_key(model_id: str | None) -> str:
    """The key a logged ``modelId`` and a CloudWatch ``ModelId`` share: ARNs reduced to their resource id.

    ``arn:...:inference-profile/us.anthropic...`` and ``us.anthropic...`` are one key; an application
    inference profile ARN becomes its profile id, so either form CloudWatch reports meets the log.
    """
    raw = (model_id or "").strip()
    match = _BEDROCK_ARN_RE.match(raw)
    return match["id"] if match else raw
