import pytest

from command_center.labels import LABELS, number, t


@pytest.mark.parametrize("key", sorted(LABELS))
def test_every_label_has_both_languages(key: str) -> None:
    indonesian, english = LABELS[key]
    assert indonesian.strip() and english.strip()
    assert indonesian.count("{") == english.count("{")


def test_indonesian_is_the_default() -> None:
    assert t("page_live_map") == "Peta langsung"
    assert t("page_live_map", "en") == "Live map"


def test_fields_are_filled() -> None:
    assert t("day_n", "en", n=3) == "day 3"


def test_unknown_label_is_an_error() -> None:
    with pytest.raises(KeyError):
        t("no_such_label")


def test_numbers_use_the_language_separator() -> None:
    assert number(27240) == "27.240"
    assert number(27240, "en") == "27,240"
