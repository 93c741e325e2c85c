"""Epoch's Benchmarking Hub archive and LMArena's data folder over loopback, through the pipeline."""

from __future__ import annotations

import csv
import io
import subprocess

import pytest

from pipeline.errors import SourceError
from pipeline.ingest import IngestOptions, ingest
from pipeline.progress import Progress
from tests.fixtures import ARENA_ROWS, ECI_ROWS, arena_files, benchmark_zip, epoch_csv
from tests.helpers import sql as query
from tests.loopback import burst
from tests.loopback.static import StaticServer

ALL_BUT_HUB = IngestOptions(sources=("epoch", "benchmarks", "arena"))




@pytest.fixture
def files():
    with StaticServer({"/m.csv": epoch_csv(), "/b/benchmark_data.zip": benchmark_zip(), **arena_files()}) as server:
        yield server


def settings_for(make_settings, files, **extra):
    return make_settings(LANDSCAPE_EPOCH_MODELS_URL=files.url_for("/m.csv"),
                         LANDSCAPE_EPOCH_BENCHMARKS_URL=files.url_for("/b/benchmark_data.zip"),
                         LANDSCAPE_ARENA_URL=files.url_for("/arena/"), **extra)


def test_scores_load_with_accessibility_and_country(make_settings, files):
    settings = settings_for(make_settings, files)
    ingest(settings, ALL_BUT_HUB, Progress.quiet())
    db = settings.db_path
    counts = dict(query(db, "SELECT benchmark, count(*) FROM benchmark_scores GROUP BY 1"))
    assert counts == {"eci": len(ECI_ROWS) - 1, "gpqa_diamond": 11, "mmlu": 2, "arena_text": len(ARENA_ROWS)}
    # the ECI file states accessibility itself
    assert query(db, "SELECT accessibility_group, accessibility_from, country FROM benchmark_scores "
                     "WHERE benchmark = 'eci' AND model = 'DeepSeek-R1'") == [("open", "source", "CN")]
    # GPQA rows take it from the ECI file's entry for the same model version...
    assert query(db, "SELECT accessibility_group, accessibility_from, release_date::VARCHAR FROM benchmark_scores "
                     "WHERE benchmark = 'gpqa_diamond' AND model = 'gpt-4o-2024-05-13'") == \
        [("closed", "eci", "2024-05-13")]
    # ...or from the matched Epoch release, and the date written into the key
    assert query(db, "SELECT accessibility_group, accessibility_from, release_model, release_date::VARCHAR, country "
                     "FROM benchmark_scores WHERE model = 'claude-opus-4-20250522'") == \
        [("closed", "release", "Claude Opus 4", "2025-05-22", "US")]
    # stderr becomes the uncertainty band
    assert query(db, "SELECT score_low, score_high FROM benchmark_scores WHERE benchmark = 'gpqa_diamond' "
                     "AND model = 'DeepSeek-R1'") == [(pytest.approx(0.68), pytest.approx(0.74))]


def test_arena_licence_decides_open_or_closed_and_dates_come_from_epoch(make_settings, files):
    settings = settings_for(make_settings, files)
    ingest(settings, ALL_BUT_HUB, Progress.quiet())
    rows = {r[0]: r[1:] for r in query(settings.db_path, """
        SELECT model, accessibility_group, accessibility_from, release_date::VARCHAR, country, score_low
        FROM benchmark_scores WHERE source = 'arena'""")}
    assert rows["deepseek-r1"][:2] == ("open", "source") and rows["gpt-5"][:2] == ("closed", "source")
    assert rows["gpt-5"][2] == "2025-08-07"             # from Epoch's ECI entry for GPT-5
    assert rows["gpt-4o-2024-05-13"][2] == "2024-05-13"  # written into the key
    assert rows["kimi-k2-0711-preview"][2] == "2025-07-11" and rows["kimi-k2-0711-preview"][3] == "CN"
    assert rows["mystery-model"][2] is None              # no date anywhere: kept, not analysed
    assert rows["deepseek-r1"][4] == pytest.approx(1353.0)


def test_ecl_counts_benchmarks_behind_each_score(make_settings, files):
    settings = settings_for(make_settings, files)
    ingest(settings, ALL_BUT_HUB, Progress.quiet())
    counts = dict(query(settings.db_path, "SELECT model, benchmark_count FROM benchmark_scores WHERE benchmark = 'eci'"))
    assert counts["gpt-4o-2024-05-13"] == 2 and counts["DeepSeek-R1"] == 1 and counts["gpt-4-0314"] == 0


def test_the_newer_eci_layout_with_intervals(make_settings):
    with StaticServer({"/m.csv": epoch_csv(), "/b.zip": benchmark_zip(newer_layout=True)}) as server:
        settings = make_settings(LANDSCAPE_EPOCH_MODELS_URL=server.url_for("/m.csv"),
                                 LANDSCAPE_EPOCH_BENCHMARKS_URL=server.url_for("/b.zip"))
        ingest(settings, IngestOptions(sources=("epoch", "benchmarks")), Progress.quiet())
    row = query(settings.db_path, "SELECT score, score_low, score_high, accessibility_group FROM benchmark_scores "
                                  "WHERE benchmark = 'eci' AND model = 'DeepSeek-R1'")
    assert row == [(137.0, 134.0, 140.0, "open")]


def test_benchmark_sources_are_carried_over_when_not_fetched(make_settings, files):
    settings = settings_for(make_settings, files)
    ingest(settings, ALL_BUT_HUB, Progress.quiet())
    before = query(settings.db_path, "SELECT count(*) FROM benchmark_scores")
    ingest(settings, IngestOptions(sources=("epoch",)), Progress.quiet())
    assert query(settings.db_path, "SELECT count(*) FROM benchmark_scores") == before
    ingest(settings, IngestOptions(sources=("arena",)), Progress.quiet())
    assert query(settings.db_path, "SELECT count(*) FROM benchmark_scores") == before
    conditional = [e for e in files.entries() if e.path.startswith("/arena/")][-2:]
    assert [e.status for e in conditional] == [304, 304]  # unchanged files are not downloaded again


def test_a_5xx_burst_on_the_archive_is_retried(make_settings, files):
    files.set_faults(path_faults={"/b/benchmark_data.zip": burst("503", 2)})
    settings = settings_for(make_settings, files, LANDSCAPE_HTTP_RETRIES="3")
    run = ingest(settings, ALL_BUT_HUB, Progress.quiet())
    assert run.rows_written["benchmark_scores"] > 0


def test_an_archive_without_scores_fails_that_source_only(make_settings):
    with StaticServer({"/m.csv": epoch_csv(), "/b.zip": b"PK\x05\x06" + b"\0" * 18}) as server:
        settings = make_settings(LANDSCAPE_EPOCH_MODELS_URL=server.url_for("/m.csv"),
                                 LANDSCAPE_EPOCH_BENCHMARKS_URL=server.url_for("/b.zip"))
        run = ingest(settings, IngestOptions(sources=("epoch", "benchmarks")), Progress.quiet())
        with pytest.raises(SourceError, match="holds no CSV"):  # alone, it publishes nothing
            ingest(settings, IngestOptions(sources=("benchmarks",)), Progress.quiet())
    assert run.status == "partial" and list(run.failed_sources) == ["benchmarks"]
    assert "holds no CSV" in run.failed_sources["benchmarks"]
    assert query(settings.db_path, "SELECT count(*) FROM releases")[0][0] > 0
    assert query(settings.db_path, "SELECT count(*) FROM benchmark_scores") == [(0,)]
    assert query(settings.db_path, "SELECT status FROM sources WHERE source = 'benchmarks'") == [("failed",)]


def test_a_malformed_arena_file_fails_that_source_only(make_settings, files):
    settings = settings_for(make_settings, files)
    ingest(settings, ALL_BUT_HUB, Progress.quiet())
    arena_before = query(settings.db_path, "SELECT count(*) FROM benchmark_scores WHERE source = 'arena'")
    files.set_file("/arena/leaderboard-text.json", b"{not json")
    run = ingest(settings, ALL_BUT_HUB, Progress.quiet())
    assert run.status == "partial" and "not valid JSON" in run.failed_sources["arena"]
    # the Arena's previous scores keep serving, the other sources are refreshed
    assert query(settings.db_path, "SELECT count(*) FROM benchmark_scores WHERE source = 'arena'") == arena_before
    (status, error), = query(settings.db_path, "SELECT status, error FROM sources WHERE source = 'arena'")
    assert status == "failed" and "not valid JSON" in error
    assert query(settings.db_path, "SELECT status FROM sources WHERE source = 'epoch'") == [("ok",)]


def test_gap_exports(make_settings, files, cli_env, python, tmp_path):
    settings = settings_for(make_settings, files)
    ingest(settings, ALL_BUT_HUB, Progress.quiet())
    env = cli_env(LANDSCAPE_DB=str(settings.db_path))
    out = tmp_path / "summary.csv"
    done = subprocess.run([python, "-m", "pipeline", "export", "--dataset", "gap-summary", "--format", "csv",
                           "--source", "eci", "--start", "2023-01-01", "--end", "2025-12-31", "--out", str(out)],
                          env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert list(rows[0]) == ["source", "benchmark", "open_definition", "window_start", "window_end",
                             "lag_months_mean", "lag_months_median", "lag_ci_low", "lag_ci_high", "points",
                             "censored", "vertical_gap_latest"]
    assert [(r["benchmark"], r["open_definition"]) for r in rows] == [("eci", "all"), ("eci", "unrestricted")]
    assert int(rows[0]["points"]) > 0 and float(rows[0]["lag_months_mean"]) > 0
    for dataset, columns in (("gap", ["source", "benchmark", "date", "open_frontier", "closed_frontier",
                                      "vertical_gap", "lag_months"]),
                             ("benchmarks", None)):
        target = tmp_path / f"{dataset}.csv"
        done = subprocess.run([python, "-m", "pipeline", "export", "--dataset", dataset, "--format", "csv",
                               "--out", str(target)], env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        header = next(csv.reader(io.StringIO(target.read_text())))
        if columns:
            assert header == columns
        else:
            assert {"accessibility_group", "country", "score"} <= set(header)
    bad = subprocess.run([python, "-m", "pipeline", "export", "--dataset", "gap", "--format", "csv",
                          "--source", "no-such-bench"], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert bad.returncode == 2 and "no benchmark or source" in bad.stderr


def test_the_ingest_benchmark_counts_the_whole_process_tree(python):
    """benchmarks/ingest.py's peak memory is the sum over the live process tree: a parent and a child
    holding 100 MB each at once measure over 200 MB, where one process's ru_maxrss would not."""
    import importlib.util
    import sys
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "benchmarks" / "ingest.py"
    spec = importlib.util.spec_from_file_location("ingest_benchmark", path)
    bench = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = bench  # its dataclasses look their module up there
    spec.loader.exec_module(bench)
    hold = "import time; b = bytearray(100_000_000); b[::4096] = b'x' * len(b[::4096]); time.sleep({})"
    code = (f"import subprocess, sys; child = subprocess.Popen([sys.executable, '-c', {hold.format(2)!r}]); "
            f"{hold.format(1)}; child.wait()")
    run = bench.run_child([python, "-c", code])
    assert run.processes == 2
    assert run.peak_rss > 200e6 and run.peak_pss > 200e6
    assert run.main_maxrss > 100e6  # the kernel's peak of one process: what the benchmark used to report
