"""Kecamatan impact reports as plain data: one report checked (`ReportInput.check`), the checks
against the previous version, which report counts per kecamatan, and the daily series.

Figures follow Perka BNPB 8/2011 (our names in `models.FIGURES`). A report is for one incident,
one kecamatan and one source; a newer version from the same source supersedes the older one,
and per kecamatan each figure comes from the most recent report (by report time) that gives it.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Annotated, Any, Literal

import pandas as pd
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from command_center.errors import FieldError, InvalidInput
from command_center.geography import Geography
from command_center.models import FIGURES
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
from command_center.tables import CELL
from command_center.times import WIB, as_utc, utcnow

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
DROP_SHARE = 0.5  # a figure falling to half or less of the previous version ...
DROP_MIN = 10  # ... by at least this many asks for confirmation
OTHER_COLUMNS = 300  # the most columns of a file, or answers of a form, kept beside our fields
CASUALTIES = ("deaths", "missing", "injured_severe", "injured_light", "injured_unspecified")

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


def parse_time(value: Any) -> Any:
    """A report time as typed: ISO, `22/11/2026 14:00`, a date alone; without a zone it is WIB."""
    value = blank_to_none(value)
    if isinstance(value, str):
        value = _parse_time_text(value.strip().replace(" WIB", ""))
    if isinstance(value, date) and not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day, 12)
    if isinstance(value, datetime):
        return as_utc(value if value.tzinfo else value.replace(tzinfo=WIB))
    return value


def parse_items(value: Any) -> Any:
    """Needs or aid as typed: `tenda: 20; selimut: 300` or `sembako: 100: 2026-11-21`. A text
    or list longer than a posko's whole list (`NOTE` characters, `ITEMS` entries) is refused
    before it is read."""
    value = blank_to_none(value)
    if value is None:
        return []
    if isinstance(value, str):
        value = _typed_items(value)
    if isinstance(value, list | tuple) and len(value) > ITEMS:
        raise PydanticCustomError("too_long", "too many", {"max_length": ITEMS})
    return value


def _typed_items(text: str) -> list[dict[str, Any]]:
    """The items of a list typed in one text, as dicts for `Item`."""
    if len(text) > NOTE:
        raise PydanticCustomError("too_long", "too long", {"max_length": NOTE})
    items = []
    for part in re.split(r"[;\n]", text):
        if not part.strip():
            continue
        pieces = [p.strip() for p in part.split(":")]
        if len(pieces) < 2 or not pieces[0]:
            raise PydanticCustomError("bad_items", "bad items", {"value": part.strip()})
        qty = re.sub(r"[.,\s]", "", pieces[1])
        if not qty.isdigit():
            raise PydanticCustomError("bad_items", "bad items", {"value": part.strip()})
        item = {"item": pieces[0], "qty": int(qty)}
        if len(pieces) > 2 and pieces[2]:
            item["date"] = pieces[2]
        items.append(item)
    return items


def area_code(value: Any, info: ValidationInfo) -> str:
    """The reported area's code: a kecamatan's, or a kabupaten's for a kabupaten-level report."""
    return known_code(value, info, info.data.get("area_level", "kecamatan"))


class Item(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, frozen=True)
    item: str = Field(min_length=1, max_length=WORDS)
    qty: int = Field(ge=0)
    date: str | None = Field(default=None, max_length=SHORT)


Items = Annotated[list[Item], BeforeValidator(parse_items)]


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
    """Figures that fell sharply since the previous version (they need a confirmation)."""
    if not previous:
        return []
    drops = []
    for field in FIGURES:
        old, new = previous.get(field), figures.get(field)
        if old is None or new is None or pd.isna(old):
            continue
        if new <= old * DROP_SHARE and old - new >= DROP_MIN:
            drops.append(FieldError(field, "sharp_drop", {"old": int(old), "value": new}))
    return drops


def newest_per_source(versions: pd.DataFrame) -> pd.DataFrame:
    """Each source's newest version per (incident, kecamatan): the one that supersedes."""
    keys = ["incident_id", "kecamatan_code", "source"]
    return versions.sort_values("version").groupby(keys).tail(1)


def _superseding(
    versions: pd.DataFrame, include_unverified: bool, as_of: datetime | None = None
) -> pd.DataFrame:
    """Each source's newest version that may count (verified unless `include_unverified`,
    never rejected, made by `as_of`), the most recent report first."""
    eligible = versions[versions["verification"].astype(str) != "rejected"]
    if not include_unverified:
        eligible = eligible[eligible["verification"].astype(str) == "verified"]
    if as_of is not None:
        eligible = eligible[eligible["report_time"] <= as_of]
    return newest_per_source(eligible).sort_values(["report_time", "version"], ascending=False)


def counted(
    versions: pd.DataFrame, include_unverified: bool = False, as_of: datetime | None = None
) -> pd.DataFrame:
    """The figures that count for each (incident, kecamatan), from all stored versions.

    Per source the newest version counts (verified ones only, unless `include_unverified`;
    rejected never). Across sources, each figure comes from the most recent report that gives
    it, so a partial report (say BPBD's dead and displaced only) does not blank the others;
    the other columns (source, report time, version...) are those of the most recent report.
    With `as_of`, only reports made by then are considered.
    """
    recent_first = _superseding(versions, include_unverified, as_of)
    return recent_first.groupby(["incident_id", "kecamatan_code"], sort=True).first().reset_index()


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
    """Where each headline figure of each kecamatan comes from, as `counted` takes it: one row
    per (incident, kecamatan, report figure) with the value, its headline `figure`, and the
    report (id, source, version, time) that gave it."""
    recent_first = _superseding(versions, include_unverified)
    keys = ["incident_id", "kecamatan_code", "kecamatan", "id", "source", "version", "report_time"]
    parts = [part for group in HEADLINE_PARTS.values() for part in group]
    long = recent_first.melt(id_vars=keys, value_vars=parts, var_name="part").dropna(
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
    """Incident totals at the end of each day (WIB) since the first report, with the change."""
    if versions.empty:
        return pd.DataFrame(columns=["day", *figures, *(f"{f}_change" for f in figures)])
    first = versions["report_time"].min().astimezone(WIB).date()
    last = now.astimezone(WIB).date()
    rows = []
    for n in range((last - first).days + 1):
        day = first + timedelta(days=n)
        end = datetime.combine(day + timedelta(days=1), datetime.min.time(), WIB)
        state = counted(versions, include_unverified, as_of=min(end, now))
        rows.append({"day": day, **{f: int(state[f].fillna(0).sum()) for f in figures}})
    series = pd.DataFrame(rows)
    for f in figures:
        series[f"{f}_change"] = series[f].diff().fillna(series[f]).astype(int)
    return series
