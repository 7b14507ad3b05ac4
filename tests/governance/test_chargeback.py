"""--chargeback and --developer-costs: long-form rows, totals and unpriced usage against a plain computation."""

from __future__ import annotations

import csv
import json
import math
import subprocess
import sys
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bedrock_usage.demo.writer import write_local
from bedrock_usage.engines.local import LocalEngine
from bedrock_usage.engines.queries import Filters
from bedrock_usage.errors import UsageError
from bedrock_usage.governance.chargeback import QDevUser, developer_costs, month_period
from bedrock_usage.logs.period import Period
from bedrock_usage.qdev.people import read_user_map
from bedrock_usage.qdev.synthetic import write_qdev_corpus
from bedrock_usage.report.tracker import BedrockAthenaTracker
from tests.oracle import caller, published_rates

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = "123456789012"
NAMES = {  # the book's names of the models used, to key expected rows; unknown models keep their id
    "anthropic.claude-3-haiku-20240307-v1:0": "Claude 3 Haiku",
    "us.anthropic.claude-sonnet-4-5-20250929-v1:0": "Claude Sonnet 4.5",
    "global.anthropic.claude-sonnet-4-5-20250929-v1:0": "Claude Sonnet 4.5",
    "anthropic.claude-opus-4-1-20250805-v1:0": "Claude Opus 4.1",
    "example.unlisted-model-v1:0": "example.unlisted-model-v1:0",  # a model no price book lists
}
SSO = "AWSReservedSSO_Developers_0123456789abcdef"
CALLERS = [
    (f"arn:aws:sts::{ACCOUNT}:assumed-role/Chatbot-BedrockRole/w", {"team": "support"}),
    (f"arn:aws:sts::{ACCOUNT}:assumed-role/Search-BedrockRole/w", {"team": "search"}),
    (f"arn:aws:iam::{ACCOUNT}:user/batch-svc", {}),
    (f"arn:aws:sts::{ACCOUNT}:assumed-role/{SSO}/alex@example.com", {"team": "platform"}),
    (f"arn:aws:sts::{ACCOUNT}:assumed-role/{SSO}/bora@example.com", {}),
]


def usage() -> list[dict]:
    """November calls of five callers and four models (one unpriced), plus calls just outside the month."""
    models = list(NAMES)
    records = []
    for n in range(160):
        arn, tags = CALLERS[n % len(CALLERS)]
        when = datetime(2025, 10, 31, 23, tzinfo=UTC) + timedelta(hours=4.5 * n)
        rec = {"schemaType": "ModelInvocationLog", "schemaVersion": "1.0",
               "timestamp": when.strftime("%Y-%m-%dT%H:%M:%SZ"), "accountId": ACCOUNT, "identity": {"arn": arn},
               "region": "us-east-1", "requestId": f"req-{n}", "operation": "Converse",
               "modelId": models[(n // 3) % len(models)],
               "input": {"inputTokenCount": 500 + 13 * n, "cacheReadInputTokenCount": 40 * (n % 4)},
               "output": {"outputTokenCount": 120 + 7 * n}}
        if n % 17 == 0:
            rec["errorCode"] = "ThrottlingException"
        if tags:
            rec["requestMetadata"] = tags
        records.append(rec)
    return records


def expected_rows(records: list[dict], month: str, key: str) -> dict[tuple[str, str], dict]:
    """(group, model name) -> totals; model "" is the group total, ("", "") the grand total."""
    out: dict[tuple[str, str], dict] = defaultdict(lambda: {"calls": 0, "errors": 0, "input_tokens": 0,
                                                            "output_tokens": 0, "cache_read_tokens": 0,
                                                            "unpriced_calls": 0, "terms": []})
    for rec in records:
        if rec["timestamp"][:7] != month:
            continue
        user, application = caller(rec)
        tags = rec.get("requestMetadata") or {}
        group = {"application": application, "user": user}.get(key) or tags.get(key[4:], "(untagged)")
        day = date.fromisoformat(rec["timestamp"][:10])
        rates = published_rates(rec["modelId"], day, False)
        cache_read = rec["input"]["cacheReadInputTokenCount"]
        for row_key in ((group, NAMES[rec["modelId"]]), (group, ""), ("", "")):
            t = out[row_key]
            t["calls"] += 1
            t["errors"] += 1 if rec.get("errorCode") else 0
            t["input_tokens"] += rec["input"]["inputTokenCount"]
            t["output_tokens"] += rec["output"]["outputTokenCount"]
            t["cache_read_tokens"] += cache_read
            if rates is None or (cache_read and rates[3] is None):  # a token kind the model has no price for
                t["unpriced_calls"] += 1
            else:
                t["terms"] += [rec["input"]["inputTokenCount"] * rates[0] / 1000,
                               rec["output"]["outputTokenCount"] * rates[1] / 1000,
                               cache_read * (rates[3] or 0.0) / 1000]
    return dict(out)


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("chargeback") / "logs"
    write_local(root, usage())
    return root


def run_cli(env: dict[str, str], logs: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(ROOT / "bedrock_tracker_cli.py"), "--engine", "local", "--logs-dir", str(logs),
               "--region", "us-east-1", *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)


@pytest.mark.slow
@pytest.mark.parametrize("group_by", ["application", "user", "tag:team"])
def test_chargeback_rows_equal_plain_computation(logs: Path, no_aws_env: dict[str, str], group_by: str) -> None:
    result = run_cli(no_aws_env, logs, "--chargeback", "2025-11", "--chargeback-by", group_by, "--format", "json",
                     "--output-dir", "-")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["schema"] == "bedrock-usage/chargeback/v1" and doc["month"] == "2025-11"
    expected = expected_rows(usage(), "2025-11", group_by)
    rows = {(r["group"], r["model"]): r for r in doc["rows"]}
    assert set(rows) == set(expected)
    kinds = {(r["group"], r["model"]): r["row_type"] for r in doc["rows"]}
    assert kinds[("", "")] == "grand_total" and all(
        kinds[k] == ("group_total" if k[1] == "" else "model") for k in kinds if k[0])
    for key, want in expected.items():
        row = rows[key]
        for name in ("calls", "errors", "input_tokens", "output_tokens", "cache_read_tokens", "unpriced_calls"):
            assert row[name] == want[name], (key, name)
        assert row["month"] == "2025-11" and row["group_by"] == group_by
        if want["terms"]:
            assert row["estimated_cost_usd"] == pytest.approx(math.fsum(want["terms"]), abs=1e-9), key
        else:
            assert row["estimated_cost_usd"] is None, key  # never a silent 0
    assert sum(u["calls"] for u in doc["unpriced"]) == expected[("", "")]["unpriced_calls"] > 0
    assert "example.unlisted-model-v1:0" in {u["model_id"] for u in doc["unpriced"]}


@pytest.mark.slow
def test_chargeback_schema_is_documented(logs: Path, no_aws_env: dict[str, str], tmp_path: Path) -> None:
    result = run_cli(no_aws_env, logs, "--chargeback", "2025-11", "--format", "json", "--output-dir", "-")
    doc = json.loads(result.stdout)
    columns = [c["name"] for c in doc["columns"]]
    assert all(list(row) == columns for row in doc["rows"])
    accuracy = {c["name"]: c["accuracy"] for c in doc["columns"]}
    assert {accuracy[c] for c in columns if c.endswith("_usd")} == {"estimated"}
    assert {accuracy[c] for c in columns if c.endswith("_tokens") or c == "calls"} == {"exact"}
    assert {c["unit"] for c in doc["columns"] if c["name"].endswith("_usd")} == {"USD"}
    docs = (ROOT / "docs" / "governance.md").read_text()
    assert all(f"`{name}`" in docs for name in columns)

    out = tmp_path / "out"
    out.mkdir()
    (out / "bedrock_chargeback_2025-11_tag-team.csv").write_text("a previous run's figures\n")
    files = run_cli(no_aws_env, logs, "--chargeback", "2025-11", "--chargeback-by", "tag:team", "--format", "csv",
                    "--output-dir", str(out))
    assert files.returncode == 0, files.stderr
    # stable names: a monthly job's run replaces the previous run's files, never writes "_2" files beside them
    assert sorted(p.name for p in out.iterdir()) == ["bedrock_chargeback_2025-11_tag-team.csv",
                                                     "bedrock_chargeback_2025-11_tag-team_unpriced.csv"]
    with (out / "bedrock_chargeback_2025-11_tag-team.csv").open() as handle:
        assert next(csv.reader(handle)) == columns
    with (out / "bedrock_chargeback_2025-11_tag-team_unpriced.csv").open() as handle:
        assert "example.unlisted-model-v1:0" in {r["model_id"] for r in csv.DictReader(handle)}


@pytest.mark.parametrize(("args", "message"), [
    (("--chargeback", "2025-13"), "YYYY-MM"),
    (("--chargeback", "2025-11", "--chargeback-by", "team"), "application, user or tag:KEY"),
    (("--chargeback", "2025-11", "--reconcile"), "choose one of --reconcile, --chargeback"),
    (("--chargeback", "2025-11", "--output-dir", "-"), "add --format json"),
])
@pytest.mark.slow
def test_chargeback_mistakes_are_exit_1(logs: Path, no_aws_env: dict[str, str], args: tuple, message: str) -> None:
    result = run_cli(no_aws_env, logs, *args)
    assert result.returncode == 1 and message in result.stderr and "Traceback" not in result.stderr


def test_month_period() -> None:
    assert month_period("2024-02", "Asia/Seoul") == Period(date(2024, 2, 1), date(2024, 2, 29), "Asia/Seoul")
    with pytest.raises(UsageError, match=r"^month '2024-2' is not in YYYY-MM form$"):
        month_period("2024-2", "UTC")


def test_developer_costs_join_sso_emails_and_prorate_seats(logs: Path) -> None:
    facts, _, _ = BedrockAthenaTracker(LocalEngine(logs)).facts(Period(date(2025, 11, 1), date(2025, 11, 30)),
                                                               ("us-east-1",), Filters())
    users = [QDevUser("Alex@Example.com", "d-1.alex", requests=12, events=40, q_developer=True),
             QDevUser("d-1.casey", "d-1.casey", requests=3, q_developer=True),
             QDevUser("bora@example.com", "b0ra", kiro=True, kiro_tier="PRO_PLUS", kiro_credits=812.5,
                      kiro_overage_credits=0.0, kiro_cost_usd=20.0),
             QDevUser("dana@example.com", "d4na", kiro=True, kiro_tier="PRO_MAX", kiro_credits=10.0)]
    table = developer_costs(facts, users, date(2025, 11, 1), date(2025, 11, 15))
    rows = {r["developer"].lower(): r for r in table.to_dict("records")}
    # SSO users only: IAM users and application roles are not developers here.
    assert set(rows) == {"alex@example.com", "bora@example.com", "d-1.casey", "dana@example.com"}
    expected = expected_rows(usage(), "2025-11", "user")
    alex = rows["alex@example.com"]
    assert alex["qdev_user_ids"] == "d-1.alex" and alex["qdev_requests"] == 12 and alex["qdev_events"] == 40
    assert alex["bedrock_calls"] == expected[("alex@example.com", "")]["calls"]
    assert alex["bedrock_cost_usd"] == pytest.approx(math.fsum(expected[("alex@example.com", "")]["terms"]), abs=1e-9)
    assert alex["seat_cost_usd"] == pytest.approx(19.0 * 15 / 30) and math.isnan(alex["kiro_cost_usd"])
    assert alex["total_cost_usd"] == pytest.approx(alex["bedrock_cost_usd"] + 9.5)
    bora = rows["bora@example.com"]  # Bedrock as an SSO session, Kiro through the e-mail of the Kiro report
    assert bora["seat_cost_usd"] == 0 and bora["kiro_tier"] == "PRO_PLUS" and bora["kiro_credits"] == 812.5
    assert bora["total_cost_usd"] == pytest.approx(bora["bedrock_cost_usd"] + 20.0)
    assert rows["d-1.casey"]["bedrock_calls"] == 0
    dana = rows["dana@example.com"]  # a tier without a published price: unknown, not 0
    assert math.isnan(dana["kiro_cost_usd"])
    assert dana["total_cost_usd"] == 0


@pytest.mark.slow
def test_developer_costs_cli_with_q_developer_and_kiro_logs(logs: Path, no_aws_env: dict[str, str],
                                                            tmp_path: Path) -> None:
    qdev = write_qdev_corpus(tmp_path / "qdev", start=date(2025, 11, 3), end=date(2025, 11, 16), users=4,
                             emails=["alex@example.com", "casey@example.com", "drew@example.com", "bora@example.com"])
    kiro_user = qdev.users[3]  # every fourth user also uses Kiro: named by the e-mail of the Kiro report
    assert kiro_user.uses_kiro and kiro_user.email == "bora@example.com"
    user_map = tmp_path / "users.csv"
    with user_map.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["userId", "email"])
        writer.writerows((user.user_id, user.email) for user in qdev.users[:3])  # the Kiro user is not in it
    result = run_cli(no_aws_env, logs, "--developer-costs", "2025-11", "--qdev-logs-dir", str(tmp_path / "qdev"),
                     "--user-map", str(user_map), "--format", "json", "--output-dir", "-")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["schema"] == "bedrock-usage/developer-costs/v2" and "$19" in doc["seat"]
    rows = {r["developer"]: r for r in doc["rows"]}
    assert set(qdev.emails.values()) == set(rows)
    alex = rows["alex@example.com"]  # in both: Bedrock as an SSO session, Q Developer through the map
    assert alex["seat_cost_usd"] == pytest.approx(19.0) and alex["bedrock_calls"] > 0 and alex["qdev_requests"] > 0
    assert alex["total_cost_usd"] == pytest.approx(alex["bedrock_cost_usd"] + 19.0)
    bora = rows["bora@example.com"]
    credits = kiro_report_credits(tmp_path / "qdev", kiro_user.store_user_id, "2025-11")
    assert bora["bedrock_calls"] > 0 and bora["kiro_tier"] == kiro_user.tier
    assert bora["kiro_credits"] + bora["kiro_overage_credits"] == pytest.approx(credits)
    allowance, price = {"PRO": (1000, 20.0), "PRO_PLUS": (2000, 40.0), "POWER": (10000, 200.0)}[kiro_user.tier]
    assert bora["kiro_cost_usd"] == pytest.approx(price + bora["kiro_overage_credits"] * 0.04)
    assert bora["total_cost_usd"] == pytest.approx(bora["bedrock_cost_usd"] + bora["seat_cost_usd"]
                                                   + bora["kiro_cost_usd"])
    assert not any("no e-mail" in line for line in doc["warnings"])


def kiro_report_credits(root: Path, user: str, month: str) -> float:
    """In-plan plus overage credits of ``user`` in ``month``, from the Kiro user reports under ``root``."""
    total = 0.0
    for path in root.rglob("*_user_report_*.csv"):
        for row in csv.DictReader(path.read_text().splitlines()):
            if row["UserId"] == user and row["Date"].startswith(month):
                total += float(row["Credits_Used"] or 0) + float(row["Overage_Credits_Used"] or 0)
    return total


def test_user_map_needs_its_columns(tmp_path: Path) -> None:
    path = tmp_path / "map.csv"
    path.write_text("id,mail\nx,y@z\n")
    with pytest.raises(UsageError, match="userId and email"):
        read_user_map(path)
    uuid = "aaaaaaaa-0000-4000-8000-000000000001"
    path.write_text(f"UserId,Email,DisplayName\nd-1234567890.{uuid},A@example.com,Ann\n")
    (identity,) = read_user_map(path).items()
    assert identity[0] == uuid and (identity[1].email, identity[1].display_name) == ("a@example.com", "Ann")
