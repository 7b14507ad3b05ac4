"""What a shared link's list-valued parameters set: the regions the dashboard knows are kept and each unknown one is
named; a link naming no known region sets none (the page then asks for one instead of reading every region). The
link's models are all kept, an unknown one narrowing to nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bedrock_usage.dashboard.url_state import read_link

NOW = datetime(2026, 3, 10, 12, tzinfo=UTC)


@pytest.mark.parametrize(("regions", "kept", "left_out"), [
    (["mars-1,us-east-1"], ["us-east-1"], ["regions=mars-1"]),
    (["us-east-1,mars-1,eu-west-1,venus-2"], ["us-east-1", "eu-west-1"], ["regions=mars-1", "regions=venus-2"]),
    (["us-east-1", "mars-1,us-west-2"], ["us-east-1", "us-west-2"], ["regions=mars-1"]),
    (["us-east-1, us-west-2,,us-east-1"], ["us-east-1", "us-west-2"], []),
    (["all"], ["all"], []),
    (["all,us-east-1"], ["us-east-1"], ["regions=all"]),
])
def test_the_known_regions_of_a_link_are_kept_and_each_unknown_one_named(
        regions: list[str], kept: list[str], left_out: list[str]) -> None:
    link = read_link({"source": ["demo"], "days": ["7"], "regions": regions}, NOW)
    assert link.values["regions"] == kept
    assert link.ignored == left_out
    assert link.has_period


def test_a_link_naming_no_known_region_sets_none_rather_than_every_region() -> None:
    link = read_link({"days": ["7"], "regions": ["mars-1,venus-2"]}, NOW)
    assert link.values["regions"] == []
    assert link.ignored == ["regions=mars-1", "regions=venus-2"]


def test_a_link_without_regions_leaves_the_default() -> None:
    for params in ({"days": ["7"]}, {"days": ["7"], "regions": [""]}):
        link = read_link(params, NOW)
        assert "regions" not in link.values and not link.ignored


def test_every_model_of_a_link_is_kept() -> None:
    link = read_link({"days": ["7"], "model": ["Claude Sonnet 4", "no such model", ""]}, NOW)
    assert link.values["models"] == ["Claude Sonnet 4", "no such model"]
    assert not link.ignored


def test_a_number_in_other_digits_is_left_out_and_named() -> None:
    """``²`` and ``٣`` are digits to ``str.isdigit`` but no number ``int`` reads: the page crashed on them."""
    link = read_link({"days": ["²"], "top": ["٣"]}, NOW)
    assert "dates" not in link.values and "top_n" not in link.values
    assert link.ignored == ["days=²", "top=٣"]
