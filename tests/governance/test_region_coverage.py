"""With several regions, a chargeback's days are counted in all (a day is covered when any region has records on it,
as before) and in each region (the JSON ``coverage.regions``): a region whose records begin later or end earlier than
another's, by more days than any pause between its own calls, is named in the warnings; one called on weekdays only,
or in another month only, is not. Expected days come from plain Python over the records written."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from bedrock_usage.governance.coverage import log_coverage
from bedrock_usage.logs.period import Period
from tests.logfiles import ACCOUNT, cli_json, write_records
from tests.qdev.test_kiro_edges import ana, write_report
from tests.qdev.test_offline import offline  # noqa: F401  (fixture)

HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
SSO = "AWSReservedSSO_Developers_0123456789abcdef"
NOVEMBER = [date(2025, 11, 1) + timedelta(days=n) for n in range(30)]
# eu-west-1 misses one day, then its logs stop after the 20th; us-east-1 has every day.
EU_DAYS = [day for day in NOVEMBER if day != date(2025, 11, 11) and day <= date(2025, 11, 20)]


def records() -> list[dict]:
    """A call of alex@example.com at noon UTC on each day each region has."""
    days = {"us-east-1": NOVEMBER, "eu-west-1": EU_DAYS}
    return [{"schemaType": "ModelInvocationLog", "schemaVersion": "1.0", "timestamp": f"{day}T12:00:00Z",
             "accountId": ACCOUNT, "identity": {"arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/{SSO}/alex@example.com"},
             "region": region, "requestId": f"{region}-{day}", "operation": "Converse", "modelId": HAIKU,
             "input": {"inputTokenCount": 100}, "output": {"outputTokenCount": 10}}
            for region, held in days.items() for day in held]


@pytest.mark.usefixtures("offline")
def test_the_days_a_region_lacks_are_named_for_it_and_the_totals_stay(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    written = records()
    write_records(tmp_path / "logs", written)
    doc = cli_json(capsys, tmp_path / "logs", "--chargeback", "2025-11")
    coverage = doc["coverage"]
    # The whole: every day has records in some region, so the month is whole, as before.
    assert (coverage["days_with_records"], coverage["missing_days"], coverage["complete"]) == (30, [], True)
    assert next(r for r in doc["rows"] if r["row_type"] == "grand_total")["calls"] == len(written)
    per_region = {}
    for region in ("eu-west-1", "us-east-1"):
        held = sorted({date.fromisoformat(r["timestamp"][:10]) for r in written if r["region"] == region})
        per_region[region] = {"first_day": f"{held[0]}", "last_day": f"{held[-1]}", "days_with_records": len(held),
                              "missing_days": [f"{day}" for day in NOVEMBER if day not in held], "days_not_read": []}
    assert coverage["regions"] == per_region
    assert len(per_region["eu-west-1"]["missing_days"]) == 11
    # Its pause on the 11th is one day; its records end on the 20th while us-east-1's go on through the 30th.
    last = max(EU_DAYS)
    after = [day for day in NOVEMBER if day > last]
    spans = f"{after[0]} .. {after[-1]}: {len(after)} days, a longer pause than any between its"
    assert doc["warnings"] == [
        f"eu-west-1 has no records after {last} while other regions have records through {after[-1]} ({spans} calls "
        "in the month): its logging off or its logs late, or no calls there since (then the chargeback leaves out its "
        "spend of those days)"]

    filtered = cli_json(capsys, tmp_path / "logs", "--chargeback", "2025-11", "--model", HAIKU)
    assert (f"eu-west-1 has no matching calls after {last} while other regions have them through {after[-1]} ({spans} "
            "matching calls in the month)") in filtered["warnings"]

    write_report(tmp_path / "qdev", date(2025, 11, 3), [ana(date(2025, 11, 3), 40, User_Email="alex@example.com")])
    developers = cli_json(capsys, tmp_path / "logs", "--qdev-logs-dir", str(tmp_path / "qdev"), "--developer-costs",
                     "2025-11")
    assert (f"eu-west-1 has no records after {last} while other regions have records through {after[-1]} ({spans} "
            "calls in the month): its logging off or its logs late, or no calls there since (then the Bedrock cost "
            "leaves out its spend of those days)") in developers["warnings"]


@pytest.mark.usefixtures("offline")
def test_a_region_not_called_at_weekends_is_not_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """us-east-1 is called every day, eu-west-1 on weekdays only, as a healthy account may be every month: the
    weekends it lacks are in its JSON coverage, with no warning (November 2025 begins and ends on a weekend)."""
    weekdays = [day for day in NOVEMBER if day.weekday() < 5]
    write_records(tmp_path / "logs", [r for r in records() if r["region"] == "us-east-1"]
                  + [{**r, "region": "eu-west-1", "requestId": f"eu-{r['requestId']}"} for r in records()
                     if r["region"] == "us-east-1" and date.fromisoformat(r["timestamp"][:10]) in weekdays])
    doc = cli_json(capsys, tmp_path / "logs", "--chargeback", "2025-11")
    assert doc["warnings"] == []
    assert doc["coverage"]["regions"]["eu-west-1"]["missing_days"] == [
        f"{day}" for day in NOVEMBER if day not in weekdays]


def month_coverage(days: dict[str, list[date]], now: datetime, regions: tuple[str, ...] = ()) -> list[str]:
    """The region notes of November 2026 for records on ``days`` per region, as of ``now``."""
    facts = pd.DataFrame([{"day": f"{day}", "source_region": region} for region, held in days.items() for day in held])
    return log_coverage(facts, Period(date(2026, 11, 1), date(2026, 11, 30)), now,
                        regions=regions or tuple(days)).region_notes()


def test_a_region_whose_logging_began_later_is_named_with_the_days_before() -> None:
    east = [date(2026, 11, n) for n in range(1, 31)]
    west = [date(2026, 11, n) for n in range(10, 31)]
    before = [day for day in east if day < west[0]]
    assert month_coverage({"us-east-1": east, "eu-west-1": west}, datetime(2026, 12, 7, tzinfo=UTC)) == [
        f"eu-west-1 has no records before {west[0]} while other regions have records from {before[0]} ({before[0]} .. "
        f"{before[-1]}: {len(before)} days, a longer pause than any between its calls in the month): its logging began "
        "later, or no calls there before (then the chargeback leaves out its spend of those days)"]


def test_neither_a_day_not_over_nor_a_region_of_another_month_is_named() -> None:
    """On the 20th at 09:00 UTC us-east-1 has calls of the day and eu-west-1 none yet; ap-northeast-1, a region read
    (it has logs of other months), has none in the month: no pause to judge by, so neither is named."""
    east = [date(2026, 11, n) for n in range(1, 21)]
    west = [date(2026, 11, n) for n in range(1, 20)]
    now = datetime(2026, 11, 20, 9, tzinfo=UTC)
    assert month_coverage({"us-east-1": east, "eu-west-1": west}, now,
                          ("us-east-1", "eu-west-1", "ap-northeast-1")) == []


def test_one_region_has_no_region_notes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_records(tmp_path / "logs", [r for r in records() if r["region"] == "eu-west-1"])
    doc = cli_json(capsys, tmp_path / "logs", "--chargeback", "2025-11")
    assert set(doc["coverage"]["regions"]) == {"eu-west-1"}
    assert not any("other regions" in line for line in doc["warnings"])


def test_a_day_athena_did_not_read_in_one_region_is_named_with_that_region() -> None:
    """eu-west-1's first four days are outside its projection; us-east-1 read them and found no call: the days are
    said not read in eu-west-1, not in the whole; a day not read there that us-east-1 has records on is left to the
    scan's warning (no region note)."""
    month = Period(date(2026, 11, 1), date(2026, 11, 30))
    east, west = [date(2026, 11, n) for n in range(5, 31)], [date(2026, 11, n) for n in range(6, 31)]
    facts = pd.DataFrame({"day": [f"{day}" for day in east + west],
                          "source_region": ["us-east-1"] * len(east) + ["eu-west-1"] * len(west)})
    unread = {"eu-west-1": [date(2026, 11, n) for n in range(1, 6)]}  # the 5th too, which us-east-1 has
    coverage = log_coverage(facts, month, datetime(2026, 12, 7, tzinfo=UTC), unread=unread,
                            regions=("us-east-1", "eu-west-1"))
    [headline] = coverage.warnings()
    assert "4 days not read (2026-11-01 .. 2026-11-04 in eu-west-1: outside the partition projection" in headline
    assert coverage.region_notes() == []
