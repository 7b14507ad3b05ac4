"""Bill lines of the Flex and Priority tiers and of latency-optimized inference beside the logged calls they bill.

One caller's Nova Pro calls of one day, one in each of Standard, Flex and Priority (us-east-1) and one served with
optimized latency (us-east-2), logged as the service writes them, and billed under the usage types public Price
List readers quote from the live ``AmazonBedrock`` offer (``USE1-NovaPro-input-tokens-priority``,
``USE1-NovaPro-output-tokens-flex``, ``USE1-NovaPro-input-tokens-latency-optimized``), Priority at a discount. Two
more lines name no tier a source shows: reserved capacity (the shape of
``EU-Claude4.5Sonnet-reserved-1-month-input-tokens-per-minute-cross-region-global``, tests/fixtures/pricing/README.md)
and a word no source has. The bill per caller (a CUR 2.0 export) and Cost Explorer's charges are compared with the
tracker's facts in process; the expected figures are the test's own line items and tests/oracle.py's prices.
"""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest

from bedrock_usage.engines.local import LocalEngine
from bedrock_usage.governance.callers import CallerReconciliation, reconcile_callers
from bedrock_usage.governance.cur import read_cur_dir
from bedrock_usage.governance.reconcile import (
    CHARGE_COLUMNS,
    BilledCost,
    MeteredUsage,
    Reconciliation,
    charge_row,
    reconcile,
)
from bedrock_usage.governance.render import callers_text, reconciliation_text
from bedrock_usage.logs.period import Period
from bedrock_usage.report.tracker import BedrockAthenaTracker
from tests.governance.cur_export import LineItem, write_export
from tests.logfiles import ACCOUNT, write_records
from tests.oracle import call_cost

DAY = date(2025, 11, 3)
PERIOD = Period(DAY, DAY)
REGIONS = ("us-east-1", "us-east-2")
ALICE = f"arn:aws:iam::{ACCOUNT}:user/alice"
NOVA_PRO = "us.amazon.nova-pro-v1:0"
TOKENS = (200_000, 50_000)
# Amazon Nova Pro with latency optimized inference, US East (Ohio): $1.00 / $4.00 per million input / output tokens
# (aws.amazon.com/bedrock/pricing, "Amazon Nova Pro (w/ latency optimized inference)"); the oracle prices no such call.
LATENCY_PER_1K = (0.001, 0.004)
PRIORITY_DISCOUNT = 0.9  # the bill's Priority lines at 90 % of list price
# How each call is served: (region code, region, the usage types' tail after the kind of token, logged bodies).
TIERS = {
    "standard": ("USE1", "us-east-1", "", {}),
    "flex": ("USE1", "us-east-1", "-flex", {"output": {"serviceTier": {"type": "flex"}}}),
    "priority": ("USE1", "us-east-1", "-priority", {"output": {"serviceTier": {"type": "priority"}}}),
    "latency": ("USE2", "us-east-2", "-latency-optimized",
                {"input": {"performanceConfig": {"latency": "optimized"}},
                 "output": {"performanceConfig": {"latency": "optimized"}}}),
}
UNKNOWN = {"USE1-NovaPro-reserved-1-month-input-tokens-per-minute": 2.0, "USE1-NovaPro-input-tokens-turbo": 0.3}


def record(n: int, mode: str) -> dict:
    """Alice's call served in ``mode``, as its invocation log holds it."""
    _, region, _, bodies = TIERS[mode]
    call = {"timestamp": f"{DAY.isoformat()}T10:{n:02d}:00Z", "region": region, "requestId": f"r{n}",
            "identity": {"arn": ALICE}, "operation": "Converse", "modelId": NOVA_PRO,
            "input": {"inputTokenCount": TOKENS[0]}, "output": {"outputTokenCount": TOKENS[1]}}
    for side in ("input", "output"):
        if side in bodies:
            call[side][f"{side}BodyJson"] = bodies[side]
    return call


def list_cost(mode: str) -> tuple[float, float]:
    """(input, output) list cost of one call served in ``mode``: the oracle's, or the published latency rate."""
    if mode == "latency":
        return TOKENS[0] * LATENCY_PER_1K[0] / 1000, TOKENS[1] * LATENCY_PER_1K[1] / 1000
    terms = call_cost(record(0, mode), DAY)
    assert terms is not None, mode
    return terms[0], terms[1]


def bill() -> dict[tuple[str, str], float]:
    """(usage type, region) -> billed cost: each call's input and output lines, then the lines of no known tier."""
    lines = {}
    for mode, (code, region, tail, _) in TIERS.items():
        factor = PRIORITY_DISCOUNT if mode == "priority" else 1.0
        for kind, cost in zip(("input", "output"), list_cost(mode), strict=True):
            lines[(f"{code}-NovaPro-{kind}-tokens{tail}", region)] = cost * factor
    return lines | {(usage_type, "us-east-1"): cost for usage_type, cost in UNKNOWN.items()}


@pytest.fixture(scope="module")
def facts(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    root = tmp_path_factory.mktemp("tiers")
    write_records(root / "logs", [record(n, mode) for n, mode in enumerate(TIERS)])
    return BedrockAthenaTracker(LocalEngine(root / "logs", cache=False)).analyze(PERIOD, list(REGIONS)).facts


@pytest.fixture(scope="module")
def callers(facts: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> CallerReconciliation:
    items = [LineItem(ACCOUNT, ALICE, "AmazonBedrock", "Amazon Bedrock", usage_type, region, DAY, cost, 1)
             for (usage_type, region), cost in bill().items()]
    billed = read_cur_dir(write_export(tmp_path_factory.mktemp("tier-bill"), items), PERIOD, ACCOUNT)
    return reconcile_callers(facts, billed, PERIOD, REGIONS, today=date(2026, 1, 1))


@pytest.fixture(scope="module")
def explorer(facts: pd.DataFrame) -> Reconciliation:
    rows = [charge_row(DAY.isoformat(), "Amazon Bedrock", usage_type, cost) for (usage_type, _), cost in bill().items()]
    metered = MeteredUsage(pd.DataFrame(columns=["region", "utc_day", "model_key", "metered_calls",
                                                 "metered_input_tokens", "metered_output_tokens"]),
                           pd.DataFrame(columns=["region", "utc_day", "delivery_failures"]))
    return reconcile(facts, metered, BilledCost(pd.DataFrame(rows, columns=CHARGE_COLUMNS)), PERIOD, REGIONS,
                     today=date(2026, 1, 1))


def billed_in(mode: str) -> float:
    """What the bill holds for ``mode``: its two lines."""
    code, _, tail, _ = TIERS[mode]
    return math.fsum(cost for (usage_type, _), cost in bill().items()
                     if usage_type in (f"{code}-NovaPro-input-tokens{tail}", f"{code}-NovaPro-output-tokens{tail}"))


def test_each_tiers_bill_meets_the_estimate_of_that_tier(callers: CallerReconciliation) -> None:
    rows = callers.by_caller_model.set_index(["user", "model", "mode"])
    assert set(rows.index) == {("alice", "Nova Pro", mode) for mode in [*TIERS, "(tier not recognised)"]}
    for mode in TIERS:
        row = rows.loc[("alice", "Nova Pro", mode)]
        estimated = math.fsum(list_cost(mode))
        assert (row["status"], row["logged_calls"]) == ("billed and logged", 1), mode
        assert row["estimated_cost_usd"] == pytest.approx(estimated, abs=1e-12), mode
        assert row["billed_cost_usd"] == pytest.approx(billed_in(mode), abs=1e-12), mode
        assert row["difference_usd"] == pytest.approx(estimated - billed_in(mode), abs=1e-12), mode
    assert rows.loc[("alice", "Nova Pro", "priority"), "difference_usd"] > 0.05  # the discount, in its own row
    unknown = rows.loc[("alice", "Nova Pro", "(tier not recognised)")]
    assert unknown["status"] == "billed, no logs" and unknown["logged_calls"] == 0
    assert unknown["billed_cost_usd"] == pytest.approx(sum(UNKNOWN.values()), abs=1e-12)
    assert pd.isna(unknown["estimated_cost_usd"]) and pd.isna(unknown["difference_usd"])
    [caller] = callers.by_caller.to_dict("records")
    assert caller["billed_cost_usd"] == pytest.approx(math.fsum(bill().values()), abs=1e-12)  # the whole bill


def test_a_line_of_no_known_tier_is_named_with_its_amount(callers: CallerReconciliation) -> None:
    [line] = [w for w in callers.warnings if "naming no tier" in w]
    assert line.startswith(f"${sum(UNKNOWN.values()):,.4f} was billed under 2 usage types naming no tier")
    for usage_type, cost in UNKNOWN.items():
        assert f"{usage_type} (${cost:,.4f})" in line
    assert line.endswith("counted in their callers' bill and, per caller and model, under the mode (tier not "
                         "recognised)")
    text = callers_text(callers)
    assert "Per caller, model and mode" in text and "(tier not recognised)" in text


def test_cost_explorer_compares_each_model_per_mode(explorer: Reconciliation) -> None:
    rows = explorer.cost_by_model_day.set_index(["region", "model", "mode"])
    want = {(TIERS[mode][1], "Nova Pro", mode): mode for mode in TIERS}
    assert set(rows.index) == set(want)
    for key, mode in want.items():
        estimated = math.fsum(list_cost(mode))
        assert rows.loc[key, "estimated_cost_usd"] == pytest.approx(estimated, abs=1e-12), mode
        assert rows.loc[key, "billed_cost_usd"] == pytest.approx(billed_in(mode), abs=1e-12), mode
    unmapped = explorer.unmapped_charges.set_index("usage_type")["billed_cost_usd"].to_dict()
    assert unmapped == pytest.approx(UNKNOWN)
    days = explorer.by_region_day.set_index("region")["billed_cost_usd"]
    assert days["us-east-1"] == pytest.approx(math.fsum(
        cost for (_, region), cost in bill().items() if region == "us-east-1"), abs=1e-12)
    [line] = [w for w in explorer.warnings if "naming no tier" in w]
    assert line.endswith("counted in the region-day totals and among the charges not tied to a model or tier")
    assert "Billed usage types not tied to a model or a tier" in reconciliation_text(explorer)
