"""Benchmark corpora: synthetic invocation logs in the service's S3 key layout, generated once and reused.

A corpus is written one UTC day (in chunks of at most ``CHUNK_RECORDS``) at a time on all cores; each chunk
has its own seed and a body size drawn from the requested range, so records are 1-3 KB lines by default.
A finished corpus holds ``corpus.json``; re-runs with the same parameters reuse it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bedrock_usage.demo.synthetic import CorpusSpec, generate_records  # noqa: E402
from bedrock_usage.demo.writer import write_local  # noqa: E402

DEFAULT_DATA_DIR = Path(__file__).resolve().parent / ".data"
DEFAULT_BODY_BYTES = (1000, 3000)
DEFAULT_DAYS = 30
LAST_DAY = date(2025, 11, 30)
CHUNK_RECORDS = 40_000
MARKER = "corpus.json"


@dataclass(frozen=True)
class CorpusParams:
    """What a corpus holds: records spread evenly over ``days`` UTC days ending ``LAST_DAY``."""

    records: int
    body_min: int = DEFAULT_BODY_BYTES[0]
    body_max: int = DEFAULT_BODY_BYTES[1]
    days: int = DEFAULT_DAYS
    seed: int = 6

    @property
    def name(self) -> str:
        return f"bedrock-{self.records}r-{self.body_min}-{self.body_max}b-{self.days}d-s{self.seed}"

    @property
    def first_day(self) -> date:
        return LAST_DAY - timedelta(days=self.days - 1)


@dataclass(frozen=True)
class Corpus:
    """A finished corpus on disk."""

    root: Path
    params: CorpusParams
    objects: int
    bytes: int
    seconds: float


def parse_body_bytes(text: str) -> tuple[int, int]:
    """``2000`` or ``1000-3000``: the range of record body budgets in bytes."""
    low, _, high = text.partition("-")
    try:
        pair = (int(low), int(high or low))
    except ValueError:
        raise argparse.ArgumentTypeError(f"body size '{text}' is not N or MIN-MAX") from None
    if not 0 <= pair[0] <= pair[1]:
        raise argparse.ArgumentTypeError(f"body size '{text}' needs 0 <= MIN <= MAX")
    return pair


def _chunks(params: CorpusParams) -> list[tuple[int, date, int, int]]:
    """(chunk seed, day, records, body bytes) for every chunk of the corpus."""
    rng = random.Random(params.seed)
    per_day, extra = divmod(params.records, params.days)
    chunks = []
    for index in range(params.days):
        day = params.first_day + timedelta(days=index)
        remaining = per_day + (1 if index < extra else 0)
        while remaining > 0:
            count = min(remaining, CHUNK_RECORDS)
            seed = params.seed * 1_000_003 + len(chunks)
            chunks.append((seed, day, count, rng.randint(params.body_min, params.body_max)))
            remaining -= count
    return chunks


def _write_chunk(root: str, chunk: tuple[int, date, int, int]) -> tuple[int, int]:
    seed, day, count, body = chunk
    spec = CorpusSpec(start_date=day, end_date=day, records=count, seed=seed, body_bytes=body)
    summary = write_local(Path(root), generate_records(spec))
    return summary.objects + summary.payload_objects, summary.bytes


def ensure_corpus(params: CorpusParams, data_dir: Path = DEFAULT_DATA_DIR, log=print) -> Corpus:
    """The corpus for ``params`` under ``data_dir``, generated now unless a finished one is there."""
    root = data_dir / params.name
    marker = root / MARKER
    if marker.is_file():
        saved = json.loads(marker.read_text())
        return Corpus(root, params, saved["objects"], saved["bytes"], saved["seconds"])
    if root.exists():
        _remove_tree(root)  # an unfinished run: start again
    root.mkdir(parents=True)
    ignore = data_dir / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# generated benchmark corpora and caches: never committed\n*\n")
    chunks = _chunks(params)
    log(f"generating {params.records:,} records in {len(chunks)} chunks into {root} ...")
    started = time.perf_counter()
    objects = size = 0
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        for done, (count, written) in enumerate(pool.map(_write_chunk, [str(root)] * len(chunks), chunks), 1):
            objects += count
            size += written
            if done % 10 == 0 or done == len(chunks):
                log(f"  {done}/{len(chunks)} chunks, {objects:,} objects, {size / 1e6:,.0f} MB")
    seconds = time.perf_counter() - started
    marker.write_text(json.dumps({**asdict(params), "objects": objects, "bytes": size, "seconds": seconds}))
    return Corpus(root, params, objects, size, seconds)


def _remove_tree(root: Path) -> None:
    for path in sorted(root.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        if path.is_dir():
            path.rmdir()
        else:
            path.unlink()


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="bench/corpus.py",
        description="Generate (or reuse) a benchmark corpus of synthetic Bedrock invocation logs in the S3 key "
        f"layout, {DEFAULT_DAYS} UTC days ending {LAST_DAY}.",
    )
    parser.add_argument("--records", type=int, default=1_000_000, help="records in the corpus (default 1,000,000)")
    parser.add_argument("--body-bytes", type=parse_body_bytes, default=DEFAULT_BODY_BYTES, metavar="MIN[-MAX]",
                        help="request+response body budget per record in bytes (default 1000-3000)")
    parser.add_argument("--days", type=int, default=DEFAULT_DAYS, help=f"UTC days covered (default {DEFAULT_DAYS})")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR,
                        help=f"where corpora are kept (default {DEFAULT_DATA_DIR})")
    args = parser.parse_args()
    params = CorpusParams(args.records, *args.body_bytes, days=args.days)
    corpus = ensure_corpus(params, args.data_dir)
    print(f"{corpus.root}: {corpus.objects:,} objects, {corpus.bytes / 1e6:,.0f} MB compressed, "
          f"generated in {corpus.seconds:,.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
