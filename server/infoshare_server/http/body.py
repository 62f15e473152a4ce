"""Read a request body within the node's size and time limits (413, 408).

Implements "Limits" of the partner-trust issue (docs/operator-guide.md, "Rate
limits and timeouts"): a body is never held in memory beyond
``limits.max_content_length`` (plus one byte, to see that it is too long),
whether the client declares its length or streams it with chunked transfer
encoding; and it must arrive within ``limits.body_timeout`` seconds, so a
client that trickles its body a byte at a time holds a worker thread for a
bounded time, not forever.

The time limit is enforced by a watchdog timer: when it fires, the
connection's socket is shut down for reading, which wakes the blocked
``recv`` with end-of-file. On plain HTTP the request is then answered with
408 and gunicorn closes the connection; on HTTPS the connection is closed
without an answer (a TLS session cannot continue after a record cut short).
"""

from __future__ import annotations

import contextlib
import io
import socket
import ssl
import threading
import time
from typing import Any

from infoshare_server.http.errors import TaxiiError

#: How much is asked of the server's input stream at a time.
_STEP = 64 * 1024


class BodyTooLarge(TaxiiError):
    """413: the body is longer than the node accepts."""

    def __init__(self, limit: int, length: int | None = None) -> None:
        size = f"is {length} bytes" if length is not None else "is longer than that"
        super().__init__(
            f"the request body {size}; this node accepts at most {limit} bytes."
            " Send the objects in several smaller envelopes",
            413,
        )


class BodyTimeout(TaxiiError):
    """408: the body did not arrive in time."""

    def __init__(self, seconds: float) -> None:
        super().__init__(
            f"the request body did not arrive within {seconds:g} seconds; send it at once,"
            " or in several smaller envelopes",
            408,
        )


class BodyIncomplete(TaxiiError):
    """400: the body ended early or its chunked framing is broken."""

    def __init__(self, declared: int | None, received: int) -> None:
        if declared is None:
            message = (
                f"the chunked request body is malformed or was cut short after {received}"
                " bytes; send the whole body"
            )
        else:
            message = (
                f"the request body ended after {received} of its {declared} declared bytes;"
                " send the whole body with a correct Content-Length"
            )
        super().__init__(message, 400)


def _shut_reading(sock: Any) -> None:
    """Make a blocked ``recv`` on ``sock`` return end-of-file.

    On plain TCP only reading is shut, so the 408 can still be written. A TLS
    record cut in the middle leaves the TLS session unusable, so a TLS
    connection is shut both ways: the client sees the connection close.
    """
    how = socket.SHUT_RDWR if isinstance(sock, ssl.SSLSocket) else socket.SHUT_RD
    # The plain socket method: SSLSocket.shutdown would first try a TLS close_notify.
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, how)


class _Watchdog:
    """Shuts a socket for reading when ``seconds`` have passed, unless cancelled first."""

    def __init__(self, sock: Any, seconds: float) -> None:
        self.fired = False
        self._sock = sock
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True

    def _fire(self) -> None:
        self.fired = True
        _shut_reading(self._sock)

    def __enter__(self) -> _Watchdog:
        if isinstance(self._sock, socket.socket):
            self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()


def read_body(environ: dict[str, Any], limit: int, timeout: float) -> bytes:
    """The request body of ``environ``, read within ``limit`` bytes and ``timeout`` seconds.

    Raises :class:`BodyTooLarge` (413), :class:`BodyTimeout` (408) or
    :class:`BodyIncomplete` (400). Afterwards ``environ`` serves the body from
    memory (``wsgi.input`` and ``CONTENT_LENGTH`` are replaced), so Flask and
    medallion read it as usual.
    """
    declared_text = environ.get("CONTENT_LENGTH") or None
    declared = int(declared_text) if declared_text is not None else None
    if declared is not None and declared > limit:
        raise BodyTooLarge(limit, declared)
    if declared is None and not environ.get("wsgi.input_terminated"):
        body = b""  # no length and no framing by the server: there is no body to read
    else:
        body = _read(environ, limit if declared is None else declared, timeout, declared)
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    environ.pop("HTTP_TRANSFER_ENCODING", None)
    return body


def _read(environ: dict[str, Any], limit: int, timeout: float, declared: int | None) -> bytes:
    stream = environ["wsgi.input"]
    want = limit + 1 if declared is None else declared
    chunks: list[bytes] = []
    received = 0
    started = time.monotonic()
    with _Watchdog(environ.get("gunicorn.socket"), timeout) as watchdog:
        try:
            while received < want:
                chunk = stream.read(min(_STEP, want - received))
                if not chunk:
                    break
                chunks.append(chunk)
                received += len(chunk)
                if time.monotonic() - started > timeout:
                    raise BodyTimeout(timeout)
        except TaxiiError:
            raise
        except Exception as exc:  # whatever the server's stream raises: socket or framing
            if watchdog.fired:
                raise BodyTimeout(timeout) from None
            raise BodyIncomplete(declared, received) from exc
    if watchdog.fired:
        raise BodyTimeout(timeout)
    if declared is None and received > limit:
        raise BodyTooLarge(limit)
    if declared is not None and received < declared:
        raise BodyIncomplete(declared, received)
    return b"".join(chunks)
