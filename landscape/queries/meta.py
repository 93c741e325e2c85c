"""Queries about the data itself: what is published, freshness, runs, filter options.

Shared by the dashboard (its frame and methodology page) and ``python -m pipeline status``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import pandas as pd

from pipeline.storage import table_counts

SOURCE_COLUMNS = ("source", "url", "fetched_at", "changed_at", "rows", "detail", "status", "error", "failed_at",
                  "run_id")
RUN_COLUMNS = ("run_id", "started_at", "finished_at", "status", "sources", "records_seen", "quarantined",
               "pages_fetched", "pages_reused", "rate_limit_waits", "error", "notes", "hub_requests")


@dataclass(frozen=True)
class DataState:
    """What the published database holds, for empty and partial states."""

    version: str | None
    published_at: str | None
    sources: dict[str, dict] = field(default_factory=dict)  # source id → its row of `sources`
    rows: dict[str, int] = field(default_factory=dict)      # table → rows

    @property
    def exists(self) -> bool:
        return self.version is not None

    def has(self, table: str) -> bool:
        return self.rows.get(table, 0) > 0


NOTHING_PUBLISHED = DataState(None, None)


def source_rows(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Every row of ``sources`` (timestamps as they are), by column name."""
    return [dict(zip(SOURCE_COLUMNS, r, strict=True)) for r in con.execute(
        f"SELECT {', '.join(SOURCE_COLUMNS)} FROM sources ORDER BY source").fetchall()]  # noqa: S608 - constants


def run_rows(con: duckdb.DuckDBPyConnection, limit: int) -> list[dict]:
    """The last ``limit`` runs, newest first, by column name."""
    return [dict(zip(RUN_COLUMNS, r, strict=True)) for r in con.execute(
        f"SELECT {', '.join(RUN_COLUMNS)} FROM runs ORDER BY started_at DESC LIMIT ?", [limit]).fetchall()]  # noqa: S608


def published_at(con: duckdb.DuckDBPyConnection) -> str | None:
    row = con.execute("SELECT value FROM meta WHERE key = 'published_at'").fetchall()
    return row[0][0] if row else None


def data_state(con: duckdb.DuckDBPyConnection, version: str) -> DataState:
    """Tables' row counts, sources and publish time."""
    sources = {row["source"]: {k: (str(v) if k.endswith("_at") and v is not None else v) for k, v in row.items()}
               for row in source_rows(con)}
    return DataState(version, published_at(con), sources, table_counts(con))


@dataclass(frozen=True)
class FilterOptions:
    """The values the sidebar offers for the filters whose choices come from the data, by filter key."""

    choices: dict[str, list[str]] = field(default_factory=dict)


def filter_options(con: duckdb.DuckDBPyConnection) -> FilterOptions:
    """Values the sidebar offers: countries, organisations and tasks present in the data."""
    countries = [r[0] for r in con.execute("""
        SELECT DISTINCT c FROM (
            SELECT unnest(countries) AS c FROM releases
            UNION ALL SELECT country FROM models UNION ALL SELECT origin_country FROM models
        ) WHERE c IS NOT NULL ORDER BY c
    """).fetchall()]
    # organisations and their groups (parents), the most downloaded or released first
    organizations = [r[0] for r in con.execute("""
        SELECT o FROM (
            SELECT organization AS o, sum(downloads_30d) AS weight FROM models
            WHERE organization IS NOT NULL GROUP BY 1
            UNION ALL SELECT organization_group, sum(downloads_30d) FROM models
            WHERE organization_group IS NOT NULL GROUP BY 1
            UNION ALL SELECT unnest(organizations), count(*) FROM releases GROUP BY 1
            UNION ALL SELECT unnest(organization_groups), count(*) FROM releases GROUP BY 1
        ) GROUP BY o ORDER BY sum(weight) DESC NULLS LAST, o LIMIT 500
    """).fetchall()]
    tasks = [r[0] for r in con.execute(
        "SELECT pipeline_tag FROM models WHERE pipeline_tag IS NOT NULL "
        "GROUP BY 1 ORDER BY count(*) DESC, 1").fetchall()]
    return FilterOptions({"country": countries, "org": organizations, "task": tasks})


def runs(con: duckdb.DuckDBPyConnection, limit: int = 20) -> pd.DataFrame:
    """The last ``limit`` runs as a table (newest first)."""
    return pd.DataFrame(run_rows(con, limit), columns=list(RUN_COLUMNS))


def sources(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The ``sources`` table."""
    return pd.DataFrame(source_rows(con), columns=list(SOURCE_COLUMNS))


def quarantine_summary(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute("""
        SELECT source, reason, count(*) AS records
        FROM quarantine WHERE run_id = (SELECT max(run_id) FROM runs WHERE status = 'published')
        GROUP BY ALL ORDER BY records DESC LIMIT 30
    """).df()
