"""The starter snapshot: Epoch AI's data bundled with the code, so a first run with no network
still shows real charts.

``python -m pipeline starter build --from DIR`` runs the real pipeline (the ``epoch`` and
``benchmarks`` sources, read from ``file://`` copies of Epoch's files in DIR) into a scratch
database, and writes the tables the Epoch pages read, as Parquet, to ``data/starter/`` with a
``manifest.json`` (the data's date, the files it was built from, rows and SHA-256 per table). The
files are committed and ship in the package as ``pipeline.starter_data``.

:func:`seed` publishes them as the first database of a machine that has none: a few hundred
milliseconds, no network. Their ``sources`` rows say *starter snapshot* (``run_id`` ``starter``),
so every page can label the data with its date; the next ingest that fetches Epoch replaces
them, and until then they are carried over like any source's rows.

Epoch AI's data is CC BY 4.0: the dashboard attributes it wherever it is shown.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path

import orjson

from pipeline.config import Settings, load_settings
from pipeline.derive import build_organizations, build_search
from pipeline.errors import ConfigError
from pipeline.ingest import IngestOptions, ingest
from pipeline.progress import Progress
from pipeline.registry import load_registry
from pipeline.rollups import build_rollups
from pipeline.runs import STARTER_RUN
from pipeline.storage import Build, open_readonly

# What the Epoch pages read. Scores are kept as built (they join Epoch's releases); the facts
# come along so that a later run whose benchmark fetch fails can rebuild the scores from them.
TABLES = ("releases", "benchmark_facts", "benchmark_scores")
SOURCES = ("epoch", "benchmarks")
MODELS_FILE = re.compile(r"epoch_ai_models_(\d{4}-\d{2}-\d{2})\.zip$")
BENCHMARKS_FILE = re.compile(r"epoch_benchmark_data_(\d{4}-\d{2}-\d{2})\.zip$")


@dataclass(frozen=True)
class Starter:
    """The bundled snapshot as its manifest describes it."""

    as_of: date                 # the date of the newest Epoch file it was built from
    built_at: str
    files: dict[str, dict]      # table → {"file", "rows", "bytes", "sha256"}
    sources: dict[str, dict]    # source → {"file", "date"}
    folder: Path


def bundled() -> Starter | None:
    """The snapshot shipped with the code, or None when this checkout has none."""
    folder = Path(str(resources.files("pipeline.starter_data")))
    manifest = folder / "manifest.json"
    if not manifest.exists():
        return None
    raw = orjson.loads(manifest.read_bytes())
    return Starter(date.fromisoformat(raw["as_of"]), raw["built_at"], raw["files"], raw["sources"], folder)


def _newest(folder: Path, pattern: re.Pattern) -> tuple[Path, str]:
    found = sorted((m.group(1), p) for p in folder.iterdir() if (m := pattern.search(p.name)))
    if not found:
        raise ConfigError(f"no file named like {pattern.pattern} in {folder}")
    day, path = found[-1]
    return path, day


def build(source_dir: Path, out_dir: Path) -> Starter:
    """Build the snapshot from Epoch's files in ``source_dir`` into ``out_dir`` (see the module)."""
    models, models_day = _newest(source_dir, MODELS_FILE)
    benchmarks, benchmarks_day = _newest(source_dir, BENCHMARKS_FILE)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        settings = load_settings({
            "LANDSCAPE_DB": f"{work}/landscape.duckdb", "LANDSCAPE_RAW_DIR": f"{work}/raw",
            "LANDSCAPE_EPOCH_MODELS_URL": models.resolve().as_uri(),
            "LANDSCAPE_EPOCH_BENCHMARKS_URL": benchmarks.resolve().as_uri(),
        })
        ingest(settings, IngestOptions(sources=SOURCES, hub_limit=0, hub_orgs=False), Progress.quiet())
        files = {}
        with open_readonly(settings.db_path) as con:
            for table in TABLES:
                path = out_dir / f"{table}.parquet"
                # sorted, so the same inputs give the same bytes (a rebuild shows no diff)
                key = {"releases": "release_id", "benchmark_facts": "ALL", "benchmark_scores": "ALL"}[table]
                target = str(path).replace("'", "''")  # COPY takes no bound parameter for its file
                con.execute(f"COPY (SELECT * FROM {table} ORDER BY {key}) TO '{target}' "  # noqa: S608 - our names
                            "(FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 19)")
                rows = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
                files[table] = {"file": path.name, "rows": rows, "bytes": path.stat().st_size,
                                "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}
    sources = {"epoch": {"file": models.name, "date": models_day},
               "benchmarks": {"file": benchmarks.name, "date": benchmarks_day}}
    as_of = max(models_day, benchmarks_day)
    built_at = datetime.now(UTC).replace(microsecond=0).isoformat()
    (out_dir / "manifest.json").write_bytes(orjson.dumps(
        {"as_of": as_of, "built_at": built_at, "files": files, "sources": sources,
         "licence": "Epoch AI, 'Data on AI Models' and 'AI Benchmarking Hub', CC BY 4.0 (epoch.ai)"},
        option=orjson.OPT_INDENT_2))
    return Starter(date.fromisoformat(as_of), built_at, files, sources, out_dir)


def seed(settings: Settings, starter: Starter | None = None) -> Starter | None:
    """Publish the snapshot as the database when there is none; returns it (None when there was
    a database already, or no snapshot). Checks each file's SHA-256 before reading it."""
    starter = starter or bundled()
    if starter is None or settings.db_path.exists():
        return None
    with Build(settings.db_path) as build:
        if settings.db_path.exists():  # published by another process while we waited for nothing
            return None
        for table, info in starter.files.items():
            path = starter.folder / info["file"]
            if hashlib.sha256(path.read_bytes()).hexdigest() != info["sha256"]:
                raise ConfigError(f"the starter snapshot's {info['file']} does not match its manifest")
            build.con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM read_parquet(?)", [str(path)])  # noqa: S608
        build_organizations(build.con, load_registry())
        build_search(build.con)
        for source, info in starter.sources.items():
            rows = starter.files["releases" if source == "epoch" else "benchmark_scores"]["rows"]
            build.con.execute(
                "INSERT INTO sources (source, url, fetched_at, changed_at, rows, run_id, detail, status) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, 'ok')",
                [source, f"bundled: data/starter/ ({info['file']})", starter.built_at, info["date"], rows,
                 STARTER_RUN, f"starter snapshot of {info['date']}, bundled with the code"])
        build.con.execute("INSERT OR REPLACE INTO meta VALUES ('starter_as_of', ?)", [starter.as_of.isoformat()])
        build_rollups(build.con)
        build.publish()
    return starter
