"""Cache writes of Claude calls whose response went to ``/data/``: their 1-hour share comes from the request.

A response over 100 KB (a long answer, a stream's many chunks) is delivered apart under ``.../{HH}/data/`` and the
record carries ``output.outputBodyS3Path`` instead of ``outputBodyJson`` (Amazon Bedrock User Guide, "Monitor model
invocation using CloudWatch Logs and Amazon S3"), so the split of its cache writes by time to live is not logged.
The request asks a time to live per cache breakpoint: Anthropic's ``cache_control`` ({"type": "ephemeral", "ttl":
"1h"}, 5 minutes without ``ttl``) and Converse's ``cachePoint`` ({"type": "default", "ttl": "5m" | "1h"}, Bedrock
Runtime API reference, ``CachePointBlock``). No 1-hour breakpoint: every write is 5-minute; every breakpoint 1 hour:
every write is 1-hour; breakpoints of both kinds, or a request delivered apart too: unknown, priced at the 5-minute
rate and said so. The records are InvokeModel, InvokeModelWithResponseStream, Converse and ConverseStream calls as
Bedrock logs them; expected costs come from the published rows of ``bedrock_prices.csv`` in plain Python.
"""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

import pytest

import bedrock_tracker_cli
from bedrock_usage.engines.local import LocalEngine, to_duckdb
from bedrock_usage.engines.queries import FACT_DIMENSIONS, Filters, usage_facts_query
from bedrock_usage.logs.layout import object_key
from bedrock_usage.logs.period import resolve_period
from bedrock_usage.report.tracker import BedrockAthenaTracker
from tests.aws.test_compaction import compacted_day_rows
from tests.logfiles import ACCOUNT, athena_shaped_table, cli_json, log_body, serde_row, write_payloads

DAY = "2026-11-05"
PERIOD = resolve_period(start=DAY, end=DAY)
BUCKET, PREFIX = "bedrock-logs-x", "bedrock-logs/"
ROLE = "arn:aws:sts::123456789012:assumed-role/Agents-BedrockRole/coder"
HAIKU = "anthropic.claude-haiku-4-5-20251001-v1:0"
PRICES = Path(__file__).resolve().parents[2] / "bedrock_usage" / "pricing" / "bedrock_prices.csv"
LONG = "A long answer. " * 8_000  # 120 KB of text: the response goes to /data/
SPLIT_NOTE = "2 calls' cache writes priced at the 5-minute rate; the split is in /data/ objects"


def ephemeral(ttl: str | None = None) -> dict:
    return {"type": "ephemeral", **({"ttl": ttl} if ttl else {})}


def cache_point(ttl: str | None = None) -> dict:
    return {"cachePoint": {"type": "default", **({"ttl": ttl} if ttl else {})}}


def messages_request(system_ttl: str | None, message_ttl: str | None, question: str = "Review this diff.") -> dict:
    """An Anthropic Messages request (InvokeModel) with a breakpoint on its system prompt and on its last message."""
    return {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 32_000,
            "system": [{"type": "text", "text": "You review code. " * 300, "cache_control": ephemeral(system_ttl)}],
            "messages": [{"role": "user", "content": [
                {"type": "text", "text": question, "cache_control": ephemeral(message_ttl)}]}]}


def converse_request(points: list[str | None]) -> dict:
    """A Converse request with a ``cachePoint`` after its tools, its system prompt and its message, TTLs in turn."""
    tools = {"tools": [{"toolSpec": {"name": "read_file", "description": "Read a file",
                                     "inputSchema": {"json": {"type": "object"}}}}, cache_point(points[0])]}
    return {"toolConfig": tools, "system": [{"text": "You write code. " * 300}, cache_point(points[1])],
            "messages": [{"role": "user", "content": [{"text": "Write the parser."}, cache_point(points[2])]}],
            "inferenceConfig": {"maxTokens": 32_000}}


def anthropic_message(write_5m: int, write_1h: int) -> dict:
    return {"id": "msg_bdrk_01", "type": "message", "role": "assistant", "model": "claude-haiku-4-5-20251001",
            "content": [{"type": "text", "text": LONG}], "stop_reason": "end_turn",
            "usage": {"input_tokens": 40, "output_tokens": 30_000, "cache_read_input_tokens": 0,
                      "cache_creation_input_tokens": write_5m + write_1h,
                      "cache_creation": {"ephemeral_5m_input_tokens": write_5m,
                                         "ephemeral_1h_input_tokens": write_1h}}}


def anthropic_stream(writes: int) -> list[dict]:
    """An InvokeModelWithResponseStream body: its chunks, many small deltas (over 100 KB in all)."""
    start = anthropic_message(writes, 0) | {"content": []}
    deltas = [{"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": f"token {i} "}}
              for i in range(3_000)]
    return [{"type": "message_start", "message": start}, *deltas, {"type": "message_stop"}]


def converse_response() -> dict:
    return {"output": {"message": {"role": "assistant", "content": [{"text": LONG}]}}, "stopReason": "end_turn"}


def converse_stream() -> list[dict]:
    return [{"contentBlockDelta": {"delta": {"text": f"token {i} "}, "contentBlockIndex": 0}} for i in range(3_000)]


# (operation, request, response, cache writes, 1-hour writes expected, split unknown); responses over 100 KB go to
# /data/, and so does the one request over it.
CALLS = [
    # every breakpoint asks 1 hour: every write is 1-hour
    ("InvokeModel", messages_request("1h", "1h"), anthropic_message(0, 6000), 6000, 6000, False),
    ("Converse", converse_request(["1h", "1h", "1h"]), converse_response(), 9000, 9000, False),
    # no breakpoint asks 1 hour: 5-minute writes (a prompt quoting a 1-hour cache_control is text, not a breakpoint)
    ("InvokeModelWithResponseStream", messages_request(None, None, question=json.dumps(
        {"cache_control": ephemeral("1h"), "cachePoint": {"type": "default", "ttl": "1h"}})),
     anthropic_stream(5000), 5000, 0, False),
    ("ConverseStream", converse_request([None, "5m", None]), converse_stream(), 7000, 0, False),
    # both kinds, or a request apart too: the split is unknown, priced at the 5-minute rate and said so
    ("ConverseStream", converse_request(["1h", "1h", "5m"]), converse_stream(), 8000, 0, True),
    ("InvokeModel", messages_request("1h", "1h", question="Summarise this log: " + "line " * 30_000),
     anthropic_message(0, 4000), 4000, 0, True),
    # a logged response says its split whatever the request asked
    ("InvokeModel", messages_request("1h", "1h"), anthropic_message(2000, 1000) | {"content": []}, 3000, 1000,
     False),
]
TOKENS = (40, 30_000)  # input and output tokens of every call


def records_of(day: str = DAY, arn: str = ROLE, batch: int = 0) -> tuple[list[dict], dict[str, bytes]]:
    """Log records of ``CALLS`` made by ``arn`` at 10:00 UTC on ``day`` (request ids apart for each ``batch``) and the
    payload objects (key -> gzip JSON) their bodies over 100 KB went to."""
    records, payloads = [], {}
    for n, (operation, request, response, writes, _, _) in enumerate(CALLS):
        request_id = f"c4c3e000-0000-4000-{8000 + batch}-{n:012d}"
        part_in: dict = {"inputContentType": "application/json", "inputTokenCount": TOKENS[0],
                         "cacheReadInputTokenCount": 0, "cacheWriteInputTokenCount": writes}
        part_out: dict = {"outputContentType": "application/json", "outputTokenCount": TOKENS[1]}
        folder = f"{PREFIX}AWSLogs/{ACCOUNT}/BedrockModelInvocationLogs/us-east-1/{day.replace('-', '/')}/10/data/"
        for part, side, body in ((part_in, "input", request), (part_out, "output", response)):
            log_body(part, side, body, folder, request_id, BUCKET, payloads)
        records.append({"schemaType": "ModelInvocationLog", "schemaVersion": "1.0",
                        "timestamp": f"{day}T10:{n:02d}:00Z", "accountId": ACCOUNT, "identity": {"arn": arn},
                        "region": "us-east-1", "requestId": request_id, "operation": operation, "modelId": HAIKU,
                        "input": part_in, "output": part_out})
    return records, payloads


RECORDS, PAYLOADS = records_of()
RECORD_KEY = object_key(PREFIX, ACCOUNT, "us-east-1", PERIOD.utc_start.replace(hour=10), "0001")


def write_logs(root: Path, records: list[dict], payloads: dict[str, bytes], batch: int = 0) -> None:
    """``records`` (of one day, from ``records_of``) in one object of their hour, named apart for each ``batch``, and
    ``payloads`` under its ``data/``."""
    day = resolve_period(start=records[0]["timestamp"][:10], end=records[0]["timestamp"][:10])
    path = root / object_key(PREFIX, ACCOUNT, "us-east-1", day.utc_start.replace(hour=10), f"{batch + 1:04d}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress("".join(json.dumps(r) + "\n" for r in records).encode()))
    write_payloads(root, payloads)


def rates() -> dict[str, float]:
    """Claude Haiku 4.5's published in-region on-demand rates per 1,000 tokens."""
    with PRICES.open(newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if (row["model"], row["family"], row["region"], row["mode"],
                                                          row["tier"]) == (HAIKU, "regional", "*", "standard", "base")]
    assert len(rows) == 1
    return {name: float(rows[0][name]) for name in ("input", "output", "cache_write_5m", "cache_write_1h")}


def expected_cost() -> float:
    rate = rates()
    return sum(TOKENS[0] * rate["input"] / 1000 + TOKENS[1] * rate["output"] / 1000
               + (writes - one_hour) * rate["cache_write_5m"] / 1000 + one_hour * rate["cache_write_1h"] / 1000
               for _, _, _, writes, one_hour, _ in CALLS)


def test_the_records_are_offloaded_as_each_case_says() -> None:
    assert all("outputBodyS3Path" in r["output"] for r in RECORDS[:-1]) and "outputBodyJson" in RECORDS[-1]["output"]
    assert ["inputBodyS3Path" in r["input"] for r in RECORDS] == [False] * 5 + [True, False]
    assert all(r["operation"] == call[0] for r, call in zip(RECORDS, CALLS, strict=True))


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The records in one object of their hour, the bodies over 100 KB as payload objects under its ``data/``."""
    root = tmp_path_factory.mktemp("offloaded-cache")
    write_logs(root, RECORDS, PAYLOADS)
    assert (root / RECORD_KEY).is_file()
    return root


def test_the_request_prices_the_cache_writes_and_the_unknown_split_is_said_in_every_output(
        logs: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    doc = cli_json(capsys, logs, "--start-date", DAY, "--end-date", DAY)
    summary = doc["summary"]
    unknown = [call for call in CALLS if call[5]]
    assert summary["estimated_cost_usd"] == pytest.approx(expected_cost(), rel=1e-12)
    assert summary["unpriced_calls"] == 0 and summary["cache_write_tokens"] == sum(call[3] for call in CALLS)
    assert (summary["cache_split_unknown_calls"], summary["cache_split_unknown_tokens"]) == (
        len(unknown), sum(call[3] for call in unknown))
    assert doc["accuracy"]["cost"].endswith(f"; {SPLIT_NOTE}")
    assert any(line.startswith(f"{SPLIT_NOTE}: 12,000 cache write tokens") for line in doc["warnings"])

    args = ["--engine", "local", "--logs-dir", str(logs), "--quiet", "--start-date", DAY, "--end-date", DAY]
    assert bedrock_tracker_cli.main([*args, "--format", "csv", "--output-dir", str(tmp_path)]) == 0
    err = capsys.readouterr().err
    (summary_csv,) = tmp_path.glob("*_summary.csv")
    with summary_csv.open(newline="") as handle:
        (row,) = list(csv.DictReader(handle))
    assert row["accuracy_cost"].endswith(f"; {SPLIT_NOTE}") and SPLIT_NOTE in err
    assert bedrock_tracker_cli.main([*args, "--format", "terminal"]) == 0
    terminal = capsys.readouterr().out
    assert f"; {SPLIT_NOTE}." in terminal and f"  - {SPLIT_NOTE}: 12,000" in terminal


def facts_by_call(facts) -> dict[str, tuple[int, ...]]:
    columns = ("cache_write_tokens", "cache_write_1h_tokens", "cache_split_unknown_calls",
               "cache_split_unknown_tokens")
    return {row["request_id"]: tuple(int(row[name]) for name in columns) for row in facts.to_dict("records")}


def test_the_local_engine_its_cache_athenas_table_and_the_compacted_copy_give_the_same_split(
        logs: Path, tmp_path: Path) -> None:
    dimensions = (*FACT_DIMENSIONS, "request_id")
    want = {record["requestId"]: (writes, one_hour, int(unknown), writes if unknown else 0)
            for record, (_, _, _, writes, one_hour, unknown) in zip(RECORDS, CALLS, strict=True)}
    for cache in (False, tmp_path / "parts"):
        tracker = BedrockAthenaTracker(LocalEngine(logs, cache=cache), dimensions=dimensions)
        assert facts_by_call(tracker.analyze(PERIOD).facts) == want, cache
    lines = tmp_path / "rows.jsonl"
    with lines.open("w") as out:
        for record in RECORDS:
            out.write(json.dumps(serde_row(record, DAY.replace("-", "/"), f"s3://{BUCKET}/{RECORD_KEY}")) + "\n")
    query = usage_facts_query(PERIOD, Filters(), (), dimensions)
    assert facts_by_call(athena_shaped_table(lines).execute(to_duckdb(query.sql), query.params).df()) == want
    # the compacted copy keeps only the breakpoints' numbers of a request, and gives the same split
    assert facts_by_call(compacted_day_rows(logs, PERIOD, query.sql, query.params)) == want
