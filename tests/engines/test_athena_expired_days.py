"""An Athena report over days a lifecycle rule of the log bucket has deleted says so: their calls are gone from the
bucket, so every report of it lacks them. S3 counts an Expiration's days from an object's creation to the next
midnight UTC and deletes expired objects asynchronously (Amazon S3 User Guide, "Lifecycle configuration elements",
"Expiring objects"). Through the CLI's main() against moto (its Athena runs no SQL), the logs table as setup writes it
and the bucket's lifecycle rules as S3 returns them; the Korean page's wording through the page's own list of
warnings."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import bedrock_tracker_cli
from bedrock_usage.aws.session import Aws
from bedrock_usage.engines.athena import AthenaEngine
from bedrock_usage.logs.period import Period
from bedrock_usage.report.tracker import BedrockAthenaTracker
from tests.dashboard.test_korean_page_english_left import english_left
from tests.engines.test_athena_archived_days import BUCKET, LOGS, REGION, WARNING, logs_on_athena, report, rule

DELETED = "have been deleted by a lifecycle rule of their bucket"
GONE = "so any calls of those days are missing from these figures, and no report of the bucket can give them"


def expire(prefix: str, days: int = 30, rule_id: str = "expire-logs") -> dict[str, Any]:
    return {"ID": rule_id, "Status": "Enabled", "Filter": {"Prefix": prefix}, "Expiration": {"Days": days}}


def test_days_past_an_expiration_are_named_deleted_with_the_rule_and_the_mirror_that_keeps_them(
        aws_env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    """Expire after 30 days, archive after 10: the days deleted are not said to be maybe archived too."""
    logs_on_athena(rules=[expire("AWSLogs/"), rule(LOGS, days=10)])
    today = datetime.now(UTC).date()
    document = report(capsys, 40)
    # The objects of day D are due at the midnight 31 days after D began, and taken as deleted a day later.
    days = [today - timedelta(days=n) for n in range(40, -1, -1)]
    deleted = [day for day in days if day + timedelta(days=31 + 1) <= today]
    maybe = [day for day in days if day + timedelta(days=31) == today]
    archived = [day for day in days if day + timedelta(days=11) <= today and day not in deleted]
    assert document["scan"]["days_deleted"] == {REGION: [day.isoformat() for day in deleted]}
    assert document["scan"]["days_maybe_deleted"] == {REGION: [day.isoformat() for day in maybe]}
    assert document["scan"]["days_maybe_archived"] == {REGION: [day.isoformat() for day in archived]}
    [line] = [w for w in document["warnings"] if DELETED in w]
    assert line == (f"the logs of {deleted[0]} .. {deleted[-1]} (UTC) in {REGION} {DELETED}, and those of {maybe[0]} "
                    f"may have been (S3 deletes expired objects some time after they are due), {GONE}: lifecycle rule "
                    f"'expire-logs' of bucket {BUCKET} deletes log objects 30 days after they are written; a mirror "
                    "made with --sync before they expired keeps its copies, which --engine local --sync (or "
                    "--logs-dir MIRROR) reads")
    [archive] = [w for w in document["warnings"] if WARNING in w]
    assert archive.startswith(f"the logs of {archived[0]} .. {archived[-1]} (UTC) {WARNING}")


def test_a_date_or_a_filter_on_tags_is_a_maybe_and_other_expirations_say_nothing(
        aws_env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    """A tagged rule's filter is not evaluated: its days may have been deleted, never are said to be. Noncurrent
    versions' expiry, delete markers', another prefix's and a disabled rule's delete no current log object."""
    tagged = {"ID": "tagged", "Status": "Enabled", "Filter": {"And": {"Prefix": LOGS, "Tags": [
        {"Key": "class", "Value": "scratch"}]}}, "Expiration": {"Days": 5}}
    quiet = [{"ID": "old-versions", "Status": "Enabled", "Filter": {"Prefix": ""},
              "NoncurrentVersionExpiration": {"NoncurrentDays": 1}},
             {"ID": "markers", "Status": "Enabled", "Filter": {"Prefix": ""},
              "Expiration": {"ExpiredObjectDeleteMarker": True}},
             expire("other-team/", 1, "other"), {**expire(LOGS, 1, "off"), "Status": "Disabled"}]
    logs_on_athena(rules=[tagged, *quiet])
    today = datetime.now(UTC).date()
    document = report(capsys, 10)
    maybe = [today - timedelta(days=n) for n in range(10, 5, -1)]  # due 6 days after the day began
    assert document["scan"]["days_deleted"] == {}
    assert document["scan"]["days_maybe_deleted"] == {REGION: [day.isoformat() for day in maybe]}
    [line] = [w for w in document["warnings"] if "deleted" in w]
    assert line.startswith(f"the logs of {maybe[0]} .. {maybe[-1]} (UTC) in {REGION} may have been deleted by a "
                           "lifecycle rule of their bucket (S3 deletes expired objects some time after they are due)")
    assert (f"lifecycle rule 'tagged' of bucket {BUCKET} deletes log objects 5 days after they are written (its "
            "filter on object tags is not evaluated: it may take log objects)") in line
    assert not [name for name in ("old-versions", "markers", "'other'", "'off'") if name in line]


def test_a_rule_not_due_yet_says_nothing(aws_env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    logs_on_athena(rules=[expire("AWSLogs/", 30)])
    document = report(capsys, 29)
    assert document["scan"]["days_deleted"] == {} == document["scan"]["days_maybe_deleted"]
    assert not [w for w in document["warnings"] if "deleted" in w]


@pytest.mark.slow
def test_the_terminal_report_says_it(aws_env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    logs_on_athena(rules=[{"ID": "since", "Status": "Enabled", "Filter": {"Prefix": ""},
                           "Expiration": {"Date": datetime(2020, 1, 1, tzinfo=UTC)}}])
    today = datetime.now(UTC).date()
    code = bedrock_tracker_cli.main(["--engine", "athena", "--region", REGION, "--start-date",
                                     f"{today - timedelta(days=3)}", "--end-date", f"{today}", "--quiet"])
    out = " ".join(capsys.readouterr().out.split())
    assert code == 0
    # from the Date on, every day's objects are due once written: deleted but yesterday's, which may be
    assert (f"the logs of {today - timedelta(days=3)} .. {today - timedelta(days=2)} (UTC) in {REGION} {DELETED}, and "
            f"those of {today - timedelta(days=1)} may have been") in out, out
    assert f"lifecycle rule 'since' of bucket {BUCKET} deletes log objects from 2020-01-01 on" in out, out


@pytest.mark.slow
def test_the_korean_page_words_the_warning_in_korean(aws_env: dict[str, str]) -> None:
    """A report's warning (days deleted and days maybe deleted), and the other two forms of it."""
    logs_on_athena(rules=[expire("AWSLogs/", 3), {**expire(LOGS, 5, "tagged"), "Filter": {"And": {
        "Prefix": LOGS, "Tags": [{"Key": "class", "Value": "scratch"}]}}}])
    today = datetime.now(UTC).date()
    warned = BedrockAthenaTracker(AthenaEngine(Aws.connect())).analyze(
        Period(today - timedelta(days=8), today - timedelta(days=4)), (REGION,))
    [line] = [w for w in warned.warnings if "deleted" in w]
    expired = warned.stats.days_expired[REGION]
    lines = [line, replace(expired, maybe=()).note(REGION), replace(expired, deleted=()).note(REGION),
             expired.note(REGION, synced=True)]
    assert [note.values["what"].kind for note in lines] == ["expired_both", "expired_deleted", "expired_maybe",
                                                            "expired_both"]
    assert english_left(lines) == {}


def test_the_day_read_after_the_period_for_late_calls_is_not_named_deleted(
        aws_env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    """A UTC report ending 40 days ago, objects expired after 30 days: every day of it has been deleted, and so has
    the day after it, which the scan reads for calls written late but which is no day of the report."""
    logs_on_athena(rules=[expire("AWSLogs/")])
    today = datetime.now(UTC).date()
    first, last = today - timedelta(days=50), today - timedelta(days=40)
    code = bedrock_tracker_cli.main(["--engine", "athena", "--region", REGION, "--start-date", f"{first}",
                                     "--end-date", f"{last}", "--format", "json", "--output-dir", "-", "--quiet"])
    assert code == 0
    document = json.loads(capsys.readouterr().out)
    days = [first + timedelta(days=n) for n in range(11)]
    assert document["scan"]["days_deleted"] == {REGION: [day.isoformat() for day in days]}
    [line] = [w for w in document["warnings"] if DELETED in w]
    assert line.startswith(f"the logs of {first} .. {last} (UTC) in {REGION} {DELETED}, {GONE}")
