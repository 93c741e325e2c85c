"""Rows buffered in Python and written to DuckDB in Arrow batches.

Inserting row by row through the Python API costs a round trip per row; building one Arrow
table per few thousand rows and inserting it in one statement is the fast path DuckDB offers
(it reads Arrow without copying).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import duckdb
import pyarrow as pa

_IDENT = re.compile(r"^(?:[a-z_][a-z0-9_]*\.)?[a-z_][a-z0-9_]*$")


class RowBuffer:
    """Collects tuples in ``schema`` column order and appends them to ``table`` in batches.

    Example::

        >>> buf = RowBuffer(con, "quarantine", schema)          # doctest: +SKIP
        >>> buf.add(("run", "hub", "x/y", "missing id", "{}", now))
        >>> buf.flush()
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, table: str, schema: pa.Schema, batch: int = 20_000) -> None:
        if not _IDENT.match(table):
            raise ValueError(f"not a table name of ours: {table!r}")
        self.con, self.table, self.schema, self.batch = con, table, schema, batch
        self.rows: list[Sequence] = []
        self.written = 0
        self._columns = ", ".join(f'"{name}"' for name in schema.names)

    def add(self, row: Sequence) -> None:
        self.rows.append(row)
        if len(self.rows) >= self.batch:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        columns = list(zip(*self.rows, strict=True))
        arrays = [pa.array(col, type=field.type) for col, field in zip(columns, self.schema, strict=True)]
        self.con.register("_row_batch", pa.Table.from_arrays(arrays, schema=self.schema))
        try:
            self.con.execute(f"INSERT INTO {self.table} ({self._columns}) SELECT * FROM _row_batch")  # noqa: S608
        finally:
            self.con.unregister("_row_batch")
        self.written += len(self.rows)
        self.rows = []
