"""Hostile and damaged input to the DuckDB engine: decompression bombs, damaged cache parts, symbolic-link loops and
keys written twice. Each gets a clear outcome, and the other records' figures never change."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bedrock_tracker_cli
from bedrock_usage.bounded_gzip import MAX_OBJECT_ENV, OverCap, gunzip_chunks, over_cap_reason
from bedrock_usage.engines import local
from bedrock_usage.engines.base import SKIPPED_EXAMPLES, Scope
from bedrock_usage.engines.columnar_cache import MANIFEST, MAX_PARTS
from bedrock_usage.engines.local import LocalEngine
from bedrock_usage.logs.period import resolve_period
from bedrock_usage.report.render import report_document
from bedrock_usage.report.tracker import BedrockAthenaTracker
from tests.logfiles import ACCOUNT, write_records

ROOT = Path(__file__).resolve().parents[2]
PERIOD = resolve_period(start="2025-11-02", end="2025-11-02")
MIB = 1024 * 1024
CACHES = pytest.mark.parametrize("cache", [False, True], ids=["cache-off", "cache-on"])


def record(minute: int, user: str = "alice", inp: int = 100, out: int = 10, **extra: object) -> dict:
    return {"schemaType": "ModelInvocationLog", "timestamp": f"2025-11-02T10:{minute:02d}:00Z", "accountId": ACCOUNT,
            "identity": {"arn": f"arn:aws:iam::{ACCOUNT}:user/{user}"}, "region": "us-east-1",
            "requestId": f"req-{minute}-{user}", "operation": "Converse",
            "modelId": "anthropic.claude-3-haiku-20240307-v1:0", "input": {"inputTokenCount": inp},
            "output": {"outputTokenCount": out}, **extra}


def report(root: Path, cache: bool | Path, **engine: object):
    return BedrockAthenaTracker(LocalEngine(root, cache=cache, **engine)).analyze(PERIOD, ["us-east-1"])


def cache_arg(cache: bool, tmp_path: Path) -> bool | Path:
    return tmp_path / "cache" if cache else False


def write_bomb(path: Path, size: int, block: bytes = b"\n") -> None:
    """A gzip object of ``size`` bytes of ``block`` (about a thousandth of that on disk)."""
    with gzip.open(path, "wb", compresslevel=9) as handle:
        for _ in range(size // MIB):
            handle.write(block * (MIB // len(block)))


# Decompression bombs


@CACHES
def test_an_object_over_the_cap_is_skipped_and_counted_with_its_reason(tmp_path: Path, cache: bool) -> None:
    good = [record(m, inp=10 + m) for m in range(10)]
    (path,) = write_records(tmp_path / "logs", good)
    write_bomb(path.with_name("zz-bomb.json.gz"), 3 * MIB)
    junk = path.with_name("zz-junk-lines.json.gz")
    write_bomb(junk, 3 * MIB, b'{"a":1}\n')  # lines that are records, past the cap: none of them is counted
    write_bomb(path.with_name("zz-blank.json.gz"), MIB)  # within the cap: read, and nothing in it
    result = report(tmp_path / "logs", cache_arg(cache, tmp_path), max_object_bytes=2 * MIB)
    assert result.summary["calls"] == 10
    assert result.summary["input_tokens"] == sum(r["input"]["inputTokenCount"] for r in good)
    assert result.records_skipped == 0
    reason = over_cap_reason(2 * MIB)
    assert result.stats.skipped_objects[reason] == 2
    assert result.stats.objects_read == 2
    bomb, junk_path = (path.with_name(name).as_posix() for name in ("zz-bomb.json.gz", "zz-junk-lines.json.gz"))
    assert f"skipped 2 objects: {reason} ({bomb}, {junk_path})" in result.warnings  # where to look
    assert MAX_OBJECT_ENV in reason and "2 MiB" in reason


def test_the_cap_comes_from_the_environment_and_a_larger_cap_reads_the_object_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (path,) = write_records(tmp_path / "logs", [record(1)])
    big = [json.dumps(record(m, user="bob")) for m in range(2, 40)]
    with gzip.open(path.with_name("zz-big.json.gz"), "wt") as handle:
        handle.write("\n".join(big) + "\n" + " " * (2 * MIB) + "\n")  # padded past 2 MiB
    cache = tmp_path / "cache"
    monkeypatch.setenv(MAX_OBJECT_ENV, "2")
    small = report(tmp_path / "logs", cache)
    assert small.summary["calls"] == 1 and small.stats.skipped_objects[over_cap_reason(2 * MIB)] == 1
    assert report(tmp_path / "logs", cache).summary["calls"] == 1  # remembered: not read again
    monkeypatch.setenv(MAX_OBJECT_ENV, "3")
    larger = report(tmp_path / "logs", cache)
    assert larger.summary["calls"] == 1 + len(big) and not larger.stats.skipped_objects


@pytest.mark.parametrize("value", ["0", "-1", "lots", "nan"])
def test_a_bad_cap_setting_is_a_one_line_error(tmp_path: Path, value: str, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    write_records(tmp_path / "logs", [record(1)])
    monkeypatch.setenv(MAX_OBJECT_ENV, value)
    code = bedrock_tracker_cli.main(["--logs-dir", str(tmp_path / "logs"), "--start-date", "2025-11-02",
                                     "--end-date", "2025-11-02"])
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    assert err.count("\n") == 1 and MAX_OBJECT_ENV in err and repr(value) in err


@CACHES
def test_lines_of_json_whitespace_are_no_records_and_indented_records_are_read(tmp_path: Path, cache: bool) -> None:
    """Blank lines of spaces, tabs or carriage returns (a CRLF file's empty lines) are neither records nor skipped
    ones; a record that opens with whitespace or ends with a carriage return is read."""
    good = [record(m, inp=10 + m) for m in range(4)]
    (path,) = write_records(tmp_path / "logs", good[:1])
    lines = ["   ", "\t", "\r", " \t \r", "  " + json.dumps(good[1]), "\t" + json.dumps(good[2]),
             json.dumps(good[3]) + "\r", "", "not json"]
    with gzip.open(path.with_name("zz-spaces.json.gz"), "wt", encoding="utf-8", newline="") as handle:
        handle.write("\n".join(lines) + "\r\n")
    result = report(tmp_path / "logs", cache_arg(cache, tmp_path))
    assert result.summary["calls"] == len(good)
    assert result.summary["input_tokens"] == sum(r["input"]["inputTokenCount"] for r in good)
    assert result.records_skipped == 1  # "not json"


def test_a_byte_order_mark_opening_an_object_and_lone_cr_line_ends_are_read_as_athena_reads_them(
        tmp_path: Path) -> None:
    """Athena's line reader (Trino's TextLineReader, as Hadoop's LineRecordReader) skips a UTF-8 byte order mark that
    opens an object and ends a line at a lone CR too, so a copy saved by a Windows editor loses no call; a mark
    opening a later line is no JSON there either: that line is one skipped record."""
    read = [record(m, inp=10 + m, out=m) for m in range(4)]
    marked = record(9, inp=999, out=9)
    (path,) = write_records(tmp_path / "logs", read[:1])
    text = ("\ufeff" + json.dumps(read[1]) + "\r" + json.dumps(read[2]) + "\r\n" + json.dumps(read[3]) + "\n"
            + "\ufeff" + json.dumps(marked) + "\r")
    path.with_name("zz-windows.json.gz").write_bytes(gzip.compress(text.encode()))
    result = report(tmp_path / "logs", False)  # the cache's parts are parsed by the same reader
    assert result.summary["calls"] == len(read)
    assert result.summary["input_tokens"] == sum(r["input"]["inputTokenCount"] for r in read)
    assert result.summary["output_tokens"] == sum(r["output"]["outputTokenCount"] for r in read)
    assert result.records_skipped == 1


@CACHES
def test_an_object_whose_name_is_not_utf8_is_skipped_and_counted(tmp_path: Path, cache: bool) -> None:
    good = [record(m, inp=10 + m) for m in range(3)]
    (path,) = write_records(tmp_path / "logs", good)
    odd = os.fsencode(path.parent) + b"/caf\xe9.json.gz"  # Latin-1 bytes: no UTF-8 name
    with open(odd, "wb") as handle:
        handle.write(gzip.compress(json.dumps(record(50, inp=999)).encode()))
    result = report(tmp_path / "logs", cache_arg(cache, tmp_path))
    assert result.summary["calls"] == len(good)
    assert result.summary["input_tokens"] == sum(r["input"]["inputTokenCount"] for r in good)
    assert result.stats.skipped_objects == {local.NAME_NOT_UTF8: 1}
    shown = path.parent.as_posix() + "/caf\\xe9.json.gz"
    assert f"skipped 1 object: {local.NAME_NOT_UTF8} ({shown})" in result.warnings


@CACHES
def test_an_object_not_named_json_gz_is_skipped_and_counted(tmp_path: Path, cache: bool) -> None:
    """A hand-made copy's ``.json`` or ``.JSON.GZ`` object is not read, and says so (it was left out silently)."""
    good = [record(m, inp=10 + m) for m in range(3)]
    (path,) = write_records(tmp_path / "logs", good)
    path.with_name("plain.json").write_text(json.dumps(record(50, inp=999)) + "\n")
    path.with_name("upper.JSON.GZ").write_bytes(gzip.compress(json.dumps(record(51, inp=999)).encode()))
    result = report(tmp_path / "logs", cache_arg(cache, tmp_path))
    assert result.summary["calls"] == len(good)
    assert result.stats.skipped_objects == {local.NOT_GZIP_NAME: 2}
    assert any(w.startswith(f"skipped 2 objects: {local.NOT_GZIP_NAME}") for w in result.warnings), result.warnings


@CACHES
def test_objects_in_an_hour_folder_whose_name_is_not_utf8_are_skipped_and_the_json_stays_utf8(
        tmp_path: Path, cache: bool) -> None:
    good = [record(m, inp=10 + m) for m in range(3)]
    (path,) = write_records(tmp_path / "logs", good)
    odd = os.fsencode(path.parent.parent) + b"/1\xff"
    os.mkdir(odd)
    with open(odd + b"/a.json.gz", "wb") as handle:
        handle.write(gzip.compress(json.dumps(record(50, inp=999)).encode()))
    open(odd + b"/empty.json.gz", "wb").close()
    result = report(tmp_path / "logs", cache_arg(cache, tmp_path))
    assert result.summary["calls"] == len(good)
    assert result.stats.skipped_objects == {local.NAME_NOT_UTF8: 2}
    document = report_document(result, [])
    json.dumps(document, ensure_ascii=False).encode("utf-8")  # raises on a lone surrogate
    shown = path.parent.parent.as_posix() + "/1\\xff/"
    assert document["scan"]["objects_skipped_examples"] == {local.NAME_NOT_UTF8: [shown + "a.json.gz",
                                                                                  shown + "empty.json.gz"]}


@CACHES
def test_skipped_objects_are_named_the_first_three_by_name(tmp_path: Path, cache: bool) -> None:
    (path,) = write_records(tmp_path / "logs", [record(1)])
    damaged = sorted(path.with_name(f"zz-{n}.json.gz") for n in range(5))
    for target in damaged:
        target.write_bytes(gzip.compress(b'{"timestamp": "2025-11-02T10:00:00Z"}\n')[:25])  # cut short
    result = report(tmp_path / "logs", cache_arg(cache, tmp_path))
    first = [target.as_posix() for target in damaged[:3]]
    reason = f"{local.UNREADABLE}: gzip cut short (an object still being written, or a partial copy)"
    assert result.stats.skipped_examples == {reason: first}
    assert f"skipped 5 objects: {reason} (first: {', '.join(first)})" in result.warnings
    assert report_document(result, [])["scan"]["objects_skipped_examples"] == {reason: first}
    assert result.summary["calls"] == 1


@CACHES
def test_a_gzip_whose_checksum_or_length_fails_is_skipped_as_damaged_not_as_not_gzip(
        tmp_path: Path, cache: bool) -> None:
    """Python's gzip says "CRC check failed" or "Incorrect length of data produced"; the reason said "not gzip"."""
    (path,) = write_records(tmp_path / "logs", [record(1)])
    stored = bytearray(gzip.compress(json.dumps(record(2, inp=100)).encode() + b"\n", compresslevel=0))
    digit = stored.index(b'"inputTokenCount": 100') + len('"inputTokenCount": ')
    stored[digit] = ord("9")  # 100 -> 900 in the stored bytes: the CRC no longer matches
    path.with_name("crc.json.gz").write_bytes(bytes(stored))
    wrong_length = bytearray(gzip.compress(json.dumps(record(3)).encode() + b"\n"))
    wrong_length[-4:] = (5).to_bytes(4, "little")  # ISIZE, the length of what it holds
    path.with_name("length.json.gz").write_bytes(bytes(wrong_length))
    path.with_name("plain.json.gz").write_bytes(b"plain text")
    result = report(tmp_path / "logs", cache_arg(cache, tmp_path))
    assert result.summary["calls"] == 1
    assert result.stats.skipped_objects == {f"{local.UNREADABLE}: {local.DAMAGED_GZIP}": 2,
                                            f"{local.UNREADABLE}: not gzip": 1}


@CACHES
def test_a_short_text_object_is_not_gzip_and_bytes_after_a_gzip_member_are_named(tmp_path: Path, cache: bool) -> None:
    """A text object shorter than gzip's header read "gzip cut short" (the reader ran out before it looked at the
    magic bytes), and a whole gzip member followed by junk read "not gzip"."""
    (path,) = write_records(tmp_path / "logs", [record(1)])
    path.with_name("short.json.gz").write_bytes(b"notgzip")
    member = gzip.compress(json.dumps(record(2)).encode() + b"\n")
    path.with_name("appended.json.gz").write_bytes(member + b"junk after the member")
    path.with_name("one-byte.json.gz").write_bytes(member + b"\n")  # fewer bytes than a header: "ended early"
    result = report(tmp_path / "logs", cache_arg(cache, tmp_path))
    assert result.summary["calls"] == 1
    assert result.stats.skipped_objects == {f"{local.UNREADABLE}: not gzip": 1,
                                            f"{local.UNREADABLE}: {local.TRAILING_BYTES}": 2}


# Bytes that are not UTF-8


def prompted(minute: int, inp: int, out: int) -> dict:
    """A record whose request body holds a prompt that names it (``PROMPT-<minute>``)."""
    body = {"messages": [{"role": "user", "content": [{"text": f"PROMPT-{minute} summarise the report"}]}]}
    logged = record(minute, inp=inp, out=out)
    logged["input"]["inputBodyJson"] = body
    return logged


def write_damaged(path: Path, records: list[dict], damaged: set[int], extra: bytes = b"") -> None:
    """``records`` as one gzip object at ``path``, the prompt of each record numbered in ``damaged`` holding a byte
    that is not UTF-8 (``\\xff``), then ``extra`` lines."""
    lines = [json.dumps(r).encode() for r in records]
    for index in damaged:
        lines[index] = lines[index].replace(b"PROMPT-", b"caf\xff-")
    path.write_bytes(gzip.compress(b"\n".join(lines) + b"\n" + extra))


@CACHES
def test_an_object_with_a_byte_that_is_not_utf8_keeps_every_record_and_warns(tmp_path: Path, cache: bool) -> None:
    """One damaged byte in one prompt used to skip the whole object; it is read with U+FFFD, as Athena reads it."""
    records = [prompted(m, inp=1000 + 7 * m, out=50 + m) for m in range(3)]
    (path,) = write_records(tmp_path / "logs", records)
    write_damaged(path, records, {1})
    warning = f"1 object held bytes that are not UTF-8; read with replacement characters ({path.as_posix()})"
    for run in ("cold", "warm") if cache else ("cold",):
        engine = LocalEngine(tmp_path / "logs", cache=cache_arg(cache, tmp_path))
        result = BedrockAthenaTracker(engine).analyze(PERIOD, ["us-east-1"])
        assert result.summary["calls"] == 3, run
        assert result.summary["input_tokens"] == sum(r["input"]["inputTokenCount"] for r in records)
        assert result.summary["output_tokens"] == sum(r["output"]["outputTokenCount"] for r in records)
        assert result.records_skipped == 0 and not result.stats.skipped_objects
        assert result.stats.objects_read == 1
        assert warning in result.warnings, result.warnings
        scan = report_document(result, [])["scan"]
        assert (scan["objects_not_utf8"], scan["objects_not_utf8_examples"]) == (1, [path.as_posix()])
    if cache:
        assert engine.last_refresh.objects_parsed == 0  # the warm run still says so, from the cache's manifest


@CACHES
def test_a_record_that_is_not_json_once_its_bytes_are_replaced_is_skipped_and_counted(
        tmp_path: Path, cache: bool) -> None:
    records = [prompted(m, inp=10 + m, out=m) for m in range(3)]
    (path,) = write_records(tmp_path / "logs", records)
    write_damaged(path, records, {0}, b'{"timestamp": "2025-11-02T10:30:00Z", "modelId": "caf\xff\n')
    result = report(tmp_path / "logs", cache_arg(cache, tmp_path))
    assert result.summary["calls"] == 3
    assert result.summary["input_tokens"] == sum(r["input"]["inputTokenCount"] for r in records)
    assert result.records_skipped == 1 and result.stats.objects_not_utf8 == 1


@CACHES
def test_a_record_cut_inside_korean_text_is_skipped_and_counted(tmp_path: Path, cache: bool) -> None:
    """A line that is not JSON and holds characters of several bytes: DuckDB's error quotes it cut inside a
    character, which Python cannot decode; the line is skipped and counted like any other."""
    records = [record(m, inp=10 + m, out=m) for m in range(3)]
    (path,) = write_records(tmp_path / "logs", records)
    cut = '{"prompt": "' + "한국어 문장 " * 40  # DuckDB's message quotes the line's first bytes
    with gzip.open(path.parent / "cut.json.gz", "wt", encoding="utf-8") as handle:
        handle.write(cut + "\n")
    result = report(tmp_path / "logs", cache_arg(cache, tmp_path))
    assert result.summary["calls"] == 3
    assert result.summary["input_tokens"] == sum(r["input"]["inputTokenCount"] for r in records)
    assert result.records_skipped == 1


@CACHES
def test_a_late_call_read_with_replacement_characters_is_named_by_the_report_holding_it(
        tmp_path: Path, cache: bool) -> None:
    """A call of 23:59 delivered in the next day's 00 hour folder, with a damaged byte: the day's report holds its
    tokens and names the object; so does every report that read it (the next day's, which owns the folder)."""
    late = {**prompted(1, inp=5000, out=500), "timestamp": "2025-11-02T23:59:58Z", "requestId": "late"}
    (path,) = write_records(tmp_path / "logs", [{**late, "timestamp": "2025-11-03T00:00:30Z"}])  # the folder
    write_damaged(path, [late], {0})  # holding the late call alone
    result = report(tmp_path / "logs", cache_arg(cache, tmp_path))
    assert (result.summary["calls"], result.summary["input_tokens"]) == (1, 5000)
    assert (result.stats.objects_not_utf8, result.stats.not_utf8_examples) == (1, [path.as_posix()])
    next_day = BedrockAthenaTracker(LocalEngine(tmp_path / "logs", cache=cache_arg(cache, tmp_path))).analyze(
        resolve_period(start="2025-11-03", end="2025-11-03"), ["us-east-1"])
    assert next_day.summary["calls"] == 0 and next_day.stats.objects_not_utf8 == 1


def test_a_bad_byte_inside_a_key_loses_that_fields_value_and_the_object_is_named(tmp_path: Path) -> None:
    """As README's failure table says: ``"inputToken\\xffCount"`` is a key no reader knows (Athena neither), so the
    call stays with 0 input tokens, not a skipped record; the object warning names the object."""
    records = [record(1, inp=1000, out=10), record(2, inp=2000, out=20)]
    (path,) = write_records(tmp_path / "logs", records)
    lines = [json.dumps(r).encode() for r in records]
    lines[1] = lines[1].replace(b"inputTokenCount", b"inputToken\xffCount")
    path.write_bytes(gzip.compress(b"\n".join(lines) + b"\n"))
    result = report(tmp_path / "logs", False)
    assert (result.summary["calls"], result.summary["input_tokens"], result.summary["output_tokens"]) == (2, 1000, 30)
    assert result.records_skipped == 0 and result.stats.not_utf8_examples == [path.as_posix()]


def test_objects_read_with_replacement_characters_are_named_the_first_three_by_name(tmp_path: Path) -> None:
    (path,) = write_records(tmp_path / "logs", [record(1)])
    damaged = sorted(path.with_name(f"zz-{n}.json.gz") for n in range(4))
    for minute, target in enumerate(damaged, start=10):
        write_damaged(target, [prompted(minute, inp=5, out=1)], {0})
    result = report(tmp_path / "logs", tmp_path / "cache")
    first = ", ".join(target.as_posix() for target in damaged[:3])
    assert result.summary["calls"] == 5
    assert f"4 objects held bytes that are not UTF-8; read with replacement characters (first: {first})" in (
        result.warnings)


def test_a_compacted_part_still_names_its_object_read_with_replacement_characters(tmp_path: Path) -> None:
    (path,) = write_records(tmp_path / "logs", [record(1)])
    damaged = path.with_name("zz-damaged.json.gz")
    write_damaged(damaged, [prompted(2, inp=5, out=1)], {0})
    engine = LocalEngine(tmp_path / "logs", cache=tmp_path / "cache")
    sql = "SELECT count(*) AS calls FROM bedrock_invocation_logs"
    for minute in range(10, 11 + MAX_PARTS):  # a part per refresh, until the day folder's parts are merged
        path.with_name(f"zz-{minute}.json.gz").write_bytes(gzip.compress(json.dumps(record(minute)).encode()))
        result = engine.query(sql, [], Scope(("us-east-1",), *PERIOD.partition_days()))
    (manifest,) = (tmp_path / "cache").rglob(MANIFEST)
    assert len(json.loads(manifest.read_text())["parts"]) == 1
    assert result.rows.column("calls").to_pylist() == [3 + MAX_PARTS]
    assert (result.stats.objects_not_utf8, result.stats.not_utf8_examples) == (1, [damaged.as_posix()])


def test_the_cli_reports_every_record_of_an_object_with_a_byte_that_is_not_utf8(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    records = [prompted(m, inp=2000 + m, out=300 + m) for m in range(3)]
    (path,) = write_records(tmp_path / "logs", records)
    write_damaged(path, records, {1})
    code = bedrock_tracker_cli.main(["--logs-dir", str(tmp_path / "logs"), "--start-date", "2025-11-02",
                                     "--end-date", "2025-11-02", "--region", "us-east-1", "--format", "json",
                                     "--output-dir", "-"])
    out, err = capsys.readouterr()
    assert code == 0, err
    document = json.loads(out)
    assert document["summary"]["calls"] == 3
    assert document["summary"]["input_tokens"] == sum(r["input"]["inputTokenCount"] for r in records)
    assert document["summary"]["output_tokens"] == sum(r["output"]["outputTokenCount"] for r in records)
    assert document["scan"]["objects_skipped"] == {} and document["scan"]["objects_not_utf8"] == 1
    warning = f"1 object held bytes that are not UTF-8; read with replacement characters ({path.as_posix()})"
    assert warning in document["warnings"]
    assert f"warning: {warning}" in err
    assert "PROMPT" not in out and "caf" not in out  # reports never show prompt text

@pytest.mark.slow
def test_a_gigabyte_of_blank_lines_is_read_in_bounded_memory(tmp_path: Path) -> None:
    """The object holds 1 GiB once decompressed (1 MB on disk); the reader never holds more than a chunk of it."""
    write_records(tmp_path / "logs", [record(1)])
    bomb = next((tmp_path / "logs").rglob("*.json.gz")).with_name("zz-bomb.json.gz")
    write_bomb(bomb, 1024 * MIB)
    probe = (
        "import sys, json; from pathlib import Path; sys.path.insert(0, sys.argv[2]);"
        "from bedrock_usage.engines.local import LocalEngine;"
        "from bedrock_usage.logs.period import resolve_period;"
        "from bedrock_usage.report.tracker import BedrockAthenaTracker;"
        "r = BedrockAthenaTracker(LocalEngine(Path(sys.argv[1]), cache=False)).analyze("
        "resolve_period(start='2025-11-02', end='2025-11-02'), ['us-east-1']);"
        "hwm = [l for l in Path('/proc/self/status').read_text().splitlines() if l.startswith('VmHWM')][0];"
        "print(json.dumps({'calls': r.summary['calls'], 'peak_kb': int(hwm.split()[1])}))"
    )
    proc = subprocess.run([sys.executable, "-c", probe, str(tmp_path / "logs"), str(ROOT)], capture_output=True,
                          text=True, timeout=300, check=True)
    result = json.loads(proc.stdout)
    assert result["calls"] == 1
    assert result["peak_kb"] * 1024 < 512 * MIB  # a reader that holds the object would need more than 1 GiB


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    lines=st.lists(st.tuples(st.one_of(st.just(""), st.text(alphabet="ab{}\" \t", max_size=40)),
                             st.sampled_from(["\n", "\r", "\r\n"])), max_size=60),
    chunk=st.integers(1, 64),
    trailing_newline=st.booleans(),
    bom=st.booleans(),
)
def test_lines_cut_at_any_chunk_boundary_come_back_whole(
        lines: list[tuple[str, str]], chunk: int, trailing_newline: bool, bom: bool) -> None:
    """The reader's lines equal Python's own split of the whole text at LF, CRLF and lone CR (Athena's line ends),
    whatever the chunk size; a byte order mark opening the text is no part of them."""
    text = "".join(line + end for line, end in lines)
    if lines and not trailing_newline:
        text = text.removesuffix(lines[-1][1])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x.json.gz"
        path.write_bytes(gzip.compress((("\ufeff" if bom else "") + text).encode()))
        got = [line for array, *_ in local._object_lines(path, 10 * MIB, chunk) for line in array.to_pylist()]
    assert [line.rstrip("\r\n") for line in got] == [line for line in text.splitlines() if line]


@settings(max_examples=60, deadline=None)
@given(content=st.binary(max_size=3000).map(lambda b: b * 3), cap=st.integers(0, 12_000),
       chunk=st.integers(1, 5000))
def test_bounded_gunzip_returns_everything_up_to_the_cap_and_nothing_past_it(
    content: bytes, cap: int, chunk: int
) -> None:
    packed = gzip.compress(content)
    if len(content) <= cap:
        pieces = list(gunzip_chunks(packed, cap, chunk))
        assert b"".join(pieces) == content
        assert all(len(piece) <= chunk for piece in pieces)
    else:
        with pytest.raises(OverCap, match=MAX_OBJECT_ENV):
            list(gunzip_chunks(packed, cap, chunk))


# A damaged columnar cache


def damage_truncate(part: Path) -> None:
    part.write_bytes(part.read_bytes()[: part.stat().st_size // 2])


def damage_empty(part: Path) -> None:
    part.write_bytes(b"")


def damage_middle(part: Path) -> None:
    """Same size, same magic bytes at both ends, garbage in between: only DuckDB can tell."""
    data = bytearray(part.read_bytes())
    data[4:-8] = bytes(len(data) - 12)
    part.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", [damage_truncate, damage_empty, damage_middle], ids=["truncated", "empty",
                                                                                        "garbled"])
def test_a_damaged_part_is_dropped_and_rebuilt_with_the_same_figures(tmp_path: Path, damage) -> None:
    records = [record(m, user=f"u{m % 3}", inp=7 * m, out=m) for m in range(40)]
    write_records(tmp_path / "logs", records)
    cache = tmp_path / "cache"
    before = report(tmp_path / "logs", cache)
    assert before.summary["calls"] == 40
    parts = list(cache.rglob("part-*.parquet"))
    assert parts
    for result in cache.rglob("results"):  # a stored answer would hide the damage
        for stored in result.iterdir():
            stored.unlink()
    damage(parts[0])
    engine = LocalEngine(tmp_path / "logs", cache=cache)
    after = BedrockAthenaTracker(engine).analyze(PERIOD, ["us-east-1"])
    assert after.summary == before.summary
    assert engine.last_refresh.objects_parsed >= 1  # rebuilt from the logs
    again = LocalEngine(tmp_path / "logs", cache=cache)
    assert BedrockAthenaTracker(again).analyze(PERIOD, ["us-east-1"]).summary == before.summary
    assert again.last_refresh.objects_parsed == 0


# Folders named otherwise than the service names them

HAIKU_3_PER_TOKEN = (0.25 / 1e6, 1.25 / 1e6)  # published on-demand price, USD per input and output token


def day_folder(root: Path) -> Path:
    """The 2025-11-02 us-east-1 folder under ``root`` (made empty), as ``write_records`` lays it out."""
    folder = root / "bedrock-logs" / "AWSLogs" / ACCOUNT / "BedrockModelInvocationLogs" / "us-east-1" / "2025/11/02"
    folder.mkdir(parents=True)
    return folder


def put(path: Path, records: list[dict], extra: bytes = b"") -> None:
    """``records`` (then ``extra`` lines) as one gzip object at ``path``, its folders made."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress("".join(json.dumps(r) + "\n" for r in records).encode() + extra))


@CACHES
def test_calls_in_hour_folders_not_named_with_two_digits_count_for_their_day_folder(
        tmp_path: Path, cache: bool) -> None:
    """Hour folders ``0``, ``3`` ... ``21`` (a hand-made copy): Athena's table reads everything under the day's
    folder, so the engine reads them as that day's (4 of the 8 calls were lost without a word)."""
    day = day_folder(tmp_path / "logs")
    records = [record(h, inp=1000, out=500, timestamp=f"2025-11-02T{h:02d}:00:00Z") for h in range(0, 24, 3)]
    for hour, rec in zip(range(0, 24, 3), records, strict=True):
        put(day / str(hour) / f"obj{hour}.json.gz", [rec])
    result = report(tmp_path / "logs", cache_arg(cache, tmp_path))
    assert (result.summary["calls"], result.summary["input_tokens"], result.summary["output_tokens"]) == (
        8, 8000, 4000)
    assert result.summary["estimated_cost_usd"] == pytest.approx(
        8 * (1000 * HAIKU_3_PER_TOKEN[0] + 500 * HAIKU_3_PER_TOKEN[1]))  # $0.007
    assert result.records_skipped == 0 and not result.stats.skipped_objects


@CACHES
def test_a_cut_object_in_a_one_digit_hour_folder_is_skipped_and_counted(tmp_path: Path, cache: bool) -> None:
    """It stopped the report with a traceback (``Invalid isoformat string: 'None'``)."""
    day = day_folder(tmp_path / "logs")
    put(day / "08" / "ok.json.gz", [record(1)])
    (day / "7").mkdir()
    (day / "7" / "cut.json.gz").write_bytes(gzip.compress(json.dumps(record(2)).encode())[:40])
    result = report(tmp_path / "logs", cache_arg(cache, tmp_path))
    assert result.summary["calls"] == 1
    reason = f"{local.UNREADABLE}: gzip cut short (an object still being written, or a partial copy)"
    assert result.stats.skipped_objects == {reason: 1}
    assert result.stats.skipped_examples == {reason: [(day / "7" / "cut.json.gz").as_posix()]}


@CACHES
def test_a_damaged_object_in_a_one_digit_hour_folder_keeps_its_calls_and_counts_its_bad_line(
        tmp_path: Path, cache: bool) -> None:
    """A byte that is not UTF-8 and a broken line in ``7/``: its call was lost and the line not counted."""
    day = day_folder(tmp_path / "logs")
    put(day / "08" / "ok.json.gz", [record(1, inp=100)])
    damaged = [prompted(2, inp=300, out=30)]
    (day / "7").mkdir()
    write_damaged(day / "7" / "bad.json.gz", damaged, {0}, b'{"timestamp": "2025-11-02T07:\n')
    result = report(tmp_path / "logs", cache_arg(cache, tmp_path))
    assert (result.summary["calls"], result.summary["input_tokens"]) == (2, 100 + 300)
    assert result.records_skipped == 1 and result.stats.objects_not_utf8 == 1


@CACHES
def test_objects_anywhere_below_a_day_folder_are_read_and_those_of_a_month_folder_counted(
        tmp_path: Path, cache: bool) -> None:
    """Athena's table reads everything below the day's folder, so the engine reads objects directly in it and in
    sub-folders of hour folders, each under its own name in the cache (``x.json.gz`` beside ``02/x.json.gz``); an
    object in the month folder, which no report reads, is counted. All were left out without a word."""
    day = day_folder(tmp_path / "logs")
    read = {"x.json.gz": 1, "02/x.json.gz": 2, "10/sub/x.json.gz": 3, "11/sub/x.json.gz": 4, "11/a/b/c/x.json.gz": 5}
    records = {name: record(minute, inp=100 * minute, out=minute) for name, minute in read.items()}
    for name, rec in records.items():
        put(day / name, [rec])
    put(day.parent / "stray.json.gz", [record(6, inp=999)])
    for run in ("cold", "warm") if cache else ("cold",):
        engine = LocalEngine(tmp_path / "logs", cache=cache_arg(cache, tmp_path))
        result = BedrockAthenaTracker(engine).analyze(PERIOD, ["us-east-1"])
        assert result.summary["calls"] == len(records), run
        assert result.summary["input_tokens"] == sum(r["input"]["inputTokenCount"] for r in records.values())
        assert result.stats.skipped_objects == {local.OUTSIDE_DAY_FOLDERS: 1}
        assert result.stats.skipped_examples == {local.OUTSIDE_DAY_FOLDERS: [(day.parent / "stray.json.gz").as_posix()]}
    if cache:
        assert engine.last_refresh.objects_parsed == 0 and engine.last_refresh.objects_reused == len(records)



@CACHES
def test_hidden_objects_and_folders_below_a_day_folder_are_skipped_and_counted_as_athena_skips_them(
        tmp_path: Path, cache: bool) -> None:
    """Athena treats files whose name starts with ``_`` or ``.`` as hidden, and Trino's Hive reader skips files below
    a hidden folder too; the engine read them (``10/.hidden.json.gz``: its calls counted where Athena's are not)."""
    day = day_folder(tmp_path / "logs")
    read = {"10/x.json.gz": 1, "11/y.json.gz": 2, "x_.json.gz": 3}
    hidden = {"10/.hidden.json.gz": 4, "10/_copy.json.gz": 5, "_x.json.gz": 6, "11/.tmp/z.json.gz": 7,
              "_temporary/0/a.json.gz": 8, "_temporary/0/b.json.gz": 9}
    records = {name: record(minute, inp=100 * minute, out=minute) for name, minute in {**read, **hidden}.items()}
    for name, rec in records.items():
        put(day / name, [rec])
    examples = sorted((day / name).as_posix() for name in (
        "10/.hidden.json.gz", "10/_copy.json.gz", "_x.json.gz", "11/.tmp", "_temporary"))
    for run in ("cold", "warm") if cache else ("cold",):
        result = report(tmp_path / "logs", cache_arg(cache, tmp_path))
        assert result.summary["calls"] == len(read), run
        assert result.summary["input_tokens"] == sum(records[name]["input"]["inputTokenCount"] for name in read)
        assert result.stats.skipped_objects == {local.HIDDEN: len(hidden)}
        assert result.stats.skipped_examples[local.HIDDEN] == examples[:SKIPPED_EXAMPLES]
        assert result.stats.objects_read == len(read)


# Symbolic links


@CACHES
def test_symbolic_link_loops_and_second_links_read_each_object_once(tmp_path: Path, cache: bool) -> None:
    records = [record(m, inp=m + 1) for m in range(12)]
    logs = tmp_path / "logs"
    paths = write_records(logs, records)
    (logs / "loop").symlink_to(logs)  # a link back up the tree
    (logs / "again").symlink_to(logs / "bedrock-logs")  # the same logs under a second name
    aws_logs = logs / "bedrock-logs" / "AWSLogs"
    (aws_logs / "self").symlink_to(aws_logs)
    hour = paths[0].parent
    (hour / "twin.json.gz").symlink_to(paths[0])  # one object under two names
    (hour / "data").mkdir()
    (hour / "data" / "up").symlink_to(hour)  # a loop inside a payload folder
    result = report(logs, cache_arg(cache, tmp_path))
    assert result.summary["calls"] == 12
    assert result.summary["input_tokens"] == sum(r["input"]["inputTokenCount"] for r in records)
    assert result.stats.duplicate_records == 0
    assert result.stats.objects_read == len(paths)


# A key written twice


def duplicated(record_: dict, first: str, last: str, escaped: bool) -> str:
    """The record as one line with ``timestamp`` written twice (the second one possibly spelled with escapes)."""
    body = {k: v for k, v in record_.items() if k != "timestamp"}
    second_key = "time\\u0073tamp" if escaped else "timestamp"
    return (f'{{"timestamp": {json.dumps(first)}, ' + json.dumps(body)[1:-1]
            + f', "{second_key}": {json.dumps(last)}}}')


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(
    cases=st.lists(st.tuples(st.sampled_from(["2025-11-02T10:00:00Z", "2025-11-03T10:00:00Z", "not a time"]),
                             st.sampled_from(["2025-11-02T11:00:00Z", "2025-11-04T10:00:00Z", "01/11/2025"]),
                             st.booleans(), st.integers(1, 1000)),
                   min_size=1, max_size=12),
    plain=st.integers(0, 5),
    cache=st.booleans(),
)
@pytest.mark.slow
def test_a_duplicated_timestamp_is_read_as_python_and_athena_read_it(cases, plain: int, cache: bool) -> None:
    """Python's json and Athena's reader keep the last of two equal keys; so does the engine."""
    lines = [json.dumps(record(m, user="plain", inp=m)) for m in range(plain)]
    for index, (first, last, escaped, tokens) in enumerate(cases):
        lines.append(duplicated(record(0, user=f"dup{index}", inp=tokens), first, last, escaped))
    expected_calls = expected_tokens = 0
    for line in lines:
        parsed = json.loads(line)
        if parsed["timestamp"].startswith("2025-11-02T"):
            expected_calls += 1
            expected_tokens += parsed["input"]["inputTokenCount"]
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        hour = root / "AWSLogs" / ACCOUNT / "BedrockModelInvocationLogs" / "us-east-1" / "2025" / "11" / "02" / "10"
        hour.mkdir(parents=True)
        (hour / "x.json.gz").write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
        result = report(root, root / "cache" if cache else False)
    assert result.summary["calls"] == expected_calls
    assert result.summary["input_tokens"] == expected_tokens
