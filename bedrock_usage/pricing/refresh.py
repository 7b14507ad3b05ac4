"""Bring the price book to AWS's current list: read the Bedrock offer files, date the changes, say what changed.

The bulk offer files are public: downloading them needs no credentials and no IAM permission (the Price List
Query API's ``GetProducts`` would need ``pricing:GetProducts``; this module does not use it). Saved offer files
(``--offer-file``) serve air-gapped machines and tests.

A price that changed closes its old row (``effective_to`` = the day of the change) and opens a new one, so
reports over past periods keep the prices of their days. A change starts on the ``effectiveDate`` of the offer terms
whose prices changed (the latest, when several changed in one row; the run day for a term without one); a later
``effectiveDate`` schedules the change, as the book's other dated rows do. A change never starts before the row it
replaces started: the offer does not rewrite a dated change the book already holds. ``pricing.py --date`` sets the
day for every change instead. Rows the offer files do not mention stay as they are. A figure that two offers (or two
products of one) price differently in a Region is applied from neither: that Region keeps the figure it quoted (a
row of its own where it fell back to a changing ``*`` row), and the disagreement is listed.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from ..errors import UsageError
from .book import RATE_FIELDS, PriceRow
from .offer_file import OFFER_CODES, Disagreement, OfferedRow, OfferReading, offer_rows, read_offer

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
    ambiguous: dict[str, tuple[str, ...]] = field(default_factory=dict)
    untiered: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    disagreements: list[Disagreement] = field(default_factory=list)
    publications: list[str] = field(default_factory=list)


def read_offer_files(paths: list[Path]) -> OfferReading:
    """Saved offer files (``index.json`` of any Bedrock offer)."""
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
    """The Bedrock offer files from the public Price List (``$BEDROCK_USAGE_PRICE_LIST_URL`` to use a mirror)."""
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


def refresh_rows(book_rows: list[PriceRow], reading: OfferReading, today: date,
                 day: date | None = None) -> RefreshResult:
    """The book with the offer prices applied, read on ``today``: each change takes effect on ``day`` when given,
    else on the offer terms' ``effectiveDate`` of what changed (``today`` without one), never before the row it
    replaces started."""
    offered = offer_rows(reading, book_rows, today)
    rows = list(book_rows)
    result = RefreshResult(rows, unmatched=offered.unmatched, ambiguous=offered.ambiguous, untiered=offered.untiered,
                           skipped=dict(reading.skipped), disagreements=offered.disagreements,
                           publications=reading.publications)
    for offer in offered.rows:
        new, effective = offer.row, offer.effective
        wanted = day or _in_force_from(effective, effective, today)
        # A change dated in the past replaces the row in force today (the rows that one replaced stay as they are);
        # a later one replaces the row in force on its day.
        on = max(wanted, today)
        current = _row_on(rows, new.key[:-1], on)
        if current is None:
            added = _added(offer, rows, book_rows, wanted, on)
            if added is None:
                result.unchanged += 1
                continue
            rows.append(added)
            result.changes.append(Change("added", None, added))
            continue
        # The offer's figures overlay the row: a rate the offer does not list (e.g. a 1-hour cache write) stays.
        offered_values = {name: getattr(new, name) for name in VALUE_FIELDS if getattr(new, name) is not None}
        differing = [name for name, value in offered_values.items() if not _same(getattr(current, name), value)]
        if not differing:
            result.unchanged += 1
            continue
        start = _start(day or _in_force_from(effective, differing, today), current)
        changed = replace(current, **offered_values, source=new.source, checked=new.checked, effective_from=start)
        if current.effective_from == start:  # a second refresh with the same day corrects the row it opened
            rows[rows.index(current)] = changed
        else:
            rows[rows.index(current)] = replace(current, effective_to=start)
            rows.append(changed)
        result.changes.append(Change("changed", current, changed))
    result.rows = rows
    return result


def _added(offer: OfferedRow, rows: list[PriceRow], book_rows: list[PriceRow], wanted: date,
           on: date) -> PriceRow | None:
    """The row to add for an offer row the book has none of in force on ``on``: it starts on ``wanted`` (a new mode,
    tier or Region of a model alike: the offer names only the book's models), never before the ``*`` row it
    replaces. A region's disputed figures (and those the offer does not give) stay as it quoted them before; ``None``
    when the ``*`` row quotes all of them anyway."""
    new = offer.row
    star_key = (*new.key[:2], "*", *new.key[3:-1])
    start = _start(wanted, _row_on(rows, star_key, on))
    quoted = _row_on(book_rows, star_key, start) if offer.kept else None
    if quoted is None:
        return replace(new, effective_from=start)
    offered = {name: getattr(new, name) for name in VALUE_FIELDS if getattr(new, name) is not None}
    kept = replace(quoted, **offered, region=new.region, effective_from=start, effective_to=None, source=new.source,
                   checked=new.checked)
    star = _row_on(rows, star_key, start)
    if star is not None and all(_same(getattr(kept, name), getattr(star, name)) for name in VALUE_FIELDS):
        return None
    return kept


def _in_force_from(effective: dict[str, date | None], names: Iterable[str], today: date) -> date:
    """The day the offer's figures ``names`` are all in force: their latest ``effectiveDate``, a figure without one
    counting from ``today``."""
    return max((effective[name] or today for name in names), default=today)


def _row_on(rows: list[PriceRow], key: tuple[object, ...], day: date) -> PriceRow | None:
    """The row with this key (but its start) in force on ``day``."""
    return next((r for r in rows if r.key[:-1] == key and r.applies_on(day)), None)


def _start(wanted: date, replaced: PriceRow | None) -> date:
    """The day a change starts: the day wanted, or the start of the row it replaces when that is later."""
    if replaced is None or replaced.effective_from is None:
        return wanted
    return max(wanted, replaced.effective_from)


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= 1e-12 * max(1.0, abs(a))
