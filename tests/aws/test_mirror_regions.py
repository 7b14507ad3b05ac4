"""mirror_logs and ``--sync`` against moto: where each region's logs are read from, a region's failure kept to that
region, and a sync run in a process of its own stopped by Ctrl-C or killed."""

from __future__ import annotations

import gzip
import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import boto3
import pytest
from botocore.exceptions import ClientError

from bedrock_usage.aws.mirror import ABANDONED_PART_SECONDS, DEFAULT_WORKERS, mirror_logs
from bedrock_usage.aws.session import Aws
from bedrock_usage.errors import SetupRequired
from bedrock_usage.logs.layout import object_key
from bedrock_usage.logs.period import resolve_period
from tests.aws.refusing_proxy import NO_SUCH_KEY, refusing_proxy
from tests.aws.test_mirror import ACCOUNT, record

DAY = date(2025, 3, 10)
PERIOD = ("--start-date", str(DAY), "--end-date", str(DAY))
WHEN = datetime(2025, 3, 10, 9, 30, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]
OTHER_ACCOUNT = "210987654321"  # a member account whose logs are replicated into the caller's bucket


def configure(region: str, bucket: str, prefix: str = "") -> None:
    boto3.client("bedrock", region_name=region).put_model_invocation_logging_configuration(loggingConfig={
        "s3Config": {"bucketName": bucket, "keyPrefix": prefix}, "textDataDeliveryEnabled": True})


def log_object(region: str, name: str, records: int, account: str = ACCOUNT) -> bytes:
    """A log object of ``records`` calls at WHEN by IAM users of ``account``, each with its own requestId."""
    calls = [{**record(WHEN, region, n), "requestId": f"{name}-{n}", "accountId": account,
              "identity": {"arn": f"arn:aws:iam::{account}:user/dev{n}"}} for n in range(records)]
    return gzip.compress("".join(json.dumps(call) + "\n" for call in calls).encode())


def put_logs(bucket: str, prefix: str, region: str, objects: int, records: int = 3, account: str = ACCOUNT
             ) -> list[str]:
    """``objects`` log objects of ``account`` and ``region`` on DAY in ``bucket`` (made when missing); returns their
    keys."""
    s3 = boto3.client("s3", region_name="us-east-1")
    if bucket not in {b["Name"] for b in s3.list_buckets()["Buckets"]}:
        s3.create_bucket(Bucket=bucket)
    keys = [object_key(prefix, account, region, WHEN, f"o{n}") for n in range(objects)]
    for key in keys:
        s3.put_object(Bucket=bucket, Key=key, Body=log_object(region, key, records, account))
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


def central_bucket() -> dict[str, list[str]]:
    """A central logging bucket: the caller's account's logs and another account's (replicated into it), beside an
    organization trail's folder under AWSLogs/, which holds no invocation logs; the keys by account."""
    configure("us-east-1", "central-logs", "org/")
    keys = {ACCOUNT: put_logs("central-logs", "org/", "us-east-1", 2, records=3),
            OTHER_ACCOUNT: put_logs("central-logs", "org/", "us-east-1", 3, records=4, account=OTHER_ACCOUNT)}
    trail = f"org/AWSLogs/o-a1b2c3d4e5/{ACCOUNT}/CloudTrail/us-east-1/2025/03/10/trail.json.gz"
    boto3.client("s3", region_name="us-east-1").put_object(Bucket="central-logs", Key=trail, Body=b"{}")
    return keys


@pytest.mark.slow
def test_a_bucket_of_several_accounts_is_synced_and_reported_for_every_account(
    aws_env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    keys = central_bucket()

    code, err, document = sync_report(capsys, tmp_path, "--region", "us-east-1", "--analysis", "user")

    assert code == 0, err
    assert {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.json.gz")} == {*keys[ACCOUNT],
                                                                                         *keys[OTHER_ACCOUNT]}
    calls = {row["account"]: 0 for row in document["analyses"]["user"]}
    for row in document["analyses"]["user"]:
        calls[row["account"]] += row["calls"]
    assert calls == {ACCOUNT: 2 * 3, OTHER_ACCOUNT: 3 * 4}
    assert ("Synced us-east-1 of 2 accounts from s3://central-logs/org/: 5 new or changed objects, 0 already present, "
            "0 failed\n") in err


def test_every_account_folder_is_mirrored_unless_accounts_are_named(aws_env: dict[str, str], tmp_path: Path) -> None:
    keys = central_bucket()
    period = resolve_period(start=str(DAY), end=str(DAY))

    [every] = mirror_logs(Aws.connect(), ("us-east-1",), period, tmp_path / "every")
    [named] = mirror_logs(Aws.connect(), ("us-east-1",), period, tmp_path / "named", accounts=(OTHER_ACCOUNT,))

    assert (every.accounts, every.summary.downloaded) == ((ACCOUNT, OTHER_ACCOUNT), 2 + 3)
    assert (named.accounts, named.summary.downloaded) == ((OTHER_ACCOUNT,), 3)
    for folder, expected in (("every", keys[ACCOUNT] + keys[OTHER_ACCOUNT]), ("named", keys[OTHER_ACCOUNT])):
        assert {p.relative_to(tmp_path / folder).as_posix() for p in (tmp_path / folder).rglob("*.json.gz")} == set(
            expected)


def test_an_identity_refused_the_account_folders_syncs_its_own_account_with_a_warning(
    aws_env: dict[str, str], moto_endpoint: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    keys = central_bucket()

    def folders_listing(method: str, path: str) -> bool:  # allowed: listings under org/AWSLogs/ACCOUNT/ only
        return is_listing(method, path) and "delimiter" in urlsplit(path).query

    with refusing_proxy(moto_endpoint, folders_listing) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{proxy.server_port}")
        code, err, document = sync_report(capsys, tmp_path, "--region", "us-east-1")

    assert proxy.refused, "the account folders' listing was never asked for"
    assert code == 0, err
    assert {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.json.gz")} == set(keys[ACCOUNT])
    assert document["summary"]["calls"] == 2 * 3
    [warning] = [line for line in document["warnings"] if "could not be listed" in line]
    assert warning.startswith("other accounts' folders in s3://central-logs/org/AWSLogs/ could not be listed, so "
                              f"us-east-1 was synced for account {ACCOUNT} alone (access denied")
    assert "Synced us-east-1 of 1 account from s3://central-logs/org/: 2 new or changed objects" in err


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
    assert "Synced us-east-1 of 1 account from s3://logs-a/: 2 new or changed objects" in err
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


def test_a_region_failing_beside_regions_that_hold_no_records_stops_the_run_naming_each(
    aws_env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A $0 report with exit 0 would read as no spend: the failure is the run's, as when every region fails."""
    configure("us-east-1", "logs-a")
    put_logs("logs-a", "", "us-east-1", 0)  # the bucket exists; it holds nothing of the period
    configure("eu-central-1", "missing-bucket")
    earlier = tmp_path / object_key("", ACCOUNT, "us-east-1", datetime(2025, 3, 1, 9, tzinfo=UTC), "earlier")
    earlier.parent.mkdir(parents=True)  # an earlier sync's day: the mirror is a logs folder, read as one
    earlier.write_bytes(log_object("us-east-1", "earlier", 2))

    code, err, document = sync_report(capsys, tmp_path, "--region", "us-east-1", "eu-central-1")
    assert (code, document) == (1, None)
    assert "eu-central-1 not synced: bucket missing-bucket does not exist" in err
    assert "s3://logs-a/ holds no log object of us-east-1 for 2025-03-10 .. 2025-03-10 (UTC)" in err


def test_a_bucket_with_no_object_of_the_period_is_one_line_naming_it_and_no_report(
    aws_env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Logging just set up, nothing delivered yet: the bucket is named, not --logs-dir the user never gave."""
    configure("us-west-2", "logs-a", "bedrock/")
    put_logs("logs-a", "bedrock/", "us-west-2", 0)

    code, err, document = sync_report(capsys, tmp_path, "--region", "us-west-2")

    assert (code, document) == (1, None)
    [line] = [line for line in err.splitlines() if not line.startswith("Synced ")]
    assert line.startswith("error: s3://logs-a/bedrock/ holds no log object of us-west-2 for 2025-03-10 .. "
                           "2025-03-10 (UTC); no report is made")
    assert "check_bedrock_logging.py --regions us-west-2" in line and "--logs-dir" not in line


def mirror_holding_day(folder: Path) -> None:
    """The bucket holds DAY and the mirror an earlier sync's copy of it."""
    configure("us-east-1", "logs-a")
    put_logs("logs-a", "", "us-east-1", 2)
    held = folder / object_key("", ACCOUNT, "us-east-1", WHEN, "held")
    held.parent.mkdir(parents=True)
    held.write_bytes(log_object("us-east-1", "held", 5))


def test_a_period_the_bucket_holds_nothing_of_is_no_report_even_beside_other_mirrored_days(
    aws_env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A $0 report with exit 0 would read as no spend."""
    mirror_holding_day(tmp_path)
    code, err, document = sync_report(capsys, tmp_path, "--start-date", "2025-04-01", "--end-date", "2025-04-03")
    assert (code, document) == (1, None)
    assert "error: s3://logs-a/ holds no log object of us-east-1 for 2025-04-01 .. 2025-04-03 (UTC)" in err


@pytest.mark.slow
def test_a_month_the_bucket_holds_nothing_of_is_no_chargeback(
    aws_env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import bedrock_tracker_cli

    mirror_holding_day(tmp_path)
    code = bedrock_tracker_cli.main(["--engine", "local", "--sync", "--logs-dir", str(tmp_path), "--chargeback",
                                     "2025-04", "--chargeback-by", "application", "--format", "json", "--output-dir",
                                     "-", "--quiet"])
    out, err = capsys.readouterr()
    assert (code, out) == (1, "")
    assert "error: s3://logs-a/ holds no log object of us-east-1 for 2025-04-01 .. 2025-04-30 (UTC)" in err


def test_one_region_without_objects_beside_one_with_records_is_a_warning(
    aws_env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    configure("us-east-1", "logs-a")
    put_logs("logs-a", "", "us-east-1", 2)
    configure("eu-central-1", "logs-a")

    code, err, document = sync_report(capsys, tmp_path, "--region", "us-east-1", "eu-central-1")

    assert code == 0, err
    assert "warning: no log object of eu-central-1 for the period under s3://logs-a/" in err
    assert document["summary"]["calls"] == 2 * 3


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


def test_an_unreadable_configuration_beside_an_empty_region_is_the_refusal(aws_env: dict[str, str],
                                                                             tmp_path: Path) -> None:
    configure("us-east-1", "logs-a")
    put_logs("logs-a", "", "us-east-1", 0)
    configure("eu-central-1", "logs-a")
    aws = refusing_configuration("eu-central-1")
    period = resolve_period(start=str(DAY), end=str(DAY))

    with pytest.raises(SetupRequired, match="eu-central-1 not synced: .*needs bedrock:GetModelInvocationLogging"):
        mirror_logs(aws, ("us-east-1", "eu-central-1"), period, tmp_path)


def test_every_region_names_a_region_whose_configuration_cannot_be_read(aws_env: dict[str, str],
                                                                         tmp_path: Path) -> None:
    configure("us-east-1", "logs-a")
    put_logs("logs-a", "", "us-east-1", 1)
    aws = refusing_configuration("eu-west-3")

    results = mirror_logs(aws, None, resolve_period(start=str(DAY), end=str(DAY)), tmp_path)

    assert {r.region: r.summary is not None for r in results} == {"eu-west-3": False, "us-east-1": True}
    refused = str(next(r.failure for r in results if r.region == "eu-west-3"))
    assert "needs bedrock:GetModelInvocationLoggingConfiguration" in refused and "--log-bucket" in refused


@pytest.mark.slow
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
    assert ("Synced us-east-1 of 1 account from s3://logs-a/bedrock/: 0 new or changed objects, 3 already present, "
            "0 failed, 5 removed (no longer in the bucket, --prune)") in err
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
    assert document["warnings"][0].startswith("eu-central-1 was not synced")  # first: it explains what follows


def test_a_sync_that_finds_no_object_names_where_it_looked(
    aws_env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    put_logs("logs-a", "bedrock/", "us-east-1", 1)
    code, err, _ = sync_report(capsys, tmp_path, "--region", "us-east-1", "--log-bucket", "logs-a", "--log-prefix",
                               "wrong")
    assert code == 1
    assert "error: s3://logs-a/wrong/ holds no log object of us-east-1 for 2025-03-10 .. 2025-03-10 (UTC)" in err


@pytest.mark.slow
def test_objects_not_copied_are_named_escaped_in_every_form_of_the_report(
    aws_env: dict[str, str], moto_endpoint: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Four objects (with an ESC byte in their name) deleted between the listing and their download."""
    import bedrock_tracker_cli

    configure("us-east-1", "logs-a")
    put_logs("logs-a", "", "us-east-1", 2)
    s3 = boto3.client("s3", region_name="us-east-1")
    lost = sorted(object_key("", ACCOUNT, "us-east-1", WHEN, f"gone\x1b[31m{n}") for n in range(4))
    for key in lost:
        s3.put_object(Bucket="logs-a", Key=key, Body=log_object("us-east-1", key, 3))
    deleted = (404, NO_SUCH_KEY)
    with refusing_proxy(moto_endpoint, lambda method, path: is_object_read(method, path) and "gone" in path,
                        deleted) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{proxy.server_port}")
        code, err, document = sync_report(capsys, tmp_path / "mirror", "--region", "us-east-1")
        terminal_code = bedrock_tracker_cli.main(["--engine", "local", "--sync", "--logs-dir", str(tmp_path / "m2"),
                                                  *PERIOD, "--analysis", "summary", "--quiet"])
        terminal, terminal_err = capsys.readouterr()

    assert (code, terminal_code) == (0, 0), err
    assert document["summary"]["calls"] == records_in(tmp_path / "mirror") == 2 * 3
    [warning] = [line for line in document["warnings"] if "not copied" in line]
    assert warning.startswith("4 objects of us-east-1 not copied from s3://logs-a/")
    named = [f"{key} (object deleted after it was listed)" for key in lost[:3]]
    assert warning.endswith(": " + "; ".join(named) + "; and 1 more")
    escaped = lost[0].replace("\x1b", "\\x1b")
    for text in (err, terminal, terminal_err):
        assert "\x1b" not in text
        assert escaped in text
    assert "1 more" in terminal and "1 more" in err


def test_an_archived_object_is_a_warning_and_the_others_are_synced_and_reported(
    aws_env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    configure("us-east-1", "logs-a")
    put_logs("logs-a", "", "us-east-1", 2)
    archived = object_key("", ACCOUNT, "us-east-1", WHEN, "old")
    boto3.client("s3", region_name="us-east-1").put_object(
        Bucket="logs-a", Key=archived, Body=log_object("us-east-1", archived, 4), StorageClass="DEEP_ARCHIVE")

    code, err, document = sync_report(capsys, tmp_path, "--region", "us-east-1")

    assert code == 0, err
    assert document["summary"]["calls"] == records_in(tmp_path) == 2 * 3
    [warning] = [line for line in document["warnings"] if "archived" in line]
    assert warning.startswith("1 object of us-east-1 in s3://logs-a/ archived (DEEP_ARCHIVE: 1) and not copied")
    assert "restore" in warning and warning.endswith(f": {archived} (DEEP_ARCHIVE)")
    assert f"warning: {warning}" in err
    assert "1 archived (not copied until restored)" in err


def confined_sync(env: dict[str, str], dest: Path, *confinement: str) -> subprocess.CompletedProcess:
    """``--sync`` of us-east-1 on DAY into ``dest`` run under ``unshare`` with ``confinement`` (skipped where user
    namespaces are not allowed)."""
    probe = subprocess.run(["unshare", *confinement, "true"], capture_output=True, check=False)
    if probe.returncode:
        pytest.skip(f"unshare {' '.join(confinement)} is not allowed here: {probe.stderr.decode().strip()}")
    return subprocess.run(
        ["unshare", *confinement, sys.executable, str(ROOT / "bedrock_tracker_cli.py"), "--engine", "local", "--sync",
         "--logs-dir", str(dest), *PERIOD, "--region", "us-east-1", "--format", "json", "--output-dir", "-",
         "--quiet"], env=env, cwd=ROOT, capture_output=True, text=True, check=False, timeout=300)


def assert_one_line_about_the_mirror(done: subprocess.CompletedProcess, dest: Path, cause: str) -> None:
    assert (done.returncode, done.stdout) == (1, ""), done.stderr
    assert done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith(f"error: cannot write the mirror in {dest}: {cause}"), done.stderr
    assert "give --logs-dir a folder that takes files" in done.stderr


def test_a_mirror_folder_that_refuses_files_is_one_line_exit_1(aws_env: dict[str, str], tmp_path: Path) -> None:
    configure("us-east-1", "logs-a")
    put_logs("logs-a", "", "us-east-1", 2)
    dest = tmp_path / "mirror"
    dest.mkdir(mode=0o555)
    # In a user namespace of its own even root is held to the folder's permissions.
    done = confined_sync({**aws_env, "BEDROCK_USAGE_CACHE_DIR": str(tmp_path / "cache")}, dest, "--user")
    assert_one_line_about_the_mirror(done, dest, "Permission denied")
    assert not list(dest.iterdir())


def test_a_full_disk_under_the_mirror_is_one_line_exit_1(aws_env: dict[str, str], tmp_path: Path) -> None:
    configure("us-east-1", "logs-a")
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="logs-a")
    for n in range(3):  # 300 KB that do not compress, on a 64 KB file system
        s3.put_object(Bucket="logs-a", Key=object_key("", ACCOUNT, "us-east-1", WHEN, f"big{n}"),
                      Body=os.urandom(100_000))
    dest = tmp_path / "mirror"
    dest.mkdir()
    mount = ("--user", "--map-root-user", "--mount", "sh", "-c",
             'mount -t tmpfs -o size=64k tmpfs "$0" && exec "$@"', str(dest))
    done = confined_sync({**aws_env, "BEDROCK_USAGE_CACHE_DIR": str(tmp_path / "cache")}, dest, *mount)
    assert_one_line_about_the_mirror(done, dest, "No space left on device")
    assert "standard output" not in done.stderr


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


class HoldingProxy:
    """A plain HTTP proxy on loopback in front of the moto server, for a sync run in another process: it forwards
    every request and answers with moto's response, except that the requests ``held`` picks wait (nothing of their
    answer sent) until ``release``. It keeps the method and path of every request it got."""

    HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "expect",
                  "proxy-authorization", "proxy-authenticate", "content-length"}

    def __init__(self, upstream: str, held: Callable[[str, str], bool]) -> None:
        self.upstream = urlsplit(upstream)
        self.held = held
        self.changed = threading.Condition()
        self.holding = 0
        self.released = False
        self.requests: list[tuple[str, str]] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keeps botocore's connections open, as with moto itself

            def do_GET(self) -> None:  # noqa: N802 (http.server's names)
                proxy.forward(self)

            do_HEAD = do_POST = do_PUT = do_DELETE = do_GET  # noqa: N815

            def log_message(self, *_: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def __enter__(self) -> HoldingProxy:
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        return self

    def __exit__(self, *_: object) -> None:
        self.release()
        self.server.shutdown()
        self.server.server_close()

    def forward(self, handler: BaseHTTPRequestHandler) -> None:
        body = handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
        with self.changed:
            self.requests.append((handler.command, handler.path))
            if self.held(handler.command, handler.path) and not self.released:
                self.holding += 1
                self.changed.notify_all()
                self.changed.wait_for(lambda: self.released)
        upstream = http.client.HTTPConnection(self.upstream.hostname, self.upstream.port, timeout=60)
        try:
            upstream.request(handler.command, handler.path, body=body, headers={
                name: value for name, value in handler.headers.items() if name.lower() not in self.HOP_BY_HOP})
            response = upstream.getresponse()
            answer = response.read()
            handler.send_response_only(response.status, response.reason)
            for name, value in response.getheaders():
                if name.lower() not in self.HOP_BY_HOP:
                    handler.send_header(name, value)
            length = response.getheader("Content-Length") if handler.command == "HEAD" else None
            handler.send_header("Content-Length", length or str(len(answer)))
            handler.end_headers()
            if handler.command != "HEAD":
                handler.wfile.write(answer)
        except OSError:  # the client went away (killed while it waited)
            handler.close_connection = True
        finally:
            upstream.close()

    def wait_holding(self, count: int, child: subprocess.Popen) -> None:
        """Wait until ``count`` requests are held (a child that ends first fails the test)."""
        deadline = time.monotonic() + 300  # a hang, not slowness
        with self.changed:
            while self.holding < count:
                assert child.poll() is None, child.communicate()
                assert time.monotonic() < deadline, f"{self.holding} requests held, not {count}"
                self.changed.wait(timeout=1)

    def release(self) -> None:
        """Answer the requests held, and every request after them at once."""
        with self.changed:
            self.released = True
            self.changed.notify_all()

    def object_reads(self) -> list[str]:
        """The paths of the log objects read (GetObject)."""
        return [path for method, path in self.requests if is_object_read(method, path)]


def is_object_read(method: str, path: str) -> bool:
    return method == "GET" and urlsplit(path).path.endswith(".json.gz")


def is_listing(method: str, path: str) -> bool:
    return method == "GET" and "list-type=2" in urlsplit(path).query


# Run as at a terminal: Python turns SIGINT into KeyboardInterrupt only if it was not ignored when it started (it is
# in a test runner started in the background), so the child starts with Python's own handler, then runs the script.
AS_AT_A_TERMINAL = ("import os, runpy, signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
                    "sys.argv = sys.argv[1:]; sys.path.insert(0, os.path.dirname(sys.argv[0])); "
                    "runpy.run_path(sys.argv[0], run_name='__main__')")


@contextmanager
def sync_running(env: dict[str, str], proxy: HoldingProxy, dest: Path) -> Iterator[subprocess.Popen]:
    """``bedrock_tracker_cli.py --engine local --sync`` of us-east-1 on DAY into ``dest``, reaching AWS through
    ``proxy``, in a process of its own (killed if the test ends before it does)."""
    child = subprocess.Popen(
        [sys.executable, "-c", AS_AT_A_TERMINAL, str(ROOT / "bedrock_tracker_cli.py"), "--engine", "local", "--sync",
         "--logs-dir", str(dest), *PERIOD, "--region", "us-east-1", "--format", "json", "--output-dir", "-"],
        env={**env, "AWS_ENDPOINT_URL": proxy.url}, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)
    with child:
        try:
            yield child
        finally:
            if child.poll() is None:
                child.kill()


def mirror_files(dest: Path) -> dict[str, bytes]:
    return {path.relative_to(dest).as_posix(): path.read_bytes() for path in dest.rglob("*") if path.is_file()}


@pytest.mark.slow
def test_ctrl_c_while_a_sync_lists_is_one_line_exit_130_and_nothing_is_downloaded(
    aws_env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    configure("us-east-1", "logs-a")
    keys = put_logs("logs-a", "", "us-east-1", 12)
    with (HoldingProxy(aws_env["AWS_ENDPOINT_URL"], held=is_listing) as proxy,
          sync_running(aws_env, proxy, tmp_path) as child):
        proxy.wait_holding(1, child)  # the day folder is being listed
        child.send_signal(signal.SIGINT)  # Ctrl-C
        proxy.release()
        out, err = child.communicate(timeout=300)

    assert (child.returncode, err, out) == (130, "interrupted\n", "")
    assert proxy.object_reads() == [] and mirror_files(tmp_path) == {}  # no download was begun: none is made

    code, err, document = sync_report(capsys, tmp_path, "--region", "us-east-1")
    assert code == 0, err
    assert (f"Synced us-east-1 of 1 account from s3://logs-a/: {len(keys)} new or changed objects, 0 already present, "
            "0 failed\n") in err
    assert document["summary"]["calls"] == records_in(tmp_path) == len(keys) * 3


@pytest.mark.slow
def test_ctrl_c_while_a_sync_downloads_finishes_the_downloads_under_way_and_the_next_sync_the_rest(
    aws_env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    configure("us-east-1", "logs-a")
    keys = put_logs("logs-a", "", "us-east-1", DEFAULT_WORKERS + 4)
    s3 = boto3.client("s3", region_name="us-east-1")
    with (HoldingProxy(aws_env["AWS_ENDPOINT_URL"], held=is_object_read) as proxy,
          sync_running(aws_env, proxy, tmp_path) as child):
        proxy.wait_holding(DEFAULT_WORKERS, child)  # a download under way in each worker
        begun = mirror_files(tmp_path)  # the file each is writing, not yet one a report reads
        assert len(begun) == DEFAULT_WORKERS and not list(tmp_path.rglob("*.json.gz")), sorted(begun)
        child.send_signal(signal.SIGINT)  # Ctrl-C
        proxy.release()
        out, err = child.communicate(timeout=300)

    assert (child.returncode, err, out) == (130, "interrupted\n", "")
    # The downloads under way, whole, and nothing half written. (Those not begun may have been taken up as the first
    # ended, before the interrupted sync dropped the rest: the test above shows them dropped, and the sync never
    # begins the copy, when Ctrl-C comes while it lists.)
    copied = mirror_files(tmp_path)
    assert set(copied) <= set(keys) and len(copied) >= DEFAULT_WORKERS, sorted(copied)
    for key, body in copied.items():
        assert body == s3.get_object(Bucket="logs-a", Key=key)["Body"].read(), key

    code, err, document = sync_report(capsys, tmp_path, "--region", "us-east-1")
    assert code == 0, err
    assert (f"Synced us-east-1 of 1 account from s3://logs-a/: {len(keys) - len(copied)} new or changed objects, "
            f"{len(copied)} already present, 0 failed\n") in err
    assert document["summary"]["calls"] == records_in(tmp_path) == len(keys) * 3


@pytest.mark.slow
def test_a_sync_killed_while_it_downloads_leaves_part_files_a_later_sync_removes(
    aws_env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    configure("us-east-1", "logs-a")
    keys = put_logs("logs-a", "", "us-east-1", DEFAULT_WORKERS + 4)
    with (HoldingProxy(aws_env["AWS_ENDPOINT_URL"], held=is_object_read) as proxy,
          sync_running(aws_env, proxy, tmp_path) as child):
        proxy.wait_holding(DEFAULT_WORKERS, child)  # a download under way in each worker
        child.kill()  # no Ctrl-C: the process was killed, or the machine went down
        child.communicate(timeout=300)
    left = mirror_files(tmp_path)  # the files the downloads were writing, which no report reads
    assert len(left) == DEFAULT_WORKERS and not list(tmp_path.rglob("*.json.gz")), sorted(left)
    # The next sync runs later (a sync writing right now keeps its files): they are dated as they would be by then.
    later = time.time() - ABANDONED_PART_SECONDS - 60
    for name in left:
        os.utime(tmp_path / name, (later, later))

    code, err, document = sync_report(capsys, tmp_path, "--region", "us-east-1")
    assert code == 0, err
    assert (f"Synced us-east-1 of 1 account from s3://logs-a/: {len(keys)} new or changed objects, 0 already present, "
            f"0 failed, {DEFAULT_WORKERS} partial files of a stopped sync removed\n") in err
    assert set(mirror_files(tmp_path)) == set(keys)
    assert document["summary"]["calls"] == records_in(tmp_path) == len(keys) * 3


@pytest.mark.slow
def test_a_heading_over_the_scans_warnings_is_left_out_when_the_sync_said_them_all(
    aws_env: dict[str, str], moto_endpoint: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An anomaly check reads days before its period; the line heading the scan's warnings goes over them on stderr
    only when one is left there: the sync's own line (an object deleted after it was listed) was printed as it ran,
    so it is not printed twice, nor its heading alone."""
    import bedrock_tracker_cli

    configure("us-east-1", "logs-a")
    put_logs("logs-a", "", "us-east-1", 2)
    lost = object_key("", ACCOUNT, "us-east-1", WHEN, "gone")
    boto3.client("s3", region_name="us-east-1").put_object(Bucket="logs-a", Key=lost,
                                                           Body=log_object("us-east-1", lost, 3))
    with refusing_proxy(moto_endpoint, lambda method, path: is_object_read(method, path) and "gone" in path,
                        (404, NO_SUCH_KEY)) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{proxy.server_port}")
        code = bedrock_tracker_cli.main(["--engine", "local", "--sync", "--logs-dir", str(tmp_path), *PERIOD,
                                         "--region", "us-east-1", "--anomalies", "--format", "json", "--output-dir",
                                         "-", "--quiet"])
        out, err = capsys.readouterr()

    assert code == 0, err
    warnings = json.loads(out)["warnings"]
    [heading] = [line for line in warnings if "count every day read" in line]
    [not_copied] = warnings[warnings.index(heading) + 1:]
    assert "not copied" in not_copied and lost in not_copied, warnings
    assert err.count(f"warning: {not_copied}") == 1 and "count every day read" not in err, err
