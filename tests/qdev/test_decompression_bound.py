"""The Amazon Q prompt-log reader decompresses at most the cap: a small file that inflates to gigabytes is skipped and
counted with its reason, in bounded memory, and every file within the cap reads exactly as before."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bedrock_usage.bounded_gzip import DEFAULT_MAX_DOCUMENT_MB, MAX_OBJECT_ENV, over_cap_reason
from bedrock_usage.logs.period import Period
from bedrock_usage.qdev.analysis import Source, analyze
from bedrock_usage.qdev.prompt_logs import BadLogFile, decode_log_file
from bedrock_usage.qdev.sources import LocalStore
from tests.qdev.test_offline import offline  # noqa: F401  (fixture)

pytestmark = pytest.mark.usefixtures("offline")
ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = "123456789012"
MIB = 1024 * 1024


def chat(prompt: str, minute: int) -> dict:
    return {"generateAssistantResponseEventRequest": {"prompt": prompt, "userId": "d-1.alice",
                                                      "timeStamp": f"2025-01-06T10:{minute:02d}:00.000000Z"},
            "generateAssistantResponseEventResponse": {"assistantResponse": "ok", "requestId": f"r{minute}"}}


documents = st.builds(
    lambda prompts, padding: json.dumps({"records": [chat(p, i % 60) for i, p in enumerate(prompts)]}).encode()
    + b" " * padding,
    st.lists(st.text(max_size=200), max_size=20),
    st.integers(0, 50_000),
)


@settings(max_examples=80, deadline=None)
@given(document=documents, cap=st.integers(1, 60_000), packed=st.booleans())
def test_a_file_reads_whole_within_the_cap_and_is_refused_past_it(document: bytes, cap: int, packed: bool) -> None:
    data = gzip.compress(document) if packed else document
    if len(document) <= cap:
        assert decode_log_file(data, cap) == json.loads(document)
    else:
        with pytest.raises(BadLogFile) as refused:
            decode_log_file(data, cap)
        assert str(refused.value) == over_cap_reason(cap)


def test_the_default_cap_and_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    document = json.dumps({"records": [chat("hi", 1)]}).encode() + b" " * (2 * MIB)
    assert decode_log_file(gzip.compress(document))["records"]  # 2 MiB is well within the default
    monkeypatch.setenv(MAX_OBJECT_ENV, "1")
    with pytest.raises(BadLogFile, match="over 1 MiB once decompressed"):
        decode_log_file(gzip.compress(document))


@pytest.mark.slow
def test_a_bomb_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    """2 GiB of spaces in a 2 MB file: the reader stops at the cap instead of holding it all."""
    bomb = tmp_path / "bomb.json.gz"
    with gzip.open(bomb, "wb", compresslevel=9) as handle:
        handle.write(b'{"records": [')
        for _ in range(2048):
            handle.write(b" " * MIB)
    probe = (
        "import sys, json; from pathlib import Path; sys.path.insert(0, sys.argv[2]);"
        "from bedrock_usage.qdev.prompt_logs import BadLogFile, parse_log_file;"
        "reason = None\n"
        "try: parse_log_file(Path(sys.argv[1]).read_bytes())\n"
        "except BadLogFile as exc: reason = str(exc)\n"
        "hwm = [l for l in Path('/proc/self/status').read_text().splitlines() if l.startswith('VmHWM')][0];"
        "print(json.dumps({'reason': reason, 'peak_kb': int(hwm.split()[1])}))"
    )
    proc = subprocess.run([sys.executable, "-c", probe, str(bomb), str(ROOT)], capture_output=True, text=True,
                          timeout=300, check=True)
    result = json.loads(proc.stdout)
    assert result["reason"] == over_cap_reason(DEFAULT_MAX_DOCUMENT_MB * MIB)
    assert result["peak_kb"] * 1024 < 512 * MIB


def test_the_analysis_counts_a_file_over_the_cap_with_its_reason(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                                 ) -> None:
    folder = tmp_path / "AWSLogs" / ACCOUNT / "QDeveloperLogs" / "GenerateAssistantResponse" / "us-east-1" / "2025"
    folder = folder / "01" / "06" / "10"
    folder.mkdir(parents=True)
    good = json.dumps({"records": [chat("hello there", 1), chat("again", 2)]}).encode()
    (folder / "good.json.gz").write_bytes(gzip.compress(good))
    (folder / "bomb.json.gz").write_bytes(gzip.compress(good[:-2] + b" " * (3 * MIB) + b"]}"))
    monkeypatch.setenv(MAX_OBJECT_ENV, "2")
    report = analyze(Source(LocalStore(tmp_path)), Period(date(2025, 1, 6), date(2025, 1, 6)))
    assert report.summary.chat == 2
    assert dict(report.files.skipped) == {over_cap_reason(2 * MIB): 1}
    assert report.files.read == 1
