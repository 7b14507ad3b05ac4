"""Against a real moto S3 server: only in-range day folders are listed, and every file in range is read."""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import boto3
import pytest

from bedrock_usage.errors import SetupRequired
from bedrock_usage.logs.period import Period
from bedrock_usage.qdev.analysis import Source, analyze
from bedrock_usage.qdev.sources import S3Store
from bedrock_usage.qdev.synthetic import write_qdev_corpus
from tests.qdev.test_offline import offline, offline_env  # noqa: F401  (offline is a fixture)

pytestmark = pytest.mark.usefixtures("offline")

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = "123456789012"  # moto's account: the default bucket name follows from STS
BUCKET = f"amazonq-developer-reports-{ACCOUNT}"
KEY_RE = re.compile(
    r"^(?P<location>(?:[^/]+/)?AWSLogs/\d+/(?:QDeveloperLogs|KiroLogs)/(?P<type>[^/]+)/[^/]+/)"
    r"(?P<day>\d{4}/\d{2}/\d{2})/\d{2}/[^/]+$"
)
PERIOD = Period(date(2025, 11, 10), date(2025, 11, 12))
PROMPT_FOLDER_DAYS = [date(2025, 11, 10) + timedelta(days=i) for i in range(4)]  # the period plus one day
ACTIVITY_FOLDER_DAYS = [date(2025, 11, 1) + timedelta(days=i) for i in range(13)]  # month start .. end plus one


@pytest.fixture
def bucket(aws_env: dict[str, str]) -> dict[str, list[str]]:
    """A corpus from 2025-10-28 to 2025-11-14 under prompt_logging/, and an unrelated prefix; keys by kind."""
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    write_qdev_corpus(
        f"s3://{BUCKET}/prompt_logging", start=date(2025, 10, 28), end=date(2025, 11, 14), seed=3, users=3, s3_client=s3
    )
    for i in range(3):
        s3.put_object(Bucket=BUCKET, Key=f"unrelated/archive/{i}.bin", Body=b"x")
    keys = [
        item["Key"]
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET)
        for item in page.get("Contents", ())
    ]
    grouped: dict[str, list[str]] = {"prompt_in": [], "activity_in": [], "locations": [], "prompt_locations": []}
    for key in keys:
        match = KEY_RE.match(key)
        if not match:
            continue
        day = datetime.strptime(match["day"], "%Y/%m/%d").date()
        activity = match["type"] == "by_user_analytic"
        grouped["locations"].append(match["location"])
        if not activity:
            grouped["prompt_locations"].append(match["location"])
        if activity and day in ACTIVITY_FOLDER_DAYS:
            grouped["activity_in"].append(key)
        elif not activity and day in PROMPT_FOLDER_DAYS:
            grouped["prompt_in"].append(key)
    grouped["locations"] = sorted(set(grouped["locations"]))
    grouped["prompt_locations"] = sorted(set(grouped["prompt_locations"]))
    grouped["all"] = keys
    return grouped


@pytest.mark.slow
def test_lists_only_in_range_day_folders_and_reads_every_file_in_range(bucket: dict[str, list[str]]) -> None:
    client = boto3.client("s3")
    listed: list[dict[str, str]] = []
    fetched: list[str] = []
    client.meta.events.register(
        "before-call.s3.ListObjectsV2", lambda params, **_: listed.append(params["query_string"])
    )
    client.meta.events.register(
        "before-parameter-build.s3.GetObject", lambda params, **_: fetched.append(params["Key"])
    )

    report = analyze(Source(S3Store(client, BUCKET)), PERIOD)

    day_listings = {q["prefix"] for q in listed if "delimiter" not in q}
    expected = {
        f"{location}{day:%Y/%m/%d}/"
        for location in bucket["locations"]
        for day in (ACTIVITY_FOLDER_DAYS if "by_user_analytic" in location else PROMPT_FOLDER_DAYS)
    }
    assert day_listings == expected
    folder_listings = [q["prefix"] for q in listed if "delimiter" in q]
    assert all(q.get("delimiter") == "/" for q in listed if "delimiter" in q)
    assert not any(re.search(r"/\d{4}/", prefix) for prefix in folder_listings)  # discovery stops above the days
    assert all(q.get("prefix") for q in listed if "delimiter" not in q)  # never the whole bucket

    assert sorted(fetched) == sorted(bucket["prompt_in"] + bucket["activity_in"])
    assert report.files.listed == report.files.read == len(bucket["prompt_in"])
    assert report.activity is not None and report.activity.stats.files_read == len(bucket["activity_in"])


def _records_in_period(keys: list[str]) -> tuple[int, set[str]]:
    s3 = boto3.client("s3")
    count, users = 0, set()
    start = datetime(2025, 11, 10, tzinfo=UTC)
    end = datetime(2025, 11, 13, tzinfo=UTC)
    for key in keys:
        doc = json.loads(gzip.decompress(s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()))
        for record in doc["records"]:
            request = next(v for k, v in record.items() if k.endswith("EventRequest"))
            when = datetime.strptime(request["timeStamp"][:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)
            if start <= when < end:
                count += 1
                users.add(request["userId"])
    return count, users


@pytest.mark.slow
def test_cli_with_the_default_bucket_writes_a_json_report(
    bucket: dict[str, list[str]], aws_env: dict[str, str], tmp_path: Path
) -> None:
    env = offline_env(tmp_path, aws_env)
    args = [
        "--start-date",
        "2025-11-10",
        "--end-date",
        "2025-11-12",
        "--format",
        "json",
        "--output-dir",
        str(tmp_path / "out"),
    ]
    result = subprocess.run(
        [sys.executable, "qcli_s3_analyzer.py", "--prefix", "prompt_logging", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    written = sorted((tmp_path / "out").glob("qcli_analysis_*.json"))
    assert len(written) == 1 and re.fullmatch(r"qcli_analysis_\d{8}_\d{6}\.json", written[0].name)
    document = json.loads(written[0].read_text())
    requests, users = _records_in_period(bucket["prompt_in"])
    assert document["summary"]["requests"] == requests
    assert {row["user"] for row in document["per_user"]} == users  # 3 users: none uses Kiro, none is named
    assert document["files"]["read"] == len(bucket["prompt_in"])
    assert document["source"].startswith(f"s3://{BUCKET}/")
    assert document["tokenizer"]["note"] == "counted with cl100k_base (an approximation of Claude's tokenizer)"
    for section in (
        "period",
        "filters",
        "per_type",
        "daily",
        "hourly",
        "context_window",
        "virtual_cost",
        "activity",
        "limits",
        "warnings",
    ):
        assert section in document


@pytest.mark.slow
def test_a_missing_bucket_is_a_setup_step(aws_env: dict[str, str], tmp_path: Path) -> None:
    env = offline_env(tmp_path, aws_env)
    result = subprocess.run(
        [sys.executable, "qcli_s3_analyzer.py", "--bucket", "no-such-q-bucket"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "no-such-q-bucket does not exist" in result.stderr and "Traceback" not in result.stderr


def test_a_bucket_without_amazon_q_logs_is_a_setup_step(aws_env: dict[str, str]) -> None:
    """Unlike a local folder (a wrong path), a reports bucket without logs needs logging or reports turned on."""
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="unrelated/archive/0.bin", Body=b"x")
    with pytest.raises(SetupRequired, match=f"no Amazon Q Developer or Kiro logs in s3://{BUCKET}/: turn on prompt "
                                            "logging or user activity reports"):
        analyze(Source(S3Store(s3, BUCKET)), PERIOD)


def test_a_local_file_that_cannot_be_read_is_an_unreadable_object(tmp_path: Path) -> None:
    from bedrock_usage.qdev.sources import LocalStore, UnreadableObject

    (tmp_path / "not-a-file.json.gz").mkdir()  # e.g. replaced by a folder after the listing
    with pytest.raises(UnreadableObject, match="file not readable"):
        LocalStore(tmp_path).read("not-a-file.json.gz")
