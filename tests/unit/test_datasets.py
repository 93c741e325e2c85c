"""Filters become bound parameters, never SQL text; exports keep the contract columns."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from pipeline.datasets import Filters, dataset_query, models_where, releases_where
from pipeline.errors import ConfigError
from pipeline.storage import schema_sql

HOSTILE = "US'); DROP TABLE models; --"


def test_values_are_bound_not_spliced():
    where, params = models_where(Filters(countries=(HOSTILE,), organizations=("O'Brien",)))
    assert HOSTILE not in where and "O'Brien" not in where
    assert [HOSTILE] in params and ["O'Brien"] in params


def test_queries_run_on_the_schema_with_hostile_values():
    con = duckdb.connect()
    con.execute(schema_sql())
    for name in ("models", "releases"):
        sql, params = dataset_query(name, Filters(countries=(HOSTILE,), params_min=1e9, date_from=date(2024, 1, 1)))
        assert con.execute(sql, params).fetchall() == []
    assert con.execute("SELECT count(*) FROM models").fetchone() == (0,)


def test_country_filter_counts_uploader_or_origin_for_models_and_any_country_for_releases():
    con = duckdb.connect()
    con.execute(schema_sql())
    con.execute("INSERT INTO models (model_id, license_family, country, origin_country) VALUES "
                "('a', 'none', 'CN', 'CN'), ('b', 'none', NULL, 'CN'), ('c', 'none', 'US', 'US')")
    con.execute("INSERT INTO releases (release_id, model, countries, organizations) VALUES "
                "(1, 'x', ['US', 'CN'], ['A', 'B']), (2, 'y', ['FR'], ['C'])")
    where, params = models_where(Filters(countries=("CN",)))
    assert sorted(r[0] for r in con.execute(f"SELECT model_id FROM models WHERE {where}", params).fetchall()) == ["a", "b"]
    where, params = releases_where(Filters(countries=("CN",), organizations=("B",)))
    assert con.execute(f"SELECT model FROM releases WHERE {where}", params).fetchall() == [("x",)]


def test_licence_filters_do_not_apply_to_releases():
    with pytest.raises(ConfigError):
        dataset_query("releases", Filters(license_families=("permissive",)))


def test_slug_names_the_filters_safely():
    assert Filters().slug() == ""
    assert Filters(countries=("CN", "US"), license_families=("permissive",)).slug() == \
        "country-CN+US_license-permissive"
    assert "/" not in Filters(organizations=("../../etc/passwd",)).slug()
