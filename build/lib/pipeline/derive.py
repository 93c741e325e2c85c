"""Tables derived on every build from the sources' facts: organisations and attributed models.

Attribution is recomputed on every build, never stored with the fetched facts, so a new Epoch
file or a corrected registry row changes the countries of every model at the next run,
whether or not the Hub was fetched again.

Countries: the Hub has no country field. A model's ``country`` is the country
of its uploader's organisation (Epoch's ``Hugging Face developer id`` column, overridden and
extended by ``data/registry/organizations.csv``); its ``origin_country`` is the country of
the organisation of its *root* model, so a Llama quantisation uploaded by a UK user counts as
US-origin.
"""

from __future__ import annotations

import duckdb

from pipeline.model_tree import resolve_roots
from pipeline.registry import RegistryRow


def build_organizations(con: duckdb.DuckDBPyConnection, registry: list[RegistryRow]) -> int:
    """Fill ``organizations`` from ``releases`` (Epoch) and the registry; returns the row count.

    From Epoch, each developer id takes its most frequent organisation string; the first
    organisation and first country listed there stand for it (Epoch lists the lead first).
    A registry row overrides Epoch's values where it has them, and adds ids Epoch lacks.
    """
    con.execute("DELETE FROM organizations")
    # Every choice breaks its ties by name, so the same releases always give the same rows,
    # whatever order they were loaded in.
    con.execute("""
        INSERT INTO organizations (hf_author, organization, country, is_intermediary, source, note)
        WITH rel AS (
            SELECT hf_developer_id AS id, lower(hf_developer_id) AS k, organization, country FROM releases
            WHERE hf_developer_id IS NOT NULL
        ), spellings AS (SELECT k, id, count(*) AS n FROM rel GROUP BY k, id),
        orgs AS (SELECT k, organization, count(*) AS n FROM rel WHERE organization IS NOT NULL GROUP BY k, organization),
        countries AS (SELECT k, country, count(*) AS n FROM rel WHERE country IS NOT NULL GROUP BY k, country)
        SELECT first(s.id ORDER BY s.n DESC, s.id),
               trim(split_part((SELECT first(o.organization ORDER BY o.n DESC, o.organization) FROM orgs o
                                WHERE o.k = s.k), ',', 1)),
               (SELECT first(c.country ORDER BY c.n DESC, c.country) FROM countries c WHERE c.k = s.k),
               false, 'epoch', 'from ' || sum(s.n) || ' Epoch releases'
        FROM spellings s GROUP BY s.k
    """)
    con.execute("CREATE OR REPLACE TEMP TABLE _registry (hf_author VARCHAR, organization VARCHAR, "
                "country VARCHAR, kind VARCHAR, source VARCHAR, note VARCHAR)")
    con.executemany("INSERT INTO _registry VALUES (?, ?, ?, ?, ?, ?)",
                    [(r.hf_author, r.organization, r.country, r.kind, r.source, r.note) for r in registry])
    # A registry row is a human judgement: it wins over Epoch, field by field, including an
    # explicit "no organisation" for individuals Epoch mis-attributed.
    con.execute("""
        INSERT OR REPLACE INTO organizations (hf_author, organization, country, is_intermediary, source, note)
        SELECT r.hf_author,
               CASE WHEN r.kind = 'lab' THEN coalesce(r.organization, o.organization) ELSE r.organization END,
               CASE WHEN r.kind = 'lab' THEN coalesce(r.country, o.country) ELSE r.country END,
               r.kind = 'intermediary', 'registry',
               concat_ws('; ', r.note, r.source)
        FROM _registry r LEFT JOIN organizations o ON lower(o.hf_author) = lower(r.hf_author)
    """)
    # the registry may spell an id differently from Epoch: keep one row per id, the registry's
    con.execute("""
        DELETE FROM organizations o WHERE o.source = 'epoch'
        AND EXISTS (SELECT 1 FROM _registry r WHERE lower(r.hf_author) = lower(o.hf_author)
                    AND r.hf_author <> o.hf_author)
    """)
    return con.execute("SELECT count(*) FROM organizations").fetchone()[0]


def attributed_authors(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Hub authors of attributed organisations (not intermediaries, not individuals), for the org scope."""
    return [r[0] for r in con.execute(
        "SELECT hf_author FROM organizations WHERE NOT is_intermediary AND organization IS NOT NULL "
        "ORDER BY hf_author").fetchall()]


def build_models(con: duckdb.DuckDBPyConnection, facts: str = "scratch._facts", work: str = "scratch") -> int:
    """Fill ``models`` from the deduplicated Hub facts in table ``facts``; returns the row count.

    Adds what needs the whole table: roots and depths, sizes inherited from the base model,
    organisations and countries. ``work`` is the catalog for intermediate tables.
    """
    resolve_roots(con, facts, "_roots", work)
    con.execute("DELETE FROM models")
    con.execute(f"""
        INSERT INTO models BY NAME
        SELECT f.* EXCLUDE (params_measured, params_measured_source, params_undercounted, params_name),
               f.params_measured, f.params_measured_source, f.params_undercounted, f.params_name,
               r.root_model, r.depth, r.lineage_status,
               -- size: own safetensors/gguf figure, else the base's (or root's), else the name;
               -- a figure of packed integer weights undercounts, so a base's figure beats it
               CASE
                 WHEN f.params_measured IS NOT NULL AND NOT f.params_undercounted THEN f.params_measured
                 WHEN b.params_measured IS NOT NULL AND NOT b.params_undercounted THEN b.params_measured
                 WHEN rt.params_measured IS NOT NULL AND NOT rt.params_undercounted THEN rt.params_measured
                 WHEN f.params_name IS NOT NULL THEN f.params_name
                 ELSE f.params_measured
               END AS params,
               CASE
                 WHEN f.params_measured IS NOT NULL AND NOT f.params_undercounted THEN f.params_measured_source
                 WHEN b.params_measured IS NOT NULL AND NOT b.params_undercounted THEN 'base_model'
                 WHEN rt.params_measured IS NOT NULL AND NOT rt.params_undercounted THEN 'base_model'
                 WHEN f.params_name IS NOT NULL THEN 'name'
                 ELSE f.params_measured_source
               END AS params_source,
               o.organization, o.country, coalesce(o.is_intermediary, false) AS is_intermediary,
               CASE WHEN r.root_model IS NULL OR r.root_model = f.model_id THEN o.country
                    ELSE ro.country END AS origin_country,
               -- columns the read side groups by, computed once here rather than on every query
               coalesce(r.root_model, f.model_id) AS family,
               CASE WHEN r.root_model IS NULL OR r.root_model = f.model_id THEN o.organization
                    ELSE ro.organization END AS root_organization,
               bo.organization AS base_organization, bo.country AS base_country,
               CAST(date_trunc('month', f.created_at) AS DATE) AS created_month,
               -- the model-kind filter (landscape/filters.py): a quantisation, or any upload of a
               -- repackager account, is a repackage; else a declared base makes a derivative
               CASE WHEN f.base_relation = 'quantized' OR coalesce(o.is_intermediary, false) THEN 'repackage'
                    WHEN f.base_model IS NOT NULL THEN 'derivative' ELSE 'original' END AS model_kind,
               -- a Hub id (or an API model, with its organisation) as declared; a bare name from a
               -- "<teacher>-Distill-…" model name is resolved to an id below
               CASE WHEN contains(f.teacher_hint, '/') OR f.teacher_hint_organization IS NOT NULL THEN f.teacher_hint
               END AS teacher_model,
               f.teacher_hint_organization AS teacher_organization, f.teacher_hint_country AS teacher_country
        FROM {facts} f
        JOIN {work}._roots r USING (model_id)
        LEFT JOIN {facts} b ON b.model_id = f.base_model
        LEFT JOIN {facts} rt ON rt.model_id = r.root_model AND r.root_model <> f.model_id
        LEFT JOIN organizations o ON lower(o.hf_author) = lower(f.author)
        LEFT JOIN organizations ro ON lower(ro.hf_author) = lower(split_part(r.root_model, '/', 1))
                                   AND contains(r.root_model, '/')
        LEFT JOIN organizations bo ON lower(bo.hf_author) = lower(split_part(f.base_model, '/', 1))
                                   AND contains(f.base_model, '/')
    """)  # noqa: S608 - `facts` and `work` are our own names
    con.execute(f"DROP TABLE IF EXISTS {work}._roots")
    # A teacher named only by its name ("DeepSeek-R1") lives where the distilled model was made:
    # the model's own namespace, or, for a repackaged copy, its base's. A model of that name in
    # the data, in one of those namespaces, wins; else the most downloaded one of that name; else,
    # when the maker is an attributed lab (labs distil their own teachers), the id in the lab's
    # namespace; else the bare name, rather than an id we would be inventing.
    con.execute("""
        WITH wanted AS (
            SELECT m.model_id, m.teacher_hint,
                   split_part(m.model_id, '/', 1) AS own_ns,
                   split_part(coalesce(m.base_model, m.model_id), '/', 1) AS base_ns,
                   coalesce(m.is_intermediary, false) OR m.base_relation = 'quantized' AS copy
            FROM models m
            WHERE m.teacher_hint IS NOT NULL AND m.teacher_model IS NULL
        ), candidates AS (
            SELECT w.model_id, c.model_id AS teacher,
                   row_number() OVER (PARTITION BY w.model_id ORDER BY
                       (lower(split_part(c.model_id, '/', 1)) = lower(CASE WHEN w.copy THEN w.base_ns ELSE w.own_ns END))
                           DESC,
                       c.downloads_30d DESC NULLS LAST, c.model_id) AS pick
            FROM wanted w JOIN models c ON lower(split_part(c.model_id, '/', 2)) = lower(w.teacher_hint)
        )
        UPDATE models SET teacher_model = coalesce(
            (SELECT teacher FROM candidates c WHERE c.model_id = models.model_id AND c.pick = 1),
            (SELECT CASE WHEN copy THEN base_ns ELSE own_ns END || '/' || teacher_hint FROM wanted w
             WHERE w.model_id = models.model_id AND EXISTS (
                 SELECT 1 FROM organizations o WHERE NOT o.is_intermediary AND o.organization IS NOT NULL
                 AND lower(o.hf_author) = lower(CASE WHEN w.copy THEN w.base_ns ELSE w.own_ns END))),
            models.teacher_hint)
        WHERE models.teacher_hint IS NOT NULL AND models.teacher_model IS NULL
    """)
    # the teacher's organisation and country: the registry's, else the teacher's Hub namespace's
    con.execute("""
        UPDATE models SET teacher_organization = coalesce(models.teacher_organization, o.organization),
                          teacher_country = coalesce(models.teacher_country, o.country)
        FROM organizations o
        WHERE models.teacher_model IS NOT NULL AND contains(models.teacher_model, '/')
          AND lower(o.hf_author) = lower(split_part(models.teacher_model, '/', 1))
    """)
    return con.execute("SELECT count(*) FROM models").fetchone()[0]
