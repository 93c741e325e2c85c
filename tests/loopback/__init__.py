"""Loopback servers that speak the real protocols of our sources, for tests and benchmarks.

No machine here can reach huggingface.co, epoch.ai or the Arena, so the real loading code is
pointed at these servers instead: :mod:`tests.loopback.hub` imitates the Hub API (driving the
real ``huggingface_hub`` client) and :mod:`tests.loopback.static` serves files with ``ETag``
and ``Last-Modified``. This module holds what both share: the threaded server base class and
the deterministic fault schedule.

Fault schedules
---------------
A fault *kind* is a string:

- ``"429"``, ``"500"``, ``"502"``, ``"503"``, ``"504"``, ``"404"`` … any 3-digit status: that
  status with a small JSON error body (429s carry ``RateLimit`` ``r=0;t=1`` and ``Retry-After: 1``);
- ``"truncate"``: a 200 whose body is cut in half, ``Content-Length`` matching what is sent;
- ``"short"``: a 200 that announces the full ``Content-Length``, sends half and closes;
- ``"drop"``: the connection is closed without any response;
- ``"sleep:<seconds>"``: the normal response, sent after a delay (for timeout tests);
- server-specific kinds (the Hub adds ``"badjson"``, ``"badlink"`` and ``"offhost"``).

A *spec* says when a kind applies to the requests of one key (a page, a model, a path):

- ``"503"``: the first request only; retries then succeed;
- ``["503", "503", None]`` (or :func:`burst`): one entry per successive request, ``None`` or
  ``""`` for a normal answer; requests past the end are normal;
- ``"always:truncate"``: every request, for testing the give-up path.

Faults keyed by the global request index (0-based, counting every request the server
receives) apply to that one request and take precedence over keyed ones.

Example::

    >>> plan = FaultPlan({1: "502"}, {"/a.csv": burst("503", 2)})
    >>> [plan.pick(i, "/a.csv") for i in range(4)]
    ['503', '502', None, None]
"""

from __future__ import annotations

import email.utils
import socket
import sys
import threading
import time
from collections.abc import Hashable, Mapping, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self

__all__ = ["FaultPlan", "FaultSpec", "LoopbackServer", "QuietHandler", "burst", "http_date", "parse_kind"]

FaultSpec = str | Sequence[str | None] | None
"""A kind for the first request, a list of kinds for successive requests, or ``"always:<kind>"``."""


def burst(kind: str, count: int) -> list[str]:
    """A spec failing the first ``count`` requests of a key with ``kind``.

    Example::

        >>> burst("503", 3)
        ['503', '503', '503']
    """
    return [kind] * count


def parse_kind(kind: str) -> tuple[str, float]:
    """Split ``"sleep:0.5"`` into ``("sleep", 0.5)``; other kinds get ``0.0``.

    Example::

        >>> parse_kind("sleep:2"), parse_kind("503")
        (('sleep', 2.0), ('503', 0.0))
    """
    name, _, arg = kind.partition(":")
    return name, float(arg) if arg else 0.0


def http_date(timestamp: float) -> str:
    """An IMF-fixdate for ``Last-Modified`` and friends.

    Example::

        >>> http_date(0)
        'Thu, 01 Jan 1970 00:00:00 GMT'
    """
    return email.utils.formatdate(timestamp, usegmt=True)


class FaultPlan:
    """A deterministic fault schedule: by global request index, and per key by attempt number.

    Not thread-safe on its own: servers call :meth:`pick` under their lock.

    Example::

        >>> plan = FaultPlan(by_key={("page", 3): "always:truncate"})
        >>> plan.pick(0, ("page", 3)), plan.pick(1, ("page", 3))
        ('truncate', 'truncate')
    """

    def __init__(
        self,
        by_request: Mapping[int, str] | None = None,
        by_key: Mapping[Hashable, FaultSpec] | None = None,
    ) -> None:
        self.by_request = dict(by_request or {})
        self.by_key = dict(by_key or {})
        self.attempts: dict[Hashable, int] = {}

    def pick(self, request_index: int, key: Hashable | None) -> str | None:
        """The fault kind for this request, counting it as one more attempt on ``key``."""
        attempt = None
        if key is not None:
            attempt = self.attempts.get(key, 0)
            self.attempts[key] = attempt + 1
        if request_index in self.by_request:
            return self.by_request[request_index] or None
        if key is None or key not in self.by_key:
            return None
        spec = self.by_key[key]
        if spec is None:
            return None
        if isinstance(spec, str):
            if spec.startswith("always:"):
                return spec[len("always:"):]
            return spec if attempt == 0 else None
        return (spec[attempt] or None) if attempt is not None and attempt < len(spec) else None


class QuietHandler(BaseHTTPRequestHandler):
    """HTTP/1.1 keep-alive handler that stays silent and tracks its socket for a clean stop."""

    protocol_version = "HTTP/1.1"  # keep-alive, so httpx and requests reuse connections
    disable_nagle_algorithm = True  # small header writes must not wait for delayed ACKs
    server: _ThreadingServer

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.untrack(self.connection)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass  # the servers keep their own structured request log

    def drop(self) -> None:
        """Close the connection without answering (the ``drop`` fault)."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    @staticmethod
    def body_size(body: bytes, kind: str | None, head: bool) -> int:
        """Bytes of body :meth:`send_body` will write, so the log can be written first."""
        if head:
            return 0
        return len(body) // 2 if kind in ("truncate", "short") else len(body)

    def send_body(self, status: int, body: bytes, headers: Mapping[str, str], *, kind: str | None = None) -> None:
        """Send a response, applying the body-level faults ``truncate`` and ``short``."""
        declared = len(body)
        if kind == "truncate":
            body = body[: len(body) // 2]
            declared = len(body)
        elif kind == "short":
            body = body[: len(body) // 2]  # declared stays the full length: the client sees EOF early
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(declared))
        if kind == "short":
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        if kind == "short":
            self.wfile.flush()
            self.drop()


class _ThreadingServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], owner: object) -> None:
        self.owner = owner
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(address, handler)

    def track(self, sock: socket.socket) -> None:
        with self._open_lock:
            self._open.add(sock)

    def untrack(self, sock: socket.socket) -> None:
        with self._open_lock:
            self._open.discard(sock)

    def handle_error(self, request: object, client_address: object) -> None:
        # A client that hangs up mid-answer (a killed ingest, a test's dropped connection) is part
        # of what these servers are for; anything else is still printed.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)

    def close_open_connections(self) -> None:
        with self._open_lock:
            socks = list(self._open)
        for sock in socks:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class LoopbackServer:
    """Base of the loopback servers: bind on 127.0.0.1 (port 0 = ephemeral), serve in a thread.

    Subclasses set :attr:`handler_class`; the handler reaches its server object through
    ``self.server.owner``. Use as a context manager, or call :meth:`start` and :meth:`stop`.
    """

    handler_class: type[QuietHandler] = QuietHandler

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port
        self.lock = threading.Lock()
        self._httpd: _ThreadingServer | None = None
        self._thread: threading.Thread | None = None
        self.started_at = time.monotonic()

    @property
    def url(self) -> str:
        """Base URL without a trailing slash, e.g. ``http://127.0.0.1:40123``."""
        if self._httpd is None:
            raise RuntimeError("server not started")
        return f"http://{self.host}:{self.port}"

    def bind(self) -> None:
        """Bind the socket (so :attr:`url` is known) without serving yet."""
        if self._httpd is None:
            self._httpd = _ThreadingServer((self.host, self.port), self.handler_class, self)
            self.port = self._httpd.server_address[1]

    def start(self) -> Self:
        """Bind and serve in a daemon thread; returns ``self``."""
        self.bind()
        if self._thread is None:
            assert self._httpd is not None
            self._thread = threading.Thread(
                target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True,
                name=f"{type(self).__name__}:{self.port}",
            )
            self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted (for ``python -m`` use)."""
        self.bind()
        assert self._httpd is not None
        try:
            self._httpd.serve_forever(poll_interval=0.2)
        finally:
            self._httpd.server_close()

    def stop(self) -> None:
        """Stop serving, close idle keep-alive connections and release the port."""
        if self._httpd is None:
            return
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
        self._httpd.close_open_connections()
        self._httpd.server_close()
        self._httpd = None
        self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
