"""The ``aws ...`` commands the setup scripts print, taken as the AWS CLI takes them: the operation is the command
in PascalCase, each ``--option`` the operation's member of that name (kebab-case to PascalCase), a structure, list or
map given as JSON, a boolean as a bare flag (``--no-...`` for false); botocore's model of the service checks the
request, and ``run_aws`` sends it to the endpoint the environment names (the moto server)."""

from __future__ import annotations

import json
import re
import shlex
from typing import Any

import boto3
from botocore.validate import ParamValidator

SERVICES = {"s3api": "s3"}  # the CLI's command group -> the service's name in botocore
_JSON_TYPES = ("structure", "list", "map")


def _kebab(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


def cli_request(command: str) -> tuple[Any, str, dict[str, Any]]:
    """The client (in the command's ``--region``), operation name and parameters of an ``aws`` command."""
    aws, group, verb, *words = shlex.split(command)
    assert aws == "aws", command
    client = boto3.client(SERVICES.get(group, group), region_name=words[words.index("--region") + 1])
    model = client.meta.service_model.operation_model("".join(part.title() for part in verb.split("-")))
    members = {_kebab(name): (name, shape) for name, shape in model.input_shape.members.items()}
    params: dict[str, Any] = {}
    while words:
        option = words.pop(0).removeprefix("--")
        if option == "region":
            words.pop(0)
            continue
        negated = option.startswith("no-") and option not in members
        name, shape = members[option.removeprefix("no-") if negated else option]
        if shape.type_name == "boolean":
            params[name] = not negated
        else:
            value = words.pop(0)
            params[name] = json.loads(value) if shape.type_name in _JSON_TYPES else (
                int(value) if shape.type_name in ("integer", "long") else value)
    return client, model.name, params


def cli_errors(command: str) -> str:
    """What botocore's model finds wrong with an ``aws`` command's request ('' when nothing)."""
    client, operation, params = cli_request(command)
    report = ParamValidator().validate(params, client.meta.service_model.operation_model(operation).input_shape)
    return report.generate_report() if report.has_errors() else ""


def run_aws(command: str) -> Any:
    """Send an ``aws`` command's request, checked against the model first; the answer."""
    assert cli_errors(command) == "", command
    client, operation, params = cli_request(command)
    return getattr(client, _kebab(operation).replace("-", "_"))(**params)
