"""Looking one thing up: search, one organisation, one model.

Search reads ``search_entries``, a table the pipeline writes at every build (pipeline/derive.py):
one row per organisation, Epoch release and Hub model, with the lower-cased text it is found by.
A search scans that one narrow column with ``contains`` (exact and prefix matches ranked first,
then downloads) and keeps a top-N heap, never the models table with its dozens of columns.

The organisation and model functions read the published tables for one name or id; every value
is a bound parameter.

Example::

    >>> search(con, "longcat")                                    # doctest: +SKIP
       kind        key                              label  detail  downloads
"""

from __future__ import annotations

import duckdb
import pandas as pd

from pipeline.derive import bucket_sql

# A models row is one of the organisation's own (bound twice: the name): a row predicate, so that
# "built by others" needs no anti-join with the set of its models (hundreds of thousands at Hub scale).
_OWNED = "coalesce(organization = ? OR organization_group = ?, false)"
# The families headed by its models (bound twice): only roots with derivatives can head one, and
# ``family_roots`` holds just those rows (tens of thousands), so the set is found without reading
# ``models``' ids (pipeline/rollups.py).
_ITS_FAMILIES = "(SELECT model_id FROM family_roots WHERE organization = ? OR organization_group = ?)"
# A model's row found by its id, and the rows naming a base, through the build's key tables
# (pipeline.rollups.KEY_TABLES): one row group of keys, then one of ``models`` by rowid.
BY_ID = "model_keys k JOIN models m ON m.rowid = k.row"
BY_BASE = "base_keys k JOIN models m ON m.rowid = k.row"

KINDS = ("organization", "release", "model")  # how results are grouped, in this order
MIN_QUERY = 2  # characters: shorter fragments match nearly everything


def search(con: duckdb.DuckDBPyConnection, text: str, per_kind: int = 8) -> pd.DataFrame:
    """Entries whose text contains ``text`` (case-insensitive), at most ``per_kind`` of each kind,
    exact and prefix matches first, then by downloads. Columns ``kind``, ``key`` (the name or id a
    page takes), ``label``, ``detail``, ``downloads``. One scan of the table for all kinds."""
    needle = text.strip().lower()
    if len(needle) < MIN_QUERY:
        return pd.DataFrame(columns=["kind", "key", "label", "detail", "downloads"])
    # one scan, and a top-N heap per kind (max_by with n) rather than a sort of every hit: a
    # common fragment matches hundreds of thousands of models
    found = con.execute("""
        WITH hits AS (
            SELECT kind, key, label, detail, downloads,
                   (2 - CASE WHEN text = ? THEN 0 WHEN starts_with(text, ?) OR contains(text, '/' || ?) THEN 1
                             ELSE 2 END) * 1e15 + coalesce(downloads, 0) AS score
            FROM search_entries WHERE contains(text, ?)
        )
        SELECT kind, unnest(max_by({'key': key, 'label': label, 'detail': detail, 'downloads': downloads,
                                    'score': score}, score, ?), recursive := true)
        FROM hits GROUP BY kind
    """, [needle, needle, needle, needle, per_kind]).df()
    if found.empty:
        return pd.DataFrame(columns=["kind", "key", "label", "detail", "downloads"])
    order = {kind: i for i, kind in enumerate(KINDS)}
    found = found.assign(_kind=found["kind"].map(order)).sort_values(["_kind", "score", "key"],
                                                                      ascending=[True, False, True], kind="stable")
    return found[["kind", "key", "label", "detail", "downloads"]].reset_index(drop=True)


def organization_facts(con: duckdb.DuckDBPyConnection, name: str) -> pd.DataFrame:
    """The registry's facts on an organisation (or parent): one row per Hub namespace, with kind,
    country, parent and group; empty when no namespace is attributed to it."""
    return con.execute("""
        SELECT hf_author AS namespace, organization, kind, country, parent, organization_group AS "group", source
        FROM organizations WHERE organization = ? OR organization_group = ? ORDER BY lower(hf_author)
    """, [name, name]).df()


def organization_releases(con: duckdb.DuckDBPyConnection, name: str) -> pd.DataFrame:
    """Epoch releases of the organisation (or of the group it names), newest first."""
    return con.execute("""
        SELECT model, organization, publication_date, accessibility, accessibility_group, params,
               training_compute_flop, array_to_string(countries, ',') AS countries
        FROM releases WHERE list_contains(organizations, ?) OR list_contains(organization_groups, ?)
        ORDER BY publication_date DESC NULLS LAST, model
    """, [name, name]).df()


def organization_open_share(con: duckdb.DuckDBPyConnection, name: str) -> pd.DataFrame:
    """Per year, the open-weight share of the organisation's releases beside its countries' and
    the world's (releases of known accessibility). Columns ``year``, ``scope``, ``releases``,
    ``open_share_pct``."""
    return con.execute("""
        WITH r AS (SELECT year(publication_date) AS year, accessibility_group, organizations, organization_groups,
                          countries FROM releases WHERE publication_date IS NOT NULL AND accessibility_group IS NOT NULL),
        home AS (SELECT DISTINCT unnest(countries) AS c FROM r
                 WHERE list_contains(organizations, ?) OR list_contains(organization_groups, ?))
        SELECT year, scope, count(*) AS releases,
               round(100.0 * count(*) FILTER (WHERE accessibility_group = 'open') / count(*), 1) AS open_share_pct
        FROM (SELECT year, accessibility_group, 'organisation' AS scope FROM r
              WHERE list_contains(organizations, ?) OR list_contains(organization_groups, ?)
              UNION ALL SELECT year, accessibility_group, 'its countries' FROM r
              WHERE list_has_any(countries, (SELECT list(c) FROM home))
              UNION ALL SELECT year, accessibility_group, 'world' FROM r)
        GROUP BY 1, 2 ORDER BY 1, 2
    """, [name, name, name, name]).df()


def organization_hub(con: duckdb.DuckDBPyConnection, name: str, limit: int = 15) -> pd.DataFrame:
    """The organisation's Hub models (uploaded under its namespaces), most downloaded first."""
    return con.execute("""
        SELECT model_id, downloads_30d, downloads_all_time, likes, license_family, params, model_kind, created_at
        FROM models WHERE organization = ? OR organization_group = ?
        ORDER BY downloads_30d DESC NULLS LAST, model_id LIMIT ?
    """, [name, name, limit]).df()


def organization_hub_totals(con: duckdb.DuckDBPyConnection, name: str) -> pd.DataFrame:
    """Its Hub models, 30-day and all-time downloads, and the derivatives others built on them
    (by the builders' country bucket). Columns ``measure``, ``value``. Sums of the rollups
    (pipeline/rollups.py), which hold every model by organisation and group."""
    return con.execute(f"""
        WITH own AS (SELECT coalesce(sum(models), 0) AS n, coalesce(sum(downloads_30d), 0) AS d30,
                            coalesce(sum(downloads_all_time), 0) AS dall
                     FROM model_rollup WHERE organization = ? OR organization_group = ?),
        others AS (SELECT coalesce(sum(models), 0) AS n FROM derivative_rollup
                   WHERE rooted AND family IN {_ITS_FAMILIES} AND NOT {_OWNED})
        SELECT unnest(['models', '30-day downloads', 'all-time downloads', 'derivatives by others']) AS measure,
               unnest([own.n, own.d30, own.dall, others.n]::BIGINT[]) AS value
        FROM own, others
    """, [name] * 6).df()  # noqa: S608 - constants


def model_facts(con: duckdb.DuckDBPyConnection, model_id: str) -> pd.DataFrame:
    """One Hub model's row (empty when the id is not in the database)."""
    return con.execute(f"""
        SELECT m.model_id, author, organization, author_kind, country, origin_country, license, license_family,
               gated, params, params_source, downloads_30d, downloads_all_time, likes, pipeline_tag, library,
               created_at, base_model, base_relation, root_model, depth, model_kind, distilled, teacher_model,
               distill_evidence
        FROM {BY_ID} WHERE k.model_id = ?
    """, [model_id]).df()  # noqa: S608 - a constant


def model_chain(con: duckdb.DuckDBPyConnection, model_id: str, limit: int = 20) -> pd.DataFrame:
    """The model's lineage up to its root, following the first declared base hop by hop
    (cycle-safe, at most ``limit`` hops). Columns ``depth`` (0 = the model), ``model_id``,
    ``base_relation``, ``in_database``. One point lookup per hop: chains are short, and a
    recursive join would hash the whole models table at every step."""
    rows, seen, current = [], set(), model_id
    for depth in range(limit + 1):
        if current is None or current in seen:
            break
        seen.add(current)
        found = con.execute(f"SELECT base_model, base_relation FROM {BY_ID} WHERE k.model_id = ?",  # noqa: S608
                            [current]).fetchall()
        base, relation = found[0] if found else (None, None)
        rows.append({"depth": depth, "model_id": current, "base_relation": relation, "in_database": bool(found)})
        if not found:
            break
        current = base
    return pd.DataFrame(rows, columns=["depth", "model_id", "base_relation", "in_database"])


def model_children(con: duckdb.DuckDBPyConnection, model_id: str) -> pd.DataFrame:
    """Every model declaring this one as its base, most downloaded first: ``model_id``,
    ``base_relation``, ``country`` (the builder's bucket), ``author_kind``, ``downloads_30d``."""
    return con.execute(f"""
        SELECT model_id, base_relation, coalesce(uploader_bucket, '') AS country, author_kind, downloads_30d
        FROM {BY_BASE} WHERE k.base_model = ? ORDER BY downloads_30d DESC NULLS LAST, model_id
    """, [model_id]).df()  # noqa: S608 - a constant


def children_summary(children: pd.DataFrame) -> pd.DataFrame:
    """:func:`model_children` counted by relation and by the builders' country bucket."""
    if children.empty:
        return pd.DataFrame(columns=["relation", "country", "models", "downloads_30d"])
    return (children.assign(relation=children["base_relation"].fillna("unknown"),
                            downloads_30d=children["downloads_30d"].fillna(0))
            .groupby(["relation", "country"], as_index=False)
            .agg(models=("model_id", "count"), downloads_30d=("downloads_30d", "sum"))
            .sort_values(["models", "relation", "country"], ascending=[False, True, True], kind="stable")
            .reset_index(drop=True))


def model_history(con: duckdb.DuckDBPyConnection, model_id: str) -> pd.DataFrame:
    """The model's snapshots, oldest first."""
    return con.execute("""
        SELECT snapshot_date, downloads_30d, downloads_all_time, likes, source FROM model_snapshots
        WHERE model_id = ? ORDER BY snapshot_date
    """, [model_id]).df()


def suggestions(con: duckdb.DuckDBPyConnection, text: str, kind: str, limit: int = 5) -> list[str]:
    """Keys of ``kind`` close to ``text`` (by a fragment of it, else by edit distance), for a "not
    found" page."""
    needle = text.strip().lower()[:200]
    if not needle:
        return []
    return [r[0] for r in con.execute("""
        SELECT key FROM search_entries WHERE kind = ?
        ORDER BY CASE WHEN contains(text, ?) THEN 0 ELSE 1 END, jaro_winkler_similarity(text, ?) DESC, key LIMIT ?
    """, [kind, needle[:40], needle, limit]).fetchall()]


# --- comparing organisations ----------------------------------------------------------------------
MAX_COMPARED = 5


def compare_releases(con: duckdb.DuckDBPyConnection, names: list[str]) -> pd.DataFrame:
    """Per organisation asked and year: releases, open ones, and the open share (of known
    accessibility). Columns ``organization``, ``year``, ``releases``, ``open``, ``open_share_pct``."""
    return con.execute("""
        WITH asked AS (SELECT unnest(?::VARCHAR[]) AS name)
        SELECT a.name AS organization, year(r.publication_date) AS year, count(*) AS releases,
               count(*) FILTER (WHERE r.accessibility_group = 'open') AS open,
               round(100.0 * count(*) FILTER (WHERE r.accessibility_group = 'open')
                     / nullif(count(*) FILTER (WHERE r.accessibility_group IS NOT NULL), 0), 1) AS open_share_pct
        FROM asked a JOIN releases r
          ON list_contains(r.organizations, a.name) OR list_contains(r.organization_groups, a.name)
        WHERE r.publication_date IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2
    """, [names[:MAX_COMPARED]]).df()


def compare_capability(con: duckdb.DuckDBPyConnection, names: list[str]) -> pd.DataFrame:
    """Per organisation asked, its best Epoch Capabilities Index score so far at each release date,
    open and closed apart. Columns ``organization``, ``release_date``, ``group``, ``best``, ``model``."""
    return con.execute("""
        WITH asked AS (SELECT unnest(?::VARCHAR[]) AS name),
        scores AS (
            SELECT a.name AS organization, s.release_date, coalesce(s.accessibility_group, 'unknown') AS "group",
                   s.score, coalesce(s.display_name, s.model) AS model
            FROM asked a JOIN benchmark_scores s ON s.source = 'eci' AND s.release_date IS NOT NULL
            JOIN releases r ON r.release_id = s.release_id
             AND (list_contains(r.organizations, a.name) OR list_contains(r.organization_groups, a.name))
        )
        SELECT organization, release_date, "group",
               max(score) OVER (PARTITION BY organization, "group" ORDER BY release_date
                                ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS best, model
        FROM scores ORDER BY organization, "group", release_date
    """, [names[:MAX_COMPARED]]).df()


def compare_hub(con: duckdb.DuckDBPyConnection, names: list[str]) -> pd.DataFrame:
    """Per organisation asked and snapshot date: the 30-day downloads of its Hub models, and of the
    derivatives others built on them. Columns ``organization``, ``snapshot_date``, ``own``,
    ``derivatives``. Read from the history's rollups (pipeline/rollups.py), one of which keeps
    each derivative's family: the derivatives of an organisation's models are those whose root is one
    of them and whose uploader is none of the organisations asked."""
    asked = names[:MAX_COMPARED]
    return con.execute("""
        WITH asked AS (SELECT unnest(?::VARCHAR[]) AS name),
        heads AS (SELECT a.name, h.model_id FROM asked a JOIN family_roots h ON h.organization = a.name
                  UNION SELECT a.name, h.model_id FROM asked a JOIN family_roots h ON h.organization_group = a.name),
        own AS (SELECT a.name, r.snapshot_date, sum(r.downloads_30d) AS d FROM snapshot_rollup r, asked a
                WHERE r.organization = a.name OR r.organization_group = a.name GROUP BY 1, 2),
        derived AS (SELECT h.name, r.snapshot_date, sum(r.downloads_30d) AS d
                    FROM family_snapshot_rollup r JOIN heads h ON r.family = h.model_id
                    WHERE r.derivative AND NOT coalesce(list_contains(?::VARCHAR[], r.organization)
                                       OR list_contains(?::VARCHAR[], r.organization_group), false)
                    GROUP BY 1, 2)
        SELECT coalesce(o.name, x.name) AS organization, coalesce(o.snapshot_date, x.snapshot_date) AS snapshot_date,
               o.d::BIGINT AS own, coalesce(x.d, 0)::BIGINT AS derivatives
        FROM own o FULL JOIN derived x ON x.name = o.name AND x.snapshot_date = o.snapshot_date
        ORDER BY 1, 2
    """, [asked] * 3).df()


# --- more of one organisation -------------------------------------------------------------------
def organization_best_scores(con: duckdb.DuckDBPyConnection, name: str) -> pd.DataFrame:
    """Its best model on each benchmark (the capabilities index first), open and closed apart, with
    the model's release date. Columns ``source``, ``benchmark``, ``group``, ``model``,
    ``release_date``, ``score``."""
    return con.execute("""
        SELECT s.source, s.benchmark, coalesce(s.accessibility_group, 'unknown') AS "group",
               arg_max(coalesce(s.display_name, s.model), s.score) AS model,
               arg_max(s.release_date, s.score) AS release_date, max(s.score) AS score
        FROM benchmark_scores s JOIN releases r ON r.release_id = s.release_id
        WHERE list_contains(r.organizations, ?) OR list_contains(r.organization_groups, ?)
        GROUP BY 1, 2, 3 ORDER BY s.source <> 'eci', 1, 2, 3
    """, [name, name]).df()


def organization_licences(con: duckdb.DuckDBPyConnection, name: str) -> pd.DataFrame:
    """Its Hub models by licence family: models and 30-day downloads."""
    return con.execute("""
        SELECT license_family, count(*) AS models, coalesce(sum(downloads_30d), 0)::BIGINT AS downloads_30d
        FROM models WHERE organization = ? OR organization_group = ? GROUP BY 1 ORDER BY models DESC, 1
    """, [name, name]).df()


def organization_derivatives(con: duckdb.DuckDBPyConnection, name: str) -> pd.DataFrame:
    """Models others built on its models (their root is one of its), by the builders' country
    bucket and kind. Columns ``country``, ``kind``, ``models``, ``downloads_30d``. Read from the
    derivatives' rollup (pipeline/rollups.py): the bucket is the uploader's, from its country and kind."""
    return con.execute(f"""
        SELECT {bucket_sql("country", "author_kind")} AS country, coalesce(author_kind, 'unknown') AS kind,
               sum(models)::BIGINT AS models, coalesce(sum(downloads_30d), 0)::BIGINT AS downloads_30d
        FROM derivative_rollup WHERE rooted AND family IN {_ITS_FAMILIES} AND NOT {_OWNED}
        GROUP BY 1, 2 ORDER BY models DESC, 1, 2
    """, [name, name, name, name]).df()  # noqa: S608 - constants


def organization_distillation(con: duckdb.DuckDBPyConnection, name: str) -> pd.DataFrame:
    """Models tracked as distilled from its models (``direction`` = ``from it``), and its own
    models tracked as distilled from others' (``by it``). Read from ``distilled_rows``
    (pipeline/rollups.py), which holds every model naming a teacher and who owns the teacher."""
    # "its organisation or its group is the name" as two disjoint branches, each comparing one
    # column with the name: DuckDB applies such a comparison inside the scan and reads the long
    # columns (ids, evidence) of the rows kept only, where an OR over two columns reads them all
    listed = "model_id, teacher_model, distill_evidence, downloads_30d FROM distilled_rows"
    return con.execute(f"""
        SELECT 'from it' AS direction, {listed} WHERE teacher_owner = ? AND NOT {_OWNED}
        UNION ALL SELECT 'from it', {listed}
            WHERE teacher_owner_group = ? AND teacher_owner IS DISTINCT FROM ? AND NOT {_OWNED}
        UNION ALL SELECT 'by it', {listed} WHERE organization = ? AND coalesce(distilled, false)
        UNION ALL SELECT 'by it', {listed}
            WHERE organization_group = ? AND organization IS DISTINCT FROM ? AND coalesce(distilled, false)
        ORDER BY direction, downloads_30d DESC NULLS LAST, model_id
    """, [name] * 10).df()  # noqa: S608 - constants


def model_release(con: duckdb.DuckDBPyConnection, model_id: str) -> pd.DataFrame:
    """The Epoch release a Hub model is, when its namespace is the release's developer id and its
    name holds the release's (spaces as dashes): the release and its benchmark scores."""
    return con.execute(f"""
        WITH m AS (SELECT m.model_id, author FROM {BY_ID} WHERE k.model_id = ?),
        r AS (SELECT r.* FROM releases r, m
              WHERE lower(r.hf_developer_id) = lower(m.author)
                AND contains(lower(split_part(m.model_id, '/', 2)), lower(replace(r.model, ' ', '-')))
              ORDER BY length(r.model) DESC LIMIT 1)
        SELECT r.model, r.organization, r.publication_date, r.accessibility_group, s.source, s.benchmark, s.score
        FROM r LEFT JOIN benchmark_scores s ON s.release_id = r.release_id
        ORDER BY s.source <> 'eci', s.source, s.benchmark
    """, [model_id]).df()  # noqa: S608 - a constant
