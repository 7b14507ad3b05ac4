"""The dashboard's CSV downloads say which days and time zone they cover, in the name and on every row."""

from __future__ import annotations

import csv
import io
from datetime import date

import pandas as pd

from bedrock_usage.dashboard.tables import download_csv, download_stem
from bedrock_usage.logs.period import Period


def test_a_download_names_its_days_and_zone_on_every_row_and_in_its_name() -> None:
    los_angeles = Period(date(2026, 11, 28), date(2026, 12, 3), "America/Los_Angeles")
    seoul = Period(los_angeles.start, los_angeles.end, "Asia/Seoul")
    frame = pd.DataFrame({"user": ["ana", "=HYPERLINK(x)"], "calls": [3, 4]})

    rows = list(csv.DictReader(io.StringIO(download_csv(frame, los_angeles).decode("utf-8"))))

    assert [(r["user"], r["calls"]) for r in rows] == [("ana", "3"), ("'=HYPERLINK(x)", "4")]
    assert {(r["period_start"], r["period_end"], r["tz"]) for r in rows} == {
        ("2026-11-28", "2026-12-03", "America/Los_Angeles")}
    assert download_stem("bedrock", los_angeles) == "bedrock_2026-11-28_2026-12-03_America-Los_Angeles"
    assert download_stem("bedrock", seoul) != download_stem("bedrock", los_angeles)
