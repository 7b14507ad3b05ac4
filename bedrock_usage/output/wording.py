"""Counts in words: ``1 object``, ``2 objects``, ``1,234 records``."""

from __future__ import annotations


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """``count`` with thousands separators and ``noun`` in the singular for one, else ``plural`` (``noun + "s"``)."""
    return f"{count:,} {noun if count == 1 else plural or noun + 's'}"
