"""What a logged ``modelId`` names: base model, endpoint family (in-region, geo, global; GovCloud by the call's
Region) or an opaque ARN.

A call may name a prompt router (Intelligent Prompt Routing) instead of a model:
``arn:aws:bedrock:{region}:{account}:default-prompt-router/{id}`` or ``...:prompt-router/{id}``. Bedrock bills the
model the router chose, which the logged Converse or ConverseStream response names as
``trace.promptRouter.invokedModelId`` (Amazon Bedrock API Reference, "ConverseTrace" and "PromptRouterTrace": a
foundation-model or inference-profile ARN); the facts query counts such a call as one of that model
(``engines/queries.py``, ``logs/bodies.py``), so a router's ARN left as a model id is a call whose choice the log
does not hold."""

from __future__ import annotations

import re
from dataclasses import dataclass

GEO_PREFIXES = frozenset({"us", "eu", "apac", "jp", "au", "ca", "in", "us-gov"})
_ARN_RE = re.compile(r"^arn:aws[a-z-]*:bedrock:(?P<region>[a-z0-9-]*):(?P<account>\d*):(?P<kind>[a-z-]+)/(?P<id>.+)$")
_CONTEXT_SUFFIX_RE = re.compile(r":\d+k$")
_VERSION_SUFFIX_RE = re.compile(r"(-v1)?(:0)?$")
_DATE_RE = re.compile(r"-\d{8}(?=-v\d)")
_COMMERCIAL_REGION_RE = re.compile(r"^(?!cn-|us-gov-|us-iso)[a-z]{2}-[a-z]+-\d$")
PROMPT_ROUTER = "prompt-router"  # the endpoint of a call through a prompt router whose choice is not logged
# A Bedrock Marketplace model is called by its SageMaker endpoint's ARN (Amazon Bedrock User Guide, "Call the
# endpoint": ``--model-id arn:aws:sagemaker:{region}:{account}:endpoint/{name}``).
_MARKETPLACE_RE = re.compile(r"^arn:aws[a-z-]*:sagemaker:[a-z0-9-]*:\d*:endpoint/.")
# Bedrock ARNs of models billed otherwise than per call, by the endpoint reports show for them: Provisioned Throughput
# (model-unit hours), Custom Model Import (custom model units per 5-minute window), a custom model deployment.
OWN_MODEL_ENDPOINTS = {"provisioned-model": "provisioned", "imported-model": "imported",
                       "custom-model-deployment": "custom-deployment"}
ROUTER_KINDS = ("default-prompt-router", "prompt-router")  # Intelligent Prompt Routing: AWS's routers, an account's

# Models Bedrock serves under two ids, {id of the bedrock-mantle endpoint: id Bedrock Runtime takes and Model
# Invocation Logs carry}; the sources price some rows under one id only (LiteLLM's Kimi K2 Thinking Regions and flex
# rates are under the Mantle id). Runtime ids: AWS's model cards, as quoted in models.dev PR #1637 and opencode issue
# #5548 (moonshot.kimi-k2-thinking), braintrust-proxy issues #629 and #550 and hebo-gateway PR #151 (Qwen); Mantle
# ids: the same issues, LangChain's ChatAwsMantle docs (moonshotai.kimi-k2-thinking) and LiteLLM's bedrock_mantle/
# entries. An alias and its dated id (``alias_key``) are one model too. ``tools/build_price_book.py`` gives both ids the
# same rows; a user's price row for either prices both (``pricing/book.py``).
TWINS: dict[str, str] = {
    "moonshotai.kimi-k2-thinking": "moonshot.kimi-k2-thinking",
    "qwen.qwen3-coder-30b-a3b-instruct": "qwen.qwen3-coder-30b-a3b-v1:0",
    "qwen.qwen3-coder-480b-a35b-instruct": "qwen.qwen3-coder-480b-a35b-v1:0",
    "qwen.qwen3-vl-235b-a22b-instruct": "qwen.qwen3-vl-235b-a22b",
    "qwen.qwen3-next-80b-a3b-instruct": "qwen.qwen3-next-80b-a3b",
    "openai.gpt-oss-120b": "openai.gpt-oss-120b-1:0",
    "openai.gpt-oss-20b": "openai.gpt-oss-20b-1:0",
}


@dataclass(frozen=True)
class ModelRef:
    """What a logged ``modelId`` names: the base model (if knowable) and how it was called."""

    model_id: str
    base_id: str | None
    # "in-region", "geo", "global", or what an ARN names: "application-profile", "provisioned", "imported",
    # "custom-deployment", "marketplace", "prompt-router", "other-arn"
    endpoint: str

    def family(self, region: str) -> str | None:
        """The price family for a call from ``region``; ``None`` when the endpoint cannot be priced."""
        if self.base_id is None:
            return None
        if region.startswith("us-gov-") or self.model_id.startswith("us-gov."):
            return "govcloud"
        return "global" if self.endpoint == "global" else "regional"

    def endpoint_in(self, region: str) -> str:
        """The endpoint reports show for a call from ``region``: ``govcloud`` for a call priced at GovCloud rates
        (``family``), so no row mixes them with commercial calls; else ``endpoint``."""
        return "govcloud" if self.family(region) == "govcloud" else self.endpoint


def parse_model_id(model_id: str) -> ModelRef:
    """Read any ``modelId`` form: base id, ``us.``/``global.`` profile id, or a Bedrock ARN."""
    raw = (model_id or "").strip()
    if _MARKETPLACE_RE.match(raw):
        return ModelRef(raw, None, "marketplace")
    ident = raw
    match = _ARN_RE.match(raw)
    if match:
        kind, ident = match["kind"], match["id"]
        if kind == "application-inference-profile":
            return ModelRef(raw, None, "application-profile")
        if kind in OWN_MODEL_ENDPOINTS:  # billed per hour, per 5-minute window or by deployment: never per token
            return ModelRef(raw, None, OWN_MODEL_ENDPOINTS[kind])
        if kind in ROUTER_KINDS:  # billed at the model it chose, named only in the logged response
            return ModelRef(raw, None, PROMPT_ROUTER)
        if kind not in ("inference-profile", "foundation-model"):
            return ModelRef(raw, None, "other-arn")
    endpoint = "in-region"
    head, _, rest = ident.partition(".")
    if rest and "." in rest and (head in GEO_PREFIXES or head == "global"):
        endpoint = "global" if head == "global" else "geo"
        ident = rest
    base = _CONTEXT_SUFFIX_RE.sub("", ident)
    return ModelRef(raw, base or None, endpoint)


def is_priced_region(region: str) -> bool:
    """Regions whose calls the book can price: commercial and GovCloud regions (not China or ISO)."""
    return bool(_COMMERCIAL_REGION_RE.match(region)) or region.startswith("us-gov-")


def model_key(base_id: str) -> str:
    """A base id without a first-version suffix (``-v1``, ``:0``), to match ids AWS writes both ways
    (``anthropic.claude-opus-4-6-v1`` is logged as ``...-v1:0`` too); ``-v2`` or ``:1`` name other models."""
    return _VERSION_SUFFIX_RE.sub("", base_id.strip().lower())


def alias_key(base_id: str) -> str:
    """``model_key`` without the date of a dated id: a dated id and its alias share it
    (``anthropic.claude-haiku-4-5-20251001-v1:0`` and ``anthropic.claude-haiku-4-5``)."""
    return model_key(_DATE_RE.sub("", base_id))


_TWIN_KEYS = {model_key(twin): runtime for twin, runtime in TWINS.items()}


def is_twin(base_id: str) -> bool:
    """True for the bedrock-mantle id of a model Bedrock Runtime names otherwise (``TWINS``)."""
    return model_key(base_id) in _TWIN_KEYS


def one_model_key(base_id: str) -> str:
    """A key every id of one model shares: ``alias_key`` of its Bedrock Runtime id (``TWINS``), so an alias, its dated
    id and a bedrock-mantle twin meet."""
    return alias_key(_TWIN_KEYS.get(model_key(base_id), base_id))
