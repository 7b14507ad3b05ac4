"""List prices of Bedrock models and the lookup that prices one call: model id, region, endpoint family, day."""

from .book import (
    CSV_FIELDS,
    FAMILIES,
    LONG_CONTEXT_THRESHOLD,
    PRICES_ENV,
    RATE_FIELDS,
    TOKEN_FIELDS,
    UNITS,
    PriceBook,
    PriceFile,
    PriceRow,
    Quote,
    price_file_stamp,
    read_csv_rows,
    read_override_rows,
    row_record,
    write_csv_rows,
)
from .model_ids import ModelRef, is_priced_region, model_key, parse_model_id

__all__ = [
    "CSV_FIELDS",
    "FAMILIES",
    "LONG_CONTEXT_THRESHOLD",
    "PRICES_ENV",
    "RATE_FIELDS",
    "TOKEN_FIELDS",
    "UNITS",
    "ModelRef",
    "PriceBook",
    "PriceFile",
    "PriceRow",
    "Quote",
    "is_priced_region",
    "model_key",
    "parse_model_id",
    "price_file_stamp",
    "read_csv_rows",
    "read_override_rows",
    "row_record",
    "write_csv_rows",
]
