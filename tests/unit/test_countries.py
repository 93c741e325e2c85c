"""Country codes, display names and Epoch country cells."""

from __future__ import annotations

import doctest
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.transform import countries
from pipeline.transform.countries import (
    COUNTRY_ALIASES,
    COUNTRY_NAMES,
    country_codes,
    country_name,
    normalize_country_code,
)

# Every value of Epoch's "Country (of organization)" column in all_ai_models.csv (2026-03).
EPOCH_COUNTRIES = {
    "Argentina": "AR",
    "Australia": "AU",
    "Austria": "AT",
    "Belgium": "BE",
    "Bulgaria": "BG",
    "Canada": "CA",
    "China": "CN",
    "Croatia": "HR",
    "Czechia": "CZ",
    "Denmark": "DK",
    "Finland": "FI",
    "France": "FR",
    "Germany": "DE",
    "Greece": "GR",
    "Hong Kong": "HK",
    "Hungary": "HU",
    "Iceland": "IS",
    "India": "IN",
    "Indonesia": "ID",
    "Iran (Islamic Republic of)": "IR",
    "Ireland": "IE",
    "Israel": "IL",
    "Italy": "IT",
    "Japan": "JP",
    "Korea (Republic of)": "KR",
    "Lebanon": "LB",
    "Lithuania": "LT",
    "Luxembourg": "LU",
    "Macao": "MO",
    "Malaysia": "MY",
    "Netherlands": "NL",
    "New Zealand": "NZ",
    "Norway": "NO",
    "Poland": "PL",
    "Portugal": "PT",
    "Russia": "RU",
    "Saudi Arabia": "SA",
    "Singapore": "SG",
    "Spain": "ES",
    "Sweden": "SE",
    "Switzerland": "CH",
    "Taiwan": "TW",
    "Thailand": "TH",
    "Ukraine": "UA",
    "United Arab Emirates": "AE",
    "United Kingdom of Great Britain and Northern Ireland": "GB",
    "United States of America": "US",
    "Vietnam": "VN",
}


def test_docstring_examples() -> None:
    assert doctest.testmod(countries).failed == 0


def test_table_shape() -> None:
    assert len(COUNTRY_NAMES) >= 249
    for code, name in COUNTRY_NAMES.items():
        assert re.fullmatch(r"[A-Z]{2}", code)
        assert name and name == name.strip()


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("US", "United States"),
        ("GB", "United Kingdom"),
        ("KR", "South Korea"),
        ("KP", "North Korea"),
        ("IR", "Iran"),
        ("RU", "Russia"),
        ("HK", "Hong Kong"),
        ("TW", "Taiwan"),
        ("CZ", "Czechia"),
        ("VN", "Vietnam"),
        ("AE", "United Arab Emirates"),
        ("CN", "China"),
        ("FR", "France"),
        ("MO", "Macao"),
    ],
)
def test_short_display_names(code: str, name: str) -> None:
    assert COUNTRY_NAMES[code] == name
    assert country_name(code) == name
    assert country_name(code.lower()) == name


@pytest.mark.parametrize(("epoch_name", "code"), sorted(EPOCH_COUNTRIES.items()))
def test_every_epoch_country_is_known(epoch_name: str, code: str) -> None:
    assert country_codes(epoch_name) == ([code], [])
    assert normalize_country_code(epoch_name) == code


def test_aliases_target_real_codes_and_never_collide() -> None:
    seen: dict[str, str] = {}
    for code, name in COUNTRY_NAMES.items():
        for key in (countries._key(code), countries._key(name)):
            assert seen.setdefault(key, code) == code, key
    for alias, code in COUNTRY_ALIASES.items():
        assert code in COUNTRY_NAMES
        assert seen.setdefault(countries._key(alias), code) == code, alias


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("United States of America,United States of America", (["US"], [])),
        ("United States of America,China", (["US", "CN"], [])),
        ("China, United States of America , China", (["CN", "US"], [])),
        ("  United Kingdom of Great Britain and Northern Ireland\n", (["GB"], [])),
        (
            "United States of America,\nUnited Kingdom of Great Britain and Northern Ireland",
            (["US", "GB"], []),
        ),
        ("United  States\nof America", (["US"], [])),
        ("Multinational", ([], [])),
        ("Multinational,France", (["FR"], [])),
        ("France,Atlantis,Atlantis, Narnia", (["FR"], ["Atlantis", "Narnia"])),
        ("Hong Kong,China", (["HK", "CN"], [])),
        ("USA; UK", (["US", "GB"], [])),
        ("US", (["US"], [])),
        ("us", (["US"], [])),
        ("cn,Fr", (["CN", "FR"], [])),
        ("United States", (["US"], [])),
        ("UK", (["GB"], [])),
        ("United Kingdom", (["GB"], [])),
        ("South Korea", (["KR"], [])),
        ("Republic of Korea", (["KR"], [])),
        ("Russian Federation", (["RU"], [])),
        ("Viet Nam", (["VN"], [])),
        ("Türkiye", (["TR"], [])),
        ("Turkey", (["TR"], [])),
        ("Czech Republic", (["CZ"], [])),
        ("Macau", (["MO"], [])),
        ("Côte d’Ivoire", (["CI"], [])),
        # ISO's inverted names carry a comma.
        ("Korea, Republic of", (["KR"], [])),
        ("Korea, Democratic People's Republic of,Japan", (["KP", "JP"], [])),
        ("Taiwan, Province of China", (["TW"], [])),
        ("Iran, Islamic Republic of", (["IR"], [])),
        ("Congo, The Democratic Republic of the", (["CD"], [])),
        ("", ([], [])),
        ("   ", ([], [])),
        (" , ,, ", ([], [])),
        (None, ([], [])),
        (float("nan"), ([], [])),
    ],
)
def test_country_codes(cell: object, expected: tuple[list[str], list[str]]) -> None:
    assert country_codes(cell) == expected


def test_unknown_names_are_cleaned_and_capped() -> None:
    codes, unknown = country_codes("  Lower\n  Slobbovia ," + "Z" * 500)
    assert codes == []
    assert unknown == ["Lower Slobbovia", "Z" * 100]


def test_non_text_cell_is_reported() -> None:
    assert country_codes(42) == ([], ["42"])


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("FR", "FR"),
        (" fr ", "FR"),
        ("France", "FR"),
        ("UK", "GB"),
        ("United States of America", "US"),
        ("Korea (Republic of)", "KR"),
        ("Multinational", None),
        ("Atlantis", None),
        ("ZZ", None),
        ("", None),
        ("US,CN", None),
    ],
)
def test_normalize_country_code(value: str, expected: str | None) -> None:
    assert normalize_country_code(value) == expected


def test_normalize_country_code_non_str() -> None:
    assert normalize_country_code(None) is None  # type: ignore[arg-type]
    assert normalize_country_code(1) is None  # type: ignore[arg-type]


@pytest.mark.parametrize(("code", "expected"), [(None, ""), ("", ""), ("ZZ", "ZZ"), ("xx", "xx")])
def test_country_name_edges(code: str | None, expected: str) -> None:
    assert country_name(code) == expected


@given(st.text())
def test_country_codes_never_raises_and_returns_known_codes(cell: str) -> None:
    codes, unknown = country_codes(cell)
    assert all(code in COUNTRY_NAMES for code in codes)
    assert len(codes) == len(set(codes))
    assert len(unknown) == len(set(unknown))
    assert all(name and name == name.strip() and len(name) <= 100 for name in unknown)


@given(st.lists(st.sampled_from(sorted(EPOCH_COUNTRIES)), max_size=6))
def test_joined_epoch_names_round_trip(names: list[str]) -> None:
    expected = list(dict.fromkeys(EPOCH_COUNTRIES[name] for name in names))
    assert country_codes(",".join(names)) == (expected, [])


@given(st.sampled_from(sorted(COUNTRY_NAMES)))
def test_code_and_display_name_round_trip(code: str) -> None:
    assert normalize_country_code(code) == code
    assert normalize_country_code(COUNTRY_NAMES[code]) == code
    assert country_codes(COUNTRY_NAMES[code]) == ([code], [])
