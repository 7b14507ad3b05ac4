"""Synthetic Amazon Q Developer / Kiro data in the real layouts: prompt logs, activity reports and Kiro user reports.

Used for the demo (``qcli_s3_analyzer.py --demo``), tests and ``generate_test_data.py``. Writes to a local
folder or to ``s3://bucket[/prefix]``. User ids look like IAM Identity Center ids (``d-xxxxxxxxxx.{uuid}``); Kiro's
user reports name the same people by the Identity Store form (``{uuid}``) and add their ``User_Email``. Kiro chat
records carry ``modelId`` and are followed by tool-result turns (empty prompts). Each day is drawn from a random
source of its own, so a day's files are the same in every corpus holding it (the demo's past days do not change).
"""

from __future__ import annotations

import csv
import io
import json
import random
import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from isal import igzip

from ..cache import cache_dir
from ..demo.daily import cached_corpus
from ..demo.synthetic import SSO_USERS
from ..demo.writer import Destination, LocalFolder, S3Bucket, check_bucket
from ..logs.layout import days_between, normalise_prefix
from ..output.progress import Reporter, Tally, silent
from . import layout
from .activity import ACTIVITY_COLUMNS, DATE_FORMAT, METRIC_COLUMNS

DEFAULT_ACCOUNT = "123456789012"
DEMO_SEED = 20251112
DEMO_DAYS = 30
DEMO_USERS = 8
# Bumped when the same day's demo holds other files, so a corpus cached by an earlier version is made again.
DEMO_FORMAT_VERSION = 4
DEMO_USER_MAP = "users.csv"  # beside the demo corpus: user id -> e-mail, as an administrator would keep it
RECORDS_PER_FILE = 4
# Kiro's model choices and how many credits a request costs with each (Sonnet costs 1.3x Auto, kiro.dev FAQ);
# claude-opus-4.6 is one the price book does not know, so the demo shows an unpriced model.
KIRO_MODELS: tuple[tuple[str, float, float], ...] = (
    ("auto", 0.55, 1.0),
    ("claude-sonnet-4.5", 0.2, 1.3),
    ("simple-task", 0.15, 0.3),
    ("claude-opus-4.6", 0.1, 2.2),
)
KIRO_CLIENTS: tuple[tuple[str, float], ...] = (("KIRO_IDE", 0.7), ("KIRO_CLI", 0.25), ("PLUGIN", 0.05))
KIRO_TIERS: tuple[str, ...] = ("PRO", "PRO_PLUS", "PRO", "POWER")
KIRO_ALLOWANCE = {"PRO": 1000.0, "PRO_PLUS": 2000.0, "POWER": 10000.0}  # as in kiro_prices.csv
# Columns absent from the older 41-column layout in this generator (which five AWS added later is not documented).
OLDER_LAYOUT_DROPS = (
    "Chat_MessagesInteracted",
    "CodeFix_AcceptanceEventCount",
    "CodeFix_AcceptedLines",
    "CodeFix_GeneratedLines",
    "CodeFix_GenerationEventCount",
)
OLDER_LAYOUT_DAYS = 10  # the activity reports of a month's first 10 days are in the older layout
SPIKE_WEEKDAYS = {1: 0, 4: 1}  # Tuesday and Friday: the weekday of a spike -> its turn in the week

_NAMES = ["alex", "bora", "chen", "dana", "eun", "farid", "gita", "hana", "ivan", "jun", "kim", "lena", "min", "noor"]
_VERBS = ["parse", "load", "render", "validate", "merge", "fetch", "cache", "retry", "export", "index", "sync"]
_NOUNS = ["invoice", "order", "session", "payload", "bucket", "report", "ticket", "tenant", "metric", "profile"]
_TOPICS = [
    "pagination for the {n} listing endpoint",
    "a retry with backoff around the {n} client",
    "unit tests for the {n} parser",
    "an S3 upload of the daily {n} export",
    "a DynamoDB table for {n} records",
    "the IAM policy the {n} Lambda needs",
    "why the {n} job times out after 15 minutes",
    "a CDK stack for the {n} service",
]
_OPENERS = ["How do I add", "Can you write", "Explain", "Refactor this to use", "What is the best way to build"]


@dataclass(frozen=True)
class SyntheticUser:
    """One generated developer."""

    user_id: str
    email: str
    uses_kiro: bool
    intensity: float
    tier: str = "PRO"

    @property
    def store_user_id(self) -> str:
        """The Identity Store form of the id (``{uuid}``), as Kiro's user reports write it."""
        return self.user_id.split(".", 1)[1]


@dataclass
class CorpusSummary:
    """What ``write_qdev_corpus`` wrote."""

    dest: str
    start: date
    end: date
    account: str
    users: list[SyntheticUser]
    prompt_files: int = 0
    records: int = 0
    activity_files: int = 0
    user_report_files: int = 0
    spikes: list[tuple[str, date]] = field(default_factory=list)  # (user id, day) of the days four times as busy
    keys: list[str] = field(default_factory=list)

    @property
    def emails(self) -> dict[str, str]:
        """User id -> email, as an IAM Identity Center directory would map them."""
        return {user.user_id: user.email for user in self.users}


def _hex(rng: random.Random, digits: int) -> str:
    return f"{rng.getrandbits(4 * digits):0{digits}x}"


def make_users(rng: random.Random, count: int, emails: Sequence[str] = ()) -> list[SyntheticUser]:
    """``count`` users in one Identity Center directory; every fourth one also uses Kiro (on a rotating tier).

    ``emails`` name the first users; the others get ``{name}@example.com``.
    """
    directory = f"d-{_hex(rng, 10)}"
    users = []
    for i in range(count):
        user_uuid = uuid.UUID(int=rng.getrandbits(128), version=4)
        name = _NAMES[i % len(_NAMES)] + (str(i // len(_NAMES)) if i >= len(_NAMES) else "")
        email = emails[i] if i < len(emails) else f"{name}@example.com"
        tier = KIRO_TIERS[(i // 4) % len(KIRO_TIERS)]
        users.append(SyntheticUser(f"{directory}.{user_uuid}", email, i % 4 == 3, rng.uniform(0.5, 2), tier))
    return users


def _identifier(rng: random.Random) -> str:
    return f"{rng.choice(_VERBS)}_{rng.choice(_NOUNS)}_{_hex(rng, 4)}"


def _code_lines(rng: random.Random, count: int) -> list[str]:
    lines = []
    while len(lines) < count:
        name = _identifier(rng)
        lines += [
            f"def {name}(client, {rng.choice(_NOUNS)}_id: str) -> dict:",
            f'    """{rng.choice(_VERBS).title()} one {rng.choice(_NOUNS)} and return it."""',
            f"    response = client.get_item(Key={{'id': {rng.choice(_NOUNS)}_id}})",
            f"    if response.get('Item') is None:  # {rng.choice(_NAMES)} {_hex(rng, 6)}",
            "        return {}",
            f"    return {{'{rng.choice(_NOUNS)}': response['Item'], 'ttl': {rng.randint(10, 9999)}}}",
            "",
        ]
    return lines[:count]


def _prompt(rng: random.Random) -> str:
    if rng.random() < 0.02:
        return ""  # empty prompts happen (e.g. a bare code selection) and count 0
    topic = rng.choice(_TOPICS).format(n=rng.choice(_NOUNS))
    text = f"{rng.choice(_OPENERS)} {topic}? Ticket {_hex(rng, 8)}."
    if rng.random() < 0.4:
        text += "\n```python\n" + "\n".join(_code_lines(rng, rng.randint(3, 25))) + "\n```"
    return text


def _answer(rng: random.Random) -> str:
    sentences = " ".join(
        f"You can {rng.choice(_VERBS)} the {rng.choice(_NOUNS)} before you {rng.choice(_VERBS)} it ({_hex(rng, 5)})."
        for _ in range(rng.randint(2, 8))
    )
    return sentences + "\n```python\n" + "\n".join(_code_lines(rng, rng.randint(4, 40))) + "\n```"


def _timestamp(moment: datetime, rng: random.Random) -> str:
    digits = rng.choice((6, 7, 9))
    fraction = f"{moment.microsecond:06d}{rng.randint(0, 999):03d}"[:digits]
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{fraction}Z"


def _record(
    rng: random.Random, request_type: str, user_id: str, stamp: str, model_id: str | None = None,
    tool_result: bool = False,
) -> dict[str, Any]:
    request_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    if request_type == "chat":
        request = {
            "prompt": "" if tool_result else _prompt(rng) or ("Continue." if model_id else ""),
            "chatTriggerType": "MANUAL",
            "customizationArn": None,
            "userId": user_id,
            "timeStamp": stamp,
        }
        if model_id is not None:
            request["modelId"] = model_id
        return {
            "generateAssistantResponseEventRequest": request,
            "generateAssistantResponseEventResponse": {
                "assistantResponse": _answer(rng),
                "followupPrompts": "",
                "messageMetadata": {"conversationId": str(uuid.UUID(int=rng.getrandbits(128))), "utteranceId": None},
                "codeReferenceEvents": [],
                "supplementaryWebLinksEvent": [],
                "requestId": request_id,
            },
        }
    if request_type == "inline":
        # about 1 in 100 inline requests carries a very large context, as a whole open file does
        left_lines = rng.randint(11_000, 18_000) if rng.random() < 0.01 else rng.randint(5, 160)
        completions = ["\n".join(_code_lines(rng, rng.randint(1, 4))) for _ in range(rng.choice((0, 1, 1, 1, 2)))]
        return {
            "generateCompletionsEventRequest": {
                "leftContext": "\r\n".join(_code_lines(rng, left_lines)),
                "rightContext": "\r\n".join(_code_lines(rng, rng.choice((0, 0, rng.randint(1, 40))))),
                "fileName": f"{_identifier(rng)}.py",
                "customizationArn": None,
                "userId": user_id,
                "timeStamp": stamp,
            },
            "generateCompletionsEventResponse": {"completions": completions, "requestId": request_id},
        }
    return {
        "startTaskAssistCodeGenerationEventRequest": {
            "prompt": _prompt(rng) or "Add input validation to every handler.",
            "userId": user_id,
            "timeStamp": stamp,
            "conversationId": str(uuid.UUID(int=rng.getrandbits(128))),
        },
        "startTaskAssistCodeGenerationEventResponse": {"requestId": request_id},
    }


_LOG_TYPE_OF = {request_type: log_type for log_type, request_type in layout.REQUEST_TYPES.items()}
_HOUR_WEIGHTS = [6, 9, 10, 10, 8, 9, 9, 7, 4, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 3, 4]  # peaks in Asian hours


def _destination(dest: str | Path, s3_client: Any) -> tuple[Destination, str]:
    """A folder, or an existing bucket for ``s3://bucket[/prefix]``; and the key prefix given in ``dest``."""
    text = str(dest)
    if not text.startswith("s3://"):
        return LocalFolder(Path(dest)), ""
    bucket, _, prefix = text[len("s3://") :].partition("/")
    if s3_client is None:
        import boto3

        s3_client = boto3.client("s3")
    check_bucket(s3_client, bucket)
    return S3Bucket(s3_client, bucket), prefix


def _put_all(destination: Destination, objects: list[tuple[str, bytes]], progress: Reporter = silent) -> None:
    """Write the objects; to S3 with a few threads, since each put is a round trip. ``progress`` hears of the
    files and bytes written."""
    written = Tally(progress, f"writing {destination.label}", unit="files", with_bytes=True)
    written.start(len(objects), sum(len(body) for _, body in objects))
    if isinstance(destination, LocalFolder):
        for key, body in objects:
            destination.put(key, body)
            written.add(1, len(body))
    else:
        with ThreadPoolExecutor(max_workers=8) as pool:
            futures = [pool.submit(destination.put, key, body) for key, body in objects]
            for future, (_, body) in zip(futures, objects, strict=True):
                future.result()
                written.add(1, len(body))
    written.finish()


def _activity_csv(rows: list[dict[str, int | str]], older_layout: bool, rng: random.Random) -> bytes:
    columns = list(ACTIVITY_COLUMNS)
    if older_layout:
        columns = ["UserId", "Date", *[c for c in METRIC_COLUMNS if c not in OLDER_LAYOUT_DROPS]]
        rng.shuffle(columns)  # some sources order columns differently: readers must map by name
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        # empty cells mean 0 in real reports
        writer.writerow(["" if row.get(c, 0) == 0 and rng.random() < 0.3 else row.get(c, 0) for c in columns])
    return out.getvalue().encode()


def _kiro_model(rng: random.Random) -> tuple[str, float]:
    """A Kiro model choice and its credit rate."""
    model, _, rate = rng.choices(KIRO_MODELS, [weight for _, weight, _ in KIRO_MODELS])[0]
    return model, rate


def _user_report_csv(rows: list[dict[str, Any]], models: list[str], with_email: bool, rng: random.Random) -> bytes:
    """One Kiro user report: the documented columns, then a ``{model}_messages`` column per model used that day."""
    columns = ["Date", "UserId", "Client_Type", "Chat_Conversations", "Credits_Used", "Overage_Cap",
               "Overage_Credits_Used", "Overage_Enabled", "ProfileId", "Subscription_Tier", "Total_Messages",
               "New_User", *(["User_Email"] if with_email else [])]
    columns += [f"{model.replace('-', '_')}_messages" for model in models]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row.get(c, "") == 0 and rng.random() < 0.3 else row.get(c, "") for c in columns])
    return out.getvalue().encode()


@dataclass
class _KiroDay:
    """One Kiro user's use of one client type on one day, as the user report sums it."""

    conversations: int = 0
    messages: int = 0
    credits: float = 0.0
    models: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def _kiro_user_reports(
    seed: int, people: list[SyntheticUser], counted: list[date], first: date,
    usage: dict[tuple[date, str, str], _KiroDay], prefix: str, account: str, region: str, profile: str,
    not_after: datetime | None,
) -> list[tuple[str, bytes]]:
    """Daily user reports from ``first`` on, one file per client type, from the Kiro use drawn with the prompt logs.

    ``counted`` are the days from the first of ``first``'s month: credits above the tier's allowance in a calendar
    month are overage when the user has it enabled (every other one), and a user's first day of a month is
    ``New_User``, so a day's report is the same whichever day the corpus starts.
    """
    objects = []
    used: dict[tuple[str, int, int], float] = defaultdict(float)
    seen: set[tuple[str, int, int]] = set()
    for day in counted:
        delivered = datetime.combine(day + timedelta(days=1), time(2, 0), UTC)
        by_client: dict[str, list[dict[str, Any]]] = defaultdict(list)
        models_of: dict[str, set[str]] = defaultdict(set)
        for index, user in enumerate(people):
            for client, _ in KIRO_CLIENTS:
                use = usage.get((day, user.user_id, client))
                if use is None:
                    continue
                month = (user.user_id, day.year, day.month)
                allowance = KIRO_ALLOWANCE[user.tier]
                overage_enabled = index % 2 == 1
                in_plan = max(0.0, min(use.credits, allowance - used[month]))
                overage = round(use.credits - in_plan, 2) if overage_enabled else 0.0
                used[month] += in_plan + overage
                by_client[client].append({
                    "Date": day.isoformat(), "UserId": user.store_user_id, "Client_Type": client,
                    "Chat_Conversations": use.conversations, "Credits_Used": round(in_plan, 2),
                    "Overage_Cap": 2000 if overage_enabled else "", "Overage_Credits_Used": overage,
                    "Overage_Enabled": "true" if overage_enabled else "false", "ProfileId": profile,
                    "Subscription_Tier": user.tier, "Total_Messages": use.messages,
                    "New_User": "true" if month not in seen else "false", "User_Email": user.email,
                    **{f"{model.replace('-', '_')}_messages": count for model, count in use.models.items()},
                })
                models_of[client].update(use.models)
                seen.add(month)
        if day < first or (not_after is not None and delivered > not_after):
            continue
        cells = _day_random(seed, day, "kiro")
        for client, rows in sorted(by_client.items()):
            key = layout.user_report_key(prefix, account, region, day + timedelta(days=1), client, delivered)
            objects.append((key, _user_report_csv(rows, sorted(models_of[client]), True, cells)))
    return objects


def _activity_row(
    rng: random.Random, user: SyntheticUser, day: date, counts: dict[str, int], transform_lines: int
) -> dict[str, int | str]:
    chat, inline, dev = counts.get("chat", 0), counts.get("inline", 0), counts.get("dev", 0)
    row: dict[str, int | str] = {name: 0 for name in METRIC_COLUMNS}
    row.update(
        UserId=user.user_id,
        Date=day.strftime(DATE_FORMAT),
        Chat_MessagesSent=2 * chat,  # messages to and from Amazon Q
        Chat_MessagesInteracted=rng.randint(0, chat),
        Chat_AICodeLines=chat * rng.randint(0, 12),
        Inline_SuggestionsCount=inline * rng.randint(3, 6),
        Inline_AcceptanceCount=inline,
        Inline_AICodeLines=inline * rng.randint(1, 4),
        Dev_GenerationEventCount=dev,
        Dev_GeneratedLines=dev * rng.randint(20, 200),
        Dev_AcceptanceEventCount=dev and rng.randint(0, dev),
        TestGeneration_EventCount=rng.choice((0, 0, 0, 1, 2)),
        DocGeneration_EventCount=rng.choice((0, 0, 0, 0, 1)),
        CodeReview_SucceededEventCount=rng.choice((0, 0, 1)),
        CodeFix_GenerationEventCount=rng.choice((0, 0, 0, 1)),
        InlineChat_TotalEventCount=rng.choice((0, 1, 2, 3)),
    )
    row["Dev_AcceptedLines"] = int(row["Dev_GeneratedLines"]) // 2 if row["Dev_AcceptanceEventCount"] else 0
    row["TestGeneration_GeneratedTests"] = int(row["TestGeneration_EventCount"]) * 3
    row["InlineChat_AcceptanceEventCount"] = int(row["InlineChat_TotalEventCount"]) // 2
    if transform_lines:
        row.update(
            Transformation_EventCount=1,
            Transformation_LinesIngested=transform_lines,
            Transformation_LinesGenerated=transform_lines // 3,
        )
    return row


def _day_random(seed: int, day: date, part: str) -> random.Random:
    """The random source of one part (requests, activity, kiro) of one day: the same in every corpus holding it."""
    return random.Random(f"{seed}/{day.isoformat()}/{part}")


def _spiker(people: Sequence[SyntheticUser], day: date) -> SyntheticUser | None:
    """The person whose use is four times a busy day's on ``day``: one on each Tuesday and Friday, taking turns.

    Two a week, so the 7 days ending on any day hold one whose activity report is out; four turns, so with four
    people or more a person's spikes are two weeks apart, never in each other's trailing average.
    """
    slot = SPIKE_WEEKDAYS.get(day.weekday())
    if slot is None or not people:
        return None
    week = (day.toordinal() - 1) // 7  # day 1 (0001-01-01) is a Monday: weeks run Monday to Sunday
    return people[(2 * (week % 2) + slot) % len(people)]


@dataclass(frozen=True)
class _Request:
    """One request drawn for a day; its records' text is drawn from ``text_seed`` only when they are written."""

    user: SyntheticUser
    moment: datetime
    request_type: str
    region: str
    kiro: bool
    turns: tuple[tuple[str | None, bool], ...]  # (Kiro model, is a tool result) of each record
    client: str
    credits: float
    text_seed: int


def _day_requests(
    seed: int, day: date, people: Sequence[SyntheticUser], regions: tuple[str, ...]
) -> list[_Request]:
    """Every request of ``day``, from the day's own random source: a day holds the same requests in every corpus."""
    rng = _day_random(seed, day, "requests")
    spiker = _spiker(people, day)
    requests = []
    for user in people:
        spike = user is spiker
        if rng.random() > (0.9 if day.weekday() < 5 else 0.25) and not spike:
            continue
        usual = rng.randint(10, 12) if spike else rng.randint(3, 12)  # a spike is four busy days' use
        count = max(1, round(usual * user.intensity)) * (4 if spike else 1)
        for _ in range(count):
            kiro = user.uses_kiro and rng.random() < 0.5
            request_type = rng.choices(("chat", "inline", "dev"), (0.6, 0.4, 0) if kiro else (0.45, 0.45, 0.1))[0]
            hour = rng.choices(range(24), _HOUR_WEIGHTS)[0]
            moment = datetime.combine(day, time(hour), UTC) + timedelta(
                seconds=rng.randint(0, 3599), microseconds=rng.randint(0, 999_999)
            )
            region = regions[0] if rng.random() < 0.8 else rng.choice(regions)
            turns: tuple[tuple[str | None, bool], ...] = ((None, False),)
            client, credits = "", 0.0
            if kiro and request_type == "chat":
                model, rate = _kiro_model(rng)
                turns = ((model, False), *((model, True),) * rng.choice((0, 0, 1, 2, 3)))
                client = rng.choices([c for c, _ in KIRO_CLIENTS], [w for _, w in KIRO_CLIENTS])[0]
                credits = round(rng.uniform(1.5, 12.0) * rate * user.intensity * len(turns), 2)
            requests.append(_Request(user, moment, request_type, region, kiro, turns, client, credits,
                                     rng.getrandbits(64)))
    return requests


def _request_records(request: _Request) -> list[tuple[datetime, dict[str, Any]]]:
    """The prompt-log records of a request (a Kiro chat's tool results 20 s apart), each with its time."""
    rng = random.Random(request.text_seed)
    records = []
    for offset, (model_id, tool) in enumerate(request.turns):
        at = request.moment + timedelta(seconds=20 * offset)
        stamp = _timestamp(at, rng)
        records.append((at, _record(rng, request.request_type, request.user.user_id, stamp, model_id, tool)))
    return records


def write_qdev_corpus(
    dest: str | Path,
    *,
    start: date,
    end: date,
    seed: int = 7,
    users: int = 6,
    account: str = DEFAULT_ACCOUNT,
    prefix: str = "",
    regions: tuple[str, ...] = ("us-east-1",),
    activity: bool = True,
    s3_client: Any = None,
    not_after: datetime | None = None,
    emails: Sequence[str] = (),
    progress: Reporter = silent,
) -> CorpusSummary:
    """Write prompt logs (QDeveloperLogs; KiroLogs for Kiro users), daily activity reports and Kiro user reports,
    ``start``..``end``; ``emails`` name the first users; ``progress`` hears of the files written.

    ``dest`` is a folder or ``s3://bucket[/prefix]`` (the bucket must exist). With ``not_after``, no request
    at or after that instant is logged and no report due after it is written. The same arguments always give
    the same files, and a day's files are the same whatever ``start`` and ``end`` hold it: each day is drawn from a
    random source of its own, a Kiro month's credits are counted from its first day, and the spikes and the older
    report layout are placed by the calendar.
    """
    rng = random.Random(seed)
    people = make_users(rng, users, emails)
    profile = f"arn:aws:codewhisperer:{regions[0]}:{account}:profile/{_hex(rng, 12).upper()}"
    destination, dest_prefix = _destination(dest, s3_client)
    prefix = normalise_prefix(normalise_prefix(dest_prefix) + normalise_prefix(prefix))
    objects: list[tuple[str, bytes]] = []
    summary = CorpusSummary(str(dest), start, end, account, people)
    days = days_between(start, end)
    counted = days_between(start.replace(day=1), end)  # Kiro credits add up from the month's first day
    files: dict[tuple[str, str, str, datetime], list[tuple[datetime, dict]]] = defaultdict(list)
    daily_counts: dict[tuple[date, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    kiro_usage: dict[tuple[date, str, str], _KiroDay] = {}
    for day in counted:
        spiker = _spiker(people, day)
        if spiker is not None and day >= start:
            summary.spikes.append((spiker.user_id, day))
        for request in _day_requests(seed, day, people, regions):
            if not_after is not None and request.moment >= not_after:
                continue
            if request.kiro and request.request_type == "chat":
                use = kiro_usage.setdefault((day, request.user.user_id, request.client), _KiroDay())
                use.conversations += 1
                use.messages += 2 * len(request.turns)  # messages to and from Kiro
                use.models[request.turns[0][0] or ""] += 2 * len(request.turns)
                use.credits += request.credits
            if day < start:
                continue
            if not request.kiro:
                daily_counts[(day, request.user.user_id)][request.request_type] += 1
            folder = "KiroLogs" if request.kiro else "QDeveloperLogs"
            for at, record in _request_records(request):
                if not_after is None or at < not_after:
                    hour = at.replace(minute=0, second=0, microsecond=0)
                    files[(folder, _LOG_TYPE_OF[request.request_type], request.region, hour)].append((at, record))
    for (folder, log_type, region, hour_start), timed in sorted(files.items()):
        records = [record for _, record in sorted(timed, key=lambda pair: pair[0])]
        names = random.Random(f"{seed}/{folder}/{log_type}/{region}/{hour_start.isoformat()}")
        for i in range(0, len(records), RECORDS_PER_FILE):
            when = hour_start + timedelta(minutes=5 + i)
            key = layout.prompt_log_key(prefix, account, folder, log_type, region, when, _hex(names, 8))
            text = json.dumps({"records": records[i : i + RECORDS_PER_FILE]}).encode()
            body = igzip.compress(text, compresslevel=2, mtime=0)
            objects.append((key, body))
            summary.prompt_files += 1
            summary.records += len(records[i : i + RECORDS_PER_FILE])
    if activity:
        reports = _activity_reports(seed, people, days, daily_counts, prefix, account, regions[0], not_after)
        objects += reports
        summary.activity_files = len(reports)
        reports = _kiro_user_reports(seed, people, counted, start, kiro_usage, prefix, account, regions[0], profile,
                                     not_after)
        objects += reports
        summary.user_report_files = len(reports)
    _put_all(destination, objects, progress)
    summary.keys = [key for key, _ in objects]
    return summary


def _activity_reports(
    seed: int, people: list[SyntheticUser], days: list[date], daily_counts: dict[tuple[date, str], dict[str, int]],
    prefix: str, account: str, region: str, not_after: datetime | None,
) -> list[tuple[str, bytes]]:
    """A day's activity report, written at 00:00 UTC after the day it covers in that next day's 00 folder; the
    last one (``people[-1]``) transforms code on Mondays to Wednesdays, and the reports of a month's first
    ``OLDER_LAYOUT_DAYS`` days are in the older 41-column layout."""
    objects = []
    for day in days:
        delivered = datetime.combine(day + timedelta(days=1), time(0, 0), UTC)
        if not_after is not None and delivered > not_after:
            continue
        rng = _day_random(seed, day, "activity")
        rows = []
        for user in people:
            counts = daily_counts.get((day, user.user_id))
            lines = rng.randint(1500, 3500) if user is people[-1] and day.weekday() < 3 else 0
            if counts or lines:
                rows.append(_activity_row(rng, user, day, counts or {}, lines))
        if rows:
            key = layout.activity_report_key(prefix, account, "QDeveloperLogs", region, delivered, _hex(rng, 8))
            objects.append((key, _activity_csv(rows, day.day <= OLDER_LAYOUT_DAYS, rng)))
    return objects


@dataclass(frozen=True)
class DemoCorpus:
    """The cached demo corpus and the days it covers."""

    path: Path
    start: date
    end: date

    @property
    def user_map(self) -> Path:
        """The demo's user map file (user id -> e-mail)."""
        return self.path / DEMO_USER_MAP


def demo_cache_dir() -> Path:
    """``demo-qdev`` in the product's cache folder (``$BEDROCK_USAGE_CACHE_DIR`` or the user cache)."""
    return cache_dir() / "demo-qdev"


def demo_days(now: datetime) -> tuple[date, date]:
    """The first and last day of the demo made at ``now``: the ``DEMO_DAYS`` UTC days ending on ``now``'s."""
    end = now.astimezone(UTC).date()
    return end - timedelta(days=DEMO_DAYS - 1), end


def write_demo_corpus(dest: Path, now: datetime) -> CorpusSummary:
    """The demo corpus as made at ``now``, and its user map: requests up to ``now``'s last whole hour, reports due
    by then. Its days are drawn each from a source of its own, so a past day holds the same files whichever day
    the demo is made on, and today's only gain hours."""
    start, end = demo_days(now)
    logged_to = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)  # whole hours, as the Bedrock demo
    corpus = write_qdev_corpus(dest, start=start, end=end, seed=DEMO_SEED, users=DEMO_USERS, not_after=logged_to,
                               emails=[user.name for user in SSO_USERS])
    write_user_map(dest / DEMO_USER_MAP, corpus.users)
    return corpus


def ensure_demo_corpus(log: Callable[[str], None] | None = None) -> DemoCorpus:
    """The demo corpus of the ``DEMO_DAYS`` days ending today (UTC), generated once a day into the cache folder.

    As in real logs, nothing is dated after the moment it is made, and a day's activity report exists from 00:00
    UTC the next day.
    """
    now = datetime.now(UTC)
    start, end = demo_days(now)
    folder = demo_cache_dir()
    wanted = {"version": DEMO_FORMAT_VERSION, "end": end.isoformat(), "days": DEMO_DAYS, "seed": DEMO_SEED,
              "users": DEMO_USERS}

    def build(staging: Path) -> None:
        if log:
            log(f"generating the demo corpus for {start} .. {end} in {folder} (once a day) ...")
        write_demo_corpus(staging, now)

    return DemoCorpus(cached_corpus(folder, wanted, build), start, end)


def corpus_users(seed: int, users: int, emails: Sequence[str] = ()) -> list[SyntheticUser]:
    """The developers ``write_qdev_corpus`` writes with these arguments (its seed draws them first)."""
    return make_users(random.Random(seed), users, emails)


def user_map_text(users: Sequence[SyntheticUser]) -> str:
    """The user map (``userId,email``) of ``users``, as ``--user-map`` reads it."""
    handle = io.StringIO()
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(["userId", "email"])
    writer.writerows((user.user_id, user.email) for user in users)
    return handle.getvalue()


def write_user_map(path: Path, users: Sequence[SyntheticUser]) -> None:
    """A user map file (``userId,email``) for ``users``: what ``--user-map`` reads."""
    path.write_text(user_map_text(users), encoding="utf-8")
