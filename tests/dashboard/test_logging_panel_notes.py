"""The dashboard's logging panel shows what check_bedrock_logging.py notes of a region's log bucket: the days a
lifecycle rule of it has deleted or may have archived, from one read of its rules, in English and in Korean, and the
region's problems in Korean on the Korean page. Through the page (AppTest) against moto."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest

from bedrock_usage.cache import CACHE_ENV
from tests.dashboard.helpers import checked, open_app, shown

REGION = "eu-west-1"
BUCKET = "team-logs"
RULE = {"ID": "retain", "Status": "Enabled", "Filter": {"Prefix": "AWSLogs/"},
        "Transitions": [{"Days": 30, "StorageClass": "GLACIER"}], "Expiration": {"Days": 365}}


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_panel_notes_the_days_deleted_and_archived_and_words_problems_in_the_page_s_language(
        aws_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, lang: str) -> None:
    """The bucket has no policy (a problem) and a rule archiving after 30 days and deleting after 365."""
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_bucket_lifecycle_configuration(Bucket=BUCKET, LifecycleConfiguration={"Rules": [RULE]})
    boto3.client("bedrock", region_name=REGION).put_model_invocation_logging_configuration(
        loggingConfig={"s3Config": {"bucketName": BUCKET, "keyPrefix": ""}, "textDataDeliveryEnabled": True})
    at = open_app(lang=lang, regions=REGION)
    at = checked(at.button(key="check_logging_button").click().run())
    today = datetime.now(UTC).date()
    # S3 counts a rule's days to the midnight after an object is written; expired objects are taken as deleted a
    # day after they are due
    deleted, maybe, archived = (today - timedelta(days=n) for n in (367, 366, 31))
    notes = [shown(info.value) for info in at.info if str(maybe) in info.value or str(archived) in info.value]
    [line] = [shown(w.value) for w in at.warning if w.value.startswith(f"**{REGION}**")]
    if lang == "en":
        assert len(notes) == 2 and notes[0].startswith(
            f"the logs of {deleted} and before have been deleted, and those of {maybe} may have been (lifecycle rule "
            f"'retain' of bucket {BUCKET} deletes log objects 365 days after they are written"), notes
        # the days the rule has deleted are no longer archived: the archive line names those after them
        assert notes[1].startswith(f"the logs of {maybe} .. {archived} may be archived (lifecycle rule 'retain' of "
                                   f"bucket {BUCKET} moves log objects to S3 Glacier Flexible Retrieval 30 days after "
                                   "they are written)"), notes
        assert f"bucket {BUCKET} has no policy, so Bedrock cannot write to it" in line, line
    else:
        assert len(notes) == 2 and notes[0].startswith(f"{deleted} 및 그 이전의 로그는 삭제되었고, {maybe} 로그는 "
                                                       "삭제되었을 수 있습니다"), notes
        assert notes[1].startswith(f"{maybe} .. {archived}의 로그는 아카이브되었을 수 있습니다"), notes
        assert f"버킷 {BUCKET} 에 정책이 없어 Bedrock 이 쓸 수 없습니다" in line, line
        assert not re.search(r"\b(?:deleted|archived|written|cannot)\b", " ".join([*notes, line])), (notes, line)
