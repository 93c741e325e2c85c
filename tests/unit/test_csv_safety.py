"""Formula cells are neutralised in every CSV we write."""

from __future__ import annotations

import csv
import io

import pandas as pd

from landscape.csv_safety import frame_to_csv, neutralise_cell


def test_cells_starting_with_a_formula_character_get_an_apostrophe():
    for text in ("=1+1", "+1", "-2+3", "@SUM(A1)", "\t=1"):
        assert neutralise_cell(text) == "'" + text
    assert neutralise_cell("Qwen/Qwen3-8B") == "Qwen/Qwen3-8B"
    assert neutralise_cell(-3.5) == -3.5


def test_frame_to_csv_neutralises_text_but_not_numbers_and_joins_lists():
    frame = pd.DataFrame({"model": ["=cmd|' /C calc'!A0", "ok"], "score": [-1.5, 2.0],
                          "countries": [["US", "GB"], ["CN"]]})
    rows = list(csv.DictReader(io.StringIO(frame_to_csv(frame).decode())))
    assert rows[0]["model"] == "'=cmd|' /C calc'!A0" and rows[1]["model"] == "ok"
    assert rows[0]["score"] == "-1.5"
    assert rows[0]["countries"] == "US;GB"


def test_a_list_cell_that_starts_with_a_formula_is_neutralised_too():
    frame = pd.DataFrame({"tags": [["=evil", "x"]]})
    rows = list(csv.DictReader(io.StringIO(frame_to_csv(frame).decode())))
    assert rows[0]["tags"] == "'=evil;x"
