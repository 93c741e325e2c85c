"""Benchmark files read by column name, model names matched across sources, Arena rows."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.transform.benchmarks import (
    FACT_COLUMNS,
    Quarantined,
    arena_rows,
    benchmark_of,
    date_in_name,
    release_key,
    score_columns,
    score_row,
)


def col(row: tuple, name: str):
    return row[FACT_COLUMNS.index(name)]


@pytest.mark.parametrize(("member", "expected"), [
    ("epoch_capabilities_index.csv", ("eci", "eci")),
    ("epoch_capabilities_index/eci_scores.csv", ("eci", "eci")),
    ("gpqa_diamond.csv", ("epoch", "gpqa_diamond")),
    ("mmlu_external.csv", ("external", "mmlu")),
    ("additional_eci_data/eci_scaling.csv", None),
    ("README.md", None),
    ("weird name.csv", None),
])
def test_benchmark_of(member, expected):
    assert benchmark_of(member) == expected


def test_columns_are_found_by_name_in_each_layout():
    eci_old = score_columns(["Model version", "ECI Score", "Release date", "Organization", "Country",
                             "Model accessibility", "Display name"], [])
    assert (eci_old.model, eci_old.score, eci_old.accessibility, eci_old.low) == \
        ("Model version", "ECI Score", "Model accessibility", None)
    eci_new = score_columns(["Model", "Display name", "eci", "eci_ci_low", "eci_ci_high", "date",
                             "Accessibility group"], [])
    assert (eci_new.score, eci_new.low, eci_new.high, eci_new.date, eci_new.group) == \
        ("eci", "eci_ci_low", "eci_ci_high", "date", "Accessibility group")
    epoch_run = score_columns(["Model version", "mean_score", "Best score (across scorers)", "Release date",
                               "stderr"], [])
    assert (epoch_run.score, epoch_run.stderr) == ("mean_score", "stderr")


def test_an_unnamed_score_column_is_the_first_numeric_one_before_the_release_date():
    header = ["Model version", "Scaffold", "Score OPT@1", "Release date", "Organization"]
    rows = [{"Model version": "m", "Scaffold": "agent", "Score OPT@1": "0.4"}] * 3
    assert score_columns(header, rows).score == "Score OPT@1"
    assert score_columns(["Name", "Notes"], []) is None


def test_score_rows_and_their_reasons():
    cols = score_columns(["Model version", "mean_score", "Release date", "Country", "stderr"], [])
    row = score_row("epoch", "gpqa_diamond", cols, {"Model version": "o1-2024-12-17", "mean_score": "0.76",
                                                   "Release date": "", "Country": "United States of America",
                                                   "stderr": "0.02"})
    assert col(row, "score") == 0.76 and col(row, "score_low") == pytest.approx(0.74)
    assert col(row, "country") == "US" and col(row, "date_key") == date(2024, 12, 17)
    assert score_row("epoch", "g", cols, {"Model version": "x", "mean_score": ""}) is None  # no score yet
    assert score_row("epoch", "g", cols, {"Model version": "", "mean_score": "0.5"}) == \
        "a score without a model version (cannot be attributed)"
    assert score_row("epoch", "g", cols, {"Model version": "x", "mean_score": "high"}).startswith("mean_score")
    assert score_row("epoch", "g", cols, {"Model version": "x", "mean_score": "1", "Release date": "soon"}) == \
        "release date 'soon' is not a date"


@pytest.mark.parametrize(("a", "b"), [
    ("claude-opus-4-1-20250805_27K", "Claude Opus 4.1"),
    ("gpt-4o-2024-05-13", "GPT-4o"),
    ("llama-3.1-405b-instruct-bf16", "Llama 3.1 405B"),
    ("GPT-5.4 (high)", "gpt-5.4-2026-03-05_xhigh"),
    ("kimi-k2-0711-preview", "Kimi K2"),
])
def test_release_keys_match_across_sources(a, b):
    assert release_key(a) == release_key(b)


def test_release_keys_keep_different_models_apart():
    assert release_key("gpt-4o") != release_key("gpt-4o-mini")
    assert release_key("Qwen3-235B-A22B") != release_key("Qwen3-30B-A3B")
    assert release_key("") is None and release_key(None) is None


def test_dates_written_into_names():
    assert date_in_name("gpt-4o-2024-05-13") == date(2024, 5, 13)
    assert date_in_name("claude-3-5-sonnet-20240620") == date(2024, 6, 20)
    assert date_in_name("gemini-2.5-pro") is None
    assert date_in_name("model-2024-13-45") is None


def test_arena_rows_take_openness_from_the_licence():
    board = {"full": {"a": {"rating": 1300.0, "rating_q025": 1295.0, "rating_q975": 1305.0},
                      "b": {"rating": 1200}, "bad": {"rating": "high"}}}
    catalog = [{"model_api_name": "a", "name": "Model A", "organization": "Lab", "license": "Proprietary"},
               {"model_api_name": "b", "name": "Model B", "organization": "Lab", "license": "Apache 2.0"}]
    rows = arena_rows(board, catalog)
    good = {col(r, "model"): r for r in rows if not isinstance(r, Quarantined)}
    assert col(good["a"], "accessibility_group") == "closed" and col(good["a"], "score_low") == 1295.0
    assert col(good["b"], "accessibility_group") == "open"
    assert [str(r) for r in rows if isinstance(r, Quarantined)] == ["bad: no numeric rating"]
    with pytest.raises(ValueError):
        arena_rows({"coding": {}}, catalog)


@given(st.text(max_size=60))
def test_release_key_never_raises(text):
    key = release_key(text)
    assert key is None or (key.isalnum() and key == key.lower())
