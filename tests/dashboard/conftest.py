"""The dashboard tests' demo corpus, generated once per test run and shared by every worker and module, and a check
on every test: no table the page drew had to be "fixed" for Arrow (a column mixing text and numbers)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from bedrock_usage.cache import CACHE_ENV
from tests.logfiles import read_tree


@pytest.fixture(scope="session")
def demo_cache(shared_demo_cache: Path) -> Path:
    """The cache folder of the dashboard tests: the run's shared one, its Bedrock demo corpus made before any app or
    CLI could race to make it."""
    return shared_demo_cache


@pytest.fixture(scope="session")
def demo_records(demo_cache: Path) -> list[dict]:
    """The Bedrock demo corpus, read back in plain Python."""
    return read_tree(demo_cache / "demo-logs")


@pytest.fixture
def demo_env(no_aws_env: dict[str, str], demo_cache: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """No AWS credentials, and the shared cache folder (for the in-process app and the CLI subprocesses)."""
    monkeypatch.setenv(CACHE_ENV, str(demo_cache))
    return {**no_aws_env, CACHE_ENV: str(demo_cache)}


class _ArrowFallbacks(logging.Handler):
    """Collects Streamlit's "Serialization of dataframe to Arrow table was unsuccessful" (logged with a traceback
    on every rerun in a real server)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.fixture(autouse=True)
def tables_arrow_can_serialise() -> Iterator[None]:
    """Fail a test whose pages drew a table Arrow could not serialise as it is."""
    logger = logging.getLogger("streamlit.dataframe_util")  # Streamlit's loggers do not propagate
    handler, level = _ArrowFallbacks(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield
    logger.removeHandler(handler)
    logger.setLevel(level)
    assert not [m for m in handler.messages if "Arrow" in m], handler.messages
