"""Queries about the data itself: what is published, freshness, runs, filter options."""

from __future__ import annotations

import duckdb
import pandas as pd

from pipeline.storage import table_counts


def data_state(con: duckdb.DuckDBPyConnection, version: str):
    """Tables' row counts, sources and publish time (a :class:`dashboard.data.DataState`)."""
    from dashboard.data import DataState

    published = con.execute("SELECT value FROM meta WHERE key = 'published_at'").fetchone()
    sources = {
        r[0]: {"url": r[1], "fetched_at": r[2], "changed_at": r[3], "rows": r[4], "detail": r[5],
               "status": r[6], "error": r[7], "failed_at": r[8]}
        for r in con.execute(
            "SELECT source, url, CAST(fetched_at AS VARCHAR), CAST(changed_at AS VARCHAR), rows, detail, "
            "status, error, CAST(failed_at AS VARCHAR) FROM sources ORDER BY source").fetchall()
    }
    return DataState(version, published[0] if published else None, sources, table_counts(con))


def filter_options(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """Values the sidebar offers: countries, organisations and tasks present in the data."""
    countries = [r[0] for r in con.execute("""
        SELECT DISTINCT c FROM (
            SELECT unnest(countries) AS c FROM releases
            UNION ALL SELECT country FROM models UNION ALL SELECT origin_country FROM models
        ) WHERE c IS NOT NULL ORDER BY c
    """).fetchall()]
    organizations = [r[0] for r in con.execute("""
        SELECT o FROM (
            SELECT organization AS o, sum(downloads_30d) AS weight FROM models
            WHERE organization IS NOT NULL GROUP BY 1
            UNION ALL SELECT unnest(organizations), count(*) FROM releases GROUP BY 1
        ) GROUP BY o ORDER BY sum(weight) DESC NULLS LAST, o LIMIT 400
    """).fetchall()]
    tasks = [r[0] for r in con.execute(
        "SELECT pipeline_tag FROM models WHERE pipeline_tag IS NOT NULL "
        "GROUP BY 1 ORDER BY count(*) DESC, 1").fetchall()]
    return {"countries": countries, "organizations": organizations, "tasks": tasks}


def runs(con: duckdb.DuckDBPyConnection, limit: int = 20) -> pd.DataFrame:
    return con.execute("""
        SELECT run_id, status, sources, started_at, finished_at, records_seen, quarantined,
               pages_fetched, pages_reused, rate_limit_waits, error
        FROM runs ORDER BY started_at DESC LIMIT ?
    """, [limit]).df()


def sources(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(
        "SELECT source, url, fetched_at, changed_at, rows, detail, status, error, failed_at "
        "FROM sources ORDER BY source").df()


def quarantine_summary(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute("""
        SELECT source, reason, count(*) AS records
        FROM quarantine WHERE run_id = (SELECT max(run_id) FROM runs WHERE status = 'published')
        GROUP BY ALL ORDER BY records DESC LIMIT 30
    """).df()
