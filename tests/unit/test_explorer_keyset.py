"""The Explorer's keyset paging against one full ORDER BY read, on generated tables of models.

The tables are written here (the schema is the pipeline's own): few distinct values, so that
sorts meet long runs of ties, and empty values in every nullable sort column. The expected
order is written here too, independently of the query module's SORTS: the column in the sort's
direction with its empty values last, then the model id. Every page read by keyset (next,
previous, first, last) and by counting (a jump) must be the same slice of that order.
"""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from landscape.datasets import MODEL_EXPORT_COLUMNS
from landscape.filters import Filters
from landscape.queries import explorer as q
from pipeline.storage import schema_sql

INSERTED = ("model_id", "author", "country", "license_family", "gated", "params", "downloads_30d", "likes",
            "created_at", "model_kind")
DAYS = [datetime(2024, 1, d, 12, 30, 15, 123456, tzinfo=UTC) for d in (1, 2, 3)]
# Sorts with ties and empty values (and one on the tiebreak itself), both directions.
SORTS = [f"{c}:{d}" for c in ("downloads_30d", "params", "likes", "author", "created_at", "gated", "model_id",
                              "country") for d in ("asc", "desc")]


def models_db(rows: list[tuple]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(schema_sql())
    if rows:
        con.executemany(f"INSERT INTO models ({', '.join(INSERTED)}) VALUES ({', '.join('?' * len(INSERTED))})", rows)
    return con


def generated(n: int) -> list[tuple]:
    """``n`` models from a formula: runs of ties, every fifth or so value empty."""
    return [(f"org{i % 4}/model-{i:03d}", None if i % 7 == 0 else f"org{i % 3}", ("CN", "US", None)[i % 3],
             "permissive", (True, False, None)[i % 3], None if i % 5 == 0 else (i % 4) * 1_000_000_000,
             None if i % 11 == 0 else i % 3, i % 2, None if i % 13 == 0 else DAYS[i % 3], "original")
            for i in range(n)]


def expected(con: duckdb.DuckDBPyConnection, sort: str, filters: Filters) -> list[str]:
    column, direction = sort.split(":")
    where = "country = 'CN' OR origin_country = 'CN'" if filters["country"] else "true"
    return [r[0] for r in con.execute(f"SELECT model_id FROM models WHERE {where} "  # noqa: S608 - test constants
                                      f"ORDER BY {column} {direction} NULLS LAST, model_id").fetchall()]


def ids(rows) -> list[str]:  # noqa: ANN001
    return rows["model_id"].tolist()


def check_every_way(con: duckdb.DuckDBPyConnection, sort: str, filters: Filters, size: int) -> None:
    order = expected(con, sort, filters)
    total = len(order)
    pages = max(1, -(-total // size))

    def page(number: int) -> list[str]:
        return order[(number - 1) * size:number * size]

    # forwards by keyset from the first page, each page from the bookmark of the one before
    rows = q.page_rows(con, "models", filters, sort, 1, total, size)
    assert ids(rows) == page(1)
    for number in range(2, pages + 1):
        near = q.bookmark("models", sort, number - 1, rows)
        rows = q.page_rows(con, "models", filters, sort, number, total, size, near)
        assert ids(rows) == page(number), (sort, number)
    # backwards by keyset from the last page, read from the end
    rows = q.page_rows(con, "models", filters, sort, pages, total, size)
    assert ids(rows) == page(pages)
    for number in range(pages - 1, 0, -1):
        near = q.bookmark("models", sort, number + 1, rows)
        rows = q.page_rows(con, "models", filters, sort, number, total, size, near)
        assert ids(rows) == page(number), (sort, number)
    # jumps: counted from the start (no total), or from the nearer end
    for number in range(1, pages + 1):
        assert ids(q.page_rows(con, "models", filters, sort, number, None, size)) == page(number)
        if 1 < number < pages:
            assert ids(q.page_rows(con, "models", filters, sort, number, total, size)) == page(number)


@pytest.mark.parametrize("sort", SORTS)
@pytest.mark.parametrize("size", [3, 25])
def test_keyset_pages_are_slices_of_the_full_order(sort, size):
    con = models_db(generated(60))
    check_every_way(con, sort, Filters(), size)
    check_every_way(con, sort, Filters(country=("CN",)), size)


def test_the_page_keeps_the_export_columns_and_cells():
    con = models_db(generated(30))
    first = q.page_rows(con, "models", Filters(), "created_at:desc", 1, 30, 10)
    near = q.bookmark("models", "created_at:desc", 1, first)
    assert isinstance(near.last[0], datetime) and near.last[0].microsecond == 123456  # microseconds kept
    second = q.page_rows(con, "models", Filters(), "created_at:desc", 2, 30, 10, near)
    counted = q.page_rows(con, "models", Filters(), "created_at:desc", 2, None, 10)
    assert list(second.columns) == list(MODEL_EXPORT_COLUMNS)
    assert second.astype(str).equals(counted.astype(str))


def test_releases_are_counted_and_have_no_bookmark():
    con = models_db([])
    rows = q.page_rows(con, "releases", Filters(), "params:desc", 1)
    assert q.bookmark("releases", "params:desc", 1, rows) is None
    assert q.bookmark("models", "params:desc", 1, q.page_rows(con, "models", Filters(), "params:desc", 1)) is None


def test_a_bookmark_refuses_an_unknown_sort():
    con = models_db(generated(5))
    rows = q.page_rows(con, "models", Filters(), "likes:desc", 1)
    with pytest.raises(ValueError, match="unknown sort"):
        q.bookmark("models", "likes; DROP TABLE models:desc", 1, rows)


model_rows = st.lists(
    st.tuples(st.integers(0, 10_000).map(lambda i: f"org{i % 3}/m{i}"),
              st.sampled_from([None, "a", "b", "B"]), st.sampled_from([None, "CN", "US"]),
              st.sampled_from([None, 0, 1, 2, 10**12]), st.sampled_from([None, 0, 5]), st.integers(0, 2),
              st.sampled_from([None, *DAYS])),
    max_size=40, unique_by=lambda r: r[0])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=model_rows, sort=st.sampled_from(SORTS), size=st.integers(1, 6), china=st.booleans())
def test_keyset_paging_on_any_table(rows, sort, size, china):
    con = models_db([(i, author, country, "permissive", None, params, downloads, likes, day, "original")
                     for i, author, country, params, downloads, likes, day in rows])
    check_every_way(con, sort, Filters(country=("CN",)) if china else Filters(), size)
