"""A stand-in for AWS Data Exports (``bcm-data-exports``) on 127.0.0.1, because moto has none.

It answers ListExports, GetExport and CreateExport in the service's JSON protocol (``X-Amz-Target:
AWSBillingAndCostManagementDataExports.{Operation}``), keeps the exports in memory, and checks every request
body against botocore's service model (the same validation AWS's SDKs apply), so a request the real service
would reject for its shape fails here too. Scripts reach it through ``AWS_ENDPOINT_URL_BCM_DATA_EXPORTS`` like
any endpoint; it replaces AWS, not our code.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import botocore.session
from botocore.validate import ParamValidator

TARGET_PREFIX = "AWSBillingAndCostManagementDataExports."
ACCOUNT = "123456789012"
MODEL = botocore.session.get_session().get_service_model("bcm-data-exports")


def validation_errors(operation: str, params: dict[str, Any]) -> str:
    """What botocore's model finds wrong with a request ('' when nothing)."""
    report = ParamValidator().validate(params, MODEL.operation_model(operation).input_shape)
    return report.generate_report() if report.has_errors() else ""


@dataclass
class DataExports:
    """The service's state and every request it received (operation, body)."""

    url: str = ""
    exports: dict[str, dict[str, Any]] = field(default_factory=dict)  # ARN -> Export
    requests: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def add(self, export: dict[str, Any]) -> str:
        """Store an export as the service would (an ARN of its own); returns the ARN."""
        arn = f"arn:aws:bcm-data-exports:us-east-1:{ACCOUNT}:export/{export['Name']}-{uuid.uuid4()}"
        self.exports[arn] = {**export, "ExportArn": arn}
        return arn

    def operations(self) -> list[str]:
        """The operations called, in order."""
        return [operation for operation, _ in self.requests]

    def answer(self, operation: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        errors = validation_errors(operation, body) if operation in MODEL.operation_names else "unknown operation"
        if errors:
            return 400, {"__type": "ValidationException", "message": errors}
        if operation == "ListExports":
            listed = [{"ExportArn": arn, "ExportName": export["Name"], "ExportStatus": {"StatusCode": "HEALTHY"}}
                      for arn, export in self.exports.items()]
            return 200, {"Exports": listed}
        if operation == "GetExport":
            export = self.exports.get(body["ExportArn"])
            if export is None:
                return 400, {"__type": "ResourceNotFoundException", "message": "export not found"}
            return 200, {"Export": export, "ExportStatus": {"StatusCode": "HEALTHY"}}
        if operation == "CreateExport":
            if any(export["Name"] == body["Export"]["Name"] for export in self.exports.values()):
                return 400, {"__type": "ValidationException", "message": "an export of this name exists"}
            return 200, {"ExportArn": self.add(body["Export"])}
        return 400, {"__type": "ValidationException", "message": f"{operation} is not served by the stand-in"}


@contextmanager
def data_exports_server() -> Iterator[DataExports]:
    """Serve a fresh DataExports on a free loopback port for the duration of the block."""
    state = DataExports()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (the http.server name)
            operation = self.headers.get("X-Amz-Target", "").removeprefix(TARGET_PREFIX)
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
            state.requests.append((operation, body))
            status, answer = state.answer(operation, body)
            payload = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/x-amz-json-1.1")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
