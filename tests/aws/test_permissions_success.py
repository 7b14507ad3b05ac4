"""``verify_bedrock_permissions.py`` succeeding: roles assumed on moto, models listed and InvokeModel simulated.

moto has neither Bedrock's ListFoundationModels (it answers HTTP 500), GetInferenceProfile, GetPromptRouter and
ListPromptRouters nor IAM's policy simulator, so a stand-in on 127.0.0.1 answers those operations, reached through the
standard
``AWS_ENDPOINT_URL_BEDROCK`` and ``AWS_ENDPOINT_URL_IAM``; STS (AssumeRole, GetCallerIdentity) stays on moto. The
stand-in lists a different number of models per region (read from the request's SigV4 scope) and decides InvokeModel
from the role's inline policies as stored on moto (an Allow of ``bedrock:InvokeModel`` or ``bedrock:*`` on a matching
resource), so the script's table and JSON can be checked against what was set up.
"""

from __future__ import annotations

import fnmatch
import json
import re
import subprocess
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import boto3
import botocore.session
import pytest
from botocore.exceptions import ClientError

from tests.aws.refusing_proxy import refusing_proxy
from tests.aws.test_existing_configuration import run_recorded, validation_errors
from tests.aws.test_least_privilege import beyond_botocore
from tests.aws.test_setup_scripts import run

MODELS = {"us-east-1": 3, "us-west-2": 2}
ALLOWED_ROLE, DENIED_ROLE = "ChatbotApp-BedrockRole", "ReportsApp-BedrockRole"
ACCOUNT = "123456789012"  # moto's default account
SONNET = "anthropic.claude-sonnet-4-5-20250929-v1:0"
HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
# The destination regions of the system-defined profiles the tests call through from us-east-1.
DESTINATIONS = {"us": ("us-east-1", "us-east-2", "us-west-2"), "global": ("us-east-1", "eu-west-1", "ap-northeast-1")}
SYSTEM_PROFILES: dict[str, list[str] | None] = {
    f"arn:aws:bedrock:us-east-1:{ACCOUNT}:inference-profile/{geo}.{SONNET}": [
        f"arn:aws:bedrock:{region}::foundation-model/{SONNET}" for region in regions]
    for geo, regions in DESTINATIONS.items()}
APP_PROFILE = f"arn:aws:bedrock:us-east-1:{ACCOUNT}:application-inference-profile/abc123"
APP_MODELS = [f"arn:aws:bedrock:{region}::foundation-model/{HAIKU}" for region in ("us-east-1", "us-west-2")]
# A router's models and fallback model, as GetPromptRouter and ListPromptRouters answer them; None: refused.
Router = tuple[list[str], str] | None
CLAUDE_ROUTER = f"arn:aws:bedrock:us-east-1:{ACCOUNT}:default-prompt-router/anthropic.claude:1"
CLAUDE_ROUTED = [f"arn:aws:bedrock:us-east-1::foundation-model/{HAIKU}",
                 f"arn:aws:bedrock:us-east-1::foundation-model/{SONNET}"]


def simulate(moto_url: str, role_arn: str, action: str, resource: str) -> str:
    """``allowed`` when an inline policy of the role allows ``action`` on ``resource``, else ``implicitDeny``."""
    iam = boto3.client("iam", endpoint_url=moto_url, region_name="us-east-1")
    role = role_arn.rsplit("/", 1)[-1]
    for name in iam.list_role_policies(RoleName=role)["PolicyNames"]:
        document = iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]
        for statement in document["Statement"]:
            actions, resources = statement["Action"], statement["Resource"]
            actions = [actions] if isinstance(actions, str) else actions
            resources = [resources] if isinstance(resources, str) else resources
            if statement["Effect"] == "Allow" and any(fnmatch.fnmatchcase(action, a) for a in actions) and any(
                    fnmatch.fnmatchcase(resource, r) for r in resources):
                return "allowed"
    return "implicitDeny"


def role_exists(moto_url: str, role_arn: str) -> bool:
    try:
        boto3.client("iam", endpoint_url=moto_url, region_name="us-east-1").get_role(RoleName=role_arn.rsplit("/")[-1])
    except ClientError:
        return False
    return True


@contextmanager
def stand_in(moto_url: str, refused_listing: tuple[str, ...] = (), profiles: dict[str, list[str] | None] | None = None,
             routers: dict[str, Router] | None = None, router_reads: list[tuple[str, str]] | None = None
             ) -> Iterator[tuple[str, list[dict]]]:
    """The stand-in's URL and the simulator requests it received. It refuses ListFoundationModels in the regions of
    ``refused_listing`` as Bedrock refuses a role without that permission, answers the simulator for a role
    that does not exist with IAM's NoSuchEntity, and GetInferenceProfile of a profile ARN in ``profiles`` with its
    model ARNs (AccessDeniedException for ``None``; ResourceNotFoundException for a profile not there). AWS's routers
    (``default-prompt-router``) of ``routers`` are read with GetPromptRouter, the account's (``prompt-router``) listed
    by ListPromptRouters of type custom, one router a page after a router of no concern, as Bedrock pages them
    (AccessDeniedException for ``None``); each read goes to ``router_reads`` as (region, operation)."""
    simulated: list[dict] = []
    profiles = {**SYSTEM_PROFILES, **(profiles or {})}
    routers = routers or {}
    reads = [] if router_reads is None else router_reads

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _send(self, body: bytes, content_type: str, status: int = 200, headers: dict[str, str] | None = None
                  ) -> None:
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # Bedrock ListFoundationModels: GET /foundation-models
            region = re.search(r"/\d{8}/([a-z0-9-]+)/bedrock/", self.headers["Authorization"])[1]
            if self.path.startswith("/inference-profiles/"):
                self._profile(urllib.parse.unquote(self.path.removeprefix("/inference-profiles/")))
                return
            if self.path.startswith("/prompt-routers"):
                self._routers(region)
                return
            assert self.path.startswith("/foundation-models"), self.path
            if region in refused_listing:
                refusal = {"message": "User: arn:aws:sts::123456789012:assumed-role/role/verify is not authorized to "
                           "perform: bedrock:ListFoundationModels because no identity-based policy allows the "
                           "bedrock:ListFoundationModels action"}
                self._send(json.dumps(refusal).encode(), "application/json", 403,
                           {"x-amzn-ErrorType": "AccessDeniedException"})
                return
            models = [{"modelId": f"example.model-{i}", "modelArn": f"arn:aws:bedrock:{region}::foundation-model/"
                       f"example.model-{i}", "providerName": "Example"} for i in range(MODELS[region])]
            self._send(json.dumps({"modelSummaries": models}).encode(), "application/json")

        def _profile(self, arn: str) -> None:  # Bedrock GetInferenceProfile: GET /inference-profiles/{identifier}
            if arn not in profiles or profiles[arn] is None:
                code, status = ("ResourceNotFoundException", 404) if arn not in profiles else (
                    "AccessDeniedException", 403)
                message = {"message": "User: arn:aws:sts::123456789012:assumed-role/caller/s is not authorized to "
                           "perform: bedrock:GetInferenceProfile" if status == 403 else "Profile not found"}
                self._send(json.dumps(message).encode(), "application/json", status, {"x-amzn-ErrorType": code})
                return
            answer = {"inferenceProfileArn": arn, "inferenceProfileId": arn.rsplit("/", 1)[-1],
                      "inferenceProfileName": "profile", "status": "ACTIVE",
                      "type": "APPLICATION" if ":application-inference-profile/" in arn else "SYSTEM_DEFINED",
                      "models": [{"modelArn": model} for model in profiles[arn]]}
            self._send(json.dumps(answer).encode(), "application/json")

        def _routers(self, region: str) -> None:  # GET /prompt-routers/{promptRouterArn}, GET /prompt-routers?...
            url = urllib.parse.urlsplit(self.path)
            arn = urllib.parse.unquote(url.path.removeprefix("/prompt-routers").removeprefix("/"))
            query = urllib.parse.parse_qs(url.query)
            reads.append((region, "GetPromptRouter" if arn else "ListPromptRouters"))
            if arn:
                assert ":default-prompt-router/" in arn, arn
                chosen = [arn] if arn in routers else []
            else:
                assert query["type"] == ["custom"], query
                chosen = [router for router in routers if ":prompt-router/" in router]
            if any(routers[router] is None for router in chosen):
                action = "bedrock:GetPromptRouter" if arn else "bedrock:ListPromptRouters"
                message = {"message": "User: arn:aws:sts::123456789012:assumed-role/caller/s is not authorized to "
                           f"perform: {action}"}
                self._send(json.dumps(message).encode(), "application/json", 403,
                           {"x-amzn-ErrorType": "AccessDeniedException"})
                return
            if arn and not chosen:
                self._send(json.dumps({"message": "Prompt router not found"}).encode(), "application/json", 404,
                           {"x-amzn-ErrorType": "ResourceNotFoundException"})
                return
            if arn:
                self._send(json.dumps(router_answer(arn, *routers[arn])).encode(), "application/json")
                return
            pages = [router_answer(f"arn:aws:bedrock:{region}:{ACCOUNT}:prompt-router/other1234567",
                                   [f"arn:aws:bedrock:{region}::foundation-model/{HAIKU}"], CLAUDE_ROUTED[0])]
            pages += [router_answer(router, *routers[router]) for router in chosen]
            page = int(query.get("nextToken", ["0"])[0])
            answer: dict = {"promptRouterSummaries": pages[page:page + 1]}
            if page + 1 < len(pages):
                answer["nextToken"] = str(page + 1)
            self._send(json.dumps(answer).encode(), "application/json")

        def do_POST(self) -> None:  # IAM SimulatePrincipalPolicy (query protocol)
            form = urllib.parse.parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
            assert form["Action"] == ["SimulatePrincipalPolicy"], form
            resources = [form[name][0] for name in sorted(form) if name.startswith("ResourceArns.member.")]
            if not role_exists(moto_url, form["PolicySourceArn"][0]):
                name = form["PolicySourceArn"][0].rsplit("/")[-1]
                self._send(f"""<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type>
<Code>NoSuchEntity</Code><Message>The role with name {name} cannot be found.</Message></Error>
<RequestId>stand-in</RequestId></ErrorResponse>""".encode(), "text/xml", 404)
                return
            members = []
            for resource in resources:  # one result per action and resource, as IAM answers
                request = {"role": form["PolicySourceArn"][0], "action": form["ActionNames.member.1"][0],
                           "resource": resource}
                simulated.append(request)
                decision = simulate(moto_url, request["role"], request["action"], resource)
                members.append(f"""<member><EvalActionName>{request['action']}</EvalActionName>
<EvalResourceName>{resource}</EvalResourceName><EvalDecision>{decision}</EvalDecision><MatchedStatements/>
<MissingContextValues/></member>""")
            body = f"""<SimulatePrincipalPolicyResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
<SimulatePrincipalPolicyResult><IsTruncated>false</IsTruncated><EvaluationResults>{"".join(members)}
</EvaluationResults></SimulatePrincipalPolicyResult>
<ResponseMetadata><RequestId>stand-in</RequestId></ResponseMetadata></SimulatePrincipalPolicyResponse>"""
            self._send(body.encode(), "text/xml")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", simulated
    finally:
        server.shutdown()
        server.server_close()


def router_answer(arn: str, models: list[str], fallback: str) -> dict:
    """A router as GetPromptRouter and ListPromptRouters describe it."""
    return {"promptRouterName": arn.rsplit("/", 1)[-1].replace(".", "-").replace(":", "-"),
            "routingCriteria": {"responseQualityDifference": 0.25}, "promptRouterArn": arn,
            "models": [{"modelArn": model} for model in models], "fallbackModel": {"modelArn": fallback},
            "status": "AVAILABLE", "type": "default" if ":default-prompt-router/" in arn else "custom"}


@pytest.fixture
def roles(aws_env: dict[str, str]) -> str:
    """Two application roles the caller may assume: one allowed to invoke Bedrock models, one not."""
    iam = boto3.client("iam")
    account = boto3.client("sts").get_caller_identity()["Account"]
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"}, "Action": "sts:AssumeRole"}]}
    for role in (ALLOWED_ROLE, DENIED_ROLE):
        iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(trust))
    iam.put_role_policy(RoleName=ALLOWED_ROLE, PolicyName="invoke", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["bedrock:InvokeModel"],
                                                "Resource": "arn:aws:bedrock:*::foundation-model/*"}]}))
    iam.put_role_policy(RoleName=DENIED_ROLE, PolicyName="list-only", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "bedrock:ListFoundationModels",
                                                "Resource": "*"}]}))
    return account


@pytest.mark.slow
def test_a_role_that_may_invoke_passes_in_every_region(aws_env: dict[str, str], roles: str) -> None:
    with stand_in(aws_env["AWS_ENDPOINT_URL"]) as (url, simulated):
        env = {**aws_env, "AWS_ENDPOINT_URL_BEDROCK": url, "AWS_ENDPOINT_URL_IAM": url}
        done = run("verify_bedrock_permissions.py", "--roles", ALLOWED_ROLE, "--regions", *MODELS, "--format",
                   "json", env=env)
        table = run("verify_bedrock_permissions.py", "--roles", ALLOWED_ROLE, "--regions", *MODELS, env=env)
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert document["account"] == roles
    checks = {c["region"]: c for c in document["checks"]}
    assert set(checks) == set(MODELS)
    for region, count in MODELS.items():
        assert checks[region] == {"role": ALLOWED_ROLE, "region": region, "assumed": True, "model_count": count,
                                  "invoke": "allowed", "problems": [], "models_checked": True,
                                  "ok": True}
    model = "anthropic.claude-3-haiku-20240307-v1:0"
    assert {(s["role"], s["action"], s["resource"]) for s in simulated} == {
        (f"arn:aws:iam::{roles}:role/{ALLOWED_ROLE}", "bedrock:InvokeModel",
         f"arn:aws:bedrock:{region}::foundation-model/{model}") for region in MODELS}
    assert table.returncode == 0, table.stderr
    assert "✅ 3 models, invoke allowed" in table.stdout and "✅ 2 models, invoke allowed" in table.stdout
    assert "Problems:" not in table.stdout


def test_a_role_that_may_not_invoke_is_named_and_exits_2(aws_env: dict[str, str], roles: str) -> None:
    with stand_in(aws_env["AWS_ENDPOINT_URL"]) as (url, _):
        env = {**aws_env, "AWS_ENDPOINT_URL_BEDROCK": url, "AWS_ENDPOINT_URL_IAM": url}
        done = run("verify_bedrock_permissions.py", "--roles", ALLOWED_ROLE, DENIED_ROLE, "--regions", "us-east-1",
                   env=env)
    assert done.returncode == 2
    assert "✅ 3 models, invoke allowed" in done.stdout and "❌ 3 models, invoke denied" in done.stdout
    assert done.stderr.strip() == (
        "verify_bedrock_permissions.py: 1 role/region pair(s) cannot use Bedrock as expected: see the problems listed")
    assert (f"  {DENIED_ROLE} / us-east-1: the role's policies do not allow bedrock:InvokeModel on "
            "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0: grant it to the role "
            "(iam/test-role.json shows what a role needs)") in done.stdout


@pytest.mark.slow
def test_sample_roles_that_do_not_exist_are_named_with_how_to_name_or_make_roles(aws_env: dict[str, str]) -> None:
    """AWS refuses AssumeRole of a role that does not exist as if the caller lacked sts:AssumeRole: the simulator's
    NoSuchEntity says which it is, so the caller's policy is not blamed."""
    account = boto3.client("sts").get_caller_identity()["Account"]
    with stand_in(aws_env["AWS_ENDPOINT_URL"]) as (url, _):
        env = {**aws_env, "AWS_ENDPOINT_URL_BEDROCK": url, "AWS_ENDPOINT_URL_IAM": url}
        done = run("verify_bedrock_permissions.py", "--regions", "us-east-1", env=env)
    assert done.returncode == 2, done.stderr
    for role in ("CustomerServiceApp-BedrockRole", "DataAnalysisApp-BedrockRole", "ChatbotApp-BedrockRole",
                 "DocumentProcessorApp-BedrockRole"):
        assert re.search(rf"^{role} +❌ not assumed, invoke unknown$", done.stdout, re.MULTILINE), done.stdout
        assert (f"  {role} / us-east-1: role arn:aws:iam::{account}:role/{role} does not exist: name your application "
                "roles with --roles (the default checks the four sample roles, which generate_test_data.py "
                "--create-roles makes)") in done.stdout
    assert "sts:AssumeRole" not in done.stdout and "test-data-generator" not in done.stdout + done.stderr


@pytest.mark.slow
def test_a_role_of_another_account_is_not_simulated_and_says_which_profile_can(aws_env: dict[str, str],
                                                                               roles: str) -> None:
    other = f"arn:aws:iam::210987654321:role/{ALLOWED_ROLE}"
    with stand_in(aws_env["AWS_ENDPOINT_URL"]) as (url, simulated):
        env = {**aws_env, "AWS_ENDPOINT_URL_BEDROCK": url, "AWS_ENDPOINT_URL_IAM": url}
        done = run("verify_bedrock_permissions.py", "--roles", other, "--regions", "us-east-1", "--format", "json",
                   env=env)
    assert simulated == []  # the simulator would read this account's role of the same name
    [check] = json.loads(done.stdout)["checks"]
    assert (check["invoke"], check["problems"]) == ("unknown", [
        f"InvokeModel check: IAM's policy simulator reads roles of this account ({roles}) only: run again with "
        "--profile for account 210987654321 to check this role's InvokeModel"])


@pytest.mark.slow
def test_a_role_without_bedrock_permissions_is_told_what_the_role_needs(aws_env: dict[str, str], roles: str) -> None:
    with stand_in(aws_env["AWS_ENDPOINT_URL"], refused_listing=("us-east-1",)) as (url, _):
        env = {**aws_env, "AWS_ENDPOINT_URL_BEDROCK": url, "AWS_ENDPOINT_URL_IAM": url, "AWS_MAX_ATTEMPTS": "1"}
        done = run("verify_bedrock_permissions.py", "--roles", DENIED_ROLE, "--regions", "us-east-1", env=env)
    assert done.returncode == 2
    assert (f"  {DENIED_ROLE} / us-east-1: listing foundation models: the role needs bedrock:ListFoundationModels "
            "(iam/test-role.json shows what a role needs)") in done.stdout
    assert f"  {DENIED_ROLE} / us-east-1: the role's policies do not allow bedrock:InvokeModel" in done.stdout
    assert "this identity" not in done.stdout and "test-data-generator" not in done.stdout + done.stderr


@pytest.mark.parametrize("profile", ["us", "global"])
@pytest.mark.slow
def test_an_inference_profile_needs_invoke_on_the_profile_and_its_model(aws_env: dict[str, str], roles: str,
                                                                         profile: str) -> None:
    """Calls through a cross-Region inference profile are authorized on the profile and on the model (Amazon Bedrock
    User Guide, cross-Region inference): a role allowed on foundation models only may not call through one."""
    model = f"{profile}.anthropic.claude-sonnet-4-5-20250929-v1:0"
    with stand_in(aws_env["AWS_ENDPOINT_URL"]) as (url, simulated):
        env = {**aws_env, "AWS_ENDPOINT_URL_BEDROCK": url, "AWS_ENDPOINT_URL_IAM": url}
        args = ["--roles", ALLOWED_ROLE, "--regions", "us-east-1", "--model", model, "--format", "json"]
        models_only = run("verify_bedrock_permissions.py", *args, env=env)
        boto3.client("iam").put_role_policy(RoleName=ALLOWED_ROLE, PolicyName="profiles", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "bedrock:InvokeModel",
                                                    "Resource": f"arn:aws:bedrock:*:{roles}:inference-profile/*"}]}))
        both = run("verify_bedrock_permissions.py", *args, env=env)
    assert models_only.returncode == 2 and json.loads(models_only.stdout)["checks"][0]["invoke"] == "denied"
    assert both.returncode == 0, both.stderr
    assert json.loads(both.stdout)["checks"][0]["invoke"] == "allowed"
    model_region = "" if profile == "global" else "us-east-1"
    assert {s["resource"] for s in simulated} == {
        f"arn:aws:bedrock:us-east-1:{roles}:inference-profile/{model}",
        f"arn:aws:bedrock:{model_region}::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0",
        *(f"arn:aws:bedrock:{region}::foundation-model/{SONNET}" for region in DESTINATIONS[profile])}


def allow_invoke(role: str, *resources: str) -> None:
    """Replace the role's invoke policy by an Allow of bedrock:InvokeModel on ``resources``."""
    boto3.client("iam").put_role_policy(RoleName=role, PolicyName="invoke", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "bedrock:InvokeModel",
                                                "Resource": list(resources)}]}))


def check_model(aws_env: dict[str, str], model: str, profiles: dict[str, list[str] | None] | None = None,
                routers: dict[str, Router] | None = None) -> tuple[subprocess.CompletedProcess[str], dict, set[str]]:
    """One run for ALLOWED_ROLE in us-east-1: the run, its one check (JSON) and the resources simulated."""
    with stand_in(aws_env["AWS_ENDPOINT_URL"], profiles=profiles, routers=routers) as (url, simulated):
        env = {**aws_env, "AWS_ENDPOINT_URL_BEDROCK": url, "AWS_ENDPOINT_URL_IAM": url, "AWS_MAX_ATTEMPTS": "1"}
        done = run("verify_bedrock_permissions.py", "--roles", ALLOWED_ROLE, "--regions", "us-east-1", "--model",
                   model, "--format", "json", env=env)
    [check] = json.loads(done.stdout)["checks"]
    return done, check, {s["resource"] for s in simulated}


def test_a_profile_needs_invoke_on_its_model_in_every_destination_region(aws_env: dict[str, str],
                                                                         roles: str) -> None:
    """Amazon Bedrock User Guide, "Prerequisites for inference profiles": a policy naming an inference profile must
    name the foundation model in each Region of the profile too; the source region's model alone is not enough."""
    model = f"us.{SONNET}"
    allow_invoke(ALLOWED_ROLE, f"arn:aws:bedrock:us-east-1:{roles}:inference-profile/{model}",
                 f"arn:aws:bedrock:us-east-1::foundation-model/{SONNET}")
    done, check, _ = check_model(aws_env, model)
    assert done.returncode == 2 and check["invoke"] == "denied", done.stdout + done.stderr
    assert check["problems"] == [
        "the role's policies do not allow bedrock:InvokeModel on "
        f"arn:aws:bedrock:us-east-2::foundation-model/{SONNET}, arn:aws:bedrock:us-west-2::foundation-model/{SONNET}: "
        "grant it to the role (iam/test-role.json shows what a role needs)"]


@pytest.mark.slow
def test_an_application_profile_arn_is_checked_as_itself_and_the_models_it_routes_to(aws_env: dict[str, str],
                                                                                     roles: str) -> None:
    """A role scoped to its application inference profile and that profile's models is allowed; one allowed on
    foundation models only is denied, naming the profile."""
    allow_invoke(ALLOWED_ROLE, APP_PROFILE, *APP_MODELS)
    scoped, check, simulated = check_model(aws_env, APP_PROFILE, {APP_PROFILE: APP_MODELS})
    assert scoped.returncode == 0 and check["invoke"] == "allowed", scoped.stdout + scoped.stderr
    assert simulated == {APP_PROFILE, *APP_MODELS}
    allow_invoke(ALLOWED_ROLE, "arn:aws:bedrock:*::foundation-model/*")
    models_only, check, _ = check_model(aws_env, APP_PROFILE, {APP_PROFILE: APP_MODELS})
    assert models_only.returncode == 2 and check["problems"] == [
        f"the role's policies do not allow bedrock:InvokeModel on {APP_PROFILE}: grant it to the role "
        "(iam/test-role.json shows what a role needs)"]


def test_an_application_profile_whose_models_cannot_be_read_is_unknown_and_exits_2(aws_env: dict[str, str],
                                                                                   roles: str) -> None:
    allow_invoke(ALLOWED_ROLE, APP_PROFILE, "arn:aws:bedrock:*::foundation-model/*")
    done, check, simulated = check_model(aws_env, APP_PROFILE, {APP_PROFILE: None})
    assert done.returncode == 2, done.stdout + done.stderr
    assert simulated == {APP_PROFILE}
    assert (check["invoke"], check["models_checked"], check["ok"]) == ("unknown", False, False)
    assert check["problems"] == [
        f"InvokeModel check: {APP_PROFILE} is allowed, but the foundation models it routes to could not be read, so "
        "their permissions were not checked: access denied: this identity needs bedrock:GetInferenceProfile (see "
        "iam/test-data-generator.json)"]


@pytest.mark.slow
@pytest.mark.parametrize("form", ["foundation-model", "inference-profile"])
def test_a_model_named_by_its_arn_is_checked_as_the_resource_it_names(aws_env: dict[str, str], roles: str,
                                                                      form: str) -> None:
    """An ARN is not made a model id: a foundation-model ARN is that model, an inference-profile ARN that profile
    with its models, as its id is."""
    if form == "foundation-model":
        arn = f"arn:aws:bedrock:us-east-1::foundation-model/{HAIKU}"
        expected = {arn}
    else:
        arn = f"arn:aws:bedrock:us-east-1:{roles}:inference-profile/us.{SONNET}"
        expected = {arn, *(f"arn:aws:bedrock:{region}::foundation-model/{SONNET}" for region in DESTINATIONS["us"])}
    allow_invoke(ALLOWED_ROLE, *sorted(expected))
    done, check, simulated = check_model(aws_env, arn)
    assert simulated == expected
    assert done.returncode == 0 and check["invoke"] == "allowed", done.stdout + done.stderr


@pytest.mark.parametrize("model", [
    "arn:aws:s3:::my-bucket",
    "arn:aws:bedrock:us-east-1:123456789012:agent/ABCDEFGHIJ",
    "arn:aws:bedrock:us-east-1:123456789012:prompt/ABCDEFGHIJ:1",  # not among InvokeModel's resource types
    f"arn:aws:bedrock:us-east-1:123456789012:foundation-model/{HAIKU}",
    "arn:aws:bedrock:us-east-1::provisioned-model/abc123def456",
    "arn:aws:bedrock:us-east-1::default-prompt-router/anthropic.claude:1",  # a router's ARN names its account
    f"foundation-model/{HAIKU}",
])
def test_a_model_that_is_no_model_id_or_bedrock_model_arn_is_refused(no_aws_env: dict[str, str], model: str) -> None:
    done = run("verify_bedrock_permissions.py", "--model", model, env=no_aws_env)
    assert done.returncode == 1 and done.stdout == "", done.stderr
    assert done.stderr == (
        f"verify_bedrock_permissions.py: argument --model: '{model}' is neither a model id "
        "(anthropic.claude-3-haiku-20240307-v1:0, us.anthropic...) nor the ARN of a Bedrock foundation model, "
        "inference profile, application inference profile, prompt router, provisioned model, custom model "
        "deployment or imported model (see verify_bedrock_permissions.py --help)\n")


@pytest.mark.parametrize(("model", "why"), [
    (f"arn:aws-us-gov:bedrock:us-east-1::foundation-model/{HAIKU}",
     " names partition aws-us-gov, but us-east-1 is in partition aws"),
    (f"arn:aws:bedrock:us-gov-west-1::foundation-model/{HAIKU}",
     " names partition aws, but us-gov-west-1 is in partition aws-us-gov"),
    (f"arn:aws:bedrock:xx-east-1::foundation-model/{HAIKU}", " names xx-east-1, which is not an Amazon Bedrock region"),
    (f"arn:aws-cn:bedrock:cn-north-1::foundation-model/{HAIKU}",  # named as China's, as --regions cn-north-1 is
     ": cn-north-1 is a Region of the aws-cn partition (China), which this tool neither reads nor prices (it reads "
     "the Regions of the aws and aws-us-gov partitions)"),
])
def test_an_arn_whose_region_and_partition_disagree_is_refused(no_aws_env: dict[str, str], model: str,
                                                               why: str) -> None:
    done = run("verify_bedrock_permissions.py", "--model", model, env=no_aws_env)
    assert (done.returncode, done.stdout) == (1, ""), done.stderr
    assert done.stderr == (f"verify_bedrock_permissions.py: argument --model: '{model}'{why} (see "
                           "verify_bedrock_permissions.py --help)\n")


WEST_MODEL = f"arn:aws:bedrock:us-west-2::foundation-model/{HAIKU}"


@pytest.mark.slow
def test_an_arn_is_checked_in_its_own_region_and_not_applicable_in_the_others(aws_env: dict[str, str],
                                                                              roles: str) -> None:
    """A call from us-east-1 cannot name a us-west-2 model's ARN: a role allowed on us-west-2's models only is allowed
    there and n/a in us-east-1; one allowed on us-east-1's models only is denied in us-west-2, and not reported
    allowed in us-east-1 on the strength of a resource it could not call there."""
    allow_invoke(ALLOWED_ROLE, "arn:aws:bedrock:us-west-2::foundation-model/*")
    allow_invoke(DENIED_ROLE, "arn:aws:bedrock:us-east-1::foundation-model/*")
    with stand_in(aws_env["AWS_ENDPOINT_URL"]) as (url, simulated):
        env = {**aws_env, "AWS_ENDPOINT_URL_BEDROCK": url, "AWS_ENDPOINT_URL_IAM": url}
        args = ["--roles", ALLOWED_ROLE, DENIED_ROLE, "--regions", "us-east-1", "us-west-2", "--model", WEST_MODEL]
        document = run("verify_bedrock_permissions.py", *args, "--format", "json", env=env)
        table = run("verify_bedrock_permissions.py", *args, env=env)
    assert document.returncode == 2, document.stderr
    answer = json.loads(document.stdout)
    assert answer["model_region"] == "us-west-2"
    verdicts = {(c["role"], c["region"]): (c["invoke"], c["ok"]) for c in answer["checks"]}
    assert verdicts == {(ALLOWED_ROLE, "us-east-1"): ("n/a", True), (ALLOWED_ROLE, "us-west-2"): ("allowed", True),
                        (DENIED_ROLE, "us-east-1"): ("n/a", True), (DENIED_ROLE, "us-west-2"): ("denied", False)}
    # two runs, each asking once per role, in us-west-2 only
    assert sorted((s["role"].rsplit("/", 1)[-1], s["resource"]) for s in simulated) == sorted(
        [(ALLOWED_ROLE, WEST_MODEL), (DENIED_ROLE, WEST_MODEL)] * 2)
    assert table.returncode == 2, table.stderr
    assert re.search(rf"^{ALLOWED_ROLE} +➖ 3 models, invoke n/a +✅ 2 models, invoke allowed$", table.stdout,
                     re.MULTILINE), table.stdout
    assert re.search(rf"^{DENIED_ROLE} +➖ 3 models, invoke n/a +❌ 2 models, invoke denied$", table.stdout,
                     re.MULTILINE), table.stdout
    assert ("\nInvokeModel is checked in us-west-2 only ('invoke n/a' elsewhere): --model names a resource of "
            "us-west-2, which a call from another region cannot name.\n") in table.stdout
    assert f"  {DENIED_ROLE} / us-west-2: the role's policies do not allow bedrock:InvokeModel on {WEST_MODEL}" in (
        table.stdout)
    assert "/ us-east-1:" not in table.stdout


@pytest.mark.slow
def test_an_arn_without_regions_is_checked_in_its_region_alone(aws_env: dict[str, str], roles: str) -> None:
    with stand_in(aws_env["AWS_ENDPOINT_URL"]) as (url, simulated):
        env = {**aws_env, "AWS_ENDPOINT_URL_BEDROCK": url, "AWS_ENDPOINT_URL_IAM": url}
        done = run("verify_bedrock_permissions.py", "--roles", ALLOWED_ROLE, "--model", WEST_MODEL, "--format", "json",
                   env=env)
    assert done.returncode == 0, done.stderr
    assert [(c["region"], c["invoke"]) for c in json.loads(done.stdout)["checks"]] == [("us-west-2", "allowed")]
    assert [s["resource"] for s in simulated] == [WEST_MODEL]


@pytest.mark.parametrize(("model", "regions", "message"), [
    (WEST_MODEL, ["us-east-1", "eu-west-1"], "--model names a resource of us-west-2, which --regions (us-east-1 "
     "eu-west-1) leaves out: a call from another region cannot name it; add us-west-2 to --regions, or give the "
     "model's id to check it in every region"),
    (f"arn:aws:bedrock:eu-west-1:{ACCOUNT}:prompt-router/abcd1234efgh", ["us-east-1"], "--model names a resource "
     "of eu-west-1, which --regions (us-east-1) leaves out: a call from another region cannot name it; add eu-west-1 "
     "to --regions, or give the model's id to check it in every region"),
    (f"arn:aws-us-gov:bedrock:us-gov-west-1::foundation-model/{HAIKU}", ["us-east-1"], "--model names a resource of "
     f"us-gov-west-1 (partition aws-us-gov), but account {ACCOUNT} is in partition aws: give the ARN of a resource "
     "in aws, or --profile for an account in aws-us-gov"),
])
def test_an_arn_no_region_checked_can_call_is_refused(aws_env: dict[str, str], model: str, regions: list[str],
                                                      message: str) -> None:
    done = run("verify_bedrock_permissions.py", "--model", model, "--regions", *regions, env=aws_env)
    assert (done.returncode, done.stdout, done.stderr) == (1, "", f"verify_bedrock_permissions.py: {message}\n")


@pytest.mark.slow
def test_a_profile_arn_of_one_region_is_read_and_asked_for_there_only(aws_env: dict[str, str], roles: str,
                                                                        tmp_path: Path) -> None:
    """GetInferenceProfile is asked in the profile's region, once, and not for the regions whose calls cannot name it;
    every request is valid for botocore's service models."""
    profile = f"arn:aws:bedrock:us-west-2:{roles}:inference-profile/us.{SONNET}"
    routed = [f"arn:aws:bedrock:{region}::foundation-model/{SONNET}" for region in DESTINATIONS["us"]]
    allow_invoke(ALLOWED_ROLE, profile, *routed)
    with stand_in(aws_env["AWS_ENDPOINT_URL"], profiles={profile: routed}) as (url, simulated):
        env = {**aws_env, "AWS_ENDPOINT_URL_BEDROCK": url, "AWS_ENDPOINT_URL_IAM": url}
        done, requests = run_recorded("verify_bedrock_permissions.py", "--roles", ALLOWED_ROLE, "--regions",
                                      "us-east-1", "us-west-2", "--model", profile, "--format", "json", env=env,
                                      tmp_path=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert {c["region"]: c["invoke"] for c in json.loads(done.stdout)["checks"]} == {"us-east-1": "n/a",
                                                                                     "us-west-2": "allowed"}
    assert [params for _, operation, params in requests if operation == "GetInferenceProfile"] == [
        {"inferenceProfileIdentifier": profile}]
    assert sorted(s["resource"] for s in simulated) == sorted({profile, *routed})
    assert not [f"{service}.{operation}: {problem}" for service, operation, params in requests
                for problem in request_problems(service, operation, params)]


def request_problems(service: str, operation: str, params: dict) -> list[str]:
    """What botocore's model finds wrong with a request: its validator's report and the maximum lengths, patterns
    and enums it does not check client-side."""
    shape = botocore.session.get_session().get_service_model(service).operation_model(operation).input_shape
    return [problem for problem in [validation_errors(service, operation, params)] if problem] + beyond_botocore(
        params, shape, operation)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["provisioned-model", "custom-model-deployment", "imported-model"])
def test_a_provisioned_custom_or_imported_model_arn_is_checked_as_itself(aws_env: dict[str, str], roles: str,
                                                                         tmp_path: Path, kind: str) -> None:
    """InvokeModel's modelId takes these ARNs and bedrock:InvokeModel is authorized on them (Service Authorization
    Reference for Amazon Bedrock): a role allowed on the account's resources of that kind may call one; a role
    allowed on foundation models only may not. Nothing behind them is read."""
    arn = f"arn:aws:bedrock:us-east-1:{roles}:{kind}/abc123def456"
    allow_invoke(ALLOWED_ROLE, f"arn:aws:bedrock:us-east-1:{roles}:{kind}/*")
    allow_invoke(DENIED_ROLE, "arn:aws:bedrock:*::foundation-model/*")
    with stand_in(aws_env["AWS_ENDPOINT_URL"]) as (url, simulated):
        env = {**aws_env, "AWS_ENDPOINT_URL_BEDROCK": url, "AWS_ENDPOINT_URL_IAM": url}
        done, requests = run_recorded("verify_bedrock_permissions.py", "--roles", ALLOWED_ROLE, DENIED_ROLE,
                                      "--regions", "us-east-1", "--model", arn, "--format", "json", env=env,
                                      tmp_path=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    checks = {c["role"]: c for c in json.loads(done.stdout)["checks"]}
    assert (checks[ALLOWED_ROLE]["invoke"], checks[ALLOWED_ROLE]["problems"]) == ("allowed", [])
    assert (checks[DENIED_ROLE]["invoke"], checks[DENIED_ROLE]["problems"]) == ("denied", [
        f"the role's policies do not allow bedrock:InvokeModel on {arn}: grant it to the role (iam/test-role.json "
        "shows what a role needs)"])
    assert [s["resource"] for s in simulated] == [arn, arn]
    assert "GetInferenceProfile" not in {operation for _, operation, _ in requests}
    assert not [f"{service}.{operation}: {problem}" for service, operation, params in requests
                for problem in request_problems(service, operation, params)]


def test_a_refused_assume_role_names_the_trust_policy_and_the_principal_it_must_allow(aws_env: dict[str, str],
                                                                                      roles: str) -> None:
    """AWS refuses AssumeRole of an existing role with AccessDenied when the role's trust policy does not name the
    caller (the usual cause) or the caller's policies lack sts:AssumeRole; the caller here is an SSO-like session of
    the role OpsRole, whose trust principal is that role's ARN."""
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{roles}:root"}, "Action": "sts:AssumeRole"}]}
    boto3.client("iam").create_role(RoleName="OpsRole", AssumeRolePolicyDocument=json.dumps(trust))
    keys = boto3.client("sts").assume_role(RoleArn=f"arn:aws:iam::{roles}:role/OpsRole",
                                           RoleSessionName="alice")["Credentials"]
    caller = f"arn:aws:sts::{roles}:assumed-role/OpsRole/alice"
    role = f"arn:aws:iam::{roles}:role/{ALLOWED_ROLE}"
    refusal = (f'<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>'
               f"AccessDenied</Code><Message>User: {caller} is not authorized to perform: sts:AssumeRole on resource: "
               f"{role}</Message></Error><RequestId>proxy</RequestId></ErrorResponse>").encode()
    with stand_in(aws_env["AWS_ENDPOINT_URL"]) as (url, _), refusing_proxy(
            aws_env["AWS_ENDPOINT_URL"], lambda method, path: method == "POST", (403, refusal),
            lambda body: b"Action=AssumeRole&" in body) as proxy:
        env = {**aws_env, "AWS_ENDPOINT_URL_BEDROCK": url, "AWS_ENDPOINT_URL_IAM": url,
               "AWS_ENDPOINT_URL_STS": f"http://127.0.0.1:{proxy.server_port}",
               "AWS_ACCESS_KEY_ID": keys["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": keys["SecretAccessKey"],
               "AWS_SESSION_TOKEN": keys["SessionToken"]}
        done = run("verify_bedrock_permissions.py", "--roles", ALLOWED_ROLE, "--regions", "us-east-1", env=env)
    assert len(proxy.refused) == 1 and done.returncode == 2, done.stdout + done.stderr
    assert (f"  {ALLOWED_ROLE} / us-east-1: cannot assume the role: AccessDenied: the trust policy of {role} must "
            f'allow {caller} to call sts:AssumeRole (a statement with "Principal": {{"AWS": '
            f'"arn:aws:iam::{roles}:role/OpsRole"}} (with the role\'s path, if it has one), "Action": '
            f'"sts:AssumeRole"), and the caller\'s own policies must allow sts:AssumeRole on {role} (see '
            "iam/test-data-generator.json)") in done.stdout
    assert "Traceback" not in done.stderr


def test_a_prompt_router_needs_invoke_on_the_router_and_every_model_it_routes_to(aws_env: dict[str, str], roles: str,
                                                                                  tmp_path: Path) -> None:
    """Intelligent Prompt Routing: a call naming a router is authorized on the router and on the models it routes to
    (the AWS CDK's PromptRouter.grantInvoke): a role allowed on the three is allowed; GetPromptRouter reads them, in
    the router's region, with a request valid for botocore's model."""
    allow_invoke(ALLOWED_ROLE, CLAUDE_ROUTER, *CLAUDE_ROUTED)
    reads: list[tuple[str, str]] = []
    with stand_in(aws_env["AWS_ENDPOINT_URL"], routers={CLAUDE_ROUTER: (CLAUDE_ROUTED, CLAUDE_ROUTED[1])},
                  router_reads=reads) as (url, simulated):
        env = {**aws_env, "AWS_ENDPOINT_URL_BEDROCK": url, "AWS_ENDPOINT_URL_IAM": url}
        done, requests = run_recorded("verify_bedrock_permissions.py", "--roles", ALLOWED_ROLE, "--regions",
                                      "us-east-1", "--model", CLAUDE_ROUTER, "--format", "json", env=env,
                                      tmp_path=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    [check] = json.loads(done.stdout)["checks"]
    assert (check["invoke"], check["problems"], check["models_checked"]) == ("allowed", [], True)
    assert sorted(s["resource"] for s in simulated) == sorted([CLAUDE_ROUTER, *CLAUDE_ROUTED])
    assert reads == [("us-east-1", "GetPromptRouter")]
    assert [params for _, operation, params in requests if operation == "GetPromptRouter"] == [
        {"promptRouterArn": CLAUDE_ROUTER}]
    assert not [f"{service}.{operation}: {problem}" for service, operation, params in requests
                for problem in request_problems(service, operation, params)]


def test_a_router_whose_fallback_model_the_role_may_not_invoke_is_denied_naming_it(aws_env: dict[str, str],
                                                                                   roles: str) -> None:
    """The fallback model answers whenever the router routes to none of its models: a role without it is denied."""
    allow_invoke(ALLOWED_ROLE, CLAUDE_ROUTER, CLAUDE_ROUTED[0])
    done, check, simulated = check_model(aws_env, CLAUDE_ROUTER,
                                         routers={CLAUDE_ROUTER: ([CLAUDE_ROUTED[0]], CLAUDE_ROUTED[1])})
    assert done.returncode == 2 and check["invoke"] == "denied", done.stdout + done.stderr
    assert simulated == {CLAUDE_ROUTER, *CLAUDE_ROUTED}
    assert check["problems"] == [
        f"the role's policies do not allow bedrock:InvokeModel on {CLAUDE_ROUTED[1]}: grant it to the role "
        "(iam/test-role.json shows what a role needs)"]


def test_a_router_that_cannot_be_read_is_unknown_naming_the_permission(aws_env: dict[str, str], roles: str) -> None:
    allow_invoke(ALLOWED_ROLE, CLAUDE_ROUTER, "arn:aws:bedrock:*::foundation-model/*")
    done, check, simulated = check_model(aws_env, CLAUDE_ROUTER, routers={CLAUDE_ROUTER: None})
    assert done.returncode == 2, done.stdout + done.stderr
    assert simulated == {CLAUDE_ROUTER}
    assert (check["invoke"], check["models_checked"], check["ok"]) == ("unknown", False, False)
    assert check["problems"] == [
        f"InvokeModel check: {CLAUDE_ROUTER} is allowed, but the models it routes to could not be read, so their "
        "permissions were not checked: access denied: this identity needs bedrock:GetPromptRouter (see "
        "iam/test-data-generator.json)"]


def test_an_own_router_routing_to_a_profile_needs_the_profiles_models_too(aws_env: dict[str, str], roles: str,
                                                                          tmp_path: Path) -> None:
    """An account's own router (prompt-router/...) is found by ListPromptRouters (GetPromptRouter's promptRouterArn
    takes AWS's routers only in botocore's model); a profile it routes to needs its foundation models as a call
    through the profile does: a role allowed on the router and the profile alone is denied on those."""
    router = f"arn:aws:bedrock:us-east-1:{roles}:prompt-router/abcd1234efgh"
    profile = f"arn:aws:bedrock:us-east-1:{roles}:inference-profile/us.{SONNET}"
    behind = SYSTEM_PROFILES[profile]
    assert behind is not None
    allow_invoke(ALLOWED_ROLE, router, profile, CLAUDE_ROUTED[0])
    with stand_in(aws_env["AWS_ENDPOINT_URL"], routers={router: ([CLAUDE_ROUTED[0], profile], profile)}) as (
            url, simulated):
        env = {**aws_env, "AWS_ENDPOINT_URL_BEDROCK": url, "AWS_ENDPOINT_URL_IAM": url}
        done, requests = run_recorded("verify_bedrock_permissions.py", "--roles", ALLOWED_ROLE, "--regions",
                                      "us-east-1", "--model", router, "--format", "json", env=env, tmp_path=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    [check] = json.loads(done.stdout)["checks"]
    assert check["invoke"] == "denied"
    assert sorted(s["resource"] for s in simulated) == sorted({router, CLAUDE_ROUTED[0], profile, *behind})
    assert check["problems"] == [
        f"the role's policies do not allow bedrock:InvokeModel on {', '.join(behind)}: grant it to the role "
        "(iam/test-role.json shows what a role needs)"]
    operations = [(operation, params) for _, operation, params in requests if operation != "SimulatePrincipalPolicy"]
    assert ("ListPromptRouters", {"type": "custom"}) in operations
    assert ("GetInferenceProfile", {"inferenceProfileIdentifier": profile}) in operations
    assert "GetPromptRouter" not in {operation for operation, _ in operations}
    assert not [f"{service}.{operation}: {problem}" for service, operation, params in requests
                for problem in request_problems(service, operation, params)]


def test_a_router_arn_is_read_and_asked_for_in_its_own_region_only(aws_env: dict[str, str], roles: str) -> None:
    router = f"arn:aws:bedrock:us-west-2:{roles}:default-prompt-router/anthropic.claude:1"
    routed = [f"arn:aws:bedrock:us-west-2::foundation-model/{model}" for model in (HAIKU, SONNET)]
    allow_invoke(ALLOWED_ROLE, router, *routed)
    reads: list[tuple[str, str]] = []
    with stand_in(aws_env["AWS_ENDPOINT_URL"], routers={router: (routed, routed[1])}, router_reads=reads) as (
            url, simulated):
        env = {**aws_env, "AWS_ENDPOINT_URL_BEDROCK": url, "AWS_ENDPOINT_URL_IAM": url}
        done = run("verify_bedrock_permissions.py", "--roles", ALLOWED_ROLE, "--regions", "us-east-1", "us-west-2",
                   "--model", router, "--format", "json", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    answer = json.loads(done.stdout)
    assert answer["model_region"] == "us-west-2"
    assert {c["region"]: c["invoke"] for c in answer["checks"]} == {"us-east-1": "n/a", "us-west-2": "allowed"}
    assert reads == [("us-west-2", "GetPromptRouter")]
    assert sorted(s["resource"] for s in simulated) == sorted([router, *routed])
