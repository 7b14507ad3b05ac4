"""--reconcile --cur (Athena) and --ce-principal-tag (Cost Explorer) against moto, and the requests they send.

moto's Athena runs no SQL: it records the query and serves the rows a test registers. The rows registered here
are the query's answer computed in plain Python over the scenario's line items (tests/governance/cur_scenario.py);
the SQL Athena received is then run by DuckDB over the same export in Parquet, and must give the same rows. moto's
Cost Explorer serves registered answers in the order requests arrive and ignores filters, so the filters are
checked on the requests themselves, against botocore's service model.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import urllib.request
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import boto3
import duckdb
import pytest
import sqlglot
from botocore.validate import ParamValidator

from bedrock_usage.aws.session import Aws
from bedrock_usage.demo.writer import write_local
from bedrock_usage.engines.local import LocalEngine
from bedrock_usage.governance.callers import reconcile_callers
from bedrock_usage.governance.cost_explorer_callers import read_cost_explorer_callers, tag_request
from bedrock_usage.governance.cur import read_cur_athena
from bedrock_usage.governance.reconcile import cost_explorer_request
from bedrock_usage.logs.period import Period
from bedrock_usage.report.tracker import BedrockAthenaTracker
from tests.athena_rules import athena_violations
from tests.governance import cur_scenario as sc
from tests.governance.cur_export import write_export
from tests.governance.test_cur_callers import BATCHBOT, ERIN_BATCH, batch_items

ROOT = Path(__file__).resolve().parents[2]
RESULTS = "s3://bedrock-analytics-123456789012-us-east-1/query-results/"


@pytest.fixture
def account(aws_env: dict[str, str], tmp_path: Path) -> dict:
    served = sc.served_calls()
    logged = sc.logged(served)
    write_local(tmp_path / "logs", logged)
    return {"env": aws_env, "logs": tmp_path / "logs", "served": served, "logged": logged,
            "items": sc.line_items(served), "tmp": tmp_path}


def run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "bedrock_tracker_cli.py"), *args], capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=300)


def reconcile_args(account: dict, *extra: str) -> list[str]:
    return ["--engine", "local", "--logs-dir", str(account["logs"]), "--reconcile", "--region", *sc.REGIONS,
            "--start-date", sc.DAYS[0].isoformat(), "--end-date", sc.DAYS[-1].isoformat(), "--format", "json",
            "--output-dir", "-", *extra]


def post(endpoint: str, path: str, body: dict[str, Any]) -> None:
    request = urllib.request.Request(f"{endpoint}{path}", data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    assert urllib.request.urlopen(request).status in (200, 201)


# --- Athena ------------------------------------------------------------------------------------------------

COLUMNS = [("principal", "varchar"), ("product_code", "varchar"), ("product_name", "varchar"),
           ("region_code", "varchar"), ("usage_type", "varchar"), ("utc_day", "varchar"), ("within_day", "boolean"),
           ("billed_cost_usd", "double"), ("list_cost_usd", "double"), ("line_items", "bigint")]


def expected_rows(items: list) -> list[tuple]:
    """The query's answer, in plain Python: the counted line items grouped as the query groups them."""
    groups: dict[tuple, list] = defaultdict(lambda: [0.0, 0.0, 0])
    for item in items:
        if sc.counted(item):
            key = (item.principal, item.product_code, item.product_name, item.region_code, item.usage_type,
                   item.day.isoformat(), item.span_days <= 1)
            groups[key][0] += item.cost
            groups[key][1] += item.cost if item.list_cost is None else item.list_cost
            groups[key][2] += 1
    return sorted((*key, *sums) for key, sums in groups.items())


def athena_text(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


@pytest.mark.slow
def test_cur_through_athena(account: dict) -> None:
    endpoint = account["env"]["AWS_ENDPOINT_URL"]
    boto3.client("athena").create_work_group(Name="bedrock-usage",
                                             Configuration={"ResultConfiguration": {"OutputLocation": RESULTS}})
    rows = expected_rows(account["items"])
    header = [{"Data": [{"VarCharValue": name} for name, _ in COLUMNS]}]
    body = [{"Data": [{"VarCharValue": athena_text(v)} for v in row]} for row in rows]
    columns = [{"Name": n, "Label": n, "Type": t, "Nullable": "UNKNOWN", "CaseSensitive": True} for n, t in COLUMNS]
    months = sorted({item.day.strftime("%Y-%m") for item in account["items"]})
    post(endpoint, "/moto-api/static/athena/query-results", {"account_id": sc.ACCOUNT, "region": "us-east-1",
                                                             "results": [billing_periods_result(months),
                                                                         {"rows": header + body,
                                                                          "column_info": columns}]})
    result = run_cli(account["env"], *reconcile_args(account, "--cur"))
    assert result.returncode == 3, result.stderr
    doc = json.loads(result.stdout)
    callers = doc["callers"]
    assert callers["bill"] == "CUR 2.0 export through Athena (us-east-1, table bedrock_analytics.cur2_export)"
    got = {(r["user"], r["application"]): r for r in callers["by_caller"]}
    billed, estimated = sc.expected_billed(account["items"]), sc.expected_estimated(account["logged"])
    assert set(got) == set(billed) | set(estimated)
    for key, amount in billed.items():
        assert got[key]["billed_cost_usd"] == pytest.approx(amount, abs=1e-9), key
    for key, amount in estimated.items():
        assert got[key]["estimated_cost_usd"] == pytest.approx(amount, abs=1e-9), key
    assert "by_region_day" in doc  # the CloudWatch and Cost Explorer part ran too

    assert not [w for w in doc["callers"]["warnings"] if "no export files" in w]
    athena = boto3.client("athena")
    [execution] = [e for e in map(athena_execution, athena.list_query_executions()["QueryExecutionIds"])
                   if "sum(line_item_unblended_cost)" in e["Query"]]
    assert execution["QueryExecutionContext"]["Database"] == "bedrock_analytics"
    assert execution["WorkGroup"] == "bedrock-usage"
    assert execution["ExecutionParameters"] == ["'2025-10'", "'2025-11'", f"'{sc.ACCOUNT}'", "'2025-10-30'",
                                                "'2025-11-03'"]
    sql = execution["Query"]
    sqlglot.parse_one(sql, read="trino")  # Athena's dialect
    # The same SQL over the export in Parquet (DuckDB) gives the rows registered above.
    export = write_export(account["tmp"] / "bucket", account["items"])
    connection = duckdb.connect()
    connection.execute("SET TimeZone = 'UTC'")
    files = sorted(str(p) for p in export.glob("data/BILLING_PERIOD=*/*.parquet"))
    connection.read_parquet(files, hive_partitioning=True).create_view("raw")
    connection.execute("CREATE VIEW cur2_export AS SELECT *, BILLING_PERIOD AS billing_period FROM raw")
    values = [p.strip("'") for p in execution["ExecutionParameters"]]
    duck = connection.execute(sqlglot.transpile(sql, read="trino", write="duckdb")[0], values).fetchall()
    assert sorted((*r[:7], pytest.approx(r[7]), pytest.approx(r[8]), r[9]) for r in duck) == rows


def billing_periods_result(months: list[str]) -> dict[str, Any]:
    """The answer of the billing-period count: one row per month holding line items."""
    names = [("billing_period", "varchar"), ("line_items", "bigint")]
    rows = [{"Data": [{"VarCharValue": name} for name, _ in names]}]
    rows += [{"Data": [{"VarCharValue": month}, {"VarCharValue": "1"}]} for month in months]
    return {"rows": rows, "column_info": [{"Name": n, "Label": n, "Type": t, "Nullable": "UNKNOWN",
                                           "CaseSensitive": True} for n, t in names]}


def athena_execution(query_id: str) -> dict[str, Any]:
    return boto3.client("athena").get_query_execution(QueryExecutionId=query_id)["QueryExecution"]


def test_a_billing_period_without_export_files_is_named_through_athena(aws_env: dict[str, str]) -> None:
    boto3.client("athena").create_work_group(Name="bedrock-usage",
                                             Configuration={"ResultConfiguration": {"OutputLocation": RESULTS}})
    post(aws_env["AWS_ENDPOINT_URL"], "/moto-api/static/athena/query-results",
         {"account_id": sc.ACCOUNT, "region": "us-east-1", "results": [billing_periods_result(["2025-10"])]})
    bill = read_cur_athena(Aws.connect(), "us-east-1", Period(date(2025, 10, 30), date(2025, 12, 2)), sc.ACCOUNT)
    assert bill.warnings == [f"no export files for billing period {month} under table bedrock_analytics.cur2_export "
                             "in us-east-1" for month in ("2025-11", "2025-12")]
    executions = [athena_execution(q) for q in boto3.client("athena").list_query_executions()["QueryExecutionIds"]]
    assert len(executions) == 2
    model = boto3.client("athena").meta.service_model.operation_model("StartQueryExecution")
    for execution in executions:
        assert athena_violations(execution["Query"], execution["ExecutionParameters"]) == []
        request = {"QueryString": execution["Query"], "ExecutionParameters": execution["ExecutionParameters"]}
        assert not ParamValidator().validate(request, model.input_shape).has_errors()
    assert sorted(e["ExecutionParameters"] for e in executions)[0] == ["'2025-10'", "'2025-12'"]


# --- Cost Explorer -----------------------------------------------------------------------------------------

TAG = "iamPrincipal/user"


def ce_answer(groups_by_day: dict[str, dict[tuple[str, str], float]]) -> dict[str, Any]:
    def group(keys: tuple[str, str], amount: float) -> dict[str, Any]:
        return {"Keys": list(keys), "Metrics": {"UnblendedCost": {"Amount": f"{amount:.10f}", "Unit": "USD"}}}

    results = [{"TimePeriod": {"Start": day.isoformat(), "End": (day + timedelta(days=1)).isoformat()},
                "Total": {}, "Estimated": False,
                "Groups": [group(*pair) for pair in sorted(groups_by_day.get(day.isoformat(), {}).items())]}
               for day in sc.DAYS]
    return {"ResultsByTime": results, "DimensionValueAttributes": []}


def seed_cost_explorer_by_tag(endpoint: str, items: list) -> None:
    """Register Cost Explorer's answers to the CLI's requests, in the order they arrive: the Bedrock services and
    usage types billed (the reconciliation's request), then per service (sorted) the cost by tag value and usage
    type. Each principal's tag value is its user; a line naming no principal has none (``iamPrincipal/user$``)."""
    by_service: dict[str, dict[str, dict]] = defaultdict(lambda: defaultdict(lambda: defaultdict(float)))
    services: dict[str, dict] = defaultdict(lambda: defaultdict(float))
    for item in items:
        if sc.counted(item):
            day = item.day.isoformat()
            services[day][(item.product_name, item.usage_type)] += item.cost
            user = sc.who(item.principal)[0] if item.principal else ""
            by_service[item.product_name][day][(f"{TAG}${user}", item.usage_type)] += item.cost
    answers = [ce_answer(services)] + [ce_answer(by_service[name]) for name in sorted(by_service)]
    post(endpoint, "/moto-api/static/ce/cost-and-usage-results", {"results": answers})


@pytest.mark.slow
def test_cost_explorer_by_principal_tag(account: dict) -> None:
    seed_cost_explorer_by_tag(account["env"]["AWS_ENDPOINT_URL"], account["items"])
    result = run_cli(account["env"], *reconcile_args(account, "--ce-principal-tag", TAG))
    assert result.returncode == 3, result.stderr
    callers = json.loads(result.stdout)["callers"]
    assert callers["caller_keys"] == ["user"]
    billed: dict[str, float] = defaultdict(float)
    for (user, _), amount in sc.expected_billed(account["items"]).items():
        billed[user] += amount
    estimated: dict[str, float] = defaultdict(float)
    for (user, _), amount in sc.expected_estimated(account["logged"]).items():
        estimated[user] += amount
    got = {row["user"]: row for row in callers["by_caller"]}
    assert set(got) == set(billed) | set(estimated)
    for user, amount in billed.items():
        assert got[user]["billed_cost_usd"] == pytest.approx(amount, abs=1e-9), user
    for user, amount in estimated.items():
        assert got[user]["estimated_cost_usd"] == pytest.approx(amount, abs=1e-9), user
    assert got["bob"]["status"] == "billed, no logs"
    assert callers["summary"]["unattributed_billed_usd"] == pytest.approx(3.0)


def test_batch_by_principal_tag_is_on_no_caller_and_the_bill_stays_whole(account: dict) -> None:
    """Cost Explorer's cost by principal tag with batch jobs (alice's and batchbot's, one naming no principal, one of
    erin's in eu-west-1, a region not read), read from moto as --ce-principal-tag reads it and compared with the
    logs' facts (the whole command runs in test_cost_explorer_by_principal_tag): each job is batch, on no caller,
    and callers + no principal + batch (of the regions read) + regions not read (their whole bill) add up to the
    bill."""
    jobs = [*batch_items(), ERIN_BATCH]
    items = [*account["items"], *jobs]
    seed_cost_explorer_by_tag(account["env"]["AWS_ENDPOINT_URL"], items)
    period = Period(sc.DAYS[0], sc.DAYS[-1])
    facts = BedrockAthenaTracker(LocalEngine(account["logs"], cache=False)).analyze(period, list(sc.REGIONS)).facts
    bill = read_cost_explorer_callers(boto3.client("ce", region_name="us-east-1"), period, sc.ACCOUNT, TAG)
    rec = reconcile_callers(facts, bill, period, sc.REGIONS)
    # The answer in plain Python: batch lines as the items were made.
    counted = [i for i in items if sc.counted(i)]
    batch = [i for i in counted if i in jobs]
    outside = [i for i in counted if i.region_code not in sc.REGIONS]  # erin's batch job too
    loose = [i for i in counted if i not in jobs and i.region_code in sc.REGIONS and not i.principal]
    billed: dict[str, list[float]] = defaultdict(list)
    for item in counted:
        if item not in jobs and item.region_code in sc.REGIONS and item.principal:
            billed[sc.who(item.principal)[0]].append(item.cost)
    got = rec.by_caller.set_index("user")
    assert set(got.index) == set(billed) | {sc.who(r["identity"]["arn"])[0] for r in account["logged"]
                                            if r["region"] in sc.REGIONS}
    assert sc.who(BATCHBOT)[0] not in got.index  # ran batch jobs only: not billed, no logs
    for user, costs in billed.items():
        assert got.loc[user, "billed_cost_usd"] == pytest.approx(math.fsum(costs), abs=1e-9), user
    assert list(rec.billed_without_logs["user"]) == ["bob"]
    assert {(r.utc_day, r.region, r.usage_type): r.billed_cost_usd for r in rec.batch.itertuples()} == \
        pytest.approx({(i.day.isoformat(), i.region_code, i.usage_type): i.cost for i in batch})
    summary = rec.summary()
    read_batch = [i for i in batch if i.region_code in sc.REGIONS]
    assert summary["batch_billed_usd"] == pytest.approx(math.fsum(i.cost for i in read_batch), abs=1e-9)
    assert summary["unattributed_billed_usd"] == pytest.approx(math.fsum(i.cost for i in loose), abs=1e-9)
    assert summary["billed_outside_regions_usd"] == pytest.approx(math.fsum(i.cost for i in outside), abs=1e-9)
    parts = ("billed_cost_usd", "unattributed_billed_usd", "batch_billed_usd", "billed_outside_regions_usd")
    assert math.fsum(summary[part] for part in parts) == pytest.approx(math.fsum(i.cost for i in counted), abs=1e-9)
    assert summary["billed_total_usd"] == pytest.approx(math.fsum(i.cost for i in counted), abs=1e-9)


def test_requests_are_valid_and_keep_to_the_account() -> None:
    period = Period(date(2025, 10, 30), date(2025, 11, 3))
    model = boto3.client("ce", region_name="us-east-1").meta.service_model.operation_model("GetCostAndUsage")
    linked = {"Dimensions": {"Key": "LINKED_ACCOUNT", "Values": [sc.ACCOUNT]}}
    services = cost_explorer_request(period.start, period.end, sc.ACCOUNT)
    by_tag = tag_request(period, sc.ACCOUNT, sc.SONNET_SERVICE, TAG)
    for request in (services, by_tag):
        assert not ParamValidator().validate(request, model.input_shape).has_errors()
        assert linked in request["Filter"]["And"]
        assert request["TimePeriod"] == {"Start": "2025-10-30", "End": "2025-11-04"}  # End is exclusive
    assert by_tag["GroupBy"] == [{"Type": "TAG", "Key": TAG}, {"Type": "DIMENSION", "Key": "USAGE_TYPE"}]
    assert {"Dimensions": {"Key": "SERVICE", "Values": [sc.SONNET_SERVICE]}} in by_tag["Filter"]["And"]
    assert linked not in cost_explorer_request(period.start, period.end)["Filter"]["And"]
    # Claude Sonnet 4 and later bill under "Amazon Bedrock Service", beside "Amazon Bedrock".
    [services_or] = [condition["Or"] for condition in services["Filter"]["And"] if "Or" in condition]
    assert {"Dimensions": {"Key": "SERVICE", "Values": ["Amazon Bedrock", "Amazon Bedrock Service"]}} in services_or
