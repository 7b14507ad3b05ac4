"""Generate Amazon Bedrock Model Invocation Logging test data.

With --simulate: write a synthetic, deterministic corpus of invocation logs (the 13 application scenarios of the
original project plus a few SSO developers) to a folder or an existing S3 bucket, in the layout the service uses.
Without it: run the 13 scenarios as real Bedrock calls, which Model Invocation Logging then records.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bedrock_usage.output.command import interrupt_ends_run

with interrupt_ends_run():  # Ctrl-C while the modules load ends the run as later: one line, exit 130
    from botocore.config import Config

    from bedrock_usage.aws.logging_config import read_logging_config
    from bedrock_usage.aws.permissions import role_arn
    from bedrock_usage.aws.session import AWS_ERRORS, Aws, describe, error_code
    from bedrock_usage.cli import EXIT_OK, make_parser, print_json, regions_of, render_table, run_main
    from bedrock_usage.demo.synthetic import (
        DEFAULT_ACCOUNT,
        DEFAULT_BODY_BYTES,
        DEFAULT_RECORDS,
        DEFAULT_SEED,
        MODELS_BY_KEY,
        ROLE_APPS,
        SCENARIOS,
        Caller,
        CorpusSpec,
        default_dates,
        generate_records,
        profile_mapping,
        routed_model_id,
    )
    from bedrock_usage.demo.writer import (
        POLICY_FILE,
        Destination,
        LocalFolder,
        S3Bucket,
        WriteSummary,
        check_bucket,
        existing_log_keys,
        is_synthetic_key,
        write_corpus,
    )
    from bedrock_usage.errors import SetupRequired, UsageError
    from bedrock_usage.logs.layout import normalise_prefix
    from bedrock_usage.logs.period import parse_day
    from bedrock_usage.output.progress import Reporter, add_quiet_option, terminal_progress
    from bedrock_usage.qdev.layout import AWSLOGS, PRODUCTS
    from bedrock_usage.qdev.synthetic import (
        DEMO_USER_MAP,
        CorpusSummary,
        corpus_users,
        user_map_text,
        write_qdev_corpus,
    )

DEFAULT_OUT_DIR = Path("demo-logs")
DEFAULT_QDEV_DIR = Path("demo-qdev")
DEFAULT_QDEV_USERS = 6
DEFAULT_CALLS = 3
DEFAULT_DELAY = 0.5
ROLE_TAG = {"Key": "created-by", "Value": "bedrock-usage-generate-test-data"}
# Test roles get their permissions from one fixed managed policy (iam/test-role.json), which is also their permissions
# boundary: whoever holds iam/test-data-generator.json can create roles with no other permissions.
TEST_ROLE_POLICY = "BedrockUsageTestRole"
TEST_ROLE_POLICY_FILE = "iam/test-role.json"
MAX_TOKENS = 200

EXIT_CODES = (
    "Exit codes: 0 the data was written, or every scenario's calls succeeded; 1 a mistake in the options; 2 the "
    "environment needs a step (credentials, permissions, the test roles' managed policy, a logging configuration "
    "to read), or a scenario's calls failed (named in the last line)."
)
EXAMPLES = """\
  python generate_test_data.py --simulate
  python generate_test_data.py --simulate --records 50000 --start-date 2025-10-01 --end-date 2025-10-31 --seed 7
  python generate_test_data.py --simulate --bucket my-log-bucket --prefix bedrock-logs --regions us-east-1
  python generate_test_data.py --dry-run
  python generate_test_data.py --create-roles --calls 2 --regions us-east-1 ap-northeast-2
  python generate_test_data.py --cleanup-roles --no-calls"""

DESCRIPTION = """\
Generate Amazon Bedrock Model Invocation Logging test data.

With --simulate, write a synthetic corpus without calling Bedrock: 8 role-based applications
({App}-BedrockRole), 5 IAM-user applications that tag calls with requestMetadata and a few SSO developers
call 13 Claude models (Claude 3 to Opus 4.5), Llama 3.3 70B, Nova Lite, Nova Pro and Titan Text Embeddings V2
with all four operations from the chosen regions, with cache tokens, >200K-token calls, errors,
large bodies under /data/, and more traffic on weekdays and in working hours. The same
options and --seed always write the same objects; requestIds also depend on the regions, dates, record
count and account, so runs that differ in any of them never share one (each real call has its own). It
writes the mapping of the application inference profiles the corpus calls (inference-profiles-{account}.json,
beside the corpus or, for a bucket, in the current folder) and ends with the command that analyses it.

Without --simulate, make real Bedrock calls for the 13 scenarios (this costs a little): the role-based
ones assume {App}-BedrockRole (see --create-roles), the IAM-user ones call with your own credentials and
Converse requestMetadata. The calls reach the logs only where model access is granted and Model
Invocation Logging is on."""

SIMULATE_OPTIONS = ("out_dir", "bucket", "prefix", "records", "start_date", "end_date", "seed", "body_bytes",
                    "account", "replace")
REAL_OPTIONS = ("create_roles", "cleanup_roles", "no_calls", "calls", "delay", "dry_run")


def build_parser() -> argparse.ArgumentParser:
    """Every option of both modes (each mode rejects the other's options)."""
    parser = make_parser("generate_test_data.py", DESCRIPTION, EXAMPLES, exit_codes=EXIT_CODES)
    parser.add_argument("--simulate", action="store_true",
                        help="write a synthetic corpus instead of making real Bedrock calls")
    parser.add_argument("--qdev", action="store_true",
                        help="with --simulate: write Amazon Q Developer / Kiro prompt logs, daily activity "
                        f"reports and Kiro user reports instead (default folder {DEFAULT_QDEV_DIR}/), with a user map "
                        "for qcli_s3_analyzer.py --user-map")
    parser.add_argument("--users", type=int, metavar="N",
                        help=f"with --qdev: number of developers (default {DEFAULT_QDEV_USERS})")
    add_quiet_option(parser)

    sim = parser.add_argument_group("simulate mode (--simulate)")
    sim.add_argument("--out-dir", type=Path, metavar="DIR",
                     help=f"folder to write the corpus to, in the S3 key layout (default: {DEFAULT_OUT_DIR}/)")
    sim.add_argument("--bucket", metavar="NAME",
                     help="write to this existing S3 bucket instead of a folder (AWS_ENDPOINT_URL is honoured)")
    sim.add_argument("--prefix", metavar="PREFIX",
                     help="key prefix before AWSLogs/ (default: each region's prefix in its logging configuration "
                     "when that delivers to --bucket, else none)")
    sim.add_argument("--records", type=int, metavar="N", help=f"number of records (default: {DEFAULT_RECORDS})")
    sim.add_argument("--start-date", metavar="YYYY-MM-DD", help="first UTC day (default: 29 days before --end-date)")
    sim.add_argument("--end-date", metavar="YYYY-MM-DD", help="last UTC day, inclusive (default: today, UTC)")
    sim.add_argument("--seed", type=int, help=f"random seed; same seed, same corpus (default: {DEFAULT_SEED})")
    sim.add_argument("--body-bytes", type=int, metavar="N",
                     help=f"approximate request+response body size per record (default: {DEFAULT_BODY_BYTES})")
    sim.add_argument("--account", metavar="ID",
                     help=f"account id in keys and records (default: {DEFAULT_ACCOUNT} for a folder, "
                     "the caller's account from STS for a bucket)")
    sim.add_argument("--replace", action="store_true",
                     help="delete the objects an earlier --simulate run wrote under the chosen regions' prefixes "
                     "first (without it, they stop the run); other log objects (real logs) are never deleted, and "
                     "stop the run either way")

    real = parser.add_argument_group("real mode (without --simulate; makes billable Bedrock calls)")
    real.add_argument("--create-roles", action="store_true",
                      help="create the 8 {App}-BedrockRole roles first (trusting this account, allowed to invoke "
                      f"Bedrock models by the managed policy {TEST_ROLE_POLICY}, also their permissions boundary, that "
                      f"an administrator makes once from {TEST_ROLE_POLICY_FILE}; existing roles are left as they are)")
    real.add_argument("--cleanup-roles", action="store_true",
                      help="delete the {App}-BedrockRole roles this script created, after the calls")
    real.add_argument("--no-calls", action="store_true",
                      help="make no Bedrock calls (with --create-roles or --cleanup-roles: manage the roles only)")
    real.add_argument("--calls", type=int, metavar="N", help=f"calls per scenario (default: {DEFAULT_CALLS})")
    real.add_argument("--delay", type=float, metavar="SECONDS",
                      help=f"pause between calls, to stay under quotas (default: {DEFAULT_DELAY})")
    real.add_argument("--dry-run", action="store_true",
                      help="print the scenarios, calls and role changes; read the account and roles, change nothing")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse the options and run the chosen mode."""
    args = build_parser().parse_args(argv)
    mode = mode_of(args)
    return MODES[mode](args)


def mode_of(args: argparse.Namespace) -> str:
    """Which mode the options ask for."""
    if args.qdev:
        if not args.simulate:
            raise UsageError("--qdev writes simulated Amazon Q Developer data; add --simulate")
        return "qdev"
    if args.users is not None:
        raise UsageError("--users applies to --qdev --simulate")
    return "simulate" if args.simulate else "real"


def run_simulate(args: argparse.Namespace) -> int:
    """Generate the synthetic corpus and write it to the folder or bucket."""
    _reject(args, REAL_OPTIONS, "--simulate")
    if args.bucket and args.out_dir:
        raise UsageError("give either --out-dir or --bucket, not both")
    if args.bucket is None and args.prefix:
        raise UsageError("--prefix applies to --bucket; for a folder, put it in --out-dir")
    end = parse_day(args.end_date, "--end-date") if args.end_date else datetime.now(UTC).date()
    start = parse_day(args.start_date, "--start-date") if args.start_date else default_dates(end)[0]
    regions = regions_of(args)
    prefix = normalise_prefix(args.prefix)

    # The spec is checked before any AWS call; a bucket's account comes from STS afterwards.
    spec = CorpusSpec(
        start_date=start,
        end_date=end,
        records=DEFAULT_RECORDS if args.records is None else args.records,
        seed=DEFAULT_SEED if args.seed is None else args.seed,
        account=args.account or DEFAULT_ACCOUNT,
        body_bytes=DEFAULT_BODY_BYTES if args.body_bytes is None else args.body_bytes,
        regions=regions,
        not_after=datetime.now(UTC),
    )
    destination: Destination
    prefixes = dict.fromkeys(spec.regions, prefix)
    notes: list[str] = []
    if args.bucket:
        aws = Aws.connect(args.profile)
        s3 = aws.client("s3")
        check_bucket(s3, args.bucket)
        destination = S3Bucket(s3, args.bucket)
        if not args.account:
            spec = replace(spec, account=aws.account_id())
        if args.prefix is None:
            prefixes, notes = logging_prefixes(aws, args.bucket, spec.regions)
    else:
        destination = LocalFolder(args.out_dir or DEFAULT_OUT_DIR)
    profiles_path = profile_mapping_path(args, spec.account)
    profiles = merged_profile_mapping(profiles_path, spec.account, spec.regions)  # refuses another's file first
    existing = [key for region, region_prefix in prefixes.items()
                for key in existing_log_keys(destination, region_prefix, spec.account, [region])]
    where = ", ".join(sorted({destination.label + p for p in prefixes.values()}))
    foreign = [key for key in existing if not is_synthetic_key(key)]
    if foreign:
        raise UsageError(
            f"{where} holds {len(foreign):,} invocation-log objects of account {spec.account} in these regions that "
            f"no --simulate run wrote (real logs, e.g. {foreign[0]}; or a corpus of a version before 2026-12-06, whose "
            "names lack 'bedrock-usage-test': delete that one yourself); they are never deleted, and test data "
            "beside them would be counted as spend: write it under a prefix of its own (--prefix) or elsewhere"
        )
    if existing and not args.replace:
        raise UsageError(
            f"{where} already holds {len(existing):,} objects a --simulate run wrote for account {spec.account} in "
            "these regions; pass --replace to delete them first, or choose another destination"
        )
    if existing:
        destination.delete(existing)
    with terminal_progress(args.quiet) as progress:
        summary = write_by_prefix(destination, generate_records(spec), prefixes, progress)

    write_profile_mapping(profiles_path, profiles)
    command = bedrock_analysis_command(args, spec, profiles_path)
    if args.format == "json":
        print_json({"spec": spec, "replaced_objects": len(existing), "summary": summary, "notes": notes,
                    "inference_profiles": str(profiles_path), "analyse_with": command})
    else:
        print("\n".join([render_write_summary(summary, spec, len(existing)), *(f"   {note}" for note in notes),
                          f"   application inference profiles it calls, for --inference-profiles: {profiles_path} "
                          f"({len(profiles)} in all)",
                          f"👉 Analyse it: {command}"]))
    return EXIT_OK


def profile_mapping_path(args: argparse.Namespace, account: str) -> Path:
    """Where the corpus's inference-profile mapping goes: in the folder written to, or in the current folder for a
    bucket; one file per account, as a profile's ARN names its account."""
    name = f"inference-profiles-{account}.json"
    return Path(name) if args.bucket else (args.out_dir or DEFAULT_OUT_DIR) / name


def merged_profile_mapping(path: Path, account: str, regions: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The mapping of ``account``'s profiles in ``regions`` together with those a file at ``path`` already holds from
    earlier runs (other regions); a UsageError when the file holds anything a --simulate run does not write: a file
    of someone else's is never changed."""
    try:
        earlier = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        earlier = {}
    except (OSError, ValueError):
        earlier = None
    ours = isinstance(earlier, dict) and all(_simulated_profile(arn, entry, account) for arn, entry in earlier.items())
    if not ours:
        raise UsageError(f"{path} already exists and is not an inference-profile mapping a --simulate run of account "
                         f"{account} wrote: it is never overwritten; move it, or write elsewhere")
    return earlier | profile_mapping(account, regions)


def _simulated_profile(arn: str, entry: object, account: str) -> bool:
    """Whether ``entry`` is what a --simulate run of ``account`` writes for the profile ``arn``."""
    parts = arn.split(":")
    return len(parts) > 3 and entry == profile_mapping(account, [parts[3]]).get(arn)


def write_profile_mapping(path: Path, mapping: dict[str, dict[str, Any]]) -> None:
    """Write the mapping ``--inference-profiles`` reads for the corpus (and earlier runs' regions)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(mapping, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write the inference-profile mapping {path}: {exc.strerror or exc}") from None


def bedrock_analysis_command(args: argparse.Namespace, spec: CorpusSpec, profiles: Path) -> str:
    """The bedrock_tracker_cli.py command that reads the corpus just written (a bucket through a local mirror,
    which needs no Athena table) with its application inference profiles named."""
    words = ["python", "bedrock_tracker_cli.py", "--engine", "local"]
    if args.bucket:
        words += ["--sync", "--log-bucket", args.bucket, *(["--log-prefix", args.prefix] if args.prefix else []),
                  *(["--profile", args.profile] if args.profile else []), "--region", *spec.regions]
    else:
        words += ["--logs-dir", str(args.out_dir or DEFAULT_OUT_DIR)]
    words += ["--start-date", spec.start_date.isoformat(), "--end-date", spec.end_date.isoformat(),
              "--inference-profiles", str(profiles)]
    return shlex.join(words)


def logging_prefixes(aws: Aws, bucket: str, regions: tuple[str, ...]) -> tuple[dict[str, str], list[str]]:
    """Each region's key prefix in its logging configuration when that delivers to ``bucket`` (where reports look
    for the logs), else none; with a note for every region that falls back."""
    prefixes: dict[str, str] = {}
    notes: list[str] = []
    for region in regions:
        try:
            s3_config = read_logging_config(aws.client("bedrock", region)).get("s3Config") or {}
        except AWS_ERRORS as exc:
            raise SetupRequired(
                f"cannot read the logging configuration of {region} to find its key prefix "
                f"({describe(exc, POLICY_FILE)}); pass --prefix"
            ) from None
        if s3_config.get("bucketName") == bucket:
            prefixes[region] = normalise_prefix(s3_config.get("keyPrefix"))
        else:
            prefixes[region] = ""
            where = f"s3://{s3_config['bucketName']}/" if s3_config.get("bucketName") else "nowhere in S3"
            notes.append(f"logging in {region} delivers to {where}, not to s3://{bucket}/: wrote under no prefix "
                         "(--prefix chooses one)")
    return prefixes, notes


def write_by_prefix(destination: Destination, records: list[dict[str, Any]], prefixes: dict[str, str],
                    progress: Reporter) -> WriteSummary:
    """Write each region's records under its prefix; one summary for all."""
    summary = WriteSummary(destination=", ".join(sorted({destination.label + p for p in prefixes.values()})))
    for prefix in dict.fromkeys(prefixes.values()):
        regions = {region for region, region_prefix in prefixes.items() if region_prefix == prefix}
        part = write_corpus(destination, (r for r in records if r["region"] in regions), prefix, progress,
                            sum(r["region"] in regions for r in records))
        for name in ("objects", "payload_objects", "check_objects", "records", "bytes"):
            setattr(summary, name, getattr(summary, name) + getattr(part, name))
        summary.regions.update(part.regions)
    return summary


def _refuse_qdev_data(destination: Destination, prefix: str, account: str) -> None:
    """A UsageError when the destination already holds prompt logs or reports of ``account``: a second corpus would
    add its users' days to the first's (reports of the same days counted twice), and real ones are never replaced."""
    found = [key for folder in PRODUCTS for key in destination.keys(f"{prefix}{AWSLOGS}/{account}/{folder}/")]
    if found:
        raise UsageError(
            f"{destination.label}{prefix} already holds {len(found):,} Amazon Q Developer / Kiro objects of account "
            f"{account} (e.g. {found[0]}): a second corpus would be counted with them, and they are never deleted; "
            "write to an empty folder, another --prefix or another bucket"
        )


def run_qdev_simulate(args: argparse.Namespace) -> int:
    """Write synthetic Amazon Q Developer / Kiro prompt logs and reports to the folder or bucket, the user map beside
    them (in the current folder for a bucket), and the command that analyses them."""
    _reject(args, (*REAL_OPTIONS, "records", "body_bytes", "replace"), "--qdev --simulate")
    if args.bucket and args.out_dir:
        raise UsageError("give either --out-dir or --bucket, not both")
    end = parse_day(args.end_date, "--end-date") if args.end_date else datetime.now(UTC).date()
    start = parse_day(args.start_date, "--start-date") if args.start_date else default_dates(end)[0]
    if start > end:
        raise UsageError(f"start date {start} is after end date {end}")
    users = DEFAULT_QDEV_USERS if args.users is None else args.users
    if users < 1:
        raise UsageError(f"--users must be at least 1 (got {users})")
    seed = DEFAULT_SEED if args.seed is None else args.seed
    options = {"start": start, "end": end, "seed": seed, "users": users,
               "regions": regions_of(args) if args.regions else ("us-east-1",)}
    user_map = Path(f"users-{args.bucket}.csv") if args.bucket else (args.out_dir or DEFAULT_QDEV_DIR) / DEMO_USER_MAP
    map_text = user_map_text(corpus_users(seed, users))
    if args.bucket:
        aws = Aws.connect(args.profile)
        s3 = aws.client("s3")
        account = args.account or aws.account_id()
        check_bucket(s3, args.bucket)
        _refuse_qdev_data(S3Bucket(s3, args.bucket), normalise_prefix(args.prefix), account)
        _refuse_other_user_map(user_map, map_text)
        with terminal_progress(args.quiet) as progress:
            summary = write_qdev_corpus(f"s3://{args.bucket}", prefix=args.prefix or "", s3_client=s3,
                                        account=account, progress=progress, **options)
    else:
        if args.prefix:
            raise UsageError("--prefix applies to --bucket; for a folder, put it in --out-dir")
        account = args.account or DEFAULT_ACCOUNT
        _refuse_qdev_data(LocalFolder(args.out_dir or DEFAULT_QDEV_DIR), "", account)
        _refuse_other_user_map(user_map, map_text)
        with terminal_progress(args.quiet) as progress:
            summary = write_qdev_corpus(args.out_dir or DEFAULT_QDEV_DIR, account=account, progress=progress,
                                        **options)
    _write_user_map(user_map, map_text)
    command = qdev_analysis_command(args, summary, user_map)
    if args.format == "json":
        print_json({"summary": {k: v for k, v in vars(summary).items() if k != "keys"}, "user_map": str(user_map),
                    "analyse_with": command})
    else:
        print(f"✅ Wrote {summary.records:,} prompt-log records in {summary.prompt_files:,} files, "
              f"{summary.activity_files:,} activity reports and {summary.user_report_files:,} Kiro user reports for "
              f"{len(summary.users)} developers to {summary.dest}")
        print(f"   account {summary.account}, {summary.start} .. {summary.end} (UTC)")
        print(f"   user map (user id -> e-mail, as an administrator would keep one): {user_map}")
        print(f"👉 Analyse it: {command}")
    return EXIT_OK


def _refuse_other_user_map(path: Path, text: str) -> None:
    """A UsageError when ``path`` holds a file other than this corpus's user map: it is never overwritten."""
    try:
        if path.read_text(encoding="utf-8") == text:
            return
    except FileNotFoundError:
        return
    except (OSError, UnicodeDecodeError):
        pass
    raise UsageError(f"{path} already exists and is not this corpus's user map: it is never overwritten; move it, or "
                     "write elsewhere")


def _write_user_map(path: Path, text: str) -> None:
    """Write the user map the analyser's --user-map reads."""
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write the user map {path}: {exc.strerror or exc}") from None


def qdev_analysis_command(args: argparse.Namespace, summary: CorpusSummary, user_map: Path) -> str:
    """The qcli_s3_analyzer.py command that reads the whole corpus just written and names its people by e-mail."""
    words = ["python", "qcli_s3_analyzer.py"]
    if args.bucket:
        words += ["--bucket", args.bucket, *(["--prefix", args.prefix] if args.prefix else []),
                  *(["--profile", args.profile] if args.profile else [])]
    else:
        words += ["--logs-dir", str(args.out_dir or DEFAULT_QDEV_DIR)]
    words += ["--start-date", summary.start.isoformat(), "--end-date", summary.end.isoformat(),
              "--user-map", str(user_map)]
    return shlex.join(words)


def render_write_summary(summary: WriteSummary, spec: CorpusSpec, replaced: int) -> str:
    """The per-region table and the lines saying what went where."""
    rows = [[region, f"{tally.records:,}", f"{tally.objects:,}"] for region, tally in sorted(summary.regions.items())]
    rows.append(["Total", f"{summary.records:,}", f"{summary.objects:,}"])
    lines = [
        render_table(["Region", "Records", "Objects"], rows),
        "",
        f"✅ Wrote {summary.records:,} records in {summary.objects:,} objects to {summary.destination}",
        f"   plus {summary.payload_objects:,} large-body objects under .../data/ and {summary.check_objects} "
        f"permission-check objects; {summary.bytes / 1e6:,.1f} MB compressed",
        f"   account {spec.account}, {spec.start_date} .. {spec.end_date} (UTC), seed {spec.seed}",
    ]
    if replaced:
        lines.append(f"   replaced {replaced:,} objects that were there before")
    return "\n".join(lines)


@dataclass
class ScenarioResult:
    """What one scenario's real calls did."""

    scenario: str
    kind: str
    region: str
    model_id: str
    calls: int
    succeeded: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    error: str = ""


@dataclass
class RoleChange:
    """One role created, deleted, kept or skipped, and why."""

    role: str
    action: str
    detail: str = ""


def run_real(args: argparse.Namespace) -> int:
    """Manage the scenario roles and make the scenarios' real Bedrock calls."""
    _reject(args, SIMULATE_OPTIONS, "real mode (without --simulate)")
    calls = DEFAULT_CALLS if args.calls is None else args.calls
    delay = DEFAULT_DELAY if args.delay is None else args.delay
    if calls < 1:
        raise UsageError(f"--calls must be at least 1, not {calls}")
    if delay < 0:
        raise UsageError(f"--delay cannot be negative ({delay})")
    regions = regions_of(args)
    scenarios = [] if args.no_calls else [s for s in SCENARIOS if s.home_region in regions]
    if not args.no_calls and not scenarios:
        raise UsageError(f"no scenario runs in {' '.join(regions)}; scenarios run in "
                         f"{' '.join(sorted({s.home_region for s in SCENARIOS}))}")
    aws = Aws.connect(args.profile)
    account = aws.account_id()
    table = args.format == "table"
    iam = aws.client("iam")

    changes: list[RoleChange] = []
    if args.create_roles:
        changes += create_roles(iam, account, aws.partition(), args.dry_run)
    results: list[ScenarioResult] = []
    if args.dry_run:
        results = [_planned(s, calls) for s in scenarios]
    else:
        for scenario in scenarios:
            if table:
                print(f"🔐 {scenario.name} ({scenario.kind}) in {scenario.home_region}...", flush=True)
            results.append(run_scenario(aws, account, scenario, calls, delay, retry_assume=args.create_roles))
    if args.cleanup_roles:
        changes += cleanup_roles(iam, args.dry_run)

    if table:
        print(render_real_report(account, changes, results, args.dry_run))
    else:
        print_json({"account": account, "dry_run": args.dry_run, "roles": changes, "scenarios": results})
    failed = [r.scenario for r in results if r.error]
    if failed:
        raise SetupRequired(
            f"{len(failed)} of {len(results)} scenarios had failed calls ({', '.join(failed)}): check model access "
            "in the Bedrock console of those regions, the roles (--create-roles) and your permissions"
        )
    return EXIT_OK


def test_role_policy_arn(partition: str, account: str) -> str:
    """The ARN of the managed policy that bounds and grants the test roles."""
    return f"arn:{partition}:iam::{account}:policy/{TEST_ROLE_POLICY}"


def create_roles(iam: Any, account: str, partition: str, dry_run: bool) -> list[RoleChange]:
    """Create each missing {App}-BedrockRole, trusted by this account, bounded by and granted the managed policy
    ``BedrockUsageTestRole`` (an administrator creates it once from iam/test-role.json)."""
    policy_arn = test_role_policy_arn(partition, account)
    try:
        iam.get_policy(PolicyArn=policy_arn)
    except AWS_ERRORS as exc:
        if error_code(exc) != "NoSuchEntity":
            raise
        raise SetupRequired(
            f"the managed policy {TEST_ROLE_POLICY} does not exist in account {account}: an administrator creates it "
            f"once with `aws iam create-policy --policy-name {TEST_ROLE_POLICY} --policy-document "
            f"file://{TEST_ROLE_POLICY_FILE}`"
        ) from None
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:{partition}:iam::{account}:root"},
                       "Action": "sts:AssumeRole"}],
    }
    changes = []
    for app in ROLE_APPS:
        if _role_tags(iam, app.role_name) is not None:
            changes.append(RoleChange(app.role_name, "kept", "already exists"))
            continue
        if not dry_run:
            iam.create_role(
                RoleName=app.role_name,
                AssumeRolePolicyDocument=json.dumps(trust),
                Description=f"Test role for {app.name}: bedrock-usage generate_test_data.py",
                PermissionsBoundary=policy_arn,
                Tags=[ROLE_TAG],
            )
            iam.attach_role_policy(RoleName=app.role_name, PolicyArn=policy_arn)
        changes.append(RoleChange(app.role_name, "would create" if dry_run else "created"))
    return changes


def cleanup_roles(iam: Any, dry_run: bool) -> list[RoleChange]:
    """Delete the {App}-BedrockRole roles carrying this script's tag; roles made by anyone else stay."""
    changes = []
    for app in ROLE_APPS:
        tags = _role_tags(iam, app.role_name)
        if tags is None:
            changes.append(RoleChange(app.role_name, "absent"))
            continue
        if ROLE_TAG not in tags:
            changes.append(RoleChange(app.role_name, "kept", "not created by this script (no created-by tag)"))
            continue
        if not dry_run:
            for name in iam.list_role_policies(RoleName=app.role_name)["PolicyNames"]:
                iam.delete_role_policy(RoleName=app.role_name, PolicyName=name)
            for policy in iam.list_attached_role_policies(RoleName=app.role_name)["AttachedPolicies"]:
                iam.detach_role_policy(RoleName=app.role_name, PolicyArn=policy["PolicyArn"])
            iam.delete_role(RoleName=app.role_name)
        changes.append(RoleChange(app.role_name, "would delete" if dry_run else "deleted"))
    return changes


def _role_tags(iam: Any, role: str) -> list[dict[str, str]] | None:
    """The role's tags, or None when the role does not exist."""
    try:
        return iam.get_role(RoleName=role)["Role"].get("Tags", [])
    except AWS_ERRORS as exc:
        if error_code(exc) == "NoSuchEntity":
            return None
        raise


def run_scenario(aws: Aws, account: str, scenario: Caller, calls: int, delay: float,
                 retry_assume: bool = False) -> ScenarioResult:
    """Make one scenario's calls; a failure is recorded in the result, never raised."""
    result = _planned(scenario, calls)
    try:
        if scenario.kind == "role":
            arn = role_arn(scenario.role_name, account, scenario.home_region)
            caller = _assume(aws, arn, f"{scenario.name}-session", retry_assume)
            client = caller.client("bedrock-runtime", scenario.home_region)
        else:
            client = aws.session.client("bedrock-runtime", region_name=scenario.home_region,
                                        config=Config(user_agent_extra=f"{scenario.name}/1.0"))
    except AWS_ERRORS as exc:
        result.error = describe(exc)
        return result
    for number in range(calls):
        if number:
            time.sleep(delay)
        try:
            usage = _call(client, scenario, result.model_id, number)
        except AWS_ERRORS as exc:
            result.error = describe(exc)
            continue
        except ValueError as exc:
            result.error = f"unexpected response: {exc}"
            continue
        result.succeeded += 1
        result.input_tokens += usage[0]
        result.output_tokens += usage[1]
    return result


def _assume(aws: Aws, role_arn: str, session: str, retry: bool) -> Aws:
    # A role created seconds ago may not be assumable yet: IAM changes take a few seconds to propagate.
    attempts = 6 if retry else 1
    attempt = 1
    while True:
        try:
            return aws.assume_role(role_arn, session)
        except AWS_ERRORS as exc:
            if attempt >= attempts or error_code(exc) != "AccessDenied":
                raise
        attempt += 1
        time.sleep(5)


def _call(client: Any, scenario: Caller, model_id: str, number: int) -> tuple[int, int]:
    """One call the way the scenario's application makes it; returns (input, output) tokens."""
    prompt = scenario.prompts[number % len(scenario.prompts)]
    if scenario.kind == "role":
        response = client.invoke_model(
            modelId=model_id,
            contentType="application/json",
            accept="application/json",
            body=json.dumps({
                "anthropic_version": "bedrock-2023-05-31",
                "max_tokens": MAX_TOKENS,
                "messages": [{"role": "user", "content": [{"type": "text", "text": prompt}]}],
            }),
        )
        try:
            usage = json.loads(response["body"].read())["usage"]
            return int(usage["input_tokens"]), int(usage["output_tokens"])
        except (KeyError, TypeError, json.JSONDecodeError) as exc:
            raise ValueError(f"no usage in the InvokeModel response ({type(exc).__name__})") from None
    response = client.converse(
        modelId=model_id,
        messages=[{"role": "user", "content": [{"text": prompt}]}],
        inferenceConfig={"maxTokens": MAX_TOKENS},
        requestMetadata={
            "application_name": scenario.name,
            "cost_center": scenario.cost_center,
            "tenant_id": scenario.tenants[number % len(scenario.tenants)],
        },
    )
    try:
        return int(response["usage"]["inputTokens"]), int(response["usage"]["outputTokens"])
    except (KeyError, TypeError) as exc:
        raise ValueError(f"no usage in the Converse response ({type(exc).__name__})") from None


def _planned(scenario: Caller, calls: int) -> ScenarioResult:
    model = MODELS_BY_KEY[scenario.models[0][0]]
    return ScenarioResult(scenario.name, scenario.kind, scenario.home_region,
                          routed_model_id(model, scenario.home_region), calls)


def render_real_report(account: str, changes: list[RoleChange], results: list[ScenarioResult], dry_run: bool) -> str:
    """The role changes and the per-scenario table of a real run (or of its plan)."""
    lines = [f"\n📋 Account {account}{' (dry run: no calls made, nothing changed)' if dry_run else ''}"]
    if changes:
        lines += ["", render_table(["Role", "Action", "Details"], [[c.role, c.action, c.detail] for c in changes])]
    if results and dry_run:
        rows = [[r.scenario, r.kind, r.region, r.model_id, r.calls] for r in results]
        lines += ["", render_table(["Scenario", "Kind", "Region", "Model", "Calls"], rows)]
    elif results:
        rows = [
            [r.scenario, r.kind, r.region, r.model_id, f"{r.succeeded}/{r.calls}", f"{r.input_tokens:,}",
             f"{r.output_tokens:,}", f"❌ {r.error}" if r.error else "✅"]
            for r in results
        ]
        headers = ["Scenario", "Kind", "Region", "Model", "Calls", "Input tok", "Output tok", "Result"]
        lines += ["", render_table(headers, rows)]
        ok = sum(r.succeeded for r in results)
        lines.append(f"\n📊 Successful API calls: {ok}/{sum(r.calls for r in results)}; "
                     "logged calls reach S3 within minutes.")
    return "\n".join(lines)


def _reject(args: argparse.Namespace, names: tuple[str, ...], mode: str) -> None:
    given = [f"--{name.replace('_', '-')}" for name in names if getattr(args, name) not in (None, False)]
    if given:
        raise UsageError(f"{' '.join(given)} cannot be used in {mode}")


MODES: dict[str, Callable[[argparse.Namespace], int]] = {
    "simulate": run_simulate,
    "real": run_real,
    "qdev": run_qdev_simulate,
}


if __name__ == "__main__":
    sys.exit(run_main(main))
