"""Download history from a public snapshot dataset on the Hub (``cfahlgren1/hub-stats`` by default).

The Hub's API gives a model's downloads over the last 30 days and its all-time total, nothing
older. hub-stats (Apache 2.0) commits a fresh ``models.parquet`` of every model on the Hub several
times a day since mid-2024, so its git history *is* a history of those counts. This module reads
it through ``huggingface_hub``:

- ``HfApi.list_repo_commits`` lists the commits (newest first), and :func:`pick_revisions` keeps
  one per week over the last ``weekly_days`` and one per month before (the latest of each);
- at each chosen revision, ``HfFileSystem`` opens the file and pyarrow reads **only the columns
  it needs** (``id``, ``downloads``, ``downloadsAllTime``, ``likes``): the Parquet footer first,
  then those column chunks, through HTTP range requests, never the whole file;
- the rows are kept for the models of our database only.

A revision whose file is missing, unreadable or lacks a needed column is skipped with a reason
(:class:`Skipped`); the others go on. Column names are those of the dataset's Parquet schema
(camelCase, as in the Hub's API); the snake_case spellings some versions used are read too.

Example::

    >>> commits = list_commits(settings)                                     # doctest: +SKIP
    >>> table = read_revision(settings, pick_revisions(commits, today)[0], ids)  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from huggingface_hub import HfApi, HfFileSystem
from huggingface_hub.errors import HfHubHTTPError

from pipeline.config import Settings
from pipeline.errors import SourceError, one_line

# the columns read, by the names we give them, with the names the dataset may use for each
COLUMNS: dict[str, tuple[str, ...]] = {
    "model_id": ("id",),
    "downloads_30d": ("downloads",),
    "downloads_all_time": ("downloadsAllTime", "downloads_all_time"),
    "likes": ("likes",),
}
REQUIRED = ("model_id", "downloads_30d")
# Bytes read ahead of each request: fsspec's default (5 MiB) would read most of a column chunk's
# neighbours too; a small block keeps a projected read to the columns it asks for.
BLOCK = 64 * 1024


@dataclass(frozen=True)
class Commit:
    id: str
    day: date      # the commit's date (UTC): the snapshot's date
    title: str


class Skipped(Exception):
    """A revision that cannot be read; the reason says why (one line)."""


def _api(settings: Settings) -> HfApi:
    return HfApi(endpoint=settings.hub_endpoint, token=settings.hf_token or False)


def list_commits(settings: Settings) -> list[Commit]:
    """Every commit of the dataset's main branch, newest first."""
    try:
        commits = _api(settings).list_repo_commits(settings.history_repo, repo_type="dataset")
    except (HfHubHTTPError, OSError) as exc:
        raise SourceError(f"history: cannot list the commits of {settings.history_repo}: {one_line(exc)}") from None
    return [Commit(c.commit_id, _utc_day(c.created_at), c.title or "") for c in commits]


def _utc_day(moment: datetime) -> date:
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC).date()


def pick_revisions(commits: Sequence[Commit], today: date, weekly_days: int = 365,
                   since: date | None = None) -> list[Commit]:
    """One commit per ISO week over the last ``weekly_days``, one per month before: the latest of
    each period (a full day's counts), oldest first; none before ``since``."""
    chosen: dict[tuple, Commit] = {}
    weekly_from = today - timedelta(days=weekly_days)
    for commit in sorted(commits, key=lambda c: (c.day, c.id)):
        if since is not None and commit.day < since:
            continue
        if commit.day >= weekly_from:
            iso = commit.day.isocalendar()
            key = ("week", iso.year, iso.week)
        else:
            key = ("month", commit.day.year, commit.day.month)
        chosen[key] = commit  # later commits of the same period replace earlier ones
    return sorted(chosen.values(), key=lambda c: c.day)


def read_revision(settings: Settings, commit: Commit, ids: pa.Array | None, projected: bool = True) -> pa.Table:
    """The needed columns of the dataset's file at ``commit``, for the models in ``ids`` (all when
    None). ``projected=False`` reads every column (the benchmark's comparison). Raises
    :class:`Skipped` when the revision cannot be used."""
    fs = HfFileSystem(endpoint=settings.hub_endpoint, token=settings.hf_token or False)
    path = f"datasets/{settings.history_repo}@{commit.id}/{settings.history_file}"
    try:
        # little read-ahead: pyarrow asks for the footer, then for the column chunks it reads
        with fs.open(path, "rb", block_size=BLOCK) as handle:
            parquet = pq.ParquetFile(handle)
            names = parquet.schema_arrow.names
            found = {ours: next((n for n in theirs if n in names), None) for ours, theirs in COLUMNS.items()}
            missing = [COLUMNS[c][0] for c in REQUIRED if found[c] is None]
            if missing:
                raise Skipped(f"{settings.history_file} has no column {', '.join(missing)}")
            wanted = [n for n in found.values() if n is not None]
            table = parquet.read(columns=wanted if projected else None)
    except Skipped:
        raise
    except FileNotFoundError:
        raise Skipped(f"no {settings.history_file} in this revision") from None
    except (OSError, pa.ArrowException, HfHubHTTPError, ValueError) as exc:
        raise Skipped(f"{settings.history_file} cannot be read: {one_line(exc, limit=160)}") from None
    try:
        out = pa.table({ours: (table[theirs] if ours == "model_id" else pc.cast(table[theirs], pa.int64()))
                        if theirs else pa.nulls(table.num_rows, pa.int64()) for ours, theirs in found.items()})
    except pa.ArrowException as exc:
        raise Skipped(f"{settings.history_file} has unexpected types: {one_line(exc, limit=160)}") from None
    if ids is not None:
        out = out.filter(pc.is_in(out["model_id"], value_set=ids))
    return out
