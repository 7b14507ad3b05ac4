"""Model Invocation Logging to S3: the log bucket, the bucket policy Bedrock needs, the logging configuration."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..logs.layout import SERVICE_FOLDER, normalise_prefix
from .logging_config import read_logging_config
from .provisioning import Change, RegionSetup, apply_change, ensure_policy_statements, ensure_private_bucket
from .session import Aws, partition

DEFAULT_BUCKET_TEMPLATE = "bedrock-logs-{account}-{region}"
DEFAULT_PREFIX = "bedrock-logs/"
BEDROCK_SERVICE = "bedrock.amazonaws.com"
TLS_ONLY_SID = "DenyInsecureTransport"
SETUP_POLICY_FILE = "iam/setup-admin.json"


@dataclass(frozen=True)
class LoggingTarget:
    """Where one region's invocation logs are delivered."""

    region: str
    account: str
    bucket: str
    prefix: str = DEFAULT_PREFIX

    @property
    def url(self) -> str:
        """``s3://bucket/prefix``."""
        return f"s3://{self.bucket}/{normalise_prefix(self.prefix)}"


@dataclass(frozen=True)
class DeliveryOptions:
    """Which kinds of data Bedrock logs besides text (off by default: they are large)."""

    image: bool = False
    embedding: bool = False
    video: bool = False


def writer_sid(region: str) -> str:
    """The Sid of the statement letting Bedrock in ``region`` write (its SourceArn names the region)."""
    return "AllowBedrockLogging" + "".join(part.capitalize() for part in region.split("-"))


def log_objects_arn(bucket: str, prefix: str, account: str, region: str) -> str:
    """The ARN pattern of every object Model Invocation Logging writes for ``account``."""
    return f"arn:{partition(region)}:s3:::{bucket}/{normalise_prefix(prefix)}AWSLogs/{account}/{SERVICE_FOLDER}/*"


def bucket_policy_statements(target: LoggingTarget) -> list[dict[str, Any]]:
    """A TLS-only Deny, and an Allow for Bedrock of this account and region to put log objects only."""
    arn = partition(target.region)
    return [
        {
            "Sid": TLS_ONLY_SID,
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [f"arn:{arn}:s3:::{target.bucket}", f"arn:{arn}:s3:::{target.bucket}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
        {
            "Sid": writer_sid(target.region),
            "Effect": "Allow",
            "Principal": {"Service": BEDROCK_SERVICE},
            "Action": "s3:PutObject",
            "Resource": log_objects_arn(target.bucket, target.prefix, target.account, target.region),
            "Condition": {
                "StringEquals": {"aws:SourceAccount": target.account},
                "ArnLike": {"aws:SourceArn": f"arn:{arn}:bedrock:{target.region}:{target.account}:*"},
            },
        },
    ]


def desired_logging_config(current: dict[str, Any], target: LoggingTarget, delivery: DeliveryOptions) -> dict[str, Any]:
    """The logging configuration to put: ours for S3 and the data kinds, the rest (CloudWatch...) as it is."""
    s3_config = {"bucketName": target.bucket}
    if normalise_prefix(target.prefix):
        s3_config["keyPrefix"] = normalise_prefix(target.prefix)
    return {
        **current,
        "s3Config": s3_config,
        "textDataDeliveryEnabled": True,
        "imageDataDeliveryEnabled": delivery.image,
        "embeddingDataDeliveryEnabled": delivery.embedding,
        "videoDataDeliveryEnabled": delivery.video,
    }


def ensure_logging_config(bedrock: Any, target: LoggingTarget, delivery: DeliveryOptions, dry_run: bool) -> Change:
    """Point the region's Model Invocation Logging at the target unless it already is."""
    current = read_logging_config(bedrock)
    desired = desired_logging_config(current, target, delivery)
    return apply_change(
        f"logging configuration {target.region}",
        exists=bool(current),
        up_to_date=_same_delivery(current, desired),
        dry_run=dry_run,
        write=lambda: bedrock.put_model_invocation_logging_configuration(loggingConfig=desired),
        detail=target.url,
    )


def _same_delivery(current: dict[str, Any], desired: dict[str, Any]) -> bool:
    """Same bucket, prefix and data kinds; a flag AWS leaves out counts as off."""
    now, wanted = current.get("s3Config") or {}, desired["s3Config"]
    return (
        now.get("bucketName") == wanted["bucketName"]
        and normalise_prefix(now.get("keyPrefix")) == normalise_prefix(wanted.get("keyPrefix"))
        and all(bool(current.get(flag)) == value for flag, value in desired.items() if flag.endswith("Enabled"))
    )


def configure_region(
    aws: Aws, target: LoggingTarget, delivery: DeliveryOptions, dry_run: bool, result: RegionSetup
) -> None:
    """Log bucket, then its policy (Bedrock checks it can write when logging is switched on), then logging."""
    s3 = aws.client("s3", target.region)
    result.target = target.url
    result.changes.extend(ensure_private_bucket(s3, target.bucket, target.region, dry_run))
    result.changes.append(ensure_policy_statements(s3, target.bucket, bucket_policy_statements(target), dry_run))
    result.changes.append(ensure_logging_config(aws.client("bedrock", target.region), target, delivery, dry_run))
