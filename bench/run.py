"""Every benchmark figure of BENCHMARKS.md in one run, printed as ratios of measurements taken side by side.

The machine may be shared, so compared measurements are interleaved round by round and each figure is the
median of the per-round ratios; absolute times are printed for context only.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402
import pandas as pd  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402
from baselines import gzip_floor, naive_tokens_per_user, seed_scan  # noqa: E402
from corpus import (  # noqa: E402
    DEFAULT_BODY_BYTES,
    DEFAULT_DATA_DIR,
    LAST_DAY,
    CorpusParams,
    ensure_corpus,
    parse_body_bytes,
)
from parse_forms import FORMS as PARSE_FORMS  # noqa: E402
from parse_forms import measure as measure_parse  # noqa: E402
from parse_forms import sample as parse_sample  # noqa: E402
from peers import PEERS  # noqa: E402

from bedrock_usage import bounded_gzip  # noqa: E402
from bedrock_usage.demo.synthetic import CorpusSpec, generate_records  # noqa: E402
from bedrock_usage.demo.writer import write_local  # noqa: E402
from bedrock_usage.engines import local  # noqa: E402
from bedrock_usage.engines.base import QueryResult, Scope  # noqa: E402
from bedrock_usage.engines.columnar_cache import RESULTS, SHELF, ColumnarCache  # noqa: E402
from bedrock_usage.engines.local import LocalEngine  # noqa: E402
from bedrock_usage.logs.period import Period, resolve_period  # noqa: E402
from bedrock_usage.logs.regions import DEFAULT_REGIONS  # noqa: E402
from bedrock_usage.logs.schema import PARTITION_COLUMN, TABLE_NAME  # noqa: E402
from bedrock_usage.output.progress import Reporter, silent  # noqa: E402
from bedrock_usage.report.tracker import BedrockAthenaTracker, UsageReport  # noqa: E402

PERIOD_30 = resolve_period(start="2025-11-01", end="2025-11-30")
PERIOD_7 = resolve_period(start="2025-11-24", end="2025-11-30")
SECTIONS = ("peers", "cold", "refresh", "parse", "economy", "athena", "qdev", "memory", "dashboard")
PEERS_SCRIPT = Path(__file__).resolve().parent / "peers.py"
CLI = ROOT / "bedrock_tracker_cli.py"
# The columns the facts query reads (Athena bills the column chunks it reads from Parquet).
QUERY_COLUMNS = ("timestamp", "requestId", "identity.arn", "region", "inferenceRegion", "modelId", "operation",
                 "errorCode", "input.inputTokenCount", "input.cacheReadInputTokenCount",
                 "input.cacheWriteInputTokenCount", "output.outputTokenCount", "requestMetadata")
SCAN_SQL = (  # touches every column the facts query reads, and nothing else
    'SELECT count("timestamp"), count(requestId), count(identity.arn), count(region), count(inferenceRegion), '
    "count(modelId), count(operation), count(errorCode), sum(input.inputTokenCount), "
    "sum(input.cacheReadInputTokenCount), sum(input.cacheWriteInputTokenCount), sum(output.outputTokenCount), "
    "count(element_at(requestMetadata, 'application_name')), count(\"$path\") "
    f"FROM {TABLE_NAME} WHERE {PARTITION_COLUMN} BETWEEN ? AND ?"
)
_opens: list[str] | None = None


def _audit(event: str, args: tuple) -> None:
    if _opens is not None and event == "open" and isinstance(args[0], str) and args[0].endswith(".json.gz"):
        _opens.append(args[0])


class TimedEngine(LocalEngine):
    """The real engine, timing each query and keeping the SQL it was sent."""

    seconds = 0.0

    def query(self, sql: str, params: Sequence, scope: Scope, progress: Reporter = silent) -> QueryResult:
        started = time.perf_counter()
        result = super().query(sql, params, scope, progress)
        self.seconds = time.perf_counter() - started
        return result


def machine() -> dict[str, object]:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory = next((line.split(":", 1)[1].strip() for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), "?")
    return {
        "nproc": subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip(),
        "cpu": cpu,
        "memory": memory,
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "gzip_inflater": local.INFLATER,
        "load_average_at_start": os.getloadavg(),
    }


def compile_once() -> None:
    """Compile the package's modules to bytecode, as a user's first run leaves them: with
    ``PYTHONDONTWRITEBYTECODE`` set (this sandbox sets it) every process would compile them again, about 0.03 s
    of every whole-CLI run here (BENCHMARKS.md, sixth run) that no user's second run pays."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "bedrock_usage")], check=True)


def timed(action: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    value = action()
    return time.perf_counter() - started, value


def analyze(
    root: Path, cache: Path | bool, period: Period = PERIOD_30
) -> tuple[float, float, UsageReport, TimedEngine]:
    """(seconds of the whole analysis, seconds of the engine query, report, engine)."""
    engine = TimedEngine(root, cache=cache)
    seconds, report = timed(lambda: BedrockAthenaTracker(engine).analyze(period, DEFAULT_REGIONS))
    return seconds, engine.seconds, report, engine


def run_process(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, str]:
    """(seconds, standard output) of a process started from this one, which must succeed."""
    started = time.perf_counter()
    out = subprocess.run(argv, env=env, capture_output=True, text=True, check=True).stdout
    return time.perf_counter() - started, out


def engine_query(root: Path, cache: Path | bool, sql: str, params: list, period: Period = PERIOD_30) -> float:
    engine = LocalEngine(root, cache=cache)
    return timed(lambda: engine.query(sql, params, Scope(DEFAULT_REGIONS, *period.partition_days())))[0]


def drop_results(cache: Path) -> None:
    """Forget stored query results and the finished reports kept beside them, so the next query runs its SQL over
    the cached Parquet parts and the tracker prices its rows again."""
    for folder in [*cache.glob(f"*/{RESULTS}"), *cache.glob(f"*/{SHELF}")]:
        shutil.rmtree(folder)


def with_zlib(action: Callable[[], float]) -> float:
    """Run ``action`` with the engine inflating through the standard library's zlib instead of ISA-L."""
    saved = bounded_gzip.GzipReader
    bounded_gzip.GzipReader = gzip.GzipFile
    try:
        return action()
    finally:
        bounded_gzip.GzipReader = saved


def median(values: list[float]) -> float:
    return statistics.median(values)


def reports_equal(a: UsageReport, b: UsageReport) -> bool:
    try:
        for name, table in a.tables.items():
            pd.testing.assert_frame_equal(table, b.tables[name], check_exact=False, rtol=1e-12)
        pd.testing.assert_frame_equal(a.unpriced, b.unpriced)
    except AssertionError:
        return False
    return a.summary == b.summary and a.records_skipped == b.records_skipped and a.warnings == b.warnings


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT MET"


class Bench:
    """One corpus, every section; figures go to ``self.results`` and are printed as they come."""

    def __init__(self, corpus, repeat: int, skip: set[str], work: Path):
        self.corpus = corpus
        self.root: Path = corpus.root
        self.repeat = repeat
        self.skip = skip
        self.work = work
        self.cache = work / "columnar"
        self.results: dict[str, object] = {"records": corpus.params.records}
        scope = Scope(DEFAULT_REGIONS, *PERIOD_30.partition_days())
        self.files, self.stats = LocalEngine(self.root, cache=False).list_objects(scope)

    def say(self, text: str) -> None:
        print(text, flush=True)

    def run(self) -> dict[str, object]:
        p = self.corpus.params
        self.say(f"\n== corpus: {p.records:,} records, bodies {p.body_min}-{p.body_max} B, {p.days} days, "
                 f"{len(self.files):,} record objects in range, {self.stats.bytes_read / 1e6:,.0f} MB gzip ==")
        if "peers" not in self.skip:
            self.peers()
        if not {"cold", "refresh"} <= self.skip:
            self.cold_and_refresh()
        for name in ("parse", "economy", "athena", "memory", "dashboard"):
            if name not in self.skip:
                getattr(self, name)()
        return self.results

    def peers(self) -> None:
        """Interleaved rounds, each contender a process of its own started from here: the ISA-L floor, the peers
        (bench/peers.py) and our whole CLI, cold (new columnar cache, and cache off) then warm (same command again)."""
        self.say("-- peers: calls and tokens per caller and model, each a process started from this one --")
        listing = self.work / "objects.txt"
        listing.write_text("\n".join(str(f) for f in self.files))
        out = self.work / "cli-out"
        rounds: list[dict[str, float]] = []
        tables: dict[str, str] = {}
        cli_calls = None
        for index in range(self.repeat):
            row: dict[str, float] = {}
            for name in ("isal", *PEERS):
                row[name], tables[name] = run_process([sys.executable, str(PEERS_SCRIPT), name, str(listing)])
            cache = self.work / "cli-cache"
            shutil.rmtree(cache, ignore_errors=True)
            for label, setting in (("cli_cold", str(cache)), ("cli_warm", str(cache)), ("cli_off", "off")):
                shutil.rmtree(out, ignore_errors=True)
                row[label], _ = run_process(
                    [sys.executable, str(CLI), "--engine", "local", "--logs-dir", str(self.root), "--start-date",
                     str(PERIOD_30.start), "--end-date", str(PERIOD_30.end), "--format", "json", "--output-dir",
                     str(out)], {**os.environ, "BEDROCK_USAGE_COLUMNAR_CACHE": setting})
                cli_calls = json.loads(next(out.glob("*.json")).read_text())["summary"]["calls"]
            rounds.append(row)
            self.say(f"  round {index + 1}: " + ", ".join(f"{k} {v:.2f}s" for k, v in row.items()))

        def ratio(a: str, b: str) -> float:
            return median([r[a] / r[b] for r in rounds])

        agree = len({tables[name] for name in PEERS}) == 1
        peer_calls = sum(json.loads(line)[2] for line in tables["orjson"].splitlines())
        fastest = min(PEERS, key=lambda name: median([r[name] for r in rounds]))
        figures = {name: ratio(name, "isal") for name in (*PEERS, "cli_cold", "cli_warm", "cli_off")}
        figures.update(cli_cold_vs_fastest=ratio("cli_cold", fastest), cli_off_vs_fastest=ratio("cli_off", fastest),
                       cold_vs_warm=ratio("cli_cold", "cli_warm"), fastest_peer=fastest, peers_agree=agree,
                       same_calls=peer_calls == cli_calls)
        self.results["peers"] = {"rounds": rounds, **figures}
        self.say(f"  x ISA-L floor (median {median([r['isal'] for r in rounds]):.2f} s): "
                 + ", ".join(f"{name} {figures[name]:.2f}" for name in (*PEERS, "cli_cold", "cli_off", "cli_warm")))
        self.say(f"  peers agree on every (caller, model): {agree}; same calls as our CLI: {peer_calls == cli_calls}")
        self.say(f"  cold CLI (new cache) / fastest peer ({fastest}): {figures['cli_cold_vs_fastest']:.2f} "
                 f"(target <= 1: {verdict(figures['cli_cold_vs_fastest'] <= 1)}); cache off "
                 f"{figures['cli_off_vs_fastest']:.2f}")
        self.say(f"  cold CLI / ISA-L floor: {figures['cli_cold']:.2f} "
                 f"(target <= 3: {verdict(figures['cli_cold'] <= 3)})")
        self.say(f"  warm CLI x faster than cold: {figures['cold_vs_warm']:.1f} "
                 f"(target >= 15: {verdict(figures['cold_vs_warm'] >= 15)})")

    def cold_and_refresh(self) -> None:
        """Interleaved rounds: floor, raw scan (cache off), cache build, warm refresh, scan-only probes."""
        gzip_floor(self.files)  # the page cache holds the corpus for every contender alike
        rounds: list[dict[str, float]] = []
        scan_params = [day.strftime("%Y/%m/%d") for day in PERIOD_30.partition_days()]
        raw_report = warm_report = parts_report = None
        global _opens
        for index in range(self.repeat):
            row: dict[str, float] = {}
            row["floor"], _ = timed(lambda: gzip_floor(self.files))
            _opens = [] if index == 0 else None
            row["raw"], row["raw_engine"], raw_report, engine = analyze(self.root, False)
            if index == 0:
                self.results["raw_opens"] = len(_opens)
                self.results["raw_opens_distinct"] = len(set(_opens))
                _opens = None
            shutil.rmtree(self.cache, ignore_errors=True)
            row["build"], row["build_engine"], _, _ = analyze(self.root, self.cache)
            row["warm"], row["warm_engine"], warm_report, engine = analyze(self.root, self.cache)
            row["warm_refresh"] = engine.last_refresh.seconds
            assert engine.last_refresh.result_reused
            drop_results(self.cache)
            row["parts"], row["parts_engine"], parts_report, engine = analyze(self.root, self.cache)
            row["scan_raw"] = engine_query(self.root, False, SCAN_SQL, scan_params)
            if local.INFLATER != "zlib":
                row["scan_raw_zlib"] = with_zlib(lambda: engine_query(self.root, False, SCAN_SQL, scan_params))
            row["scan_warm"] = engine_query(self.root, self.cache, SCAN_SQL, scan_params)
            rounds.append(row)
            self.say(f"  round {index + 1}: " + ", ".join(f"{k} {v:.2f}s" for k, v in row.items()))
        tag_keys = BedrockAthenaTracker(LocalEngine(self.root, cache=False)).tag_keys
        self.results["rounds"] = rounds

        def ratio(a: str, b: str) -> float:
            return median([r[a] / r[b] for r in rounds])

        if "cold" not in self.skip:
            naive = None
            if "naive" not in self.skip:
                floor_before, _ = timed(lambda: gzip_floor(self.files))
                naive, totals = timed(lambda: naive_tokens_per_user(self.files))
                self.results["naive_seconds"] = naive
                self.results["naive_floor_seconds"] = floor_before
                self.results["naive_tokens"] = sum(totals.values())
            raw_f, build_f = ratio("raw", "floor"), ratio("build", "floor")
            self.results.update(cold_raw_vs_floor=raw_f, cold_build_vs_floor=build_f,
                                cold_engine_vs_floor=ratio("raw_engine", "floor"),
                                cold_build_engine_vs_floor=ratio("build_engine", "floor"))
            self.say("-- cold scan: every analysis of 30 days, all regions, vs gzip -dc on all cores --")
            floor = median([r["floor"] for r in rounds])
            self.say(f"  floor (xargs -P{os.cpu_count()} gzip -dc > /dev/null): median {floor:.2f} s")
            self.say(f"  ours, raw JSON, cache off:  {raw_f:.2f}x floor  (engine alone "
                     f"{ratio('raw_engine', 'floor'):.2f}x; target <= 1.5x: {verdict(raw_f <= 1.5)})")
            self.say(f"  ours, building the cache:   {build_f:.2f}x floor  (engine alone "
                     f"{ratio('build_engine', 'floor'):.2f}x; target <= 1.5x: {verdict(build_f <= 1.5)})")
            load = ratio("scan_raw", "floor")
            self.results["cold_load_vs_floor"] = load
            self.say(f"  of which parsing the records into a table ({local.INFLATER}): {load:.2f}x floor")
            if "scan_raw_zlib" in rounds[0]:
                self.results["cold_load_zlib_vs_floor"] = ratio("scan_raw_zlib", "floor")
                self.say(f"  the same with the standard library's zlib: {ratio('scan_raw_zlib', 'floor'):.2f}x floor")
            if naive is not None:
                ours = median([r["raw"] for r in rounds])
                self.results["naive_vs_ours"] = naive / ours
                self.results["naive_vs_floor"] = naive / floor_before
                totals_ok = self.results["naive_tokens"] == (raw_report.summary["input_tokens"]
                                                            + raw_report.summary["output_tokens"])
                self.say(f"  naive Python (gzip + json.loads, one process): {naive:.1f} s = {naive / ours:.1f}x ours "
                         f"(target >= 2x: {verdict(naive / ours >= 2)}); same token total: {totals_ok}")

        if "refresh" not in self.skip:
            same = reports_equal(raw_report, warm_report) and reports_equal(raw_report, parts_report)
            figures = {
                "refresh_scan": ratio("scan_raw", "scan_warm"),
                "refresh_parts_engine": ratio("raw_engine", "parts_engine"),
                "refresh_parts": ratio("raw", "parts"),
                "refresh_result_engine": ratio("raw_engine", "warm_engine"),
                "refresh_result": ratio("raw", "warm"),
            }
            self.results.update(figures, refresh_identical=same)
            self.say("-- repeated refresh: columnar cache vs parsing the raw JSON again (x faster) --")
            self.say(f"  scan only (every column the facts query reads):    {figures['refresh_scan']:.0f}x "
                     f"(target >= 50x: {verdict(figures['refresh_scan'] >= 50)})")
            self.say(f"  another query over the cached parts: engine {figures['refresh_parts_engine']:.1f}x, "
                     f"whole refresh {figures['refresh_parts']:.1f}x")
            self.say(f"  the same query again (stored result): engine {figures['refresh_result_engine']:.0f}x, "
                     f"whole refresh {figures['refresh_result']:.1f}x")
            self.say(f"  identical UsageReport (cached parts and stored result vs raw): {same}")
            self.window_cost(tag_keys)
            self.incremental()

    def window_cost(self, tag_keys: tuple[str, ...]) -> None:
        """The facts SQL over the warm cache in its two de-duplication forms (a window over every record, as
        Athena runs it; repeated keys first, as DuckDB does) and with no de-duplication at all."""
        from bedrock_usage.engines.queries import Filters, usage_facts_query

        window = usage_facts_query(PERIOD_30, Filters(), tag_keys)
        narrow = usage_facts_query(PERIOD_30, Filters(), tag_keys, narrow_dedup=True)
        none = re.sub(r"row_number\(\) OVER \(PARTITION BY .*?\) AS copy_number", "1 AS copy_number", window.sql,
                      flags=re.S | re.I)
        rounds = []
        for _ in range(self.repeat):
            drop_results(self.cache)
            rounds.append({name: engine_query(self.root, self.cache, sql, window.params)
                           for name, sql in (("window", window.sql), ("narrow", narrow.sql), ("none", none))})
        seconds = {name: median([r[name] for r in rounds]) for name in ("window", "narrow", "none")}
        self.results["dedup_seconds"] = seconds
        self.results["dedup_window_vs_narrow"] = median([r["window"] / r["narrow"] for r in rounds])
        self.say(f"  de-duplication over the warm cache: window form {seconds['window']:.2f} s, repeated keys first "
                 f"{seconds['narrow']:.2f} s (window {self.results['dedup_window_vs_narrow']:.2f}x), "
                 f"none {seconds['none']:.2f} s")

    def incremental(self) -> None:
        """New objects arrive for the last day: only they are parsed; removing them again drops their part."""
        before = set(self.root.rglob("*.json.gz"))
        spec = CorpusSpec(records=2000, start_date=LAST_DAY, end_date=LAST_DAY, seed=424242)
        try:
            write_local(self.root, generate_records(spec))
            added = [p for p in self.root.rglob("*.json.gz") if p not in before and p.parent.name != "data"]
            seconds, _, _, engine = analyze(self.root, self.cache)
            parsed = engine.last_refresh.objects_parsed
        finally:
            for path in set(self.root.rglob("*.json.gz")) - before:
                path.unlink()
        warm = median([r["warm"] for r in self.results["rounds"]])
        raw = median([r["raw"] for r in self.results["rounds"]])
        self.results.update(incremental_seconds=seconds, incremental_parsed=parsed, incremental_added=len(added))
        self.say(f"  {len(added)} new objects: refresh parsed {parsed} objects, took {seconds / warm:.2f}x a warm "
                 f"refresh ({raw / seconds:.1f}x faster than a raw scan)")

    def parse(self) -> None:
        """The parse step by step on one core (bench/parse_forms.py) over every fourth record object: inflating,
        cutting lines, aggregating straight from the parse (DuckDB, orjson) and parsing into the cache's table."""
        self.say("-- parse: CPU per record on one core, every fourth record object, forms interleaved --")
        figures = measure_parse(parse_sample(self.files, 4), self.repeat)
        self.results["parse"] = figures
        self.say(f"  {figures['objects']:,} objects, {figures['records']:,} records; every form counts the same "
                 f"records: {figures['same_records']}")
        for name in PARSE_FORMS:
            self.say(f"  {name:9}: {figures['us_per_record'][name]:5.1f} us per record, "
                     f"{figures['vs_inflate'][name]:4.1f}x inflating")

    def economy(self) -> None:
        self.say("-- scan economy: objects and bytes one refresh reads --")
        every = []
        for path in self.root.rglob("*.json.gz"):
            parts = path.relative_to(self.root).parts
            index = parts.index("BedrockModelInvocationLogs")
            every.append((date(int(parts[index + 2]), int(parts[index + 3]), int(parts[index + 4])),
                          path.stat().st_size))
        self.say(f"  raw refresh opened {self.results['raw_opens']:,} objects "
                 f"({self.results['raw_opens_distinct']:,} distinct) of {len(every):,} in the corpus")
        for label, period in (("30 days", PERIOD_30), ("7 days", PERIOD_7)):
            _, stats = LocalEngine(self.root, cache=False).list_objects(
                Scope(DEFAULT_REGIONS, *period.partition_days()))
            seeds = seed_scan(every, period.start, len(DEFAULT_REGIONS))
            self.results[f"economy_{label}"] = {
                "ours_objects": stats.objects_read, "ours_bytes": stats.bytes_read, "ours_queries": 1,
                "seed_objects": seeds.objects, "seed_bytes": seeds.bytes, "seed_queries": seeds.queries,
            }
            self.say(f"  {label}: ours 1 query, {stats.objects_read:,} objects, {stats.bytes_read / 1e6:,.0f} MB; "
                     f"seeds {seeds.queries} queries, {seeds.objects:,} objects, {seeds.bytes / 1e6:,.0f} MB "
                     f"= {seeds.bytes / stats.bytes_read:.1f}x the bytes")

    def athena(self) -> None:
        """Bytes the facts query scans: raw JSON partitions vs a compacted Parquet table of the parsed columns."""
        self.say("-- Athena bytes scanned by the facts query, JSON vs compacted Parquet (DuckDB as stand-in) --")
        engine = LocalEngine(self.root, cache=self.cache)
        days, _ = engine.list_days(Scope(DEFAULT_REGIONS, *PERIOD_30.partition_days()))
        # warm: nothing to parse
        scan = ColumnarCache(self.cache, self.root).refresh(days, None, 1, engine.max_object_bytes)
        compacted = self.work / "compacted"
        shutil.rmtree(compacted, ignore_errors=True)
        by_day: dict[str, list[Path]] = {}
        for part in scan.parts:
            by_day.setdefault("-".join(part.parts[-4:-1]), []).append(part)
        con = duckdb.connect()
        for day, parts in sorted(by_day.items()):
            target = compacted / f"dt={day}" / "part-0.parquet"
            target.parent.mkdir(parents=True)
            con.read_parquet([str(p) for p in parts]).project(
                ", ".join(f'"{c}"' for c in con.read_parquet(str(parts[0])).columns if c not in ("$path", "dt"))
            ).write_parquet(str(target), compression="zstd")
        con.close()
        parquet_total = parquet_read = 0
        for path in compacted.rglob("*.parquet"):
            meta = pq.ParquetFile(path).metadata
            parquet_total += path.stat().st_size
            parquet_read += meta.serialized_size
            for group in range(meta.num_row_groups):
                row_group = meta.row_group(group)
                for column in range(row_group.num_columns):
                    chunk = row_group.column(column)
                    if chunk.path_in_schema.startswith(QUERY_COLUMNS):
                        parquet_read += chunk.total_compressed_size
        json_bytes = sum(p.stat().st_size for day in days for p in day.path.rglob("*.json.gz"))
        self.results.update(athena_json_bytes=json_bytes, athena_parquet_bytes=parquet_read,
                            athena_parquet_table_bytes=parquet_total, athena_ratio=json_bytes / parquet_read)
        self.say(f"  JSON (every object under the 31 dt partitions, payloads too): {json_bytes / 1e6:,.0f} MB")
        self.say(f"  Parquet, columns the query reads: {parquet_read / 1e6:,.1f} MB (whole table "
                 f"{parquet_total / 1e6:,.1f} MB) -> {json_bytes / parquet_read:.0f}x fewer bytes scanned")

    def memory(self) -> None:
        self.say("-- memory: peak RSS of one process analysing 30 days --")
        probe = Path(__file__).resolve().parent / "memory_probe.py"
        cache = self.work / "memory-cache"
        shutil.rmtree(cache, ignore_errors=True)
        runs = {}
        for label, argument in (("raw", "off"), ("build", str(cache)), ("warm", str(cache))):
            out = subprocess.run([sys.executable, str(probe), str(self.root), argument], capture_output=True,
                                 text=True, check=True).stdout
            runs[label] = json.loads(out)
            self.say(f"  {label:5}: peak RSS {runs[label]['peak_rss_mb']:,.0f} MB "
                     f"({runs[label]['calls']:,} calls, {runs[label]['seconds']:.1f} s)")
        self.results["memory"] = runs


    def dashboard(self) -> None:
        """The dashboard in one process (bench/dashboard_rerender.py): Analyze, the same Analyze again, and
        control changes that need no new query, against issue #16's 0.3 s of Python per such change."""
        self.say("-- dashboard: Streamlit runs in one process (AppTest), 30 days --")
        probe = Path(__file__).resolve().parent / "dashboard_rerender.py"
        cache = self.work / "dashboard-cache"
        shutil.rmtree(cache, ignore_errors=True)
        out = subprocess.run([sys.executable, str(probe), str(self.root), str(PERIOD_30.start), str(PERIOD_30.end)],
                             capture_output=True, text=True, check=True,
                             env={**os.environ, "BEDROCK_USAGE_COLUMNAR_CACHE": str(cache)}).stdout
        runs = json.loads(out.splitlines()[-1])["runs"]
        self.results["dashboard"] = runs
        for name, run in runs.items():
            self.say(f"  {name:13}: {run['wall']:.2f} s wall, {run['cpu']:.2f} s CPU")
        worst = max(run["cpu"] for name, run in runs.items() if name not in ("analyze", "analyze_again"))
        self.say(f"  slowest control change: {worst:.2f} s of CPU (target < 0.3 s: {verdict(worst < 0.3)}); "
                 f"Analyze {runs['analyze']['wall'] / runs['analyze_again']['wall']:.1f}x slower the first time")


def qdev_section(results: dict[str, object]) -> None:
    from qdev_bench import run_qdev_bench

    print("\n-- Amazon Q prompt logs on moto (loopback): ours vs the seeds' sequential 500-file sample --", flush=True)
    figures = run_qdev_bench(log=lambda text: print(text, flush=True))
    results["qdev"] = figures.__dict__ | {"ours_rate": figures.ours_rate, "seed_rate": figures.seed_rate}
    print(f"  ours:  {figures.ours_files:,} files in {figures.ours_seconds:.1f} s = {figures.ours_rate:,.0f} files/s, "
          f"coverage {figures.ours_files / figures.files_in_range:.0%}", flush=True)
    print(f"  seeds: {figures.seed_files:,} files in {figures.seed_seconds:.1f} s = {figures.seed_rate:,.0f} files/s, "
          f"coverage {figures.seed_files / figures.files_in_range:.0%}", flush=True)
    print(f"  -> {figures.ours_rate / figures.seed_rate:.1f}x the files per second, "
          f"{figures.ours_files / figures.seed_files:.0f}x the coverage", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="bench/run.py",
        description="Generate (or reuse) benchmark corpora and print every figure of BENCHMARKS.md as ratios of "
        "measurements interleaved in this run: cold scan vs the gzip floor and a naive script, repeated refresh "
        "with the columnar cache, scan economy vs the seeds' per-analysis queries, Athena bytes JSON vs Parquet, "
        "the Amazon Q analyzer on moto, and peak memory.",
    )
    parser.add_argument("--records", type=int, nargs="+", default=[1_000_000],
                        help="corpus sizes to run (default 1000000; e.g. --records 1000000 5000000)")
    parser.add_argument("--body-bytes", type=parse_body_bytes, default=DEFAULT_BODY_BYTES, metavar="MIN[-MAX]",
                        help="request+response body budget per record in bytes (default 1000-3000)")
    parser.add_argument("--repeat", type=int, default=3, help="interleaved rounds per comparison (default 3)")
    parser.add_argument("--skip", nargs="*", default=[], choices=(*SECTIONS, "naive"),
                        help="sections to leave out")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR,
                        help=f"where corpora are kept between runs (default {DEFAULT_DATA_DIR})")
    parser.add_argument("--json", type=Path, help="also write every figure to this JSON file")
    args = parser.parse_args()

    sys.addaudithook(_audit)
    compile_once()
    results: dict[str, object] = {"machine": machine(), "corpora": []}
    print("machine: " + ", ".join(f"{k} {v}" for k, v in results["machine"].items()), flush=True)
    for records in args.records:
        corpus = ensure_corpus(CorpusParams(records, *args.body_bytes), args.data_dir)
        with tempfile.TemporaryDirectory(prefix="bench-", dir=args.data_dir) as work:
            results["corpora"].append(Bench(corpus, args.repeat, set(args.skip), Path(work)).run())
    if "qdev" not in args.skip:
        qdev_section(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
