"""``--regions all`` on an account that has not enabled every opt-in region: AWS answers there as if the
credentials were unknown (UnrecognizedClientException), and such a region is skipped quietly, not failed. A Bedrock
endpoint on 127.0.0.1 answers so for two regions (by the region its request is signed for) and with no logging
configuration elsewhere; S3 and STS are moto's."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bedrock_usage.logs.regions import bedrock_regions

ROOT = Path(__file__).resolve().parents[2]
NOT_ENABLED = ("af-south-1", "me-south-1")


class OptInBedrock(ThreadingHTTPServer):
    """GetModelInvocationLoggingConfiguration: UnrecognizedClientException in ``disabled`` regions, else none set."""

    def __init__(self, disabled: tuple[str, ...]):
        super().__init__(("127.0.0.1", 0), Handler)
        self.disabled = disabled
        self.regions: list[str] = []


class Handler(BaseHTTPRequestHandler):
    server: OptInBedrock

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        region = re.search(r"Credential=[^/]+/\d{8}/([^/]+)/bedrock/", self.headers.get("Authorization", ""))[1]
        self.server.regions.append(region)
        refused = region in self.server.disabled
        body = json.dumps({"message": "The security token included in the request is invalid."} if refused else {})
        self.send_response(403 if refused else 200)
        self.send_header("Content-Type", "application/json")
        if refused:
            self.send_header("x-amzn-ErrorType", "UnrecognizedClientException")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def bedrock(request: pytest.FixtureRequest) -> Iterator[OptInBedrock]:
    server = OptInBedrock(request.param)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def run(script: str, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / script), *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)


@pytest.mark.slow
@pytest.mark.parametrize("bedrock", [NOT_ENABLED], indirect=True)
def test_regions_the_account_has_not_enabled_are_skipped_quietly(aws_env: dict[str, str],
                                                                 bedrock: OptInBedrock) -> None:
    env = {**aws_env, "AWS_ENDPOINT_URL_BEDROCK": f"http://127.0.0.1:{bedrock.server_port}"}
    done = run("setup_bedrock_logging.py", env, "--regions", "all", "--dry-run", "--format", "json")
    assert done.returncode == 0, done.stderr
    regions = [result["region"] for result in json.loads(done.stdout)["regions"]]
    assert regions == [r for r in bedrock_regions("aws") if r not in NOT_ENABLED] and "us-east-1" in regions


@pytest.mark.slow
@pytest.mark.parametrize("bedrock", [tuple(bedrock_regions("aws"))], indirect=True)
def test_credentials_every_region_refuses_are_named_not_skipped(aws_env: dict[str, str],
                                                                bedrock: OptInBedrock) -> None:
    env = {**aws_env, "AWS_ENDPOINT_URL_BEDROCK": f"http://127.0.0.1:{bedrock.server_port}"}
    done = run("setup_bedrock_logging.py", env, "--regions", "all", "--dry-run")
    assert done.returncode == 2 and "rejected the credentials" in done.stdout + done.stderr, done.stdout
