"""A ``--prices`` run of the analyser names the price file (and a digest of it) wherever the virtual cost says what it
is priced at, as the Bedrock reports' cost note does: JSON ``accuracy.virtual_cost``, ``virtual_cost.price_source``
and ``virtual_cost.price_file``, the terminal, every CSV ``accuracy_virtual_cost`` cell and the dashboard's note; and
it says whether any of the file's rows priced a figure of the run. Digests are computed here with ``hashlib``."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date
from pathlib import Path

import pytest

import qcli_s3_analyzer
from bedrock_usage.dashboard.text import Text, plain
from bedrock_usage.logs.period import Period
from bedrock_usage.qdev.analysis import Source, analyze
from bedrock_usage.qdev.sources import LocalStore
from tests.logfiles import csv_rows
from tests.qdev.test_cost_days import NOVA_PRO, write_kiro_chat
from tests.qdev.test_offline import offline  # noqa: F401  (fixture)

pytestmark = pytest.mark.usefixtures("offline")

DAY = "2026-03-02"
NOTE = ("estimated: the estimated tokens x {prices}, what the same requests would cost on Amazon Bedrock; not billed "
        "(Amazon Q Developer Pro is billed per subscribed user)")


def scene(tmp_path: Path, model: str) -> tuple[Path, Path, str]:
    """Logs of two Nova Pro requests in us-east-1, and a price file of one row for ``model`` there: its path and the
    first 12 hex digits of its SHA-256."""
    for minute, prompt in enumerate(("Draft the rollout plan", "List the open risks")):
        write_kiro_chat(tmp_path / "logs", "us-east-1", f"{DAY}T09:0{minute}:00.000000Z", NOVA_PRO, prompt, "Done.")
    prices = tmp_path / "negotiated.json"
    prices.write_text(json.dumps({"prices": [{"model": model, "region": "us-east-1", "input": 0.0005,
                                              "output": 0.002}]}))
    return tmp_path / "logs", prices, hashlib.sha256(prices.read_bytes()).hexdigest()[:12]


def outputs(logs: Path, prices: Path, out: Path, capsys: pytest.CaptureFixture[str]
            ) -> tuple[dict, str, dict[str, Path]]:
    """The JSON document, terminal text and CSV files (by table name) of one ``--prices`` run over ``logs``."""
    argv = ["--logs-dir", str(logs), "--start-date", DAY, "--end-date", DAY, "--prices", str(prices), "--quiet"]
    assert qcli_s3_analyzer.main([*argv, "--format", "json", "--output-dir", "-"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert qcli_s3_analyzer.main([*argv, "--max-rows", "0"]) == 0
    text = capsys.readouterr().out
    assert qcli_s3_analyzer.main([*argv, "--format", "csv", "--output-dir", str(out)]) == 0
    capsys.readouterr()
    names = {path: re.fullmatch(r"qcli_analysis_\d{8}_\d{6}_(.+)\.csv", path.name)[1] for path in out.glob("*.csv")}
    return document, text, {name: path for path, name in names.items()}


def said_everywhere(document: dict, text: str, files: dict[str, Path], prices: str) -> None:
    """``prices`` is what the JSON, the terminal and every CSV row holding the virtual cost say it is priced at."""
    note = NOTE.format(prices=prices)
    assert document["accuracy"]["virtual_cost"] == note
    assert document["virtual_cost"]["price_source"].startswith(f"{prices} from the project's price book")
    assert f"virtual cost: {note}" in " ".join(line.strip() for line in text.splitlines())
    assert f"prices: {prices}" in " ".join(line.strip() for line in text.splitlines())
    for table in ("per_user", "virtual_cost_per_model"):
        _, rows = csv_rows(files[table])
        assert rows and {row["accuracy_virtual_cost"] for row in rows} == {note}, table


def test_a_price_file_whose_rows_priced_requests_is_named_with_its_digest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    logs, prices, digest = scene(tmp_path, NOVA_PRO)
    document, text, files = outputs(logs, prices, tmp_path / "out", capsys)

    named = (f"the prices of the price file {prices} (sha256 {digest}) where its rows apply, else Amazon Bedrock list "
             "prices")
    said_everywhere(document, text, files, named)
    assert document["virtual_cost"]["price_file"] == {"path": str(prices), "sha256": digest, "priced_requests": 2,
                                                      "priced_reference": False}
    # the dashboard's note, over the same logs with the file in $BEDROCK_USAGE_PRICES as the page reads it
    monkeypatch.setenv("BEDROCK_USAGE_PRICES", str(prices))
    report = analyze(Source(LocalStore(logs)), Period(date.fromisoformat(DAY), date.fromisoformat(DAY)))
    shown = plain(named)
    assert Text("en").virtual_prices(report.virtual_cost) == shown
    assert f"would cost at {shown}, not what AWS bills" in Text("en")("q_accuracy_note", prices=shown)
    assert plain(f"{prices} (sha256 {digest})") in Text("ko").virtual_prices(report.virtual_cost)


def test_a_price_file_none_of_whose_rows_priced_a_figure_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    logs, prices, digest = scene(tmp_path, "acme.private-model-v1:0")  # a model no request names
    document, text, files = outputs(logs, prices, tmp_path / "out", capsys)

    said_everywhere(document, text, files, f"Amazon Bedrock list prices (no row of the price file {prices} (sha256 "
                                           f"{digest}) priced a request or the reference price)")
    assert document["virtual_cost"]["price_file"] == {"path": str(prices), "sha256": digest, "priced_requests": 0,
                                                      "priced_reference": False}


def test_without_a_price_file_the_virtual_cost_is_at_list_prices(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BEDROCK_USAGE_PRICES", raising=False)
    logs, _, _ = scene(tmp_path, NOVA_PRO)
    argv = ["--logs-dir", str(logs), "--start-date", DAY, "--end-date", DAY, "--quiet", "--format", "json"]
    assert qcli_s3_analyzer.main([*argv, "--output-dir", "-"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["accuracy"]["virtual_cost"] == NOTE.format(prices="Amazon Bedrock list prices")
    assert document["virtual_cost"]["price_file"] is None
