"""The Amazon Q / Kiro tab's CSV downloads are the CLI's files of the same tables: same columns (the monthly limits'
too), same rows, each ending with the period and the accuracy columns of the figures it holds. The tab's own tables
(``table_list``: each download's rows, days and accuracy columns, as its download buttons write them), in-process
(no Streamlit page), against the analyser's files over the Kiro fixture."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bedrock_usage.dashboard import data
from bedrock_usage.dashboard.qdev_tab import table_list
from bedrock_usage.dashboard.tables import download_csv
from bedrock_usage.dashboard.text import Text
from tests.logfiles import csv_rows
from tests.qdev.kiro_oracle import FIXTURE, USER_MAP
from tests.qdev.test_csv_accuracy_columns import csv_files
from tests.qdev.test_offline import offline  # noqa: F401  (fixture)

pytestmark = pytest.mark.usefixtures("offline")


@pytest.mark.slow
def test_each_download_is_the_clis_file_of_the_same_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = csv_files(tmp_path, capsys)
    report = data.load_qdev(data.QDevRequest(source="local", start=date(2026, 11, 2), end=date(2026, 11, 4),
                                             logs_dir=str(FIXTURE), user_map=str(USER_MAP)))
    tables, _ = table_list(Text("ko"), report)  # the downloads keep the CLI's words whatever the page's language
    assert {table.name for table in tables} >= {"limits", "kiro_allowance", "virtual_cost_per_model",
                                                "activity_estimated_tokens"}
    for table in tables:  # what data_table's download button writes
        header, rows = csv_rows(download_csv(table.frame, table.period, table.end))
        cli_header, cli_rows = csv_rows(files[table.name])
        assert header == cli_header, table.name
        assert rows == cli_rows, table.name
        assert table.name == "people" or any(column.startswith("accuracy_") for column in header), table.name
