"""Every page in both languages, as the real app (AppTest) shows it on the training scenario:
nothing of the other language, no "None"/"nan", numbers and dates in the language's format."""

from __future__ import annotations

import ast
import re

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from command_center.base.labels import LABELS
from command_center.ui.shell import LANG_KEY, PAGES
from tests.conftest import PROJECT_ROOT, shown_table

EMPTY = re.compile(r"\b(None|nan|NaN|NaT)\b|<NA>")
LEAKS = {  # words of the other language that Streamlit, pandas or dates put on a page
    "id": re.compile(
        r"Choose an? options?|No results|\b(January|February|March|May|June|July|August|"
        r"October|December|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|"
        r"Aug|Oct|Dec)\b|\b\d{1,2} (AM|PM)\b"
    ),
    "en": re.compile(
        r"\b(Januari|Februari|Maret|Mei|Juni|Juli|Agustus|Oktober|Desember|Senin|Selasa|"
        r"Rabu|Kamis|Jumat|Sabtu|Minggu|Agu|Okt|Des)\b|Pilih opsi|Tidak ada hasil"
    ),
}


def _phrases(lang: str) -> set[str]:
    """The other language's labels of three words or more that differ from this language's:
    seeing one on a page means a word was not translated."""
    index = 0 if lang == "en" else 1
    return {
        texts[index].split("{")[0].strip()
        for texts in LABELS.values()
        if texts[0] != texts[1] and len(texts[index].split("{")[0].split()) >= 3
    }


def _texts(at: AppTest) -> list[str]:
    """Everything a user reads on the page: words, labels, options, placeholders, cells."""
    texts: list[str] = []
    for kind in (
        "title",
        "header",
        "subheader",
        "markdown",
        "caption",
        "info",
        "warning",
        "error",
        "success",
        "code",
    ):
        texts += [str(e.value) for e in getattr(at, kind)]
    for metric in at.metric:
        texts += [metric.label, metric.value, metric.proto.help]
    for kind in (
        "button",
        "toggle",
        "checkbox",
        "text_input",
        "text_area",
        "number_input",
        "date_input",
        "time_input",
    ):
        texts += [e.label for e in getattr(at, kind)]
    for kind in ("selectbox", "multiselect", "radio"):
        for widget in getattr(at, kind):
            texts += [widget.label, *map(str, widget.options)]
            texts.append(getattr(widget.proto, "placeholder", ""))
    # with no placeholder of ours, Streamlit's browser code shows its own English one
    texts += ["Choose options" for w in at.multiselect if not w.proto.placeholder.strip()]
    texts += [
        "Choose an option"
        for w in at.selectbox
        if not w.proto.HasField("default") and not w.proto.placeholder.strip()
    ]
    texts += [tab.label for tab in at.tabs] + [e.label for e in at.expander]
    return texts


def _cells(at: AppTest) -> list[pd.DataFrame]:
    return [e.value for e in (*at.dataframe, *at.table)]


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("page", [spec.file for spec in PAGES])
def test_every_page_speaks_one_language(with_demo, page: str, lang: str) -> None:
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=120)
    at.session_state[LANG_KEY] = lang
    at.run()
    if page != PAGES[0].file:
        at.switch_page(page).run()
    assert not at.exception, [e.message for e in at.exception]
    texts = _texts(at)
    assert [x for x in texts if EMPTY.search(x)] == []
    assert [x for x in texts if LEAKS[lang].search(x)] == []
    foreign = _phrases(lang)
    assert [x for x in texts if any(p in x for p in foreign)] == []
    for table in _cells(at):
        shown = table.reset_index().astype(str) if table.index.name else table.astype(str)
        assert not table.isna().any().any(), table[table.isna().any(axis=1)].head()
        assert [
            c for c in shown.columns if EMPTY.search(str(c)) or LEAKS[lang].search(str(c))
        ] == []
        cells = shown.to_numpy().ravel().tolist()
        assert [c for c in cells if LEAKS[lang].search(c)] == []


SIGN_IN_FORMS = {"login", "change_password"}  # Enter signs in, as everywhere else on the web
WIDGET_OPTIONS = {  # what keeps Streamlit's own English off a widget, and one date order
    "form": {"enter_to_submit": "False"},  # else "Press Ctrl+Enter to submit form"
    "multiselect": {"select_all": "False", "placeholder": None},  # else "Select all"
    "date_input": {"format": "'DD/MM/YYYY'"},  # else yyyy/mm/dd beside dd/mm/yyyy
}


def _widget_calls() -> list[tuple[str, int, str, dict[str, str], str]]:
    found = []
    for path in [
        *(PROJECT_ROOT / "command_center" / "ui").glob("*.py"),
        *(PROJECT_ROOT / "pages").glob("*.py"),
    ]:
        source = path.read_text()
        if "import streamlit" not in source:  # the light form is Starlette's (`request.form`)
            continue
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                if node.func.attr in WIDGET_OPTIONS:
                    given = {k.arg: ast.unparse(k.value) for k in node.keywords if k.arg}
                    first = ast.unparse(node.args[0]) if node.args else ""
                    found.append((path.name, node.lineno, node.func.attr, given, first))
    return found


def test_every_form_multiselect_and_date_picker_keeps_streamlits_english_off() -> None:
    calls = _widget_calls()
    assert len(calls) > 50  # the scan sees the widgets
    wrong = [
        (name, line, kind)
        for name, line, kind, given, first in calls
        if first.strip("'\"") not in SIGN_IN_FORMS
        and any(
            option not in given or (value is not None and given[option] != value)
            for option, value in WIDGET_OPTIONS[kind].items()
        )
    ]
    assert wrong == []


def test_tables_write_numbers_and_days_as_the_metrics_do(with_demo) -> None:
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("pages/reports.py").run()
    displaced = next(m.value for m in at.metric if m.label == LABELS["fig_displaced"][0])
    assert displaced == "22.144"
    cells = [str(c) for d in at.dataframe for c in shown_table(d).to_numpy().ravel()]
    assert displaced in cells  # the daily total, as the metric writes it
    assert "5.400" in cells and "5400" not in cells  # Cianjur's displaced
    assert not [c for c in cells if re.fullmatch(r"\d{4}-\d{2}-\d{2}.*", c)]  # no ISO days
    times = [c for c in cells if c.endswith(" WIB")]
    assert times and all(re.fullmatch(r"\d{1,2} \w{3} \d{4} \d{2}\.\d{2} WIB", c) for c in times)
