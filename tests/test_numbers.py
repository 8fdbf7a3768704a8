"""Counts as Indonesians write them (`services.numbers`), one reader for every path."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from command_center.services.numbers import count, numbers_in

SPELLINGS = [
    ("1.250", 1250),
    ("1,250", 1250),
    ("1 250", 1250),
    ("12.0", 12),
    ("4.000", 4000),
    ("1,2 rb", 1200),
    ("2,5 ribu", 2500),
    ("1 jt", 1_000_000),
    ("± 1.500", 1500),
    ("kurang lebih 300 KK", 300),
    ("640 jiwa", 640),
    ("12 unit", 12),
    ("nihil", 0),
    ("Tidak ada", 0),
    ("dua", 2),
    ("dua belas", 12),
    ("tiga puluh lima", 35),
]


@pytest.mark.parametrize(("text", "value"), SPELLINGS)
def test_each_spelling_is_one_count(text, value) -> None:
    assert count(text) == value


@pytest.mark.parametrize("text", ["1,5", "2.5", "banyak", "5/12", "12 meter", ""])
def test_what_is_not_one_whole_count_is_refused(text) -> None:
    with pytest.raises(ValueError, match="not a whole number"):
        count(text)


def test_numbers_in_a_message_keep_where_they_were() -> None:
    text = "MD 1, mengungsi ± 2.340 jiwa, tinggi air 1,5 m, LR nihil"
    found = numbers_in(text)
    assert [(f.value, text[f.start : f.end]) for f in found] == [
        (1, "1"),
        (2340, "± 2.340"),
        (None, "1,5"),
        (0, "nihil"),
    ]


@given(st.text())
def test_any_text_gives_numbers_or_a_clear_refusal(text) -> None:
    for found in numbers_in(text):
        assert 0 <= found.start < found.end <= len(text)
    try:
        assert count(text) >= 0
    except ValueError as refused:
        assert "not a whole number" in str(refused)
