"""Counts and days in words: ``1 object``, ``1,234 records``, ``2026-11-25 .. 2026-11-27, 2026-12-02``."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """``count`` with thousands separators and ``noun`` in the singular for one, else ``plural`` (``noun + "s"``)."""
    return f"{count:,} {noun if count == 1 else plural or noun + 's'}"


def day_spans(days: Iterable[date], most: int | None = None) -> str:
    """``2026-11-25 .. 2026-11-27, 2026-12-02``: ``days`` (in order) as runs of consecutive days; only the first
    ``most`` runs, then ``, ...``, when ``most`` is given and there are more."""
    runs: list[list[date]] = []
    for day in days:
        if runs and day == runs[-1][-1] + timedelta(days=1):
            runs[-1].append(day)
        else:
            runs.append([day])
    shown = ", ".join(f"{run[0]}" if len(run) == 1 else f"{run[0]} .. {run[-1]}" for run in runs[:most])
    return shown + (", ..." if most is not None and len(runs) > most else "")
