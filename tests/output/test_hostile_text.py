"""Names from the logs reach terminals and spreadsheets: control characters are shown escaped, formulas are defused,
numbers stay numbers, and JSON stays exact."""

from __future__ import annotations

import csv
import io
import unicodedata

import pandas as pd
from hypothesis import example, given
from hypothesis import strategies as st

from bedrock_usage.output.files import FORMULA_STARTS, csv_text, defused, new_files
from bedrock_usage.output.terminal_table import text_table, visible, visible_lines

HIDDEN = {"Cc", "Cf", "Zl", "Zp", "Cs"}


def hidden_characters(text: str) -> list[str]:
    return [ch for ch in text if unicodedata.category(ch) in HIDDEN]


@given(st.text())
def test_visible_text_holds_no_control_or_invisible_character(text: str) -> None:
    shown = visible(text)
    assert hidden_characters(shown) == []
    assert visible(shown) == shown  # escaping twice changes nothing more


@given(st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E)))
def test_printable_ascii_is_shown_as_it_is(text: str) -> None:
    assert visible(text) == text


def test_escape_sequences_and_line_breaks_are_spelled_out() -> None:
    assert visible("\x1b[31mred\x1b[0m") == "\\x1b[31mred\\x1b[0m"
    assert visible("\x1b]0;owned\x07") == "\\x1b]0;owned\\x07"
    assert visible("a\nTOTAL\r\tb") == "a\\nTOTAL\\r\\tb"
    assert visible("evil\u202egnp.exe") == "evil\\u202egnp.exe"
    assert visible("한국어 ✅ naïve") == "한국어 ✅ naïve"
    assert visible_lines("line one\x1b\nline two") == "line one\\x1b\nline two"


@example(["000000"])  # names that look like figures (account ids) once right-aligned the TOTAL label
@given(st.lists(st.text(max_size=12), min_size=1, max_size=8))
def test_a_table_has_one_line_per_row_whatever_the_names(names: list[str]) -> None:
    table = text_table(["User", "Calls"], [[name, 1] for name in names], total=["TOTAL", len(names)])
    lines = table.split("\n")
    assert len(lines) == 2 + len(names) + 2  # header, rule, rows, rule, total
    assert sum(line.startswith("TOTAL") for line in lines) == 1
    assert hidden_characters(table.replace("\n", "")) == []


def is_plain_number(text: str) -> bool:
    """Digits with an optional sign, point and exponent: what a spreadsheet reads as a number, not a formula."""
    if not text or set(text) - set("0123456789+-.eE") or not any(ch.isdigit() for ch in text):
        return False
    try:
        float(text)
    except ValueError:
        return False
    return True


@given(st.one_of(st.text(), st.from_regex(r"[-+=@\t\r][0-9.eE+-]{0,6}", fullmatch=True)))
def test_csv_cells_never_start_a_formula(text: str) -> None:
    cell = defused(text)
    if text.startswith(FORMULA_STARTS) and not is_plain_number(text):
        assert cell == "'" + text
    else:
        assert cell == text  # a plain number such as -5 or +1.5e3 is left as it is


def test_csv_files_defuse_text_and_keep_numbers() -> None:
    frame = pd.DataFrame({
        "user": ["=HYPERLINK(\"http://x\",\"y\")", "+1+2", "-2+3", "@SUM(A1)", "\tTab", "\rCR", "plain", "-5"],
        "calls": [1, -2, 3, 4, 5, 6, 7, 8],
        "estimated_cost_usd": [-0.5, 1.25, float("nan"), 0.0, 2.0, 3.0, 4.0, 5.0],
    })
    rows = list(csv.reader(io.StringIO(csv_text(frame))))
    assert rows[0] == ["user", "calls", "estimated_cost_usd"]
    users = [row[0] for row in rows[1:]]
    assert users == ["'=HYPERLINK(\"http://x\",\"y\")", "'+1+2", "'-2+3", "'@SUM(A1)", "'\tTab", "'\rCR", "plain",
                     "-5"]
    assert [row[1] for row in rows[1:]] == ["1", "-2", "3", "4", "5", "6", "7", "8"]
    assert [row[2] for row in rows[1:]] == ["-0.5", "1.25", "", "0.0", "2.0", "3.0", "4.0", "5.0"]


def test_new_report_files_never_take_an_existing_name(tmp_path) -> None:
    first = new_files(tmp_path / "out", "bedrock_analysis_us-east-1_20251019_214611", ["_user.csv", "_model.csv"])
    second = new_files(tmp_path / "out", "bedrock_analysis_us-east-1_20251019_214611", ["_user.csv", "_model.csv"])
    assert [p.name for p in first] == ["bedrock_analysis_us-east-1_20251019_214611_user.csv",
                                       "bedrock_analysis_us-east-1_20251019_214611_model.csv"]
    assert [p.name for p in second] == ["bedrock_analysis_us-east-1_20251019_214611_2_user.csv",
                                        "bedrock_analysis_us-east-1_20251019_214611_2_model.csv"]
