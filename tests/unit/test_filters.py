"""The one filter specification: bound parameters, links, slugs, the command line, what applies where."""

from __future__ import annotations

import argparse
from datetime import date

import duckdb
import pytest
from hypothesis import given
from hypothesis import strategies as st

from landscape import filters as spec
from landscape.datasets import dataset_query
from landscape.filters import SPECS, Filters, condition, not_applying, parse_link, to_link
from pipeline.cli import add_filter_flags, filters_from
from pipeline.errors import ConfigError
from pipeline.storage import schema_sql

HOSTILE = "US'); DROP TABLE models; --"


def test_values_are_bound_not_spliced():
    where, params = condition(Filters(country=(HOSTILE,), org=("O'Brien",)), "models")
    assert HOSTILE.upper() not in where and "O'Brien" not in where
    assert [HOSTILE.upper()] in params and ["O'Brien"] in params


def test_queries_run_on_the_schema_with_hostile_values():
    con = duckdb.connect()
    con.execute(schema_sql())
    for name in ("models", "releases"):
        sql, params = dataset_query(name, Filters(country=(HOSTILE,), size=(1e9, None), years=(date(2024, 1, 1), None)))
        assert con.execute(sql, params).fetchall() == []
    assert con.execute("SELECT count(*) FROM models").fetchone() == (0,)


def test_country_filter_counts_uploader_or_origin_for_models_and_any_country_for_releases():
    con = duckdb.connect()
    con.execute(schema_sql())
    con.execute("INSERT INTO models (model_id, license_family, country, origin_country) VALUES "
                "('a', 'none', 'CN', 'CN'), ('b', 'none', NULL, 'CN'), ('c', 'none', 'US', 'US')")
    con.execute("INSERT INTO releases (release_id, model, countries, organizations) VALUES "
                "(1, 'x', ['US', 'CN'], ['A', 'B']), (2, 'y', ['FR'], ['C'])")
    where, params = condition(Filters(country=("CN",)), "models")
    assert sorted(r[0] for r in con.execute(f"SELECT model_id FROM models WHERE {where}", params).fetchall()) == ["a", "b"]
    where, params = condition(Filters(country=("CN",), org=("B",)), "releases")
    assert con.execute(f"SELECT model FROM releases WHERE {where}", params).fetchall() == [("x",)]


def test_the_model_kind_filter_keeps_its_kinds():
    con = duckdb.connect()
    con.execute(schema_sql())
    con.execute("INSERT INTO models (model_id, license_family, model_kind) VALUES "
                "('a', 'none', 'original'), ('b', 'none', 'derivative'), ('c', 'none', 'repackage')")
    where, params = condition(Filters(kind=("original", "derivative")), "models")  # The ATOM Project's view
    assert sorted(r[0] for r in con.execute(f"SELECT model_id FROM models WHERE {where}", params).fetchall()) == ["a", "b"]


def test_filters_that_do_not_apply_are_refused_by_an_export():
    with pytest.raises(ConfigError, match="licence family"):
        dataset_query("releases", Filters(license=("permissive",)))
    with pytest.raises(ConfigError, match="model kind"):
        dataset_query("releases", Filters(kind=("original",)))


def test_what_applies_where_comes_from_the_specification():
    assert not_applying(["releases"]) == ["Licence family", "Task (pipeline tag)", "Model kind",
                                             "Uploader kind"]
    assert not_applying(["models"]) == []
    assert not_applying(["benchmark_scores"]) == ["Licence family", "Organisation", "Task (pipeline tag)",
                                                  "Model kind", "Uploader kind", "Parameters", "Years"]
    assert not_applying([]) == [s.label for s in SPECS]


def test_slug_names_the_filters_safely():
    assert Filters().slug() == ""
    assert Filters(country=("CN", "US"), license=("permissive",)).slug() == "country-CN+US_license-permissive"
    assert Filters(size=(7e9, 7e10), years=(date(2024, 1, 1), None)).slug() == "min-7B_max-70B_from-2024-01-01"
    assert "/" not in Filters(org=("../../etc/passwd",)).slug()


def test_a_link_round_trips_and_bad_values_are_noted():
    choices = {"country": ["CN", "US", "FR"], "org": ["DeepSeek"], "task": ["text-generation"]}
    filters, notes = parse_link({"country": ["cn", "ZZ"], "kind": ["original", "nonsense"], "size": ["7B", "max"],
                                 "years": ["2024", "2025"]}, choices)
    assert filters == Filters(country=("CN",), kind=("original",), size=(7e9, None),
                              years=(date(2024, 1, 1), date(2025, 12, 31)))
    assert notes == ["unknown country value `ZZ`", "unknown kind value `nonsense`"]
    assert parse_link(to_link(filters), choices) == (filters, [])
    assert parse_link({"size": ["70B", "7B"]}, choices)[1][0].startswith("malformed size range")


keys = st.sampled_from(["CN", "US", "FR"])


@given(country=st.lists(keys, max_size=3), kinds=st.lists(st.sampled_from(spec.MODEL_KINDS), max_size=3),
       low=st.sampled_from(list(spec.SIZE_STEPS)[:6]), high=st.sampled_from(list(spec.SIZE_STEPS)[6:]))
def test_any_filters_round_trip_through_a_link(country, kinds, low, high):
    size = spec.BY_KEY["size"]
    filters = Filters(country=country, kind=kinds, size=size.bounds(low, high))
    assert parse_link(to_link(filters), {"country": ["CN", "US", "FR"]}) == (filters, [])


def test_the_command_line_flags_come_from_the_specification():
    parser = argparse.ArgumentParser()
    for s in SPECS:
        add_filter_flags(parser, s)
    args = parser.parse_args(["--country", "cn", "--kind", "repackage", "--params-min", "7e9", "--since", "2024-01-01",
                              "--end", "2025-06-30"])
    filters = filters_from(args)
    assert filters == Filters(country=("CN",), kind=("repackage",), size=(7e9, None),
                              years=(date(2024, 1, 1), date(2025, 6, 30)))
    assert filters.cli_args() == ["--country CN", "--kind repackage", "--params-min 7e+09", "--since 2024-01-01",
                                  "--until 2025-06-30"]
    assert filters_from(parser.parse_args(filters.cli_args()[0].split() + [a for c in filters.cli_args()[1:]
                                                                            for a in c.split()])) == filters
    with pytest.raises(SystemExit):
        parser.parse_args(["--kind", "everything"])


def test_every_filter_is_complete():
    for s in SPECS:
        assert s.key and s.label and s.rules
        assert set(s.rules) <= set(spec.TABLES)
        tables = s.sql if isinstance(s, spec.ValuesFilter) else s.columns
        assert set(tables) <= set(spec.TABLES) and set(s.rules) <= set(tables)
