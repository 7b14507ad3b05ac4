"""mirror_logs and ``--sync`` against moto: where each region's logs are read from, and a region's failure kept to
that region."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, date, datetime
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError

from bedrock_usage.aws.mirror import mirror_logs
from bedrock_usage.aws.session import Aws
from bedrock_usage.errors import SetupRequired
from bedrock_usage.logs.layout import object_key
from bedrock_usage.logs.period import resolve_period
from tests.aws.test_mirror import ACCOUNT, record

DAY = date(2025, 3, 10)
PERIOD = ("--start-date", str(DAY), "--end-date", str(DAY))
WHEN = datetime(2025, 3, 10, 9, 30, tzinfo=UTC)


def configure(region: str, bucket: str, prefix: str = "") -> None:
    boto3.client("bedrock", region_name=region).put_model_invocation_logging_configuration(loggingConfig={
        "s3Config": {"bucketName": bucket, "keyPrefix": prefix}, "textDataDeliveryEnabled": True})


def log_object(region: str, name: str, records: int) -> bytes:
    """A log object of ``records`` calls at WHEN, each with its own requestId."""
    calls = [{**record(WHEN, region, n), "requestId": f"{name}-{n}"} for n in range(records)]
    return gzip.compress("".join(json.dumps(call) + "\n" for call in calls).encode())


def put_logs(bucket: str, prefix: str, region: str, objects: int, records: int = 3) -> list[str]:
    """``objects`` log objects of ``region`` on DAY in ``bucket`` (made when missing); returns their keys."""
    s3 = boto3.client("s3", region_name="us-east-1")
    if bucket not in {b["Name"] for b in s3.list_buckets()["Buckets"]}:
        s3.create_bucket(Bucket=bucket)
    keys = [object_key(prefix, ACCOUNT, region, WHEN, f"o{n}") for n in range(objects)]
    for key in keys:
        s3.put_object(Bucket=bucket, Key=key, Body=log_object(region, key, records))
    return keys


def records_in(folder: Path) -> int:
    """Records of the mirror's files, read with gzip alone."""
    return sum(gzip.decompress(path.read_bytes()).count(b"\n") for path in folder.rglob("*.json.gz"))


def sync_report(capsys: pytest.CaptureFixture[str], dest: Path, *options: str) -> tuple[int, str, dict | None]:
    """``--sync`` then a JSON summary, in this process: the exit code, stderr and the document."""
    import bedrock_tracker_cli

    code = bedrock_tracker_cli.main(["--engine", "local", "--sync", "--logs-dir", str(dest), *PERIOD, "--analysis",
                                     "summary", "--format", "json", "--output-dir", "-", "--quiet", *options])
    out, err = capsys.readouterr()
    return code, err, json.loads(out) if out.strip() else None


def test_log_bucket_alone_reads_under_the_configured_prefix_of_that_bucket(aws_env: dict[str, str],
                                                                            tmp_path: Path) -> None:
    configure("us-east-1", "logs-a", "bedrock/")
    keys = put_logs("logs-a", "bedrock/", "us-east-1", 2)
    elsewhere = put_logs("logs-b", "", "us-east-1", 1)
    period = resolve_period(start=str(DAY), end=str(DAY))

    [configured] = mirror_logs(Aws.connect(), ("us-east-1",), period, tmp_path, bucket="logs-a")
    [other] = mirror_logs(Aws.connect(), ("us-east-1",), period, tmp_path, bucket="logs-b")

    assert (configured.prefix, configured.summary.downloaded) == ("bedrock/", len(keys))
    assert (other.prefix, other.summary.downloaded) == ("", len(elsewhere))
    assert {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.json.gz")} == set(keys + elsewhere)


def test_one_region_failing_leaves_the_others_synced_and_reported(
    aws_env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    configure("us-east-1", "logs-a")
    put_logs("logs-a", "", "us-east-1", 2)
    configure("eu-central-1", "missing-bucket")
    held = tmp_path / object_key("", ACCOUNT, "eu-central-1", WHEN, "held")  # what an earlier sync copied
    held.parent.mkdir(parents=True)
    held.write_bytes(log_object("eu-central-1", "held", 5))

    code, err, document = sync_report(capsys, tmp_path, "--region", "us-east-1", "eu-central-1")

    assert code == 0, err
    assert ("warning: eu-central-1 was not synced, its figures are those the mirror already held: bucket "
            "missing-bucket does not exist") in err
    assert "Synced us-east-1 from s3://logs-a/: 2 new or changed objects" in err
    assert document["summary"]["calls"] == records_in(tmp_path) == 2 * 3 + 5


def test_every_region_failing_stops_the_run_naming_each(
    aws_env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    configure("us-east-1", "missing-a")
    configure("eu-central-1", "missing-b")
    code, err, document = sync_report(capsys, tmp_path, "--region", "us-east-1", "eu-central-1")
    assert (code, document) == (1, None)
    assert "us-east-1 not synced: bucket missing-a does not exist" in err
    assert "eu-central-1 not synced: bucket missing-b does not exist" in err


def refusing_configuration(region: str) -> Aws:
    """A session whose ``region`` refuses to show its logging configuration, as AWS refuses it."""
    aws = Aws.connect()
    refusal = ("User: arn:aws:iam::123456789012:user/ana is not authorized to perform: "
               "bedrock:GetModelInvocationLoggingConfiguration")

    def refuse(**_: object) -> None:
        raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": refusal},
                           "ResponseMetadata": {"HTTPStatusCode": 403}}, "GetModelInvocationLoggingConfiguration")

    aws.client("bedrock", region).meta.events.register(
        "before-call.bedrock.GetModelInvocationLoggingConfiguration", refuse)
    return aws


def test_an_unreadable_logging_configuration_names_the_permission(aws_env: dict[str, str], tmp_path: Path) -> None:
    configure("us-east-1", "logs-a")
    keys = put_logs("logs-a", "", "us-east-1", 1)
    configure("eu-central-1", "logs-a")
    aws = refusing_configuration("eu-central-1")
    period = resolve_period(start=str(DAY), end=str(DAY))

    synced, refused = mirror_logs(aws, ("us-east-1", "eu-central-1"), period, tmp_path)

    assert synced.summary.downloaded == len(keys)
    message = str(refused.failure)
    assert isinstance(refused.failure, SetupRequired) and refused.summary is None
    assert "the logging configuration of eu-central-1 cannot be read" in message
    assert "needs bedrock:GetModelInvocationLoggingConfiguration" in message and "--log-bucket" in message
    assert "setup_bedrock_logging" not in message
    with pytest.raises(SetupRequired, match="needs bedrock:GetModelInvocationLoggingConfiguration"):
        mirror_logs(aws, ("eu-central-1",), period, tmp_path)


def test_every_region_names_a_region_whose_configuration_cannot_be_read(aws_env: dict[str, str],
                                                                         tmp_path: Path) -> None:
    configure("us-east-1", "logs-a")
    put_logs("logs-a", "", "us-east-1", 1)
    aws = refusing_configuration("eu-west-3")

    results = mirror_logs(aws, None, resolve_period(start=str(DAY), end=str(DAY)), tmp_path)

    assert {r.region: r.summary is not None for r in results} == {"eu-west-3": False, "us-east-1": True}
    refused = str(next(r.failure for r in results if r.region == "eu-west-3"))
    assert "needs bedrock:GetModelInvocationLoggingConfiguration" in refused and "--log-bucket" in refused


def test_files_no_longer_in_the_bucket_are_a_report_warning_and_go_with_prune(
    aws_env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    configure("us-east-1", "logs-a", "bedrock/")
    keys = put_logs("logs-a", "bedrock/", "us-east-1", 8)
    assert sync_report(capsys, tmp_path)[0] == 0
    s3 = boto3.client("s3", region_name="us-east-1")
    for key in keys[:5]:
        s3.delete_object(Bucket="logs-a", Key=key)

    code, err, document = sync_report(capsys, tmp_path)
    assert code == 0, err
    warning = next(line for line in document["warnings"] if "no longer in s3://logs-a/bedrock/" in line)
    assert warning.startswith("5 mirror files of us-east-1") and "--prune deletes them" in warning
    assert document["summary"]["calls"] == 8 * 3  # still read

    code, err, document = sync_report(capsys, tmp_path, "--prune")
    assert code == 0, err
    assert ("Synced us-east-1 from s3://logs-a/bedrock/: 0 new or changed objects, 3 already present, 0 failed, "
            "5 removed (no longer in the bucket, --prune)") in err
    assert document["summary"]["calls"] == 3 * 3
    assert not any("no longer in" in line for line in document["warnings"])


def test_a_region_not_synced_is_a_warning_of_the_report_itself(
    aws_env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    configure("us-east-1", "logs-a", "bedrock/")
    put_logs("logs-a", "bedrock/", "us-east-1", 2)
    configure("eu-central-1", "missing-bucket", "bedrock/")
    code, err, document = sync_report(capsys, tmp_path, "--region", "us-east-1", "eu-central-1")
    assert code == 0, err
    assert any(line.startswith("eu-central-1 was not synced") for line in document["warnings"])


def test_a_sync_that_finds_no_object_names_where_it_looked(
    aws_env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    put_logs("logs-a", "bedrock/", "us-east-1", 1)
    _, err, _ = sync_report(capsys, tmp_path, "--region", "us-east-1", "--log-bucket", "logs-a", "--log-prefix",
                            "wrong")
    assert "warning: no log object of us-east-1 for the period under s3://logs-a/wrong/" in err


@pytest.mark.parametrize(("options", "message"), [
    (["--sync", "--log-prefix", "bedrock/"], "--log-prefix is a key prefix in the bucket --log-bucket names"),
    (["--log-bucket", "logs-a"], "say how --sync copies the logs: add --sync"),
    (["--prune"], "say how --sync copies the logs: add --sync"),
])
def test_log_location_options_without_their_partner_are_refused(
    no_aws_env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str], options: list[str], message: str
) -> None:
    import bedrock_tracker_cli

    code = bedrock_tracker_cli.main(["--engine", "local", "--logs-dir", str(tmp_path), *PERIOD, *options])
    assert code == 1
    assert message in capsys.readouterr().err


def test_ctrl_c_during_a_sync_is_one_line_and_exit_130(
    aws_env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import bedrock_tracker_cli
    from bedrock_usage.aws import mirror

    configure("us-east-1", "logs-a")
    put_logs("logs-a", "", "us-east-1", 1)

    def pressed(*_: object) -> int:
        raise KeyboardInterrupt  # Ctrl-C as the sync starts

    monkeypatch.setattr(mirror, "remove_abandoned_parts", pressed)
    try:
        code = bedrock_tracker_cli.main(["--engine", "local", "--sync", "--logs-dir", str(tmp_path), *PERIOD])
    except KeyboardInterrupt:  # a traceback for the user
        code = None
    assert (code, capsys.readouterr().err) == (130, "interrupted\n")
