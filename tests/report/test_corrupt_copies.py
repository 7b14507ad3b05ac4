"""A corrupt copy of a record that has a readable copy is a duplicate, not a skipped record; a record with no readable
copy is skipped once, its other copies duplicates. Both engines; the expected counts come from the records written."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from bedrock_usage.aws.session import Aws
from bedrock_usage.engines.athena import AthenaEngine
from bedrock_usage.engines.local import LocalEngine
from bedrock_usage.engines.queries import BODY_MEASURES, FACT_DIMENSIONS, FACT_MEASURES, SKIP_DIMENSIONS, Filters
from bedrock_usage.logs.period import resolve_period
from bedrock_usage.report.tracker import BedrockAthenaTracker, UsageReport
from tests.engines.test_athena_engine import column, create_workgroup, register_result, result_rows
from tests.logfiles import ACCOUNT, read_tree, write_records

PERIOD = resolve_period(start="2025-06-10", end="2025-06-10")
ALICE = f"arn:aws:iam::{ACCOUNT}:user/alice"
HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"


def record(request_id: str, minute: int, inp: object = 100) -> dict:
    return {"timestamp": f"2025-06-10T10:{minute:02d}:00Z", "identity": {"arn": ALICE}, "region": "us-east-1",
            "requestId": request_id, "modelId": HAIKU, "input": {"inputTokenCount": inp},
            "output": {"outputTokenCount": 50}}


def write_copies(root: Path, bad: object) -> None:
    """n1 readable; n4 a corrupt copy and a readable one; n5 corrupt alone; n6 two corrupt copies. The corrupt
    copies are in the objects read first."""
    write_records(root / "a", [record("n4", 4, bad), record("n5", 5, bad), record("n6", 6, bad)])
    write_records(root / "b", [record("n1", 1), record("n4", 4), record("n6", 6, bad)])


def readable(rec: dict) -> bool:
    count = rec["input"]["inputTokenCount"]
    return isinstance(count, int) and not isinstance(count, bool) and count >= 0


def copies_by_key(records: list[dict]) -> list[list[dict]]:
    """The copies of each (requestId, timestamp), a readable copy first."""
    keys: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for rec in records:
        keys[(rec["requestId"], rec["timestamp"])].append(rec)
    return [sorted(copies, key=lambda rec: not readable(rec)) for copies in keys.values()]


def check(report: UsageReport, root: Path, arn_pattern: str = "") -> None:
    """Calls and tokens of the records with a readable copy; skipped: keys with none, whatever the filter;
    duplicates: the other copies, as far as the filter keeps them."""
    keys = copies_by_key(read_tree(root))
    counted = [copies[0] for copies in keys if readable(copies[0]) and arn_pattern in copies[0]["identity"]["arn"]]
    assert report.summary["calls"] == len(counted)
    assert report.summary["input_tokens"] == sum(rec["input"]["inputTokenCount"] for rec in counted)
    skipped = sum(not readable(copies[0]) for copies in keys)
    assert report.records_skipped == skipped
    assert report.skipped_records.counts == ({"token_counts": skipped} if skipped else {})
    assert report.stats.duplicate_records == sum(arn_pattern in rec["identity"]["arn"] for copies in keys
                                                 for rec in copies[1:])


@pytest.mark.parametrize("cache", [False, True], ids=["cache-off", "cache-on"])
@pytest.mark.parametrize("bad", [-5, "abc", 12.5, True], ids=["negative", "text", "fraction", "boolean"])
def test_the_local_engine_counts_corrupt_copies_as_duplicates(tmp_path: Path, bad: object, cache: bool) -> None:
    write_copies(tmp_path / "logs", bad)
    engine = LocalEngine(tmp_path / "logs", cache=tmp_path / "cache" if cache else False)
    check(BedrockAthenaTracker(engine).analyze(PERIOD, ["us-east-1"]), tmp_path / "logs")


@pytest.mark.parametrize("arn_pattern", ["alice", "nobody"])
@pytest.mark.parametrize("bad", [-5, "abc"], ids=["negative", "text"])
def test_a_filter_keeps_a_corrupt_copy_where_it_keeps_a_readable_one(tmp_path: Path, bad: object,
                                                                     arn_pattern: str) -> None:
    write_copies(tmp_path, bad)
    report = BedrockAthenaTracker(LocalEngine(tmp_path, cache=False)).analyze(
        PERIOD, ["us-east-1"], Filters(arn_pattern=arn_pattern))
    check(report, tmp_path, arn_pattern)


def athena_rows(root: Path) -> list[dict]:
    """The fact rows Athena returns for the records under ``root``, one per record: an unreadable record has no day,
    every copy after its key's first (a readable one when there is one) is flagged duplicate."""
    rows = []
    for copies in copies_by_key(read_tree(root)):
        for number, rec in enumerate(copies):
            day = "2025-06-10" if readable(rec) else None
            rows.append({"day": day, "utc_day": day, "hour": 10 if day else None, "identity_arn": ALICE,
                         "source_region": "us-east-1", "model_id": HAIKU, "cache_kinds": 0, "duplicate": number > 0,
                         "context_over": 0, "request_body": "none", "media_size": 0, "image_quality": "standard",
                         "service_tier": "default", "tag_0": None, "calls": 1, "errors": 0,
                         "input_tokens": rec["input"]["inputTokenCount"], "output_tokens": 50,
                         "cache_read_tokens": 0, "cache_write_tokens": 0, **dict.fromkeys(BODY_MEASURES, 0),
                         "prompt_router_calls": 0, "skip_reason": None if day or number else "token_counts",
                         "skipped_object": None if day or number else "s3://logs/a.json.gz"})
    return rows


def test_the_athena_engine_counts_corrupt_copies_as_duplicates(
    tmp_path: Path, aws_env: dict[str, str], moto_endpoint: str
) -> None:
    """moto runs no SQL: it serves the fact rows Athena returns for these records."""
    write_copies(tmp_path, -5)  # a count that is not a number fails Athena's query: only a negative one
    create_workgroup("us-east-1")
    kinds = {"hour": "integer", "cache_kinds": "integer", "duplicate": "boolean", "context_over": "integer",
             "media_size": "integer"}
    names = [*FACT_DIMENSIONS, *SKIP_DIMENSIONS, "tag_0", *FACT_MEASURES]  # tag_0: the application tag
    rows = [[row[name] for name in names] for row in athena_rows(tmp_path)]
    columns = [column(name, kinds.get(name, "bigint" if name in FACT_MEASURES else "varchar")) for name in names]
    register_result(moto_endpoint, "us-east-1", columns, result_rows(names, rows))
    check(BedrockAthenaTracker(AthenaEngine(Aws.connect())).analyze(PERIOD, ["us-east-1"]), tmp_path)
