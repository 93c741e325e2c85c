"""Epoch's models file over loopback: conditional GET, zip, tolerant columns, quarantine."""

from __future__ import annotations

import pytest

from pipeline.errors import SourceError
from pipeline.ingest import IngestOptions, ingest
from pipeline.progress import Progress
from tests.fixtures import EPOCH_COLUMNS, EPOCH_ROWS, epoch_csv, zipped
from tests.helpers import sql as query
from tests.loopback import burst
from tests.loopback.static import StaticServer

EPOCH = IngestOptions(sources=("epoch",))




def test_loads_every_row_and_revalidates_with_a_conditional_get(make_settings):
    with StaticServer({"/data/all_ai_models.csv": epoch_csv()}) as files:
        settings = make_settings(LANDSCAPE_EPOCH_MODELS_URL=files.url_for("/data/all_ai_models.csv"))
        first = ingest(settings, EPOCH, Progress.quiet())
        second = ingest(settings, EPOCH, Progress.quiet())
        log = files.entries()
    assert [(e.status, e.conditional) for e in log] == [(200, False), (304, True)]
    assert first.rows_written["releases"] == second.rows_written["releases"] == len(EPOCH_ROWS)
    detail = query(settings.db_path, "SELECT detail FROM sources WHERE source = 'epoch'")[0][0]
    assert "304" in detail


def test_a_changed_file_is_downloaded_again(make_settings):
    with StaticServer({"/m.csv": epoch_csv(EPOCH_ROWS[:5])}) as files:
        settings = make_settings(LANDSCAPE_EPOCH_MODELS_URL=files.url_for("/m.csv"))
        ingest(settings, EPOCH, Progress.quiet())
        files.set_file("/m.csv", epoch_csv(EPOCH_ROWS[:8]))
        run = ingest(settings, EPOCH, Progress.quiet())
        assert [e.status for e in files.entries()] == [200, 200]
    assert run.rows_written["releases"] == 8


def test_reads_columns_by_name_in_any_order_with_extra_and_missing_ones(make_settings):
    columns = list(reversed(EPOCH_COLUMNS))
    columns.remove("Training compute (FLOP)")
    columns.remove("Frontier model")
    content = epoch_csv(columns=columns, extra_columns=("Brand new column", "Another one"))
    with StaticServer({"/m.csv": content}) as files:
        settings = make_settings(LANDSCAPE_EPOCH_MODELS_URL=files.url_for("/m.csv"))
        ingest(settings, EPOCH, Progress.quiet())
    rows = dict(query(settings.db_path, "SELECT model, accessibility_group FROM releases"))
    assert len(rows) == len(EPOCH_ROWS)
    assert rows["Kimi K2"] == "open" and rows["GPT-5"] == "closed" and rows["Internal Model X"] == "unreleased"
    assert query(settings.db_path, "SELECT count(*) FROM releases WHERE training_compute_flop IS NOT NULL "
                                   "OR frontier")[0][0] == 0


def test_trims_whitespace_and_maps_countries_to_iso_codes(make_settings):
    with StaticServer({"/m.csv": epoch_csv()}) as files:
        settings = make_settings(LANDSCAPE_EPOCH_MODELS_URL=files.url_for("/m.csv"))
        ingest(settings, EPOCH, Progress.quiet())
    row = query(settings.db_path, "SELECT model, organization, accessibility, country, countries FROM releases "
                                  "WHERE model LIKE 'Whitespace%'")[0]
    assert row == ("Whitespace Model", "Stray Org", "Open weights (unrestricted)", "CN", ["CN"])
    gemini = query(settings.db_path, "SELECT country, countries FROM releases WHERE model = 'Gemini 2.5 Pro'")[0]
    assert gemini == ("US", ["US", "GB"])
    assert query(settings.db_path, "SELECT count(*) FROM releases WHERE accessibility = '' OR country = ''")[0][0] == 0


def test_a_zip_holding_the_csv_is_accepted(make_settings):
    content = zipped("all_ai_models.csv", epoch_csv(), {"README.md": b"Epoch AI data", "notable_ai_models.csv": b"x"})
    with StaticServer({"/ai_models.zip": content}) as files:
        settings = make_settings(LANDSCAPE_EPOCH_MODELS_URL=files.url_for("/ai_models.zip"))
        run = ingest(settings, EPOCH, Progress.quiet())
    assert run.rows_written["releases"] == len(EPOCH_ROWS)


def test_bad_rows_are_quarantined_with_their_reason(make_settings):
    bad = [
        {**EPOCH_ROWS[0], "Model": ""},
        {**EPOCH_ROWS[1], "Publication date": "sometime in 2024"},
        {**EPOCH_ROWS[2], "Parameters": "lots"},
        {**EPOCH_ROWS[3], "Country (of organization)": "Atlantis"},
        dict(EPOCH_ROWS[4]),  # an exact duplicate of a good row
    ]
    with StaticServer({"/m.csv": epoch_csv(EPOCH_ROWS + bad)}) as files:
        settings = make_settings(LANDSCAPE_EPOCH_MODELS_URL=files.url_for("/m.csv"))
        run = ingest(settings, EPOCH, Progress.quiet())
    assert run.quarantined == 5 and run.rows_written["releases"] == len(EPOCH_ROWS)
    reasons = [r[0] for r in query(settings.db_path, "SELECT reason FROM quarantine ORDER BY record_key")]
    n = len(EPOCH_ROWS)
    assert reasons == [
        "no model name", "Publication date 'sometime in 2024' is not a date", "Parameters 'lots' is not a number",
        "unknown country 'Atlantis'", "duplicate of row 5",
    ] and query(settings.db_path, "SELECT min(record_key) FROM quarantine")[0][0] == f"row {n + 1}"


def test_5xx_and_a_short_body_are_retried(make_settings):
    with StaticServer({"/m.csv": epoch_csv()}, path_faults={"/m.csv": [*burst("502", 2), "short", None]}) as files:
        settings = make_settings(LANDSCAPE_EPOCH_MODELS_URL=files.url_for("/m.csv"), LANDSCAPE_HTTP_RETRIES="3")
        run = ingest(settings, EPOCH, Progress.quiet())
        assert [e.status for e in files.entries()][:2] == [502, 502]
    assert run.rows_written["releases"] == len(EPOCH_ROWS)


def test_a_file_without_a_model_column_fails_cleanly_and_publishes_nothing(make_settings):
    with StaticServer({"/m.csv": b"Name,Country\nX,China\n"}) as files:
        settings = make_settings(LANDSCAPE_EPOCH_MODELS_URL=files.url_for("/m.csv"))
        with pytest.raises(SourceError, match="lacks the required column .Model."):
            ingest(settings, EPOCH, Progress.quiet())
    assert not settings.db_path.exists()


def test_persistent_404_is_a_one_line_error(make_settings):
    with StaticServer({}) as files:
        settings = make_settings(LANDSCAPE_EPOCH_MODELS_URL=files.url_for("/missing.csv"))
        with pytest.raises(SourceError) as failure:
            ingest(settings, EPOCH, Progress.quiet())
    assert "HTTP 404" in str(failure.value) and "\n" not in str(failure.value)
