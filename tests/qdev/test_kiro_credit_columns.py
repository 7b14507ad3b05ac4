"""Kiro credits are read one way everywhere: the credits taken from the plan's allowance and the overage credits
above it are two columns saying so (terminal, CSV, JSON, dashboard in English and Korean), and the allowance's
used credits, as its warning counts them, are the two together. Ana (Kiro Pro, 1,000 credits a month) used her
1,000 and 349.97 more; the expected figures are that arithmetic."""

from __future__ import annotations

import csv
import json
import re
from datetime import date
from pathlib import Path

import pytest

import bedrock_tracker_cli
import qcli_s3_analyzer
from bedrock_usage.demo.writer import write_local
from tests.dashboard.helpers import open_app
from tests.governance.test_developer_costs import call
from tests.qdev.test_kiro_edges import ana, write_report
from tests.qdev.test_offline import offline  # noqa: F401  (fixture)

pytestmark = pytest.mark.usefixtures("offline")

IN_PLAN, OVERAGE = 1000.0, 349.97
FIRST, LAST = date(2025, 11, 1), date(2025, 11, 2)


@pytest.fixture
def kiro_logs(tmp_path: Path) -> Path:
    """Ana's two days: 600 credits, then 400 more and 349.97 overage credits."""
    root = tmp_path / "qdev"
    write_report(root, FIRST, [ana(FIRST, 600)])
    write_report(root, LAST, [ana(LAST, IN_PLAN - 600, Overage_Credits_Used=OVERAGE)])
    return root


def columns(text: str, heading: str) -> dict[str, str]:
    """The first row of the terminal table whose header line holds ``heading``, cell by header (columns are found by
    the dashes under the headers)."""
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if heading in line and lines[i + 1].lstrip().startswith("--"))
    spans = [match.span() for match in re.finditer(r"-+", lines[at + 1])]
    return {lines[at][a:b].strip(): lines[at + 2][a:b].strip() for a, b in spans}


def test_the_analysers_kiro_tables_name_the_credits_in_plan_and_the_overage(
    kiro_logs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    period = ["--logs-dir", str(kiro_logs), "--start-date", str(FIRST), "--end-date", str(LAST)]
    assert qcli_s3_analyzer.main([*period, "--quiet"]) == 0
    out = capsys.readouterr().out
    person = columns(out, "credits in plan")
    assert person["user"] == "ana.silva@example.com"
    assert (person["credits in plan"], person["overage credits"]) == ("1,000.00", "349.97")
    month = columns(out, "total used")
    assert (month["total used"], month["of which overage"]) == (f"{IN_PLAN + OVERAGE:,.2f}", "349.97")
    assert f"{IN_PLAN + OVERAGE:,.2f} of 1,000 credits used this month" in out

    assert qcli_s3_analyzer.main([*period, "--format", "csv", "--output-dir", str(tmp_path / "csv"), "--quiet"]) == 0
    capsys.readouterr()
    (per_user,) = tmp_path.glob("csv/*_kiro_per_user.csv")
    with per_user.open(newline="", encoding="utf-8") as handle:
        (row,) = csv.DictReader(handle)
    assert (float(row["credits_in_plan"]), float(row["overage_credits"])) == (IN_PLAN, OVERAGE)
    assert float(row["total_credits"]) == pytest.approx(IN_PLAN + OVERAGE)

    assert qcli_s3_analyzer.main([*period, "--format", "json", "--output-dir", "-", "--quiet"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["schema_version"] == 5
    (allowance,) = document["kiro"]["allowance"]["rows"]
    assert (allowance["credits_in_plan"], allowance["overage_credits"]) == (IN_PLAN, OVERAGE)
    assert allowance["used"] == pytest.approx(IN_PLAN + OVERAGE)


def test_developer_costs_name_the_kiro_credits_in_plan_and_the_overage(
    kiro_logs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_local(tmp_path / "logs", [call(0, "ana.silva@example.com", day=FIRST)])
    args = ["--engine", "local", "--logs-dir", str(tmp_path / "logs"), "--quiet", "--qdev-logs-dir", str(kiro_logs),
            "--developer-costs", "2025-11"]
    assert bedrock_tracker_cli.main(args) == 0
    ana_row = columns(capsys.readouterr().out, "Credits in plan")
    assert (ana_row["Credits in plan"], ana_row["Overage credits"]) == ("1,000.00", "349.97")

    assert bedrock_tracker_cli.main([*args, "--format", "json", "--output-dir", "-"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["schema"] == "bedrock-usage/developer-costs/v3"
    (row,) = document["rows"]
    assert (row["kiro_credits_in_plan"], row["kiro_overage_credits"]) == (IN_PLAN, OVERAGE)


@pytest.mark.parametrize(("lang", "card", "in_plan", "used"), [
    ("en", "Credits in plan", "Credits in plan", "Used, overage included"),
    ("ko", "요금제 내 Kiro 크레딧", "요금제 내 크레딧", "사용량 (초과 포함)"),
])
@pytest.mark.slow
def test_the_dashboard_names_the_kiro_credits_in_plan_in_its_language(
    kiro_logs: Path, tmp_path: Path, no_aws_env: dict[str, str], lang: str, card: str, in_plan: str, used: str
) -> None:
    write_local(tmp_path / "logs", [call(0, "ana.silva@example.com", day=FIRST)])
    at = open_app(lang=lang, source="local", logs=str(tmp_path / "logs"), q_logs=str(kiro_logs), start=str(FIRST),
                  end=str(LAST))
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[card] == f"{IN_PLAN:,.0f}"
    headers = {column.get("label") for frame in at.dataframe for column in json.loads(frame.proto.columns).values()}
    assert {in_plan, used} <= headers, headers
