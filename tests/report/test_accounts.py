"""Logs of several accounts in one bucket (an organisation's central log bucket): an IAM user or the root user is a
principal of one account, so the same name in two accounts is two rows and two users; a person's session name is
one user whatever the account, with a row per account."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bedrock_usage.engines.local import LocalEngine
from bedrock_usage.governance.budgets import parse_budget
from bedrock_usage.logs.period import resolve_period
from bedrock_usage.report.tracker import BedrockAthenaTracker
from tests.logfiles import write_records

ROOT = Path(__file__).resolve().parents[2]
HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
PERIOD = resolve_period(start="2025-11-02", end="2025-11-02")
CALLERS = [  # (ARN, calls)
    ("arn:aws:iam::111111111111:user/alice", 2),
    ("arn:aws:iam::222222222222:user/alice", 1),
    ("arn:aws:iam::111111111111:root", 1),
    ("arn:aws:iam::222222222222:root", 3),
    ("arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_Dev_0123456789abcdef/dev@example.com", 1),
    ("arn:aws:sts::222222222222:assumed-role/AWSReservedSSO_Dev_fedcba9876543210/dev@example.com", 2),
    ("arn:aws:sts::111111111111:assumed-role/Admin/ops@example.com", 1),
    ("arn:aws:sts::222222222222:assumed-role/Admin/ops@example.com", 1),
]


def records() -> list[dict]:
    found, n = [], 0
    for arn, calls in CALLERS:
        for _ in range(calls):
            found.append({"timestamp": f"2025-11-02T10:{n:02d}:00Z", "identity": {"arn": arn}, "region": "us-east-1",
                          "requestId": f"r{n}", "modelId": HAIKU, "input": {"inputTokenCount": 1000 + n},
                          "output": {"outputTokenCount": 100 + n}})
            n += 1
    return found


def test_an_iam_user_or_root_of_two_accounts_is_two_users(tmp_path: Path) -> None:
    write_records(tmp_path / "logs", records())
    report = BedrockAthenaTracker(LocalEngine(tmp_path / "logs", cache=False)).analyze(PERIOD, ("us-east-1",))

    expected: Counter = Counter()
    tokens: Counter = Counter()
    for record in records():
        arn = record["identity"]["arn"]
        account = arn.split(":")[4]
        name = arn.rsplit("/", 1)[-1] if "/" in arn else "root"
        expected[(name, account)] += 1
        tokens[(name, account)] += record["input"]["inputTokenCount"]
    table = report.tables["user"]
    found = {(row["user"], row["account"]): row["calls"] for row in table.to_dict("records")}
    assert found == dict(expected)
    assert {(row["user"], row["account"]): row["input_tokens"] for row in table.to_dict("records")} == dict(tokens)
    # alice and root twice (one per account); the two people once each
    assert report.summary["users"] == 6
    user_app = report.tables["user-app"]
    assert sorted(user_app.loc[user_app["user"] == "alice", "account"]) == ["111111111111", "222222222222"]


def test_one_accounts_users_are_its_distinct_names(tmp_path: Path) -> None:
    """In one account an IAM user and a role session of the same name are one user, as before accounts were told
    apart; the user table still has a row for each principal."""
    arns = ["arn:aws:iam::111111111111:user/reporting-svc",
            "arn:aws:sts::111111111111:assumed-role/ReportingOps/reporting-svc",
            "arn:aws:iam::111111111111:user/ann"]
    calls = [{"timestamp": f"2025-11-02T10:0{n}:00Z", "identity": {"arn": arn}, "region": "us-east-1",
              "requestId": f"r{n}", "modelId": HAIKU, "input": {"inputTokenCount": 10},
              "output": {"outputTokenCount": 1}} for n, arn in enumerate(arns)]
    write_records(tmp_path / "logs", calls)
    report = BedrockAthenaTracker(LocalEngine(tmp_path / "logs", cache=False)).analyze(PERIOD, ("us-east-1",))
    assert report.summary["users"] == len({arn.rsplit("/", 1)[-1] for arn in arns}) == 2
    assert len(report.tables["user"]) == 3


def chargeback_calls(tmp_path: Path, by: str) -> dict[str, int]:
    """Calls per group of the CLI's JSON chargeback of November 2025 by ``by``, over ``records()``."""
    write_records(tmp_path / "logs", records())
    done = subprocess.run([sys.executable, str(ROOT / "bedrock_tracker_cli.py"), "--engine", "local", "--logs-dir",
                           str(tmp_path / "logs"), "--region", "us-east-1", "--chargeback", "2025-11",
                           "--chargeback-by", by, "--format", "json", "--output-dir", "-"],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    return {row["group"]: row["calls"] for row in json.loads(done.stdout)["rows"] if row["row_type"] == "group_total"}


def test_a_chargeback_by_user_charges_each_accounts_iam_user(tmp_path: Path) -> None:
    """Two accounts' IAM users ``alice`` are two groups to charge, named with their account; a person is one group."""
    totals = chargeback_calls(tmp_path, "user")
    expected: Counter = Counter()
    for arn, calls in CALLERS:
        account, name = arn.split(":")[4], arn.rsplit("/", 1)[-1] if "/" in arn else "root"
        expected[f"{name} ({account})" if ":iam::" in arn else name] += calls
    assert totals == dict(expected)


def test_a_user_budget_names_one_accounts_iam_user_with_its_account(tmp_path: Path) -> None:
    """``user = "alice (222222222222)"`` covers that account's IAM user alone, as a chargeback names it; ``alice``
    covers the name in every account."""
    write_records(tmp_path / "logs", records())
    facts = BedrockAthenaTracker(LocalEngine(tmp_path / "logs", cache=False)).analyze(PERIOD, ("us-east-1",)).facts
    calls = {f"{arn.rsplit('/', 1)[-1]} ({arn.split(':')[4]})": n for arn, n in CALLERS if ":user/" in arn}
    for value, expected in [*calls.items(), ("alice", sum(calls.values()))]:
        budget = parse_budget({"user": value, "monthly_usd": 1}, 0, "test")
        assert int(facts.loc[budget.mask(facts), "calls"].sum()) == expected, value


def _expected_applications(found: list[dict]) -> Counter:
    """Calls per application, by hand: a tag's value, else an IAM or root user's name, with its account where the
    name is an IAM or root user's in two accounts of ``found``, else the permission set or role."""
    accounts: dict[str, set[str]] = {}
    for record in found:
        arn = record["identity"]["arn"]
        if ":iam::" in arn:
            accounts.setdefault(arn.rsplit("/", 1)[-1] if "/" in arn else "root", set()).add(arn.split(":")[4])
    calls: Counter = Counter()
    for record in found:
        arn = record["identity"]["arn"]
        tag = (record.get("requestMetadata") or {}).get("application_name")
        if tag:
            calls[tag] += 1
        elif ":iam::" in arn:
            name = arn.rsplit("/", 1)[-1] if "/" in arn else "root"
            calls[f"{name} ({arn.split(':')[4]})" if len(accounts[name]) > 1 else name] += 1
        else:
            role = arn.split("/")[1]
            calls[role.split("_")[1] if role.startswith("AWSReservedSSO_") else role] += 1
    return calls


def _tagged_records() -> list[dict]:
    """``records()`` plus a call of account 111111111111's alice tagged with an application, and an IAM user of
    one account only."""
    found = records()
    found.append({**found[0], "requestId": "tagged", "timestamp": "2025-11-02T11:00:00Z",
                  "requestMetadata": {"application_name": "Chatbot"}})
    found.append({**found[0], "requestId": "bob", "timestamp": "2025-11-02T11:01:00Z",
                  "identity": {"arn": "arn:aws:iam::111111111111:user/bob"}})
    return found


def test_an_iam_users_application_of_two_accounts_is_two_applications(tmp_path: Path) -> None:
    """Two accounts' IAM users ``alice`` (and root users) are two applications, named with their account as their
    users are; a tagged call keeps its tag's application, a name of one account stays as it is."""
    found = _tagged_records()
    write_records(tmp_path / "logs", found)
    report = BedrockAthenaTracker(LocalEngine(tmp_path / "logs", cache=False)).analyze(PERIOD, ("us-east-1",))
    expected = _expected_applications(found)
    assert "alice (111111111111)" in expected and "bob" in expected  # the oracle names them as the README says
    table = report.tables["application"]
    assert dict(zip(table["application"], table["calls"], strict=True)) == dict(expected)
    assert report.summary["applications"] == len(expected)
    user_app = report.tables["user-app"]
    alice = user_app.loc[user_app["user"] == "alice"].groupby(["account", "application"])["calls"].sum().to_dict()
    assert alice == {("111111111111", "Chatbot"): 1, ("111111111111", "alice (111111111111)"): 2,
                     ("222222222222", "alice (222222222222)"): 1}


@pytest.mark.slow
def test_a_chargeback_by_application_charges_each_accounts_iam_user(tmp_path: Path) -> None:
    """``--chargeback-by application`` charges two accounts' alice as two applications, as by user."""
    assert chargeback_calls(tmp_path, "application") == dict(_expected_applications(records()))


def test_an_application_budget_names_one_accounts_iam_user_with_its_account(tmp_path: Path) -> None:
    """``application = "alice (222222222222)"`` covers that account's alice alone; ``alice`` every account's."""
    write_records(tmp_path / "logs", records())
    facts = BedrockAthenaTracker(LocalEngine(tmp_path / "logs", cache=False)).analyze(PERIOD, ("us-east-1",)).facts
    calls = {f"{arn.rsplit('/', 1)[-1]} ({arn.split(':')[4]})": n for arn, n in CALLERS if ":user/" in arn}
    for value, expected in [*calls.items(), ("alice", sum(calls.values()))]:
        budget = parse_budget({"application": value, "monthly_usd": 1}, 0, "test")
        assert int(facts.loc[budget.mask(facts), "calls"].sum()) == expected, value
