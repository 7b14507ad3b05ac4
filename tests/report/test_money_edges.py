"""The edges where a small slip costs money: context tiers decided on input with cache, at and one token past each
threshold (100K, 200K, 272K); the period's first and last instants; duplicates that share one part of their key;
``--user-pattern`` values that mean something else as a regular expression. Expected figures come from
tests/oracle.py (published prices, its own tier rule) or from counting the records written here."""

from __future__ import annotations

import csv
import gzip
import json
import math
import os
import re
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from bedrock_usage.engines.local import LocalEngine
from bedrock_usage.engines.queries import Filters
from bedrock_usage.logs.layout import object_key
from bedrock_usage.logs.period import resolve_period
from bedrock_usage.pricing import PriceBook
from bedrock_usage.report.render import render_terminal, selected_analyses
from bedrock_usage.report.tracker import BedrockAthenaTracker
from tests.logfiles import ACCOUNT, write_records
from tests.oracle import IMAGES, RERANK, aggregate, all_rates, caller

ROOT = Path(__file__).resolve().parents[2]
DAY = "2026-11-02"
SONNET_45 = "anthropic.claude-sonnet-4-5-20250929-v1:0"
HAIKU_55 = "anthropic.claude-haiku-5-5"
GPT_54 = "openai.gpt-5.4"


def call(user: str, model_id: str, tokens: int, cache_read: int = 0, cache_write: int = 0, *, n: int = 0,
         stamp: str | None = None, region: str = "us-east-1", arn: str | None = None) -> dict:
    """One Converse call by the IAM user ``user`` with 500 output tokens."""
    return {
        "schemaType": "ModelInvocationLog", "schemaVersion": "1.0",
        "timestamp": stamp or f"{DAY}T10:{n % 60:02d}:00Z", "accountId": ACCOUNT,
        "identity": {"arn": arn or f"arn:aws:iam::{ACCOUNT}:user/{user}"}, "region": region,
        "requestId": f"00000000-0000-4000-8000-{n:012d}",
        "operation": "Converse", "modelId": model_id,
        "input": {"inputContentType": "application/json", "inputTokenCount": tokens,
                  "cacheReadInputTokenCount": cache_read, "cacheWriteInputTokenCount": cache_write},
        "output": {"outputContentType": "application/json", "outputTokenCount": 500},
    }


# (user, model id, input, cache read, cache write, whether the call is above its model's context tier)
TIER_CALLS = [
    # Claude Sonnet 4.5, 200K: cache tokens count toward the threshold, which is "more than", not "at least"
    ("sonnet-150k-in-60k-read", f"us.{SONNET_45}", 150_000, 60_000, 0, True),
    ("sonnet-190k-in-10001-write", f"global.{SONNET_45}", 190_000, 0, 10_001, True),
    ("sonnet-exactly-200k", f"global.{SONNET_45}", 200_000, 0, 0, False),
    ("sonnet-exactly-200k-with-cache", f"us.{SONNET_45}", 120_000, 50_000, 30_000, False),
    ("sonnet-200001", f"global.{SONNET_45}", 200_001, 0, 0, True),
    ("sonnet-150k-no-100k-tier", f"global.{SONNET_45}", 150_000, 0, 0, False),
    # Claude Haiku 5.5, 100K
    ("haiku-exactly-100k", f"global.{HAIKU_55}", 100_000, 0, 0, False),
    ("haiku-60k-in-40001-read", f"global.{HAIKU_55}", 60_000, 40_001, 0, True),
    ("haiku-90k-in-10001-write", f"us.{HAIKU_55}", 90_000, 0, 10_001, True),
    ("haiku-exactly-100k-with-cache", f"us.{HAIKU_55}", 50_000, 25_000, 25_000, False),
    # OpenAI GPT-5.4, 272K: a call above 100K and 200K but not 272K stays at the base price
    ("gpt-exactly-272k", f"global.{GPT_54}", 272_000, 0, 0, False),
    ("gpt-250k", f"us.{GPT_54}", 250_000, 0, 0, False),
    ("gpt-200k-in-72001-read", f"us.{GPT_54}", 200_000, 72_001, 0, True),
    ("gpt-272001", f"global.{GPT_54}", 272_001, 0, 0, True),
]


@pytest.fixture(scope="module")
def tier_report(tmp_path_factory: pytest.TempPathFactory):
    records = [call(user, model, tokens, read, write, n=n)
               for n, (user, model, tokens, read, write, _) in enumerate(TIER_CALLS)]
    root = tmp_path_factory.mktemp("tiers")
    write_records(root, records)
    report = BedrockAthenaTracker(LocalEngine(root, cache=False)).analyze(
        resolve_period(start=DAY, end=DAY), ("us-east-1",))
    return report, records


def test_the_oracle_puts_each_call_in_the_tier_the_case_names(tier_report) -> None:
    """The cases mean what they say: above the tier the published rates are the long ones, else the base ones."""
    for user, model, tokens, read, write, above in TIER_CALLS:
        rates = all_rates(model, date.fromisoformat(DAY), tokens + read + write)
        base = all_rates(model, date.fromisoformat(DAY), 0)
        assert rates is not None and base is not None, user
        assert (rates != base) is above, user


def test_each_call_costs_its_context_tier(tier_report) -> None:
    report, records = tier_report
    expected = aggregate(records, date.fromisoformat(DAY), date.fromisoformat(DAY))
    users = report.tables["user"].set_index("user")
    assert set(users.index) == {user for user, *_ in TIER_CALLS}
    for (user,), totals in expected["user"].items():
        assert not math.isnan(totals.estimated_cost), user
        assert users.loc[user, "estimated_cost_usd"] == pytest.approx(totals.estimated_cost, rel=1e-9), user
    assert report.summary["estimated_cost_usd"] == pytest.approx(expected["summary"][()].estimated_cost, rel=1e-9)


OWN_MODEL = "acme.long-v1:0"
OWN_TIERS = {0: {"input": 0.001, "output": 0.002, "cache_read": 0.0001},
             128_000: {"input": 0.004, "output": 0.008, "cache_read": 0.0004}}
# (user, input, cache read): a tier of the user's price file between the built-in book's thresholds (100K, 200K)
OWN_TIER_CALLS = [("own-100k", 100_000, 0), ("own-exactly-128k", 128_000, 0), ("own-128001", 128_001, 0),
                  ("own-100k-in-28001-read", 100_000, 28_001), ("own-150k", 150_000, 0), ("own-210k", 210_000, 0)]


def test_a_context_tier_of_the_users_price_file_applies_from_its_own_threshold(tmp_path: Path) -> None:
    prices = tmp_path / "prices.json"
    prices.write_text(json.dumps({"prices": [
        {"model": OWN_MODEL, **({"tier": f"above_{n // 1000}k"} if n else {}), **rates}
        for n, rates in OWN_TIERS.items()]}), encoding="utf-8")
    write_records(tmp_path / "logs", [call(user, OWN_MODEL, tokens, read, n=n)
                                      for n, (user, tokens, read) in enumerate(OWN_TIER_CALLS)])
    report = BedrockAthenaTracker(LocalEngine(tmp_path / "logs", cache=False), PriceBook.load(prices)).analyze(
        resolve_period(start=DAY, end=DAY), ("us-east-1",))
    users = report.tables["user"].set_index("user")["estimated_cost_usd"]
    for user, tokens, read in OWN_TIER_CALLS:
        rates = OWN_TIERS[128_000 if tokens + read > 128_000 else 0]
        expected = (tokens * rates["input"] + 500 * rates["output"] + read * rates["cache_read"]) / 1000
        assert users[user] == pytest.approx(expected, rel=1e-9), user


def edge_call(n: int, stamp: str) -> dict:
    return call(f"at-{stamp}", f"global.{SONNET_45}", 1000, n=n, stamp=stamp)


# (timestamp, counted in 2026-11-02 .. 2026-11-03 in the time zone)
PERIOD_EDGES = {
    "UTC": [("2026-11-01T23:59:59.999Z", False), ("2026-11-02T00:00:00Z", True), ("2026-11-02T00:00:00.001Z", True),
            ("2026-11-03T23:59:59.999Z", True), ("2026-11-04T00:00:00Z", False)],
    "Asia/Seoul": [("2026-11-01T14:59:59.999Z", False), ("2026-11-01T15:00:00Z", True),
                   ("2026-11-03T14:59:59.999Z", True), ("2026-11-03T15:00:00Z", False)],
}


@pytest.mark.parametrize("tz", sorted(PERIOD_EDGES))
def test_the_period_holds_its_first_instant_and_not_the_next_periods(tmp_path: Path, tz: str) -> None:
    records = [edge_call(n, stamp) for n, (stamp, _) in enumerate(PERIOD_EDGES[tz])]
    write_records(tmp_path, records)
    report = BedrockAthenaTracker(LocalEngine(tmp_path, cache=False)).analyze(
        resolve_period(start="2026-11-02", end="2026-11-03", tz=tz), ("us-east-1",))
    kept = {f"at-{stamp}" for stamp, counted in PERIOD_EDGES[tz] if counted}
    assert set(report.tables["user"]["user"]) == kept
    assert report.summary["calls"] == len(kept)


def write_object(root: Path, records: list[dict], suffix: str) -> None:
    """One log object holding ``records`` (all of one region and hour), named apart by ``suffix``."""
    when = datetime.fromisoformat(records[0]["timestamp"].replace("Z", "+00:00"))
    path = root / object_key("bedrock-logs/", ACCOUNT, records[0]["region"], when, suffix)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress("".join(json.dumps(r) + "\n" for r in records).encode()))


@pytest.mark.parametrize("cache", [False, True], ids=["no-cache", "columnar-cache"])
def test_a_duplicate_is_the_same_request_id_and_timestamp(tmp_path: Path, cache: bool) -> None:
    first = call("dup", f"global.{SONNET_45}", 1000, stamp=f"{DAY}T10:00:00Z")
    retried = {**first, "timestamp": f"{DAY}T10:00:07Z"}  # same requestId, another timestamp: another call
    same_instant = {**first, "requestId": "00000000-0000-4000-8000-999999999999"}  # same timestamp, another id
    write_object(tmp_path / "logs", [first, retried, same_instant], "aaaa")
    write_object(tmp_path / "logs", [first, retried], "bbbb")  # delivered again: two copies to ignore
    report = BedrockAthenaTracker(LocalEngine(tmp_path / "logs", cache=cache)).analyze(
        resolve_period(start=DAY, end=DAY), ("us-east-1",))
    assert report.summary["calls"] == 3
    assert report.summary["input_tokens"] == 3000
    assert report.stats.duplicate_records == 2


@pytest.mark.parametrize("pattern", [None, "ann", "bob", "nobody"])
def test_a_user_pattern_counts_the_duplicates_of_the_calls_it_keeps(tmp_path: Path, pattern: str | None) -> None:
    records = [call("ann", f"global.{SONNET_45}", 1000, n=1), call("bob", f"global.{SONNET_45}", 1000, n=2),
               call("bob", f"global.{SONNET_45}", 1000, n=3)]
    write_object(tmp_path / "logs", records, "aaaa")
    write_object(tmp_path / "logs", records[1:], "bbbb")  # bob's calls delivered again
    write_object(tmp_path / "logs", records[:1], "cccc")  # ann's too
    delivered = [*records, *records[1:], *records[:1]]
    kept = [r for r in delivered if pattern is None or pattern in caller(r)[0]]
    report = BedrockAthenaTracker(LocalEngine(tmp_path / "logs", cache=False)).analyze(
        resolve_period(start=DAY, end=DAY), ("us-east-1",), user_pattern=pattern)
    calls = len({(r["requestId"], r["timestamp"]) for r in kept})
    assert (report.summary["calls"], report.stats.duplicate_records) == (calls, len(kept) - calls)
    assert [w for w in report.warnings if "duplicate" in w] == (
        [f"ignored {len(kept) - calls} duplicate deliver{'y' if len(kept) - calls == 1 else 'ies'} of records already "
         "counted (same requestId and timestamp)"] if len(kept) > calls else [])


# Users whose names a regular expression would confuse: "." is any character, "+" a repetition, "[...]" a class.
PATTERN_USERS = ["a.b@example.com", "axb@example.com", "dev+ops", "devvops", "devops", "team[1]", "team1", "t(x)"]
HOSTILE_PATTERNS = ["a.b@", "dev+ops", "dev+", "team[1]", "[1]", "t(x)", "(", ".*", "A.B@"]


@pytest.fixture(scope="module")
def pattern_logs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict]]:
    records = [call(user, f"global.{SONNET_45}", 1000 * (i + 1), n=i) for i, user in enumerate(PATTERN_USERS)]
    root = tmp_path_factory.mktemp("patterns")
    write_records(root, records)
    return root, records


def expected_for(records: list[dict], pattern: str):
    kept = [r for r in records if pattern.lower() in caller(r)[0].lower()]  # a literal substring, in any case
    return {caller(r)[0] for r in kept}, aggregate(kept, date.fromisoformat(DAY), date.fromisoformat(DAY))


@pytest.mark.parametrize("pattern", HOSTILE_PATTERNS)
def test_user_pattern_is_a_literal_substring(pattern_logs, pattern: str) -> None:
    root, records = pattern_logs
    report = BedrockAthenaTracker(LocalEngine(root, cache=False)).analyze(
        resolve_period(start=DAY, end=DAY), ("us-east-1",), user_pattern=pattern)
    users, expected = expected_for(records, pattern)
    assert set(report.tables["user"]["user"]) == users
    assert report.summary["calls"] == len(users)
    if users:
        summary = expected["summary"][()]
        assert report.summary["input_tokens"] == summary.input_tokens
        assert report.summary["estimated_cost_usd"] == pytest.approx(summary.estimated_cost, rel=1e-9)


def test_cli_user_pattern_is_a_literal_substring(pattern_logs, tmp_path: Path) -> None:
    root, records = pattern_logs
    run = subprocess.run(
        [sys.executable, "bedrock_tracker_cli.py", "--engine", "local", "--logs-dir", str(root), "--region",
         "us-east-1", "--start-date", DAY, "--end-date", DAY, "--user-pattern", "dev+ops", "--format", "json",
         "--output-dir", "-"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={**os.environ, "BEDROCK_USAGE_CACHE_DIR": str(tmp_path)},
    )
    assert run.returncode == 0, run.stderr
    document = json.loads(run.stdout)
    users, expected = expected_for(records, "dev+ops")
    assert users == {"dev+ops"}
    assert {row["user"] for row in document["analyses"]["user"]} == users
    assert document["summary"]["calls"] == 1
    assert document["summary"]["estimated_cost_usd"] == pytest.approx(expected["summary"][()].estimated_cost,
                                                                      rel=1e-9)


def test_a_price_change_applies_by_the_utc_day_of_the_call(tmp_path: Path) -> None:
    """Claude 3.5 Sonnet v2 costs more from 2025-12-01 (UTC); 05:00 on 1 December in Seoul is still 30 November."""
    model = "anthropic.claude-3-5-sonnet-20241022-v2:0"
    records = [call("before", model, 10_000, n=0, stamp="2025-11-30T20:00:00Z", region="us-west-2"),
               call("after", model, 10_000, n=1, stamp="2025-12-01T01:00:00Z", region="us-west-2")]
    write_records(tmp_path, records)
    report = BedrockAthenaTracker(LocalEngine(tmp_path, cache=False)).analyze(
        resolve_period(start="2025-12-01", end="2025-12-01", tz="Asia/Seoul"), ("us-west-2",))
    expected = aggregate(records, date(2025, 12, 1), date(2025, 12, 1), "Asia/Seoul")["user"]
    users = report.tables["user"].set_index("user")
    assert expected[("before",)].estimated_cost < expected[("after",)].estimated_cost
    for user in ("before", "after"):
        assert users.loc[user, "estimated_cost_usd"] == pytest.approx(expected[(user,)].estimated_cost, rel=1e-9)


def test_one_hour_cache_writes_never_exceed_the_logged_cache_writes(tmp_path: Path) -> None:
    """A response whose ``ephemeral_1h_input_tokens`` says more than ``cacheWriteInputTokenCount``: the logged count
    bounds it, so no 5-minute write goes negative and no token is billed twice."""
    usage = {"cache_creation": {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 5000}}
    record = call("overstated-1h", f"us.{SONNET_45}", 900, cache_write=1000, n=0)
    record["input"]["inputBodyJson"] = {"messages": []}
    record["output"]["outputBodyJson"] = {"usage": usage}
    write_records(tmp_path, [record])
    report = BedrockAthenaTracker(LocalEngine(tmp_path, cache=False)).analyze(
        resolve_period(start=DAY, end=DAY), ("us-east-1",))
    expected = aggregate([record], date.fromisoformat(DAY), date.fromisoformat(DAY))["summary"][()]
    assert report.summary["cache_write_tokens"] == 1000
    assert report.summary["cache_write_cost_usd"] == pytest.approx(1000 * 0.0066 / 1000, rel=1e-9)
    assert report.summary["estimated_cost_usd"] == pytest.approx(expected.estimated_cost, rel=1e-9)


def test_an_application_tag_names_the_application_of_any_caller(tmp_path: Path) -> None:
    tagged = call("analyst", f"global.{SONNET_45}", 1000, n=0)
    tagged["requestMetadata"] = {"application_name": "Chargeback"}
    role = call("", f"global.{SONNET_45}", 3000, n=1,
                arn=f"arn:aws:sts::{ACCOUNT}:assumed-role/Search-BedrockRole/task-1")
    role["requestMetadata"] = {"application_name": "Chargeback"}
    plain = call("analyst", f"global.{SONNET_45}", 5000, n=2)
    write_records(tmp_path, [tagged, role, plain])
    report = BedrockAthenaTracker(LocalEngine(tmp_path, cache=False)).analyze(
        resolve_period(start=DAY, end=DAY), ("us-east-1",))
    expected = aggregate([tagged, role, plain], date.fromisoformat(DAY), date.fromisoformat(DAY))["application"]
    applications = report.tables["application"].set_index("application")
    assert set(applications.index) == {key for (key,) in expected} == {"Chargeback", "analyst"}
    for (application,), totals in expected.items():
        assert applications.loc[application, "input_tokens"] == totals.input_tokens
        assert applications.loc[application, "estimated_cost_usd"] == pytest.approx(totals.estimated_cost, rel=1e-9)


@pytest.mark.parametrize(("cache_read", "cache_write"), [(0, 1000), (1000, 1000)], ids=["write", "read-and-write"])
def test_only_the_calls_with_cache_tokens_lose_their_price(tmp_path: Path, cache_read: int, cache_write: int) -> None:
    """GPT-5.4 has no cache write price: a call that wrote to the cache is unpriced, the same caller's other calls
    in the same hour keep theirs."""
    records = [call("same-caller", f"global.{GPT_54}", 2000, n=0),
               call("same-caller", f"global.{GPT_54}", 2000, cache_read, cache_write, n=1)]
    write_records(tmp_path, records)
    report = BedrockAthenaTracker(LocalEngine(tmp_path, cache=False)).analyze(
        resolve_period(start=DAY, end=DAY), ("us-east-1",))
    expected = aggregate(records, date.fromisoformat(DAY), date.fromisoformat(DAY))["summary"][()]
    assert (expected.priced_calls, expected.unpriced_calls) == (1, 1)
    assert report.summary["unpriced_calls"] == 1
    assert report.summary["estimated_cost_usd"] == pytest.approx(expected.estimated_cost, rel=1e-9)


def test_rerank_queries_are_input_cost_and_images_output_cost(tmp_path: Path) -> None:
    """The split a chargeback reads: a rerank call's queries are input, a generated image is output."""
    rerank = call("rerank", "amazon.rerank-v1:0", 0, n=0, region="us-west-2")
    rerank["input"]["inputBodyJson"] = {"query": "q", "documents": [f"document {i}" for i in range(250)]}
    image = call("image", "amazon.titan-image-generator-v2:0", 0, n=1, region="us-west-2")
    for record in (rerank, image):
        record["operation"], record["output"]["outputTokenCount"] = "InvokeModel", 0
    image["input"]["inputBodyJson"] = {"imageGenerationConfig": {"numberOfImages": 2, "width": 512, "height": 512}}
    write_records(tmp_path, [rerank, image])
    report = BedrockAthenaTracker(LocalEngine(tmp_path, cache=False)).analyze(
        resolve_period(start=DAY, end=DAY), ("us-west-2",))
    users = report.tables["user"].set_index("user")
    queries = 3 * RERANK["amazon.rerank-v1:0"]  # 250 documents: a query per 100, rounded up
    images = 2 * IMAGES["amazon.titan-image-generator-v2:0"]["512/standard"]
    assert (users.loc["rerank", "input_cost_usd"], users.loc["rerank", "output_cost_usd"]) == (
        pytest.approx(queries, rel=1e-9), 0)
    assert (users.loc["image", "input_cost_usd"], users.loc["image", "output_cost_usd"]) == (
        0, pytest.approx(images, rel=1e-9))


def test_a_fraction_in_a_body_rounds_half_away_from_zero_as_athena_reads_it(tmp_path: Path) -> None:
    """Trino (Athena) casts 2.5 to 3, DuckDB to 2: both engines count numberOfImages 2.5 as 3 images."""
    image = call("image", "amazon.titan-image-generator-v2:0", 0, n=1, region="us-west-2")
    image["operation"], image["output"]["outputTokenCount"] = "InvokeModel", 0
    image["input"]["inputBodyJson"] = {"imageGenerationConfig": {"numberOfImages": 2.5, "width": 512, "height": 512}}
    write_records(tmp_path, [image])
    report = BedrockAthenaTracker(LocalEngine(tmp_path, cache=False)).analyze(
        resolve_period(start=DAY, end=DAY), ("us-west-2",))
    assert report.summary["images"] == 3
    assert report.summary["estimated_cost_usd"] == pytest.approx(
        3 * IMAGES["amazon.titan-image-generator-v2:0"]["512/standard"], rel=1e-9)


def test_a_request_asking_an_impossible_count_is_unpriced_never_a_negative_or_absurd_cost(tmp_path: Path) -> None:
    """A damaged or hand-made record asking -3, 0 or a trillion images, or -60 seconds of video, was priced at -$0.12,
    $0 or $40 billion: such calls are unpriced with their reason; a sound call beside them keeps its price."""
    bodies = {
        "sound": ("amazon.nova-canvas-v1:0", {"imageGenerationConfig": {"numberOfImages": 2, "width": 1024}}),
        "negative": ("amazon.nova-canvas-v1:0", {"imageGenerationConfig": {"numberOfImages": -3}}),
        "none": ("amazon.titan-image-generator-v2:0", {"imageGenerationConfig": {"numberOfImages": 0}}),
        "trillion": ("amazon.nova-canvas-v1:0", {"imageGenerationConfig": {"numberOfImages": 10**12}}),
        "rewound": ("amazon.nova-reel-v1:0", {"videoGenerationConfig": {"durationSeconds": -60}}),
    }
    records = []
    for n, (user, (model, body)) in enumerate(bodies.items()):
        record = call(user, model, 0, n=n)
        record["operation"], record["output"]["outputTokenCount"] = "InvokeModel", 0
        record["input"]["inputBodyJson"] = body
        records.append(record)
    write_records(tmp_path, records)
    report = BedrockAthenaTracker(LocalEngine(tmp_path, cache=False)).analyze(
        resolve_period(start=DAY, end=DAY), ("us-east-1",))
    assert report.summary["unpriced_calls"] == len(bodies) - 1
    assert report.summary["estimated_cost_usd"] == pytest.approx(2 * IMAGES["amazon.nova-canvas-v1:0"]["1024/standard"])
    assert (report.summary["images"], report.summary["video_seconds"]) == (2, 0)
    assert {reason.split(":")[0] for reason in report.unpriced["reason"]} == {
        "the logged request asks a number of images, seconds of video or rerank queries no call is billed (below 1 or "
        "over 1,000)"}


def test_an_image_above_every_size_class_takes_the_class_the_book_gives_larger_images(tmp_path: Path) -> None:
    """SDXL 0.8 bills images over 512 x 512 at $0.036 (AWS pricing page, legacy models), not the 512 class's $0.018;
    Titan Image Generator v2's 1152 x 896 is a 1024 x 1024 class image."""
    records = []
    for n, (user, model, side) in enumerate((("sdxl-small", "stability.stable-diffusion-xl-v0", 512),
                                            ("sdxl-large", "stability.stable-diffusion-xl-v0", 1024),
                                            ("titan-large", "amazon.titan-image-generator-v2:0", 1152))):
        record = call(user, model, 0, n=n, region="us-east-1")
        record["operation"], record["output"]["outputTokenCount"] = "InvokeModel", 0
        config = {"width": side, "height": 896 if side == 1152 else side}
        record["input"]["inputBodyJson"] = {"imageGenerationConfig": config} if side == 1152 else config
        records.append(record)
    write_records(tmp_path, records)
    report = BedrockAthenaTracker(LocalEngine(tmp_path, cache=False)).analyze(
        resolve_period(start=DAY, end=DAY), ("us-east-1",))
    costs = report.tables["user"].set_index("user")["estimated_cost_usd"]
    assert costs["sdxl-small"] == pytest.approx(0.018) and costs["sdxl-large"] == pytest.approx(0.036)
    assert costs["titan-large"] == pytest.approx(IMAGES["amazon.titan-image-generator-v2:0"]["1024/standard"])


def test_a_group_of_unpriced_calls_has_no_cost_never_zero(tmp_path: Path) -> None:
    records = [call("unpriced-only", "example.unknown-model-v1:0", 1000, n=0),
               call("mixed", "example.unknown-model-v1:0", 1000, n=1),
               call("mixed", f"global.{SONNET_45}", 1000, n=2)]
    write_records(tmp_path, records)
    report = BedrockAthenaTracker(LocalEngine(tmp_path, cache=False)).analyze(
        resolve_period(start=DAY, end=DAY), ("us-east-1",))
    expected = aggregate(records, date.fromisoformat(DAY), date.fromisoformat(DAY))["user"]
    users = report.tables["user"].set_index("user")
    assert math.isnan(expected[("unpriced-only",)].estimated_cost)
    assert math.isnan(users.loc["unpriced-only", "estimated_cost_usd"])
    assert users.loc["unpriced-only", "input_tokens"] == 1000 and users.loc["unpriced-only", "unpriced_calls"] == 1
    assert users.loc["mixed", "estimated_cost_usd"] == pytest.approx(expected[("mixed",)].estimated_cost, rel=1e-9)
    assert users.loc["mixed", "unpriced_calls"] == 1


def terminal_costs(text: str) -> tuple[str, list[str]]:
    """The summary's estimated cost and the cost cell of every table's TOTAL row, as printed."""
    summary = re.search(r"Estimated cost:\s+(\S+)", text).group(1)
    totals = [line.split()[-1] if "Unpriced" not in line else line.split()[-2]
              for line in text.splitlines() if line.startswith("TOTAL")]
    return summary, totals


def test_every_totals_row_shows_the_summarys_cost_at_a_half_cent_tie(tmp_path: Path) -> None:
    """Three calls whose costs add up to exactly $0.86195 (decimal list prices): a sum of the rounded day costs may
    round the other way than the total of the calls, and a table's TOTAL row then disagrees with the summary."""
    model = "anthropic.claude-3-5-haiku-20241022-v1:0"
    records = [call(f"u{n}", model, tokens, cache_read, n=n, stamp=f"2025-11-0{n + 1}T10:00:00Z")
               for n, (tokens, cache_read) in enumerate([(152_246, 1_704_795), (228_511, 2_253_107),
                                                         (267_983, 329_073)])]
    for record in records:
        record["output"]["outputTokenCount"] = 0
    write_records(tmp_path, records)
    report = BedrockAthenaTracker(LocalEngine(tmp_path, cache=False)).analyze(
        resolve_period(start="2025-11-01", end="2025-11-03"), ("us-east-1",))
    expected = aggregate(records, date(2025, 11, 1), date(2025, 11, 3))["summary"][()]
    assert expected.estimated_cost == pytest.approx(0.86195, abs=1e-12)
    assert report.summary["estimated_cost_usd"] == pytest.approx(expected.estimated_cost, abs=1e-12)
    summary, totals = terminal_costs(render_terminal(report, selected_analyses("all", report), 0))
    assert len(totals) == 7 and set(totals) == {summary}


def test_a_table_of_unpriced_calls_totals_unpriced_and_says_what_it_cut(tmp_path: Path) -> None:
    records = [call(f"user-{n}", "example.unknown-model-v1:0", 1000 + n, n=n) for n in range(5)]
    write_records(tmp_path, records)
    report = BedrockAthenaTracker(LocalEngine(tmp_path, cache=False)).analyze(
        resolve_period(start=DAY, end=DAY), ("us-east-1",))
    text = render_terminal(report, ["user"], 2)
    [total] = [line.split() for line in text.splitlines() if line.startswith("TOTAL")]
    assert total[1] == "5" and total[3] == f"{sum(1000 + n for n in range(5)):,}"  # calls, errors, input tokens
    assert total[-2:] == ["unpriced", "5"]  # cost, unpriced calls
    assert "... 3 more rows (use --max-rows 0 for all" in text
    assert sum(line.startswith("user-") for line in text.splitlines()) == 2


def test_a_cut_daily_table_keeps_its_latest_days_and_the_hours_are_never_cut(tmp_path: Path) -> None:
    days = [f"2026-11-{day:02d}" for day in range(1, 6)]
    records = [call("ann", "anthropic.claude-3-haiku-20240307-v1:0", 100, n=n, stamp=f"{day}T{hour:02d}:00:00Z")
               for n, (day, hour) in enumerate((day, hour) for day in days for hour in range(24))]
    write_records(tmp_path, records)
    report = BedrockAthenaTracker(LocalEngine(tmp_path, cache=False)).analyze(
        resolve_period(start=days[0], end=days[-1]), ("us-east-1",))
    text = render_terminal(report, ["daily", "hourly"], 2)
    shown = [line.split()[0] for line in text.splitlines() if line.startswith("2026-11-")]
    assert shown == days[-2:]
    assert "... 3 earlier days (use --max-rows 0 for all" in text
    hours = [line.split()[0] for line in text.splitlines() if re.fullmatch(r"\d{1,2}", line.split()[0] if line else "")]
    assert hours == [str(hour) for hour in range(24)]


def test_a_report_without_calls_says_why_it_may_have_none(tmp_path: Path) -> None:
    from bedrock_usage.engines.queries import Filters

    write_records(tmp_path, [call("ann", "anthropic.claude-3-haiku-20240307-v1:0", 100)])
    tracker = BedrockAthenaTracker(LocalEngine(tmp_path, cache=False))
    elsewhere = tracker.analyze(resolve_period(start="2026-10-01", end="2026-10-02"), ("us-east-1",))
    assert elsewhere.summary["calls"] == 0
    assert elsewhere.warnings == ["no calls in 2026-10-01 .. 2026-10-02 (UTC) in us-east-1 (0 log objects read): "
                                  "check the dates and regions, and that the logs of these days are there"]
    by_name = tracker.analyze(resolve_period(start=DAY, end=DAY), ("us-east-1",), Filters(models=("Claude 3 Haiku",)))
    assert by_name.summary["calls"] == 0 and "--model takes model ids as logged" in by_name.warnings[-1]
    by_id = tracker.analyze(resolve_period(start="2026-10-01", end="2026-10-02"), ("us-east-1",),
                            Filters(models=("anthropic.claude-3-haiku-20240307-v1:0",)))
    assert by_id.warnings == ["no calls match the filters in 2026-10-01 .. 2026-10-02 (UTC) in us-east-1"]
    found = tracker.analyze(resolve_period(start=DAY, end=DAY), ("us-east-1",))
    assert found.summary["calls"] == 1 and not any(w.startswith("no calls") for w in found.warnings)


@pytest.mark.parametrize("missing", ["absent", ""], ids=["absent", "empty"])
def test_a_record_without_region_is_priced_in_the_region_whose_folder_holds_it(tmp_path: Path, missing: str) -> None:
    """Nova Pro costs more in the EU than in the US: a record missing ``region`` (absent, or empty) under the
    eu-west-1 folder is priced at the eu-west-1 rate, like the same record with its region, and named in that region;
    not left unpriced."""
    model = "amazon.nova-pro-v1:0"
    with_region = call("paris", model, 10_000, n=1, region="eu-west-1")
    without = call("paris", model, 10_000, n=2, region="eu-west-1")
    if missing == "absent":
        del without["region"]
    else:
        without["region"] = missing
    path = tmp_path / object_key("bedrock-logs/", ACCOUNT, "eu-west-1", datetime(2026, 11, 2, 10), "0000000a")
    path.parent.mkdir(parents=True)
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write(json.dumps(with_region) + "\n" + json.dumps(without) + "\n")
    report = BedrockAthenaTracker(LocalEngine(tmp_path, cache=False)).analyze(
        resolve_period(start=DAY, end=DAY), ("eu-west-1",))
    input_rate, output_rate = all_rates(model, date.fromisoformat(DAY), 10_000, "eu-west-1")[:2]
    assert input_rate != all_rates(model, date.fromisoformat(DAY), 10_000, "us-east-1")[0]
    assert report.summary["unpriced_calls"] == 0
    assert report.summary["estimated_cost_usd"] == pytest.approx(2 * (10 * input_rate + 0.5 * output_rate), rel=1e-12)
    regions = report.tables["region"]
    assert regions["source_region"].tolist() == ["eu-west-1"] and regions["calls"].tolist() == [2]


def test_a_filtered_report_says_its_skipped_records_may_be_of_other_callers(tmp_path: Path) -> None:
    """A record of impossible token counts is read as nothing, its caller neither: --arn-pattern cannot leave it out,
    and the warning of a filtered report says so; an unfiltered one does not."""
    write_records(tmp_path, [call("amy", f"global.{SONNET_45}", 1000, n=1),
                             call("zed", f"global.{SONNET_45}", -5, n=2)])
    tracker = BedrockAthenaTracker(LocalEngine(tmp_path, cache=False))
    day = resolve_period(start=DAY, end=DAY)
    for filters, said in ((Filters(), False), (Filters(arn_pattern="amy"), True)):
        report = tracker.analyze(day, ("us-east-1",), filters)
        [line] = [w for w in report.warnings if w.startswith("skipped 1 record")]
        assert ("cannot leave it out" in line) is said, line


def test_unreadable_records_of_the_next_days_folder_are_not_the_periods(tmp_path: Path) -> None:
    """The next day's folder is read for the last day's late calls; a malformed line there belongs to that day, so
    the period's report neither counts nor warns about it. One in the period's own folder is counted, and so is a
    late call of the period skipped for impossible token counts (its timestamp says whose it is)."""
    day = date.fromisoformat(DAY)
    late = call("night-owl", f"global.{SONNET_45}", 1000, n=1, stamp=f"{DAY}T23:59:30Z")
    late_corrupt = call("night-owl", f"global.{SONNET_45}", -5, n=3, stamp=f"{DAY}T23:59:40Z")  # skipped: its day's
    for when, lines in [(datetime(2026, 11, 2, 10), [json.dumps(call("early", f"global.{SONNET_45}", 1000, n=2)),
                                                     '{"timestamp": "2026-11-02T10:00:00Z", "input": {']),
                        (datetime(2026, 11, 3, 0), [json.dumps(late), json.dumps(late_corrupt),
                                                    '{"cut off in the next day']),
                        (datetime(2026, 11, 3, 9), ['not json at all'])]:
        path = tmp_path / object_key("bedrock-logs/", ACCOUNT, "us-east-1", when, f"{when:%d%H}")
        path.parent.mkdir(parents=True, exist_ok=True)
        with gzip.open(path, "wt", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
    report = BedrockAthenaTracker(LocalEngine(tmp_path, cache=False)).analyze(resolve_period(start=day, end=day),
                                                                             ("us-east-1",))
    assert report.summary["calls"] == 2  # the late call from the next day's folder counts
    assert report.records_skipped == 2  # the unreadable line of its own folder, the late call of impossible tokens
    next_day = BedrockAthenaTracker(LocalEngine(tmp_path, cache=False)).analyze(
        resolve_period(start=day + timedelta(days=1), end=day + timedelta(days=1)), ("us-east-1",))
    assert next_day.records_skipped == 2 and next_day.summary["calls"] == 0  # its own two unreadable lines


def test_a_call_past_a_tier_its_endpoint_lacks_is_unpriced_with_its_tokens(tmp_path: Path) -> None:
    """The price book prices GPT-5.4 above 272K for commercial endpoints, not for GovCloud: a GovCloud call past it is
    unpriced with the reason and keeps its tokens (its base rate would bill it as a short call); the same call in
    us-east-1 takes the tier."""
    records = [call("gov", GPT_54, 300_000, n=0, region="us-gov-west-1"), call("commercial", GPT_54, 300_000, n=1)]
    write_records(tmp_path, records)
    report = BedrockAthenaTracker(LocalEngine(tmp_path, cache=False)).analyze(
        resolve_period(start=DAY, end=DAY), ("us-east-1", "us-gov-west-1"))
    users = report.tables["user"].set_index("user")
    assert math.isnan(users.loc["gov", "estimated_cost_usd"]) and users.loc["gov", "input_tokens"] == 300_000
    reasons = {(row.model_id, row.reason) for row in report.unpriced.itertuples()}
    assert reasons == {(GPT_54, "no long-context price for this model's endpoint, region and day")}
    expected = aggregate(records[1:], date.fromisoformat(DAY), date.fromisoformat(DAY))
    assert users.loc["commercial", "estimated_cost_usd"] == pytest.approx(
        expected["user"][("commercial",)].estimated_cost, rel=1e-9)
    assert all_rates(f"us.{GPT_54}", date.fromisoformat(DAY), 300_000) != all_rates(
        f"us.{GPT_54}", date.fromisoformat(DAY), 0)


@pytest.mark.parametrize("tz", ["America/New_York", "Pacific/Kiritimati", "Pacific/Pago_Pago"])
def test_what_a_folder_leaves_out_counts_for_one_day_of_any_zone(tmp_path: Path, tz: str) -> None:
    """Each UTC day folder from 2026-10-30 to 11-06 holds an unreadable line and an object that is not gzip. A zone's
    days straddle those folders (and each day reads the next day's folder for late calls), yet one-day reports of
    consecutive days count each folder's once: each day owns one folder, and their sum is the week's report."""
    folders = [date(2026, 10, 30) + timedelta(days=i) for i in range(8)]
    for day in folders:
        hour = tmp_path / object_key("bedrock-logs/", ACCOUNT, "us-east-1", datetime(day.year, day.month, day.day, 5),
                                     "bad").rsplit("/", 1)[0]
        hour_dir = tmp_path / hour
        hour_dir.mkdir(parents=True, exist_ok=True)
        with gzip.open(hour_dir / "lines.json.gz", "wt", encoding="utf-8") as handle:
            handle.write("{not json\n")
        (hour_dir / "corrupt.json.gz").write_bytes(b"not gzip at all")

    def skipped(first: date, last: date) -> tuple[int, int]:
        report = BedrockAthenaTracker(LocalEngine(tmp_path, cache=False)).analyze(
            resolve_period(start=first, end=last, tz=tz), ("us-east-1",))
        return report.records_skipped, sum(report.stats.skipped_objects.values())

    week = [date(2026, 11, 1) + timedelta(days=i) for i in range(5)]
    days = [skipped(day, day) for day in week]
    whole = skipped(week[0], week[-1])
    assert tuple(map(sum, zip(*days, strict=True))) == whole
    assert all(day == (1, 1) for day in days), days  # a one-day period owns exactly one folder
    assert whole == (5, 5)


def test_a_summary_of_calls_none_of_which_is_priced_has_no_cost(tmp_path: Path) -> None:
    """Every call of the period unpriced: the summary's costs are missing in every form (terminal ``unpriced``, JSON
    null, CSV empty), never 0; with no calls at all they are 0."""
    write_records(tmp_path / "logs", [call("who", "example.unknown-model-v1:0", 1000, n=0)])
    env = {**os.environ, "BEDROCK_USAGE_COLUMNAR_CACHE": "off"}
    base = [sys.executable, str(ROOT / "bedrock_tracker_cli.py"), "--engine", "local", "--logs-dir",
            str(tmp_path / "logs"), "--region", "us-east-1"]

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*base, *args], capture_output=True, text=True, env=env, timeout=300)

    on_day = ("--start-date", DAY, "--end-date", DAY)
    terminal = run(*on_day)
    assert "Estimated cost:     unpriced" in terminal.stdout, terminal.stdout
    summary = json.loads(run(*on_day, "--format", "json", "--output-dir", "-").stdout)["summary"]
    assert summary["calls"] == summary["unpriced_calls"] == 1
    assert {summary[name] for name in ("estimated_cost_usd", "input_cost_usd", "output_cost_usd")} == {None}
    run(*on_day, "--format", "csv", "--output-dir", str(tmp_path / "out"))
    with next((tmp_path / "out").glob("*_summary.csv")).open() as handle:
        row = next(csv.DictReader(handle))
    assert row["estimated_cost_usd"] == "" and row["calls"] == "1"
    empty = json.loads(run("--start-date", "2026-10-01", "--end-date", "2026-10-01", "--format", "json",
                           "--output-dir", "-").stdout)["summary"]
    assert empty["calls"] == 0 and empty["estimated_cost_usd"] == 0


def test_the_model_table_has_a_model_id_to_join_on(tmp_path: Path) -> None:
    """Two ids the book names alike (Claude Haiku 4.5's alias and dated id) are two rows of the model table, each
    with its ``base_model_id``; profile forms of one id (``us.``, ``global.``) share it."""
    alias, dated = "anthropic.claude-haiku-4-5", "anthropic.claude-haiku-4-5-20251001-v1:0"
    records = [call("a", f"us.{alias}", 1000, n=0), call("a", f"global.{dated}", 1000, n=1),
               call("b", f"us.{dated}", 1000, n=2)]
    write_records(tmp_path, records)
    report = BedrockAthenaTracker(LocalEngine(tmp_path, cache=False)).analyze(
        resolve_period(start=DAY, end=DAY), ("us-east-1",))
    models = report.tables["model"]
    assert sorted(zip(models["base_model_id"], models["endpoint"], models["calls"], strict=True)) == [
        (alias, "geo", 1), (dated, "geo", 1), (dated, "global", 1)]
    assert set(models["model"]) == {"Claude Haiku 4.5"}
    user_app = report.tables["user-app"]
    assert sorted(zip(user_app["user"], user_app["base_model_id"], strict=True)) == [
        ("a", alias), ("a", dated), ("b", dated)]
