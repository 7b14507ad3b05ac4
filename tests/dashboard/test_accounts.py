"""The dashboard over logs of several accounts: one bar per user, with IAM users of the same name in two accounts
named with their account (as a chargeback names them), and a drill-down into one of them."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from bedrock_usage.cache import CACHE_ENV
from bedrock_usage.dashboard import data
from tests.dashboard.helpers import TODAY, analyze, chart, checked, open_app, tab, values
from tests.logfiles import write_records

HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
HAIKU_USD_PER_1K = (0.00025, 0.00125)  # Claude 3 Haiku in us-east-1, input and output (aws.amazon.com/bedrock/pricing)
DAY = TODAY - timedelta(days=3)
CALLERS = [  # (ARN, calls): alice is an IAM user of two accounts; dev@ signs in through two permission sets
    ("arn:aws:iam::111111111111:user/alice", 2),
    ("arn:aws:iam::222222222222:user/alice", 3),
    ("arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_Dev_0123456789abcdef/dev@example.com", 1),
    ("arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_Admin_fedcba9876543210/dev@example.com", 2),
]


def _records() -> list[dict]:
    found, n = [], 0
    for arn, calls in CALLERS:
        for _ in range(calls):
            found.append({"timestamp": f"{DAY}T10:{n:02d}:00Z", "identity": {"arn": arn}, "region": "us-east-1",
                          "requestId": f"r{n}", "modelId": HAIKU, "input": {"inputTokenCount": 10_000 * (n + 1)},
                          "output": {"outputTokenCount": 1_000 * (n + 1)}})
            n += 1
    return found


def _label(arn: str) -> str:
    name = arn.rsplit("/", 1)[-1]
    return f"{name} ({arn.split(':')[4]})" if ":user/" in arn else name


@pytest.mark.slow
def test_users_of_two_accounts_are_two_bars_and_a_person_of_two_roles_one(demo_env: dict[str, str],
                                                                          tmp_path: Path) -> None:
    write_records(tmp_path / "logs", _records())
    cost: dict[str, float] = defaultdict(float)
    calls: dict[str, int] = defaultdict(int)
    for record in _records():
        label = _label(record["identity"]["arn"])
        cost[label] += (record["input"]["inputTokenCount"] * HAIKU_USD_PER_1K[0]
                        + record["output"]["outputTokenCount"] * HAIKU_USD_PER_1K[1]) / 1000
        calls[label] += 1

    at = open_app()
    at.radio(key="source").set_value("local")
    checked(at.run())
    at = analyze(at, DAY, DAY, logs_dir=str(tmp_path / "logs"))
    (bars,) = chart(at, "chart_top")["data"]
    drawn = dict(zip(bars["y"], values(bars["x"]), strict=True))
    assert drawn.keys() == cost.keys()
    assert drawn == pytest.approx(cost, rel=1e-9)
    lines = {trace["name"] for trace in chart(at, "chart_lines")["data"]}
    assert lines == set(cost)

    at.radio(key="focus_by").set_value("user")
    checked(at.run())
    assert set(at.selectbox(key="focus").options) == set(cost)
    at.selectbox(key="focus").set_value("alice (222222222222)")
    checked(at.run())
    bedrock = tab(at, "Amazon Bedrock")
    calls_card = next(m for m in bedrock.metric if m.label == "Calls")
    assert calls_card.value == str(calls["alice (222222222222)"])


def test_a_drill_down_into_one_accounts_user_finds_its_calls_where_the_name_is_not_shared(
        no_aws_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A link to ``alice (222222222222)`` (made in a week where two accounts had an alice) drills into that account's
    alice in a week where only she calls, not into no calls."""
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    alone = [r for r in _records() if r["identity"]["arn"] != CALLERS[0][0]]
    write_records(tmp_path / "logs", alone)
    request = data.BedrockRequest(source="local", regions=("us-east-1",), start=DAY, end=DAY,
                                  logs_dir=str(tmp_path / "logs"))
    view = data.load_bedrock(request, data.Focus("user", "alice (222222222222)"))
    expected = [r for r in alone if r["identity"]["arn"] == CALLERS[1][0]]
    assert view.report.summary["calls"] == len(expected) > 0
    assert view.report.summary["input_tokens"] == sum(r["input"]["inputTokenCount"] for r in expected)
    assert data.load_bedrock(request).focus_choices["user"].count("alice") == 1


def test_a_drill_down_into_a_name_alone_finds_every_accounts_user_where_the_rows_name_them_apart(
        no_aws_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A link to ``alice`` (made in a week where one account had an alice) drills into both accounts' alice in a
    week where the rows name them apart, not into no calls."""
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    write_records(tmp_path / "logs", _records())
    request = data.BedrockRequest(source="local", regions=("us-east-1",), start=DAY, end=DAY,
                                  logs_dir=str(tmp_path / "logs"))
    view = data.load_bedrock(request, data.Focus("user", "alice"))
    expected = [r for r in _records() if r["identity"]["arn"].endswith(":user/alice")]
    assert view.report.summary["calls"] == len(expected) == 5
    assert view.report.summary["input_tokens"] == sum(r["input"]["inputTokenCount"] for r in expected)


def _cost(records: list[dict]) -> float:
    return sum(r["input"]["inputTokenCount"] * HAIKU_USD_PER_1K[0] + r["output"]["outputTokenCount"]
               * HAIKU_USD_PER_1K[1] for r in records) / 1000


@pytest.mark.slow
def test_an_iam_users_application_is_named_with_its_account_as_in_the_other_period(
        no_aws_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the previous period has two accounts' alice and this one only account 222222222222's, her application
    is ``alice (222222222222)`` in both periods (the table, the chart's rows, the choices), so her drill-down compares
    like with like; a drill-down into ``alice`` covers every account's."""
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    day_before = DAY - timedelta(days=1)
    now = [r for r in _records() if r["identity"]["arn"] != CALLERS[0][0]]
    before = [{**r, "timestamp": r["timestamp"].replace(str(DAY), str(day_before)), "requestId": f"p{n}"}
              for n, r in enumerate(_records())]
    write_records(tmp_path / "logs", now + before)
    request = data.BedrockRequest(source="local", regions=("us-east-1",), start=DAY, end=DAY, group_by="application",
                                  logs_dir=str(tmp_path / "logs"))
    view = data.load_bedrock(request)
    alice_now = [r for r in now if r["identity"]["arn"] == CALLERS[1][0]]
    groups = dict(zip(view.group["application"], view.group["estimated_cost_usd"], strict=True))
    assert groups == pytest.approx({"alice (222222222222)": _cost(alice_now), "Dev": _cost(now[len(alice_now):][:1]),
                                    "Admin": _cost(now[len(alice_now) + 1:])}, rel=1e-9)
    assert "alice (222222222222)" in view.focus_choices["application"]

    one = data.load_bedrock(request, data.Focus("application", "alice (222222222222)"))
    assert one.report.summary["calls"] == len(alice_now)
    assert one.previous["calls"] == len([r for r in before if r["identity"]["arn"] == CALLERS[1][0]])
    every = data.load_bedrock(replace(request, start=day_before, end=day_before), data.Focus("application", "alice"))
    assert every.report.summary["calls"] == len([r for r in before if ":user/alice" in r["identity"]["arn"]]) == 5


@pytest.mark.slow
def test_a_drill_down_into_a_value_the_rows_hold_is_that_bar_alone(
        no_aws_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Beside the bars ``alice (111111111111)`` and ``alice (222222222222)``, the bar ``alice`` (a role named alice, a
    call tagged alice; a session named alice for users) is a caller of its own: its drill-down holds its calls, not
    every account's alice too."""
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    iam = [*_records()[:5]]  # alice of 111111111111 twice, of 222222222222 three times
    role = "arn:aws:sts::111111111111:assumed-role/alice/i-0abc"
    tagged = "arn:aws:sts::111111111111:assumed-role/Web-BedrockRole/x"
    session = "arn:aws:sts::111111111111:assumed-role/batch/alice"
    others = [{**iam[0], "identity": {"arn": arn}, "requestId": f"o{n}", "timestamp": f"{DAY}T11:{n:02d}:00Z"}
              for n, arn in enumerate((role, tagged, session))]
    others[1]["requestMetadata"] = {"application_name": "alice"}
    records = iam + others
    write_records(tmp_path / "logs", records)
    request = data.BedrockRequest(source="local", regions=("us-east-1",), start=DAY, end=DAY,
                                  logs_dir=str(tmp_path / "logs"))
    expected = {("application", "alice"): [others[0], others[1]], ("user", "alice"): [others[2]],
                ("application", "alice (111111111111)"): iam[:2], ("user", "alice (222222222222)"): iam[2:]}
    for (by, value), calls in expected.items():
        view = data.load_bedrock(replace(request, group_by=by), data.Focus(by, value))
        bars = data.load_bedrock(replace(request, group_by=by)).top  # the top chart's bars
        bar = bars.loc[bars[by] == value].iloc[0]
        assert view.report.summary["calls"] == bar["calls"] == len(calls), (by, value)
        assert view.report.summary["estimated_cost_usd"] == pytest.approx(_cost(calls), rel=1e-9)
