"""One Epoch CSV row → one releases row, or a quarantine reason."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from pipeline.transform.epoch_rows import RELEASE_COLUMNS, Quarantined, release_row


def col(row: tuple, name: str):
    return row[RELEASE_COLUMNS.index(name)]


def test_a_typical_row():
    row = release_row(7, {
        "Model": "GLM-4.7\n", "Organization": "Z.ai (Zhipu AI),Tsinghua University",
        "Country (of organization)": "China,China", "Publication date": "2025-12-22",
        "Model accessibility": "Open weights (unrestricted)", "Parameters": "358000000000.0",
        "Training compute (FLOP)": "4.42e+24", "Frontier model": "", "Notability criteria": "SOTA improvement",
        "Hugging Face developer id": "zai-org",
    })
    assert col(row, "release_id") == 7 and col(row, "model") == "GLM-4.7"
    assert col(row, "organizations") == ["Z.ai (Zhipu AI)", "Tsinghua University"]
    assert (col(row, "country"), col(row, "countries")) == ("CN", ["CN"])
    assert col(row, "publication_date") == date(2025, 12, 22)
    assert col(row, "accessibility_group") == "open" and col(row, "params") == 3.58e11
    assert col(row, "notable") is True and col(row, "frontier") is False
    assert col(row, "hf_developer_id") == "zai-org"


def test_several_countries_keep_the_first_as_primary():
    row = release_row(1, {"Model": "x", "Country (of organization)":
                          "United States of America,United Kingdom of Great Britain and Northern Ireland"})
    assert (col(row, "country"), col(row, "countries")) == ("US", ["US", "GB"])


def test_blank_optional_cells_are_null():
    row = release_row(1, {"Model": "x"})
    assert col(row, "country") is None and col(row, "countries") == []
    assert col(row, "publication_date") is None and col(row, "accessibility_group") is None


def test_reasons():
    assert release_row(1, {"Model": " "}) == "no model name"
    assert release_row(1, {"Model": "x", "Parameters": "-5"}) == "Parameters is negative"
    assert release_row(1, {"Model": "x" * 400}) == "model name longer than 300 characters"
    assert release_row(1, {"Model": "x", "Country (of organization)": "Narnia"}) == "unknown country 'Narnia'"


@given(st.dictionaries(st.sampled_from(["Model", "Organization", "Country (of organization)", "Publication date",
                                        "Parameters", "Training compute (FLOP)", "Model accessibility",
                                        "Frontier model", "Hugging Face developer id", "Last modified"]),
                       st.text(max_size=40)))
def test_never_raises(raw):
    got = release_row(1, raw)
    assert isinstance(got, Quarantined) or len(got) == len(RELEASE_COLUMNS)
