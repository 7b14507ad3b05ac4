"""The progress reporter: plain updates, running totals from many threads, bars only on a terminal."""

from __future__ import annotations

import io
import threading

from bedrock_usage.output.progress import (
    Progress,
    Tally,
    data_size,
    fraction_done,
    labelled,
    progress_line,
    silent,
    terminal_progress,
)


class Terminal(io.StringIO):
    """A text stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_a_tally_added_to_from_many_threads_reports_running_totals_that_end_at_the_sum() -> None:
    updates: list[Progress] = []
    tally = Tally(updates.append, "reading logs", with_bytes=True, notes=lambda c: f"{c.get('records', 0):,} records")
    tally.start(8 * 500, 8 * 500 * 3)

    def work() -> None:
        for _ in range(500):
            tally.add(1, 3, records=2)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    tally.finish()

    done = [update.done for update in updates]
    assert done == sorted(done)  # running totals, reported in order
    assert len(updates) == 1 + 8 * 500 + 1
    last = updates[-1]
    assert (last.done, last.total, last.bytes_done, last.bytes_total) == (4000, 4000, 12000, 12000)
    assert last.note == "8,000 records" and last.finished
    assert not any(update.finished for update in updates[:-1])


def test_a_silent_tally_reports_nothing_and_counts_nothing() -> None:
    tally = Tally(silent, "reading logs")
    tally.start(3)
    tally.add(2)
    tally.finish()
    assert tally.done == 0


def test_labelled_names_the_load_an_update_belongs_to() -> None:
    updates: list[Progress] = []
    labelled(updates.append, "2025-11-01 .. 2025-11-30 (UTC)")(Progress("pricing", 1, 2, "fact rows"))
    assert updates == [Progress("2025-11-01 .. 2025-11-30 (UTC): pricing", 1, 2, "fact rows")]
    assert labelled(silent, "x") is silent


def test_an_update_in_words() -> None:
    reading = Progress("reading logs", 120, 340, "objects", 12 * 2**20, 40 * 2**20, "1,234 records parsed")
    assert progress_line(reading) == "reading logs: 120 of 340 objects, 12.0 MiB of 40.0 MiB; 1,234 records parsed"
    athena = Progress("Athena us-east-1", unit="", note="RUNNING, 1.5 GiB scanned ($0.0073)")
    assert progress_line(athena) == "Athena us-east-1: RUNNING, 1.5 GiB scanned ($0.0073)"
    assert progress_line(Progress("listing logs", 7, None, "day folders")) == "listing logs: 7 day folders"
    assert fraction_done(reading) == 12 / 40  # bytes, when the step moves bytes
    assert fraction_done(Progress("pricing", 3, 4, "fact rows")) == 0.75
    assert fraction_done(athena) == 0.0
    assert fraction_done(Progress("x", 0, 0, finished=True)) == 1.0


def test_data_sizes_in_binary_units() -> None:
    assert [data_size(n) for n in (0, 1023, 1024, 1536, 10 * 2**20, 3 * 2**30, 2**41)] == [
        "0 B", "1,023 B", "1.0 KiB", "1.5 KiB", "10.0 MiB", "3.0 GiB", "2.0 TiB"]


def test_bars_are_drawn_only_on_a_terminal_and_not_when_quiet() -> None:
    terminal, pipe, quiet = Terminal(), io.StringIO(), Terminal()
    for stream, is_quiet in ((terminal, False), (pipe, False), (quiet, True)):
        with terminal_progress(is_quiet, stream) as report:
            report(Progress("reading logs", 0, 4, "objects", 0, 4096))
            report(Progress("reading logs", 4, 4, "objects", 4096, 4096, "12 records parsed", finished=True))
            report(Progress("Athena us-east-1", unit="", note="QUEUED, 0 s, 0 B scanned ($0.0000)"))
            report(Progress("Athena us-east-1", unit="", note="RUNNING, 1 s, 0 B scanned ($0.0000)"))
        if stream is not terminal:
            assert report is silent
    drawn = terminal.getvalue()
    assert "reading logs: 100%" in drawn
    assert "4/4 objects, 12 records parsed" in drawn
    # every new state of a query is drawn, though no count moved
    assert "Athena us-east-1, QUEUED, 0 s" in drawn and "Athena us-east-1, RUNNING, 1 s, 0 B scanned" in drawn
    assert pipe.getvalue() == "" and quiet.getvalue() == ""
