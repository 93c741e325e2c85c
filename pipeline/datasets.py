"""Named datasets with their columns and filters: what ``export`` writes and the Explorer pages.

Filters become SQL with bound parameters only; the SQL text is assembled from constants in
this module, never from input. The same :class:`Filters` drive the dashboard, so an exported
file and the view it came from always agree.

Filter rules (the methodology page repeats them):

- **country**: a release counts for a country if any of its organisations is there (Epoch's
  own rule); a Hub model counts for a country if its uploader's organisation is there *or*
  its root model's organisation is (so a Qwen fine-tune by an individual counts for China).
- **licence family**, **task** (``pipeline_tag``): Hub models only.
- **organisation**: the attributed organisation of a Hub model; any organisation of a release.
- **size**: parameters, inclusive range; **dates**: repository creation for Hub models,
  publication date for releases.

Example::

    >>> sql, params = dataset_query("models", Filters(countries=("CN",)))
    >>> params
    [['CN'], ['CN']]
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.config import Settings
from pipeline.csv_safety import frame_to_csv
from pipeline.errors import ConfigError
from pipeline.storage import open_readonly


@dataclass(frozen=True)
class Filters:
    """The global filters. Empty means "no restriction"."""

    countries: tuple[str, ...] = ()
    license_families: tuple[str, ...] = ()
    organizations: tuple[str, ...] = ()
    tasks: tuple[str, ...] = ()
    params_min: float | None = None
    params_max: float | None = None
    date_from: date | None = None
    date_to: date | None = None

    def is_empty(self) -> bool:
        return self == Filters()

    def slug(self) -> str:
        """A file-name-safe summary of the active filters, e.g. ``country-CN+US_license-permissive_from-2024-01-01``."""
        parts = []
        for label, values in (("country", self.countries), ("license", self.license_families),
                              ("org", self.organizations), ("task", self.tasks)):
            if values:
                parts.append(f"{label}-{'+'.join(values)}")
        for label, number in (("min", self.params_min), ("max", self.params_max)):
            if number is not None:
                parts.append(f"{label}-{_size(number)}")
        for label, day in (("from", self.date_from), ("to", self.date_to)):
            if day is not None:
                parts.append(f"{label}-{day.isoformat()}")
        slug = re.sub(r"[^A-Za-z0-9+._-]+", "-", "_".join(parts)).strip("-")
        return slug[:150]


def _size(value: float) -> str:
    for suffix, scale in (("T", 1e12), ("B", 1e9), ("M", 1e6)):
        if value >= scale:
            return f"{value / scale:g}{suffix}"
    return f"{value:g}"


@dataclass(frozen=True)
class Dataset:
    name: str
    table: str
    select: str           # the exported columns, in order
    order: str
    kind: str             # "models" | "releases": which filter rules apply


MODEL_EXPORT_COLUMNS = (
    "model_id", "author", "organization", "country", "origin_country", "license", "license_family", "gated",
    "params", "params_source", "downloads_30d", "downloads_all_time", "likes", "pipeline_tag", "library",
    "created_at", "last_modified", "base_model", "base_relation", "root_model",
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
                      "downloads_30d DESC NULLS LAST, model_id", "models"),
    "releases": Dataset(
        "releases", "releases",
        ", ".join("array_to_string(countries, ',') AS countries" if c == "countries" else c
                  for c in RELEASE_EXPORT_COLUMNS),
        "publication_date DESC NULLS LAST, model", "releases"),
    "lineage": Dataset("lineage", "models", ", ".join(_LINEAGE_SELECT.get(c, c) for c in LINEAGE_EXPORT_COLUMNS),
                       "family, depth NULLS LAST, model_id", "models"),
}


def models_where(filters: Filters, alias: str = "") -> tuple[str, list]:
    """WHERE clause (without the keyword; ``true`` when empty) and parameters for ``models``."""
    p = f"{alias}." if alias else ""
    clauses: list[str] = []
    params: list = []
    if filters.countries:
        clauses.append(f"(list_contains(?::VARCHAR[], {p}country) OR list_contains(?::VARCHAR[], {p}origin_country))")
        params += [list(filters.countries), list(filters.countries)]
    if filters.license_families:
        clauses.append(f"list_contains(?::VARCHAR[], {p}license_family)")
        params.append(list(filters.license_families))
    if filters.organizations:
        clauses.append(f"list_contains(?::VARCHAR[], {p}organization)")
        params.append(list(filters.organizations))
    if filters.tasks:
        clauses.append(f"list_contains(?::VARCHAR[], {p}pipeline_tag)")
        params.append(list(filters.tasks))
    _ranges(clauses, params, filters, f"{p}params", f"{p}created_at", timestamps=True)
    return " AND ".join(clauses) or "true", params


def releases_where(filters: Filters, alias: str = "") -> tuple[str, list]:
    """WHERE clause and parameters for ``releases`` (licence family and task do not apply)."""
    p = f"{alias}." if alias else ""
    clauses: list[str] = []
    params: list = []
    if filters.countries:
        clauses.append(f"list_has_any({p}countries, ?::VARCHAR[])")
        params.append(list(filters.countries))
    if filters.organizations:
        clauses.append(f"list_has_any({p}organizations, ?::VARCHAR[])")
        params.append(list(filters.organizations))
    _ranges(clauses, params, filters, f"{p}params", f"{p}publication_date")
    return " AND ".join(clauses) or "true", params


def _ranges(clauses: list[str], params: list, filters: Filters, size: str, day: str,
            timestamps: bool = False) -> None:
    if filters.params_min is not None:
        clauses.append(f"{size} >= ?")
        params.append(filters.params_min)
    if filters.params_max is not None:
        clauses.append(f"{size} <= ?")
        params.append(filters.params_max)
    # A timestamp column is compared with UTC instants, not cast to dates row by row: the cast
    # goes through the time-zone library and costs a scan of millions of rows thirty times over.
    if filters.date_from is not None:
        clauses.append(f"{day} >= ?")
        params.append(_utc(filters.date_from) if timestamps else filters.date_from)
    if filters.date_to is not None:
        clauses.append(f"{day} < ?" if timestamps else f"{day} <= ?")
        params.append(_utc(filters.date_to + timedelta(days=1)) if timestamps else filters.date_to)


def _utc(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


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
    if dataset.kind == "releases" and (filters.license_families or filters.tasks):
        raise ConfigError("releases have no licence family or task: those filters apply to the models dataset")
    where, params = models_where(filters) if dataset.kind == "models" else releases_where(filters)
    sql = f"SELECT {dataset.select} FROM {dataset.table} WHERE {where}"  # noqa: S608
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
    from pipeline.analysis import gap_inputs

    if filters.license_families or filters.tasks or filters.organizations or \
            filters.params_min is not None or filters.params_max is not None:
        raise ConfigError(f"{name} takes --source, --since/--until (its window) and, for benchmarks, --country")
    if name != "benchmarks" and filters.countries:
        raise ConfigError(f"{name} takes no --country (the gap page's country split is an analysis option)")
    with open_readonly(settings.db_path) as con:
        benchmarks = None
        if source is not None:
            known = con.execute("SELECT DISTINCT source, benchmark FROM benchmark_scores").fetchall()
            benchmarks = sorted({b for s, b in known if source in (s, b)})
            if not benchmarks:
                raise ConfigError(f"no benchmark or source {source!r} in the database; known: "
                                  f"{', '.join(sorted({b for _, b in known})) or 'none (ingest benchmarks first)'}")
        if name == "gap-summary":
            frame = gap_inputs.summary_rows(con, benchmarks, filters.date_from, filters.date_to)
        elif name == "gap":
            frame = gap_inputs.series_rows(con, benchmarks, filters.date_from, filters.date_to)
        else:
            frame = gap_inputs.benchmark_rows(con, benchmarks, filters.date_from, filters.date_to, filters.countries)
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
