"""The dashboard's days in a time zone: a link's ``days`` end today in the link's zone.

Expected days come from zoneinfo arithmetic in the test, at an instant the test chooses (the functions take ``now``),
or from the clock read before and after an app run (a day may end in between).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bedrock_usage.dashboard.url_state import read_link
from tests.dashboard.helpers import open_app

# Where the day differs from UTC's at any hour: 11 hours behind it, and 14 ahead.
BEHIND, AHEAD = "Pacific/Pago_Pago", "Pacific/Kiritimati"


def days_to_today(zone: str, days: int, now: datetime) -> tuple[date, date]:
    """``days`` calendar days ending on the day it is in ``zone`` at ``now``."""
    today = now.astimezone(ZoneInfo(zone)).date()
    return today - timedelta(days=days - 1), today


@pytest.mark.parametrize("now", [datetime(2026, 12, 6, 9, 56, tzinfo=UTC), datetime(2026, 12, 6, 10, 30, tzinfo=UTC),
                                 datetime(2026, 12, 6, 23, 59, tzinfo=UTC)])
@pytest.mark.parametrize("zone", ["UTC", BEHIND, AHEAD, "Asia/Seoul", "America/Los_Angeles"])
def test_a_links_days_end_today_in_its_zone(zone: str, now: datetime) -> None:
    link = read_link({"days": ["7"], "tz": [zone]}, now)
    assert link.values["dates"] == days_to_today(zone, 7, now) and link.has_period
    assert link.values["tz"] == zone


def test_the_days_of_a_link_in_pago_pago_are_those_of_the_cli() -> None:
    """The reviewer's case: 09:56 UTC on the 6th is the 5th in Pago Pago, where ``--days 7`` is the 29th to the 5th."""
    link = read_link({"days": ["7"], "tz": [BEHIND]}, datetime(2026, 12, 6, 9, 56, tzinfo=UTC))
    assert link.values["dates"] == (date(2026, 11, 29), date(2026, 12, 5))


def test_a_link_without_a_usable_zone_counts_utc_days() -> None:
    now = datetime(2026, 12, 6, 23, 30, tzinfo=ZoneInfo(AHEAD))  # 09:30 UTC on the 6th
    link = read_link({"days": ["3"], "tz": ["Mars/Olympus"]}, now)
    assert link.values["dates"] == days_to_today("UTC", 3, now) == (date(2026, 12, 4), date(2026, 12, 6))
    assert link.ignored == ["tz=Mars/Olympus"]


def test_a_new_session_counts_days_to_today_in_the_links_zone(demo_env: dict[str, str]) -> None:
    """The page's own clock: a day differs from UTC's at every hour in one of the two zones, so both are opened."""
    for zone in (BEHIND, AHEAD):
        before = days_to_today(zone, 3, datetime.now(UTC))
        at = open_app(source="demo", days="3", tz=zone)
        after = days_to_today(zone, 3, datetime.now(UTC))
        assert at.date_input(key="dates").value in (before, after), zone
        assert at.selectbox(key="tz").value == zone and not at.error and at.metric  # analysed straight away
        # a link naming only the zone starts from the default week to today there
        before = days_to_today(zone, 7, datetime.now(UTC))
        at = open_app(tz=zone)
        after = days_to_today(zone, 7, datetime.now(UTC))
        assert at.date_input(key="dates").value in (before, after), zone
