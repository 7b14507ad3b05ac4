"""The Amazon Q / Kiro tab's cost cards compare like with like: the card beside the subscription holds the virtual
cost of the Amazon Q Developer requests the subscription is set against, and the total with Kiro's says so."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest

from bedrock_usage.dashboard.qdev_tab import cost_cards, other_products
from bedrock_usage.dashboard.text import STRINGS, Text, compact_usd, plain
from bedrock_usage.logs.period import Period
from bedrock_usage.qdev.analysis import Source, analyze
from bedrock_usage.qdev.sources import LocalStore
from tests.qdev.test_analysis import REQUESTS, in_period, write_corpus
from tests.qdev.test_offline import offline  # noqa: F401  (fixture)
from tests.qdev.test_price_file_named import DAY, scene

pytestmark = pytest.mark.usefixtures("offline")

# Claude Sonnet 4.5, the reference model for requests that name none, in USD per token (AWS's published list
# price: $3 input, $15 output per million tokens).
INPUT_USD, OUTPUT_USD = 3 / 1e6, 15 / 1e6


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_card_beside_the_subscription_holds_the_amazon_q_developer_requests_cost(tmp_path: Path,
                                                                                     lang: str) -> None:
    """Cards read the total with Kiro's requests beside the subscription while the chart compared the Amazon Q
    Developer requests' cost with it, and the tooltip put every request at the reference model's price."""
    write_corpus(tmp_path, REQUESTS)
    period = Period(date(2025, 3, 10), date(2025, 3, 12), "UTC")
    report = analyze(Source(LocalStore(tmp_path)), period)
    kept = [r for r in REQUESTS if in_period(r, period)]
    cost = {product: sum(r.input_tokens * INPUT_USD + r.output_tokens * OUTPUT_USD for r in kept
                         if r.product == product) for product in ("Q Developer", "Kiro")}
    assert cost["Kiro"] > 0
    t = Text(lang)

    cards = cost_cards(t, report.virtual_cost, other_products(report))

    (total, total_value, total_help), (q_dev, q_value, q_help), (subscription, *_) = cards
    assert (total, q_dev, subscription) == ("q_virtual_cost", "q_subscribed_cost_card", "q_subscription")
    assert "Kiro" in t(total) and "Q Developer" in t(q_dev)
    assert total_value == compact_usd(cost["Q Developer"] + cost["Kiro"])
    assert f"${cost['Q Developer'] + cost['Kiro']:,.4f}" in total_help
    assert q_value == compact_usd(cost["Q Developer"])
    assert q_help.startswith(f"${cost['Q Developer']:,.4f}, ")  # the exact figure first, then what it is
    for help_text in (total_help, q_help):
        assert "Claude Sonnet 4.5" in help_text  # the reference model, named for requests that name none
    if lang == "en":
        assert ("would cost at Amazon Bedrock list prices, each request at the price of the model it was priced as"
                in total_help)


def test_without_kiro_requests_one_card_holds_the_virtual_cost(tmp_path: Path) -> None:
    write_corpus(tmp_path, [r for r in REQUESTS if r.product == "Q Developer"])
    report = analyze(Source(LocalStore(tmp_path)), Period(date(2025, 3, 10), date(2025, 3, 12), "UTC"))
    assert not other_products(report)
    cards = cost_cards(Text("en"), report.virtual_cost, other_products(report))
    assert [key for key, *_ in cards] == ["q_subscribed_cost_card", "q_subscription"]


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_cost_cards_help_names_the_price_file_as_the_note_under_them_does(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    """A price file whose row priced the Nova Pro requests: the note under the cards named it, while each card's help
    still said the requests were at the list price. Every card of a virtual cost now names the file and its digest
    (computed here with hashlib) in the note's words; without a file, list prices."""
    logs, prices, digest = scene(tmp_path, "amazon.nova-pro-v1:0")
    assert hashlib.sha256(prices.read_bytes()).hexdigest()[:12] == digest
    monkeypatch.setenv("BEDROCK_USAGE_PRICES", str(prices))
    day = date.fromisoformat(DAY)
    report = analyze(Source(LocalStore(logs)), Period(day, day, "UTC"))
    assert other_products(report)  # Kiro's requests: the total's card is there too
    t = Text(lang)
    cards = cost_cards(t, report.virtual_cost, other_products(report))
    file = plain(f"{prices} (sha256 {digest})")
    named = {"en": f"the prices of the price file {file} where its rows apply, else Amazon Bedrock list prices",
             "ko": f"가격 파일 {file} 의 행이 적용되는 요청은 그 파일의 가격, 나머지는 Amazon Bedrock 정가"}[lang]

    helps = {key: help_text for key, _, help_text in cards}
    assert set(helps) == {"q_virtual_cost", "q_subscribed_cost_card", "q_subscription"}
    assert t.virtual_prices(report.virtual_cost) == named  # the note's words under the cards
    for key in ("q_virtual_cost", "q_subscribed_cost_card"):
        assert named in helps[key], helps[key]
    assert named in t("q_accuracy_note", prices=t.virtual_prices(report.virtual_cost))

    monkeypatch.delenv("BEDROCK_USAGE_PRICES")
    listed = analyze(Source(LocalStore(logs)), Period(day, day, "UTC")).virtual_cost
    list_words = {"en": "Amazon Bedrock list prices", "ko": "Amazon Bedrock 정가"}[lang]
    for _, _, help_text in cost_cards(t, listed, True)[:2]:
        assert list_words in help_text and file not in help_text
    assert STRINGS[lang]["q_virtual_cost_help"].count("{prices}") == 1
