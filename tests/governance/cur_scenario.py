"""One account's Bedrock calls over five UTC days across a month end, its logs and its CUR 2.0 bill.

The bill is made from every call served (cost = list price from tests/oracle.py), aggregated into daily line
items per principal and usage type as CUR 2.0 does; the logs hold only some calls. Around them, the lines a
reader must leave out: another account's, credits and taxes, another service, another Marketplace product, days
outside the period, and a line that names no principal. ``expected_*`` compute the answer in plain Python over
the same rows and records, sharing no code with the product.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

from tests.governance.cur_export import LineItem
from tests.oracle import caller, published_rates

ACCOUNT = "123456789012"
MEMBER = "210987654321"  # another account of the same organization, in the same export
DAYS = [date(2025, 10, 30) + timedelta(days=i) for i in range(5)]  # two billing periods
REGIONS = ("us-east-1", "ap-northeast-2")
CODES = {"us-east-1": "USE1", "ap-northeast-2": "APN2", "eu-west-1": "EU"}
SONNET_45 = f"arn:aws:bedrock:us-east-1:{ACCOUNT}:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0"
SONNET_SERVICE = "Claude Sonnet 4.5 (Amazon Bedrock Edition)"
BEDROCK = ("AmazonBedrock", "Amazon Bedrock")
BEDROCK_SERVICE = ("AmazonBedrockService", "Amazon Bedrock Service")  # Claude Sonnet 4 and later
MARKETPLACE_CODE = "a1b2c3d4e5f6g7h8i9j0k1l2m"

ALICE = f"arn:aws:sts::{ACCOUNT}:assumed-role/AWSReservedSSO_Developer_0123456789abcdef/alice@example.com"
BOB = f"arn:aws:iam::{ACCOUNT}:user/bob"
DAVE = f"arn:aws:iam::{ACCOUNT}:user/dave"
ERIN = f"arn:aws:iam::{ACCOUNT}:user/erin"
CAROL = f"arn:aws:iam::{ACCOUNT}:user/carol"


def support(session: int) -> str:
    return f"arn:aws:sts::{ACCOUNT}:assumed-role/Support-BedrockRole/task-{session}"


# (principal ARN or a function of the call number, region, modelId, calls per day,
#  billed as (service, usage token, usage-type tail after the kind of token))
CALLERS = [
    (ALICE, "us-east-1", "us.anthropic.claude-3-haiku-20240307-v1:0", 3, (BEDROCK, "Claude3Haiku", "")),
    (support, "us-east-1", SONNET_45, 2, ((MARKETPLACE_CODE, SONNET_SERVICE), None, "")),
    (BOB, "ap-northeast-2", "anthropic.claude-3-7-sonnet-20250219-v1:0", 2, (BEDROCK, "Claude3.7Sonnet", "")),
    (DAVE, "ap-northeast-2", "anthropic.claude-3-7-sonnet-20250219-v1:0", 1, (BEDROCK, "Claude3.7Sonnet", "")),
    (ERIN, "eu-west-1", "anthropic.claude-3-haiku-20240307-v1:0", 2, (BEDROCK, "Claude3Haiku", "")),
    (CAROL, "ap-northeast-2", "global.anthropic.claude-sonnet-4-20250514-v1:0", 2,
     (BEDROCK_SERVICE, "Claude4Sonnet", "-cross-region-global")),
]
GAP_DAY = DAYS[2]  # the Support application's logs of this day never arrived
TITAN = "USE1-TitanEmbeddingsG1-Text-input-tokens"


def served_calls() -> list[dict]:
    """Every call Bedrock served, as invocation-log records (with the bill's view in ``_`` keys)."""
    rng = random.Random(20)
    records = []
    for day in DAYS:
        for principal, region, model_id, per_day, billing in CALLERS:
            for n in range(per_day):
                arn = principal(n) if callable(principal) else principal
                when = datetime(day.year, day.month, day.day, 2 + 5 * n, rng.randrange(60), tzinfo=UTC)
                records.append({
                    "schemaType": "ModelInvocationLog", "schemaVersion": "1.0",
                    "timestamp": when.strftime("%Y-%m-%dT%H:%M:%SZ"), "accountId": ACCOUNT,
                    "identity": {"arn": arn}, "region": region, "requestId": f"{arn[-12:]}-{day}-{n}",
                    "operation": "Converse", "modelId": model_id,
                    "input": {"inputTokenCount": rng.randrange(300, 5000)},
                    "output": {"outputTokenCount": rng.randrange(40, 900)},
                    "_billing": billing,
                })
    return records


def logged(records: list[dict]) -> list[dict]:
    """The records whose logs arrived: none of bob's (his calls were never logged), none of the gap day's for the
    Support application; dave's calls are logged but another account pays for them (no line in this bill)."""
    kept = []
    for record in records:
        arn = record["identity"]["arn"]
        if arn == BOB or (arn.startswith(support(0)[:-1]) and record["timestamp"].startswith(GAP_DAY.isoformat())):
            continue
        kept.append({k: v for k, v in record.items() if not k.startswith("_")})
    return kept


def cost_parts(record: dict) -> tuple[float, float]:
    """(input, output) list-price cost of one call."""
    rates = published_rates(record["modelId"], date.fromisoformat(record["timestamp"][:10]), False)
    assert rates is not None
    return (record["input"]["inputTokenCount"] * rates[0] / 1000,
            record["output"]["outputTokenCount"] * rates[1] / 1000)


def line_items(records: list[dict]) -> list[LineItem]:
    """The bill: daily line items per principal and usage type of every call but dave's, and the lines around."""
    sums: dict[tuple, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for record in records:
        arn = record["identity"]["arn"]
        if arn == DAVE:
            continue
        (code, name), token, tail = record["_billing"]
        region = record["region"]
        for kind, amount, tokens in zip(("input", "output"), cost_parts(record),
                                        (record["input"]["inputTokenCount"], record["output"]["outputTokenCount"]),
                                        strict=True):
            prefix = CODES[region]
            usage_type = (f"{prefix}-{token}-{kind}-tokens{tail}" if token
                          else f"{prefix}-MP:{prefix}_{kind.capitalize()}TokenCount-Units")
            key = (arn, code, name, usage_type, region, date.fromisoformat(record["timestamp"][:10]))
            sums[key][0] += amount
            sums[key][1] += tokens
    items = [LineItem(ACCOUNT, arn, code, name, usage_type, region, day, cost, usage,
                      billing_entity="AWS Marketplace" if code == MARKETPLACE_CODE else "AWS")
             for (arn, code, name, usage_type, region, day), (cost, usage) in sorted(sums.items())]
    first, last = DAYS[0], DAYS[-1]
    items += [
        LineItem(ACCOUNT, ALICE, *BEDROCK, TITAN, "us-east-1", DAYS[1], 0.25, 250_000),  # a model the table lacks
        LineItem(ACCOUNT, "", *BEDROCK, "USE1-ProvisionedThroughput-ModelUnits", "us-east-1", DAYS[3], 3.0, 1),
        LineItem(MEMBER, f"arn:aws:iam::{MEMBER}:user/zed", *BEDROCK, "USE1-Claude3Haiku-input-tokens", "us-east-1",
                 DAYS[1], 7.0, 28_000_000),
        LineItem(ACCOUNT, ALICE, *BEDROCK, "USE1-Claude3Haiku-input-tokens", "us-east-1", DAYS[1], -1.0,
                 line_type="Credit"),
        LineItem(ACCOUNT, ALICE, *BEDROCK, "USE1-Claude3Haiku-input-tokens", "us-east-1", DAYS[1], 0.4,
                 line_type="Tax"),
        LineItem(ACCOUNT, ALICE, "AmazonEC2", "Amazon Elastic Compute Cloud", "USE1-BoxUsage:t3.micro",
                 "us-east-1", DAYS[1], 5.0, 24),
        LineItem(ACCOUNT, ALICE, "b0t9s8r7q6p5o4n3m2l1k0j9i", "Some Other Product", "USE1-MP:USE1_Seats-Units",
                 "us-east-1", DAYS[1], 99.0, 1, billing_entity="AWS Marketplace"),
        LineItem(ACCOUNT, ALICE, *BEDROCK, "USE1-Claude3Haiku-input-tokens", "us-east-1",
                 first - timedelta(days=1), 11.0, 44_000_000),
        LineItem(ACCOUNT, ALICE, *BEDROCK, "USE1-Claude3Haiku-input-tokens", "us-east-1",
                 last + timedelta(days=1), 13.0, 52_000_000),
    ]
    return items


# The answer, in plain Python.

def counted(item: LineItem) -> bool:
    """The reader's rules, restated: this account, usage, Bedrock's services, the period's days."""
    bedrock = (item.product_code in ("AmazonBedrock", "AmazonBedrockService")
               or item.product_name.endswith("(Amazon Bedrock Edition)"))
    return (item.account == ACCOUNT and item.line_type == "Usage" and bedrock and DAYS[0] <= item.day <= DAYS[-1])


def who(arn: str) -> tuple[str, str]:
    """(user, application) of an ARN, by the oracle's own reading."""
    return caller({"identity": {"arn": arn}})


def expected_billed(items: list[LineItem]) -> dict[tuple[str, str], float]:
    """Billed cost per (user, application) in the analysed regions."""
    totals: dict[tuple[str, str], list[float]] = defaultdict(list)
    for item in items:
        if counted(item) and item.principal and item.region_code in REGIONS:
            totals[who(item.principal)].append(item.cost)
    return {key: math.fsum(values) for key, values in totals.items()}


def expected_estimated(records: list[dict]) -> dict[tuple[str, str], float]:
    """Estimated cost per (user, application) of the logged calls in the analysed regions and days."""
    totals: dict[tuple[str, str], list[float]] = defaultdict(list)
    for record in records:
        day = date.fromisoformat(record["timestamp"][:10])
        if record["region"] in REGIONS and DAYS[0] <= day <= DAYS[-1]:
            totals[who(record["identity"]["arn"])] += list(cost_parts(record))
    return {key: math.fsum(values) for key, values in totals.items()}


def expected_months(items: list[LineItem], records: list[dict]) -> dict[str, tuple[float, float, float]]:
    """Per month: (billed with a principal, estimated, billed with no principal) in the analysed regions."""
    billed, loose, estimated = defaultdict(list), defaultdict(list), defaultdict(list)
    for item in items:
        if counted(item) and item.region_code in REGIONS:
            (billed if item.principal else loose)[f"{item.day:%Y-%m}"].append(item.cost)
    for record in records:
        if record["region"] in REGIONS:
            estimated[record["timestamp"][:7]] += list(cost_parts(record))
    months = set(billed) | set(estimated)
    return {m: (math.fsum(billed[m]), math.fsum(estimated[m]), math.fsum(loose[m])) for m in months}
