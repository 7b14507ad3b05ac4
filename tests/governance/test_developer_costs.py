"""--developer-costs end to end in-process: what filters narrow, priced parts, unreadable Amazon Q / Kiro inputs and
the days read, against plain computations over the records written."""

from __future__ import annotations

import csv
import gzip
import json
import math
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

import bedrock_tracker_cli
from bedrock_usage.demo.writer import write_local
from tests.qdev.test_kiro_edges import ACCOUNT as KIRO_ACCOUNT
from tests.qdev.test_kiro_edges import ana, write_report
from tests.qdev.test_offline import offline  # noqa: F401  (fixture)

ACCOUNT = "123456789012"
SSO = "AWSReservedSSO_Developers_0123456789abcdef"
HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
MYSTERY = "acme.mystery-model-v1:0"  # no price in the book
HAIKU_RATES = (0.25 / 1e6, 1.25 / 1e6)  # Claude 3 Haiku's published on-demand USD per input / output token
MONTH = "2025-11"


def call(n: int, user: str, model: str = HAIKU, day: date = date(2025, 11, 3)) -> dict:
    """One Converse call of the SSO session ``user`` (an e-mail) on ``day``."""
    return {"schemaType": "ModelInvocationLog", "schemaVersion": "1.0", "timestamp": f"{day}T10:{n % 60:02d}:00Z",
            "accountId": ACCOUNT, "identity": {"arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/{SSO}/{user}"},
            "region": "us-east-1", "requestId": f"dev-{day}-{n}", "operation": "Converse", "modelId": model,
            "input": {"inputTokenCount": 1000 + 10 * n}, "output": {"outputTokenCount": 200 + n}}


def user_of(record: dict) -> str:
    return record["identity"]["arn"].rsplit("/", 1)[1]


def run(capsys: pytest.CaptureFixture[str], logs: Path, qdev: Path | None, *args: str) -> tuple[int, str, str]:
    """The report CLI's exit code, standard output and standard error for ``args`` (and ``qdev`` as the Amazon Q /
    Kiro logs, when given)."""
    qdev_args = ["--qdev-logs-dir", str(qdev)] if qdev else []
    code = bedrock_tracker_cli.main(["--engine", "local", "--logs-dir", str(logs), "--quiet", *qdev_args, *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def write_scene(root: Path, more: list[dict]) -> tuple[Path, Path, list[dict]]:
    """Bedrock calls of Alex and Bora and ``more``; Kiro reports of Alex and Ana (Ana has no Bedrock call), both on
    Kiro Pro ($20 a month)."""
    records = [call(n, "alex@example.com") for n in range(3)] + [call(n, "bora@example.com") for n in range(3, 7)]
    write_local(root / "logs", records + more)
    write_report(root / "qdev", date(2025, 11, 2), [
        ana(date(2025, 11, 2), 100),
        ana(date(2025, 11, 2), 40, UserId="alex-id", User_Email="alex@example.com")])
    return root / "logs", root / "qdev", records + more


@pytest.fixture
def scene(tmp_path: Path) -> tuple[Path, Path, list[dict]]:
    return write_scene(tmp_path, [])


@pytest.mark.usefixtures("offline")
@pytest.mark.slow
def test_a_user_pattern_lists_only_its_developers_and_never_replaces_the_months_file(
        scene: tuple[Path, Path, list[dict]], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``--user-pattern alex``: Alex alone is listed; the files are named apart by the filters, say them, and leave
    the whole month's file as it was."""
    logs, qdev, _ = scene
    out = tmp_path / "out"
    assert run(capsys, logs, qdev, "--developer-costs", MONTH, "--format", "csv", "--output-dir", str(out))[0] == 0
    month_file = out / f"bedrock_developer_costs_{MONTH}.csv"
    before = month_file.read_bytes()
    with month_file.open() as handle:
        assert {row["developer"] for row in csv.DictReader(handle)} == {
            "alex@example.com", "bora@example.com", "ana.silva@example.com"}

    args = ("--developer-costs", MONTH, "--user-pattern", "alex")
    assert run(capsys, logs, qdev, *args, "--format", "csv", "--output-dir", str(out))[0] == 0
    assert month_file.read_bytes() == before
    (narrowed,) = out.glob(f"bedrock_developer_costs_{MONTH}_filtered-*.csv")
    assert re.fullmatch(rf"bedrock_developer_costs_{MONTH}_filtered-[0-9a-f]{{8}}\.csv", narrowed.name)
    with narrowed.open() as handle:
        rows = list(csv.DictReader(handle))
    assert [row["developer"] for row in rows] == ["alex@example.com"]
    assert {row["filters"] for row in rows} == {json.dumps({"user_pattern": "alex"}, separators=(",", ":"))}


@pytest.mark.usefixtures("offline")
@pytest.mark.slow
def test_a_user_pattern_says_its_filters_and_keeps_both_sides_of_its_developers(
        scene: tuple[Path, Path, list[dict]], capsys: pytest.CaptureFixture[str]) -> None:
    """JSON and terminal say the filters; Alex keeps his Bedrock calls and his Kiro credits, nobody else is shown."""
    logs, qdev, records = scene
    args = ("--developer-costs", MONTH, "--user-pattern", "alex")
    code, text, _ = run(capsys, logs, qdev, *args, "--format", "json", "--output-dir", "-")
    doc = json.loads(text)
    assert code == 0 and doc["filters"] == {"user_pattern": "alex"}
    (alex,) = doc["rows"]
    assert alex["bedrock_calls"] == sum(user_of(r) == "alex@example.com" for r in records) == 3
    assert alex["kiro_credits_in_plan"] == 40
    terminal = run(capsys, logs, qdev, *args)[1]
    assert 'Only the calls of {"user_pattern":"alex"}: not the whole month\'s cost of every developer.' in terminal
    assert "ana.silva@example.com" not in terminal and "bora@example.com" not in terminal


@pytest.mark.usefixtures("offline")
def test_a_model_filter_narrows_the_bedrock_calls_only_and_says_so(
        scene: tuple[Path, Path, list[dict]], capsys: pytest.CaptureFixture[str]) -> None:
    """``--model`` keeps every Amazon Q / Kiro subscriber (Ana, without a Bedrock call of it) and says so."""
    logs, qdev, records = scene
    code, text, _ = run(capsys, logs, qdev, "--developer-costs", MONTH, "--model", HAIKU, "--format", "json",
                        "--output-dir", "-")
    doc = json.loads(text)
    assert code == 0 and doc["filters"] == {"models": [HAIKU]}
    rows = {row["developer"]: row for row in doc["rows"]}
    assert set(rows) == {"alex@example.com", "bora@example.com", "ana.silva@example.com"}
    assert rows["ana.silva@example.com"]["kiro_credits_in_plan"] == 100
    assert rows["bora@example.com"]["bedrock_calls"] == sum(user_of(r) == "bora@example.com" for r in records)
    assert ("--model narrows the Bedrock calls only: every Amazon Q Developer / Kiro subscriber is listed, with "
            "their whole seat and Kiro cost") in doc["warnings"]


def priced_cost(records: list[dict], user: str) -> float:
    """The cost of ``user``'s Claude 3 Haiku calls at the published price: the priced part of their Bedrock spend."""
    return math.fsum(r["input"]["inputTokenCount"] * HAIKU_RATES[0] + r["output"]["outputTokenCount"] * HAIKU_RATES[1]
                     for r in records if user_of(r) == user and r["modelId"] == HAIKU)


@pytest.mark.usefixtures("offline")
def test_a_developer_with_unpriced_bedrock_calls_shows_the_priced_part_marked(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Alex has a call of a model without a price: his Bedrock cost and total are marked ``(priced part)`` and a
    note names him; Bora's, all priced, are not; JSON keeps the numbers and the count of unpriced calls."""
    logs, qdev, records = write_scene(tmp_path, [call(9, "alex@example.com", MYSTERY), call(10, "carl@example.com",
                                                                                           MYSTERY)])
    alex, bora = priced_cost(records, "alex@example.com"), priced_cost(records, "bora@example.com")
    kiro = 20.0  # Kiro Pro's published $20 a month, the whole of November
    code, text, _ = run(capsys, logs, qdev, "--developer-costs", MONTH)
    assert code == 0
    lines = text.splitlines()
    header = next(line for line in lines if line.startswith("Developer"))
    names = re.split(r"\s{2,}", header.strip())
    cells = {row[0]: dict(zip(names, row, strict=True)) for row in
             (re.split(r"\s{2,}", line.strip()) for line in lines if line.startswith(("alex@", "bora@", "carl@")))}
    assert cells["alex@example.com"]["Bedrock cost"] == f"${alex:,.4f} (priced part)"
    assert cells["alex@example.com"]["Total"] == f"${alex + kiro:,.4f} (priced part)"
    assert (cells["bora@example.com"]["Bedrock cost"], cells["bora@example.com"]["Total"]) == (
        f"${bora:,.4f}", f"${bora:,.4f}")
    assert (cells["carl@example.com"]["Bedrock cost"], cells["carl@example.com"]["Total"]) == ("unpriced", "-")
    assert ("  - Bedrock calls without a price for 2 developers (alex@example.com: 1 call; carl@example.com: 1 call): "
            "their Bedrock cost and total are the priced part only") in text
    doc = json.loads(run(capsys, logs, qdev, "--developer-costs", MONTH, "--format", "json", "--output-dir", "-")[1])
    rows = {row["developer"]: row for row in doc["rows"]}
    assert rows["alex@example.com"]["bedrock_cost_usd"] == pytest.approx(alex, rel=1e-12)
    assert rows["alex@example.com"]["total_cost_usd"] == pytest.approx(alex + kiro, rel=1e-12)
    assert [rows[name]["bedrock_unpriced_calls"] for name in ("alex@example.com", "bora@example.com")] == [1, 0]


def write_unreadable_prompt_logs(root: Path, count: int) -> None:
    """``count`` Amazon Q Developer prompt-log files cut short (not whole gzip) on 2025-11-04."""
    folder = (root / "AWSLogs" / KIRO_ACCOUNT / "QDeveloperLogs" / "GenerateAssistantResponse" / "us-east-1"
              / "2025" / "11" / "04" / "10")
    folder.mkdir(parents=True)
    whole = gzip.compress(json.dumps({"records": []}).encode() * 20)
    for n in range(count):
        (folder / f"{KIRO_ACCOUNT}_GenerateAssistantResponse_20251104T10{n:02d}00Z_x.json.gz").write_bytes(whole[:20])


@pytest.mark.usefixtures("offline")
def test_developer_costs_are_refused_when_no_amazon_q_or_kiro_file_could_be_read(
        scene: tuple[Path, Path, list[dict]], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Two prompt logs cut short and a Kiro report without its header, nothing else: every seat would show $0 as if
    nobody had one, so the run exits 1 with one line saying which files could not be read and how many."""
    logs, _, _ = scene
    qdev = tmp_path / "unreadable"
    write_unreadable_prompt_logs(qdev, 2)
    write_report(qdev, date(2025, 11, 5), [ana(date(2025, 11, 5), 10)], header=("Day", "User"))
    code, out, err = run(capsys, logs, qdev, "--developer-costs", MONTH)
    assert (code, out) == (1, "")
    assert err.startswith("error: none of the 3 Amazon Q / Kiro files of 2025-11-01 .. 2025-11-30 (UTC) could be read "
                          "(2 prompt-log files: 2 truncated or corrupt gzip; 1 Kiro user report: 1 no Date/UserId "
                          "header), so no developer costs are made")
    assert err.count("\n") == 1


@pytest.mark.usefixtures("offline")
def test_developer_costs_stand_when_some_amazon_q_file_was_read_or_none_was_there(
        scene: tuple[Path, Path, list[dict]], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Unreadable prompt logs beside a readable Kiro report: the report stands, with a warning (exit 0); a folder
    without any file of the month is as before (exit 0), its seats none."""
    logs, qdev, _ = scene
    write_unreadable_prompt_logs(qdev, 2)
    code, out, _ = run(capsys, logs, qdev, "--developer-costs", MONTH, "--format", "json", "--output-dir", "-")
    doc = json.loads(out)
    in_plan = {row["developer"]: row["kiro_credits_in_plan"] for row in doc["rows"]}
    assert code == 0 and in_plan["ana.silva@example.com"] == 100
    assert "Amazon Q / Kiro: skipped 2 unreadable prompt-log files (2 truncated or corrupt gzip)" in doc["warnings"]
    other_month = tmp_path / "october"
    write_report(other_month, date(2025, 10, 10), [ana(date(2025, 10, 10), 10)])
    code, out, _ = run(capsys, logs, other_month, "--developer-costs", MONTH, "--format", "json", "--output-dir", "-")
    assert code == 0 and not any(row["seat_cost_usd"] or row["kiro_tier"] for row in json.loads(out)["rows"])


@pytest.mark.usefixtures("offline")
@pytest.mark.parametrize("mode", ["--developer-costs", "--chargeback"])
def test_the_month_in_progress_names_the_days_read_not_days_to_come(
        scene: tuple[Path, Path, list[dict]], mode: str, capsys: pytest.CaptureFixture[str]) -> None:
    """The current month is read through today: a month without calls says so of its first day .. today, never of
    the days to come."""
    logs, qdev, _ = scene
    today = datetime.now(UTC).date()
    first = today.replace(day=1)
    code, out, err = run(capsys, logs, qdev if mode == "--developer-costs" else None, mode, first.strftime("%Y-%m"),
                         "--format", "json", "--output-dir", "-")
    if datetime.now(UTC).date() != today:
        pytest.skip("the day changed during the test")
    assert code == 0, err
    (no_calls,) = [line for line in json.loads(out)["warnings"] if line.startswith("no calls in ")]
    assert no_calls.startswith(f"no calls in {first} .. {today} (UTC) in us-east-1 ")


@pytest.mark.usefixtures("offline")
@pytest.mark.slow
def test_seats_kiro_costs_and_the_total_say_they_are_estimated(
        scene: tuple[Path, Path, list[dict]], capsys: pytest.CaptureFixture[str]) -> None:
    """Seats and Kiro tiers read as subscription prices, as if billed: they are published prices prorated by day,
    so they and the total are estimated (terminal and JSON ``accuracy``), and the total says it holds no Amazon Q
    virtual cost; credits and requests, as reported and logged, are exact."""
    logs, qdev, _ = scene
    code, out, _ = run(capsys, logs, qdev, "--developer-costs", MONTH, "--format", "json", "--output-dir", "-")
    accuracy = json.loads(out)["accuracy"]
    assert code == 0
    assert {name: accuracy[name].split(":")[0] for name in ("seat_cost", "kiro_cost", "total", "kiro_credits",
                                                             "qdev_requests")} == \
        {"seat_cost": "estimated", "kiro_cost": "estimated", "total": "estimated", "kiro_credits": "exact",
         "qdev_requests": "exact"}
    assert "virtual cost" in accuracy["total"] and "not in it" in accuracy["total"]
    code, out, _ = run(capsys, logs, qdev, "--developer-costs", MONTH)
    assert code == 0
    assert "seats and Kiro tiers are estimated too, from published subscription prices prorated by day; so is the " \
           "total, which holds no Amazon Q virtual cost." in out
    assert "subscription prices." not in out
