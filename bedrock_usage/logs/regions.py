"""AWS regions the product knows, and the six it covers by default."""

from __future__ import annotations

from ..errors import UsageError

DEFAULT_REGIONS: tuple[str, ...] = (
    "us-east-1",
    "us-west-2",
    "eu-central-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-southeast-1",
)

REGION_NAMES: dict[str, str] = {
    "us-east-1": "US East (N. Virginia)",
    "us-east-2": "US East (Ohio)",
    "us-west-1": "US West (N. California)",
    "us-west-2": "US West (Oregon)",
    "ca-central-1": "Canada (Central)",
    "sa-east-1": "South America (Sao Paulo)",
    "eu-central-1": "Europe (Frankfurt)",
    "eu-central-2": "Europe (Zurich)",
    "eu-west-1": "Europe (Ireland)",
    "eu-west-2": "Europe (London)",
    "eu-west-3": "Europe (Paris)",
    "eu-north-1": "Europe (Stockholm)",
    "eu-south-1": "Europe (Milan)",
    "eu-south-2": "Europe (Spain)",
    "ap-northeast-1": "Asia Pacific (Tokyo)",
    "ap-northeast-2": "Asia Pacific (Seoul)",
    "ap-northeast-3": "Asia Pacific (Osaka)",
    "ap-southeast-1": "Asia Pacific (Singapore)",
    "ap-southeast-2": "Asia Pacific (Sydney)",
    "ap-south-1": "Asia Pacific (Mumbai)",
    "us-gov-east-1": "AWS GovCloud (US-East)",
    "us-gov-west-1": "AWS GovCloud (US-West)",
}


def is_govcloud(region: str) -> bool:
    """True for AWS GovCloud (US) regions, which have their own price list."""
    return region.startswith("us-gov-")


def resolve_regions(values: list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
    """Validate region names (commas split them too); ``None``, empty or ``all`` mean the default six."""
    values = [name.strip() for value in values or () for name in value.split(",") if name.strip()]
    if not values or values == ["all"]:
        return DEFAULT_REGIONS
    unknown = [r for r in values if r not in REGION_NAMES]
    if unknown:
        raise UsageError(
            f"unknown region {', '.join(unknown)}; known regions: {', '.join(sorted(REGION_NAMES))}"
        )
    return tuple(dict.fromkeys(values))
