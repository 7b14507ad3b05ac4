"""Calls through a Provisioned Throughput ARN are billed per model-unit hour, not per token: the report keeps their
calls and tokens unpriced, never at on-demand rates, and says why in every output (one reason text)."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.logfiles import ACCOUNT, write_records

# InvokeModel and Converse take the Provisioned Throughput's ARN as modelId (Bedrock user guide, "Use a Provisioned
# Throughput"; the API's modelId pattern: ``arn:aws:bedrock:{region}:{account}:provisioned-model/{12 characters}``),
# and the invocation log records the modelId the caller passed.
PROVISIONED = f"arn:aws:bedrock:us-east-1:{ACCOUNT}:provisioned-model/a1b2c3d4e5f6"
HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
REASON = "Provisioned Throughput, billed per model-unit hour, not per token: see the bill or Cost Explorer"
DAY = "2026-11-10"
ROOT = Path(__file__).resolve().parents[2]


def call(n: int, model_id: str, tokens: tuple[int, int]) -> dict:
    return {"timestamp": f"{DAY}T12:{n:02d}:00Z", "accountId": ACCOUNT, "region": "us-east-1",
            "identity": {"arn": f"arn:aws:iam::{ACCOUNT}:user/ana"}, "requestId": f"r-{n}", "operation": "Converse",
            "modelId": model_id, "input": {"inputTokenCount": tokens[0]}, "output": {"outputTokenCount": tokens[1]}}


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("provisioned")
    write_records(root, [call(0, PROVISIONED, (1000, 300)), call(1, PROVISIONED, (500, 200)),
                         call(2, HAIKU, (2000, 400))])
    return root


def report(logs: Path, env: dict[str, str], *options: str) -> str:
    command = [sys.executable, str(ROOT / "bedrock_tracker_cli.py"), "--engine", "local", "--logs-dir", str(logs),
               "--start-date", DAY, "--end-date", DAY, *options]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=300,
                            env={**env, "BEDROCK_USAGE_COLUMNAR_CACHE": "off"})
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_json_keeps_the_tokens_unpriced_and_names_provisioned_throughput(logs: Path,
                                                                         no_aws_env: dict[str, str]) -> None:
    doc = json.loads(report(logs, no_aws_env, "--format", "json", "--output-dir", "-"))
    [unpriced] = doc["unpriced_models"]
    assert (unpriced["model_id"], unpriced["reason"]) == (PROVISIONED, REASON)
    assert (unpriced["calls"], unpriced["input_tokens"], unpriced["output_tokens"]) == (2, 1500, 500)
    assert f"unpriced ({REASON}): {PROVISIONED} in us-east-1: 2 calls" in "\n".join(doc["warnings"])
    # Only Claude 3 Haiku's call is in the cost: $0.00025 / $0.00125 per 1K tokens (AWS pricing page)
    assert doc["summary"]["unpriced_calls"] == 2
    assert doc["summary"]["estimated_cost_usd"] == pytest.approx(2 * 0.00025 + 0.4 * 0.00125, abs=1e-12)


@pytest.mark.slow
def test_terminal_and_csv_say_the_same_reason(logs: Path, no_aws_env: dict[str, str], tmp_path: Path) -> None:
    assert f"unpriced ({REASON}): {PROVISIONED}" in report(logs, no_aws_env, "--analysis", "model")
    report(logs, no_aws_env, "--analysis", "model", "--format", "csv", "--output-dir", str(tmp_path))
    [path] = tmp_path.glob("*_unpriced.csv")
    with path.open(newline="", encoding="utf-8") as handle:
        [row] = list(csv.DictReader(handle))
    assert (row["model_id"], row["reason"], row["input_tokens"]) == (PROVISIONED, REASON, "1500")


# Other ARNs a call may name that are billed otherwise than per token (Amazon Bedrock pricing: Custom Model Import by
# custom model units per 5-minute window; a Marketplace model by its SageMaker endpoint's instances, called by the
# endpoint's ARN: User Guide, "Call the endpoint"); each is unpriced with its own reason, never as another model.
OTHERS = {
    f"arn:aws:bedrock:us-east-1:{ACCOUNT}:imported-model/abcdef123456": "Custom Model Import, billed per custom model "
    "unit per 5-minute window, not per token: see the bill or Cost Explorer",
    f"arn:aws:bedrock:us-east-1:{ACCOUNT}:custom-model-deployment/abcdef123456": "a custom model deployment "
    "(on-demand inference of a customized model), which the price book does not price: see the bill or Cost Explorer",
    f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:endpoint/llama-marketplace": "a Bedrock Marketplace model on a SageMaker "
    "endpoint, billed for the endpoint's instances (and any provider fee), not per token: see the bill or Cost "
    "Explorer",
}


def test_imported_deployed_and_marketplace_models_are_unpriced_each_with_its_reason(
        tmp_path: Path, no_aws_env: dict[str, str]) -> None:
    calls = [call(n, model_id, (100 * (n + 1), 10 * (n + 1))) for n, model_id in enumerate(OTHERS)]
    write_records(tmp_path, [*calls, call(9, HAIKU, (2000, 400))])
    doc = json.loads(report(tmp_path, no_aws_env, "--format", "json", "--output-dir", "-"))
    got = {row["model_id"]: (row["reason"], row["calls"], row["input_tokens"], row["output_tokens"])
           for row in doc["unpriced_models"]}
    assert got == {c["modelId"]: (OTHERS[c["modelId"]], 1, c["input"]["inputTokenCount"],
                                  c["output"]["outputTokenCount"]) for c in calls}
    assert doc["summary"]["estimated_cost_usd"] == pytest.approx(2 * 0.00025 + 0.4 * 0.00125, abs=1e-12)
