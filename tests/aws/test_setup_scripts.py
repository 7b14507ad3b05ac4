"""The AWS setup scripts, run as a user runs them (subprocesses) against the moto server.

Expected names, policies and table parameters are written out here from the spec, not taken from the code.
moto does not implement bedrock ListFoundationModels, iam SimulatePrincipalPolicy or athena UpdateWorkGroup:
the tests below show how the scripts report the first two; test_existing_configuration.py shows the workgroup update
asked for up to the request moto refuses.
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

import bedrock_tracker_cli
import setup_athena_bucket
from bedrock_usage.logs import layout
from bedrock_usage.logs.regions import DEFAULT_REGIONS
from bedrock_usage.logs.schema import glue_columns

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = (
    "setup_bedrock_logging.py",
    "check_bedrock_logging.py",
    "setup_athena_bucket.py",
    "verify_bedrock_permissions.py",
)
TWO_REGIONS = ("us-east-1", "ap-northeast-2")
# Keys matched as Bedrock writes them (docs/aws-setup.md, "The JSON SerDe"): a mapping for every declared key with
# an upper-case letter, the nested ones included.
OPENX_CASE_SENSITIVE = {
    "ignore.malformed.json": "true",
    "case.insensitive": "false",
    "mapping.schematype": "schemaType",
    "mapping.schemaversion": "schemaVersion",
    "mapping.accountid": "accountId",
    "mapping.requestid": "requestId",
    "mapping.modelid": "modelId",
    "mapping.inputcontenttype": "inputContentType",
    "mapping.inputtokencount": "inputTokenCount",
    "mapping.cachereadinputtokencount": "cacheReadInputTokenCount",
    "mapping.cachewriteinputtokencount": "cacheWriteInputTokenCount",
    "mapping.inputbodys3path": "inputBodyS3Path",
    "mapping.inputbodyjson": "inputBodyJson",
    "mapping.outputcontenttype": "outputContentType",
    "mapping.outputtokencount": "outputTokenCount",
    "mapping.outputbodys3path": "outputBodyS3Path",
    "mapping.outputbodyjson": "outputBodyJson",
    "mapping.inferenceregion": "inferenceRegion",
    "mapping.requestmetadata": "requestMetadata",
    "mapping.errorcode": "errorCode",
}


def run(script: str, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run a top-level script the way a user does."""
    return subprocess.run(
        [sys.executable, str(ROOT / script), *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def account_id() -> str:
    return boto3.client("sts").get_caller_identity()["Account"]


def _read(call: Any, **kwargs: Any) -> Any:
    """A get_* answer without request ids and timestamps, or the error code."""
    try:
        answer = call(**kwargs)
    except ClientError as exc:
        return exc.response["Error"]["Code"]
    answer.pop("ResponseMetadata", None)
    return answer


def snapshot(regions: tuple[str, ...]) -> dict[str, Any]:
    """Everything the setup scripts configure, as AWS describes it."""
    s3 = boto3.client("s3", region_name="us-east-1")
    state: dict[str, Any] = {}
    for bucket in sorted(b["Name"] for b in s3.list_buckets()["Buckets"]):
        state[bucket] = {
            name: _read(getattr(s3, call), Bucket=bucket)
            for name, call in [
                ("location", "get_bucket_location"),
                ("policy", "get_bucket_policy"),
                ("encryption", "get_bucket_encryption"),
                ("public_access", "get_public_access_block"),
                ("lifecycle", "get_bucket_lifecycle_configuration"),
            ]
        }
    for region in regions:
        glue = boto3.client("glue", region_name=region)
        athena = boto3.client("athena", region_name=region)
        workgroups = {}
        for summary in athena.list_work_groups()["WorkGroups"]:
            group = athena.get_work_group(WorkGroup=summary["Name"])["WorkGroup"]
            group.pop("CreationTime")  # moto reports the time of the call
            workgroups[summary["Name"]] = group
        state[region] = {
            "logging": _read(boto3.client("bedrock", region_name=region).get_model_invocation_logging_configuration),
            "databases": _read(glue.get_databases),
            "tables": [_read(glue.get_tables, DatabaseName=db["Name"]) for db in glue.get_databases()["DatabaseList"]],
            "workgroups": workgroups,
        }
    return state


def bucket_in(region: str) -> str:
    return boto3.client("s3", region_name=region).get_bucket_location(Bucket=f"bedrock-logs-{account_id()}-{region}")[
        "LocationConstraint"
    ]


def upload(region: str, bucket: str, keys: list[str]) -> None:
    """Put small objects in a log bucket. moto serves plain HTTP, which the bucket's TLS-only statement refuses,
    so the policy is lifted for the upload and put back exactly as it was."""
    s3 = boto3.client("s3", region_name=region)
    policy = s3.get_bucket_policy(Bucket=bucket)["Policy"]
    s3.delete_bucket_policy(Bucket=bucket)
    try:
        for key in keys:
            s3.put_object(Bucket=bucket, Key=key, Body=b"{}")
    finally:
        s3.put_bucket_policy(Bucket=bucket, Policy=policy)


def test_check_before_setup_exits_2_and_names_the_fix(aws_env: dict[str, str]) -> None:
    result = run("check_bedrock_logging.py", "--regions", *TWO_REGIONS, env=aws_env)
    assert result.returncode == 2
    assert result.stdout.count("Status: ❌ Not Configured") == 2
    assert "python setup_bedrock_logging.py --regions us-east-1 ap-northeast-2" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


@pytest.mark.slow
def test_logging_setup_in_the_six_regions_then_rerun_and_dry_run_change_nothing(aws_env: dict[str, str]) -> None:
    account = account_id()
    first = run("setup_bedrock_logging.py", env=aws_env)
    assert first.returncode == 0, first.stderr
    assert "created" in first.stdout

    for region in DEFAULT_REGIONS:
        bucket = f"bedrock-logs-{account}-{region}"
        s3 = boto3.client("s3", region_name=region)
        assert (s3.get_bucket_location(Bucket=bucket)["LocationConstraint"] or "us-east-1") == region
        assert s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"] == {
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        }
        rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
        assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
        statements = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])["Statement"]
        deny = [s for s in statements if s["Effect"] == "Deny"]
        assert len(deny) == 1 and deny[0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        assert deny[0]["Principal"] == "*" and deny[0]["Action"] == "s3:*"
        assert set(deny[0]["Resource"]) == {f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"}
        (allow,) = [s for s in statements if s["Effect"] == "Allow"]
        assert allow["Principal"] == {"Service": "bedrock.amazonaws.com"}
        assert allow["Action"] == "s3:PutObject"
        assert allow["Resource"] == f"arn:aws:s3:::{bucket}/bedrock-logs/AWSLogs/{account}/BedrockModelInvocationLogs/*"
        assert allow["Condition"] == {
            "StringEquals": {"aws:SourceAccount": account},
            "ArnLike": {"aws:SourceArn": f"arn:aws:bedrock:{region}:{account}:*"},
        }
        config = boto3.client("bedrock", region_name=region).get_model_invocation_logging_configuration()
        assert config["loggingConfig"]["s3Config"] == {"bucketName": bucket, "keyPrefix": "bedrock-logs/"}
        assert config["loggingConfig"]["textDataDeliveryEnabled"] is True
        assert not config["loggingConfig"]["imageDataDeliveryEnabled"]
        assert not config["loggingConfig"]["embeddingDataDeliveryEnabled"]
        assert not config["loggingConfig"]["videoDataDeliveryEnabled"]

    # moto evaluates bucket policies on object requests, and its endpoint is plain HTTP: the TLS-only Deny bites.
    with pytest.raises(ClientError, match="403"):
        boto3.client("s3").put_object(Bucket=f"bedrock-logs-{account}-us-east-1", Key="x", Body=b"")

    before = snapshot(DEFAULT_REGIONS)
    second = run("setup_bedrock_logging.py", "--format", "json", env=aws_env)
    assert second.returncode == 0, second.stderr
    document = json.loads(second.stdout)
    outcomes = {change["outcome"] for region in document["regions"] for change in region["changes"]}
    assert outcomes == {"unchanged"}
    dry = run("setup_bedrock_logging.py", "--dry-run", env=aws_env)
    assert dry.returncode == 0 and "would" not in dry.stdout and dry.stdout.count("✅ unchanged") == 6
    assert snapshot(DEFAULT_REGIONS) == before


@pytest.mark.slow
def test_dry_run_before_anything_exists_creates_nothing(aws_env: dict[str, str]) -> None:
    before = snapshot(TWO_REGIONS)
    result = run("setup_bedrock_logging.py", "--regions", *TWO_REGIONS, "--dry-run", env=aws_env)
    assert result.returncode == 0, result.stderr
    assert "would create" in result.stdout and "dry run" in result.stdout
    assert "Next steps" not in result.stdout  # nothing is set up yet
    assert snapshot(TWO_REGIONS) == before
    assert boto3.client("s3").list_buckets()["Buckets"] == []


@pytest.mark.slow
def test_logging_setup_ends_with_the_next_commands_which_work_on_what_it_set_up(aws_env: dict[str, str]) -> None:
    """The README's order: check that logs arrive, then the Athena table, or the local engine's --sync instead."""
    region = "eu-central-1"
    setup = run("setup_bedrock_logging.py", "--regions", region, env=aws_env)
    assert setup.returncode == 0, setup.stderr
    tail = setup.stdout.rstrip("\n").split("\n👉 Next steps:\n", 1)[1].splitlines()
    commands = [line.strip() for line in tail if line.strip().startswith("python ")]
    assert commands == [f"python check_bedrock_logging.py --regions {region}",
                        f"python setup_athena_bucket.py --regions {region}",
                        "python bedrock_tracker_cli.py --engine local --sync --days 30"]
    assert len(tail) == 2 * len(commands)  # each under the line saying what it is for, and nothing after them

    check = run(*commands[0].split()[1:], env=aws_env)
    assert check.returncode == 0 and f"{region}" in check.stdout and "enabled, no log yet" in check.stdout
    athena = run(*commands[1].split()[1:], "--skip-test-query", env=aws_env)  # moto runs no Athena query
    assert athena.returncode == 0, athena.stderr
    # and the Athena setup ends with the report over its table, or the dashboard, each a command the tool takes
    reports = athena.stdout.rstrip("\n").split("\n👉 Next steps:\n", 1)[1].splitlines()
    assert [line.strip() for line in reports[1::2]] == [
        f"python bedrock_tracker_cli.py --engine athena --regions {region} --days 30",
        "streamlit run bedrock_tracker.py"]
    parsed = bedrock_tracker_cli.build_parser().parse_args(reports[1].split()[2:])
    assert (parsed.engine, parsed.region, parsed.days) == ("athena", [region], 30)
    assert boto3.client("glue", region_name=region).get_table(DatabaseName="bedrock_analytics",
                                                               Name="bedrock_invocation_logs")
    document = run("setup_bedrock_logging.py", "--regions", region, "--format", "json", env=aws_env)
    assert json.loads(document.stdout)["regions"][0]["region"] == region  # the JSON document alone
    # the same steps as the table's, each under what it is for
    assert json.loads(document.stdout)["next_steps"] == [
        {"step": 1, "purpose": "check that logs arrive, once Bedrock has been called in these regions",
         "command": commands[0]},
        {"step": 2, "purpose": "make the Athena table the reports query", "command": commands[1]},
        {"step": 2, "purpose": "without Athena, copy the logs and report on them with the local engine",
         "command": commands[2]},
    ]
    assert tail[::2] == ["   1. check that logs arrive, once Bedrock has been called in these regions:",
                         "   2. make the Athena table the reports query:",
                         "      or, without Athena, copy the logs and report on them with the local engine:"]


@pytest.mark.slow
def test_setup_json_says_each_region_s_problem_and_advice_and_the_next_steps_only_when_all_are_set_up(
        aws_env: dict[str, str]) -> None:
    """What the table prints under each region (why it is not set up, what to run) and after the summary (the next
    commands) is in the JSON document too; the one-line message points there rather than to a table."""
    account = account_id()
    kept, advised = "us-east-2", "sa-east-1"
    put_logging = boto3.client("bedrock", region_name=kept).put_model_invocation_logging_configuration
    put_logging(loggingConfig={"s3Config": {"bucketName": "team-llm-logs", "keyPrefix": "audit/"},
                               "textDataDeliveryEnabled": True})
    bare = f"bedrock-logs-{account}-{advised}"  # someone's bucket: no public access block, encryption or policy
    boto3.client("s3", region_name=advised).create_bucket(
        Bucket=bare, CreateBucketConfiguration={"LocationConstraint": advised})

    both = run("setup_bedrock_logging.py", "--regions", kept, advised, "--format", "json", env=aws_env)
    assert both.returncode == 2 and f"existing settings left as they are: {kept} " in both.stderr
    document = json.loads(both.stdout)
    regions = {region["region"]: region for region in document["regions"]}
    # the table says old -> new "above" (its lines over the summary); in the document it is in the change's
    # differences, where nothing is above
    # and, as check_bedrock_logging.py says it, why the team's destination does not work and the command keeping it
    assert regions[kept]["problem"] == (f"left as it is: logging configuration {kept}; to change it (old -> new in "
                                        "its change's differences), run again with --replace-existing; logging in "
                                        f"{kept} cannot deliver (bucket team-llm-logs does not exist): run `python "
                                        f"setup_bedrock_logging.py --regions {kept} --bucket team-llm-logs --prefix "
                                        "audit/` (under iam/setup-admin.json, which grants setup's log bucket actions "
                                        "on bedrock-logs-* only, it needs s3:CreateBucket (the bucket is gone) and "
                                        "those actions on team-llm-logs too: add the log bucket statements of "
                                        "docs/aws-setup.md, \"A team's own bucket names\")")
    assert [change["differences"] != [] for change in regions[kept]["changes"] if change["action"] == "keep"] == [True]
    assert regions[advised]["problem"] is None and regions[kept]["advice"] is None
    assert regions[advised]["advice"] == (
        f"left as the owner has it (setup works without it): bucket {bare}: public access block, bucket {bare}: "
        f"default encryption, bucket {bare}: policy statement DenyInsecureTransport; to apply it, run again with "
        "--replace-existing")
    assert document["next_steps"] == []  # as the table prints none: not every region is set up

    alone = run("setup_bedrock_logging.py", "--regions", advised, "--format", "json", env=aws_env)
    assert alone.returncode == 0, alone.stderr
    assert [step["command"] for step in json.loads(alone.stdout)["next_steps"]] == [
        f"python check_bedrock_logging.py --regions {advised}", f"python setup_athena_bucket.py --regions {advised}",
        "python bedrock_tracker_cli.py --engine local --sync --days 30"]

    # us-west-1: logging set up, and a workgroup and a table of the same names someone made, pointing elsewhere
    logs = f"bedrock-logs-{account}-us-west-1"
    boto3.client("s3", region_name="us-west-1").create_bucket(
        Bucket=logs, CreateBucketConfiguration={"LocationConstraint": "us-west-1"})
    boto3.client("bedrock", region_name="us-west-1").put_model_invocation_logging_configuration(
        loggingConfig={"s3Config": {"bucketName": logs, "keyPrefix": "bedrock-logs/"}, "textDataDeliveryEnabled": True})
    boto3.client("athena", region_name="us-west-1").create_work_group(
        Name="bedrock-usage", Configuration={"ResultConfiguration": {"OutputLocation": "s3://team-results/"}})
    glue = boto3.client("glue", region_name="us-west-1")
    glue.create_database(DatabaseInput={"Name": "bedrock_analytics"})
    glue.create_table(DatabaseName="bedrock_analytics", TableInput={
        "Name": "bedrock_invocation_logs",
        "StorageDescriptor": {"Location": "s3://team-copy/logs/", "Columns": [{"Name": "x", "Type": "string"}]}})
    athena = run("setup_athena_bucket.py", "--regions", "us-west-2", "us-west-1", "--skip-test-query", "--format",
                 "json", env=aws_env)
    assert athena.returncode == 2
    assert "each region's problem in the JSON document says why" in athena.stderr
    region, both_kept = json.loads(athena.stdout)["regions"]
    assert "run `python setup_bedrock_logging.py --regions us-west-2` first" in region["problem"]
    assert both_kept["problem"] == ("left as it is: Glue table bedrock_analytics.bedrock_invocation_logs, Athena "
                                    "workgroup bedrock-usage; to change them (old -> new in their changes' "
                                    "differences), run again with --replace-existing")
    assert [change["differences"] != [] for change in both_kept["changes"] if change["action"] == "keep"] == [True] * 2
    assert json.loads(athena.stdout)["next_steps"] == []


@pytest.mark.slow
def test_check_reports_bucket_policy_and_the_newest_log(aws_env: dict[str, str]) -> None:
    account = account_id()
    assert run("setup_bedrock_logging.py", "--regions", *TWO_REGIONS, env=aws_env).returncode == 0
    region, other = TWO_REGIONS
    bucket = f"bedrock-logs-{account}-{region}"
    times = [datetime(2025, 10, 30, 23, 59, tzinfo=UTC), datetime(2025, 11, 1, 9, 5, tzinfo=UTC)]
    times.append(datetime(2025, 10, 31, 12, 0, tzinfo=UTC))
    keys = [layout.object_key("bedrock-logs/", account, region, when, f"{i:04x}") for i, when in enumerate(times)]
    # A later payload object and the permission-check object are not logs.
    late = datetime(2025, 11, 2, 3, 0, tzinfo=UTC)
    payload = f"{layout.day_prefix('bedrock-logs/', account, region, late.date())}03/data/x_input.json.gz"
    check_object = (
        f"bedrock-logs/AWSLogs/{account}/BedrockModelInvocationLogs/{region}/amazon-bedrock-logs-permission-check"
    )
    upload(region, bucket, [*keys, payload, check_object])
    newest_expected = keys[times.index(max(times))]

    # The other region's bucket loses the Bedrock statement: logging stays on, but nothing can arrive.
    other_bucket = f"bedrock-logs-{account}-{other}"
    other_s3 = boto3.client("s3", region_name=other)
    policy = json.loads(other_s3.get_bucket_policy(Bucket=other_bucket)["Policy"])
    policy["Statement"] = [s for s in policy["Statement"] if s["Effect"] == "Deny"]
    other_s3.put_bucket_policy(Bucket=other_bucket, Policy=json.dumps(policy))

    result = run("check_bedrock_logging.py", "--regions", *TWO_REGIONS, "--format", "json", env=aws_env)
    assert result.returncode == 2, result.stderr
    assert f"logging in {other} cannot deliver" in result.stderr
    assert f"python setup_bedrock_logging.py --regions {other}" in result.stderr
    assert json.loads(result.stdout)["fix_command"] == f"python setup_bedrock_logging.py --regions {other}"
    statuses = {status["region"]: status for status in json.loads(result.stdout)["regions"]}
    assert statuses[region]["enabled"] and statuses[region]["bedrock_can_write"] is True
    assert statuses[region]["bucket"] == bucket and statuses[region]["prefix"] == "bedrock-logs/"
    assert statuses[region]["bucket_region"] == region
    assert statuses[region]["newest_log"]["key"] == newest_expected
    assert statuses[other]["enabled"] and statuses[other]["bedrock_can_write"] is False
    assert statuses[other]["newest_log"] is None
    assert any("no statement letting bedrock.amazonaws.com" in p for p in statuses[other]["problems"])

    table = run("check_bedrock_logging.py", "--regions", *TWO_REGIONS, env=aws_env)
    assert table.returncode == 2
    # the region Bedrock cannot write to reads as its table row does, not as a plain "Enabled"
    assert table.stdout.count("Status: ✅ Enabled\n") == 1
    assert table.stdout.count("Status: ⚠️ Enabled, not healthy\n") == 1
    assert "Bedrock Can Write: ❌ no" in table.stdout and table.stdout.count("Newest Log: none yet") == 1


def test_check_with_logging_nowhere_still_prints_its_json_document(aws_env: dict[str, str]) -> None:
    """A monitoring job parsing the JSON gets a document when no region logs to S3 at all, the case it most needs."""
    result = run("check_bedrock_logging.py", "--format", "json", env=aws_env)
    assert result.returncode == 2 and "delivers to S3 in no region" in result.stderr
    document = json.loads(result.stdout)
    assert document["regions"] == [] and document["account"] == account_id()
    assert document["fix_command"] == "python setup_bedrock_logging.py --regions REGION"
    assert "delivers to S3 in no region" in document["error"]


def test_check_that_reads_no_logging_configuration_says_so_in_json_and_suggests_no_setup(
        aws_env: dict[str, str]) -> None:
    """When no region's configuration can be read (no bedrock:GetModelInvocationLoggingConfiguration, or Bedrock out
    of reach) the document says why and suggests no setup over logging that may well work."""
    refused = {"AWS_ENDPOINT_URL_BEDROCK": "http://127.0.0.1:9"}  # nothing listens there: every region unreadable
    result = run("check_bedrock_logging.py", "--format", "json", env={**aws_env, **refused,
                                                                      "AWS_MAX_ATTEMPTS": "1"})
    assert result.returncode == 2
    document = json.loads(result.stdout)
    assert document["fix_command"] is None and "cannot be read" in document["error"]


@pytest.mark.slow
def test_athena_setup_builds_the_projected_table_over_the_log_layout(aws_env: dict[str, str]) -> None:
    account = account_id()
    assert run("setup_bedrock_logging.py", "--regions", *TWO_REGIONS, env=aws_env).returncode == 0
    logging_only = snapshot(TWO_REGIONS)
    dry = run("setup_athena_bucket.py", "--regions", *TWO_REGIONS, "--dry-run", env=aws_env)
    assert dry.returncode == 0, dry.stderr
    assert "would create  Glue table" in dry.stdout and snapshot(TWO_REGIONS) == logging_only

    first = run("setup_athena_bucket.py", "--regions", *TWO_REGIONS, "--expire-days", "14", env=aws_env)
    assert first.returncode == 0, first.stderr
    assert first.stdout.count("\n  test query SUCCEEDED") == 2

    for region in TWO_REGIONS:
        log_bucket = f"bedrock-logs-{account}-{region}"
        results = f"bedrock-analytics-{account}-{region}"
        s3 = boto3.client("s3", region_name=region)
        assert (s3.get_bucket_location(Bucket=results)["LocationConstraint"] or "us-east-1") == region
        assert all(s3.get_public_access_block(Bucket=results)["PublicAccessBlockConfiguration"].values())
        assert s3.get_bucket_encryption(Bucket=results)["ServerSideEncryptionConfiguration"]["Rules"]
        (rule,) = s3.get_bucket_lifecycle_configuration(Bucket=results)["Rules"]
        assert rule["Filter"] == {"Prefix": "query-results/"} and rule["Expiration"] == {"Days": 14}
        assert rule["Status"] == "Enabled"

        table = boto3.client("glue", region_name=region).get_table(
            DatabaseName="bedrock_analytics", Name="bedrock_invocation_logs"
        )["Table"]
        base = f"s3://{log_bucket}/bedrock-logs/AWSLogs/{account}/BedrockModelInvocationLogs/{region}/"
        assert table["TableType"] == "EXTERNAL_TABLE"
        assert table["PartitionKeys"] == [{"Name": "dt", "Type": "string"}]
        parameters = table["Parameters"]
        assert {key: value for key, value in parameters.items() if key.startswith("projection.")} == {
            "projection.enabled": "true",
            "projection.dt.type": "date",
            "projection.dt.format": "yyyy/MM/dd",
            "projection.dt.range": "2023/01/01,NOW",
            "projection.dt.interval": "1",
            "projection.dt.interval.unit": "DAYS",
        }
        assert parameters["storage.location.template"] == base + "${dt}"
        storage = table["StorageDescriptor"]
        assert storage["Location"] == base
        assert storage["Columns"] == glue_columns()
        assert storage["InputFormat"] == "org.apache.hadoop.mapred.TextInputFormat"
        assert storage["OutputFormat"] == "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"
        assert storage["SerdeInfo"] == {
            "SerializationLibrary": "org.openx.data.jsonserde.JsonSerDe",
            "Parameters": OPENX_CASE_SENSITIVE,
        }

        # The projected location of a day is a prefix of every record key Bedrock writes that day.
        moments = (datetime(2024, 2, 29, 0, 1, tzinfo=UTC), datetime(2025, 12, 31, 23, 59, tzinfo=UTC))
        keys = [layout.object_key("bedrock-logs/", account, region, when, "abcd") for when in moments]
        upload(region, log_bucket, keys)
        listed = boto3.client("s3", region_name=region).list_objects_v2(Bucket=log_bucket)["Contents"]
        assert sorted(obj["Key"] for obj in listed) == sorted(keys)
        for when, key in zip(moments, keys, strict=True):
            day_location = parameters["storage.location.template"].replace("${dt}", layout.partition_value(when.date()))
            assert f"s3://{log_bucket}/{key}".startswith(day_location + "/")
            assert f"s3://{log_bucket}/{key}".startswith(storage["Location"])

        workgroup = boto3.client("athena", region_name=region).get_work_group(WorkGroup="bedrock-usage")["WorkGroup"]
        configuration = workgroup["Configuration"]
        assert configuration["ResultConfiguration"]["OutputLocation"] == f"s3://{results}/query-results/"
        assert configuration["EnforceWorkGroupConfiguration"] is True

        executions = boto3.client("athena", region_name=region).list_query_executions(WorkGroup="bedrock-usage")
        (query_id,) = executions["QueryExecutionIds"]
        query = boto3.client("athena", region_name=region).get_query_execution(QueryExecutionId=query_id)
        assert query["QueryExecution"]["Query"] == ("SELECT count(*) FROM bedrock_invocation_logs WHERE dt = ? AND "
                                                    f"{layout.RECORD_PATH_SQL}")
        assert query["QueryExecution"]["ExecutionParameters"] == [f"'{datetime.now(UTC):%Y/%m/%d}'"]

    before = snapshot(TWO_REGIONS)
    again = run("setup_athena_bucket.py", "--regions", *TWO_REGIONS, "--expire-days", "14", env=aws_env)
    assert again.returncode == 0, again.stderr
    assert again.stdout.count("✅ unchanged") == 2 and "created" not in again.stdout
    assert snapshot(TWO_REGIONS) == before


def logs_table_set_up(aws_env: dict[str, str], region: str) -> tuple[Any, dict[str, Any]]:
    """Logging and the Athena table of ``region`` set up by the scripts: a Glue client and the table as made."""
    assert run("setup_bedrock_logging.py", "--regions", region, env=aws_env).returncode == 0
    assert run("setup_athena_bucket.py", "--regions", region, "--skip-test-query", env=aws_env).returncode == 0
    glue = boto3.client("glue", region_name=region)
    return glue, glue.get_table(DatabaseName="bedrock_analytics", Name="bedrock_invocation_logs")["Table"]


@pytest.mark.slow
def test_athena_setup_updates_a_changed_table_when_asked_and_keeps_foreign_parameters(aws_env: dict[str, str]) -> None:
    region = "eu-central-1"
    options = ("--regions", region, "--skip-test-query")
    glue, table = logs_table_set_up(aws_env, region)
    # An older definition: one column fewer, a different start day, and a parameter somebody added by hand.
    old = {key: table[key] for key in ("Name", "TableType", "PartitionKeys", "StorageDescriptor")}
    old["StorageDescriptor"] = {**table["StorageDescriptor"], "Columns": table["StorageDescriptor"]["Columns"][:-1]}
    old["Parameters"] = {**table["Parameters"], "projection.dt.range": "2024/01/01,NOW", "owner": "finops"}
    glue.update_table(DatabaseName="bedrock_analytics", TableInput=old)
    earlier = glue.get_table(DatabaseName="bedrock_analytics", Name="bedrock_invocation_logs")["Table"]

    kept = run("setup_athena_bucket.py", *options, env=aws_env)
    assert kept.returncode == 2 and "--replace-existing" in kept.stderr
    last = table["StorageDescriptor"]["Columns"][-1]["Name"]
    # the start day an earlier --start-date set is kept without the option
    assert (f"  left as it is Glue table bedrock_analytics.bedrock_invocation_logs: columns (none) -> {last}\n"
            in kept.stdout)
    assert glue.get_table(DatabaseName="bedrock_analytics", Name="bedrock_invocation_logs")["Table"] == earlier

    result = run("setup_athena_bucket.py", *options, "--replace-existing", "--format", "json", env=aws_env)
    assert result.returncode == 0, result.stderr
    (region_result,) = json.loads(result.stdout)["regions"]
    outcomes = {change["resource"]: change["outcome"] for change in region_result["changes"]}
    assert outcomes["Glue table bedrock_analytics.bedrock_invocation_logs"] == "updated"
    assert [outcome for resource, outcome in outcomes.items() if "Glue table" not in resource] == ["unchanged"] * 6
    updated = glue.get_table(DatabaseName="bedrock_analytics", Name="bedrock_invocation_logs")["Table"]
    assert updated["StorageDescriptor"]["Columns"] == glue_columns()
    assert updated["Parameters"]["projection.dt.range"] == "2024/01/01,NOW"
    assert updated["Parameters"]["owner"] == "finops"


@pytest.mark.slow
def test_a_start_date_keeps_what_describes_the_table(aws_env: dict[str, str]) -> None:
    """--start-date changes the table's first day; UpdateTable replaces the whole definition, so the description,
    owner, retention, column comments and storage parameters someone gave the table go back with it."""
    region = "eu-central-1"
    options = ("--regions", region, "--skip-test-query")
    glue, table = logs_table_set_up(aws_env, region)
    columns = [{**column, "Comment": "the model called"} if column["Name"] == "modelid" else column
               for column in table["StorageDescriptor"]["Columns"]]
    described = {"Description": "Bedrock logs, FinOps owns this", "Owner": "finops", "Retention": 400}
    storage = {**table["StorageDescriptor"], "Columns": columns, "Parameters": {"data_classification": "internal"}}
    partition_keys = [{"Name": "dt", "Type": "string", "Comment": "day folder"}]
    glue.update_table(DatabaseName="bedrock_analytics", TableInput={
        **{key: table[key] for key in ("Name", "TableType", "Parameters")}, **described,
        "PartitionKeys": partition_keys, "StorageDescriptor": storage})

    result = run("setup_athena_bucket.py", *options, "--start-date", "2024-03-01", env=aws_env)
    assert result.returncode == 0, result.stdout + result.stderr
    updated = glue.get_table(DatabaseName="bedrock_analytics", Name="bedrock_invocation_logs")["Table"]
    assert updated["Parameters"]["projection.dt.range"] == "2024/03/01,NOW"
    assert {key: updated.get(key) for key in described} == described
    assert updated["StorageDescriptor"]["Columns"] == columns
    assert updated["StorageDescriptor"]["Parameters"] == {"data_classification": "internal"}
    assert updated["PartitionKeys"] == partition_keys


@pytest.mark.slow
def test_custom_names_flow_from_logging_setup_into_the_athena_table(aws_env: dict[str, str]) -> None:
    account = account_id()
    region = "ap-southeast-1"
    logging = run(
        "setup_bedrock_logging.py",
        "--regions",
        region,
        "--bucket",
        "acme-{region}-llm-logs",
        "--prefix",
        "team/x",
        "--image",
        env=aws_env,
    )
    assert logging.returncode == 0, logging.stderr
    config = boto3.client("bedrock", region_name=region).get_model_invocation_logging_configuration()["loggingConfig"]
    assert config["s3Config"] == {"bucketName": f"acme-{region}-llm-logs", "keyPrefix": "team/x/"}
    assert config["imageDataDeliveryEnabled"] is True
    athena = run(
        "setup_athena_bucket.py",
        "--regions",
        region,
        "--results-bucket",
        "acme-results-{account}-{region}",
        "--workgroup",
        "finops",
        "--start-date",
        "2024-06-01",
        "--skip-test-query",
        env=aws_env,
    )
    assert athena.returncode == 0, athena.stderr
    table = boto3.client("glue", region_name=region).get_table(
        DatabaseName="bedrock_analytics", Name="bedrock_invocation_logs"
    )["Table"]
    assert table["StorageDescriptor"]["Location"] == (
        f"s3://acme-{region}-llm-logs/team/x/AWSLogs/{account}/BedrockModelInvocationLogs/{region}/"
    )
    assert table["Parameters"]["projection.dt.range"] == "2024/06/01,NOW"
    workgroup = boto3.client("athena", region_name=region).get_work_group(WorkGroup="finops")["WorkGroup"]
    assert workgroup["Configuration"]["ResultConfiguration"]["OutputLocation"] == (
        f"s3://acme-results-{account}-{region}/query-results/"
    )
    assert boto3.client("athena", region_name=region).list_query_executions()["QueryExecutionIds"] == []


def test_the_logs_table_reads_restored_archived_objects_and_an_older_table_is_not_held_up(
        aws_env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    """Athena skips every object in S3 Glacier Flexible Retrieval or Deep Archive, restored or not, unless the table
    sets read_restored_glacier_objects (Athena User Guide, "Query restored Amazon S3 Glacier objects")."""
    region = "us-west-2"
    options = ["--regions", region, "--log-bucket", "bedrock-logs-{account}-{region}", "--log-prefix", "bedrock-logs/",
               "--skip-test-query", "--format", "json"]
    assert setup_athena_bucket.main(options) == 0
    glue = boto3.client("glue", region_name=region)
    table = glue.get_table(DatabaseName="bedrock_analytics", Name="bedrock_invocation_logs")["Table"]
    assert table["Parameters"]["read_restored_glacier_objects"] == "true"

    # A table an earlier version made, without the property, is still set up: no --replace-existing needed.
    parameters = {k: v for k, v in table["Parameters"].items() if k != "read_restored_glacier_objects"}
    kept = {key: table[key] for key in ("Name", "TableType", "PartitionKeys", "StorageDescriptor")}
    glue.update_table(DatabaseName="bedrock_analytics", TableInput={**kept, "Parameters": parameters})
    capsys.readouterr()
    assert setup_athena_bucket.main(options) == 0
    (region_result,) = json.loads(capsys.readouterr().out)["regions"]
    assert region_result["left_as_is"] == []


@pytest.mark.slow
def test_athena_setup_without_logging_changes_nothing_and_says_what_to_run(aws_env: dict[str, str]) -> None:
    result = run("setup_athena_bucket.py", "--regions", "us-west-2", env=aws_env)
    assert result.returncode == 2
    assert "python setup_bedrock_logging.py --regions us-west-2" in result.stdout
    assert len(result.stderr.strip().splitlines()) == 1
    assert boto3.client("s3").list_buckets()["Buckets"] == []


def report_key(account: str, prefix: str, folder: str, region: str, day: str) -> str:
    """An activity-report key as Amazon Q Developer (QDeveloperLogs) or Kiro (KiroLogs) writes it."""
    return f"{prefix}AWSLogs/{account}/{folder}/by_user_analytic/{region}/{day}/00/{account}_by_user_analytic_x.csv"


@pytest.mark.slow
def test_qdev_athena_setup_builds_the_report_table_in_the_regions_the_bucket_holds(aws_env: dict[str, str]) -> None:
    account = account_id()
    bucket = f"amazonq-developer-reports-{account}"
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket=bucket)
    reports = [
        report_key(account, "user-activity-reports/", "QDeveloperLogs", "us-east-1", "2025/11/02"),
        report_key(account, "user-activity-reports/", "KiroLogs", "us-east-1", "2026/01/31"),
    ]
    prompt_log = f"AWSLogs/{account}/QDeveloperLogs/GenerateAssistantResponse/us-east-1/2025/11/02/05/x.gz"
    other_account = report_key("999999999999", "user-activity-reports/", "QDeveloperLogs", "eu-central-1", "2025/11/02")
    for key in [*reports, prompt_log, other_account]:
        s3.put_object(Bucket=bucket, Key=key, Body=b"UserId,Date\n")
    regions = ("us-east-1", "eu-central-1")
    before = snapshot(regions)
    dry = run("setup_athena_bucket.py", "--qdev", "--dry-run", env=aws_env)
    assert dry.returncode == 0, dry.stderr
    assert "would create  Glue table bedrock_analytics.qdev_user_activity" in dry.stdout
    assert snapshot(regions) == before

    first = run("setup_athena_bucket.py", "--qdev", env=aws_env)
    assert first.returncode == 0, first.stderr
    assert "\nus-east-1..." in first.stdout and "eu-central-1" not in first.stdout  # the other account's region
    assert first.stdout.count("\n  test query SUCCEEDED") == 1
    glue = boto3.client("glue", region_name="us-east-1")
    assert [t["Name"] for t in glue.get_tables(DatabaseName="bedrock_analytics")["TableList"]] == ["qdev_user_activity"]
    table = glue.get_table(DatabaseName="bedrock_analytics", Name="qdev_user_activity")["Table"]
    base = f"s3://{bucket}/user-activity-reports/AWSLogs/{account}/"
    assert table["TableType"] == "EXTERNAL_TABLE"
    assert table["PartitionKeys"] == [{"Name": "product", "Type": "string"}, {"Name": "dt", "Type": "string"}]
    parameters = table["Parameters"]
    assert {key: value for key, value in parameters.items() if key.startswith("projection.")} == {
        "projection.enabled": "true",
        "projection.product.type": "enum",
        "projection.product.values": "QDeveloperLogs,KiroLogs",
        "projection.dt.type": "date",
        "projection.dt.format": "yyyy/MM/dd",
        "projection.dt.range": "2023/01/01,NOW",
        "projection.dt.interval": "1",
        "projection.dt.interval.unit": "DAYS",
    }
    template = parameters["storage.location.template"]
    assert template == base + "${product}/by_user_analytic/us-east-1/${dt}"
    storage = table["StorageDescriptor"]
    assert storage["Location"] == base
    assert storage["Columns"] == [{"Name": "line", "Type": "string"}]
    assert storage["InputFormat"] == "org.apache.hadoop.mapred.TextInputFormat"
    assert storage["SerdeInfo"] == {
        "SerializationLibrary": "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
        "Parameters": {"field.delim": "\u0001", "serialization.format": "\u0001"},
    }
    # Each report is under the projected location of its product and day folder; the prompt logs are under none.
    for key in reports:
        folder, day = key.split("/")[3], "/".join(key.split("/")[6:9])
        day_location = template.replace("${product}", folder).replace("${dt}", day)
        assert f"s3://{bucket}/{key}".startswith(day_location + "/")
    for folder in ("QDeveloperLogs", "KiroLogs"):
        assert not f"s3://{bucket}/{prompt_log}".startswith(template.replace("${product}", folder).split("${dt}")[0])

    athena = boto3.client("athena", region_name="us-east-1")
    workgroup = athena.get_work_group(WorkGroup="bedrock-usage")["WorkGroup"]
    results = f"s3://bedrock-analytics-{account}-us-east-1/query-results/"
    assert workgroup["Configuration"]["ResultConfiguration"]["OutputLocation"] == results
    (query_id,) = athena.list_query_executions(WorkGroup="bedrock-usage")["QueryExecutionIds"]
    execution = athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]
    assert execution["Query"] == "SELECT count(*) FROM qdev_user_activity WHERE dt = ?"
    assert execution["ExecutionParameters"] == [f"'{datetime.now(UTC):%Y/%m/%d}'"]

    settled = snapshot(regions)
    again = run("setup_athena_bucket.py", "--qdev", "--skip-test-query", "--format", "json", env=aws_env)
    assert again.returncode == 0, again.stderr
    (region_result,) = json.loads(again.stdout)["regions"]
    assert {change["outcome"] for change in region_result["changes"]} == {"unchanged"}
    assert snapshot(regions) == settled
    (step,) = json.loads(again.stdout)["next_steps"]  # the report over the tables just made, in their region
    assert step["command"] == "python qcli_s3_analyzer.py --data-source athena --regions us-east-1 --days 30"


@pytest.mark.slow
def test_qdev_athena_setup_finds_no_reports_or_too_many_and_says_which_option_to_pass(
    aws_env: dict[str, str],
) -> None:
    account = account_id()
    bucket = f"amazonq-developer-reports-{account}"
    missing = run("setup_athena_bucket.py", "--qdev", env=aws_env)
    assert missing.returncode == 2 and f"bucket {bucket} does not exist" in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1 and "Traceback" not in missing.stderr
    assert boto3.client("s3").list_buckets()["Buckets"] == []

    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket=bucket)
    empty = run("setup_athena_bucket.py", "--qdev", env=aws_env)
    assert empty.returncode == 2 and "pass --regions and --qdev-prefix" in empty.stderr
    in_region = run("setup_athena_bucket.py", "--qdev", "--regions", "us-east-1", env=aws_env)
    assert in_region.returncode == 2 and "pass --qdev-prefix" in in_region.stdout

    for prefix in ("a/", "b/"):
        s3.put_object(Bucket=bucket, Key=report_key(account, prefix, "QDeveloperLogs", "us-east-1", "2025/11/02"),
                      Body=b"UserId,Date\n")
    several = run("setup_athena_bucket.py", "--qdev", "--regions", "us-east-1", env=aws_env)
    assert several.returncode == 2 and "several prefixes (a/, b/): choose one with --qdev-prefix" in several.stdout
    assert boto3.client("glue", region_name="us-east-1").get_databases()["DatabaseList"] == []

    # Before the first report of a region: the region and the prefix are given.
    chosen = run("setup_athena_bucket.py", "--qdev", "--regions", "eu-central-1", "--qdev-prefix", "b",
                 "--skip-test-query", env=aws_env)
    assert chosen.returncode == 0, chosen.stderr
    table = boto3.client("glue", region_name="eu-central-1").get_table(
        DatabaseName="bedrock_analytics", Name="qdev_user_activity"
    )["Table"]
    assert table["Parameters"]["storage.location.template"] == (
        f"s3://{bucket}/b/AWSLogs/{account}/${{product}}/by_user_analytic/eu-central-1/${{dt}}"
    )


@pytest.mark.slow
def test_verify_permissions_reports_each_role_and_region_without_crashing(aws_env: dict[str, str]) -> None:
    iam = boto3.client("iam")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account_id()}:root"}, "Action": "sts:AssumeRole"}
        ],
    }
    roles = [
        "CustomerServiceApp-BedrockRole",
        "DataAnalysisApp-BedrockRole",
        "ChatbotApp-BedrockRole",
        "DocumentProcessorApp-BedrockRole",
    ]
    for role in roles:
        iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(trust))
    # moto answers ListFoundationModels with HTTP 500: one attempt is enough to see how that is reported.
    env = {**aws_env, "AWS_MAX_ATTEMPTS": "1"}
    result = run("verify_bedrock_permissions.py", "--regions", *TWO_REGIONS, "--format", "json", env=env)
    assert result.returncode == 2
    checks = json.loads(result.stdout)["checks"]
    assert {(c["role"], c["region"]) for c in checks} == {(r, g) for r in roles for g in TWO_REGIONS}
    assert all(c["assumed"] and c["model_count"] is None and c["invoke"] == "unknown" for c in checks)
    assert all(any("ListFoundationModels" in p for p in c["problems"]) for c in checks)
    table = run("verify_bedrock_permissions.py", "--roles", roles[0], "--regions", "us-east-1", env=env)
    assert table.returncode == 2 and "Traceback" not in table.stderr
    assert "CustomerServiceApp-BedrockRole" in table.stdout and "invoke unknown" in table.stdout


@pytest.mark.slow
@pytest.mark.parametrize("script", SCRIPTS)
def test_missing_credentials_is_one_line_and_exit_2(script: str, no_aws_env: dict[str, str]) -> None:
    result = run(script, "--regions", "us-east-1", env=no_aws_env)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "no AWS credentials" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("script", SCRIPTS)
def test_unknown_region_exits_1(script: str, no_aws_env: dict[str, str]) -> None:
    result = run(script, "--regions", "us-east-1", "mars-north-1", env=no_aws_env)
    assert result.returncode == 1
    assert "unknown region mars-north-1" in result.stderr and result.stderr.count("\n") == 1
    china = run(script, "--regions", "cn-north-1", env=no_aws_env)  # a Region of a partition this tool does not read
    assert china.returncode == 1 and china.stderr.count("\n") == 1, china.stderr
    assert f"{script}: cn-north-1 is a Region of the aws-cn partition (China), which this tool neither" in china.stderr
    unset = run(script, "--regions", "", env=no_aws_env)  # --regions "$REGION" with the variable unset
    assert unset.returncode == 1 and "no region given ('')" in unset.stderr and unset.stderr.count("\n") == 1


@pytest.mark.parametrize(
    ("script", "args", "message"),
    [
        ("setup_bedrock_logging.py", ["--bucket", "Logs_{region}"], "not a valid S3 bucket name"),
        ("setup_bedrock_logging.py", ["--bucket", "logs-{acount}"], "placeholders"),
        ("setup_bedrock_logging.py", ["--bucket", "{region.x}-b"], "only placeholders allowed are {account} and"),
        ("setup_athena_bucket.py", ["--results-bucket", "{region.x}-b"], "only placeholders allowed are {account}"),
        ("setup_athena_bucket.py", ["--log-bucket", "{account[0]}-b"], "only placeholders allowed are {account}"),
        ("setup_bedrock_logging.py", ["--bucket", "192.168.1.1"], "formatted as an IP address"),
        ("setup_bedrock_logging.py", ["--bucket", "xn--logs-{region}"], "it begins with xn--, which S3 reserves"),
        ("setup_bedrock_logging.py", ["--bucket", "sthree-{region}"], "it begins with sthree-, which S3 reserves"),
        ("setup_athena_bucket.py", ["--results-bucket", "results-{region}-s3alias"], "ends with -s3alias"),
        ("setup_athena_bucket.py", ["--results-bucket", "results-{region}--ol-s3"], "ends with --ol-s3"),
        ("setup_athena_bucket.py", ["--results-bucket", "results-{region}--x-s3"], "ends with --x-s3"),
        ("setup_athena_bucket.py", ["--expire-days", "0"], "--expire-days"),
        ("setup_athena_bucket.py", ["--start-date", "2023-13-01"], "--start-date"),
        ("setup_athena_bucket.py", ["--bytes-scanned-cutoff", "5"], "--bytes-scanned-cutoff"),
        ("setup_athena_bucket.py", ["--qdev", "--log-bucket", "x"], "with --qdev, use --qdev-bucket"),
        ("setup_athena_bucket.py", ["--qdev-prefix", "reports/"], "go with --qdev"),
        ("setup_athena_bucket.py", ["--qdev", "--qdev-bucket", "Q_{account}"], "not a valid S3 bucket name"),
        ("check_bedrock_logging.py", ["--format", "xml"], "invalid choice"),
        ("verify_bedrock_permissions.py", ["--roles", "AppRole", ""], "argument --roles: empty: give a name"),
        ("verify_bedrock_permissions.py", ["--model", " "], "argument --model: empty: give a name"),
    ],
)
@pytest.mark.slow
def test_bad_options_exit_1_before_changing_anything(
    script: str, args: list[str], message: str, aws_env: dict[str, str]
) -> None:
    result = run(script, "--regions", "us-east-1", *args, env=aws_env)
    assert result.returncode == 1 and message in result.stderr and result.stderr.count("\n") == 1
    assert boto3.client("s3").list_buckets()["Buckets"] == []


@pytest.mark.parametrize("script", SCRIPTS)
def test_help_lists_the_shared_options(script: str, no_aws_env: dict[str, str]) -> None:
    result = run(script, "--help", env=no_aws_env)
    assert result.returncode == 0
    for option in ("--regions", "--profile", "--format", "Exit codes"):
        assert option in result.stdout


@pytest.mark.parametrize("script", [*SCRIPTS, "generate_test_data.py"])
def test_help_s_exit_codes_name_replace_existing_only_where_the_script_has_it(
        script: str, no_aws_env: dict[str, str]) -> None:
    """Only the two setup scripts leave settings as they are and take --replace-existing; the checks change nothing."""
    result = run(script, "--help", env=no_aws_env)
    exit_codes = " ".join(result.stdout[result.stdout.index("Exit codes"):].split())
    has_option = script in ("setup_bedrock_logging.py", "setup_athena_bucket.py")
    assert ("--replace-existing" in exit_codes) is has_option and ("left as it is" in exit_codes) is has_option


def test_setup_s_replace_existing_help_names_default_encryption(no_aws_env: dict[str, str]) -> None:
    """setup sets SSE-S3 on an existing log bucket without default encryption only with --replace-existing."""
    help_text = " ".join(run("setup_bedrock_logging.py", "--help", env=no_aws_env).stdout.split())
    option = help_text[help_text.index("--replace-existing replace"):]
    assert "default encryption" in option[:option.index("; without it")]


def _reset_auth(endpoint: str, count: str) -> None:
    request = urllib.request.Request(
        f"{endpoint}/moto-api/reset-auth", data=count.encode(), method="POST", headers={"Content-Type": "text/plain"}
    )
    urllib.request.urlopen(request).close()


@contextmanager
def iam_enforced(endpoint: str) -> Iterator[None]:
    """The moto server checks every request against IAM policies inside, and stops checking on the way out."""
    _reset_auth(endpoint, "0")
    try:
        yield
    finally:
        _reset_auth(endpoint, "inf")


@pytest.mark.slow
def test_access_denied_names_the_missing_permission(aws_env: dict[str, str], moto_endpoint: str) -> None:
    account = account_id()
    iam = boto3.client("iam")
    iam.create_user(UserName="intern")
    results_only = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "s3:*",
                "Resource": ["arn:aws:s3:::bedrock-analytics-*", "arn:aws:s3:::bedrock-analytics-*/*"],
            }
        ],
    }
    iam.put_user_policy(UserName="intern", PolicyName="results-bucket-only", PolicyDocument=json.dumps(results_only))
    key = iam.create_access_key(UserName="intern")["AccessKey"]
    env = {name: value for name, value in aws_env.items() if name != "AWS_SESSION_TOKEN"}
    env.update(AWS_ACCESS_KEY_ID=key["AccessKeyId"], AWS_SECRET_ACCESS_KEY=key["SecretAccessKey"])
    # setup_bedrock_logging.py reads the logging configuration first, and moto cannot authenticate Bedrock requests
    # while it enforces IAM (SignatureDoesNotMatch even when allowed); test_errors.py covers how AWS's refusal of
    # bedrock:GetModelInvocationLoggingConfiguration is named. --log-bucket keeps the Athena setup off Bedrock.
    logs = ("--log-bucket", "bedrock-logs-{account}-{region}", "--log-prefix", "bedrock-logs/")
    with iam_enforced(moto_endpoint):
        athena = run("setup_athena_bucket.py", "--regions", "us-east-1", *logs, "--skip-test-query", env=env)
    # The results bucket was allowed and is made; the Glue call is refused and named, and the region stops there.
    assert athena.returncode == 2
    assert f"created       bucket bedrock-analytics-{account}-us-east-1 " in athena.stdout
    assert "access denied: this identity needs glue:GetDatabase (see iam/setup-admin.json)" in athena.stdout
    assert "Traceback" not in athena.stderr
    assert len(athena.stderr.strip().splitlines()) == 1
