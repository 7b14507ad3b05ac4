"""The one terminal-table writer every report and script prints with, and the one money format of terminals.

Columns line up by display width (wide characters take two columns, combining marks none); figures are
right-aligned; a table cut at ``--max-rows`` says how many rows it left out; a totals row sits under a rule.
Names come from logs anyone with Bedrock access can write, so every cell shows control and invisible formatting
characters as visible escapes (``\x1b``, ``\n``, ``\u202e``): no colours, window titles, forged rows or reversed text.
"""

from __future__ import annotations

import math
import numbers
import re
import unicodedata
from collections.abc import Collection, Sequence

from .wording import counted

SMALLEST_SHOWN_USD = 0.0001
_NUMBER_RE = re.compile(r"^(?:[-+]?<?\$?[\d,]+(?:\.\d+)?[%x]?|-|)$")
# Characters a terminal acts on or that are invisible: controls (Cc), formatting such as bidi overrides (Cf),
# line and paragraph separators (Zl, Zp) and lone surrogates (Cs). Printable ASCII never needs a look-up.
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})
_CANDIDATE_RE = re.compile(r"[^\x20-\x7e]")
_CANDIDATE_BUT_NEWLINE_RE = re.compile(r"[^\x20-\x7e\n]")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if unicodedata.category(char) not in _HIDDEN_CATEGORIES:
        return char
    return char.encode("unicode_escape", "backslashreplace").decode("ascii")


def visible(text: object) -> str:
    """``text`` with control and invisible formatting characters (newlines too) shown as escapes, e.g. ``\x1b``."""
    return _CANDIDATE_RE.sub(_escape, str(text))


def quoted_if_blank(text: str) -> str:
    """``text`` in double quotes when it is spaces alone (a tag value logged so), so it never reads as a blank
    cell."""
    return f'"{text}"' if text and not text.strip() else text


def quoted_if_label(text: str, labels: Collection[str]) -> str:
    """``text`` in double quotes (``\\`` and ``\\"`` escaped) when it could read as one of the ``labels`` a table
    shows for no logged value (``(none)``), or is empty, blank or opens with a quote: a value logged ``(none)`` shows
    ``"(none)"``, apart from the calls without one."""
    if text in labels or not text.strip() or text.startswith('"'):
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return text


def visible_lines(text: str) -> str:
    """Like :func:`visible` but keeps line breaks: for whole reports whose values were escaped one by one."""
    return _CANDIDATE_BUT_NEWLINE_RE.sub(_escape, text)


def display_width(text: str) -> int:
    """Terminal columns of ``text``: wide characters (emoji, CJK) take two, combining marks none."""
    return sum(
        0 if unicodedata.combining(ch) or ch == "\ufe0f" else 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        for ch in text
    )


def money(value: object, missing: str = "-") -> str:
    """``$1,234.5678`` (four decimals, so a column lines up), ``<$0.0001`` for a smaller non-zero amount,
    ``-$12.0000`` below zero, and ``missing`` when there is no figure."""
    if not isinstance(value, numbers.Real) or math.isnan(value):
        return missing
    number = float(value)
    if 0 < abs(number) < SMALLEST_SHOWN_USD:
        return f"{'-' if number < 0 else ''}<${SMALLEST_SHOWN_USD}"
    text = f"${abs(number):,.4f}"
    return f"-{text}" if number < 0 and text != "$0.0000" else text


def more_rows_note(hidden: int, rows: tuple[str, str] = ("more row", "more rows")) -> str:
    """The line under a table cut at ``--max-rows``; ``rows`` names the rows left out (singular, plural)."""
    return f"... {counted(hidden, *rows)} (use --max-rows 0 for all, or --format csv or json)"


def text_table(
    header: Sequence[object],
    rows: Sequence[Sequence[object]],
    *,
    right: Sequence[bool] | None = None,
    total: Sequence[object] | None = None,
    hidden: int = 0,
    hidden_rows: tuple[str, str] = ("more row", "more rows"),
    indent: str = "",
) -> str:
    """Header, rule, rows, the "more rows" line when ``hidden`` rows (named by ``hidden_rows``) were left out, then
    ``total`` under a rule.

    Columns flagged in ``right`` are right-aligned; by default those whose cells, the total's too, are all figures
    (or empty): a column of names that look like figures (account ids) keeps its ``TOTAL`` label at the left.
    A table without rows or totals says ``(none)``.
    """
    head = [visible(cell) for cell in header]
    body = [[visible(cell) for cell in row] for row in rows]
    footer = [visible(cell) for cell in total] if total is not None else None
    if right is None:
        right = [bool(body) and all(_NUMBER_RE.match(row[i]) for row in [*body, *([footer] if footer else [])])
                 for i in range(len(head))]
    cells = [head, *body, *([footer] if footer else [])]
    widths = [max(display_width(row[i]) for row in cells) for i in range(len(head))]

    def line(row: Sequence[str]) -> str:
        padded = []
        for cell, width, flush_right in zip(row, widths, right, strict=True):
            fill = " " * (width - display_width(cell))
            padded.append(fill + cell if flush_right else cell + fill)
        return indent + "  ".join(padded).rstrip()

    rule = indent + "  ".join("-" * width for width in widths)
    out = [line(head), rule, *(line(row) for row in body)]
    if hidden:
        out.append(indent + more_rows_note(hidden, hidden_rows))
    if footer:
        out += [rule, line(footer)]
    elif not body:
        out.append(indent + "(none)")
    return "\n".join(out)

