"""The Amazon Q / Kiro demo made on different days: a day both hold has the same prompt logs, activity report and
Kiro user reports, today's prompt logs before the hour it is made are the same whenever that day it is made, and
every demo holds what the demo is there to show.

The demos are written with an explicit time (no clock in the code) and read back with gzip, json and csv, each
file under the UTC day it covers (a prompt log's hour folder; a report's day is the one before its folder's).
"""

from __future__ import annotations

import csv
import gzip
import json
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bedrock_usage.qdev.synthetic import DEMO_DAYS, DEMO_USERS, write_demo_corpus

TUESDAY_MORNING = datetime(2026, 3, 10, 9, 20, tzinfo=UTC)  # its first day, Feb 9, is not a month's first
AFTER_MIDNIGHT = datetime(2026, 3, 11, 0, 40, tzinfo=UTC)
KIND = {".gz": "prompt logs", "by_user_analytic": "activity", "user_report": "kiro"}
# Five counters the older 41-column activity report does not have (docs/amazon-q.md, section 4).
NEWER_COLUMNS = {"Chat_MessagesInteracted", "CodeFix_AcceptanceEventCount", "CodeFix_AcceptedLines",
                 "CodeFix_GeneratedLines", "CodeFix_GenerationEventCount"}


def kind_of(path: Path) -> str:
    """Which of the three kinds of file ``path`` is."""
    return next(kind for mark, kind in KIND.items() if mark in path.name)


def read_demo(root: Path) -> dict[str, dict[date, dict[str, object]]]:
    """kind -> UTC day covered -> the day's files (path under ``root`` -> records, or rows with their header)."""
    found: dict[str, dict[date, dict[str, object]]] = defaultdict(lambda: defaultdict(dict))
    for path in sorted(root.glob("AWSLogs/**/*.*")):
        kind, name = kind_of(path), path.relative_to(root).as_posix()
        if kind == "prompt logs":
            day = date(*map(int, path.parent.parts[-4:-1]))
            found[kind][day][name] = json.loads(gzip.decompress(path.read_bytes()))["records"]
        else:
            day = date(*map(int, path.parent.parts[-4:-1])) - timedelta(days=1)
            reader = csv.DictReader(path.read_text().splitlines())
            found[kind][day][name] = (reader.fieldnames, list(reader))
    return found


def window(now: datetime) -> set[date]:
    """The DEMO_DAYS UTC days ending on ``now``'s."""
    return {now.date() - timedelta(days=n) for n in range(DEMO_DAYS)}


@pytest.fixture(scope="module")
def demos(tmp_path_factory: pytest.TempPathFactory) -> dict[datetime, dict[str, dict[date, dict[str, object]]]]:
    """The demo made on Tuesday morning and just after that day's midnight, as read back."""
    made = {}
    for now in (TUESDAY_MORNING, AFTER_MIDNIGHT):
        root = tmp_path_factory.mktemp("demo")
        write_demo_corpus(root, now)
        made[now] = read_demo(root)
    return made


@pytest.mark.slow
def test_a_past_day_of_the_demo_is_the_same_whichever_day_it_is_made(demos: dict) -> None:
    before, after = demos[TUESDAY_MORNING], demos[AFTER_MIDNIGHT]
    tuesday = TUESDAY_MORNING.date()

    # Prompt logs of the days ending on the day it is made (a weekend day may have none); just after midnight that
    # day has no whole hour yet.
    assert tuesday in set(before["prompt logs"]) <= window(TUESDAY_MORNING)
    assert set(after["prompt logs"]) <= window(AFTER_MIDNIGHT) - {AFTER_MIDNIGHT.date()}
    # A day's activity report is out at 00:00 the next day, its Kiro user reports at 02:00.
    assert max(before["activity"]) == tuesday - timedelta(days=1) and max(after["activity"]) == tuesday
    assert min(before["activity"]) >= min(window(TUESDAY_MORNING))
    assert max(before["kiro"]) == max(after["kiro"]) == tuesday - timedelta(days=1)

    # The days both hold but the earlier one's today: the same files, holding the same records and rows.
    for kind in KIND.values():
        common = (set(before[kind]) & set(after[kind])) - {tuesday}
        assert len(common) >= 20, kind  # of the 28 (a weekend day may have no use)
        for day in sorted(common):
            assert after[kind][day] == before[kind][day], (kind, day)

    # The earlier one's today holds the later one's prompt logs of that day's hours before 09:00, and nothing else.
    morning = {name: records for name, records in after["prompt logs"][tuesday].items()
               if name.split("/")[-2] < "09"}
    assert 0 < len(morning) < len(after["prompt logs"][tuesday])
    assert before["prompt logs"][tuesday] == morning


@pytest.mark.slow
def test_the_days_compared_hold_what_the_demo_shows(demos: dict) -> None:
    """Both demos hold Kiro overage, the older activity layout, Kiro's client types and every developer; the days
    compared above hold them too, so the comparison covers them."""
    for read in demos.values():
        kiro_rows = [row for files in read["kiro"].values() for _, rows in files.values() for row in rows]
        assert any(float(row["Overage_Credits_Used"] or 0) > 0 for row in kiro_rows)
        assert {row["Client_Type"] for row in kiro_rows} == {"KIRO_IDE", "KIRO_CLI", "PLUGIN"}
        headers = [set(header) for files in read["activity"].values() for header, _ in files.values()]
        assert any(header >= NEWER_COLUMNS for header in headers)
        assert any(not NEWER_COLUMNS & header for header in headers)
        users = {row["UserId"] for files in read["activity"].values() for _, rows in files.values() for row in rows}
        assert len(users) == DEMO_USERS  # the Kiro users use Amazon Q Developer too
