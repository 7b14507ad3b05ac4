"""Amazon Bedrock price book: list prices as data, one lookup for every form of ``modelId``.

Token prices are USD per 1,000 tokens; other units (``image``, ``second`` of video, rerank ``query``) are USD per
unit in ``per_unit``; a model with token rows and a ``base`` image row (Titan Multimodal Embeddings) is billed its
tokens and each image given to it. Rows are keyed by model, endpoint family (``global``; ``regional`` = geo
cross-region ids such as ``us.`` and unprefixed in-region ids; ``govcloud``), region (``*`` = every region of the
family; a row for one region, such as Nova's EU rates, wins over ``*``), mode (``standard``, ``batch``, ``flex``,
``priority``; ``latency`` for a call served with optimized latency), tier (``base``; ``above_200k`` and other
``above_{N}k`` context tiers; ``image_{side}_{quality}`` and ``video_{lines}`` variants), unit and effective dates.
The built-in book is ``bedrock_usage/pricing/bedrock_prices.csv`` (built by ``tools/build_price_book.py``, refreshed
from the AWS Price List by ``pricing.py --refresh``); a user file (``--prices`` or ``$BEDROCK_USAGE_PRICES``, JSON,
TOML or CSV) adds or replaces rows.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import os
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from functools import cached_property
from pathlib import Path

from ..errors import UsageError
from ..logs.period import parse_day
from ..logs.regions import REGION_NAMES, partition_clauses
from ..output.notices import Notice
from .model_ids import ModelRef, is_priced_region, model_key, one_model_key, parse_model_id

BUILTIN_BOOK = Path(__file__).resolve().parent / "bedrock_prices.csv"
PRICES_ENV = "BEDROCK_USAGE_PRICES"
LONG_CONTEXT_THRESHOLD = 200_000
MAX_CONTEXT_TIER_K = 10_000  # the largest N of an ``above_{N}k`` tier (10M tokens; the SQL lists 1..N)
# The dearest rate in the book is $0.1375 per 1K output tokens; a rate above $1 per 1K is a per-million figure.
MAX_PLAUSIBLE_PER_1K = 1.0
MAX_PLAUSIBLE_PER_UNIT = 10.0  # USD per image, second of video or query
PER_1K = "1K tokens"  # what a token rate prices
TOKEN_FIELDS = ("input", "output", "cache_write_5m", "cache_write_1h", "cache_read")
AUDIO_FIELDS = ("audio_input", "audio_output")
RATE_FIELDS = (*TOKEN_FIELDS, *AUDIO_FIELDS)
# How reports name each rate (a reason a call is unpriced, a rate a warning names).
RATE_NAMES = {"input": "input", "output": "output", "cache_write_5m": "cache write", "cache_write_1h":
              "1-hour cache write", "cache_read": "cache read", "audio_input": "audio input",
              "audio_output": "audio output"}
FAMILIES = ("global", "regional", "govcloud")
MODES = ("standard", "batch", "flex", "priority", "latency")
UNITS = ("tokens", "image", "second", "query")
_TIER_RE = re.compile(r"^(base|above_\d+k|image_(\d+|any)_(standard|premium)|video_\d+)$")
_CONTEXT_TIER_RE = re.compile(r"^above_(\d+)k$")
_TIER_UNITS = {"image": "image", "video": "second"}  # the unit of a row that names an image or video tier only


@dataclass(frozen=True)
class PriceRow:
    """One row of the price book; ``own`` marks a row of the user's price file."""

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
    provider: str = ""
    unit: str = "tokens"
    audio_input: float | None = None
    audio_output: float | None = None
    per_unit: float | None = None
    checked: date | None = None
    own: bool = False

    @property
    def key(self) -> tuple[str, str, str, str, str, str, date | None]:
        """Identity of a row: an override with the same key replaces it."""
        return (self.model, self.family, self.region, self.mode, self.tier, self.unit, self.effective_from)

    def rank(self, region: str) -> tuple[bool, bool, int]:
        """How rows in force on one day for a call from ``region`` rank (smallest first): the user's rows before the
        built-in ones, a row for ``region`` before one for every Region (``*``), then the row that started last (a
        dated change supersedes an open-ended row)."""
        return (not self.own, self.region != region, -(self.effective_from or date.min).toordinal())

    @cached_property
    def context_threshold(self) -> int:
        """Input tokens above which this tier applies (0 for every tier but ``above_{N}k``); read once per row, as
        pricing asks it of every row of a model for every pricing key."""
        match = _CONTEXT_TIER_RE.match(self.tier)
        return int(match[1]) * 1000 if match else 0

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


@dataclass(frozen=True)
class PriceFile:
    """A user's price file as reports name it: its path as given and a short digest of its content, so two runs with
    files of one name but other prices can be told apart."""

    path: str
    sha256: str  # the first 12 hex digits of the SHA-256 of the file's bytes

    @classmethod
    def read(cls, path: str) -> PriceFile:
        """The price file at ``path`` (read after its rows were: a file that cannot be read stops there)."""
        try:
            content = Path(path).read_bytes()
        except OSError as exc:
            raise _unreadable(path, exc) from None
        return cls(path, hashlib.sha256(content).hexdigest()[:12])

    @property
    def label(self) -> str:
        """``prices.json (sha256 0123456789ab)``."""
        return f"{self.path} (sha256 {self.sha256})"


def price_file_value(price_file: PriceFile | None) -> dict[str, str] | None:
    """The price file as every JSON document names it, ``{"path": "prices.json", "sha256": "0123456789ab"}``; None
    when no price file's rows priced a call."""
    return {"path": price_file.path, "sha256": price_file.sha256} if price_file else None


def priced_at(price_file: PriceFile | None, book: str = "list prices", goes_on: bool = False) -> str:
    """What costs are priced at, in every output's words: ``book``, or, where ``price_file``'s rows priced calls,
    ``the prices of the price file prices.json (sha256 0123456789ab) where its rows apply, else list prices`` (with
    a comma closing it when the sentence ``goes_on``)."""
    if price_file is None:
        return book
    return f"the prices of the price file {price_file.label} where its rows apply, else {book}{',' if goes_on else ''}"


def price_file_stamp() -> str:
    """What tells one content of the user's price file (``$BEDROCK_USAGE_PRICES``) from another for a kept result:
    its path, size and modification time; ``""`` without one, the path alone when it cannot be read (loading says
    why)."""
    path = os.environ.get(PRICES_ENV)
    if not path:
        return ""
    try:
        info = Path(path).stat()
    except OSError:
        return path
    return f"{path}:{info.st_size}:{info.st_mtime_ns}"


class PriceBook:
    """All price rows, with a lookup by model id, source region and day."""

    def __init__(self, rows: Iterable[PriceRow], price_file: PriceFile | None = None):
        """``price_file``: the user's file that gave the rows marked ``own``."""
        self.rows: list[PriceRow] = list(rows)
        self.price_file = price_file
        self._by_model: dict[str, list[PriceRow]] = {}
        for row in self.rows:
            self._by_model.setdefault(row.model, []).append(row)
        by_key: dict[str, set[str]] = {}
        for model in self._by_model:
            by_key.setdefault(model_key(model), set()).add(model)
        # A logged id reaches a row through its exact base id, or through the one book model with the same key
        # (``anthropic.claude-opus-4-6-v1:0`` and ``anthropic.claude-opus-4-6-v1`` are one model).
        self._by_key = {key: models.pop() for key, models in by_key.items() if len(models) == 1}
        self._rows_of_call: dict[tuple[str, str, str], tuple[ModelRef, list[PriceRow]]] = {}
        self.has_own_rows = any(row.own for row in self.rows)  # a user's price file gave rows

    @cached_property
    def digest(self) -> str:
        """A digest of every row: equal digests, equal prices."""
        return hashlib.sha256(repr(self.rows).encode()).hexdigest()

    @classmethod
    def load(cls, override: str | Path | None = None) -> PriceBook:
        """The built-in book, plus the rows of ``override`` (or of ``$BEDROCK_USAGE_PRICES``) on top."""
        builtin = builtin_rows()
        rows = {row.key: row for row in builtin}
        path = override or os.environ.get(PRICES_ENV)
        if not path:
            return cls(rows.values())
        names, forms = _book_names(builtin), _book_forms(builtin)
        for row in read_override_rows(Path(path)):
            named = _named(row, names)
            for model in forms.get(model_key(row.model), (row.model,)):
                own = replace(named, model=model)
                rows[own.key] = own
        return cls(rows.values(), PriceFile.read(str(path)))

    @cached_property
    def context_thresholds(self) -> tuple[int, ...]:
        """Every context threshold (tokens) of the book's ``above_{N}k`` tiers, ascending."""
        return tuple(sorted({row.context_threshold for row in self.rows} - {0}))

    def book_model(self, base_id: str | None) -> str | None:
        """The book's model id for a logged base id, or ``None`` when the book does not know the model."""
        if not base_id:
            return None
        if base_id in self._by_model:
            return base_id
        return self._by_key.get(model_key(base_id))

    def quote(
        self, model_id: str, region: str, day: date, *, long_context: bool = False, batch: bool = False,
        context_tokens: int | None = None, tier: str | None = None, mode: str | None = None, unit: str | None = None,
    ) -> Quote | None:
        """The price of one call, or ``None`` when the book has no price for it (never another model's).

        ``context_tokens`` (input with cache) picks the highest ``above_{N}k`` tier it exceeds, else ``base``;
        ``long_context`` means more than 200K. A call past a threshold the model has in some row but not for its
        endpoint, mode and day has no price here (``None``), never the base rate. ``tier`` asks for a named tier
        (an image or video variant), ``unit`` for rows in that unit (a model billed in two, such as Titan
        Multimodal Embeddings' tokens and input images).
        """
        ref, rows = self._rows_for(model_id, region, mode or ("batch" if batch else "standard"))
        candidates = [row for row in rows if row.applies_on(day) and unit in (None, row.unit)
                      and self._prices_region(row, region, day)]
        if tier is not None:
            wanted = [tier]
        else:
            tokens = context_tokens if context_tokens is not None else LONG_CONTEXT_THRESHOLD + 1 if long_context else 0
            if self.context_threshold_passed(ref.base_id, tokens) > max(
                    (r.context_threshold for r in candidates if r.context_threshold < tokens), default=0):
                return None
            tiers = sorted({r.tier for r in candidates if 0 < r.context_threshold < tokens},
                           key=lambda t: -int(t[6:-1]))
            wanted = [*tiers, "base"]
        for name in wanted:
            rows_of_tier = [row for row in candidates if row.tier == name]
            if rows_of_tier:
                return Quote(ref, min(rows_of_tier, key=lambda row: row.rank(region)))
        return None

    def context_threshold_passed(self, base_id: str, tokens: int) -> int:
        """The largest context threshold (tokens) of any of the model's rows that ``tokens`` exceed; 0 for none."""
        model = self.book_model(base_id)
        return max((row.context_threshold for row in self._by_model.get(model or "", ())
                    if row.context_threshold < tokens), default=0)

    def own_regions(self, base_id: str | None) -> dict[str, set[str]]:
        """The Regions (``*``: every Region) the user's price file prices a model in, per endpoint family (empty
        when it has no row of it)."""
        regions: dict[str, set[str]] = {}
        for row in self._by_model.get(self.book_model(base_id) or "", ()):
            if row.own:
                regions.setdefault(row.family, set()).add(row.region)
        return regions

    def own_tiers(self, model_id: str, region: str, day: date, mode: str, unit: str) -> set[str]:
        """The tiers of the user's rows that may price a call of ``model_id`` from ``region`` on ``day`` in ``mode``
        and ``unit`` (empty when the price file does not reach the call's family, Region, mode or day)."""
        _, rows = self._rows_for(model_id, region, mode)
        return {row.tier for row in rows if row.own and row.unit == unit and row.applies_on(day)}

    def own_modes(self, model_id: str, region: str) -> set[str]:
        """The modes of the user's rows that may price some call of ``model_id`` from ``region`` (rows of its
        endpoint family for that Region or every Region, on any day); empty when the price file reaches none there."""
        return {mode for mode in MODES if any(row.own for row in self._rows_for(model_id, region, mode)[1])}

    def own_only_models(self) -> list[str]:
        """The models only the user's price file names (no id of the built-in book, nor a form of one)."""
        return sorted(model for model, rows in self._by_model.items() if all(row.own for row in rows))

    def units(self, model_id: str) -> set[str]:
        """The units a model is billed in (``tokens``, ``image``, ``second``, ``query``); empty when unknown."""
        model = self.book_model(parse_model_id(model_id).base_id)
        return {row.unit for row in self._by_model.get(model or "", ())}

    def tiers(self, model_id: str, unit: str) -> list[str]:
        """The tiers of a model's rows in ``unit`` (e.g. its image sizes and qualities)."""
        model = self.book_model(parse_model_id(model_id).base_id)
        return sorted({row.tier for row in self._by_model.get(model or "", ()) if row.unit == unit})

    def _rows_for(self, model_id: str, region: str, mode: str) -> tuple[ModelRef, list[PriceRow]]:
        """The parsed id and the rows that may price its calls from ``region`` on some day (remembered)."""
        key = (model_id, region, mode)
        if key not in self._rows_of_call:
            ref = parse_model_id(model_id)
            family = ref.family(region)
            model = self.book_model(ref.base_id)
            rows = []
            if family is not None and model is not None and is_priced_region(region):
                rows = [
                    row
                    for row in self._by_model.get(model, ())
                    if row.family == family and row.mode == mode and row.region in (region, "*")
                ]
            self._rows_of_call[key] = (ref, rows)
        return self._rows_of_call[key]

    def _prices_region(self, row: PriceRow, region: str, day: date | None = None) -> bool:
        """True when ``row`` may price a call from ``region`` on ``day`` (on some day when None): a row of that
        Region, or a row for every Region (``*``) in standard mode, of the user's price file, or in another mode where
        the built-in book prices the Region's standard calls like ``*``. A Region priced apart (Nova in Europe) has
        its own batch, flex and priority rates; the built-in ``*`` rate of those modes is another Region's, so such a
        call is unpriced until the book holds the Region's row. A user's row for the Region (a negotiated price) says
        nothing of that."""
        if row.region == region:
            return True
        if row.region != "*":
            return False
        return row.mode == "standard" or row.own or self._priced_like_every_region(row, region, day)

    def _priced_like_every_region(self, row: PriceRow, region: str, day: date | None) -> bool:
        """True when each built-in standard row of ``region`` (of ``row``'s model and family, in force on ``day``)
        has the figures of the built-in ``*`` standard row of its tier and unit in force then: a Region the book
        lists with the ``*`` prices, or not at all."""
        standard = [other for other in self._by_model.get(row.model, ())
                    if other.family == row.family and other.mode == "standard" and not other.own
                    and (day is None or other.applies_on(day))]
        everywhere = {_figures(other) for other in standard if other.region == "*"}
        return all(_figures(other) in everywhere for other in standard if other.region == region)

    def display_name(self, model_id: str) -> str:
        """A readable model name (``Claude Sonnet 4.5``), or the id itself when unknown."""
        ref = parse_model_id(model_id)
        rows = self._by_model.get(self.book_model(ref.base_id) or "", ())
        return rows[0].name if rows else (ref.base_id or model_id or "(no model id)")

    def table(
        self, region: str | None = None, day: date | None = None, *, provider: str | None = None,
        model: str | None = None, family: str | None = None, mode: str | None = None,
    ) -> list[PriceRow]:
        """Rows in force on ``day`` (all if ``None``) for ``region``, a provider, a model (any part of its id or
        name, any case), a family and a mode (all if ``None``), sorted for printing; on a ``day``, a row another one
        supersedes for its Region, or for ``region`` when given (``PriceRow.rank``), is left out."""
        wanted_model = model.lower() if model else None
        rows = [
            row
            for row in self.rows
            if (day is None or row.applies_on(day))
            and (region is None or self._prices_region(row, region, day))
            and (region is None or (row.family == "govcloud") == region.startswith("us-gov-"))
            and (provider is None or provider.lower() in (row.provider or row.model.split(".")[0]).lower())
            and (wanted_model is None or wanted_model in row.model.lower() or wanted_model in row.name.lower())
            and (family is None or row.family == family)
            and (mode is None or row.mode == mode)
        ]
        if day is not None:
            rows = _not_superseded(rows, region)
        return sorted(rows, key=lambda r: (r.provider, r.name, r.model, FAMILIES.index(r.family), r.region,
                                           MODES.index(r.mode), r.tier, r.effective_from or date.min))


def _figures(row: PriceRow) -> tuple[object, ...]:
    """A row's tier, unit and prices: equal for two rows that price a call alike."""
    return (row.tier, row.unit, *(getattr(row, name) for name in (*RATE_FIELDS, "per_unit")))


def _book_names(rows: Iterable[PriceRow]) -> dict[str, tuple[str, str]]:
    """The provider and name of each book model, by its id and by ``model_key`` (the first model of a key)."""
    names: dict[str, tuple[str, str]] = {}
    for row in rows:
        names.setdefault(row.model, (row.provider, row.name))
        names.setdefault(model_key(row.model), (row.provider, row.name))
    return names


def _book_forms(rows: Iterable[PriceRow]) -> dict[str, tuple[str, ...]]:
    """Every book id of a model, by the ``model_key`` of each form a user's row may name it with: any of its ids with
    or without ``-v1``/``:0``, and the alias of a model the book lists under a dated id (``one_model_key``: one name
    for ``anthropic.claude-haiku-4-5`` and ``...-haiku-4-5-20251001-v1:0``, and for the Bedrock Runtime and
    bedrock-mantle ids of ``TWINS``). Ids sharing that key but named apart in the book are models apart."""
    named: dict[str, str] = {}
    for row in rows:
        named.setdefault(row.model, row.name)
    by_alias: dict[str, list[str]] = {}
    for model in sorted(named):
        by_alias.setdefault(one_model_key(model), []).append(model)
    forms: dict[str, tuple[str, ...]] = {}
    for alias, models in by_alias.items():
        if len({named[model] for model in models}) == 1:
            forms[alias] = tuple(models)
            forms.update(dict.fromkeys(map(model_key, models), tuple(models)))
        else:
            forms.update({model_key(model): (model,) for model in models})
    return forms


def _named(row: PriceRow, names: dict[str, tuple[str, str]]) -> PriceRow:
    """A user's row, marked as such; where it names its model's provider or name only as its id does (the
    defaults: ``anthropic``, the id), it takes the book's (``Anthropic``, ``Claude 3 Haiku``), so one provider and
    model read one way."""
    provider, name = names.get(row.model) or names.get(model_key(row.model)) or (row.provider, row.name)
    return replace(row, provider=provider if row.provider == row.model.split(".")[0] else row.provider,
                   name=name if row.name == row.model else row.name, own=True)


def _not_superseded(rows: list[PriceRow], region: str | None = None) -> list[PriceRow]:
    """The rows (all in force on one day) that price some call from ``region`` (from any Region when None): a row
    is superseded by another of the same model, family, mode, tier and unit that ranks first for that Region (the
    row's own Region when none is given)."""
    groups: dict[tuple[str, str, str, str, str], list[PriceRow]] = {}
    for row in rows:
        groups.setdefault((row.model, row.family, row.mode, row.tier, row.unit), []).append(row)

    def superseded(row: PriceRow) -> bool:
        judged = region or row.region
        return any(other is not row and other.region in (judged, "*") and other.rank(judged) < row.rank(judged)
                   for other in groups[(row.model, row.family, row.mode, row.tier, row.unit)])

    return [row for row in rows if not superseded(row)]


def _mistake(origin: Notice, what: str, kind: str, **values: object) -> UsageError:
    """The error for a price row's mistake: ``origin: what``, a Notice a page words in its language."""
    return UsageError(Notice(f"{origin}: {what}", kind, where=origin, **values))


def _unreadable(path: object, exc: OSError) -> UsageError:
    """The error for a price file the system will not read: its words (``exc``) kept."""
    reason = exc.strerror or str(exc)
    return UsageError(Notice(f"cannot read price file {path}: {reason}", "price_file_unreadable", path=str(path),
                             reason=reason))


def _parse_row(raw: dict[str, object], origin: Notice) -> PriceRow:
    """Validate one price row from the CSV book or a user file (``origin``: where it is, a Notice)."""

    def text(name: str, default: str = "") -> str:
        value = raw.get(name)
        return default if value is None or value == "" else str(value).strip()

    def day(name: str) -> date | None:
        value = text(name)
        return parse_day(value, Notice(f"{origin}: {name}", "price_field_at", where=origin, field=name)) if value \
            else None

    def rate(name: str, ceiling: float, unit: str) -> float | None:
        value = text(name)
        if not value:
            return None
        try:
            number = float(value)
        except ValueError:
            raise _mistake(origin, f"{name} '{value}' is not a number", "price_not_number", name=name,
                           value=value) from None
        if math.isnan(number):
            raise _mistake(origin, f"{name} '{value}' is not a number", "price_not_number", name=name, value=value)
        if number < 0:
            raise _mistake(origin, f"{name} must not be negative", "price_negative", name=name)
        if number > ceiling:
            raise _mistake(origin, f"{name} {number} USD per {unit} is implausible; token prices here are per 1,000 "
                           "tokens (divide a per-million price by 1,000)", "price_implausible", name=name,
                           amount=str(number), unit=Notice(unit, "price_per_1k") if unit == PER_1K else unit)
        return number

    unknown = sorted(set(raw) - _ROW_KEYS)
    if unknown:
        keys = [repr(key) for key in unknown]
        raise _mistake(origin, f"unknown key {', '.join(keys)}; a row has {', '.join(CSV_FIELDS)}",
                       "price_unknown_keys", keys=keys, fields=list(CSV_FIELDS))
    model = text("model")
    if not model:
        raise _mistake(origin, "every price row needs a 'model' (a base model id)", "price_no_model")
    profile = parse_model_id(model)
    if profile.endpoint in ("geo", "global"):  # its calls are logged and priced under the base id: never reached
        raise _mistake(origin, f"model must be the base model id ({profile.base_id}), the endpoint family goes in "
                       "\"family\"", "price_base_model", base=profile.base_id)
    family, mode, tier = text("family", "regional"), text("mode", "standard"), text("tier", "base")
    region = text("region", "*")
    other = partition_clauses([region]) if region != "*" and region not in REGION_NAMES else []
    if other:  # no call of China's cn-north-1 is read, so none would reach the row
        raise _mistake(origin, f"the row of {model} names {region}: {other[0]}, so no call takes its price",
                       "price_other_partition", model=model, region=region, why=other[0])
    unit = text("unit", _TIER_UNITS.get(tier.split("_")[0], "tokens"))
    for label, value, allowed in (("family", family, FAMILIES), ("mode", mode, MODES), ("unit", unit, UNITS)):
        if value not in allowed:
            raise _mistake(origin, f"{label} '{value}' for {model} must be one of {', '.join(allowed)}",
                           "price_bad_choice", field=label, value=value, model=model, allowed=list(allowed))
    if not _TIER_RE.match(tier):
        raise _mistake(origin, f"tier '{tier}' for {model} must be base, above_{{N}}k, "
                       "image_{side}_{standard|premium} or video_{lines}", "price_bad_tier", tier=tier, model=model)
    context_k = _CONTEXT_TIER_RE.match(tier)
    if context_k and not 1 <= int(context_k[1]) <= MAX_CONTEXT_TIER_K:
        raise _mistake(origin, f"tier '{tier}' for {model}: a context tier is above_1k to "
                       f"above_{MAX_CONTEXT_TIER_K}k", "price_context_tier", tier=tier, model=model,
                       top=f"above_{MAX_CONTEXT_TIER_K}k")
    start, end = day("effective_from"), day("effective_to")
    if start and end and end <= start:
        raise _mistake(origin, f"effective_to {end} of {model} is not after effective_from {start}",
                       "price_dates_order", end=str(end), model=model, start=str(start))
    if unit == "tokens" and text("per_unit") and not any(text(name) for name in RATE_FIELDS):
        raise _mistake(origin, f"the row of {model} has a per_unit price but no unit; give unit image, second or "
                       "query (a tokens row prices 1,000 tokens)", "price_per_unit_no_unit", model=model)
    if not any(text(name) for name in (*RATE_FIELDS, "per_unit")):
        # Such a row would replace a price with none: the model's calls would turn unpriced without a word.
        raise _mistake(origin, f"the row of {model} has no price; give at least one of {', '.join(RATE_FIELDS)} or "
                       "per_unit", "price_no_rate", model=model, fields=list(RATE_FIELDS))
    return PriceRow(
        model=model,
        name=text("name", model),
        provider=text("provider", model.split(".")[0]),
        family=family,
        region=region,
        mode=mode,
        tier=tier,
        unit=unit,
        effective_from=start,
        effective_to=end,
        source=text("source", str(origin)),
        checked=day("checked"),
        per_unit=rate("per_unit", MAX_PLAUSIBLE_PER_UNIT, unit),
        **{name: rate(name, MAX_PLAUSIBLE_PER_1K, PER_1K) for name in RATE_FIELDS},
    )


CSV_FIELDS = ("model", "name", "provider", "family", "region", "mode", "tier", "unit", "effective_from",
              "effective_to", *RATE_FIELDS, "per_unit", "checked", "source")
_ROW_KEYS = frozenset(CSV_FIELDS)


def row_record(row: PriceRow) -> dict[str, object]:
    """A row as the book's CSV columns (dates as ``YYYY-MM-DD``, missing values as ``None``)."""
    return {
        name: (value.isoformat() if isinstance(value, date) else value)
        for name, value in ((name, getattr(row, name)) for name in CSV_FIELDS)
    }


def rate_text(value: float) -> str:
    """A rate as plain decimal text (``0.00006``, not ``6e-05``)."""
    return format(Decimal(repr(value)).normalize(), "f")


def write_csv_rows(path: Path, rows: Iterable[PriceRow]) -> None:
    """Write rows in the book's CSV form (atomically: a reader never sees half a book)."""
    temporary = path.with_name(f".{path.name}.tmp")
    with temporary.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(CSV_FIELDS), lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: "" if v is None else (rate_text(v) if isinstance(v, float) else v)
                             for k, v in row_record(row).items()})
    temporary.replace(path)


def read_csv_rows(path: Path) -> list[PriceRow]:
    """Rows of a price book CSV (the built-in one's columns), UTF-8 with or without a byte-order mark (Excel's "CSV
    UTF-8")."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            return [_csv_row(raw, Notice(f"{path.name} line {n}", "price_line_at", file=path.name, number=n))
                    for n, raw in enumerate(csv.DictReader(handle), start=2)]
    except UnicodeDecodeError:
        raise _not_utf8(path) from None


_BUILTIN_ROWS: dict[tuple[str, int, int, int], tuple[PriceRow, ...]] = {}


def builtin_rows() -> tuple[PriceRow, ...]:
    """The built-in book's rows, read once per content of its file (rows are frozen): a report, a dashboard rerun or
    the next tracker of one process reads them again only once ``pricing.py --refresh`` has rewritten the book."""
    info = BUILTIN_BOOK.stat()
    key = (str(BUILTIN_BOOK), info.st_ino, info.st_size, info.st_mtime_ns)
    rows = _BUILTIN_ROWS.get(key)
    if rows is None:
        rows = tuple(read_csv_rows(BUILTIN_BOOK))
        _BUILTIN_ROWS.clear()
        _BUILTIN_ROWS[key] = rows
    return rows


def _not_utf8(path: Path) -> UsageError:
    """The error for a price file that is not UTF-8 text."""
    return UsageError(Notice(f"price file {path} is not UTF-8 text: save it as UTF-8", "price_file_not_utf8",
                             path=str(path)))


def _csv_row(raw: dict[str | None, object], origin: Notice) -> PriceRow:
    """One CSV row; cells past the header's columns (``DictReader`` keys them ``None``) are refused."""
    if None in raw:
        raise _mistake(origin, "more cells than the header has columns (a trailing comma?); give each row the "
                       "header's columns", "price_extra_cells")
    return _parse_row({str(key): value for key, value in raw.items()}, origin)


def read_override_rows(path: Path) -> list[PriceRow]:
    """Rows of a user price file: JSON or TOML with a ``prices`` list (or a JSON list), or a CSV. A file without a
    row is refused: it would price every call at list prices while the user takes them for their own."""
    rows = _override_rows(path)
    if not rows:
        raise UsageError(Notice(f"price file {path} holds no price rows, so no call would take its prices: give it "
                                "rows (README.md, section Prices, gives the columns), or leave --prices out for list "
                                "prices", "price_file_empty", path=str(path)))
    return rows


def _override_rows(path: Path) -> list[PriceRow]:
    """The rows of a user price file, none or more."""
    if not path.is_file():
        raise UsageError(Notice(f"price file {path} does not exist", "price_file_missing", path=str(path)))
    if path.suffix.lower() == ".csv":
        return read_csv_rows(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise _not_utf8(path) from None
    except OSError as exc:
        raise _unreadable(path, exc) from None
    try:
        if path.suffix.lower() == ".toml":
            data: object = tomllib.loads(text)
        else:
            data = json.loads(text)
    except ValueError as exc:
        raise UsageError(Notice(f"price file {path} cannot be read: {exc}", "price_file_unparsed", path=str(path),
                                reason=str(exc))) from None
    entries = data.get("prices") if isinstance(data, dict) else data
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise UsageError(Notice(f"price file {path} must hold a list of rows under 'prices'", "price_file_not_list",
                                path=str(path)))
    return [_parse_row(entry, Notice(f"{path.name} row {n}", "price_row_at", file=path.name, number=n))
            for n, entry in enumerate(entries, start=1)]
