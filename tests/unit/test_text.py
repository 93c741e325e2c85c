"""Validation and parsing of untrusted text: cells, labels, timestamps, dates and numbers."""

from __future__ import annotations

import doctest
import math
from datetime import UTC, date, datetime, timedelta, timezone
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.transform import text
from pipeline.transform.text import (
    CONTROL_CHARS,
    clean_cell,
    parse_date,
    parse_number,
    parse_timestamp,
    text_problem,
)


def test_docstring_examples() -> None:
    assert doctest.testmod(text).failed == 0


# --- CONTROL_CHARS -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "char",
    [
        "\x00",
        "\x07",
        "\x0b",
        "\x0c",
        "\x1b",
        "\x1f",
        "\x7f",
        "\x85",
        "\x9f",
        "\u202a",
        "\u202e",
        "\u2066",
        "\u2069",
    ],
)
def test_control_chars_match(char: str) -> None:
    assert CONTROL_CHARS.search(f"a{char}b")


@pytest.mark.parametrize("char", ["\t", "\n", "\r", " ", "é", "中", "\u200b", "\u2029", "\u2070", "\xa0"])
def test_control_chars_allow(char: str) -> None:
    assert not CONTROL_CHARS.search(f"a{char}b")


# --- clean_cell --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("GPT-4", "GPT-4"),
        ("  United States of America\n", "United States of America"),
        ("a\n\nb\t\tc   d\r\ne", "a b c d e"),
        ("a\x00b\x1bc\x7fd\u202ee", "abcde"),
        ("a \x00 b", "a b"),
        ("\u202e\n", None),
        ("", None),
        ("   \n\t", None),
        (None, None),
        (float("nan"), None),
        (float("inf"), None),
        (7, "7"),
        (7.5, "7.5"),
        (1.2e24, "1.2e+24"),
        (True, "True"),
        (b"bytes", None),
        (["a"], None),
        ({"a": 1}, None),
    ],
)
def test_clean_cell(value: object, expected: str | None) -> None:
    assert clean_cell(value) == expected


def test_clean_cell_truncates_without_trailing_space() -> None:
    assert clean_cell("abc def", max_len=4) == "abc"
    assert clean_cell("abcdef", max_len=3) == "abc"
    assert clean_cell("x" * 2000) == "x" * 1000


def test_clean_cell_rejects_bad_max_len() -> None:
    with pytest.raises(ValueError):
        clean_cell("a", max_len=0)


@given(value=st.text(), max_len=st.integers(min_value=1, max_value=50))
def test_clean_cell_properties(value: str, max_len: int) -> None:
    cleaned = clean_cell(value, max_len)
    if cleaned is None:
        return
    assert 0 < len(cleaned) <= max_len
    assert not CONTROL_CHARS.search(cleaned)
    assert cleaned == cleaned.strip()
    assert "\n" not in cleaned and "\t" not in cleaned and "  " not in cleaned


@given(st.text())
def test_clean_cell_is_idempotent(value: str) -> None:
    cleaned = clean_cell(value)
    assert cleaned is None or clean_cell(cleaned) == cleaned


# --- text_problem ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "max_len", "expected"),
    [
        ("Llama 3.1 8B", 200, None),
        ("a < b and c > d", 200, None),
        ("I <3 open weights", 200, None),
        ("x" * 200, 200, None),
        ("x" * 201, 200, "longer than 200 characters"),
        ("abc", 2, "longer than 2 characters"),
        ("bad\x00name", 200, "contains control characters"),
        ("evil\u202etxt.exe", 200, "contains control characters"),
        ("tab\tand\nnewline are fine", 200, None),
        ("<script>alert(1)</script>", 200, "contains markup"),
        ("<SCRIPT src=x", 200, "contains markup"),
        ('<a href="http://example.com">x</a>', 200, "contains markup"),
        ("<img src=x onerror=alert(1)", 200, "contains markup"),
        ("close </div>", 200, "contains markup"),
        ("<b>bold</b>", 200, "contains markup"),
        ("<!-- comment -->", 200, "contains markup"),
        ("javascript:alert(1)", 200, "contains markup"),
        ("JavaScript :void(0)", 200, "contains markup"),
        ("Model<T>", 200, "contains markup"),
    ],
)
def test_text_problem(value: str, max_len: int, expected: str | None) -> None:
    assert text_problem(value, max_len) == expected


def test_text_problem_reports_length_first() -> None:
    assert text_problem("<b>" + "x" * 300 + "\x00", 200) == "longer than 200 characters"


def test_text_problem_non_str() -> None:
    assert text_problem(None, 10) == "not text"  # type: ignore[arg-type]


@given(st.text(max_size=100))
def test_cleaned_plain_text_has_no_problem_but_markup(value: str) -> None:
    cleaned = clean_cell(value, max_len=100)
    if cleaned is not None:
        assert text_problem(cleaned, 100) in (None, "contains markup")


# --- parse_timestamp ---------------------------------------------------------------------------

JULY_23 = datetime(2024, 7, 23, 14, 3, 25, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-07-23T14:03:25.000Z", JULY_23),
        ("2024-07-23T14:03:25Z", JULY_23),
        ("2024-07-23T14:03:25+00:00", JULY_23),
        ("2024-07-23 14:03:25+00:00", JULY_23),
        ("2024-07-23T16:03:25+02:00", JULY_23),
        ("2024-07-23T10:03:25-0400", JULY_23),
        ("2024-07-23T14:03:25", JULY_23),
        ("  2024-07-23t14:03:25z ", JULY_23),
        ("2024-07-23T14:03:25.123456789Z", JULY_23.replace(microsecond=123456)),
        ("2024-07-23", datetime(2024, 7, 23, tzinfo=UTC)),
        ("1990-01-01", datetime(1990, 1, 1, tzinfo=UTC)),
        ("2100-12-31T23:59:59Z", datetime(2100, 12, 31, 23, 59, 59, tzinfo=UTC)),
        (None, None),
        ("", None),
        ("   ", None),
        (datetime(2024, 7, 23, 14, 3, 25), JULY_23),
        (datetime(2024, 7, 23, 16, 3, 25, tzinfo=timezone(timedelta(hours=2))), JULY_23),
    ],
)
def test_parse_timestamp(value: object, expected: datetime | None) -> None:
    parsed = parse_timestamp(value)
    assert parsed == expected
    if parsed is not None:
        assert parsed.tzinfo is UTC


@pytest.mark.parametrize(
    "value",
    [
        "yesterday",
        "2024-13-01",
        "2024-02-30T00:00:00Z",
        "2024-07-23T25:00:00Z",
        "20240723",
        "2024-W30",
        "2024-07-23T14:03:25+24:00",
        "1989-12-31T23:59:59Z",
        "2101-01-01",
        "1990-01-01T00:30:00+01:00",  # 1989 in UTC
        "0001-01-01T00:00:00+01:00",
        "2024-07-23T14:03:25.000Z trailing",
        "٢٠٢٤-07-23",
        1721743405,
        1721743405.0,
        True,
        date(2024, 7, 23),
        ["2024-07-23"],
    ],
)
def test_parse_timestamp_rejects_garbage(value: object) -> None:
    with pytest.raises(ValueError):
        parse_timestamp(value)


@given(st.text())
def test_parse_timestamp_raises_only_value_error(value: str) -> None:
    try:
        parsed = parse_timestamp(value)
    except ValueError:
        return
    assert parsed is None or (parsed.tzinfo is UTC and 1990 <= parsed.year <= 2100)


@given(st.datetimes(min_value=datetime(1990, 1, 2), max_value=datetime(2099, 12, 30)))
def test_parse_timestamp_round_trips_isoformat(moment: datetime) -> None:
    aware = moment.replace(tzinfo=UTC)
    assert parse_timestamp(aware.isoformat()) == aware
    assert parse_timestamp(aware.isoformat().replace("+00:00", "Z")) == aware


# --- parse_date --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-12-31", date(2025, 12, 31)),
        (" 2025-12-31 ", date(2025, 12, 31)),
        ("2025-12-31 00:00:00", date(2025, 12, 31)),
        ("2025-12-31T00:00:00", date(2025, 12, 31)),
        ("1950-07-02", date(1950, 7, 2)),
        (None, None),
        ("", None),
        (date(2025, 1, 2), date(2025, 1, 2)),
        (datetime(2025, 1, 2, 3, 4), date(2025, 1, 2)),
    ],
)
def test_parse_date(value: object, expected: date | None) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "garbage",
        "2025-02-30",
        "2025-12",
        "31/12/2025",
        "2025-12-31 00:00:00+00:00",
        "1799-12-31",
        "2101-01-01",
        2025,
        2025.5,
    ],
)
def test_parse_date_rejects_garbage(value: object) -> None:
    with pytest.raises(ValueError):
        parse_date(value)


@given(st.text())
def test_parse_date_raises_only_value_error(value: str) -> None:
    try:
        parse_date(value)
    except ValueError:
        pass


@given(st.dates(min_value=date(1800, 1, 1), max_value=date(2100, 12, 31)))
def test_parse_date_round_trip(day: date) -> None:
    assert parse_date(day.isoformat()) == day
    assert parse_date(f"{day.isoformat()} 00:00:00") == day


# --- parse_number ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1.2e+24", 1.2e24),
        ("9.86736e+24", 9.86736e24),
        (" 7000000000 ", 7e9),
        ("7000000000.0", 7e9),
        ("7,000,000", 7e6),
        ("-1,234.5", -1234.5),
        ("+5", 5.0),
        (".5", 0.5),
        ("5.", 5.0),
        ("0", 0.0),
        (12, 12.0),
        (1.5, 1.5),
        (Fraction(1, 2), 0.5),
        ("", None),
        ("   ", None),
        (None, None),
        (float("nan"), None),
        ("NaN", None),
        ("nan", None),
    ],
)
def test_parse_number(value: object, expected: float | None) -> None:
    result = parse_number(value)
    assert result == expected
    assert result is None or type(result) is float


@pytest.mark.parametrize(
    "value",
    [
        "garbage",
        "7B",
        "1_000",
        "inf",
        "-Infinity",
        "1e999",
        "7,00",
        "929000,929000",  # Epoch's multi-value cells are not one number
        "1.2.3",
        "0x10",
        "١٢",
        float("inf"),
        True,
        b"12",
        [1],
    ],
)
def test_parse_number_rejects_garbage(value: object) -> None:
    with pytest.raises(ValueError):
        parse_number(value)


@given(st.text())
def test_parse_number_raises_only_value_error(value: str) -> None:
    try:
        result = parse_number(value)
    except ValueError:
        return
    assert result is None or math.isfinite(result)


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_parse_number_round_trips_repr(number: float) -> None:
    assert parse_number(repr(number)) == number
    assert parse_number(number) == number


@given(st.integers(min_value=0, max_value=10**15))
def test_parse_number_thousands_separators(number: int) -> None:
    assert parse_number(f"{number:,}") == float(number)
