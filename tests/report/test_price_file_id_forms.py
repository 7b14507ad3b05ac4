"""A user's price row naming a model by another form of its id (without ``:0`` or ``-v1:0``, or by the alias the
book lists beside the dated id) prices the model's calls exactly as a row under the book's own id does; a row naming
a model no call reaches is named in the report's warnings."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from bedrock_usage.engines.local import LocalEngine
from bedrock_usage.engines.queries import Filters
from bedrock_usage.logs.period import resolve_period
from bedrock_usage.pricing import PriceBook
from bedrock_usage.report.tracker import BedrockAthenaTracker, UsageReport
from tests.logfiles import ACCOUNT, write_records

DATED = "anthropic.claude-haiku-4-5-20251001-v1:0"
ALIAS = "anthropic.claude-haiku-4-5"
DAY = "2025-11-02"
OWN = {"input": 0.0005, "output": 0.0025}  # a negotiated regional price, half the list price
LOGGED = (DATED, f"us.{DATED}")  # an in-region and a geo call: the regional family
FORMS = (DATED, "anthropic.claude-haiku-4-5-20251001-v1", "anthropic.claude-haiku-4-5-20251001", ALIAS)


def call(n: int, model_id: str) -> dict:
    return {"timestamp": f"{DAY}T10:{n:02d}:00Z", "accountId": ACCOUNT, "region": "us-east-1",
            "identity": {"arn": f"arn:aws:iam::{ACCOUNT}:user/ana"}, "requestId": f"r-{n}", "operation": "Converse",
            "modelId": model_id, "input": {"inputTokenCount": 1000}, "output": {"outputTokenCount": 100}}


def price_file(tmp_path: Path, rows: list[dict]) -> Path:
    path = tmp_path / "prices.json"
    path.write_text(json.dumps({"prices": rows}), encoding="utf-8")
    return path


def analyse(tmp_path: Path, prices: Path, models: tuple[str, ...] = LOGGED, filters: Filters | None = None,
            user_pattern: str | None = None) -> UsageReport:
    logs = tmp_path / "logs"
    write_records(logs, [call(n, model) for n, model in enumerate(models)])
    tracker = BedrockAthenaTracker(LocalEngine(logs, cache=False), PriceBook.load(prices))
    return tracker.analyze(resolve_period(start=DAY, end=DAY), ("us-east-1",), filters or Filters(), user_pattern)


@pytest.mark.parametrize("form", FORMS)
def test_a_row_under_any_form_of_the_id_prices_the_models_calls(tmp_path: Path, form: str) -> None:
    report = analyse(tmp_path, price_file(tmp_path, [{"model": form, **OWN}]))
    expected = len(LOGGED) * (1000 * OWN["input"] + 100 * OWN["output"]) / 1000
    assert report.summary["estimated_cost_usd"] == pytest.approx(expected, rel=1e-12)
    assert not [line for line in report.warnings if "price file" in line]


@pytest.mark.parametrize("form", FORMS)
def test_the_row_is_listed_under_every_book_id_of_the_model(tmp_path: Path, form: str) -> None:
    book = PriceBook.load(price_file(tmp_path, [{"model": form, **OWN}]))
    listed = book.table(model="haiku-4-5", family="regional", mode="standard")
    assert {(row.model, row.own, row.input, row.output) for row in listed} == {
        (model, True, OWN["input"], OWN["output"]) for model in (ALIAS, DATED)}



# The id Bedrock Runtime logs and the bedrock-mantle endpoint's id of one model (AWS's model cards, as the price book's
# TWINS cite them), each way round: a row under one prices calls logged under the other.
TWIN_IDS = [("moonshotai.kimi-k2-thinking", "moonshot.kimi-k2-thinking"),
            ("moonshot.kimi-k2-thinking", "moonshotai.kimi-k2-thinking"),
            ("qwen.qwen3-coder-30b-a3b-instruct", "qwen.qwen3-coder-30b-a3b-v1:0"),
            ("openai.gpt-oss-120b", "openai.gpt-oss-120b-1:0")]
OWN_TWIN = {"input": 0.0001, "output": 0.0002}  # a negotiated price below every list price of these models


@pytest.mark.parametrize(("named", "logged"), TWIN_IDS)
def test_a_row_under_one_twin_id_prices_the_calls_logged_under_the_other(tmp_path: Path, named: str,
                                                                          logged: str) -> None:
    """The row replaced the list price under its own id only: calls under the twin id kept the list price."""
    report = analyse(tmp_path, price_file(tmp_path, [{"model": named, **OWN_TWIN}]), (logged, logged))
    expected = 2 * (1000 * OWN_TWIN["input"] + 100 * OWN_TWIN["output"]) / 1000
    assert report.summary["estimated_cost_usd"] == pytest.approx(expected, rel=1e-12)
    book = PriceBook.load(price_file(tmp_path, [{"model": named, **OWN_TWIN}]))
    assert {row.model for row in book.rows if row.own} == {named, logged}

def test_a_dated_id_the_book_lacks_stays_a_model_of_its_own(tmp_path: Path) -> None:
    """A newer dated version of a known model is not the book's version: its row prices its own calls only."""
    newer = "anthropic.claude-haiku-4-5-20260301-v1:0"
    book = PriceBook.load(price_file(tmp_path, [{"model": newer, "name": "Haiku next", **OWN}]))
    quote, listed = (book.quote(model, "us-east-1", date.fromisoformat(DAY)) for model in (newer, DATED))
    assert quote and (quote.row.model, quote.row.input) == (newer, OWN["input"])
    assert listed and not listed.row.own


def test_a_row_no_call_reaches_is_named_in_the_warnings(tmp_path: Path) -> None:
    typo = "anthropic.claude-haiku-45"
    report = analyse(tmp_path, price_file(tmp_path, [{"model": typo, **OWN}, {"model": ALIAS, **OWN}]))
    assert [line for line in report.warnings if "price no call" in line] == [
        f"your price file's rows for {typo} price no call of the period: no logged model id is {typo}, with or "
        "without -v1/:0 (check it against the logged modelId, or name a model pricing.py lists)"]
    # a model only the file knows, called under its -v1 form, is reached: no such line
    private = analyse(tmp_path / "private", price_file(tmp_path, [{"model": "example.private-v1:0", **OWN}]),
                      ("example.private-v1",))
    assert not [line for line in private.warnings if "price no call" in line]
    assert private.summary["estimated_cost_usd"] == pytest.approx((1000 * OWN["input"] + 100 * OWN["output"]) / 1000)


def test_a_filtered_report_names_no_row_as_unused(tmp_path: Path) -> None:
    """The filter hides calls a row of a model only the file knows prices: no line says the row prices none."""
    private, other = "example.private-v1:0", "amazon.nova-micro-v1:0"
    logged = (private, other)
    prices = price_file(tmp_path, [{"model": private, **OWN}])
    hidden = {"model": Filters(models=(other,)), "arn": Filters(arn_pattern="user/nobody"), "user": Filters()}
    for name, filters in hidden.items():
        report = analyse(tmp_path / name, prices, logged, filters, "nobody" if name == "user" else None)
        assert not [line for line in report.warnings if "price no call" in line], name
    assert [line for line in analyse(tmp_path / "all", prices, (other,)).warnings if "price no call" in line]
