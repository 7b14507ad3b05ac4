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
