"""Amazon Athena engine: runs the tracker's SQL on each region's Glue table and stacks the regions' rows.

Each region has its own ``bedrock_analytics.bedrock_invocation_logs`` table in its own Glue catalog, over
that region's log bucket, so one query becomes one Athena execution per region, run concurrently.
"""

from __future__ import annotations

import io
import itertools
import math
import re
import shlex
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from ..aws.log_lifecycle import BucketLifecycles, archived_days, days_location, expired_days
from ..aws.logging_config import logging_regions
from ..aws.session import AWS_ERRORS, Aws, as_project_error, describe, error_code, required_action
from ..errors import SetupRequired, UsageError
from ..lazy_modules import lazy
from ..logs.layout import days_between
from ..logs.schema import DATABASE_NAME, PARTITION_COLUMN, TABLE_NAME
from ..output.notices import Notice, said
from ..output.progress import REGIONS, Progress, Reporter, Said, Tally, Words, data_size, silent, step_update
from .base import LogRegions, LogSource, QueryResult, ScanStats, Scope, SqlParam
from .compacted import (
    COMPACT_TABLE,
    EARLIER_COMPACT_TABLES,
    CompactedDays,
    parse_compacted_days,
    parse_compacted_through,
    read_compact_table,
    reads_logs_table,
    with_compacted_days,
)
from .projection import PeriodNotProjected, UncheckedProjection, parse_projected_days, unchecked_days, unread_days

if TYPE_CHECKING:
    import pandas as pd

pa = lazy("pyarrow")
pa_csv = lazy("pyarrow.csv")

DEFAULT_POLL_TIMEOUT = 600.0
DEFAULT_MAX_CONCURRENCY = 6
# Polling starts fast for the many sub-second queries and backs off for long ones.
FIRST_POLL_DELAY = 0.2
MAX_POLL_DELAY = 5.0
FINAL_STATES = frozenset({"SUCCEEDED", "FAILED", "CANCELLED"})
RESULT_PAGE_SIZE = 1000  # the most GetQueryResults returns per call
MAX_PARAMETER_LENGTH = 1024  # Athena's limit on one ExecutionParameters entry
# "Queries with execution parameters in the Athena console are limited to a maximum of 25 question marks" (Athena
# User Guide, "Use parameterized queries"); the API documents no other number, so no query sends more.
MAX_EXECUTION_PARAMETERS = 25
SETUP_LOGGING_STEP = "python setup_bedrock_logging.py --regions REGION"

# Athena SQL price: USD 5.00 per TB scanned, rounded up to the megabyte with a 10 MB minimum per query;
# failed queries are not charged (https://aws.amazon.com/athena/pricing/), cancelled ones are, as the workgroup's
# per-query scan limit cancels them (Athena User Guide, "Configure per-query and per-workgroup data usage controls").
# Binary units, as AWS bills them.
ATHENA_USD_PER_TB = 5.0
BYTES_PER_MB = 2**20
BYTES_PER_TB = 2**40
MIN_BILLED_BYTES = 10 * BYTES_PER_MB

DEFAULT_RESULTS_BUCKET_TEMPLATE = "bedrock-analytics-{account}-{region}"
DEFAULT_WORKGROUP = "bedrock-usage"
# A query Athena ends FAILED but marks retryable is started again after each pause (seconds).
RETRY_PAUSES = (1.0, 4.0)
RESULTS_PREFIX = "query-results/"
# The command that creates a region's table and workgroup (``{region}``): the engine's errors say "run COMMAND".
SETUP_COMMAND = "python setup_athena_bucket.py --regions {region}"
NO_REASON = "no reason"  # a query Athena ended without saying why

_INT_TYPES = {"tinyint", "smallint", "integer", "int", "bigint"}
_FLOAT_TYPES = {"double", "float", "real", "decimal"}
_MISSING_TABLE_RE = re.compile(
    r"TABLE_NOT_FOUND|SCHEMA_NOT_FOUND|EntityNotFound|\b(?:table|schema|database)\b.*?\b(?:does not exist|not found)\b",
    re.IGNORECASE,
)
# Athena engine 3 words a column the table lacks "Column 'x' cannot be resolved or requester is not authorized to
# access requested resources": not a bucket permission, so it is read before the access-denied words.
_MISSING_COLUMN_RE = re.compile(r"COLUMN_NOT_FOUND|Column '[^']*' cannot be resolved", re.IGNORECASE)
# A column of another type than the reports read (a table someone made with ``timestamp`` as a timestamp, or
# ``identity`` as a string) fails analysis with Trino's TYPE_MISMATCH, or FUNCTION_NOT_FOUND "Unexpected parameters"
# where a function is given it: the table's definition is the fix, as for a missing column.
_COLUMN_TYPE_RE = re.compile(r"\bTYPE_MISMATCH\b|FUNCTION_NOT_FOUND\b.*Unexpected parameters", re.IGNORECASE)
# Failures whose fix is the table's definition: their pattern, Notice kind, what is wrong and any other fix.
_DEFINITION_FAILURES = (
    (_MISSING_COLUMN_RE, "athena_missing_column",
     "lacks a column the reports read, or Lake Formation hides it from this caller", "; or grant the column in Lake "
     "Formation"),
    (_COLUMN_TYPE_RE, "athena_column_type", "has a column of another type than the reports read", ""),
)
_ACCESS_DENIED_RE = re.compile(
    r"AccessDenied|Access Denied|not authorized|Insufficient permissions|Permission denied", re.IGNORECASE
)
_PERMISSION_RE = re.compile(r"perform: ([a-z0-9-]+:[A-Za-z0-9]+)")
_WORKGROUP_MISSING_RE = re.compile(r"WorkGroup\b.*?\b(?:not found|does not exist)", re.IGNORECASE)
_OUTPUT_LOCATION_RE = re.compile(r"output (?:bucket|location)|query results location", re.IGNORECASE)

AthenaClientFactory = Callable[[str], Any]


class AthenaQueryError(UsageError):
    """Athena failed, cancelled or did not finish a query; the message carries Athena's reason, and
    ``bytes_scanned`` what a cancelled query scanned, which Athena bills (a failed one is not billed)."""

    def __init__(self, message: str, bytes_scanned: int = 0):
        super().__init__(message)
        self.bytes_scanned = bytes_scanned


class RetryableFailure(AthenaQueryError):
    """A query that failed where Athena says it may succeed if run again (``AthenaError.Retryable``: an internal
    error, a transient capacity limit)."""


def sql_literal(value: SqlParam) -> str:
    """One ExecutionParameters entry: a SQL literal, strings quoted with single quotes doubled."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"query parameter {value!r} has no SQL literal")
        return repr(value)
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    raise TypeError(f"query parameter of type {type(value).__name__} is not supported")


def execution_parameters(params: Sequence[SqlParam]) -> list[str]:
    """Render ``params`` as Athena ExecutionParameters; a value too long for Athena is a UsageError."""
    if len(params) > MAX_EXECUTION_PARAMETERS:
        raise UsageError(
            f"this query needs {len(params)} values and Athena takes at most {MAX_EXECUTION_PARAMETERS} query "
            "parameters: give fewer --model values"
        )
    rendered = [sql_literal(value) for value in params]
    for literal in rendered:
        if len(literal) > MAX_PARAMETER_LENGTH:
            raise UsageError(
                f"a query value is {len(literal)} characters long once quoted and Athena accepts at most "
                f"{MAX_PARAMETER_LENGTH}: shorten the filter ({literal[:40]}...)"
            )
    return rendered


def query_cost_usd(bytes_scanned: int) -> float:
    """What Athena charges for one successful query that scanned ``bytes_scanned`` bytes."""
    billed = max(math.ceil(bytes_scanned / BYTES_PER_MB) * BYTES_PER_MB, MIN_BILLED_BYTES)
    return billed / BYTES_PER_TB * ATHENA_USD_PER_TB


def query_progress(step: Said, execution: dict[str, Any], seconds: float) -> Progress:
    """One poll of a query as progress: its state, the seconds since it started, the data scanned so far and
    what that costs (a failed query costs nothing)."""
    state = execution["Status"]["State"]
    scanned = _scanned(execution)
    cost = query_cost_usd(scanned) if state != "FAILED" else 0.0
    note = Words.of("query_state", state=state, seconds=seconds, scanned=data_size(scanned), cost=cost)
    return step_update(step, unit="", note=note, finished=state in FINAL_STATES)


def poll_query(client: Any, execution_id: str, timeout: float, progress: Reporter = silent,
               step: Said = "Athena query") -> dict[str, Any]:
    """Poll a query with exponential backoff until it ends or ``timeout`` seconds pass; its last QueryExecution.
    ``progress`` hears its state, data scanned and cost at every poll, as ``step``."""
    started = time.monotonic()
    deadline = started + timeout
    delay = FIRST_POLL_DELAY
    while True:
        execution = client.get_query_execution(QueryExecutionId=execution_id)["QueryExecution"]
        progress(query_progress(step, execution, time.monotonic() - started))
        remaining = deadline - time.monotonic()
        if execution["Status"]["State"] in FINAL_STATES or remaining <= 0:
            return execution
        time.sleep(min(delay, remaining))
        delay = min(delay * 2, MAX_POLL_DELAY)


def _scanned(execution: dict[str, Any]) -> int:
    """The bytes a query execution has scanned so far."""
    return int(execution.get("Statistics", {}).get("DataScannedInBytes", 0))


def _cell(value: str | None, athena_type: str) -> Any:
    if value is None:
        return None
    if athena_type in _INT_TYPES:
        return int(value)
    if athena_type in _FLOAT_TYPES:
        return float(value)
    if athena_type == "boolean":
        return value.lower() == "true"
    return value


def _column(values: list[Any], athena_type: str) -> pd.Series:
    """A typed column; NULLs make integer and boolean columns nullable (as DuckDB's frames are)."""
    import pandas as pd

    has_null = any(v is None for v in values)
    if athena_type in _INT_TYPES:
        return pd.Series(values, dtype="Int64" if has_null else "int64")
    if athena_type in _FLOAT_TYPES:
        return pd.Series([math.nan if v is None else v for v in values], dtype="float64")
    if athena_type == "boolean":
        return pd.Series(values, dtype="boolean" if has_null else "bool")
    return pd.Series(values, dtype=object)


def _kinds(column_info: list[dict[str, Any]]) -> list[str]:
    """Each column's Athena type without its parameters: ColumnInfo says "decimal" with Precision/Scale apart, but a
    "decimal(10,2)" must decode the same."""
    return [col["Type"].lower().split("(")[0].strip() for col in column_info]


def _arrow_type(kind: str) -> Any:
    """The Arrow type a result file's column of Athena type ``kind`` is read as (any other type as its text)."""
    if kind in _INT_TYPES:
        return pa.int64()
    if kind in _FLOAT_TYPES:
        return pa.float64()
    return pa.bool_() if kind == "boolean" else pa.string()


def _arrow_column(values: Any, kind: str) -> pd.Series:
    """A result file's column as ``_column`` types it: NULLs make integer and boolean columns nullable."""
    import pandas as pd

    if kind in _INT_TYPES or kind == "boolean":
        nullable = pd.Int64Dtype() if kind in _INT_TYPES else pd.BooleanDtype()
        series = values.to_pandas(types_mapper={values.type: nullable}.get)
        return series if values.null_count else series.astype("int64" if kind in _INT_TYPES else "bool")
    if kind in _FLOAT_TYPES:
        return values.to_pandas()
    return pd.Series(values.to_numpy(zero_copy_only=False), dtype=object)


def frame_from_result_file(text: bytes, column_info: list[dict[str, Any]]) -> pd.DataFrame:
    """Decode the CSV file Athena writes for a query's results into the frame ``frame_from_result_pages`` makes of
    the same rows. Athena quotes every value (a quote doubled) and writes a NULL as nothing, so ``""`` is an empty
    string and an empty field is NULL; a value may hold line breaks. Raises ArrowInvalid for a file of other
    columns."""
    import pandas as pd

    names, kinds = [col["Name"] for col in column_info], _kinds(column_info)
    keys = [f"c{index}" for index in range(len(names))]  # two result columns may share a name
    table = pa_csv.read_csv(
        io.BytesIO(text),
        read_options=pa_csv.ReadOptions(column_names=keys, skip_rows=1),
        parse_options=pa_csv.ParseOptions(newlines_in_values=True),
        convert_options=pa_csv.ConvertOptions(
            column_types={key: _arrow_type(kind) for key, kind in zip(keys, kinds, strict=True)},
            strings_can_be_null=True, quoted_strings_can_be_null=False, null_values=[""]),
    )
    frame = pd.DataFrame({index: _arrow_column(table.column(key), kind)
                          for index, (key, kind) in enumerate(zip(keys, kinds, strict=True))})
    frame.columns = names
    return frame


def frame_from_result_pages(pages: Iterable[dict[str, Any]]) -> pd.DataFrame:
    """Decode GetQueryResults pages into a typed frame; the first row of the first page is the header."""
    import pandas as pd  # loaded with the first result, not by the setup scripts that import this module

    names: list[str] = []
    types: list[str] = []
    columns: list[list[Any]] = []
    first = True
    for page in pages:
        result_set = page["ResultSet"]
        rows = result_set.get("Rows", [])
        if first:
            info = result_set.get("ResultSetMetadata", {}).get("ColumnInfo", [])
            names = [col["Name"] for col in info]
            types = _kinds(info)
            columns = [[] for _ in info]
            rows = rows[1:]
            first = False
        for row in rows:
            for index, datum in enumerate(row["Data"]):
                columns[index].append(_cell(datum.get("VarCharValue"), types[index]))
    frame = pd.DataFrame(
        {index: _column(values, kind) for index, (values, kind) in enumerate(zip(columns, types, strict=True))}
    )
    frame.columns = names
    return frame


class AthenaEngine:
    """Runs the tracker's SQL in Athena, one execution per region, in the workgroup ``workgroup``.

    The workgroup must exist in every region queried (``setup_athena_bucket.py`` creates it); there is no
    silent fallback to ``primary``, because the workgroup holds the scan limit that keeps a mistaken query
    from costing money. Results go to ``output_location`` when given, else to the workgroup's location, else
    to the results bucket ``setup_athena_bucket.py`` creates (``s3://bedrock-analytics-{account}-{region}/...``).
    """

    name = "athena"
    rereads_billed = True

    def __init__(
        self,
        aws: Aws,
        *,
        workgroup: str = DEFAULT_WORKGROUP,
        database: str = DATABASE_NAME,
        output_location: str | None = None,
        poll_timeout: float = DEFAULT_POLL_TIMEOUT,
        retry_pauses: tuple[float, ...] = RETRY_PAUSES,
        max_concurrency: int = DEFAULT_MAX_CONCURRENCY,
        client_factory: AthenaClientFactory | None = None,
        use_compacted: bool = True,
        table: str = TABLE_NAME,
        setup_command: str = SETUP_COMMAND,
    ):
        self.aws = aws
        self.workgroup = workgroup
        self.database = database
        self.output_location = output_location
        self.poll_timeout = poll_timeout
        self.retry_pauses = retry_pauses  # seconds before each run again of a query Athena marks retryable
        self.max_concurrency = max(1, max_concurrency)
        self.source = LogSource("athena", workgroup)
        self.description = self.source.description
        self._client_factory = client_factory or (lambda region: aws.client("athena", region))
        self.use_compacted = use_compacted
        self.table = table
        self.setup_command = setup_command  # the command that creates the table and workgroup, with {region}
        self._clients: dict[str, Any] = {}
        self._result_configs: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()
        self._log_regions: LogRegions | None = None

    def log_regions(self) -> LogRegions:
        """The regions of the account's partition whose Model Invocation Logging delivers to S3 (read once)."""
        if self._log_regions is None:
            found = logging_regions(self.aws)
            if not found.regions and not found.unread:
                raise SetupRequired(
                    f"Model Invocation Logging delivers to S3 in no region of account {self.aws.account_id()}: run "
                    f"{SETUP_LOGGING_STEP}, or name the regions to read"
                )
            self._log_regions = LogRegions(found.regions, found.unread)
        return self._log_regions

    def query(self, sql: str, params: Sequence[SqlParam], scope: Scope, progress: Reporter = silent) -> QueryResult:
        """Run ``sql`` in every region of the scope; a failing region is reported in the stats, not raised.

        ``progress`` hears each region's query state, time and data scanned with its cost, and the regions done.
        """
        parameters = execution_parameters(params)
        regions = list(scope.regions)
        # A boto3 session is not thread-safe: every client the workers use is made here, before they start.
        for region in regions:
            if region not in self._clients:
                self._clients[region] = self._client_factory(region)
        if self.output_location is None:
            self.aws.client("sts")
        stats = ScanStats()
        frames: list[pd.DataFrame] = []
        errors: list[Exception] = []
        texts = {}
        lifecycles = BucketLifecycles()  # each log bucket's lifecycle rules, read once for all its regions
        for region in regions:
            texts[region] = self._sql_for(region, sql, scope, stats, lifecycles)
        stats.lifecycle_not_checked.update(lifecycles.unread)
        unread = stats.days_not_projected
        if not scope.run_unprojected and regions and all(r in unread and unread[r].every_day for r in regions):
            raise PeriodNotProjected(unread)  # before any query starts: Athena bills one that reads nothing
        regions_done = Tally(progress, Words("athena_regions"), REGIONS)
        regions_done.start(len(texts))

        def run(region: str, text: str) -> tuple[pd.DataFrame, int]:
            try:
                return self._run_in_region(region, text, parameters, progress)
            finally:
                regions_done.add(1)

        with ThreadPoolExecutor(max_workers=min(self.max_concurrency, len(regions) or 1)) as pool:
            futures = {region: pool.submit(run, region, text) for region, text in texts.items()}
            for region, future in futures.items():
                try:
                    frame, billed = future.result()
                    frames.append(frame)
                except (UsageError, SetupRequired) as err:
                    stats.failed_regions[region] = said(err)
                    errors.append(err)
                    # A cancelled query is billed for what it scanned; a failed one is free.
                    billed = err.bytes_scanned if isinstance(err, AthenaQueryError) and err.bytes_scanned else None
                if billed is not None:
                    stats.bytes_read += billed
                    stats.cost_usd += query_cost_usd(billed)
        regions_done.finish(Words.of("regions_scanned", scanned=data_size(stats.bytes_read), cost=stats.cost_usd))
        if errors and not frames:
            raise errors[0]
        import pandas as pd

        frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        return QueryResult(frame, stats)

    def _sql_for(self, region: str, sql: str, scope: Scope, stats: ScanStats, lifecycles: BucketLifecycles) -> str:
        """``sql`` reading the region's compacted days from Parquet when ``setup_athena_bucket.py --compact`` made
        them. ``stats`` hear the last such day, the compacted copy an earlier version made (``name through DAY``) when
        it holds days the current copy does not (they are read from JSON, and have no figures where the JSON logs are
        gone), the days of the scope the logs table's partition projection leaves out, which no table reads, and
        those read from JSON that a lifecycle rule of the log bucket has deleted or may have archived
        (``lifecycles``).

        A region whose compacted table cannot be read (missing, or no glue:GetTable) is read from JSON: the same
        figures, more bytes scanned; one whose logs table cannot be read has every day taken as projected.
        """
        if not reads_logs_table(sql):
            _read_table(stats, f"{self.database}.{self.table}")
            return sql
        _read_table(stats, f"{self.database}.{TABLE_NAME}")
        glue = self.aws.client("glue", region)
        try:
            table = read_compact_table(glue, self.database) if self.use_compacted else None
        except AWS_ERRORS:
            self._note_unread(glue, region, scope, None, stats, lifecycles)
            return sql
        compacted = parse_compacted_days(table)
        text = with_compacted_days(sql, compacted, scope.first_day, scope.last_day)
        copied = compacted if compacted and text != sql else None
        self._note_unread(glue, region, scope, copied, stats, lifecycles)
        if copied:
            _read_table(stats, f"{self.database}.{COMPACT_TABLE}")
            stats.compacted_through[region] = min(copied.last, scope.last_day).isoformat()
        unrecorded = parse_compacted_through(table) if compacted is None else None  # a copy of the last version
        earlier = (Notice(f"{COMPACT_TABLE} through {unrecorded}, its first day not recorded", "copy_unrecorded",
                          name=COMPACT_TABLE, day=str(unrecorded)) if unrecorded
                   else self._unread(glue, compacted.last if compacted else None) if self.use_compacted else None)
        if earlier:
            stats.earlier_compacted[region] = earlier
        return text

    def _note_unread(self, glue: Any, region: str, scope: Scope, copied: CompactedDays | None, stats: ScanStats,
                     lifecycles: BucketLifecycles) -> None:
        """Record in ``stats`` the days of the scope Athena may read nothing of from the logs table, which the
        compacted copy (``copied``, when read) does not hold: outside its projection, deleted, or maybe archived."""
        try:
            logs = glue.get_table(DatabaseName=self.database, Name=TABLE_NAME)["Table"]
        except AWS_ERRORS:
            return
        self._note_unprojected(logs, region, scope, copied, stats)
        self._note_lifecycle(logs, region, scope, copied, stats, lifecycles)

    def _note_lifecycle(self, logs: dict[str, Any], region: str, scope: Scope, copied: CompactedDays | None,
                        stats: ScanStats, lifecycles: BucketLifecycles) -> None:
        """Record in ``stats`` the days of the period (``Scope.period_days``: the day after it, read for late calls,
        aside) read from the logs table (not the compacted copy, and inside its projection) whose objects a lifecycle
        rule of the log bucket has deleted or may have, and those it may have moved to a class Athena skips, a deleted
        day aside (``aws/log_lifecycle.py``), or, once per bucket, why its rules could not be read: the report is made
        either way."""
        where = days_location(logs, PARTITION_COLUMN)
        if where is None:
            return
        bucket, prefix = where
        rules = lifecycles.read(self.aws.client("s3", region), bucket, region)
        if not rules:
            return
        unprojected = stats.days_not_projected.get(region)
        days = [day for day in days_between(*(scope.period_days or (scope.first_day, scope.last_day)))
                if not (copied and copied.first <= day <= copied.last)
                and not (unprojected and day in unprojected.days)]
        expired = expired_days(bucket, rules, [(day, prefix) for day in days])
        if expired:
            stats.days_expired[region] = expired
        gone = set(expired.deleted) if expired else set()
        found = archived_days(bucket, prefix, rules, [day for day in days if day not in gone])
        if found:
            stats.days_maybe_archived[region] = found

    def _note_unprojected(self, logs: dict[str, Any], region: str, scope: Scope, copied: CompactedDays | None,
                          stats: ScanStats) -> None:
        """Record in ``stats`` the days of the scope's period outside the logs table's ``dt`` projection that the
        compacted copy (``copied``, when read) does not hold either: Athena reads nothing of them. A projection whose
        range or format cannot be read is recorded instead, unless the copy holds every such day."""
        own = scope.own_days or (scope.first_day, scope.last_day)
        elsewhere, table = (copied.first, copied.last) if copied else None, f"{self.database}.{TABLE_NAME}"
        projection = parse_projected_days(logs)
        if isinstance(projection, UncheckedProjection):
            unchecked = unchecked_days(projection, own, elsewhere, table)
            if unchecked:
                stats.projections_not_checked[region] = unchecked
            return
        unread = unread_days(projection, own, elsewhere, table)
        if unread:
            stats.days_not_projected[region] = unread

    def _unread(self, glue: Any, through: date | None) -> str | None:
        """``name through DAY`` of the newest earlier version's compacted copy holding days after ``through``, if any
        (a user who kept an older copy too is told of the one that reaches furthest)."""
        for name in reversed(EARLIER_COMPACT_TABLES):
            try:
                day = parse_compacted_through(read_compact_table(glue, self.database, name))
            except AWS_ERRORS:
                return None
            if day and (through is None or through < day):
                return Notice(f"{name} through {day}", "copy_through", name=name, day=str(day))
        return None

    def _run_in_region(
        self, region: str, sql: str, parameters: list[str], progress: Reporter = silent
    ) -> tuple[pd.DataFrame, int]:
        client = self._clients[region]
        try:
            request: dict[str, Any] = {
                "QueryString": sql,
                "QueryExecutionContext": {"Database": self.database},
                "WorkGroup": self.workgroup,
            }
            result_config = self._result_configuration(client, region)
            if result_config:
                request["ResultConfiguration"] = result_config
            if parameters:
                request["ExecutionParameters"] = parameters
            for pause in (*self.retry_pauses, None):
                execution_id = client.start_query_execution(**request)["QueryExecutionId"]
                try:
                    execution = self._wait(client, region, execution_id, progress)
                    break
                except RetryableFailure:
                    if pause is None:
                        raise
                    time.sleep(pause)  # a failed query is not billed
            frame = self._result_frame(client, region, execution)
        except AWS_ERRORS as err:
            raise self._translate(err, region) from err
        return frame, _scanned(execution)

    def _result_configuration(self, client: Any, region: str) -> dict[str, Any]:
        """Where results go: nothing when the workgroup decides, else the chosen or default location."""
        if region in self._result_configs:
            return self._result_configs[region]
        try:
            workgroup = client.get_work_group(WorkGroup=self.workgroup).get("WorkGroup")
        except ClientError as err:
            if error_code(err) not in ("AccessDeniedException", "AccessDenied"):
                raise
            # Without athena:GetWorkGroup the workgroup's settings are unknown: assume it exists and has none.
            workgroup = {"Name": self.workgroup, "State": "ENABLED", "Configuration": {}}
        if not workgroup:
            raise self._missing_workgroup(region)
        if workgroup.get("State", "ENABLED") != "ENABLED":
            raise SetupRequired(Notice(
                f"Athena workgroup {self.workgroup} is disabled in {region}: enable it in the Athena console",
                "athena_workgroup_disabled", workgroup=self.workgroup, region=region))
        configuration = workgroup.get("Configuration", {})
        has_location = bool(configuration.get("ResultConfiguration", {}).get("OutputLocation")) or bool(
            configuration.get("ManagedQueryResultsConfiguration", {}).get("Enabled")
        )
        if self.output_location:
            config = {"OutputLocation": self.output_location}
        elif has_location:
            config = {}
        else:
            with self._lock:
                account = self.aws.account_id()
            bucket = DEFAULT_RESULTS_BUCKET_TEMPLATE.format(account=account, region=region)
            config = {"OutputLocation": f"s3://{bucket}/{RESULTS_PREFIX}"}
        with self._lock:
            self._result_configs[region] = config
        return config

    def _wait(self, client: Any, region: str, execution_id: str, progress: Reporter = silent) -> dict[str, Any]:
        """Wait until the query ends; stop it and raise when the timeout passes."""
        execution = poll_query(client, execution_id, self.poll_timeout, progress,
                               Words.of("athena_region", region=region))
        status = execution["Status"]
        state = status["State"]
        if state == "SUCCEEDED":
            return execution
        if state in ("FAILED", "CANCELLED"):
            raise self._failure(region, execution_id, state, status, _scanned(execution))
        client.stop_query_execution(QueryExecutionId=execution_id)
        seconds = f"{self.poll_timeout:g}"
        raise AthenaQueryError(Notice(
            f"Athena query {execution_id} in {region} did not finish within {seconds} s and was cancelled: narrow the "
            "date range or allow a longer timeout", "athena_timeout", query=execution_id, region=region,
            seconds=seconds), _scanned(execution))

    def _result_frame(self, client: Any, region: str, execution: dict[str, Any]) -> pd.DataFrame:
        """The rows of a finished query: its first GetQueryResults page when they fit in it, else the CSV file Athena
        wrote (one GetObject instead of a call per 1,000 rows: a month's facts are hundreds of thousands), read
        page by page when that file cannot be read (managed query results, client-side encryption, no
        s3:GetObject, a damaged file)."""
        pages = self._result_pages(client, execution["QueryExecutionId"])
        first = next(pages)
        config = execution.get("ResultConfiguration", {})
        client_side = config.get("EncryptionConfiguration", {}).get("EncryptionOption") == "CSE_KMS"
        if "NextToken" in first and not client_side:  # a file encrypted by Athena's client reads only through it
            location = config.get("OutputLocation", "")
            info = first["ResultSet"].get("ResultSetMetadata", {}).get("ColumnInfo", [])
            text = self._result_file(region, location)
            if text is not None:
                try:
                    return frame_from_result_file(text, info)
                except (pa.ArrowInvalid, ValueError):
                    pass
        return frame_from_result_pages(itertools.chain([first], pages))

    def _result_file(self, region: str, location: str) -> bytes | None:
        """The text of the result file at ``location`` (``s3://bucket/key.csv``); None when there is none to read."""
        bucket, _, key = location.removeprefix("s3://").partition("/")
        if not location.startswith("s3://") or not key.endswith(".csv"):
            return None
        with self._lock:  # a boto3 session is not thread-safe: clients are made one at a time
            s3 = self.aws.client("s3", region)
        try:
            return s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        except AWS_ERRORS:
            return None

    @staticmethod
    def _result_pages(client: Any, execution_id: str) -> Iterator[dict[str, Any]]:
        request = {"QueryExecutionId": execution_id, "MaxResults": RESULT_PAGE_SIZE}
        while True:
            page = client.get_query_results(**request)
            yield page
            token = page.get("NextToken")
            if not token:
                return
            request["NextToken"] = token

    def _failure(self, region: str, execution_id: str, state: str, status: dict[str, Any], scanned: int
                 ) -> Exception:
        """The error for a query Athena ended without success, from its StateChangeReason; a cancelled one (the
        workgroup's scan limit, a user) carries the bytes it scanned, which Athena bills."""
        reason = status.get("StateChangeReason") or status.get("AthenaError", {}).get("ErrorMessage") or NO_REASON
        for pattern, kind, what, other_fix in _DEFINITION_FAILURES:
            if pattern.search(reason):
                table, why, command = f"{self.database}.{self.table}", reason.strip(), self._command(region)
                return SetupRequired(Notice(
                    f"Athena table {table} in {region} {what} ({why}): a table made before an upgrade or by someone "
                    f"else: run {command} to see its definition old -> new, then again with --replace-existing to "
                    f"change it{other_fix}", kind, table=table, region=region, reason=why, command=command))
        if _ACCESS_DENIED_RE.search(reason):
            return _access_denied(region, reason)
        if _MISSING_TABLE_RE.search(reason):
            return self._missing_table(region, reason)
        query = {"query": execution_id, "region": region, "reason": reason}
        if state == "FAILED" and status.get("AthenaError", {}).get("Retryable"):
            times = len(self.retry_pauses)
            return RetryableFailure(Notice(
                f"Athena query {execution_id} failed in {region}, and failed again when run {times} more times, "
                f"though Athena says it may succeed if run again: {reason}", "athena_failed_again", times=times,
                **query))
        if state == "FAILED":
            return AthenaQueryError(Notice(f"Athena query {execution_id} failed in {region}: {reason}",
                                           "athena_failed", **query))
        return AthenaQueryError(Notice(f"Athena query {execution_id} was cancelled in {region}: {reason}",
                                       "athena_cancelled", **query), scanned)

    def _translate(self, err: Exception, region: str) -> Exception:
        """The project error for an AWS call that failed in ``region``."""
        project_error = as_project_error(err)
        if project_error is not None:
            return type(project_error)(Notice(f"{region}: {project_error}", "in_region", region=region,
                                              message=said(project_error)))
        message = err.response.get("Error", {}).get("Message", "") if isinstance(err, ClientError) else str(err)
        if isinstance(err, ClientError) and _ACCESS_DENIED_RE.search(message):
            return _access_denied(region, message, required_action(err))
        if _WORKGROUP_MISSING_RE.search(message):
            return self._missing_workgroup(region)
        if _MISSING_TABLE_RE.search(message):
            return self._missing_table(region, message)
        if _OUTPUT_LOCATION_RE.search(message):
            command = self._command(region)
            return SetupRequired(Notice(
                f"the Athena query results location is not usable in {region} ({message}): run {command}, or give "
                "an output location you can write to", "athena_results_location", region=region, reason=message,
                command=command))
        described = describe(err)
        return AthenaQueryError(Notice(f"Athena in {region}: {described}", "athena_call_failed", region=region,
                                       reason=described))

    def _command(self, region: str) -> str:
        """The command that sets Athena up in ``region`` for this engine's table."""
        return self.setup_command.format(region=region)

    def _missing_table(self, region: str, reason: str) -> SetupRequired:
        table, why, command = f"{self.database}.{self.table}", reason.strip(), self._command(region)
        return SetupRequired(Notice(f"Athena table {table} is missing in {region} ({why}): run {command}",
                                    "athena_missing_table", table=table, region=region, reason=why, command=command))

    def _missing_workgroup(self, region: str) -> SetupRequired:
        option = "" if self.workgroup == DEFAULT_WORKGROUP else f" --workgroup {shlex.quote(self.workgroup)}"
        command = self._command(region) + option
        return SetupRequired(Notice(
            f"Athena workgroup {self.workgroup} does not exist in {region}: run {command}, or choose an existing "
            "workgroup", "athena_no_workgroup", workgroup=self.workgroup, region=region, command=command))


def _read_table(stats: ScanStats, table: str) -> None:
    """Name ``table`` among those the query reads, once."""
    if table not in stats.tables_read:
        stats.tables_read.append(table)


def _access_denied(region: str, reason: str, action: str | None = None) -> SetupRequired:
    named = _PERMISSION_RE.search(reason)
    needed = named.group(1) if named else action
    what = (Notice(f"permission {needed}", "athena_permission", action=needed) if needed else
            Notice("permission to read the log bucket and write query results", "athena_permissions"))
    why = reason.strip()
    return SetupRequired(Notice(f"access denied in {region} ({why}): grant the caller {what}", "athena_access_denied",
                                region=region, reason=why, what=what))


def athena_engine(profile: str | None = None, workgroup: str | None = None, **options: Any) -> AthenaEngine:
    """An AthenaEngine on the credentials of ``profile`` (default chain when None); ``options`` as the class."""
    return AthenaEngine(Aws.connect(profile), workgroup=workgroup or DEFAULT_WORKGROUP, **options)
