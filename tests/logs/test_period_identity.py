"""Periods (days, time zones, month ends) and caller attribution from identity ARNs."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from bedrock_usage.errors import UsageError
from bedrock_usage.logs.identity import derive_principal
from bedrock_usage.logs.period import resolve_period, through_today


def test_range_across_month_and_year_end() -> None:
    period = resolve_period(start="2025-12-25", end="2026-01-03")
    assert period.days == 10
    assert period.utc_start == datetime(2025, 12, 25, tzinfo=UTC)
    assert period.utc_end == datetime(2026, 1, 4, tzinfo=UTC)
    assert period.partition_days() == (date(2025, 12, 25), date(2026, 1, 4))


def test_time_zone_shifts_the_utc_bounds() -> None:
    period = resolve_period(start="2025-11-01", end="2025-11-01", tz="Asia/Seoul")
    assert period.utc_start == datetime(2025, 10, 31, 15, tzinfo=UTC)
    assert period.utc_end == datetime(2025, 11, 1, 15, tzinfo=UTC)
    assert period.partition_days() == (date(2025, 10, 31), date(2025, 11, 2))


def test_a_report_period_ends_today_at_the_latest_in_its_zone() -> None:
    now = datetime(2026, 12, 6, 5, 0, tzinfo=UTC)  # 21:00 on the 5th in Los Angeles
    month = resolve_period(start="2026-12-01", days=30)
    cut, note = through_today(month, now)
    assert (cut.start, cut.end, cut.days) == (date(2026, 12, 1), date(2026, 12, 6), 6)
    assert note is not None and "6 of 30 days" in note and "partial" in note
    west, _ = through_today(resolve_period(start="2026-12-01", end="2026-12-31", tz="America/Los_Angeles"), now)
    assert west.end == date(2026, 12, 5)
    past = resolve_period(start="2026-11-01", end="2026-11-30")
    assert through_today(past, now) == (past, None)
    with pytest.raises(UsageError, match="starts after today"):
        through_today(resolve_period(start="2026-12-07", end="2026-12-31"), now)


def test_days_and_previous_period() -> None:
    period = resolve_period(days=7, today=date(2025, 11, 3))
    assert (period.start, period.end) == (date(2025, 10, 28), date(2025, 11, 3))
    previous = period.previous()
    assert (previous.start, previous.end) == (date(2025, 10, 21), date(2025, 10, 27))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"start": "2025-11-05", "end": "2025-11-01"}, "start date 2025-11-05 is after end date 2025-11-01"),
        ({"start": "2025-02-30"}, "--start-date '2025-02-30' is not a day of the calendar (day is out of range"),
        ({"end": "yesterday"}, "--end-date 'yesterday' is not a date in YYYY-MM-DD form"),
        ({"days": 0}, "--days must be at least 1 and at most 731 (got 0)"),
        ({"days": 3, "start": "2025-11-01", "end": "2025-11-10"}, "--days with both --start-date and --end-date"),
        ({"tz": "Mars/Olympus"}, "--tz 'Mars/Olympus' is not a time zone name such as UTC or Asia/Seoul"),
        ({"tz": " "}, "--tz is empty: give a time zone name such as UTC or Asia/Seoul"),  # an unset $TZ in a script
        ({"start": "2025-11-10", "today": date(2025, 11, 6)},
         "--start-date 2025-11-10 is after today (2025-11-06 in UTC): it has no logs yet"),  # not "after end date"
        ({"start": "2020-01-01", "end": "2025-01-01"},
         "the range 2020-01-01 .. 2025-01-01 (UTC) has 1828 days; the limit is 731"),
    ],
)
def test_bad_periods_are_user_errors(kwargs: dict, message: str) -> None:
    with pytest.raises(UsageError, match=re.escape(message)):
        resolve_period(**kwargs)


@pytest.mark.parametrize(
    ("arn", "expected"),
    [
        ("arn:aws:iam::123456789012:user/acme-user-bravo", ("iam_user", "acme-user-bravo", "acme-user-bravo",
                                                            "acme-user-bravo")),
        ("arn:aws:sts::123456789012:assumed-role/CustomerServiceApp-BedrockRole/cs-session",
         ("application_role", "CustomerServiceApp-BedrockRole", "CustomerServiceApp-BedrockRole",
          "CustomerServiceApp")),
        ("arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_DataScientist_0123456789abcdef/kim@example.com",
         ("sso_user", "AWSReservedSSO_DataScientist_0123456789abcdef", "kim@example.com", "DataScientist")),
        ("arn:aws:sts::123456789012:assumed-role/lambda-exec/my-function",
         ("assumed_role", "lambda-exec", "my-function", "lambda-exec")),
        ("arn:aws:iam::123456789012:user/division_abc/subdivision_xyz/JaneDoe",  # a user with an IAM path
         ("iam_user", "JaneDoe", "JaneDoe", "JaneDoe")),
        ("arn:aws:iam::123456789012:root", ("root", "root", "root", "root")),
        (None, ("unknown", "(unknown)", "(unknown)", "(unknown)")),
        ("not-an-arn", ("other", "not-an-arn", "not-an-arn", "not-an-arn")),
    ],
)
def test_derive_principal(arn: str | None, expected: tuple[str, str, str, str]) -> None:
    p = derive_principal(arn)
    assert (p.principal_type, p.principal, p.user, p.application) == expected


def test_role_suffix_is_configurable() -> None:
    arn = "arn:aws:sts::123456789012:assumed-role/Billing-AIRole/s1"
    assert derive_principal(arn, role_suffix="-AIRole").application == "Billing"
    assert derive_principal(arn).application == "Billing-AIRole"
