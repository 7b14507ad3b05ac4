"""Finished reports kept per query shape: a repeated refresh loads the same figures, and anything the figures depend
on (prices, settings, the user filter, the rows themselves) makes a new report, never a stale one."""

from __future__ import annotations

import dataclasses
import pickle
import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from botocore.exceptions import EndpointConnectionError

from bedrock_usage.demo.synthetic import CorpusSpec, generate_records
from bedrock_usage.demo.writer import write_local
from bedrock_usage.engines.local import LocalEngine
from bedrock_usage.errors import UsageError
from bedrock_usage.governance.profiles import ProfileInfo, ProfileResolver
from bedrock_usage.logs.period import resolve_period
from bedrock_usage.output.progress import Progress
from bedrock_usage.pricing import PriceBook
from bedrock_usage.report.tracker import KEPT_NOTE, PRICING, BedrockAthenaTracker, UsageReport
from tests.logfiles import read_tree
from tests.oracle import aggregate

PERIOD = resolve_period(start="2025-11-01", end="2025-11-04")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("kept-logs")
    spec = CorpusSpec(records=1500, start_date=date(2025, 11, 1), end_date=date(2025, 11, 4), seed=31)
    write_local(root, generate_records(spec))
    return root


def analyze(root: Path, cache: Path | bool, **options: object) -> tuple[UsageReport, list[Progress]]:
    heard: list[Progress] = []
    tracker_options = {k: v for k, v in options.items() if k in ("prices", "role_suffix", "rewriter")}
    tracker = BedrockAthenaTracker(LocalEngine(root, cache=cache), **tracker_options)
    report = tracker.analyze(PERIOD, user_pattern=options.get("user_pattern"), progress=heard.append)
    return report, heard


def was_kept(heard: list[Progress]) -> bool:
    return any(p.step == PRICING.english and p.finished and p.note == KEPT_NOTE.english for p in heard)


def assert_identical(kept: UsageReport, computed: UsageReport) -> None:
    assert set(kept.tables) == set(computed.tables)
    for name, table in computed.tables.items():
        pd.testing.assert_frame_equal(kept.tables[name], table, check_exact=True, obj=name)
    pd.testing.assert_frame_equal(kept.facts, computed.facts, check_exact=True, obj="facts")
    pd.testing.assert_frame_equal(kept.unpriced, computed.unpriced, obj="unpriced")
    assert kept.summary == computed.summary
    assert kept.warnings == computed.warnings
    assert kept.records_skipped == computed.records_skipped
    assert kept.stats.duplicate_records == computed.stats.duplicate_records


@pytest.mark.slow
def test_a_repeated_refresh_loads_the_same_report(corpus: Path, tmp_path: Path) -> None:
    raw, heard = analyze(corpus, cache=False)
    assert not was_kept(heard)
    cold, heard = analyze(corpus, cache=tmp_path / "cache")
    assert not was_kept(heard)
    warm, heard = analyze(corpus, cache=tmp_path / "cache")
    assert was_kept(heard)
    assert_identical(warm, cold)
    assert_identical(warm, raw)
    expected = aggregate(read_tree(corpus), PERIOD.start, PERIOD.end)["summary"][()]
    assert warm.summary["calls"] == expected.calls > 1000
    assert warm.summary["estimated_cost_usd"] == pytest.approx(expected.estimated_cost, rel=1e-9)


@pytest.mark.slow
def test_other_prices_settings_or_user_filter_are_other_reports(corpus: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    base, _ = analyze(corpus, cache=cache)
    book = PriceBook.load()
    dearer = PriceBook([dataclasses.replace(row, input=row.input * 2) if row.input else row for row in book.rows])
    for options in ({"prices": dearer}, {"role_suffix": "-Nothing"}, {"user_pattern": "a"}):
        first, heard = analyze(corpus, cache=cache, **options)
        assert not was_kept(heard), options
        uncached, _ = analyze(corpus, cache=False, **options)
        assert_identical(first, uncached)
        again, heard = analyze(corpus, cache=cache, **options)
        assert was_kept(heard), options
        assert_identical(again, uncached)
    assert first.summary["calls"] < base.summary["calls"]  # the user filter
    priced, _ = analyze(corpus, cache=cache, prices=dearer)
    assert priced.summary["input_cost_usd"] == pytest.approx(2 * base.summary["input_cost_usd"], rel=1e-12)


@pytest.mark.slow
def test_new_logs_make_a_new_report(corpus: Path, tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    shutil.copytree(corpus, logs)
    before, _ = analyze(logs, cache=tmp_path / "cache")
    more = CorpusSpec(records=200, start_date=date(2025, 11, 2), end_date=date(2025, 11, 3), seed=32)
    write_local(logs, generate_records(more))
    after, heard = analyze(logs, cache=tmp_path / "cache")
    assert not was_kept(heard)
    assert after.summary["calls"] == before.summary["calls"] + 200


@pytest.mark.slow
def test_a_damaged_or_writable_kept_report_is_computed_again(corpus: Path, tmp_path: Path) -> None:
    cold, _ = analyze(corpus, cache=tmp_path / "cache")
    kept = list((tmp_path / "cache").rglob("reports/*.pickle"))
    assert len(kept) == 1 and kept[0].stat().st_mode & 0o777 == 0o600
    kept[0].write_bytes(kept[0].read_bytes()[:100])
    again, heard = analyze(corpus, cache=tmp_path / "cache")
    assert not was_kept(heard)
    assert_identical(again, cold)
    kept[0].chmod(0o664)  # others could have written it: a pickle runs code when loaded, so it is not loaded
    again, heard = analyze(corpus, cache=tmp_path / "cache")
    assert not was_kept(heard)
    assert_identical(again, cold)
    _, heard = analyze(corpus, cache=tmp_path / "cache")
    assert was_kept(heard)  # the entry written anew is private again


def unreachable(region: str) -> None:
    raise EndpointConnectionError(endpoint_url=f"https://bedrock.{region}.amazonaws.com")


@pytest.mark.slow
def test_profiles_looked_up_in_the_api_are_never_kept(corpus: Path, tmp_path: Path) -> None:
    profile = "arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/abc"
    mapping = {profile: ProfileInfo(profile, "anthropic.claude-3-haiku-20240307-v1:0", {}, "file")}
    analyze(corpus, cache=tmp_path / "cache", rewriter=ProfileResolver(mapping))
    _, heard = analyze(corpus, cache=tmp_path / "cache", rewriter=ProfileResolver(mapping))
    assert was_kept(heard)  # a mapping file alone names the rewriting
    shutil.rmtree(next((tmp_path / "cache").rglob("reports")))
    for _ in range(2):  # the API may answer otherwise next time (here: it cannot be reached at all)
        report, heard = analyze(corpus, cache=tmp_path / "cache", rewriter=ProfileResolver(mapping, unreachable))
        assert not was_kept(heard)
        assert any("not resolved" in warning for warning in report.warnings)
    assert not list((tmp_path / "cache").rglob("reports/*.pickle"))


@pytest.mark.slow
def test_a_kept_report_answers_without_reading_the_stored_rows(corpus: Path, tmp_path: Path) -> None:
    cold, _ = analyze(corpus, cache=tmp_path / "cache")
    stored = list((tmp_path / "cache").rglob("results/*.parquet"))
    assert len(stored) == 1
    stored[0].write_bytes(b"PAR1 not a result PAR1")
    warm, heard = analyze(corpus, cache=tmp_path / "cache")
    assert was_kept(heard)
    assert_identical(warm, cold)
    assert stored[0].read_bytes() == b"PAR1 not a result PAR1"  # never read
    shutil.rmtree(next((tmp_path / "cache").rglob("reports")))  # now the rows are needed: computed again
    again, heard = analyze(corpus, cache=tmp_path / "cache")
    assert not was_kept(heard)
    assert_identical(again, cold)
    assert len(pd.read_parquet(stored[0])) > 0  # stored anew, readable


@pytest.mark.slow
def test_a_kept_reports_facts_are_read_only_when_used(corpus: Path, tmp_path: Path) -> None:
    cold, _ = analyze(corpus, cache=tmp_path / "cache")
    [facts] = (tmp_path / "cache").rglob("reports/*.facts")
    assert facts.stat().st_mode & 0o777 == 0o600
    warm, heard = analyze(corpus, cache=tmp_path / "cache")
    assert was_kept(heard)
    facts.write_bytes(b"not the facts")  # damaged after the report was loaded: its tables need no facts
    for name, table in cold.tables.items():
        pd.testing.assert_frame_equal(warm.tables[name], table, check_exact=True, obj=name)
    assert warm.summary == cold.summary and warm.warnings == cold.warnings
    with pytest.raises(UsageError, match="removed or damaged while in use: run again"):
        warm.facts  # noqa: B018
    again, heard = analyze(corpus, cache=tmp_path / "cache")
    assert not was_kept(heard)  # the damaged entry was forgotten: computed again, and kept anew
    assert_identical(again, cold)
    _, heard = analyze(corpus, cache=tmp_path / "cache")
    assert was_kept(heard)


@pytest.mark.slow
def test_kept_facts_must_be_private_and_travel_with_a_pickled_report(corpus: Path, tmp_path: Path) -> None:
    cold, _ = analyze(corpus, cache=tmp_path / "cache")
    [facts] = (tmp_path / "cache").rglob("reports/*.facts")
    facts.chmod(0o664)
    again, heard = analyze(corpus, cache=tmp_path / "cache")
    assert not was_kept(heard)
    warm, heard = analyze(corpus, cache=tmp_path / "cache")
    assert was_kept(heard)
    copy = pickle.dumps(warm)
    for kept in (tmp_path / "cache").rglob("reports/*"):
        kept.unlink()
    assert_identical(pickle.loads(copy), cold)
