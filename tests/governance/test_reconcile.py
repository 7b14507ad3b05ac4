"""--reconcile against moto's CloudWatch and Cost Explorer: coverage, gaps and cost equal a plain computation.

The test generates every call Bedrock "served" over five UTC days, publishes CloudWatch daily metrics and
Cost Explorer charges for all of them, but writes logs for only some: one region-day has no logs at all
(the known gap), another loses one call in five. Expected figures come from the generated calls in plain
Python and the oracle's own copy of list prices.
"""

from __future__ import annotations

import json
import math
import random
import subprocess
import sys
import urllib.request
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import boto3
import pytest

from bedrock_usage.demo.writer import write_local
from tests.oracle import published_rates

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = "123456789012"
DAYS = [date(2025, 11, 3) + timedelta(days=i) for i in range(5)]
REGIONS = ("us-east-1", "ap-northeast-2")
SONNET_45_ARN = f"arn:aws:bedrock:us-east-1:{ACCOUNT}:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0"
# (region, modelId as called and logged, ModelId CloudWatch reports, calls per day,
#  billed as (service, usage-type model token, model, usage-type tail after the kind of token))
CALLS = [
    ("us-east-1", "us.anthropic.claude-3-haiku-20240307-v1:0", "us.anthropic.claude-3-haiku-20240307-v1:0", 6,
     ("Amazon Bedrock", "Claude3Haiku", "Claude 3 Haiku", "")),
    ("us-east-1", SONNET_45_ARN, "us.anthropic.claude-sonnet-4-5-20250929-v1:0", 4,
     ("Claude Sonnet 4.5 (Amazon Bedrock Edition)", None, "Claude Sonnet 4.5", "")),
    ("ap-northeast-2", "anthropic.claude-3-7-sonnet-20250219-v1:0", "anthropic.claude-3-7-sonnet-20250219-v1:0", 5,
     ("Amazon Bedrock", "Claude3.7Sonnet", "Claude 3.7 Sonnet", "")),
    ("ap-northeast-2", "global.anthropic.claude-haiku-4-5-20251001-v1:0",
     "global.anthropic.claude-haiku-4-5-20251001-v1:0", 5,
     ("Claude 4.5 Haiku (Amazon Bedrock Edition)", None, "Claude Haiku 4.5", "")),
    # Claude Sonnet 4 and later bill under the service "Amazon Bedrock Service" (not "Amazon Bedrock").
    ("ap-northeast-2", "global.anthropic.claude-sonnet-4-20250514-v1:0",
     "global.anthropic.claude-sonnet-4-20250514-v1:0", 3,
     ("Amazon Bedrock Service", "Claude4Sonnet", "Claude Sonnet 4", "-cross-region-global")),
]
CODES = {"us-east-1": "USE1", "ap-northeast-2": "APN2"}
GAP = ("us-east-1", DAYS[2])  # CloudWatch and the bill show calls; no log object arrived
SHORT = ("ap-northeast-2", DAYS[3])  # every fifth call's log is missing
TITAN_CHARGE = 0.5  # an Amazon Bedrock usage type of a model the table does not know
# A charge with no logged call, whose usage type names the model by its id (Claude Opus 4.8).
OPUS_48_CHARGE = ("USE1-anthropic.claude-opus-4-8-mantle-cache-write-tokens-global-standard", "Claude Opus 4.8", 0.75)


def served_calls() -> list[dict]:
    """Every call Bedrock served, as invocation-log records."""
    rng = random.Random(11)
    records = []
    for day in DAYS:
        for region, model_id, metric_id, per_day, billing in CALLS:
            for n in range(per_day):
                when = datetime(day.year, day.month, day.day, 1 + 3 * n, rng.randrange(60), tzinfo=UTC)
                records.append({
                    "schemaType": "ModelInvocationLog", "schemaVersion": "1.0",
                    "timestamp": when.strftime("%Y-%m-%dT%H:%M:%SZ"), "accountId": ACCOUNT,
                    "identity": {"arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/Support-BedrockRole/s{n}"},
                    "region": region, "requestId": f"{region}-{day}-{model_id[-20:]}-{n}", "operation": "Converse",
                    "modelId": model_id,
                    "input": {"inputTokenCount": rng.randrange(200, 4000)},
                    "output": {"outputTokenCount": rng.randrange(50, 900)},
                    "_metric_id": metric_id, "_billing": billing,
                })
    return records


def delivered(records: list[dict]) -> list[dict]:
    """The records whose logs arrived: none on the gap day, four in five on the short day."""
    kept, short_seen = [], 0
    for record in records:
        key = (record["region"], date.fromisoformat(record["timestamp"][:10]))
        if key == GAP:
            continue
        if key == SHORT:
            short_seen += 1
            if short_seen % 5 == 0:
                continue
        kept.append(record)
    return kept


def cost_parts(record: dict) -> tuple[float, float]:
    """(input, output) list-price cost of one call, from the oracle's own price table."""
    rates = published_rates(record["modelId"], date.fromisoformat(record["timestamp"][:10]), False)
    assert rates is not None
    return record["input"]["inputTokenCount"] * rates[0] / 1000, record["output"]["outputTokenCount"] * rates[1] / 1000


def clean(record: dict) -> dict:
    return {k: v for k, v in record.items() if not k.startswith("_")}


def seed_cloudwatch(records: list[dict]) -> None:
    """Daily sums per region, ModelId (as CloudWatch reports it) and metric, at noon UTC."""
    sums: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in records:
        key = (r["region"], r["timestamp"][:10], r["_metric_id"])
        sums[key]["Invocations"] += 1
        sums[key]["InputTokenCount"] += r["input"]["inputTokenCount"]
        sums[key]["OutputTokenCount"] += r["output"]["outputTokenCount"]
    for (region, day, metric_id), metrics in sums.items():
        noon = datetime.fromisoformat(day).replace(hour=12, tzinfo=UTC)
        boto3.client("cloudwatch", region_name=region).put_metric_data(Namespace="AWS/Bedrock", MetricData=[
            {"MetricName": name, "Dimensions": [{"Name": "ModelId", "Value": metric_id}], "Timestamp": noon,
             "Value": float(value), "Unit": "Count"} for name, value in metrics.items()])
    gap_noon = datetime.combine(GAP[1], datetime.min.time(), UTC).replace(hour=12)
    boto3.client("cloudwatch", region_name=GAP[0]).put_metric_data(Namespace="AWS/Bedrock", MetricData=[
        {"MetricName": "ModelInvocationLogsS3DeliveryFailure", "Timestamp": gap_noon, "Value": 3.0}])


def seed_cost_explorer(endpoint: str, records: list[dict],
                       more: dict[tuple[str, str, str], float] | None = None) -> dict[tuple[str, str, str], float]:
    """Register Cost Explorer's answer (with ``more`` charges per (day, service, usage type)); return billed cost per
    (region, day, model) of the records and the Opus charge."""
    groups: dict[str, dict[tuple[str, str], float]] = defaultdict(lambda: defaultdict(float))
    billed: dict[tuple[str, str, str], float] = defaultdict(float)
    for r in records:
        service, token, model, tail = r["_billing"]
        day, code = r["timestamp"][:10], CODES[r["region"]]
        for kind, amount in zip(("input", "output"), cost_parts(r), strict=True):
            if token:
                usage_type = f"{code}-{token}-{kind}-tokens{tail}"
            else:
                usage_type = f"{code}-MP:{code}_{kind.capitalize()}TokenCount-Units"
            groups[day][(service, usage_type)] += amount
            billed[(r["region"], day, model)] += amount
    first = DAYS[0].isoformat()
    groups[first][("Amazon Bedrock", "USE1-TitanEmbeddingsG1-Text-input-tokens")] += TITAN_CHARGE
    opus_usage_type, opus_model, opus_cost = OPUS_48_CHARGE
    groups[first][("Amazon Bedrock Service", opus_usage_type)] += opus_cost
    billed[("us-east-1", first, opus_model)] += opus_cost
    groups[first][("Some Other Marketplace Product", "USE1-MP:USE1_Seats-Units")] += 99.0
    for (day, service, usage_type), amount in (more or {}).items():
        groups[day][(service, usage_type)] += amount
    results = [{
        "TimePeriod": {"Start": day.isoformat(), "End": (day + timedelta(days=1)).isoformat()},
        "Total": {}, "Estimated": False,
        "Groups": [{"Keys": [service, usage_type], "Metrics": {"UnblendedCost": {"Amount": f"{amount:.10f}",
                                                                                 "Unit": "USD"}}}
                   for (service, usage_type), amount in sorted(groups[day.isoformat()].items())],
    } for day in DAYS]
    body = json.dumps({"results": [{"ResultsByTime": results, "DimensionValueAttributes": []}]}).encode()
    request = urllib.request.Request(f"{endpoint}/moto-api/static/ce/cost-and-usage-results", data=body,
                                     method="POST", headers={"Content-Type": "application/json"})
    assert urllib.request.urlopen(request).status == 201
    return billed


@pytest.fixture
def account(aws_env: dict[str, str], tmp_path: Path) -> dict:
    served = served_calls()
    logged = delivered(served)
    write_local(tmp_path / "logs", [clean(r) for r in logged])
    seed_cloudwatch(served)
    billed = seed_cost_explorer(aws_env["AWS_ENDPOINT_URL"], served)
    return {"env": aws_env, "logs": tmp_path / "logs", "served": served, "logged": logged, "billed": billed}


def run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "bedrock_tracker_cli.py"), *args], capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=300)


def reconcile_args(logs: Path, *extra: str) -> list[str]:
    return ["--engine", "local", "--logs-dir", str(logs), "--reconcile", "--region", *REGIONS,
            "--start-date", DAYS[0].isoformat(), "--end-date", DAYS[-1].isoformat(), *extra]


def test_reconcile_json_equals_independent_computation(account: dict) -> None:
    result = run_cli(account["env"], *reconcile_args(account["logs"], "--format", "json", "--output-dir", "-"))
    assert result.returncode == 3, result.stderr  # a flagged region-day is exit 3
    doc = json.loads(result.stdout)
    assert doc["schema"] == "bedrock-usage/reconciliation/v4"
    assert "Cost Explorer is the billing truth" in doc["billing_truth"]

    logged, metered = defaultdict(int), defaultdict(int)
    estimated, billed_day = defaultdict(list), defaultdict(float)
    for r in account["logged"]:
        key = (r["region"], r["timestamp"][:10])
        logged[key] += 1
        estimated[key] += list(cost_parts(r))
    for r in account["served"]:
        metered[(r["region"], r["timestamp"][:10])] += 1
    for (region, day, _), amount in account["billed"].items():
        billed_day[(region, day)] += amount
    billed_day[("us-east-1", DAYS[0].isoformat())] += TITAN_CHARGE

    rows = {(row["region"], row["utc_day"]): row for row in doc["by_region_day"]}
    assert set(rows) == set(metered)
    for key, row in rows.items():
        assert row["logged_calls"] == logged[key], key
        assert row["metered_calls"] == metered[key], key
        assert row["coverage"] == pytest.approx(logged[key] / metered[key]), key
        expected_status = {GAP: "no logs", SHORT: "incomplete logs"}.get((key[0], date.fromisoformat(key[1])), "ok")
        assert row["status"] == expected_status, key
        assert row["billed_cost_usd"] == pytest.approx(billed_day[key], abs=1e-9), key
        if logged[key]:
            assert row["estimated_cost_usd"] == pytest.approx(math.fsum(estimated[key]), abs=1e-9), key
        else:
            assert row["estimated_cost_usd"] is None
    gap_row = rows[(GAP[0], GAP[1].isoformat())]
    assert gap_row["coverage"] == 0 and gap_row["delivery_failures"] == 3
    assert {(f["region"], f["utc_day"]) for f in doc["flagged"]} == {
        (GAP[0], GAP[1].isoformat()), (SHORT[0], SHORT[1].isoformat())}
    summary = doc["summary"]
    assert summary["logged_calls"] == len(account["logged"]) and summary["metered_calls"] == len(account["served"])
    assert summary["coverage"] == pytest.approx(len(account["logged"]) / len(account["served"]))


@pytest.mark.slow
def test_a_billed_region_whose_logs_were_not_read_is_named(account: dict) -> None:
    one = ["--engine", "local", "--logs-dir", str(account["logs"]), "--reconcile", "--region", REGIONS[0],
           "--start-date", DAYS[0].isoformat(), "--end-date", DAYS[-1].isoformat(), "--format", "json",
           "--output-dir", "-"]
    doc = json.loads(run_cli(account["env"], *one).stdout)
    other = math.fsum(amount for (region, _, _), amount in account["billed"].items() if region == REGIONS[1])
    assert f"Cost Explorer bills Bedrock in {REGIONS[1]} (${other:,.4f}) over the period, whose logs were not read" \
        in " ".join(doc["warnings"])
    both = json.loads(run_cli(account["env"], *reconcile_args(account["logs"], "--format", "json",
                                                              "--output-dir", "-")).stdout)
    assert not any("whose logs were not read" in warning for warning in both["warnings"])


@pytest.mark.slow
def test_reconcile_maps_profile_arns_and_usage_types_to_models(account: dict) -> None:
    result = run_cli(account["env"], *reconcile_args(account["logs"], "--format", "json", "--output-dir", "-"))
    doc = json.loads(result.stdout)
    metered_tokens: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])
    for r in account["served"]:
        totals = metered_tokens[(r["region"], r["timestamp"][:10], r["_metric_id"])]
        totals[0] += 1
        totals[1] += r["input"]["inputTokenCount"]
        totals[2] += r["output"]["outputTokenCount"]
    models = {(row["region"], row["utc_day"], row["model_key"]): row for row in doc["by_model_day"]}
    # The ARN-form calls and CloudWatch's short profile id meet on one key.
    assert set(models) == set(metered_tokens)
    for key, (calls, inp, out) in metered_tokens.items():
        row = models[key]
        assert (row["metered_calls"], row["metered_input_tokens"], row["metered_output_tokens"]) == (calls, inp, out)
    sonnet = models[("us-east-1", DAYS[0].isoformat(), "us.anthropic.claude-sonnet-4-5-20250929-v1:0")]
    assert sonnet["logged_calls"] == sonnet["metered_calls"] == 4

    costs = {(row["region"], row["utc_day"], row["model"]): row for row in doc["cost_by_model_day"]}
    assert set(costs) == set(account["billed"])  # Marketplace names in either word order map to the model
    for key, amount in account["billed"].items():
        assert costs[key]["billed_cost_usd"] == pytest.approx(amount, abs=1e-9)
    full_day = costs[("ap-northeast-2", DAYS[0].isoformat(), "Claude 3.7 Sonnet")]
    assert full_day["difference_usd"] == pytest.approx(0, abs=1e-9)
    assert [(c["service"], c["usage_type"]) for c in doc["unmapped_charges"]] == [
        ("Amazon Bedrock", "USE1-TitanEmbeddingsG1-Text-input-tokens")]


@pytest.mark.slow
def test_reconcile_terminal_says_which_source_is_truth(account: dict) -> None:
    result = run_cli(account["env"], *reconcile_args(account["logs"]))
    assert result.returncode == 3, result.stderr
    out = result.stdout
    assert "Cost Explorer is the billing truth" in out
    assert "ATTENTION: 2 region-days" in out
    assert f"us-east-1 {GAP[1]}: no logs, 0 logged of 10 metered" in out
    assert "USE1-TitanEmbeddingsG1-Text-input-tokens" in out


@pytest.mark.slow
def test_reconcile_csv_files(account: dict, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_cli(account["env"], *reconcile_args(account["logs"], "--format", "csv", "--output-dir", str(out)))
    assert result.returncode == 3, result.stderr
    names = sorted(p.name.split("_", 4)[-1] for p in out.glob("bedrock_reconciliation_*.csv"))
    assert names == ["cost_model_day.csv", "model_day.csv", "region_day.csv", "unmapped_charges.csv"]


@pytest.mark.slow
def test_reconcile_without_gaps_exits_0(account: dict) -> None:
    first_two = ["--start-date", DAYS[0].isoformat(), "--end-date", DAYS[1].isoformat()]
    args = ["--engine", "local", "--logs-dir", str(account["logs"]), "--reconcile", "--region", *REGIONS, *first_two]
    result = run_cli(account["env"], *args)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Every region-day with metered calls has logs" in result.stdout


@pytest.mark.slow
def test_reconcile_without_credentials_needs_setup(tmp_path: Path, no_aws_env: dict[str, str]) -> None:
    write_local(tmp_path / "logs", [clean(r) for r in served_calls()[:3]])
    result = run_cli(no_aws_env, *reconcile_args(tmp_path / "logs"))
    assert result.returncode == 2
    assert result.stderr.startswith("setup needed: no AWS credentials") and "Traceback" not in result.stderr


@pytest.mark.slow
def test_logged_calls_without_metrics_are_called_out(aws_env: dict[str, str], tmp_path: Path) -> None:
    foreign = [clean(r) for r in served_calls() if r["region"] == "ap-northeast-2"][:7]
    write_local(tmp_path / "logs", foreign)  # CloudWatch of this (moto) account has no Bedrock metrics at all
    result = run_cli(aws_env, *reconcile_args(tmp_path / "logs", "--format", "json", "--output-dir", "-"))
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    days = {r["timestamp"][:10] for r in foreign}
    assert [w for w in doc["warnings"] if "no calls in CloudWatch" in w] == [
        f"{len(days)} region-days have {len(foreign):,} logged calls but no calls in CloudWatch: are the logs from "
        "this account and these regions?"]


def test_calls_through_prompt_routers_are_said_to_be_under_the_model_chosen(aws_env: dict[str, str],
                                                                           tmp_path: Path) -> None:
    """A router call is counted under the model its router chose (its logged Converse response names it); what
    CloudWatch's ModelId holds for it is not documented, so the reconciliation says how many such calls there are."""
    router = f"arn:aws:bedrock:us-east-1:{ACCOUNT}:default-prompt-router/anthropic.claude:1"
    chosen = "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0"
    calls = [clean(r) for r in served_calls() if r["region"] == "us-east-1"][:5]
    for record in calls[:3]:
        record["modelId"] = router
        record["output"]["outputBodyJson"] = {"stopReason": "end_turn",
                                              "trace": {"promptRouter": {"invokedModelId": chosen}}}
    write_local(tmp_path / "logs", calls)
    result = run_cli(aws_env, *reconcile_args(tmp_path / "logs", "--format", "json", "--output-dir", "-"))
    assert result.returncode == 0, result.stderr
    [line] = [w for w in json.loads(result.stdout)["warnings"] if "prompt router" in w]
    assert line.startswith("3 calls through prompt routers are counted under the model each router chose"), line


@pytest.mark.slow
def test_reconcile_refuses_demo_data(aws_env: dict[str, str]) -> None:
    result = run_cli(aws_env, "--demo", "--reconcile")
    assert result.returncode == 1 and result.stderr.splitlines() == [
        "error: --reconcile compares your account's logs with its CloudWatch metrics and bill, which demo data has "
        "not: leave out --demo (--cur-dir DIR with --engine local --logs-dir DIR reads only local files)"]


@pytest.mark.slow
def test_only_the_billed_accounts_callers_are_compared(account: dict, tmp_path: Path) -> None:
    member = "210987654321"
    others = [{**clean(r), "accountId": member, "requestId": f"member-{r['requestId']}",
               "identity": {"arn": f"arn:aws:iam::{member}:user/support"}}
              for r in account["served"] if r["timestamp"][:10] == DAYS[0].isoformat()]
    logs = tmp_path / "two-accounts"
    write_local(logs, [*(clean(r) for r in account["logged"]), *others])
    result = run_cli(account["env"], *reconcile_args(logs, "--account", ACCOUNT, "--format", "json",
                                                     "--output-dir", "-"))
    assert result.returncode == 3, result.stderr
    doc = json.loads(result.stdout)
    logged, estimated = defaultdict(int), defaultdict(list)
    for r in account["logged"]:
        key = (r["region"], r["timestamp"][:10])
        logged[key] += 1
        estimated[key] += list(cost_parts(r))
    for row in doc["by_region_day"]:
        key = (row["region"], row["utc_day"])
        assert row["logged_calls"] == logged[key], key
        if logged[key]:
            assert row["estimated_cost_usd"] == pytest.approx(math.fsum(estimated[key]), abs=1e-9), key
    assert doc["account"] == ACCOUNT
    assert f"{len(others)} logged calls of callers in other accounts ({member}) are left out: only account " \
        f"{ACCOUNT}'s callers are compared with its bill" in doc["warnings"]


HAIKU_3 = "anthropic.claude-3-haiku-20240307-v1:0"
SONNET_37 = "anthropic.claude-3-7-sonnet-20250219-v1:0"
HAIKU_45 = "us.anthropic.claude-haiku-4-5-20251001-v1:0"  # logged, never in CloudWatch
# (UTC day, model, calls Bedrock served and CloudWatch counts (None: no metric), calls logged), all in us-east-1
MODEL_DAYS = [
    (DAYS[0], HAIKU_3, 6, 3),  # half the logs of a model ...
    (DAYS[0], SONNET_37, 4, 4),
    (DAYS[0], HAIKU_45, None, 3),  # ... hidden by as many calls of a model without a metric
    (DAYS[1], HAIKU_3, 10, 8),  # 80 % of one model, under a region-day at 28 of 30 (93 %)
    (DAYS[1], SONNET_37, 20, 20),
]


def model_day_records() -> tuple[list[dict], dict[tuple[str, str], int]]:
    """The logged records of MODEL_DAYS, and CloudWatch's Invocations per (day, model) as published."""
    records, metered = [], {}
    for day, model, served, logged in MODEL_DAYS:
        for n in range(logged):
            records.append({
                "schemaType": "ModelInvocationLog", "schemaVersion": "1.0",
                "timestamp": f"{day}T{1 + n % 20:02d}:00:00Z", "accountId": ACCOUNT,
                "identity": {"arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/Support-BedrockRole/s{n}"},
                "region": "us-east-1", "requestId": f"{day}-{model}-{n}", "operation": "Converse", "modelId": model,
                "input": {"inputTokenCount": 100}, "output": {"outputTokenCount": 10},
            })
        if served is not None:
            metered[(day.isoformat(), model)] = served
            noon = datetime.combine(day, datetime.min.time(), UTC).replace(hour=12)
            boto3.client("cloudwatch", region_name="us-east-1").put_metric_data(Namespace="AWS/Bedrock", MetricData=[
                {"MetricName": name, "Dimensions": [{"Name": "ModelId", "Value": model}], "Timestamp": noon,
                 "Value": float(served * per_call), "Unit": "Count"}
                for name, per_call in (("Invocations", 1), ("InputTokenCount", 100), ("OutputTokenCount", 10))])
    return records, metered


@pytest.mark.slow
def test_a_model_without_metrics_never_hides_another_models_missing_logs(aws_env: dict[str, str],
                                                                          tmp_path: Path) -> None:
    records, metered = model_day_records()
    write_local(tmp_path / "logs", records)
    days = ["--start-date", DAYS[0].isoformat(), "--end-date", DAYS[1].isoformat(), "--coverage-threshold", "90"]
    base = ["--engine", "local", "--logs-dir", str(tmp_path / "logs"), "--reconcile", "--region", "us-east-1", *days]
    result = run_cli(aws_env, *base, "--format", "json", "--output-dir", "-")
    assert result.returncode == 3, result.stderr
    doc = json.loads(result.stdout)

    logged = defaultdict(int)
    for r in records:
        logged[(r["timestamp"][:10], r["modelId"])] += 1
    models = {(row["utc_day"], row["model_key"]): row for row in doc["by_model_day"]}
    below = {key for key, calls in metered.items() if logged[key] / calls < 0.9}
    assert {key for key, row in models.items() if row["status"] == "incomplete logs"} == below
    for day in (DAYS[0].isoformat(), DAYS[1].isoformat()):
        compared = sum(calls for (d, model), calls in logged.items() if d == day and (d, model) in metered)
        without = sum(calls for (d, model), calls in logged.items() if d == day and (d, model) not in metered)
        served = sum(calls for (d, _), calls in metered.items() if d == day)
        row = next(r for r in doc["by_region_day"] if r["utc_day"] == day)
        assert (row["logged_calls"], row["metered_calls"], row["logged_calls_without_metric"]) == (
            compared, served, without), day
        assert row["coverage"] == pytest.approx(compared / served), day
        assert row["status"] == "incomplete logs", day  # a model below the threshold flags its region-day
    assert doc["summary"]["logged_calls_without_metric"] == logged[(DAYS[0].isoformat(), HAIKU_45)]
    assert (f"{logged[(DAYS[0].isoformat(), HAIKU_45)]} logged calls on 1 region-days are of models with no "
            "CloudWatch metric that day") in " ".join(doc["warnings"])

    text = run_cli(aws_env, *base).stdout
    day_1 = (DAYS[1].isoformat(), HAIKU_3)
    assert (f"us-east-1 {DAYS[1]}: incomplete logs, 28 logged of 30 metered; models below the threshold: {HAIKU_3} "
            f"{logged[day_1]} of {metered[day_1]}") in text
    assert "Logged, no metric" in text


@pytest.mark.slow
def test_unpriced_calls_are_counted_for_the_compared_account_alone(aws_env: dict[str, str], tmp_path: Path) -> None:
    member, model = "210987654321", "anthropic.claude-not-in-any-book-v1:0"
    records = [{
        "schemaType": "ModelInvocationLog", "schemaVersion": "1.0", "timestamp": f"{DAYS[0]}T0{n}:00:00Z",
        "accountId": account, "identity": {"arn": f"arn:aws:iam::{account}:user/support"}, "region": "us-east-1",
        "requestId": f"{account}-{n}", "operation": "Converse", "modelId": model,
        "input": {"inputTokenCount": 100 + n}, "output": {"outputTokenCount": 10 + n},
    } for account, calls in ((ACCOUNT, 3), (member, 5)) for n in range(calls)]
    write_local(tmp_path / "logs", records)
    result = run_cli(aws_env, "--engine", "local", "--logs-dir", str(tmp_path / "logs"), "--reconcile", "--region",
                     "us-east-1", "--start-date", DAYS[0].isoformat(), "--end-date", DAYS[0].isoformat(),
                     "--account", ACCOUNT, "--format", "json", "--output-dir", "-")
    assert result.returncode == 0, result.stderr
    own = [r for r in records if r["accountId"] == ACCOUNT]
    inputs = sum(r["input"]["inputTokenCount"] for r in own)
    outputs = sum(r["output"]["outputTokenCount"] for r in own)
    assert [w for w in json.loads(result.stdout)["warnings"] if w.startswith("unpriced")] == [
        f"unpriced: {model} in us-east-1: {len(own)} calls, {inputs:,} input / {outputs:,} output tokens have no "
        f"price (calls of account {ACCOUNT}'s callers)"]


# Batch inference charges, per (UTC day, service, usage type): usage types of the AWS Price List's batch meters
# (tests/fixtures/pricing: ``USE1-NovaLite-input-tokens-batch``, ``-cross-region-global-batch`` in Amazon Bedrock
# Service's) and a Marketplace one with the ``Batch`` word of that offer's variants. Claude Sonnet 4's has on-demand
# calls in ap-northeast-2 that day, all logged: its row must compare them alone.
BATCH_CHARGES = {
    (DAYS[0].isoformat(), "Amazon Bedrock", "USE1-NovaLite-input-tokens-batch"): 0.40,
    (DAYS[0].isoformat(), "Amazon Bedrock", "USE1-NovaLite-output-tokens-batch"): 0.10,
    (DAYS[1].isoformat(), "Amazon Bedrock Service", "APN2-Claude4Sonnet-input-tokens-cross-region-global-batch"): 0.30,
    (DAYS[1].isoformat(), "Claude Sonnet 4.5 (Amazon Bedrock Edition)", "USE1-MP:USE1_Batch_InputTokenCount-Units"):
        0.20,
}


@pytest.mark.slow
def test_batch_inference_is_billed_apart_from_the_comparison_with_the_logs(aws_env: dict[str, str],
                                                                          tmp_path: Path) -> None:
    served = served_calls()
    logged = delivered(served)
    write_local(tmp_path / "logs", [clean(r) for r in logged])
    seed_cloudwatch(served)
    billed = seed_cost_explorer(aws_env["AWS_ENDPOINT_URL"], served, BATCH_CHARGES)
    result = run_cli(aws_env, *reconcile_args(tmp_path / "logs", "--format", "json", "--output-dir", "-"))
    assert result.returncode == 3, result.stderr
    doc = json.loads(result.stdout)

    region_of = {code: region for region, code in CODES.items()}
    batch: dict[tuple[str, str], float] = defaultdict(float)
    for (day, _, usage_type), amount in BATCH_CHARGES.items():
        batch[(region_of[usage_type.split("-")[0]], day)] += amount
    on_demand: dict[tuple[str, str], float] = defaultdict(float)
    for (region, day, _), amount in billed.items():
        on_demand[(region, day)] += amount
    on_demand[("us-east-1", DAYS[0].isoformat())] += TITAN_CHARGE
    rows = {(row["region"], row["utc_day"]): row for row in doc["by_region_day"]}
    for key, row in rows.items():
        assert row["billed_cost_usd"] == pytest.approx(on_demand[key], abs=1e-9), key
        assert (row["batch_billed_usd"] or 0.0) == pytest.approx(batch.get(key, 0.0), abs=1e-9), key
    # Per model, the bill is the on-demand charges alone: Sonnet 4's fully logged day differs by nothing.
    costs = {(row["region"], row["utc_day"], row["model"]): row for row in doc["cost_by_model_day"]}
    assert set(costs) == set(billed)
    for key, amount in billed.items():
        assert costs[key]["billed_cost_usd"] == pytest.approx(amount, abs=1e-9), key
    sonnet_4 = costs[("ap-northeast-2", DAYS[1].isoformat(), "Claude Sonnet 4")]
    assert sonnet_4["difference_usd"] == pytest.approx(0, abs=1e-9)
    assert [c["usage_type"] for c in doc["unmapped_charges"]] == ["USE1-TitanEmbeddingsG1-Text-input-tokens"]
    # The billed total stays the whole bill.
    summary = doc["summary"]
    assert summary["batch_billed_usd"] == pytest.approx(sum(BATCH_CHARGES.values()), abs=1e-9)
    assert summary["billed_cost_usd"] == pytest.approx(
        sum(billed.values()) + TITAN_CHARGE + sum(BATCH_CHARGES.values()), abs=1e-9)
    by_region = {region: sum(a for (r, _), a in batch.items() if r == region) for region in sorted(REGIONS)}
    named = ", ".join(f"{region} (${amount:,.4f})" for region, amount in by_region.items())
    assert (f"Batch inference billed ${sum(BATCH_CHARGES.values()):,.4f} in {named} over the period; batch "
            "inference jobs write their results to the job's own S3 location, never to model invocation logs, so it "
            "is counted apart (batch_billed_usd), in the billed total, out of the comparison") in doc["warnings"]


# Batch inference of regions the run does not read: eu-west-1 billed for batch alone, ap-northeast-2 (with its
# on-demand calls) for batch too.
UNREAD_BATCH = {
    (DAYS[1].isoformat(), "Amazon Bedrock", "EU-NovaLite-input-tokens-batch"): 0.45,
    (DAYS[2].isoformat(), "Amazon Bedrock Service", "APN2-Claude4Sonnet-output-tokens-cross-region-global-batch"): 0.15,
}


@pytest.mark.slow
def test_a_region_billed_for_batch_is_not_asked_whether_logging_is_off(aws_env: dict[str, str],
                                                                       tmp_path: Path) -> None:
    served = served_calls()
    write_local(tmp_path / "logs", [clean(r) for r in delivered(served)])
    seed_cloudwatch(served)
    billed = seed_cost_explorer(aws_env["AWS_ENDPOINT_URL"], served, UNREAD_BATCH)
    one = ["--engine", "local", "--logs-dir", str(tmp_path / "logs"), "--reconcile", "--region", REGIONS[0],
           "--start-date", DAYS[0].isoformat(), "--end-date", DAYS[-1].isoformat(), "--format", "json",
           "--output-dir", "-"]
    result = run_cli(aws_env, *one)
    assert result.returncode == 3, result.stderr
    warnings = json.loads(result.stdout)["warnings"]
    on_demand = math.fsum(amount for (region, _, _), amount in billed.items() if region == REGIONS[1])
    asked = [w for w in warnings if "is logging off there" in w]
    assert asked == [f"Cost Explorer bills Bedrock in {REGIONS[1]} (${on_demand:,.4f}) over the period, whose logs "
                     "were not read: is logging off there, or was the region left out?"]
    batch = {"eu-west-1": 0.45, REGIONS[1]: 0.15}
    named = ", ".join(f"{region} (${amount:,.4f})" for region, amount in sorted(batch.items()))
    assert (f"Cost Explorer bills batch inference in {named} over the period, whose logs were not read: batch "
            "inference jobs write their results to the job's own S3 location, never to model invocation logs, so no "
            "logs are missing for them (not in the region-days or their totals, which hold the regions read only)"
            ) in warnings
