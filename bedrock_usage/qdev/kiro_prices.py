"""Kiro subscription tiers as dated data: monthly price, monthly credit allowance and the price of an overage credit.

The built-in table is ``bedrock_usage/qdev/kiro_prices.csv``: one row per tier (``PRO``, ``PRO_PLUS``, ``POWER``, as
``Subscription_Tier`` names them) and period of validity, with the day it was read and its sources. ``verified``
says whether kiro.dev itself gives the monthly price and the allowance. A file of the same columns (CSV, or JSON:
a list of objects) in ``--kiro-prices`` or ``$BEDROCK_USAGE_KIRO_PRICES`` adds rows or replaces those of the same
tier and ``effective_from``. A tier without a row (``PRO_MAX`` has no published figures) is shown unpriced.
"""

from __future__ import annotations

import csv
import json
import math
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..errors import UsageError
from ..logs.period import parse_day
from ..output.notices import Notice

BUILTIN_TABLE = Path(__file__).resolve().parent / "kiro_prices.csv"
PRICES_ENV = "BEDROCK_USAGE_KIRO_PRICES"
FIELDS = ("tier", "name", "monthly_usd", "credits", "overage_usd_per_credit", "effective_from", "effective_to",
          "as_of", "verified", "source")


@dataclass(frozen=True)
class KiroTier:
    """One tier's figures over ``[effective_from, effective_to)`` (open ends: always)."""

    tier: str
    name: str
    monthly_usd: float
    credits: float
    overage_usd_per_credit: float
    effective_from: date | None
    effective_to: date | None
    as_of: date
    verified: bool
    source: str

    def applies(self, day: date) -> bool:
        """True when ``day`` falls in the row's period."""
        return (self.effective_from is None or self.effective_from <= day) and (
            self.effective_to is None or day < self.effective_to
        )


def _day(value: object, field: str, where: str) -> date | None:
    text = "" if value is None else str(value).strip()
    return parse_day(text, Notice(f"{where}: {field}", "price_field_at", where=where, field=field)) if text else None


def _mistake(where: str, what: str, kind: str, **values: object) -> UsageError:
    """The error for a Kiro price row's mistake: ``where: what``, a Notice a page words in its language."""
    return UsageError(Notice(f"{where}: {what}", kind, where=where, **values))


def _amount(value: object, field: str, where: str) -> float:
    try:
        amount = float(str(value).strip())
    except ValueError:
        raise _mistake(where, f"{field} '{value}' is not a number", "price_not_number", name=field,
                       value=str(value)) from None
    if not math.isfinite(amount) or amount < 0:
        raise _mistake(where, f"{field} must be a number of at least 0 (got {value})", "kiro_below_zero", field=field,
                       value=str(value))
    return amount


def parse_tier(row: dict[str, object], where: str) -> KiroTier:
    """One row of a price table (``where``: the file and row, a Notice a page words in its language); UsageError
    naming the field when a value is not usable."""
    missing = [name for name in ("tier", "monthly_usd", "credits", "overage_usd_per_credit")
               if str(row.get(name) or "").strip() == ""]
    if missing:
        raise _mistake(where, f"{', '.join(missing)} missing (columns: {', '.join(FIELDS)})", "kiro_missing",
                       fields=missing, columns=list(FIELDS))
    tier = str(row["tier"]).strip().upper()
    verified = str(row.get("verified") or "false").strip().lower()
    if verified not in ("true", "false"):
        raise _mistake(where, f"verified must be true or false (got {row.get('verified')})", "kiro_verified",
                       value=str(row.get("verified")))
    return KiroTier(
        tier=tier,
        name=str(row.get("name") or tier).strip(),
        monthly_usd=_amount(row["monthly_usd"], "monthly_usd", where),
        credits=_amount(row["credits"], "credits", where),
        overage_usd_per_credit=_amount(row["overage_usd_per_credit"], "overage_usd_per_credit", where),
        effective_from=_day(row.get("effective_from"), "effective_from", where),
        effective_to=_day(row.get("effective_to"), "effective_to", where),
        as_of=_day(row.get("as_of"), "as_of", where) or date.today(),
        verified=verified == "true",
        source=str(row.get("source") or "user price file").strip(),
    )


def _read_rows(path: Path) -> list[dict[str, object]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise UsageError(Notice(f"cannot read Kiro price file {path}: {reason}", "kiro_file_unreadable",
                                path=str(path), reason=reason)) from None
    except UnicodeDecodeError:
        raise UsageError(Notice(f"Kiro price file {path} is not UTF-8 text", "kiro_file_not_utf8",
                                path=str(path))) from None
    if path.suffix.lower() == ".json":
        try:
            rows = json.loads(text)
        except ValueError as exc:
            raise UsageError(Notice(f"Kiro price file {path} is not valid JSON ({exc})", "kiro_file_not_json",
                                    path=str(path), reason=str(exc))) from None
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            raise UsageError(Notice(f"Kiro price file {path} must hold a JSON list of objects", "kiro_file_not_list",
                                    path=str(path)))
        return rows
    return list(csv.DictReader(text.splitlines()))


@dataclass(frozen=True)
class KiroPriceTable:
    """Every tier row, built-in first and the user's rows on top."""

    rows: tuple[KiroTier, ...]
    override: str | None = None

    @classmethod
    def load(cls, override: str | Path | None = None) -> KiroPriceTable:
        """The built-in table plus ``override`` (or ``$BEDROCK_USAGE_KIRO_PRICES``) when given."""
        rows = {(r.tier, r.effective_from): r for r in cls._parse(BUILTIN_TABLE)}
        chosen = override or os.environ.get(PRICES_ENV) or None
        if chosen:
            rows |= {(r.tier, r.effective_from): r for r in cls._parse(Path(chosen).expanduser())}
        return cls(tuple(rows.values()), str(chosen) if chosen else None)

    @staticmethod
    def _parse(path: Path) -> list[KiroTier]:
        return [parse_tier(row, Notice(f"{path.name} row {i}", "price_row_at", file=path.name, number=i))
                for i, row in enumerate(_read_rows(path), start=1)]

    def tier(self, code: str, day: date) -> KiroTier | None:
        """The row of tier ``code`` (e.g. ``PRO_PLUS``) in force on ``day``; None when none is known."""
        code = code.strip().upper()
        matches = [row for row in self.rows if row.tier == code and row.applies(day)]
        return max(matches, key=lambda row: row.effective_from or date.min) if matches else None
