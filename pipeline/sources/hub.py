"""The Hugging Face Hub: the only module that talks to it.

Requests go through ``huggingface_hub``'s own HTTP layer (``http_backoff`` retries 429 as
the ``RateLimit`` / ``Retry-After`` headers say and 5xx with exponential backoff;
``hf_raise_for_status`` turns errors into its typed exceptions). Pagination follows the
absolute ``Link: <…>; rel="next"`` URLs the Hub sends, as ``huggingface_hub`` does, but page by
page so each page can be stored before the next is asked for: ``list_models`` cannot start
from a saved cursor, and resuming after a crash needs exactly that.

Two things ``http_backoff`` cannot see are retried here: a 200 whose body is not a complete
JSON array (truncated, garbled) and a ``Link`` header that is not a URL of this Hub.

Example::

    >>> client = HubClient(settings)                                   # doctest: +SKIP
    >>> for page in fetch_stream(client, PageStore(dir), top_models_stream(5000), progress):
    ...     print(len(page.records))
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlencode, urlsplit

import httpx2
import msgspec
import orjson
from huggingface_hub.utils import (
    HfHubHTTPError,
    RepositoryNotFoundError,
    build_hf_headers,
    hf_raise_for_status,
    http_backoff,
    parse_ratelimit_headers,
)

from pipeline.config import Settings
from pipeline.errors import RateLimitedError, SourceError, one_line
from pipeline.progress import Progress
from pipeline.sources.download import ensure_resolvable, short_url
from pipeline.sources.raw import PageStore

# --- What the pipeline asks of the Hub, and where the Hub documents that it may -------------
# Every parameter, expand value and sort the pipeline sends is defined here, with its source;
# tests/loopback/HUB.md lists the same facts from the imitation's side.
#
# - `GET /api/models` pages with `limit` up to 1,000 and follows the absolute
#   `Link: <…>; rel="next"` URL (huggingface_hub 2.4, `utils/_pagination.py`, `paginate`).
# - `expand` values a listing accepts: the `list_models` docstring of huggingface_hub 2.4
#   (`hf_api.py`, argument `expand`). `baseModels`, `childrenModelCount` and `usedStorage` are
#   refused in a listing and accepted only by `GET /api/models/{repo_id}` (huggingface_hub pull
#   request #3182, June 2025: "not allowed when listing models"; the `model_info` docstring
#   lists them). Lineage in a listing therefore comes from the `base_model:<relation>:<id>` and
#   `base_model:<id>` tags (and `cardData.base_model`), see pipeline/transform/lineage.py.
# - `sort` values: `downloads`, `likes`, `createdAt`, `lastModified`, `trendingScore`
#   (`ModelSort_T` and the `list_models` code of huggingface_hub 2.4, which maps `created_at` to
#   `createdAt` and `last_modified` to `lastModified`); the order is descending, and 2.x sends
#   no `direction`.
PAGE_SIZE = 1000
LISTING_EXPAND: tuple[str, ...] = (
    "author", "createdAt", "lastModified", "downloads", "downloadsAllTime", "likes", "trendingScore",
    "gated", "library_name", "pipeline_tag", "tags", "cardData", "safetensors", "gguf",
)
# The single-model endpoint takes the same fields plus the declared base models themselves.
MODEL_INFO_EXPAND: tuple[str, ...] = (*LISTING_EXPAND, "baseModels")
SORT_BY_DOWNLOADS = "downloads"
SORT_BY_CREATION = "createdAt"   # stable: new models go to the front, so a cursor never skips one
SORT_BY_MODIFICATION = "lastModified"  # a refresh reads the newest changes first and stops at the last run's
# A page is checked (complete, valid JSON, an array) without building its records: the
# transform workers parse them, and building them twice would cost the fetcher most of its time.
_PAGE = msgspec.json.Decoder(list[msgspec.Raw])
# Pace before the quota runs out: when this share of the window's quota (at least one request)
# is all that is left, wait for the window to reset rather than run into 429s.
RESERVE_SHARE = 0.02


@dataclass(frozen=True)
class Stream:
    """One paginated listing of the Hub: a scope and the query that lists it.

    ``key`` names its folder under the run's raw directory; ``max_models`` stops a top-N
    listing once N models have been read; ``stop_before`` (an ISO time) stops a listing sorted
    by ``lastModified`` after the first page that reaches back before it.
    """

    key: str
    scope: str  # top | org | full | changed
    params: tuple[tuple[str, str | int], ...]
    max_models: int | None = None
    stop_before: str | None = None


def top_models_stream(limit: int) -> Stream:
    """The ``limit`` most downloaded models (30-day downloads)."""
    return Stream("top", "top", (("sort", SORT_BY_DOWNLOADS), ("limit", min(PAGE_SIZE, limit))), max_models=limit)


def author_stream(author: str) -> Stream:
    """Every model of one Hub author, sorted by creation date so the cursor is stable."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", author)
    return Stream(f"org-{safe}", "org", (("author", author), ("sort", SORT_BY_CREATION), ("limit", PAGE_SIZE)))


def changed_stream(since: str) -> Stream:
    """Models changed (created or modified) since ``since``, newest change first: a refresh's
    listing, which stops at the previous run's high-water mark instead of reading the Hub."""
    return Stream("changed", "changed", (("sort", SORT_BY_MODIFICATION), ("limit", PAGE_SIZE)), stop_before=since)


def full_hub_stream() -> Stream:
    """Every model on the Hub, sorted by creation date so the cursor is stable."""
    return Stream("full", "full", (("sort", SORT_BY_CREATION), ("limit", PAGE_SIZE)))


@dataclass
class Page:
    number: int
    records: list  # each record's raw JSON (msgspec.Raw): parsed by whoever needs the fields
    from_checkpoint: bool


@dataclass
class WaitLog:
    """Rate-limit waits of a run: ours (pacing) and those ``http_backoff`` made on 429."""

    waits: int = 0
    seconds: float = 0.0
    retries: int = 0
    notes: list[str] = field(default_factory=list)


_WAIT = re.compile(r"Rate limited\. Waiting ([\d.]+)s")
_RETRY = re.compile(r"Retrying in ([\d.]+)s")


class _BackoffWatcher(logging.Handler):
    """Counts the waits ``http_backoff`` makes, from the log lines it writes while waiting.

    ``http_backoff`` reports its sleeps only through its logger; reading them keeps the single
    retry loop in ``huggingface_hub`` while still showing waits on the progress bars.
    """

    def __init__(self, waits: WaitLog, progress: Progress) -> None:
        super().__init__(logging.WARNING)
        self.waits, self.progress = waits, progress

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if m := _WAIT.search(text):
            self.waits.waits += 1
            self.waits.seconds += float(m.group(1))
            self.progress.message(f"Hub rate limit reached: waiting {float(m.group(1)):.0f}s as the Hub asks")
        elif m := _RETRY.search(text):
            self.waits.retries += 1
            self.progress.message(f"Hub request failed, retrying in {float(m.group(1)):.0f}s")


class HubClient:
    """Requests to one Hub endpoint, paced by its ``RateLimit`` headers.

    Example::

        >>> client = HubClient(load_settings())                   # doctest: +SKIP
        >>> client.model_info("deepseek-ai/DeepSeek-R1")["id"]
        'deepseek-ai/DeepSeek-R1'
    """

    def __init__(self, settings: Settings, progress: Progress | None = None) -> None:
        self.endpoint = settings.hub_endpoint
        self._netloc = urlsplit(self.endpoint).netloc
        self.timeout = settings.http_timeout
        self.retries = settings.http_retries
        self.progress = progress or Progress.quiet()
        # token=False when unset: never fall back to a token saved on the machine silently.
        self._headers = build_hf_headers(token=settings.hf_token or False, library_name="open-model-landscape")
        self._token = settings.hf_token  # only to mask it, should a server ever echo it back
        self.waits = WaitLog()
        self.requests = 0
        ensure_resolvable(self.endpoint, "Hub")

    @contextmanager
    def watching_backoff(self) -> Iterator[None]:
        """Route ``http_backoff``'s wait messages to our progress output while fetching."""
        logger = logging.getLogger("huggingface_hub.utils._http")
        handler = _BackoffWatcher(self.waits, self.progress)
        propagate = logger.propagate
        logger.addHandler(handler)
        logger.propagate = False  # its own console handler would print over the bars
        try:
            yield
        finally:
            logger.removeHandler(handler)
            logger.propagate = propagate

    def get(self, url: str, params: list[tuple[str, str | int]] | None = None) -> httpx2.Response:
        """GET with ``huggingface_hub``'s retries; errors become :class:`SourceError`."""
        self.requests += 1
        try:
            response = http_backoff(
                "GET", url, params=params, headers=self._headers, timeout=self.timeout,
                max_retries=self.retries,
            )
            self._pace(response)  # every answer spends quota, a 404 too
            hf_raise_for_status(response)
        except RepositoryNotFoundError:
            raise
        except HfHubHTTPError as exc:
            status = exc.response.status_code if exc.response is not None else None
            if status == 429:
                raise RateLimitedError(
                    f"the Hub kept answering 429 (rate limited) after {self.retries} retries"
                ) from None
            said = one_line(exc.server_message or "", secrets=(self._token,))
            raise SourceError(f"the Hub answered HTTP {status} for {short_url(url)}"
                              + (f": {said}" if said else "")) from None
        except httpx2.HTTPError as exc:
            raise SourceError(f"cannot reach the Hub at {self.endpoint}: {type(exc).__name__}: "
                              f"{one_line(exc, secrets=(self._token,))}") from None
        return response

    def _pace(self, response: httpx2.Response) -> None:
        info = parse_ratelimit_headers(response.headers)
        if info is None:
            return
        reserve = max(1, int((info.limit or 0) * RESERVE_SHARE))
        if info.remaining <= reserve:
            wait = float(info.reset_in_seconds) + 1
            self.waits.waits += 1
            self.waits.seconds += wait
            self.progress.message(
                f"Hub quota nearly used ({info.remaining} requests left): waiting {wait:.0f}s for the window to reset")
            time.sleep(wait)

    def list_page(self, url: str, params: list[tuple[str, str | int]] | None = None) -> tuple[bytes, list, str | None]:
        """One page of ``/api/models``: (body, records, next URL).

        A body that is not a JSON array, or a ``Link`` that is not a URL of this Hub, is asked
        for again (with the same backoff as ``http_backoff``), then reported as a
        :class:`SourceError`: it means the page cannot be trusted, and a run must not go on
        without it.
        """
        problem = ""
        delay = 1.0
        for attempt in range(self.retries + 1):
            if attempt:
                self.waits.retries += 1
                self.progress.message(f"Hub page was unusable ({problem}); asking again in {delay:.0f}s")
                time.sleep(delay)
                delay = min(8.0, delay * 2)
            response = self.get(url, params)
            body = response.content
            try:
                records = _PAGE.decode(body)
            except msgspec.DecodeError as exc:
                problem = f"not a complete JSON array: {exc}"
                continue
            next_url = response.links.get("next", {}).get("url")
            if next_url is not None and not self._is_listing_url(next_url):
                problem = f"malformed Link header {next_url[:120]!r}"
                continue
            return body, records, next_url
        raise SourceError(f"the Hub sent an unusable page for {short_url(url)} {self.retries + 1} times: {problem}")

    def _is_listing_url(self, url: str) -> bool:
        try:
            parts = urlsplit(url)
        except ValueError:
            return False
        return (parts.scheme in ("http", "https") and parts.netloc == self._netloc
                and parts.path.rstrip("/").endswith("/api/models"))

    def model_info(self, repo_id: str) -> dict | None:
        """One model's record (the listing's fields plus ``baseModels``), or None when it does not exist."""
        url = f"{self.endpoint}/api/models/{repo_id}"
        try:
            response = self.get(url, [("expand", e) for e in MODEL_INFO_EXPAND])
        except RepositoryNotFoundError:
            return None
        try:
            record = orjson.loads(response.content)
        except orjson.JSONDecodeError:
            raise SourceError(f"the Hub sent invalid JSON for model {repo_id}") from None
        return record if isinstance(record, dict) else None


def first_url(client: HubClient, stream: Stream) -> str:
    """The URL of a stream's first page, with ``expand`` as repeated keys like the Hub expects."""
    query = list(stream.params) + [("expand", e) for e in LISTING_EXPAND]
    return f"{client.endpoint}/api/models?{urlencode(query)}"


def fetch_stream(client: HubClient, store: PageStore, stream: Stream, progress: Progress) -> Iterator[Page]:
    """Every page of ``stream``: first those already on disk, then fetched ones, each stored first.

    Pages read back from ``store`` are not fetched again, so a run that was killed resumes where
    it stopped. A top-N stream stops once N models have been yielded.
    """
    seen = 0
    next_url: str | None = first_url(client, stream)
    number = 0
    label = f"hub {stream.key}"
    with progress.counter(label, unit="pages") as bar:
        for stored in store.pages():
            try:
                records = _PAGE.decode(stored.body)
            except msgspec.DecodeError:
                break  # only complete pages are ever stored; be safe and fetch it again
            number = stored.number
            records = _cap(records, stream, seen)
            seen += len(records)
            next_url = stored.next_url
            bar.advance(1, models=seen, source="checkpoint")
            yield Page(number, records, from_checkpoint=True)
            if next_url is None or _done(stream, seen) or _reached(stream, records):
                return
        while next_url is not None and not _done(stream, seen):
            number += 1
            body, records, following = client.list_page(next_url)
            store.write(number, url=next_url, next_url=following, body=body)
            records = _cap(records, stream, seen)
            seen += len(records)
            next_url = following
            bar.advance(1, models=seen, waits=client.waits.waits, source="hub")
            yield Page(number, records, from_checkpoint=False)
            if _reached(stream, records):
                return


def _cap(records: list, stream: Stream, seen: int) -> list:
    if stream.max_models is None:
        return records
    return records[: max(0, stream.max_models - seen)]


def _reached(stream: Stream, records: list) -> bool:
    """Whether a page sorted by ``lastModified`` reaches back before the stream's ``stop_before``
    (a last record with no usable date counts as old: the Hub sorts those last)."""
    if stream.stop_before is None:
        return False
    if not records:
        return True
    last_record = records[-1]
    try:  # a page's records are msgspec.Raw (a buffer orjson reads through a memoryview)
        last = orjson.loads(last_record if isinstance(last_record, bytes | str) else memoryview(last_record))
        last = last.get("lastModified")
    except (orjson.JSONDecodeError, AttributeError):
        return True
    return not isinstance(last, str) or _utc(last) < _utc(stream.stop_before)


def _utc(stamp: str) -> datetime:
    """An ISO time as an aware UTC datetime (the Hub writes ``…Z``; a naive one is taken as UTC)."""
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _done(stream: Stream, seen: int) -> bool:
    return stream.max_models is not None and seen >= stream.max_models
