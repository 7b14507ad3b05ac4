"""Amazon Bedrock price book: list prices as data, one lookup for every form of ``modelId``.

Prices are USD per 1,000 tokens, keyed by model, endpoint family (``global``; ``regional`` = geo
cross-region ids such as ``us.`` and unprefixed in-region ids; ``govcloud``), region (``*`` = every
commercial region), mode (``standard`` or ``batch``), tier (``base`` or ``above_200k`` input tokens) and
effective dates. The built-in book is ``bedrock_usage/pricing/bedrock_prices.csv``; a user file (``--prices``
or the ``BEDROCK_USAGE_PRICES`` environment variable, JSON or TOML) adds or replaces rows.
"""

from __future__ import annotations

import csv
import json
import math
import os
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..errors import UsageError
from .model_ids import ModelRef, is_priced_region, parse_model_id

BUILTIN_BOOK = Path(__file__).resolve().parent / "bedrock_prices.csv"
PRICES_ENV = "BEDROCK_USAGE_PRICES"
LONG_CONTEXT_THRESHOLD = 200_000
# The dearest Claude rate is $0.075 per 1K output tokens; a rate above $1 per 1K is a per-million figure.
MAX_PLAUSIBLE_PER_1K = 1.0
RATE_FIELDS = ("input", "output", "cache_write_5m", "cache_write_1h", "cache_read")
FAMILIES = ("global", "regional", "govcloud")
MODES = ("standard", "batch")
TIERS = ("base", "above_200k")

@dataclass(frozen=True)
class PriceRow:
    """One row of the price book."""

    model: str
    name: str
    family: str
    region: str
    mode: str
    tier: str
    effective_from: date | None
    effective_to: date | None
    input: float | None
    output: float | None
    cache_write_5m: float | None
    cache_write_1h: float | None
    cache_read: float | None
    source: str

    @property
    def key(self) -> tuple[str, str, str, str, str, date | None]:
        """Identity of a row: an override with the same key replaces it."""
        return (self.model, self.family, self.region, self.mode, self.tier, self.effective_from)

    def applies_on(self, day: date) -> bool:
        """True when ``day`` falls in ``[effective_from, effective_to)``."""
        return (self.effective_from is None or self.effective_from <= day) and (
            self.effective_to is None or day < self.effective_to
        )


@dataclass(frozen=True)
class Quote:
    """The price that applies to one call: the row used and how the model id was read."""

    ref: ModelRef
    row: PriceRow


class PriceBook:
    """All price rows, with a lookup by model id, source region and day."""

    def __init__(self, rows: Iterable[PriceRow]):
        self.rows: list[PriceRow] = list(rows)
        self._by_model: dict[str, list[PriceRow]] = {}
        for row in self.rows:
            self._by_model.setdefault(row.model, []).append(row)
        self._rows_of_call: dict[tuple[str, str, bool], tuple[ModelRef, list[PriceRow]]] = {}

    @classmethod
    def load(cls, override: str | Path | None = None) -> PriceBook:
        """The built-in book, plus the rows of ``override`` (or of ``$BEDROCK_USAGE_PRICES``) on top."""
        rows = {row.key: row for row in read_csv_rows(BUILTIN_BOOK)}
        path = override or os.environ.get(PRICES_ENV)
        if path:
            for row in read_override_rows(Path(path)):
                rows[row.key] = row
        return cls(rows.values())

    def knows(self, base_id: str) -> bool:
        """True when the book has any row for this base model id."""
        return base_id in self._by_model

    def quote(
        self, model_id: str, region: str, day: date, *, long_context: bool = False, batch: bool = False
    ) -> Quote | None:
        """The price of one call, or ``None`` when the book has no price for it (never another model's)."""
        ref, rows = self._rows_for(model_id, region, batch)
        candidates = [row for row in rows if row.applies_on(day)]
        wanted_tier = "above_200k" if long_context else "base"
        for tier in (wanted_tier, "base"):
            for region_choice in (region, "*"):
                for row in candidates:
                    if row.tier == tier and row.region == region_choice:
                        return Quote(ref, row)
        return None

    def _rows_for(self, model_id: str, region: str, batch: bool) -> tuple[ModelRef, list[PriceRow]]:
        """The parsed id and the rows that may price its calls from ``region`` on some day (remembered)."""
        key = (model_id, region, batch)
        if key not in self._rows_of_call:
            ref = parse_model_id(model_id)
            family = ref.family(region)
            rows = []
            if family is not None and ref.base_id is not None and is_priced_region(region):
                rows = [
                    row
                    for row in self._by_model.get(ref.base_id, ())
                    if row.family == family
                    and row.mode == ("batch" if batch else "standard")
                    and row.region in (region, "*")
                ]
            self._rows_of_call[key] = (ref, rows)
        return self._rows_of_call[key]

    def display_name(self, model_id: str) -> str:
        """A readable model name (``Claude Sonnet 4.5``), or the id itself when unknown."""
        ref = parse_model_id(model_id)
        rows = self._by_model.get(ref.base_id or "", ())
        return rows[0].name if rows else (ref.base_id or model_id or "(no model id)")

    def table(self, region: str | None = None, day: date | None = None) -> list[PriceRow]:
        """Rows in force on ``day`` (all if ``None``) for ``region`` (all if ``None``), sorted for printing."""
        rows = [
            row
            for row in self.rows
            if (day is None or row.applies_on(day))
            and (region is None or row.region in (region, "*"))
            and (region is None or (row.family == "govcloud") == region.startswith("us-gov-"))
        ]
        return sorted(
            rows, key=lambda r: (r.name, FAMILIES.index(r.family), r.mode, r.tier, r.effective_from or date.min)
        )


def _parse_row(raw: dict[str, object], origin: str) -> PriceRow:
    """Validate one price row from the CSV book or a user file."""

    def text(name: str, default: str = "") -> str:
        value = raw.get(name)
        return default if value is None or value == "" else str(value).strip()

    def day(name: str) -> date | None:
        value = text(name)
        if not value:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise UsageError(f"{origin}: {name} '{value}' is not a YYYY-MM-DD date") from None

    def rate(name: str) -> float | None:
        value = text(name)
        if not value:
            return None
        try:
            number = float(value)
        except ValueError:
            raise UsageError(f"{origin}: {name} '{value}' is not a number") from None
        if math.isnan(number):
            raise UsageError(f"{origin}: {name} '{value}' is not a number")
        if number < 0:
            raise UsageError(f"{origin}: {name} must not be negative")
        if number > MAX_PLAUSIBLE_PER_1K:
            raise UsageError(
                f"{origin}: {name} {number} USD per 1K tokens is implausible; prices here are per 1,000 tokens "
                f"(divide a per-million price by 1,000)"
            )
        return number

    unknown = sorted(set(raw) - _ROW_KEYS)
    if unknown:
        raise UsageError(f"{origin}: unknown key {', '.join(map(repr, unknown))}; a row has {', '.join(_FIELD_ORDER)}")
    model = text("model")
    if not model:
        raise UsageError(f"{origin}: every price row needs a 'model' (a base model id)")
    if not any(text(name) for name in RATE_FIELDS):
        # Such a row would replace a price with none: the model's calls would turn unpriced without a word.
        raise UsageError(f"{origin}: the row of {model} has no price; give at least one of {', '.join(RATE_FIELDS)}")
    family, mode, tier = text("family", "regional"), text("mode", "standard"), text("tier", "base")
    for label, value, allowed in (("family", family, FAMILIES), ("mode", mode, MODES), ("tier", tier, TIERS)):
        if value not in allowed:
            raise UsageError(f"{origin}: {label} '{value}' for {model} must be one of {', '.join(allowed)}")
    return PriceRow(
        model=model,
        name=text("name", model),
        family=family,
        region=text("region", "*"),
        mode=mode,
        tier=tier,
        effective_from=day("effective_from"),
        effective_to=day("effective_to"),
        source=text("source", origin),
        **{name: rate(name) for name in RATE_FIELDS},
    )


_FIELD_ORDER = ("model", "name", "family", "region", "mode", "tier", "effective_from", "effective_to",
                *RATE_FIELDS, "source")
_ROW_KEYS = frozenset(_FIELD_ORDER)


def read_csv_rows(path: Path) -> list[PriceRow]:
    """Rows of a price book CSV (the built-in one's columns)."""
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            return [_parse_row(raw, f"{path.name} line {n}") for n, raw in enumerate(csv.DictReader(handle), start=2)]
    except UnicodeDecodeError:
        raise UsageError(f"price file {path} is not UTF-8 text: save it as UTF-8") from None


def read_override_rows(path: Path) -> list[PriceRow]:
    """Rows of a user price file: JSON or TOML with a ``prices`` list (or a JSON list), or a CSV."""
    if not path.is_file():
        raise UsageError(f"price file {path} does not exist")
    if path.suffix.lower() == ".csv":
        return read_csv_rows(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise UsageError(f"price file {path} is not UTF-8 text: save it as UTF-8") from None
    except OSError as exc:
        raise UsageError(f"cannot read price file {path}: {exc.strerror or exc}") from None
    try:
        if path.suffix.lower() == ".toml":
            data: object = tomllib.loads(text)
        else:
            data = json.loads(text)
    except ValueError as exc:
        raise UsageError(f"price file {path} cannot be read: {exc}") from None
    entries = data.get("prices") if isinstance(data, dict) else data
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise UsageError(f"price file {path} must hold a list of rows under 'prices'")
    return [_parse_row(entry, f"{path.name} row {n}") for n, entry in enumerate(entries, start=1)]
