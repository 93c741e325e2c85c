"""The curated registry: committed CSV files in ``data/registry/``, read and validated here.

The files ship inside the package as ``pipeline.curated`` (``pyproject.toml``), so an installed
wheel reads them with :mod:`importlib.resources` like the schema, wherever it runs from.

- ``organizations.csv``: one row per Hub namespace: the organisation behind it, its **kind**
  (:data:`KINDS`), its country (ISO 3166-1 alpha-2; empty only for individuals, and collectives
  or repackagers that have none), its parent organisation where there is one, and one source;
- ``parents.csv``: organisation names as Epoch AI writes them (and a few of ours) → the group
  they belong to (Google DeepMind → Alphabet);
- ``legacy_ids.csv``: model ids from before namespaces (``bert-base-uncased``) → the namespace
  that holds them now (``google-bert``), so a renamed namespace keeps its attribution;
- ``distillation_datasets.csv``: training datasets known to hold a teacher model's outputs.

:func:`check` validates them all (``python -m pipeline registry check``, also run by the tests);
a build refuses a registry that does not pass.

Example::

    >>> registry = load_registry()
    >>> registry.by_namespace["qwen"].country, registry.by_namespace["qwen"].parent
    ('CN', 'Alibaba')
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from pipeline.errors import ConfigError
from pipeline.transform.countries import COUNTRY_NAMES
from pipeline.transform.distillation import Teacher
from pipeline.transform.repo_ids import is_repo_id

KINDS = ("lab", "company", "university", "non-profit", "government", "community", "individual", "repackager")
# Kinds a country may be missing for: people are never given one; a collective or a repackager
# may have none.
COUNTRYLESS_KINDS = ("individual", "community", "repackager")
HEADERS = {
    "organizations.csv": ("namespace", "organization", "kind", "country", "parent", "source", "note"),
    "parents.csv": ("organization", "parent", "source"),
    "legacy_ids.csv": ("prefix", "namespace", "source"),
}


def curated_text(name: str) -> str:
    """The text of one curated file (``organizations.csv``, …)."""
    return resources.files("pipeline.curated").joinpath(name).read_text(encoding="utf-8")


@dataclass(frozen=True)
class RegistryRow:
    """One Hub namespace and who is behind it."""

    namespace: str
    organization: str
    kind: str
    country: str | None
    parent: str | None
    source: str
    note: str | None = None

    @property
    def group(self) -> str:
        """What the organisation is counted under when grouped by parent."""
        return self.parent or self.organization


@dataclass(frozen=True)
class Registry:
    rows: tuple[RegistryRow, ...]
    parents: Mapping[str, str]            # organisation name → its group (from parents.csv and the rows)
    legacy: tuple[tuple[str, str], ...]   # (id prefix, namespace), longest prefix first
    by_namespace: Mapping[str, RegistryRow] = field(default_factory=dict)  # lower-cased namespace → row


def _rows(name: str, text: str | None) -> list[tuple[int, dict[str, str]]]:
    reader = csv.reader(io.StringIO(curated_text(name) if text is None else text, newline=""))
    header = next(reader, [])
    if tuple(h.strip() for h in header) != HEADERS[name]:
        raise ConfigError(f"{name}: the header must be {','.join(HEADERS[name])}")
    out = []
    for line, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            raise ConfigError(f"{name} line {line}: {len(values)} fields, {len(header)} expected")
        out.append((line, {h: v.strip() for h, v in zip(HEADERS[name], values, strict=True)}))
    return out


def check(texts: Mapping[str, str] | None = None) -> Registry:
    """Read and validate the registry files; :class:`ConfigError` names the first problem's file and line.

    ``texts`` replaces files by name (for tests). Rules: known kinds and ISO codes; no country for
    an individual, and one for every kind but individuals, collectives and repackagers; a source
    on every row; no namespace twice, ignoring case; every namespace a valid Hub name; every
    parent named is a known organisation or group.
    """
    texts = texts or {}
    parents: dict[str, str] = {}
    for line, raw in _rows("parents.csv", texts.get("parents.csv")):
        if not all(raw.values()):
            raise ConfigError(f"parents.csv line {line}: needs an organisation, a parent and a source")
        if raw["organization"] in parents:
            raise ConfigError(f"parents.csv line {line}: {raw['organization']!r} is listed twice")
        parents[raw["organization"]] = raw["parent"]
    rows: list[RegistryRow] = []
    seen: dict[str, int] = {}
    for line, raw in _rows("organizations.csv", texts.get("organizations.csv")):
        where = f"organizations.csv line {line} ({raw['namespace'][:40]})"
        namespace, kind, country = raw["namespace"], raw["kind"], raw["country"] or None
        if not is_repo_id(namespace) or "/" in namespace:
            raise ConfigError(f"{where}: not a Hub namespace")
        if namespace.lower() in seen:
            raise ConfigError(f"{where}: the namespace is already on line {seen[namespace.lower()]} (ignoring case)")
        seen[namespace.lower()] = line
        if not raw["organization"]:
            raise ConfigError(f"{where}: no organisation")
        if kind not in KINDS:
            raise ConfigError(f"{where}: kind {kind[:30]!r} is not one of {', '.join(KINDS)}")
        if country is not None and country not in COUNTRY_NAMES:
            raise ConfigError(f"{where}: {country[:10]!r} is not an ISO 3166-1 alpha-2 code")
        if kind == "individual" and country is not None:
            raise ConfigError(f"{where}: an individual is never given a country")
        if country is None and kind not in COUNTRYLESS_KINDS:
            raise ConfigError(f"{where}: a {kind} needs a country")
        if not raw["source"]:
            raise ConfigError(f"{where}: no source")
        rows.append(RegistryRow(namespace, raw["organization"], kind, country, raw["parent"] or None, raw["source"],
                                raw["note"] or None))
    known = {r.organization for r in rows} | set(parents) | set(parents.values())
    for row in rows:
        if row.parent is not None and row.parent not in known:
            raise ConfigError(f"organizations.csv line {seen[row.namespace.lower()]} ({row.namespace}): the parent "
                              f"{row.parent!r} is neither an organisation here nor in parents.csv")
        if row.parent is not None:
            parents.setdefault(row.organization, row.parent)
    legacy = []
    for line, raw in _rows("legacy_ids.csv", texts.get("legacy_ids.csv")):
        if not all(raw.values()) or raw["namespace"].lower() not in seen:
            raise ConfigError(f"legacy_ids.csv line {line}: needs a prefix, a namespace of organizations.csv and "
                              "a source")
        legacy.append((raw["prefix"], raw["namespace"]))
    legacy.sort(key=lambda item: -len(item[0]))
    return Registry(tuple(rows), parents, tuple(legacy), {r.namespace.lower(): r for r in rows})


@lru_cache(maxsize=1)
def load_registry() -> Registry:
    """The committed registry, validated (see :func:`check`)."""
    return check()


@lru_cache(maxsize=1)
def teacher_datasets() -> Mapping[str, Teacher]:
    """Dataset id (lower case) → the teacher its card says generated it (``distillation_datasets.csv``)."""
    reader = csv.DictReader(io.StringIO(curated_text("distillation_datasets.csv"), newline=""))
    return {row["dataset"].strip().lower(): Teacher(row["teacher"].strip(),
                                                    (row.get("teacher_organization") or "").strip() or None,
                                                    (row.get("teacher_country") or "").strip() or None,
                                                    row["source"].strip())
            for row in reader if (row.get("dataset") or "").strip()}
