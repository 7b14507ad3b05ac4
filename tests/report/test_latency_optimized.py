"""Calls served with optimized latency (``performanceConfig.latency`` "optimized" in the logged response, else the
request) are priced at the latency-optimized rate published for their model and source Region, and left unpriced,
with their tokens and the reason, where none is published (a cached call too: no latency-optimized cache rate is
published).

Expected figures are the published per-1K rates (USD) written out below, applied by hand: the consolidated Claude
table's note "latency-optimized (us-east-2) is 0.001/0.005" for Claude 3.5 Haiku, and the Amazon Bedrock pricing
page's "w/ latency optimized inference" rows (as copied on 2025-07-20 in convo-lang/convo-lang,
packages/convo-lang-bedrock/bedrock-pricing.md) for Llama 3.1 70B and Nova Pro; standard rates from the same page.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.logfiles import ACCOUNT, cli_json, write_records

DAY = "2026-11-03"
HAIKU = "anthropic.claude-3-5-haiku-20241022-v1:0"
LLAMA_70B = "meta.llama3-1-70b-instruct-v1:0"
NOVA_PRO = "amazon.nova-pro-v1:0"
SONNET_37 = "anthropic.claude-3-7-sonnet-20250219-v1:0"  # no latency-optimized rate is published for it
OPTIMIZED = {"performanceConfig": {"latency": "optimized"}}
STANDARD = {"performanceConfig": {"latency": "standard"}}
PROMPT = {"messages": [{"role": "user", "content": [{"text": "prompt"}]}]}
# USD per 1K tokens (input, output), us-east-2
LATENCY_RATES = {HAIKU: (0.001, 0.005), LLAMA_70B: (0.0009, 0.0009), NOVA_PRO: (0.001, 0.004)}
STANDARD_RATES = {HAIKU: (0.0008, 0.004)}
UNPRICED_REASON = "no latency-optimized price for this model, region and endpoint"


def call(n: int, model: str, region: str, tokens: tuple[int, int], request: dict, response: dict | None) -> dict:
    """A Converse record through the ``us.`` profile with its bodies logged; ``response`` None: not logged."""
    output: dict = {"outputTokenCount": tokens[1]}
    if response is not None:
        output["outputBodyJson"] = {"stopReason": "end_turn", **response}
    return {"schemaType": "ModelInvocationLog", "schemaVersion": "1.0", "timestamp": f"{DAY}T09:{n:02d}:00Z",
            "accountId": ACCOUNT, "identity": {"arn": f"arn:aws:iam::{ACCOUNT}:user/dev"}, "region": region,
            "requestId": f"lo-{n}", "operation": "Converse", "modelId": f"us.{model}",
            "input": {"inputTokenCount": tokens[0], "inputBodyJson": {**PROMPT, **request}}, "output": output}


PRICED = [  # (model, tokens, request, response): served with optimized latency from us-east-2
    (HAIKU, (12_000, 3_000), OPTIMIZED, OPTIMIZED),
    (HAIKU, (4_000, 1_000), OPTIMIZED, None),  # the response is not logged: the request says
    (LLAMA_70B, (5_000, 2_000), OPTIMIZED, OPTIMIZED),
    (NOVA_PRO, (8_000, 500), OPTIMIZED, OPTIMIZED),
]
# asked for optimized latency past the quota and served Standard: "charged at Standard latency rates" (Amazon Bedrock
# User Guide, "Optimize model inference for latency")
FELL_BACK = (HAIKU, (2_000, 400), OPTIMIZED, STANDARD)
UNPRICED = [  # (model, region, tokens)
    (HAIKU, "us-west-2", (3_000, 700)),  # offered from Oregon too, at a rate no source publishes
    (SONNET_37, "us-east-2", (6_000, 900)),
]


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("latency") / "logs"
    records = [call(n, model, "us-east-2", tokens, request, response)
               for n, (model, tokens, request, response) in enumerate([*PRICED, FELL_BACK])]
    records += [call(20 + n, model, region, tokens, OPTIMIZED, OPTIMIZED)
                for n, (model, region, tokens) in enumerate(UNPRICED)]
    write_records(root, records)
    return root


def test_calls_served_with_optimized_latency_cost_the_published_rate_and_others_say_why_not(
        logs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = cli_json(capsys, logs, "--start-date", DAY, "--end-date", DAY, "--regions", "us-east-2", "us-west-2")
    expected: dict[str, float] = {}
    for model, (inp, out), _, _ in PRICED:
        expected[model] = expected.get(model, 0.0) + inp * LATENCY_RATES[model][0] / 1000 + (
            out * LATENCY_RATES[model][1] / 1000)
    fell_back = FELL_BACK[1][0] * STANDARD_RATES[HAIKU][0] / 1000 + FELL_BACK[1][1] * STANDARD_RATES[HAIKU][1] / 1000
    assert expected[HAIKU] == pytest.approx(0.012 + 0.015 + 0.004 + 0.005)  # the rates applied once more by eye
    by_region = {row["source_region"]: row for row in doc["analyses"]["region"]}
    by_model = {(row["base_model_id"]): row for row in doc["analyses"]["model"]}
    assert by_model[LLAMA_70B]["estimated_cost_usd"] == pytest.approx(expected[LLAMA_70B], rel=1e-12)
    assert by_model[NOVA_PRO]["estimated_cost_usd"] == pytest.approx(expected[NOVA_PRO], rel=1e-12)
    assert by_region["us-east-2"]["estimated_cost_usd"] == pytest.approx(sum(expected.values()) + fell_back,
                                                                        rel=1e-12)
    summary = doc["summary"]
    assert summary["estimated_cost_usd"] == pytest.approx(sum(expected.values()) + fell_back, rel=1e-12)
    assert (summary["latency_optimized_calls"], summary["unpriced_calls"]) == (len(PRICED), len(UNPRICED))
    unpriced = {(row["model_id"], row["source_region"]): row for row in doc["unpriced_models"]}
    assert set(unpriced) == {(f"us.{model}", region) for model, region, _ in UNPRICED}
    for model, region, (inp, out) in UNPRICED:
        row = unpriced[(f"us.{model}", region)]
        assert (row["calls"], row["input_tokens"], row["output_tokens"], row["reason"]) == (1, inp, out,
                                                                                           UNPRICED_REASON)
    assert by_region["us-west-2"]["estimated_cost_usd"] is None  # its one call has no price: no figure, never 0


def test_the_terminal_summary_counts_them_and_a_price_file_row_prices_a_region_the_book_lacks(
        logs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import bedrock_tracker_cli

    base = ["--engine", "local", "--logs-dir", str(logs), "--quiet", "--start-date", DAY, "--end-date", DAY,
            "--regions", "us-east-2", "us-west-2"]
    assert bedrock_tracker_cli.main(base) == 0
    assert "Service tiers:      4 Latency-optimized calls, priced at their tier's rates" in capsys.readouterr().out
    own = (0.0011, 0.0055)  # a negotiated Oregon rate, USD per 1K tokens
    prices = tmp_path / "prices.json"
    prices.write_text(json.dumps({"prices": [{"model": HAIKU, "region": "us-west-2", "mode": "latency",
                                              "input": own[0], "output": own[1]}]}), encoding="utf-8")
    doc = cli_json(capsys, logs, "--start-date", DAY, "--end-date", DAY, "--regions", "us-east-2", "us-west-2",
                   "--prices", str(prices))
    (oregon,) = [row for row in doc["analyses"]["region"] if row["source_region"] == "us-west-2"]
    (_, _, (inp, out)) = UNPRICED[0]
    assert oregon["estimated_cost_usd"] == pytest.approx((inp * own[0] + out * own[1]) / 1000, rel=1e-12)
    assert [row["model_id"] for row in doc["unpriced_models"]] == [f"us.{SONNET_37}"]


NOVA_2_PRO = "amazon.nova-2-pro-preview-20251202-v1:0"  # its Priority rate has no cache read rate, Standard one has


def test_a_cached_call_of_a_mode_without_a_cache_rate_says_that_mode_s_rate_is_missing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The latency-optimized rows carry no cache rate (none is published): a cached call served with optimized latency
    is unpriced for want of the latency-optimized cache read rate, not the model's, which prices a Standard call's
    cache reads; a Priority call likewise."""
    def cached(n: int, model: str, region: str, tier: dict) -> dict:
        record = call(n, model, region, (3_000, 500), tier, tier)
        record["input"]["cacheReadInputTokenCount"] = 2_000
        return record

    priority = {"serviceTier": {"type": "priority"}}
    write_records(tmp_path, [cached(0, HAIKU, "us-east-2", OPTIMIZED), cached(1, HAIKU, "us-east-2", STANDARD),
                             cached(2, NOVA_2_PRO, "us-east-1", priority)])
    doc = cli_json(capsys, tmp_path, "--start-date", DAY, "--end-date", DAY, "--regions", "us-east-1", "us-east-2")
    reasons = {row["model_id"]: (row["calls"], row["cache_read_tokens"], row["reason"])
               for row in doc["unpriced_models"]}
    assert reasons == {
        f"us.{HAIKU}": (1, 2_000, "no latency-optimized cache read price for this model, region and endpoint"),
        f"us.{NOVA_2_PRO}": (1, 2_000, "no priority tier cache read price for this model, region and endpoint")}
    standard = (0.0008, 0.004, 0.00008)  # Claude 3.5 Haiku's list price, USD per 1K input / output / cache read
    assert doc["summary"]["estimated_cost_usd"] == pytest.approx(
        (3_000 * standard[0] + 500 * standard[1] + 2_000 * standard[2]) / 1000, rel=1e-12)
