"""The chargeback's and --developer-costs' CSV files say on every row what is exact and what is estimated, as their
JSON ``accuracy`` does, so a spreadsheet or a chargeback job reading a file alone has it: compared with the JSON
document of a run with the same options and, for list prices, with the wording itself."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

import bedrock_tracker_cli
from tests.governance.test_chargeback import COVERAGE_COLUMNS
from tests.governance.test_developer_costs import MONTH, MYSTERY, call, write_scene
from tests.governance.test_price_file_named import named
from tests.logfiles import cli_json, write_records
from tests.qdev.test_offline import offline  # noqa: F401  (fixture)
from tests.report.test_price_file_named import DAY, HAIKU, OWN, RECORDS, price_file

TOKENS = "exact: token counts from Model Invocation Logs"
LIST_COST = ("estimated: logged tokens (and images made, video seconds, rerank queries and images given to an "
             "embeddings model, from logged request bodies, a call of a Stability AI one-image model as its one "
             "image) x list prices of the price book for the model, source region, endpoint family, service tier, "
             "context tier and day (cache writes at the 5-minute rate unless the logged response says 1 hour, or, "
             "for a response delivered apart under /data/, every cache breakpoint of the logged request asks 1 hour)")
UNPRICED = "calls without a price are counted in unpriced_calls and listed apart; their cost is unknown, not 0"


def write_csv_files(capsys: pytest.CaptureFixture[str], logs: Path, out: Path, *args: str) -> None:
    """Run the report CLI with ``args`` on the local ``logs``, its CSV files written to ``out`` (exit 0 asserted)."""
    code = bedrock_tracker_cli.main(["--engine", "local", "--logs-dir", str(logs), "--quiet", *args, "--format", "csv",
                                     "--output-dir", str(out)])
    assert code == 0, capsys.readouterr().err
    capsys.readouterr()


def read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """A CSV file's header and rows."""
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


@pytest.fixture
def scene(tmp_path: Path) -> tuple[Path, Path]:
    """Bedrock calls of Alex and Bora (one of a model without a price), Kiro reports of Alex and Ana."""
    logs, qdev, _ = write_scene(tmp_path, [call(9, "bora@example.com", MYSTERY)])
    return logs, qdev


def test_every_chargeback_csv_row_ends_with_the_accuracy_of_its_json(
        scene: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The rows end with ``accuracy_tokens``, ``accuracy_cost`` and ``accuracy_unpriced`` (the rows count calls
    without a price, as the developer costs' do); the unpriced file, which holds tokens and no cost, with
    ``accuracy_tokens`` and ``accuracy_unpriced``; the columns before them as they were."""
    logs, _ = scene
    doc = cli_json(capsys, logs, "--chargeback", MONTH)
    assert doc["schema"] == "bedrock-usage/chargeback/v4"
    assert (doc["accuracy"]["tokens"], doc["accuracy"]["cost"]) == (TOKENS, LIST_COST)
    assert doc["accuracy"]["unpriced"] == UNPRICED
    write_csv_files(capsys, logs, tmp_path / "out", "--chargeback", MONTH)
    header, rows = read(tmp_path / "out" / f"bedrock_chargeback_{MONTH}_application.csv")
    assert header == [*(c["name"] for c in doc["columns"]), *COVERAGE_COLUMNS, "tz", "filters", "accuracy_tokens",
                      "accuracy_cost", "accuracy_unpriced"]
    assert len(rows) == len(doc["rows"]) and {
        (r["accuracy_tokens"], r["accuracy_cost"], r["accuracy_unpriced"]) for r in rows} == {
        (doc["accuracy"]["tokens"], doc["accuracy"]["cost"], UNPRICED)}
    header, unpriced = read(tmp_path / "out" / f"bedrock_chargeback_{MONTH}_application_unpriced.csv")
    assert header[-4:] == ["tz", "filters", "accuracy_tokens", "accuracy_unpriced"] and "accuracy_cost" not in header
    assert [(r["model_id"], r["accuracy_tokens"], r["accuracy_unpriced"]) for r in unpriced] == [
        (MYSTERY, TOKENS, UNPRICED)]


def test_a_chargeback_priced_with_a_price_file_names_it_on_every_csv_row(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_records(tmp_path / "logs", RECORDS)
    prices, digest = price_file(tmp_path, [{"model": HAIKU, **OWN}])
    args = ("--prices", str(prices), "--chargeback", DAY[:7])
    doc = cli_json(capsys, tmp_path / "logs", *args)
    assert named(prices, digest) in doc["accuracy"]["cost"]
    write_csv_files(capsys, tmp_path / "logs", tmp_path / "out", *args)
    _, rows = read(tmp_path / "out" / f"bedrock_chargeback_{DAY[:7]}_application.csv")
    assert rows and {r["accuracy_cost"] for r in rows} == {doc["accuracy"]["cost"]}


@pytest.mark.usefixtures("offline")
def test_every_developer_costs_csv_row_ends_with_each_accuracy_note_of_its_json(
        scene: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """One ``accuracy_<key>`` column per note of the JSON ``accuracy``, after the columns the file had."""
    logs, qdev = scene
    args = ("--qdev-logs-dir", str(qdev), "--developer-costs", MONTH)
    doc = cli_json(capsys, logs, *args)
    assert doc["schema"] == "bedrock-usage/developer-costs/v3"
    notes = {f"accuracy_{key}": text for key, text in doc["accuracy"].items()}
    assert (notes["accuracy_tokens"], notes["accuracy_cost"]) == (TOKENS, LIST_COST)
    assert notes["accuracy_seat_cost"].startswith("estimated: the Q Developer Pro list price, $19 per user per month")
    assert notes["accuracy_total"].startswith("estimated: Bedrock cost + Q seat + Kiro cost")
    # the developer table counts calls without a price in bedrock_unpriced_calls and lists none apart
    assert notes["accuracy_unpriced"].startswith("Bedrock calls without a price are counted in bedrock_unpriced_calls")
    write_csv_files(capsys, logs, tmp_path / "out", *args)
    header, rows = read(tmp_path / "out" / f"bedrock_developer_costs_{MONTH}.csv")
    assert header == [*doc["rows"][0], "period_start", "period_end", "tz", "filters", *notes]
    assert len(rows) == len(doc["rows"]) == 3 and all({key: row[key] for key in notes} == notes for row in rows)


KIRO_TABLE = Path(__file__).resolve().parents[2] / "bedrock_usage" / "qdev" / "kiro_prices.csv"


@pytest.mark.usefixtures("offline")
@pytest.mark.parametrize("contract", [False, True], ids=["built-in prices", "a --kiro-prices file"])
def test_the_developer_costs_kiro_cost_note_is_the_analysers_for_the_same_month(
        scene: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str], contract: bool) -> None:
    """``accuracy_kiro_cost`` is one text under one column name: --developer-costs' (JSON and every CSV row) names the
    Kiro price table and the day its row that priced the month was read, as ``qcli_s3_analyzer.py``'s does over the
    same reports, month and price file."""
    import qcli_s3_analyzer

    logs, qdev = scene
    with KIRO_TABLE.open(newline="", encoding="utf-8") as handle:
        (pro,) = [row for row in csv.DictReader(handle) if row["tier"] == "PRO"]  # the scene's tier
    table, read_on = "bedrock_usage/qdev/kiro_prices.csv", pro["as_of"]
    extra: tuple[str, ...] = ()
    if contract:
        prices = tmp_path / "contract.csv"
        prices.write_text(f"{','.join(pro)}\nPRO,Kiro Pro,18,1000,0.04,,,2025-10-20,true,our contract\n",
                          encoding="utf-8")
        table, read_on, extra = f"{table} with {prices} on top", "2025-10-20", ("--kiro-prices", str(prices))
    expected = ("estimated: each tier's published monthly price prorated by day, plus overage credits at its "
                f"per-credit price; not the bill; prices from {table} (rows read {read_on})")
    args = ("--qdev-logs-dir", str(qdev), "--developer-costs", MONTH, *extra)
    doc = cli_json(capsys, logs, *args)
    assert doc["accuracy"]["kiro_cost"] == expected
    write_csv_files(capsys, logs, tmp_path / "out", *args)
    _, rows = read(tmp_path / "out" / f"bedrock_developer_costs_{MONTH}.csv")
    assert rows and {row["accuracy_kiro_cost"] for row in rows} == {expected}

    assert qcli_s3_analyzer.main(["--logs-dir", str(qdev), "--start-date", f"{MONTH}-01", "--end-date", f"{MONTH}-30",
                                  *extra, "--quiet", "--format", "json", "--output-dir", "-"]) == 0
    assert json.loads(capsys.readouterr().out)["accuracy"]["kiro_cost"] == expected
