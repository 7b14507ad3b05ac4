"""Roll-ups as GROUPING SETS: each table equals plain-Python sums over the same fact rows, missing key values
(a record without a region) stay groups of their own, and groups that tie keep the order of their first row."""

from __future__ import annotations

import math
from collections import defaultdict

import pandas as pd

from bedrock_usage.report.priced_facts import GROUP_KEYS, METRICS, TOTAL_COST, UNIT_MEASURES, PricedRows

NAN = math.nan


def fact(user: str, region: str | None, model: str, day: str, hour: int, calls: int, cost: float,
         tag: str | None = None) -> dict[str, object]:
    """A priced fact row with its cost spread over the four cost columns (NaN: unpriced)."""
    priced = not math.isnan(cost)
    return {
        "day": day, "utc_day": day, "hour": hour, "identity_arn": f"arn:aws:iam::1:user/{user}",
        "source_region": region, "model_id": f"id.{model}", "tag:team": tag, "tag:Team": None if tag is None else
        tag.upper(), "calls": calls, "errors": calls // 3, "input_tokens": 10 * calls, "output_tokens": 5 * calls,
        "cache_read_tokens": 0, "cache_write_tokens": calls, "guardrail_interventions": 0,
        **dict.fromkeys(UNIT_MEASURES, 0),
        "weekday": pd.Timestamp(day).day_name(), "principal_type": "user", "principal": user, "user": user,
        "account": "1", "application": f"app-{user}", "model": model, "base_model_id": f"base.{model}",
        "endpoint": "regional",
        "input_cost_usd": cost / 2, "output_cost_usd": cost / 4, "cache_write_cost_usd": cost / 8,
        "cache_read_cost_usd": cost / 8, TOTAL_COST: cost, "priced": priced,
        "unpriced_reason": None if priced else "no price for this model, region and endpoint",
        "unpriced_calls": 0 if priced else calls,
    }


FACTS = pd.DataFrame([
    fact("ana", "us-east-1", "Claude", "2025-11-03", 9, 4, 2.0, "red"),
    fact("bo", None, "Claude", "2025-11-03", 9, 2, 1.0),
    fact("ana", None, "Nova", "2025-11-04", 23, 1, NAN, "blue"),
    fact("cy", "eu-west-1", "Nova", "2025-11-04", 0, 3, 1.0, "red"),
    fact("bo", "us-east-1", "Titan", "2025-11-09", 9, 2, NAN),
    fact("cy", "eu-west-1", "Claude", "2025-11-09", 9, 2, 1.0),
])


def python_rollup(keys: list[str]) -> list[tuple]:
    """Sums per group in plain Python, groups in order of first appearance."""
    groups: dict[tuple, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    costs: dict[tuple, list[float]] = defaultdict(list)
    for row in FACTS.to_dict("records"):
        key = tuple(None if isinstance(row[k], float) and math.isnan(row[k]) else row[k] for k in keys)
        for name in (*METRICS, "unpriced_calls"):
            groups[key][name] += row[name]
        costs[key].append(row[TOTAL_COST])
    return [(key, int(sums["calls"]), int(sums["unpriced_calls"]),
             sum(c for c in costs[key] if not math.isnan(c)) if any(not math.isnan(c) for c in costs[key]) else None)
            for key, sums in groups.items()]


def table_rows(table: pd.DataFrame, keys: list[str]) -> list[tuple]:
    return [(tuple(None if pd.isna(v) else v for v in row[:len(keys)]), int(row[len(keys)]), int(row[-1]),
             None if pd.isna(row[-2]) else row[-2])
            for row in table[[*keys, "calls", TOTAL_COST, "unpriced_calls"]].itertuples(index=False)]


def test_every_table_equals_plain_python_sums_in_its_order() -> None:
    tables = PricedRows.of_frame(FACTS).tables(["tag:team", "tag:Team"])
    assert set(tables) == {*GROUP_KEYS, "tag:team", "tag:Team"}
    for name, keys in {**GROUP_KEYS, "tag:team": ["tag:team"], "tag:Team": ["tag:Team"]}.items():
        expected = python_rollup(keys)
        if keys[0] == "weekday":
            days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
            expected.sort(key=lambda row: (days.index(row[0][0]), row[0][1]))
        elif keys[0] in ("day", "hour"):
            expected.sort(key=lambda row: row[0])
        else:  # by cost (unpriced last), then calls, the most first; ties keep their first row's order
            expected.sort(key=lambda row: (row[3] is None, -(row[3] or 0.0), -row[1]))
        got = table_rows(tables[name], keys)
        assert [(k, c, u) for k, c, u, _ in got] == [(k, c, u) for k, c, u, _ in expected], name
        for (_, _, _, cost), (_, _, _, want) in zip(got, expected, strict=True):
            assert (cost is None and want is None) or math.isclose(cost, want, rel_tol=1e-12), name
        assert list(tables[name].columns[: len(keys)]) == keys
    assert tables["hourly"]["hour"].dtype == "int64" and tables["weekday-hour"]["hour"].dtype == "int64"


def test_ties_break_by_the_facts_row_ids_in_any_frame_order() -> None:
    numbered = FACTS.assign(row_id=range(len(FACTS)))
    shuffled = numbered.sample(frac=1.0, random_state=3).reset_index(drop=True)
    assert shuffled["row_id"].tolist() != numbered["row_id"].tolist()
    expected = PricedRows.of_frame(numbered).tables()
    for name, table in PricedRows.of_frame(shuffled).tables().items():
        pd.testing.assert_frame_equal(table, expected[name], obj=name)


def test_a_missing_region_is_a_group_of_its_own() -> None:
    region = PricedRows.of_frame(FACTS).rollup(["source_region"])
    assert region["source_region"].isna().sum() == 1
    assert int(region.loc[region["source_region"].isna(), "calls"].iloc[0]) == 3
    assert int(region["calls"].sum()) == int(FACTS["calls"].sum())


def test_summary_and_unpriced_of_the_same_rows() -> None:
    rows = PricedRows.of_frame(FACTS)
    summary = rows.summary()
    assert summary["calls"] == 14 and summary["unpriced_calls"] == 3
    assert math.isclose(summary[TOTAL_COST], 5.0, rel_tol=1e-12)
    assert (summary["users"], summary["models"]) == (3, 3)
    unpriced = rows.unpriced()
    assert sorted(zip(unpriced["model_id"], unpriced["calls"], strict=True)) == [("id.Nova", 1), ("id.Titan", 2)]
