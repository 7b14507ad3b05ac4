"""--user-pattern keeps the same people on the Bedrock side as on the Amazon Q / Kiro side: a literal substring in any
letter case (IAM does not tell names apart by case), in the plain report and in --developer-costs, against plain
Python over the records written; and a filtered chargeback's files have one name whatever the pattern's case."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pytest

import bedrock_tracker_cli
from tests.logfiles import cli_json, write_records
from tests.oracle import aggregate, caller
from tests.qdev.test_kiro_edges import ana, write_report
from tests.qdev.test_offline import offline  # noqa: F401  (fixture)

ACCOUNT = "123456789012"
SSO = "AWSReservedSSO_Developers_0123456789abcdef"
HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
DAY = date(2025, 11, 3)
MONTH = "2025-11"
# The callers, each with input tokens of their own: the kept ones' sum tells exactly which calls were kept.
SESSIONS = {"Alice": 1_000, "alice": 2_000, "ALICE-ci": 4_000, "bob": 8_000}


def call(n: int, role: str, session: str, tokens: int) -> dict:
    """One Converse call of the session ``session`` of the role ``role`` on ``DAY``."""
    return {"schemaType": "ModelInvocationLog", "schemaVersion": "1.0", "timestamp": f"{DAY}T10:{n:02d}:00Z",
            "accountId": ACCOUNT, "identity": {"arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{session}"},
            "region": "us-east-1", "requestId": f"case-{n}", "operation": "Converse", "modelId": HAIKU,
            "input": {"inputTokenCount": tokens}, "output": {"outputTokenCount": 100 + n}}


def holds(user: str, pattern: str) -> bool:
    """The oracle's rule: ``pattern`` in ``user`` as a plain substring, both lower-cased."""
    return pattern.lower() in user.lower()


@pytest.mark.parametrize("pattern", ["alice", "ALICE", "lic"])
def test_the_report_keeps_every_letter_case_of_the_pattern(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                           pattern: str) -> None:
    """Role sessions ``Alice``, ``alice`` and ``ALICE-ci`` are three users the pattern keeps; ``bob`` is not."""
    records = [call(n, "Developers", session, tokens) for n, (session, tokens) in enumerate(SESSIONS.items())]
    write_records(tmp_path, records)
    doc = cli_json(capsys, tmp_path, "--start-date", f"{DAY}", "--end-date", f"{DAY}", "--user-pattern", pattern)
    kept = [r for r in records if holds(caller(r)[0], pattern)]
    assert {caller(r)[0] for r in kept} == {"Alice", "alice", "ALICE-ci"}
    expected = aggregate(kept, DAY, DAY)["summary"][()]
    assert {row["user"] for row in doc["analyses"]["user"]} == {"Alice", "alice", "ALICE-ci"}
    assert (doc["summary"]["calls"], doc["summary"]["input_tokens"]) == (3, expected.input_tokens) == (3, 7_000)
    assert doc["summary"]["estimated_cost_usd"] == pytest.approx(expected.estimated_cost, rel=1e-9)


@pytest.mark.parametrize("pattern", ["%", "a_b"])
def test_like_wildcards_in_the_pattern_stay_literal(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                    pattern: str) -> None:
    """``%`` and ``_`` match only themselves: ``a_b`` keeps ``A_B`` and not ``axb``; ``%`` keeps ``50%``."""
    sessions = {"A_B": 1_000, "axb": 2_000, "50%": 4_000, "bob": 8_000}
    records = [call(n, "Developers", session, tokens) for n, (session, tokens) in enumerate(sessions.items())]
    write_records(tmp_path, records)
    doc = cli_json(capsys, tmp_path, "--start-date", f"{DAY}", "--end-date", f"{DAY}", "--user-pattern", pattern)
    kept = [r for r in records if holds(caller(r)[0], pattern)]
    assert len(kept) == 1
    assert {row["user"] for row in doc["analyses"]["user"]} == {caller(kept[0])[0]}
    assert doc["summary"]["input_tokens"] == kept[0]["input"]["inputTokenCount"]


@pytest.mark.usefixtures("offline")
@pytest.mark.parametrize("pattern", ["alice", "ALICE"])
def test_developer_costs_keep_both_sides_of_the_people_the_pattern_matches(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], pattern: str) -> None:
    """SSO sessions ``Alice@``, ``alice@`` (one person) and ``ALICE-ci@`` keep their Bedrock calls beside Alice's
    Kiro credits, whatever the pattern's letter case; ``bob@`` is left out."""
    records = [call(n, SSO, f"{session}@example.com", tokens) for n, (session, tokens) in enumerate(SESSIONS.items())]
    write_records(tmp_path / "logs", records)
    write_report(tmp_path / "qdev", DAY, [ana(DAY, 40, UserId="alice-id", User_Email="alice@example.com"),
                                         ana(DAY, 30, UserId="bob-id", User_Email="bob@example.com")])
    doc = cli_json(capsys, tmp_path / "logs", "--qdev-logs-dir", str(tmp_path / "qdev"), "--developer-costs", MONTH,
              "--user-pattern", pattern)
    expected: dict[str, list[dict]] = {}
    for record in records:
        developer = caller(record)[0].lower()  # one person whatever the e-mail's case
        if holds(developer, pattern):
            expected.setdefault(developer, []).append(record)
    assert set(expected) == {"alice@example.com", "alice-ci@example.com"}
    rows = {row["developer"]: row for row in doc["rows"]}
    assert set(rows) == set(expected)
    for developer, kept in expected.items():
        assert rows[developer]["bedrock_calls"] == len(kept)
        assert rows[developer]["bedrock_tokens"] == sum(r["input"]["inputTokenCount"] + r["output"]["outputTokenCount"]
                                                        for r in kept)
    assert (rows["alice@example.com"]["bedrock_calls"], rows["alice@example.com"]["kiro_credits_in_plan"]) == (2, 40)


def chargeback_files(capsys: pytest.CaptureFixture[str], logs: Path, out: Path, *args: str) -> dict[str, list[str]]:
    """The CSV files a chargeback of ``MONTH`` narrowed by ``args`` writes to ``out``, each with its rows'
    ``filters``."""
    code = bedrock_tracker_cli.main(["--engine", "local", "--logs-dir", str(logs), "--quiet", "--chargeback", MONTH,
                                     *args, "--format", "csv", "--output-dir", str(out)])
    assert code == 0, capsys.readouterr().err
    capsys.readouterr()
    files = {}
    for path in sorted(out.iterdir()):
        with path.open(newline="", encoding="utf-8") as handle:
            files[path.name] = [row["filters"] for row in csv.DictReader(handle)]
    return files


def test_a_user_pattern_in_another_letter_case_names_the_same_files(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``--user-pattern Alice`` and ``--user-pattern alice`` keep the same calls, so their files have one name (a
    monthly job's run replaces the other's), each row's ``filters`` saying the pattern as typed. Model ids are
    matched as written: ``--model`` in two letter cases names two sets of files."""
    records = [call(n, "Developers", session, tokens) for n, (session, tokens) in enumerate(SESSIONS.items())]
    write_records(tmp_path / "logs", records)
    typed = {pattern: chargeback_files(capsys, tmp_path / "logs", tmp_path / pattern, "--user-pattern", pattern)
             for pattern in ("Alice", "alice")}
    assert list(typed["Alice"]) == list(typed["alice"]) and len(typed["alice"]) == 2
    assert all(name.startswith(f"bedrock_chargeback_{MONTH}_application_filtered-") for name in typed["alice"])
    for pattern, files in typed.items():
        assert {value for rows in files.values() for value in rows} == {json.dumps({"user_pattern": pattern},
                                                                                   separators=(",", ":"))}
    models = [chargeback_files(capsys, tmp_path / "logs", tmp_path / f"model-{n}", "--model", model)
              for n, model in enumerate((HAIKU, HAIKU.upper()))]
    assert all(len(files) == 2 for files in models) and not set(models[0]) & set(models[1])
