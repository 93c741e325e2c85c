"""Build, publish and carry-over on real DuckDB files."""

from __future__ import annotations

import duckdb
import pytest

from pipeline.errors import StorageError
from pipeline.storage import TABLES, Build, open_readonly, published_version, schema_tables


def test_schema_defines_every_listed_table():
    assert set(TABLES) <= set(schema_tables())


def test_publish_replaces_atomically_and_changes_the_version(tmp_path):
    db = tmp_path / "x.duckdb"
    with Build(db) as build:
        build.con.execute("INSERT INTO organizations (hf_author, organization, country, source) VALUES ('a', 'A', 'US', 'registry')")
        build.publish()
    first = published_version(db)
    with Build(db) as build:
        build.carry_over(["organizations"])
        build.con.execute("INSERT INTO organizations (hf_author, organization, country, source) VALUES ('b', 'B', 'CN', 'registry')")
        build.publish()
    assert published_version(db) != first
    with open_readonly(db) as con:
        assert con.execute("SELECT hf_author FROM organizations ORDER BY 1").fetchall() == [("a",), ("b",)]


def test_a_build_left_without_publish_changes_nothing(tmp_path):
    db = tmp_path / "x.duckdb"
    with Build(db) as build:
        build.publish()
    version = published_version(db)
    with pytest.raises(RuntimeError), Build(db) as build:
        build.con.execute("INSERT INTO organizations (hf_author, organization, country, source) VALUES ('a', 'A', 'US', 'registry')")
        raise RuntimeError("the run failed")
    assert published_version(db) == version
    assert not (tmp_path / "x.duckdb.building").exists()


def test_two_builds_cannot_run_at_once(tmp_path):
    db = tmp_path / "x.duckdb"
    with Build(db), pytest.raises(StorageError, match="another ingest"), Build(db):
        pass


def test_carry_over_by_column_name_survives_schema_changes(tmp_path):
    db = tmp_path / "x.duckdb"
    old = duckdb.connect(str(db))
    old.execute("CREATE TABLE organizations (hf_author VARCHAR, country VARCHAR, retired_column INT, "
                "source VARCHAR, is_intermediary BOOLEAN)")
    old.execute("INSERT INTO organizations VALUES ('Qwen', 'CN', 1, 'registry', false)")
    old.close()
    with Build(db) as build:
        copied = build.carry_over(["organizations"])
        row = build.con.execute("SELECT hf_author, country, organization FROM organizations").fetchall()
    assert copied == {"organizations": 1} and row == [("Qwen", "CN", None)]


def test_a_corrupt_previous_file_does_not_stop_a_new_build(tmp_path):
    db = tmp_path / "x.duckdb"
    db.write_bytes(b"this is not a database")
    with Build(db) as build:
        assert build.carry_over(["runs"]) == {"runs": 0}
        build.publish()
    with open_readonly(db) as con:
        assert con.execute("SELECT count(*) FROM runs").fetchone() == (0,)


def test_open_readonly_without_a_database_says_how_to_start(tmp_path):
    with pytest.raises(StorageError, match="ingest"), open_readonly(tmp_path / "none.duckdb"):
        pass
