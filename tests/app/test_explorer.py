"""The Explorer page: paging and sorting in the database, filters from the link, full downloads.

Expected rows come from SQL written here against the fixture database file, independently of
the page's query module.
"""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from landscape.datasets import MODEL_EXPORT_COLUMNS, RELEASE_EXPORT_COLUMNS
from pipeline.rollups import build_rollups
from tests.app.conftest import _RecordingStorage
from tests.helpers import no_exceptions, sql

MODEL_PAGE = "./model?id="  # the explorer links a model id to its page here






def summary(at: AppTest) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("Rows "))


def shown_ids(at: AppTest, column: str = "model_id") -> list[str]:
    values = at.dataframe[0].value[column].tolist()
    return [v.removeprefix(MODEL_PAGE) for v in values] if column == "model_id" else values


@pytest.fixture
def click_download(downloads, monkeypatch) -> Callable[[AppTest, str], tuple[str, bytes]]:
    """``click_download(at, key)``: the file a click on a lazy download button produces, and its name.

    The page registers a callable with Streamlit's media file manager; a click makes the server
    run it (``execute_deferred``) and store the bytes. This does the same.
    """
    managers: dict[str, MediaFileManager] = {}
    original = MediaFileManager.add_deferred

    def add_deferred(self, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
        file_id = original(self, *args, **kwargs)
        managers[file_id] = self
        return file_id

    monkeypatch.setattr(MediaFileManager, "add_deferred", add_deferred)

    def click(at: AppTest, key: str) -> tuple[str, bytes]:
        file_id = at.download_button(key=key).proto.deferred_file_id
        assert file_id, f"{key} is not a lazy download"
        stored = _RecordingStorage.files[managers[file_id].execute_deferred(file_id)]
        return stored.filename, stored.content

    return click


def test_explorer_renders_the_first_page(app, fixture_db):
    at = app("explorer")
    no_exceptions(at)
    (total,), = sql(fixture_db.db_path, "SELECT count(*) FROM models")
    assert summary(at).startswith(f"Rows **1–100** of **{total:,}**")
    frame = at.dataframe[0].value
    assert list(frame.columns) == list(MODEL_EXPORT_COLUMNS)
    assert frame["model_id"].str.startswith(MODEL_PAGE).all()  # shown as links to the model pages


def test_paging_shows_the_right_rows(app, fixture_db):
    order = "ORDER BY downloads_30d DESC NULLS LAST, model_id"
    expected = [r[0] for r in sql(fixture_db.db_path, f"SELECT model_id FROM models {order} LIMIT 100 OFFSET 200")]
    at = app("explorer", {"page": "3"})
    no_exceptions(at)
    assert summary(at).startswith("Rows **201–300**")
    assert shown_ids(at) == expected

    at.get("pagination")[0].select(2).run()
    no_exceptions(at)
    expected = [r[0] for r in sql(fixture_db.db_path, f"SELECT model_id FROM models {order} LIMIT 100 OFFSET 100")]
    assert shown_ids(at) == expected

    (total,), = sql(fixture_db.db_path, "SELECT count(*) FROM models")
    last = -(-total // 100)
    at.get("pagination")[0].select(last).run()  # read from the end in reverse: the same rows
    assert summary(at).startswith(f"Rows **{(last - 1) * 100 + 1:,}–{total:,}** of **{total:,}**")
    expected = [r[0] for r in sql(fixture_db.db_path, f"SELECT model_id FROM models {order} OFFSET ?",
                                  [(last - 1) * 100])]
    assert shown_ids(at) == expected
    at.get("pagination")[0].select(last - 1).run()
    expected = [r[0] for r in sql(fixture_db.db_path, f"SELECT model_id FROM models {order} LIMIT 100 OFFSET ?",
                                  [(last - 2) * 100])]
    assert shown_ids(at) == expected


def test_sorting_by_a_column(app, fixture_db):
    expected = [r[0] for r in sql(fixture_db.db_path,
                                  "SELECT model_id FROM models ORDER BY likes ASC NULLS LAST, model_id LIMIT 100")]
    at = app("explorer", {"sort": "likes:asc"})
    no_exceptions(at)
    assert shown_ids(at) == expected

    # changing the sort on page 2 starts again from page 1
    at = app("explorer", {"page": "2"})
    at.selectbox(key="sort").select("params:desc").run()
    no_exceptions(at)
    expected = [r[0] for r in sql(fixture_db.db_path,
                                  "SELECT model_id FROM models ORDER BY params DESC NULLS LAST, model_id LIMIT 100")]
    assert summary(at).startswith("Rows **1–100**")
    assert shown_ids(at) == expected


def test_releases_table_sorted(app, fixture_db):
    at = app("explorer", {"table": "releases", "sort": "params:desc"})
    no_exceptions(at)
    expected = [r[0] for r in sql(fixture_db.db_path,
                                  "SELECT model FROM releases ORDER BY params DESC NULLS LAST, model, release_id")]
    assert list(at.dataframe[0].value.columns) == list(RELEASE_EXPORT_COLUMNS)
    assert shown_ids(at, "model") == expected[:100]


@pytest.mark.parametrize("bad", ["model_id; DROP TABLE models", "likes:sideways", "countries:desc", "1=1"])
def test_an_invalid_sort_in_the_link_is_ignored(app, fixture_db, bad):
    at = app("explorer", {"sort": bad, "page": "1"})
    no_exceptions(at)
    assert any("Ignored sort" in w.value for w in at.warning)
    assert at.selectbox(key="sort").value == "downloads_30d:desc"
    expected = [r[0] for r in sql(fixture_db.db_path, "SELECT model_id FROM models "
                                  "ORDER BY downloads_30d DESC NULLS LAST, model_id LIMIT 100")]
    assert shown_ids(at) == expected


def test_an_out_of_range_page_in_the_link_is_ignored(app):
    at = app("explorer", {"page": "100000"})
    no_exceptions(at)
    assert any("Ignored page" in w.value for w in at.warning)
    assert summary(at).startswith("Rows **1–100**")


def test_a_country_filter_in_the_link_restricts_the_rows(app, fixture_db):
    (models,), = sql(fixture_db.db_path, "SELECT count(*) FROM models WHERE country = 'CN' OR origin_country = 'CN'")
    at = app("explorer", {"country": "CN"})
    no_exceptions(at)
    assert f"of **{models:,}**" in summary(at)
    frame = at.dataframe[0].value
    assert ((frame["country"] == "China (CN)") | (frame["origin_country"] == "China (CN)")).all()

    (releases,), = sql(fixture_db.db_path, "SELECT count(*) FROM releases WHERE list_contains(countries, 'CN')")
    at = app("explorer", {"country": "CN", "table": "releases", "license": "permissive"})
    no_exceptions(at)
    # the licence family does not apply to releases: it is named as such, and ignored
    assert f"of **{releases:,}**" in summary(at)
    assert any("licence family" in c.value for c in at.caption)


def formula_db(source: Path, folder: Path) -> Path:
    """A copy of the fixture database with a Chinese model whose text cells look like formulas."""
    db = folder / "landscape.duckdb"
    shutil.copy(source, db)
    con = duckdb.connect(str(db))
    con.execute("""INSERT INTO models (model_id, author, organization, country, license, license_family,
                                       pipeline_tag, library, downloads_30d)
                   VALUES ('evil/formula-model', 'evil', '=HYPERLINK("http://x","y")', 'CN', '+cmd', 'other',
                           '@SUM(A1)', '-2+3', 5)""")
    build_rollups(con)  # as the pipeline does before it publishes
    con.close()
    return db


def test_csv_download_has_every_filtered_row_and_neutralised_formulas(app, click_download, fixture_db,
                                                                      monkeypatch, tmp_path):
    db = formula_db(fixture_db.db_path, tmp_path)
    monkeypatch.setenv("LANDSCAPE_DB", str(db))
    at = app("explorer", {"country": "CN"})
    no_exceptions(at)
    (expected,), = sql(db, "SELECT count(*) FROM models WHERE country = 'CN' OR origin_country = 'CN'")
    assert expected > 100  # more than one page: the download is not the page

    name, body = click_download(at, "download-models-csv")
    assert name == "models_country-CN.csv"
    rows = list(csv.reader(io.StringIO(body.decode("utf-8"))))
    assert tuple(rows[0]) == MODEL_EXPORT_COLUMNS
    records = [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    assert len(records) == expected
    ids = {r["model_id"] for r in records}
    assert ids == {r[0] for r in sql(db, "SELECT model_id FROM models WHERE country = 'CN' OR origin_country = 'CN'")}
    evil = next(r for r in records if r["model_id"] == "evil/formula-model")
    assert evil["organization"] == "'=HYPERLINK(\"http://x\",\"y\")"
    assert (evil["license"], evil["pipeline_tag"], evil["library"]) == ("'+cmd", "'@SUM(A1)", "'-2+3")
    for record in records:
        for column in ("model_id", "author", "organization", "license", "pipeline_tag", "library"):
            assert not record[column].startswith(("=", "+", "-", "@")), (column, record[column])

    name, body = click_download(at, "download-models-parquet")
    assert name == "models_country-CN.parquet"
    table = pq.read_table(io.BytesIO(body))
    assert table.num_rows == expected and tuple(table.column_names) == MODEL_EXPORT_COLUMNS


def test_release_download_names_only_the_filters_that_apply(app, click_download, fixture_db):
    at = app("explorer", {"table": "releases", "country": "US", "task": "text-generation"})
    no_exceptions(at)
    name, body = click_download(at, "download-releases-csv")
    assert name == "releases_country-US.csv"
    (expected,), = sql(fixture_db.db_path, "SELECT count(*) FROM releases WHERE list_contains(countries, 'US')")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8"))))
    assert tuple(rows[0]) == RELEASE_EXPORT_COLUMNS and len(rows) - 1 == expected


def test_a_large_result_offers_parquet_and_the_command_line_instead_of_csv(app, fixture_db, monkeypatch, tmp_path):
    db = tmp_path / "landscape.duckdb"
    shutil.copy(fixture_db.db_path, db)
    con = duckdb.connect(str(db))
    con.execute("INSERT INTO models SELECT m.* REPLACE (m.model_id || '-copy' || t.i AS model_id) "
                "FROM models m, range(1, 90) t(i)")  # 90 × 3,000: over the CSV limit
    (total,), = con.execute("SELECT count(*) FROM models").fetchall()
    build_rollups(con)
    con.close()
    monkeypatch.setenv("LANDSCAPE_DB", str(db))
    at = app("explorer", {"page": "2000"})
    no_exceptions(at)
    assert summary(at).startswith(f"Rows **199,901–200,000** of **{total:,}**")
    assert at.download_button(key="download-models-csv").proto.disabled
    assert not at.download_button(key="download-models-parquet").proto.disabled
    assert at.code[0].value == "python -m pipeline export --dataset models --format csv"


def test_next_and_previous_read_from_the_bookmark_show_the_right_rows(app, fixture_db):
    """A click on the neighbouring page reads it by keyset from the page shown: across the end of
    the sizes into the block of empty ones, and back."""
    order = "ORDER BY params DESC NULLS LAST, model_id"
    expected = [r[0] for r in sql(fixture_db.db_path, f"SELECT model_id FROM models {order}")]
    (sized,), = sql(fixture_db.db_path, "SELECT count(params) FROM models")
    start = max(1, sized // 100)  # the empty sizes begin on the next page (or this one)
    assert start + 2 <= -(-len(expected) // 100), "the fixture has pages of empty sizes to walk"

    at = app("explorer", {"sort": "params:desc", "page": str(start)})  # a jump: counted
    no_exceptions(at)
    for page in (start, start + 1, start + 2, start + 1, start):
        if page != start or at.get("pagination")[0].value != start:
            at.get("pagination")[0].select(page).run()
            no_exceptions(at)
        assert summary(at).startswith(f"Rows **{(page - 1) * 100 + 1:,}–")
        assert shown_ids(at) == expected[(page - 1) * 100:page * 100], page
        place, mark = at.session_state["_explorer_shown"]
        assert mark.page == page  # the bookmark the next click reads from
