"""Bring the price book to AWS's current list: read the Bedrock offer files, date the changes, say what changed.

The bulk offer files are public: downloading them needs no credentials and no IAM permission (the Price List
Query API's ``GetProducts`` would need ``pricing:GetProducts``; this module does not use it). Saved offer files
(``--offer-file``) serve air-gapped machines and tests.

A price that changed closes its old row (``effective_to`` = the day of the change) and opens a new one, so
reports over past periods keep the prices of their days. Rows the offer files do not mention stay as they are.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from ..errors import UsageError
from .book import RATE_FIELDS, PriceRow
from .offer_file import OFFER_CODES, OfferReading, offer_rows, read_offer

PRICE_LIST_URL_ENV = "BEDROCK_USAGE_PRICE_LIST_URL"
PRICE_LIST_URL = "https://pricing.us-east-1.amazonaws.com"
OFFER_PATH = "/offers/v1.0/aws/{code}/current/index.json"
DOWNLOAD_TIMEOUT_SECONDS = 120
VALUE_FIELDS = (*RATE_FIELDS, "per_unit")


@dataclass
class Change:
    """One row of the book that the refresh added or changed."""

    kind: str  # "added" or "changed"
    old: PriceRow | None
    new: PriceRow


@dataclass
class RefreshResult:
    """The refreshed rows and what changed."""

    rows: list[PriceRow]
    changes: list[Change] = field(default_factory=list)
    unchanged: int = 0
    unmatched: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    publications: list[str] = field(default_factory=list)


def read_offer_files(paths: list[Path]) -> OfferReading:
    """Saved offer files (``index.json`` of either Bedrock offer)."""
    reading = OfferReading()
    for path in paths:
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise UsageError(f"cannot read offer file {path}: {exc.strerror or exc}") from None
        except ValueError as exc:
            raise UsageError(f"offer file {path} is not JSON: {exc}") from None
        try:
            read_offer(document, reading)
        except UsageError as exc:
            raise UsageError(f"offer file {path}: {exc}") from None
    return reading


def download_offers() -> OfferReading:
    """Both Bedrock offer files from the public Price List (``$BEDROCK_USAGE_PRICE_LIST_URL`` to use a mirror)."""
    base = os.environ.get(PRICE_LIST_URL_ENV, PRICE_LIST_URL).rstrip("/")
    reading = OfferReading()
    for code in OFFER_CODES:
        url = base + OFFER_PATH.format(code=code)
        try:
            with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_SECONDS) as response:  # noqa: S310
                document = json.loads(response.read())
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise UsageError(
                f"cannot download the {code} offer file from {url}: {reason}; on a machine without internet access, "
                f"save the offer files elsewhere and pass them with --offer-file"
            ) from None
        except ValueError as exc:
            raise UsageError(f"the {code} offer file from {url} is not JSON: {exc}") from None
        read_offer(document, reading)
    return reading


def refresh_rows(book_rows: list[PriceRow], reading: OfferReading, today: date) -> RefreshResult:
    """The book with the offer prices applied as of ``today``."""
    offered = offer_rows(reading, book_rows, today)
    rows = list(book_rows)
    result = RefreshResult(rows, unmatched=offered.unmatched, skipped=dict(reading.skipped),
                           publications=reading.publications)
    for new in offered.rows:
        current = [r for r in rows if r.key[:-1] == new.key[:-1] and r.applies_on(today)]  # the key but its start
        if not current:
            # A region-specific row replaces the ``*`` price from today; a model new to the book has no past price.
            group = (new.model, new.family, new.mode, new.tier, new.unit)
            known = any((r.model, r.family, r.mode, r.tier, r.unit) == group for r in rows)
            start = today if known else None
            added = replace(new, effective_from=start)
            rows.append(added)
            result.changes.append(Change("added", None, added))
            continue
        old = current[0]
        # The offer's figures overlay the row: a rate the offer does not list (e.g. a 1-hour cache write) stays.
        offered_values = {name: getattr(new, name) for name in VALUE_FIELDS if getattr(new, name) is not None}
        if all(_same(getattr(old, name), value) for name, value in offered_values.items()):
            result.unchanged += 1
            continue
        new = replace(old, **offered_values, source=new.source, checked=new.checked)
        if old.effective_from == today:  # a second refresh on the same day corrects the row it opened
            changed = replace(new, effective_from=today, effective_to=old.effective_to)
            rows[rows.index(old)] = changed
        else:
            rows[rows.index(old)] = replace(old, effective_to=today)
            changed = replace(new, effective_from=today, effective_to=old.effective_to)
            rows.append(changed)
        result.changes.append(Change("changed", old, changed))
    result.rows = rows
    return result


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= 1e-12 * max(1.0, abs(a))
