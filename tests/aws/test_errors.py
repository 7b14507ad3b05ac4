"""AWS failures as users see them, and the IAM policy files against what the scripts call.

The ClientErrors here are built the way botocore builds them from AWS's answers; nothing of ours is replaced.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError, NoCredentialsError

from bedrock_usage.aws.provisioning import bucket_name
from bedrock_usage.aws.session import IAM_ACTIONS, Aws, as_project_error, describe
from bedrock_usage.errors import SetupRequired, UsageError
from tests.conftest import ROOT

IAM_DIR = Path(__file__).resolve().parents[2] / "iam"


def client_error(code: str, message: str, operation: str, status: int = 400) -> ClientError:
    return ClientError(
        {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}}, operation
    )


def policy(name: str) -> dict[str, Any]:
    return json.loads((IAM_DIR / name).read_text())


def actions(document: dict[str, Any]) -> set[str]:
    found: set[str] = set()
    for statement in document["Statement"]:
        found.update([statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"])
    return found


def test_missing_credentials_name_the_fix() -> None:
    error = as_project_error(NoCredentialsError())
    assert isinstance(error, SetupRequired) and "aws configure" in str(error) and "--profile" in str(error)


def test_expired_and_rejected_credentials_are_setup_steps() -> None:
    expired = as_project_error(client_error("ExpiredToken", "The security token included has expired", "ListBuckets"))
    assert isinstance(expired, SetupRequired) and "expired" in str(expired)
    rejected = as_project_error(client_error("InvalidClientTokenId", "The token is invalid", "GetCallerIdentity"))
    assert isinstance(rejected, SetupRequired) and "InvalidClientTokenId" in str(rejected)


@pytest.mark.parametrize(
    ("code", "message", "operation", "status", "needed"),
    [
        (
            "AccessDeniedException",
            "User: arn:aws:iam::123456789012:user/ana is not authorized to perform: glue:CreateTable on resource",
            "CreateTable",
            400,
            "glue:CreateTable",
        ),
        ("AccessDenied", "Access Denied", "PutBucketEncryption", 403, "s3:PutEncryptionConfiguration"),
        ("AccessDenied", "Access Denied", "GetPublicAccessBlock", 403, "s3:GetBucketPublicAccessBlock"),
        ("AccessDenied", "Access Denied", "ListObjectsV2", 403, "s3:ListBucket"),
        (
            "403",
            "<html>Forbidden</html>",
            "GetModelInvocationLoggingConfiguration",
            403,
            "bedrock:GetModelInvocationLoggingConfiguration",
        ),
    ],
)
def test_access_denied_names_the_iam_action(code: str, message: str, operation: str, status: int, needed: str) -> None:
    error = as_project_error(client_error(code, message, operation, status), "iam/setup-admin.json")
    assert isinstance(error, SetupRequired)
    assert str(error) == f"access denied: this identity needs {needed} (see iam/setup-admin.json)"


def test_other_failures_are_one_readable_line() -> None:
    page = "<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>"
    failure = client_error("500", page, "ListFoundationModels", 500)
    assert as_project_error(failure) is None
    assert describe(failure) == (
        "ListFoundationModels failed: 500: the service answered with an error page (is this API available here?)"
    )
    throttled = client_error("ThrottlingException", "Rate exceeded\nsecond line", "StartQueryExecution")
    assert describe(throttled) == "StartQueryExecution failed: ThrottlingException: Rate exceeded"


@pytest.mark.slow
@pytest.mark.parametrize("command", [
    ["qcli_s3_analyzer.py", "--bucket", "Bad_Bucket{x}"],
    ["generate_test_data.py", "--simulate", "--regions", "us-east-1", "--bucket", "logs-123456789012-{region}"],
    ["bedrock_tracker_cli.py", "--engine", "local", "--sync", "--logs-dir", "mirror", "--log-bucket", "Bad_Bucket{x}",
     "--region", "us-east-1"]])
def test_a_bucket_name_aws_refuses_is_an_options_mistake(aws_env: dict[str, str], tmp_path: Path,
                                                          command: list[str]) -> None:
    """botocore refuses the name before any request (its reason on a second line, once cut off): exit 1 with the
    rule, never 'setup needed' with the reason lost."""
    done = subprocess.run([sys.executable, str(ROOT / command[0]), *command[1:]], cwd=tmp_path, env=aws_env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1, done.stderr
    assert "Invalid bucket name" in done.stderr and "3 to 63 lowercase letters, digits, dots and hyphens" in done.stderr
    assert "Traceback" not in done.stderr and "regex" not in done.stderr


@pytest.mark.parametrize("template", ["{region.x}-b", "{account[0]}-b", "{region!r}-b", "{region:>12}-b", "b-{",
                                      "b}-x", "{0}-b"])
def test_a_placeholder_other_than_account_or_region_is_an_options_mistake(template: str) -> None:
    """str.format follows an attribute, index, conversion or format spec; a bucket name takes the bare two only."""
    with pytest.raises(UsageError, match=r"the only placeholders allowed are \{account\} and \{region\}"):
        bucket_name(template, "123456789012", "us-east-1")
    assert bucket_name("b-{account}-{region}", "123456789012", "us-east-1") == "b-123456789012-us-east-1"


def test_unknown_profile_is_a_usage_error(no_aws_env: dict[str, str]) -> None:
    with pytest.raises(UsageError, match="no-such-profile"):
        Aws.connect("no-such-profile")


@pytest.mark.parametrize("name", ["report-reader.json", "setup-admin.json", "test-data-generator.json",
                                  "test-role.json"])
def test_policy_files_are_well_formed_allow_only_policies(name: str) -> None:
    document = policy(name)
    assert document["Version"] == "2012-10-17"
    sids = [statement["Sid"] for statement in document["Statement"]]
    assert len(sids) == len(set(sids))
    for statement in document["Statement"]:
        assert statement["Effect"] == "Allow" and statement["Action"] and statement["Resource"]
    for action in actions(document):
        service, _, name_part = action.partition(":")
        assert service in {"s3", "bedrock", "glue", "athena", "iam", "sts", "cloudwatch", "ce", "sns", "kms",
                           "bcm-data-exports", "identitystore"}, action
        assert name_part.isalnum(), action


def test_setup_admin_grants_exactly_the_setup_calls() -> None:
    # The operations setup_bedrock_logging.py and setup_athena_bucket.py make (see the spec), with the object
    # reads and writes Athena's test query makes on the caller's behalf.
    setup_operations = [
        "CreateBucket", "GetBucketLocation", "GetPublicAccessBlock", "PutPublicAccessBlock", "GetBucketEncryption",
        "PutBucketEncryption", "GetBucketPolicy", "PutBucketPolicy", "GetBucketLifecycleConfiguration",
        "PutBucketLifecycleConfiguration", "GetBucketVersioning", "GetObjectLockConfiguration", "ListObjectsV2",
        "GetModelInvocationLoggingConfiguration", "PutModelInvocationLoggingConfiguration", "GetDatabase",
        "CreateDatabase", "GetTable", "CreateTable",
        "UpdateTable", "GetWorkGroup", "CreateWorkGroup", "UpdateWorkGroup", "StartQueryExecution",
        "GetQueryExecution", "GetQueryResults", "StopQueryExecution",
    ]  # fmt: skip
    # --compact: Athena writes the Parquet files and adds the table's partitions with the caller's rights.
    compaction = {"glue:GetPartition", "glue:GetPartitions", "glue:BatchCreatePartition", "s3:AbortMultipartUpload"}
    expected = {IAM_ACTIONS[operation] for operation in setup_operations} | {"s3:GetObject", "s3:PutObject"}
    expected |= compaction
    # --cur: the account's Data Exports exports are listed and read, and the export is created when none fits.
    expected |= {"bcm-data-exports:ListExports", "bcm-data-exports:GetExport", "bcm-data-exports:CreateExport"}
    # The test query reads the logs of an SSE-KMS bucket through S3 with the caller's rights.
    expected |= {"kms:Decrypt"}
    # A log bucket's default encryption naming its key by id or ARN: the KMS aliases tell whether it is aws/s3.
    expected |= {"kms:ListAliases"}
    assert actions(policy("setup-admin.json")) == expected


def test_report_reader_only_writes_query_results() -> None:
    document = policy("report-reader.json")
    assert "bedrock:GetModelInvocationLoggingConfiguration" in actions(document)
    reads = ("Get", "List", "Describe")
    changing = {action for action in actions(document) if not action.split(":")[1].startswith(reads)}
    # sns:Publish sends the budget alerts of --check-budgets --notify-sns to the user's own topic.
    # kms:Decrypt reads SSE-KMS logs; glue:CreateDatabase only on the default database, which Athena requires.
    assert changing == {"athena:StartQueryExecution", "athena:StopQueryExecution", "s3:PutObject", "sns:Publish",
                        "kms:Decrypt", "glue:CreateDatabase"}
    for statement in document["Statement"]:
        if "s3:PutObject" in statement["Action"]:
            assert statement["Resource"] == "arn:*:s3:::bedrock-analytics-*/query-results/*"
        if "glue:CreateDatabase" in statement["Action"]:
            assert statement["Resource"] == ["arn:*:glue:*:*:catalog", "arn:*:glue:*:*:database/default"]
        if "kms:Decrypt" in statement["Action"]:
            assert statement["Condition"] == {"StringLike": {"kms:ViaService": "s3.*.amazonaws.com"}}


def test_test_data_generator_touches_only_the_test_roles() -> None:
    boundary = "arn:*:iam::*:policy/BedrockUsageTestRole"
    for statement in policy("test-data-generator.json")["Statement"]:
        granted = [statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"]
        if granted == ["iam:GetPolicy"]:
            assert statement["Resource"] == boundary
        elif any(action.startswith(("iam:", "sts:")) for action in granted):
            assert statement["Resource"] == "arn:*:iam::*:role/*-BedrockRole"
        # A role is created only inside the boundary and given only the fixed policy: no escalation through it.
        assert "iam:PutRolePolicy" not in granted and "iam:PutRolePermissionsBoundary" not in granted
        if "iam:CreateRole" in granted:
            assert granted == ["iam:CreateRole"]
            assert statement["Condition"] == {"ArnLike": {"iam:PermissionsBoundary": boundary}}
        if "iam:AttachRolePolicy" in granted:
            assert granted == ["iam:AttachRolePolicy"]
            assert statement["Condition"] == {"ArnLike": {"iam:PolicyARN": boundary}}
