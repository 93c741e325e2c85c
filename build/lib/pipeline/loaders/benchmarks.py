"""Epoch's Benchmarking Hub and LMArena → ``benchmark_facts`` → ``benchmark_scores``.

Facts are written as the sources state them; :func:`build_benchmark_scores` completes them on
every build, so a new Epoch models file improves the matches without fetching scores again:

- **accessibility**: the source's own statement (the ECI file's accessibility column, the
  Arena's licence) first; else the ECI file's entry for the same model version; else the
  matched Epoch release. Classified per model, never per organisation.
- **release date**: the source's; else a date written into the model key (a dated snapshot);
  else the same model key's date in Epoch's benchmark files; else the matched release's.
- **country**: the source's; else the matched release's; else that of the organisation name in
  Epoch's releases.

Matching uses :func:`pipeline.transform.benchmarks.release_key`; when several releases share a
key, the one published closest to the score's date (else the earliest) is taken. A model a file
lists twice keeps its best score. Every choice has a full tiebreak, so the same inputs give the
same table whether it is built from nothing or over a previous database.
"""

from __future__ import annotations

import pyarrow as pa

from pipeline.errors import SourceError
from pipeline.loaders import RunContext, SourceResult
from pipeline.loaders.buffer import RowBuffer
from pipeline.sources.arena import fetch_arena
from pipeline.sources.contract import ContractError
from pipeline.sources.epoch import fetch_benchmarks, read_benchmark_zip
from pipeline.transform.benchmarks import (
    ECI_FILES,
    FACT_COLUMNS,
    Quarantined,
    arena_rows,
    benchmark_of,
    release_key,
    score_columns,
)
from pipeline.transform.benchmarks import score_row as benchmark_score_row

FACT_SCHEMA = pa.schema([
    ("source", pa.string()), ("benchmark", pa.string()), ("model", pa.string()), ("display_name", pa.string()),
    ("organization", pa.string()), ("country", pa.string()), ("countries", pa.list_(pa.string())),
    ("release_date", pa.date32()), ("score", pa.float64()), ("score_low", pa.float64()),
    ("score_high", pa.float64()), ("stderr", pa.float64()), ("metric", pa.string()),
    ("accessibility", pa.string()), ("accessibility_group", pa.string()), ("license", pa.string()),
    ("date_key", pa.date32()), ("release_key", pa.string()),
])
assert tuple(FACT_SCHEMA.names) == FACT_COLUMNS, "benchmark fact schema and transform disagree"

SOURCE = "benchmarks"
# The rows of `benchmark_facts` each source owns (constant SQL conditions, see Build.carry_over).
EPOCH_BENCHMARK_ROWS = "source IN ('eci', 'epoch', 'external')"
ARENA_ROWS = "source = 'arena'"


def load_epoch_benchmarks(ctx: RunContext) -> SourceResult:
    """Every score of Epoch's Benchmarking Hub archive into ``benchmark_facts``."""
    got = fetch_benchmarks(ctx.settings, ctx.progress)
    ctx.con.execute(f"DELETE FROM benchmark_facts WHERE {EPOCH_BENCHMARK_ROWS}")  # noqa: S608 - a constant
    buffer = RowBuffer(ctx.con, "benchmark_facts", FACT_SCHEMA)
    files = 0
    eci = False
    for bench_file in read_benchmark_zip(got.path):
        kind = benchmark_of(bench_file.member)
        if kind is None:
            if "additional_eci_data" not in bench_file.member:
                ctx.quarantine(SOURCE, bench_file.member[:200],
                               "not a benchmark file name we take (letters, digits and _ only)", None)
            continue
        cols = score_columns(bench_file.header, bench_file.rows)
        if cols is None:
            ctx.quarantine(SOURCE, bench_file.member, "no model or score column found",
                           ",".join(bench_file.header))
            continue
        files += 1
        eci = eci or kind[0] == "eci"
        for number, raw in enumerate(bench_file.rows, start=1):
            ctx.record.records_seen += 1
            row = benchmark_score_row(kind[0], kind[1], cols, raw)
            if row is None:
                continue  # a model listed without a score yet
            if isinstance(row, Quarantined):
                ctx.quarantine(SOURCE, f"{bench_file.member} row {number}", str(row), raw)
                continue
            buffer.add(row)
    buffer.flush()
    ctx.flush()
    if files == 0:
        raise ContractError("Epoch benchmarks archive holds no file with model and score columns")
    if not eci:
        raise ContractError(f"Epoch benchmarks archive has no Epoch Capabilities Index file with model and score "
                            f"columns (one of {', '.join(sorted(ECI_FILES))})")
    return SourceResult(SOURCE, got.url, buffer.written, got.fetched_at, got.changed_at, got.etag,
                        got.last_modified, detail=f"{files} benchmark files"
                        + ("; unchanged since last fetch (304)" if not got.changed else ""))


def load_arena(ctx: RunContext) -> SourceResult:
    """LMArena's text leaderboard (overall category) into ``benchmark_facts``."""
    leaderboard, catalog, files = fetch_arena(ctx.settings, ctx.progress)
    try:
        rows = arena_rows(leaderboard, catalog)
    except ValueError as exc:
        raise SourceError(f"LMArena: {exc}") from None
    ctx.con.execute(f"DELETE FROM benchmark_facts WHERE {ARENA_ROWS}")  # noqa: S608 - a constant
    buffer = RowBuffer(ctx.con, "benchmark_facts", FACT_SCHEMA)
    for row in rows:
        ctx.record.records_seen += 1
        if isinstance(row, Quarantined):
            ctx.quarantine("arena", None, str(row), None)
        else:
            buffer.add(row)
    buffer.flush()
    ctx.flush()
    board = files[0]
    return SourceResult("arena", board.url.rsplit("/", 1)[0] + "/", buffer.written, board.fetched_at,
                        max(f.changed_at for f in files), board.etag, board.last_modified,
                        detail="text leaderboard, overall category")


def build_benchmark_scores(ctx: RunContext) -> int:
    """Complete ``benchmark_facts`` into ``benchmark_scores`` (see the module docstring)."""
    con = ctx.con
    releases = con.execute("SELECT release_id, model FROM releases").fetchall()
    keys = pa.table({"release_id": [r[0] for r in releases], "key": [release_key(r[1]) for r in releases]})
    con.register("_release_keys", keys)
    try:
        con.execute("DELETE FROM benchmark_scores")
        con.execute("""
            INSERT INTO benchmark_scores BY NAME
            WITH rk AS (
                SELECT k.key, r.* FROM _release_keys k JOIN releases r USING (release_id) WHERE k.key IS NOT NULL
            ), eci AS (   -- the ECI file's statement about each model version (ties broken by name)
                SELECT model, first(accessibility ORDER BY accessibility NULLS LAST) AS accessibility,
                       first(accessibility_group ORDER BY accessibility NULLS LAST) AS accessibility_group
                FROM benchmark_facts WHERE source = 'eci' AND accessibility_group IS NOT NULL GROUP BY model
            ), dated AS ( -- release dates Epoch's benchmark files give each key
                SELECT release_key, min(release_date) AS release_date FROM benchmark_facts
                WHERE source <> 'arena' AND release_date IS NOT NULL GROUP BY release_key
            ), counts AS (
                SELECT model, count(DISTINCT benchmark) AS benchmark_count FROM benchmark_facts
                WHERE source IN ('epoch', 'external') GROUP BY model
            ), org_country AS (
                SELECT org, first(country ORDER BY n DESC, country) AS country FROM (
                    SELECT org, country, count(*) AS n FROM (
                        SELECT unnest(organizations) AS org, country FROM releases WHERE country IS NOT NULL)
                    GROUP BY org, country)
                GROUP BY org
            ), matched AS (
                SELECT f.*, rk.release_id AS m_release_id, rk.model AS m_model, rk.accessibility AS m_access,
                       rk.accessibility_group AS m_group, rk.country AS m_country, rk.countries AS m_countries,
                       rk.organization AS m_org, rk.publication_date AS m_date,
                       -- one row per model and benchmark: the release closest in time, then, when a
                       -- file lists the model twice, its best score (ties broken by every column)
                       row_number() OVER (
                           PARTITION BY f.source, f.benchmark, f.model
                           ORDER BY abs(date_diff('day', rk.publication_date,
                                                  coalesce(f.release_date, f.date_key, rk.publication_date))),
                                    rk.publication_date, rk.release_id, f.score DESC, f.display_name,
                                    f.release_date, f.stderr, f.score_low, f.score_high, f.organization,
                                    f.accessibility, f.metric) AS choice
                FROM benchmark_facts f LEFT JOIN rk ON rk.key = f.release_key
            )
            SELECT m.source, m.benchmark, m.model, m.display_name,
                   coalesce(m.organization, m.m_org) AS organization,
                   coalesce(m.country, m.m_country, oc.country) AS country,
                   CASE WHEN len(m.countries) > 0 THEN m.countries
                        WHEN m.m_countries IS NOT NULL AND len(m.m_countries) > 0 THEN m.m_countries
                        WHEN oc.country IS NOT NULL THEN [oc.country] ELSE [] END AS countries,
                   coalesce(m.release_date, m.date_key, d.release_date, m.m_date) AS release_date,
                   m.score, m.score_low, m.score_high, m.stderr, m.metric,
                   coalesce(m.accessibility, e.accessibility, m.m_access) AS accessibility,
                   coalesce(m.accessibility_group, e.accessibility_group, m.m_group) AS accessibility_group,
                   CASE WHEN m.accessibility_group IS NOT NULL THEN 'source'
                        WHEN e.accessibility_group IS NOT NULL THEN 'eci'
                        WHEN m.m_group IS NOT NULL THEN 'release' END AS accessibility_from,
                   m.license, m.m_release_id AS release_id, m.m_model AS release_model,
                   CASE WHEN m.source = 'eci' THEN coalesce(c.benchmark_count, 0) END AS benchmark_count
            FROM matched m
            LEFT JOIN eci e ON e.model = m.model AND m.source <> 'eci'
            LEFT JOIN dated d ON d.release_key = m.release_key AND m.source = 'arena'
            LEFT JOIN counts c ON c.model = m.model
            LEFT JOIN org_country oc ON oc.org = m.organization
            WHERE m.choice = 1
        """)
    finally:
        con.unregister("_release_keys")
    return con.execute("SELECT count(*) FROM benchmark_scores").fetchone()[0]
