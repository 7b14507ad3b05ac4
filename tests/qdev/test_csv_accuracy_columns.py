"""Every Amazon Q / Kiro CSV table's rows end, after the period, with the JSON ``accuracy`` notes of the figures the
table holds (``accuracy_<kind>``, the same texts), so a file forwarded or pivoted alone says what is exact and what
estimated; the Kiro cost's and the allowance's notes name the price table and the days its rows were read."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

import qcli_s3_analyzer
from tests.logfiles import csv_rows
from tests.qdev.test_accuracy import ARGV
from tests.qdev.test_offline import ROOT, offline  # noqa: F401  (fixture)

pytestmark = pytest.mark.usefixtures("offline")

# The kinds of figure each file holds (docs/amazon-q.md, section 5), in the order of the JSON ``accuracy``: prompt-log
# requests and their estimated tokens, the virtual cost, activity-report counts, tokens estimated from them,
# month-end projections, Kiro credits and messages, the Kiro cost and the tiers' allowances. ``people`` holds no
# figure.
HOLDS = {
    "per_user": ("requests", "tokens", "virtual_cost"),
    "per_type": ("requests", "tokens"),
    "per_product": ("requests", "tokens"),
    "daily": ("requests", "tokens"),
    "hourly": ("requests", "tokens"),
    "virtual_cost_per_model": ("requests", "tokens", "virtual_cost"),
    "activity_per_user": ("activity",),
    "activity_per_day": ("activity",),
    "activity_per_feature": ("activity",),
    "activity_spikes": ("activity",),
    "limits": ("activity", "projections"),
    "activity_estimated_tokens": ("requests", "tokens", "activity", "report_tokens"),
    "kiro_per_user": ("kiro_credits", "kiro_cost"),
    "kiro_per_client": ("kiro_credits",),
    "kiro_per_day": ("kiro_credits",),
    "kiro_per_model": ("kiro_credits",),
    "kiro_allowance": ("projections", "kiro_credits", "kiro_allowance"),
    "people": (),
}
PERIOD_COLUMNS = ["period_start", "period_end", "tz"]
BUILT_IN = ROOT / "bedrock_usage" / "qdev" / "kiro_prices.csv"


def csv_files(out: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> dict[str, Path]:
    """The analyser's CSV files over the Kiro fixture, by table name."""
    assert qcli_s3_analyzer.main([*ARGV, *extra, "--quiet", "--format", "csv", "--output-dir", str(out)]) == 0
    capsys.readouterr()
    return {re.fullmatch(r"qcli_analysis_\d{8}_\d{6}_(.+)\.csv", path.name)[1]: path for path in out.glob("*.csv")}


def run(out: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[dict, dict[str, Path]]:
    """The JSON document and the CSV files (by table name) of the analyser over the Kiro fixture."""
    assert qcli_s3_analyzer.main([*ARGV, *extra, "--quiet", "--format", "json", "--output-dir", "-"]) == 0
    return json.loads(capsys.readouterr().out), csv_files(out, capsys, *extra)


def test_every_tables_rows_end_with_the_json_notes_of_the_figures_it_holds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document, files = run(tmp_path, capsys)
    assert set(files) == {"summary", *HOLDS}  # every table the run wrote is checked
    notes = document["accuracy"]
    rows_seen = 0
    for name, kinds in HOLDS.items():
        header, rows = csv_rows(files[name])
        ends = [f"accuracy_{kind}" for kind in kinds]
        assert header[-len(PERIOD_COLUMNS) - len(ends):] == PERIOD_COLUMNS + ends, name
        assert [c for c in header if c.startswith("accuracy")] == ends, name
        for row in rows:
            assert {column: row[column] for column in ends} == {f"accuracy_{k}": notes[k] for k in kinds}, name
        rows_seen += len(rows) * bool(kinds)
    assert rows_seen > 50  # the fixture fills the tables: the cells were read, not only the headers
    _, summary = csv_rows(files["summary"])
    assert {row["key"].removeprefix("accuracy."): row["value"] for row in summary
            if row["key"].startswith("accuracy.")} == notes


@pytest.mark.slow
def test_the_kiro_cost_note_names_the_price_table_and_the_days_its_rows_were_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with BUILT_IN.open(newline="", encoding="utf-8") as handle:
        built_in = {row["tier"]: row["as_of"] for row in csv.DictReader(handle)}
    document, files = run(tmp_path / "built-in", capsys)
    tiers = {row["tier"] for row in document["kiro"]["per_user"]} & set(built_in)  # PRO_MAX has no row
    read = ", ".join(sorted({built_in[tier] for tier in tiers}))
    note = document["accuracy"]["kiro_cost"]
    assert note.startswith("estimated: ") and note.endswith(
        f"; prices from bedrock_usage/qdev/kiro_prices.csv (rows read {read})")
    _, rows = csv_rows(files["kiro_per_user"])
    assert {row["accuracy_kiro_cost"] for row in rows} == {note}

    contract = tmp_path / "contract.csv"
    contract.write_text(BUILT_IN.read_text(encoding="utf-8").splitlines()[0]
                        + "\nPRO,Kiro Pro,18,1000,0.04,,,2026-11-20,true,our contract\n", encoding="utf-8")
    document, files = run(tmp_path / "contract", capsys, "--kiro-prices", str(contract))
    read = ", ".join(sorted({"2026-11-20", *(built_in[tier] for tier in tiers - {"PRO"})}))
    note = document["accuracy"]["kiro_cost"]
    assert note.endswith(f"; prices from bedrock_usage/qdev/kiro_prices.csv with {contract} on top (rows read {read})")
    _, rows = csv_rows(files["kiro_per_user"])
    assert {row["accuracy_kiro_cost"] for row in rows} == {note}


@pytest.mark.slow
def test_the_allowance_note_names_the_price_table_and_the_days_its_allowance_rows_were_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The ``allowance`` column comes from the Kiro price table: every kiro_allowance row's ``accuracy_kiro_allowance``
    (as JSON ``accuracy.kiro_allowance``) says it is the published allowance and names the table and the days its
    rows that gave the allowances were read; a --kiro-prices row gives its own allowance and read day."""
    with BUILT_IN.open(newline="", encoding="utf-8") as handle:
        built_in = {row["tier"]: row for row in csv.DictReader(handle)}
    base = ("exact as published: each tier's monthly credit allowance (the credits in plan before overage), from its "
            "Kiro price row of the period's last priced day; none for a tier without a published allowance")
    document, files = run(tmp_path / "built-in", capsys)
    _, rows = csv_rows(files["kiro_allowance"])
    tiers = {row["tier"] for row in rows} & set(built_in)  # PRO_MAX has no row, so no allowance
    assert "PRO" in tiers and {float(row["allowance"]) for row in rows if row["tier"] == "PRO"} == {
        float(built_in["PRO"]["credits"])}
    read = ", ".join(sorted({built_in[tier]["as_of"] for tier in tiers}))
    note = f"{base}; allowances from bedrock_usage/qdev/kiro_prices.csv (rows read {read})"
    assert document["accuracy"]["kiro_allowance"] == note
    assert {row["accuracy_kiro_allowance"] for row in rows} == {note}

    contract = tmp_path / "contract.csv"
    contract.write_text(BUILT_IN.read_text(encoding="utf-8").splitlines()[0]
                        + "\nPRO,Kiro Pro,18,1500,0.04,,,2026-11-20,true,our contract\n", encoding="utf-8")
    document, files = run(tmp_path / "contract", capsys, "--kiro-prices", str(contract))
    _, rows = csv_rows(files["kiro_allowance"])
    assert {float(row["allowance"]) for row in rows if row["tier"] == "PRO"} == {1500.0}
    read = ", ".join(sorted({"2026-11-20", *(built_in[tier]["as_of"] for tier in tiers - {"PRO"})}))
    note = f"{base}; allowances from bedrock_usage/qdev/kiro_prices.csv with {contract} on top (rows read {read})"
    assert document["accuracy"]["kiro_allowance"] == note
    assert {row["accuracy_kiro_allowance"] for row in rows} == {note}
