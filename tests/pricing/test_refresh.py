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
from datetime import date
from pathlib import Path

import pytest

from bedrock_usage.pricing import PriceBook, read_csv_rows
from bedrock_usage.pricing.book import BUILTIN_BOOK
from bedrock_usage.pricing.offer_file import OfferPrice, OfferReading
from bedrock_usage.pricing.refresh import read_offer_files, refresh_rows

FIXTURES = Path(__file__).parents[1] / "fixtures" / "pricing"
BEDROCK_OFFER = FIXTURES / "AmazonBedrock-index.json"
MARKETPLACE_OFFER = FIXTURES / "AmazonBedrockFoundationModels-index.json"
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
                               "not on-demand inference (Provisioned Throughput)": 1}


def test_a_refresh_that_agrees_with_the_book_changes_nothing() -> None:
    result = refresh_rows(read_csv_rows(BUILTIN_BOOK), read_offer_files([BEDROCK_OFFER, MARKETPLACE_OFFER]), TODAY)
    assert result.changes == []
    assert result.unchanged > 0
    assert result.unmatched == {"Imaginary Model X": 1}  # reported, never priced as another model


def test_a_changed_price_closes_the_old_row_and_opens_a_dated_one(tmp_path: Path) -> None:
    offer = json.loads(BEDROCK_OFFER.read_text())
    for sku, product in offer["products"].items():
        if product["attributes"]["usagetype"] == "USE1-NovaLite-input-tokens":
            (term,) = offer["terms"]["OnDemand"][sku].values()
            (dimension,) = term["priceDimensions"].values()
            dimension["pricePerUnit"]["USD"] = "0.0000500000"
    changed = tmp_path / "AmazonBedrock.json"
    changed.write_text(json.dumps(offer))
    before = read_csv_rows(BUILTIN_BOOK)
    result = refresh_rows(before, read_offer_files([changed]), TODAY)
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
    again = refresh_rows(result.rows, read_offer_files([changed]), TODAY)
    assert again.changes == []


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


@pytest.fixture
def price_list_server(tmp_path: Path) -> Iterator[str]:
    """A Price List mirror on 127.0.0.1 serving the fixtures at the bulk offer files' paths."""
    for code, fixture in (("AmazonBedrock", BEDROCK_OFFER), ("AmazonBedrockFoundationModels", MARKETPLACE_OFFER)):
        folder = tmp_path / "offers" / "v1.0" / "aws" / code / "current"
        folder.mkdir(parents=True)
        shutil.copy(fixture, folder / "index.json")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_refresh_downloads_both_offer_files(price_list_server: str, tmp_path: Path) -> None:
    book = tmp_path / "book.csv"
    shutil.copy(BUILTIN_BOOK, book)
    env = {**os.environ, "BEDROCK_USAGE_PRICE_LIST_URL": price_list_server}
    result = run_pricing("--refresh", "--dry-run", "--book", str(book), env=env)
    assert result.returncode == 0, result.stderr
    assert "AmazonBedrockFoundationModels 2026-11-20T18:04:11Z" in result.stdout
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
