"""Calls through a prompt router are counted and priced as calls of the model the router chose.

A caller may pass a prompt router's ARN as ``modelId`` (Intelligent Prompt Routing): ``arn:aws:bedrock:{region}:
{account}:default-prompt-router/{id}`` or ``...:prompt-router/{id}``. Model Invocation Logging records that ARN; the
Converse and ConverseStream response logged as ``output.outputBodyJson`` names the model the router chose in
``trace.promptRouter.invokedModelId`` (Amazon Bedrock API Reference, "ConverseTrace" and "PromptRouterTrace": a
foundation-model or inference-profile ARN), which Bedrock bills. A router call whose logged response does not name it
(InvokeModel's body, an error, a response delivered apart under ``/data/``) stays unpriced with its tokens, saying
why. Expected costs come from the published rows of ``bedrock_prices.csv``, read here in plain Python.
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
from tests.logfiles import ACCOUNT, athena_shaped_table, cli_json, log_body, serde_row, write_payloads, write_records

DAY = "2026-11-05"
PERIOD = resolve_period(start=DAY, end=DAY)
BUCKET, PREFIX = "bedrock-logs-x", "bedrock-logs/"
ROLE = "arn:aws:sts::123456789012:assumed-role/Support-BedrockRole/agent"
PRICES = Path(__file__).resolve().parents[2] / "bedrock_usage" / "pricing" / "bedrock_prices.csv"
CLAUDE_ROUTER = f"arn:aws:bedrock:us-east-1:{ACCOUNT}:default-prompt-router/anthropic.claude:1"
OWN_ROUTER = f"arn:aws:bedrock:us-west-2:{ACCOUNT}:prompt-router/k3x9pq2rtz7w"
NOVA_ROUTER = f"arn:aws:bedrock:eu-west-1:{ACCOUNT}:default-prompt-router/amazon.nova:1"
HAIKU = "anthropic.claude-3-5-haiku-20241022-v1:0"
SONNET = "anthropic.claude-3-5-sonnet-20240620-v1:0"
NOVA_LITE = "amazon.nova-lite-v1:0"
HAIKU_ARN = f"arn:aws:bedrock:us-east-1::foundation-model/{HAIKU}"
SONNET_PROFILE_ARN = f"arn:aws:bedrock:us-west-2:{ACCOUNT}:inference-profile/us.{SONNET}"
NOVA_PROFILE_ARN = f"arn:aws:bedrock:eu-west-1:{ACCOUNT}:inference-profile/eu.{NOVA_LITE}"
LONG = "A long answer. " * 8_000  # 120 KB of text: the response goes to /data/


def converse_response(routed: str | None, text: str = "Here is the summary.") -> dict:
    """A Converse (or ConverseStream, logged in the same shape) response, naming the model a router chose."""
    body = {"output": {"message": {"role": "assistant", "content": [{"text": text}]}}, "stopReason": "end_turn",
            "metrics": {"latencyMs": 812}, "usage": {"inputTokens": 0, "outputTokens": 0, "totalTokens": 0}}
    return body | ({"trace": {"promptRouter": {"invokedModelId": routed}}} if routed else {})


def anthropic_response() -> dict:
    """An InvokeModel response of a Claude model: no trace, so no word of the model a router chose."""
    return {"id": "msg_bdrk_01", "type": "message", "role": "assistant", "content": [{"type": "text", "text": "Hi"}],
            "stop_reason": "end_turn", "usage": {"input_tokens": 500, "output_tokens": 80}}


CONVERSE_REQUEST = {"messages": [{"role": "user", "content": [{"text": "Summarise the ticket."}]}],
                    "inferenceConfig": {"maxTokens": 1024}}
# (operation, modelId, source region, response (None: an error, no response), error, the model the router chose,
# input, output and cache read tokens)
CALLS = [
    ("Converse", CLAUDE_ROUTER, "us-east-1", converse_response(HAIKU_ARN), None, HAIKU_ARN, 1_200, 300, 0),
    ("ConverseStream", OWN_ROUTER, "us-west-2", converse_response(SONNET_PROFILE_ARN), None, SONNET_PROFILE_ARN,
     2_000, 500, 4_000),
    ("Converse", NOVA_ROUTER, "eu-west-1", converse_response(NOVA_PROFILE_ARN), None, NOVA_PROFILE_ARN,
     3_000, 700, 0),
    # the router's choice is not logged: InvokeModel's body has no trace, a long response went to /data/, an error
    ("InvokeModel", CLAUDE_ROUTER, "us-east-1", anthropic_response(), None, None, 500, 80, 0),
    ("Converse", CLAUDE_ROUTER, "us-east-1", converse_response(HAIKU_ARN, LONG), None, None, 900, 30_000, 0),
    ("Converse", CLAUDE_ROUTER, "us-east-1", None, "ThrottlingException", None, 0, 0, 0),
    # an ordinary call of the model a router chose
    ("Converse", HAIKU, "us-east-1", converse_response(None), None, HAIKU, 800, 200, 0),
]
ROUTED = [call for call in CALLS if "router/" in call[1] and call[5]]
UNROUTED = [call for call in CALLS if "router/" in call[1] and not call[5]]


def records_of() -> tuple[list[dict], dict[str, bytes]]:
    """Log records of ``CALLS`` at 10:MM UTC on ``DAY`` and the payload objects their bodies over 100 KB went to."""
    records, payloads = [], {}
    for n, (operation, model_id, region, response, error, _, tokens_in, tokens_out, reads) in enumerate(CALLS):
        request_id = f"d0c5e000-0000-4000-8000-{n:012d}"
        part_in: dict = {"inputContentType": "application/json", "inputTokenCount": tokens_in,
                         "cacheReadInputTokenCount": reads, "cacheWriteInputTokenCount": 0}
        part_out: dict = {"outputContentType": "application/json", "outputTokenCount": tokens_out}
        folder = f"{PREFIX}AWSLogs/{ACCOUNT}/BedrockModelInvocationLogs/{region}/{DAY.replace('-', '/')}/10/data/"
        log_body(part_in, "input", CONVERSE_REQUEST, folder, request_id, BUCKET, payloads)
        if response is not None:
            log_body(part_out, "output", response, folder, request_id, BUCKET, payloads)
        record = {"schemaType": "ModelInvocationLog", "schemaVersion": "1.0", "timestamp": f"{DAY}T10:{n:02d}:00Z",
                  "accountId": ACCOUNT, "identity": {"arn": ROLE}, "region": region, "requestId": request_id,
                  "operation": operation, "modelId": model_id, "input": part_in, "output": part_out}
        records.append(record | ({"errorCode": error} if error else {}))
    return records, payloads


RECORDS, PAYLOADS = records_of()


def record_key(region: str) -> str:
    return object_key(PREFIX, ACCOUNT, region, PERIOD.utc_start.replace(hour=10), "0001")


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The records in one object per region of their hour, the bodies over 100 KB under its ``data/``."""
    root = tmp_path_factory.mktemp("prompt-routers")
    for region in sorted({record["region"] for record in RECORDS}):
        path = root / record_key(region)
        path.parent.mkdir(parents=True, exist_ok=True)
        lines = "".join(json.dumps(r) + "\n" for r in RECORDS if r["region"] == region)
        path.write_bytes(gzip.compress(lines.encode()))
    write_payloads(root, PAYLOADS)
    return root


def rates(model: str, region: str) -> dict[str, float]:
    """A model's published on-demand rates per 1,000 tokens for a geo or in-region call from ``region``: the row of
    the region, else the row of every region."""
    with PRICES.open(newline="") as handle:
        rows = [row for row in csv.DictReader(handle)
                if (row["model"], row["family"], row["mode"], row["tier"], row["unit"]) == (
                    model, "regional", "standard", "base", "tokens")
                and row["region"] in (region, "*") and not row["effective_from"] and not row["effective_to"]]
    (row,) = [row for row in rows if row["region"] == region] or rows
    return {name: float(row[name] or 0) for name in ("input", "output", "cache_read")}


def cost(model: str, region: str, tokens_in: int, tokens_out: int, reads: int) -> float:
    rate = rates(model, region)
    return (tokens_in * rate["input"] + tokens_out * rate["output"] + reads * rate["cache_read"]) / 1000


BASE_OF = {HAIKU_ARN: HAIKU, SONNET_PROFILE_ARN: SONNET, NOVA_PROFILE_ARN: NOVA_LITE, HAIKU: HAIKU}


def expected_cost(calls: list[tuple]) -> float:
    return sum(cost(BASE_OF[chosen], region, tokens_in, tokens_out, reads)
               for _, _, region, _, _, chosen, tokens_in, tokens_out, reads in calls if chosen)


def test_the_records_hold_each_case() -> None:
    assert [("outputBodyS3Path" in r["output"], "outputBodyJson" in r["output"]) for r in RECORDS] == [
        (False, True)] * 4 + [(True, False), (False, False), (False, True)]
    assert sum(1 for r in RECORDS if "trace" in r["output"].get("outputBodyJson", {})) == 3
    assert len(ROUTED) == 3 and len(UNROUTED) == 3
    # the Nova call is priced at its Region's own row, not the row of every Region
    assert rates(NOVA_LITE, "eu-west-1") != rates(NOVA_LITE, "us-east-1")


def test_a_routed_call_is_priced_as_the_model_its_router_chose_in_every_output(
        logs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = cli_json(capsys, logs, "--start-date", DAY, "--end-date", DAY, "--region", "all")
    summary = doc["summary"]
    assert summary["calls"] == len(CALLS)
    assert summary["estimated_cost_usd"] == pytest.approx(expected_cost(CALLS), rel=1e-12)
    assert summary["input_tokens"] == sum(call[6] for call in CALLS)
    assert (summary["prompt_router_calls"], summary["prompt_router_calls_model_unknown"]) == (6, 3)
    # the throttled call logged no tokens: it costs nothing whichever model the router would have chosen
    assert (summary["unpriced_calls"], summary["prompt_router_calls_no_tokens"]) == (2, 1)
    # the model table: the routed call of Claude 3.5 Haiku beside its ordinary call, a profile's calls as geo
    models = {(row["model"], row["endpoint"]): row for row in doc["analyses"]["model"]}
    assert models[("Claude 3.5 Haiku", "in-region")]["calls"] == 2
    assert models[("Claude 3.5 Haiku", "in-region")]["estimated_cost_usd"] == pytest.approx(
        expected_cost([CALLS[0], CALLS[6]]), rel=1e-12)
    assert models[("Claude 3.5 Sonnet", "geo")]["estimated_cost_usd"] == pytest.approx(
        expected_cost([CALLS[1]]), rel=1e-12)
    assert models[("Nova Lite", "geo")]["estimated_cost_usd"] == pytest.approx(expected_cost([CALLS[2]]), rel=1e-12)
    # the calls with tokens whose router's choice is not logged: unpriced under the router's ARN, with their tokens
    # and why
    (unpriced,) = doc["unpriced_models"]
    assert (unpriced["model_id"], unpriced["calls"], unpriced["input_tokens"], unpriced["output_tokens"]) == (
        CLAUDE_ROUTER, 2, 500 + 900, 80 + 30_000)
    assert unpriced["reason"].startswith("prompt router: the model it chose is not in the logged response")
    assert any(line.startswith("unpriced (prompt router: ") and CLAUDE_ROUTER in line for line in doc["warnings"])

    args = ["--engine", "local", "--logs-dir", str(logs), "--quiet", "--start-date", DAY, "--end-date", DAY,
            "--region", "all", "--format", "terminal", "--analysis", "summary"]
    assert bedrock_tracker_cli.main(args) == 0
    assert ("Prompt router calls: 6, counted and priced as calls of the model the router chose, which the logged "
            "Converse response names; of the 3 whose response does not name it, 2 are unpriced, see warnings, and 1 "
            "without tokens costs $0") in capsys.readouterr().out


def test_model_filters_take_the_model_the_report_shows(logs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``--model`` matches the model id a call is counted under: the routed model's, else the router's ARN."""
    routed = cli_json(capsys, logs, "--start-date", DAY, "--end-date", DAY, "--region", "all", "--model", HAIKU_ARN)
    assert routed["summary"]["calls"] == 1 and routed["summary"]["prompt_router_calls"] == 1
    assert routed["summary"]["estimated_cost_usd"] == pytest.approx(expected_cost([CALLS[0]]), rel=1e-12)
    router = cli_json(capsys, logs, "--start-date", DAY, "--end-date", DAY, "--region", "all", "--model",
                      CLAUDE_ROUTER)
    assert (router["summary"]["calls"], router["summary"]["unpriced_calls"]) == (3, 2)


def models_by_call(facts) -> dict[str, tuple[str, int]]:
    return {row["request_id"]: (row["model_id"], int(row["prompt_router_calls"])) for row in facts.to_dict("records")}


def test_the_local_engine_its_cache_athenas_table_and_the_compacted_copy_count_the_same_model(
        logs: Path, tmp_path: Path) -> None:
    dimensions = (*FACT_DIMENSIONS, "request_id")
    want = {record["requestId"]: (call[5] or call[1], int("router/" in call[1]))
            for record, call in zip(RECORDS, CALLS, strict=True)}
    for cache in (False, tmp_path / "parts"):
        tracker = BedrockAthenaTracker(LocalEngine(logs, cache=cache), dimensions=dimensions)
        report = tracker.analyze(PERIOD)
        assert models_by_call(report.facts) == want, cache
        assert report.summary["estimated_cost_usd"] == pytest.approx(expected_cost(CALLS), rel=1e-12)
    lines = tmp_path / "rows.jsonl"
    with lines.open("w") as out:
        for record in RECORDS:
            row = serde_row(record, DAY.replace("-", "/"), f"s3://{BUCKET}/{record_key(record['region'])}")
            out.write(json.dumps(row) + "\n")
    query = usage_facts_query(PERIOD, Filters(), (), dimensions)
    assert models_by_call(athena_shaped_table(lines).execute(to_duckdb(query.sql), query.params).df()) == want
    # the compacted copy keeps the model a router chose, and counts the same model
    assert models_by_call(compacted_day_rows(logs, PERIOD, query.sql, query.params)) == want


def test_the_model_options_help_says_which_id_a_router_call_is_matched_by(capsys: pytest.CaptureFixture[str]) -> None:
    """``--help`` says, as the README does, that ``--model`` matches a router call by the model its router chose: the
    logged ``modelId`` (the router's ARN) keeps only the calls whose response does not name that model."""
    with pytest.raises(SystemExit):
        bedrock_tracker_cli.main(["--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "a call through a prompt router is matched by the id of the model the router chose" in text


# Two failed calls through the same router in the same hour by the same caller: one throttled before any token, one
# whose stream broke after 700 input and 40 output tokens; and a routed call beside them.
FAILED = [("ThrottlingException", 0, 0), ("ModelStreamErrorException", 700, 40)]


def failed_records() -> list[dict]:
    records = [{"schemaType": "ModelInvocationLog", "schemaVersion": "1.0", "timestamp": f"{DAY}T11:0{n}:00Z",
                "accountId": ACCOUNT, "identity": {"arn": ROLE}, "region": "us-east-1",
                "requestId": f"fa11ed00-0000-4000-8000-{n:012d}", "operation": "ConverseStream",
                "modelId": CLAUDE_ROUTER, "errorCode": error,
                "input": {"inputContentType": "application/json", "inputTokenCount": tokens_in,
                          "inputBodyJson": CONVERSE_REQUEST},
                "output": {"outputContentType": "application/json", "outputTokenCount": tokens_out}}
               for n, (error, tokens_in, tokens_out) in enumerate(FAILED)]
    routed = {**records[0], "requestId": "fa11ed00-0000-4000-8000-000000000009", "timestamp": f"{DAY}T11:09:00Z",
              "operation": "Converse", "input": {**records[0]["input"], "inputTokenCount": 1_000},
              "output": {"outputContentType": "application/json", "outputTokenCount": 100,
                         "outputBodyJson": converse_response(HAIKU_ARN)}}
    del routed["errorCode"]
    return [*records, routed]


@pytest.fixture(scope="module")
def failed_logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("failed-router-calls")
    write_records(root, failed_records())
    return root


def test_a_failed_router_call_without_tokens_costs_nothing_and_one_with_tokens_stays_unpriced(
        failed_logs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A router call that logged no tokens is priced at $0 (a router routes between models billed per token), even
    when a failed call with tokens shares its hour, caller and router; that one stays unpriced with its tokens."""
    doc = cli_json(capsys, failed_logs, "--start-date", DAY, "--end-date", DAY)
    summary = doc["summary"]
    assert (summary["calls"], summary["errors"], summary["unpriced_calls"]) == (3, 2, 1)
    assert (summary["prompt_router_calls"], summary["prompt_router_calls_model_unknown"],
            summary["prompt_router_calls_no_tokens"]) == (3, 2, 1)
    assert summary["estimated_cost_usd"] == pytest.approx(cost(HAIKU, "us-east-1", 1_000, 100, 0), rel=1e-12)
    (unpriced,) = doc["unpriced_models"]
    assert (unpriced["model_id"], unpriced["calls"], unpriced["input_tokens"], unpriced["output_tokens"]) == (
        CLAUDE_ROUTER, 1, 700, 40)
    (warning,) = [line for line in doc["warnings"] if line.startswith("unpriced (prompt router: ")]
    assert CLAUDE_ROUTER in warning and "1 call" in warning
    routers = [row for row in doc["analyses"]["model"] if row["endpoint"] == "prompt-router"]
    assert [(row["calls"], row["unpriced_calls"], row["input_tokens"]) for row in routers] == [(2, 1, 700)]

    args = ["--engine", "local", "--logs-dir", str(failed_logs), "--quiet", "--start-date", DAY, "--end-date", DAY,
            "--format", "terminal", "--analysis", "summary"]
    assert bedrock_tracker_cli.main(args) == 0
    assert ("Converse response names; of the 2 whose response does not name it, 1 is unpriced, see warnings, and 1 "
            "without tokens costs $0") in capsys.readouterr().out


def test_athena_keeps_a_router_call_without_tokens_apart_as_the_local_engine_does(
        failed_logs: Path, tmp_path: Path) -> None:
    """The facts query is one SQL text for both engines: Athena's rows hold the router's call without tokens apart
    from its call with tokens, as the local engine's do, so pricing them (the same for both) gives the same figures."""
    def grain(facts) -> list[tuple[str, int, int, int]]:
        return sorted((row["model_id"], int(row["calls"]), int(row["errors"]), int(row["input_tokens"]))
                      for row in facts.to_dict("records"))

    want = sorted([(CLAUDE_ROUTER, 1, 1, 0), (CLAUDE_ROUTER, 1, 1, 700), (HAIKU_ARN, 1, 0, 1_000)])
    report = BedrockAthenaTracker(LocalEngine(failed_logs, cache=False)).analyze(PERIOD)
    assert grain(report.facts) == want
    lines = tmp_path / "rows.jsonl"
    with lines.open("w") as out:
        for record in failed_records():
            key = object_key(PREFIX, ACCOUNT, "us-east-1", PERIOD.utc_start.replace(hour=11), "0001")
            out.write(json.dumps(serde_row(record, DAY.replace("-", "/"), f"s3://{BUCKET}/{key}")) + "\n")
    query = usage_facts_query(PERIOD, Filters(), (), FACT_DIMENSIONS)
    assert grain(athena_shaped_table(lines).execute(to_duckdb(query.sql), query.params).df()) == want
