"""A repeated CLI run answered from its kept report: the same output as the first run, figures equal to an
independent aggregation, and none of the heavy libraries imported (importing them was half of such a run)."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from bedrock_usage.demo.synthetic import CorpusSpec, generate_records
from bedrock_usage.demo.writer import write_local
from tests.oracle import aggregate

ROOT = Path(__file__).resolve().parents[2]
HEAVY = {"pandas", "numpy", "pyarrow", "duckdb"}
START, END = date(2025, 11, 1), date(2025, 11, 4)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict]]:
    root = tmp_path_factory.mktemp("warm-logs")
    records = list(generate_records(CorpusSpec(records=1500, start_date=START, end_date=END, seed=31)))
    write_local(root, records)
    return root, records


def run(root: Path, cache: Path, *args: str) -> tuple[str, set[str]]:
    """Standard output of one CLI run over ``root``, and the top-level packages it imported."""
    env = {**os.environ, "BEDROCK_USAGE_COLUMNAR_CACHE": str(cache), "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-X", "importtime", str(ROOT / "bedrock_tracker_cli.py"), "--engine", "local", "--logs-dir",
         str(root), "--start-date", START.isoformat(), "--end-date", END.isoformat(), *args],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    imported = {line.rsplit("|", 1)[1].strip().split(".")[0]
                for line in done.stderr.splitlines() if line.startswith("import time:") and "|" in line}
    return done.stdout, imported


@pytest.mark.slow
def test_a_repeated_run_prints_the_kept_report_without_the_heavy_libraries(
    corpus: tuple[Path, list[dict]], tmp_path: Path,
) -> None:
    root, records = corpus
    cache = tmp_path / "cache"
    cold, cold_imports = run(root, cache)
    assert cold_imports >= HEAVY  # the first run parses, queries and prices with them
    warm, warm_imports = run(root, cache)
    assert not HEAVY & warm_imports
    assert warm == cold
    assert "Warnings" in warm and "unpriced" in warm  # the unpriced models' warnings, from the kept plain rows

    text, json_imports = run(root, cache, "--format", "json", "--output-dir", "-")
    assert not HEAVY & json_imports
    doc = json.loads(text)
    expected = aggregate(records, START, END)
    total = expected["summary"][()]
    for name in ("calls", "errors", "input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens"):
        assert doc["summary"][name] == getattr(total, name), name
    assert doc["summary"]["estimated_cost_usd"] == pytest.approx(total.estimated_cost, abs=1e-9)
    assert sum(row["calls"] for row in doc["unpriced_models"]) == total.unpriced_calls > 0
    for name, key in (("daily", "day"), ("hourly", "hour"), ("region", "source_region")):
        assert {row[key]: row["calls"] for row in doc["analyses"][name]} == {
            value: totals.calls for (value,), totals in expected[name].items()}, name
    users = {row["user"]: row for row in doc["analyses"]["user"]}
    assert {user: row["calls"] for user, row in users.items()} == {
        user: totals.calls for (user,), totals in expected["user"].items()}
    for (user,), totals in expected["user"].items():
        cost = users[user]["estimated_cost_usd"]
        assert (cost is None and math.isnan(totals.estimated_cost)) or cost == pytest.approx(
            totals.estimated_cost, abs=1e-9), user
