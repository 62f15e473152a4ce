"""The gunicorn worker's rewrite of gunicorn's own HTML error pages (unit level).

The HTTP suite (test_http_no_500.py) checks the answers on the wire; these
tests feed gunicorn's real page writer every status it uses and arbitrary
messages, and check that anything that is not such a page is left alone.
"""

from __future__ import annotations

import json

from gunicorn import util
from hypothesis import given
from hypothesis import strategies as st
from infoshare_server.gunicorn_worker import taxii_error_page


class _Capture:
    """Enough of a socket for ``gunicorn.util.write_error``."""

    def __init__(self) -> None:
        self.sent = b""

    def gettimeout(self) -> float:
        return 0.0

    def sendall(self, data: bytes) -> None:
        self.sent += data


def _page(status: int, reason: str, message: str) -> bytes:
    sock = _Capture()
    util.write_error(sock, status, reason, message)
    return sock.sent


@given(
    st.sampled_from([(400, "Bad Request"), (414, "URI Too Long"), (403, "Forbidden"),
                     (431, "Request Header Fields Too Large"), (501, "Not Implemented")]),
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=255), max_size=200),
)  # fmt: skip
def test_every_gunicorn_page_becomes_a_taxii_error(status: tuple[int, str], message: str) -> None:
    code, reason = status
    rewritten = taxii_error_page(_page(code, reason, message))
    head, _, body = rewritten.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    assert lines[0] == f"HTTP/1.1 {code} {reason}"
    assert "Content-Type: application/taxii+json;version=2.1" in lines
    assert f"Content-Length: {len(body)}" in lines
    error = json.loads(body)
    assert error["http_status"] == str(code) and error["title"] == reason
    assert error["description"].startswith(message.strip()[:50])


@given(st.binary(max_size=300))
def test_anything_else_is_sent_unchanged(data: bytes) -> None:
    if b"</h1>" not in data:
        assert taxii_error_page(data) == data
