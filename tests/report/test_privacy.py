"""Reports never carry prompt or response text: every output format is searched for the corpus's texts."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from bedrock_usage.demo.synthetic import CorpusSpec, generate_records
from bedrock_usage.demo.writer import write_local

ROOT = Path(__file__).resolve().parents[2]


def body_texts(value: object) -> set[str]:
    """Every string inside request and response bodies that is long enough to be recognisable, but the response's
    ``model`` (the model's API name, which reports name as metadata: ``claude-sonnet-4-5-20250929`` is part of the
    model id column)."""
    if isinstance(value, str):
        return {value} if len(value) >= 16 else set()
    if isinstance(value, dict):
        kept = [v for k, v in value.items() if k != "model"]
        return set().union(*(body_texts(v) for v in kept)) if kept else set()
    if isinstance(value, list):
        return set().union(*(body_texts(v) for v in value)) if value else set()
    return set()


@pytest.mark.slow
def test_no_prompt_or_response_text_in_any_output(tmp_path: Path) -> None:
    records = generate_records(CorpusSpec(records=800, start_date=date(2025, 11, 1), end_date=date(2025, 11, 7),
                                          seed=3))
    texts = set()
    for record in records:
        texts |= body_texts((record.get("input") or {}).get("inputBodyJson"))
        texts |= body_texts((record.get("output") or {}).get("outputBodyJson"))
    assert len(texts) > 50
    logs = tmp_path / "logs"
    write_local(logs, records)
    out = tmp_path / "out"
    outputs = []
    for fmt in ("terminal", "json", "csv"):
        result = subprocess.run(
            [sys.executable, str(ROOT / "bedrock_tracker_cli.py"), "--engine", "local", "--logs-dir", str(logs),
             "--start-date", "2025-11-01", "--end-date", "2025-11-07", "--tag", "tenant_id", "--format", fmt,
             "--max-rows", "0", *(["--output-dir", str(out)] if fmt != "terminal" else [])],
            capture_output=True, text=True, check=True, timeout=300,
        )
        outputs += [result.stdout, result.stderr]
    outputs += [p.read_text() for p in out.iterdir()]
    everything = "\n".join(outputs)
    assert "Calls" in everything
    leaked = [t for t in texts if t in everything]
    assert not leaked, leaked[:3]
