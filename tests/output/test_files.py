"""Report files: a stable name replaced whole, keeping the file's permissions and a link's target."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

from bedrock_usage.output.files import stable_files, write_text


def test_a_stable_file_is_replaced_keeping_its_permissions_and_links(tmp_path: Path) -> None:
    (report,) = stable_files(tmp_path / "out", "bedrock_chargeback_2025-11_application", [".csv"])
    report.write_text("last month's run\n")
    report.chmod(0o600)
    shared = tmp_path / "shared.csv"
    shared.write_text("old\n")
    (linked,) = stable_files(tmp_path / "out", "bedrock_chargeback_2025-11_application_unpriced", [".csv"])
    linked.symlink_to(shared)

    write_text(report, "new run\n")
    write_text(linked, "new unpriced \ud800 run\n")  # a lone surrogate from a log cannot crash the run

    assert report.read_text() == "new run\n" and stat.S_IMODE(report.stat().st_mode) == 0o600
    assert linked.is_symlink() and shared.read_text() == "new unpriced ? run\n"
    assert sorted(p.name for p in report.parent.iterdir()) == [report.name, linked.name]  # no temporary left


def test_two_runs_writing_one_stable_name_each_leave_a_whole_file(tmp_path: Path) -> None:
    target = tmp_path / "bedrock_developer_costs_2025-11.csv"
    texts = [f"run {n}\n" * 20_000 for n in range(8)]
    errors: list[BaseException] = []

    def run(text: str) -> None:
        try:
            write_text(target, text)
        except BaseException as exc:  # noqa: BLE001 (the test reports any failure)
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(text,)) for text in texts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and target.read_text() in texts and os.listdir(tmp_path) == [target.name]


def test_csv_numbers_are_plain_decimals_unquoted_and_gaps_empty() -> None:
    """Small costs as fixed-point text (a loader that reads decimals refuses ``5.38e-06``), numbers unquoted, text
    quoted, a missing cost empty; every value reads back as it was, to the file's nine decimals."""
    import csv
    import io

    import numpy as np
    import pandas as pd

    from bedrock_usage.output.files import csv_text

    costs = [5.38e-06, 1e-09, 0.1 + 0.2, 3000.0, 12.5, float("nan")]
    frame = pd.DataFrame({"model": ["a", "b", "c", "d", "e", "f"], "cost_usd": costs,
                          "calls": np.arange(6, dtype="int64"), "priced": [True, True, True, True, True, False]})
    text = csv_text(frame)
    assert "e-" not in text and "E-" not in text
    lines = text.splitlines()
    assert lines[0] == '"model","cost_usd","calls","priced"'
    assert lines[1] == '"a",0.00000538,0,True' and lines[2] == '"b",0.000000001,1,True'
    assert lines[4] == '"d",3000.0,3,True'  # whole numbers keep their decimal point, as before
    assert lines[6] == '"f",,5,False'  # a bare empty cell, apart from an empty text "" (a tag logged empty)
    rows = list(csv.reader(io.StringIO(text)))[1:]
    for row, cost in zip(rows, costs, strict=True):
        assert (row[1] == "") if cost != cost else float(row[1]) == round(cost, 9)


def test_csv_infinity_stays_a_number() -> None:
    """A ratio with no base is written as ``inf`` (a number), not ``inf.0``."""
    import pandas as pd

    from bedrock_usage.output.files import csv_text

    assert csv_text(pd.DataFrame({"ratio": [float("inf"), 2.0]})).splitlines()[1:] == ["inf", "2.0"]
