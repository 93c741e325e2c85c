"""Epoch's models file → ``releases``; every row loads or is quarantined with its reason."""

from __future__ import annotations

import pyarrow as pa

from pipeline.loaders import RunContext, SourceResult
from pipeline.loaders.buffer import RowBuffer
from pipeline.sources.epoch import fetch_models, read_models_csv
from pipeline.transform.epoch_rows import RELEASE_COLUMNS, Quarantined, release_row

RELEASES_SCHEMA = pa.schema([
    ("release_id", pa.int32()), ("model", pa.string()), ("organization", pa.string()),
    ("organizations", pa.list_(pa.string())), ("country", pa.string()),
    ("countries", pa.list_(pa.string())), ("publication_date", pa.date32()),
    ("accessibility", pa.string()), ("accessibility_group", pa.string()), ("params", pa.float64()),
    ("training_compute_flop", pa.float64()), ("frontier", pa.bool_()), ("notable", pa.bool_()),
    ("hf_developer_id", pa.string()), ("domain", pa.string()), ("task", pa.string()),
    ("organization_category", pa.string()), ("base_model", pa.string()),
    ("last_modified", pa.timestamp("us", tz="UTC")),
])
assert tuple(RELEASES_SCHEMA.names) == RELEASE_COLUMNS, "releases schema and release_row disagree"

SOURCE = "epoch"
_MODEL, _ORG, _DATE = (RELEASE_COLUMNS.index(c) for c in ("model", "organization", "publication_date"))


def load_epoch_models(ctx: RunContext) -> SourceResult:
    """Download (or revalidate) Epoch's models file and load it into ``releases``."""
    got = fetch_models(ctx.settings, ctx.progress)
    _, rows = read_models_csv(got.path)
    ctx.con.execute("DELETE FROM releases")
    buffer = RowBuffer(ctx.con, "releases", RELEASES_SCHEMA)
    first_seen: dict[tuple, int] = {}
    for number, raw in rows:
        ctx.record.records_seen += 1
        row = release_row(number, raw)
        if isinstance(row, Quarantined):
            ctx.quarantine(SOURCE, f"row {number}", str(row), raw)
            continue
        # Epoch's file repeats a few rows verbatim; the same name, organisation and date is
        # the same release.
        key = (row[_MODEL].casefold(), (row[_ORG] or "").casefold(), row[_DATE])
        if key in first_seen:
            ctx.quarantine(SOURCE, f"row {number}", f"duplicate of row {first_seen[key]}", raw)
            continue
        first_seen[key] = number
        buffer.add(row)
    buffer.flush()
    ctx.flush()
    return SourceResult(SOURCE, got.url, buffer.written, got.fetched_at, got.changed_at, got.etag,
                        got.last_modified, detail="unchanged since last fetch (304)" if not got.changed else "")
