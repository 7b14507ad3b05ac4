"""Reconciliation: the tracker's figures against CloudWatch's metered usage and Cost Explorer's bill.

Per source region, model and UTC day, logged calls and tokens (Model Invocation Logs) are compared with
the ``AWS/Bedrock`` metrics ``Invocations``, ``InputTokenCount`` and ``OutputTokenCount``; the tracker's
estimated cost is compared with Cost Explorer's cost by usage type. Coverage = logged / metered calls: a
day below the threshold, or with metered calls and no logs, means logging was off, failing or late. A region-day
compares only the models CloudWatch metered that day (its other logged calls are counted apart) and is flagged
whenever one of its models is.
Cost Explorer is the billing truth; the tracker's cost is an estimate from list prices (or the user's price file).
Batch inference is billed under usage types of its own (``UsageType.batch``) and is never in the logs
(``BATCH_NOT_LOGGED``): its charges are counted apart per region-day (``batch_billed_usd``), in the billed total,
never compared with the logs' estimate. A model's cost is compared per mode (``mode``: standard, flex, priority,
latency), the bill's as its usage type names it (``usage_types.usage_mode``), the logs' as the call was served
(``fact_modes``); a charge whose usage type leaves its tier unknown (``UNKNOWN_TIER``) is compared with no estimate:
it is listed, with its amount, among the charges not tied to a model or tier.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pandas as pd

from ..aws.session import AWS_ERRORS
from ..errors import UsageError
from ..logs.period import Period
from ..output.notices import Notice
from ..output.terminal_table import money
from ..output.wording import counted
from ..pricing import PriceFile, priced_at
from ..report.priced_facts import TOTAL_COST, split_unknown_calls
from ..report.tracker import SERVICE_TIER_MODES, TOKENS_NOTE, UNPRICED, UsageReport, cost_note, refigured
from .cur import check_account
from .profiles import PROFILE_COLUMN, aws_failure
from .usage_types import (
    MARKETPLACE_BILLING_ENTITY,
    OWN_SHAPE_SERVICES,
    UNKNOWN_TIER,
    is_bedrock_service,
    metric_model_key,
    parse_usage_type,
    usage_mode,
)

DEFAULT_THRESHOLD = 0.95
NAMESPACE = "AWS/Bedrock"
DAY_SECONDS = 86_400
# CloudWatch metric -> our column (metered side).
METRICS = {"Invocations": "calls", "InputTokenCount": "input_tokens", "OutputTokenCount": "output_tokens"}
DELIVERY_FAILURE_METRIC = "ModelInvocationLogsS3DeliveryFailure"
MAX_QUERIES = 500  # get_metric_data's limit per request
CE_REGION = "us-east-1"  # Cost Explorer's one endpoint
RECENT_DAYS = 2  # logs arrive within hours, Cost Explorer within a day or two: the newest days may be incomplete


def billing_truth(price_file: PriceFile | None = None) -> str:
    """What the reconciliation's figures are, at ``priced_at`` the prices that gave the estimate."""
    return ("Cost Explorer is the billing truth (what AWS charges, list price before credits); the tracker's cost is "
            f"an estimate from logged tokens x {priced_at(price_file)}; CloudWatch metrics count what Bedrock served, "
            "and coverage = logged calls / metered calls shows whether the logs hold every call")


# What the metered and billed figures are, as AWS documents them: the CloudWatch metrics (Amazon Bedrock User Guide,
# "Monitor Amazon Bedrock with Amazon CloudWatch") and Cost Explorer's unblended cost (AWS Cost Explorer API Reference,
# "GetCostAndUsage"), read as ``metered_usage`` and ``cost_explorer_request`` read them.
METERED_NOTE = (f"exact as metered: CloudWatch {NAMESPACE} metrics ({', '.join([*METRICS, DELIVERY_FAILURE_METRIC])}) "
                "per ModelId, summed per UTC day")
BILLED_NOTE = ("exact as billed: Cost Explorer's UnblendedCost per service, usage type and UTC day (what AWS charges, "
               "before credits and refunds; the newest days may still be arriving)")


def reconciliation_accuracy(price_file: PriceFile | None = None, split_unknown: int = 0) -> dict[str, str]:
    """What is exact and what is estimated in a reconciliation: logged calls and tokens (the report's tokens note),
    CloudWatch's counts as metered, the estimate (the report's cost note, at ``price_file``'s prices where its rows
    priced calls, ``split_unknown`` of them with cache writes at the 5-minute rate) and Cost Explorer's bill as
    billed."""
    return {"tokens": TOKENS_NOTE, "metered": METERED_NOTE, "cost": cost_note(price_file, split_unknown),
            "billed": BILLED_NOTE}


STATUS_NO_LOGS = "no logs"
STATUS_INCOMPLETE = "incomplete logs"
STATUS_NO_METRICS = "no metrics"
STATUS_OVER = "more logged than metered"
STATUS_OK = "ok"
STATUS_NO_CALLS = "no calls metered or logged"  # a day with only billed charges (e.g. provisioned throughput)
FLAGGED = (STATUS_NO_LOGS, STATUS_INCOMPLETE)

_KEYS = ["region", "utc_day"]
UNMETERED = "logged_calls_without_metric"  # a region-day's logged calls of models CloudWatch has no metric for
BILLED_WITHOUT_REGION = "billed_without_region_usd"  # charges whose usage type's region code is unknown
BATCH_BILLED = "batch_billed_usd"  # a region-day's batch inference charges, not compared with the logs
BATCH_KEPT = f"counted apart ({BATCH_BILLED}), in the billed total, out of the comparison"  # where they are counted
# Why batch is never compared with the logs. Amazon Bedrock User Guide: "Monitor model invocation using CloudWatch Logs
# and Amazon S3" lists the operations that log model invocations (Converse, ConverseStream, InvokeModel,
# InvokeModelWithResponseStream, through bedrock-runtime), and a batch job's results are in the S3 location given when
# it was created ("View the results of a batch inference job"). The CLI's, JSON's and dashboard's words alike.
BATCH_NOT_LOGGED = ("batch inference jobs write their results to the job's own S3 location, never to model invocation "
                    "logs")
# Where a charge whose usage type leaves its tier unknown is counted (``unknown_tier_warnings``), per reconciliation.
UNKNOWN_TIER_KEPT = "in the region-day totals and among the charges not tied to a model or tier"
_COUNTS = ["calls", "input_tokens", "output_tokens"]


@dataclass
class MeteredUsage:
    """CloudWatch daily sums per region, UTC day and model key, and log-delivery failures per region and day."""

    usage: pd.DataFrame  # region, utc_day, model_key, metered_calls, metered_input_tokens, metered_output_tokens
    delivery_failures: pd.DataFrame  # region, utc_day, delivery_failures
    failed_regions: dict[str, str] = field(default_factory=dict)


@dataclass
class BilledCost:
    """Cost Explorer's Bedrock cost per UTC day and usage type, with the model and region each one names."""

    charges: pd.DataFrame  # CHARGE_COLUMNS
    failure: str | None = None
    account: str | None = None  # the account billed (None: every account Cost Explorer holds)


@dataclass
class Reconciliation:
    """Logged against metered usage and estimated against billed cost, with the rows that need attention."""

    period: Period
    regions: tuple[str, ...]
    threshold: float
    by_region_day: pd.DataFrame
    by_model_day: pd.DataFrame
    cost_by_model_day: pd.DataFrame
    unmapped_charges: pd.DataFrame
    warnings: list[str] = field(default_factory=list)
    billed_services: tuple[str, ...] = ()  # the Bedrock services Cost Explorer billed, in every region
    billed_failure: str | None = None  # why Cost Explorer could not be read
    account: str | None = None  # the account whose bill and callers' logs are compared
    price_file: PriceFile | None = None  # the user's price file, when its rows priced some of the calls
    split_unknown_calls: int = 0  # priced calls compared with cache writes at the 5-minute rate, split unknown

    @property
    def accuracy(self) -> dict[str, str]:
        """What is exact and what is estimated (``reconciliation_accuracy``)."""
        return reconciliation_accuracy(self.price_file, self.split_unknown_calls)

    @property
    def flagged(self) -> pd.DataFrame:
        """Region-days whose logs are missing or below the coverage threshold."""
        return self.by_region_day.loc[self.by_region_day["status"].isin(FLAGGED)].reset_index(drop=True)

    @property
    def billed_without_region(self) -> pd.DataFrame:
        """Charges whose region code is unknown: in the billed total, in no region-day."""
        return self.unmapped_charges.loc[self.unmapped_charges["region"].isna()]

    def summary(self) -> dict[str, float | int | None]:
        """Totals over the period: calls compared, coverage, calls without a metric, estimated and billed cost (the
        whole bill: the region-days' charges, their batch inference and the charges of no known region)."""
        table = self.by_region_day
        logged, metered = int(table["logged_calls"].sum()), int(table["metered_calls"].sum())
        estimated = table["estimated_cost_usd"].sum(min_count=1)
        billed = pd.concat([table["billed_cost_usd"], table[BATCH_BILLED],
                            self.billed_without_region["billed_cost_usd"]]).sum(min_count=1)
        return {
            "logged_calls": logged,
            "metered_calls": metered,
            "coverage": logged / metered if metered else None,
            UNMETERED: int(table[UNMETERED].sum()),
            "estimated_cost_usd": None if pd.isna(estimated) else float(estimated),
            "billed_cost_usd": None if pd.isna(billed) else float(billed),
            BATCH_BILLED: float(table[BATCH_BILLED].sum()),
            BILLED_WITHOUT_REGION: float(self.billed_without_region["billed_cost_usd"].sum()),
            "flagged_region_days": len(self.flagged),
        }


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(), UTC)


def _chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def metric_model_ids(client: Any) -> set[str]:
    """``ModelId`` values CloudWatch lists for ``Invocations`` (it lists metrics with data in the last two weeks)."""
    values = set()
    for page in client.get_paginator("list_metrics").paginate(Namespace=NAMESPACE, MetricName="Invocations"):
        for metric in page.get("Metrics", []):
            dimensions = metric.get("Dimensions", [])
            if len(dimensions) == 1 and dimensions[0]["Name"] == "ModelId":
                values.add(dimensions[0]["Value"])
    return values


def _daily_sums(client: Any, queries: list[dict[str, Any]], first_day: date, last_day: date) -> dict[str, dict]:
    """Query id -> {UTC day: Sum}, for MetricStat queries with a one-day period."""
    sums: dict[str, dict[date, float]] = {q["Id"]: {} for q in queries}
    for batch in _chunks(queries, MAX_QUERIES):
        pages = client.get_paginator("get_metric_data").paginate(
            MetricDataQueries=batch, StartTime=_day_start(first_day), EndTime=_day_start(last_day + timedelta(days=1))
        )
        for page in pages:
            for result in page.get("MetricDataResults", []):
                for stamp, value in zip(result.get("Timestamps", []), result.get("Values", []), strict=False):
                    day = stamp.astimezone(UTC).date()
                    sums[result["Id"]][day] = sums[result["Id"]].get(day, 0.0) + float(value)
    return sums


def _stat(metric: str, dimensions: list[dict[str, str]]) -> dict[str, Any]:
    return {"Metric": {"Namespace": NAMESPACE, "MetricName": metric, "Dimensions": dimensions},
            "Period": DAY_SECONDS, "Stat": "Sum"}


def region_metered_usage(
    client: Any, region: str, first_day: date, last_day: date, logged_ids: Iterable[str]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """One region's metered rows (per model key and day) and log-delivery failure rows (per day)."""
    values = metric_model_ids(client)
    for model_id in logged_ids:
        values |= {model_id, metric_model_key(model_id)}
    values.discard("")
    queries, targets = [], {}
    for i, value in enumerate(sorted(values)):
        for j, (metric, column) in enumerate(METRICS.items()):
            query_id = f"m{i}_{j}"
            queries.append({"Id": query_id, "MetricStat": _stat(metric, [{"Name": "ModelId", "Value": value}]),
                            "ReturnData": True})
            targets[query_id] = (metric_model_key(value), column)
    queries.append({"Id": "delivery", "MetricStat": _stat(DELIVERY_FAILURE_METRIC, []), "ReturnData": True})
    sums = _daily_sums(client, queries, first_day, last_day)
    metered: dict[tuple[date, str], dict[str, float]] = {}
    for query_id, (key, column) in targets.items():
        for day, value in sums[query_id].items():
            row = metered.setdefault((day, key), {})
            row[column] = row.get(column, 0.0) + value
    usage = [
        {"region": region, "utc_day": day.isoformat(), "model_key": key,
         **{f"metered_{c}": int(round(row.get(c, 0.0))) for c in _COUNTS}}
        for (day, key), row in sorted(metered.items())
    ]
    failures = [{"region": region, "utc_day": day.isoformat(), "delivery_failures": int(round(value))}
                for day, value in sorted(sums["delivery"].items())]
    return usage, failures


def metered_usage(
    client_for: Callable[[str], Any], regions: tuple[str, ...], first_day: date, last_day: date,
    logged_ids: dict[str, set[str]],
) -> MeteredUsage:
    """CloudWatch daily sums for every region; a region whose metrics cannot be read is named, not fatal."""
    usage, failures, failed = [], [], {}
    for region in regions:
        try:
            rows, delivery = region_metered_usage(client_for(region), region, first_day, last_day,
                                                  logged_ids.get(region, set()))
        except AWS_ERRORS as exc:
            failed[region] = aws_failure(exc)
            continue
        usage += rows
        failures += delivery
    usage_columns = [*_KEYS, "model_key", *(f"metered_{c}" for c in _COUNTS)]
    return MeteredUsage(
        pd.DataFrame(usage, columns=usage_columns),
        pd.DataFrame(failures, columns=[*_KEYS, "delivery_failures"]),
        failed,
    )


def cost_explorer_request(first_day: date, last_day: date, account: str | None = None) -> dict[str, Any]:
    """The ``get_cost_and_usage`` arguments: daily usage by usage type of ``Amazon Bedrock``, ``Amazon Bedrock
    Service`` and the Bedrock-Edition Marketplace services.

    Marketplace models have one service each, so the filter takes the whole Marketplace billing entity and
    the rows are narrowed to Bedrock services afterwards; credits, refunds and taxes are left out. With
    ``account``, only that account's usage: Cost Explorer of an organization's management account holds every
    member account's spend.
    """
    conditions: list[dict[str, Any]] = [
        {"Or": [
            {"Dimensions": {"Key": "SERVICE", "Values": list(OWN_SHAPE_SERVICES)}},
            {"Dimensions": {"Key": "BILLING_ENTITY", "Values": [MARKETPLACE_BILLING_ENTITY]}},
        ]},
        {"Dimensions": {"Key": "RECORD_TYPE", "Values": ["Usage"]}},
    ]
    if account:
        conditions.append(linked_account(account))
    return {
        "TimePeriod": {"Start": first_day.isoformat(), "End": (last_day + timedelta(days=1)).isoformat()},
        "Granularity": "DAILY",
        "Metrics": ["UnblendedCost"],
        "Filter": {"And": conditions},
        "GroupBy": [{"Type": "DIMENSION", "Key": "SERVICE"}, {"Type": "DIMENSION", "Key": "USAGE_TYPE"}],
    }


def linked_account(account: str) -> dict[str, Any]:
    """The Cost Explorer filter on one (linked) account."""
    return {"Dimensions": {"Key": "LINKED_ACCOUNT", "Values": [account]}}


CHARGE_COLUMNS = ["utc_day", "region", "service", "usage_type", "kind", "model", "billed_cost_usd", "batch"]


def charge_row(day: str, service: str, usage_type: str, amount: float) -> list[Any]:
    """One Cost Explorer charge (``CHARGE_COLUMNS``), its usage type read for region, kind, model and batch."""
    parsed = parse_usage_type(service, usage_type)
    return [day, parsed.region, service, usage_type, parsed.kind, parsed.model.name if parsed.model else None,
            amount, parsed.batch]


def billed_cost(ce_client: Any, first_day: date, last_day: date, account: str | None = None) -> BilledCost:
    """Cost Explorer's daily Bedrock charges; a failure (no permission, Cost Explorer not enabled) is reported."""
    request = cost_explorer_request(first_day, last_day, account)
    rows = []
    try:
        token = None
        while True:
            page = ce_client.get_cost_and_usage(**request, **({"NextPageToken": token} if token else {}))
            for result in page.get("ResultsByTime", []):
                day = result["TimePeriod"]["Start"]
                for group in result.get("Groups", []):
                    service, usage_type = [*(group.get("Keys") or []), "", ""][:2]
                    if not is_bedrock_service(service):
                        continue
                    rows.append(charge_row(day, service, usage_type,
                                           float(group["Metrics"]["UnblendedCost"]["Amount"])))
            token = page.get("NextPageToken")
            if not token:
                break
    except AWS_ERRORS as exc:
        return BilledCost(pd.DataFrame(columns=CHARGE_COLUMNS), aws_failure(exc), account)
    return BilledCost(pd.DataFrame(rows, columns=CHARGE_COLUMNS), account=account)


def called_model_ids(facts: pd.DataFrame) -> pd.Series:
    """The model id each fact row was called with (the profile ARN for resolved application profiles)."""
    if PROFILE_COLUMN in facts:
        return facts[PROFILE_COLUMN].where(facts[PROFILE_COLUMN].notna(), facts["model_id"])
    return facts["model_id"]


def _other_accounts(facts: pd.DataFrame, account: str) -> pd.Series:
    """Rows whose caller is known to be of another account than ``account`` (an unknown caller's account is not)."""
    accounts = facts["account"].astype("object").fillna("")
    return (accounts != "") & (accounts != account)


def account_facts(facts: pd.DataFrame, account: str | None) -> tuple[pd.DataFrame, list[str]]:
    """The facts of ``account``'s callers (and of callers whose account is unknown), with a warning counting the calls
    of other accounts' callers left out: a bill is one account's. ``account`` None keeps every fact."""
    if account is None or facts.empty:
        return facts, []
    other = _other_accounts(facts, account)
    if not other.any():
        return facts, []
    accounts = sorted(set(facts.loc[other, "account"].astype("object")))
    calls = int(facts.loc[other, "calls"].sum())
    return facts.loc[~other], [Notice(
        f"{calls:,} logged calls of callers in other accounts ({', '.join(accounts)}) are left out: only account "
        f"{account}'s callers are compared with its bill", "other_accounts", calls=calls, accounts=accounts,
        account=account)]


def account_scan_warnings(report: UsageReport, account: str | None) -> list[str]:
    """The scan's warnings over the calls compared with ``account``'s bill (``account_facts``): its unpriced calls
    and calls without a caller counted among them alone, each unpriced line naming the account."""
    if account is None:
        return list(report.warnings)
    facts, _ = account_facts(report.facts, account)
    own = report if facts is report.facts else refigured(report, facts.reset_index(drop=True))
    return [Notice(f"{line} (calls of account {account}'s callers)", "account_calls", line=line, account=account)
            if line.startswith(UNPRICED) else line for line in own.warnings]


def logged_ids_by_region(facts: pd.DataFrame) -> dict[str, set[str]]:
    """Model ids as called, per source region."""
    if facts.empty:
        return {}
    called = called_model_ids(facts).fillna("")
    return {region: set(ids) for region, ids in called.groupby(facts["source_region"])}


def _status(logged: float, metered: float, threshold: float) -> str:
    if metered <= 0:
        return STATUS_NO_METRICS if logged > 0 else STATUS_NO_CALLS
    if logged <= 0:
        return STATUS_NO_LOGS
    coverage = logged / metered
    if coverage < threshold:
        return STATUS_INCOMPLETE
    return STATUS_OVER if coverage > 1 / threshold else STATUS_OK


def _iso_days(days: pd.Series) -> pd.Series:
    """``YYYY-MM-DD`` text, the form CloudWatch and Cost Explorer rows are keyed by."""
    return pd.to_datetime(days).dt.strftime("%Y-%m-%d")


def _coverage(logged: pd.Series, metered: pd.Series) -> pd.Series:
    return (logged / metered.where(metered > 0)).astype("float64")


def _logged(facts: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    columns = {"calls": "logged_calls", "errors": "logged_errors", "input_tokens": "logged_input_tokens",
               "output_tokens": "logged_output_tokens"}
    if facts.empty:
        return pd.DataFrame(columns=[*keys, *columns.values(), "estimated_cost_usd", "unpriced_calls"])
    frame = facts.assign(region=facts["source_region"], model_key=called_model_ids(facts).map(metric_model_key),
                         utc_day=_iso_days(facts["utc_day"]))
    grouped = frame.groupby(keys, dropna=False)
    table = grouped[list(columns)].sum().rename(columns=columns)
    table["estimated_cost_usd"] = grouped[TOTAL_COST].sum(min_count=1)
    table["unpriced_calls"] = grouped["unpriced_calls"].sum()
    return table.reset_index()


def reconcile(
    facts: pd.DataFrame, metered: MeteredUsage, billed: BilledCost, period: Period, regions: tuple[str, ...],
    threshold: float = DEFAULT_THRESHOLD, today: date | None = None,
) -> Reconciliation:
    """Compare the tracker's facts (of a UTC period) with CloudWatch and Cost Explorer; only the facts of the billed
    account's callers when the bill names its account."""
    today = today or datetime.now(UTC).date()
    facts = facts.loc[facts["source_region"].isin(regions)] if len(facts) else facts
    facts, account_warnings = account_facts(facts, billed.account)
    # A charge whose region code is unknown cannot be placed in a region: it is kept, among the unmapped charges (and
    # in the summary's billed total).
    charges = billed.charges.loc[billed.charges["region"].isin(regions) | billed.charges["region"].isna()]
    charges = charges.assign(mode=charge_modes(charges))
    batch = charges["batch"].astype(bool)
    unknown_tier = charges["mode"] == UNKNOWN_TIER

    by_model = _logged(facts, [*_KEYS, "model_key"]).merge(
        metered.usage, on=[*_KEYS, "model_key"], how="outer")
    by_model = _finish(by_model, [*_KEYS, "model_key"], threshold)

    by_region = _compared(by_model).merge(_logged(facts, _KEYS)[[*_KEYS, "estimated_cost_usd", "unpriced_calls"]],
                                          on=_KEYS, how="outer")
    billed_days = charges.loc[~batch].groupby(_KEYS)["billed_cost_usd"].sum().rename("billed_cost_usd").reset_index()
    batch_days = charges.loc[batch].groupby(_KEYS)["billed_cost_usd"].sum().rename(BATCH_BILLED).reset_index()
    by_region = by_region.merge(billed_days, on=_KEYS, how="outer").merge(batch_days, on=_KEYS, how="outer").merge(
        metered.delivery_failures, on=_KEYS, how="left")
    by_region = _finish(by_region, _KEYS, threshold)
    by_region["status"] = _region_status(by_region, by_model)
    by_region["cost_difference_usd"] = _over_priced_calls(
        by_region["estimated_cost_usd"] - by_region["billed_cost_usd"], by_region["unpriced_calls"])
    recent = pd.to_datetime(by_region["utc_day"]).dt.date >= today - timedelta(days=RECENT_DAYS - 1)
    by_region["note"] = ["recent day: logs and Cost Explorer may still be arriving" if r else "" for r in recent]

    warnings = [*account_warnings, *(Notice(f"CloudWatch metrics of {region} could not be read: {reason}",
                                            "cloudwatch_failed", region=region, reason=reason)
                                     for region, reason in sorted(metered.failed_regions.items()))]
    if billed.failure:
        warnings.append(Notice(f"Cost Explorer could not be read, so there is no billed cost: {billed.failure}",
                               "cost_explorer_failed", reason=billed.failure))
    warnings += _elsewhere_warnings(
        billed.charges.loc[billed.charges["region"].notna() & ~billed.charges["region"].isin(regions)])
    warnings += _unmetered_warnings(by_region) + _router_warnings(facts) + batch_warnings(by_region, BATCH_BILLED,
                                                                                          BATCH_KEPT)
    warnings += unknown_tier_warnings(charges.loc[unknown_tier & charges["region"].notna()], UNKNOWN_TIER_KEPT)
    # Batch charges of a known region are counted apart, whether or not their usage type names the model.
    unmapped = charges.loc[(charges["model"].isna() & ~batch) | charges["region"].isna() | unknown_tier]
    unmapped = (unmapped.groupby(["region", "service", "usage_type"], dropna=False)["billed_cost_usd"].sum()
                .reset_index())
    warnings += _no_region_warnings(unmapped)
    return Reconciliation(
        period=period,
        regions=regions,
        threshold=threshold,
        by_region_day=by_region,
        by_model_day=by_model,
        cost_by_model_day=_cost_by_model(facts, charges.loc[~batch & ~unknown_tier]),
        unmapped_charges=unmapped,
        warnings=warnings,
        billed_services=tuple(sorted(set(billed.charges["service"]))),
        billed_failure=billed.failure,
        account=billed.account,
        split_unknown_calls=split_unknown_calls(facts),
    )


def _compared(by_model: pd.DataFrame) -> pd.DataFrame:
    """Per region-day, the metered counts and the logged counts of the models metered that day (the only ones a
    metric can vouch for), and the logged calls of models without a metric that day apart."""
    metered = by_model["metered_calls"] > 0
    logged = ["logged_calls", "logged_errors", "logged_input_tokens", "logged_output_tokens"]
    table = by_model.assign(**{column: by_model[column].where(metered, 0) for column in logged},
                            **{UNMETERED: by_model["logged_calls"].where(~metered, 0)})
    sums = [*logged, UNMETERED, *(f"metered_{c}" for c in _COUNTS)]
    return table.groupby(_KEYS)[sums].sum().reset_index()


def _region_status(by_region: pd.DataFrame, by_model: pd.DataFrame) -> list[str]:
    """A region-day's status: ``no metrics`` when only unmetered models were logged, and never better than
    ``incomplete logs`` when one of its models' logs are missing or below the threshold."""
    flagged = set(map(tuple, by_model.loc[by_model["status"].isin(FLAGGED), _KEYS].to_numpy()))
    statuses = []
    for row in by_region.itertuples():
        status = row.status
        if row.metered_calls <= 0 and getattr(row, UNMETERED) > 0:
            status = STATUS_NO_METRICS
        elif status not in FLAGGED and (row.region, row.utc_day) in flagged:
            status = STATUS_INCOMPLETE
        statuses.append(status)
    return statuses


def _unmetered_warnings(by_region: pd.DataFrame) -> list[str]:
    """What to say of logged calls that no CloudWatch metric can be compared with."""
    lines = []
    unmetered = by_region.loc[by_region["status"] == STATUS_NO_METRICS]
    if len(unmetered):
        days, calls = len(unmetered), int(unmetered[UNMETERED].sum())
        lines.append(Notice(f"{days} region-days have {calls:,} logged calls but no calls in CloudWatch: are the "
                            "logs from this account and these regions?", "unmetered_days", days=days, calls=calls))
    beside = by_region.loc[(by_region["status"] != STATUS_NO_METRICS) & (by_region[UNMETERED] > 0)]
    if len(beside):
        calls, days = int(beside[UNMETERED].sum()), len(beside)
        lines.append(Notice(f"{calls:,} logged calls on {days} region-days are of models with no CloudWatch metric "
                            "that day (logged_calls_without_metric): they are left out of the coverage, which "
                            "compares only the models CloudWatch counts", "unmetered_models", calls=calls, days=days))
    return lines


def _router_warnings(facts: pd.DataFrame) -> list[str]:
    """The calls through prompt routers, counted under the model each router chose (``engines/queries.py``): how
    CloudWatch's ``ModelId`` names them is not documented, so their rows may differ there."""
    routed = int(facts["prompt_router_calls"].sum()) if len(facts) and "prompt_router_calls" in facts else 0
    if not routed:
        return []
    return [Notice(f"{counted(routed, 'call')} through prompt routers {'is' if routed == 1 else 'are'} counted "
                   "under the model each router chose, as its logged response names it; CloudWatch's ModelId for such "
                   "calls is not documented, so the rows of those models (and any row of a router's id) may differ by "
                   "them", "routed_calls", calls=routed)]


def batch_warnings(charges: pd.DataFrame, column: str, kept: str) -> list[str]:
    """What to say of batch inference's charges (``column`` of ``charges`` per ``region``): billed, with no logged
    call to compare them with (``BATCH_NOT_LOGGED``), and ``kept`` (``BATCH_KEPT``, ``callers.BATCH_LISTED``) says
    where they are counted instead."""
    regions = charges.groupby("region")[column].sum()
    regions = regions.loc[regions != 0]
    if regions.empty:
        return []
    where = (regions.index[0] if len(regions) == 1 else
             ", ".join(f"{region} ({money(float(amount))})" for region, amount in regions.items()))
    amount = money(float(regions.sum()))
    return [Notice(f"Batch inference billed {amount} in {where} over the period; {BATCH_NOT_LOGGED}, so it is {kept}",
                   "batch_billed", amount=amount, where=where, kept=kept)]


def charge_modes(charges: pd.DataFrame) -> pd.Series:
    """The price-book mode of each charge (``service``, ``usage_type``) as its usage type names it, ``UNKNOWN_TIER``
    where the usage type leaves it unknown."""
    return pd.Series([usage_mode(service, usage_type) or UNKNOWN_TIER
                      for service, usage_type in zip(charges["service"], charges["usage_type"], strict=True)],
                     index=charges.index, dtype=object)


def fact_modes(facts: pd.DataFrame) -> pd.Series:
    """The price-book mode of each fact row's calls, as the tier that served them prices them
    (``SERVICE_TIER_MODES``); a tier the book has no mode for (``reserved``, one it does not know) by its own name."""
    return facts["service_tier"].map(lambda tier: SERVICE_TIER_MODES.get(tier, tier))


def unknown_tier_warnings(charges: pd.DataFrame, kept: str) -> list[Notice]:
    """What to say of the charges whose usage type leaves their tier unknown (``UNKNOWN_TIER``): each usage type with
    its amount, compared with no estimate, and ``kept`` (``UNKNOWN_TIER_KEPT``, ``callers.UNKNOWN_TIER_LISTED``) says
    where they are counted instead."""
    if charges.empty:
        return []
    amounts = charges.groupby("usage_type")["billed_cost_usd"].sum()
    named = ", ".join(f"{usage_type} ({money(float(amount))})" for usage_type, amount in amounts.items())
    amount = money(float(amounts.sum()))
    return [Notice(f"{amount} was billed under {counted(len(amounts), 'usage type')} naming no tier the estimate "
                   f"prices calls at (standard, flex, priority, latency-optimized; batch apart), {named}: reserved "
                   "capacity, provisioned throughput, customization, or words no public source shows; compared with "
                   f"no estimate, counted {kept}", "unknown_tier", amount=amount, count=len(amounts), named=named,
                   kept=kept)]


def _elsewhere_warnings(elsewhere: pd.DataFrame) -> list[Notice]:
    """What to say of the charges of regions whose logs were not read (out of the region-days and totals).

    Only calls through ``bedrock-runtime`` (Converse, ConverseStream, InvokeModel, InvokeModelWithResponseStream)
    can log model invocations (Amazon Bedrock User Guide, "Monitor model invocation using CloudWatch Logs and Amazon
    S3"); a batch inference job writes its results to the S3 location given when it was created ("View the results
    of a batch inference job"). So on-demand charges there ask whether logging is off, batch charges never do."""
    lines = []
    batch = elsewhere["batch"].astype(bool)
    on_demand, jobs = _named_amounts(elsewhere.loc[~batch]), _named_amounts(elsewhere.loc[batch])
    if on_demand:
        lines.append(Notice(f"Cost Explorer bills Bedrock in {on_demand} over the period, whose logs were not read: is "
                            "logging off there, or was the region left out?", "billed_elsewhere", named=on_demand))
    if jobs:
        lines.append(Notice(f"Cost Explorer bills batch inference in {jobs} over the period, whose logs were not read: "
                            f"{BATCH_NOT_LOGGED}, so no logs are missing for them (not in the region-days or their "
                            "totals, which hold the regions read only)", "batch_elsewhere", named=jobs))
    return lines


def _named_amounts(charges: pd.DataFrame) -> str:
    """Each region of ``charges`` with its billed amount (``eu-west-1 ($0.6250), ...``); empty for no charges."""
    return ", ".join(f"{region} ({money(amount)})"
                     for region, amount in charges.groupby("region")["billed_cost_usd"].sum().items())


def _no_region_warnings(unmapped: pd.DataFrame) -> list[str]:
    """What to say of charges whose usage type's region code is unknown (they are in no region-day)."""
    no_region = unmapped.loc[unmapped["region"].isna()]
    if no_region.empty:
        return []
    amount, names = money(float(no_region["billed_cost_usd"].sum())), sorted(no_region["usage_type"])
    return [Notice(f"Cost Explorer bills {amount} under {len(no_region)} usage types whose region code is unknown "
                   f"({', '.join(names)}): counted in the billed total, in no region-day", "no_region_code",
                   amount=amount, count=len(no_region), names=names)]


def _finish(table: pd.DataFrame, keys: list[str], threshold: float) -> pd.DataFrame:
    """Fill absent counts with 0, add coverage and status, and order the rows."""
    for column in ("logged_calls", "logged_errors", "logged_input_tokens", "logged_output_tokens", "unpriced_calls",
                   *(f"metered_{c}" for c in _COUNTS), *([UNMETERED] if UNMETERED in table else [])):
        table[column] = pd.to_numeric(table[column]).fillna(0).astype("int64")
    if "delivery_failures" in table:
        table["delivery_failures"] = pd.to_numeric(table["delivery_failures"]).astype("Int64")
    table["coverage"] = _coverage(table["logged_calls"], table["metered_calls"])
    table["status"] = [_status(lo, me, threshold) for lo, me in zip(table["logged_calls"], table["metered_calls"],
                                                                      strict=True)]
    order = [*keys, "logged_calls", "metered_calls", "coverage", "status", "logged_errors", "logged_input_tokens",
             "metered_input_tokens", "logged_output_tokens", "metered_output_tokens", "estimated_cost_usd",
             "unpriced_calls"]
    extra = [c for c in ("billed_cost_usd", BATCH_BILLED, "delivery_failures", UNMETERED) if c in table]
    return table[order + extra].sort_values(keys).reset_index(drop=True)


def _cost_by_model(facts: pd.DataFrame, charges: pd.DataFrame) -> pd.DataFrame:
    """Estimated against billed cost per region, UTC day, model and mode (billed rows without a model are left out;
    ``charges`` hold no batch inference and no charge of an unknown tier)."""
    keys = [*_KEYS, "model", "mode"]
    columns = [*keys, "estimated_cost_usd", "billed_cost_usd", "difference_usd", "ratio"]
    estimated = (
        facts.assign(region=facts["source_region"], utc_day=_iso_days(facts["utc_day"]), mode=fact_modes(facts))
        .groupby(keys).agg(estimated_cost_usd=(TOTAL_COST, lambda cost: cost.sum(min_count=1)),
                           unpriced_calls=("unpriced_calls", "sum"))
        .reset_index()
        if len(facts) else pd.DataFrame(columns=[*keys, "estimated_cost_usd", "unpriced_calls"])
    )
    billed = (charges.loc[charges["model"].notna() & charges["region"].notna()]
              .groupby(keys)["billed_cost_usd"].sum()
              .reset_index())
    table = estimated.merge(billed, on=keys, how="outer")
    table["estimated_cost_usd"] = pd.to_numeric(table["estimated_cost_usd"]).astype("float64")
    table["billed_cost_usd"] = pd.to_numeric(table["billed_cost_usd"]).astype("float64")
    compare_with_bill(table)
    return table[columns].sort_values(keys).reset_index(drop=True)


def compare_with_bill(table: pd.DataFrame) -> None:
    """Set ``difference_usd`` (estimated - billed) and ``ratio`` (estimated / billed) of each row, both missing where
    the row's logged calls have no price (``unpriced_calls``)."""
    estimated, billed = table["estimated_cost_usd"], table["billed_cost_usd"]
    table["difference_usd"] = _over_priced_calls(estimated - billed, table["unpriced_calls"])
    table["ratio"] = _over_priced_calls(estimated / billed.where(billed > 0), table["unpriced_calls"])


def _over_priced_calls(values: pd.Series, unpriced_calls: pd.Series) -> pd.Series:
    """``values`` comparing the estimate with the bill, missing where logged calls have no price: the estimate is
    then only its priced part, and the comparison would read those calls as a gap in the bill."""
    return values.where(pd.to_numeric(unpriced_calls).fillna(0) == 0)


def run_reconciliation(
    aws: Any, facts: pd.DataFrame, period: Period, regions: tuple[str, ...], threshold: float = DEFAULT_THRESHOLD,
    today: date | None = None, account: str | None = None,
) -> Reconciliation:
    """Read CloudWatch (per region) and Cost Explorer (of ``account``, default the caller's) for a UTC period and
    reconcile them with the facts."""
    if period.tz != "UTC":
        raise ValueError("reconciliation compares UTC days; build the period with tz='UTC'")
    account = account or aws.account_id()
    metered = metered_usage(lambda region: aws.client("cloudwatch", region), regions, period.start, period.end,
                            logged_ids_by_region(account_facts(facts, account)[0]))
    billed = billed_cost(aws.client("ce", CE_REGION), period.start, period.end, account)
    return reconcile(facts, metered, billed, period, regions, threshold, today)


def logs_account(engine: Any, aws: Any | None, account: str | None = None) -> str:
    """The account the logs belong to, whose bill is compared: ``account`` when given, else the one account folder
    of a local logs folder, else the caller's account (Athena reads the caller's own logs)."""
    if account:
        return check_account(account)
    if engine.name == "local":
        found = engine.accounts()
        if len(found) == 1:
            return found[0]
        if found:
            raise UsageError(Notice(f"the logs folder holds the logs of {len(found)} accounts ({', '.join(found)}): "
                                    "choose the one to compare with its bill with --account", "logs_of_accounts",
                                    count=len(found), accounts=found))
    if aws is None:
        raise UsageError(Notice("give --account: the account whose bill to compare with the logs", "give_account"))
    return aws.account_id()

