"""Each DuckDB database is capped (``BEDROCK_USAGE_DUCKDB_MEMORY_MB``) and spills into a folder of its own under the
cache folder, which is gone once the database closes."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import pytest

from bedrock_usage.engines.duckdb_memory import (
    DEFAULT_MEMORY_MB,
    MEMORY_ENV,
    MIB_PER_THREAD,
    SPILL_FOLDER,
    STALE_SPILL_SECONDS,
    duckdb_config,
)
from bedrock_usage.errors import UsageError

GROUPS = 400_000
ROWS = 2_000_000


@pytest.mark.slow
def test_a_query_larger_than_the_cap_spills_and_answers(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BEDROCK_USAGE_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv(MEMORY_ENV, "64")
    config = duckdb_config(threads=1)
    spill = Path(str(config["temp_directory"]))
    assert config["memory_limit"] == "64MiB" and spill.parent == tmp_path / SPILL_FOLDER
    con = duckdb.connect(config=config)
    rows = con.execute(
        "SELECT i % ? AS g, count(*), sum(i), max(repeat('x', 40) || CAST(i AS VARCHAR)) FROM range(?) t(i) "
        "GROUP BY 1 ORDER BY 1", [GROUPS, ROWS]).fetchall()
    spilled = spill.is_dir() and any(spill.iterdir())
    con.close()
    assert spilled and not spill.exists()
    per_group = ROWS // GROUPS
    assert len(rows) == GROUPS
    for g in (0, 1, GROUPS - 1):
        members = [g + k * GROUPS for k in range(per_group)]
        assert rows[g] == (g, per_group, sum(members), max("x" * 40 + str(m) for m in members))


def test_the_cap_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BEDROCK_USAGE_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv(MEMORY_ENV, raising=False)
    every_core = max(DEFAULT_MEMORY_MB, MIB_PER_THREAD * (os.cpu_count() or 1))
    assert duckdb_config()["memory_limit"] == f"{every_core}MiB" and "threads" not in duckdb_config()
    assert duckdb_config(threads=1)["memory_limit"] == f"{DEFAULT_MEMORY_MB}MiB"
    assert duckdb_config(threads=16)["memory_limit"] == f"{16 * MIB_PER_THREAD}MiB"  # 64 MiB per thread at least
    monkeypatch.setenv(MEMORY_ENV, "2048")
    assert duckdb_config(threads=2) | {"temp_directory": ""} == {"memory_limit": "2048MiB", "threads": 2,
                                                                  "temp_directory": ""}
    for text in ("0", "63", "1.5", "lots", "-1", "²⁵⁶"):
        monkeypatch.setenv(MEMORY_ENV, text)
        with pytest.raises(UsageError, match=f"{MEMORY_ENV}='{text}' must be a whole number of mebibytes"):
            duckdb_config()


def test_an_unwritable_cache_folder_spills_to_the_temporary_folder(monkeypatch: pytest.MonkeyPatch,
                                                                    tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("BEDROCK_USAGE_CACHE_DIR", str(blocked))
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", None)
    assert Path(str(duckdb_config()["temp_directory"])).parent == tmp_path / "tmp"


@pytest.mark.skipif(os.name != "posix", reason="whether a process runs is asked of POSIX systems only")
def test_spill_folders_of_ended_processes_go_after_a_day(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BEDROCK_USAGE_CACHE_DIR", str(tmp_path))
    root = tmp_path / SPILL_FOLDER
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale, running, recent = root / f"{ended.stdout.strip()}-a", root / f"{os.getpid()}-b", root / "1-c"
    for folder in (stale, running, recent):
        folder.mkdir(parents=True)
        (folder / "duckdb_temp_block-1.block").write_bytes(b"spilled")
    old = time.time() - STALE_SPILL_SECONDS - 60
    for folder in (stale, running):
        os.utime(folder, (old, old))
    config = duckdb_config()
    assert not stale.exists()
    assert (running / "duckdb_temp_block-1.block").exists() and (recent / "duckdb_temp_block-1.block").exists()
    assert Path(str(config["temp_directory"])).name.startswith(f"{os.getpid()}-")


def test_connections_made_at_once_clean_up_together(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BEDROCK_USAGE_CACHE_DIR", str(tmp_path))
    root = tmp_path / SPILL_FOLDER
    old = time.time() - STALE_SPILL_SECONDS - 60
    for index in range(300):
        folder = root / f"{4_000_000 + index}-left"  # above Linux's largest process id: none runs
        folder.mkdir(parents=True)
        (folder / "duckdb_temp_block-1.block").write_bytes(b"spilled")
        os.utime(folder, (old, old))
    with ThreadPoolExecutor(max_workers=4) as pool:
        configs = list(pool.map(lambda _: duckdb_config(), range(4)))
    assert len({c["temp_directory"] for c in configs}) == 4
    if os.name == "posix":
        assert list(root.iterdir()) == []
