"""The corpus of real record shapes (tests/fixtures/record_shapes.json): every record is counted, attributed and priced
or flagged the same by the local engine, by the facts SQL over the table Athena would read, and by the oracle.

"The table Athena would read" is built in plain Python from the Glue table definition setup_athena_bucket.py writes,
following the OpenX JSON SerDe's documented rules (Athena User Guide, "OpenX JSON SerDe"; Trino's implementation
notes): with ``case.insensitive`` every key is lower-cased and a record with two keys equal once lower-cased is
rejected (a NULL row with ``ignore.malformed.json``); without it a column or struct field matches its
``mapping.{name}`` key, or its own name, exactly.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bedrock_usage.aws.athena_setup import table_input
from bedrock_usage.aws.logging_config import LogLocation
from bedrock_usage.engines.local import LocalEngine, to_duckdb
from bedrock_usage.engines.queries import Filters, tag_column, usage_facts_query
from bedrock_usage.logs.period import resolve_period
from bedrock_usage.logs.schema import COLUMNS, duckdb_columns
from bedrock_usage.report.tracker import BedrockAthenaTracker, tag_table
from tests.logfiles import ACCOUNT, athena_shaped_table, write_records
from tests.oracle import aggregate

CORPUS = json.loads((Path(__file__).resolve().parents[1] / "fixtures" / "record_shapes.json").read_text())["records"]
RECORDS = [entry["record"] for entry in CORPUS]
PERIOD = resolve_period(start="2025-11-03", end="2025-11-05")
TAGS = ("traceId", "TraceId", "cost_center")
MEASURES = ("calls", "errors", "input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens")


def test_every_record_says_what_shape_it_is_and_where_it_comes_from() -> None:
    assert len(CORPUS) >= 15
    for entry in CORPUS:
        assert entry["shape"] and entry["source"] and entry["record"]["requestId"]
    regions = {r["region"] for r in RECORDS}
    assert {"us-east-2", "eu-west-1", "ap-south-1", "ap-northeast-1"} <= regions
    model_ids = [r["modelId"] for r in RECORDS]
    assert any(":application-inference-profile/" in m for m in model_ids)
    assert {m.split(".")[0] for m in model_ids} >= {"jp", "apac"}


def oracle_totals(analysis: str) -> dict[Any, dict[str, float]]:
    tables = aggregate(RECORDS, PERIOD.start, PERIOD.end)
    return {key[0] if key else (): {**{m: getattr(t, m) for m in MEASURES}, "unpriced_calls": t.unpriced_calls,
                                    "cost": t.estimated_cost}
            for key, t in tables[analysis].items()}


def grouped(facts: Any, column: str) -> dict[Any, dict[str, float]]:
    sums = facts.groupby(column, dropna=False)
    table = sums[list(MEASURES) + ["unpriced_calls"]].sum()
    cost = sums["estimated_cost_usd"].sum(min_count=1)
    return {key: {**{m: int(row[m]) for m in MEASURES}, "unpriced_calls": int(row["unpriced_calls"]),
                  "cost": float(cost[key])} for key, row in table.iterrows()}


def same(got: dict[Any, dict[str, float]], want: dict[Any, dict[str, float]]) -> None:
    assert got.keys() == want.keys()
    for key, values in want.items():
        for name, value in values.items():
            if name == "cost":
                assert (math.isnan(got[key][name]) and math.isnan(value)) or got[key][name] == pytest.approx(value), key
            else:
                assert got[key][name] == value, (key, name)


def test_the_local_engine_counts_attributes_and_prices_every_shape_like_the_oracle(tmp_path: Path) -> None:
    write_records(tmp_path, RECORDS)
    report = BedrockAthenaTracker(LocalEngine(tmp_path, cache=False), extra_tags=TAGS).analyze(PERIOD)
    assert report.records_skipped == 0 and report.summary["calls"] == len(RECORDS)
    for analysis, column in (("region", "source_region"), ("model_id", "model_id"), ("user", "user"),
                             ("application", "application")):
        same(grouped(report.facts, column), oracle_totals(analysis))
    unpriced = set(report.unpriced["model_id"])
    assert unpriced == {m for m, t in oracle_totals("model_id").items() if t["unpriced_calls"]}
    # Every family the book lists is priced; only the unresolved application inference profile is not.
    assert {"meta.llama2-13b-chat-v1", "amazon.nova-lite-v1:0", "amazon.titan-embed-text-v2:0"}.isdisjoint(unpriced)
    assert unpriced and all(":application-inference-profile/" in model for model in unpriced)
    # Tag keys are read as the record writes them: traceId and TraceId are two keys.
    for key, value in (("traceId", "trace-lower"), ("TraceId", "trace-upper")):
        assert list(report.tables[tag_table(key)].dropna(subset=[tag_table(key)])[tag_table(key)]) == [value]


def athena_rows(parameters: dict[str, str], columns: list[dict[str, str]]) -> list[dict[str, Any] | None]:
    """Each record as the OpenX SerDe with ``parameters`` hands it to Athena: its declared columns, or None (a
    record it rejects, which ``ignore.malformed.json`` turns into a row of NULLs)."""
    insensitive = parameters.get("case.insensitive", "true").lower() == "true"
    schema = {name.lower(): (name, kind) for name, kind in duckdb_columns().items()}

    def duplicate_keys(value: Any) -> bool:
        if isinstance(value, dict):
            lowered = [key.lower() for key in value]
            return len(set(lowered)) < len(lowered) or any(duplicate_keys(v) for v in value.values())
        return isinstance(value, list) and any(duplicate_keys(v) for v in value)

    def field(obj: dict[str, Any], name: str) -> Any:
        key = parameters.get(f"mapping.{name}", name)
        if insensitive:
            return {k.lower(): v for k, v in obj.items()}.get(key.lower())
        return obj.get(key)

    rows: list[dict[str, Any] | None] = []
    for record in RECORDS:
        if insensitive and duplicate_keys(record):
            rows.append(None)
            continue
        row: dict[str, Any] = {}
        for column in columns:
            name, kind = schema[column["Name"]]
            value = field(record, column["Name"])
            if column["Type"].startswith("struct<") and isinstance(value, dict):
                fields = [part.split(":")[0] for part in column["Type"][7:-1].split(",")]
                struct_names = {f.lower(): f for f in (p.split()[0] for p in kind[7:-1].split(", "))}
                value = {struct_names[f]: field(value, f) for f in fields}
            if column["Type"].startswith("map<") and isinstance(value, dict) and insensitive:
                value = {k.lower(): v for k, v in value.items()}  # the rcongiu SerDe lower-cases map keys too
            row[name] = value
        rows.append(row)
    return rows


def facts_over_table(rows: list[dict[str, Any] | None], tmp_path: Path) -> Any:
    """The facts SQL, as DuckDB runs it, over a table holding ``rows`` (None rows are all NULL)."""
    lines = tmp_path / "rows.jsonl"
    day = {r["requestId"]: r["timestamp"][:10].replace("-", "/") for r in RECORDS}
    with lines.open("w") as out:
        for record, row in zip(RECORDS, rows, strict=True):
            path = f"s3://b/{record['requestId']}.json.gz"
            out.write(json.dumps({**(row or {}), "dt": day[record["requestId"]], "$path": path}) + "\n")
    con = athena_shaped_table(lines)
    query = usage_facts_query(PERIOD, Filters(), TAGS)
    return con.execute(to_duckdb(query.sql), query.params).df()


def test_the_sql_over_athenas_table_reads_every_shape_like_the_oracle(tmp_path: Path) -> None:
    definition = table_input(LogLocation("bedrock-logs-x", "bedrock-logs/"), ACCOUNT, "us-east-1", date(2023, 1, 1))
    storage = definition["StorageDescriptor"]
    assert [c["Name"] for c in storage["Columns"]] == [name.lower() for name, _, _ in COLUMNS]
    facts = facts_over_table(athena_rows(storage["SerdeInfo"]["Parameters"], storage["Columns"]), tmp_path)
    assert facts["day"].notna().all()  # no record rejected or unreadable
    by_model: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(MEASURES, 0))
    for row in facts.itertuples():
        for name in MEASURES:
            by_model[row.model_id][name] += int(getattr(row, name))
    want = {key: {m: values[m] for m in MEASURES} for key, values in oracle_totals("model_id").items()}
    assert dict(by_model) == want
    tags = {key: set(facts[tag_column(i)].dropna()) for i, key in enumerate(TAGS)}
    assert tags["traceId"] == {"trace-lower"} and tags["TraceId"] == {"trace-upper"}
    assert tags["cost_center"] == {r["requestMetadata"]["cost_center"] for r in RECORDS if "requestMetadata" in r
                                   and "cost_center" in r["requestMetadata"]}


def test_the_former_case_insensitive_definition_loses_the_record_with_case_twins(tmp_path: Path) -> None:
    definition = table_input(LogLocation("bedrock-logs-x", "bedrock-logs/"), ACCOUNT, "us-east-1", date(2023, 1, 1))
    columns = definition["StorageDescriptor"]["Columns"]
    facts = facts_over_table(athena_rows({"ignore.malformed.json": "true", "case.insensitive": "true"}, columns),
                             tmp_path)
    lost = facts.loc[facts["day"].isna(), "calls"].sum()
    assert lost == 1  # the call with Id/id in its tool schema: counted as a skipped record, not as a call
    assert "anthropic.claude-3-7-sonnet-20250219-v1:0" not in set(facts["model_id"].dropna())
