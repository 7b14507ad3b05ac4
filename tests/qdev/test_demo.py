"""The Amazon Q demo corpus ends today, holds nothing the service could not have written yet, and is made once a day.

Expected days and times come from the clock read around each call and from the files, read with gzip, json and csv.
"""

from __future__ import annotations

import csv
import gzip
import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from bedrock_usage.qdev.activity import ActivityStats, read_activity_csv, summarise_activity
from bedrock_usage.qdev.synthetic import ensure_demo_corpus, write_qdev_corpus


def prompt_times(root: Path) -> dict[str, datetime]:
    """requestId -> timestamp (to the second) of every prompt-log record under ``root``."""
    found = {}
    for path in root.rglob("*.json.gz"):
        for record in json.loads(gzip.decompress(path.read_bytes()))["records"]:
            request = next(value for name, value in record.items() if name.endswith("Request"))
            response = next(value for name, value in record.items() if name.endswith("Response"))
            found[response["requestId"]] = datetime.strptime(request["timeStamp"][:19], "%Y-%m-%dT%H:%M:%S").replace(
                tzinfo=UTC
            )
    return found


def report_dates(root: Path, kind: str = "by_user_analytic") -> dict[date, date]:
    """Report ``Date`` -> the UTC day folder its CSV was delivered in (activity reports, or Kiro ``user_report``)."""
    found = {}
    for path in root.rglob(f"*_{kind}_*.csv"):
        folder = datetime.strptime("/".join(path.parent.parts[-4:-1]), "%Y/%m/%d").date()
        for row in csv.DictReader(path.read_text().splitlines()):
            stamp = "%m-%d-%Y" if kind == "by_user_analytic" else "%Y-%m-%d"
            found[datetime.strptime(row["Date"], stamp).date()] = folder
    return found


@pytest.mark.slow
def test_demo_corpus_covers_30_days_to_now_and_is_made_once_a_day(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BEDROCK_USAGE_CACHE_DIR", str(tmp_path))
    lines: list[str] = []
    before = datetime.now(UTC)
    corpus = ensure_demo_corpus(log=lines.append)
    after = datetime.now(UTC)
    assert corpus.end in {before.date(), after.date()} and corpus.start == corpus.end - timedelta(days=29)
    assert len(lines) == 1 and "generating the demo corpus" in lines[0]

    times = prompt_times(corpus.path)
    assert times and max(times.values()) <= after
    assert min(times.values()).date() >= corpus.start
    reports = report_dates(corpus.path)
    # a day's report is delivered at 00:00 UTC the next day: none for today, none in a future folder
    assert reports and max(reports) < after.date()
    assert all(folder == day + timedelta(days=1) and folder <= after.date() for day, folder in reports.items())
    # Kiro's user reports are written at 02:00 UTC the next day
    kiro = report_dates(corpus.path, "user_report")
    assert kiro and all(folder == day + timedelta(days=1) for day, folder in kiro.items())
    assert datetime.combine(max(kiro) + timedelta(days=1), time(2), UTC) <= after

    again: list[str] = []
    assert ensure_demo_corpus(log=again.append) == corpus and again == []  # the same day: reused

    (marker,) = corpus.path.glob("*.json")
    made = json.loads(marker.read_text())
    marker.write_text(json.dumps(made | {"end": (corpus.end - timedelta(days=1)).isoformat()}))
    assert ensure_demo_corpus(log=again.append) == corpus and len(again) == 1  # made on an earlier day: remade


def test_not_after_drops_later_requests_and_reports_not_due_yet(tmp_path: Path) -> None:
    args = {"start": date(2025, 11, 3), "end": date(2025, 11, 7), "seed": 4, "users": 5}
    cut = datetime(2025, 11, 6, 10, 30, tzinfo=UTC)
    write_qdev_corpus(tmp_path / "whole", **args)
    write_qdev_corpus(tmp_path / "cut", not_after=cut, **args)

    whole, kept = prompt_times(tmp_path / "whole"), prompt_times(tmp_path / "cut")
    assert kept == {request: when for request, when in whole.items() if when < cut}
    assert len(kept) < len(whole)
    whole_reports, kept_reports = report_dates(tmp_path / "whole"), report_dates(tmp_path / "cut")
    assert set(kept_reports) == {day for day in whole_reports if day <= date(2025, 11, 5)}
    whole_kiro = report_dates(tmp_path / "whole", "user_report")
    kept_kiro = report_dates(tmp_path / "cut", "user_report")
    assert set(kept_kiro) == {day for day in whole_kiro if day <= date(2025, 11, 5)}  # the 5th's: the 6th, 02:00


def test_daily_events_count_only_days_whose_report_is_due() -> None:
    data = "UserId,Date,Chat_MessagesSent,Inline_SuggestionsCount\nalice,11-10-2025,4,6\nbob,11-10-2025,2,0\n"
    rows = read_activity_csv(data.encode()).rows
    rows = rows.assign(product="Q Developer", region="us-east-1", user=rows["UserId"])
    first, last = date(2025, 11, 10), date(2025, 11, 12)

    during_last_day = summarise_activity(rows, first, last, ActivityStats(), now=datetime(2025, 11, 12, 9, tzinfo=UTC))
    # the 10th (12 events) and the 11th (no report rows: 0); the 12th's report is due at 00:00 UTC on the 13th
    assert during_last_day.daily_events == {"average": 6.0, "max": 12, "min": 0, "days": 2}
    assert len(during_last_day.per_day) == 3

    after = summarise_activity(rows, first, last, ActivityStats(), now=datetime(2025, 11, 13, tzinfo=UTC))
    assert after.daily_events == {"average": 4.0, "max": 12, "min": 0, "days": 3}
