"""Plain JSON values from what DataFrames hold: the one conversion every JSON renderer uses."""

from __future__ import annotations

import json
import math
import sys
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from .plain_table import PlainTable

if TYPE_CHECKING:
    import pandas as pd

# Figures are rounded to this many decimals in files: a billionth of a dollar, far below any price step, and no
# binary noise such as 180.97964360499998.
FILE_DECIMALS = 9


def json_value(value: Any) -> Any:
    """A JSON-ready scalar: ISO dates, Python numbers, ``None`` for NaN and NA."""
    na = getattr(sys.modules.get("pandas"), "NA", None)  # no value is pandas' NA before pandas is imported
    if value is None or (na is not None and value is na):
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, FILE_DECIMALS)
    return value


def decimal_text(value: float) -> str:
    """A number as plain decimal text (``0.00008``, never ``8e-05``), to ``FILE_DECIMALS`` decimals."""
    return f"{value:.{FILE_DECIMALS}f}".rstrip("0").rstrip(".") or "0"


def rounded(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its float columns rounded for a file."""
    return frame.round(FILE_DECIMALS)


def json_records(table: pd.DataFrame | PlainTable) -> list[dict[str, Any]]:
    """A table's rows as JSON-ready dicts."""
    return [{key: json_value(value) for key, value in row.items()} for row in PlainTable.of(table).records()]


def document_text(document: Any) -> str:
    """A JSON document as indented text, its floats rounded to ``FILE_DECIMALS`` decimals."""
    return json.dumps(_rounded_floats(document), indent=2, ensure_ascii=False)


def _rounded_floats(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, FILE_DECIMALS) if math.isfinite(value) else value
    if isinstance(value, dict):
        return {key: _rounded_floats(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_rounded_floats(item) for item in value]
    return value
