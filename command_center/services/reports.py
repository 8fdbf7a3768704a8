"""Kecamatan impact reports as plain data: one report checked (`ReportInput.check`), the checks
against what it replaces (`Reported`), which figures count per kecamatan, and the daily series.

Figures follow Perka BNPB 8/2011 (our names in `models.FIGURES`). A report is for one incident,
one kecamatan and one source. Report time decides, not arrival order: per kecamatan each figure
comes from the most recent report (by report time, of any source) that gives it, so a report
that arrives late with an older time is history, and a figure a later report leaves blank is
not lost (a 0 is a figure). Version numbers only count arrivals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

import pandas as pd
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from command_center.base.errors import FieldError, InvalidInput
from command_center.base.geography import Geography
from command_center.base.models import FIGURES
from command_center.base.tables import CELL
from command_center.base.times import WIB, ZONES, as_utc, utcnow
from command_center.services.incidents import zone_of
from command_center.services.logistics import UNIT_WORDS, need_line
from command_center.services.numbers import numbers_in
from command_center.services.validation import (
    ITEMS,
    LINE,
    NAME,
    NOTE,
    SHORT,
    WORDS,
    Count,
    Text,
    blank_to_none,
    field_errors,
    known_code,
    longest,
    one_of,
)

PILAR_SOSIAL = ("tksk", "tagana", "psm", "karang_taruna", "slrt", "pkh")
"""The pilar sosial who report from the kecamatan (field reporters' roles)."""
SOURCES = (*PILAR_SOSIAL, "dinsos", "bpbd", "other")
SOURCE_WORDS = {
    "lainnya": "other",
    "lain": "other",
    "pilar sosial": "other",
    "karang taruna": "karang_taruna",
    "pendamping pkh": "pkh",
    **{s: s for s in SOURCES},
}
AREA_LEVELS = ("kecamatan", "kabupaten")
CLOCK_SKEW = timedelta(minutes=10)
DROP_SHARE = 0.5  # a figure falling to half or less of the one it replaces ...
DROP_MIN = 10  # ... by at least this many asks for confirmation
OTHER_COLUMNS = 300  # the most columns of a file, or answers of a form, kept beside our fields
CASUALTIES = ("deaths", "missing", "injured_severe", "injured_light", "injured_unspecified")
AREA = ["incident_id", "kecamatan_code"]  # what a counted row is for
FROM_SOURCE = [*AREA, "source"]  # whose versions follow one another
LATEST = ["report_time", "id"]  # the latest report by its own time; a tie: the later stored

REPORT_HEADERS: dict[str, tuple[str, ...]] = {
    "kecamatan_code": ("kode_kecamatan", "kode_kec", "kode_wilayah", "kecamatan_code", "kode"),
    "report_time": ("waktu_laporan", "waktu", "tanggal_laporan", "tanggal", "report_time"),
    "reporter": ("pelapor", "nama_pelapor", "reporter", "dilaporkan_oleh"),
    "source": ("sumber", "sumber_data", "source", "instansi"),
    "deaths": ("meninggal", "meninggal_dunia", "korban_meninggal", "deaths", "md"),
    "missing": ("hilang", "korban_hilang", "missing"),
    "injured_severe": ("luka_berat", "injured_severe"),
    "injured_light": ("luka_ringan", "injured_light"),
    "injured_unspecified": ("terluka", "luka_luka", "luka", "injured"),
    "displaced": ("mengungsi", "mengungsi_jiwa", "pengungsi", "pengungsi_jiwa", "displaced"),
    "shelters": ("titik_pengungsian", "jumlah_pengungsian", "pengungsian", "shelters"),
    "affected_families": ("kk_terdampak", "terdampak_kk", "affected_families"),
    "affected_people": ("jiwa_terdampak", "terdampak_jiwa", "affected_people"),
    "houses_heavy": ("rumah_rusak_berat", "rusak_berat", "rb", "houses_heavy"),
    "houses_moderate": ("rumah_rusak_sedang", "rusak_sedang", "rs", "houses_moderate"),
    "houses_light": ("rumah_rusak_ringan", "rusak_ringan", "rr", "houses_light"),
    "houses_flooded": ("rumah_terendam", "terendam", "houses_flooded"),
    "schools_damaged": ("sekolah_rusak", "pendidikan_rusak", "schools_damaged"),
    "worship_damaged": ("rumah_ibadah_rusak", "tempat_ibadah_rusak", "peribadatan_rusak"),
    "health_damaged": ("faskes_rusak", "kesehatan_rusak", "health_damaged"),
    "offices_damaged": ("kantor_rusak", "offices_damaged"),
    "bridges_damaged": ("jembatan_rusak", "bridges_damaged"),
    "needs": ("kebutuhan", "kebutuhan_mendesak", "needs"),
    "aid_delivered": ("bantuan", "bantuan_tersalurkan", "bantuan_diterima", "aid_delivered"),
    "notes": ("catatan", "keterangan", "notes"),
}
TIME_FORMATS = (
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d-%m-%Y %H:%M",
    "%d/%m/%Y",
    "%d-%m-%Y",
    "%Y-%m-%d",
)


ZONE_WORD = re.compile(r"\s+(WIB|WITA|WIT)$", re.IGNORECASE)


@lru_cache(maxsize=4096)
def _parse_time_text(text: str) -> datetime:
    """One typed time (files repeat a few times many times over, hence the cache)."""
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        for fmt in TIME_FORMATS:
            try:
                return datetime.strptime(text, fmt)
            except ValueError:
                continue
    raise PydanticCustomError("bad_time", "bad time", {"value": text})


def parse_time(value: Any, info: ValidationInfo) -> Any:
    """A report time as typed: ISO, `22/11/2026 14:00`, a date alone. Without an offset it is
    in the zone it names (`14:30 WITA`), else the area's own (WIB, WITA or WIT), as a person
    there reads their clock."""
    value = blank_to_none(value)
    zone = zone_of(info.data.get("kecamatan_code"))
    if isinstance(value, str):
        text = value.strip()
        named = ZONE_WORD.search(text)
        if named:
            zone, text = named.group(1).upper(), text[: named.start()]
        value = _parse_time_text(text)
    if isinstance(value, date) and not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day, 12)
    if isinstance(value, datetime):
        return as_utc(value if value.tzinfo else value.replace(tzinfo=ZoneInfo(ZONES[zone])))
    return value


def parse_items(value: Any) -> Any:
    """Needs or aid as typed: `tenda: 20; air mineral: 500 dus` or `sembako: 100: 2026-11-21`.
    A text or list longer than a posko's whole list (`NOTE` characters, `ITEMS` entries) is
    refused before it is read."""
    value = blank_to_none(value)
    if value is None:
        return []
    if isinstance(value, str):
        value = _typed_items(value)
    if isinstance(value, list | tuple) and len(value) > ITEMS:
        raise PydanticCustomError("too_long", "too many", {"max_length": ITEMS})
    return value


def _typed_items(text: str) -> list[dict[str, Any]]:
    """The items of a list typed in one text, as dicts for `Item`: `item: quantity [unit]`,
    the unit one of `logistics.UNIT_WORDS`, then an optional `: date`."""
    if len(text) > NOTE:
        raise PydanticCustomError("too_long", "too long", {"max_length": NOTE})
    items = []
    for part in re.split(r"[;\n]", text):
        if not part.strip():
            continue
        pieces = [p.strip() for p in part.split(":")]
        found = numbers_in(pieces[1]) if len(pieces) > 1 else []
        amount = found[0] if found and found[0].start == 0 else None
        unit = pieces[1][amount.end :].strip() if amount else ""
        if amount is None or amount.value is None or not pieces[0] or " " in unit:
            raise PydanticCustomError("bad_items", "bad items", {"value": part.strip()})
        if unit and unit.casefold().rstrip(".") not in UNIT_WORDS:
            units = ", ".join(sorted(set(UNIT_WORDS.values())))
            raise PydanticCustomError("bad_unit", "bad unit", {"value": unit, "units": units})
        item = {"item": pieces[0], "qty": amount.value, "unit": unit or None}
        if len(pieces) > 2 and pieces[2]:
            item["date"] = pieces[2]
        items.append(item)
    return items


def area_code(value: Any, info: ValidationInfo) -> str:
    """The reported area's code: a kecamatan's, or a kabupaten's for a kabupaten-level report."""
    return known_code(value, info, info.data.get("area_level", "kecamatan"))


class Item(BaseModel):
    """A need or aid line as stored: its item, quantity and unit in the catalogue's words (a
    stored line without a unit is in the item's own unit)."""

    model_config = ConfigDict(str_strip_whitespace=True, frozen=True)
    item: str = Field(min_length=1, max_length=WORDS)
    qty: int = Field(ge=0)
    unit: str | None = Field(default=None, max_length=SHORT)
    date: str | None = Field(default=None, max_length=SHORT)


def in_catalogue(items: list[Item]) -> list[Item]:
    """Each line read into the logistics catalogue's words and units (`need_line`), whatever
    channel it came through."""
    lines = ((item, need_line(item.item, item.qty, item.unit)) for item in items)
    return [
        Item(item=line.item, qty=line.qty or 0, unit=line.unit or None, date=item.date)
        for item, line in lines
    ]


Items = Annotated[list[Item], BeforeValidator(parse_items), AfterValidator(in_catalogue)]


class ReportInput(BaseModel):
    """One kecamatan impact report as entered or imported."""

    model_config = ConfigDict(str_strip_whitespace=True, frozen=True)

    incident_id: int
    area_level: Literal["kecamatan", "kabupaten"] = "kecamatan"
    kecamatan_code: Annotated[str, BeforeValidator(area_code)]  # a kabupaten's, at that level
    report_time: Annotated[datetime, BeforeValidator(parse_time)]
    reporter: str = Field(min_length=1, max_length=NAME)
    source: str
    deaths: Count = None
    missing: Count = None
    injured_severe: Count = None
    injured_light: Count = None
    displaced: Count = None
    shelters: Count = None
    affected_families: Count = None
    affected_people: Count = None
    houses_heavy: Count = None
    houses_moderate: Count = None
    houses_light: Count = None
    houses_flooded: Count = None
    schools_damaged: Count = None
    worship_damaged: Count = None
    health_damaged: Count = None
    offices_damaged: Count = None
    bridges_damaged: Count = None
    injured_unspecified: Count = None
    needs: Items = Field(default_factory=list)
    aid_delivered: Items = Field(default_factory=list)
    notes: Annotated[Text, longest(NOTE)] = None
    # a file's columns (a form's answers) that are none of the above: header -> cell as given
    other_columns: dict[
        Annotated[str, Field(max_length=LINE)], Annotated[str, Field(max_length=CELL)]
    ] = Field(default_factory=dict, max_length=OTHER_COLUMNS)

    @field_validator("source", mode="before")
    @classmethod
    def _source(cls, value: Any) -> str:
        return one_of(value, SOURCE_WORDS, "bad_source", sources=", ".join(SOURCES))

    @field_validator("report_time")
    @classmethod
    def _not_in_future(cls, value: datetime, info: ValidationInfo) -> datetime:
        now = (info.context or {}).get("now") or utcnow()
        if value > now + CLOCK_SKEW:
            raise PydanticCustomError("in_future", "in the future", {"value": value.isoformat()})
        return value

    def figures(self) -> dict[str, int | None]:
        return {f: getattr(self, f) for f in FIGURES}

    @classmethod
    def check(
        cls, values: dict[str, Any], geography: Geography | None, now: datetime | None = None
    ) -> ReportInput:
        """Validate one report, including the plausibility rules.

        Raises:
            InvalidInput: one FieldError per problem, naming the field.
        """
        try:
            report = cls.model_validate(values, context={"geography": geography, "now": now})
        except ValidationError as exc:
            raise InvalidInput(field_errors(exc)) from exc
        errors = implausible(report.figures())
        if errors:
            raise InvalidInput(errors)
        return report


def implausible(figures: dict[str, int | None]) -> list[FieldError]:
    """Figures that cannot all be true: more casualties or displaced than people affected."""
    affected = figures.get("affected_people")
    if affected is None:
        return []
    errors = []
    casualties = [figures[f] for f in CASUALTIES if figures.get(f) is not None]
    if casualties and sum(casualties) > affected:
        errors.append(
            FieldError(
                "affected_people",
                "casualties_exceed",
                {"casualties": sum(casualties), "value": affected},
            )
        )
    displaced = figures.get("displaced")
    if displaced is not None and displaced > affected:
        errors.append(
            FieldError("displaced", "exceeds_affected", {"value": displaced, "affected": affected})
        )
    return errors


def sharp_drops(
    previous: dict[str, Any] | None, figures: dict[str, int | None]
) -> list[FieldError]:
    """Figures that fell sharply from what they replace (`Reported.replaced`): they need a
    confirmation."""
    if not previous:
        return []
    drops = []
    for name in FIGURES:
        old, new = previous.get(name), figures.get(name)
        if old is None or new is None or pd.isna(old):
            continue
        if new <= old * DROP_SHARE and old - new >= DROP_MIN:
            drops.append(FieldError(name, "sharp_drop", {"old": int(old), "value": new}))
    return drops


@dataclass(frozen=True)
class Reported:
    """What one source has reported of one kecamatan so far, built by `add`ing its stored
    versions in the order they were stored: the last version number, the report time of its
    current version (its latest by report time; a rejected one never is), and per figure the
    latest report time that gives it, with the value."""

    version: int = 0
    current: datetime | None = None
    figures: dict[str, tuple[datetime, int]] = field(default_factory=dict)

    def add(
        self,
        version: int,
        report_time: datetime,
        figures: dict[str, Any],
        rejected: bool = False,
    ) -> Reported:
        """With one more version, stored after the others (so it wins a tie in time)."""
        if rejected:
            return replace(self, version=max(self.version, version))
        latest = dict(self.figures)
        for name, value in figures.items():
            if pd.isna(value):  # a blank gives nothing; a 0 is a figure
                continue
            if name not in latest or latest[name][0] <= report_time:
                latest[name] = (report_time, int(value))
        current = report_time if self.current is None else max(self.current, report_time)
        return Reported(max(self.version, version), current, latest)

    def older_than(self, report_time: datetime) -> datetime | None:
        """The current version's report time if a report made at `report_time` is older: it
        is then history."""
        if self.current is not None and report_time < self.current:
            return self.current
        return None

    def replaced(self, report_time: datetime) -> dict[str, int]:
        """The figures a report made at `report_time` would replace: those whose latest value
        is no newer (a figure given later stays as it is)."""
        return {name: value for name, (at, value) in self.figures.items() if at <= report_time}


def newest_per_source(versions: pd.DataFrame) -> pd.DataFrame:
    """Each source's current version per (incident, kecamatan): its latest by report time,
    whatever the order the versions arrived in."""
    return versions.sort_values(LATEST).groupby(FROM_SOURCE).tail(1)


def _recent_first(
    versions: pd.DataFrame, include_unverified: bool, as_of: datetime | None = None
) -> pd.DataFrame:
    """The versions that may count (verified unless `include_unverified`, never rejected, made
    by `as_of`), the most recent report first."""
    eligible = versions[versions["verification"].astype(str) != "rejected"]
    if not include_unverified:
        eligible = eligible[eligible["verification"].astype(str) == "verified"]
    if as_of is not None:
        eligible = eligible[eligible["report_time"] <= as_of]
    return eligible.sort_values(LATEST, ascending=False)


def _latest_given(recent_first: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """One row per `keys`: each figure from the most recent report that gives it (a blank
    gives nothing, a 0 does), every other column from the most recent report."""
    figures = [name for name in FIGURES if name in recent_first]
    rows = recent_first.drop_duplicates(keys).set_index(keys)
    rows[figures] = recent_first.groupby(keys)[figures].first()
    return rows.sort_index().reset_index()


def counted(
    versions: pd.DataFrame, include_unverified: bool = False, as_of: datetime | None = None
) -> pd.DataFrame:
    """The figures that count for each (incident, kecamatan), from all stored versions.

    Only verified versions count (unless `include_unverified`; rejected never). Each figure
    comes from the most recent report (by report time, of any source and version) that gives
    it, so neither a partial report (say BPBD's dead and displaced only) nor a late-arriving
    older one blanks the others; the other columns (source, report time, version, needs...)
    are those of the most recent report. With `as_of`, only reports made by then count.
    """
    return _latest_given(_recent_first(versions, include_unverified, as_of), AREA)


def per_source(versions: pd.DataFrame) -> pd.DataFrame:
    """What each source says of each (incident, kecamatan) now, verified or not (never
    rejected): each figure from its most recent report that gives it, as `counted` takes it."""
    return _latest_given(_recent_first(versions, include_unverified=True), FROM_SOURCE)


def awaiting_verification(versions: pd.DataFrame) -> pd.DataFrame:
    """The unverified versions a verification could make count: each source's current one,
    and an older one (`history`) that gives a figure no later version of its source gives
    (rejected ones aside). An older one whose figures are all given later is superseded."""
    live = versions[versions["verification"].astype(str) != "rejected"]
    live = live.sort_values(LATEST, ascending=False)
    gives = live[[name for name in FIGURES if name in live]].notna().astype(int)
    given_later = gives.groupby([live[k] for k in FROM_SOURCE]).cumsum() - gives > 0
    current = ~live.duplicated(FROM_SOURCE)
    needed = current | ((gives > 0) & ~given_later).any(axis=1)
    waiting = needed & (live["verification"].astype(str) == "unverified")
    return live[waiting].assign(history=~current[waiting])


HEADLINE_PARTS = {  # a headline figure and the report figures it adds up
    "deaths": ("deaths",),
    "missing": ("missing",),
    "injured": ("injured_severe", "injured_light", "injured_unspecified"),
    "displaced": ("displaced",),
    "houses_damaged": ("houses_heavy", "houses_moderate", "houses_light"),
}


def headline_totals(rows: pd.DataFrame) -> dict[str, int]:
    """The headline figures of counted rows (`counted`), summed."""
    return {
        figure: int(sum(rows[c].fillna(0).sum() for c in parts)) if len(rows) else 0
        for figure, parts in HEADLINE_PARTS.items()
    }


def provenance(versions: pd.DataFrame, include_unverified: bool = False) -> pd.DataFrame:
    """Where each figure of each kecamatan comes from, as `counted` takes it: one row per
    (incident, kecamatan, report figure `part`) with the value, the headline `figure` it adds
    to (none for the others), and the report (id, source, version, time) that gave it."""
    recent_first = _recent_first(versions, include_unverified)
    keys = ["incident_id", "kecamatan_code", "kecamatan", "id", "source", "version", "report_time"]
    long = recent_first.melt(id_vars=keys, value_vars=list(FIGURES), var_name="part").dropna(
        subset=["value"]
    )
    first = long.groupby(["incident_id", "kecamatan_code", "part"], sort=False).head(1)
    figure_of = {part: figure for figure, group in HEADLINE_PARTS.items() for part in group}
    return first.assign(figure=first["part"].map(figure_of), value=first["value"].astype(int))


def lowered_by(versions: pd.DataFrame, report_id: int, status: str) -> dict[str, tuple[int, int]]:
    """The verified headline figures of the report's incident that giving report `report_id`
    the verification `status` would lower: figure -> (now, after)."""
    incident = versions.loc[versions["id"] == report_id, "incident_id"]
    if incident.empty:
        return {}
    mine = versions[versions["incident_id"] == incident.iloc[0]]
    changed = mine.assign(verification=mine["verification"].where(mine["id"] != report_id, status))
    now, after = headline_totals(counted(mine)), headline_totals(counted(changed))
    return {f: (now[f], after[f]) for f in HEADLINE_PARTS if after[f] < now[f]}


def with_kabupaten_level(
    rows: pd.DataFrame, kabupaten_versions: pd.DataFrame, include_unverified: bool = False
) -> pd.DataFrame:
    """`rows` (the counted kecamatan reports) and, for each (incident, kabupaten) with a
    kabupaten-level report, a row of what that report gives beyond the kecamatan reports of
    the kabupaten: per figure, the counted kabupaten figure less their sum, never below zero
    ("not yet broken down by kecamatan"). So a kabupaten total and its kecamatan reports are
    never counted twice, whichever came first and from whichever source."""
    whole = counted(kabupaten_versions, include_unverified)
    if whole.empty:
        return rows
    figures = [f for f in FIGURES if f in whole and f in rows]
    held = (
        rows.assign(kabupaten_code=rows["kecamatan_code"].str[:5])
        .groupby(["incident_id", "kabupaten_code"])[figures]
        .sum(min_count=1)
        .reindex(pd.MultiIndex.from_frame(whole[["incident_id", "kecamatan_code"]]))
        .fillna(0)
        .to_numpy()
    )
    remainder = (whole[figures].astype(float) - held).clip(lower=0)
    whole[figures] = remainder.where(whole[figures].notna())
    return pd.concat([rows, whole], ignore_index=True)


def daily_totals(
    versions: pd.DataFrame, figures: list[str], include_unverified: bool, now: datetime
) -> pd.DataFrame:
    """Incident totals at the end of each day (WIB) since the first report, with the change;
    a headline figure (`HEADLINE_PARTS`) adds up its counted parts."""
    if versions.empty:
        return pd.DataFrame(columns=["day", *figures, *(f"{f}_change" for f in figures)])
    first = versions["report_time"].min().astimezone(WIB).date()
    last = now.astimezone(WIB).date()
    rows = []
    for n in range((last - first).days + 1):
        day = first + timedelta(days=n)
        end = datetime.combine(day + timedelta(days=1), datetime.min.time(), WIB)
        state = counted(versions, include_unverified, as_of=min(end, now))
        totals = {
            f: state[list(HEADLINE_PARTS.get(f, (f,)))].fillna(0).sum().sum() for f in figures
        }
        rows.append({"day": day, **{f: int(total) for f, total in totals.items()}})
    series = pd.DataFrame(rows)
    for f in figures:
        series[f"{f}_change"] = series[f].diff().fillna(series[f]).astype(int)
    return series
