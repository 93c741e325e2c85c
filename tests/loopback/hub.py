"""A loopback imitation of the Hugging Face Hub model API, faithful enough for the real client.

``huggingface_hub.HfApi(endpoint=server.url)`` runs against it unchanged: ``list_models``
(``GET /api/models`` with ``limit``, ``sort``, ``author``, ``search``, ``filter``,
``pipeline_tag``, repeated ``expand=`` keys and an opaque ``cursor``), ``model_info``
(``GET /api/models/{namespace}/{name}``, legacy ids without a namespace, ``/revision/{rev}``),
pagination through an absolute ``Link: <…>; rel="next"`` header, ``RateLimit`` headers on
every answer, a fixed-window quota answered with 429, and deterministic fault injection.

Data comes from a list of record dicts served verbatim (hand-written, possibly malformed
fixtures) or from :mod:`tests.synthetic` (``synthetic=N``), generated on the fly so that
memory stays flat at N = 3,000,000.

Protocol details the client side can rely on:

- page size = ``min(limit, max_page_size)`` (``max_page_size`` defaults to 1000, as on the
  Hub with ``expand``); no ``limit`` means ``max_page_size``. ``limit`` is *not* a total:
  the client stops reading (``list_models`` slices), the server keeps offering pages;
- next link: ``<http://127.0.0.1:PORT/api/models?{the first request's query without
  cursor}&cursor={cursor}>; rel="next"``, absent on the last page; the cursor is URL-safe
  base64 of a small JSON object (percent-encoded ``=`` padding included), stable for a given
  page, and bound to the sort and filters (another view's cursor gets a 400);
- pages are numbered from 0 (the request without a cursor is page 0) in the log and in
  ``page_faults``; requests are numbered from 0 in the log and in ``faults``;
- with ``expand``, items hold ``_id``, ``id`` and the expanded properties the record has;
  without it, the Hub's default list fields (the whole record with ``full``, ``cardData``
  or ``config``); ``model_info`` without ``expand`` returns the whole record;
- a listing whose ``expand`` asks for ``baseModels``, ``childrenModelCount`` or
  ``usedStorage`` (or for no model property at all) answers 400 with ``{"error": …}``, as the
  real Hub refuses them outside ``/api/models/{id}``: records may hold ``baseModels``, a listing
  never shows it;
- sorting is descending; records whose sort value is missing or of the wrong type come last,
  in their original order. In synthetic mode index order *is* ``createdAt`` descending;
  ``downloads``, ``likes`` and ``trendingScore`` are sorted exactly up to ``sort_limit``
  models (1,000,000), beyond that, and for ``lastModified``, index order is served;
- a missing model answers 404 ``{"error": "Repository not found"}`` with
  ``X-Error-Code: RepoNotFound``, which ``huggingface_hub`` raises as ``RepositoryNotFoundError``;
- every answer carries ``RateLimit: "api";r=<remaining>;t=<seconds to reset>`` and
  ``RateLimit-Policy: "fixed window";"api";q=<quota>;w=<window>``; over quota, a 429 with
  ``r=0``, the remaining ``t`` and ``Retry-After`` until the window resets.

Each behaviour copied from the real Hub, its source, and what is not imitated: ``HUB.md``
beside this file.

Fault kinds (see :mod:`tests.loopback` for specs): status codes, ``truncate``, ``short``,
``drop``, ``sleep:<s>``, plus ``badjson`` (a 200 whose body is not JSON), ``badlink`` (``Link:
<not a url>; rel="next"``) and ``offhost`` (a well-formed next link to ``127.0.0.2``, another
host, where nothing listens). How the stock client meets them: ``http_backoff`` retries 429
(waiting ``t + 1`` s), 5xx, ``drop`` and ``short`` (``RemoteProtocolError``); ``truncate`` and
``badjson`` raise ``ValueError`` from ``response.json()`` without a retry; ``badlink`` raises
``httpx2.UnsupportedProtocol``; ``offhost`` is *followed* and retried as a ``ConnectError``
for about 23 s before it raises, so a client that checks the next link's host avoids that.

``GET /_loopback/stats`` answers :meth:`HubServer.stats` as JSON (not logged, not rate
limited), for benchmarks that run the server in another process. In synthetic mode the next
page is built in a background thread while the client reads the current one (``prefetch``).

Example::

    >>> from huggingface_hub import HfApi
    >>> with HubServer(synthetic=2500, seed=1) as hub:
    ...     models = list(HfApi(endpoint=hub.url, token=False).list_models(sort="downloads", limit=1500))
    ...     len(models), hub.served_pages()
    (1500, [0, 1])

Run in its own process for benchmarks::

    python -m tests.loopback.hub --synthetic 3000000 --port 0   # prints its URL, serves until killed
"""

from __future__ import annotations

import argparse
import base64
import binascii
import gc
import math
import os
import signal
import subprocess
import sys
import threading
import time
import zlib
from array import array
from collections import Counter, OrderedDict, deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

import orjson

from tests.loopback import FaultPlan, FaultSpec, LoopbackServer, QuietHandler, parse_kind
from tests.synthetic import synthetic_downloads, synthetic_index, synthetic_model, synthetic_model_id

__all__ = ["DEFAULT_LIST_FIELDS", "SORTS", "HubProcess", "HubRequest", "HubServer", "spawn_hub"]

SORTS = ("createdAt", "downloads", "likes", "lastModified", "trendingScore")
"""Sort keys the imitation understands (all descending, like the Hub's default direction)."""
DEFAULT_LIST_FIELDS = (
    "_id", "id", "likes", "trendingScore", "private", "downloads", "tags", "pipeline_tag", "library_name",
    "createdAt",
)
"""Fields of a list item when no ``expand`` is asked for, as on the Hub."""
LISTING_EXPAND = (
    "author", "cardData", "config", "createdAt", "disabled", "downloads", "downloadsAllTime", "evalResults",
    "gated", "gguf", "inference", "inferenceProviderMapping", "lastModified", "library_name", "likes",
    "mask_token", "model-index", "pipeline_tag", "private", "safetensors", "sha", "siblings", "spaces", "tags",
    "transformersInfo", "trendingScore", "widgetData", "resourceGroup",
)
"""``expand`` values a listing accepts (the ``list_models`` docstring of huggingface_hub 2.4; see HUB.md)."""
SINGLE_MODEL_EXPAND = ("baseModels", "childrenModelCount", "usedStorage")
"""``expand`` values only ``/api/models/{id}`` accepts: a listing asking for one is refused with a 400
(huggingface_hub pull request #3182; see HUB.md)."""
_NUMERIC_SORTS = frozenset({"downloads", "likes", "trendingScore"})
_POPULARITY_SLOT = {"downloads": 0, "likes": 1, "trendingScore": 2}
_BAD_JSON = b'[{"_id": "0", "id": ,}]'
_PAGE_CACHE = 8  # serialised synthetic pages kept for retries and prefetch
_JSON = "application/json; charset=utf-8"


@dataclass(frozen=True)
class HubRequest:
    """One line of the request log.

    ``page`` is the 0-based page of a list request (``None`` otherwise or when the cursor was
    invalid); ``status`` is ``None`` when the connection was dropped; ``ok`` says whether a
    complete, parseable answer was delivered; ``items`` counts models in the body. Entries are
    written just before the answer is sent, so a client holding its answer finds its request
    logged; ``duration`` is the time spent preparing the answer.
    """

    index: int
    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    page: int | None
    model_id: str | None
    status: int | None
    fault: str | None
    ok: bool
    items: int
    bytes: int
    started: float
    duration: float

    @property
    def params(self) -> dict[str, list[str]]:
        """The query as ``{key: [values…]}``, e.g. ``{"expand": ["author", "createdAt"]}``."""
        out: dict[str, list[str]] = {}
        for key, value in self.query:
            out.setdefault(key, []).append(value)
        return out


@dataclass(frozen=True)
class _View:
    """Sort and filters of a listing; the cursor is bound to its key."""

    sort: str | None
    author: str | None
    search: str | None
    filters: tuple[str, ...]
    pipeline_tag: str | None

    @property
    def key(self) -> str:
        text = "\x1f".join([self.sort or "", self.author or "", self.search or "", self.pipeline_tag or "",
                            *self.filters])
        return f"{zlib.crc32(text.encode()):08x}"

    @property
    def filtered(self) -> bool:
        return bool(self.author or self.search or self.filters or self.pipeline_tag)

    def matches(self, record: Any) -> bool:
        """Whether a record passes the filters; malformed records fail quietly."""
        if not isinstance(record, dict):
            return False
        model_id = record.get("id")
        model_id = model_id if isinstance(model_id, str) else ""
        if self.author is not None:
            namespace = model_id.partition("/")[0] if "/" in model_id else None
            if namespace != self.author and record.get("author") != self.author:
                return False
        if self.search is not None and self.search.lower() not in model_id.lower():
            return False
        if self.pipeline_tag is not None and record.get("pipeline_tag") != self.pipeline_tag:
            return False
        if self.filters:
            tags = record.get("tags")
            have = set(tags) if isinstance(tags, list) and all(isinstance(t, str) for t in tags) else set()
            for key in ("library_name", "pipeline_tag"):
                if isinstance(record.get(key), str):
                    have.add(record[key])
            if not all(f in have for f in self.filters):
                return False
        return True

    def id_prefilter(self, model_id: str) -> bool:
        """The part of :meth:`matches` decidable from the id alone (cheap in synthetic mode)."""
        if self.author is not None and model_id.partition("/")[0] != self.author:
            return False
        return self.search is None or self.search.lower() in model_id.lower()


class _ListSource:
    """Records given by the caller, served verbatim; sorted views are cached per sort key."""

    synthetic = False

    def __init__(self, records: Iterable[Any]) -> None:
        self.records = list(records)
        self._orders: dict[str | None, Sequence[int]] = {}
        self._by_id: dict[str, Any] | None = None

    def __len__(self) -> int:
        return len(self.records)

    def order(self, sort: str | None) -> Sequence[int]:
        if sort not in self._orders:
            self._orders[sort] = range(len(self.records)) if sort is None else self._sorted(sort)
        return self._orders[sort]

    def _sorted(self, sort: str) -> list[int]:
        numeric = sort in _NUMERIC_SORTS
        present, missing = [], []
        for position, record in enumerate(self.records):
            value = record.get(sort) if isinstance(record, dict) else None
            if numeric:
                usable = isinstance(value, int | float) and not isinstance(value, bool) and value == value
            else:
                usable = isinstance(value, str)
            (present if usable else missing).append(position)
        # reverse=True keeps ties in their original order, like a stable descending sort.
        present.sort(key=lambda p: self.records[p][sort], reverse=True)
        return present + missing

    def get(self, position: int) -> Any:
        return self.records[position]

    def id_of(self, position: int) -> str | None:
        return None  # no cheaper than the record itself

    def find(self, model_id: str) -> Any | None:
        if self._by_id is None:
            self._by_id = {}
            for record in self.records:
                if isinstance(record, dict) and isinstance(record.get("id"), str):
                    self._by_id.setdefault(record["id"], record)
        return self._by_id.get(model_id)


class _SyntheticSource:
    """Records of :mod:`tests.synthetic`, addressed by index; nothing is materialised."""

    synthetic = True

    def __init__(self, count: int, seed: int, sort_limit: int, changed: tuple[float, str] | None = None) -> None:
        self.count = count
        self.seed = seed
        self.sort_limit = sort_limit
        self._orders: dict[str, Sequence[int]] = {}
        self._lock = threading.Lock()
        # A day on the Hub, for refresh benchmarks: a share of the models (spread by a hash of
        # their index) modified at one time, after every other record's `lastModified`.
        self.changed_at = changed[1] if changed else None
        self._changed: frozenset[int] = frozenset(
            i for i in range(count) if (i * 2654435761 + seed) % (1 << 32) < changed[0] * (1 << 32)
        ) if changed else frozenset()

    def __len__(self) -> int:
        return self.count

    def order(self, sort: str | None) -> Sequence[int]:
        if sort == "lastModified" and self._changed:
            with self._lock:  # the changed models first (the newest change), then index order
                if sort not in self._orders:
                    self._orders[sort] = array("I", [*sorted(self._changed),
                                                     *(i for i in range(self.count) if i not in self._changed)])
                return self._orders[sort]
        if sort not in _NUMERIC_SORTS or self.count > self.sort_limit:
            return range(self.count)  # index order is createdAt descending
        with self._lock:
            if sort not in self._orders:
                self._orders[sort] = self._sorted(sort)
            return self._orders[sort]

    def _sorted(self, sort: str) -> array:
        # One packed int per model (value descending, then index) keeps the sort cheap in memory.
        slot, shift = _POPULARITY_SLOT[sort], 32
        ceiling = (1 << 40) - 1
        keys = [
            ((ceiling - min(synthetic_downloads(i, self.seed, self.count)[slot], ceiling)) << shift) | i
            for i in range(self.count)
        ]
        keys.sort()
        return array("I", (k & 0xFFFFFFFF for k in keys))

    def get(self, position: int) -> dict:
        record = synthetic_model(position, self.seed, self.count)
        if position in self._changed:
            record["lastModified"], record["likes"] = self.changed_at, record["likes"] + 1
        return record

    def id_of(self, position: int) -> str | None:
        return synthetic_model_id(position, self.seed, self.count)

    def find(self, model_id: str) -> dict | None:
        index = synthetic_index(model_id, self.seed, self.count)
        return None if index is None else self.get(index)


class _Handler(QuietHandler):
    server_version = "loopback-hub/1.0"

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        self.server.owner.handle(self)

    def do_HEAD(self) -> None:  # noqa: N802
        self.server.owner.handle(self)


class HubServer(LoopbackServer):
    """Loopback Hub API on 127.0.0.1; a context manager serving from a thread.

    Args:
        records: record dicts served verbatim (malformed ones included), in their given order.
        synthetic: serve ``tests.synthetic`` records ``0 … synthetic-1`` instead.
        seed: seed of the synthetic records.
        quota, window: the fixed-window rate limit (requests per ``window`` seconds).
        faults: ``{request_index: kind}`` for single requests (0-based, all paths).
        page_faults: ``{page: spec}`` for list pages (0-based page numbers).
        model_faults: ``{model_id: spec}`` for ``model_info`` requests.
        max_page_size: the cap on ``limit`` (1000, as on the Hub).
        sort_limit: largest synthetic landscape sorted exactly by popularity.
        log_limit: keep only the last ``log_limit`` log entries (``None``: all).
        prefetch: in synthetic mode, build the next page while the client reads this one.

    Example::

        >>> with HubServer([{"_id": "1", "id": "a/b", "downloads": 3}], page_faults={0: "503"}) as hub:
        ...     import httpx2
        ...     httpx2.get(hub.url + "/api/models").status_code, httpx2.get(hub.url + "/api/models").json()
        (503, [{'_id': '1', 'id': 'a/b', 'downloads': 3}])
    """

    handler_class = _Handler

    def __init__(
        self,
        records: Iterable[Any] | None = None,
        *,
        synthetic: int | None = None,
        seed: int = 0,
        host: str = "127.0.0.1",
        port: int = 0,
        quota: int = 100_000,
        window: int = 300,
        faults: Mapping[int, str] | None = None,
        page_faults: Mapping[int, FaultSpec] | None = None,
        model_faults: Mapping[str, FaultSpec] | None = None,
        max_page_size: int = 1000,
        sort_limit: int = 1_000_000,
        log_limit: int | None = None,
        prefetch: bool = True,
        changed: tuple[float, str] | None = None,
    ) -> None:
        super().__init__(host, port)
        if records is not None and synthetic is not None:
            raise ValueError("give records or synthetic, not both")
        if quota < 0 or window < 1 or max_page_size < 1:
            raise ValueError("quota must be >= 0, window and max_page_size >= 1")
        self.source: _ListSource | _SyntheticSource = (
            _SyntheticSource(synthetic, seed, sort_limit, changed) if synthetic is not None
            else _ListSource(records or ())
        )
        self.quota = quota
        self.window = window
        self.max_page_size = max_page_size
        self.prefetch = prefetch
        self.log: deque[HubRequest] = deque(maxlen=log_limit)
        self._plan = FaultPlan()
        self.set_faults(faults, page_faults, model_faults)
        self._requests = 0
        self._window_index = 0
        self._window_used = 0
        self._stats: Counter[str] = Counter()
        self._cache: OrderedDict[tuple, tuple[bytes, int, int | None]] = OrderedDict()
        self._inflight: dict[tuple, Future] = {}
        self._executor: ThreadPoolExecutor | None = None

    # ------------------------------------------------------------------ configuration

    def set_faults(
        self,
        faults: Mapping[int, str] | None = None,
        page_faults: Mapping[int, FaultSpec] | None = None,
        model_faults: Mapping[str, FaultSpec] | None = None,
    ) -> None:
        """Replace the fault schedule (attempt counters start again from zero)."""
        by_key: dict[Any, FaultSpec] = {("page", p): s for p, s in (page_faults or {}).items()}
        by_key.update({("model", m): s for m, s in (model_faults or {}).items()})
        with self.lock:
            self._plan = FaultPlan(faults, by_key)

    def set_records(self, records: Iterable[Any]) -> None:
        """Serve a new list of records from now on (cursors of the old list become meaningless)."""
        with self.lock:
            self.source = _ListSource(records)
            self._cache.clear()

    def set_quota(self, quota: int, window: int | None = None) -> None:
        """Change the rate limit; the current window's count is kept."""
        with self.lock:
            self.quota = quota
            if window is not None:
                self.window = window

    # ------------------------------------------------------------------ log

    def stats(self) -> dict[str, int]:
        """Counters: ``requests``, ``pages_served``, ``models_served``, ``bytes_sent``, ``rate_limited``,
        ``faults_injected``, ``model_info`` (complete pages and models only count when ``ok``), and
        ``pages_built`` / ``page_build_us``: pages generated and serialised, prefetched ones
        included, and the time that took (the imitation's own cost, apart from sending).

        Also served as JSON at ``GET /_loopback/stats`` (not logged, not rate limited).
        """
        with self.lock:
            out = {k: 0 for k in ("pages_served", "models_served", "bytes_sent", "rate_limited",
                                  "faults_injected", "model_info", "pages_built", "page_build_us")}
            out.update(self._stats)
            out["requests"] = self._requests
            return out

    def entries(self) -> list[HubRequest]:
        """A snapshot of the request log."""
        with self.lock:
            return list(self.log)

    def served_pages(self) -> list[int]:
        """Pages delivered completely, in order: ``[0, 1, 2]`` after a clean three-page listing."""
        return [e.page for e in self.entries() if e.page is not None and e.ok]

    def page_requests(self, page: int) -> list[HubRequest]:
        """Every request that asked for ``page``, faults and retries included."""
        return [e for e in self.entries() if e.page == page]

    def reset_log(self) -> None:
        """Forget the log and counters (the rate-limit window is kept)."""
        with self.lock:
            self.log.clear()
            self._stats.clear()

    # ------------------------------------------------------------------ lifecycle

    def stop(self) -> None:
        super().stop()
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None

    # ------------------------------------------------------------------ request handling

    def _ratelimit(self) -> tuple[int, int, bool]:
        """(remaining, seconds to reset, limited) for a new request; call under the lock."""
        now = time.monotonic()
        elapsed = now - self.started_at
        window_index = int(elapsed // self.window)
        if window_index != self._window_index:
            self._window_index, self._window_used = window_index, 0
        reset = max(1, math.ceil((window_index + 1) * self.window - elapsed))
        if self._window_used >= self.quota:
            return 0, reset, True
        self._window_used += 1
        return self.quota - self._window_used, reset, False

    def _policy(self) -> str:
        return f'"fixed window";"api";q={self.quota};w={self.window}'

    def handle(self, h: _Handler) -> None:
        """Answer one request (called from the handler thread)."""
        started = time.monotonic()
        split = urlsplit(h.path)
        path = split.path
        if path == "/_loopback/stats":  # for benchmarks in another process; not logged, not limited
            h.send_body(200, orjson.dumps(self.stats()), {"Content-Type": _JSON})
            return
        query = tuple(parse_qsl(split.query, keep_blank_values=True))
        params: dict[str, list[str]] = {}
        for key, value in query:
            params.setdefault(key, []).append(value)

        page: int | None = None
        model_id: str | None = None
        key: tuple | None = None
        error: tuple[int, dict, dict[str, str]] | None = None
        view: _View | None = None
        offset = 0
        if path.rstrip("/") == "/api/models":
            view, offset, page, error = self._parse_listing(params)
            key = ("page", page) if page is not None else None
        elif path.startswith("/api/models/"):
            model_id = unquote(path[len("/api/models/"):]).strip("/")
            if "/revision/" in model_id:
                model_id = model_id.split("/revision/", 1)[0]
            key = ("model", model_id)
            error = self._model_query_error(params)
        else:
            error = (404, {"error": "Not Found"}, {})

        with self.lock:
            index = self._requests
            self._requests += 1
            remaining, reset, limited = self._ratelimit()
            kind = None if limited else self._plan.pick(index, key)
        headers = {
            "Content-Type": _JSON,
            "X-Request-Id": f"loopback-{index}",
            "RateLimit": f'"api";r={remaining};t={reset}',
            "RateLimit-Policy": self._policy(),
        }
        name, arg = parse_kind(kind) if kind else (None, 0.0)
        items, status, body = 0, 200, b""
        try:
            if limited:
                status, body = 429, orjson.dumps({"error": "You have exceeded the rate limit of the loopback Hub."})
                headers["Retry-After"] = str(reset)
            elif name == "drop":
                self._record(index, h, path, query, page, model_id, None, kind, False, 0, 0, started)
                h.drop()
                return
            elif name is not None and name.isdigit():
                status = int(name)
                body = orjson.dumps({"error": f"Injected {status} (loopback fault)"})
                if status == 429:
                    headers["RateLimit"] = '"api";r=0;t=1'
                    headers["Retry-After"] = "1"
            elif error is not None:
                status, payload, extra = error
                body = orjson.dumps(payload)
                headers.update(extra)
            elif view is not None:
                assert page is not None
                body, items, next_offset = self._list_page(view, offset, params)
                if next_offset is not None:
                    headers["Link"] = self._next_link(query, view, page + 1, next_offset)
            else:
                assert model_id is not None
                record = self.source.find(model_id)
                if record is None:
                    status, body = 404, orjson.dumps({"error": "Repository not found"})
                    headers["X-Error-Code"] = "RepoNotFound"
                    headers["X-Error-Message"] = "Repository not found"
                else:
                    body = orjson.dumps(_project(record, _keys(params, default=None)),
                                        option=orjson.OPT_NON_STR_KEYS)
                    items = 1
        except Exception as exc:  # a bug here must surface as a 500, not as a hung client
            status, body = 500, orjson.dumps({"error": f"loopback hub bug: {exc!r}"})
            kind = kind or "internal-error"

        if status == 200 and name == "sleep":
            time.sleep(arg)
        elif status == 200 and name == "badjson":
            body = _BAD_JSON
        elif status == 200 and name == "badlink":
            headers["Link"] = '<not a url>; rel="next"'
        elif status == 200 and name == "offhost" and view is not None:
            # Same next page, on a host where nothing listens (a client must refuse to follow it).
            link = headers.get("Link") or self._next_link(query, view, (page or 0) + 1, offset)
            headers["Link"] = link.replace(f"//{self.host}:", "//127.0.0.2:", 1)
        body_kind = name if name in ("truncate", "short") and status == 200 else None
        sent = h.body_size(body, body_kind, h.command == "HEAD")
        ok = status == 200 and name in (None, "sleep", "badlink", "offhost")
        # Log before sending: a client that has its answer must find the request in the log.
        self._record(index, h, path, query, page, model_id, status, kind, ok, items if ok else 0, sent, started)
        h.send_body(status, body, headers, kind=body_kind)

    def _parse_listing(self, params: dict[str, list[str]]) -> tuple[_View | None, int, int | None, Any]:
        def one(name: str) -> str | None:
            values = params.get(name)
            return values[-1] if values else None

        sort = one("sort")
        if sort is not None and sort not in SORTS:
            return None, 0, None, (400, {"error": f"Invalid sort parameter: {sort}"}, {})
        refused = [e for e in params.get("expand", ()) if e not in LISTING_EXPAND]
        if refused:
            return None, 0, None, (400, {"error": _expand_refusal(refused)}, {})
        view = _View(sort, one("author"), one("search"), tuple(params.get("filter", ())), one("pipeline_tag"))
        cursor = one("cursor")
        if cursor is None:
            return view, 0, 0, None
        decoded = _decode_cursor(cursor)
        if decoded is None or decoded[2] != view.key:
            return None, 0, None, (400, {"error": "Invalid cursor"}, {})
        page, offset, _ = decoded
        return view, offset, page, None

    def _model_query_error(self, params: dict[str, list[str]]) -> tuple[int, dict, dict[str, str]] | None:
        refused = [e for e in params.get("expand", ()) if e not in LISTING_EXPAND + SINGLE_MODEL_EXPAND]
        return (400, {"error": _expand_refusal(refused)}, {}) if refused else None

    def _page_size(self, params: dict[str, list[str]]) -> int:
        raw = params.get("limit")
        try:
            limit = int(raw[-1]) if raw else self.max_page_size
        except ValueError:
            limit = self.max_page_size
        return max(1, min(limit, self.max_page_size))

    def _list_page(self, view: _View, offset: int, params: dict[str, list[str]]) -> tuple[bytes, int, int | None]:
        size = self._page_size(params)
        keys = _keys(params)
        source = self.source
        if not source.synthetic:
            return self._build(source, view, offset, size, keys)
        key = (view.key, offset, size, keys)
        with self.lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
            future = self._inflight.get(key)
        if hit is None and future is not None:
            hit = future.result()
        if hit is None:
            hit = self._build(source, view, offset, size, keys)
            self._remember(key, hit)
        if self.prefetch and hit[2] is not None:
            self._prefetch(source, view, hit[2], size, keys)
        return hit

    def _build(self, source: Any, view: _View, offset: int, size: int,
               keys: tuple[str, ...] | None) -> tuple[bytes, int, int | None]:
        started = time.perf_counter()
        page = _build_page(source, view, offset, size, keys)
        took = time.perf_counter() - started
        with self.lock:
            self._stats["pages_built"] += 1
            self._stats["page_build_us"] += int(took * 1e6)
        return page

    def _remember(self, key: tuple, page: tuple[bytes, int, int | None]) -> None:
        with self.lock:
            self._cache[key] = page
            self._cache.move_to_end(key)
            while len(self._cache) > _PAGE_CACHE:
                self._cache.popitem(last=False)

    def _prefetch(self, source: Any, view: _View, offset: int, size: int, keys: tuple[str, ...] | None) -> None:
        key = (view.key, offset, size, keys)
        with self.lock:
            if key in self._cache or key in self._inflight:
                return
            if self._executor is None:
                self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hub-prefetch")

            def build() -> tuple[bytes, int, int | None]:
                try:
                    page = self._build(source, view, offset, size, keys)
                    self._remember(key, page)
                    return page
                finally:
                    with self.lock:
                        self._inflight.pop(key, None)

            self._inflight[key] = self._executor.submit(build)

    def _next_link(self, query: Sequence[tuple[str, str]], view: _View, page: int, offset: int) -> str:
        pairs = [(k, v) for k, v in query if k != "cursor"]
        pairs.append(("cursor", _encode_cursor(page, offset, view.key)))
        return f'<http://{self.host}:{self.port}/api/models?{urlencode(pairs)}>; rel="next"'

    def _record(self, index: int, h: _Handler, path: str, query: tuple, page: int | None, model_id: str | None,
                status: int | None, kind: str | None, ok: bool, items: int, sent: int, started: float) -> None:
        entry = HubRequest(index, h.command, path, query, page, model_id, status, kind, ok, items, sent, started,
                           time.monotonic() - started)
        with self.lock:
            self.log.append(entry)
            stats = self._stats
            stats["bytes_sent"] += sent
            if status == 429 and kind is None:
                stats["rate_limited"] += 1
            if kind is not None:
                stats["faults_injected"] += 1
            if ok and page is not None:
                stats["pages_served"] += 1
                stats["models_served"] += items
            elif ok and model_id is not None:
                stats["model_info"] += 1


# ---------------------------------------------------------------------- pages and cursors


def _keys(
    params: Mapping[str, list[str]], default: tuple[str, ...] | None = DEFAULT_LIST_FIELDS
) -> tuple[str, ...] | None:
    """Keys an item keeps: ``_id``, ``id`` and the expanded properties; with ``full``, ``cardData``
    or ``config`` (the client's older switches) the whole record (``None``); else ``default``."""
    if params.get("expand"):
        return tuple(dict.fromkeys(("_id", "id", *params["expand"])))
    if any(params.get(switch) for switch in ("full", "cardData", "config")):
        return None
    return default


def _project(record: Any, keys: tuple[str, ...] | None) -> Any:
    """The record restricted to ``keys`` it has (all of it for ``None``); non-dicts pass verbatim."""
    if keys is None or not isinstance(record, dict):
        return record
    return {k: record[k] for k in keys if k in record}


def _filter(source: Any, view: _View) -> Callable[[int], bool] | None:
    """A predicate on positions, or ``None`` when the view has no filters."""
    if not view.filtered:
        return None
    if source.synthetic and not (view.filters or view.pipeline_tag):
        # Author and search need only the id, which is much cheaper than the whole record.
        return lambda position: view.id_prefilter(source.id_of(position))
    return lambda position: view.matches(source.get(position))


def _build_page(source: Any, view: _View, offset: int, size: int,
                keys: tuple[str, ...] | None) -> tuple[bytes, int, int | None]:
    """Serialise one page from ``offset`` in the view's order: (body, item count, next offset)."""
    order = source.order(view.sort)
    total = len(order)
    keep = _filter(source, view)
    items = []
    i = offset
    while i < total and len(items) < size:
        position = order[i]
        i += 1
        if keep is None or keep(position):
            items.append(_project(source.get(position), keys))
    if keep is not None:  # move the cursor to the next match, so no empty last page is offered
        while i < total and not keep(order[i]):
            i += 1
    body = orjson.dumps(items, option=orjson.OPT_NON_STR_KEYS)
    return body, len(items), (i if i < total else None)


def _expand_refusal(values: Sequence[str]) -> str:
    single = [v for v in values if v in SINGLE_MODEL_EXPAND]
    if single:
        return f'"expand" value {single[0]} is not allowed when listing models'
    return f'"expand" must be one of the model properties, got {values[0]}'


def _encode_cursor(page: int, offset: int, view_key: str) -> str:
    # Opaque like the Hub's (base64 of JSON), but stable: the same page always gets the same cursor.
    return base64.urlsafe_b64encode(orjson.dumps({"p": page, "o": offset, "v": view_key})).decode()


def _decode_cursor(cursor: str) -> tuple[int, int, str] | None:
    try:
        data = orjson.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (binascii.Error, ValueError, orjson.JSONDecodeError):
        return None
    if not isinstance(data, dict):
        return None
    page, offset, view_key = data.get("p"), data.get("o"), data.get("v")
    if not (isinstance(page, int) and isinstance(offset, int) and isinstance(view_key, str)) or min(page, offset) < 0:
        return None
    return page, offset, view_key


# ---------------------------------------------------------------------- separate process


_ROOT = Path(__file__).resolve().parents[2]


@dataclass
class HubProcess:
    """A Hub imitation running in a child process (see :func:`spawn_hub`)."""

    url: str
    process: subprocess.Popen

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self, timeout: float = 5.0) -> None:
        """Terminate the child (SIGTERM, then SIGKILL after ``timeout``)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)
        if self.process.stdout is not None:
            self.process.stdout.close()

    def __enter__(self) -> HubProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def spawn_hub(
    *,
    synthetic: int | None = None,
    seed: int = 0,
    records_path: str | os.PathLike | None = None,
    quota: int | None = None,
    window: int | None = None,
    port: int = 0,
    extra_args: Sequence[str] = (),
    startup_timeout: float = 30.0,
) -> HubProcess:
    """Start ``python -m tests.loopback.hub`` in a child process and return its URL and handle.

    The child has its own interpreter (and GIL), so a benchmark measures the client, not the
    imitation competing with it.

    Example::

        >>> with spawn_hub(synthetic=10_000) as hub:
        ...     import httpx2
        ...     len(httpx2.get(hub.url + "/api/models?limit=5").json())
        5
    """
    args = [sys.executable, "-m", "tests.loopback.hub", "--port", str(port), "--seed", str(seed)]
    if synthetic is not None:
        args += ["--synthetic", str(synthetic)]
    if records_path is not None:
        args += ["--records", os.fspath(records_path)]
    if quota is not None:
        args += ["--quota", str(quota)]
    if window is not None:
        args += ["--window", str(window)]
    args += list(extra_args)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(_ROOT), env.get("PYTHONPATH")]))
    process = subprocess.Popen(args, cwd=_ROOT, env=env, stdout=subprocess.PIPE, text=True)
    # The child prints its URL once bound; a watchdog keeps a stuck child from hanging us.
    watchdog = threading.Timer(startup_timeout, process.kill)
    watchdog.start()
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
    finally:
        watchdog.cancel()
    if not line.startswith("http://"):
        process.kill()
        process.wait()
        raise RuntimeError(f"loopback hub did not start (exit code {process.returncode})")
    return HubProcess(line, process)


def _key_value(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep:
        raise argparse.ArgumentTypeError(f"expected KEY=KIND, got {text!r}")
    return key, value


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # SIGTERM ends serve_forever like Ctrl-C, closing the socket cleanly


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: serve until killed, printing the base URL on the first line of stdout."""
    parser = argparse.ArgumentParser(prog="python -m tests.loopback.hub", description=__doc__.splitlines()[0])
    parser.add_argument("--synthetic", type=int, help="serve this many tests.synthetic records")
    parser.add_argument("--records", help="serve the records of this JSON array file, verbatim")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--quota", type=int, default=100_000)
    parser.add_argument("--window", type=int, default=300)
    parser.add_argument("--max-page-size", type=int, default=1000)
    parser.add_argument("--fault", type=_key_value, action="append", default=[], metavar="REQUEST=KIND")
    parser.add_argument("--page-fault", type=_key_value, action="append", default=[], metavar="PAGE=SPEC",
                        help="SPEC is a kind, always:KIND, or comma-separated kinds for successive requests")
    parser.add_argument("--no-prefetch", action="store_true")
    parser.add_argument("--changed", metavar="SHARE@TIME",
                        help="synthetic: this share of the models modified at TIME (ISO), listed first by lastModified")
    args = parser.parse_args(argv)
    changed = None
    if args.changed:
        share, _, when = args.changed.partition("@")
        changed = (float(share), when)
    records = orjson.loads(Path(args.records).read_bytes()) if args.records else None
    page_faults: dict[int, FaultSpec] = {
        int(k): (v.split(",") if "," in v else v) for k, v in args.page_fault
    }
    server = HubServer(
        records, synthetic=args.synthetic, seed=args.seed, host=args.host, port=args.port, quota=args.quota,
        window=args.window, max_page_size=args.max_page_size, faults={int(k): v for k, v in args.fault},
        page_faults=page_faults, prefetch=not args.no_prefetch, log_limit=10_000, changed=changed,
    )
    server.bind()
    signal.signal(signal.SIGTERM, _interrupt)
    # Pages are thousands of short-lived acyclic dicts: in this process of its own, the default
    # GC thresholds would spend ~12% of the time scanning them.
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)
    print(server.url, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
