"""The curated registry: committed CSV files in ``data/registry/``, read and validated here.

The files ship inside the package as ``pipeline.curated`` (``pyproject.toml``), so an installed
wheel reads them with :mod:`importlib.resources` like the schema, wherever it runs from.

- ``organizations.csv``: Hub namespace → organisation, country, kind (see :func:`load_registry`);
- ``distillation_datasets.csv``: training datasets known to hold a teacher model's outputs.

Example::

    >>> rows = load_registry()
    >>> any(r.hf_author == "meta-llama" for r in rows)
    True
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from pipeline.errors import ConfigError
from pipeline.transform.countries import normalize_country_code
from pipeline.transform.distillation import Teacher

REGISTRY_KINDS = ("lab", "intermediary", "individual")


def curated_text(name: str) -> str:
    """The text of one curated file (``organizations.csv``, …)."""
    return resources.files("pipeline.curated").joinpath(name).read_text(encoding="utf-8")


@dataclass(frozen=True)
class RegistryRow:
    hf_author: str
    organization: str | None
    country: str | None
    kind: str
    source: str
    note: str | None


def load_registry(text: str | None = None, name: str = "organizations.csv") -> list[RegistryRow]:
    """The curated organisation registry, validated: a bad row stops the run with its line number."""
    rows: list[RegistryRow] = []
    reader = csv.DictReader(io.StringIO(curated_text(name) if text is None else text, newline=""))
    for line, raw in enumerate(reader, start=2):
        author = (raw.get("hf_author") or "").strip()
        kind = (raw.get("kind") or "").strip()
        source = (raw.get("source") or "").strip()
        note = (raw.get("note") or "").strip() or None
        country_text = (raw.get("country") or "").strip()
        country = normalize_country_code(country_text) if country_text else None
        if not author or kind not in REGISTRY_KINDS or not (source or note):
            raise ConfigError(f"{name} line {line}: needs hf_author, a kind in {REGISTRY_KINDS} and a source or note")
        if country_text and country is None:
            raise ConfigError(f"{name} line {line}: unknown country {country_text[:40]!r}")
        rows.append(RegistryRow(author, (raw.get("organization") or "").strip() or None, country, kind, source, note))
    return rows


@lru_cache(maxsize=1)
def teacher_datasets() -> Mapping[str, Teacher]:
    """Dataset id (lower case) → the teacher its card says generated it (``distillation_datasets.csv``)."""
    reader = csv.DictReader(io.StringIO(curated_text("distillation_datasets.csv"), newline=""))
    return {row["dataset"].strip().lower(): Teacher(row["teacher"].strip(),
                                                    (row.get("teacher_organization") or "").strip() or None,
                                                    (row.get("teacher_country") or "").strip() or None,
                                                    row["source"].strip())
            for row in reader if (row.get("dataset") or "").strip()}
