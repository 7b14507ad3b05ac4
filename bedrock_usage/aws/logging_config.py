"""Reading Model Invocation Logging configurations: one region's, and which regions deliver logs to S3.

It sits beside ``aws/session.py``, below the engines, because "every region" means, for the Athena engine as for
the setup and check scripts, every Bedrock region of the account's partition whose logging writes to S3.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from ..errors import SetupRequired
from ..logs.regions import bedrock_regions
from .session import AWS_ERRORS, Aws, describe, error_code

# What AWS answers in a region the account has not enabled (opt-in regions): the region holds no logs.
REGION_NOT_ENABLED_CODES = {"UnrecognizedClientException", "InvalidClientTokenId", "AuthFailure", "OptInRequired"}
CONFIG_WORKERS = 8


@dataclass(frozen=True)
class LoggingRegions:
    """The regions whose logging delivers to S3 (region -> its ``s3Config``), those that could not be read, and those
    whose logging goes to CloudWatch Logs only (no S3 destination: the reports cannot read them)."""

    s3_configs: dict[str, dict[str, Any]]
    unread: dict[str, str] = field(default_factory=dict)
    cloudwatch_only: tuple[str, ...] = ()

    @property
    def regions(self) -> tuple[str, ...]:
        return tuple(self.s3_configs)


def read_logging_config(bedrock: Any) -> dict[str, Any]:
    """The region's logging configuration; ``{}`` when logging was never configured."""
    return bedrock.get_model_invocation_logging_configuration().get("loggingConfig") or {}


def logging_regions(
    aws: Aws, candidates: tuple[str, ...] | None = None, policy_file: str | None = None
) -> LoggingRegions:
    """Which of ``candidates`` (default: every Bedrock region of the caller's partition) deliver logs to S3, and which
    log to CloudWatch Logs only.

    Regions the account has not enabled are skipped quietly; a region whose configuration cannot be read is listed
    in ``unread`` with the reason. When no region can be read at all, the first reason is raised.
    """
    regions = candidates if candidates is not None else bedrock_regions(aws.partition())
    found: dict[str, dict[str, Any]] = {}
    unread: dict[str, str] = {}
    cloudwatch_only: list[str] = []
    answered = 0
    for region, (config, error) in _read_configs(aws, regions).items():
        if error is None:
            answered += 1
            if (config.get("s3Config") or {}).get("bucketName"):
                found[region] = config["s3Config"]
            elif config.get("cloudWatchConfig"):
                cloudwatch_only.append(region)
        elif error_code(error) not in REGION_NOT_ENABLED_CODES:
            unread[region] = f"its logging configuration cannot be read: {describe(error, policy_file)}"
    if unread and not answered:
        raise SetupRequired(f"no region's logging configuration can be read ({next(iter(unread.values()))})")
    return LoggingRegions(found, unread, tuple(cloudwatch_only))


def enabled_regions(aws: Aws, regions: tuple[str, ...]) -> tuple[str, ...]:
    """``regions`` without those the account has not enabled (opt-in regions), found by reading each one's logging
    configuration. When every region answers so, the credentials are at fault, not the regions: all are kept, so
    the run says what is wrong."""
    answers = _read_configs(aws, regions)
    disabled = {region for region, (_, error) in answers.items()
                if error is not None and error_code(error) in REGION_NOT_ENABLED_CODES}
    return regions if disabled == set(regions) else tuple(r for r in regions if r not in disabled)


def _read_configs(aws: Aws, regions: tuple[str, ...]) -> dict[str, tuple[dict[str, Any] | None, Exception | None]]:
    """Each region's logging configuration, or the error reading it, read in parallel."""
    # A boto3 session is not thread-safe: the clients are made here, before the workers start.
    clients = {region: aws.client("bedrock", region) for region in regions}

    def read(region: str) -> tuple[dict[str, Any] | None, Exception | None]:
        try:
            return read_logging_config(clients[region]), None
        except AWS_ERRORS as exc:
            return None, exc

    with ThreadPoolExecutor(max_workers=CONFIG_WORKERS) as pool:
        return dict(zip(regions, pool.map(read, regions), strict=True))


@dataclass(frozen=True)
class LogLocation:
    """The bucket and key prefix a region's Model Invocation Logs are read from; ``configured`` when the region's
    logging configuration delivers to that bucket (not a copy or replica named by hand)."""

    bucket: str
    prefix: str
    configured: bool = False


def log_location(aws: Aws, region: str, bucket: str | None, prefix: str | None, policy_file: str) -> LogLocation:
    """Where a region's logs are: ``bucket`` and ``prefix`` where given, the rest from its logging configuration.

    A bucket given that the configuration does not deliver to (a copy, a replica) is read from its root unless
    ``prefix`` says otherwise: the configuration's prefix is another bucket's layout. The mirror and the Athena
    setup read logs by this one rule, as the test-data generator writes them.
    """
    if bucket is not None and prefix is not None:
        return LogLocation(bucket, prefix)
    try:
        s3_config = read_logging_config(aws.client("bedrock", region)).get("s3Config") or {}
    except AWS_ERRORS as exc:
        if bucket is not None:
            return LogLocation(bucket, "")  # its root; a read that finds nothing there says where it looked
        raise SetupRequired(
            f"the logging configuration of {region} cannot be read ({describe(exc, policy_file)}); pass "
            "--log-bucket (and --log-prefix) to name the bucket of its logs"
        ) from exc
    configured = s3_config.get("bucketName")
    if bucket is not None:
        return LogLocation(bucket, s3_config.get("keyPrefix", "") if configured == bucket else "", configured == bucket)
    if not configured:
        raise SetupRequired(
            f"Model Invocation Logging to S3 is not configured in {region}: run "
            f"`python setup_bedrock_logging.py --regions {region}` first, or pass --log-bucket"
        )
    return LogLocation(configured, prefix if prefix is not None else s3_config.get("keyPrefix", ""), True)
