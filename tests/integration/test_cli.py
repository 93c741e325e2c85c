"""The command line as a user runs it: ``python -m pipeline …`` in a subprocess."""

from __future__ import annotations

import csv
import io
import re
import subprocess

import duckdb
import pyarrow.parquet as pq
import pytest

from landscape.datasets import MODEL_EXPORT_COLUMNS, RELEASE_EXPORT_COLUMNS
from landscape.status import DERIVED_TABLES
from tests.fixtures import EPOCH_ROWS, arena_files, benchmark_zip, epoch_csv, fixture_hub_records
from tests.loopback.hub import HubServer
from tests.loopback.static import StaticServer


def run_cli(python: str, env: dict, *args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([python, "-m", "pipeline", *args], env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=300)


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """A database published by the CLI from the fixture sources, and the environment that reads it."""
    folder = tmp_path_factory.mktemp("cli")
    injected = {**EPOCH_ROWS[0], "Model": "=HYPERLINK(\"http://evil.example\")", "Publication date": "2023-01-01"}
    served = {"/m.csv": epoch_csv(EPOCH_ROWS + [injected]), "/b.zip": benchmark_zip(), **arena_files()}
    with HubServer(fixture_hub_records()) as hub, StaticServer(served) as files:
        env = {
            "HF_HUB_DISABLE_TELEMETRY": "1", "PATH": "/usr/bin:/bin",
            "LANDSCAPE_DB": str(folder / "landscape.duckdb"), "LANDSCAPE_RAW_DIR": str(folder / "raw"),
            "HF_ENDPOINT": hub.url, "LANDSCAPE_EPOCH_MODELS_URL": files.url_for("/m.csv"),
            "LANDSCAPE_EPOCH_BENCHMARKS_URL": files.url_for("/b.zip"), "LANDSCAPE_ARENA_URL": files.url_for("/arena/"),
        }
        import sys
        done = run_cli(sys.executable, env, "ingest", "--hub-limit", "500", "--hub-full", cwd=folder)
    assert done.returncode == 0, done.stderr
    return folder, env, done


def test_ingest_prints_a_summary(published):
    _, _, done = published
    assert done.stdout.startswith("published run ")
    assert "quarantined" in done.stdout and "models 3,000" in done.stdout


def test_status_reports_tables_runs_and_freshness(published, python):
    folder, env, _ = published
    done = run_cli(python, env, "status")
    assert done.returncode == 0
    for text in ("published", "rows per table", "models", "releases", "freshness per source", "hub",
                 "epoch ", "last runs", "quarantined"):
        assert text in done.stdout


def test_status_lists_the_tables_derived_for_the_pages_with_their_rows(published, python):
    folder, env, _ = published
    done = run_cli(python, env, "status")
    listed = {m[1]: int(m[2].replace(",", "")) for m in re.finditer(r"^  (\w+) +([\d,]+)$", done.stdout, re.M)}
    con = duckdb.connect(str(folder / "landscape.duckdb"), read_only=True)
    try:
        for table in DERIVED_TABLES:
            assert listed[table] == con.execute(f"SELECT count(*) FROM {table}").fetchone()[0], table
    finally:
        con.close()
    assert listed["model_rollup"] > 0 and listed["search_entries"] > 0


def test_export_models_csv_has_the_contract_columns_in_order(published, python, tmp_path):
    _, env, _ = published
    out = tmp_path / "models.csv"
    done = run_cli(python, env, "export", "--dataset", "models", "--format", "csv", "--out", str(out))
    assert done.returncode == 0, done.stderr
    rows = list(csv.reader(io.StringIO(out.read_text())))
    assert tuple(rows[0]) == MODEL_EXPORT_COLUMNS
    assert len(rows) == 3001


def test_export_releases_parquet_with_a_country_filter(published, python, tmp_path):
    _, env, _ = published
    out = tmp_path / "cn.parquet"
    done = run_cli(python, env, "export", "--dataset", "releases", "--format", "parquet", "--country", "CN",
                   "--out", str(out))
    assert done.returncode == 0, done.stderr
    table = pq.read_table(out)
    assert tuple(table.column_names) == RELEASE_EXPORT_COLUMNS
    assert all("CN" in c.split(",") for c in table.column("countries").to_pylist())
    assert table.num_rows == sum(1 for r in EPOCH_ROWS if "China" in r["Country (of organization)"])


def test_export_filters_by_licence_family_and_names_the_file_after_the_filters(published, python, tmp_path):
    _, env, _ = published
    done = run_cli(python, env, "export", "--dataset", "models", "--format", "csv", "--license-family",
                   "permissive", "--country", "CN", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    out = tmp_path / "models_country-CN_license-permissive.csv"
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert rows and {r["license_family"] for r in rows} == {"permissive"}
    assert all("CN" in (r["country"], r["origin_country"]) for r in rows)


def test_exported_csv_neutralises_formula_cells(published, python, tmp_path):
    _, env, _ = published
    out = tmp_path / "r.csv"
    run_cli(python, env, "export", "--dataset", "releases", "--format", "csv", "--out", str(out))
    models = [r["model"] for r in csv.DictReader(io.StringIO(out.read_text()))]
    assert "'=HYPERLINK(\"http://evil.example\")" in models
    assert not any(m.startswith(("=", "+", "-", "@")) for m in models)


def test_network_down_is_one_line_and_a_meaningful_exit_code(cli_env, python, tmp_path):
    done = run_cli(python, cli_env(), "ingest", cwd=tmp_path)
    assert done.returncode == 3
    lines = done.stderr.strip().splitlines()
    assert lines[-1].startswith("error: ") and "Traceback" not in done.stderr
    assert not (tmp_path / "landscape.duckdb").exists()


def test_bad_options_are_refused_with_exit_2(cli_env, python, tmp_path, published):
    _, env, _ = published
    bad_country = run_cli(python, env, "export", "--dataset", "models", "--format", "csv", "--country", "Chinaa")
    assert bad_country.returncode == 2 and "ISO 3166-1" in bad_country.stderr
    releases_family = run_cli(python, env, "export", "--dataset", "releases", "--format", "csv",
                              "--license-family", "permissive", cwd=tmp_path)
    assert releases_family.returncode == 2 and "Traceback" not in releases_family.stderr
    bad_source = run_cli(python, cli_env(), "ingest", "--sources", "hub,moon")
    assert bad_source.returncode == 2 and "unknown source moon" in bad_source.stderr
    bad_setting = run_cli(python, cli_env(LANDSCAPE_HTTP_TIMEOUT="soon"), "status")
    assert bad_setting.returncode == 2 and bad_setting.stderr.strip() == \
        "error: LANDSCAPE_HTTP_TIMEOUT must be a number, got 'soon'"


def test_status_without_a_database_says_how_to_start(cli_env, python, tmp_path):
    done = run_cli(python, cli_env(), "status", cwd=tmp_path)
    assert done.returncode == 0 and "none yet" in done.stdout and "ingest" in done.stdout


def test_export_without_a_database_is_a_clear_error(cli_env, python, tmp_path):
    done = run_cli(python, cli_env(), "export", "--dataset", "models", "--format", "csv", cwd=tmp_path)
    assert done.returncode == 5 and "no database" in done.stderr and "Traceback" not in done.stderr
