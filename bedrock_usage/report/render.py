"""Renderers of a UsageReport: aligned terminal tables, one CSV per analysis, and one JSON document."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from pathlib import Path

from ..engines.base import PAYLOAD_OBJECTS
from ..lazy_modules import lazy
from ..output.files import new_files, write_text
from ..output.files import write_csv as write_csv_file
from ..output.json_values import document_text, json_records, json_value
from ..output.plain_table import PlainTable
from ..output.terminal_table import money, text_table, visible
from .priced_facts import GROUP_KEYS, METRICS, TOTAL_COST
from .tracker import COST_NOTE, TOKENS_NOTE, UsageReport

pd = lazy("pandas")

SCHEMA_ID = "bedrock-usage/report/v1"
DATA_SOURCE = "Model Invocation Logs, exact tokens"

TITLES = {
    "user": "Usage by user",
    "application": "Usage by application",
    "user-app": "Usage by user x application x model x region",
    "model": "Usage by model",
    "daily": "Daily usage",
    "hourly": "Hourly usage (hour of day)",
    "region": "Usage by source region",
    "weekday-hour": "Usage by weekday and hour",
}
_TERMINAL_METRICS = {
    "calls": "Calls",
    "errors": "Errors",
    "input_tokens": "Input",
    "output_tokens": "Output",
    "cache_read_tokens": "Cache read",
    "cache_write_tokens": "Cache write",
    TOTAL_COST: "Cost (USD)",
}
_KEY_LABELS = {
    "user": "User",
    "principal_type": "Type",
    "principal": "Principal",
    "application": "Application",
    "model": "Model",
    "endpoint": "Endpoint",
    "source_region": "Region",
    "day": "Day",
    "hour": "Hour",
    "weekday": "Weekday",
}


def selected_analyses(choice: str, report: UsageReport) -> list[str]:
    """The tables an ``--analysis`` choice prints (``summary`` prints none); ``all`` adds the ``--tag`` tables."""
    if choice == "all":
        tags = [name for name in report.tables if name.startswith("tag:")]
        return ["user", "application", "user-app", "model", "daily", "hourly", "region", *tags]
    return [] if choice == "summary" else [choice]


def format_cost(value: float) -> str:
    """A cost in the terminals' money format; ``unpriced`` for a missing price. Files keep the full figure."""
    return money(value, missing="unpriced")


def _cell(column: str, value: object) -> str:
    if column == TOTAL_COST:
        return format_cost(value)  # type: ignore[arg-type]
    if isinstance(value, int | float) and not isinstance(value, bool) and column in (*METRICS, "unpriced_calls"):
        return f"{int(value):,}"
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def analysis_table(table: PlainTable, keys: list[str], max_rows: int, summary: dict[str, float | int]) -> str:
    """An aligned table of ``table`` with a totals row over all its rows: the report's totals (``summary``), as every
    table splits the same calls, so each totals row shows the summary's figures (no sum of rounded parts).

    An ``Unpriced`` column appears when some calls have no price: their rows' cost covers the priced calls only.
    A table cut at ``max_rows`` keeps its first rows, a daily one its latest days; the hours of the day are never
    cut (24 rows at most).
    """
    metrics = dict(_TERMINAL_METRICS)
    if summary["unpriced_calls"]:
        metrics["unpriced_calls"] = "Unpriced"
    columns = [*keys, *metrics]
    header = [_KEY_LABELS.get(k, k) for k in keys] + list(metrics.values())
    records = table.records(columns)
    cut = max_rows > 0 and len(records) > max_rows and keys != ["hour"]
    latest = keys[0] == "day"
    if cut:
        records = records[-max_rows:] if latest else records[:max_rows]
    body = [[_cell(c, row[c]) or ("(none)" if c in keys else "") for c in columns] for row in records]
    totals = {c: summary[c] for c in (*METRICS, "unpriced_calls")}
    priced = any(not math.isnan(cost) for cost in table.column(TOTAL_COST))
    totals[TOTAL_COST] = summary[TOTAL_COST] if priced or not len(table) else math.nan  # NaN: nothing has a price
    total_row = ["TOTAL", *[""] * (len(keys) - 1), *[_cell(c, totals[c]) for c in metrics]]
    return text_table(
        header, body, right=[c in metrics for c in columns], total=total_row, hidden=len(table) - len(records),
        hidden_rows=("earlier day", "earlier days") if latest else ("more row", "more rows"),
    )


def render_terminal(report: UsageReport, analyses: list[str], max_rows: int) -> str:
    """The whole report as terminal text."""
    s = report.summary
    stats = report.stats
    lines = [
        "Amazon Bedrock usage",
        f"Period:      {report.period.label()}",
        f"Regions:     {', '.join(report.regions)}",
        f"Data source: {DATA_SOURCE} ({visible(report.engine)})",
    ]
    active = {k: v for k, v in report.filters.items() if v}
    if active:
        lines.append(f"Filters:     {visible(', '.join(f'{k}={v}' for k, v in active.items()))}")
    engine_cost = f"; query cost ${stats.cost_usd:,.4f}" if stats.cost_usd else ""
    payload = stats.skipped_objects.get(PAYLOAD_OBJECTS, 0)
    skipped_objects = sum(stats.skipped_objects.values()) - payload
    read = (
        f"Athena scanned {stats.bytes_read / 1e6:,.1f} MB{engine_cost}"
        if stats.cost_usd
        else f"{stats.objects_read:,} log objects, {stats.bytes_read / 1e6:,.1f} MB"
    )
    lines.append(
        f"Read:        {read}; {report.records_skipped:,} records skipped; {skipped_objects:,} objects skipped; "
        f"{payload:,} body objects under /data/ ignored"
    )
    if stats.compacted_through:
        days = ", ".join(f"{region} through {day}" for region, day in sorted(stats.compacted_through.items()))
        lines.append(f"Compacted:   days read from the Parquet table: {days}")
    lines += [
        "",
        "Summary",
        f"  Calls:              {s['calls']:,} ({s['errors']:,} errors)",
        f"  Input tokens:       {s['input_tokens']:,}",
        f"  Output tokens:      {s['output_tokens']:,}",
        f"  Cache read tokens:  {s['cache_read_tokens']:,}",
        f"  Cache write tokens: {s['cache_write_tokens']:,}",
        f"  Estimated cost:     {format_cost(s[TOTAL_COST])}  (input {format_cost(s['input_cost_usd'])}, "
        f"output {format_cost(s['output_cost_usd'])}, cache write {format_cost(s['cache_write_cost_usd'])}, "
        f"cache read {format_cost(s['cache_read_cost_usd'])})",
        f"  Users / applications / models: {s['users']:,} / {s['applications']:,} / {s['models']:,}",
        f"  Tokens are {TOKENS_NOTE}.",
        f"  Cost is {COST_NOTE}.",
    ]
    if s["unpriced_calls"]:
        lines.append(f"  Unpriced calls:     {s['unpriced_calls']:,} (not in the cost; see warnings)")
    if s.get("guardrail_interventions"):
        lines.append(f"  Guardrail interventions: {s['guardrail_interventions']:,} (from logged Converse responses)")
    for name in analyses:
        title = TITLES.get(name, f"Usage by requestMetadata tag {name.removeprefix('tag:')}")
        lines += ["", title, analysis_table(report.tables.plain(name), GROUP_KEYS.get(name, [name]), max_rows, s)]
    if report.warnings:
        lines += ["", "Warnings"] + [f"  - {visible(w)}" for w in report.warnings]
    return "\n".join(lines)


def report_document(report: UsageReport, analyses: list[str]) -> dict[str, object]:
    """The stable JSON document (schema ``bedrock-usage/report/v1``)."""
    period = report.period
    summary = {k: json_value(v) for k, v in report.summary.items()}
    return {
        "schema": SCHEMA_ID,
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "service": "bedrock",
        "source": {"data": DATA_SOURCE, "engine": report.engine},
        "accuracy": {"tokens": TOKENS_NOTE, "cost": COST_NOTE},
        "period": {
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "tz": period.tz,
            "days": period.days,
            "utc_start": period.utc_start.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "utc_end_exclusive": period.utc_end.strftime("%Y-%m-%dT%H:%M:%SZ"),
        },
        "regions": list(report.regions),
        "filters": report.filters,
        "summary": summary,
        "analyses": {name: json_records(report.tables.plain(name)) for name in analyses},
        "unpriced_models": json_records(report.plain_unpriced()),
        "scan": {
            "objects_read": report.stats.objects_read,
            "bytes_read": report.stats.bytes_read,
            "records_skipped": report.records_skipped,
            "duplicate_records_ignored": report.stats.duplicate_records,
            "objects_skipped": dict(report.stats.skipped_objects),
            "objects_skipped_examples": report.stats.skipped_examples,
            "failed_regions": report.stats.failed_regions,
            "regions_without_logs": report.stats.regions_without_logs,
            "engine_cost_usd": json_value(report.stats.cost_usd),
            "compacted_through": report.stats.compacted_through,
        },
        "warnings": report.warnings,
    }


def output_stem(report: UsageReport, now: datetime | None = None) -> str:
    """``bedrock_analysis_us-east-1_20251019_214611`` (``multi-region`` for several regions)."""
    stamp = (now or datetime.now()).strftime("%Y%m%d_%H%M%S")
    where = report.regions[0] if len(report.regions) == 1 else "multi-region"
    return f"bedrock_analysis_{where}_{stamp}"


def write_json(report: UsageReport, analyses: list[str], out_dir: Path) -> Path:
    """Write the JSON document under a name no other run has taken; return its path."""
    (path,) = new_files(out_dir, output_stem(report), [".json"])
    return write_text(path, document_text(report_document(report, analyses)))


def write_csv(report: UsageReport, analyses: list[str], out_dir: Path) -> list[Path]:
    """Write one CSV per analysis plus ``summary`` (each row with ``period_start``, ``period_end``, ``tz``)."""
    frames = {"summary": pd.DataFrame([report.summary])} | {name: report.tables[name] for name in analyses}
    if len(report.plain_unpriced()):
        frames["unpriced"] = report.unpriced
    names = [f"_{name.replace('-', '_')}.csv" for name in frames]
    period = report.period
    paths = new_files(out_dir, output_stem(report), names)
    for path, frame in zip(paths, frames.values(), strict=True):
        # Every row names its period, so a file read on its own (e.g. by a chargeback job) is unambiguous.
        write_csv_file(path, frame.assign(
            period_start=period.start.isoformat(), period_end=period.end.isoformat(), tz=period.tz
        ))
    return paths

