"""What the counted tokens would cost at Amazon Bedrock list prices, or a user's price file's where its rows apply (an
estimate: AWS bills the subscription, never tokens), next to the flat Amazon Q Developer Pro subscription.

Each request is priced at the model it names (Kiro logs ``modelId`` as ``claude-opus-4.6``, read as the book's Claude
model of that name) when the price book knows that model; a request that names none (Amazon Q Developer), or names
one of Kiro's routers (``auto``, ``simple-task``, which pick a model per request), is priced at the reference model
``--model``; a named model the book does not know is unpriced: its tokens are counted, its cost is not (never
another model's price). As the Bedrock reports price each call, a request gets the price in force on its UTC day,
in the Region of its log folder when the book prices that Region, else in us-east-1, and the book's long-context
tier its counted input passes (a model without that tier's price for the request's endpoint and day: unpriced).
The Pro subscription is set against the Amazon Q Developer requests only: Kiro users pay Kiro seats (credits.py).
With ``--sample`` it is set against nothing: the requests are a sample's, the subscription is for every day.
"""

from __future__ import annotations

import calendar
import math
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import numpy as np
import pandas as pd

from ..errors import UsageError
from ..logs.layout import days_between
from ..pricing import PriceBook, PriceFile, is_priced_region, priced_at
from .layout import PRODUCTS

SUBSCRIPTION_USD_PER_USER_MONTH = 19.0
SUBSCRIPTION_READ = "2025-11-12"  # the day the pricing page gave the subscription price
SUBSCRIPTION_SOURCE = ("https://aws.amazon.com/q/developer/pricing/ (Pro tier, $19 per user per month; read "
                       f"{SUBSCRIPTION_READ})")
# Why a sample's virtual cost is not set against the subscription: the difference would count the requests of the
# files left unread as free, and read as what the subscription saves or costs.
SAMPLE_NOT_COMPARED = ("not compared under --sample: the virtual cost covers the sampled prompt-log files only, the "
                       "subscription every day of the period")


@dataclass(frozen=True)
class ModelPrice:
    """List price of one model in USD per 1,000 tokens (base tier, no caching)."""

    name: str
    input_per_1k: float
    output_per_1k: float
    own: bool = False  # a row of the user's price file gave it


LIST_PRICES = "Amazon Bedrock list prices"
PRICE_BOOK = ("from the project's price book (pricing.py) on each request's UTC day, in its log folder's Region "
              "(us-east-1 when the book prices no such Region)")
# The models a virtual cost can be computed for, as the Bedrock ids the price book knows.
MODEL_IDS: dict[str, str] = {
    "claude-sonnet-4.5": "global.anthropic.claude-sonnet-4-5-20250929-v1:0",
    "claude-sonnet-4": "global.anthropic.claude-sonnet-4-20250514-v1:0",
    "claude-haiku-4.5": "global.anthropic.claude-haiku-4-5-20251001-v1:0",
    "claude-opus-4.5": "global.anthropic.claude-opus-4-5-20251101-v1:0",
    "claude-sonnet-4.6": "global.anthropic.claude-sonnet-4-6",
    "claude-opus-4.6": "global.anthropic.claude-opus-4-6-v1",
}
DEFAULT_MODEL = "claude-sonnet-4.5"
DEFAULT_REGION = "us-east-1"  # prices requests whose log folder names no Region the book prices
ROUTER_MODELS = ("auto", "simple-task")  # Kiro's routing choices: no single model to price
NO_MODEL = ""
BASIS_LOGGED = "the logged model"
BASIS_NONE = "reference model (no model logged)"
BASIS_ROUTER = "reference model (Kiro picks the model)"
BASIS_UNPRICED = "unpriced (no price in the book for its day and Region)"
BASIS_NO_LONG_CONTEXT = "unpriced (no long-context price in the book for its day and Region)"
Q_DEVELOPER = PRODUCTS["QDeveloperLogs"]  # the product whose users hold the Pro subscription


def _price(book: PriceBook, model_id: str, region: str, day: date, context_tokens: int = 0) -> ModelPrice | None:
    """The token price of a Bedrock model id called from ``region`` on ``day`` with ``context_tokens`` of input (its
    long-context tier, else base); None when the book has none."""
    quote = book.quote(model_id, region, day, context_tokens=context_tokens)
    if quote is None or quote.row.input is None or quote.row.output is None:
        return None
    threshold = quote.row.context_threshold
    name = f"{quote.row.name} (above {threshold // 1000}K)" if threshold else quote.row.name
    return ModelPrice(name, quote.row.input, quote.row.output, quote.row.own)


@lru_cache(maxsize=4)
def _claude_ids(book: PriceBook) -> dict[str, str]:
    """Kiro's Claude names as the book's model ids: the book's name made canonical (``Claude Opus 4.6`` ->
    ``claude-opus-4-6``, as ``claude-opus-4.6`` is) -> the ``global.`` profile of the model when the book prices
    that endpoint, else the model's in-region id."""
    families: dict[str, dict[str, set[str]]] = {}
    for row in book.rows:
        if row.provider.lower() == "anthropic" and row.unit == "tokens":
            families.setdefault(_canonical(row.name), {}).setdefault(row.model, set()).add(row.family)
    chosen = {}
    for name, models in families.items():
        model = min(models, key=lambda m: ("global" not in models[m], m))
        chosen[name] = f"global.{model}" if "global" in models[model] else model
    return chosen


def _thresholds(book: PriceBook) -> np.ndarray:
    """Every context threshold of the book (tokens), ascending."""
    return np.array(book.context_thresholds, dtype="int64")


def model_price(book: PriceBook, key: str, day: date, region: str = DEFAULT_REGION) -> ModelPrice:
    """The list price of a ``--model`` key on ``day`` in ``region``; UsageError for keys the book cannot price."""
    if key not in MODEL_IDS:
        raise UsageError(f"unknown --model '{key}'; choose one of {', '.join(MODEL_IDS)}")
    price = _price(book, MODEL_IDS[key], region, day)
    if price is None:
        raise UsageError(f"the price book has no price for {key} ({MODEL_IDS[key]}) in {region} on {day}")
    return price


def price_region(folder_region: str) -> str:
    """The Region whose prices a prompt log's requests get: its folder's if the book prices it, else us-east-1."""
    return folder_region if is_priced_region(folder_region) else DEFAULT_REGION


@dataclass(frozen=True)
class ModelPricing:
    """How the requests naming one model are priced: the price used (None: unpriced) and why."""

    model_id: str
    price: ModelPrice | None
    basis: str


def _canonical(name: str) -> str:
    return re.sub(r"[._\s]+", "-", name.strip().lower())


_KEY_OF = {_canonical(key): key for key in MODEL_IDS}


def pricing_of(book: PriceBook, model_id: str, reference: str, region: str, day: date,
               context_tokens: int = 0) -> ModelPricing:
    """The price of requests that name ``model_id`` ('' for none) made from ``region`` on ``day`` with
    ``context_tokens`` of input, with ``reference`` as the ``--model`` key."""
    if not model_id:
        priced_id, basis = MODEL_IDS[reference], BASIS_NONE
    elif _canonical(model_id) in ROUTER_MODELS:
        priced_id, basis = MODEL_IDS[reference], BASIS_ROUTER
    else:
        key = _KEY_OF.get(_canonical(model_id))
        named = MODEL_IDS[key] if key is not None else _claude_ids(book).get(_canonical(model_id), model_id)
        priced_id, basis = named, BASIS_LOGGED
    price = _price(book, priced_id, region, day, context_tokens)
    if price is None:
        short = context_tokens and _price(book, priced_id, region, day) is not None
        basis = BASIS_NO_LONG_CONTEXT if short else BASIS_UNPRICED
    return ModelPricing(model_id, price, basis)


def price_requests(book: PriceBook, frame: pd.DataFrame, reference: str) -> pd.DataFrame:
    """``frame`` (``model_id``, ``region``, UTC ``timestamp``, ``input_tokens``, ``output_tokens``) plus
    ``input_cost_usd`` and ``output_cost_usd`` (NaN where unpriced), ``priced_as``, ``price_basis`` and ``own_price``
    (a row of the user's price file priced it): each request priced at its model, its UTC day, ``price_region`` of
    its folder and the largest context threshold of the book its input tokens pass (0 for none)."""
    thresholds = _thresholds(book)
    passed = np.concatenate([[0], thresholds])[np.searchsorted(thresholds, frame["input_tokens"].to_numpy(
        dtype="int64"), side="left")]
    keys = list(zip(frame["model_id"], frame["region"].map(price_region),
                    frame["timestamp"].dt.tz_convert("UTC").dt.date, (int(n) + 1 if n else 0 for n in passed),
                    strict=True))
    pricing = {key: pricing_of(book, key[0], reference, key[1], key[2], key[3]) for key in set(keys)}
    prices = [pricing[key].price for key in keys]
    input_rate = pd.Series([p.input_per_1k if p else float("nan") for p in prices], index=frame.index, dtype="float64")
    output_rate = pd.Series([p.output_per_1k if p else float("nan") for p in prices], index=frame.index,
                            dtype="float64")
    return frame.assign(
        input_cost_usd=frame["input_tokens"] / 1000 * input_rate,
        output_cost_usd=frame["output_tokens"] / 1000 * output_rate,
        priced_as=pd.Series([p.name if p else None for p in prices], index=frame.index, dtype="object"),
        price_basis=pd.Series([pricing[key].basis for key in keys], index=frame.index, dtype="object"),
        own_price=pd.Series([bool(p and p.own) for p in prices], index=frame.index, dtype="bool"),
    )


PER_MODEL_COLUMNS = ["model_id", "priced_as", "basis", "requests", "tool_results", "input_tokens", "output_tokens",
                     "input_cost_usd", "output_cost_usd", "cost_usd"]
TOOL_RESULT = "tool_result"  # a Kiro chat turn with an empty prompt: the agent going on after a tool ran


def _distinct(values: pd.Series) -> str | None:
    """The distinct non-null values, joined ('a, b'); None when there is none."""
    return ", ".join(sorted(set(values.dropna()))) or None


def per_model(priced: pd.DataFrame) -> pd.DataFrame:
    """One row per logged model ('' for none): requests and tool-result turns (``request_type``), tokens, the prices
    used and the cost (NaN: unpriced), summed from the requests priced at their own day and Region."""
    if priced.empty:
        return pd.DataFrame(columns=PER_MODEL_COLUMNS)
    tool = priced["request_type"] == TOOL_RESULT
    table = priced.assign(request=~tool, tool=tool).groupby("model_id", sort=True).agg(
        priced_as=("priced_as", _distinct),
        basis=("price_basis", _distinct),
        requests=("request", "sum"),
        tool_results=("tool", "sum"),
        input_tokens=("input_tokens", "sum"),
        output_tokens=("output_tokens", "sum"),
        input_cost_usd=("input_cost_usd", lambda s: s.sum(min_count=1)),
        output_cost_usd=("output_cost_usd", lambda s: s.sum(min_count=1)),
    ).reset_index()
    table = table.assign(cost_usd=table["input_cost_usd"] + table["output_cost_usd"])
    return table[PER_MODEL_COLUMNS].sort_values(["requests", "model_id"], ascending=[False, True]).reset_index(
        drop=True)


def prorated_subscription(users: int, first: date, last: date) -> float:
    """``users`` Pro subscriptions for the days ``first``..``last``: each day costs 1/(days in its month)."""
    months = sum(1 / calendar.monthrange(day.year, day.month)[1] for day in days_between(first, last))
    return users * SUBSCRIPTION_USD_PER_USER_MONTH * months


@dataclass(frozen=True)
class VirtualCost:
    """API cost of the counted tokens, and the prorated Pro subscription of the Amazon Q Developer users against the
    cost of their Amazon Q Developer requests (``subscribed_cost``); Kiro's users pay Kiro seats instead.

    ``model`` and ``price`` are the reference model's (us-east-1, the period's last day); ``per_model`` says which
    price each logged model got; ``kiro_users`` are the people with Kiro requests and none of Amazon Q Developer;
    ``sampled`` when the requests are those of a sample of the prompt-log files (``--sample``); ``price_file`` the
    user's price file the book was read with (``--prices``, ``$BEDROCK_USAGE_PRICES``), whatever it priced, and
    ``price_file_requests`` the requests and tool-result turns its rows priced.
    Costs sum the priced requests, NaN (unknown, never 0) when there are requests and none is priced.
    """

    model: str
    price: ModelPrice
    input_cost: float
    output_cost: float
    users: int
    subscription: float
    per_model: pd.DataFrame
    subscribed_cost: float
    kiro_users: int = 0
    unpriced_tokens: int = 0
    sampled: bool = False
    price_file: PriceFile | None = None
    price_file_requests: int = 0

    @property
    def price_file_priced(self) -> bool:
        """Whether a row of the price file priced a figure of the run: a request, or the reference price shown."""
        return bool(self.price_file_requests or self.price.own)

    @property
    def prices(self) -> str:
        """What the virtual cost is priced at, in every output's words (JSON ``accuracy.virtual_cost`` and
        ``virtual_cost.price_source``, the terminal, CSV ``accuracy_virtual_cost``, the dashboard's note): Amazon
        Bedrock list prices; with a user's price file, the file named with its digest as the Bedrock reports' cost
        note names it (``pricing.priced_at``) and whether any of its rows priced a figure of the run."""
        if self.price_file is None:
            return LIST_PRICES
        if self.price_file_priced:
            return priced_at(self.price_file, LIST_PRICES)
        return (f"{LIST_PRICES} (no row of the price file {self.price_file.label} priced a request or the reference "
                "price)")

    @property
    def total(self) -> float:
        """Input plus output cost (NaN when no request is priced)."""
        return self.input_cost + self.output_cost

    @property
    def difference(self) -> float:
        """Subscription minus the virtual cost of the Amazon Q Developer requests: positive means the subscription
        cost more than the API would have; NaN when that cost is unknown, or is a sample's (``SAMPLE_NOT_COMPARED``)."""
        return math.nan if self.sampled else self.subscription - self.subscribed_cost


def priced_sum(costs: pd.Series) -> float:
    """The sum of the priced costs (NaN: unpriced); NaN when there are costs and none is priced, never 0."""
    return float(costs.sum(min_count=1)) if len(costs) else 0.0


def virtual_cost(priced: pd.DataFrame, people: pd.Series, first: date, last: date, model: str,
                 price: ModelPrice, sampled: bool = False, price_file: PriceFile | None = None) -> VirtualCost:
    """Sum the priced requests (``price_requests``, with ``product``) and prorate the subscription of the people
    (``people``: each request's person, NA for none) with Amazon Q Developer requests over ``first``..``last``;
    ``model`` is the reference ``--model`` key and ``price`` its ``model_price`` on ``last``; ``sampled`` when the
    requests are a sample's; ``price_file``: the user's price file the book holds rows of."""
    unpriced = priced["input_cost_usd"].isna()
    q_developer = priced["product"] == Q_DEVELOPER
    subscribers = set(people[q_developer].dropna())
    users = len(subscribers)
    return VirtualCost(
        model=model,
        price=price,
        input_cost=priced_sum(priced["input_cost_usd"]),
        output_cost=priced_sum(priced["output_cost_usd"]),
        users=users,
        subscription=prorated_subscription(users, first, last),
        per_model=per_model(priced),
        subscribed_cost=priced_sum(priced.loc[q_developer, "input_cost_usd"]
                                   + priced.loc[q_developer, "output_cost_usd"]),
        kiro_users=len(set(people[~q_developer].dropna()) - subscribers),
        unpriced_tokens=int((priced.loc[unpriced, "input_tokens"] + priced.loc[unpriced, "output_tokens"]).sum()),
        sampled=sampled,
        price_file=price_file,
        price_file_requests=int(priced["own_price"].sum()),
    )
