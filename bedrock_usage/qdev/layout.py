"""Where Amazon Q Developer and Kiro put prompt logs and user-activity reports in S3 (or a local mirror).

Prompt logs: ``{prefix}AWSLogs/{account}/{QDeveloperLogs|KiroLogs}/{log type}/{region}/{YYYY}/{MM}/{DD}/{HH}/{name}``.
Activity reports: the same layout with the log type ``by_user_analytic`` and
``{account}_by_user_analytic_...csv`` names. Kiro user reports: ``KiroLogs/user_report/{region}/{YYYY}/{MM}/{DD}/00/``
with one ``{CLIENT}_{account}_user_report_{yyyymmddHHMM}.csv`` per client type (``KIRO_IDE``, ``KIRO_CLI``,
``PLUGIN``), split into ``..._part_{n}.csv`` above 1,000 users.
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
USER_REPORT_TYPE = "user_report"
REPORT_TYPES = (ACTIVITY_TYPE, USER_REPORT_TYPE)
PROMPT_LOG_SUFFIXES = (".json.gz", ".gz", ".json")

# ``KIRO_IDE_123456789012_user_report_202511120200.csv`` or ``..._part_2.csv``: client type and export stamp.
_USER_REPORT_NAME_RE = re.compile(
    r"^(?P<client>[A-Za-z0-9_]+?)_(?P<account>\d{12})_user_report_(?P<stamp>\d{12})(?:_part_(?P<part>\d+))?\.csv$"
)
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

    @property
    def is_user_report(self) -> bool:
        """True for a daily Kiro user-report CSV."""
        return self.log_type == USER_REPORT_TYPE

    @property
    def client_type(self) -> str | None:
        """The client type a Kiro user report's name carries (``KIRO_IDE``), if it has the documented form."""
        match = _USER_REPORT_NAME_RE.match(self.name)
        return match["client"].upper() if match else None

    @property
    def export_stamp(self) -> str:
        """``yyyymmddHHMM`` from a Kiro user report's name ('' for another name): the later export wins."""
        match = _USER_REPORT_NAME_RE.match(self.name)
        return match["stamp"] if match else ""


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


def user_report_key(
    prefix: str, account: str, region: str, day: date, client: str, stamp: datetime, part: int | None = None
) -> str:
    """A Kiro user-report key in the ``00`` folder of UTC ``day``, for one client type, exported at ``stamp``."""
    hour_folder = f"{day_prefix(prefix, account, 'KiroLogs', USER_REPORT_TYPE, region, day)}00/"
    suffix = f"_part_{part}" if part else ""
    return f"{hour_folder}{client}_{account}_{USER_REPORT_TYPE}_{stamp:%Y%m%d%H%M}{suffix}.csv"


def parse_key(key: str) -> QDevKey | None:
    """Parse a prompt-log, activity-report or user-report key; ``None`` for anything else."""
    match = _KEY_RE.search(key.replace("\\", "/"))
    if not match or match["folder"] not in PRODUCTS:
        return None
    log_type, name = match["log_type"], match["name"]
    if log_type in REPORT_TYPES:
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
