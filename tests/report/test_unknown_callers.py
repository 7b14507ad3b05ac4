"""Records without a caller or a model are counted, shown as ``(unknown caller)`` / ``(unknown model)`` and named in
the warnings, on both engines and in every output; hostile names reach no terminal or spreadsheet unescaped."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bedrock_usage.aws.session import Aws
from bedrock_usage.engines.athena import AthenaEngine
from bedrock_usage.engines.local import LocalEngine
from bedrock_usage.engines.queries import BODY_MEASURES, FACT_DIMENSIONS, FACT_MEASURES, SKIP_DIMENSIONS
from bedrock_usage.logs.period import resolve_period
from bedrock_usage.report.render import render_terminal, report_document, selected_analyses
from bedrock_usage.report.tracker import UNKNOWN_CALLER, UNKNOWN_MODEL, BedrockAthenaTracker
from tests.engines.test_athena_engine import column, create_workgroup, register_result, result_rows
from tests.logfiles import ACCOUNT, write_records

ROOT = Path(__file__).resolve().parents[2]
HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
PERIOD = resolve_period(start="2025-11-02", end="2025-11-02")
ALICE = f"arn:aws:iam::{ACCOUNT}:user/alice"


def record(minute: int, **fields: object) -> dict:
    base = {"timestamp": f"2025-11-02T10:{minute:02d}:00Z", "identity": {"arn": ALICE}, "region": "us-east-1",
            "requestId": f"r{minute}", "modelId": HAIKU, "input": {"inputTokenCount": 100 + minute},
            "output": {"outputTokenCount": 10 + minute}}
    base.update(fields)
    return {k: v for k, v in base.items() if v != "DROP"}


RECORDS = [
    record(0),
    record(1, identity="DROP"),
    record(2, identity=None),
    record(3, identity={"arn": None}),
    record(4, identity={}),
    record(5, identity={"arn": ""}),
    record(6, modelId="DROP"),
    record(7, modelId=None),
    record(8, modelId=""),
    record(9, identity=None, modelId=None, requestMetadata={"application_name": "tagged-app"}),
]
NO_CALLER = [r for r in RECORDS if not (r.get("identity") or {}).get("arn")]
NO_MODEL = [r for r in RECORDS if not r.get("modelId")]


def check(report) -> None:
    """Every call is counted, the unknowns are named, and nothing is priced as another model."""
    assert report.summary["calls"] == len(RECORDS)
    assert report.summary["input_tokens"] == sum(r["input"]["inputTokenCount"] for r in RECORDS)
    users = report.tables["user"].set_index("user")["calls"]
    assert users[UNKNOWN_CALLER] == len(NO_CALLER) and users["alice"] == len(RECORDS) - len(NO_CALLER)
    models = report.tables["model"].set_index("model")["calls"]
    assert models[UNKNOWN_MODEL] == len(NO_MODEL)
    apps = report.tables["application"].set_index("application")["calls"]
    assert apps["tagged-app"] == 1 and apps[UNKNOWN_CALLER] == len(NO_CALLER) - 1
    assert report.summary["unpriced_calls"] == len(NO_MODEL)
    assert f"{len(NO_CALLER)} calls without a caller (identity.arn): counted as {UNKNOWN_CALLER}" in report.warnings
    assert f"{len(NO_MODEL)} calls without a modelId: counted as {UNKNOWN_MODEL}, unpriced" in report.warnings
    unpriced = [w for w in report.warnings if w.startswith("unpriced:")]
    assert unpriced == [f"unpriced: {UNKNOWN_MODEL} in us-east-1: {len(NO_MODEL)} calls, "
                        f"{sum(r['input']['inputTokenCount'] for r in NO_MODEL):,} input / "
                        f"{sum(r['output']['outputTokenCount'] for r in NO_MODEL):,} output tokens have no price"]
    analyses = selected_analyses("all", report)
    assert UNKNOWN_CALLER in render_terminal(report, analyses, 0)
    json.dumps(report_document(report, analyses))


@pytest.mark.parametrize("cache", [False, True], ids=["cache-off", "cache-on"])
def test_the_local_engine_counts_calls_without_caller_or_model(tmp_path: Path, cache: bool) -> None:
    write_records(tmp_path / "logs", RECORDS)
    engine = LocalEngine(tmp_path / "logs", cache=tmp_path / "cache" if cache else False)
    check(BedrockAthenaTracker(engine).analyze(PERIOD, ["us-east-1"]))


def test_the_athena_engine_counts_calls_without_caller_or_model(aws_env: dict[str, str], moto_endpoint: str) -> None:
    """moto runs no SQL: it serves the fact rows Athena returns for these records (NULL where a field is missing)."""
    create_workgroup("us-east-1")
    kinds = {"hour": "integer", "long_context": "boolean", "cache_kinds": "integer", "duplicate": "boolean",
             "context_over": "integer", "media_size": "integer"}
    names = [*FACT_DIMENSIONS, *SKIP_DIMENSIONS, "tag_0", *FACT_MEASURES]
    rows = []
    for r in RECORDS:
        arn = (r.get("identity") or {}).get("arn") or None
        facts = {"day": "2025-11-02", "utc_day": "2025-11-02", "hour": 10, "identity_arn": arn,
                 "source_region": "us-east-1", "inference_region": None, "model_id": r.get("modelId") or None,
                 "operation": None, "long_context": False, "cache_kinds": 0, "duplicate": False,
                 "tag_0": (r.get("requestMetadata") or {}).get("application_name"), "calls": 1, "errors": 0,
                 "input_tokens": r["input"]["inputTokenCount"], "output_tokens": r["output"]["outputTokenCount"],
                 "cache_read_tokens": 0, "cache_write_tokens": 0, "context_over": 0, "request_body": "none",
                 "media_size": 0, "image_quality": "standard", "service_tier": "default",
                 **dict.fromkeys(BODY_MEASURES, 0), "prompt_router_calls": 0,
                 **dict.fromkeys(SKIP_DIMENSIONS)}
        rows.append([facts[name] for name in names])
    columns = [column(name, kinds.get(name, "bigint" if name in FACT_MEASURES else "varchar")) for name in names]
    register_result(moto_endpoint, "us-east-1", columns, result_rows(names, rows))
    check(BedrockAthenaTracker(AthenaEngine(Aws.connect())).analyze(PERIOD, ["us-east-1"]))


HOSTILE = {
    "ansi": "\x1b[31mred\x1b[0m",
    "title": "\x1b]0;owned\x07",
    "forged": "eve\nTOTAL                 999999",
    "formula": '=HYPERLINK("http://evil.example","click")',
    "plus": "+cmd|' /C calc'!A0",
    "bidi": "evil\u202egnp.exe",
}


@pytest.mark.slow
def test_hostile_names_are_escaped_in_terminals_defused_in_csv_and_exact_in_json(tmp_path: Path) -> None:
    records = [record(m, identity={"arn": f"arn:aws:iam::{ACCOUNT}:user/{name}"},
                      requestMetadata={"application_name": name, "team": name}, requestId=f"h{m}")
               for m, name in enumerate(HOSTILE.values())]
    records.append(record(30, modelId=HOSTILE["formula"], requestId="model"))
    write_records(tmp_path / "logs", records)
    base = [sys.executable, str(ROOT / "bedrock_tracker_cli.py"), "--engine", "local", "--logs-dir",
            str(tmp_path / "logs"), "--start-date", "2025-11-02", "--end-date", "2025-11-02", "--region",
            "us-east-1", "--tag", "team", "--max-rows", "0"]

    terminal = subprocess.run(base, capture_output=True, text=True, timeout=180, check=True).stdout
    assert "\x1b" not in terminal and "\x07" not in terminal and "\u202e" not in terminal
    assert "\\x1b[31mred\\x1b[0m" in terminal and "eve\\nTOTAL" in terminal
    tables = terminal.count("\n-") // 2  # every table has a rule under its header and one above its total
    assert sum(line.startswith("TOTAL") for line in terminal.splitlines()) == tables

    out = tmp_path / "csv"
    subprocess.run([*base, "--format", "csv", "--output-dir", str(out)], capture_output=True, timeout=180, check=True)
    cells = [cell for path in out.glob("*.csv") for row in csv.reader(path.open(newline="")) for cell in row]
    for cell in cells:
        assert not cell.startswith(("=", "+", "@", "\t", "\r")) and not (cell.startswith("-") and not _number(cell))
    assert "'" + HOSTILE["formula"] in cells and "'" + HOSTILE["plus"] in cells

    document = json.loads(subprocess.run([*base, "--format", "json", "--output-dir", "-"], capture_output=True,
                                         text=True, timeout=180, check=True).stdout)
    assert {row["application"] for row in document["analyses"]["application"]} >= set(HOSTILE.values())
    assert {row["tag:team"] for row in document["analyses"]["tag:team"]} >= set(HOSTILE.values())
    assert HOSTILE["formula"] in {row["model_id"] for row in document["unpriced_models"]}


def _number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def test_tag_keys_any_system_refuses_in_a_path_make_safe_distinct_csv_names(tmp_path: Path) -> None:
    """A tag key may hold / : and spaces (the Converse API allows them): each CSV name keeps letters, digits, _ . -
    only, and keys that would make one name, or names equal but for case, get a file each."""
    keys = ["team/name", "team:name", "cost center", "Team/name", "team_name_2"]
    write_records(tmp_path / "logs", [record(0, requestMetadata={key: f"v{i}" for i, key in enumerate(keys)})])
    out = tmp_path / "csv"
    done = subprocess.run(
        [sys.executable, str(ROOT / "bedrock_tracker_cli.py"), "--engine", "local", "--logs-dir",
         str(tmp_path / "logs"), "--start-date", "2025-11-02", "--end-date", "2025-11-02", "--region", "us-east-1",
         *(word for key in keys for word in ("--tag", key)), "--format", "csv", "--output-dir", str(out)],
        capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    names = [path.name for path in out.glob("*.csv")]
    assert all(re.fullmatch(r"[A-Za-z0-9_.-]+", name) for name in names), names
    tag_files = [name.casefold() for name in names if "_tag_" in name]
    assert len(set(tag_files)) == len(keys), names  # apart even where case is not (macOS, Windows)
    for i, key in enumerate(keys):
        column = f"tag:{key}"
        assert sum(column in next(csv.reader(path.open(newline=""))) and f"v{i}" in path.read_text()
                   for path in out.glob("*_tag_*.csv")) == 1, key


def test_a_tag_key_no_call_carries_is_named_in_a_warning(tmp_path: Path) -> None:
    write_records(tmp_path / "logs", [record(0, requestMetadata={"team": "search"}), record(1)])
    report = BedrockAthenaTracker(LocalEngine(tmp_path / "logs", cache=False), extra_tags=("Team", "team")).analyze(
        PERIOD, ("us-east-1",))
    never = [line for line in report.warnings if "carries the requestMetadata key" in line]
    assert len(never) == 1 and "'Team'" in never[0]
    # the warning names a table every analysis but summary prints
    assert selected_analyses("application", report) == ["application", "tag:Team", "tag:team"]
    assert selected_analyses("summary", report) == []
