"""What ``python -m pipeline status`` reports: the published database, its runs and its freshness.

Example::

    >>> print(format_status(read_status(load_settings())))        # doctest: +SKIP
    database   data/landscape.duckdb (published 2026-11-23 07:02 UTC, 2 hours ago)
    …
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import duckdb
import orjson

from landscape.filters import Filters
from landscape.freshness import ago, moment
from landscape.queries import coverage, meta
from pipeline.activity import Activity, read_activity
from pipeline.config import Settings
from pipeline.errors import StorageError
from pipeline.rollups import COARSE_TABLES, KEY_TABLES, ROLLUP_TABLES, ROW_TABLES
from pipeline.runs import RunRecord, is_starter, read_journal
from pipeline.storage import open_readonly, table_counts


@dataclass
class Status:
    db_path: str
    exists: bool
    published_at: datetime | None = None
    tables: dict[str, int] = field(default_factory=dict)
    # what the build derives for the pages to read: the search entries, the rollups and row tables
    derived: dict[str, int] = field(default_factory=dict)
    runs: list[dict] = field(default_factory=list)
    sources: list[dict] = field(default_factory=list)
    unpublished: list[RunRecord] = field(default_factory=list)
    problem: str | None = None  # why the database cannot be read, when it cannot
    coverage: list[str] = field(default_factory=list)  # how much of the data has a country
    activity: Activity | None = None  # the last ingest's progress file (pipeline/activity.py)


DERIVED_TABLES: tuple[str, ...] = ("search_entries", *ROLLUP_TABLES, *COARSE_TABLES, *ROW_TABLES, *KEY_TABLES)


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
    status.activity = read_activity(settings)
    return status


def _read_database(settings: Settings, status: Status, last_runs: int) -> set[str]:
    """Fill ``status`` from the published database; the run ids it records."""
    with open_readonly(settings.db_path) as con:
        stamp = meta.published_at(con)
        status.published_at = datetime.fromisoformat(stamp) if stamp else None
        status.tables = table_counts(con)
        status.derived = table_counts(con, DERIVED_TABLES)
        status.runs = meta.run_rows(con, last_runs)
        known = {r[0] for r in con.execute("SELECT run_id FROM runs").fetchall()}
        status.sources = meta.source_rows(con)
        status.coverage = coverage_lines(con, status.tables)
    return known


def coverage_lines(con: duckdb.DuckDBPyConnection, tables: dict[str, int]) -> list[str]:
    """How much of the data has a country: Hub downloads by uploader and by origin, and releases."""
    lines = []
    if tables.get("models"):
        for basis, by in (("uploader", "by uploader"), ("origin", "by origin (root model's uploader)")):
            lines.append(coverage.describe(coverage.hub_coverage(con, Filters(), basis), "downloads_30d",
                                           f"Hub 30-day downloads {by}"))
    if tables.get("releases"):
        lines.append(coverage.describe(coverage.release_coverage(con, Filters()), "releases", "Epoch releases"))
    return [line for line in lines if line]


def format_status(status: Status, now: datetime | None = None) -> str:
    """The human-readable report."""
    now = now or datetime.now(UTC)
    lines: list[str] = []
    if not status.exists:
        lines.append(f"database   {status.db_path}: none yet (run `python -m pipeline ingest`)")
    elif status.problem:
        lines.append(f"database   {status.problem}")
    else:
        published = moment(status.published_at)
        stamp = published.strftime("%Y-%m-%d %H:%M UTC") if published else "unknown"
        lines.append(f"database   {status.db_path}")
        lines.append(f"published  {stamp} ({ago(published, now)})")
        lines.append("")
        lines.append("rows per table")
        for table, n in status.tables.items():
            lines.append(f"  {table:<20} {n:>12,}")
        if status.derived:
            lines.append("")
            lines.append("rows per table the build derives for the pages (search, rollups, row tables)")
            for table, n in status.derived.items():
                lines.append(f"  {table:<20} {n:>12,}")
        if status.coverage:
            lines.append("")
            lines.append("attribution (python -m pipeline registry unattributed lists what is missing)")
            lines.extend(f"  {line}" for line in status.coverage)
        lines.append("")
        lines.append("freshness per source")
        if not status.sources:
            lines.append("  (no source fetched yet)")
        for s in status.sources:
            if is_starter(s):
                lines.append(f"  {s['source']:<16} {s['detail']}, {s['rows'] or 0:,} rows (`ingest` fetches "
                             "current data)")
            elif s["fetched_at"] is None:
                lines.append(f"  {s['source']:<16} never fetched")
            else:
                fetched = moment(s["fetched_at"])
                changed = moment(s["changed_at"])
                lines.append(f"  {s['source']:<16} fetched {ago(fetched, now)}, content changed {ago(changed, now)}, "
                             f"{s['rows'] or 0:,} rows{' — ' + s['detail'] if s['detail'] else ''}")
            if s["status"] == "failed":
                lines.append(f"  {'':<16} last attempt FAILED {ago(moment(s['failed_at']), now)}: {s['error']}")
        lines.append("")
        lines.append("last runs")
        for r in status.runs:
            started = moment(r["started_at"])
            pages = f", {r['pages_fetched']} pages fetched, {r['pages_reused']} reused" if r["pages_fetched"] or r[
                "pages_reused"] else ""
            waits = f", {r['rate_limit_waits']} rate-limit waits" if r["rate_limit_waits"] else ""
            waits += f", {r['hub_requests']:,} Hub requests" if r["hub_requests"] else ""
            error = f": {r['error']}" if r["error"] else ""
            lines.append(f"  {r['run_id']}  {r['status']:<9} {r['sources']:<27} {r['records_seen'] or 0:,} records, "
                         f"{r['quarantined'] or 0:,} quarantined{pages}{waits} ({ago(started, now)}){error}")
            for note in orjson.loads(r["notes"]) if r["notes"] else []:
                lines.append(f"  {'':<24}note: {note}")
    if status.activity is not None and status.activity.running:
        lines.append("")
        lines.append(f"ingest under way since {ago(moment(status.activity.started_at), now)} (process "
                     f"{status.activity.pid}): {status.activity.describe(now)}")
    if status.unpublished:
        lines.append("")
        lines.append("runs since the last publish (not in the database)")
        for r in status.unpublished[-5:]:
            lines.append(f"  {r.run_id}  {r.status:<9} {r.sources:<27} {r.error or ''}")
    return "\n".join(lines)
