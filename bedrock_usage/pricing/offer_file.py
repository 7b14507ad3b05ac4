"""Read AWS Price List offer files for Bedrock into price rows.

An offer file (``https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/{offerCode}/current/index.json``) holds
``products`` (SKU -> ``attributes``) and ``terms.OnDemand`` (SKU -> term -> ``priceDimensions`` -> ``unit`` and
``pricePerUnit.USD``). Bedrock publishes three:

- ``AmazonBedrock``: Amazon's own and openly licensed models. A product names its model in ``model`` (``Nova
  Lite``) and the kind of price in ``inferenceType`` and ``usagetype`` (``USE1-NovaLite-input-tokens``, with
  ``batch``, ``flex``, ``priority``, ``cache-read``, ``cross-region-global`` and ``long-context`` variants). Token
  prices are per 1K tokens.
- ``AmazonBedrockFoundationModels``: Marketplace models (Claude, Cohere, AI21, Writer...). A product is named by
  ``servicename`` (``Claude Sonnet 4.5 (Amazon Bedrock Edition)``) and ``usagetype``
  (``USE1-MP:USE1_InputTokenCount-Units``; ``_Global``, ``Batch``, ``CacheRead``, ``CacheWrite`` and ``1h``
  variants). Prices are per 1M tokens (unit ``Units``).
- ``AmazonBedrockService``: the current Claude models (Sonnet 4, 4.5...), per 1K tokens. A product names its model in
  ``model`` and its price only in ``usagetype``: ``USE1-Claude4.5Sonnet-input-tokens``, ``output-tokens``,
  ``cache-read-input-token-count`` or ``cache-write-input-token-count``, then any of ``-long-context``,
  ``-cross-region-global``, ``-batch``, ``-flex``, ``-priority`` and (cache writes) ``-1-hour``/``-1h``.
  ``inferenceType`` cannot tell the standard and batch meters apart, so it is not read. AWS does not document this
  grammar: a usage type of another shape (``-mantle-`` meters...) is left out with its reason.

A latency-optimized price, in any offer, is left out with its reason (the book's ``latency`` rows are the published
ones ``tools/build_price_book.py`` writes): no source documents how offers name one.

Products are matched to the book's models by name, ignoring case, punctuation and word order (``Claude 4.5
Sonnet`` is ``Claude Sonnet 4.5``; ``+`` reads as ``plus``, so ``Command R+`` is not ``Command R``). A name prices
every id the book gives that name (``anthropic.claude-haiku-4-5`` and ``anthropic.claude-haiku-4-5-20251001-v1:0``
are one model written two ways); an id without provider, date and version counts as a name where no model is
called so. A product no model matches, or whose name fits models the book names differently, is reported, never
priced as another model.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from ..errors import UsageError
from .book import MAX_PLAUSIBLE_PER_1K, MODES, UNITS, PriceRow

SERVICE_OFFER = "AmazonBedrockService"
OFFER_CODES = ("AmazonBedrock", "AmazonBedrockFoundationModels", SERVICE_OFFER)
MARKETPLACE_EDITION = "(Amazon Bedrock Edition)"
REFERENCE_REGION = "us-east-1"
ON_DEMAND_FEATURES = {"", "on-demand inference", "batch inference", "on-demand", "cross-region inference"}
NOT_ON_DEMAND_WORDS = ("provisioned", "customization", "custom-model", "storage", "training", "reserved")
SERVICE_USAGE = re.compile(r"^[A-Z0-9]+-[A-Za-z][A-Za-z0-9.]*-(?P<kind>input-tokens|output-tokens|"
                           r"cache-read-input-token-count|cache-write-input-token-count)(?P<rest>(?:-[a-z0-9]+)*)$")
SERVICE_FIELDS = {"input-tokens": "input", "output-tokens": "output", "cache-read-input-token-count": "cache_read",
                  "cache-write-input-token-count": "cache_write_5m"}
SERVICE_CACHE_WRITE = "cache-write-input-token-count"
# batch, flex, priority: what a price says instead of the standard mode. The book's ``latency`` mode is not read
# from offers: no source documents how their usage types name a latency-optimized price.
OTHER_MODES = MODES[1:4]
# A Marketplace price reads "Million Input Tokens (Latency Optimized Inference)" (a public Price List reader's tests,
# quoting the live AmazonBedrockFoundationModels offer); read as any other, it would be taken for the standard price.
LATENCY_NOT_READ = "a latency-optimized price (how offers name one is not documented: not read)"
SERVICE_DURATIONS = ("1-hour", "1h")  # a cache write's 1-hour meter
SERVICE_QUALIFIERS = ("cross-region-global", "long-context", *OTHER_MODES, *SERVICE_DURATIONS)
Slot = tuple[str, str, str, str, str, str]  # model, family, region, mode, tier, unit


@dataclass(frozen=True)
class OfferPrice:
    """One price of an offer file, read into the book's terms."""

    sku: str
    model_name: str
    region: str
    family: str
    mode: str
    tier: str
    unit: str
    field: str
    value: float  # USD per 1K tokens, or per unit
    effective: date | None
    usage_type: str
    offer: str = ""  # the offer code it was read from


@dataclass
class OfferReading:
    """What one or more offer files hold: prices, products left out (and why), and the files' dates."""

    prices: list[OfferPrice] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    publications: list[str] = field(default_factory=list)


def read_offer(document: dict[str, Any], reading: OfferReading | None = None) -> OfferReading:
    """The on-demand Bedrock prices of one offer file (parsed JSON)."""
    reading = reading or OfferReading()
    if not isinstance(document, dict) or not isinstance(document.get("products"), dict):
        raise UsageError("not an AWS Price List offer file: it has no 'products' object")
    code = document.get("offerCode", "")
    if code not in OFFER_CODES:
        raise UsageError(f"offer file for '{code}' is not one of Bedrock's ({', '.join(OFFER_CODES)})")
    reading.publications.append(f"{code} {document.get('publicationDate', '(no date)')}")
    terms = (document.get("terms") or {}).get("OnDemand") or {}
    for sku, product in document["products"].items():
        attributes = (product or {}).get("attributes") or {}
        for term in (terms.get(sku) or {}).values():
            effective = _day(term.get("effectiveDate"))
            for dimension in (term.get("priceDimensions") or {}).values():
                price = _read_price(code, sku, attributes, dimension, effective)
                if isinstance(price, str):
                    reading.skipped[price] += 1
                else:
                    reading.prices.append(price)
    return reading


def _read_price(code: str, sku: str, attributes: dict[str, str], dimension: dict[str, Any],
                effective: date | None) -> OfferPrice | str:
    """One price dimension as an ``OfferPrice``, or the reason it is left out."""
    try:
        value = float((dimension.get("pricePerUnit") or {})["USD"])
    except (KeyError, TypeError, ValueError):
        return "no USD price"
    usage = attributes.get("usagetype", "")
    region = attributes.get("regionCode", "")
    if not region:
        return "no regionCode"
    feature = attributes.get("feature", "").lower()
    if feature not in ON_DEMAND_FEATURES:
        return f"not on-demand inference ({attributes.get('feature')})"
    words = f"{usage} {attributes.get('inferenceType', '')} {dimension.get('description', '')}".lower()
    if any(w in words for w in NOT_ON_DEMAND_WORDS):
        return "not on-demand inference"
    if "latency" in words:
        return LATENCY_NOT_READ
    if code == SERVICE_OFFER:
        return _service_price(sku, attributes, dimension, effective, value)
    unit_text = str(dimension.get("unit", "")).lower()
    if code == "AmazonBedrock":
        name = attributes.get("model", "")
        kind = _kind(words)
        per = _per(unit_text)
    else:
        name = attributes.get("servicename", "").replace(MARKETPLACE_EDITION, "").strip()
        kind = _kind(usage.split(":")[-1].replace("_", " ").lower())
        per = 1000.0  # Marketplace token prices are per 1M tokens
    if not name:
        return "no model name"
    if kind is None:
        return "a price that is not per token, image, second or query"
    field_name, unit = kind
    if unit == "tokens":
        value = _per_1k(value, per, dimension)
        if isinstance(value, str):
            return value
    family = "govcloud" if region.startswith("us-gov-") else "global" if "global" in words else "regional"
    mode = price_mode(words)
    tier = "above_200k" if re.search(r"long[ -]?context|lctx|>200k|200k", words) else "base"
    return OfferPrice(sku, name, region, family, mode, tier, unit, field_name, value, effective, usage, code)


def _per(unit_text: str) -> float | None:
    """How many 1K tokens an offer's token unit holds (``1K tokens``: 1, ``1M tokens``: 1000), ``None`` if unknown."""
    return 1.0 if "1k" in unit_text or "1,000" in unit_text else 1000.0 if "1m" in unit_text else None


def _per_1k(value: float, per: float | None, dimension: dict[str, Any]) -> float | str:
    """A token price per 1K tokens, or why it is left out."""
    if per is None:
        return f"token price in an unknown unit ({dimension.get('unit')})"
    if value / per > MAX_PLAUSIBLE_PER_1K:
        return "token price above 1 USD per 1K tokens"
    return value / per


def _service_price(sku: str, attributes: dict[str, str], dimension: dict[str, Any], effective: date | None,
                   value: float) -> OfferPrice | str:
    """One ``AmazonBedrockService`` price, read from its ``usagetype`` alone, or the reason it is left out."""
    usage, region = attributes.get("usagetype", ""), attributes.get("regionCode", "")
    if "-mantle-" in usage:
        return "a bedrock-mantle meter (not read)"
    match = SERVICE_USAGE.match(usage)
    qualifiers = _qualifiers(match["kind"], match["rest"]) if match else None
    if match is None or qualifiers is None:
        return f"usage type of an unknown shape ({usage.split('-', 1)[-1]})"
    name = attributes.get("model", "")
    if not name:
        return "no model name"
    per_1k = _per_1k(value, _per(str(dimension.get("unit", "")).lower()), dimension)
    if isinstance(per_1k, str):
        return per_1k
    field_name = "cache_write_1h" if qualifiers & {*SERVICE_DURATIONS} else SERVICE_FIELDS[match["kind"]]
    family = ("global" if "cross-region-global" in qualifiers else
              "govcloud" if region.startswith("us-gov-") else "regional")
    mode = price_mode(qualifiers)
    tier = "above_200k" if "long-context" in qualifiers else "base"
    return OfferPrice(sku, name, region, family, mode, tier, "tokens", field_name, per_1k, effective, usage,
                      SERVICE_OFFER)


def price_mode(words: str | set[str]) -> str:
    """The mode a price's words (or usage-type qualifiers) name: the first of ``OTHER_MODES`` found, else standard.

    Lower-case words, as every offer writes its mode in its usage types (``-batch``, ``Batch``); the bill's usage
    types are the offers' (``governance/usage_types.py`` reads a charge's mode by the same words, ``OTHER_MODES``)."""
    return next((m for m in OTHER_MODES if m in words), MODES[0])


def _qualifiers(kind: str, rest: str) -> set[str] | None:
    """The qualifiers after a usage type's kind (``-long-context-cross-region-global``), ``None`` for a part that is
    not one, a repeated one, two service tiers or a duration on anything but a cache write."""
    found: list[str] = []
    while rest:
        known = next((q for q in SERVICE_QUALIFIERS if rest == f"-{q}" or rest.startswith(f"-{q}-")), None)
        if known is None:
            return None
        found.append(known)
        rest = rest[len(known) + 1:]
    tiers = [q for q in found if q in OTHER_MODES]
    durations = [q for q in found if q in SERVICE_DURATIONS]
    if len(set(found)) < len(found) or len(tiers) > 1 or (durations and kind != SERVICE_CACHE_WRITE):
        return None
    return set(found)


def _kind(words: str) -> tuple[str, str] | None:
    """(book field, unit) of a price from the words of its usage type and inference type."""
    compact = words.replace(" ", "").replace("-", "")
    if "cacheread" in compact:
        return "cache_read", "tokens"
    if "cachewrite" in compact:
        return ("cache_write_1h" if "1h" in compact else "cache_write_5m"), "tokens"
    if "audio" in compact or "speech" in compact:
        return ("audio_output" if "output" in compact else "audio_input"), "tokens"
    if "image" in compact and "token" not in compact:
        return "per_unit", "image"
    if "video" in compact or "second" in compact:
        return "per_unit", "second"
    if "query" in compact or "rerank" in compact:
        return "per_unit", "query"
    if "output" in compact:
        return "output", "tokens"
    if "input" in compact:
        return "input", "tokens"
    return None


def _day(text: object) -> date | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        return None


def name_key(text: str) -> tuple[str, ...]:
    """A model name as a sorted tuple of words and numbers: case, punctuation and word order do not count, but a
    ``+`` does (as ``plus``: ``Command R+`` is ``Command R Plus``, not ``Command R``)."""
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z])", " ", text.replace("+", " plus "))
    return tuple(sorted(re.findall(r"[a-z]+|\d+", spaced.lower())))


def model_names(rows: Iterable[PriceRow]) -> dict[tuple[str, ...], tuple[str, ...]]:
    """Every name a book model is known by -> the ids it may name: a model's own name names every id of that name;
    its id without provider, date and version names the ids it comes from, unless a model is called so."""
    by_name: dict[tuple[str, ...], set[str]] = defaultdict(set)
    by_stem: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for row in rows:
        by_name[name_key(row.name)].add(row.model)
        by_stem[name_key(re.sub(r"(-\d{8})?(-v\d+)?(:\d+)?$", "", row.model.split(".", 1)[-1]))].add(row.model)
    return {key: tuple(sorted(models)) for key, models in {**by_stem, **by_name}.items()}


@dataclass(frozen=True)
class OfferedRow:
    """A book row built from offer prices, the ``effectiveDate`` of each of its figures (``None`` without one), and
    the figures disputed in its Region (``kept``): a row the Region had none of keeps those as the Region quoted
    them; the ``effective`` of a kept figure is the day the ``*`` row's price of it starts."""

    row: PriceRow
    effective: dict[str, date | None]
    kept: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Disagreement:
    """Offer prices (of two offers, or two products of one) giving one figure of one book row different values:
    none of them is applied, so the book's figure stays."""

    model: str
    family: str
    region: str
    mode: str
    tier: str
    unit: str
    field: str
    prices: tuple[OfferPrice, ...]


@dataclass
class OfferRows:
    """Offer prices turned into book rows, the products no book model matched (prices per name), the products
    whose name fits models of different names (name -> those ids), the prices of models the book keeps per
    image size and quality or video resolution, which an offer price does not name, or in another unit than the
    offer price's (prices per name), and the figures whose offer prices disagree: none of those is priced."""

    rows: list[OfferedRow]
    unmatched: dict[str, int]
    ambiguous: dict[str, tuple[str, ...]] = field(default_factory=dict)
    untiered: dict[str, int] = field(default_factory=dict)
    disagreements: list[Disagreement] = field(default_factory=list)


def offer_rows(reading: OfferReading, known: Iterable[PriceRow], checked: date) -> OfferRows:
    """Book rows from offer prices: one row per model, family, region, mode, tier and unit; a row for ``*`` holds
    us-east-1's price (or the one most regions share), and a region gets a row of its own where its price differs
    or the book already has an open row for it (so a region whose price falls back to ``*``'s is updated too). A
    figure whose prices disagree in a region is left out of that region's row; where the ``*`` row prices that
    figure, the region gets a row of its own to keep its old figure."""
    known = list(known)
    names = model_names(known)
    display = {row.model: (row.name, row.provider) for row in known}
    own_regions = {(*price_group(row), row.region) for row in known if row.region != "*" and row.effective_to is None}
    tiers: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in known:
        tiers[(row.model, row.unit)].add(row.tier)
    unmatched: Counter[str] = Counter()
    untiered: Counter[str] = Counter()
    ambiguous: dict[str, tuple[str, ...]] = {}
    slots: dict[Slot, dict[str, list[OfferPrice]]] = defaultdict(lambda: defaultdict(list))
    for price in reading.prices:
        models = names.get(name_key(price.model_name), ())
        if not models:
            unmatched[price.model_name] += 1
            continue
        if len({name_key(display[model][0]) for model in models}) > 1:
            ambiguous[price.model_name] = models
            continue
        if any(_sized_only(tiers[(model, price.unit)]) or _other_unit(tiers, model, price.unit) for model in models):
            untiered[price.model_name] += 1
            continue
        for model in models:
            slots[(model, price.family, price.region, price.mode, price.tier, price.unit)][price.field].append(price)
    agreed, disagreements = _settle(slots)
    disputed: dict[Slot, set[str]] = defaultdict(set)
    for found in disagreements:
        disputed[(found.model, found.family, found.region, found.mode, found.tier, found.unit)].add(found.field)
    rows = []
    by_group: dict[tuple[str, ...], dict[str, dict[str, OfferPrice]]] = defaultdict(dict)
    for (model, family, region, mode, tier, unit), prices in agreed.items():
        by_group[(model, family, mode, tier, unit)][region] = prices
    source = f"AWS Price List ({'; '.join(reading.publications)})"
    for (model, family, mode, tier, unit), regions in sorted(by_group.items()):
        values = {region: _values(prices) for region, prices in regions.items()}
        # ``*`` carries us-east-1's price (the region AWS lists first), else the price most regions share.
        common = values[REFERENCE_REGION] if REFERENCE_REGION in values else Counter(
            values.values()).most_common(1)[0][0]
        star = REFERENCE_REGION if REFERENCE_REGION in regions else min(r for r in regions if values[r] == common)
        name, provider = display[model]
        base = PriceRow(model=model, name=name, provider=provider, family=family, region="*", mode=mode,
                        tier=tier, unit=unit, effective_from=None, effective_to=None, input=None, output=None,
                        cache_write_5m=None, cache_write_1h=None, cache_read=None, source=source, checked=checked)
        rows.append(_offered(base, "*", regions[star]))
        for region, prices in sorted(regions.items()):
            kept = frozenset(disputed[(model, family, region, mode, tier, unit)])
            # Figures disputed here that the ``*`` row may change: a region without a row of its own needs one.
            own = (model, family, mode, tier, unit, region) in own_regions
            carried = set() if own else kept & regions[star].keys()
            if values[region] != common or carried or own:
                rows.append(_offered(base, region, prices, kept, {name: regions[star][name] for name in carried}))
    # A row whose every figure is disputed has nothing to apply.
    return OfferRows([r for r in rows if r.effective], dict(unmatched), ambiguous, dict(untiered), disagreements)


def _settle(slots: dict[Slot, dict[str, list[OfferPrice]]]) -> tuple[dict[Slot, dict[str, OfferPrice]],
                                                                    list[Disagreement]]:
    """One price per figure of each slot, and the figures whose prices differ (left out): equal prices from two
    offers are one price."""
    agreed: dict[Slot, dict[str, OfferPrice]] = {}
    disagreements = []
    for slot, figures in slots.items():
        agreed[slot] = {}
        for name, prices in figures.items():
            if all(math.isclose(p.value, prices[0].value, rel_tol=1e-12) for p in prices):
                agreed[slot][name] = prices[-1]
            else:
                disagreements.append(Disagreement(*slot, name, tuple(prices)))
    return agreed, disagreements


def _other_unit(tiers: dict[tuple[str, str], set[str]], model: str, unit: str) -> bool:
    """Whether the book bills ``model`` in units other than ``unit`` only (an offer's token price for a model billed
    per image or second of video would price its calls as tokens, never per image)."""
    return not tiers[(model, unit)] and any(tiers[(model, other)] for other in UNITS if other != unit)


def _sized_only(tiers: set[str]) -> bool:
    """Whether a model's rows in one unit are all priced per image size and quality or video resolution (no base
    row): an offer's base price for it names none of those."""
    return bool(tiers) and "base" not in tiers


def price_group(row: PriceRow) -> tuple[str, str, str, str, str]:
    """What the rows of one price share whatever their region: model, family, mode, tier and unit."""
    return (row.model, row.family, row.mode, row.tier, row.unit)


def _values(prices: dict[str, OfferPrice]) -> tuple[tuple[str, float], ...]:
    """The figures of one region's prices, comparable between regions."""
    return tuple(sorted((name, price.value) for name, price in prices.items()))


def _offered(base: PriceRow, region: str, prices: dict[str, OfferPrice], kept: frozenset[str] = frozenset(),
             star_prices: dict[str, OfferPrice] | None = None) -> OfferedRow:
    """The row of ``region`` with these prices, their effective days, and its ``kept`` figures, dated by the ``*``
    row's prices of them (``star_prices``)."""
    row = replace(base, region=region, **{name: price.value for name, price in prices.items()})
    dated = {**(star_prices or {}), **prices}
    return OfferedRow(row, {name: price.effective for name, price in dated.items()}, kept)
