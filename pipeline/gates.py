"""Plausibility gates: a source whose new data shrinks sharply against what is published is held back.

Real sources change their layout and real downloads get cut: a header-only file, a file cut in
the middle, a renamed column would otherwise replace good data with little or none. Before a
source's rows are published, a few measures of them (rows, distinct organisations, the share of
rows with an accessibility group or a country, …) are compared with the same measures of the
published database. A count may fall by at most ``LANDSCAPE_MAX_DROP`` (a fraction), a share by
at most ``LANDSCAPE_MAX_SHARE_DROP`` (percentage points); growth and small changes pass. A
source that fails the gate is not published (its previous rows keep serving, see
:mod:`pipeline.ingest`) unless the operator says the drop is real: ``--accept-drop SOURCE``.

Example::

    >>> Comparison("releases", "count", 3234, 0).describe()
    'releases 3,234 → 0'
    >>> Comparison("releases", "count", 3234, 0).too_large(0.2, 10.0)
    True
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from pipeline.errors import SourceError


class ImplausibleDrop(SourceError):
    """A source's new data shrank more than the thresholds allow; it was not published."""


@dataclass(frozen=True)
class Measure:
    """One figure of a source's rows: ``sql`` is an aggregate over the table aliased ``t``."""

    name: str
    kind: str  # "count" | "share" (a percentage)
    sql: str


@dataclass(frozen=True)
class Comparison:
    name: str
    kind: str
    old: float
    new: float

    def describe(self) -> str:
        if self.kind == "share":
            return f"{self.name} {self.old:.1f}% → {self.new:.1f}%"
        return f"{self.name} {self.old:,.0f} → {self.new:,.0f}"

    def too_large(self, max_drop: float, max_share_drop: float) -> bool:
        if self.kind == "share":
            return self.old - self.new > max_share_drop
        return self.old > 0 and (self.old - self.new) / self.old > max_drop


_ORGANISATIONS = "(SELECT count(DISTINCT o) FROM (SELECT unnest(organizations) AS o FROM {table} t WHERE {where}))"
# What each source's rows are measured by; `{table}` and `{where}` come from `GATED` below.
MEASURES: dict[str, tuple[Measure, ...]] = {
    "epoch": (
        Measure("releases", "count", "count(*)"),
        Measure("organisations", "count", _ORGANISATIONS),
        Measure("with an accessibility group", "share",
                "100.0 * count(*) FILTER (WHERE accessibility_group IS NOT NULL) / nullif(count(*), 0)"),
        Measure("with a country", "share", "100.0 * count(*) FILTER (WHERE len(countries) > 0) / nullif(count(*), 0)"),
        Measure("with a publication date", "share",
                "100.0 * count(*) FILTER (WHERE publication_date IS NOT NULL) / nullif(count(*), 0)"),
    ),
    "benchmarks": (
        Measure("scores", "count", "count(*)"),
        Measure("benchmarks", "count", "count(DISTINCT benchmark)"),
        Measure("models", "count", "count(DISTINCT model)"),
        Measure("with an accessibility group", "share",
                "100.0 * count(*) FILTER (WHERE accessibility_group IS NOT NULL) / nullif(count(*), 0)"),
    ),
    "arena": (
        Measure("scores", "count", "count(*)"),
        Measure("with a licence", "share", "100.0 * count(*) FILTER (WHERE license IS NOT NULL) / nullif(count(*), 0)"),
    ),
    "history": (
        Measure("backfilled snapshots", "count", "count(*)"),
        Measure("days", "count", "count(DISTINCT snapshot_date)"),
    ),
    "hub": (
        Measure("models", "count", "count(*)"),
        Measure("authors", "count", "count(DISTINCT author)"),
        Measure("with a licence", "share",
                "100.0 * count(*) FILTER (WHERE license_family <> 'none') / nullif(count(*), 0)"),
    ),
}


def compare(con: duckdb.DuckDBPyConnection, source: str, new_table: str, old_table: str, where: str,
            params: list | None = None) -> list[Comparison]:
    """The measures of ``source`` on the rows being built and on the published ones.

    ``new_table``, ``old_table`` and ``where`` are constants of our own code (``where`` may
    hold ``?`` placeholders, bound by ``params`` on both sides). Empty when nothing is published
    for the source yet: a first run has nothing to compare with.
    """
    measures = MEASURES[source]
    figures = []
    for table in (new_table, old_table):
        selects = ", ".join(m.sql.format(table=table, where=where) for m in measures)
        uses = sum(m.sql.count("{where}") for m in measures) + 1
        figures.append(con.execute(f"SELECT {selects} FROM {table} t WHERE {where}",  # noqa: S608 - constants only
                                   (params or []) * uses).fetchone())
    new, old = figures
    if not old[0]:
        return []
    return [Comparison(m.name, m.kind, float(o or 0), float(n or 0)) for m, n, o in zip(measures, new, old, strict=True)]


def check(source: str, comparisons: list[Comparison], max_drop: float, max_share_drop: float,
          accepted: bool) -> str:
    """What was compared, as one line for the run's detail ("" when nothing was published before);
    raises :class:`ImplausibleDrop` when a measure fell further than the thresholds allow, unless
    the drop was ``accepted``."""
    if not comparisons:
        return ""
    summary = ", ".join(c.describe() for c in comparisons)
    failing = [c for c in comparisons if c.too_large(max_drop, max_share_drop)]
    if failing and not accepted:
        raise ImplausibleDrop(
            f"not published: {', '.join(c.describe() for c in failing)} against the published data, a larger "
            f"fall than allowed (LANDSCAPE_MAX_DROP {max_drop:.0%} of a count, LANDSCAPE_MAX_SHARE_DROP "
            f"{max_share_drop:g} points of a share); if the source really shrank, run again with "
            f"--accept-drop {source}")
    accepted_note = " (a larger fall, accepted by --accept-drop)" if failing else ""
    return f"compared with the published data: {summary}{accepted_note}"
