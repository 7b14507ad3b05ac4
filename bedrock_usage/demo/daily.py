"""Demo data: synthetic corpora generated once per day into the cache folder, ending today (UTC)."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ..cache import cache_dir
from .synthetic import CorpusSpec, generate_records
from .writer import write_local

DEMO_RECORDS = 20_000
DEMO_DAYS = 30
DEMO_SEED = 42
_MARKER = "demo-corpus.json"


def ensure_demo_logs(root: Path | None = None) -> Path:
    """The demo logs folder, (re)generated when missing or made on an earlier day, so it ends today (UTC)."""
    now = datetime.now(UTC)
    today = now.date()
    wanted = {"end": today.isoformat(), "records": DEMO_RECORDS, "seed": DEMO_SEED, "days": DEMO_DAYS}
    spec = CorpusSpec(
        records=DEMO_RECORDS, start_date=today - timedelta(days=DEMO_DAYS - 1), end_date=today, seed=DEMO_SEED,
        not_after=now,
    )
    return cached_corpus(root or cache_dir() / "demo-logs", wanted,
                         lambda staging: write_local(staging, generate_records(spec)))


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
