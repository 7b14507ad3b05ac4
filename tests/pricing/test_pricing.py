"""The price book against published figures (AWS pricing page, the seeds' validation report)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date

import pytest

from bedrock_usage.errors import UsageError
from bedrock_usage.pricing import PriceBook, parse_model_id

DAY = date(2025, 11, 1)
SONNET_45 = "anthropic.claude-sonnet-4-5-20250929-v1:0"


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


def test_published_list_prices(book: PriceBook) -> None:
    expected = {  # USD per 1K tokens, from the AWS pricing page as consolidated in shared/reference
        "anthropic.claude-3-haiku-20240307-v1:0": (0.00025, 0.00125),
        "anthropic.claude-3-5-haiku-20241022-v1:0": (0.0008, 0.004),
        "anthropic.claude-opus-4-1-20250805-v1:0": (0.015, 0.075),
        "global.anthropic.claude-haiku-4-5-20251001-v1:0": (0.001, 0.005),
        "us.anthropic.claude-haiku-4-5-20251001-v1:0": (0.0011, 0.0055),
        "global.anthropic.claude-opus-4-5-20251101-v1:0": (0.005, 0.025),
    }
    for model_id, (inp, out) in expected.items():
        quote = book.quote(model_id, "us-east-1", DAY)
        assert quote and (quote.row.input, quote.row.output) == (inp, out), model_id


def test_claude_35_sonnet_v2_price_change_on_2025_12_01(book: PriceBook) -> None:
    model = "anthropic.claude-3-5-sonnet-20241022-v2:0"
    before = book.quote(model, "us-west-2", date(2025, 11, 30))
    after = book.quote(model, "us-west-2", date(2025, 12, 1))
    assert before and after
    assert (before.row.input, before.row.output) == (0.003, 0.015)
    assert (after.row.input, after.row.output) == (0.006, 0.03)


def test_long_context_tier_and_batch(book: PriceBook) -> None:
    quote = book.quote(f"global.{SONNET_45}", "us-east-1", DAY, long_context=True)
    assert quote and (quote.row.tier, quote.row.input, quote.row.output) == ("above_200k", 0.006, 0.0225)
    haiku = book.quote("anthropic.claude-haiku-4-5-20251001-v1:0", "us-east-1", DAY, long_context=True)
    assert haiku and haiku.row.tier == "base"  # no long-context tier: the base price applies
    batch = book.quote(f"global.{SONNET_45}", "us-east-1", DAY, batch=True)
    assert batch and (batch.row.input, batch.row.output) == (0.0015, 0.0075)


def test_govcloud_prices(book: PriceBook) -> None:
    quote = book.quote("anthropic.claude-3-haiku-20240307-v1:0", "us-gov-west-1", DAY)
    assert quote and quote.row.family == "govcloud" and quote.row.input == 0.0003


@pytest.mark.parametrize(
    "model_id",
    [
        "meta.llama2-13b-chat-v1",
        "anthropic.claude-9-imaginary-v1:0",
        "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6",
        "arn:aws:bedrock:us-east-1:123456789012:provisioned-model/abc",
        "",
    ],
)
def test_unknown_models_are_unpriced_never_priced_as_another(book: PriceBook, model_id: str) -> None:
    assert book.quote(model_id, "us-east-1", DAY) is None


def test_unknown_or_china_region_is_unpriced(book: PriceBook) -> None:
    assert book.quote("anthropic.claude-3-haiku-20240307-v1:0", "cn-north-1", DAY) is None
    assert book.quote("anthropic.claude-3-haiku-20240307-v1:0", "not-a-region", DAY) is None


@pytest.mark.parametrize(
    ("model_id", "base", "endpoint"),
    [
        (SONNET_45, SONNET_45, "in-region"),
        (f"us.{SONNET_45}", SONNET_45, "geo"),
        (f"apac.{SONNET_45}", SONNET_45, "geo"),
        (f"global.{SONNET_45}", SONNET_45, "global"),
        (f"arn:aws:bedrock:us-east-1:123456789012:inference-profile/global.{SONNET_45}", SONNET_45, "global"),
        (f"arn:aws:bedrock:us-east-1::foundation-model/{SONNET_45}", SONNET_45, "in-region"),
        ("anthropic.claude-3-haiku-20240307-v1:0:200k", "anthropic.claude-3-haiku-20240307-v1:0", "in-region"),
        ("arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/x1", None, "application-profile"),
    ],
)
def test_model_id_forms(model_id: str, base: str | None, endpoint: str) -> None:
    ref = parse_model_id(model_id)
    assert (ref.base_id, ref.endpoint) == (base, endpoint)


def test_override_file_json_adds_and_replaces(tmp_path, monkeypatch) -> None:
    path = tmp_path / "prices.json"
    path.write_text(json.dumps({"prices": [
        {"model": "meta.llama2-13b-chat-v1", "name": "Llama 2 13B", "input": 0.00075, "output": 0.001},
        {"model": "anthropic.claude-3-haiku-20240307-v1:0", "name": "Claude 3 Haiku", "input": 0.0002,
         "output": 0.001, "source": "negotiated"},
    ]}))
    book = PriceBook.load(path)
    llama = book.quote("meta.llama2-13b-chat-v1", "us-west-2", DAY)
    haiku = book.quote("us.anthropic.claude-3-haiku-20240307-v1:0", "us-east-1", DAY)
    assert llama and llama.row.input == 0.00075
    assert haiku and (haiku.row.input, haiku.row.source) == (0.0002, "negotiated")
    monkeypatch.setenv("BEDROCK_USAGE_PRICES", str(path))
    env_book = PriceBook.load()
    assert env_book.quote("meta.llama2-13b-chat-v1", "us-west-2", DAY) is not None


def test_override_file_toml(tmp_path) -> None:
    path = tmp_path / "prices.toml"
    path.write_text('[[prices]]\nmodel = "cohere.command-r-v1:0"\ninput = 0.0005\noutput = 0.0015\n')
    quote = PriceBook.load(path).quote("cohere.command-r-v1:0", "us-east-1", DAY)
    assert quote and quote.row.output == 0.0015


@pytest.mark.parametrize(
    "content",
    ['{"prices": [{"input": 1}]}', '{"prices": [{"model": "m", "input": "cheap"}]}',
     '{"prices": [{"model": "m", "family": "moon"}]}', "not json", '{"prices": [{"model": "m", "input": -1}]}',
     '{"prices": [{"model": "m", "outptu": 0.001}]}',  # a typo must not silently drop the output price
     '{"prices": [{"model": "m", "input": 0.25, "output": 1.25}]}'],  # per-million figures in a per-1K file
)
def test_bad_override_files_are_user_errors(tmp_path, content: str) -> None:
    path = tmp_path / "prices.json"
    path.write_text(content)
    with pytest.raises(UsageError):
        PriceBook.load(path)


def test_pricing_script_prints_the_book() -> None:
    result = subprocess.run([sys.executable, "pricing.py", "--region", "ap-northeast-2"],
                            capture_output=True, text=True, check=True)
    assert "Claude Sonnet 4.5" in result.stdout and "3.3000" in result.stdout
    as_json = subprocess.run([sys.executable, "pricing.py", "--format", "json"], capture_output=True, text=True,
                             check=True)
    rows = json.loads(as_json.stdout)["prices"]
    assert any(r["model"] == SONNET_45 and r["family"] == "global" for r in rows)
    bad = subprocess.run([sys.executable, "pricing.py", "--date", "yesterday"], capture_output=True, text=True)
    assert bad.returncode == 1 and bad.stderr.count("\n") == 1
