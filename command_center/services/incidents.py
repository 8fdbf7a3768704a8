"""Incidents as plain data: which hazards and emergency phases exist, when an earthquake should
become a proposed incident (the operator confirms it), an incident's area, local time zone,
suggested name, the phase in force with its day count, and what makes a phase decree (SK)
valid: its number and the regional head who set it."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pandas as pd

from command_center.base.errors import FieldError
from command_center.base.labels import magnitude as magnitude_text
from command_center.base.labels import t
from command_center.base.times import ZONES, format_day
from command_center.services.exposure import mmi_roman
from command_center.services.validation import NAME


@dataclass(frozen=True)
class ProposalRules:
    """When a hazard event proposes an incident (settings `propose_*` override these)."""

    min_magnitude: float = 5.0
    max_depth_km: float = 70.0
    min_felt_mmi: int = 4
    min_mmi: float = 5.0  # a kecamatan is in an earthquake's area from this estimated MMI
    max_age_h: float | None = 24.0  # older when first seen: history (None: any age proposes)
    warning_min_share: float = 0.25  # share of a kecamatan a warning polygon must cover


def proposal_reason(
    magnitude: float | None,
    depth_km: float | None,
    on_land: bool,
    max_felt_mmi: int,
    tsunami_potential: bool,
    affected_kecamatan: int,
    rules: ProposalRules,
) -> str | None:
    """Why this earthquake deserves an incident, or None if it does not.

    Nothing qualifies without an area (`affected_kecamatan`, the kecamatan it shakes strongly,
    is felt in or whose coast it threatens, is 0). With an area, an event qualifies with
    tsunami potential, a felt report at or above `min_felt_mmi`, or a magnitude at or above
    `min_magnitude` that is on land or shallow (`max_depth_km`).
    """
    if not affected_kecamatan:
        return None
    if tsunami_potential:
        return "potensi tsunami"
    if max_felt_mmi >= rules.min_felt_mmi:
        return f"dirasakan {mmi_roman(max_felt_mmi)} MMI"
    if magnitude is not None and magnitude >= rules.min_magnitude:
        if on_land:
            return f"{magnitude_text(magnitude)} di darat"
        if depth_km is not None and depth_km <= rules.max_depth_km:
            return f"{magnitude_text(magnitude)} dangkal ({depth_km:.0f} km)"
    return None


# Hazard types as BNPB counts them (the codes are ours; labels.py has `hazard_<code>`).
HAZARDS = (
    "banjir",
    "banjir_bandang",
    "tanah_longsor",
    "cuaca_ekstrem",
    "gelombang_pasang",
    "gempa_bumi",
    "tsunami",
    "erupsi",
    "karhutla",
    "kekeringan",
    "kebakaran",
    "konflik_sosial",
    "lainnya",
)


def hazard_code(text: str) -> str:
    """A hazard as people type it: its code, or its name as `docs/incidents.md` and the labels spell
    it ("tanah longsor", "Kebakaran hutan dan lahan"); the text itself when it is neither."""
    typed = " ".join(text.replace("_", " ").replace("-", " ").lower().split())
    names = {code.replace("_", " "): code for code in HAZARDS}
    names |= {t(f"hazard_{code}", "id").lower(): code for code in HAZARDS}
    return names.get(typed, text)


# Emergency phases (status keadaan darurat), in the order they usually run.
PHASES = ("siaga_darurat", "tanggap_darurat", "transisi_darurat")
# The phases under which a lumbung sosial's stock may leave it: a decree setting one, recorded
# by anyone but an admin, counts only once a second person has confirmed it.
RELEASING_PHASES = ("siaga_darurat", "tanggap_darurat")

# Indonesia's three zones by province code (Permendagri; Kalimantan Barat and Tengah are WIB).
WITA_PROVINCES = frozenset({"51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"})
WIT_PROVINCES = frozenset({"81", "82", "91", "92", "93", "94", "95", "96"})


def zone_of(area_code: str | None) -> str:
    """WIB, WITA or WIT: the local zone of an area (by its province; WIB when unknown)."""
    province = (area_code or "")[:2]
    if province in WITA_PROVINCES:
        return "WITA"
    return "WIT" if province in WIT_PROVINCES else "WIB"


def common_area(kecamatan_codes: Iterable[str]) -> str | None:
    """The smallest area holding every kecamatan: their kabupaten, else their province, else
    None (several provinces: a national incident, for unscoped users only)."""
    codes = set(kecamatan_codes)
    for length in (5, 2):
        parents = {code[:length] for code in codes}
        if len(parents) == 1:
            return parents.pop()
    return None


def suggested_name(hazard_word: str, area_name: str, day: date) -> str:
    """`Banjir Kabupaten Bandung 2 Des 2026`: what an operator would call it."""
    return f"{hazard_word} {area_name} {format_day(day)}"


@dataclass(frozen=True)
class PhaseRecord:
    """One decree (SK) setting an emergency phase; a later one for the same phase extends it.
    It is confirmed once `confirmed_by` is set (at once when an admin recorded it)."""

    phase: str
    decree: str
    authority: str
    starts_on: date
    ends_on: date | None
    id: int | None = None
    recorded_by: str = ""
    confirmed_by: str | None = None

    @property
    def confirmed(self) -> bool:
        return self.confirmed_by is not None


MAX_DECREE = NAME  # nomor SK and who set it, as stored

DECREE_NUMBER = re.compile(
    r"""
    (?:(?:nomor|no)\.?\s*:?\s*)?                  # "Nomor:" or "No." may lead; it is dropped
    (?P<number>
        \d{1,4}(?:\.\d{1,4})*                     # classification code: 360, 188.45, 300.2.2
        (?:\s*/\s*[A-Z0-9][A-Z0-9.-]*)*?           # unit or series: BPBD, HK, 437.12
        \s*/\s*(?=[A-Z0-9])[A-Z.-]*\d[A-Z0-9.-]*   # the running number: 8717, Kep.626-BPBD
        (?:\s*/\s*[A-Z0-9][A-Z0-9.-]*)*
        \s*/\s*(?:19|20)\d{2}                     # the year
      | \d{1,4}(?:/[A-Z]+)?\s+tahun\s+(?:19|20)\d{2}  # a Keppres: 12 Tahun 2020, 84/P Tahun 2009
    )
    """,
    re.IGNORECASE | re.VERBOSE,
)
"""The number of a decree (SK) setting an emergency status, as regional heads number them
(tata naskah dinas: classification code / running number and unit / year), with or without a
leading "Nomor"/"No.":

- `360/8717/BPBD/2022`, also written `360 / 8717 / BPBD / 2022` (Bupati Cianjur, tanggap
  darurat gempa, November 2022);
- `360/Kep.626-BPBD/2025` and `362/Kep.1024-BPBD/2017` (Gubernur Jawa Barat, siaga darurat);
- `188.45/Kep.1203-BPBD/2024`, `Nomor: 300/45/BPBD/2026`, `No. 362/KEP.51-BPBD/2025`;
- `050/ 30 /HK/437.12/2026` (a Keputusan Bupati Gresik);
- `12 Tahun 2020` (Keputusan Presiden Nomor 12 Tahun 2020, bencana nasional).

Not a number: `-`, `x`, `123`, `belum ada`, `360/BPBD/2026` (no running number).
"""

HEAD_OF_REGION = re.compile(
    r"""
    (?:(?:pj|pjs|plt)\.?\s+)?                      # an acting head (penjabat, pelaksana tugas)
    (?:
        (?:(?P<bupati>bupati)(?:\s+(?:kabupaten|kab\.?))?
          | (?P<walikota>wali\s*kota)(?:\s+kota)?
          | (?P<gubernur>gubernur)(?:\s+(?:provinsi|prov\.?))?
        )\s+(?P<region>[A-Z][A-Z .'-]*[A-Z.])
      | (?P<presiden>presiden)(?:\s+(?:republik\s+indonesia|ri))?
    )
    """,
    re.IGNORECASE | re.VERBOSE,
)
"""Who may set an emergency status (UU 24/2007, PP 21/2008): the head of a region with its
name, `Bupati Cianjur`, `Wali Kota Bandung` (or `Walikota`), `Gubernur Jawa Barat`, or the
`Presiden`; an acting head (`Pj. Bupati Cianjur`, `Plt. Wali Kota Bogor`) as well. Matched
whole: `bukan bupati` or `Kepala BPBD` is not one."""

# Short forms of words in region names, as the store spells them out.
REGION_WORDS = {
    "kep": "kepulauan",
    "dki": "daerah khusus ibukota",
    "diy": "daerah istimewa yogyakarta",
    "di": "daerah istimewa",
}


@dataclass(frozen=True)
class Region:
    """The kabupaten/kota and province an area lies in, by the names the store holds them
    under (`Kabupaten Bandung` or `Kota Bandung`; `Jawa Barat`); None where it is in none."""

    kabupaten: str | None = None
    province: str | None = None

    def __str__(self) -> str:
        return ", ".join(n for n in (self.kabupaten, self.province) if n) or "Indonesia"


def _region_key(name: str) -> str:
    words = re.sub(r"[.'-]", " ", name.casefold()).split()
    return " ".join(REGION_WORDS.get(word, word) for word in words)


def heads(authority: str, region: Region) -> bool:
    """Whether `authority` heads `region`: the bupati of its kabupaten (`Bupati Bandung` heads
    Kabupaten Bandung, not Kota Bandung nor Kabupaten Bandung Barat), the wali kota of its kota,
    the gubernur of its province, or the President (who heads every region)."""
    found = HEAD_OF_REGION.fullmatch(" ".join(authority.split()))
    if found is None:
        return False
    if found["presiden"]:
        return True
    if found["gubernur"]:
        return region.province is not None and (
            _region_key(found["region"]) == _region_key(region.province)
        )
    title = "kabupaten" if found["bupati"] else "kota"
    return region.kabupaten is not None and (
        _region_key(f"{title} {found['region']}") == _region_key(region.kabupaten)
    )


def decree_number(text: str) -> str | None:
    """A decree's number as stored (`Nomor: 300 / 45 / BPBD / 2026` -> `300/45/BPBD/2026`), or
    None when `text` is not one (`DECREE_NUMBER`)."""
    found = DECREE_NUMBER.fullmatch(" ".join(text.split()))
    return re.sub(r"\s*/\s*", "/", found["number"]) if found else None


def phase_errors(
    phase: str, decree: str, starts_on: date, ends_on: date | None, authority: str = ""
) -> list:
    """What is wrong with a phase decree, field by field (empty: nothing). Whether the
    authority heads the incident's area is the store's to check (`heads`)."""
    errors = []
    if phase not in PHASES:
        params = {"value": phase, "phases": ", ".join(PHASES)}
        errors.append(FieldError("phase", "bad_phase", params))
    for field, text, pattern in (
        ("decree", decree, DECREE_NUMBER),
        ("authority", authority, HEAD_OF_REGION),
    ):
        if not text.strip():
            errors.append(FieldError(field, "missing"))
        elif len(text.strip()) > MAX_DECREE:  # before the pattern: it runs on short text only
            errors.append(FieldError(field, "too_long", {"max_length": MAX_DECREE}))
        elif not pattern.fullmatch(" ".join(text.split())):
            errors.append(FieldError(field, f"bad_{field}", {"value": text.strip()}))
    if ends_on is not None and ends_on < starts_on:
        errors.append(FieldError("ends_on", "end_before_start", {"value": ends_on}))
    return errors


def current_phase(phases: Sequence[PhaseRecord], today: date) -> PhaseRecord | None:
    """The phase in force on `today`: the latest decree that has started (None before any)."""
    started = [p for p in phases if p.starts_on <= today]
    return max(started, key=lambda p: p.starts_on, default=None)


def phase_day(phases: Sequence[PhaseRecord], today: date) -> tuple[PhaseRecord, int] | None:
    """The phase in force and its day number, counted from the first decree of that phase in
    the unbroken run that leads to today (extensions keep counting)."""
    now = current_phase(phases, today)
    if now is None:
        return None
    ordered = sorted((p for p in phases if p.starts_on <= today), key=lambda p: p.starts_on)
    first = now
    for earlier in reversed(ordered):
        if earlier.phase != now.phase:
            break
        first = earlier
    return now, (today - first.starts_on).days + 1


def local_day(moment: datetime, zone: str) -> date:
    """The calendar day of a UTC moment in the area's zone (WIB, WITA or WIT)."""
    return moment.astimezone(ZoneInfo(ZONES[zone])).date()


def phase_line(phases: Sequence[PhaseRecord], today: date, lang: str = "id") -> str | None:
    """`Hari ke-5 tanggap darurat, s.d. 5 Des`, marked `(belum dikonfirmasi)` while the decree
    in force waits for a second person (None before any phase decree)."""
    found = phase_day(phases, today)
    if found is None:
        return None
    phase, day = found
    words = t(f"phase_{phase.phase}", lang).lower()
    mark = "" if phase.confirmed else t("phase_unconfirmed", lang)
    if phase.ends_on is None:
        return t("phase_day", lang, day=day, phase=words, until="") + mark
    end = format_day(phase.ends_on, lang, year=False)
    if phase.ends_on < today:
        return t("phase_ended", lang, phase=words, date=end)
    until = t("phase_until", lang, date=end)
    return t("phase_day", lang, day=day, phase=words, until=until) + mark


@dataclass(frozen=True)
class IncidentFilters:
    """What an incidents list is narrowed to (empty or None: everything)."""

    statuses: tuple[str, ...] = ()
    phases: tuple[str, ...] = ()  # the phase in force; "none" for no decree yet
    hazards: tuple[str, ...] = ()
    area: str | None = None  # a province or kabupaten code
    exercise: bool | None = None
    since: date | None = None  # started on or after
    until: date | None = None  # started on or before


def filter_incidents(frame: pd.DataFrame, filters: IncidentFilters) -> pd.DataFrame:
    """The rows of an incident frame (`incident_store.incident_frame` plus `phase`) that pass
    `filters`. An incident is in an area when its own area lies inside it or holds it."""
    keep = pd.Series(True, index=frame.index)
    for column, wanted in (
        ("status", filters.statuses),
        ("phase", filters.phases),
        ("hazard", filters.hazards),
    ):
        if wanted:
            keep &= frame[column].isin(wanted)
    if filters.area:
        area = filters.area
        codes = frame["area_code"].fillna("")
        keep &= codes.map(
            lambda c: (
                c == area or c.startswith(area + ".") or area.startswith(c + ".") if c else False
            )
        )
    if filters.exercise is not None:
        keep &= frame["is_exercise"] == filters.exercise
    started = pd.to_datetime(frame["started_at"], utc=True).dt.date
    if filters.since:
        keep &= started >= filters.since
    if filters.until:
        keep &= started <= filters.until
    return frame[keep]
