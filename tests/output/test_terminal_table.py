"""Terminal tables line up by display columns: Hangul and emoji take two, combining marks none."""

from __future__ import annotations

from bedrock_usage.output.terminal_table import text_table


def test_wide_and_combining_characters_keep_columns_aligned() -> None:
    text = text_table(["user", "calls"], [["한국", "7"], ["ab", "1,234"], ["e\u0301", "12"]], right=[False, True])
    assert text.splitlines() == [
        "user  calls",
        "----  -----",
        "한국      7",
        "ab    1,234",
        "e\u0301        12",
    ]


def test_left_aligned_cells_carry_no_trailing_spaces() -> None:
    assert text_table(["a", "b"], [["long text", ""]]).splitlines()[2] == "long text"
