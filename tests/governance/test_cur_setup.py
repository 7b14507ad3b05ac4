"""setup_athena_bucket.py --cur against moto (S3, Glue, Athena) and a Data Exports stand-in (moto has none).

Every Data Exports request is checked against botocore's service model by the stand-in; expected requests, the
bucket policy statement and the table's parameters are written out here from AWS's documentation, not taken from
the code.
"""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

import setup_athena_bucket
from bedrock_usage.errors import SetupRequired
from tests.aws.aws_cli import run_aws
from tests.aws.refusing_proxy import refusing_proxy
from tests.governance.data_exports_server import DataExports, data_exports_server, validation_errors

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = "123456789012"
BUCKET = f"bedrock-usage-cur-{ACCOUNT}"
COLUMNS = ["bill_billing_period_start_date", "line_item_usage_account_id", "line_item_line_item_type",
           "line_item_product_code", "line_item_usage_type", "line_item_usage_start_date", "line_item_usage_end_date",
           "line_item_usage_amount", "line_item_unblended_cost", "line_item_iam_principal",
           "pricing_public_on_demand_cost", "product", "product_region_code"]
# "Setting up an Amazon S3 bucket for data exports" (AWS Data Exports user guide), for this bucket and account.
STATEMENT = {
    "Sid": "EnableAWSDataExportsToWriteToS3AndCheckPolicy",
    "Effect": "Allow",
    "Principal": {"Service": ["billingreports.amazonaws.com", "bcm-data-exports.amazonaws.com"]},
    "Action": ["s3:PutObject", "s3:GetBucketPolicy"],
    "Resource": [f"arn:aws:s3:::{BUCKET}/*", f"arn:aws:s3:::{BUCKET}"],
    "Condition": {"StringLike": {
        "aws:SourceAccount": ACCOUNT,
        "aws:SourceArn": [f"arn:aws:cur:us-east-1:{ACCOUNT}:definition/*",
                          f"arn:aws:bcm-data-exports:us-east-1:{ACCOUNT}:export/*"],
    }},
}


@pytest.fixture
def exports(aws_env: dict[str, str]) -> Iterator[tuple[DataExports, dict[str, str]]]:
    with data_exports_server() as service:
        yield service, {**aws_env, "AWS_ENDPOINT_URL_BCM_DATA_EXPORTS": service.url}


def setup_cur(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "setup_athena_bucket.py"), "--cur", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def foreign_export(name: str, **settings: str) -> dict[str, Any]:
    """An export someone made before us, CUR 2.0 in Parquet, with ``settings`` over its table configuration."""
    return {
        "Name": name,
        "DataQuery": {"QueryStatement": "SELECT * FROM COST_AND_USAGE_REPORT",
                      "TableConfigurations": {"COST_AND_USAGE_REPORT": {"TIME_GRANULARITY": "HOURLY", **settings}}},
        "DestinationConfigurations": {"S3Destination": {
            "S3Bucket": "finance-cur", "S3Prefix": "exports", "S3Region": "us-east-1",
            "S3OutputConfigurations": {"OutputType": "CUSTOM", "Format": "PARQUET", "Compression": "PARQUET",
                                       "Overwrite": "OVERWRITE_REPORT"}}},
        "RefreshCadence": {"Frequency": "SYNCHRONOUS"},
    }


@pytest.mark.slow
def test_dry_run_changes_nothing(exports: tuple[DataExports, dict[str, str]]) -> None:
    service, env = exports
    result = setup_cur(env, "--dry-run")
    assert result.returncode == 0, result.stderr
    assert f"would create  bucket {BUCKET}" in result.stdout
    assert f"would create  bucket {BUCKET}: policy" in result.stdout
    assert "would create  Data Exports export bedrock-usage-cur2" in result.stdout
    assert "would create  Glue table bedrock_analytics.cur2_export" in result.stdout
    assert service.operations() == ["ListExports"]
    assert BUCKET not in [b["Name"] for b in boto3.client("s3").list_buckets()["Buckets"]]


@pytest.mark.slow
def test_creates_the_export_its_bucket_policy_and_table_then_finds_it(
    exports: tuple[DataExports, dict[str, str]],
) -> None:
    service, env = exports
    result = setup_cur(env)
    assert result.returncode == 0, result.stderr + result.stdout
    creates = [body for operation, body in service.requests if operation == "CreateExport"]
    assert len(creates) == 1 and validation_errors("CreateExport", creates[0]) == ""
    export = creates[0]["Export"]
    assert export["Name"] == "bedrock-usage-cur2"
    assert export["DataQuery"] == {
        "QueryStatement": f"SELECT {', '.join(COLUMNS)} FROM COST_AND_USAGE_REPORT",
        "TableConfigurations": {"COST_AND_USAGE_REPORT": {
            "TIME_GRANULARITY": "DAILY", "INCLUDE_RESOURCES": "FALSE", "INCLUDE_MANUAL_DISCOUNT_COMPATIBILITY": "FALSE",
            "INCLUDE_SPLIT_COST_ALLOCATION_DATA": "FALSE", "INCLUDE_IAM_PRINCIPAL_DATA": "TRUE"}},
    }
    assert export["DestinationConfigurations"] == {"S3Destination": {
        "S3Bucket": BUCKET, "S3BucketOwner": ACCOUNT, "S3Prefix": "cur", "S3Region": "us-east-1",
        "S3OutputConfigurations": {"OutputType": "CUSTOM", "Format": "PARQUET", "Compression": "PARQUET",
                                   "Overwrite": "OVERWRITE_REPORT"}}}
    assert export["RefreshCadence"] == {"Frequency": "SYNCHRONOUS"}

    s3 = boto3.client("s3")
    policy = json.loads(s3.get_bucket_policy(Bucket=BUCKET)["Policy"])
    assert policy["Statement"] == [STATEMENT]
    assert all(s3.get_public_access_block(Bucket=BUCKET)["PublicAccessBlockConfiguration"].values())
    table = boto3.client("glue").get_table(DatabaseName="bedrock_analytics", Name="cur2_export")["Table"]
    data = f"s3://{BUCKET}/cur/bedrock-usage-cur2/data/"
    assert table["StorageDescriptor"]["Location"] == data
    assert [c["Name"] for c in table["StorageDescriptor"]["Columns"]] == COLUMNS
    assert {c["Name"]: c["Type"] for c in table["StorageDescriptor"]["Columns"]}["product"] == "map<string,string>"
    assert table["PartitionKeys"] == [{"Name": "billing_period", "Type": "string"}]
    parameters = table["Parameters"]
    assert parameters["storage.location.template"] == data + "BILLING_PERIOD=${billing_period}/"
    assert (parameters["projection.billing_period.type"], parameters["projection.billing_period.format"],
            parameters["projection.billing_period.interval.unit"]) == ("date", "yyyy-MM", "MONTHS")
    assert table["StorageDescriptor"]["SerdeInfo"]["SerializationLibrary"].endswith("ParquetHiveSerDe")
    assert boto3.client("athena").get_work_group(WorkGroup="bedrock-usage")["WorkGroup"]["State"] == "ENABLED"

    again = setup_cur(env)
    assert again.returncode == 0, again.stderr
    assert "unchanged     Data Exports export bedrock-usage-cur2 (found, used as it is)" in again.stdout
    assert [op for op, _ in service.requests].count("CreateExport") == 1
    # it ends with the comparison the export is for, once its first files are there
    assert again.stdout.rstrip().endswith(
        "\n        python bedrock_tracker_cli.py --reconcile --cur --cur-region us-east-1 --days 30")


@pytest.mark.slow
def test_an_export_someone_made_is_used_or_reported_never_changed(
    exports: tuple[DataExports, dict[str, str]],
) -> None:
    service, env = exports
    service.add(foreign_export("finance-hourly", INCLUDE_IAM_PRINCIPAL_DATA="FALSE"))
    service.add(foreign_export("finance-callers", INCLUDE_IAM_PRINCIPAL_DATA="TRUE"))
    result = setup_cur(env)
    assert result.returncode == 0, result.stderr + result.stdout
    assert ("export finance-hourly is not used (left as it is): no caller identity (INCLUDE_IAM_PRINCIPAL_DATA is "
            "off)") in result.stdout
    assert "unchanged     Data Exports export finance-callers (found, used as it is)" in result.stdout
    assert set(service.operations()) == {"ListExports", "GetExport"}  # nothing created, nothing updated
    table = boto3.client("glue").get_table(DatabaseName="bedrock_analytics", Name="cur2_export")["Table"]
    assert table["StorageDescriptor"]["Location"] == "s3://finance-cur/exports/finance-callers/data/"


@pytest.mark.slow
def test_our_export_misconfigured_is_reported_not_replaced(exports: tuple[DataExports, dict[str, str]]) -> None:
    service, env = exports
    service.add(foreign_export("bedrock-usage-cur2", TIME_GRANULARITY="MONTHLY", INCLUDE_IAM_PRINCIPAL_DATA="TRUE"))
    result = setup_cur(env)
    assert result.returncode == 2
    assert ("export bedrock-usage-cur2 exists but cannot be read per caller: MONTHLY granularity (per-day "
            "reconciliation needs DAILY or HOURLY). It is not changed") in result.stdout
    assert set(service.operations()) == {"ListExports", "GetExport"}


@pytest.mark.slow
def test_options_that_do_not_go_with_cur(exports: tuple[DataExports, dict[str, str]]) -> None:
    _, env = exports
    result = setup_cur(env, "--regions", "us-east-1")
    assert result.returncode == 1
    assert "--cur sets up the CUR 2.0 export and its table alone, in --cur-region" in result.stderr


@pytest.mark.slow
def test_the_export_is_not_made_while_its_bucket_policy_statement_is_left_as_it_is(
    exports: tuple[DataExports, dict[str, str]],
) -> None:
    service, env = exports
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_public_access_block(Bucket=BUCKET, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
    billing_only = {**STATEMENT, "Principal": {"Service": "billingreports.amazonaws.com"}}
    policy = {"Version": "2012-10-17", "Statement": [billing_only]}
    s3.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(policy))
    not_made = ("  Data Exports export bedrock-usage-cur2 not made: its permission to write to the bucket (policy "
                "statement EnableAWSDataExportsToWriteToS3AndCheckPolicy) was left as it is\n")
    for extra in ((), ("--dry-run",)):
        kept = setup_cur(env, "--skip-test-query", *extra)
        assert kept.returncode == 2, kept.stdout + kept.stderr
        assert (f"  left as it is bucket {BUCKET}: policy: statement EnableAWSDataExportsToWriteToS3AndCheckPolicy "
                "Principal.Service billingreports.amazonaws.com -> ") in kept.stdout
        assert not_made in kept.stdout and "Data Exports export bedrock-usage-cur2" not in kept.stdout.replace(
            not_made, "")
        assert "CreateExport" not in service.operations()
        assert json.loads(s3.get_bucket_policy(Bucket=BUCKET)["Policy"]) == policy

    done = setup_cur(env, "--skip-test-query", "--replace-existing")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "  created       Data Exports export bedrock-usage-cur2" in done.stdout
    creates = [body for operation, body in service.requests if operation == "CreateExport"]
    assert len(creates) == 1 and validation_errors("CreateExport", creates[0]) == ""
    assert json.loads(s3.get_bucket_policy(Bucket=BUCKET)["Policy"])["Statement"] == [STATEMENT]


RESULTS = f"bedrock-analytics-{ACCOUNT}-us-east-1"
EXPORT = "Data Exports export bedrock-usage-cur2"
ATHENA_STEPS = ("Glue database bedrock_analytics, Glue table bedrock_analytics.cur2_export and Athena workgroup "
                "bedrock-usage")


def refused_cur_setup(service: str, upstream: str, key: str, action: str, monkeypatch: pytest.MonkeyPatch,
                      capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    """setup_athena_bucket.py --cur with ``service``'s requests whose JSON holds ``key`` refused as IAM refuses
    ``action`` (exit 2 asserted): the region's result."""
    answer = (400, json.dumps({"__type": "AccessDeniedException", "message": (
        f"User: arn:aws:iam::{ACCOUNT}:user/ops is not authorized to perform: {action}")}).encode())
    with refusing_proxy(upstream, lambda method, path: method == "POST", answer=answer,
                        refuses_body=lambda body: key in json.loads(body or b"{}")) as proxy:
        monkeypatch.setenv(f"AWS_ENDPOINT_URL_{service}", f"http://127.0.0.1:{proxy.server_port}")
        monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
        with pytest.raises(SetupRequired, match="1 region"):
            setup_athena_bucket.main(["--cur", "--skip-test-query", "--format", "json"])
    monkeypatch.delenv(f"AWS_ENDPOINT_URL_{service}")
    assert proxy.refused == ["POST /"]
    (result,) = json.loads(capsys.readouterr().out)["regions"]
    return result


def made_bucket(bucket: str, *writes: str) -> str:
    """How the line names a bucket setup made and its writes, put back by deleting it."""
    return (", ".join([f"bucket {bucket}: created (us-east-1)", *(f"bucket {bucket}: {write}" for write in writes)])
            + f" (to put it back: `aws s3api delete-bucket --bucket {bucket} --region us-east-1`, which needs "
            "s3:DeleteBucket)")


CUR_BUCKET_WRITES = (f"policy: created ({STATEMENT['Sid']})", "public access block: created",
                     "default encryption: created (SSE-S3)")


def test_the_export_refused_after_its_buckets_writes_names_them_as_what_a_run_again_needs(
        exports: tuple[DataExports, dict[str, str]], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """bcm-data-exports:CreateExport refused once the export bucket was made and set up: the line said only the
    refusal. It now names the bucket's writes as what a run again needs (the bucket is ready: the export and the
    Athena steps after it left), with the command that puts them back, the export listed not made; a run again,
    granted, changes nothing of the bucket and makes the export."""
    service, _ = exports
    result = refused_cur_setup("BCM_DATA_EXPORTS", service.url, "Export", "bcm-data-exports:CreateExport",
                               monkeypatch, capsys)
    assert result["error"] == (
        "access denied: this identity needs bcm-data-exports:CreateExport (see iam/setup-admin.json); made before "
        f"that, kept as a run again needs them (the bucket is ready: {EXPORT}, results bucket {RESULTS}, "
        f"{ATHENA_STEPS} are the steps left): {made_bucket(BUCKET, *CUR_BUCKET_WRITES)}")
    assert [(change["resource"], change["outcome"]) for change in result["changes"]] == [
        (f"bucket {BUCKET}", "created"), (f"bucket {BUCKET}: public access block", "created"),
        (f"bucket {BUCKET}: default encryption", "created"), (f"bucket {BUCKET}: policy", "created"),
        (EXPORT, "not made")]
    assert service.exports == {}

    monkeypatch.setenv("AWS_ENDPOINT_URL_BCM_DATA_EXPORTS", service.url)
    assert setup_athena_bucket.main(["--cur", "--skip-test-query", "--format", "json"]) == 0
    (again,) = json.loads(capsys.readouterr().out)["regions"]
    assert [(change["resource"], change["outcome"]) for change in again["changes"][:5]] == [
        (f"bucket {BUCKET}", "unchanged"), (f"bucket {BUCKET}: public access block", "unchanged"),
        (f"bucket {BUCKET}: default encryption", "unchanged"), (f"bucket {BUCKET}: policy", "unchanged"),
        (EXPORT, "created")]
    assert len(service.exports) == 1


def test_a_glue_step_refused_after_the_export_names_the_export_and_both_buckets_writes(
        exports: tuple[DataExports, dict[str, str]], moto_endpoint: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """glue:CreateDatabase refused once the export bucket, the export and the results bucket were made: the line
    said only the refusal. It now names them all as what a run again needs (the buckets are ready: the Glue and
    Athena steps left), each with the command that puts it back: the buckets' delete-bucket, which S3 runs, and the
    export's delete-export, a request valid for botocore's model naming the export's ARN."""
    service, _ = exports
    monkeypatch.setenv("AWS_ENDPOINT_URL_BCM_DATA_EXPORTS", service.url)
    result = refused_cur_setup("GLUE", moto_endpoint, "DatabaseInput", "glue:CreateDatabase", monkeypatch, capsys)
    (arn,) = service.exports
    delete_export = f"aws bcm-data-exports delete-export --export-arn {arn} --region us-east-1"
    assert result["error"] == (
        "access denied: this identity needs glue:CreateDatabase (see iam/setup-admin.json); made before that, kept as "
        f"a run again needs them (the buckets are ready: {ATHENA_STEPS} are the steps left): "
        f"{made_bucket(BUCKET, *CUR_BUCKET_WRITES)}; {EXPORT}: created (CUR 2.0, caller identity, daily, Parquet) (to "
        f"put it back: `{delete_export}`, which needs bcm-data-exports:DeleteExport); "
        + made_bucket(RESULTS, "lifecycle rule expire-query-results: created", "public access block: created",
                      "default encryption: created (SSE-S3)"))
    assert [(change["resource"], change["outcome"]) for change in result["changes"]][4:] == [
        (EXPORT, "created"), (f"bucket {RESULTS}", "created"), (f"bucket {RESULTS}: public access block", "created"),
        (f"bucket {RESULTS}: default encryption", "created"),
        (f"bucket {RESULTS}: lifecycle rule expire-query-results", "created")]
    aws, service_name, operation, option, value, region, where = shlex.split(delete_export)
    assert (aws, service_name, operation, option, region, where) == (
        "aws", "bcm-data-exports", "delete-export", "--export-arn", "--region", "us-east-1")
    assert validation_errors("DeleteExport", {"ExportArn": value}) == "" and value == arn
    for bucket in (BUCKET, RESULTS):
        run_aws(f"aws s3api delete-bucket --bucket {bucket} --region us-east-1")
    assert boto3.client("s3").list_buckets()["Buckets"] == []


def test_a_results_bucket_in_another_region_after_the_export_names_what_was_made(
        exports: tuple[DataExports, dict[str, str]], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """--results-bucket names a bucket in eu-west-1 while the export and its table are in us-east-1: setup stops there,
    after the export bucket and the export were made, and the line said only that the bucket is elsewhere. It now
    names them too, each with the command that puts it back, which does."""
    service, _ = exports
    monkeypatch.setenv("AWS_ENDPOINT_URL_BCM_DATA_EXPORTS", service.url)
    elsewhere = "team-results-eu"
    boto3.client("s3", region_name="eu-west-1").create_bucket(
        Bucket=elsewhere, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    with pytest.raises(SetupRequired, match="1 region"):  # exit 2
        setup_athena_bucket.main(["--cur", "--results-bucket", elsewhere, "--skip-test-query", "--format", "json"])
    (result,) = json.loads(capsys.readouterr().out)["regions"]
    (arn,) = service.exports
    delete_export = f"aws bcm-data-exports delete-export --export-arn {arn} --region us-east-1"
    assert result["error"] == (
        f"bucket {elsewhere} is in eu-west-1, but us-east-1 needs a bucket in us-east-1: pass another bucket name; "
        f"made before that, the rest not: {made_bucket(BUCKET, *CUR_BUCKET_WRITES)}; {EXPORT}: created (CUR 2.0, "
        f"caller identity, daily, Parquet) (to put it back: `{delete_export}`, which needs "
        "bcm-data-exports:DeleteExport)")
    assert validation_errors("DeleteExport", {"ExportArn": arn}) == ""
    run_aws(f"aws s3api delete-bucket --bucket {BUCKET} --region us-east-1")
    assert [bucket["Name"] for bucket in boto3.client("s3").list_buckets()["Buckets"]] == [elsewhere]
