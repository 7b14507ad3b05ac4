"""Kiro user-report edges where a slip changes the figures: allowance status at exactly the allowance, prices that
change or end within the period, rows of other accounts, Regions and client files (never a re-export), oversized
cells and numbers too large to add up, from the files and through the Athena query (DuckDB). Expected
figures are counted here from what was written and from the published prices (Kiro Pro: $20 a month, 1,000 credits,
$0.04 an overage credit, kiro.dev)."""

from __future__ import annotations

import calendar
import csv
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

import qcli_s3_analyzer
from bedrock_usage.logs.period import Period
from bedrock_usage.qdev import render
from bedrock_usage.qdev.analysis import Options, Source, analyze
from bedrock_usage.qdev.sources import LocalStore
from tests.qdev.test_kiro_athena import DuckDBUserReports
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


def kiro_of(root: Path, first: date, last: date, now: datetime | None = None, prices: Path | None = None,
            through_sql: bool = False):
    """The report of ``first`` .. ``last`` (by default two days later, every report in)."""
    now = now or datetime.combine(last + timedelta(days=2), datetime.min.time(), UTC)
    options = Options(kiro_prices=str(prices) if prices else None)
    source = Source(LocalStore(root), user_reports=DuckDBUserReports(root) if through_sql else None)
    report = analyze(source, Period(first, last), now=now, options=options)
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


PRICE_HEADER = "tier,name,monthly_usd,credits,overage_usd_per_credit,effective_from,effective_to,as_of,verified,source"
OCT_29_TO_NOV_2 = [date(2026, 10, 29) + timedelta(days=n) for n in range(5)]


def test_each_day_is_priced_at_the_price_in_force_that_day(tmp_path: Path) -> None:
    # Pro is $20 and $0.04 an overage credit (built in); the contract makes it $30 and $0.10 from 1 November
    prices = tmp_path / "prices.csv"
    prices.write_text(f"{PRICE_HEADER}\nPRO,Kiro Pro,30,1000,0.10,2026-11-01,,2026-12-05,true,contract\n")
    for day in OCT_29_TO_NOV_2:
        overage = 10 if day in (date(2026, 10, 30), date(2026, 11, 2)) else 0
        write_report(tmp_path / "logs", day, [ana(day, 5, Overage_Credits_Used=overage)])
    kiro = kiro_of(tmp_path / "logs", OCT_29_TO_NOV_2[0], OCT_29_TO_NOV_2[-1], prices=prices).kiro
    row = kiro.per_user.set_index("user").loc["ana.silva@example.com"]
    seat = 20 * 3 / 31 + 30 * 2 / 30  # $3.9355: three October days at $20, two November days at $30
    assert row["seat_usd"] == pytest.approx(seat, rel=1e-12)
    assert row["overage_usd"] == pytest.approx(10 * 0.04 + 10 * 0.10, rel=1e-12)
    assert kiro.cost_usd == pytest.approx(seat + 1.4, rel=1e-12)
    assert sorted(r.monthly_usd for r in kiro.price_rows) == [20, 30]
    assert kiro.unpriced_tiers == [] and kiro.unpriced_days == {}


def test_a_price_row_that_ends_within_the_period_prices_its_days_and_names_the_rest(tmp_path: Path) -> None:
    # Pro Max: $100 a month and $0.05 a credit until 31 October only; 1 and 2 November have no price
    prices = tmp_path / "prices.csv"
    prices.write_text(f"{PRICE_HEADER}\nPRO_MAX,Kiro Pro Max,100,5000,0.05,,2026-11-01,2026-12-05,true,contract\n")
    for day in OCT_29_TO_NOV_2:
        write_report(tmp_path / "logs", day, [ana(day, 5, Subscription_Tier="PRO_MAX", Overage_Credits_Used=1)])
    report = kiro_of(tmp_path / "logs", OCT_29_TO_NOV_2[0], OCT_29_TO_NOV_2[-1], prices=prices)
    row = report.kiro.per_user.set_index("user").loc["ana.silva@example.com"]
    assert row["seat_usd"] == pytest.approx(100 * 3 / 31, rel=1e-12)
    assert row["overage_usd"] == pytest.approx(3 * 0.05, rel=1e-12)
    assert report.kiro.unpriced_tiers == []
    assert report.kiro.unpriced_days == {"PRO_MAX": [date(2026, 11, 1), date(2026, 11, 2)]}
    assert ("Kiro tier PRO_MAX has no price on 2 days of the period (2026-11-01 .. 2026-11-02): their seats and "
            "overage are not in the cost (add a price row with --kiro-prices)") in report.warnings


def test_a_tier_lacks_a_price_only_on_the_days_a_seat_is_on_it(tmp_path: Path) -> None:
    # Pro Max is priced for 1 November alone; Ana is on Pro in October and on Pro Max in November, Ben on Pro
    # throughout: October's days have no Pro Max price but nobody is on Pro Max then
    prices = tmp_path / "prices.csv"
    prices.write_text(f"{PRICE_HEADER}\nPRO_MAX,Kiro Pro Max,100,5000,0.05,2026-11-01,2026-11-02,2026-12-05,true,c\n")
    rows: dict[date, list[dict[str, object]]] = {}
    for day in OCT_29_TO_NOV_2:
        ben = ana(day, 3, UserId="u-2", User_Email="ben@example.com")
        rows[day] = [ana(day, 5, Subscription_Tier="PRO" if day.month == 10 else "PRO_MAX"), ben]
        write_report(tmp_path / "logs", day, rows[day])
    tier_of_month = {(row["User_Email"], day.month): row["Subscription_Tier"]
                     for day in sorted(rows) for row in rows[day]}  # the latest row of each month
    held = [day for day in OCT_29_TO_NOV_2 if any(tier == "PRO_MAX" and month == day.month
                                                  for (_, month), tier in tier_of_month.items())]
    expected = [day for day in held if day != date(2026, 11, 1)]
    report = kiro_of(tmp_path / "logs", OCT_29_TO_NOV_2[0], OCT_29_TO_NOV_2[-1], prices=prices)
    assert report.kiro.unpriced_days == {"PRO_MAX": expected}
    assert ("Kiro tier PRO_MAX has no price on 1 day of the period (2026-11-02): their seats and overage are not in "
            "the cost (add a price row with --kiro-prices)") in report.warnings


def test_only_tiers_a_seat_is_on_during_the_period_are_named_unpriced(tmp_path: Path) -> None:
    # the period is 20-22 November, but November's rows are read from the 1st: Ana is on Pro Max on 2 November and
    # on Pro from the 20th (Pro for the month), Ben on Pro Max on 3 November only; Cara is on Ultra in the period.
    # Neither Pro Max nor Ultra has a published price (kiro_prices.csv: PRO, PRO_PLUS, POWER)
    first, last = date(2026, 11, 20), date(2026, 11, 22)
    rows = [ana(date(2026, 11, 2), 5, Subscription_Tier="PRO_MAX"),
            ana(date(2026, 11, 3), 5, UserId="u-2", User_Email="ben@example.com", Subscription_Tier="PRO_MAX")]
    for day in (first, date(2026, 11, 21), last):
        rows += [ana(day, 5), ana(day, 2, UserId="u-3", User_Email="cara@example.com", Subscription_Tier="ULTRA")]
    for day in {r["Date"] for r in rows}:
        write_report(tmp_path, day, [r for r in rows if r["Date"] == day])
    in_period = sorted((r for r in rows if first <= r["Date"] <= last), key=lambda r: r["Date"])
    tier_of_month = {(r["User_Email"], r["Date"].month): r["Subscription_Tier"] for r in in_period}  # latest row
    expected = sorted(set(tier_of_month.values()) - {"PRO", "PRO_PLUS", "POWER"})
    report = kiro_of(tmp_path, first, last)
    assert report.kiro.unpriced_tiers == expected == ["ULTRA"]
    assert ("Kiro tiers without published prices: ULTRA: their seats and overage are not in the cost (add them with "
            "--kiro-prices)") in report.warnings


def test_a_person_without_a_tier_is_named_as_unpriced(tmp_path: Path) -> None:
    day = date(2026, 11, 1)
    ben = {"Date": day, "UserId": "u-2", "Client_Type": "KIRO_IDE", "Credits_Used": 100, "Overage_Credits_Used": 50,
           "Total_Messages": 3, "User_Email": "ben@example.com"}  # Subscription_Tier empty
    write_report(tmp_path, day, [ana(day, 100, Overage_Credits_Used=50), ben])
    report = kiro_of(tmp_path, day, day)
    per_user = report.kiro.per_user.set_index("user")
    assert per_user["cost_usd"].isna().tolist() == [False, True]  # Ana first: same credits, then by name
    assert report.kiro.cost_usd == pytest.approx(20 / 30 + 50 * 0.04, rel=1e-12)  # Ana's alone
    assert report.kiro.users_without_tier == ["ben@example.com"]
    assert ("Kiro users without a Subscription_Tier in their latest report row of a month: ben@example.com: their "
            "seats and overage of that month are not in the cost") in report.warnings


@pytest.mark.parametrize("through_sql", [False, True])
def test_rows_of_other_accounts_regions_and_client_files_are_no_re_export(tmp_path: Path, through_sql: bool) -> None:
    # Ana's 1 November in four reports of one export time: two accounts' IDE reports (no ProfileId), and an IDE and a
    # CLI report of a third account whose files have no Client_Type or ProfileId column (the file name says it)
    day = date(2026, 11, 1)
    write_report(tmp_path, day, [ana(day, 11)], account="333333333333")
    write_report(tmp_path, day, [ana(day, 7)], account="222222222222", region="eu-central-1")
    bare = tuple(name for name in HEADER if name not in ("Client_Type", "ProfileId"))
    write_report(tmp_path, day, [ana(day, 100)], header=bare)
    write_report(tmp_path, day, [ana(day, 40)], client="KIRO_CLI", header=bare)
    kiro = kiro_of(tmp_path, day, day, through_sql=through_sql).kiro
    assert kiro.stats.replaced_rows == 0
    assert kiro.per_user.set_index("user").loc["ana.silva@example.com", "credits_in_plan"] == 11 + 7 + 100 + 40
    assert dict(zip(kiro.per_client["client_type"], kiro.per_client["credits_in_plan"], strict=True)) == {
        "KIRO_IDE": 11 + 7 + 100, "KIRO_CLI": 40}


@pytest.mark.parametrize("through_sql", [False, True])
def test_a_re_export_of_the_same_report_still_counts_once(tmp_path: Path, through_sql: bool) -> None:
    day = date(2026, 11, 1)
    first = write_report(tmp_path, day, [ana(day, 100)], client="KIRO_CLI")
    again = first.with_name(first.name.replace("0200.csv", "1330.csv"))  # exported again at 13:30
    again.write_text(first.read_text().replace(",100,", ",120,"))
    kiro = kiro_of(tmp_path, day, day, through_sql=through_sql).kiro
    assert kiro.stats.replaced_rows == 1
    assert kiro.per_user.set_index("user").loc["ana.silva@example.com", "credits_in_plan"] == 120


@pytest.mark.parametrize("through_sql", [False, True])
def test_a_row_with_an_oversized_cell_is_skipped_and_the_rest_counted(tmp_path: Path, through_sql: bool) -> None:
    # an e-mail of 140,000 characters (over the csv module's 131,072) in one row of one file
    day = date(2026, 11, 1)
    ben = {"Date": day, "UserId": "u-2", "Credits_Used": 5, "Subscription_Tier": "PRO", "User_Email": "b" * 140_000}
    write_report(tmp_path, day, [ana(day, 11), ben])
    write_report(tmp_path, day, [ana(day, 7)], account="222222222222")
    kiro = kiro_of(tmp_path, day, day, through_sql=through_sql).kiro
    assert kiro.stats.files_read == 2 and dict(kiro.stats.skipped_rows) == {"a cell longer than 131,072 characters": 1}
    assert kiro.per_user[["user", "credits_in_plan"]].values.tolist() == [["ana.silva@example.com", 18.0]]


@pytest.mark.parametrize("through_sql", [False, True])
def test_a_quote_left_open_spoils_its_row_alone(tmp_path: Path, through_sql: bool) -> None:
    # Ana's credits cell opens a quote it never closes; Ben's and Carla's rows follow in the same file
    day = date(2026, 11, 1)
    others = [ana(day, 40, UserId="u-2", User_Email="ben@example.com"),
              ana(day, 100, UserId="u-3", User_Email="carla@example.com")]
    path = write_report(tmp_path, day, [ana(day, 11), *others])
    path.write_text(path.read_text().replace(",11,", ',"11,', 1))
    kiro = kiro_of(tmp_path, day, day, through_sql=through_sql).kiro
    assert sum(kiro.stats.skipped_rows.values()) == 1
    expected = sorted([str(row["User_Email"]), float(row["Credits_Used"])] for row in others)
    assert sorted(kiro.per_user[["user", "credits_in_plan"]].values.tolist()) == expected


def _strict_json(path: Path) -> dict:
    """The document, refusing the NaN and Infinity that JSON does not allow."""
    def refuse(name: str) -> None:
        raise ValueError(f"{name} in {path}")
    return json.loads(path.read_text(), parse_constant=refuse)


@pytest.mark.parametrize("through_sql", [False, True])
def test_credits_too_large_to_add_up_are_bad_numbers_and_the_json_stays_valid(tmp_path: Path,
                                                                               through_sql: bool) -> None:
    # 1e308 credits is finite, two of them are not: a credit or count of 2**32 or more in a day is a bad number
    days = (date(2026, 11, 1), date(2026, 11, 2))
    for day in days:
        write_report(tmp_path / "logs", day, [ana(day, "1e308", Total_Messages=5 * 10**18)])
    write_report(tmp_path / "logs", days[0], [ana(days[0], 12.5)], account="222222222222")
    report = kiro_of(tmp_path / "logs", *days, through_sql=through_sql)
    assert dict(report.kiro.stats.skipped_rows) == {"bad number": 2}
    assert report.kiro.per_user[["user", "credits_in_plan"]].values.tolist() == [["ana.silva@example.com", 12.5]]
    document = _strict_json(render.write_json(report, tmp_path, "run"))
    assert document["kiro"]["per_user"][0]["credits_in_plan"] == 12.5


def test_a_tier_of_no_credits_has_no_share_and_the_json_stays_valid(tmp_path: Path) -> None:
    prices = tmp_path / "prices.csv"
    prices.write_text(f"{PRICE_HEADER}\nPRO,Kiro Pro,20,0,0.04,,,2026-12-05,true,contract\n")
    day = date(2026, 11, 1)
    write_report(tmp_path / "logs", day, [ana(day, 10)])
    report = kiro_of(tmp_path / "logs", day, day, prices=prices)
    (row,) = _strict_json(render.write_json(report, tmp_path, "run"))["kiro"]["allowance"]["rows"]
    assert (row["allowance"], row["used_share"], row["projected_share"]) == (0, None, None)


# A credits cell as it may come, and what it must read as on every path: only spaces and tabs are trimmed, so the
# other Unicode blanks (U+00A0, U+202F, U+0085) leave a bad number, and quotes count after the trim.
PADDED_CREDITS = {"\t12\t": 12.0, ' "12"': 12.0, ' " 12\t" ': 12.0, "12": 12.0,
                  "12\u00a0": None, "\u202f12": None, "12\u0085": None}


@pytest.mark.parametrize("through_sql", [False, True])
def test_cells_are_trimmed_of_spaces_and_tabs_alone_on_every_path(tmp_path: Path, through_sql: bool) -> None:
    day = date(2026, 11, 1)
    rows = [ana(day, cell, UserId=f"u-{i}", User_Email=f"user{i}@example.com")
            for i, cell in enumerate(PADDED_CREDITS)]
    write_report(tmp_path, day, rows)
    kiro = kiro_of(tmp_path, day, day, through_sql=through_sql).kiro
    expected = sorted([f"user{i}@example.com", credits] for i, credits in enumerate(PADDED_CREDITS.values())
                      if credits is not None)
    bad = sum(credits is None for credits in PADDED_CREDITS.values())
    assert dict(kiro.stats.skipped_rows) == {"bad number": bad}
    assert sorted(kiro.per_user[["user", "credits_in_plan"]].values.tolist()) == expected


@pytest.mark.parametrize("through_sql", [False, True])
def test_two_spellings_of_an_email_id_are_one_person_with_one_seat(tmp_path: Path, through_sql: bool) -> None:
    """Rows whose UserId is one e-mail in two letter cases (no User_Email) are one person, at the tier of their latest
    row: Pro on the 2nd, Pro+ on the 3rd, and Pro+ is $40 a month (kiro.dev), so 15 of November's 30 days cost $20."""
    write_report(tmp_path, date(2026, 11, 2), [ana(date(2026, 11, 2), 100, UserId="Alice@Example.com",
                                                   User_Email="")])
    write_report(tmp_path, date(2026, 11, 3), [ana(date(2026, 11, 3), 50, UserId="alice@example.com",
                                                   User_Email="", Subscription_Tier="PRO_PLUS")])
    report = kiro_of(tmp_path, date(2026, 11, 1), date(2026, 11, 15), through_sql=through_sql)
    (row,) = report.kiro.per_user.to_dict("records")
    assert (row["user"], row["tier"], row["credits_in_plan"]) == ("alice@example.com", "PRO_PLUS", 150)
    assert row["user_ids"] == "Alice@Example.com, alice@example.com"
    assert report.kiro.cost_usd == pytest.approx(40 * 15 / 30, rel=1e-12)
    assert list(report.kiro.allowance["user"]) == list(report.people["user"]) == ["alice@example.com"]


PRICES_CSV = Path(__file__).resolve().parents[2] / "bedrock_usage" / "qdev" / "kiro_prices.csv"


def published_seat(spans: list[tuple[str, date, date]]) -> float:
    """A seat over ``spans`` (tier, first day, last day) at kiro_prices.csv's monthly prices, each day costing
    1/(days in its month) of its month's price (docs/amazon-q.md, section 7)."""
    with PRICES_CSV.open(newline="") as handle:
        monthly = {row["tier"]: float(row["monthly_usd"]) for row in csv.DictReader(handle)}
    total = 0.0
    for tier, first, last in spans:
        day = first
        while day <= last:
            total += monthly[tier] / calendar.monthrange(day.year, day.month)[1]
            day += timedelta(days=1)
    return total


def test_a_seat_starts_at_the_month_of_the_first_report_row(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # 17 August to 31 October: Ana has a row in every month (Pro); Cara is on Pro in August, has no row in September
    # and is on Pro+ in October; Dev has one row, in September (Pro); Ben first uses Kiro on 15 October (Pro+, 10
    # overage credits). Nobody's seat is known before the month of their first row; a month without a row keeps the
    # tier of the month before
    person = {"ben": ("u-2", "ben@example.com"), "cara": ("u-3", "cara@example.com"), "dev": ("u-4", "dev@example.com")}
    rows = [ana(date(2026, 8, 20), 5), ana(date(2026, 9, 10), 5), ana(date(2026, 10, 20), 5)]
    for who, day, tier, overage in (("cara", date(2026, 8, 18), "PRO", 0), ("cara", date(2026, 10, 5), "PRO_PLUS", 0),
                                    ("dev", date(2026, 9, 12), "PRO", 0), ("ben", date(2026, 10, 15), "PRO_PLUS", 10)):
        user_id, email = person[who]
        rows.append(ana(day, 3, UserId=user_id, User_Email=email, Subscription_Tier=tier,
                        Overage_Credits_Used=overage))
    for day in sorted({row["Date"] for row in rows}):
        write_report(tmp_path, day, [row for row in rows if row["Date"] == day])
    aug17, sep1, sep30, oct1, oct31 = (date(2026, 8, 17), date(2026, 9, 1), date(2026, 9, 30), date(2026, 10, 1),
                                       date(2026, 10, 31))
    expected = {
        "ana.silva@example.com": published_seat([("PRO", aug17, oct31)]),
        "cara@example.com": published_seat([("PRO", aug17, sep30), ("PRO_PLUS", oct1, oct31)]),
        "dev@example.com": published_seat([("PRO", sep1, oct31)]),
        "ben@example.com": published_seat([("PRO_PLUS", oct1, oct31)]),
    }
    assert expected["ben@example.com"] == pytest.approx(40) and expected["dev@example.com"] == pytest.approx(40)
    note = "2 people's Kiro seats counted from the month of their first report row (before it no seat is known)"
    argv = ["--logs-dir", str(tmp_path), "--start-date", "2026-08-17", "--end-date", "2026-10-31"]

    assert qcli_s3_analyzer.main([*argv, "--format", "json", "--output-dir", "-"]) == 0
    document = json.loads(capsys.readouterr().out)
    seats = {row["user"]: row["seat_usd"] for row in document["kiro"]["per_user"]}
    assert seats == pytest.approx(expected, abs=1e-8)  # the JSON rounds to 9 decimals
    cost = document["kiro"]["cost"]
    assert cost["seats_usd"] == pytest.approx(sum(expected.values()), abs=1e-8)
    assert cost["overage_usd"] == pytest.approx(10 * 0.04, rel=1e-12)
    assert cost["seats_from_first_row"] == ["ben@example.com", "dev@example.com"]
    assert note in document["warnings"]

    assert qcli_s3_analyzer.main([*argv, "--max-rows", "0"]) == 0
    assert f"  ! {note}" in capsys.readouterr().out.splitlines()
    assert qcli_s3_analyzer.main([*argv, "--format", "csv", "--output-dir", str(tmp_path / "csv")]) == 0
    (summary,) = (tmp_path / "csv").glob("*_summary.csv")
    with summary.open(newline="") as handle:
        assert ["warning", note] in list(csv.reader(handle))
    capsys.readouterr()

    # a one-month period is unchanged: every person seen in it holds a seat for the whole of it
    assert qcli_s3_analyzer.main([*argv[:2], "--start-date", "2026-10-01", "--end-date", "2026-10-31", "--format",
                                  "json", "--output-dir", "-"]) == 0
    october = json.loads(capsys.readouterr().out)
    assert {row["user"]: row["seat_usd"] for row in october["kiro"]["per_user"]} == pytest.approx(
        {"ana.silva@example.com": 20, "cara@example.com": 40, "ben@example.com": 40}, rel=1e-12)
    assert october["kiro"]["cost"]["seats_from_first_row"] == []
    assert not any("first report row" in line for line in october["warnings"])
