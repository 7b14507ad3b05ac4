"""The synthetic invocation-log corpus, its S3 layout, and generate_test_data.py run as a real subprocess.

Expected facts (model ids, which models have global profiles or caching, ARN shapes, time zones) are
written out here from the reference material, not taken from the code under test.
"""

from __future__ import annotations

import gzip
import json
import re
import shlex
import subprocess
import sys
import uuid
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import boto3
import pytest

from bedrock_usage.demo.synthetic import (
    DEFAULT_ACCOUNT,
    MIN_COVERING_RECORDS,
    CorpusSpec,
    generate_records,
    profile_mapping,
)
from bedrock_usage.demo.writer import is_synthetic_key, write_local, write_s3
from bedrock_usage.logs.layout import is_payload_key, parse_key
from bedrock_usage.logs.regions import DEFAULT_REGIONS
from tests.logfiles import read_tree

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "generate_test_data.py"
ACCOUNT = "123456789012"
SIX_REGIONS = ("us-east-1", "us-west-2", "eu-central-1", "ap-northeast-1", "ap-northeast-2", "ap-southeast-1")
TIMEZONES = {
    "us-east-1": "America/New_York", "us-west-2": "America/Los_Angeles", "eu-central-1": "Europe/Berlin",
    "ap-northeast-1": "Asia/Tokyo", "ap-northeast-2": "Asia/Seoul", "ap-southeast-1": "Asia/Singapore",
}
OPERATIONS = {"InvokeModel", "InvokeModelWithResponseStream", "Converse", "ConverseStream"}
CLAUDE_IDS = {
    "anthropic.claude-3-haiku-20240307-v1:0", "anthropic.claude-3-sonnet-20240229-v1:0",
    "anthropic.claude-3-opus-20240229-v1:0", "anthropic.claude-3-5-haiku-20241022-v1:0",
    "anthropic.claude-3-5-sonnet-20240620-v1:0", "anthropic.claude-3-5-sonnet-20241022-v2:0",
    "anthropic.claude-3-7-sonnet-20250219-v1:0", "anthropic.claude-sonnet-4-20250514-v1:0",
    "anthropic.claude-opus-4-20250514-v1:0", "anthropic.claude-opus-4-1-20250805-v1:0",
    "anthropic.claude-sonnet-4-5-20250929-v1:0", "anthropic.claude-haiku-4-5-20251001-v1:0",
    "anthropic.claude-opus-4-5-20251101-v1:0",
}
GLOBAL_IDS = {
    "anthropic.claude-sonnet-4-20250514-v1:0", "anthropic.claude-sonnet-4-5-20250929-v1:0",
    "anthropic.claude-haiku-4-5-20251001-v1:0", "anthropic.claude-opus-4-5-20251101-v1:0",
}
LONG_CONTEXT_IDS = {"anthropic.claude-sonnet-4-20250514-v1:0", "anthropic.claude-sonnet-4-5-20250929-v1:0"}
CONVERSE_ONLY_IDS = {"amazon.nova-lite-v1:0", "amazon.nova-pro-v1:0", "meta.llama3-3-70b-instruct-v1:0"}
EMBEDDING_IDS = {"amazon.titan-embed-text-v2:0"}
MODEL_IDS = CLAUDE_IDS | CONVERSE_ONLY_IDS | EMBEDDING_IDS
NO_CACHE_IDS = {
    "anthropic.claude-3-haiku-20240307-v1:0", "anthropic.claude-3-sonnet-20240229-v1:0",
    "anthropic.claude-3-opus-20240229-v1:0", *CONVERSE_ONLY_IDS, *EMBEDDING_IDS,
}
GEO_OF_PREFIX = {"us": "us-", "eu": "eu-", "apac": "ap-", "jp": "ap-northeast-"}
SEED_ROLE_APPS = {"CustomerServiceApp", "DataAnalysisApp", "ChatbotApp", "DocumentProcessorApp"}
SEED_USER_APPS = {"MobileApp", "WebPortal", "BackendAPI"}

ROLE_ARN = re.compile(rf"^arn:aws:sts::{ACCOUNT}:assumed-role/(?P<app>[A-Za-z]+)-BedrockRole/[\w+=,.@-]{{2,64}}$")
USER_ARN = re.compile(rf"^arn:aws:iam::{ACCOUNT}:user/(?P<user>[\w+=,.@-]+)$")
SSO_ARN = re.compile(
    rf"^arn:aws:sts::{ACCOUNT}:assumed-role/AWSReservedSSO_(?P<set>[A-Za-z0-9]+)_[0-9a-f]{{16}}/"
    r"(?P<email>[a-z.]+@[a-z.]+)$"
)
PROFILE_ARN = re.compile(r"^arn:aws:bedrock:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):inference-profile/(?P<id>.+)$")
APP_PROFILE_ARN = re.compile(
    r"^arn:aws:bedrock:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):application-inference-profile/[a-z0-9]{12}$"
)
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")

SPEC = CorpusSpec(start_date=date(2025, 11, 3), end_date=date(2025, 11, 30), records=4000, seed=7)


@pytest.fixture(scope="module")
def corpus() -> list[dict]:
    return generate_records(SPEC)


@pytest.fixture(scope="module")
def written(corpus: list[dict], tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("corpus")
    return root, write_local(root, corpus)


def split_model_id(model_id: str) -> tuple[str | None, str | None]:
    """(profile prefix or None, base model id or None for an opaque application profile)."""
    if APP_PROFILE_ARN.match(model_id):
        return None, None
    found = PROFILE_ARN.match(model_id)
    if found:
        model_id = found["id"]
    head, _, rest = model_id.partition(".")
    if head in GEO_OF_PREFIX or head == "global":
        return head, rest
    return None, model_id


def local_time(record: dict) -> datetime:
    when = datetime.strptime(record["timestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    return when.astimezone(ZoneInfo(TIMEZONES[record["region"]]))


def read_local_tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def read_bucket(s3, bucket: str) -> dict[str, bytes]:
    keys = [o["Key"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
            for o in page.get("Contents", [])]
    return {key: s3.get_object(Bucket=bucket, Key=key)["Body"].read() for key in keys}


def check_layout(objects: dict[str, bytes], records: list[dict], uri_base: str, prefix: str = "",
                 account: str = ACCOUNT) -> None:
    """Every object is where the service would put it, and together they hold exactly ``records``."""
    by_id = {r["requestId"]: r for r in records}
    read_back: dict[str, dict] = {}
    payloads = {key: body for key, body in objects.items() if is_payload_key(key)}
    checks = {key for key in objects if key.endswith("/amazon-bedrock-logs-permission-check")}
    assert checks == {
        f"{prefix}AWSLogs/{account}/BedrockModelInvocationLogs/{region}/amazon-bedrock-logs-permission-check"
        for region in {r["region"] for r in records}
    }
    assert all(objects[key] == b"" for key in checks)

    for key, body in objects.items():
        if key in payloads or key in checks:
            assert parse_key(key) is None
            continue
        parsed = parse_key(key)
        assert parsed is not None, key
        lines = gzip.decompress(body).decode().splitlines()
        assert lines
        for line in lines:
            record = json.loads(line)
            when = datetime.strptime(record["timestamp"], "%Y-%m-%dT%H:%M:%SZ")
            assert (parsed.account, parsed.region, parsed.day, parsed.hour) == (
                record["accountId"], record["region"], when.date(), when.hour
            )
            assert record["requestId"] not in read_back
            read_back[record["requestId"]] = record

    assert read_back.keys() == by_id.keys()
    moved = 0
    for request_id, stored in read_back.items():
        original = by_id[request_id]
        path = stored["input"].get("inputBodyS3Path")
        if path is None:
            assert stored == original and list(stored) == list(original)
            continue
        moved += 1
        assert "inputBodyJson" not in stored["input"]
        assert path.startswith(uri_base)
        payload_key = path[len(uri_base):]
        assert payload_key.endswith("_input.json.gz") and "/data/" in payload_key
        hour_folder = payload_key.split("/data/")[0]
        when = datetime.strptime(original["timestamp"], "%Y-%m-%dT%H:%M:%SZ")
        assert hour_folder.endswith(f"/{original['region']}/{when:%Y/%m/%d/%H}")
        assert json.loads(gzip.decompress(payloads[payload_key])) == original["input"]["inputBodyJson"]
        rest = {k: v for k, v in stored["input"].items() if k != "inputBodyS3Path"}
        assert rest == {k: v for k, v in original["input"].items() if k != "inputBodyJson"}
        assert {k: v for k, v in stored.items() if k != "input"} == {
            k: v for k, v in original.items() if k != "input"
        }
    assert moved == len(payloads) > 0


# --- the corpus itself -------------------------------------------------------------------------------------


def test_same_seed_gives_the_same_corpus_and_bytes(tmp_path: Path) -> None:
    spec = CorpusSpec(start_date=date(2025, 10, 1), end_date=date(2025, 10, 7), records=800, seed=11)
    first, second = generate_records(spec), generate_records(spec)
    assert first == second
    assert [list(r) for r in first] == [list(r) for r in second]
    other = generate_records(CorpusSpec(start_date=date(2025, 10, 1), end_date=date(2025, 10, 7), records=800,
                                        seed=12))
    assert {r["requestId"] for r in other}.isdisjoint({r["requestId"] for r in first})
    write_local(tmp_path / "a", first)
    write_local(tmp_path / "b", second)
    assert read_local_tree(tmp_path / "a") == read_local_tree(tmp_path / "b")


def test_every_record_follows_the_log_format(corpus: list[dict]) -> None:
    for record in corpus:
        assert record["schemaType"] == "ModelInvocationLog"
        assert record["schemaVersion"] == "1.0"
        assert TIMESTAMP.match(record["timestamp"])
        assert SPEC.start_date <= date.fromisoformat(record["timestamp"][:10]) <= SPEC.end_date
        assert record["accountId"] == ACCOUNT
        assert record["region"] in SIX_REGIONS
        assert str(uuid.UUID(record["requestId"])) == record["requestId"]
        assert record["operation"] in OPERATIONS
        arn = record["identity"]["arn"]
        assert ROLE_ARN.match(arn) or USER_ARN.match(arn) or SSO_ARN.match(arn), arn

        part_in, part_out = record["input"], record["output"]
        assert part_in["inputContentType"] == "application/json"
        assert isinstance(part_in["inputTokenCount"], int) and part_in["inputTokenCount"] >= 1
        for key in ("cacheReadInputTokenCount", "cacheWriteInputTokenCount"):
            assert isinstance(part_in.get(key, 0), int) and part_in.get(key, 0) >= 0
        assert ("cacheReadInputTokenCount" in part_in) == ("cacheWriteInputTokenCount" in part_in)
        assert part_out["outputContentType"] == "application/json"
        body = part_in["inputBodyJson"]
        base = split_model_id(record["modelId"])[1]
        if base in EMBEDDING_IDS:
            assert record["operation"] == "InvokeModel" and body["inputText"]
        elif record["operation"] in ("Converse", "ConverseStream"):
            assert body["messages"][0]["role"] == "user"
        else:
            assert base not in CONVERSE_ONLY_IDS
            assert body["anthropic_version"] == "bedrock-2023-05-31" and body["messages"]

        if "errorCode" in record:
            assert "outputTokenCount" not in part_out and "outputBodyJson" not in part_out
        else:
            check_output(record)

        if "requestMetadata" in record:
            metadata = record["requestMetadata"]
            assert record["operation"] in ("Converse", "ConverseStream")
            assert all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items())
            assert USER_ARN.match(arn) and metadata["application_name"]

        check_model_id(record)


def check_output(record: dict) -> None:
    output = record["output"]
    if split_model_id(record["modelId"])[1] in EMBEDDING_IDS:  # embeddings log no output tokens
        assert "outputTokenCount" not in output
        assert output["outputBodyJson"]["inputTextTokenCount"] == record["input"]["inputTokenCount"]
        return
    tokens_in, tokens_out = record["input"]["inputTokenCount"], output["outputTokenCount"]
    assert isinstance(tokens_out, int) and tokens_out >= 1
    body = output["outputBodyJson"]
    if record["operation"] == "InvokeModelWithResponseStream":
        assert isinstance(body, list) and len(body) >= 4
        assert body[0]["type"] == "message_start" and body[-1]["type"] == "message_stop"
        assert all(isinstance(chunk, dict) and "type" in chunk for chunk in body)
        metrics = body[-1]["amazon-bedrock-invocationMetrics"]
        assert (metrics["inputTokenCount"], metrics["outputTokenCount"]) == (tokens_in, tokens_out)
    elif record["operation"] == "InvokeModel":
        assert body["type"] == "message" and body["role"] == "assistant"
        assert (body["usage"]["input_tokens"], body["usage"]["output_tokens"]) == (tokens_in, tokens_out)
    else:
        assert isinstance(body, dict) and body["output"]["message"]["role"] == "assistant"
        assert (body["usage"]["inputTokens"], body["usage"]["outputTokens"]) == (tokens_in, tokens_out)


def check_model_id(record: dict) -> None:
    model_id, region = record["modelId"], record["region"]
    for pattern in (PROFILE_ARN, APP_PROFILE_ARN):
        found = pattern.match(model_id)
        if found:
            assert (found["region"], found["account"]) == (region, ACCOUNT)
    prefix, base = split_model_id(model_id)
    if base is not None:
        assert base in MODEL_IDS, model_id
    if prefix == "global":
        assert base in GLOBAL_IDS and record["inferenceRegion"]
    elif prefix is not None:
        assert region.startswith(GEO_OF_PREFIX[prefix]), (model_id, region)
        assert record["inferenceRegion"].startswith(GEO_OF_PREFIX[prefix])
    elif base is not None:
        assert "inferenceRegion" not in record, model_id
    if record["input"]["inputTokenCount"] > 200_000:
        assert base is None or base in LONG_CONTEXT_IDS
    cached = record["input"].get("cacheReadInputTokenCount", 0) + record["input"].get("cacheWriteInputTokenCount", 0)
    if cached:
        assert base not in NO_CACHE_IDS


def test_the_corpus_covers_every_case(corpus: list[dict]) -> None:
    bases = {split_model_id(r["modelId"])[1] for r in corpus} - {None}
    assert bases == MODEL_IDS
    assert {r["region"] for r in corpus} == set(SIX_REGIONS)
    assert {r["operation"] for r in corpus} == OPERATIONS
    prefixes = Counter(split_model_id(r["modelId"])[0] for r in corpus)
    assert {"us", "eu", "apac", "global", None} <= prefixes.keys()
    assert any(PROFILE_ARN.match(r["modelId"]) for r in corpus)
    assert any(APP_PROFILE_ARN.match(r["modelId"]) for r in corpus)

    arns = [r["identity"]["arn"] for r in corpus]
    role_apps = {m["app"] for a in arns if (m := ROLE_ARN.match(a))}
    users = {m["user"] for a in arns if (m := USER_ARN.match(a))}
    user_apps = {r["requestMetadata"]["application_name"] for r in corpus if "requestMetadata" in r}
    sso = [m for a in arns if (m := SSO_ARN.match(a))]
    assert len(role_apps) == 8 and role_apps >= SEED_ROLE_APPS
    assert len(users) == 5 and len(user_apps) == 5 and user_apps >= SEED_USER_APPS
    assert len({m["email"] for m in sso}) >= 3 and 2 <= len({m["set"] for m in sso}) <= 3

    inputs = [r["input"] for r in corpus]
    assert any(i.get("cacheReadInputTokenCount", 0) > 0 for i in inputs)
    assert any(i.get("cacheWriteInputTokenCount", 0) > 0 for i in inputs)
    assert any("cacheReadInputTokenCount" not in i for i in inputs)
    assert any(i.get("cacheReadInputTokenCount") == 0 for i in inputs)
    assert any(i["inputTokenCount"] > 200_000 for i in inputs)
    errors = Counter(r.get("errorCode") for r in corpus)
    assert {"ThrottlingException", "ValidationException"} <= errors.keys()
    assert 0 < sum(n for code, n in errors.items() if code) < len(corpus) * 0.05
    assert any(list(r)[0] != "schemaType" for r in corpus) and any(list(r)[0] == "schemaType" for r in corpus)


def test_a_small_corpus_still_covers_models_regions_operations_and_scenarios() -> None:
    records = generate_records(CorpusSpec(start_date=date(2025, 11, 1), end_date=date(2025, 11, 2),
                                          records=MIN_COVERING_RECORDS, seed=1))
    assert len(records) == MIN_COVERING_RECORDS <= 60
    assert {split_model_id(r["modelId"])[1] for r in records} - {None} == MODEL_IDS
    assert {r["region"] for r in records} == set(SIX_REGIONS)
    assert {r["operation"] for r in records} == OPERATIONS
    arns = [r["identity"]["arn"] for r in records]
    assert len({m["app"] for a in arns if (m := ROLE_ARN.match(a))}) == 8
    assert len({m["user"] for a in arns if (m := USER_ARN.match(a))}) == 5
    assert any(r["input"]["inputTokenCount"] > 200_000 for r in records)
    assert any("errorCode" in r for r in records)


def test_regions_option_limits_the_corpus() -> None:
    records = generate_records(CorpusSpec(start_date=date(2025, 11, 1), end_date=date(2025, 11, 1), records=300,
                                          regions=("eu-central-1",)))
    assert {r["region"] for r in records} == {"eu-central-1"}
    allowed = ("eu.", "global.", "anthropic.", "amazon.", "meta.", "arn:aws:bedrock:eu-central-1:")
    assert all(r["modelId"].startswith(allowed) for r in records)


# Models Amazon Bedrock offers in AWS GovCloud (US) among the corpus's (the GovCloud price list: LiteLLM's
# bedrock/us-gov-* entries): a GovCloud account calls only these, as principals of the aws-us-gov partition.
GOVCLOUD_MODELS = {
    "anthropic.claude-3-haiku-20240307-v1:0", "anthropic.claude-3-5-sonnet-20240620-v1:0",
    "anthropic.claude-3-7-sonnet-20250219-v1:0", "anthropic.claude-sonnet-4-5-20250929-v1:0",
    "anthropic.claude-haiku-4-5-20251001-v1:0", "amazon.nova-lite-v1:0", "amazon.nova-pro-v1:0",
    "amazon.titan-embed-text-v2:0",
}


def test_a_govcloud_region_is_called_by_govcloud_principals_with_govcloud_models() -> None:
    records = generate_records(CorpusSpec(start_date=date(2025, 11, 1), end_date=date(2025, 11, 7), records=600,
                                          regions=("us-gov-west-1", "us-east-1"), seed=3))
    gov = [r for r in records if r["region"] == "us-gov-west-1"]
    assert gov and all(r["identity"]["arn"].startswith("arn:aws-us-gov:") for r in gov)
    assert all(r["identity"]["arn"].startswith("arn:aws:") for r in records if r["region"] == "us-east-1")
    assert {r["modelId"] for r in gov if not r["modelId"].startswith("arn:")} <= GOVCLOUD_MODELS
    assert all(m.startswith("arn:aws-us-gov:") for m in (r["modelId"] for r in gov) if m.startswith("arn:"))


def test_traffic_follows_weekdays_working_hours_and_us_east_1(corpus: list[dict]) -> None:
    local = [local_time(r) for r in corpus]
    weekday_days, weekend_days = 20, 8  # 2025-11-03 (Monday) .. 2025-11-30 (Sunday)
    weekday = sum(1 for t in local if t.weekday() < 5) / weekday_days
    weekend = sum(1 for t in local if t.weekday() >= 5) / weekend_days
    assert weekday > 1.5 * weekend
    working = sum(1 for t in local if 9 <= t.hour < 18) / len(local)
    assert working > 0.5  # 9 of 24 hours would be 0.375 with no shape
    regions = Counter(r["region"] for r in corpus)
    assert regions.most_common(1)[0][0] == "us-east-1"
    assert sorted(r["timestamp"] for r in corpus) == [r["timestamp"] for r in corpus]


def test_body_bytes_sets_the_approximate_body_size() -> None:
    for wanted in (1000, 3000):
        records = generate_records(CorpusSpec(start_date=date(2025, 11, 1), end_date=date(2025, 11, 1),
                                              records=300, body_bytes=wanted, seed=5))
        sizes = sorted(
            len(json.dumps(r["input"]["inputBodyJson"]).encode()) + len(json.dumps(r["output"].get("outputBodyJson"))
                                                                         .encode())
            for r in records
        )
        assert 0.7 * wanted < sizes[len(sizes) // 2] < 1.5 * wanted


@pytest.mark.parametrize(
    ("changes", "message"),
    [(dict(records=0), "records must be between 1 and 5,000,000, not 0"),
     (dict(start_date=date(2025, 12, 2)), "start date 2025-12-02 is after end date 2025-12-01"),
     (dict(regions=("mars-1",)), "unknown region mars-1; Amazon Bedrock regions: af-south-1, "),
     (dict(account="12345"), "account id must be 12 digits, not '12345'"),
     (dict(body_bytes=-1), "body bytes must be between 0 and 1,000,000, not -1")],
)
def test_bad_specs_are_usage_errors(changes: dict, message: str) -> None:
    from bedrock_usage.errors import UsageError

    options = dict(start_date=date(2025, 12, 1), end_date=date(2025, 12, 1)) | changes
    with pytest.raises(UsageError, match=re.escape(message)):
        CorpusSpec(**options)


# --- the S3 layout -----------------------------------------------------------------------------------------


def test_local_layout_holds_exactly_the_records(written, corpus: list[dict]) -> None:
    root, summary = written
    objects = read_local_tree(root)
    check_layout(objects, corpus, "s3://local-demo-bucket/")
    record_objects = [k for k in objects if parse_key(k)]
    assert summary.records == len(corpus)
    assert summary.objects == len(record_objects)
    assert summary.payload_objects == sum(1 for k in objects if is_payload_key(k))
    assert summary.check_objects == 6
    assert summary.bytes == sum(len(b) for b in objects.values())
    per_region = Counter(r["region"] for r in corpus)
    assert {region: tally.records for region, tally in summary.regions.items()} == per_region
    assert {region: tally.objects for region, tally in summary.regions.items()} == Counter(
        parse_key(k).region for k in record_objects
    )


@pytest.mark.slow
def test_write_s3_lays_out_the_same_objects_as_write_local(aws_env: dict[str, str], tmp_path: Path) -> None:
    records = generate_records(CorpusSpec(start_date=date(2025, 11, 1), end_date=date(2025, 11, 3), records=300,
                                          seed=9))
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="api-bucket")
    summary = write_s3(s3, "api-bucket", "team-a", records)
    objects = read_bucket(s3, "api-bucket")
    check_layout(objects, records, "s3://api-bucket/", prefix="team-a/")
    assert summary.destination == "s3://api-bucket/team-a/"
    assert (summary.records, summary.objects + summary.payload_objects + summary.check_objects) == (300, len(objects))
    write_local(tmp_path, records, prefix="team-a")
    assert read_local_tree(tmp_path).keys() == objects.keys()


def test_a_busy_hour_spreads_over_several_objects(tmp_path: Path) -> None:
    records = generate_records(CorpusSpec(start_date=date(2025, 11, 4), end_date=date(2025, 11, 4), records=6000,
                                          regions=("us-east-1",)))
    write_local(tmp_path, records)
    hours = Counter((k.day, k.hour) for p in tmp_path.rglob("*.json.gz") if (k := parse_key(p.as_posix())))
    assert max(hours.values()) >= 2


# --- the script --------------------------------------------------------------------------------------------


def run_script(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None):
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, env=env, cwd=cwd,
                          timeout=120)


SCRIPT_SPEC = dict(records=600, start_date=date(2025, 11, 10), end_date=date(2025, 11, 16), seed=3,
                   regions=("us-east-1", "ap-northeast-2"))
SCRIPT_ARGS = ("--simulate", "--records", "600", "--start-date", "2025-11-10", "--end-date", "2025-11-16",
               "--seed", "3", "--regions", "us-east-1", "ap-northeast-2")


def corpus_tree(out: Path) -> dict[str, bytes]:
    """The objects a --simulate run wrote to the folder ``out``, after checking that the one file beside them is the
    mapping of the application inference profiles of the corpus's account and regions."""
    objects = read_local_tree(out)
    mapping = objects.pop(f"inference-profiles-{ACCOUNT}.json")
    assert json.loads(mapping) == profile_mapping(ACCOUNT, SCRIPT_SPEC["regions"])
    return objects


@pytest.mark.slow
def test_script_writes_the_corpus_to_a_folder(tmp_path: Path, no_aws_env: dict[str, str]) -> None:
    out = tmp_path / "logs"
    done = run_script(*SCRIPT_ARGS, "--out-dir", str(out), env=no_aws_env)
    assert done.returncode == 0, done.stderr
    expected = generate_records(CorpusSpec(**SCRIPT_SPEC))
    check_layout(corpus_tree(out), expected, "s3://local-demo-bucket/")
    per_region = Counter(r["region"] for r in expected)
    for region, count in per_region.items():
        assert re.search(rf"^{region}\s+{count:,}\s+\d", done.stdout, re.M), done.stdout
    assert re.search(r"^Total\s+600\s", done.stdout, re.M)
    assert str(out) in done.stdout

    again = run_script(*SCRIPT_ARGS, "--out-dir", str(out), env=no_aws_env)
    assert again.returncode == 1 and "--replace" in again.stderr and again.stderr.count("\n") == 1
    replaced = run_script(*SCRIPT_ARGS, "--out-dir", str(out), "--replace", "--seed", "4", env=no_aws_env)
    assert replaced.returncode == 0, replaced.stderr
    reseeded = generate_records(CorpusSpec(**(SCRIPT_SPEC | {"seed": 4})))
    check_layout(corpus_tree(out), reseeded, "s3://local-demo-bucket/")


def test_replace_never_deletes_log_objects_no_simulate_run_wrote(tmp_path: Path, no_aws_env: dict[str, str]) -> None:
    """A real log object under the prefix stops the run, --replace or not, and stays; the service's permission
    check object alone stops nothing."""
    out = tmp_path / "logs"
    region = "us-east-1"
    service = out / "AWSLogs" / "123456789012" / "BedrockModelInvocationLogs" / region
    real = service / "2024" / "03" / "01" / "10" / "20240301T100000Z_0123456789abcdef.json.gz"
    real.parent.mkdir(parents=True)
    real.write_bytes(gzip.compress(b'{"requestId": "real"}\n'))
    (service / "amazon-bedrock-logs-permission-check").write_bytes(b"")
    args = ("--simulate", "--records", "50", "--regions", region, "--start-date", "2025-11-10", "--end-date",
            "2025-11-10", "--out-dir", str(out))
    for extra in ((), ("--replace",)):
        refused = run_script(*args, *extra, env=no_aws_env)
        assert refused.returncode == 1 and "no --simulate run wrote" in refused.stderr, refused.stderr
        assert real.exists()
    real.unlink()
    assert run_script(*args, env=no_aws_env).returncode == 0  # beside the check object
    again = run_script(*args, env=no_aws_env)
    assert again.returncode == 1 and "objects a --simulate run wrote" in again.stderr and "--replace" in again.stderr
    replaced = run_script(*args, "--replace", env=no_aws_env)
    assert replaced.returncode == 0, replaced.stderr
    names = [p.name for p in service.rglob("*.json.gz")]
    assert names and all(is_synthetic_key(name) for name in names)


def test_the_example_profile_mapping_names_the_default_corpus_profiles() -> None:
    """examples/inference-profiles.json, written by hand, names every profile the default corpus calls, as the
    generator's mapping of the default account and regions does."""
    written = json.loads((ROOT / "examples" / "inference-profiles.json").read_text(encoding="utf-8"))
    assert profile_mapping(DEFAULT_ACCOUNT, DEFAULT_REGIONS) == written


@pytest.mark.slow
def test_script_writes_the_profile_mapping_and_the_command_that_prices_every_call(
    tmp_path: Path, no_aws_env: dict[str, str]
) -> None:
    """A corpus of another account than the example's: the mapping beside it names every application inference
    profile its records call, the printed command prices every call with it, a second region's run adds to it, and
    a file of the same name that no run wrote stops the run unchanged."""
    account = "210987654321"
    args = ("--simulate", "--records", "300", "--start-date", "2025-11-10", "--end-date", "2025-11-12",
            "--account", account, "--out-dir", "logs", "--quiet")
    done = run_script(*args, "--regions", "us-west-2", env=no_aws_env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    mapping_path = tmp_path / "logs" / f"inference-profiles-{account}.json"
    called = {r["modelId"] for r in read_tree(tmp_path / "logs") if ":application-inference-profile/" in r["modelId"]}
    assert called and called <= json.loads(mapping_path.read_text(encoding="utf-8")).keys()
    command = shlex.split(done.stdout.split("👉 Analyse it: ")[1].strip())
    assert command[:2] == ["python", "bedrock_tracker_cli.py"]
    report = subprocess.run([sys.executable, str(ROOT / command[1]), *command[2:], "--analysis", "summary",
                             "--format", "json", "--output-dir", "-"],
                            capture_output=True, text=True, env=no_aws_env, cwd=tmp_path, timeout=120)
    assert report.returncode == 0, report.stderr
    summary = json.loads(report.stdout)["summary"]
    assert (summary["calls"], summary["unpriced_calls"]) == (300, 0)

    assert run_script(*args, "--regions", "eu-central-1", env=no_aws_env, cwd=tmp_path).returncode == 0
    both = json.loads(mapping_path.read_text(encoding="utf-8"))
    assert {arn.split(":")[3] for arn in both} == {"us-west-2", "eu-central-1"} and called <= both.keys()

    mapping_path.write_text('{"arn:aws:bedrock:us-east-1:210987654321:application-inference-profile/mine": '
                            '{"model_id": "anthropic.claude-3-haiku-20240307-v1:0"}}', encoding="utf-8")
    mine = mapping_path.read_text(encoding="utf-8")
    refused = run_script(*args, "--regions", "us-east-1", env=no_aws_env, cwd=tmp_path)
    assert refused.returncode == 1 and "never overwritten" in refused.stderr, refused.stderr
    assert mapping_path.read_text(encoding="utf-8") == mine
    assert not (tmp_path / "logs" / "AWSLogs" / account / "BedrockModelInvocationLogs" / "us-east-1").exists()


def test_script_defaults_to_demo_logs_and_the_last_30_days(tmp_path: Path, no_aws_env: dict[str, str]) -> None:
    done = run_script("--simulate", "--records", "200", "--regions", "us-west-2", cwd=tmp_path, env=no_aws_env)
    assert done.returncode == 0, done.stderr
    days = {parse_key(p.as_posix()).day for p in (tmp_path / "demo-logs").rglob("*.json.gz") if parse_key(p.as_posix())}
    today = datetime.now(UTC).date()
    assert max(days) <= today and (today - min(days)).days <= 29


@pytest.mark.slow
def test_script_writes_the_corpus_to_a_bucket(aws_env: dict[str, str], tmp_path: Path) -> None:
    # Credentials of another account, so the account id can only have come from STS.
    other = "210987654321"
    creds = boto3.client("sts").assume_role(RoleArn=f"arn:aws:iam::{other}:role/writer",
                                            RoleSessionName="tests")["Credentials"]
    env = aws_env | {"AWS_ACCESS_KEY_ID": creds["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": creds["SecretAccessKey"],
                     "AWS_SESSION_TOKEN": creds["SessionToken"]}
    s3 = boto3.client("s3", aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                      aws_session_token=creds["SessionToken"])
    s3.create_bucket(Bucket="log-bucket")
    done = run_script(*SCRIPT_ARGS, "--bucket", "log-bucket", "--prefix", "bedrock/logs", env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "s3://log-bucket/bedrock/logs/" in done.stdout
    # The printed command mirrors the bucket and prices every call with the mapping left in the current folder.
    command = shlex.split(done.stdout.split("👉 Analyse it: ")[1].strip())
    assert (tmp_path / f"inference-profiles-{other}.json").is_file() and "--sync" in command
    report = subprocess.run([sys.executable, str(ROOT / command[1]), *command[2:], "--logs-dir", "mirror",
                             "--analysis", "summary", "--format", "json", "--output-dir", "-", "--quiet"],
                            capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert report.returncode == 0, report.stderr
    summary = json.loads(report.stdout)["summary"]
    assert (summary["calls"], summary["unpriced_calls"]) == (600, 0)
    objects = read_bucket(s3, "log-bucket")
    assert all(key.startswith(f"bedrock/logs/AWSLogs/{other}/BedrockModelInvocationLogs/") for key in objects)
    expected = generate_records(CorpusSpec(**SCRIPT_SPEC, account=other))
    check_layout(objects, expected, "s3://log-bucket/", prefix="bedrock/logs/", account=other)

    given = run_script(*SCRIPT_ARGS, "--bucket", "log-bucket", "--account", "111122223333", env=env, cwd=tmp_path)
    assert given.returncode == 0, given.stderr
    assert any(key.startswith("AWSLogs/111122223333/") for key in read_bucket(s3, "log-bucket"))


def test_script_reports_a_missing_bucket(aws_env: dict[str, str]) -> None:
    done = run_script("--simulate", "--bucket", "no-such-bucket", "--records", "10", env=aws_env)
    assert done.returncode == 2
    assert "no-such-bucket" in done.stderr and done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


@pytest.mark.slow
def test_runs_for_other_regions_share_no_request_id_and_the_tracker_counts_every_call(
    tmp_path: Path, no_aws_env: dict[str, str]
) -> None:
    # Default seed, as a user runs it: one region, then another one in a second run (the brief's 455 shared ids).
    period = ("--start-date", "2025-11-01", "--end-date", "2025-11-30")
    runs = {"us-east-1": 3000, "ap-northeast-2": 1000}
    ids: dict[str, list[str]] = {}
    for region, count in runs.items():
        out = tmp_path / region
        done = run_script("--simulate", "--regions", region, "--records", str(count), *period, "--out-dir", str(out),
                          env=no_aws_env)
        assert done.returncode == 0, done.stderr
        ids[region] = [record["requestId"] for record in read_tree(out)]
        assert len(ids[region]) == count
    assert not set(ids["us-east-1"]) & set(ids["ap-northeast-2"])

    # Both runs in one folder (as two buckets mirrored into one): the tracker counts all 4,000 calls.
    both = tmp_path / "both"
    for region in runs:
        for path in (tmp_path / region).rglob("*"):
            if path.is_file():
                target = both / path.relative_to(tmp_path / region)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(path.read_bytes())
    report = subprocess.run(
        [sys.executable, str(ROOT / "bedrock_tracker_cli.py"), "--engine", "local", "--logs-dir", str(both), *period,
         "--region", *runs, "--analysis", "summary", "--format", "json", "--output-dir", "-"],
        capture_output=True, text=True, env=no_aws_env, cwd=tmp_path, timeout=300,
    )
    assert report.returncode == 0, report.stderr
    assert json.loads(report.stdout)["summary"]["calls"] == sum(runs.values())


def test_request_ids_stay_reproducible_for_a_spec_and_differ_between_specs() -> None:
    base = dict(records=500, start_date=date(2025, 11, 1), end_date=date(2025, 11, 7), seed=11)
    first = [r["requestId"] for r in generate_records(CorpusSpec(**base))]
    assert first == [r["requestId"] for r in generate_records(CorpusSpec(**base))]
    assert len(set(first)) == len(first)
    for change in ({"regions": ("us-west-2",)}, {"end_date": date(2025, 11, 8)}, {"records": 400},
                   {"account": "210987654321"}):
        other = [r["requestId"] for r in generate_records(CorpusSpec(**(base | change)))]
        assert not set(first) & set(other), change


@pytest.mark.slow
def test_a_refused_write_names_the_action_and_the_policy_file(aws_env: dict[str, str]) -> None:
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="locked-logs")
    deny_writes = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
                       "Resource": "arn:aws:s3:::locked-logs/*"}],
    }
    s3.put_bucket_policy(Bucket="locked-logs", Policy=json.dumps(deny_writes))
    done = run_script("--simulate", "--bucket", "locked-logs", "--records", "50", env=aws_env)
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "s3:PutObject" in done.stderr and "iam/test-data-generator.json" in done.stderr
    assert "s3://locked-logs/" in done.stderr
    assert not s3.list_objects_v2(Bucket="locked-logs").get("Contents")


@pytest.mark.parametrize(
    "args",
    [
        ["--simulate", "--start-date", "2025-02-30"],
        ["--simulate", "--end-date", "yesterday"],
        ["--simulate", "--start-date", "2025-11-02", "--end-date", "2025-11-01"],
        ["--simulate", "--records", "0"],
        ["--simulate", "--bucket", "logs", "--records", "0"],
        ["--simulate", "--records", "many"],
        ["--simulate", "--regions", "us-east-1", "mars-1"],
        ["--simulate", "--out-dir", "x", "--bucket", "y"],
        ["--simulate", "--calls", "2"],
        ["--records", "10"],
        ["--calls", "0"],
        ["--no-such-option"],
    ],
)
@pytest.mark.slow
def test_bad_options_exit_1_with_one_line(args: list[str], tmp_path: Path, no_aws_env: dict[str, str]) -> None:
    done = run_script(*args, cwd=tmp_path, env=no_aws_env)
    assert done.returncode == 1, done.stderr
    assert done.stderr.count("\n") == 1 and done.stderr.strip() and "Traceback" not in done.stderr
    assert not any(tmp_path.iterdir())


def test_help_describes_both_modes() -> None:
    done = run_script("--help")
    assert done.returncode == 0
    for option in ("--simulate", "--out-dir", "--bucket", "--prefix", "--records", "--start-date", "--end-date",
                   "--seed", "--regions", "--body-bytes", "--account", "--create-roles", "--cleanup-roles",
                   "--profile", "--dry-run", "--calls"):
        assert option in done.stdout


# --- real mode against moto (IAM and STS are emulated; bedrock-runtime is not) -----------------------------


@pytest.mark.slow
def test_real_mode_manages_roles_and_reports_failed_calls_per_scenario(aws_env: dict[str, str]) -> None:
    env = aws_env | {"AWS_MAX_ATTEMPTS": "1"}
    iam = boto3.client("iam")
    iam.create_role(RoleName="ChatbotApp-BedrockRole", AssumeRolePolicyDocument="{}")  # someone else's role
    # The managed policy that bounds the test roles, made once by an administrator (docs/aws-setup.md).
    iam.create_policy(PolicyName="BedrockUsageTestRole", PolicyDocument=(ROOT / "iam" / "test-role.json").read_text())

    plan = run_script("--dry-run", "--create-roles", "--regions", "us-east-1", env=env)
    assert plan.returncode == 0, plan.stderr
    assert "would create" in plan.stdout and "CustomerServiceApp" in plan.stdout
    assert [r["RoleName"] for r in iam.list_roles()["Roles"]] == ["ChatbotApp-BedrockRole"]

    done = run_script("--create-roles", "--calls", "1", "--delay", "0", "--regions", "us-east-1", env=env)
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    us_east_scenarios = ("CustomerServiceApp", "DocumentProcessorApp", "WebPortal", "BackendAPI")
    for name in us_east_scenarios:
        assert re.search(rf"^{name}\s+(role|user)\s+us-east-1\s.*0/1.*❌", done.stdout, re.M), done.stdout
    roles = {r["RoleName"] for r in iam.list_roles()["Roles"]}
    assert len(roles) == 8 and all(name.endswith("-BedrockRole") for name in roles)

    cleanup = run_script("--cleanup-roles", "--no-calls", env=env)
    assert cleanup.returncode == 0, cleanup.stderr
    assert [r["RoleName"] for r in iam.list_roles()["Roles"]] == ["ChatbotApp-BedrockRole"]
    assert re.search(r"^ChatbotApp-BedrockRole\s+kept", cleanup.stdout, re.M)
