"""Build ``bedrock_usage/pricing/bedrock_prices.csv`` from the public price data that ships in PyPI packages.

These machines cannot reach the AWS Price List, so the shipped book is built from what can be read offline and
cross-checked: LiteLLM's ``model_prices_and_context_window_backup.json`` (inside the ``litellm`` wheel), pydantic's
``genai-prices`` data (the ``genai_prices`` package), the consolidated Claude table in ``shared/reference/pricing``
a few figures read from AWS's pricing and model-card pages (``AWS_PAGES``, ``AWS_LATENCY`` and ``AWS_PAGE_BATCH``
below, each with its page) and a few corrections of LiteLLM slips by a published source (``CORRECTIONS``). A user's
``python pricing.py --refresh`` then brings the book to AWS's current list.

Run it in a scratch environment (neither package is a dependency of the project)::

    python -m venv /tmp/prices && /tmp/prices/bin/pip install genai-prices
    pip download --no-deps litellm -d /tmp/prices-wheels
    unzip -o -j /tmp/prices-wheels/litellm-*.whl litellm/model_prices_and_context_window_backup.json -d /tmp/prices
    /tmp/prices/bin/python tools/build_price_book.py \\
        --litellm /tmp/prices/model_prices_and_context_window_backup.json --litellm-version 1.110.2 \\
        --reference ../shared/reference/pricing/consolidated_bedrock_claude.csv

Where the sources give different prices for one row, the row's ``source`` says so, and the value taken is the
one backed by AWS: the reference table (checked against the AWS Price List), then a source that cites the AWS
Price List or pricing page for that model, then genai-prices, then LiteLLM. A reference-table price holds in every
region of its family (no geographic-profile row undercuts it); a row for one region is today's price, so it never
undoes a dated change of the ``*`` row (Claude 3.5 Sonnet v2 from 2025-12-01).

Ids that name one model (an alias and its dated id; the Bedrock Runtime and bedrock-mantle ids in ``TWINS``, in
``bedrock_usage/pricing/model_ids.py``, which the runtime reads too) get the same rows, from the quotes of all of
them, and one name: a call is priced alike whichever id it logs. Where their quotes disagree, the row takes the
figure backed by AWS as above, on a tie the one quoted under the id Bedrock Runtime takes (Qwen3 Next 80B's input:
$0.15 per 1M, which its Regions' rates, 1.2x, and its Priority rate, 1.75x, fit; the Mantle id's entry says $0.14);
the row's ``source`` names both and the build prints a line for each.

``tests/pricing/test_build_price_book.py`` runs the build offline over excerpts of LiteLLM and the reference table.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bedrock_usage.pricing.book import CSV_FIELDS, UNITS  # noqa: E402
from bedrock_usage.pricing.model_ids import alias_key, is_twin, model_key, one_model_key  # noqa: E402

TOKEN_FIELDS = ("input", "output", "cache_write_5m", "cache_write_1h", "cache_read", "audio_input", "audio_output")
# Source regions of each geographic cross-region profile: for ``eu`` and ``apac``, the ``eu-`` and ``ap-`` regions with
# a Bedrock endpoint in botocore 1.43.11, written out so that a rebuild does not depend on the installed botocore.
GEO_REGIONS: dict[str, tuple[str, ...]] = {
    "us": ("us-east-1", "us-east-2", "us-west-1", "us-west-2"),
    "eu": ("eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2",
           "eu-west-3"),
    "apac": ("ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-south-2",
             "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5",
             "ap-southeast-6", "ap-southeast-7"),
    "jp": ("ap-northeast-1", "ap-northeast-3"),
    "au": ("ap-southeast-2",),
    "in": ("ap-south-1",),
    "ca": ("ca-central-1",),
}
GEO_ORDER = ("apac", "us", "eu", "ca", "jp", "au", "in")  # later (narrower) geographies win a shared region
PROVIDERS = {
    "ai21": "AI21 Labs", "amazon": "Amazon", "anthropic": "Anthropic", "cohere": "Cohere", "deepseek": "DeepSeek",
    "google": "Google", "luma": "Luma AI", "meta": "Meta", "minimax": "MiniMax", "mistral": "Mistral AI",
    "moonshot": "Moonshot AI", "moonshotai": "Moonshot AI", "nvidia": "NVIDIA", "openai": "OpenAI", "qwen": "Qwen",
    "stability": "Stability AI", "twelvelabs": "TwelveLabs", "writer": "Writer", "xai": "xAI", "zai": "Z.ai",
}
LITELLM_FIELDS = {
    "input_cost_per_token": "input",
    "output_cost_per_token": "output",
    "cache_creation_input_token_cost": "cache_write_5m",
    "cache_creation_input_token_cost_above_1hr": "cache_write_1h",
    "cache_read_input_token_cost": "cache_read",
    "input_cost_per_audio_token": "audio_input",
    "output_cost_per_audio_token": "audio_output",
}
LITELLM_MODES = {"": "standard", "_batches": "batch", "_flex": "flex", "_priority": "priority"}
GENAI_FIELDS = {
    "input_mtok": "input", "output_mtok": "output", "cache_write_mtok": "cache_write_5m",
    "cache_write_1h_mtok": "cache_write_1h", "cache_read_mtok": "cache_read", "input_audio_mtok": "audio_input",
    "output_audio_mtok": "audio_output",
}
_GEO_PREFIXES = ("us-gov", "global", *GEO_REGIONS)
_REGION = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-\d$")  # any AWS region: a region LiteLLM prices apart is never dropped
_CONTEXT_TIER = re.compile(r"_above_(\d+)k_tokens")
_IMAGE_KEY = re.compile(r"^(?P<size>\d+|max)-x-(?:\d+|max)/(?P<steps>50|max)-steps/(?:bedrock/)?(?P<model>.+)$")

# Figures read on AWS's own pages that neither package carries in the book's units (per image, per second,
# per query) or by size and quality. (model, tier, unit, USD per unit, page)
AWS_PAGES: tuple[tuple[str, str, str, float, str], ...] = (
    ("amazon.titan-image-generator-v1", "image_512_standard", "image", 0.008, "aws.amazon.com/bedrock/pricing"),
    ("amazon.titan-image-generator-v1", "image_512_premium", "image", 0.01, "aws.amazon.com/bedrock/pricing"),
    ("amazon.titan-image-generator-v1", "image_1024_standard", "image", 0.01, "aws.amazon.com/bedrock/pricing"),
    ("amazon.titan-image-generator-v1", "image_1024_premium", "image", 0.012, "aws.amazon.com/bedrock/pricing"),
    ("amazon.titan-image-generator-v2:0", "image_512_standard", "image", 0.008, "aws.amazon.com/bedrock/pricing"),
    ("amazon.titan-image-generator-v2:0", "image_512_premium", "image", 0.01, "aws.amazon.com/bedrock/pricing"),
    ("amazon.titan-image-generator-v2:0", "image_1024_standard", "image", 0.01, "aws.amazon.com/bedrock/pricing"),
    ("amazon.titan-image-generator-v2:0", "image_1024_premium", "image", 0.012, "aws.amazon.com/bedrock/pricing"),
    ("amazon.nova-canvas-v1:0", "image_1024_standard", "image", 0.04, "aws.amazon.com/bedrock/pricing (Nova)"),
    ("amazon.nova-canvas-v1:0", "image_1024_premium", "image", 0.06, "aws.amazon.com/bedrock/pricing (Nova)"),
    ("amazon.nova-canvas-v1:0", "image_2048_standard", "image", 0.06, "aws.amazon.com/bedrock/pricing (Nova)"),
    ("amazon.nova-canvas-v1:0", "image_2048_premium", "image", 0.08, "aws.amazon.com/bedrock/pricing (Nova)"),
    ("amazon.nova-reel-v1:0", "video_720", "second", 0.08, "aws.amazon.com/bedrock/pricing (Nova Reel, 720p 24 fps)"),
    ("amazon.nova-reel-v1:1", "video_720", "second", 0.08, "aws.amazon.com/bedrock/pricing (Nova Reel, 720p 24 fps)"),
    ("luma.ray-v2:0", "video_540", "second", 0.75, "aws.amazon.com/bedrock/pricing (Luma AI Ray2, 540p)"),
    ("luma.ray-v2:0", "video_720", "second", 1.5, "aws.amazon.com/bedrock/pricing (Luma AI Ray2, 720p)"),
    ("amazon.titan-embed-image-v1", "base", "image", 0.00006,
     "aws.amazon.com/bedrock/pricing (Amazon Titan Multimodal Embeddings G1, per input image)"),
)
# Latency-optimized rates (the book's ``latency`` mode), published for US East (Ohio): the Amazon Bedrock User Guide,
# "Optimize model inference for latency", offers them there for Claude 3.5 Haiku and Llama 3.1 70B and 405B through
# the ``us.`` cross-region profile (a ``regional`` row), and for Nova Pro there and in other US Regions, whose rate no
# source names. (model, source Region, input, output per 1K, source)
_PAGE_COPY = "as copied on 2025-07-20 in convo-lang/convo-lang packages/convo-lang-bedrock/bedrock-pricing.md"
_LATENCY_PAGE = ("AWS page aws.amazon.com/bedrock/pricing ({} (w/ latency optimized inference)), " + _PAGE_COPY
                 + "; US East (Ohio): Amazon Bedrock User Guide, Optimize model inference for latency")
AWS_LATENCY: tuple[tuple[str, str, float, float, str], ...] = (
    ("amazon.nova-pro-v1:0", "us-east-2", 0.001, 0.004, _LATENCY_PAGE.format("Amazon Nova Pro")),
    ("anthropic.claude-3-5-haiku-20241022-v1:0", "us-east-2", 0.001, 0.005,
     "reference table note (latency-optimized (us-east-2) is 0.001/0.005)"),
    ("meta.llama3-1-405b-instruct-v1:0", "us-east-2", 0.003, 0.003, _LATENCY_PAGE.format("Llama 3.1 Instruct (405B)")),
    ("meta.llama3-1-70b-instruct-v1:0", "us-east-2", 0.0009, 0.0009, _LATENCY_PAGE.format("Llama 3.1 Instruct (70B)")),
)
# Ids a source lists that Bedrock does not have (the reference table explains each).
SKIPPED = {
    "anthropic.claude-3-7-sonnet-20240620-v1:0": "LiteLLM's GovCloud rate under an id that does not exist",
}
# Rates a source lists that the reference table calls spurious: (model, fields) -> why they are left out.
SPURIOUS: dict[tuple[str, tuple[str, ...]], str] = {
    ("anthropic.claude-3-sonnet-20240229-v1:0", ("cache_write_5m", "cache_write_1h", "cache_read")):
        "Claude 3 Sonnet never had prompt caching on Bedrock (reference table)",
}
# Token prices on AWS's pricing page that neither package lists: (model, name, input, output per 1K, page).
AWS_PAGE_TOKENS: tuple[tuple[str, str, float, float | None, str], ...] = (
    ("cohere.command-r-v1:0", "Command R", 0.0005, 0.0015, "aws.amazon.com/bedrock/pricing (Cohere)"),
    ("cohere.command-r-plus-v1:0", "Command R+", 0.003, 0.015, "aws.amazon.com/bedrock/pricing (Cohere)"),
)
# Batch rates on AWS's pricing page (``_PAGE_COPY``) that neither package lists for the model's in-region ids: (model,
# input, output per 1K, the page's row). The copy names no Region: a ``*`` row, as the model's standard one.
AWS_PAGE_BATCH: tuple[tuple[str, float, float, str], ...] = (
    ("anthropic.claude-3-5-sonnet-20240620-v1:0", 0.0015, 0.0075, "Claude 3.5 Sonnet"),
    ("meta.llama3-1-405b-instruct-v1:0", 0.0012, 0.0012, "Llama 3.1 Instruct (405B)"),
)
# A region's figures that a published source corrects where LiteLLM, the only other source, slipped:
# (model, family, region, {field: USD per 1K}, source). They outrank LiteLLM, whose figure the row keeps as a
# disagreement.
CORRECTIONS: tuple[tuple[str, str, str, dict[str, float], str], ...] = (
    # LiteLLM 1.110.2 gives us-gov-east-1 Llama 3 8B's output the 70B input rate (0.00265); its us-gov-west-1 row
    # (AWS model card) and LiteLLM's later regression test (AWS offer file, both GovCloud regions) give 0.0006.
    ("meta.llama3-8b-instruct-v1:0", "govcloud", "us-gov-east-1", {"input": 0.0003, "output": 0.0006},
     "LiteLLM tests/test_litellm/test_bedrock_usgov_pricing.py at 041a19d5 (AWS offer file)"),
)
# What the sources leave open, written into the rows of a model (pricing.py --refresh settles it from AWS's list).
NOTES = {
    "anthropic.claude-3-5-sonnet-20240620-v1:0": "open: Claude 3.5 Sonnet v2 moved to Public Extended Access prices "
    "(2x) on 2025-12-01 (AWS pricing page via Helicone PR #5709; clauder-navi quotes $6/$30 for '3.5 Sonnet'); "
    "whether v1 did too is not in LiteLLM, genai-prices or the reference table; the Marketplace offer decides",
    "anthropic.claude-3-5-sonnet-20241022-v2:0": "checked against the Marketplace offer only through secondary "
    "sources: LiteLLM and genai-prices keep the pre-2025-12-01 price",
    "amazon.titan-embed-text-v2:0": "open: the GovCloud rates are LiteLLM's alone, with no source: us-gov-east-1 "
    "0.00003 and us-gov-west-1 0.00011 per 1K, both 0.0002 through LiteLLM 1.106.0 (its commercial 10x slip, left "
    "unverified for GovCloud by LiteLLM PR #29693); neither is 1.2x the commercial 0.00002; AWS's GovCloud list "
    "decides",
    "amazon.titan-text-express-v1": "open: the GovCloud rates are LiteLLM's alone, with no source: us-gov-east-1 "
    "0.0013/0.0017 per 1K is its old commercial figure (its bare id through LiteLLM 1.106.0, both GovCloud regions "
    "too); us-gov-west-1 0.0008/0.0016 since LiteLLM 1.109.0; AWS's GovCloud list decides",
    "cohere.command-text-v14": "open: 0.001/0.002 per 1K is LiteLLM's since 1.106.0 (citing aws.amazon.com/bedrock/"
    "pricing) and a 2025-07-20 copy of that page (convo-lang/convo-lang packages/convo-lang-bedrock/"
    "bedrock-pricing.md); LiteLLM through 1.100.0 and older tables give 0.0015/0.002: the day the price changed is "
    "not known, calls before it may have cost more",
}
NAMES = {
    "amazon.nova-reel-v1:0": "Nova Reel", "amazon.nova-reel-v1:1": "Nova Reel 1.1", "luma.ray-v2:0": "Ray2",
    "stability.sd3-5-large-v1:0": "SD3.5 Large", "stability.sd3-large-v1:0": "SD3 Large",
    "stability.stable-diffusion-xl-v0": "SDXL 0.8", "stability.stable-diffusion-xl-v1": "SDXL 1.0",
    "amazon.titan-embed-image-v1": "Titan Multimodal Embeddings G1",
    # Models whose ids read alike get names of their own, so the model table never adds one's calls to another's.
    "anthropic.claude-v1": "Claude 1", "anthropic.claude-v2:1": "Claude 2.1",
    "amazon.titan-image-generator-v1": "Titan Image Generator G1",
    "amazon.titan-image-generator-v2:0": "Titan Image Generator G1 v2",
    # Names as a report's reader knows the model, where a source's (or the id's) would read short or run together.
    "deepseek.v3-v1:0": "DeepSeek V3", "deepseek.v3.1": "DeepSeek V3.1", "deepseek.v3.2": "DeepSeek V3.2",
    "meta.llama2-13b-chat-v1": "Llama 2 13B Chat", "meta.llama2-70b-chat-v1": "Llama 2 70B Chat",
    "meta.llama3-1-405b-instruct-v1:0": "Llama 3.1 405B Instruct", "cohere.embed-v4:0": "Embed v4",
    "cohere.embed-english-v3": "Embed English v3", "cohere.embed-multilingual-v3": "Embed Multilingual v3",
    "amazon.rerank-v1:0": "Amazon Rerank 1.0", "cohere.rerank-v3-5:0": "Cohere Rerank 3.5",
}


UNDATED = "~"


@dataclass
class Quote:
    """One source's value for one field of one row."""

    source: str
    value: float
    cites_aws: bool
    rank: float  # lower wins a disagreement


@dataclass
class Row:
    model: str
    family: str
    region: str
    mode: str
    tier: str
    unit: str = "tokens"
    effective_from: str = ""
    effective_to: str = ""
    slot: str = ""  # effective_from, or UNDATED for a figure without dates
    values: dict[str, list[Quote]] = field(default_factory=lambda: defaultdict(list))

    @property
    def key(self) -> tuple[str, ...]:
        return (self.model, self.family, self.region, self.mode, self.tier, self.unit, self.slot)


@dataclass(frozen=True)
class ReferenceRow:
    """One price of the reference table, as added to the book."""

    model: str
    family: str
    mode: str
    tier: str
    values: dict[str, float]
    label: str
    start: str
    end: str


class Book:
    """Rows being assembled from several sources."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, ...], Row] = {}
        self.names: dict[str, str] = {}
        self.ids: dict[str, str] = {}  # model_key -> the id the book uses (the first source's spelling)
        self.geographies: list[tuple[str, str, dict, str]] = []  # (base id, geo, values, source) to compare
        self.reference: list[ReferenceRow] = []  # the reference table's rows, which geographic rows never undercut

    def add(self, model: str, family: str, region: str, mode: str, tier: str, values: dict[str, float],
            quote: tuple[str, bool, float], unit: str = "tokens", start: str = "", end: str = "") -> None:
        if model in SKIPPED:
            return
        model = self.ids.setdefault(model_key(model), model)
        # Undated figures (today's price) wait apart until every source is read; see ``_undated_into_dated``.
        slot = start or ("" if end else UNDATED)
        row = self.rows.setdefault((model, family, region, mode, tier, unit, slot),
                                   Row(model, family, region, mode, tier, unit, start, end, slot))
        row.effective_to = row.effective_to or end
        source, cites_aws, rank = quote
        for name, value in values.items():
            if not any(q.source == source for q in row.values[name]):
                row.values[name].append(Quote(source, value, cites_aws, rank))


def _per_1k(per_token: float) -> float:
    return float(Decimal(str(per_token)) * 1000)


def _split_model(ident: str) -> tuple[str | None, str]:
    """(geo prefix or None, base id) of a Bedrock model id or profile id."""
    head, _, rest = ident.partition(".")
    if rest and head in _GEO_PREFIXES and "." in rest:
        return head, rest
    return None, ident


def read_litellm(path: Path, version: str, book: Book) -> None:
    """Bedrock entries of LiteLLM's price map: per-token prices, region, geo and image-size variants."""
    entries = json.loads(path.read_text(encoding="utf-8"))
    label = f"LiteLLM {version}"
    geo_values: dict[tuple[str, str], dict[str, dict]] = defaultdict(dict)
    for key, entry in entries.items():
        if not isinstance(entry, dict) or not str(entry.get("litellm_provider", "")).startswith("bedrock"):
            continue
        cites_aws = "amazonaws.com" in str(entry.get("source", "")) or "aws.amazon.com" in str(entry.get("source", ""))
        image = _IMAGE_KEY.match(key)
        if image:
            size = {"max": "1024"}.get(image["size"], image["size"]) if "xl-v0" not in key else image["size"]
            quality = "standard" if image["steps"] == "50" else "premium"
            size = "any" if size == "max" else size
            book.add(image["model"], "regional", "*", "standard", f"image_{size}_{quality}",
                     {"per_unit": float(entry["output_cost_per_image"])}, (label, cites_aws, 3), unit="image")
            continue
        parts = key.split("/")
        if parts[0] in ("bedrock", "bedrock_mantle"):
            parts = parts[1:]
        parts = [p for p in parts if p not in ("invoke", "converse")]
        region = "*"
        if len(parts) == 2 and _REGION.match(parts[0]):
            region, parts = parts[0], parts[1:]
        if len(parts) != 1 or "@" in parts[0] or "." not in parts[0]:
            continue  # provisioned-throughput commitments, other platforms, ids without a provider
        geo, base = _split_model(parts[0])
        if base.split(".")[0] not in PROVIDERS:
            continue
        if geo == "us-gov" or region.startswith("us-gov-"):
            family = "govcloud"
        elif geo == "global":
            family = "global"
        else:
            family = "regional"
        if entry.get("output_cost_per_image") and not any(model_key(base) == model_key(page[0]) for page in AWS_PAGES):
            # One price per image whatever its size (Stability's Stable Image and SD3 models).
            for quality in ("standard", "premium"):
                book.add(base, family, region, "standard", f"image_any_{quality}",
                         {"per_unit": float(entry["output_cost_per_image"])}, (label, cites_aws, 3), unit="image")
            continue
        values = _litellm_values(entry)
        if not values:
            continue
        if geo in GEO_REGIONS and region == "*":
            geo_values[(base, geo)] = values
            continue
        _add_modes(book, base, family, region, values, (label, cites_aws, 3))
    # ``us.`` is priced like the in-region id on AWS's pages; LiteLLM's bare ids of recent Claude models carry the
    # global price instead, so the ``us.`` figure outranks the bare one. Other geographies are compared with the
    # book's in-region price once every source is read (``apply_geographies``).
    for (base, geo), values in geo_values.items():
        if geo == "us":
            _add_modes(book, base, "regional", "*", values, (f"{label} us.", True, 2.5))
        else:
            book.geographies.append((base, geo, values, f"{label} {geo}."))


def apply_geographies(book: Book) -> None:
    """A geographic profile priced apart from the in-region id is a regional rate of that geography's regions,
    unless the reference table prices the model's geographic profiles and in-region ids as one."""
    referenced = {(r.model, r.family, r.mode, r.tier) for r in book.reference}
    for base, geo, values, label in sorted(book.geographies, key=lambda g: GEO_ORDER.index(g[1])):
        model = book.ids.get(model_key(base), base)
        for (mode, tier), fields in values.items():
            if tier == "query" or (model, "regional", mode, tier) in referenced:
                continue
            best = _todays_best(book, (model, "regional", "*", mode, tier, "tokens"))
            if all(abs(best.get(name, -1.0) - value) <= 1e-12 for name, value in fields.items()):
                continue
            for region in GEO_REGIONS[geo]:
                book.add(model, "regional", region, mode, tier, fields, (label, True, 3))


def _todays_best(book: Book, key: tuple[str, ...]) -> dict[str, float]:
    """{field: value} the book takes today for a row key without its slot (undated and open-ended figures)."""
    quotes: dict[str, list[Quote]] = defaultdict(list)
    for row in book.rows.values():
        if row.key[:-1] == key and not row.effective_to:
            for name, values in row.values.items():
                quotes[name].extend(values)
    return {name: min(values, key=_preference).value for name, values in quotes.items()}


def _preference(quote: Quote) -> tuple[float, bool]:
    return (quote.rank, not quote.cites_aws)


def _litellm_values(entry: dict) -> dict[tuple[str, str], dict[str, float]]:
    """{(mode, tier): {field: USD per 1K}} of one LiteLLM entry."""
    out: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
    for key, value in entry.items():
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            continue
        tier = "base"
        match = _CONTEXT_TIER.search(key)
        if match:
            tier = f"above_{match[1]}k"
            key = key.replace(match[0], "")
        for suffix, mode in LITELLM_MODES.items():
            stem = key[: len(key) - len(suffix)] if suffix and key.endswith(suffix) else key
            if (suffix and not key.endswith(suffix)) or stem not in LITELLM_FIELDS:
                continue
            out[(mode, tier)][LITELLM_FIELDS[stem]] = _per_1k(value)
        if key == "input_cost_per_query":
            out[("standard", "query")]["per_unit"] = float(value)
    if entry.get("mode") in ("embedding", "rerank"):
        for values in out.values():
            if values.get("output") == 0.0:
                del values["output"]  # embeddings and rerank bill input only
    if entry.get("mode") == "rerank":
        out.pop(("standard", "base"), None)
    return {k: v for k, v in out.items() if v and any(x > 0 for x in v.values())}


def _add_modes(book: Book, base: str, family: str, region: str,
               values: dict[tuple[str, str], dict[str, float]], quote: tuple[str, bool, float]) -> None:
    for (mode, tier), fields in values.items():
        if tier == "query":
            book.add(base, family, region, mode, "base", fields, quote, unit="query")
        else:
            book.add(base, family, region, mode, tier, fields, quote)


def read_genai(version: str, book: Book) -> None:
    """The ``aws`` provider of genai-prices: dated prices, tiers, global and regional entries."""
    from genai_prices import data  # imported here: only this tool needs the package

    label = f"genai-prices {version}"
    provider = next(p for p in data.providers if p.id == "aws")
    for model in provider.models:
        family, _, base = model.id.partition(".")
        if family not in ("global", "regional"):
            family, base = "regional", model.id
        if base.split(".")[0] not in PROVIDERS:
            continue
        if model.name:
            name = re.sub(r"\s*\((global|regional)\)$", "", model.name)
            book.names.setdefault(book.ids.get(model_key(base), base), name)
        comment = model.price_comments or ""
        cites_aws = "AWS price list" in comment or "aws.amazon.com" in comment
        prices = model.prices if isinstance(model.prices, list) else [model.prices]
        periods = []
        for item in prices:
            constraint = getattr(item, "constraint", None)
            start = getattr(constraint, "start_date", None)
            if constraint is not None and start is None:
                continue  # time-of-day prices do not apply to Bedrock
            periods.append((start.isoformat() if start else "", getattr(item, "prices", item)))
        periods.sort(key=lambda p: p[0])
        for index, (start, price) in enumerate(periods):
            end = periods[index + 1][0] if index + 1 < len(periods) else ""
            tiers: dict[str, dict[str, float]] = defaultdict(dict)
            for attribute, name in GENAI_FIELDS.items():
                value = getattr(price, attribute, None)
                if value is None:
                    continue
                base_value = getattr(value, "base", value)
                tiers["base"][name] = float(Decimal(base_value) / 1000)
                for tier in getattr(value, "tiers", None) or ():
                    tiers[f"above_{tier.start // 1000}k"][name] = float(Decimal(tier.price) / 1000)
            for tier, values in tiers.items():
                book.add(base, family, "*", "standard", tier, values, (label, cites_aws, 2), start=start, end=end)


def read_reference(path: Path, book: Book) -> None:
    """The consolidated Claude table (shared/reference/pricing): global, regional and GovCloud rows."""
    with path.open(newline="", encoding="utf-8") as handle:
        for raw in csv.DictReader(handle):
            text = raw["endpoint_family"]
            start = "2025-12-01" if "from 2025-12-01" in text else ""
            end = "2025-12-01" if "BEFORE 2025-12-01" in text else ""
            label = f"reference table ({raw['sources_agreeing']})"
            model = raw["bedrock_model_id"]
            book.names[model] = raw["model"].replace(" (v1)", "")
            for family in _reference_families(text):
                for (mode, tier), values in _reference_values(raw).items():
                    entry = ReferenceRow(model, family, mode, tier, values, label, start, end)
                    book.reference.append(entry)
                    _add_reference(book, model, entry)


def _reference_families(text: str) -> tuple[str, ...]:
    """The families a reference row's ``endpoint_family`` names (``global. AND us./eu./apac. AND in-region``: two)."""
    if "us-gov" in text:
        return ("govcloud",)
    if text.startswith("global."):
        return ("global", "regional") if " AND " in text else ("global",)
    return ("regional",)


def _reference_values(raw: dict[str, str]) -> dict[tuple[str, str], dict[str, float]]:
    """{(mode, tier): {field: USD per 1K}} of one reference row."""
    columns = {
        ("standard", "base"): {name: f"{name}_per_1k" for name in TOKEN_FIELDS[:5]},
        ("standard", "above_200k"): {"input": "input_gt200k_per_1k", "output": "output_gt200k_per_1k"},
        ("batch", "base"): {"input": "batch_input_per_1k", "output": "batch_output_per_1k"},
    }
    out = {key: {name: float(raw[column]) for name, column in fields.items() if raw[column]}
           for key, fields in columns.items()}
    return {key: values for key, values in out.items() if "input" in values}


def _add_reference(book: Book, model: str, entry: ReferenceRow) -> None:
    book.add(model, entry.family, "*", entry.mode, entry.tier, entry.values, (entry.label, True, 1),
             start=entry.start, end=entry.end)


def twin_groups(models: Iterable[str]) -> list[list[str]]:
    """Book ids that name one model (``TWINS``, an alias and its dated id), the id whose quotes win a tie first:
    Bedrock Runtime's, then a dated id."""
    groups: dict[str, list[str]] = defaultdict(list)
    for model in sorted(models):
        groups[one_model_key(model)].append(model)
    return [sorted(group, key=lambda m: (is_twin(m), model_key(m) == alias_key(m)))
            for group in groups.values() if len(group) > 1]


def apply_twins(book: Book) -> list[str]:
    """Give every id of one model the rows of all of them, from all their quotes and under one name, so a call is
    priced alike whichever id it names. A quote made under another id than the first is labelled with that id; one
    equal to the first id's from the same source is left out. Returns a line for each figure the ids disagree on
    (the row takes the best-backed figure, the first id's on a tie, and says so in its source)."""
    disagreements: list[str] = []
    for group in twin_groups({row.model for row in book.rows.values()}):
        merged: dict[tuple[str, ...], Row] = {}
        for model in group:
            for row in [r for r in book.rows.values() if r.model == model]:
                into = merged.setdefault(row.key[1:], replace(row, model=group[0], values=defaultdict(list)))
                into.effective_to = into.effective_to or row.effective_to
                for name, quotes in row.values.items():
                    disagreements += _merge_quotes(into, name, quotes, model, first=model == group[0])
        name = _display_name(group[0], book)
        for model in group:
            book.names[model] = name
            for key in [k for k, r in book.rows.items() if r.model == model]:
                del book.rows[key]
            for row in merged.values():
                copy = replace(row, model=model, values=defaultdict(list, {n: list(q) for n, q in row.values.items()}))
                book.rows[copy.key] = copy
    return disagreements


def _merge_quotes(into: Row, name: str, quotes: list[Quote], model: str, first: bool) -> list[str]:
    """Add ``model``'s quotes of one field to a merged row; a line for each that no quote already there agrees with."""
    lines = []
    present = into.values[name]
    for quote in quotes:
        if first:
            present.append(quote)
            continue
        if any(q.source == quote.source and _equal(q.value, quote.value) for q in present):
            continue
        if present and not any(_equal(q.value, quote.value) for q in present):
            quoted = ", ".join(f"{q.source} {_text(q.value)}" for q in present)
            lines.append(f"{into.model} ({quoted}) and {model} ({quote.source} {_text(quote.value)}): {into.family} "
                         f"{into.region} {into.mode} {into.tier} {name}")
        present.append(replace(quote, source=f"{quote.source} {model}"))
    return lines


def _equal(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-12 * max(1.0, a)


def read_aws_pages(book: Book) -> None:
    for model, tier, unit, price, page in AWS_PAGES:
        book.add(model, "regional", "*", "standard", tier, {"per_unit": price}, (f"AWS page {page}", True, 0),
                 unit=unit)
    for model, region, input_rate, output_rate, source in AWS_LATENCY:
        book.add(model, "regional", region, "latency", "base", {"input": input_rate, "output": output_rate},
                 (source, True, 0))
    for model, input_rate, output_rate, page_row in AWS_PAGE_BATCH:
        book.add(model, "regional", "*", "batch", "base", {"input": input_rate, "output": output_rate},
                 (f"AWS page aws.amazon.com/bedrock/pricing ({page_row}, batch), {_PAGE_COPY}", True, 0))
    for model, name, input_rate, output_rate, page in AWS_PAGE_TOKENS:
        values = {"input": input_rate} if output_rate is None else {"input": input_rate, "output": output_rate}
        book.add(model, "regional", "*", "standard", "base", values, (f"AWS page {page}", True, 0))
        book.names[model] = name
    book.names.update(NAMES)


def read_corrections(book: Book) -> None:
    """The ``CORRECTIONS`` rows, ranked like the reference table: above LiteLLM and genai-prices."""
    for model, family, region, values, source in CORRECTIONS:
        book.add(model, family, region, "standard", "base", values, (source, True, 1))


def _display_name(model: str, book: Book) -> str:
    if model in book.names:
        return book.names[model]
    stem = model.split(".", 1)[1]
    stem = re.sub(r"-\d{8}", "", stem)
    stem = re.sub(r"(-v\d+)?(:\d+)?$", "", stem)
    words: list[str] = []
    for part in stem.split("-"):
        if part.isdigit() and words and words[-1][-1].isdigit():
            words[-1] += f".{part}"  # claude-opus-4-5 is Claude Opus 4.5, llama3-2 is Llama3.2
        else:
            words.append(part.upper() if re.fullmatch(r"\d+(\.\d+)?[bkm]|gpt|oss|glm|r\d", part) else part.capitalize())
    return " ".join(words)


def _undated_into_dated(book: Book) -> None:
    """An undated figure is today's price: it joins the open-ended period of a row that has dated periods, and
    is a row of its own (applying on every day) otherwise."""
    by_slot: dict[tuple[str, ...], list[Row]] = defaultdict(list)
    for row in book.rows.values():
        by_slot[row.key[:-1]].append(row)  # every part but the slot
    for rows in by_slot.values():
        undated = next((r for r in rows if r.slot == UNDATED), None)
        if undated is None:
            continue
        del book.rows[undated.key]
        dated = [r for r in rows if r is not undated]
        if not dated:
            undated.slot = ""
            book.rows[undated.key] = undated
            continue
        latest = max(dated, key=lambda r: r.effective_from)
        for name, quotes in undated.values.items():
            latest.values[name].extend(q for q in quotes if all(q.source != o.source for o in latest.values[name]))


def _regions_follow_star(book: Book) -> None:
    """A row for one region is today's price: it starts when the ``*`` row in force today starts (a dated change,
    such as Claude 3.5 Sonnet v2's extended access from 2025-12-01, is never undone in one region), and the figures
    of that ``*`` row backed by AWS (the reference table, AWS's pages) win there too."""
    stars: dict[tuple[str, ...], Row] = {}
    for row in sorted(book.rows.values(), key=lambda r: r.effective_from):
        if row.region == "*" and not row.effective_to:
            stars[_regionless(row)] = row  # the latest open-ended period
    for row in list(book.rows.values()):
        star = stars.get(_regionless(row))
        if row.region == "*" or star is None or row.effective_from or row.effective_to:
            continue
        if star.effective_from:
            del book.rows[row.key]
            row.effective_from = row.slot = star.effective_from
            book.rows[row.key] = row
        for name, quotes in star.values.items():
            known = {q.source for q in row.values[name]}
            row.values[name].extend(q for q in quotes if q.rank <= 1 and q.source not in known)


def _regionless(row: Row) -> tuple[str, ...]:
    return (row.model, row.family, row.mode, row.tier, row.unit)


def _field_values(row: Row) -> tuple[dict[str, str], list[str], set[str]]:
    """({field: value}, notes, sources) of one row: each field from the best-backed source, spurious rates left out."""
    spurious = {name: why for (model, names), why in SPURIOUS.items() if model == row.model for name in names}
    values: dict[str, str] = {}
    notes: list[str] = []
    sources: set[str] = set()
    for name, quotes in row.values.items():
        sources.update(q.source for q in quotes)
        if name in spurious:
            notes.append(f"{name}: " + ", ".join(f"{q.source} {_text(q.value)}" for q in quotes)
                         + f" left out, {spurious[name]}")
            continue
        best = min(quotes, key=_preference)
        values[name] = _text(best.value)
        others = [q for q in quotes if abs(q.value - best.value) > 1e-12 * max(1.0, best.value)]
        if others:
            notes.append(f"{name}: " + ", ".join(f"{q.source} {_text(q.value)}" for q in others)
                         + f" disagree, took {best.source} {_text(best.value)}")
    return values, notes, sources


def finish(book: Book, checked: str) -> list[dict[str, str]]:
    """The book's CSV rows: each field from the best-backed source; disagreements written in the source."""
    _undated_into_dated(book)
    _regions_follow_star(book)
    out = []
    # A model's token rows come before its rows in other units: a lookup that names no unit finds its token price.
    for row in sorted(book.rows.values(), key=lambda r: (*r.key[:5], UNITS.index(r.unit), r.slot)):
        values, notes, sources = _field_values(row)
        if not any(values.get(n) for n in (*TOKEN_FIELDS, "per_unit")):
            continue
        model = row.model
        source = "; ".join(sorted(sources))
        if notes:
            source += " | " + "; ".join(notes)
        if model in NOTES:
            source += f" | {NOTES[model]}"
        out.append({
            "model": model, "name": _display_name(model, book),
            "provider": PROVIDERS.get(model.split(".")[0], model.split(".")[0]),
            "family": row.family, "region": row.region, "mode": row.mode, "tier": row.tier, "unit": row.unit,
            "effective_from": row.effective_from, "effective_to": row.effective_to,
            **{name: values.get(name, "") for name in (*TOKEN_FIELDS, "per_unit")},
            "checked": checked, "source": source,
        })
    return out


def assemble(book: Book, checked: str) -> list[dict[str, str]]:
    """The book's CSV rows once every source is read: corrections, geographies and twins applied, then finished."""
    read_corrections(book)
    apply_geographies(book)
    for line in apply_twins(book):
        print(f"build_price_book.py: ids of one model disagree, {line}", file=sys.stderr)
    return finish(book, checked)


def _text(value: float) -> str:
    return format(Decimal(repr(value)).normalize(), "f")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--litellm", type=Path, required=True, help="model_prices_and_context_window_backup.json")
    parser.add_argument("--litellm-version", required=True)
    parser.add_argument("--reference", type=Path, required=True, help="consolidated_bedrock_claude.csv")
    parser.add_argument("--checked", default=date.today().isoformat(), help="the day the sources were read")
    parser.add_argument("--out", type=Path, default=ROOT / "bedrock_usage" / "pricing" / "bedrock_prices.csv")
    args = parser.parse_args(argv)
    try:
        rows = build(args.litellm, args.litellm_version, args.reference, args.checked)
        with args.out.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(CSV_FIELDS), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    except OSError as exc:
        return _fail(f"cannot read or write {exc.filename}: {exc.strerror}")
    except json.JSONDecodeError as exc:
        return _fail(f"{args.litellm} is not JSON: {exc}")
    except ImportError:
        return _fail("genai-prices is not installed: install it in a scratch environment (see this tool's docstring)")
    models = {r["model"] for r in rows}
    print(f"wrote {len(rows)} rows for {len(models)} models to {args.out}")
    return 0


def build(litellm: Path, litellm_version: str, reference: Path, checked: str) -> list[dict[str, str]]:
    """The book's rows from every source, read in the order that decides a model id's spelling and name."""
    from importlib.metadata import version

    book = Book()
    read_aws_pages(book)
    read_reference(reference, book)
    read_litellm(litellm, litellm_version, book)
    read_genai(version("genai-prices"), book)  # PackageNotFoundError is an ImportError
    return assemble(book, checked)


def _fail(message: str) -> int:
    print(f"build_price_book.py: {message}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
