"""Plain JSON values from what DataFrames hold: the one conversion every JSON renderer uses."""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

import pandas as pd


def json_value(value: Any) -> Any:
    """A JSON-ready scalar: ISO dates, Python numbers, ``None`` for NaN and NA."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def json_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """DataFrame rows as JSON-ready dicts."""
    return [{key: json_value(value) for key, value in row.items()} for row in frame.astype(object).to_dict("records")]
