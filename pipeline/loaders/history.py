"""The ``history`` source: backfill ``model_snapshots`` from hub-stats' git history.

For the models of the database, one snapshot per chosen revision (weekly over the last year,
monthly before: :func:`pipeline.sources.history.pick_revisions`), marked ``source =
'hub-stats'``. A day already recorded, by a daily run or an earlier backfill, is not fetched
again, and a (day, model) that has a row keeps it: the two kinds of snapshot form one series,
never counted twice. Each revision read is stored in the run folder first, so a run that stops
resumes without reading it again; a revision that cannot be used is quarantined with its
reason and the others go on. All-time totals are stored as the dataset has them, even when one
is lower than an earlier one (huggingface_hub issue #4365): the charts clamp, the data does not.
"""

from __future__ import annotations

import os
from datetime import date

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.loaders import RunContext, SourceResult
from pipeline.sources.history import Commit, Skipped, list_commits, pick_revisions, read_revision
from pipeline.storage import insertion_order_kept

HISTORY_SOURCE = "hub-stats"  # model_snapshots.source of backfilled rows ('run' for a run's own)


def load_history(ctx: RunContext, since: date | None = None) -> SourceResult:
    con, settings = ctx.con, ctx.settings
    commits = list_commits(settings)
    picked = pick_revisions(commits, ctx.snapshot_date, since=since)
    known = {r[0] for r in con.execute("SELECT DISTINCT snapshot_date FROM model_snapshots").fetchall()}
    wanted = [c for c in picked if c.day not in known]
    ids = pa.array([r[0] for r in con.execute("SELECT model_id FROM models").fetchall()], pa.string())
    store = ctx.folder.path / "history"
    store.mkdir(parents=True, exist_ok=True)
    con.execute("CREATE OR REPLACE TABLE scratch._history (snapshot_date DATE, model_id VARCHAR, "
                "downloads_30d BIGINT, downloads_all_time BIGINT, likes BIGINT)")
    read = skipped = 0
    with ctx.progress.counter("history revisions", unit="revisions", total=len(wanted)) as bar:
        for commit in wanted:
            table = _revision(ctx, commit, ids, store)
            if table is None:
                skipped += 1
            else:
                read += 1
                part = table.append_column("snapshot_date", pa.array([commit.day] * table.num_rows, pa.date32()))
                con.register("_revision", part)
                con.execute("INSERT INTO scratch._history BY NAME SELECT * FROM _revision")
                con.unregister("_revision")
            bar.advance(1, read=read, skipped=skipped)
    with insertion_order_kept(con):  # by date, then id, as a run writes its own (pipeline.ingest)
        rows = con.execute(f"""
            INSERT INTO model_snapshots BY NAME
            SELECT h.snapshot_date, h.model_id, h.downloads_30d, h.downloads_all_time, h.likes,
                   m.country, m.origin_country, m.uploader_bucket, m.origin_bucket, '{HISTORY_SOURCE}' AS source
            FROM scratch._history h JOIN models m USING (model_id)
            WHERE NOT EXISTS (SELECT 1 FROM model_snapshots s
                              WHERE s.snapshot_date = h.snapshot_date AND s.model_id = h.model_id)
            ORDER BY h.snapshot_date, h.model_id
        """).fetchone()[0]  # noqa: S608 - a constant
    con.execute("DROP TABLE scratch._history")
    newest = max((c.day for c in commits), default=None)
    return SourceResult(
        "history", f"{settings.hub_endpoint}/datasets/{settings.history_repo}", rows, ctx.started,
        detail=f"{len(picked)} revisions chosen of {len(commits)} commits (weekly over the last year, monthly "
               f"before); {read} read, {skipped} skipped, {len(picked) - len(wanted)} days already recorded"
               + (f"; newest commit {newest}" if newest else ""))


def _revision(ctx: RunContext, commit: Commit, ids: pa.Array, store) -> pa.Table | None:
    """One revision's rows, from the run folder when a stopped run read it already."""
    path = store / f"{commit.day}-{commit.id[:12]}.parquet"
    if path.exists():
        return pq.read_table(path)
    try:
        table = read_revision(ctx.settings, commit, ids)
    except Skipped as exc:
        ctx.quarantine("history", f"{commit.day} {commit.id[:12]}", str(exc), {"commit": commit.id,
                                                                              "title": commit.title})
        ctx.progress.message(f"history: revision of {commit.day} skipped ({exc})")
        return None
    tmp = path.with_name(path.name + ".part")
    pq.write_table(table, tmp)
    os.replace(tmp, path)
    return table
