"""Fact rows attributed, priced and rolled up in SQL, in a private embedded DuckDB.

The engine's fact rows (a frame from Athena; DuckDB's stored Parquet file, or its Arrow table) are joined with three
small tables the tracker derives in Python from their distinct values: callers (``identity_arn`` → principal, user,
application), models (``model_id`` and source region → display name, endpoint) and rates (a pricing key → the
book's rates, the billing unit and why a key is unpriced). One SQL statement prices every row; the report's tables are
``GROUPING SETS`` of one aggregation over the priced rows, so pandas holds the few hundred rows of the tables, and
the fact rows only as the report's ``facts``. The connection runs one thread, so the same rows go through the same
plan in the same order on every run, and every floating-point sum adds them in that order; groups that tie in a
table break by the fact rows' ``row_id`` (their order by dimensions), which the facts carry.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, NamedTuple

from ..engines.base import shown_names
from ..engines.duckdb_memory import duckdb_config
from ..engines.queries import (
    DEFAULT_TIER,
    FACT_MEASURES,
    LATENCY_OPTIMIZED,
    REQUEST_BODY_NONE,
    SKIP_DIMENSIONS,
    quoted_name,
    tag_column,
)
from ..lazy_modules import lazy
from ..logs.identity import ACCOUNT_SCOPED_USERS
from ..pricing import PROMPT_ROUTER, RATE_FIELDS, RATE_NAMES, TOKEN_FIELDS

duckdb = lazy("duckdb")
np = lazy("numpy")
pd = lazy("pandas")
pa = lazy("pyarrow")

TOKEN_COLUMNS = ("input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens")
# What calls are billed in besides tokens, read from logged request bodies, and the unit of the models billed in it
# (media given to an embeddings model beside its tokens); the summary sums them over priced calls.
UNIT_MEASURES = {"images": "image", "video_seconds": "second", "rerank_queries": "query", "media_given": "tokens"}
# Priced calls served in a service tier priced apart from Standard, or with optimized latency (the summary says how
# many).
TIER_CALLS = {"flex_calls": "flex", "priority_calls": "priority", "latency_optimized_calls": LATENCY_OPTIMIZED}
# Priced calls whose cache writes went at the 5-minute rate though their split is unknown (engines/queries.py), and
# those writes.
SPLIT_UNKNOWN = ("cache_split_unknown_calls", "cache_split_unknown_tokens")
# Calls through a prompt router (engines/queries.py), those of them whose logged response does not name the model
# the router chose (still under the router's ARN, unpriced), and of these the calls without tokens (priced at $0).
ROUTER_CALLS = ("prompt_router_calls", "prompt_router_calls_model_unknown", "prompt_router_calls_no_tokens")
METRICS = ("calls", "errors", *TOKEN_COLUMNS)
COST_COLUMNS = ("input_cost_usd", "output_cost_usd", "cache_write_cost_usd", "cache_read_cost_usd")
TOTAL_COST = "estimated_cost_usd"
EMPTY_TAG_VALUE = "(empty)"  # how tables show a requestMetadata value logged as "" (kept "" in the facts, CSV, JSON)
NO_VALUE = "(none)"  # how tables show the group of calls without the value grouped by (a tag key they lack)
GROUP_KEYS: dict[str, list[str]] = {
    "user": ["user", "principal_type", "principal", "account"],
    "application": ["application"],
    "user-app": ["user", "account", "application", "model", "source_region", "base_model_id"],
    "model": ["model", "endpoint", "base_model_id"],
    "daily": ["day"],
    "hourly": ["hour"],
    "region": ["source_region"],
    "weekday-hour": ["weekday", "hour"],
}
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")  # DuckDB's dayname()


@dataclass(frozen=True)
class SkippedRecords:
    """The records skipped as unreadable, by reason (``engines.queries``' ``SKIPPED_*`` codes), with the first objects
    holding each kind, by name (``engines.base.shown_names``)."""

    counts: dict[str, int] = field(default_factory=dict)
    objects: dict[str, list[str]] = field(default_factory=dict)
    object_counts: dict[str, int] = field(default_factory=dict)  # how many objects hold them, by reason

    @property
    def total(self) -> int:
        """Every record skipped, whatever the reason."""
        return sum(self.counts.values())


def split_unknown_calls(facts: pd.DataFrame) -> int:
    """The priced calls of ``facts`` whose cache writes went at the 5-minute rate for want of their split (as the
    report's summary counts them in ``cache_split_unknown_calls``)."""
    if facts.empty or SPLIT_UNKNOWN[0] not in facts:
        return 0
    return int(facts.loc[facts["priced"].astype(bool), SPLIT_UNKNOWN[0]].sum())


class PricingKey(NamedTuple):
    """A pricing key of the facts: what a rate depends on besides the model's own book entry."""

    model_id: str | None
    source_region: str | None
    utc_day: str
    context_over: int
    request_body: str  # logged, media, offloaded, none, failed or impossible (engines/queries.py)
    media_size: int  # an image's longer side in pixels, a video's lines (720 for 720p); 0 when not logged
    image_quality: str
    service_tier: str


RATE_KEYS = PricingKey._fields
BOOK_RATE_FIELDS = (*RATE_FIELDS, "per_unit")  # the rates of a price-book row, one ``rate_*`` column each
RATE_COLUMNS = tuple(f"rate_{name}" for name in BOOK_RATE_FIELDS)
CALLER_COLUMNS = ("principal_type", "principal", "user", "application", "account")
MISSING_RATE_REASONS = {name: f"no {RATE_NAMES[name]} price" for name in TOKEN_FIELDS}
# How reasons name the rates of the modes other than standard (a call served in the Flex or Priority tier, or with
# optimized latency).
MODE_RATE_NAMES = {"flex": "flex tier", "latency": "latency-optimized", "priority": "priority tier"}
# Why a call priced at the rates of such a mode is unpriced when its row lacks a rate the call is billed (the book's
# latency rows carry no cache rates: their sources publish none): that mode's rate is missing, not the model's.
MODE_MISSING_RATE_REASONS = {mode: {name: f"no {words} {RATE_NAMES[name]} price for this model, region and endpoint"
                                    for name in TOKEN_FIELDS} for mode, words in MODE_RATE_NAMES.items()}
_SCOPED = "principal_type IN (" + ", ".join(f"'{kind}'" for kind in ACCOUNT_SCOPED_USERS) + ")"
# Users by name, plus one for every further account an account-scoped name (an IAM user, root) is found in: one
# account's count is its distinct names, as ever (an IAM user and a session of the same name are one user).
_USERS_COUNT = (f'count(DISTINCT "user") + count(DISTINCT CASE WHEN {_SCOPED} THEN account || \'/\' || "user" END) '
                f'- count(DISTINCT CASE WHEN {_SCOPED} THEN "user" END)')
_ORDERED_FIRST = ("day", "hour", "weekday")  # tables led by these keys are in key order, the others by cost
_BATCH_ROWS = 16_384  # fact rows per Arrow batch written to a kept report's file


def connect() -> duckdb.DuckDBPyConnection:
    """A private connection on one thread: its results, and the order its sums add rows in, repeat run to run."""
    return duckdb.connect(config=duckdb_config(threads=1))


def clean_rows(con: duckdb.DuckDBPyConnection,
               rows: pd.DataFrame | pa.Table | Path) -> tuple[int, SkippedRecords, int]:
    """Keep the engine's ``rows`` (or those of its Parquet file, scanned) that are neither unreadable (no ``day``)
    nor extra copies (``duplicate``) as the table ``facts``: typed, and numbered in the order of their dimensions
    (``row_id``: engines return groups in any order), and the extra copies' calls by caller ARN as the table
    ``duplicates``. Returns how many rows are kept, the unreadable records that are no extra copy (skipped), by
    reason with their first objects, and the calls of extra copies, readable or not (duplicates)."""
    con.register("engine_rows", con.read_parquet(str(rows)) if isinstance(rows, Path) else rows)
    try:
        return _clean_registered(con)
    finally:
        con.unregister("engine_rows")


def _clean_registered(con: duckdb.DuckDBPyConnection) -> tuple[int, SkippedRecords, int]:
    """``clean_rows`` of the rows registered as ``engine_rows``."""
    # A copy is a duplicate whether readable or not: the copy counted first is readable when any is (queries.py),
    # so an unreadable extra copy loses nothing, and only a record with no readable copy is skipped.
    (duplicates,) = con.execute(
        "SELECT coalesce(sum(calls) FILTER (WHERE coalesce(duplicate, false)), 0) FROM engine_rows").fetchall()[0]
    skipped = _skipped_records(con)
    con.execute("CREATE TEMP TABLE duplicates AS SELECT CAST(identity_arn AS VARCHAR) AS identity_arn, "
                "CAST(sum(calls) AS BIGINT) AS calls FROM engine_rows WHERE coalesce(duplicate, false) GROUP BY ALL")
    names = [name for name in con.sql("SELECT * FROM engine_rows").columns
             if name != "duplicate" and name not in SKIP_DIMENSIONS]
    typed = {name: f"coalesce(CAST({name} AS BIGINT), 0)"
             for name in (*FACT_MEASURES, "context_over", "media_size", "cache_kinds")}
    typed.update(hour="CAST(hour AS BIGINT)",
                 request_body=f"coalesce(CAST(request_body AS VARCHAR), '{REQUEST_BODY_NONE}')",
                 image_quality="coalesce(CAST(image_quality AS VARCHAR), 'standard')",
                 service_tier=f"coalesce(CAST(service_tier AS VARCHAR), '{DEFAULT_TIER}')")
    for name in ("day", "utc_day", "identity_arn", "source_region", "model_id"):
        typed[name] = f"CAST({name} AS VARCHAR)"
    columns = ", ".join(f"{typed.get(name, quoted_name(name))} AS {quoted_name(name)}" for name in names)
    order = ", ".join(f"{quoted_name(name)} NULLS FIRST" for name in names if name not in FACT_MEASURES)
    con.execute(f"""CREATE TEMP TABLE facts AS
SELECT row_number() OVER (ORDER BY {order}) AS row_id, * FROM (
  SELECT {columns} FROM engine_rows WHERE day IS NOT NULL AND NOT coalesce(duplicate, false)
)""")
    return con.execute("SELECT count(*) FROM facts").fetchall()[0][0], skipped, int(duplicates)


def _skipped_records(con: duckdb.DuckDBPyConnection) -> SkippedRecords:
    """The skipped records of ``engine_rows`` (no ``day``, no extra copy) by reason, with the first objects holding
    each kind."""
    columns = ", ".join(f"CAST({name} AS VARCHAR)" for name in SKIP_DIMENSIONS)
    rows = con.execute(f"SELECT {columns}, sum(calls) FROM engine_rows "
                       "WHERE day IS NULL AND NOT coalesce(duplicate, false) GROUP BY 1, 2").fetchall()
    counts: dict[str, int] = defaultdict(int)
    paths: dict[str, list[str]] = defaultdict(list)
    for why, where, calls in rows:
        counts[why] += int(calls)
        if where is not None:
            paths[why].append(where)
    return SkippedRecords(dict(counts), {why: shown_names(found) for why, found in paths.items()},
                          {why: len(set(found)) for why, found in paths.items()})


def rewrite_facts(con: duckdb.DuckDBPyConnection, rewrite: Callable[[pd.DataFrame], pd.DataFrame]) -> None:
    """Replace the table ``facts`` by ``rewrite`` of its rows (a ``FactRewriter``, e.g. inference profiles)."""
    rewritten = rewrite(frame_of(con, "SELECT * FROM facts"))
    con.execute("DROP TABLE facts")
    con.register("rewritten", rewritten)
    con.execute("CREATE TEMP TABLE facts AS SELECT * FROM rewritten")
    con.unregister("rewritten")


def distinct_values(con: duckdb.DuckDBPyConnection, columns: Sequence[str]) -> list[tuple[object, ...]]:
    """The distinct combinations of ``columns`` among the facts."""
    return con.execute(f"SELECT DISTINCT {', '.join(columns)} FROM facts").fetchall()


def register_table(con: duckdb.DuckDBPyConnection, name: str, columns: dict[str, list[object]],
                   types: dict[str, pa.DataType]) -> None:
    """A mapping table built in Python (``None`` is NULL) as ``name``."""
    con.register(name, pa.table({column: pa.array(values, types[column]) for column, values in columns.items()}))


def price_facts(con: duckdb.DuckDBPyConnection, application_tags: Sequence[str]) -> None:
    """Join the facts with the ``callers``, ``models`` and ``rates`` tables into the table ``priced``: caller,
    application (the first application tag with a value, else the caller's), model, weekday and the cost columns.

    Tokens are priced at the rates of their pricing key, cache writes the logged response says lasted an hour at the
    1-hour rate; images and seconds of video are billed per unit in the output cost, rerank queries and the images
    given to an embeddings model (billed at its image row's price, carried in the token key's ``rate_per_unit``) in
    the input cost (a key's ``images_are_calls`` counts one image per call: a one-image model's call whose request
    was not logged inline); a model the book bills per image, second or query has no token prices, and its logged
    tokens are not billed. A row whose rates leave a billed quantity without a price is unpriced, with the first
    reason, and has no cost (its tokens stay). ``application_tags`` are the tag columns (``tag_0``...) that name an
    application. Only the callers the ``callers`` table marks ``kept`` are kept. A row's images, video seconds,
    rerank queries and media given count only when its model is billed in that unit (0 otherwise). A call through a
    prompt router whose logged response does not name the model it chose (endpoint ``prompt-router``) is priced at
    $0 when it logged no tokens: a router routes between text models billed per token (Amazon Bedrock User Guide,
    "Understanding intelligent prompt routing in Amazon Bedrock"), so it costs nothing whichever model it went to;
    with tokens it stays unpriced. A tag value logged empty (the API allows one) stays ``""``: a group apart from an
    absent tag (NULL) and from any value logged.
    """
    application = ", ".join(
        [f"nullif(CAST(f.{quoted_name(tag)} AS VARCHAR), '')" for tag in application_tags] + ["c.application"]
    )
    missing = ", ".join(
        f"CASE WHEN r.rate_{name} IS NULL AND {_billed(name)} > 0 THEN {_missing_rate(name)} END"
        for name in MISSING_RATE_REASONS
    )
    joins = " AND ".join(f"f.{key} IS NOT DISTINCT FROM r.{key}" for key in RATE_KEYS)
    # A call's units count only in the unit its model is billed in (a text model's logged body reads as one image);
    # a model that makes one image per call counts its calls when their request bodies were not logged inline.
    counts = {name: f"f.{name}" for name in UNIT_MEASURES}
    counts["images"] = "CASE WHEN coalesce(r.images_are_calls, false) THEN f.calls ELSE f.images END"
    billed_units = ", ".join(f"CASE WHEN coalesce(r.unit, 'tokens') = '{unit}' THEN {counts[name]} ELSE 0 END AS {name}"
                             for name, unit in UNIT_MEASURES.items())
    unit_count = " ".join(f"WHEN '{unit}' THEN {counts[name]}" for name, unit in UNIT_MEASURES.items())
    con.execute(f"""CREATE TEMP TABLE priced AS
WITH joined AS (
  SELECT f.* REPLACE ({billed_units}), dayname(CAST(f.day AS DATE)) AS weekday,
    c.principal_type, c.principal, c."user", c.account, coalesce({application}) AS application,
    m.model, m.base_model_id, m.endpoint, m.has_model,
    r.unit, r.book_tier, r.book_mode, r.book_rate, coalesce(r.own_price, false) AS own_price,
    CASE WHEN m.endpoint = '{PROMPT_ROUTER}' AND {_NO_TOKENS} THEN NULL ELSE
      coalesce(r.reason, CASE WHEN coalesce(r.unit, 'tokens') = 'tokens' THEN coalesce({missing}) END) END AS reason,
    CASE coalesce(r.unit, 'tokens') {unit_count} END * coalesce(r.rate_per_unit, 0.0) AS unit_cost,
    0.0 + f.input_tokens * coalesce(r.rate_input, 0.0) / 1000.0 AS input_cost,
    0.0 + f.output_tokens * coalesce(r.rate_output, 0.0) / 1000.0 AS output_cost,
    0.0 + {_billed("cache_write_5m")} * coalesce(r.rate_cache_write_5m, 0.0) / 1000.0
      + f.cache_write_1h_tokens * coalesce(r.rate_cache_write_1h, 0.0) / 1000.0 AS cache_write_cost,
    0.0 + f.cache_read_tokens * coalesce(r.rate_cache_read, 0.0) / 1000.0 AS cache_read_cost
  FROM facts f
  LEFT JOIN callers c ON f.identity_arn IS NOT DISTINCT FROM c.identity_arn
  LEFT JOIN models m ON f.model_id IS NOT DISTINCT FROM m.model_id
    AND f.source_region IS NOT DISTINCT FROM m.source_region
  LEFT JOIN rates r ON {joins}
  WHERE c.kept
),
costed AS (
  SELECT * EXCLUDE (unit, reason, unit_cost, input_cost, output_cost, cache_write_cost, cache_read_cost),
    CASE WHEN reason IS NULL
      THEN input_cost + CASE WHEN unit IN ('query', 'tokens') THEN unit_cost ELSE 0.0 END END AS input_cost_usd,
    CASE WHEN reason IS NULL
      THEN output_cost + CASE WHEN unit IN ('image', 'second') THEN unit_cost ELSE 0.0 END END AS output_cost_usd,
    CASE WHEN reason IS NULL THEN cache_write_cost END AS cache_write_cost_usd,
    CASE WHEN reason IS NULL THEN cache_read_cost END AS cache_read_cost_usd,
    reason
  FROM joined
)
SELECT * EXCLUDE (reason),
  input_cost_usd + output_cost_usd + cache_write_cost_usd + cache_read_cost_usd AS {TOTAL_COST},
  reason IS NULL AS priced,
  reason AS unpriced_reason,
  CASE WHEN reason IS NULL THEN 0 ELSE calls END AS unpriced_calls
FROM costed""")
    con.execute("DROP TABLE facts")


# A fact row that logged no tokens of any kind (the facts query keeps a prompt router's such calls apart:
# ``ROUTED_NO_TOKENS``).
_NO_TOKENS = "f.input_tokens + f.output_tokens + f.cache_read_tokens + f.cache_write_tokens = 0"


def _missing_rate(name: str) -> str:
    """Why a fact row billed at the rate ``rate_{name}`` its key lacks is unpriced, by the mode of its rates."""
    modes = " ".join(f"WHEN '{mode}' THEN '{reasons[name]}'" for mode, reasons in MODE_MISSING_RATE_REASONS.items())
    return f"CASE r.mode {modes} ELSE '{MISSING_RATE_REASONS[name]}' END"


def _billed(name: str) -> str:
    """The quantity of a fact row billed at the rate ``rate_{name}``."""
    if name == "cache_write_5m":
        return "(f.cache_write_tokens - f.cache_write_1h_tokens)"
    return {"input": "f.input_tokens", "output": "f.output_tokens", "cache_write_1h": "f.cache_write_1h_tokens",
            "cache_read": "f.cache_read_tokens"}[name]


class PricedRows:
    """Priced fact rows (the table or frame ``priced`` of ``con``) and every roll-up of them.

    ``tags`` names their tag columns as reports do (``tag_0`` → ``tag:KEY``); inside DuckDB they keep their
    ``tag_0`` names, because DuckDB's names ignore case and two tag keys may differ only in case.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, tags: dict[str, str]):
        self.con = con
        self.tags = tags
        self._columns = {name: column for column, name in tags.items()}
        self._lock = threading.Lock()  # a report (and this connection) may be shared by the dashboard's sessions
        self.count: int = con.execute("SELECT count(*) FROM priced").fetchall()[0][0]

    @classmethod
    def of_frame(cls, facts: pd.DataFrame) -> PricedRows:
        """Priced fact rows given as a frame (a report's ``facts``, or some of them); groups that tie break by the
        facts' ``row_id`` (their frame order when they have none)."""
        tags = {tag_column(i): name for i, name in enumerate(c for c in facts.columns if c.startswith("tag:"))}
        con = connect()
        renamed = facts.rename(columns={name: column for column, name in tags.items()})
        if "row_id" not in renamed:
            renamed = renamed.assign(row_id=np.arange(len(facts)))
        con.register("priced", renamed.assign(has_model=_text_mask(facts["model_id"])))
        return cls(con, tags)

    def load(self) -> pd.DataFrame:
        """The priced rows as a frame (a report's ``facts``, when first used: ``report.stored.DeferredFrame``)."""
        with self._lock:
            return self._batches().read_all().to_pandas()

    def write(self, handle: BinaryIO) -> None:
        """The priced rows as a Parquet file (a kept report's facts), a batch at a time: never all of them in
        memory twice."""
        import pyarrow.parquet as pq

        with self._lock:
            reader = self._batches()
            with pq.ParquetWriter(handle, reader.schema) as writer:
                for batch in reader:
                    writer.write_batch(batch)

    def _batches(self) -> pa.RecordBatchReader:
        """The priced rows as Arrow batches, tag columns named ``tag:KEY``."""
        reader = self.con.sql("SELECT * EXCLUDE (has_model) FROM priced").to_arrow_reader(_BATCH_ROWS)
        names = [self.tags.get(name, name) for name in reader.schema.names]
        schema = pa.schema([field.with_name(name) for field, name in zip(reader.schema, names, strict=True)])
        return pa.RecordBatchReader.from_batches(schema, (batch.rename_columns(names) for batch in reader))

    def rollup(self, keys: list[str]) -> pd.DataFrame:
        """Sum calls, tokens and costs by ``keys``; costs stay NaN only where nothing in the group is priced."""
        return self.rollups({"": keys})[""]

    def rollups(self, groupings: dict[str, list[str]]) -> dict[str, pd.DataFrame]:
        """One table per entry of ``groupings`` (name → keys), from one ``GROUPING SETS`` aggregation.

        Tables led by a day, hour or weekday are in that order; the others by cost, then calls, the most first
        (groups that tie in both in the order of their first fact row).
        """
        groupings = {name: [self._columns.get(key, key) for key in grouping] for name, grouping in groupings.items()}
        keys = list(dict.fromkeys(key for grouping in groupings.values() for key in grouping))
        unique = {frozenset(grouping): grouping for grouping in groupings.values()}.values()
        sets = ", ".join("(" + ", ".join(quoted_name(k) for k in grouping) + ")" for grouping in unique)
        sums = [f"CAST(sum({name}) AS BIGINT) AS {name}" for name in (*METRICS, "unpriced_calls")]
        sums += [f"sum({name}) AS {name}" for name in (*COST_COLUMNS, TOTAL_COST)]
        named = ", ".join(quoted_name(key) for key in keys)
        with self._lock:
            result = self.con.sql(
                f"SELECT GROUPING({named}) AS grouping_id, {named}, {', '.join(sums)}, min(row_id) AS first_row "
                f"FROM priced GROUP BY GROUPING SETS ({sets})"
            ).to_arrow_table()
        ids = result.column("grouping_id").to_numpy()
        columns = [*METRICS, *COST_COLUMNS, TOTAL_COST, "unpriced_calls"]
        tables = {}
        for name, grouping in groupings.items():
            mask = sum(1 << (len(keys) - 1 - index) for index, key in enumerate(keys) if key not in grouping)
            # Sliced before the conversion: a key is NULL in the other sets' rows, which would make an integer
            # key (the hour) a float column.
            table = result.filter(pa.array(ids == mask)).select([*grouping, *columns, "first_row"]).to_pandas()
            table = _ordered(table, grouping)[[*grouping, *columns]].reset_index(drop=True)
            tables[name] = table.rename(columns=self.tags)
        return tables

    def tables(self, tag_tables: Iterable[str] = ()) -> dict[str, pd.DataFrame]:
        """Every analysis table, and a table for each of ``tag_tables`` (``tag:KEY`` columns)."""
        tables = self.rollups({**GROUP_KEYS, **{tag: [tag] for tag in tag_tables}})
        _add_averages(tables["model"])
        return tables

    def summary(self) -> dict[str, float | int]:
        """Totals of the period."""
        counts = [*METRICS, "unpriced_calls", "guardrail_interventions"]
        ints = [*counts, *UNIT_MEASURES, *SPLIT_UNKNOWN, *TIER_CALLS, *ROUTER_CALLS]
        with self._lock:
            columns = self.con.sql("SELECT * FROM priced LIMIT 0").columns
            tiered = "service_tier" in columns  # a frame may lack it
            row = self.con.execute(
                "SELECT " + ", ".join(
                    [f"coalesce(CAST(sum({name}) AS BIGINT), 0)" for name in counts]
                    + [f"coalesce(CAST(sum({name}) FILTER (WHERE priced) AS BIGINT), 0)" if name in columns else "0"
                       for name in (*UNIT_MEASURES, *SPLIT_UNKNOWN)]
                    + [f"coalesce(CAST(sum(calls) FILTER (WHERE priced AND service_tier = '{tier}') AS BIGINT), 0)"
                       if tiered else "0" for tier in TIER_CALLS.values()]
                    + [f"coalesce(CAST(sum(prompt_router_calls) FILTER (WHERE {where}) AS BIGINT), 0)"
                       if "prompt_router_calls" in columns else "0"
                       for where in ("true", f"endpoint = '{PROMPT_ROUTER}'",
                                     f"endpoint = '{PROMPT_ROUTER}' AND priced")]
                    + [f"coalesce(sum({name}), 0.0)" for name in (*COST_COLUMNS, TOTAL_COST)]
                    + [_USERS_COUNT, "count(DISTINCT application)", "count(DISTINCT model)"]
                ) + " FROM priced"
            ).fetchall()[0]
        values = dict(zip([*ints, *COST_COLUMNS, TOTAL_COST, "users", "applications", "models"], row, strict=True))
        summary: dict[str, float | int] = {name: int(values[name]) for name in METRICS}
        summary["total_tokens"] = sum(summary[name] for name in TOKEN_COLUMNS)
        for name in (*COST_COLUMNS, TOTAL_COST):
            summary[name] = float(values[name])
        for name in (*ints, "users", "applications", "models"):  # METRICS again: same values, same order
            summary[name] = int(values[name])
        return summary

    def unpriced(self) -> pd.DataFrame:
        """Models (as logged), regions and reasons of calls the book cannot price, with their tokens."""
        sums = ", ".join(f"CAST(sum({name}) AS BIGINT) AS {name}" for name in METRICS)
        with self._lock:
            table = frame_of(
                self.con, f"SELECT CASE WHEN has_model THEN model_id END AS model_id, source_region, "
                f"unpriced_reason AS reason, {sums} FROM priced WHERE NOT priced GROUP BY ALL "
                "ORDER BY calls DESC, model_id NULLS LAST, source_region NULLS LAST, reason NULLS LAST"
            )
        return table.astype({name: "object" for name in ("model_id", "source_region", "reason")}).where(
            table.notna(), None)

    def priced_calls(self) -> list[tuple[str, str, str, str | None, str | None, str | None, int]]:
        """Priced calls by logged model id, source region, the book's id of the model, the tier of the built-in
        row that priced them where the user's price file prices the model's other tiers only, and the mode and rates
        of the built-in row that priced them where it prices the model's other modes only (else None)."""
        with self._lock:
            rows = self.con.execute("SELECT model_id, source_region, base_model_id, book_tier, book_mode, book_rate, "
                                    "CAST(sum(calls) AS BIGINT) FROM priced WHERE priced GROUP BY ALL "
                                    "ORDER BY ALL").fetchall()
        return [(str(model_id), str(region), str(model), tier, mode, rate, int(calls))
                for model_id, region, model, tier, mode, rate, calls in rows]

    def price_file_calls(self) -> int:
        """Priced calls whose rates came from a row of the user's price file (0 for facts without the ``own_price``
        column)."""
        with self._lock:
            if "own_price" not in self.con.sql("SELECT * FROM priced LIMIT 0").columns:
                return 0
            row = self.con.execute("SELECT coalesce(sum(calls) FILTER (WHERE priced AND own_price), 0) FROM priced")
            return int(row.fetchall()[0][0])

    def base_models(self) -> set[str]:
        """The book's ids (else the logged base ids) of the models called."""
        with self._lock:
            rows = self.con.execute("SELECT DISTINCT base_model_id FROM priced WHERE base_model_id IS NOT NULL")
            return {str(model) for (model,) in rows.fetchall()}

    def calls_without(self) -> tuple[int, int]:
        """Calls with no caller and calls with no model id."""
        with self._lock:
            row = self.con.execute(
                "SELECT coalesce(sum(calls) FILTER (WHERE principal_type = 'unknown'), 0),"
                " coalesce(sum(calls) FILTER (WHERE NOT has_model), 0) FROM priced"
            ).fetchall()[0]
        return int(row[0]), int(row[1])


def frame_of(con: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    """The rows of ``sql`` as a frame, through Arrow (3-4x faster than DuckDB's own conversion, with text kept in
    Arrow buffers rather than one Python string per cell)."""
    return con.sql(sql).to_arrow_table().to_pandas()


def _ordered(table: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """A roll-up in its order: by its keys when led by a day, hour or weekday, else by cost and calls."""
    if keys[0] == "weekday":
        order = pd.Categorical(table["weekday"], list(WEEKDAYS), ordered=True)
        return table.assign(_order=order).sort_values(["_order", *keys[1:]]).drop(columns="_order")
    if keys[0] in _ORDERED_FIRST:
        return table.sort_values(keys)
    return table.sort_values([TOTAL_COST, "calls", "first_row"], ascending=[False, False, True],
                             na_position="last")


def _add_averages(table: pd.DataFrame) -> None:
    """Per-call averages for the model table."""
    calls = table["calls"].where(table["calls"] > 0)
    for name in TOKEN_COLUMNS:
        table[f"avg_{name}"] = (table[name] / calls).round(1)


def is_text(value: object) -> bool:
    """True for a non-empty string; engines give a missing field as None, NaN or NA."""
    return isinstance(value, str) and value.strip() != ""


def _text_mask(values: pd.Series) -> np.ndarray:
    """``is_text`` of every value, tested once per distinct value."""
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    return np.array([is_text(value) for value in uniques], dtype=bool)[codes]
