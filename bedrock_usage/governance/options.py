"""The command-line options of the governance modes, and which mode a run asks for.

Only ``argparse`` here: the report's parser and option checks load without the modes' code, which
``governance.modes`` holds (imported when a mode is chosen).
"""

from __future__ import annotations

import argparse
import math
import urllib.parse

from ..errors import UsageError
from ..output.command import named, named_path
from ..qdev.kiro_prices import PRICES_ENV as KIRO_PRICES_ENV

EXIT_ALERT = 3
GOVERNANCE_MODES = ("reconcile", "check_budgets", "anomalies", "chargeback", "developer_costs")
# The modes an option is read by, and its default: given to any other run it would be ignored without a word.
MODE_OPTIONS: dict[str, tuple[tuple[str, ...], object]] = {
    "coverage_threshold": (("reconcile",), 95.0),
    "cur_region": (("reconcile",), "us-east-1"),
    "ce_principal_names": (("reconcile",), "user"),
    "account": (("reconcile",), None),
    "notify_sns": (("check_budgets",), None),
    "notify_webhook": (("check_budgets",), None),
    "anomaly_factor": (("anomalies",), 3.0),
    "anomaly_window": (("anomalies", "check_budgets"), 7),
    "anomaly_min_cost": (("anomalies",), 1.0),
    "chargeback_by": (("chargeback",), "application"),
    "qdev_logs_dir": (("developer_costs",), None),
    "qdev_bucket": (("developer_costs",), None),
    "user_map": (("developer_costs",), None),
    "identity_store": (("developer_costs",), None),
    "kiro_prices": (("developer_costs",), None),
}
MONTH_MODES = ("chargeback", "developer_costs")  # their period is the month they name
# The period options a mode does not read: a month's modes none, a budget check only its as-of day (--end-date).
UNREAD_DATES = {**dict.fromkeys(MONTH_MODES, ("days", "start_date", "end_date")),
                "check_budgets": ("days", "start_date")}


def finite(value: str) -> float:
    """An argparse type: a number, never nan or inf (which would turn a check off: nothing compares over nan)."""
    number = float(value)
    if not math.isfinite(number):
        raise argparse.ArgumentTypeError(f"{value!r} is not a finite number")
    return number


def _default(dest: str) -> object:
    return MODE_OPTIONS[dest][1]


def add_governance_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of the governance modes (one mode per run)."""
    group = parser.add_argument_group(
        "governance (one mode per run; see docs/governance.md)",
        "Exit code 3 (for cron and CI): --check-budgets found a breached budget, --reconcile a region-day\n"
        "with logs missing or below the coverage threshold or a caller billed with no logs, --anomalies an\n"
        "anomalous day.")
    group.add_argument("--reconcile", action="store_true",
                       help="compare logged calls and tokens with CloudWatch metrics, and estimated cost with Cost "
                       "Explorer, per region, model and UTC day of the period")
    group.add_argument("--coverage-threshold", type=finite, default=_default("coverage_threshold"), metavar="PCT",
                       help="with --reconcile: flag region-days whose logged / metered calls is below PCT (default 95)")
    group.add_argument("--cur-dir", type=named_path, metavar="DIR",
                       help="with --reconcile: billed and estimated cost per caller from a local copy of a CUR 2.0 "
                       "export with caller identity (the folder holding data/BILLING_PERIOD=YYYY-MM/); reads only "
                       "local files, no CloudWatch or Cost Explorer")
    group.add_argument("--cur", action="store_true",
                       help="with --reconcile: also billed cost per caller from the CUR 2.0 export's Athena table "
                       "(setup_athena_bucket.py --cur)")
    group.add_argument("--cur-region", default=_default("cur_region"), metavar="REGION",
                       help="with --cur: the region of the export's Athena table (default us-east-1)")
    group.add_argument("--ce-principal-tag", metavar="KEY",
                       help="with --reconcile: also billed cost per caller from Cost Explorer, grouped by this IAM "
                       "principal tag (e.g. iamPrincipal/user), when there is no CUR 2.0 export")
    group.add_argument("--ce-principal-names", choices=("user", "application"), default=_default("ce_principal_names"),
                       help="with --ce-principal-tag: the tag's values name the logs' user (default) or application")
    group.add_argument("--account", metavar="ACCOUNT_ID",
                       help="with --reconcile: the account whose bill is compared (default: the account of the logs); "
                       "with --sync, the only account copied")
    group.add_argument("--check-budgets", metavar="FILE",
                       help="budgets file (TOML or JSON): month-to-date spend, breaches and month-end forecast as of "
                       "--end-date (default today) in --tz")
    group.add_argument("--notify-sns", metavar="TOPIC_ARN", help="with --check-budgets: publish breaches to this topic")
    group.add_argument("--notify-webhook", metavar="URL",
                       help="with --check-budgets: POST breaches as JSON (with a 'text' field) to this URL")
    group.add_argument("--anomalies", action="store_true",
                       help="days whose cost per application exceeds --anomaly-factor x the trailing median, and "
                       "the month-end forecast")
    group.add_argument("--anomaly-factor", type=finite, default=_default("anomaly_factor"), metavar="X",
                       help="anomaly threshold factor (default 3)")
    group.add_argument("--anomaly-window", type=int, default=_default("anomaly_window"), metavar="DAYS",
                       help="days of trailing history for anomalies and forecasts (default 7)")
    group.add_argument("--anomaly-min-cost", type=finite, default=_default("anomaly_min_cost"), metavar="USD",
                       help="never flag a day cheaper than this (default 1)")
    group.add_argument("--chargeback", metavar="YYYY-MM",
                       help="monthly chargeback export (CSV or JSON); says which days of the month its logs cover "
                            "and warns (exit 0) when not every day")
    group.add_argument("--chargeback-by", default=_default("chargeback_by"), metavar="application|user|tag:KEY",
                       help="with --chargeback: the group of each row (default application)")
    group.add_argument("--developer-costs", metavar="YYYY-MM",
                       help="Bedrock spend per developer (SSO email) beside their Q Developer seat and Kiro cost")
    group.add_argument("--qdev-logs-dir", type=named_path, metavar="DIR",
                       help="with --developer-costs: Q Developer / Kiro logs folder")
    group.add_argument("--qdev-bucket", type=named, metavar="BUCKET",
                       help="with --developer-costs: Q Developer / Kiro logs bucket")
    group.add_argument("--user-map", type=named, metavar="CSV",
                       help="with --developer-costs: CSV with userId,email (any Identity Center id form -> email)")
    group.add_argument("--identity-store", type=named, metavar="auto|d-XXXXXXXXXX",
                       help="with --developer-costs: look people without an e-mail up in IAM Identity Center")
    group.add_argument("--kiro-prices", type=named, metavar="FILE",
                       help="with --developer-costs: Kiro tier prices (CSV or JSON, the columns of "
                            "bedrock_usage/qdev/kiro_prices.csv) on top of the built-in ones, as qcli_s3_analyzer.py's "
                            f"(default: ${KIRO_PRICES_ENV} if set)")


def governance_mode(args: argparse.Namespace) -> str | None:
    """The governance mode asked for, if any; more than one mode, or a per-caller bill option without
    ``--reconcile``, is a mistake."""
    chosen = [m for m in GOVERNANCE_MODES if getattr(args, m, None)]
    if len(chosen) > 1:
        raise UsageError(f"choose one of {', '.join(_option(m) for m in chosen)} per run")
    mode = chosen[0] if chosen else None
    if wants_caller_bill(args) and mode != "reconcile":
        raise UsageError("--cur-dir, --cur and --ce-principal-tag go with --reconcile")
    for dest, (modes, default) in MODE_OPTIONS.items():
        if getattr(args, dest) != default and mode not in modes:
            raise UsageError(f"{_option(dest)} goes with {' or '.join(_option(m) for m in modes)}")
    dates = [_option(d) for d in UNREAD_DATES.get(mode or "", ()) if getattr(args, d) is not None]
    if dates:
        month = "the month it names" if mode in MONTH_MODES else "the month of --end-date (default today)"
        raise UsageError(f"{_option(mode)} reads {month}: leave out {' and '.join(dates)}")
    if mode and args.analysis != "all":
        raise UsageError(f"{_option(mode)} writes its own tables: leave out --analysis")
    if mode and args.tag:  # read, it would only add a warning about a table no governance mode prints
        raise UsageError(f"{_option(mode)} writes its own tables: leave out --tag (a budget's tag = \"KEY\" and "
                         "--chargeback-by tag:KEY name their keys themselves)")
    if args.anomaly_min_cost < 0:
        raise UsageError("--anomaly-min-cost must be 0 or more")
    if args.notify_sns:
        sns_region(args.notify_sns)
    if args.notify_webhook:
        check_webhook_url(args.notify_webhook)
    return mode


def sns_region(topic_arn: str) -> str:
    """The region of an SNS topic ARN; UsageError when it is not one."""
    parts = topic_arn.split(":")
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "sns" or not parts[3]:
        raise UsageError(f"--notify-sns {topic_arn!r} is not an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME)")
    return parts[3]


def check_webhook_url(url: str) -> None:
    """UsageError unless ``url`` is an http:// or https:// URL with a host (checked before any scan: a mistyped one
    found only when a breach is alerted would lose the alert)."""
    try:
        parts = urllib.parse.urlsplit(url)
        usable = parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
    except ValueError:  # a malformed host, such as an unclosed IPv6 bracket
        usable = False
    if not usable:
        raise UsageError(f"--notify-webhook {url!r} must be an http:// or https:// URL with a host")


def _option(dest: str) -> str:
    """The command-line spelling of an option's ``dest``."""
    return "--" + dest.replace("_", "-")


def wants_caller_bill(args: argparse.Namespace) -> bool:
    """True when an option asks for the bill per caller (``--cur-dir``, ``--cur``, ``--ce-principal-tag``)."""
    return bool(args.cur_dir is not None or args.cur or args.ce_principal_tag)
