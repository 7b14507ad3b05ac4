"""The whole AWS path as a user runs it, against the moto server: set up, generate logs, mirror, report.

moto applies bucket policies but ignores their conditions, so the log buckets' TLS-only Deny (any principal,
``aws:SecureTransport`` false) refuses every request there. The test lifts the policies while it writes and
reads objects, and checks they come back unchanged.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import boto3
import pytest

from bedrock_usage.logs.layout import is_payload_key, parse_key
from tests.oracle import aggregate

ROOT = Path(__file__).resolve().parents[2]
REGIONS = ("us-east-1", "ap-northeast-2")


def run(script: str, *args: str, env: dict[str, str], cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([sys.executable, str(ROOT / script), *args], env=env, cwd=cwd, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, f"{script}: {result.stderr}"
    return result


def bucket_records(s3, bucket: str) -> list[dict]:
    """Every record in a log bucket, read with boto3 and gzip alone."""
    records = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for obj in page.get("Contents", []):
            if parse_key(obj["Key"]) is None or is_payload_key(obj["Key"]):
                continue
            body = gzip.decompress(s3.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read()).decode()
            records += [json.loads(line) for line in body.splitlines() if line.strip()]
    return records


@pytest.mark.slow
def test_setup_generate_sync_and_report(aws_env: dict[str, str], tmp_path: Path) -> None:
    run("setup_bedrock_logging.py", "--regions", *REGIONS, env=aws_env)
    run("check_bedrock_logging.py", "--regions", *REGIONS, env=aws_env)
    run("setup_athena_bucket.py", "--regions", *REGIONS, env=aws_env)
    account = boto3.client("sts").get_caller_identity()["Account"]

    policies = {}
    for region in REGIONS:
        bucket = f"bedrock-logs-{account}-{region}"
        s3 = boto3.client("s3", region_name=region)
        policies[bucket] = s3.get_bucket_policy(Bucket=bucket)["Policy"]
        s3.delete_bucket_policy(Bucket=bucket)

    records = []
    for region in REGIONS:
        s3 = boto3.client("s3", region_name=region)
        bucket = f"bedrock-logs-{account}-{region}"
        run("generate_test_data.py", "--simulate", "--bucket", bucket, "--prefix", "bedrock-logs/", "--regions",
            region, "--records", "1500", "--start-date", "2025-10-28", "--end-date", "2025-11-04", "--seed",
            str(len(records) + 1), env=aws_env, cwd=tmp_path)
        records += bucket_records(s3, bucket)
    assert len(records) == 3000

    mirror = tmp_path / "mirror"
    args = ("--engine", "local", "--sync", "--logs-dir", str(mirror), "--region", *REGIONS, "--start-date",
            "2025-10-30", "--end-date", "2025-11-02", "--format", "json", "--output-dir", "-")
    first = run("bedrock_tracker_cli.py", *args, env=aws_env)
    assert "Synced us-east-1" in first.stderr and "Synced ap-northeast-2" in first.stderr
    doc = json.loads(first.stdout)
    expected = aggregate(records, date(2025, 10, 30), date(2025, 11, 2))
    summary = expected["summary"][()]
    for name in ("calls", "errors", "input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens"):
        assert doc["summary"][name] == getattr(summary, name), name
    assert doc["summary"]["estimated_cost_usd"] == pytest.approx(summary.estimated_cost, abs=1e-9)
    per_region = {row["source_region"]: row["calls"] for row in doc["analyses"]["region"]}
    assert per_region == {region: t.calls for (region,), t in expected["region"].items()}

    second = run("bedrock_tracker_cli.py", *args, env=aws_env)
    assert "0 new or changed objects" in second.stderr
    assert json.loads(second.stdout)["summary"] == doc["summary"]

    s3 = boto3.client("s3")
    for bucket, policy in policies.items():
        s3.put_bucket_policy(Bucket=bucket, Policy=policy)
    check = run("check_bedrock_logging.py", "--regions", *REGIONS, "--format", "json", env=aws_env)
    statuses = json.loads(check.stdout)["regions"]
    assert [(s["region"], s["enabled"], s["bedrock_can_write"]) for s in statuses] == [
        (region, True, True) for region in REGIONS
    ]
    assert all(s["newest_log"] for s in statuses)  # logs are arriving
