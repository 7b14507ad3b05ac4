"""What every command-line script shares without AWS: exit codes, an option parser whose mistakes exit 1, and
standard output guarded against readers that go away."""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

from ..errors import NoCredentials, SetupRequired, UsageError
from .terminal_table import visible

EXIT_OK, EXIT_USER, EXIT_ENVIRONMENT = 0, 1, 2
EXIT_INTERRUPTED = 130  # the shell's code for a command stopped by Ctrl-C (128 + SIGINT)


class UsageErrorParser(argparse.ArgumentParser):
    """An argument parser whose mistakes are UsageErrors (exit 1), not argparse's exit 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{message} (see {self.prog} --help)")


def row_count(value: str) -> int:
    """An argparse type for ``--max-rows``: 0 (every row) or more."""
    try:
        rows = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not a whole number") from None
    if rows < 0:
        raise argparse.ArgumentTypeError(f"must be 0 (all rows) or more (got {rows})")
    return rows


class _WatchedOutput:
    """A text stream that passes everything on and keeps the error its last failed write or flush raised, so an
    error of standard output is told from one of another file (neither names a file)."""

    def __init__(self, stream: TextIO):
        self.stream = stream
        self.error: OSError | None = None

    def write(self, text: str) -> int:
        return self._watched(self.stream.write, text)

    def flush(self) -> None:
        self._watched(self.stream.flush)

    def _watched(self, call: Callable[..., Any], *args: Any) -> Any:
        try:
            return call(*args)
        except OSError as exc:
            self.error = exc
            raise

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


def guard_output(body: Callable[[], int]) -> int:
    """Run ``body`` and flush standard output, so a failure to write it is reported while we still can.

    A reader that went away (``| head``) ends quietly; an output that refuses the text (``> /dev/full``, a full
    disk) is one line on stderr and exit 1, never a traceback. Errors of other files are not this function's.
    """
    watched = _WatchedOutput(sys.stdout)
    sys.stdout = watched
    try:
        code = body()
        sys.stdout.flush()
        return code
    except OSError as exc:
        if exc is not watched.error:
            raise
        if isinstance(exc, BrokenPipeError):
            return reader_went_away()
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # the interpreter's last flush must not fail
        print(f"error: cannot write to standard output: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USER
    finally:
        if sys.stdout is watched:
            sys.stdout = watched.stream


def print_warnings(warnings: Iterable[str], label: str = "warning") -> None:
    """Each warning (or line of another ``label``, such as ``attention``) as one line on stderr: a report written to
    files or piped as JSON is read later, elsewhere, so what it warns of must reach whoever ran it now."""
    for line in warnings:
        print(f"{label}: {visible(line)}", file=sys.stderr)


def report_main(body: Callable[[], int]) -> int:
    """Run a report command's ``body`` (``guard_output``): an error the user can fix is one line on stderr, "error:"
    for the options or input, "setup needed:" for what the environment lacks, and its exit code; Ctrl-C stops it
    with one line."""
    try:
        return guard_output(body)
    except UsageError as exc:
        print(f"error: {visible(str(exc))}", file=sys.stderr)
        return exc.exit_code
    except SetupRequired as exc:
        print(f"setup needed: {visible(str(exc))}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return interrupted()


def interrupted() -> int:
    """Ctrl-C: one line on stderr instead of a traceback, and the exit code shells give it."""
    print("interrupted", file=sys.stderr)
    return EXIT_INTERRUPTED


@contextmanager
def interrupt_ends_run() -> Iterator[None]:
    """Ctrl-C inside the block (a script still importing its modules, before ``report_main`` or ``run_main`` guard
    it) ends the run as it does later: ``interrupted``, exit 130, no traceback."""
    try:
        yield
    except KeyboardInterrupt:
        raise SystemExit(interrupted()) from None


def reader_went_away() -> int:
    """The reader of standard output (e.g. ``| head``) stopped early: not an error, and nothing more to print."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return EXIT_OK


@contextmanager
def hint_without_aws(hint: str | None) -> Iterator[None]:
    """Add ``hint`` (how the same report runs without AWS) to the message of a NoCredentials raised inside; None
    adds nothing (the options asked for something only AWS has)."""
    try:
        yield
    except NoCredentials as exc:
        if hint is None:
            raise
        raise NoCredentials(f"{exc}; {hint}") from None


def workgroup_name(value: str) -> str:
    """An argparse type for an Athena workgroup: the name pattern of botocore's Athena model (``WorkGroupName``),
    which botocore does not check before sending, so a bad name failed only after the bucket and tables were made."""
    import botocore.session

    shape = botocore.session.get_session().get_service_model("athena").shape_for("WorkGroupName")
    if not re.fullmatch(shape.metadata["pattern"], value):
        raise argparse.ArgumentTypeError(f"{value!r} is not an Athena workgroup name: 1-128 letters, digits, '.', '_' "
                                         "or '-'")
    return value


def named(value: str) -> str:
    """An argparse type for a name: surrounding blanks dropped, refused when nothing is left (an unset variable)."""
    if not value.strip():
        raise argparse.ArgumentTypeError("empty: give a name")
    return value.strip()


def named_path(value: str) -> Path:
    """An argparse type for a file or folder: refused when blank (an unset variable), which would read the current
    folder."""
    return Path(named(value))


def pattern(value: str) -> str:
    """An argparse type for a text to look for, kept as given: refused when blank (an unset variable), which would
    match everyone and read as a filter."""
    if not value.strip():
        raise argparse.ArgumentTypeError("empty: give the text to look for")
    return value
