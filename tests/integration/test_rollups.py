"""The rollups written at publish time answer every page's queries exactly as ``models`` does.

One database built by the real pipeline from the loopback Hub (3,000 generated models) with 16
weeks of backfilled history, then each query that reads a rollup is run twice under the same
filters: through the rollups, and with :func:`landscape.queries.facts.base_tables` (row by row
from ``models``). The answers must be equal, frame for frame, under fixed filter sets and under
filter sets drawn by Hypothesis from the values in the data.
"""

from __future__ import annotations

import inspect
import itertools
import shutil
from datetime import date, timedelta

import duckdb
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from landscape.filters import MODEL_KINDS, SIZE_STEPS, Filters, year_steps
from landscape.queries import (
    adoption,
    coverage,
    explorer,
    facts,
    history,
    licences,
    lineage,
    lookup,
    overview,
)
from pipeline.derive import bucket_sql
from pipeline.registry import KINDS
from pipeline.rollups import (
    COARSE_LEVELS,
    COARSENED,
    HISTORY_ROLLUPS,
    KEY_TABLES,
    ROW_TABLES,
    SIZE_BREAKS,
    build_rollups,
    history_parts,
    row_table_select,
    size_bucket_at,
    size_bucket_sql,
)
from pipeline.transform.licenses import LICENSE_FAMILIES
from tests.fixtures import add_history, build_fixture_db

# Every query that reads a rollup, with the argument variants the pages use.
PAGE_QUERIES = [
    (overview.headline_figures, ()),
    (coverage.hub_coverage, ("origin",)), (coverage.hub_coverage, ("uploader",)),
    (adoption.downloads_by_country, ("30d",)), (adoption.downloads_by_country, ("all",)),
    (adoption.cohorts, ("30d",)), (adoption.cohorts, ("all",)),
    (adoption.top_organizations, ("30d", "models")), (adoption.top_organizations, ("all", "models", 20, True)),
    (adoption.top_organizations, ("30d", "families")), (adoption.top_organizations, ("all", "families", 20, True)),
    (adoption.top_models, ("30d", "families")), (adoption.top_models, ("all", "families")),
    (adoption.recent_share, ("30d",)), (adoption.recent_share, ("all",)),
    (adoption.size_classes, ("30d",)), (adoption.size_classes, ("all",)),
    (licences.licence_cube, ()), (licences.family_by_month, ("models",)), (licences.family_by_month, ("downloads",)),
    (licences.top_licences, ("models",)), (licences.top_licences, ("downloads",)),
    (lineage.lineage_counts, ()), (lineage.derivatives_by_month, ("country",)),
    (lineage.derivatives_by_month, ("organization",)), (lineage.top_bases, ()), (lineage.cross_border, ("models",)),
    (lineage.cross_border, ("downloads",)), (lineage.families, ()),
    (lineage.distilled_by_month, ("teacher",)), (lineage.distilled_by_month, ("student", False)),
    (lineage.distilled_models, ()), (lineage.distilled_models, (False,)),
    (history.by_country, ("origin",)), (history.by_country, ("uploader",)), (history.region_shares, ("origin",)),
    (history.monthly_lead, ()), (history.families, ()),
]
FIXED = {
    "none": Filters(),
    "China": Filters(country=("CN",)),
    "US+CN permissive": Filters(country=("US", "CN"), license=("permissive",)),
    "7B–70B, 2024–2026": Filters(size=(7e9, 7e10), years=(date(2024, 1, 1), date(2026, 12, 31))),
    "originals by labs, up to 1B": Filters(kind=("original",), uploader=("lab",), size=(None, 1e9)),
    "derivatives of 2025": Filters(kind=("derivative", "repackage"), years=(date(2025, 1, 1), date(2025, 12, 31))),
}


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> duckdb.DuckDBPyConnection:
    settings_ = build_fixture_db(tmp_path_factory.mktemp("rollupdb"))
    add_history(settings_)
    con = duckdb.connect(str(settings_.db_path), read_only=True)
    yield con
    con.close()


def _both(con: duckdb.DuckDBPyConnection, query, args: tuple, filters: Filters) -> tuple[pd.DataFrame, pd.DataFrame]:
    rolled = query(con, filters, *args)
    with facts.base_tables():
        base = query(con, filters, *args)
    return rolled, base


def _since_dates(con: duckdb.DuckDBPyConnection) -> list[date]:
    """Start dates for the cumulative view: before the history, its first date, a day between two
    snapshots, the day of one, and the last."""
    days = [r[0] for r in con.execute("SELECT DISTINCT snapshot_date FROM model_snapshots ORDER BY 1").fetchall()]
    return [date(2000, 1, 1), days[0], days[len(days) // 2] - timedelta(days=3), days[len(days) // 2], days[-1]]


def _equal(con: duckdb.DuckDBPyConnection, filters: Filters) -> None:
    assert facts.models(filters).rolled, f"{filters} should read the rollups"
    queries = [*PAGE_QUERIES, *((history.cumulative, (since, repackages)) for since in _since_dates(con)
                                for repackages in (True, False))]
    for query, args in queries:
        rolled, base = _both(con, query, args, filters)
        pd.testing.assert_frame_equal(rolled, base, check_dtype=False, obj=f"{query.__name__}{args} under {filters}")
    counted = explorer.row_count(con, "models", filters)
    with facts.base_tables():
        assert counted.equals(explorer.row_count(con, "models", filters)), f"the explorer's count under {filters}"


def test_the_rollups_hold_every_model_and_download(db):
    models, downloads, snapshots = db.execute(
        "SELECT count(*), sum(downloads_30d), (SELECT count(*) FROM model_snapshots) FROM models").fetchone()
    assert models > 2000 and snapshots > models  # the fixture and its history really are there
    assert db.execute("SELECT sum(models), sum(downloads_30d) FROM model_rollup").fetchone() == (models, downloads)
    assert db.execute("SELECT sum(models) FROM snapshot_rollup").fetchone()[0] == snapshots
    assert db.execute("SELECT sum(models) FROM derivative_rollup").fetchone()[0] == \
        db.execute("SELECT count(*) FROM models WHERE depth > 0").fetchone()[0]
    # and they are smaller: what the pages read shrinks
    assert db.execute("SELECT count(*) FROM model_rollup").fetchone()[0] < models


@pytest.mark.parametrize("rollup", COARSENED)
def test_the_coarser_copies_sum_what_their_rollup_sums_without_the_columns_they_leave_out(db, rollup):
    dimensions, measures = COARSENED[rollup]
    totals = ", ".join(f"{aggregate}({name})" for name, (_, aggregate) in measures.items())
    finest = db.execute(f"SELECT count(*), {totals} FROM {rollup}").fetchone()  # noqa: S608 - constants
    for level, left_out in COARSE_LEVELS.items():
        table = f"{rollup}_{level}"
        columns = {c for (c,) in db.execute(f"SELECT column_name FROM (DESCRIBE {table})").fetchall()}  # noqa: S608
        assert columns == set(dimensions) - left_out | set(measures), table
        rows, *sums = db.execute(f"SELECT count(*), {totals} FROM {table}").fetchone()  # noqa: S608
        assert tuple(sums) == finest[1:] and rows < finest[0], table  # the same sums, in fewer rows


def test_a_history_query_reads_the_smallest_copy_that_keeps_its_filters_columns():
    def table(filters):
        return facts.snapshots(filters).relation.split(" FROM ")[1].split()[0]

    may = (date(2025, 5, 1), date(2025, 5, 31))
    assert table(Filters()) == table(Filters(country=("CN",), license=("permissive",))) == "snapshot_rollup_coarsest"
    assert table(Filters(size=(7e9, 7e10), kind=("original",), uploader=("lab",))) == "snapshot_rollup_coarsest"
    assert table(Filters(country=("CN",), years=may)) == "snapshot_rollup_coarse"
    assert table(Filters(org=("Meta",))) == table(Filters(task=("text-generation",), years=may)) == "snapshot_rollup"
    assert facts.gains(Filters(years=may)).relation.startswith("(SELECT * FROM gain_rollup_coarse ")
    # model_rollup's copies only for a query that says it reads none of the columns they leave out
    assert facts.models(Filters()).relation.startswith("(SELECT * FROM model_rollup ")
    coarse = facts.models(Filters(country=("CN",)), coarse=True)
    assert coarse.relation.startswith("(SELECT * FROM model_rollup_coarsest ")
    assert facts.models(Filters(org=("Meta",)), coarse=True).relation.startswith("(SELECT * FROM model_rollup ")
    assert facts.filter_columns(Filters(country=("CN",), years=may)) == {"country", "origin_country", "created_month"}


@pytest.mark.parametrize("table", ROW_TABLES)
def test_the_row_tables_hold_their_rows_of_models_most_downloaded_first(db, table):
    written = db.execute(f"SELECT * FROM {table}").df()  # noqa: S608 - constants
    assert len(written) > 0  # the fixture has families and distilled models
    expected = db.execute(f"{row_table_select(table)} ORDER BY downloads_30d DESC NULLS LAST, model_id").df()
    pd.testing.assert_frame_equal(written, expected)


# The lookup pages' queries read the rollups and row tables by name (they take no filters): each
# against the plain question asked of ``models``, for every organisation and group of the data.
_OWN = "(SELECT model_id FROM models WHERE organization = $name OR organization_group = $name)"
_BY_OTHERS = "NOT coalesce(organization = $name OR organization_group = $name, false)"
PLAIN_LOOKUPS = {
    lookup.organization_hub_totals: f"""
        WITH own AS (SELECT * FROM models WHERE organization = $name OR organization_group = $name)
        SELECT 'models' AS measure, count(*)::BIGINT AS value FROM own
        UNION ALL SELECT '30-day downloads', coalesce(sum(downloads_30d), 0)::BIGINT FROM own
        UNION ALL SELECT 'all-time downloads', coalesce(sum(downloads_all_time), 0)::BIGINT FROM own
        UNION ALL SELECT 'derivatives by others', count(*)::BIGINT FROM models
            WHERE depth > 0 AND root_model IN {_OWN} AND {_BY_OTHERS}""",
    lookup.organization_derivatives: f"""
        SELECT {bucket_sql("country", "author_kind")} AS country,
               coalesce(author_kind, 'unknown') AS kind, count(*)::BIGINT AS models,
               coalesce(sum(downloads_30d), 0)::BIGINT AS downloads_30d
        FROM models WHERE depth > 0 AND root_model IN {_OWN} AND {_BY_OTHERS}
        GROUP BY 1, 2 ORDER BY models DESC, 1, 2""",
    lookup.organization_distillation: f"""
        SELECT 'from it' AS direction, model_id, teacher_model, distill_evidence, downloads_30d FROM models
        WHERE teacher_model IN {_OWN} AND {_BY_OTHERS}
        UNION ALL
        SELECT 'by it', model_id, teacher_model, distill_evidence, downloads_30d FROM models
        WHERE (organization = $name OR organization_group = $name) AND distilled
        ORDER BY direction, downloads_30d DESC NULLS LAST, model_id""",
}


def _organisations(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute("SELECT organization FROM models WHERE organization IS NOT NULL UNION "
                                      "SELECT organization_group FROM models WHERE organization_group IS NOT NULL "
                                      "ORDER BY 1").fetchall()]


def test_the_lookup_queries_answer_as_models_does(db):
    names = _organisations(db)
    assert len(names) > 5
    seen = dict.fromkeys(PLAIN_LOOKUPS, 0)
    for name in [*names, "nobody at all"]:
        for query, plain in PLAIN_LOOKUPS.items():
            got, expected = query(db, name), db.execute(plain, {"name": name}).df()
            pd.testing.assert_frame_equal(got, expected, check_dtype=False, obj=f"{query.__name__}({name!r})")
            found = expected["value"].iloc[-1] if query is lookup.organization_hub_totals else len(expected)
            seen[query] += found > 0
    # the comparison found something to compare: derivatives by others, distillations both ways
    assert all(seen.values()), seen
    directions = {d for n in names for d in lookup.organization_distillation(db, n)["direction"]}
    assert directions == {"from it", "by it"}, directions


def test_the_comparison_of_hub_downloads_answers_as_models_does(db):
    names = _organisations(db)
    plain = """
        WITH asked AS (SELECT unnest($names::VARCHAR[]) AS name),
        snaps AS (SELECT s.snapshot_date, s.downloads_30d, m.organization, m.organization_group, m.depth,
                         m.root_model FROM model_snapshots s JOIN models m USING (model_id)),
        own AS (SELECT a.name, snapshot_date, sum(downloads_30d) AS d FROM snaps, asked a
                WHERE organization = a.name OR organization_group = a.name GROUP BY 1, 2),
        derived AS (SELECT a.name, s.snapshot_date, sum(s.downloads_30d) AS d FROM snaps s, asked a
                    WHERE s.depth > 0 AND s.root_model IN (SELECT model_id FROM models
                                                           WHERE organization = a.name OR organization_group = a.name)
                      AND NOT coalesce(list_contains($names, s.organization)
                                       OR list_contains($names, s.organization_group), false)
                    GROUP BY 1, 2)
        SELECT coalesce(o.name, x.name) AS organization, coalesce(o.snapshot_date, x.snapshot_date) AS snapshot_date,
               o.d::BIGINT AS own, coalesce(x.d, 0)::BIGINT AS derivatives
        FROM own o FULL JOIN derived x ON x.name = o.name AND x.snapshot_date = o.snapshot_date
        ORDER BY 1, 2"""
    derived = 0
    for asked in [names[:5], names[5:10], names[-3:], [names[0], "nobody at all"]]:
        got, expected = lookup.compare_hub(db, asked), db.execute(plain, {"names": asked}).df()
        pd.testing.assert_frame_equal(got, expected, check_dtype=False, obj=f"compare_hub({asked})")
        derived += int(expected["derivatives"].sum() > 0)
    assert derived  # some organisation asked has derivatives by others in the history


@pytest.mark.parametrize("name", FIXED)
def test_every_page_query_gives_the_same_answer_from_the_rollups(db, name):
    _equal(db, FIXED[name])


def test_the_fixed_filter_sets_are_not_empty(db):
    """A comparison of two empty answers would prove nothing: each fixed set keeps some models."""
    for name, filters in FIXED.items():
        assert overview.headline_figures(db, filters)["hub_models"][0] > 0, name


def _data_values(con: duckdb.DuckDBPyConnection, column: str) -> list[str]:
    return [r[0] for r in con.execute(f"SELECT DISTINCT {column} FROM models WHERE {column} IS NOT NULL "  # noqa: S608
                                      "ORDER BY 1").fetchall()]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_filter_set_the_sliders_can_make_gives_the_same_answer(db, data):
    def some(values):
        return data.draw(st.lists(st.sampled_from(values), max_size=3, unique=True))

    sizes = [v for v in SIZE_STEPS.values() if v is not None]
    years = [v for v in year_steps().values() if v is not None]
    low_size, high_size = sorted(data.draw(st.lists(st.sampled_from([None, *sizes]), min_size=2, max_size=2)),
                                 key=lambda v: -1 if v is None else v)
    low_year = data.draw(st.sampled_from([None, *years]))
    high_year = data.draw(st.sampled_from([None, *[y for y in years if low_year is None or y >= low_year]]))
    filters = Filters(
        country=some(_data_values(db, "country") + ["FR"]), license=some(list(LICENSE_FAMILIES)),
        org=some(_data_values(db, "organization")[:6]), task=some(_data_values(db, "pipeline_tag")),
        kind=some(list(MODEL_KINDS)), uploader=some([*KINDS, "unknown"]),
        size=(low_size, high_size),
        years=(low_year, None if high_year is None else date(high_year.year, 12, 31)),
    )
    _equal(db, filters)


@pytest.mark.parametrize(("table", "column"), KEY_TABLES.items())
def test_every_key_finds_its_own_row_of_models_and_the_keys_are_sorted(db, table, column):
    """The key tables point at rows by rowid: in the published file (written, checkpointed, read
    again), every key must still name its own row, and the keys lie in order (their zone maps)."""
    (keys,), = db.execute(f"SELECT count(*) FROM {table}").fetchall()  # noqa: S608 - constants
    (expected,), = db.execute(f"SELECT count(*) FROM models WHERE {column} IS NOT NULL").fetchall()  # noqa: S608
    (matched,), = db.execute(f"SELECT count(*) FROM {table} k JOIN models m "  # noqa: S608 - constants
                             f"ON m.rowid = k.row AND m.{column} = k.{column}").fetchall()
    assert keys == expected == matched > 100
    (unsorted,), = db.execute(f"SELECT count(*) FROM (SELECT {column} AS v, lag({column}) OVER (ORDER BY rowid) AS p "  # noqa: S608
                              f"FROM {table}) WHERE v < p").fetchall()
    assert unsorted == 0


def test_each_dates_snapshots_are_stored_in_id_order(db):
    """The model page reads one model's history; zone maps skip the other row groups of each date
    only when its rows are stored by id (a run's rows, the backfill's, and both carried over)."""
    (dates,), = db.execute("SELECT count(DISTINCT snapshot_date) FROM model_snapshots").fetchall()
    (unsorted,), = db.execute("""
        SELECT count(*) FROM (SELECT model_id, lag(model_id) OVER (PARTITION BY snapshot_date ORDER BY rowid) AS p
                              FROM model_snapshots) WHERE model_id < p""").fetchall()
    assert dates > 10 and unsorted == 0


def _plain_chain(rows: dict, model_id: str) -> list[tuple]:
    chain, current = [], model_id
    while current is not None and current not in {c[1] for c in chain} and len(chain) <= 20:
        found = rows.get(current)
        chain.append((len(chain), current, found[1] if found else None, found is not None))
        current = found[0] if found else None
    return chain


def test_the_model_lookups_answer_as_models_does(db):
    """The model page's lookups go through the key tables: each against the plain question asked
    of ``models``, for the models with most derivatives, a sample of the rest, and ids not there."""
    rows = {m: (b, r) for m, b, r in db.execute("SELECT model_id, base_model, base_relation FROM models").fetchall()}
    parents = [r[0] for r in db.execute("SELECT base_model FROM models WHERE base_model IS NOT NULL "
                                        "GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 40").fetchall()]
    sample = [r[0] for r in db.execute("SELECT model_id FROM models ORDER BY hash(model_id) LIMIT 120").fetchall()]
    asked = [*parents, *sample, "no-such/model", ""]
    assert len(set(parents) & set(rows)) > 10  # parents in the database, and some not
    for model_id in asked:
        facts_row = lookup.model_facts(con=db, model_id=model_id)
        plain = db.execute(f"SELECT {', '.join(facts_row.columns)} FROM models WHERE model_id = ?",  # noqa: S608
                           [model_id]).df()
        pd.testing.assert_frame_equal(facts_row, plain, obj=f"model_facts({model_id!r})")
        children = lookup.model_children(db, model_id)
        plain = db.execute("""
            SELECT model_id, base_relation, coalesce(uploader_bucket, '') AS country, author_kind, downloads_30d
            FROM models WHERE base_model = ? ORDER BY downloads_30d DESC NULLS LAST, model_id""", [model_id]).df()
        pd.testing.assert_frame_equal(children, plain, obj=f"model_children({model_id!r})")
        chain = lookup.model_chain(db, model_id)
        plain = pd.DataFrame(_plain_chain(rows, model_id), columns=["depth", "model_id", "base_relation", "in_database"])
        pd.testing.assert_frame_equal(chain, plain, obj=f"model_chain({model_id!r})")
    release_checked = 0
    for model_id in [r[0] for r in db.execute(
            "SELECT m.model_id FROM models m JOIN releases r ON lower(r.hf_developer_id) = lower(m.author) "
            "GROUP BY 1 ORDER BY 1 LIMIT 30").fetchall()] + sample[:10]:
        found = lookup.model_release(db, model_id)
        plain = db.execute("""
            WITH r AS (SELECT r.* FROM releases r, models m
                       WHERE m.model_id = ? AND lower(r.hf_developer_id) = lower(m.author)
                         AND contains(lower(split_part(m.model_id, '/', 2)), lower(replace(r.model, ' ', '-')))
                       ORDER BY length(r.model) DESC LIMIT 1)
            SELECT r.model, r.organization, r.publication_date, r.accessibility_group, s.source, s.benchmark, s.score
            FROM r LEFT JOIN benchmark_scores s ON s.release_id = r.release_id
            ORDER BY s.source <> 'eci', s.source, s.benchmark""", [model_id]).df()
        pd.testing.assert_frame_equal(found, plain, obj=f"model_release({model_id!r})")
        release_checked += not found.empty
    assert release_checked > 0  # some Hub models are Epoch releases in the fixture


def test_a_ranking_of_accounts_falls_back_when_a_left_out_account_could_enter_it(db, tmp_path):
    """With only 5 accounts without an organisation kept, some rankings stand on the rollup and
    some must read ``models``: both give the plain answer."""
    path = tmp_path / "few.duckdb"
    (source,), = db.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchall()
    shutil.copy(source, path)
    with duckdb.connect(str(path)) as con:
        build_rollups(con, uploaders=5)
    outcomes = []
    with duckdb.connect(str(path), read_only=True) as con:
        for filters in FIXED.values():
            for args in (("30d", "models"), ("all", "models", 10, True)):
                rolled, base = _both(con, adoption.top_organizations, args, filters)
                pd.testing.assert_frame_equal(rolled, base, check_dtype=False, obj=f"{args} under {filters}")
                column = adoption.MEASURES[args[0]]
                bound = facts.uploaders_left_out(con, filters, column)
                limit = args[2] if len(args) > 2 else 20
                outcomes.append(len(base) == limit and base["downloads"].iloc[-1] > bound)
    assert any(outcomes) and not all(outcomes), outcomes  # both paths were taken


def test_the_history_written_in_parts_is_the_history_written_at_once(db, tmp_path):
    """A large history's rollups are summed in parts (pipeline.rollups.history_parts), each over
    the models of a range of ids, and the parts' sums summed again: the same rows as the one
    statement the fixture's small history is summed in, for every table built from them."""
    path = tmp_path / "parts.duckdb"
    (source,), = db.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchall()
    shutil.copy(source, path)
    snapshots, = db.execute("SELECT count(*) FROM model_snapshots").fetchone()
    assert history_parts(db) == [("", None)]  # the fixture's own: one part
    parts = history_parts(db, snapshots // 6)
    assert len(parts) >= 5 and parts[0][0] == "" and parts[-1][1] is None, parts
    assert all(a[1] == b[0] for a, b in itertools.pairwise(parts))  # every id in one part
    with duckdb.connect(str(path)) as con:
        build_rollups(con, history_part_rows=snapshots // 6)
    with duckdb.connect(str(path), read_only=True) as con:
        for table in (*HISTORY_ROLLUPS, *(f"{rollup}_{level}" for rollup in HISTORY_ROLLUPS if rollup in COARSENED
                                          for level in COARSE_LEVELS)):
            written = con.execute(f"SELECT * FROM {table}").df()  # noqa: S608 - our names
            at_once = db.execute(f"SELECT * FROM {table}").df()  # noqa: S608
            assert len(written) > 100, table
            key = list(written.columns)
            pd.testing.assert_frame_equal(written.sort_values(key, ignore_index=True),
                                          at_once.sort_values(key, ignore_index=True), obj=table)


def test_the_families_history_is_stored_latest_date_first_then_family_by_family(db):
    """The order pipeline.rollups.ROLLUP_ORDER asks for: the latest date's rows first (the ranking
    of the largest families reads them alone), then each family's rows together (their series
    skip the row groups of the other families)."""
    rows, latest_first, out_of_order = db.execute("""
        WITH latest AS (SELECT max(snapshot_date) AS d FROM family_snapshot_rollup),
        keyed AS (SELECT rowid, snapshot_date <> (SELECT d FROM latest) AS older, family, snapshot_date
                  FROM family_snapshot_rollup)
        SELECT count(*), count(*) FILTER (WHERE NOT older),
               count(*) FILTER (WHERE rowid > 0 AND (older, family, snapshot_date) < (b_older, b_family, b_date))
        FROM (SELECT *, lag(older) OVER w AS b_older, lag(family) OVER w AS b_family, lag(snapshot_date) OVER w AS b_date
              FROM keyed WINDOW w AS (ORDER BY rowid))""").fetchone()
    assert rows > 100 and 0 < latest_first < rows and out_of_order == 0


def test_models_are_written_most_downloaded_first(db):
    """The physical order the pages' top lists and the Explorer's default sort rely on (zone maps),
    kept through the history backfill's rebuild, which does not fetch the Hub."""
    out_of_order, = db.execute("""
        SELECT count(*) FROM (SELECT coalesce(downloads_30d, -1) AS d,
                                     lag(coalesce(downloads_30d, -1)) OVER (ORDER BY rowid) AS before FROM models)
        WHERE d > before""").fetchone()
    assert out_of_order == 0


def test_filters_a_rollup_cannot_express_read_the_models_table():
    assert not facts.models(Filters(size=(6e9, None))).rolled             # not a break
    assert not facts.models(Filters(years=(date(2025, 3, 15), None))).rolled  # mid-month
    assert not facts.models(Filters(years=(None, date(2025, 3, 30)))).rolled  # not a month's last day
    assert facts.models(Filters(years=(date(2025, 3, 1), date(2025, 4, 30)))).rolled
    with facts.base_tables():
        assert not facts.models(Filters()).rolled


def test_size_buckets_order_counts_as_the_breaks_do(db):
    """A count equal to a break has its own bucket between those below and above it."""
    for k, bound in enumerate(SIZE_BREAKS):
        (below, at, above), = db.execute(
            f"SELECT list({size_bucket_sql('x')} ORDER BY x) FROM (VALUES (?), (?), (?)) AS t(x)",  # noqa: S608
            [int(bound) - 1, int(bound), int(bound) + 1]).fetchall()[0]
        assert (below, at, above) == (2 * k, 2 * k + 1, 2 * k + 2) and size_bucket_at(bound) == at
    assert db.execute(f"SELECT {size_bucket_sql('NULL::BIGINT')}").fetchone() == (None,)


def test_every_query_reading_a_rollup_is_compared():
    """A new page query that reads the rollups must join PAGE_QUERIES, or this fails."""
    compared = {q for q, _ in PAGE_QUERIES}
    compared.update((explorer.row_count, history.cumulative))  # compared in _equal
    for module in (overview, coverage, adoption, licences, lineage, history, explorer):
        for name, fn in inspect.getmembers(module, inspect.isfunction):  # helpers count through their callers
            if fn.__module__ == module.__name__ and not name.startswith("_") and "facts." in inspect.getsource(fn):
                assert fn in compared, f"{module.__name__}.{fn.__name__} reads a rollup but is not compared"
    # the lookup queries name the tables themselves
    tables = ("model_rollup", "derivative_rollup", "snapshot_rollup", "uploader_rollup", *ROW_TABLES, "_ITS_FAMILIES")
    keyed = (lookup.model_facts, lookup.model_children, lookup.model_chain, lookup.model_release)  # compared above
    for name, fn in inspect.getmembers(lookup, inspect.isfunction):
        if fn.__module__ == lookup.__name__ and any(t in inspect.getsource(fn) for t in tables):
            assert fn in PLAIN_LOOKUPS or fn is lookup.compare_hub, f"lookup.{name} reads a rollup but is not compared"
        if fn.__module__ == lookup.__name__ and any(t in inspect.getsource(fn) for t in ("BY_ID", "BY_BASE")):
            assert fn in keyed, f"lookup.{name} reads the key tables but is not compared"
