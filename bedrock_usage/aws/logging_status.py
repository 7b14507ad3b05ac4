"""Is Model Invocation Logging on in a region, can Bedrock write to its bucket, and are logs arriving?

Used by check_bedrock_logging.py and by the dashboard's per-region status panel; nothing here writes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

from botocore.exceptions import ClientError

from ..logs.layout import normalise_prefix, parse_key, region_prefix
from ..output.notices import Notice, clause
from .log_lifecycle import READER_POLICY_FILE, BucketLifecycles, archived_through, expired_through
from .logging_config import logging_regions, read_logging_config
from .provisioning import (
    BucketGrant,
    bucket_kms_key,
    is_aws_managed_key,
    key_managed_by_aws,
    policy_statements,
    read_bucket_policy,
    read_bucket_region,
    same_key,
)
from .session import AWS_ERRORS, Aws, describe, is_access_denied, partition, required_action

# What READER_POLICY_FILE grants on log buckets (statement ReadLogBuckets): the check's reads of the bucket
READER_LOG_BUCKET_GRANT = BucketGrant(
    "log bucket", "bedrock-logs-*",
    ("s3:GetBucketLocation", "s3:GetBucketPolicy", "s3:GetEncryptionConfiguration", "s3:GetLifecycleConfiguration",
     "s3:ListBucket"),
    "--log-bucket", None, READER_POLICY_FILE, "log bucket reader",
)
BEDROCK_SERVICE = "bedrock.amazonaws.com"
KMS_DOCS = "docs/aws-setup.md, 'Log buckets encrypted with SSE-KMS'"
CLOUDWATCH_ONLY = Notice("logs go to CloudWatch only; this tool reads them from S3", "logging_cloudwatch_only")
# What the check reads of a log bucket, named when a read fails (phrases the dashboard words in its language)
READ_BUCKET_REGION, READ_BUCKET_POLICY, READ_NEWEST_LOG, READ_ENCRYPTION = (
    "bucket region", "bucket policy", "newest log", "bucket encryption")
TEXT_OFF = Notice("text data delivery is off, so text model calls are not logged", "logging_text_off")
T = TypeVar("T")
# year/month/day/hour folders sit between a region's prefix and its log objects.
_DATE_FOLDER_DEPTH = 4


def managed_key_problem(bucket: str, region: str, account: str) -> Notice:
    """Why a bucket encrypted with the AWS managed key aws/s3 takes no logs, and what to set instead."""
    arns = bedrock_source_arns(region, account)
    return Notice(f"bucket {bucket} encrypts with the AWS managed key aws/s3, whose key policy cannot be changed to "
                  f"let {BEDROCK_SERVICE} use it, so Bedrock cannot write its logs there: set the bucket's default "
                  f"encryption to a customer managed key whose key policy lets {BEDROCK_SERVICE} use "
                  f"kms:GenerateDataKey for {arns}, or to SSE-S3 ({KMS_DOCS})", "logging_managed_key", bucket=bucket,
                  service=BEDROCK_SERVICE, arns=arns)


def bedrock_source_arns(region: str, account: str) -> str:
    """The pattern of Bedrock's aws:SourceArn in ``region`` for ``account``, as the Bedrock User Guide writes it."""
    return source_arn_start(region, account) + "*"


def missing_bucket(bucket: str) -> Notice:
    """The problem of a region whose log bucket does not exist."""
    return Notice(f"bucket {bucket} does not exist", "logging_bucket_missing", bucket=bucket)


def writer_sid(region: str) -> str:
    """The Sid setup gives the statement letting Bedrock in ``region`` write (its SourceArn names the region)."""
    return "AllowBedrockLogging" + "".join(part.capitalize() for part in region.split("-"))


@dataclass(frozen=True)
class PolicyVerdict:
    """Whether a bucket policy lets Bedrock put log objects; ``allows`` is None when it cannot be told."""

    allows: bool | None
    reason: str  # a Notice where it is a problem
    own_statement_kept: bool = False  # setup's statement for the region is there but lets no write: it needs replacing
    denied_by: str | None = None  # the statement (Sid, or "statement N") whose Deny applies to Bedrock's writes


@dataclass(frozen=True)
class LogObject:
    """The newest invocation-log object found under a region's prefix."""

    key: str
    last_modified: datetime


@dataclass(frozen=True)
class RegionLoggingStatus:
    """Model Invocation Logging as configured and observed in one region."""

    region: str
    enabled: bool
    bucket: str | None = None
    prefix: str | None = None
    bucket_region: str | None = None  # None while enabled: the bucket does not exist, or its location was refused
    bedrock_can_write: bool | None = None
    newest_log: LogObject | None = None
    problems: tuple[str, ...] = field(default_factory=tuple)
    error: str | None = None
    kms_key: str | None = None  # the bucket's SSE-KMS key, when it encrypts with one
    text_delivery: bool = True  # textDataDeliveryEnabled: off, text model calls (most of the bill) are not logged
    own_statement_kept: bool = False  # the policy's statement named as setup names it lets no write (PolicyVerdict)
    denied_by: str | None = None  # the policy statement whose Deny applies to Bedrock's writes (PolicyVerdict)
    kms_logs: bool = False  # the newest log was written under the bucket's key: Bedrock can use it
    # ``kms_key`` is an AWS managed key (aws/s3): by its name, or by its aliases when no log shows Bedrock can use it
    aws_managed_key: bool = False
    refused: tuple[str, ...] = ()  # the IAM actions AWS refused the check's reads (each also among ``problems``)
    # The newest day a lifecycle rule of the bucket may have archived (Athena skips such objects unless restored),
    # and the line saying so, or why the rules could not be read: a note, which the verdict does not depend on.
    archived_through: date | None = None
    archive_note: str | None = None
    # The newest day a lifecycle rule of the bucket may have deleted (no report can give its calls), and the line
    # saying so: a note too.
    expired_through: date | None = None
    expiry_note: str | None = None

    @property
    def destination_sound(self) -> bool:
        """Enabled with text delivery on, the bucket in the region (or its location unread), and no bucket policy
        known to stop Bedrock writing: what setup repairs. A refused read is no evidence of a fault (``unchecked``)."""
        return (self.enabled and self.text_delivery and self.bucket_region in (self.region, None)
                and self.bedrock_can_write is not False)

    @property
    def managed_key(self) -> bool:
        """The bucket encrypts with the AWS managed key aws/s3, whose key policy cannot let Bedrock use it, and no log
        shows otherwise (``kms_logs``)."""
        return self.aws_managed_key and not self.kms_logs

    @property
    def healthy(self) -> bool:
        """A sound destination whose default encryption Bedrock can use."""
        return self.destination_sound and not self.managed_key

    @property
    def unchecked(self) -> bool:
        """Healthy as far as read, but a read the verdict needs failed (bucket location, bucket policy, its
        evaluation, bucket encryption, the newest log): delivery is not confirmed."""
        return self.error is None and self.healthy and bool(self.problems)

    @property
    def delivers(self) -> bool:
        """Healthy, and every read the verdict needs succeeded: what check_bedrock_logging.py passes (``ok`` or
        ``no_logs``)."""
        return self.error is None and self.enabled and self.healthy and not self.problems

    @property
    def verdict(self) -> str:
        """What the check script's table and the dashboard's panel both say: ``error`` (unreadable), ``disabled``
        (not delivering to S3), ``problems`` (not healthy, or a part could not be checked), ``no_logs`` (healthy,
        nothing delivered yet) or ``ok``."""
        if self.error:
            return "error"
        if not self.enabled:
            return "disabled"
        if self.problems or not self.healthy:
            return "problems"
        return "ok" if self.newest_log else "no_logs"

    def log_folder(self, account: str) -> str:
        """The folder Bedrock writes ``account``'s logs to, which the bucket policy must let it put objects under."""
        return f"s3://{self.bucket}/{normalise_prefix(self.prefix)}AWSLogs/{account}/"


def check_regions(aws: Aws, regions: tuple[str, ...] | None, archive: bool = False) -> list[RegionLoggingStatus]:
    """The logging status of each region, in order (the dashboard's status panel); ``None``, as
    ``check_bedrock_logging.py`` without ``--regions``: every region whose logging delivers to S3, those whose logging
    goes to CloudWatch Logs only, then those whose configuration cannot be read (an empty list when logging is
    configured nowhere and every region could be read). ``archive``: as ``check_region``'s."""
    account = aws.account_id()
    if regions is not None:
        return [check_region(aws, region, account, archive=archive) for region in regions]
    found = logging_regions(aws, policy_file=READER_POLICY_FILE)
    return [check_region(aws, region, account, archive=archive)
            for region in found.regions + found.cloudwatch_only] + [
        RegionLoggingStatus(region, enabled=False, error=why) for region, why in sorted(found.unread.items())]


def check_region(aws: Aws, region: str, account: str, grant: BucketGrant = READER_LOG_BUCKET_GRANT,
                 archive: bool = False) -> RegionLoggingStatus:
    """The logging status of one region; AWS failures become ``error`` or ``problems``, never exceptions. A refused
    read names the policy the identity checking is meant to have (``grant``'s), unless it is a read of a bucket that
    policy does not cover (the caller says what grants it: ``refused_beyond``). ``archive``: the bucket's lifecycle
    rules are read too, once, for the newest day they may have archived (``archived_through``, ``archive_note``) and
    deleted (``expired_through``, ``expiry_note``)."""
    try:
        config = read_logging_config(aws.client("bedrock", region))
    except AWS_ERRORS as exc:
        return RegionLoggingStatus(region, enabled=False, error=describe(exc, grant.policy_file))
    bucket = (config.get("s3Config") or {}).get("bucketName")
    text_delivery = config.get("textDataDeliveryEnabled", True) is not False
    text_off = () if text_delivery else (TEXT_OFF,)
    if not bucket:
        cloudwatch_only = (CLOUDWATCH_ONLY, *text_off)
        return RegionLoggingStatus(region, False, problems=cloudwatch_only if config.get("cloudWatchConfig") else (),
                                   text_delivery=text_delivery)
    prefix = config["s3Config"].get("keyPrefix", "")
    s3 = aws.client("s3", region)
    reads = _Reads(grant.policy_file if grant.covers(bucket) else None, list(text_off))

    try:
        where = read_bucket_region(s3, bucket)
    except AWS_ERRORS as exc:
        where = None
        reads.failed(READ_BUCKET_REGION, exc)
    else:
        if where is None:
            reads.problems.append(missing_bucket(bucket))
            return RegionLoggingStatus(region, True, bucket, prefix, None, False, None, tuple(reads.problems),
                                       text_delivery=text_delivery)
        if where != region:
            reads.problems.append(Notice(f"bucket is in {where}; Bedrock delivers only to a bucket in {region}",
                                         "logging_bucket_elsewhere", where=where, region=region))

    verdict = reads.step(
        READ_BUCKET_POLICY,
        lambda: bedrock_write_verdict(read_bucket_policy(s3, bucket), bucket, prefix, account, region),
    )
    if verdict is not None and verdict.allows is not True:
        reads.problems.append(verdict.reason)

    newest = reads.step(READ_NEWEST_LOG, lambda: newest_log(s3, bucket, region_prefix(prefix, account, region)))
    kms_key = reads.step(READ_ENCRYPTION, lambda: bucket_kms_key(s3, bucket))
    written_with = _log_kms_key(s3, bucket, newest.key) if kms_key is not None and newest is not None else None
    kms_logs = written_with is not None and same_key(aws, kms_key, written_with, where or region)
    # A log written under the bucket's key shows Bedrock can use it whichever it is: its aliases are asked only
    # otherwise (a log written under another key, before the bucket's key changed, shows nothing of the new key).
    managed = kms_key is not None and (is_aws_managed_key(kms_key) if kms_logs else bool(reads.step(
        Notice(f"bucket encryption (whether key {kms_key} is the AWS managed key aws/s3)", "logging_key_read",
               key=kms_key),
        lambda: key_managed_by_aws(aws, kms_key, where or region, account))))
    if managed and not kms_logs:
        reads.problems.append(managed_key_problem(bucket, region, account))
    lifecycles = BucketLifecycles()
    rules = lifecycles.read(s3, bucket, region) if archive else None
    logs = region_prefix(prefix, account, region)
    archived = archived_through(bucket, logs, rules) if rules else None
    expired = expired_through(bucket, logs, rules) if rules else None
    return RegionLoggingStatus(
        region,
        enabled=True,
        bucket=bucket,
        prefix=prefix,
        bucket_region=where,
        bedrock_can_write=verdict.allows if verdict else None,
        newest_log=newest,
        problems=tuple(reads.problems),
        kms_key=kms_key,
        text_delivery=text_delivery,
        own_statement_kept=verdict.own_statement_kept if verdict else False,
        denied_by=verdict.denied_by if verdict else None,
        kms_logs=kms_logs,
        aws_managed_key=managed,
        refused=tuple(reads.refused),
        archived_through=archived.through if archived else None,
        archive_note=archived.line() if archived else lifecycles.unread.get(bucket),
        expired_through=expired.through if expired else None,
        expiry_note=expired.line() if expired else None,
    )


def refused_beyond(status: RegionLoggingStatus, grant: BucketGrant, reader: str) -> Notice | str:
    """What lets ``reader`` (setup, the check) read the bucket a region logs to where AWS refused its reads of S3 there
    and ``grant``'s policy grants them on other names only (``BucketGrant.reads_beyond``); '' for a bucket it covers,
    or when AWS refused no read of S3."""
    if grant.covers(status.bucket or "") or not any(action.startswith("s3:") for action in status.refused):
        return ""
    return grant.reads_beyond(status.bucket or "", reader)


@dataclass
class _Reads:
    """The check's reads of one region's bucket: what failed (``problems``), and the actions AWS refused."""

    policy_file: str | None
    problems: list[Notice]
    refused: list[str] = field(default_factory=list)

    def step(self, what: str | Notice, read: Callable[[], T]) -> T | None:
        """Run one read; on an AWS failure note it and give None, so the other checks still run."""
        try:
            return read()
        except AWS_ERRORS as exc:
            self.failed(what, exc)
            return None

    def failed(self, what: str | Notice, exc: Exception) -> None:
        """Note a read that failed (``what``: a phrase the dashboard words in its language), and the action when AWS
        refused it."""
        why = describe(exc, self.policy_file)
        self.problems.append(Notice(f"{what}: {why}", "logging_read_failed", what=what, why=why))
        if isinstance(exc, ClientError) and is_access_denied(exc):
            self.refused.append(required_action(exc))


def _log_kms_key(s3: Any, bucket: str, key: str) -> str | None:
    """The KMS key ARN an object was written under (HeadObject's ``SSEKMSKeyId``, "" when it names none); None when
    it was not written under SSE-KMS or cannot be read. A log Bedrock wrote under the bucket's key shows it can use
    the key, whatever the documentation leads one to expect."""
    try:
        head = s3.head_object(Bucket=bucket, Key=key)
    except AWS_ERRORS:
        return None
    return head.get("SSEKMSKeyId", "") if head.get("ServerSideEncryption") == "aws:kms" else None


def newest_log(s3: Any, bucket: str, prefix: str) -> LogObject | None:
    """The newest record object under a region's prefix, found by walking the date folders from the latest."""
    return _newest_under(s3, bucket, prefix, _DATE_FOLDER_DEPTH)


def _newest_under(s3: Any, bucket: str, prefix: str, depth: int) -> LogObject | None:
    folders, objects = _list_folder(s3, bucket, prefix)
    if depth == 0:
        # Payload objects (.../HH/data/) are folders at this level, so only record objects are left here.
        records = [obj for obj in objects if parse_key(obj["Key"])]
        if not records:
            return None
        newest = max(records, key=lambda obj: obj["Key"])
        return LogObject(newest["Key"], newest["LastModified"])
    for folder in sorted(folders, reverse=True):
        found = _newest_under(s3, bucket, folder, depth - 1)
        if found:
            return found
    return None


def first_log_day(s3: Any, bucket: str, prefix: str, found: tuple[str, ...] = ()) -> date | None:
    """The earliest ``yyyy/MM/dd`` day folder under a region's log ``prefix``, or None when there is none."""
    if len(found) == 3:
        try:
            return date(*(int(part) for part in found))
        except ValueError:
            return None
    folders, _ = _list_folder(s3, bucket, prefix)
    for folder in sorted(folders):
        name = folder[len(prefix) :].rstrip("/")
        if name.isdigit():
            day = first_log_day(s3, bucket, folder, (*found, name))
            if day:
                return day
    return None


def _list_folder(s3: Any, bucket: str, prefix: str) -> tuple[list[str], list[dict[str, Any]]]:
    folders: list[str] = []
    objects: list[dict[str, Any]] = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix, Delimiter="/"):
        folders.extend(entry["Prefix"] for entry in page.get("CommonPrefixes", []))
        objects.extend(page.get("Contents", []))
    return folders, objects


def bedrock_write_verdict(
    policy: dict[str, Any] | None, bucket: str, prefix: str, account: str, region: str
) -> PolicyVerdict:
    """Whether ``policy`` lets Bedrock of ``account`` in ``region`` put objects under the log prefix."""
    if policy is None:
        return PolicyVerdict(False, Notice(f"bucket {bucket} has no policy, so Bedrock cannot write to it",
                                           "logging_no_policy", bucket=bucket))
    request = _bedrock_write(bucket, prefix, account, region)
    allowed_by: list[str] = []
    undecided: dict[str, list[str]] = {"Allow": [], "Deny": []}
    for number, statement in enumerate(policy_statements(policy)):
        name = statement.get("Sid") or f"statement {number + 1}"
        applies = _statement_applies(statement, request)
        if applies is None:
            conditions = ", ".join(_undecided_conditions(statement.get("Condition") or {}, request))
            undecided.setdefault(str(statement.get("Effect")), []).append(f"{name} ({conditions})")
        elif applies and statement.get("Effect") == "Deny":
            return PolicyVerdict(False, Notice(f"bucket policy statement {name} denies Bedrock's log writes",
                                               "logging_policy_denies", name=name), denied_by=name)
        elif applies and statement.get("Effect") == "Allow":
            allowed_by.append(name)
    if allowed_by and not undecided["Deny"]:
        return PolicyVerdict(True, f"allowed by {', '.join(allowed_by)}")
    if allowed_by or undecided["Allow"]:
        unknown = undecided["Deny"] or undecided["Allow"]
        return PolicyVerdict(None, _undecided_reason(unknown, request["aws:sourcearn"]))
    where = f"{normalise_prefix(prefix)}AWSLogs/{account}/"
    own = any(statement.get("Sid") == writer_sid(region) for statement in policy_statements(policy))
    return PolicyVerdict(False, Notice(f"bucket policy has no statement letting {BEDROCK_SERVICE} s3:PutObject under "
                                       f"{where}", "logging_no_statement", service=BEDROCK_SERVICE, where=where),
                         own_statement_kept=own)


def _bedrock_write(bucket: str, prefix: str, account: str, region: str) -> dict[str, str]:
    """The request context of Bedrock putting one log object under ``prefix``, as a bucket policy sees it."""
    return {
        "action": "s3:PutObject",
        "resource": f"arn:{partition(region)}:s3:::{bucket}/{region_prefix(prefix, account, region)}"
                    "2025/01/01/00/log.json.gz",
        "aws:sourceaccount": account,
        "aws:sourcearn": source_arn_start(region, account),
        "aws:securetransport": "true",
        "aws:principalisawsservice": "true",
        "aws:principalservicename": BEDROCK_SERVICE,
    }


def grants_bedrock_writes(statement: dict[str, Any], objects_arn: str, bucket: str, prefix: str, account: str,
                          region: str) -> bool:
    """Whether one statement lets Bedrock of ``account`` in ``region`` put every log object ``objects_arn`` (a pattern
    ending in ``*``) covers, as setup's own statement does: an Allow naming the bedrock.amazonaws.com service principal
    (no NotPrincipal, NotAction or NotResource), an action matching s3:PutObject, a resource that is that pattern or
    a plain prefix of it followed by ``*``, and conditions that hold for every such write (IAM User Guide, "Policy
    evaluation logic": an Allow applies when its principal, action, resource and every condition match)."""
    if statement.get("Effect") != "Allow" or not _names_bedrock(statement.get("Principal")):
        return False
    if any(key in statement for key in ("NotPrincipal", "NotAction", "NotResource")):
        return False
    if not _any_match(statement.get("Action"), "s3:PutObject", case=False):
        return False
    if not any(_covers_objects(str(resource), objects_arn) for resource in _as_list(statement.get("Resource"))):
        return False
    return _conditions_hold(statement.get("Condition") or {}, _bedrock_write(bucket, prefix, account, region)) is True


def _covers_objects(resource: str, objects_arn: str) -> bool:
    """Whether a statement's resource matches every ARN ``objects_arn`` (a literal prefix then ``*``) matches: the same
    pattern, or a literal start of it followed by ``*``; any other wildcard is not decided, so not taken to."""
    if resource == objects_arn:
        return True
    start = resource.removesuffix("*")
    return resource.endswith("*") and not any(char in start for char in "*?") and objects_arn.startswith(start)


def source_arn_start(region: str, account: str) -> str:
    """What is known of Bedrock's aws:SourceArn when it writes logs: the ARN up to its resource, which is not
    documented (the Bedrock User Guide's bucket policy matches it with ArnLike ``arn:aws:bedrock:{region}:{account}:*``,
    "Monitor model invocation using CloudWatch Logs and Amazon S3")."""
    return f"arn:{partition(region)}:bedrock:{region}:{account}:"


def _undecided_reason(statements: list[str], source_arn: str) -> Notice:
    """Why the verdict is unknown: each statement with the conditions that could not be decided."""
    named = "; ".join(statements)
    source = clause(f": Bedrock's aws:SourceArn is {source_arn}<resource>, its resource not known, so a condition on "
                    f"it is decided only when every such ARN gives one answer (ArnLike {source_arn}* matches them all; "
                    "StringEquals takes * literally)" if "aws:sourcearn" in named.lower() else "",
                    "logging_source_arn", arn=source_arn)
    return Notice(f"cannot tell whether bucket policy statement(s) {named} apply to Bedrock's log writes (a condition "
                  f"key, operator or value this check cannot decide){source}", "logging_policy_undecided",
                  statements=named, source=source)


def _undecided_conditions(conditions: dict[str, Any], request: dict[str, str]) -> list[str]:
    """The ``operator key`` of each condition of a statement that cannot be decided for Bedrock's write."""
    return [f"{operator} {key}" for operator, tests in conditions.items() for key, expected in tests.items()
            if _condition_holds(operator, key, expected, request) is None]


def _statement_applies(statement: dict[str, Any], request: dict[str, str]) -> bool | None:
    """True/False when a statement does/does not cover the request; None when it cannot be evaluated."""
    if not _covers_principal(statement):
        return False
    if "NotAction" in statement:
        if _any_match(statement["NotAction"], request["action"], case=False):
            return False
    elif not _any_match(statement.get("Action"), request["action"], case=False):
        return False
    if "NotResource" in statement:
        if _any_match(statement["NotResource"], request["resource"]):
            return False
    elif not _any_match(statement.get("Resource"), request["resource"]):
        return False
    return _conditions_hold(statement.get("Condition") or {}, request)


def _covers_principal(statement: dict[str, Any]) -> bool:
    if "NotPrincipal" in statement:  # everyone except the principals named
        return not _names_bedrock(statement["NotPrincipal"])
    principal = statement.get("Principal")
    if principal == "*":
        return True
    return _names_bedrock(principal) or (isinstance(principal, dict) and "*" in _as_list(principal.get("AWS")))


def _names_bedrock(principal: Any) -> bool:
    return isinstance(principal, dict) and BEDROCK_SERVICE in _as_list(principal.get("Service"))


def _conditions_hold(conditions: dict[str, Any], request: dict[str, str]) -> bool | None:
    """Whether every condition holds (IAM ANDs them): False when one fails, None when one cannot be told."""
    held = [_condition_holds(operator, key, expected, request)
            for operator, tests in conditions.items() for key, expected in tests.items()]
    if False in held:
        return False
    return None if None in held else True


def _condition_holds(operator: str, key: str, expected: Any, request: dict[str, str]) -> bool | None:
    """One operator over one key for Bedrock's write; None for a key or operator this check cannot decide."""
    name = key.lower()  # IAM matches condition key names ignoring case
    if name == TLS_VERSION_KEY and ":" not in operator:
        return _tls_condition(operator.removesuffix("IfExists"), _as_list(expected))
    if ":" in operator or not name.startswith("aws:"):
        return None  # ForAnyValue:/ForAllValues: set operators, service keys (s3:x-amz-...): not evaluated
    if name not in request and name not in ABSENT_FOR_SERVICE:
        return None
    actual = request.get(name)
    patterns = [str(value) for value in _as_list(expected)]
    base = operator.removesuffix("IfExists")
    if base == "Null":
        return any((pattern.lower() == "true") == (actual is None) for pattern in patterns)
    if actual is None:
        # IAM User Guide, "Condition operators": a key missing from the request matches nothing, so a negated
        # operator holds and any other fails, unless the operator ends in IfExists.
        return base != operator or base in _NEGATED
    positive = _NEGATED.get(base, base)
    if name in OPEN_ENDED:
        held = _open_ended_match(positive, patterns, actual)
        return None if held is None else held is (positive == base)
    matcher = _MATCHERS.get(positive)
    if matcher is None:
        return None
    return matcher(patterns, actual) is (positive == base)


def _tls_condition(operator: str, expected: list[Any]) -> bool | None:
    """A numeric operator over s3:TlsVersion for Bedrock's write, which comes over TLS 1.2 or 1.3 (S3 takes no other
    version on any endpoint: Amazon S3 User Guide, "Protecting data in transit with encryption"): decided when both
    versions give the same answer, None when they differ or the operator is not a numeric comparison."""
    compare = _NUMERIC.get(operator)
    try:
        limits = [float(value) for value in expected]
    except (TypeError, ValueError):
        return None
    if compare is None or not limits:
        return None
    answers = {any(compare(version, limit) for limit in limits) for version in BEDROCK_TLS_VERSIONS}
    return answers.pop() if len(answers) == 1 else None


def _open_ended_match(operator: str, patterns: list[str], start: str) -> bool | None:
    """Whether ``operator`` matches every value that opens with ``start`` (True), none of them (False), or only some
    (None, the answer depends on what follows ``start``); None too for an operator not decided on such a value."""
    tails: list[tuple[str, ...]] = []
    for pattern in patterns:
        found = _pattern_tails(operator, pattern, start)
        if found is None:
            return None
        tails += found
    if not tails:
        return False
    return True if _matches_every_string(tails) else None


def _pattern_tails(operator: str, pattern: str, start: str) -> list[tuple[str, ...]] | None:
    """What of ``pattern`` is left to match what follows ``start``, one tail per way it can match ``start``
    (none: it cannot); None for an operator that is not a string or ARN comparison."""
    if operator in ("ArnEquals", "ArnLike"):
        parts, known = pattern.split(":", 5), start.split(":", 5)
        if len(parts) != len(known):
            return _tails(_tokens(pattern), start)
        fixed = all(_any_match(want, part) for want, part in zip(parts[:5], known[:5], strict=True))
        return [_tokens(parts[5])] if fixed else []
    if operator == "StringLike":
        return _tails(_tokens(pattern), start)
    if operator == "StringEquals":
        return _tails(tuple(pattern), start)
    if operator == "StringEqualsIgnoreCase":
        return _tails(tuple(pattern.lower()), start.lower())
    return None


def _tokens(pattern: str) -> tuple[str, ...]:
    """An IAM wildcard pattern as tokens: ``_RUN`` for ``*``, ``_ONE`` for ``?``, else one character each."""
    return tuple({"*": _RUN, "?": _ONE}.get(char, char) for char in pattern)


def _tails(glob: tuple[str, ...], start: str) -> list[tuple[str, ...]]:
    """The rests of ``glob`` once ``start`` is matched, one per way of matching it (none: it cannot be)."""
    states = _closure([glob], {(0, 0)})
    for char in start:
        states = _advance([glob], states, char)
    return [glob[position:] for _, position in states]


def _matches_every_string(globs: list[tuple[str, ...]]) -> bool:
    """Whether every string matches at least one of ``globs``: every set of states reachable on the characters they
    name, and on one character they do not (``_OTHER``), must hold an accepting state."""
    alphabet = {token for glob in globs for token in glob if token not in (_RUN, _ONE)} | {_OTHER}
    start = _closure(globs, {(number, 0) for number in range(len(globs))})
    seen, todo = {start}, [start]
    while todo:
        states = todo.pop()
        if not any(position == len(globs[number]) for number, position in states):
            return False
        for char in alphabet:
            following = _advance(globs, states, char)
            if following not in seen:
                seen.add(following)
                todo.append(following)
    return True


def _advance(globs: list[tuple[str, ...]], states: frozenset[tuple[int, int]], char: str) -> frozenset[tuple[int, int]]:
    """The states (glob, position) after one more character."""
    moved = set()
    for number, position in states:
        token = globs[number][position] if position < len(globs[number]) else None
        if token == _RUN:
            moved.add((number, position))
        elif token is not None and token in (_ONE, char):
            moved.add((number, position + 1))
    return _closure(globs, moved)


def _closure(globs: list[tuple[str, ...]], states: set[tuple[int, int]]) -> frozenset[tuple[int, int]]:
    """``states`` and the states past each ``*`` they stand before (a run may be empty)."""
    found, todo = set(states), list(states)
    while todo:
        number, position = todo.pop()
        if position < len(globs[number]) and globs[number][position] == _RUN and (number, position + 1) not in found:
            found.add((number, position + 1))
            todo.append((number, position + 1))
    return frozenset(found)


def _arn_match(patterns: list[str], actual: str) -> bool:
    """ArnEquals/ArnLike: each of an ARN's six colon-separated parts is matched apart, wildcards included."""
    parts = actual.split(":", 5)
    for pattern in patterns:
        pattern_parts = pattern.split(":", 5)
        if len(pattern_parts) != len(parts):
            if _any_match(pattern, actual):
                return True
        elif all(_any_match(want, part) for want, part in zip(pattern_parts, parts, strict=True)):
            return True
    return False


# Keys absent from the request context of a service principal's call, from each key's "Availability" on the IAM User
# Guide's page "AWS global condition context keys":
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
# aws:PrincipalOrgID and aws:PrincipalOrgPaths are "included in the request context only if the principal is a member
# of an organization", and an org-only policy also stops "AWS services ... such as AWS CloudTrail sending log data to
# your Amazon S3 buckets" (the page's note on aws:PrincipalOrgID). Present, as ``request`` holds them:
# aws:PrincipalIsAWSService ("present in the request context for all signed API requests", true for a service
# principal's direct call), aws:PrincipalServiceName ("present in the request when the call is made by an AWS service
# principal"), aws:SourceAccount and aws:SourceArn (a service principal calling on behalf of a resource) and
# aws:SecureTransport (always). aws:PrincipalAccount, aws:PrincipalType and aws:userid are in every request, but the
# page gives no value for a service principal: they, like every other aws: key, cannot be decided.
ABSENT_FOR_SERVICE = frozenset({"aws:principalorgid", "aws:principalorgpaths"})
TLS_VERSION_KEY = "s3:tlsversion"
BEDROCK_TLS_VERSIONS = (1.2, 1.3)  # what any request to S3 can use, so Bedrock's writes too
_NUMERIC: dict[str, Callable[[float, float], bool]] = {
    "NumericLessThan": lambda value, limit: value < limit,
    "NumericLessThanEquals": lambda value, limit: value <= limit,
    "NumericGreaterThan": lambda value, limit: value > limit,
    "NumericGreaterThanEquals": lambda value, limit: value >= limit,
    "NumericEquals": lambda value, limit: value == limit,
    "NumericNotEquals": lambda value, limit: value != limit,
}
# Keys whose value in ``request`` is only how the real value opens (Bedrock's aws:SourceArn, ``source_arn_start``):
# a condition on one is decided only when every value opening so gives the same answer.
OPEN_ENDED = frozenset({"aws:sourcearn"})
# Wildcard tokens of a pattern, and a character no pattern names; no single character equals any of them.
_RUN, _ONE, _OTHER = "*run", "?one", "other"
_NEGATED = {"StringNotEquals": "StringEquals", "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
            "StringNotLike": "StringLike", "ArnNotEquals": "ArnEquals", "ArnNotLike": "ArnLike",
            "NumericNotEquals": "NumericEquals", "DateNotEquals": "DateEquals", "NotIpAddress": "IpAddress"}
_MATCHERS: dict[str, Callable[[list[str], str], bool]] = {
    "StringEquals": lambda patterns, actual: actual in patterns,
    "StringEqualsIgnoreCase": lambda patterns, actual: actual.lower() in [p.lower() for p in patterns],
    "StringLike": lambda patterns, actual: _any_match(patterns, actual),
    "ArnEquals": _arn_match,
    "ArnLike": _arn_match,
    "Bool": lambda patterns, actual: actual in [p.lower() for p in patterns],
}


def _any_match(patterns: Any, value: str, case: bool = True) -> bool:
    """IAM wildcard matching: ``*`` is any run of characters, ``?`` any one."""
    for pattern in _as_list(patterns):
        regex = re.escape(str(pattern)).replace(r"\*", ".*").replace(r"\?", ".")
        if re.fullmatch(regex, value, 0 if case else re.IGNORECASE):
            return True
    return False


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
