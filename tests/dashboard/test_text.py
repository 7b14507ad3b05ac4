"""The dashboard's English strings count one thing in the singular; larger counts and Korean are untouched. The
Amazon Q tab's token-estimate note names the types it leaves out. The shared code's messages name the sidebar's
fields instead of command-line options."""

from __future__ import annotations

import math
import re
import string
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from bedrock_usage.dashboard.bedrock_tab import previous_note
from bedrock_usage.dashboard.qdev_tab import estimate_note
from bedrock_usage.dashboard.tables import error_line
from bedrock_usage.dashboard.text import STRINGS, Text, compact, compact_usd, percent, plain, usd
from bedrock_usage.engines.local import LocalEngine
from bedrock_usage.errors import UsageError
from bedrock_usage.logs.period import Period
from bedrock_usage.qdev.analysis import ReportTokenEstimate
from tests.dashboard.helpers import expected_compact, shown


def test_one_of_anything_is_singular_in_english() -> None:
    english = Text("en")
    assert english("who_line", users=1, applications=1, models=1, errors=0) == \
        "1 user · 1 application · 1 model · 0 errors"
    assert english("detail_error_rate_help", errors=0, calls=1) == "0 of 1 call ended in an error."
    assert english("budgets_breached", count=1, total=1, names="Chat").startswith("**1 of 1 budget breached**")
    assert english("who_line", users=21, applications="1,001", models=11, errors=1) == \
        "21 users · 1,001 applications · 11 models · 1 error"
    assert Text("ko")("who_line", users=1, applications=1, models=1, errors=0) == \
        STRINGS["ko"]["who_line"].format(users=1, applications=1, models=1, errors=0)


def test_a_count_of_one_before_a_described_noun_is_singular_and_other_ones_are_left() -> None:
    english = Text("en")
    for key in STRINGS["en"]:
        text = english(key, **{name: 1 for name in _fields(STRINGS["en"][key])})
        assert not _plural_after_one(text), (key, text)
    assert english("who_line", users=-1, applications="x1", models="$1", errors="1.1") == \
        "-1 users · x1 applications · $1 models · 1.1 errors"


def _fields(template: str) -> set[str]:
    """The names a template fills in."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _plural_after_one(text: str) -> bool:
    """Whether ``text`` counts one of something with a plural noun (within two words of the 1)."""
    return bool(re.search(r"(?<![\w.,$-])1 (?:[A-Za-z][\w-]* ){0,2}(calls|users|models|tokens|requests|reports|objects"
                          r"|errors|budgets|turns|invocations|applications|callers|days|credits|messages)\b", text))


def test_every_column_of_the_bedrock_tables_has_a_header_in_each_language() -> None:
    """The tables the Bedrock tab shows (every analysis's keys, the measures and costs) are headed by words, never
    by a raw column name (a new key such as ``base_model_id`` showed as itself)."""
    from bedrock_usage.report.priced_facts import COST_COLUMNS, GROUP_KEYS, METRICS, TOTAL_COST

    names = {key for keys in GROUP_KEYS.values() for key in keys} | {*METRICS, *COST_COLUMNS, TOTAL_COST}
    for lang in ("en", "ko"):
        text = Text(lang)
        assert [name for name in sorted(names) if text.column(name) == name] == [], lang


def test_every_column_of_the_kiro_tables_has_a_header_in_each_language() -> None:
    """The Kiro allowance table headed its month-end share by its raw name (``projected_share``), in English and
    Korean alike, beside the worded ``Projected`` and ``Used share``."""
    from bedrock_usage.qdev.credits import ALLOWANCE_COLUMNS, PER_USER_COLUMNS

    for lang in ("en", "ko"):
        text = Text(lang)
        assert [name for name in [*ALLOWANCE_COLUMNS, *PER_USER_COLUMNS] if text.column(name) == name] == [], lang


def test_qdev_estimate_note_names_the_types_it_leaves_out() -> None:
    rows = pd.DataFrame({"request_type": ["chat", "inline", "dev"], "report_column": ["c", "i", "d"],
                         "report_count": [4, 0, 60], "requests": [2, 0, 60],
                         "measured_avg_tokens": [10.5, math.nan, math.nan],
                         "estimated_tokens": pd.array([21, 0, None], dtype="Int64")})
    estimate = ReportTokenEstimate("estimate", rows)
    english = estimate_note(Text("en"), estimate)
    assert "): 21." in english  # the chat tokens; inline had no requests to estimate, 0 of them
    assert english.endswith("It leaves out dev: no prompt-log request to measure, so not estimable.")
    assert "21" in estimate_note(Text("ko"), estimate) and "dev 제외" in estimate_note(Text("ko"), estimate)
    measured = ReportTokenEstimate("estimate", rows.iloc[:2])
    assert "leaves out" not in estimate_note(Text("en"), measured)


@pytest.mark.parametrize(("lang", "missing", "empty"), [
    ("en", "logs folder {root} does not exist: set **Logs folder** in the sidebar to the folder that holds AWSLogs/",
     "no Model Invocation Logs under {root}: set **Logs folder** in the sidebar to the folder that holds AWSLogs/"
     "{{account}}/"),
    ("ko", "로그 폴더 {root} 이(가) 없습니다: 사이드바의 **로그 폴더** 에 AWSLogs/ 를 담은 폴더를 지정하세요",
     "{root} 아래에 Model Invocation Logs 가 없습니다: 사이드바의 **로그 폴더** 에 AWSLogs/{{account}}/"),
])
def test_a_logs_folder_message_names_the_sidebar_field_once(tmp_path: Path, lang: str, missing: str,
                                                            empty: str) -> None:
    """The message once read "give the folder the folder that holds AWSLogs/"; the Korean page words it in Korean."""
    messages = []
    for root in (tmp_path / "nonexistent", tmp_path):  # no folder; a folder without logs
        with pytest.raises(UsageError) as raised:
            LocalEngine(root).log_regions()
        messages.append(shown(error_line(Text(lang), raised.value)).split(": ", 1)[1])
    assert messages[0] == missing.format(root=tmp_path / "nonexistent")
    assert messages[1].startswith(empty.format(root=tmp_path))


@pytest.mark.parametrize("value", [99_999, 100_000, 999_949, 999_950, 999_960, 1_000_000, 999_994_999, 999_995_000,
                                   1_234_567_890])
def test_a_card_count_takes_the_next_unit_once_its_rounded_figure_reaches_it(value: int) -> None:
    """999,960 is "1.00M", never "1,000.0K"; 999,995,000 is "1.00B"."""
    assert compact(value) == expected_compact(value)
    assert not compact(value).startswith("1,000.")


def test_plain_keeps_every_character_and_no_markup() -> None:
    """Markup is escaped, and a bare address, which Streamlit links whatever the escapes, is broken by an invisible
    word joiner."""
    text = ("[Sign in](https://evil.example) ![x](y.png) **b** `c` <i>h</i> $1$ :material/x: # h | t "
            "https://evil.example/login www.evil.example alice@evil.example")
    escaped = plain(text)
    assert shown(escaped) == text
    assert "](" not in escaped and "**" not in escaped and "<i>" not in escaped and "$1$" not in escaped
    unescaped = re.sub(r"\\(.)", r"\1", escaped)
    assert not re.search(r"https?://|www\.|@\w", unescaped), unescaped


@pytest.mark.parametrize(("amount", "shown_as"), [
    (0.0042, "$0.0042"), (0.00004, "<$0.0001"), (0.0099, "$0.0099"), (-0.003, "-$0.0030"), (0.0, "$0.00"),
    (0.01, "$0.01"), (1234.5, "$1,234.50")])
def test_an_amount_under_a_cent_is_never_shown_as_cents(amount: float, shown_as: str) -> None:
    """A budget of $0.005 a day or a report of a few calls reads in four decimals, as the CLI prints them, not
    ``$0.00`` or a doubled ``$0.01``; a card, too narrow for four decimals, reads ``<$0.01``."""
    assert usd(amount) == shown_as
    if 0 < abs(amount) < 0.01:  # a card is narrow: under a cent, never $0.00, the exact amount in its tooltip
        assert compact_usd(amount) == ("-<$0.01" if amount < 0 else "<$0.01")


@pytest.mark.parametrize(("share", "shown_as"), [
    (0.00175 / 182.39, "<0.1%"), (0.0004999, "<0.1%"), (0.0005, "0.1%"), (0.0, "0.0%"), (-0.0001, "-<0.1%"),
    (0.123, "12.3%"), (12.345, "1,234.5%"), (None, "—"), (math.nan, "—")])
def test_a_share_under_a_twentieth_of_a_percent_is_never_shown_as_zero(share: float | None, shown_as: str) -> None:
    """A drill-down's share of cost read ``0.0%`` for $0.00175 of $182.39: a non-zero share that rounds to zero
    reads ``<0.1%``, as an amount under a cent reads ``<$0.01``; zero stays ``0.0%``."""
    assert percent(share) == shown_as


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_a_previous_period_without_calls_says_why_no_change_is_shown(lang: str) -> None:
    """With no call logged in the previous period the caption said "changes against ..." and no card showed a change,
    without a word why: the page says the previous period has no calls, so no changes are shown."""
    t = Text(lang)
    before = Period(date(2026, 10, 2), date(2026, 10, 31), "America/Los_Angeles")
    assert previous_note(t, 0, None, before) == STRINGS[lang]["previous_none"]
    assert previous_note(t, 0.0, None, before) == STRINGS[lang]["previous_none"]
    assert previous_note(t, 12, before.start, before) is None
    late = previous_note(t, 12, date(2026, 10, 5), before)
    assert late == t("previous_gap", first="2026-10-05", days=3, of=30)



@pytest.mark.parametrize("language", ["en", "ko"])
def test_the_amazon_q_help_names_the_sidebar_fields_as_the_sidebar_shows_them(language: str) -> None:
    """The tab's help told users to look under **Amazon Q Developer logs**, a section the sidebar does not have."""
    words = STRINGS[language]
    sidebar = {words[key] for key in ("qdev_logs", "q_bucket", "q_logs_dir", "analyze")}
    step_four = words["q_enable_help"][words["q_enable_help"].index("\n4.") :]
    for text in (words["q_need_dir"], step_four):
        named = set(re.findall(r"\*\*(.+?)\*\*", text))
        assert words["qdev_logs"] in named, text
        assert named <= sidebar, named - sidebar
