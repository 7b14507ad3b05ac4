"""No warning reaches the Korean page in English: the warnings of real reports over fixtures that hold most of what
a report warns of (models without a price, objects and files skipped for every reason, the size cap among them,
records skipped or read twice, Regions asked for without logs or not asked for, an unknown Region folder, a tag no
call carries, an application inference profile not resolved, a price file's rows that reach no call or another
Region only, an earlier version's compacted copy and days outside the partition projection on Athena, budgets and
anomalies over them, the Amazon Q / Kiro report's files, rows, limits and credits) are each listed on the Korean page
with no English word of our own left in them. Names and figures (model ids, Regions, paths, e-mails, settings) stay as
they are. Through the function the tabs list their warnings with (``tables.warning_lines``)."""

from __future__ import annotations

import gzip
import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import boto3
import pytest

from bedrock_usage.aws.session import Aws
from bedrock_usage.bounded_gzip import MAX_OBJECT_ENV
from bedrock_usage.dashboard.notice_text import NOTICES, PHRASE_FORMS, PHRASES
from bedrock_usage.dashboard.tables import warning_lines
from bedrock_usage.dashboard.text import Text
from bedrock_usage.engines.athena import AthenaEngine
from bedrock_usage.engines.compacted import COMPACTED_THROUGH, EARLIER_COMPACT_TABLES
from bedrock_usage.engines.local import LocalEngine
from bedrock_usage.governance import anomalies
from bedrock_usage.governance.budgets import Budget, check_budgets, scan_warnings
from bedrock_usage.governance.chargeback import qdev_side
from bedrock_usage.governance.profiles import ProfileResolver
from bedrock_usage.logs.period import Period, resolve_period
from bedrock_usage.logs.schema import DATABASE_NAME
from bedrock_usage.output.notices import Notice
from bedrock_usage.pricing import PriceBook
from bedrock_usage.qdev.analysis import Source, analyze
from bedrock_usage.qdev.sources import LocalStore
from bedrock_usage.report.tracker import BedrockAthenaTracker, narrowed
from tests.dashboard.helpers import shown
from tests.dashboard.test_korean_qdev_warnings import ALICE, NOVEMBER, chat, corpus, prompt_file, records  # noqa: F401
from tests.dashboard.test_korean_qdev_warnings import warnings as qdev_warnings  # noqa: F401  (fixture)
from tests.dashboard.test_korean_warnings import HAIKU, MYSTERY, PROFILE, call
from tests.engines.test_athena_engine import create_workgroup, logs_table
from tests.logfiles import write_records
from tests.qdev.test_offline import offline  # noqa: F401  (fixture)

KO = Text("ko")
# The English words the Korean wording itself holds: names of services, settings, fields and files.
OWN_WORDS = {word for text in [*NOTICES["ko"].values(), *PHRASES["ko"].values(), *PHRASE_FORMS["ko"].values()]
             for word in re.findall(r"[A-Za-z]+", re.sub(r"\{\w+\}", "", text))}
# A word in lower case standing alone among others: a sentence (``its first day not recorded``), not a name (a model's
# display name, an endpoint family, a path).
PROSE = re.compile(r"(?:^|\s)[a-z]{2,}(?:\s|$)")


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


def english_left(lines: list[str], theirs: tuple[str, ...] = ()) -> dict[str, str]:
    """Each line the Korean page shows with English of ours in it (the line as shown): one that is no Notice of a
    kind worded in Korean, or whose Korean wording, its names and figures taken out (values that are not a sentence
    nor a phrase worded in Korean) and ``theirs`` (the system's or AWS's own words), still has a word the Korean
    wording does not hold itself."""
    left = {}
    for line, seen in zip(lines, warning_lines(KO, lines), strict=True):
        seen = shown(seen)
        for words in theirs:
            seen = seen.replace(words, " ")
        if isinstance(line, Notice) and line.kind in NOTICES["ko"]:
            for value in sorted(values(line), key=len, reverse=True):
                if value and value not in PHRASES["ko"] and not (" " in value.strip() and PROSE.search(value)):
                    seen = seen.replace(value, " ")
            if all(word in OWN_WORDS for word in re.findall(r"[A-Za-z]+", seen)):
                continue
        left[str(line)] = shown(warning_lines(KO, [line])[0])
    return left


def test_the_bedrock_report_s_budgets_and_anomalies_warnings_are_korean(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Local logs with most of what the report warns of, a price file and a tag, read with a 5,000-byte cap."""
    calls = [call(1, MYSTERY, 10), call(2, MYSTERY, 10), call(3, HAIKU, 11), call(5, PROFILE, 13),
             {**call(4, HAIKU, 12), "input": {"inputTokenCount": -5}}, {**call(6, HAIKU, 14), "identity": {}},
             {key: value for key, value in call(7, HAIKU, 14).items() if key != "modelId"},
             call(8, HAIKU, 15, "eu-west-1"), call(9, HAIKU, 15, "xx-north-9")]
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
                                              "output": 0.0025}]}))
    monkeypatch.setenv(MAX_OBJECT_ENV, str(5_000 / 2**20))
    period = resolve_period(start="2026-01-30", end="2026-01-31")
    tracker = BedrockAthenaTracker(LocalEngine(tmp_path / "logs", cache=False), PriceBook.load(prices),
                                   extra_tags=("team",), rewriter=ProfileResolver())
    report = tracker.analyze(period, ["us-east-1", "us-west-2"])
    said = " | ".join(report.warnings)
    for words in ("unpriced:", "skipped 1 record", "once decompressed", "empty object", "hidden", "month folder",
                  "not named .json.gz", "damaged gzip", "not UTF-8", "ignored 2 duplicate", "no logs of us-west-2",
                  "not among the regions asked for", "xx-north-9", "'team'", "not resolved", "without a caller",
                  "without a modelId", "price no call", "took the built-in book's price"):
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
