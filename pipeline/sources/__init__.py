"""The sources, one module each, and the one registry that names them.

Every part of the project that names a source reads :data:`SOURCES`: ``ingest`` (which to fetch,
in which order, which tables each one fills), ``status``, the dashboard's freshness line and
chart captions, and the methodology page. A source has one id everywhere: the command line's
``--sources``, the ``sources`` table, the run journal.

Example::

    >>> SOURCES["hub"].label
    'Hugging Face Hub'
    >>> [s.id for s in SOURCES.values()]
    ['epoch', 'benchmarks', 'arena', 'hub', 'history']
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SourceInfo:
    """One source: its id, how it is cited, what it gives, and the tables it fills."""

    id: str
    label: str                      # short name for lines and captions
    citation: str                   # how a chart cites it
    url: str                        # the page a citation links to
    licence: str | None             # of the data, when the source states one
    description: str                # what the project takes from it
    tables: tuple[str, ...]         # published tables whose rows come from it
    default: bool = True            # fetched by a plain `ingest` (else only when asked for by name)

    def markdown(self) -> str:
        """The citation as Markdown: ``[name](url), licence``."""
        licence = f", {self.licence}" if self.licence else ""
        return f"[{self.citation}]({self.url}){licence}"


# In the order a run fetches them: Epoch first, since its developer ids decide which Hub
# organisations are listed.
SOURCES: dict[str, SourceInfo] = {s.id: s for s in (
    SourceInfo(
        "epoch", "Epoch AI models", "Epoch AI, 'Data on AI Models'", "https://epoch.ai/data/ai-models",
        "CC BY 4.0",
        "Releases of open and closed models: organisation, country, publication date, accessibility, "
        "parameters, training compute, frontier flag, and the Hugging Face developer id that joins Epoch "
        "organisations to Hub authors.",
        ("releases",)),
    SourceInfo(
        "benchmarks", "Epoch AI benchmarks", "Epoch AI, 'AI Benchmarking Hub'", "https://epoch.ai/benchmarks",
        "CC BY 4.0",
        "The Epoch Capabilities Index (ECI) and per-benchmark scores of open and closed models.",
        ("benchmark_scores",)),
    SourceInfo(
        "arena", "LMArena", "LMArena leaderboard", "https://lmarena.ai/leaderboard", "CC BY 4.0",
        "Arena scores (Elo-style ratings with 95% intervals) with each model's organisation and licence.",
        ("benchmark_scores",)),
    SourceInfo(
        "hub", "Hugging Face Hub", "Hugging Face Hub API", "https://huggingface.co/models", None,
        "Model ids, authors, declared licences, parameter counts (safetensors / GGUF metadata), downloads, "
        "likes, creation dates and declared base models. Read with `huggingface_hub`; the metadata is public, "
        "and each model is under its own licence.",
        ("models",)),
    SourceInfo(
        "history", "Hub download history", "hub-stats (Hugging Face dataset)",
        "https://huggingface.co/datasets/cfahlgren1/hub-stats", "Apache 2.0",
        "Daily snapshots of every Hub model's downloads and likes since mid-2024, one file per commit: read "
        "at one revision a week over the last year and one a month before, for the models in the database "
        "(`ingest --sources history`).",
        ("model_snapshots",), default=False),
)}
DEFAULT_SOURCE_IDS = tuple(s.id for s in SOURCES.values() if s.default)


def source_ids() -> tuple[str, ...]:
    """Every source id, in fetch order."""
    return tuple(SOURCES)
