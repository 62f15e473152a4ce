"""A tiny fake TAXII 2.1 server on loopback that misbehaves on purpose.

Used by the sync tests to play a broken remote node: it answers discovery,
the API root and the collection resource correctly, and Get Objects with
whatever the test scripts (an answer per request, the last one repeated):
a status, a media type, a body (bytes or JSON), headers. It counts requests
so tests can check the retries. Bound to 127.0.0.1 only.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TAXII = "application/taxii+json;version=2.1"
ROOT = "fake"
COLLECTION = "9d9d9d9d-0000-4000-8000-00000000f009"


@dataclass
class Answer:
    """One scripted answer to Get Objects."""

    status: int = 200
    content_type: str = TAXII
    body: Any = None  # bytes are sent as they are; anything else as JSON
    headers: dict[str, str] = field(default_factory=dict)


def page(objects: list[Any], *, more: bool = False, next_token: str | None = None,
         date_added_last: str | None = "2026-10-01T00:00:00.000000Z") -> Answer:  # fmt: skip
    """A well-formed envelope (unless its parts say otherwise)."""
    body: dict[str, Any] = {"more": more, "objects": objects}
    if next_token is not None:
        body["next"] = next_token
    headers = {}
    if date_added_last is not None and objects:
        headers = {
            "X-TAXII-Date-Added-First": date_added_last,
            "X-TAXII-Date-Added-Last": date_added_last,
        }
    return Answer(body=body, headers=headers)


@dataclass
class FakeRemote:
    """The running fake server: its URL, its script, what it was asked."""

    port: int
    answers: list[Answer]
    requests: list[str] = field(default_factory=list)

    @property
    def api_root(self) -> str:
        return f"http://127.0.0.1:{self.port}/{ROOT}/"


def _handler(fake: FakeRemote) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def _send(
            self, status: int, content_type: str, body: bytes, headers: dict[str, str]
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            fake.requests.append(self.path)
            if path == f"/{ROOT}/":
                info = {"title": "Fake", "versions": [TAXII], "max_content_length": 1_000_000}
                self._send(200, TAXII, json.dumps(info).encode(), {})
            elif path == f"/{ROOT}/collections/{COLLECTION}/":
                info = {
                    "id": COLLECTION,
                    "title": "Fake cases",
                    "can_read": True,
                    "can_write": True,
                }
                self._send(200, TAXII, json.dumps(info).encode(), {})
            elif path == f"/{ROOT}/collections/{COLLECTION}/objects/":
                count = sum(1 for r in fake.requests if "/objects/" in r)
                answer = fake.answers[min(count, len(fake.answers)) - 1]
                body = (
                    answer.body
                    if isinstance(answer.body, bytes)
                    else json.dumps(answer.body).encode()
                )
                self._send(answer.status, answer.content_type, body, answer.headers)
            else:
                self._send(404, TAXII, b'{"title": "not found", "http_status": "404"}', {})

    return Handler


@contextmanager
def fake_remote(answers: list[Answer], port: int = 0) -> Iterator[FakeRemote]:
    """Serve ``answers`` on loopback (``port``, or a free one) until the block ends."""
    fake = FakeRemote(port, answers)
    ThreadingHTTPServer.allow_reuse_address = True
    server = ThreadingHTTPServer(("127.0.0.1", port), _handler(fake))
    fake.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
