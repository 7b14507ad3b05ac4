"""The demo corpus made on different days: a day both hold has the same calls, today's calls before the hour it is
made are the same calls whenever that day it is made, and none is dated after it.

The corpora are generated with an explicit time (no clock in the code) and compared record by record, grouped by
their UTC day in plain Python.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

from bedrock_usage.demo.daily import DEMO_DAYS, demo_records

RECORDS = 700  # a small demo, for a quick test: the days and weeks are the demo's own
TUESDAY_MORNING = datetime(2026, 3, 10, 9, 20, tzinfo=UTC)
AFTER_MIDNIGHT = datetime(2026, 3, 11, 0, 40, tzinfo=UTC)


def by_day(records: list[dict]) -> dict[date, list[dict]]:
    """The records of each UTC day, in timestamp and requestId order."""
    days: dict[date, list[dict]] = defaultdict(list)
    for record in sorted(records, key=lambda r: (r["timestamp"], r["requestId"])):
        days[date.fromisoformat(record["timestamp"][:10])].append(record)
    return days


def window(now: datetime) -> set[date]:
    """The DEMO_DAYS UTC days ending on ``now``'s."""
    return {now.date() - timedelta(days=n) for n in range(DEMO_DAYS)}


def test_a_past_day_of_the_demo_is_the_same_whichever_day_it_is_made() -> None:
    before, after = (by_day(demo_records(now, records=RECORDS)) for now in (TUESDAY_MORNING, AFTER_MIDNIGHT))

    # Each holds the days ending on the day it is made; just after midnight that day has no whole hour yet.
    assert set(before) == window(TUESDAY_MORNING)
    assert set(after) == window(AFTER_MIDNIGHT) - {AFTER_MIDNIGHT.date()}

    # The days both hold but the earlier one's today: the same calls.
    for day in sorted((set(before) & set(after)) - {TUESDAY_MORNING.date()}):
        assert after[day] == before[day], day

    # The earlier one's today holds the later one's calls of that day logged before 09:00, and nothing after.
    whole_day = after[TUESDAY_MORNING.date()]
    morning = [record for record in whole_day if record["timestamp"] < "2026-03-10T09:00:00Z"]
    assert 0 < len(morning) < len(whole_day)
    assert before[TUESDAY_MORNING.date()] == morning
