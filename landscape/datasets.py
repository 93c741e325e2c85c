"""Named datasets with their columns and filters: what ``export`` writes and the Explorer pages.

Filters become SQL with bound parameters only, through the one filter specification
(:mod:`landscape.filters`); the SQL text is assembled from constants, never from input. The same
:class:`~landscape.filters.Filters` drive the dashboard, so an exported file and the view it came
from always agree.

Example::

    >>> sql, params = dataset_query("models", Filters(country=("CN",)))
    >>> params
    [['CN'], ['CN']]
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from landscape.csv_safety import frame_to_csv
from landscape.filters import Filters, condition, refused
from landscape.queries import gap  # the gap exports share the page's analysis
from pipeline.config import Settings
from pipeline.errors import ConfigError
from pipeline.storage import open_readonly


@dataclass(frozen=True)
class Dataset:
    name: str
    table: str            # what it selects from, and so which filters apply (landscape/filters.py)
    select: str           # the exported columns, in order
    order: str
    source: str | None = None  # the FROM clause when it is more than the table (a join)
    group: str | None = None   # GROUP BY, for a dataset of aggregates
    alias: str = ""            # the table's alias in `source`, which the filters' columns are qualified with


MODEL_EXPORT_COLUMNS = (
    "model_id", "author", "author_kind", "organization", "country", "origin_country", "license", "license_family", "gated",
    "params", "params_source", "downloads_30d", "downloads_all_time", "likes", "pipeline_tag", "library",
    "created_at", "last_modified", "base_model", "base_relation", "root_model", "model_kind",
)
RELEASE_EXPORT_COLUMNS = (
    "model", "organization", "country", "countries", "publication_date", "accessibility",
    "accessibility_group", "params", "training_compute_flop", "frontier", "hf_developer_id",
)

LINEAGE_EXPORT_COLUMNS = (
    "model_id", "author", "country", "base_model", "base_relation", "root_model", "root_country", "depth",
    "family", "distilled", "teacher_model", "teacher_country", "evidence",
)
_LINEAGE_SELECT = {
    "root_country": "origin_country AS root_country",
    "family": "coalesce(root_model, model_id) AS family",
    "distilled": "coalesce(distilled, false) AS distilled",
    "evidence": "distill_evidence AS evidence",
}

DATASETS: dict[str, Dataset] = {
    "models": Dataset("models", "models", ", ".join(MODEL_EXPORT_COLUMNS),
                      "downloads_30d DESC NULLS LAST, model_id"),
    "releases": Dataset(
        "releases", "releases",
        ", ".join("array_to_string(countries, ',') AS countries" if c == "countries" else c
                  for c in RELEASE_EXPORT_COLUMNS),
        "publication_date DESC NULLS LAST, model"),
    "lineage": Dataset("lineage", "models", ", ".join(_LINEAGE_SELECT.get(c, c) for c in LINEAGE_EXPORT_COLUMNS),
                       "family, depth NULLS LAST, model_id"),
    # Hub downloads per snapshot day by origin and uploader country (as that day's snapshot has
    # them) and uploader kind: the history behind the adoption charts. The filters select models
    # by their attributes today, as the charts do.
    "adoption-history": Dataset(
        "adoption-history", "models",
        "s.snapshot_date, coalesce(s.origin_country, '') AS origin_country, "
        "coalesce(s.country, '') AS uploader_country, coalesce(m.author_kind, 'unknown') AS author_kind, "
        "sum(s.downloads_30d)::BIGINT AS downloads_30d, sum(s.downloads_all_time)::BIGINT AS downloads_all_time, "
        "count(*) AS models",
        "snapshot_date, downloads_30d DESC, origin_country, uploader_country, author_kind",
        source="model_snapshots s JOIN models m ON m.model_id = s.model_id", group="ALL", alias="m"),
}


# Datasets computed by the capability-gap analysis rather than selected from one table.
COMPUTED = ("gap-summary", "gap", "benchmarks")
ALL_DATASETS = (*DATASETS, *COMPUTED)


def dataset_query(name: str, filters: Filters, ordered: bool = True) -> tuple[str, list]:
    """The SELECT (and its parameters) of dataset ``name`` under ``filters``.

    With ``ordered=False`` the statement has no ORDER BY, for callers that page and sort it
    themselves (the dashboard's Explorer).
    """
    dataset = DATASETS.get(name)
    if dataset is None:
        raise ConfigError(f"unknown dataset {name!r}; choose from {', '.join(ALL_DATASETS)}")
    if unknown := refused(filters, dataset.table):
        raise ConfigError(f"{name} has no {', '.join(unknown).lower()}: "
                          f"{'that filter applies' if len(unknown) == 1 else 'those filters apply'} to other datasets")
    restrict, params = condition(filters, dataset.table, alias=dataset.alias)
    sql = f"SELECT {dataset.select} FROM {dataset.source or dataset.table} WHERE {restrict}"  # noqa: S608
    if dataset.group:
        sql += f" GROUP BY {dataset.group}"
    return (f"{sql} ORDER BY {dataset.order}" if ordered else sql), params


FORMATS = ("csv", "parquet")


def default_export_path(name: str, fmt: str, filters: Filters) -> Path:
    slug = filters.slug()
    return Path(f"{name}{'_' + slug if slug else ''}.{fmt}")


def export_dataset(settings: Settings, name: str, fmt: str, out: Path | None, filters: Filters,
                   source: str | None = None) -> tuple[Path, int]:
    """Write dataset ``name`` to ``out`` (CSV with formula cells neutralised, or Parquet).

    Table datasets stream from DuckDB in Arrow batches, so memory stays flat for millions of
    rows. The capability-gap datasets (:data:`COMPUTED`) take ``source`` (``eci``, ``arena`` or a
    benchmark name) and the date filters as their window. Returns the path and the row count.
    """
    if fmt not in FORMATS:
        raise ConfigError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    if name in COMPUTED:
        return _export_computed(settings, name, fmt, out, filters, source)
    if source is not None:
        raise ConfigError("--source applies to the gap-summary, gap and benchmarks datasets")
    sql, params = dataset_query(name, filters)
    path = out or default_export_path(name, fmt, filters)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    rows = 0
    try:
        with open_readonly(settings.db_path) as con:
            reader = con.sql(sql, params=params).to_arrow_reader(100_000)
            if fmt == "parquet":
                with pq.ParquetWriter(tmp, reader.schema) as writer:
                    for batch in _batches(reader):
                        writer.write_batch(batch)
                        rows += batch.num_rows
            else:
                with open(tmp, "wb") as f:
                    first = True
                    for batch in _batches(reader, keep_empty=True):
                        csv_bytes = frame_to_csv(batch.to_pandas())
                        if not first:
                            csv_bytes = csv_bytes.split(b"\n", 1)[1]  # header only once
                        f.write(csv_bytes)
                        rows += batch.num_rows
                        first = False
    except BaseException:
        tmp.unlink(missing_ok=True)  # never leave half a file behind
        raise
    tmp.replace(path)
    return path, rows


def _export_computed(settings: Settings, name: str, fmt: str, out: Path | None, filters: Filters,
                     source: str | None) -> tuple[Path, int]:
    # the window is the years filter; only the benchmarks' rows are kept by country (the gap's own
    # country split is an analysis option of the page)
    taken = {"years", "country"} if name == "benchmarks" else {"years"}
    if extra := [k for k in filters.active() if k not in taken]:
        raise ConfigError(f"{name} takes --source, --since/--until (its window)"
                          f"{' and --country' if name == 'benchmarks' else ''}, not the {', '.join(extra)} filter")
    start, end = filters["years"]
    with open_readonly(settings.db_path) as con:
        benchmarks = None
        if source is not None:
            known = con.execute("SELECT DISTINCT source, benchmark FROM benchmark_scores").fetchall()
            benchmarks = sorted({b for s, b in known if source in (s, b)})
            if not benchmarks:
                raise ConfigError(f"no benchmark or source {source!r} in the database; known: "
                                  f"{', '.join(sorted({b for _, b in known})) or 'none (ingest benchmarks first)'}")
        if name == "gap-summary":
            frame = gap.summary_rows(con, benchmarks, start, end)
        elif name == "gap":
            frame = gap.series_rows(con, benchmarks, start, end)
        else:
            frame = gap.benchmark_rows(con, benchmarks, start, end, filters["country"])
    slug = "_".join(p for p in (source and re.sub(r"[^A-Za-z0-9._-]+", "-", source), filters.slug()) if p)
    path = out or Path(f"{name}{'_' + slug if slug else ''}.{fmt}")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    if fmt == "parquet":
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), tmp)
    else:
        tmp.write_bytes(frame_to_csv(frame))
    tmp.replace(path)
    return path, len(frame)


def _batches(reader: pa.RecordBatchReader, keep_empty: bool = False) -> Iterator[pa.RecordBatch]:
    empty = True
    for batch in reader:
        empty = False
        yield batch
    if empty and keep_empty:
        yield pa.RecordBatch.from_pylist([], schema=reader.schema)
