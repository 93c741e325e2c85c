"""The Methodology & sources page: definitions from the code, run history from the database."""

from __future__ import annotations

import csv
import io

import pandas as pd
from streamlit.testing.v1 import AppTest

from pipeline.registry import load_registry
from pipeline.transform.accessibility import EPOCH_ACCESSIBILITY
from pipeline.transform.licenses import KNOWN_LICENSES, LICENSE_FAMILIES, commercial_use_allowed
from tests.helpers import no_exceptions, sql

ATTRIBUTION = "Epoch AI, 'Data on AI Models' / 'AI Benchmarking Hub'. Published online at epoch.ai."






def table_with(at: AppTest, column: str) -> pd.DataFrame:
    """The first table on the page that has ``column``."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def text(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def check_definitions(at: AppTest) -> None:
    assert ATTRIBUTION in text(at)
    access = table_with(at, "group")
    assert dict(zip(access.iloc[:, 0], access["group"], strict=True)) == EPOCH_ACCESSIBILITY
    families = table_with(at, "commercial use")
    assert families["family"].tolist() == list(LICENSE_FAMILIES)
    for family, label in zip(families["family"], families["commercial use"], strict=True):
        allowed = commercial_use_allowed(family)
        assert label.startswith({True: "yes", False: "no", None: "unknown"}[allowed])
    assert families.set_index("family").loc["restricted", "commercial use"] == "yes, with conditions"
    known = next(d.value for d in at.dataframe if list(d.value.columns) == ["licence id", "family"])
    assert dict(zip(known["licence id"], known["family"], strict=True)) == KNOWN_LICENSES


def test_methodology_works_without_a_database(app, monkeypatch, tmp_path):
    monkeypatch.setenv("LANDSCAPE_DB", str(tmp_path / "missing" / "landscape.duckdb"))
    at = app("methodology")
    no_exceptions(at)
    assert any("No run has happened yet" in i.value for i in at.info)
    check_definitions(at)
    registry = table_with(at, "namespace")
    assert set(registry["namespace"]) == {r.namespace for r in load_registry().rows}
    assert any("Rules for the hard cases" in m.value for m in at.markdown)
    assert at.download_button(key="download-organizations")


def test_methodology_shows_runs_sources_and_quarantine(app, downloads, fixture_db):
    at = app("methodology")
    no_exceptions(at)
    check_definitions(at)
    db = fixture_db.db_path

    runs = table_with(at, "run_id")
    expected = sql(db, "SELECT run_id, status, records_seen, quarantined FROM runs ORDER BY started_at DESC")
    assert [tuple(r) for r in runs[["run_id", "status", "records_seen", "quarantined"]].itertuples(index=False)] \
        == expected

    freshness = table_with(at, "content last changed").set_index("source")
    labels = {"hub": "Hugging Face Hub", "epoch": "Epoch AI models", "arena": "LMArena"}
    for source, rows in sql(db, "SELECT source, rows FROM sources"):
        if source in labels:
            assert freshness.loc[labels[source], "rows"] == rows
    assert freshness.loc["LMArena", "detail"] == "text leaderboard, overall category"

    quarantine = table_with(at, "reason")
    reasons = {r[0]: r[1] for r in sql(db, "SELECT reason, count(*) FROM quarantine GROUP BY reason")}
    assert dict(zip(quarantine["reason"], quarantine["records"], strict=True)) == reasons

    registry = table_with(at, "parent")
    (organizations,), = sql(db, "SELECT count(*) FROM organizations")
    assert len(registry) == organizations
    assert {"namespace", "organization", "kind", "country", "parent", "group", "source"} <= set(registry.columns)
    # the largest namespaces nobody has classified, as SQL written here ranks them
    unknown = table_with(at, "top_model")
    expected = sql(db, """SELECT author, count(*), sum(downloads_30d) FROM models
                          WHERE author_kind IS NULL GROUP BY author ORDER BY 3 DESC, 1 LIMIT 20""")
    assert [tuple(r) for r in unknown[["namespace", "models", "downloads_30d"]].itertuples(index=False)] == expected
    rows = list(csv.DictReader(io.StringIO(downloads(at, "download-organizations").decode())))
    assert len(rows) == organizations
    assert downloads.name(at, "download-organizations") == "organizations.csv"
