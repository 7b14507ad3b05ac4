"""Per-caller rows with logged calls without a price: their estimate is the priced part, so no difference or ratio
is given (JSON null, CSV empty, terminal —), where a row of priced calls keeps its own. In-process, over real log
records and a real CUR 2.0 export; expected figures in plain Python from published prices."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from bedrock_usage.governance.callers import CallerReconciliation, reconcile_callers
from bedrock_usage.governance.render import callers_document, callers_frames, callers_text
from bedrock_usage.output.files import write_csv
from bedrock_usage.output.json_values import document_text
from tests.governance.priced_part_scene import DAY, HAIKU, HAIKU_CALL, MYSTERY, PERIOD, REGIONS, logged_and_billed

CALLS = [("alice", HAIKU), ("alice", HAIKU), ("bob", HAIKU), ("bob", MYSTERY)]
BILL = [("alice", "Claude3Haiku", 0.90), ("bob", "Claude3Haiku", 0.50), ("bob", "MysteryModel", 0.70)]


@pytest.fixture(scope="module")
def rec(tmp_path_factory: pytest.TempPathFactory) -> CallerReconciliation:
    facts, billed = logged_and_billed(tmp_path_factory.mktemp("caller-unpriced"), CALLS, BILL)
    return reconcile_callers(facts, billed, PERIOD, REGIONS, today=DAY)


def expected() -> dict[str, dict]:
    """Per user: billed, the priced part of the estimate and the calls without a price."""
    rows = {user: {"billed": 0.0, "estimated": 0.0, "unpriced": 0} for user, _ in CALLS}
    for user, _, cost in BILL:
        rows[user]["billed"] += cost
    for user, model in CALLS:
        if model == HAIKU:
            rows[user]["estimated"] += HAIKU_CALL
        else:
            rows[user]["unpriced"] += 1
    return rows


def test_json_gives_no_difference_where_calls_have_no_price(rec: CallerReconciliation) -> None:
    doc = json.loads(document_text(callers_document(rec)))
    want = expected()
    alice, bob = want["alice"], want["bob"]
    callers = {row["user"]: row for row in doc["by_caller"]}
    assert callers["alice"]["difference_usd"] == pytest.approx(alice["estimated"] - alice["billed"], abs=1e-9)
    assert callers["bob"]["estimated_cost_usd"] == pytest.approx(bob["estimated"], abs=1e-9)
    assert callers["bob"]["unpriced_calls"] == bob["unpriced"] and callers["bob"]["difference_usd"] is None
    assert callers["alice"]["ratio"] == pytest.approx(alice["estimated"] / alice["billed"])
    assert callers["bob"]["ratio"] is None
    days = {row["user"]: row for row in doc["by_caller_day"]}
    assert days["alice"]["difference_usd"] == pytest.approx(alice["estimated"] - alice["billed"], abs=1e-9)
    assert days["bob"]["difference_usd"] is None and days["bob"]["ratio"] is None
    for row in doc["by_caller_model"]:
        if row["unpriced_calls"]:
            assert row["difference_usd"] is None and row["ratio"] is None, row
    bob_haiku = [row for row in doc["by_caller_model"] if row["user"] == "bob" and row["model"] == "Claude 3 Haiku"]
    assert [row["difference_usd"] for row in bob_haiku] == [pytest.approx(HAIKU_CALL - 0.50, abs=1e-9)]
    assert [row["difference_usd"] for row in doc["by_month"]] == [None]
    summary = doc["summary"]
    assert summary["difference_usd"] is None
    assert summary["unpriced_calls"] == sum(row["unpriced"] for row in want.values())
    assert summary["estimated_cost_usd"] == pytest.approx(sum(row["estimated"] for row in want.values()), abs=1e-9)


def test_csv_leaves_the_difference_empty(rec: CallerReconciliation, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "caller.csv", callers_frames(rec)["caller"])
    with path.open(newline="", encoding="utf-8") as handle:
        rows = {row["user"]: row for row in csv.DictReader(handle)}
    alice = expected()["alice"]
    assert float(rows["alice"]["difference_usd"]) == pytest.approx(alice["estimated"] - alice["billed"], abs=1e-6)
    assert rows["bob"]["difference_usd"] == "" and rows["bob"]["ratio"] == ""


def test_terminal_marks_the_priced_part_and_withholds_the_difference(rec: CallerReconciliation) -> None:
    want = expected()
    alice, bob = want["alice"], want["bob"]
    text = callers_text(rec)
    lines = {line.split()[1]: line for line in text.split("Per caller\n", 1)[1].split("\n\n", 1)[0].splitlines()[2:]}
    assert f"${bob['estimated']:,.4f} (priced part)" in lines["bob"] and lines["bob"].split()[-2:] == ["—", "—"]
    assert lines["alice"].split()[-2:] == [f"${alice['estimated'] - alice['billed']:,.4f}",
                                           f"{alice['estimated'] / alice['billed']:.1f}x"]
    estimated = sum(row["estimated"] for row in want.values())
    assert f"estimated ${estimated:,.4f} (priced part), difference —;" in text
