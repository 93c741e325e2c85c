"""Dated snapshots of the published data, to download and to cite.

After each publish, ``write_archive`` exports the main datasets of the database (``models``,
``releases``, ``benchmarks``: every benchmark score, ``adoption-history``) as CSV and Parquet to
``<LANDSCAPE_EXPORTS_DIR>/<date>/`` with a ``manifest.json`` (rows, bytes and SHA-256 per file,
and the version of each source: when it was fetched, its ETag, its run) and a ``SHA256SUMS``
file that ``sha256sum -c`` reads. A second publish the same day replaces that day's folder. The
newest folder is also reachable at a stable name, ``latest`` (a symbolic link), and only the
newest ``LANDSCAPE_EXPORTS_KEEP`` dated folders are kept. A chart or an article can cite one
dated folder, as Our World in Data keeps archived versions of its charts.

Example::

    >>> archive = write_archive(load_settings())                  # doctest: +SKIP
    >>> [a.day for a in list_archives(load_settings())]           # doctest: +SKIP
    ['2026-11-29', '2026-11-28']
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import orjson

from landscape.datasets import FORMATS, export_dataset
from landscape.filters import Filters
from pipeline.config import Settings
from pipeline.storage import open_readonly

DATASETS = ("models", "releases", "benchmarks", "adoption-history")
LATEST = "latest"
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Archive:
    day: str
    path: Path
    files: list[dict]      # {"file", "dataset", "format", "rows", "bytes", "sha256"}
    sources: list[dict]    # the `sources` rows of the database it was written from
    published_at: str | None

    @property
    def bytes(self) -> int:
        return sum(f["bytes"] for f in self.files)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_archive(settings: Settings, day: str | None = None) -> Archive | None:
    """Export the published database to today's dated folder (see the module); None when
    ``LANDSCAPE_EXPORTS_KEEP`` is 0 or there is no database. Written to a temporary folder and
    renamed, so a folder that exists is always whole."""
    if settings.exports_keep <= 0 or not settings.db_path.exists():
        return None
    day = day or datetime.now(UTC).date().isoformat()
    root = settings.exports_dir
    root.mkdir(parents=True, exist_ok=True)
    work = root / f".{day}.writing"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    try:
        files = []
        for name in DATASETS:
            for fmt in FORMATS:
                path, rows = export_dataset(settings, name, fmt, work / f"{name}.{fmt}", Filters())
                files.append({"file": path.name, "dataset": name, "format": fmt, "rows": rows,
                              "bytes": path.stat().st_size, "sha256": _sha256(path)})
        with open_readonly(settings.db_path) as con:
            columns = ("source", "url", "fetched_at", "changed_at", "etag", "last_modified", "rows", "run_id")
            sources = [dict(zip(columns, (str(v) if v is not None else None for v in row), strict=True))
                       for row in con.execute(f"SELECT {', '.join(columns)} FROM sources ORDER BY source").fetchall()]  # noqa: S608
            published = con.execute("SELECT value FROM meta WHERE key = 'published_at'").fetchone()
        manifest = {"day": day, "published_at": published[0] if published else None, "files": files,
                    "sources": sources, "licence": "Epoch AI data: CC BY 4.0 (epoch.ai); Hugging Face Hub "
                                                   "metadata as the Hub's API gives it; LMArena as published"}
        (work / "manifest.json").write_bytes(orjson.dumps(manifest, option=orjson.OPT_INDENT_2))
        (work / "SHA256SUMS").write_text("".join(f"{f['sha256']}  {f['file']}\n" for f in files))
        target = root / day
        if target.exists():
            shutil.rmtree(target)
        os.replace(work, target)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    _point_latest(root, day)
    prune(settings)
    return read_archive(target)


def _point_latest(root: Path, day: str) -> None:
    link = root / LATEST
    tmp = root / f".{LATEST}.tmp"
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(day, target_is_directory=True)  # relative: the folder can move as a whole
    os.replace(tmp, link)


def prune(settings: Settings) -> list[str]:
    """Remove dated folders beyond the newest ``LANDSCAPE_EXPORTS_KEEP``; returns the days removed."""
    days = sorted((p.name for p in settings.exports_dir.iterdir() if p.is_dir() and not p.is_symlink()
                   and _DAY.match(p.name)), reverse=True) if settings.exports_dir.exists() else []
    removed = days[settings.exports_keep:]
    for day in removed:
        shutil.rmtree(settings.exports_dir / day)
    return removed


def read_archive(path: Path) -> Archive:
    raw = orjson.loads((path / "manifest.json").read_bytes())
    return Archive(raw["day"], path, raw["files"], raw["sources"], raw.get("published_at"))


def list_archives(settings: Settings) -> list[Archive]:
    """The dated folders, newest first (folders without a readable manifest are left out)."""
    if not settings.exports_dir.exists():
        return []
    found = []
    for path in sorted(settings.exports_dir.iterdir(), reverse=True):
        if path.is_dir() and not path.is_symlink() and _DAY.match(path.name):
            try:
                found.append(read_archive(path))
            except (OSError, ValueError, KeyError):
                continue
    return found


def verify(archive: Archive) -> list[str]:
    """The files of ``archive`` whose size or SHA-256 no longer match its manifest."""
    bad = []
    for f in archive.files:
        path = archive.path / f["file"]
        if not path.exists() or path.stat().st_size != f["bytes"] or _sha256(path) != f["sha256"]:
            bad.append(f["file"])
    return bad
