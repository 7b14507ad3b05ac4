"""The logging panel's line for one region, from statuses built by hand: a region where a read was only refused
names the read, the permission and the reader policy, and no setup command; a region with a real fault keeps its
repair command. The page reads the line as Markdown: what it says is checked as a reader sees it (``shown``), and the
names and problems in it are shown as written."""

from __future__ import annotations

import re

import pytest

from bedrock_usage.aws.logging_status import RegionLoggingStatus
from bedrock_usage.dashboard.bedrock_tab import logging_line
from bedrock_usage.dashboard.data import RegionCheck
from bedrock_usage.dashboard.text import Text
from tests.dashboard.helpers import shown

ACCOUNT = "123456789012"
COMMAND = "python setup_bedrock_logging.py --regions us-east-1 --bucket team-logs --prefix bedrock/"
LOCATION_REFUSED = "bucket region: access denied: this identity needs s3:GetBucketLocation (see iam/report-reader.json)"
POLICY_REFUSED = "bucket policy: access denied: this identity needs s3:GetBucketPolicy (see iam/report-reader.json)"


def status(**changes: object) -> RegionLoggingStatus:
    """Logging in us-east-1 to team-logs under bedrock/, with ``changes``."""
    fields: dict = {"region": "us-east-1", "enabled": True, "bucket": "team-logs", "prefix": "bedrock/"} | changes
    return RegionLoggingStatus(**fields)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_a_refused_read_names_it_and_the_reader_policy_and_suggests_no_setup(lang: str) -> None:
    refused = status(bucket_region=None, bedrock_can_write=True, problems=(LOCATION_REFUSED,))
    line = shown(logging_line(Text(lang), RegionCheck(refused, COMMAND, ACCOUNT)))
    assert "**us-east-1**" in line and LOCATION_REFUSED in line, line
    assert "iam/report-reader.json" in line.replace(LOCATION_REFUSED, ""), line
    assert "setup_bedrock_logging" not in line and "`" not in line, line


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_a_refused_bucket_policy_says_what_the_policy_must_allow_and_where(lang: str) -> None:
    refused = status(bucket_region="us-east-1", bedrock_can_write=None, problems=(POLICY_REFUSED,))
    line = shown(logging_line(Text(lang), RegionCheck(refused, COMMAND, ACCOUNT)))
    assert POLICY_REFUSED in line and "iam/report-reader.json" in line.replace(POLICY_REFUSED, ""), line
    assert "bedrock.amazonaws.com" in line and "s3:PutObject" in line, line
    assert "`s3://team-logs/bedrock/AWSLogs/123456789012/`" in line, line
    assert "setup_bedrock_logging" not in line, line


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_a_real_fault_keeps_its_repair_command_even_beside_a_refused_read(lang: str) -> None:
    moved = "bucket is in eu-west-1; Bedrock delivers only to a bucket in us-east-1"
    broken = status(bucket_region="eu-west-1", bedrock_can_write=True, problems=(moved,))
    no_write = status(bucket_region=None, bedrock_can_write=False,
                      problems=(LOCATION_REFUSED, "bucket team-logs has no policy, so Bedrock cannot write to it"))
    for region in (broken, no_write):
        line = shown(logging_line(Text(lang), RegionCheck(region, COMMAND, ACCOUNT)))
        assert f"`{COMMAND}`" in line and "; ".join(region.problems) in line, line


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_a_deny_someone_else_wrote_names_the_exemption_and_suggests_no_setup(lang: str) -> None:
    """Setup never changes a statement it did not write, so its command cannot lift an org-only Deny: the line names
    the statement and the exemption instead."""
    denied = status(bucket_region="us-east-1", bedrock_can_write=False, denied_by="OrgOnly",
                    problems=("bucket policy statement OrgOnly denies Bedrock's log writes",))
    line = shown(logging_line(Text(lang), RegionCheck(denied, COMMAND, ACCOUNT)))
    assert "OrgOnly" in line.replace(denied.problems[0], ""), line
    assert "`aws:PrincipalServiceName`" in line and "`bedrock.amazonaws.com`" in line, line
    assert "setup_bedrock_logging" not in line, line


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_a_bucket_on_the_aws_managed_key_says_what_to_set_and_no_setup_command(lang: str) -> None:
    """Setup keeps a bucket's key, so its command would not make the region deliver; nor is it a refused read."""
    key = "bucket team-logs encrypts with the AWS managed key aws/s3: set a customer managed key"
    managed = status(bucket_region="us-east-1", bedrock_can_write=True, kms_key="the AWS managed key aws/s3",
                     aws_managed_key=True, problems=(key,))
    line = shown(logging_line(Text(lang), RegionCheck(managed, COMMAND, ACCOUNT)))
    assert key in line and "setup_bedrock_logging" not in line and "iam/report-reader.json" not in line, line


@pytest.mark.parametrize(("lang", "grants"), [
    ("en", "iam/report-reader.json grants the check's reads of a log bucket only on buckets named bedrock-logs-*: add "
           "the log bucket reader statements of docs/aws-setup.md, \"A team's own bucket names\" (Resource "
           "arn:*:s3:::team-logs) to this identity's policy"),
    ("ko", "iam/report-reader.json 는 이 확인 의 로그 버킷 읽기를 bedrock-logs-* 이름의 버킷에만 허용합니다: "
           "docs/aws-setup.md, \"A team's own bucket names\" 의 log bucket reader 문 (Resource "
           "arn:*:s3:::team-logs) 을 이 ID 의 정책에 추가하세요")])
def test_reads_refused_of_a_team_bucket_name_the_reader_statements_to_add(lang: str, grants: str) -> None:
    """team-logs is no bedrock-logs-* name, on which alone iam/report-reader.json grants the check's reads: the line
    said that policy lists what the check reads; it now says where it grants them and the statements to add."""
    refused = ("bucket region: access denied: this identity needs s3:GetBucketLocation",
               "bucket policy: access denied: this identity needs s3:GetBucketPolicy")
    for write in (True, None):
        team = status(bucket_region=None, bedrock_can_write=write, problems=refused,
                      refused=("s3:GetBucketLocation", "s3:GetBucketPolicy"))
        line = shown(logging_line(Text(lang), RegionCheck(team, COMMAND, ACCOUNT)))
        assert f"({grants})." in line and "; ".join(refused) in line, line
        assert "setup_bedrock_logging" not in line, line


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_markup_in_the_problems_bucket_and_error_is_shown_as_written(lang: str) -> None:
    """A prefix's ``_`` and an ARN's ``*`` read as emphasis in Markdown (``*a* b*``, ``_x_``), and a reads clause
    naming ``arn:*:s3:::BUCKET`` too: each is escaped, as the panel's notes are, and reads as the check wrote it."""
    problems = ("the bucket policy has no statement letting bedrock.amazonaws.com s3:PutObject under "
                "s3://team-logs/my_team_logs/AWSLogs/123456789012/",
                "bucket policy statement Odd's condition on arn:aws:bedrock:us-east-1:123456789012:* cannot be "
                "decided: ArnLike arn:aws:bedrock:*:123456789012:* matches all")
    lines = [logging_line(Text(lang), RegionCheck(status(bucket_region="us-east-1", bedrock_can_write=False,
                                                         problems=problems), COMMAND, ACCOUNT)),
             logging_line(Text(lang), RegionCheck(status(bucket_region=None, bedrock_can_write=None,
                                                         problems=problems, refused=("s3:GetBucketPolicy",)),
                                                  COMMAND, ACCOUNT)),
             logging_line(Text(lang), RegionCheck(status(enabled=False, error="AccessDenied: not *allowed* to_read"),
                                                  COMMAND, ACCOUNT))]
    for line in lines:
        outside_code = re.sub(r"`[^`]*`", "", line).replace("**us-east-1**", "")
        assert not re.search(r"(?<!\\)[*_]", outside_code), line
    assert "; ".join(problems) in shown(lines[0]) and "(Resource arn:*:s3:::team-logs)" in shown(lines[1])
    assert "AccessDenied: not *allowed* to_read" in shown(lines[2])
