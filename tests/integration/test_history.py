"""The download-history backfill (``ingest --sources history``) against a loopback imitation of
the hub-stats dataset repository: commits, revisions, range reads of one Parquet file per commit.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.ingest import IngestOptions, ingest
from pipeline.progress import Progress
from pipeline.sources.history import Commit, pick_revisions
from tests.helpers import sql
from tests.loopback.datasets import DatasetRepoServer, Revision, commit_id
from tests.loopback.hub import HubServer

REPO = "cfahlgren1/hub-stats"
TODAY = datetime.now(UTC).date()
MODELS = ["Qwen/a", "meta-llama/b", "someone/c"]


def snapshot_file(downloads: dict[str, int], all_time: dict[str, int], extra_models: int = 20_000) -> bytes:
    """A models.parquet shaped like hub-stats' (more columns and more models than we read)."""
    ids = MODELS + [f"other/m{i}" for i in range(extra_models)]
    table = pa.table({
        "id": ids,
        "author": [i.split("/")[0] for i in ids],
        "downloads": [downloads.get(i, 5) for i in ids],
        "downloadsAllTime": [all_time.get(i, 50) for i in ids],
        "likes": [3] * len(ids),
        # wide columns we never read, as the real file has (cards, tags, configs): distinct per model
        "tags": [[f"dataset:org-{i}/corpus-{i * 7919 % 104729}", f"arxiv:{2400 + i}.{i * 31 % 99999:05d}"]
                 for i in range(len(ids))],
        "cardData": [f"license: other\nbase_model: {m}\n" + "x" * (40 + i % 17) for i, m in enumerate(ids)],
        "createdAt": ["2024-06-01T00:00:00.000Z"] * len(ids),
    })
    out = io.BytesIO()
    pq.write_table(table, out, row_group_size=10_000)
    return out.getvalue()


def history() -> list[Revision]:
    """Two commits a week (Tuesday and Thursday) for the 12 ISO weeks before this one; week 3's last
    file missing, week 5's cut short; `meta-llama/b`'s all-time total falls once (week 8).

    The weeks are ISO weeks, as the backfill picks them: counted back from today's date instead,
    a week's two commits straddled a Monday when the tests ran on a Monday or a Tuesday, and the
    picks were other files than the assertions expect."""
    this_monday = TODAY - timedelta(days=TODAY.weekday())
    revisions = []
    n = 0
    for week in range(12):
        for extra in (0, 2):
            day = this_monday - timedelta(weeks=12 - week) + timedelta(days=1 + extra)
            downloads = {"Qwen/a": 1000 + 100 * week, "meta-llama/b": 2000 - 50 * week, "someone/c": 10}
            all_time = {"Qwen/a": 10_000 + 1000 * week, "meta-llama/b": 50_000 + (900 if week != 8 else -700) * week,
                        "someone/c": 100}
            files = {"models.parquet": snapshot_file(downloads, all_time)}
            if week == 3 and extra == 2:
                files = {"README.md": b"# hub stats"}
            if week == 5 and extra == 2:
                files["models.parquet"] = files["models.parquet"][: len(files["models.parquet"]) // 2]
            revisions.append(Revision(commit_id(n), f"{day.isoformat()}T06:00:00.000Z", "Upload models.parquet", files))
            n += 1
    # and one today, the day the hub ingest recorded its own snapshot: that day is not read
    today = snapshot_file({"Qwen/a": 999_999}, {"Qwen/a": 9_999_999})
    revisions.append(Revision(commit_id(n), f"{TODAY.isoformat()}T06:00:00.000Z", "Upload models.parquet",
                              {"models.parquet": today}))
    return revisions


@pytest.fixture
def with_models(make_settings):
    records = [{"id": m, "author": m.split("/")[0], "downloads": 100, "likes": 1,
                "createdAt": "2024-06-01T00:00:00.000Z", "tags": []} for m in MODELS]
    with HubServer(records) as hub:
        settings = make_settings(HF_ENDPOINT=hub.url)
        ingest(settings, IngestOptions(sources=("hub",), hub_limit=10, hub_orgs=False), Progress.quiet())
    return settings


def test_picking_keeps_the_last_commit_of_each_week_then_of_each_month():
    commits = [Commit(str(i), TODAY - timedelta(days=i), "") for i in range(0, 800, 1)]
    picked = pick_revisions(commits, TODAY)
    recent = [c for c in picked if c.day >= TODAY - timedelta(days=365)]
    older = [c for c in picked if c.day < TODAY - timedelta(days=365)]
    assert len({c.day.isocalendar()[:2] for c in recent}) == len(recent)       # one per week
    assert len({(c.day.year, c.day.month) for c in older}) == len(older)       # one per month
    for c in recent:  # the latest day of its week among the commits
        same_week = [d for d in commits if d.day.isocalendar()[:2] == c.day.isocalendar()[:2]]
        assert c.day == max(d.day for d in same_week)
    assert [c.day for c in picked] == sorted(c.day for c in picked)


def test_the_backfill_reads_projected_columns_skips_bad_revisions_and_merges_with_runs(with_models, make_settings):
    revisions = history()
    with DatasetRepoServer(REPO, revisions) as repo:
        settings = make_settings(HF_ENDPOINT=repo.url, LANDSCAPE_DB=str(with_models.db_path),
                                 LANDSCAPE_RAW_DIR=str(with_models.raw_dir))
        record = ingest(settings, IngestOptions(sources=("history",)), Progress.quiet())
        first_read = repo.bytes_sent()
        repo.reset_log()
        again = ingest(settings, IngestOptions(sources=("history",)), Progress.quiet())
        second = repo.entries()
    db = settings.db_path
    assert record.status == "published" and again.status == "published"
    # 12 weekly picks (the later commit of each week); week 3's file is missing and week 5's is cut
    # short: both skipped with a reason, the other ten read, for our three models only
    reasons = sql(db, "SELECT record_key, reason FROM quarantine WHERE source = 'history' AND run_id = ? ORDER BY 1",
                  [record.run_id])
    assert len(reasons) == 2
    assert "no models.parquet" in reasons[0][1] and "cannot be read" in reasons[1][1]
    rows = sql(db, "SELECT snapshot_date, model_id, downloads_30d, downloads_all_time FROM model_snapshots "
                   "WHERE source = 'hub-stats' ORDER BY 1, 2")
    assert len(rows) == 10 * 3 and {r[1] for r in rows} == set(MODELS)
    week_day = {date.fromisoformat(r.date[:10]): i for i, r in enumerate(revisions)}
    for day, model, d30, total in rows:
        week = week_day[day] // 2
        assert week_day[day] % 2 == 1  # the later commit of its week
        if model == "Qwen/a":
            assert (d30, total) == (1000 + 100 * week, 10_000 + 1000 * week)
    # a falling all-time total is stored as the dataset has it (the charts clamp)
    falls = sql(db, "SELECT downloads_all_time FROM model_snapshots WHERE model_id = 'meta-llama/b' AND "
                    "source = 'hub-stats' ORDER BY snapshot_date")
    assert any(b < a for (a,), (b,) in zip(falls, falls[1:], strict=False))
    # the run's own snapshot (today) and the backfill's days: one row per day and model
    assert sql(db, "SELECT count(*) - count(DISTINCT (snapshot_date, model_id)) FROM model_snapshots") == [(0,)]
    assert sql(db, "SELECT count(*) FROM model_snapshots WHERE source = 'run'") == [(3,)]
    assert sql(db, "SELECT downloads_30d, source FROM model_snapshots WHERE model_id = 'Qwen/a' AND snapshot_date = ?",
               [TODAY]) == [(100, "run")]  # the run's own count, not the dataset's 999,999
    # column projection: far fewer bytes than the files hold
    whole = sum(len(r.files.get("models.parquet", b"")) for i, r in enumerate(revisions) if i % 2 == 1)
    assert first_read < whole / 2, (first_read, whole)
    # a second run reads no file again: every chosen day is recorded (the two bad ones are tried again)
    assert {e.path.split("/resolve/")[1].split("/")[0] for e in second if "/resolve/" in e.path} <= {
        revisions[7].commit, revisions[11].commit}


def test_a_dataset_that_cannot_be_listed_fails_the_source_and_keeps_the_rest(with_models, make_settings):
    with DatasetRepoServer("someone/else", history()) as repo:
        settings = make_settings(HF_ENDPOINT=repo.url, LANDSCAPE_DB=str(with_models.db_path),
                                 LANDSCAPE_RAW_DIR=str(with_models.raw_dir))
        with pytest.raises(Exception, match="history: cannot list the commits of cfahlgren1/hub-stats"):
            ingest(settings, IngestOptions(sources=("history",)), Progress.quiet())
    assert sql(with_models.db_path, "SELECT count(*) FROM models") == [(3,)]
