"""The user-activity query for Athena, written once in its (Trino) dialect with ``?`` placeholders.

The Glue table ``qdev_user_activity`` (``setup_athena_bucket.py --qdev``) holds one row per line of every report
file: the whole line in ``line``, partitions ``product`` (the ``QDeveloperLogs`` or ``KiroLogs`` folder) and ``dt``
(the ``yyyy/MM/dd`` folder). Column order differs between files, so the query finds each file's header line (the
one with ``UserId`` and ``Date`` cells), takes every column's position from it, and reads the other lines by those
positions with the cell rules of ``activity`` (trimming, patterns, skip reasons, empty or missing cell = 0). It
returns one row per usable line (the grain ``read_activity_csv`` gives), one per header line and one per skipped
line, so ``decode_activity`` fills the same rows and counts (files read, older layouts, skipped rows) as the S3
reader. Cells are split on every comma, as the Python reader splits them: the reports never quote one, and a quoted
comma makes a row "wrong number of cells" on both paths.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from ..engines.base import SqlParam
from ..logs.layout import partition_value
from ..logs.schema import PARTITION_COLUMN
from .activity import (
    ACTIVITY_COLUMNS,
    BAD_DATE,
    BAD_NUMBER,
    BLANK_EDGES_PATTERN,
    CELL_LIMIT,
    CELL_TOO_LONG,
    DATE_PATTERN,
    MAX_COUNT,
    METRIC_COLUMNS,
    NO_HEADER,
    NO_USER,
    NUMBER_PATTERN,
    WRONG_CELL_COUNT,
    ActivityStats,
    read_window,
    report_folder_days,
)
from .layout import ACTIVITY_TYPE, PRODUCTS

TABLE_NAME = "qdev_user_activity"
LINE_COLUMN = "line"
PRODUCT_COLUMN = "product"
HEADER, ROW = "header", "row"
# A report key below a ``dt`` folder: the file itself, or one hour folder and the file (as ``layout.parse_key``).
REPORT_FILE_PATTERN = r"/[0-9]{4}/[0-9]{2}/[0-9]{2}/([0-9]{2}/){0,1}[^/]+[.]csv$"
_BOM = "chr(65279)"  # a UTF-8 byte order mark starts some files; Python's utf-8-sig drops it too


@dataclass(frozen=True)
class ActivityQuery:
    """SQL text and its positional parameters."""

    sql: str
    params: list[SqlParam]


def sql_literal(text: str) -> str:
    """A SQL string literal of one of this module's constants (never of user input)."""
    return "'" + text.replace("'", "''") + "'"


def _alias(column: str) -> str:
    """The result column of a report column: lower case, as Athena returns names."""
    return column.lower()


def trimmed_sql(text: str) -> str:
    """``text`` trimmed of ``BLANKS`` (spaces and tabs) alone: Trino's and DuckDB's own ``trim`` take other sets."""
    return f"regexp_replace({text}, {sql_literal(BLANK_EDGES_PATTERN)}, '')"


def cells_sql(text: str) -> str:
    """The cells of a line, as ``activity.cell_text`` reads them: split on commas, trimmed, one pair of surrounding
    quotes removed (``""`` -> ``"``) and trimmed again."""
    inner = trimmed_sql("replace(substr(c, 2, length(c) - 2), '\"\"', '\"')")
    unquoted = (
        "c -> CASE WHEN length(c) >= 2 AND starts_with(c, '\"') AND substr(c, length(c)) = '\"' "
        f"THEN {inner} ELSE c END"
    )
    return f"transform(transform(split({text}, ','), c -> {trimmed_sql('c')}), {unquoted})"


def long_cell_sql(cells: str) -> str:
    """True when one of the (trimmed) cells is longer than ``CELL_LIMIT``: the row is skipped, as in Python."""
    return f"cardinality(filter({cells}, c -> length(c) > {CELL_LIMIT})) > 0"


def _position(column: str) -> str:
    """The column's index in the padded cells of a row: 1 (the empty pad) when the header lacks it."""
    return f"coalesce(array_position(header, {sql_literal(column)}), 0) + 1 AS p_{_alias(column)}"


def _number(column: str) -> str:
    """A metric cell as bigint: 0 when empty or missing, NULL when it is not a number below ``MAX_COUNT`` (a
    negative one never matches ``NUMBER_PATTERN``)."""
    cell = f"element_at(l.padded, y.p_{_alias(column)})"
    return (
        f"CASE WHEN {cell} = '' THEN 0 WHEN regexp_like({cell}, {sql_literal(NUMBER_PATTERN)}) "
        f"AND try(CAST({cell} AS double)) < {MAX_COUNT} "
        f"THEN CAST(truncate(CAST({cell} AS double)) AS bigint) END AS {_alias(column)}"
    )


def _iso_date(cell: str) -> str:
    """``YYYY-MM-DD`` from a ``DATE_PATTERN`` cell (NULL when it does not match; the calendar is checked later)."""
    pattern = sql_literal(DATE_PATTERN)
    month, day, year = (f"regexp_extract({cell}, {pattern}, {group})" for group in (1, 2, 3))
    return (
        f"CASE WHEN regexp_like({cell}, {pattern}) "
        f"THEN concat({year}, '-', lpad({month}, 2, '0'), '-', lpad({day}, 2, '0')) END"
    )


def activity_query(first_day: date, last_day: date) -> ActivityQuery:
    """The query for a period: the reports of ``read_window`` from the folders of ``report_folder_days``.

    Every user comes back (``--user-pattern`` also matches e-mails and names that other sources give, so it is
    applied per person afterwards); skipped lines and header lines come back whatever their date, as the S3
    reader counts them.
    """
    folders_from, folders_to = report_folder_days(first_day, last_day)
    dates_from, dates_to = read_window(first_day, last_day)
    metrics = METRIC_COLUMNS
    names = ", ".join(sql_literal(column) for column in metrics)
    positions = ",\n    ".join(_position(column) for column in ACTIVITY_COLUMNS)
    numbers = ",\n    ".join(_number(column) for column in metrics)
    metric_list = ", ".join(_alias(column) for column in metrics)
    any_bad = " OR ".join(f"{_alias(column)} IS NULL" for column in metrics)
    sql = f"""WITH source_lines AS (
  SELECT
    "$path" AS source_file,
    {PRODUCT_COLUMN} AS product_folder,
    regexp_extract("$path", '/{ACTIVITY_TYPE}/([^/]+)/', 1) AS region,
    replace(coalesce({LINE_COLUMN}, ''), {_BOM}, '') AS line_text
  FROM {TABLE_NAME}
  WHERE {PARTITION_COLUMN} BETWEEN ? AND ?
    AND regexp_like("$path", {sql_literal(REPORT_FILE_PATTERN)})
),
split_lines AS (
  SELECT source_file, product_folder, region, line_text, {cells_sql("line_text")} AS cells
  FROM source_lines
),
lines AS (
  SELECT
    source_file, product_folder, region, line_text, cells,
    concat(ARRAY[CAST('' AS varchar)], cells) AS padded,
    contains(cells, 'UserId') AND contains(cells, 'Date') AS is_header
  FROM split_lines
  WHERE cardinality(filter(cells, c -> c <> '')) > 0
),
headers AS (
  SELECT source_file, {cells_sql("header_text")} AS header
  FROM (SELECT source_file, min(line_text) AS header_text FROM lines WHERE is_header GROUP BY source_file)
),
layouts AS (
  SELECT
    source_file,
    cardinality(header) AS header_cells,
    cardinality(filter(ARRAY[{names}], name -> NOT contains(header, name))) AS missing_columns,
    {positions}
  FROM headers
),
parsed AS (
  SELECT
    l.source_file, l.product_folder, l.region, l.is_header,
    y.source_file IS NOT NULL AS has_header,
    y.missing_columns,
    cardinality(l.cells) = y.header_cells AS cells_match,
    {long_cell_sql("l.cells")} AS long_cell,
    element_at(l.padded, y.p_userid) AS user_id,
    element_at(l.padded, y.p_date) AS date_cell,
    {numbers}
  FROM lines AS l
  LEFT JOIN layouts AS y ON l.source_file = y.source_file
),
dated AS (
  SELECT *, {_iso_date("date_cell")} AS iso_candidate
  FROM parsed
),
checked AS (
  SELECT
    *,
    CASE WHEN try(CAST(iso_candidate AS date)) IS NOT NULL THEN iso_candidate END AS report_date
  FROM dated
),
classified AS (
  SELECT
    *,
    CASE
      WHEN is_header THEN NULL
      WHEN NOT has_header THEN {sql_literal(NO_HEADER)}
      WHEN NOT cells_match THEN {sql_literal(WRONG_CELL_COUNT)}
      WHEN long_cell THEN {sql_literal(CELL_TOO_LONG)}
      WHEN user_id = '' THEN {sql_literal(NO_USER)}
      WHEN report_date IS NULL THEN {sql_literal(BAD_DATE)}
      WHEN {any_bad} THEN {sql_literal(BAD_NUMBER)}
    END AS problem
  FROM checked
)
SELECT
  CASE WHEN is_header THEN '{HEADER}' ELSE '{ROW}' END AS line_kind,
  problem,
  source_file,
  product_folder,
  region,
  CASE WHEN is_header THEN missing_columns END AS missing_columns,
  user_id,
  report_date,
  {metric_list}
FROM classified
WHERE is_header OR problem IS NOT NULL OR report_date BETWEEN ? AND ?"""
    params: list[SqlParam] = [partition_value(folders_from), partition_value(folders_to)]
    params += [dates_from.isoformat(), dates_to.isoformat()]
    return ActivityQuery(sql, params)


def decode_activity(result: pd.DataFrame, stats: ActivityStats) -> pd.DataFrame:
    """The usable rows of a query result, as the S3 reader gives them, with the file and row counts put in ``stats``."""
    frame = result.rename(columns=str.lower)
    headers = frame[frame["line_kind"] == HEADER]
    lines = frame[frame["line_kind"] == ROW]
    stats.files_listed += int(frame["source_file"].nunique())
    stats.files_read += int(headers["source_file"].nunique())
    stats.older_layout_files += int(headers.loc[headers["missing_columns"] > 0, "source_file"].nunique())
    problems = lines["problem"].dropna()
    headerless = int(lines.loc[problems.index[problems == NO_HEADER], "source_file"].nunique())
    if headerless:
        stats.skipped_files[NO_HEADER] += headerless
    stats.skipped_rows.update({str(k): int(n) for k, n in problems[problems != NO_HEADER].value_counts().items()})
    good = lines[lines["problem"].isna()]
    rows = pd.DataFrame(
        {
            "UserId": good["user_id"].astype(str),
            "Date": good["report_date"].map(date.fromisoformat),
            **{column: good[_alias(column)].astype("int64") for column in METRIC_COLUMNS},
            "product": good["product_folder"].map(PRODUCTS),
            "region": good["region"].astype(str),
            "source_file": good["source_file"].astype(str),
        }
    )
    return rows.sort_values(["Date", "UserId", "product", "region"], kind="stable").reset_index(drop=True)
