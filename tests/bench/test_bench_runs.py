"""The benchmark (``bench/run.py``, issue #16's figures) runs every section to the end on a small corpus, so a change
to the code it times cannot break it unseen. Its figures are timings; what is checked here is that the contenders
agree on what they count."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SECTIONS = ("peers", "rounds", "parse", "economy_30 days", "athena_ratio", "memory", "dashboard")

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def _peers_installed() -> None:
    for module in ("orjson", "msgspec", "polars"):  # bench/requirements.txt
        pytest.importorskip(module, reason="the benchmark's peers: pip install -r bench/requirements.txt")


def test_every_section_runs_and_the_contenders_count_the_same_calls(tmp_path: Path) -> None:
    figures = tmp_path / "figures.json"
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--records", "2000", "--repeat", "1", "--skip", "qdev",
         "naive", "--data-dir", str(tmp_path / "corpora"), "--json", str(figures)],
        capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    [corpus] = json.loads(figures.read_text())["corpora"]
    assert corpus["records"] == 2000 and all(name in corpus for name in SECTIONS)
    assert corpus["peers"]["peers_agree"] and corpus["peers"]["same_calls"]
    assert corpus["refresh_identical"] and corpus["parse"]["same_records"]
    assert corpus["incremental_parsed"] == corpus["incremental_added"]


def test_the_amazon_q_section_reads_every_file_of_the_period(tmp_path: Path) -> None:
    script = ("import json, sys; sys.path.insert(0, 'bench'); from qdev_bench import run_qdev_bench; "
              "print(json.dumps(run_qdev_bench(log=lambda text: None, users=2).__dict__))")
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert run.returncode == 0, run.stderr[-3000:]
    figures = json.loads(run.stdout.splitlines()[-1])
    assert figures["files_in_range"] > 0 and figures["ours_files"] == figures["files_in_range"]
    assert figures["ours_requests"] > 0 and figures["seed_files"] <= figures["files_in_range"]
