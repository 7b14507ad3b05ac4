"""Does a log bucket's policy let Bedrock write? Policies written out by hand, as users and AWS docs write them."""

from __future__ import annotations

from typing import Any

import pytest

from bedrock_usage.aws.logging_status import bedrock_write_verdict

ACCOUNT = "123456789012"
BUCKET = "bedrock-logs-123456789012-us-east-1"
REGION = "us-east-1"

TLS_DENY = {
    "Sid": "DenyInsecureTransport",
    "Effect": "Deny",
    "Principal": "*",
    "Action": "s3:*",
    "Resource": [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"],
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}


def allow(**changes: Any) -> dict[str, Any]:
    statement = {
        "Sid": "AllowBedrock",
        "Effect": "Allow",
        "Principal": {"Service": "bedrock.amazonaws.com"},
        "Action": "s3:PutObject",
        "Resource": f"arn:aws:s3:::{BUCKET}/bedrock-logs/AWSLogs/{ACCOUNT}/BedrockModelInvocationLogs/*",
        "Condition": {
            "StringEquals": {"aws:SourceAccount": ACCOUNT},
            "ArnLike": {"aws:SourceArn": f"arn:aws:bedrock:{REGION}:{ACCOUNT}:*"},
        },
    }
    statement.update(changes)
    return statement


def verdict(*statements: dict[str, Any]) -> bool | None:
    return bedrock_write_verdict(
        {"Version": "2012-10-17", "Statement": list(statements)}, BUCKET, "bedrock-logs/", ACCOUNT, REGION
    ).allows


@pytest.mark.parametrize(
    ("statements", "allows"),
    [
        ([TLS_DENY, allow()], True),
        # The form in the original README's troubleshooting section: no conditions, the whole bucket.
        ([allow(Resource=f"arn:aws:s3:::{BUCKET}/*", Condition={})], True),
        ([allow(Action=["s3:GetObject", "s3:PutObject"], Principal={"Service": ["bedrock.amazonaws.com"]})], True),
        ([allow(Principal="*", Action="s3:*", Condition={})], True),
        ([TLS_DENY], False),
        ([allow(Resource=f"arn:aws:s3:::{BUCKET}/other-prefix/*")], False),
        ([allow(Resource="arn:aws:s3:::another-bucket/*")], False),
        ([allow(Principal={"Service": "logging.s3.amazonaws.com"})], False),
        ([allow(Action="s3:GetObject")], False),
        ([allow(Condition={"ArnLike": {"aws:SourceArn": f"arn:aws:bedrock:eu-west-1:{ACCOUNT}:*"}})], False),
        ([allow(Condition={"StringEquals": {"aws:SourceAccount": "999999999999"}})], False),
        ([allow(), {**allow(), "Sid": "NoBedrock", "Effect": "Deny", "Condition": {}}], False),
        ([allow(Condition={"StringEquals": {"aws:SourceOrgID": "o-abc"}})], None),
    ],
)
def test_verdict(statements: list[dict[str, Any]], allows: bool | None) -> None:
    assert verdict(*statements) is allows


def test_a_bucket_without_policy_is_not_writable() -> None:
    result = bedrock_write_verdict(None, BUCKET, "bedrock-logs/", ACCOUNT, REGION)
    assert result.allows is False and "has no policy" in result.reason


def test_a_policy_whose_statement_is_one_object_is_evaluated() -> None:
    policy = {"Version": "2012-10-17", "Id": "one", "Statement": allow()}
    assert bedrock_write_verdict(policy, BUCKET, "bedrock-logs/", ACCOUNT, REGION).allows is True


@pytest.mark.parametrize(
    ("not_principal", "allows"),
    [
        # Deny everyone except an admin role: Bedrock is among "everyone", so its writes are denied.
        ({"AWS": f"arn:aws:iam::{ACCOUNT}:role/admin"}, False),
        # Deny everyone except Bedrock: its writes are not denied.
        ({"Service": "bedrock.amazonaws.com"}, True),
    ],
)
def test_a_deny_with_not_principal(not_principal: dict[str, Any], allows: bool) -> None:
    deny = {"Sid": "OnlyListed", "Effect": "Deny", "NotPrincipal": not_principal, "Action": "s3:PutObject",
            "Resource": f"arn:aws:s3:::{BUCKET}/*"}
    assert verdict(allow(), deny) is allows
