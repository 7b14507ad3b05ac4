"""Trino SQL translated for DuckDB once per SQL text: later refreshes read the kept translation."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bedrock_usage.engines.local import TRANSLATIONS

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import sys
from bedrock_usage.engines.local import to_duckdb
from bedrock_usage.engines.queries import Filters, usage_facts_query
from bedrock_usage.logs.period import resolve_period
query = usage_facts_query(resolve_period(start="2025-11-01", end="2025-11-03", tz="Asia/Seoul"), Filters(), ())
print(to_duckdb(query.sql))
print("sqlglot" in sys.modules)
"""


def translate(cache: Path) -> tuple[str, bool]:
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, check=True,
                            env={**os.environ, "BEDROCK_USAGE_CACHE_DIR": str(cache)})
    text, loaded = result.stdout.rsplit("\n", 2)[:2]
    return text, loaded == "True"


def test_a_translation_is_made_once_and_read_back(tmp_path: Path) -> None:
    first, loaded_first = translate(tmp_path)
    second, loaded_second = translate(tmp_path)
    assert loaded_first and not loaded_second
    assert first == second and "TIMESTAMPTZ" in first  # DuckDB's type name: a translation, not the Trino text
    kept = list((tmp_path / TRANSLATIONS).iterdir())
    assert len(kept) == 1 and kept[0].read_text(encoding="utf-8") == first
    kept[0].write_bytes(b"\xff\xfe damaged")  # not text: translated again and kept anew
    assert translate(tmp_path) == (first, True)
    assert kept[0].read_text(encoding="utf-8") == first
