"""Whole-file downloads over HTTP with ``requests``: the Epoch and LMArena sources use this.

One place for the rules every file source follows:

- a timeout on every request;
- retries with exponential backoff on network errors, 5xx and 429 (honouring
  ``Retry-After``), and on a body shorter than its ``Content-Length``;
- conditional GET: the ``ETag`` / ``Last-Modified`` of the cached copy are sent back, and a
  ``304 Not Modified`` reuses the cached file instead of downloading it again;
- the file is written to a temporary name and renamed, so the cache never holds half a file;
- a ``file://`` URL reads a local copy instead (an air-gapped machine, or the starter snapshot's
  build from the files in ``../shared/data/epoch/``), with the same cache and the same answer.

Example::

    >>> got = download(url, cache_dir, settings)              # doctest: +SKIP
    >>> got.path.read_bytes()[:10], got.changed
"""

from __future__ import annotations

import os
import shutil
import socket
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import formatdate
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import orjson
import requests

from pipeline.config import Settings
from pipeline.errors import SourceError, one_line
from pipeline.progress import Progress

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
MAX_WAIT = 60.0  # never sleep longer than this on a Retry-After, whatever the server says
USER_AGENT = "open-model-landscape (+https://github.com/; data pipeline)"


@dataclass(frozen=True)
class Downloaded:
    """A file fetched (or revalidated) from ``url``, stored at ``path``."""

    url: str
    path: Path
    changed: bool          # False when the server answered 304 and the cached copy was reused
    etag: str | None
    last_modified: str | None
    fetched_at: datetime
    changed_at: datetime   # when the content last changed, as far as we have seen
    size: int


def ensure_resolvable(url: str, label: str) -> None:
    """Fail fast, with a plain reason, when the host of ``url`` has no address.

    A name that does not resolve means no network or no DNS here, not a passing fault:
    retrying it with backoff would only make a user wait half a minute for the same answer.
    """
    host = urlsplit(url).hostname or ""
    try:
        socket.getaddrinfo(host, None)
    except (socket.gaierror, UnicodeError):
        raise SourceError(f"{label}: cannot resolve {host} (no network or DNS on this machine?)") from None


def _meta_path(cache_dir: Path) -> Path:
    return cache_dir / "meta.json"


def _load_meta(cache_dir: Path, url: str) -> dict | None:
    try:
        meta = orjson.loads(_meta_path(cache_dir).read_bytes())
    except (FileNotFoundError, orjson.JSONDecodeError):
        return None
    if meta.get("url") != url or not (cache_dir / meta.get("file", "")).is_file():
        return None  # another URL, or the cached file is gone: download afresh
    return meta


def _file_name(url: str) -> str:
    name = os.path.basename(urlsplit(url).path) or "download"
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in name)


def _wait_for(response: requests.Response | None, attempt: int) -> float:
    if response is not None:
        retry_after = response.headers.get("Retry-After", "").strip()
        if retry_after.isdigit():
            return min(MAX_WAIT, float(retry_after))
    return min(8.0, 2.0 ** attempt)


def download(url: str, cache_dir: Path, settings: Settings, progress: Progress | None = None,
             label: str = "download", session: requests.Session | None = None) -> Downloaded:
    """Fetch ``url`` into ``cache_dir`` unless the cached copy is still current.

    Raises :class:`SourceError` with a one-line reason when the file cannot be had.
    """
    progress = progress or Progress.quiet()
    if url.startswith("file://"):
        return _local(url, cache_dir, label)
    ensure_resolvable(url, label)
    session = session or requests.Session()
    cache_dir.mkdir(parents=True, exist_ok=True)
    meta = _load_meta(cache_dir, url)
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip"}
    if meta:
        if meta.get("etag"):
            headers["If-None-Match"] = meta["etag"]
        if meta.get("last_modified"):
            headers["If-Modified-Since"] = meta["last_modified"]

    problem = ""
    for attempt in range(settings.http_retries + 1):
        response: requests.Response | None = None
        try:
            response = session.get(url, headers=headers, timeout=settings.http_timeout, stream=True)
            if response.status_code == 304 and meta:
                response.close()
                now = datetime.now(UTC)
                _save_meta(cache_dir, {**meta, "fetched_at": now.isoformat()})
                return Downloaded(url, cache_dir / meta["file"], False, meta.get("etag"),
                                  meta.get("last_modified"), now,
                                  datetime.fromisoformat(meta["changed_at"]), (cache_dir / meta["file"]).stat().st_size)
            if response.status_code in RETRY_STATUSES:
                problem = f"HTTP {response.status_code}"
            elif response.status_code != 200:
                said = server_message(response)
                raise SourceError(f"{label}: {short_url(url)} answered HTTP {response.status_code}"
                                  + (f": {said}" if said else ""))
            else:
                return _store(url, response, cache_dir, label, progress)
        except SourceError:
            raise
        except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError,
                _IncompleteBody) as exc:
            problem = _reason(exc)
        finally:
            if response is not None:
                response.close()
        if attempt < settings.http_retries:
            wait = _wait_for(response, attempt)
            progress.message(f"{label}: {problem}; retrying in {wait:.0f}s "
                             f"[{attempt + 1}/{settings.http_retries}]")
            time.sleep(wait)
    raise SourceError(f"{label}: cannot fetch {short_url(url)} after {settings.http_retries + 1} attempts ({problem})")


def server_message(response: requests.Response, limit: int = 4096) -> str:
    """What the server said about an error, as one short line ("" when it said nothing useful).

    Reads at most ``limit`` bytes of the body: a JSON ``error`` or ``message`` field, else the
    text itself unless it is an HTML page (a proxy's error page says nothing a line could hold).
    """
    try:
        body = response.raw.read(limit, decode_content=True) if response.raw is not None else b""
    except (OSError, requests.RequestException, ValueError):
        return ""
    text = body.decode("utf-8", "replace").strip()
    if not text:
        return ""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        data = None
    if isinstance(data, dict):
        said = data.get("error") or data.get("message") or ""
        return one_line(said) if isinstance(said, str) else ""
    if "html" in response.headers.get("Content-Type", "").lower() or text.lstrip().startswith("<"):
        return ""
    return one_line(text)


class _IncompleteBody(Exception):
    pass


def _store(url: str, response: requests.Response, cache_dir: Path, label: str, progress: Progress) -> Downloaded:
    name = _file_name(url)
    tmp = cache_dir / (name + ".part")
    expected = response.headers.get("Content-Length")
    encoded = response.headers.get("Content-Encoding", "identity") != "identity"
    received = 0
    with open(tmp, "wb") as f, progress.counter(label, unit="kB") as bar:
        for chunk in response.iter_content(chunk_size=256 * 1024):
            f.write(chunk)
            received += len(chunk)
            bar.advance(len(chunk) // 1024)
    # urllib3 checks Content-Length of raw bytes itself; check again for identity bodies
    # so a short body is never cached as if it were the file.
    if expected and expected.isdigit() and not encoded and received != int(expected):
        tmp.unlink(missing_ok=True)
        raise _IncompleteBody(f"body ended after {received} of {expected} bytes")
    os.replace(tmp, cache_dir / name)
    now = datetime.now(UTC)
    meta = {
        "url": url, "file": name, "etag": response.headers.get("ETag"),
        "last_modified": response.headers.get("Last-Modified"),
        "fetched_at": now.isoformat(), "changed_at": now.isoformat(), "size": received,
    }
    _save_meta(cache_dir, meta)
    return Downloaded(url, cache_dir / name, True, meta["etag"], meta["last_modified"], now, now, received)


def _local(url: str, cache_dir: Path, label: str) -> Downloaded:
    """A ``file://`` URL: the file is copied into the cache (so a later change to it cannot change
    a run under way); unchanged when its size and modification time are those of the last copy."""
    source = Path(url2pathname(urlsplit(url).path))
    try:
        stat = source.stat()
    except OSError as exc:
        raise SourceError(f"{label}: cannot read {source}: {exc.strerror or exc}") from None
    cache_dir.mkdir(parents=True, exist_ok=True)
    stamp = formatdate(stat.st_mtime, usegmt=True)
    meta = _load_meta(cache_dir, url)
    now = datetime.now(UTC)
    if meta and meta.get("last_modified") == stamp and meta.get("size") == stat.st_size \
            and (cache_dir / meta["file"]).exists():
        _save_meta(cache_dir, {**meta, "fetched_at": now.isoformat()})
        return Downloaded(url, cache_dir / meta["file"], False, None, stamp, now,
                          datetime.fromisoformat(meta["changed_at"]), stat.st_size)
    name = _file_name(url)
    shutil.copyfile(source, cache_dir / (name + ".part"))
    os.replace(cache_dir / (name + ".part"), cache_dir / name)
    _save_meta(cache_dir, {"url": url, "file": name, "etag": None, "last_modified": stamp,
                           "fetched_at": now.isoformat(), "changed_at": now.isoformat(), "size": stat.st_size})
    return Downloaded(url, cache_dir / name, True, None, stamp, now, now, stat.st_size)


def _save_meta(cache_dir: Path, meta: dict) -> None:
    tmp = _meta_path(cache_dir).with_suffix(".tmp")
    tmp.write_bytes(orjson.dumps(meta, option=orjson.OPT_INDENT_2))
    os.replace(tmp, _meta_path(cache_dir))


def _reason(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    if isinstance(exc, requests.ConnectionError):
        if "refused" in text.lower():
            return "connection refused"
        if "reset" in text.lower() or "aborted" in text.lower() or "closed" in text.lower():
            return "connection closed by the server"
        return "connection failed"
    if isinstance(exc, requests.Timeout):
        return "timed out"
    return text[:160] or type(exc).__name__


def short_url(url: str) -> str:
    """``url`` without its query or fragment, for messages (a query could hold a token)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"
