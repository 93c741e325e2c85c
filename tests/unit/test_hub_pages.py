"""The transform worker's own module: one stored page → staging files, importing no more than it needs."""

from __future__ import annotations

import json
import subprocess
import sys

import orjson
import pyarrow.parquet as pq

from pipeline.transform.hub_pages import PageJob, transform_page


def test_a_worker_imports_neither_duckdb_nor_pandas():
    """What a worker imports it holds for the whole run, once per core: DuckDB and pandas are
    the main process's (about 30 MB a worker when this module lived beside the loader)."""
    probe = ("import json, sys; import pipeline.transform.hub_pages; "
             "print(json.dumps([m for m in ('duckdb', 'pandas', 'streamlit') if m in sys.modules]))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


def test_a_page_becomes_rows_and_quarantined_records(tmp_path):
    page = tmp_path / "page.json"
    records = [{"id": "Qwen/Qwen3-8B", "downloads": 5, "cardData": {"license": "apache-2.0"}},
               {"id": "bad id with spaces"},
               {"id": "meta-llama/Llama-3.1-8B", "downloads": 3},
               {"id": "never/read"}]
    page.write_bytes(b'{"header": true}\n' + orjson.dumps(records))
    job = PageJob(str(page), str(tmp_path / "out"), "full", first_seq=7 << 16, max_records=3,
                  run_id="run-1", fetched_at="2026-11-29T12:00:00+00:00")

    assert transform_page(job) == (3, 2, 1)  # the fourth record is past max_records
    rows = pq.read_table(tmp_path / "out.parquet").to_pylist()
    assert [(r["model_id"], r["seq"], r["license_family"]) for r in rows] == [
        ("Qwen/Qwen3-8B", 7 << 16, "permissive"), ("meta-llama/Llama-3.1-8B", (7 << 16) + 1, "none")]
    bad = pq.read_table(tmp_path / "out.quarantine.parquet").to_pylist()
    assert [(b["run_id"], b["record_key"], b["reason"].startswith("id ")) for b in bad] == [
        ("run-1", "bad id with spaces", True)]
