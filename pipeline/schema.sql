-- The one schema of the published database (data/landscape.duckdb).
--
-- How each table is written (the pipeline builds a new file on every run, then publishes it
-- by atomic replace):
--   meta, sources          rewritten every run
--   models, organizations  replaced from this run's data (or carried over from the previous
--   releases               file when this run did not fetch their source); derived columns
--                          (organisation, country, root, …) are recomputed on every build
--   model_snapshots        append-only history keyed by (model_id, snapshot_date): carried
--                          over, and today's row replaced, so a re-run the same day adds nothing
--   runs, quarantine       append-only history, carried over

CREATE TABLE meta (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR
);

-- One row per source: where it came from, how fresh it is, and how its last attempt went.
-- When a source fails, its row keeps the last successful fetch and says why the attempt failed.
CREATE TABLE sources (
    source        VARCHAR PRIMARY KEY,   -- epoch | benchmarks | arena | hub (pipeline/sources/__init__.py)
    url           VARCHAR,               -- never holds a token
    fetched_at    TIMESTAMPTZ,           -- last successful fetch or revalidation
    changed_at    TIMESTAMPTZ,           -- last time the content actually changed
    etag          VARCHAR,
    last_modified VARCHAR,
    rows          BIGINT,
    run_id        VARCHAR,               -- the run of the last successful fetch
    detail        VARCHAR,               -- e.g. the Hub scopes of that run
    status        VARCHAR,               -- ok | failed: how the last attempt went
    error         VARCHAR,               -- why the last attempt failed (one line), NULL when it did not
    failed_at     TIMESTAMPTZ            -- when it failed
);

-- Every ingest run, including failed ones (recorded by the next run that publishes).
CREATE TABLE runs (
    run_id           VARCHAR PRIMARY KEY,
    started_at       TIMESTAMPTZ NOT NULL,
    finished_at      TIMESTAMPTZ,
    status           VARCHAR NOT NULL,   -- published | partial (some sources failed) | failed
    sources          VARCHAR,            -- comma list of the sources asked for
    options          VARCHAR,            -- JSON of the command-line options
    resumed          BOOLEAN,
    pages_fetched    BIGINT,
    pages_reused     BIGINT,             -- pages read back from a checkpoint instead of fetched
    records_seen     BIGINT,
    rows_written     VARCHAR,            -- JSON {table: rows}
    quarantined      BIGINT,
    rate_limit_waits BIGINT,
    rate_limit_wait_seconds DOUBLE,
    error            VARCHAR,
    failed_sources   VARCHAR,            -- JSON {source: reason} of the sources that failed
    notes            VARCHAR,            -- JSON list: what else the run had to report (a damaged database set aside, …)
    hub_requests     BIGINT              -- HTTP requests to the Hub's API (listings and single models)
);

CREATE TABLE quarantine (
    run_id         VARCHAR NOT NULL,
    source         VARCHAR NOT NULL,
    record_key     VARCHAR,              -- model id or row number, when there is one
    reason         VARCHAR NOT NULL,
    payload        VARCHAR,              -- the record as received, cut to 2,000 characters
    quarantined_at TIMESTAMPTZ NOT NULL
);

-- Hub author (namespace) -> organisation and country: from Epoch's `Hugging Face developer id`,
-- overridden and extended by data/registry/organizations.csv.
CREATE TABLE organizations (
    hf_author       VARCHAR PRIMARY KEY, -- the Hub namespace
    organization    VARCHAR,
    kind            VARCHAR,             -- lab | company | university | non-profit | government | community
                                         -- | individual | repackager (pipeline/registry.py); NULL: unknown
    country         VARCHAR,             -- ISO 3166-1 alpha-2, NULL when unattributed (never for an individual)
    parent          VARCHAR,             -- the parent organisation, where there is one
    organization_group VARCHAR,          -- what it counts under when grouped by parent: the parent, or itself
    is_intermediary BOOLEAN NOT NULL DEFAULT false,  -- kind repackager: unsloth, bartowski, …
    source          VARCHAR NOT NULL,    -- epoch | registry
    note            VARCHAR
);

-- Organisation names (as Epoch writes them, and the registry's) → the group they belong to.
CREATE TABLE organization_parents (
    organization    VARCHAR PRIMARY KEY,
    parent          VARCHAR NOT NULL
);

-- Model ids from before namespaces (bert-base-uncased) → the namespace that holds them now.
CREATE TABLE legacy_ids (
    prefix          VARCHAR PRIMARY KEY,
    namespace       VARCHAR NOT NULL
);

-- One row per Hub model, latest state. Unique by construction (the build deduplicates);
-- no PRIMARY KEY because an index over millions of ids would cost the build several times
-- its insert time and memory.
CREATE TABLE models (
    model_id            VARCHAR NOT NULL,
    author              VARCHAR,
    -- attribution (derived on every build)
    organization        VARCHAR,
    organization_group  VARCHAR,         -- its parent organisation, or itself
    author_kind         VARCHAR,         -- the uploader's kind (organizations.kind); NULL: unknown
    country             VARCHAR,         -- of the uploader's organisation
    origin_country      VARCHAR,         -- of the root model's organisation
    origin_kind         VARCHAR,         -- the kind of the root model's uploader
    uploader_bucket     VARCHAR,         -- what a chart by country shows: the country, else `individuals`,
    origin_bucket       VARCHAR,         -- `community` or `repackagers` by kind, else '' (unknown)
    is_intermediary     BOOLEAN,
    -- licence
    license             VARCHAR,         -- normalised licence id
    license_family      VARCHAR NOT NULL,
    gated               BOOLEAN,
    gated_mode          VARCHAR,         -- auto | manual, NULL when not gated
    -- size
    params              BIGINT,
    params_source       VARCHAR,         -- safetensors | gguf | base_model | name
    params_undercounted BOOLEAN,         -- safetensors figure of packed integer dtypes
    params_measured     BIGINT,          -- safetensors or gguf figure, as declared
    params_measured_source VARCHAR,
    params_name         BIGINT,          -- parsed from the name
    -- adoption
    downloads_30d       BIGINT,
    downloads_all_time  BIGINT,
    likes               BIGINT,
    trending_score      DOUBLE,
    -- description
    pipeline_tag        VARCHAR,
    library             VARCHAR,
    tags                VARCHAR[],
    created_at          TIMESTAMPTZ,     -- repository creation, not a release date
    created_month       DATE,            -- its first day (UTC): the cohort queries group by it
    last_modified       TIMESTAMPTZ,
    -- lineage
    base_model          VARCHAR,         -- first declared base
    base_models         VARCHAR[],
    base_relation       VARCHAR,         -- finetune | adapter | quantized | merge
    base_evidence       VARCHAR,         -- baseModels | tags | cardData
    root_model          VARCHAR,
    family              VARCHAR,         -- the root, or the model itself: what a family is counted by
    root_organization   VARCHAR,         -- of the root's uploader (the model's own for a root)
    base_organization   VARCHAR,         -- of the first declared base's uploader (a distilled model's student)
    base_country        VARCHAR,
    depth               INTEGER,         -- hops to the root; 0 for a root
    model_kind          VARCHAR,         -- original | derivative | repackage (a quantisation, or a repackager's upload)
    lineage_status      VARCHAR,         -- root | resolved | cycle | missing_parent
    card_datasets       VARCHAR[],       -- cardData.datasets, for the distillation rules
    -- distillation (pipeline/transform/distillation.py)
    distilled           BOOLEAN,         -- a rule matched (see distill_evidence)
    teacher_hint        VARCHAR,         -- the teacher as declared (a name, an id or an API model)
    teacher_hint_organization VARCHAR,   -- the teacher's organisation and country as the dataset registry
    teacher_hint_country VARCHAR,        -- states them (facts, kept apart from what the build derives)
    teacher_model       VARCHAR,         -- resolved to a Hub id where the name allows it
    teacher_organization VARCHAR,        -- derived: the registry's, else the teacher's namespace's
    teacher_country     VARCHAR,
    distill_evidence    VARCHAR,
    scope               VARCHAR,         -- top | org | full | ancestor: how it was fetched
    fetched_at          TIMESTAMPTZ
);

-- Base models looked up one by one and not found (deleted, private or gated), so later runs
-- do not ask again for a while.
CREATE TABLE ancestor_misses (
    model_id   VARCHAR NOT NULL,
    checked_at TIMESTAMPTZ NOT NULL,
    reason     VARCHAR
);

-- Adoption history: one row per model per snapshot date (a run replaces today's rows, so
-- the pair stays unique; no index, for the same reason as `models`).
CREATE TABLE model_snapshots (
    snapshot_date      DATE NOT NULL,
    model_id           VARCHAR NOT NULL,
    downloads_30d      BIGINT,
    downloads_all_time BIGINT,
    likes              BIGINT,
    trending_score     DOUBLE,
    country            VARCHAR,          -- attribution as of that day, so history by country
    origin_country     VARCHAR,          -- needs no join with millions of models per day
    uploader_bucket    VARCHAR,          -- the buckets of charts by country, as of that day
    origin_bucket      VARCHAR,          -- (models.uploader_bucket, models.origin_bucket)
    source             VARCHAR           -- run (a run's own) | hub-stats (backfilled); NULL: a run's, from before
);

-- What the dashboard's search finds, rebuilt on every build (pipeline/derive.py build_search):
-- organisations, Epoch releases and Hub models, each with the lower-cased text it is found by.
CREATE TABLE search_entries (
    kind      VARCHAR NOT NULL,   -- organization | release | model
    key       VARCHAR NOT NULL,   -- what its page takes: an organisation name, a model id
    label     VARCHAR NOT NULL,
    detail    VARCHAR,
    downloads BIGINT,             -- 30-day downloads (organisations: of their models), for ranking
    text      VARCHAR NOT NULL
);

-- The rollups the pages read at Hub scale (model_rollup, derivative_rollup, snapshot_rollup,
-- gain_rollup, uploader_rollup, uploader_rollup_rest, and the narrow row tables family_roots and
-- distilled_rows) are not declared here: pipeline/rollups.py creates them before every publish
-- from its own description of their columns (each a dimension or a sum of `models` columns, or
-- a column of the rows copied), the one place that says what they hold.

-- Epoch AI "Data on AI Models": one row per model of all_ai_models.csv that loaded.
CREATE TABLE releases (
    release_id            INTEGER PRIMARY KEY,   -- 1-based row number in the source file
    model                 VARCHAR NOT NULL,
    organization          VARCHAR,               -- as Epoch writes it: a comma list for collaborations
    organizations         VARCHAR[],             -- the same, split
    organization_groups   VARCHAR[],             -- each one's group (its parent, or itself): derived
    country               VARCHAR,               -- primary ISO code (first listed)
    countries             VARCHAR[],             -- every ISO code listed
    publication_date      DATE,
    accessibility         VARCHAR,               -- Epoch's own value, kept as is
    accessibility_group   VARCHAR,               -- open | closed | unreleased
    params                DOUBLE,
    training_compute_flop DOUBLE,
    frontier              BOOLEAN,
    notable               BOOLEAN,               -- has notability criteria
    hf_developer_id       VARCHAR,
    domain                VARCHAR,
    task                  VARCHAR,
    organization_category VARCHAR,
    base_model            VARCHAR,
    last_modified         TIMESTAMPTZ
);

-- Benchmark scores as each source states them (Epoch's Benchmarking Hub: ECI and every
-- benchmark file; LMArena). Carried over for a source a run does not fetch.
CREATE TABLE benchmark_facts (
    source              VARCHAR NOT NULL,   -- eci | epoch | external | arena
    benchmark           VARCHAR NOT NULL,   -- eci | gpqa_diamond | mmlu | … | arena_text
    model               VARCHAR NOT NULL,   -- the source's model key (Epoch "Model version", Arena key)
    display_name        VARCHAR,
    organization        VARCHAR,
    country             VARCHAR,
    countries           VARCHAR[],
    release_date        DATE,
    score               DOUBLE NOT NULL,
    score_low           DOUBLE,             -- confidence bound, or score − stderr
    score_high          DOUBLE,
    stderr              DOUBLE,
    metric              VARCHAR,            -- the column the score was read from
    accessibility       VARCHAR,            -- only where the source itself states it
    accessibility_group VARCHAR,
    license             VARCHAR,            -- Arena's licence text
    date_key            DATE,               -- a date written into the model key, if any
    release_key         VARCHAR             -- the matching key (pipeline.transform.benchmarks.release_key)
);

-- The same scores, completed on every build: accessibility, country and date from the source
-- when it states them, else from the ECI file's entry for the same model, else from the
-- matched Epoch release.
CREATE TABLE benchmark_scores (
    source              VARCHAR NOT NULL,
    benchmark           VARCHAR NOT NULL,
    model               VARCHAR NOT NULL,
    display_name        VARCHAR,
    organization        VARCHAR,
    country             VARCHAR,
    countries           VARCHAR[],
    release_date        DATE,
    score               DOUBLE NOT NULL,
    score_low           DOUBLE,
    score_high          DOUBLE,
    stderr              DOUBLE,
    metric              VARCHAR,
    accessibility       VARCHAR,
    accessibility_group VARCHAR,            -- open | closed | unreleased
    accessibility_from  VARCHAR,            -- source | eci | release
    license             VARCHAR,
    release_id          INTEGER,            -- the matched Epoch release
    release_model       VARCHAR,
    benchmark_count     INTEGER             -- ECI: how many of the archive's benchmarks score this model
);
