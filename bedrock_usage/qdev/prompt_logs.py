"""Parse Amazon Q Developer / Kiro prompt-log files: ``{"records": [...]}`` JSON, gzip-compressed or plain.

Record shapes (AWS "Prompt log examples"): ``generateAssistantResponseEventRequest/Response`` (chat) and
``generateCompletionsEventRequest/Response`` (inline). The /dev shape
(``startTaskAssistCodeGenerationEventRequest{prompt, userId, timeStamp, conversationId}``,
``...EventResponse{requestId}``) is inferred from the others: AWS documents that only the prompt is logged.
Kiro's chat requests also carry ``modelId`` (``auto``, ``simple-task`` or a named model); a Kiro chat record with an
empty prompt is the agent's turn after a tool result, not a user request (``analysis`` counts it apart).
A missing or null text counts as empty; a text, user id or response of the wrong JSON type makes the record
unusable (skipped and counted), so it can neither add a request with 0 tokens nor move tokens to another user.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ..bounded_gzip import (
    DEFAULT_MAX_DOCUMENT_MB,
    GZIP_ERRORS,
    GZIP_MAGIC,
    OverCap,
    gunzip,
    max_object_bytes,
    over_cap_reason,
)

UNKNOWN_USER = "(unknown)"
# Why a file is skipped, and why a record is (counted by reason in the report; a page words them in its language).
TRUNCATED_GZIP = "truncated or corrupt gzip"
EMPTY_FILE = "empty file"
NOT_UTF8 = "not UTF-8 text"
MALFORMED_JSON = "malformed JSON"
NO_RECORDS = "no 'records' list"
RECORD_NOT_OBJECT = "record is not an object"
NO_REQUEST = "no known request object"
NO_TIMESTAMP = "missing timeStamp"
BAD_TIMESTAMP = "bad timeStamp"
RESPONSE_NOT_OBJECT = "response is not an object"
COMPLETION_NOT_TEXT = "completion is not text"
COMPLETIONS_NOT_LIST = "completions is not a list"

# request key -> (request type, response key)
RECORD_KINDS: dict[str, tuple[str, str]] = {
    "generateAssistantResponseEventRequest": ("chat", "generateAssistantResponseEventResponse"),
    "generateCompletionsEventRequest": ("inline", "generateCompletionsEventResponse"),
    "startTaskAssistCodeGenerationEventRequest": ("dev", "startTaskAssistCodeGenerationEventResponse"),
}

_TIMESTAMP_RE = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})[T ](?P<time>\d{2}:\d{2}:\d{2})(?:[.,](?P<fraction>\d+))?"
    r"(?P<zone>Z|[+-]\d{2}:?\d{2})?$"
)


class BadLogFile(Exception):
    """A prompt-log file that cannot be read as a whole; the message is the short reason that is counted."""


@dataclass(frozen=True)
class PromptRequest:
    """One logged request with its texts, before tokens are counted (texts never leave the worker)."""

    request_type: str  # chat, inline, dev
    user_id: str
    timestamp: datetime
    input_texts: tuple[str, ...]
    output_texts: tuple[str, ...]
    model_id: str | None = None
    empty_prompt: bool = False  # a chat or /dev record whose prompt is missing, empty or blank
    request_id: str | None = None  # the response's requestId: a copy of a record in another file has the same

    @property
    def delivery_key(self) -> tuple[str, str, str, datetime] | None:
        """What two copies of one record share besides their account and region (type, user, requestId, timeStamp);
        None without a requestId."""
        return None if self.request_id is None else (self.request_type, self.user_id, self.request_id, self.timestamp)


def parse_timestamp(value: object) -> datetime:
    """An aware UTC datetime from ``2025-01-06T15:09:16.412719Z``; 0 to 9+ fractional digits are accepted."""
    match = _TIMESTAMP_RE.match(value.strip()) if isinstance(value, str) else None
    if not match:
        raise ValueError(f"not an ISO-8601 timestamp: {value!r}")
    fraction = (match["fraction"] or "")[:6].ljust(6, "0")  # datetime keeps microseconds only
    moment = datetime.fromisoformat(f"{match['date']}T{match['time']}.{fraction}")
    zone = match["zone"]
    if zone and zone != "Z":
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        try:
            moment -= sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        except OverflowError:  # 0001-01-01T00:00:00+01:00 is before the first datetime
            raise ValueError(f"timestamp out of range: {value!r}") from None
    return moment.replace(tzinfo=UTC)


def decode_log_file(data: bytes, cap: int | None = None) -> dict:
    """The JSON document of one file (gunzipped when it is gzip); BadLogFile with a short reason otherwise.

    The text may be at most ``cap`` bytes (default ``$BEDROCK_USAGE_MAX_OBJECT_MB``, else 64 MiB): decompression
    stops there, so a small file that inflates to gigabytes costs no more memory than the cap.
    """
    cap = max_object_bytes(cap, DEFAULT_MAX_DOCUMENT_MB)
    if data[:2] == GZIP_MAGIC:
        try:
            data = gunzip(data, cap)
        except OverCap as exc:
            raise BadLogFile(str(exc)) from None
        except GZIP_ERRORS:
            raise BadLogFile(TRUNCATED_GZIP) from None
    elif len(data) > cap:
        raise BadLogFile(over_cap_reason(cap))
    if not data or data.isspace():
        raise BadLogFile(EMPTY_FILE)
    try:
        doc = json.loads(data)
    except UnicodeDecodeError:
        raise BadLogFile(NOT_UTF8) from None
    except (ValueError, RecursionError):  # RecursionError: nested deeper than the parser's limit
        raise BadLogFile(MALFORMED_JSON) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("records"), list):
        raise BadLogFile(NO_RECORDS)
    return doc


def _text(part: dict, key: str) -> str:
    """The text under ``key``: empty when missing or null, ValueError when it is not a string."""
    value = part.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"{key} is not text")
    return value


def _completion_text(value: object) -> str:
    if isinstance(value, dict):  # tolerate {"content": "..."} completions as well as plain strings
        return _text(value, "content")
    if value is None or isinstance(value, str):
        return value or ""
    raise ValueError(COMPLETION_NOT_TEXT)


def _texts(request_type: str, request: dict, response: dict) -> tuple[tuple[str, ...], tuple[str, ...]]:
    if request_type == "inline":
        completions = response.get("completions")
        if completions is not None and not isinstance(completions, list):
            raise ValueError(COMPLETIONS_NOT_LIST)
        outputs = tuple(_completion_text(c) for c in completions or ())
        return (_text(request, "leftContext"), _text(request, "rightContext")), outputs
    return (_text(request, "prompt"),), (_text(response, "assistantResponse"),)


def parse_record(record: object) -> PromptRequest:
    """One record; ValueError with a short reason when it has no known request, no usable timestamp, or a text,
    user id or response of the wrong type."""
    if not isinstance(record, dict):
        raise ValueError(RECORD_NOT_OBJECT)
    request_key = next((key for key in RECORD_KINDS if isinstance(record.get(key), dict)), None)
    if request_key is None:
        raise ValueError(NO_REQUEST)
    request_type, response_key = RECORD_KINDS[request_key]
    request = record[request_key]
    if "timeStamp" not in request:
        raise ValueError(NO_TIMESTAMP)
    try:
        timestamp = parse_timestamp(request["timeStamp"])
    except ValueError:
        raise ValueError(BAD_TIMESTAMP) from None
    response = record.get(response_key)
    if response is not None and not isinstance(response, dict):
        raise ValueError(RESPONSE_NOT_OBJECT)
    inputs, outputs = _texts(request_type, request, response or {})
    user_id = _text(request, "userId").strip() or UNKNOWN_USER
    model_id = _text(request, "modelId").strip() or None
    empty_prompt = request_type != "inline" and not inputs[0].strip()
    request_id = (response or {}).get("requestId")
    request_id = request_id.strip() or None if isinstance(request_id, str) else None
    return PromptRequest(request_type, user_id, timestamp, inputs, outputs, model_id, empty_prompt, request_id)


def parse_log_file(data: bytes, cap: int | None = None) -> tuple[list[PromptRequest], Counter[str]]:
    """Every usable record of one file, and the count of skipped records by reason."""
    doc = decode_log_file(data, cap)
    requests: list[PromptRequest] = []
    skipped: Counter[str] = Counter()
    for record in doc["records"]:
        try:
            requests.append(parse_record(record))
        except ValueError as exc:
            skipped[str(exc)] += 1
    return requests, skipped
