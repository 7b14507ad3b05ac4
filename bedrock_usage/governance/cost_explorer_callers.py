"""The bill per caller from Cost Explorer, for accounts without a CUR 2.0 export: grouped by an IAM principal tag.

Cost Explorer's ``GetCostAndUsage`` has no IAM principal dimension (its ``Dimension`` values in botocore's service
model, up to botocore 1.44, name none). What it offers for Amazon Bedrock's caller attribution are the IAM principal
tags: tags on IAM users and roles, and session tags, activated as cost allocation tags, appear with the
``iamPrincipal/`` prefix (``iamPrincipal/team``) and can be grouped by like any tag. So the caller here is the
value of one such tag, compared with the user or the application the logs' attribution gives. Calls whose
principal carries no value of the tag come back under an empty value: unattributed.

A query groups by at most two keys, and the model of a Marketplace model is in its service name while the region
is in the usage type; so one query lists the Bedrock services billed (grouped by service and usage type, as
``reconcile.cost_explorer_request``), then one query per service groups by the tag and the usage type.
Every request costs USD 0.01.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pandas as pd

from ..logs.period import Period
from ..output.notices import Notice
from .cur import LINE_COLUMNS, BilledLines
from .reconcile import cost_explorer_request, linked_account
from .usage_types import is_bedrock_service, parse_usage_type

PRINCIPAL_TAG_PREFIX = "iamPrincipal/"
CALLER_NAMES = ("user", "application")


def services_request(period: Period, account: str) -> dict[str, Any]:
    """The request listing the Bedrock services (and their usage types) the account was billed for."""
    return cost_explorer_request(period.start, period.end, account)


def tag_request(period: Period, account: str, service: str, tag_key: str) -> dict[str, Any]:
    """One service's daily usage cost grouped by the principal tag ``tag_key`` and the usage type."""
    return {
        "TimePeriod": {"Start": period.start.isoformat(), "End": (period.end + timedelta(days=1)).isoformat()},
        "Granularity": "DAILY",
        "Metrics": ["UnblendedCost"],
        "Filter": {"And": [
            {"Dimensions": {"Key": "SERVICE", "Values": [service]}},
            {"Dimensions": {"Key": "RECORD_TYPE", "Values": ["Usage"]}},
            linked_account(account),
        ]},
        "GroupBy": [{"Type": "TAG", "Key": tag_key}, {"Type": "DIMENSION", "Key": "USAGE_TYPE"}],
    }


def _pages(ce_client: Any, request: dict[str, Any]) -> list[dict[str, Any]]:
    pages, token = [], None
    while True:
        page = ce_client.get_cost_and_usage(**request, **({"NextPageToken": token} if token else {}))
        pages.append(page)
        token = page.get("NextPageToken")
        if not token:
            return pages


def tag_value(group_key: str, tag_key: str) -> str:
    """The tag's value from a group key: Cost Explorer writes ``{key}${value}`` (``$`` alone when untagged)."""
    prefix = f"{tag_key}$"
    return group_key[len(prefix):] if group_key.startswith(prefix) else group_key.partition("$")[2]


def read_cost_explorer_callers(
    ce_client: Any, period: Period, account: str, tag_key: str, names: str = "user",
    services: set[str] | None = None,
) -> BilledLines:
    """Amazon Bedrock's daily billed cost of ``account`` per value of the IAM principal tag ``tag_key``.

    ``services``: the Bedrock services billed in the period when already known (one request fewer).
    """
    if services is None:
        services = set()
        for page in _pages(ce_client, services_request(period, account)):
            for result in page.get("ResultsByTime", []):
                for group in result.get("Groups", []):
                    service = (group.get("Keys") or [""])[0]
                    if is_bedrock_service(service):
                        services.add(service)
    rows = []
    for service in sorted(services):
        for page in _pages(ce_client, tag_request(period, account, service, tag_key)):
            for result in page.get("ResultsByTime", []):
                day = result["TimePeriod"]["Start"]
                for group in result.get("Groups", []):
                    tag_group, usage_type = [*(group.get("Keys") or []), "", ""][:2]
                    parsed = parse_usage_type(service, usage_type)
                    amount = float(group["Metrics"]["UnblendedCost"]["Amount"])
                    rows.append([tag_value(tag_group, tag_key), service, usage_type, parsed.region,
                                 parsed.model.name if parsed.model else None, parsed.kind, day, amount, float("nan"),
                                 parsed.batch])
    warnings = []
    if not tag_key.startswith(PRINCIPAL_TAG_PREFIX):
        warnings.append(Notice(f"tag {tag_key!r} is not an IAM principal tag (they read {PRINCIPAL_TAG_PREFIX}KEY in "
                               "Cost Explorer): calls are attributed by it only if it is one", "ce_tag_not_principal",
                               tag=repr(tag_key), prefix=PRINCIPAL_TAG_PREFIX))
    source = f"Cost Explorer, grouped by the IAM principal tag {tag_key} (compared with the logs' {names})"
    return BilledLines(pd.DataFrame(rows, columns=LINE_COLUMNS), source, principal_kind=names, warnings=warnings,
                       account=account)
