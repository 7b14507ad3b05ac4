"""What we compare against: the decompression floor, a naive script, and the seeds' way of querying and sampling."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path

# The seeds' dashboard runs one Athena query per analysis; each selects partitions with these predicates
# (start year/month/day compared separately, as in their get_user_cost_analysis), so all of them read
# everything from the start of the year on.
SEED_QUERIES = {
    "summary": "year",
    "user": "year-month-day",
    "application": "year",
    "user-app": "year",
    "model": "year",
    "daily": "year",
    "hourly": "year",
}
SEED_Q_SAMPLE = 500  # the seeds' Amazon Q analyzer reads at most this many prompt-log files


def gzip_floor(files: list[Path], workers: int | None = None) -> None:
    """Decompress ``files`` to /dev/null with ``gzip -dc`` on all cores (``xargs -P``): the physical floor."""
    with tempfile.NamedTemporaryFile("wb", suffix=".list") as listing:
        listing.write(b"\0".join(os.fsencode(f) for f in files))
        listing.flush()
        with open(listing.name, "rb") as names, open(os.devnull, "wb") as sink:
            subprocess.run(["xargs", "-0", "-P", str(workers or os.cpu_count() or 2), "-n", "64", "gzip", "-dc"],
                           stdin=names, stdout=sink, check=True)


def naive_tokens_per_user(files: list[Path]) -> dict[str, int]:
    """What a user without this tool would write: gzip + json.loads per line, tokens summed per caller ARN."""
    totals: dict[str, int] = defaultdict(int)
    for path in files:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            for line in handle:
                if not line.strip():
                    continue
                record = json.loads(line)
                tokens = (record.get("input") or {}).get("inputTokenCount") or 0
                tokens += (record.get("output") or {}).get("outputTokenCount") or 0
                totals[(record.get("identity") or {}).get("arn", "")] += tokens
    return totals


@dataclass(frozen=True)
class SeedScan:
    """Objects and bytes the seeds' per-analysis queries read (Athena reads every byte of a selected JSON object)."""

    queries: int
    objects: int
    bytes: int


def seed_scan(objects: list[tuple[date, int]], start: date, regions: int) -> SeedScan:
    """What the seeds' queries read for a period starting ``start``, given (partition day, size) of every object.

    They query each region's table separately, one query per analysis.
    """
    count = size = 0
    for predicate in SEED_QUERIES.values():
        for day, nbytes in objects:
            if day.year < start.year:
                continue
            if predicate == "year-month-day" and (day.month < start.month or day.day < start.day):
                continue
            count += 1
            size += nbytes
    return SeedScan(len(SEED_QUERIES) * regions, count, size)
