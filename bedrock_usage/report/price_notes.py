"""What a user's price file leaves unsaid in a report's figures: calls of a model it prices in other endpoint
families, other Regions, other tiers or other modes only (they took the built-in book's price), and its models no call
of the period reaches. A narrowed report (a drill-down, a model filter) says the first again of its own calls."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from ..output.notices import Notice, clause
from ..output.wording import counted
from ..pricing import RATE_FIELDS, RATE_NAMES, PriceBook, PriceRow, parse_model_id, rate_text

# logged model id, source region, the book's model id, the built-in tier that priced them beside the file's (or None),
# the built-in mode that priced them beside the file's other modes and that row's rates (``book_rate``; or None),
# calls
PricedCall = tuple[str, str, str, str | None, str | None, str | None, int]
EVERY_REGION = "*"
# How a line names the calls of a mode (served in the Flex tier...); a standard call is any other.
SERVED = {"flex": "served in the Flex tier", "priority": "served in the Priority tier",
          "latency": "served with optimized latency"}


@dataclass(frozen=True)
class PriceNotes:
    """The price file's Regions per endpoint family of each model of the period's calls (book model id -> display
    name, family -> Regions, ``*`` for every Region), and a line per model of the file no call of the period reaches
    (none in a report narrowed by a filter)."""

    own_regions: dict[str, tuple[str, dict[str, tuple[str, ...]]]]
    unused: tuple[str, ...] = ()

    @classmethod
    def of(cls, prices: PriceBook, called: Callable[[], set[str]], narrowed: bool = False) -> PriceNotes:
        """The notes of a period whose calls are of the book models ``called()`` (asked only when a price file gave
        rows: without one there is nothing to say). A ``narrowed`` report (a model, user or ARN filter) says nothing
        of unused rows: a row may price the calls the filter leaves out."""
        if not prices.has_own_rows:
            return cls({})
        called = called()
        own = {model: (prices.display_name(model), {family: tuple(sorted(in_force))
                                                     for family, in_force in sorted(regions.items())})
               for model in sorted(called) if (regions := prices.own_regions(model))}
        unused = () if narrowed else tuple(_unused_line(m) for m in prices.own_only_models() if m not in called)
        return cls(own, unused)

    def warnings(self, calls: Callable[[], list[PricedCall]]) -> list[str]:
        """The lines of a report whose priced calls are ``calls()`` (asked only when the price file prices a model
        called): one per model and endpoint family whose calls took the built-in book's price, as the price file
        prices the model in another family only (a ``regional`` row does not reach ``global.`` calls), in that
        family for other Regions only (naming the Regions of those calls) or there in other tiers only (naming the
        tier: a ``base`` row does not reach a call over 200K input tokens the book prices ``above_200k``) or there in
        other modes only (naming the mode and the built-in rate: a ``standard`` row does not reach a call served with
        optimized latency, in the Flex or in the Priority tier), then the file's models no call of the period
        reaches."""
        families: dict[tuple[str, str], int] = {}
        regions: dict[tuple[str, str], dict[str, int]] = {}
        tiers: dict[tuple[str, str, str], dict[str, int]] = {}
        modes: dict[tuple[str, str, str, str], dict[str, int]] = {}
        for model_id, region, model, book_tier, book_mode, rate, count in (calls() if self.own_regions else []):
            family = parse_model_id(model_id).family(region)
            if model not in self.own_regions or not family:
                continue
            priced_in = self.own_regions[model][1].get(family)
            if book_tier is not None:
                fallen = tiers.setdefault((model, family, book_tier), {})
                fallen[region] = fallen.get(region, 0) + count
            elif book_mode is not None and rate is not None:
                fallen = modes.setdefault((model, family, book_mode, rate), {})
                fallen[region] = fallen.get(region, 0) + count
            elif priced_in is None:
                families[(model, family)] = families.get((model, family), 0) + count
            elif region not in priced_in and EVERY_REGION not in priced_in:
                fallen = regions.setdefault((model, family), {})
                fallen[region] = fallen.get(region, 0) + count
        return [*(self._family_line(model, family, count) for (model, family), count in sorted(families.items())),
                *(self._region_line(model, family, fallen) for (model, family), fallen in sorted(regions.items())),
                *(self._tier_line(*key, fallen) for key, fallen in sorted(tiers.items())),
                *(self._mode_line(*key, fallen) for key, fallen in sorted(modes.items())),
                *self.unused]

    def _family_line(self, model: str, family: str, count: int) -> Notice:
        name, own = self.own_regions[model]
        return Notice(f"{name} ({model}): your price file prices it for the {' and '.join(own)} endpoint family only; "
                      f"{counted(count, 'call')} through the {family} family took the built-in book's price (add a "
                      f"row with \"family\": \"{family}\" for yours there)", "price_file_family", name=name,
                      model=model, own=list(own), calls=count, family=family)

    def _region_line(self, model: str, family: str, fallen: dict[str, int]) -> Notice:
        name, own = self.own_regions[model]
        calls, regions = sum(fallen.values()), sorted(fallen)
        return Notice(f"{name} ({model}): your price file prices its {family} endpoint family in "
                      f"{', '.join(own[family])} only; {counted(calls, 'call')} from {', '.join(regions)} took the "
                      "built-in book's price (add a row with \"region\" for each, or one without \"region\" for every "
                      "Region)", "price_file_region", name=name, model=model, family=family, own=list(own[family]),
                      calls=calls, regions=regions)

    def _tier_line(self, model: str, family: str, tier: str, fallen: dict[str, int]) -> Notice:
        name = self.own_regions[model][0]
        calls, regions = sum(fallen.values()), sorted(fallen)
        return Notice(f"{name} ({model}): your price file has no {tier} row for its {family} endpoint family; "
                      f"{counted(calls, 'call')} from {', '.join(regions)} took the built-in book's {tier} price "
                      f"(add a row with \"tier\": \"{tier}\" for yours there)", "price_file_tier", name=name,
                      model=model, family=family, tier=tier, calls=calls, regions=regions)

    def _mode_line(self, model: str, family: str, mode: str, rate: str, fallen: dict[str, int]) -> Notice:
        name = self.own_regions[model][0]
        calls, regions = sum(fallen.values()), sorted(fallen)
        served = clause(f" {SERVED[mode]}" if mode in SERVED else "", f"served_{mode}")
        rates = _rate_words(rate)
        return Notice(f"{name} ({model}): your price file has no {mode} row for its {family} endpoint family; "
                      f"{counted(calls, 'call')} from {', '.join(regions)}{served} took the built-in book's {mode} "
                      f"rate ({rates}; add a row with \"mode\": \"{mode}\" for yours there)", "price_file_mode",
                      name=name, model=model, family=family, mode=mode, calls=calls, regions=regions, served=served,
                      rates=rates)


def book_rate(row: PriceRow) -> str:
    """The rates of a built-in row as a report's fact rows carry them (JSON: its tier, unit, and each rate it
    gives), for the line naming the rate calls took (``PriceNotes.warnings``)."""
    rates = {name: getattr(row, name) for name in (*RATE_FIELDS, "per_unit") if getattr(row, name) is not None}
    return json.dumps({"tier": row.tier, "unit": row.unit, **rates}, sort_keys=True)


def _rate_words(rate: str) -> Notice:
    """A row's rates (``book_rate``) in words: ``$0.001 input / $0.005 output per 1K tokens``, ``$0.04 per image``,
    its tier named when not ``base``."""
    given = json.loads(rate)
    tier = clause(f", {given['tier']} tier" if given["tier"] != "base" else "", "book_rate_tier", tier=given["tier"])
    if given["unit"] != "tokens":
        amount = f"${rate_text(given['per_unit'])}"
        return Notice(f"{amount} per {given['unit']}{tier}", "book_rate_unit", amount=amount, unit=given["unit"],
                      tier=tier)
    figures = [Notice(f"{amount} {words}", f"rate_{name}", amount=amount) for name, words in RATE_NAMES.items()
               if name in given for amount in [f"${rate_text(given[name])}"]]
    return Notice(f"{' / '.join(figures)} per 1K tokens{tier}", "book_rate", figures=figures, tier=tier)


def _unused_line(model: str) -> Notice:
    """What a report says of a model only the price file names that no call reaches: a misspelt id would otherwise
    leave the calls it was meant for at the book's price without a word."""
    return Notice(f"your price file's rows for {model} price no call of the period: no logged model id is {model}, "
                  "with or without -v1/:0 (check it against the logged modelId, or name a model pricing.py lists)",
                  "price_file_unused", model=model)
