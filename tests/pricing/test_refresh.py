"""``pricing.py --refresh``: AWS Price List offer files (fixtures in the published shape) into a dated book.

The fixtures in tests/fixtures/pricing/ follow the offer files as AWS publishes them: ``products`` keyed by SKU
with ``attributes`` (``usagetype``, ``regionCode``, ``model`` or ``servicename``...), ``terms.OnDemand`` keyed by
SKU and term with ``priceDimensions`` (``unit``, ``pricePerUnit.USD``). Expected figures are read from the
fixtures with plain Python here, never through the reader under test.
"""

from __future__ import annotations

import csv
import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from bedrock_usage.pricing import PriceBook, read_csv_rows
from bedrock_usage.pricing.book import BUILTIN_BOOK
from bedrock_usage.pricing.offer_file import LATENCY_NOT_READ, OfferPrice, OfferReading
from bedrock_usage.pricing.refresh import read_offer_files, refresh_rows

FIXTURES = Path(__file__).parents[1] / "fixtures" / "pricing"
BEDROCK_OFFER = FIXTURES / "AmazonBedrock-index.json"
MARKETPLACE_OFFER = FIXTURES / "AmazonBedrockFoundationModels-index.json"
SERVICE_OFFER = FIXTURES / "AmazonBedrockService-index.json"
TODAY = date(2026, 12, 5)
SONNET_45 = "anthropic.claude-sonnet-4-5-20250929-v1:0"


def offer_price(path: Path, usage_type: str, name: str) -> float:
    """USD per unit of the one on-demand price of a product, read straight from the offer file."""
    offer = json.loads(path.read_text())
    skus = [sku for sku, p in offer["products"].items()
            if p["attributes"]["usagetype"] == usage_type
            and name in (p["attributes"].get("model"), p["attributes"].get("servicename"))]
    assert len(skus) == 1
    (term,) = offer["terms"]["OnDemand"][skus[0]].values()
    (dimension,) = term["priceDimensions"].values()
    return float(dimension["pricePerUnit"]["USD"])


def term(offer: dict, usage_type: str) -> dict:
    """The one on-demand term of the ``AmazonBedrock`` product with this usage type (unique in that fixture)."""
    (sku,) = [sku for sku, p in offer["products"].items() if p["attributes"]["usagetype"] == usage_type]
    (found,) = offer["terms"]["OnDemand"][sku].values()
    return found


def set_usd(found: dict, usd: str) -> None:
    (dimension,) = found["priceDimensions"].values()
    dimension["pricePerUnit"]["USD"] = usd


def saved(tmp_path: Path, offer: dict) -> Path:
    """An edited copy of an offer fixture, as a file."""
    path = tmp_path / f"{offer['offerCode']}.json"
    path.write_text(json.dumps(offer))
    return path


NOVA_LITE_INPUT = "USE1-NovaLite-input-tokens"
FIXTURE_EFFECTIVE = term(json.loads(BEDROCK_OFFER.read_text()), NOVA_LITE_INPUT)["effectiveDate"]


def lowered_nova_lite(tmp_path: Path, usd: str = "0.0000500000", effective: str | None = FIXTURE_EFFECTIVE) -> Path:
    """The AmazonBedrock fixture with Nova Lite's us-east-1 input at ``usd`` from ``effective`` (``None``: no date)."""
    offer = json.loads(BEDROCK_OFFER.read_text())
    found = term(offer, NOVA_LITE_INPUT)
    set_usd(found, usd)
    if effective is None:
        del found["effectiveDate"]
    else:
        found["effectiveDate"] = effective
    return saved(tmp_path, offer)


def test_offer_files_are_read_in_the_books_units() -> None:
    reading = read_offer_files([BEDROCK_OFFER, MARKETPLACE_OFFER])
    by_usage = {(p.usage_type, p.model_name): p for p in reading.prices}
    lite = by_usage[("EU-NovaLite-input-tokens", "Nova Lite")]
    assert (lite.region, lite.family, lite.mode, lite.field) == ("eu-west-1", "regional", "standard", "input")
    assert lite.value == offer_price(BEDROCK_OFFER, "EU-NovaLite-input-tokens", "Nova Lite")  # per 1K already
    batch = by_usage[("USE1-NovaLite-output-tokens-batch", "Nova Lite")]
    assert (batch.mode, batch.field) == ("batch", "output")
    cache = by_usage[("USE1-NovaLite-cache-read-input-tokens", "Nova Lite")]
    assert cache.field == "cache_read"
    sonnet = by_usage[("USE1-MP:USE1_OutputTokenCount_Global-Units", "Claude Sonnet 4.5")]
    per_million = offer_price(MARKETPLACE_OFFER, "USE1-MP:USE1_OutputTokenCount_Global-Units",
                              "Claude Sonnet 4.5 (Amazon Bedrock Edition)")
    assert (sonnet.family, sonnet.field) == ("global", "output")
    assert sonnet.value == pytest.approx(per_million / 1000)  # Marketplace prices are per 1M tokens
    write = by_usage[("USE1-MP:USE1_CacheWriteInputTokenCount-Units", "Claude Sonnet 4.5")]
    assert (write.family, write.field) == ("regional", "cache_write_5m")
    assert reading.skipped == {"not on-demand inference (Model Customization)": 1,
                               "not on-demand inference (Provisioned Throughput)": 1,
                               "not on-demand inference": 1}  # a reserved-capacity price, in "Units"


def test_a_refresh_that_agrees_with_the_book_changes_nothing() -> None:
    result = refresh_rows(read_csv_rows(BUILTIN_BOOK), read_offer_files([BEDROCK_OFFER, MARKETPLACE_OFFER]), TODAY)
    assert result.changes == []
    assert result.unchanged > 0
    assert result.unmatched == {"Imaginary Model X": 1}  # reported, never priced as another model


def test_a_changed_price_closes_the_old_row_and_opens_a_dated_one(tmp_path: Path) -> None:
    """With a day given (``--date``), the change takes effect on that day whatever the offer's effectiveDate."""
    changed = lowered_nova_lite(tmp_path)
    before = read_csv_rows(BUILTIN_BOOK)
    result = refresh_rows(before, read_offer_files([changed]), TODAY, TODAY)
    assert [(c.kind, c.new.model, c.new.region, c.new.mode) for c in result.changes] == [
        ("changed", "amazon.nova-lite-v1:0", "*", "standard")]
    change = result.changes[0]
    assert (change.old.input, change.new.input) == (0.00006, 0.00005)
    assert change.new.output == change.old.output and change.new.cache_read == change.old.cache_read
    book = PriceBook(result.rows)
    yesterday = book.quote("us.amazon.nova-lite-v1:0", "us-east-1", date(2026, 12, 4))
    today = book.quote("us.amazon.nova-lite-v1:0", "us-east-1", TODAY)
    assert yesterday and today and (yesterday.row.input, today.row.input) == (0.00006, 0.00005)
    assert yesterday.row.effective_to == TODAY == today.row.effective_from
    assert "AWS Price List" in today.row.source
    eu = book.quote("eu.amazon.nova-lite-v1:0", "eu-west-1", TODAY)
    assert eu and eu.row.input == offer_price(BEDROCK_OFFER, "EU-NovaLite-input-tokens", "Nova Lite")
    again = refresh_rows(result.rows, read_offer_files([changed]), TODAY, TODAY)
    assert again.changes == []


@pytest.mark.parametrize("effective", [FIXTURE_EFFECTIVE, None, "2027-01-01T00:00:00Z"],
                         ids=["the fixture's effectiveDate", "no effectiveDate", "a later effectiveDate"])
def test_without_a_day_a_change_takes_effect_on_the_offers_effective_date(tmp_path: Path,
                                                                          effective: str | None) -> None:
    """The new price applies from the offer term's effectiveDate (before or after the run day), or from the run
    day when the term has none; the days before keep the old price, and a second run changes nothing."""
    start = date.fromisoformat(effective[:10]) if effective else TODAY
    old = offer_price(BEDROCK_OFFER, NOVA_LITE_INPUT, "Nova Lite")
    reading = read_offer_files([lowered_nova_lite(tmp_path, "0.0000500000", effective)])
    result = refresh_rows(read_csv_rows(BUILTIN_BOOK), reading, TODAY)
    assert [(c.new.region, c.new.mode, c.new.effective_from) for c in result.changes] == [("*", "standard", start)]
    book = PriceBook(result.rows)
    for day, price in ((start - timedelta(days=1), old), (start, 0.00005), (max(start, TODAY), 0.00005)):
        quote = book.quote("us.amazon.nova-lite-v1:0", "us-east-1", day)
        assert quote and quote.row.input == pytest.approx(price), day
    assert refresh_rows(result.rows, reading, TODAY).changes == []


def test_a_change_never_starts_before_the_row_it_replaces(tmp_path: Path) -> None:
    """A book row that starts after the offer's effectiveDate (a dated change the book holds) is corrected from its
    own start: the offer does not rewrite the days before it."""
    dated = date.fromisoformat(FIXTURE_EFFECTIVE[:10]) + timedelta(days=10)
    first = refresh_rows(read_csv_rows(BUILTIN_BOOK), read_offer_files([lowered_nova_lite(tmp_path)]), TODAY, dated)
    second = refresh_rows(first.rows, read_offer_files([lowered_nova_lite(tmp_path, "0.0000450000")]), TODAY)
    assert [(c.old.effective_from, c.new.effective_from, c.new.input) for c in second.changes] == [
        (dated, dated, pytest.approx(0.000045))]
    book = PriceBook(second.rows)
    before = book.quote("us.amazon.nova-lite-v1:0", "us-east-1", dated - timedelta(days=1))
    assert before and before.row.input == offer_price(BEDROCK_OFFER, NOVA_LITE_INPUT, "Nova Lite")


def test_a_region_priced_like_the_star_row_again_takes_the_offers_price(tmp_path: Path) -> None:
    """eu-central-1's Nova Lite falls to us-east-1's price: its own row, which wins over ``*``, must follow, from the
    offer's effectiveDate; eu-west-1, still dearer, keeps its row."""
    offer = json.loads(BEDROCK_OFFER.read_text())
    kinds = ("input-tokens", "output-tokens", "cache-read-input-tokens")
    for kind in kinds:
        (us_dimension,) = term(offer, f"USE1-NovaLite-{kind}")["priceDimensions"].values()
        set_usd(term(offer, f"EUC1-NovaLite-{kind}"), us_dimension["pricePerUnit"]["USD"])
    us = [offer_price(BEDROCK_OFFER, f"USE1-NovaLite-{kind}", "Nova Lite") for kind in kinds]
    eu = [offer_price(BEDROCK_OFFER, f"EUC1-NovaLite-{kind}", "Nova Lite") for kind in kinds]
    assert us != eu
    start = date.fromisoformat(term(offer, "EUC1-NovaLite-input-tokens")["effectiveDate"][:10])
    reading = read_offer_files([saved(tmp_path, offer)])
    result = refresh_rows(read_csv_rows(BUILTIN_BOOK), reading, TODAY)
    assert [(c.kind, c.new.region, c.new.mode, c.new.effective_from) for c in result.changes] == [
        ("changed", "eu-central-1", "standard", start)]
    book = PriceBook(result.rows)

    def rates(region: str, day: date) -> list[float | None]:
        quote = book.quote("eu.amazon.nova-lite-v1:0", region, day)
        assert quote is not None
        return [quote.row.input, quote.row.output, quote.row.cache_read]

    assert rates("eu-central-1", start - timedelta(days=1)) == pytest.approx(eu)
    assert rates("eu-central-1", start) == pytest.approx(us)
    assert rates("eu-west-1", TODAY) == pytest.approx(eu)
    assert refresh_rows(result.rows, reading, TODAY).changes == []


def marketplace_copies(tmp_path: Path, names: tuple[str, ...], factor: float) -> Path:
    """The Marketplace fixture with Claude Sonnet 4.5's products copied under other names, every price times
    ``factor``."""
    offer = json.loads(MARKETPLACE_OFFER.read_text())
    for number, name in enumerate(names):
        for sku, product in list(offer["products"].items()):
            if not product["attributes"]["servicename"].startswith("Claude Sonnet 4.5"):
                continue
            copy_sku = f"{sku}-{number}"
            copy = json.loads(json.dumps(product).replace(sku, copy_sku))
            copy["attributes"]["servicename"] = f"{name} (Amazon Bedrock Edition)"
            terms = json.loads(json.dumps(offer["terms"]["OnDemand"][sku]).replace(sku, copy_sku))
            for found in terms.values():
                (dimension,) = found["priceDimensions"].values()
                dimension["pricePerUnit"]["USD"] = f"{float(dimension['pricePerUnit']['USD']) * factor:.10f}"
            offer["products"][copy_sku] = copy
            offer["terms"]["OnDemand"][copy_sku] = terms
    return saved(tmp_path, offer)


HAIKU_AND_OPUS_45 = {"Claude Haiku 4.5": ("anthropic.claude-haiku-4-5", "anthropic.claude-haiku-4-5-20251001-v1:0"),
                     "Claude Opus 4.5": ("anthropic.claude-opus-4-5-20251101-v1:0", "anthropic.claude-opus-4-5-v1:0")}


def assert_sonnet_prices_times(book: PriceBook, model: str, factor: float) -> None:
    """``model`` has the fixture's Sonnet 4.5 regional and global input and output prices times ``factor``."""
    for prefix, suffix in (("us", ""), ("global", "_Global")):
        quote = book.quote(f"{prefix}.{model}", "us-east-1", TODAY)
        assert quote is not None, (prefix, model)
        for name, usage in (("input", "InputTokenCount"), ("output", "OutputTokenCount")):
            per_million = offer_price(MARKETPLACE_OFFER, f"USE1-MP:USE1_{usage}{suffix}-Units",
                                      "Claude Sonnet 4.5 (Amazon Bedrock Edition)")
            assert getattr(quote.row, name) == pytest.approx(per_million * factor / 1000), (prefix, model, name)


def test_a_name_the_book_gives_two_ids_prices_both(tmp_path: Path) -> None:
    """Claude Haiku 4.5 and Opus 4.5 are each one model written two ways (an alias and a dated id of one name):
    the product's prices reach both ids."""
    reading = read_offer_files([marketplace_copies(tmp_path, tuple(HAIKU_AND_OPUS_45), 0.9)])
    result = refresh_rows(read_csv_rows(BUILTIN_BOOK), reading, TODAY)
    assert result.unmatched == {} and result.ambiguous == {}
    assert {c.new.model for c in result.changes} == {model for ids in HAIKU_AND_OPUS_45.values() for model in ids}
    book = PriceBook(result.rows)
    for model in HAIKU_AND_OPUS_45["Claude Haiku 4.5"] + HAIKU_AND_OPUS_45["Claude Opus 4.5"]:
        assert_sonnet_prices_times(book, model, 0.9)


@pytest.mark.parametrize(("product", "models"), [
    ("Command R+", {"cohere.command-r-plus-v1:0"}),
    ("Command R", {"cohere.command-r-v1:0"}),
    ("Claude 3.5 Sonnet", {"anthropic.claude-3-5-sonnet-20240620-v1:0"}),
    ("Claude 3.5 Sonnet v2", {"anthropic.claude-3-5-sonnet-20241022-v2:0"}),
    ("GPT OSS 120B", {"openai.gpt-oss-120b", "openai.gpt-oss-120b-1:0"}),
    ("Qwen3 Coder 30B A3B Instruct", {"qwen.qwen3-coder-30b-a3b-instruct", "qwen.qwen3-coder-30b-a3b-v1:0"}),
    ("Kimi K2 Thinking", {"moonshot.kimi-k2-thinking", "moonshotai.kimi-k2-thinking"}),
])
def test_a_product_prices_the_ids_of_its_name_and_no_other(product: str, models: set[str]) -> None:
    """``+`` counts (Command R+ is not Command R); an id's version tells models apart (Claude 3.5 Sonnet is not v2)."""
    price = 0.0001234
    reading = OfferReading(prices=[OfferPrice("SKU-INPUT", product, "us-east-1", "regional", "standard", "base",
                                              "tokens", "input", price, None, "USE1-input-tokens")])
    result = refresh_rows(read_csv_rows(BUILTIN_BOOK), reading, TODAY)
    assert result.unmatched == {} and result.ambiguous == {}
    assert {c.new.model for c in result.changes} == models
    assert {c.new.input for c in result.changes} == {price}


def test_a_name_that_fits_two_different_models_is_refused_and_reported() -> None:
    """``Claude`` is what both ``anthropic.claude-v1`` (Claude 1) and ``anthropic.claude-v2:1`` (Claude 2.1) read as
    without their version, and neither model is called so: the product is not priced, and the refresh says why."""
    reading = OfferReading(prices=[OfferPrice("SKU-INPUT", "Claude", "us-east-1", "regional", "standard", "base",
                                              "tokens", "input", 0.0001234, None, "USE1-input-tokens")])
    result = refresh_rows(read_csv_rows(BUILTIN_BOOK), reading, TODAY)
    assert result.changes == [] and result.unmatched == {}
    assert result.ambiguous == {"Claude": ("anthropic.claude-v1", "anthropic.claude-v2:1")}


def test_a_model_billed_in_tokens_and_images_keeps_its_two_rows() -> None:
    """Titan Multimodal Embeddings has a token row and an image row of one tier: a new image price changes the
    image row only, and the token price stays on the token row."""
    titan, name = "amazon.titan-embed-image-v1", "Titan Multimodal Embeddings G1"
    reading = OfferReading(prices=[
        OfferPrice("SKU-IMAGE", name, "us-east-1", "regional", "standard", "base", "image", "per_unit", 0.00007,
                   None, "USE1-TitanEmbedImage-input-images"),
        OfferPrice("SKU-TEXT", name, "us-east-1", "regional", "standard", "base", "tokens", "input", 0.0008,
                   None, "USE1-TitanEmbedImage-input-tokens"),
    ])
    result = refresh_rows(read_csv_rows(BUILTIN_BOOK), reading, TODAY)
    assert [(c.kind, c.new.unit, c.new.per_unit) for c in result.changes] == [("changed", "image", 0.00007)]
    book = PriceBook(result.rows)
    tokens = book.quote(titan, "us-east-1", TODAY, unit="tokens")
    image = book.quote(titan, "us-east-1", TODAY, unit="image")
    assert tokens and (tokens.row.input, tokens.row.per_unit) == (0.0008, None)
    assert image and (image.row.input, image.row.per_unit) == (None, 0.00007)


@pytest.mark.parametrize(("product", "unit", "usage"), [
    ("Stable Image Core", "image", "USE1-StableImageCore-images"),
    ("Nova Reel", "second", "USE1-NovaReel-video-seconds"),
])
def test_a_price_the_book_keeps_per_size_or_resolution_is_not_read_as_a_base_row(
    product: str, unit: str, usage: str
) -> None:
    """The book prices Stable Image Core per image tier and Nova Reel per video resolution; an offer price naming
    neither would make a base row of its own that no call reads: it is left out and reported, the rows kept."""
    reading = OfferReading(prices=[OfferPrice("SKU-UNIT", product, "us-east-1", "regional", "standard", "base", unit,
                                              "per_unit", 0.5, None, usage)])
    known = read_csv_rows(BUILTIN_BOOK)
    named = [row for row in known if row.name == product and row.unit == unit]
    assert named and all(row.tier != "base" for row in named)  # the book's own rows name a tier
    result = refresh_rows(known, reading, TODAY)
    assert result.changes == [] and result.rows == known
    assert result.untiered == {product: 1}


@pytest.mark.parametrize(("product", "usage"), [
    ("Stable Image Ultra", "USE1-MP:USE1_Output-Units"),  # a Marketplace usage type that reads as output tokens
    ("Nova Canvas", "USE1-NovaCanvas-output-tokens"),
])
def test_a_token_price_of_a_model_billed_per_image_is_not_read(product: str, usage: str) -> None:
    """The book bills these models per image only: an offer price read as tokens would add a token row, and the
    report would price their calls by tokens instead of images. It is left out and reported, the rows kept."""
    reading = OfferReading(prices=[OfferPrice("SKU-TOKENS", product, "us-east-1", "regional", "standard", "base",
                                              "tokens", "output", 0.00014, None, usage)])
    known = read_csv_rows(BUILTIN_BOOK)
    assert {row.unit for row in known if row.name == product} == {"image"}
    result = refresh_rows(known, reading, TODAY)
    assert result.changes == [] and result.rows == known
    assert result.untiered == {product: 1}


def test_a_long_context_price_of_a_model_with_base_rows_only_is_added() -> None:
    """Claude Sonnet 4.6 has base rows only in the book: an offer's above-200K price is a tier of its own, added
    from its effective day (only a base price of a model priced per size or resolution is left out)."""
    sonnet, name = "anthropic.claude-sonnet-4-6", "Claude Sonnet 4.6"
    known = read_csv_rows(BUILTIN_BOOK)
    assert {row.tier for row in known if row.model == sonnet} == {"base"}
    reading = OfferReading(prices=[
        OfferPrice("SKU-LONG-IN", name, "us-east-1", "global", "standard", "above_200k", "tokens", "input", 0.006,
                   date(2026, 11, 1), "USE1-MP:USE1_InputTokenCount_Global_LCtx-Units"),
        OfferPrice("SKU-LONG-OUT", name, "us-east-1", "global", "standard", "above_200k", "tokens", "output", 0.0225,
                   date(2026, 11, 1), "USE1-MP:USE1_OutputTokenCount_Global_LCtx-Units"),
    ])
    result = refresh_rows(known, reading, TODAY)
    assert result.untiered == {}
    assert [(c.kind, c.new.tier, c.new.input, c.new.output) for c in result.changes] == [
        ("added", "above_200k", 0.006, 0.0225)]
    quote = PriceBook(result.rows).quote(f"global.{sonnet}", "us-east-1", TODAY, context_tokens=250_000)
    assert quote and (quote.row.input, quote.row.output) == (0.006, 0.0225)


@pytest.mark.parametrize(("family", "mode", "field", "model_id"),
                         [("regional", "flex", "input", SONNET_45),
                          ("global", "priority", "output", f"global.{SONNET_45}")])
def test_a_new_mode_of_a_known_model_starts_on_the_offers_effective_date(family: str, mode: str, field: str,
                                                                         model_id: str) -> None:
    """Sonnet 4.5 has no flex or priority row in the book: an offer's price of one from 2027-01-01 prices the calls
    from that day, not those before (which stay unpriced, as they were)."""
    start = date(2027, 1, 1)
    assert not [row for row in read_csv_rows(BUILTIN_BOOK) if row.model == SONNET_45 and row.mode == mode]
    price = OfferPrice("SKU-NEW-MODE", "Claude Sonnet 4.5", "us-east-1", family, mode, "base", "tokens", field,
                       0.00165, start, f"USE1-Claude4.5Sonnet-{field}-tokens-{mode}", "AmazonBedrockService")
    result = refresh_rows(read_csv_rows(BUILTIN_BOOK), OfferReading(prices=[price]), TODAY)
    assert [(c.kind, c.new.mode, c.new.effective_from) for c in result.changes] == [("added", mode, start)]
    book = PriceBook(result.rows)
    assert book.quote(model_id, "us-east-1", date(2025, 6, 1), mode=mode) is None
    quote = book.quote(model_id, "us-east-1", start, mode=mode)
    assert quote and getattr(quote.row, field) == 0.00165


def run_pricing(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "pricing.py", *args], capture_output=True, text=True, env=env)


@pytest.mark.slow
def test_refresh_with_offer_files_writes_the_book_and_prints_the_changes(tmp_path: Path) -> None:
    book = tmp_path / "book.csv"
    shutil.copy(BUILTIN_BOOK, book)
    offer = json.loads(MARKETPLACE_OFFER.read_text())
    for sku, product in list(offer["products"].items()):  # the same products in eu-west-3, input 10% dearer
        attributes = product["attributes"]
        if not attributes["servicename"].startswith("Claude Sonnet 4.5"):
            continue
        copy = json.loads(json.dumps(product).replace(sku, f"{sku}EU").replace("USE1", "EUW3"))
        copy["attributes"]["regionCode"] = "eu-west-3"
        terms = json.loads(json.dumps(offer["terms"]["OnDemand"][sku]).replace(sku, f"{sku}EU"))
        for term in terms.values():
            for dimension in term["priceDimensions"].values():
                if dimension["pricePerUnit"]["USD"] == "3.3000000000":
                    dimension["pricePerUnit"]["USD"] = "3.6300000000"
        offer["products"][f"{sku}EU"] = copy
        offer["terms"]["OnDemand"][f"{sku}EU"] = terms
    marketplace = tmp_path / "AmazonBedrockFoundationModels.json"
    marketplace.write_text(json.dumps(offer))
    args = ("--refresh", "--offer-file", str(BEDROCK_OFFER), "--offer-file", str(marketplace), "--book", str(book),
            "--date", TODAY.isoformat())
    first = run_pricing(*args)
    assert first.returncode == 0, first.stderr
    assert "Read AmazonBedrock 2026-11-20T18:04:11Z, AmazonBedrockFoundationModels 2026-11-20T18:04:11Z" in first.stdout
    assert "Imaginary Model X: 1 prices" in first.stdout
    assert "Added" in first.stdout and f"Wrote {book}" in first.stdout
    with book.open(newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["model"] == "anthropic.claude-sonnet-4-5-20250929-v1:0"
                and r["region"] == "eu-west-3" and r["mode"] == "standard" and r["tier"] == "base"
                and r["family"] == "regional"]
    assert [(r["effective_from"], r["effective_to"], r["input"]) for r in rows] == [("2026-12-05", "", "0.00363")]
    before = PriceBook(read_csv_rows(BUILTIN_BOOK)).quote(f"eu.{SONNET_45}", "eu-west-3", date(2026, 12, 4))
    refreshed = PriceBook(read_csv_rows(book))
    assert refreshed.quote(f"eu.{SONNET_45}", "eu-west-3", date(2026, 12, 4)).row == before.row  # past days keep
    assert refreshed.quote(f"eu.{SONNET_45}", "eu-west-3", TODAY).row.input == 0.00363
    second = run_pricing(*args)
    assert second.returncode == 0 and "0 rows added or changed" in second.stdout and "Wrote" not in second.stdout


def test_a_book_rewritten_while_a_process_runs_prices_its_next_load(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The built-in book is read once per content of its file: a load after ``--refresh`` (or an edit) rewrote it
    takes the new rows, as a dashboard that stays up must."""
    book = tmp_path / "bedrock_prices.csv"
    shutil.copy(BUILTIN_BOOK, book)
    monkeypatch.setattr("bedrock_usage.pricing.book.BUILTIN_BOOK", book)
    monkeypatch.delenv("BEDROCK_USAGE_PRICES", raising=False)
    first = PriceBook.load().quote(SONNET_45, "us-east-1", TODAY)
    assert first is not None and first.row.input != 0.00999
    assert PriceBook.load().quote(SONNET_45, "us-east-1", TODAY).row == first.row
    with book.open(newline="") as handle:
        reader = csv.DictReader(handle)
        fields, rows = reader.fieldnames, list(reader)
    for row in rows:
        if row["model"] == SONNET_45 and row["input"]:
            row["input"] = "0.00999"
    with book.open("w", newline="") as handle:  # in place, as an editor saves it
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    assert PriceBook.load().quote(SONNET_45, "us-east-1", TODAY).row.input == 0.00999


def test_refresh_prints_and_writes_every_id_of_a_name(tmp_path: Path) -> None:
    """The review's case: Sonnet 4.5's products copied as Claude Haiku 4.5 and Opus 4.5 at -10 % reach all four ids
    (each table row names its id); a product called ``Claude`` is listed as fitting two models."""
    book = tmp_path / "book.csv"
    shutil.copy(BUILTIN_BOOK, book)
    marketplace = marketplace_copies(tmp_path, (*HAIKU_AND_OPUS_45, "Claude"), 0.9)
    result = run_pricing("--refresh", "--offer-file", str(marketplace), "--book", str(book))
    assert result.returncode == 0, result.stderr
    assert "Claude Haiku 4.5:" not in result.stdout and "Claude Opus 4.5:" not in result.stdout
    for model in HAIKU_AND_OPUS_45["Claude Haiku 4.5"] + HAIKU_AND_OPUS_45["Claude Opus 4.5"]:
        assert f" {model} " in result.stdout
    assert "  Claude: anthropic.claude-v1, anthropic.claude-v2:1" in result.stdout
    refreshed = PriceBook(read_csv_rows(book))
    for model in HAIKU_AND_OPUS_45["Claude Haiku 4.5"] + HAIKU_AND_OPUS_45["Claude Opus 4.5"]:
        assert_sonnet_prices_times(refreshed, model, 0.9)


@pytest.fixture
def price_list_server(tmp_path: Path) -> Iterator[str]:
    """A Price List mirror on 127.0.0.1 serving the fixtures at the bulk offer files' paths."""
    for code, fixture in (("AmazonBedrock", BEDROCK_OFFER), ("AmazonBedrockFoundationModels", MARKETPLACE_OFFER),
                          ("AmazonBedrockService", SERVICE_OFFER)):
        folder = tmp_path / "offers" / "v1.0" / "aws" / code / "current"
        folder.mkdir(parents=True)
        shutil.copy(fixture, folder / "index.json")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_refresh_downloads_the_three_offer_files(price_list_server: str, tmp_path: Path) -> None:
    book = tmp_path / "book.csv"
    shutil.copy(BUILTIN_BOOK, book)
    env = {**os.environ, "BEDROCK_USAGE_PRICE_LIST_URL": price_list_server}
    result = run_pricing("--refresh", "--dry-run", "--book", str(book), env=env)
    assert result.returncode == 0, result.stderr
    assert ("Read AmazonBedrock 2026-11-20T18:04:11Z, AmazonBedrockFoundationModels 2026-11-20T18:04:11Z, "
            "AmazonBedrockService 2026-11-20T18:04:11Z") in result.stdout
    assert "  a bedrock-mantle meter (not read): 1" in result.stdout
    assert "Dry run: the book was not written." in result.stdout


@pytest.mark.slow
def test_refresh_errors_are_one_line(tmp_path: Path) -> None:
    env = {**os.environ, "BEDROCK_USAGE_PRICE_LIST_URL": "http://127.0.0.1:9"}
    unreachable = run_pricing("--refresh", "--dry-run", env=env)
    assert unreachable.returncode == 1 and unreachable.stderr.count("\n") == 1
    assert "cannot download the AmazonBedrock offer file" in unreachable.stderr and "--offer-file" in unreachable.stderr
    not_json = tmp_path / "index.json"
    not_json.write_text("<html>")
    bad = run_pricing("--refresh", "--offer-file", str(not_json), "--dry-run")
    assert bad.returncode == 1 and f"offer file {not_json} is not JSON" in bad.stderr
    other = tmp_path / "ec2.json"
    other.write_text(json.dumps({"offerCode": "AmazonEC2", "products": {}, "terms": {}}))
    wrong = run_pricing("--refresh", "--offer-file", str(other), "--dry-run")
    assert wrong.returncode == 1 and "'AmazonEC2' is not one of Bedrock's" in wrong.stderr


SERVICE_SONNET = "Claude Sonnet 4.5"


def service_usd(usage_type: str) -> float:
    """A Claude Sonnet 4.5 price of the ``AmazonBedrockService`` fixture: USD per 1K tokens, its unit, as published."""
    return offer_price(SERVICE_OFFER, f"USE1-Claude4.5Sonnet-{usage_type}", SERVICE_SONNET)


def test_the_service_offer_prices_current_claude_in_the_books_rows() -> None:
    """Claude Sonnet 4.5 is priced in ``AmazonBedrockService`` only: a book whose Sonnet 4.5 rows are off takes each
    of its prices (per 1K tokens, as published) into the row of its endpoint family, mode and context tier."""
    off = [replace(row, **{name: getattr(row, name) * 2 for name in ("input", "output", "cache_write_5m",
                                                                    "cache_write_1h", "cache_read")
                           if getattr(row, name) is not None})
           if row.model == SONNET_45 and row.family in ("regional", "global") else row
           for row in read_csv_rows(BUILTIN_BOOK)]
    result = refresh_rows(off, read_offer_files([SERVICE_OFFER]), TODAY, TODAY)
    assert result.unmatched == {} and result.untiered == {}
    book = PriceBook(result.rows)

    def rates(model_id: str, names: tuple[str, ...], **kwargs: object) -> list[float | None]:
        quote = book.quote(model_id, "us-east-1", TODAY, **kwargs)
        assert quote is not None, (model_id, kwargs)
        return [getattr(quote.row, name) for name in names]

    regional = ("input", "output", "cache_read", "cache_write_5m", "cache_write_1h")
    assert rates(f"us.{SONNET_45}", regional) == pytest.approx([service_usd(u) for u in (
        "input-tokens", "output-tokens", "cache-read-input-token-count", "cache-write-input-token-count",
        "cache-write-input-token-count-1-hour")])
    assert rates(f"global.{SONNET_45}", ("input", "output")) == pytest.approx(
        [service_usd("input-tokens-cross-region-global"), service_usd("output-tokens-cross-region-global")])
    assert rates(SONNET_45, ("input",), mode="batch") == pytest.approx([service_usd("input-tokens-batch")])
    assert rates(f"global.{SONNET_45}", ("output",), mode="batch") == pytest.approx(
        [service_usd("output-tokens-cross-region-global-batch")])
    assert rates(f"global.{SONNET_45}", ("input", "output"), context_tokens=250_000) == pytest.approx(
        [service_usd("input-tokens-long-context-cross-region-global"),
         service_usd("output-tokens-long-context-cross-region-global")])
    # Published: $3.30 / $16.50 per 1M in-region, $3 / $15 global, >200K global $6 / $22.50, batch half.
    assert rates(f"us.{SONNET_45}", ("input", "output")) == pytest.approx([0.0033, 0.0165])
    assert rates(f"global.{SONNET_45}", ("input", "output"), context_tokens=250_000) == pytest.approx([0.006, 0.0225])


def test_the_service_offer_agrees_with_the_book() -> None:
    """The fixture's figures are the book's published ones: read alongside the other two offers, nothing changes."""
    reading = read_offer_files([BEDROCK_OFFER, MARKETPLACE_OFFER, SERVICE_OFFER])
    result = refresh_rows(read_csv_rows(BUILTIN_BOOK), reading, TODAY)
    assert result.changes == []
    assert result.skipped == {"not on-demand inference (Model Customization)": 1,
                              "not on-demand inference (Provisioned Throughput)": 1,
                              "not on-demand inference": 1,
                              "a bedrock-mantle meter (not read)": 1,
                              "not on-demand inference (Reserved - 1 Month)": 1}


@pytest.mark.parametrize(("usage_type", "unit", "reason"), [
    ("USE1-Claude4.5Sonnet-input-tokens-latency-optimized", "1K tokens", LATENCY_NOT_READ),
    ("USE1-Claude4.5Sonnet-input-tokens-batch-flex", "1K tokens",
     "usage type of an unknown shape (Claude4.5Sonnet-input-tokens-batch-flex)"),
    ("USE1-Claude4.5Sonnet-input-tokens-1-hour", "1K tokens",
     "usage type of an unknown shape (Claude4.5Sonnet-input-tokens-1-hour)"),
    ("USE1-Claude4.5Sonnet-input-tokens", "Units", "token price in an unknown unit (Units)"),
])
def test_a_service_price_of_an_unknown_shape_is_skipped_with_its_reason(tmp_path: Path, usage_type: str, unit: str,
                                                                        reason: str) -> None:
    """AWS does not document the usage-type grammar: a shape or unit the reader does not know is left out, with its
    reason, never priced as the meter it resembles."""
    offer = json.loads(SERVICE_OFFER.read_text())
    (sku,) = [sku for sku, p in offer["products"].items()
              if p["attributes"]["usagetype"] == "USE1-Claude4.5Sonnet-input-tokens"]
    offer["products"][sku]["attributes"]["usagetype"] = usage_type
    (found,) = offer["terms"]["OnDemand"][sku].values()
    (dimension,) = found["priceDimensions"].values()
    dimension["unit"] = unit
    reading = read_offer_files([saved(tmp_path, offer)])
    assert reading.skipped[reason] == 1
    assert sku not in {price.sku for price in reading.prices}
    assert len(reading.prices) == len(json.loads(SERVICE_OFFER.read_text())["products"]) - 3


def test_a_latency_optimized_marketplace_price_is_skipped_never_taken_for_the_standard_one(tmp_path: Path) -> None:
    """A Marketplace price dimension described as one of latency-optimized inference (the description a public Price
    List reader's tests quote from the live offer: "Million Input Tokens (Latency Optimized Inference)") is left out
    with its reason, and the refresh changes no row."""
    offer = json.loads(MARKETPLACE_OFFER.read_text())
    sku = offer_sku(MARKETPLACE_OFFER, MARKETPLACE_INPUT, MARKETPLACE_SONNET)
    (found,) = offer["terms"]["OnDemand"][sku].values()
    (dimension,) = found["priceDimensions"].values()
    dimension["description"] = ("AWS Marketplace software usage|us-east-1|Million Input Tokens (Latency Optimized "
                                "Inference)")
    set_usd(found, "4.1250000000")  # not the standard $3.30 per 1M
    reading = read_offer_files([saved(tmp_path, offer)])
    assert reading.skipped[LATENCY_NOT_READ] == 1
    assert sku not in {price.sku for price in reading.prices}
    assert refresh_rows(read_csv_rows(BUILTIN_BOOK), reading, TODAY).changes == []


SERVICE_INPUT = "USE1-Claude4.5Sonnet-input-tokens"
MARKETPLACE_INPUT = "USE1-MP:USE1_InputTokenCount-Units"
MARKETPLACE_SONNET = "Claude Sonnet 4.5 (Amazon Bedrock Edition)"


def offer_sku(path: Path, usage_type: str, name: str) -> str:
    """The SKU of the one product with this usage type and model or service name, read straight from the file."""
    offer = json.loads(path.read_text())
    (sku,) = [sku for sku, p in offer["products"].items() if p["attributes"]["usagetype"] == usage_type
              and name in (p["attributes"].get("model"), p["attributes"].get("servicename"))]
    return sku


def repriced(tmp_path: Path, path: Path, usage_type: str, name: str, usd: str) -> Path:
    """A copy of an offer fixture with one product's price set to ``usd``."""
    offer = json.loads(path.read_text())
    (found,) = offer["terms"]["OnDemand"][offer_sku(path, usage_type, name)].values()
    set_usd(found, usd)
    return saved(tmp_path, offer)


def sonnet_doubled() -> list:
    """The built-in book with Claude Sonnet 4.5's in-region input and output doubled, so a refresh changes them."""
    return [replace(row, input=row.input * 2, output=row.output * 2)
            if row.model == SONNET_45 and row.family == "regional" else row for row in read_csv_rows(BUILTIN_BOOK)]


@pytest.mark.parametrize("service_first", [False, True])
def test_offers_that_disagree_on_a_figure_keep_the_books_figure_and_list_both_prices(tmp_path: Path,
                                                                                      service_first: bool) -> None:
    """Sonnet 4.5's in-region input is in the Marketplace and the Service offer: when their figures differ, neither is
    applied (the book's stays, whichever offer is read last) and both are listed with their offer, SKU and usage type;
    the output, on which they agree, is applied."""
    service = repriced(tmp_path, SERVICE_OFFER, SERVICE_INPUT, SERVICE_SONNET, "0.0036000000")
    offers = [service, MARKETPLACE_OFFER] if service_first else [BEDROCK_OFFER, MARKETPLACE_OFFER, service]
    before = sonnet_doubled()
    result = refresh_rows(before, read_offer_files(offers), TODAY, TODAY)
    old = PriceBook(before).quote(f"us.{SONNET_45}", "us-east-1", TODAY)
    new = PriceBook(result.rows).quote(f"us.{SONNET_45}", "us-east-1", TODAY)
    assert old is not None and new is not None
    assert new.row.input == old.row.input
    assert new.row.output == pytest.approx(service_usd("output-tokens"))
    (found,) = result.disagreements
    assert (found.model, found.region, found.family, found.mode, found.tier, found.field) == (
        SONNET_45, "us-east-1", "regional", "standard", "base", "input")
    assert {(p.offer, p.sku, p.usage_type): p.value for p in found.prices} == pytest.approx({
        ("AmazonBedrockFoundationModels", offer_sku(MARKETPLACE_OFFER, MARKETPLACE_INPUT, MARKETPLACE_SONNET),
         MARKETPLACE_INPUT): offer_price(MARKETPLACE_OFFER, MARKETPLACE_INPUT, MARKETPLACE_SONNET) / 1000,
        ("AmazonBedrockService", offer_sku(service, SERVICE_INPUT, SERVICE_SONNET), SERVICE_INPUT): 0.0036})


def test_two_products_of_one_offer_that_disagree_change_nothing() -> None:
    """Two products of one offer pricing Command R's only figure differently: the book is as it was, nothing is
    counted as unchanged, and both prices are listed."""
    prices = [OfferPrice(sku, "Command R", "us-east-1", "regional", "standard", "base", "tokens", "input", value, None,
                         "USE1-input-tokens", "AmazonBedrock") for sku, value in (("SKU-A", 0.0005), ("SKU-B", 0.0006))]
    book = read_csv_rows(BUILTIN_BOOK)
    result = refresh_rows(book, OfferReading(prices=prices), TODAY)
    assert (result.rows, result.changes, result.unchanged) == (book, [], 0)
    (found,) = result.disagreements
    assert (found.model, found.field, found.prices) == ("cohere.command-r-v1:0", "input", tuple(prices))


def test_offers_that_agree_on_a_changed_figure_apply_it(tmp_path: Path) -> None:
    """The same new figure in both offers ($3.60 per 1M, $0.0036 per 1K) is one price, not a disagreement."""
    service = repriced(tmp_path, SERVICE_OFFER, SERVICE_INPUT, SERVICE_SONNET, "0.0036000000")
    marketplace = repriced(tmp_path, MARKETPLACE_OFFER, MARKETPLACE_INPUT, MARKETPLACE_SONNET, "3.6000000000")
    result = refresh_rows(read_csv_rows(BUILTIN_BOOK), read_offer_files([marketplace, service]), TODAY, TODAY)
    assert result.disagreements == []
    quote = PriceBook(result.rows).quote(f"us.{SONNET_45}", "us-east-1", TODAY)
    assert quote is not None and quote.row.input == pytest.approx(0.0036)


OFFERS_DAY = date(2026, 12, 1)


def sonnet_price(offer: str, region: str, field: str, per_1k: float) -> OfferPrice:
    """One on-demand in-region price of Claude Sonnet 4.5 (USD per 1K tokens), effective ``OFFERS_DAY``."""
    return OfferPrice(f"{offer}-{region}-{field}", "Claude Sonnet 4.5", region, "regional", "standard", "base",
                      "tokens", field, per_1k, OFFERS_DAY, f"{region}-{field}", offer)


def sonnet_quotes(book: PriceBook, region: str) -> list[tuple[float | None, ...]]:
    """Sonnet 4.5's in-region figures in ``region`` the day before the offers, on their day and on the run day."""
    quotes = [book.quote(SONNET_45, region, day) for day in (OFFERS_DAY - timedelta(days=1), OFFERS_DAY, TODAY)]
    assert all(quotes)
    return [tuple(getattr(q.row, name) for name in ("input", "output", "cache_write_5m", "cache_write_1h",
                                                     "cache_read")) for q in quotes]


def test_a_figure_disputed_in_one_region_leaves_the_other_regions_figures_applied() -> None:
    """us-east-1's input disputed (Service $3.40, Marketplace $3.30 per 1M): ap-south-1's undisputed $5.00 is still
    written as its own row; us-east-1 quotes what it quoted before."""
    service, marketplace = "AmazonBedrockService", "AmazonBedrockFoundationModels"
    prices = [sonnet_price(service, "us-east-1", "input", 0.0034), sonnet_price(service, "us-east-1", "output", 0.0165),
              sonnet_price(service, "ap-south-1", "input", 0.0050),
              sonnet_price(service, "ap-south-1", "output", 0.0165),
              sonnet_price(marketplace, "us-east-1", "input", 3.30 / 1000),
              sonnet_price(marketplace, "us-east-1", "output", 16.50 / 1000)]
    before = read_csv_rows(BUILTIN_BOOK)
    result = refresh_rows(before, OfferReading(prices=prices), TODAY)
    assert [(d.region, d.field) for d in result.disagreements] == [("us-east-1", "input")]
    assert [(c.kind, c.new.region, c.new.effective_from) for c in result.changes] == [
        ("added", "ap-south-1", OFFERS_DAY)]
    after = PriceBook(result.rows)
    assert sonnet_quotes(after, "us-east-1") == sonnet_quotes(PriceBook(before), "us-east-1")
    quote = after.quote(SONNET_45, "ap-south-1", OFFERS_DAY)
    assert quote and (quote.row.input, quote.row.output) == pytest.approx((0.0050, 0.0165))


@pytest.mark.parametrize(("us_east_input", "added"), [(0.0036, ["eu-west-1"]), (0.0033, [])],
                         ids=["star row changes", "star row stays"])
def test_a_region_whose_figure_is_disputed_keeps_its_old_quote_when_the_star_row_changes(
        us_east_input: float, added: list[str]) -> None:
    """us-east-1's input (undisputed) is taken by the ``*`` row; eu-west-1's input is disputed (Service $4.00,
    Marketplace $3.90 per 1M) and it priced through ``*``: every figure it quotes stays as before (through a row of
    its own only when ``*`` changes), and a second refresh changes nothing."""
    prices = [sonnet_price("AmazonBedrockService", "us-east-1", "input", us_east_input),
              sonnet_price("AmazonBedrockService", "eu-west-1", "input", 0.0040),
              sonnet_price("AmazonBedrockFoundationModels", "eu-west-1", "input", 3.90 / 1000)]
    before = read_csv_rows(BUILTIN_BOOK)
    result = refresh_rows(before, OfferReading(prices=prices), TODAY)
    assert [(d.region, d.field) for d in result.disagreements] == [("eu-west-1", "input")]
    assert [c.new.region for c in result.changes if c.kind == "added"] == added
    after = PriceBook(result.rows)
    assert sonnet_quotes(after, "eu-west-1") == sonnet_quotes(PriceBook(before), "eu-west-1")
    us_east = after.quote(SONNET_45, "us-east-1", OFFERS_DAY)
    assert us_east and us_east.row.input == pytest.approx(us_east_input)
    again = refresh_rows(result.rows, OfferReading(prices=prices), TODAY)
    assert (again.rows, again.changes) == (result.rows, [])


def test_refresh_prints_each_disagreeing_price_and_how_to_settle_it(tmp_path: Path) -> None:
    book = tmp_path / "book.csv"
    shutil.copy(BUILTIN_BOOK, book)
    service = repriced(tmp_path, SERVICE_OFFER, SERVICE_INPUT, SERVICE_SONNET, "0.0036000000")
    result = run_pricing("--refresh", "--offer-file", str(MARKETPLACE_OFFER), "--offer-file", str(service),
                         "--book", str(book))
    assert result.returncode == 0, result.stderr
    assert "Settle each with a row in your price file (--prices; README.md, Prices)" in result.stdout
    lines = [line.split() for line in result.stdout.splitlines() if SONNET_45 in line]
    per_million = offer_price(MARKETPLACE_OFFER, MARKETPLACE_INPUT, MARKETPLACE_SONNET)
    assert lines == [
        [SONNET_45, "us-east-1", "regional", "standard", "base", "input", f"{per_million:.4f}",
         "AmazonBedrockFoundationModels", offer_sku(MARKETPLACE_OFFER, MARKETPLACE_INPUT, MARKETPLACE_SONNET),
         MARKETPLACE_INPUT],
        [SONNET_45, "us-east-1", "regional", "standard", "base", "input", "3.6000", "AmazonBedrockService",
         offer_sku(service, SERVICE_INPUT, SERVICE_SONNET), SERVICE_INPUT]]
    assert book.read_bytes() == BUILTIN_BOOK.read_bytes()  # nothing else changed, so nothing was written
