"""Amazon Q edges where a slip changes the figures: prompt-log requests at the period's first instant and at the
next period's first instant, and ``--user-pattern`` values that a regular expression would read differently, on the
prompt logs and on the activity reports read from the files (Python) and through the Athena query (DuckDB). Expected
figures are counted here from what was written."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bedrock_usage.logs.period import Period
from bedrock_usage.qdev.analysis import Filters, Identities, Source, analyze
from bedrock_usage.qdev.people import read_user_map
from bedrock_usage.qdev.sources import LocalStore
from tests.qdev.test_activity import ALICE, BOB, CAROL, header, write_reports
from tests.qdev.test_analysis import USER_A, USER_B, Req, in_period, write_corpus
from tests.qdev.test_athena_sql import DuckDBActivity
from tests.qdev.test_offline import offline  # noqa: F401  (fixture)

pytestmark = pytest.mark.usefixtures("offline")

# (timestamp as logged, in the period 2025-03-10 .. 2025-03-11 of the time zone)
EDGES = {
    "UTC": [("2025-03-09T23:59:59.999999Z", False), ("2025-03-10T00:00:00.000000Z", True),
            ("2025-03-11T23:59:59.999999Z", True), ("2025-03-12T00:00:00.000000Z", False),
            ("2025-03-12T00:00:00Z", False)],
    "Asia/Seoul": [("2025-03-09T14:59:59.999999Z", False), ("2025-03-09T15:00:00.000000Z", True),
                   ("2025-03-11T14:59:59.999999Z", True), ("2025-03-11T15:00:00.000000Z", False)],
}


def chat(user: str, stamp: str, words: int) -> Req:
    return Req(user, "Q Developer", "chat", stamp, (" ".join(["token"] * words),), ("ok",))


@pytest.mark.parametrize("tz", sorted(EDGES))
def test_prompt_logs_hold_the_first_instant_and_not_the_next_periods(tmp_path: Path, tz: str) -> None:
    requests = [chat(USER_A, stamp, n + 1) for n, (stamp, _) in enumerate(EDGES[tz])]
    write_corpus(tmp_path, requests)
    period = Period(date(2025, 3, 10), date(2025, 3, 11), tz)
    report = analyze(Source(LocalStore(tmp_path)), period)
    kept = [req for req, (_, counted) in zip(requests, EDGES[tz], strict=True) if counted]
    assert kept == [req for req in requests if in_period(req, period)]  # the independent rule agrees with the table
    assert report.summary.requests == len(kept) == 2
    assert report.summary.input_tokens == sum(req.input_tokens for req in kept)


# Patterns a regular expression reads otherwise: "." is any character, "+" and "*" repeat, "[b]" is a class,
# "(" and "?" alone are not expressions at all. Q user ids hold "." and "-".
HOSTILE = ["2222.2222", "1111.1111", ".*", "b+", "[b]", "(", "?", "d-2222222222.b", "D-1111111111.A", "-0000-"]


@pytest.mark.parametrize("pattern", HOSTILE)
def test_prompt_log_user_pattern_is_a_literal_case_insensitive_substring(tmp_path: Path, pattern: str) -> None:
    requests = [chat(USER_A, "2025-03-10T09:00:00.000000Z", 3), chat(USER_B, "2025-03-10T10:00:00.000000Z", 5)]
    write_corpus(tmp_path, requests)
    report = analyze(Source(LocalStore(tmp_path)), Period(date(2025, 3, 10), date(2025, 3, 10)), Filters(pattern))
    kept = [req for req in requests if pattern.lower() in req.user.lower()]
    assert report.summary.requests == len(kept)
    assert report.summary.input_tokens == sum(req.input_tokens for req in kept)


ACTIVITY_DAYS = {
    date(2025, 11, 10): [{"UserId": ALICE, "Chat_MessagesSent": 3}, {"UserId": BOB, "Chat_MessagesSent": 5}],
    date(2025, 11, 11): [{"UserId": BOB, "Chat_MessagesSent": 7}, {"UserId": CAROL, "Chat_MessagesSent": 11}],
}


@pytest.fixture(scope="module")
def activity_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("activity-patterns")
    write_reports(root, ACTIVITY_DAYS, header())
    return root


@pytest.mark.parametrize("through", ["files", "athena-sql"])
@pytest.mark.parametrize("pattern", HOSTILE)
def test_activity_user_pattern_is_a_literal_case_insensitive_substring(activity_root: Path, pattern: str,
                                                                         through: str) -> None:
    activity = DuckDBActivity(activity_root) if through == "athena-sql" else None
    source = Source(LocalStore(activity_root), activity=activity)
    report = analyze(source, Period(date(2025, 11, 10), date(2025, 11, 11)), Filters(pattern))
    assert report.activity is not None
    rows = [row for rows in ACTIVITY_DAYS.values() for row in rows if pattern.lower() in str(row["UserId"]).lower()]
    per_user = report.activity.per_user
    assert sorted(per_user["user"]) == sorted({row["UserId"] for row in rows})
    assert int(per_user["Chat_MessagesSent"].sum()) == sum(int(row["Chat_MessagesSent"]) for row in rows)


@pytest.mark.parametrize(("pattern", "kept"), [("JANE.DOE@EXAMPLE", True), ("Jane Doe", True), ("jane+doe", False),
                                               ("j.ne", False)])
def test_user_pattern_matches_the_mapped_email_and_name_literally_in_any_case(tmp_path: Path, pattern: str,
                                                                              kept: bool) -> None:
    write_corpus(tmp_path / "logs", [chat(USER_A, "2025-03-10T09:00:00.000000Z", 3),
                                     chat(USER_B, "2025-03-10T10:00:00.000000Z", 5)])
    (tmp_path / "users.csv").write_text(f"userId,email,displayName\n{USER_A},jane.doe@example.com,Jane Doe\n")
    identities = Identities(user_map=read_user_map(tmp_path / "users.csv"))
    report = analyze(Source(LocalStore(tmp_path / "logs")), Period(date(2025, 3, 10), date(2025, 3, 10)),
                     Filters(pattern), identities=identities)
    assert report.summary.requests == (1 if kept else 0)
    assert list(report.per_user["user"]) == (["jane.doe@example.com"] if kept else [])


KIRO_HEADER = ("Date,UserId,Client_Type,Chat_Conversations,Credits_Used,Overage_Cap,Overage_Credits_Used,"
               "Overage_Enabled,ProfileId,Subscription_Tier,Total_Messages,New_User,User_Email")
KIRO_ACCOUNT = "111122223333"


KIRO_USER = "94f8a4c8-5061-70a1-9c5f-1b2d3e4f5a61"


def write_kiro_days(root: Path, tiers: dict[date, str]) -> None:
    """One Kiro user report per day (delivered the next day) with one row: Ana on ``tiers[day]``."""
    profile = f"arn:aws:codewhisperer:us-east-1:{KIRO_ACCOUNT}:profile/EXAMPLE1234AB"
    for day, tier in tiers.items():
        folder = date.fromordinal(day.toordinal() + 1)
        path = (root / "AWSLogs" / KIRO_ACCOUNT / "KiroLogs" / "user_report" / "us-east-1" / f"{folder:%Y/%m/%d}"
                / "00" / f"KIRO_IDE_{KIRO_ACCOUNT}_user_report_{folder:%Y%m%d}0200.csv")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"{KIRO_HEADER}\n{day},{KIRO_USER},KIRO_IDE,1,10,,0,false,{profile},{tier},3,false,"
                        "ana.silva@example.com\n")


def test_a_kiro_seat_costs_each_day_its_share_of_its_own_month(tmp_path: Path) -> None:
    """Kiro Pro is $20 a month (kiro.dev): 2 days of January are 2/31 of it, 2 days of February 2/28."""
    write_kiro_days(tmp_path, dict.fromkeys((date(2026, 1, 30), date(2026, 1, 31), date(2026, 2, 1),
                                             date(2026, 2, 2)), "PRO"))
    report = analyze(Source(LocalStore(tmp_path)), Period(date(2026, 1, 30), date(2026, 2, 2)),
                     now=datetime(2026, 2, 4, tzinfo=UTC))
    assert report.kiro is not None
    per_user = report.kiro.per_user.set_index("user")
    assert per_user.loc["ana.silva@example.com", "seat_usd"] == pytest.approx(20 * (2 / 31 + 2 / 28), rel=1e-12)
    assert report.kiro.cost_usd == pytest.approx(20 * (2 / 31 + 2 / 28), rel=1e-12)


def test_a_kiro_seat_is_priced_at_the_latest_tier_of_the_period(tmp_path: Path) -> None:
    """Ana moved from Pro ($20 a month) to Power ($200, kiro.dev) on the 3rd: the period's seat is Power's."""
    write_kiro_days(tmp_path, {date(2026, 11, 2): "PRO", date(2026, 11, 3): "POWER"})
    report = analyze(Source(LocalStore(tmp_path)), Period(date(2026, 11, 2), date(2026, 11, 3)),
                     now=datetime(2026, 11, 5, tzinfo=UTC))
    assert report.kiro is not None
    ana = report.kiro.per_user.set_index("user").loc["ana.silva@example.com"]
    assert ana["tier"] == "POWER"
    assert ana["seat_usd"] == pytest.approx(200 * 2 / 30, rel=1e-12)


def test_a_kiro_seat_is_priced_at_each_months_own_latest_tier(tmp_path: Path) -> None:
    """Ana on Pro ($20 a month) through 1 December, on Pro+ ($40, kiro.dev) from the 2nd: Kiro re-rates December, not
    November, so November's 11 days cost 11/30 of $20 and December's 4 days 4/31 of $40; December's allowance is
    Pro+'s (2,000 credits)."""
    days = [date(2026, 11, 20) + timedelta(days=n) for n in range(15)]
    write_kiro_days(tmp_path, {day: "PRO_PLUS" if day >= date(2026, 12, 2) else "PRO" for day in days})
    report = analyze(Source(LocalStore(tmp_path)), Period(days[0], days[-1]), now=datetime(2026, 12, 6, tzinfo=UTC))
    assert report.kiro is not None
    ana = report.kiro.per_user.set_index("user").loc["ana.silva@example.com"]
    assert ana["tier"] == "PRO_PLUS"
    assert ana["seat_usd"] == pytest.approx(20 * 11 / 30 + 40 * 4 / 31, rel=1e-12)
    assert report.kiro.allowance.set_index("user").loc["ana.silva@example.com", "allowance"] == 2000


def test_a_month_whose_latest_row_has_no_tier_is_unpriced_and_named(tmp_path: Path) -> None:
    """No Subscription_Tier in November, Pro ($20 a month) in December: only December's day is priced (1/31 of $20),
    and the warning names Ana, never pricing November as Pro."""
    write_kiro_days(tmp_path, {date(2026, 11, 30): "", date(2026, 12, 1): "PRO"})
    report = analyze(Source(LocalStore(tmp_path)), Period(date(2026, 11, 30), date(2026, 12, 1)),
                     now=datetime(2026, 12, 3, tzinfo=UTC))
    assert report.kiro is not None
    assert report.kiro.per_user.set_index("user").loc["ana.silva@example.com", "seat_usd"] == pytest.approx(
        20 / 31, rel=1e-12)
    assert report.kiro.users_without_tier == ["ana.silva@example.com"]
    assert any(line.startswith("Kiro users without a Subscription_Tier in their latest report row of a month: "
                               "ana.silva@example.com") for line in report.warnings)


def test_two_spellings_of_an_email_user_id_are_one_subscription(tmp_path: Path) -> None:
    """Prompt logs whose userId is one e-mail in two letter cases: one user, one $19 seat (1 day of 31 in March)."""
    requests = [chat("Alice@Example.com", "2025-03-10T09:00:00.000000Z", 3),
                chat("alice@example.com", "2025-03-10T10:00:00.000000Z", 5)]
    write_corpus(tmp_path, requests)
    report = analyze(Source(LocalStore(tmp_path)), Period(date(2025, 3, 10), date(2025, 3, 10)))
    assert report.summary.users == report.virtual_cost.users == 1
    assert report.virtual_cost.subscription == pytest.approx(19 / 31, rel=1e-12)
    assert list(report.per_user["user"]) == ["alice@example.com"]
    assert report.per_user["requests"].tolist() == [2]


@pytest.mark.parametrize("through", ["files", "athena-sql"])
def test_two_spellings_of_an_email_user_id_are_one_activity_user(tmp_path: Path, through: str) -> None:
    write_reports(tmp_path, {date(2025, 11, 10): [{"UserId": "Alice@Example.com", "Chat_MessagesSent": 3}],
                             date(2025, 11, 11): [{"UserId": "alice@example.com", "Chat_MessagesSent": 7}]}, header())
    activity = DuckDBActivity(tmp_path) if through == "athena-sql" else None
    report = analyze(Source(LocalStore(tmp_path), activity=activity), Period(date(2025, 11, 10), date(2025, 11, 11)))
    assert report.activity is not None
    per_user = report.activity.per_user
    assert per_user["user"].tolist() == ["alice@example.com"]
    assert per_user["Chat_MessagesSent"].tolist() == [3 + 7]
