"""A damaged published database: every reader says so in one line, and `ingest` rebuilds without it.

Also: the same inputs give the same database whether it is built from nothing or over a
previous one (every choice among duplicate facts has a tiebreak).
"""

from __future__ import annotations

import io
import subprocess
import zipfile

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from pipeline.ingest import IngestOptions, ingest
from pipeline.progress import Progress
from pipeline.storage import check_database
from tests.app.conftest import APP
from tests.fixtures import EPOCH_ROWS, benchmark_zip, epoch_csv, fixture_env, fixture_servers
from tests.helpers import no_exceptions, sql

FILES = IngestOptions(sources=("epoch", "benchmarks", "arena"))


def truncate(path, share: float) -> None:
    with open(path, "r+b") as f:
        f.truncate(int(path.stat().st_size * share))


def test_a_sound_file_whose_free_blocks_were_cut_off_its_end_is_not_called_damaged(tmp_path):
    """DuckDB cuts free blocks off the end of the file at a checkpoint and still counts them among
    its blocks: the check compares the file with the blocks in use (a table dropped last, as a
    build replacing its tables does, left a sound database that the old check called cut short)."""
    path = tmp_path / "sound.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE meta (key VARCHAR, value VARCHAR); CREATE TABLE runs (run_id VARCHAR)")
    for table, rows in (("kept", 200_000), ("dropped", 300_000)):
        con.execute(f"CREATE TABLE {table} AS "  # noqa: S608 - constants
                    f"SELECT range AS x, md5(range::VARCHAR) AS y FROM range({rows})")
        con.execute("CHECKPOINT")
    con.execute("DROP TABLE dropped")
    con.execute("CHECKPOINT")
    con.close()
    with duckdb.connect(str(path), read_only=True) as con:
        (_, _, block_size, total_blocks, used_blocks, *_), = con.execute("PRAGMA database_size").fetchall()
        assert block_size * used_blocks <= path.stat().st_size < block_size * total_blocks
        check_database(con, path, current_schema=False)  # sound: raises nothing
        assert con.execute("SELECT count(*) FROM kept").fetchone() == (200_000,)


@pytest.fixture
def damaged(tmp_path, cli_env):
    """A published database cut to half its size, with the servers that built it still up."""
    with fixture_servers() as (hub, static):
        env = cli_env(**fixture_env(hub.url, static.url, tmp_path / "landscape.duckdb", tmp_path / "raw"))
        from pipeline.config import load_settings

        settings = load_settings(env)
        ingest(settings, IngestOptions(hub_limit=1000, hub_orgs=False), Progress.quiet())
        truncate(settings.db_path, 0.5)
        yield settings, env


def test_status_and_export_say_so_in_one_line(damaged, python, tmp_path):
    settings, env = damaged
    status = subprocess.run([python, "-m", "pipeline", "status"], env=env, capture_output=True, text=True)
    assert status.returncode == 5 and "Traceback" not in status.stderr
    assert "is damaged" in status.stdout and "python -m pipeline ingest" in status.stdout
    for dataset in ("releases", "models"):
        out = tmp_path / f"{dataset}.csv"
        done = subprocess.run([python, "-m", "pipeline", "export", "--dataset", dataset, "--format", "csv",
                               "--out", str(out)], env=env, capture_output=True, text=True)
        assert done.returncode == 5 and not out.exists(), done.stderr
        (line,) = done.stderr.strip().splitlines()
        assert line.startswith("error: the database at") and "is damaged" in line and len(line) < 400


def test_every_page_says_so_in_one_line(damaged, monkeypatch):
    settings, _ = damaged
    monkeypatch.setenv("LANDSCAPE_DB", str(settings.db_path))
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    for page in ("openness", "adoption", "gap", "explorer", "methodology"):
        no_exceptions(at)
        assert any("is damaged" in e.value and "python -m pipeline ingest" in e.value for e in at.error), page
        at.switch_page(f"pages/{page}.py")
        at.run()


def test_ingest_rebuilds_without_it_and_keeps_it_aside(damaged, python):
    settings, env = damaged
    done = subprocess.run([python, "-m", "pipeline", "ingest", "--hub-limit", "1000", "--no-hub-orgs"], env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    aside = list(settings.db_path.parent.glob("landscape.duckdb.damaged-*"))
    assert len(aside) == 1 and aside[0].stat().st_size > 0
    assert "could not be read" in done.stderr and aside[0].name in done.stderr
    assert sql(settings.db_path, "SELECT count(*) FROM releases")[0][0] == len(EPOCH_ROWS)
    assert sql(settings.db_path, "SELECT count(*) FROM models")[0][0] > 0
    # what could not be carried over is recorded with the run, never dropped in silence
    (notes,), = sql(settings.db_path, "SELECT notes FROM runs WHERE notes IS NOT NULL")
    assert "set aside" in notes and ("history" in notes or "could not be read" in notes)
    status = subprocess.run([python, "-m", "pipeline", "status"], env=env, capture_output=True, text=True)
    assert status.returncode == 0 and "note: the published database could not be read" in status.stdout


def test_history_the_damaged_file_still_holds_is_carried(damaged_in_the_middle):
    """Blocks of `models` corrupted, the rest intact: the build sets the file aside and still carries
    the history tables it can read, table by table; what it cannot read is reported."""
    settings, runs_before, snapshots_before = damaged_in_the_middle
    run = ingest(settings, FILES, Progress.quiet())  # not the Hub: its rows cannot come from the damaged file
    assert any("set aside" in note for note in run.notes)
    assert set(runs_before) <= set(sql(settings.db_path, "SELECT run_id FROM runs"))
    assert sql(settings.db_path, "SELECT count(*) FROM model_snapshots") == snapshots_before
    assert sql(settings.db_path, "SELECT count(*) FROM models") == [(0,)]  # rebuilt from the sources fetched


@pytest.fixture
def damaged_in_the_middle(tmp_path):
    with fixture_servers() as (hub, static):
        from pipeline.config import load_settings

        settings = load_settings(fixture_env(hub.url, static.url, tmp_path / "landscape.duckdb", tmp_path / "raw"))
        ingest(settings, IngestOptions(hub_limit=1000, hub_orgs=False, hub_full=True), Progress.quiet())
        runs = sql(settings.db_path, "SELECT run_id FROM runs")
        snapshots = sql(settings.db_path, "SELECT count(*) FROM model_snapshots")
        corrupt_a_table(settings.db_path, "models")
        yield settings, runs, snapshots


def corrupt_a_table(path, table: str) -> None:
    """Flip bytes in the file until reading ``table`` fails its block checksums (and only that table)."""
    import duckdb

    size = path.stat().st_size
    for start in range(size // 8, size, size // 16):
        copy = path.read_bytes()
        data = bytearray(copy)
        for offset in range(start, min(size, start + 65536), 512):
            data[offset] ^= 0xFF
        path.write_bytes(bytes(data))
        con = None
        try:
            con = duckdb.connect(str(path), read_only=True)
            broken = set()
            for name in ("models", "model_snapshots", "runs", "sources", "quarantine", "releases"):
                try:
                    con.execute(f"SELECT bit_xor(hash(COLUMNS(*))) FROM {name}").fetchall()
                except duckdb.Error:
                    broken.add(name)
        except duckdb.Error:
            broken = {"everything"}
        finally:
            if con is not None:
                con.close()
        if broken == {table}:
            return
        path.write_bytes(copy)
    pytest.fail(f"could not damage {table} alone in {path}")


def _with_duplicates(archive: bytes) -> bytes:
    """The fixture archive with one model listed twice in a benchmark file (different scores, names)."""
    source = zipfile.ZipFile(io.BytesIO(archive))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "gpqa_diamond.csv":
                lines = data.decode().splitlines()
                twin = lines[1].split(",")
                twin[1] = twin[2] = "0.99"
                data = "\n".join([*lines, ",".join(twin), lines[3]]).encode() + b"\n"
            target.writestr(name, data)
    return out.getvalue()


TABLES = {
    "releases": "SELECT * FROM releases",
    "organizations": "SELECT * FROM organizations",
    "benchmark_scores": "SELECT * FROM benchmark_scores",
    "models": "SELECT * EXCLUDE (fetched_at) FROM models",
}


def test_built_from_nothing_equals_built_over_a_previous_database(tmp_path):
    files = {"/epoch/all_ai_models.csv": epoch_csv([*EPOCH_ROWS, {**EPOCH_ROWS[0], "Model": "Llama twin"}]),
             "/epoch/benchmark_data.zip": _with_duplicates(benchmark_zip())}
    with fixture_servers(files) as (hub, static):
        from pipeline.config import load_settings

        options = IngestOptions(hub_limit=1000, hub_orgs=False, hub_full=True)
        fresh = load_settings(fixture_env(hub.url, static.url, tmp_path / "a.duckdb", tmp_path / "raw-a"))
        ingest(fresh, options, Progress.quiet())
        again = load_settings(fixture_env(hub.url, static.url, tmp_path / "b.duckdb", tmp_path / "raw-b"))
        # an earlier build with the rows in another order, then the same inputs as the fresh one
        static.set_file("/epoch/all_ai_models.csv", epoch_csv(list(reversed(EPOCH_ROWS))))
        ingest(again, options, Progress.quiet())
        static.set_file("/epoch/all_ai_models.csv", files["/epoch/all_ai_models.csv"])
        ingest(again, options, Progress.quiet())
        ingest(again, IngestOptions(sources=("benchmarks",)), Progress.quiet())
    for table, query in TABLES.items():
        a = sorted(sql(fresh.db_path, query), key=repr)
        b = sorted(sql(again.db_path, query), key=repr)
        assert a == b, table
