"""Turn on Amazon Bedrock Model Invocation Logging to S3 in each region.

Per region: a private, encrypted log bucket (created if missing), a bucket policy that lets only Bedrock of
this account and region write its logs (and refuses plain HTTP), then the logging configuration itself.
Running it again changes nothing and says so. What a region already has and setup would change (logging that
delivers elsewhere, a policy statement with our Sid) is left as it is and reported old -> new, with exit 2; an
existing bucket's hardening (a public access block or lack of one, its missing TLS-only statement) is left too,
as advice, with exit 0, and so is logging that delivers to another bucket or prefix where Bedrock can write, when
the run names no --bucket or --prefix: the reports read it there, and the line says how to keep or move it. Only
--replace-existing changes them. Logging is not switched on while the statement letting Bedrock write is left as
it is.
"""

from __future__ import annotations

import shlex
import sys

from bedrock_usage.output.command import interrupt_ends_run

with interrupt_ends_run():  # Ctrl-C while the modules load ends the run as later: one line, exit 130
    from bedrock_usage.aws.logging_repair import check_command, kept_elsewhere, script_command
    from bedrock_usage.aws.logging_setup import (
        DEFAULT_BUCKET_TEMPLATE,
        DEFAULT_PREFIX,
        LOG_BUCKET_GRANT,
        SETUP_POLICY_FILE,
        DeliveryOptions,
        LoggingTarget,
        configure_region,
    )
    from bedrock_usage.aws.provisioning import RegionSetup, bucket_name, one_bucket_per_region, refusals_explained
    from bedrock_usage.aws.session import Aws
    from bedrock_usage.cli import (
        SETUP_EXIT_CODES,
        NextStep,
        add_dry_run,
        add_replace_existing,
        finish_setup,
        make_parser,
        regions_of,
        run_main,
        run_setup,
    )
    from bedrock_usage.logs.layout import normalise_prefix

EXIT_CODES = (
    f"{SETUP_EXIT_CODES} Logging that delivers to another bucket or prefix where Bedrock can write is the region's "
    "when no --bucket or --prefix is given: kept, with a line saying how to keep or move it, exit 0."
)
EXAMPLES = """\
  python setup_bedrock_logging.py --dry-run
  python setup_bedrock_logging.py --regions us-east-1 ap-northeast-2 --profile admin
  python setup_bedrock_logging.py --bucket acme-bedrock-logs-{region} --prefix logs/ --image"""


def main(argv: list[str] | None = None) -> int:
    """Parse the options and set logging up region by region."""
    parser = make_parser(
        "setup_bedrock_logging.py",
        "Turn on Amazon Bedrock Model Invocation Logging to S3 in each region: log bucket (Block Public Access, "
        "SSE-S3, TLS-only policy that lets Bedrock write), then the logging configuration. Idempotent.",
        EXAMPLES,
        exit_codes=EXIT_CODES,
    )
    add_dry_run(parser)
    parser.add_argument(
        "--bucket",
        default=DEFAULT_BUCKET_TEMPLATE,
        metavar="TEMPLATE",
        help="log bucket name; {account} and {region} are filled in, {region} is needed for more than one region: "
        "Bedrock logs only to a bucket in its region (default %(default)s)",
    )
    parser.add_argument("--prefix", default=DEFAULT_PREFIX, help="key prefix of the logs (default %(default)s)")
    parser.add_argument("--image", action="store_true", help="also deliver image data (large; default off)")
    parser.add_argument("--embedding", action="store_true", help="also deliver embedding data (default off)")
    parser.add_argument("--video", action="store_true", help="also deliver video data (large; default off)")
    add_replace_existing(
        parser,
        "a region's logging that delivers to another bucket or prefix (or has text delivery off), and settings of a "
        "log bucket setup did not make in this run (its public access block or lack of one, no default encryption: "
        "SSE-S3 is set, a missing TLS-only statement, a policy statement with setup's Sid)",
    )
    args = parser.parse_args(argv)
    aws = Aws.connect(args.profile)
    regions = regions_of(args, aws)
    one_bucket_per_region("--bucket", args.bucket, regions, "Bedrock logs only to a bucket in the region it logs")
    account = aws.account_id()
    targets = {
        region: LoggingTarget(region, account, bucket_name(args.bucket, account, region), normalise_prefix(args.prefix))
        for region in regions
    }
    delivery = DeliveryOptions(image=args.image, embedding=args.embedding, video=args.video)
    # named no destination of its own: logging that works where it is serves the reports as well as setup's would
    keep_working = args.bucket == DEFAULT_BUCKET_TEMPLATE and normalise_prefix(args.prefix) == DEFAULT_PREFIX

    def set_up(region: str, result: RegionSetup) -> None:
        with refusals_explained(targets[region].bucket, LOG_BUCKET_GRANT):  # a team's bucket beyond the policy
            status = configure_region(aws, targets[region], delivery, args.dry_run, result,
                                      replace=args.replace_existing, keep_working=keep_working)
        if status is None:
            return
        if result.left_as_is:  # exit 2: the problem names --replace-existing, this line the way to keep it
            result.warning = kept_elsewhere(status, account, args.profile)
        else:  # exit 0: the advice under it says --replace-existing would still move it
            result.notes.append(kept_elsewhere(status, account, args.profile))

    if args.format == "table":
        dry = " (dry run: nothing will be changed)" if args.dry_run else ""
        print(f"🔧 Setting up Bedrock Model Invocation Logging for account {account}{dry}")
    results = run_setup(regions, set_up, SETUP_POLICY_FILE, args.format)
    return finish_setup(
        results,
        aws,
        "Model Invocation Logging",
        args.dry_run,
        args.format,
        f"an AccessDenied names what {SETUP_POLICY_FILE} grants",
        next_steps(regions, args.profile),
    )


def next_steps(regions: tuple[str, ...], profile: str | None) -> list[NextStep]:
    """What to run after a successful setup, in the README's order: check that logs arrive, then the Athena table,
    or the local engine's copy of the logs instead."""
    return [
        NextStep(1, "check that logs arrive, once Bedrock has been called in these regions",
                 check_command(list(regions), profile)),
        NextStep(2, "make the Athena table the reports query",
                 script_command("setup_athena_bucket.py", list(regions), profile)),
        NextStep(2, "without Athena, copy the logs and report on them with the local engine",
                 shlex.join(["python", "bedrock_tracker_cli.py", "--engine", "local", "--sync", "--days", "30",
                             *(["--profile", profile] if profile else [])])),
    ]


if __name__ == "__main__":
    sys.exit(run_main(main))
