"""What narrowed a governance mode's calls (``--model``, ``--arn-pattern``, ``--user-pattern``, ``--region``), said
the same way by every mode that sums spend: a line of text, a JSON value and a file name part."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence


def run_filters(scanned: Mapping[str, object], regions: Sequence[str], asked: bool) -> dict[str, object]:
    """The filters a run applied: the scan's that are set, and the regions when some were asked for."""
    return {name: value for name, value in scanned.items() if value} | ({"regions": list(regions)} if asked else {})


def filters_text(filters: Mapping[str, object] | None) -> str:
    """The filters as compact JSON (keys and lists sorted: the same filters name the same files), or empty for
    none."""
    ordered = {name: sorted(value) if isinstance(value, list) else value for name, value in (filters or {}).items()}
    return json.dumps(ordered, sort_keys=True, separators=(",", ":")) if ordered else ""


def only_line(filters: Mapping[str, object] | None, whole: str) -> list[str]:
    """``Only the calls of {...}: not {whole}.`` for filtered figures; nothing for the whole spend."""
    return [f"Only the calls of {filters_text(filters)}: not {whole}."] if filters else []


def digest(text: str) -> str:
    """8 hex digits naming ``text`` in a file name."""
    return hashlib.sha256(text.encode()).hexdigest()[:8]


def filtered_suffix(filters: Mapping[str, object] | None) -> str:
    """``_filtered-1a2b3c4d`` for filtered figures, so their files never replace the whole spend's; else empty. The
    user pattern is matched in any letter case (``logs.identity.holds_pattern``), so its case names no other file
    (``Alice`` and ``alice`` keep the same calls); model ids and ARN patterns are matched as written, so theirs
    does."""
    if not filters:
        return ""
    pattern = filters.get("user_pattern")
    named = {**filters, "user_pattern": pattern.lower()} if isinstance(pattern, str) else filters
    return f"_filtered-{digest(filters_text(named))}"
