"""Every Amazon Q / Kiro figure says what it is, in every output form, as the Bedrock report's ``accuracy`` does:
exact (requests, activity-report counts, Kiro credits: as logged or reported) or estimated (tiktoken counts, the
virtual cost, the prorated subscription and Kiro seats, month-end projections); the virtual cost never reads as
spend AWS bills."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

import qcli_s3_analyzer
from tests.qdev.kiro_oracle import FIXTURE
from tests.qdev.test_offline import offline  # noqa: F401  (fixture)

pytestmark = pytest.mark.usefixtures("offline")

ARGV = ["--logs-dir", str(FIXTURE), "--start-date", "2026-11-02", "--end-date", "2026-11-04",
        "--user-map", str(FIXTURE.parent / "kiro_users.csv")]
# What each kind of figure is (docs/amazon-q.md, section 3): counted from the logs and reports, or computed from
# approximations, list prices and linear projections; a Kiro allowance is exact as the price table publishes it.
STATUS = {"requests": "exact", "tokens": "estimated", "virtual_cost": "estimated", "subscription": "estimated",
          "activity": "exact", "report_tokens": "estimated", "projections": "estimated", "kiro_credits": "exact",
          "kiro_cost": "estimated", "kiro_allowance": "exact as published"}


@pytest.mark.slow
def test_json_and_csv_say_which_figures_are_exact_and_which_estimated(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert qcli_s3_analyzer.main([*ARGV, "--format", "json", "--output-dir", "-"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["activity"] is not None and document["kiro"] is not None  # every kind of figure is there
    accuracy = document["accuracy"]
    assert {name: note.split(":")[0] for name, note in accuracy.items()} == STATUS
    assert "not billed" in accuracy["virtual_cost"] and "Amazon Bedrock list prices" in accuracy["virtual_cost"]

    assert qcli_s3_analyzer.main([*ARGV, "--format", "csv", "--output-dir", str(tmp_path)]) == 0
    (summary,) = tmp_path.glob("*_summary.csv")
    with summary.open(newline="") as handle:
        rows = {row["key"]: row["value"] for row in csv.DictReader(handle)}
    assert {key.removeprefix("accuracy."): value for key, value in rows.items()
            if key.startswith("accuracy.")} == accuracy


def test_the_terminal_marks_every_cost_estimated_and_the_virtual_cost_not_billed(
    capsys: pytest.CaptureFixture[str]
) -> None:
    assert qcli_s3_analyzer.main([*ARGV, "--max-rows", "0"]) == 0
    text = capsys.readouterr().out
    lines = text.splitlines()
    virtual = next(line for line in lines if line.startswith("Virtual cost"))
    assert "estimated, not billed" in virtual and "Amazon Bedrock list prices" in virtual
    assert "API list prices" not in text
    subscription = next(line for line in lines if line.startswith("  subscription"))
    assert "(estimated)" in subscription
    kiro_cost = next(line for line in lines if line.startswith("  cost of the period"))
    assert "(estimated:" in kiro_cost
    assert "Requests and tokens (tokens estimated:" in text

    section = text.split("Exact and estimated figures\n", 1)[1].split("\n\n", 1)[0]
    joined = " ".join(line.strip() for line in section.splitlines()[1:])  # wrapped lines, dashes left out
    for status in STATUS.values():
        assert f": {status}:" in joined
    for label, status in (("requests", "exact"), ("tokens", "estimated"), ("virtual cost", "estimated"),
                          ("subscription", "estimated"), ("projections", "estimated"), ("Kiro credits", "exact"),
                          ("Kiro cost", "estimated")):
        assert f"{label}: {status}:" in joined, label
