"""Hub listings → Parquet staging files → deduplicated facts → :func:`pipeline.derive.build_models`.

The main process only fetches: each page is checked (a JSON array, a sane ``Link``) and
stored under the run folder. Worker processes (:mod:`pipeline.transform.hub_pages`) read stored
pages back, validate and transform every record (:func:`pipeline.transform.hub_records.hub_row`)
and write one Parquet file per page into the build's staging folder, with a Parquet file of
quarantined records beside it.
Fetching and transforming so overlap on separate cores, and no process ever holds more than a
few pages: memory stays flat whether the run lists five thousand models or the whole Hub.
DuckDB then reads all staging files at once to deduplicate (a model listed by several scopes
is kept once, the first-listed scope winning).
"""

from __future__ import annotations

import multiprocessing
import os
import re
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass

import duckdb
import orjson

from pipeline.errors import SourceError, one_line
from pipeline.loaders import RunContext, SourceResult
from pipeline.loaders.buffer import RowBuffer
from pipeline.registry import teacher_datasets
from pipeline.sources.hub import (
    HubClient,
    Stream,
    author_stream,
    changed_stream,
    fetch_stream,
    full_hub_stream,
    top_models_stream,
)
from pipeline.sources.raw import PageStore
from pipeline.storage import insertion_order_kept
from pipeline.transform.hub_pages import STAGING_SCHEMA, PageJob, start_worker, transform_page
from pipeline.transform.hub_records import STAGING_COLUMNS, Quarantined, hub_row

FACT_COLUMNS = STAGING_COLUMNS  # the columns of `models` that come from the Hub itself
# Their DuckDB types, for a NULL column when an older database lacks one.
STAGING_TYPES = tuple((f.name, {"string": "VARCHAR", "bool": "BOOLEAN", "int64": "BIGINT", "double": "DOUBLE",
                                "list<item: string>": "VARCHAR[]", "timestamp[us, tz=UTC]": "TIMESTAMPTZ"}[str(f.type)])
                      for f in STAGING_SCHEMA)
SCOPE_RANK = {"top": 0, "org": 1, "full": 2, "ancestor": 3, "changed": 4}
# Pages waiting for a worker, per worker: enough to keep workers busy, few enough to bound memory.
QUEUE_PER_WORKER = 3


@dataclass(frozen=True)
class HubOptions:
    limit: int          # top-N by downloads; 0 skips that scope
    orgs: bool          # every model of each attributed organisation
    full: bool          # the whole Hub
    changed_since: str | None = None  # a refresh: the top-N again, then what changed since this time


def plan_streams(options: HubOptions, authors: list[str]) -> list[Stream]:
    """The listings a run reads, in order. A refresh reads the top N again (fresh 30-day counts)
    and the models changed since the last run, which include every new model of a tracked
    organisation: one stream instead of one listing per organisation."""
    if options.changed_since is not None:
        return [*([top_models_stream(options.limit)] if options.limit > 0 else []),
                changed_stream(options.changed_since)]
    streams: list[Stream] = []
    if options.full:
        streams.append(full_hub_stream())
    if options.limit > 0:
        streams.append(top_models_stream(options.limit))
    if options.orgs:
        streams.extend(author_stream(a) for a in authors)
    return streams


def worker_count() -> int:
    """Transform workers: one per core. The main process mostly waits on the network while the
    workers parse and transform, so it needs no core of its own."""
    return max(1, (os.cpu_count() or 2))


def load_hub(ctx: RunContext, options: HubOptions, authors: list[str]) -> SourceResult:
    """Fetch every planned listing (resuming from stored pages) and stage it for :func:`stage_facts`."""
    client = HubClient(ctx.settings, ctx.progress)
    staging = ctx.staging_dir / "hub"
    staging.mkdir(parents=True, exist_ok=True)
    workers = worker_count()
    pending: deque[Future] = deque()
    written = 0

    def collect(future: Future) -> None:
        nonlocal written
        records, rows, bad = future.result()
        ctx.record.records_seen += records
        ctx.record.quarantined += bad
        written += rows

    # "spawn": the main process holds DuckDB and HTTP threads, which a fork must not copy.
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                             initializer=start_worker, initargs=(os.getpid(),)) as pool, \
            client.watching_backoff():
        for index, stream in enumerate(plan_streams(options, authors)):
            store = PageStore(ctx.folder.path / "hub" / stream.key)
            for page in fetch_stream(client, store, stream, ctx.progress):
                if page.from_checkpoint:
                    ctx.record.pages_reused += 1
                else:
                    ctx.record.pages_fetched += 1
                job = PageJob(str(store.path(page.number)), str(staging / f"{index:05d}-{page.number:06d}"),
                              stream.scope, (index << 40) | (page.number << 16), len(page.records),
                              ctx.record.run_id, ctx.started.isoformat())
                pending.append(pool.submit(transform_page, job))
                while len(pending) > workers * QUEUE_PER_WORKER:
                    collect(pending.popleft())
        while pending:
            collect(pending.popleft())
    ctx.record.rate_limit_waits += client.waits.waits
    ctx.record.rate_limit_wait_seconds += client.waits.seconds
    ctx.record.hub_requests += client.requests
    scopes = []
    if options.changed_since is not None:
        scopes.append(f"refresh: models changed since {options.changed_since[:19]}")
    if options.full:
        scopes.append("full hub")
    if options.limit:
        scopes.append(f"top {options.limit:,} by downloads")
    if options.orgs and options.changed_since is None:
        scopes.append(f"all models of {len(authors)} organisations")
    return SourceResult("hub", ctx.settings.hub_endpoint, written, ctx.started, ctx.started,
                        detail="; ".join(scopes))


def _write_facts(con: duckdb.DuckDBPyConnection, select: str, params: list) -> None:
    """``scratch._facts`` from ``select``, most downloaded first.

    ``models`` keeps the facts' order (pipeline.derive.build_models), and in that order each row
    group holds a narrow band of counts, so the pages' "most downloaded" lists and the Explorer's
    default sort skip nearly every row group (zone maps) instead of reading millions of rows. The
    order is kept only when insertion order is preserved, which the build connection otherwise
    does not.
    """
    with insertion_order_kept(con):
        con.execute(f"CREATE OR REPLACE TABLE scratch._facts AS {select} "  # noqa: S608 - our own SQL
                    "ORDER BY downloads_30d DESC NULLS LAST, model_id", params)


def stage_facts(ctx: RunContext) -> int:
    """``scratch._facts``: one row per model id from the staging files; quarantine rows recorded.

    Most ids appear once; only the duplicated ones pay for ranking.
    """
    staging = ctx.staging_dir / "hub"
    rows = sorted(str(p) for p in staging.glob("*.parquet") if not p.name.endswith(".quarantine.parquet"))
    bad = sorted(str(p) for p in staging.glob("*.quarantine.parquet"))
    columns = ", ".join(FACT_COLUMNS)
    con = ctx.con
    if not rows:
        con.execute(f"CREATE OR REPLACE TABLE scratch._facts AS SELECT {columns} FROM models WHERE false")  # noqa: S608
    else:
        ranks = " ".join(f"WHEN '{scope}' THEN {rank}" for scope, rank in SCOPE_RANK.items())
        # a narrow pass finds the duplicates' losers; the wide pass copies everything else once
        con.execute(f"""
            CREATE OR REPLACE TABLE scratch._losers AS
            WITH ids AS (SELECT model_id, scope, seq FROM read_parquet(?))
            SELECT seq FROM (
                SELECT seq, row_number() OVER (
                    PARTITION BY model_id ORDER BY CASE scope {ranks} ELSE 9 END, seq) AS n
                FROM ids WHERE model_id IN (SELECT model_id FROM ids GROUP BY model_id HAVING count(*) > 1)
            ) WHERE n > 1
        """, [rows])  # noqa: S608 - constants only
        _write_facts(con, f"SELECT {columns} FROM read_parquet(?) "  # noqa: S608 - constants only
                          "WHERE seq NOT IN (SELECT seq FROM scratch._losers)", [rows])
        con.execute("DROP TABLE scratch._losers")
    if bad:
        con.execute("INSERT INTO quarantine SELECT * FROM read_parquet(?)", [bad])
    return con.execute("SELECT count(*) FROM scratch._facts").fetchone()[0]


def _previous_facts(ctx: RunContext) -> str:
    """The fact columns of ``prev.models``, by name: a column an older database lacks is NULL."""
    have = {r[0] for r in ctx.con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE database_name = 'prev' AND table_name = 'models'").fetchall()}
    return ", ".join(c if c in have else f"CAST(NULL AS {dict(STAGING_TYPES)[c]}) AS {c}" for c in FACT_COLUMNS)


def carry_facts(ctx: RunContext, attached: bool) -> int:
    """``scratch._facts`` from the previous database's models, for a run that does not fetch the Hub."""
    if attached:
        select = f"SELECT {_previous_facts(ctx)} FROM prev.models"  # noqa: S608 - our own names
    else:
        select = f"SELECT {', '.join(FACT_COLUMNS)} FROM models"  # noqa: S608 - an empty table: the schema
    _write_facts(ctx.con, select, [])
    return ctx.con.execute("SELECT count(*) FROM scratch._facts").fetchone()[0]


ANCESTOR_RETRY_DAYS = 30  # a base model not found is asked for again after this long


def merge_refresh(ctx: RunContext, authors: list[str], whole_hub: bool) -> tuple[int, int]:
    """A refresh's facts: what it fetched, on top of the previous database's models.

    Of the changed models, those already tracked are updated (keeping the scope they were
    fetched under), new ones are added when their author is a tracked organisation (or the
    database lists the whole Hub); the rest of the Hub's changes are not this database's scope.
    Every previous model not fetched again is kept as it was. Returns (updated, added).
    """
    con = ctx.con
    con.execute(f"CREATE OR REPLACE TABLE scratch._prev AS SELECT {_previous_facts(ctx)} FROM prev.models")  # noqa: S608
    con.execute("""
        DELETE FROM scratch._facts WHERE scope = 'changed'
          AND model_id NOT IN (SELECT model_id FROM scratch._prev)
          AND NOT (? OR list_contains(?, lower(author)))
    """, [whole_hub, [a.lower() for a in authors]])
    (updated, added), = con.execute("""
        SELECT count(*) FILTER (WHERE model_id IN (SELECT model_id FROM scratch._prev)),
               count(*) FILTER (WHERE model_id NOT IN (SELECT model_id FROM scratch._prev))
        FROM scratch._facts""").fetchall()
    con.execute("""
        UPDATE scratch._facts f SET scope = coalesce(p.scope, CASE WHEN ? THEN 'full' ELSE 'org' END)
        FROM (SELECT f2.model_id, p2.scope FROM scratch._facts f2 LEFT JOIN scratch._prev p2 USING (model_id)
              WHERE f2.scope = 'changed') p
        WHERE f.model_id = p.model_id
    """, [whole_hub])
    con.execute("INSERT INTO scratch._facts BY NAME SELECT * FROM scratch._prev "
                "WHERE model_id NOT IN (SELECT model_id FROM scratch._facts)")
    con.execute("DROP TABLE scratch._prev")
    return updated, added


def carry_ancestors(ctx: RunContext, attached: bool) -> int:
    """Add base models fetched one by one by earlier runs to ``scratch._facts`` (the cache)."""
    if not attached:
        return 0
    before = ctx.con.execute("SELECT count(*) FROM scratch._facts").fetchone()[0]
    ctx.con.execute(f"""
        INSERT INTO scratch._facts BY NAME
        SELECT {_previous_facts(ctx)} FROM prev.models
        WHERE scope = 'ancestor' AND model_id NOT IN (SELECT model_id FROM scratch._facts)
    """)  # noqa: S608 - constants only
    return ctx.con.execute("SELECT count(*) FROM scratch._facts").fetchone()[0] - before


def _missing_bases(ctx: RunContext, room: int) -> list[str]:
    return [r[0] for r in ctx.con.execute("""
        SELECT DISTINCT b FROM (SELECT unnest(base_models) AS b FROM scratch._facts)
        WHERE b NOT IN (SELECT model_id FROM scratch._facts)
          AND b NOT IN (SELECT model_id FROM ancestor_misses WHERE checked_at > now() - to_days(?))
        ORDER BY b LIMIT ?
    """, [ANCESTOR_RETRY_DAYS, room]).fetchall()]


def fetch_ancestors(ctx: RunContext, limit: int) -> tuple[int, int, str | None]:
    """Fetch base models outside the ingested scope through the single-model endpoint, hop by hop.

    At most ``limit`` lookups per run; found ones join ``scratch._facts`` (scope ``ancestor``, kept
    by later runs), missing ones are remembered in ``ancestor_misses``. Bodies are stored in the
    run folder, so a resumed run does not ask again. Returns (found, missing, why the lookups
    stopped early or None): the listing is the Hub's data, ancestors only complete its lineage,
    so a lookup that fails ends the lookups, not the run.
    """
    if limit <= 0:
        return 0, 0, None
    client = HubClient(ctx.settings, ctx.progress)
    store = ctx.folder.path / "hub" / "ancestors"
    store.mkdir(parents=True, exist_ok=True)
    buffer = RowBuffer(ctx.con, "scratch._facts", STAGING_SCHEMA)
    found = missing = asked = 0
    stopped: str | None = None
    with ctx.progress.counter("hub ancestors", unit="models") as bar, client.watching_backoff():
        try:
            while asked < limit:
                wanted = _missing_bases(ctx, limit - asked)
                if not wanted:
                    break
                for model_id in wanted:
                    asked += 1
                    found_one = _ancestor(ctx, client, store, model_id, buffer)
                    found += found_one
                    missing += not found_one
                    bar.advance(1, found=found, missing=missing)
                buffer.flush()
        except SourceError as exc:
            stopped = one_line(exc)
            ctx.progress.message(f"hub ancestors: lookups stopped ({stopped}); the listing is kept")
    buffer.flush()
    ctx.record.rate_limit_waits += client.waits.waits
    ctx.record.rate_limit_wait_seconds += client.waits.seconds
    ctx.record.hub_requests += client.requests
    ctx.flush()
    return found, missing, stopped


def _ancestor(ctx: RunContext, client: HubClient, store, model_id: str, buffer: RowBuffer) -> bool:
    """Look one base model up (or read the answer a resumed run stored); True when it was found."""
    cached = store / (re.sub(r"[^A-Za-z0-9._-]", "_", model_id) + ".json")
    if cached.exists():
        record = orjson.loads(cached.read_bytes())
    else:
        record = client.model_info(model_id)
        cached.write_bytes(orjson.dumps(record))
    if not isinstance(record, dict):
        ctx.con.execute("INSERT INTO ancestor_misses VALUES (?, now(), 'not found on the Hub')", [model_id])
        return False
    row = hub_row(record, "ancestor", ctx.started, teacher_datasets())
    if isinstance(row, Quarantined):
        ctx.quarantine("hub", model_id, str(row), record)
        ctx.con.execute("INSERT INTO ancestor_misses VALUES (?, now(), ?)", [model_id, str(row)])
        return False
    buffer.add(row)
    return True
