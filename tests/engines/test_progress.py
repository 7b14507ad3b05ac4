"""What the engines tell a progress reporter: counts checked against the log folder and Athena's figures."""

from __future__ import annotations

import gzip
import os
import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from bedrock_usage.demo.synthetic import CorpusSpec, generate_records
from bedrock_usage.demo.writer import write_local
from bedrock_usage.engines import local
from bedrock_usage.engines.base import Scope
from bedrock_usage.engines.local import LocalEngine
from bedrock_usage.logs.period import resolve_period
from bedrock_usage.output.progress import Progress
from bedrock_usage.report import tracker
from bedrock_usage.report.tracker import BedrockAthenaTracker
from tests.engines.test_athena_engine import FakeAthena, fake_engine, scope

FIRST, LAST = date(2025, 11, 3), date(2025, 11, 6)
LISTING, READING, PRICING = local.LISTING.english, local.READING.english, tracker.PRICING.english  # steps' names
COUNT_SQL = "SELECT count(*) AS n FROM bedrock_invocation_logs"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, tuple[str, ...]]:
    root = tmp_path_factory.mktemp("progress-corpus")
    records = generate_records(CorpusSpec(records=1200, start_date=FIRST, end_date=LAST, seed=19))
    write_local(root, records)
    return root, tuple(sorted({r["region"] for r in records}))


def record_objects(root: Path) -> tuple[int, int, int]:
    """Objects, compressed bytes and non-blank lines of the record objects, counted by walking the folder."""
    objects = size = lines = 0
    for folder, _, names in os.walk(root):
        if Path(folder).name == "data":
            continue  # payload objects: bodies, not records
        for name in names:
            path = Path(folder, name)
            if name.endswith(".json.gz") and path.stat().st_size:
                objects += 1
                size += path.stat().st_size
                with gzip.open(path) as text:
                    lines += sum(1 for line in text if line.strip())
    return objects, size, lines


def last_of(updates: list[Progress], step: str) -> Progress:
    return [update for update in updates if update.step == step][-1]


@pytest.mark.parametrize("cache", ["off", "fresh"])
def test_local_engine_reports_every_object_byte_and_record_it_reads(
    corpus: tuple[Path, tuple[str, ...]], tmp_path: Path, cache: str
) -> None:
    root, regions = corpus
    engine = LocalEngine(root, cache=False if cache == "off" else tmp_path / "cache")
    updates: list[Progress] = []
    engine.query(COUNT_SQL, [], Scope(regions, FIRST, LAST + timedelta(days=1)), updates.append)

    objects, size, lines = record_objects(root)
    reading = last_of(updates, READING)
    assert reading.finished
    assert (reading.done, reading.total, reading.bytes_done, reading.bytes_total) == (objects, objects, size, size)
    assert reading.note.startswith(f"{lines:,} records parsed")
    listing = last_of(updates, LISTING)
    days = (LAST - FIRST).days + 2
    assert listing.finished and (listing.done, listing.total) == (days * len(regions), days * len(regions))
    assert listing.note == f"{objects:,} objects"
    steps = [update.step for update in updates]
    assert steps.index(LISTING) < steps.index(READING)
    reading_done = [update.done for update in updates if update.step == READING]
    assert reading_done == sorted(reading_done)


def test_a_cached_read_says_nothing_was_left_to_parse(corpus: tuple[Path, tuple[str, ...]], tmp_path: Path) -> None:
    root, regions = corpus
    engine = LocalEngine(root, cache=tmp_path / "cache")
    whole = Scope(regions, FIRST, LAST + timedelta(days=1))
    engine.query(COUNT_SQL, [], whole)
    updates: list[Progress] = []
    engine.query(COUNT_SQL, [], whole, updates.append)
    objects, _, _ = record_objects(root)
    reading = last_of(updates, READING)
    assert (reading.done, reading.total, reading.bytes_total) == (0, 0, 0)
    assert reading.note == f"0 records parsed, {objects:,} objects cached"


def test_the_tracker_reports_the_pricing_of_every_fact_row(corpus: tuple[Path, tuple[str, ...]]) -> None:
    root, regions = corpus
    updates: list[Progress] = []
    period = resolve_period(start=FIRST.isoformat(), end=LAST.isoformat())
    report = BedrockAthenaTracker(LocalEngine(root, cache=False)).analyze(period, regions, progress=updates.append)
    pricing = [update for update in updates if update.step == PRICING]
    rows = len(report.facts)
    assert [(u.done, u.total, u.finished) for u in pricing] == [(0, rows, False), (rows, rows, True)]
    assert [u.step for u in updates].index(READING) < [u.step for u in updates].index(PRICING)


def test_athena_reports_each_poll_with_the_data_scanned_and_its_cost(no_aws_env: dict[str, str]) -> None:
    scanned = 3 * 2**30  # 3 GiB: 3/1024 TiB at USD 5.00 per TB (binary, as Athena bills) = $0.0146484375
    fakes = {"us-east-1": FakeAthena(["QUEUED", "RUNNING", "SUCCEEDED"], scanned=scanned),
             "eu-west-1": FakeAthena(["SUCCEEDED"], scanned=scanned)}
    updates: list[Progress] = []
    fake_engine(fakes).query("SELECT 1", [], scope("us-east-1", "eu-west-1"), updates.append)

    virginia = [u for u in updates if u.step == "Athena us-east-1"]
    states = ("QUEUED", "RUNNING", "SUCCEEDED")
    for update, state in zip(virginia, states, strict=True):
        assert re.fullmatch(rf"{state}, \d+ s, 3\.0 GiB scanned \(\$0\.0146\)", update.note), update.note
    seconds = [int(update.note.split(", ")[1].removesuffix(" s")) for update in virginia]
    assert seconds == sorted(seconds)  # time since the query started
    assert [u.finished for u in virginia] == [False, False, True]
    regions = last_of(updates, "Athena regions")
    assert (regions.done, regions.total, regions.finished) == (2, 2, True)
    assert regions.note == "6.0 GiB scanned, $0.0293"  # two queries of $0.0146484375


def test_athena_reports_a_failed_query_as_finished_and_free(no_aws_env: dict[str, str]) -> None:
    fake = FakeAthena(["RUNNING", "FAILED"], reason="SYNTAX_ERROR: line 1:8", scanned=2**20)
    updates: list[Progress] = []
    with pytest.raises(Exception, match="SYNTAX_ERROR"):
        fake_engine({"us-east-1": fake}).query("SELECT x", [], scope("us-east-1"), updates.append)
    failed = last_of(updates, "Athena us-east-1")
    assert failed.finished and re.fullmatch(r"FAILED, \d+ s, 1\.0 MiB scanned \(\$0\.0000\)", failed.note)
    assert last_of(updates, "Athena regions").done == 1
