"""What a row of somebody else's report spreadsheet says, in our fields.

Real files (BNPB's DIBI export, a Dinsos recap) do not carry our columns: the place is a
BPS-style `id_kab` ("3602"), a `kabkot` name ("ACEH JAYA") and "Kec. X" lines inside a free
`lokasi` text; the date is split over `tahun`, `bulan`, `tanggal` and `jam`; `sumber` is a
contact ("BPBA Prov. Aceh / Ibu Henni / Via Tlp."), not one of our sources. `read_row` turns
such a row into the values `ReportInput` checks and says how it matched the place, so the
match can be confirmed; `refusal` says why a file as a whole is not a table of reports.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from command_center.models import FIGURES
from command_center.services.gazetteer import Gazetteer
from command_center.services.incidents import zone_of
from command_center.services.reports import REPORT_HEADERS, SOURCE_WORDS
from command_center.times import ZONES

OTHER_HEADERS: dict[str, tuple[str, ...]] = {
    "kabupaten_code": ("id_kab", "kode_kab", "kode_kabupaten", "kode_kabkot", "kabupaten_code"),
    "kabupaten": ("kabkot", "kabupaten", "kab_kota", "kabupaten_kota", "nama_kabupaten"),
    "kecamatan": ("kecamatan", "nama_kecamatan", "kec"),
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
    code: str
    said: str  # what the file wrote
    unmatched: tuple[str, ...] = ()  # kecamatan names it gave that fit no kecamatan


def read_row(values: dict[str, str], places: Gazetteer, default_source: str | None) -> dict:
    """`values` with the place, time and source in our fields, plus `area_match` in words.

    A kecamatan code given wins. Otherwise the kabupaten comes from its code or name, and the
    kecamatan from a name column or the "Kec. X" lines of `location`: one kecamatan makes a
    kecamatan report; several, or none, a kabupaten-level report (BNPB's figures are the
    event's total over all of them), naming the kecamatan in its notes.
    """
    row = dict(values)
    match = None if row.get("kecamatan_code") else place_of(row, places)
    if match is not None:
        row["kecamatan_code"], row["area_level"] = match.code, match.level
        row["area_match"] = _described(match, places)
        if match.level == "kabupaten" and row.get("location"):
            row["notes"] = _joined(row.get("notes"), "Lokasi: " + _one_line(row["location"]))
    if row.get("year") and row.get("month"):
        row["report_time"] = _time(row, row.get("kecamatan_code"))
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
        return str(int(float(row["suffering"])) + int(float(row.get("displaced") or 0)))
    except ValueError:
        return row["suffering"]  # as typed, for the count check to name


def place_of(row: dict[str, str], places: Gazetteer) -> Match | None:
    """The area a row names by kabupaten code or name and kecamatan names; None if none."""
    kabupaten = _kabupaten(row, places)
    names = [row["kecamatan"]] if row.get("kecamatan") else _kecamatan_in(row.get("location"))
    found, unmatched = [], []
    for name in names:
        code = places.kecamatan_named(name, kabupaten)
        (found.append(code) if code else unmatched.append(name))
    found = list(dict.fromkeys(found))
    said = " / ".join(s for s in (row.get("kabupaten_code"), row.get("kabupaten"), *names) if s)
    if len(found) == 1 and not unmatched:
        return Match("kecamatan", found[0], said)
    parents = {code[:5] for code in found}
    kabupaten = kabupaten or (parents.pop() if len(parents) == 1 else None)
    if kabupaten is None:
        return None
    return Match("kabupaten", kabupaten, said, tuple(unmatched))


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
    text = f"{match.said} → {places.area_name(match.code)} ({match.code})"
    if match.unmatched:
        text += "; ? " + ", ".join(match.unmatched)
    return text


def _time(row: dict[str, str], area_code: str | None) -> str:
    """A report time from separate year, month, day (`tanggal`) and hour columns, in the
    area's own zone (noon when the hour is not given); the text as given when they do not
    make a date, for the time check to refuse by name."""
    day = row.get("report_time") or "1"
    hour = re.fullmatch(r"(\d{1,2})(?:[.:](\d{2}))?", (row.get("hour") or "").strip())
    try:
        moment = datetime(
            int(float(row["year"])),
            int(float(row["month"])),
            int(float(day)),
            int(hour.group(1)) if hour else 12,
            int(hour.group(2) or 0) if hour else 0,
            tzinfo=ZoneInfo(ZONES[zone_of(area_code)]),
        )
    except ValueError:
        return f"{row['year']}-{row['month']}-{day} {row.get('hour') or ''}".strip()
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
    if any(row.get("kecamatan_code") for row in rows):
        return None
    if "province" in columns and not columns & {"kabupaten_code", "kabupaten", "location"}:
        return "province_aggregate"
    return "no_area"
