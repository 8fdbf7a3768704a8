"""What a row of somebody else's report spreadsheet says, in our fields.

Real files (BNPB's DIBI export, a Dinsos recap) do not carry our columns: the place is a
BPS-style `id_kab` ("3602"), a `kabkot` name ("ACEH JAYA") and "Kec. X" lines inside a free
`lokasi` text; the date is split over `tahun`, `bulan`, `tanggal` and `jam`; `sumber` is a
contact ("BPBA Prov. Aceh / Ibu Henni / Via Tlp."), not one of our sources. `read_row` turns
such a row into the values `ReportInput` checks and says how it matched the place, so the
match can be confirmed; `check_place` holds a row whose kecamatan name and code disagree, or
whose name is not one certain kecamatan, with the kecamatan to pick from; `refusal` says why a
file as a whole is not a table of reports.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from command_center.base.errors import FieldError, InvalidAreaCode
from command_center.base.geography import normalise_code
from command_center.base.models import FIGURES
from command_center.base.times import ZONES
from command_center.services import numbers
from command_center.services.gazetteer import Candidate, Gazetteer, KecamatanMatch
from command_center.services.incidents import zone_of
from command_center.services.reports import REPORT_HEADERS, SOURCE_WORDS

OTHER_HEADERS: dict[str, tuple[str, ...]] = {
    "kabupaten_code": ("id_kab", "kode_kab", "kode_kabupaten", "kode_kabkot", "kabupaten_code"),
    "kabupaten": ("kabkot", "kabupaten", "kab_kota", "kabupaten_kota", "nama_kabupaten"),
    "kecamatan_name": ("kecamatan", "nama_kecamatan", "kec"),
    "location": ("lokasi", "lokasi_kejadian", "location"),
    "province": ("provinsi", "nama_provinsi", "id_prov", "kode_prov", "province"),
    "year": ("tahun", "year"),
    "month": ("bulan", "month"),
    "hour": ("jam", "pukul", "hour"),
    # DIBI counts "menderita" (affected, still at home) apart from "mengungsi" (displaced)
    "suffering": ("menderita",),
    "suffering_displaced": ("menderita_mengungsi",),
}
FILE_HEADERS = {**REPORT_HEADERS, **OTHER_HEADERS}
"""Every column a report file may hold: our fields, then the place, date and DIBI columns."""

EXACT = 100  # a candidate's score when the name is the kecamatan's own
_KECAMATAN_IN_TEXT = re.compile(r"\bkec(?:amatan)?\b\.?\s*([a-z][^\n,;:()/]*)", re.IGNORECASE)
_SOURCE_IN_TEXT = (
    (re.compile(r"\b(bpbd|bpba|bpbk|pusdalops|bnpb)\b", re.IGNORECASE), "bpbd"),
    (re.compile(r"\btagana\b", re.IGNORECASE), "tagana"),
    (re.compile(r"\btksk\b", re.IGNORECASE), "tksk"),
    (re.compile(r"\b(dinsos|dinas sosial)\b", re.IGNORECASE), "dinsos"),
)


@dataclass(frozen=True)
class Match:
    """How a row's place was read: the area, its level, and the words it came from."""

    level: str  # "kecamatan" or "kabupaten"
    code: str  # "" when the one kecamatan named is not certain: the row waits
    said: str  # what the file wrote
    unmatched: tuple[str, ...] = ()  # kecamatan names it gave that fit no kecamatan
    candidates: tuple[Candidate, ...] = ()  # what the one kecamatan named may be
    written: str | None = None  # a misspelt name taken for the kecamatan (`code`)


def read_row(
    values: dict[str, str],
    places: Gazetteer,
    default_source: str | None,
    within: Sequence[str] = (),
) -> dict:
    """`values` with the place, time and source in our fields, plus `area_match` in words.

    A kecamatan code given wins (`check_place` then checks a name given beside it).
    Otherwise the kabupaten comes from its code or name, and the kecamatan from a name
    column or the "Kec. X" lines of `location`, looked for in that kabupaten (else in
    `within`, the incident's kabupaten, else anywhere). One kecamatan makes a kecamatan
    report: its code when the name is certain, else none yet (the row waits, `check_place`
    says why). Several kecamatan, or none, make a kabupaten-level report (BNPB's figures are
    the event's total over all of them), naming the kecamatan in its notes.
    """
    row = dict(values)
    match = None if row.get("kecamatan_code") else place_of(row, places, within)
    if match is not None:
        row["kecamatan_code"], row["area_level"] = match.code, match.level
        row["area_match"] = _described(match, places)
        if match.level == "kecamatan" and not row.get("kecamatan_name"):
            row["kecamatan_name"] = _kecamatan_in(row.get("location"))[0]
        if match.level == "kabupaten" and row.get("location"):
            row["notes"] = _joined(row.get("notes"), "Lokasi: " + _one_line(row["location"]))
        if match.written:
            row["notes"] = _joined(row.get("notes"), "Kecamatan tertulis: " + match.written)
    if when := _when(row, row.get("kecamatan_code")):
        row["report_time"] = when
    if not row.get("affected_people"):
        row["affected_people"] = _affected(row)
    return _with_source(row, default_source)


def _affected(row: dict[str, str]) -> str:
    """People affected from DIBI's columns: `menderita_mengungsi`, else `menderita` plus
    `mengungsi` (DIBI's "menderita" leaves the displaced out); blank when neither is given."""
    if row.get("suffering_displaced"):
        return row["suffering_displaced"]
    if not row.get("suffering"):
        return ""
    try:
        return str(numbers.count(row["suffering"]) + numbers.count(row.get("displaced") or "0"))
    except ValueError:
        return row["suffering"]  # as typed, for the count check to name


def place_of(row: dict[str, str], places: Gazetteer, within: Sequence[str] = ()) -> Match | None:
    """The area a row names by kabupaten code or name and kecamatan names (`read_row`);
    None if none."""
    kabupaten = _kabupaten(row, places)
    names = (
        [row["kecamatan_name"]] if row.get("kecamatan_name") else _kecamatan_in(row.get("location"))
    )
    said = " / ".join(s for s in (row.get("kabupaten_code"), row.get("kabupaten"), *names) if s)
    matches = [_resolve(name, kabupaten, within, places) for name in names]
    if len(set(names)) == 1:
        name, match = names[0], matches[0]
        if match.code is None:
            return Match("kecamatan", "", said, (name,), tuple(match.candidates))
        misspelt = match.candidates[0].score < EXACT
        return Match("kecamatan", match.code, said, written=name if misspelt else None)
    found = list(dict.fromkeys(m.code for m in matches if m.code))
    unmatched = tuple(n for n, m in zip(names, matches, strict=True) if m.code is None)
    if len(found) == 1 and not unmatched:
        return Match("kecamatan", found[0], said)
    parents = {code[:5] for code in found}
    kabupaten = kabupaten or (parents.pop() if len(parents) == 1 else None)
    if kabupaten is None:
        return None
    return Match("kabupaten", kabupaten, said, unmatched)


def _resolve(
    name: str, kabupaten: str | None, within: Sequence[str], places: Gazetteer
) -> KecamatanMatch:
    """The kecamatan `name` means: in the file's `kabupaten` when it names one; else in
    `within` (a misspelling forgiven there), and failing that the one kecamatan anywhere of
    exactly that name."""
    if kabupaten:
        return places.kecamatan_for(name, [kabupaten])
    match = places.kecamatan_for(name, within)
    if match.code is None and within:
        anywhere = places.kecamatan_for(name)
        return anywhere if anywhere.code else match
    return match


def check_place(
    values: dict[str, Any], places: Gazetteer, within: Sequence[str] = ()
) -> tuple[dict[str, Any], list[FieldError]]:
    """A row's kecamatan name (`kecamatan_name`) checked against its code, as it is
    imported and each time it is re-submitted: with no code, the name gives it when it is
    certain (`_resolve`); with a code, the name must be that kecamatan's or one a misspelling
    of it may mean. Otherwise the row waits: `name_not_code` shows the code's kecamatan, the
    name and what the name points to; `kecamatan_name_unsure` / `_unknown` the closest
    kecamatan to pick from. Returns the values (with the code found) and the errors."""
    name = str(values.get("kecamatan_name") or "").strip()
    if not name or values.get("area_level") == "kabupaten":
        return values, []
    given = str(values.get("kecamatan_code") or "").strip()
    if not given:
        kabupaten = _kabupaten(values, places)
        match = _resolve(name, kabupaten, within, places)
        if match.code:
            return {**values, "kecamatan_code": match.code}, []
        scope = [kabupaten] if kabupaten else within
        where = ", ".join(places.area_name(k) for k in scope) or "Indonesia"
        code = "kecamatan_name_unsure" if match.candidates else "kecamatan_name_unknown"
        params = {"value": name, "within": where, "candidates": _options(match.candidates)}
        return values, [FieldError("kecamatan_name", code, params)]
    try:
        code = normalise_code(given)
    except InvalidAreaCode:
        return values, []  # the report's own check names a bad code
    if not places.has_kecamatan(code):
        return values, []
    match = places.kecamatan_for(name, [code[:5]])
    if match.code == code or (match.code is None and code in {c.code for c in match.candidates}):
        return values, []
    params = {
        "value": code,
        "area": places.area_name(code),
        "name": name,
        "points_to": _options(match.candidates) or "—",
    }
    return values, [FieldError("kecamatan_code", "name_not_code", params)]


def _options(candidates: Iterable[Candidate]) -> str:
    return "; ".join(f"{c.name} ({c.code})" for c in candidates)


def _kabupaten(row: dict[str, str], places: Gazetteer) -> str | None:
    """The kabupaten by name when the file names it, else by code. BNPB's `id_kab` is BPS's
    code, which differs from Kemendagri's for newer kabupaten (BPS 7206 Toli-Toli is
    Kemendagri 72.06 Morowali), so a name that resolves wins over a code."""
    if row.get("kabupaten"):
        return places.kabupaten_named(row["kabupaten"])
    digits = re.sub(r"\D", "", row.get("kabupaten_code") or "")
    code = f"{digits[:2]}.{digits[2:]}" if len(digits) == 4 else digits
    return code if places.has_kabupaten(code) else None


def _kecamatan_in(text: str | None) -> list[str]:
    """The names after "Kec." / "Kecamatan" in a free location text, in order."""
    return [m.group(1).strip(" .-") for m in _KECAMATAN_IN_TEXT.finditer(text or "")]


def _described(match: Match, places: Gazetteer) -> str:
    if not match.code:
        return f"{match.said} → ? {_options(match.candidates)}".rstrip()
    text = f"{match.said} → {places.area_name(match.code)} ({match.code})"
    if match.unmatched:
        text += "; ? " + ", ".join(match.unmatched)
    return text


_DAY_FIRST = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_YEAR_FIRST = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


def _when(row: dict[str, str], area_code: str | None) -> str | None:
    """The report time when a file splits it: DIBI's `tahun`, `bulan`, `tanggal` (the day)
    and `jam`, or a date with the hour in a column of its own; None when it does not."""
    if row.get("year") and row.get("month"):
        day = row.get("report_time") or "1"
        return _time(row["year"], row["month"], day, row.get("hour"), area_code)
    text = (row.get("report_time") or "").strip()
    if not row.get("hour") or not text:
        return None
    if day := _DAY_FIRST.fullmatch(text):
        return _time(day[3], day[2], day[1], row["hour"], area_code)
    if day := _YEAR_FIRST.fullmatch(text):
        return _time(day[1], day[2], day[3], row["hour"], area_code)
    return None


def _time(year: str, month: str, day: str, hour: str | None, area_code: str | None) -> str:
    """A report time in the area's own zone (noon when the hour is not given); the text as
    given when it does not make one, for the time check to refuse by name."""
    as_given = f"{year}-{month}-{day} {hour or ''}".strip()
    clock = re.fullmatch(r"(\d{1,2})(?:[.:](\d{2}))?(?:[.:]\d{2})?", (hour or "12").strip())
    if clock is None:
        return as_given
    try:
        moment = datetime(
            numbers.count(year),
            numbers.count(month),
            numbers.count(day),
            int(clock[1]),
            int(clock[2] or 0),
            tzinfo=ZoneInfo(ZONES[zone_of(area_code)]),
        )
    except ValueError:
        return as_given
    return moment.isoformat()


def _with_source(row: dict[str, str], default_source: str | None) -> dict:
    """A `source` that is not one of ours is contact text: kept as the reporter (its first
    line) and in the notes; the source is the agency it names, else `default_source`."""
    text = (row.get("source") or "").strip()
    if " ".join(text.casefold().split()) in SOURCE_WORDS:
        return row
    if not text:
        return {**row, "source": default_source} if default_source else row
    named = next((source for pattern, source in _SOURCE_IN_TEXT if pattern.search(text)), None)
    row["source"] = named or default_source or text
    if not row.get("reporter"):
        row["reporter"] = _lines(text)[0][:120]
    row["notes"] = _joined(row.get("notes"), "Sumber: " + _one_line(text))
    return row


def _lines(text: str) -> list[str]:
    return [line.strip(" •-\t") for line in text.splitlines() if line.strip(" •-\t")] or [""]


def _one_line(text: str) -> str:
    return " / ".join(_lines(text))


def _joined(notes: str | None, more: str) -> str:
    return "\n".join(part for part in (notes, more) if part)[:2000]


def refusal(columns: Iterable[str], rows: list[dict]) -> str | None:
    """Why a file is not a table of kecamatan reports at all, or None: `no_figures` (none of
    the impact columns), `province_aggregate` (figures by province and year only) or
    `no_area` (no row names any kecamatan or kabupaten)."""
    columns = set(columns)
    if not columns & set(FIGURES):
        return "no_figures"
    if any(row.get("kecamatan_code") or row.get("kecamatan_name") for row in rows):
        return None
    if "province" in columns and not columns & {"kabupaten_code", "kabupaten", "location"}:
        return "province_aggregate"
    return "no_area"
