"""boto3 sessions and clients for the scripts, and AWS failures turned into messages a user can act on."""

from __future__ import annotations

import re
import threading
from typing import TYPE_CHECKING, Any

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    NoCredentialsError,
    ParamValidationError,
    PartialCredentialsError,
    ProfileNotFound,
    SSOError,
    TokenRetrievalError,
)
from botocore.parsers import ResponseParserError

from ..errors import NoCredentials, SetupRequired, UsageError
from ..logs.regions import partition_of
from ..output.notices import Notice, clause, said

if TYPE_CHECKING:
    import botocore.session

DEFAULT_MAX_ATTEMPTS = 5  # retries after the first attempt (botocore Config semantics)
# STS and IAM are answered by one endpoint per partition; any region of the partition reaches it.
GLOBAL_REGION = "us-east-1"

# Every exception an AWS call can raise that is not a bug of ours.
AWS_ERRORS: tuple[type[Exception], ...] = (ClientError, BotoCoreError, ResponseParserError)

# botocore's bucket-name check names two long regular expressions; the rule they encode, in words (S3 User Guide,
# "General purpose bucket naming rules").
_BUCKET_RULE = re.compile(r"Bucket name must match the regex .*")
BUCKET_NAME_RULE = "a bucket name has 3 to 63 lowercase letters, digits, dots and hyphens"
# What ``describe`` says of an answer that is no AWS error: an HTML page, a body botocore cannot parse.
ERROR_PAGE = "the service answered with an error page (is this API available here?)"
UNREADABLE_RESPONSE = "AWS sent a response that could not be read (is this API available here?)"
_EXPIRED_CODES = {"ExpiredToken", "ExpiredTokenException", "RequestExpired", "TokenRefreshRequired"}
_INVALID_CODES = {
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "InvalidToken",
}
_DENIED_CODES = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError"}

# The IAM action behind each API operation the scripts call (S3 names many of them differently).
IAM_ACTIONS: dict[str, str] = {
    "AssumeRole": "sts:AssumeRole",
    "CreateBucket": "s3:CreateBucket",
    "GetBucketLocation": "s3:GetBucketLocation",
    "GetPublicAccessBlock": "s3:GetBucketPublicAccessBlock",
    "PutPublicAccessBlock": "s3:PutBucketPublicAccessBlock",
    "GetBucketEncryption": "s3:GetEncryptionConfiguration",
    "PutBucketEncryption": "s3:PutEncryptionConfiguration",
    "GetBucketPolicy": "s3:GetBucketPolicy",
    "PutBucketPolicy": "s3:PutBucketPolicy",
    "GetBucketLifecycleConfiguration": "s3:GetLifecycleConfiguration",
    "PutBucketLifecycleConfiguration": "s3:PutLifecycleConfiguration",
    "GetBucketVersioning": "s3:GetBucketVersioning",
    "GetObjectLockConfiguration": "s3:GetBucketObjectLockConfiguration",
    "ListObjectsV2": "s3:ListBucket",
    "HeadBucket": "s3:ListBucket",
    "HeadObject": "s3:GetObject",
    "DeleteObjects": "s3:DeleteObject",
    "GetObject": "s3:GetObject",
    "PutObject": "s3:PutObject",
    "GetModelInvocationLoggingConfiguration": "bedrock:GetModelInvocationLoggingConfiguration",
    "PutModelInvocationLoggingConfiguration": "bedrock:PutModelInvocationLoggingConfiguration",
    "ListFoundationModels": "bedrock:ListFoundationModels",
    "GetDatabase": "glue:GetDatabase",
    "CreateDatabase": "glue:CreateDatabase",
    "GetTable": "glue:GetTable",
    "CreateTable": "glue:CreateTable",
    "UpdateTable": "glue:UpdateTable",
    "GetWorkGroup": "athena:GetWorkGroup",
    "CreateWorkGroup": "athena:CreateWorkGroup",
    "UpdateWorkGroup": "athena:UpdateWorkGroup",
    "StartQueryExecution": "athena:StartQueryExecution",
    "GetQueryExecution": "athena:GetQueryExecution",
    "GetQueryResults": "athena:GetQueryResults",
    "StopQueryExecution": "athena:StopQueryExecution",
    "SimulatePrincipalPolicy": "iam:SimulatePrincipalPolicy",
}

_EMBEDDED_CODE_RE = re.compile(r"<Code>([A-Za-z.]+)</Code>")
_NOT_AUTHORIZED_RE = re.compile(r"not authorized to perform:?\s*([a-z0-9-]+:[A-Za-z0-9*]+)")


class Aws:
    """One AWS session with the project's retry settings; hands out one client per service and region."""

    def __init__(self, core: botocore.session.Session, profile: str | None = None):
        # boto3 loads with the first session, not with every module that names AWS errors: a local report
        # never makes one.
        import boto3
        from botocore.config import Config

        self.profile = profile
        self.session = boto3.Session(botocore_session=core)
        # A max_attempts from AWS_MAX_ATTEMPTS or the profile wins; without one, retries stay bounded.
        retries: dict[str, Any] = {"mode": "adaptive"}
        if core.get_config_variable("max_attempts") is None:
            retries["max_attempts"] = DEFAULT_MAX_ATTEMPTS
        self._config = Config(retries=retries, connect_timeout=10, read_timeout=60)
        self._clients: dict[tuple[str, str], Any] = {}
        # Creating clients from one session is not thread-safe, and the Athena engine asks from several threads.
        self._clients_lock = threading.Lock()
        self._account: str | None = None
        self._partition: str | None = None
        self._arn = ""

    @classmethod
    def connect(cls, profile: str | None = None) -> Aws:
        """A session for ``profile`` (or the default credential chain)."""
        core = _core_session(profile)
        try:
            core.get_scoped_config()
        except ProfileNotFound:
            raise UsageError(Notice(
                f"AWS profile {profile!r} is not in your AWS config; list them with `aws configure list-profiles`",
                "aws_no_profile", profile=repr(profile))) from None
        return cls(core, profile)

    def client(self, service: str, region: str | None = None) -> Any:
        """A client for ``service`` in ``region`` (STS and IAM default to the session's or a global region)."""
        region = region or self.session.region_name or GLOBAL_REGION
        key = (service, region)
        with self._clients_lock:
            if key not in self._clients:
                self._clients[key] = self.session.client(service, region_name=region, config=self._config)
            return self._clients[key]

    def account_id(self) -> str:
        """The account of the caller, from STS; raises SetupRequired when credentials are missing or bad."""
        if self._account is None:
            try:
                identity = self.client("sts").get_caller_identity()
            except AWS_ERRORS as exc:
                raise as_project_error(exc) or SetupRequired(
                    f"cannot reach AWS STS to read the account id: {describe(exc)}"
                ) from None
            self._account = identity["Account"]
            # arn:aws-us-gov:sts::... for GovCloud credentials: the partition every ARN of this account uses.
            self._partition = identity.get("Arn", "arn:aws:").split(":")[1] or "aws"
            self._arn = identity.get("Arn", "")
        return self._account

    def caller_arn(self) -> str:
        """The ARN of the caller, from STS (``''`` when STS names none)."""
        self.account_id()
        return self._arn

    def partition(self) -> str:
        """The ARN partition of the caller's account (``aws``, ``aws-us-gov``), from STS."""
        self.account_id()
        return self._partition or "aws"

    def assume_role(self, role_arn: str, session_name: str) -> Aws:
        """A new ``Aws`` acting as ``role_arn`` (same region and retry settings)."""
        creds = self.client("sts").assume_role(RoleArn=role_arn, RoleSessionName=session_name)["Credentials"]
        core = _core_session(self.profile)
        core.set_credentials(creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])
        return Aws(core, self.profile)


def _core_session(profile: str | None) -> botocore.session.Session:
    import botocore.session

    return botocore.session.Session(profile=profile)


def partition(region: str) -> str:
    """The ARN partition of a region (``aws``, ``aws-us-gov``), from botocore's region data."""
    return partition_of(region)


def error_code(exc: Exception) -> str:
    """The AWS error code of a ClientError, else ``''``.

    When botocore could not parse the error body it reports the HTTP status as the code; the real code is
    then often still inside the body's ``<Code>`` element.
    """
    if not isinstance(exc, ClientError):
        return ""
    error = exc.response.get("Error", {})
    code = error.get("Code", "")
    embedded = _EMBEDDED_CODE_RE.search(error.get("Message", "") or "") if code.isdigit() else None
    return embedded[1] if embedded else code


def required_action(exc: ClientError) -> str:
    """The IAM action a denied call needed: from AWS's message when it names one, else from the operation."""
    named = action_named(exc.response.get("Error", {}).get("Message", ""))
    return named or IAM_ACTIONS.get(exc.operation_name, exc.operation_name)


def action_named(message: str) -> str:
    """The IAM action AWS's ``message`` says the caller is not authorized to perform, or ``''``."""
    found = _NOT_AUTHORIZED_RE.search(message or "")
    return found[1] if found else ""


def as_project_error(exc: Exception, policy_file: str | None = None) -> UsageError | SetupRequired | None:
    """The project error for an AWS failure the user can fix (credentials, permissions); None otherwise. Its message
    is a ``Notice``, which a page words in its language."""
    if isinstance(exc, NoCredentialsError | PartialCredentialsError):
        return NoCredentials(Notice(
            "no AWS credentials found: run `aws configure` (or `aws sso login`), set AWS_PROFILE, or pass --profile",
            "aws_no_credentials"))
    if isinstance(exc, SSOError | TokenRetrievalError):
        return SetupRequired(Notice(f"the AWS SSO session cannot be used ({exc}): run `aws sso login`",
                                    "aws_sso_unusable", reason=str(exc)))
    if isinstance(exc, ParamValidationError):  # a value from the options (a bucket name) that AWS would refuse
        message = " ".join(str(exc).split()).replace("Parameter validation failed: ", "", 1)
        return UsageError(_BUCKET_RULE.sub(BUCKET_NAME_RULE, message))
    code = error_code(exc)
    if code in _EXPIRED_CODES:
        return SetupRequired(Notice("the AWS credentials have expired: refresh them (e.g. `aws sso login`) and retry",
                                    "aws_expired"))
    if code in _INVALID_CODES:
        return SetupRequired(Notice(f"AWS rejected the credentials ({code}): check the access key or --profile",
                                    "aws_rejected", code=code))
    if is_access_denied(exc):
        action = required_action(exc)
        hint = clause(f" (see {policy_file})" if policy_file else "", "aws_policy_file", file=policy_file)
        return SetupRequired(Notice(f"access denied: this identity needs {action}{hint}", "aws_denied",
                                    action=action, hint=hint))
    return None


def is_access_denied(exc: Exception) -> bool:
    """Whether AWS refused the call (an identity's policy without the action, or a resource's policy denying it)."""
    # Some services answer a refusal with a bare 403 and no error code; it is a refusal all the same.
    return isinstance(exc, ClientError) and (error_code(exc) in _DENIED_CODES or _http_status(exc) == 403)


def describe(exc: Exception, policy_file: str | None = None) -> str:
    """One line saying what went wrong in an AWS call, for per-region reports: a ``Notice`` where the words are
    ours (the service's own message is kept as it is)."""
    project_error = as_project_error(exc, policy_file)
    if project_error is not None:
        return said(project_error)
    if isinstance(exc, ClientError):
        message = exc.response.get("Error", {}).get("Message", "") or ""
        if message.lstrip().startswith("<"):
            message = ERROR_PAGE
        code = error_code(exc) or f"HTTP {_http_status(exc)}"
        message = _first_line(message)
        return Notice(f"{exc.operation_name} failed: {code}: {message}", "aws_call_failed",
                      operation=exc.operation_name, code=code, message=message)
    if isinstance(exc, ResponseParserError):
        return UNREADABLE_RESPONSE
    return _first_line(str(exc))


def _http_status(exc: ClientError) -> int | None:
    return exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")


def _first_line(text: str, limit: int = 200) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"
