"""A loopback imitation of one Hub *dataset repository* with a history of commits, as
``huggingface_hub`` (``HfApi.list_repo_commits``, ``HfFileSystem``) and pyarrow read it.

What it copies, and from where, is in ``tests/loopback/HUB.md`` (section "Dataset
repositories"); in short:

- ``GET /api/datasets/{repo}/commits/{rev}``: the commits reachable from ``rev``, newest first,
  ``{id, title, message, authors: [{user}], date}``, in pages with an absolute ``Link: <…>;
  rel="next"`` (``?p=N``);
- ``GET /api/datasets/{repo}/revision/{rev}``: ``{id, sha, siblings: [{rfilename}], …}``;
- ``GET /api/datasets/{repo}/tree/{rev}[/{path}]``: ``[{type, path, size, oid}]``; ``POST
  /api/datasets/{repo}/paths-info/{rev}``: the same for the paths asked;
- ``GET|HEAD /datasets/{repo}/resolve/{rev}/{path}``: the file, with ``ETag``,
  ``X-Repo-Commit`` and ``Accept-Ranges: bytes``; a ``Range`` (``bytes=a-b``, ``a-``,
  ``-n``) answers ``206`` with exactly those bytes and ``Content-Range``; a range that starts past
  the end answers ``416``;
- an unknown repository, revision or file answers 404 with ``X-Error-Code``
  (``RepoNotFound``, ``RevisionNotFound``, ``EntryNotFound``), which the client maps to its errors.

Revisions are ``(commit id, date, title, {path: bytes})``, oldest first, each a whole tree. A
request log (method, path, range, bytes sent) lets tests and benchmarks count what was read.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

import orjson

from tests.loopback import LoopbackServer, QuietHandler

COMMITS_PER_PAGE = 50  # huggingface_hub follows the Link header whatever the page size


@dataclass
class Revision:
    commit: str
    date: str                      # ISO 8601, as the Hub writes commit dates
    title: str
    files: dict[str, bytes]


@dataclass
class DatasetRequest:
    method: str
    path: str
    range: str | None
    status: int
    sent: int


@dataclass
class _State:
    repo: str
    revisions: list[Revision]
    log: list[DatasetRequest] = field(default_factory=list)


def commit_id(n: int) -> str:
    """A 40-hex commit id for the n-th commit (stable across runs)."""
    return hashlib.sha1(f"commit-{n}".encode()).hexdigest()


class _Handler(QuietHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        self.server.owner.handle(self)

    def do_HEAD(self) -> None:  # noqa: N802
        self.server.owner.handle(self)

    def do_POST(self) -> None:  # noqa: N802
        self.server.owner.handle(self)


class DatasetRepoServer(LoopbackServer):
    """Serves one dataset repository's history (see the module)."""

    handler_class = _Handler

    def __init__(self, repo: str, revisions: list[Revision], host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(host, port)
        self.state = _State(repo, list(revisions))

    # --- what tests read -------------------------------------------------------------------
    def entries(self) -> list[DatasetRequest]:
        with self.lock:
            return list(self.state.log)

    def reset_log(self) -> None:
        with self.lock:
            self.state.log.clear()

    def bytes_sent(self, path_part: str = "/resolve/") -> int:
        return sum(e.sent for e in self.entries() if path_part in e.path)

    # --- the protocol ----------------------------------------------------------------------
    def _revision(self, rev: str) -> Revision | None:
        rev = unquote(rev)
        if rev == "main":
            return self.state.revisions[-1] if self.state.revisions else None
        return next((r for r in self.state.revisions if r.commit == rev), None)

    def handle(self, h: _Handler) -> None:
        parts = urlsplit(h.path)
        path = parts.path
        if h.command == "POST":
            length = int(h.headers.get("Content-Length") or 0)
            body = h.rfile.read(length) if length else b""
        else:
            body = b""
        api = f"/api/datasets/{self.state.repo}/"
        files = f"/datasets/{self.state.repo}/resolve/"
        if path.startswith(api):
            rest = path[len(api):]
            kind, _, tail = rest.partition("/")
            rev_text, _, sub = tail.partition("/")
            revision = self._revision(rev_text)
            if revision is None:
                return self._error(h, 404, "RevisionNotFound", f"Invalid rev id: {unquote(rev_text)}")
            if kind == "commits":
                return self._commits(h, revision, parse_qs(parts.query))
            if kind == "revision":
                return self._json(h, {"id": self.state.repo, "sha": revision.commit, "lastModified": revision.date,
                                      "siblings": [{"rfilename": p} for p in sorted(revision.files)]})
            if kind == "tree":
                return self._json(h, [self._entry(p, revision) for p in sorted(revision.files)
                                      if not sub or p == unquote(sub) or p.startswith(unquote(sub).rstrip("/") + "/")])
            if kind == "paths-info":
                asked = parse_qs(body.decode())
                wanted = asked.get("paths", [])
                if not wanted and body.startswith(b"{"):
                    wanted = orjson.loads(body).get("paths", [])
                return self._json(h, [self._entry(p, revision) for p in wanted if p in revision.files])
            return self._error(h, 404, None, "not an endpoint of this imitation")
        if path.startswith(files):
            rev_text, _, file_path = path[len(files):].partition("/")
            revision = self._revision(rev_text)
            if revision is None:
                return self._error(h, 404, "RevisionNotFound", f"Invalid rev id: {unquote(rev_text)}")
            data = revision.files.get(unquote(file_path))
            if data is None:
                return self._error(h, 404, "EntryNotFound", f"{unquote(file_path)} does not exist")
            return self._file(h, revision, data)
        if path.startswith("/api/datasets/") or path.startswith("/datasets/"):
            return self._error(h, 404, "RepoNotFound", "Repository not found")
        return self._error(h, 404, None, "not found")

    def _entry(self, path: str, revision: Revision) -> dict[str, Any]:
        data = revision.files[path]
        return {"type": "file", "path": path, "size": len(data), "oid": hashlib.sha1(data).hexdigest()}

    def _commits(self, h: _Handler, revision: Revision, query: dict[str, list[str]]) -> None:
        upto = self.state.revisions.index(revision)
        history = list(reversed(self.state.revisions[: upto + 1]))  # newest first
        page = int((query.get("p") or ["0"])[0])
        chunk = history[page * COMMITS_PER_PAGE:(page + 1) * COMMITS_PER_PAGE]
        items = [{"id": r.commit, "title": r.title, "message": "", "authors": [{"user": "hub-stats-bot"}],
                  "date": r.date} for r in chunk]
        headers = {}
        if (page + 1) * COMMITS_PER_PAGE < len(history):
            following = f"{self.url}{urlsplit(h.path).path}?p={page + 1}"
            headers["Link"] = f'<{following}>; rel="next"'
        self._json(h, items, headers)

    def _file(self, h: _Handler, revision: Revision, data: bytes) -> None:
        etag = '"' + hashlib.sha1(data).hexdigest() + '"'
        headers = {"ETag": etag, "X-Repo-Commit": revision.commit, "Accept-Ranges": "bytes",
                   "Content-Type": "application/octet-stream"}
        wanted = h.headers.get("Range")
        if wanted:
            match = re.fullmatch(r"bytes=(\d*)-(\d*)", wanted.strip())
            if not match or (match.group(1) == "" and match.group(2) == ""):
                return self._error(h, 416, None, "bad range", wanted)
            size = len(data)
            if match.group(1) == "":                      # the last n bytes
                start, end = max(0, size - int(match.group(2))), size - 1
            else:
                start = int(match.group(1))
                end = min(int(match.group(2)), size - 1) if match.group(2) else size - 1
            if start >= size or start > end:
                return self._error(h, 416, None, "range not satisfiable", wanted,
                                   {"Content-Range": f"bytes */{size}"})
            chunk = data[start:end + 1]
            headers["Content-Range"] = f"bytes {start}-{end}/{size}"
            self._record(h, 206, len(chunk), wanted)
            return h.send_body(206, chunk, headers)
        self._record(h, 200, len(data), None)
        h.send_body(200, data, headers)

    def _json(self, h: _Handler, value: Any, headers: dict[str, str] | None = None) -> None:
        body = orjson.dumps(value)
        self._record(h, 200, len(body), None)
        h.send_body(200, body, {"Content-Type": "application/json", **(headers or {})})

    def _error(self, h: _Handler, status: int, code: str | None, message: str, wanted: str | None = None,
               extra: dict[str, str] | None = None) -> None:
        body = orjson.dumps({"error": message})
        headers = {"Content-Type": "application/json", **({"X-Error-Code": code} if code else {}), **(extra or {})}
        self._record(h, status, len(body), wanted)
        h.send_body(status, body, headers)

    def _record(self, h: _Handler, status: int, sent: int, wanted: str | None) -> None:
        with self.lock:
            self.state.log.append(DatasetRequest(h.command, urlsplit(h.path).path, wanted, status,
                                                 0 if h.command == "HEAD" else sent))


def resolve_url(base: str, repo: str, revision: str, path: str) -> str:
    return f"{base}/datasets/{repo}/resolve/{quote(revision, safe='')}/{quote(path)}"
