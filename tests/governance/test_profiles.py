"""Application inference profiles: resolved from a mapping file or the Bedrock API, then priced and attributed.

moto does not implement ``bedrock.get_inference_profile``, so the API path runs against a stand-in Bedrock
client that answers with the documented response shapes (it stands in for AWS, not for our code). The
mapping-file path runs end to end through the real local engine and the CLI.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from bedrock_usage.demo.synthetic import DEFAULT_ACCOUNT, application_profiles
from bedrock_usage.demo.writer import write_local
from bedrock_usage.engines.local import LocalEngine
from bedrock_usage.engines.queries import Filters
from bedrock_usage.errors import SetupRequired, UsageError
from bedrock_usage.governance.profiles import (
    PROFILE_COLUMN,
    ProfileResolver,
    load_profile_file,
    model_id_from_models,
)
from bedrock_usage.logs.period import Period
from bedrock_usage.logs.regions import DEFAULT_REGIONS
from bedrock_usage.report.tracker import BedrockAthenaTracker
from tests.oracle import caller, published_rates

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = "123456789012"
SUPPORT = f"arn:aws:bedrock:us-east-1:{ACCOUNT}:application-inference-profile/supportprod1"
NIGHTLY = f"arn:aws:bedrock:us-east-1:{ACCOUNT}:application-inference-profile/nightly00002"
UNKNOWN = f"arn:aws:bedrock:us-east-1:{ACCOUNT}:application-inference-profile/unmapped0003"
MAPPING = {
    SUPPORT: {"model_id": "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
              "tags": {"application_name": "Support", "cost_center": "CC-9"}},
    NIGHTLY: {"model_id": "anthropic.claude-3-haiku-20240307-v1:0", "tags": {"cost_center": "CC-7"}},
}
FOUNDATION = "arn:aws:bedrock:{region}::foundation-model/{model}"


def record(n: int, model_id: str, role: str, tags: dict[str, str] | None = None) -> dict:
    day = 3 + n % 10
    rec = {"schemaType": "ModelInvocationLog", "schemaVersion": "1.0",
           "timestamp": f"2025-11-{day:02d}T{n % 24:02d}:15:00Z", "accountId": ACCOUNT,
           "identity": {"arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}-BedrockRole/session{n}"},
           "region": "us-east-1", "requestId": f"req-{n}", "operation": "Converse", "modelId": model_id,
           "input": {"inputTokenCount": 1000 + 37 * n}, "output": {"outputTokenCount": 200 + 11 * n}}
    if tags:
        rec["requestMetadata"] = tags
    return rec


def corpus() -> list[dict]:
    records = [record(n, SUPPORT, "Batch") for n in range(0, 12)]
    records += [record(n, SUPPORT, "Batch", {"application_name": "Escalations"}) for n in range(12, 18)]
    records += [record(n, NIGHTLY, "Nightly") for n in range(18, 30)]
    records += [record(n, UNKNOWN, "Mystery") for n in range(30, 33)]
    # sent "" through a profile tagged CC-7: a value of its own (""), not the profile's tag
    records += [record(n, NIGHTLY, "Nightly", {"cost_center": ""}) for n in range(40, 45)]
    records += [record(n, "anthropic.claude-3-haiku-20240307-v1:0", "Direct", {"cost_center": "CC-1"})
                for n in range(33, 40)]
    return records


def expected_by(records: list[dict], key: str) -> dict[str, dict[str, float]]:
    """Calls, unpriced calls and cost per application or cost center, in plain Python over the records."""
    out: dict[str, dict] = defaultdict(lambda: {"calls": 0, "unpriced": 0, "terms": []})
    for rec in records:
        profile = MAPPING.get(rec["modelId"])
        model = profile["model_id"] if profile else rec["modelId"]
        tags = dict(profile["tags"]) if profile else {}
        tags.update(rec.get("requestMetadata") or {})
        by_app = key == "application"
        group = (tags.get("application_name") or caller(rec)[1]) if by_app else tags.get(key, "(none)")
        rates = published_rates(model, date(2025, 11, 3), False)
        totals = out[group]
        totals["calls"] += 1
        if rates is None:
            totals["unpriced"] += 1
        else:
            totals["terms"] += [rec["input"]["inputTokenCount"] * rates[0] / 1000,
                                rec["output"]["outputTokenCount"] * rates[1] / 1000]
    return {g: {"calls": t["calls"], "unpriced": t["unpriced"], "cost": math.fsum(t["terms"]) if t["terms"] else None}
            for g, t in out.items()}


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("profiles")
    write_local(root / "logs", corpus())
    mapping = root / "profiles.json"
    mapping.write_text(json.dumps(MAPPING))
    return root / "logs", mapping


def run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "bedrock_tracker_cli.py"), *args], capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=300)


@pytest.mark.parametrize("group_by", ["application", "tag:cost_center"])
def test_chargeback_prices_and_attributes_mapped_profiles(logs: tuple[Path, Path], no_aws_env: dict[str, str],
                                                          group_by: str) -> None:
    folder, mapping = logs
    result = run_cli(no_aws_env, "--engine", "local", "--logs-dir", str(folder), "--region", "us-east-1",
                     "--chargeback", "2025-11", "--chargeback-by", group_by, "--inference-profiles", str(mapping),
                     "--format", "json", "--output-dir", "-")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    totals = {row["group"]: row for row in doc["rows"] if row["row_type"] == "group_total"}
    expected = expected_by(corpus(), "application" if group_by == "application" else "cost_center")
    assert set(totals) == set(expected)
    for group, want in expected.items():
        row = totals[group]
        assert row["calls"] == want["calls"] and row["unpriced_calls"] == want["unpriced"], group
        if want["cost"] is None:
            assert row["estimated_cost_usd"] is None, group
        else:
            assert row["estimated_cost_usd"] == pytest.approx(want["cost"], abs=1e-9), group
    assert [u["model_id"] for u in doc["unpriced"]] == [UNKNOWN]
    assert any(UNKNOWN in w and "not in the --inference-profiles file" in w for w in doc["warnings"])


def test_tracker_keeps_the_profile_arn_beside_the_resolved_model(logs: tuple[Path, Path]) -> None:
    folder, mapping = logs
    resolver = ProfileResolver(load_profile_file(mapping))
    tracker = BedrockAthenaTracker(LocalEngine(folder), rewriter=resolver)
    facts, _, _ = tracker.facts(Period(date(2025, 11, 1), date(2025, 11, 30)), ("us-east-1",), Filters())
    support = facts.loc[facts[PROFILE_COLUMN] == SUPPORT]
    assert set(support["model_id"]) == {MAPPING[SUPPORT]["model_id"]}
    assert set(support["model"]) == {"Claude Sonnet 4.5"} and support["priced"].all()
    assert set(facts.loc[facts["model_id"] == UNKNOWN, PROFILE_COLUMN].fillna("none")) == {"none"}


class StandInBedrock:
    """Answers get_inference_profile and list_tags_for_resource with the documented response shapes."""

    def __init__(self, profiles: dict[str, tuple[list[str], dict[str, str]]], error: str | None = None):
        self.profiles = profiles
        self.error = error
        self.calls: Counter[str] = Counter()

    def _fail(self, operation: str) -> None:
        if self.error:
            raise ClientError({"Error": {"Code": self.error, "Message": "refused"},
                               "ResponseMetadata": {"HTTPStatusCode": 403 if "Denied" in self.error else 400}},
                              operation)

    def get_inference_profile(self, inferenceProfileIdentifier: str) -> dict:  # noqa: N803 (AWS parameter name)
        self.calls["GetInferenceProfile"] += 1
        self._fail("GetInferenceProfile")
        if inferenceProfileIdentifier not in self.profiles:
            raise ClientError({"Error": {"Code": "ResourceNotFoundException", "Message": "no such profile"}},
                              "GetInferenceProfile")
        models, _ = self.profiles[inferenceProfileIdentifier]
        return {"inferenceProfileArn": inferenceProfileIdentifier, "inferenceProfileName": "p", "type": "APPLICATION",
                "status": "ACTIVE", "models": [{"modelArn": m} for m in models]}

    def list_tags_for_resource(self, resourceARN: str) -> dict:  # noqa: N803
        self.calls["ListTagsForResource"] += 1
        return {"tags": [{"key": k, "value": v} for k, v in self.profiles[resourceARN][1].items()]}


SONNET = "anthropic.claude-sonnet-4-5-20250929-v1:0"


@pytest.mark.parametrize(("regions", "expected"), [
    (["us-east-1"], SONNET),
    (["us-east-1", "us-east-2", "us-west-2"], SONNET),
    (["us-east-1", "eu-west-1", "ap-northeast-1"], f"global.{SONNET}"),
])
def test_model_id_from_profile_models(regions: list[str], expected: str) -> None:
    assert model_id_from_models([FOUNDATION.format(region=r, model=SONNET) for r in regions]) == expected


def test_api_resolution_is_cached_and_feeds_the_tracker(logs: tuple[Path, Path]) -> None:
    folder, _ = logs
    bedrock = StandInBedrock({
        SUPPORT: ([FOUNDATION.format(region=r, model=SONNET) for r in ("us-east-1", "us-west-2")],
                  {"application_name": "Support", "cost_center": "CC-9"}),
        NIGHTLY: ([FOUNDATION.format(region="us-east-1", model="anthropic.claude-3-haiku-20240307-v1:0")],
                  {"cost_center": "CC-7"}),
    })
    resolver = ProfileResolver(client_for=lambda region: bedrock)
    tracker = BedrockAthenaTracker(LocalEngine(folder), rewriter=resolver)
    report = tracker.analyze(Period(date(2025, 11, 1), date(2025, 11, 30)), ("us-east-1",))
    apps = {row["application"]: row for _, row in report.tables["application"].iterrows()}
    # API resolution prices SUPPORT at the regional (in-region / geo) rate, as the mapping file's us. id does.
    expected = expected_by(corpus(), "application")
    assert apps["Support"]["estimated_cost_usd"] == pytest.approx(expected["Support"]["cost"], abs=1e-9)
    assert apps["Nightly"]["calls"] == expected["Nightly"]["calls"]
    assert bedrock.calls["GetInferenceProfile"] == 3  # once per profile ARN, the unknown one included
    assert "no such profile" in resolver.failures[UNKNOWN]
    unpriced = report.unpriced.set_index("model_id")["reason"]
    assert unpriced[UNKNOWN].startswith("an application inference profile whose model is not known: name it")
    tracker.analyze(Period(date(2025, 11, 1), date(2025, 11, 30)), ("us-east-1",))
    assert bedrock.calls["GetInferenceProfile"] == 3  # cached for the run


def test_access_denied_leaves_the_profile_unpriced_with_a_reason() -> None:
    resolver = ProfileResolver(client_for=lambda region: StandInBedrock({}, error="AccessDeniedException"))
    assert resolver.resolve(SUPPORT) is None
    assert "access denied" in resolver.failures[SUPPORT] and "GetInferenceProfile" in resolver.failures[SUPPORT]
    assert resolver.warnings() == [f"application inference profile {SUPPORT} not resolved: "
                                   f"{resolver.failures[SUPPORT]}"]


def test_expired_credentials_stop_the_run() -> None:
    resolver = ProfileResolver(client_for=lambda region: StandInBedrock({}, error="ExpiredTokenException"))
    with pytest.raises(SetupRequired, match="expired"):
        resolver.resolve(SUPPORT)


@pytest.mark.parametrize(("content", "message"), [
    ("not json", "not valid JSON"),
    ("[]", "one JSON object"),
    (json.dumps({"us.anthropic.x": {"model_id": "m"}}), "not an application-inference-profile ARN"),
    (json.dumps({SUPPORT: {"tags": {}}}), "needs a \"model_id\""),
    (json.dumps({SUPPORT: {"model_id": "m", "tags": {"a": 1}}}), "string values"),
    (json.dumps({SUPPORT: {"model_id": "m", "modle": "x"}}), "unknown fields modle"),
])
def test_bad_mapping_files_are_named(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "profiles.json"
    path.write_text(content)
    with pytest.raises(UsageError, match=message):
        load_profile_file(path)


def test_cli_bad_mapping_file_is_exit_1(logs: tuple[Path, Path], no_aws_env: dict[str, str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    result = run_cli(no_aws_env, "--engine", "local", "--logs-dir", str(logs[0]), "--chargeback", "2025-11",
                     "--inference-profiles", str(bad))
    assert result.returncode == 1
    assert result.stderr.startswith("error: --inference-profiles") and result.stderr.count("\n") == 1


def test_example_mapping_file_resolves_the_demo_profiles() -> None:
    mapping = load_profile_file(ROOT / "examples" / "inference-profiles.json")
    assert {p.arn for p in application_profiles(DEFAULT_ACCOUNT, DEFAULT_REGIONS)} == set(mapping)
