"""BedrockAthenaTracker: priced usage tables from Model Invocation Logs, for the dashboard and the CLI.

One engine query returns usage facts; each fact row is priced for its model, source region, endpoint
family, UTC day and context tier; every analysis is a roll-up of the priced facts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Protocol

import numpy as np
import pandas as pd

from ..engines.base import PAYLOAD_OBJECTS, Engine, QueryResult, ScanStats, Scope
from ..engines.queries import BODY_MEASURES, FACT_DIMENSIONS, FACT_MEASURES, Filters, tag_column, usage_facts_query
from ..logs.identity import DEFAULT_ROLE_SUFFIX, Principal, derive_principal
from ..logs.period import Period
from ..logs.regions import requested_regions
from ..output.progress import Progress, Reporter, silent
from ..pricing import RATE_FIELDS, PriceBook, parse_model_id
from .stored import DeferredFacts, Finished, keep_finished, load_finished, loaded_state, report_key

DEFAULT_APPLICATION_TAGS = ("application_name",)
COST_COLUMNS = ("input_cost_usd", "output_cost_usd", "cache_write_cost_usd", "cache_read_cost_usd")
TOTAL_COST = "estimated_cost_usd"
PRICING = "pricing"
KEPT_NOTE = "kept from an earlier refresh"
ANALYSES = ("summary", "user", "application", "user-app", "model", "daily", "hourly", "region")
UNKNOWN_CALLER = "(unknown caller)"  # a record without identity.arn
UNKNOWN_MODEL = "(unknown model)"  # a record without modelId
TOKENS_NOTE = "exact: token counts from Model Invocation Logs"
COST_NOTE = (
    "estimated: logged tokens (and images, video seconds and rerank queries from logged request bodies) x list "
    "prices of the price book for the model, source region, endpoint family, context tier and day (cache writes "
    "at the 5-minute rate unless the logged response says 1 hour)"
)

GROUP_KEYS: dict[str, list[str]] = {
    "user": ["user", "principal_type", "principal"],
    "application": ["application"],
    "user-app": ["user", "application", "model", "source_region"],
    "model": ["model", "endpoint"],
    "daily": ["day"],
    "hourly": ["hour"],
    "region": ["source_region"],
    "weekday-hour": ["weekday", "hour"],
}


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
    report reads them from the cache when first used (``report.stored``).
    """

    period: Period
    regions: tuple[str, ...]
    filters: dict[str, object]
    engine: str
    summary: dict[str, float | int]
    tables: dict[str, pd.DataFrame]
    unpriced: pd.DataFrame
    stats: ScanStats
    records_skipped: int
    facts: pd.DataFrame = DeferredFacts()
    warnings: list[str] = field(default_factory=list)

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
        facts, skipped = self._priced(result, progress)
        return facts, result.stats, skipped

    def analyze(
        self,
        period: Period,
        regions: tuple[str, ...] | list[str] | None = None,
        filters: Filters | None = None,
        user_pattern: str | None = None,
        progress: Reporter = silent,
    ) -> UsageReport:
        """All analyses for a period, from one scan of the logs; no regions (or ``all``) means every region the
        engine finds logs in. ``progress`` hears how far the scan and the pricing got.

        When the engine names its rows exactly (a stored result of the local engine), the finished report is kept
        beside them and a repeated refresh loads it (``report.stored``): the same figures, not computed again.
        """
        asked = requested_regions(list(regions) if regions else None)
        found = self.engine.log_regions() if asked is None else None
        regions = found.regions if found else asked
        filters = filters or Filters()
        result = self._query(period, regions, filters, progress)
        if found:
            unread = result.stats.unread_regions
            unread.update({r: why for r, why in found.unread.items() if r not in unread})
        key = self._report_key(result, user_pattern)
        finished = load_finished(result.shelf, key) if key else None
        if finished is None:
            finished = self._finish(result, user_pattern, progress)
            if key:
                keep_finished(result.shelf, key, finished)
        else:
            result.stats.duplicate_records = finished.duplicate_records
            rows = finished.rows
            progress(Progress(PRICING, rows, rows, "fact rows", note=KEPT_NOTE, finished=True))
        report = UsageReport(
            period=period,
            regions=regions,
            filters={"arn_pattern": filters.arn_pattern, "user_pattern": user_pattern, "models": list(filters.models)},
            engine=self.engine.description,
            summary=finished.summary,
            tables=finished.tables,
            unpriced=finished.unpriced,
            stats=result.stats,
            records_skipped=finished.records_skipped,
            facts=finished.facts,
        )
        report.warnings = build_warnings(report, finished.fact_warnings) + finished.rewriter_warnings
        return report

    def _query(self, period: Period, regions: tuple[str, ...], filters: Filters, progress: Reporter) -> QueryResult:
        """The engine's fact rows of the period, regions and filters."""
        query = usage_facts_query(period, filters, self.tag_keys, self.dimensions)
        first_day, last_day = period.partition_days()
        return self.engine.query(query.sql, query.params, Scope(regions, first_day, last_day), progress)

    def _priced(self, result: QueryResult, progress: Reporter) -> tuple[pd.DataFrame, int]:
        """The engine's rows without unreadable records and duplicates, priced; and the unreadable records' count.
        The duplicates' count goes into the result's scan figures."""
        frame = result.frame
        if frame.empty:  # an engine may return no columns at all for no rows
            columns = [*self.dimensions, *(tag_column(i) for i in range(len(self.tag_keys))), *FACT_MEASURES]
            frame = pd.DataFrame({name: pd.Series(dtype="object") for name in columns})
        unreadable = frame["day"].isna()
        duplicate = frame["duplicate"].fillna(False).astype(bool) & ~unreadable
        result.stats.duplicate_records = int(frame.loc[duplicate, "calls"].sum())
        skipped = int(frame.loc[unreadable, "calls"].sum())
        frame = frame.loc[~unreadable & ~duplicate].drop(columns="duplicate")
        # Engines return groups in any order; a fixed order makes every floating-point sum repeatable.
        frame = frame.sort_values([c for c in frame.columns if c not in FACT_MEASURES], na_position="first")
        frame = frame.reset_index(drop=True)
        progress(Progress(PRICING, 0, len(frame), "fact rows"))
        enriched = self._enrich(frame)
        progress(Progress(PRICING, len(frame), len(frame), "fact rows", finished=True))
        return enriched, skipped

    def _finish(self, result: QueryResult, user_pattern: str | None, progress: Reporter) -> Finished:
        """Price the engine's rows, keep the user filter's rows, and roll them up into every table."""
        facts, skipped = self._priced(result, progress)
        if user_pattern and len(facts):
            facts = facts.loc[facts["user"].str.contains(user_pattern, regex=False)].reset_index(drop=True)
        tables = report_tables(facts, [key for key in self.tag_keys if key not in self.application_tags])
        return Finished(facts, tables, unpriced_models(facts), summarize(facts), skipped,
                        result.stats.duplicate_records, self.rewriter.warnings() if self.rewriter else [],
                        _unknown_warnings(facts))

    def _report_key(self, result: QueryResult, user_pattern: str | None) -> str | None:
        """The key of the finished report of ``result`` (None: not kept)."""
        rewriting = self.rewriter.fingerprint() if self.rewriter else ""
        if result.identity is None or result.shelf is None or rewriting is None:
            return None
        settings = [self.role_suffix, self.application_tags, self.tag_keys, self.dimensions, self.prices.digest,
                    rewriting, user_pattern]
        return report_key(result.identity, settings)

    def _enrich(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Add caller, application, model and price columns to fact rows."""
        frame = self.rewriter.rewrite(frame, self.tag_keys) if self.rewriter else frame.copy()
        for name in ("calls", "errors", "hour", *FACT_MEASURES):
            frame[name] = pd.to_numeric(frame[name]).fillna(0).astype("int64")
        frame["uses_cache"] = frame["uses_cache"].fillna(False).astype(bool)
        for column in ("identity_arn", "source_region", "model_id"):
            frame[column] = frame[column].astype("object").where(frame[column].notna(), None)
        codes, days = pd.factorize(frame["day"], use_na_sentinel=False)
        frame["weekday"] = pd.to_datetime(pd.Series(days)).dt.day_name().take(codes).set_axis(frame.index)

        codes, arns = pd.factorize(frame["identity_arn"], use_na_sentinel=False)
        principals = [self._principal(arn) for arn in arns]
        for attribute in ("principal_type", "principal", "user", "application"):
            frame[attribute] = np.array([getattr(p, attribute) for p in principals], dtype=object)[codes]
        tag_columns = {tag_column(i): tag_table(key) for i, key in enumerate(self.tag_keys)}
        frame = frame.rename(columns=tag_columns)
        for key in reversed(self.application_tags):
            tag = frame[tag_table(key)]
            has_tag = tag.notna() & (tag.astype("string").str.len() > 0)
            frame.loc[has_tag, "application"] = tag[has_tag]

        codes, model_ids = pd.factorize(frame["model_id"], use_na_sentinel=False)
        known = [m if _is_text(m) else None for m in model_ids]
        frame["model"] = np.array([self.prices.display_name(m) if m else UNKNOWN_MODEL for m in known],
                                  dtype=object)[codes]
        frame["endpoint"] = np.array([parse_model_id(m).endpoint if m else "unknown" for m in known],
                                     dtype=object)[codes]
        return self._price(frame)

    def _principal(self, arn: object) -> Principal:
        """The caller of an ARN; a record without one (no ``identity``, a null or empty ``arn``) is the unknown
        caller, counted and named in the warnings."""
        if not _is_text(arn):
            return Principal("unknown", UNKNOWN_CALLER, UNKNOWN_CALLER, UNKNOWN_CALLER)
        return derive_principal(arn, self.role_suffix)

    def _price(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Cost columns per fact row; NaN where the book has no price (the row stays, with its tokens).

        Tokens are priced for the row's model, source region, endpoint family, UTC day and context tier; cache
        writes the logged response says lasted an hour at the 1-hour rate. Images, seconds of video and rerank
        queries (read from logged request bodies) are priced per unit: images and video in the output cost,
        queries in the input cost. A model billed per unit whose calls logged no body is unpriced, with the
        reason ``needs body logging``, never priced at 0. ``frame`` is the caller's own (``_enrich``'s): its
        columns are added in place, without a copy of the facts.
        """
        for name in (*BODY_MEASURES, "context_over", "image_side"):
            frame[name] = pd.to_numeric(frame[name]).fillna(0).astype("int64")
        frame["body_logged"] = frame["body_logged"].fillna(False).astype(bool)
        frame["image_quality"] = frame["image_quality"].fillna("standard")
        keys = ["model_id", "source_region", "utc_day", "context_over", "body_logged", "image_side", "image_quality"]
        units: dict[str, set[str]] = {}
        codes = frame.groupby(keys, sort=False, dropna=False).ngroup().to_numpy()
        _, first_rows = np.unique(codes, return_index=True)
        rates = [
            self._rates(model_id or "", region or "", date.fromisoformat(utc_day), int(context_over), bool(body),
                        int(side), str(quality), units)
            for model_id, region, utc_day, context_over, body, side, quality
            in frame[keys].iloc[first_rows].itertuples(index=False)
        ]
        table = pd.DataFrame(rates, columns=[*_RATE_COLUMNS, "unit", "reason"]).iloc[codes].reset_index(drop=True)
        table.index = frame.index
        unit = table["unit"]
        reason = table["reason"].astype("object")
        cache_5m = frame["cache_write_tokens"] - frame["cache_write_1h_tokens"]
        parts = {
            "input_cost_usd": [("input_tokens", "rate_input")],
            "output_cost_usd": [("output_tokens", "rate_output")],
            "cache_write_cost_usd": [
                (cache_5m, "rate_cache_write_5m"), ("cache_write_1h_tokens", "rate_cache_write_1h")
            ],
            "cache_read_cost_usd": [("cache_read_tokens", "rate_cache_read")],
        }
        for column, terms in parts.items():
            total = pd.Series(0.0, index=frame.index)
            for tokens, rate_name in terms:
                count = frame[tokens] if isinstance(tokens, str) else tokens
                rate = table[rate_name].astype("float64")
                # A kind of token the model never bills (no rate) costs nothing when its count is zero.
                missing = rate.isna() & (count > 0) & reason.isna()
                reason = reason.mask(missing, _MISSING_RATE_REASONS[rate_name])
                total = total + count * rate.fillna(0.0) / 1000.0
            frame[column] = total
        per_unit = table["rate_per_unit"].astype("float64")
        units = {"image": "images", "second": "video_seconds", "query": "rerank_queries"}
        unit_count = pd.Series(0, index=frame.index, dtype="int64")
        for name, measure in units.items():
            unit_count = unit_count.where(unit != name, frame[measure])
        unit_cost = unit_count * per_unit.fillna(0.0)
        frame["output_cost_usd"] += unit_cost.where(unit.isin(["image", "second"]), 0.0)
        frame["input_cost_usd"] += unit_cost.where(unit == "query", 0.0)
        priced = reason.isna()
        for column in COST_COLUMNS:
            frame[column] = frame[column].where(priced)
        frame[TOTAL_COST] = frame[list(COST_COLUMNS)].sum(axis=1, min_count=len(COST_COLUMNS))
        frame["priced"] = frame[TOTAL_COST].notna()
        frame["unpriced_reason"] = reason.where(~frame["priced"], None)
        frame["unpriced_calls"] = np.where(frame["priced"], 0, frame["calls"])
        return frame

    def _rates(self, model_id: str, region: str, day: date, context_over: int, body_logged: bool,
               image_side: int, image_quality: str, units_of: dict[str, set[str]]) -> list[object]:
        """The rates of one kind of fact row, the unit its calls are billed in, and why it is unpriced (or None);
        ``units_of`` keeps the book's units of each model already asked."""
        empty = [np.nan] * len(_RATE_COLUMNS)
        if model_id not in units_of:
            units_of[model_id] = self.prices.units(model_id)
        units = units_of[model_id]
        if not units:
            return [*empty, "tokens", NO_PRICE]
        unit = "tokens" if "tokens" in units else sorted(units)[0]
        if unit != "tokens" and not body_logged:
            return [*empty, unit, NEEDS_BODY]
        tier = None
        if unit == "image":
            tier = _image_tier(self.prices.tiers(model_id, "image"), image_side or DEFAULT_IMAGE_SIDE, image_quality)
        elif unit == "second":
            tiers = self.prices.tiers(model_id, "second")
            tier = tiers[0] if len(tiers) == 1 else None
        elif unit == "query":
            tier = "base"
        if unit != "tokens" and tier is None:
            return [*empty, unit, NO_TIER]
        quote = self.prices.quote(model_id, region, day, context_tokens=context_over + 1 if context_over else 0,
                                  tier=tier)
        if quote is None:
            return [*empty, unit, NO_PRICE]
        row = quote.row
        if unit == "tokens" and row.audio_output is not None:  # speech-to-speech (Nova Sonic): counts mix both
            return [*empty, unit, NEEDS_AUDIO_SPLIT]
        return [*(getattr(row, name) for name in _RATE_FIELDS), unit, None]


def _image_tier(tiers: list[str], side: int, quality: str) -> str | None:
    """The image tier of the book that prices an image of ``side`` pixels (longer side) and ``quality``."""
    fitting = []
    for tier in tiers:
        _, size, tier_quality = tier.split("_")
        if tier_quality != quality:
            continue
        limit = 10**9 if size == "any" else int(size)
        if side <= limit:
            fitting.append((limit, tier))
    return min(fitting)[1] if fitting else None


NO_PRICE = "no price for this model, region and endpoint"
NEEDS_BODY = "needs body logging"
NO_TIER = "no price for this image size or video resolution"
NEEDS_AUDIO_SPLIT = "speech and text tokens are not split in the logs"
DEFAULT_IMAGE_SIDE = 1024  # Titan Image Generator, Nova Canvas and SDXL make 1024 x 1024 images unless told
_RATE_FIELDS = (*RATE_FIELDS, "per_unit")
_RATE_COLUMNS = [f"rate_{name}" for name in _RATE_FIELDS]
_MISSING_RATE_REASONS = {
    "rate_input": "no input price",
    "rate_output": "no output price",
    "rate_cache_write_5m": "no cache write price",
    "rate_cache_write_1h": "no 1-hour cache write price",
    "rate_cache_read": "no cache read price",
}


def _is_text(value: object) -> bool:
    """True for a non-empty string; engines give a missing field as None, NaN or NA."""
    return isinstance(value, str) and value.strip() != ""


def _text_mask(values: pd.Series) -> np.ndarray:
    """``_is_text`` of every value, tested once per distinct value."""
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    return np.array([_is_text(value) for value in uniques], dtype=bool)[codes]


METRICS = ("calls", "errors", "input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens")


def rollup(facts: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Sum calls, tokens and costs by ``keys``; costs stay NaN only where nothing in the group is priced."""
    sums = {name: "sum" for name in (*METRICS, "unpriced_calls")}
    if facts.empty:
        return pd.DataFrame(columns=[*keys, *METRICS, *COST_COLUMNS, TOTAL_COST, "unpriced_calls"])
    grouped = facts.groupby(keys, dropna=False, sort=False)
    table = grouped.agg(sums)
    for column in (*COST_COLUMNS, TOTAL_COST):
        table[column] = grouped[column].sum(min_count=1)
    table = table.reset_index()
    order = keys if keys[0] in ("day", "hour", "weekday") else None
    if order:
        if keys[0] == "weekday":
            table["_order"] = pd.Categorical(table["weekday"], _WEEKDAYS, ordered=True)
            table = table.sort_values(["_order", "hour"]).drop(columns="_order")
        else:
            table = table.sort_values(keys)
    else:
        table = table.sort_values([TOTAL_COST, "calls"], ascending=False, na_position="last")
    columns = [*keys, *METRICS, *COST_COLUMNS, TOTAL_COST, "unpriced_calls"]
    return table[columns].reset_index(drop=True)


_WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def report_tables(facts: pd.DataFrame, tag_keys: Iterable[str] = ()) -> dict[str, pd.DataFrame]:
    """Every analysis table of priced facts, and a ``tag:KEY`` table for each of ``tag_keys``."""
    tables = {name: rollup(facts, keys) for name, keys in GROUP_KEYS.items()}
    for key in tag_keys:
        tables[tag_table(key)] = rollup(facts, [tag_table(key)])
    _add_averages(tables["model"])
    return tables


def narrowed(report: UsageReport, keep: pd.Series, **filters: object) -> UsageReport:
    """The report over the fact rows where ``keep`` holds (a model filter, a drill-down), ``filters`` added to
    its filters; the scan's figures and warnings stay, the unpriced models and their warnings are recomputed."""
    facts = report.facts.loc[keep.to_numpy()].reset_index(drop=True)
    # analyze() puts the scan's own warnings after these
    scan_warnings = report.warnings[len(build_warnings(report, _unknown_warnings(report.facts))):]
    tag_keys = [name.removeprefix("tag:") for name in report.tables if name.startswith("tag:")]
    result = replace(report, filters={**report.filters, **filters}, summary=summarize(facts),
                     tables=report_tables(facts, tag_keys), unpriced=unpriced_models(facts), facts=facts)
    result.warnings = build_warnings(result, _unknown_warnings(facts)) + scan_warnings
    return result


def _add_averages(table: pd.DataFrame) -> None:
    """Per-call averages for the model table."""
    calls = table["calls"].where(table["calls"] > 0)
    for name in ("input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens"):
        table[f"avg_{name}"] = (table[name] / calls).round(1)


def summarize(facts: pd.DataFrame) -> dict[str, float | int]:
    """Totals of the period."""
    summary: dict[str, float | int] = {name: int(facts[name].sum()) if len(facts) else 0 for name in METRICS}
    summary["total_tokens"] = sum(
        summary[n] for n in ("input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens")
    )
    for column in (*COST_COLUMNS, TOTAL_COST):
        summary[column] = float(facts[column].sum()) if len(facts) else 0.0
    summary["unpriced_calls"] = int(facts["unpriced_calls"].sum()) if len(facts) else 0
    summary["guardrail_interventions"] = int(facts["guardrail_interventions"].sum()) if len(facts) else 0
    for name, column in (("users", "user"), ("applications", "application"), ("models", "model")):
        summary[name] = int(facts[column].nunique()) if len(facts) else 0
    return summary


def unpriced_models(facts: pd.DataFrame) -> pd.DataFrame:
    """Models (as logged), regions and reasons of calls the book cannot price, with their tokens."""
    columns = ["model_id", "source_region", "reason", *METRICS]
    if facts.empty:
        return pd.DataFrame(columns=columns)
    rows = facts.loc[~facts["priced"]].rename(columns={"unpriced_reason": "reason"})
    rows = rows.assign(model_id=rows["model_id"].where(_text_mask(rows["model_id"]), None))
    table = rows.groupby(["model_id", "source_region", "reason"], dropna=False)[list(METRICS)].sum().reset_index()
    return table.sort_values("calls", ascending=False)[columns].reset_index(drop=True)


def build_warnings(report: UsageReport, fact_warnings: list[str]) -> list[str]:
    """Plain-language warnings about anything that makes the figures incomplete, after ``fact_warnings`` (calls
    without a caller or a model, from ``_unknown_warnings``)."""
    warnings = list(fact_warnings)
    for row in report.unpriced.itertuples(index=False):
        model = row.model_id if _is_text(row.model_id) else UNKNOWN_MODEL
        region = row.source_region if _is_text(row.source_region) else "(no region)"
        hint = (
            " (an application inference profile: name its model in an inference-profiles file, "
            "see docs/governance.md)"
            if parse_model_id(model).endpoint == "application-profile"
            else ""
        )
        cache = (
            f" / {row.cache_read_tokens:,} cache read / {row.cache_write_tokens:,} cache write"
            if row.cache_read_tokens or row.cache_write_tokens
            else ""
        )
        reason = f" ({row.reason})" if row.reason and row.reason != NO_PRICE else ""
        warnings.append(
            f"unpriced{reason}: {model} in {region}: {row.calls:,} calls, "
            f"{row.input_tokens:,} input / {row.output_tokens:,} output{cache} tokens have no price{hint}"
        )
    if report.stats.duplicate_records:
        warnings.append(
            f"ignored {report.stats.duplicate_records:,} duplicate deliveries of records already counted "
            "(same requestId and timestamp)"
        )
    if report.records_skipped:
        warnings.append(
            f"skipped {report.records_skipped:,} records that are malformed, have no readable timestamp "
            "or have impossible token counts"
        )
    for reason, count in sorted(report.stats.skipped_objects.items()):
        if reason != PAYLOAD_OBJECTS:
            warnings.append(f"skipped {count:,} objects: {reason}")
    for region, message in sorted(report.stats.failed_regions.items()):
        warnings.append(f"region {region} failed and is missing from the figures: {message}")
    for region, why in sorted(report.stats.unread_regions.items()):
        warnings.append(f"logs of {region} are not read: {why}")
    return warnings


def _unknown_warnings(facts: pd.DataFrame) -> list[str]:
    """How many calls have no caller or no model id: counted under ``(unknown caller)`` / ``(unknown model)``."""
    if facts.empty:
        return []
    warnings = []
    no_caller = int(facts.loc[facts["principal_type"] == "unknown", "calls"].sum())
    if no_caller:
        warnings.append(f"{no_caller:,} calls have no caller (identity.arn): counted as {UNKNOWN_CALLER}")
    no_model = int(facts.loc[~_text_mask(facts["model_id"]), "calls"].sum())
    if no_model:
        warnings.append(f"{no_model:,} calls have no modelId: counted as {UNKNOWN_MODEL}, unpriced")
    return warnings
