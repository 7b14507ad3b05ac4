"""Amazon Bedrock price book: list prices as data, one lookup for every form of ``modelId``.

Prices are USD per 1,000 tokens, keyed by model, endpoint family (``global``; ``regional`` = geo
cross-region ids such as ``us.`` and unprefixed in-region ids; ``govcloud``), region (``*`` = every
commercial region), mode (``standard`` or ``batch``), tier (``base`` or ``above_200k`` input tokens) and
effective dates. The built-in book is ``bedrock_usage/data/bedrock_prices.csv``; a user file (``--prices``
or the ``BEDROCK_USAGE_PRICES`` environment variable, JSON or TOML) adds or replaces rows.

Run ``python pricing.py`` to print the book.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import sys
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path

from bedrock_usage.errors import UsageError
from bedrock_usage.jsonable import decimal_text
from bedrock_usage.regions import REGION_NAMES
from bedrock_usage.script_cli import reader_went_away

BUILTIN_BOOK = Path(__file__).resolve().parent / "bedrock_usage" / "data" / "bedrock_prices.csv"
PRICES_ENV = "BEDROCK_USAGE_PRICES"
LONG_CONTEXT_THRESHOLD = 200_000
# The dearest Claude rate is $0.075 per 1K output tokens; a rate above $1 per 1K is a per-million figure.
MAX_PLAUSIBLE_PER_1K = 1.0
RATE_FIELDS = ("input", "output", "cache_write_5m", "cache_write_1h", "cache_read")
FAMILIES = ("global", "regional", "govcloud")
MODES = ("standard", "batch")
TIERS = ("base", "above_200k")

GEO_PREFIXES = frozenset({"us", "eu", "apac", "jp", "au", "ca", "us-gov"})
_ARN_RE = re.compile(r"^arn:aws[a-z-]*:bedrock:(?P<region>[a-z0-9-]*):(?P<account>\d*):(?P<kind>[a-z-]+)/(?P<id>.+)$")
_CONTEXT_SUFFIX_RE = re.compile(r":\d+k$")
_COMMERCIAL_REGION_RE = re.compile(r"^(?!cn-|us-gov-|us-iso)[a-z]{2}-[a-z]+-\d$")


@dataclass(frozen=True)
class ModelRef:
    """What a logged ``modelId`` names: the base model (if knowable) and how it was called."""

    model_id: str
    base_id: str | None
    endpoint: str  # "in-region", "geo", "global", "application-profile", "other-arn"

    def family(self, region: str) -> str | None:
        """The price family for a call from ``region``; ``None`` when the endpoint cannot be priced."""
        if self.base_id is None:
            return None
        if region.startswith("us-gov-") or self.model_id.startswith("us-gov."):
            return "govcloud"
        return "global" if self.endpoint == "global" else "regional"


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


def parse_model_id(model_id: str) -> ModelRef:
    """Read any ``modelId`` form: base id, ``us.``/``global.`` profile id, or a Bedrock ARN."""
    raw = (model_id or "").strip()
    ident = raw
    match = _ARN_RE.match(raw)
    if match:
        kind, ident = match["kind"], match["id"]
        if kind == "application-inference-profile":
            return ModelRef(raw, None, "application-profile")
        if kind not in ("inference-profile", "foundation-model"):
            return ModelRef(raw, None, "other-arn")
    endpoint = "in-region"
    head, _, rest = ident.partition(".")
    if rest and "." in rest and (head in GEO_PREFIXES or head == "global"):
        endpoint = "global" if head == "global" else "geo"
        ident = rest
    base = _CONTEXT_SUFFIX_RE.sub("", ident)
    return ModelRef(raw, base or None, endpoint)


def is_priced_region(region: str) -> bool:
    """Regions whose calls the book can price: commercial and GovCloud regions (not China or ISO)."""
    return bool(_COMMERCIAL_REGION_RE.match(region)) or region.startswith("us-gov-")


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
    with path.open(newline="", encoding="utf-8") as handle:
        return [_parse_row(raw, f"{path.name} line {n}") for n, raw in enumerate(csv.DictReader(handle), start=2)]


def read_override_rows(path: Path) -> list[PriceRow]:
    """Rows of a user price file: JSON or TOML with a ``prices`` list (or a JSON list), or a CSV."""
    if not path.is_file():
        raise UsageError(f"price file {path} does not exist")
    if path.suffix.lower() == ".csv":
        return read_csv_rows(path)
    text = path.read_text(encoding="utf-8")
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


def _format_rate(value: float | None) -> str:
    return "-" if value is None else f"{value * 1000:.4f}"


def render_table(rows: list[PriceRow]) -> str:
    """The book as an aligned text table, in USD per million tokens."""
    header = ["Model", "Family", "Region", "Mode", "Tier", "From", "Until", "Input", "Output",
              "CacheW 5m", "CacheW 1h", "CacheRead"]
    body = [
        [r.name, r.family, r.region, r.mode, r.tier, str(r.effective_from or ""), str(r.effective_to or ""),
         *(_format_rate(getattr(r, name)) for name in RATE_FIELDS)]
        for r in rows
    ]
    widths = [max(len(str(line[i])) for line in [header, *body]) for i in range(len(header))]
    lines = ["  ".join(str(cell).ljust(widths[i]) for i, cell in enumerate(line)).rstrip() for line in [header, *body]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Print the price book (USD per million tokens)."""
    parser = argparse.ArgumentParser(description="Print the Amazon Bedrock price book (USD per million tokens).")
    parser.add_argument("--region", help="only rows that apply to this region (e.g. ap-northeast-2)")
    parser.add_argument("--date", help="only rows in force on this day (YYYY-MM-DD)")
    parser.add_argument("--prices", help=f"user price file (JSON, TOML or CSV) on top of the built-in book; "
                        f"default ${PRICES_ENV}")
    parser.add_argument("--format", choices=("terminal", "csv", "json"), default="terminal")
    args = parser.parse_args(argv)
    try:
        day = date.fromisoformat(args.date) if args.date else None
    except ValueError:
        print(f"error: --date '{args.date}' is not a YYYY-MM-DD date", file=sys.stderr)
        return 1
    if args.region and args.region not in REGION_NAMES:
        print(f"error: unknown region '{args.region}'; known regions: {', '.join(sorted(REGION_NAMES))}",
              file=sys.stderr)
        return 1
    try:
        rows = PriceBook.load(args.prices).table(args.region, day)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    try:
        _print_rows(rows, args.format)
    except BrokenPipeError:
        return reader_went_away()
    return 0


def _print_rows(rows: list[PriceRow], form: str) -> None:
    if form == "terminal":
        print("USD per 1M tokens (price files and the csv/json formats use USD per 1K tokens)")
        print(render_table(rows))
    else:
        records = [{f.name: getattr(r, f.name) for f in fields(PriceRow)} for r in rows]
        records = [{k: (v.isoformat() if isinstance(v, date) else v) for k, v in rec.items()} for rec in records]
        if form == "json":
            print(json.dumps({"unit": "USD per 1K tokens", "prices": records}, indent=2))
        else:
            writer = csv.DictWriter(sys.stdout, fieldnames=list(records[0]) if records else [])
            writer.writeheader()
            writer.writerows(
                {k: decimal_text(v) if isinstance(v, float) else v for k, v in rec.items()} for rec in records
            )


if __name__ == "__main__":
    sys.exit(main())
