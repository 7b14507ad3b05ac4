"""BedrockAthenaTracker: priced usage tables from Model Invocation Logs, for the dashboard and the CLI.

One engine query returns usage facts; each fact row is priced for its model, source region, endpoint
family, UTC day and context tier; every analysis is a roll-up of the priced facts. The tracker derives callers,
models and rates from the distinct values of the facts; the joins, costs and roll-ups are SQL
(``priced_facts``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Protocol

from ..engines.base import PAYLOAD_OBJECTS, Engine, LogSource, QueryResult, ScanStats, Scope
from ..engines.duckdb_memory import memory_mb
from ..engines.projection import PeriodNotProjected, refusal
from ..engines.queries import (
    DEFAULT_TIER,
    FACT_DIMENSIONS,
    FACT_MEASURES,
    LATENCY_OPTIMIZED,
    REQUEST_BODY_FAILED,
    REQUEST_BODY_IMPOSSIBLE,
    REQUEST_BODY_LOGGED,
    REQUEST_BODY_MEDIA,
    REQUEST_BODY_OFFLOADED,
    SKIP_DIMENSIONS,
    SKIPPED_NO_TIMESTAMP,
    SKIPPED_NOT_JSON,
    SKIPPED_TOKEN_COUNTS,
    Filters,
    tag_column,
    usage_facts_query,
)
from ..errors import UsageError
from ..lazy_modules import lazy
from ..logs.bodies import MEDIA_MODELS
from ..logs.identity import (
    DEFAULT_ROLE_SUFFIX,
    Principal,
    applications_apart,
    derive_principal,
    holds_pattern,
    one_spelling_per_person,
)
from ..logs.period import Period
from ..logs.regions import REGION_NAMES, requested_regions
from ..output.notices import Notice, clause
from ..output.plain_table import PlainTable, ReportTables
from ..output.progress import FACT_ROWS, Reporter, Words, data_size, silent, step_update
from ..output.wording import counted
from ..pricing import PROMPT_ROUTER, PriceBook, PriceFile, PriceRow, parse_model_id, priced_at
from .price_notes import PriceNotes, book_rate
from .priced_facts import (
    BOOK_RATE_FIELDS,
    CALLER_COLUMNS,
    MODE_RATE_NAMES,
    RATE_COLUMNS,
    RATE_KEYS,
    SPLIT_UNKNOWN,
    PricedRows,
    PricingKey,
    SkippedRecords,
    clean_rows,
    connect,
    distinct_values,
    is_text,
    price_facts,
    register_table,
    rewrite_facts,
)
from .stored import DeferredFrame, Finished, held, keep_finished, load_finished, loaded_state, report_key

duckdb = lazy("duckdb")
pd = lazy("pandas")
pa = lazy("pyarrow")

DEFAULT_APPLICATION_TAGS = ("application_name",)
PRICING, KEPT_NOTE = Words("pricing"), Words("kept")
ANALYSES = ("summary", "user", "application", "user-app", "model", "daily", "hourly", "region")
UNKNOWN_CALLER = "(unknown caller)"  # a record without identity.arn
UNKNOWN_MODEL = "(unknown model)"  # a record without modelId
NO_REGION = "(no region)"  # an unpriced row without a source region
UNPRICED = "unpriced"  # what begins the warning line of each model and region whose calls have no price
# Why records were skipped (``engines.queries``' codes), in the warnings' words and order.
SKIPPED_RECORD_REASONS = {
    SKIPPED_NOT_JSON: "lines that are not JSON (a record pretty-printed over several lines counts once per line)",
    SKIPPED_NO_TIMESTAMP: "without a readable timestamp",
    SKIPPED_TOKEN_COUNTS: "with impossible or non-integer token counts",
}
TOKENS_NOTE = "exact: token counts from Model Invocation Logs"


# Where the quantities billed besides tokens come from: the logged request, but for a model that makes one image per
# call whose request says nothing of its price, whose calls are its images whatever became of their requests
# (``_one_image_per_call``).
UNITS_READ = "from logged request bodies, a call of a Stability AI one-image model as its one image"


def cost_note(price_file: PriceFile | None = None, split_unknown: int = 0) -> str:
    """What a report's costs are: estimated, at list prices, or at ``price_file``'s prices where its rows priced
    calls (the file named with its digest, so reports of other prices never read alike), and how many of its priced
    calls had their cache writes priced at the 5-minute rate for want of their split (``split_unknown_note``). The
    dashboard's cost note (``accuracy_note``) words the same rule: priced besides tokens are what ``UNIT_MEASURES``
    counts, of which the media given to an embeddings model only as images (``NO_MEDIA_PRICE`` leaves video and audio
    unpriced); a call's service tier picks its rates (``SERVICE_TIER_MODES``)."""
    prices = priced_at(price_file, "list prices of the price book", goes_on=True)
    return ("estimated: logged tokens (and images made, video seconds, rerank queries and images given to an "
            f"embeddings model, {UNITS_READ}) x {prices} for the model, source region, endpoint "
            "family, service tier, context tier and day (cache writes at the 5-minute rate unless the logged response "
            "says 1 hour, or, for a response delivered apart under /data/, every cache breakpoint of the logged "
            "request asks 1 hour)"
            + (f"; {split_unknown_note(split_unknown)}" if split_unknown else ""))


COST_NOTE = cost_note()


def split_unknown_note(calls: int) -> str:
    """What the cost note adds for ``calls`` priced calls whose cache writes' split is known only in /data/."""
    whose = counted(calls, "call's", "calls'")
    return f"{whose} cache writes priced at the 5-minute rate; the split is in /data/ objects"



def tag_table(key: str) -> str:
    """Name of the fact column, and of the report table, of a ``requestMetadata`` key."""
    return f"tag:{key}"


class FactRewriter(Protocol):
    """Rewrites raw fact rows before they are attributed and priced (e.g. resolving inference profiles)."""

    def rewrite(self, frame: pd.DataFrame, tag_keys: tuple[str, ...]) -> pd.DataFrame:
        """Return the rows with model ids and ``tag_i`` columns rewritten."""
        ...

    def warnings(self) -> list[str]:
        """What could not be rewritten, for the report's warnings."""
        ...

    def fingerprint(self) -> str | None:
        """A text naming the rewriting (equal texts, equal rewrites and warnings), or None when it depends on more
        than the rows (lookups in an API): its reports are then never kept."""
        ...


@dataclass
class UsageReport:
    """Every analysis of one period, with what was read and what could not be priced or read.

    ``facts`` are the priced fact rows behind every table (after the user filter), for further roll-ups; a kept
    report reads them from the cache when first used (``report.stored``). ``tables`` and ``unpriced`` give frames;
    a kept report holds them as plain values, turned into frames only when read as frames
    (``tables.plain(name)`` and ``plain_unpriced()`` read them without pandas, as the renderers do).
    """

    period: Period
    regions: tuple[str, ...]
    filters: dict[str, object]
    engine: str  # where the logs were read, in English (``source.description``)
    source: LogSource
    summary: dict[str, float | int]
    tables: ReportTables
    unpriced: pd.DataFrame = DeferredFrame()
    stats: ScanStats
    records_skipped: int
    facts: pd.DataFrame = DeferredFrame()
    warnings: list[str] = field(default_factory=list)
    skipped_records: SkippedRecords = SkippedRecords()  # ``records_skipped`` by reason, with their first objects
    rewriter_warnings: list[str] = field(default_factory=list)  # the last of ``warnings``, from the rewriter
    price_warnings: list[str] = field(default_factory=list)  # before them: the price file's rows the calls missed
    price_notes: PriceNotes = PriceNotes({})  # what makes them, for a narrowed report's own
    demo: bool = False  # generated demo data, not an account's usage: every output says so
    price_file: PriceFile | None = None  # the user's price file, when its rows priced some of the calls

    @property
    def cost_note(self) -> str:
        """What the report's costs are (``cost_note``), and how many calls' cache writes went at the 5-minute rate
        for want of their split (``split_unknown_note``)."""
        return cost_note(self.price_file, int(self.summary.get(SPLIT_UNKNOWN[0], 0)))

    def __post_init__(self) -> None:
        if not isinstance(self.tables, ReportTables):
            self.tables = ReportTables(self.tables)

    def plain_unpriced(self) -> PlainTable:
        """The unpriced models as plain values (no frame is built for them)."""
        return PlainTable.of(held(self, "unpriced"))

    def __getstate__(self) -> dict[str, object]:
        return loaded_state(self, "facts")


class BedrockAthenaTracker:
    """Runs the usage query on an engine (Athena or DuckDB) and turns the rows into priced analyses."""

    def __init__(
        self,
        engine: Engine,
        prices: PriceBook | None = None,
        *,
        role_suffix: str = DEFAULT_ROLE_SUFFIX,
        application_tags: tuple[str, ...] = DEFAULT_APPLICATION_TAGS,
        extra_tags: tuple[str, ...] = (),
        rewriter: FactRewriter | None = None,
        dimensions: tuple[str, ...] = FACT_DIMENSIONS,
    ):
        """``dimensions`` are the grain of the facts query (``FACT_DIMENSIONS``; a finer grain gives the same
        figures from more rows)."""
        self.engine = engine
        self.dimensions = dimensions
        self.rewriter = rewriter
        self.prices = prices or PriceBook.load()
        self.role_suffix = role_suffix
        self.application_tags = application_tags
        self.tag_keys = tuple(dict.fromkeys(application_tags + extra_tags))

    def facts(
        self, period: Period, regions: tuple[str, ...], filters: Filters, progress: Reporter = silent
    ) -> tuple[pd.DataFrame, ScanStats, int]:
        """Priced usage facts, the scan figures, and the number of records skipped as unreadable; ``progress``
        hears of the engine's scan and of the pricing."""
        result = self._query(period, regions, filters, progress)
        rows, skipped = self._priced(result, None, progress)
        return rows.load(), result.stats, skipped.total

    def analyze(
        self,
        period: Period,
        regions: tuple[str, ...] | list[str] | None = None,
        filters: Filters | None = None,
        user_pattern: str | None = None,
        progress: Reporter = silent,
        *,
        unreadable_ok: bool = False,
    ) -> UsageReport:
        """All analyses for a period, from one scan of the logs; no regions (or ``all``) means every region the
        engine finds logs in. ``progress`` hears how far the scan and the pricing got. A UsageError when no region
        asked for has logs, or when every log object of the period was skipped as unreadable, unless
        ``unreadable_ok`` (a comparison period's report).

        When the engine names its rows exactly (a stored result of the local engine), the finished report is kept
        beside them and a repeated refresh loads it (``report.stored``): the same figures, not computed again.
        """
        asked = requested_regions(list(regions) if regions else None)
        found = self.engine.log_regions() if asked is None else None
        regions = found.regions if found else asked
        filters = filters or Filters()
        try:
            result = self._query(period, regions, filters, progress, run_unprojected=unreadable_ok)
        except PeriodNotProjected as exc:
            raise UsageError(refusal(period.label(), exc.unread)) from None
        unreadable = none_logged(regions, result.stats) or (None if unreadable_ok else none_readable(
            period, result.stats) or none_projected(period, regions, result.stats))
        if unreadable:
            raise UsageError(unreadable)
        if found:
            unread = result.stats.unread_regions
            unread.update({r: why for r, why in found.unread.items() if r not in unread})
        key = self._report_key(result, user_pattern)
        finished = load_finished(result.shelf, key) if key else None
        if finished is None:
            narrowed = bool(user_pattern or filters.arn_pattern or filters.models)
            finished = self._finish(result, user_pattern, progress, narrowed)
            if key:
                keep_finished(result.shelf, key, finished)
        else:
            result.stats.duplicate_records = finished.duplicate_records
            rows = finished.rows
            progress(step_update(PRICING, rows, rows, FACT_ROWS, note=KEPT_NOTE, finished=True))
        report = UsageReport(
            period=period,
            regions=regions,
            filters={"arn_pattern": filters.arn_pattern, "user_pattern": user_pattern, "models": list(filters.models)},
            engine=self.engine.description,
            source=self.engine.source,
            summary=finished.summary,
            tables=finished.tables,
            unpriced=finished.unpriced,
            stats=result.stats,
            records_skipped=finished.skipped_records.total,
            skipped_records=finished.skipped_records,
            facts=finished.facts,
            rewriter_warnings=finished.rewriter_warnings,
            price_warnings=finished.price_warnings,
            price_notes=finished.price_notes,
            price_file=self.prices.price_file if finished.price_file_calls else None,
        )
        report.warnings = (build_warnings(report, finished.fact_warnings) + finished.price_warnings
                           + finished.rewriter_warnings)
        return report

    def _query(self, period: Period, regions: tuple[str, ...], filters: Filters, progress: Reporter,
               run_unprojected: bool = True) -> QueryResult:
        """The engine's fact rows of the period, regions and filters; ``run_unprojected`` False: PeriodNotProjected
        rather than a query that reads none of the period's days."""
        query = usage_facts_query(period, filters, self.tag_keys, self.dimensions,
                                  narrow_dedup=not self.engine.rereads_billed,
                                  context_thresholds=self.prices.context_thresholds)
        scope = Scope(regions, *period.partition_days(), own_days=period.own_folder_days(),
                      period_days=period.utc_days(), run_unprojected=run_unprojected)
        return self.engine.query(query.sql, query.params, scope, progress)

    def _priced(self, result: QueryResult, user_pattern: str | None,
                progress: Reporter) -> tuple[PricedRows, SkippedRecords]:
        """The engine's rows without unreadable records and duplicates, attributed and priced in SQL (of callers
        whose user name holds ``user_pattern``: ``holds_pattern``), and the unreadable records by reason. The count of
        the duplicates of those callers' calls goes into the result's scan figures."""
        con = connect()
        tags = {tag_column(i): tag_table(key) for i, key in enumerate(self.tag_keys)}
        counts = None
        if result.path:
            try:
                counts = clean_rows(con, result.path)
            except duckdb.Error:  # the stored file went away or was damaged since the query: read its rows
                con.execute("DROP TABLE IF EXISTS facts")
        if counts is None:
            counts = clean_rows(con, self._engine_rows(result))
        count, skipped, duplicates = counts
        if self.rewriter:
            rewrite_facts(con, lambda frame: self.rewriter.rewrite(frame, self.tag_keys))
        progress(step_update(PRICING, 0, count, FACT_ROWS))
        self._register_callers(con, user_pattern)
        result.stats.duplicate_records = self._duplicates_of(con, user_pattern) if user_pattern else duplicates
        self._register_models(con)
        self._register_rates(con)
        price_facts(con, [tag_column(self.tag_keys.index(key)) for key in self.application_tags])
        progress(step_update(PRICING, count, count, FACT_ROWS, finished=True))
        return PricedRows(con, tags), skipped

    def _engine_rows(self, result: QueryResult) -> pd.DataFrame | pa.Table:
        """The engine's rows, with the fact columns even when the engine returned no columns at all."""
        rows = result.rows
        if len(rows.columns):
            return rows
        columns = [*self.dimensions, *SKIP_DIMENSIONS, *(tag_column(i) for i in range(len(self.tag_keys)))]
        return pd.DataFrame({name: pd.Series(dtype="object") for name in columns}
                            | {name: pd.Series(dtype="int64") for name in FACT_MEASURES})

    def _finish(self, result: QueryResult, user_pattern: str | None, progress: Reporter,
                narrowed: bool = False) -> Finished:
        """Price the engine's rows, keep the user filter's rows, and roll them up into every table; ``narrowed``
        when a model, user or ARN filter left calls out."""
        rows, skipped = self._priced(result, user_pattern, progress)
        notes = PriceNotes.of(self.prices, rows.base_models, narrowed)
        tables = rows.tables([tag_table(key) for key in self.tag_keys if key not in self.application_tags])
        return Finished(rows, {name: PlainTable.of(table) for name, table in tables.items()},
                        PlainTable.of(rows.unpriced()), rows.summary(), skipped,
                        result.stats.duplicate_records, self.rewriter.warnings() if self.rewriter else [],
                        unknown_warnings(*rows.calls_without()),
                        notes.warnings(rows.priced_calls), notes, rows.price_file_calls())

    def _report_key(self, result: QueryResult, user_pattern: str | None) -> str | None:
        """The key of the finished report of ``result`` (None: not kept)."""
        rewriting = self.rewriter.fingerprint() if self.rewriter else ""
        if result.identity is None or result.shelf is None or rewriting is None:
            return None
        settings = [self.role_suffix, self.application_tags, self.tag_keys, self.dimensions, self.prices.digest,
                    rewriting, user_pattern, memory_mb(threads=1)]  # a spilling sum may add in another order
        return report_key(result.identity, settings)

    def _register_callers(self, con: duckdb.DuckDBPyConnection, user_pattern: str | None) -> None:
        """The caller of every distinct ARN of the facts, as the table ``callers``: an SSO user's spellings (an
        e-mail in other letter cases) are one user, and the application of an IAM or root user whose name is found in
        several accounts is named with its account (``logs.identity``); ``kept`` when no ``user_pattern`` is set or
        the user name holds it (``holds_pattern``, as the Amazon Q / Kiro side matches people)."""
        arns = [arn for (arn,) in distinct_values(con, ["identity_arn"])]
        principals = applications_apart(one_spelling_per_person([self._principal(arn) for arn in arns]))
        columns: dict[str, list[object]] = {
            "identity_arn": arns, **{name: [getattr(p, name) for p in principals] for name in CALLER_COLUMNS},
            "kept": [not user_pattern or holds_pattern(p.user, user_pattern) for p in principals]}
        register_table(con, "callers", columns, dict.fromkeys(columns, pa.string()) | {"kept": pa.bool_()})

    def _duplicates_of(self, con: duckdb.DuckDBPyConnection, user_pattern: str) -> int:
        """The extra copies of the calls of callers whose user name holds ``user_pattern`` (``holds_pattern``), each
        by its own caller (as the ARN filter keeps a copy by its own ARN); a caller the kept records lack (every copy
        of its records unreadable) is named as its ARN names it."""
        rows = con.execute("SELECT d.identity_arn, c.\"user\", d.calls FROM duplicates d LEFT JOIN callers c "
                           "ON d.identity_arn IS NOT DISTINCT FROM c.identity_arn").fetchall()
        return sum(int(calls) for arn, user, calls in rows
                   if holds_pattern(user if user is not None else self._principal(arn).user, user_pattern))

    def _principal(self, arn: object) -> Principal:
        """The caller of an ARN; a record without one (no ``identity``, a null or empty ``arn``) is the unknown
        caller, counted and named in the warnings."""
        if not is_text(arn):
            return Principal("unknown", UNKNOWN_CALLER, UNKNOWN_CALLER, UNKNOWN_CALLER)
        return derive_principal(arn, self.role_suffix)

    def _register_models(self, con: duckdb.DuckDBPyConnection) -> None:
        """The display name and endpoint of every distinct model id and source region of the facts (a GovCloud
        call's endpoint is ``govcloud``), as the table ``models``."""
        pairs = distinct_values(con, ["model_id", "source_region"])
        known = [m if is_text(m) else None for m, _ in pairs]
        refs = [parse_model_id(m) if m else None for m in known]
        columns = {
            "model_id": [m for m, _ in pairs],
            "source_region": [region for _, region in pairs],
            "model": [self.prices.display_name(m) if m else UNKNOWN_MODEL for m in known],
            # a key to join on: the book's id of the model (without profile prefix or ARN), else the logged base id
            "base_model_id": [(self.prices.book_model(ref.base_id) or ref.base_id) if ref and ref.base_id else None
                              for ref in refs],
            "endpoint": [ref.endpoint_in(region or "") if ref else "unknown"
                         for ref, (_, region) in zip(refs, pairs, strict=True)],
            "has_model": [m is not None for m in known],
        }
        register_table(con, "models", columns, {**dict.fromkeys(columns, pa.string()), "has_model": pa.bool_()})

    def _register_rates(self, con: duckdb.DuckDBPyConnection) -> None:
        """The rates, billing unit and unpriced reason of every distinct pricing key of the facts, as the table
        ``rates``. A model billed per unit whose calls logged no request body is unpriced, with the reason ``needs
        body logging`` (or that the body was delivered apart), never priced at 0; its failed calls, which bill no
        unit, are priced at 0 whatever became of their bodies."""
        keys = [PricingKey(*key) for key in distinct_values(con, RATE_KEYS)]
        units: dict[str, set[str]] = {}
        rates = [self._rates(key, units) for key in keys]
        columns: dict[str, list[object]] = {name: [key[i] for key in keys] for i, name in enumerate(RATE_KEYS)}
        for i, name in enumerate((*RATE_COLUMNS, "unit", "mode", "reason", "book_tier", "book_mode", "book_rate",
                                  "own_price", "images_are_calls")):
            columns[name] = [rate[i] for rate in rates]
        types = {**dict.fromkeys(columns, pa.string()), **dict.fromkeys(RATE_COLUMNS, pa.float64()),
                 "context_over": pa.int64(), "media_size": pa.int64(), "own_price": pa.bool_(),
                 "images_are_calls": pa.bool_()}
        register_table(con, "rates", columns, types)

    def _rates(self, key: PricingKey, units_of: dict[str, set[str]]) -> list[object]:
        """The rates of one pricing key, the unit its calls are billed in, the mode of its rates (None when
        unpriced), why it is unpriced (or None), the tier
        of a built-in row that priced it where the price file prices its other tiers (or None), the mode and rates
        of a built-in row that priced it where the price file prices its other modes only (``_book_mode``) and
        whether a row of the price file priced it; ``units_of`` keeps the book's units of each model already
        asked."""
        model_id = key.model_id or ""
        if model_id not in units_of:
            units_of[model_id] = self.prices.units(model_id)
        units = units_of[model_id]
        if not units:
            endpoint = parse_model_id(model_id).endpoint if model_id else "unknown"
            return _unpriced("tokens", OPAQUE_ENDPOINT_REASONS.get(endpoint, NO_PRICE))
        unit = "tokens" if "tokens" in units else sorted(units)[0]
        per_image = unit == "tokens" and "image" in units  # Titan Multimodal Embeddings: tokens and images given
        if key.request_body == REQUEST_BODY_FAILED and unit != "tokens":
            return _failed_units(unit)
        if key.request_body == REQUEST_BODY_IMPOSSIBLE and unit != "tokens":
            return _unpriced(unit, IMPOSSIBLE_UNITS)
        logged = key.request_body in (REQUEST_BODY_LOGGED, REQUEST_BODY_MEDIA, REQUEST_BODY_FAILED,
                                      REQUEST_BODY_IMPOSSIBLE)
        images_are_calls = not logged and unit == "image" and self._one_image_per_call(model_id)
        if not logged and not images_are_calls and (unit != "tokens" or per_image or self._takes_media(model_id)):
            offloaded = key.request_body == REQUEST_BODY_OFFLOADED
            return _unpriced(unit, f"{BODY_OFFLOADED}: {OFFLOADED_UNITS[unit]}" if offloaded else NEEDS_BODY)
        mode = SERVICE_TIER_MODES.get(key.service_tier)
        if mode is None:
            return _unpriced(unit, SERVICE_TIER_REASONS.get(key.service_tier, UNKNOWN_SERVICE_TIER))
        tier = self._unit_tier(model_id, unit, key)
        if unit != "tokens" and tier is None:
            return _unpriced(unit, NO_VIDEO_REQUEST if unit == "second" and not key.media_size else NO_TIER)
        context_over = int(key.context_over)
        region, day = key.source_region or "", date.fromisoformat(key.utc_day)
        quote = self.prices.quote(model_id, region, day, context_tokens=context_over + 1 if context_over else 0,
                                  tier=tier, mode=mode, unit=unit)
        if quote is None:
            if context_over and self.prices.quote(model_id, region, day, tier=tier, mode=mode, unit=unit):
                return _unpriced(unit, NO_CONTEXT_TIER)
            return _unpriced(unit, TIER_NO_PRICE.get(mode, NO_PRICE))
        row = quote.row
        if unit == "tokens" and row.audio_output is not None:  # speech-to-speech (Nova Sonic): counts mix both
            return _unpriced(unit, NEEDS_AUDIO_SPLIT)
        if unit == "tokens" and row.input is None and row.output is not None:  # TwelveLabs Pegasus: video input
            return _unpriced(unit, INPUT_NOT_IN_TOKENS)
        rates, own = [getattr(row, name) for name in BOOK_RATE_FIELDS], row.own
        if unit == "tokens" and key.request_body == REQUEST_BODY_MEDIA:
            image = per_image and self.prices.quote(model_id, region, day, tier="base", mode=mode, unit="image")
            if not image or image.row.per_unit is None:
                return _unpriced(unit, NO_MEDIA_PRICE)
            rates[BOOK_RATE_FIELDS.index("per_unit")] = image.row.per_unit
            own = own or image.row.own
        return [*rates, unit, mode, None, self._book_tier(row, model_id, region, day, mode),
                *self._book_mode(row, model_id, region, mode), own, images_are_calls]

    def _book_tier(self, row: PriceRow, model_id: str, region: str, day: date, mode: str) -> str | None:
        """The tier of ``row`` when it is a built-in row pricing calls the price file prices in other tiers only (a
        call over 200K input tokens at the book's ``above_200k`` rate beside the user's ``base`` row), else None."""
        if row.own or not self.prices.has_own_rows:
            return None
        own = self.prices.own_tiers(model_id, region, day, mode, row.unit)
        return row.tier if own and row.tier not in own else None

    def _book_mode(self, row: PriceRow, model_id: str, region: str, mode: str) -> tuple[str | None, str | None]:
        """The mode and rates (``book_rate``) of ``row`` when it is a built-in row pricing calls of ``mode`` where
        the price file prices the model's calls of that family and Region in other modes only (a latency-optimized
        call at the book's latency rate beside the user's standard row), else None and None."""
        if row.own or not self.prices.has_own_rows:
            return None, None
        own = self.prices.own_modes(model_id, region)
        return (mode, book_rate(row)) if own and mode not in own else (None, None)

    def _one_image_per_call(self, model_id: str) -> bool:
        """True for a model of Stability AI whose requests carry no image count, size or quality (its SD3 and Stable
        Image models; not SDXL, whose ``samples``, ``width`` and ``height`` are read from a logged request) and whose
        responses hold one image (Amazon Bedrock User Guide, "Stable Image Ultra request and response" and the
        Stability AI model pages): each call is one image, priced at the tier a logged request of it gets, so its
        price needs nothing of a request body that was not logged or went to ``/data/`` (an upscale or edit request
        carries its image: most are over 100 KB). A price file's rows for the model are read as for any call."""
        book_model = self.prices.book_model(parse_model_id(model_id).base_id) or ""
        return book_model.startswith(STABILITY_PREFIX) and not book_model.startswith(STABILITY_COUNTED)

    def _takes_media(self, model_id: str) -> bool:
        """True for a model whose calls may give media (``MEDIA_MODELS``): unknown without a logged request body."""
        return self.prices.book_model(parse_model_id(model_id).base_id) in MEDIA_MODELS

    def _unit_tier(self, model_id: str, unit: str, key: PricingKey) -> str | None:
        """The book tier of a call billed per ``unit`` other than tokens (None for tokens, or when the book has
        none for the call's image size or video resolution)."""
        if unit == "image":
            return _image_tier(self.prices.tiers(model_id, "image"), key.media_size or DEFAULT_IMAGE_SIDE,
                               key.image_quality)
        if unit == "second":
            return _video_tier(self.prices.tiers(model_id, "second"), key.media_size)
        return "base" if unit == "query" else None


def _unpriced(unit: str, reason: str) -> list[object]:
    """The rates table's row of a pricing key without a price: no rates, its unit and the reason."""
    return [*[None] * len(RATE_COLUMNS), unit, None, reason, None, None, None, False, False]


def _failed_units(unit: str) -> list[object]:
    """The rates table's row of failed calls to a model billed per ``unit`` (image, second, query): priced at $0,
    as a failed call makes and bills none, whatever became of its request body; its logged tokens, like those of
    any call of such a model, are not billed."""
    return [*[None] * len(RATE_COLUMNS), unit, None, None, None, None, None, False, False]


def _image_tier(tiers: list[str], side: int, quality: str) -> str | None:
    """The image tier of the book that prices an image of ``side`` pixels (longer side) and ``quality``: the
    smallest size class that holds it; above them all, the ``any`` class when the book has one (SDXL 0.8 prices
    every size over 512 px so), else the largest class (a model's largest published class covers the larger sizes
    it makes: Titan Image Generator's 1152 x 896 is billed as 1024 x 1024)."""
    sizes = sorted((int(size), tier) for tier in tiers for _, size, tier_quality in [tier.split("_")]
                   if tier_quality == quality and size != "any")
    fitting = next((tier for limit, tier in sizes if side <= limit), None)
    flat = f"image_any_{quality}" if f"image_any_{quality}" in tiers else None
    return fitting or flat or (sizes[-1][1] if sizes else None)


def _video_tier(tiers: list[str], lines: int) -> str | None:
    """The video tier of the book that prices a video of ``lines`` (720 for 720p): a model's only tier, else the
    one of its resolution (Luma Ray2 prices 540p and 720p apart); None when the request named none the book has
    (``lines`` is 0 when a Luma request logged no ``duration``, so no length is guessed for it)."""
    if len(tiers) == 1:
        return tiers[0]
    return f"video_{lines}" if f"video_{lines}" in tiers else None


NO_PRICE = "no price for this model, region and endpoint"
UNRESOLVED_PROFILE = ("an application inference profile whose model is not known: name it in an inference-profiles "
                      "file, see docs/governance.md")
PROVISIONED = "Provisioned Throughput, billed per model-unit hour, not per token: see the bill or Cost Explorer"
# A call through a prompt router whose logged response does not name the model it chose (InvokeModel's responses hold
# no trace; an error has none; a response over 100 KB is delivered apart under /data/, which reports do not read).
UNROUTED = ("prompt router: the model it chose is not in the logged response (only a Converse or ConverseStream "
            "response logged inline names it)")
# Why a call through an ARN that names no model of the book is unpriced, by its endpoint (``ModelRef.endpoint``).
OPAQUE_ENDPOINT_REASONS = {
    "application-profile": UNRESOLVED_PROFILE, "provisioned": PROVISIONED, PROMPT_ROUTER: UNROUTED,
    # Amazon Bedrock pricing, "Custom Model Import": billed for the model copies active in each 5-minute window.
    "imported": "Custom Model Import, billed per custom model unit per 5-minute window, not per token: see the bill "
                "or Cost Explorer",
    "custom-deployment": "a custom model deployment (on-demand inference of a customized model), which the price book "
                         "does not price: see the bill or Cost Explorer",
    # Amazon Bedrock User Guide, "Amazon Bedrock Marketplace": the model runs on the SageMaker endpoint it was given
    "marketplace": "a Bedrock Marketplace model on a SageMaker endpoint, billed for the endpoint's instances (and any "
                   "provider fee), not per token: see the bill or Cost Explorer",
}
NEEDS_BODY = "needs body logging"
# A logged request asking a count no call can be billed (engines/queries.py, ``REQUEST_BODY_IMPOSSIBLE``).
IMPOSSIBLE_UNITS = ("the logged request asks a number of images, seconds of video or rerank queries no call is "
                    "billed (below 1 or over 1,000): a damaged or hand-made record")
# Media given to an embeddings model without a price for them (Nova Multimodal Embeddings), or its async job.
NO_MEDIA_PRICE = "no price for the images, video or audio given, or for an asynchronous embedding job"
BODY_OFFLOADED = "request body over 100 KB, delivered apart under /data/, which reports do not read"
STABILITY_PREFIX = "stability."
STABILITY_COUNTED = "stability.stable-diffusion-xl"  # SDXL: its requests give the count and size of its images
# What a model's offloaded request body holds that its calls' price needs, by the model's unit: the number of images
# (with their size and quality), the length of a video, the documents of a rerank call, the media given an embeddings
# model. The report reads no /data/ object, so these calls stay unpriced rather than priced as one image or 0 (but
# for a model that makes one image per call at one price: ``_one_image_per_call``).
OFFLOADED_UNITS = {
    "image": "the images billed are known only there",
    "second": "the seconds of video billed are known only there",
    "query": "the rerank queries billed are known only there",
    "tokens": "the media given are known only there",
}
NO_TIER = "no price for this image size or video resolution"
# A call past a context threshold the model is priced at elsewhere (another endpoint, mode or day), but not for its own.
NO_CONTEXT_TIER = "no long-context price for this model's endpoint, region and day"
NO_VIDEO_REQUEST = "the request holds no video length or resolution"  # a model priced by resolution (Luma Ray2)
NEEDS_AUDIO_SPLIT = "speech and text tokens are not split in the logs"
# A model whose book row prices output tokens but no input: its input is billed in other units (Pegasus: seconds of
# video) that the logs do not hold, so an output-only cost would understate the call.
INPUT_NOT_IN_TOKENS = "input billed per second of video, which the logs do not hold"
# The price-book mode of each service tier a call can be served in (Bedrock Runtime API, ``ServiceTier``), and of a
# call served with optimized latency (``performanceConfig.latency``: Amazon Bedrock User Guide, "Optimize model
# inference for latency"); a reserved call is paid for by its reservation.
SERVICE_TIER_MODES = {DEFAULT_TIER: "standard", "standard": "standard", "flex": "flex", "priority": "priority",
                      LATENCY_OPTIMIZED: "latency"}
# Why a call served in a tier other than standard is unpriced when the book has no rate of its mode, by mode.
TIER_NO_PRICE = {mode: f"no {name} price for this model, region and endpoint" for mode, name in MODE_RATE_NAMES.items()}
SERVICE_TIER_REASONS = {"reserved": "reserved tier: paid for by the reservation, not per call"}
UNKNOWN_SERVICE_TIER = "served in a service tier the book does not know"
DEFAULT_IMAGE_SIDE = 1024  # Titan Image Generator, Nova Canvas and SDXL make 1024 x 1024 images unless told


def rollup(facts: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Sum calls, tokens and costs of priced facts by ``keys`` (``PricedRows.rollups``)."""
    return PricedRows.of_frame(facts).rollup(keys)


def narrowed(report: UsageReport, keep: pd.Series, **filters: object) -> UsageReport:
    """The report over the fact rows where ``keep`` holds (a model filter, a drill-down), ``filters`` added to
    its filters; the scan's figures and the rewriter's warnings stay, the unpriced models and the warnings of the
    facts are recomputed."""
    return refigured(report, report.facts.loc[keep.to_numpy()].reset_index(drop=True), **filters)


def refigured(report: UsageReport, facts: pd.DataFrame, **filters: object) -> UsageReport:
    """The report over ``facts`` (some of its fact rows, or its rows named otherwise), ``filters`` added to its
    filters: the summary, tables, unpriced models and warnings of the facts (the price file's too) computed again."""
    rows = PricedRows.of_frame(facts)
    tag_tables = [name for name in report.tables if name.startswith("tag:")]
    result = replace(report, filters={**report.filters, **filters}, summary=rows.summary(),
                     tables=rows.tables(tag_tables), unpriced=rows.unpriced(), facts=facts,
                     price_warnings=report.price_notes.warnings(rows.priced_calls),
                     price_file=report.price_file if rows.price_file_calls() else None)
    result.warnings = (build_warnings(result, unknown_warnings(*rows.calls_without())) + result.price_warnings
                       + report.rewriter_warnings)
    return result


def build_warnings(report: UsageReport, fact_warnings: list[str]) -> list[str]:
    """Plain-language warnings about anything that makes the figures incomplete, after ``fact_warnings`` (calls
    without a caller or a model, from ``_unknown_warnings``); each a ``Notice`` a page words in its language."""
    warnings = list(fact_warnings)
    for row in report.plain_unpriced().records():
        model = row["model_id"] if is_text(row["model_id"]) else UNKNOWN_MODEL
        region = row["source_region"] if is_text(row["source_region"]) else NO_REGION
        read, write = row["cache_read_tokens"], row["cache_write_tokens"]
        cache = clause(f" / {read:,} cache read / {write:,} cache write" if read or write else "", "unpriced_cache",
                       read=read, write=write)
        why = row["reason"] if row["reason"] and row["reason"] != NO_PRICE else ""
        reason = clause(f" ({why})" if why else "", "unpriced_reason", reason=why)
        warnings.append(Notice(
            f"{UNPRICED}{reason}: {model} in {region}: {counted(row['calls'], 'call')}, "
            f"{row['input_tokens']:,} input / {row['output_tokens']:,} output{cache} tokens have no price",
            "unpriced", reason=reason, model=model, region=region, calls=row["calls"], input=row["input_tokens"],
            output=row["output_tokens"], cache=cache))
    calls, tokens = (int(report.summary.get(name, 0)) for name in SPLIT_UNKNOWN)
    if calls:
        warnings.append(Notice(
            f"{split_unknown_note(calls)}: {tokens:,} cache write tokens of responses over 100 KB, delivered apart "
            "under /data/, which reports do not read, whose requests do not say one time to live (not logged inline, "
            "or asking 5 minutes and 1 hour); any 1-hour writes among them cost more than shown",
            "split_unknown", calls=calls, tokens=tokens))
    if report.stats.duplicate_records:
        count = report.stats.duplicate_records
        duplicates = counted(count, "duplicate delivery", "duplicate deliveries")
        warnings.append(Notice(f"ignored {duplicates} of records already counted (same requestId and timestamp)",
                               "duplicates", count=count))
    warnings += _skipped_record_warnings(report)
    for reason, count in sorted(report.stats.skipped_objects.items()):
        if reason != PAYLOAD_OBJECTS:
            named = _named(count, report.stats.skipped_examples.get(reason, []))
            warnings.append(Notice(f"skipped {counted(count, 'object')}: {reason}{named}", "skipped_objects",
                                   count=count, reason=reason, named=named))
    if report.stats.objects_not_utf8:
        count = report.stats.objects_not_utf8
        named = _named(count, report.stats.not_utf8_examples)
        warnings.append(Notice(f"{counted(count, 'object')} held bytes that are not UTF-8; read with replacement "
                               f"characters{named}", "not_utf8", count=count, named=named))
    for region, message in sorted(report.stats.failed_regions.items()):
        warnings.append(Notice(f"region {region} failed and is missing from the figures: {message}", "region_failed",
                               region=region, message=message))
    for folder, regions in _regions_by(report.stats.regions_without_logs).items():
        warnings.append(Notice(
            f"no logs of {', '.join(regions)} under {folder}, though asked for: "
            f"{'its figures are' if len(regions) == 1 else 'their figures are'} unknown, not zero",
            "regions_without_logs", regions=regions, folder=folder))
    for why, regions in _regions_by(report.stats.unread_regions).items():
        warnings.append(Notice(f"logs of {', '.join(regions)} are not read: {why}", "regions_unread", regions=regions,
                               why=why))
    for region, unread in sorted(report.stats.days_not_projected.items()):
        spans, why = unread.spans(), unread.why(region)
        warnings.append(Notice(f"the logs of {spans} in {region} are not read, so their figures are unknown, not zero: "
                               f"{why}", "days_not_projected", spans=spans, region=region, why=why))
    warnings += [unchecked.note(region) for region, unchecked in sorted(report.stats.projections_not_checked.items())]
    warnings += [expired.note(region) for region, expired in sorted(report.stats.days_expired.items())]
    warnings += [archived.note(region) for region, archived in sorted(report.stats.days_maybe_archived.items())]
    warnings += [note for _, note in sorted(report.stats.lifecycle_not_checked.items())]
    for copy, regions in _regions_by(report.stats.earlier_compacted).items():
        warnings.append(Notice(
            f"the compacted copy an earlier version made in {', '.join(regions)} ({copy}) is not read, as it lacks "
            "what reports now read: its days come from the JSON logs (more bytes scanned) and have no figures where "
            "those logs were deleted; setup_athena_bucket.py --compact copies them again (or records the copy's "
            "first day)", "earlier_compacted", regions=regions, copy=copy))
    if not report.summary["calls"] and not report.records_skipped and not report.stats.failed_regions:
        warnings.append(_no_calls(report))
    warnings += _tags_never_seen(report)
    return warnings


def _skipped_record_warnings(report: UsageReport) -> list[str]:
    """A line per reason records were skipped for, naming the first objects holding them, as objects skipped are."""
    filtered = any(report.filters.get(name) for name in ("arn_pattern", "user_pattern", "models"))
    skipped = report.skipped_records
    lines: list[str] = []
    for code, reason in SKIPPED_RECORD_REASONS.items():
        count = skipped.counts.get(code, 0)
        if not count:
            continue
        unfiltered = clause(
            "; a skipped record's caller and model are not read, so the filters (--arn-pattern, --model, "
            "--user-pattern) cannot leave it out: some may be of other callers or models" if filtered else "",
            "skipped_records_filtered")
        named = _named(skipped.object_counts.get(code, 0), skipped.objects.get(code, []))
        lines.append(Notice(f"skipped {counted(count, 'record')}: {reason}{named}{unfiltered}", "skipped_records",
                            count=count, reason=reason, named=named, filtered=unfiltered))
    return lines


def none_readable(period: Period, stats: ScanStats) -> Notice | None:
    """Why no report is made when the period's log objects were all skipped as unreadable and none was read (a $0
    report would read as no spend): how many, and why, the most common reason first; None otherwise."""
    skipped = stats.record_objects_skipped()
    if stats.objects_read or not skipped:
        return None
    reasons = sorted(skipped.items(), key=lambda item: (-item[1], item[0]))
    why = [Notice(f"{count:,} {reason}{named}", "unreadable_reason", count=count, reason=reason, named=named)
           for reason, count in reasons
           for named in [_named(count, stats.skipped_examples.get(reason, [])[:1])]]
    count, label = sum(skipped.values()), period.label()
    return Notice(f"none of the {counted(count, 'log object')} of {label} could be read, so no report is made ($0 "
                  f"would read as no spend): {'; '.join(why)}; read the logs as Bedrock delivers them (whole, "
                  "gzip-compressed .json.gz objects you may read)", "none_readable", count=count, period=label,
                  why=why)


def none_logged(regions: tuple[str, ...], stats: ScanStats) -> Notice | None:
    """Why no report is made when no region asked for has logs under the folder (a $0 report would read as no spend):
    the regions, and those the folder has logs of; None otherwise."""
    missing = stats.regions_without_logs
    if not regions or not all(region in missing for region in regions):
        return None
    folders = list(dict.fromkeys(missing[region] for region in regions))
    present = sorted(region for region in stats.unread_regions if region in REGION_NAMES)
    has = Notice(f"it has logs of {', '.join(present)}: ask for those regions", "logs_of_other_regions",
                 regions=present) if present else Notice("it has logs of no Amazon Bedrock region", "logs_of_no_region")
    return Notice(f"no logs of {', '.join(regions)} under {', '.join(folders)}, so no report is made ($0 would read "
                  f"as no spend): {has}", "none_logged", regions=list(regions), folders=folders, has=has)


def none_projected(period: Period, regions: tuple[str, ...], stats: ScanStats) -> str | None:
    """Why no report is made when Athena reads none of the period's days in any region (the logs table's partition
    projection leaves them all out, or the region failed): a $0 report would read as no spend; None otherwise."""
    unread = stats.days_not_projected
    if not unread or not all(region in stats.failed_regions or region in unread and unread[region].every_day
                             for region in regions):
        return None
    return refusal(period.label(), unread)


def _named(count: int, examples: list[str]) -> Notice | str:
    """`` (a, b)`` naming the objects a warning counts, `` (first: a, b, c)`` when it counts more."""
    first = count > len(examples)
    return clause(f" ({'first: ' if first else ''}{', '.join(examples)})" if examples else "",
                  "named_first" if first else "named", examples=list(examples))


def _tags_never_seen(report: UsageReport) -> list[str]:
    """A line per ``--tag`` key no call of the report carries: most often a key spelt otherwise than the calls'
    (``costcenter`` for ``cost_center``), which would put every call under (none) without a word."""
    lines: list[str] = []
    if not report.summary["calls"]:
        return lines
    for name in report.tables:
        if name.startswith("tag:"):
            values = report.tables.plain(name).column(name)
            if not any(is_text(value) for value in values):
                key = name.removeprefix("tag:")
                lines.append(Notice(f"{absent_tag_note(key)}: its table has every call under (none)", "tag_absent",
                                    key=key))
    return lines


def absent_tag_note(key: str) -> str:
    """What a report says of a tag key no call of its period carries."""
    return f"no call in the period carries the requestMetadata key '{key}' (keys are matched as written, case included)"


def _no_calls(report: UsageReport) -> str:
    """Why a report may have no calls: its filters, or dates and regions the logs do not cover."""
    where = f"{report.period.label()} in {', '.join(report.regions) or 'no region'}"
    active = {name: value for name, value in report.filters.items() if value}
    period, regions = report.period.label(), list(report.regions)
    if any(" " in model for model in active.get("models", [])):  # model names have spaces, logged ids none
        return Notice(f"no calls of the models asked for in {where}: --model takes model ids as logged "
                      "(e.g. us.anthropic.claude-sonnet-4-5-20250929-v1:0), not the names the tables show",
                      "no_calls_model_names", period=period, regions=regions)
    if active:
        return Notice(f"no calls match the filters in {where}", "no_calls_filtered", period=period, regions=regions)
    stats = report.stats
    if stats.tables_read:
        size, tables = data_size(stats.bytes_read), " and ".join(stats.tables_read)
        read = Notice(f"Athena scanned {size} of {tables}", "athena_scanned", size=size, tables=tables)
    else:
        read = Notice(f"{counted(stats.objects_read, 'log object')} read", "objects_read", count=stats.objects_read)
    return Notice(f"no calls in {where} ({read}): check the dates and regions, and that the logs of these days are "
                  "there", "no_calls", period=period, regions=regions, read=read)


def _regions_by(value_of: dict[str, str]) -> dict[str, list[str]]:
    """The regions of ``value_of`` (region -> folder, reason or copy) grouped by their value, each group in name order:
    one warning line per value, so a one-region run names the other regions once."""
    grouped: dict[str, list[str]] = {}
    for region, value in sorted(value_of.items()):
        grouped.setdefault(value, []).append(region)
    return grouped


def unknown_warnings(no_caller: int, no_model: int) -> list[str]:
    """What to say of calls without a caller or a model id: counted under ``(unknown caller)`` /
    ``(unknown model)``."""
    warnings = []
    if no_caller:
        warnings.append(Notice(f"{counted(no_caller, 'call')} without a caller (identity.arn): counted as "
                               f"{UNKNOWN_CALLER}", "no_caller", calls=no_caller))
    if no_model:
        warnings.append(Notice(f"{counted(no_model, 'call')} without a modelId: counted as {UNKNOWN_MODEL}, unpriced",
                               "no_model", calls=no_model))
    return warnings
