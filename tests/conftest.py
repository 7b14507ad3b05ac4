"""Shared fixtures: a real moto server on loopback that scripts reach through AWS_ENDPOINT_URL."""

from __future__ import annotations

import fcntl
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parent.parent

# Hypothesis: in CI (``CI`` set) the same examples every run, from a fixed budget, with no example database, so a
# run fails or passes on the code alone; locally each run draws new examples and remembers the failing ones.
# ``HYPOTHESIS_PROFILE`` picks one by name (``explore``: ten times the budget, for a long local hunt). A test's own
# ``@settings(max_examples=...)`` keeps its budget under every profile.
settings.register_profile("ci", derandomize=True, max_examples=100, database=None, print_blob=True, deadline=None)
settings.register_profile("local", deadline=None)
settings.register_profile("explore", max_examples=1000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "local"))


@pytest.fixture(scope="session", autouse=True)
def private_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Demo corpora and columnar caches of the tests go to a temporary folder, never the user's cache."""
    folder = tmp_path_factory.mktemp("cache")
    previous = os.environ.get("BEDROCK_USAGE_CACHE_DIR")
    os.environ["BEDROCK_USAGE_CACHE_DIR"] = str(folder)
    yield folder
    if previous is None:
        del os.environ["BEDROCK_USAGE_CACHE_DIR"]
    else:
        os.environ["BEDROCK_USAGE_CACHE_DIR"] = previous


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def _moto_server() -> Iterator[str]:
    """Run ``moto_server`` on 127.0.0.1 and yield its URL once it answers."""
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    try:
        while True:
            try:
                urllib.request.urlopen(f"{url}/moto-api/", timeout=1)
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("moto server did not start") from None
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """A moto server on plain HTTP for the whole session."""
    with _moto_server() as url:
        yield url


@pytest.fixture
def aws_env(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Environment for code and subprocesses that talk to the moto server; resets moto's state first."""
    urllib.request.urlopen(urllib.request.Request(f"{moto_endpoint}/moto-api/reset", method="POST"))
    return _set_aws_env(monkeypatch, {"AWS_ENDPOINT_URL": moto_endpoint})


def _set_aws_env(monkeypatch: pytest.MonkeyPatch, endpoint: dict[str, str]) -> dict[str, str]:
    """Point boto3 (here and in subprocesses) at a moto server with fake credentials."""
    env = {
        **endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    for name in ("AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return {**os.environ, **env}


@pytest.fixture
def no_aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, str]:
    """Environment with no AWS credentials or endpoint at all."""
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    return dict(os.environ)


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (made if missing): one parallel test worker at a time."""
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def shared_demo_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache folder holding today's Bedrock demo corpus, made once per run and shared by every test worker
    (its columnar cache too); tests that change a cache folder use their own."""
    from bedrock_usage.demo.daily import ensure_demo_logs

    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the folder every worker's own base folder sits in
    folder = root / "shared-demo-cache"
    with _locked(root / "shared-demo-cache.lock"):
        ensure_demo_logs(folder / "demo-logs")
    return folder


@pytest.fixture(scope="session")
def bedrock_corpus(tmp_path_factory: pytest.TempPathFactory):
    """A 20,000-record synthetic corpus over 2025-10-20 .. 2025-12-05, written in the S3 layout.

    Yields ``(logs_dir, records)``; the records are what was written, for independent aggregation.
    """
    from datetime import date

    from bedrock_usage.demo.synthetic import CorpusSpec, generate_records
    from bedrock_usage.demo.writer import write_local

    records = generate_records(CorpusSpec(records=20_000, start_date=date(2025, 10, 20), end_date=date(2025, 12, 5),
                                          seed=20251124))
    root = tmp_path_factory.mktemp("bedrock-corpus")
    write_local(root, records)
    return root, records
