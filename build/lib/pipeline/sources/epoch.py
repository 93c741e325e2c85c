"""Epoch AI's public datasets: the only module that reads them.

"Data on AI Models" (``all_ai_models.csv``, or a ``.zip`` holding it) is downloaded through
:func:`pipeline.sources.download.download` (timeouts, retries, conditional GET), then read by
column *name*: Epoch reorders, adds and drops columns between releases, so nothing here
depends on positions, and a missing optional column reads as empty.

Data: Epoch AI, 'Data on AI Models', published online at epoch.ai, CC BY 4.0.

Example::

    >>> got = fetch_models(settings)                          # doctest: +SKIP
    >>> header, rows = read_models_csv(got.path)
    >>> rows[0][1]["Model"]
"""

from __future__ import annotations

import csv
import io
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline.config import Settings
from pipeline.errors import SourceError, one_line
from pipeline.progress import Progress
from pipeline.sources.contract import Column, Contract, ContractError, check_header, check_values
from pipeline.sources.download import Downloaded, download

MODELS_FILE = "all_ai_models.csv"
# The columns the pipeline cannot do without: a release without them is not a release we can chart.
MODELS_CONTRACT = Contract("Epoch models file", (
    Column("Model"),
    Column("Organization"),
    Column("Publication date", "date"),
    Column("Model accessibility", "accessibility"),
    Column("Country (of organization)", "country"),
))

# Some Epoch cells hold whole paragraphs; the csv module's default limit (128 kB) is enough for
# them, and anything beyond is not a cell we would keep.
csv.field_size_limit(1 << 20)


def fetch_models(settings: Settings, progress: Progress | None = None) -> Downloaded:
    """Download (or revalidate) Epoch's models file into the raw cache."""
    return download(settings.epoch_models_url, settings.raw_dir / "cache" / "epoch_models", settings,
                    progress, label="epoch models")


# Errors a damaged file gives while it is read: a cut or corrupt zip member, bad bytes, a bad CSV.
READ_ERRORS = (UnicodeDecodeError, csv.Error, zipfile.BadZipFile, zlib.error, EOFError)


def _open_text(path: Path, wanted: str) -> io.TextIOBase:
    """The CSV text of ``path``: the file itself, or the member named ``wanted`` of a zip."""
    if zipfile.is_zipfile(path):
        archive = zipfile.ZipFile(path)
        names = [n for n in archive.namelist() if not n.endswith("/")]
        member = next((n for n in names if n.rsplit("/", 1)[-1] == wanted), None)
        if member is None:
            raise ContractError(f"{path.name} is a zip without {wanted} (it holds {len(names)} other files)")
        return io.TextIOWrapper(archive.open(member), encoding="utf-8-sig", newline="")
    return open(path, encoding="utf-8-sig", newline="")


def read_models_csv(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The header (names stripped) and the rows of Epoch's models file as ``(row number, {column: text})``.

    Row numbers count data rows from 1, as a spreadsheet user would after the header. The file
    is checked against :data:`MODELS_CONTRACT` before any row is used. Raises
    :class:`SourceError` (one line, never the file's contents) when it is not a CSV holding
    the columns the pipeline cannot do without.
    """
    number = 0
    try:
        with _open_text(path, MODELS_FILE) as handle:
            reader = csv.reader(handle)
            header = [h.strip() for h in next(reader, [])]
            if not any(header):
                raise SourceError(f"Epoch models file {path.name} is empty")
            check_header(MODELS_CONTRACT, header)
            rows: list[tuple[int, dict[str, str]]] = []
            for number, values in enumerate(reader, start=1):
                # a short row gets empty cells; cells beyond the header are ignored
                rows.append((number, {name: (values[i] if i < len(values) else "") for i, name in enumerate(header)}))
    except READ_ERRORS as exc:
        where = f" near data row {number + 1}" if number else ""
        raise SourceError(f"Epoch models file {path.name} is not a readable CSV{where}: "
                          f"{one_line(exc, limit=120)}") from None
    check_values(MODELS_CONTRACT, (row for _, row in rows), check_header(MODELS_CONTRACT, header))
    return header, rows


def fetch_benchmarks(settings: Settings, progress: Progress | None = None) -> Downloaded:
    """Download (or revalidate) Epoch's Benchmarking Hub archive into the raw cache."""
    return download(settings.epoch_benchmarks_url, settings.raw_dir / "cache" / "epoch_benchmarks", settings,
                    progress, label="epoch benchmarks")


@dataclass(frozen=True)
class BenchmarkFile:
    """One CSV of the Benchmarking Hub archive: its path in the zip, header and rows by column name."""

    member: str
    header: list[str]
    rows: list[dict[str, str]]


def read_benchmark_zip(path: Path) -> Iterator[BenchmarkFile]:
    """Every CSV in Epoch's ``benchmark_data.zip``, whatever folders it sits in.

    Data: Epoch AI, 'AI Benchmarking Hub', published online at epoch.ai, CC BY 4.0.
    """
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise SourceError(f"Epoch benchmarks file {path.name} is not a zip archive") from None
    with archive:
        members = sorted(n for n in archive.namelist() if n.endswith(".csv") and not n.startswith("__MACOSX"))
        if not members:
            raise SourceError(f"Epoch benchmarks archive {path.name} holds no CSV file")
        for member in members:
            try:
                text = archive.read(member).decode("utf-8-sig")
                reader = csv.reader(io.StringIO(text, newline=""))
                header = [h.strip() for h in next(reader, [])]
                rows = [{name: (values[i] if i < len(values) else "") for i, name in enumerate(header)}
                        for values in reader]
            except READ_ERRORS as exc:  # a corrupt member (bad CRC, cut deflate data) among them
                raise SourceError(f"Epoch benchmarks: {one_line(member, limit=80)} cannot be read: "
                                  f"{one_line(exc, limit=120)}") from None
            yield BenchmarkFile(member, header, rows)
