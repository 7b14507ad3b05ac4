"""The facts query's two de-duplication forms (a window over every record, for Athena; repeated keys first, for
DuckDB) number the copies alike: the same fact rows, and the counts a plain reading of the rule gives."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pyarrow as pa

from bedrock_usage.engines.base import Scope
from bedrock_usage.engines.local import LocalEngine
from bedrock_usage.engines.queries import Filters, usage_facts_query
from bedrock_usage.logs.period import resolve_period
from tests.engines.test_local_engine import record, user
from tests.logfiles import write_records

PERIOD = resolve_period(start="2025-11-03", end="2025-11-03")


def copies(tmp_path: Path) -> tuple[list[dict], list[dict]]:
    """Records delivered once, twice, three times, in one object and across objects, a corrupt copy in the object
    read first, and records without a requestId; returns the distinct readable records and every record written."""
    distinct = [record(f"2025-11-03T{h:02d}:{m:02d}:00Z", user(f"u{m % 3}"), inp=10 * h + m, out=m)
                for h in range(9, 12) for m in range(0, 60, 7)]
    same_id_other_time = dict(record("2025-11-03T09:00:30Z", user("u0"), inp=7), requestId=distinct[0]["requestId"])
    distinct.append(same_id_other_time)  # another key: the timestamp differs
    write_records(tmp_path / "a", distinct)
    write_records(tmp_path / "b", [*distinct[::2], same_id_other_time])  # a second delivery of half the records
    write_records(tmp_path / "c", distinct[1:3] * 2)  # two copies in one object
    corrupt = json.loads(json.dumps(distinct[4]))
    corrupt["input"]["inputTokenCount"] = -1
    (path,) = write_records(tmp_path / "0", [distinct[5]])  # the folder read first
    path.with_name("0-first.json.gz").write_bytes(gzip.compress((json.dumps(corrupt) + "\n").encode()))
    no_id = [dict(record("2025-11-03T10:30:00Z", user("u1"), inp=3), requestId=None) for _ in range(2)]
    write_records(tmp_path / "a", no_id, prefix="other/")
    written = distinct + distinct[::2] + [same_id_other_time] + distinct[1:3] * 2 + [distinct[5], corrupt] + no_id
    return distinct + no_id, written


def engine_rows(engine: LocalEngine, narrow: bool) -> list[dict]:
    query = usage_facts_query(PERIOD, Filters(), (), narrow_dedup=narrow)
    first, last = PERIOD.partition_days()
    table: pa.Table = engine.query(query.sql, query.params, Scope(("us-east-1",), first, last)).rows
    return sorted(table.to_pylist(), key=lambda row: json.dumps(row, sort_keys=True, default=str))


def test_both_forms_number_copies_alike(tmp_path: Path) -> None:
    kept, written = copies(tmp_path)
    engine = LocalEngine(tmp_path, cache=False)
    window, narrow = engine_rows(engine, narrow=False), engine_rows(engine, narrow=True)
    assert window == narrow

    readable = [row for row in narrow if row["day"] is not None]
    counted = [row for row in readable if not row["duplicate"]]
    assert sum(row["calls"] for row in counted) == len(kept)
    assert sum(row["input_tokens"] for row in counted) == sum(r["input"]["inputTokenCount"] for r in kept)
    extra_readable_copies = len(written) - len(kept) - 1  # every copy but the kept ones and the corrupt one
    assert sum(row["calls"] for row in readable if row["duplicate"]) == extra_readable_copies
    assert sum(row["calls"] for row in narrow if row["day"] is None) == 1
