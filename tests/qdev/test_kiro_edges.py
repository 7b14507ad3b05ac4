"""Kiro user-report edges where a slip changes the figures: allowance status at exactly the allowance. Expected
figures are counted here from what was written and from the published prices (Kiro Pro: $20 a month, 1,000 credits,
$0.04 an overage credit, kiro.dev)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bedrock_usage.logs.period import Period
from bedrock_usage.qdev.analysis import Source, analyze
from bedrock_usage.qdev.sources import LocalStore
from tests.qdev.test_offline import offline  # noqa: F401  (fixture)

pytestmark = pytest.mark.usefixtures("offline")

ACCOUNT = "111122223333"
ANA = "94f8a4c8-5061-70a1-9c5f-1b2d3e4f5a61"
HEADER = ("Date", "UserId", "Client_Type", "Credits_Used", "Overage_Credits_Used", "ProfileId", "Subscription_Tier",
          "Total_Messages", "User_Email")


def write_report(root: Path, day: date, rows: list[dict[str, object]], client: str = "KIRO_IDE",
                 account: str = ACCOUNT, region: str = "us-east-1", header: tuple[str, ...] = HEADER) -> Path:
    """The user report of ``day`` (written at 02:00 UTC the next day) holding ``rows`` (cells by header name)."""
    folder = day + timedelta(days=1)
    path = (root / "AWSLogs" / account / "KiroLogs" / "user_report" / region / f"{folder:%Y/%m/%d}" / "00"
            / f"{client}_{account}_user_report_{folder:%Y%m%d}0200.csv")
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [",".join(header)] + [",".join(str(row.get(name, "")) for name in header) for row in rows]
    path.write_text("\n".join(lines) + "\n")
    return path


def ana(day: date, credits: float, **cells: object) -> dict[str, object]:
    """A row of Ana's on Kiro Pro."""
    return {"Date": day, "UserId": ANA, "Client_Type": "KIRO_IDE", "Credits_Used": credits, "Subscription_Tier": "PRO",
            "Total_Messages": 1, "User_Email": "ana.silva@example.com", **cells}


def kiro_of(root: Path, first: date, last: date, now: datetime | None = None):
    report = analyze(Source(LocalStore(root)), Period(first, last), now=now or datetime.combine(
        last + timedelta(days=2), datetime.min.time(), UTC))
    assert report.kiro is not None
    return report


def test_a_projection_equal_to_the_allowance_does_not_pass_it(tmp_path: Path) -> None:
    # 500 credits in the 15 days reported of a 30-day month: 1,000 by month end, Kiro Pro's allowance exactly
    write_report(tmp_path, date(2026, 11, 15), [ana(date(2026, 11, 15), 500)])
    report = kiro_of(tmp_path, date(2026, 11, 1), date(2026, 11, 15), now=datetime(2026, 11, 16, 3, tzinfo=UTC))
    row = report.kiro.allowance.set_index("user").loc["ana.silva@example.com"]
    assert row["used"] == pytest.approx(500) and row["projected"] == pytest.approx(1000)
    assert row["status"] == "ok"
    assert not any("projected to exceed" in line for line in report.warnings)
