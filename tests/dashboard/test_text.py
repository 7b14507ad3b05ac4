"""The dashboard's English strings count one thing in the singular; larger counts and Korean are untouched."""

from __future__ import annotations

from bedrock_usage.dashboard.text import STRINGS, Text


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
