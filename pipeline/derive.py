"""Tables derived on every build from the sources' facts: organisations and attributed models.

Attribution is recomputed on every build, never stored with the fetched facts, so a new Epoch
file or a corrected registry row changes the countries of every model at the next run,
whether or not the Hub was fetched again.

Countries: the Hub has no country field. A model's ``country`` is the country
of its uploader's organisation (Epoch's ``Hugging Face developer id`` column, replaced and
extended by ``data/registry/organizations.csv``); its ``origin_country`` is the country of
the organisation of its *root* model, so a Llama quantisation uploaded by a UK user counts as
US-origin. Beside them, the uploader's *kind* (lab, company, university, …, individual,
repackager) and the root's, and a *bucket* for charts by country: the country, else
``individuals``, ``community`` or ``repackagers`` by kind, else ``''`` for what nobody has
classified. Individuals are never given a country.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import duckdb

from pipeline.model_tree import resolve_roots
from pipeline.registry import KINDS, Registry
from pipeline.storage import insertion_order_kept

# Epoch's "Organization categorization" → a kind, for developer ids the registry does not list.
EPOCH_KINDS = {"industry": "company", "academia": "university", "government": "government",
               "research collective": "community", "non-profit": "non-profit"}
# What a chart by country shows for a model whose organisation has no country: its kind's bucket
# ('' for unknown). Never an ISO code.
KIND_BUCKETS = {"individual": "individuals", "community": "community", "repackager": "repackagers"}


def bucket_sql(country: str, kind: str) -> str:
    """The country bucket of a row: the country, else its kind's bucket, else '' (unknown)."""
    cases = " ".join(f"WHEN '{kind_}' THEN '{bucket}'" for kind_, bucket in KIND_BUCKETS.items())
    return f"coalesce({country}, CASE {kind} {cases} ELSE '' END)"


def _namespace_sql(model_id: str, legacy: str) -> str:
    """The namespace of a model id: before its "/", or, for an id from before namespaces, the one
    ``legacy_ids`` gives (NULL otherwise, so a bare name never passes for a namespace)."""
    return f"CASE WHEN contains({model_id}, '/') THEN split_part({model_id}, '/', 1) ELSE {legacy}.namespace END"


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[tuple]) -> None:
    """Insert ``rows`` in one statement: each column bound as one list and unnested side by side.

    ``executemany`` runs one statement per row: about a millisecond each, close to a second for
    the registry's rows on every build.
    """
    if not rows:
        return
    columns = [list(column) for column in zip(*rows, strict=True)]
    unnested = ", ".join("unnest(?)" for _ in columns)
    con.execute(f"INSERT INTO {table} SELECT {unnested}", columns)  # noqa: S608 - our own table names


def build_organizations(con: duckdb.DuckDBPyConnection, registry: Registry) -> int:
    """Fill ``organizations`` (and the name → group and legacy id tables) from ``releases`` (Epoch)
    and the registry; returns the row count.

    From Epoch, each developer id takes its most frequent organisation string; the first
    organisation and first country listed there stand for it (Epoch lists the lead first), and
    its category gives a kind. A registry row is a human judgement: it replaces Epoch's row for
    the same namespace (whatever its case) wholesale. Every organisation gets its group: its
    parent (from the registry row, else from ``parents.csv`` by name), else itself. Releases get
    the groups of their organisations.
    """
    con.execute("DELETE FROM organization_parents")
    _insert(con, "organization_parents", sorted(registry.parents.items()))
    con.execute("DELETE FROM legacy_ids")
    _insert(con, "legacy_ids", list(registry.legacy))
    con.execute("DELETE FROM organizations")
    # Every choice breaks its ties by name, so the same releases always give the same rows,
    # whatever order they were loaded in.
    con.execute("""
        INSERT INTO organizations (hf_author, organization, kind, country, is_intermediary, source, note)
        WITH rel AS (
            SELECT hf_developer_id AS id, lower(hf_developer_id) AS k, organization, country,
                   lower(trim(split_part(organization_category, ',', 1))) AS category
            FROM releases WHERE hf_developer_id IS NOT NULL
        ), spellings AS (SELECT k, id, count(*) AS n FROM rel GROUP BY k, id),
        orgs AS (SELECT k, organization, count(*) AS n FROM rel WHERE organization IS NOT NULL GROUP BY k, organization),
        countries AS (SELECT k, country, count(*) AS n FROM rel WHERE country IS NOT NULL GROUP BY k, country),
        categories AS (SELECT k, category, count(*) AS n FROM rel WHERE category <> '' GROUP BY k, category)
        SELECT first(s.id ORDER BY s.n DESC, s.id),
               trim(split_part((SELECT first(o.organization ORDER BY o.n DESC, o.organization) FROM orgs o
                                WHERE o.k = s.k), ',', 1)),
               (SELECT first(c.category ORDER BY c.n DESC, c.category) FROM categories c WHERE c.k = s.k),
               (SELECT first(c.country ORDER BY c.n DESC, c.country) FROM countries c WHERE c.k = s.k),
               false, 'epoch', 'from ' || sum(s.n) || ' Epoch releases'
        FROM spellings s GROUP BY s.k
    """)
    con.execute("UPDATE organizations SET kind = m.kind FROM (SELECT unnest(?) AS category, unnest(?) AS kind) m "
                "WHERE organizations.kind = m.category", [list(EPOCH_KINDS), list(EPOCH_KINDS.values())])
    con.execute("UPDATE organizations SET kind = NULL WHERE kind NOT IN (SELECT unnest(?))", [list(KINDS)])
    # A person is not an organisation: an individual's account keeps its kind, and no organisation
    # name that would rank it among the organisations.
    rows = [(r.namespace, None if r.kind == "individual" else r.organization, r.kind, r.country, r.parent,
             r.kind == "repackager", "registry", "; ".join(part for part in (r.note, r.source) if part))
            for r in registry.rows]
    con.execute("DELETE FROM organizations WHERE list_contains(?, lower(hf_author))",
                [[r.namespace.lower() for r in registry.rows]])
    _insert(con, "organizations (hf_author, organization, kind, country, parent, is_intermediary, source, note)", rows)
    con.execute("""
        UPDATE organizations SET organization_group = coalesce(organizations.parent, p.parent, organizations.organization)
        FROM (SELECT o.hf_author, p.parent FROM organizations o
              LEFT JOIN organization_parents p ON p.organization = o.organization) p
        WHERE p.hf_author = organizations.hf_author
    """)
    con.execute("""
        UPDATE releases SET organization_groups = coalesce(g.groups, [])
        FROM (SELECT r.release_id, list_sort(list(DISTINCT coalesce(p.parent, r.o))) AS groups
              FROM (SELECT release_id, unnest(organizations) AS o FROM releases) r
              LEFT JOIN organization_parents p ON p.organization = r.o
              GROUP BY r.release_id) g
        WHERE g.release_id = releases.release_id
    """)
    con.execute("UPDATE releases SET organization_groups = [] WHERE organization_groups IS NULL")
    return con.execute("SELECT count(*) FROM organizations").fetchone()[0]


def build_search(con: duckdb.DuckDBPyConnection) -> int:
    """Fill ``search_entries`` from organisations, releases and models; returns its row count.

    An organisation is found by its name and its Hub namespaces, a release by its model name and
    organisation, a Hub model by its id. Written most downloaded first.
    """
    con.execute("DELETE FROM search_entries")
    con.execute("""
        INSERT INTO search_entries
        WITH names AS (
            SELECT organization AS name, hf_author AS namespace FROM organizations WHERE organization IS NOT NULL
            UNION SELECT unnest(organizations), NULL FROM releases
            UNION SELECT organization_group, NULL FROM organizations WHERE organization_group IS NOT NULL
        ), orgs AS (
            SELECT name, string_agg(DISTINCT namespace, ' ' ORDER BY namespace) AS namespaces FROM names
            WHERE name IS NOT NULL AND name <> '' GROUP BY name
        ), hub AS (
            SELECT organization AS name, sum(downloads_30d) AS downloads, count(*) AS models FROM models
            WHERE organization IS NOT NULL GROUP BY 1
            UNION ALL
            SELECT organization_group, sum(downloads_30d), count(*) FROM models
            WHERE organization_group IS NOT NULL AND organization_group <> organization GROUP BY 1
        ), entries AS MATERIALIZED (
            SELECT 'organization' AS kind, o.name AS key, o.name AS label,
                   concat_ws(', ', CASE WHEN o.namespaces IS NOT NULL THEN 'Hub: ' || o.namespaces END,
                             CASE WHEN h.models > 0 THEN h.models || ' Hub models' END) AS detail,
                   coalesce(h.downloads, 0) AS downloads, lower(concat_ws(' ', o.name, o.namespaces)) AS text
            FROM orgs o LEFT JOIN (SELECT name, sum(downloads) AS downloads, sum(models) AS models FROM hub
                                   GROUP BY name) h ON h.name = o.name
            UNION ALL
            SELECT 'release', coalesce(organizations[1], organization, model), model,
                   concat_ws(', ', organization, CAST(publication_date AS VARCHAR), accessibility_group),
                   0, lower(concat_ws(' ', model, organization))
            FROM releases
            UNION ALL
            SELECT 'model', model_id, model_id, concat_ws(', ', organization, author_kind),
                   coalesce(downloads_30d, 0), lower(model_id)
            FROM models
        )
        SELECT * FROM entries ORDER BY kind, downloads DESC, key
    """)
    return con.execute("SELECT count(*) FROM search_entries").fetchone()[0]


def attributed_authors(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Hub namespaces whose every model the org scope lists: the developers of Epoch's notable
    models and the registry's labs, never individuals, collectives or repackagers. Other namespaces
    are reached through the most downloaded models and through lineage, which keeps a first run
    within the Hub's rate limits."""
    return [r[0] for r in con.execute("""
        SELECT hf_author FROM organizations
        WHERE kind = 'lab' OR (coalesce(kind, '') NOT IN ('individual', 'community', 'repackager')
                               AND lower(hf_author) IN (SELECT lower(hf_developer_id) FROM releases))
        ORDER BY hf_author""").fetchall()]


def _lineage(con: duckdb.DuckDBPyConnection, facts: str, work: str) -> bool:
    """``{work}._lineage``: per model, what :func:`build_models` takes from other rows: its root and
    depth (``_roots``), the size figures of its base and of its root, and the organisations of its
    uploader, its root and its base, with ``pos``, the facts row's rowid. Returns whether its rows
    line up with the facts' (then ``models`` is written from both side by side, else joined by id).

    Built step by step over narrow rows, one large join per statement, so that the wide facts meet
    no hash join at all: the rows come out in the facts' own order, and ``models`` is written
    from both tables read side by side (``POSITIONAL JOIN``). Within a memory limit of a few
    hundred MB, the one statement that joined the facts with their roots, their bases' and roots'
    rows and the organisations failed with "Out of Memory" at 1M models (DuckDB spills one join,
    not several stacked over wide rows), and one spilling hash join of the wide rows took half as
    long again as this. Each step's table spills like any other.
    """
    con.execute(f"""
        CREATE OR REPLACE TABLE {work}._lineage AS
        SELECT f.pos, r.model_id, r.root_model, r.depth, r.lineage_status, f.author, f.base_model
        FROM {work}._roots r JOIN (SELECT rowid AS pos, model_id, author, base_model FROM {facts}) f USING (model_id)
    """)  # noqa: S608 - our own names
    con.execute(f"DROP TABLE {work}._roots")
    con.execute(f"""
        CREATE OR REPLACE TABLE {work}._lineage AS
        SELECT l.*, b.params_measured AS base_params, b.params_undercounted AS base_undercounted
        FROM {work}._lineage l LEFT JOIN {facts} b ON b.model_id = l.base_model
    """)  # noqa: S608
    con.execute(f"""
        CREATE OR REPLACE TABLE {work}._lineage AS
        SELECT l.*, rt.params_measured AS root_params, rt.params_undercounted AS root_undercounted
        FROM {work}._lineage l LEFT JOIN {facts} rt ON rt.model_id = l.root_model AND l.root_model <> l.model_id
    """)  # noqa: S608
    # the organisations (small tables), and the facts' order: the table keeps it only when
    # insertion order is preserved (the build connection does not, elsewhere)
    with insertion_order_kept(con):
        con.execute(f"""
            CREATE OR REPLACE TABLE {work}._lineage AS
            SELECT l.* EXCLUDE (author, base_model),
                   o.organization AS author_organization, o.organization_group AS author_group,
                   o.kind AS author_kind, o.country AS author_country, o.is_intermediary AS author_intermediary,
                   ro.organization AS root_organization, ro.country AS root_country, ro.kind AS root_kind,
                   bo.organization AS base_organization, bo.country AS base_country
            FROM {work}._lineage l
            LEFT JOIN organizations o ON lower(o.hf_author) = lower(l.author)
            LEFT JOIN {work}._legacy lr ON lr.id = l.root_model
            LEFT JOIN organizations ro ON lower(ro.hf_author) = lower({_namespace_sql("l.root_model", "lr")})
            LEFT JOIN {work}._legacy lb ON lb.id = l.base_model
            LEFT JOIN organizations bo ON lower(bo.hf_author) = lower({_namespace_sql("l.base_model", "lb")})
            ORDER BY l.pos
        """)  # noqa: S608
    # Side by side only if every row lines up (a cheap scan of two narrow columns); else by id.
    misaligned, = con.execute(f"""
        SELECT count(*) FROM {facts} f POSITIONAL JOIN {work}._lineage r WHERE f.model_id IS DISTINCT FROM r.model_id
    """).fetchone()  # noqa: S608
    return misaligned == 0


# The side-by-side insert of `models` runs on one thread (it reads both tables in order); this
# many parts of it run at once, each on its own cursor. Two keep the build's two DuckDB threads
# busy; each part holds its own row groups in memory while it writes them.
INSERT_PARTS = 2


def _insert_side_by_side(con: duckdb.DuckDBPyConnection, facts: str, work: str) -> None:
    """``models`` from the facts and ``{work}._lineage`` read side by side, in parts at once.

    The facts are cut into contiguous rowid ranges (``_lineage`` by the same ``pos``); each part is
    inserted in a transaction of its own, all running together, and committed in order: a commit
    appends its row groups to the table, so ``models`` keeps the facts' order (most downloaded
    first) as the single statement did, with both cores at work (build_models at 1M: 9.7 s → 7.8 s).
    """
    threads, zone = con.execute("SELECT current_setting('threads'), current_setting('TimeZone')").fetchone()
    parts = max(1, min(INSERT_PARTS, int(threads)))
    end, = con.execute(f"SELECT coalesce(max(rowid) + 1, 0) FROM {facts}").fetchone()  # noqa: S608 - our names
    bounds = [end * i // parts for i in range(parts + 1)]
    cursors = [con.cursor() for _ in range(parts)]
    try:
        for cursor in cursors:
            # a cursor is a session of its own: months are cut in UTC as on the build connection
            cursor.execute(f"SET TimeZone = '{zone}'")
            cursor.execute("BEGIN TRANSACTION")
        sources = [f"(SELECT * FROM {facts} WHERE rowid >= {lo} AND rowid < {hi}) f POSITIONAL JOIN "  # noqa: S608
                   f"(SELECT * FROM {work}._lineage WHERE pos >= {lo} AND pos < {hi}) r"  # our names, our ints
                   for lo, hi in zip(bounds, bounds[1:], strict=False)]
        with ThreadPoolExecutor(parts) as pool:
            running = [pool.submit(cursor.execute, _models_insert(source))
                       for cursor, source in zip(cursors, sources, strict=True)]
            for part in running:
                part.result()  # the first failure is raised here; close() rolls every part back
        for cursor in cursors:
            cursor.execute("COMMIT")
    finally:
        for cursor in cursors:
            cursor.close()


def build_models(con: duckdb.DuckDBPyConnection, facts: str = "scratch._facts", work: str = "scratch") -> int:
    """Fill ``models`` from the deduplicated Hub facts in table ``facts``; returns the row count.

    Adds what needs the whole table: roots and depths, sizes inherited from the base model,
    organisations and countries. ``work`` is the catalog for intermediate tables.
    """
    resolve_roots(con, facts, "_roots", work)
    # Ids from before namespaces ("bert-base-uncased", declared as bases by older cards) belong to
    # the namespace that holds them now (legacy_ids): a renamed namespace keeps its attribution.
    con.execute(f"""
        CREATE OR REPLACE TABLE {work}._legacy AS
        SELECT ids.id, first(l.namespace ORDER BY length(l.prefix) DESC) AS namespace
        FROM (SELECT DISTINCT root_model AS id FROM {work}._roots WHERE NOT contains(root_model, '/')
              UNION SELECT DISTINCT base_model FROM {facts} WHERE NOT contains(base_model, '/')) ids
        JOIN legacy_ids l ON starts_with(ids.id, l.prefix)
        GROUP BY ids.id
    """)  # noqa: S608 - our own names
    aligned = _lineage(con, facts, work)
    con.execute("DELETE FROM models")
    if aligned:
        _insert_side_by_side(con, facts, work)
    else:
        con.execute(_models_insert(f"{facts} f JOIN {work}._lineage r USING (model_id)"))
    for table in ("_lineage", "_legacy"):
        con.execute(f"DROP TABLE IF EXISTS {work}.{table}")
    _resolve_teachers(con)
    return con.execute("SELECT count(*) FROM models").fetchone()[0]


def _models_insert(source: str) -> str:
    """The statement that writes ``models`` from ``source``: the facts as ``f`` beside or joined
    with their ``_lineage`` rows as ``r``."""
    return f"""
        INSERT INTO models BY NAME
        SELECT f.* EXCLUDE (params_measured, params_measured_source, params_undercounted, params_name),
               f.params_measured, f.params_measured_source, f.params_undercounted, f.params_name,
               r.root_model, r.depth, r.lineage_status,
               -- size: own safetensors/gguf figure, else the base's (or root's), else the name;
               -- a figure of packed integer weights undercounts, so a base's figure beats it
               CASE
                 WHEN f.params_measured IS NOT NULL AND NOT f.params_undercounted THEN f.params_measured
                 WHEN r.base_params IS NOT NULL AND NOT r.base_undercounted THEN r.base_params
                 WHEN r.root_params IS NOT NULL AND NOT r.root_undercounted THEN r.root_params
                 WHEN f.params_name IS NOT NULL THEN f.params_name
                 ELSE f.params_measured
               END AS params,
               CASE
                 WHEN f.params_measured IS NOT NULL AND NOT f.params_undercounted THEN f.params_measured_source
                 WHEN r.base_params IS NOT NULL AND NOT r.base_undercounted THEN 'base_model'
                 WHEN r.root_params IS NOT NULL AND NOT r.root_undercounted THEN 'base_model'
                 WHEN f.params_name IS NOT NULL THEN 'name'
                 ELSE f.params_measured_source
               END AS params_source,
               r.author_organization AS organization, r.author_group AS organization_group, r.author_kind,
               r.author_country AS country, coalesce(r.author_intermediary, false) AS is_intermediary,
               CASE WHEN r.root_model IS NULL OR r.root_model = f.model_id THEN r.author_country
                    ELSE r.root_country END AS origin_country,
               CASE WHEN r.root_model IS NULL OR r.root_model = f.model_id THEN r.author_kind
                    ELSE r.root_kind END AS origin_kind,
               {bucket_sql("r.author_country", "r.author_kind")} AS uploader_bucket,
               CASE WHEN r.root_model IS NULL OR r.root_model = f.model_id
                    THEN {bucket_sql("r.author_country", "r.author_kind")}
                    ELSE {bucket_sql("r.root_country", "r.root_kind")} END AS origin_bucket,
               -- columns the read side groups by, computed once here rather than on every query
               coalesce(r.root_model, f.model_id) AS family,
               CASE WHEN r.root_model IS NULL OR r.root_model = f.model_id THEN r.author_organization
                    ELSE r.root_organization END AS root_organization,
               r.base_organization, r.base_country,
               CAST(date_trunc('month', f.created_at) AS DATE) AS created_month,
               -- the model-kind filter (landscape/filters.py): a quantisation, or any upload of a
               -- repackager account, is a repackage; else a declared base makes a derivative
               CASE WHEN f.base_relation = 'quantized' OR coalesce(r.author_intermediary, false) THEN 'repackage'
                    WHEN f.base_model IS NOT NULL THEN 'derivative' ELSE 'original' END AS model_kind,
               -- a Hub id (or an API model, with its organisation) as declared; a bare name from a
               -- "<teacher>-Distill-…" model name is resolved to an id below
               CASE WHEN contains(f.teacher_hint, '/') OR f.teacher_hint_organization IS NOT NULL THEN f.teacher_hint
               END AS teacher_model,
               f.teacher_hint_organization AS teacher_organization, f.teacher_hint_country AS teacher_country
        FROM {source}
    """  # noqa: S608 - `source` is built from our own names


def _resolve_teachers(con: duckdb.DuckDBPyConnection) -> None:
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
                 SELECT 1 FROM organizations o WHERE o.kind = 'lab'
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
