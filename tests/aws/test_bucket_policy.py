"""Does a log bucket's policy let Bedrock write? Policies written out by hand, as users and AWS docs write them."""

from __future__ import annotations

from typing import Any

import pytest

from bedrock_usage.aws.logging_status import bedrock_write_verdict, grants_bedrock_writes

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


def deny_when(condition: dict[str, Any]) -> dict[str, Any]:
    """A Deny of every principal's PutObject on the whole bucket under ``condition``."""
    return {"Sid": "Guard", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
            "Resource": f"arn:aws:s3:::{BUCKET}/*", "Condition": condition}


ORG = "o-abc123"


@pytest.mark.parametrize(
    ("condition", "allows"),
    [
        # IAM User Guide, "Condition operators": a key missing from the request context makes a negated operator true
        # and any other false, unless ...IfExists. A service principal belongs to no organization, so its request
        # has no aws:PrincipalOrgID or aws:PrincipalOrgPaths ("AWS global condition context keys").
        ({"StringNotEquals": {"aws:PrincipalOrgID": ORG}}, False),
        ({"StringNotLike": {"aws:PrincipalOrgPaths": f"{ORG}/*"}}, False),
        ({"StringEquals": {"aws:PrincipalOrgID": ORG}}, True),
        ({"StringNotEqualsIfExists": {"aws:PrincipalOrgID": ORG}}, False),  # ...IfExists: a missing key holds
        ({"Null": {"aws:PrincipalOrgID": "true"}}, False),
        ({"Null": {"aws:PrincipalOrgID": "false"}}, True),
        # The data perimeter's form: the Deny spares AWS services, Bedrock among them.
        ({"StringNotEqualsIfExists": {"aws:PrincipalOrgID": ORG},
          "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}, True),
        # A service principal's request carries aws:PrincipalIsAWSService (true) and aws:PrincipalServiceName.
        ({"Bool": {"aws:PrincipalIsAWSService": "false"}}, True),
        ({"StringNotEquals": {"aws:PrincipalServiceName": "bedrock.amazonaws.com"}}, True),
        ({"StringNotEquals": {"aws:PrincipalServiceName": "cloudtrail.amazonaws.com"}}, False),
        # Key names are matched ignoring case, values as the operator says.
        ({"StringNotEquals": {"aws:sourceaccount": "999999999999"}}, False),
        ({"StringNotEquals": {"AWS:SOURCEACCOUNT": ACCOUNT}}, True),
        ({"Null": {"aws:SourceArn": "false"}}, False),
        ({"Bool": {"aws:securetransport": "false"}}, True),
        # Keys a service principal's request may or may not carry cannot be decided.
        ({"StringNotEquals": {"aws:PrincipalAccount": ACCOUNT}}, None),
        ({"Null": {"s3:x-amz-server-side-encryption": "true"}}, None),
        # One condition that fails is enough for the Deny not to apply, whatever the others.
        ({"StringEquals": {"aws:SourceAccount": "999999999999"}, "Null": {"s3:x-amz-server-side-encryption": "true"}},
         True),
    ],
)
def test_a_deny_over_keys_of_the_request_context(condition: dict[str, Any], allows: bool | None) -> None:
    assert verdict(allow(), deny_when(condition)) is allows


@pytest.mark.parametrize(
    ("condition", "allows"),
    [
        ({"StringEquals": {"aws:sourceaccount": ACCOUNT}}, True),
        ({"ArnLike": {"aws:SourceArn": "arn:aws:bedrock:*:*:*"}}, True),
        ({"ArnEquals": {"aws:SourceArn": f"arn:aws:bedrock:{REGION}:{ACCOUNT}:*"}}, True),
        ({"ArnLike": {"aws:SourceArn": "arn:aws:bedrock:*:999999999999:*"}}, False),
        ({"StringEquals": {"aws:PrincipalOrgID": ORG}}, False),
    ],
)
def test_an_allow_over_keys_of_the_request_context(condition: dict[str, Any], allows: bool) -> None:
    assert verdict(allow(Condition=condition)) is allows


def test_an_allow_that_cannot_be_decided_does_not_hide_one_that_applies() -> None:
    unknown = allow(Sid="Maybe", Condition={"StringEquals": {"aws:SourceOrgID": ORG}})
    assert verdict(allow(), unknown) is True
    assert verdict(unknown) is None
    assert verdict(TLS_DENY, deny_when({"Null": {"s3:x-amz-server-side-encryption": "true"}})) is False


SOURCE = f"arn:aws:bedrock:{REGION}:{ACCOUNT}:"


@pytest.mark.parametrize(
    ("condition", "allows"),
    [
        # IAM User Guide, "Condition operators": StringEquals matches exactly, * is no wildcard there; Bedrock's
        # SourceArn is a specific ARN of the region and account (its resource unknown), so it may or may not equal it.
        ({"StringEquals": {"aws:SourceAccount": ACCOUNT, "aws:SourceArn": f"{SOURCE}*"}}, None),
        ({"StringLike": {"aws:SourceArn": f"{SOURCE}*"}}, True),
        ({"StringLike": {"aws:SourceArn": f"arn:aws:bedrock:{REGION}:*"}}, True),
        ({"StringEqualsIgnoreCase": {"aws:SourceArn": SOURCE.upper() + "*"}}, None),
        # One ARN, or a pattern over some resources only: some ARNs of the region match, others not.
        ({"ArnEquals": {"aws:SourceArn": f"{SOURCE}model/x"}}, None),
        ({"ArnLike": {"aws:SourceArn": f"{SOURCE}model/*"}}, None),
        # Patterns no ARN of the region and account can match.
        ({"StringLike": {"aws:SourceArn": "arn:aws:bedrock:eu-west-1:*"}}, False),
        ({"StringEquals": {"aws:SourceArn": f"arn:aws:bedrock:eu-west-1:{ACCOUNT}:x"}}, False),
        # Two patterns that together cover every ARN, though neither does alone.
        ({"StringLike": {"aws:SourceArn": [f"{SOURCE}?*", SOURCE]}}, True),
    ],
)
def test_an_allow_over_bedrock_s_source_arn(condition: dict[str, Any], allows: bool | None) -> None:
    assert verdict(allow(Condition=condition)) is allows


@pytest.mark.parametrize(
    ("condition", "allows"),
    [
        # Bedrock's SourceArn is never the text ending in *, so this Deny may apply: not "allowed".
        ({"StringNotEquals": {"aws:SourceArn": f"{SOURCE}*"}}, None),
        ({"ArnNotLike": {"aws:SourceArn": f"{SOURCE}*"}}, True),
        ({"StringNotLike": {"aws:SourceArn": "arn:aws:bedrock:eu-west-1:*"}}, False),
        ({"ArnNotLike": {"aws:SourceArn": f"{SOURCE}model/*"}}, None),
    ],
)
def test_a_deny_over_bedrock_s_source_arn(condition: dict[str, Any], allows: bool | None) -> None:
    deny = {**deny_when(condition), "Principal": {"Service": "bedrock.amazonaws.com"}}
    assert verdict(allow(), deny) is allows


@pytest.mark.parametrize(
    ("condition", "allows"),
    [
        # AWS's own TLS-1.2 floor (Knowledge Center, "s3-enforce-modern-tls"): S3 takes TLS 1.2 and 1.3 only, so no
        # write of Bedrock's is under 1.2 and the Deny never applies. It read "? unknown", exit 2, on healthy buckets.
        ({"NumericLessThan": {"s3:TlsVersion": "1.2"}}, True),
        ({"NumericLessThan": {"s3:TlsVersion": 1.2}}, True),
        ({"NumericLessThanEquals": {"s3:TlsVersion": "1.1"}}, True),
        # A TLS-1.3 floor: a write over 1.2 is denied, one over 1.3 not: undecided.
        ({"NumericLessThan": {"s3:TlsVersion": "1.3"}}, None),
        # Denying every version S3 takes: Bedrock is denied.
        ({"NumericGreaterThanEquals": {"s3:TlsVersion": "1.2"}}, False),
        ({"NumericLessThan": {"s3:TlsVersion": "one point two"}}, None),
    ],
)
def test_a_deny_over_the_tls_version(condition: dict[str, Any], allows: bool | None) -> None:
    assert verdict(allow(), deny_when(condition)) is allows


def test_an_unknown_verdict_names_the_condition_it_could_not_decide() -> None:
    condition = {"StringEquals": {"aws:SourceAccount": ACCOUNT, "aws:SourceArn": f"{SOURCE}*"}}
    result = bedrock_write_verdict({"Statement": [allow(Condition=condition)]}, BUCKET, "bedrock-logs/", ACCOUNT,
                                   REGION)
    assert result.allows is None
    assert "statement(s) AllowBedrock (StringEquals aws:SourceArn) apply" in result.reason
    assert f"ArnLike {SOURCE}*" in result.reason


SETUP_RESOURCE = f"arn:aws:s3:::{BUCKET}/bedrock-logs/AWSLogs/{ACCOUNT}/BedrockModelInvocationLogs/*"


@pytest.mark.parametrize(
    ("statement", "grants"),
    [
        (allow(), True),  # setup's own statement under another Sid
        (allow(Resource=f"arn:aws:s3:::{BUCKET}/*", Condition={}), True),  # the whole bucket, no conditions
        (allow(Resource=f"arn:aws:s3:::{BUCKET}/bedrock-logs/AWSLogs/{ACCOUNT}/*"), True),
        (allow(Action=["s3:GetObject", "s3:PutObject"], Principal={"Service": ["bedrock.amazonaws.com"]}), True),
        (allow(Action="s3:*", Resource=["arn:aws:s3:::other/*", f"arn:aws:s3:::{BUCKET}/bedrock-logs/*"]), True),
        (allow(Condition={"StringEquals": {"aws:SourceAccount": [ACCOUNT, "999999999999"]}}), True),
        # narrower, or not the same grant: setup's statement is still added
        ({**allow(), "Effect": "Deny"}, False),
        (allow(Principal="*"), False),  # not the service principal named
        (allow(Principal={"Service": "logging.s3.amazonaws.com"}), False),
        (allow(Action="s3:PutObjectAcl"), False),
        (allow(Resource=f"arn:aws:s3:::{BUCKET}/other-prefix/*"), False),
        (allow(Resource=f"arn:aws:s3:::{BUCKET}/bedrock-logs/AWSLogs/{ACCOUNT}/BedrockModelInvocationLogs/{REGION}/"
                        "2025/*"), False),  # some of the log objects only
        (allow(Resource=f"arn:aws:s3:::{BUCKET}/*/AWSLogs/*"), False),  # a wildcard inside: not decided
        (allow(Condition={"StringEquals": {"aws:SourceAccount": "999999999999"}}), False),
        (allow(Condition={"ArnLike": {"aws:SourceArn": f"arn:aws:bedrock:eu-west-1:{ACCOUNT}:*"}}), False),
        # StringEquals compares the * literally: it may match none of Bedrock's ARNs
        (allow(Condition={"StringEquals": {"aws:SourceArn": f"arn:aws:bedrock:{REGION}:{ACCOUNT}:*"}}), False),
        (allow(Condition={"StringEquals": {"aws:PrincipalAccount": ACCOUNT}}), False),  # a key not decided
        ({**allow(), "NotResource": "arn:aws:s3:::other/*"}, False),
    ],
)
def test_a_statement_grants_what_setup_s_would(statement: dict[str, Any], grants: bool) -> None:
    """Only a statement that lets Bedrock put every log object setup's statement covers, under conditions no
    narrower, is taken for it (expected answers from the IAM User Guide's evaluation rules, by hand)."""
    assert grants_bedrock_writes(statement, SETUP_RESOURCE, BUCKET, "bedrock-logs/", ACCOUNT, REGION) is grants
