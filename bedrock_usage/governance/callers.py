"""Billed against estimated cost per caller: the bill's IAM principal beside the logs' caller, model, day and month.

The bill (CUR 2.0 or Cost Explorer, see ``cur.py`` and ``cost_explorer_callers.py``) names who called in AWS's
terms: an IAM principal ARN, or an IAM principal tag. The logs name the same caller by ``identity.arn``. Both
sides go through the one attribution the reports use (``logs/identity.py``: user, application), so a role's
many sessions meet as one application and an SSO session as one user. The logs' cost is an estimate (logged
tokens x list prices, or the user's price file); the bill is the truth, 24 to 48 hours late. Batch inference is
billed under usage types of its own and is never in the logs (``reconcile.BATCH_NOT_LOGGED``): its lines are
listed apart (``batch``), on no caller, in whatever region (never compared, so not among other regions' charges).
The totals, over the period (``summary``) and per month, keep to one rule (``MONTH_NOTE``): batch is the regions
read's, as the other billed parts are, and a region not read has its whole bill, batch included, in a part of its own;
the batch lines say which are of a region not read (``REGION_NOT_READ``, ``BATCH_NOTE``). Per caller and model the
two sides meet per mode (standard, flex, priority, latency: ``reconcile.charge_modes``, ``reconcile.fact_modes``), so
a tier's bill is compared with that tier's estimate; a line whose usage type leaves its tier unknown counts in its
caller's bill and, per model, under ``UNKNOWN_TIER``, compared with no estimate, and a warning names it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..aws.session import AWS_ERRORS, as_project_error, describe
from ..errors import SetupRequired, UsageError
from ..logs.identity import DEFAULT_ROLE_SUFFIX, derive_principal
from ..logs.period import Period
from ..output.notices import Notice
from ..output.terminal_table import money
from ..pricing import PriceFile, priced_at
from ..report.priced_facts import TOTAL_COST, split_unknown_calls
from ..report.tracker import cost_note
from .cost_explorer_callers import CALLER_NAMES, read_cost_explorer_callers
from .cur import BilledLines, no_caller_identity, read_cur_athena, read_cur_dir
from .reconcile import (
    BATCH_BILLED,
    CE_REGION,
    account_facts,
    batch_warnings,
    charge_modes,
    compare_with_bill,
    fact_modes,
    unknown_tier_warnings,
)
from .usage_types import UNKNOWN_TIER

ARN_KEYS = ["principal_type", "principal", "user", "application"]
RECENT_BILL_DAYS = 2  # the bill of a day arrives 24 to 48 hours after it
NO_MODEL = "(not named by the usage type)"
BATCH_LISTED = "listed apart (batch), on no caller"  # where the batch inference warning says its charges are
# Where a line whose usage type leaves its tier unknown is counted (``reconcile.unknown_tier_warnings``).
UNKNOWN_TIER_LISTED = f"in their callers' bill and, per caller and model, under the mode {UNKNOWN_TIER}"
UNREAD_BILLED = "billed_unread_regions_usd"  # a month's bill in regions whose logs were not read, batch included
MONTH_BILL = "billed_total_usd"  # a month's bill: its billed parts added up
MONTH_NOTE = ("Each figure covers the regions read but Regions not read, the whole bill of the other regions (batch "
              "included): billed + no principal + batch + regions not read = the month's bill")
REGION_NOT_READ = "region_not_read"  # a batch line of a region whose logs were not read: in Regions not read
BATCH_NOTE = ("Lines of a Region not read are counted in Regions not read, with that Region's other charges, not in "
              "Batch billed, which holds the regions read")

STATUS_BOTH = "billed and logged"
STATUS_BILLED_ONLY = "billed, no logs"
STATUS_LOGGED_ONLY = "logged, no bill"
STATUS_BILL_PENDING = "logged, bill not in yet"


def caller_truth(price_file: PriceFile | None = None) -> str:
    """What the comparison per caller's figures are, at ``priced_at`` the prices that gave the estimate."""
    return ("The bill is the truth (what AWS charges per IAM principal, 24-48 hours late); the estimate is logged "
            f"tokens x {priced_at(price_file)}. Difference = estimated - billed; ratio = estimated / billed (neither "
            "where calls have no price)")


def caller_accuracy(source: str, price_file: PriceFile | None = None, split_unknown: int = 0) -> dict[str, str]:
    """What is exact and what is estimated per caller: the estimate (the report's cost note, at ``price_file``'s prices
    where its rows priced calls, ``split_unknown`` of them with cache writes at the 5-minute rate) and the bill of
    ``source`` as billed (its unblended cost and, from a CUR export, the public on-demand cost as ``list_cost_usd``).
    """
    return {"cost": cost_note(price_file, split_unknown), "billed": f"exact as billed: {source}"}


@dataclass
class CallerReconciliation:
    """Billed against estimated cost per caller, and per caller and model, day and month."""

    period: Period
    regions: tuple[str, ...]
    source: str
    keys: list[str]
    by_caller: pd.DataFrame
    by_caller_model: pd.DataFrame
    by_caller_day: pd.DataFrame
    by_month: pd.DataFrame
    unattributed: pd.DataFrame  # billed lines that name no principal
    batch: pd.DataFrame  # billed lines of batch inference jobs, whoever they name, in any region (REGION_NOT_READ)
    outside_regions: pd.DataFrame  # billed lines of regions the logs were not read for, batch lines apart
    warnings: list[str] = field(default_factory=list)
    account: str | None = None  # the account whose bill and callers' logs are compared
    price_file: PriceFile | None = None  # the user's price file, when its rows priced some of the calls
    split_unknown_calls: int = 0  # priced calls compared with cache writes at the 5-minute rate, split unknown

    @property
    def accuracy(self) -> dict[str, str]:
        """What is exact and what is estimated (``caller_accuracy``)."""
        return caller_accuracy(self.source, self.price_file, self.split_unknown_calls)

    @property
    def billed_without_logs(self) -> pd.DataFrame:
        """Callers the bill names and the logs do not (logging gaps, logging off, logs not read)."""
        return self.by_caller.loc[self.by_caller["status"] == STATUS_BILLED_ONLY].reset_index(drop=True)

    @property
    def logged_without_bill(self) -> pd.DataFrame:
        """Callers the logs name and the bill does not (yet)."""
        status = self.by_caller["status"]
        return self.by_caller.loc[status.isin((STATUS_LOGGED_ONLY, STATUS_BILL_PENDING))].reset_index(drop=True)

    def summary(self) -> dict[str, float | int | None]:
        """Totals over the period, by the months' rule (``MONTH_NOTE``): batch is the regions read's, and the regions
        not read have their whole bill, batch included; the billed parts add up to the period's bill."""
        table = self.by_caller
        unread = self.batch[REGION_NOT_READ].astype(bool)
        parts = {"billed_cost_usd": table["billed_cost_usd"],
                 "unattributed_billed_usd": self.unattributed["billed_cost_usd"],
                 BATCH_BILLED: self.batch.loc[~unread, "billed_cost_usd"],
                 "billed_outside_regions_usd": pd.concat([self.outside_regions["billed_cost_usd"],
                                                          self.batch.loc[unread, "billed_cost_usd"]])}
        billed = _total(table["billed_cost_usd"])
        estimated = _total(table["estimated_cost_usd"])
        unpriced = int(table["unpriced_calls"].sum())
        return {
            "callers": len(table),
            "billed_cost_usd": billed,
            "estimated_cost_usd": estimated,
            "difference_usd": _difference(estimated, billed, unpriced),
            "unpriced_calls": unpriced,
            "callers_billed_without_logs": len(self.billed_without_logs),
            "billed_without_logs_usd": _total(self.billed_without_logs["billed_cost_usd"]),
            "callers_logged_without_bill": len(self.logged_without_bill),
            "estimated_without_bill_usd": _total(self.logged_without_bill["estimated_cost_usd"]),
            **{name: _total(values) for name, values in parts.items() if name != "billed_cost_usd"},
            MONTH_BILL: _total(pd.concat(parts.values())),
        }


def _difference(estimated: float | None, billed: float | None, unpriced: int) -> float | None:
    """Estimated - billed; none when calls without a price leave the estimate short, which it would read as a gap
    in the bill."""
    return None if unpriced or billed is None or estimated is None else estimated - billed


def _total(values: pd.Series) -> float | None:
    total = pd.to_numeric(values, errors="coerce").sum(min_count=1)
    return None if pd.isna(total) else float(total)


@dataclass(frozen=True)
class BillSource:
    """Where the bill per caller is read: a local copy of the CUR 2.0 export, its Athena table, or Cost Explorer."""

    cur_dir: Path | None = None
    cur_region: str | None = None  # the region of the Athena table over the export
    ce_tag: str | None = None  # the IAM principal tag Cost Explorer groups by
    ce_names: str = "user"  # what the tag's values name: user or application
    workgroup: str | None = None

    def __post_init__(self) -> None:
        chosen = [self.cur_dir is not None, self.cur_region is not None, self.ce_tag is not None]
        if sum(chosen) != 1:
            raise UsageError(Notice("read the bill per caller from one place: --cur-dir DIR, --cur, or "
                                    "--ce-principal-tag KEY", "bill_one_place"))
        if self.ce_names not in CALLER_NAMES:
            raise UsageError(Notice(f"--ce-principal-names must be one of {', '.join(CALLER_NAMES)}",
                                    "bill_caller_names", names=list(CALLER_NAMES)))

    @property
    def needs_aws(self) -> bool:
        """False for a local copy of the export: it is read without any AWS call."""
        return self.cur_dir is None


def read_bill(
    source: BillSource, aws: Any, period: Period, account: str, ce_services: set[str] | None = None
) -> BilledLines:
    """The billed lines of ``account`` in the UTC days of ``period`` from ``source``; AWS failures become the
    error that names the fix. ``ce_services``: the Bedrock services Cost Explorer billed, when already read."""
    if source.cur_dir is not None:
        return read_cur_dir(source.cur_dir, period, account)
    try:
        if source.cur_region is not None:
            return read_cur_athena(aws, source.cur_region, period, account, source.workgroup)
        return read_cost_explorer_callers(aws.client("ce", CE_REGION), period, account, str(source.ce_tag),
                                          source.ce_names, ce_services)
    except AWS_ERRORS as exc:
        raise as_project_error(exc, "iam/report-reader.json") or SetupRequired(
            f"the bill per caller cannot be read: {describe(exc)}") from None


def caller_keys(principal_kind: str) -> list[str]:
    """The columns a caller is matched on: the whole attribution of an ARN, or the one name a tag gives."""
    return ARN_KEYS if principal_kind == "arn" else [principal_kind]


def _attributed(arns: pd.Series, role_suffix: str) -> pd.DataFrame:
    """The attribution columns of each ARN (derived once per distinct ARN)."""
    codes, uniques = pd.factorize(arns.fillna(""), use_na_sentinel=False)
    derived = [derive_principal(arn or None, role_suffix) for arn in uniques]
    return pd.DataFrame({key: np.array([getattr(p, key) for p in derived], dtype=object)[codes] for key in ARN_KEYS},
                        index=arns.index)


def logged_costs(facts: pd.DataFrame, keys: list[str], role_suffix: str) -> pd.DataFrame:
    """The logs per caller, model, mode, UTC day and source region: calls, estimated cost, unpriced calls.

    The caller comes from ``identity.arn`` alone (not from request tags), because that is all the bill knows.
    """
    columns = [*keys, "model", "mode", "utc_day", "region", "logged_calls", "estimated_cost_usd", "unpriced_calls"]
    if facts.empty:
        return pd.DataFrame(columns=columns)
    frame = _attributed(facts["identity_arn"], role_suffix)[keys].assign(
        model=facts["model"].fillna(NO_MODEL), mode=fact_modes(facts),
        utc_day=pd.to_datetime(facts["utc_day"]).dt.strftime("%Y-%m-%d"), region=facts["source_region"],
        logged_calls=facts["calls"], estimated_cost_usd=facts[TOTAL_COST], unpriced_calls=facts["unpriced_calls"])
    grouped = frame.groupby([*keys, "model", "mode", "utc_day", "region"], dropna=False)
    table = grouped[["logged_calls", "unpriced_calls"]].sum()
    table["estimated_cost_usd"] = grouped["estimated_cost_usd"].sum(min_count=1)
    return table.reset_index()[columns]


def billed_costs(billed: BilledLines, keys: list[str], role_suffix: str) -> pd.DataFrame:
    """The bill per caller, model, mode, UTC day and region (lines that name a principal only)."""
    lines = billed.lines.loc[billed.lines["principal"].fillna("") != ""]
    columns = [*keys, "model", "mode", "utc_day", "region", "billed_cost_usd", "list_cost_usd"]
    if lines.empty:
        return pd.DataFrame(columns=columns)
    if billed.principal_kind == "arn":
        callers = _attributed(lines["principal"], role_suffix)[keys]
    else:
        callers = pd.DataFrame({keys[0]: lines["principal"]}, index=lines.index)
    frame = callers.assign(model=lines["model"].fillna(NO_MODEL), mode=charge_modes(lines), utc_day=lines["utc_day"],
                           region=lines["region"].fillna("(unknown)"), billed_cost_usd=lines["billed_cost_usd"],
                           list_cost_usd=lines["list_cost_usd"])
    grouped = frame.groupby([*keys, "model", "mode", "utc_day", "region"], dropna=False)
    table = grouped[["billed_cost_usd"]].sum()
    table["list_cost_usd"] = grouped["list_cost_usd"].sum(min_count=1)
    return table.reset_index()[columns]


def _compare(logged: pd.DataFrame, billed: pd.DataFrame, keys: list[str], recent_from: str) -> pd.DataFrame:
    """Logged and billed side by side on ``keys``: difference, ratio and status per row."""
    left = logged.groupby(keys, dropna=False).agg(
        logged_calls=("logged_calls", "sum"), unpriced_calls=("unpriced_calls", "sum"),
        estimated_cost_usd=("estimated_cost_usd", lambda s: s.sum(min_count=1)), last_logged_day=("utc_day", "max"),
    ) if len(logged) else pd.DataFrame(columns=[*keys, "logged_calls", "unpriced_calls", "estimated_cost_usd",
                                                "last_logged_day"]).set_index(keys)
    right = billed.groupby(keys, dropna=False).agg(
        billed_cost_usd=("billed_cost_usd", "sum"), list_cost_usd=("list_cost_usd", lambda s: s.sum(min_count=1)),
    ) if len(billed) else pd.DataFrame(columns=[*keys, "billed_cost_usd", "list_cost_usd"]).set_index(keys)
    table = left.join(right, how="outer").reset_index()
    for column in ("logged_calls", "unpriced_calls"):
        table[column] = pd.to_numeric(table[column]).fillna(0).astype("int64")
    for column in ("estimated_cost_usd", "billed_cost_usd", "list_cost_usd"):
        table[column] = pd.to_numeric(table[column]).astype("float64")
    has_bill = table["billed_cost_usd"].notna()
    has_logs = table["logged_calls"] > 0
    recent = table["last_logged_day"].fillna("") >= recent_from
    table["status"] = np.select(
        [has_bill & has_logs, has_bill, recent], [STATUS_BOTH, STATUS_BILLED_ONLY, STATUS_BILL_PENDING],
        STATUS_LOGGED_ONLY)
    compare_with_bill(table)
    order = [*keys, "status", "logged_calls", "estimated_cost_usd", "billed_cost_usd", "difference_usd", "ratio",
             "list_cost_usd", "unpriced_calls"]
    return table[order].sort_values(keys).reset_index(drop=True)


def reconcile_callers(
    facts: pd.DataFrame, billed: BilledLines, period: Period, regions: tuple[str, ...],
    role_suffix: str = DEFAULT_ROLE_SUFFIX, today: date | None = None,
) -> CallerReconciliation:
    """Compare the tracker's facts (of a UTC period and ``regions``) with the bill per caller; only the facts of the
    billed account's callers when the bill names its account."""
    if period.tz != "UTC":
        raise ValueError("the bill counts UTC days; build the period with tz='UTC'")
    today = today or datetime.now(UTC).date()
    recent_from = (today - timedelta(days=RECENT_BILL_DAYS - 1)).isoformat()
    keys = caller_keys(billed.principal_kind)
    facts = facts.loc[facts["source_region"].isin(regions)] if len(facts) else facts
    facts, account_warnings = account_facts(facts, billed.account)
    logged = logged_costs(facts, keys, role_suffix)
    lines = billed.lines
    in_days = lines["utc_day"].between(period.start.isoformat(), period.end.isoformat())
    in_regions = lines["region"].isin(regions)
    named = lines["principal"].fillna("") != ""
    batch = lines["batch"].astype(bool)
    compared = BilledLines(lines.loc[in_days & in_regions & ~batch], billed.source, billed.principal_kind)
    all_billed = billed_costs(compared, keys, role_suffix)

    by_caller = _compare(logged, all_billed, keys, recent_from)
    by_model = _compare(logged, all_billed, [*keys, "model", "mode"], recent_from)
    by_day = _compare(logged, all_billed, [*keys, "utc_day"], recent_from)
    by_day["note"] = np.where(by_day["utc_day"] >= recent_from, "recent day: the bill may still be arriving", "")

    unattributed = (lines.loc[in_days & in_regions & ~named & ~batch]
                    .groupby(["utc_day", "region", "service", "usage_type"], dropna=False)["billed_cost_usd"].sum()
                    .reset_index())
    # Batch lines of every region: never compared with the logs, so reading their region would not compare them.
    jobs = (lines.loc[in_days & batch].assign(model=lambda f: f["model"].fillna(NO_MODEL),
                                              region=lambda f: f["region"].fillna("(unknown)"))
            .groupby(["utc_day", "region", "service", "usage_type", "model"], dropna=False)["billed_cost_usd"].sum()
            .reset_index())
    jobs[REGION_NOT_READ] = ~jobs["region"].isin(regions)
    outside = lines.loc[in_days & ~in_regions & ~batch].assign(region=lambda f: f["region"].fillna("(unknown)"))
    outside_regions = _outside(outside, keys, billed.principal_kind, role_suffix)
    warnings = [*account_warnings, *billed.warnings]
    if len(lines.loc[in_days]) and not named.any() and billed.principal_kind == "arn":
        warnings.append(no_caller_identity())
    warnings += batch_warnings(jobs.loc[~jobs[REGION_NOT_READ]], "billed_cost_usd", BATCH_LISTED)
    unknown_tier = charge_modes(lines) == UNKNOWN_TIER
    warnings += unknown_tier_warnings(lines.loc[in_days & in_regions & named & ~batch & unknown_tier],
                                      UNKNOWN_TIER_LISTED)
    warnings += _unread_batch_warnings(jobs)
    if len(outside_regions):
        amount, named = money(outside_regions["billed_cost_usd"].sum()), sorted(outside_regions["region"].unique())
        warnings.append(Notice(f"{amount} was billed in regions whose logs were not read ({', '.join(named)}): add "
                               "them with --region to compare them", "billed_outside", amount=amount, regions=named))
    return CallerReconciliation(
        period=period, regions=regions, source=billed.source, keys=keys, by_caller=by_caller,
        by_caller_model=by_model, by_caller_day=by_day,
        by_month=_by_month(logged, all_billed, unattributed, jobs.loc[~jobs[REGION_NOT_READ]],
                           lines.loc[in_days & ~in_regions]),
        unattributed=unattributed, batch=jobs, outside_regions=outside_regions, warnings=warnings,
        account=billed.account, split_unknown_calls=split_unknown_calls(facts),
    )


def _unread_batch_warnings(jobs: pd.DataFrame) -> list[Notice]:
    """What to say of batch lines of regions whose logs were not read: in Regions not read with those regions' other
    charges (``MONTH_NOTE``), listed with the other batch lines, not among the charges ``--region`` would compare."""
    unread = jobs.loc[jobs[REGION_NOT_READ]].groupby("region")["billed_cost_usd"].sum()
    if unread.empty:
        return []
    named = ", ".join(f"{region} ({money(float(amount))})" for region, amount in unread.items())
    return [Notice(f"Batch inference billed in regions whose logs were not read, {named}, is counted in Regions not "
                   "read with their other charges, not in Batch billed, and listed with the batch lines as of a Region "
                   "not read: batch is never compared with the logs, so adding those regions with --region would not "
                   "compare it", "batch_unread", named=named)]


def _outside(lines: pd.DataFrame, keys: list[str], principal_kind: str, role_suffix: str) -> pd.DataFrame:
    """Billed cost per caller and region outside the analysed regions (unattributed lines as a caller of their own)."""
    columns = [*keys, "region", "billed_cost_usd"]
    if lines.empty:
        return pd.DataFrame(columns=columns)
    if principal_kind == "arn":
        callers = _attributed(lines["principal"].replace("", None), role_suffix)[keys]
    else:
        callers = pd.DataFrame({keys[0]: lines["principal"].replace("", "(unknown)")}, index=lines.index)
    frame = callers.assign(region=lines["region"], billed_cost_usd=lines["billed_cost_usd"])
    return frame.groupby([*keys, "region"], dropna=False)["billed_cost_usd"].sum().reset_index()[columns]


def _by_month(logged: pd.DataFrame, billed: pd.DataFrame, unattributed: pd.DataFrame, jobs: pd.DataFrame,
              unread: pd.DataFrame) -> pd.DataFrame:
    """Totals per month (``MONTH_NOTE``): of the regions read, billed, estimated, their difference and the parts only
    one side has (the bill naming no principal, batch inference ``jobs``); the ``unread`` regions' whole bill, batch
    included; and the month's bill, which these billed parts add up to."""
    parts = {"billed_cost_usd": billed, "unattributed_billed_usd": unattributed, BATCH_BILLED: jobs,
             UNREAD_BILLED: unread}
    months = sorted({day[:7] for frame in (logged, *parts.values()) for day in frame["utc_day"]})
    rows = []
    for month in months:
        log_rows = logged.loc[logged["utc_day"].str[:7] == month]
        amounts = {column: float(frame.loc[frame["utc_day"].str[:7] == month, "billed_cost_usd"].sum())
                   for column, frame in parts.items()}
        estimated = _total(log_rows["estimated_cost_usd"])
        unpriced = int(log_rows["unpriced_calls"].sum())
        rows.append({
            "month": month, "logged_calls": int(log_rows["logged_calls"].sum()), "estimated_cost_usd": estimated,
            "difference_usd": _difference(estimated, amounts["billed_cost_usd"], unpriced), **amounts,
            MONTH_BILL: math.fsum(amounts.values()), "unpriced_calls": unpriced,
        })
    columns = ["month", "logged_calls", "estimated_cost_usd", "billed_cost_usd", "difference_usd",
               "unattributed_billed_usd", BATCH_BILLED, UNREAD_BILLED, MONTH_BILL, "unpriced_calls"]
    return pd.DataFrame(rows, columns=columns).astype({"estimated_cost_usd": "float64", "difference_usd": "float64"})
