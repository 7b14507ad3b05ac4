"""Demo data: a synthetic invocation-log corpus generated once per day into the cache folder."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

from .cache import cache_dir
from .corpus_writer import write_local
from .synthetic import CorpusSpec, generate_records

DEMO_RECORDS = 20_000
DEMO_DAYS = 30
DEMO_SEED = 42
_MARKER = "demo-corpus.json"


def ensure_demo_logs(root: Path | None = None) -> Path:
    """The demo logs folder, (re)generated when missing or made on an earlier day, so it ends today (UTC)."""
    root = root or cache_dir() / "demo-logs"
    today = datetime.now(UTC).date()
    wanted = {"end": today.isoformat(), "records": DEMO_RECORDS, "seed": DEMO_SEED, "days": DEMO_DAYS}
    marker = root / _MARKER
    if marker.is_file():
        try:
            if json.loads(marker.read_text()) == wanted:
                return root
        except ValueError:
            pass
    if root.exists():
        shutil.rmtree(root)
    spec = CorpusSpec(
        records=DEMO_RECORDS, start_date=today - timedelta(days=DEMO_DAYS - 1), end_date=today, seed=DEMO_SEED
    )
    write_local(root, generate_records(spec))
    marker.write_text(json.dumps(wanted))
    return root
