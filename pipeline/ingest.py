"""One ingest run: fetch the sources, build a new database, publish it — or publish nothing.

Order of a run:

1. lock, and open a new build file next to the published database;
2. carry the history tables over from the published database (snapshots, runs, quarantine,
   sources), and the tables of every source this run does not fetch;
3. Epoch first (its developer ids decide which Hub organisations are listed), then the
   benchmarks, the Arena and the Hub (every scope, or with ``refresh`` only what changed since
   the last run), resuming from pages stored by an earlier attempt with the same options;
4. derive organisations, attributed models and the search table, record today's adoption
   snapshot, then, when asked for (``history``), backfill older snapshots from hub-stats;
5. publish by atomic replace. Any exception before that discards the build file.

A source that fails (network, HTTP error, a file that makes no sense) does not stop the run:
its rows are put back as the previous database had them (none on a first run), the run goes
on with the other sources and publishes as ``partial``, and the ``sources`` table says which
source failed, when and why. The next run tries it again, resuming from the pages it stored.
Only when every source asked for fails is nothing published.

Example::

    >>> ingest(load_settings(), IngestOptions(sources=("epoch",)), Progress.quiet())   # doctest: +SKIP
    RunRecord(run_id='20261123T070000Z', status='published', …)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import UTC, date, datetime

from pipeline import gates
from pipeline.activity import ActivityFile
from pipeline.config import Settings
from pipeline.derive import attributed_authors, build_models, build_organizations, build_search
from pipeline.errors import ConfigError, PipelineError, SourceError, one_line
from pipeline.loaders import RunContext, SourceResult
from pipeline.loaders.benchmarks import (
    ARENA_ROWS,
    EPOCH_BENCHMARK_ROWS,
    build_benchmark_scores,
    load_arena,
    load_epoch_benchmarks,
)
from pipeline.loaders.epoch import load_epoch_models
from pipeline.loaders.history import HISTORY_SOURCE, load_history
from pipeline.loaders.hub import (
    HubOptions,
    carry_ancestors,
    carry_facts,
    fetch_ancestors,
    load_hub,
    merge_refresh,
    stage_facts,
)
from pipeline.progress import Progress
from pipeline.registry import load_registry
from pipeline.rollups import build_rollups
from pipeline.runs import (
    RUN_COLUMNS,
    STARTER_RUN,
    RunRecord,
    append_journal,
    new_run_id,
    open_run_folder,
    prune_run_folders,
    read_journal,
)
from pipeline.sources import DEFAULT_SOURCE_IDS, SOURCES
from pipeline.storage import Build, insertion_order_kept, table_counts

SOURCE_IDS = tuple(SOURCES)  # in the order a run fetches them
# A first run with network should finish in a few minutes within anonymous rate limits:
# 5 pages of the most downloaded models plus one or two pages per attributed organisation.
DEFAULT_HUB_LIMIT = 5000
HISTORY_TABLES = ("model_snapshots", "runs", "quarantine", "sources", "ancestor_misses")
# The rows each file source owns: put back from the previous database when the source is not
# fetched, or fails. The Hub's rows are its facts, rebuilt by `carry_facts` instead.
OWNED_ROWS: dict[str, tuple[str, str | None]] = {
    "epoch": ("releases", None),
    "benchmarks": ("benchmark_facts", EPOCH_BENCHMARK_ROWS),
    "arena": ("benchmark_facts", ARENA_ROWS),
    # backfilled snapshots: model_snapshots is carried whole as history; these are the rows a
    # failed backfill takes back
    "history": ("model_snapshots", f"source = '{HISTORY_SOURCE}'"),
}
# Ids an older database wrote in its `sources` table, renamed when it is carried over.
LEGACY_SOURCE_IDS = {"epoch_models": "epoch", "epoch_benchmarks": "benchmarks"}


@dataclass(frozen=True)
class IngestOptions:
    sources: tuple[str, ...] = DEFAULT_SOURCE_IDS  # `history` is fetched only when named
    hub_limit: int = DEFAULT_HUB_LIMIT
    hub_orgs: bool = True
    hub_full: bool = False
    accept_drop: tuple[str, ...] = ()  # sources published even if they shrank past the gates
    # Hub: only what changed since the last run (the top N again, then the changed models) on top
    # of the published models, instead of listing every scope again (``python -m pipeline refresh``)
    refresh: bool = False
    history_since: date | None = None  # the backfill's first day (default: the dataset's first commit)

    def __post_init__(self) -> None:
        unknown = [s for s in (*self.sources, *self.accept_drop) if s not in SOURCES]
        if unknown or not self.sources:
            raise ConfigError(f"unknown source {', '.join(unknown) or '(none)'}; "
                              f"choose from {', '.join(SOURCE_IDS)}")
        if self.hub_limit < 0:
            raise ConfigError("--hub-limit must be 0 or more")
        if "hub" in self.sources and not (self.hub_limit or self.hub_orgs or self.hub_full):
            raise ConfigError("the Hub source has no scope: give --hub-limit N, organisations or --hub-full")

    def ordered_sources(self) -> list[str]:
        return [s for s in SOURCE_IDS if s in self.sources]

    def fetch_key(self) -> dict:
        """What the run fetches (not how it publishes): a resumed run must have the same."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items() if k != "accept_drop"}

    def hub_scopes(self) -> list[str]:
        return [scope for scope, on in (("top", self.hub_limit > 0), ("org", self.hub_orgs), ("full", self.hub_full))
                if on]


@dataclass
class Outcome:
    """What the sources of one run did: their results, and the failures with their errors."""

    results: list[SourceResult]
    failures: dict[str, SourceError]

    def succeeded(self, source: str) -> bool:
        return any(r.source == source for r in self.results)


def stages(options: IngestOptions) -> list[IngestOptions]:
    """``ingest --staged``: the file sources first (published in seconds), then the Hub (minutes),
    each a run of its own, so the dashboard has Epoch's data long before the Hub's."""
    files = tuple(s for s in options.ordered_sources() if s not in ("hub", "history"))
    hub = tuple(s for s in options.ordered_sources() if s in ("hub", "history"))  # history needs the models
    return [replace(options, sources=part) for part in (files, hub) if part]


def ingest(settings: Settings, options: IngestOptions, progress: Progress) -> RunRecord:
    """Run one ingest; returns its record (status ``published`` or ``partial``).

    Raises :class:`PipelineError` (nothing published) when the run cannot build at all or every
    source asked for failed.
    """
    started = datetime.now(UTC)
    run_id = new_run_id(started)
    option_dict = options.fetch_key()
    record = RunRecord(run_id=run_id, started_at=started.isoformat(),
                       sources=",".join(options.ordered_sources()), options=option_dict)
    registry = load_registry()
    folder = None
    activity: ActivityFile | None = None
    try:
        with Build(settings.db_path) as build:
            # only once the lock is ours: a second ingest must not overwrite the first one's file
            activity = progress.report = ActivityFile(settings.db_path, record.sources)
            folder, record.resumed = open_run_folder(settings.raw_dir, option_dict, run_id)
            if record.resumed:
                progress.message(f"resuming run folder {folder.path} (pages already fetched are not fetched again)")
            ctx = RunContext(settings, build.con, folder, record, progress, build.staging_dir, started)
            outcome = _run(ctx, build, options, registry)
            record.notes = list(build.notes)
            for note in build.notes:
                progress.message(note)
            if not outcome.results:  # every source failed: there is nothing new to publish
                raise next(iter(outcome.failures.values()))
            record.failed_sources = {s: one_line(e) for s, e in outcome.failures.items()}
            record.status = "partial" if outcome.failures else "published"
            record.error = "; ".join(f"{s}: {reason}" for s, reason in record.failed_sources.items()) or None
            record.finished_at = datetime.now(UTC).isoformat()
            record.rows_written = {t: n for t, n in table_counts(build.con).items()
                                   if t in ("models", "releases", "organizations", "model_snapshots",
                                            "benchmark_scores")}
            _write_sources(ctx, outcome)
            _write_runs(ctx)
            progress.message("writing the rollups the dashboard reads")
            build_rollups(build.con)
            build.publish()
    except PipelineError as exc:
        _fail(settings, record, folder, str(exc), activity)
        raise
    except BaseException as exc:  # a bug or ^C: still record it, keep the traceback
        _fail(settings, record, folder, f"{type(exc).__name__}: {exc}", activity)
        raise
    finally:
        progress.report = None
    activity.finish(record.status)
    append_journal(settings.raw_dir, record)
    if outcome.failures:
        # keep the failed sources' stored pages for the next run to resume; the rest is published
        for source in SOURCE_IDS:
            if outcome.succeeded(source):
                folder.forget(source)
        folder.set_state(status="partial", published_run=run_id, failed=sorted(outcome.failures))
    else:
        folder.set_state(status="published", published_run=run_id)
    prune_run_folders(settings.raw_dir, keep=folder)
    return record


def _fail(settings: Settings, record: RunRecord, folder, error: str, activity: ActivityFile | None) -> None:
    record.status = "failed"
    record.finished_at = datetime.now(UTC).isoformat()
    record.error = one_line(error) if error else "failed"
    if activity is not None:
        activity.note(record.error)
        activity.finish("failed")
    append_journal(settings.raw_dir, record)
    if folder is not None:
        folder.set_state(status="failed", error=record.error)


def _attempt(ctx: RunContext, build: Build, options: IngestOptions, outcome: Outcome, source: str,
             load: Callable[[], SourceResult], restore: Callable[[], object]) -> bool:
    """Run one source's loader and its plausibility gate; on a :class:`SourceError`, put its
    previous rows back and go on."""
    try:
        result = load()
        compared = _gate(ctx, build, options, source)
        result.detail = "; ".join(part for part in (result.detail, compared) if part)
        if compared:
            ctx.progress.message(f"{SOURCES[source].label}: {compared}")
        outcome.results.append(result)
        return True
    except SourceError as exc:
        outcome.failures[source] = exc
        ctx.progress.message(f"{SOURCES[source].label}: failed ({one_line(exc)}); its previously published "
                             "data is kept and the next run tries again")
        restore()
        return False


def _gate(ctx: RunContext, build: Build, options: IngestOptions, source: str) -> str:
    """Compare what ``source`` is about to publish with what is published (see :mod:`pipeline.gates`)."""
    if source == "hub":  # the scopes this run listed, against the same scopes published before
        new, old, where, params = "scratch._facts", "prev.models", "list_contains(?::VARCHAR[], scope)", [
            options.hub_scopes()]
    else:
        table, rows = OWNED_ROWS[source]
        new, old, where, params = f"main.{table}", f"prev.{table}", rows or "true", []
    with build.attached_previous() as attached:
        # the bundled starter snapshot is a stand-in, not a fetch to guard: what replaces it is not
        # compared with it (a smaller or newer file than the snapshot's must still replace it)
        if attached and ctx.con.execute("SELECT 1 FROM prev.sources WHERE source = ? AND run_id = ?",
                                        [source, STARTER_RUN]).fetchall():
            return "replaces the bundled starter snapshot"
        comparisons = gates.compare(ctx.con, source, new, old, where, params) if attached else []
    return gates.check(source, comparisons, ctx.settings.max_drop, ctx.settings.max_share_drop,
                       source in options.accept_drop)


def _run(ctx: RunContext, build: Build, options: IngestOptions, registry) -> Outcome:
    con = ctx.con
    build.carry_over((*HISTORY_TABLES, "benchmark_facts"))
    for old, new in LEGACY_SOURCE_IDS.items():
        con.execute("UPDATE sources SET source = ? WHERE source = ?", [new, old])
    outcome = Outcome([], {})

    def file_source(source: str, load: Callable[[], SourceResult]) -> None:
        table, rows = OWNED_ROWS[source]
        if source in options.sources:
            _attempt(ctx, build, options, outcome, source, load, lambda: build.carry_over((table,), rows))
        elif table != "benchmark_facts":  # benchmark facts were carried whole above
            build.carry_over((table,), rows)

    file_source("epoch", lambda: load_epoch_models(ctx))
    build_organizations(con, registry)
    file_source("benchmarks", lambda: load_epoch_benchmarks(ctx))
    file_source("arena", lambda: load_arena(ctx))
    build_benchmark_scores(ctx)

    def carry_hub() -> None:
        with build.attached_previous() as attached:
            carry_facts(ctx, attached)

    if "hub" in options.sources:
        _attempt(ctx, build, options, outcome, "hub", lambda: _load_hub(ctx, build, options), carry_hub)
    else:
        carry_hub()
    build_models(con)
    build_search(con)
    con.execute("DROP TABLE IF EXISTS scratch._facts")

    if outcome.succeeded("hub"):
        # one snapshot per model per day: a second run the same day replaces, never duplicates.
        # A refresh records only the models it fetched: the others' counts are not today's.
        fetched_now = "fetched_at = ?" if options.refresh else "?::TIMESTAMPTZ IS NOT NULL"
        con.execute(f"""
            DELETE FROM model_snapshots WHERE snapshot_date = ?
              AND model_id IN (SELECT model_id FROM models WHERE {fetched_now})""",  # noqa: S608 - constants
                    [ctx.snapshot_date, ctx.started])
        # sorted by id: each date's rows then lie in row groups of narrow id ranges, so the model
        # page's history of one model reads one row group per date, not every snapshot (zone maps)
        with insertion_order_kept(con):
            con.execute(f"""
                INSERT INTO model_snapshots BY NAME
                SELECT ?::DATE AS snapshot_date, model_id, downloads_30d, downloads_all_time, likes, trending_score,
                       country, origin_country, uploader_bucket, origin_bucket, 'run' AS source
                FROM models WHERE {fetched_now} ORDER BY model_id
            """, [ctx.snapshot_date, ctx.started])  # noqa: S608
    if "history" in options.sources:
        # after today's snapshot: a day a run recorded keeps the run's counts
        table, rows = OWNED_ROWS["history"]
        _attempt(ctx, build, options, outcome, "history", lambda: load_history(ctx, options.history_since),
                 lambda: build.carry_over((table,), rows))
    ctx.flush()
    return outcome


def _high_water(build: Build) -> tuple[str, bool]:
    """A refresh's starting point: the newest ``lastModified`` among the published models (the
    Hub's own clock, so no skew with ours), and whether the database lists the whole Hub."""
    with build.attached_previous() as attached:
        row = build.con.execute("SELECT max(last_modified), bool_or(scope = 'full') FROM prev.models").fetchone() \
            if attached else (None, None)
    if row[0] is None:
        raise SourceError("refresh: the published database has no Hub models to refresh; run "
                          "`python -m pipeline ingest` first")
    return row[0].astimezone(UTC).isoformat(), bool(row[1])


def _load_hub(ctx: RunContext, build: Build, options: IngestOptions) -> SourceResult:
    """The Hub's listings into ``scratch._facts``, then the base models outside them."""
    authors = attributed_authors(ctx.con) if options.hub_orgs or options.refresh else []
    since, whole_hub = _high_water(build) if options.refresh else (None, False)
    result = load_hub(ctx, HubOptions(options.hub_limit, options.hub_orgs, options.hub_full, since), authors)
    stage_facts(ctx)
    if options.refresh:
        with build.attached_previous():
            updated, added = merge_refresh(ctx, authors, whole_hub)
        result.detail += f"; {updated:,} tracked models updated, {added:,} new ones added"
    with build.attached_previous() as attached:
        cached = carry_ancestors(ctx, attached)
    found, missing, stopped = fetch_ancestors(ctx, ctx.settings.ancestor_limit)
    if found or missing or cached or stopped:
        result.detail += (f"; base models outside the scope: {found} fetched one by one, "
                          f"{cached} kept from earlier runs, {missing} not found")
        if stopped:
            result.detail += f"; lookups stopped early: {stopped}"
    return result


def _write_sources(ctx: RunContext, outcome: Outcome) -> None:
    for r in outcome.results:
        ctx.con.execute(
            "INSERT OR REPLACE INTO sources VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'ok', NULL, NULL)",
            [r.source, r.url, r.fetched_at, r.changed_at, r.etag, r.last_modified, r.rows,
             ctx.record.run_id, r.detail or None])
    now = datetime.now(UTC)
    for source, exc in outcome.failures.items():
        # the last successful fetch stays as it was; the row says that the latest attempt failed
        ctx.con.execute("INSERT INTO sources (source) SELECT ? WHERE NOT EXISTS "
                        "(SELECT 1 FROM sources WHERE source = ?)", [source, source])
        ctx.con.execute("UPDATE sources SET status = 'failed', error = ?, failed_at = ? WHERE source = ?",
                        [one_line(exc), now, source])


def _write_runs(ctx: RunContext) -> None:
    """This run, plus every journal entry (failed runs) the published database does not have yet."""
    placeholders = ", ".join("?" for _ in RUN_COLUMNS)
    known = {r[0] for r in ctx.con.execute("SELECT run_id FROM runs").fetchall()}
    pending = [r for r in read_journal(ctx.settings.raw_dir) if r.run_id not in known and r.run_id != ctx.record.run_id]
    for r in [*pending, ctx.record]:
        ctx.con.execute(f"INSERT OR REPLACE INTO runs ({', '.join(RUN_COLUMNS)}) VALUES ({placeholders})",  # noqa: S608
                        list(r.as_row()))
