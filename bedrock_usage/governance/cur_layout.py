"""Where a CUR 2.0 data export keeps its files, the table over them, and the columns read (no engine code, so the
setup script that creates the table loads none)."""

from __future__ import annotations

CUR_TABLE = "cur2_export"
PARTITION_COLUMN = "billing_period"
PARTITION_FOLDER = "BILLING_PERIOD"
DATA_FOLDER = "data"

# The CUR 2.0 columns read here, with their types in the CUR 2.0 table dictionary (Glue / Athena names).
CUR_COLUMNS: tuple[tuple[str, str], ...] = (
    ("bill_billing_period_start_date", "timestamp"),
    ("line_item_usage_account_id", "string"),
    ("line_item_line_item_type", "string"),
    ("line_item_product_code", "string"),
    ("line_item_usage_type", "string"),
    ("line_item_usage_start_date", "timestamp"),
    ("line_item_usage_end_date", "timestamp"),
    ("line_item_usage_amount", "double"),
    ("line_item_unblended_cost", "double"),
    ("line_item_iam_principal", "string"),
    ("pricing_public_on_demand_cost", "double"),
    ("product", "map<string,string>"),
    ("product_region_code", "string"),
)
