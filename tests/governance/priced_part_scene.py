"""Calls of one day, some to a model the price book does not know, with their logs and their CUR 2.0 bill: the
scene of the tests of a priced-part estimate beside the bill. Each test names its calls and bill lines; the figures
they expect come from Claude 3 Haiku's published price."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from bedrock_usage.engines.local import LocalEngine
from bedrock_usage.governance.cur import BilledLines, read_cur_dir
from bedrock_usage.logs.period import Period
from bedrock_usage.report.tracker import BedrockAthenaTracker
from tests.governance.cur_export import LineItem, write_export
from tests.logfiles import ACCOUNT, write_records

DAY = date(2025, 11, 3)
PERIOD = Period(DAY, DAY)
REGIONS = ("us-east-1",)
HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
MYSTERY = "acme.mystery-model-v1:0"  # no price in the book
TOKENS = (1_000_000, 200_000)
# Claude 3 Haiku's published on-demand price in us-east-1: $0.25 per million input tokens, $1.25 per million output.
HAIKU_CALL = TOKENS[0] * 0.25 / 1e6 + TOKENS[1] * 1.25 / 1e6  # $0.50


def arn(user: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:user/{user}"


def record(n: int, user: str, model: str) -> dict:
    return {"timestamp": f"{DAY.isoformat()}T10:{n:02d}:00Z", "region": "us-east-1", "requestId": f"r{n}",
            "identity": {"arn": arn(user)}, "operation": "Converse", "modelId": model,
            "input": {"inputTokenCount": TOKENS[0]}, "output": {"outputTokenCount": TOKENS[1]}}


def logged_and_billed(root: Path, calls: list[tuple[str, str]], bill: list[tuple[str, str, float]]
                      ) -> tuple[pd.DataFrame, BilledLines]:
    """The tracker's facts of ``calls`` (user, model id), each logged under ``root``, and the bill read from an
    export of ``bill`` (user, usage-type model token, cost), as the reports read them."""
    write_records(root / "logs", [record(n, *call) for n, call in enumerate(calls)])
    facts = BedrockAthenaTracker(LocalEngine(root / "logs", cache=False)).analyze(PERIOD, list(REGIONS)).facts
    return facts, read_cur_dir(write_export(root / "bucket", bill_items(bill)), PERIOD, ACCOUNT)


def bill_items(bill: list[tuple[str, str, float]]) -> list[LineItem]:
    """The CUR 2.0 line items of ``bill`` (user, usage-type model token, cost): input tokens in us-east-1."""
    return [LineItem(ACCOUNT, arn(user), "AmazonBedrock", "Amazon Bedrock", f"USE1-{token}-input-tokens", "us-east-1",
                     DAY, cost, 1) for user, token, cost in bill]
