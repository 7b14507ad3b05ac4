"""What the setup and check scripts do with what an account already has: logging that delivers elsewhere, bucket
policies in any valid shape, SSE-KMS buckets, other partitions, and settings someone made (a workgroup, a table, a
lifecycle rule, a public access block, a statement with setup's Sid) that are changed only with --replace-existing.
Run as a user runs them, against the moto server.

Expected documents are written out here from the issue and AWS's documentation, never taken from the code.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.exceptions import ClientError
from botocore.validate import ParamValidator

from bedrock_usage.aws.provisioning import bucket_region
from bedrock_usage.errors import SetupRequired
from tests.aws.refusing_proxy import refusing_proxy

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = "123456789012"
TEAM_CONFIG = {
    "s3Config": {"bucketName": "team-llm-logs", "keyPrefix": "audit/"},
    "cloudWatchConfig": {"logGroupName": "team-llm", "roleArn": f"arn:aws:iam::{ACCOUNT}:role/team-logging"},
    "textDataDeliveryEnabled": True,
    "imageDataDeliveryEnabled": False,
    "embeddingDataDeliveryEnabled": True,
    "videoDataDeliveryEnabled": False,
}


def run(script: str, *args: str, env: dict[str, str], cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / script), *args], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=300)


def run_recorded(script: str, *args: str, env: dict[str, str], tmp_path: Path) -> tuple[
        subprocess.CompletedProcess[str], list[tuple[str, str, dict[str, Any]]]]:
    """Run a script as ``run`` does, and return with it every request it sent: (service, operation, parameters)."""
    requests = tmp_path / f"requests-{len(list(tmp_path.iterdir()))}.jsonl"
    env = {**env, "AWS_CALL_LOG": str(tmp_path / "calls.log"), "AWS_CALL_PARAMS": str(requests)}
    result = run("tests/aws_call_recorder.py", str(ROOT / script), *args, env=env)
    return result, [tuple(json.loads(line)) for line in requests.read_text().splitlines()]


def changes_left(stdout: str) -> list[str]:
    """The lines of the resources a run left as they are, without the outcome column."""
    return [line[len("  left as it is "):] for line in stdout.splitlines() if line.startswith("  left as it is ")]


def logging_config(region: str) -> dict[str, Any]:
    answer = boto3.client("bedrock", region_name=region).get_model_invocation_logging_configuration()
    return answer.get("loggingConfig") or {}


def put_logging(region: str, config: dict[str, Any]) -> None:
    boto3.client("bedrock", region_name=region).put_model_invocation_logging_configuration(loggingConfig=config)


def make_bucket(name: str, region: str) -> Any:
    """A bucket someone made, as S3 makes it: encrypted with SSE-S3 by default (every new bucket since January
    2023, Amazon S3 User Guide, "Setting default server-side encryption behavior"; moto makes none)."""
    s3 = boto3.client("s3", region_name=region)
    location = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    s3.create_bucket(Bucket=name, **location)
    s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
    return s3


def logging_to_bucket_on_key(bucket: str, region: str, key: str) -> Any:
    """Logging to a new bucket (no prefix) whose default encryption is SSE-KMS with ``key`` and whose policy lets
    Bedrock write; the bucket's S3 client."""
    s3 = make_bucket(bucket, region)
    rule = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key}}
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [rule]})
    writer = {"Sid": "BedrockWrites", "Effect": "Allow", "Principal": {"Service": "bedrock.amazonaws.com"},
              "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{bucket}/AWSLogs/{ACCOUNT}/*",
              "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}}
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [writer]}))
    put_logging(region, {"s3Config": {"bucketName": bucket, "keyPrefix": ""}, "textDataDeliveryEnabled": True})
    return s3


def bucket_names() -> list[str]:
    return sorted(b["Name"] for b in boto3.client("s3").list_buckets()["Buckets"])


BLOCKS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")


def public_access_block(bucket: str) -> dict[str, bool] | None:
    try:
        return boto3.client("s3").get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    except ClientError as exc:
        assert exc.response["Error"]["Code"] == "NoSuchPublicAccessBlockConfiguration"
        return None


def policy_sids(bucket: str) -> list[str]:
    return [s["Sid"] for s in json.loads(boto3.client("s3").get_bucket_policy(Bucket=bucket)["Policy"])["Statement"]]


def validation_errors(service: str, operation: str, params: dict[str, Any]) -> str:
    """What botocore's model finds wrong with a recorded request ('' when nothing)."""
    shape = botocore.session.get_session().get_service_model(service).operation_model(operation).input_shape
    report = ParamValidator().validate(params, shape)
    return report.generate_report() if report.has_errors() else ""


@pytest.mark.slow
def test_logging_elsewhere_is_kept_reported_and_replaced_only_when_asked(aws_env: dict[str, str]) -> None:
    region = "us-east-2"
    put_logging(region, TEAM_CONFIG)
    old = "s3://team-llm-logs/audit/ + CloudWatch Logs team-llm (text on, image off, embedding on, video off)"
    new = (f"s3://bedrock-logs-{ACCOUNT}-{region}/bedrock-logs/ + CloudWatch Logs team-llm "
           "(text on, image off, embedding on, video off)")
    for extra in ((), ("--dry-run",)):
        kept = run("setup_bedrock_logging.py", "--regions", region, *extra, env=aws_env)
        assert kept.returncode == 2, kept.stdout
        assert f"  left as it is logging configuration {region}: {old} -> {new}\n" in kept.stdout
        assert (f"left as it is: logging configuration {region}; to change it (old -> new above), run again with "
                "--replace-existing") in kept.stdout
        assert "--replace-existing" in kept.stderr and kept.stderr.count("\n") == 1
        assert logging_config(region) == TEAM_CONFIG
        assert bucket_names() == []  # nothing made for a region whose logging is not changed
    document = run("setup_bedrock_logging.py", "--regions", region, "--format", "json", env=aws_env)
    assert document.returncode == 2
    assert "old -> new in each change's differences of the JSON document" in document.stderr
    (kept_change,) = [c for c in json.loads(document.stdout)["regions"][0]["changes"] if c["action"] == "keep"]
    assert kept_change["differences"] == [{"setting": "", "old": old, "new": new}]

    dry = run("setup_bedrock_logging.py", "--regions", region, "--replace-existing", "--dry-run", env=aws_env)
    assert dry.returncode == 0 and f"  would update  logging configuration {region}: {old} -> {new}\n" in dry.stdout
    assert logging_config(region) == TEAM_CONFIG
    replaced = run("setup_bedrock_logging.py", "--regions", region, "--replace-existing", env=aws_env)
    assert replaced.returncode == 0, replaced.stdout + replaced.stderr
    assert f"  updated       logging configuration {region}: {old} -> {new}\n" in replaced.stdout
    assert logging_config(region) == {
        **TEAM_CONFIG,
        "s3Config": {"bucketName": f"bedrock-logs-{ACCOUNT}-{region}", "keyPrefix": "bedrock-logs/"},
    }
    again = run("setup_bedrock_logging.py", "--regions", region, env=aws_env)
    assert again.returncode == 0 and "✅ unchanged" in again.stdout


@pytest.mark.slow
def test_own_destination_keeps_the_delivery_flags_and_only_adds(aws_env: dict[str, str]) -> None:
    region = "eu-west-1"
    assert run("setup_bedrock_logging.py", "--regions", region, "--embedding", env=aws_env).returncode == 0
    assert logging_config(region)["embeddingDataDeliveryEnabled"] is True
    plain = run("setup_bedrock_logging.py", "--regions", region, env=aws_env)
    assert plain.returncode == 0 and "✅ unchanged" in plain.stdout
    assert logging_config(region)["embeddingDataDeliveryEnabled"] is True
    document = run("setup_bedrock_logging.py", "--regions", region, "--image", "--dry-run", "--format", "json",
                   env=aws_env)
    (region_result,) = json.loads(document.stdout)["regions"]
    where = f"s3://bedrock-logs-{ACCOUNT}-{region}/bedrock-logs/"
    assert region_result["changes"][-1] == {
        "resource": f"logging configuration {region}", "action": "update", "applied": False, "detail": "",
        "outcome": "would update", "needed": True, "in_use": False, "differences": [{
            "setting": "", "old": f"{where} (text on, image off, embedding on, video off)",
            "new": f"{where} (text on, image on, embedding on, video off)"}]}
    image = run("setup_bedrock_logging.py", "--regions", region, "--image", env=aws_env)
    assert image.returncode == 0
    assert f"updated       logging configuration {region}: {where} (text on, image off" in image.stdout
    config = logging_config(region)
    assert config["imageDataDeliveryEnabled"] is True and config["embeddingDataDeliveryEnabled"] is True


def test_text_delivery_switched_off_by_someone_is_not_switched_on_silently(aws_env: dict[str, str]) -> None:
    region = "ap-south-1"
    own = {"bucketName": f"bedrock-logs-{ACCOUNT}-{region}", "keyPrefix": "bedrock-logs/"}
    put_logging(region, {"s3Config": own, "textDataDeliveryEnabled": False, "imageDataDeliveryEnabled": True})
    kept = run("setup_bedrock_logging.py", "--regions", region, env=aws_env)
    assert kept.returncode == 2
    where = f"s3://{own['bucketName']}/bedrock-logs/"
    assert (f"left as it is logging configuration {region}: {where} (text off, image on, embedding off, video off) -> "
            f"{where} (text on, image on") in kept.stdout
    assert logging_config(region)["textDataDeliveryEnabled"] is False
    assert run("setup_bedrock_logging.py", "--regions", region, "--replace-existing", env=aws_env).returncode == 0
    config = logging_config(region)
    assert config["textDataDeliveryEnabled"] is True and config["imageDataDeliveryEnabled"] is True


def team_read_statement(bucket: str) -> dict:
    """A statement of the account's own, which setup must keep."""
    return {"Sid": "TeamRead", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
            "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}


@pytest.mark.slow
def test_a_policy_whose_statement_is_one_object_is_merged_keeping_everything(aws_env: dict[str, str]) -> None:
    region = "us-east-1"
    bucket = f"bedrock-logs-{ACCOUNT}-{region}"
    s3 = make_bucket(bucket, region)
    team_read = team_read_statement(bucket)
    # Valid IAM: Statement may be a single object, and Id is an optional element of the document.
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Id": "team-policy",
                                                           "Statement": team_read}))
    dry = run("setup_bedrock_logging.py", "--regions", region, "--dry-run", env=aws_env)
    # The TLS-only statement it lacks is the owner's choice: hardening logs are written without, so left and said
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert "ℹ️ left as the owner has it (setup works without it): " in dry.stdout
    assert "DenyInsecureTransport" in dry.stdout
    added = "statement AllowBedrockLoggingUsEast1 (none) -> added"
    assert f"would update  bucket {bucket}: policy: {added}\n" in dry.stdout
    for extra, sids in (((), ["TeamRead", "AllowBedrockLoggingUsEast1"]),
                        (("--replace-existing",), ["TeamRead", "DenyInsecureTransport", "AllowBedrockLoggingUsEast1"])):
        done = run("setup_bedrock_logging.py", "--regions", region, *extra, env=aws_env)
        assert done.returncode == 0, done.stdout + done.stderr
        policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
        assert policy["Id"] == "team-policy" and policy["Version"] == "2012-10-17"
        assert [s["Sid"] for s in policy["Statement"]] == sids
        assert policy["Statement"][0] == team_read


@pytest.mark.slow
def test_the_aws_managed_key_named_by_its_key_arn_is_the_same_fault(aws_env: dict[str, str],
                                                                    moto_endpoint: str) -> None:
    """A bucket's default encryption may name aws/s3 by its key ARN rather than its alias; the aliases KMS lists for
    the key tell (the alias/aws/ prefix is reserved for AWS managed keys). Aliases that cannot be read leave it
    unknown: the check says which read failed and what it needs, setup says it is unknown."""
    region, bucket = "eu-west-3", "team-key-arn-logs"
    kms = boto3.client("kms", region_name=region)
    (aws_s3,) = [alias["TargetKeyId"] for alias in kms.list_aliases()["Aliases"]
                 if alias["AliasName"] == "alias/aws/s3"]
    key = f"arn:aws:kms:{region}:{ACCOUNT}:key/{aws_s3}"
    logging_to_bucket_on_key(bucket, region, key)
    fault = f"bucket {bucket} encrypts with the AWS managed key aws/s3"

    check = run("check_bedrock_logging.py", "--regions", region, env=aws_env)
    assert check.returncode == 2, check.stdout + check.stderr
    assert "Status: ⚠️ Enabled, not healthy" in check.stdout and f"⚠️ {fault}" in check.stdout
    setup = run("setup_bedrock_logging.py", "--regions", region, "--bucket", bucket, "--prefix", "", env=aws_env)
    assert f"  {fault}" in setup.stdout and "the key policy must let" not in setup.stdout, setup.stdout + setup.stderr

    denied = (400, b'{"__type": "AccessDeniedException", "message": "not authorized to perform kms:ListAliases"}')
    with refusing_proxy(moto_endpoint, lambda method, path: True, answer=denied) as proxy:
        env = {**aws_env, "AWS_ENDPOINT_URL_KMS": f"http://127.0.0.1:{proxy.server_port}"}
        unread = run("check_bedrock_logging.py", "--regions", region, env=env)
        setup_unread = run("setup_bedrock_logging.py", "--regions", region, "--bucket", bucket, "--prefix", "",
                           "--dry-run", env=env)
    assert proxy.refused
    assert unread.returncode == 2 and "Status: ⚠️ Enabled, not all checked" in unread.stdout, unread.stdout
    assert f"whether key {key} is the AWS managed key aws/s3" in unread.stderr and "kms:ListAliases" in unread.stderr
    assert fault not in unread.stdout + unread.stderr
    unknown = f"whether key {key} is the AWS managed key aws/s3, which Bedrock cannot use, is unknown"
    assert unknown in setup_unread.stdout, setup_unread.stdout
    assert f"bucket {bucket} encrypts with SSE-KMS ({key})" in setup_unread.stdout


@pytest.mark.slow
def test_logs_written_under_the_buckets_key_need_no_alias_list(aws_env: dict[str, str], moto_endpoint: str) -> None:
    """A bucket naming a customer managed key by its ARN, whose newest log Bedrock wrote under SSE-KMS: Bedrock can
    use the key whichever it is, so a reader without kms:ListAliases (a reader policy from before it was granted) still
    gets a healthy check, exit 0, and no KMS request is sent."""
    region, bucket = "eu-north-1", "team-cmk-logs"
    key = boto3.client("kms", region_name=region).create_key()["KeyMetadata"]["Arn"]
    s3 = logging_to_bucket_on_key(bucket, region, key)
    s3.put_object(Bucket=bucket, Key=f"AWSLogs/{ACCOUNT}/BedrockModelInvocationLogs/{region}/2026/12/06/09/"
                  "20261206T090000Z_a.json.gz", Body=b"", ServerSideEncryption="aws:kms", SSEKMSKeyId=key)

    with refusing_proxy(moto_endpoint, lambda method, path: True) as proxy:
        env = {**aws_env, "AWS_ENDPOINT_URL_KMS": f"http://127.0.0.1:{proxy.server_port}"}
        check = run("check_bedrock_logging.py", "--regions", region, env=env)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "not all checked" not in check.stdout and "kms:ListAliases" not in check.stdout + check.stderr
    assert not proxy.refused


@pytest.mark.parametrize("named", ["its key ARN", "no key"])
def test_logs_written_under_an_earlier_key_show_nothing_of_the_buckets_aws_managed_key(aws_env: dict[str, str],
                                                                                        named: str) -> None:
    """The bucket's key changed to aws/s3 after Bedrock's newest log was written under a customer managed key: that
    log shows Bedrock could use the earlier key, not this one, so the fault is named (HeadObject's SSEKMSKeyId against
    the bucket's key; aws/s3 named by no key is found through its alias's TargetKeyId)."""
    region, bucket = "ca-central-1", f"team-rekeyed-logs-{len(named)}"
    kms = boto3.client("kms", region_name=region)
    earlier = kms.create_key()["KeyMetadata"]["Arn"]
    (aws_s3,) = [alias["TargetKeyId"] for alias in kms.list_aliases()["Aliases"]
                 if alias["AliasName"] == "alias/aws/s3"]
    s3 = logging_to_bucket_on_key(bucket, region, earlier)
    s3.put_object(Bucket=bucket, Key=f"AWSLogs/{ACCOUNT}/BedrockModelInvocationLogs/{region}/2026/12/06/09/"
                  "20261206T090000Z_a.json.gz", Body=b"", ServerSideEncryption="aws:kms", SSEKMSKeyId=earlier)
    assert run("check_bedrock_logging.py", "--regions", region, env=aws_env).returncode == 0
    default = {"SSEAlgorithm": "aws:kms"}
    if named == "its key ARN":
        default["KMSMasterKeyID"] = f"arn:aws:kms:{region}:{ACCOUNT}:key/{aws_s3}"
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": default}]})

    check = run("check_bedrock_logging.py", "--regions", region, env=aws_env)
    assert check.returncode == 2, check.stdout + check.stderr
    assert f"bucket {bucket} encrypts with the AWS managed key aws/s3" in check.stdout


@pytest.mark.slow
def test_an_sse_kms_bucket_keeps_its_key_and_the_scripts_say_what_the_key_needs(aws_env: dict[str, str]) -> None:
    region = "us-west-2"
    bucket = f"bedrock-logs-{ACCOUNT}-{region}"
    s3 = make_bucket(bucket, region)
    key = boto3.client("kms", region_name=region).create_key()["KeyMetadata"]["Arn"]
    kms_rule = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key}}
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [kms_rule]})
    # --replace-existing blocks public access and adds the TLS-only statement; the key is kept all the same.
    done = run("setup_bedrock_logging.py", "--regions", region, "--replace-existing", env=aws_env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"unchanged     bucket {bucket}: default encryption (SSE-KMS, key {key})\n" in done.stdout
    assert f"bucket {bucket} encrypts with SSE-KMS ({key})" in done.stdout
    assert f"kms:GenerateDataKey for arn:aws:bedrock:{region}:{ACCOUNT}:*" in done.stdout
    rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules[0]["ApplyServerSideEncryptionByDefault"] == kms_rule["ApplyServerSideEncryptionByDefault"]
    check = run("check_bedrock_logging.py", "--regions", region, "--format", "json", env=aws_env)
    assert check.returncode == 0, check.stderr
    (status,) = json.loads(check.stdout)["regions"]
    assert status["kms_key"] == key
    table = run("check_bedrock_logging.py", "--regions", region, env=aws_env)
    assert f"Encryption: SSE-KMS ({key})" in table.stdout and "kms:Decrypt" in table.stdout


@pytest.mark.slow
def test_a_bucket_on_the_aws_managed_key_is_a_fault_the_check_and_setup_name(aws_env: dict[str, str]) -> None:
    """SSE-KMS with no key id is the AWS managed key aws/s3; only a customer managed key's policy can be changed (AWS
    KMS Developer Guide, "Change a key policy"), so aws/s3's cannot let bedrock.amazonaws.com use it as the Bedrock
    User Guide asks: Bedrock cannot write its logs. The check says so with the fix, exit 2; setup's note too."""
    region, bucket = "ap-northeast-2", "team-managed-key-logs"
    s3 = make_bucket(bucket, region)
    managed = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [managed]})
    writer = {"Sid": "BedrockWrites", "Effect": "Allow", "Principal": {"Service": "bedrock.amazonaws.com"},
              "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{bucket}/audit/AWSLogs/{ACCOUNT}/*",
              "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT},
                            "ArnLike": {"aws:SourceArn": f"arn:aws:bedrock:{region}:{ACCOUNT}:*"}}}
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [writer]}))
    put_logging(region, {"s3Config": {"bucketName": bucket, "keyPrefix": "audit/"}, "textDataDeliveryEnabled": True})
    fault = f"bucket {bucket} encrypts with the AWS managed key aws/s3"
    fix = "customer managed key whose key policy lets bedrock.amazonaws.com use kms:GenerateDataKey"

    check = run("check_bedrock_logging.py", "--regions", region, env=aws_env)
    assert check.returncode == 2, check.stdout + check.stderr
    assert "Status: ⚠️ Enabled, not healthy" in check.stdout and f"⚠️ {fault}" in check.stdout
    assert "the key policy must let bedrock.amazonaws.com use kms:GenerateDataKey, and readers" not in check.stdout
    assert check.stderr.count("\n") == 1 and f"logging in {region} cannot deliver ({fault}" in check.stderr
    assert fix in check.stderr and "setup_bedrock_logging.py" not in check.stderr  # setup keeps the key
    document = json.loads(run("check_bedrock_logging.py", "--regions", region, "--format", "json", env=aws_env).stdout)
    assert document["regions"][0]["healthy"] is False and region not in document["fix_commands"]

    setup = run("setup_bedrock_logging.py", "--regions", region, "--bucket", bucket, "--prefix", "audit/",
                env=aws_env)
    assert f"  {fault}" in setup.stdout and fix in setup.stdout, setup.stdout + setup.stderr
    assert "the key policy must let" not in setup.stdout

    # A log written under SSE-KMS since is evidence against the documentation: no fault is claimed then.
    s3.put_object(Bucket=bucket, Key=f"audit/AWSLogs/{ACCOUNT}/BedrockModelInvocationLogs/{region}/2026/12/07/10/"
                  "a.json.gz", Body=b"", ServerSideEncryption="aws:kms")
    arrived = run("check_bedrock_logging.py", "--regions", region, env=aws_env)
    assert arrived.returncode == 0 and fault not in arrived.stdout + arrived.stderr, arrived.stdout + arrived.stderr


@pytest.mark.slow
def test_check_suggests_the_repair_that_keeps_the_destination(aws_env: dict[str, str]) -> None:
    # Logging that cannot deliver: a team bucket without a statement for Bedrock, and a bucket in another region.
    make_bucket("team-llm-logs", "us-east-2")
    put_logging("us-east-2", {"s3Config": {"bucketName": "team-llm-logs", "keyPrefix": "audit/"},
                              "textDataDeliveryEnabled": True})
    make_bucket("far-away-logs", "eu-west-1")
    put_logging("ca-central-1", {"s3Config": {"bucketName": "far-away-logs"}, "textDataDeliveryEnabled": True})
    check = run("check_bedrock_logging.py", "--format", "json", env=aws_env)  # every region with logging to S3
    assert check.returncode == 2
    document = json.loads(check.stdout)
    assert sorted(status["region"] for status in document["regions"]) == ["ca-central-1", "us-east-2"]
    assert document["fix_commands"] == {
        "us-east-2": "python setup_bedrock_logging.py --regions us-east-2 --bucket team-llm-logs --prefix audit/",
        "ca-central-1": "python setup_bedrock_logging.py --regions ca-central-1 --replace-existing",
    }
    assert "--replace-existing" in check.stderr and "--bucket team-llm-logs --prefix audit/" in check.stderr

    repaired = run("setup_bedrock_logging.py", "--regions", "us-east-2", "--bucket", "team-llm-logs", "--prefix",
                   "audit/", env=aws_env)
    # The team's bucket gets the statement Bedrock needs; its missing access block and TLS-only statement are theirs.
    assert repaired.returncode == 0, repaired.stdout  # logging is repaired: the rest is advice
    assert ("ℹ️ left as the owner has it (setup works without it): bucket team-llm-logs: public access block, bucket "
            "team-llm-logs: policy statement DenyInsecureTransport;") in repaired.stdout
    assert logging_config("us-east-2")["s3Config"] == {"bucketName": "team-llm-logs", "keyPrefix": "audit/"}
    fixed = run("check_bedrock_logging.py", "--regions", "us-east-2", env=aws_env)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr


@pytest.mark.slow
def test_check_repairs_setups_own_statement_someone_changed_in_one_run(aws_env: dict[str, str]) -> None:
    """A statement named as setup names its own (AllowBedrockLoggingUsEast2) that no longer lets Bedrock write under
    the prefix is left as it is by setup without --replace-existing: the check's command gives it, so one run of
    that command repairs the region."""
    region, bucket = "us-east-2", "team-llm-logs"
    make_bucket(bucket, region)
    changed = {"Sid": "AllowBedrockLoggingUsEast2", "Effect": "Allow",
               "Principal": {"Service": "bedrock.amazonaws.com"}, "Action": "s3:PutObject",
               "Resource": f"arn:aws:s3:::{bucket}/elsewhere/*"}
    boto3.client("s3").put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17",
                                                                           "Statement": [changed]}))
    put_logging(region, {"s3Config": {"bucketName": bucket, "keyPrefix": "audit/"}, "textDataDeliveryEnabled": True})
    check = run("check_bedrock_logging.py", "--regions", region, "--format", "json", env=aws_env)
    assert check.returncode == 2
    command = json.loads(check.stdout)["fix_commands"][region]
    assert command == (f"python setup_bedrock_logging.py --regions {region} --bucket {bucket} --prefix audit/ "
                       "--replace-existing")
    assert run(*command.split()[1:], env=aws_env).returncode == 0
    fixed = run("check_bedrock_logging.py", "--regions", region, env=aws_env)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr


def test_check_names_logging_someone_set_up_without_s3_or_text_and_the_command_that_repairs_it(
        aws_env: dict[str, str]) -> None:
    """CloudWatch-only logging with text delivery off is logging someone set up, not logging missing; S3 logging
    with text delivery off logs none of the text calls. The check says so, exits 2, and gives the command setup
    runs for each (--replace-existing, as setup turns text delivery on only with it); after it, the check passes."""
    cloudwatch_only, text_off = "us-west-2", "eu-central-1"
    put_logging(cloudwatch_only, {"cloudWatchConfig": TEAM_CONFIG["cloudWatchConfig"],
                                  "textDataDeliveryEnabled": False})
    own = {"bucketName": f"bedrock-logs-{ACCOUNT}-{text_off}", "keyPrefix": "bedrock-logs/"}
    put_logging(text_off, {"s3Config": own, "textDataDeliveryEnabled": False})
    assert run("setup_bedrock_logging.py", "--regions", text_off, "--replace-existing", env=aws_env).returncode == 0
    put_logging(text_off, {**logging_config(text_off), "textDataDeliveryEnabled": False})

    check = run("check_bedrock_logging.py", "--regions", cloudwatch_only, text_off, "--format", "json", env=aws_env)
    assert check.returncode == 2
    document = json.loads(check.stdout)
    commands = document["fix_commands"]
    assert commands == {
        cloudwatch_only: f"python setup_bedrock_logging.py --regions {cloudwatch_only} --replace-existing",
        text_off: f"python setup_bedrock_logging.py --regions {text_off} --replace-existing",
    }
    assert f"logging in {cloudwatch_only} does not deliver to S3 (logs go to CloudWatch only" in check.stderr
    assert f"logging is not configured in {cloudwatch_only}" not in check.stderr
    assert f"logging in {text_off} cannot deliver (text data delivery is off" in check.stderr
    shown = run("check_bedrock_logging.py", "--regions", cloudwatch_only, text_off, env=aws_env).stdout
    assert "Status: ❌ Not delivering to S3" in shown and "⚠️ text data delivery is off" in shown
    table = shown.split("📋 Summary")[1]  # the final table says what the blocks above it say
    assert re.search(rf"{cloudwatch_only} +❌ not to S3", table) and re.search(rf"{text_off} +⚠️ enabled, not", table)
    for region, command in commands.items():
        assert run(*command.split()[1:], env=aws_env).returncode == 0, region
    fixed = run("check_bedrock_logging.py", "--regions", cloudwatch_only, text_off, env=aws_env)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert logging_config(cloudwatch_only)["cloudWatchConfig"] == TEAM_CONFIG["cloudWatchConfig"]


@pytest.mark.slow
def test_check_does_not_take_a_source_arn_ending_in_a_star_for_bedrock_s_arn(aws_env: dict[str, str]) -> None:
    """Bedrock's aws:SourceArn is one ARN of the region and account, not the text ending in *: StringEquals on that
    text (exact, IAM User Guide "Condition operators") may not let it write, and a Deny whose StringNotEquals names
    it may stop it. Neither is "yes": unknown, exit 2, the condition named."""
    region, bucket = "us-east-2", "team-arn-logs"
    s3 = make_bucket(bucket, region)
    put_logging(region, {"s3Config": {"bucketName": bucket, "keyPrefix": "audit/"}, "textDataDeliveryEnabled": True})
    source = f"arn:aws:bedrock:{region}:{ACCOUNT}:*"
    writer = {"Sid": "BedrockWrites", "Effect": "Allow", "Principal": {"Service": "bedrock.amazonaws.com"},
              "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{bucket}/audit/AWSLogs/{ACCOUNT}/*",
              "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT, "aws:SourceArn": source}}}
    guard = {"Sid": "OnlyOurBedrock", "Effect": "Deny", "Principal": {"Service": "bedrock.amazonaws.com"},
             "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{bucket}/*",
             "Condition": {"StringNotEquals": {"aws:SourceArn": source}}}
    ours = {**writer, "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT},
                                    "ArnLike": {"aws:SourceArn": source}}}
    for statements, named in (([writer], "BedrockWrites (StringEquals aws:SourceArn)"),
                              ([ours, guard], "OnlyOurBedrock (StringNotEquals aws:SourceArn)")):
        s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": statements}))
        check = run("check_bedrock_logging.py", "--regions", region, env=aws_env)
        assert check.returncode == 2, check.stdout + check.stderr
        assert "Bedrock Can Write: ? unknown" in check.stdout and "✅ yes" not in check.stdout
        assert f"could not confirm that Bedrock can deliver in {region} (cannot tell whether bucket policy " \
               f"statement(s) {named} apply to Bedrock's log writes" in check.stderr


def test_check_reads_an_org_only_deny_as_bedrock_cannot_write_and_says_when_it_cannot_tell(
        aws_env: dict[str, str]) -> None:
    """An org-only Deny (StringNotEquals aws:PrincipalOrgID) applies to Bedrock's service principal, which belongs to
    no organization (IAM User Guide: a missing key makes a negated operator true): Bedrock cannot write, exit 2. A
    Deny over a key the check cannot decide is named on the region's status line, and exits 2 too: delivery is not
    confirmed, the user must look at that statement."""
    region, bucket = "us-east-2", "team-llm-logs"
    s3 = make_bucket(bucket, region)
    put_logging(region, {"s3Config": {"bucketName": bucket, "keyPrefix": "audit/"}, "textDataDeliveryEnabled": True})
    writer = {"Sid": "BedrockWrites", "Effect": "Allow", "Principal": {"Service": "bedrock.amazonaws.com"},
              "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{bucket}/audit/AWSLogs/{ACCOUNT}/*",
              "Condition": {"StringEquals": {"aws:sourceaccount": ACCOUNT}}}
    guard = {"Sid": "OrgOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
             "Resource": f"arn:aws:s3:::{bucket}/*",
             "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "o-abc123"}}}
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [writer, guard]}))
    denied = run("check_bedrock_logging.py", "--regions", region, env=aws_env)
    assert denied.returncode == 2, denied.stdout + denied.stderr
    assert "Bedrock Can Write: ❌ no" in denied.stdout
    assert f"logging in {region} cannot deliver (bucket policy statement OrgOnly denies Bedrock's log writes)" in (
        denied.stderr)

    # in every request, with no documented value for a service principal (IAM User Guide, its "Availability")
    guard["Condition"] = {"StringNotEquals": {"aws:PrincipalAccount": ACCOUNT}}
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [writer, guard]}))
    unknown = run("check_bedrock_logging.py", "--regions", region, env=aws_env)
    assert unknown.returncode == 2, unknown.stdout + unknown.stderr
    assert "Status: ⚠️ Enabled, not all checked" in unknown.stdout and "Bedrock Can Write: ? unknown" in unknown.stdout
    named = "statement(s) OrgOnly (StringNotEquals aws:PrincipalAccount) apply to Bedrock's log writes"
    assert f"⚠️ cannot tell whether bucket policy {named}" in unknown.stdout
    assert unknown.stderr.count("\n") == 1 and (
        f"could not confirm that Bedrock can deliver in {region} (cannot tell whether bucket policy {named}"
    ) in unknown.stderr
    assert f"s3:PutObject under s3://{bucket}/audit/AWSLogs/{ACCOUNT}/" in unknown.stderr
    assert "setup_bedrock_logging.py" not in unknown.stderr  # setup cannot decide it either


@pytest.mark.slow
def test_check_refused_the_bucket_policy_cannot_confirm_delivery(aws_env: dict[str, str], moto_endpoint: str) -> None:
    """A policy the check may not read (no s3:GetBucketPolicy) leaves Bedrock's write unknown: exit 2, not healthy."""
    region, bucket = "us-east-2", "team-llm-logs"
    make_bucket(bucket, region)
    put_logging(region, {"s3Config": {"bucketName": bucket, "keyPrefix": ""}, "textDataDeliveryEnabled": True})
    with refusing_proxy(moto_endpoint, lambda method, path: method == "GET" and path.endswith("?policy")) as proxy:
        env = {**aws_env, "AWS_ENDPOINT_URL_S3": f"http://127.0.0.1:{proxy.server_port}"}
        check = run("check_bedrock_logging.py", "--regions", region, env=env)
    assert proxy.refused
    assert check.returncode == 2, check.stdout + check.stderr
    assert "Bedrock Can Write: ? unknown" in check.stdout and "Traceback" not in check.stderr
    assert f"could not confirm that Bedrock can deliver in {region} (bucket policy: " in check.stderr


@pytest.mark.parametrize(("read", "action", "refuses"), [
    ("bucket region", "s3:GetBucketLocation", lambda method, path: method == "GET" and path.endswith("?location")),
    ("bucket encryption", "s3:GetEncryptionConfiguration",
     lambda method, path: method == "GET" and path.endswith("?encryption")),
    ("newest log", "s3:ListBucket", lambda method, path: method == "GET" and "list-type=2" in path),
], ids=["location", "encryption", "listing"])
def test_check_refused_another_read_of_a_healthy_region_is_not_confirmed(
        aws_env: dict[str, str], moto_endpoint: str, read: str, action: str, refuses: Callable[[str, str], bool]
) -> None:
    """A bucket policy that lets Bedrock write, but the bucket's location (is it in the region?), its encryption (an
    SSE-KMS key may stop delivery) or the newest log (are logs arriving?) refused: not all checked, exit 2, the
    refusal named and no repair command (a refusal is no fault); readable, the same region exits 0. The bucket is
    named as iam/report-reader.json's reads cover, so the line names that policy (a team's bucket:
    test_team_buckets)."""
    region, bucket = "us-east-2", "bedrock-logs-shared-us-east-2"
    s3 = make_bucket(bucket, region)
    put_logging(region, {"s3Config": {"bucketName": bucket, "keyPrefix": ""}, "textDataDeliveryEnabled": True})
    writer = {"Sid": "BedrockWrites", "Effect": "Allow", "Principal": {"Service": "bedrock.amazonaws.com"},
              "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{bucket}/AWSLogs/{ACCOUNT}/*"}
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [writer]}))
    assert run("check_bedrock_logging.py", "--regions", region, env=aws_env).returncode == 0
    with refusing_proxy(moto_endpoint, refuses) as proxy:
        env = {**aws_env, "AWS_ENDPOINT_URL_S3": f"http://127.0.0.1:{proxy.server_port}"}
        check = run("check_bedrock_logging.py", "--regions", region, env=env)
    assert proxy.refused
    assert check.returncode == 2, check.stdout + check.stderr
    assert "Status: ⚠️ Enabled, not all checked" in check.stdout and "Bedrock Can Write: ✅ yes" in check.stdout
    assert check.stderr.strip() == (
        f"check_bedrock_logging.py: could not check all of the logging in {region} ({read}: access denied: this "
        f"identity needs {action} (see iam/report-reader.json)): delivery is not confirmed until these can be read "
        "(iam/report-reader.json lists what the check reads)")
    assert "setup_bedrock_logging.py" not in check.stdout + check.stderr


def test_check_without_regions_when_no_region_logs_names_the_setup_step(aws_env: dict[str, str]) -> None:
    result = run("check_bedrock_logging.py", env=aws_env)
    assert result.returncode == 2
    assert f"delivers to S3 in no region of account {ACCOUNT}" in result.stderr
    assert "setup_bedrock_logging.py --regions REGION" in result.stderr and result.stderr.count("\n") == 1


@pytest.mark.slow
def test_athena_setup_without_regions_covers_every_region_that_logs(aws_env: dict[str, str]) -> None:
    for region in ("us-east-2", "ap-southeast-3"):
        assert run("setup_bedrock_logging.py", "--regions", region, env=aws_env).returncode == 0
    result = run("setup_athena_bucket.py", "--skip-test-query", "--format", "json", env=aws_env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert [r["region"] for r in json.loads(result.stdout)["regions"]] == ["ap-southeast-3", "us-east-2"]


def test_govcloud_setup_writes_arns_of_its_partition(aws_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    region = "us-gov-west-1"
    env = {**aws_env, "AWS_DEFAULT_REGION": region}
    done = run("setup_bedrock_logging.py", "--regions", region, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    bucket = f"bedrock-logs-{ACCOUNT}-{region}"
    statements = json.loads(boto3.client("s3", region_name=region).get_bucket_policy(Bucket=bucket)["Policy"])[
        "Statement"]
    allow = next(s for s in statements if s["Effect"] == "Allow")
    logs = f"bedrock-logs/AWSLogs/{ACCOUNT}/BedrockModelInvocationLogs/*"
    assert allow["Resource"] == f"arn:aws-us-gov:s3:::{bucket}/{logs}"
    assert allow["Condition"]["ArnLike"] == {"aws:SourceArn": f"arn:aws-us-gov:bedrock:{region}:{ACCOUNT}:*"}
    deny = next(s for s in statements if s["Effect"] == "Deny")
    assert set(deny["Resource"]) == {f"arn:aws-us-gov:s3:::{bucket}", f"arn:aws-us-gov:s3:::{bucket}/*"}
    # With GovCloud credentials, "every region" is every Bedrock region of that partition.
    monkeypatch.setenv("AWS_DEFAULT_REGION", region)
    from bedrock_usage.aws.logging_config import logging_regions
    from bedrock_usage.aws.session import Aws

    aws = Aws.connect()
    assert aws.partition() == "aws-us-gov"
    assert logging_regions(aws).regions == (region,)


@pytest.mark.slow
def test_test_data_goes_under_the_prefix_reports_read(aws_env: dict[str, str], tmp_path: Path) -> None:
    region = "eu-central-2"
    assert run("setup_bedrock_logging.py", "--regions", region, env=aws_env).returncode == 0
    bucket = f"bedrock-logs-{ACCOUNT}-{region}"
    s3 = boto3.client("s3", region_name=region)
    policy = s3.get_bucket_policy(Bucket=bucket)["Policy"]
    s3.delete_bucket_policy(Bucket=bucket)  # moto serves plain HTTP, which the TLS-only statement refuses
    written = run("generate_test_data.py", "--simulate", "--bucket", bucket, "--regions", region, "--records", "300",
                  "--start-date", "2025-11-01", "--end-date", "2025-11-03", env=aws_env, cwd=tmp_path)
    assert written.returncode == 0, written.stderr
    keys = [o["Key"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
            for o in page.get("Contents", [])]
    assert keys and all(key.startswith(f"bedrock-logs/AWSLogs/{ACCOUNT}/BedrockModelInvocationLogs/{region}/")
                        for key in keys)
    report = run("bedrock_tracker_cli.py", "--engine", "local", "--sync", "--logs-dir", str(tmp_path / "mirror"),
                 "--start-date", "2025-11-01", "--end-date", "2025-11-03", "--analysis", "summary", "--format", "json",
                 "--output-dir", "-", env=aws_env)
    s3.put_bucket_policy(Bucket=bucket, Policy=policy)
    assert report.returncode == 0, report.stderr
    document = json.loads(report.stdout)
    assert document["regions"] == [region] and document["summary"]["calls"] == 300

    other = make_bucket("scratch-logs", "us-east-1")
    elsewhere = run("generate_test_data.py", "--simulate", "--bucket", "scratch-logs", "--regions", region,
                    "--records", "20", env=aws_env, cwd=tmp_path)
    assert elsewhere.returncode == 0, elsewhere.stderr
    assert f"logging in {region} delivers to s3://{bucket}/, not to s3://scratch-logs/" in elsewhere.stdout
    assert all(o["Key"].startswith("AWSLogs/") for o in other.list_objects_v2(Bucket="scratch-logs")["Contents"])


@pytest.mark.slow
def test_test_roles_are_bounded_by_the_fixed_policy(aws_env: dict[str, str]) -> None:
    iam = boto3.client("iam")
    missing = run("generate_test_data.py", "--create-roles", "--no-calls", "--regions", "us-east-1", env=aws_env)
    assert missing.returncode == 2
    assert "aws iam create-policy --policy-name BedrockUsageTestRole --policy-document file://iam/test-role.json" in (
        missing.stderr)
    with pytest.raises(ClientError, match="NoSuchEntity"):
        iam.get_role(RoleName="ChatbotApp-BedrockRole")
    document = (ROOT / "iam" / "test-role.json").read_text()
    arn = iam.create_policy(PolicyName="BedrockUsageTestRole", PolicyDocument=document)["Policy"]["Arn"]
    done = run("generate_test_data.py", "--create-roles", "--no-calls", "--regions", "us-east-1", env=aws_env)
    assert done.returncode == 0, done.stderr
    role = iam.get_role(RoleName="ChatbotApp-BedrockRole")["Role"]
    assert role["PermissionsBoundary"] == {"PermissionsBoundaryType": "PermissionsBoundaryPolicy",
                                           "PermissionsBoundaryArn": arn}
    assert iam.list_role_policies(RoleName="ChatbotApp-BedrockRole")["PolicyNames"] == []
    attached = iam.list_attached_role_policies(RoleName="ChatbotApp-BedrockRole")["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [arn]


def athena_state(region: str) -> tuple[Any, ...]:
    """The workgroup's configuration, the table's location and the results bucket's lifecycle rules."""
    workgroup = boto3.client("athena", region_name=region).get_work_group(WorkGroup="bedrock-usage")["WorkGroup"]
    table = boto3.client("glue", region_name=region).get_table(DatabaseName="bedrock_analytics",
                                                               Name="bedrock_invocation_logs")["Table"]
    rules = boto3.client("s3", region_name=region).get_bucket_lifecycle_configuration(
        Bucket=f"bedrock-analytics-{ACCOUNT}-{region}")["Rules"]
    return workgroup["Configuration"], table["StorageDescriptor"]["Location"], rules


@pytest.mark.slow
def test_athena_setup_leaves_a_workgroup_table_and_rule_someone_made_and_shows_old_and_new(
        aws_env: dict[str, str], tmp_path: Path) -> None:
    region = "us-east-2"
    results = f"bedrock-analytics-{ACCOUNT}-{region}"
    logs = f"s3://bedrock-logs-{ACCOUNT}-{region}/bedrock-logs/AWSLogs/{ACCOUNT}/BedrockModelInvocationLogs/{region}/"
    boto3.client("athena", region_name=region).create_work_group(Name="bedrock-usage", Configuration={
        "ResultConfiguration": {"OutputLocation": "s3://someone-elses-bucket/results/"},
        "EnforceWorkGroupConfiguration": True})
    glue = boto3.client("glue", region_name=region)
    glue.create_database(DatabaseInput={"Name": "bedrock_analytics"})
    glue.create_table(DatabaseName="bedrock_analytics", TableInput={
        "Name": "bedrock_invocation_logs", "TableType": "EXTERNAL_TABLE",
        "StorageDescriptor": {"Location": "s3://old-bucket/old/",
                              "Columns": [{"Name": "requestid", "Type": "string"}]}})
    s3 = make_bucket(results, region)
    s3.put_public_access_block(Bucket=results, PublicAccessBlockConfiguration=dict.fromkeys(BLOCKS, True))
    s3.put_bucket_lifecycle_configuration(Bucket=results, LifecycleConfiguration={"Rules": [
        {"ID": "expire-query-results", "Filter": {"Prefix": "query-results/"}, "Status": "Enabled",
         "Expiration": {"Days": 7}}]})
    before = athena_state(region)
    options = ("--regions", region, "--log-bucket", "bedrock-logs-{account}-{region}", "--log-prefix", "bedrock-logs/")
    # the rule's other days are kept: only --expire-days changes them (an earlier run's --expire-days 7 looks the same)
    expected = [
        f"Glue table bedrock_analytics.bedrock_invocation_logs: location s3://old-bucket/old/ -> {logs}, ",
        f"Athena workgroup bedrock-usage: output location s3://someone-elses-bucket/results/ -> s3://{results}/"
        "query-results/",
    ]

    dry = run("setup_athena_bucket.py", *options, "--dry-run", env=aws_env)
    kept, requests = run_recorded("setup_athena_bucket.py", *options, "--compact", env=aws_env, tmp_path=tmp_path)
    for result in (dry, kept):
        assert result.returncode == 2, result.stdout + result.stderr
        left = changes_left(result.stdout)
        assert [line[:len(start)] for line, start in zip(left, expected, strict=True)] == expected
        assert f"{region}  ⚠️ left as it is" in result.stdout
        assert result.stderr.count("\n") == 1 and "run again with --replace-existing" in result.stderr
    assert changes_left(dry.stdout) == changes_left(kept.stdout)
    writes = {"UpdateWorkGroup", "UpdateTable", "CreateTable", "PutBucketLifecycleConfiguration",
              "StartQueryExecution"}
    assert not writes & {operation for _, operation, _ in requests}
    assert "test query skipped" in kept.stdout and "--compact skipped" in kept.stdout
    assert athena_state(region) == before

    document = run("setup_athena_bucket.py", *options, "--format", "json", env=aws_env)
    assert document.returncode == 2
    (region_result,) = json.loads(document.stdout)["regions"]
    assert region_result["error"] is None and region_result["left_as_is"] == [
        "Glue table bedrock_analytics.bedrock_invocation_logs", "Athena workgroup bedrock-usage"]
    workgroup = next(c for c in region_result["changes"] if c["resource"] == "Athena workgroup bedrock-usage")
    assert workgroup == {"resource": "Athena workgroup bedrock-usage", "action": "keep", "applied": False,
                         "detail": "", "outcome": "left as it is", "needed": True, "in_use": False, "differences": [
                             {"setting": "output location", "old": "s3://someone-elses-bucket/results/",
                              "new": f"s3://{results}/query-results/"}]}

    asked = run("setup_athena_bucket.py", *options, "--replace-existing", "--dry-run", env=aws_env)
    assert asked.returncode == 0, asked.stdout + asked.stderr
    would = [line[len("  would update  "):] for line in asked.stdout.splitlines() if "would update" in line]
    assert would == changes_left(kept.stdout) and athena_state(region) == before

    replaced, requests = run_recorded("setup_athena_bucket.py", *options, "--replace-existing", env=aws_env,
                                      tmp_path=tmp_path)
    assert f"updated       {expected[0]}" in replaced.stdout
    workgroup_config, location, (rule,) = athena_state(region)
    assert location == logs and rule["Expiration"] == {"Days": 7}
    # moto has no UpdateWorkGroup: the region fails there, after the request shows what was asked for.
    assert replaced.returncode == 2 and "UpdateWorkGroup failed" in replaced.stdout
    assert ("athena", "UpdateWorkGroup", {"WorkGroup": "bedrock-usage", "ConfigurationUpdates": {
        "ResultConfigurationUpdates": {"OutputLocation": f"s3://{results}/query-results/"},
        "EnforceWorkGroupConfiguration": True}}) in requests


@pytest.mark.slow
def test_a_log_bucket_s_public_access_block_is_changed_only_when_asked(aws_env: dict[str, str]) -> None:
    region = "eu-west-3"
    bucket = f"bedrock-logs-{ACCOUNT}-{region}"
    s3 = make_bucket(bucket, region)
    partial = {"BlockPublicAcls": True, "IgnorePublicAcls": False, "BlockPublicPolicy": False,
               "RestrictPublicBuckets": False}
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=partial)
    managed_key = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}  # no key id: aws/s3
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [managed_key]})
    block = (f"bucket {bucket}: public access block: IgnorePublicAcls false -> true, BlockPublicPolicy false -> true, "
             "RestrictPublicBuckets false -> true\n")
    encryption = f"  unchanged     bucket {bucket}: default encryption (SSE-KMS, the AWS managed key aws/s3)\n"
    for extra in ((), ("--dry-run",)):
        kept = run("setup_bedrock_logging.py", "--regions", region, *extra, env=aws_env)
        assert kept.returncode == 0, kept.stdout + kept.stderr  # hardening logs are written without: advice
        assert f"  left as it is {block}" in kept.stdout and encryption in kept.stdout
        advice = f"ℹ️ left as the owner has it (setup works without it): bucket {bucket}: public access block, "
        assert advice in kept.stdout
        assert s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"] == partial

    dry = run("setup_bedrock_logging.py", "--regions", region, "--replace-existing", "--dry-run", env=aws_env)
    assert dry.returncode == 0 and f"  would update  {block}" in dry.stdout
    assert s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"] == partial
    done = run("setup_bedrock_logging.py", "--regions", region, "--replace-existing", env=aws_env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"  updated       {block}" in done.stdout and encryption in done.stdout
    assert s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"] == dict.fromkeys(partial, True)
    rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules[0]["ApplyServerSideEncryptionByDefault"] == managed_key["ApplyServerSideEncryptionByDefault"]


def test_a_statement_with_setup_s_sid_that_says_otherwise_is_replaced_only_when_asked(aws_env: dict[str, str]) -> None:
    region = "us-east-1"
    bucket = f"bedrock-logs-{ACCOUNT}-{region}"
    s3 = make_bucket(bucket, region)
    team_read = team_read_statement(bucket)
    whole_bucket = {"Sid": "AllowBedrockLoggingUsEast1", "Effect": "Allow",
                    "Principal": {"Service": "bedrock.amazonaws.com"}, "Action": "s3:PutObject",
                    "Resource": f"arn:aws:s3:::{bucket}/*"}
    policy = {"Version": "2012-10-17", "Statement": [team_read, whole_bucket]}
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
    logs = f"arn:aws:s3:::{bucket}/bedrock-logs/AWSLogs/{ACCOUNT}/BedrockModelInvocationLogs/*"
    condition = {"StringEquals": {"aws:SourceAccount": ACCOUNT},
                 "ArnLike": {"aws:SourceArn": f"arn:aws:bedrock:{region}:{ACCOUNT}:*"}}
    change = (f"bucket {bucket}: policy: statement AllowBedrockLoggingUsEast1 Resource arn:aws:s3:::{bucket}/* -> "
              f"{logs}, statement AllowBedrockLoggingUsEast1 Condition (none) -> "
              f"{json.dumps(condition, separators=(',', ':'))}\n")
    tls_only = f"bucket {bucket}: policy statement DenyInsecureTransport: (none) -> added\n"
    kept = run("setup_bedrock_logging.py", "--regions", region, env=aws_env)
    assert kept.returncode == 2, kept.stdout + kept.stderr
    assert f"  left as it is {change}" in kept.stdout and f"  left as it is {tls_only}" in kept.stdout
    assert json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"]) == policy
    assert logging_config(region) == {}  # not switched on over a statement setup did not make

    done = run("setup_bedrock_logging.py", "--regions", region, "--replace-existing", env=aws_env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"  updated       {change}" in done.stdout and f"  updated       {tls_only}" in done.stdout
    statements = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])["Statement"]
    assert [s["Sid"] for s in statements] == ["TeamRead", "DenyInsecureTransport", "AllowBedrockLoggingUsEast1"]
    assert statements[0] == team_read
    assert statements[2]["Resource"] == logs and statements[2]["Condition"] == condition


@pytest.mark.slow
@pytest.mark.parametrize("dry_run", [(), ("--dry-run",)])
def test_one_bucket_name_for_several_regions_is_refused_before_anything_is_read(
        dry_run: tuple[str, ...], aws_env: dict[str, str]) -> None:
    regions = ("--regions", "ap-northeast-2", "ap-southeast-1")
    logging = run("setup_bedrock_logging.py", *dry_run, *regions, "--bucket", "shared-logs", env=aws_env)
    athena = run("setup_athena_bucket.py", *dry_run, *regions, "--results-bucket", "shared-results",
                 "--log-bucket", "logs-{region}", "--log-prefix", "", env=aws_env)
    for result, option, name in ((logging, "--bucket", "shared-logs"), (athena, "--results-bucket", "shared-results")):
        assert result.returncode == 1 and result.stdout == ""
        assert result.stderr.count("\n") == 1
        assert f"put {{region}} in the name, e.g. {option} {name}-{{region}}" in result.stderr
    assert "Bedrock logs only to a bucket in the region it logs" in logging.stderr
    assert bucket_names() == []
    one = run("setup_bedrock_logging.py", *dry_run, "--regions", "ap-northeast-2", "--bucket", "shared-logs",
              env=aws_env)
    assert one.returncode == 0, one.stderr


def outcomes(stdout: str) -> list[str]:
    """The resource lines of a run, outcome column included."""
    starts = ("  left as it is ", "  would ", "  created ", "  updated ", "  unchanged ", "  not made ")
    return [line for line in stdout.splitlines() if line.startswith(starts)]


@pytest.mark.slow
def test_logging_is_not_switched_on_while_the_statement_letting_bedrock_write_is_left_as_it_is(
        aws_env: dict[str, str]) -> None:
    region = "us-east-1"
    bucket = f"bedrock-logs-{ACCOUNT}-{region}"
    s3 = make_bucket(bucket, region)
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=dict.fromkeys(BLOCKS, True))
    elsewhere = {"Sid": "AllowBedrockLoggingUsEast1", "Effect": "Allow",
                 "Principal": {"Service": "bedrock.amazonaws.com"}, "Action": "s3:PutObject",
                 "Resource": f"arn:aws:s3:::{bucket}/other-prefix/*"}
    policy = {"Version": "2012-10-17", "Statement": [elsewhere]}
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
    not_made = ("  logging configuration us-east-1 not made: Bedrock's permission to write its logs there (policy "
                "statement AllowBedrockLoggingUsEast1) was left as it is\n")
    for extra in ((), ("--dry-run",)):
        kept = run("setup_bedrock_logging.py", "--regions", region, *extra, env=aws_env)
        assert kept.returncode == 2, kept.stdout + kept.stderr
        assert f"  left as it is bucket {bucket}: policy: statement AllowBedrockLoggingUsEast1 Resource " in kept.stdout
        assert not_made in kept.stdout and kept.stdout.count("logging configuration") == 1
        assert "--replace-existing" in kept.stderr
        assert logging_config(region) == {}
        assert json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"]) == policy

    done = run("setup_bedrock_logging.py", "--regions", region, "--replace-existing", env=aws_env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"  created       logging configuration {region} (s3://{bucket}/bedrock-logs/)\n" in done.stdout
    assert logging_config(region)["s3Config"] == {"bucketName": bucket, "keyPrefix": "bedrock-logs/"}
    writer = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])["Statement"][-1]
    assert writer["Resource"] == f"arn:aws:s3:::{bucket}/bedrock-logs/AWSLogs/{ACCOUNT}/BedrockModelInvocationLogs/*"


@pytest.mark.slow
def test_an_existing_bucket_gets_only_the_statement_bedrock_needs_without_the_option(aws_env: dict[str, str]) -> None:
    region = "ca-central-1"
    bucket = f"bedrock-logs-{ACCOUNT}-{region}"
    s3 = make_bucket(bucket, region)  # no public access block: its owner's choice
    team_read = team_read_statement(bucket)
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [team_read]}))
    block = f"bucket {bucket}: public access block: (none) -> all four blocked"
    writer = f"bucket {bucket}: policy: statement AllowBedrockLoggingCaCentral1 (none) -> added"
    tls_only = f"bucket {bucket}: policy statement DenyInsecureTransport: (none) -> added"
    dry = run("setup_bedrock_logging.py", "--regions", region, "--dry-run", env=aws_env)
    kept = run("setup_bedrock_logging.py", "--regions", region, env=aws_env)
    for result, outcome in ((dry, "would update "), (kept, "updated      ")):
        assert result.returncode == 0, result.stdout + result.stderr  # logs are written: the hardening is advice
        lines = outcomes(result.stdout)
        assert {f"  left as it is {block}", f"  {outcome} {writer}", f"  left as it is {tls_only}"} <= set(lines)
    # Only Bedrock's permission matters for logging: what else was left as it is does not hold it back.
    assert f"  created       logging configuration {region} (s3://{bucket}/bedrock-logs/)" in outcomes(kept.stdout)
    assert logging_config(region)["s3Config"]["bucketName"] == bucket
    assert public_access_block(bucket) is None
    assert policy_sids(bucket) == ["TeamRead", "AllowBedrockLoggingCaCentral1"]

    document = run("setup_bedrock_logging.py", "--regions", region, "--dry-run", "--format", "json", env=aws_env)
    (region_result,) = json.loads(document.stdout)["regions"]
    changes = {change["resource"]: change for change in region_result["changes"]}
    assert changes[f"bucket {bucket}: policy"]["action"] == "none"
    assert changes[f"bucket {bucket}: policy statement DenyInsecureTransport"]["differences"] == [
        {"setting": "", "old": "(none)", "new": "added"}]
    assert region_result["left_as_is"] == []
    assert region_result["hardening_left_as_is"] == [f"bucket {bucket}: public access block",
                                                     f"bucket {bucket}: policy statement DenyInsecureTransport"]

    done = run("setup_bedrock_logging.py", "--regions", region, "--replace-existing", env=aws_env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert {f"  updated       {block}", f"  updated       {tls_only}"} <= set(outcomes(done.stdout))
    assert public_access_block(bucket) == dict.fromkeys(BLOCKS, True)
    assert policy_sids(bucket) == ["TeamRead", "DenyInsecureTransport", "AllowBedrockLoggingCaCentral1"]
    again = run("setup_bedrock_logging.py", "--regions", region, env=aws_env)
    assert again.returncode == 0 and "✅ unchanged" in again.stdout


def test_a_bucket_setup_creates_gets_every_setting_without_the_option(aws_env: dict[str, str]) -> None:
    region = "ap-southeast-2"
    bucket = f"bedrock-logs-{ACCOUNT}-{region}"
    done = run("setup_bedrock_logging.py", "--regions", region, env=aws_env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"  created       bucket {bucket}: policy (DenyInsecureTransport, AllowBedrockLoggingApSoutheast2)" in (
        outcomes(done.stdout))
    assert public_access_block(bucket) == dict.fromkeys(BLOCKS, True)
    assert policy_sids(bucket) == ["DenyInsecureTransport", "AllowBedrockLoggingApSoutheast2"]


@pytest.mark.slow
def test_setups_own_log_bucket_without_a_policy_gets_the_tls_only_statement(aws_env: dict[str, str]) -> None:
    """A first run that stopped before writing the policy (a refused PutBucketPolicy, Ctrl-C) left the bucket setup
    names without one: the next run writes both statements, as into a bucket made now; a bucket of that name with a
    policy of its own keeps the TLS-only statement as advice."""
    region = "eu-west-2"
    bucket = f"bedrock-logs-{ACCOUNT}-{region}"
    make_bucket(bucket, region).put_public_access_block(
        Bucket=bucket, PublicAccessBlockConfiguration=dict.fromkeys(BLOCKS, True))
    done = run("setup_bedrock_logging.py", "--regions", region, env=aws_env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert policy_sids(bucket) == ["DenyInsecureTransport", "AllowBedrockLoggingEuWest2"]
    assert "left as it is" not in done.stdout

    other_region = "eu-west-3"
    other = f"bedrock-logs-{ACCOUNT}-{other_region}"
    make_bucket(other, other_region).put_bucket_policy(Bucket=other, Policy=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Sid": "Audit", "Effect": "Allow", "Action": "s3:GetObject",
                                                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                                                "Resource": f"arn:aws:s3:::{other}/*"}]}))
    kept = run("setup_bedrock_logging.py", "--regions", other_region, env=aws_env)
    assert policy_sids(other) == ["Audit", "AllowBedrockLoggingEuWest3"]
    assert "policy statement DenyInsecureTransport: (none) -> added" in kept.stdout


@pytest.mark.slow
def test_a_refused_policy_still_reports_the_bucket_made_before_it(aws_env: dict[str, str], moto_endpoint: str) -> None:
    """PutBucketPolicy refused (an admin policy without s3:PutBucketPolicy): the run fails, and says it made the
    bucket first (nothing of a missing bucket can be read before), and how to delete it; the public access block and
    encryption, written after the policy, are not made."""
    region = "ca-central-1"
    bucket = f"bedrock-logs-{ACCOUNT}-{region}"
    with refusing_proxy(moto_endpoint, lambda method, path: method == "PUT" and path.endswith("?policy")) as proxy:
        done = run("setup_bedrock_logging.py", "--regions", region, "--format", "json",
                   env={**aws_env, "AWS_ENDPOINT_URL_S3": f"http://127.0.0.1:{proxy.server_port}"})
    assert proxy.refused and done.returncode == 2, done.stdout + done.stderr
    [result] = json.loads(done.stdout)["regions"]
    outcomes = {change["resource"]: change["outcome"] for change in result["changes"]}
    assert outcomes == {f"bucket {bucket}": "created", f"bucket {bucket}: public access block": "not made",
                        f"bucket {bucket}: default encryption": "not made", f"bucket {bucket}: policy": "not made"}
    assert result["error"] == (
        "access denied: this identity needs s3:PutBucketPolicy (see iam/setup-admin.json); made before that, the rest "
        f"not: bucket {bucket}: created ({region}) (to put it back: `aws s3api delete-bucket --bucket {bucket} "
        f"--region {region}`, which needs s3:DeleteBucket)")


@pytest.mark.slow
def test_the_bucket_of_logging_left_as_it_is_is_shown_old_to_new_and_changed_only_with_it(
        aws_env: dict[str, str]) -> None:
    region = "eu-north-1"
    bucket = f"bedrock-logs-{ACCOUNT}-{region}"
    put_logging(region, TEAM_CONFIG)
    s3 = make_bucket(bucket, region)
    partial = {**dict.fromkeys(BLOCKS, True), "BlockPublicPolicy": False}
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=partial)
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17",
                                                           "Statement": [team_read_statement(bucket)]}))
    block = f"bucket {bucket}: public access block: BlockPublicPolicy false -> true"
    writer = f"bucket {bucket}: policy: statement AllowBedrockLoggingEuNorth1 (none) -> added"
    tls_only = f"bucket {bucket}: policy statement DenyInsecureTransport: (none) -> added"
    logging = f"logging configuration {region}: s3://team-llm-logs/audit/ + CloudWatch Logs team-llm"
    for extra in ((), ("--dry-run",)):
        kept = run("setup_bedrock_logging.py", "--regions", region, *extra, env=aws_env)
        assert kept.returncode == 2, kept.stdout + kept.stderr
        lines = outcomes(kept.stdout)
        # a real run says what it did not make; a dry run what it would make
        writer_line = f"  would update  {writer}" if extra else f"  not made      {writer}"
        assert {f"  left as it is {block}", writer_line, f"  left as it is {tls_only}"} <= set(lines)
        assert any(line.startswith(f"  left as it is {logging}") for line in lines)
        assert (f"bucket {bucket}: nothing made or changed, as the logging configuration that would use it was left "
                "as it is") in kept.stdout or extra
        assert public_access_block(bucket) == partial and policy_sids(bucket) == ["TeamRead"]
        assert logging_config(region) == TEAM_CONFIG

    document = run("setup_bedrock_logging.py", "--regions", region, "--format", "json", env=aws_env)
    (region_result,) = json.loads(document.stdout)["regions"]
    assert region_result["changed"] is False and {c["outcome"] for c in region_result["changes"]} <= {
        "left as it is", "not made", "unchanged"}
    asked = run("setup_bedrock_logging.py", "--regions", region, "--replace-existing", "--dry-run", env=aws_env)
    assert asked.returncode == 0, asked.stdout + asked.stderr
    shown = [line[16:] for line in outcomes(asked.stdout) if line.startswith("  would update  ")]
    assert shown == [line[16:] for line in outcomes(kept.stdout) if line.startswith(("  would update  ",
                                                                                     "  left as it is "))]
    done = run("setup_bedrock_logging.py", "--regions", region, "--replace-existing", env=aws_env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert {f"  updated       {block}", f"  updated       {writer}", f"  updated       {tls_only}"} <= set(
        outcomes(done.stdout))
    assert public_access_block(bucket) == dict.fromkeys(BLOCKS, True)
    assert policy_sids(bucket) == ["TeamRead", "DenyInsecureTransport", "AllowBedrockLoggingEuNorth1"]
    assert logging_config(region)["s3Config"] == {"bucketName": bucket, "keyPrefix": "bedrock-logs/"}


@pytest.mark.slow
def test_settings_given_on_the_command_line_change_setup_s_own_resources_without_the_option(
        aws_env: dict[str, str], tmp_path: Path) -> None:
    region = "us-west-1"
    results = f"bedrock-analytics-{ACCOUNT}-{region}"
    assert run("setup_bedrock_logging.py", "--regions", region, env=aws_env).returncode == 0
    made = run("setup_athena_bucket.py", "--regions", region, "--skip-test-query", env=aws_env)
    assert made.returncode == 0, made.stdout + made.stderr

    asked = run("setup_athena_bucket.py", "--regions", region, "--skip-test-query", "--expire-days", "7",
                "--start-date", "2024-01-01", env=aws_env)
    assert asked.returncode == 0, asked.stdout + asked.stderr
    lines = outcomes(asked.stdout)
    assert f"  updated       bucket {results}: lifecycle rule expire-query-results: Expiration.Days 30 -> 7" in lines
    assert ("  updated       Glue table bedrock_analytics.bedrock_invocation_logs: parameter projection.dt.range "
            "2023/01/01,NOW -> 2024/01/01,NOW") in lines
    _, _, (rule,) = athena_state(region)
    assert rule["Expiration"] == {"Days": 7}
    table = boto3.client("glue", region_name=region).get_table(DatabaseName="bedrock_analytics",
                                                               Name="bedrock_invocation_logs")["Table"]
    assert table["Parameters"]["projection.dt.range"] == "2024/01/01,NOW"

    # A run without the options (the daily --compact) keeps what they set: nothing left as it is, nothing undone,
    # with --replace-existing too.
    for extra in ((), ("--replace-existing",)):
        default = run("setup_athena_bucket.py", "--regions", region, "--skip-test-query", *extra, env=aws_env)
        assert default.returncode == 0, default.stdout + default.stderr
        assert f"  unchanged     bucket {results}: lifecycle rule expire-query-results" in outcomes(default.stdout)
    _, _, (rule,) = athena_state(region)
    assert rule["Expiration"] == {"Days": 7}
    table = boto3.client("glue", region_name=region).get_table(DatabaseName="bedrock_analytics",
                                                               Name="bedrock_invocation_logs")["Table"]
    assert table["Parameters"]["projection.dt.range"] == "2024/01/01,NOW"

    cutoff = ("--regions", region, "--skip-test-query", "--expire-days", "7", "--start-date", "2024-01-01",
              "--bytes-scanned-cutoff", "20000000")
    dry = run("setup_athena_bucket.py", *cutoff, "--dry-run", env=aws_env)
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert "  would update  Athena workgroup bedrock-usage: bytes scanned cutoff per query (none) -> 20000000" in (
        outcomes(dry.stdout))
    done, requests = run_recorded("setup_athena_bucket.py", *cutoff, env=aws_env, tmp_path=tmp_path)
    update = {"WorkGroup": "bedrock-usage", "ConfigurationUpdates": {
        "ResultConfigurationUpdates": {"OutputLocation": f"s3://{results}/query-results/"},
        "EnforceWorkGroupConfiguration": True, "BytesScannedCutoffPerQuery": 20000000}}
    assert ("athena", "UpdateWorkGroup", update) in requests
    assert validation_errors("athena", "UpdateWorkGroup", update) == ""
    # moto has no UpdateWorkGroup: the region fails there, after the request above.
    assert done.returncode == 2 and "UpdateWorkGroup failed" in done.stdout and "left as it is" not in done.stdout


def test_an_existing_bucket_without_default_encryption_keeps_it_as_advice(aws_env: dict[str, str]) -> None:
    region = "sa-east-1"
    bucket = f"bedrock-logs-{ACCOUNT}-{region}"
    boto3.client("s3", region_name=region).create_bucket(Bucket=bucket,
                                                         CreateBucketConfiguration={"LocationConstraint": region})
    kept = run("setup_bedrock_logging.py", "--regions", region, env=aws_env)
    assert kept.returncode == 0, kept.stdout + kept.stderr  # logs are written to it all the same
    assert f"  left as it is bucket {bucket}: default encryption: none -> SSE-S3\n" in kept.stdout
    advice = kept.stdout.split("ℹ️ left as the owner has it (setup works without it): ")[1]
    assert f"bucket {bucket}: default encryption" in advice
    assert logging_config(region)["s3Config"]["bucketName"] == bucket


def test_a_results_bucket_someone_made_gets_no_expiry_rule_unless_asked(
        aws_env: dict[str, str], tmp_path: Path) -> None:
    """An expiry rule deletes the owner's objects under query-results/ too, and beside their own rule S3 applies the
    shorter expiry: on a bucket this run did not make, the rule is advice (exit 0) until --replace-existing, which
    adds it beside theirs and sends back the configuration's other setting."""
    region = "us-east-1"
    bucket = "team-athena-results"
    s3 = make_bucket(bucket, region)
    s3.put_object(Bucket=bucket, Key="query-results/audit/2024-q1.csv", Body=b"kept,for,a,year\n")
    theirs = {"ID": "retain-results-1y", "Filter": {"Prefix": "query-results/"}, "Status": "Enabled",
              "Expiration": {"Days": 365}}
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [theirs]})
    options = ("--regions", region, "--results-bucket", bucket, "--log-bucket", f"bedrock-logs-{ACCOUNT}-{region}")
    rule = f"bucket {bucket}: lifecycle rule expire-query-results: (none) -> "

    for extra in (("--dry-run",), ()):
        result, requests = run_recorded("setup_athena_bucket.py", *options, *extra, env=aws_env, tmp_path=tmp_path)
        assert result.returncode == 0, result.stdout + result.stderr
        assert [line for line in changes_left(result.stdout) if line.startswith(rule)], result.stdout
        assert '"Days":30' in next(line for line in changes_left(result.stdout) if line.startswith(rule))
        assert "PutBucketLifecycleConfiguration" not in {operation for _, operation, _ in requests}
        assert s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"] == [theirs]

    replaced, requests = run_recorded("setup_athena_bucket.py", *options, "--replace-existing", env=aws_env,
                                      tmp_path=tmp_path)
    assert replaced.returncode == 0, replaced.stdout + replaced.stderr
    found = s3.get_bucket_lifecycle_configuration(Bucket=bucket)
    assert [r["ID"] for r in found["Rules"]] == ["retain-results-1y", "expire-query-results"]
    (put,) = [params for _, operation, params in requests if operation == "PutBucketLifecycleConfiguration"]
    # what the bucket had goes back with the rules (S3 resets a setting left out to its default)
    assert put["TransitionDefaultMinimumObjectSize"] == found["TransitionDefaultMinimumObjectSize"]
    assert validation_errors("s3", "PutBucketLifecycleConfiguration", put) == ""  # botocore's service model
    assert s3.get_object(Bucket=bucket, Key="query-results/audit/2024-q1.csv")["Body"].read() == b"kept,for,a,year\n"


def test_setups_own_results_bucket_without_its_rule_gets_it(aws_env: dict[str, str]) -> None:
    """A first run that stopped after making its results bucket (Ctrl-C, a refused request) left the bucket setup
    names without the rule: the next run adds it, as the bucket is setup's own."""
    region = "us-west-2"
    bucket = f"bedrock-analytics-{ACCOUNT}-{region}"
    s3 = make_bucket(bucket, region)
    result = run("setup_athena_bucket.py", "--regions", region, "--log-bucket", f"bedrock-logs-{ACCOUNT}-{region}",
                 env=aws_env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"created       bucket {bucket}: lifecycle rule expire-query-results" in result.stdout
    (rule,) = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert rule["ID"] == "expire-query-results" and rule["Expiration"] == {"Days": 30}


@pytest.mark.slow
def test_a_versioned_results_bucket_gets_a_rule_that_deletes_expired_results_too(
        aws_env: dict[str, str], tmp_path: Path) -> None:
    """Versioning turned on by someone (a compliance rule): expiring a result there only adds a delete marker and
    keeps the result as a noncurrent version (Amazon S3 User Guide, "Expiring objects"), so setup's rule also expires
    noncurrent versions; an earlier run's rule without that gets it, old -> new, as it only adds."""
    region = "eu-west-2"
    bucket = f"bedrock-analytics-{ACCOUNT}-{region}"
    s3 = make_bucket(bucket, region)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    options = ("--regions", region, "--log-bucket", f"bedrock-logs-{ACCOUNT}-{region}", "--skip-test-query")
    earlier = {"ID": "expire-query-results", "Filter": {"Prefix": "query-results/"}, "Status": "Enabled",
               "Expiration": {"Days": 30}}
    expected = {**earlier, "NoncurrentVersionExpiration": {"NoncurrentDays": 1}}

    made = run("setup_athena_bucket.py", *options, env=aws_env)
    assert made.returncode == 0, made.stdout + made.stderr
    assert s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"] == [expected]

    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [earlier]})
    again, requests = run_recorded("setup_athena_bucket.py", *options, env=aws_env, tmp_path=tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr
    assert (f"  updated       bucket {bucket}: lifecycle rule expire-query-results: NoncurrentVersionExpiration "
            '(none) -> {"NoncurrentDays":1}') in outcomes(again.stdout)
    assert s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"] == [expected]
    (put,) = [params for _, operation, params in requests if operation == "PutBucketLifecycleConfiguration"]
    assert validation_errors("s3", "PutBucketLifecycleConfiguration", put) == ""


FOREIGN_BUCKET = "acme-llm-logs"


def refuses_location(method: str, path: str) -> bool:
    """What S3 answers about a bucket of another account (moto keeps no other accounts): GetBucketLocation 403."""
    return method == "GET" and path.startswith(f"/{FOREIGN_BUCKET}") and "location" in path


@pytest.mark.slow
def test_a_bucket_name_another_account_holds_is_named_as_such(aws_env: dict[str, str], moto_endpoint: str) -> None:
    """S3 answers 403 for a bucket of another account as for a missing permission: setup, which picks the name, says
    it may be taken, not only that IAM lacks s3:GetBucketLocation; the check, reading a bucket already in use, names
    the refused read and its permission, as for any refused read, and proposes no new name; the name is beyond
    iam/report-reader.json's bedrock-logs-* too, so it names the reader statements that grant the read."""
    make_bucket(FOREIGN_BUCKET, "us-east-1")
    put_logging("us-east-1", {"s3Config": {"bucketName": FOREIGN_BUCKET, "keyPrefix": ""},
                              "textDataDeliveryEnabled": True})
    with refusing_proxy(moto_endpoint, refuses_location) as proxy:
        env = {**aws_env, "AWS_ENDPOINT_URL_S3": f"http://127.0.0.1:{proxy.server_port}"}
        setup = run("setup_bedrock_logging.py", "--regions", "us-east-1", "--bucket", FOREIGN_BUCKET, env=env)
        check = run("check_bedrock_logging.py", "--regions", "us-east-1", env=env)
    assert proxy.refused
    # the name is beyond iam/setup-admin.json's bedrock-logs-*: both causes are named
    taken = (f"bucket {FOREIGN_BUCKET}: access denied to s3:GetBucketLocation: iam/setup-admin.json grants setup's "
             "actions on a log bucket")
    assert "if the name is another AWS account's (bucket names are shared by all accounts), pick" in setup.stdout
    assert setup.returncode == 2 and taken in setup.stdout + setup.stderr, setup.stdout + setup.stderr
    refused = "bucket region: access denied: this identity needs s3:GetBucketLocation\n"
    assert check.returncode == 2 and refused in check.stdout, check.stdout + check.stderr
    assert check.stderr.endswith(
        "; iam/report-reader.json grants the check's reads of a log bucket only on buckets named bedrock-logs-*: add "
        "the log bucket reader statements of docs/aws-setup.md, \"A team's own bucket names\" (Resource "
        f"arn:*:s3:::{FOREIGN_BUCKET}) to this identity's policy\n"), check.stderr
    assert "pick another bucket name" not in check.stdout and "Traceback" not in setup.stderr + check.stderr


def test_a_refused_bucket_location_says_the_name_may_be_another_accounts(aws_env: dict[str, str],
                                                                        moto_endpoint: str) -> None:
    make_bucket(FOREIGN_BUCKET, "us-east-1")
    with refusing_proxy(moto_endpoint, refuses_location) as proxy:
        s3 = boto3.client("s3", region_name="us-east-1", endpoint_url=f"http://127.0.0.1:{proxy.server_port}")
        with pytest.raises(SetupRequired, match="the name may belong to another AWS account .* or this identity "
                                                "lacks s3:GetBucketLocation"):
            bucket_region(s3, FOREIGN_BUCKET)


def lifecycle_refusal(put: dict[str, Any]) -> str:
    """What S3 answers a lifecycle configuration with ('' when it takes it), for the one rule moto does not keep: a
    rule-level Prefix (lifecycle V1, as s3cmd writes rules) beside a Filter is refused, "InvalidRequest: Filter
    element can only be used in Lifecycle V2" (aws/aws-sdk-ruby#1653)."""
    rules = put["LifecycleConfiguration"]["Rules"]
    if any("Filter" in rule for rule in rules) and any("Prefix" in rule for rule in rules):
        return "InvalidRequest: Filter element can only be used in Lifecycle V2"
    return ""


@pytest.mark.slow
def test_an_old_style_lifecycle_rule_goes_back_as_a_filter_beside_setups_rule(
        aws_env: dict[str, str], tmp_path: Path) -> None:
    """A results bucket holding a rule with a rule-level Prefix got setup's rule (a Filter) beside it, a request S3
    refuses, and the region stopped before its table. The owner's prefix now goes as Filter.Prefix, which S3 reads
    alike, and the line says so."""
    region = "us-west-2"
    bucket = f"bedrock-analytics-{ACCOUNT}-{region}"
    s3 = make_bucket(bucket, region)
    theirs = {"ID": "s3cmd-archive", "Prefix": "archive/", "Status": "Enabled", "Expiration": {"Days": 90}}
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [theirs]})
    result, requests = run_recorded("setup_athena_bucket.py", "--regions", region, "--log-bucket",
                                    f"bedrock-logs-{ACCOUNT}-{region}", "--skip-test-query", env=aws_env,
                                    tmp_path=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    (put,) = [params for _, operation, params in requests if operation == "PutBucketLifecycleConfiguration"]
    assert lifecycle_refusal(put) == "" and validation_errors("s3", "PutBucketLifecycleConfiguration", put) == ""
    assert put["LifecycleConfiguration"]["Rules"][0] == {"ID": "s3cmd-archive", "Filter": {"Prefix": "archive/"},
                                                         "Status": "Enabled", "Expiration": {"Days": 90}}
    assert (f"bucket {bucket}: lifecycle rule expire-query-results: rule s3cmd-archive: Prefix archive/ -> "
            "Filter.Prefix archive/") in result.stdout
    table = boto3.client("glue", region_name=region).get_table(DatabaseName="bedrock_analytics",
                                                               Name="bedrock_invocation_logs")
    assert table["Table"]["Name"] == "bedrock_invocation_logs"


@pytest.mark.slow
def test_a_refused_lifecycle_rule_does_not_stop_the_region(aws_env: dict[str, str], moto_endpoint: str) -> None:
    """The expiry rule only tidies query results: when S3 refuses it, the database, table and workgroup are still
    made, and the region names what was refused (exit 2)."""
    region = "us-west-2"
    refused = (400, b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>InvalidRequest</Code>'
                    b"<Message>Filter element can only be used in Lifecycle V2.</Message></Error>")
    with refusing_proxy(moto_endpoint, lambda method, path: method == "PUT" and path.endswith("?lifecycle"),
                        refused) as proxy:
        done = run("setup_athena_bucket.py", "--regions", region, "--log-bucket", f"bedrock-logs-{ACCOUNT}-{region}",
                   "--format", "json", "--skip-test-query",
                   env={**aws_env, "AWS_ENDPOINT_URL_S3": f"http://127.0.0.1:{proxy.server_port}"})
    assert proxy.refused and done.returncode == 2, done.stdout + done.stderr
    [outcome] = json.loads(done.stdout)["regions"]
    assert "lifecycle rule expire-query-results not made" in outcome["error"]
    assert "Filter element can only be used in Lifecycle V2" in outcome["error"], outcome["error"]
    glue = boto3.client("glue", region_name=region)
    assert glue.get_table(DatabaseName="bedrock_analytics", Name="bedrock_invocation_logs")["Table"]
    assert boto3.client("athena", region_name=region).get_work_group(WorkGroup="bedrock-usage")["WorkGroup"]


@pytest.mark.slow
def test_a_log_bucket_named_is_read_by_setup_where_the_mirror_reads_it(aws_env: dict[str, str],
                                                                         tmp_path: Path) -> None:
    """``--log-bucket`` naming the bucket logging delivers to keeps the configuration's prefix; naming another (a
    replica, a copy) reads its root, as the mirror does and the test-data generator writes, unless ``--log-prefix``
    says where. The Glue table's location shows which."""
    region = "us-east-2"
    make_bucket(f"acme-logs-{region}", region)
    make_bucket(f"replica-{region}", region)
    put_logging(region, {"s3Config": {"bucketName": f"acme-logs-{region}", "keyPrefix": "prod/"},
                         "textDataDeliveryEnabled": True})
    glue = boto3.client("glue", region_name=region)
    service = f"AWSLogs/{ACCOUNT}/BedrockModelInvocationLogs/{region}/"
    for bucket, prefix in ((f"acme-logs-{region}", "prod/"), (f"replica-{region}", "")):
        result = run("setup_athena_bucket.py", "--regions", region, "--log-bucket", bucket, "--skip-test-query",
                     "--replace-existing", env=aws_env)
        assert result.returncode == 0, result.stdout + result.stderr
        table = glue.get_table(DatabaseName="bedrock_analytics", Name="bedrock_invocation_logs")["Table"]
        assert table["StorageDescriptor"]["Location"] == f"s3://{bucket}/{prefix}{service}"
    for bucket, prefix in ((f"acme-logs-{region}", "prod/"), (f"replica-{region}", "")):
        synced = subprocess.run([sys.executable, str(ROOT / "bedrock_tracker_cli.py"), "--sync", "--engine", "local",
                                 "--logs-dir", str(tmp_path / "mirror"), "--region", region, "--log-bucket", bucket,
                                 "--days", "1", "--format", "json", "--output-dir", "-"],
                                capture_output=True, text=True, env=aws_env, timeout=300)
        # Both buckets are empty: the sync names where it read, and makes no $0 report.
        assert f"error: s3://{bucket}/{prefix} holds no log object of {region} for " in synced.stderr, synced.stderr
        assert synced.returncode == 1


def org_only_policy(bucket: str) -> dict[str, Any]:
    """A bucket policy letting Bedrock write, and a Deny of everything to every principal outside organization o-abc,
    as an account's own guard rail is written (IAM User Guide, aws:PrincipalOrgID)."""
    return {"Version": "2012-10-17", "Statement": [
        {"Sid": "BR", "Effect": "Allow", "Principal": {"Service": "bedrock.amazonaws.com"}, "Action": "s3:PutObject",
         "Resource": f"arn:aws:s3:::{bucket}/*"},
        {"Sid": "OrgOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
         "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
         "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "o-abc"}}}]}


@pytest.mark.slow
def test_a_deny_someone_else_wrote_is_named_with_what_to_change_and_setup_does_not_claim_to_repair_it(
        aws_env: dict[str, str]) -> None:
    """An org-only Deny stops Bedrock (a service principal is in no organization). Setup may not change a statement
    it did not write: the check names the statement and the exemption and prints no setup command; setup, dry run
    or not, says the statement still denies and exits 2. Once the owner exempts Bedrock as advised, both pass."""
    region, bucket = "ap-northeast-2", "apne2-logs"
    s3 = make_bucket(bucket, region)
    policy = org_only_policy(bucket)
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
    put_logging(region, {"s3Config": {"bucketName": bucket, "keyPrefix": "x/"}, "textDataDeliveryEnabled": True})

    check = run("check_bedrock_logging.py", "--regions", region, env=aws_env)
    assert check.returncode == 2, check.stdout + check.stderr
    assert (f"logging in {region} cannot deliver (bucket policy statement OrgOnly denies Bedrock's log writes): "
            "setup changes no statement it did not write: change OrgOnly") in check.stderr
    assert '"aws:PrincipalServiceName": "bedrock.amazonaws.com"' in check.stderr
    assert "setup_bedrock_logging.py" not in check.stdout + check.stderr
    document = json.loads(run("check_bedrock_logging.py", "--regions", region, "--format", "json",
                              env=aws_env).stdout)
    assert document["fix_commands"] == {} and document["regions"][0]["denied_by"] == "OrgOnly"

    repair = ("setup_bedrock_logging.py", "--regions", region, "--bucket", bucket, "--prefix", "x/")
    for extra in (("--dry-run",), ()):
        setup = run(*repair, *extra, env=aws_env)
        assert setup.returncode == 2, setup.stdout + setup.stderr
        assert "❌ bucket policy statement OrgOnly denies Bedrock's log writes; setup changes no statement" in (
            setup.stdout)
        assert re.search(rf"{region} +❌ failed", setup.stdout.split("📋 Summary")[1])
    kept = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])["Statement"]
    assert kept == policy["Statement"]  # a refused region changes no policy: no Allow added beside the Deny
    # BR already lets Bedrock put every log object under x/, so setup has no statement of its own to add beside it
    assert (f"bucket {bucket}: policy statement BR already allows Bedrock to write its logs under s3://{bucket}/x/, as "
            "AllowBedrockLoggingApNortheast2 would: it is not added") in setup.stdout

    exempt = {**policy["Statement"][1], "Condition": {
        "StringNotEquals": {"aws:PrincipalOrgID": "o-abc"},
        "StringNotEqualsIfExists": {"aws:PrincipalServiceName": "bedrock.amazonaws.com"}}}
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({**policy, "Statement": [
        exempt if statement.get("Sid") == "OrgOnly" else statement for statement in kept]}))
    fixed = run("check_bedrock_logging.py", "--regions", region, env=aws_env)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert run(*repair, env=aws_env).returncode == 0


def test_setup_adds_no_statement_beside_a_deny_that_would_still_stop_bedrock(aws_env: dict[str, str]) -> None:
    """The owner's org-only Deny alone, no statement letting Bedrock write: setup would add its AllowBedrockLogging
    statement, but the Deny would still stop Bedrock's writes (a service principal is in no organization), so the
    policy is left as it is, a line says why, logging is not switched on, and the region fails (exit 2)."""
    region, bucket = "eu-west-2", "euw2-logs"
    s3 = make_bucket(bucket, region)
    policy = {**org_only_policy(bucket), "Id": "TeamGuardRails"}
    policy["Statement"] = [statement for statement in policy["Statement"] if statement["Sid"] == "OrgOnly"]
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))

    setup = run("setup_bedrock_logging.py", "--regions", region, "--bucket", bucket, "--prefix", "x/", env=aws_env)
    assert setup.returncode == 2, setup.stdout + setup.stderr
    assert (f"  bucket {bucket}: policy left as it is, as statement OrgOnly would still deny Bedrock's log writes"
            in setup.stdout.splitlines())
    assert f"  not made      bucket {bucket}: policy: statement AllowBedrockLoggingEuWest2 (none) -> added" in (
        setup.stdout.splitlines())
    assert "❌ bucket policy statement OrgOnly denies Bedrock's log writes; setup changes no statement" in setup.stdout
    assert json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"]) == policy
    assert logging_config(region) == {}


@pytest.mark.slow
def test_the_check_says_everything_its_replace_existing_command_would_change(aws_env: dict[str, str]) -> None:
    """Text delivery off to a bucket someone made (no public access block, no policy, no encryption): the check's
    command needs --replace-existing, which also hardens the bucket. Every change its dry run shows is named in the
    check's advice, which asks for that dry run first."""
    region, bucket = "us-west-1", "team-text-off"
    boto3.client("s3", region_name=region).create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})
    put_logging(region, {"s3Config": {"bucketName": bucket, "keyPrefix": "logs/"}, "textDataDeliveryEnabled": False})
    check = run("check_bedrock_logging.py", "--regions", region, "--format", "json", env=aws_env)
    assert check.returncode == 2, check.stdout + check.stderr
    command = json.loads(check.stdout)["fix_commands"][region]
    assert command.endswith("--replace-existing") and f"--bucket {bucket}" in command
    assert f"run it with --dry-run first: `{command} --dry-run`" in check.stderr

    dry = run(*command.split()[1:], "--dry-run", env=aws_env)
    would = [line.strip() for line in dry.stdout.splitlines() if line.startswith("  would ")]
    assert len(would) == 5, dry.stdout  # text on, Bedrock's statement, access block, encryption, TLS-only statement
    named = {"public access block": "public access block", "default encryption": "default encryption",
             f"logging configuration {region}": "text delivery on"}
    for line in would:
        for resource, said in named.items():
            if f": {resource}" in line or f" {resource}:" in line:
                assert said in check.stderr, (line, check.stderr)
        for sid in re.findall(r"statement (\w+)", line):
            assert sid in check.stderr, (line, check.stderr)


def elsewhere_warning(region: str, bucket: str, where: str) -> str:
    """What setup_athena_bucket.py says of a region whose logging names a bucket in another Region (Amazon Bedrock
    User Guide, "Monitor model invocation using CloudWatch Logs and Amazon S3": only destinations of the same account
    and Region are supported), with the check and the repair check_bedrock_logging.py prints for such a region."""
    return (f"the logging configuration of {region} names bucket {bucket}, which is in {where}: Bedrock delivers logs "
            f"only to a bucket in the Region it logs, so none arrive there and the table over it stays empty; "
            f"`python check_bedrock_logging.py --regions {region}` shows it, and `python setup_bedrock_logging.py "
            f"--regions {region} --replace-existing` (with --dry-run first) moves logging to a bucket in {region}, "
            "after which this setup with --replace-existing moves the table there")


@pytest.mark.slow
def test_athena_setup_warns_of_a_log_bucket_in_another_region_and_still_makes_the_table(
        aws_env: dict[str, str], tmp_path: Path) -> None:
    """The review's account: eu-west-1 logging to a bucket in eu-central-1, where Bedrock cannot deliver. The table is
    made (the bucket is what the configuration names) with a warning and exit 2, as logging needs a step; a bucket in
    us-east-1 (GetBucketLocation answers no LocationConstraint) is told apart the same way."""
    here, eu, east = "us-east-1", "eu-west-1", "eu-west-2"
    frankfurt, virginia = "team-llm-logs-frankfurt", "team-llm-logs-virginia"
    make_bucket(frankfurt, "eu-central-1")
    make_bucket(virginia, here)
    put_logging(eu, {"s3Config": {"bucketName": frankfurt, "keyPrefix": "audit/"}, "textDataDeliveryEnabled": True})
    for region in (here, east):
        put_logging(region, {"s3Config": {"bucketName": virginia, "keyPrefix": ""}, "textDataDeliveryEnabled": True})
    regions = ("--regions", here, eu, east, "--skip-test-query")

    dry = run("setup_athena_bucket.py", *regions, "--dry-run", env=aws_env)
    assert dry.returncode == 2, dry.stdout + dry.stderr
    for region, bucket, where in ((eu, frankfurt, "eu-central-1"), (east, virginia, here)):
        assert f"  ⚠️ {elsewhere_warning(region, bucket, where)}\n" in dry.stdout
    assert dry.stdout.count("⚠️ would change 7") == 2 and dry.stdout.count("📝 would change 7") == 1
    assert dry.stderr == (f"setup_athena_bucket.py: 2 region(s) need a step outside this setup: {eu} {east} (the "
                          "table above says which)\n")

    made, requests = run_recorded("setup_athena_bucket.py", *regions, "--format", "json", env=aws_env,
                                  tmp_path=tmp_path)
    assert made.returncode == 2 and "(each region's problem in the JSON document says which)" in made.stderr
    document = {region["region"]: region for region in json.loads(made.stdout)["regions"]}
    assert document[eu]["warning"] == document[eu]["problem"] == elsewhere_warning(eu, frankfurt, "eu-central-1")
    assert document[east]["warning"] == elsewhere_warning(east, virginia, here)
    assert document[here]["warning"] is None and document[here]["problem"] is None
    for region, location in ((eu, f"s3://{frankfurt}/audit/"), (east, f"s3://{virginia}/")):
        table = boto3.client("glue", region_name=region).get_table(DatabaseName="bedrock_analytics",
                                                                    Name="bedrock_invocation_logs")["Table"]
        assert table["StorageDescriptor"]["Location"] == (
            f"{location}AWSLogs/{ACCOUNT}/BedrockModelInvocationLogs/{region}/")
    asked = [params for _, operation, params in requests if operation == "GetBucketLocation"]
    assert {"Bucket": frankfurt} in asked and {"Bucket": virginia} in asked
    assert all(validation_errors("s3", "GetBucketLocation", params) == "" for params in asked)


def region_unknown(bucket: str, region: str) -> str:
    """The note of a log bucket beyond bedrock-logs-* whose location iam/setup-admin.json does not let setup read."""
    return (f"bucket {bucket}: its Region is unknown (access denied: this identity needs s3:GetBucketLocation), so "
            "whether Bedrock can deliver logs there is not checked: iam/setup-admin.json grants setup's reads of a log "
            "bucket only on buckets named bedrock-logs-*: add the log bucket statements of docs/aws-setup.md, \"A "
            f"team's own bucket names\" (Resource arn:*:s3:::{bucket}) to this identity's policy, then run again to "
            f"have setup check it, or run `python check_bedrock_logging.py --regions {region}`")


@pytest.mark.slow
def test_athena_setup_reads_an_eu_location_as_eu_west_1_and_notes_a_location_it_may_not_read(
        aws_env: dict[str, str], moto_endpoint: str) -> None:
    """A bucket made before Regions had names answers LocationConstraint EU: it is in eu-west-1 (Amazon S3 API
    Reference, "GetBucketLocation"). A location refused (the setup policy grants s3:GetBucketLocation on setup's own
    bucket names only) is no fault of the region: noted."""
    legacy, locked = "legacy-llm-logs", "locked-llm-logs"
    make_bucket(legacy, "eu-west-1")
    make_bucket(locked, "us-west-2")
    for region, bucket in (("eu-west-1", legacy), ("eu-central-1", legacy), ("us-west-2", locked)):
        put_logging(region, {"s3Config": {"bucketName": bucket}, "textDataDeliveryEnabled": True})
    old_style = (200, b'<?xml version="1.0" encoding="UTF-8"?><LocationConstraint '
                      b'xmlns="http://s3.amazonaws.com/doc/2006-03-01/">EU</LocationConstraint>')
    with (refusing_proxy(moto_endpoint, lambda method, path: path.startswith(f"/{locked}?location")) as refusing,
          refusing_proxy(f"http://127.0.0.1:{refusing.server_port}",
                         lambda method, path: path.startswith(f"/{legacy}?location"), answer=old_style) as eu):
        env = {**aws_env, "AWS_ENDPOINT_URL_S3": f"http://127.0.0.1:{eu.server_port}"}
        result = run("setup_athena_bucket.py", "--regions", "eu-west-1", "eu-central-1", "us-west-2",
                     "--skip-test-query", env=env)
    assert len(eu.refused) == 2 and len(refusing.refused) == 1
    assert result.returncode == 2, result.stdout + result.stderr
    assert "1 region(s) need a step outside this setup: eu-central-1 " in result.stderr
    assert f"  ⚠️ {elsewhere_warning('eu-central-1', legacy, 'eu-west-1')}\n" in result.stdout
    assert f"  {region_unknown(locked, 'us-west-2')}\n" in result.stdout
    assert result.stdout.count("⚠️") == 2  # the warning and its summary row: eu-west-1 and us-west-2 are set up


@pytest.mark.slow
def test_a_results_bucket_whose_object_lock_keeps_results_says_so(
        aws_env: dict[str, str], moto_endpoint: str, tmp_path: Path) -> None:
    """Object Lock default retention on a results bucket someone made (a compliance rule): the expiry rule cannot
    delete a locked query result until its retention ends (Amazon S3 User Guide, "Object Lock considerations"), so
    setup says how long results are kept, in the table and in JSON, and exits as before."""
    locked, plain, unread = "us-east-1", "us-west-2", "eu-north-1"
    buckets = {region: f"bedrock-analytics-{ACCOUNT}-{region}" for region in (locked, plain, unread)}
    for region, bucket in buckets.items():
        location = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
        boto3.client("s3", region_name=region).create_bucket(Bucket=bucket, ObjectLockEnabledForBucket=region != plain,
                                                             **location)
    boto3.client("s3").put_object_lock_configuration(Bucket=buckets[locked], ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Years": 1}}})
    kept = (f"bucket {buckets[locked]}: Object Lock keeps every query result 1 year after it is written (default "
            "retention, COMPLIANCE mode): the expiry rule expire-query-results cannot delete a result before its "
            "retention ends")
    options = ("--regions", *buckets, "--log-bucket", f"bedrock-logs-{ACCOUNT}-{{region}}", "--skip-test-query")

    refused = f"/{buckets[unread]}?object-lock"
    with refusing_proxy(moto_endpoint, lambda method, path: path.startswith(refused)) as proxy:
        env = {**aws_env, "AWS_ENDPOINT_URL_S3": f"http://127.0.0.1:{proxy.server_port}"}
        dry = run("setup_athena_bucket.py", *options, "--dry-run", env=env)
        made, requests = run_recorded("setup_athena_bucket.py", *options, "--format", "json", env=env,
                                      tmp_path=tmp_path)
    assert dry.returncode == 0 and made.returncode == 0, dry.stdout + dry.stderr + made.stdout + made.stderr
    assert f"\n  {kept}\n" in dry.stdout
    notes = {region["region"]: region["notes"] for region in json.loads(made.stdout)["regions"]}
    assert kept in notes[locked]
    assert not [note for note in notes[plain] if "Object Lock" in note]
    assert (f"bucket {buckets[unread]}: whether Object Lock keeps query results longer than the expiry rule says is "
            "unknown (access denied: this identity needs s3:GetBucketObjectLockConfiguration (see "
            "iam/setup-admin.json))") in notes[unread]
    asked = [params for _, operation, params in requests if operation == "GetObjectLockConfiguration"]
    assert sorted(params["Bucket"] for params in asked) == sorted(buckets.values())
    assert all(validation_errors("s3", "GetObjectLockConfiguration", params) == "" for params in asked)


def missing_warning(region: str, bucket: str, command: str) -> str:
    """What setup_athena_bucket.py says of a region whose logging names a bucket that does not exist (S3 answers
    NoSuchBucket, Amazon S3 API Reference, "Error responses"): check_bedrock_logging.py's own words for the region and
    the command it prints, which makes the bucket again where logging names it (with what it needs beyond
    iam/setup-admin.json for a name other than bedrock-logs-*)."""
    needs = "" if bucket.startswith("bedrock-logs-") else (
        " (under iam/setup-admin.json, which grants setup's log bucket actions on bedrock-logs-* only, it needs "
        f"s3:CreateBucket (the bucket is gone) and those actions on {bucket} too: add the log bucket statements of "
        "docs/aws-setup.md, \"A team's own bucket names\")")
    return (f"logging in {region} cannot deliver (bucket {bucket} does not exist), so no logs arrive and the table "
            f"over it stays empty; `python check_bedrock_logging.py --regions {region}` shows it; run `{command}`"
            f"{needs} to make the bucket again where logging delivers (the table stays as it is)")


@pytest.mark.slow
def test_athena_setup_warns_of_a_log_bucket_that_does_not_exist_and_notes_one_it_may_not_read(
        aws_env: dict[str, str], moto_endpoint: str, tmp_path: Path) -> None:
    """Logging set up, then its bucket deleted: Bedrock can deliver nowhere. The table is made all the same, with the
    warning, exit 2 and JSON warning of a bucket in another Region, in check_bedrock_logging.py's words with the
    command it prints (setup's own bucket name: the plain setup; another: --bucket and --prefix). A bucket that is
    there but whose location this identity may not read (AccessDenied) is not missing: noted, exit unchanged."""
    gone, default, locked = "gone-llm-logs", f"bedrock-logs-{ACCOUNT}-us-east-1", "locked-llm-logs"
    for bucket, region, prefix in ((gone, "eu-west-1", "audit/"), (default, "us-east-1", "bedrock-logs/"),
                                   (locked, "us-west-2", "")):
        make_bucket(bucket, region)
        put_logging(region, {"s3Config": {"bucketName": bucket, "keyPrefix": prefix}, "textDataDeliveryEnabled": True})
    for bucket, region in ((gone, "eu-west-1"), (default, "us-east-1")):
        boto3.client("s3", region_name=region).delete_bucket(Bucket=bucket)
    expected = {"eu-west-1": missing_warning("eu-west-1", gone, "python setup_bedrock_logging.py --regions eu-west-1 "
                                                                 "--bucket gone-llm-logs --prefix audit/"),
                "us-east-1": missing_warning("us-east-1", default, "python setup_bedrock_logging.py --regions "
                                                                   "us-east-1")}

    check = run("check_bedrock_logging.py", "--regions", "eu-west-1", "us-east-1", env=aws_env)
    for warning in expected.values():  # the check says the same of the region, and prints the same command
        said, command = re.fullmatch(r"(.*?), so .*; run `(.*?)`.* to make .*", warning).groups()
        assert f"{said}: run `{command}`" in check.stderr, check.stderr

    with refusing_proxy(moto_endpoint, lambda method, path: path.startswith(f"/{locked}?location")) as refusing:
        env = {**aws_env, "AWS_ENDPOINT_URL_S3": f"http://127.0.0.1:{refusing.server_port}"}
        dry = run("setup_athena_bucket.py", "--regions", "eu-west-1", "us-east-1", "us-west-2", "--skip-test-query",
                  "--dry-run", env=env)
    assert dry.returncode == 2, dry.stdout + dry.stderr
    for warning in expected.values():
        assert f"  ⚠️ {warning}\n" in dry.stdout, dry.stdout
    # us-west-2, whose bucket's location was refused, is set up (📝) and not among the regions that need a step
    assert dry.stdout.count("⚠️ would change 7") == 2 and dry.stdout.count("📝 would change 7") == 1
    assert dry.stderr == ("setup_athena_bucket.py: 2 region(s) need a step outside this setup: eu-west-1 us-east-1 "
                          "(the table above says which)\n")
    assert f"  {region_unknown(locked, 'us-west-2')}\n" in dry.stdout
    assert len(refusing.refused) == 1

    made, requests = run_recorded("setup_athena_bucket.py", "--regions", "eu-west-1", "us-east-1", "--skip-test-query",
                                  "--format", "json", env=aws_env, tmp_path=tmp_path)
    assert made.returncode == 2 and "(each region's problem in the JSON document says which)" in made.stderr
    document = {region["region"]: region for region in json.loads(made.stdout)["regions"]}
    for region, warning in expected.items():
        assert document[region]["warning"] == document[region]["problem"] == warning
    table = boto3.client("glue", region_name="eu-west-1").get_table(DatabaseName="bedrock_analytics",
                                                                     Name="bedrock_invocation_logs")["Table"]
    assert table["StorageDescriptor"]["Location"] == (
        f"s3://{gone}/audit/AWSLogs/{ACCOUNT}/BedrockModelInvocationLogs/eu-west-1/")
    assert {gone, default}.isdisjoint(bucket_names())  # setup_athena_bucket.py makes no log bucket
    asked = [(operation, params) for _, operation, params in requests
             if operation in ("GetBucketLocation", "GetModelInvocationLoggingConfiguration")]
    assert ("GetBucketLocation", {"Bucket": gone}) in asked and ("GetBucketLocation", {"Bucket": default}) in asked
    assert all(validation_errors("bedrock" if operation.startswith("GetModel") else "s3", operation, params) == ""
               for operation, params in asked)


def team_logging_that_works(region: str, bucket: str, prefix: str) -> dict[str, Any]:
    """Logging someone set up before us that delivers: their bucket in the region, and their own statement letting
    Bedrock write there as the Bedrock User Guide writes it ("Monitor model invocation using CloudWatch Logs and
    Amazon S3": the service principal, s3:PutObject under the prefix, aws:SourceAccount and aws:SourceArn); the
    statement."""
    writes = {"Sid": "TeamBedrockWrites", "Effect": "Allow", "Principal": {"Service": "bedrock.amazonaws.com"},
              "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{bucket}/{prefix}AWSLogs/{ACCOUNT}/*",
              "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT},
                            "ArnLike": {"aws:SourceArn": f"arn:aws:bedrock:{region}:{ACCOUNT}:*"}}}
    make_bucket(bucket, region).put_bucket_policy(
        Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [writes]}))
    put_logging(region, {"s3Config": {"bucketName": bucket, "keyPrefix": prefix}, "textDataDeliveryEnabled": True})
    return writes


@pytest.mark.slow
def test_setup_keeps_logging_that_works_elsewhere_and_says_how_to_keep_or_move_it(aws_env: dict[str, str]) -> None:
    """The r29 account: us-east-2 already logs to the team's bucket, and Bedrock can write there. Setup without a
    destination of its own takes that as the region's logging: exit 0, nothing made, the line naming the command
    that checks and hardens the team's destination (the one check_bedrock_logging.py prints) beside the advice that
    --replace-existing would move it; the reports' next steps follow. Naming another bucket asks for that bucket:
    exit 2, as before, and the line still says how to keep it."""
    region, bucket = "us-east-2", "team-llm-logs"
    team_logging_that_works(region, bucket, "audit/")
    before = logging_config(region)
    keep = f"python setup_bedrock_logging.py --regions {region} --bucket {bucket} --prefix audit/"
    kept = run("setup_bedrock_logging.py", "--regions", region, env=aws_env)
    assert kept.returncode == 0, kept.stdout + kept.stderr
    assert (f"  logging in {region} already delivers to s3://{bucket}/audit/ and Bedrock can write there: nothing to "
            "change for the reports (setup_athena_bucket.py and the reports read the region's logging "
            f"configuration); to have setup check and harden that destination instead, run `{keep}`\n") in kept.stdout
    assert (f"  ℹ️ kept as the region's (it already works): logging configuration {region}, delivering to "
            f"s3://{bucket}/audit/; to move it to setup's destination instead, run again with --replace-existing\n"
            ) in kept.stdout
    assert re.search(rf"{region} +✅ unchanged +s3://{bucket}/audit/ ", kept.stdout), kept.stdout
    assert f"python setup_athena_bucket.py --regions {region}" in kept.stdout  # the next steps
    assert logging_config(region) == before and bucket_names() == [bucket]
    # JSON: the kept logging is named as what it is, not as bucket hardening left undone
    (kept_json,) = json.loads(run("setup_bedrock_logging.py", "--regions", region, "--format", "json",
                                  env=aws_env).stdout)["regions"]
    assert kept_json["kept_destination"] == f"s3://{bucket}/audit/" and kept_json["target"] == f"s3://{bucket}/audit/"
    assert kept_json["hardening_left_as_is"] == [] and kept_json["left_as_is"] == []
    assert [change["resource"] for change in kept_json["changes"] if change["in_use"]] == [
        f"logging configuration {region}"]

    named = run("setup_bedrock_logging.py", "--regions", region, "--bucket", "acme-logs-{region}", "--format", "json",
                env=aws_env)
    assert named.returncode == 2, named.stdout + named.stderr
    (result,) = json.loads(named.stdout)["regions"]
    assert result["left_as_is"] == [f"logging configuration {region}"] and result["kept_destination"] is None
    assert f"to have setup check and harden that destination instead, run `{keep}`" in result["warning"]
    assert "--replace-existing to change them" in named.stderr and f"what else to run or keep in {region}" in (
        named.stderr)

    hardened = run(*keep.split()[1:], env=aws_env)  # the command the line names takes over nothing
    assert hardened.returncode == 0, hardened.stdout + hardened.stderr
    assert logging_config(region) == before and bucket_names() == [bucket]
    assert public_access_block(bucket) is None and "TeamBedrockWrites" in policy_sids(bucket)


def test_setup_adds_no_statement_beside_the_owner_s_that_already_lets_bedrock_write(aws_env: dict[str, str]) -> None:
    """--bucket and --prefix naming the team's destination: where the owner's statement already lets Bedrock write
    there as setup's would, the policy is left exactly as it is and a line names that statement; where theirs is
    narrower (StringEquals on aws:SourceArn takes the * literally), setup's statement is added beside it, as before."""
    same, narrower = "us-east-2", "us-west-2"
    theirs = team_logging_that_works(same, f"team-logs-{same}", "audit/")
    before = json.loads(boto3.client("s3").get_bucket_policy(Bucket=f"team-logs-{same}")["Policy"])
    unsure = {**theirs, "Condition": {"StringEquals": {"aws:SourceArn": f"arn:aws:bedrock:{narrower}:{ACCOUNT}:*"}}}
    team_logging_that_works(narrower, f"team-logs-{narrower}", "audit/")
    boto3.client("s3").put_bucket_policy(Bucket=f"team-logs-{narrower}", Policy=json.dumps(
        {"Version": "2012-10-17", "Statement": [unsure]}))
    done = run("setup_bedrock_logging.py", "--regions", same, narrower, "--bucket", "team-logs-{region}", "--prefix",
               "audit/", env=aws_env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(boto3.client("s3").get_bucket_policy(Bucket=f"team-logs-{same}")["Policy"]) == before
    note = (f"  bucket team-logs-{same}: policy statement TeamBedrockWrites already allows Bedrock to write its logs "
            f"under s3://team-logs-{same}/audit/, as AllowBedrockLoggingUsEast2 would: it is not added\n")
    assert note in done.stdout
    assert f"  unchanged     bucket team-logs-{same}: policy\n" in done.stdout
    assert policy_sids(f"team-logs-{narrower}") == ["TeamBedrockWrites", "AllowBedrockLoggingUsWest2"]
    assert f"bucket team-logs-{narrower}: policy statement TeamBedrockWrites already" not in done.stdout


@pytest.mark.slow
def test_check_without_regions_names_the_regions_logging_to_cloudwatch_only_in_one_line(
        aws_env: dict[str, str]) -> None:
    """Without --regions the check looked only at regions logging to S3, so a region logging to CloudWatch Logs only,
    whose calls the reports never see, went unnamed. It is now checked too: one line names every such region, that
    the reports read S3, and the setup command that adds S3 delivery (keeping CloudWatch: setup adds a destination
    without --replace-existing where logging delivers to no S3 bucket); exit 2 as for any region not delivering to S3.
    After that command, the check passes."""
    team_logging_that_works("us-east-2", "team-llm-logs", "audit/")
    cloudwatch = {"cloudWatchConfig": TEAM_CONFIG["cloudWatchConfig"], "textDataDeliveryEnabled": True}
    for region in ("eu-west-1", "ap-south-1"):
        put_logging(region, cloudwatch)
    command = "python setup_bedrock_logging.py --regions ap-south-1 eu-west-1"
    check = run("check_bedrock_logging.py", "--format", "json", env=aws_env)
    assert check.returncode == 2, check.stdout + check.stderr
    assert check.stderr == (
        "check_bedrock_logging.py: logging in ap-south-1 eu-west-1 goes to CloudWatch Logs only, and the reports read "
        f"logs from S3: run `{command}` to add S3 delivery (the CloudWatch destination is kept)\n")
    statuses = {status["region"]: status for status in json.loads(check.stdout)["regions"]}
    assert sorted(statuses) == ["ap-south-1", "eu-west-1", "us-east-2"]
    assert [statuses[region]["verdict"] for region in ("ap-south-1", "eu-west-1", "us-east-2")] == [
        "disabled", "disabled", "no_logs"]

    assert run(*command.split()[1:], env=aws_env).returncode == 0
    fixed = run("check_bedrock_logging.py", env=aws_env)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert logging_config("eu-west-1")["cloudWatchConfig"] == TEAM_CONFIG["cloudWatchConfig"]
