"""The capability-gap page's queries: which benchmarks can be analysed, and their scored models.

The SQL lives in :mod:`pipeline.analysis.gap_inputs`, shared with the CLI's gap exports so the
page and ``python -m pipeline export --dataset gap-summary`` agree; these wrappers give the
page cacheable ``(con, …) -> DataFrame`` functions.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from pipeline.analysis import gap_inputs


def benchmarks(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Benchmarks with enough dated open and closed scores (ECI first, then the Arena)."""
    return gap_inputs.available_benchmarks(con)


def points(con: duckdb.DuckDBPyConnection, benchmark: str, open_definition: str, split: str,
           countries: tuple[str, ...], min_benchmarks: int) -> pd.DataFrame:
    """The scored models of ``benchmark`` in the open and closed groups under the page's options."""
    options = gap_inputs.GapOptions(benchmark, open_definition, split, countries, min_benchmarks)
    return gap_inputs.benchmark_points(con, options)
