"""Every user-facing word, in Bahasa Indonesia (default) and English.

The words live in gettext catalogues, one per language (`locale/id/LC_MESSAGES/messages.po`,
`locale/en/...`), keyed by a label's name (`msgid "page_live_map"`), each entry with the other
language's text as a comment, so a translator works in a PO editor and never in Python. They
are read once per process with Babel. `t(key, lang)` looks a label up; a missing key is a bug
and raises KeyError, so tests catch it. Labels with `{name}` fields are filled with
`t(key, lang, name=...)`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from numbers import Real
from pathlib import Path

import numpy as np
import pandas as pd
from babel.messages.pofile import read_po
from pandas.io.formats.style import Styler

from command_center.base.models import TeamStatus
from command_center.base.times import format_day, format_wib

LANGUAGES = {"id": "Bahasa Indonesia", "en": "English"}
IDS = frozenset({"id"})  # table columns that name a record, shown without separators
NO_VALUE = "—"  # an empty table cell, in every language (never "None" or "nan")

LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"  # <lang>/LC_MESSAGES/messages.po


def _catalogue(lang: str) -> dict[str, str]:
    """One language's gettext catalogue (msgid: the label's key), read with Babel."""
    with (LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as source:
        return {message.id: message.string for message in read_po(source) if message.id}


def _labels() -> dict[str, tuple[str, str]]:
    """Every key with its Indonesian and English text ("" where a catalogue lacks it: the
    tests name every such gap)."""
    indonesian, english = _catalogue("id"), _catalogue("en")
    return {
        key: (indonesian.get(key, ""), english.get(key, "")) for key in {**indonesian, **english}
    }


LABELS = _labels()


def t(key: str, lang: str = "id", **fields: object) -> str:
    """The label `key` in `lang` ("id" or "en"), with `{fields}` filled in."""
    indonesian, english = LABELS[key]
    text = english if lang == "en" else indonesian
    return text.format(**fields) if fields else text


def status_label(status: object, lang: str = "id") -> str:
    """A team status (`"on_scene"`) in words."""
    return t(f"status_{status}", lang)


def status_words(lang: str = "id") -> dict[str, str]:
    """Every team status in words: `{"on_scene": "Bertugas", ...}`."""
    return {s.value: status_label(s.value, lang) for s in TeamStatus}


def kind_label(kind: object, lang: str = "id") -> str:
    """A roster unit type (`"karang_taruna"`) in words."""
    return t(f"kind_{kind}", lang)


def field_name(field: str, lang: str = "id") -> str:
    """One of our field names (`kecamatan_code`) in words, or as given when it has none."""
    key = f"field_{field}"
    return t(key, lang) if key in LABELS else field


FEED_NAMES = {  # live feeds, and the kinds of recorded files replayed (`replay:<kind>`)
    "bmkg_autogempa": "BMKG autogempa",
    "bmkg_gempaterkini": "BMKG gempaterkini",
    "bmkg_gempadirasakan": "BMKG gempadirasakan",
    "bmkg_nowcast": "BMKG nowcast",
    "usgs": "USGS",
    "bmkg_inatews": "BMKG InaTEWS",
    "bmkg_realtime": "BMKG InaTEWS real-time",
    "gdacs": "GDACS",
    "petabencana": "PetaBencana.id",
    "odk_forms": "ODK/Kobo",
    "bmkg_quakes": "BMKG",
    "inatews": "BMKG InaTEWS",
    "inatews_realtime": "BMKG InaTEWS real-time",
    "usgs_quakes": "USGS",
    "nowcast_cap": "BMKG nowcast",
    "magma_var": "MAGMA (PVMBG) tingkat aktivitas",
    "magma_vona": "MAGMA VONA",
    "firms": "NASA FIRMS",
}
FORECASTS = {"bmkg_forecast", "forecast"}  # BMKG's forecast, named in the user's language


def feed_name(feed: str, lang: str) -> str:
    """A feed as people know it; a recorded replay of one as `BMKG prakiraan cuaca (rekaman)`."""
    if feed.startswith("replay:"):
        return t("feed_replayed", lang, feed=feed_name(feed.removeprefix("replay:"), lang))
    return t("feed_forecast", lang) if feed in FORECASTS else FEED_NAMES.get(feed, feed)


def action_label(action: object, lang: str = "id") -> str:
    """What an audit entry records (`"area"`) in words: `Wilayah diubah`."""
    return _coded(("action",), action, lang)


def entity_label(entity: object, lang: str = "id") -> str:
    """What an audit entry is about (`"impact_report"`) in words: `Laporan dampak`."""
    return _coded(("entity",), entity, lang)


# recorded fields whose values are codes, with the label prefixes that name them
CODED = {
    "status": ("status", "status_incident"),
    "kind": ("kind",),
    "hazard": ("hazard",),
    "phase": ("phase",),
    "relation": ("relation",),
    "casualty": ("casualty",),
    "role": ("role",),
    "channel": ("channel",),
}


def _coded(prefixes: tuple[str, ...], code: object, lang: str) -> str:
    """A code in the words of the first label named `<prefix>_<code>`, or as given."""
    key = next((f"{p}_{code}" for p in prefixes if f"{p}_{code}" in LABELS), None)
    return str(code) if key is None else t(key, lang)


def recorded(field: str, value: object, lang: str = "id") -> str:
    """A value as an audit entry stored it, in words: a code in its label, nothing as
    `NO_VALUE`, a number, an ISO day or time as tables write them, lists and records joined."""
    if isinstance(value, list | tuple):
        return ", ".join(recorded(field, v, lang) for v in value) or NO_VALUE
    if isinstance(value, dict):
        return " · ".join(recorded(k, v, lang) for k, v in value.items() if v not in (None, ""))
    if isinstance(value, str) and field in CODED:
        return _coded(CODED[field], value, lang)
    if isinstance(value, str):
        return cell(_moment(value), lang)
    return NO_VALUE if value == "" else cell(value, lang)


def _moment(text: str) -> object:
    """An ISO day or time stored as text (`2026-12-19`) as that day or time; other text as is."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}([T ][\d:.]+([+-]\d{2}:\d{2}|Z)?)?", text):
        return text
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:  # shaped like a day but none (`2026-13-45`)
        return text
    return moment.date() if len(text) == 10 else moment


def fields_text(values: object, lang: str = "id") -> str:
    """A recorded set of fields in words: `Nama: Tim A; Jenis: Karang Taruna` (a recorded list
    or text as `recorded` writes it, nothing as "")."""
    if not isinstance(values, dict):
        return "" if values is None else recorded("", values, lang)
    return "; ".join(f"{field_name(k, lang)}: {recorded(k, v, lang)}" for k, v in values.items())


def change_text(before: object, after: object, lang: str = "id") -> str:
    """What an audit entry changed, in words: `Status: Siaga → Bertugas; Catatan: banjir`
    (a field that had no value shows only its new one)."""
    if not isinstance(after, dict) or not isinstance(before, dict | None):
        return fields_text(after, lang)  # a list (an area's kecamatan) or a note
    parts = []
    for field, value in after.items():
        name, old = field_name(field, lang), (before or {}).get(field)
        shown = recorded(field, value, lang)
        if old in (None, "", []):
            parts.append(f"{name}: {shown}")
        else:
            parts.append(f"{name}: {recorded(field, old, lang)} → {shown}")
    return "; ".join(parts)


COUNT_CODES = frozenset({"sharp_drop", "lowers_published"})  # whose values are counts


def field_label(field: str, lang: str = "id", quote: Callable[[str], str] = str) -> str:
    """Where a problem is, in words: `Anggota 3 · NIK` for `members[2].nik`."""
    base = field.rsplit(".", 1)[-1]
    name = field_name(base, lang) if f"field_{base}" in LABELS else quote(field)
    if field != base:
        return f"{_line(field.split('.')[0], lang, quote)} · {name}"
    return _line(field, lang, quote) if "[" in field else name


def field_error(
    field: str, code: str, params: dict, lang: str = "id", quote: Callable[[str], str] = str
) -> str:
    """One validation problem in words: `Jumlah anggota: tidak boleh negatif: -3`.

    A field the labels do not know (a spreadsheet's own header, `members[2].name`) is shown as
    given; a code without a label is shown as the code. `quote` is applied to what came from
    the user (values, unknown field names), e.g. to escape it for markdown. A time is shown in
    WIB.
    """
    name = field_label(field, lang, quote)
    key = f"err_{code}"
    counts = code in COUNT_CODES  # counts in the language's format ("22.144")
    values = {k: quote(_param(v, counts, lang)) for k, v in params.items()}
    try:
        problem = t(key, lang, **values) if key in LABELS else quote(code)
    except KeyError:  # a label expecting a value the error did not carry
        problem = LABELS[key][1 if lang == "en" else 0].split(":")[0]
    return f"{name}: {problem}"


def _param(value: object, counts: bool, lang: str) -> str:
    if isinstance(value, datetime):
        return format_wib(value, lang)
    return number(value, lang) if counts and type(value) is int else str(value)


def _line(part: str, lang: str, quote: Callable[[str], str]) -> str:
    """`lines[0]` as people count it: `Barang 1`; anything else as given."""
    found = re.fullmatch(r"(\w+)\[(\d+)\]", part)
    if found is None or f"field_{found[1]}" not in LABELS:
        return quote(part)
    return f"{field_name(found[1], lang)} {int(found[2]) + 1}"


def number(value: float, lang: str = "id", places: int | None = None) -> str:
    """A number in the language's format: `22.144` and `5,6` in Indonesian (`22,144` and
    `5.6` in English). A count keeps no decimals; a measure keeps up to `places` (4 when not
    given, trailing zeros dropped), or exactly `places` when given."""
    if places is None:
        value = round(value, 4)
        text = f"{int(value):,}" if float(value).is_integer() else f"{value:,}"
    else:
        text = f"{value:,.{places}f}"
    # swap the separators through a placeholder: `22,144.5` -> `22.144,5`
    return text.replace(",", "_").replace(".", ",").replace("_", ".") if lang == "id" else text


def magnitude(value: float | None, lang: str = "id") -> str:
    """An earthquake's magnitude as every screen and message writes it: `M5,6` (`M5.6`)."""
    return f"M{number(value or 0, lang, places=1)}"


def cell(value: object, lang: str = "id") -> str:
    """One value as a table shows it: counts and measures in the language's format, a day as
    `19 Des 2026`, a time as `19 Des 2026 14.00 WIB`, nothing as `NO_VALUE`."""
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return NO_VALUE
    if isinstance(value, bool | np.bool_):
        return t("yes" if value else "no", lang)
    if isinstance(value, datetime):
        return format_wib(value, lang)
    if isinstance(value, date):
        return format_day(value, lang)
    if isinstance(value, Real):
        return number(value.item() if isinstance(value, np.generic) else value, lang)
    return str(value)


def shown(frame: pd.DataFrame, lang: str = "id") -> Styler:
    """A table for a screen, its values shown as `cell` writes them and kept as they are
    underneath (so a column still sorts by number or time): Streamlit's own number and date
    formats follow the browser's locale, not the user's language. A record's `id` is shown
    without separators; an index of days or times is written out."""
    if _formats(frame.index):
        frame = frame.set_axis(frame.index.map(lambda v: cell(v, lang)))
    styler = frame.style.format(lambda v: cell(v, lang))
    ids = list(IDS.intersection(frame.columns))
    return styler.format(str, subset=ids) if ids else styler


def _formats(index: pd.Index) -> bool:
    """Whether an index holds values worth formatting (days, times), not row ids."""
    return isinstance(next(iter(index), None), date)
