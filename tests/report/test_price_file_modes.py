"""A user's price file that prices a model's standard calls only: its calls served with optimized latency, in the
Flex or in the Priority tier take the built-in book's rate of their mode, and the report says so in one line naming
the model, the mode, those calls and the rate they took, as it does for calls of another family, Region or tier.

Expected figures are the published rates written out: Claude 3.5 Haiku's latency-optimized rate in US East (Ohio)
(the consolidated Claude table's note "latency-optimized (us-east-2) is 0.001/0.005"), gpt-oss-120b's Standard list
price and the Flex and Priority factors of the Amazon Bedrock pricing page (``tests/oracle.py``'s copy)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from bedrock_usage.engines.local import LocalEngine
from bedrock_usage.engines.queries import Filters
from bedrock_usage.logs.period import resolve_period
from bedrock_usage.pricing import PriceBook
from bedrock_usage.report.tracker import BedrockAthenaTracker, narrowed
from tests.logfiles import ACCOUNT, cli_json, write_records
from tests.oracle import MODELS, TIER_FACTORS

DAY = "2026-11-03"
HAIKU = "anthropic.claude-3-5-haiku-20241022-v1:0"
GPT_OSS = "openai.gpt-oss-120b-1:0"
LATENCY_HAIKU = (0.001, 0.005)  # USD per 1K input / output tokens, us-east-2
OWN = {HAIKU: (0.0006, 0.003), GPT_OSS: (0.0001, 0.0004)}  # negotiated standard rates, USD per 1K tokens
OPTIMIZED = {"performanceConfig": {"latency": "optimized"}}
CALLS = [  # (logged model id, Region, input and output tokens, what the bodies say of the tier, the mode priced)
    (f"us.{HAIKU}", "us-east-2", (12_000, 3_000), OPTIMIZED, "latency"),
    (f"us.{HAIKU}", "us-east-2", (4_000, 1_000), OPTIMIZED, "latency"),
    (f"us.{HAIKU}", "us-east-2", (2_000, 400), {}, "standard"),
    (GPT_OSS, "us-west-2", (10_000, 4_000), {"serviceTier": {"type": "flex"}}, "flex"),
    (GPT_OSS, "us-west-2", (6_000, 2_000), {"serviceTier": {"type": "priority"}}, "priority"),
    (GPT_OSS, "us-west-2", (3_000, 1_000), {}, "standard"),
]
REGIONS = ("us-east-2", "us-west-2")


def rates(model: str, mode: str) -> tuple[float, float]:
    """The rates (input, output per 1K tokens) a call of ``model`` in ``mode`` costs with the price file."""
    if mode == "standard":
        return OWN[model]
    if mode == "latency":
        return LATENCY_HAIKU
    listed = MODELS[model]["regional"]
    return listed[0] * TIER_FACTORS[model][mode], listed[1] * TIER_FACTORS[model][mode]


def call(n: int, model_id: str, region: str, tokens: tuple[int, int], tier: dict) -> dict:
    body = {"messages": [{"role": "user", "content": [{"text": "prompt"}]}], **tier}
    return {"schemaType": "ModelInvocationLog", "schemaVersion": "1.0", "timestamp": f"{DAY}T09:{n:02d}:00Z",
            "accountId": ACCOUNT, "identity": {"arn": f"arn:aws:iam::{ACCOUNT}:user/dev"}, "region": region,
            "requestId": f"m-{n}", "operation": "Converse", "modelId": model_id,
            "input": {"inputTokenCount": tokens[0], "inputBodyJson": body},
            "output": {"outputTokenCount": tokens[1], "outputBodyJson": {"stopReason": "end_turn", **tier}}}


@pytest.fixture(scope="module")
def priced(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The logs of ``CALLS`` and a price file of standard rows for both models."""
    root = tmp_path_factory.mktemp("modes")
    write_records(root / "logs", [call(n, model, region, tokens, tier)
                                  for n, (model, region, tokens, tier, _) in enumerate(CALLS)])
    prices = root / "prices.json"
    prices.write_text(json.dumps({"prices": [{"model": model, "input": own[0], "output": own[1]}
                                             for model, own in OWN.items()]}), encoding="utf-8")
    return root / "logs", prices


EXPECTED = [
    "Claude 3.5 Haiku (anthropic.claude-3-5-haiku-20241022-v1:0): your price file has no latency row for its "
    "regional endpoint family; 2 calls from us-east-2 served with optimized latency took the built-in book's latency "
    "rate ($0.001 input / $0.005 output per 1K tokens; add a row with \"mode\": \"latency\" for yours there)",
    "gpt-oss-120b (openai.gpt-oss-120b-1:0): your price file has no flex row for its regional endpoint family; "
    "1 call from us-west-2 served in the Flex tier took the built-in book's flex rate ($0.000075 input / $0.0003 "
    "output per 1K tokens; add a row with \"mode\": \"flex\" for yours there)",
    "gpt-oss-120b (openai.gpt-oss-120b-1:0): your price file has no priority row for its regional endpoint family; "
    "1 call from us-west-2 served in the Priority tier took the built-in book's priority rate ($0.0002625 input / "
    "$0.00105 output per 1K tokens; add a row with \"mode\": \"priority\" for yours there)",
]


def test_calls_of_a_mode_the_price_file_lacks_say_which_built_in_rate_they_took(
        priced: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    logs, prices = priced
    assert (rates(GPT_OSS, "flex"), rates(GPT_OSS, "priority")) == (
        pytest.approx((0.000075, 0.0003)), pytest.approx((0.0002625, 0.00105)))  # the rates the lines name
    doc = cli_json(capsys, logs, "--start-date", DAY, "--end-date", DAY, "--regions", *REGIONS, "--prices",
                   str(prices))
    assert [line for line in doc["warnings"] if "your price file" in line] == EXPECTED
    cost = {model: 0.0 for model in OWN}
    for model_id, _, (inp, out), _, mode in CALLS:
        model = model_id.removeprefix("us.")
        cost[model] += (inp * rates(model, mode)[0] + out * rates(model, mode)[1]) / 1000
    by_model = {row["base_model_id"]: row["estimated_cost_usd"] for row in doc["analyses"]["model"]}
    assert by_model == {model: pytest.approx(total, rel=1e-12) for model, total in cost.items()}
    assert doc["summary"]["unpriced_calls"] == 0


def test_the_terminal_and_a_drill_down_say_it_and_a_row_of_the_mode_silences_it(
        priced: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import bedrock_tracker_cli

    logs, prices = priced
    assert bedrock_tracker_cli.main(["--engine", "local", "--logs-dir", str(logs), "--quiet", "--start-date", DAY,
                                     "--end-date", DAY, "--regions", *REGIONS, "--prices", str(prices)]) == 0
    out = capsys.readouterr().out
    assert all(f"  - {line}\n" in out for line in EXPECTED), out
    report = BedrockAthenaTracker(LocalEngine(logs, cache=False), PriceBook.load(prices)).analyze(
        resolve_period(start=DAY, end=DAY), REGIONS, Filters())
    drilled = narrowed(report, pd.Series(report.facts["base_model_id"] == GPT_OSS))
    assert [line for line in drilled.warnings if "your price file" in line] == EXPECTED[1:]
    own_flex = (0.00005, 0.0002)
    rows = [*json.loads(prices.read_text())["prices"],
            {"model": GPT_OSS, "mode": "flex", "input": own_flex[0], "output": own_flex[1]}]
    with_flex = tmp_path / "prices.json"
    with_flex.write_text(json.dumps({"prices": rows}), encoding="utf-8")
    report = BedrockAthenaTracker(LocalEngine(logs, cache=False), PriceBook.load(with_flex)).analyze(
        resolve_period(start=DAY, end=DAY), REGIONS, Filters())
    assert [line for line in report.warnings if "your price file" in line] == [EXPECTED[0], EXPECTED[2]]
    flex = report.facts.loc[report.facts["service_tier"] == "flex", "estimated_cost_usd"].sum()
    assert flex == pytest.approx((10_000 * own_flex[0] + 4_000 * own_flex[1]) / 1000, rel=1e-12)
