"""Kiro's daily user reports (``KiroLogs/user_report``): cell rules, reading, and one row per user, day and client.

Columns are found by header name, case-insensitively (their set drifts: ``New_User`` and ``User_Email`` are absent
from older exports, and a ``{model}_messages`` column appears only for the models used that day). ``Date`` is
ISO ``YYYY-MM-DD``; credits are decimals, counts whole numbers (``12.0`` is read as 12), neither ever negative nor
``MAX_COUNT`` or more; ``Overage_Enabled`` and ``New_User`` are ``true``/``false``; an empty cell is 0 (false, no
cap). A cell is trimmed of spaces and tabs alone, then of one pair of quotes (``activity.cell_text``, the same in
the SQL). The cell rules live here once: the CSV reader and the Athena query (``kiro_report_sql``, which only splits
lines by each file's header) both hand their cells to ``parse_row``.

A row without a ``Client_Type`` cell takes the client type of its file's name (``KIRO_CLI_...``). A day, user, client
type and profile of one account and Region exported in more than one file of the same client type (a re-export) is
counted once, from the file with the latest export stamp (``..._user_report_{yyyymmddHHMM}.csv``), then the latest
key; rows of other accounts, Regions or client files are other usage, never a re-export.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from .activity import CELL_TOO_LONG, MAX_COUNT, NUMBER_PATTERN, csv_rows, later_file_wins, person_keys, too_long
from .layout import parse_key

DATE = "Date"
USER = "UserId"
EMAIL = "User_Email"
CLIENT = "Client_Type"
TIER = "Subscription_Tier"
PROFILE = "ProfileId"
CONVERSATIONS = "Chat_Conversations"
MESSAGES = "Total_Messages"
CREDITS = "Credits_Used"
OVERAGE = "Overage_Credits_Used"
OVERAGE_CAP = "Overage_Cap"
OVERAGE_ENABLED = "Overage_Enabled"
NEW_USER = "New_User"
# Report column -> the lower-case header names it is found under (the e-mail column is ``Email`` in some exports).
HEADER_NAMES: dict[str, tuple[str, ...]] = {
    DATE: ("date",),
    USER: ("userid",),
    CLIENT: ("client_type",),
    CONVERSATIONS: ("chat_conversations",),
    CREDITS: ("credits_used",),
    OVERAGE_CAP: ("overage_cap",),
    OVERAGE: ("overage_credits_used",),
    OVERAGE_ENABLED: ("overage_enabled",),
    PROFILE: ("profileid",),
    TIER: ("subscription_tier",),
    MESSAGES: ("total_messages",),
    NEW_USER: ("new_user",),
    EMAIL: ("user_email", "email"),
}
COUNT_COLUMNS = (CONVERSATIONS, MESSAGES)
CREDIT_COLUMNS = (CREDITS, OVERAGE)
TEXT_COLUMNS = (USER, EMAIL, CLIENT, TIER, PROFILE)
FLAG_COLUMNS = (OVERAGE_ENABLED, NEW_USER)
# A per-model message count: ``auto_messages``, ``claude_opus_4.6_messages`` (``total_messages`` is not one).
MODEL_COLUMN_PATTERN = r"^[a-z0-9][a-z0-9_.-]*_messages$"
MODEL_SUFFIX = "_messages"
ISO_DATE_PATTERN = r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$"

# Why a file or a row is left out (counted by reason in the report).
NO_HEADER = "no Date/UserId header"
NOT_UTF8 = "not UTF-8 text"
WRONG_CELL_COUNT = "wrong number of cells"
NO_USER = "no UserId"
BAD_DATE = "bad Date"
BAD_NUMBER = "bad number"
BAD_FLAG = "bad true/false"

FACT_COLUMNS: tuple[str, ...] = (
    USER, EMAIL, DATE, CLIENT, TIER, PROFILE, CONVERSATIONS, MESSAGES, CREDITS, OVERAGE, OVERAGE_CAP,
    OVERAGE_ENABLED, NEW_USER,
)
MODEL_FRAME_COLUMNS: tuple[str, ...] = (USER, DATE, CLIENT, "model", "messages")

_MODEL_RE = re.compile(MODEL_COLUMN_PATTERN)
_ISO_RE = re.compile(ISO_DATE_PATTERN)
_NUMBER_RE = re.compile(NUMBER_PATTERN)


class BadUserReport(Exception):
    """A user-report CSV that cannot be read at all; the message is the short reason that is counted."""


class BadRow(ValueError):
    """A row that is skipped; the message is the reason that is counted."""


def is_model_column(name: str) -> bool:
    """True for a lower-case ``{model}_messages`` header name (never ``total_messages``)."""
    return name != "total_messages" and _MODEL_RE.match(name) is not None


def model_name(column: str) -> str:
    """``claude_opus_4.6_messages`` -> ``claude_opus_4.6``."""
    return column[: -len(MODEL_SUFFIX)]


def header_positions(header: list[str]) -> tuple[dict[str, int], dict[str, int]]:
    """Report column -> cell index, and model name -> cell index, from a header line (names matched loosely)."""
    names = [name.lower() for name in header]
    fixed = {}
    for column, candidates in HEADER_NAMES.items():
        found = next((names.index(name) for name in candidates if name in names), None)
        if found is not None:
            fixed[column] = found
    models = {model_name(name): i for i, name in enumerate(names) if is_model_column(name)}
    return fixed, models


def _number(cell: str | None) -> float:
    """An empty or missing cell is 0; else a number below ``MAX_COUNT`` that is not negative (BadRow otherwise)."""
    if not cell:
        return 0.0
    if not _NUMBER_RE.match(cell):
        raise BadRow(BAD_NUMBER)
    value = float(cell)
    if not value < MAX_COUNT:
        raise BadRow(BAD_NUMBER)
    return value


def _count(cell: str | None) -> int:
    """A whole count, truncated toward zero."""
    return math.trunc(_number(cell))


def _flag(cell: str | None) -> bool:
    cell = (cell or "").lower()
    if cell in ("", "false"):
        return False
    if cell == "true":
        return True
    raise BadRow(BAD_FLAG)


def _date(cell: str | None) -> date:
    match = _ISO_RE.match(cell or "")
    if not match:
        raise BadRow(BAD_DATE)
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        raise BadRow(BAD_DATE) from None


def parse_row(cells: Mapping[str, str | None], model_cells: Mapping[str, str | None]) -> tuple[dict, dict[str, int]]:
    """One report line as a fact record and its non-zero model message counts; BadRow with the reason to count.

    ``cells`` maps report columns (``HEADER_NAMES`` keys) to their cells, ``model_cells`` model names to theirs, each
    read by ``activity.cell_text`` (in the SQL, ``cells_sql``); a column the file lacks is missing (or None) and reads
    as empty.
    """
    user = cells.get(USER) or ""
    if not user:
        raise BadRow(NO_USER)
    record: dict = {USER: user, DATE: _date(cells.get(DATE))}
    for column in TEXT_COLUMNS[1:]:
        record[column] = cells.get(column) or ""
    record[CLIENT], record[TIER] = record[CLIENT].upper(), record[TIER].upper()
    record[EMAIL] = record[EMAIL].lower()
    for column in COUNT_COLUMNS:
        record[column] = _count(cells.get(column))
    for column in CREDIT_COLUMNS:
        record[column] = _number(cells.get(column))
    cap = cells.get(OVERAGE_CAP) or ""
    record[OVERAGE_CAP] = _number(cap) if cap else None
    for column in FLAG_COLUMNS:
        record[column] = _flag(cells.get(column))
    models = {name: _count(cell) for name, cell in model_cells.items()}
    return record, {name: count for name, count in models.items() if count}


@dataclass
class ParsedUserReport:
    """The usable lines of one file (facts with a ``line`` number, model counts by ``line``), and rows skipped."""

    facts: pd.DataFrame
    models: pd.DataFrame  # line, model, messages
    skipped_rows: Counter[str]
    has_email: bool


def empty_facts() -> pd.DataFrame:
    """A fact frame with no rows, typed."""
    return typed_facts(pd.DataFrame(columns=["line", *FACT_COLUMNS]))


def typed_facts(frame: pd.DataFrame) -> pd.DataFrame:
    """Counts as int64, credits and caps as float64, flags as bool."""
    types = {"line": "int64", **{c: "int64" for c in COUNT_COLUMNS}, **{c: "float64" for c in CREDIT_COLUMNS},
             OVERAGE_CAP: "float64", **{c: "bool" for c in FLAG_COLUMNS}}
    return frame.astype({name: kind for name, kind in types.items() if name in frame.columns})


def model_frame(records: list[tuple[int, str, int]]) -> pd.DataFrame:
    """``(line, model, messages)`` records as a typed frame."""
    frame = pd.DataFrame(records, columns=["line", "model", "messages"])
    return frame.astype({"line": "int64", "messages": "int64"})


class LineParser:
    """Turns the cells of one file's lines into facts and model counts, by the positions of its header."""

    def __init__(self, header: list[str]):
        self.width = len(header)
        self.fixed, self.models = header_positions(header)
        self.has_email = EMAIL in self.fixed
        self.facts: list[dict] = []
        self.model_counts: list[tuple[int, str, int]] = []
        self.skipped: Counter[str] = Counter()

    def add(self, line: int, cells: list[str]) -> None:
        """Parse one data line (its cells already split); a bad line is counted by reason."""
        if len(cells) != self.width:
            self.skipped[WRONG_CELL_COUNT] += 1
            return
        if too_long(cells):
            self.skipped[CELL_TOO_LONG] += 1
            return
        try:
            record, models = parse_row(
                {column: cells[i] for column, i in self.fixed.items()},
                {model: cells[i] for model, i in self.models.items()},
            )
        except BadRow as exc:
            self.skipped[str(exc)] += 1
            return
        self.facts.append({"line": line, **record})
        self.model_counts.extend((line, model, count) for model, count in models.items())

    def result(self) -> ParsedUserReport:
        facts = pd.DataFrame(self.facts, columns=["line", *FACT_COLUMNS]) if self.facts else empty_facts()
        return ParsedUserReport(typed_facts(facts), model_frame(self.model_counts), self.skipped, self.has_email)


def has_report_header(cells: list[str]) -> bool:
    """True for a header line: it names the ``Date`` and ``UserId`` columns."""
    names = {cell.lower() for cell in cells}
    return "date" in names and "userid" in names


def read_user_report_csv(data: bytes) -> ParsedUserReport:
    """Parse one ``user_report`` CSV; BadUserReport when it is not UTF-8 text or has no Date/UserId header."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadUserReport(NOT_UTF8) from None
    reader = csv_rows(text)
    header = next(reader, [])
    if not has_report_header(header):
        raise BadUserReport(NO_HEADER)
    parser = LineParser(header)
    for number, cells in enumerate(reader, start=2):
        if any(cells):
            parser.add(number, cells)
    return parser.result()


@dataclass
class UserReportStats:
    """What was read from the Kiro user reports."""

    files_listed: int = 0
    files_read: int = 0
    skipped_files: Counter[str] = field(default_factory=Counter)
    skipped_rows: Counter[str] = field(default_factory=Counter)
    files_without_email: int = 0
    replaced_rows: int = 0  # rows of an earlier export of the same account, Region, day, user, client and profile
    via_athena: bool = False
    queried_regions: tuple[str, ...] = ()
    bytes_scanned: int = 0
    query_cost_usd: float = 0.0
    failed_regions: dict[str, str] = field(default_factory=dict)


@dataclass
class UserReportFile:
    """One parsed file with where it came from."""

    parsed: ParsedUserReport
    source_file: str
    region: str
    export_stamp: str


@dataclass
class UserReportRows:
    """Every usable row of the files read: facts (one per user, day, client and profile) and model counts."""

    facts: pd.DataFrame  # FACT_COLUMNS + region
    models: pd.DataFrame  # MODEL_FRAME_COLUMNS + region
    stats: UserReportStats


def combine_files(files: list[UserReportFile], stats: UserReportStats,
                  keep: Callable[[pd.DataFrame], pd.Series] | None = None) -> UserReportRows:
    """The rows of ``files``: re-exported rows counted once (latest export wins), model counts joined to them.

    ``keep`` (facts -> boolean mask) drops rows after that, e.g. those dated outside the window read.
    """
    facts, models = [], []
    for order, item in enumerate(sorted(files, key=lambda f: (f.export_stamp, f.source_file))):
        key = parse_key(item.source_file)
        named = {"account": key.account, "file_client": key.client_type or ""} if key else {}
        facts.append(item.parsed.facts.assign(file_order=order, region=item.region, **named))
        models.append(item.parsed.models.assign(file_order=order))
    origin = {"file_order": 0, "region": "", "account": "", "file_client": ""}
    fact_frame = pd.concat([empty_facts().assign(**origin), *facts], ignore_index=True).fillna(
        {"account": "", "file_client": ""})
    fact_frame = typed_facts(fact_frame).astype({"file_order": "int64"})
    fact_frame[CLIENT] = fact_frame[CLIENT].mask(fact_frame[CLIENT] == "", fact_frame["file_client"])
    model_rows = pd.concat([model_frame([]).assign(file_order=0), *models], ignore_index=True)
    export = [fact_frame[c] for c in ("account", "region", "file_client")]
    kept = later_file_wins(fact_frame["file_order"], [*export, fact_frame[DATE], person_keys(fact_frame[USER]),
                                                      fact_frame[CLIENT], fact_frame[PROFILE]])
    stats.replaced_rows += int((~kept).sum())
    fact_frame = fact_frame[kept]
    if keep is not None and len(fact_frame):
        fact_frame = fact_frame[keep(fact_frame)]
    joined = model_rows.merge(fact_frame[["file_order", "line", USER, DATE, CLIENT, "region"]],
                              on=["file_order", "line"], how="inner")
    model_out = joined[[*MODEL_FRAME_COLUMNS, "region"]].astype({"messages": "int64"})
    sort = [DATE, USER, CLIENT, "region"]
    fact_out = fact_frame[[*FACT_COLUMNS, "region"]].sort_values(sort, kind="stable").reset_index(drop=True)
    model_out = model_out.sort_values([*sort, "model"], kind="stable").reset_index(drop=True)
    return UserReportRows(fact_out, model_out, stats)
