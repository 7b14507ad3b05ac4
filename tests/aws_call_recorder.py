"""Run a script while recording every AWS API operation it calls: ``python tests/aws_call_recorder.py SCRIPT ARGS``.

The operations go, one ``[IAM service prefix, operation, caller]`` a line, to the file named by ``AWS_CALL_LOG``;
``caller`` is ``self`` for the script's own credentials and ``assumed`` for credentials of an assumed role.
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
    return _original(self, operation_name, api_params)


if __name__ == "__main__":
    botocore.client.BaseClient._make_api_call = _recording
    sys.argv = sys.argv[1:]
    sys.path.insert(0, os.path.dirname(os.path.abspath(sys.argv[0])))
    runpy.run_path(sys.argv[0], run_name="__main__")
