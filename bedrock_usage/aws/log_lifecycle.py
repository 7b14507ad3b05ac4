"""Which days of a region's logs a lifecycle rule of their bucket may have moved where Athena skips them.

Athena skips every object of a table in S3 Glacier Flexible Retrieval or S3 Glacier Deep Archive that is not restored,
without a word (Athena User Guide, "Query restored Amazon S3 Glacier objects"). A lifecycle rule moves objects there
``Days`` after they are created, S3 adding the days to the creation time and rounding up to the next midnight UTC, or
from a ``Date`` (midnight UTC) on (Amazon S3 User Guide, "Lifecycle configuration elements"; Amazon S3 API Reference,
"Transition"). A rule to S3 Intelligent-Tiering may too: that class's archive tiers, which a bucket turns on (they are
opt-in), take objects not read for at least 90 days (Amazon S3 API Reference, "Tiering"). S3 transitions objects
asynchronously after they become eligible, and by default leaves objects under 128 KB where they are
(GetBucketLifecycleConfiguration, ``TransitionDefaultMinimumObjectSize``), so such days are said to be *maybe* archived.
A rule's key prefix is evaluated; its filters on object tags or size are not (they may apply, and are said so).

A rule's ``Expiration`` (``Days`` or ``Date``) deletes the current objects it takes, counted the same way, and S3
deletes them asynchronously, some time after they are due (Amazon S3 User Guide, "Expiring objects"): a day's logs are
said to *maybe* be deleted from the midnight they are due, and deleted a day later (a filter not evaluated keeps them
a maybe). Their calls are gone from every report of the bucket; a mirror ``--sync`` made before keeps its copies. In a
bucket with versioning on, an expired object becomes a noncurrent version, which no report reads either.
``NoncurrentVersionExpiration`` deletes only such versions, never a current object, and is not evaluated.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from ..output.notices import Notice, clause
from ..output.wording import day_spans
from .session import AWS_ERRORS, describe, error_code, is_access_denied, required_action

ARCHIVE_CLASSES = {"GLACIER": "S3 Glacier Flexible Retrieval", "DEEP_ARCHIVE": "S3 Glacier Deep Archive"}
INTELLIGENT_TIERING = "INTELLIGENT_TIERING"
TIERING_NAME = "S3 Intelligent-Tiering"
# The fewest days without access after which Intelligent-Tiering's Archive Access tier takes an object.
TIERING_ARCHIVE_DAYS = 90
LIFECYCLE_ACTION = "s3:GetLifecycleConfiguration"
NO_CONFIGURATION = "NoSuchLifecycleConfiguration"
NO_BUCKET = "NoSuchBucket"  # nothing to archive; the report says what it read
UNCHECKED_TAGS = "object tags"
UNCHECKED_SIZE = "object size"
READER_POLICY_FILE = "iam/report-reader.json"  # what the reports and the logging check read AWS with
# S3 deletes expired objects some time after they are due: a day later, a day's logs are taken as deleted.
EXPIRY_LAG = timedelta(days=1)
MIRROR_KEEPS = ("a mirror made with --sync before they expired keeps its copies, which --engine local --sync (or "
                "--logs-dir MIRROR) reads")
DAY_FOLDER = "%Y/%m/%d/"  # a day's folder under a region's: yyyy/MM/dd/, whose names sort as the days do
DAY_FOLDER_LENGTH = 11
# The days whose folder names have four-digit years, among which a rule's key prefix is looked up.
FOLDER_ORDINALS = range(date(1000, 1, 1).toordinal(), date(9999, 12, 31).toordinal() + 1)
Span = tuple[date | None, date]  # the first day (None: every day before too) and the last
WHAT_TO_DO = ("restore those days' log objects, which the table then reads (docs/aws-setup.md, \"Archived log "
              "objects\"), or report them with --engine local --sync, which counts the archived objects it cannot copy")


@dataclass(frozen=True)
class ArchiveRule:
    """One transition of an enabled lifecycle rule that may move log objects where Athena skips them."""

    rule: str  # the rule's ID, or its place among the rules ("rule 2") when it has none
    storage_class: str  # GLACIER, DEEP_ARCHIVE or INTELLIGENT_TIERING
    prefix: str  # the key prefix its filter names ("": every key)
    days: int | None = None
    on: date | None = None
    unchecked: tuple[str, ...] = ()  # the parts of its filter not evaluated (object tags, object size)

    def archived_span(self, key_prefix: str, today: date) -> Span | None:
        """The days whose log objects under a region's ``key_prefix`` the rule may have archived by ``today``
        (``due_span``; Intelligent-Tiering's archive tiers wait their days more). None when it takes none yet."""
        wait = timedelta(days=TIERING_ARCHIVE_DAYS if self.storage_class == INTELLIGENT_TIERING else 0)
        return due_span(self.prefix, self.days, self.on, key_prefix, today - wait)

    def clause(self, bucket: str, key_prefix: str = "") -> Notice:
        """``lifecycle rule 'archive' of bucket B moves log objects to S3 Glacier Flexible Retrieval 30 days after
        they are written``, with the folders it takes when given the region's ``key_prefix`` and the rule takes
        only some of its folders, and what makes it a maybe (an opt-in tier, a filter not evaluated)."""
        target = ARCHIVE_CLASSES.get(self.storage_class, TIERING_NAME)
        when = (Notice(f"from {self.on} on", "lifecycle_from", day=str(self.on)) if self.on is not None else
                Notice(f"{self.days} days after they are written", "lifecycle_after", days=self.days or 0))
        tiers = clause(f", whose archive tiers, if the bucket turns them on (they are opt-in), take objects not read "
                       f"for {TIERING_ARCHIVE_DAYS} days or more" if self.storage_class == INTELLIGENT_TIERING else "",
                       "lifecycle_tiering", days=TIERING_ARCHIVE_DAYS)
        parts = " and ".join(self.unchecked)
        unread = clause(f" (its filter on {parts} is not evaluated: it may take log objects)" if parts else "",
                        "lifecycle_filter", parts=list(self.unchecked))
        under = _under(self.prefix, key_prefix)
        return Notice(f"lifecycle rule '{self.rule}' of bucket {bucket} moves log objects{under} to {target} {when}"
                      f"{tiers}{unread}", "lifecycle_rule", rule=self.rule, bucket=bucket, under=under, target=target,
                      when=when, tiers=tiers, unread=unread)


@dataclass(frozen=True)
class ExpiryRule:
    """The Expiration of an enabled lifecycle rule: S3 deletes the current log objects it takes."""

    rule: str  # the rule's ID, or its place among the rules ("rule 2") when it has none
    prefix: str  # the key prefix its filter names ("": every key)
    days: int | None = None
    on: date | None = None
    unchecked: tuple[str, ...] = ()  # the parts of its filter not evaluated (object tags, object size)

    def deleted_spans(self, key_prefix: str, today: date) -> tuple[Span | None, Span | None]:
        """The days whose log objects under a region's ``key_prefix`` the rule may have deleted by ``today`` (they are
        due), and those it has deleted (due a day before; never with a filter not evaluated); None for none."""
        maybe = due_span(self.prefix, self.days, self.on, key_prefix, today)
        sure = None if self.unchecked else due_span(self.prefix, self.days, self.on, key_prefix, today - EXPIRY_LAG)
        return maybe, sure

    def clause(self, bucket: str, key_prefix: str = "") -> Notice:
        """``lifecycle rule 'expire' of bucket B deletes log objects 365 days after they are written``, with the
        folders it takes when given the region's ``key_prefix`` and the rule takes only some, and a filter not
        evaluated."""
        when = (Notice(f"from {self.on} on", "lifecycle_from", day=str(self.on)) if self.on is not None else
                Notice(f"{self.days} days after they are written", "lifecycle_after", days=self.days or 0))
        parts = " and ".join(self.unchecked)
        unread = clause(f" (its filter on {parts} is not evaluated: it may take log objects)" if parts else "",
                        "lifecycle_filter", parts=list(self.unchecked))
        under = _under(self.prefix, key_prefix)
        return Notice(f"lifecycle rule '{self.rule}' of bucket {bucket} deletes log objects{under} {when}{unread}",
                      "lifecycle_expiry", rule=self.rule, bucket=bucket, under=under, when=when, unread=unread)


@dataclass(frozen=True)
class ExpiredDays:
    """The days of a region's logs that lifecycle rules of their bucket have deleted, or may have, and those rules."""

    bucket: str
    deleted: tuple[date, ...]
    maybe: tuple[date, ...]  # due, but maybe not deleted yet (or by a rule whose filter is not evaluated)
    rules: tuple[ExpiryRule, ...]

    def note(self, region: str, synced: bool = False) -> Notice:
        """The report's warning: the days, that their calls are gone, the rules, and what still holds them (a mirror
        made earlier); ``synced``: days of a sync that neither the bucket nor the mirror holds a record of."""
        deleted, maybe = day_spans(self.deleted), day_spans(self.maybe)
        since = clause(" before the mirror copied them" if synced else "", "expired_before_sync")
        keeps = clause("" if synced else f"; {MIRROR_KEEPS}", "expired_mirror_keeps")
        if deleted and maybe:
            what = Notice(f"the logs of {deleted} (UTC) in {region} have been deleted by a lifecycle rule of their "
                          f"bucket{since}, and those of {maybe} may have been (S3 deletes expired objects some time "
                          "after they are due)", "expired_both", deleted=deleted, maybe=maybe, region=region,
                          since=since)
        elif deleted:
            what = Notice(f"the logs of {deleted} (UTC) in {region} have been deleted by a lifecycle rule of their "
                          f"bucket{since}", "expired_deleted", deleted=deleted, region=region, since=since)
        else:
            what = Notice(f"the logs of {maybe} (UTC) in {region} may have been deleted by a lifecycle rule of their "
                          f"bucket{since} (S3 deletes expired objects some time after they are due)", "expired_maybe",
                          maybe=maybe, region=region, since=since)
        rules = [rule.clause(self.bucket) for rule in self.rules]
        return Notice(f"{what}, so any calls of those days are missing from these figures, and no report of the "
                      f"bucket can give them: {'; '.join(rules)}{keeps}", "days_expired", what=what, rules=rules,
                      keeps=keeps)


@dataclass(frozen=True)
class ExpiryFinding:
    """The days of a region's logs that lifecycle rules of their bucket have deleted, those they may have, and those
    rules (``check_bedrock_logging.py``: no period, every day they take, each rule the folders its prefix names)."""

    bucket: str
    key_prefix: str  # the region's folder
    deleted: tuple[Span, ...]
    maybe: tuple[Span, ...]  # due, but maybe not deleted yet (or by a rule whose filter is not evaluated)
    rules: tuple[ExpiryRule, ...]

    @property
    def through(self) -> date:
        """The newest day they may have deleted."""
        return max(last for _, last in self.deleted + self.maybe)

    def line(self) -> Notice:
        """The check's line: the days, the rules, and what that means for a report over them."""
        rules = [rule.clause(self.bucket, self.key_prefix) for rule in self.rules]
        deleted, maybe = spans_text(self.deleted), spans_text(self.maybe)
        if not deleted:
            days = Notice(f"the logs of {', '.join(maybe)} may have been deleted", "expiry_through_maybe",
                          through=maybe)
        elif maybe:
            days = Notice(f"the logs of {', '.join(deleted)} have been deleted, and those of {', '.join(maybe)} may "
                          "have been", "expiry_through_both", deleted=deleted, maybe=maybe)
        else:
            days = Notice(f"the logs of {', '.join(deleted)} have been deleted", "expiry_through_deleted",
                          through=deleted)
        return Notice(f"{days} ({'; '.join(rules)}; S3 deletes expired objects some time after they are due): a "
                      "report over those days lacks their calls, which no report of the bucket can give, and warns of "
                      f"such days of its period; {MIRROR_KEEPS}", "expiry_finding", days=days, rules=rules)


@dataclass(frozen=True)
class ArchivedDays:
    """The days of a region's logs that lifecycle rules of their bucket may have archived, and those rules."""

    bucket: str
    days: tuple[date, ...]
    rules: tuple[ArchiveRule, ...]

    def note(self, region: str) -> Notice:
        """The report's warning: the days (UTC, as the log folders are: a report in another zone shows each in two
        of its days), why their figures may be short, the rules, and what to do."""
        spans, rules = day_spans(self.days), [rule.clause(self.bucket) for rule in self.rules]
        return Notice(f"the logs of {spans} (UTC) in {region} may be archived, and Athena skips archived log objects "
                      f"not restored without a word, so those days' figures may be short: {'; '.join(rules)}; "
                      f"{WHAT_TO_DO}", "days_maybe_archived", spans=spans, region=region, rules=rules)


@dataclass(frozen=True)
class ArchiveFinding:
    """The days of a region's logs that lifecycle rules of their bucket may have archived, those they have deleted
    aside, and those rules (``check_bedrock_logging.py``: no period, every day they take, each rule the folders its
    prefix names)."""

    bucket: str
    key_prefix: str  # the region's folder
    spans: tuple[Span, ...]
    rules: tuple[ArchiveRule, ...]

    @property
    def through(self) -> date:
        """The newest day they may have archived."""
        return self.spans[-1][1]

    def line(self) -> Notice:
        """The check's line: the days, the rules, and what a report over them must do."""
        rules = [rule.clause(self.bucket, self.key_prefix) for rule in self.rules]
        days = spans_text(self.spans)
        return Notice(f"the logs of {', '.join(days)} may be archived ({'; '.join(rules)}): an Athena report skips "
                      "archived log objects not restored without a word, and warns of such days of its period; before "
                      f"reporting on them, {WHAT_TO_DO}", "archive_finding", through=days, rules=rules)


@dataclass
class BucketLifecycles:
    """Each log bucket's lifecycle rules, read once (GetBucketLifecycleConfiguration), and what could not be read."""

    rules: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    unread: dict[str, str] = field(default_factory=dict)  # bucket -> why its rules are not known (a note)
    reasons: dict[str, Notice] = field(default_factory=dict)  # bucket -> why the read failed (``unread_reason``)

    def read(self, s3: Any, bucket: str, region: str) -> list[dict[str, Any]] | None:
        """The bucket's rules ([] when it has none or does not exist); None when they could not be read, the note
        saying so kept in ``unread`` (a refusal names the permission)."""
        if bucket in self.rules:
            return self.rules[bucket]
        if bucket in self.unread:
            return None
        try:
            found = s3.get_bucket_lifecycle_configuration(Bucket=bucket).get("Rules", [])
        except AWS_ERRORS as exc:
            if error_code(exc) in (NO_CONFIGURATION, NO_BUCKET):
                found = []
            else:
                self.unread[bucket] = not_checked(bucket, region, exc)
                self.reasons[bucket] = unread_reason(exc)
                return None
        self.rules[bucket] = found
        return found


def unread_reason(exc: Exception) -> Notice:
    """What to do about a read of the rules that failed: the permission a refusal names, or the failure."""
    if isinstance(exc, ClientError) and is_access_denied(exc):
        action = required_action(exc)
        return Notice(f"grant {action} on the bucket ({READER_POLICY_FILE} grants it on bedrock-logs-* buckets)",
                      "lifecycle_grant", action=action, policy=READER_POLICY_FILE)
    return Notice(f"reading them failed: {describe(exc)}", "lifecycle_failed", reason=describe(exc))


def not_checked(bucket: str, region: str, exc: Exception) -> Notice:
    """Why whether log objects are archived is not known: the read refused (the permission it needs) or failed."""
    why = unread_reason(exc)
    return Notice(f"the lifecycle rules of log bucket {bucket} ({region}) could not be read, so whether any moved log "
                  f"objects to S3 Glacier, which Athena skips without a word unless restored, or deleted them is not "
                  f"checked: {why}",
                  "lifecycle_not_checked", bucket=bucket, region=region, why=why)


def folder_days(prefix: str, key_prefix: str) -> tuple[date | None, date | None] | None:
    """The first and last day whose log objects (under a region's ``key_prefix`` + ``yyyy/MM/dd/``) a rule's key
    ``prefix`` takes some of: ``(None, None)`` when it takes every day's (it holds the region's folder), None when it
    takes none. A prefix naming a year or month folder (``2024/``, ``2024/0``) takes a run of days, as the folders'
    names sort as their days do; one naming part of a day folder's objects takes that day."""
    if key_prefix.startswith(prefix):
        return None, None
    if not prefix.startswith(key_prefix):
        return None
    rest = prefix[len(key_prefix):]
    if len(rest) >= DAY_FOLDER_LENGTH:
        day = _folder_day(rest[:DAY_FOLDER_LENGTH])
        return (day, day) if day is not None else None
    first = bisect_left(FOLDER_ORDINALS, rest, key=_folder)
    last = bisect_right(FOLDER_ORDINALS, rest, key=lambda ordinal: _folder(ordinal)[:len(rest)]) - 1
    if first > last:
        return None
    return date.fromordinal(FOLDER_ORDINALS[first]), date.fromordinal(FOLDER_ORDINALS[last])


def _folder(ordinal: int) -> str:
    return date.fromordinal(ordinal).strftime(DAY_FOLDER)


def _folder_day(name: str) -> date | None:
    """The day a folder name ``yyyy/MM/dd/`` is of; None when it is none."""
    try:
        day = datetime.strptime(name, DAY_FOLDER).date()
    except ValueError:
        return None
    return day if day.strftime(DAY_FOLDER) == name else None


def due_span(prefix: str, days: int | None, on: date | None, key_prefix: str, today: date) -> Span | None:
    """The days whose log objects under a region's ``key_prefix`` a rule of ``prefix`` acting ``days`` after objects
    are written, or from ``on``, has had due by ``today``: its prefix takes some of that day's objects
    (``folder_days``), and the earliest of them has been eligible since a midnight UTC on or before today (S3 counts
    the days to the midnight after an object is written). None when it takes none of them yet. The reports' per-day
    notes and the check's lines both come from here."""
    taken = folder_days(prefix, key_prefix)
    if taken is None or (on is not None and on > today):
        return None
    due = 0 if on is not None else days or 0  # days after the midnight that follows the writes
    first, last = taken
    newest = today - timedelta(days=1 + due)
    last = newest if last is None else min(last, newest)
    return None if first is not None and first > last else (first, last)


def within(day: date, span: Span | None) -> bool:
    """Whether ``day`` is one of the ``span``'s."""
    return span is not None and (span[0] is None or span[0] <= day) and day <= span[1]


def merged(spans: list[Span]) -> list[Span]:
    """``spans`` in order, those that overlap or touch made one."""
    runs: list[Span] = []
    for first, last in sorted(spans, key=lambda span: span[0] or date.min):
        if runs and (first is None or first <= runs[-1][1] + timedelta(days=1)):
            runs[-1] = (runs[-1][0], max(runs[-1][1], last))
        else:
            runs.append((first, last))
    return runs


def without(spans: list[Span], cuts: list[Span]) -> list[Span]:
    """The days of ``spans`` in none of ``cuts``, as spans in order."""
    for cut_first, cut_last in cuts:
        kept: list[Span] = []
        after = cut_last + timedelta(days=1)
        for first, last in spans:
            if cut_first is not None and (first is None or first < cut_first):
                kept.append((first, min(last, cut_first - timedelta(days=1))))
            if cut_last < last:
                kept.append((after if first is None else max(first, after), last))
        spans = kept
    return merged(spans)


def spans_text(spans: tuple[Span, ...] | list[Span]) -> list[Notice | str]:
    """Each span as the check words it: ``2024-12-31 and before``, ``2024-01-01 .. 2024-12-31``, ``2024-03-05``."""
    return [Notice(f"{last} and before", "days_and_before", last=str(last)) if first is None else
            str(first) if first == last else f"{first} .. {last}" for first, last in spans]


def _under(prefix: str, key_prefix: str) -> Notice | str:
    """`` under PREFIX`` where a rule takes only some folders of the region's ``key_prefix`` (given)."""
    narrower = bool(key_prefix) and prefix.startswith(key_prefix) and prefix != key_prefix
    return clause(f" under {prefix}" if narrower else "", "lifecycle_under", prefix=prefix)


def _enabled(rules: list[dict[str, Any]]) -> list[tuple[str, str, tuple[str, ...], dict[str, Any]]]:
    """Each enabled rule's name (its ID, or its place), key prefix, parts of its filter not evaluated, and itself."""
    return [(rule.get("ID") or f"rule {place}", *_filter_of(rule), rule)
            for place, rule in enumerate(rules, 1) if rule.get("Status") == "Enabled"]


def _day_of(on: Any) -> date | None:
    """A lifecycle ``Date`` (midnight UTC) as a day."""
    return on.astimezone(UTC).date() if isinstance(on, datetime) else on


def archive_rules(rules: list[dict[str, Any]]) -> list[ArchiveRule]:
    """The transitions of the enabled ``rules`` (GetBucketLifecycleConfiguration's) to a class Athena skips or may
    skip: S3 Glacier Flexible Retrieval, S3 Glacier Deep Archive, S3 Intelligent-Tiering."""
    found = []
    for name, prefix, unchecked, rule in _enabled(rules):
        for transition in rule.get("Transitions") or []:
            storage = transition.get("StorageClass", "")
            if storage not in ARCHIVE_CLASSES and storage != INTELLIGENT_TIERING:
                continue
            on = _day_of(transition.get("Date"))
            found.append(ArchiveRule(name, storage, prefix, transition.get("Days") if on is None else None, on,
                                     unchecked))
    return found


def expiry_rules(rules: list[dict[str, Any]]) -> list[ExpiryRule]:
    """The expirations (``Days`` or ``Date``) of the enabled ``rules`` (GetBucketLifecycleConfiguration's), which
    delete current objects; one that only removes expired delete markers deletes none."""
    found = []
    for name, prefix, unchecked, rule in _enabled(rules):
        expiration = rule.get("Expiration") or {}
        on = _day_of(expiration.get("Date"))
        if on is not None or expiration.get("Days") is not None:
            found.append(ExpiryRule(name, prefix, expiration.get("Days") if on is None else None, on, unchecked))
    return found


def _filter_of(rule: dict[str, Any]) -> tuple[str, tuple[str, ...]]:
    """A rule's key prefix, and the parts of its filter not evaluated (object tags, object size)."""
    if "Filter" not in rule:
        return rule.get("Prefix") or "", ()  # the earlier form: a rule-level Prefix
    condition = rule["Filter"] or {}
    condition = condition.get("And", condition)
    unchecked = []
    if condition.get("Tag") or condition.get("Tags"):
        unchecked.append(UNCHECKED_TAGS)
    if "ObjectSizeGreaterThan" in condition or "ObjectSizeLessThan" in condition:
        unchecked.append(UNCHECKED_SIZE)
    return condition.get("Prefix") or "", tuple(unchecked)


def archived_days(bucket: str, key_prefix: str, rules: list[dict[str, Any]], days: list[date],
                  today: date | None = None) -> ArchivedDays | None:
    """The ``days`` whose log objects (under ``key_prefix`` + ``yyyy/MM/dd/``) the bucket's lifecycle ``rules`` may
    have archived by ``today`` (UTC: default, the clock's), with the rules that may; None when there are none."""
    today = today or datetime.now(UTC).date()
    candidates = [(rule, rule.archived_span(key_prefix, today)) for rule in archive_rules(rules)]
    archived, taking = [], []
    for day in days:
        matched = [rule for rule, span in candidates if within(day, span)]
        if matched:
            archived.append(day)
            taking += [rule for rule in matched if rule not in taking]
    return ArchivedDays(bucket, tuple(archived), tuple(taking)) if archived else None


def expired_days(bucket: str, rules: list[dict[str, Any]], day_prefixes: list[tuple[date, str]],
                 today: date | None = None) -> ExpiredDays | None:
    """The days whose log objects (each under its region's key prefix + ``yyyy/MM/dd/``: one day may come with
    several accounts' prefixes) the bucket's lifecycle ``rules`` have deleted, or may have, by ``today`` (UTC:
    default, the clock's), with the rules that may; None when there are none."""
    today = today or datetime.now(UTC).date()
    candidates = expiry_rules(rules)
    deleted: set[date] = set()
    maybe: set[date] = set()
    taking: list[ExpiryRule] = []
    spans = {(rule, prefix): rule.deleted_spans(prefix, today) for rule in candidates for prefix in
             {prefix for _, prefix in day_prefixes}}
    for day, prefix in day_prefixes:
        for rule in candidates:
            may, sure = spans[rule, prefix]
            if not within(day, may):
                continue
            (deleted if within(day, sure) else maybe).add(day)
            taking += [rule] if rule not in taking else []
    if not taking:
        return None
    return ExpiredDays(bucket, tuple(sorted(deleted)), tuple(sorted(maybe - deleted)), tuple(taking))


def expired_through(bucket: str, key_prefix: str, rules: list[dict[str, Any]],
                    today: date | None = None) -> ExpiryFinding | None:
    """The days whose log objects under a region's ``key_prefix`` the bucket's lifecycle ``rules`` have deleted by
    ``today`` (UTC: default, the clock's), those they may have, and the rules that may, from the spans the report's
    days are checked against; None when none may."""
    today = today or datetime.now(UTC).date()
    found = [(rule, *rule.deleted_spans(key_prefix, today)) for rule in expiry_rules(rules)]
    found = [(rule, maybe, sure) for rule, maybe, sure in found if maybe is not None]
    if not found:
        return None
    deleted = merged([sure for _, _, sure in found if sure is not None])
    maybe = without(merged([span for _, span, _ in found]), deleted)
    return ExpiryFinding(bucket, key_prefix, tuple(deleted), tuple(maybe), tuple(rule for rule, _, _ in found))


def archived_through(bucket: str, key_prefix: str, rules: list[dict[str, Any]],
                     today: date | None = None) -> ArchiveFinding | None:
    """The days whose log objects under a region's ``key_prefix`` the bucket's lifecycle ``rules`` may have archived
    by ``today`` (UTC: default, the clock's), those an expiration has deleted aside (as a report leaves them out),
    with the rules that may, from the spans the report's days are checked against; None when none may."""
    today = today or datetime.now(UTC).date()
    deleted = merged([sure for rule in expiry_rules(rules)
                      if (sure := rule.deleted_spans(key_prefix, today)[1]) is not None])
    found = [(rule, without([span], deleted)) for rule in archive_rules(rules)
             if (span := rule.archived_span(key_prefix, today)) is not None]
    found = [(rule, spans) for rule, spans in found if spans]
    if not found:
        return None
    return ArchiveFinding(bucket, key_prefix, tuple(merged([span for _, spans in found for span in spans])),
                          tuple(rule for rule, _ in found))


def days_location(table: dict[str, Any], partition: str) -> tuple[str, str] | None:
    """``(bucket, key prefix)`` under which a projected table's day folders lie (``{prefix}yyyy/MM/dd/``): its
    ``storage.location.template`` up to the ``partition`` placeholder, else its location; None when not in S3."""
    template = (table.get("Parameters") or {}).get("storage.location.template", "")
    placeholder = "${" + partition + "}"
    location = table.get("StorageDescriptor", {}).get("Location", "")
    if placeholder in template:
        location = template.split(placeholder)[0]
    elif location and not location.endswith("/"):
        location += "/"
    bucket, _, prefix = location.removeprefix("s3://").partition("/")
    return (bucket, prefix) if location.startswith("s3://") and bucket else None
