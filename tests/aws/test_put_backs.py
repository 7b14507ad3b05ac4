"""A refusal after setup's Glue and Athena writes, and a test query refused or failed once everything was made: the
line names each write this run made, old -> new, with the AWS CLI command that puts it back (checked against
botocore's model, and run on the moto server where moto has the operation), and never a command deleting what was
there before the run; a test query's line says what its refusal means and that running again is safe.

AWS's refusals are answered by tests/aws/refusing_proxy.py in front of the moto server (moto enforces no IAM); the
expected lines are written out here.
"""

from __future__ import annotations

import json
import re
from contextlib import ExitStack
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest

import setup_athena_bucket
from bedrock_usage.errors import SetupRequired
from tests.aws.aws_cli import cli_errors, cli_request, run_aws
from tests.aws.refusing_proxy import refusing_proxy

# These run the setup script, a second or more each on a loaded machine: CI runs them with the slow tests.
pytestmark = pytest.mark.slow

ACCOUNT = "123456789012"
REGION = "us-east-1"
RESULTS = f"bedrock-analytics-{ACCOUNT}-{REGION}"
LOGS = f"bedrock-logs-{ACCOUNT}-{REGION}"
TABLE = "Glue table bedrock_analytics.bedrock_invocation_logs"
TEMPLATE = f"s3://{LOGS}/AWSLogs/{ACCOUNT}/BedrockModelInvocationLogs/{REGION}/${{dt}}"
SETUP = ["--regions", REGION, "--log-bucket", LOGS, "--format", "json"]
AGAIN = ("running again is safe: it changes none of them and runs the test query again; --skip-test-query leaves the "
         "query out")
RESULTS_BUCKET_MADE = (
    f"bucket {RESULTS}: created ({REGION}), bucket {RESULTS}: lifecycle rule expire-query-results: created, bucket "
    f"{RESULTS}: public access block: created, bucket {RESULTS}: default encryption: created (SSE-S3)")
DELETE_DATABASE = f"aws glue delete-database --name bedrock_analytics --catalog-id {ACCOUNT} --region {REGION}"
DATABASE_MADE = (
    f"Glue database bedrock_analytics: created, {TABLE}: created ({TEMPLATE}) (to put it back: `{DELETE_DATABASE}`, "
    "which needs glue:DeleteDatabase on the database and its tables, and deletes the tables in it too)")


def denied(action: str) -> tuple[int, bytes]:
    """AWS's answer to a JSON-protocol request the identity's policy does not allow."""
    return 400, json.dumps({"__type": "AccessDeniedException", "Message": (
        f"User: arn:aws:iam::{ACCOUNT}:user/ops is not authorized to perform: {action} because no identity-based "
        f"policy allows the {action} action")}).encode()


def failed_query(reason: str) -> tuple[int, bytes]:
    """Athena's GetQueryExecution answer for a query that failed."""
    return 200, json.dumps({"QueryExecution": {"QueryExecutionId": "q-1", "Status": {
        "State": "FAILED", "StateChangeReason": reason}}}).encode()


def set_up(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str,
           answered: tuple[tuple[str, str, tuple[int, bytes]], ...] = ()) -> dict[str, Any]:
    """setup_athena_bucket.py in us-east-1 with ``args``, each (service, operation, answer) of ``answered`` given that
    answer instead of the moto server's: the region's result (exit 2 asserted where something is answered)."""
    moto = boto3.client("sts").meta.endpoint_url
    with ExitStack() as stack:
        upstream: dict[str, str] = {}
        for service, operation, answer in answered:  # a second operation of a service goes through the first's proxy
            proxy = stack.enter_context(refusing_proxy(upstream.get(service, moto), lambda method, path: True,
                                                       answer=answer, operation=operation))
            upstream[service] = f"http://127.0.0.1:{proxy.server_port}"
        for service, url in upstream.items():
            monkeypatch.setenv(f"AWS_ENDPOINT_URL_{service.upper()}", url)
        monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
        if answered:
            with pytest.raises(SetupRequired, match="1 region"):  # exit 2
                setup_athena_bucket.main([*SETUP, *args])
        else:
            assert setup_athena_bucket.main([*SETUP, *args]) == 0
        for service in upstream:
            monkeypatch.delenv(f"AWS_ENDPOINT_URL_{service.upper()}")
    (result,) = json.loads(capsys.readouterr().out)["regions"]
    return result


def empty_results(query_ids: list[str]) -> list[str]:
    """The commands deleting the result files Athena writes for each query (Athena User Guide, "Find query output
    files in Amazon S3": ``QueryID.csv`` and ``QueryID.csv.metadata`` in the workgroup's result location)."""
    keys = ('{{"Objects":[{{"Key":"query-results/{0}.csv"}},{{"Key":"query-results/{0}.csv.metadata"}}]}}')
    return [f"aws s3api delete-objects --bucket {RESULTS} --delete '{keys.format(query)}' --region {REGION}"
            for query in query_ids]


def setups_left() -> dict[str, Any]:
    """What of setup's is in the account: buckets, Glue databases and their tables, workgroups."""
    glue = boto3.client("glue")
    return {"buckets": sorted(b["Name"] for b in boto3.client("s3").list_buckets()["Buckets"]),
            "tables": {db["Name"]: [t["Name"] for t in glue.get_tables(DatabaseName=db["Name"])["TableList"]]
                       for db in glue.get_databases()["DatabaseList"]},
            "workgroups": sorted(w["Name"] for w in boto3.client("athena").list_work_groups()["WorkGroups"])}


@pytest.mark.parametrize(("operation", "workgroup"), [("StartQueryExecution", "team-wg"),
                                                      ("GetQueryResults", "bedrock-usage")])
def test_a_test_query_refused_after_setup_made_everything_names_each_write_with_the_command_that_puts_it_back(
        operation: str, workgroup: str, aws_env: dict[str, str], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """The test query refused once the results bucket, Glue database, table and workgroup were made: the line said
    only the refusal. It now says what it means (for a workgroup other than bedrock-usage, that iam/setup-admin.json
    grants the query's actions on that one only), that what was made is kept and running again is safe, and names each
    write with the command that puts it back: deleting the bucket (emptied first of the result files of a query Athena
    started), the database (the table in it goes too) and the workgroup. Run in order, they leave nothing of setup's."""
    action = f"athena:{operation}"
    result = set_up(monkeypatch, capsys, "--workgroup", workgroup, answered=(("athena", operation, denied(action)),))
    started = boto3.client("athena").list_query_executions(WorkGroup=workgroup)["QueryExecutionIds"]
    assert len(started) == (operation != "StartQueryExecution")
    meaning = {"StartQueryExecution": "this identity may not start queries in workgroup team-wg (iam/setup-admin.json "
                                      "grants the test query's Athena actions on workgroup bedrock-usage only)",
               "GetQueryResults": "this identity may not read the results of queries in workgroup bedrock-usage"}
    bucket = [*empty_results(started), f"aws s3api delete-bucket --bucket {RESULTS} --region {REGION}"]
    delete_workgroup = (f"aws athena delete-work-group --work-group {workgroup} --recursive-delete-option --region "
                        f"{REGION}")
    assert result["error"] == (
        f"test query refused: access denied: this identity needs {action} (see iam/setup-admin.json); "
        f"{meaning[operation]}; made before it and kept, as setup's steps are all done ({AGAIN}): "
        f"{RESULTS_BUCKET_MADE} (to put it back: {', then '.join(f'`{command}`' for command in bucket)}, which needs "
        f"{'s3:DeleteObject and ' if started else ''}s3:DeleteBucket); {DATABASE_MADE}; Athena workgroup {workgroup}: "
        f"created (s3://{RESULTS}/query-results/) (to put it back: `{delete_workgroup}`, which needs "
        "athena:DeleteWorkGroup)")
    s3 = boto3.client("s3")
    for query in started:  # what Athena writes for a query that ran (moto writes nothing)
        for suffix in (".csv", ".csv.metadata"):
            s3.put_object(Bucket=RESULTS, Key=f"query-results/{query}{suffix}", Body=b"x")
    for command in [*bucket, DELETE_DATABASE, delete_workgroup]:
        run_aws(command)
    assert setups_left() == {"buckets": [], "tables": {}, "workgroups": ["primary"]}


def test_running_again_after_a_refused_test_query_changes_nothing_and_runs_it(
        aws_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """What the line of a refused test query says: running again changes none of what was made, and runs the query."""
    refused = set_up(monkeypatch, capsys, answered=(("athena", "StartQueryExecution",
                                                     denied("athena:StartQueryExecution")),))
    assert [change["outcome"] for change in refused["changes"]] == ["created"] * 7
    made = setups_left()
    again = set_up(monkeypatch, capsys)
    assert [change["resource"] for change in again["changes"]] == [change["resource"] for change in refused["changes"]]
    assert {change["outcome"] for change in again["changes"]} == {"unchanged"} and again["error"] is None
    assert again["notes"] == [f"test query SUCCEEDED: no records for dt={datetime.now(UTC):%Y/%m/%d}"]
    assert setups_left() == made


READS_LOGS = f"s3://{LOGS}/AWSLogs/{ACCOUNT}/BedrockModelInvocationLogs/{REGION}/"
FAILURES = {  # Athena's reason for a failed query -> what the line says it means
    "results bucket": (
        f"Access denied when writing output to url: s3://{RESULTS}/query-results/q-1.csv . Please ensure you are "
        "allowed to access the S3 bucket.",
        f"Athena writes each result to s3://{RESULTS}/query-results/ with this identity's rights: it needs "
        "s3:PutObject and s3:GetObject there (iam/setup-admin.json grants them on buckets named bedrock-analytics-*), "
        "and the bucket's policy and default encryption key must allow them"),
    "team results bucket": (
        "Access denied when writing output to url: s3://team-athena-results/query-results/q-1.csv . Please ensure "
        "you are allowed to access the S3 bucket.",
        "Athena writes each result to s3://team-athena-results/query-results/ with this identity's rights: it needs "
        "s3:PutObject and s3:GetObject there (iam/setup-admin.json grants them on buckets named bedrock-analytics-* "
        "only: add the results bucket statements of docs/aws-setup.md, \"A team's own bucket names\" (Resource "
        "arn:*:s3:::team-athena-results) to this identity's policy), and the bucket's policy and default encryption "
        "key must allow them"),
    "logs": (
        f"Permission denied on S3 path: {READS_LOGS}2026/01/02/00/{ACCOUNT}_x.json.gz",
        f"Athena reads the table's objects ({READS_LOGS}) with this identity's rights: it needs s3:GetObject on them "
        f"and s3:ListBucket on bucket {LOGS}, and kms:Decrypt where they are encrypted with SSE-KMS"),
    "glue": (
        f"Insufficient permissions to execute the query. User: arn:aws:iam::{ACCOUNT}:user/ops is not authorized to "
        f"perform: glue:GetTable on resource: arn:aws:glue:{REGION}:{ACCOUNT}:table/bedrock_analytics/"
        "bedrock_invocation_logs",
        "Athena runs the query with this identity's rights, and it needs glue:GetTable"),
}


DISABLED = (400, json.dumps({"__type": "InvalidRequestException",
                              "Message": "WorkGroup bedrock-usage is disabled."}).encode())


@pytest.mark.parametrize("failure", [*FAILURES, "workgroup disabled"])
def test_a_test_query_failed_on_a_set_up_region_says_what_the_failure_means_and_that_nothing_was_changed(
        failure: str, aws_env: dict[str, str], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """The test query FAILED on a region set up before (a results bucket, setup's or a team's, the logs or the table
    definition refused to this identity), or could not start (the workgroup disabled): the line gave Athena's reason
    alone. It now says which right of this identity the reason points at, that this run changed nothing, and that
    running again is safe: it is, and changes nothing."""
    team = ("--results-bucket", "team-athena-results") if failure == "team results bucket" else ()
    set_up(monkeypatch, capsys, "--skip-test-query", *team)
    made = setups_left()
    if failure in FAILURES:
        reason, meaning = FAILURES[failure]
        answered = ("athena", "GetQueryExecution", failed_query(reason))
        why = f"test query FAILED: {reason}; {meaning}"
    else:
        answered = ("athena", "StartQueryExecution", DISABLED)
        why = ("test query failed: StartQueryExecution failed: InvalidRequestException: WorkGroup bedrock-usage is "
               "disabled.")
    result = set_up(monkeypatch, capsys, *team, answered=(answered,))
    assert result["error"] == (
        f"{why}; this run made and changed nothing before it: setup's steps were all done already and stay ({AGAIN})")
    assert {change["outcome"] for change in result["changes"]} == {"unchanged"}
    assert set_up(monkeypatch, capsys, *team)["error"] is None
    assert setups_left() == made


def table_definition(glue: Any) -> dict[str, Any]:
    """The definition of the logs table, as UpdateTable takes it."""
    table = glue.get_table(DatabaseName="bedrock_analytics", Name="bedrock_invocation_logs")["Table"]
    return {key: table[key] for key in ("Name", "Description", "StorageDescriptor", "PartitionKeys", "TableType",
                                        "Parameters") if key in table}


def test_a_table_made_in_a_database_there_before_is_put_back_by_deleting_the_table_alone(
        aws_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """The Glue database was there before the run (another tool's tables may be in it), the table not; the workgroup is
    refused after the table was made: the line listed the table as created with no way back. It now names `aws glue
    delete-table` for it, never the database's deletion, and that command leaves the database as it was."""
    glue = boto3.client("glue")
    glue.create_database(DatabaseInput={"Name": "bedrock_analytics"})
    glue.create_table(DatabaseName="bedrock_analytics", TableInput={"Name": "someone_elses"})
    result = set_up(monkeypatch, capsys, "--skip-test-query",
                    answered=(("athena", "CreateWorkGroup", denied("athena:CreateWorkGroup")),))
    delete_bucket = f"aws s3api delete-bucket --bucket {RESULTS} --region {REGION}"
    delete_table = (f"aws glue delete-table --database-name bedrock_analytics --name bedrock_invocation_logs "
                    f"--catalog-id {ACCOUNT} --region {REGION}")
    assert result["error"] == (
        "access denied: this identity needs athena:CreateWorkGroup (see iam/setup-admin.json); made before that, kept "
        "as a run again needs them (the bucket is ready: Athena workgroup bedrock-usage is the one step left): "
        f"{RESULTS_BUCKET_MADE} (to put it back: `{delete_bucket}`, which needs s3:DeleteBucket); {TABLE}: created "
        f"({TEMPLATE}) (to put it back: `{delete_table}`, which needs glue:DeleteTable)")
    for command in (delete_bucket, delete_table):
        run_aws(command)
    assert setups_left() == {"buckets": [], "tables": {"bedrock_analytics": ["someone_elses"]},
                             "workgroups": ["primary"]}


def test_a_table_brought_up_to_date_is_put_back_to_its_earlier_definition(
        aws_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """--replace-existing updated a table of an earlier version, then the workgroup's read was refused: the update is
    named old -> new with `aws glue update-table` giving the table its earlier definition, which it does."""
    set_up(monkeypatch, capsys, "--skip-test-query")
    glue = boto3.client("glue")
    current = table_definition(glue)
    earlier = {**current, "StorageDescriptor": {**current["StorageDescriptor"],
                                                "Columns": current["StorageDescriptor"]["Columns"][:-1]}}
    glue.update_table(DatabaseName="bedrock_analytics", TableInput=earlier)
    result = set_up(monkeypatch, capsys, "--skip-test-query", "--replace-existing",
                    answered=(("athena", "GetWorkGroup", denied("athena:GetWorkGroup")),))
    assert table_definition(glue) == current  # brought up to date
    head = ("access denied: this identity needs athena:GetWorkGroup (see iam/setup-admin.json); made before that, kept "
            f"as a run again needs them (Athena workgroup bedrock-usage is the one step left): {TABLE}: columns ")
    found = re.fullmatch(re.escape(head) + r".* \(to put it back: `(aws glue update-table [^`]*)`, which needs "
                         r"glue:UpdateTable\)", result["error"])
    assert found, result["error"]
    command = found[1]
    _, operation, params = cli_request(command)
    assert (operation, params["DatabaseName"], params["CatalogId"]) == ("UpdateTable", "bedrock_analytics", ACCOUNT)
    run_aws(command)
    assert table_definition(glue) == earlier


WORKGROUP_UPDATES = {  # the run's options on a workgroup made before -> what the command that puts it back sets
    "scan limit asked for": ((), "bedrock-usage", ("--bytes-scanned-cutoff", "10000000000"),
                             "bytes scanned cutoff per query (none) -> 10000000000",
                             {"RemoveBytesScannedCutoffPerQuery": True}),
    "someone's workgroup replaced": (
        ("team", "s3://team-results/"), "team", ("--workgroup", "team", "--replace-existing"),
        f"output location s3://team-results/ -> s3://{RESULTS}/query-results/, enforce workgroup configuration false "
        "-> true",
        {"ResultConfigurationUpdates": {"OutputLocation": "s3://team-results/"},
         "EnforceWorkGroupConfiguration": False}),
}


@pytest.mark.parametrize("case", WORKGROUP_UPDATES)
def test_a_workgroup_changed_before_a_refused_test_query_is_put_back_to_its_settings(
        case: str, aws_env: dict[str, str], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """The workgroup's settings changed (a scan limit asked for, or someone's workgroup brought to setup's with
    --replace-existing), then the test query refused: the change is named old -> new with `aws athena
    update-work-group` setting back what it had, a request valid for botocore's model (moto has no UpdateWorkGroup: a
    stand-in answers it)."""
    existing, workgroup, options, differences, settings = WORKGROUP_UPDATES[case]
    set_up(monkeypatch, capsys, "--skip-test-query")
    if existing:
        name, location = existing
        boto3.client("athena").create_work_group(Name=name, Configuration={
            "ResultConfiguration": {"OutputLocation": location}, "EnforceWorkGroupConfiguration": False})
    result = set_up(monkeypatch, capsys, *options, answered=(
        ("athena", "UpdateWorkGroup", (200, b"{}")),
        ("athena", "StartQueryExecution", denied("athena:StartQueryExecution"))))
    only = ("" if workgroup == "bedrock-usage" else " (iam/setup-admin.json grants the test query's Athena actions on "
            "workgroup bedrock-usage only)")
    command = (f"aws athena update-work-group --work-group {workgroup} --configuration-updates "
               f"'{json.dumps(settings, separators=(',', ':'))}' --region {REGION}")
    assert result["error"] == (
        "test query refused: access denied: this identity needs athena:StartQueryExecution (see iam/setup-admin.json); "
        f"this identity may not start queries in workgroup {workgroup}{only}; made before it and kept, as setup's "
        f"steps are all done ({AGAIN}): Athena workgroup {workgroup}: {differences} (to put it back: `{command}`, "
        "which needs athena:UpdateWorkGroup)")
    assert cli_errors(command) == ""
    assert cli_request(command)[1:] == ("UpdateWorkGroup", {"WorkGroup": workgroup, "ConfigurationUpdates": settings})


def test_the_second_report_table_refused_names_what_the_first_tables_steps_made(
        aws_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """--qdev makes its two tables one after the other: the second's CreateTable refused (glue:CreateTable), the line
    said only the refusal, though the first table's steps had made the results bucket, database, table and workgroup
    and run a test query. It now names them as what a run again needs, the second table and what follows it as the
    steps left, with the commands that put them back, which leave nothing of setup's."""
    reports = f"amazonq-developer-reports-{ACCOUNT}"
    boto3.client("s3").create_bucket(Bucket=reports)
    with refusing_proxy(boto3.client("sts").meta.endpoint_url, lambda method, path: True,
                        answer=denied("glue:CreateTable"), operation="CreateTable",
                        refuses_body=lambda body: b"kiro_user_report" in body) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL_GLUE", f"http://127.0.0.1:{proxy.server_port}")
        monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
        with pytest.raises(SetupRequired, match="1 region"):  # exit 2
            setup_athena_bucket.main(["--qdev", "--regions", REGION, "--qdev-prefix", "user-activity-reports/",
                                      "--format", "json"])
        monkeypatch.delenv("AWS_ENDPOINT_URL_GLUE")
    assert len(proxy.refused) == 1
    (result,) = json.loads(capsys.readouterr().out)["regions"]
    started = boto3.client("athena").list_query_executions(WorkGroup="bedrock-usage")["QueryExecutionIds"]
    assert len(started) == 1  # the first table's test query
    bucket = [*empty_results(started), f"aws s3api delete-bucket --bucket {RESULTS} --region {REGION}"]
    delete_workgroup = (f"aws athena delete-work-group --work-group bedrock-usage --recursive-delete-option --region "
                        f"{REGION}")
    activity = (f"s3://{reports}/user-activity-reports/AWSLogs/{ACCOUNT}/${{product}}/by_user_analytic/{REGION}/"
                "${dt}")
    assert result["error"] == (
        "access denied: this identity needs glue:CreateTable (see iam/setup-admin.json); made before that, kept as a "
        "run again needs them (the bucket is ready: Glue table bedrock_analytics.kiro_user_report and Athena workgroup "
        f"bedrock-usage are the steps left): {RESULTS_BUCKET_MADE} (to put it back: "
        f"{', then '.join(f'`{command}`' for command in bucket)}, which needs s3:DeleteObject and s3:DeleteBucket); "
        "Glue database bedrock_analytics: created, Glue table bedrock_analytics.qdev_user_activity: created "
        f"({activity}) (to put it back: `{DELETE_DATABASE}`, which needs glue:DeleteDatabase on the database and its "
        f"tables, and deletes the tables in it too); Athena workgroup bedrock-usage: created "
        f"(s3://{RESULTS}/query-results/) (to put it back: `{delete_workgroup}`, which needs athena:DeleteWorkGroup)")
    assert [(change["resource"], change["outcome"]) for change in result["changes"]][-3:] == [
        ("Glue database bedrock_analytics", "created"), ("Glue table bedrock_analytics.qdev_user_activity", "created"),
        ("Athena workgroup bedrock-usage", "created")]
    s3 = boto3.client("s3")
    for suffix in (".csv", ".csv.metadata"):  # what Athena writes for the query that ran (moto writes nothing)
        s3.put_object(Bucket=RESULTS, Key=f"query-results/{started[0]}{suffix}", Body=b"x")
    for command in [*bucket, DELETE_DATABASE, delete_workgroup]:
        run_aws(command)
    assert setups_left() == {"buckets": [reports], "tables": {}, "workgroups": ["primary"]}
