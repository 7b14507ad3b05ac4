"""The price book against published figures (AWS pricing page, the reference table, the seeds' validation report)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from bedrock_usage.errors import UsageError
from bedrock_usage.pricing import PriceBook, PriceRow, Quote, parse_model_id
from bedrock_usage.pricing.book import BUILTIN_BOOK

DAY = date(2025, 11, 1)
SONNET_45 = "anthropic.claude-sonnet-4-5-20250929-v1:0"
PUBLISHED = json.loads((Path(__file__).parents[1] / "fixtures" / "pricing" / "published_prices.json").read_text())
RATE_ORDER = PUBLISHED["rate_order"]


@pytest.fixture(scope="module")
def book() -> PriceBook:
    return PriceBook.load()


def cost(book: PriceBook, model_id: str, region: str, day: date, input_tokens: int, output_tokens: int) -> float:
    quote = book.quote(model_id, region, day)
    assert quote is not None, model_id
    return input_tokens * quote.row.input / 1000 + output_tokens * quote.row.output / 1000


def test_seed_validation_figure(book: PriceBook) -> None:
    # The seeds' report: Claude 3.7 Sonnet in us-east-1, 506 input + 4,576 output tokens = $0.070158.
    value = cost(book, "us.anthropic.claude-3-7-sonnet-20250219-v1:0", "us-east-1", DAY, 506, 4576)
    assert value == pytest.approx(0.070158, abs=1e-9)


@pytest.mark.parametrize("region", ["us-east-1", "eu-central-1", "ap-northeast-2"])
def test_sonnet_45_geo_costs_exactly_1_1x_global(book: PriceBook, region: str) -> None:
    prefix = {"us": "us", "eu": "eu", "ap": "apac"}[region[:2]]
    geo = book.quote(f"{prefix}.{SONNET_45}", region, DAY)
    world = book.quote(f"global.{SONNET_45}", region, DAY)
    bare = book.quote(SONNET_45, region, DAY)
    assert geo and world and bare
    assert geo.row.family == bare.row.family == "regional" and world.row.family == "global"
    for field in ("input", "output", "cache_write_5m", "cache_write_1h", "cache_read"):
        assert getattr(geo.row, field) == pytest.approx(1.1 * getattr(world.row, field), rel=1e-12)
    assert world.row.input == 0.003 and world.row.output == 0.015


def _published_cases() -> list[tuple[str, str, str]]:
    cases = []
    for model, table in PUBLISHED["models"].items():
        for family in table:
            if family in ("regional", "global", "govcloud"):
                cases.append((model, family, "us-gov-west-1" if family == "govcloud" else "us-east-1"))
        for region in table.get("regions", {}):
            cases.append((model, "regional", region))
    return cases


@pytest.mark.parametrize(("model", "family", "region"), _published_cases())
def test_every_published_figure(book: PriceBook, model: str, family: str, region: str) -> None:
    """Each model, family and region of the published table costs what the published source says."""
    table = PUBLISHED["models"][model]
    expected = table.get("regions", {}).get(region) or table[family]
    model_id = f"global.{model}" if family == "global" else model
    quote = book.quote(model_id, region, DAY)
    assert quote is not None, (model, family, region)
    for name, value in zip(RATE_ORDER, expected, strict=True):
        if value is not None:
            assert getattr(quote.row, name) == pytest.approx(value, rel=1e-9), (model, region, name)


def test_corrections_the_reference_table_names(book: PriceBook) -> None:
    # Claude 3 Sonnet never had prompt caching on Bedrock: a second source's cache rates would price its cache tokens
    sonnet_3 = book.quote("anthropic.claude-3-sonnet-20240229-v1:0", "us-east-1", DAY)
    assert sonnet_3 and sonnet_3.row.cache_write_5m is None and sonnet_3.row.cache_read is None
    # Claude Haiku 4.5's alias costs what its dated id costs: regional 1.1x global (an alias row had global rates)
    published = PUBLISHED["models"]["anthropic.claude-haiku-4-5-20251001-v1:0"]["regional"]
    for model_id in ("anthropic.claude-haiku-4-5", "us.anthropic.claude-haiku-4-5-20251001-v1:0"):
        quote = book.quote(model_id, "us-east-1", DAY)
        assert quote and [getattr(quote.row, name) for name in RATE_ORDER] == pytest.approx(published), model_id
    # Different models never share a name, so the model table never adds one's calls to another's
    assert book.display_name("anthropic.claude-v1") != book.display_name("anthropic.claude-v2:1")
    titan = ("amazon.titan-image-generator-v1", "amazon.titan-image-generator-v2:0")
    assert book.display_name(titan[0]) != book.display_name(titan[1])


# Regional rates in LiteLLM 1.110.2 (model_prices_and_context_window_backup.json, bedrock/ap-southeast-3/{model} and
# bedrock/us-east-1/{model}; AWS pricing page): Jakarta (ap-southeast-3) costs more than the US. USD per 1K tokens,
# (standard input, output, flex input, output).
JAKARTA = {
    "deepseek.v3.2": (0.00074, 0.00222, 0.00037, 0.00111),
    "moonshotai.kimi-k2.5": (0.00072, 0.0036, 0.00036, 0.0018),
    "minimax.minimax-m2.1": (0.00036, 0.00144, 0.00018, 0.00072),
    "minimax.minimax-m2.5": (0.00036, 0.00144, 0.00018, 0.00072),
    "qwen.qwen3-coder-next": (0.0006, 0.00144, 0.0003, 0.00072),
}


@pytest.mark.parametrize("model", sorted(JAKARTA))
def test_jakarta_calls_take_jakarta_rates_never_the_us_ones(book: PriceBook, model: str) -> None:
    standard = book.quote(model, "ap-southeast-3", DAY)
    flex = book.quote(model, "ap-southeast-3", DAY, mode="flex")
    us = book.quote(model, "us-east-1", DAY)
    assert standard and flex and us
    assert (standard.row.input, standard.row.output, flex.row.input, flex.row.output) == JAKARTA[model]
    assert standard.row.input > us.row.input


# Ids that name one model: an alias and its dated id, and the id Bedrock Runtime takes (logged) beside the id of the
# bedrock-mantle endpoint (AWS's model cards as quoted in models.dev PR #1637, opencode #5548, braintrust-proxy #629
# and #550; LiteLLM's bedrock_mantle/ entries).
ONE_MODEL = [
    ("anthropic.claude-haiku-4-5-20251001-v1:0", "anthropic.claude-haiku-4-5"),
    ("anthropic.claude-opus-4-5-20251101-v1:0", "anthropic.claude-opus-4-5-v1:0"),
    ("moonshot.kimi-k2-thinking", "moonshotai.kimi-k2-thinking"),
    ("qwen.qwen3-coder-30b-a3b-v1:0", "qwen.qwen3-coder-30b-a3b-instruct"),
    ("qwen.qwen3-coder-480b-a35b-v1:0", "qwen.qwen3-coder-480b-a35b-instruct"),
    ("qwen.qwen3-vl-235b-a22b", "qwen.qwen3-vl-235b-a22b-instruct"),
    ("qwen.qwen3-next-80b-a3b", "qwen.qwen3-next-80b-a3b-instruct"),
    ("openai.gpt-oss-120b-1:0", "openai.gpt-oss-120b"),
    ("openai.gpt-oss-20b-1:0", "openai.gpt-oss-20b"),
]


@pytest.mark.parametrize("ids", ONE_MODEL, ids=lambda ids: ids[0])
def test_the_ids_of_one_model_have_the_same_rows(book: PriceBook, ids: tuple[str, str]) -> None:
    logged, twin = ids
    rows = [{replace(r, model="") for r in book.rows if r.model == model} for model in ids]
    assert rows[0] == rows[1] != set(), ids
    assert book.display_name(logged) == book.display_name(twin)


# The reviewer's calls, priced under the id Bedrock Runtime logs. USD per 1K tokens (input, output).
# Kimi K2 Thinking in São Paulo: $0.73 / $3.03 per 1M (AWS's model card, as LiteLLM 1.110.2 bedrock/sa-east-1/ quotes
# it); Flex at half the Standard $0.60 / $2.50 (aws.amazon.com/bedrock/pricing, service tiers). Qwen3 Coder 30B: $0.15 /
# $0.60 per 1M (genai-prices 0.2.5, LiteLLM), Flex half; Qwen3 Coder 480B: $0.45 / $1.80, Priority 1.75x; Qwen3 VL
# 235B Flex $0.26 / $1.33 per 1M (the AWS Price List as LiteLLM's bedrock_mantle/ entry quotes it: half of $0.53, cut).
LOGGED_CALLS = [
    ("moonshot.kimi-k2-thinking", "sa-east-1", "standard", (0.00073, 0.00303)),
    ("moonshot.kimi-k2-thinking", "us-east-1", "flex", (0.5 * 0.0006, 0.5 * 0.0025)),
    ("qwen.qwen3-coder-30b-a3b-v1:0", "us-west-2", "flex", (0.5 * 0.00015, 0.5 * 0.0006)),
    ("qwen.qwen3-coder-480b-a35b-v1:0", "us-west-2", "priority", (1.75 * 0.00045, 1.75 * 0.0018)),
    ("qwen.qwen3-vl-235b-a22b", "us-east-1", "flex", (0.00026, 0.00133)),
]


@pytest.mark.parametrize(("model", "region", "mode", "expected"), LOGGED_CALLS)
def test_a_call_under_the_logged_id_takes_its_models_rate(book: PriceBook, model: str, region: str, mode: str,
                                                         expected: tuple[float, float]) -> None:
    quote = book.quote(model, region, DAY, mode=mode)
    assert quote is not None and (quote.row.input, quote.row.output) == pytest.approx(expected, rel=1e-9)


def test_claude_haiku_45_alias_takes_the_govcloud_rates() -> None:
    # GovCloud 1.2x the global $1 / $5 (reference table); a 1-hour cache write is 2x input (reference README):
    # $2.40 per 1M, LiteLLM 1.110.2 bedrock/us-gov-{east,west}-1/anthropic.claude-haiku-4-5-20251001-v1:0
    book = PriceBook.load()
    for region in ("us-gov-east-1", "us-gov-west-1"):
        quote = book.quote("anthropic.claude-haiku-4-5", region, DAY)
        assert quote and (quote.row.input, quote.row.output, quote.row.cache_write_1h) == pytest.approx(
            (0.0012, 0.006, 2 * 0.0012)), region


# The reference table (shared/reference/pricing/consolidated_bedrock_claude.csv), USD per 1K tokens in RATE_ORDER.
# Claude 3.5 Sonnet v2 from 2025-12-01: Public Extended Access, 2x (Helicone PR #5709 quoting AWS's pricing page),
# in every region of the family, EU included.
SONNET_35_V2_EXTENDED = [0.006, 0.03, 0.0075, None, 0.0006]
# Claude Haiku 4.5: geo profiles and in-region ids 1.1x the global. price (AWS Price List USE1-MP:USE1_InputTokenCount-
# Units $1.10/M); its alias anthropic.claude-haiku-4-5 costs what the dated id costs.
HAIKU_45 = {"regional": [0.0011, 0.0055, 0.001375, 0.0022, 0.00011], "global": [0.001, 0.005, 0.00125, 0.002, 0.0001]}
HAIKU_45_BATCH = {"regional": (0.00055, 0.00275), "global": (0.0005, 0.0025)}


def _rates(quote: Quote | None) -> list[float | None]:
    assert quote is not None
    return [getattr(quote.row, name) for name in RATE_ORDER]


@pytest.mark.parametrize("region", ["eu-west-1", "eu-central-1", "eu-south-2", "us-east-1", "ap-northeast-1"])
def test_claude_35_sonnet_v2_extended_access_in_every_region(book: PriceBook, region: str) -> None:
    model = "anthropic.claude-3-5-sonnet-20241022-v2:0"
    geo = {"eu": "eu.", "us": "us.", "ap": "apac."}[region[:2]]
    for model_id in (model, geo + model):
        assert _rates(book.quote(model_id, region, date(2025, 12, 1))) == SONNET_35_V2_EXTENDED, model_id
        assert _rates(book.quote(model_id, region, date(2026, 11, 1))) == SONNET_35_V2_EXTENDED, model_id
        batch = book.quote(model_id, region, date(2025, 12, 1), batch=True)
        assert batch and (batch.row.input, batch.row.output) == (0.003, 0.015)
        before = book.quote(model_id, region, date(2025, 11, 30))
        assert before and (before.row.input, before.row.output) == (0.003, 0.015)


@pytest.mark.parametrize("region", ["us-east-1", "eu-west-1", "ap-southeast-3", "ap-northeast-1"])
def test_claude_haiku_45_alias_costs_what_its_dated_id_costs(book: PriceBook, region: str) -> None:
    for model in ("anthropic.claude-haiku-4-5", "anthropic.claude-haiku-4-5-20251001-v1:0"):
        for family, prefixes in (("regional", ("", "us.", "eu.", "apac.")), ("global", ("global.",))):
            for prefix in prefixes:
                assert _rates(book.quote(prefix + model, region, DAY)) == HAIKU_45[family], (prefix + model)
                batch = book.quote(prefix + model, region, DAY, batch=True)
                assert batch and (batch.row.input, batch.row.output) == HAIKU_45_BATCH[family], (prefix + model)


@pytest.mark.parametrize("region", ["us-east-1", "eu-west-1", "ap-northeast-1"])
def test_claude_3_sonnet_has_no_cache_rates(book: PriceBook, region: str) -> None:
    # Reference table: "genai-prices also lists cache 0.00375/0.0003 (Claude 3 Sonnet never had caching on Bedrock -
    # treat as spurious)"; input and output 0.003 / 0.015.
    for prefix in ("", "us.", "eu.", "apac."):
        assert _rates(book.quote(f"{prefix}anthropic.claude-3-sonnet-20240229-v1:0", region, DAY)) == [
            0.003, 0.015, None, None, None]


def test_nova_eu_and_apac_rates_differ_from_us(book: PriceBook) -> None:
    nova = PUBLISHED["models"]["amazon.nova-lite-v1:0"]
    calls = (("eu.amazon.nova-lite-v1:0", "eu-west-1"), ("apac.amazon.nova-lite-v1:0", "ap-northeast-2"),
             ("amazon.nova-lite-v1:0", "eu-central-1"))
    for model_id, region in calls:
        quote = book.quote(model_id, region, DAY)
        assert quote and quote.row.region == region and quote.row.input == nova["regions"][region][0]
    us = book.quote("us.amazon.nova-lite-v1:0", "us-west-2", DAY)
    assert us and us.row.region == "*" and us.row.input == nova["regional"][0] != nova["regions"]["eu-west-1"][0]


def test_claude_35_sonnet_v2_price_change_on_2025_12_01(book: PriceBook) -> None:
    model = "anthropic.claude-3-5-sonnet-20241022-v2:0"
    before = book.quote(model, "us-west-2", date(2025, 11, 30))
    after = book.quote(model, "us-west-2", date(2025, 12, 1))
    assert before and after
    assert (before.row.input, before.row.output) == (0.003, 0.015)
    assert (after.row.input, after.row.output) == (0.006, 0.03)
    assert "disagree" in after.row.source  # LiteLLM and genai-prices still list the old price


def test_context_tiers(book: PriceBook) -> None:
    quote = book.quote(f"global.{SONNET_45}", "us-east-1", DAY, long_context=True)
    assert quote and (quote.row.tier, quote.row.input, quote.row.output) == ("above_200k", 0.006, 0.0225)
    haiku = book.quote("anthropic.claude-haiku-4-5-20251001-v1:0", "us-east-1", DAY, long_context=True)
    assert haiku and haiku.row.tier == "base"  # no long-context tier: the base price applies
    # GPT-6 Astra's model card: above 272K input tokens, input is 2x and output 1.5x the base price.
    astra = "global.openai.gpt-6-astra"
    base = book.quote(astra, "us-east-1", date(2026, 11, 1), context_tokens=272_000)
    above = book.quote(astra, "us-east-1", date(2026, 11, 1), context_tokens=272_001)
    assert base and above and (base.row.tier, above.row.tier) == ("base", "above_272k")
    assert above.row.input == pytest.approx(2 * base.row.input) and above.row.output == pytest.approx(
        1.5 * base.row.output)


def test_batch_flex_and_priority_rows(book: PriceBook) -> None:
    batch = book.quote(f"global.{SONNET_45}", "us-east-1", DAY, batch=True)
    assert batch and (batch.row.input, batch.row.output) == (0.0015, 0.0075)
    modes = {row.mode for row in book.table(model="amazon.nova-pro-v1:0")}
    assert {"standard", "batch", "flex", "priority"} <= modes


def test_latency_optimized_rows_are_the_published_us_east_ohio_rates(capsys: pytest.CaptureFixture[str]) -> None:
    """USD per 1K tokens: Claude 3.5 Haiku's from the consolidated Claude table's note ("latency-optimized (us-east-2)
    is 0.001/0.005"), the others from the Amazon Bedrock pricing page's "w/ latency optimized inference" rows (as
    copied on 2025-07-20 in convo-lang/convo-lang, packages/convo-lang-bedrock/bedrock-pricing.md); no cache rate is
    published for any of them."""
    import pricing

    assert pricing.main(["--mode", "latency", "--format", "json"]) == 0
    listed = {(r["model"], r["family"], r["region"]): (r["input"], r["output"], r["cache_read"], r["cache_write_5m"])
              for r in json.loads(capsys.readouterr().out)["prices"]}
    assert listed == {
        ("anthropic.claude-3-5-haiku-20241022-v1:0", "regional", "us-east-2"): (0.001, 0.005, None, None),
        ("amazon.nova-pro-v1:0", "regional", "us-east-2"): (0.001, 0.004, None, None),
        ("meta.llama3-1-70b-instruct-v1:0", "regional", "us-east-2"): (0.0009, 0.0009, None, None),
        ("meta.llama3-1-405b-instruct-v1:0", "regional", "us-east-2"): (0.003, 0.003, None, None),
    }
    assert pricing.main(["--mode", "latency", "--region", "us-west-2"]) == 1  # no rate published for Oregon
    assert "no price rows match" in capsys.readouterr().err


# Batch rates of the Amazon Bedrock pricing page ("Price per 1,000 input / output tokens (batch)", as copied on
# 2025-07-20 in convo-lang/convo-lang, packages/convo-lang-bedrock/bedrock-pricing.md), for models whose in-region
# batch rate neither LiteLLM nor genai-prices gives. USD per 1K tokens (input, output); the copy names no Region.
PAGE_BATCH = {
    "anthropic.claude-3-5-sonnet-20240620-v1:0": (0.0015, 0.0075),  # "Claude 3.5 Sonnet"
    "meta.llama3-1-405b-instruct-v1:0": (0.0012, 0.0012),  # "Llama 3.1 Instruct (405B)"
}


@pytest.mark.parametrize("model", sorted(PAGE_BATCH))
def test_batch_rates_of_the_pricing_page(capsys: pytest.CaptureFixture[str], book: PriceBook, model: str) -> None:
    import pricing

    assert pricing.main(["--model", model, "--mode", "batch", "--family", "regional", "--date", "2025-07-20",
                         "--format", "json"]) == 0
    listed = [(r["model"], r["region"], r["input"], r["output"]) for r in json.loads(capsys.readouterr().out)["prices"]]
    assert listed == [(model, "*", *PAGE_BATCH[model])]
    quote = book.quote(model, "us-west-2", date(2025, 7, 20), batch=True)
    assert quote and (quote.row.input, quote.row.output) == PAGE_BATCH[model]


def test_govcloud_prices(book: PriceBook) -> None:
    quote = book.quote("anthropic.claude-3-haiku-20240307-v1:0", "us-gov-west-1", DAY)
    assert quote and quote.row.family == "govcloud" and quote.row.input == 0.0003
    # The reference table's GovCloud Sonnet 4.5 row, with its >200K tier (AWS page via LiteLLM issue #27120).
    long = book.quote(f"us-gov.{SONNET_45}", "us-gov-west-1", DAY, long_context=True)
    assert long and (long.row.tier, long.row.input, long.row.output) == ("above_200k", 0.0072, 0.027)


@pytest.mark.parametrize("region", ["us-gov-east-1", "us-gov-west-1"])
def test_govcloud_llama_3_8b_output_is_its_own_rate_never_the_70b_input_rate(book: PriceBook, region: str) -> None:
    # $0.30 / $0.60 per 1M tokens in both GovCloud regions: the AWS offer file as LiteLLM's regression test reads it
    # (BerriAI/litellm tests/test_litellm/test_bedrock_usgov_pricing.py at 041a19d5,
    # test_usgov_llama3_8b_output_price_fixed) and the AWS model card LiteLLM 1.110.2 cites for us-gov-west-1.
    # LiteLLM 1.110.2's us-gov-east-1 output, 0.00265 per 1K, is Llama 3 70B's input rate.
    quote = book.quote("meta.llama3-8b-instruct-v1:0", region, DAY)
    assert quote and quote.row.family == "govcloud" and quote.row.region == region
    assert (quote.row.input, quote.row.output) == (0.0003, 0.0006)
    assert cost(book, "meta.llama3-8b-instruct-v1:0", region, DAY, 10_000, 10_000) == pytest.approx(0.009, abs=1e-12)
    if region == "us-gov-east-1":
        assert "LiteLLM 1.110.2 0.00265 disagree" in quote.row.source


@pytest.mark.parametrize(("model_id", "region"), [
    ("amazon.titan-embed-text-v2:0", "us-gov-east-1"), ("amazon.titan-embed-text-v2:0", "us-gov-west-1"),
    ("amazon.titan-text-express-v1", "us-gov-east-1"), ("amazon.titan-text-express-v1", "us-gov-west-1"),
    ("cohere.command-text-v14", "us-east-1"),
])
def test_rows_one_source_gives_against_another_say_they_are_open(book: PriceBook, model_id: str, region: str) -> None:
    # LiteLLM alone prices these, and its own history or another copy of AWS's page contradicts it: the row keeps the
    # figure and says so, until AWS's list (pricing.py --refresh) settles it.
    quote = book.quote(model_id, region, DAY)
    assert quote and "| open: " in quote.row.source


def test_units_other_than_tokens(book: PriceBook) -> None:
    assert book.units("amazon.titan-embed-text-v2:0") == {"tokens"}
    embed = book.quote("amazon.titan-embed-text-v2:0", "us-east-1", DAY)
    assert embed and embed.row.input == 0.00002 and embed.row.output is None
    assert book.units("amazon.nova-canvas-v1:0") == {"image"}
    canvas = book.quote("amazon.nova-canvas-v1:0", "us-east-1", DAY, tier="image_2048_premium")
    assert canvas and canvas.row.per_unit == PUBLISHED["images"]["amazon.nova-canvas-v1:0"]["2048/premium"]
    reel = book.quote("amazon.nova-reel-v1:1", "us-east-1", DAY, tier="video_720")
    assert reel and reel.row.per_unit == PUBLISHED["video_per_second"]["amazon.nova-reel-v1:1"]
    rerank = book.quote("amazon.rerank-v1:0", "us-west-2", DAY, tier="base")
    assert rerank and rerank.row.unit == "query" and rerank.row.per_unit == 0.001
    sonic = book.quote("amazon.nova-sonic-v1:0", "us-east-1", DAY)
    assert sonic and sonic.row.audio_input and sonic.row.audio_output


def test_every_family_of_the_issue_has_rows(book: PriceBook) -> None:
    providers = {row.provider for row in book.rows}
    assert {"Amazon", "Anthropic", "Meta", "Mistral AI", "Cohere", "AI21 Labs", "DeepSeek", "OpenAI", "Qwen",
            "Stability AI", "Writer"} <= providers
    for model_id in ("anthropic.claude-opus-4-6-v1", "amazon.titan-text-express-v1", "cohere.command-r-plus-v1:0",
                     "ai21.jamba-1-5-mini-v1:0", "deepseek.r1-v1:0", "openai.gpt-oss-20b-1:0", "qwen.qwen3-32b-v1:0",
                     "mistral.mistral-large-2407-v1:0", "meta.llama4-maverick-17b-instruct-v1:0"):
        assert book.quote(model_id, "us-west-2", date(2026, 11, 1)) is not None, model_id


def test_every_row_names_its_sources_and_date() -> None:
    with BUILTIN_BOOK.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) > 500
    assert all(row["source"] and date.fromisoformat(row["checked"]) for row in rows)


@pytest.mark.parametrize(
    "model_id",
    [
        "meta.llama9-imaginary-v1:0",
        "anthropic.claude-9-imaginary-v1:0",
        "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6",
        "arn:aws:bedrock:us-east-1:123456789012:provisioned-model/abc",
        "arn:aws:bedrock:us-east-1:123456789012:default-prompt-router/anthropic.claude:1",
        "",
    ],
)
def test_unknown_models_are_unpriced_never_priced_as_another(book: PriceBook, model_id: str) -> None:
    assert book.quote(model_id, "us-east-1", DAY) is None


def test_unknown_or_china_region_is_unpriced(book: PriceBook) -> None:
    assert book.quote("anthropic.claude-3-haiku-20240307-v1:0", "cn-north-1", DAY) is None
    assert book.quote("anthropic.claude-3-haiku-20240307-v1:0", "not-a-region", DAY) is None


def test_a_model_without_a_global_row_is_unpriced_through_global(book: PriceBook) -> None:
    assert book.quote("global.anthropic.claude-3-haiku-20240307-v1:0", "us-east-1", DAY) is None


@pytest.mark.parametrize(
    ("model_id", "base", "endpoint"),
    [
        (SONNET_45, SONNET_45, "in-region"),
        (f"us.{SONNET_45}", SONNET_45, "geo"),
        (f"apac.{SONNET_45}", SONNET_45, "geo"),
        ("in.moonshotai.kimi-k3", "moonshotai.kimi-k3", "geo"),
        (f"global.{SONNET_45}", SONNET_45, "global"),
        (f"arn:aws:bedrock:us-east-1:123456789012:inference-profile/global.{SONNET_45}", SONNET_45, "global"),
        (f"arn:aws:bedrock:us-east-1::foundation-model/{SONNET_45}", SONNET_45, "in-region"),
        ("anthropic.claude-3-haiku-20240307-v1:0:200k", "anthropic.claude-3-haiku-20240307-v1:0", "in-region"),
        ("arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/x1", None, "application-profile"),
        ("arn:aws:bedrock:us-east-1:123456789012:provisioned-model/a1b2c3d4e5f6", None, "provisioned"),
        ("arn:aws:bedrock:us-east-1:123456789012:imported-model/a1b2c3d4e5f6", None, "imported"),
        ("arn:aws:bedrock:us-east-1:123456789012:custom-model-deployment/a1b2c3d4e5f6", None, "custom-deployment"),
        ("arn:aws:sagemaker:us-east-1:123456789012:endpoint/my-llama", None, "marketplace"),
        # a prompt router's call is priced at the model its logged response names (tests/report/test_prompt_routers.py)
        ("arn:aws:bedrock:us-east-1:123456789012:default-prompt-router/anthropic.claude:1", None, "prompt-router"),
        ("arn:aws-us-gov:bedrock:us-gov-west-1:123456789012:prompt-router/k3x9pq2rtz7w", None, "prompt-router"),
    ],
)
def test_model_id_forms(model_id: str, base: str | None, endpoint: str) -> None:
    ref = parse_model_id(model_id)
    assert (ref.base_id, ref.endpoint) == (base, endpoint)


def test_every_form_of_one_model_reaches_one_row(book: PriceBook) -> None:
    forms = [
        "global.anthropic.claude-opus-4-6-v1",
        "global.anthropic.claude-opus-4-6-v1:0",
        "arn:aws:bedrock:us-east-1:123456789012:inference-profile/global.anthropic.claude-opus-4-6-v1",
        "arn:aws:bedrock:us-east-1:123456789012:inference-profile/global.anthropic.claude-opus-4-6-v1:0",
    ]
    rows = {book.quote(form, "us-east-1", date(2026, 11, 1)).row for form in forms}
    assert len(rows) == 1
    regional = {book.quote(form, "eu-west-1", date(2026, 11, 1)).row for form in
                ("eu.anthropic.claude-opus-4-6-v1:0", "anthropic.claude-opus-4-6-v1",
                 "arn:aws:bedrock:eu-west-1::foundation-model/anthropic.claude-opus-4-6-v1:0")}
    assert len(regional) == 1 and next(iter(regional)).family == "regional"
    # Version suffixes other than the first name other models: Titan Text Embeddings v1 is not v2.
    v1 = book.quote("amazon.titan-embed-text-v1", "us-east-1", DAY)
    v2 = book.quote("amazon.titan-embed-text-v2:0", "us-east-1", DAY)
    assert v1 and v2 and v1.row.model != v2.row.model and v1.row.input != v2.row.input


@pytest.mark.parametrize(("name", "text"), [
    ("prices.json", '{"prices": []}'), ("prices.json", "[]"), ("prices.toml", "prices = []"), ("prices.csv", ""),
    ("prices.csv", "model_id,input_per_1k,output_per_1k\n"),  # a header only, and not the book's columns
])
def test_a_price_file_without_a_row_is_refused_not_taken_as_list_prices(tmp_path: Path, name: str,
                                                                        text: str) -> None:
    """Such a file priced every call at list prices, exit 0, while the user took the figures for their own."""
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(UsageError, match="holds no price rows"):
        PriceBook.load(path)


def test_override_file_json_adds_and_replaces(tmp_path, monkeypatch) -> None:
    path = tmp_path / "prices.json"
    path.write_text(json.dumps({"prices": [
        {"model": "example.private-model-v1:0", "name": "Private", "input": 0.00075, "output": 0.001},
        {"model": "anthropic.claude-3-haiku-20240307-v1:0", "name": "Claude 3 Haiku", "input": 0.0002,
         "output": 0.001, "source": "negotiated"},
    ]}))
    book = PriceBook.load(path)
    private = book.quote("example.private-model-v1:0", "us-west-2", DAY)
    haiku = book.quote("us.anthropic.claude-3-haiku-20240307-v1:0", "us-east-1", DAY)
    assert private and private.row.input == 0.00075
    assert haiku and (haiku.row.input, haiku.row.source) == (0.0002, "negotiated")
    monkeypatch.setenv("BEDROCK_USAGE_PRICES", str(path))
    env_book = PriceBook.load()
    assert env_book.quote("example.private-model-v1:0", "us-west-2", DAY) is not None


def test_a_users_row_without_provider_or_name_takes_the_books(tmp_path) -> None:
    """One provider, one spelling: the book says ``Anthropic``, so a negotiated row of a Claude model (its id's
    ``-v1`` form included) lists under it too, never under a second ``anthropic``."""
    with BUILTIN_BOOK.open(newline="", encoding="utf-8") as handle:
        shipped = {row["model"]: (row["provider"], row["name"]) for row in csv.DictReader(handle)}
    path = tmp_path / "prices.json"
    path.write_text(json.dumps({"prices": [
        {"model": "anthropic.claude-3-haiku-20240307-v1:0", "input": 0.0002, "output": 0.001},
        {"model": "anthropic.claude-opus-4-6-v1:0", "family": "global", "input": 0.004, "output": 0.02},
        {"model": "example.private-model-v1:0", "input": 0.00075, "output": 0.001},
        {"model": "meta.llama3-70b-instruct-v1:0", "provider": "Meta (reseller)", "name": "L3", "input": 0.002,
         "output": 0.003},
    ]}))
    own = {row.model: (row.provider, row.name) for row in PriceBook.load(path).rows if row.own}
    assert own == {"anthropic.claude-3-haiku-20240307-v1:0": shipped["anthropic.claude-3-haiku-20240307-v1:0"],
                   "anthropic.claude-opus-4-6-v1": shipped["anthropic.claude-opus-4-6-v1"],  # the book's id
                   "example.private-model-v1:0": ("example", "example.private-model-v1:0"),
                   "meta.llama3-70b-instruct-v1:0": ("Meta (reseller)", "L3")}
    assert {row.provider for row in PriceBook.load(path).table(provider="anthropic")} == {"Anthropic"}


HAIKU_3 = "anthropic.claude-3-haiku-20240307-v1:0"
NOVA_LITE = "amazon.nova-lite-v1:0"


def _builtin_rates(model: str, region: str, day: date) -> tuple[float, float]:
    """(input, output) of the shipped CSV's standard base row of ``model`` for ``region`` (else ``*``) on ``day``."""
    with BUILTIN_BOOK.open(newline="") as handle:
        rows = [row for row in csv.DictReader(handle)
                if (row["model"], row["family"], row["mode"], row["tier"], row["unit"]) == (
                    model, "regional", "standard", "base", "tokens")
                and (not row["effective_from"] or date.fromisoformat(row["effective_from"]) <= day)
                and (not row["effective_to"] or day < date.fromisoformat(row["effective_to"]))]
    (chosen,) = [row for row in rows if row["region"] == region] or [row for row in rows if row["region"] == "*"]
    return float(chosen["input"]), float(chosen["output"])


def test_a_dated_price_of_the_users_file_applies_from_its_day(tmp_path) -> None:
    """A negotiated price from 2025-12-01 prices the calls of that day on; the list price the days before."""
    path = tmp_path / "prices.json"
    path.write_text(json.dumps({"prices": [{"model": HAIKU_3, "input": 0.0002, "output": 0.001,
                                            "effective_from": "2025-12-01"}]}))
    book = PriceBook.load(path)
    before, after = date(2025, 11, 30), date(2025, 12, 2)
    assert _builtin_rates(HAIKU_3, "us-east-1", after) != (0.0002, 0.001)  # the file really changes the price
    for day, rates in ((before, _builtin_rates(HAIKU_3, "us-east-1", before)), (after, (0.0002, 0.001))):
        quote = book.quote(f"us.{HAIKU_3}", "us-east-1", day)
        assert quote and (quote.row.input, quote.row.output) == rates, day
    listed = book.table("us-east-1", after, model=HAIKU_3, mode="standard")
    assert [(row.input, row.output) for row in listed] == [(0.0002, 0.001)]  # the superseded list price is not shown


def test_of_the_users_rows_in_force_the_one_that_started_last_applies(tmp_path) -> None:
    """An open-ended negotiated price and a lower one agreed from 2026-01-01, in one file."""
    path = tmp_path / "prices.json"
    path.write_text(json.dumps({"prices": [
        {"model": HAIKU_3, "input": 0.0002, "output": 0.001},
        {"model": HAIKU_3, "input": 0.00015, "output": 0.00075, "effective_from": "2026-01-01"},
    ]}))
    book = PriceBook.load(path)
    for day, rates in ((date(2025, 12, 31), (0.0002, 0.001)), (date(2026, 1, 1), (0.00015, 0.00075))):
        quote = book.quote(HAIKU_3, "us-east-1", day)
        assert quote and (quote.row.input, quote.row.output) == rates, day


def test_a_users_price_with_an_end_applies_through_the_day_before_it(tmp_path) -> None:
    """A promotional price for November (``effective_to`` 2025-12-01, the first day it no longer applies): the list
    price before and after it."""
    path = tmp_path / "prices.json"
    path.write_text(json.dumps({"prices": [{"model": HAIKU_3, "input": 0.0001, "output": 0.0005,
                                            "effective_from": "2025-11-01", "effective_to": "2025-12-01"}]}))
    book = PriceBook.load(path)
    for day in (date(2025, 10, 31), date(2025, 11, 1), date(2025, 11, 30), date(2025, 12, 1)):
        promoted = date(2025, 11, 1) <= day < date(2025, 12, 1)
        quote = book.quote(HAIKU_3, "us-east-1", day)
        expected = (0.0001, 0.0005) if promoted else _builtin_rates(HAIKU_3, "us-east-1", day)
        assert quote and (quote.row.input, quote.row.output) == expected, day


def test_the_users_price_for_every_region_applies_where_the_book_has_a_regions_own(tmp_path) -> None:
    """Nova Lite has its own EU and Asia Pacific rows in the book; a user's row without a region is meant for every
    Region, so it prices the calls there too. A user's row for one Region goes before the user's row for all."""
    path = tmp_path / "prices.json"
    path.write_text(json.dumps({"prices": [
        {"model": NOVA_LITE, "input": 0.00003, "output": 0.00012},
        {"model": NOVA_LITE, "region": "eu-west-1", "input": 0.00004, "output": 0.00016},
    ]}))
    book = PriceBook.load(path)
    assert _builtin_rates(NOVA_LITE, "eu-central-1", DAY) != _builtin_rates(NOVA_LITE, "us-east-1", DAY)
    expected = {"us-east-1": (0.00003, 0.00012), "eu-central-1": (0.00003, 0.00012),
                "ap-northeast-1": (0.00003, 0.00012), "eu-west-1": (0.00004, 0.00016)}
    for region, rates in expected.items():
        quote = book.quote(NOVA_LITE, region, DAY)
        assert quote and (quote.row.input, quote.row.output) == rates, region


def test_an_image_tier_override_replaces_the_image_row(tmp_path) -> None:
    """A row naming an image tier is an image row, unit or not: it replaces the built-in one."""
    path = tmp_path / "prices.json"
    path.write_text(json.dumps({"prices": [
        {"model": "amazon.nova-canvas-v1:0", "tier": "image_1024_standard", "per_unit": 0.035}]}))
    quote = PriceBook.load(path).quote("amazon.nova-canvas-v1:0", "us-east-1", DAY, tier="image_1024_standard")
    assert quote and (quote.row.unit, quote.row.per_unit) == ("image", 0.035)


def test_a_csv_saved_by_excel_as_csv_utf8_is_read(tmp_path: Path) -> None:
    """Excel's "CSV UTF-8" opens the file with a byte-order mark, which is no part of the first column's name."""
    path = tmp_path / "prices.csv"
    path.write_text("model,input,output\r\nexample.other-v1:0,0.0005,0.0015\r\n", encoding="utf-8-sig")
    quote = PriceBook.load(path).quote("example.other-v1:0", "us-east-1", DAY)
    assert quote and (quote.row.input, quote.row.output) == (0.0005, 0.0015)


def test_override_file_toml(tmp_path) -> None:
    path = tmp_path / "prices.toml"
    path.write_text('[[prices]]\nmodel = "example.other-v1:0"\ninput = 0.0005\noutput = 0.0015\n')
    quote = PriceBook.load(path).quote("example.other-v1:0", "us-east-1", DAY)
    assert quote and quote.row.output == 0.0015


@pytest.mark.parametrize(
    ("content", "message"),
    [('{"prices": [{"input": 1}]}', "needs a 'model'"),
     ('{"prices": [{"model": "m", "input": "cheap"}]}', "'cheap' is not a number"),
     ('{"prices": [{"model": "m", "family": "moon"}]}', "family 'moon'"),
     ("not json", "cannot be read"),
     ('{"prices": [{"model": "m", "input": -1}]}', "must not be negative"),
     ('{"prices": [{"model": "m", "outptu": 0.001}]}', "unknown key 'outptu'"),  # a typo must not drop the price
     ('{"prices": [{"model": "m", "input": 0.25, "output": 1.25}]}', "divide a per-million price"),
     ('{"prices": [{"model": "m", "tier": "huge"}]}', "tier 'huge'"),
     ('{"prices": [{"model": "m", "tier": "above_0k", "input": 0.001}]}', "above_1k to above_10000k"),
     ('{"prices": [{"model": "m", "tier": "above_10001k", "input": 0.001}]}', "above_1k to above_10000k"),
     ('{"prices": [{"model": "m", "unit": "bananas"}]}', "unit 'bananas'"),
     ('{"prices": [{"model": "m", "unit": "image", "per_unit": 40}]}', "implausible"),
     ('{"prices": [{"model": "m", "per_unit": 0.0001}]}', "per_unit price but no unit"),
     ('{"prices": [{"model": "m", "effective_from": "2026-01-02", "effective_to": "2026-01-01"}]}', "not after")],
)
def test_bad_override_files_are_user_errors(tmp_path, content: str, message: str) -> None:
    path = tmp_path / "prices.json"
    path.write_text(content)
    with pytest.raises(UsageError, match=message):
        PriceBook.load(path)


@pytest.mark.parametrize("header", ["model,family,input,output", "model,family,input,output,note"])
def test_a_csv_row_with_more_cells_than_columns_is_one_line_naming_file_and_line(
    tmp_path: Path, header: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A trailing comma (Excel's export of a sheet with an empty column) gives a cell without a column."""
    import bedrock_tracker_cli
    import pricing

    path = tmp_path / "prices.csv"
    extra = ",x," if header.endswith("note") else ","
    path.write_text(f"{header}\nexample.other-v1:0,regional,0.002,0.01{extra}\n")
    (tmp_path / "logs").mkdir()
    runs = [(pricing.main, ["--prices", str(path)]),
            (bedrock_tracker_cli.main, ["--engine", "local", "--logs-dir", str(tmp_path / "logs"), "--prices",
                                        str(path), "--start-date", "2025-03-10", "--end-date", "2025-03-10",
                                        "--quiet"])]
    for main, args in runs:
        capsys.readouterr()
        code = main(args)
        assert (code, capsys.readouterr().err) == (1, "error: prices.csv line 2: more cells than the header has "
                                                      "columns (a trailing comma?); give each row the header's "
                                                      "columns\n")


@pytest.mark.parametrize("prefix", ["us.", "eu.", "apac.", "jp.", "au.", "ca.", "us-gov.", "global."])
def test_a_row_under_an_inference_profile_id_is_refused_naming_file_row_and_base_id(
    tmp_path: Path, prefix: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Calls are priced under their base id, so a profile-id row would price none while looking applied."""
    import bedrock_tracker_cli

    base = "anthropic.claude-3-5-haiku-20241022-v1:0"
    path = tmp_path / "prices.json"
    path.write_text(json.dumps({"prices": [{"model": "example.other-v1:0", "input": 0.001, "output": 0.002},
                                           {"model": prefix + base, "input": 0.0004, "output": 0.002}]}))
    (tmp_path / "logs").mkdir()
    code = bedrock_tracker_cli.main(["--engine", "local", "--logs-dir", str(tmp_path / "logs"), "--prices", str(path),
                                     "--start-date", "2025-03-10", "--end-date", "2025-03-10", "--quiet"])
    out, err = capsys.readouterr()
    assert code == 1
    assert err.strip().splitlines() == [f"error: prices.json row 2: model must be the base model id ({base}), the "
                                        'endpoint family goes in "family"']


def test_a_row_for_a_china_region_is_refused_naming_its_partition(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """No log of China's Regions is read, so a row for cn-north-1 prices no call: it was taken, the report then
    saying the file priced the model in cn-north-1 only; the row is refused, naming the partition as --region
    cn-north-1 does, by the reports and pricing.py alike. A row for a region botocore does not know is kept."""
    import bedrock_tracker_cli
    import pricing

    path = tmp_path / "prices.json"
    rows = [{"model": "example.other-v1:0", "region": "xx-newer-1", "input": 0.001, "output": 0.002},
            {"model": "anthropic.claude-3-haiku-20240307-v1:0", "region": "cn-north-1", "input": 0.0003,
             "output": 0.0015}]
    path.write_text(json.dumps(rows))
    (tmp_path / "logs").mkdir()
    why = ("error: prices.json row 2: the row of anthropic.claude-3-haiku-20240307-v1:0 names cn-north-1: cn-north-1 "
           "is a Region of the aws-cn partition (China), which this tool neither reads nor prices (it reads the "
           "Regions of the aws and aws-us-gov partitions), so no call takes its price\n")
    for main, args in ((pricing.main, ["--prices", str(path)]),
                       (bedrock_tracker_cli.main, ["--engine", "local", "--logs-dir", str(tmp_path / "logs"),
                                                   "--prices", str(path), "--days", "1", "--quiet"])):
        capsys.readouterr()
        assert (main(args), capsys.readouterr().err) == (1, why)
    path.write_text(json.dumps(rows[:1]))
    assert pricing.main(["--prices", str(path), "--model", "example.other"]) == 0


def run_pricing(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "pricing.py", *args], capture_output=True, text=True)


def test_the_terminal_listing_shows_each_price_per_million_exactly(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """Nova Micro's cache read is $0.00875 per 1M tokens and Nova 2 Lite's priority one $0.144375: no digit lost."""
    import pricing

    path = tmp_path / "prices.json"
    path.write_text(json.dumps({"prices": [{"model": "example.exact-v1:0", "input": 0.003, "output": 0.000144375,
                                            "cache_read": 0.00000875}]}))
    assert pricing.main(["--prices", str(path), "--model", "example.exact"]) == 0
    line = next(line for line in capsys.readouterr().out.splitlines() if "example.exact-v1:0" in line)
    assert line.split()[-7:] == ["3.0000", "0.144375", "-", "-", "0.00875", "-", "-"]


def test_pricing_script_lists_the_whole_book(book: PriceBook) -> None:
    listed = run_pricing("--format", "csv")
    assert listed.returncode == 0, listed.stderr
    rows = list(csv.DictReader(io.StringIO(listed.stdout)))
    assert len(rows) == len(book.rows)
    assert {r["model"] for r in rows} == {r.model for r in book.rows}


def test_the_price_table_names_each_rows_model_id(book: PriceBook) -> None:
    """Rows of one display name (an alias and a dated id) are told apart by their id in the terminal table too."""
    listed = run_pricing("--model", "claude-haiku-4-5", "--family", "regional", "--mode", "standard")
    assert listed.returncode == 0, listed.stderr
    header, rule, *lines = listed.stdout.splitlines()[1:]
    start = header.index("Model id")
    end = start + rule[start:].index(" ")  # the column's width, from its rule of dashes
    ids = {row.model for row in book.rows if "claude-haiku-4-5" in row.model and row.family == "regional"
           and row.mode == "standard"}
    assert len(ids) > 1 and {line[start:end].strip() for line in lines} == ids


@pytest.mark.slow
def test_pricing_script_filters() -> None:
    meta = list(csv.DictReader(io.StringIO(run_pricing("--provider", "meta", "--format", "csv").stdout)))
    assert meta and all(r["provider"] == "Meta" for r in meta)
    sonnet = json.loads(run_pricing("--model", "sonnet 4.5", "--region", "eu-west-1", "--format", "json").stdout)
    names = {r["name"] for r in sonnet["prices"]}
    assert names == {"Claude Sonnet 4.5"}
    assert all(r["region"] in ("*", "eu-west-1") and r["family"] != "govcloud" for r in sonnet["prices"])
    terminal = run_pricing("--region", "ap-northeast-2", "--model", SONNET_45)
    assert terminal.returncode == 0 and "Claude Sonnet 4.5" in terminal.stdout and "3.3000" in terminal.stdout
    dated = json.loads(run_pricing("--model", "claude-3-5-sonnet-20241022", "--date", "2025-11-30",
                                   "--mode", "standard", "--format", "json").stdout)["prices"]
    assert [r["input"] for r in dated] == [0.003]


@pytest.mark.parametrize(
    ("args", "message"),
    [(("--date", "yesterday"), "--date 'yesterday' is not a date in YYYY-MM-DD form"),
     (("--date", "2025-W45-1"), "--date '2025-W45-1' is not a date in YYYY-MM-DD form"),  # ISO week dates too
     (("--date", "2025-11-01\x1b[31m"), "--date '2025-11-01\\x1b[31m'"),  # a control character shown escaped
     (("--format", "xml"), "invalid choice: 'xml'"),
     (("--region", "mars-1"), "unknown region mars-1; Amazon Bedrock regions: af-south-1"),
     (("--region", "cn-north-1"), "cn-north-1 is a Region of the aws-cn partition (China), which this tool neither "
                                  "reads nor prices"),
     (("--provider", "nobody"), "no price rows match"),
     (("--offer-file", "x.json"), "go with --refresh")],
)
@pytest.mark.slow
def test_pricing_script_bad_options(args: tuple[str, ...], message: str) -> None:
    bad = run_pricing(*args)
    assert bad.returncode == 1 and bad.stderr.count("\n") == 1 and message in bad.stderr


def test_a_context_tier_missing_for_an_endpoint_or_day_is_no_price_never_the_base_rate(tmp_path) -> None:
    """A model with an above-200K tier for ``global.`` only, from 2026-03-01: a long call on another endpoint or an
    earlier day has no price (a base rate would bill it as short); a short one takes the base rate."""
    path = tmp_path / "prices.json"
    path.write_text(json.dumps({"prices": [
        {"model": "example.tiered-v1:0", "family": "global", "input": 0.001, "output": 0.002},
        {"model": "example.tiered-v1:0", "family": "regional", "input": 0.0011, "output": 0.0022},
        {"model": "example.tiered-v1:0", "family": "global", "tier": "above_200k", "input": 0.002, "output": 0.003,
         "effective_from": "2026-03-01"}]}))
    book = PriceBook.load(path)
    march, february = date(2026, 3, 2), date(2026, 2, 27)
    long_global = book.quote("global.example.tiered-v1:0", "us-east-1", march, context_tokens=200_001)
    assert long_global and (long_global.row.tier, long_global.row.input) == ("above_200k", 0.002)
    assert book.quote("us.example.tiered-v1:0", "us-east-1", march, context_tokens=200_001) is None
    assert book.quote("global.example.tiered-v1:0", "us-east-1", february, context_tokens=200_001) is None
    short = book.quote("us.example.tiered-v1:0", "us-east-1", march, context_tokens=200_000)
    assert short and (short.row.tier, short.row.input) == ("base", 0.0011)


def test_a_price_file_date_is_a_calendar_day_in_yyyy_mm_dd_form(tmp_path) -> None:
    """A row's effective date is read like every date option: an ISO week date or a compact date is refused."""
    for value in ("2025-W45-1", "20251102"):
        path = tmp_path / "prices.json"
        path.write_text(json.dumps({"prices": [{"model": "example.m-v1:0", "input": 0.001, "output": 0.002,
                                                "effective_from": value}]}))
        with pytest.raises(UsageError, match=f"effective_from '{value}' is not a date in YYYY-MM-DD form"):
            PriceBook.load(path)


def _builtin_rows(model: str, mode: str) -> list[dict[str, str]]:
    """The shipped CSV's regional rows of ``model`` in ``mode``, read as text."""
    with BUILTIN_BOOK.open(newline="") as handle:
        return [r for r in csv.DictReader(handle) if r["model"] == model and r["family"] == "regional"
                and r["mode"] == mode]


def test_a_region_priced_apart_takes_no_other_regions_rate_for_a_mode_it_lacks(book: PriceBook, tmp_path) -> None:
    """Nova Pro costs more in eu-west-1 than the ``*`` row; the book has the Region's own standard and flex rows
    but no priority row: a Priority call there is unpriced, never priced at the ``*`` (US) rate. A Region without
    rows of its own takes the ``*`` priority rate; a user's ``*`` row is meant for every Region."""
    nova_pro = "amazon.nova-pro-v1:0"
    assert {r["region"] for r in _builtin_rows(nova_pro, "standard")} >= {"*", "eu-west-1"}
    assert {r["region"] for r in _builtin_rows(nova_pro, "priority")} == {"*"}
    assert book.quote(nova_pro, "eu-west-1", DAY, mode="priority") is None
    flex = book.quote(nova_pro, "eu-west-1", DAY, mode="flex")
    assert flex and flex.row.region == "eu-west-1"
    star = next(r for r in _builtin_rows(nova_pro, "priority"))
    us = book.quote(nova_pro, "us-east-1", DAY, mode="priority")
    assert us and (us.row.region, us.row.input) == ("*", float(star["input"]))
    listed = book.table(region="eu-west-1", day=DAY, model=nova_pro, family="regional")
    assert sorted((r.region, r.mode) for r in listed) == [("eu-west-1", "flex"), ("eu-west-1", "standard")]

    path = tmp_path / "prices.json"
    path.write_text(json.dumps({"prices": [{"model": nova_pro, "mode": "priority", "input": 0.002, "output": 0.008}]}))
    own = PriceBook.load(path).quote(nova_pro, "eu-west-1", DAY, mode="priority")
    assert own and (own.row.input, own.row.output) == (0.002, 0.008)
    # A user's standard row for a Region the book prices like '*' (a negotiated rate) leaves its other modes alone.
    path.write_text(json.dumps({"prices": [{"model": nova_pro, "region": "us-east-1", "input": 0.0007,
                                            "output": 0.0028}]}))
    negotiated = PriceBook.load(path).quote(nova_pro, "us-east-1", DAY, mode="priority")
    assert negotiated and (negotiated.row.region, negotiated.row.input) == ("*", float(star["input"]))


def _priority_cost(book: PriceBook, model: str, region: str, day: date) -> float | None:
    """The cost of a Priority call of 1,000 input and 500 output tokens, or None when it is unpriced."""
    quote = book.quote(model, region, day, mode="priority")
    return None if quote is None else (1000 * quote.row.input + 500 * quote.row.output) / 1000


def test_a_region_the_book_prices_like_every_region_takes_the_every_region_priority_rate(book: PriceBook) -> None:
    """The book lists Qwen3 Coder Next in us-west-2 and us-east-2, and Kimi K2 Thinking in us-east-1, at the ``*``
    standard price ($0.50/$1.20 and $0.60/$2.50 per 1M tokens) and has no Priority row of theirs: they take the ``*``
    Priority rate ($0.875/$2.10 and $1.05/$4.38 per 1M), as a Region without rows does; Tokyo, priced apart, does
    not."""
    day = date(2026, 12, 1)
    qwen, kimi = "qwen.qwen3-coder-next", "moonshotai.kimi-k2-thinking"
    for region in ("us-east-1", "us-west-2", "us-east-2"):
        assert _priority_cost(book, qwen, region, day) == pytest.approx(0.000875 + 0.5 * 0.0021)  # $0.001925
    for region in ("us-east-1", "us-west-1"):
        assert _priority_cost(book, kimi, region, day) == pytest.approx(0.00105 + 0.5 * 0.00438)  # $0.00324
    assert _priority_cost(book, qwen, "ap-northeast-1", day) is None
    assert _priority_cost(book, kimi, "ap-northeast-1", day) is None


def _row(region: str, mode: str, rates: tuple[float, float], start: date | None = None,
         end: date | None = None) -> PriceRow:
    return PriceRow(model="acme.model-v1:0", name="Acme", family="regional", region=region, mode=mode, tier="base",
                    effective_from=start, effective_to=end, input=rates[0], output=rates[1], cache_write_5m=None,
                    cache_write_1h=None, cache_read=None, source="test")


def test_a_region_priced_like_every_region_until_the_every_region_price_changes() -> None:
    """eu-west-1 keeps the old ``*`` standard price after the ``*`` row changes on 2026-06-01: it is priced like
    ``*`` before that day (the ``*`` Priority rate applies) and apart from it after (unpriced); a Region without
    rows of its own takes the ``*`` Priority rate on both days."""
    change = date(2026, 6, 1)
    book = PriceBook([_row("*", "standard", (0.001, 0.002), end=change),
                      _row("*", "standard", (0.0012, 0.0024), start=change),
                      _row("eu-west-1", "standard", (0.001, 0.002)),
                      _row("*", "priority", (0.00175, 0.0035))])
    before, after = date(2026, 5, 31), date(2026, 6, 1)
    priority = 0.00175 + 0.5 * 0.0035
    assert _priority_cost(book, "acme.model-v1:0", "eu-west-1", before) == pytest.approx(priority)
    assert _priority_cost(book, "acme.model-v1:0", "eu-west-1", after) is None
    for day in (before, after):
        assert _priority_cost(book, "acme.model-v1:0", "us-east-1", day) == pytest.approx(priority)
