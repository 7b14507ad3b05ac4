"""The note under the Bedrock tab's cards words the cost rule as the CLI's cost note does (terminal "Cost is", JSON
``accuracy.cost``, CSV ``accuracy_cost``), with the price file or without; the cost card's help names the same units
and keys. Compared with the CLI's JSON over the same logs, in-process (no Streamlit)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bedrock_usage.dashboard.bedrock_tab import card_items, cost_note
from bedrock_usage.dashboard.text import Text, plain
from tests.logfiles import cli_json
from tests.report.test_price_file_named import DAY, HAIKU, OWN, analyse, price_file


@pytest.mark.parametrize("own_prices", [False, True], ids=["list prices", "a price file"])
def test_the_dashboards_cost_note_says_the_clis_rule(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                     own_prices: bool) -> None:
    prices, digest = price_file(tmp_path, [{"model": HAIKU, **OWN}]) if own_prices else (None, "")
    report = analyse(tmp_path, prices)
    cli = cli_json(capsys, tmp_path / "logs", "--start-date", DAY, "--end-date", DAY, "--region", "us-east-1",
                   *(["--prices", str(prices)] if prices else []))["accuracy"]
    label = f"{prices} (sha256 {digest})"
    shown = cli["cost"].replace(label, plain(label)) if prices else cli["cost"]  # the page reads Markdown
    assert report.summary["unpriced_calls"] == 0 and cli["tokens"] == "exact: token counts from Model Invocation Logs"
    assert cost_note(Text("en"), report) == f"Tokens are exact (from Model Invocation Logs). Cost is {shown}."
    [help_text] = [item[4] for item in card_items(Text("en"), report.summary, report.summary, report.price_file)
                   if item[0] == "Estimated cost"]
    units, keys = re.fullmatch(r"estimated: logged tokens (\(.*?\)) x .* (for the model, .*? and day) \(cache .*",
                               cli["cost"]).groups()
    assert f"logged tokens {units} x " in help_text and f" {keys}. " in help_text
