"""The Governance tab's per-caller section: a local CUR 2.0 export beside local logs, in Streamlit's AppTest.

No AWS at all: the export is read with DuckDB. Expected figures from tests/governance/cur_scenario.py's plain Python.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from bedrock_usage.cache import CACHE_ENV
from bedrock_usage.demo.writer import write_local
from bedrock_usage.output.terminal_table import money
from tests.dashboard.helpers import expected_compact_usd
from tests.governance import cur_scenario as sc
from tests.governance.cur_export import write_export

APP = Path(__file__).resolve().parents[2] / "bedrock_tracker.py"


def sc_keys() -> list[str]:
    """The first columns of the per-caller table: the attribution of an IAM principal ARN."""
    return ["principal_type", "principal", "user", "application"]


@pytest.mark.slow
def test_callers_from_a_local_export(no_aws_env: dict[str, str], monkeypatch: pytest.MonkeyPatch,
                                     tmp_path: Path) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    served = sc.served_calls()
    logged = sc.logged(served)
    items = sc.line_items(served)
    write_local(tmp_path / "logs", logged)
    export = write_export(tmp_path / "bucket", items)

    at = AppTest.from_file(str(APP), default_timeout=240)
    at.run()
    at.radio(key="source").set_value("local").run()
    at.text_input(key="logs_dir").set_value(str(tmp_path / "logs"))
    at.date_input(key="dates").set_value((sc.DAYS[0], sc.DAYS[-1]))
    at.multiselect(key="regions").set_value(list(sc.REGIONS))
    at.session_state["main_tab"] = "Governance"
    at.button(key="analyze").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.radio(key="callers_source").value == "cur_dir"
    at.text_input(key="callers_cur_dir").set_value(str(export))
    at.button(key="callers_button").click().run()
    assert not at.exception, [e.value for e in at.exception]

    billed = sc.expected_billed(items)
    estimated = sc.expected_estimated(logged)
    cards = {m.label: m for m in at.metric}
    unread = sum(i.cost for i in items if sc.counted(i) and i.region_code not in sc.REGIONS)  # erin's eu-west-1 calls
    for label, amount in (("Billed", sum(billed.values())), ("Estimated", sum(estimated.values())),
                          ("Billed, no principal", 3.0), ("Regions not read", unread)):
        assert cards[label].value == expected_compact_usd(amount), label
        assert money(amount) in cards[label].help, label
    assert any(e.value.startswith("**1 caller billed with no logs**") and "bob" in e.value for e in at.error)
    assert any("dave" in w.value for w in at.warning)
    table = next(d.value for d in at.dataframe if list(d.value.columns[:4]) == sc_keys())
    rows = {(r["user"], r["application"]): r for r in table.to_dict("records")}
    assert set(rows) == set(billed) | set(estimated)
    for key, amount in billed.items():
        assert rows[key]["billed_cost_usd"] == pytest.approx(amount, abs=1e-9), key
    # The month table says its rule (the CLI's note) above its columns, which add up to the month's bill.
    assert any(c.value.startswith("Each figure covers the regions read but Regions not read") for c in at.caption)
    months = next(d.value for d in at.dataframe if "billed_total_usd" in d.value.columns)
    parts = ["billed_cost_usd", "unattributed_billed_usd", "batch_billed_usd", "billed_unread_regions_usd"]
    assert months[parts].sum(axis=1).to_list() == pytest.approx(months["billed_total_usd"].to_list(), abs=1e-9)
    assert months["billed_total_usd"].sum() == pytest.approx(sum(i.cost for i in items if sc.counted(i)), abs=1e-9)

    at.radio(key="callers_source").set_value("cost_explorer").run()
    at.text_input(key="callers_ce_tag").set_value("iamPrincipal/user")
    at.button(key="callers_button").click().run()
    # Cost Explorer needs AWS credentials: one line that says so, no traceback.
    assert any(e.value.startswith("Setup needed") and "no AWS credentials" in e.value for e in at.error)
