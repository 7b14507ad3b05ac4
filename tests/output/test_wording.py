"""Counts in words agree with their number."""

from __future__ import annotations

from bedrock_usage.output.wording import counted


def test_one_is_singular_and_every_other_count_plural_with_separators() -> None:
    assert counted(1, "object") == "1 object"
    assert counted(0, "object") == "0 objects"
    assert counted(1234, "record") == "1,234 records"
    assert counted(1, "duplicate delivery", "duplicate deliveries") == "1 duplicate delivery"
    assert counted(2, "duplicate delivery", "duplicate deliveries") == "2 duplicate deliveries"
