"""The Athena activity query, run on DuckDB over the same report CSVs the S3 reader reads.

A table shaped like the Glue table of ``setup_athena_bucket.py --qdev`` (``line``, ``product``, ``dt`` and
``"$path"``, one row per line as Hadoop's line reader splits a file) is loaded from a folder of reports written
here: both layouts, shuffled column order, quoted and padded cells, empty cells, blank lines, CRLF, byte order
marks, bad rows of every kind, a file without header and objects that are not reports. The expected rows and
counts are the ones the test wrote; the SQL and the Python reader must both give exactly those, and the reports
built from either must be equal.
"""

from __future__ import annotations

import csv
import io
import random
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import sqlglot

from bedrock_usage.engines.local import to_duckdb
from bedrock_usage.logs.period import Period
from bedrock_usage.qdev.activity import ActivityStats, csv_rows, read_activity_csv
from bedrock_usage.qdev.activity_sql import activity_query, cells_sql, decode_activity
from bedrock_usage.qdev.analysis import Filters, Source, analyze
from bedrock_usage.qdev.sources import LocalStore
from tests.qdev.test_offline import offline  # noqa: F401  (fixture)

pytestmark = pytest.mark.usefixtures("offline")

HEADER_FILE = Path(__file__).resolve().parents[1] / "fixtures" / "qdev" / "activity_header.csv"
ACCOUNT = "123456789012"
BUCKET = "amazonq-developer-reports-123456789012"
USERS = (
    "d-2222222222.aaaaaaaa-0000-4000-8000-00000000000a",
    "d-2222222222.bbbbbbbb-0000-4000-8000-00000000000b",
    "d-2222222222.cccccccc-0000-4000-8000-00000000000c",
    "d-3333333333.under_score%50'quote",  # LIKE wildcards and a quote: the user filter must be literal
)
PRODUCT_NAMES = {"QDeveloperLogs": "Q Developer", "KiroLogs": "Kiro"}
# Period 8..15 November 2025: reports dated 1..15 November are read (month start), from folders 1..16 November.
PERIOD = Period(date(2025, 11, 8), date(2025, 11, 15))
WINDOW = (date(2025, 11, 1), date(2025, 11, 15))
FOLDERS = (date(2025, 11, 1), date(2025, 11, 16))
_PARTITION_RE = re.compile(
    r"AWSLogs/[^/]+/(QDeveloperLogs|KiroLogs)/by_user_analytic/([^/]+)/(\d{4}/\d{2}/\d{2})/"
)


def reference_header() -> list[str]:
    return HEADER_FILE.read_text().strip().split(",")


@dataclass
class Written:
    """One object written, and what a correct reader must make of it."""

    key: str
    product: str
    region: str
    folder_day: date
    is_report: bool = True  # a report file a reader must read (not another object)
    has_header: bool = True
    older_layout: bool = False
    rows: list[tuple] = field(default_factory=list)  # (UserId, Date, metrics..., product, region)
    skipped: Counter[str] = field(default_factory=Counter)


def _cell(rng: random.Random, value: int) -> str:
    """How a count may appear in a report: plain, empty or 0 for zero, as a decimal, padded with spaces."""
    if value == 0:
        return rng.choice(["", "0", "", "0.0"])
    return rng.choice([str(value), str(value), f"{value}.0", f" {value} "])


def _date_cell(rng: random.Random, day: date) -> str:
    return day.strftime("%m-%d-%Y") if rng.random() < 0.85 else f"{day.month}-{day.day}-{day.year}"


def _write(root: Path, key: str, lines: list[str], newline: str, bom: bool) -> None:
    path = root / key
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(("\ufeff" if bom else "").encode() + (newline.join(lines) + newline).encode())


def _csv_line(cells: list[str], quoting: int) -> str:
    out = io.StringIO()
    csv.writer(out, quoting=quoting, lineterminator="").writerow(cells)
    return out.getvalue()


def _report(rng: random.Random, root: Path, header: list[str], day: date, product: str, region: str) -> Written:
    """One day's report of one product and region, delivered in the next day's folder."""
    folder = day + timedelta(days=1)
    prefix = f"AWSLogs/{ACCOUNT}/{product}/by_user_analytic/{region}/{folder:%Y/%m/%d}"
    hour = "" if rng.random() < 0.1 else "00/"
    key = f"reports/{prefix}/{hour}{ACCOUNT}_by_user_analytic_{folder:%Y%m%d}T000000Z_{rng.getrandbits(32):08x}.csv"
    written = Written(key, PRODUCT_NAMES[product], region, folder)
    columns = list(header)
    layout = rng.choice(["reference", "shuffled", "older"])
    if layout != "reference":
        if layout == "older":
            dropped = set(rng.sample(header[2:], 5))
            columns = [c for c in columns if c not in dropped]
            written.older_layout = True
        rng.shuffle(columns)
    metrics = header[2:]
    quoting = rng.choice([csv.QUOTE_MINIMAL, csv.QUOTE_ALL])
    lines = [_csv_line(columns, quoting)]
    for user in USERS:
        if rng.random() < 0.3:
            continue
        reported = day if rng.random() < 0.95 else day - timedelta(days=20)  # a late row, outside most windows
        values = {c: rng.choice([0, 0, 0, 1, 2, 5, 17, 120]) for c in metrics if c in columns}
        cells = {"UserId": user, "Date": _date_cell(rng, reported), **{c: _cell(rng, v) for c, v in values.items()}}
        lines.append(_csv_line([cells[c] for c in columns], quoting))
        written.rows.append(
            (user, reported, *(values.get(c, 0) for c in metrics), written.product, region)
        )
        if rng.random() < 0.3:
            lines.append(rng.choice(["", "   ", ",,,", '"",""']))
    if rng.random() < 0.5:
        reason, cells = _bad_row(rng, columns)
        lines.append(_csv_line(cells, quoting))
        written.skipped[reason] += 1
    _write(root, key, lines, rng.choice(["\n", "\r\n"]), rng.random() < 0.3)
    return written


def _bad_row(rng: random.Random, columns: list[str]) -> tuple[str, list[str]]:
    """A row a reader must skip, and the reason it must give."""
    cells = {c: "1" for c in columns}
    cells.update(UserId=USERS[0], Date="11-05-2025")
    reason = rng.choice(["wrong number of cells", "no UserId", "bad Date", "bad number"])
    if reason == "no UserId":
        cells["UserId"] = ""
    elif reason == "bad Date":
        cells["Date"] = rng.choice(["2025-11-05", "13-01-2025", "02-30-2025", "11/05/2025"])
    elif reason == "bad number":
        cells[rng.choice([c for c in columns if c not in ("UserId", "Date")])] = rng.choice(["many", "1e30", "inf"])
    row = [cells[c] for c in columns]
    return reason, row[:-1] if reason == "wrong number of cells" else row


def write_corpus(root: Path, header: list[str]) -> list[Written]:
    """Reports dated 28 October .. 15 November 2025, and objects that are not reports or cannot be read."""
    rng = random.Random(20251115)
    written = []
    day = date(2025, 10, 28)
    while day <= WINDOW[1]:
        written.append(_report(rng, root, header, day, "QDeveloperLogs", "us-east-1"))
        if day.day % 2:
            written.append(_report(rng, root, header, day, "KiroLogs", "us-east-1"))
        if day.day % 5 == 0:
            written.append(_report(rng, root, header, day, "QDeveloperLogs", "eu-central-1"))
        day += timedelta(days=1)
    base = f"reports/AWSLogs/{ACCOUNT}/QDeveloperLogs/by_user_analytic/us-east-1/2025/11/10"
    headerless = Written(f"{base}/00/{ACCOUNT}_by_user_analytic_headerless.csv", "Q Developer", "us-east-1",
                         date(2025, 11, 10), has_header=False)
    _write(root, headerless.key, [f"{USERS[1]},11-09-2025,3", f"{USERS[2]},11-09-2025,4"], "\n", False)
    header_only = Written(f"{base}/01/{ACCOUNT}_by_user_analytic_empty.csv", "Q Developer", "us-east-1",
                          date(2025, 11, 10))
    _write(root, header_only.key, [",".join(header)], "\r\n", False)
    others = [Written(f"{base}/00/notes.txt", "Q Developer", "us-east-1", date(2025, 11, 10), is_report=False),
              Written(f"{base}/00/extra/nested.csv", "Q Developer", "us-east-1", date(2025, 11, 10), is_report=False)]
    for other in others:
        _write(root, other.key, [",".join(header), f"{USERS[0]},11-09-2025,{'9,' * 43}9"], "\n", False)
    return [*written, headerless, header_only, *others]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Written]]:
    root = tmp_path_factory.mktemp("activity-reports")
    return root, write_corpus(root, reference_header())


def athena_table(con: duckdb.DuckDBPyConnection, root: Path, regions: tuple[str, ...] | None = None) -> None:
    """The Glue table's rows as Athena reads them: every object under a projected (product, region, dt) location,
    split into lines at LF, CRLF or CR (no empty last line), with ``$path`` its S3 URI."""
    records = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        key = path.relative_to(root).as_posix()
        match = _PARTITION_RE.search(key)
        if not match or (regions is not None and match[2] not in regions):
            continue
        lines = re.split(r"\r\n|\r|\n", path.read_bytes().decode("utf-8", errors="replace"))
        if lines and lines[-1] == "":
            lines.pop()
        records += [(line, match[1], match[3], f"s3://{BUCKET}/{key}") for line in lines]
    con.register("loaded", pd.DataFrame(records, columns=["line", "product", "dt", "$path"]))
    con.execute('CREATE TABLE qdev_user_activity AS SELECT line, product, dt, "$path" FROM loaded')


class DuckDBActivity:
    """An ActivityReader running the Athena query on DuckDB over the emulated table."""

    def __init__(self, root: Path):
        self.root = root

    def describe(self) -> str:
        return f"DuckDB over {self.root}"

    def read(self, regions: tuple[str, ...], first_day: date, last_day: date,
             progress: object = None) -> tuple[pd.DataFrame, ActivityStats]:
        con = duckdb.connect()
        try:
            athena_table(con, self.root, regions)
            query = activity_query(first_day, last_day)
            frame = con.execute(to_duckdb(query.sql), query.params).df()
        finally:
            con.close()
        stats = ActivityStats(via_athena=True)
        return decode_activity(frame, stats), stats


def as_tuples(rows: pd.DataFrame) -> list[tuple]:
    """Rows as (UserId, Date, the metrics in the reference header's order, product, region), sorted."""
    columns = [*reference_header(), "product", "region"]
    return sorted(tuple(record) for record in rows[columns].itertuples(index=False, name=None))


def expected_rows(written: list[Written], pattern: str | None = None) -> list[tuple]:
    """The rows a reader must return for PERIOD: report files in the folders read, dates in the window."""
    return sorted(
        row
        for w in written
        if w.is_report and FOLDERS[0] <= w.folder_day <= FOLDERS[1]
        for row in w.rows
        if WINDOW[0] <= row[1] <= WINDOW[1] and (pattern is None or pattern in row[0])
    )


def test_the_corpus_has_every_case(corpus: tuple[Path, list[Written]]) -> None:
    root, written = corpus
    data = [(root / w.key).read_bytes() for w in written if w.is_report]
    assert sum(d.startswith(b"\xef\xbb\xbf") for d in data) and sum(b"\r\n" in d for d in data)
    assert sum(d.count(b'""') > 10 for d in data) and sum(b"\n\n" in d or b"\n   \n" in d for d in data)
    assert sum(w.older_layout for w in written) and sum(w.key.count("/") == 9 for w in written if w.is_report)
    assert sum(re.search(rb"\b\d{1,2}-\d-2025\b", d) is not None for d in data)  # one-digit days


def test_sql_returns_exactly_the_rows_and_counts_written(corpus: tuple[Path, list[Written]]) -> None:
    root, written = corpus
    read = DuckDBActivity(root).read(("us-east-1", "eu-central-1"), PERIOD.start, PERIOD.end)
    rows, stats = read
    expected = expected_rows(written)
    assert len(expected) > 50
    assert as_tuples(rows) == expected

    in_folders = [w for w in written if w.is_report and FOLDERS[0] <= w.folder_day <= FOLDERS[1]]
    assert stats.files_listed == len(in_folders)
    assert stats.files_read == sum(w.has_header for w in in_folders)
    assert stats.older_layout_files == sum(w.older_layout for w in in_folders)
    assert 0 < stats.older_layout_files < stats.files_read
    assert dict(stats.skipped_files) == {"no UserId/Date header": 1}
    skipped = sum((w.skipped for w in in_folders), Counter())
    assert dict(stats.skipped_rows) == dict(skipped) and len(skipped) == 4


def test_the_python_reader_returns_exactly_what_was_written(corpus: tuple[Path, list[Written]]) -> None:
    root, written = corpus
    for w in (w for w in written if w.is_report and w.has_header):
        parsed = read_activity_csv((root / w.key).read_bytes())
        rows = parsed.rows.assign(product=w.product, region=w.region)
        assert as_tuples(rows) == sorted(w.rows), w.key
        assert parsed.skipped_rows == w.skipped, w.key
        assert bool(parsed.missing_columns) == w.older_layout, w.key


def test_sql_gives_what_the_python_reader_gives_file_by_file(corpus: tuple[Path, list[Written]]) -> None:
    root, written = corpus
    con = duckdb.connect()
    athena_table(con, root)
    query = activity_query(PERIOD.start, PERIOD.end)
    frame = con.execute(to_duckdb(query.sql), query.params).df()
    for w in (w for w in written if w.is_report and w.has_header and FOLDERS[0] <= w.folder_day <= FOLDERS[1]):
        stats = ActivityStats()
        from_sql = decode_activity(frame[frame["source_file"] == f"s3://{BUCKET}/{w.key}"], stats)
        parsed = read_activity_csv((root / w.key).read_bytes())
        in_window = parsed.rows[(parsed.rows["Date"] >= WINDOW[0]) & (parsed.rows["Date"] <= WINDOW[1])]
        assert as_tuples(from_sql) == as_tuples(in_window.assign(product=w.product, region=w.region)), w.key
        assert stats.skipped_rows == parsed.skipped_rows, w.key
        assert stats.older_layout_files == bool(parsed.missing_columns), w.key


@pytest.mark.parametrize("pattern", ["bbbbbbbb", "BBBBBBBB", "_", "%", "'", "d-3333333333.under_score%50'quote",
                                     "nobody"])
@pytest.mark.slow
def test_user_pattern_is_a_literal_case_insensitive_substring(corpus: tuple[Path, list[Written]], pattern: str) -> None:
    root, written = corpus
    source = Source(LocalStore(root), activity=DuckDBActivity(root))
    rows = analyze(source, PERIOD, Filters(pattern)).activity.rows
    expected = sorted(row for row in expected_rows(written)
                      if pattern.lower() in row[0].lower() and PERIOD.start <= row[1] <= PERIOD.end)
    assert as_tuples(rows) == expected


def test_query_text_is_trino_and_every_value_is_a_parameter() -> None:
    query = activity_query(PERIOD.start, PERIOD.end)
    placeholders = list(sqlglot.parse_one(query.sql, read="trino").find_all(sqlglot.exp.Placeholder))
    assert query.params == ["2025/11/01", "2025/11/16", "2025-11-01", "2025-11-15"]
    assert len(placeholders) == len(query.params) == query.sql.count("?")  # no "?" anywhere else in the text
    assert "2025" not in query.sql
    # a period over a month end reads back to the 1st of the end date's month or 7 days before the start
    assert activity_query(date(2025, 12, 2), date(2026, 1, 3)).params == [
        "2025/11/25", "2026/01/04", "2025-11-25", "2026-01-03"
    ]


@pytest.mark.parametrize(
    "filters",
    [Filters(), Filters(user_pattern="cccccccc"), Filters(regions=("eu-central-1",))],
    ids=["all", "user", "region"],
)
@pytest.mark.slow
def test_reports_through_sql_equal_reports_from_the_files(
    corpus: tuple[Path, list[Written]], filters: Filters
) -> None:
    root, _ = corpus
    from_files = analyze(Source(LocalStore(root)), PERIOD, filters).activity
    through_sql = analyze(Source(LocalStore(root), activity=DuckDBActivity(root)), PERIOD, filters).activity
    assert from_files is not None and through_sql is not None
    assert not from_files.rows.empty
    for name in ("per_user", "per_day", "per_feature", "spikes"):
        pd.testing.assert_frame_equal(getattr(through_sql, name), getattr(from_files, name), check_like=False)
    assert as_tuples(through_sql.rows) == as_tuples(from_files.rows)
    assert through_sql.limits == from_files.limits and through_sql.month == from_files.month
    for name in ("files_listed", "files_read", "skipped_files", "skipped_rows", "older_layout_files"):
        assert getattr(through_sql.stats, name) == getattr(from_files.stats, name), name


ALICE_9_NOV, BOB_9_NOV = "d-1111111111.aaaa", "d-1111111111.bbbb"


def write_9_nov_report(root: Path, account: str, day: int, hour: str, rows: list[tuple[str, int]],
                       bom: bool = False, region: str = "us-east-1") -> None:
    """An activity report of 9 November 2025 (messages sent per user), delivered in the ``day``/``hour`` folder."""
    header = reference_header()
    lines = [",".join(header)]
    for user, sent in rows:
        values = {"UserId": user, "Date": "11-09-2025", "Chat_MessagesSent": str(sent)}
        lines.append(",".join(values.get(column, "") for column in header))
    key = (f"AWSLogs/{account}/QDeveloperLogs/by_user_analytic/{region}/2025/11/{day:02d}/{hour}/"
           f"{account}_by_user_analytic_202511{day:02d}T{hour}0000Z_x.csv")
    _write(root, key, lines, "\r\n" if bom else "\n", bom)


@pytest.mark.parametrize("through_sql", [False, True])
def test_a_report_delivered_again_counts_once_from_the_later_file(tmp_path: Path, through_sql: bool) -> None:
    alice, bob = ALICE_9_NOV, BOB_9_NOV
    write_9_nov_report(tmp_path, "123456789012", 10, "00", [(alice, 4), (bob, 6)])
    # delivered again later that day: Alice's 9 Nov is 5, not 4 or 9
    write_9_nov_report(tmp_path, "123456789012", 10, "05", [(alice, 5)], bom=True)
    source = Source(LocalStore(tmp_path), activity=DuckDBActivity(tmp_path) if through_sql else None)

    report_of = analyze(source, Period(date(2025, 11, 9), date(2025, 11, 9)))

    activity = report_of.activity
    assert activity is not None and activity.stats.replaced_rows == 1
    sent = dict(zip(activity.per_user["user"], activity.per_user["Chat_MessagesSent"], strict=True))
    assert sent == {alice: 5, bob: 6}
    assert "activity-report rows delivered again in a later file: 1 (the later file counts, the earlier one not)" \
        in report_of.warnings


@pytest.mark.parametrize("through_sql", [False, True])
def test_a_report_delivered_again_with_another_id_form_counts_once(tmp_path: Path, through_sql: bool) -> None:
    """The Identity Store UserId with its directory prefix, then without: one person (people.py), one delivery."""
    uuid = "aaaaaaaa-0000-4000-8000-000000000001"
    write_9_nov_report(tmp_path, "123456789012", 10, "00", [(f"1111111111-{uuid}", 4), (BOB_9_NOV, 6)])
    write_9_nov_report(tmp_path, "123456789012", 10, "05", [(uuid, 5)])
    source = Source(LocalStore(tmp_path), activity=DuckDBActivity(tmp_path) if through_sql else None)

    activity = analyze(source, Period(date(2025, 11, 9), date(2025, 11, 9))).activity

    assert activity is not None and activity.stats.replaced_rows == 1
    assert sorted(activity.per_user["Chat_MessagesSent"].tolist()) == [5, 6]


@pytest.mark.parametrize("through_sql", [False, True])
def test_reports_of_two_accounts_are_no_redelivery(tmp_path: Path, through_sql: bool) -> None:
    # one person subscribed in two member accounts: each account's report counts
    write_9_nov_report(tmp_path, "111111111111", 10, "00", [(ALICE_9_NOV, 4)])
    write_9_nov_report(tmp_path, "222222222222", 10, "05", [(ALICE_9_NOV, 6)])
    source = Source(LocalStore(tmp_path), activity=DuckDBActivity(tmp_path) if through_sql else None)

    activity = analyze(source, Period(date(2025, 11, 9), date(2025, 11, 9))).activity

    assert activity is not None and activity.stats.replaced_rows == 0
    assert activity.per_user["Chat_MessagesSent"].tolist() == [4 + 6]


@pytest.mark.parametrize("through_sql", [False, True])
def test_reports_of_two_regions_are_added_up(tmp_path: Path, through_sql: bool) -> None:
    # one user's day in the reports of two Regions of one account: two reports, not a redelivery (docs/amazon-q.md)
    write_9_nov_report(tmp_path, "123456789012", 10, "00", [(ALICE_9_NOV, 42)])
    write_9_nov_report(tmp_path, "123456789012", 10, "05", [(ALICE_9_NOV, 6)], region="eu-central-1")
    source = Source(LocalStore(tmp_path), activity=DuckDBActivity(tmp_path) if through_sql else None)

    activity = analyze(source, Period(date(2025, 11, 9), date(2025, 11, 9))).activity

    assert activity is not None and activity.stats.replaced_rows == 0
    assert activity.per_user["Chat_MessagesSent"].tolist() == [42 + 6]


NEGATIVE_CELLS = ("-3", "-0.5", " -1e2 ", '"-3"')


@pytest.mark.parametrize("through_sql", [False, True])
def test_a_negative_count_is_a_bad_number(tmp_path: Path, through_sql: bool) -> None:
    # a count is never negative: each such row is skipped and counted, never summed
    header = reference_header()
    good = {"UserId": ALICE_9_NOV, "Date": "11-09-2025", "Inline_SuggestionsCount": "10"}
    bad = [{"UserId": BOB_9_NOV, "Date": "11-09-2025", "Inline_SuggestionsCount": cell} for cell in NEGATIVE_CELLS]
    lines = [",".join(header)] + [",".join(row.get(column, "") for column in header) for row in [good, *bad]]
    key = f"AWSLogs/{ACCOUNT}/QDeveloperLogs/by_user_analytic/us-east-1/2025/11/10/00/{ACCOUNT}_by_user_analytic_x.csv"
    _write(tmp_path, key, lines, "\n", False)
    source = Source(LocalStore(tmp_path), activity=DuckDBActivity(tmp_path) if through_sql else None)

    report_of = analyze(source, Period(date(2025, 11, 9), date(2025, 11, 9)))

    activity = report_of.activity
    assert activity is not None and dict(activity.stats.skipped_rows) == {"bad number": len(NEGATIVE_CELLS)}
    assert activity.per_user[["user", "Inline_SuggestionsCount"]].values.tolist() == [[ALICE_9_NOV, 10]]
    assert f"skipped {len(NEGATIVE_CELLS)} unusable activity-report rows ({len(NEGATIVE_CELLS)} bad number)" \
        in report_of.warnings


@pytest.mark.parametrize("newline", ["\n", "\r"])
@pytest.mark.parametrize("through_sql", [False, True])
def test_a_row_with_an_oversized_cell_is_skipped_and_the_rest_counted(tmp_path: Path, through_sql: bool,
                                                                      newline: str) -> None:
    # a UserId of 200,000 characters (over the csv module's 131,072), in a file whose lines may end at CR alone
    header = reference_header()
    rows = [{"UserId": ALICE_9_NOV, "Chat_MessagesSent": "4"}, {"UserId": "x" * 200_000, "Chat_MessagesSent": "5"},
            {"UserId": BOB_9_NOV, "Chat_MessagesSent": "6"}]
    lines = [",".join(header)] + [",".join({"Date": "11-09-2025", **row}.get(column, "") for column in header)
                                  for row in rows]
    key = f"AWSLogs/{ACCOUNT}/QDeveloperLogs/by_user_analytic/us-east-1/2025/11/10/00/{ACCOUNT}_by_user_analytic_x.csv"
    _write(tmp_path, key, lines, newline, False)
    source = Source(LocalStore(tmp_path), activity=DuckDBActivity(tmp_path) if through_sql else None)

    report_of = analyze(source, Period(date(2025, 11, 9), date(2025, 11, 9)))

    activity = report_of.activity
    assert activity is not None and activity.stats.files_read == 1
    assert dict(activity.stats.skipped_rows) == {"a cell longer than 131,072 characters": 1}
    assert activity.per_user[["user", "Chat_MessagesSent"]].values.tolist() == [[BOB_9_NOV, 6], [ALICE_9_NOV, 4]]


@pytest.mark.parametrize("through_sql", [False, True])
def test_counts_whose_sum_could_overflow_are_bad_numbers(tmp_path: Path, through_sql: bool) -> None:
    # 9e18 fits int64 but two of them do not: a count of 2**32 or more in a user's day is a bad number
    header = reference_header()
    cells = [str(2**32 - 1), "9e18", "9000000000000000000", str(2**32)]
    lines = [",".join(header)] + [
        ",".join({"UserId": user, "Date": "11-09-2025", "Chat_MessagesSent": cell}.get(column, "") for column in header)
        for user, cell in zip([ALICE_9_NOV, BOB_9_NOV, BOB_9_NOV, BOB_9_NOV], cells, strict=True)]
    key = f"AWSLogs/{ACCOUNT}/QDeveloperLogs/by_user_analytic/us-east-1/2025/11/10/00/{ACCOUNT}_by_user_analytic_x.csv"
    _write(tmp_path, key, lines, "\n", False)
    source = Source(LocalStore(tmp_path), activity=DuckDBActivity(tmp_path) if through_sql else None)

    activity = analyze(source, Period(date(2025, 11, 9), date(2025, 11, 9))).activity

    assert activity is not None and dict(activity.stats.skipped_rows) == {"bad number": 3}
    assert activity.per_user[["user", "Chat_MessagesSent"]].values.tolist() == [[ALICE_9_NOV, 2**32 - 1]]
    assert int(activity.per_day["Chat_MessagesSent"].sum()) == 2**32 - 1


# A count cell as it may come, and what it must read as on every path: only spaces and tabs are trimmed, so the
# other Unicode blanks (U+00A0, U+202F, U+0085) leave a bad number, and quotes count after the trim.
PADDED_CELLS = {"\t12\t": 12, ' "12"': 12, ' " 12\t" ': 12, "12": 12,
                "12\u00a0": None, "\u202f12": None, "12\u0085": None}


@pytest.mark.parametrize("through_sql", [False, True])
def test_cells_are_trimmed_of_spaces_and_tabs_alone_on_every_path(tmp_path: Path, through_sql: bool) -> None:
    header = reference_header()
    users = [f"d-1111111111.user{i}" for i in range(len(PADDED_CELLS))]
    lines = [",".join(header)] + [
        ",".join({"UserId": user, "Date": "11-09-2025", "Chat_MessagesSent": cell}.get(column, "") for column in header)
        for user, cell in zip(users, PADDED_CELLS, strict=True)]
    key = f"AWSLogs/{ACCOUNT}/QDeveloperLogs/by_user_analytic/us-east-1/2025/11/10/00/{ACCOUNT}_by_user_analytic_x.csv"
    _write(tmp_path, key, lines, "\n", False)
    source = Source(LocalStore(tmp_path), activity=DuckDBActivity(tmp_path) if through_sql else None)

    activity = analyze(source, Period(date(2025, 11, 9), date(2025, 11, 9))).activity

    expected = sorted([user, sent] for user, sent in zip(users, PADDED_CELLS.values(), strict=True) if sent is not None)
    bad = sum(sent is None for sent in PADDED_CELLS.values())
    assert activity is not None and dict(activity.stats.skipped_rows) == {"bad number": bad}
    assert sorted(activity.per_user[["user", "Chat_MessagesSent"]].values.tolist()) == expected


# A line and its cells, written out here: spaces and tabs trimmed, then one pair of quotes ("" inside is "), then
# spaces and tabs again; every other character kept.
LINES_AND_CELLS = [
    ('\t12\t, "12",  " 12\t" ,"a""b"', ["12", "12", "12", 'a"b']),
    ("12\u00a0,\u202f12,12\u0085,\u3000", ["12\u00a0", "\u202f12", "12\u0085", "\u3000"]),
    (' "" ,"12, """" ', ["", '"12', '"']),
]


def test_the_sql_and_the_python_reader_split_and_trim_a_line_alike() -> None:
    con = duckdb.connect()
    try:
        for line, cells in LINES_AND_CELLS:
            from_sql = con.execute(to_duckdb(f"SELECT {cells_sql('?')}"), [line]).fetchone()[0]
            assert list(from_sql) == cells, repr(line)
            assert next(csv_rows(line)) == cells, repr(line)
    finally:
        con.close()
