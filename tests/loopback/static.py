"""A loopback static file server for the file sources (Epoch CSV and zip files, LMArena JSON).

Serves a mapping of path → bytes that a test may change while the server runs, with
``ETag`` (strong, from the content) and ``Last-Modified`` headers; honours ``If-None-Match``
(which wins, as in RFC 9110) and ``If-Modified-Since`` with 304; answers ``GET`` and ``HEAD``;
injects faults per request index or per path (kinds and specs as in :mod:`tests.loopback`:
status codes, ``truncate``, ``short``, ``drop``, ``sleep:<s>``); and logs every request.

Example::

    >>> import requests
    >>> with StaticServer({"/data/all_ai_models.csv": b"Model,Country\\nGPT-4,US\\n"}) as files:
    ...     first = requests.get(files.url_for("/data/all_ai_models.csv"))
    ...     again = requests.get(first.url, headers={"If-None-Match": first.headers["ETag"]})
    ...     first.status_code, again.status_code, files.entries()[1].conditional
    (200, 304, True)
"""

from __future__ import annotations

import email.utils
import hashlib
import mimetypes
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import unquote, urlsplit

from tests.loopback import FaultPlan, FaultSpec, LoopbackServer, QuietHandler, http_date, parse_kind

__all__ = ["StaticFile", "StaticRequest", "StaticServer"]


@dataclass(frozen=True)
class StaticFile:
    """One served file: content and the validators derived from it."""

    data: bytes
    etag: str
    last_modified: float  # epoch seconds, whole seconds (HTTP dates have no fractions)
    content_type: str


@dataclass(frozen=True)
class StaticRequest:
    """One line of the request log; ``status`` is ``None`` when the connection was dropped."""

    index: int
    method: str
    path: str
    status: int | None
    conditional: bool
    if_none_match: str | None
    if_modified_since: str | None
    fault: str | None
    bytes: int
    started: float


class _Handler(QuietHandler):
    server_version = "loopback-static/1.0"

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        self.server.owner.handle(self)

    def do_HEAD(self) -> None:  # noqa: N802
        self.server.owner.handle(self)


def _etag(data: bytes) -> str:
    return '"' + hashlib.sha256(data).hexdigest()[:32] + '"'


def _timestamp(value: float | datetime | None) -> float:
    if value is None:
        return float(int(time.time()))
    if isinstance(value, datetime):
        value = value.timestamp()
    return float(int(value))


def _normalise(path: str) -> str:
    return "/" + path.lstrip("/")


def _etag_matches(header: str, etag: str) -> bool:
    # Weak comparison, as RFC 9110 asks for If-None-Match: W/"x" matches "x".
    if header.strip() == "*":
        return True
    bare = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == bare for tag in header.split(","))


class StaticServer(LoopbackServer):
    """Loopback file server on 127.0.0.1 with validators, 304s, faults and a request log.

    Args:
        files: ``{path: bytes or str}``; paths are absolute URL paths (a missing leading ``/``
            is added). ``str`` content is encoded as UTF-8.
        faults: ``{request_index: kind}`` for single requests (0-based, all paths).
        path_faults: ``{path: spec}``, e.g. ``{"/benchmark_data.zip": burst("503", 2)}``.
        log_limit: keep only the last ``log_limit`` log entries (``None``: all).

    Example::

        >>> with StaticServer({"a.json": "[]"}, path_faults={"/a.json": "always:truncate"}) as files:
        ...     import requests
        ...     requests.get(files.url_for("a.json")).content
        b'['
    """

    handler_class = _Handler

    def __init__(
        self,
        files: Mapping[str, bytes | str] | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        faults: Mapping[int, str] | None = None,
        path_faults: Mapping[str, FaultSpec] | None = None,
        log_limit: int | None = None,
    ) -> None:
        super().__init__(host, port)
        self._files: dict[str, StaticFile] = {}
        for path, data in (files or {}).items():
            self.set_file(path, data)
        self.log: deque[StaticRequest] = deque(maxlen=log_limit)
        self._plan = FaultPlan()
        self.set_faults(faults, path_faults)
        self._requests = 0

    # ------------------------------------------------------------------ content

    def set_file(
        self,
        path: str,
        data: bytes | str,
        *,
        last_modified: float | datetime | None = None,
        content_type: str | None = None,
    ) -> StaticFile:
        """Add or replace a file; ``last_modified`` defaults to now (whole seconds).

        Replacing content with different bytes changes the ``ETag``; give ``last_modified``
        explicitly when a test needs ``If-Modified-Since`` to see the change within a second.
        """
        path = _normalise(path)
        raw = data.encode() if isinstance(data, str) else bytes(data)
        kind = content_type or mimetypes.guess_type(path)[0] or "application/octet-stream"
        entry = StaticFile(raw, _etag(raw), _timestamp(last_modified), kind)
        with self.lock:
            self._files[path] = entry
        return entry

    def remove_file(self, path: str) -> None:
        """Stop serving ``path`` (it answers 404 from now on)."""
        with self.lock:
            self._files.pop(_normalise(path), None)

    def file(self, path: str) -> StaticFile | None:
        """What ``path`` currently serves."""
        with self.lock:
            return self._files.get(_normalise(path))

    def url_for(self, path: str) -> str:
        """Absolute URL of ``path``, e.g. ``http://127.0.0.1:40123/data/all_ai_models.csv``."""
        return self.url + _normalise(path)

    def set_faults(self, faults: Mapping[int, str] | None = None,
                   path_faults: Mapping[str, FaultSpec] | None = None) -> None:
        """Replace the fault schedule (attempt counters start again from zero)."""
        with self.lock:
            self._plan = FaultPlan(faults, {_normalise(p): s for p, s in (path_faults or {}).items()})

    # ------------------------------------------------------------------ log

    def entries(self, path: str | None = None) -> list[StaticRequest]:
        """A snapshot of the request log, optionally for one path."""
        with self.lock:
            log = list(self.log)
        return log if path is None else [e for e in log if e.path == _normalise(path)]

    def stats(self) -> dict[str, int]:
        """Counters: ``requests``, ``ok`` (200), ``not_modified`` (304), ``faults_injected``, ``bytes_sent``."""
        log = self.entries()
        return {
            "requests": self._requests,
            "ok": sum(e.status == 200 and e.fault is None for e in log),
            "not_modified": sum(e.status == 304 for e in log),
            "faults_injected": sum(e.fault is not None for e in log),
            "bytes_sent": sum(e.bytes for e in log),
        }

    def reset_log(self) -> None:
        """Forget the log (request indices keep counting)."""
        with self.lock:
            self.log.clear()

    # ------------------------------------------------------------------ request handling

    def handle(self, h: _Handler) -> None:
        """Answer one request (called from the handler thread)."""
        started = time.monotonic()
        path = unquote(urlsplit(h.path).path)
        inm = h.headers.get("If-None-Match")
        ims = h.headers.get("If-Modified-Since")
        with self.lock:
            index = self._requests
            self._requests += 1
            kind = self._plan.pick(index, path)
            entry = self._files.get(path)
        name, arg = parse_kind(kind) if kind else (None, 0.0)

        def record(status: int | None, sent: int) -> None:
            line = StaticRequest(index, h.command, path, status, bool(inm or ims), inm, ims, kind, sent, started)
            with self.lock:
                self.log.append(line)

        if name == "drop":
            record(None, 0)
            h.drop()
            return
        if name == "sleep":
            time.sleep(arg)
        headers: dict[str, str] = {}
        if name is not None and name.isdigit():
            status, body = int(name), f'{{"error": "Injected {name} (loopback fault)"}}'.encode()
            headers["Content-Type"] = "application/json"
            if status == 429:
                headers["Retry-After"] = "1"
        elif entry is None:
            status, body = 404, b"Not Found"
            headers["Content-Type"] = "text/plain"
        else:
            headers["ETag"] = entry.etag
            headers["Last-Modified"] = http_date(entry.last_modified)
            headers["Content-Type"] = entry.content_type
            headers["Cache-Control"] = "max-age=0, must-revalidate"
            if self._not_modified(entry, inm, ims):
                record(304, 0)
                self._send_304(h, headers)
                return
            status, body = 200, entry.data
        body_kind = name if name in ("truncate", "short") and status == 200 else None
        # Log before sending: a client that has its answer must find the request in the log.
        record(status, h.body_size(body, body_kind, h.command == "HEAD"))
        h.send_body(status, body, headers, kind=body_kind)

    @staticmethod
    def _not_modified(entry: StaticFile, inm: str | None, ims: str | None) -> bool:
        if inm is not None:  # If-None-Match wins; If-Modified-Since is then ignored
            return _etag_matches(inm, entry.etag)
        if ims is None:
            return False
        try:
            since = email.utils.parsedate_to_datetime(ims).timestamp()
        except (TypeError, ValueError, IndexError, OverflowError):
            return False  # an unparseable date is ignored, as RFC 9110 says
        return entry.last_modified <= since

    @staticmethod
    def _send_304(h: _Handler, headers: dict[str, Any]) -> None:
        # A 304 has no body; announcing none keeps keep-alive clients in step.
        h.send_response(304)
        for name in ("ETag", "Last-Modified", "Cache-Control"):
            h.send_header(name, headers[name])
        h.end_headers()
