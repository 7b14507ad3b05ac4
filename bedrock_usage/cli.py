"""Command-line pieces the AWS setup scripts share: options, the per-region table, and main()'s error handling."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from .aws.logging_config import enabled_regions, logging_regions
from .aws.provisioning import REPLACE_OPTION, Change, RegionSetup, run_region
from .aws.session import AWS_ERRORS, Aws, as_project_error, describe
from .errors import SetupRequired, UsageError
from .logs.regions import ALL, DEFAULT_REGIONS, bedrock_regions, requested_regions
from .output.command import EXIT_OK, UsageErrorParser, guard_output, interrupted
from .output.terminal_table import text_table

SIX_REGIONS_HELP = (
    f"regions to work on (default: {' '.join(DEFAULT_REGIONS)}); '{ALL}': every Amazon Bedrock region of the "
    "account's partition"
)
LOGGING_REGIONS_HELP = (
    f"regions to work on (default, and '{ALL}': every region whose Model Invocation Logging delivers to S3)"
)
# Settings of one resource printed old -> new in the table format; JSON lists every one.
SHOWN_DIFFERENCES = 4
SETUP_EXIT_CODES = (
    "Exit codes: 0 every region is fine; 1 a mistake in the options; 2 the environment needs a step "
    "(credentials, permissions, logging), a region failed, or an existing setting the region needs was left as it "
    f"is (old -> new shown; {REPLACE_OPTION} changes it) - the message and the table say which."
)


def make_parser(
    prog: str, description: str, examples: str, regions_help: str = SIX_REGIONS_HELP, *, exit_codes: str
) -> argparse.ArgumentParser:
    """A parser with the options every script has: --regions, --profile and --format; ``exit_codes`` says what
    each exit code of the script means."""
    parser = UsageErrorParser(
        prog=prog,
        description=description,
        epilog=f"examples:\n{examples}\n\n{exit_codes}\nAWS_MAX_ATTEMPTS sets how often a throttled or "
        "failed call is retried (default 5).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--regions",
        nargs="+",
        action="extend",
        metavar="REGION",
        help=regions_help,
    )
    parser.add_argument("--profile", help="AWS profile to use (default: the standard credential chain)")
    parser.add_argument(
        "--format", choices=("table", "json"), default="table", help="table (default) or json on standard output"
    )
    return parser


def add_dry_run(parser: argparse.ArgumentParser) -> None:
    """The --dry-run option of the scripts that change things."""
    parser.add_argument(
        "--dry-run", action="store_true", help="read the current state and print what would change; change nothing"
    )


def add_replace_existing(parser: argparse.ArgumentParser, what: str) -> None:
    """The --replace-existing option of the setup scripts: ``what`` names what it may replace."""
    parser.add_argument(
        REPLACE_OPTION,
        action="store_true",
        help=f"replace what setup finds set otherwise: {what}; without it each is left as it is and reported, "
        "old -> new, with exit 2 (hardening an existing bucket goes without: exit 0; what is missing is created "
        "without it)",
    )


def regions_of(args: argparse.Namespace, aws: Aws | None = None) -> tuple[str, ...]:
    """The validated --regions (UsageError for unknown names); none given means ``DEFAULT_REGIONS``, and ``all``
    every Bedrock region of the account's partition that the account has enabled (every region of the commercial
    partition without an ``aws`` to ask)."""
    requested = requested_regions(args.regions)
    if requested:
        return requested
    if args.regions:
        return bedrock_regions("aws") if aws is None else enabled_regions(aws, bedrock_regions(aws.partition()))
    return DEFAULT_REGIONS


def logging_regions_of(
    args: argparse.Namespace, aws: Aws, policy_file: str, cloudwatch_only: bool = False
) -> tuple[str, ...]:
    """The validated --regions; none given, or ``all``, means every region whose logging delivers to S3, then, with
    ``cloudwatch_only`` (the check, which says they do not deliver to S3), those whose logging goes to CloudWatch
    Logs only."""
    requested = requested_regions(args.regions)
    if requested:
        return requested
    found = logging_regions(aws, policy_file=policy_file)
    for region, why in sorted(found.unread.items()):
        print(f"warning: {region} is left out: {why}", file=sys.stderr)
    if cloudwatch_only and found.cloudwatch_only:
        return found.regions + found.cloudwatch_only
    if not found.regions:
        raise NoLoggingRegion(
            f"Model Invocation Logging delivers to S3 in no region of account {aws.account_id()}: run "
            "python setup_bedrock_logging.py --regions REGION first, or pass --regions"
        )
    return found.regions


class NoLoggingRegion(SetupRequired):
    """No region whose logging configuration could be read delivers to S3 (those that could not be read are named in
    warnings on stderr)."""


def run_main(body: Callable[[], int]) -> int:
    """Run a script's body; errors a user can fix become one line on stderr and the matching exit code."""
    try:
        return guard_output(body)
    except (UsageError, SetupRequired) as exc:
        return _fail(exc)
    except AWS_ERRORS as exc:
        return _fail(as_project_error(exc) or SetupRequired(describe(exc)))
    except KeyboardInterrupt:
        return interrupted()


def _fail(exc: UsageError | SetupRequired) -> int:
    print(f"{Path(sys.argv[0]).name}: {exc}", file=sys.stderr)
    return exc.exit_code


def run_setup(
    regions: tuple[str, ...], step: Callable[[str, RegionSetup], None], policy_file: str, fmt: str
) -> list[RegionSetup]:
    """Set up each region in turn, printing each one's changes as it finishes (in table format)."""
    results = []
    for region in regions:
        if fmt == "table":
            print(f"\n{region}...", flush=True)
        result = run_region(region, lambda res, region=region: step(region, res), policy_file)
        if fmt == "table":
            print(render_region_setup(result), flush=True)
        results.append(result)
    return results


def render_region_setup(result: RegionSetup) -> str:
    """The lines of one region's setup: target, each resource's outcome (old -> new where it differs), notes, and
    why the region is not set up."""
    lines = [f"  -> {result.target}"] if result.target else []
    for change in result.changes:
        differences = f": {_differences_text(change)}" if change.differences else ""
        detail = f" ({change.detail})" if change.detail else ""
        lines.append(f"  {change.outcome:<13} {change.resource}{differences}{detail}")
    lines += [f"  {note}" for note in result.notes]
    problem = result.problem
    if problem:
        lines.append(f"  {'❌' if result.error else '⚠️'} {problem}")
    advice = result.advice
    if advice:
        lines.append(f"  ℹ️ {advice}")
    return "\n".join(lines)


def _differences_text(change: Change) -> str:
    """The first few settings of a change, old -> new; the rest are counted (the JSON document lists them all)."""
    shown = ", ".join(map(str, change.differences[:SHOWN_DIFFERENCES]))
    more = len(change.differences) - SHOWN_DIFFERENCES
    return f"{shown} and {more} more setting(s) (--format json lists them)" if more > 0 else shown


def setup_summary(results: list[RegionSetup], dry_run: bool) -> str:
    """The final per-region table of a setup script."""
    rows = []
    for result in results:
        details = "; ".join(part for part in (result.problem or "; ".join(result.notes), result.advice) if part)
        rows.append([result.region, _status(result, dry_run), result.target, details])
    return render_table(["Region", "Result", "Location", "Details"], rows)


def _status(result: RegionSetup, dry_run: bool) -> str:
    """A region's Result cell: failed, left as it is, or what setup changed (⚠️ where the region has a warning)."""
    if result.error:
        return "❌ failed"
    if result.left_as_is:
        return "⚠️ left as it is"
    count = len(result.made())
    done = "unchanged" if not count else f"would change {count}" if dry_run else f"changed {count}"
    mark = "⚠️" if result.warning else "📝" if count and dry_run else "✅"
    return f"{mark} {done}"


@dataclass(frozen=True)
class NextStep:
    """A command to run after a setup that set every region up, under what it is for; steps sharing a ``step``
    number are alternatives to one another."""

    step: int
    purpose: str
    command: str


def render_next_steps(steps: Sequence[NextStep]) -> str:
    """The closing lines of a successful run: each next command under what it is for, an alternative as 'or'."""
    lines = ["", "👉 Next steps:"]
    for index, step in enumerate(steps):
        alternative = index > 0 and steps[index - 1].step == step.step
        lines += [f"   {'   or, ' if alternative else f'{step.step}. '}{step.purpose}:", f"        {step.command}"]
    return "\n".join(lines)


def finish_setup(
    results: list[RegionSetup], aws: Aws, title: str, dry_run: bool, fmt: str, fix: str,
    next_steps: Sequence[NextStep] = (),
) -> int:
    """Print a setup script's summary (or JSON document) and return its exit code: 2 when a region failed, left
    a setting as it is or has a warning (the message's ``fix``: where to look besides each region's problem).
    ``next_steps`` end a real run in which every region was set up, in the table as in JSON."""
    failed = [result.region for result in results if result.error]
    kept = [result.region for result in results if result.left_as_is and not result.error]
    why = "each region's problem in the JSON document" if fmt == "json" else "the table above"
    problems = [f"{len(failed)} region(s) failed: {' '.join(failed)}; {why} says why ({fix})"] if failed else []
    if kept:
        shown = "in each change's differences of the JSON document" if fmt == "json" else "shown above"
        also = [result.region for result in results if result.left_as_is and not result.error and result.warning]
        more = f"; {why} also says what else to run or keep in {' '.join(also)}" if also else ""
        problems.append(f"{len(kept)} region(s) not fully set up, existing settings left as they are: {' '.join(kept)} "
                        f"(old -> new {shown}; run again with {REPLACE_OPTION} to change them{more})")
    warned = [result.region for result in results if result.warning and not result.error and not result.left_as_is]
    if warned:
        problems.append(f"{len(warned)} region(s) need a step outside this setup: {' '.join(warned)} ({why} says "
                        "which)")
    steps = [] if problems or dry_run else list(next_steps)
    if fmt == "json":
        regions = [region_document(result) for result in results]
        print_json({"account": aws.account_id(), "dry_run": dry_run, "regions": regions, "next_steps": steps})
    else:
        print(f"\n📋 Summary{' (dry run: nothing was changed)' if dry_run else ''}: {title}")
        print(setup_summary(results, dry_run))
        if steps:
            print(render_next_steps(steps))
    if problems:
        raise SetupRequired("; ".join(problems))
    return EXIT_OK


def region_document(result: RegionSetup) -> dict[str, Any]:
    """A region's setup in a setup script's JSON document: its fields and properties, its ``problem`` saying where
    old -> new is in the document (nothing is above it there)."""
    return {**_jsonable(result), "problem": result.problem_text(in_json=True)}


def render_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A plain-text table whose columns line up in a terminal, emoji included; figures right-aligned."""
    return text_table(headers, rows)


def print_json(document: Any) -> None:
    """Print dataclasses, dates and plain values as one JSON document."""
    print(json.dumps(document, default=_jsonable, indent=2, ensure_ascii=False))


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        document = {field.name: getattr(value, field.name) for field in dataclasses.fields(value)}
        properties = [
            name for name, attr in vars(type(value)).items() if isinstance(attr, property) and not name.startswith("_")
        ]
        return {**document, **{name: getattr(value, name) for name in properties}}
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")
