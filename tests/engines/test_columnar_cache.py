"""The columnar cache gives the same UsageReport as parsing the raw logs, however the log folder changes."""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from bedrock_usage.demo.synthetic import CorpusSpec, generate_records
from bedrock_usage.demo.writer import write_local
from bedrock_usage.engines.base import PAYLOAD_OBJECTS, Scope
from bedrock_usage.engines.columnar_cache import (
    CACHE_ENV,
    MANIFEST,
    MAX_PARTS,
    ORPHAN_GRACE_SECONDS,
    ColumnarCache,
    prune_missing_roots,
)
from bedrock_usage.engines.local import READING, LocalEngine
from bedrock_usage.engines.queries import Filters
from bedrock_usage.errors import UsageError
from bedrock_usage.logs.period import resolve_period
from bedrock_usage.output.progress import Progress, silent
from bedrock_usage.report.tracker import BedrockAthenaTracker, UsageReport
from tests.conftest import ROOT
from tests.logfiles import read_tree
from tests.oracle import aggregate

FIRST, LAST = date(2025, 11, 1), date(2025, 11, 6)
PERIOD = resolve_period(start="2025-11-01", end="2025-11-06")
PROMPT = "Draft a polite reply to a customer"  # a prompt the corpus holds in its request bodies


@pytest.fixture(scope="module")
def corpus_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("template")
    spec = CorpusSpec(records=3000, start_date=FIRST, end_date=LAST, seed=606, body_bytes=1500)
    write_local(root, generate_records(spec))
    return root


@pytest.fixture
def logs(tmp_path: Path, corpus_template: Path) -> Path:
    """A private copy of the corpus that a test may change."""
    root = tmp_path / "logs"
    shutil.copytree(corpus_template, root)
    return root


def analyze(root: Path, cache: Path | bool, period=PERIOD, filters: Filters | None = None,
            extra_tags: tuple[str, ...] = ()) -> tuple[UsageReport, LocalEngine]:
    engine = LocalEngine(root, cache=cache)
    report = BedrockAthenaTracker(engine, extra_tags=extra_tags).analyze(period, filters=filters)
    return report, engine


def assert_same_report(cached: UsageReport, raw: UsageReport) -> None:
    assert set(cached.tables) == set(raw.tables)
    for name, table in raw.tables.items():
        pd.testing.assert_frame_equal(cached.tables[name], table, check_exact=False, rtol=1e-12, obj=name)
    pd.testing.assert_frame_equal(cached.unpriced, raw.unpriced, obj="unpriced")
    assert cached.summary == pytest.approx(raw.summary, rel=1e-12)
    assert cached.records_skipped == raw.records_skipped
    assert cached.warnings == raw.warnings
    for name in ("objects_read", "bytes_read", "skipped_objects", "duplicate_records", "objects_not_utf8"):
        assert getattr(cached.stats, name) == getattr(raw.stats, name), name


def assert_matches_records(report: UsageReport, root: Path) -> None:
    """The summary equals a plain-Python aggregation of the records in the folder, cost at published prices
    included."""
    expected = aggregate(read_tree(root), PERIOD.start, PERIOD.end)["summary"][()]
    for name in ("calls", "errors", "input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens",
                 "unpriced_calls"):
        assert report.summary[name] == getattr(expected, name), name
    assert expected.priced_calls > 1000
    assert report.summary["estimated_cost_usd"] == pytest.approx(expected.estimated_cost, rel=1e-9)


def record_objects(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.json.gz") if p.parent.name != "data" and p.stat().st_size)


@pytest.mark.slow
def test_cold_and_warm_cached_reports_equal_the_raw_scan(logs: Path, tmp_path: Path) -> None:
    raw, _ = analyze(logs, cache=False)
    cold, engine = analyze(logs, cache=tmp_path / "cache")
    assert engine.last_refresh.objects_parsed == len(record_objects(logs))
    warm, engine = analyze(logs, cache=tmp_path / "cache")
    assert engine.last_refresh.objects_parsed == 0
    assert engine.last_refresh.objects_reused == len(record_objects(logs))
    assert engine.last_refresh.result_reused  # the same query over the same parts: its stored rows
    for results in (tmp_path / "cache").rglob("results"):
        shutil.rmtree(results)
    parts_only, engine = analyze(logs, cache=tmp_path / "cache")
    assert not engine.last_refresh.result_reused and engine.last_refresh.objects_parsed == 0
    assert_same_report(parts_only, raw)
    assert_same_report(cold, raw)
    assert_same_report(warm, raw)
    assert_matches_records(warm, logs)
    assert warm.summary["calls"] > 2000


@pytest.mark.slow
def test_filters_time_zone_and_tags_give_the_same_report_cached(logs: Path, tmp_path: Path) -> None:
    period = resolve_period(start="2025-11-02", end="2025-11-04", tz="Asia/Seoul")
    options = dict(period=period, filters=Filters(arn_pattern="BedrockRole"), extra_tags=("tenant_id", "cost_center"))
    raw, _ = analyze(logs, cache=False, **options)
    analyze(logs, cache=tmp_path / "cache")  # built for another query: the parts serve any query
    cached, engine = analyze(logs, cache=tmp_path / "cache", **options)
    assert engine.last_refresh.objects_parsed == 0
    assert_same_report(cached, raw)


@pytest.mark.slow
def test_new_objects_are_the_only_ones_parsed(logs: Path, tmp_path: Path) -> None:
    analyze(logs, cache=tmp_path / "cache")
    before = set(record_objects(logs))
    more = generate_records(CorpusSpec(records=400, start_date=date(2025, 11, 3), end_date=date(2025, 11, 7), seed=7))
    write_local(logs, more)
    added = set(record_objects(logs)) - before
    assert added

    cached, engine = analyze(logs, cache=tmp_path / "cache")
    assert engine.last_refresh.objects_parsed == len(added)
    assert not engine.last_refresh.result_reused
    raw, _ = analyze(logs, cache=False)
    assert_same_report(cached, raw)
    assert_matches_records(cached, logs)


@pytest.mark.slow
def test_parts_an_earlier_version_made_are_parsed_again(logs: Path, tmp_path: Path) -> None:
    """Parts keep reduced bodies: those of another format (columns or body values, e.g. before Converse's cache
    details were kept) never answer; their objects are parsed again."""
    analyze(logs, cache=tmp_path / "cache")
    for written in [*(tmp_path / "cache").rglob("manifest.json"), *(tmp_path / "cache").rglob("root.json")]:
        written.write_text(json.dumps({**json.loads(written.read_text()), "fingerprint": "an-earlier-format"}))
    earlier = set((tmp_path / "cache").rglob("part-*.parquet"))
    two_days = resolve_period(start="2025-11-02", end="2025-11-03")
    cached, engine = analyze(logs, cache=tmp_path / "cache", period=two_days)
    assert engine.last_refresh.objects_parsed > 0 and not engine.last_refresh.result_reused
    assert not earlier & set((tmp_path / "cache").rglob("part-*.parquet"))  # none left, even of days not read
    cached, engine = analyze(logs, cache=tmp_path / "cache")
    assert_matches_records(cached, logs)


def _parsed_by(package_root: Path, logs: Path, cache: Path) -> int:
    """How many objects a refresh run by the package under ``package_root`` parses, in a process of its own."""
    code = ("import sys; from pathlib import Path; from bedrock_usage.engines.local import LocalEngine; "
            "from bedrock_usage.report.tracker import BedrockAthenaTracker; "
            "from bedrock_usage.logs.period import resolve_period; "
            "engine = LocalEngine(Path(sys.argv[1]), cache=Path(sys.argv[2])); "
            "BedrockAthenaTracker(engine).analyze(resolve_period(start='2025-11-01', end='2025-11-06')); "
            "print(engine.last_refresh.objects_parsed)")
    done = subprocess.run([sys.executable, "-c", code, str(logs), str(cache)], cwd=package_root, check=True,
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(package_root)})
    return int(done.stdout.split()[-1])


@pytest.mark.slow
def test_parts_made_by_other_parse_code_are_parsed_again(logs: Path, tmp_path: Path) -> None:
    """A version whose parse differs (here by one comment line) never reads the parts of another, even one that
    kept FORMAT_VERSION; the same code installed elsewhere reads them."""
    analyze(logs, cache=tmp_path / "cache")
    objects = len(record_objects(logs))
    same = tmp_path / "same"
    shutil.copytree(Path(__file__).resolve().parents[2] / "bedrock_usage", same / "bedrock_usage",
                    ignore=shutil.ignore_patterns("__pycache__"))
    assert _parsed_by(same, logs, tmp_path / "cache") == 0
    changed = tmp_path / "changed"
    shutil.copytree(same, changed)
    with (changed / "bedrock_usage" / "engines" / "local.py").open("a") as source:
        source.write("# a parse of another version\n")
    assert _parsed_by(changed, logs, tmp_path / "cache") == objects
    assert _parsed_by(same, logs, tmp_path / "cache") == objects  # and back


@pytest.mark.slow
def test_a_changed_object_replaces_its_part(logs: Path, tmp_path: Path) -> None:
    analyze(logs, cache=tmp_path / "cache")
    target = record_objects(logs)[len(record_objects(logs)) // 2]
    lines = gzip.decompress(target.read_bytes()).decode().splitlines()
    first = json.loads(lines[0])
    first["input"]["inputTokenCount"] += 1_000_000
    target.write_bytes(gzip.compress(("\n".join([json.dumps(first)] + lines[2:]) + "\n").encode()))

    cached, engine = analyze(logs, cache=tmp_path / "cache")
    day_folder = target.parent.parent
    same_day = [p for p in record_objects(logs) if p.parent.parent == day_folder]
    assert 1 <= engine.last_refresh.objects_parsed <= len(same_day)
    assert engine.last_refresh.parts_dropped >= 1
    raw, _ = analyze(logs, cache=False)
    assert_same_report(cached, raw)
    assert_matches_records(cached, logs)


def same_size_rewrite(text: bytes, size: int) -> bytes:
    """``text`` gzipped to ``size`` bytes with the first input token count changed (to the first number of as many
    digits that compresses to that size)."""
    count = re.search(rb'"inputTokenCount": ?(\d+)', text)
    digits = count.end(1) - count.start(1)
    for tokens in range(10 ** (digits - 1), 10**digits):
        changed = text[:count.start(1)] + str(tokens).encode() + text[count.end(1):]
        packed = gzip.compress(changed, mtime=0)
        if len(packed) == size and changed != text:
            return packed
    raise AssertionError("no count compresses to the size")


@pytest.mark.slow
@pytest.mark.parametrize("how", ["in place (cp -p)", "a new file renamed over it (rsync -a, the mirror)"])
def test_an_object_replaced_with_the_same_size_and_time_is_parsed_again(logs: Path, tmp_path: Path, how: str) -> None:
    day = resolve_period(start="2025-11-02", end="2025-11-02")
    target = next(path for path in record_objects(logs) if "/2025/11/02/" in path.as_posix())
    text = gzip.decompress(target.read_bytes())
    target.write_bytes(gzip.compress(text, mtime=0))  # as the logs came: a size the rewrite can match
    before = target.stat()
    analyze(logs, cache=tmp_path / "cache", period=day)
    rewritten = same_size_rewrite(text, before.st_size)
    written = target if how.startswith("in place") else target.with_name("incoming.tmp")
    written.write_bytes(rewritten)
    os.utime(written, ns=(before.st_atime_ns, before.st_mtime_ns))
    os.replace(written, target)
    after = target.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    assert (after.st_ino == before.st_ino) == how.startswith("in place")

    cached, engine = analyze(logs, cache=tmp_path / "cache", period=day)
    assert engine.last_refresh.parts_dropped == 1
    records = [json.loads(line) for path in record_objects(logs)
               for line in gzip.decompress(path.read_bytes()).splitlines() if line.strip()]
    expected = aggregate(records, day.start, day.end)["summary"][()]
    assert (cached.summary["calls"], cached.summary["input_tokens"]) == (expected.calls, expected.input_tokens)
    assert_same_report(cached, analyze(logs, cache=False, period=day)[0])


def test_an_object_listed_again_unchanged_keeps_its_stamp(logs: Path, tmp_path: Path) -> None:
    """Listing an unchanged object twice, reading it, or renaming the folder above the logs changes none of what
    tells a replaced object (so a warm refresh parses nothing)."""
    def stamps(root: Path) -> list[list[int]]:
        days, _ = LocalEngine(root).list_days(Scope(("us-east-1",), FIRST, LAST))
        return [obj.stamp for day in days for obj in day.objects]

    first = stamps(logs)
    for path in record_objects(logs):
        path.read_bytes()
    assert stamps(logs) == first
    again = stamps(logs.rename(tmp_path / "moved"))
    assert again == first and len(again) > 10


@pytest.mark.slow
def test_a_removed_object_leaves_the_figures(logs: Path, tmp_path: Path) -> None:
    analyze(logs, cache=tmp_path / "cache")
    removed = record_objects(logs)[3]
    removed.unlink()
    cached, _ = analyze(logs, cache=tmp_path / "cache")
    raw, _ = analyze(logs, cache=False)
    assert_same_report(cached, raw)
    assert_matches_records(cached, logs)


@pytest.mark.slow
def test_bad_objects_are_counted_alike_and_remembered(logs: Path, tmp_path: Path) -> None:
    hour_dir = record_objects(logs)[0].parent
    (hour_dir / "zz_truncated.json.gz").write_bytes(record_objects(logs)[1].read_bytes()[:60])
    (hour_dir / "zz_not_gzip.json.gz").write_bytes(b"plain text")
    (hour_dir / "zz_latin1.json.gz").write_bytes(gzip.compress('{"modelId": "caf\xe9"}\n'.encode("latin-1")))
    (hour_dir / "zz_empty.json.gz").write_bytes(b"")
    with gzip.open(hour_dir / "zz_malformed.json.gz", "wt") as handle:
        handle.write('{"timestamp": "2025-11-01T01:00:00Z", "identity": \n  \nnot json\n\t\n')

    raw, _ = analyze(logs, cache=False)
    cold, _ = analyze(logs, cache=tmp_path / "cache")
    warm, engine = analyze(logs, cache=tmp_path / "cache")
    assert engine.last_refresh.objects_parsed == 0  # the unreadable objects are not read again
    assert sum(v for k, v in raw.stats.skipped_objects.items() if k.startswith("unreadable")) == 2
    causes = {k.split(": ", 1)[1].split(" (")[0] for k in raw.stats.skipped_objects if k.startswith("unreadable")}
    assert causes == {"gzip cut short", "not gzip"}  # each named, so the user knows the fix
    # the Latin-1 object is read with a replacement character: its one line, without a timestamp, is a skipped record
    assert raw.stats.objects_not_utf8 == warm.stats.objects_not_utf8 == 1
    assert raw.records_skipped == 3  # that line, the cut record and 'not json'; lines of spaces or a tab are none
    assert_same_report(cold, raw)
    assert_same_report(warm, raw)

    (hour_dir / "zz_not_gzip.json.gz").write_bytes(record_objects(logs)[1].read_bytes())  # repaired
    repaired, engine = analyze(logs, cache=tmp_path / "cache")
    assert engine.last_refresh.objects_parsed >= 1
    assert_same_report(repaired, analyze(logs, cache=False)[0])


@pytest.mark.slow
def test_a_lowered_cap_on_decompressed_bytes_gives_the_figures_of_a_run_without_the_cache(
    logs: Path, tmp_path: Path
) -> None:
    """Parts parsed under a larger cap (``BEDROCK_USAGE_MAX_OBJECT_MB``) hold objects now over it: they are parsed
    again, and the objects over the cap skipped, as a run without the cache skips them; raising the cap back reads
    them all."""
    day = resolve_period(start="2025-11-02", end="2025-11-02")
    sizes = {path: len(gzip.decompress(path.read_bytes())) for path in record_objects(logs)}
    read = sorted(size for path, size in sizes.items() if "/2025/11/02/" in path.as_posix())
    cap = (read[-3] + read[-2]) // 2  # the two largest objects of the day are over it
    assert read[-3] < cap < read[-2]
    analyze(logs, cache=tmp_path / "cache", period=day)  # parsed under the default cap

    def lowered(cache: Path | bool) -> UsageReport:
        return BedrockAthenaTracker(LocalEngine(logs, cache=cache, max_object_bytes=cap)).analyze(day)

    cached, raw = lowered(tmp_path / "cache"), lowered(False)
    assert_same_report(cached, raw)
    # the next day's folder is read for late calls; its objects over the cap are counted by its own day
    assert sum(cached.stats.skipped_objects.values()) - cached.stats.skipped_objects[PAYLOAD_OBJECTS] == 2
    within = [json.loads(line) for path, size in sizes.items() if size <= cap
              for line in gzip.decompress(path.read_bytes()).splitlines() if line.strip()]
    expected = aggregate(within, day.start, day.end)["summary"][()]
    assert (cached.summary["calls"], cached.summary["input_tokens"]) == (expected.calls, expected.input_tokens)
    assert cached.summary["estimated_cost_usd"] == pytest.approx(expected.estimated_cost, rel=1e-9)
    again, _ = analyze(logs, cache=tmp_path / "cache", period=day)
    assert again.summary["calls"] > cached.summary["calls"]
    assert_same_report(again, analyze(logs, cache=False, period=day)[0])


@pytest.mark.slow
def test_day_folders_parsed_together_keep_a_part_each(logs: Path, tmp_path: Path) -> None:
    """Small day folders are parsed in one go; each part still holds exactly the records of its own folder's
    objects, and an unreadable object of one folder leaves the others whole."""
    unreadable = record_objects(logs)[0].parent / "zz_not_gzip.json.gz"
    unreadable.write_bytes(b"plain text")
    analyze(logs, cache=tmp_path / "cache")
    manifests = sorted((tmp_path / "cache").rglob(MANIFEST))
    assert len(manifests) > 10
    for manifest in manifests:
        listed = json.loads(manifest.read_text())
        folder = logs / Path(listed["day_folder"]).relative_to(logs.resolve())
        names = [name for part in listed["parts"] for name, *_ in part["objects"]]
        assert sorted(names) == sorted(
            p.relative_to(folder).as_posix() for p in record_objects(logs) if folder in p.parents and p != unreadable
        )
        rows = pa.concat_tables(pq.read_table(manifest.parent / part["file"]) for part in listed["parts"])
        lines = sum(
            1 for name in names for line in gzip.decompress((folder / name).read_bytes()).splitlines() if line.strip()
        )
        assert rows.num_rows == lines
        assert {Path(path).parent.parent for path in rows.column("$path").to_pylist()} == {folder.resolve()}


def test_parts_hold_no_bodies_or_prompts(logs: Path, tmp_path: Path) -> None:
    assert any(PROMPT in gzip.decompress(p.read_bytes()).decode() for p in record_objects(logs))
    analyze(logs, cache=tmp_path / "cache")
    parts = sorted((tmp_path / "cache").rglob("*.parquet"))
    assert parts
    allowed = {"imageGenerationConfig", "videoGenerationConfig", "samples", "width", "height", "steps", "duration",
               "documents", "documents_count", "multiShotManualParams", "shots_count", "usage", "stopReason"}
    for part in parts:
        # A body column holds only the values reports read (logs/bodies.py), never the body.
        table = pq.ParquetFile(part).read()
        for row in (table.select(["input", "output"]).to_pylist() if "input" in table.column_names else []):
            for body in (row["input"]["inputBodyJson"], row["output"]["outputBodyJson"]):
                reduced = json.loads(body) if body else {}
                keys = set(reduced) if isinstance(reduced, dict) else set(reduced[0]) if reduced else set()
                assert keys <= allowed | {"message"}, keys
        assert PROMPT.encode() not in part.read_bytes()
        assert "Draft a polite" not in str(pq.read_table(part).to_pylist())


def add_one_call(logs: Path, index: int) -> None:
    """Write an object of one call into the 2025-11-05 us-east-1 day folder (a new part at the next refresh)."""
    extra = generate_records(CorpusSpec(records=1, start_date=date(2025, 11, 5), end_date=date(2025, 11, 5),
                                        seed=1000 + index))
    extra[0].update(timestamp=f"2025-11-05T10:{index:02d}:00Z", region="us-east-1")
    write_local(logs, extra)


def parts_in(cache: Path) -> set[Path]:
    return set(cache.rglob("part-*.parquet"))


def age(paths: set[Path], seconds: float) -> None:
    """Set the modification time of ``paths`` to ``seconds`` ago."""
    then = time.time() - seconds
    for path in paths:
        os.utime(path, (then, then))


def rows_of(parts: set[Path]) -> int:
    """The rows a reader gets from ``parts`` (as a report that listed them before reads them)."""
    return duckdb.connect().read_parquet([str(p) for p in sorted(parts)]).aggregate("count(*)").fetchall()[0][0]


@pytest.mark.slow
def test_a_part_dropped_by_another_run_outlives_its_readers(logs: Path, tmp_path: Path) -> None:
    """A part dropped because one of its objects changed stays until the grace period has passed since it was
    dropped (its written time is long past), so a report that listed it before still reads it; then it is swept."""
    cache, day = tmp_path / "cache", resolve_period(start="2025-11-02", end="2025-11-02")
    analyze(logs, cache=cache, period=day)
    listed = parts_in(cache)  # what report A listed, written two hours ago
    age(listed, 2 * 3600)
    rows = rows_of(listed)
    changed = next(path for path in record_objects(logs) if "/2025/11/02/" in path.as_posix())
    os.utime(changed)  # touched: report B drops the part that holds it
    dropped_at = time.time()
    _, engine = analyze(logs, cache=cache, period=day)
    assert engine.last_refresh.parts_dropped == 1
    assert listed <= parts_in(cache)  # nothing A reads was deleted
    (dropped,) = listed - {manifest.parent / part["file"] for manifest in cache.rglob(MANIFEST)
                           for part in json.loads(manifest.read_text())["parts"]}
    assert dropped.stat().st_mtime >= dropped_at - 1  # its grace counts from the drop
    assert rows_of(listed) == rows
    age({dropped}, ORPHAN_GRACE_SECONDS + 60)
    analyze(logs, cache=cache, period=day)
    assert not dropped.exists()


class Sweeper:
    """A progress reporter that, once the logs are read and before the query runs, deletes every part (another run
    on the same cache sweeping them past their grace); ``times`` says how many queries it does this to."""

    def __init__(self, cache: Path, times: int):
        self.cache = cache
        self.times = times
        self.swept: list[Path] = []

    def __call__(self, update: Progress) -> None:
        if update.step == READING.english and update.finished and self.times:
            self.times -= 1
            for part in parts_in(self.cache):
                part.unlink()
                self.swept.append(part)


@pytest.mark.slow
def test_a_report_whose_parts_are_swept_while_it_reads_plans_again(logs: Path, tmp_path: Path) -> None:
    sweeper = Sweeper(tmp_path / "cache", times=1)
    report = BedrockAthenaTracker(LocalEngine(logs, cache=tmp_path / "cache")).analyze(PERIOD, progress=sweeper)
    assert sweeper.swept
    assert_matches_records(report, logs)


def test_parts_swept_again_on_the_second_plan_are_one_clear_error(logs: Path, tmp_path: Path) -> None:
    sweeper = Sweeper(tmp_path / "cache", times=2)
    with pytest.raises(UsageError, match=f"removed while this report read them.*{CACHE_ENV}"):
        BedrockAthenaTracker(LocalEngine(logs, cache=tmp_path / "cache")).analyze(PERIOD, progress=sweeper)


@pytest.mark.slow
def test_many_small_refreshes_are_compacted(logs: Path, tmp_path: Path) -> None:
    analyze(logs, cache=tmp_path / "cache")
    for index in range(MAX_PARTS + 3):
        add_one_call(logs, index)
        analyze(logs, cache=tmp_path / "cache")
    manifests = list((tmp_path / "cache").rglob(MANIFEST))
    assert max(len(json.loads(m.read_text())["parts"]) for m in manifests) <= MAX_PARTS
    cached, _ = analyze(logs, cache=tmp_path / "cache")
    assert_same_report(cached, analyze(logs, cache=False)[0])


@pytest.mark.slow
def test_parts_merged_into_one_outlive_their_readers(logs: Path, tmp_path: Path) -> None:
    """The parts a merge replaces stay for the grace period from the merge, however long ago they were written."""
    cache = tmp_path / "cache"
    analyze(logs, cache=cache)
    for index in range(MAX_PARTS):
        add_one_call(logs, index)
        if index == MAX_PARTS - 1:
            listed = parts_in(cache)
            age(listed, 2 * 3600)
            rows = rows_of(listed)
            merged_at = time.time()
        _, engine = analyze(logs, cache=cache)
    merged = listed - {manifest.parent / part["file"] for manifest in cache.rglob(MANIFEST)
                       for part in json.loads(manifest.read_text())["parts"]}
    assert len(merged) == MAX_PARTS
    assert listed <= parts_in(cache) and rows_of(listed) == rows
    assert all(part.stat().st_mtime >= merged_at - 1 for part in merged)


@pytest.mark.slow
def test_a_damaged_cache_is_rebuilt(logs: Path, tmp_path: Path) -> None:
    analyze(logs, cache=tmp_path / "cache")
    manifests = sorted((tmp_path / "cache").rglob(MANIFEST))
    manifests[0].write_text("{not json")
    part = next(manifests[1].parent.glob("*.parquet"))
    part.unlink()
    cached, engine = analyze(logs, cache=tmp_path / "cache")
    assert engine.last_refresh.objects_parsed > 0
    assert_same_report(cached, analyze(logs, cache=False)[0])


def test_cache_setting_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BEDROCK_USAGE_CACHE_DIR", str(tmp_path / "user-cache"))
    monkeypatch.delenv(CACHE_ENV, raising=False)
    assert LocalEngine(tmp_path).cache_dir == tmp_path / "user-cache" / "columnar"
    monkeypatch.setenv(CACHE_ENV, "off")
    assert LocalEngine(tmp_path).cache_dir is None
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "elsewhere"))
    assert LocalEngine(tmp_path).cache_dir == tmp_path / "elsewhere"
    assert LocalEngine(tmp_path, cache=False).cache_dir is None


def test_caches_of_removed_log_folders_are_pruned(tmp_path: Path) -> None:
    kept, gone = tmp_path / "kept", tmp_path / "gone"
    kept.mkdir()
    gone.mkdir()
    ColumnarCache(tmp_path / "cache", kept)
    doomed = ColumnarCache(tmp_path / "cache", gone).base
    gone.rmdir()
    assert prune_missing_roots(tmp_path / "cache") == [doomed]
    assert [p.name for p in (tmp_path / "cache").iterdir()] == [ColumnarCache(tmp_path / "cache", kept).base.name]


def test_an_unwritable_cache_folder_is_one_clear_error(logs: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    with pytest.raises(UsageError, match=CACHE_ENV):
        analyze(logs, cache=blocker / "cache")


class ForgetfulEngine(LocalEngine):
    """A real LocalEngine whose stored result is removed as soon as it answers (another process pruning it)."""

    def query(self, sql, params, scope, progress=silent):
        result = super().query(sql, params, scope, progress)
        assert result.path is not None and result.path.is_file()
        result.path.unlink()
        return result


@pytest.mark.slow
def test_results_go_straight_to_their_file_and_are_priced_from_it(logs: Path, tmp_path: Path) -> None:
    raw, _ = analyze(logs, cache=False)
    cold, _ = analyze(logs, cache=tmp_path / "cache")
    (stored,) = list((tmp_path / "cache").rglob("results/*.parquet"))
    assert "DuckDB" in pq.ParquetFile(stored).metadata.created_by  # written by the query, not from Arrow
    assert pq.read_schema(stored).field("calls").type == pa.int64()  # sums as 64-bit integers, as on Athena
    assert_same_report(cold, raw)
    gone = BedrockAthenaTracker(ForgetfulEngine(logs, cache=tmp_path / "other")).analyze(PERIOD)
    assert_same_report(gone, raw)  # the file went away between the query and the pricing: its rows are read


@pytest.mark.slow
def test_a_results_folder_that_refuses_files_still_answers(logs: Path, tmp_path: Path) -> None:
    raw, _ = analyze(logs, cache=False)
    analyze(logs, cache=tmp_path / "cache", period=resolve_period(start="2025-11-02", end="2025-11-02"))
    for results in list((tmp_path / "cache").rglob("results")):
        shutil.rmtree(results)
        results.write_text("not a folder")
    refused, engine = analyze(logs, cache=tmp_path / "cache")
    assert not engine.last_refresh.result_reused
    assert_same_report(refused, raw)
    assert_matches_records(refused, logs)


def test_a_stored_result_used_again_counts_as_recent(logs: Path, tmp_path: Path) -> None:
    analyze(logs, cache=tmp_path / "cache")
    (stored,) = list((tmp_path / "cache").rglob("results/*.parquet"))
    os.utime(stored, (1_000_000_000, 1_000_000_000))
    again, engine = analyze(logs, cache=tmp_path / "cache")
    assert engine.last_refresh.result_reused and stored.stat().st_mtime > 1_000_000_000


@pytest.mark.slow
def test_an_object_unreadable_for_its_permissions_is_read_once_they_are_fixed(tmp_path: Path) -> None:
    """Permission denied is the folder's state, not the object's content: the cache must not remember it."""
    from datetime import UTC, datetime

    from bedrock_usage.logs.layout import object_key
    from tests.aws.test_mirror import ACCOUNT, record

    when = datetime(2025, 3, 10, 9, 30, tzinfo=UTC)
    sizes = {"a": 3, "b": 4}
    paths = {}
    for name, records in sizes.items():
        path = tmp_path / "logs" / object_key("", ACCOUNT, "us-east-1", when, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        calls = [{**record(when, "us-east-1", n), "requestId": f"{name}-{n}"} for n in range(records)]
        path.write_bytes(gzip.compress("".join(json.dumps(call) + "\n" for call in calls).encode()))
        paths[name] = path
    probe = subprocess.run(["unshare", "--user", "true"], capture_output=True, check=False)
    if probe.returncode:
        pytest.skip(f"unshare --user is not allowed here: {probe.stderr.decode().strip()}")

    def report() -> dict:
        # In a user namespace of its own even root is held to the object's permissions.
        done = subprocess.run(
            ["unshare", "--user", sys.executable, str(ROOT / "bedrock_tracker_cli.py"), "--engine", "local",
             "--logs-dir", str(tmp_path / "logs"), "--start-date", "2025-03-10", "--end-date", "2025-03-10",
             "--analysis", "summary", "--format", "json", "--output-dir", "-", "--quiet"],
            env={**os.environ, "BEDROCK_USAGE_CACHE_DIR": str(tmp_path / "cache"), CACHE_ENV: "on"}, cwd=ROOT,
            capture_output=True, text=True, check=False, timeout=300)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    paths["b"].chmod(0)
    denied = report()
    assert denied["summary"]["calls"] == sizes["a"]
    assert denied["scan"]["objects_skipped"] == {"unreadable object: Permission denied": 1}

    paths["b"].chmod(0o644)
    fixed = report()
    assert fixed["summary"]["calls"] == sizes["a"] + sizes["b"]
    assert fixed["scan"]["objects_skipped"] == {}
