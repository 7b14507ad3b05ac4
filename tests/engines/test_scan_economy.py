"""One refresh reads each log object of its date range once, and never opens an object outside the range."""

from __future__ import annotations

import os
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest

from bedrock_usage.demo.synthetic import CorpusSpec, generate_records
from bedrock_usage.demo.writer import write_local
from bedrock_usage.engines.local import LocalEngine
from bedrock_usage.logs.period import resolve_period
from bedrock_usage.report.tracker import BedrockAthenaTracker
from tests.oracle import aggregate

PERIOD = resolve_period(start="2025-11-10", end="2025-11-12")  # reads folders 11-10 .. 11-13 (the day after too)
IN_RANGE = ("2025/11/10", "2025/11/11", "2025/11/12", "2025/11/13")
_opened: list[str] | None = None


def _audit(event: str, args: tuple) -> None:
    if _opened is not None and event == "open" and isinstance(args[0], str | bytes | os.PathLike):
        _opened.append(os.fsdecode(args[0]))


sys.addaudithook(_audit)


@contextmanager
def recording_opens() -> Iterator[list[str]]:
    """Every file Python opens meanwhile (the engine reads log objects through Python's file API)."""
    global _opened
    _opened = []
    try:
        yield _opened
    finally:
        _opened = None


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Records over 2025-11-05 .. 2025-11-18; every object outside the range's folders is garbage."""
    root = tmp_path_factory.mktemp("economy")
    spec = CorpusSpec(records=2500, start_date=date(2025, 11, 5), end_date=date(2025, 11, 18), seed=66)
    write_local(root, generate_records(spec))
    for path in log_objects(root):
        if not in_range(path):
            path.write_bytes(b"\x1f\x8b garbage: reading this object would count it as unreadable")
    return root


def log_objects(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.json.gz") if p.parent.name != "data" and p.stat().st_size)


def in_range(path: Path) -> bool:
    return "/".join(path.parts[-5:-2]) in IN_RANGE


def read_records(paths: list[Path]) -> list[dict]:
    import gzip
    import json

    return [json.loads(line) for p in paths for line in gzip.decompress(p.read_bytes()).decode().splitlines() if line]


@pytest.mark.slow
@pytest.mark.parametrize("cache", [False, True], ids=["raw", "cached"])
def test_a_refresh_opens_each_object_in_range_once_and_nothing_else(logs: Path, tmp_path: Path, cache: bool) -> None:
    wanted = [p for p in log_objects(logs) if in_range(p)]
    assert 0 < len(wanted) < len(log_objects(logs)) / 2
    engine = LocalEngine(logs, cache=tmp_path / "cache" if cache else False)
    tracker = BedrockAthenaTracker(engine)
    with recording_opens() as opened:
        report = tracker.analyze(PERIOD)
    logs_opened = Counter(p for p in opened if p.endswith(".json.gz"))
    assert set(logs_opened) == {p.as_posix() for p in wanted}
    assert set(logs_opened.values()) == {1}
    assert not any(k.startswith("unreadable") for k in report.stats.skipped_objects)
    assert report.stats.objects_read == len(wanted)
    assert report.stats.bytes_read == sum(p.stat().st_size for p in wanted)
    expected = aggregate(read_records(wanted), PERIOD.start, PERIOD.end)["summary"][()]
    assert report.summary["calls"] == expected.calls > 100
    assert report.summary["input_tokens"] == expected.input_tokens

    if cache:  # the next refresh reads the Parquet parts only
        with recording_opens() as opened:
            again = tracker.analyze(PERIOD)
        assert not [p for p in opened if p.endswith(".json.gz")]
        assert again.summary == report.summary
