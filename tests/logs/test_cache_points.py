"""Counting a request's cache breakpoints (``logs/bodies.py``) on request shapes as clients send them.

The local engine counts them in the record's text of every Claude call with cache writes whose response went to
``/data/``: agentic clients send requests of tens of KB (a system prompt, tools, a long conversation) and stream long
answers, so such calls can be most of an account's records. Expected counts are read off the shapes by hand.
"""

from __future__ import annotations

import json
import random

import duckdb
import pytest

from bedrock_usage.logs.bodies import CACHE_POINT, CACHE_POINT_1H, cache_points_sql


def ephemeral(ttl: str | None = None) -> dict:
    return {"type": "ephemeral", **({"ttl": ttl} if ttl else {})}


CODE = "def handler(event, context):\n    return {'status': 200, 'body': json.dumps(event, indent=2)}\n"
# (request body, breakpoints, of which asking one hour)
SHAPES = [
    ({"system": [{"type": "text", "text": "You review code.", "cache_control": ephemeral("1h")}],
      "messages": [{"role": "user", "content": [{"type": "text", "text": CODE, "cache_control": ephemeral()}]}]},
     2, 1),
    ({"tools": [{"name": "read_file", "input_schema": {"type": "object"}, "cache_control": ephemeral("1h")}],
      "system": [{"type": "text", "text": "s", "cache_control": {"ttl": "1h", "type": "ephemeral"}}]}, 2, 2),
    ({"toolConfig": {"tools": [{"toolSpec": {"name": "t"}}, {"cachePoint": {"type": "default", "ttl": "1h"}}]},
      "system": [{"text": "s"}, {"cachePoint": {"type": "default", "ttl": "5m"}}],
      "messages": [{"role": "user", "content": [{"text": "x"}, {"cachePoint": {"type": "default"}}]}]}, 3, 1),
    # a prompt quoting breakpoints, as a value or escaped text, holds none
    ({"messages": [{"role": "user", "content": [{"type": "text", "text": json.dumps(
        {"cache_control": ephemeral("1h"), "cachePoint": {"ttl": "1h"}})}]}], "note": "cache_control"}, 0, 0),
]


def counts(con: duckdb.DuckDBPyConnection, text: str) -> tuple[int, int]:
    return tuple(con.execute(f"SELECT {cache_points_sql('?', pattern, 'duckdb')}", [text]).fetchone()[0]
                 for pattern in (CACHE_POINT, CACHE_POINT_1H))


@pytest.mark.parametrize("separators", [(",", ":"), (", ", ": ")], ids=["compact", "spaced"])
def test_breakpoints_are_counted_in_request_text_written_with_or_without_spaces(separators: tuple[str, str]) -> None:
    con = duckdb.connect()
    for body, points, points_1h in SHAPES:
        assert counts(con, json.dumps(body, separators=separators)) == (points, points_1h), body


def test_the_breakpoints_of_large_requests_are_counted_among_code_and_braces() -> None:
    """Requests of 80 KB of code and text (commas, braces, colons everywhere), each with one breakpoint asking one hour:
    every breakpoint is counted, once. What counting costs is measured in BENCHMARKS.md, not asserted here."""
    rng = random.Random(5)
    text = "".join(rng.choices("abcdefghij klmnop,{}()[]:=\n'", k=80_000))
    record = json.dumps({"input": {"inputBodyJson": {
        "system": [{"type": "text", "text": text, "cache_control": ephemeral("1h")}],
        "messages": [{"role": "user", "content": [{"type": "text", "text": "Review it."}]}]}}})
    con = duckdb.connect()
    con.execute("CREATE TABLE lines AS SELECT '{\"n\": ' || i || ', ' || ? AS line FROM range(400) AS t(i)",
                [record.removeprefix("{")])  # 400 distinct records
    found = [con.execute(f"SELECT sum({cache_points_sql('line', pattern, 'duckdb')}) FROM lines").fetchone()[0]
             for pattern in (CACHE_POINT, CACHE_POINT_1H)]
    assert found == [400, 400]
