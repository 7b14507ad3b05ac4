"""Idempotent setup steps: what each step did to a resource, and the private S3 buckets the scripts create.

Every step reads the current state first and writes only when it differs, so a second run changes nothing;
in a dry run it reads but never writes. A resource that exists with other settings is someone's configuration:
it is left as it is, and reported old -> new, unless the user passed ``--replace-existing`` (``REPLACE_OPTION``).
What only adds to it, or what this run's own options name, needs no option (and is reported old -> new too).
"""

from __future__ import annotations

import dataclasses
import json
import re
import shlex
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from string import Formatter
from typing import Any

from botocore.exceptions import ClientError

from ..errors import SetupRequired, UsageError
from ..output.notices import Notice
from .session import AWS_ERRORS, Aws, describe, error_code, is_access_denied, required_action

CREATE, UPDATE, NONE, KEEP = "create", "update", "none", "keep"
SKIP = "skip"  # a create or update a real run did not make, as what would use it was left as it is
WRITES = (CREATE, UPDATE)
REPLACE_OPTION = "--replace-existing"

_BUCKET_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
# Amazon S3 User Guide, "General purpose bucket naming rules": names S3 keeps for itself or refuses.
_IP_ADDRESS_RE = re.compile(r"^\d+\.\d+\.\d+\.\d+$")
_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")
_BLOCK_ALL_PUBLIC_ACCESS = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}
NO_ENCRYPTION = "none"
AWS_MANAGED_KEY = "the AWS managed key aws/s3"
AWS_ALIAS_PREFIX = "alias/aws/"  # reserved for AWS managed keys
_KEY_ARN_RE = re.compile(r"^arn:[a-z-]+:kms:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):key/")
_ALL_BLOCKED = "all four blocked"
TEAM_BUCKETS_DOCS = 'docs/aws-setup.md, "A team\'s own bucket names"'


@dataclass(frozen=True)
class Difference:
    """One setting of an existing resource that setup would replace: what it holds and what it would become."""

    setting: str
    old: str
    new: str

    def __str__(self) -> str:
        return " ".join(part for part in (self.setting, self.old, "->", self.new) if part)


@dataclass(frozen=True)
class Change:
    """One resource a step looked at and what it did to it (in a dry run: what it would do); ``differences`` are
    its settings that were changed, old -> new (or, when it was left as it is, would have been)."""

    resource: str
    action: str
    applied: bool
    detail: str = ""
    differences: tuple[Difference, ...] = ()
    needed: bool = True  # False: hardening the setup's purpose does not need (logs are written without it)
    in_use: bool = False  # True: the region's own setting, left as it is because it already works in setup's stead

    @property
    def outcome(self) -> str:
        """``created``, ``updated``, ``unchanged``, ``left as it is``, ``not made``, ``would create`` or ``would
        update``."""
        if self.action == NONE:
            return "unchanged"
        if self.action == KEEP:
            return "left as it is"
        if self.action == SKIP:
            return "not made"
        return f"{self.action}d" if self.applied else f"would {self.action}"


@dataclass
class RegionSetup:
    """What the setup of one region did; ``error`` says why it stopped early, ``warning`` what keeps the region from
    working outside what setup makes (it makes its part all the same) and what to run about it."""

    region: str
    target: str = ""
    changes: list[Change] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str | None = None
    warning: str | None = None

    @property
    def changed(self) -> bool:
        """True when any resource was (or would be) created or updated."""
        return bool(self.made())

    def made(self) -> list[Change]:
        """The changes that created or updated a resource (in a dry run: would)."""
        return [change for change in self.changes if change.action in WRITES]

    @property
    def left_as_is(self) -> list[str]:
        """The resources the region needs that differ from what setup wants and were left as they are (no
        ``--replace-existing``): the region is not set up."""
        return [change.resource for change in self.changes if change.action == KEEP and change.needed]

    @property
    def hardening_left_as_is(self) -> list[str]:
        """Hardening an existing resource goes without and was left so (the region works without it)."""
        return [change.resource for change in self.changes
                if change.action == KEEP and not change.needed and not change.in_use]

    @property
    def kept_destination(self) -> str | None:
        """Where the region's own setting that works in setup's stead points (``target``: logging that already
        delivers elsewhere, kept as the region's); None when setup's own is used."""
        return self.target if any(change.in_use for change in self.changes) else None

    @property
    def advice(self) -> str | None:
        """What hardening was left as the owner has it, and what was kept as the region's, and how to change them."""
        kept = self.hardening_left_as_is
        hardening = (f"left as the owner has it (setup works without it): {', '.join(kept)}; to apply it, run again "
                     f"with {REPLACE_OPTION}") if kept else ""
        own = [change.resource for change in self.changes if change.action == KEEP and change.in_use]
        in_use = (f"kept as the region's (it already works): {', '.join(own)}, delivering to {self.kept_destination}; "
                  f"to move it to setup's destination instead, run again with {REPLACE_OPTION}") if own else ""
        return "; ".join(filter(None, (in_use, hardening))) or None

    @property
    def problem(self) -> str | None:
        """Why the region is not set up, as the table says it under the region's old -> new lines."""
        return self.problem_text()

    def problem_text(self, in_json: bool = False) -> str | None:
        """Why the region is not set up: its error, or else what was left as it is, where its old -> new is (above in
        the table, in its changes' differences ``in_json``) and how to change it; then its ``warning``."""
        kept = self.left_as_is
        if self.error or not kept:
            found = self.error
        else:
            one = len(kept) == 1
            shown = ("in its change's differences" if one else "in their changes' differences") if in_json else "above"
            found = (f"left as it is: {', '.join(kept)}; to change {'it' if one else 'them'} (old -> new {shown}), run "
                     f"again with {REPLACE_OPTION}")
        return "; ".join(filter(None, (found, self.warning))) or None


def run_region(region: str, step: Callable[[RegionSetup], None], policy_file: str) -> RegionSetup:
    """Run one region's ``step``; a failure stops that region only and is recorded with what was done."""
    result = RegionSetup(region)
    try:
        step(result)
    except (UsageError, SetupRequired) as exc:
        result.error = str(exc)
    except AWS_ERRORS as exc:
        result.error = describe(exc, policy_file)
    return result


def decide_change(
    resource: str,
    exists: bool,
    replace: bool,
    differences: Sequence[Difference] = (),
    asked: Sequence[Difference] = (),
    detail: str = "",
    needed: bool = True,
) -> Change:
    """What a step does to a resource, before anything is written: create it when missing; of an existing one, make
    the ``asked`` changes (ones that only add, or that set what this run's own options name) and replace the
    settings in ``differences`` (what someone chose) only when ``replace`` - without it nothing is written and the
    resource is left as it is. ``detail`` (what it holds, where it points) is shown when nothing is old -> new;
    ``needed`` False marks hardening the region works without."""
    if not exists:
        return Change(resource, CREATE, False, detail, needed=needed)
    shown = (*differences, *asked)
    if not shown:
        return Change(resource, NONE, True, detail, needed=needed)
    return Change(resource, KEEP if differences and not replace else UPDATE, False, "", shown, needed)


def carry_out(changes: Sequence[Change], write: Callable[[], object], dry_run: bool) -> list[Change]:
    """``write`` once for the changes that create or update (never in a dry run); the changes, those marked applied
    when written."""
    if dry_run or not any(change.action in WRITES for change in changes):
        return list(changes)
    write()
    return [dataclasses.replace(change, applied=True) if change.action in WRITES else change for change in changes]


@dataclass(frozen=True)
class Write:
    """One request a step makes, decided before any is made: its changes (one PutBucketPolicy makes several), the
    request, and the AWS CLI command that puts back what it replaces, with the action that command needs (Amazon S3
    API Reference: DeletePublicAccessBlock needs s3:PutBucketPublicAccessBlock, DeleteBucketEncryption
    s3:PutEncryptionConfiguration, DeleteBucketLifecycle s3:PutLifecycleConfiguration, DeleteBucketPolicy
    s3:DeleteBucketPolicy, DeleteBucket s3:DeleteBucket). ``puts_back`` names, by the start of their resource, the
    later writes its undo puts back too: a bucket made in the run, deleted, every write to it; a Glue database made in
    the run, every table made in it. A request that makes what uses the bucket (a Data Exports export) is one too, its
    undo, where it names what the request made (the export's ARN), ``undo_of`` its answer; ``first`` are the commands
    to run before the undo (emptying a bucket the run made of what the run wrote into it)."""

    changes: tuple[Change, ...]
    request: Callable[[], object]
    undo: str
    undo_action: str
    puts_back: tuple[str, ...] = ()
    undo_of: Callable[[Any], str] | None = None
    first: tuple[str, ...] = ()

    @property
    def writes(self) -> bool:
        """Whether it creates or updates anything."""
        return any(change.action in WRITES for change in self.changes)

    def holds(self, resource: str) -> bool:
        """Whether ``resource`` is this write's own, or one its undo puts back too."""
        return resource == self.changes[0].resource or any(resource.startswith(start) for start in self.puts_back)


def aws_command(service: str, command: str, region: str, *options: str) -> str:
    """An ``aws`` command (AWS CLI Command Reference), its options then ``--region``, quoted for a shell."""
    return shlex.join(["aws", service, command, *options, "--region", region])


def s3api(command: str, bucket: str, region: str, *options: str) -> str:
    """An ``aws s3api`` command on ``bucket`` (AWS CLI Command Reference, s3api), quoted for a shell."""
    return aws_command("s3api", command, region, "--bucket", bucket, *options)


class PartlyWritten(SetupRequired):
    """AWS refused a request of a step (or the step stopped) after the step had written: ``made`` are the writes
    made, each with its old -> new and how to put it back; ``changes`` all the step decided, those not made marked
    SKIP; ``left``, where the bucket's writes were all made, the steps that use the bucket not made, the refused one
    first. ``policy_file`` is named beside a refused action."""

    def __init__(self, cause: Exception, made: Sequence[Write], changes: Sequence[Change], left: Sequence[str] = (),
                 policy_file: str | None = None) -> None:
        self.cause = cause
        self.made = tuple(made)
        self.changes = list(changes)
        self.left = tuple(left)
        super().__init__(self.explained(refusal_said(cause, policy_file)))

    def explained(self, refusal: str) -> str:
        """``refusal`` (why AWS refused), then what the step had made before it, old -> new, and how to put it
        back (``put_back``), kept, where the steps left use it, as a run again needs it."""
        if self.left:
            *before, last = self.left
            steps = f"{', '.join(before)} and {last} are the steps left" if before else f"{last} is the one step left"
            buckets = {change.resource.split(":")[0] for write in self.made for change in write.changes
                       if change.resource.startswith("bucket ")}
            ready = {0: "", 1: "the bucket is ready: "}.get(len(buckets), "the buckets are ready: ")
            return (f"{refusal}; made before that, kept as a run again needs them ({ready}{steps}): "
                    f"{put_back(self.made)}")
        return f"{refusal}; made before that, the rest not: {put_back(self.made)}"


def refusal_said(cause: Exception, policy_file: str | None) -> str:
    """What a refusal says: a setup step's own stop (SetupRequired) as it is, AWS's refusal described
    (``describe``)."""
    return str(cause) if isinstance(cause, SetupRequired) else str(describe(cause, policy_file))


def compact_json(value: Any) -> str:
    """``value`` as JSON on one line, without spaces: a command's argument, or a setting's value in an old -> new
    line."""
    return json.dumps(value, separators=(",", ":"))


def put_back(made: Sequence[Write]) -> str:
    """The writes ``made``, each old -> new (or created), grouped under the command that puts them back and the action
    it needs: a bucket or Glue database made in the run, deleted, puts back every write to it or table in it; any
    other write, its own command."""
    creations = [write for write in made if write.puts_back]
    groups: dict[int, tuple[list[Write], Write]] = {}
    for write in made:
        undo = next((creation for creation in creations
                     if all(creation.holds(change.resource) for change in write.changes)), write)
        groups.setdefault(id(undo), ([], undo))[0].append(write)
    return "; ".join(
        f"{', '.join(_made(c) for write in writes for c in write.changes if c.action in WRITES)} (to put it back: "
        f"{_commands(undo)}, which needs {undo.undo_action})" for writes, undo in groups.values())


def _commands(write: Write) -> str:
    """The command that puts ``write`` back, after those to run first."""
    return ", then ".join(f"`{command}`" for command in (*write.first, write.undo))


def _made(change: Change) -> str:
    """A change made, as the refusal after it names it: ``resource: old -> new``, or ``resource: created (what)``."""
    made = ", ".join(map(str, change.differences)) or " ".join(filter(None, (change.outcome, change.detail and
                                                                            f"({change.detail})")))
    return f"{change.resource}: {made}"


class RegionWrites:
    """The writes of one region's setup steps (to a bucket, then to what uses it: the Glue database, table and
    workgroup), made in the order asked (never in a dry run, ``dry_run``), and those made: AWS refusing a later request
    (``guarded``, ``then``) raises PartlyWritten naming them, and the ``earlier`` writes of a step before them (another
    bucket's, kept as a run again needs them) first."""

    def __init__(self, dry_run: bool, earlier: Sequence[Write] = ()) -> None:
        self.dry_run = dry_run
        self.earlier = tuple(earlier)
        self.made: list[Write] = []
        self.unmade: list[Write] = []

    @property
    def all_made(self) -> list[Write]:
        """The ``earlier`` writes and those made here, in order: what a later step's refusal names."""
        return [*self.earlier, *self.made]

    def make(self, *writes: Write) -> list[list[Change]]:
        """Make ``writes`` in their order; each one's changes, those written marked applied."""
        self.unmade = list(writes)
        done = []
        for write in writes:
            changes = list(write.changes)
            if write.writes and not self.dry_run:
                answer = write.request()
                changes = [dataclasses.replace(c, applied=True) if c.action in WRITES else c for c in changes]
                undo = write.undo_of(answer) if write.undo_of else write.undo
                self.made.append(dataclasses.replace(write, changes=tuple(changes), undo=undo))
            self.unmade.remove(write)
            done.append(changes)
        return done

    @contextmanager
    def guarded(self, record: list[Change]) -> Iterator[None]:
        """Within the block, AWS refusing a request once a write was made (or the step stopping there: a bucket name
        taken, a bucket in another Region) raises PartlyWritten, its changes added to ``record``; before any, the
        refusal goes on as it came (nothing was changed)."""
        try:
            yield
        except (*AWS_ERRORS, SetupRequired) as exc:
            if not self.earlier and not self.made:
                raise
            unmade = [_not_made(change) for write in self.unmade for change in write.changes]
            failed = PartlyWritten(exc, self.all_made, [c for w in self.made for c in w.changes] + unmade)
            record += failed.changes
            raise failed from None

    def finish(self, change: Change, request: Callable[[], object], record: list[Change]) -> None:
        """Once the bucket's writes are made, the request that uses the bucket (``change``: the logging
        configuration), never in a dry run, its change added to ``record``; refused, ``then`` says what."""
        with self.then(record, [change]):
            record += carry_out([change], request, self.dry_run)

    @contextmanager
    def then(self, record: list[Change], steps: Sequence[Change | str], policy_file: str | None = None
             ) -> Iterator[None]:
        """Within the block, the ``steps`` that use the bucket once its writes are made, in order, each done when
        ``record`` holds its resource (a step given as its decided Change, or as the resource it makes). AWS refusing
        a request there after a write was made raises PartlyWritten naming the writes as what a run again needs and
        the steps not done as those left, a decided one recorded not made; before any, the refusal goes on as it
        came."""
        try:
            yield
        except AWS_ERRORS as exc:
            if not self.earlier and not self.made:
                raise
            done = {change.resource for change in record}
            left = [step for step in steps if (step if isinstance(step, str) else step.resource) not in done]
            unmade = [_not_made(step) for step in left if isinstance(step, Change)]
            record += unmade
            raise PartlyWritten(exc, self.all_made, [*(c for w in self.made for c in w.changes), *unmade],
                                [step if isinstance(step, str) else step.resource for step in left],
                                policy_file) from None


def _not_made(change: Change) -> Change:
    """A change as a step that stopped before it leaves it: a create or update ``SKIP``, not made."""
    return dataclasses.replace(change, action=SKIP) if change.action in WRITES else change


def set_apart(found: Sequence[Difference], settings: Collection[str]) -> tuple[list[Difference], list[Difference]]:
    """``found`` split into the differences someone chose and those of ``settings`` (what this run's options set)."""
    return [d for d in found if d.setting not in settings], [d for d in found if d.setting in settings]


def find_differences(current: Mapping[str, Any], desired: Mapping[str, Any], prefix: str = "") -> list[Difference]:
    """The settings, keyed by dotted path, in which ``current`` differs from ``desired`` (either's keys; key order
    and one-item lists make no difference)."""
    found = []
    for key in [*desired, *(key for key in current if key not in desired)]:
        have, want = current.get(key), desired.get(key)
        if isinstance(have, dict) and isinstance(want, dict):
            found += find_differences(have, want, f"{prefix}{key}.")
        elif _canonical(have) != _canonical(want):
            found.append(Difference(f"{prefix}{key}", shown(have), shown(want)))
    return found


def shown(value: Any) -> str:
    """A setting's value as the old -> new lines print it."""
    if value is None or value == "":
        return "(none)"
    if isinstance(value, bool):
        return str(value).lower()
    return value if isinstance(value, str) else compact_json(value)


def one_bucket_per_region(option: str, template: str, regions: Sequence[str], why: str) -> None:
    """Refuse, before anything is read or written, a bucket-name template naming one bucket for several regions."""
    if len(regions) > 1 and "{region}" not in template:
        raise UsageError(
            f"{option} {template} names one bucket for the {len(regions)} regions {' '.join(regions)}, but {why}: "
            f"put {{region}} in the name, e.g. {option} {template}-{{region}}"
        )


def bucket_name(template: str, account: str, region: str) -> str:
    """Fill ``{account}`` and ``{region}`` into a bucket-name template and check the result is valid."""
    if not _plain_placeholders(template):
        raise UsageError(f"bucket name {template!r}: the only placeholders allowed are {{account}} and {{region}}")
    name = template.format(account=account, region=region)
    if not _BUCKET_NAME_RE.match(name) or ".." in name:
        raise UsageError(f"{name!r} is not a valid S3 bucket name (3-63 lower-case letters, digits, dots and hyphens)")
    if _IP_ADDRESS_RE.match(name):
        raise UsageError(f"{name!r} is not a valid S3 bucket name: it is formatted as an IP address")
    reserved = [f"begins with {p}" for p in _RESERVED_PREFIXES if name.startswith(p)]
    reserved += [f"ends with {s}" for s in _RESERVED_SUFFIXES if name.endswith(s)]
    if reserved:
        raise UsageError(f"{name!r} is not a valid S3 bucket name: it {reserved[0]}, which S3 reserves")
    return name


def _plain_placeholders(template: str) -> bool:
    """Whether every ``{...}`` of ``template`` is a bare ``{account}`` or ``{region}`` (no attribute, index, format
    or conversion, which ``str.format`` would follow)."""
    try:
        fields = [field for field in Formatter().parse(template) if field[1] is not None]
    except ValueError:  # a lone brace
        return False
    return all(name in ("account", "region") and not spec and not conversion for _, name, spec, conversion in fields)


def read_bucket_region(s3: Any, bucket: str) -> str | None:
    """The region a bucket lives in, or None when it does not exist; S3's refusal raised as it came."""
    try:
        location = s3.get_bucket_location(Bucket=bucket).get("LocationConstraint")
    except ClientError as exc:
        if error_code(exc) in ("NoSuchBucket", "404"):
            return None
        raise
    # Buckets made before regions had names report "EU"; us-east-1 reports no constraint at all.
    return {"EU": "eu-west-1", "": "us-east-1"}.get(location or "", location)


@dataclass(frozen=True)
class BucketGrant:
    """The S3 actions a policy file grants setup (or the readers) on one kind of bucket, and the bucket names it grants
    them on (its ``Resource``, ``arn:*:s3:::{pattern}``): under that policy AWS refuses them on a bucket of any other
    name, as what no statement allows is denied (IAM User Guide, "Policy evaluation logic")."""

    kind: str  # "log bucket"
    pattern: str  # "bedrock-logs-*"
    actions: tuple[str, ...]  # on the bucket itself
    option: str  # the option naming the bucket
    # the option's default template, which the pattern covers; None where setup makes no bucket of this kind (it
    # reads one another service writes to), so running without the option is no way round
    default: str | None
    policy_file: str
    # the statements of TEAM_BUCKETS_DOCS that grant these actions on a team's bucket ("": the kind's, "log bucket")
    statements: str = ""

    def covers(self, bucket: str) -> bool:
        """Whether the policy grants these actions on ``bucket``."""
        return fnmatchcase(bucket, self.pattern)

    def add_statements(self, bucket: str) -> str:
        """What grants these actions on ``bucket``, a name the policy does not cover: the docs' statements to add."""
        return (f"add the {self.statements or self.kind} statements of {TEAM_BUCKETS_DOCS} (Resource "
                f"arn:*:s3:::{bucket}) to this identity's policy")

    def reads_beyond(self, bucket: str, reader: str) -> Notice:
        """Why ``reader`` (setup, the check) may not read ``bucket``, a name the policy does not cover, and what lets
        it: the policy's reads of such a bucket are granted on ``pattern`` only, and the statements to add."""
        return Notice(f"{self.policy_file} grants {reader}'s reads of a {self.kind} only on buckets named "
                      f"{self.pattern}: {self.add_statements(bucket)}", "bucket_reads_beyond",
                      policy=self.policy_file, reader=reader, bucket_kind=self.kind, pattern=self.pattern,
                      statements=self.statements or self.kind, docs=TEAM_BUCKETS_DOCS, bucket=bucket)

    def refusal(self, bucket: str, action: str, other_account: bool = False) -> str:
        """One line: the bucket, the refused action and the others setup needs there, what the policy grants them on,
        and what lets setup work (the statement to add, or the option's default name)."""
        others = [name for name in self.actions if name != action]
        instead = f", or run without {self.option} to use setup's own {self.default}" if self.default else ""
        renamed = "pick another bucket name" if self.default else f"check the name given to {self.option}"
        foreign = (f"; if the name is another AWS account's (bucket names are shared by all accounts), {renamed}"
                   if other_account else "")
        return (f"bucket {bucket}: access denied to {action}: {self.policy_file} grants setup's actions on a "
                f"{self.kind} ({', '.join([action, *others])}) only on buckets named {self.pattern}: "
                f"{self.add_statements(bucket)}{instead}{foreign}")


class LocationRefused(SetupRequired):
    """S3 refused to say where a bucket is: the name is another account's, or the identity lacks
    s3:GetBucketLocation."""


@contextmanager
def refusals_explained(bucket: str, grant: BucketGrant) -> Iterator[None]:
    """Within the block, S3 refusing an action on ``bucket``, a name ``grant`` does not cover, becomes the one line of
    ``BucketGrant.refusal`` (SetupRequired), after earlier writes followed by what was made; a refusal on a bucket the
    policy covers goes on as it came."""
    try:
        yield
    except PartlyWritten as exc:
        cause = exc.cause
        refusal = beyond_grant(bucket, grant, cause) or refusal_said(cause, grant.policy_file)
        raise SetupRequired(exc.explained(refusal)) from None
    except (LocationRefused, ClientError) as exc:
        refusal = beyond_grant(bucket, grant, exc)
        if refusal is None:
            raise
        raise SetupRequired(refusal) from None


def beyond_grant(bucket: str, grant: BucketGrant, exc: Exception) -> str | None:
    """``BucketGrant.refusal`` for AWS refusing an S3 action on ``bucket``, a name ``grant`` does not cover (its
    location too: ``LocationRefused``); None for any other failure."""
    if grant.covers(bucket):
        return None
    if isinstance(exc, LocationRefused):
        return grant.refusal(bucket, "s3:GetBucketLocation", other_account=True)
    action = required_action(exc) if isinstance(exc, ClientError) else ""
    if not is_access_denied(exc) or not action.startswith("s3:"):
        return None
    return grant.refusal(bucket, action)


def bucket_region(s3: Any, bucket: str) -> str | None:
    """The region of a bucket setup is to use, or None when it does not exist; LocationRefused when S3 refuses to
    say."""
    try:
        return read_bucket_region(s3, bucket)
    except ClientError as exc:
        if error_code(exc) in ("AccessDenied", "403"):
            # S3 answers so for a bucket of another account too: names are global, so IAM may not be at fault.
            raise LocationRefused(
                f"bucket {bucket}: access denied reading its location: the name may belong to another AWS account "
                "(bucket names are shared by all accounts: pick another bucket name), or this identity lacks "
                "s3:GetBucketLocation"
            ) from None
        raise


def prepare_private_bucket(
    s3: Any, bucket: str, region: str, writes: RegionWrites, replace: bool,
) -> tuple[Change, list[Write]]:
    """Create ``bucket`` in ``region`` if missing (at once: nothing of a missing bucket can be read), then read and
    decide, unwritten, all public access blocked and SSE-S3 encryption; an existing bucket's other settings (a public
    access block it goes without too) are replaced only when ``replace``. The bucket's change (``CREATE`` when this
    run makes it) and those two writes, for the caller to make after its own reads."""
    found = bucket_region(s3, bucket)
    if found is not None and found != region:
        raise SetupRequired(
            f"bucket {bucket} is in {found}, but {region} needs a bucket in {region}: pass another bucket name"
        )
    if found is None:
        creation = Write((Change(f"bucket {bucket}", CREATE, False, region),),
                         lambda: _create_bucket(s3, bucket, region), s3api("delete-bucket", bucket, region),
                         "s3:DeleteBucket", puts_back=(f"bucket {bucket}:",))
        ((created,),) = writes.make(creation)
    else:
        created = Change(f"bucket {bucket}", NONE, True, region)
    readable = found is not None or not writes.dry_run  # a bucket a dry run did not make has nothing to read
    return created, [_public_access_block_write(s3, bucket, region, replace, found is None, readable),
                     _encryption_write(s3, bucket, region, replace, found is None, readable)]


def _create_bucket(s3: Any, bucket: str, region: str) -> None:
    location = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    try:
        s3.create_bucket(Bucket=bucket, **location)
    except ClientError as exc:
        if error_code(exc) == "BucketAlreadyExists":
            raise SetupRequired(
                f"the bucket name {bucket} is taken by another AWS account: pass another bucket name"
            ) from None
        if error_code(exc) != "BucketAlreadyOwnedByYou":
            raise


def _public_access_block_write(
    s3: Any, bucket: str, region: str, replace: bool, new_bucket: bool, readable: bool = True,
) -> Write:
    """Block all public access; a bucket that existed before this run without a public access block, or with a
    setting off, is its owner's choice."""
    current = _read_public_access_block(s3, bucket) if readable else None
    if current is None:
        differences = [] if new_bucket else [Difference("", "(none)", _ALL_BLOCKED)]
        undo = s3api("delete-public-access-block", bucket, region)
    else:
        differences = find_differences(current, _BLOCK_ALL_PUBLIC_ACCESS)
        undo = s3api("put-public-access-block", bucket, region, "--public-access-block-configuration",
                     compact_json(current))
    decided = decide_change(f"bucket {bucket}: public access block", current is not None or not new_bucket, replace,
                            differences, needed=False)
    return Write((decided,), lambda: s3.put_public_access_block(
        Bucket=bucket, PublicAccessBlockConfiguration=_BLOCK_ALL_PUBLIC_ACCESS), undo, "s3:PutBucketPublicAccessBlock")


def _read_public_access_block(s3: Any, bucket: str) -> dict[str, bool] | None:
    """The bucket's public access block; None when it has none."""
    try:
        return s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    except ClientError as exc:
        if error_code(exc) != "NoSuchPublicAccessBlockConfiguration":
            raise
        return None


def read_encryption_rules(s3: Any, bucket: str) -> list[dict[str, Any]] | None:
    """The bucket's default encryption rules; None when it has none (or the bucket does not exist yet)."""
    try:
        return s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    except ClientError as exc:
        if error_code(exc) not in ("ServerSideEncryptionConfigurationNotFoundError", "NoSuchBucket"):
            raise
        return None


def bucket_kms_key(s3: Any, bucket: str) -> str | None:
    """The KMS key a bucket encrypts new objects with by default (``aws/s3`` when it names none); None without
    SSE-KMS."""
    return _kms_key(read_encryption_rules(s3, bucket) or [])


def _kms_key(rules: list[dict[str, Any]]) -> str | None:
    for rule in rules:
        default = rule.get("ApplyServerSideEncryptionByDefault", {})
        if default.get("SSEAlgorithm", "").startswith("aws:kms"):
            return default.get("KMSMasterKeyID") or AWS_MANAGED_KEY
    return None


def is_aws_managed_key(key: str) -> bool:
    """Whether a bucket's KMS key (``bucket_kms_key``) is the AWS managed key aws/s3: named by none, or by its alias."""
    return key == AWS_MANAGED_KEY or key == "alias/aws/s3" or key.endswith(":alias/aws/s3")


def key_managed_by_aws(aws: Aws, key: str, region: str, account: str) -> bool:
    """Whether a bucket's KMS key is an AWS managed key (aws/s3), whose key policy nobody can change.

    Named by its alias, or by none, the name tells. Named by its key id or key ARN, the aliases of the key's account
    and Region do (``ListAliases`` in the ARN's Region, else the bucket's ``region``; each
    alias names its ``TargetKeyId``): the ``alias/aws/`` prefix is reserved for AWS managed keys (AWS KMS API
    Reference, CreateAlias). ``ListAliases`` reads the caller's account only, and an AWS managed key serves its own
    account, so a key of another ``account`` is a customer managed key. Raises AWS_ERRORS when the aliases cannot be
    read."""
    if is_aws_managed_key(key):
        return True
    if _names_alias(key):
        return False
    arn = _KEY_ARN_RE.match(key)
    if arn and arn["account"] != account:
        return False
    key_id = key[arn.end():] if arn else key
    return any(alias.get("TargetKeyId") == key_id and alias["AliasName"].startswith(AWS_ALIAS_PREFIX)
               for alias in _aliases(aws, arn["region"] if arn else region))


def _names_alias(key: str) -> bool:
    """Whether a key is named by an alias (``alias/name`` or an alias ARN) rather than its key id or key ARN."""
    return key.startswith("alias/") or ":alias/" in key


def _aliases(aws: Aws, region: str) -> Iterator[dict[str, Any]]:
    """The KMS aliases of the caller's account in ``region`` (``ListAliases``, every page); raises AWS_ERRORS when
    they cannot be read."""
    for page in aws.client("kms", region).get_paginator("list_aliases").paginate():
        yield from page.get("Aliases", [])


def same_key(aws: Aws, bucket_key: str, written_with: str, region: str) -> bool:
    """Whether ``written_with``, the key ARN HeadObject gives for an object under SSE-KMS, is the bucket's key
    (``bucket_key``: a key id, key ARN, alias name or ARN, or ``AWS_MANAGED_KEY``). An id or ARN is compared by key id;
    an alias by the ``TargetKeyId`` the aliases of its Region name (``ListAliases``). Only a key shown to differ
    counts: an object naming no key, or an alias that cannot be read or is not listed, counts as the same key."""
    written = written_with.rsplit("key/", 1)[-1] if written_with else ""
    if not written:
        return True
    named = bucket_key.rsplit(":key/", 1)[-1] if _KEY_ARN_RE.match(bucket_key) else bucket_key
    if not (named == AWS_MANAGED_KEY or _names_alias(named)):
        return named == written
    alias = "alias/aws/s3" if named == AWS_MANAGED_KEY else "alias/" + named.rsplit("alias/", 1)[-1]
    alias_region = named.split(":")[3] if named.startswith("arn:") else region
    try:
        targets = [item.get("TargetKeyId") for item in _aliases(aws, alias_region) if item["AliasName"] == alias]
    except AWS_ERRORS:
        return True
    return not targets or targets[0] in (None, written)


def describe_encryption(rules: list[dict[str, Any]]) -> str:
    """What default encryption rules hold: ``SSE-S3``, ``SSE-KMS, key ...``, ``DSSE-KMS, key ...`` or ``none``."""
    algorithms = {rule.get("ApplyServerSideEncryptionByDefault", {}).get("SSEAlgorithm") for rule in rules}
    key = _kms_key(rules)
    if key is not None:
        kind = "DSSE-KMS" if "aws:kms:dsse" in algorithms else "SSE-KMS"
        return f"{kind}, {key if key == AWS_MANAGED_KEY else 'key ' + key}"
    return "SSE-S3" if "AES256" in algorithms else NO_ENCRYPTION


def _encryption_write(
    s3: Any, bucket: str, region: str, replace: bool, new_bucket: bool, readable: bool = True,
) -> Write:
    """SSE-S3 by default; a bucket that existed before this run without default encryption is its owner's choice
    (hardening: logs are written without it)."""
    rules = read_encryption_rules(s3, bucket) if readable else None
    held = describe_encryption(rules or [])
    # A bucket already encrypted with KMS keeps its key: SSE-S3 is the floor, not a downgrade target.
    encrypted = held != NO_ENCRYPTION
    decided = decide_change(
        f"bucket {bucket}: default encryption",
        exists=rules is not None or not new_bucket,
        replace=replace,
        differences=[] if encrypted else [Difference("", held, "SSE-S3")],
        detail=held if encrypted else "SSE-S3",
        needed=False,
    )
    undo = (s3api("delete-bucket-encryption", bucket, region) if rules is None else
            s3api("put-bucket-encryption", bucket, region, "--server-side-encryption-configuration",
                  compact_json({"Rules": rules})))
    sse_s3 = {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]}
    return Write((decided,), lambda: s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration=sse_s3),
                 undo, "s3:PutEncryptionConfiguration")


def policy_statements(policy: dict[str, Any] | None) -> list[dict[str, Any]]:
    """A policy's statements: IAM lets ``Statement`` be one object or a list of them."""
    statement = (policy or {}).get("Statement")
    if statement is None:
        return []
    return statement if isinstance(statement, list) else [statement]


def read_bucket_policy(s3: Any, bucket: str) -> dict[str, Any] | None:
    """The bucket's policy document, or None when it has none (or the bucket does not exist yet)."""
    try:
        return json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    except ClientError as exc:
        if error_code(exc) in ("NoSuchBucketPolicy", "NoSuchBucket"):
            return None
        raise


@dataclass(frozen=True)
class PolicyPlan:
    """What a step does to a bucket policy (the change of the statements asked for first) and the document it
    puts, or, where nothing is written, the policy as it stays."""

    changes: list[Change]
    document: dict[str, Any]
    granted: dict[str, str] = field(default_factory=dict)  # a Sid not added -> the existing statement granting it
    old: dict[str, Any] | None = None  # the policy the bucket has, None when it has none

    def write(self, s3: Any, bucket: str) -> Write:
        """The PutBucketPolicy of the planned document, and how to put back the policy it replaces."""
        region = s3.meta.region_name
        undo = (s3api("delete-bucket-policy", bucket, region) if self.old is None else
                s3api("put-bucket-policy", bucket, region, "--policy", compact_json(self.old)))
        return Write(tuple(self.changes), lambda: s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(self.document)),
                     undo, "s3:DeleteBucketPolicy" if self.old is None else "s3:PutBucketPolicy")


def plan_policy_statements(
    s3: Any,
    bucket: str,
    statements: list[dict[str, Any]],
    replace: bool,
    hardening: Sequence[dict[str, Any]] = (),
    new_bucket: bool = False,
    new_without_policy: bool = False,
    grants: Callable[[dict[str, Any], dict[str, Any]], bool] | None = None,
) -> PolicyPlan:
    """Plan a bucket policy that holds ``statements`` (matched by Sid), keeping every other statement, and the rest of
    the document (``Id``, ``Version``), as it is: a missing one is added without any option, unless an existing
    statement already ``grants`` (existing, wanted) all it would (``granted`` names it), one with our Sid that
    says something else is replaced only when ``replace``. ``hardening`` statements (not what the purpose needs)
    go with them into a bucket made this run (``new_bucket``), or, with ``new_without_policy``, one that has no
    policy yet (setup's own, whose first run stopped before writing it); an existing bucket without them, or with
    other ones, is its owner's choice: each is a change of its own, made only when ``replace``. Reads, never
    writes."""
    policy = read_bucket_policy(s3, bucket)
    new_bucket = new_bucket or (new_without_policy and policy is None)
    existing = policy_statements(policy)
    current = {statement.get("Sid"): statement for statement in existing}
    granted = {}
    for wanted in statements if grants else []:
        granting = [other.get("Sid") or f"statement {number + 1}" for number, other in enumerate(existing)
                    if wanted["Sid"] not in current and grants(other, wanted)]
        if granting:
            granted[wanted["Sid"]] = granting[0]
    statements = [statement for statement in statements if statement["Sid"] not in granted]
    ours = [*hardening, *statements]
    apart = [] if new_bucket else [s for s in hardening if _canonical(current.get(s["Sid"])) != _canonical(s)]
    together = [statement for statement in ours if statement not in apart]
    main = decide_change(
        f"bucket {bucket}: policy",
        exists=policy is not None,
        replace=replace,
        differences=[
            difference
            for statement in together
            if statement["Sid"] in current
            for difference in find_differences(current[statement["Sid"]], statement, f"statement {statement['Sid']} ")
        ],
        asked=[Difference(f"statement {s['Sid']}", "(none)", "added") for s in together if s["Sid"] not in current],
        detail=", ".join(statement["Sid"] for statement in together),
    )
    alone = [
        decide_change(
            f"bucket {bucket}: policy statement {statement['Sid']}",
            exists=True,
            replace=replace,
            differences=find_differences(current[statement["Sid"]], statement)
            if statement["Sid"] in current
            else [Difference("", "(none)", "added")],
            needed=False,
        )
        for statement in apart
    ]
    put = {s["Sid"] for s in together if main.action in WRITES}
    put |= {s["Sid"] for s, change in zip(apart, alone, strict=True) if change.action in WRITES}
    kept_ours = [s if s["Sid"] in put else current[s["Sid"]] for s in ours if s["Sid"] in put or s["Sid"] in current]
    others = [statement for statement in existing if statement.get("Sid") not in {s["Sid"] for s in ours}]
    document = {"Version": "2012-10-17", **(policy or {}), "Statement": others + kept_ours}
    return PolicyPlan([main, *alone], document, granted, policy)


def plan_lifecycle_rule(
    s3: Any, bucket: str, rule: dict[str, Any], replace: bool, asked: Collection[str] = (),
    setups_bucket: bool = False,
) -> Write:
    """Plan the bucket's lifecycle configuration to hold ``rule`` (matched by ID), keeping the other rules and the
    configuration's other settings; a rule with that ID and other settings is replaced only when ``replace``, or,
    where only the ``asked`` settings (this run's options set them, e.g. ``Expiration.Days``) differ, without it.

    A bucket someone else made (not ``setups_bucket``: made by this run, or named as setup names it) gets the rule
    only when ``replace``: an expiry rule deletes its owner's objects too, and where rules overlap S3 applies the
    shortest expiry. Without the rule the region works, so it is advice (not ``needed``). Reads, never writes."""
    try:
        found = s3.get_bucket_lifecycle_configuration(Bucket=bucket)
    except ClientError as exc:
        if error_code(exc) not in ("NoSuchLifecycleConfiguration", "NoSuchBucket"):
            raise
        found = {}
    rules = found.get("Rules", [])
    current = next((r for r in rules if r.get("ID") == rule["ID"]), None)
    others = [r for r in rules if r.get("ID") != rule["ID"]]
    if current is None and not setups_bucket:
        differences, asked_differences = [Difference("", "(none)", shown(rule))], []
    else:
        differences, asked_differences = set_apart(
            find_differences({key: (current or {}).get(key) for key in rule}, rule), asked)
    # Left out, S3 resets it to its default (128 KB): the owner's setting goes back with the rules.
    kept = {key: found[key] for key in ("TransitionDefaultMinimumObjectSize",) if key in found}
    resource = f"bucket {bucket}: lifecycle rule {rule['ID']}"
    decided = decide_change(resource, current is not None or not setups_bucket, replace, differences,
                            asked_differences, needed=current is not None or setups_bucket)
    if decided.action in WRITES and any("Prefix" in other for other in others):
        # S3 refuses a configuration mixing a rule-level Prefix (lifecycle V1, as s3cmd writes) with a Filter
        # ("Filter element can only be used in Lifecycle V2"): the owner's prefixes go as Filter.Prefix, the same.
        forms = [Difference(f"rule {other.get('ID', '(no ID)')}: Prefix {shown(other['Prefix'])}",
                            "", f"Filter.Prefix {shown(other['Prefix'])}") for other in others if "Prefix" in other]
        decided = dataclasses.replace(decided, differences=(*decided.differences, *forms))
        others = [_filtered(other) for other in others]
    region = s3.meta.region_name
    undo = (s3api("put-bucket-lifecycle-configuration", bucket, region, "--lifecycle-configuration",
                  json.dumps({"Rules": rules}, separators=(",", ":"), default=lambda value: value.isoformat()),
                  *(word for value in kept.values() for word in ("--transition-default-minimum-object-size", value)))
            if rules else s3api("delete-bucket-lifecycle", bucket, region))
    return Write((decided,), lambda: s3.put_bucket_lifecycle_configuration(
        Bucket=bucket, LifecycleConfiguration={"Rules": [*others, rule]}, **kept), undo,
        "s3:PutLifecycleConfiguration")


def _filtered(rule: dict[str, Any]) -> dict[str, Any]:
    """A lifecycle rule with its rule-level ``Prefix`` (V1) moved into a ``Filter`` (V2), which S3 reads alike."""
    if "Prefix" not in rule:
        return rule
    return {**{key: value for key, value in rule.items() if key != "Prefix"}, "Filter": {"Prefix": rule["Prefix"]}}


def _canonical(value: Any) -> Any:
    """A form of a policy or rule fragment where key order and one-item lists make no difference."""
    if isinstance(value, dict):
        return {key: _canonical(item) for key, item in sorted(value.items())}
    if isinstance(value, list):
        items = [_canonical(item) for item in value]
        return items[0] if len(items) == 1 else sorted(items, key=lambda item: json.dumps(item, sort_keys=True))
    return value
