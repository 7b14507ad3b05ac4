"""The Amazon Q / Kiro tab says what each figure is, in English and Korean alike: every cost estimated, the virtual
cost what Amazon Bedrock would charge for the same tokens (never a bill, in its table's headers too), the
subscription and Kiro seats prorated by day, and the Korean cards the same figures as the English ones."""

from __future__ import annotations

import json
import re

import pytest
from streamlit.testing.v1 import AppTest

from tests.dashboard.helpers import checked
from tests.qdev.kiro_oracle import FIXTURE
from tests.qdev.test_offline import offline  # noqa: F401  (fixture)

pytestmark = pytest.mark.usefixtures("offline")

# What each language's words for these notions are, as a reader of that language looks for them.
ESTIMATED = {"en": "estimated", "ko": "추정"}
NOT_BILLED = {"en": "Not billed", "ko": "청구되는 금액이 아닙니다"}
PRORATED = {"en": "prorated", "ko": "비례"}
COST_CARDS = {"en": ("Virtual cost incl. Kiro", "Virtual cost, Q Developer", "Subscription", "Kiro cost"),
              "ko": ("가상 비용(Kiro 포함)", "Q Developer 가상 비용", "Pro 구독료", "Kiro 비용")}


def qdev_page(lang: str, logs: str, users: str) -> None:
    """The tab for the Kiro fixture's period, in ``lang``."""
    from datetime import date

    from bedrock_usage.dashboard.data import QDevRequest
    from bedrock_usage.dashboard.qdev_tab import show_qdev
    from bedrock_usage.dashboard.text import Text

    show_qdev(Text(lang), QDevRequest(source="local", start=date(2026, 11, 2), end=date(2026, 11, 4), logs_dir=logs,
                                      user_map=users))


def run_tab(lang: str) -> AppTest:
    return checked(AppTest.from_function(qdev_page, default_timeout=60,
                                         args=(lang, str(FIXTURE), str(FIXTURE.parent / "kiro_users.csv"))).run())


@pytest.fixture(scope="module")
def tabs() -> dict[str, AppTest]:
    return {lang: run_tab(lang) for lang in ("en", "ko")}


def helps(at: AppTest, labels: tuple[str, ...]) -> list[str]:
    found = {m.label: m.help for m in at.metric}
    return [found[label] for label in labels]


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_every_cost_card_says_it_is_estimated_and_the_virtual_cost_that_it_is_not_billed(
    tabs: dict[str, AppTest], lang: str
) -> None:
    at = tabs[lang]
    virtual, q_only, subscription, kiro = helps(at, COST_CARDS[lang])
    for help_text in (virtual, q_only, subscription, kiro):
        assert ESTIMATED[lang] in help_text, help_text
    for help_text in (virtual, q_only):
        assert NOT_BILLED[lang] in help_text and "Amazon Bedrock" in help_text, help_text
    for help_text in (subscription, kiro):
        assert PRORATED[lang] in help_text, help_text
    note = next(c.value for c in at.caption if ESTIMATED[lang] in c.value and "Amazon Bedrock" in c.value)
    assert ("not what AWS bills" if lang == "en" else "AWS 가 청구하는 금액이 아닙니다") in note


def test_the_korean_cost_cards_give_the_english_figures(tabs: dict[str, AppTest]) -> None:
    def figures(text: str) -> list[str]:
        return re.findall(r"\$?\d[\d,.]*", text)

    english, korean = (helps(tabs[lang], COST_CARDS[lang]) for lang in ("en", "ko"))
    for en, ko in zip(english, korean, strict=True):
        assert sorted(figures(en)) == sorted(figures(ko)), (en, ko)
    below = {lang: next(c.value for c in tabs[lang].caption if "$3.80" in c.value) for lang in ("en", "ko")}
    assert "than the API would" in below["en"]
    assert "API 로 처리했을 때의 비용" in below["ko"]  # what the API would cost, as in English: not a cost incurred


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_virtual_cost_per_model_table_heads_its_money_as_virtual(tabs: dict[str, AppTest], lang: str) -> None:
    (config,) = [json.loads(d.proto.columns) for d in tabs[lang].dataframe
                 if "priced_as" in json.loads(d.proto.columns)]
    virtual = {"en": "Virtual", "ko": "가상"}[lang]
    for column in ("input_cost_usd", "output_cost_usd", "cost_usd"):
        assert virtual in config[column]["label"], config[column]



def test_the_korean_kiro_allowance_table_words_each_status_in_korean(tabs: dict[str, AppTest]) -> None:
    """Its statuses ('in overage', 'projected to exceed', 'no published allowance', ...) read in English on the
    Korean page, while the monthly limits' were translated."""
    english, korean = ([d.value for d in tabs[lang].dataframe if "overage_cap" in d.value.columns][0]
                       for lang in ("en", "ko"))
    assert len(set(english["status"])) >= 3  # the fixture's people are in overage, near, under and unpriced
    assert list(english["user"]) == list(korean["user"])
    for status in korean["status"]:
        assert re.search("[가-힣]", status), status
