"""Athena's documented rules for a query and its execution parameters, checked offline (moto accepts anything).

From the Athena User Guide, "Use parameterized queries": ``?`` parameters may be placed only in the ``WHERE``
clause; they cannot be placed in single or double quotes; queries with execution parameters are limited to 25 question
marks. From the API reference (StartQueryExecution): a query string holds at most 262,144 characters and each
execution parameter 1 to 1,024. The SQL must parse in Athena's (Trino) dialect.
"""

from __future__ import annotations

import sqlglot
from sqlglot import exp

MAX_QUESTION_MARKS = 25
MAX_QUERY_CHARACTERS = 262_144
MAX_PARAMETER_CHARACTERS = 1024


def athena_violations(sql: str, parameters: list[str] | None) -> list[str]:
    """What in ``sql`` and its ExecutionParameters breaks Athena's rules; empty when nothing does."""
    problems = []
    try:
        statement = sqlglot.parse_one(sql, read="trino", error_level=sqlglot.ErrorLevel.RAISE)
    except sqlglot.errors.ParseError as exc:
        return [f"does not parse as Trino: {exc}"]
    placeholders = list(statement.find_all(exp.Placeholder))
    outside = [p for p in placeholders if p.find_ancestor(exp.Where) is None]
    if outside:
        problems.append(f"{len(outside)} ? outside a WHERE clause: {outside[0].parent.sql('trino')}")
    quoted = [node for node in statement.find_all(exp.Literal, exp.Identifier)
              if (isinstance(node, exp.Identifier) and node.quoted or isinstance(node, exp.Literal) and node.is_string)
              and "?" in node.this]
    if quoted:
        problems.append(f"a ? inside quotes: {quoted[0].sql('trino')}")
    given = parameters or []
    if len(placeholders) != len(given):
        problems.append(f"{len(placeholders)} placeholders but {len(given)} execution parameters")
    if len(placeholders) > MAX_QUESTION_MARKS:
        problems.append(f"{len(placeholders)} question marks; Athena takes at most {MAX_QUESTION_MARKS}")
    if len(sql) > MAX_QUERY_CHARACTERS:
        problems.append(f"query of {len(sql)} characters")
    for value in given:
        if not 1 <= len(value) <= MAX_PARAMETER_CHARACTERS:
            problems.append(f"execution parameter of {len(value)} characters")
        parsed = sqlglot.parse_one(value, read="trino")
        if not isinstance(parsed, exp.Literal | exp.Boolean | exp.Neg):
            problems.append(f"execution parameter {value[:40]!r} is not a literal")
    return problems
