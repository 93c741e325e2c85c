"""One ingest run: fetch the sources, build a new database, publish it — or publish nothing.

Order of a run:

1. lock, and open a new build file next to the published database;
2. carry the history tables over from the published database (snapshots, runs, quarantine,
   sources), and the tables of every source this run does not fetch;
3. Epoch first (its developer ids decide which Hub organisations are listed), then the Hub,
   resuming from pages stored by an earlier attempt with the same options;
4. derive organisations and attributed models, record today's adoption snapshot;
5. publish by atomic replace. Any exception before that discards the build file.

Example::

    >>> ingest(load_settings(), IngestOptions(sources=("epoch",)), Progress.quiet())   # doctest: +SKIP
    RunRecord(run_id='20261123T070000Z', status='published', …)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from pipeline.config import Settings
from pipeline.derive import attributed_authors, build_models, build_organizations, load_registry
from pipeline.errors import ConfigError, PipelineError
from pipeline.loaders import RunContext, SourceResult
from pipeline.loaders.benchmarks import build_benchmark_scores, load_arena, load_epoch_benchmarks
from pipeline.loaders.epoch import load_epoch_models
from pipeline.loaders.hub import (
    HubOptions,
    carry_ancestors,
    carry_facts,
    fetch_ancestors,
    load_hub,
    stage_facts,
)
from pipeline.progress import Progress
from pipeline.runs import (
    RUN_COLUMNS,
    RunRecord,
    append_journal,
    new_run_id,
    open_run_folder,
    prune_run_folders,
    read_journal,
)
from pipeline.storage import Build, table_counts

SOURCES = ("epoch", "benchmarks", "arena", "hub")  # in the order a run fetches them
# A first run with network should finish in a few minutes within anonymous rate limits:
# 5 pages of the most downloaded models plus one or two pages per attributed organisation.
DEFAULT_HUB_LIMIT = 5000
HISTORY_TABLES = ("model_snapshots", "runs", "quarantine", "sources", "ancestor_misses")
# Tables a source replaces when it is fetched, carried over from the previous database when it
# is not. Hub facts are carried by `carry_facts`; benchmark facts are carried whole and each
# benchmark source replaces its own rows.
SOURCE_TABLES = {"epoch": ("releases",), "benchmarks": (), "arena": (), "hub": ()}


@dataclass(frozen=True)
class IngestOptions:
    sources: tuple[str, ...] = SOURCES
    hub_limit: int = DEFAULT_HUB_LIMIT
    hub_orgs: bool = True
    hub_full: bool = False

    def __post_init__(self) -> None:
        unknown = [s for s in self.sources if s not in SOURCES]
        if unknown or not self.sources:
            raise ConfigError(f"unknown source {', '.join(unknown) or '(none)'}; choose from {', '.join(SOURCES)}")
        if self.hub_limit < 0:
            raise ConfigError("--hub-limit must be 0 or more")
        if "hub" in self.sources and not (self.hub_limit or self.hub_orgs or self.hub_full):
            raise ConfigError("the Hub source has no scope: give --hub-limit N, organisations or --hub-full")

    def ordered_sources(self) -> list[str]:
        return [s for s in SOURCES if s in self.sources]


def ingest(settings: Settings, options: IngestOptions, progress: Progress) -> RunRecord:
    """Run one ingest; returns its record. Raises :class:`PipelineError` (nothing published) on failure."""
    started = datetime.now(UTC)
    run_id = new_run_id(started)
    option_dict = {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(options).items()}
    record = RunRecord(run_id=run_id, started_at=started.isoformat(),
                       sources=",".join(options.ordered_sources()), options=option_dict)
    registry = load_registry()
    folder = None
    try:
        with Build(settings.db_path) as build:
            folder, record.resumed = open_run_folder(settings.raw_dir, option_dict, run_id)
            if record.resumed:
                progress.message(f"resuming run folder {folder.path} (pages already fetched are not fetched again)")
            ctx = RunContext(settings, build.con, folder, record, progress, build.staging_dir, started)
            results = _run(ctx, build, options, registry)
            record.status = "published"
            record.finished_at = datetime.now(UTC).isoformat()
            record.rows_written = {t: n for t, n in table_counts(build.con).items()
                                   if t in ("models", "releases", "organizations", "model_snapshots",
                                            "benchmark_scores")}
            _write_sources(ctx, results)
            _write_runs(ctx)
            build.publish()
    except PipelineError as exc:
        _fail(settings, record, folder, str(exc))
        raise
    except BaseException as exc:  # a bug or ^C: still record it, keep the traceback
        _fail(settings, record, folder, f"{type(exc).__name__}: {exc}")
        raise
    append_journal(settings.raw_dir, record)
    folder.set_state(status="published", published_run=run_id)
    prune_run_folders(settings.raw_dir, keep=folder)
    return record


def _fail(settings: Settings, record: RunRecord, folder, error: str) -> None:
    record.status = "failed"
    record.finished_at = datetime.now(UTC).isoformat()
    record.error = error.splitlines()[0] if error else "failed"
    append_journal(settings.raw_dir, record)
    if folder is not None:
        folder.set_state(status="failed", error=record.error)


def _run(ctx: RunContext, build: Build, options: IngestOptions, registry) -> list[SourceResult]:
    con = ctx.con
    build.carry_over((*HISTORY_TABLES, "benchmark_facts"))
    # yesterday's `sources` rows stay for sources not fetched now; fetched ones are replaced below
    carried = [t for s in SOURCES if s not in options.sources for t in SOURCE_TABLES[s]]
    if carried:
        build.carry_over(carried)
    results: list[SourceResult] = []

    if "epoch" in options.sources:
        results.append(load_epoch_models(ctx))
    build_organizations(con, registry)
    if "benchmarks" in options.sources:
        results.append(load_epoch_benchmarks(ctx))
    if "arena" in options.sources:
        results.append(load_arena(ctx))
    build_benchmark_scores(ctx)

    if "hub" in options.sources:
        authors = attributed_authors(con) if options.hub_orgs else []
        results.append(load_hub(ctx, HubOptions(options.hub_limit, options.hub_orgs, options.hub_full), authors))
        stage_facts(ctx)
        with build.attached_previous() as attached:
            cached = carry_ancestors(ctx, attached)
        found, missing = fetch_ancestors(ctx, ctx.settings.ancestor_limit)
        if found or missing or cached:
            results[-1].detail += (f"; base models outside the scope: {found} fetched one by one, "
                                   f"{cached} kept from earlier runs, {missing} not found")
    else:
        with build.attached_previous() as attached:
            carry_facts(ctx, attached)
    build_models(con)
    con.execute("DROP TABLE IF EXISTS scratch._facts")

    if "hub" in options.sources:
        # one snapshot per model per day: a second run the same day replaces, never duplicates
        con.execute("DELETE FROM model_snapshots WHERE snapshot_date = ?", [ctx.snapshot_date])
        con.execute("""
            INSERT INTO model_snapshots
            SELECT ?::DATE, model_id, downloads_30d, downloads_all_time, likes, trending_score,
                   country, origin_country
            FROM models
        """, [ctx.snapshot_date])
    ctx.flush()
    return results


def _write_sources(ctx: RunContext, results: list[SourceResult]) -> None:
    for r in results:
        ctx.con.execute(
            "INSERT OR REPLACE INTO sources VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [r.source, r.url, r.fetched_at, r.changed_at, r.etag, r.last_modified, r.rows,
             ctx.record.run_id, r.detail or None])


def _write_runs(ctx: RunContext) -> None:
    """This run, plus every journal entry (failed runs) the published database does not have yet."""
    placeholders = ", ".join("?" for _ in RUN_COLUMNS)
    known = {r[0] for r in ctx.con.execute("SELECT run_id FROM runs").fetchall()}
    pending = [r for r in read_journal(ctx.settings.raw_dir) if r.run_id not in known and r.run_id != ctx.record.run_id]
    for r in [*pending, ctx.record]:
        ctx.con.execute(f"INSERT OR REPLACE INTO runs ({', '.join(RUN_COLUMNS)}) VALUES ({placeholders})",  # noqa: S608
                        list(r.as_row()))
