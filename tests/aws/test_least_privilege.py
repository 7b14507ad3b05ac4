"""One run of every script against moto, as a user runs them, and what it sent to AWS: the IAM policy files grant
exactly the actions called, every request passes the service model's validation, and every query sent to Athena
obeys Athena's documented rules (tests/athena_rules.py)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.validate import ParamValidator

from bedrock_usage.aws.session import IAM_ACTIONS
from bedrock_usage.engines.compacted import COMPACT_TABLE
from bedrock_usage.logs.layout import RECORD_PATH_SQL
from bedrock_usage.logs.regions import BEDROCK_REGIONS
from bedrock_usage.qdev.identity_center import LIST_THRESHOLD
from tests.athena_rules import athena_violations
from tests.conftest import _set_aws_env
from tests.governance.data_exports_server import data_exports_server

# One user run of every script against moto (about half a minute): CI runs these with the slow tests.
pytestmark = pytest.mark.slow

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
    "bedrock:GetPromptRouter": "moto has no prompt routers",
    "bedrock:ListPromptRouters": "moto has no prompt routers",
    "bedrock:ListTagsForResource": "moto has no application inference profiles",
    "bedrock:InvokeModel": "real model calls; moto has no bedrock-runtime",
    "bedrock:InvokeModelWithResponseStream": "streaming calls of applications that use the test roles",
    "glue:GetTable@report-reader": "Athena itself reads the table definition with the caller's rights",
    "iam:TagRole": "CreateRole with Tags, as generate_test_data.py calls it, needs iam:TagRole too",
    "iam:DeleteRolePolicy": "only for test roles an older version gave an inline policy",
    "kms:Decrypt": "S3 decrypts objects of an SSE-KMS log bucket with the reader's rights; moto buckets use SSE-S3",
    "kms:GenerateDataKey": "S3 encrypts objects put into an SSE-KMS log bucket with the writer's rights",
    "kms:ListAliases": "only for a log bucket whose default encryption names its KMS key by id or ARN; moto buckets "
                       "use SSE-S3",
    "glue:CreateDatabase@report-reader": "Athena's mandatory access to the default database (Athena User Guide)",
    "glue:GetDatabase@report-reader": "Athena itself reads the table definition with the caller's rights",
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


@dataclass
class UserRun:
    """What every script sent to AWS while a user ran them all once against the moto server."""

    used: dict[str, set[str]]  # policy -> IAM actions its scripts called
    requests: list[tuple[str, str, dict[str, Any]]]  # (service, operation, parameters) of every request
    queries: list[tuple[str, str, list[str] | None]]  # (region, SQL, ExecutionParameters) of every Athena query


@pytest.fixture(scope="module")
def user_run(moto_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[UserRun]:
    """Every script, as a user runs them: setup, checks, test data, reports on both engines, governance, roles."""
    urllib.request.urlopen(urllib.request.Request(f"{moto_endpoint}/moto-api/reset", method="POST"))
    tmp_path = tmp_path_factory.mktemp("user-run")
    params_log = tmp_path / "requests.jsonl"
    used: dict[str, set[str]] = {}
    with pytest.MonkeyPatch.context() as patch:
        aws_env = _set_aws_env(patch, {"AWS_ENDPOINT_URL": moto_endpoint})

        def run(script: str, *args: str, ok: tuple[int, ...] = (0,), cwd: Path = ROOT) -> None:
            log = tmp_path / f"{script}.calls"
            log.unlink(missing_ok=True)
            result = subprocess.run(
                [sys.executable, str(ROOT / "tests" / "aws_call_recorder.py"), str(ROOT / script), *args],
                env={**aws_env, "AWS_CALL_LOG": str(log), "AWS_CALL_PARAMS": str(params_log), "AWS_MAX_ATTEMPTS": "1"},
                cwd=cwd, capture_output=True, text=True, timeout=300)
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
        table_input["StorageDescriptor"] = {**table["StorageDescriptor"],
                                            "Columns": table["StorageDescriptor"]["Columns"][:-1]}
        glue.update_table(DatabaseName="bedrock_analytics", TableInput=table_input)  # an older definition
        run("setup_athena_bucket.py", ok=(2,))  # leaves it as it is and says old -> new
        run("setup_athena_bucket.py", "--replace-existing")  # brings it up to date (glue:UpdateTable)
        boto3.client("athena").create_work_group(
            Name="team", Configuration={"ResultConfiguration": {"OutputLocation": "s3://team-results/"}})
        # moto answers UpdateWorkGroup with an error (exit 2), after the request is recorded and checked below
        run("setup_athena_bucket.py", "--regions", region, "--workgroup", "team", "--replace-existing",
            "--skip-test-query", ok=(2,))
        # Another start day is another table definition: replaced as asked
        run("setup_athena_bucket.py", "--regions", region, "--compact", "--start-date", "2025-11-01",
            "--replace-existing")
        run("check_bedrock_logging.py")
        bucket = f"bedrock-logs-{account}-{region}"
        s3 = boto3.client("s3")
        reports = f"amazonq-developer-reports-{account}"  # Amazon Q Developer activity reports, read through Athena
        s3.create_bucket(Bucket=reports)
        s3.put_object(Bucket=reports, Body=b"UserId,Date,Chat_MessagesSent\n", Key=f"user-activity-reports/AWSLogs/"
                      f"{account}/QDeveloperLogs/by_user_analytic/{region}/2025/11/02/00/{account}_by_user_analytic_x.csv")
        run("setup_athena_bucket.py", "--qdev")
        with data_exports_server() as data_exports:  # moto has no Data Exports: a stand-in checked by botocore's model
            aws_env["AWS_ENDPOINT_URL_BCM_DATA_EXPORTS"] = data_exports.url
            run("setup_athena_bucket.py", "--cur")
            run("setup_athena_bucket.py", "--cur")  # finds the export: bcm-data-exports:GetExport
            del aws_env["AWS_ENDPOINT_URL_BCM_DATA_EXPORTS"]
        run("qcli_s3_analyzer.py", "--data-source", "athena", "--start-date", "2025-11-01", "--end-date", "2025-11-02",
            "--user-pattern", "dev", "--format", "json", "--output-dir", "-")
        # People named from IAM Identity Center: DescribeUser for one person, ListUsers for more than LIST_THRESHOLD
        store, directory = "d-9067a1b2c3", boto3.client("identitystore")
        people = [directory.create_user(IdentityStoreId=store, UserName=f"u{i}", DisplayName=f"U {i}",
                                        Name={"GivenName": "U", "FamilyName": str(i)})["UserId"]
                  for i in range(LIST_THRESHOLD + 2)]
        for day, users in (("2025/11/02", people[:1]), ("2025/10/16", people[1:])):
            report = "UserId,Date,Chat_MessagesSent\n" + "".join(f"{u},{day[5:7]}-{int(day[8:]) - 1:02d}-2025,2\n"
                                                                   for u in users)
            s3.put_object(Bucket=reports, Body=report.encode(), Key=f"user-activity-reports/AWSLogs/{account}/"
                          f"QDeveloperLogs/by_user_analytic/{region}/{day}/00/{account}_by_user_analytic_y.csv")
        for first, last in (("2025-11-01", "2025-11-02"), ("2025-10-15", "2025-10-15")):
            run("qcli_s3_analyzer.py", "--start-date", first, "--end-date", last, "--identity-store", store,
                "--format", "json", "--output-dir", "-")
        policy = s3.get_bucket_policy(Bucket=bucket)["Policy"]
        s3.delete_bucket_policy(Bucket=bucket)  # moto ignores the TLS-only Deny's condition (see test_end_to_end_aws)
        period = ("--start-date", "2025-11-01", "--end-date", "2025-11-02")
        run("generate_test_data.py", "--simulate", "--bucket", bucket, "--prefix", "bedrock-logs/", "--regions", region,
            "--records", "200", *period, cwd=tmp_path)
        # The prefix read from the logging configuration; the logs written above are replaced.
        run("generate_test_data.py", "--simulate", "--bucket", bucket, "--regions", region, "--records", "200",
            "--replace", *period, cwd=tmp_path)
        run("bedrock_tracker_cli.py", "--engine", "local", "--sync", "--logs-dir", str(tmp_path / "mirror"), *period,
            "--analysis", "summary")
        s3.put_bucket_policy(Bucket=bucket, Policy=policy)
        run("setup_athena_bucket.py", "--compact", "--start-date", "2025-11-01")  # copies the settled days
        run("bedrock_tracker_cli.py", "--engine", "athena", "--analysis", "summary")
        run("bedrock_tracker_cli.py", "--engine", "athena", "--region", region, "--tz", "Asia/Seoul",
            "--tag", "traceId", "--tag", "cost center", "--arn-pattern", "it's ?",
            "--model", "anthropic.claude-3-haiku-20240307-v1:0", "--model", "m'2",
            "--user-pattern", "a?", "--days", "40", "--format", "json", "--output-dir", "-")
        mirrored = ("--engine", "local", "--logs-dir", str(tmp_path / "mirror"), "--region", region, *period)
        run("bedrock_tracker_cli.py", *mirrored, "--reconcile", ok=(0, 3))
        run("bedrock_tracker_cli.py", *mirrored, "--reconcile", "--cur", ok=(0, 3))
        topic = boto3.client("sns").create_topic(Name="budget-alerts")["TopicArn"]
        budgets = tmp_path / "budgets.toml"
        budgets.write_text('[[budgets]]\nname = "everything"\nall = true\nmonthly_usd = 0.0001\n')
        as_of = ("--engine", "local", "--logs-dir", str(tmp_path / "mirror"), "--region", region, "--end-date",
                 period[-1])  # a budget check reads the month of its as-of day
        run("bedrock_tracker_cli.py", *as_of, "--check-budgets", str(budgets), "--notify-sns", topic, ok=(3,))
        # An administrator makes the test roles' managed policy once, from iam/test-role.json.
        boto3.client("iam").create_policy(PolicyName="BedrockUsageTestRole",
                                          PolicyDocument=(ROOT / "iam" / "test-role.json").read_text())
        run("generate_test_data.py", "--create-roles", "--no-calls", "--regions", region)
        run("verify_bedrock_permissions.py", "--regions", region, ok=(0, 2))
        run("generate_test_data.py", "--cleanup-roles", "--no-calls", "--regions", region)

        requests = [tuple(json.loads(line)) for line in params_log.read_text().splitlines()]
        queries = []
        for athena_region in BEDROCK_REGIONS:
            athena = boto3.client("athena", region_name=athena_region)
            for query_id in athena.list_query_executions()["QueryExecutionIds"]:
                execution = athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]
                queries.append((athena_region, execution["Query"], execution.get("ExecutionParameters")))
        yield UserRun(used, requests, queries)


def test_policies_grant_what_the_scripts_call_and_nothing_else(user_run: UserRun) -> None:
    used = user_run.used
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


def test_every_request_passes_the_service_models_validation(user_run: UserRun) -> None:
    """botocore checks types, required members and minimum lengths before sending; AWS also refuses values over a
    maximum length, outside a pattern or not in an enum, which moto lets through."""
    session = botocore.session.get_session()
    problems = []
    for service, operation, params in user_run.requests:
        shape = session.get_service_model(service).operation_model(operation).input_shape
        report = ParamValidator().validate(params, shape)
        if report.has_errors():
            problems.append(f"{service}.{operation}: {report.generate_report()}")
        problems += [f"{service}.{operation}: {p}" for p in beyond_botocore(params, shape, operation)]
    assert not problems, "\n".join(problems)
    operations = {(service, operation) for service, operation, _ in user_run.requests}
    assert {("bedrock", "PutModelInvocationLoggingConfiguration"), ("athena", "StartQueryExecution"),
            ("glue", "CreateTable"), ("glue", "UpdateTable"), ("athena", "UpdateWorkGroup"), ("s3", "PutBucketPolicy"),
            ("iam", "CreateRole"), ("ce", "GetCostAndUsage"), ("cloudwatch", "GetMetricData")} <= operations


def beyond_botocore(value: Any, shape: Any, path: str) -> list[str]:
    """Maximum lengths, patterns and enums of the model, which botocore does not check client-side."""
    if value is None or shape is None:
        return []
    problems = []
    metadata = shape.metadata
    if shape.type_name == "structure":
        for name, member in shape.members.items():
            problems += beyond_botocore(value.get(name), member, f"{path}.{name}")
    elif shape.type_name == "list":
        if "max" in metadata and len(value) > metadata["max"]:
            problems.append(f"{path}: {len(value)} items, at most {metadata['max']}")
        for index, item in enumerate(value):
            problems += beyond_botocore(item, shape.member, f"{path}[{index}]")
    elif shape.type_name == "map":
        for key, item in value.items():
            problems += beyond_botocore(key, shape.key, f"{path} key")
            problems += beyond_botocore(item, shape.value, f"{path}[{key}]")
    elif shape.type_name == "string":
        if "max" in metadata and len(value) > metadata["max"]:
            problems.append(f"{path}: {len(value)} characters, at most {metadata['max']}")
        if shape.enum and value not in shape.enum:
            problems.append(f"{path}: {value!r} is not one of {shape.enum}")
        pattern = metadata.get("pattern")
        if pattern:
            try:
                compiled = re.compile(pattern)
            except re.error:  # Java regex constructs Python lacks (\p{...}): not checked
                compiled = None
            if compiled and not compiled.fullmatch(value):
                problems.append(f"{path}: {value[:60]!r} does not match {pattern}")
    return problems


def test_every_query_sent_to_athena_obeys_athenas_rules(user_run: UserRun) -> None:
    texts = [sql for _, sql, _ in user_run.queries]
    # What a user's run sends: the facts query (with filters, tags and a time zone, and reading the compacted days),
    # the Amazon Q activity query, the compaction INSERTs and the setup test queries.
    assert any("at_timezone(ts, 'Asia/Seoul')" in t and "element_at(requestMetadata, 'cost center')" in t
               for t in texts)
    assert any(f"FROM {COMPACT_TABLE} " in t and "element_at" in t for t in texts)
    assert any(t.startswith(f"INSERT INTO {COMPACT_TABLE}\n") for t in texts)
    assert any("qdev_user_activity" in t and "count(*)" not in t for t in texts)
    assert f"SELECT count(*) FROM bedrock_invocation_logs WHERE dt = ? AND {RECORD_PATH_SQL}" in texts
    assert "SELECT count(*) FROM qdev_user_activity WHERE dt = ?" in texts
    problems = {f"{region}: {sql[:80]!r}: {problem}" for region, sql, params in user_run.queries
                for problem in athena_violations(sql, params)}
    assert not problems, "\n".join(sorted(problems))
