"""What a user's price file leaves unsaid in a report's figures: calls of a model it prices in other endpoint
families only (they took the built-in book's price), and its models no call of the period reaches. A narrowed report
(a drill-down, a model filter) says the first again of its own calls."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..output.wording import counted
from ..pricing import PriceBook, parse_model_id

PricedCall = tuple[str, str, str, int]  # logged model id, source region, the book's model id, calls


@dataclass(frozen=True)
class PriceNotes:
    """The price file's families per model of the period's calls (book model id -> display name, families), and
    a line per model of the file no call of the period reaches (none in a report narrowed by a filter)."""

    own_families: dict[str, tuple[str, tuple[str, ...]]]
    unused: tuple[str, ...] = ()

    @classmethod
    def of(cls, prices: PriceBook, called: Callable[[], set[str]], narrowed: bool = False) -> PriceNotes:
        """The notes of a period whose calls are of the book models ``called()`` (asked only when a price file gave
        rows: without one there is nothing to say). A ``narrowed`` report (a model, user or ARN filter) says nothing
        of unused rows: a row may price the calls the filter leaves out."""
        if not prices.has_own_rows:
            return cls({})
        called = called()
        own = {model: (prices.display_name(model), tuple(sorted(families)))
               for model in sorted(called) if (families := prices.own_families(model))}
        unused = () if narrowed else tuple(_unused_line(m) for m in prices.own_only_models() if m not in called)
        return cls(own, unused)

    def warnings(self, calls: Callable[[], list[PricedCall]]) -> list[str]:
        """The lines of a report whose priced calls are ``calls()`` (asked only when the price file prices a model
        called): one per model and endpoint family whose calls took the built-in book's price while the price file
        prices the model in another family only (a ``regional`` row does not reach ``global.`` calls), then the
        file's models no call of the period reaches."""
        fallen: dict[tuple[str, str], int] = {}
        for model_id, region, model, count in (calls() if self.own_families else []):
            family = parse_model_id(model_id).family(region)
            if model in self.own_families and family and family not in self.own_families[model][1]:
                fallen[(model, family)] = fallen.get((model, family), 0) + count
        return [*(self._fallback_line(model, family, count) for (model, family), count in sorted(fallen.items())),
                *self.unused]

    def _fallback_line(self, model: str, family: str, count: int) -> str:
        name, families = self.own_families[model]
        return (f"{name} ({model}): your price file prices it for the {' and '.join(families)} endpoint family only; "
                f"{counted(count, 'call')} through the {family} family took the built-in book's price (add a row "
                f"with \"family\": \"{family}\" for yours there)")


def _unused_line(model: str) -> str:
    """What a report says of a model only the price file names that no call reaches: a misspelt id would otherwise
    leave the calls it was meant for at the book's price without a word."""
    return (f"your price file's rows for {model} price no call of the period: no logged model id is {model}, with or "
            "without -v1/:0 (check it against the logged modelId, or name a model pricing.py lists)")
