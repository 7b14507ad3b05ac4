"""A synthetic Model Invocation Logging corpus: the seeds' 13 application scenarios plus SSO developers, calling
Claude, Amazon Nova, Meta Llama and Titan embeddings.

Pure data: ``generate_records(spec)`` returns records shaped like the service's, sorted by time, and the
same spec always gives the same records. ``corpus_writer`` lays them out as the service's S3 objects.
Errored calls keep their request and input token count but log no output body or output token count.
"""

from __future__ import annotations

import hashlib
import math
import random
import uuid
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from ..errors import UsageError
from ..logs.regions import DEFAULT_REGIONS, is_govcloud, partition_of, resolve_regions

OPERATIONS: tuple[str, ...] = ("InvokeModel", "InvokeModelWithResponseStream", "Converse", "ConverseStream")
CONVERSE_OPERATIONS = frozenset({"Converse", "ConverseStream"})
DEFAULT_ACCOUNT = "123456789012"
DEFAULT_BODY_BYTES = 300
DEFAULT_RECORDS = 20_000
DEFAULT_SEED = 42
LONG_CONTEXT_TOKENS = 200_000
MAX_RECORDS = 5_000_000
MAX_BODY_BYTES = 1_000_000

ERROR_CODES: tuple[tuple[str, float], ...] = (
    ("ThrottlingException", 0.55),
    ("ValidationException", 0.25),
    ("ModelTimeoutException", 0.1),
    ("ServiceUnavailableException", 0.1),
)
ERROR_SHARE = 0.012


@dataclass(frozen=True)
class DemoModel:
    """One model on Bedrock and the ways it can be called.

    ``kind`` is the shape of its calls: ``anthropic`` (Anthropic bodies through any operation), ``converse``
    (models called through Converse only) or ``embedding`` (InvokeModel, input tokens only).
    """

    key: str
    name: str
    base_id: str
    geos: frozenset[str]
    cache: bool = True
    has_global: bool = False
    long_context: bool = False
    legacy: bool = False  # older generation: mostly called by its base id
    kind: str = "anthropic"
    govcloud: bool = False  # offered in AWS GovCloud (US): the only models called there

    @cached_property
    def api_name(self) -> str:
        """The model name Anthropic's response body carries, e.g. ``claude-3-haiku-20240307``."""
        return self.base_id.removeprefix("anthropic.").rsplit("-v", 1)[0]


_US_EU_APAC = frozenset({"us", "eu", "apac"})
_WITH_JP = frozenset({"us", "eu", "apac", "jp"})

MODELS: tuple[DemoModel, ...] = (
    DemoModel("claude-3-haiku", "Claude 3 Haiku", "anthropic.claude-3-haiku-20240307-v1:0", _US_EU_APAC,
                cache=False, legacy=True, govcloud=True),
    DemoModel("claude-3-sonnet", "Claude 3 Sonnet", "anthropic.claude-3-sonnet-20240229-v1:0", _US_EU_APAC,
                cache=False, legacy=True),
    DemoModel("claude-3-opus", "Claude 3 Opus", "anthropic.claude-3-opus-20240229-v1:0",
                frozenset({"us", "eu"}), cache=False, legacy=True),
    DemoModel("claude-3-5-haiku", "Claude 3.5 Haiku", "anthropic.claude-3-5-haiku-20241022-v1:0",
                frozenset({"us", "eu"}), legacy=True),
    DemoModel("claude-3-5-sonnet", "Claude 3.5 Sonnet", "anthropic.claude-3-5-sonnet-20240620-v1:0",
                _US_EU_APAC, legacy=True, govcloud=True),
    DemoModel("claude-3-5-sonnet-v2", "Claude 3.5 Sonnet v2", "anthropic.claude-3-5-sonnet-20241022-v2:0",
                _US_EU_APAC),
    DemoModel("claude-3-7-sonnet", "Claude 3.7 Sonnet", "anthropic.claude-3-7-sonnet-20250219-v1:0",
                _US_EU_APAC, govcloud=True),
    DemoModel("claude-sonnet-4", "Claude Sonnet 4", "anthropic.claude-sonnet-4-20250514-v1:0", _US_EU_APAC,
                has_global=True, long_context=True),
    DemoModel("claude-opus-4", "Claude Opus 4", "anthropic.claude-opus-4-20250514-v1:0", _US_EU_APAC),
    DemoModel("claude-opus-4-1", "Claude Opus 4.1", "anthropic.claude-opus-4-1-20250805-v1:0", _US_EU_APAC),
    DemoModel("claude-sonnet-4-5", "Claude Sonnet 4.5", "anthropic.claude-sonnet-4-5-20250929-v1:0", _WITH_JP,
                has_global=True, long_context=True, govcloud=True),
    DemoModel("claude-haiku-4-5", "Claude Haiku 4.5", "anthropic.claude-haiku-4-5-20251001-v1:0", _WITH_JP,
                has_global=True, govcloud=True),
    DemoModel("claude-opus-4-5", "Claude Opus 4.5", "anthropic.claude-opus-4-5-20251101-v1:0", _WITH_JP,
                has_global=True),
    DemoModel("nova-lite", "Nova Lite", "amazon.nova-lite-v1:0", _US_EU_APAC, cache=False, kind="converse",
              govcloud=True),
    DemoModel("nova-pro", "Nova Pro", "amazon.nova-pro-v1:0", _US_EU_APAC, cache=False, kind="converse", govcloud=True),
    DemoModel("llama3-3-70b", "Llama 3.3 70B Instruct", "meta.llama3-3-70b-instruct-v1:0", frozenset({"us"}),
                cache=False, kind="converse"),
    DemoModel("titan-embed-v2", "Titan Text Embeddings V2", "amazon.titan-embed-text-v2:0", frozenset(), cache=False,
                legacy=True, kind="embedding", govcloud=True),
)
MODELS_BY_KEY: dict[str, DemoModel] = {m.key: m for m in MODELS}

# Regions a cross-region profile of each geography may route to (the source region is one of them).
GEO_INFERENCE_REGIONS: dict[str, tuple[str, ...]] = {
    "us": ("us-east-1", "us-east-2", "us-west-2"),
    "eu": ("eu-central-1", "eu-west-1", "eu-west-3", "eu-north-1"),
    "apac": ("ap-northeast-1", "ap-northeast-2", "ap-southeast-1", "ap-southeast-2", "ap-south-1"),
    "jp": ("ap-northeast-1", "ap-northeast-3"),
}
# A fixed list, so the corpus of a seed stays the same when botocore learns of new regions.
GLOBAL_INFERENCE_REGIONS: tuple[str, ...] = (
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "sa-east-1", "eu-central-1", "eu-central-2",
    "eu-west-1", "eu-west-2", "eu-west-3", "eu-north-1", "eu-south-1", "eu-south-2", "ap-northeast-1",
    "ap-northeast-2", "ap-northeast-3", "ap-southeast-1", "ap-southeast-2", "ap-south-1",
)

REGION_TIMEZONES: dict[str, str] = {
    "us-east-1": "America/New_York", "us-east-2": "America/New_York", "us-west-1": "America/Los_Angeles",
    "us-west-2": "America/Los_Angeles", "ca-central-1": "America/Toronto", "sa-east-1": "America/Sao_Paulo",
    "eu-central-1": "Europe/Berlin", "eu-central-2": "Europe/Zurich", "eu-west-1": "Europe/Dublin",
    "eu-west-2": "Europe/London", "eu-west-3": "Europe/Paris", "eu-north-1": "Europe/Stockholm",
    "eu-south-1": "Europe/Rome", "eu-south-2": "Europe/Madrid", "ap-northeast-1": "Asia/Tokyo",
    "ap-northeast-2": "Asia/Seoul", "ap-northeast-3": "Asia/Tokyo", "ap-southeast-1": "Asia/Singapore",
    "ap-southeast-2": "Australia/Sydney", "ap-south-1": "Asia/Kolkata", "us-gov-east-1": "America/New_York",
    "us-gov-west-1": "America/Los_Angeles",
}

# Share of traffic a region gets from callers that are away from their home region.
REGION_WEIGHTS: dict[str, float] = {
    "us-east-1": 0.35, "us-west-2": 0.2, "eu-central-1": 0.1,
    "ap-northeast-1": 0.12, "ap-northeast-2": 0.13, "ap-southeast-1": 0.1,
}
HOME_REGION_SHARE = 0.8

# Relative traffic by local hour (0-23) and the weekend factor, for office tools and consumer-facing apps.
HOUR_SHAPES: dict[str, tuple[tuple[float, ...], float]] = {
    "business": (
        (0.04, 0.03, 0.03, 0.03, 0.03, 0.04, 0.08, 0.25, 0.6, 1.0, 1.0, 1.0,
         0.7, 1.0, 1.0, 1.0, 0.95, 0.8, 0.55, 0.35, 0.25, 0.2, 0.12, 0.07),
        0.25,
    ),
    "consumer": (
        (0.3, 0.2, 0.15, 0.12, 0.12, 0.15, 0.3, 0.45, 0.55, 0.6, 0.65, 0.7,
         0.8, 0.7, 0.65, 0.65, 0.7, 0.8, 0.95, 1.0, 1.0, 0.9, 0.7, 0.5),
        0.85,
    ),
}


@dataclass(frozen=True)
class Caller:
    """Someone who calls Bedrock: a role-based application, an IAM-user application or an SSO developer."""

    name: str
    kind: str  # "role", "user" or "sso"
    home_region: str
    weight: float
    models: tuple[tuple[str, float], ...]
    operations: tuple[float, float, float, float]  # weights in the order of OPERATIONS
    input_median: int
    output_median: int
    prompts: tuple[str, ...]
    cache_share: float = 0.0
    long_share: float = 0.0
    large_share: float = 0.0
    shape: str = "business"
    iam_user: str = ""
    cost_center: str = ""
    tenants: tuple[str, ...] = ()
    permission_set: str = ""
    app_profile: str = ""
    app_profile_share: float = 0.0

    @property
    def role_name(self) -> str:
        """The IAM role a role-based application assumes."""
        return f"{self.name}-BedrockRole"


_CONVERSE_ONLY = (0.0, 0.0, 0.65, 0.35)

ROLE_APPS: tuple[Caller, ...] = (
    Caller("CustomerServiceApp", "role", "us-east-1", 1.4,
           (("claude-3-haiku", 0.45), ("claude-haiku-4-5", 0.35), ("claude-3-5-haiku", 0.2)),
           (0.45, 0.15, 0.3, 0.1), 600, 250,
           ("고객 문의에 대한 답변을 작성해주세요", "Draft a polite reply to a customer asking about a late delivery.",
            "Summarise this support ticket in two sentences."),
           cache_share=0.3, app_profile="customer-service-prod", app_profile_share=0.12),
    Caller("DataAnalysisApp", "role", "us-west-2", 0.9,
           (("claude-sonnet-4-5", 0.4), ("claude-3-7-sonnet", 0.25), ("claude-sonnet-4", 0.2), ("nova-pro", 0.15)),
           (0.5, 0.1, 0.35, 0.05), 3500, 900,
           ("Explain the trend in this quarterly revenue table.", "Write a SQL query for weekly active users."),
           cache_share=0.4, long_share=0.01, large_share=0.005),
    Caller("ChatbotApp", "role", "ap-northeast-2", 1.1,
           (("claude-haiku-4-5", 0.45), ("claude-3-haiku", 0.25), ("claude-3-5-sonnet", 0.1), ("nova-lite", 0.2)),
           (0.1, 0.3, 0.2, 0.4), 900, 300,
           ("안녕하세요, 주문 상태를 알려주세요.", "What are your opening hours this weekend?"),
           cache_share=0.5, shape="consumer"),
    Caller("DocumentProcessorApp", "role", "us-east-1", 0.8,
           (("claude-sonnet-4", 0.35), ("claude-sonnet-4-5", 0.35), ("claude-3-5-sonnet-v2", 0.3)),
           (0.6, 0.1, 0.25, 0.05), 8000, 1200,
           ("Extract the parties, dates and amounts from this contract.", "Classify this scanned invoice."),
           cache_share=0.35, long_share=0.02, large_share=0.01),
    Caller("CodeReviewApp", "role", "us-west-2", 0.6,
           (("claude-opus-4-1", 0.3), ("claude-sonnet-4-5", 0.4), ("claude-opus-4-5", 0.2), ("claude-opus-4", 0.1)),
           (0.2, 0.3, 0.2, 0.3), 6000, 1500,
           ("Review this pull request diff for bugs.", "Suggest tests for this function."),
           cache_share=0.5),
    Caller("TranslationApp", "role", "ap-northeast-1", 0.7,
           (("claude-haiku-4-5", 0.5), ("claude-3-5-sonnet", 0.3), ("claude-3-haiku", 0.2)),
           (0.55, 0.05, 0.35, 0.05), 700, 750,
           ("この文章を英語に翻訳してください。", "Translate this product description into Korean."),
           cache_share=0.1),
    Caller("ContentGeneratorApp", "role", "eu-central-1", 0.6,
           (("claude-sonnet-4-5", 0.4), ("claude-3-sonnet", 0.15), ("claude-opus-4", 0.15), ("claude-3-opus", 0.15),
            ("nova-lite", 0.15)),
           (0.3, 0.3, 0.2, 0.2), 400, 1800,
           ("Write a product launch blog post about our new bike lights.", "Draft three newsletter subject lines."),
           cache_share=0.1),
    Caller("SearchAssistantApp", "role", "ap-southeast-1", 0.7,
           (("claude-3-haiku", 0.3), ("claude-haiku-4-5", 0.35), ("titan-embed-v2", 0.35)),
           (0.35, 0.15, 0.35, 0.15), 1500, 400,
           ("Answer the question using only these search results.", "Rewrite this query for a keyword search."),
           cache_share=0.3, shape="consumer"),
)

USER_APPS: tuple[Caller, ...] = (
    Caller("MobileApp", "user", "ap-northeast-2", 1.0,
           (("claude-haiku-4-5", 0.6), ("claude-3-haiku", 0.4)), _CONVERSE_ONLY, 300, 200,
           ("추천 메뉴를 알려주세요.", "Suggest a caption for this photo."),
           cache_share=0.15, shape="consumer", iam_user="mobile-app-backend", cost_center="CC-2041",
           tenants=("tenant-kr-001", "tenant-kr-002", "tenant-kr-003")),
    Caller("WebPortal", "user", "us-east-1", 1.0,
           (("claude-sonnet-4-5", 0.4), ("claude-3-5-sonnet-v2", 0.3), ("claude-haiku-4-5", 0.3)), _CONVERSE_ONLY,
           800, 400, ("Help me fill in the account settings form.", "Explain this invoice line to me."),
           cache_share=0.25, shape="consumer", iam_user="web-portal-svc", cost_center="CC-1001",
           tenants=("acme-corp", "globex", "initech", "umbrella")),
    Caller("BackendAPI", "user", "us-east-1", 1.1,
           (("claude-3-7-sonnet", 0.3), ("claude-sonnet-4", 0.25), ("claude-3-haiku", 0.25), ("llama3-3-70b", 0.2)),
           _CONVERSE_ONLY,
           2000, 500, ("Normalise this address record to JSON.", "Tag this support email with a category."),
           cache_share=0.3, iam_user="backend-api-svc", cost_center="CC-1002",
           tenants=("acme-corp", "globex", "initech"), app_profile="nightly-summaries", app_profile_share=0.1),
    Caller("ReportingService", "user", "ap-northeast-1", 0.5,
           (("claude-sonnet-4-5", 0.6), ("claude-3-5-sonnet", 0.4)), _CONVERSE_ONLY, 5000, 1500,
           ("月次売上レポートの要約を作成してください。", "Summarise this week's KPI table for executives."),
           cache_share=0.2, iam_user="reporting-svc", cost_center="CC-3100", tenants=("jp-retail", "jp-finance")),
    Caller("PartnerIntegration", "user", "ap-southeast-1", 0.5,
           (("claude-haiku-4-5", 0.5), ("claude-3-7-sonnet", 0.5)), _CONVERSE_ONLY, 1200, 600,
           ("Map these partner product codes to our catalogue.", "Validate this order payload."),
           cache_share=0.2, iam_user="partner-gateway-svc", cost_center="CC-4200",
           tenants=("partner-sg-01", "partner-my-02")),
)

_DEV_MODELS = (("claude-sonnet-4-5", 0.5), ("claude-opus-4-5", 0.15), ("claude-haiku-4-5", 0.2),
               ("claude-sonnet-4", 0.1), ("claude-opus-4-1", 0.05))
_DEV_OPERATIONS = (0.1, 0.45, 0.1, 0.35)
_DEV_PROMPTS = ("Refactor this function to remove the duplicated branch.", "Why does this unit test fail?",
                "Write a Terraform module for a private S3 bucket.")

SSO_USERS: tuple[Caller, ...] = tuple(
    Caller(email, "sso", region, weight, _DEV_MODELS, _DEV_OPERATIONS, 2500, 1200, _DEV_PROMPTS,
           cache_share=0.7, long_share=0.01, permission_set=permission_set)
    for email, permission_set, region, weight in (
        ("jisoo.kim@example.com", "BedrockDeveloper", "ap-northeast-2", 0.5),
        ("minho.park@example.com", "BedrockDeveloper", "ap-northeast-2", 0.35),
        ("alex.chen@example.com", "BedrockDeveloper", "us-west-2", 0.45),
        ("maria.garcia@example.com", "DataScientist", "us-east-1", 0.4),
        ("sam.taylor@example.com", "DataScientist", "eu-central-1", 0.3),
        ("yuki.tanaka@example.com", "AdministratorAccess", "ap-northeast-1", 0.15),
    )
)

SCENARIOS: tuple[Caller, ...] = ROLE_APPS + USER_APPS
CALLERS: tuple[Caller, ...] = SCENARIOS + SSO_USERS


@dataclass(frozen=True)
class ApplicationProfile:
    """An application inference profile: an opaque ARN that wraps a model (or a cross-region profile)."""

    name: str
    account: str
    region: str
    profile_id: str
    model_key: str
    cross_region: bool

    @property
    def arn(self) -> str:
        return (f"arn:{partition_of(self.region)}:bedrock:{self.region}:{self.account}:application-inference-profile/"
                f"{self.profile_id}")


# (name, model, copied from the geographic cross-region profile?)
APPLICATION_PROFILE_DEFS: tuple[tuple[str, str, bool], ...] = (
    ("customer-service-prod", "claude-sonnet-4-5", True),
    ("nightly-summaries", "claude-3-haiku", False),
)


def application_profiles(account: str, regions: Sequence[str]) -> list[ApplicationProfile]:
    """The application inference profiles the corpus calls, one per definition and region."""
    profiles = []
    for region in regions:
        for name, model_key, cross in APPLICATION_PROFILE_DEFS:
            digest = hashlib.sha256(f"{account}/{region}/{name}".encode()).digest()
            alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
            profile_id = "".join(alphabet[b % len(alphabet)] for b in digest[:12])
            profiles.append(ApplicationProfile(name, account, region, profile_id, model_key,
                                               cross and _region_geo(region) is not None))
    return profiles


# The tags each application inference profile carries (an administrator's, read with the profile's model from an
# --inference-profiles file).
APPLICATION_PROFILE_TAGS: dict[str, dict[str, str]] = {
    "customer-service-prod": {"application_name": "CustomerServiceApp", "cost_center": "CC-1001"},
    "nightly-summaries": {"application_name": "ReportingService", "cost_center": "CC-1004"},
}


def profile_mapping(account: str, regions: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The ``--inference-profiles`` file of the profiles a corpus of ``account`` in ``regions`` calls: each ARN
    with its name, the model (or cross-region profile) it wraps and its tags."""
    return {profile.arn: {"name": profile.name,
                          "model_id": (routed_model_id(MODELS_BY_KEY[profile.model_key], profile.region)
                                       if profile.cross_region else MODELS_BY_KEY[profile.model_key].base_id),
                          "tags": APPLICATION_PROFILE_TAGS[profile.name]}
            for profile in application_profiles(account, regions)}


def routed_model_id(model: DemoModel, region: str) -> str:
    """The id a caller in ``region`` would use for ``model``: its geographic cross-region profile, else its base id."""
    geo = _region_geo(region)
    return f"{geo}.{model.base_id}" if geo in model.geos else model.base_id


def sso_role_name(account: str, permission_set: str) -> str:
    """``AWSReservedSSO_{PermissionSet}_{16 hex}``: the role IAM Identity Center creates in an account."""
    suffix = hashlib.sha256(f"{account}/{permission_set}".encode()).hexdigest()[:16]
    return f"AWSReservedSSO_{permission_set}_{suffix}"


@dataclass(frozen=True)
class CorpusSpec:
    """What to generate: how many records, over which UTC days (inclusive), from which regions."""

    start_date: date
    end_date: date
    records: int = DEFAULT_RECORDS
    seed: int = DEFAULT_SEED
    account: str = DEFAULT_ACCOUNT
    body_bytes: int = DEFAULT_BODY_BYTES
    regions: tuple[str, ...] = DEFAULT_REGIONS
    not_after: datetime | None = None  # no call at or after this instant (logs never hold future calls)

    def __post_init__(self) -> None:
        if not 1 <= self.records <= MAX_RECORDS:
            raise UsageError(f"records must be between 1 and {MAX_RECORDS:,}, not {self.records}")
        if self.start_date > self.end_date:
            raise UsageError(f"start date {self.start_date} is after end date {self.end_date}")
        if not 0 <= self.body_bytes <= MAX_BODY_BYTES:
            raise UsageError(f"body bytes must be between 0 and {MAX_BODY_BYTES:,}, not {self.body_bytes}")
        if not (len(self.account) == 12 and self.account.isascii() and self.account.isdigit()):
            raise UsageError(f"account id must be 12 digits, not {self.account!r}")
        object.__setattr__(self, "regions", resolve_regions(list(self.regions)))
        if self.not_after is not None and self.not_after < datetime.combine(self.start_date, time(1), tzinfo=UTC):
            raise UsageError(
                f"the range starting {self.start_date} has no whole hour before {self.not_after:%Y-%m-%d %H:%M} UTC"
            )


def default_dates(today: date, days: int = 30) -> tuple[date, date]:
    """The ``days`` UTC days ending ``today``."""
    return today - timedelta(days=days - 1), today


def generate_records(spec: CorpusSpec) -> list[dict[str, Any]]:
    """The corpus for ``spec``, sorted by timestamp.

    The first few records are steered so that any corpus of ``MIN_COVERING_RECORDS`` or more holds every
    scenario, SSO user, model, selected region, operation, error, cache read/write and >200K-token call.
    """
    generator = _Generator(spec)
    forced = _coverage_draws(spec.regions)[: spec.records]
    records = [generator.record(draw) for draw in forced]
    records.extend(generator.record({}) for _ in range(spec.records - len(forced)))
    records.sort(key=lambda r: r["timestamp"])
    return records


def _coverage_draws(regions: Sequence[str]) -> list[dict[str, Any]]:
    rounds = max(len(CALLERS), len(MODELS), len(regions), len(OPERATIONS))
    draws: list[dict[str, Any]] = [
        {
            "caller": CALLERS[i % len(CALLERS)],
            "model": MODELS[i % len(MODELS)],
            "region": regions[i % len(regions)],
            "operation": OPERATIONS[i % len(OPERATIONS)],
            "error": None,
            "long": False,
            "large": False,
        }
        for i in range(rounds)
    ]
    draws += [
        {"error": "ThrottlingException"},
        {"error": "ValidationException"},
        {"model": MODELS_BY_KEY["claude-sonnet-4-5"], "long": True, "error": None},
        {"model": MODELS_BY_KEY["claude-sonnet-4"], "long": True, "error": None},
        {"model": MODELS_BY_KEY["claude-sonnet-4-5"], "cache": "read", "long": False, "large": False, "error": None},
        {"model": MODELS_BY_KEY["claude-haiku-4-5"], "cache": "write", "long": False, "large": False, "error": None},
        {"model": MODELS_BY_KEY["claude-sonnet-4-5"], "form": "global"},
        {"model": MODELS_BY_KEY["claude-sonnet-4"], "form": "geo", "arn": True, "region": regions[0]},
        *({"app_profile": name} for name, _, _ in APPLICATION_PROFILE_DEFS),
        {"caller": USER_APPS[0], "operation": "Converse", "error": None},
    ]
    return draws


MIN_COVERING_RECORDS = len(_coverage_draws(DEFAULT_REGIONS))

_FILLER_TEXT = (
    "the account quarterly review shows steady growth across regions while support volume stays flat and "
    "customers ask about delivery windows pricing tiers refunds warranties integrations and onboarding "
    "steps our team recommends checking the dashboard before the weekly sync so that owners can confirm "
    "budgets forecasts risks milestones and open questions with finance legal product and engineering "
    "please note that the draft below uses placeholder names sample numbers and invented examples only"
)
_FILLER_CHARS = 1 << 17
_LARGE_BODY_CHARS = (108_000, 126_000)  # above the service's 100 KiB inline limit, so moved to /data/


class _Generator:
    """Draws records one at a time from a seeded random stream."""

    def __init__(self, spec: CorpusSpec) -> None:
        self.spec = spec
        self.rng = random.Random(spec.seed)
        self.regions = spec.regions
        self.caller_table = _Table.of([(c, c.weight) for c in CALLERS])
        self.model_tables = {c.name: _Table.of(c.models) for c in CALLERS}
        self.govcloud_tables = {c.name: _govcloud_models(c) for c in CALLERS}
        self.operation_tables = {c.name: _Table.of(zip(OPERATIONS, c.operations, strict=True)) for c in CALLERS}
        self.form_tables: dict[tuple[bool, bool, bool], _Table] = {}
        self.error_table = _Table.of(ERROR_CODES)
        self.cache_table = _Table.of([("read", 0.6), ("write", 0.25), ("both", 0.15)])
        self.region_cum = {c.name: _cumulative(_region_weights(c, self.regions)) for c in CALLERS}
        self.hours: dict[tuple[str, str], tuple[list[datetime], list[float]]] = {}
        self.sessions = {c.name: self._sessions(c) for c in ROLE_APPS}
        self.profiles = {(p.region, p.name): p for p in application_profiles(spec.account, self.regions)}
        self.id_salt = _request_id_salt(spec)
        words = self.rng.choices(_FILLER_TEXT.split(), k=_FILLER_CHARS // 5)
        self.filler = (" ".join(words) * 2)[:_FILLER_CHARS]

    def _sessions(self, caller: Caller) -> list[str]:
        rng = self.rng
        return [
            f"{caller.name}-session",
            f"ecs-task-{rng.getrandbits(48):012x}",
            f"botocore-session-{1_700_000_000 + rng.randrange(60_000_000)}",
        ]

    def record(self, forced: dict[str, Any]) -> dict[str, Any]:
        rng = self.rng
        spec = self.spec
        caller: Caller = forced.get("caller") or self._pick(self.caller_table)
        region: str = forced.get("region") or self.regions[_draw_index(rng, self.region_cum[caller.name])]
        profile = self._app_profile(caller, region, forced)
        if profile:
            model = MODELS_BY_KEY[profile.model_key]
            model_id, inference_region = profile.arn, self._inference_region(
                _region_geo(region) if profile.cross_region else None, region
            )
        else:
            tables = self.govcloud_tables if is_govcloud(region) else self.model_tables
            model = forced.get("model") or MODELS_BY_KEY[self._pick(tables[caller.name])]
            if is_govcloud(region) and not model.govcloud:  # a scenario's model that GovCloud does not offer
                model = MODELS_BY_KEY[self._pick(tables[caller.name])]
            model_id, inference_region = self._model_id(model, region, forced.get("form"), forced.get("arn"))
        operation: str = forced.get("operation") or self._pick(self.operation_tables[caller.name])
        if model.kind == "converse" and operation not in CONVERSE_OPERATIONS:
            operation = "ConverseStream" if operation.endswith("Stream") else "Converse"
        elif model.kind == "embedding":
            operation = "InvokeModel"
        error = forced["error"] if "error" in forced else (
            self._pick(self.error_table) if rng.random() < ERROR_SHARE else None
        )
        long_context = forced["long"] if "long" in forced else (
            model.long_context and rng.random() < caller.long_share
        )
        long_context = long_context and model.long_context
        large = long_context or (forced["large"] if "large" in forced else rng.random() < caller.large_share)
        tokens = self._tokens(caller, model, long_context, large, forced.get("cache"))
        when = self._time(region, caller.shape)

        record: dict[str, Any] = {
            "schemaType": "ModelInvocationLog",
            "schemaVersion": "1.0",
            "timestamp": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "accountId": spec.account,
            "identity": {"arn": self._arn(caller, region)},
            "region": region,
            "requestId": str(uuid.UUID(int=rng.getrandbits(128) ^ self.id_salt, version=4)),
            "operation": operation,
            "modelId": model_id,
        }
        record["input"], record["output"] = self._bodies(caller, model, operation, tokens, large, error)
        if inference_region:
            record["inferenceRegion"] = inference_region
        if caller.kind == "user" and operation in CONVERSE_OPERATIONS:
            record["requestMetadata"] = self._metadata(caller)
        if error:
            record["errorCode"] = error
        if rng.random() < 0.2:
            items = list(record.items())
            rng.shuffle(items)
            record = dict(items)
        return record

    def _pick(self, table: _Table) -> Any:
        return table.values[_draw_index(self.rng, table.cum)]

    def _app_profile(self, caller: Caller, region: str, forced: dict[str, Any]) -> ApplicationProfile | None:
        if "app_profile" in forced:
            return self.profiles[(region, forced["app_profile"])]
        if forced or not caller.app_profile or self.rng.random() >= caller.app_profile_share:
            return None
        profile = self.profiles[(region, caller.app_profile)]
        return profile if MODELS_BY_KEY[profile.model_key].govcloud or not is_govcloud(region) else None

    def _model_id(self, model: DemoModel, region: str, form: str | None,
                  as_arn: bool | None) -> tuple[str, str | None]:
        """The id the caller passes (base id, geographic or global profile, maybe as an ARN) and the
        ``inferenceRegion`` the service logs for it."""
        rng = self.rng
        geo = _region_geo(region)
        if geo == "apac" and region == "ap-northeast-1" and "jp" in model.geos and rng.random() < 0.3:
            geo = "jp"
        if geo not in model.geos:
            geo = None
        can_global = model.has_global and not is_govcloud(region)
        if form is None:
            key = (model.legacy, geo is not None, can_global)
            table = self.form_tables.get(key)
            if table is None:
                base, geo_w, global_w = (0.6, 0.4, 0.0) if model.legacy else (0.15, 0.6, 0.25)
                table = self.form_tables[key] = _Table.of(
                    [("base", base), ("geo", geo_w if geo else 0.0), ("global", global_w if can_global else 0.0)]
                )
            form = self._pick(table)
        if form == "global" and not can_global:
            form = "geo"
        if form == "geo" and geo is None:
            form = "global" if can_global else "base"
        if form == "base":
            return model.base_id, None
        profile_geo = "global" if form == "global" else geo
        profile_id = f"{profile_geo}.{model.base_id}"
        inference_region = self._inference_region(profile_geo, region)
        if as_arn is None:
            as_arn = rng.random() < 0.03
        if as_arn:
            arn = f"arn:{partition_of(region)}:bedrock:{region}:{self.spec.account}:inference-profile/{profile_id}"
            return arn, inference_region
        return profile_id, inference_region

    def _inference_region(self, geo: str | None, region: str) -> str | None:
        if geo is None:
            return None
        pool = GLOBAL_INFERENCE_REGIONS if geo == "global" else GEO_INFERENCE_REGIONS[geo]
        if region in pool and self.rng.random() < 0.5:
            return region
        return self.rng.choice(pool)

    def _tokens(self, caller: Caller, model: DemoModel, long_context: bool, large: bool,
                cache: str | None) -> _Tokens:
        rng = self.rng
        if model.kind == "embedding":
            return _Tokens(_lognormal(rng, caller.input_median // 2, 0.7), 0, 0, 0, "absent")
        output = _lognormal(rng, caller.output_median, 0.6)
        if long_context:
            return _Tokens(rng.randint(LONG_CONTEXT_TOKENS + 500, 650_000), output, 0, 0, _absent_or_zero(rng, model))
        if large:
            return _Tokens(rng.randint(27_000, 60_000), output, 0, 0, _absent_or_zero(rng, model))
        if cache is None and model.cache and rng.random() < caller.cache_share:
            cache = self._pick(self.cache_table)
        if cache is None:
            return _Tokens(_lognormal(rng, caller.input_median, 0.7), output, 0, 0, _absent_or_zero(rng, model))
        context = _lognormal(rng, caller.input_median * 4, 0.5)
        fresh = _lognormal(rng, max(20, caller.input_median // 8), 0.6)
        read = context if cache in ("read", "both") else 0
        if cache == "write":
            write = context
        elif cache == "both":  # a cached prefix plus a newly cached turn
            write = _lognormal(rng, max(50, caller.input_median // 4), 0.5)
        else:
            write = 0
        return _Tokens(fresh, output, read, write)

    def _time(self, region: str, shape: str) -> datetime:
        table = self.hours.get((region, shape))
        if table is None:
            table = self.hours[(region, shape)] = _hour_table(
                region, shape, self.spec.start_date, self.spec.end_date, self.spec.not_after
            )
        starts, cum = table
        hour = starts[_draw_index(self.rng, cum)]
        return hour + timedelta(seconds=self.rng.randrange(3600))

    def _arn(self, caller: Caller, region: str) -> str:
        """The caller's ARN in the partition of the region called (a GovCloud account's are ``arn:aws-us-gov:``)."""
        account, arn = self.spec.account, f"arn:{partition_of(region)}"
        if caller.kind == "role":
            session = self.rng.choice(self.sessions[caller.name])
            return f"{arn}:sts::{account}:assumed-role/{caller.role_name}/{session}"
        if caller.kind == "user":
            return f"{arn}:iam::{account}:user/{caller.iam_user}"
        return f"{arn}:sts::{account}:assumed-role/{sso_role_name(account, caller.permission_set)}/{caller.name}"

    def _metadata(self, caller: Caller) -> dict[str, str]:
        rng = self.rng
        metadata = {
            "application_name": caller.name,
            "cost_center": caller.cost_center,
            "tenant_id": rng.choice(caller.tenants),
            "environment": "production" if rng.random() < 0.9 else "staging",
        }
        if rng.random() < 0.5:
            metadata["user_id"] = f"user-{rng.randrange(1, 400):04d}"
        return metadata

    def _text(self, seed_text: str, length: int) -> str:
        if length <= len(seed_text):
            return seed_text
        need = length - len(seed_text) - 1
        pieces = []
        while need > 0:
            take = min(need, _FILLER_CHARS // 2)
            start = self.rng.randrange(_FILLER_CHARS - take)
            pieces.append(self.filler[start : start + take])
            need -= take
        return f"{seed_text} {''.join(pieces)}"

    def _bodies(self, caller: Caller, model: DemoModel, operation: str, tokens: _Tokens, large: bool,
                error: str | None) -> tuple[dict[str, Any], dict[str, Any]]:
        rng = self.rng
        budget = max(40, self.spec.body_bytes - 500)
        prompt_chars = rng.randint(*_LARGE_BODY_CHARS) if large else int(budget * 0.4)
        prompt = self._text(rng.choice(caller.prompts), prompt_chars)
        answer = self._text("Here is a draft:", int(budget * 0.6))
        cached = tokens.cache_read > 0 or tokens.cache_write > 0
        max_tokens = next((m for m in (512, 1024, 2048, 4096, 8192, 32_000) if m >= tokens.output), 64_000)
        stop = "max_tokens" if max_tokens == tokens.output else "end_turn"
        temperature = rng.choice((0.0, 0.2, 0.5, 0.7, 1.0))
        latency = 200 + tokens.output * rng.randint(8, 30)

        if model.kind == "embedding":
            input_body: dict[str, Any] = {"inputText": prompt, "dimensions": 256, "normalize": True}
            vector = [round(rng.uniform(-0.1, 0.1), 6) for _ in range(8)]
            output_body: Any = {"embedding": vector, "inputTextTokenCount": tokens.input}
        elif operation in CONVERSE_OPERATIONS:
            input_body = {"messages": [{"role": "user", "content": [{"text": prompt}]}]}
            if cached:
                input_body["system"] = [{"text": "You are a helpful assistant."}, {"cachePoint": {"type": "default"}}]
            input_body["inferenceConfig"] = {"maxTokens": max_tokens, "temperature": temperature}
            input_body["additionalModelRequestFields"] = {}
            usage = {"inputTokens": tokens.input, "outputTokens": tokens.output,
                     "totalTokens": tokens.input + tokens.output + tokens.cache_read + tokens.cache_write}
            if cached:
                usage["cacheReadInputTokens"] = tokens.cache_read
                usage["cacheWriteInputTokens"] = tokens.cache_write
            output_body = {
                "output": {"message": {"role": "assistant", "content": [{"text": answer}]}},
                "stopReason": stop,
                "metrics": {"latencyMs": latency},
                "usage": usage,
            }
        else:
            system: Any = "You are a helpful assistant."
            if cached:
                system = [{"type": "text", "text": system, "cache_control": {"type": "ephemeral"}}]
            input_body = {
                "anthropic_version": "bedrock-2023-05-31",
                "max_tokens": max_tokens,
                "system": system,
                "messages": [{"role": "user", "content": [{"type": "text", "text": prompt}]}],
                "temperature": temperature,
            }
            usage = {"input_tokens": tokens.input, "cache_creation_input_tokens": tokens.cache_write,
                     "cache_read_input_tokens": tokens.cache_read, "output_tokens": tokens.output}
            message_id = f"msg_bdrk_01{rng.getrandbits(110):028x}"[:36]
            if operation == "InvokeModel":
                output_body = {
                    "id": message_id, "type": "message", "role": "assistant", "model": model.api_name,
                    "content": [{"type": "text", "text": answer}], "stop_reason": stop, "stop_sequence": None,
                    "usage": usage,
                }
            else:
                output_body = _stream_chunks(message_id, model.api_name, answer, stop, usage, latency)

        input_part: dict[str, Any] = {
            "inputContentType": "application/json",
            "inputBodyJson": input_body,
            "inputTokenCount": tokens.input,
        }
        if tokens.cache_keys != "absent":
            input_part["cacheReadInputTokenCount"] = tokens.cache_read
            input_part["cacheWriteInputTokenCount"] = tokens.cache_write
        if error:
            return input_part, {"outputContentType": "application/json"}
        output_part = {"outputContentType": "application/json", "outputBodyJson": output_body}
        if model.kind != "embedding":  # embeddings log no output tokens
            output_part["outputTokenCount"] = tokens.output
        return input_part, output_part


@dataclass(frozen=True)
class _Table:
    """Values with the running sums of their weights, for fast weighted draws."""

    values: list[Any]
    cum: list[float]

    @classmethod
    def of(cls, options: Iterable[tuple[Any, float]]) -> _Table:
        pairs = list(options)
        return cls([v for v, _ in pairs], _cumulative([w for _, w in pairs]))


@dataclass(frozen=True)
class _Tokens:
    input: int
    output: int
    cache_read: int
    cache_write: int
    cache_keys: str = "present"  # or "absent": older records leave the cache keys out


def _stream_chunks(message_id: str, model: str, answer: str, stop: str, usage: dict[str, int],
                   latency: int) -> list[dict[str, Any]]:
    """The chunk objects the service logs for ``InvokeModelWithResponseStream`` with an Anthropic model."""
    pieces = max(1, min(6, len(answer) // 40))
    step = math.ceil(len(answer) / pieces)
    start_usage = {**usage, "output_tokens": 1}
    chunks: list[dict[str, Any]] = [
        {"type": "message_start", "message": {"id": message_id, "type": "message", "role": "assistant",
                                               "model": model, "content": [], "stop_reason": None,
                                               "stop_sequence": None, "usage": start_usage}},
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
    ]
    chunks += [
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": answer[i : i + step]}}
        for i in range(0, len(answer), step)
    ]
    chunks += [
        {"type": "content_block_stop", "index": 0},
        {"type": "message_delta", "delta": {"stop_reason": stop, "stop_sequence": None},
         "usage": {"output_tokens": usage["output_tokens"]}},
        {"type": "message_stop", "amazon-bedrock-invocationMetrics": {
            "inputTokenCount": usage["input_tokens"], "outputTokenCount": usage["output_tokens"],
            "invocationLatency": latency, "firstByteLatency": min(latency, 180 + latency // 20)}},
    ]
    return chunks


def _request_id_salt(spec: CorpusSpec) -> int:
    """128 bits that differ between specs, mixed into every requestId.

    Corpora of one seed draw from the same random stream, so runs for other regions, dates or sizes would
    otherwise repeat requestIds; the service's are unique per call. ``not_after`` is left out: it follows the
    clock, and the same options must give the same ids.
    """
    identity = (spec.seed, spec.account, spec.regions, spec.start_date.isoformat(), spec.end_date.isoformat(),
                spec.records, spec.body_bytes)
    return int.from_bytes(hashlib.sha256(repr(identity).encode()).digest()[:16], "big")


def _govcloud_models(caller: Caller) -> _Table:
    """The caller's models that GovCloud offers, with their weights; every such model alike when it uses none."""
    offered = [(key, weight) for key, weight in caller.models if MODELS_BY_KEY[key].govcloud]
    return _Table.of(offered or [(m.key, 1.0) for m in MODELS if m.govcloud])


def _region_geo(region: str) -> str | None:
    if is_govcloud(region):
        return None
    if region.startswith("us-"):
        return "us"
    if region.startswith("eu-"):
        return "eu"
    if region.startswith("ap-"):
        return "apac"
    return None


def _region_weights(caller: Caller, regions: Sequence[str]) -> list[float]:
    away = {r: REGION_WEIGHTS.get(r, 0.05) for r in regions if r != caller.home_region}
    if caller.home_region not in regions:
        return [away[r] for r in regions]
    if not away:
        return [1.0]
    total = sum(away.values())
    return [HOME_REGION_SHARE if r == caller.home_region else (1 - HOME_REGION_SHARE) * away[r] / total
            for r in regions]


def _hour_table(
    region: str, shape: str, first: date, last: date, not_after: datetime | None = None
) -> tuple[list[datetime], list[float]]:
    """Every whole UTC hour of the range (before ``not_after``) with the cumulative weight of traffic in the
    region's local time."""
    zone = ZoneInfo(REGION_TIMEZONES.get(region, "UTC"))
    by_hour, weekend = HOUR_SHAPES[shape]
    start = datetime.combine(first, time(0), tzinfo=UTC)
    starts: list[datetime] = []
    cum: list[float] = []
    total = 0.0
    for i in range(((last - first).days + 1) * 24):
        hour = start + timedelta(hours=i)
        if not_after is not None and hour + timedelta(hours=1) > not_after:
            break
        local = hour.astimezone(zone)
        total += by_hour[local.hour] * (weekend if local.weekday() >= 5 else 1.0)
        starts.append(hour)
        cum.append(total)
    return starts, cum


def _cumulative(weights: Sequence[float]) -> list[float]:
    running = 0.0
    cum = []
    for w in weights:
        running += w
        cum.append(running)
    return cum


def _draw_index(rng: random.Random, cum: list[float]) -> int:
    """Index drawn with the weights behind the running sums ``cum``."""
    return min(bisect_right(cum, rng.random() * cum[-1]), len(cum) - 1)


def _lognormal(rng: random.Random, median: float, sigma: float) -> int:
    return max(1, round(rng.lognormvariate(math.log(median), sigma)))


def _absent_or_zero(rng: random.Random, model: DemoModel) -> str:
    """Whether a record without caching carries zero cache counts or leaves the keys out, as older ones do."""
    zero_share = 0.75 if model.cache else 0.3
    return "present" if rng.random() < zero_share else "absent"
