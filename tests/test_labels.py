import ast
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pytest

from command_center.base.labels import LABELS, NO_VALUE, cell, field_name, number, shown, t
from tests.conftest import PROJECT_ROOT


@pytest.mark.parametrize("key", sorted(LABELS))
def test_every_label_has_both_languages(key: str) -> None:
    """A key in one catalogue only, or an empty translation, is named here."""
    indonesian, english = LABELS[key]
    assert indonesian.strip() and english.strip()
    assert indonesian.count("{") == english.count("{")


def _keys_in_code() -> dict[str, str]:
    """Every label key written literally in a call `t("key", ...)` (either branch of a
    conditional too) in the package and the pages, with where it was found."""
    found = {}
    for path in sorted(
        [*(PROJECT_ROOT / "command_center").rglob("*.py"), *PROJECT_ROOT.glob("pages/*.py")]
    ):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "t"):
                continue
            first = node.args[0] if node.args else None
            options = [first.body, first.orelse] if isinstance(first, ast.IfExp) else [first]
            for option in options:
                if isinstance(option, ast.Constant) and isinstance(option.value, str):
                    where = f"{path.relative_to(PROJECT_ROOT)}:{node.lineno}"
                    found.setdefault(option.value, where)
    return found


def test_every_label_the_code_asks_for_is_in_the_catalogues() -> None:
    missing = {key: where for key, where in _keys_in_code().items() if key not in LABELS}
    assert missing == {}
    assert len(_keys_in_code()) > 400  # the extractor really read the code


def test_the_catalogues_are_gettext_files_a_translator_can_open() -> None:
    for lang in ("id", "en"):
        po = Path(PROJECT_ROOT / f"command_center/locale/{lang}/LC_MESSAGES/messages.po")
        text = po.read_text(encoding="utf-8")
        assert f'"Language: {lang}\\n"' in text and 'msgid "page_live_map"' in text


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


def test_decimals_use_the_language_comma() -> None:
    assert number(5.6) == "5,6"
    assert number(22144.5) == "22.144,5"
    assert number(22144.5, "en") == "22,144.5"
    assert number(0.6, places=1) == "0,6"
    assert number(0.25, places=1) == "0,2"
    assert number(14.0) == "14"  # a whole measure shows no decimals
    assert number(0.1 + 0.2) == "0,3"  # no float noise
    assert number(-1200) == "-1.200"


def test_a_table_for_the_screen_speaks_the_language() -> None:
    frame = pd.DataFrame(
        {
            "id": [1234, 5],
            "count": [22144, None],
            "km": [2.3, 10.0],
            "day": [date(2026, 12, 19), None],
            "at": [datetime(2026, 12, 19, 7, 0, tzinfo=UTC), None],
            "note": ["x", None],
            "done": [True, False],
        }
    )
    styled = shown(frame)
    assert styled.to_string(delimiter="|").splitlines() == [
        "|id|count|km|day|at|note|done",
        "0|1234|22.144|2,3|19 Des 2026|19 Des 2026 14.00 WIB|x|Ya",
        f"1|5|{NO_VALUE}|10|{NO_VALUE}|{NO_VALUE}|{NO_VALUE}|Tidak",
    ]
    assert styled.data["count"].iloc[0] == 22144  # still a number underneath: it sorts so
    daily = pd.DataFrame({"n": [5400]}, index=pd.Index([date(2026, 12, 7)], name="Hari"))
    assert shown(daily, "en").to_string(delimiter="|").splitlines()[-1] == "7 Dec 2026|5,400"
    assert cell(5.6, "en") == "5.6"


def test_our_field_names_are_shown_in_words() -> None:
    assert field_name("kecamatan_code") == t("field_kecamatan_code")
    assert field_name("area_match", "en") == "Area match"
    assert field_name("Kolom Lain") == "Kolom Lain"  # a file's own header, as given


def test_every_action_the_audit_records_has_words() -> None:
    """The audit log and histories show actions in words: each action a `record_audit` call
    names has its `action_*` label (a new one without is caught here, not on a screen)."""
    actions = set()
    for path in (PROJECT_ROOT / "command_center").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "record_audit":
                action = node.args[2] if len(node.args) > 2 else None
                if isinstance(action, ast.Constant):
                    actions.add(action.value)
    assert {"create", "sign-in", "area"} <= actions
    assert sorted(a for a in actions if f"action_{a}" not in LABELS) == []
