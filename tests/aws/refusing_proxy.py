"""A proxy on 127.0.0.1 in front of the moto server that refuses chosen requests (S3's by method and path, those of
query-protocol APIs such as STS by their body, those of JSON-protocol APIs such as Athena by their operation too) with
AccessDenied, as an IAM policy without that action makes AWS
answer (or with another error, such as NoSuchKey for an object deleted since it was listed), and passes every other
request on unchanged."""

from __future__ import annotations

import http.client
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ACCESS_DENIED = (b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code>'
                 b"<Message>Access Denied</Message></Error>")
NO_SUCH_KEY = (b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code>'
               b"<Message>The specified key does not exist.</Message></Error>")
Refuses = Callable[[str, str], bool]  # (method, path with query) -> refused
RefusesBody = Callable[[bytes], bool]  # the request body -> refused (for query-protocol APIs such as STS)


class _Proxy(ThreadingHTTPServer):
    def __init__(self, upstream: str, refuses: Refuses, answer: tuple[int, bytes], refuses_body: RefusesBody,
                 operation: str | None):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.upstream = upstream
        self.refuses = refuses
        self.refuses_body = refuses_body
        self.operation = operation
        self.answer = answer
        self.refused: list[str] = []


class _Handler(BaseHTTPRequestHandler):
    server: _Proxy
    protocol_version = "HTTP/1.1"

    def _answer(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        target = self.headers.get("X-Amz-Target", "")
        named = self.server.operation is None or target.rsplit(".", 1)[-1] == self.server.operation
        if named and self.server.refuses(self.command, self.path) and self.server.refuses_body(body):
            self.server.refused.append(f"{self.command} {self.path}")
            status, body = self.server.answer
            self._send(status, {"Content-Type": "application/xml"}, body)
            return
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "expect")}
        # http.client adds no header of its own (urllib would add a form Content-Type, which moto then reads)
        upstream = http.client.HTTPConnection(self.server.upstream.split("//", 1)[1], timeout=60)
        try:
            upstream.request(self.command, self.path, body=body, headers=headers)
            answer = upstream.getresponse()
            self._send(answer.status, dict(answer.getheaders()), answer.read())
        finally:
            upstream.close()

    def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        for name, value in headers.items():
            if name.lower() not in ("content-length", "transfer-encoding", "connection", "server", "date"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _answer  # noqa: N815 (http.server's naming)

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def refusing_proxy(
    upstream: str, refuses: Refuses, answer: tuple[int, bytes] = (403, ACCESS_DENIED),
    refuses_body: RefusesBody = lambda body: True, operation: str | None = None,
) -> Iterator[_Proxy]:
    """The proxy, serving until the block ends, answering what it refuses (``refuses`` and ``refuses_body`` both say
    so, of the JSON-protocol ``operation`` alone where one is named) with ``answer`` (HTTP status and body);
    ``refused`` lists what it refused."""
    server = _Proxy(upstream, refuses, answer, refuses_body, operation)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
