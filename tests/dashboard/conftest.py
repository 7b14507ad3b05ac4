"""The dashboard tests' demo corpus: generated once per test session (per worker) and shared by every module."""

from __future__ import annotations

from pathlib import Path

import pytest

from bedrock_usage.cache import CACHE_ENV
from bedrock_usage.demo.daily import ensure_demo_logs
from tests.logfiles import read_tree


@pytest.fixture(scope="session")
def demo_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The cache folder of the dashboard tests, with the Bedrock demo corpus made before any app or CLI could race
    to make it."""
    cache = tmp_path_factory.mktemp("dashboard-cache")
    ensure_demo_logs(cache / "demo-logs")
    return cache


@pytest.fixture(scope="session")
def demo_records(demo_cache: Path) -> list[dict]:
    """The Bedrock demo corpus, read back in plain Python."""
    return read_tree(demo_cache / "demo-logs")


@pytest.fixture
def demo_env(no_aws_env: dict[str, str], demo_cache: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """No AWS credentials, and the shared cache folder (for the in-process app and the CLI subprocesses)."""
    monkeypatch.setenv(CACHE_ENV, str(demo_cache))
    return {**no_aws_env, CACHE_ENV: str(demo_cache)}
