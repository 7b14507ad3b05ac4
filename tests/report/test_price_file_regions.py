"""A user's price file that prices a model for one Region only: the model's calls from other Regions take the built-in
book's price, and the report says so in one line naming the model and those Regions, as it does for endpoint
families, so a price negotiated for one Region is never taken to apply everywhere."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from bedrock_usage.report.tracker import UsageReport, narrowed
from tests.oracle import all_rates
from tests.report.test_price_file_families import DAY, SONNET_45, fallbacks
from tests.report.test_price_file_families import analyse as priced_calls

OWN = {"input": 0.002, "output": 0.01, "cache_write_5m": 0.0025, "cache_read": 0.0002}  # negotiated for us-east-1
REGIONS = ("us-east-1", "us-west-2", "eu-west-1")
# every call through the regional family (geo profiles and in-region ids), from three Regions
CALLS = [(f"us.{SONNET_45}", "us-east-1"), (f"us.{SONNET_45}", "us-west-2"), (SONNET_45, "us-west-2"),
         (f"eu.{SONNET_45}", "eu-west-1")]
LINE = (f"Claude Sonnet 4.5 ({SONNET_45}): your price file prices its regional endpoint family in us-east-1 only; "
        "{calls} from {regions} took the built-in book's price (add a row with \"region\" for each, or one without "
        "\"region\" for every Region)")


def analyse(tmp_path: Path, rows: list[dict]) -> UsageReport:
    return priced_calls(tmp_path, rows, CALLS, REGIONS)


def test_calls_from_other_regions_name_the_regions_that_took_the_book_price(tmp_path: Path) -> None:
    report = analyse(tmp_path, [{"model": SONNET_45, "region": "us-east-1", **OWN}])
    assert fallbacks(report) == [LINE.format(calls="3 calls", regions="eu-west-1, us-west-2")]
    # the us-east-1 call at the user's price, the others at the published list prices (1,000 tokens in, 100 out)
    cost = report.facts.groupby("source_region")["estimated_cost_usd"].sum()
    day = date.fromisoformat(DAY)
    listed = [all_rates(model, day, 0, region) for model, region in CALLS[1:]]
    assert cost["us-east-1"] == pytest.approx(OWN["input"] + 0.1 * OWN["output"])
    assert cost["us-west-2"] + cost["eu-west-1"] == pytest.approx(sum(rates[0] + 0.1 * rates[1] for rates in listed))
    assert listed[0][0] != OWN["input"]  # the book's price is not the negotiated one
    # a drill-down names only the Regions of its own calls (the dashboard narrows reports the same way)
    regions = report.facts["source_region"]
    assert fallbacks(narrowed(report, pd.Series(regions == "us-east-1"))) == []
    assert fallbacks(narrowed(report, pd.Series(regions == "us-west-2"))) == [
        LINE.format(calls="2 calls", regions="us-west-2")]


@pytest.mark.parametrize("rows", [
    [{"model": SONNET_45, "region": region, **OWN} for region in REGIONS],
    [{"model": SONNET_45, "region": "us-east-1", **OWN}, {"model": SONNET_45, **OWN}],  # one row for every Region
])
def test_a_price_file_that_prices_every_region_called_says_nothing(tmp_path: Path, rows: list[dict]) -> None:
    assert fallbacks(analyse(tmp_path, rows)) == []
