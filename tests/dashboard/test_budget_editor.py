"""The budget editor's rows -> budgets file: edited rows as st.data_editor returns them, read back by the CLI's own
reader (governance.budgets.load_budgets); mistakes named as the CLI names them; a file replaced only if unchanged."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from bedrock_usage.dashboard.budget_editor import (
    budgets_frame,
    difference,
    entries_from_frame,
    file_text,
    write_file,
)
from bedrock_usage.errors import UsageError
from bedrock_usage.governance.budgets import Budget, load_budgets

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "budgets.toml"


def edited_example() -> pd.DataFrame:
    """The example budgets after an edit: an amount changed, one budget deleted, a tag budget and a blank row added
    (st.data_editor leaves None in the cells of a new row not filled in)."""
    frame = budgets_frame(load_budgets(EXAMPLE))
    frame.loc[frame["name"] == "Code review", "monthly_usd"] = 120.5
    frame = frame.loc[frame["name"] != "Jisoo Kim"]
    added = pd.DataFrame([
        {"name": "Team \"Q\" \\ 한국", "scope": "tag", "value": "CC-7", "tag": "cost_center", "monthly_usd": 300.0,
         "daily_usd": None},
        {"name": None, "scope": None, "value": None, "tag": None, "monthly_usd": None, "daily_usd": None},
    ])
    return pd.concat([frame, added], ignore_index=True)


@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_edited_rows_are_read_back_by_the_cli_reader(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"budgets{suffix}"
    path.write_text(file_text(entries_from_frame(edited_example(), str(path)), str(path)), encoding="utf-8")
    assert load_budgets(path) == [
        Budget("Customer service", "application", "CustomerServiceApp", None, 50.0, 5.0),
        Budget("Code review", "application", "CodeReviewApp", None, 120.5, None),
        Budget("Cost center 1002", "tag", "CC-1002", "cost_center", 500.0, None),
        Budget("All Amazon Bedrock", "all", None, None, 2000.0, None),
        Budget("Team \"Q\" \\ 한국", "tag", "CC-7", "cost_center", 300.0, None),
    ]


def test_an_unchanged_example_writes_the_same_budgets(tmp_path: Path) -> None:
    budgets = load_budgets(EXAMPLE)
    path = tmp_path / "copy.toml"
    path.write_text(file_text(entries_from_frame(budgets_frame(budgets), "copy"), str(path)))
    assert load_budgets(path) == budgets


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"scope": None}, "budget 1: choose what it covers: application, user, tag, all"),
        ({"monthly_usd": -5.0, "daily_usd": None}, "budget 1: monthly_usd must be a positive number of USD, not -5"),
        ({"monthly_usd": None, "daily_usd": None}, "budget 1: give monthly_usd, daily_usd or both"),
        ({"scope": "tag", "tag": ""}, "budget 1: tag must be a non-empty string"),
    ],
)
def test_mistakes_name_the_budget(change: dict, message: str) -> None:
    frame = budgets_frame(load_budgets(EXAMPLE)).head(1)
    for column, value in change.items():
        frame[column] = frame[column].astype(object)
        frame.loc[frame.index[0], column] = value
    with pytest.raises(UsageError) as caught:
        entries_from_frame(frame, "budgets.toml")
    assert str(caught.value) == f"budgets.toml, {message}"


def test_names_must_stay_unique() -> None:
    frame = budgets_frame(load_budgets(EXAMPLE))
    frame.loc[1, "name"] = frame.loc[0, "name"]
    with pytest.raises(UsageError, match=r"^b.toml: budget names must be unique \(Customer service\)$"):
        entries_from_frame(frame, "b.toml")


def test_a_file_is_replaced_only_if_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "b.toml"
    with pytest.raises(UsageError, match="changed since its difference was shown"):
        write_file(path, "new\n", "old\n")  # expected a file that is not there
    write_file(path, "first\n", None)
    assert difference("first\n", "second\n", str(path)).splitlines()[-2:] == ["-first", "+second"]
    with pytest.raises(UsageError, match="changed since its difference was shown"):
        write_file(path, "second\n", None)
    write_file(path, "second\n", "first\n")
    assert path.read_text() == "second\n" and sorted(p.name for p in tmp_path.iterdir()) == ["b.toml"]
