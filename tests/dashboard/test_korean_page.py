"""The Korean page says in Korean what the English page says in English: where the logs were read (the engine's
source), in the status line of the read and in the caption under the Amazon Bedrock tab's tables, and the steps of
the read (listing, reading, pricing) with their counts."""

from __future__ import annotations

import string
from datetime import date
from pathlib import Path

import pytest

from bedrock_usage.dashboard.progress_view import LatestSteps
from bedrock_usage.dashboard.text import STRINGS, Text
from bedrock_usage.engines.athena import AthenaEngine, query_progress
from bedrock_usage.engines.local import LocalEngine
from bedrock_usage.logs.period import Period
from bedrock_usage.output.progress import ENGLISH, Words, progress_line, step_update
from bedrock_usage.qdev.analysis import Source, analyze
from bedrock_usage.qdev.sources import LocalStore
from bedrock_usage.qdev.synthetic import write_qdev_corpus
from tests.dashboard.helpers import END, PREVIOUS, START, open_app, shown
from tests.engines.test_local_engine import record, user
from tests.logfiles import write_records


def fields(template: str) -> set[str]:
    """The names a template fills in."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def fixed_part(template: str) -> str:
    """The words of a text.py template before its first field (``DuckDB over local log files in ``)."""
    return template.split("{", 1)[0]


@pytest.mark.parametrize("cache", [False, True])
def test_the_english_source_line_is_the_engines_own_description(tmp_path: Path, cache: bool) -> None:
    """The English page words the source as the CLI's reports do (the engine's description)."""
    local = LocalEngine(tmp_path / "logs", cache=tmp_path / "cache" if cache else False)
    athena = AthenaEngine(None, workgroup="nightly")
    for engine in (local, athena):
        assert shown(Text("en").log_source(engine.source)) == engine.description


@pytest.mark.slow
def test_the_korean_page_says_where_the_logs_were_read_in_korean(no_aws_env: dict[str, str], tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    write_records(logs, [record(f"{START}T10:00:00Z", user("alice")), record(f"{END}T10:00:00Z", user("bob"))])
    at = open_app(lang="ko", source="local", logs=str(logs), start=START.isoformat(), end=END.isoformat())
    english, korean = fixed_part(STRINGS["en"]["source_read_local"]), fixed_part(STRINGS["ko"]["source_read_local"])
    assert english.strip() and korean.strip() and english != korean
    captions = [shown(caption.value) for caption in at.caption]
    scan = fixed_part(STRINGS["ko"]["scan_line"])
    assert any(text.startswith(scan) and korean in text and str(logs) in text for text in captions), captions
    outcomes = [shown(box.label) for box in [*at.status, *at.expander]]
    assert any(korean in label for label in outcomes), outcomes
    everything = [*captions, *outcomes, *(shown(m.value) for m in at.markdown)]
    assert not [text for text in everything if english in text]


def test_the_english_steps_are_the_terminals_words() -> None:
    """The English page words the steps of a read as the scripts' progress bars do; the Korean page has every one."""
    for key, english in ENGLISH.items():
        assert STRINGS["en"][f"progress_{key}"] == english, key
        assert fields(STRINGS["ko"][f"progress_{key}"]) == fields(english), key
    reading = step_update(Words("reading_logs"), 120, 340, Words("objects"), 12 * 2**20, 40 * 2**20,
                          Words.of("records_cached", records=1234, cached=56))
    assert Text("en").step_line(reading) == progress_line(reading) == (
        "reading logs: 120 of 340 objects, 12.0 MiB of 40.0 MiB; 1,234 records parsed, 56 objects cached")


@pytest.mark.slow
def test_the_korean_page_words_the_steps_of_the_read_in_korean(no_aws_env: dict[str, str], tmp_path: Path) -> None:
    """The read's steps, drawn as bars while it runs, are worded from the Korean entries with their counts: the
    objects listed and read, their bytes and the records parsed (two calls, one object each), none in English."""
    logs = tmp_path / "logs"
    paths = write_records(logs, [record(f"{START}T10:00:00Z", user("alice")), record(f"{END}T10:00:00Z", user("bob"))])
    size = sum(path.stat().st_size for path in paths)
    assert len(paths) == 2 and size < 1024  # shown in bytes
    at = open_app(lang="ko", source="local", logs=str(logs), start=START.isoformat(), end=END.isoformat())
    texts = [bar.proto.text for bar in at.get("progress")]
    ko = {key: STRINGS["ko"][f"progress_{key}"] for key in ENGLISH}
    label = f"{START} .. {END} (UTC)"
    reading = (f"{label}: {ko['reading_logs']}: {ko['count_of'].format(done=2, total=2, unit=ko['objects'])}, "
               f"{ko['size_of'].format(done=f'{size:,} B', total=f'{size:,} B')}; "
               f"{ko['records_cached'].format(records=2, cached=0)}")
    assert reading in texts, texts
    listing = [text for text in texts if text.startswith(f"{label}: {ko['listing_logs']}: {ko['day_folders']} ")]
    assert len(listing) == 1 and listing[0].endswith("; " + ko["objects_listed"].format(objects=2)), texts
    for period in (label, f"{PREVIOUS[0]} .. {PREVIOUS[1]} (UTC)"):
        for step, unit in (("listing_logs", "day_folders"), ("reading_logs", "objects"), ("pricing", "fact_rows")):
            assert any(text.startswith(f"{period}: {ko[step]}: {ko[unit]} ") for text in texts), (period, step, texts)
    english = [ENGLISH[key] for key in ("listing_logs", "reading_logs", "pricing", "objects", "day_folders",
                                        "fact_rows")] + [" of ", "records parsed", "cached"]
    assert not [text for text in texts if any(words in text for words in english)], texts


def test_the_amazon_q_steps_are_worded_in_korean(tmp_path: Path) -> None:
    """The Amazon Q read's steps (listing the day folders, reading every file) as the Korean page's bars say them,
    from the Korean entries, counting the files written."""
    first, last = date(2025, 11, 10), date(2025, 11, 11)
    write_qdev_corpus(tmp_path, start=first, end=last, seed=3, users=2)
    files = sum(1 for path in tmp_path.rglob("*") if path.is_file())
    steps = LatestSteps()  # what the page's status box draws
    analyze(Source(LocalStore(tmp_path)), Period(first, last), progress=steps)
    lines = [Text("ko").step_line(update) for update in steps.latest()]
    ko = {key: STRINGS["ko"][f"progress_{key}"] for key in ENGLISH}
    reading = f"{ko['reading_qdev']}: {ko['count_of'].format(done=files, total=files, unit=ko['files'])}"
    assert files > 2 and reading in lines, lines
    assert any(line.startswith(f"{ko['listing_qdev']}: {ko['day_folders']} ") for line in lines), lines
    assert not [line for line in lines if "Amazon Q logs" in line or "files" in line], lines


def test_an_athena_querys_step_is_worded_in_korean() -> None:
    """A query's poll (its state, seconds and data scanned, and their price: $5 per TB) as the Korean page's bar
    says it, and as the terminal's in English."""
    execution = {"Status": {"State": "RUNNING"}, "Statistics": {"DataScannedInBytes": 3 * 2**30}}
    update = query_progress(Words.of("athena_region", region="us-east-1"), execution, 12.4)
    cost = 3 / 1024 * 5  # 3 GiB of a TiB, as tests/engines/test_progress.py counts it: $0.0146
    ko = {key: STRINGS["ko"][f"progress_{key}"] for key in ENGLISH}
    assert Text("ko").step_line(update) == "Athena us-east-1: " + ko["query_state"].format(
        state="RUNNING", seconds=12.4, scanned="3.0 GiB", cost=cost)
    assert progress_line(update) == f"Athena us-east-1: RUNNING, 12 s, 3.0 GiB scanned (${cost:.4f})"
