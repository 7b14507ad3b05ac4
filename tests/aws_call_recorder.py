"""Run a script while recording every AWS API operation it calls: ``python tests/aws_call_recorder.py SCRIPT ARGS``.

The operations go, one ``[IAM service prefix, operation, caller]`` a line, to the file named by ``AWS_CALL_LOG``;
``caller`` is ``self`` for the script's own credentials and ``assumed`` for credentials of an assumed role. With
``AWS_CALL_PARAMS`` set, every request also goes to that file as ``[service, operation, parameters]``.
"""

from __future__ import annotations

import json
import os
import runpy
import sys

import botocore.client

_original = botocore.client.BaseClient._make_api_call


def _recording(self: botocore.client.BaseClient, operation_name: str, api_params: dict) -> object:
    with open(os.environ["AWS_CALL_LOG"], "a", encoding="utf-8") as log:
        credentials = self._request_signer._credentials
        own = credentials is None or credentials.access_key == os.environ.get("AWS_ACCESS_KEY_ID")
        caller = "self" if own else "assumed"
        log.write(json.dumps([self.meta.service_model.signing_name, operation_name, caller]) + "\n")
    if os.environ.get("AWS_CALL_PARAMS"):
        with open(os.environ["AWS_CALL_PARAMS"], "a", encoding="utf-8") as log:
            request = [self.meta.service_model.service_name, operation_name, api_params]
            log.write(json.dumps(request, default=_as_text) + "\n")
    return _original(self, operation_name, api_params)


def _as_text(value: object) -> str:
    """Bodies and times in a form the parameter validator takes for blobs and timestamps."""
    return value.isoformat() if hasattr(value, "isoformat") else "<body>"


if __name__ == "__main__":
    botocore.client.BaseClient._make_api_call = _recording
    sys.argv = sys.argv[1:]
    sys.path.insert(0, os.path.dirname(os.path.abspath(sys.argv[0])))
    runpy.run_path(sys.argv[0], run_name="__main__")
