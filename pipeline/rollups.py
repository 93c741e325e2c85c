"""Rollups written before every publish: the Hub models summed by what the pages filter and group on.

At Hub scale (millions of models) a page's query that scans ``models`` costs tens to hundreds of
milliseconds, and a page runs a dozen of them. Most of those queries only sum models, downloads
and likes by a few columns, so the build writes tables of such sums (``schema.sql``):

- ``model_rollup``: every model, by the global filters' dimensions (:data:`FILTER_DIMENSIONS`)
  and the columns the adoption, licence, lineage and coverage queries group on;
- ``derivative_rollup``: the derivatives by family (root model): family sizes and downloads;
- ``snapshot_rollup``: the adoption history by snapshot date, and ``family_snapshot_rollup`` the
  history of the families with derivatives, by family;
- ``gain_rollup``: what each model's all-time total gained from one snapshot to its next, by
  date and by the latest start date a cumulative count includes it from (:data:`GAINS`);
- coarser copies of the two history rollups and of ``model_rollup`` (:data:`COARSE_LEVELS`),
  for the filters (and queries) that read none of the dimensions they leave out;
- ``uploader_rollup``: uploads by account, for the organisation rankings. Accounts number in
  the hundreds of thousands, so it keeps every attributed account and the :data:`UPLOADERS` most
  downloaded others; ``uploader_rollup_rest`` bounds what any account left out can add up to,
  so that a ranking can tell whether it is exact (see :func:`landscape.queries.facts.uploaders`).

Two more tables are not sums but narrow copies of a few rows of ``models`` (:data:`ROW_TABLES`):
``family_roots`` (the models heading a family with derivatives) and ``distilled_rows`` (the
models tracked as distilled). A page that lists or joins on those rows would otherwise read
``models``' long id strings for rows scattered over the whole table, which costs as much as
scanning it. They keep each model's own values, so every filter applies to them as written for
``models``, including bounds no rollup can express.

And two tables serve point lookups into ``models`` (:data:`KEY_TABLES`): ``model_keys`` and
``base_keys`` hold a column's values (a model's id; the base it declares) beside the row's
``rowid``, sorted by value. A lookup reads the one row group of keys that can hold its value
(zone maps), and its join on ``rowid`` then reads one row group of ``models`` (DuckDB passes the
keys found to the scan as a filter on ``rowid``), instead of scanning three million ids.

Each table is described once, here (``schema.sql`` leaves them to this module), as *row values* (one model's contribution, an SQL
expression over ``models``) and the aggregate that sums them. The build groups by the
dimensions and aggregates the row values; a query whose filters the rollup cannot express
reads the same columns computed row by row from ``models`` instead
(:mod:`landscape.queries.facts`), so both paths are one SQL text and give the same answer.

Two filters are ranges over values a rollup does not keep: parameters (any count) and the
creation instant. They are kept as classes that answer the filters' own steps exactly:
``size_bucket`` (:func:`size_bucket_sql`) and ``created_month``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import duckdb

from landscape.filters import SIZE_STEPS
from pipeline.storage import insertion_order_kept

# The adoption page's size classes: <1B, 1–10B, 10–100B, >100B (see landscape.queries.adoption).
SIZE_CLASS_BOUNDS = (1e9, 1e10, 1e11)
# Models created this many months before the newest repository count as recent.
RECENT_MONTHS = 12
# Every parameter count a filter or a size class compares with. A model's bucket is 2k when
# its count lies below the k-th break (and above the one before), 2k + 1 when it equals it: so
# ``params >= b`` and ``params <= b`` for a break b are comparisons of buckets, exactly.
SIZE_BREAKS: tuple[float, ...] = tuple(sorted({v for v in SIZE_STEPS.values() if v is not None}
                                              | set(SIZE_CLASS_BOUNDS)))


def size_bucket_sql(params: str) -> str:
    """The size bucket of a parameter count (NULL for none), as a CASE over :data:`SIZE_BREAKS`."""
    cases = " ".join(f"WHEN {params} < {b:.0f} THEN {2 * k} WHEN {params} = {b:.0f} THEN {2 * k + 1}"
                     for k, b in enumerate(SIZE_BREAKS))
    return f"CASE WHEN {params} IS NULL THEN NULL {cases} ELSE {2 * len(SIZE_BREAKS)} END"


def size_bucket_at(bound: float) -> int | None:
    """The bucket of a count equal to ``bound``: None when ``bound`` is no break (the rollups
    cannot answer a filter at it)."""
    return 2 * SIZE_BREAKS.index(bound) + 1 if bound in SIZE_BREAKS else None


def _recent(prefix: str) -> str:
    return (f"coalesce({prefix}created_at > (SELECT max(created_at) FROM models) - "  # noqa: S608 - constants
            f"INTERVAL {RECENT_MONTHS} MONTH, false)")


# The columns of ``models`` the global filters compare (landscape.filters.SPECS): the values
# as they are, and the two ranges' columns, which a rollup keeps as classes.
FILTER_VALUE_COLUMNS = ("country", "origin_country", "license_family", "organization", "organization_group",
                        "pipeline_tag", "model_kind", "author_kind")
FILTER_COLUMNS = (*FILTER_VALUE_COLUMNS, "params", "created_at")
FILTER_DIMENSIONS: dict[str, str] = {
    **{c: f"{{p}}{c}" for c in FILTER_VALUE_COLUMNS},
    "size_bucket": size_bucket_sql("{p}params"),
    "created_month": "{p}created_month",
}
# Per table: dimensions (name → SQL over the source row) and measures (name → (row value, aggregate)).
MODEL_DIMENSIONS: dict[str, str] = {
    **FILTER_DIMENSIONS,
    "uploader_bucket": "{p}uploader_bucket", "origin_bucket": "{p}origin_bucket", "license": "{p}license",
    "gated": "coalesce({p}gated, false)", "gated_mode": "{p}gated_mode", "recent": _recent("{p}"),
    "derivative": "coalesce({p}depth > 0, false)", "lineage_status": "{p}lineage_status",
    "multi_parent": "coalesce(len({p}base_models) > 1, false)",
    "ancestor": "coalesce({p}scope = 'ancestor', false)", "distilled": "coalesce({p}distilled, false)",
    "base_relation": "{p}base_relation", "root_organization": "{p}root_organization",
}
_COUNTS = {"models": ("1", "sum"), "downloads_30d": ("{p}downloads_30d", "sum"),
           "downloads_all_time": ("{p}downloads_all_time", "sum"), "likes": ("{p}likes", "sum")}
MODEL_MEASURES: dict[str, tuple[str, str]] = {**_COUNTS, "max_depth": ("{p}depth", "max")}

_REPACKAGE = "coalesce({p}base_relation = 'quantized' OR {p}is_intermediary, false)"
DERIVATIVE_DIMENSIONS: dict[str, str] = {
    **FILTER_DIMENSIONS, "family": "{p}family", "rooted": "{p}root_model IS NOT NULL",
    "root_organization": "{p}root_organization",
    "origin_bucket": "{p}origin_bucket",
}
DERIVATIVE_MEASURES: dict[str, tuple[str, str]] = {
    **_COUNTS,
    **{name: (f"coalesce({{p}}base_relation = '{relation}', false)::BIGINT", "sum")
       for name, relation in (("finetunes", "finetune"), ("quantized", "quantized"), ("adapters", "adapter"),
                              ("merges", "merge"))},
    "repackages": (f"{_REPACKAGE}::BIGINT", "sum"),
    "repackage_downloads_30d": (f"CASE WHEN {_REPACKAGE} THEN {{p}}downloads_30d END", "sum"),
}
DERIVATIVES = "{p}depth > 0"  # which models derivative_rollup sums

# The most downloaded accounts without an organisation kept in uploader_rollup (by either measure).
UPLOADERS = 2000
UPLOADER_DIMENSIONS: dict[str, str] = {
    **FILTER_DIMENSIONS, "author": "{p}author", "uploader_bucket": "{p}uploader_bucket",
    "intermediary": "coalesce({p}is_intermediary, false)", "derivative": "coalesce({p}depth > 0, false)",
}
UPLOADER_MEASURES = _COUNTS
# Which accounts uploader_rollup keeps: every attributed one, and the {uploaders} most downloaded others.
_KEPT_UPLOADERS = """
    WITH totals AS (
        SELECT author, bool_or(organization IS NOT NULL OR author IS NULL) AS always,
               coalesce(sum(downloads_30d), 0) AS d30, coalesce(sum(downloads_all_time), 0) AS dall
        FROM models GROUP BY author
    ), ranked AS (
        SELECT author, always, d30, dall, row_number() OVER (ORDER BY always DESC, d30 DESC, author) AS by_30d,
               row_number() OVER (ORDER BY always DESC, dall DESC, author) AS by_all
        FROM totals
    )
    SELECT author, always OR by_30d <= (SELECT count(*) FILTER (WHERE always) FROM totals) + {uploaders}
                          OR by_all <= (SELECT count(*) FILTER (WHERE always) FROM totals) + {uploaders} AS kept,
           d30, dall
    FROM ranked"""

SNAPSHOT_DIMENSIONS: dict[str, str] = {
    "snapshot_date": "s.snapshot_date", **{k: v.replace("{p}", "m.") for k, v in FILTER_DIMENSIONS.items()},
    "uploader_bucket": "s.uploader_bucket", "origin_bucket": "s.origin_bucket",
}
SNAPSHOT_MEASURES: dict[str, tuple[str, str]] = {"models": ("1", "sum"), "downloads_30d": ("s.downloads_30d", "sum")}
SNAPSHOTS_JOINED = "model_snapshots s JOIN models m ON m.model_id = s.model_id"
# The history of the families with derivatives (a root with at least one model derived from it, as
# the lineage page counts them: family_roots below), by family: the largest families over time, and
# (with `derivative`) the derivatives of an organisation's models. Apart from snapshot_rollup, whose
# rows the families would multiply by three; the families by a join with their few thousand roots.
FAMILY_SNAPSHOT_DIMENSIONS: dict[str, str] = {
    **SNAPSHOT_DIMENSIONS, "family": "m.family", "derivative": "coalesce(m.depth > 0, false)",
}
_WITH_DERIVATIVES = "SELECT DISTINCT family FROM models WHERE depth > 0 AND root_model IS NOT NULL"
FAMILY_SNAPSHOTS_JOINED = f"{SNAPSHOTS_JOINED} JOIN ({_WITH_DERIVATIVES}) f ON f.family = m.family"  # noqa: S608

# Downloads accumulated since a date, for any date, from sums. A model's all-time totals are
# clamped to their running maximum (the Hub sometimes lowers one); each snapshot then adds what
# the clamped total gained since the model's previous snapshot (all of it at its first). Counted
# from a start date, a gain counts when its snapshot is on or after the start and its previous
# snapshot is too, or the model was created on or after it (then it counts whole): that is, when
# the start is at most `counted_from`, the later of the previous snapshot's date and the creation
# day (UTC). Summed up to a date, the gains give each model's total then less its total on its
# first snapshot from the start, and a model missing from one snapshot still counts what it had
# gained before (its next snapshot adds what it gained in between).
def gains_sql(where: str = "") -> str:
    """:data:`GAINS` over only the snapshots ``s`` that, with their model ``m``, also meet
    ``where`` (a part of the build: :func:`history_parts`)."""
    where = f" AND ({where})" if where else ""
    return f"""(
    SELECT snapshot_date, k, origin_bucket, uploader_bucket, total - coalesce(before, 0) AS gained,
           greatest(previous, created_day) AS counted_from
    FROM (SELECT s.snapshot_date, m.rowid AS k, s.origin_bucket, s.uploader_bucket,
                 (m.created_at AT TIME ZONE 'UTC')::DATE AS created_day,
                 max(s.downloads_all_time) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS total,
                 max(s.downloads_all_time) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before,
                 lag(s.snapshot_date) OVER w AS previous
          FROM model_snapshots s JOIN models m ON m.model_id = s.model_id
          WHERE s.downloads_all_time IS NOT NULL{where}
          WINDOW w AS (PARTITION BY m.rowid ORDER BY s.snapshot_date))
)"""  # noqa: S608 - our own SQL


GAINS = gains_sql()
GAIN_DIMENSIONS: dict[str, str] = {
    "snapshot_date": "g.snapshot_date", "counted_from": "g.counted_from",
    **{k: v.replace("{p}", "m.") for k, v in FILTER_DIMENSIONS.items()},
    "uploader_bucket": "g.uploader_bucket", "origin_bucket": "g.origin_bucket",
}
GAIN_MEASURES: dict[str, tuple[str, str]] = {"gained": ("g.gained", "sum")}


def gains_joined(where: str = "") -> str:
    """Each gain ``g`` (:func:`gains_sql` with ``where``) beside its model ``m``."""
    # each model by its row number within the statement: windows and joins on an integer, not on the ids
    return f"{gains_sql(where)} g JOIN models m ON m.rowid = g.k"


GAINS_JOINED = gains_joined()


# The narrow row tables: name → (columns, which rows of ``models m``). A column is an SQL
# expression over ``m`` (the model) and ``t`` (its teacher's own row, NULL when the teacher is not
# in the database), named as in ``models`` when it is one of its columns.
ROW_TABLES: dict[str, tuple[dict[str, str], str]] = {
    # The root of every family with derivatives (tens of thousands of rows at 3M models): the
    # lineage page's largest families read their own downloads, the lookup pages which of them an
    # organisation owns.
    "family_roots": (
        {c: f"m.{c}" for c in (*FILTER_COLUMNS, "model_id", "depth", "downloads_30d")},
        f"m.model_id IN (SELECT family FROM models WHERE {DERIVATIVES.format(p='')} "  # noqa: S608 - constants
        f"AND {DERIVATIVE_DIMENSIONS['rooted'].format(p='')})"),
    # Every model tracked as distilled or naming a teacher, with what the lineage page lists of it
    # and who owns its teacher (the organisation page's "distilled from its models").
    "distilled_rows": (
        {**{c: f"m.{c}" for c in (*FILTER_COLUMNS, "model_id", "author", "distilled", "is_intermediary",
                                  "base_relation", "created_month", "downloads_30d", "base_model",
                                  "base_organization", "base_country", "teacher_model", "teacher_organization",
                                  "teacher_country", "distill_evidence")},
         "teacher_owner": "t.organization", "teacher_owner_group": "t.organization_group"},
        "coalesce(m.distilled, false) OR m.teacher_model IS NOT NULL"),
}
_TEACHERS = "models m LEFT JOIN models t ON t.model_id = m.teacher_model"


def row_table_select(table: str, where: str = "true", joined: bool = True) -> str:
    """The SELECT giving ``table``'s rows from ``models`` (aliased ``m``), those of them that also
    meet ``where`` (written over ``m``). ``joined=False`` leaves out the teachers' columns, and
    their join of ``models`` with itself, for a reader that does not need them."""
    columns, rows = ROW_TABLES[table]
    if not joined:
        columns = {name: sql for name, sql in columns.items() if not sql.startswith("t.")}
    source = _TEACHERS if any(sql.startswith("t.") for sql in columns.values()) else "models m"
    listed = ", ".join(f"{sql} AS {name}" for name, sql in columns.items())
    return f"SELECT {listed} FROM {source} WHERE ({rows}) AND ({where})"  # noqa: S608 - constants


def row_columns(dimensions: Mapping[str, str], measures: Mapping[str, tuple[str, str]], prefix: str = "") -> str:
    """The SELECT list giving each model's own row of a rollup (its dimensions and row values)."""
    items = [f"{sql} AS {name}" for name, sql in dimensions.items()]
    items += [f"{value} AS {name}" for name, (value, _) in measures.items()]
    return ", ".join(items).replace("{p}", prefix)


def _aggregates(measures: Mapping[str, tuple[str, str]], again: bool = False) -> list[str]:
    """Each measure's aggregate over its row values, or ``again`` over a rollup's own column of it."""
    # sums as BIGINT (DuckDB's sum of BIGINT is a 128-bit HUGEINT, slower to sum again and to read)
    return [f"{aggregate}({name if again else value})" + ("::BIGINT" if aggregate == "sum" else "") + f" AS {name}"
            for name, (value, aggregate) in measures.items()]


def _grouped(dimensions: Mapping[str, str], measures: Mapping[str, tuple[str, str]]) -> str:
    items = [f"{sql} AS {name}" for name, sql in dimensions.items()]
    return ", ".join([*items, *_aggregates(measures)]).replace("{p}", "")


# Rollups stored in an order: the latest date's rows first, then each family's rows together.
# The largest families are ranked on the latest date's rows, which then fill the first row groups
# alone; their series read the row groups of the eight chosen (zone maps: 98–131 → 15–29 ms at 14
# dates; at 70 dates the ranking read the whole table, 14 million rows, under a filter).
ROLLUP_ORDER = {"family_snapshot_rollup": "snapshot_date = (SELECT max(snapshot_date) FROM family_snapshot_rollup) "
                                          "DESC, family, snapshot_date"}
# Point lookups: table → the column of ``models`` it finds rows by (see the module's docstring).
KEY_TABLES: dict[str, str] = {"model_keys": "model_id", "base_keys": "base_model"}
# The sums build_rollups writes, in the order it writes them.
ROLLUP_TABLES: tuple[str, ...] = (
    "model_rollup", "derivative_rollup", "snapshot_rollup", "family_snapshot_rollup", "gain_rollup",
    "uploader_rollup", "uploader_rollup_rest",
)

# Coarser copies of rollups: the same sums without the dimensions that multiply their rows most
# and that only a filter reads (no history query groups on them; some of model_rollup's do, so
# only the queries over it that say they read none of them use its copies). Each snapshot date
# has a row per combination of every filter's values, and the organisation, its parent and the
# task multiply them most: at 3,000,000 models and 14 dates snapshot_rollup holds 1.48M rows,
# 533k without those three, 12k without the creation month too (model_rollup: 277k, 157k, 12k).
# The over time tab's charts then read thousands of rows under no filter, a country, a licence,
# a kind or a size, and a third of the rows under a range of years; landscape.queries.facts
# picks the smallest copy whose columns hold the filters'. Level → the dimensions it leaves
# out; its table is ``<rollup>_<level>``.
COARSE_LEVELS: dict[str, frozenset[str]] = {
    "coarse": frozenset({"organization", "organization_group", "pipeline_tag"}),
    "coarsest": frozenset({"organization", "organization_group", "pipeline_tag", "created_month"}),
}
# The sums' columns: rollup → its dimensions and its measures.
ROLLUP_COLUMNS: dict[str, tuple[Mapping[str, str], Mapping[str, tuple[str, str]]]] = {
    "model_rollup": (MODEL_DIMENSIONS, MODEL_MEASURES),
    "snapshot_rollup": (SNAPSHOT_DIMENSIONS, SNAPSHOT_MEASURES),
    "family_snapshot_rollup": (FAMILY_SNAPSHOT_DIMENSIONS, SNAPSHOT_MEASURES),
    "gain_rollup": (GAIN_DIMENSIONS, GAIN_MEASURES),
}
COARSENED = {rollup: ROLLUP_COLUMNS[rollup] for rollup in ("model_rollup", "snapshot_rollup", "gain_rollup")}
COARSE_TABLES: tuple[str, ...] = tuple(f"{rollup}_{level}" for rollup in COARSENED for level in COARSE_LEVELS)


def coarse_select(rollup: str, level: str, source: str) -> str:
    """The SELECT summing ``source`` (``rollup`` or a finer copy of it) into the copy ``level``:
    its dimensions but those the level leaves out, and each measure aggregated again (a sum of
    sums, a max of maxima: the same as over the models themselves)."""
    dimensions, measures = COARSENED[rollup]
    kept = [name for name in dimensions if name not in COARSE_LEVELS[level]]
    return f"SELECT {', '.join([*kept, *_aggregates(measures, again=True)])} FROM {source} GROUP BY ALL"  # noqa: S608


# The history's rollups join every snapshot with its model, and the gains take a window over each
# model's snapshots. With a backfilled history at Hub scale (3,000,000 models, 70 dates: 145
# million snapshots) one statement over all of them ran out of the build's memory, and the publish
# failed. A large history is therefore summed in parts, each over the models of a range of ids, and
# the parts' sums are summed again. The snapshots are stored by date, then id, so a part reads
# its ids' few row groups of each date instead of every snapshot; a model's snapshots all fall in
# its part, as the gains' window needs. (Parts by creation month, whose sums need no second pass,
# read every snapshot for each part: the gains took twice as long, on one thread, as a window on
# two ran out of memory; parts by snapshot date join every model in each part, and ran out too.)
HISTORY_PART_ROWS = 8_000_000  # snapshots in a part, about
HISTORY_ROLLUPS = ("snapshot_rollup", "family_snapshot_rollup", "gain_rollup")
_PARTS_TABLE = "_history_parts"  # the parts' sums, before they are summed again


def history_parts(con: duckdb.DuckDBPyConnection, part_rows: int = HISTORY_PART_ROWS) -> list[tuple[str, str | None]]:
    """The id ranges of the parts of the history's rollups: each its first id and the first id of
    the next (None for the last): one part, every id, unless the history is large. The ranges
    hold equal numbers of models."""
    snapshots, = con.execute("SELECT count(*) FROM model_snapshots").fetchone()
    parts = max(1, math.ceil(snapshots / part_rows))
    cuts = con.execute("SELECT quantile_disc(model_id, ?) FROM models",
                       [[i / parts for i in range(1, parts)]]).fetchone()[0] if parts > 1 else []
    starts = ["", *sorted(set(cuts or []))]
    return list(zip(starts, [*starts[1:], None], strict=True))


def _in_part(end: str | None) -> str:
    """The condition on the snapshot ``s`` and its model ``m`` of a part's range (its bounds, each
    given twice); ``end`` None: the last part, with no end."""
    return "s.model_id >= ? AND m.model_id >= ?" + ("" if end is None else " AND s.model_id < ? AND m.model_id < ?")


def _sum_in_parts(con: duckdb.DuckDBPyConnection, table: str, select: str, parts: list[tuple[str, str | None]]) -> None:
    """``table`` from ``select`` (its ``{part}`` a part's condition), one part at a time: with one
    part in one statement, else each part's sums written first, then summed again."""
    if len(parts) == 1:
        con.execute(f"CREATE OR REPLACE TABLE {table} AS {select.replace('{part}', 'true')}")  # noqa: S608
        return
    for number, (start, end) in enumerate(parts):
        into = f"INSERT INTO {_PARTS_TABLE}" if number else f"CREATE OR REPLACE TABLE {_PARTS_TABLE} AS"
        con.execute(f"{into} {select.replace('{part}', _in_part(end))}",  # noqa: S608 - constants
                    [start, start] + ([] if end is None else [end, end]))
    dimensions, measures = ROLLUP_COLUMNS[table]  # a part's sums summed again by the same columns
    con.execute(f"CREATE OR REPLACE TABLE {table} AS "  # noqa: S608 - constants
                f"SELECT {', '.join([*dimensions, *_aggregates(measures, again=True)])} FROM {_PARTS_TABLE} GROUP BY ALL")
    con.execute(f"DROP TABLE {_PARTS_TABLE}")


def build_rollups(con: duckdb.DuckDBPyConnection, uploaders: int = UPLOADERS,
                  history_part_rows: int = HISTORY_PART_ROWS) -> dict[str, int]:
    """Fill the rollups from ``models`` and ``model_snapshots`` (run after both are final); returns
    each table's row count. ``uploaders``: how many accounts without an organisation
    ``uploader_rollup`` keeps (the tests make it small to exercise the rankings' fallback);
    ``history_part_rows``: about how many snapshots each part of the history's rollups reads
    (:func:`history_parts`; the tests make it small to write them in several parts)."""
    # Constants only: the SQL is assembled from this module's own column descriptions.
    statements: dict[str, str] = {
        "model_rollup": f"SELECT {_grouped(MODEL_DIMENSIONS, MODEL_MEASURES)} FROM models GROUP BY ALL",  # noqa: S608
        "derivative_rollup": f"SELECT {_grouped(DERIVATIVE_DIMENSIONS, DERIVATIVE_MEASURES)} FROM models "  # noqa: S608
                             f"WHERE {DERIVATIVES.format(p='')} GROUP BY ALL",  # noqa: S608
        # the history's, a part at a time ({part}: _in_part's condition)
        "snapshot_rollup": f"SELECT {_grouped(SNAPSHOT_DIMENSIONS, SNAPSHOT_MEASURES)} FROM {SNAPSHOTS_JOINED} "  # noqa: S608
                           "WHERE {part} GROUP BY ALL",
        "family_snapshot_rollup": f"SELECT {_grouped(FAMILY_SNAPSHOT_DIMENSIONS, SNAPSHOT_MEASURES)} "  # noqa: S608
                                  f"FROM {FAMILY_SNAPSHOTS_JOINED} WHERE {{part}} GROUP BY ALL",
        "gain_rollup": f"SELECT {_grouped(GAIN_DIMENSIONS, GAIN_MEASURES)} "  # noqa: S608
                       f"FROM {gains_joined('{part}')} GROUP BY ALL",
    }
    kept = f"WITH kept AS ({_KEPT_UPLOADERS.format(uploaders=int(uploaders))})"
    statements["uploader_rollup"] = (
        f"{kept} SELECT {_grouped(UPLOADER_DIMENSIONS, UPLOADER_MEASURES)} FROM models "  # noqa: S608 - constants
        "WHERE author IS NULL OR author IN (SELECT author FROM kept WHERE kept) GROUP BY ALL")
    statements["uploader_rollup_rest"] = f"""{kept}
        SELECT 'all' AS scope, NULL::VARCHAR AS country, NULL::VARCHAR AS origin_country,
               max(d30)::BIGINT AS downloads_30d, max(dall)::BIGINT AS downloads_all_time
        FROM kept WHERE NOT kept
        UNION ALL
        SELECT 'cell', country, origin_country, max(d30), max(dall) FROM (
            SELECT author, country, origin_country, coalesce(sum(downloads_30d), 0) AS d30,
                   coalesce(sum(downloads_all_time), 0) AS dall
            FROM models WHERE author IN (SELECT author FROM kept WHERE NOT kept) GROUP BY ALL)
        GROUP BY ALL"""  # noqa: S608 - constants
    parts = history_parts(con, history_part_rows)
    counts = {}
    for table in ROLLUP_TABLES:
        if table in HISTORY_ROLLUPS:
            _sum_in_parts(con, table, statements[table], parts)
        else:
            con.execute(f"CREATE OR REPLACE TABLE {table} AS {statements[table]}")  # noqa: S608 - constants only
        if table in ROLLUP_ORDER:  # then sorted, in a statement of its own (as the row tables below)
            with insertion_order_kept(con):
                con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM {table} "  # noqa: S608 - constants
                            f"ORDER BY {ROLLUP_ORDER[table]}")
        counts[table] = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
    for rollup in COARSENED:
        source = rollup  # each level from the one before it: the finest rows are read once
        for level in COARSE_LEVELS:
            table = f"{rollup}_{level}"
            con.execute(f"CREATE OR REPLACE TABLE {table} AS {coarse_select(rollup, level, source)}")  # noqa: S608
            counts[table] = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
            source = table
    for table in ROW_TABLES:
        # The rows, then the same sorted most downloaded first as ``models`` is (the top lists
        # read from them then skip most row groups): two statements, as the teachers' join and
        # the sort of wide rows together exceed the build's memory limit, and each alone fits.
        con.execute(f"CREATE OR REPLACE TABLE {table} AS {row_table_select(table)}")  # noqa: S608 - constants
        with insertion_order_kept(con):
            con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM {table} "  # noqa: S608 - constants
                        "ORDER BY downloads_30d DESC NULLS LAST, model_id")
        counts[table] = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
    # A rowid is a row's position in ``models``. Updates keep it; a checkpoint may close the gaps
    # deleted rows leave, which moves the rows after them: so checkpoint first (the build deletes
    # none, a test may), and nothing writes to ``models`` after. tests/integration/test_rollups.py
    # checks every key against its row.
    con.execute("CHECKPOINT")
    for table, column in KEY_TABLES.items():
        with insertion_order_kept(con):
            con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT {column}, rowid AS row FROM models "  # noqa: S608
                        f"WHERE {column} IS NOT NULL ORDER BY {column}, row")
        counts[table] = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
    return counts
