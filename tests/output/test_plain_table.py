"""Plain tables: a report table kept as Python values comes back as the same frame, values and dtypes, and reads
as pandas would read it."""

from __future__ import annotations

import math
import pickle
import warnings
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from bedrock_usage.demo.synthetic import CorpusSpec, generate_records
from bedrock_usage.demo.writer import write_local
from bedrock_usage.engines.local import LocalEngine
from bedrock_usage.logs.period import resolve_period
from bedrock_usage.output.json_values import json_records, json_value
from bedrock_usage.output.plain_table import PlainTable, ReportTables
from bedrock_usage.report.priced_facts import PricedRows
from bedrock_usage.report.tracker import BedrockAthenaTracker


def mixed_frame() -> pd.DataFrame:
    """Every kind of column a report table holds, with the missing values each can hold."""
    return pd.DataFrame({
        "user": pd.Series(["alice", None, "bob", "ünïcode ✓"], dtype="str"),
        "model_id": pd.Series(["m1", None, "m2", None], dtype="object"),
        "hour": pd.Series([0, 23, 7, 12], dtype="int64"),
        "calls": pd.Series([3, 0, 2**53 + 1, 5], dtype="int64"),
        "estimated_cost_usd": pd.Series([0.1 + 0.2, math.nan, 1e-12, 180.97964360499998], dtype="float64"),
    })


SHAPES = {"rows": mixed_frame(), "no rows": mixed_frame().head(0), "rows without columns": pd.DataFrame(index=range(3)),
          "nothing": pd.DataFrame()}


@pytest.mark.parametrize("frame", SHAPES.values(), ids=SHAPES.keys())
def test_a_frame_comes_back_with_its_values_and_dtypes(frame: pd.DataFrame) -> None:
    plain = PlainTable.of(frame)
    assert len(plain) == len(frame)
    again = pickle.loads(pickle.dumps(plain)).frame()
    pd.testing.assert_frame_equal(again, frame, check_exact=True)


def test_records_read_as_pandas_reads_them() -> None:
    frame = mixed_frame()
    plain = PlainTable.of(frame)
    columns = ["calls", "user", "estimated_cost_usd"]
    expected = frame[columns].head(2).astype(object).to_dict("records")
    got = plain.records(columns, 2)
    assert [{k: v for k, v in row.items() if k != "estimated_cost_usd"} for row in got] == [
        {k: v for k, v in row.items() if k != "estimated_cost_usd"} for row in expected]
    assert got[0]["estimated_cost_usd"] == expected[0]["estimated_cost_usd"] and math.isnan(
        got[1]["estimated_cost_usd"])
    assert len(plain.records()) == len(frame) and plain.records(limit=0) == []
    for table in (frame, pd.DataFrame(index=range(2)), pd.DataFrame([[1, 2]], columns=["a", "a"])):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # pandas on repeated column names: the last one wins
            expected = [{k: json_value(v) for k, v in row.items()} for row in table.astype(object).to_dict("records")]
        assert json_records(table) == expected


def test_report_tables_give_frames_and_plain_tables_of_either() -> None:
    frame = mixed_frame()
    tables = ReportTables({"kept": PlainTable.of(frame), "computed": frame})
    assert list(tables) == ["kept", "computed"] and len(tables) == 2
    assert tables["kept"] is tables["kept"]  # built once
    pd.testing.assert_frame_equal(tables["kept"], frame, check_exact=True)
    assert tables["computed"] is frame
    for name in tables:  # NaN is not equal to itself: compared as frames
        pd.testing.assert_frame_equal(tables.plain(name).frame(), frame, check_exact=True)
    kept = ReportTables({"kept": PlainTable.of(frame)})
    unread = pickle.dumps(kept)
    assert kept["kept"] is not None and pickle.dumps(kept) == unread  # a frame built is not carried, only the plain
    copy = pickle.loads(pickle.dumps(tables))
    pd.testing.assert_frame_equal(copy["kept"], frame, check_exact=True)
    pd.testing.assert_frame_equal(copy["computed"], frame, check_exact=True)


def test_a_reports_tables_equal_the_roll_ups_of_its_facts(tmp_path: Path) -> None:
    """The report's tables went through plain values; rolled up again from its facts they are the same frames."""
    spec = CorpusSpec(records=600, start_date=date(2025, 11, 1), end_date=date(2025, 11, 3), seed=7)
    write_local(tmp_path, generate_records(spec))
    report = BedrockAthenaTracker(LocalEngine(tmp_path, cache=False), extra_tags=("team",)).analyze(
        resolve_period(start="2025-11-01", end="2025-11-03"))
    tag_tables = [name for name in report.tables if name.startswith("tag:")]
    assert tag_tables
    rolled = PricedRows.of_frame(report.facts).tables(tag_tables)
    assert list(rolled) == list(report.tables)
    for name, frame in rolled.items():
        pd.testing.assert_frame_equal(report.tables[name], frame, check_exact=True, obj=name)
    assert len(report.unpriced) and report.plain_unpriced() == PlainTable.of(report.unpriced)
