"""sync_logs against moto's S3: only the requested days and regions, only missing or partial files."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, date, datetime
from pathlib import Path

import boto3
import pytest

from bedrock_usage.aws.mirror import sync_logs
from bedrock_usage.engines.base import Scope
from bedrock_usage.engines.local import LocalEngine
from bedrock_usage.errors import UsageError
from bedrock_usage.logs.layout import PERMISSION_CHECK_NAME, day_prefix, object_key, parse_key, partition_value
from bedrock_usage.output.progress import Progress

BUCKET = "company-bedrock-logs"
PREFIX = "bedrock/"
ACCOUNT = "123456789012"
REGIONS = ("us-east-1", "eu-central-1")
FIRST, LAST = date(2025, 3, 10), date(2025, 3, 11)


def record(when: datetime, region: str, n: int) -> dict:
    """A record with the fields of the reference ConverseStream example."""
    return {
        "schemaType": "ModelInvocationLog",
        "schemaVersion": "1.0",
        "timestamp": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "accountId": ACCOUNT,
        "identity": {"arn": f"arn:aws:iam::{ACCOUNT}:user/dev{n}"},
        "region": region,
        "requestId": f"req-{region}-{n}",
        "operation": "ConverseStream",
        "modelId": "amazon.nova-lite-v1:0",
        "input": {
            "inputContentType": "application/json",
            "inputBodyJson": {"messages": [{"role": "user", "content": [{"text": "hello"}]}]},
            "inputTokenCount": 4 + n,
            "cacheReadInputTokenCount": 0,
            "cacheWriteInputTokenCount": 0,
        },
        "output": {"outputContentType": "application/json", "outputTokenCount": 38 + n},
    }


def log_object(when: datetime, region: str, records: int) -> bytes:
    lines = "".join(json.dumps(record(when, region, n)) + "\n" for n in range(records))
    return gzip.compress(lines.encode())


@pytest.fixture
def s3(aws_env: dict[str, str]):
    client = boto3.client("s3", region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    return client


def put_record_object(s3, region: str, when: datetime, suffix: str, records: int = 3) -> str:
    key = object_key(PREFIX, ACCOUNT, region, when, suffix)
    s3.put_object(Bucket=BUCKET, Key=key, Body=log_object(when, region, records))
    return key


IN_RANGE = (
    (datetime(2025, 3, 10, 0, 5, tzinfo=UTC), "a1", 2),
    (datetime(2025, 3, 10, 23, 59, tzinfo=UTC), "a2", 4),
    (datetime(2025, 3, 11, 12, 0, tzinfo=UTC), "a3", 1),
)


def populate(s3) -> dict[str, list[str]]:
    """Objects in and out of the range; returns their keys by kind ("in" in the order of IN_RANGE per region)."""
    keys: dict[str, list[str]] = {"in": [], "out": [], "skip": []}
    for region in REGIONS:
        for when, suffix, records in IN_RANGE:
            keys["in"].append(put_record_object(s3, region, when, suffix, records))
        for when in (datetime(2025, 3, 9, 23, 59, tzinfo=UTC), datetime(2025, 3, 12, 0, 0, tzinfo=UTC)):
            keys["out"].append(put_record_object(s3, region, when, "outside"))
        hour = f"{day_prefix(PREFIX, ACCOUNT, region, FIRST)}07/"
        payload = f"{hour}data/20250310T070000Z_b1_input.json.gz"
        s3.put_object(Bucket=BUCKET, Key=payload, Body=gzip.compress(b'{"messages": []}'))
        check = f"{day_prefix(PREFIX, ACCOUNT, region, FIRST)}{PERMISSION_CHECK_NAME}"
        s3.put_object(Bucket=BUCKET, Key=check, Body=b"")
        keys["skip"] += [payload, check]
    keys["out"].append(put_record_object(s3, "us-west-2", datetime(2025, 3, 10, 1, tzinfo=UTC), "other"))
    return keys


def files_under(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def sync(s3, dest: Path, prune: bool = False):
    return sync_logs(s3, BUCKET, PREFIX, (ACCOUNT,), REGIONS, FIRST, LAST, dest, prune=prune)


def test_first_sync_copies_the_range_exactly(s3, tmp_path: Path) -> None:
    keys = populate(s3)
    dest = tmp_path / "mirror"

    summary = sync(s3, dest)

    assert files_under(dest) == set(keys["in"])
    for key in keys["in"]:
        body = s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()
        assert (dest / key).read_bytes() == body
        assert parse_key((dest / key).relative_to(dest).as_posix()) is not None
    assert summary.listed == len(keys["in"]) + len(keys["skip"])
    assert summary.downloaded == len(keys["in"])
    assert summary.already_present == 0
    assert summary.skipped == len(keys["skip"])
    assert summary.bytes == sum((dest / key).stat().st_size for key in keys["in"])
    assert summary.failed == {}


def test_second_sync_downloads_nothing(s3, tmp_path: Path) -> None:
    keys = populate(s3)
    sync(s3, tmp_path)
    summary = sync(s3, tmp_path)
    assert summary.downloaded == 0
    assert summary.bytes == 0
    assert summary.already_present == len(keys["in"])
    assert files_under(tmp_path) == set(keys["in"])


def test_only_a_new_object_is_downloaded(s3, tmp_path: Path) -> None:
    keys = populate(s3)
    sync(s3, tmp_path)
    new = put_record_object(s3, "eu-central-1", datetime(2025, 3, 11, 18, 30, tzinfo=UTC), "late")

    summary = sync(s3, tmp_path)

    assert summary.downloaded == 1
    assert summary.already_present == len(keys["in"])
    assert summary.bytes == len(s3.get_object(Bucket=BUCKET, Key=new)["Body"].read())
    assert files_under(tmp_path) == set(keys["in"]) | {new}


def test_truncated_file_is_fetched_again(s3, tmp_path: Path) -> None:
    keys = populate(s3)
    sync(s3, tmp_path)
    victim = tmp_path / keys["in"][1]  # us-east-1, "a2"
    whole = victim.read_bytes()
    victim.write_bytes(whole[: len(whole) // 2])

    summary = sync(s3, tmp_path)

    assert summary.downloaded == 1
    assert summary.already_present == len(keys["in"]) - 1
    assert victim.read_bytes() == whole
    assert gzip.decompress(victim.read_bytes()).count(b"\n") == IN_RANGE[1][2]
    assert files_under(tmp_path) == set(keys["in"])


def test_payload_and_check_objects_are_never_copied(s3, tmp_path: Path) -> None:
    keys = populate(s3)
    sync(s3, tmp_path)
    local = files_under(tmp_path)
    assert not any("/data/" in path for path in local)
    assert not any(PERMISSION_CHECK_NAME in path for path in local)
    assert not set(keys["skip"]) & local


def test_the_mirror_holds_what_the_local_engine_and_athena_read_below_a_day_folder(s3, tmp_path: Path) -> None:
    """Objects directly in a day folder and in sub-folders of an hour folder were not copied (the local engine and
    Athena read them), and hidden ones were (Athena skips them: ``_`` or ``.`` first, of the name or a folder's)."""
    day = day_prefix(PREFIX, ACCOUNT, "us-east-1", FIRST)
    when = datetime(2025, 3, 10, 9, tzinfo=UTC)
    read = ["09/a.json.gz", "b.json.gz", "09/sub/c.json.gz", "other/deep/d.json.gz"]
    left = ["09/.hidden.json.gz", "09/_copy.json.gz", "_e.json.gz", "09/.tmp/f.json.gz", "_temporary/0/g.json.gz",
            "09/data/h.json.gz", "09/notes.txt"]
    for n, name in enumerate(read + left):
        s3.put_object(Bucket=BUCKET, Key=day + name, Body=log_object(when, "us-east-1", n + 1))
    dest = tmp_path / "mirror"

    summary = sync_logs(s3, BUCKET, PREFIX, (ACCOUNT,), ("us-east-1",), FIRST, FIRST, dest)

    assert files_under(dest) == {day + name for name in read}
    assert (summary.listed, summary.downloaded, summary.skipped) == (len(read) + len(left), len(read), len(left))
    scope = Scope(("us-east-1",), FIRST, FIRST)
    records = LocalEngine(dest).query(
        "SELECT count(*) AS records FROM bedrock_invocation_logs WHERE dt = ?", [partition_value(FIRST)], scope)
    assert records.frame["records"].tolist() == [sum(n + 1 for n in range(len(read)))]
    # Copies no longer in the bucket are found wherever below the day folder, and removed with prune.
    s3.delete_object(Bucket=BUCKET, Key=day + read[2])
    assert sync_logs(s3, BUCKET, PREFIX, (ACCOUNT,), ("us-east-1",), FIRST, FIRST, dest).not_in_bucket == 1
    pruned = sync_logs(s3, BUCKET, PREFIX, (ACCOUNT,), ("us-east-1",), FIRST, FIRST, dest, prune=True)
    assert pruned.removed == 1 and files_under(dest) == {day + name for name in read if name != read[2]}


def test_missing_bucket_is_a_usage_error(aws_env: dict[str, str], tmp_path: Path) -> None:
    client = boto3.client("s3", region_name="us-east-1")
    with pytest.raises(UsageError, match="bucket no-such-bucket does not exist"):
        sync_logs(client, "no-such-bucket", PREFIX, (ACCOUNT,), REGIONS, FIRST, LAST, tmp_path)


def test_keys_that_would_leave_the_mirror_are_skipped(s3, tmp_path: Path) -> None:
    when = datetime(2025, 3, 10, 4, tzinfo=UTC)
    key = object_key("../escape", ACCOUNT, "us-east-1", when, "x")
    s3.put_object(Bucket=BUCKET, Key=key, Body=log_object(when, "us-east-1", 1))
    dest = tmp_path / "mirror"
    summary = sync_logs(s3, BUCKET, "../escape", (ACCOUNT,), ("us-east-1",), FIRST, LAST, dest)
    assert (summary.listed, summary.skipped, summary.downloaded) == (1, 1, 0)
    assert files_under(tmp_path) == set()


def test_the_local_engine_reads_the_mirror(s3, tmp_path: Path) -> None:
    populate(s3)
    sync(s3, tmp_path)
    result = LocalEngine(tmp_path).query(
        "SELECT count(*) AS records FROM bedrock_invocation_logs WHERE dt BETWEEN ? AND ?",
        [partition_value(FIRST), partition_value(LAST)],
        Scope(REGIONS, FIRST, LAST),
    )
    assert result.frame["records"].tolist() == [len(REGIONS) * sum(records for _, _, records in IN_RANGE)]


def test_objects_changing_during_the_sync_are_reported_and_leave_no_file(s3, tmp_path: Path) -> None:
    """Another writer deletes one object and rewrites another between our listing and our download."""
    keys = populate(s3)
    deleted, rewritten = keys["in"][0], keys["in"][4]
    other_writer = boto3.client("s3", region_name="us-east-1")
    changed: set[str] = set()

    def change_bucket(params: dict, **_: object) -> None:
        key = params["Key"]
        if key in changed:
            return
        changed.add(key)
        if key == deleted:
            other_writer.delete_object(Bucket=BUCKET, Key=key)
        elif key == rewritten:
            other_writer.put_object(Bucket=BUCKET, Key=key, Body=log_object(datetime(2025, 3, 10, tzinfo=UTC), "x", 9))

    s3.meta.events.register("provide-client-params.s3.GetObject", change_bucket)
    summary = sync(s3, tmp_path)

    assert summary.failed[deleted] == "object deleted after it was listed"
    assert summary.failed[rewritten].startswith("got ")
    assert summary.downloaded == len(keys["in"]) - 2
    assert files_under(tmp_path) == set(keys["in"]) - {deleted, rewritten}

    s3.meta.events.unregister("provide-client-params.s3.GetObject", change_bucket)
    again = sync(s3, tmp_path)
    assert (again.downloaded, again.failed) == (1, {})
    assert (tmp_path / rewritten).read_bytes() == s3.get_object(Bucket=BUCKET, Key=rewritten)["Body"].read()


def test_an_interrupted_sync_leaves_nothing_behind_once_synced_again(s3, tmp_path: Path) -> None:
    import os
    import time

    from bedrock_usage.aws.mirror import ABANDONED_PART_SECONDS

    keys = populate(s3)
    target = tmp_path / keys["in"][0]
    target.parent.mkdir(parents=True)
    stopped = target.with_name(f".{target.name}.k2j4h1.part")  # what a killed sync leaves, half written
    stopped.write_bytes(b"\x1f\x8b half an object")
    old = time.time() - ABANDONED_PART_SECONDS - 60
    os.utime(stopped, (old, old))
    running = target.with_name(f".{target.name}.zz9x8c.part")  # another sync writing right now
    running.write_bytes(b"\x1f\x8b")

    summary = sync(s3, tmp_path)

    assert summary.partials_removed == 1
    assert not stopped.exists() and running.exists()
    assert summary.downloaded == len(keys["in"])
    assert (tmp_path / keys["in"][0]).read_bytes() == s3.get_object(Bucket=BUCKET, Key=keys["in"][0])["Body"].read()
    running.unlink()
    assert files_under(tmp_path) == set(keys["in"])


def test_sync_reports_the_day_folders_listed_and_the_objects_and_bytes_copied(s3, tmp_path: Path) -> None:
    keys = populate(s3)
    sync(s3, tmp_path)  # the first sync copies everything; a new object then arrives
    new = put_record_object(s3, "us-east-1", datetime(2025, 3, 11, 20, 0, tzinfo=UTC), "late", records=5)
    updates: list[Progress] = []

    sync_logs(s3, BUCKET, PREFIX, (ACCOUNT,), REGIONS, FIRST, LAST, tmp_path, progress=updates.append)

    size = s3.head_object(Bucket=BUCKET, Key=new)["ContentLength"]
    names = ", ".join(REGIONS)
    copying = [u for u in updates if u.step == f"copying {names}"][-1]
    assert copying.finished
    assert (copying.done, copying.total, copying.bytes_done, copying.bytes_total) == (1, 1, size, size)
    assert copying.note == f"{len(keys['in']):,} already present, 0 failed"
    listing = [u for u in updates if u.step == f"listing s3://{BUCKET} {names}"][-1]
    days = len(REGIONS) * ((LAST - FIRST).days + 1)
    assert (listing.done, listing.total, listing.finished) == (days, days, True)
    assert listing.note == f"{len(keys['in']) + 1 + len(keys['skip']):,} objects"


def bucket_keys(s3) -> set[str]:
    """The record objects of REGIONS the bucket holds for FIRST..LAST, by plain listing and parsing."""
    keys = {obj["Key"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET)
            for obj in page.get("Contents", [])}
    return {key for key in keys if (parsed := parse_key(key)) and "/data/" not in key
            and parsed.region in REGIONS and FIRST <= parsed.day <= LAST}


def bucket_record_count(s3) -> int:
    return sum(gzip.decompress(s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()).count(b"\n")
               for key in bucket_keys(s3))


def mirror_record_count(dest: Path) -> int:
    result = LocalEngine(dest).query(
        "SELECT count(*) AS records FROM bedrock_invocation_logs WHERE dt BETWEEN ? AND ?",
        [partition_value(FIRST), partition_value(LAST)], Scope(REGIONS, FIRST, LAST))
    return int(result.frame["records"].iloc[0])


def test_objects_deleted_or_regenerated_in_the_bucket_are_counted_and_leave_the_mirror_with_prune(
        s3, tmp_path: Path) -> None:
    keys = populate(s3)
    sync(s3, tmp_path)
    # Logs regenerated for a day (new names), and two other objects deleted.
    regenerated = [key for key in keys["in"] if parse_key(key).day == LAST]
    for key in regenerated:
        s3.delete_object(Bucket=BUCKET, Key=key)
        put_record_object(s3, parse_key(key).region, datetime(2025, 3, 11, 12, 0, tzinfo=UTC), "again", records=2)
    deleted = [key for key in keys["in"] if key not in regenerated and "_a1." in key]  # each day keeps its a2
    for key in deleted:
        s3.delete_object(Bucket=BUCKET, Key=key)
    # What no listing covers stays: a day outside the period, another prefix, a payload, a sync's *.part file.
    hour = tmp_path / deleted[0].rsplit("/", 1)[0]
    kept = [f"{day_prefix(PREFIX, ACCOUNT, REGIONS[0], date(2025, 3, 9))}23/old.json.gz",
            object_key("other/", ACCOUNT, REGIONS[0], datetime(2025, 3, 10, 1, tzinfo=UTC), "x"),
            f"{hour.relative_to(tmp_path).as_posix()}/data/payload.json.gz",
            f"{hour.relative_to(tmp_path).as_posix()}/.y.json.gz.abc.part"]
    for path in kept:
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_bytes(b"kept")

    kept_by_default = sync(s3, tmp_path)
    assert (kept_by_default.not_in_bucket, kept_by_default.removed) == (len(regenerated) + len(deleted), 0)
    assert files_under(tmp_path) == bucket_keys(s3) | set(kept) | set(regenerated) | set(deleted)

    summary = sync(s3, tmp_path, prune=True)

    assert (summary.removed, summary.not_in_bucket) == (len(regenerated) + len(deleted), 0)
    assert files_under(tmp_path) == bucket_keys(s3) | set(kept)
    assert mirror_record_count(tmp_path) == bucket_record_count(s3)


def test_objects_expired_part_way_through_a_day_stay_in_the_mirror(s3, tmp_path: Path) -> None:
    """S3 removes expired objects a few at a time: without --prune the mirror keeps every one, so it holds the
    history a lifecycle rule dropped."""
    keys = populate(s3)
    sync(s3, tmp_path)
    day = [key for key in keys["in"] if parse_key(key).day == FIRST]
    for expired in (day[:1], day[1:]):
        for key in expired:
            s3.delete_object(Bucket=BUCKET, Key=key)
        summary = sync(s3, tmp_path)
        assert summary.removed == 0 and set(day) <= files_under(tmp_path)
    assert summary.not_in_bucket == len(day)


def test_prune_never_empties_a_day_the_bucket_holds_no_record_of(s3, tmp_path: Path) -> None:
    """A wrong bucket or prefix, or a day expired whole, lists nothing: --prune keeps that day's files."""
    keys = populate(s3)
    sync(s3, tmp_path)
    day = [key for key in keys["in"] if parse_key(key).day == FIRST]
    for key in day:
        s3.delete_object(Bucket=BUCKET, Key=key)
    summary = sync(s3, tmp_path, prune=True)
    assert (summary.removed, summary.not_in_bucket) == (0, len(day))
    assert set(day) <= files_under(tmp_path)


def test_nothing_is_removed_while_a_listing_fails(s3, tmp_path: Path) -> None:
    keys = populate(s3)
    sync(s3, tmp_path)
    gone = keys["in"][0]
    s3.delete_object(Bucket=BUCKET, Key=gone)
    failing_day = day_prefix(PREFIX, ACCOUNT, REGIONS[1], LAST)

    def break_one_listing(params: dict, **_: object) -> None:
        if params.get("Prefix") == failing_day:
            params["Bucket"] = "no-such-bucket"

    s3.meta.events.register("provide-client-params.s3.ListObjectsV2", break_one_listing)
    with pytest.raises(UsageError, match="does not exist"):
        sync(s3, tmp_path, prune=True)
    assert files_under(tmp_path) == set(keys["in"])

    s3.meta.events.unregister("provide-client-params.s3.ListObjectsV2", break_one_listing)
    assert sync(s3, tmp_path, prune=True).removed == 1
    assert files_under(tmp_path) == set(keys["in"]) - {gone}


def test_an_object_changed_to_the_same_size_is_fetched_again(s3, tmp_path: Path) -> None:
    import os

    when = datetime(2025, 3, 10, 6, tzinfo=UTC)
    key = object_key(PREFIX, ACCOUNT, REGIONS[0], when, "same-size")

    def stored(tokens: int) -> bytes:  # gzip without compression: the size depends on the text's length only
        line = json.dumps({**record(when, REGIONS[0], 0), "input": {"inputTokenCount": tokens}}) + "\n"
        return gzip.compress(line.encode(), compresslevel=0, mtime=0)

    s3.put_object(Bucket=BUCKET, Key=key, Body=stored(11))
    older = put_record_object(s3, REGIONS[0], when, "untouched")
    sync(s3, tmp_path)
    listed = {obj["Key"]: obj["LastModified"].timestamp() for obj in s3.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert (tmp_path / key).stat().st_mtime == listed[key]
    # A file an earlier version wrote (dated when it was written, after the object) stays current.
    os.utime(tmp_path / older, None)
    # S3 dates objects to the second, so the rewrite below may carry the first version's LastModified: the copy is
    # dated as one of a version written 2 s earlier, the least difference the mirror must take for a change (a copy
    # less than 2 s older than its object is current: FAT keeps times to 2 s).
    copied = listed[key] - 2
    os.utime(tmp_path / key, (copied, copied))
    s3.put_object(Bucket=BUCKET, Key=key, Body=stored(99))
    assert len(stored(11)) == len(stored(99))
    rewritten = s3.head_object(Bucket=BUCKET, Key=key)["LastModified"].timestamp()
    assert rewritten >= listed[key]  # the copy is 2 s or more older than the object now in the bucket

    summary = sync(s3, tmp_path)

    assert (summary.downloaded, summary.already_present) == (1, 1)
    assert (tmp_path / key).read_bytes() == stored(99) == s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()


def test_access_denied_on_an_object_keeps_aws_message_and_the_key(s3, tmp_path: Path) -> None:
    from botocore.exceptions import ClientError

    from bedrock_usage.errors import SetupRequired

    keys = populate(s3)
    denied = keys["in"][2]
    s3.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{BUCKET}/{denied}"}]}))
    with pytest.raises(ClientError) as refused:
        s3.get_object(Bucket=BUCKET, Key=denied)
    aws_message = refused.value.response["Error"]["Message"]
    with pytest.raises(SetupRequired) as stopped:
        sync(s3, tmp_path)
    assert f"s3://{BUCKET}/{denied}" in str(stopped.value) and aws_message in str(stopped.value)
    s3.delete_bucket_policy(Bucket=BUCKET)

    # An SSE-KMS object whose key refuses: S3 answers AccessDenied naming kms:Decrypt, and so does the error.
    kms = "User: arn:aws:iam::123456789012:user/ana is not authorized to perform: kms:Decrypt on resource: k"

    def refuse(**_: object) -> None:
        raise ClientError({"Error": {"Code": "AccessDenied", "Message": kms},
                           "ResponseMetadata": {"HTTPStatusCode": 403}}, "GetObject")

    s3.meta.events.register("before-call.s3.GetObject", refuse)
    with pytest.raises(SetupRequired) as stopped:
        sync(s3, tmp_path / "other")
    assert kms in str(stopped.value) and "needs kms:Decrypt" in str(stopped.value)
    assert "s3:GetObject" not in str(stopped.value)


def test_an_interrupted_sync_stops_the_downloads_not_yet_started(s3, tmp_path: Path) -> None:
    keys = populate(s3)

    def stop_after_the_first(update: Progress) -> None:
        if update.step.startswith("copying") and update.done == 1:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        sync_logs(s3, BUCKET, PREFIX, (ACCOUNT,), REGIONS, FIRST, LAST, tmp_path, workers=1,
                  progress=stop_after_the_first)
    copied = files_under(tmp_path)
    assert copied <= set(keys["in"]) and len(copied) <= 2  # the one done, and at most the one under way


def test_archived_objects_are_counted_apart_and_copied_once_restored(s3, tmp_path: Path) -> None:
    from botocore.exceptions import ClientError

    keys = populate(s3)
    when = datetime(2025, 3, 10, 6, 0, tzinfo=UTC)
    by_class = {}
    for storage_class in ("GLACIER", "DEEP_ARCHIVE", "GLACIER_IR", "INTELLIGENT_TIERING"):
        key = object_key(PREFIX, ACCOUNT, REGIONS[0], when, storage_class.lower())
        s3.put_object(Bucket=BUCKET, Key=key, Body=log_object(when, REGIONS[0], 2), StorageClass=storage_class)
        by_class[storage_class] = key
    with pytest.raises(ClientError) as refused:  # as S3 answers until the object is restored
        s3.get_object(Bucket=BUCKET, Key=by_class["GLACIER"])
    assert refused.value.response["Error"]["Code"] == "InvalidObjectState"

    summary = sync(s3, tmp_path)

    assert summary.archived == {by_class["GLACIER"]: "GLACIER", by_class["DEEP_ARCHIVE"]: "DEEP_ARCHIVE"}
    assert summary.failed == {}
    readable = set(keys["in"]) | {by_class["GLACIER_IR"], by_class["INTELLIGENT_TIERING"]}
    assert files_under(tmp_path) == readable  # nothing of the archived ones, not even a *.part file
    assert summary.downloaded == len(readable)

    s3.restore_object(Bucket=BUCKET, Key=by_class["GLACIER"], RestoreRequest={"Days": 1})
    again = sync(s3, tmp_path)
    assert (again.downloaded, again.archived) == (1, {by_class["DEEP_ARCHIVE"]: "DEEP_ARCHIVE"})
    restored = s3.get_object(Bucket=BUCKET, Key=by_class["GLACIER"])["Body"].read()
    assert (tmp_path / by_class["GLACIER"]).read_bytes() == restored


def test_an_object_in_an_intelligent_tiering_archive_tier_is_counted_as_archived(s3, tmp_path: Path) -> None:
    """The listing says INTELLIGENT_TIERING whatever the tier; S3 refuses GetObject as it does here (moto keeps no
    tiers)."""
    from botocore.exceptions import ClientError

    keys = populate(s3)
    archived = keys["in"][1]

    def refuse(params: dict, **_: object) -> None:
        if params["Key"] == archived:
            raise ClientError({"Error": {"Code": "InvalidObjectState", "Message": "The operation is not valid for the "
                                         "object's access tier", "StorageClass": "INTELLIGENT_TIERING",
                                         "AccessTier": "DEEP_ARCHIVE_ACCESS"},
                               "ResponseMetadata": {"HTTPStatusCode": 403}}, "GetObject")

    s3.meta.events.register("provide-client-params.s3.GetObject", refuse)
    summary = sync(s3, tmp_path)
    assert summary.archived == {archived: "INTELLIGENT_TIERING DEEP_ARCHIVE_ACCESS"}
    assert files_under(tmp_path) == set(keys["in"]) - {archived}


def test_a_name_too_long_for_the_file_system_fails_that_object_alone(s3, tmp_path: Path) -> None:
    keys = populate(s3)
    when = datetime(2025, 3, 10, 5, 0, tzinfo=UTC)
    long_key = object_key(PREFIX, ACCOUNT, REGIONS[0], when, "x" * 300)
    s3.put_object(Bucket=BUCKET, Key=long_key, Body=log_object(when, REGIONS[0], 1))

    summary = sync(s3, tmp_path)

    assert summary.failed == {long_key: "this file system refuses its name: File name too long"}
    assert files_under(tmp_path) == set(keys["in"])


def test_a_mirror_folder_that_refuses_files_stops_the_sync_with_one_error(s3, tmp_path: Path) -> None:
    from bedrock_usage.aws.mirror import MirrorUnwritable

    populate(s3)
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / PREFIX.rstrip("/")).write_text("a file where the logs' folder goes")
    with pytest.raises(MirrorUnwritable) as stopped:
        sync(s3, mirror)
    assert str(stopped.value).startswith(f"cannot write the mirror in {mirror}: ")
    # /sys refuses new folders to every user, root included.
    with pytest.raises(MirrorUnwritable, match="cannot write the mirror in /sys/bedrock-mirror: "):
        sync(s3, Path("/sys/bedrock-mirror"))
