"""LMArena's public leaderboard data: the only module that reads it.

Two files from the data folder ``LANDSCAPE_ARENA_URL`` points at (the ``lmarena/arena-catalog``
repository's ``data/``): ``leaderboard-text.json`` (scores with 95% bounds, per category) and
``scatterplot-data.json`` (organisation and licence per model). Fetched through
:func:`pipeline.sources.download.download`: timeouts, retries, conditional GET.

Example::

    >>> leaderboard, catalog, files = fetch_arena(settings)     # doctest: +SKIP
    >>> leaderboard["full"]["gemini-2.5-pro"]["rating"]
"""

from __future__ import annotations

from urllib.parse import urljoin

import orjson

from pipeline.config import Settings
from pipeline.errors import SourceError, one_line
from pipeline.progress import Progress
from pipeline.sources.contract import ContractError
from pipeline.sources.download import Downloaded, download

LEADERBOARD = "leaderboard-text.json"
CATALOG = "scatterplot-data.json"


def _json(got: Downloaded) -> object:
    try:
        return orjson.loads(got.path.read_bytes())
    except orjson.JSONDecodeError as exc:
        raise SourceError(f"LMArena {got.path.name} is not valid JSON: {one_line(exc.msg, limit=120)}") from None


def check_catalog(catalog: object) -> None:
    """The catalog must list models with their organisation and licence (the Arena's contract)."""
    wanted = {"model_api_name", "organization", "license"}
    if not isinstance(catalog, list) or not any(isinstance(e, dict) and wanted <= e.keys() for e in catalog):
        raise ContractError(f"LMArena {CATALOG} lacks entries with {', '.join(sorted(wanted))} (has its layout "
                            "changed?)")


def fetch_arena(settings: Settings, progress: Progress | None = None) -> tuple[object, object, list[Downloaded]]:
    """The leaderboard and the catalog, parsed, and the two downloads (for freshness)."""
    base = settings.arena_url if settings.arena_url.endswith("/") else settings.arena_url + "/"
    cache = settings.raw_dir / "cache"
    board = download(urljoin(base, LEADERBOARD), cache / "arena_leaderboard", settings, progress,
                     label="arena leaderboard")
    catalog = download(urljoin(base, CATALOG), cache / "arena_catalog", settings, progress, label="arena catalog")
    parsed = _json(catalog)
    check_catalog(parsed)
    return _json(board), parsed, [board, catalog]
