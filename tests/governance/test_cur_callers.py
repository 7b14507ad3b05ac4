"""--reconcile --cur-dir: the bill per caller from a local CUR 2.0 export (DuckDB) beside the logs' estimate.

The export is Parquet in its published shape (tests/governance/cur_export.py); the CLI runs as a subprocess
(or in-process through its main()) with no AWS credentials at all. Expected figures come from
tests/governance/cur_scenario.py's plain Python over the same line items and records.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from collections import defaultdict
from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

import bedrock_tracker_cli
from bedrock_usage.demo.writer import write_local
from bedrock_usage.governance.callers import reconcile_callers
from bedrock_usage.governance.cur import read_cur_dir
from bedrock_usage.logs.period import Period
from tests.governance import cur_scenario as sc
from tests.governance.cur_export import LineItem, write_export

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def account(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("cur-account")
    served = sc.served_calls()
    logged = sc.logged(served)
    items = sc.line_items(served)
    write_local(root / "logs", logged)
    export = write_export(root / "bucket", items)
    return {"logs": root / "logs", "export": export, "bucket": root / "bucket", "served": served, "logged": logged,
            "items": items}


def run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "bedrock_tracker_cli.py"), *args], capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=300)


def cur_args(account: dict, *extra: str, cur_dir: Path | None = None) -> list[str]:
    return ["--engine", "local", "--logs-dir", str(account["logs"]), "--reconcile", "--cur-dir",
            str(cur_dir or account["export"]), "--region", *sc.REGIONS, "--start-date", sc.DAYS[0].isoformat(),
            "--end-date", sc.DAYS[-1].isoformat(), *extra]


def by_caller(doc: dict) -> dict[tuple[str, str], dict]:
    return {(row["user"], row["application"]): row for row in doc["by_caller"]}


@pytest.mark.slow
def test_json_per_caller_equals_plain_computation(account: dict, no_aws_env: dict[str, str]) -> None:
    result = run_cli(no_aws_env, *cur_args(account, "--format", "json", "--output-dir", "-"))
    assert result.returncode == 3, result.stderr  # bob was billed and never logged
    doc = json.loads(result.stdout)
    assert doc["schema"] == "bedrock-usage/caller-reconciliation/v4"
    assert doc["bill"].startswith("CUR 2.0 export copy in ")
    billed = sc.expected_billed(account["items"])
    estimated = sc.expected_estimated(account["logged"])
    rows = by_caller(doc)
    assert set(rows) == set(billed) | set(estimated)
    for key, row in rows.items():
        if key in billed:
            assert row["billed_cost_usd"] == pytest.approx(billed[key], abs=1e-9), key
        else:
            assert row["billed_cost_usd"] is None, key
        if key in estimated:
            assert row["estimated_cost_usd"] == pytest.approx(estimated[key], abs=1e-9), key
            if key in billed:
                assert row["difference_usd"] == pytest.approx(estimated[key] - billed[key], abs=1e-9), key
                assert row["ratio"] == pytest.approx(estimated[key] / billed[key]), key
    bob, dave = sc.who(sc.BOB), sc.who(sc.DAVE)
    assert rows[bob]["status"] == "billed, no logs" and rows[bob]["logged_calls"] == 0
    assert rows[dave]["status"] == "logged, no bill"
    assert [(r["user"], r["application"]) for r in doc["billed_without_logs"]] == [bob]
    assert [(r["user"], r["application"]) for r in doc["logged_without_bill"]] == [dave]
    # Four sessions of the Support role are one application; its gap day makes the estimate short.
    support = sc.who(sc.support(0))
    assert support == ("Support-BedrockRole", "Support") and rows[support]["status"] == "billed and logged"
    assert rows[support]["difference_usd"] < 0
    summary = doc["summary"]
    assert summary["billed_cost_usd"] == pytest.approx(sum(billed.values()), abs=1e-9)
    assert summary["unattributed_billed_usd"] == pytest.approx(3.0)
    assert summary["callers_billed_without_logs"] == 1


@pytest.mark.slow
def test_per_model_day_and_month(account: dict, no_aws_env: dict[str, str]) -> None:
    doc = json.loads(run_cli(no_aws_env, *cur_args(account, "--format", "json", "--output-dir", "-")).stdout)
    alice = sc.who(sc.ALICE)
    models = {row["model"]: row for row in doc["by_caller_model"] if (row["user"], row["application"]) == alice}
    haiku = [i.cost for i in account["items"] if sc.counted(i) and i.principal == sc.ALICE
             and i.usage_type.startswith("USE1-Claude3Haiku")]
    assert models["Claude 3 Haiku"]["billed_cost_usd"] == pytest.approx(sum(haiku), abs=1e-9)
    assert models["Claude 3 Haiku"]["difference_usd"] == pytest.approx(0, abs=1e-9)  # every call logged
    assert models["(not named by the usage type)"]["billed_cost_usd"] == pytest.approx(0.25)
    assert models["(not named by the usage type)"]["status"] == "billed, no logs"

    support = sc.who(sc.support(0))
    days = {row["utc_day"]: row for row in doc["by_caller_day"] if (row["user"], row["application"]) == support}
    assert set(days) == {d.isoformat() for d in sc.DAYS}
    assert days[sc.GAP_DAY.isoformat()]["status"] == "billed, no logs"
    assert days[sc.DAYS[0].isoformat()]["difference_usd"] == pytest.approx(0, abs=1e-9)

    expected = sc.expected_months(account["items"], account["logged"])
    months = {row["month"]: row for row in doc["by_month"]}
    assert set(months) == set(expected) == {"2025-10", "2025-11"}
    for month, (billed, estimated, loose) in expected.items():
        assert months[month]["billed_cost_usd"] == pytest.approx(billed, abs=1e-9)
        assert months[month]["estimated_cost_usd"] == pytest.approx(estimated, abs=1e-9)
        assert months[month]["unattributed_billed_usd"] == pytest.approx(loose, abs=1e-9)
    assert [(r["usage_type"], r["billed_cost_usd"]) for r in doc["unattributed"]] == [
        ("USE1-ProvisionedThroughput-ModelUnits", 3.0)]
    erin = [r for r in doc["outside_regions"] if (r["user"], r["application"]) == sc.who(sc.ERIN)]
    erin_billed = sum(i.cost for i in account["items"] if sc.counted(i) and i.principal == sc.ERIN)
    assert len(erin) == 1 and erin[0]["region"] == "eu-west-1"
    assert erin[0]["billed_cost_usd"] == pytest.approx(erin_billed, abs=1e-9)


@pytest.mark.slow
def test_terminal_and_csv(account: dict, no_aws_env: dict[str, str], tmp_path: Path) -> None:
    result = run_cli(no_aws_env, *cur_args(account))
    assert result.returncode == 3, result.stderr
    out = result.stdout
    assert "Amazon Bedrock cost per caller: the bill vs the logs' estimate" in out
    assert "ATTENTION: 1 callers billed with no logs" in out and "  - bob: billed $" in out
    assert "  - dave: logged, no bill, estimated $" in out
    assert "was billed in regions whose logs were not read (eu-west-1)" in out
    assert "CloudWatch" not in out  # --cur-dir reads local files only
    folder = tmp_path / "out"
    result = run_cli(no_aws_env, *cur_args(account, "--format", "csv", "--output-dir", str(folder)))
    assert result.returncode == 3, result.stderr
    names = sorted(p.name.split("_", 4)[-1] for p in folder.glob("bedrock_reconciliation_*.csv"))
    assert names == ["batch.csv", "caller.csv", "caller_day.csv", "caller_model.csv", "caller_month.csv",
                     "outside_regions.csv", "unattributed.csv"]


@pytest.mark.slow
def test_cur_dir_mistakes(account: dict, no_aws_env: dict[str, str], tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run_cli(no_aws_env, *cur_args(account, cur_dir=empty))
    assert result.returncode == 1 and result.stderr.startswith(f"error: no CUR 2.0 export under {empty}")
    second = write_export(tmp_path / "two", [LineItem(sc.ACCOUNT, sc.ALICE, *sc.BEDROCK, sc.TITAN, "us-east-1",
                                                      sc.DAYS[0], 1.0)], export="a")
    write_export(tmp_path / "two", [LineItem(sc.ACCOUNT, sc.ALICE, *sc.BEDROCK, sc.TITAN, "us-east-1",
                                             sc.DAYS[0], 1.0)], export="b")
    result = run_cli(no_aws_env, *cur_args(account, cur_dir=second.parent))
    assert result.returncode == 1 and "holds the billing periods of 2 exports" in result.stderr
    result = run_cli(no_aws_env, "--engine", "local", "--logs-dir", str(account["logs"]), "--cur-dir",
                     str(account["export"]))
    assert result.returncode == 1 and "--cur-dir, --cur and --ce-principal-tag go with --reconcile" in result.stderr
    result = run_cli(no_aws_env, *cur_args(account, "--account", "12345"))
    assert result.returncode == 1 and "--account '12345' is not a 12-digit AWS account id" in result.stderr


@pytest.mark.parametrize("timestamps", [pa.timestamp("ms"), pa.timestamp("us", tz="UTC")])
def test_reader_keeps_the_account_and_usage_lines(account: dict, tmp_path: Path, timestamps: pa.DataType) -> None:
    export = write_export(tmp_path, account["items"], timestamps=timestamps)
    period = Period(sc.DAYS[0], sc.DAYS[-1])
    billed = read_cur_dir(export, period, sc.ACCOUNT)
    kept = [i for i in account["items"] if sc.counted(i)]
    assert len(billed.lines) == len(kept)
    assert billed.lines["billed_cost_usd"].sum() == pytest.approx(sum(i.cost for i in kept), abs=1e-9)
    assert set(billed.lines["service"]) == {"Amazon Bedrock", "Amazon Bedrock Service", sc.SONNET_SERVICE}
    assert billed.warnings == []
    other = read_cur_dir(export, period, sc.MEMBER)
    assert list(other.lines["billed_cost_usd"]) == [7.0]


def test_monthly_export_and_missing_periods(tmp_path: Path) -> None:
    items = [LineItem(sc.ACCOUNT, sc.ALICE, *sc.BEDROCK, "USE1-Claude3Haiku-input-tokens", "us-east-1",
                      date(2025, 11, 1), 30.0, 1, span_days=30)]
    export = write_export(tmp_path, items)
    billed = read_cur_dir(export, Period(date(2025, 10, 30), date(2025, 11, 3)), sc.ACCOUNT)
    assert billed.lines.empty
    assert billed.warnings == [
        f"no export files for billing period 2025-10 under {export}",
        "1 line items ($30.0000) span more than a day and are left out: the export's time granularity is MONTHLY; "
        "per-day reconciliation needs DAILY or HOURLY",
    ]


def test_export_without_caller_identity(tmp_path: Path) -> None:
    items = [LineItem(sc.ACCOUNT, "", *sc.BEDROCK, "USE1-Claude3Haiku-input-tokens", "us-east-1", sc.DAYS[1], 2.0, 1)]
    export = write_export(tmp_path, items)
    period = Period(sc.DAYS[0], sc.DAYS[-1])
    billed = read_cur_dir(export, period, sc.ACCOUNT)


    rec = reconcile_callers(pd.DataFrame(columns=["source_region"]), billed, period, sc.REGIONS)
    assert rec.by_caller.empty and rec.summary()["unattributed_billed_usd"] == 2.0
    assert any("has no caller identity" in w for w in rec.warnings)


def test_logged_without_bill_on_recent_days_is_pending(account: dict) -> None:
    from bedrock_usage.engines.local import LocalEngine
    from bedrock_usage.report.tracker import BedrockAthenaTracker

    period = Period(sc.DAYS[0], sc.DAYS[-1])
    facts = BedrockAthenaTracker(LocalEngine(account["logs"], cache=False)).analyze(period, sc.REGIONS).facts
    billed = read_cur_dir(account["export"], period, sc.ACCOUNT)
    rec = reconcile_callers(facts, billed, period, sc.REGIONS, today=sc.DAYS[-1])
    dave = rec.by_caller.set_index(["user", "application"]).loc[sc.who(sc.DAVE)]
    assert dave["status"] == "logged, bill not in yet"
    day_notes = rec.by_caller_day.set_index("utc_day")["note"]
    assert set(day_notes.loc[sc.DAYS[-1].isoformat()]) == {"recent day: the bill may still be arriving"}


def test_files_of_a_create_new_export_are_named_not_read(tmp_path: Path) -> None:
    item = LineItem(sc.ACCOUNT, sc.ALICE, *sc.BEDROCK, "USE1-Claude3Haiku-input-tokens", "us-east-1", sc.DAYS[1],
                    2.0, 1)
    export = write_export(tmp_path, [item])
    partition = export / "data" / "BILLING_PERIOD=2025-10"
    (partition / "20251101T0000Z").mkdir()
    # a refresh's full copy in a subfolder, as an export that creates new files keeps one
    (partition / "bedrock-usage-cur2-00001.snappy.parquet").rename(partition / "20251101T0000Z" / "copy.parquet")
    write_export(tmp_path, [item])  # the partition's own file again
    billed = read_cur_dir(export, Period(sc.DAYS[0], sc.DAYS[1]), sc.ACCOUNT)
    assert list(billed.lines["billed_cost_usd"]) == [2.0]  # counted once
    assert billed.warnings == [
        "1 Parquet files in subfolders of BILLING_PERIOD=2025-10 are not read: an export that creates new files on "
        "each refresh keeps a full copy per refresh; use one with overwrite delivery",
    ]


def other_account_calls() -> list[dict]:
    """Calls of another account's IAM user named as this account's bob, in a region of this account's logs and in
    a region only the other account logs: none of them is this account's bill."""
    records = []
    for n, (region, day) in enumerate([("ap-northeast-2", sc.DAYS[0]), ("ap-northeast-2", sc.DAYS[1]),
                                       ("eu-central-1", sc.DAYS[2])]):
        records.append({
            "schemaType": "ModelInvocationLog", "schemaVersion": "1.0", "timestamp": f"{day}T08:0{n}:00Z",
            "accountId": sc.MEMBER, "identity": {"arn": f"arn:aws:iam::{sc.MEMBER}:user/bob"}, "region": region,
            "requestId": f"member-bob-{n}", "operation": "Converse",
            "modelId": "anthropic.claude-3-haiku-20240307-v1:0",
            "input": {"inputTokenCount": 2_000_000}, "output": {"outputTokenCount": 10_000},
        })
    return records


@pytest.mark.slow
def test_only_the_billed_accounts_callers_are_compared(account: dict, no_aws_env: dict[str, str],
                                                        tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    write_local(logs, [*account["logged"], *other_account_calls()])
    args = ["--engine", "local", "--logs-dir", str(logs), "--reconcile", "--cur-dir", str(account["export"]),
            "--start-date", sc.DAYS[0].isoformat(), "--end-date", sc.DAYS[-1].isoformat(), "--account", sc.ACCOUNT,
            "--format", "json", "--output-dir", "-"]
    result = run_cli(no_aws_env, *args)
    assert result.returncode == 3, result.stderr  # bob's own calls were never logged
    doc = json.loads(result.stdout)
    # Every region with logs is compared, also one only the other account logs: the account's calls there, billed
    # and unlogged, are what the comparison is for.
    logged_regions = {r["region"] for r in [*account["logged"], *other_account_calls()]}
    assert doc["account"] == sc.ACCOUNT and set(doc["regions"]) == logged_regions
    estimated: dict[tuple[str, str], list[float]] = {}
    for record in account["logged"]:
        estimated.setdefault(sc.who(record["identity"]["arn"]), []).extend(sc.cost_parts(record))
    billed: dict[tuple[str, str], list[float]] = {}
    for item in account["items"]:
        if sc.counted(item) and item.principal and item.region_code in logged_regions:
            billed.setdefault(sc.who(item.principal), []).append(item.cost)
    rows = by_caller(doc)
    assert set(rows) == set(estimated) | set(billed)
    for key, row in rows.items():
        assert row["logged_calls"] == sum(sc.who(r["identity"]["arn"]) == key for r in account["logged"]), key
        if key in estimated:
            assert row["estimated_cost_usd"] == pytest.approx(math.fsum(estimated[key]), abs=1e-9), key
        if key in billed:
            assert row["billed_cost_usd"] == pytest.approx(math.fsum(billed[key]), abs=1e-9), key
    assert rows[sc.who(sc.BOB)]["status"] == "billed, no logs"
    assert (f"{len(other_account_calls())} logged calls of callers in other accounts (210987654321) are left out: "
            "only account 123456789012's callers are compared with its bill") in doc["warnings"]


BATCHBOT = f"arn:aws:iam::{sc.ACCOUNT}:user/batchbot"  # runs batch jobs only: no logged call


def batch_items() -> list[LineItem]:
    """A batch job's line items (usage types of the Price List's batch meters): alice's, whose on-demand calls are
    all logged; batchbot's, who has no logged call at all; and one naming no principal, in the other month."""
    return [
        LineItem(sc.ACCOUNT, sc.ALICE, *sc.BEDROCK_SERVICE, "USE1-Claude4.5Sonnet-input-tokens-batch", "us-east-1",
                 sc.DAYS[1], 1.5, 500_000),
        LineItem(sc.ACCOUNT, BATCHBOT, *sc.BEDROCK, "USE1-NovaLite-input-tokens-batch", "us-east-1", sc.DAYS[1],
                 0.75, 25_000_000),
        LineItem(sc.ACCOUNT, "", *sc.BEDROCK_SERVICE, "APN2-Claude4Sonnet-output-tokens-cross-region-global-batch",
                 "ap-northeast-2", sc.DAYS[3], 0.5, 66_000),
    ]


@pytest.mark.slow
def test_batch_jobs_are_billed_apart_on_no_caller(account: dict, no_aws_env: dict[str, str], tmp_path: Path) -> None:
    jobs = batch_items()
    export = write_export(tmp_path / "bucket", [*account["items"], *jobs])
    result = run_cli(no_aws_env, *cur_args(account, "--format", "json", "--output-dir", "-", cur_dir=export))
    assert result.returncode == 3, result.stderr  # bob alone, as without the batch jobs
    doc = json.loads(result.stdout)
    rows = by_caller(doc)
    billed = sc.expected_billed(account["items"])  # the bill of the callers without the batch lines
    assert set(rows) == set(billed) | set(sc.expected_estimated(account["logged"]))
    for key, amount in billed.items():
        assert rows[key]["billed_cost_usd"] == pytest.approx(amount, abs=1e-9), key
    # No model row of alice's holds her batch job (Claude Sonnet 4.5), nor is batchbot a caller.
    assert {r["model"] for r in doc["by_caller_model"] if (r["user"], r["application"]) == sc.who(sc.ALICE)} == {
        "Claude 3 Haiku", "(not named by the usage type)"}
    assert sc.who(BATCHBOT) not in rows
    assert [(r["user"], r["application"]) for r in doc["billed_without_logs"]] == [sc.who(sc.BOB)]
    assert {(r["utc_day"], r["region"], r["usage_type"]): r["billed_cost_usd"] for r in doc["batch"]} == {
        (i.day.isoformat(), i.region_code, i.usage_type): i.cost for i in jobs}
    summary = doc["summary"]
    assert summary["batch_billed_usd"] == pytest.approx(sum(i.cost for i in jobs), abs=1e-9)
    assert summary["unattributed_billed_usd"] == pytest.approx(3.0)  # the provisioned line alone
    months = {row["month"]: row["batch_billed_usd"] for row in doc["by_month"]}
    assert months == pytest.approx({month: sum(i.cost for i in jobs if f"{i.day:%Y-%m}" == month)
                                    for month in ("2025-10", "2025-11")})
    regions = {region: sum(i.cost for i in jobs if i.region_code == region) for region in sorted(sc.REGIONS)}
    named = ", ".join(f"{region} (${amount:,.4f})" for region, amount in regions.items())
    assert (f"Batch inference billed ${sum(i.cost for i in jobs):,.4f} in {named} over the period; batch inference "
            "jobs write their results to the job's own S3 location, never to model invocation logs, so it is listed "
            "apart (batch), on no caller") in doc["warnings"]


ERIN_BATCH = LineItem(sc.ACCOUNT, sc.ERIN, *sc.BEDROCK, "EU-Claude3Haiku-input-tokens-batch", "eu-west-1", sc.DAYS[2],
                      0.625, 5_000_000)  # a batch job in eu-west-1, a region the run does not read


@pytest.mark.slow
def test_the_summary_keeps_to_the_months_rule(account: dict, no_aws_env: dict[str, str], tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    """Batch of a region not read (erin's eu-west-1 job) is in the summary's regions not read with that region's other
    charges, not in its batch, as per month: each summary part is its month column added up, and the parts add up to
    the bill. The batch lines still list that job, marked as of a region not read, and --region is advised for the
    on-demand charges alone."""
    jobs = [*batch_items(), ERIN_BATCH]
    items = [*account["items"], *jobs]
    export = write_export(tmp_path / "bucket", items)
    assert bedrock_tracker_cli.main(cur_args(account, "--format", "json", "--output-dir", "-", cur_dir=export)) == 3
    doc = json.loads(capsys.readouterr().out)
    # The answer in plain Python, from the line items as they were made.
    counted = [i for i in items if sc.counted(i)]
    unread = [i for i in counted if i.region_code not in sc.REGIONS]
    read_batch = [i for i in counted if i in jobs and i.region_code in sc.REGIONS]
    on_demand = [i for i in unread if i not in jobs]
    assert ERIN_BATCH in unread and on_demand
    summary = doc["summary"]
    assert summary["batch_billed_usd"] == pytest.approx(math.fsum(i.cost for i in read_batch), abs=1e-9)
    assert summary["billed_outside_regions_usd"] == pytest.approx(math.fsum(i.cost for i in unread), abs=1e-9)
    assert summary["billed_total_usd"] == pytest.approx(math.fsum(i.cost for i in counted), abs=1e-9)
    # The summary's parts are the months' columns added up, and both add up to the bill.
    columns = {"billed_cost_usd": "billed_cost_usd", "unattributed_billed_usd": "unattributed_billed_usd",
               "batch_billed_usd": "batch_billed_usd", "billed_outside_regions_usd": "billed_unread_regions_usd",
               "billed_total_usd": "billed_total_usd"}
    for part, column in columns.items():
        assert summary[part] == pytest.approx(math.fsum(row[column] for row in doc["by_month"]), abs=1e-9), part
    parts = [part for part in columns if part != "billed_total_usd"]
    assert math.fsum(summary[part] for part in parts) == pytest.approx(summary["billed_total_usd"], abs=1e-9)
    # Every batch line, with its region, says whether that region was read.
    assert {(r["utc_day"], r["region"], r["usage_type"]): (r["billed_cost_usd"], r["region_not_read"])
            for r in doc["batch"]} == {(i.day.isoformat(), i.region_code, i.usage_type):
                                       (pytest.approx(i.cost), i.region_code not in sc.REGIONS) for i in jobs}
    assert [(r["user"], r["region"]) for r in doc["outside_regions"]] == [(sc.who(sc.ERIN)[0], "eu-west-1")]
    amount = math.fsum(i.cost for i in on_demand)
    assert (f"${amount:,.4f} was billed in regions whose logs were not read (eu-west-1): add them with --region "
            "to compare them") in doc["warnings"]
    read = {region: math.fsum(i.cost for i in read_batch if i.region_code == region) for region in sorted(sc.REGIONS)}
    named = ", ".join(f"{region} (${cost:,.4f})" for region, cost in read.items())
    assert (f"Batch inference billed ${math.fsum(read.values()):,.4f} in {named} over the period; batch inference "
            "jobs write their results to the job's own S3 location, never to model invocation logs, so it is listed "
            "apart (batch), on no caller") in doc["warnings"]
    assert (f"Batch inference billed in regions whose logs were not read, eu-west-1 (${ERIN_BATCH.cost:,.4f}), is "
            "counted in Regions not read with their other charges, not in Batch billed, and listed with the batch "
            "lines as of a Region not read: batch is never compared with the logs, so adding those regions with "
            "--region would not compare it") in doc["warnings"]

    assert bedrock_tracker_cli.main(cur_args(account, "--max-rows", "0", cur_dir=export)) == 3
    text = capsys.readouterr().out
    assert (f"Batch inference billed in the regions read, listed apart on no caller and not compared with the logs: "
            f"${summary['batch_billed_usd']:,.4f}") in text
    assert (f"Billed in regions not read (their whole bill, batch included), not compared: "
            f"${math.fsum(i.cost for i in unread):,.4f}") in text
    assert (f"The period's bill: ${math.fsum(i.cost for i in counted):,.4f} (billed + no principal + batch + regions "
            "not read)") in text
    table = text.split("Lines of a Region not read are counted in Regions not read")[1].split("\n\n")[0]
    marked = [line for line in table.splitlines() if line.rstrip().endswith("yes")]
    assert len(marked) == 1 and "eu-west-1" in marked[0] and ERIN_BATCH.usage_type in marked[0]


@pytest.mark.slow
def test_each_month_keeps_to_the_regions_read_and_adds_up_to_its_bill(account: dict, no_aws_env: dict[str, str],
                                                                        tmp_path: Path) -> None:
    """Per month, batch of a region not read (erin's eu-west-1 job) is with that region's other charges, not in the
    batch column of the regions read, and each row's billed parts add up to the month's bill."""
    jobs = [*batch_items(), ERIN_BATCH]
    items = [*account["items"], *jobs]
    export = write_export(tmp_path / "bucket", items)
    result = run_cli(no_aws_env, *cur_args(account, "--format", "json", "--output-dir", "-", cur_dir=export))
    assert result.returncode == 3, result.stderr
    expected: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for item in filter(sc.counted, items):
        part = ("billed_unread_regions_usd" if item.region_code not in sc.REGIONS else "batch_billed_usd"
                if item in jobs else "billed_cost_usd" if item.principal else "unattributed_billed_usd")
        expected[f"{item.day:%Y-%m}"][part].append(item.cost)
        expected[f"{item.day:%Y-%m}"]["billed_total_usd"].append(item.cost)
    assert ERIN_BATCH.cost in expected["2025-11"]["billed_unread_regions_usd"]
    parts = ("billed_cost_usd", "unattributed_billed_usd", "batch_billed_usd", "billed_unread_regions_usd")
    rows = json.loads(result.stdout)["by_month"]
    assert {row["month"] for row in rows} == set(expected) == {"2025-10", "2025-11"}
    for column in (*parts, "billed_total_usd"):  # the regions read first: their batch is theirs alone
        for row in rows:
            assert row[column] == pytest.approx(math.fsum(expected[row["month"]][column]), abs=1e-9), (row, column)
    for row in rows:
        assert math.fsum(row[part] for part in parts) == pytest.approx(row["billed_total_usd"], abs=1e-9)
