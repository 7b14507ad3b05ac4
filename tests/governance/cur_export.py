"""A CUR 2.0 data export written the way Data Exports delivers it, for tests.

Column names and types are the CUR 2.0 table dictionary's (AWS Data Exports user guide, "Cost and Usage Report
(CUR) 2.0"; the same names and Glue types as the Cloud Intelligence Dashboards' CUR 2.0 table): strings, doubles,
timestamps, and the nested columns as maps (``product``, ``resource_tags``, ``tags`` and ``cost_category``
map<string,string>, ``discount`` map<string,double>). Files go to
``{prefix}/{export}/data/BILLING_PERIOD=YYYY-MM/{export}-00001.snappy.parquet`` ("Understanding export delivery").
``line_item_iam_principal`` is the caller's ARN (Amazon Bedrock user guide, "IAM principal attribution").
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

STRING, DOUBLE = pa.string(), pa.float64()
TEXT_MAP, DOUBLE_MAP = pa.map_(pa.string(), pa.string()), pa.map_(pa.string(), pa.float64())


def schema(timestamps: pa.DataType) -> pa.Schema:
    """The export's columns (a CUR 2.0 export with caller identity, resource ids off)."""
    return pa.schema([
        ("bill_bill_type", STRING), ("bill_billing_entity", STRING),
        ("bill_billing_period_end_date", timestamps), ("bill_billing_period_start_date", timestamps),
        ("bill_invoice_id", STRING), ("bill_payer_account_id", STRING), ("bill_payer_account_name", STRING),
        ("cost_category", TEXT_MAP), ("discount", DOUBLE_MAP), ("identity_line_item_id", STRING),
        ("identity_time_interval", STRING), ("line_item_availability_zone", STRING),
        ("line_item_blended_cost", DOUBLE), ("line_item_currency_code", STRING), ("line_item_legal_entity", STRING),
        ("line_item_line_item_description", STRING), ("line_item_line_item_type", STRING),
        ("line_item_operation", STRING), ("line_item_product_code", STRING), ("line_item_iam_principal", STRING),
        ("line_item_unblended_cost", DOUBLE), ("line_item_unblended_rate", STRING),
        ("line_item_usage_account_id", STRING), ("line_item_usage_account_name", STRING),
        ("line_item_usage_amount", DOUBLE), ("line_item_usage_end_date", timestamps),
        ("line_item_usage_start_date", timestamps), ("line_item_usage_type", STRING),
        ("pricing_public_on_demand_cost", DOUBLE), ("pricing_public_on_demand_rate", STRING), ("pricing_unit", STRING),
        ("product", TEXT_MAP), ("product_product_family", STRING), ("product_region_code", STRING),
        ("product_servicecode", STRING), ("product_sku", STRING), ("resource_tags", TEXT_MAP), ("tags", TEXT_MAP),
    ])


@dataclass
class LineItem:
    """One CUR line item (a day's usage of one usage type by one principal)."""

    account: str
    principal: str
    product_code: str
    product_name: str
    usage_type: str
    region_code: str
    day: date
    cost: float
    usage: float = 0.0
    line_type: str = "Usage"
    list_cost: float | None = None
    span_days: int = 1
    billing_entity: str = "AWS"
    tags: dict[str, str] = field(default_factory=dict)


def _month_start(day: date) -> datetime:
    return datetime(day.year, day.month, 1)


def _next_month(day: date) -> datetime:
    return datetime(day.year + day.month // 12, day.month % 12 + 1, 1)


def write_export(root: Path, items: list[LineItem], export: str = "bedrock-usage-cur2", prefix: str = "cur",
                 payer: str = "111122223333", timestamps: pa.DataType | None = None) -> Path:
    """Write ``items`` as the export's Parquet files, one file per billing period; returns the export folder."""
    timestamps = timestamps or pa.timestamp("ms")
    by_month: dict[date, list[LineItem]] = defaultdict(list)
    for item in items:
        by_month[item.day.replace(day=1)].append(item)
    folder = root / prefix / export
    for month, rows in sorted(by_month.items()):
        columns: dict[str, list] = defaultdict(list)
        for n, item in enumerate(rows):
            start = datetime.combine(item.day, datetime.min.time())
            end = start + timedelta(days=item.span_days)
            values = {
                "bill_bill_type": "Anniversary", "bill_billing_entity": item.billing_entity,
                "bill_billing_period_end_date": _next_month(month),
                "bill_billing_period_start_date": _month_start(month),
                "bill_invoice_id": "", "bill_payer_account_id": payer, "bill_payer_account_name": "payer",
                "cost_category": [], "discount": [], "identity_line_item_id": f"{month:%Y%m}-{n:06d}",
                "identity_time_interval": f"{start:%Y-%m-%dT%H:%M:%SZ}/{end:%Y-%m-%dT%H:%M:%SZ}",
                "line_item_availability_zone": "", "line_item_blended_cost": item.cost,
                "line_item_currency_code": "USD",
                "line_item_legal_entity": "Amazon Web Services, Inc.",
                "line_item_line_item_description": f"{item.usage_type} usage",
                "line_item_line_item_type": item.line_type, "line_item_operation": "Usage",
                "line_item_product_code": item.product_code, "line_item_iam_principal": item.principal,
                "line_item_unblended_cost": item.cost,
                "line_item_unblended_rate": f"{item.cost / item.usage:.10f}" if item.usage else "",
                "line_item_usage_account_id": item.account, "line_item_usage_account_name": f"account {item.account}",
                "line_item_usage_amount": item.usage, "line_item_usage_end_date": end,
                "line_item_usage_start_date": start, "line_item_usage_type": item.usage_type,
                "pricing_public_on_demand_cost": item.cost if item.list_cost is None else item.list_cost,
                "pricing_public_on_demand_rate": "", "pricing_unit": "Units",
                "product": [("product_name", item.product_name), ("region", item.region_code),
                            ("servicename", item.product_name)],
                "product_product_family": "", "product_region_code": item.region_code,
                "product_servicecode": item.product_code, "product_sku": f"SKU-{item.usage_type}",
                "resource_tags": [], "tags": list(item.tags.items()),
            }
            for name, value in values.items():
                columns[name].append(value)
        table = pa.table({name: pa.array(columns[name], type=kind) for name, kind in
                          zip(schema(timestamps).names, schema(timestamps).types, strict=True)})
        target = folder / "data" / f"BILLING_PERIOD={month:%Y-%m}"
        target.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, target / f"{export}-00001.snappy.parquet", compression="snappy")
        manifest = folder / "metadata" / f"BILLING_PERIOD={month:%Y-%m}"
        manifest.mkdir(parents=True, exist_ok=True)
        (manifest / f"{export}-Manifest.json").write_text("{}", encoding="utf-8")
    return folder
