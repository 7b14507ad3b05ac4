"""Setup on a team's own bucket under the project's least-privilege policy, iam/setup-admin.json, which grants setup's
bucket actions on the default names only: S3 is reached through tests/aws/policy_proxy.py, which refuses what the
policy does not grant as IAM does (moto enforces no IAM). Without the statements docs/aws-setup.md gives for a team's
bucket, the run stops at its first read of the bucket with one line saying what to add, nothing changed; with them
added to the policy, the same run sets the bucket up and no request is refused.

Expected lines are written out here; the statements are read from the documentation a user copies them from.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3
import pytest

import qcli_s3_analyzer
import setup_athena_bucket
import setup_bedrock_logging
from bedrock_usage.errors import SetupRequired
from tests.aws.aws_cli import run_aws
from tests.aws.policy_proxy import allows, policy_document, s3_under_policy
from tests.aws.refusing_proxy import refusing_proxy
from tests.aws.test_existing_configuration import team_logging_that_works
from tests.governance.data_exports_server import data_exports_server

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = "123456789012"
DOCS_SECTION = "### A team's own bucket names"
# the kind of bucket, the example name its statements use in the docs
DOCUMENTED = {"log bucket": "team-llm-logs", "results bucket": "team-athena-results",
              "CUR export bucket": "team-cur-exports", "report bucket": "team-q-reports",
              "log bucket reader": "team-llm-logs", "report bucket reader": "team-q-reports"}
BUCKET_ACTIONS = ("s3:CreateBucket", "s3:GetBucketLocation", "s3:GetBucketPublicAccessBlock",
                  "s3:PutBucketPublicAccessBlock", "s3:GetEncryptionConfiguration", "s3:PutEncryptionConfiguration",
                  "s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:ListBucket", "s3:GetLifecycleConfiguration",
                  "s3:PutLifecycleConfiguration", "s3:GetBucketVersioning", "s3:GetBucketObjectLockConfiguration")


def documented_statements() -> dict[str, list[dict[str, Any]]]:
    """The JSON blocks of the docs' section on a team's bucket names, in order: log, results, CUR export, report
    bucket, then the readers' of a log bucket and of a report bucket."""
    text = (ROOT / "docs" / "aws-setup.md").read_text()
    section = text.split(DOCS_SECTION, 1)[1].split("\n## ", 1)[0]
    blocks = [json.loads(block) for block in re.findall(r"```json\n(.*?)```", section, re.S)]
    assert len(blocks) == len(DOCUMENTED)
    return dict(zip(DOCUMENTED, blocks, strict=True))


def with_team_bucket(kind: str, bucket: str, policy_name: str = "setup-admin") -> dict[str, Any]:
    """iam/setup-admin.json (or another policy of iam/) with the docs' statements for a ``kind`` of bucket, named
    ``bucket``."""
    example = DOCUMENTED[kind]
    added = json.loads(json.dumps(documented_statements()[kind]).replace(example, bucket))
    policy = policy_document(policy_name)
    return {**policy, "Statement": [*policy["Statement"], *added]}


def run(*args: str, env: dict[str, str], s3_port: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], env={**env, "AWS_ENDPOINT_URL_S3": f"http://127.0.0.1:{s3_port}",
                                                        "AWS_MAX_ATTEMPTS": "1"},
                          cwd=ROOT, capture_output=True, text=True, timeout=120)


def bucket_names() -> list[str]:
    return sorted(bucket["Name"] for bucket in boto3.client("s3").list_buckets()["Buckets"])


def refusal(bucket: str, kind: str, pattern: str, actions: list[str], option: str, default: str) -> str:
    """The line a run refused on a team's bucket prints, as the docs describe it: the refused action comes first of
    ``actions``; S3 refuses another account's bucket its location alike, so that refusal says so too."""
    foreign = ("; if the name is another AWS account's (bucket names are shared by all accounts), pick another bucket "
               "name") if actions[0] == "s3:GetBucketLocation" else ""
    return (f"bucket {bucket}: access denied to {actions[0]}: iam/setup-admin.json grants setup's actions on a "
            f"{kind} ({', '.join(actions)}) only on buckets named {pattern}: add the {kind} statements of "
            f"docs/aws-setup.md, \"A team's own bucket names\" (Resource arn:*:s3:::{bucket}) to this identity's "
            f"policy, or run without {option} to use setup's own {default}{foreign}")


def granted_on(policy: dict[str, Any], bucket: str) -> list[str]:
    """The bucket actions ``policy`` grants on ``bucket``, as IAM evaluates its Allow statements."""
    return [action for action in BUCKET_ACTIONS if allows(policy, action, f"arn:aws:s3:::{bucket}")]


@pytest.mark.slow
def test_setup_on_a_team_log_bucket_names_the_statements_to_add_and_changes_nothing(
        aws_env: dict[str, str], moto_endpoint: str) -> None:
    region, bucket = "us-east-1", "team-llm-logs"
    actions = granted_on(policy_document("setup-admin"), "bedrock-logs-x")
    actions.remove("s3:GetBucketLocation")
    with s3_under_policy(moto_endpoint, policy_document("setup-admin")) as proxy:
        refused = run("setup_bedrock_logging.py", "--regions", region, "--bucket", bucket, "--prefix", "audit/",
                      "--format", "json", env=aws_env, s3_port=proxy.port)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    (result,) = json.loads(refused.stdout)["regions"]
    assert result["error"] == refusal(bucket, "log bucket", "bedrock-logs-*", ["s3:GetBucketLocation", *actions],
                                      "--bucket", "bedrock-logs-{account}-{region}")
    assert result["changes"] == [] and refused.stderr.count("\n") == 1
    assert proxy.denied == [f"s3:GetBucketLocation arn:aws:s3:::{bucket}"] and proxy.unknown == []
    assert bucket_names() == []
    assert not boto3.client("bedrock").get_model_invocation_logging_configuration().get("loggingConfig")

    with s3_under_policy(moto_endpoint, with_team_bucket("log bucket", bucket)) as proxy:
        done = run("setup_bedrock_logging.py", "--regions", region, "--bucket", bucket, "--prefix", "audit/",
                   env=aws_env, s3_port=proxy.port)
    assert done.returncode == 0, done.stdout + done.stderr
    assert proxy.denied == [] and proxy.unknown == [] and bucket_names() == [bucket]
    config = boto3.client("bedrock").get_model_invocation_logging_configuration()["loggingConfig"]
    assert config["s3Config"] == {"bucketName": bucket, "keyPrefix": "audit/"}


LOG_BUCKET_ACTIONS = ["s3:GetBucketLocation", "s3:CreateBucket", "s3:GetBucketPublicAccessBlock",
                      "s3:PutBucketPublicAccessBlock", "s3:GetEncryptionConfiguration", "s3:PutEncryptionConfiguration",
                      "s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:ListBucket"]


def granting(bucket: str, actions: list[str]) -> dict[str, Any]:
    """iam/setup-admin.json with one statement of the team's granting ``actions`` on ``bucket``: a policy that grants
    part of what the docs' statements do."""
    policy = policy_document("setup-admin")
    added = {"Sid": "TeamPart", "Effect": "Allow", "Action": actions, "Resource": f"arn:*:s3:::{bucket}"}
    return {**policy, "Statement": [*policy["Statement"], added]}


def bucket_settings(bucket: str) -> dict[str, Any]:
    """The public access block, default encryption and policy of ``bucket`` (None where it has none), as S3 has them."""
    s3 = boto3.client("s3")
    found: dict[str, Any] = {}
    for name, read, key, missing in (
            ("block", s3.get_public_access_block, "PublicAccessBlockConfiguration",
             "NoSuchPublicAccessBlockConfiguration"),
            ("encryption", s3.get_bucket_encryption, "ServerSideEncryptionConfiguration",
             "ServerSideEncryptionConfigurationNotFoundError"),
            ("policy", s3.get_bucket_policy, "Policy", "NoSuchBucketPolicy")):
        try:
            found[name] = read(Bucket=bucket)[key]
        except s3.exceptions.ClientError as exc:
            assert exc.response["Error"]["Code"] == missing, exc
            found[name] = None
    return found


def replace_under_grant(bucket: str, actions: list[str], moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Run setup --replace-existing on the team's ``bucket`` with S3 granting only ``actions`` on it (exit 2
    asserted); the proxy, which kept what it refused."""
    with s3_under_policy(moto_endpoint, granting(bucket, actions)) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL_S3", f"http://127.0.0.1:{proxy.port}")
        monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
        with pytest.raises(SetupRequired, match="1 region"):  # exit 2
            setup_bedrock_logging.main(["--regions", "us-east-1", "--bucket", bucket, "--prefix", "audit/",
                                        "--replace-existing", "--format", "json"])
    monkeypatch.delenv("AWS_ENDPOINT_URL_S3")
    return proxy


def test_setup_on_a_team_log_bucket_granted_its_hardening_but_not_its_policy_changes_nothing(
        aws_env: dict[str, str], moto_endpoint: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """The team added its bucket to the statements granting setup's reads and hardening but not s3:PutBucketPolicy:
    with --replace-existing the run wrote the public access block and encryption, then was refused the policy,
    leaving the bucket half changed. Every read now comes first and the policy is the first write: refused, nothing
    is changed, and the line names the refused action and the statements to add."""
    bucket = "team-llm-logs"
    boto3.client("s3").create_bucket(Bucket=bucket)
    before = bucket_settings(bucket)
    partial = [action for action in LOG_BUCKET_ACTIONS if action != "s3:PutBucketPolicy"]
    proxy = replace_under_grant(bucket, partial, moto_endpoint, monkeypatch)
    assert proxy.denied == [f"s3:PutBucketPolicy arn:aws:s3:::{bucket}"] and proxy.unknown == []
    (result,) = json.loads(capsys.readouterr().out)["regions"]
    assert result["error"] == refusal(bucket, "log bucket", "bedrock-logs-*", ["s3:PutBucketPolicy", *partial],
                                      "--bucket", "bedrock-logs-{account}-{region}")
    assert result["changes"] == [] and bucket_settings(bucket) == before == {"block": None, "encryption": None,
                                                                              "policy": None}
    assert not boto3.client("bedrock").get_model_invocation_logging_configuration().get("loggingConfig")


def test_a_write_refused_after_the_policy_was_written_names_it_and_how_to_put_it_back(
        aws_env: dict[str, str], moto_endpoint: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Granted the policy but not the public access block: the policy, written first, is made; the line names it,
    old -> new, and the command that puts the team's own policy back, which does."""
    bucket = "team-llm-logs"
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=bucket)
    own = {"Version": "2012-10-17", "Statement": [{"Sid": "TeamReaders", "Effect": "Allow", "Principal": {
        "AWS": "arn:aws:iam::123456789012:root"}, "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}]}
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(own))
    partial = [action for action in LOG_BUCKET_ACTIONS if action != "s3:PutBucketPublicAccessBlock"]
    proxy = replace_under_grant(bucket, partial, moto_endpoint, monkeypatch)
    assert proxy.denied == [f"s3:PutBucketPublicAccessBlock arn:aws:s3:::{bucket}"] and proxy.unknown == []
    (result,) = json.loads(capsys.readouterr().out)["regions"]
    undo = (f"aws s3api put-bucket-policy --bucket {bucket} --policy "
            f"{shlex.quote(json.dumps(own, separators=(',', ':')))} --region us-east-1")
    assert result["error"] == (
        refusal(bucket, "log bucket", "bedrock-logs-*", ["s3:PutBucketPublicAccessBlock", *partial], "--bucket",
                "bedrock-logs-{account}-{region}")
        + f"; made before that, the rest not: bucket {bucket}: policy: statement AllowBedrockLoggingUsEast1 (none) -> "
        f"added, bucket {bucket}: policy statement DenyInsecureTransport: (none) -> added (to put it back: `{undo}`, "
        "which needs s3:PutBucketPolicy)")
    assert [(change["resource"], change["outcome"]) for change in result["changes"]] == [
        (f"bucket {bucket}: policy", "updated"),
        (f"bucket {bucket}: policy statement DenyInsecureTransport", "updated"),
        (f"bucket {bucket}: public access block", "not made"), (f"bucket {bucket}: default encryption", "not made")]
    written = bucket_settings(bucket)
    assert written["block"] is None and written["encryption"] is None
    assert [statement["Sid"] for statement in json.loads(written["policy"])["Statement"]] == [
        "TeamReaders", "DenyInsecureTransport", "AllowBedrockLoggingUsEast1"]
    run_aws(undo)
    assert json.loads(bucket_settings(bucket)["policy"]) == own


LOGGING_REFUSALS = {  # PutModelInvocationLoggingConfiguration's modelled errors, and the line each leads with
    "AccessDeniedException": (403, "User: arn:aws:iam::123456789012:user/ops is not authorized to perform: "
                                   "bedrock:PutModelInvocationLoggingConfiguration",
                              "access denied: this identity needs bedrock:PutModelInvocationLoggingConfiguration "
                              "(see iam/setup-admin.json)"),
    "ValidationException": (400, "Failed to validate the S3 bucket",
                            "PutModelInvocationLoggingConfiguration failed: ValidationException: Failed to validate "
                            "the S3 bucket"),
}


@pytest.mark.parametrize(("code", "existing"), [("AccessDeniedException", True), ("ValidationException", False)])
def test_logging_refused_after_the_bucket_writes_names_them_as_what_a_run_again_needs(
        code: str, existing: bool, aws_env: dict[str, str], moto_endpoint: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """The team's bucket granted with the docs' statements, the logging configuration refused (the permission not
    granted, or AWS refusing the configuration): the bucket's writes were made, and the line said only the refusal.
    It now names them, old -> new, as what a run again needs (the bucket is ready, logging the one step left), with
    the command that puts them back, which does: for a bucket the run made, deleting it, once."""
    bucket, region = "team-llm-logs", "us-east-1"
    if existing:
        boto3.client("s3").create_bucket(Bucket=bucket)
    status, message, said = LOGGING_REFUSALS[code]
    answer = (status, json.dumps({"__type": code, "message": message}).encode())
    put_logging = lambda method, path: (method, path) == ("PUT", "/logging/modelinvocations")  # noqa: E731
    with (s3_under_policy(moto_endpoint, with_team_bucket("log bucket", bucket)) as proxy,
          refusing_proxy(moto_endpoint, put_logging, answer=answer) as bedrock):
        monkeypatch.setenv("AWS_ENDPOINT_URL_S3", f"http://127.0.0.1:{proxy.port}")
        monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK", f"http://127.0.0.1:{bedrock.server_port}")
        monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
        with pytest.raises(SetupRequired, match="1 region"):  # exit 2
            setup_bedrock_logging.main(["--regions", region, "--bucket", bucket, "--prefix", "audit/", "--format",
                                        "json"])
    monkeypatch.delenv("AWS_ENDPOINT_URL_S3")
    monkeypatch.delenv("AWS_ENDPOINT_URL_BEDROCK")
    assert bedrock.refused == ["PUT /logging/modelinvocations"] and proxy.denied == [] and proxy.unknown == []
    (result,) = json.loads(capsys.readouterr().out)["regions"]
    kept = (f"{said}; made before that, kept as a run again needs them (the bucket is ready: logging configuration "
            f"{region} is the one step left): bucket {bucket}")
    if existing:
        undo = f"aws s3api delete-bucket-policy --bucket {bucket} --region {region}"
        assert result["error"] == (f"{kept}: policy: created (AllowBedrockLoggingUsEast1) (to put it back: `{undo}`, "
                                   "which needs s3:DeleteBucketPolicy)")
        made = [("", "unchanged"), (": public access block", "left as it is"),
                (": default encryption", "left as it is"), (": policy", "created"),
                (": policy statement DenyInsecureTransport", "left as it is")]
    else:
        undo = f"aws s3api delete-bucket --bucket {bucket} --region {region}"
        assert result["error"] == (
            f"{kept}: created ({region}), bucket {bucket}: policy: created (DenyInsecureTransport, "
            f"AllowBedrockLoggingUsEast1), bucket {bucket}: public access block: created, bucket {bucket}: default "
            f"encryption: created (SSE-S3) (to put it back: `{undo}`, which needs s3:DeleteBucket)")
        made = [("", "created"), (": public access block", "created"), (": default encryption", "created"),
                (": policy", "created")]
    assert [(change["resource"], change["outcome"]) for change in result["changes"]] == [
        *((f"bucket {bucket}{setting}", outcome) for setting, outcome in made),
        (f"logging configuration {region}", "not made")]
    assert not boto3.client("bedrock").get_model_invocation_logging_configuration().get("loggingConfig")
    assert json.loads(bucket_settings(bucket)["policy"])["Statement"]
    run_aws(undo)
    if existing:
        assert bucket_settings(bucket) == {"block": None, "encryption": None, "policy": None}
    else:
        assert bucket_names() == []


@pytest.mark.slow
def test_setup_without_a_bucket_on_logging_to_a_team_bucket_names_setups_policy_and_the_statements_to_add(
        aws_env: dict[str, str], moto_endpoint: str) -> None:
    """The region already logs to the team's bucket and the run names no --bucket: setup checks that destination to
    keep it as the region's, and under iam/setup-admin.json AWS refuses every read of it. The line named
    iam/report-reader.json, a policy setup does not run under; it now says what setup's policy grants and the
    statements to add, with which the same run confirms the destination and keeps it (exit 0)."""
    region, bucket = "us-east-2", "team-llm-logs"
    team_logging_that_works(region, bucket, "audit/")
    keep = f"python setup_bedrock_logging.py --regions {region} --bucket {bucket} --prefix audit/"
    reads = ("s3:GetBucketLocation", "s3:GetBucketPolicy", "s3:ListBucket", "s3:GetEncryptionConfiguration")
    with s3_under_policy(moto_endpoint, policy_document("setup-admin")) as proxy:
        refused = run("setup_bedrock_logging.py", "--regions", region, "--format", "json", env=aws_env,
                      s3_port=proxy.port)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert proxy.denied == [f"{action} arn:aws:s3:::{bucket}" for action in reads] and proxy.unknown == []
    (result,) = json.loads(refused.stdout)["regions"]
    problems = "; ".join(f"{what}: access denied: this identity needs {action}" for what, action in zip(
        ("bucket region", "bucket policy", "newest log", "bucket encryption"), reads, strict=True))
    assert result["warning"] == (
        f"logging in {region} delivers to s3://{bucket}/audit/, which could not all be checked ({problems}): "
        "iam/setup-admin.json grants setup's reads of a log bucket only on buckets named bedrock-logs-*: add the log "
        f"bucket statements of docs/aws-setup.md, \"A team's own bucket names\" (Resource arn:*:s3:::{bucket}) to "
        f"this identity's policy, then run again to have setup check it there (`{keep}`, which also hardens it there, "
        "needs them too)")
    assert "report-reader" not in refused.stdout + refused.stderr
    assert bucket_names() == [bucket]

    with s3_under_policy(moto_endpoint, with_team_bucket("log bucket", bucket)) as proxy:
        kept = run("setup_bedrock_logging.py", "--regions", region, env=aws_env, s3_port=proxy.port)
    assert kept.returncode == 0, kept.stdout + kept.stderr
    assert proxy.denied == [] and f"logging in {region} already delivers to s3://{bucket}/audit/" in kept.stdout
    assert bucket_names() == [bucket]


def test_setup_refused_a_read_of_a_log_bucket_its_policy_covers_names_its_own_policy(
        aws_env: dict[str, str], moto_endpoint: str) -> None:
    """Logging to another bedrock-logs-* bucket, whose policy setup may not read: the refusal names
    iam/setup-admin.json, which lists that read on such names, not the readers' policy."""
    region, bucket = "us-east-2", "bedrock-logs-shared-us-east-2"
    team_logging_that_works(region, bucket, "audit/")
    with refusing_proxy(moto_endpoint, lambda method, path: method == "GET" and path == f"/{bucket}?policy") as proxy:
        refused = run("setup_bedrock_logging.py", "--regions", region, "--format", "json", env=aws_env,
                      s3_port=proxy.server_port)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    (result,) = json.loads(refused.stdout)["regions"]
    assert result["warning"] == (
        f"logging in {region} delivers to s3://{bucket}/audit/, which could not all be checked (bucket policy: access "
        "denied: this identity needs s3:GetBucketPolicy (see iam/setup-admin.json)): to have setup check and harden "
        f"it there, run `python setup_bedrock_logging.py --regions {region} --bucket {bucket} --prefix audit/`")


@pytest.mark.slow
def test_the_check_under_the_reader_policy_on_a_team_log_bucket_names_the_reader_statements_to_add(
        aws_env: dict[str, str], moto_endpoint: str) -> None:
    """The region logs to the team's bucket, and iam/report-reader.json grants the check's reads of log buckets on
    bedrock-logs-* only: each refused read named iam/report-reader.json as the policy that grants it. The line now
    says what that policy grants and names the docs' reader statements to add, with which the check passes."""
    region, bucket = "us-east-2", "team-llm-logs"
    team_logging_that_works(region, bucket, "audit/")
    reads = ("s3:GetBucketLocation", "s3:GetBucketPolicy", "s3:ListBucket", "s3:GetEncryptionConfiguration")
    check = ("check_bedrock_logging.py", "--regions", region)
    with s3_under_policy(moto_endpoint, policy_document("report-reader")) as proxy:
        refused = run(*check, env=aws_env, s3_port=proxy.port)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    lifecycle = f"s3:GetLifecycleConfiguration arn:aws:s3:::{bucket}"  # a note, not among the problems
    assert proxy.denied == [*(f"{action} arn:aws:s3:::{bucket}" for action in reads), lifecycle]
    assert proxy.unknown == []
    problems = "; ".join(f"{what}: access denied: this identity needs {action}" for what, action in zip(
        ("bucket region", "bucket policy", "newest log", "bucket encryption"), reads, strict=True))
    assert refused.stderr == (
        f"check_bedrock_logging.py: could not confirm that Bedrock can deliver in {region} ({problems}): "
        "iam/report-reader.json grants the check's reads of a log bucket only on buckets named bedrock-logs-*: add "
        f"the log bucket reader statements of docs/aws-setup.md, \"A team's own bucket names\" (Resource "
        f"arn:*:s3:::{bucket}) to this identity's policy, then run the check again; meanwhile, make sure the bucket "
        f"policy lets bedrock.amazonaws.com s3:PutObject under s3://{bucket}/audit/AWSLogs/{ACCOUNT}/\n")
    assert "report-reader.json)" not in refused.stdout

    with s3_under_policy(moto_endpoint, with_team_bucket("log bucket reader", bucket, "report-reader")) as proxy:
        passed = run(*check, env=aws_env, s3_port=proxy.port)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert proxy.denied == [] and proxy.unknown == [] and "✅ Enabled (no log yet)" in passed.stdout


def test_athena_setup_on_logging_to_a_team_bucket_names_the_statements_that_let_it_read_the_buckets_region(
        aws_env: dict[str, str], moto_endpoint: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """The region logs to the team's bucket, and iam/setup-admin.json grants setup's reads of log buckets on
    bedrock-logs-* only: the note that the bucket's Region is unknown named that policy beside the refused read; it
    now says what the policy grants and names the log bucket statements to add (the table is made all the same)."""
    region, bucket = "us-east-2", "team-llm-logs"
    team_logging_that_works(region, bucket, "audit/")
    with s3_under_policy(moto_endpoint, policy_document("setup-admin")) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL_S3", f"http://127.0.0.1:{proxy.port}")
        monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
        assert setup_athena_bucket.main(["--regions", region, "--skip-test-query", "--dry-run", "--format",
                                         "json"]) == 0
    assert proxy.denied == [f"s3:GetBucketLocation arn:aws:s3:::{bucket}"] and proxy.unknown == []
    (result,) = json.loads(capsys.readouterr().out)["regions"]
    assert result["notes"] == [
        f"bucket {bucket}: its Region is unknown (access denied: this identity needs s3:GetBucketLocation), so whether "
        "Bedrock can deliver logs there is not checked: iam/setup-admin.json grants setup's reads of a log bucket only "
        "on buckets named bedrock-logs-*: add the log bucket statements of docs/aws-setup.md, \"A team's own bucket "
        f"names\" (Resource arn:*:s3:::{bucket}) to this identity's policy, then run again to have setup check it, or "
        f"run `python check_bedrock_logging.py --regions {region}`"]


def test_the_documented_reader_statements_grant_on_a_team_log_bucket_what_the_policy_grants_on_its_own() -> None:
    policy = policy_document("report-reader")
    extended = with_team_bucket("log bucket reader", "team-x", "report-reader")
    assert granted_on(policy, "team-x") == []
    assert granted_on(extended, "team-x") == granted_on(policy, "bedrock-logs-x")
    for action in ("s3:GetObject", "s3:PutObject"):
        assert allows(extended, action, "arn:aws:s3:::team-x/AWSLogs/1/a.json.gz") == allows(
            policy, action, "arn:aws:s3:::bedrock-logs-x/AWSLogs/1/a.json.gz"), action


RESULTS_BUCKET_ACTIONS = ["s3:GetBucketLocation", "s3:CreateBucket", "s3:GetBucketPublicAccessBlock",
                          "s3:PutBucketPublicAccessBlock", "s3:GetEncryptionConfiguration",
                          "s3:PutEncryptionConfiguration", "s3:ListBucket", "s3:GetLifecycleConfiguration",
                          "s3:PutLifecycleConfiguration", "s3:GetBucketVersioning",
                          "s3:GetBucketObjectLockConfiguration"]


@pytest.mark.parametrize("refused", ["s3:GetBucketObjectLockConfiguration", "s3:PutLifecycleConfiguration"])
@pytest.mark.slow
def test_setup_on_a_team_results_bucket_granted_in_part_names_the_refused_action_and_changes_nothing(
        refused: str, aws_env: dict[str, str], moto_endpoint: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """The team's results bucket granted setup's hardening (its reads too, or not the lifecycle rule): the run wrote
    the public access block and encryption, made the Glue database, table and workgroup, then said only that the
    identity needs the refused action (see iam/setup-admin.json). Every read of the bucket now comes first and the
    rule is its first write: the refusal stops the region with nothing made, and names the action and the statements
    to add, as for a log bucket."""
    bucket = "team-athena-results"
    boto3.client("s3").create_bucket(Bucket=bucket)
    granted = [action for action in RESULTS_BUCKET_ACTIONS if action != refused]
    if refused == "s3:GetBucketObjectLockConfiguration":  # the statement of setup's hardening alone
        granted = [action for action in granted if "Lifecycle" not in action and "Versioning" not in action]
    with s3_under_policy(moto_endpoint, granting(bucket, granted)) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL_S3", f"http://127.0.0.1:{proxy.port}")
        monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
        with pytest.raises(SetupRequired, match="1 region"):  # exit 2
            setup_athena_bucket.main(["--regions", "us-east-1", "--results-bucket", bucket, "--log-bucket",
                                      f"bedrock-logs-{ACCOUNT}-us-east-1", "--skip-test-query", "--replace-existing",
                                      "--format", "json"])
    monkeypatch.delenv("AWS_ENDPOINT_URL_S3")
    assert proxy.denied == [f"{refused} arn:aws:s3:::{bucket}"] and proxy.unknown == []
    (result,) = json.loads(capsys.readouterr().out)["regions"]
    others = [action for action in RESULTS_BUCKET_ACTIONS if action != refused]
    assert result["error"] == refusal(bucket, "results bucket", "bedrock-analytics-*", [refused, *others],
                                      "--results-bucket", "bedrock-analytics-{account}-{region}")
    assert result["changes"] == [] and result["notes"] == []
    assert bucket_settings(bucket) == {"block": None, "encryption": None, "policy": None}
    assert boto3.client("glue").get_databases()["DatabaseList"] == []


ATHENA_REFUSALS = {  # (what the stand-in refuses: a key of the JSON request, the action), the step refused first
    "glue": (("DatabaseInput", "glue:CreateDatabase"), "Glue database bedrock_analytics"),
    "athena": (("Configuration", "athena:CreateWorkGroup"), "Athena workgroup team-wg"),
}


@pytest.mark.parametrize("service", ["glue", "athena"])
@pytest.mark.slow
def test_a_glue_or_athena_step_refused_after_the_results_bucket_writes_names_them_as_what_a_run_again_needs(
        service: str, aws_env: dict[str, str], moto_endpoint: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """The team's results bucket granted with the docs' statements, then a Glue or Athena step refused (the database,
    or the workgroup of --workgroup team-wg, which iam/setup-admin.json grants on bedrock-usage only): the bucket's
    writes were made and the line said only the refusal. It now names them, old -> new, as what a run again needs
    (the bucket is ready, the refused step and those after it left), with the command that puts them back, which
    does; the Glue database and table the run made before the workgroup was refused too, put back by deleting the
    database (it held nothing before the run)."""
    bucket, region = "team-athena-results", "us-east-1"
    existing = service == "athena"  # an existing bucket, hardened with --replace-existing; else one the run makes
    if existing:
        boto3.client("s3").create_bucket(Bucket=bucket)
    (key, action), first = ATHENA_REFUSALS[service]
    answer = (400, json.dumps({"__type": "AccessDeniedException", "Message": (
        f"User: arn:aws:iam::{ACCOUNT}:user/ops is not authorized to perform: {action} because no identity-based "
        f"policy allows the {action} action")}).encode())
    with (s3_under_policy(moto_endpoint, with_team_bucket("results bucket", bucket)) as proxy,
          refusing_proxy(moto_endpoint, lambda method, path: method == "POST",
                         refuses_body=lambda body: key in json.loads(body or b"{}"), answer=answer) as stand_in):
        monkeypatch.setenv("AWS_ENDPOINT_URL_S3", f"http://127.0.0.1:{proxy.port}")
        monkeypatch.setenv(f"AWS_ENDPOINT_URL_{service.upper()}", f"http://127.0.0.1:{stand_in.server_port}")
        monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
        with pytest.raises(SetupRequired, match="1 region"):  # exit 2
            setup_athena_bucket.main(["--regions", region, "--results-bucket", bucket, "--log-bucket",
                                      f"bedrock-logs-{ACCOUNT}-{region}", "--workgroup", "team-wg",
                                      "--skip-test-query", "--format", "json", *(["--replace-existing"] * existing)])
    monkeypatch.delenv("AWS_ENDPOINT_URL_S3")
    monkeypatch.delenv(f"AWS_ENDPOINT_URL_{service.upper()}")
    assert stand_in.refused == ["POST /"] and proxy.denied == [] and proxy.unknown == []
    (result,) = json.loads(capsys.readouterr().out)["regions"]
    table = "Glue table bedrock_analytics.bedrock_invocation_logs"
    left = f"{first} is the one step left" if existing else (
        f"{first}, {table} and Athena workgroup team-wg are the steps left")
    kept = (f"access denied: this identity needs {action} (see iam/setup-admin.json); made before that, kept as a run "
            f"again needs them (the bucket is ready: {left}): bucket {bucket}")
    rule = ('{"ID":"expire-query-results","Filter":{"Prefix":"query-results/"},"Status":"Enabled",'
            '"Expiration":{"Days":30}}')
    if existing:
        undo = [f"aws s3api delete-bucket-lifecycle --bucket {bucket} --region {region}",
                f"aws s3api delete-public-access-block --bucket {bucket} --region {region}",
                f"aws s3api delete-bucket-encryption --bucket {bucket} --region {region}",
                f"aws glue delete-database --name bedrock_analytics --catalog-id {ACCOUNT} --region {region}"]
        logs = f"s3://bedrock-logs-{ACCOUNT}-{region}/AWSLogs/{ACCOUNT}/BedrockModelInvocationLogs/{region}/${{dt}}"
        assert result["error"] == (
            f"{kept}: lifecycle rule expire-query-results: (none) -> {rule} (to put it back: `{undo[0]}`, which needs "
            f"s3:PutLifecycleConfiguration); bucket {bucket}: public access block: (none) -> all four blocked (to put "
            f"it back: `{undo[1]}`, which needs s3:PutBucketPublicAccessBlock); bucket {bucket}: default encryption: "
            f"none -> SSE-S3 (to put it back: `{undo[2]}`, which needs s3:PutEncryptionConfiguration); Glue database "
            f"bedrock_analytics: created, {table}: created ({logs}) (to put it back: `{undo[3]}`, which needs "
            "glue:DeleteDatabase on the database and its tables, and deletes the tables in it too)")
        made = [("", "unchanged"), (": public access block", "updated"), (": default encryption", "updated"),
                (": lifecycle rule expire-query-results", "updated")]
        done = ["Glue database bedrock_analytics", table]
    else:
        undo = [f"aws s3api delete-bucket --bucket {bucket} --region {region}"]
        assert result["error"] == (
            f"{kept}: created ({region}), bucket {bucket}: lifecycle rule expire-query-results: created, bucket "
            f"{bucket}: public access block: created, bucket {bucket}: default encryption: created (SSE-S3) (to put it "
            f"back: `{undo[0]}`, which needs s3:DeleteBucket)")
        made = [("", "created"), (": public access block", "created"), (": default encryption", "created"),
                (": lifecycle rule expire-query-results", "created")]
        done = []
    assert [(change["resource"], change["outcome"]) for change in result["changes"]] == [
        *((f"bucket {bucket}{setting}", outcome) for setting, outcome in made), *((name, "created") for name in done)]
    for command in undo:
        run_aws(command)
    assert boto3.client("glue").get_databases()["DatabaseList"] == []
    if existing:
        assert bucket_settings(bucket) == {"block": None, "encryption": None, "policy": None}
        s3 = boto3.client("s3")
        with pytest.raises(s3.exceptions.ClientError, match="NoSuchLifecycleConfiguration"):
            s3.get_bucket_lifecycle_configuration(Bucket=bucket)
    else:
        assert bucket_names() == []


def test_the_documented_reader_statements_grant_on_a_team_report_bucket_what_the_policy_grants_on_its_own() -> None:
    policy = policy_document("report-reader")
    extended = with_team_bucket("report bucket reader", "team-x", "report-reader")
    assert granted_on(policy, "team-x") == []
    assert granted_on(extended, "team-x") == granted_on(policy, "amazonq-developer-reports-x") == ["s3:ListBucket"]
    for key in ("prompt_logging/AWSLogs/1/a.json.gz", "AWSLogs/1/KiroLogs/user_report/us-east-1/a.csv"):
        for action in ("s3:GetObject", "s3:PutObject"):
            assert allows(extended, action, f"arn:aws:s3:::team-x/{key}") == allows(
                policy, action, f"arn:aws:s3:::amazonq-developer-reports-x/{key}"), (action, key)


@pytest.mark.slow
def test_the_analyzer_on_a_team_report_bucket_reads_it_with_the_documented_reader_statements(
        aws_env: dict[str, str], moto_endpoint: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Under iam/report-reader.json, which grants the reports' reads on amazonq-developer-reports-* only, the listing
    of a team's report bucket is refused: the line ended '(see docs/amazon-q.md)', a page naming no statement for
    such a bucket; it now says what the policy grants and names the docs' report bucket reader statements, as the log
    check does for a team's log bucket. With those statements the run reads its Kiro user report (Ana's 12.5 credits)
    and AWS refuses nothing."""
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=REPORT_BUCKET)
    s3.put_object(Bucket=REPORT_BUCKET, Key=f"kiro/AWSLogs/{ACCOUNT}/KiroLogs/user_report/us-east-1/2026/01/02/00/"
                  f"IDE_{ACCOUNT}_user_report_202601020200.csv",
                  Body=b"Date,UserId,Client_Type,Credits_Used,Subscription_Tier,Total_Messages,User_Email\n"
                       b"2026-01-01,u-1,KIRO_IDE,12.5,PRO,3,ana@example.com\n")
    analyze = ["--bucket", REPORT_BUCKET, "--start-date", "2026-01-01", "--end-date", "2026-01-01", "--format",
               "json", "--output", str(tmp_path)]
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    with s3_under_policy(moto_endpoint, policy_document("report-reader")) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL_S3", f"http://127.0.0.1:{proxy.port}")
        assert qcli_s3_analyzer.main(analyze) == 2
    assert proxy.denied == [f"s3:ListBucket arn:aws:s3:::{REPORT_BUCKET}"] and proxy.unknown == []
    assert capsys.readouterr().err == (
        f"setup needed: s3://{REPORT_BUCKET}: access denied: this identity needs s3:ListBucket: iam/report-reader.json "
        "grants the Amazon Q / Kiro report's reads of a report bucket only on buckets named "
        "amazonq-developer-reports-*: add the report bucket reader statements of docs/aws-setup.md, \"A team's own "
        f"bucket names\" (Resource arn:*:s3:::{REPORT_BUCKET}) to this identity's policy, then run again\n")

    with s3_under_policy(moto_endpoint, with_team_bucket("report bucket reader", REPORT_BUCKET,
                                                         "report-reader")) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL_S3", f"http://127.0.0.1:{proxy.port}")
        assert qcli_s3_analyzer.main(analyze) == 0
    assert proxy.denied == [] and proxy.unknown == []
    (written,) = tmp_path.glob("*.json")
    kiro = json.loads(written.read_text())["kiro"]
    assert kiro["files"]["read"] == 1
    assert [(row["user"], row["total_credits"]) for row in kiro["per_user"]] == [("ana@example.com", 12.5)]


def test_the_analyzer_refused_on_a_bucket_the_reader_policy_covers_names_that_policy(
        aws_env: dict[str, str], moto_endpoint: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    """An amazonq-developer-reports-* bucket, on which iam/report-reader.json grants the report's reads, its listing
    refused all the same (the policy not attached, or the bucket's policy denying it): the line ended '(see
    docs/amazon-q.md)'; it now names iam/report-reader.json, the file that grants the read there, as the log check
    names it on a bedrock-logs-* bucket; exit 2."""
    bucket = f"amazonq-developer-reports-{ACCOUNT}"
    boto3.client("s3").create_bucket(Bucket=bucket)
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    with refusing_proxy(moto_endpoint, lambda method, path: method == "GET") as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL_S3", f"http://127.0.0.1:{proxy.server_port}")
        assert qcli_s3_analyzer.main(["--bucket", bucket, "--start-date", "2026-01-01", "--end-date", "2026-01-01",
                                      "--format", "json", "--output", str(tmp_path)]) == 2
    assert [request.split("?")[0] for request in proxy.refused] == [f"GET /{bucket}"]
    assert capsys.readouterr().err == (f"setup needed: s3://{bucket}: access denied: this identity needs "
                                       "s3:ListBucket (see iam/report-reader.json)\n")


@pytest.mark.slow  # two setup_athena_bucket.py processes (Glue, Athena): with the slow suite
def test_setup_on_a_team_results_bucket_names_the_statements_to_add_and_changes_nothing(
        aws_env: dict[str, str], moto_endpoint: str) -> None:
    region, bucket = "us-east-1", "team-athena-results"
    actions = granted_on(policy_document("setup-admin"), "bedrock-analytics-x")
    actions.remove("s3:GetBucketLocation")
    athena = ("setup_athena_bucket.py", "--regions", region, "--results-bucket", bucket, "--log-bucket",
              f"bedrock-logs-{ACCOUNT}-{region}", "--skip-test-query")
    with s3_under_policy(moto_endpoint, policy_document("setup-admin")) as proxy:
        refused = run(*athena, env=aws_env, s3_port=proxy.port)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    line = refusal(bucket, "results bucket", "bedrock-analytics-*", ["s3:GetBucketLocation", *actions],
                   "--results-bucket", "bedrock-analytics-{account}-{region}")
    assert f"  ❌ {line}\n" in refused.stdout
    assert proxy.denied == [f"s3:GetBucketLocation arn:aws:s3:::{bucket}"] and proxy.unknown == []
    assert bucket_names() == [] and boto3.client("glue").get_databases()["DatabaseList"] == []

    with s3_under_policy(moto_endpoint, with_team_bucket("results bucket", bucket)) as proxy:
        done = run(*athena, env=aws_env, s3_port=proxy.port)
    assert done.returncode == 0, done.stdout + done.stderr
    assert proxy.denied == [] and proxy.unknown == [] and bucket_names() == [bucket]


@pytest.mark.slow  # two setup_athena_bucket.py processes (Glue, Athena): with the slow suite
def test_cur_setup_on_a_team_export_bucket_names_the_statements_to_add_and_changes_nothing(
        aws_env: dict[str, str], moto_endpoint: str) -> None:
    bucket = "team-cur-exports"
    actions = granted_on(policy_document("setup-admin"), "bedrock-usage-cur-x")
    actions.remove("s3:GetBucketLocation")
    cur = ("setup_athena_bucket.py", "--cur", "--cur-bucket", bucket, "--skip-test-query")
    with data_exports_server() as exports:
        env = {**aws_env, "AWS_ENDPOINT_URL_BCM_DATA_EXPORTS": exports.url}
        with s3_under_policy(moto_endpoint, policy_document("setup-admin")) as proxy:
            refused = run(*cur, env=env, s3_port=proxy.port)
        assert refused.returncode == 2, refused.stdout + refused.stderr
        line = refusal(bucket, "CUR export bucket", "bedrock-usage-cur-*", ["s3:GetBucketLocation", *actions],
                       "--cur-bucket", "bedrock-usage-cur-{account}")
        assert f"  ❌ {line}\n" in refused.stdout
        assert proxy.denied == [f"s3:GetBucketLocation arn:aws:s3:::{bucket}"] and proxy.unknown == []
        assert bucket_names() == [] and exports.exports == {}

        with s3_under_policy(moto_endpoint, with_team_bucket("CUR export bucket", bucket)) as proxy:
            done = run(*cur, env=env, s3_port=proxy.port)
        assert done.returncode == 0, done.stdout + done.stderr
        assert proxy.denied == [] and proxy.unknown == [] and len(exports.exports) == 1
        assert bucket_names() == [f"bedrock-analytics-{ACCOUNT}-us-east-1", bucket]  # the results bucket besides


REPORT_BUCKET = "team-q-reports"
QDEV_SETUP = ("setup_athena_bucket.py", "--qdev", "--qdev-bucket", REPORT_BUCKET, "--skip-test-query")


def team_report_bucket() -> str:
    """The team's report bucket holding a Kiro user report of us-east-1, and the line a run refused its location
    prints: the line the other bucket options get, without their way round (setup makes no report bucket)."""
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=REPORT_BUCKET)
    s3.put_object(Bucket=REPORT_BUCKET, Key=f"kiro/AWSLogs/{ACCOUNT}/KiroLogs/user_report/us-east-1/2026/01/02/00/"
                  f"IDE_{ACCOUNT}_user_report_202601020200.csv", Body=b"UserId,Date\n")
    return (f"bucket {REPORT_BUCKET}: access denied to s3:GetBucketLocation: iam/setup-admin.json grants setup's "
            "actions on a report bucket (s3:GetBucketLocation, s3:ListBucket) only on buckets named "
            "amazonq-developer-reports-*: add the report bucket statements of docs/aws-setup.md, \"A team's own bucket "
            f"names\" (Resource arn:*:s3:::{REPORT_BUCKET}) to this identity's policy; if the name is another AWS "
            "account's (bucket names are shared by all accounts), check the name given to --qdev-bucket")


@pytest.mark.slow
def test_qdev_setup_on_a_team_report_bucket_names_the_statements_to_add(
        aws_env: dict[str, str], moto_endpoint: str) -> None:
    """--qdev-bucket beyond amazonq-developer-reports-*, the regions found in it: the generic line (the name may be
    another account's, or the identity lacks s3:GetBucketLocation, which iam/setup-admin.json lists) is now the line
    naming the statements to add; nothing made."""
    line = team_report_bucket()
    with s3_under_policy(moto_endpoint, policy_document("setup-admin")) as proxy:
        found = run(*QDEV_SETUP, env=aws_env, s3_port=proxy.port)
    assert found.returncode == 2 and found.stderr == f"setup_athena_bucket.py: {line}\n", found.stderr
    assert proxy.denied == [f"s3:GetBucketLocation arn:aws:s3:::{REPORT_BUCKET}"] and proxy.unknown == []
    assert bucket_names() == [REPORT_BUCKET] and boto3.client("glue").get_databases()["DatabaseList"] == []


@pytest.mark.parametrize("regions", [[], ["--regions", "us-east-1"]])
def test_qdev_setup_on_a_team_report_bucket_granted_its_location_only_names_the_statements_to_add(
        regions: list[str], aws_env: dict[str, str], moto_endpoint: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """s3:GetBucketLocation granted on the team's report bucket, s3:ListBucket not: the listing that finds the
    reports was refused with 'this identity needs s3:ListBucket (see docs/amazon-q.md)', a page that names no
    statement for a team's bucket; the line is now the one a refused location gets, naming ListBucket."""
    team_report_bucket()
    with s3_under_policy(moto_endpoint, granting(REPORT_BUCKET, ["s3:GetBucketLocation"])) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL_S3", f"http://127.0.0.1:{proxy.port}")
        monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
        with pytest.raises(SetupRequired) as refused:  # exit 2
            setup_athena_bucket.main(["--qdev", "--qdev-bucket", REPORT_BUCKET, "--skip-test-query", "--format",
                                      "json", *regions])
    assert proxy.denied == [f"s3:ListBucket arn:aws:s3:::{REPORT_BUCKET}"] and proxy.unknown == []
    line = (f"bucket {REPORT_BUCKET}: access denied to s3:ListBucket: iam/setup-admin.json grants setup's actions on "
            "a report bucket (s3:ListBucket, s3:GetBucketLocation) only on buckets named amazonq-developer-reports-*: "
            "add the report bucket statements of docs/aws-setup.md, \"A team's own bucket names\" (Resource "
            f"arn:*:s3:::{REPORT_BUCKET}) to this identity's policy")
    if regions:
        (result,) = json.loads(capsys.readouterr().out)["regions"]
        assert result["error"] == line and result["changes"] == []
    else:
        assert str(refused.value) == line
    assert boto3.client("glue").get_databases()["DatabaseList"] == []


@pytest.mark.slow  # a setup_athena_bucket.py process that makes the Glue table and workgroup: with the slow suite
def test_qdev_setup_in_a_region_named_on_a_team_report_bucket_runs_through_with_the_documented_statements(
        aws_env: dict[str, str], moto_endpoint: str) -> None:
    """The same line for a region named with --regions, the region failed and nothing made; with the docs'
    statements the same run sets the region up without a refused request."""
    line = team_report_bucket()
    with s3_under_policy(moto_endpoint, policy_document("setup-admin")) as proxy:
        named = run(*QDEV_SETUP, "--regions", "us-east-1", env=aws_env, s3_port=proxy.port)
    assert named.returncode == 2 and f"  ❌ {line}\n" in named.stdout, named.stdout
    assert bucket_names() == [REPORT_BUCKET] and boto3.client("glue").get_databases()["DatabaseList"] == []

    with s3_under_policy(moto_endpoint, with_team_bucket("report bucket", REPORT_BUCKET)) as proxy:
        done = run(*QDEV_SETUP, "--regions", "us-east-1", env=aws_env, s3_port=proxy.port)
    assert done.returncode == 0, done.stdout + done.stderr
    assert proxy.denied == [] and proxy.unknown == []
    assert boto3.client("glue").get_table(DatabaseName="bedrock_analytics", Name="kiro_user_report")


@pytest.mark.slow
def test_the_checks_repair_command_for_a_team_bucket_that_is_gone_says_what_it_needs_beyond_the_policy(
        aws_env: dict[str, str], moto_endpoint: str) -> None:
    """The command check_bedrock_logging.py prints makes the bucket again where logging names it: under the setup
    policy that takes s3:CreateBucket and setup's other actions on a name beyond bedrock-logs-*, and the line says so;
    with the docs' statements the printed command runs through."""
    region, bucket = "eu-west-1", "team-llm-logs"
    boto3.client("bedrock", region_name=region).put_model_invocation_logging_configuration(loggingConfig={
        "s3Config": {"bucketName": bucket, "keyPrefix": "audit/"}, "textDataDeliveryEnabled": True})
    command = f"python setup_bedrock_logging.py --regions {region} --bucket {bucket} --prefix audit/"
    check = subprocess.run([sys.executable, "check_bedrock_logging.py", "--regions", region], env=aws_env, cwd=ROOT,
                           capture_output=True, text=True, timeout=120)
    assert check.returncode == 2, check.stdout + check.stderr
    assert check.stderr == (
        f"check_bedrock_logging.py: logging in {region} cannot deliver (bucket {bucket} does not exist): run "
        f"`{command}` (under iam/setup-admin.json, which grants setup's log bucket actions on bedrock-logs-* only, it "
        f"needs s3:CreateBucket (the bucket is gone) and those actions on {bucket} too: add the log bucket statements "
        "of docs/aws-setup.md, \"A team's own bucket names\")\n")

    with s3_under_policy(moto_endpoint, with_team_bucket("log bucket", bucket)) as proxy:
        repaired = run(*command.split()[1:], env=aws_env, s3_port=proxy.port)
    assert repaired.returncode == 0, repaired.stdout + repaired.stderr
    assert proxy.denied == [] and bucket_names() == [bucket]


@pytest.mark.parametrize(("kind", "default"), [("log bucket", "bedrock-logs-x"),
                                               ("results bucket", "bedrock-analytics-x"),
                                               ("CUR export bucket", "bedrock-usage-cur-x"),
                                               ("report bucket", "amazonq-developer-reports-x")])
def test_the_documented_statements_grant_on_a_team_bucket_what_the_policy_grants_on_setups(kind: str,
                                                                                           default: str) -> None:
    """A team's bucket gets the bucket actions the policy grants on setup's own names of that kind, no fewer, and
    the object actions too (the test query reads them with the caller's rights)."""
    policy = policy_document("setup-admin")
    extended = with_team_bucket(kind, "team-x")
    assert granted_on(policy, "team-x") == []
    assert granted_on(extended, "team-x") == granted_on(policy, default)
    for key in ("query-results/a.csv", "compacted/dt=2026-01-01/a.parquet", "AWSLogs/1/a.json.gz", "data/a.parquet"):
        for action in ("s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"):
            assert allows(extended, action, f"arn:aws:s3:::team-x/{key}") == allows(
                policy, action, f"arn:aws:s3:::{default}/{key}"), (action, key)
