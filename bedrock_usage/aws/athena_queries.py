"""The queries setup runs through Athena, and what a failed test query says.

The test query that ends a setup counts one partition's rows of the table setup made, through the workgroup, which
writes each result to the results bucket: it proves the three work together with this identity's rights, as Athena
reads the table's objects and writes the result with the caller's own (the ``TestQuery`` statements of
iam/setup-admin.json). Refused or failed, it stops after everything was made: the line says why, what that means, and
what this run made, kept (a run again changes none of it and runs the query again), each with the command that puts it
back (``provisioning.put_back``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..engines.athena import DEFAULT_WORKGROUP, FINAL_STATES, RESULTS_PREFIX, poll_query
from ..logs.schema import DATABASE_NAME
from ..output.progress import Reporter, silent
from .provisioning import BucketGrant, RegionSetup, Write, compact_json, put_back, s3api
from .session import AWS_ERRORS, action_named, describe, is_access_denied, required_action

QUERY_TIMEOUT_SECONDS = 120.0
# What the Athena actions of a test query refused mean for it
_REFUSED = {
    "athena:StartQueryExecution": "this identity may not start queries in workgroup {}",
    "athena:GetQueryExecution": "this identity may not follow the queries it starts in workgroup {}",
    "athena:GetQueryResults": "this identity may not read the results of queries in workgroup {}",
}
_RESULT_FILES = (".csv", ".csv.metadata")  # Athena User Guide, "Find query output files in Amazon S3"


def start_query(athena: Any, workgroup: str, sql: str, days: list[str]) -> str:
    """Start ``sql`` in the workgroup with ``days`` (partition values, never user text) as its parameters: its id."""
    return athena.start_query_execution(
        QueryString=sql,
        QueryExecutionContext={"Database": DATABASE_NAME},
        WorkGroup=workgroup,
        ExecutionParameters=[f"'{day}'" for day in days],
    )["QueryExecutionId"]


def run_query(
    athena: Any, workgroup: str, sql: str, days: list[str], timeout: float = QUERY_TIMEOUT_SECONDS,
    progress: Reporter = silent, step: str = "Athena query",
) -> tuple[str, dict[str, Any]]:
    """Start ``sql`` (``start_query``) and wait for it: its id and last QueryExecution. ``progress`` hears its state at
    every poll, as ``step``."""
    query_id = start_query(athena, workgroup, sql, days)
    return query_id, poll_query(athena, query_id, timeout, progress, step)


@dataclass(frozen=True)
class CountQuery:
    """A setup's test query: its SQL, counting ``unit`` in the partition ``column`` = ``value`` (its parameter)."""

    sql: str
    column: str
    value: str
    unit: str


@dataclass(frozen=True)
class QueryPlace:
    """Where a test query runs: the workgroup, the results bucket the workgroup writes to and what the policy grants
    there, and the location of the table it reads (``s3://bucket/prefix``)."""

    workgroup: str
    results_bucket: str
    results_grant: BucketGrant
    location: str


def run_setup_query(athena: Any, count: CountQuery, place: QueryPlace, made: Sequence[Write],
                    result: RegionSetup) -> list[Write]:
    """Run the test query: its count noted, or that it is still running; refused or failed, the region's error says
    so (``query_failed``). Returns ``made`` (what this run wrote, for a later step's refusal), the results bucket it
    made holding the query's result files now."""
    written = list(made)
    try:
        query_id = start_query(athena, place.workgroup, count.sql, [count.value])
        written = _with_results(made, place.results_bucket, athena.meta.region_name, query_id)
        status = poll_query(athena, query_id, QUERY_TIMEOUT_SECONDS)["Status"]
        state = status["State"]
        if state == "SUCCEEDED":
            rows = athena.get_query_results(QueryExecutionId=query_id)["ResultSet"]["Rows"]
    except AWS_ERRORS as exc:
        why = describe(exc, place.results_grant.policy_file)
        action = required_action(exc) if is_access_denied(exc) else ""
        result.error = _joined(result.error, query_failed(
            f"test query refused: {why}" if action else f"test query failed: {why}", action or str(why), place,
            written))
        return written
    if state == "SUCCEEDED":
        # The first row holds the column names; an empty result set has no rows at all.
        counted = rows[1]["Data"][0].get("VarCharValue") if len(rows) > 1 else None
        result.notes.append(f"test query SUCCEEDED: {counted or 'no'} {count.unit} for {count.column}={count.value}")
    elif state in FINAL_STATES:
        reason = status.get("StateChangeReason") or "no reason given"
        result.error = _joined(result.error, query_failed(f"test query {state}: {reason}", reason, place,
                                                          written))
    else:
        result.notes.append(f"test query still {state} after {QUERY_TIMEOUT_SECONDS:.0f} s: see the Athena console")
    return written


def _joined(*parts: str | None) -> str:
    return "; ".join(filter(None, parts))


def _with_results(made: Sequence[Write], bucket: str, region: str, query_id: str) -> list[Write]:
    """``made``, the results bucket's creation (where this run made it) first deleting the query's result files, as
    the bucket is deleted only empty: they are the run's own, in a bucket the run made."""
    keys = {"Objects": [{"Key": f"{RESULTS_PREFIX}{query_id}{suffix}"} for suffix in _RESULT_FILES]}
    delete = s3api("delete-objects", bucket, region, "--delete", compact_json(keys))
    return [dataclasses.replace(write, first=(*write.first, delete), undo_action="s3:DeleteObject and s3:DeleteBucket")
            if write.puts_back and write.changes[0].resource == f"bucket {bucket}" else write for write in made]


def query_failed(why: str, said: str, place: QueryPlace, made: Sequence[Write]) -> str:
    """The line of a test query refused or failed (``why``), after everything was made: what ``said`` (the refused
    action, or Athena's reason) means, and what this run made (``made``), kept, with the commands that put it back."""
    meaning = _meaning(said, place)
    again = ("running again is safe: it changes none of them and runs the test query again; --skip-test-query leaves "
             "the query out")
    kept = (f"made before it and kept, as setup's steps are all done ({again}): {put_back(made)}" if made else
            f"this run made and changed nothing before it: setup's steps were all done already and stay ({again})")
    return "; ".join(filter(None, (why, meaning, kept)))


def _meaning(said: str, place: QueryPlace) -> str:
    """What a refused action or Athena's reason for a failed query means for the test query: which right of this
    identity it lacks, in the workgroup, the results bucket or the table's objects."""
    bucket = place.results_bucket
    grant = place.results_grant
    if said in _REFUSED:
        only = (f" ({grant.policy_file} grants the test query's Athena actions on workgroup {DEFAULT_WORKGROUP} only)"
                if place.workgroup != DEFAULT_WORKGROUP else "")
        return _REFUSED[said].format(place.workgroup) + only
    if f"s3://{bucket}/" in said:
        granted = (f"{grant.policy_file} grants them on buckets named {grant.pattern}" if grant.covers(bucket) else
                   f"{grant.policy_file} grants them on buckets named {grant.pattern} only: "
                   f"{grant.add_statements(bucket)}")
        return (f"Athena writes each result to s3://{bucket}/{RESULTS_PREFIX} with this identity's rights: it needs "
                f"s3:PutObject and s3:GetObject there ({granted}), and the bucket's policy and default encryption key "
                "must allow them")
    data_bucket = place.location.removeprefix("s3://").split("/", 1)[0]
    if f"s3://{data_bucket}/" in said:
        return (f"Athena reads the table's objects ({place.location}) with this identity's rights: it needs "
                f"s3:GetObject on them and s3:ListBucket on bucket {data_bucket}, and kms:Decrypt where they are "
                "encrypted with SSE-KMS")
    named = action_named(said)
    return f"Athena runs the query with this identity's rights, and it needs {named}" if named else ""
