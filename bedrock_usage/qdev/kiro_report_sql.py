"""The Kiro user-report query for Athena, in its (Trino) dialect with ``?`` placeholders.

The Glue table ``kiro_user_report`` (``setup_athena_bucket.py --qdev``) holds one row per line of every report file:
the whole line in ``line`` and the day folder in the ``dt`` partition. A report's columns drift (``User_Email`` and
``New_User`` come and go, a ``{model}_messages`` column exists only for the models used that day), so no fixed
table schema can read them: the query finds each file's header line, takes each column's position from it (names
in lower case), and returns, per line, the raw cells of the known columns and, in ``model_cells``, every model
column of that file as ``name=cell`` pairs. The cell rules are not repeated here: ``decode_user_reports`` hands the
cells to ``kiro_report.parse_row``, as the CSV reader does, so a new model needs no change to the table or the SQL.
Cells are split on every comma and trimmed as the CSV reader does (``activity_sql.cells_sql``; a quoted comma
splits a row into too many cells on both paths; the reports never quote one).
Athena decodes a file that is not UTF-8 with replacement characters (U+FFFD) instead of failing: a file with one
is skipped as "not UTF-8 text", as the CSV reader skips it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pandas as pd

from ..engines.base import SqlParam
from ..logs.layout import partition_value
from ..logs.schema import PARTITION_COLUMN
from . import kiro_report as kr
from .activity_sql import LINE_COLUMN, cells_sql, long_cell_sql, sql_literal
from .credits import report_folder_days
from .layout import USER_REPORT_TYPE, parse_key

TABLE_NAME = "kiro_user_report"
HEADER, ROW = "header", "row"
# A report key below a ``dt`` folder: the file itself, or one hour folder and the file.
REPORT_FILE_PATTERN = r"/[0-9]{4}/[0-9]{2}/[0-9]{2}/([0-9]{2}/){0,1}[^/]+[.]csv$"
PAIR_SEPARATOR = "\x1f"  # between ``name=cell`` pairs in ``model_cells``: the unit separator, never in a report
_BOM = "chr(65279)"
_REPLACEMENT = "chr(65533)"


@dataclass(frozen=True)
class UserReportQuery:
    """SQL text and its positional parameters."""

    sql: str
    params: list[SqlParam]


def _alias(column: str) -> str:
    return f"c_{column.lower()}"


def _position(column: str) -> str:
    """The column's index in a row's padded cells (1, the empty pad, when the header lacks it)."""
    found = " , ".join(f"nullif(array_position(header, {sql_literal(name)}), 0)" for name in kr.HEADER_NAMES[column])
    return f"coalesce({found}, 0) + 1 AS p_{column.lower()}"


def user_report_query(first_day: date, last_day: date) -> UserReportQuery:
    """Every line of the report files in the day folders of ``credits.report_folder_days`` for the period."""
    folders_from, folders_to = report_folder_days(first_day, last_day)
    positions = ",\n    ".join(_position(column) for column in kr.HEADER_NAMES)
    cells = ",\n  ".join(f"element_at(l.padded, y.p_{column.lower()}) AS {_alias(column)}"
                         for column in kr.HEADER_NAMES)
    model = sql_literal(kr.MODEL_COLUMN_PATTERN)
    sql = f"""WITH source_lines AS (
  SELECT
    "$path" AS source_file,
    regexp_extract("$path", '/{USER_REPORT_TYPE}/([^/]+)/', 1) AS region,
    replace(coalesce({LINE_COLUMN}, ''), {_BOM}, '') AS line_text
  FROM {TABLE_NAME}
  WHERE {PARTITION_COLUMN} BETWEEN ? AND ?
    AND regexp_like("$path", {sql_literal(REPORT_FILE_PATTERN)})
),
encodings AS (
  SELECT source_file, max(CASE WHEN strpos(line_text, {_REPLACEMENT}) > 0 THEN 1 ELSE 0 END) = 1 AS not_utf8
  FROM source_lines
  GROUP BY source_file
),
split_lines AS (
  SELECT source_file, region, line_text, {cells_sql("line_text")} AS cells
  FROM source_lines
),
lines AS (
  SELECT
    source_file, region, line_text, cells,
    concat(ARRAY[CAST('' AS varchar)], cells) AS padded,
    contains(transform(cells, c -> lower(c)), 'userid') AND contains(transform(cells, c -> lower(c)), 'date')
      AS is_header
  FROM split_lines
  WHERE cardinality(filter(cells, c -> c <> '')) > 0
),
headers AS (
  SELECT source_file, transform({cells_sql("header_text")}, c -> lower(c)) AS header
  FROM (SELECT source_file, min(line_text) AS header_text FROM lines WHERE is_header GROUP BY source_file)
),
layouts AS (
  SELECT
    source_file,
    header,
    cardinality(header) AS header_cells,
    {positions},
    filter(
      sequence(1, cardinality(header)),
      i -> regexp_like(element_at(header, i), {model}) AND element_at(header, i) <> 'total_messages'
    ) AS model_positions
  FROM headers
)
SELECT
  CASE WHEN l.is_header THEN '{HEADER}' ELSE '{ROW}' END AS line_kind,
  l.source_file,
  l.region,
  y.source_file IS NOT NULL AS has_header,
  e.not_utf8,
  cardinality(l.cells) = y.header_cells AS cells_match,
  {long_cell_sql("l.cells")} AS long_cell,
  {cells},
  array_join(
    transform(y.model_positions, i -> concat(element_at(y.header, i), '=', coalesce(element_at(l.cells, i), ''))),
    chr({ord(PAIR_SEPARATOR)})
  ) AS model_cells
FROM lines AS l
JOIN encodings AS e ON l.source_file = e.source_file
LEFT JOIN layouts AS y ON l.source_file = y.source_file"""
    return UserReportQuery(sql, [partition_value(folders_from), partition_value(folders_to)])


def _model_cells(text: object) -> dict[str, str]:
    """``name=cell`` pairs as a mapping of model name to cell."""
    if not isinstance(text, str) or not text:
        return {}
    pairs = (pair.partition("=") for pair in text.split(PAIR_SEPARATOR))
    return {kr.model_name(name): cell for name, _, cell in pairs}


def _flag(value: object) -> bool:
    """A boolean result cell (Athena returns ``true``/``false`` text, DuckDB a bool)."""
    return value is True or str(value).strip().lower() == "true"


def decode_user_reports(result: pd.DataFrame, stats: kr.UserReportStats,
                        keep: Callable[[pd.DataFrame], pd.Series] | None = None) -> kr.UserReportRows:
    """The rows of a query result, as the files give them (``combine_files``), with the counts put in ``stats``."""
    frame = result.rename(columns=str.lower)
    parsers: dict[str, kr.LineParser] = {}
    regions: dict[str, str] = {}
    headerless: set[str] = set()
    not_text: set[str] = set()
    by_file: dict[str, list[tuple]] = defaultdict(list)
    records = frame.to_dict("records")
    for number, record in enumerate(records):
        by_file[str(record["source_file"])].append((number, record))
    for source, lines in by_file.items():
        header = next((r for _, r in lines if r["line_kind"] == HEADER), None)
        if _flag(lines[0][1]["not_utf8"]):
            not_text.add(source)
            continue
        if header is None:
            headerless.add(source)
            continue
        regions[source] = str(header["region"])
        names = [name for column in kr.HEADER_NAMES if (name := header[_alias(column)])]
        names += [f"{model}{kr.MODEL_SUFFIX}" for model in _model_cells(header["model_cells"])]
        parser = kr.LineParser(names)
        for number, record in lines:
            if record["line_kind"] != ROW:
                continue
            if not _flag(record["cells_match"]):
                parser.skipped[kr.WRONG_CELL_COUNT] += 1
                continue
            if _flag(record["long_cell"]):
                parser.skipped[kr.CELL_TOO_LONG] += 1
                continue
            try:
                fact, models = kr.parse_row({column: record[_alias(column)] for column in kr.HEADER_NAMES},
                                            _model_cells(record["model_cells"]))
            except kr.BadRow as exc:
                parser.skipped[str(exc)] += 1
                continue
            parser.facts.append({"line": number, **fact})
            parser.model_counts.extend((number, model, count) for model, count in models.items())
        parsers[source] = parser
    stats.files_listed += len(by_file)
    stats.files_read += len(parsers)
    if headerless:
        stats.skipped_files[kr.NO_HEADER] += len(headerless)
    if not_text:
        stats.skipped_files[kr.NOT_UTF8] += len(not_text)
    files = []
    for source, parser in parsers.items():
        parsed = parser.result()
        stats.skipped_rows.update(parsed.skipped_rows)
        stats.files_without_email += not parsed.has_email
        key = parse_key(source)
        files.append(kr.UserReportFile(parsed, source, regions[source], key.export_stamp if key else ""))
    return kr.combine_files(files, stats, keep)
