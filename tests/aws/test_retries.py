"""Throttling is retried, and boundedly: S3 answering SlowDown from a local HTTP server on 127.0.0.1."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from botocore.exceptions import ClientError

from bedrock_usage.aws.session import DEFAULT_MAX_ATTEMPTS, Aws

SLOW_DOWN = (b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code>'
             b"<Message>Please reduce your request rate.</Message></Error>")
LISTING = (b'<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>b</Name><KeyCount>0</KeyCount>'
           b"<MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated></ListBucketResult>")


class Throttling(ThreadingHTTPServer):
    """Answers the first ``failures`` requests with 503 SlowDown, then an empty bucket listing."""

    def __init__(self, failures: int):
        super().__init__(("127.0.0.1", 0), Handler)
        self.failures = failures
        self.requests = 0


class Handler(BaseHTTPRequestHandler):
    server: Throttling

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self.server.requests += 1
        throttled = self.server.requests <= self.server.failures
        body = SLOW_DOWN if throttled else LISTING
        self.send_response(503 if throttled else 200)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def throttling(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Iterator[Throttling]:
    server = Throttling(request.param)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    for name in ("AWS_PROFILE", "AWS_MAX_ATTEMPTS", "AWS_CONFIG_FILE", "AWS_RETRY_MODE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{server.server_address[1]}")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    yield server
    server.shutdown()


@pytest.mark.slow
@pytest.mark.parametrize("throttling", [2], indirect=True)
def test_slow_down_is_retried_until_it_passes(throttling: Throttling) -> None:
    s3 = Aws.connect().client("s3", "us-east-1")
    assert s3.list_objects_v2(Bucket="b")["KeyCount"] == 0
    assert throttling.requests == 3


@pytest.mark.slow
@pytest.mark.parametrize("throttling", [100], indirect=True)
def test_retries_are_bounded(throttling: Throttling) -> None:
    s3 = Aws.connect().client("s3", "us-east-1")
    with pytest.raises(ClientError, match="SlowDown"):
        s3.list_objects_v2(Bucket="b")
    assert throttling.requests == 1 + DEFAULT_MAX_ATTEMPTS  # the call, then at most that many retries
