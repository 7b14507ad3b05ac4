"""What the counted tokens would cost at Claude list prices, next to the flat Amazon Q Developer Pro subscription."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from ..errors import UsageError
from ..logs.layout import days_between
from ..pricing import PriceBook

SUBSCRIPTION_USD_PER_USER_MONTH = 19.0
SUBSCRIPTION_SOURCE = "https://aws.amazon.com/q/developer/pricing/ (Pro tier, $19 per user per month; read 2025-11-12)"


@dataclass(frozen=True)
class ModelPrice:
    """List price of one model in USD per 1,000 tokens (base tier, no caching)."""

    name: str
    input_per_1k: float
    output_per_1k: float


PRICE_SOURCE = "Amazon Bedrock global (cross-region) list prices from the project's price book (pricing.py)"
# The models a virtual cost can be computed for, as the Bedrock ids the price book knows.
MODEL_IDS: dict[str, str] = {
    "claude-sonnet-4.5": "global.anthropic.claude-sonnet-4-5-20250929-v1:0",
    "claude-sonnet-4": "global.anthropic.claude-sonnet-4-20250514-v1:0",
    "claude-haiku-4.5": "global.anthropic.claude-haiku-4-5-20251001-v1:0",
    "claude-opus-4.5": "global.anthropic.claude-opus-4-5-20251101-v1:0",
}
DEFAULT_MODEL = "claude-sonnet-4.5"


@lru_cache(maxsize=1)
def _book() -> PriceBook:
    return PriceBook.load()


def model_price(key: str, on: date | None = None) -> ModelPrice:
    """The list price of a model key on a day (default today); UsageError for keys the book cannot price."""
    if key not in MODEL_IDS:
        raise UsageError(f"unknown --model '{key}'; choose one of {', '.join(MODEL_IDS)}")
    quote = _book().quote(MODEL_IDS[key], "us-east-1", on or date.today())
    if quote is None or quote.row.input is None or quote.row.output is None:
        raise UsageError(f"the price book has no price for {key} ({MODEL_IDS[key]})")
    return ModelPrice(quote.row.name, quote.row.input, quote.row.output)


def token_cost(input_tokens: float, output_tokens: float, price: ModelPrice) -> float:
    """USD for these token counts at ``price``."""
    return input_tokens / 1000 * price.input_per_1k + output_tokens / 1000 * price.output_per_1k


def prorated_subscription(users: int, first: date, last: date) -> float:
    """``users`` Pro subscriptions for the days ``first``..``last``: each day costs 1/(days in its month)."""
    months = sum(1 / calendar.monthrange(day.year, day.month)[1] for day in days_between(first, last))
    return users * SUBSCRIPTION_USD_PER_USER_MONTH * months


@dataclass(frozen=True)
class VirtualCost:
    """API cost of the counted tokens against the prorated subscription of the users who made them."""

    model: str
    price: ModelPrice
    input_cost: float
    output_cost: float
    users: int
    subscription: float

    @property
    def total(self) -> float:
        """Input plus output cost."""
        return self.input_cost + self.output_cost

    @property
    def difference(self) -> float:
        """Subscription minus virtual cost: positive means the subscription cost more than the API would."""
        return self.subscription - self.total


def virtual_cost(input_tokens: int, output_tokens: int, users: int, first: date, last: date, model: str) -> VirtualCost:
    """Price the tokens at ``model``'s list price and prorate the subscription over ``first``..``last``."""
    price = model_price(model)
    return VirtualCost(
        model=model,
        price=price,
        input_cost=token_cost(input_tokens, 0, price),
        output_cost=token_cost(0, output_tokens, price),
        users=users,
        subscription=prorated_subscription(users, first, last),
    )
