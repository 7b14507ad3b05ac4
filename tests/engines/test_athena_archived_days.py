"""An Athena report over days a lifecycle rule of the log bucket may have archived says so: Athena skips an object in
S3 Glacier Flexible Retrieval or Deep Archive that is not restored without a word (Athena User Guide, "Query restored
Amazon S3 Glacier objects"). Through the CLI's main() against moto (its Athena runs no SQL), the logs table as setup
writes it, and the bucket's lifecycle rules as S3 returns them; a refused read goes through the policy proxy, which
refuses what iam/report-reader.json does not grant."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import boto3
import pytest
from botocore.exceptions import ClientError

import bedrock_tracker_cli
from bedrock_usage.aws.athena_setup import table_input
from bedrock_usage.aws.log_lifecycle import not_checked
from bedrock_usage.aws.logging_config import LogLocation
from bedrock_usage.aws.session import Aws
from bedrock_usage.dashboard.tables import warning_lines
from bedrock_usage.dashboard.text import Text
from bedrock_usage.engines.athena import AthenaEngine
from bedrock_usage.logs.period import Period
from bedrock_usage.logs.schema import DATABASE_NAME
from bedrock_usage.report.tracker import BedrockAthenaTracker
from tests.aws.policy_proxy import policy_document, s3_under_policy
from tests.dashboard.helpers import shown
from tests.engines.test_athena_engine import ACCOUNT, create_workgroup

REGION = "us-east-1"
BUCKET = f"bedrock-logs-{ACCOUNT}-{REGION}"
LOGS = f"AWSLogs/{ACCOUNT}/BedrockModelInvocationLogs/{REGION}/"
WARNING = f"in {REGION} may be archived, and Athena skips archived log objects not restored without a word"


def logs_on_athena(bucket: str = BUCKET, rules: list[dict[str, Any]] | None = None) -> None:
    """The log bucket with ``rules`` as its lifecycle configuration, and the logs table setup makes over it."""
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket=bucket)
    if rules:
        s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": rules})
    glue = boto3.client("glue", region_name=REGION)
    glue.create_database(DatabaseInput={"Name": DATABASE_NAME})
    glue.create_table(DatabaseName=DATABASE_NAME,
                      TableInput=table_input(LogLocation(bucket, ""), ACCOUNT, REGION, date(2020, 1, 1)))
    create_workgroup(REGION)


def rule(prefix: str, storage_class: str = "GLACIER", days: int = 30, rule_id: str = "archive-logs") -> dict[str, Any]:
    return {"ID": rule_id, "Status": "Enabled", "Filter": {"Prefix": prefix},
            "Transitions": [{"Days": days, "StorageClass": storage_class}]}


def report(capsys: pytest.CaptureFixture[str], back: int, zone: str = "UTC") -> dict[str, Any]:
    """The JSON report of the last ``back`` days through today (in ``zone``), which must exit 0."""
    today = datetime.now(ZoneInfo(zone)).date()
    code = bedrock_tracker_cli.main(["--engine", "athena", "--region", REGION, "--start-date",
                                     f"{today - timedelta(days=back)}", "--end-date", f"{today}", "--format", "json",
                                     "--output-dir", "-", "--quiet", "--tz", zone])
    assert code == 0
    return json.loads(capsys.readouterr().out)


def test_days_past_a_glacier_transition_are_named_with_the_rule_and_what_to_do(
        aws_env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    logs_on_athena(rules=[rule("AWSLogs/")])
    document = report(capsys, 40)
    today = datetime.now(UTC).date()
    # S3 moves an object 30 days after it is written, counted to the next midnight UTC: a day's objects are all
    # eligible from the midnight 31 days after the day began.
    expected = [today - timedelta(days=n) for n in range(40, -1, -1) if n >= 31]
    assert document["scan"]["days_maybe_archived"] == {REGION: [day.isoformat() for day in expected]}
    [line] = [w for w in document["warnings"] if WARNING in w]
    assert line.startswith(f"the logs of {expected[0]} .. {expected[-1]} (UTC) {WARNING}")
    assert (f"lifecycle rule 'archive-logs' of bucket {BUCKET} moves log objects to S3 Glacier Flexible Retrieval 30 "
            "days after they are written") in line
    assert "restore those days' log objects" in line and "--engine local --sync" in line


def test_a_report_in_another_zone_names_the_utc_days_as_utc(
        aws_env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    """A Seoul report's days begin at 15:00 UTC the day before, so its first day's records sit in two UTC day
    folders: the warning names the folders' days, and says they are UTC days, not the report's."""
    logs_on_athena(rules=[rule("AWSLogs/")])
    seoul = ZoneInfo("Asia/Seoul")
    first_day = datetime.now(seoul).date() - timedelta(days=40)
    first_folder = datetime.combine(first_day, datetime.min.time(), seoul).astimezone(UTC).date()
    newest = datetime.now(UTC).date() - timedelta(days=31)  # 30 days, counted to the next midnight UTC
    expected = [first_folder + timedelta(days=n) for n in range((newest - first_folder).days + 1)]
    assert first_folder == first_day - timedelta(days=1)  # 00:00 in Seoul is 15:00 UTC the day before
    document = report(capsys, 40, "Asia/Seoul")
    assert document["scan"]["days_maybe_archived"] == {REGION: [day.isoformat() for day in expected]}
    [line] = [w for w in document["warnings"] if WARNING in w]
    assert line.startswith(f"the logs of {expected[0]} .. {expected[-1]} (UTC) {WARNING}")


def test_a_rule_of_another_prefix_or_a_class_athena_reads_says_nothing(
        aws_env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    logs_on_athena(rules=[rule("other-team/", days=0), rule(LOGS, "STANDARD_IA", rule_id="infrequent"),
                          {**rule(LOGS, days=1), "Status": "Disabled", "ID": "off"}])
    document = report(capsys, 40)
    assert document["scan"]["days_maybe_archived"] == {}
    assert not [w for w in document["warnings"] if "lifecycle" in w]


@pytest.mark.slow
def test_a_filter_on_tags_or_intelligent_tiering_is_a_maybe_said_so(
        aws_env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    tagged = {"ID": "tagged", "Status": "Enabled", "Filter": {"And": {"Prefix": LOGS, "Tags": [
        {"Key": "class", "Value": "cold"}]}}, "Transitions": [{"Days": 5, "StorageClass": "DEEP_ARCHIVE"}]}
    logs_on_athena(rules=[tagged, rule("", "INTELLIGENT_TIERING", days=0, rule_id="tiering")])
    document = report(capsys, 100)
    today = datetime.now(UTC).date()
    # the tagged rule: 5 days; Intelligent-Tiering: moved after 0 days, archived after 90 more without access
    expected = [today - timedelta(days=n) for n in range(100, -1, -1) if n >= 6]
    assert document["scan"]["days_maybe_archived"] == {REGION: [day.isoformat() for day in expected]}
    [line] = [w for w in document["warnings"] if WARNING in w]
    assert ("lifecycle rule 'tagged' of bucket " f"{BUCKET} moves log objects to S3 Glacier Deep Archive 5 days after "
            "they are written (its filter on object tags is not evaluated: it may take log objects)") in line
    assert ("lifecycle rule 'tiering' of bucket " f"{BUCKET} moves log objects to S3 Intelligent-Tiering 0 days after "
            "they are written, whose archive tiers, if the bucket turns them on (they are opt-in), take objects not "
            "read for 90 days or more") in line


def test_a_refused_lifecycle_read_is_a_note_naming_the_permission_not_a_failure(
        aws_env: dict[str, str], moto_endpoint: str, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A team's log bucket, whose name iam/report-reader.json does not cover: AWS refuses the lifecycle read."""
    bucket = "team-llm-logs"
    logs_on_athena(bucket, [rule("AWSLogs/")])
    with s3_under_policy(moto_endpoint, policy_document("report-reader")) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL_S3", f"http://127.0.0.1:{proxy.port}")
        monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
        document = report(capsys, 40)
    assert proxy.denied == [f"s3:GetLifecycleConfiguration arn:aws:s3:::{bucket}"] and proxy.unknown == []
    assert document["scan"]["days_maybe_archived"] == {}
    [note] = [w for w in document["warnings"] if "lifecycle" in w]
    assert note == (f"the lifecycle rules of log bucket {bucket} ({REGION}) could not be read, so whether any moved "
                    "log objects to S3 Glacier, which Athena skips without a word unless restored, or deleted them is "
                    "not checked: "
                    "grant s3:GetLifecycleConfiguration on the bucket (iam/report-reader.json grants it on "
                    "bedrock-logs-* buckets)")


def test_the_reader_policy_grants_the_lifecycle_read_on_log_buckets(
        aws_env: dict[str, str], moto_endpoint: str, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    logs_on_athena(rules=[rule("AWSLogs/")])
    with s3_under_policy(moto_endpoint, policy_document("report-reader")) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL_S3", f"http://127.0.0.1:{proxy.port}")
        document = report(capsys, 40)
    assert proxy.denied == [] and proxy.unknown == []
    assert REGION in document["scan"]["days_maybe_archived"]


@pytest.mark.slow
def test_the_korean_page_words_the_warning_and_the_note_in_korean(aws_env: dict[str, str]) -> None:
    logs_on_athena(rules=[rule("AWSLogs/")])
    today = datetime.now(UTC).date()
    tracker = BedrockAthenaTracker(AthenaEngine(Aws.connect()))
    warned = tracker.analyze(Period(today - timedelta(days=40), today), (REGION,))
    [line] = [w for w in warned.warnings if WARNING in w]
    note = not_checked("bedrock-logs-elsewhere", REGION, ClientError(
        {"Error": {"Code": "AccessDenied", "Message": "Access Denied"}}, "GetBucketLifecycleConfiguration"))
    for english in (line, note):
        [korean] = warning_lines(Text("ko"), [english])
        assert re.search("[\uac00-\ud7a3]", shown(korean)) and shown(korean) != english
    assert "s3:GetLifecycleConfiguration" in shown(warning_lines(Text("ko"), [note])[0])


def test_the_day_read_after_the_period_for_late_calls_is_not_named(
        aws_env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    """A New York report of 41 days ending 40 days ago: its hours fall on the UTC days from its first to the day after
    its last (its evenings are the next UTC morning), which the warning names; the day after those, which the scan
    reads for calls written late, is no day of the report and is not named, though it may be archived too."""
    logs_on_athena(rules=[rule("AWSLogs/")])
    york = ZoneInfo("America/New_York")
    today = datetime.now(york).date()
    first, last = today - timedelta(days=80), today - timedelta(days=40)
    folders = [datetime.combine(day, datetime.min.time(), york).astimezone(UTC).date() for day in (first, last)]
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), york).astimezone(UTC)
    expected = [folders[0] + timedelta(days=n) for n in range(((end - timedelta(microseconds=1)).date()
                                                                - folders[0]).days + 1)]
    assert expected[-1] == last + timedelta(days=1)  # 19:00 or 20:00 in New York is midnight UTC
    code = bedrock_tracker_cli.main(["--engine", "athena", "--region", REGION, "--start-date", f"{first}",
                                     "--end-date", f"{last}", "--format", "json", "--output-dir", "-", "--quiet",
                                     "--tz", "America/New_York"])
    assert code == 0
    document = json.loads(capsys.readouterr().out)
    assert document["scan"]["days_maybe_archived"] == {REGION: [day.isoformat() for day in expected]}
    [line] = [w for w in document["warnings"] if WARNING in w]
    assert line.startswith(f"the logs of {expected[0]} .. {expected[-1]} (UTC) {WARNING}")
