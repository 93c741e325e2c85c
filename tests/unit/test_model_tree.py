"""Roots and depths on constructed trees whose answers are known exactly."""

from __future__ import annotations

import duckdb
import pytest

from pipeline.model_tree import MAX_DEPTH, resolve_roots


def roots(edges: list[tuple[str, str | None]]) -> dict[str, tuple]:
    con = duckdb.connect()
    con.execute("CREATE TABLE e (model_id VARCHAR, base_model VARCHAR)")
    con.executemany("INSERT INTO e VALUES (?, ?)", edges)
    con.execute("ATTACH ':memory:' AS work")
    resolve_roots(con, "e", "out", work="work")
    result = {r[0]: r[1:] for r in con.execute("SELECT * FROM work.out").fetchall()}
    assert len(result) == len(edges), "every model gets exactly one row"
    return result


def test_chain():
    got = roots([("a", None), ("b", "a"), ("c", "b"), ("d", "c")])
    assert got == {"a": ("a", 0, "root"), "b": ("a", 1, "resolved"), "c": ("a", 2, "resolved"),
                   "d": ("a", 3, "resolved")}


def test_branches_share_a_root():
    got = roots([("r", None), ("x", "r"), ("y", "r"), ("x1", "x"), ("q", "x1")])
    assert {m: v[0] for m, v in got.items()} == {"r": "r", "x": "r", "y": "r", "x1": "r", "q": "r"}
    assert got["q"][1] == 3


def test_missing_parent_is_reported_as_the_furthest_known_ancestor():
    got = roots([("b", "gone/base"), ("c", "b")])
    assert got["b"] == ("gone/base", 1, "missing_parent")
    assert got["c"] == ("gone/base", 2, "missing_parent")


def test_two_cycle_and_a_chain_into_a_cycle_terminate():
    got = roots([("a", "b"), ("b", "a"), ("c", "a")])
    assert got["a"] == (None, None, "cycle") and got["b"] == (None, None, "cycle")
    assert got["c"] == (None, None, "cycle")


def test_longer_than_max_depth_is_not_walked_forever():
    chain = [("m0", None)] + [(f"m{i}", f"m{i - 1}") for i in range(1, MAX_DEPTH + 5)]
    got = roots(chain)
    assert got[f"m{MAX_DEPTH}"] == ("m0", MAX_DEPTH, "resolved")
    assert got[f"m{MAX_DEPTH + 1}"][2] == "cycle"


def test_quantisation_of_a_finetune_resolves_to_the_lab_root():
    got = roots([("meta-llama/Llama-3.1-8B", None), ("user/ft", "meta-llama/Llama-3.1-8B"),
                 ("bartowski/ft-GGUF", "user/ft")])
    assert got["bartowski/ft-GGUF"] == ("meta-llama/Llama-3.1-8B", 2, "resolved")


def test_rejects_table_names_that_are_not_ours():
    with pytest.raises(ValueError):
        resolve_roots(duckdb.connect(), "e; DROP TABLE x", "out")
