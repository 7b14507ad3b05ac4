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

    def may_archive(self, day: date, day_prefix: str, today: date) -> bool:
        """Whether the log objects of ``day`` (under ``day_prefix``) may be archived by ``today``."""
        newest = self.archives_through(day_prefix, today)
        return newest is not None and day <= newest

    def archives_through(self, key_prefix: str, today: date) -> date | None:
        """The newest day whose log objects under ``key_prefix`` (a region's, or a day's) the rule may have archived
        by ``today`` (``due_through``; Intelligent-Tiering's archive tiers wait their days more). None when it takes
        none of them yet."""
        wait = timedelta(days=TIERING_ARCHIVE_DAYS if self.storage_class == INTELLIGENT_TIERING else 0)
        return due_through(self.prefix, self.days, self.on, key_prefix, today - wait)

    def clause(self, bucket: str) -> Notice:
        """``lifecycle rule 'archive' of bucket B moves log objects to S3 Glacier Flexible Retrieval 30 days after
        they are written``, with what makes it a maybe (an opt-in tier, a filter not evaluated)."""
        target = ARCHIVE_CLASSES.get(self.storage_class, TIERING_NAME)
        when = (Notice(f"from {self.on} on", "lifecycle_from", day=str(self.on)) if self.on is not None else
                Notice(f"{self.days} days after they are written", "lifecycle_after", days=self.days or 0))
        tiers = clause(f", whose archive tiers, if the bucket turns them on (they are opt-in), take objects not read "
                       f"for {TIERING_ARCHIVE_DAYS} days or more" if self.storage_class == INTELLIGENT_TIERING else "",
                       "lifecycle_tiering", days=TIERING_ARCHIVE_DAYS)
        parts = " and ".join(self.unchecked)
        unread = clause(f" (its filter on {parts} is not evaluated: it may take log objects)" if parts else "",
                        "lifecycle_filter", parts=list(self.unchecked))
        return Notice(f"lifecycle rule '{self.rule}' of bucket {bucket} moves log objects to {target} {when}{tiers}"
                      f"{unread}", "lifecycle_rule", rule=self.rule, bucket=bucket, target=target, when=when,
                      tiers=tiers, unread=unread)


@dataclass(frozen=True)
class ExpiryRule:
    """The Expiration of an enabled lifecycle rule: S3 deletes the current log objects it takes."""

    rule: str  # the rule's ID, or its place among the rules ("rule 2") when it has none
    prefix: str  # the key prefix its filter names ("": every key)
    days: int | None = None
    on: date | None = None
    unchecked: tuple[str, ...] = ()  # the parts of its filter not evaluated (object tags, object size)

    def deletes_through(self, key_prefix: str, today: date) -> tuple[date | None, date | None]:
        """The newest day whose log objects under ``key_prefix`` the rule may have deleted by ``today`` (they are
        due), and the newest it has deleted (due a day before; never with a filter not evaluated); None for none."""
        maybe = due_through(self.prefix, self.days, self.on, key_prefix, today)
        sure = None if self.unchecked else due_through(self.prefix, self.days, self.on, key_prefix, today - EXPIRY_LAG)
        return maybe, sure

    def clause(self, bucket: str) -> Notice:
        """``lifecycle rule 'expire' of bucket B deletes log objects 365 days after they are written``, with a filter
        not evaluated."""
        when = (Notice(f"from {self.on} on", "lifecycle_from", day=str(self.on)) if self.on is not None else
                Notice(f"{self.days} days after they are written", "lifecycle_after", days=self.days or 0))
        parts = " and ".join(self.unchecked)
        unread = clause(f" (its filter on {parts} is not evaluated: it may take log objects)" if parts else "",
                        "lifecycle_filter", parts=list(self.unchecked))
        return Notice(f"lifecycle rule '{self.rule}' of bucket {bucket} deletes log objects {when}{unread}",
                      "lifecycle_expiry", rule=self.rule, bucket=bucket, when=when, unread=unread)


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
    """The newest day of a region's logs that lifecycle rules of their bucket may have deleted, the newest they have,
    and those rules (``check_bedrock_logging.py``: no period, every day up to it)."""

    bucket: str
    through: date
    deleted_through: date | None
    rules: tuple[ExpiryRule, ...]

    def line(self) -> Notice:
        """The check's line: the days, the rules, and what that means for a report over them."""
        rules = [rule.clause(self.bucket) for rule in self.rules]
        if self.deleted_through is None:
            days = Notice(f"the logs of {self.through} and before may have been deleted", "expiry_through_maybe",
                          through=str(self.through))
        elif self.deleted_through < self.through:
            maybe = day_spans(days_after(self.deleted_through, self.through))
            days = Notice(f"the logs of {self.deleted_through} and before have been deleted, and those of {maybe} may "
                          "have been", "expiry_through_both", deleted=str(self.deleted_through), maybe=maybe)
        else:
            days = Notice(f"the logs of {self.through} and before have been deleted", "expiry_through_deleted",
                          through=str(self.through))
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
    """The newest day of a region's logs that lifecycle rules of their bucket may have archived, and those rules
    (``check_bedrock_logging.py``: no period, every day up to it)."""

    bucket: str
    through: date
    rules: tuple[ArchiveRule, ...]

    def line(self) -> Notice:
        """The check's line: the days, the rules, and what a report over them must do."""
        rules = [rule.clause(self.bucket) for rule in self.rules]
        return Notice(f"the logs of {self.through} and before may be archived ({'; '.join(rules)}): an Athena report "
                      "skips archived log objects not restored without a word, and warns of such days of its period; "
                      f"before reporting on them, {WHAT_TO_DO}", "archive_finding", through=str(self.through),
                      rules=rules)


@dataclass
class BucketLifecycles:
    """Each log bucket's lifecycle rules, read once (GetBucketLifecycleConfiguration), and what could not be read."""

    rules: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    unread: dict[str, str] = field(default_factory=dict)  # bucket -> why its rules are not known (a note)

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
                return None
        self.rules[bucket] = found
        return found


def not_checked(bucket: str, region: str, exc: Exception) -> Notice:
    """Why whether log objects are archived is not known: the read refused (the permission it needs) or failed."""
    if isinstance(exc, ClientError) and is_access_denied(exc):
        action = required_action(exc)
        why = Notice(f"grant {action} on the bucket ({READER_POLICY_FILE} grants it on bedrock-logs-* buckets)",
                     "lifecycle_grant", action=action, policy=READER_POLICY_FILE)
    else:
        why = Notice(f"reading them failed: {describe(exc)}", "lifecycle_failed", reason=describe(exc))
    return Notice(f"the lifecycle rules of log bucket {bucket} ({region}) could not be read, so whether any moved log "
                  f"objects to S3 Glacier, which Athena skips without a word unless restored, or deleted them is not "
                  f"checked: {why}",
                  "lifecycle_not_checked", bucket=bucket, region=region, why=why)


def due_through(prefix: str, days: int | None, on: date | None, key_prefix: str, today: date) -> date | None:
    """The newest day whose log objects under ``key_prefix`` (a region's, or a day's) a rule of ``prefix`` acting
    ``days`` after objects are written, or from ``on``, has had due by ``today``: its prefix takes some of them, and
    the earliest of that day's objects has been eligible since a midnight UTC on or before today (S3 counts the days
    to the midnight after an object is written). None when it takes none of them yet."""
    if not (key_prefix.startswith(prefix) or prefix.startswith(key_prefix)):
        return None
    if on is not None and on > today:
        return None
    due = 0 if on is not None else days or 0  # days after the midnight that follows the writes
    return today - timedelta(days=1 + due)


def days_after(first: date, last: date) -> list[date]:
    """The days after ``first`` up to ``last``."""
    return [first + timedelta(days=n) for n in range(1, (last - first).days + 1)]


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
    candidates = archive_rules(rules)
    archived, taking = [], []
    for day in days:
        prefix = f"{key_prefix}{day:%Y/%m/%d}/"
        matched = [rule for rule in candidates if rule.may_archive(day, prefix, today)]
        if matched:
            archived.append(day)
            taking += [rule for rule in matched if rule not in taking]
    return ArchivedDays(bucket, tuple(archived), tuple(taking)) if archived else None


def expired_days(bucket: str, rules: list[dict[str, Any]], day_prefixes: list[tuple[date, str]],
                 today: date | None = None) -> ExpiredDays | None:
    """The days whose log objects (each under its key prefix ``{region prefix}yyyy/MM/dd/``: one day may come with
    several accounts' prefixes) the bucket's lifecycle ``rules`` have deleted, or may have, by ``today`` (UTC:
    default, the clock's), with the rules that may; None when there are none."""
    today = today or datetime.now(UTC).date()
    candidates = expiry_rules(rules)
    deleted: set[date] = set()
    maybe: set[date] = set()
    taking: list[ExpiryRule] = []
    for day, prefix in day_prefixes:
        for rule in candidates:
            newest, sure = rule.deletes_through(prefix, today)
            if newest is None or day > newest:
                continue
            (deleted if sure is not None and day <= sure else maybe).add(day)
            taking += [rule] if rule not in taking else []
    if not taking:
        return None
    return ExpiredDays(bucket, tuple(sorted(deleted)), tuple(sorted(maybe - deleted)), tuple(taking))


def expired_through(bucket: str, key_prefix: str, rules: list[dict[str, Any]],
                    today: date | None = None) -> ExpiryFinding | None:
    """The newest day whose log objects under a region's ``key_prefix`` the bucket's lifecycle ``rules`` may have
    deleted by ``today`` (UTC: default, the clock's), the newest they have, and the rules that may; None when none
    may."""
    today = today or datetime.now(UTC).date()
    found = [(rule, *rule.deletes_through(key_prefix, today)) for rule in expiry_rules(rules)]
    found = [(rule, newest, sure) for rule, newest, sure in found if newest is not None]
    if not found:
        return None
    sure = [day for _, _, day in found if day is not None]
    return ExpiryFinding(bucket, max(newest for _, newest, _ in found), max(sure) if sure else None,
                         tuple(rule for rule, _, _ in found))


def archived_through(bucket: str, key_prefix: str, rules: list[dict[str, Any]],
                     today: date | None = None) -> ArchiveFinding | None:
    """The newest day whose log objects under a region's ``key_prefix`` the bucket's lifecycle ``rules`` may have
    archived by ``today`` (UTC: default, the clock's), with the rules that may; None when none may."""
    today = today or datetime.now(UTC).date()
    found = [(rule, newest) for rule in archive_rules(rules)
             if (newest := rule.archives_through(key_prefix, today)) is not None]
    if not found:
        return None
    return ArchiveFinding(bucket, max(newest for _, newest in found), tuple(rule for rule, _ in found))


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
