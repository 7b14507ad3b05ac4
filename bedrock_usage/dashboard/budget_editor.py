"""The budget editor: the budgets as a table to edit, written to the budgets file ``--check-budgets`` reads.

Rows are checked with the CLI's own parser (``governance.budgets.parse_budget``) and written in the format of
``examples/budgets.toml`` (or JSON for a ``.json`` file). Nothing is written without showing the change first: a
new file shows every line it will hold; an existing file shows the line-by-line difference (its comments are not
kept) and is replaced only once that is ticked, and only if it did not change since the difference was shown.
"""

from __future__ import annotations

import difflib
import json
import math
import os
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
import streamlit as st

from ..errors import UsageError
from ..governance.budgets import SCOPES, Budget, budget_at, names_not_unique, parse_budget
from ..output.notices import Notice, said
from . import data
from .tables import error_line
from .text import Text, plain

COLUMNS = ("name", "scope", "value", "tag", "monthly_usd", "daily_usd")
SUFFIXES = (".toml", ".json")
HEADER = ("# Budgets for `python bedrock_tracker_cli.py --check-budgets FILE` (see docs/governance.md), written by\n"
          "# the dashboard's budget editor. Each [[budgets]] table covers one of: application, user, tag + value,\n"
          "# or all = true, with monthly_usd and/or daily_usd (estimated cost in USD).\n")
RESULT_KEY = "budget_write_result"


def budgets_frame(budget_list: Iterable[Budget]) -> pd.DataFrame:
    """The budgets as editor rows: name, scope, the value it covers, the tag key, and the amounts."""
    rows = [{"name": b.name, "scope": b.scope, "value": b.value or "", "tag": b.tag_key or "",
             "monthly_usd": b.monthly_usd, "daily_usd": b.daily_usd} for b in budget_list]
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    return frame.astype({"name": "object", "scope": "object", "value": "object", "tag": "object",
                         "monthly_usd": "float64", "daily_usd": "float64"})


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value).strip()


def _amount(value: object) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value == "":
        return None
    return float(value)


def entries_from_frame(frame: pd.DataFrame, origin: str) -> list[dict[str, object]]:
    """The budgets file entries of the edited rows (empty rows skipped), each checked as ``--check-budgets`` checks
    it; UsageError naming the budget on any mistake."""
    entries: list[dict[str, object]] = []
    for row in frame.to_dict("records"):
        texts = {name: _text(row.get(name)) for name in ("name", "scope", "value", "tag")}
        monthly, daily = _amount(row.get("monthly_usd")), _amount(row.get("daily_usd"))
        if not any(texts.values()) and monthly is None and daily is None:
            continue
        scope = texts["scope"]
        if scope not in SCOPES:
            where = budget_at(origin, len(entries))
            raise UsageError(Notice(f"{where}: choose what it covers: {', '.join(SCOPES)}", "budget_no_scope",
                                    where=where, scopes=list(SCOPES)))
        entry: dict[str, object] = {"name": texts["name"]} if texts["name"] else {}
        if scope == "all":
            entry["all"] = True
        elif scope == "tag":
            entry["tag"], entry["value"] = texts["tag"], texts["value"]
        else:
            entry[scope] = texts["value"]
        for key, amount in (("monthly_usd", monthly), ("daily_usd", daily)):
            if amount is not None:
                entry[key] = int(amount) if amount.is_integer() else amount
        parse_budget(entry, len(entries), origin)
        entries.append(entry)
    names = [parse_budget(entry, i, origin).name for i, entry in enumerate(entries)]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise names_not_unique(origin, duplicates)
    return entries


def _toml_value(value: object) -> str:
    if value is True:
        return "true"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a TOML basic string: the same escapes as JSON's
    return repr(value)


def file_text(entries: list[dict[str, object]], path: str) -> str:
    """The budgets file: ``[[budgets]]`` tables as in examples/budgets.toml, or ``{"budgets": [...]}`` for .json."""
    if Path(path).suffix.lower() == ".json":
        return json.dumps({"budgets": entries}, indent=2, ensure_ascii=False) + "\n"
    tables = ["[[budgets]]\n" + "".join(f"{key} = {_toml_value(value)}\n" for key, value in entry.items())
              for entry in entries]
    return HEADER + "\n" + "\n".join(tables)


def read_text(path: Path) -> str | None:
    """The file's text, or None when there is no file."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise UsageError(Notice(f"cannot read {path}: {reason}", "file_unreadable", path=str(path),
                                reason=reason)) from None


def difference(old: str | None, new: str, path: str) -> str:
    """What writing ``new`` changes in the file, as a unified diff (every line added for a new file)."""
    before = (old or "").splitlines(keepends=True)
    lines = difflib.unified_diff(before, new.splitlines(keepends=True),
                                 fromfile=path if old is not None else "/dev/null", tofile=path)
    return "".join(lines)


def write_file(path: Path, text: str, expected: str | None) -> None:
    """Write ``text`` to ``path`` if it still holds ``expected`` (None: it must not exist), through a temporary file
    in the same folder so a reader never sees half a file."""
    if read_text(path) != expected:
        raise UsageError(Notice(f"{path} changed since its difference was shown: review the change again",
                                "budgets_changed", path=str(path)))
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)


def _write(target: str, text: str, expected: str | None) -> None:
    """The write button: write, then check the new file with the budgets it now holds."""
    path = Path(target).expanduser()
    try:
        write_file(path, text, expected)
    except (UsageError, OSError) as exc:
        st.session_state[RESULT_KEY] = ("error", said(exc))
        return
    st.session_state[RESULT_KEY] = ("written", str(path))
    st.session_state["budgets_path"], st.session_state["use_example_budgets"] = str(path), False
    st.session_state["budget_confirm"] = False


TARGET_DEFAULT_KEY = "budget_target_default"  # the "Save to" path last filled in for the user


def budget_editor(t: Text, budget_list: list[Budget], source: str) -> None:
    """The editor of the budgets in use (those of ``source``, a file path), and the write of the edited ones."""
    with st.expander(t("editor_header"), icon=":material/edit_note:",
                     expanded=bool(st.session_state.get(RESULT_KEY))):
        result = st.session_state.pop(RESULT_KEY, None)
        if result:
            if result[0] == "written":
                st.success(t("editor_written", detail=result[1]))
            else:
                st.error(t("editor_error", detail=plain(t.notice(result[1]))))
        st.caption(t("editor_intro"))
        edited = st.data_editor(
            budgets_frame(budget_list), num_rows="dynamic", hide_index=True, key=f"budget_editor:{source}",
            column_config={
                "name": st.column_config.TextColumn(t.column("budget")),
                "scope": st.column_config.SelectboxColumn(t("editor_scope"), options=list(SCOPES), required=True),
                "value": st.column_config.TextColumn(t("editor_value"), help=t("editor_value_help")),
                "tag": st.column_config.TextColumn(t("editor_tag"), help=t("editor_tag_help")),
                "monthly_usd": st.column_config.NumberColumn(t.column("monthly_usd"), min_value=0.01, format="$%,.2f"),
                "daily_usd": st.column_config.NumberColumn(t.column("daily_usd"), min_value=0.01, format="$%,.2f"),
            })
        # "Save to" follows the budgets in use (none for the example file) until the user writes another path there
        default = "" if Path(source) == data.EXAMPLE_BUDGETS else source
        filled = st.session_state.get(TARGET_DEFAULT_KEY, "")
        if st.session_state.get("budget_target", filled) == filled:
            st.session_state["budget_target"] = default
        st.session_state[TARGET_DEFAULT_KEY] = default
        target = st.text_input(t("editor_target"), key="budget_target", placeholder="budgets.toml",
                               help=t("editor_target_help")).strip()
        if not target:
            st.info(t("editor_need_target"))
            return
        path = Path(target).expanduser()
        if path.suffix.lower() not in SUFFIXES:
            st.error(t("editor_bad_suffix"))
            return
        if path.resolve() == data.EXAMPLE_BUDGETS:
            st.error(t("editor_example"))
            return
        try:
            entries = entries_from_frame(edited, target)
            old = read_text(path)
        except UsageError as exc:
            st.error(error_line(t, exc))
            return
        if not entries:
            st.info(t("editor_empty"))
            return
        text = file_text(entries, target)
        if old == text:
            st.success(t("editor_unchanged", path=target), icon=":material/check:")
            return
        st.markdown(t("editor_change_new" if old is None else "editor_change", path=target))
        st.code(difference(old, text, target), language="diff")
        confirmed = old is None or st.checkbox(t("editor_confirm", path=target), key="budget_confirm")
        st.button(t("editor_create" if old is None else "editor_replace"), key="budget_write", type="primary",
                  disabled=not confirmed, on_click=_write, args=(target, text, old), icon=":material/save:")
