"""``tools/build_price_book.py`` over excerpts of its sources, offline.

The fixtures in tests/fixtures/pricing/build/ are entries of LiteLLM 1.110.2's price map copied unchanged (USD per
token) and rows of the consolidated Claude table (USD per 1K tokens); see tests/fixtures/pricing/README.md. Each
expected figure below is the fixture's or a cited source's number converted to the book's unit by hand (per token x
1000, per 1M / 1000), never the builder's output. genai-prices is not read: it is no dependency of the project.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "tests" / "fixtures" / "pricing" / "build"
LITELLM = BUILD / "litellm-1.110.2-bedrock-excerpt.json"
REFERENCE = BUILD / "consolidated_bedrock_claude-excerpt.csv"
SONNET_45 = "anthropic.claude-sonnet-4-5-20250929-v1:0"
SONNET_35_V2 = "anthropic.claude-3-5-sonnet-20241022-v2:0"
LLAMA3_8B = "meta.llama3-8b-instruct-v1:0"
NOVA_LITE = "amazon.nova-lite-v1:0"


def builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_price_book", ROOT / "tools" / "build_price_book.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while being defined
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    """The book the builder writes from the fixtures, AWS's pages and CORRECTIONS (``main`` without genai-prices)."""
    tool = builder()
    book = tool.Book()
    tool.read_aws_pages(book)
    tool.read_reference(REFERENCE, book)
    tool.read_litellm(LITELLM, "1.110.2", book)
    return tool.assemble(book, "2026-12-05")


def row(rows: list[dict[str, str]], model: str, family: str = "regional", region: str = "*",
        mode: str = "standard", tier: str = "base", start: str = "") -> dict[str, str]:
    """The one token row of this model, family, region, mode, tier and start."""
    (found,) = [r for r in rows if (r["model"], r["family"], r["region"], r["mode"], r["tier"], r["unit"],
                                    r["effective_from"]) == (model, family, region, mode, tier, "tokens", start)]
    return found


def figures(found: dict[str, str], *names: str) -> tuple[float | None, ...]:
    return tuple(float(found[name]) if found[name] else None for name in names)


TOKEN_RATES = ("input", "output", "cache_read")
CACHE_RATES = ("input", "output", "cache_write_5m", "cache_write_1h", "cache_read")


def test_per_token_prices_are_written_per_1k(rows: list[dict[str, str]]) -> None:
    # amazon.nova-lite-v1:0: input 6e-08, output 2.4e-07, cache read 1.5e-08 per token
    assert figures(row(rows, NOVA_LITE), *TOKEN_RATES) == pytest.approx((0.00006, 0.00024, 0.000015))
    # its input_cost_per_token_batches 3e-08 and output_cost_per_token_batches 1.2e-07
    assert figures(row(rows, NOVA_LITE, mode="batch"), "input", "output") == pytest.approx((0.00003, 0.00012))


def test_cache_writes_long_context_and_batch_of_claude(rows: list[dict[str, str]]) -> None:
    # the reference table's regional row (1.1x global) outranks LiteLLM's bare id at the global 3e-06
    assert figures(row(rows, SONNET_45), *CACHE_RATES) == pytest.approx((0.0033, 0.0165, 0.004125, 0.0066, 0.00033))
    assert figures(row(rows, SONNET_45, family="global"), *CACHE_RATES) == pytest.approx(
        (0.003, 0.015, 0.00375, 0.006, 0.0003))
    # above 200K: the table's input and output; the cache rates of LiteLLM's us. entry (8.25e-06, 1.32e-05, 6.6e-07)
    # outrank its bare id's global ones (7.5e-06, 1.2e-05, 6e-07)
    assert figures(row(rows, SONNET_45, tier="above_200k"), *CACHE_RATES) == pytest.approx(
        (0.0066, 0.02475, 0.00825, 0.0132, 0.00066))
    assert figures(row(rows, SONNET_45, mode="batch"), "input", "output") == pytest.approx((0.00165, 0.00825))
    # GovCloud: $3.60 / $18.00 / $4.50 / $7.20 / $0.36 per 1M (LiteLLM's test of its us-gov entries, AWS's page)
    assert figures(row(rows, SONNET_45, family="govcloud", region="us-gov-east-1"), *CACHE_RATES) == pytest.approx(
        (0.0036, 0.018, 0.0045, 0.0072, 0.00036))


def test_latency_optimized_rates_are_rows_of_the_region_they_are_published_for(rows: list[dict[str, str]]) -> None:
    # AWS pricing page, "Amazon Nova Pro (w/ latency optimized inference)": $0.001 / $0.004 per 1K, no cache read;
    # Claude 3.5 Haiku's from the reference table's note: 0.001 / 0.005 per 1K in us-east-2
    nova = row(rows, "amazon.nova-pro-v1:0", region="us-east-2", mode="latency")
    assert figures(nova, *TOKEN_RATES) == pytest.approx((0.001, 0.004, None))
    haiku = row(rows, "anthropic.claude-3-5-haiku-20241022-v1:0", region="us-east-2", mode="latency")
    assert figures(haiku, *TOKEN_RATES) == pytest.approx((0.001, 0.005, None))
    assert {r["region"] for r in rows if r["mode"] == "latency"} == {"us-east-2"}


def test_batch_rates_read_on_the_pricing_page_are_rows_citing_it(rows: list[dict[str, str]]) -> None:
    # AWS pricing page as copied on 2025-07-20 (convo-lang/convo-lang, packages/convo-lang-bedrock/bedrock-pricing.md),
    # "Claude 3.5 Sonnet": $0.0015 / $0.0075 per 1K tokens (batch); no other source of the book gives it
    sonnet_35 = row(rows, "anthropic.claude-3-5-sonnet-20240620-v1:0", mode="batch")
    assert figures(sonnet_35, *TOKEN_RATES) == pytest.approx((0.0015, 0.0075, None))
    assert sonnet_35["source"].startswith("AWS page aws.amazon.com/bedrock/pricing (Claude 3.5 Sonnet, batch), as "
                                          "copied on 2025-07-20 in convo-lang/convo-lang")
    # "Llama 3.1 Instruct (405B)": $0.0012 / $0.0012 per 1K tokens (batch)
    llama_405b = row(rows, "meta.llama3-1-405b-instruct-v1:0", mode="batch")
    assert figures(llama_405b, *TOKEN_RATES) == pytest.approx((0.0012, 0.0012, None))
    assert "Llama 3.1 Instruct (405B), batch" in llama_405b["source"]


def test_a_model_is_named_as_a_reader_knows_it(rows: list[dict[str, str]]) -> None:
    names = {r["name"] for r in rows if r["model"] == "meta.llama3-1-405b-instruct-v1:0"}
    assert names == {"Llama 3.1 405B Instruct"}  # the sources' "Llama3.1 405B Instruct" runs the words together


def test_a_region_priced_apart_gets_its_own_row(rows: list[dict[str, str]]) -> None:
    # bedrock/eu-west-1/meta.llama3-8b-instruct-v1:0: 3.2e-07 and 6.5e-07 per token; the bare id 3e-07 and 6e-07
    assert figures(row(rows, LLAMA3_8B, region="eu-west-1"), "input", "output") == pytest.approx((0.00032, 0.00065))
    assert figures(row(rows, LLAMA3_8B), "input", "output") == pytest.approx((0.0003, 0.0006))
    # apac.amazon.nova-lite-v1:0 (6.3e-08, 2.52e-07, 1.575e-08) prices the APAC regions; us. is the in-region price
    for region in ("ap-northeast-1", "ap-south-1"):
        assert figures(row(rows, NOVA_LITE, region=region), *TOKEN_RATES) == pytest.approx(
            (0.000063, 0.000252, 0.00001575))
    assert not [r for r in rows if r["model"] == NOVA_LITE and r["region"].startswith("us-")]


def test_a_correction_outranks_litellms_slip_and_keeps_it_as_a_disagreement(rows: list[dict[str, str]]) -> None:
    # LiteLLM tests/test_litellm/test_bedrock_usgov_pricing.py at 041a19d5: the offer file prices Llama 3 8B in both
    # GovCloud regions at 3e-07 input and 6e-07 output per token; LiteLLM 1.110.2's us-gov-east-1 output is 2.65e-06
    east = row(rows, LLAMA3_8B, family="govcloud", region="us-gov-east-1")
    assert figures(east, "input", "output") == pytest.approx((0.0003, 0.0006))
    assert "output: LiteLLM 1.110.2 0.00265 disagree" in east["source"]
    west = row(rows, LLAMA3_8B, family="govcloud", region="us-gov-west-1")
    assert figures(west, "input", "output") == pytest.approx((0.0003, 0.0006))


def test_entries_the_builder_must_skip(rows: list[dict[str, str]]) -> None:
    models = {r["model"] for r in rows}
    assert "anthropic.claude-3-7-sonnet-20240620-v1:0" not in models  # GovCloud rate under an id Bedrock lacks
    assert "anthropic.claude-v1" not in models  # only a provisioned-throughput commitment, per second
    assert not [m for m in models if "snowflake" in m or "/" in m]  # another platform
    # amazon.titan-embed-text-v2:0 is an embedding model: input 2e-08 per token, its output 0.0 is no rate
    assert figures(row(rows, "amazon.titan-embed-text-v2:0"), "input", "output") == (pytest.approx(0.00002), None)


def test_a_dated_change_of_the_reference_table_outranks_litellms_undated_figure(rows: list[dict[str, str]]) -> None:
    # the table: $3 / $15 per 1M until 2025-12-01, Public Extended Access $6 / $30 from then (AWS's page, quoted by
    # Helicone PR #5709); LiteLLM 1.110.2 still has 3e-06 / 1.5e-05 per token, and its eu. profile the same
    before = [r for r in rows if r["model"] == SONNET_35_V2 and r["effective_to"] == "2025-12-01"
              and r["mode"] == "standard"]
    assert [figures(r, "input", "output") for r in before] == [pytest.approx((0.003, 0.015))]
    since = row(rows, SONNET_35_V2, start="2025-12-01")
    assert figures(since, *TOKEN_RATES) == pytest.approx((0.006, 0.03, 0.0006))
    assert "input: LiteLLM 1.110.2 0.003 disagree" in since["source"]
    assert not [r for r in rows if r["model"] == SONNET_35_V2 and r["region"] != "*"]  # no eu- row undercuts it


KIMI = ("moonshot.kimi-k2-thinking", "moonshotai.kimi-k2-thinking")  # Bedrock Runtime's id, bedrock-mantle's
QWEN_CODER_30B = ("qwen.qwen3-coder-30b-a3b-v1:0", "qwen.qwen3-coder-30b-a3b-instruct")
QWEN_NEXT_80B = ("qwen.qwen3-next-80b-a3b", "qwen.qwen3-next-80b-a3b-instruct")


def rows_apart_from_model(rows: list[dict[str, str]], model: str) -> list[dict[str, str]]:
    return [{k: v for k, v in r.items() if k != "model"} for r in rows if r["model"] == model]


@pytest.mark.parametrize("ids", [KIMI, QWEN_CODER_30B, QWEN_NEXT_80B], ids=lambda ids: ids[0])
def test_the_ids_of_one_model_get_the_same_rows(rows: list[dict[str, str]], ids: tuple[str, str]) -> None:
    runtime, mantle = ids
    assert rows_apart_from_model(rows, runtime) == rows_apart_from_model(rows, mantle) != []


def test_the_id_bedrock_logs_gets_the_rows_a_source_gives_its_twin(rows: list[dict[str, str]]) -> None:
    # bedrock/sa-east-1/moonshotai.kimi-k2-thinking: 7.3e-07 / 3.03e-06 per token, flex 3.6e-07 / 1.52e-06 (AWS's
    # model card); only the Mantle id carries them in LiteLLM, moonshot.kimi-k2-thinking has no Region and no flex
    for model in KIMI:
        assert figures(row(rows, model, region="sa-east-1"), "input", "output") == pytest.approx((0.00073, 0.00303))
        assert figures(row(rows, model, region="sa-east-1", mode="flex"), "input", "output") == pytest.approx(
            (0.00036, 0.00152))
        # bedrock_mantle/moonshotai.kimi-k2-thinking: input_cost_per_token_flex 3e-07, output 1.25e-06
        assert figures(row(rows, model, mode="flex"), "input", "output") == pytest.approx((0.0003, 0.00125))
    # bedrock_mantle/qwen.qwen3-coder-30b-a3b-instruct: flex 7.5e-08 / 3e-07 per token; the Runtime id has no flex
    assert figures(row(rows, QWEN_CODER_30B[0], mode="flex"), "input", "output") == pytest.approx((0.000075, 0.0003))


def test_twins_that_disagree_take_the_runtime_ids_figure_and_say_so(capsys: pytest.CaptureFixture[str]) -> None:
    # LiteLLM 1.110.2, both entries citing the AWS Price List: qwen.qwen3-next-80b-a3b input 1.5e-07 per token,
    # bedrock_mantle/qwen.qwen3-next-80b-a3b-instruct 1.4e-07; the output (1.2e-06) agrees
    tool = builder()
    book = tool.Book()
    tool.read_litellm(LITELLM, "1.110.2", book)
    built = tool.assemble(book, "2026-12-05")
    for model in QWEN_NEXT_80B:
        found = row(built, model)
        assert figures(found, "input", "output") == pytest.approx((0.00015, 0.0012))
        assert ("input: LiteLLM 1.110.2 qwen.qwen3-next-80b-a3b-instruct 0.00014 disagree, took LiteLLM 1.110.2 "
                "0.00015") in found["source"]
    assert capsys.readouterr().err == (
        "build_price_book.py: ids of one model disagree, qwen.qwen3-next-80b-a3b (LiteLLM 1.110.2 0.00015) and "
        "qwen.qwen3-next-80b-a3b-instruct (LiteLLM 1.110.2 0.00014): regional * standard base input\n")


@pytest.mark.parametrize(("source", "message"), [
    ("--reference", "cannot read or write {path}: No such file or directory"),
    ("--litellm", "{path} is not JSON: Expecting value: line 1 column 1 (char 0)"),
], ids=["missing reference table", "LiteLLM file not JSON"])
def test_a_source_it_cannot_read_is_one_line_and_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                        source: str, message: str) -> None:
    bad = tmp_path / "bad-source"
    if source == "--litellm":
        bad.write_text("not json", encoding="utf-8")
    sources = {"--litellm": str(LITELLM), "--reference": str(REFERENCE), source: str(bad)}
    out = tmp_path / "book.csv"
    argv = [*(item for pair in sources.items() for item in pair), "--litellm-version", "1.110.2", "--out", str(out)]
    assert builder().main(argv) == 1
    assert capsys.readouterr().err == f"build_price_book.py: {message.format(path=bad)}\n"
    assert not out.exists()
