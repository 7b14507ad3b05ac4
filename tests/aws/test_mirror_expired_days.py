"""``--sync`` over days a lifecycle rule of the log bucket deleted before any sync copied them: neither the bucket nor
the mirror holds a record of them, and the report says which and why (Amazon S3 User Guide, "Expiring objects"),
where it said nothing. A day the mirror copied before it expired is read, as the README says. Through the CLI's
main() against moto; a refused read of the rules through a proxy refusing that request."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import boto3
import pytest

import bedrock_tracker_cli
from bedrock_usage.aws.mirror import mirror_logs
from bedrock_usage.aws.session import Aws
from bedrock_usage.logs.layout import object_key
from bedrock_usage.logs.period import Period
from tests.aws.refusing_proxy import refusing_proxy
from tests.aws.test_mirror import ACCOUNT, record
from tests.aws.test_mirror_regions import configure
from tests.dashboard.test_korean_page_english_left import english_left

REGION = "us-east-1"
BUCKET = f"bedrock-logs-{ACCOUNT}-{REGION}"
EXPIRE = {"ID": "expire-logs", "Status": "Enabled", "Filter": {"Prefix": "AWSLogs/"}, "Expiration": {"Days": 30}}


def log_object(back: int, calls: int) -> tuple[str, bytes]:
    """The key and body of a log object of ``calls`` calls ``back`` days ago (UTC)."""
    when = datetime.combine(datetime.now(UTC).date() - timedelta(days=back), time(9), UTC)
    body = "".join(json.dumps({**record(when, REGION, n), "requestId": f"r-{back}-{n}"}) + "\n" for n in range(calls))
    return object_key("", ACCOUNT, REGION, when, f"o{back}"), gzip.compress(body.encode())


def bucket_and_mirror(mirror: Path, bucket: str = BUCKET) -> None:
    """Logging to ``bucket``, which holds 2 calls of 2 days ago and expires log objects after 30 days, and a mirror
    that copied 3 calls of 35 days ago before they expired."""
    configure(REGION, bucket)
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [EXPIRE]})
    key, body = log_object(2, 2)
    s3.put_object(Bucket=bucket, Key=key, Body=body)
    key, body = log_object(35, 3)
    (mirror / key).parent.mkdir(parents=True)
    (mirror / key).write_bytes(body)


def sync(capsys: pytest.CaptureFixture[str], mirror: Path) -> dict:
    """``--sync`` of the 40 days to 2 days ago and its JSON summary, which must exit 0."""
    today = datetime.now(UTC).date()
    code = bedrock_tracker_cli.main(["--engine", "local", "--sync", "--logs-dir", str(mirror), "--region", REGION,
                                     "--start-date", f"{today - timedelta(days=40)}", "--end-date",
                                     f"{today - timedelta(days=2)}", "--analysis", "summary", "--format", "json",
                                     "--output-dir", "-", "--quiet"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


def test_days_deleted_before_any_sync_are_named_and_the_day_the_mirror_kept_is_read(
        aws_env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bucket_and_mirror(tmp_path)
    document = sync(capsys, tmp_path)
    today = datetime.now(UTC).date()
    # The objects of day D are due at the midnight 31 days after D began, and taken as deleted a day later; the sync
    # reads the day after the period too (late calls of its last day), which holds nothing and is not due.
    gone = [today - timedelta(days=n) for n in range(40, 31, -1) if n != 35]
    spans = f"{gone[0]} .. {gone[4]}, {gone[5]} .. {gone[-1]}"
    assert document["summary"]["calls"] == 2 + 3
    [line] = [w for w in document["warnings"] if "lifecycle rule of their bucket" in w]
    assert line == (f"the logs of {spans} (UTC) in {REGION} have been deleted by a lifecycle rule of their bucket "
                    f"before the mirror copied them, and those of {today - timedelta(days=31)} may have been (S3 "
                    "deletes expired objects some time after they are due), so any calls of those days are missing "
                    "from these figures, and no report of the bucket can give them: lifecycle rule 'expire-logs' of "
                    f"bucket {BUCKET} deletes log objects 30 days after they are written")
    assert [w for w in document["warnings"] if w.startswith(f"1 mirror files of {REGION} for these days are no "
                                                            "longer in")]


def test_a_refused_read_of_the_rules_names_the_empty_days_and_the_permission(
        aws_env: dict[str, str], moto_endpoint: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    bucket_and_mirror(tmp_path)
    with refusing_proxy(moto_endpoint, lambda method, path: path == f"/{BUCKET}?lifecycle") as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL_S3", f"http://127.0.0.1:{proxy.server_port}")
        monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
        document = sync(capsys, tmp_path)
    assert proxy.refused == [f"GET /{BUCKET}?lifecycle"]
    [line] = [w for w in document["warnings"] if "lifecycle rules" in w]
    today = datetime.now(UTC).date()
    # the days of the period without a record: all but 35 days ago (the mirror's) and 2 days ago (the bucket's); the
    # day after it, read for late calls, is no day of the report
    spans = f"{today - timedelta(days=40)} .. {today - timedelta(days=36)}, {today - timedelta(days=34)} .. " \
            f"{today - timedelta(days=3)}"
    assert line == (f"{REGION} has no log object of {spans} (UTC) in s3://{BUCKET}/ nor in the mirror, and the "
                    "bucket's lifecycle rules could not be read, so whether those days had no calls or a rule deleted "
                    "their logs before the mirror copied them (their calls then missing from these figures) is not "
                    "known: grant s3:GetLifecycleConfiguration on the bucket (iam/report-reader.json grants it on "
                    "bedrock-logs-* buckets)")


def test_the_note_of_rules_not_read_is_worded_in_korean(
        aws_env: dict[str, str], moto_endpoint: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The note as the mirror makes it, through the Korean page's list of warnings: no English of ours left."""
    bucket_and_mirror(tmp_path)
    today = datetime.now(UTC).date()
    with refusing_proxy(moto_endpoint, lambda method, path: path == f"/{BUCKET}?lifecycle") as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL_S3", f"http://127.0.0.1:{proxy.server_port}")
        monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
        [result] = mirror_logs(Aws.connect(), (REGION,), Period(today - timedelta(days=40), today - timedelta(days=2)),
                               tmp_path)
    [note] = result.expiry_notes()
    assert "S3 Glacier" not in note and "Athena" not in note
    assert english_left([note]) == {}


@pytest.mark.slow
def test_the_day_read_after_the_period_for_late_calls_is_not_named(
        aws_env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A sync of the 16 days to 35 days ago: the day after them, which it reads for calls written late, holds no
    record and has been deleted too, but is no day of the report, and is not named."""
    bucket_and_mirror(tmp_path)
    today = datetime.now(UTC).date()
    code = bedrock_tracker_cli.main(["--engine", "local", "--sync", "--logs-dir", str(tmp_path), "--region", REGION,
                                     "--start-date", f"{today - timedelta(days=50)}", "--end-date",
                                     f"{today - timedelta(days=35)}", "--analysis", "summary", "--format", "json",
                                     "--output-dir", "-", "--quiet"])
    out, err = capsys.readouterr()
    assert code == 0, err
    # due 31 days after a day began, taken as deleted a day later: all of them, the day after them (34 days ago) too
    gone = f"{today - timedelta(days=50)} .. {today - timedelta(days=36)}"
    [line] = [w for w in json.loads(out)["warnings"] if "lifecycle rule of their bucket" in w]
    assert line.startswith(f"the logs of {gone} (UTC) in {REGION} have been deleted by a lifecycle rule of their "
                           "bucket before the mirror copied them, so any calls")
