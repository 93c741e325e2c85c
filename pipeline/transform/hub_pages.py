"""One stored Hub listing page → staging Parquet files: what a transform worker runs.

The ingest's main process fetches and stores pages (:mod:`pipeline.loaders.hub`); workers, one
per core, read each page back, turn every record into a staging row or a quarantine reason
(:func:`pipeline.transform.hub_records.hub_row`) and write one Parquet file of each.

A worker imports this module and what it needs, nothing else: no DuckDB, no HTTP client, no
pandas. Everything a worker imports it holds resident for the whole run, once per core, so
this module is kept out of :mod:`pipeline.loaders` (whose package imports DuckDB): at import a
worker holds about 90 MB instead of 120 MB (pyarrow and numpy are most of it).
"""

from __future__ import annotations

import gc
import importlib.abc
import os
import sys
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.registry import teacher_datasets
from pipeline.transform.hub_records import STAGING_COLUMNS, Quarantined, hub_row
from pipeline.transform.quarantine import QUARANTINE_SCHEMA, quarantine_payload

_TS = pa.timestamp("us", tz="UTC")
STAGING_SCHEMA = pa.schema([
    ("model_id", pa.string()), ("author", pa.string()), ("license", pa.string()), ("license_family", pa.string()),
    ("gated", pa.bool_()), ("gated_mode", pa.string()),
    ("params_measured", pa.int64()), ("params_measured_source", pa.string()), ("params_undercounted", pa.bool_()),
    ("params_name", pa.int64()),
    ("downloads_30d", pa.int64()), ("downloads_all_time", pa.int64()), ("likes", pa.int64()),
    ("trending_score", pa.float64()),
    ("pipeline_tag", pa.string()), ("library", pa.string()), ("tags", pa.list_(pa.string())),
    ("created_at", _TS), ("last_modified", _TS),
    ("base_model", pa.string()), ("base_models", pa.list_(pa.string())), ("base_relation", pa.string()),
    ("base_evidence", pa.string()), ("card_datasets", pa.list_(pa.string())),
    ("distilled", pa.bool_()), ("teacher_hint", pa.string()), ("teacher_hint_organization", pa.string()),
    ("teacher_hint_country", pa.string()), ("distill_evidence", pa.string()),
    ("scope", pa.string()), ("fetched_at", _TS),
])
assert tuple(STAGING_SCHEMA.names) == STAGING_COLUMNS, "staging schema and hub_row disagree"
FILE_SCHEMA = STAGING_SCHEMA.append(pa.field("seq", pa.int64()))


@dataclass(frozen=True)
class PageJob:
    """One stored page for a worker: where it is, where its output goes, how to number its rows."""

    page_path: str
    out_stem: str
    scope: str
    first_seq: int
    max_records: int | None
    run_id: str
    fetched_at: str


_pages_done = 0


def transform_page(job: PageJob) -> tuple[int, int, int]:
    """Worker: one stored page → ``<stem>.parquet`` (rows) and ``<stem>.quarantine.parquet``.

    Returns (records read, rows written, records quarantined). Runs in a worker process, so it
    takes and returns only plain values.
    """
    global _pages_done
    _pages_done += 1
    if _pages_done % 50 == 0:
        gc.collect()
    with open(job.page_path, "rb") as f:
        f.readline()  # the page header (see pipeline.sources.raw)
        records = orjson.loads(f.read())
    if job.max_records is not None:
        records = records[: job.max_records]
    fetched_at = datetime.fromisoformat(job.fetched_at)
    teachers = teacher_datasets()  # read once per worker (cached)
    rows: list[tuple] = []
    bad: list[tuple] = []
    now = datetime.now(UTC)
    for record in records:
        row = hub_row(record, job.scope, fetched_at, teachers)
        if isinstance(row, Quarantined):
            key = record.get("id") if isinstance(record, dict) else None
            bad.append((job.run_id, "hub", key[:300] if isinstance(key, str) else None, str(row),
                        quarantine_payload(record), now))
        else:
            rows.append((*row, job.first_seq + len(rows)))
    if rows:
        columns = list(zip(*rows, strict=True))
        table = pa.Table.from_arrays([pa.array(c, type=f.type) for c, f in zip(columns, FILE_SCHEMA, strict=True)],
                                     schema=FILE_SCHEMA)
        # uncompressed: these files live for one run, and compressing them cost a worker a tenth of its time
        pq.write_table(table, job.out_stem + ".parquet", compression="none")
    if bad:
        columns = list(zip(*bad, strict=True))
        table = pa.Table.from_arrays([pa.array(c, type=f.type) for c, f in
                                      zip(columns, QUARANTINE_SCHEMA, strict=True)], schema=QUARANTINE_SCHEMA)
        pq.write_table(table, job.out_stem + ".quarantine.parquet")
    return len(records), len(rows), len(bad)


class _NoPandas(importlib.abc.MetaPathFinder):
    """Refuses ``import pandas`` in a transform worker.

    pyarrow probes for pandas the first time it builds an array from Python values, and that
    import costs each worker about 50 MB resident for as long as it lives; a worker only turns
    rows into Parquet and never needs pandas, and pyarrow carries on without it.
    """

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if name == "pandas" or name.startswith("pandas."):
            raise ModuleNotFoundError("a transform worker does without pandas", name=name)


def start_worker(parent: int) -> None:
    """Worker initializer: the collector and pandas kept out (below), and a watch that leaves when
    the ingest that started us is gone (killed with -9, say): a pool's workers otherwise outlive a
    parent that could not shut them down, idle forever.
    """
    # A page's records die by reference counting as soon as its Parquet file is written; the
    # cyclic collector would only rescan them (a quarter of a worker's time), so it runs every
    # few pages instead of every few thousand allocations (see transform_page).
    gc.disable()
    if "pandas" not in sys.modules:
        sys.meta_path.insert(0, _NoPandas())

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="exit-with-parent").start()
