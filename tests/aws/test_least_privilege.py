"""The IAM policy files grant exactly the actions the scripts call (recorded while they run against moto)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import boto3
import pytest

import generate_test_data
from bedrock_usage.aws.session import IAM_ACTIONS

ROOT = Path(__file__).resolve().parents[2]
POLICY_OF = {
    "setup_bedrock_logging.py": "setup-admin",
    "setup_athena_bucket.py": "setup-admin",
    "qcli_s3_analyzer.py": "report-reader",
    "check_bedrock_logging.py": "report-reader",
    "bedrock_tracker_cli.py": "report-reader",
    "generate_test_data.py": "test-data-generator",
    "verify_bedrock_permissions.py": "test-data-generator",
}
# AWS answers these for any identity; no policy grants them.
ALWAYS_ALLOWED = {"sts:GetCallerIdentity"}
# Granted because the scripts call them on AWS, on paths moto cannot take (see each reason).
NOT_EXERCISED_ON_MOTO = {
    "athena:StopQueryExecution": "only after a query times out",
    "bedrock:GetInferenceProfile": "moto has no application inference profiles",
    "bedrock:ListTagsForResource": "moto has no application inference profiles",
    "athena:UpdateWorkGroup": "moto answers UpdateWorkGroup with an error, so the update path is not reached",
    "bedrock:InvokeModel": "real model calls; moto has no bedrock-runtime",
    "bedrock:InvokeModelWithResponseStream": "streaming calls of applications that use the test roles",
    "glue:GetDatabase@report-reader": "Athena itself reads the table definition with the caller's rights",
    "glue:GetTable@report-reader": "Athena itself reads the table definition with the caller's rights",
    "iam:TagRole": "CreateRole with Tags, as generate_test_data.py calls it, needs iam:TagRole too",
    "iam:DetachRolePolicy": "only for roles that someone attached managed policies to",
    "s3:DeleteObject": "only with generate_test_data.py --replace over existing logs",
    "s3:PutObject@report-reader": "Athena itself writes query results with the caller's rights",
    "glue:GetPartitions@report-reader": "Athena itself lists the compacted table's partitions with the caller's rights",
    "glue:GetPartition@setup-admin": "Athena itself adds the compacted table's partitions with the caller's rights",
    "glue:GetPartitions@setup-admin": "Athena itself adds the compacted table's partitions with the caller's rights",
    "glue:BatchCreatePartition": "Athena itself adds the compacted table's partitions with the caller's rights",
    "s3:AbortMultipartUpload": "Athena itself writes the compacted table's files with the caller's rights",
    "s3:GetObject@setup-admin": "Athena itself reads the logs for the test query with the caller's rights",
    "s3:ListBucket@setup-admin": "Athena itself lists the logs for the test query with the caller's rights",
    "s3:PutObject@setup-admin": "Athena itself writes the test query's result with the caller's rights",
}


def granted(policy: str) -> set[str]:
    if policy == "test-role":  # the inline policy generate_test_data.py --create-roles gives each test role
        document = generate_test_data.ROLE_POLICY
    else:
        document = json.loads((ROOT / "iam" / f"{policy}.json").read_text())
    actions: set[str] = set()
    for statement in document["Statement"]:
        assert statement["Effect"] == "Allow"
        value = statement["Action"]
        actions |= {value} if isinstance(value, str) else set(value)
    assert not any("*" in action for action in actions), f"{policy} grants a wildcard action"
    return actions


def iam_action(prefix: str, operation: str) -> str:
    if operation in IAM_ACTIONS:
        return IAM_ACTIONS[operation]
    prefix = {"monitoring": "cloudwatch"}.get(prefix, prefix)  # CloudWatch signs as "monitoring"
    return f"{prefix}:{operation}"


@pytest.mark.slow
def test_policies_grant_what_the_scripts_call_and_nothing_else(aws_env: dict[str, str], tmp_path: Path) -> None:
    used: dict[str, set[str]] = {}

    def run(script: str, *args: str, ok: tuple[int, ...] = (0,)) -> None:
        log = tmp_path / f"{script}.calls"
        result = subprocess.run([sys.executable, str(ROOT / "tests" / "aws_call_recorder.py"), str(ROOT / script),
                                 *args], env={**aws_env, "AWS_CALL_LOG": str(log), "AWS_MAX_ATTEMPTS": "1"},
                                cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert result.returncode in ok, f"{script} {args}: {result.stderr}"
        calls = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
        for prefix, operation, caller in calls:
            policy = POLICY_OF[script] if caller == "self" else "test-role"
            used.setdefault(policy, set()).add(iam_action(prefix, operation))

    region = "us-east-1"
    account = boto3.client("sts").get_caller_identity()["Account"]
    run("setup_bedrock_logging.py", "--regions", region)
    run("setup_bedrock_logging.py", "--regions", region)
    run("setup_athena_bucket.py", "--regions", region)
    glue = boto3.client("glue")
    table = glue.get_table(DatabaseName="bedrock_analytics", Name="bedrock_invocation_logs")["Table"]
    table_input = {k: table[k] for k in ("Name", "StorageDescriptor", "PartitionKeys", "TableType", "Parameters")}
    table_input["Parameters"] = {**table["Parameters"], "projection.dt.range": "2020/01/01,NOW"}
    glue.update_table(DatabaseName="bedrock_analytics", TableInput=table_input)  # an older definition
    run("setup_athena_bucket.py", "--regions", region)  # brings it up to date: glue:UpdateTable
    run("setup_athena_bucket.py", "--regions", region, "--compact", "--start-date", "2025-11-01")
    run("check_bedrock_logging.py", "--regions", region)
    bucket = f"bedrock-logs-{account}-{region}"
    s3 = boto3.client("s3")
    reports = f"amazonq-developer-reports-{account}"  # Amazon Q Developer activity reports, read through Athena
    s3.create_bucket(Bucket=reports)
    s3.put_object(Bucket=reports, Body=b"UserId,Date,Chat_MessagesSent\n", Key=f"user-activity-reports/AWSLogs/"
                  f"{account}/QDeveloperLogs/by_user_analytic/{region}/2025/11/02/00/{account}_by_user_analytic_x.csv")
    run("setup_athena_bucket.py", "--qdev")
    run("qcli_s3_analyzer.py", "--data-source", "athena", "--start-date", "2025-11-01", "--end-date", "2025-11-02",
        "--format", "json", "--output-dir", "-")
    policy = s3.get_bucket_policy(Bucket=bucket)["Policy"]
    s3.delete_bucket_policy(Bucket=bucket)  # moto ignores the TLS-only Deny's condition (see test_end_to_end_aws)
    run("generate_test_data.py", "--simulate", "--bucket", bucket, "--prefix", "bedrock-logs/", "--regions", region,
        "--records", "200", "--start-date", "2025-11-01", "--end-date", "2025-11-02")
    run("bedrock_tracker_cli.py", "--engine", "local", "--sync", "--logs-dir", str(tmp_path / "mirror"), "--region",
        region, "--start-date", "2025-11-01", "--end-date", "2025-11-02", "--analysis", "summary")
    s3.put_bucket_policy(Bucket=bucket, Policy=policy)
    run("bedrock_tracker_cli.py", "--engine", "athena", "--region", region, "--analysis", "summary")
    mirrored = ("--engine", "local", "--logs-dir", str(tmp_path / "mirror"), "--region", region, "--start-date",
                "2025-11-01", "--end-date", "2025-11-02")
    run("bedrock_tracker_cli.py", *mirrored, "--reconcile", ok=(0, 3))
    topic = boto3.client("sns").create_topic(Name="budget-alerts")["TopicArn"]
    budgets = tmp_path / "budgets.toml"
    budgets.write_text('[[budgets]]\nname = "everything"\nall = true\nmonthly_usd = 0.0001\n')
    run("bedrock_tracker_cli.py", *mirrored, "--check-budgets", str(budgets), "--notify-sns", topic, ok=(3,))
    run("generate_test_data.py", "--create-roles", "--no-calls", "--regions", region)
    run("verify_bedrock_permissions.py", "--regions", region, ok=(0, 2))
    run("generate_test_data.py", "--cleanup-roles", "--no-calls", "--regions", region)

    for policy_name, actions in used.items():
        allowed = granted(policy_name)
        missing = actions - allowed - ALWAYS_ALLOWED
        assert not missing, f"{policy_name} lacks {sorted(missing)}"
    assert "test-role" in used
    for policy_name in {*POLICY_OF.values(), "test-role"}:
        unused = {
            action for action in granted(policy_name) - used.get(policy_name, set())
            if action not in NOT_EXERCISED_ON_MOTO and f"{action}@{policy_name}" not in NOT_EXERCISED_ON_MOTO
        }
        assert not unused, f"{policy_name} grants actions no script called: {sorted(unused)}"
