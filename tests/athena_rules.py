"""Athena's documented rules for a query and its execution parameters, checked offline (moto accepts anything).

From the Athena User Guide, "Use parameterized queries": ``?`` parameters may be placed only in the ``WHERE``
clause; they cannot be placed in single or double quotes; queries with execution parameters are limited to 25 question
marks. From the API reference (StartQueryExecution): a query string holds at most 262,144 characters and each
execution parameter 1 to 1,024. The SQL must parse in Athena's (Trino) dialect.

Every function it calls must be one Athena engine version 3 has: "Athena engine version 3 functions" (Athena User
Guide) says they are Trino's, listed on the pages of Trino's documentation named in ``TRINO_FUNCTIONS``, plus
Athena's own ``invoker_principal``. moto runs no SQL, and DuckDB (which runs it in the tests) has functions Trino
lacks, so only this check catches a DuckDB-only function before a user's query fails.
"""

from __future__ import annotations

import re

import sqlglot
from sqlglot import exp

MAX_QUESTION_MARKS = 25
MAX_QUERY_CHARACTERS = 262_144
MAX_PARAMETER_CHARACTERS = 1024

# Trino's documentation pages and the functions each names (what Athena engine version 3 functions are).
_TRINO = "https://trino.io/docs/current/"
TRINO_FUNCTIONS: dict[str, frozenset[str]] = {
    _TRINO + "functions/aggregate.html": frozenset({
        "any_value", "approx_distinct", "approx_most_frequent", "approx_percentile", "approx_set", "arbitrary",
        "array_agg", "avg", "bitwise_and_agg", "bitwise_or_agg", "bitwise_xor_agg", "bool_and", "bool_or", "checksum",
        "corr", "count", "count_if", "covar_pop", "covar_samp", "every", "geometric_mean", "histogram", "kurtosis",
        "listagg", "map_agg", "map_union", "max", "max_by", "merge", "min", "min_by", "multimap_agg",
        "numeric_histogram", "qdigest_agg", "reduce_agg", "regr_intercept", "regr_slope", "skewness", "stddev",
        "stddev_pop", "stddev_samp", "sum", "tdigest_agg", "var_pop", "var_samp", "variance"}),
    _TRINO + "functions/array.html": frozenset({  # with the ARRAY[...] constructor
        "all_match", "any_match", "array", "array_distinct", "array_except", "array_first", "array_histogram",
        "array_intersect", "array_join", "array_last", "array_max", "array_min", "array_position", "array_remove",
        "array_sort", "array_union", "arrays_overlap", "cardinality", "combinations", "concat", "contains",
        "contains_sequence", "dot_product", "element_at", "euclidean_distance", "filter", "flatten", "ngrams",
        "none_match", "reduce", "repeat", "reverse", "sequence", "shuffle", "slice", "transform", "trim_array", "zip",
        "zip_with"}),
    _TRINO + "functions/binary.html": frozenset({
        "concat", "crc32", "from_base32", "from_base64", "from_base64url", "from_big_endian_32", "from_big_endian_64",
        "from_hex", "from_ieee754_32", "from_ieee754_64", "hmac_md5", "hmac_sha1", "hmac_sha256", "hmac_sha512",
        "length", "lpad", "md5", "murmur3", "reverse", "rpad", "sha1", "sha256", "sha512", "spooky_hash_v2_32",
        "spooky_hash_v2_64", "substr", "to_base32", "to_base64", "to_base64url", "to_big_endian_32", "to_big_endian_64",
        "to_hex", "to_ieee754_32", "to_ieee754_64", "xxhash64", "zstd_compress", "zstd_decompress"}),
    _TRINO + "functions/comparison.html": frozenset({"greatest", "least"}),
    _TRINO + "functions/conditional.html": frozenset({"case", "coalesce", "if", "nullif", "try"}),
    _TRINO + "functions/conversion.html": frozenset({
        "cast", "format", "format_number", "parse_data_size", "try_cast", "typeof"}),
    _TRINO + "functions/datetime.html": frozenset({
        "at_timezone", "current_date", "current_time", "current_timestamp", "current_timezone", "date", "date_add",
        "date_diff", "date_format", "date_parse", "date_trunc", "day", "day_of_month", "day_of_week", "day_of_year",
        "dow", "doy", "extract", "format_datetime", "from_iso8601_date", "from_iso8601_timestamp",
        "from_iso8601_timestamp_nanos", "from_unixtime", "from_unixtime_nanos", "hour", "human_readable_seconds",
        "last_day_of_month", "localtime", "localtimestamp", "millisecond", "minute", "month", "now", "parse_datetime",
        "parse_duration", "quarter", "second", "timezone", "timezone_hour", "timezone_minute", "to_iso8601",
        "to_milliseconds", "to_unixtime", "week", "week_of_year", "with_timezone", "year", "year_of_week", "yow"}),
    _TRINO + "functions/json.html": frozenset({
        "is_json_scalar", "json_array", "json_array_contains", "json_array_get", "json_array_length", "json_exists",
        "json_extract", "json_extract_scalar", "json_format", "json_object", "json_parse", "json_query", "json_size",
        "json_value"}),
    _TRINO + "functions/map.html": frozenset({
        "cardinality", "element_at", "map", "map_concat", "map_entries", "map_filter", "map_from_entries", "map_keys",
        "map_values", "map_zip_with", "multimap_from_entries", "transform_keys", "transform_values"}),
    _TRINO + "functions/math.html": frozenset({
        "abs", "acos", "asin", "atan", "atan2", "beta_cdf", "cbrt", "ceil", "ceiling", "cos", "cosh", "cosine_distance",
        "cosine_similarity", "degrees", "e", "exp", "floor", "from_base", "infinity", "inverse_beta_cdf",
        "inverse_normal_cdf", "is_finite", "is_infinite", "is_nan", "ln", "log", "log10", "log2", "mod", "nan",
        "normal_cdf", "pi", "pow", "power", "radians", "rand", "random", "round", "sign", "sin", "sinh", "sqrt",
        "t_cdf", "t_pdf", "tan", "tanh", "to_base", "truncate", "width_bucket", "wilson_interval_lower",
        "wilson_interval_upper"}),
    _TRINO + "functions/regexp.html": frozenset({
        "regexp_count", "regexp_extract", "regexp_extract_all", "regexp_like", "regexp_position", "regexp_replace",
        "regexp_split"}),
    _TRINO + "functions/string.html": frozenset({
        "chr", "codepoint", "concat", "concat_ws", "ends_with", "format", "from_utf8", "hamming_distance", "length",
        "levenshtein_distance", "lower", "lpad", "ltrim", "luhn_check", "normalize", "overlay", "position", "replace",
        "reverse", "rpad", "rtrim", "soundex", "split", "split_part", "split_to_map", "split_to_multimap",
        "starts_with", "strpos", "substr", "substring", "title_case", "to_utf8", "translate", "trim", "upper",
        "word_stem"}),
    _TRINO + "functions/url.html": frozenset({
        "url_decode", "url_encode", "url_extract_fragment", "url_extract_host", "url_extract_parameter",
        "url_extract_path", "url_extract_port", "url_extract_protocol", "url_extract_query"}),
    _TRINO + "functions/window.html": frozenset({
        "cume_dist", "dense_rank", "first_value", "lag", "last_value", "lead", "nth_value", "ntile", "percent_rank",
        "rank", "row_number"}),
    _TRINO + "language/types.html": frozenset({"row"}),  # the ROW(...) constructor
    _TRINO + "sql/select.html": frozenset({"unnest"}),
}
# "Athena engine version 3 functions": invoker_principal is Athena's own, not Trino's.
ATHENA_FUNCTIONS = frozenset().union(*TRINO_FUNCTIONS.values(), {"invoker_principal"})
# Syntax sqlglot parses as a function without the name's place in the text: named by its form, not rendered again.
_FORMS = {exp.Case: "case", exp.Cast: "cast", exp.TryCast: "try_cast"}
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def called_functions(statement: exp.Expression, sql: str) -> set[str]:
    """The functions ``statement`` (parsed from ``sql``) calls, in lower case, each named as the SQL writes it.

    sqlglot turns some calls into its own nodes and may write them back under another name (``log10(x)`` as
    ``LOG(10, x)``, ``datediff`` as ``DATE_DIFF``), so a call's name is read from the text where the parser kept its
    place, else from the form or its Trino rendering. Operators sqlglot counts as functions (``AND``, ``OR``,
    ``COLLATE``) and the ``WHEN`` branches of a ``CASE`` are no calls.
    """
    names = set()
    for node in statement.find_all(exp.Func):
        if isinstance(node, exp.Connector | exp.Collate) or isinstance(node, exp.If) and node.arg_key == "ifs":
            continue
        meta = node.meta
        written = _NAME.fullmatch(sql[meta["start"]:meta["end"] + 1]) if "start" in meta else None
        if written:
            names.add(written.group(0).lower())
        elif type(node) in _FORMS:
            names.add(_FORMS[type(node)])
        else:
            text = node.sql("trino")
            rendered = _NAME.match(text)
            names.add(rendered.group(0).lower() if rendered else text)
    return names


def athena_violations(sql: str, parameters: list[str] | None) -> list[str]:
    """What in ``sql`` and its ExecutionParameters breaks Athena's rules; empty when nothing does."""
    problems = []
    try:
        statement = sqlglot.parse_one(sql, read="trino", error_level=sqlglot.ErrorLevel.RAISE)
    except sqlglot.errors.ParseError as exc:
        return [f"does not parse as Trino: {exc}"]
    for name in sorted(called_functions(statement, sql) - ATHENA_FUNCTIONS):
        problems.append(f"calls {name}, which Athena engine version 3 does not have")
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
