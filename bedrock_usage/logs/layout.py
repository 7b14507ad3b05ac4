"""Where Model Invocation Logging puts its objects in S3 (and in a local mirror of it).

Key layout: ``{prefix}AWSLogs/{account}/BedrockModelInvocationLogs/{region}/{YYYY}/{MM}/{DD}/{HH}/{name}.json.gz``.
Large bodies go to ``.../{HH}/data/...`` objects with another schema; they are never analysed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

SERVICE_FOLDER = "BedrockModelInvocationLogs"
PERMISSION_CHECK_NAME = "amazon-bedrock-logs-permission-check"

_KEY_RE = re.compile(
    r"(?:^|/)AWSLogs/(?P<account>[^/]+)/" + SERVICE_FOLDER + r"/(?P<region>[^/]+)/"
    r"(?P<year>\d{4})/(?P<month>\d{2})/(?P<day>\d{2})/(?P<hour>\d{2})/(?P<rest>.+)$"
)


@dataclass(frozen=True)
class LogKey:
    """The parts of an invocation-log object key."""

    account: str
    region: str
    day: date
    hour: int
    name: str

    @property
    def partition(self) -> str:
        """The ``yyyy/MM/dd`` partition value used by the Glue table and the local engine."""
        return partition_value(self.day)


def partition_value(day: date) -> str:
    """``2025/10/31`` for 31 October 2025: the form of the projected ``dt`` partition."""
    return day.strftime("%Y/%m/%d")


def logs_root(prefix: str) -> str:
    """The key prefix under which every account's folder lives."""
    return f"{normalise_prefix(prefix)}AWSLogs/"


def region_prefix(prefix: str, account: str, region: str) -> str:
    """The key prefix under which one region's records live."""
    return f"{logs_root(prefix)}{account}/{SERVICE_FOLDER}/{region}/"


def day_prefix(prefix: str, account: str, region: str, day: date) -> str:
    """The key prefix of one UTC day of one region."""
    return f"{region_prefix(prefix, account, region)}{day:%Y/%m/%d}/"


def object_key(prefix: str, account: str, region: str, when: datetime, suffix: str) -> str:
    """A record object's key for a UTC time; ``suffix`` makes the name unique."""
    return f"{day_prefix(prefix, account, region, when.date())}{when:%H}/{when:%Y%m%dT%H%M%S}Z_{suffix}.json.gz"


def normalise_prefix(prefix: str | None) -> str:
    """``''`` or a prefix ending in exactly one ``/``."""
    prefix = (prefix or "").strip("/")
    return f"{prefix}/" if prefix else ""


def parse_key(key: str) -> LogKey | None:
    """Parse a record object's key; ``None`` for anything that is not one (payload, check object, other)."""
    match = _KEY_RE.search(key.replace("\\", "/"))
    if not match:
        return None
    rest = match["rest"]
    if "/" in rest or not rest.endswith(".json.gz") or rest.startswith(PERMISSION_CHECK_NAME):
        return None
    try:
        day = date(int(match["year"]), int(match["month"]), int(match["day"]))
    except ValueError:
        return None
    return LogKey(match["account"], match["region"], day, int(match["hour"]), rest)


def is_payload_key(key: str) -> bool:
    """True for the large-body objects stored under ``.../{HH}/data/``."""
    return "/data/" in key.replace("\\", "/")


def is_hidden(name: str) -> bool:
    """True for a file or folder name Athena's reader skips as hidden, and so every reader here: ``_`` or ``.``
    first (https://docs.aws.amazon.com/athena/latest/ug/troubleshooting-athena.html, "Athena cannot read hidden
    files")."""
    return name.startswith(("_", "."))


def read_below_day(relative: str) -> bool:
    """True for an object key below a day folder (``relative`` to it) that the readers read as a record object,
    wherever below it (Athena's table reads the day folder's whole prefix): named ``.json.gz``, not the
    permission-check object, in no ``data/`` payload folder, and with no hidden part (``is_hidden``)."""
    *folders, name = relative.split("/")
    return (name.endswith(".json.gz") and not name.startswith(PERMISSION_CHECK_NAME) and "data" not in folders
            and not any(is_hidden(part) for part in (*folders, name)))


# ``read_below_day`` as a condition on Athena's ``"$path"`` (an object's whole key), for every query of the logs table,
# so both engines read the same objects: named ``.json.gz``, not the permission-check object, and in no ``data/``
# folder below the day folder. Hidden objects need no condition: Athena skips them itself ("Athena cannot read hidden
# files", Athena troubleshooting). Constant text: no user input reaches it.
RECORD_PATH_SQL = (f"\"$path\" LIKE '%.json.gz' AND NOT regexp_like(\"$path\", "
                   f"'/{SERVICE_FOLDER}/[^/]+/[0-9]{{4}}/[0-9]{{2}}/[0-9]{{2}}/(.*/){{0,1}}(data/|{PERMISSION_CHECK_NAME}[^/]*$)')")


def days_between(first: date, last: date) -> list[date]:
    """Every calendar day from ``first`` to ``last`` inclusive."""
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]
