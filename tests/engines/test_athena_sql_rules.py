"""The facts query obeys Athena's rules for every filter, tag key and time zone a user can ask for, and the values
that enter it as literals (time zone, tag keys) are checked and read back exactly. The rules' check itself refuses a
function Athena engine version 3 does not have."""

from __future__ import annotations

import re
import zoneinfo
from pathlib import Path

import botocore.session
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bedrock_usage.aws.session import Aws
from bedrock_usage.engines.athena import AthenaEngine, execution_parameters
from bedrock_usage.engines.base import Scope
from bedrock_usage.engines.local import LocalEngine
from bedrock_usage.engines.queries import TAG_KEY_PATTERN, Filters, usage_facts_query
from bedrock_usage.errors import UsageError
from bedrock_usage.logs.period import ATHENA_UNKNOWN_ZONES, Period, check_zone, resolve_period
from bedrock_usage.pricing.book import MAX_CONTEXT_TIER_K
from bedrock_usage.qdev.activity_sql import activity_query
from bedrock_usage.qdev.kiro_report_sql import user_report_query
from bedrock_usage.report.tracker import BedrockAthenaTracker, tag_table
from tests.athena_rules import athena_violations
from tests.logfiles import ACCOUNT, write_records

ZONES = sorted(zoneinfo.available_timezones() - ATHENA_UNKNOWN_ZONES)
# The characters the Converse API allows in a requestMetadata key (its model's pattern, written out here).
KEY_CHARACTERS = "abcXYZ019 \t:_@$#=/+,-."
PERIOD = Period(resolve_period(start="2025-11-01", end="2025-11-03").start,
                resolve_period(start="2025-11-01", end="2025-11-03").end)


@pytest.mark.parametrize("call", ["list_value(1, 2)", "hash(requestId)", "strftime(ts, '%Y')", "epoch_ms(0)",
                                  "datediff('day', ts, ts)"])
def test_a_function_athena_does_not_have_is_refused(call: str) -> None:
    """DuckDB's functions (``datediff`` too, which sqlglot would write back as Trino's ``date_diff``)."""
    name = call.split("(")[0]
    assert athena_violations(f"SELECT {call} FROM t WHERE dt = ?", ["'2025-11-01'"]) == [
        f"calls {name}, which Athena engine version 3 does not have"]


def test_functions_and_forms_athena_has_are_accepted() -> None:
    sql = """SELECT regexp_like(a, 'x'), from_iso8601_timestamp(t), json_extract_scalar(j, '$.a'),
        element_at(m, 'k'), count_if(b), try(CAST(a AS bigint)), TRY_CAST(a AS double), log10(x),
        CASE WHEN a IS NULL THEN 0 ELSE 1 END, EXTRACT(hour FROM ts), position('a' IN a), ARRAY[1, 2], ROW(1, 2),
        transform(xs, x -> upper(x)), current_date, invoker_principal(), row_number() OVER (ORDER BY a)
        FROM t CROSS JOIN UNNEST(xs) AS u(x) WHERE dt = ?"""
    assert athena_violations(sql, ["'2025-11-01'"]) == []


def test_the_amazon_q_and_kiro_queries_obey_athenas_rules() -> None:
    for query in (activity_query(PERIOD.start, PERIOD.end), user_report_query(PERIOD.start, PERIOD.end)):
        assert athena_violations(query.sql, execution_parameters(query.params)) == []


def test_the_tag_key_pattern_is_the_converse_apis() -> None:
    model = botocore.session.get_session().get_service_model("bedrock-runtime")
    key = model.operation_model("Converse").input_shape.members["requestMetadata"].key
    assert TAG_KEY_PATTERN.pattern == key.metadata["pattern"]


@settings(max_examples=150, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    arn=st.one_of(st.none(), st.text(min_size=1, max_size=40)),
    models=st.lists(st.text(min_size=1, max_size=30), max_size=19),
    tags=st.lists(st.text(alphabet=KEY_CHARACTERS, min_size=1, max_size=20), max_size=4, unique=True),
    tiers=st.lists(st.integers(1, MAX_CONTEXT_TIER_K), max_size=8, unique=True),
)
@pytest.mark.slow
def test_every_facts_query_obeys_athenas_rules(zone: str, arn: str | None, models: list[str], tags: list[str],
                                               tiers: list[int]) -> None:
    query = usage_facts_query(Period(PERIOD.start, PERIOD.end, zone), Filters(arn, tuple(models)), tuple(tags),
                              context_thresholds=tuple(sorted(n * 1000 for n in tiers)))
    assert athena_violations(query.sql, execution_parameters(query.params)) == []


@pytest.mark.parametrize("key", ["cost'center", "what?", "", "x" * 257, "naïve", "a;b"])
def test_a_tag_key_no_request_can_carry_is_refused(key: str) -> None:
    with pytest.raises(UsageError, match="cannot be a requestMetadata key"):
        usage_facts_query(PERIOD, Filters(), (key,))


@pytest.mark.parametrize("zone", ["EST", "HST", "MST", "ROC", "America/Coyhaique"])
def test_a_zone_python_knows_but_athena_does_not_is_refused_before_any_query(zone: str) -> None:
    """Trino's list of zones (Athena's engine 3) leaves these out: every region's query would fail."""
    with pytest.raises(UsageError, match=f"--tz '{zone}' is not a time zone Amazon Athena knows"):
        check_zone(zone)
    with pytest.raises(UsageError, match="is not a time zone name Amazon Athena knows"):
        usage_facts_query(Period(PERIOD.start, PERIOD.end, zone), Filters(), ())
    from bedrock_usage.dashboard.sidebar import ZONES as OFFERED

    assert zone not in OFFERED and "America/New_York" in OFFERED


@pytest.mark.parametrize("zone", ["Mars/Olympus", "../../etc/passwd", "UTC'; DROP TABLE x; --", "America", "",
                                  "right/UTC", "posix/Asia/Seoul", "posixrules"])
def test_a_time_zone_zoneinfo_does_not_know_is_refused(zone: str) -> None:
    """Files of the system's zone folder that are no zone of the tz database (``right/UTC``) open in ``ZoneInfo``
    but not in DuckDB, which failed the query with a traceback."""
    with pytest.raises(UsageError, match="is not a"):
        usage_facts_query(Period(PERIOD.start, PERIOD.end, zone), Filters(), ())
    if zone:
        with pytest.raises(UsageError, match=f"--tz '{re.escape(zone.strip())}' is not a time zone name such as"):
            check_zone(zone)
    if zone:
        with pytest.raises(UsageError, match="is not a time zone name"):
            check_zone(zone)


def test_more_values_than_athena_takes_are_refused_before_any_query(aws_env: dict[str, str]) -> None:
    query = usage_facts_query(PERIOD, Filters("x", tuple(f"m{i}" for i in range(19))), (),
                              context_thresholds=(100_000, 128_000, 200_000, 272_000))
    assert len(query.params) == 25 and athena_violations(query.sql, execution_parameters(query.params)) == []
    too_many = usage_facts_query(PERIOD, Filters("x", tuple(f"m{i}" for i in range(20))), ())
    with pytest.raises(UsageError, match="26 values and Athena takes at most 25 query parameters"):
        AthenaEngine(Aws.connect()).query(too_many.sql, too_many.params, Scope(("us-east-1",), PERIOD.start,
                                                                                PERIOD.end))


def test_tag_keys_of_every_allowed_character_read_back_their_values(tmp_path: Path) -> None:
    keys = ("cost center", "team=a/b+c", "#id@x$", "x,y-z.w:v", "traceId", "TraceId")
    records = [{
        "timestamp": f"2025-11-02T10:0{i}:00Z", "region": "us-east-1", "requestId": f"r{i}",
        "identity": {"arn": f"arn:aws:iam::{ACCOUNT}:user/u"}, "modelId": "anthropic.claude-3-haiku-20240307-v1:0",
        "input": {"inputTokenCount": 1}, "output": {"outputTokenCount": 1},
        "requestMetadata": {key: f"v{i}-{j}" for j, key in enumerate(keys)},
    } for i in range(3)]
    write_records(tmp_path, records)
    report = BedrockAthenaTracker(LocalEngine(tmp_path, cache=False), extra_tags=keys).analyze(
        resolve_period(start="2025-11-02", end="2025-11-02"), ["us-east-1"])
    for j, key in enumerate(keys):  # keys differing only by case are two keys, as in the record
        assert sorted(report.tables[tag_table(key)][tag_table(key)]) == [f"v{i}-{j}" for i in range(3)]
