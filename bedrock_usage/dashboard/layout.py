"""Layouts that adapt to the window: rows of metric cards that wrap, and pairs of panels that stack when narrow.

Streamlit's columns stack only below 640 px of window; with the sidebar open, an 800 px window leaves about 450 px
for the page, too little for two charts side by side. A pair is a horizontal container whose two panels have a
minimum width: when both do not fit, the second wraps under the first.
"""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

# Panel minimum widths (px) and how the free space is shared: 3:2 for a wide and a narrow panel, 1:1 for two alike.
_STYLE = """<style>
[class*="st-key-pair_"] > div:first-child { flex: 3 1 420px; }
[class*="st-key-pair_"] > div:last-child { flex: 2 1 300px; }
[class*="st-key-even_"] > div { flex: 1 1 360px; }
[class*="st-key-cards_"] > div { flex: 1 1 132px; }
[class*="st-key-cards_wide_"] > div { flex: 1 1 240px; }
[class*="st-key-tiles_"] > div { flex: 1 1 300px; }
</style>"""


def page_style() -> None:
    """The page's few layout rules (no visible element)."""
    st.html(_STYLE)


def cards(key: str, *, wide: bool = False) -> DeltaGenerator:
    """A row of metric cards that wraps onto more rows when the page is narrow (``wide``: cards of long labels, at
    least 240 px each)."""
    return st.container(horizontal=True, key=f"cards_{'wide_' if wide else ''}{key}")


def tiles(key: str) -> DeltaGenerator:
    """A row of panels at least 300 px wide (budget cards), as many to a row as fit."""
    return st.container(horizontal=True, key=f"tiles_{key}")


def pair(key: str, *, even: bool = False, border: bool = True) -> tuple[DeltaGenerator, DeltaGenerator]:
    """Two panels side by side (3:2, or 1:1 when ``even``), the second under the first when narrow."""
    row = st.container(horizontal=True, key=f"{'even' if even else 'pair'}_{key}")
    return row.container(border=border, key=f"{key}_first"), row.container(border=border, key=f"{key}_second")
