"""The bill per caller from a CUR 2.0 data export: read through Athena (the Glue table) or from a local copy (DuckDB).

A CUR 2.0 export with "Include caller identity (IAM principal) allocation data" (table configuration
``INCLUDE_IAM_PRINCIPAL_DATA``) names the calling IAM principal of every Amazon Bedrock line item in
``line_item_iam_principal``, as a full ARN (``arn:aws:iam::{account}:user/alice``,
``arn:aws:sts::{account}:assumed-role/{role}/{session}``). Data Exports writes Parquet files to
``{prefix}/{export}/data/BILLING_PERIOD=YYYY-MM/``; with "overwrite" delivery each refresh replaces the files of
the billing period, so the files directly in a ``BILLING_PERIOD=`` folder are the whole current bill of that month.

Only Amazon Bedrock's line items are read: its own services (``line_item_product_code`` ``AmazonBedrock`` and
``AmazonBedrockService``, the latter billing Claude Sonnet 4 and later) and the Marketplace services named
``... (Amazon Bedrock Edition)`` (``product['product_name']``), only line items of type
``Usage`` (no credits, discounts, refunds or taxes), only the account the logs belong to
(``line_item_usage_account_id``: an export of a management account holds every member account).
A batch inference job's line items are told apart by their usage type (``usage_types.usage_mode``), the one column
every source of the bill has (the resource id is not read).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from ..aws.session import Aws
from ..engines.athena import DEFAULT_WORKGROUP, AthenaEngine, sql_literal
from ..engines.base import Scope, SqlParam
from ..engines.duckdb_memory import duckdb_config
from ..engines.local import to_duckdb
from ..errors import UsageError
from ..logs.period import Period
from ..output.notices import Notice
from ..output.terminal_table import money
from .cur_layout import CUR_COLUMNS, CUR_TABLE, DATA_FOLDER, PARTITION_COLUMN, PARTITION_FOLDER
from .usage_types import MARKETPLACE_SUFFIX, OWN_SHAPE_SERVICES, cur_service, parse_usage_type

USAGE_LINE_ITEM = "Usage"
CUR_SETUP_COMMAND = "python setup_athena_bucket.py --cur --cur-region {region}"

_DUCKDB_TYPES = {"timestamp": "TIMESTAMP", "string": "VARCHAR", "double": "DOUBLE",
                 "map<string,string>": "MAP(VARCHAR, VARCHAR)"}

# Billed lines in the shape every billing source returns (CUR 2.0 through Athena or DuckDB, Cost Explorer).
LINE_COLUMNS = ["principal", "service", "usage_type", "region", "model", "kind", "utc_day", "billed_cost_usd",
                "list_cost_usd", "batch"]

BILLED_LINES_SQL = f"""SELECT
  coalesce(line_item_iam_principal, '') AS principal,
  line_item_product_code AS product_code,
  element_at(product, 'product_name') AS product_name,
  product_region_code AS region_code,
  line_item_usage_type AS usage_type,
  date_format(line_item_usage_start_date, '%Y-%m-%d') AS utc_day,
  line_item_usage_end_date <= line_item_usage_start_date + INTERVAL '1' DAY AS within_day,
  sum(line_item_unblended_cost) AS billed_cost_usd,
  sum(pricing_public_on_demand_cost) AS list_cost_usd,
  count(*) AS line_items
FROM {CUR_TABLE}
WHERE {PARTITION_COLUMN} BETWEEN ? AND ?
  AND line_item_usage_account_id = ?
  AND line_item_line_item_type = {sql_literal(USAGE_LINE_ITEM)}
  AND (line_item_product_code IN ({', '.join(map(sql_literal, OWN_SHAPE_SERVICES.values()))})
       OR element_at(product, 'product_name') IN ({', '.join(map(sql_literal, OWN_SHAPE_SERVICES))})
       OR element_at(product, 'product_name') LIKE {sql_literal('%' + MARKETPLACE_SUFFIX)})
  AND date_format(line_item_usage_start_date, '%Y-%m-%d') BETWEEN ? AND ?
GROUP BY 1, 2, 3, 4, 5, 6, 7"""

# The billing periods of the range that hold any line item: Athena returns no row for a projected billing_period
# partition without files, which the billed lines alone cannot tell from a month without Bedrock usage.
BILLING_PERIODS_SQL = f"""SELECT {PARTITION_COLUMN} AS billing_period, count(*) AS line_items
FROM {CUR_TABLE}
WHERE {PARTITION_COLUMN} BETWEEN ? AND ?
GROUP BY 1"""

_ACCOUNT_RE = re.compile(r"^\d{12}$")
_PERIOD_FOLDER_RE = re.compile(rf"^{PARTITION_FOLDER}=(\d{{4}}-\d{{2}})$")


@dataclass
class BilledLines:
    """Amazon Bedrock's billed usage per principal, service, usage type, region and UTC day, and where it came from.

    ``principal_kind`` says what ``principal`` holds: ``arn`` (CUR 2.0: the IAM principal ARN) or ``user`` /
    ``application`` (Cost Explorer: the value of an IAM principal tag, compared with that attribution).
    """

    lines: pd.DataFrame  # LINE_COLUMNS
    source: str
    principal_kind: str = "arn"
    warnings: list[str] = field(default_factory=list)
    account: str | None = None  # the account billed: only its callers' logs are compared


def billing_periods(period: Period) -> tuple[str, str]:
    """The first and last ``YYYY-MM`` billing period (partition value) the UTC days of ``period`` fall in."""
    return f"{period.start:%Y-%m}", f"{period.end:%Y-%m}"


def check_account(account: str) -> str:
    """A 12-digit AWS account id, or a UsageError."""
    if not _ACCOUNT_RE.match(account or ""):
        raise UsageError(Notice(f"--account {account!r} is not a 12-digit AWS account id", "account_not_id",
                                account=repr(account)))
    return account


def billed_lines_params(period: Period, account: str) -> list[SqlParam]:
    """The parameters of ``BILLED_LINES_SQL``: billing periods, account and the UTC days."""
    first, last = billing_periods(period)
    return [first, last, check_account(account), period.start.isoformat(), period.end.isoformat()]


def lines_from_rows(rows: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Billed lines from the query's rows: service named, usage type read; line items longer than a day left out."""
    warnings = []
    if rows.empty:
        return pd.DataFrame(columns=LINE_COLUMNS), warnings
    within = rows["within_day"].fillna(False).astype(bool)
    if not within.all():
        skipped = rows.loc[~within]
        items, amount = int(skipped["line_items"].sum()), money(skipped["billed_cost_usd"].sum())
        warnings.append(Notice(
            f"{items:,} line items ({amount}) span more than a day and are left out: the export's time granularity is "
            "MONTHLY; per-day reconciliation needs DAILY or HOURLY", "cur_monthly", items=items, amount=amount))
    rows = rows.loc[within]
    records = []
    for row in rows.itertuples(index=False):
        service = cur_service(row.product_code, row.product_name if isinstance(row.product_name, str) else "")
        parsed = parse_usage_type(service, row.usage_type or "")
        region = parsed.region or (row.region_code if isinstance(row.region_code, str) and row.region_code else None)
        records.append([row.principal or "", service, row.usage_type, region,
                        parsed.model.name if parsed.model else None, parsed.kind, row.utc_day,
                        float(row.billed_cost_usd or 0.0), _float_or_nan(row.list_cost_usd), parsed.batch])
    return pd.DataFrame(records, columns=LINE_COLUMNS), warnings


def _float_or_nan(value: Any) -> float:
    return float("nan") if value is None or pd.isna(value) else float(value)



# Local copy (DuckDB)

@dataclass(frozen=True)
class ExportCopy:
    """The Parquet files of a local copy of an export, per billing period, and what was found but not read."""

    root: Path
    files: dict[str, list[Path]]  # YYYY-MM -> Parquet files directly in its BILLING_PERIOD= folder
    nested: dict[str, int]  # YYYY-MM -> Parquet files in subfolders (not read)


def find_export_copy(cur_dir: Path) -> ExportCopy:
    """The ``BILLING_PERIOD=YYYY-MM`` folders under ``cur_dir`` (at any depth) and their Parquet files.

    Only ``data/`` folders hold the line items (``metadata/`` holds the manifests). One export only: the folders of
    two exports (two ``data`` folders) are a mistake the user must resolve.
    """
    if not cur_dir.is_dir():
        raise UsageError(Notice(f"--cur-dir {cur_dir} is not a folder", "cur_dir_not_folder", folder=str(cur_dir)))
    files: dict[str, list[Path]] = {}
    nested: dict[str, int] = {}
    parents: set[Path] = set()
    for folder, subfolders, _ in os.walk(cur_dir, followlinks=True):
        periods = [name for name in subfolders if _PERIOD_FOLDER_RE.match(name)]
        if os.path.basename(folder) != DATA_FOLDER:  # the metadata/ folder has BILLING_PERIOD= folders too
            subfolders[:] = [name for name in subfolders if name not in periods]
            continue
        for name in periods:
            month = _PERIOD_FOLDER_RE.match(name)[1]  # type: ignore[index]
            path = Path(folder, name)
            parents.add(Path(folder))
            files.setdefault(month, []).extend(sorted(p for p in path.glob("*.parquet") if p.is_file()))
            nested[month] = nested.get(month, 0) + sum(1 for _ in path.glob("*/**/*.parquet"))
        subfolders[:] = [name for name in subfolders if name not in periods]
    if not files:
        layout = f"data/{PARTITION_FOLDER}=YYYY-MM/*.parquet"
        raise UsageError(Notice(
            f"no CUR 2.0 export under {cur_dir}: give --cur-dir the folder that holds {layout} (a copy of "
            "s3://BUCKET/PREFIX/EXPORT-NAME/)", "cur_no_export", folder=str(cur_dir), layout=layout))
    if len(parents) > 1:
        exports = sorted(map(str, parents))
        raise UsageError(Notice(
            f"{cur_dir} holds the billing periods of {len(parents)} exports ({', '.join(exports)}): "
            "give --cur-dir the folder of one", "cur_several_exports", folder=str(cur_dir), count=len(parents),
            exports=exports))
    return ExportCopy(cur_dir, files, {month: count for month, count in nested.items() if count})


def read_cur_dir(cur_dir: Path, period: Period, account: str) -> BilledLines:
    """Amazon Bedrock's billed lines of ``account`` in the UTC days of ``period``, from a local copy of the export."""
    copy = find_export_copy(cur_dir)
    first, last = billing_periods(period)
    months = sorted(month for month in copy.files if first <= month <= last)
    warnings = [Notice(f"no export files for billing period {month} under {cur_dir}", "cur_no_files", month=month,
                       folder=str(cur_dir)) for month in _months(first, last) if not copy.files.get(month)]
    warnings += [Notice(f"{count} Parquet files in subfolders of {PARTITION_FOLDER}={month} are not read: an export "
                        "that creates new files on each refresh keeps a full copy per refresh; use one with overwrite "
                        "delivery", "cur_nested", count=count, folder=f"{PARTITION_FOLDER}={month}")
                 for month, count in sorted(copy.nested.items()) if first <= month <= last]
    paths = [str(path) for month in months for path in copy.files[month]]
    source = f"CUR 2.0 export copy in {cur_dir} (DuckDB)"
    if not paths:
        return BilledLines(pd.DataFrame(columns=LINE_COLUMNS), source, warnings=warnings, account=account)
    connection = duckdb.connect(config=duckdb_config())
    try:
        connection.execute("SET TimeZone = 'UTC'")
        raw = connection.read_parquet(paths, hive_partitioning=True, union_by_name=True)
        raw.create_view("cur_files")
        present = {name.lower() for name in raw.columns}
        selects = [name if name in present else f"CAST(NULL AS {_DUCKDB_TYPES[kind]}) AS {name}"
                   for name, kind in CUR_COLUMNS]
        connection.execute(f"CREATE TEMP VIEW {CUR_TABLE} AS SELECT {', '.join(selects)}, "
                           f"{PARTITION_FOLDER} AS {PARTITION_COLUMN} FROM cur_files")
        rows = connection.execute(to_duckdb(BILLED_LINES_SQL), billed_lines_params(period, account)).fetchdf()
    except duckdb.Error as exc:
        raise UsageError(Notice(f"the CUR 2.0 files under {cur_dir} cannot be read: {exc}", "cur_unreadable",
                                folder=str(cur_dir), reason=str(exc))) from None
    finally:
        connection.close()
    lines, more = lines_from_rows(rows)
    return BilledLines(lines, source, warnings=warnings + more, account=account)


def _months(first: str, last: str) -> list[str]:
    year, month = map(int, first.split("-"))
    months = []
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def no_caller_identity() -> str:
    """The warning for an export whose line items name no principal."""
    return Notice("the export has no caller identity (line_item_iam_principal): switch on 'Include caller identity "
                  "(IAM principal) allocation data' in the export (docs/governance.md); its Bedrock cost counts as "
                  "unattributed", "no_caller_identity")


# Athena

def read_cur_athena(aws: Aws, region: str, period: Period, account: str, workgroup: str | None = None) -> BilledLines:
    """Amazon Bedrock's billed lines of ``account`` in the UTC days of ``period``, through the Glue table over the
    export that ``setup_athena_bucket.py --cur`` makes in ``region``."""
    engine = AthenaEngine(aws, workgroup=workgroup or DEFAULT_WORKGROUP, use_compacted=False, table=CUR_TABLE,
                          setup_command=CUR_SETUP_COMMAND)
    scope = Scope((region,), period.start, period.end)
    first, last = billing_periods(period)
    held = engine.query(BILLING_PERIODS_SQL, [first, last], scope).frame
    months = set(held["billing_period"]) if "billing_period" in held else set()
    table = f"{engine.database}.{CUR_TABLE}"
    missing = [Notice(f"no export files for billing period {month} under table {table} in {region}",
                      "cur_no_partition", month=month, table=table, region=region)
               for month in _months(first, last) if month not in months]
    rows = engine.query(BILLED_LINES_SQL, billed_lines_params(period, account), scope).frame
    if rows.empty:
        rows = pd.DataFrame(columns=["principal", "product_code", "product_name", "region_code", "usage_type",
                                     "utc_day", "within_day", "billed_cost_usd", "list_cost_usd", "line_items"])
    lines, warnings = lines_from_rows(rows)
    source = f"CUR 2.0 export through Athena ({region}, table {engine.database}.{CUR_TABLE})"
    return BilledLines(lines, source, warnings=missing + warnings, account=account)
