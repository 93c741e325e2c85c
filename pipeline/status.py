"""What ``python -m pipeline status`` reports: the published database, its runs and its freshness.

Example::

    >>> print(format_status(read_status(load_settings())))        # doctest: +SKIP
    database   data/landscape.duckdb (published 2026-11-23 07:02 UTC, 2 hours ago)
    …
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import orjson

from pipeline.config import Settings
from pipeline.errors import StorageError
from pipeline.runs import RunRecord, read_journal
from pipeline.storage import open_readonly, table_counts


@dataclass
class Status:
    db_path: str
    exists: bool
    published_at: datetime | None = None
    tables: dict[str, int] = field(default_factory=dict)
    runs: list[dict] = field(default_factory=list)
    sources: list[dict] = field(default_factory=list)
    unpublished: list[RunRecord] = field(default_factory=list)
    problem: str | None = None  # why the database cannot be read, when it cannot


def read_status(settings: Settings, last_runs: int = 5) -> Status:
    """Gather the status; never raises for a missing or damaged database (that is a status too)."""
    status = Status(str(settings.db_path), settings.db_path.exists())
    known: set[str] = set()
    if status.exists:
        try:
            known = _read_database(settings, status, last_runs)
        except StorageError as exc:
            status.problem = str(exc)
    status.unpublished = [r for r in read_journal(settings.raw_dir) if r.run_id not in known]
    return status


def _read_database(settings: Settings, status: Status, last_runs: int) -> set[str]:
    """Fill ``status`` from the published database; the run ids it records."""
    with open_readonly(settings.db_path) as con:
        row = con.execute("SELECT value FROM meta WHERE key = 'published_at'").fetchone()
        status.published_at = datetime.fromisoformat(row[0]) if row else None
        status.tables = table_counts(con)
        cols = ["run_id", "started_at", "finished_at", "status", "sources", "records_seen",
                "quarantined", "pages_fetched", "pages_reused", "rate_limit_waits", "error", "notes"]
        status.runs = [dict(zip(cols, r, strict=True)) for r in con.execute(
            f"SELECT {', '.join(cols)} FROM runs ORDER BY started_at DESC LIMIT ?", [last_runs]).fetchall()]  # noqa: S608
        known = {r[0] for r in con.execute("SELECT run_id FROM runs").fetchall()}
        scols = ["source", "url", "fetched_at", "changed_at", "rows", "detail", "status", "error", "failed_at"]
        status.sources = [dict(zip(scols, r, strict=True)) for r in con.execute(
            f"SELECT {', '.join(scols)} FROM sources ORDER BY source").fetchall()]  # noqa: S608
    return known


def _age(when: datetime | None, now: datetime) -> str:
    if when is None:
        return "never"
    seconds = (now - when).total_seconds()
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            n = int(seconds // size)
            return f"{n} {unit}{'s' if n > 1 else ''} ago"
    return "just now"


def _when(value: object) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(str(value))


def format_status(status: Status, now: datetime | None = None) -> str:
    """The human-readable report."""
    now = now or datetime.now(UTC)
    lines: list[str] = []
    if not status.exists:
        lines.append(f"database   {status.db_path}: none yet (run `python -m pipeline ingest`)")
    elif status.problem:
        lines.append(f"database   {status.problem}")
    else:
        published = _when(status.published_at)
        stamp = published.strftime("%Y-%m-%d %H:%M UTC") if published else "unknown"
        lines.append(f"database   {status.db_path}")
        lines.append(f"published  {stamp} ({_age(published, now)})")
        lines.append("")
        lines.append("rows per table")
        for table, n in status.tables.items():
            lines.append(f"  {table:<16} {n:>12,}")
        lines.append("")
        lines.append("freshness per source")
        if not status.sources:
            lines.append("  (no source fetched yet)")
        for s in status.sources:
            if s["fetched_at"] is None:
                lines.append(f"  {s['source']:<16} never fetched")
            else:
                fetched = _when(s["fetched_at"])
                changed = _when(s["changed_at"])
                lines.append(f"  {s['source']:<16} fetched {_age(fetched, now)}, content changed {_age(changed, now)}, "
                             f"{s['rows'] or 0:,} rows{' — ' + s['detail'] if s['detail'] else ''}")
            if s["status"] == "failed":
                lines.append(f"  {'':<16} last attempt FAILED {_age(_when(s['failed_at']), now)}: {s['error']}")
        lines.append("")
        lines.append("last runs")
        for r in status.runs:
            started = _when(r["started_at"])
            pages = f", {r['pages_fetched']} pages fetched, {r['pages_reused']} reused" if r["pages_fetched"] or r[
                "pages_reused"] else ""
            waits = f", {r['rate_limit_waits']} rate-limit waits" if r["rate_limit_waits"] else ""
            error = f": {r['error']}" if r["error"] else ""
            lines.append(f"  {r['run_id']}  {r['status']:<9} {r['sources']:<27} {r['records_seen'] or 0:,} records, "
                         f"{r['quarantined'] or 0:,} quarantined{pages}{waits} ({_age(started, now)}){error}")
            for note in orjson.loads(r["notes"]) if r["notes"] else []:
                lines.append(f"  {'':<24}note: {note}")
    if status.unpublished:
        lines.append("")
        lines.append("runs since the last publish (not in the database)")
        for r in status.unpublished[-5:]:
            lines.append(f"  {r.run_id}  {r.status:<9} {r.sources:<27} {r.error or ''}")
    return "\n".join(lines)
