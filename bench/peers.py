"""The peers: what a capable user writes instead of installing us, each computing calls and input and output tokens
per caller ARN and model over the same record objects.

- ``orjson``: ISA-L inflate, ``orjson.loads`` per line, a ``multiprocessing.Pool`` over the objects (all cores);
- ``msgspec``: the same with msgspec decoding each object's lines into a typed struct of the four fields (skipping
  the bodies unread);
- ``polars``: ``pl.scan_ndjson`` over the objects (polars inflates gzip itself), one ``group_by``;
- ``duckdb``: one ``read_ndjson`` statement over the objects with a ``GROUP BY``.

``isal`` is the floor they all stand on: ISA-L inflating every object on all cores, the output thrown away.

``python bench/peers.py NAME LISTING`` runs one peer over the objects named in ``LISTING`` (one path a line) and
prints its table as JSON lines, so ``run.py`` times each in a process of its own, beside our CLI.
"""

from __future__ import annotations

import json
import os
import sys
from collections import defaultdict
from collections.abc import Callable
from multiprocessing import Pool
from pathlib import Path

Totals = dict[tuple[str, str], list[int]]  # (caller ARN, model id) -> [calls, input tokens, output tokens]
PEERS = ("orjson", "msgspec", "polars", "duckdb")


def orjson_totals(paths: list[str]) -> Totals:
    import orjson
    from isal import igzip

    totals: Totals = defaultdict(lambda: [0, 0, 0])
    for path in paths:
        with open(path, "rb") as handle:
            text = igzip.decompress(handle.read())
        for line in text.splitlines():
            if not line.strip():
                continue
            record = orjson.loads(line)
            row = totals[((record.get("identity") or {}).get("arn") or "", record.get("modelId") or "")]
            row[0] += 1
            row[1] += (record.get("input") or {}).get("inputTokenCount") or 0
            row[2] += (record.get("output") or {}).get("outputTokenCount") or 0
    return dict(totals)


def msgspec_totals(paths: list[str]) -> Totals:
    import msgspec
    from isal import igzip

    def struct(name: str, *fields: tuple[str, type]) -> type:
        return msgspec.defstruct(name, [(key, kind | None, None) for key, kind in fields], gc=False)

    shape = struct("Record", ("identity", struct("Identity", ("arn", str))), ("modelId", str),
                    ("input", struct("Input", ("inputTokenCount", int))),
                    ("output", struct("Output", ("outputTokenCount", int))))
    decoder = msgspec.json.Decoder(shape)
    totals: Totals = defaultdict(lambda: [0, 0, 0])
    for path in paths:
        with open(path, "rb") as handle:
            text = igzip.decompress(handle.read())
        for record in decoder.decode_lines(text):
            row = totals[((record.identity and record.identity.arn) or "", record.modelId or "")]
            row[0] += 1
            row[1] += (record.input and record.input.inputTokenCount) or 0
            row[2] += (record.output and record.output.outputTokenCount) or 0
    return dict(totals)


def _inflate(paths: list[str]) -> int:
    from isal import igzip

    size = 0
    for path in paths:
        with open(path, "rb") as handle:
            size += len(igzip.decompress(handle.read()))
    return size


def _chunks(paths: list[str], workers: int) -> list[list[str]]:
    return [paths[i::workers * 8] for i in range(workers * 8)]


def isal_floor(paths: list[str]) -> Totals:
    workers = os.cpu_count() or 2
    with Pool(workers) as pool:
        size = sum(pool.imap_unordered(_inflate, _chunks(paths, workers)))
    return {("(inflated bytes)", ""): [size, 0, 0]}


def _pooled(worker: Callable[[list[str]], Totals], paths: list[str]) -> Totals:
    workers = os.cpu_count() or 2
    chunks = _chunks(paths, workers)
    totals: Totals = defaultdict(lambda: [0, 0, 0])
    with Pool(workers) as pool:
        for part in pool.imap_unordered(worker, chunks):
            for key, (calls, tokens_in, tokens_out) in part.items():
                row = totals[key]
                row[0] += calls
                row[1] += tokens_in
                row[2] += tokens_out
    return dict(totals)


def orjson_pool(paths: list[str]) -> Totals:
    return _pooled(orjson_totals, paths)


def msgspec_pool(paths: list[str]) -> Totals:
    return _pooled(msgspec_totals, paths)


def polars_scan(paths: list[str]) -> Totals:
    import polars as pl

    schema = {"identity": pl.Struct({"arn": pl.String}), "modelId": pl.String,
              "input": pl.Struct({"inputTokenCount": pl.Int64}), "output": pl.Struct({"outputTokenCount": pl.Int64})}
    frame = (pl.scan_ndjson(paths, schema=schema)
             .group_by(arn=pl.col("identity").struct.field("arn").fill_null(""),
                       model=pl.col("modelId").fill_null(""))
             .agg(calls=pl.len(), input=pl.col("input").struct.field("inputTokenCount").fill_null(0).sum(),
                  output=pl.col("output").struct.field("outputTokenCount").fill_null(0).sum())
             .collect())
    return {(arn, model): [calls, tokens_in, tokens_out] for arn, model, calls, tokens_in, tokens_out in frame.rows()}


def duckdb_one_liner(paths: list[str]) -> Totals:
    import duckdb

    rows = duckdb.sql(
        "SELECT coalesce(identity.arn, ''), coalesce(modelId, ''), count(*), "
        "coalesce(sum(input.inputTokenCount), 0), coalesce(sum(output.outputTokenCount), 0) "
        "FROM read_ndjson($paths, columns={identity: 'STRUCT(arn VARCHAR)', modelId: 'VARCHAR', "
        "input: 'STRUCT(inputTokenCount BIGINT)', output: 'STRUCT(outputTokenCount BIGINT)'}) GROUP BY ALL",
        params={"paths": paths}).fetchall()
    return {(arn, model): [calls, int(tokens_in), int(tokens_out)] for arn, model, calls, tokens_in, tokens_out in rows}


RUNNERS = {"isal": isal_floor, "orjson": orjson_pool, "msgspec": msgspec_pool, "polars": polars_scan,
           "duckdb": duckdb_one_liner}


def main() -> int:
    name, listing = sys.argv[1], Path(sys.argv[2])
    totals = RUNNERS[name](listing.read_text().splitlines())
    for (arn, model), values in sorted(totals.items()):
        print(json.dumps([arn, model, *values]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
