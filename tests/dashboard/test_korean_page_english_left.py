"""No warning reaches the Korean page in English: the warnings of real reports over fixtures that hold most of what
a report warns of (models without a price, objects and files skipped for every reason, the size cap among them,
records skipped or read twice, Regions asked for without logs or not asked for, an unknown Region folder, a tag no
call carries, an application inference profile not resolved, a price file's rows that reach no call, another
Region or another mode only, an earlier version's compacted copy and days outside the partition projection on Athena,
budgets and anomalies over them, the Amazon Q / Kiro report's files, rows, limits and credits, every reason a Region
fails on Athena) are each listed on the Korean page with no English word of our own left in them, as is the line of
an error that stops the read or a budget editor's row. Names and figures (model ids, Regions, paths, e-mails,
settings) stay as they are. Through the function the tabs list their warnings with (``tables.warning_lines``)."""

from __future__ import annotations

import errno
import gzip
import json
import os
import re
import tomllib
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import boto3
import pandas as pd
import pytest
from botocore.exceptions import ClientError

from bedrock_usage.aws.session import Aws
from bedrock_usage.bounded_gzip import MAX_OBJECT_ENV
from bedrock_usage.dashboard.budget_editor import budgets_frame, entries_from_frame, read_text, write_file
from bedrock_usage.dashboard.data import EXAMPLE_BUDGETS, dashboard_period
from bedrock_usage.dashboard.notice_text import NOTICES, PHRASE_FORMS, PHRASES
from bedrock_usage.dashboard.tables import error_line, warning_lines
from bedrock_usage.dashboard.text import Text
from bedrock_usage.engines.athena import AthenaEngine
from bedrock_usage.engines.columnar_cache import CACHE_ENV as COLUMNAR_CACHE_ENV
from bedrock_usage.engines.compacted import COMPACTED_THROUGH, EARLIER_COMPACT_TABLES
from bedrock_usage.engines.local import LocalEngine
from bedrock_usage.engines.queries import tag_key_literal
from bedrock_usage.errors import SetupRequired, UsageError
from bedrock_usage.governance import anomalies
from bedrock_usage.governance.anomalies import day_in_progress
from bedrock_usage.governance.budgets import Budget, check_budgets, load_budgets, scan_warnings
from bedrock_usage.governance.callers import BillSource
from bedrock_usage.governance.chargeback import qdev_side
from bedrock_usage.governance.cur import check_account, read_cur_dir
from bedrock_usage.governance.profiles import ProfileResolver, load_profile_file
from bedrock_usage.governance.reconcile import logs_account
from bedrock_usage.logs.period import Period, resolve_period, through_today
from bedrock_usage.logs.schema import DATABASE_NAME
from bedrock_usage.output.notices import Notice, said
from bedrock_usage.pricing import PriceBook, PriceFile
from bedrock_usage.qdev.analysis import Source, analyze
from bedrock_usage.qdev.kiro_prices import KiroPriceTable
from bedrock_usage.qdev.people import read_user_map
from bedrock_usage.qdev.sources import LocalStore, S3Store, s3_store
from bedrock_usage.report.tracker import BedrockAthenaTracker, narrowed
from tests.aws.refusing_proxy import refusing_proxy
from tests.dashboard.helpers import shown
from tests.dashboard.test_korean_qdev_warnings import ALICE, NOVEMBER, chat, corpus, prompt_file, records  # noqa: F401
from tests.dashboard.test_korean_qdev_warnings import warnings as qdev_warnings  # noqa: F401  (fixture)
from tests.dashboard.test_korean_warnings import HAIKU, MYSTERY, PROFILE, call
from tests.engines.test_athena_engine import FakeAthena, create_workgroup, logs_table
from tests.logfiles import write_records
from tests.qdev.test_athena import report_with_a_failing_region
from tests.qdev.test_offline import offline  # noqa: F401  (fixture)

KO = Text("ko")
GPT_OSS = "openai.gpt-oss-120b-1:0"  # its flex call takes the book's flex rate beside the price file's standard row
# The English words the Korean wording itself holds: names of services, settings, fields and files (a literal
# ``{{name}}`` among them, a placeholder taken out).
OWN_WORDS = {word for text in [*NOTICES["ko"].values(), *PHRASES["ko"].values(), *PHRASE_FORMS["ko"].values()]
             for word in re.findall(r"[A-Za-z]+", re.sub(r"(?<!\{)\{\w+\}(?!\})", "", text))}
# A word in lower case standing alone among others: a sentence (``its first day not recorded``), not a name (a model's
# display name, an endpoint family, a path).
PROSE = re.compile(r"(?:^|\s)[a-z]{2,}(?:\s|$)")
# A command of the project's scripts (``python setup_athena_bucket.py --qdev --regions eu-north-1``): typed as it is.
COMMAND = re.compile(r"python \S+\.py(?: \S+)*")


def values(notice: Notice) -> list[str]:
    """The texts a Notice fills its wording with, its clauses' too."""
    found: list[str] = []
    for value in notice.values.values():
        for item in value if isinstance(value, list | tuple) else [value]:
            if isinstance(item, Notice):
                found += values(item)
            elif isinstance(item, str):
                found.append(item)
    return found


def listed(lines: list[str]) -> list[str]:
    """The lines as the Korean page lists its warnings."""
    return warning_lines(KO, lines)


def english_left(lines: list[str], theirs: tuple[str, ...] = (),
                 show: Callable[[list[str]], list[str]] = listed) -> dict[str, str]:
    """Each line the Korean page shows with English of ours in it (the line as shown): one that is no Notice of a
    kind worded in Korean, or whose Korean wording, its names and figures taken out (values that are not a sentence
    nor a phrase worded in Korean) and ``theirs`` (the system's or AWS's own words), still has a word the Korean
    wording does not hold itself. ``show`` is how the page shows lines (its list of warnings, by default)."""
    left = {}
    for line, seen in zip(lines, show(lines), strict=True):
        seen = shown(seen)
        for words in theirs:
            seen = seen.replace(words, " ")
        if isinstance(line, Notice) and line.kind in NOTICES["ko"]:
            for value in sorted(values(line), key=len, reverse=True):
                if value and value not in PHRASES["ko"] and (
                        COMMAND.fullmatch(value) or not (" " in value.strip() and PROSE.search(value))):
                    seen = seen.replace(value, " ")
            if all(word in OWN_WORDS for word in re.findall(r"[A-Za-z]+", seen)):
                continue
        left[str(line)] = shown(show([line])[0])
    return left


def error_english_left(exc: Exception, theirs: tuple[str, ...] = ()) -> dict[str, str]:
    """``english_left`` of the one line the page shows for an error that stops a load (``tables.error_line``)."""
    return english_left([said(exc)], theirs, lambda lines: [error_line(KO, exc) for _ in lines])


def test_the_bedrock_report_s_budgets_and_anomalies_warnings_are_korean(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Local logs with most of what the report warns of, a price file and a tag, read with a 5,000-byte cap."""
    calls = [call(1, MYSTERY, 10), call(2, MYSTERY, 10), call(3, HAIKU, 11), call(5, PROFILE, 13),
             {**call(4, HAIKU, 12), "input": {"inputTokenCount": -5}}, {**call(6, HAIKU, 14), "identity": {}},
             {key: value for key, value in call(7, HAIKU, 14).items() if key != "modelId"},
             call(8, HAIKU, 15, "eu-west-1"), call(9, HAIKU, 15, "xx-north-9"),
             {**call(10, GPT_OSS, 17), "output": {"outputTokenCount": 200, "outputBodyJson": {"serviceTier": {
                 "type": "flex"}}}}]
    paths = write_records(tmp_path / "logs", [*calls, *(call(20 + n, HAIKU, 16) for n in range(30))])
    first = next(path for path in paths if "/us-east-1/" in path.as_posix())
    folder = first.parent
    (folder / "copy.json.gz").write_bytes(first.read_bytes())
    (folder / "empty.json.gz").write_bytes(b"")
    (folder / "damaged.json.gz").write_bytes(gzip.compress(b'{"timestamp": "x"}\n')[:-6] + b"garbage!")
    (folder / "plain.json").write_bytes(b"{}")
    (folder / "_hidden.json.gz").write_bytes(gzip.compress(json.dumps(call(30, HAIKU, 10)).encode()))
    (folder.parent.parent / "stray.json.gz").write_bytes(gzip.compress(json.dumps(call(31, HAIKU, 10)).encode()))
    (folder / "latin.json.gz").write_bytes(gzip.compress(json.dumps(call(32, HAIKU, 10)).encode().replace(
        b"alice", b"al\xe9ce") + b"\n"))
    prices = tmp_path / "prices.json"
    prices.write_text(json.dumps({"prices": [{"model": "acme.unused-v1:0", "input": 0.001, "output": 0.002},
                                             {"model": HAIKU, "region": "eu-west-1", "input": 0.0005,
                                              "output": 0.0025},
                                             {"model": GPT_OSS, "input": 0.0001, "output": 0.0004}]}))
    monkeypatch.setenv(MAX_OBJECT_ENV, str(5_000 / 2**20))
    period = resolve_period(start="2026-01-30", end="2026-01-31")
    tracker = BedrockAthenaTracker(LocalEngine(tmp_path / "logs", cache=False), PriceBook.load(prices),
                                   extra_tags=("team",), rewriter=ProfileResolver())
    report = tracker.analyze(period, ["us-east-1", "us-west-2"])
    said = " | ".join(report.warnings)
    for words in ("unpriced:", "skipped 1 record", "once decompressed", "empty object", "hidden", "month folder",
                  "not named .json.gz", "damaged gzip", "not UTF-8", "ignored 2 duplicate", "no logs of us-west-2",
                  "not among the regions asked for", "xx-north-9", "'team'", "not resolved", "without a caller",
                  "without a modelId", "price no call", "took the built-in book's price",
                  "took the built-in book's flex rate"):
        assert words in said, words
    model = report.facts["model"].iloc[0]
    check = check_budgets(report.facts, [Budget("team", "all", monthly_usd=100.0)], date(2026, 1, 31), "UTC",
                          now=datetime(2026, 2, 2, tzinfo=UTC))
    check.scan_warnings = scan_warnings(report.warnings, report.facts, [])
    spikes = anomalies.analyze_anomalies(report.facts, period, "application", history_start=period.start)
    spikes.scan_warnings = report.warnings
    lines = [*report.warnings, *narrowed(report, report.facts["model"] == model, model_names=[model]).warnings,
             *check.all_warnings("heading"), *spikes.all_warnings("heading")]
    assert english_left([line for line in lines if line != "heading"]) == {}


def test_athena_s_warnings_are_korean(aws_env: dict[str, str]) -> None:
    """A logs table whose partition projection begins within the period, and an earlier version's compacted copy
    holding days the current copy lacks (moto's Glue and Athena)."""
    today = datetime.now(UTC).date()
    logs_table("us-east-1", f"{today - timedelta(days=3):%Y/%m/%d},NOW")
    boto3.client("glue", region_name="us-east-1").create_table(DatabaseName=DATABASE_NAME, TableInput={
        "Name": EARLIER_COMPACT_TABLES[-1], "Parameters": {COMPACTED_THROUGH: (today - timedelta(days=2)).isoformat()},
        "StorageDescriptor": {"Location": "s3://results/compacted/old/"}})
    create_workgroup("us-east-1")
    report = BedrockAthenaTracker(AthenaEngine(Aws.connect())).analyze(
        Period(today - timedelta(days=5), today - timedelta(days=1)), ("us-east-1",))
    said = " | ".join(report.warnings)
    assert "are not read, so their figures are unknown" in said and EARLIER_COMPACT_TABLES[-1] in said, said
    assert english_left(report.warnings) == {}


@pytest.mark.usefixtures("offline")
def test_the_amazon_q_and_kiro_warnings_are_korean(
    qdev_warnings: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    """The Amazon Q / Kiro corpus of the tab's own test (files and rows skipped, read twice, limits, spikes, Kiro
    tiers and credits), a prompt-log file over a 2,000-byte cap and one the system cannot read (a link to
    /proc/self/mem, which no read at its start gets: "Input/output error"), and the developer costs' marks."""
    prompt_file(tmp_path, "QDeveloperLogs", "big.json.gz",
                records(*(chat(ALICE, "2026-11-02T10:00:00Z", f"r-{n}") for n in range(200))))
    prompt_file(tmp_path, "QDeveloperLogs", "small.json.gz", records(chat(ALICE, "2026-11-02T10:01:00Z", "r-x")))
    prompt_file(tmp_path, "QDeveloperLogs", "mem.json.gz", b"")
    next(tmp_path.rglob("mem.json.gz")).unlink()
    next(tmp_path.rglob("small.json.gz")).with_name("mem.json.gz").symlink_to("/proc/self/mem")
    monkeypatch.setenv(MAX_OBJECT_ENV, str(2_000 / 2**20))
    capped = analyze(Source(LocalStore(tmp_path)), NOVEMBER).warnings
    assert [line for line in capped if "once decompressed" in line and "file not readable (" in line], capped
    lines = [*qdev_warnings, *capped, *map(qdev_side, capped)]
    assert english_left(lines, theirs=("Input/output error",)) == {}


def test_a_region_athena_is_not_set_up_in_is_korean(aws_env: dict[str, str]) -> None:
    """moto's Athena with the workgroup in us-east-1 alone: a report of us-east-1 and eu-central-1 says eu-central-1
    failed, and why (no workgroup there); one of eu-central-1 alone stops with that reason."""
    create_workgroup("us-east-1")
    tracker = BedrockAthenaTracker(AthenaEngine(Aws.connect()))
    today = datetime.now(UTC).date()
    period = Period(today - timedelta(days=2), today - timedelta(days=1))
    report = tracker.analyze(period, ("us-east-1", "eu-central-1"))
    lines = [line for line in report.warnings if "eu-central-1" in line]
    assert [line for line in lines if "workgroup bedrock-usage does not exist in eu-central-1" in line], lines
    assert english_left(lines) == {}
    with pytest.raises(SetupRequired) as refused:
        tracker.analyze(period, ("eu-central-1",))
    assert "does not exist in eu-central-1" in str(refused.value)
    assert error_english_left(refused.value) == {}


class DisabledWorkgroup(FakeAthena):
    """Athena's answer for a workgroup someone disabled."""

    def get_work_group(self, WorkGroup: str) -> dict[str, object]:  # noqa: N803  (the API's parameter name)
        answer = super().get_work_group(WorkGroup)
        answer["WorkGroup"]["State"] = "DISABLED"
        return answer


def refused_start(code: str, message: str) -> FakeAthena:
    """Athena refusing StartQueryExecution with ``code`` and its ``message``."""
    return FakeAthena(["SUCCEEDED"], start_error=ClientError({"Error": {"Code": code, "Message": message}},
                                                             "StartQueryExecution"))


# AWS's own words in the failures below, which stay as the service wrote them.
ATHENA_SAYS = {
    "failed": "HIVE_CURSOR_ERROR: something broke",
    "cancelled": "Query exceeded the workgroup's bytes scanned limit",
    "retried": "GENERIC_INTERNAL_ERROR: Query exhausted resources at this scale factor",
    "table": "TABLE_NOT_FOUND: line 9:8: Table 'awsdatacatalog.bedrock_analytics.qdev_user_activity' does not exist",
    "column": "COLUMN_NOT_FOUND: line 1:8: Column 'x' cannot be resolved or requester is not authorized to access "
              "requested resources",
    "type": "TYPE_MISMATCH: line 3:12: Expression identity is not of type ROW",
    "denied": "Insufficient permissions to execute the query. User: arn:aws:iam::123456789012:user/analyst is not "
              "authorized to perform: glue:GetTable on resource: arn:aws:glue:us-east-1:123456789012:catalog",
    "location": "No output location provided. An output location is required either through the Workgroup result "
                "configuration setting or as an API input.",
    "throttled": "Rate exceeded",
}


def test_the_reasons_a_region_was_not_read_are_korean(no_aws_env: dict[str, str], tmp_path: Path) -> None:
    """Activity reports read through Athena in us-east-1, which answers, and in Regions where Athena fails for each
    reason the engine words: a query failed, cancelled, failed again when run again, unfinished within the timeout,
    a missing table or column, a column of another type, a refused read, a refused start, no usable results
    location, a disabled workgroup, expired credentials, and a call failing otherwise (through a stand-in for Athena's
    API)."""
    failing = {
        "eu-central-1": FakeAthena(["FAILED"], reason=ATHENA_SAYS["failed"]),
        "eu-west-1": FakeAthena(["CANCELLED"], reason=ATHENA_SAYS["cancelled"]),
        "eu-west-2": FakeAthena(["FAILED"], reason=ATHENA_SAYS["retried"], retryable=True),
        "eu-west-3": FakeAthena(["RUNNING"]),
        "eu-north-1": FakeAthena(["FAILED"], reason=ATHENA_SAYS["table"]),
        "ap-northeast-1": FakeAthena(["FAILED"], reason=ATHENA_SAYS["column"]),
        "ap-northeast-3": FakeAthena(["FAILED"], reason=ATHENA_SAYS["type"]),
        "ap-northeast-2": FakeAthena(["FAILED"], reason=ATHENA_SAYS["denied"]),
        "ap-southeast-1": refused_start("AccessDeniedException", "You are not authorized to perform this operation"),
        "ap-southeast-2": refused_start("InvalidRequestException", ATHENA_SAYS["location"]),
        "ap-south-1": DisabledWorkgroup(["SUCCEEDED"]),
        "ca-central-1": refused_start("ExpiredTokenException", "The security token included in the request is "
                                                               "expired"),
        "sa-east-1": refused_start("ThrottlingException", ATHENA_SAYS["throttled"]),
    }
    report = report_with_a_failing_region(tmp_path, failing, retry_pauses=(0.0, 0.0), poll_timeout=0.05)
    lines = [line for line in report.warnings if line.startswith("activity reports of ")]
    assert sorted(line.split()[3] for line in lines) == sorted(failing), lines
    assert english_left(lines, theirs=tuple(ATHENA_SAYS.values())) == {}


def budget_row(**change: object) -> pd.DataFrame:
    """The example file's first budget as the editor's row, with ``change`` typed in."""
    frame = budgets_frame(load_budgets(EXAMPLE_BUDGETS)).head(1).astype(object)
    for column, value in change.items():
        frame.loc[frame.index[0], column] = value
    return frame


def test_the_budget_editor_s_and_the_budgets_file_s_mistakes_are_korean(tmp_path: Path) -> None:
    """Every mistake the budget editor refuses a row for (no scope, an amount not above zero, no amount, an empty
    tag or value, two budgets of one name), a file changed since its difference was shown or that cannot be read, and
    every mistake of a budgets file the Governance tab reads (not UTF-8, not TOML, keys outside [[budgets]], no
    budget, a budget that is no table, with unknown fields, all = false, two scopes, a value for no tag, a tag
    without its value, two budgets of one name): each stops with one line in Korean."""
    refused: list[Exception] = []
    rows = [budget_row(scope=None), budget_row(monthly_usd=-5.0, daily_usd=None),
            budget_row(monthly_usd=None, daily_usd=None), budget_row(scope="tag", tag=""),
            budget_row(scope="user", value=""), pd.concat([budget_row(name="Team"), budget_row(name="Team")])]
    for frame in rows:
        with pytest.raises(UsageError) as caught:
            entries_from_frame(frame, "budgets.toml")
        refused.append(caught.value)
    target = tmp_path / "budgets.toml"
    target.write_text("[[budgets]]\n")
    with pytest.raises(UsageError) as caught:
        write_file(target, "[[budgets]]\nall = true\nmonthly_usd = 1\n", None)
    refused.append(caught.value)
    with pytest.raises(UsageError) as caught:
        read_text(tmp_path)
    refused.append(caught.value)
    files = {"latin.toml": "name = 'Caf\xe9'".encode("latin-1"), "broken.toml": b"[[budgets]\n",
             "stray.toml": b"monthly_usd = 5\n[[budgets]]\nall = true\nmonthly_usd = 5\n", "none.toml": b"",
             "numbers.json": b'{"budgets": [5]}', "unknown.json": b'{"budgets": [{"all": true, "monthly": 5}]}',
             "false.json": b'{"budgets": [{"all": false, "monthly_usd": 5}]}',
             "two.json": b'{"budgets": [{"all": true, "user": "alice", "monthly_usd": 5}]}',
             "value.json": b'{"budgets": [{"user": "alice", "value": "x", "monthly_usd": 5}]}',
             "tag.json": b'{"budgets": [{"tag": "team", "monthly_usd": 5}]}',
             "twice.json": b'{"budgets": [{"name": "A", "all": true, "monthly_usd": 5}, {"name": "A", "user": "b", '
                           b'"monthly_usd": 5}]}'}
    for name, text in files.items():
        (tmp_path / name).write_bytes(text)
        with pytest.raises(UsageError) as caught:
            load_budgets(tmp_path / name)
        refused.append(caught.value)
    try:
        tomllib.loads(files["broken.toml"].decode())
    except tomllib.TOMLDecodeError as exc:
        toml_says = str(exc)
    theirs = (os.strerror(errno.EISDIR), toml_says)
    assert {said(exc): error_english_left(exc, theirs) for exc in refused} == dict.fromkeys(map(said, refused), {})


def refusals(*makes: Callable[[], object]) -> list[Exception]:
    """The error each of ``makes`` stops with (UsageError or SetupRequired, as the page shows them)."""
    caught: list[Exception] = []
    for make in makes:
        with pytest.raises((UsageError, SetupRequired)) as raised:
            make()
        caught.append(raised.value)
    return caught


def korean_lines_left(refused: list[Exception], theirs: tuple[str, ...] = ()) -> dict[str, dict[str, str]]:
    """Each error's line on the Korean page that still has English of ours (``error_english_left``), by message."""
    return {said(exc): left for exc in refused if (left := error_english_left(exc, theirs))}


def test_the_period_s_mistakes_are_korean() -> None:
    """Every mistake of a period the reports refuse (a date not in YYYY-MM-DD form or not of the calendar, an empty,
    unknown or Athena-unknown time zone, --days out of range or with both dates, a start after today or after the
    end, a range over the limit, days leaving the calendar), as the dashboard's period (``dashboard_period``) and the
    price file's dates (``parse_day``) meet them: each stops with one line in Korean, its dates kept."""
    today = date(2026, 12, 1)
    refused = refusals(
        lambda: resolve_period(start="2026/01/02"), lambda: resolve_period(start="2026-02-30"),
        lambda: resolve_period(tz=" "), lambda: resolve_period(tz="Mars/Olympus"), lambda: resolve_period(tz="EST"),
        lambda: resolve_period(days=0), lambda: resolve_period(days=3, start="2026-01-01", end="2026-01-02"),
        lambda: resolve_period(start="2026-12-05", today=today), lambda: resolve_period(start="2026-01-05",
                                                                                           end="2026-01-02"),
        lambda: dashboard_period(date(2024, 1, 1), date(2026, 1, 1), "Asia/Seoul"),
        lambda: resolve_period(days=30, end="0001-01-05"), lambda: resolve_period(start="9999-12-30", end="9999-12-31"),
        lambda: through_today(Period(date(2026, 12, 3), date(2026, 12, 4)), datetime(2026, 12, 1, tzinfo=UTC)),
    )
    try:
        date.fromisoformat("2026-02-30")
    except ValueError as exc:
        calendar_says = str(exc)
    assert korean_lines_left(refused, (calendar_says,)) == {}
    assert len({exc.args[0].kind for exc in refused}) == len(refused)  # each mistake once
    assert error_line(KO, refused[9]).replace("\\", "") == (
        "분석할 수 없습니다: 기간 2024-01-01 .. 2026-01-01 (Asia/Seoul) 은(는) 732일입니다: 한 번에 731일까지 읽을 수 "
        "있습니다")


def test_the_folders_and_files_mistakes_are_korean(no_aws_env: dict[str, str], tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A logs folder missing, a file, without logs or one whose service folder the system will not list (a link to
    itself); a columnar cache folder that is a file; an Amazon Q / Kiro folder missing or without logs; a user map
    without its header, with a row lacking an e-mail, missing, or not UTF-8; an AWS profile not in the config: each
    stops with one line in Korean, the paths and the system's own words kept."""
    logs = tmp_path / "logs"
    service = logs / "AWSLogs" / "123456789012" / "BedrockModelInvocationLogs"
    service.parent.mkdir(parents=True)
    service.symlink_to(service)
    (tmp_path / "file").write_text("x")
    (tmp_path / "empty").mkdir()
    maps = {"header.csv": b"id,mail\n", "row.csv": b"userId,email\nu-1,nobody\n", "latin.csv": b"userId,email\n\xe9\n"}
    for name, text in maps.items():
        (tmp_path / name).write_bytes(text)
    write_records(tmp_path / "good", [call(1, HAIKU, 10)])
    refused = refusals(
        lambda: LocalEngine(tmp_path / "missing").log_regions(), lambda: LocalEngine(tmp_path / "file").log_regions(),
        lambda: LocalEngine(tmp_path / "empty").log_regions(), lambda: LocalEngine(logs).log_regions(),
        lambda: LocalStore(tmp_path / "missing"), lambda: analyze(Source(LocalStore(tmp_path / "empty")), NOVEMBER),
        *(lambda name=name: read_user_map(tmp_path / name) for name in [*maps, "missing.csv"]),
        lambda: Aws.connect("nobody"),
    )
    monkeypatch.setenv(COLUMNAR_CACHE_ENV, str(tmp_path / "file"))
    refused += refusals(lambda: BedrockAthenaTracker(LocalEngine(tmp_path / "good")).analyze(
        resolve_period(start="2026-01-30", end="2026-01-31"), ["us-east-1"]))
    theirs = tuple(os.strerror(code) for code in (errno.ELOOP, errno.ENOENT, errno.EEXIST, errno.ENOTDIR))
    assert korean_lines_left(refused, theirs) == {}
    assert len({exc.args[0].kind for exc in refused}) == len(refused)  # each mistake once


def test_a_reports_bucket_without_amazon_q_logs_is_korean(aws_env: dict[str, str]) -> None:
    """A reports bucket holding no Amazon Q Developer or Kiro logs (moto's S3): a setup step, in Korean."""
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="q-reports")
    refused = refusals(lambda: analyze(Source(S3Store(s3, "q-reports")), NOVEMBER))
    assert korean_lines_left(refused) == {}
    assert "s3://q-reports/ 에 Amazon Q Developer 나 Kiro 로그가 없습니다" in shown(error_line(KO, refused[0]))


def test_a_report_bucket_s_refused_listing_is_korean(aws_env: dict[str, str], moto_endpoint: str,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The Amazon Q tab's report bucket, read as the tab reads it (``s3_store``, under iam/report-reader.json), its
    listing refused: on a team's bucket the line naming the reader statements to add, on an
    amazonq-developer-reports-* bucket the line naming iam/report-reader.json; each was English on the Korean page
    (the team's) or named docs/amazon-q.md (the other), and is now in Korean, the bucket and names kept."""
    buckets = ("team-q-reports", "amazonq-developer-reports-123456789012")
    for bucket in buckets:
        boto3.client("s3").create_bucket(Bucket=bucket)
    with refusing_proxy(moto_endpoint, lambda method, path: method == "GET") as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL_S3", f"http://127.0.0.1:{proxy.server_port}")
        monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
        refused = refusals(*(lambda bucket=bucket: analyze(Source(s3_store(Aws.connect(None), bucket)), NOVEMBER)
                             for bucket in buckets))
    assert korean_lines_left(refused) == {}
    assert [shown(error_line(KO, exc)) for exc in refused] == [
        "설정이 필요합니다: s3://team-q-reports: 접근이 거부되었습니다: 이 ID 에는 s3:ListBucket 이(가) 필요합니다: "
        "iam/report-reader.json 는 Amazon Q / Kiro 보고서 의 보고서 버킷 읽기를 amazonq-developer-reports-* 이름의 "
        "버킷에만 허용합니다: docs/aws-setup.md, \"A team's own bucket names\" 의 보고서 버킷 읽기 문 (Resource "
        "arn:*:s3:::team-q-reports) 을 이 ID 의 정책에 추가하세요, 그런 다음 다시 실행하세요",
        "설정이 필요합니다: s3://amazonq-developer-reports-123456789012: 접근이 거부되었습니다: 이 ID 에는 "
        "s3:ListBucket 이(가) 필요합니다 (iam/report-reader.json 참조)"]


# A price file's rows with each mistake the price book refuses (JSON rows), keyed by what is wrong.
BAD_PRICE_ROWS = {
    "not a number": {"model": HAIKU, "input": "cheap"}, "NaN": {"model": HAIKU, "input": "NaN"},
    "negative": {"model": HAIKU, "input": -1}, "per million": {"model": HAIKU, "input": 3.0},
    "per image": {"model": HAIKU, "unit": "image", "per_unit": 50}, "unknown key": {"model": HAIKU, "outptu": 1},
    "no model": {"input": 0.001}, "geo model": {"model": f"us.{HAIKU}", "input": 0.001},
    "family": {"model": HAIKU, "family": "local", "input": 0.001}, "tier": {"model": HAIKU, "tier": "gold",
                                                                            "input": 0.001},
    "context tier": {"model": HAIKU, "tier": "above_50000k", "input": 0.001},
    "dates": {"model": HAIKU, "effective_from": "2026-02-01", "effective_to": "2026-01-01", "input": 0.001},
    "date form": {"model": HAIKU, "effective_from": "2026/02/01", "input": 0.001},
    "per_unit without unit": {"model": HAIKU, "per_unit": 0.04}, "no price": {"model": HAIKU},
    "China Region": {"model": HAIKU, "region": "cn-north-1", "input": 0.001},
}


def test_the_price_file_s_mistakes_are_korean(tmp_path: Path) -> None:
    """A price file ($BEDROCK_USAGE_PRICES on the dashboard) missing, a folder, not UTF-8, not JSON, not a list of
    rows, without rows, a CSV row with more cells than its header, and a row with each mistake the book refuses:
    each stops with one line in Korean naming the file and the row."""
    files = {"latin.json": b'{"prices": [{"model": "caf\xe9"}]}', "broken.json": b"{", "object.json": b'{"prices": 5}',
             "empty.json": b'{"prices": []}', "cells.csv": f"model,input\n{HAIKU},0.001,9\n".encode()}
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    rows = [f"row-{number}.json" for number in range(len(BAD_PRICE_ROWS))]
    for name, row in zip(rows, BAD_PRICE_ROWS.values(), strict=True):
        (tmp_path / name).write_text(json.dumps({"prices": [{"model": HAIKU, "input": 0.001}, row]}))
    refused = refusals(*(lambda name=name: PriceBook.load(tmp_path / name) for name in ["missing.json", *files, *rows]))
    refused += refusals(lambda: PriceFile.read(str(tmp_path)))
    try:
        json.loads("{")
    except ValueError as exc:
        json_says = str(exc)
    assert korean_lines_left(refused, (json_says, os.strerror(errno.EISDIR))) == {}
    per_image = shown(error_line(KO, refused[len(files) + 5]))
    assert per_image.startswith("분석할 수 없습니다: row-4.json 의 2 번째 행: per_unit 이(가) image 당 50.0 USD 인 "
                                "것은"), per_image


def test_the_kiro_prices_and_inference_profiles_files_mistakes_are_korean(tmp_path: Path) -> None:
    """A Kiro price file ($BEDROCK_USAGE_KIRO_PRICES) unreadable, not UTF-8, not JSON, no list, a row missing its
    columns, with an amount not a number or below 0, verified neither true nor false, a date not YYYY-MM-DD; an
    inference-profiles file ($BEDROCK_USAGE_INFERENCE_PROFILES) unreadable, not JSON, no object, an entry keyed by
    no application inference profile, without a model_id, with tags not strings or unknown fields: each stops with
    one line in Korean naming the file and its row or entry."""
    good = {"tier": "PRO", "monthly_usd": "20", "credits": "1000", "overage_usd_per_credit": "0.04"}
    arn = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123"
    files = {
        "latin.csv": b"tier\n\xe9\n", "broken.json": b"[", "object.json": b'{"tier": "PRO"}',
        "short.json": json.dumps([{"tier": "PRO"}]).encode(),
        "words.json": json.dumps([{**good, "credits": "many"}]).encode(),
        "below.json": json.dumps([{**good, "monthly_usd": "-1"}]).encode(),
        "verified.json": json.dumps([{**good, "verified": "yes"}]).encode(),
        "day.json": json.dumps([{**good, "effective_from": "May 1"}]).encode(),
    }
    profiles = {"p-broken.json": b"{", "p-list.json": b"[]", "p-key.json": json.dumps({HAIKU: {}}).encode(),
                "p-model.json": json.dumps({arn: {"tags": {}}}).encode(),
                "p-tags.json": json.dumps({arn: {"model_id": HAIKU, "tags": {"team": 5}}}).encode(),
                "p-fields.json": json.dumps({arn: {"model_id": HAIKU, "owner": "x"}}).encode()}
    for name, content in {**files, **profiles}.items():
        (tmp_path / name).write_bytes(content)
    refused = refusals(*(lambda name=name: KiroPriceTable.load(tmp_path / name) for name in [*files, "gone.csv"]),
                       *(lambda name=name: load_profile_file(tmp_path / name) for name in [*profiles, "gone.json"]))
    try:
        json.loads("[")
    except ValueError as exc:
        json_says = str(exc)
    try:
        json.loads("{")
    except ValueError as exc:
        json_says_too = str(exc)
    assert korean_lines_left(refused, (json_says, json_says_too, os.strerror(errno.ENOENT))) == {}
    assert len({exc.args[0].kind for exc in refused}) == len(refused)  # each mistake once


def test_the_governance_inputs_mistakes_are_korean(tmp_path: Path) -> None:
    """The Per caller section's inputs (an account that is no 12-digit id, a CUR 2.0 folder missing, without an
    export, holding two exports or a Parquet file that is not one, no bill source or two, Cost Explorer names not
    known; a logs folder of two accounts or no account to read), a budget's as-of day after today and a tag key no
    requestMetadata key can be: each stops with one line in Korean."""
    period = Period(date(2026, 1, 1), date(2026, 1, 31))
    for export in ("one", "two"):
        (tmp_path / "two" / export / "data" / "BILLING_PERIOD=2026-01").mkdir(parents=True)
    broken = tmp_path / "broken" / "data" / "BILLING_PERIOD=2026-01"
    broken.mkdir(parents=True)
    (broken / "part-0.parquet").write_bytes(b"not parquet")
    (tmp_path / "empty").mkdir()
    write_records(tmp_path / "logs", [call(1, HAIKU, 10)])
    (tmp_path / "logs" / "other" / "AWSLogs" / "210987654321" / "BedrockModelInvocationLogs").mkdir(parents=True)
    refused = refusals(
        lambda: check_account("12345"), lambda: read_cur_dir(tmp_path / "missing", period, "123456789012"),
        lambda: read_cur_dir(tmp_path / "empty", period, "123456789012"),
        lambda: read_cur_dir(tmp_path / "two", period, "123456789012"),
        lambda: read_cur_dir(tmp_path / "broken", period, "123456789012"),
        lambda: BillSource(), lambda: BillSource(ce_tag="team", ce_names="people"),
        lambda: logs_account(LocalEngine(tmp_path / "logs"), None), lambda: logs_account(AthenaEngine(None), None),
        lambda: day_in_progress(date(2026, 12, 5), "UTC", datetime(2026, 12, 1, tzinfo=UTC)),
        lambda: tag_key_literal("team;drop"),
    )
    assert [exc for exc in refused if "accounts (123456789012, 210987654321)" in str(exc)], refused
    assert korean_lines_left(refused, (str(refused[4].args[0].values["reason"]),)) == {}
    assert len({exc.args[0].kind for exc in refused}) == len(refused)  # each mistake once


@pytest.mark.slow
def test_the_logging_panel_s_problems_and_notes_are_korean(aws_env: dict[str, str], moto_endpoint: str,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """The logging panel over regions with each problem the check finds (moto): text delivery off and CloudWatch
    only, a bucket missing, in another region, without a policy, with a Deny of Bedrock's writes, with no statement
    for its writes or one whose condition cannot be decided, a read of its policy refused; the AWS managed key's
    problem; and the notes of a lifecycle rule deleting and archiving logs, or not read. Each problem and note as the
    panel shows it on the Korean page (``bedrock_tab.logging_problems``, ``logging_notes``)."""
    from dataclasses import replace

    from bedrock_usage.aws.log_lifecycle import not_checked
    from bedrock_usage.aws.logging_status import RegionLoggingStatus, check_regions, managed_key_problem
    from bedrock_usage.dashboard.bedrock_tab import logging_notes, logging_problems
    from tests.aws.refusing_proxy import refusing_proxy

    account = "123456789012"
    bedrock_writes = {"Effect": "Allow", "Principal": {"Service": "bedrock.amazonaws.com"}, "Action": "s3:PutObject",
                      "Resource": "arn:aws:s3:::{bucket}/*"}
    policies = {
        "eu-west-1": None,
        "eu-west-2": {**bedrock_writes, "Sid": "OrgOnly", "Effect": "Deny"},
        "eu-west-3": {**bedrock_writes, "Sid": "Other", "Principal": {"Service": "logging.s3.amazonaws.com"}},
        "eu-north-1": {**bedrock_writes, "Sid": "Odd", "Condition": {"StringEquals": {
            "aws:SourceArn": f"arn:aws:bedrock:eu-north-1:{account}:*"}}},
        "ap-south-1": {**bedrock_writes, "Sid": "Refused"},
    }
    for region, statement in policies.items():
        bucket = f"logs-{region}"
        s3 = boto3.client("s3", region_name=region)
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})
        if statement:
            s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
                {**statement, "Resource": statement["Resource"].format(bucket=bucket)}]}))
        boto3.client("bedrock", region_name=region).put_model_invocation_logging_configuration(
            loggingConfig={"s3Config": {"bucketName": bucket, "keyPrefix": ""}, "textDataDeliveryEnabled": True})
    boto3.client("s3", region_name="eu-west-1").put_bucket_lifecycle_configuration(
        Bucket="logs-eu-west-1", LifecycleConfiguration={"Rules": [{
            "ID": "retain", "Status": "Enabled", "Filter": {"Prefix": ""}, "Expiration": {"Days": 365},
            "Transitions": [{"Days": 30, "StorageClass": "GLACIER"}]}]})
    # a year folder's days archived, those of its first nine months deleted: days and folders named
    year = f"AWSLogs/{account}/BedrockModelInvocationLogs/eu-west-2/{datetime.now(UTC).year - 2}/"
    boto3.client("s3", region_name="eu-west-2").put_bucket_lifecycle_configuration(
        Bucket="logs-eu-west-2", LifecycleConfiguration={"Rules": [
            {"ID": "year", "Status": "Enabled", "Filter": {"Prefix": year},
             "Transitions": [{"Days": 0, "StorageClass": "DEEP_ARCHIVE"}]},
            {"ID": "months", "Status": "Enabled", "Filter": {"Prefix": f"{year}0"}, "Expiration": {"Days": 1}}]})
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="logs-elsewhere")
    configs = {"us-east-2": {"s3Config": {"bucketName": "logs-gone"}},
               "ca-central-1": {"s3Config": {"bucketName": "logs-elsewhere"}},
               "ap-northeast-2": {"cloudWatchConfig": {"logGroupName": "team",
                                                       "roleArn": f"arn:aws:iam::{account}:role/team"},
                                  "textDataDeliveryEnabled": False}}
    for region, config in configs.items():
        boto3.client("bedrock", region_name=region).put_model_invocation_logging_configuration(loggingConfig=config)
    with refusing_proxy(moto_endpoint, lambda method, path: path == "/logs-ap-south-1?policy") as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL_S3", f"http://127.0.0.1:{proxy.server_port}")
        monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
        statuses = check_regions(Aws.connect(), (*policies, *configs), archive=True)
    problems = [problem for status in statuses for problem in status.problems]
    problems.append(managed_key_problem("logs-eu-west-1", "eu-west-1", account))
    kinds = {problem.kind for problem in problems}
    assert kinds >= {"logging_no_policy", "logging_policy_denies", "logging_no_statement", "logging_policy_undecided",
                     "logging_read_failed", "logging_bucket_missing", "logging_bucket_elsewhere",
                     "logging_cloudwatch_only", "logging_text_off", "logging_managed_key"}, kinds
    [retained] = [status for status in statuses if status.region == "eu-west-1"]
    [folders] = [status for status in statuses if status.region == "eu-west-2"]
    assert retained.expiry_note and retained.archive_note and folders.expiry_note and folders.archive_note
    notes = [retained.expiry_note, retained.archive_note, folders.expiry_note, folders.archive_note]
    notes.append(not_checked("logs-x", "eu-west-1", ClientError(
        {"Error": {"Code": "AccessDenied", "Message": "Access Denied"}}, "GetBucketLifecycleConfiguration")))
    empty = RegionLoggingStatus("eu-west-1", True)
    assert english_left(problems, show=lambda lines: [
        logging_problems(KO, replace(empty, problems=(line,))) for line in lines]) == {}
    assert english_left(notes, theirs=("Access Denied",), show=lambda lines: [
        logging_notes(KO, replace(empty, archive_note=line))[0] for line in lines]) == {}
