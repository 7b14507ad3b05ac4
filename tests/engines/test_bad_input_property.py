"""Property: junk mixed into log objects is skipped and counted, and never changes the valid records' figures."""

from __future__ import annotations

import gzip
import json
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bedrock_usage.engines.local import LocalEngine
from bedrock_usage.logs.period import resolve_period
from bedrock_usage.report.tracker import BedrockAthenaTracker
from tests.logfiles import write_records
from tests.oracle import aggregate

ACCOUNT = "123456789012"
MODELS = ["anthropic.claude-3-haiku-20240307-v1:0", "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
          "global.anthropic.claude-haiku-4-5-20251001-v1:0", "mistral.unknown-model-v1:0"]

COUNT_FIELDS = [("input", "inputTokenCount"), ("input", "cacheReadInputTokenCount"),
                ("input", "cacheWriteInputTokenCount"), ("output", "outputTokenCount")]
# The rule: a token count is a JSON integer or a string of (at most 18) digits; "12" reads as 12.
READABLE_COUNT = re.compile(r"-?[0-9]{1,18}")

valid_records = st.lists(
    st.builds(
        lambda minute, name, model, inp, out, cache, op, as_text: {
            "schemaType": "ModelInvocationLog", "timestamp": f"2025-11-02T{minute // 60:02d}:{minute % 60:02d}:00Z",
            "accountId": ACCOUNT, "identity": {"arn": f"arn:aws:iam::{ACCOUNT}:user/{name}"}, "region": "us-east-1",
            "requestId": f"req-{minute}-{name}-{inp}-{out}", "operation": op, "modelId": model,
            "input": {"inputTokenCount": str(inp) if as_text else inp, "cacheReadInputTokenCount": cache},
            "output": {"outputTokenCount": out},
        },
        st.integers(0, 24 * 60 - 1), st.sampled_from(["ann", "bo", "o'hara", "x_y"]), st.sampled_from(MODELS),
        st.integers(0, 300_000), st.integers(0, 20_000), st.integers(0, 5_000),
        st.sampled_from(["InvokeModel", "Converse", "ConverseStream", "SomeFutureOperation"]),
        st.booleans(),
    ),
    min_size=1, max_size=40, unique_by=lambda r: r["requestId"],
)
# Token counts that cannot be read as integers: each makes its record a bad one.
unreadable_counts = st.one_of(
    st.sampled_from(["abc", "12x", "", " 7", "1e3", "12.5", "0x10", "1_000", "9" * 19, 12.5, 1e3, True, False,
                     {"n": 5}, [5], []]),
    st.text(max_size=8).filter(lambda t: not READABLE_COUNT.fullmatch(t)),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.lists(st.integers(), max_size=2),
)


def corrupt(record: dict, how: str) -> str:
    """One line that is certainly not a valid record, made from a valid one."""
    text = json.dumps(record)
    if how == "truncated":
        return text[: len(text) // 2]
    bad = json.loads(text)
    if how == "negative":
        bad["input"]["inputTokenCount"] = -5
    elif how == "huge":
        bad["output"]["outputTokenCount"] = 10**12
    elif how == "timestamp":
        bad["timestamp"] = "02/11/2025 10:00"
    elif how == "no-timestamp":
        del bad["timestamp"]
    elif how == "epoch":
        bad["timestamp"] = 1762077600
    return json.dumps(bad)


def unreadable_count(record: dict, field: int, value: object) -> str:
    """A valid record with one token count replaced by a value that is not an integer."""
    bad = json.loads(json.dumps(record))
    part, name = COUNT_FIELDS[field]
    bad[part][name] = value
    return json.dumps(bad)


def extra_copies(records: list[dict], junk: list[str]) -> int:
    """How many junk lines repeat the requestId and timestamp of a valid record or of an earlier junk line: such a
    copy is a duplicate delivery, not a lost record (a record without a readable copy is skipped once)."""
    seen = {(record["requestId"], json.dumps(record["timestamp"])) for record in records}
    extra = 0
    for line in junk:
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if not isinstance(record, dict) or not isinstance(record.get("requestId"), str):
            continue
        key = (record["requestId"], json.dumps(record.get("timestamp")))
        extra += key in seen
        seen.add(key)
    return extra


junk_lines = st.lists(
    st.one_of(
        # no lone surrogates: they cannot be written as UTF-8, so no log object holds one
        st.text(alphabet=st.characters(exclude_categories=("Cs",),
                                       exclude_characters="\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"),
                min_size=1, max_size=60).filter(lambda t: t.strip() and not t.lstrip().startswith("{")),
        st.tuples(valid_records.map(lambda rs: rs[0]),
                  st.sampled_from(["truncated", "negative", "huge", "timestamp", "no-timestamp", "epoch"]))
        .map(lambda pair: corrupt(*pair)),
        st.tuples(valid_records.map(lambda rs: rs[0]), st.integers(0, len(COUNT_FIELDS) - 1), unreadable_counts)
        .map(lambda t: unreadable_count(*t)),
        st.just("[1, 2, 3]"),
        st.just("{}"),
    ),
    max_size=12,
)


@pytest.mark.slow
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records=valid_records, junk=junk_lines, garbage_object=st.sampled_from([b"", b"\x1f\x8b\x08junk", b"plain"]))
def test_junk_never_changes_valid_figures(records: list[dict], junk: list[str], garbage_object: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        paths = write_records(root, records)
        with gzip.open(paths[0].parent / "zz-junk.json.gz", "wt", encoding="utf-8") as handle:
            handle.write("\n".join(junk) + "\n")
        (paths[0].parent / "zz-garbage.json.gz").write_bytes(garbage_object)
        report = BedrockAthenaTracker(LocalEngine(root)).analyze(
            resolve_period(start="2025-11-02", end="2025-11-02"), ["us-east-1"]
        )
    expected = aggregate(records, *[resolve_period(start="2025-11-02", end="2025-11-02").start] * 2)["summary"][()]
    for name in ("calls", "input_tokens", "output_tokens", "cache_read_tokens", "unpriced_calls"):
        assert report.summary[name] == getattr(expected, name), name
    if expected.priced_calls:
        assert abs(report.summary["estimated_cost_usd"] - expected.estimated_cost) < 1e-9
    extra = extra_copies(records, junk)
    assert report.records_skipped == len(junk) - extra
    assert report.stats.duplicate_records == extra
    assert sum(report.stats.skipped_objects.values()) == 1
