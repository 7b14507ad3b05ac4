"""Can each application role reach Bedrock? Assume it, list foundation models per region, simulate InvokeModel."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..demo.writer import POLICY_FILE
from ..pricing.model_ids import parse_model_id
from .session import AWS_ERRORS, GLOBAL_REGION, Aws, describe, error_code, partition, required_action

DEFAULT_ROLES: tuple[str, ...] = (
    "CustomerServiceApp-BedrockRole",
    "DataAnalysisApp-BedrockRole",
    "ChatbotApp-BedrockRole",
    "DocumentProcessorApp-BedrockRole",
)
DEFAULT_MODEL = "anthropic.claude-3-haiku-20240307-v1:0"
ALLOWED, DENIED, UNKNOWN = "allowed", "denied", "unknown"
ROLE_POLICY_FILE = "iam/test-role.json"  # what a role needs to list and invoke models

_SESSION_NAME_RE = re.compile(r"[^\w+=,.@-]")
_DENIED = ("AccessDenied", "AccessDeniedException")


class RoleNotFound(Exception):
    """IAM has no role of that name in the caller's account."""


@dataclass(frozen=True)
class RoleRegionCheck:
    """What one role can do with Bedrock in one region."""

    role: str
    region: str
    assumed: bool
    model_count: int | None
    invoke: str
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """Assumed, models listed, and InvokeModel not denied (``unknown`` is not a failure)."""
        return self.assumed and self.model_count is not None and self.invoke != DENIED


def role_arn(role: str, account: str, region: str) -> str:
    """A role name in the caller's account as an ARN; full ARNs pass through."""
    return role if role.startswith("arn:") else f"arn:{partition(region)}:iam::{account}:role/{role}"


def arn_account(arn: str) -> str:
    """The account field of an ARN; ``''`` when it has none."""
    parts = arn.split(":")
    return parts[4] if len(parts) > 5 else ""


def session_name(role: str) -> str:
    """A valid RoleSessionName (2-64 characters of a restricted set) that names the role in CloudTrail."""
    return _SESSION_NAME_RE.sub("-", f"verify-{role.rsplit('/', 1)[-1]}")[:64]


def verify_role(aws: Aws, role: str, regions: tuple[str, ...], model: str) -> list[RoleRegionCheck]:
    """One check per region for ``role``; failures are recorded in the checks, never raised. A role the simulator
    says does not exist is not assumed (AWS would refuse it as if the caller lacked the permission)."""
    account = aws.account_id()
    arn = role_arn(role, account, regions[0] if regions else GLOBAL_REGION)
    try:
        simulated = {region: simulate_invoke(aws, arn, region, model) for region in regions}
    except RoleNotFound:
        missing = (f"role {arn} does not exist: name your application roles with --roles (the default checks the "
                   "four sample roles, which generate_test_data.py --create-roles makes)",)
        return [RoleRegionCheck(role, region, False, None, UNKNOWN, missing) for region in regions]
    try:
        assumed: Aws | None = aws.assume_role(arn, session_name(role))
        assume_problem: tuple[str, ...] = ()
    except AWS_ERRORS as exc:
        assumed = None
        refused = error_code(exc) in _DENIED and aws.caller_arn()
        assume_problem = (assume_refused(arn, aws.caller_arn()) if refused
                          else f"cannot assume the role: {describe(exc, POLICY_FILE)}",)
    checks = []
    for region in regions:
        invoke, invoke_problems = simulated[region]
        count, list_problems = (None, ()) if assumed is None else _count_models(assumed, region)
        checks.append(
            RoleRegionCheck(
                role, region, assumed is not None, count, invoke, assume_problem + list_problems + invoke_problems
            )
        )
    return checks


def trust_principal(caller: str) -> str:
    """The principal a role's trust policy names to let ``caller`` assume it: for an assumed-role session the role
    (``arn:aws:sts::1:assumed-role/R/s`` -> ``arn:aws:iam::1:role/R``), else the caller's own ARN."""
    parts = caller.split(":", 5)
    if len(parts) == 6 and parts[2] == "sts" and parts[5].startswith("assumed-role/"):
        return f"arn:{parts[1]}:iam::{parts[4]}:role/{parts[5].split('/')[1]}"
    return caller


def assume_refused(arn: str, caller: str) -> str:
    """The problem of an AssumeRole refused with AccessDenied: the role's trust policy first (the usual cause), then
    the caller's own policies."""
    principal = trust_principal(caller)
    path = " (with the role's path, if it has one)" if principal != caller else ""
    return (f"cannot assume the role: AccessDenied: the trust policy of {arn} must allow {caller} to call "
            f'sts:AssumeRole (a statement with "Principal": {{"AWS": "{principal}"}}{path}, "Action": '
            f'"sts:AssumeRole"), and the caller\'s own policies must allow sts:AssumeRole on {arn} (see {POLICY_FILE})')


def _count_models(assumed: Aws, region: str) -> tuple[int | None, tuple[str, ...]]:
    """How many foundation models the assumed role lists in ``region``; a refusal is the role's to fix."""
    try:
        summaries = assumed.client("bedrock", region).list_foundation_models().get("modelSummaries", [])
    except AWS_ERRORS as exc:
        if error_code(exc) in _DENIED:
            return None, (f"listing foundation models: the role needs {required_action(exc)} ({ROLE_POLICY_FILE} "
                          "shows what a role needs)",)
        return None, (f"listing foundation models: {describe(exc)}",)
    return len(summaries), ()


def invoke_resources(model: str, region: str, account: str) -> list[str]:
    """The resources a call of ``model`` (a model id, or a ``us.``/``global.`` inference profile id) from ``region``
    needs bedrock:InvokeModel on: the foundation model, and for a profile the profile too (Amazon Bedrock User Guide,
    "Geographic cross-Region inference" and "Global cross-Region inference": a profile's calls are authorized on the
    profile and on the model where they run, a global profile's model ARN naming no region). Of a geographic
    profile's destinations only the source region's model is checked."""
    ref = parse_model_id(model)
    arn = f"arn:{partition(region)}:bedrock"
    if ref.endpoint not in ("geo", "global") or ref.base_id is None:
        return [f"{arn}:{region}::foundation-model/{model}"]
    model_region = "" if ref.endpoint == "global" else region
    return [f"{arn}:{region}:{account}:inference-profile/{model}",
            f"{arn}:{model_region}::foundation-model/{ref.base_id}"]


def simulate_invoke(aws: Aws, arn: str, region: str, model: str) -> tuple[str, tuple[str, ...]]:
    """IAM's policy simulator on bedrock:InvokeModel of ``model`` in ``region`` for the role (every resource the call
    needs); ``unknown`` if it cannot be asked (it needs iam:SimulatePrincipalPolicy, evaluates identity policies only
    and reads roles of the caller's account only). RoleNotFound when the role does not exist."""
    account = aws.account_id()
    owner = arn_account(arn)
    if owner and owner != account:
        return UNKNOWN, (f"InvokeModel check: IAM's policy simulator reads roles of this account ({account}) only: "
                         f"run again with --profile for account {owner} to check this role's InvokeModel",)
    resources = invoke_resources(model, region, account)
    try:
        results = aws.client("iam").simulate_principal_policy(
            PolicySourceArn=arn, ActionNames=["bedrock:InvokeModel"], ResourceArns=resources,
        )["EvaluationResults"]
    except AWS_ERRORS as exc:
        if error_code(exc) == "NoSuchEntity":
            raise RoleNotFound(arn) from exc
        return UNKNOWN, (f"InvokeModel check: {describe(exc, POLICY_FILE)}",)
    decisions = {result["EvalDecision"] for result in results}
    if not decisions:
        return UNKNOWN, ("InvokeModel check: the policy simulator returned no decision",)
    if decisions == {"allowed"}:
        return ALLOWED, ()
    return DENIED, (f"the role's policies do not allow bedrock:InvokeModel on {', '.join(resources)}: grant it to "
                    f"the role ({ROLE_POLICY_FILE} shows what a role needs)",)
