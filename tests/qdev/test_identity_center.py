"""People named from IAM Identity Center (``identitystore`` on a moto server): DescribeUser for a few, ListUsers for
many, answers cached on disk, a refused lookup a warning, and the CLI options.

The users are created in moto's directory first; the logs are then written with the ids moto gave them, in the
forms the sources use (``d-xxxxxxxxxx.{uuid}`` in prompt logs, ``{uuid}`` in activity reports).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

import qcli_s3_analyzer
from bedrock_usage.errors import UsageError
from bedrock_usage.logs.period import Period
from bedrock_usage.qdev.analysis import Identities, Source, analyze
from bedrock_usage.qdev.identity_center import LIST_THRESHOLD, IdentityCenter, check_store_option
from bedrock_usage.qdev.people import parse_user_id
from bedrock_usage.qdev.sources import LocalStore
from tests.qdev.test_offline import offline  # noqa: F401  (fixture)

pytestmark = pytest.mark.usefixtures("offline")

STORE = "d-9067a1b2c3"
ACCOUNT = "123456789012"
PERIOD = Period(date(2026, 11, 2), date(2026, 11, 2))


def create_users(count: int, *, primary: bool = True) -> list[tuple[str, str]]:
    """(UserId, e-mail) of ``count`` users made in moto's directory ``STORE``."""
    client = boto3.client("identitystore", region_name="us-east-1")
    made = []
    for i in range(count):
        email = f"person{i}@corp.example"
        emails = [{"Value": f"old{i}@corp.example", "Primary": False}, {"Value": email, "Primary": primary}]
        answer = client.create_user(IdentityStoreId=STORE, UserName=f"person{i}", DisplayName=f"Person {i}",
                                    Name={"GivenName": "Person", "FamilyName": str(i)}, Emails=emails)
        made.append((answer["UserId"], email if primary else f"old{i}@corp.example"))
    return made


def write_chat_logs(root: Path, user_ids: list[str]) -> None:
    """One chat request per user on 2026-11-02, in the prompt-log layout."""
    records = [{"generateAssistantResponseEventRequest": {"prompt": "hello", "userId": user_id,
                                                          "timeStamp": "2026-11-02T10:00:00Z"},
                "generateAssistantResponseEventResponse": {"assistantResponse": "hi", "requestId": "r"}}
               for user_id in user_ids]
    folder = root / "AWSLogs" / ACCOUNT / "QDeveloperLogs" / "GenerateAssistantResponse" / "us-east-1" / "2026/11/02/10"
    folder.mkdir(parents=True)
    (folder / "log.json").write_text(json.dumps({"records": records}))


class Recording:
    """The identitystore client, with the operations it was asked for."""

    def __init__(self, client: Any):
        self.client = client
        self.operations: list[str] = []
        client.meta.events.register("before-call.identitystore.*", self._record)

    def _record(self, model: Any, **_: Any) -> None:
        self.operations.append(model.name)


def lookup(cache: Path, store: str = "auto") -> tuple[IdentityCenter, Recording]:
    client = boto3.client("identitystore", region_name="us-east-1")
    return IdentityCenter(client, store, cache_folder=cache), Recording(client)


def test_a_few_people_are_described_one_by_one_and_cached(aws_env: dict[str, str], tmp_path: Path) -> None:
    users = create_users(2, primary=False)  # no primary e-mail: the first one is taken
    write_chat_logs(tmp_path / "logs", [f"{STORE}.{user_id}" for user_id, _ in users] + [f"{STORE}.{'0' * 8}-"
                                                                                         "0000-4000-8000-000000000000"])
    center, calls = lookup(tmp_path / "cache")
    report = analyze(Source(LocalStore(tmp_path / "logs")), PERIOD, identities=Identities(lookup=center))
    named = report.people.set_index("user")
    for _, email in users:
        assert named.loc[email, "named_by"] == "IAM Identity Center"
    assert calls.operations.count("DescribeUser") >= 3 and "ListUsers" not in calls.operations
    assert (tmp_path / "cache" / f"{STORE}.json").is_file()

    again, calls_again = lookup(tmp_path / "cache")
    analyze(Source(LocalStore(tmp_path / "logs")), PERIOD, identities=Identities(lookup=again))
    assert calls_again.operations == []  # found and not-found answers both came from the cache


def test_many_people_are_listed_once(aws_env: dict[str, str], tmp_path: Path) -> None:
    users = create_users(LIST_THRESHOLD + 5)
    write_chat_logs(tmp_path / "logs", [f"{STORE}.{user_id}" for user_id, _ in users])
    center, calls = lookup(tmp_path / "cache")
    report = analyze(Source(LocalStore(tmp_path / "logs")), PERIOD, identities=Identities(lookup=center))
    assert set(report.per_user["user"]) == {email for _, email in users}
    assert set(calls.operations) == {"ListUsers"}


def test_ids_without_a_directory_are_looked_up_in_the_one_given(aws_env: dict[str, str], tmp_path: Path) -> None:
    ((user_id, email),) = create_users(1)
    center, _ = lookup(tmp_path / "cache", store=STORE)
    result = center.lookup([parse_user_id(user_id)])  # as an activity report writes it: the bare uuid
    assert result.found[user_id.lower()].email == email and not result.warnings
    alone, _ = lookup(tmp_path / "other-cache")
    assert alone.lookup([parse_user_id(user_id)]).warnings == [
        "no IAM Identity Center directory to look people up in: no user id names one (d-xxxxxxxxxx.…); pass "
        "--identity-store d-xxxxxxxxxx"
    ]


class Refusing:
    """AWS's answer to a caller without identitystore:DescribeUser."""

    def describe_user(self, **_: Any) -> dict:
        raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "User: arn:aws:sts::1:assumed-role/r "
                                     "is not authorized to perform: identitystore:DescribeUser"}}, "DescribeUser")


def test_a_refused_lookup_is_a_warning_and_people_keep_their_ids(tmp_path: Path) -> None:
    user = f"{STORE}.aaaaaaaa-0000-4000-8000-000000000001"
    write_chat_logs(tmp_path / "logs", [user])
    center = IdentityCenter(Refusing(), "auto", cache_folder=tmp_path / "cache")
    report = analyze(Source(LocalStore(tmp_path / "logs")), PERIOD, identities=Identities(lookup=center))
    assert list(report.per_user["user"]) == [user]
    (warning,) = [line for line in report.warnings if "IAM Identity Center" in line]
    assert warning.startswith(f"IAM Identity Center lookups in {STORE} stopped (")
    assert "identitystore:DescribeUser and identitystore:ListUsers (iam/report-reader.json)" in warning


def test_cached_answers_expire_after_seven_days(aws_env: dict[str, str], tmp_path: Path) -> None:
    ((user_id, _),) = create_users(1)
    ref = parse_user_id(f"{STORE}.{user_id}")
    client = boto3.client("identitystore", region_name="us-east-1")
    calls = Recording(client)
    first = IdentityCenter(client, cache_folder=tmp_path, clock=lambda: datetime(2026, 11, 1, tzinfo=UTC))
    first.lookup([ref])
    week_later = IdentityCenter(client, cache_folder=tmp_path, clock=lambda: datetime(2026, 11, 7, tzinfo=UTC))
    week_later.lookup([ref])
    assert calls.operations == ["DescribeUser"]
    stale = IdentityCenter(client, cache_folder=tmp_path, clock=lambda: datetime(2026, 11, 9, tzinfo=UTC))
    stale.lookup([ref])
    assert calls.operations == ["DescribeUser", "DescribeUser"]


def test_the_cli_looks_people_up_with_identity_store(aws_env: dict[str, str], tmp_path: Path, capsys) -> None:
    ((user_id, email),) = create_users(1)
    write_chat_logs(tmp_path / "logs", [f"{STORE}.{user_id}"])
    capsys.readouterr()
    code = qcli_s3_analyzer.main(["--logs-dir", str(tmp_path / "logs"), "--start-date", "2026-11-02", "--end-date",
                                  "2026-11-02", "--identity-store", "auto", "--identity-region", "us-east-1",
                                  "--format", "json", "--output-dir", "-"])
    assert code == 0
    document = json.loads(capsys.readouterr().out)
    assert document["people"] == [{"user": email, "person": email, "named_by": "IAM Identity Center",
                                   "user_ids": f"{STORE}.{user_id}"}]


@pytest.mark.parametrize("args, message", [
    (["--demo", "--identity-store", "auto"], "--identity-store looks your directory up: the demo's people are not"),
    (["--identity-region", "us-east-1"], "--identity-region goes with --identity-store"),
    (["--logs-dir", ".", "--identity-store", "ssoins-123"], "--identity-store must be auto or an Identity Store id"),
])
def test_identity_option_mistakes_exit_1(args: list[str], message: str, capsys) -> None:
    assert qcli_s3_analyzer.main(args) == 1
    assert message in capsys.readouterr().err


def test_store_option_values() -> None:
    assert check_store_option("AUTO") == "auto" and check_store_option("d-9067A1B2C3") == "d-9067a1b2c3"
    with pytest.raises(UsageError, match="d-1234567890"):
        check_store_option("arn:aws:sso:::instance/ssoins-1")


@pytest.mark.parametrize("cache_text", ["not json", '{"x": 1}', '[1, 2]', '{"KEY": {"at": "2026-11-01T00:00:00+00:00",'
                                        ' "user": {"email": 7, "unknown": true}}}'])
def test_a_damaged_cache_is_rebuilt_or_read_safely(aws_env: dict[str, str], tmp_path: Path, cache_text: str) -> None:
    ((user_id, email),) = create_users(1)
    ref = parse_user_id(f"{STORE}.{user_id}")
    (tmp_path / f"{STORE}.json").write_text(cache_text.replace("KEY", ref.key))
    center = IdentityCenter(boto3.client("identitystore", region_name="us-east-1"), cache_folder=tmp_path,
                            clock=lambda: datetime(2026, 11, 2, tzinfo=UTC))
    found = center.lookup([ref]).found[ref.key]
    assert found.email in (email, "7")  # a cached entry of the wrong shape is read as text, never a crash
