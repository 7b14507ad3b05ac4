"""Can each application role reach Bedrock? Assume it, list foundation models per region, simulate InvokeModel."""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass
from typing import Any

from ..demo.writer import POLICY_FILE
from ..errors import UsageError
from ..logs.regions import REGION_NAMES, partition_clauses
from ..output.command import named
from ..pricing.model_ids import OWN_MODEL_ENDPOINTS, ROUTER_KINDS, parse_model_id
from .session import AWS_ERRORS, GLOBAL_REGION, Aws, describe, error_code, partition, required_action

DEFAULT_ROLES: tuple[str, ...] = (
    "CustomerServiceApp-BedrockRole",
    "DataAnalysisApp-BedrockRole",
    "ChatbotApp-BedrockRole",
    "DocumentProcessorApp-BedrockRole",
)
DEFAULT_MODEL = "anthropic.claude-3-haiku-20240307-v1:0"
ALLOWED, DENIED, UNKNOWN = "allowed", "denied", "unknown"
NOT_APPLICABLE = "n/a"  # --model is the ARN of another region's resource, which a call from this region cannot name
ROLE_POLICY_FILE = "iam/test-role.json"  # what a role needs to list and invoke models

FOUNDATION_MODEL, INFERENCE_PROFILE = "foundation-model", "inference-profile"  # kinds of resource ARN
PROFILES = (INFERENCE_PROFILE, "application-inference-profile")  # kinds that route to foundation models
# Resources of an account that InvokeModel's modelId takes and bedrock:InvokeModel is authorized on, with no model to
# read behind them (Service Authorization Reference, "Actions, resources, and condition keys for Amazon Bedrock":
# InvokeModel's resource types; Amazon Bedrock API Reference, "InvokeModel": modelId).
OWN_MODELS = tuple(OWN_MODEL_ENDPOINTS)
# Intelligent Prompt Routing's routers, AWS's and the account's own (resource types default-prompt-router and
# prompt-router of bedrock:InvokeModel in the same reference): a call through one is authorized on the router and on
# each model it routes to, as the AWS CDK's PromptRouter.grantInvoke grants (bedrock:GetPromptRouter and
# bedrock:InvokeModel on the router, InvokeModel on its routing endpoints).
DEFAULT_ROUTER, CUSTOM_ROUTER = ROUTERS = ROUTER_KINDS

_SESSION_NAME_RE = re.compile(r"[^\w+=,.@-]")
_DENIED = ("AccessDenied", "AccessDeniedException")
_MODEL_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]*$")
# The resources bedrock:InvokeModel takes that --model may name: a foundation model (no account), a profile, a prompt
# router, or one of OWN_MODELS.
_TARGET_ARN_RE = re.compile(
    r"^arn:(?P<partition>aws(-[a-z]+)*):bedrock:(?P<region>[a-z]{2}(-[a-z]+)+-\d):(?:"
    rf":(?P<model>{FOUNDATION_MODEL})|"
    rf"\d{{12}}:(?P<owned>{'|'.join((*PROFILES, *ROUTERS, *OWN_MODELS))}))"
    r"/(?P<id>[A-Za-z0-9][A-Za-z0-9._:-]*)$"
)
_TARGET_KINDS = ("a Bedrock foundation model, inference profile, application inference profile, prompt router, "
                 "provisioned model, custom model deployment or imported model")
# The kind of a model ARN a prompt router routes to (its region or account may be empty).
_ROUTED_KIND_RE = re.compile(r"^arn:[^:]+:bedrock:[^:]*:\d*:(?P<kind>[a-z-]+)/")


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
    models_checked: bool = True  # False: the models an inference profile routes to could not be read

    @property
    def ok(self) -> bool:
        """Assumed, models listed, InvokeModel not denied and every model it needs asked about (``unknown`` because
        the simulator cannot be asked is not a failure)."""
        return self.assumed and self.model_count is not None and self.invoke != DENIED and self.models_checked


@dataclass(frozen=True)
class InvokeCheck:
    """The simulator's answer on bedrock:InvokeModel of one model from one region."""

    verdict: str
    problems: tuple[str, ...] = ()
    models_checked: bool = True


@dataclass(frozen=True)
class InvokeTarget:
    """What a call of ``--model`` from one region names: the resource, its kind, and the foundation models known
    without asking Bedrock that the call is authorized on too."""

    resource: str
    kind: str
    models: tuple[str, ...] = ()


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
        invoke = simulated[region]
        count, list_problems = (None, ()) if assumed is None else _count_models(assumed, region)
        checks.append(
            RoleRegionCheck(role, region, assumed is not None, count, invoke.verdict,
                            assume_problem + list_problems + invoke.problems, invoke.models_checked)
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


def model_target(value: str) -> str:
    """``--model``'s argparse type: a model or inference profile id, or the ARN of a resource InvokeModel is
    authorized on (a foundation model, a profile, a prompt router, or one of ``OWN_MODELS``) in a Bedrock region, its
    partition's."""
    model = named(value)
    match = _TARGET_ARN_RE.match(model)
    if match:
        region, part = match["region"], match["partition"]
        if region not in REGION_NAMES:
            other = partition_clauses([region])  # China's cn-north-1: no botocore brings it nearer
            raise argparse.ArgumentTypeError(f"{model!r}: {other[0]}" if other else
                                             f"{model!r} names {region}, which is not an Amazon Bedrock region")
        if partition(region) != part:
            raise argparse.ArgumentTypeError(
                f"{model!r} names partition {part}, but {region} is in partition {partition(region)}")
        return model
    if not model.startswith("arn:") and _MODEL_ID_RE.match(model):
        return model
    raise argparse.ArgumentTypeError(
        f"{model!r} is neither a model id (anthropic.claude-3-haiku-20240307-v1:0, us.anthropic...) nor the ARN of "
        f"{_TARGET_KINDS}")


def arn_region(model: str) -> str | None:
    """The region of the resource an ARN ``--model`` names, the only region whose calls can name it: a call names a
    resource of the region it is made in (Amazon Bedrock User Guide, "Supported Regions and models for inference
    profiles": the source Region is the one the request is made from; Bedrock's endpoints are regional, "Amazon
    Bedrock endpoints and quotas"). ``None`` for a model or profile id, which a call from any region can name."""
    match = _TARGET_ARN_RE.match(model)
    return match["region"] if match else None


def require_model_region(model: str, regions: tuple[str, ...], account: str, account_partition: str) -> None:
    """UsageError unless an ARN ``model`` can be called by the account from one of ``regions``: its partition must be
    the account's and its region among those checked."""
    region = arn_region(model)
    if region is None:
        return
    part = partition(region)
    if part != account_partition:
        raise UsageError(f"--model names a resource of {region} (partition {part}), but account {account} is in "
                         f"partition {account_partition}: give the ARN of a resource in {account_partition}, or "
                         f"--profile for an account in {part}")
    if region not in regions:
        raise UsageError(f"--model names a resource of {region}, which --regions ({' '.join(regions)}) leaves out: "
                         f"a call from another region cannot name it; add {region} to --regions, or give the model's "
                         "id to check it in every region")


def invoke_target(model: str, region: str, account: str) -> InvokeTarget:
    """What a call of ``model`` (an id, or an ARN ``model_target`` accepts) from ``region`` names. An ARN is the
    resource it names (a call from another region cannot name it: ``arn_region``). A system-defined profile
    (``us.``/``global.`` id or ARN) needs its model in the source region too (Amazon Bedrock User Guide, "Geographic
    cross-Region inference" and "Global cross-Region inference"; a global profile's model ARN names no region)."""
    match = _TARGET_ARN_RE.match(model)
    if match:
        kind = match["model"] or match["owned"]
        part, region, ident = match["partition"], match["region"], match["id"]
        resource = model
    else:
        ref = parse_model_id(model)
        kind = INFERENCE_PROFILE if ref.endpoint in ("geo", "global") and ref.base_id else FOUNDATION_MODEL
        part, ident = partition(region), model
        owner = account if kind == INFERENCE_PROFILE else ""
        resource = f"arn:{part}:bedrock:{region}:{owner}:{kind}/{model}"
    ref = parse_model_id(ident)
    if kind != INFERENCE_PROFILE or ref.endpoint not in ("geo", "global") or ref.base_id is None:
        return InvokeTarget(resource, kind)
    model_region = "" if ref.endpoint == "global" else region
    return InvokeTarget(resource, kind, (f"arn:{part}:bedrock:{model_region}::foundation-model/{ref.base_id}",))


def routed_models(aws: Aws, target: InvokeTarget) -> tuple[tuple[str, ...], str | None]:
    """The models a call of ``target`` reaches behind it, and why some could not be read: for an inference profile
    its foundation model in each destination region, for a prompt router each model it routes to (and, for a
    profile among them, that profile's models); nothing for a foundation model or one of ``OWN_MODELS`` (authorized
    on itself)."""
    if target.kind in ROUTERS:
        return _router_models(aws, target.resource)
    if target.kind not in PROFILES:
        return (), None
    try:
        profile = aws.client("bedrock", target.resource.split(":")[3]).get_inference_profile(
            inferenceProfileIdentifier=target.resource)
    except AWS_ERRORS as exc:
        return (), describe(exc, POLICY_FILE)
    models = tuple(model["modelArn"] for model in profile.get("models", []) if model.get("modelArn"))
    return (models, None) if models else ((), "the profile names no foundation model")


def _router_models(aws: Aws, router: str) -> tuple[tuple[str, ...], str | None]:
    """The models a prompt router routes to (its ``models`` and ``fallbackModel``), asked as the caller in the
    router's region, with those behind each inference profile among them; why some could not be read."""
    try:
        answer = _read_router(aws.client("bedrock", router.split(":")[3]), router)
    except AWS_ERRORS as exc:
        return (), describe(exc, POLICY_FILE)
    if answer is None:
        return (), "ListPromptRouters does not list the router: check its ARN"
    routed = [model.get("modelArn") for model in [*answer.get("models", []), answer.get("fallbackModel") or {}]]
    models: list[str] = []
    unread: list[str] = []
    for arn in dict.fromkeys(arn for arn in routed if arn):
        found = _ROUTED_KIND_RE.match(arn)
        behind, problem = routed_models(aws, InvokeTarget(arn, found["kind"] if found else FOUNDATION_MODEL))
        models += [arn, *behind]
        unread += [f"{arn}: {problem}"] if problem else []
    if not models:
        return (), "the router names no model"
    return tuple(dict.fromkeys(models)), "; ".join(unread) or None


def _read_router(bedrock: Any, router: str) -> dict | None:
    """What Bedrock says of a prompt router: GetPromptRouter for one of AWS's (the only ARNs its promptRouterArn
    takes in the Bedrock API's model), ListPromptRouters of the account's own for one of them; ``None`` when the
    list does not hold it."""
    if f":{DEFAULT_ROUTER}/" in router:
        return bedrock.get_prompt_router(promptRouterArn=router)
    for page in bedrock.get_paginator("list_prompt_routers").paginate(type="custom"):
        for summary in page.get("promptRouterSummaries", []):
            if summary.get("promptRouterArn") == router:
                return summary
    return None


def simulate_invoke(aws: Aws, arn: str, region: str, model: str) -> InvokeCheck:
    """IAM's policy simulator on bedrock:InvokeModel of ``model`` from ``region`` for the role, on every resource the
    call needs: the model, profile or router named and, for a profile, the foundation model in each destination
    region (Amazon Bedrock User Guide, "Prerequisites for inference profiles"), for a prompt router each model it
    routes to (``routed_models``). ``n/a``, nothing asked, when ``model`` is the ARN of another region's resource.
    ``unknown`` if the simulator cannot be asked (it needs iam:SimulatePrincipalPolicy, evaluates identity policies
    only and reads roles of the caller's account only), and ``unknown`` with ``models_checked`` false if a profile or
    router allowed routes to models that could not be read. RoleNotFound when the role does not exist."""
    if arn_region(model) not in (None, region):
        return InvokeCheck(NOT_APPLICABLE)
    account = aws.account_id()
    owner = arn_account(arn)
    if owner and owner != account:
        return InvokeCheck(UNKNOWN, (f"InvokeModel check: IAM's policy simulator reads roles of this account "
                                     f"({account}) only: run again with --profile for account {owner} to check this "
                                     "role's InvokeModel",))
    target = invoke_target(model, region, account)
    routed, unread = routed_models(aws, target)
    resources = [target.resource, *dict.fromkeys(target.models + routed)]
    try:
        results = aws.client("iam").simulate_principal_policy(
            PolicySourceArn=arn, ActionNames=["bedrock:InvokeModel"], ResourceArns=resources,
        )["EvaluationResults"]
    except AWS_ERRORS as exc:
        if error_code(exc) == "NoSuchEntity":
            raise RoleNotFound(arn) from exc
        return InvokeCheck(UNKNOWN, (f"InvokeModel check: {describe(exc, POLICY_FILE)}",))
    if not results:
        return InvokeCheck(UNKNOWN, ("InvokeModel check: the policy simulator returned no decision",))
    denied = [result.get("EvalResourceName", "") for result in results if result["EvalDecision"] != "allowed"]
    if denied:
        named = ", ".join(name for name in denied if name) or ", ".join(resources)
        return InvokeCheck(DENIED, (f"the role's policies do not allow bedrock:InvokeModel on {named}: grant it to "
                                    f"the role ({ROLE_POLICY_FILE} shows what a role needs)",))
    if unread:
        models = "models" if target.kind in ROUTERS else "foundation models"
        return InvokeCheck(UNKNOWN, (f"InvokeModel check: {target.resource} is allowed, but the {models} it routes to "
                                     f"could not be read, so their permissions were not checked: {unread}",),
                           models_checked=False)
    return InvokeCheck(ALLOWED)
