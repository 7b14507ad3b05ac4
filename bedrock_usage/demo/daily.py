"""Demo data: synthetic corpora generated once per day into the cache folder, ending today (UTC)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from ..cache import cache_dir
from .synthetic import CorpusSpec, generate_records
from .writer import write_local

DEMO_RECORDS = 20_000  # about this many calls over the demo's days
DEMO_DAYS = 30
DEMO_SEED = 42
# Bumped when the same day's demo holds other records, so a corpus cached by an earlier version is made again.
DEMO_FORMAT_VERSION = 2
_MARKER = "demo-corpus.json"


def ensure_demo_logs(root: Path | None = None) -> Path:
    """The demo logs folder, (re)generated when missing or made on an earlier day, so it ends today (UTC)."""
    now = datetime.now(UTC)
    wanted = {"version": DEMO_FORMAT_VERSION, "end": now.date().isoformat(), "records": DEMO_RECORDS,
              "seed": DEMO_SEED, "days": DEMO_DAYS}
    return cached_corpus(root or cache_dir() / "demo-logs", wanted,
                         lambda staging: write_local(staging, demo_records(now)))


def demo_records(now: datetime, records: int = DEMO_RECORDS, days: int = DEMO_DAYS,
                 seed: int = DEMO_SEED) -> list[dict[str, Any]]:
    """The demo's calls of the ``days`` UTC days ending on ``now``'s, before ``now``'s hour, sorted by time.

    Calls are drawn a week (Monday to Sunday, UTC) at a time, each week from a seed of its own, and cut to those
    days: a past day holds the same calls whichever day the demo is made on, and today's hours before ``now`` the
    same calls whenever today it is made. Every week holds each application, model, region and kind of call.
    """
    last = now.astimezone(UTC).date()
    first = last - timedelta(days=days - 1)
    kept_from = first.isoformat()
    before = now.astimezone(UTC).strftime("%Y-%m-%dT%H:00:00Z")  # the service logs whole hours before now
    per_week = max(1, round(records * 7 / days))
    found: list[dict[str, Any]] = []
    monday = first - timedelta(days=first.weekday())
    while monday <= last:
        week = CorpusSpec(records=per_week, start_date=monday, end_date=monday + timedelta(days=6),
                          seed=_week_seed(seed, monday))
        found.extend(r for r in generate_records(week) if kept_from <= r["timestamp"] < before)
        monday += timedelta(days=7)
    return found


def _week_seed(seed: int, monday: date) -> int:
    """The seed of the demo week starting ``monday``: the demo's seed and the date, the same in every run."""
    return int.from_bytes(hashlib.sha256(f"{seed}/{monday.isoformat()}".encode()).digest()[:8], "big")


def cached_corpus(root: Path, wanted: dict[str, Any], build: Callable[[Path], object]) -> Path:
    """``root`` when its marker says it was built for ``wanted``; else ``build`` fills a new folder that replaces it.

    The folder is built beside its final place and renamed in one step, so a reader never sees half a corpus
    and two processes generating at once each end up with a complete one.
    """
    marker = root / _MARKER
    if marker.is_file():
        try:
            if json.loads(marker.read_text()) == wanted:
                return root
        except ValueError:
            pass
    root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{root.name}-", dir=root.parent))
    build(staging)
    (staging / _MARKER).write_text(json.dumps(wanted))
    stale = root.with_name(f".{root.name}-stale-{os.getpid()}")
    if root.exists():
        root.rename(stale)
    try:
        staging.rename(root)
    except OSError:  # another process put a fresh corpus there first
        shutil.rmtree(staging)
    shutil.rmtree(stale, ignore_errors=True)
    return root
