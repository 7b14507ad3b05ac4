"""Where Amazon Q Developer and Kiro put prompt logs and user-activity reports in S3 (or a local mirror).

Prompt logs: ``{prefix}AWSLogs/{account}/{QDeveloperLogs|KiroLogs}/{log type}/{region}/{YYYY}/{MM}/{DD}/{HH}/{name}``.
Activity reports: the same layout with the log type ``by_user_analytic`` and
``{account}_by_user_analytic_...csv`` names.
Folders are UTC days and hours.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from ..logs.layout import normalise_prefix

AWSLOGS = "AWSLogs"
PRODUCTS: dict[str, str] = {"QDeveloperLogs": "Q Developer", "KiroLogs": "Kiro"}
REQUEST_TYPES: dict[str, str] = {
    "GenerateAssistantResponse": "chat",
    "GenerateCompletions": "inline",
    "StartTaskAssistCodeGeneration": "dev",
}
ACTIVITY_TYPE = "by_user_analytic"
PROMPT_LOG_SUFFIXES = (".json.gz", ".gz", ".json")

_KEY_RE = re.compile(
    r"(?:^|/)" + AWSLOGS + r"/(?P<account>[^/]+)/(?P<folder>[^/]+)/(?P<log_type>[^/]+)/(?P<region>[^/]+)/"
    r"(?P<year>\d{4})/(?P<month>\d{2})/(?P<day>\d{2})/(?:(?P<hour>\d{2})/)?(?P<name>[^/]+)$"
)


@dataclass(frozen=True)
class QDevKey:
    """The parts of a prompt-log or activity-report object key."""

    account: str
    folder: str
    log_type: str
    region: str
    day: date
    hour: int | None
    name: str

    @property
    def product(self) -> str:
        """``Q Developer`` or ``Kiro``."""
        return PRODUCTS[self.folder]

    @property
    def is_activity_report(self) -> bool:
        """True for a daily user-activity CSV."""
        return self.log_type == ACTIVITY_TYPE


def accounts_prefix(prefix: str) -> str:
    """The folder whose children are account ids."""
    return f"{normalise_prefix(prefix)}{AWSLOGS}/"


def product_prefix(prefix: str, account: str, folder: str) -> str:
    """The folder of one product (``QDeveloperLogs`` or ``KiroLogs``) of one account."""
    return f"{accounts_prefix(prefix)}{account}/{folder}/"


def type_prefix(prefix: str, account: str, folder: str, log_type: str) -> str:
    """The folder of one log type, whose children are regions."""
    return f"{product_prefix(prefix, account, folder)}{log_type}/"


def day_prefix(prefix: str, account: str, folder: str, log_type: str, region: str, day: date) -> str:
    """The folder of one UTC day of one log type in one region."""
    return f"{type_prefix(prefix, account, folder, log_type)}{region}/{day:%Y/%m/%d}/"


def prompt_log_key(
    prefix: str, account: str, folder: str, log_type: str, region: str, when: datetime, suffix: str
) -> str:
    """A prompt-log object key for a UTC time; ``suffix`` makes the name unique."""
    hour_folder = f"{day_prefix(prefix, account, folder, log_type, region, when.date())}{when:%H}/"
    return f"{hour_folder}{account}_{log_type}_{when:%Y%m%dT%H%M%S}Z_{suffix}.json.gz"


def activity_report_key(prefix: str, account: str, folder: str, region: str, when: datetime, suffix: str) -> str:
    """An activity-report object key for a UTC time; ``suffix`` makes the name unique."""
    hour_folder = f"{day_prefix(prefix, account, folder, ACTIVITY_TYPE, region, when.date())}{when:%H}/"
    return f"{hour_folder}{account}_{ACTIVITY_TYPE}_{when:%Y%m%dT%H%M%S}Z_{suffix}.csv"


def parse_key(key: str) -> QDevKey | None:
    """Parse a prompt-log or activity-report key; ``None`` for anything else."""
    match = _KEY_RE.search(key.replace("\\", "/"))
    if not match or match["folder"] not in PRODUCTS:
        return None
    log_type, name = match["log_type"], match["name"]
    if log_type == ACTIVITY_TYPE:
        if not name.endswith(".csv"):
            return None
    elif log_type not in REQUEST_TYPES or not name.endswith(PROMPT_LOG_SUFFIXES):
        return None
    try:
        day = date(int(match["year"]), int(match["month"]), int(match["day"]))
    except ValueError:
        return None
    hour = int(match["hour"]) if match["hour"] else None
    return QDevKey(match["account"], match["folder"], log_type, match["region"], day, hour, name)
