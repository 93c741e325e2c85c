"""Roots and depths of the Hub's model tree, resolved inside DuckDB.

Each model declares at most a few base models; following the first declared base hop by hop
leads to its root. With millions of models the walk runs as SQL over the table rather than
as a Python dict of every id (which would make memory grow with the Hub), one hop per
statement over only the chains that are still walking, so it costs as many statements as the
deepest chain, bounded by :data:`MAX_DEPTH`.

Outcomes per model (``lineage_status``):

- ``root``: declares no base; its own root, depth 0;
- ``resolved``: the walk reached a model that declares no base;
- ``missing_parent``: the walk reached an id that is not in the table (outside the ingested
  scope, or deleted); that id is reported as the root, since it is the furthest known ancestor;
- ``cycle``: the walk came back to the model itself or went deeper than :data:`MAX_DEPTH`
  (a loop further up); no root, no depth.

Example::

    >>> con = duckdb.connect()
    >>> con.execute("ATTACH ':memory:' AS scratch")
    >>> con.execute("CREATE TABLE t AS SELECT * FROM (VALUES ('a', NULL), ('b', 'a'), ('c', 'b')) v(model_id, base_model)")
    >>> resolve_roots(con, "t", "roots")
    >>> con.execute("SELECT * FROM scratch.roots ORDER BY model_id").fetchall()
    [('a', 'a', 0, 'root'), ('b', 'a', 1, 'resolved'), ('c', 'a', 2, 'resolved')]
"""

from __future__ import annotations

import re

import duckdb

MAX_DEPTH = 32
_IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")


def resolve_roots(con: duckdb.DuckDBPyConnection, edges: str, out: str, work: str = "scratch") -> None:
    """Create table ``out(model_id, root_model, depth, lineage_status)`` from ``edges(model_id, base_model)``.

    ``edges`` and ``out`` are table names from our own code (checked, never user input), and
    ``work`` the attached catalog for ``out`` and the walk's own tables (a scratch file during
    a build: millions of rows). Every model of ``edges`` gets exactly one row.
    """
    for name in (edges, out, work):
        if not _IDENT.match(name.replace(".", "_", 1)):
            raise ValueError(f"not a table name of ours: {name!r}")
    walk, step, out = f"{work}._walk", f"{work}._step", f"{work}.{out}"
    # the walk joins on these two columns only: a narrow copy keeps each hop cheap
    source, edges = edges, f"{work}._edges"
    con.execute(f"CREATE OR REPLACE TABLE {edges} AS SELECT model_id, base_model FROM {source}")  # noqa: S608
    con.execute(f"""
        CREATE OR REPLACE TABLE {out} AS
        SELECT model_id, model_id AS root_model, 0 AS depth, 'root' AS lineage_status
        FROM {edges} WHERE base_model IS NULL
    """)  # noqa: S608 - identifiers checked above
    con.execute(f"""
        CREATE OR REPLACE TABLE {walk} AS
        SELECT model_id, base_model AS cur, 1 AS depth FROM {edges} WHERE base_model IS NOT NULL
    """)  # noqa: S608
    for _ in range(MAX_DEPTH):
        if con.execute(f"SELECT count(*) FROM {walk}").fetchone()[0] == 0:  # noqa: S608
            break
        con.execute(f"""
            CREATE OR REPLACE TABLE {step} AS
            SELECT w.model_id, w.cur, w.depth, e.base_model AS next, e.model_id IS NOT NULL AS known
            FROM {walk} w LEFT JOIN {edges} e ON e.model_id = w.cur
        """)  # noqa: S608
        con.execute(f"""
            INSERT INTO {out}
            SELECT model_id, cur, depth, CASE WHEN known THEN 'resolved' ELSE 'missing_parent' END
            FROM {step} WHERE next IS NULL
            UNION ALL
            SELECT model_id, NULL, NULL, 'cycle' FROM {step} WHERE next = model_id
        """)  # noqa: S608
        con.execute(f"""
            CREATE OR REPLACE TABLE {walk} AS
            SELECT model_id, next AS cur, depth + 1 AS depth FROM {step}
            WHERE next IS NOT NULL AND next <> model_id
        """)  # noqa: S608
    # still walking after MAX_DEPTH hops: a loop further up the chain (or an absurd depth)
    con.execute(f"INSERT INTO {out} SELECT model_id, NULL, NULL, 'cycle' FROM {walk}")  # noqa: S608
    for table in (walk, step, edges):
        con.execute(f"DROP TABLE IF EXISTS {table}")
