"""Aligned plain-text tables for terminals: the one layout every report and setup script prints."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence


def display_width(text: str) -> int:
    """Terminal columns of ``text``: wide characters (emoji, CJK) take two, combining marks none."""
    return sum(
        0 if unicodedata.combining(ch) or ch == "\ufe0f" else 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        for ch in text
    )


def grid_lines(
    header: Sequence[str], body: Sequence[Sequence[str]], right: Sequence[bool] | None = None
) -> tuple[list[str], str, list[str]]:
    """The header line, the rule and the body lines of a table; columns flagged in ``right`` are right-aligned.

    Rows after the header may include a totals row: the caller places the rule again before it.
    """
    right = list(right) if right is not None else [False] * len(header)
    widths = [max(display_width(row[i]) for row in [header, *body]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        padded = []
        for cell, width, flush_right in zip(cells, widths, right, strict=True):
            fill = " " * (width - display_width(cell))
            padded.append(fill + cell if flush_right else cell + fill)
        return "  ".join(padded).rstrip()

    return line(header), "  ".join("-" * width for width in widths), [line(row) for row in body]


def more_rows_note(hidden: int) -> str:
    """The line under a table cut at ``--max-rows``."""
    return f"... {hidden:,} more rows (use --max-rows 0 for all, or --format csv or json)"


def grid(header: Sequence[str], body: Sequence[Sequence[str]], right: Sequence[bool] | None = None) -> str:
    """Header, rule and body as one block of text."""
    head, rule, lines = grid_lines(header, body, right)
    return "\n".join([head, rule, *lines])
