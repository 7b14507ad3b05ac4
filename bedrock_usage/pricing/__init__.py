"""List prices of Bedrock models and the lookup that prices one call: model id, region, endpoint family, day."""

from .book import (
    FAMILIES,
    LONG_CONTEXT_THRESHOLD,
    PRICES_ENV,
    RATE_FIELDS,
    PriceBook,
    PriceRow,
    Quote,
    read_override_rows,
)
from .model_ids import ModelRef, is_priced_region, parse_model_id

__all__ = [
    "FAMILIES",
    "LONG_CONTEXT_THRESHOLD",
    "PRICES_ENV",
    "RATE_FIELDS",
    "ModelRef",
    "PriceBook",
    "PriceRow",
    "Quote",
    "is_priced_region",
    "parse_model_id",
    "read_override_rows",
]
