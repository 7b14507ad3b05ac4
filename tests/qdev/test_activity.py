"""User-activity reports: mapping by header name, both layouts, bad rows, aggregation, limits and spike days."""

from __future__ import annotations

import csv
import io
import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bedrock_usage.logs.period import Period
from bedrock_usage.qdev.activity import BadActivityFile, read_activity_csv
from bedrock_usage.qdev.analysis import Filters, Source, analyze
from bedrock_usage.qdev.limits import PRO_LIMITS, LimitStatus, MonthWindow
from bedrock_usage.qdev.render import render_terminal, report_document
from bedrock_usage.qdev.sources import LocalStore
from tests.qdev.test_athena_sql import DuckDBActivity
from tests.qdev.test_offline import offline  # noqa: F401  (fixture)

pytestmark = pytest.mark.usefixtures("offline")

HEADER_FILE = Path(__file__).resolve().parents[1] / "fixtures" / "qdev" / "activity_header.csv"
ACCOUNT = "123456789012"
ALICE = "d-2222222222.aaaaaaaa-0000-4000-8000-00000000000a"
BOB = "d-2222222222.bbbbbbbb-0000-4000-8000-00000000000b"
CAROL = "d-2222222222.cccccccc-0000-4000-8000-00000000000c"


def header() -> list[str]:
    return HEADER_FILE.read_text().strip().split(",")


def csv_bytes(columns: list[str], rows: list[dict[str, object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(c, "") for c in columns])
    return out.getvalue().encode()


def as_number(cell: str) -> int:
    return int(cell) if cell.strip() else 0


def test_header_has_46_columns_and_every_cell_maps_by_name() -> None:
    columns = header()
    assert len(columns) == 46
    rng = random.Random(3)
    rows = [
        {"UserId": user, "Date": "11-03-2025", **{c: rng.choice(["", 0, 1, 7, 120]) for c in columns[2:]}}
        for user in (ALICE, BOB)
    ]
    data = csv_bytes(columns, rows)
    parsed = read_activity_csv(data)
    assert parsed.missing_columns == () and not parsed.skipped_rows
    expected = list(csv.DictReader(io.StringIO(data.decode())))
    assert len(parsed.rows) == 2
    for got, want in zip(parsed.rows.to_dict(orient="records"), expected, strict=True):
        assert got["UserId"] == want["UserId"]
        assert got["Date"] == date(2025, 11, 3)
        assert all(got[c] == as_number(want[c]) for c in columns[2:])


def test_older_41_column_layout_in_another_order() -> None:
    columns = header()
    dropped = columns[5:10]
    older = [c for c in columns if c not in dropped]
    random.Random(1).shuffle(older)
    assert len(older) == 41
    data = csv_bytes(older, [{"UserId": ALICE, "Date": "12-31-2024", "Chat_MessagesSent": 9, "Dev_AcceptedLines": ""}])
    parsed = read_activity_csv(data)
    assert set(parsed.missing_columns) == set(dropped)
    row = parsed.rows.iloc[0]
    assert row["Date"] == date(2024, 12, 31) and row["Chat_MessagesSent"] == 9 and row["Dev_AcceptedLines"] == 0
    assert all(row[c] == 0 for c in dropped)


def test_bad_rows_are_skipped_and_counted() -> None:
    columns = ["UserId", "Date", "Chat_MessagesSent"]
    text = (
        "UserId,Date,Chat_MessagesSent\n"
        f"{ALICE},11-03-2025,4\n"
        f"{BOB},2025-11-03,4\n"
        f",11-03-2025,4\n"
        f"{CAROL},11-03-2025,many\n"
        f"{CAROL},11-03-2025\n"
        "\n"
    )
    parsed = read_activity_csv(text.encode())
    assert list(parsed.rows["UserId"]) == [ALICE]
    assert dict(parsed.skipped_rows) == {"bad Date": 1, "no UserId": 1, "bad number": 1, "wrong number of cells": 1}
    assert len(parsed.missing_columns) == 46 - len(columns)


@pytest.mark.parametrize(("data", "message"), [
    (b"", "no UserId/Date header"), (b"a,b\n1,2\n", "no UserId/Date header"), (b"\xff\xfe\x00junk", "not UTF-8 text")
])
def test_unreadable_reports_raise(data: bytes, message: str) -> None:
    with pytest.raises(BadActivityFile, match=f"^{message}$"):
        read_activity_csv(data)


def write_reports(root: Path, days: dict[date, list[dict[str, object]]], columns: list[str]) -> None:
    """One CSV per report date, delivered in the next UTC day's folder, in the real key layout."""
    for day, rows in days.items():
        folder = day + timedelta(days=1)
        path = (
            root
            / "AWSLogs"
            / ACCOUNT
            / "QDeveloperLogs"
            / "by_user_analytic"
            / "us-east-1"
            / f"{folder:%Y/%m/%d}"
            / "03"
            / f"{ACCOUNT}_by_user_analytic_{folder:%Y%m%d}T030000Z_x{day:%d}.csv"
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(csv_bytes(columns, [{**r, "Date": day.strftime("%m-%d-%Y")} for r in rows]))


def test_aggregation_limits_and_spikes_against_independent_sums(tmp_path: Path) -> None:
    columns = header()
    # November 2025: reports from the 1st to the 15th; the period is the 10th to the 15th
    days: dict[date, list[dict[str, object]]] = {}
    for n in range(1, 16):
        day = date(2025, 11, n)
        rows = [
            {"UserId": ALICE, "Chat_MessagesSent": 10, "Dev_GenerationEventCount": 2 if n <= 12 else 0},
            {"UserId": BOB, "Chat_MessagesSent": 5, "Inline_SuggestionsCount": 40 if n == 14 else 5},
        ]
        if n in (3, 11):
            rows.append({"UserId": CAROL, "Transformation_LinesIngested": 3500, "Transformation_EventCount": 1})
        days[day] = rows
    write_reports(tmp_path, days, columns)
    period = Period(date(2025, 11, 10), date(2025, 11, 15))

    report = analyze(Source(LocalStore(tmp_path)), period)
    activity = report.activity
    assert activity is not None
    assert activity.stats.files_read == 15 and not activity.stats.skipped_files

    in_period = [(d, r) for d, rows in days.items() if period.start <= d <= period.end for r in rows]
    per_user = activity.per_user.set_index("user")  # no source names them: shown by id
    for user in (ALICE, BOB, CAROL):
        mine = [r for _, r in in_period if r["UserId"] == user]
        for column in ("Chat_MessagesSent", "Inline_SuggestionsCount", "Transformation_LinesIngested"):
            assert per_user.loc[user, column] == sum(int(r.get(column, 0)) for r in mine)
        assert per_user.loc[user, "days_active"] == len(mine)
    per_day = activity.per_day.set_index("Date")
    for day in period.all_days():
        assert per_day.loc[day, "active_users"] == len(days[day])
        assert per_day.loc[day, "Chat_MessagesSent"] == sum(int(r.get("Chat_MessagesSent", 0)) for r in days[day])
    features = activity.per_feature.set_index(["feature", "metric"])["value"]
    assert features[("Chat", "MessagesSent")] == sum(int(r.get("Chat_MessagesSent", 0)) for _, r in in_period)

    # limits: month to date = 1st..15th of a 30-day month
    assert (activity.month.days_elapsed, activity.month.days_in_month) == (15, 30)
    statuses = {(s.limit.key, s.subject): s for s in activity.limits}
    transformed = 2 * 3500
    pool = 4000 * 3  # three users appear in the month's reports
    pooled = statuses[("code_transformation_lines", "(account pool)")]
    assert pooled.used == transformed and pooled.allowance == pool
    assert pooled.projected == pytest.approx(transformed * 30 / 15)
    assert pooled.status == "projected to exceed"  # 14,000 by month end > 12,000
    alice_dev = statuses[("dev_invocations", ALICE)]
    assert alice_dev.used == 2 * 12 and alice_dev.allowance == 30
    # 80% used on the 15th, 48 by month end: running out says more than "80% used"
    assert alice_dev.status == "projected to exceed" and not alice_dev.limit.verified
    assert statuses[("agentic_requests", ALICE)].status == "no published limit"
    assert any(line.startswith("/dev") and ALICE in line and "unverified" in line for line in report.warnings)

    # Bob's 14th: 45 events against a trailing average of 10 -> a spike; nothing else is
    spikes = activity.spikes
    assert list(zip(spikes["user"], spikes["Date"], strict=True)) == [(BOB, date(2025, 11, 14))]
    assert spikes.iloc[0]["trailing_average"] == pytest.approx(10)
    assert any("usage spike" in line and BOB in line for line in report.warnings)

    # the user pattern applies to reports too
    only_bob = analyze(Source(LocalStore(tmp_path)), period, Filters(user_pattern="bbbbbbbb"))
    assert list(only_bob.activity.per_user["user"]) == [BOB]


@pytest.mark.parametrize("through_sql", [False, True])
def test_the_transformation_pool_is_the_accounts_whatever_the_user_pattern(tmp_path: Path, through_sql: bool) -> None:
    # November 2025, reports of the 1st to the 9th: Alice ingests 5,000 lines on the 3rd, Bob only chats
    days = {date(2025, 11, n): [{"UserId": ALICE, "Transformation_LinesIngested": 5000 if n == 3 else 0},
                                {"UserId": BOB, "Chat_MessagesSent": 4}] for n in range(1, 10)}
    write_reports(tmp_path, days, header())
    rows = [r for day_rows in days.values() for r in day_rows]
    used = sum(int(r.get("Transformation_LinesIngested", 0)) for r in rows)
    users = len({r["UserId"] for r in rows})
    pool, projected = 4000 * users, used * 30 / 9  # 8,000 lines; 9 of 30 days reported on the 10th
    source = Source(LocalStore(tmp_path), activity=DuckDBActivity(tmp_path) if through_sql else None)
    period, now = Period(date(2025, 11, 4), date(2025, 11, 10)), datetime(2025, 11, 10, 12, tzinfo=UTC)

    for pattern in (None, "aaaaaaaa", "bbbbbbbb"):
        report = analyze(source, period, Filters(user_pattern=pattern), now=now)
        (pooled,) = [s for s in report.activity.limits if s.limit.key == "code_transformation_lines"]
        assert (pooled.subject, pooled.used, pooled.allowance) == ("(account pool)", used, pool), pattern
        assert pooled.projected == pytest.approx(projected) and pooled.status == "projected to exceed", pattern
        assert [line for line in report.warnings if line.startswith("Code transformation")] == [
            f"Code transformation: (account pool) projected to exceed: {used:,} of {pool:,} lines of code used this "
            f"month ({used / pool:.0%}), projected {projected:,.0f} by month end"
        ], pattern
        document = report_document(report)
        (record,) = [r for r in document["limits"]["statuses"] if r["limit"] == "code_transformation_lines"]
        assert (record["used"], record["allowance"], record["pool_users"]) == (used, pool, users)
        note = " ".join(render_terminal(report).split())
        assert (f"(account pool): the account's pool and its use, from every user of the month's reports ({users} "
                "users), whatever --user-pattern selects" in note) == (pattern is not None)


@pytest.mark.parametrize(("used", "projected", "status"), [
    (24, 25.0, "warning"), (24, 30.1, "projected to exceed"), (10, 31.0, "projected to exceed"), (30, 30.0, "exceeded"),
    (23, 29.9, "ok"), (24, 30.0, "warning"), (10, 30.0, "ok")])  # a projection equal to the limit does not pass it
def test_running_out_by_month_end_outranks_80_percent_used(used: int, projected: float, status: str) -> None:
    dev = next(limit for limit in PRO_LIMITS if limit.key == "dev_invocations")  # 30 a month
    assert LimitStatus(dev, ALICE, used, 30, projected).status == status


def test_month_window_projection() -> None:
    window = MonthWindow.of(date(2024, 2, 14))
    assert (window.start, window.days_elapsed, window.days_in_month) == (date(2024, 2, 1), 14, 29)
    assert window.project(10) == pytest.approx(10 * 29 / 14)
    reported = MonthWindow.of(date(2024, 2, 14), reported_through=date(2024, 2, 10))
    assert (reported.as_of, reported.days_elapsed) == (date(2024, 2, 14), 10)
    assert reported.project(10) == pytest.approx(10 * 29 / 10)
    assert MonthWindow.of(date(2024, 2, 14), reported_through=date(2024, 3, 1)).days_elapsed == 14
    none_yet = MonthWindow.of(date(2024, 3, 1), reported_through=date(2024, 2, 29))
    assert none_yet.days_elapsed == 0 and none_yet.project(3) == 3
    # one a day in a 30-day month lands on 30 exactly, never a hair above a limit of 30
    assert [MonthWindow.of(date(2025, 11, n)).project(n) for n in (11, 13, 22, 26, 29)] == [30.0] * 5


def test_projection_counts_only_days_whose_report_has_arrived(tmp_path: Path) -> None:
    # one /dev generation a day, reports of the 1st to the 9th; on the 10th at noon UTC the 10th's report is not
    # due (it arrives at 00:00 UTC on the 11th): 9 a day over 9 days is 30 by the end of a 30-day month, which
    # reaches the limit of 30 without passing it
    days = {date(2025, 11, n): [{"UserId": ALICE, "Dev_GenerationEventCount": 1}] for n in range(1, 10)}
    write_reports(tmp_path, days, header())
    now = datetime(2025, 11, 10, 12, tzinfo=UTC)
    report = analyze(Source(LocalStore(tmp_path)), Period(date(2025, 11, 4), date(2025, 11, 10)), now=now)
    assert report.activity is not None and report.activity.month.days_elapsed == 9
    dev = next(s for s in report.activity.limits if s.limit.key == "dev_invocations" and s.subject == ALICE)
    assert dev.used == 9 and dev.allowance == 30
    assert dev.projected == pytest.approx(9 * 30 / 9) and dev.status == "ok"


def test_reports_only_outside_the_period_are_an_empty_period_not_a_missing_setup(tmp_path: Path) -> None:
    write_reports(tmp_path, {date(2025, 10, 20): [{"UserId": ALICE, "Chat_MessagesSent": 3}]}, header())
    report = analyze(Source(LocalStore(tmp_path)), Period(date(2025, 11, 20), date(2025, 11, 21)))
    assert report.activity is not None and report.activity.stats.files_listed == 0
    assert report.activity.per_user.empty and int(report.activity.per_day["events"].sum()) == 0
    assert any(line.startswith("no user-activity report in the folders of") for line in report.warnings)
