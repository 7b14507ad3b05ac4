"""What parsing costs per record, step by step, on one core (for bench/run.py's ``parse`` section).

Every form reads the same sample of record objects from disk in the same round, one after another, on a DuckDB
connection of one thread, and is timed in CPU seconds of this process:

- ``inflate``: ISA-L inflating each object a chunk at a time (``bounded_gzip.gunzip_chunks``), output dropped;
- ``lines``: that, plus cutting the text into lines and checking it (``local._object_lines``);
- ``aggregate``: calls and input and output tokens per caller ARN and model, aggregated by DuckDB straight from
  the lines (``json_extract`` of the few fields, ``GROUP BY``), with no table of records: what a report that kept
  nothing could cost at least;
- ``orjson``: the same aggregate with ``orjson.loads`` per line in Python (bench/peers.py's worker);
- ``msgspec``: the same with msgspec decoding the lines into a typed struct of the four fields (the other peer's
  worker);
- ``table``: the records parsed into the table the columnar cache keeps (``local._parsed``: every field, reduced
  bodies, checked token counts, repeated ``timestamp`` keys);
- ``parts``: that, plus writing each day folder's Parquet part (``local._write_parts``): a cold build's parse.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import duckdb
import pyarrow as pa
from peers import msgspec_totals, orjson_totals

from bedrock_usage.bounded_gzip import gunzip_chunks
from bedrock_usage.engines import local
from bedrock_usage.engines.columnar_cache import LogObject
from bedrock_usage.output.progress import Tally

FORMS = ("inflate", "lines", "aggregate", "orjson", "msgspec", "table", "parts")
CAP = 1 << 40  # no object of a benchmark corpus comes near a cap
_AGGREGATE = (
    "SELECT f[1] AS arn, f[2] AS model, count(*) AS calls, sum(TRY_CAST(f[3] AS BIGINT)) AS tokens_in, "
    "sum(TRY_CAST(f[4] AS BIGINT)) AS tokens_out FROM (SELECT json_extract_string(line, ['$.identity.arn', "
    "'$.modelId', '$.input.inputTokenCount', '$.output.outputTokenCount']) AS f FROM batch) GROUP BY ALL"
)


def sample(files: list[Path], share: int) -> list[LogObject]:
    """Every ``share``-th record object, as the engine lists them."""
    chosen = files[::share]
    return [LogObject(path.parent.as_posix(), path.name, info.st_size, info.st_mtime_ns, info.st_ino,
                      info.st_ctime_ns, path.parent.parent.as_posix())
            for path, info in ((path, path.stat()) for path in chosen)]


def _inflate(objects: list[LogObject]) -> int:
    return sum(len(chunk) for obj in objects for chunk in gunzip_chunks(obj.path, CAP))


def _lines(objects: list[LogObject]) -> int:
    return sum(len(lines) for obj in objects for lines, *_ in local._object_lines(obj.path, CAP))


def _aggregate(con: duckdb.DuckDBPyConnection, objects: list[LogObject]) -> int:
    totals: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    pending: list[pa.Array] = []
    size = 0

    def flush() -> None:
        nonlocal size
        con.register("batch", pa.table({"line": pa.chunked_array(pending, pa.large_string())}))
        for arn, model, calls, tokens_in, tokens_out in con.sql(_AGGREGATE).fetchall():
            row = totals[(arn, model)]
            row[0] += calls
            row[1] += tokens_in or 0
            row[2] += tokens_out or 0
        con.unregister("batch")
        pending.clear()
        size = 0

    for obj in objects:
        for lines, text, *_ in local._object_lines(obj.path, CAP):
            pending.append(lines)
            size += len(text)
            if size >= local.PARSE_BYTES:
                flush()
    if pending:
        flush()
    return sum(row[0] for row in totals.values())


def _table(con: duckdb.DuckDBPyConnection, objects: list[LogObject]) -> int:
    records, _ = local._parsed(con, objects, CAP)
    return len(records) if records is not None else 0


def _parts(con: duckdb.DuckDBPyConnection, objects: list[LogObject], folder: Path) -> int:
    days: dict[str, list[LogObject]] = defaultdict(list)
    for obj in objects:
        days[obj.partition].append(obj)
    jobs = [(batch, folder / f"part-{index}.parquet") for index, batch in enumerate(days.values())]
    reading = Tally(lambda update: None, "parse", with_bytes=True)  # counts only when someone listens
    local._write_parts(con, jobs, CAP, reading)
    return reading.extra.get("records", 0)


def measure(objects: list[LogObject], rounds: int) -> dict[str, object]:
    """CPU seconds per record of each form, round by round, and each form's median ratio to ``inflate``."""
    con = duckdb.connect(config={"threads": 1})
    per_round: list[dict[str, float]] = []
    counts: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="parse-forms-") as folder:
        forms: dict[str, Callable[[], int]] = {
            "inflate": lambda: _inflate(objects),
            "lines": lambda: _lines(objects),
            "aggregate": lambda: _aggregate(con, objects),
            "orjson": lambda: sum(row[0] for row in orjson_totals([obj.path for obj in objects]).values()),
            "msgspec": lambda: sum(row[0] for row in msgspec_totals([obj.path for obj in objects]).values()),
            "table": lambda: _table(con, objects),
            "parts": lambda: _parts(con, objects, Path(folder)),
        }
        for _ in range(rounds):
            seconds: dict[str, float] = {}
            for name, form in forms.items():
                started = time.process_time()
                counts[name] = form()
                seconds[name] = time.process_time() - started
            per_round.append(seconds)
    con.close()
    records = counts["table"]
    return {
        "objects": len(objects),
        "records": records,
        "same_records": counts["aggregate"] == counts["orjson"] == counts["msgspec"] == records == counts["parts"],
        "rounds": per_round,
        "us_per_record": {name: statistics.median(r[name] for r in per_round) / records * 1e6 for name in FORMS},
        "vs_inflate": {name: statistics.median(r[name] / r["inflate"] for r in per_round) for name in FORMS},
    }
