"""The dashboard's days in a time zone: a link's ``days`` end today in the link's zone, and a period is cut at
today, or refused when it starts after today, by the CLI's rule.

Expected days come from zoneinfo arithmetic in the test, at an instant the test chooses (the functions take ``now``),
or from the clock read before and after an app run (a day may end in between).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from streamlit.testing.v1 import AppTest

from bedrock_usage.dashboard.data import dashboard_period
from bedrock_usage.dashboard.url_state import read_link
from bedrock_usage.errors import UsageError
from bedrock_usage.logs.period import Period
from tests.dashboard.helpers import analyze, open_app

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


def today_there(zone: str, now: datetime) -> date:
    """The day it is in ``zone`` at ``now``."""
    return now.astimezone(ZoneInfo(zone)).date()


@pytest.mark.parametrize("zone", ["UTC", BEHIND, AHEAD])
def test_a_period_starting_after_today_is_refused_as_the_cli_refuses_it(zone: str) -> None:
    """Three days from now is after today in every zone: it has no logs, and is not shown as today."""
    later = datetime.now(UTC).date() + timedelta(days=3)
    with pytest.raises(UsageError, match=rf"^the period {later} \.\. {later + timedelta(days=2)} \({zone}\) starts "
                                         r"after today \("):
        dashboard_period(later, later + timedelta(days=2), zone)


def test_the_pickers_today_starts_the_period_today_west_of_utc() -> None:
    """At 03:00 UTC on the 6th it is still the 5th in Los Angeles: the pickers' today (the 6th, a UTC day) starts
    the period on the 5th there, and the 7th is refused."""
    now, zone = datetime(2026, 12, 6, 3, tzinfo=UTC), "America/Los_Angeles"
    today, utc_today = today_there(zone, now), today_there("UTC", now)
    assert utc_today == today + timedelta(days=1)
    assert dashboard_period(utc_today, utc_today + timedelta(days=3), zone, now) == Period(today, today, zone)
    assert dashboard_period(today - timedelta(days=6), utc_today, zone, now) == Period(today - timedelta(days=6),
                                                                                       today, zone)
    with pytest.raises(UsageError, match="starts after today"):
        dashboard_period(utc_today + timedelta(days=1), utc_today + timedelta(days=1), zone, now)


def test_today_east_of_utc_is_tomorrow_as_a_utc_day() -> None:
    """At 12:00 UTC on the 6th it is the 7th in Kiritimati: a period of the 7th is today there, but as UTC days (the
    reconciliations' days) it starts after today; a month is cut at today in either zone."""
    now = datetime(2026, 12, 6, 12, tzinfo=UTC)
    today, utc_today = today_there(AHEAD, now), today_there("UTC", now)
    assert today == utc_today + timedelta(days=1)
    assert dashboard_period(today, today, AHEAD, now) == Period(today, today, AHEAD)
    with pytest.raises(UsageError, match="starts after today"):
        dashboard_period(today, today, "UTC", now)
    month = (date(2026, 12, 1), date(2026, 12, 31))
    assert dashboard_period(*month, AHEAD, now) == Period(month[0], today, AHEAD)
    assert dashboard_period(*month, "UTC", now) == Period(month[0], utc_today, "UTC")


def test_a_period_ending_after_today_is_analysed_through_today_with_a_word(demo_env: dict[str, str]) -> None:
    today = datetime.now(UTC).date()
    at = analyze(open_app(), today - timedelta(days=2), today + timedelta(days=5))
    assert "Days after today have no logs yet: figures end today." in [c.value for c in at.caption]
    shown = {f"{today - timedelta(days=2)} .. {day} (UTC)" for day in (today, datetime.now(UTC).date())}
    assert any(c.value.startswith(tuple(shown)) for c in at.caption), [c.value for c in at.caption]
    assert not at.error and at.metric


def reconciliation_page() -> None:
    """The Governance tab's reconciliation section for an analysed period of tomorrow in UTC days (today in
    Kiritimati from 10:00 UTC)."""
    from datetime import UTC, datetime, timedelta

    from bedrock_usage.dashboard.data import BedrockRequest
    from bedrock_usage.dashboard.governance_tab import reconciliation_section
    from bedrock_usage.dashboard.text import Text
    from bedrock_usage.logs.regions import ALL

    day = datetime.now(UTC).date() + timedelta(days=1)
    reconciliation_section(Text("en"), BedrockRequest(source="athena", regions=(ALL,), start=day, end=day,
                                                      tz="Pacific/Kiritimati"))


def test_the_reconciliation_of_days_after_today_says_why_it_cannot_run() -> None:
    at = AppTest.from_function(reconciliation_page, default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.error) == 1 and "starts after today" in at.error[0].value and "(UTC)" in at.error[0].value
    assert not at.button  # nothing to run
