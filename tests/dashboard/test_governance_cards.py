"""The Governance tab's cost cards when logged calls have no price: the estimate reads as its priced part (or
``unpriced``), never as the whole, and the per-caller difference is not shown. In-process, over real log records
and a real CUR 2.0 export (or CloudWatch's and Cost Explorer's figures for the same calls) through the functions the
tab calls (no Streamlit); expected figures in plain Python."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from bedrock_usage.dashboard.governance_tab import caller_cards, reconciliation_cards
from bedrock_usage.dashboard.text import STRINGS, Text
from bedrock_usage.governance.callers import CallerReconciliation, reconcile_callers
from bedrock_usage.governance.cur import read_cur_dir
from bedrock_usage.governance.reconcile import BilledCost, MeteredUsage, Reconciliation, reconcile
from tests.governance.cur_export import LineItem, write_export
from tests.governance.priced_part_scene import (
    ACCOUNT,
    DAY,
    HAIKU,
    HAIKU_CALL,
    MYSTERY,
    PERIOD,
    REGIONS,
    TOKENS,
    arn,
    bill_items,
    logged_and_billed,
)

CALLS = [("alice", HAIKU), ("alice", HAIKU), ("alice", MYSTERY), ("bob", MYSTERY)]
BILL = [("alice", "Claude3Haiku", 2 * HAIKU_CALL), ("alice", "MysteryModel", 0.70), ("bob", "MysteryModel", 0.30)]
EN, KO = Text("en"), Text("ko")


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The tracker's facts of the logged calls and the bill read from the export, as the tab's loaders read them."""
    facts, billed = logged_and_billed(tmp_path_factory.mktemp("governance-cards"), CALLS, BILL)
    return {"facts": facts, "billed": billed}


def callers(scene: dict, models: set[str]) -> CallerReconciliation:
    """The per-caller comparison of the logged calls of ``models`` with the whole bill."""
    facts = scene["facts"]
    return reconcile_callers(facts.loc[facts["model_id"].isin(models)], scene["billed"], PERIOD, REGIONS, today=DAY)


def test_a_partly_priced_estimate_is_marked_and_gives_no_difference(scene: dict) -> None:
    unpriced = sum(model == MYSTERY for _, model in CALLS)
    billed = sum(cost for *_, cost in BILL)
    rec = callers(scene, {HAIKU, MYSTERY})
    cards = {label: (value, help_text) for label, value, help_text in caller_cards(EN, rec)}
    assert cards["Billed"][0] == f"${billed:,.2f}"
    assert cards["Estimated"][0] == f"${2 * HAIKU_CALL:,.2f} (priced part)"
    assert cards["Estimated"][1].startswith(f"${2 * HAIKU_CALL:,.4f} Only the priced part: {unpriced} logged calls")
    assert cards["Estimated - billed"][0] == "—"
    assert f"leaves out {unpriced} logged calls without a price" in cards["Estimated - billed"][1]
    korean = caller_cards(KO, rec)
    assert korean[1][1] == STRINGS["ko"]["cost_partial"].format(amount=f"${2 * HAIKU_CALL:,.2f}")
    assert korean[2][1] == "—" and f"{unpriced}건" in korean[2][2]


def test_an_estimate_with_no_priced_call_reads_unpriced(scene: dict) -> None:
    _, estimated, difference, _ = caller_cards(EN, callers(scene, {MYSTERY}))
    assert estimated[1:] == ("unpriced", STRINGS["en"]["cost_unpriced_help"])
    assert difference[1] == "—"


def test_an_all_priced_estimate_keeps_its_difference(scene: dict) -> None:
    _, estimated, difference, _ = caller_cards(EN, callers(scene, {HAIKU}))
    assert estimated[1:] == (f"${2 * HAIKU_CALL:,.2f}", f"${2 * HAIKU_CALL:,.4f}")
    gap = 2 * HAIKU_CALL - sum(cost for *_, cost in BILL)
    assert difference[1:] == (f"-${-gap:,.2f}", f"-${-gap:,.4f}")


def reconciled(scene: dict, models: set[str], batch: float = 0.0) -> Reconciliation:
    """The logged calls of ``models`` against CloudWatch's count of every call and Cost Explorer's bill of them (and
    a batch job's ``batch`` charge, when given)."""
    facts = scene["facts"]
    metered = pd.DataFrame([{"region": "us-east-1", "utc_day": DAY.isoformat(), "model_key": model,
                             "metered_calls": sum(m == model for _, m in CALLS),
                             "metered_input_tokens": TOKENS[0] * sum(m == model for _, m in CALLS),
                             "metered_output_tokens": TOKENS[1] * sum(m == model for _, m in CALLS)}
                            for model in (HAIKU, MYSTERY)])
    failures = pd.DataFrame(columns=["region", "utc_day", "delivery_failures"])
    charges = pd.DataFrame([{"utc_day": DAY.isoformat(), "region": "us-east-1", "service": "Amazon Bedrock",
                             "usage_type": f"USE1-{token}-input-tokens", "kind": "input", "model": None,
                             "billed_cost_usd": cost, "batch": False} for _, token, cost in BILL])
    if batch:
        charges.loc[len(charges)] = [DAY.isoformat(), "us-east-1", "Amazon Bedrock", "USE1-NovaLite-input-tokens-batch",
                                     "input", "Nova Lite", batch, True]
    return reconcile(facts.loc[facts["model_id"].isin(models)], MeteredUsage(metered, failures), BilledCost(charges),
                     PERIOD, REGIONS, today=DAY)


def test_the_reconciliation_estimate_is_marked_when_some_calls_have_no_price(scene: dict) -> None:
    unpriced = sum(model == MYSTERY for _, model in CALLS)
    billed = sum(cost for *_, cost in BILL)
    rec = reconciled(scene, {HAIKU, MYSTERY})
    *_, (label, value, help_text), billed_card = reconciliation_cards(EN, rec)
    assert (label, value) == ("Estimated cost", f"${2 * HAIKU_CALL:,.2f} (priced part)")
    assert help_text.startswith(f"${2 * HAIKU_CALL:,.4f} Only the priced part: {unpriced} logged calls")
    assert billed_card[1:] == (f"${billed:,.2f}", f"${billed:,.4f}")
    korean = reconciliation_cards(KO, rec)[3]
    assert korean[1] == STRINGS["ko"]["cost_partial"].format(amount=f"${2 * HAIKU_CALL:,.2f}")
    assert reconciliation_cards(EN, reconciled(scene, {MYSTERY}))[3][1] == "unpriced"
    priced = reconciliation_cards(EN, reconciled(scene, {HAIKU}))[3]
    assert priced[1:] == (f"${2 * HAIKU_CALL:,.2f}", f"${2 * HAIKU_CALL:,.4f}")


BATCH = 0.80  # a batch job's charge of the day: in the bill, in no comparison


def test_the_cards_show_the_batch_bill_beside_billed_and_estimated(scene: dict, tmp_path: Path) -> None:
    billed = sum(cost for *_, cost in BILL)
    cards = reconciliation_cards(EN, reconciled(scene, {HAIKU}, BATCH))
    assert cards[-2][1:] == (f"${billed + BATCH:,.2f}", f"${billed + BATCH:,.4f}")  # the whole bill
    assert cards[-1] == ("Batch billed (apart)", f"${BATCH:,.2f}", f"${BATCH:,.4f} {STRINGS['en']['rec_batch_help']}")
    assert reconciliation_cards(KO, reconciled(scene, {HAIKU}, BATCH))[-1] == (
        STRINGS["ko"]["rec_batch"], f"${BATCH:,.2f}", f"${BATCH:,.4f} {STRINGS['ko']['rec_batch_help']}")
    assert "Batch billed (apart)" not in [label for label, *_ in reconciliation_cards(EN, reconciled(scene, {HAIKU}))]

    job = LineItem(ACCOUNT, arn("alice"), "AmazonBedrock", "Amazon Bedrock", "USE1-NovaLite-input-tokens-batch",
                   "us-east-1", DAY, BATCH, 16_000_000)
    bill = read_cur_dir(write_export(tmp_path, [*bill_items(BILL), job]), PERIOD, ACCOUNT)
    rec = reconcile_callers(scene["facts"], bill, PERIOD, REGIONS, today=DAY)
    cards = caller_cards(EN, rec)
    assert cards[0][1] == f"${billed:,.2f}"  # the callers' bill: the batch job is on no caller
    assert cards[-1] == ("Batch billed", f"${BATCH:,.2f}", f"${BATCH:,.4f} {STRINGS['en']['callers_batch_help']}")
    assert caller_cards(KO, rec)[-1][0] == STRINGS["ko"]["callers_batch"]
    assert len(caller_cards(EN, callers(scene, {HAIKU}))) == 4  # no batch job, no batch card


def test_the_caller_cards_keep_batch_of_regions_not_read_with_their_bill(scene: dict, tmp_path: Path) -> None:
    """A batch job and an on-demand line in eu-west-1, whose logs are not read: the Batch billed card holds the regions
    read's job alone, a Regions not read card both eu-west-1 lines (as the CLI's summary and Per month table do), and
    the billed cards add up to the bill."""
    read_job = LineItem(ACCOUNT, arn("alice"), "AmazonBedrock", "Amazon Bedrock", "USE1-NovaLite-input-tokens-batch",
                        "us-east-1", DAY, BATCH, 16_000_000)
    unread = [LineItem(ACCOUNT, arn("erin"), "AmazonBedrock", "Amazon Bedrock", "EU-Claude3Haiku-input-tokens-batch",
                       "eu-west-1", DAY, 0.625, 5_000_000),
              LineItem(ACCOUNT, arn("erin"), "AmazonBedrock", "Amazon Bedrock", "EU-Claude3Haiku-input-tokens",
                       "eu-west-1", DAY, 0.25, 1_000_000)]
    items = [*bill_items(BILL), read_job, *unread]
    rec = reconcile_callers(scene["facts"], read_cur_dir(write_export(tmp_path, items), PERIOD, ACCOUNT), PERIOD,
                            REGIONS, today=DAY)
    cards = {label: (value, help_text) for label, value, help_text in caller_cards(EN, rec)}
    amounts = {"Billed": sum(cost for *_, cost in BILL), "Batch billed": BATCH,
               "Regions not read": sum(item.cost for item in unread)}
    for label, amount in amounts.items():
        assert cards[label][0] == f"${amount:,.2f}", label
    assert cards["Billed, no principal"][0] == "—"  # every line names its principal
    assert cards["Regions not read"][1] == f"${amounts['Regions not read']:,.4f} {STRINGS['en']['callers_unread_help']}"
    assert sum(amounts.values()) == pytest.approx(sum(item.cost for item in items))
    assert rec.summary()["billed_total_usd"] == pytest.approx(sum(item.cost for item in items))
    assert caller_cards(KO, rec)[-1][0] == STRINGS["ko"]["callers_unread"]
    assert dict(zip(rec.batch["region"], rec.batch["region_not_read"], strict=True)) == {"us-east-1": False,
                                                                                        "eu-west-1": True}


def test_batch_help_says_why_in_the_clis_words() -> None:
    """Both batch cards' ? say why batch is never compared as the CLI's warnings do (Amazon Bedrock User Guide:
    batch jobs write to their own S3 location, and only runtime calls log), in English and in Korean."""
    why = {"en": "batch inference jobs write their results to the job's own S3 location, never to model invocation "
                 "logs",
           "ko": "배치 추론 작업은 결과를 작업 자체의 S3 위치에 쓰며 모델 호출 로그에는 절대 쓰지 않습니다"}
    for lang, sentence in why.items():
        for key in ("rec_batch_help", "callers_batch_help"):
            assert f": {sentence}. " in STRINGS[lang][key], (lang, key)
