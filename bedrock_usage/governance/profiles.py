"""Application inference profiles: resolve their opaque ARNs to a model and tags, so their calls are priced.

A call through ``arn:aws:bedrock:{region}:{account}:application-inference-profile/{id}`` logs only that ARN.
Its model comes from ``bedrock.get_inference_profile`` (or an offline mapping file), its tags from
``bedrock.list_tags_for_resource``; a tag such as ``application_name`` names the application its calls
belong to. Resolution rewrites the fact rows' ``model_id`` before pricing and keeps the ARN in
``inference_profile``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..engines.queries import tag_column
from ..errors import UsageError
from ..lazy_modules import lazy
from ..output.notices import Notice
from ..pricing import parse_model_id

pd = lazy("pandas")

PROFILE_COLUMN = "inference_profile"
PROFILES_ENV = "BEDROCK_USAGE_INFERENCE_PROFILES"
_DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError"}
# Why a profile stays unresolved, besides an AWS call that failed (its own words): fixed phrases a page words.
NOT_IN_FILE = "not in the --inference-profiles file"
NO_FOUNDATION_MODEL = "the profile's models do not name one foundation model"


def aws_failure(exc: Exception) -> str:
    """One line for an AWS call that failed; missing or expired credentials are raised as SetupRequired.

    A refused permission or a service fault only loses that part of a report, so it becomes a warning.
    """
    from botocore.exceptions import ClientError

    from ..aws.session import as_project_error, describe, error_code

    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") if isinstance(exc, ClientError) else None
    denied = error_code(exc) in _DENIED or status == 403
    error = as_project_error(exc)
    if error is not None and not denied:
        raise error from None
    return describe(exc)


@dataclass(frozen=True)
class ProfileInfo:
    """What an application inference profile stands for: the model id to price its calls as, and its tags."""

    arn: str
    model_id: str
    tags: Mapping[str, str]
    source: str  # "file" or "api"


def _entry_mistake(where: Notice, what: str, kind: str, **values: object) -> UsageError:
    """The error for a mapping file entry's mistake: ``where: what``, a Notice a page words in its language."""
    return UsageError(Notice(f"{where}: {what}", kind, where=where, **values))


def load_profile_file(path: str | Path) -> dict[str, ProfileInfo]:
    """Read a mapping file: ``{"arn:...:application-inference-profile/id": {"model_id": ..., "tags": {...}}}``."""
    path = Path(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise UsageError(Notice(f"cannot read --inference-profiles {path}: {reason}", "profiles_unreadable",
                                path=str(path), reason=reason)) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(Notice(f"--inference-profiles {path} is not valid JSON: {exc}", "profiles_not_json",
                                path=str(path), reason=str(exc))) from None
    if not isinstance(raw, dict):
        raise UsageError(Notice(f"--inference-profiles {path} must hold one JSON object keyed by profile ARN",
                                "profiles_not_object", path=str(path)))
    profiles = {}
    for arn, entry in raw.items():
        where = Notice(f"--inference-profiles {path}, entry {arn!r}", "profile_at", path=str(path), arn=repr(arn))
        if parse_model_id(arn).endpoint != "application-profile":
            raise _entry_mistake(where, "the key is not an application-inference-profile ARN", "profile_not_arn")
        if not isinstance(entry, dict) or not isinstance(entry.get("model_id"), str) or not entry["model_id"]:
            raise _entry_mistake(where, "needs a \"model_id\" string (e.g. us.anthropic.claude-3-haiku-20240307-v1:0)",
                                 "profile_no_model")
        tags = entry.get("tags", {})
        if not isinstance(tags, dict) or not all(isinstance(v, str) for v in tags.values()):
            raise _entry_mistake(where, "\"tags\" must be an object of string values", "profile_bad_tags")
        unknown = sorted(set(entry) - {"model_id", "tags", "name"})
        if unknown:
            raise _entry_mistake(where, f"unknown fields {', '.join(unknown)}", "profile_unknown_fields",
                                 fields=unknown)
        profiles[arn] = ProfileInfo(arn, entry["model_id"], dict(tags), "file")
    return profiles


def model_id_from_models(model_arns: list[str]) -> str | None:
    """The model id to price a profile's calls as, from the foundation-model ARNs it routes to.

    One region: the base id (in-region price). Several regions of one geography: also the base id, since geo
    profiles and in-region ids share a price family. Regions on several continents: a ``global.`` profile.
    """
    bases = {parse_model_id(arn).base_id for arn in model_arns}
    if not model_arns or len(bases) != 1 or None in bases:
        return None
    base = bases.pop()
    continents = {arn.split(":")[3].split("-")[0] for arn in model_arns if arn.count(":") >= 4}
    return f"global.{base}" if len(continents) > 1 else base


@dataclass
class ProfileResolver:
    """Resolves profile ARNs from a mapping file first, then (when given) the Bedrock API; cached per run.

    ``client_for(region)`` returns a Bedrock control-plane client for the profile's region.
    """

    mapping: dict[str, ProfileInfo] = field(default_factory=dict)
    client_for: Callable[[str], Any] | None = None
    failures: dict[str, str] = field(default_factory=dict)
    _cache: dict[str, ProfileInfo | None] = field(default_factory=dict, repr=False)

    def resolve(self, arn: str) -> ProfileInfo | None:
        """The profile behind ``arn``, or None (with the reason in ``failures``)."""
        if arn not in self._cache:
            self._cache[arn] = self.mapping.get(arn) or self._from_api(arn)
        return self._cache[arn]

    def _from_api(self, arn: str) -> ProfileInfo | None:
        if self.client_for is None:
            self.failures[arn] = NOT_IN_FILE
            return None
        from ..aws.session import AWS_ERRORS  # botocore loads only when the API is asked

        region = arn.split(":")[3]
        try:
            client = self.client_for(region)
            profile = client.get_inference_profile(inferenceProfileIdentifier=arn)
            tags = client.list_tags_for_resource(resourceARN=arn).get("tags", [])
        except AWS_ERRORS as exc:
            self.failures[arn] = aws_failure(exc)
            return None
        model_id = model_id_from_models([m.get("modelArn", "") for m in profile.get("models", [])])
        if model_id is None:
            self.failures[arn] = NO_FOUNDATION_MODEL
            return None
        return ProfileInfo(arn, model_id, {t["key"]: t["value"] for t in tags}, "api")

    def rewrite(self, frame: pd.DataFrame, tag_keys: tuple[str, ...]) -> pd.DataFrame:
        """The tracker's hook: resolve the profiles among raw fact rows (see ``resolve_profiles``)."""
        return resolve_profiles(frame, self, tag_keys)

    def warnings(self) -> list[str]:
        """One line per profile that stayed unresolved, a ``Notice`` a page words in its language."""
        return [Notice(f"application inference profile {arn} not resolved: {reason}", "profile_unresolved", arn=arn,
                       reason=reason) for arn, reason in sorted(self.failures.items())]

    def fingerprint(self) -> str | None:
        """The mapping's profiles when it is all there is to resolve; None when the Bedrock API is asked."""
        if self.client_for is not None:
            return None
        return json.dumps(sorted((arn, info.model_id, sorted(info.tags.items())) for arn, info in self.mapping.items()))


def resolve_profiles(frame: pd.DataFrame, resolver: ProfileResolver, tag_keys: tuple[str, ...]) -> pd.DataFrame:
    """Raw fact rows with profile ARNs rewritten to their model id; the ARN moves to ``inference_profile``.

    A profile's tags fill the ``requestMetadata`` tag columns (``tag_0``... for ``tag_keys``) its calls did not
    send, so a call's own tag wins over its profile's, a value sent as ``""`` too. Unresolved profiles keep their
    ARN as ``model_id`` (and stay unpriced, with the tracker's warning).
    """
    frame = frame.copy()
    frame[PROFILE_COLUMN] = None
    for model_id in frame["model_id"].dropna().unique():
        if parse_model_id(model_id).endpoint != "application-profile":
            continue
        info = resolver.resolve(model_id)
        if info is None:
            continue
        rows = frame["model_id"] == model_id
        frame.loc[rows, PROFILE_COLUMN] = model_id
        frame.loc[rows, "model_id"] = info.model_id
        for index, key in enumerate(tag_keys):
            column = tag_column(index)
            if key not in info.tags or column not in frame:
                continue
            missing = rows & frame[column].isna()  # a value logged "" was sent: its own group, never filled
            frame.loc[missing, column] = info.tags[key]
    return frame


def profile_resolver(
    engine_name: str, aws_profile: str | None, mapping_file: str | Path | None
) -> ProfileResolver | None:
    """How a report resolves application inference profiles: a mapping file (default
    ``$BEDROCK_USAGE_INFERENCE_PROFILES``) and, with Athena, the Bedrock API; ``None`` when neither applies."""
    mapping_file = mapping_file or os.environ.get(PROFILES_ENV)
    if not mapping_file and engine_name != "athena":
        return None
    aws = None
    if engine_name == "athena":
        from ..aws.session import Aws

        aws = Aws.connect(aws_profile)
    mapping = load_profile_file(mapping_file) if mapping_file else {}
    return ProfileResolver(mapping, (lambda region: aws.client("bedrock", region)) if aws else None)
