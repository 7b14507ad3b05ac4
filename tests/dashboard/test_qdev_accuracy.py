"""The Amazon Q / Kiro tab says what each figure is, in English and Korean alike: every cost estimated, the virtual
cost what Amazon Bedrock would charge for the same tokens (never a bill, in its table's headers too), the
subscription and Kiro seats prorated by day, and the Korean cards the same figures as the English ones."""

from __future__ import annotations

import csv
import json
import re
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from bedrock_usage.dashboard.text import Text
from bedrock_usage.logs.period import Period
from bedrock_usage.qdev.analysis import Source, analyze
from bedrock_usage.qdev.sources import LocalStore
from tests.dashboard.helpers import checked, shown
from tests.qdev.kiro_oracle import FIXTURE
from tests.qdev.test_csv_accuracy_columns import BUILT_IN
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


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_kiro_allowance_table_says_what_its_allowances_are_on_the_page(tabs: dict[str, AppTest], lang: str) -> None:
    """The allowance note (JSON ``accuracy.kiro_allowance``) reached the table's download only: the page showed the
    allowances with no word of where they come from. A note over the table now says it, naming the built-in price
    table and the days its rows that gave the allowances were read (read here from the CSV), in each language."""
    with BUILT_IN.open(newline="", encoding="utf-8") as handle:
        read_on = {row["tier"]: row["as_of"] for row in csv.DictReader(handle)}
    [table] = [d.value for d in tabs[lang].dataframe if "overage_cap" in d.value.columns]
    tiers = set(table["tier"]) & set(read_on)  # a tier without a row gives no allowance
    assert tiers
    read = ", ".join(sorted({read_on[tier] for tier in tiers}))
    table_path = "bedrock_usage/qdev/kiro_prices.csv"
    expected = {
        "en": ("Kiro allowance: exact as published: each tier's monthly credit allowance (the credits in plan before "
               "overage), from its Kiro price row of the period's last priced day; none for a tier without a published "
               f"allowance; allowances from {table_path} (rows read {read})."),
        "ko": f"할당량 출처: {table_path} ({read} 에 읽은 행).",
    }[lang]
    notes = [shown(c.value) for c in tabs[lang].caption if table_path in shown(c.value)]
    assert [note for note in notes if note.endswith(expected)] == notes and len(notes) == 1, notes
    if lang == "ko":
        assert notes[0].startswith("Kiro 할당량: 공개된 그대로의 정확한 값")


ALLOWANCE_CARDS = {"en": ("Credits in plan", "Near or over allowance"),
                   "ko": ("요금제 내 Kiro 크레딧", "할당량 근접·초과")}


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_kiro_cards_set_against_allowances_say_what_they_are(tabs: dict[str, AppTest], lang: str) -> None:
    """The cards of the credits in plan and of the people near or over their allowance said nothing of the
    allowances they count against; their help now ends with the note over the allowance table, in each language."""
    [note] = [shown(c.value) for c in tabs[lang].caption if "bedrock_usage/qdev/kiro_prices.csv" in shown(c.value)]
    for help_text in helps(tabs[lang], ALLOWANCE_CARDS[lang]):
        assert shown(help_text).endswith(f" {note}"), help_text


def test_the_kiro_allowance_note_names_a_price_file_read_on_top_in_each_language(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A Kiro price file ($BEDROCK_USAGE_KIRO_PRICES, as the page reads it) giving Pro its own allowance: the note
    over the allowance table names it after the built-in table, and its row's read day among the days."""
    contract = tmp_path / "contract.csv"
    contract.write_text(BUILT_IN.read_text(encoding="utf-8").splitlines()[0]
                        + "\nPRO,Kiro Pro,18,1500,0.04,,,2026-11-20,true,our contract\n", encoding="utf-8")
    monkeypatch.setenv("BEDROCK_USAGE_KIRO_PRICES", str(contract))
    kiro = analyze(Source(LocalStore(FIXTURE)), Period(date(2026, 11, 2), date(2026, 11, 4), "UTC")).kiro
    assert kiro is not None and kiro.allowance.loc[kiro.allowance["tier"] == "PRO", "allowance"].eq(1500).all()
    with BUILT_IN.open(newline="", encoding="utf-8") as handle:
        read_on = {row["tier"]: row["as_of"] for row in csv.DictReader(handle)} | {"PRO": "2026-11-20"}
    read = ", ".join(sorted({read_on[tier] for tier in set(kiro.allowance["tier"]) & set(read_on)}))
    assert "2026-11-20" in read
    table = f"bedrock_usage/qdev/kiro_prices.csv with {contract} on top (rows read {read})"
    assert shown(Text("en").kiro_allowance(kiro)).endswith(f"; allowances from {table}")
    assert shown(Text("ko").kiro_allowance(kiro)).endswith(
        f"할당량 출처: bedrock_usage/qdev/kiro_prices.csv 위에 {contract} 적용 ({read} 에 읽은 행)")
