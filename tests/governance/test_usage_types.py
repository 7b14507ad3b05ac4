"""The table tying model ids to Cost Explorer usage types and CloudWatch ModelId values."""

from __future__ import annotations

import csv
import json
import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from bedrock_usage.governance.reconcile import (
    CHARGE_COLUMNS,
    BilledCost,
    MeteredUsage,
    Reconciliation,
    charge_row,
    reconcile,
)
from bedrock_usage.governance.render import reconciliation_text
from bedrock_usage.governance.usage_types import (
    REGION_CODES,
    is_bedrock_service,
    metric_model_key,
    model_billing,
    model_for_name,
    parse_usage_type,
)
from bedrock_usage.logs.period import Period
from bedrock_usage.logs.regions import BEDROCK_REGIONS, REGION_NAMES
from bedrock_usage.pricing import PriceBook

HAIKU_3 = "anthropic.claude-3-haiku-20240307-v1:0"
SONNET_4 = "anthropic.claude-sonnet-4-20250514-v1:0"
HAIKU_45 = "anthropic.claude-haiku-4-5-20251001-v1:0"
OPUS_46 = "anthropic.claude-opus-4-6-v1"
OPUS_48 = "anthropic.claude-opus-4-8"
BOOK = Path(__file__).resolve().parents[2] / "bedrock_usage" / "pricing" / "bedrock_prices.csv"
OFFERS = Path(__file__).resolve().parents[1] / "fixtures" / "pricing"
SONNET_35 = "anthropic.claude-3-5-sonnet-20240620-v1:0"
SONNET_35_V2 = "anthropic.claude-3-5-sonnet-20241022-v2:0"


@pytest.mark.parametrize(("service", "usage_type", "region", "base_id", "kind", "marketplace", "global_"), [
    ("Amazon Bedrock", "USE1-Claude3Haiku-input-tokens", "us-east-1", HAIKU_3, "input", False, False),
    ("Amazon Bedrock", "USE1-Claude4Sonnet-output-tokens-long-context-cross-region-global", "us-east-1", SONNET_4,
     "output", False, True),
    ("Claude Haiku 4.5 (Amazon Bedrock Edition)", "USE1-MP:USE1_InputTokenCount-Units", "us-east-1", HAIKU_45,
     "input", True, False),
    ("Claude 4.5 Haiku (Amazon Bedrock Edition)", "APN2-MP:APN2_output_tokens_standard-Units", "ap-northeast-2",
     HAIKU_45, "output", True, False),
    ("Claude Haiku 4.5 (Amazon Bedrock Edition)", "USW2-MP:USW2_cache_read_tokens_standard-Units", "us-west-2",
     HAIKU_45, "cache_read", True, False),
    ("Claude Haiku 4.5 (Amazon Bedrock Edition)", "EU-MP:EU_CacheWriteInputTokenCount-Units", "eu-west-1",
     HAIKU_45, "cache_write", True, False),
    ("Amazon Bedrock Service", "USE1-Claude4Sonnet-output-tokens-long-context-cross-region-global", "us-east-1",
     SONNET_4, "output", False, True),
    ("Amazon Bedrock Service", "USE1-Claude4.6Opus-input-tokens-cross-region-global", "us-east-1", OPUS_46, "input",
     False, True),
    ("Amazon Bedrock Service", "USE1-Claude4.6Opus-cache-read-input-token-count-cross-region-global", "us-east-1",
     OPUS_46, "cache_read", False, True),
    # The model named by its id, dashes and all.
    ("Amazon Bedrock Service", "USW2-anthropic.claude-opus-4-8-mantle-cache-write-tokens-global-standard",
     "us-west-2", OPUS_48, "cache_write", False, True),
    # Models the table does not know stay unknown, never taken for one whose id they start with.
    ("Amazon Bedrock Service", "USW2-anthropic.claude-opus-4-9-mantle-input-tokens-global-standard", "us-west-2",
     None, "input", False, True),
    ("Amazon Bedrock Service", "USW2-anthropic.claude-opus-4-8-1-mantle-output-tokens", "us-west-2", None, "output",
     False, False),
    # A known token followed by a word that is neither a kind of token nor an endpoint names another model.
    ("Amazon Bedrock", "USE1-Claude3.5Sonnet-V2-input-tokens", "us-east-1", None, "input", False, False),
    ("Amazon Bedrock", "USE1-Claude3.5SonnetV2-input-tokens", "us-east-1", SONNET_35_V2, "input", False, False),
    ("Amazon Bedrock", "USE1-Claude3.5Sonnet-input-tokens", "us-east-1", SONNET_35, "input", False, False),
    ("Amazon Bedrock", "APS3-TitanEmbeddingsG1-Text-input-tokens", "ap-south-1", None, "input", False, False),
    ("Amazon Bedrock", "ModelUnit-Hours", None, None, "other", False, False),
])
def test_parse_usage_type(service: str, usage_type: str, region: str | None, base_id: str | None, kind: str,
                          marketplace: bool, global_: bool) -> None:
    parsed = parse_usage_type(service, usage_type)
    assert parsed.region == region
    assert (parsed.model.base_id if parsed.model else None) == base_id
    assert (parsed.kind, parsed.marketplace, parsed.global_endpoint) == (kind, marketplace, global_)


@pytest.mark.parametrize(("offer", "service"), [("AmazonBedrock", "Amazon Bedrock"),
                                               ("AmazonBedrockService", "Amazon Bedrock Service")])
def test_a_usage_type_bills_batch_inference_as_its_price_list_product_does(offer: str, service: str) -> None:
    """Every usage type of the fixture offers is batch exactly when its product's ``feature`` is Batch Inference."""
    products = json.loads((OFFERS / f"{offer}-index.json").read_text(encoding="utf-8"))["products"].values()
    batch = {p["attributes"]["usagetype"]: p["attributes"].get("feature") == "Batch Inference" for p in products}
    assert any(batch.values()) and not all(batch.values())
    assert {usage_type: parse_usage_type(service, usage_type).batch for usage_type in batch} == batch


# What each product of the fixture offers bills, by its ``feature``: on-demand inference at Standard rates, batch
# inference at batch rates; reserved capacity (no feature), customization and provisioned throughput at no tier a
# logged call is priced at.
FEATURE_MODES = {"On-demand Inference": "standard", "Batch Inference": "batch"}


@pytest.mark.parametrize(("offer", "service"), [("AmazonBedrock", "Amazon Bedrock"),
                                               ("AmazonBedrockService", "Amazon Bedrock Service")])
def test_a_usage_type_bills_the_mode_its_price_list_product_does(offer: str, service: str) -> None:
    products = json.loads((OFFERS / f"{offer}-index.json").read_text(encoding="utf-8"))["products"].values()
    modes = {p["attributes"]["usagetype"]: FEATURE_MODES.get(p["attributes"].get("feature", "")) for p in products}
    assert None in modes.values() and "standard" in modes.values()
    assert {usage_type: parse_usage_type(service, usage_type).mode for usage_type in modes} == modes


@pytest.mark.parametrize(("service", "usage_type", "name", "kind", "mode"), [
    # Public Price List readers' tests, quoting the live AmazonBedrock offer (us-east-1, 2026-07).
    ("Amazon Bedrock", "USE1-NovaPro-input-tokens-latency-optimized", "Nova Pro", "input", "latency"),
    ("Amazon Bedrock", "USE2-NovaPro-output-tokens-latency-optimized", "Nova Pro", "output", "latency"),
    ("Amazon Bedrock", "USE1-NovaPro-input-tokens-priority", "Nova Pro", "input", "priority"),
    ("Amazon Bedrock", "USE1-NovaPro-output-tokens-flex", "Nova Pro", "output", "flex"),
    ("Amazon Bedrock", "USE1-NovaMicro-input-tokens-batch", "Nova Micro", "input", "batch"),
    ("Amazon Bedrock", "USE1-Nova2.0Lite-input-tokens-flex-cross-region-global", "Nova 2 Lite", "input", "flex"),
    ("Amazon Bedrock", "USW2-Nova2.0Lite-input-tokens-priority-cross-region-global", "Nova 2 Lite", "input",
     "priority"),
    ("Amazon Bedrock", "USW2-Nova2.0Lite-cache-write-input-token-count-flex", "Nova 2 Lite", "cache_write", "flex"),
    ("Amazon Bedrock", "USE1-Qwen3-32B-input-tokens-flex", None, "input", "flex"),
    ("Amazon Bedrock", "USE1-Qwen3-32B-input-tokens", None, "input", "standard"),
    ("Amazon Bedrock", "USE1-Llama3-1-405B-output-tokens-batch", None, "output", "batch"),
    ("Amazon Bedrock", "USE1-xai.grok-4.3-mantle-input-tokens-priority", None, "input", "priority"),
    ("Amazon Bedrock", "USE1-openai.gpt-oss-120b-mantle-input-tokens-standard", None, "input", "standard"),
    ("Claude 3.5 Haiku (Amazon Bedrock Edition)", "USE2-MP:USE2_InputTokenCount_LatencyOptimized-Units",
     "Claude 3.5 Haiku", "input", "latency"),
    ("Claude Sonnet 4.5 (Amazon Bedrock Edition)", "USE1-MP:USE1_CacheWrite1hInputTokenCount_Global-Units",
     "Claude Sonnet 4.5", "cache_write", "standard"),
    ("Claude Sonnet 4.5 (Amazon Bedrock Edition)", "USE1-MP:USE1_input_tokens_long_ctx_global_standard-Units",
     "Claude Sonnet 4.5", "input", "standard"),
    ("Claude Sonnet 4.5 (Amazon Bedrock Edition)", "USE1-MP:USE1_MillionBatchInputTokens-Units",
     "Claude Sonnet 4.5", "input", "batch"),
    # Kinds, endpoints and cache durations of the tests above: Standard.
    ("Amazon Bedrock", "USE1-NovaLite-cache-read-input-tokens", "Nova Lite", "cache_read", "standard"),
    ("Amazon Bedrock Service", "USE1-Claude4.5Sonnet-cache-write-input-token-count-1-hour", "Claude Sonnet 4.5",
     "cache_write", "standard"),
    ("Amazon Bedrock Service", "USE1-Claude4Sonnet-output-tokens-long-context-cross-region-global", "Claude Sonnet 4",
     "output", "standard"),
    ("Amazon Bedrock", "APS3-TitanEmbeddingsG1-Text-input-tokens", None, "input", "standard"),
    # Calls through a geographic cross-Region profile (us., eu., apac.): Standard, as Price List readers quote them.
    ("Amazon Bedrock", "USW2-NovaPro-input-tokens-cross-region-geo", "Nova Pro", "input", "standard"),
    ("Amazon Bedrock Service", "EUC1-Claude3.5Haiku-cache-write-input-token-count-cross-region-geo",
     "Claude 3.5 Haiku", "cache_write", "standard"),
    ("Claude Sonnet 4.5 (Amazon Bedrock Edition)", "USW2-MP:USW2_OutputTokenCount_Geo-Units", "Claude Sonnet 4.5",
     "output", "standard"),
    # No tier a source shows: reserved capacity, two tiers, latency without "optimized", a word of no source.
    ("Amazon Bedrock Service", "EU-Claude4.5Sonnet-reserved-1-month-input-tokens-per-minute-cross-region-global",
     "Claude Sonnet 4.5", "input", None),
    ("Amazon Bedrock", "USE1-NovaPro-input-tokens-flex-priority", "Nova Pro", "input", None),
    ("Amazon Bedrock", "USE1-NovaPro-input-tokens-latency", "Nova Pro", "input", None),
    ("Amazon Bedrock", "USE2-Claude3.5Haiku-input-tokens-turbo", "Claude 3.5 Haiku", "input", None),
    ("Claude 3.5 Haiku (Amazon Bedrock Edition)", "USE2-MP:USE2_InputTokenCount_Turbo-Units", "Claude 3.5 Haiku",
     "input", None),
])
def test_a_usage_type_names_its_tier_or_none(service: str, usage_type: str, name: str | None, kind: str,
                                             mode: str | None) -> None:
    parsed = parse_usage_type(service, usage_type)
    assert (parsed.model.name if parsed.model else None, parsed.kind, parsed.mode) == (name, kind, mode)
    assert parsed.batch is (mode == "batch")


@pytest.mark.parametrize(("usage_type", "batch"), [
    ("USE1-MP:USE1_Batch_InputTokenCount-Units", True),
    ("USE1-MP:USE1_OutputTokenCount_Batch-Units", True),
    ("USE1-MP:USE1_InputTokenCount_Global-Units", False),
    ("USE1-MP:USE1_CacheReadInputTokenCount-Units", False),
])
def test_a_marketplace_usage_type_bills_batch_inference_by_its_word(usage_type: str, batch: bool) -> None:
    assert parse_usage_type("Claude Sonnet 4.5 (Amazon Bedrock Edition)", usage_type).batch is batch


def test_every_table_model_is_in_the_price_book_under_its_name() -> None:
    book = PriceBook.load()
    for row in model_billing():
        assert book.display_name(row.base_id) == row.name
        assert model_for_name(row.usage_token) is row
        assert model_for_name(f"{row.name} (Amazon Bedrock Edition)") is row


def test_names_do_not_collide() -> None:
    assert model_for_name("Claude 3.5 Sonnet").base_id.endswith("20240620-v1:0")
    assert model_for_name("Claude3.5SonnetV2").base_id.endswith("20241022-v2:0")
    assert model_for_name("Claude Sonnet 4") is not model_for_name("Claude Sonnet 4.5")
    assert model_for_name("Llama 3 70B Instruct") is None


def test_every_known_region_has_a_code() -> None:
    assert set(REGION_CODES) == set(REGION_NAMES)
    assert len(set(REGION_CODES.values())) == len(REGION_CODES)


@pytest.mark.parametrize(("model_id", "key"), [
    ("us.anthropic.claude-3-haiku-20240307-v1:0", "us.anthropic.claude-3-haiku-20240307-v1:0"),
    ("arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-haiku-20240307-v1:0",
     "us.anthropic.claude-3-haiku-20240307-v1:0"),
    ("arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0", HAIKU_3),
    ("arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123", "abc123"),
    ("abc123", "abc123"),
    (None, ""),
])
def test_metric_model_key(model_id: str | None, key: str) -> None:
    assert metric_model_key(model_id) == key


def test_bedrock_services() -> None:
    assert is_bedrock_service("Amazon Bedrock")
    assert is_bedrock_service("Claude Sonnet 4.5 (Amazon Bedrock Edition)")
    assert is_bedrock_service("Amazon Bedrock Service")  # Claude Sonnet 4 and later
    assert not is_bedrock_service("Amazon Bedrock AgentCore") and not is_bedrock_service("Amazon EC2")


# From AWS's table "AWS Region billing codes" (docs.aws.amazon.com/global-infrastructure/latest/regions/
# aws-region-billing-codes.html), for regions beyond the first six.
@pytest.mark.parametrize(("code", "region"), [
    ("USE2", "us-east-2"), ("EU", "eu-west-1"), ("EUW1", "eu-west-1"), ("APS3", "ap-south-1"), ("APS5", "ap-south-2"),
    ("APS4", "ap-southeast-3"), ("APS6", "ap-southeast-4"), ("APS7", "ap-southeast-5"), ("APS9", "ap-southeast-7"),
    ("APE2", "ap-east-2"), ("CAN2", "ca-west-1"), ("MXC1", "mx-central-1"), ("ILC1", "il-central-1"),
    ("MEC1", "me-central-1"), ("MES1", "me-south-1"), ("AFS1", "af-south-1"), ("UGW1", "us-gov-west-1"),
    ("UGE1", "us-gov-east-1"),
])
def test_published_region_codes(code: str, region: str) -> None:
    assert parse_usage_type("Amazon Bedrock", f"{code}-Claude3Haiku-input-tokens").region == region


def test_every_bedrock_region_has_a_code() -> None:
    assert set(REGION_CODES) == set(BEDROCK_REGIONS)


def test_a_charge_with_an_unknown_region_code_is_listed_among_unmapped_charges() -> None:
    day = "2025-11-03"
    rows = []
    haiku_45 = "Claude Haiku 4.5 (Amazon Bedrock Edition)"
    for service, usage_type, cost in (("Amazon Bedrock", "USE1-Claude3Haiku-input-tokens", 1.25),
                                      (haiku_45, "XYZ9-MP:XYZ9_InputTokenCount-Units", 0.75),
                                      ("Amazon Bedrock", "XYZ9-Claude3Haiku-output-tokens", 0.5)):
        rows.append(charge_row(day, service, usage_type, cost))
    billed = BilledCost(pd.DataFrame(rows, columns=CHARGE_COLUMNS))
    result = reconcile(_no_facts(), _no_metrics(), billed, Period(date(2025, 11, 3), date(2025, 11, 3)), ("us-east-1",),
                       today=date(2026, 1, 1))
    unmapped = {row.usage_type: row.billed_cost_usd for row in result.unmapped_charges.itertuples()}
    assert unmapped == {"XYZ9-MP:XYZ9_InputTokenCount-Units": 0.75, "XYZ9-Claude3Haiku-output-tokens": 0.5}
    assert result.cost_by_model_day["billed_cost_usd"].sum() == 1.25  # the known charge, in us-east-1


@pytest.mark.parametrize(("service", "usage_type", "name"), [
    # Undated ids, as mantle meters name the model (the first from tests/fixtures/pricing's AmazonBedrockService).
    ("Amazon Bedrock Service", "USE1-anthropic.claude-sonnet-4-5-mantle-cache-write-tokens-1h-standard",
     "Claude Sonnet 4.5"),
    ("Amazon Bedrock Service", "USE1-anthropic.claude-haiku-4-5-mantle-input-tokens-global-standard",
     "Claude Haiku 4.5"),
    ("Amazon Bedrock Service", "USW2-anthropic.claude-opus-4-6-mantle-output-tokens-global-standard",
     "Claude Opus 4.6"),
    # Claude 5.x, whose ids the price book prices: by token (Claude{version}{Family}), id and Marketplace name.
    ("Amazon Bedrock Service", "USE1-Claude5Opus-input-tokens-cross-region-global", "Claude Opus 5"),
    ("Amazon Bedrock Service", "USE1-Claude5Sonnet-output-tokens", "Claude Sonnet 5"),
    ("Amazon Bedrock Service", "USE1-Claude5.5Haiku-cache-read-input-token-count", "Claude Haiku 5.5"),
    ("Amazon Bedrock Service", "USE1-anthropic.claude-opus-5-mantle-input-tokens-global-standard", "Claude Opus 5"),
    ("Claude Opus 5 (Amazon Bedrock Edition)", "USE1-MP:USE1_InputTokenCount-Units", "Claude Opus 5"),
    ("Claude 5.5 Sonnet (Amazon Bedrock Edition)", "USE1-MP:USE1_OutputTokenCount-Units", "Claude Sonnet 5.5"),
    # Unknown stays unmapped.
    ("Amazon Bedrock Service", "USE1-Claude5.9Opus-input-tokens", None),
    ("Amazon Bedrock Service", "USE1-anthropic.claude-opus-5-9-mantle-input-tokens-global-standard", None),
    ("Amazon Bedrock Service", "USE1-anthropic.claude-3-5-sonnet-v3-input-tokens", None),
    ("Claude Opus 5.9 (Amazon Bedrock Edition)", "USE1-MP:USE1_InputTokenCount-Units", None),
])
def test_current_claude_models_are_named(service: str, usage_type: str, name: str | None) -> None:
    parsed = parse_usage_type(service, usage_type)
    assert (parsed.model.name if parsed.model else None) == name


def test_every_claude_model_of_the_price_book_is_named_by_its_ids_and_its_marketplace_name() -> None:
    with BOOK.open(newline="", encoding="utf-8") as handle:
        named = {(row["model"], row["name"]) for row in csv.DictReader(handle) if row["provider"] == "Anthropic"}
    claude = {(model, name) for model, name in named
              if re.fullmatch(r"Claude (\d[\d.]* [A-Z][a-z]+( v2)?|[A-Z][a-z]+ \d[\d.]*)", name)}
    assert {"Claude Opus 5", "Claude Sonnet 5", "Claude Haiku 5.5", "Claude Sonnet 4.5"} <= {n for _, n in claude}
    for model, name in claude:
        parsed = parse_usage_type("Amazon Bedrock Service", f"USE1-{model}-mantle-input-tokens-global-standard")
        assert parsed.model is not None and parsed.model.name == name, model
        assert model_for_name(f"{name} (Amazon Bedrock Edition)").name == name


def test_cost_by_model_holds_every_charge_of_a_current_claude_model() -> None:
    """A review's bill: Sonnet 4.5 billed under its token and under its mantle meter, and Opus 5."""
    charges = {("Amazon Bedrock Service", "USE1-Claude4.5Sonnet-input-tokens-cross-region-global"): 0.05,
               ("Amazon Bedrock Service", "USE1-Claude4.5Sonnet-output-tokens-cross-region-global"): 0.03,
               ("Amazon Bedrock Service", "USE1-anthropic.claude-sonnet-4-5-mantle-input-tokens-global-standard"): 0.40,
               ("Amazon Bedrock Service", "USE1-Claude5Opus-input-tokens-cross-region-global"): 0.02,
               ("Amazon Bedrock", "USE1-Claude3Haiku-input-tokens"): 0.0025}
    result = _reconcile_bill(charges, date(2026, 11, 2))
    billed = result.cost_by_model_day.set_index("model")["billed_cost_usd"].to_dict()
    assert billed == pytest.approx({"Claude Sonnet 4.5": 0.05 + 0.03 + 0.40, "Claude Opus 5": 0.02,
                                    "Claude 3 Haiku": 0.0025})
    assert result.unmapped_charges.empty


def test_a_charge_with_an_unknown_region_code_counts_in_the_billed_total() -> None:
    charges = {("Amazon Bedrock", "USE1-Claude3Haiku-input-tokens"): 1.25,
               ("Amazon Bedrock Service", "APE1-Claude4.5Sonnet-input-tokens"): 1.0,
               ("Amazon Bedrock Service", "Global-Claude4.5Sonnet-input-tokens"): 2.0}
    result = _reconcile_bill(charges, date(2025, 11, 3))
    summary = result.summary()
    assert summary["billed_cost_usd"] == pytest.approx(1.25 + 1.0 + 2.0)
    assert summary["billed_without_region_usd"] == pytest.approx(1.0 + 2.0)
    assert result.by_region_day["billed_cost_usd"].sum() == pytest.approx(1.25)
    [warning] = [line for line in result.warnings if "region code is unknown" in line]
    assert "APE1-Claude4.5Sonnet-input-tokens" in warning and "Global-Claude4.5Sonnet-input-tokens" in warning
    text = reconciliation_text(result)
    assert "billed $4.25" in text and "Billed under usage types of no known region, in no region-day: $3.00" in text


def test_batch_charges_are_counted_apart_in_the_billed_total() -> None:
    on_demand = {("Amazon Bedrock Service", "USE1-Claude4.5Sonnet-input-tokens"): 1.25,
                 ("Amazon Bedrock", "USE1-Claude3Haiku-input-tokens"): 0.5}
    batch = {("Amazon Bedrock Service", "USE1-Claude4.5Sonnet-input-tokens-batch"): 0.625,
             ("Amazon Bedrock", "USE1-NovaLite-output-tokens-batch"): 0.25}
    result = _reconcile_bill({**on_demand, **batch}, date(2025, 11, 3))
    [row] = result.by_region_day.to_dict("records")
    assert row["billed_cost_usd"] == pytest.approx(sum(on_demand.values()))
    assert row["batch_billed_usd"] == pytest.approx(sum(batch.values()))
    billed = result.cost_by_model_day.set_index("model")["billed_cost_usd"].to_dict()
    assert billed == pytest.approx({"Claude Sonnet 4.5": 1.25, "Claude 3 Haiku": 0.5})
    assert result.unmapped_charges.empty  # Nova Lite's batch charge is counted apart, not as a charge of no model
    summary = result.summary()
    assert summary["billed_cost_usd"] == pytest.approx(sum(on_demand.values()) + sum(batch.values()))
    assert summary["batch_billed_usd"] == pytest.approx(sum(batch.values()))
    text = reconciliation_text(result)
    assert "Batch inference billed, in the billed total and not compared with the logs: $0.8750" in text
    assert "Batch billed (apart)" in text
    assert ("Batch inference billed $0.8750 in us-east-1 over the period; batch inference jobs write their results "
            "to the job's own S3 location, never to model invocation logs, so it is counted apart") in text
    assert "Batch billed (apart)" not in reconciliation_text(_reconcile_bill(on_demand, date(2025, 11, 3)))


def _no_metrics() -> MeteredUsage:
    return MeteredUsage(pd.DataFrame(columns=["region", "utc_day", "model_key", "metered_calls",
                                              "metered_input_tokens", "metered_output_tokens"]),
                        pd.DataFrame(columns=["region", "utc_day", "delivery_failures"]))


def _no_facts() -> pd.DataFrame:
    return pd.DataFrame(columns=["source_region", "utc_day", "model", "model_id", "calls", "errors", "input_tokens",
                                 "output_tokens", "estimated_cost_usd", "unpriced_calls"])


def _reconcile_bill(charges: dict[tuple[str, str], float], day: date) -> Reconciliation:
    """``reconcile`` of one us-east-1 day without logs or metrics, over Cost Explorer charges given as
    (service, usage type) -> cost, each read by ``charge_row`` as ``billed_cost`` reads them."""
    rows = [charge_row(day.isoformat(), service, usage_type, cost) for (service, usage_type), cost in charges.items()]
    return reconcile(_no_facts(), _no_metrics(), BilledCost(pd.DataFrame(rows, columns=CHARGE_COLUMNS)),
                     Period(day, day), ("us-east-1",), today=date(day.year + 1, 1, 1))
