"""Gzip objects read in bounded memory, with a cap on the decompressed bytes of one object.

A log object of one megabyte can hold a gigabyte of text (gzip shrinks repeated bytes about 1,000 times), so
every reader decompresses in chunks and gives up on an object once it passes the cap, and such an object is
skipped and counted with :func:`over_cap_reason`, like any other unreadable object. ``$BEDROCK_USAGE_MAX_OBJECT_MB``
sets the cap in mebibytes for every reader. Without it, a Bedrock log object may hold 1,024 MiB (its lines are
parsed a chunk at a time, so memory does not grow with the cap) and an Amazon Q prompt-log file 64 MiB (one
JSON document, parsed whole); both are far above what the services write.
"""

from __future__ import annotations

import io
import os
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from isal.igzip import IGzipFile
from isal.isal_zlib import error as _isal_error

from .errors import UsageError

MAX_OBJECT_ENV = "BEDROCK_USAGE_MAX_OBJECT_MB"
DEFAULT_MAX_OBJECT_MB = 1024
DEFAULT_MAX_DOCUMENT_MB = 64  # files parsed whole (Amazon Q prompt logs)
MIB = 1024 * 1024
CHUNK_BYTES = 16 * 1024 * 1024
GZIP_MAGIC = b"\x1f\x8b"  # the first two bytes of every gzip member
# What a damaged or foreign object raises: truncated (EOFError), not gzip or a bad checksum (OSError), bad data.
GZIP_ERRORS: tuple[type[Exception], ...] = (OSError, EOFError, zlib.error, _isal_error)


# The skip reason of an object over the cap (``over_cap_reason``), the cap in whole mebibytes or else in bytes: one
# text each, which a page words in its own language (``dashboard.notice_text.PHRASE_FORMS``).
OVER_CAP_MIB = "over {size} MiB once decompressed (the cap per object; raise it with " + MAX_OBJECT_ENV + ")"
OVER_CAP_BYTES = "over {size} bytes once decompressed (the cap per object; raise it with " + MAX_OBJECT_ENV + ")"

# The gzip reader class (ISA-L's, about three times as fast as zlib's); the benchmarks swap in gzip.GzipFile.
GzipReader: type = IGzipFile


class OverCap(Exception):
    """An object decompresses to more than the cap; the message is the reason that is counted."""


def max_object_bytes(value: int | None = None, default_mb: int = DEFAULT_MAX_OBJECT_MB) -> int:
    """The cap in bytes: ``value`` when given, else ``$BEDROCK_USAGE_MAX_OBJECT_MB`` mebibytes, else
    ``default_mb``."""
    if value is not None:
        return value
    text = os.environ.get(MAX_OBJECT_ENV, "").strip()
    if not text:
        return default_mb * MIB
    try:
        megabytes = float(text)
    except ValueError:
        megabytes = -1.0
    if not 0 < megabytes < MIB:  # NaN fails this too
        raise UsageError(f"{MAX_OBJECT_ENV}={text!r} must be a number of mebibytes above 0 (default "
                         f"{DEFAULT_MAX_OBJECT_MB})")
    return int(megabytes * MIB)


def over_cap_reason(cap: int) -> str:
    """The skip reason of an object larger than ``cap`` bytes once decompressed."""
    if cap % MIB == 0:
        return OVER_CAP_MIB.format(size=f"{cap // MIB:,}")
    return OVER_CAP_BYTES.format(size=f"{cap:,}")


def gunzip_chunks(source: str | Path | bytes, cap: int, chunk_bytes: int = CHUNK_BYTES) -> Iterator[bytes]:
    """The decompressed bytes of a gzip file or buffer, ``chunk_bytes`` at a time.

    Raises OverCap as soon as the output passes ``cap`` bytes, and one of GZIP_ERRORS for damaged content.
    """
    handle: BinaryIO = io.BytesIO(source) if isinstance(source, bytes) else open(os.fspath(source), "rb")  # noqa: SIM115
    total = 0
    with handle, GzipReader(fileobj=handle, mode="rb") as unzipped:
        while chunk := unzipped.read(min(chunk_bytes, cap + 1 - total)):
            total += len(chunk)
            if total > cap:
                raise OverCap(over_cap_reason(cap))
            yield chunk


def gunzip(source: Path | bytes, cap: int) -> bytes:
    """The whole decompressed content, at most ``cap`` bytes (OverCap beyond, GZIP_ERRORS when damaged)."""
    return b"".join(gunzip_chunks(source, cap))
