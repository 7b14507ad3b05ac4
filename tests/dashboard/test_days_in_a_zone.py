"""The dashboard's days in a time zone: a link's ``days`` end today in the link's zone, a period is cut at today,
or refused when it starts after today, by the CLI's rule, and today so far is compared with as long a part of the day
before it when the clocks change.

Expected days come from zoneinfo arithmetic in the test, at an instant the test chooses (the functions take ``now``),
or from the clock read before and after an app run (a day may end in between); expected calls from a steady load's
timestamps, counted in plain Python.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from streamlit.testing.v1 import AppTest

from bedrock_usage.dashboard.data import dashboard_period, same_time_of_day, starts_after_today
from bedrock_usage.dashboard.url_state import read_link
from bedrock_usage.engines.local import LocalEngine
from bedrock_usage.errors import UsageError
from bedrock_usage.logs.period import Period
from bedrock_usage.report.tracker import BedrockAthenaTracker
from tests.dashboard.helpers import analyze, open_app, shown
from tests.logfiles import write_records

# Where the day differs from UTC's at any hour: 11 hours behind it, and 14 ahead.
BEHIND, AHEAD = "Pacific/Pago_Pago", "Pacific/Kiritimati"


def today_there(zone: str, now: datetime) -> date:
    """The day it is in ``zone`` at ``now``."""
    return now.astimezone(ZoneInfo(zone)).date()


def days_to_today(zone: str, days: int, now: datetime) -> tuple[date, date]:
    """``days`` calendar days ending on the day it is in ``zone`` at ``now``."""
    today = today_there(zone, now)
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


@pytest.mark.slow
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


@pytest.mark.parametrize("zone", ["UTC", BEHIND, AHEAD, "America/Los_Angeles"])
@pytest.mark.parametrize("hour", [0, 3, 11, 12, 23])
def test_the_sidebar_refuses_exactly_the_starts_the_period_refuses(zone: str, hour: int) -> None:
    """The sidebar's check (``starts_after_today``) and the period it analyses agree for every start around today:
    a start is refused by one if and only if the other refuses it, and an accepted one starts no later than today
    in the zone."""
    now = datetime(2026, 12, 6, hour, 30, tzinfo=UTC)
    today = today_there(zone, now)
    for offset in range(-2, 4):
        start = today + timedelta(days=offset)
        try:
            period = dashboard_period(start, start + timedelta(days=1), zone, now)
        except UsageError:
            period = None
        assert starts_after_today(start, zone, now) is (period is None), (start, today)
        if period is not None:
            assert period.start <= today and period.end <= today
            assert period.start == min(start, today)


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


@pytest.mark.slow
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
    [error] = [shown(e.value) for e in at.error]
    assert "starts after today" in error and "(UTC)" in error
    assert not at.button  # nothing to run


NEW_YORK = ZoneInfo("America/New_York")
# 2025: clocks go forward an hour at 02:00 on 9 March (a 23-hour day) and back at 02:00 on 2 November (25 hours).
STEADY_DAYS = [(datetime(2025, 3, 7, tzinfo=UTC), datetime(2025, 3, 13, tzinfo=UTC)),
               (datetime(2025, 10, 30, tzinfo=UTC), datetime(2025, 11, 5, tzinfo=UTC))]


@pytest.fixture(scope="module")
def steady_calls(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[datetime]]:
    """One call every 10 minutes, day and night, around both clock changes: the logs' folder and the calls' times."""
    times = [first + timedelta(minutes=10 * n) for first, last in STEADY_DAYS
             for n in range(int((last - first) / timedelta(minutes=10)))]
    base = {"schemaType": "ModelInvocationLog", "schemaVersion": "1.0", "accountId": "123456789012",
            "identity": {"arn": "arn:aws:iam::123456789012:user/ann"}, "region": "us-east-1", "operation": "Converse",
            "modelId": "anthropic.claude-3-haiku-20240307-v1:0", "input": {"inputTokenCount": 10},
            "output": {"outputTokenCount": 1}}
    root = tmp_path_factory.mktemp("steady") / "logs"
    write_records(root, [{**base, "requestId": f"r{n}", "timestamp": when.strftime("%Y-%m-%dT%H:%M:%SZ")}
                         for n, when in enumerate(times)])
    return root, times


@pytest.mark.parametrize(("read_at", "through"), [
    (datetime(2025, 3, 12, 9, tzinfo=NEW_YORK), "09:00"),  # no change: the same time of day
    (datetime(2025, 3, 10, 9, tzinfo=NEW_YORK), "10:00"),  # after the 23-hour day: 9 hours of it
    (datetime(2025, 3, 10, 3, 30, tzinfo=NEW_YORK), "04:30"),  # 3.5 hours of it
    (datetime(2025, 3, 9, 9, tzinfo=NEW_YORK), "08:00"),  # on the 23-hour day: 8 hours so far
    (datetime(2025, 11, 3, 9, tzinfo=NEW_YORK), "08:00"),  # after the 25-hour day: 9 hours of it
    (datetime(2025, 11, 3, 1, 30, tzinfo=NEW_YORK), "01:30"),  # into 01:00-02:00, an hour passed twice that day
    (datetime(2025, 11, 3, 2, 30, tzinfo=NEW_YORK), "01:30"),  # its second pass
    (datetime(2025, 11, 2, 9, tzinfo=NEW_YORK), "10:00"),  # on the 25-hour day: 10 hours so far
    (datetime(2025, 11, 2, 23, 30, tzinfo=NEW_YORK), "24:00"),  # 24.5 hours so far: all of the day before
], ids=str)
def test_today_so_far_is_compared_with_as_long_a_part_of_the_day_before(
        steady_calls: tuple[Path, list[datetime]], read_at: datetime, through: str) -> None:
    """A steady load shows no change at any time of day, on and after the days the clocks change."""
    root, times = steady_calls
    today = Period(read_at.date(), read_at.date(), "America/New_York")
    previous = BedrockAthenaTracker(LocalEngine(root, cache=False)).analyze(today.previous())

    totals, shown = same_time_of_day(previous, today, read_at)

    midnight = datetime(read_at.year, read_at.month, read_at.day, tzinfo=NEW_YORK)
    day_before = midnight.date() - timedelta(days=1)
    midnight_before = datetime(day_before.year, day_before.month, day_before.day, tzinfo=NEW_YORK)
    so_far = read_at.astimezone(UTC) - midnight.astimezone(UTC)  # elapsed time, not the clock's difference
    cut = midnight_before.astimezone(UTC) + so_far
    end_before = midnight.astimezone(UTC)
    expected = sum(midnight_before.astimezone(UTC) <= when < min(cut, end_before) for when in times)
    today_calls = sum(midnight.astimezone(UTC) <= when < read_at for when in times)
    assert totals["calls"] == pytest.approx(expected)
    assert totals["input_tokens"] == pytest.approx(10 * expected)
    if cut < end_before:
        assert expected == today_calls  # a steady load: a change of 0 %
    else:  # today has run longer than the day before: all of it, 144 calls against 147
        assert totals == previous.summary and expected == 144 and today_calls == 147
    assert shown == through == (cut.astimezone(NEW_YORK).strftime("%H:%M") if cut < end_before else "24:00")
