"""An independent reading of the Kiro fixture: plain csv, the rules written out again, for expected figures.

It follows the published format (tests/fixtures/README.md), not the code under test: header names matched in lower
case, ISO dates, the later export of a client file's day, user, client type and profile counting once (the
fixture is one account and Region).
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "kiro_bucket"
USER_MAP = Path(__file__).resolve().parents[1] / "fixtures" / "kiro_users.csv"
REPORTS = FIXTURE / "user-activity" / "AWSLogs" / "111122223333" / "KiroLogs" / "user_report" / "us-east-1"
# The Identity Store uuids of the fixture's people, and the e-mails their Kiro reports give.
ANA = "94f8a4c8-5061-70a1-9c5f-1b2d3e4f5a61"
BEN = "a4c8d2e1-40b1-70c2-9d3e-5f6a7b8c9d02"
CHLOE = "c1d2e3f4-a5b6-7089-8a9b-0c1d2e3f4a53"
DEV = "e5f6a7b8-c9d0-70e1-b2c3-d4e5f6a7b804"
STORE = "9067a1b2c3"
EMAILS = {ANA: "ana.silva@example.com", BEN: "ben.okafor@example.com", CHLOE: "chloe.martin@example.com"}
DEV_LOGGED = f"d-{STORE}.{DEV}"  # how the prompt logs name Dev, whom no report names
UNREADABLE = {"KIRO_CLI_111122223333_user_report_202611040200.csv", "PLUGIN_111122223333_user_report_202611050200.csv"}
# Known by construction (tests/fixtures/README.md): what a reader must skip.
SKIPPED_FILES = {"not UTF-8 text": 1, "no Date/UserId header": 1}
SKIPPED_ROWS = {"bad Date": 1, "bad number": 1, "wrong number of cells": 1, "no UserId": 1, "bad true/false": 1}
_STAMP = re.compile(r"_user_report_(\d{12})")
_CLIENT = re.compile(r"^([A-Za-z0-9_]+?)_\d{12}_user_report_")


@dataclass
class Row:
    """One usable report row."""

    user: str  # the uuid (the prefixed form made plain)
    day: date
    client: str
    profile: str
    tier: str
    email: str
    conversations: int
    messages: int
    credits: float
    overage: float
    models: dict[str, int] = field(default_factory=dict)


def _usable(cells: dict[str, str], width: int, raw: list[str]) -> bool:
    if len(raw) != width or not cells.get("userid", "").strip():
        return False
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", cells.get("date", "")):
        return False
    try:
        float(cells.get("credits_used") or 0)
    except ValueError:
        return False
    return cells.get("overage_enabled", "").lower() in ("", "true", "false")


def report_files(folder_from: date, folder_to: date) -> list[Path]:
    """The readable report files in the day folders ``folder_from`` .. ``folder_to``."""
    return sorted(
        path for path in REPORTS.rglob("*.csv")
        if path.name not in UNREADABLE
        and folder_from <= date(*(int(part) for part in path.parts[-5:-2])) <= folder_to
    )


def rows(folder_from: date, folder_to: date) -> list[Row]:
    """Every usable row of the readable files in those folders, the latest export of each key kept."""
    by_key: dict[tuple, list[Row]] = defaultdict(list)
    order: dict[tuple, tuple[str, str]] = {}
    for path in report_files(folder_from, folder_to):
        stamp, file_client = _STAMP.search(path.name)[1], _CLIENT.match(path.name)[1].upper()
        lines = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
        header = [name.strip().lower() for name in lines[0]]
        for raw in lines[1:]:
            cells = dict(zip(header, raw, strict=False))
            if not _usable(cells, len(header), raw):
                continue
            row = Row(
                user=re.sub(r"^[0-9a-z]{10}-(?=[0-9a-f]{8}-)", "", cells["userid"]),
                day=date.fromisoformat(cells["date"]),
                client=cells["client_type"] or file_client,
                profile=cells["profileid"],
                tier=cells["subscription_tier"],
                email=cells.get("user_email", ""),
                conversations=int(cells["chat_conversations"] or 0),
                messages=int(cells["total_messages"] or 0),
                credits=float(cells["credits_used"] or 0),
                overage=float(cells["overage_credits_used"] or 0),
                models={name[: -len("_messages")]: int(value) for name, value in cells.items()
                        if name.endswith("_messages") and name != "total_messages" and value},
            )
            key = (file_client, row.day, row.user, row.client, row.profile)
            rank = (stamp, str(path))
            if key not in order or rank > order[key]:
                order[key], by_key[key] = rank, [row]
            elif rank == order[key]:
                by_key[key].append(row)
    return [row for key in sorted(by_key, key=str) for row in by_key[key]]


def label(user: str) -> str:
    """How a fixture person must be shown without a user map: the report's e-mail, else the prompt logs' id."""
    return EMAILS.get(user, DEV_LOGGED if user == DEV else user)
