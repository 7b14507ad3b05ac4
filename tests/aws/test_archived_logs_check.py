"""check_bedrock_logging.py reads the log bucket's lifecycle rules and says, in a line of a region's report and in its
JSON, up to which day a rule may have moved the region's logs where Athena skips them (S3 Glacier Flexible Retrieval,
Deep Archive: Athena User Guide, "Query restored Amazon S3 Glacier objects"). A note, never a fault of the logging:
the exit code stays 0. Through main() against moto; a refused read through a proxy refusing that one request, and the
real reader policy through the policy proxy."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

import check_bedrock_logging
from tests.aws.policy_proxy import policy_document, s3_under_policy
from tests.aws.refusing_proxy import refusing_proxy
from tests.aws.test_existing_configuration import ACCOUNT, team_logging_that_works

REGION = "us-east-2"
BUCKET = f"bedrock-logs-{ACCOUNT}-{REGION}"


def logging_with_rules(rules: list[dict[str, Any]]) -> None:
    """Logging to the region's bucket under audit/, Bedrock let write there, and ``rules`` as its lifecycle."""
    team_logging_that_works(REGION, BUCKET, "audit/")
    boto3.client("s3", region_name=REGION).put_bucket_lifecycle_configuration(
        Bucket=BUCKET, LifecycleConfiguration={"Rules": rules})


def glacier(prefix: str, days: int = 30) -> dict[str, Any]:
    return {"ID": "archive-logs", "Status": "Enabled", "Filter": {"Prefix": prefix},
            "Transitions": [{"Days": days, "StorageClass": "GLACIER"}]}


def check(capsys: pytest.CaptureFixture[str], fmt: str = "json") -> Any:
    """The check's JSON document (or table text) for the region, which must exit 0."""
    assert check_bedrock_logging.main(["--regions", REGION, "--format", fmt]) == 0
    out = capsys.readouterr().out
    return json.loads(out)["regions"][0] if fmt == "json" else out


def test_the_newest_day_a_glacier_rule_may_have_archived_is_said_with_the_rule(
        aws_env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    logging_with_rules([glacier("audit/AWSLogs/")])
    status = check(capsys)
    # S3 moves an object 30 days after it is written, counted to the next midnight UTC
    newest = datetime.now(UTC).date() - timedelta(days=31)
    assert status["archived_through"] == newest.isoformat()
    assert status["archive_note"].startswith(f"the logs of {newest} and before may be archived (lifecycle rule "
                                             f"'archive-logs' of bucket {BUCKET} moves log objects to S3 Glacier "
                                             "Flexible Retrieval 30 days after they are written): an Athena report "
                                             "skips archived log objects not restored without a word")
    assert "--engine local --sync" in status["archive_note"] and status["verdict"] == "no_logs"
    assert f"  ℹ️ {status['archive_note']}\n" in check(capsys, "table")


def test_a_rule_for_another_prefix_says_nothing(aws_env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    logging_with_rules([glacier("other-team/", days=0)])
    status = check(capsys)
    assert status["archived_through"] is None and status["archive_note"] is None


def test_a_refused_lifecycle_read_is_a_note_naming_the_permission_and_the_check_passes(
        aws_env: dict[str, str], moto_endpoint: str, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    logging_with_rules([glacier("audit/")])
    with refusing_proxy(moto_endpoint, lambda method, path: path == f"/{BUCKET}?lifecycle") as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL_S3", f"http://127.0.0.1:{proxy.server_port}")
        monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
        status = check(capsys)
    assert status["archived_through"] is None and status["verdict"] == "no_logs"
    assert status["archive_note"] == (
        f"the lifecycle rules of log bucket {BUCKET} ({REGION}) could not be read, so whether any moved log objects to "
        "S3 Glacier, which Athena skips without a word unless restored, or deleted them is not checked: "
        "grant "
        "s3:GetLifecycleConfiguration on the bucket (iam/report-reader.json grants it on bedrock-logs-* buckets)")


def test_the_reader_policy_lets_the_check_read_the_rules(
        aws_env: dict[str, str], moto_endpoint: str, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    logging_with_rules([glacier("")])
    with s3_under_policy(moto_endpoint, policy_document("report-reader")) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL_S3", f"http://127.0.0.1:{proxy.port}")
        status = check(capsys)
    assert proxy.denied == [] and proxy.unknown == []
    assert status["archived_through"] == (datetime.now(UTC).date() - timedelta(days=31)).isoformat()


@pytest.mark.slow
def test_the_days_an_expiration_has_deleted_are_said_beside_those_archived_from_one_read(
        aws_env: dict[str, str], moto_endpoint: str, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """One rule archives after 30 days and deletes after 365 (Amazon S3 User Guide, "Expiring objects": S3 deletes
    expired objects asynchronously): the objects of a day are due at the midnight 366 days after it began, and
    taken as deleted a day later. The rules are read once for both."""
    logging_with_rules([{**glacier("audit/AWSLogs/"), "Expiration": {"Days": 365}}])
    reads: list[str] = []
    with refusing_proxy(moto_endpoint, lambda method, path: reads.append(f"{method} {path}") and False) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL_S3", f"http://127.0.0.1:{proxy.server_port}")
        status = check(capsys)
        assert [read for read in reads if read.endswith("?lifecycle")] == [f"GET /{BUCKET}?lifecycle"]
        table = check(capsys, "table")
    today = datetime.now(UTC).date()
    deleted, maybe = today - timedelta(days=367), today - timedelta(days=366)
    assert status["expired_through"] == maybe.isoformat() and status["verdict"] == "no_logs"
    assert status["expiry_note"] == (
        f"the logs of {deleted} and before have been deleted, and those of {maybe} may have been (lifecycle rule "
        f"'archive-logs' of bucket {BUCKET} deletes log objects 365 days after they are written; S3 deletes expired "
        "objects some time after they are due): a report over those days lacks their calls, which no report of the "
        "bucket can give, and warns of such days of its period; a mirror made with --sync before they expired keeps "
        "its copies, which --engine local --sync (or --logs-dir MIRROR) reads")
    assert status["archived_through"] == (today - timedelta(days=31)).isoformat()
    assert f"  ℹ️ {status['expiry_note']}\n  ℹ️ {status['archive_note']}\n" in table


def test_an_expiration_of_another_prefix_or_of_noncurrent_versions_says_nothing(
        aws_env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    logging_with_rules([{"ID": "other", "Status": "Enabled", "Filter": {"Prefix": "other-team/"},
                         "Expiration": {"Days": 1}},
                        {"ID": "versions", "Status": "Enabled", "Filter": {"Prefix": ""},
                         "NoncurrentVersionExpiration": {"NoncurrentDays": 1}}])
    status = check(capsys)
    assert status["expired_through"] is None and status["expiry_note"] is None


FOLDER = f"audit/AWSLogs/{ACCOUNT}/BedrockModelInvocationLogs/{REGION}/"  # the region's, under which its days lie


def test_a_rule_on_a_year_folder_names_that_year_s_days_and_the_folder(
        aws_env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    """A rule whose prefix is one year's folder archives that year's days only, as a report's per-day check finds,
    not every day up to 30 days ago."""
    year = datetime.now(UTC).year - 2
    logging_with_rules([glacier(f"{FOLDER}{year}/")])
    status = check(capsys)
    assert status["archived_through"] == f"{year}-12-31"
    assert status["archive_note"].startswith(
        f"the logs of {year}-01-01 .. {year}-12-31 may be archived (lifecycle rule 'archive-logs' of bucket {BUCKET} "
        f"moves log objects under {FOLDER}{year}/ to S3 Glacier Flexible Retrieval 30 days after they are written): ")


def test_a_rule_on_a_month_folder_not_yet_due_says_nothing(
        aws_env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    today = datetime.now(UTC).date()
    logging_with_rules([glacier(f"{FOLDER}{today:%Y/%m}/", days=40)])
    status = check(capsys)
    assert status["archived_through"] is None and status["archive_note"] is None


def test_the_archive_line_leaves_out_the_days_an_expiration_has_deleted(
        aws_env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    """Archived after 30 days, deleted after 365: the days deleted (due 366 days on, taken as deleted a day later)
    are no longer archived, as a report leaves them out; the line names the days from the first not yet deleted."""
    logging_with_rules([{**glacier("audit/AWSLogs/"), "Expiration": {"Days": 365}}])
    status = check(capsys)
    today = datetime.now(UTC).date()
    first, last = today - timedelta(days=366), today - timedelta(days=31)
    assert status["archived_through"] == last.isoformat()
    assert status["archive_note"].startswith(f"the logs of {first} .. {last} may be archived (lifecycle rule "
                                             f"'archive-logs' of bucket {BUCKET} moves log objects to S3 Glacier")


def test_an_expiration_of_some_months_names_those_days_and_its_folders(
        aws_env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    """An expiration on the folders of January to September of a year (prefix ``YYYY/0``) has deleted those days
    only; an archive rule of the whole year then leaves October to December."""
    year = datetime.now(UTC).year - 2
    logging_with_rules([glacier(f"{FOLDER}{year}/", days=0),
                        {"ID": "drop", "Status": "Enabled", "Filter": {"Prefix": f"{FOLDER}{year}/0"},
                         "Expiration": {"Days": 1}}])
    status = check(capsys)
    assert status["expired_through"] == f"{year}-09-30"
    assert status["expiry_note"].startswith(
        f"the logs of {year}-01-01 .. {year}-09-30 have been deleted (lifecycle rule 'drop' of bucket {BUCKET} deletes "
        f"log objects under {FOLDER}{year}/0 1 days after they are written; ")
    assert status["archive_note"].startswith(f"the logs of {year}-10-01 .. {year}-12-31 may be archived (")
