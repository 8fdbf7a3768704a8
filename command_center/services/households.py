"""Affected households: NIK and KK checks, the household form and import row, the Kemensos
assistance programmes and who is eligible, the social-registry proposal format, and how the
household counts compare with the kecamatan reports. Plain data in, plain data out.

NIK (16 digits): province, kabupaten, kecamatan of registration (6), birth date DDMMYY with 40
added to the day for women, a 4-digit serial. Nomor KK: the same area prefix, the issue date
DDMMYY, a serial (Dukcapil; see `../shared/guides/DOMAIN.md`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

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
from command_center.base.times import today_in
from command_center.services.validation import (
    PYDANTIC_CODES,
    KecamatanCode,
    Text,
    blank_to_none,
    longest,
    one_of,
)

SEX_WORDS = {
    **dict.fromkeys(("l", "lk", "laki-laki", "laki laki", "pria", "m", "male"), "L"),
    **dict.fromkeys(("p", "pr", "perempuan", "wanita", "w", "f", "female"), "P"),
}
RELATIONS = (
    "kepala_keluarga",
    "suami",
    "istri",
    "anak",
    "menantu",
    "cucu",
    "orang_tua",
    "mertua",
    "famili_lain",
    "lainnya",
)
RELATION_WORDS = {
    **{r.replace("_", " "): r for r in RELATIONS},
    **{r: r for r in RELATIONS},
    "kk": "kepala_keluarga",
    "kepala": "kepala_keluarga",
    "head": "kepala_keluarga",
    "head of household": "kepala_keluarga",
    "wife": "istri",
    "husband": "suami",
    "child": "anak",
    "anak kandung": "anak",
    "anak angkat": "anak",
    "ayah": "orang_tua",
    "ibu": "orang_tua",
    "parent": "orang_tua",
    "famili": "famili_lain",
    "other": "lainnya",
}
DAMAGE = ("berat", "sedang", "ringan", "terendam", "tidak")
DAMAGE_WORDS = {
    **{d: d for d in DAMAGE},
    "rusak berat": "berat",
    "rb": "berat",
    "rusak sedang": "sedang",
    "rs": "sedang",
    "rusak ringan": "ringan",
    "rr": "ringan",
    "tidak rusak": "tidak",
    "aman": "tidak",
    "none": "tidak",
    "heavy": "berat",
    "moderate": "sedang",
    "light": "ringan",
    "flooded": "terendam",
}
CASUALTIES = ("meninggal", "hilang", "luka_berat")
CASUALTY_WORDS = {
    "meninggal": "meninggal",
    "meninggal dunia": "meninggal",
    "md": "meninggal",
    "dead": "meninggal",
    "hilang": "hilang",
    "h": "hilang",
    "missing": "hilang",
    "luka berat": "luka_berat",
    "luka_berat": "luka_berat",
    "lb": "luka_berat",
    "injured": "luka_berat",
    "selamat": "",
    "tidak": "",
    "-": "",
}
YES_WORDS = {"ya", "y", "yes", "1", "true", "benar", "iya", "v", "x", "✓"}
TODDLER_YEARS, ELDERLY_YEARS = 5, 60
MAX_MEMBERS = 30  # people on one KK: large families reach 15; a longer list is a mistake
FLOAT_TEXT = re.compile(r"\d(\.\d+)?[eE]\+?\d+")  # Excel's 3.2E+15 for a 16-digit number
SEPARATORS = re.compile(r"[\s.\-']")
DAY_FIRST = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")


@functools.cache
def _codes(geography: Any) -> frozenset[str]:
    """Every kabupaten and kecamatan code of `geography` (one set: checks run per person)."""
    return frozenset(geography.layer("kabupaten").index) | frozenset(
        geography.layer("kecamatan").index
    )


MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _date_in(day: int, month: int, yy: int) -> bool:
    """Whether DD MM YY is a real date in 19yy or 20yy (29 February when either is a leap
    year: 20yy is one whenever yy is a multiple of 4)."""
    if not 1 <= month <= 12:
        return False
    return 1 <= day <= MONTH_DAYS[month - 1] + (month == 2 and yy % 4 == 0)


def number_problem(number: str, kind: str, info: ValidationInfo) -> str:
    """A 16-digit NIK or KK number, its region real; else the error (`<kind>_format`,
    `<kind>_region`, `<kind>_date`)."""
    geography = (info.context or {}).get("geography")
    problem = _problem(number, kind, _codes(geography) if geography is not None else None)
    if problem is not None:
        code, value = problem
        raise PydanticCustomError(f"{kind}_{code}", "bad number", {"value": value})
    return number


@functools.lru_cache(maxsize=65_536)  # a family's KK comes once per person
def _problem(number: str, kind: str, codes: frozenset[str] | None) -> tuple[str, Any] | None:
    if len(number) != 16 or not (number.isascii() and number.isdigit()):
        return "format", len(number)
    kecamatan = f"{number[:2]}.{number[2:4]}.{number[4:6]}"
    if codes is not None and (kecamatan[:5] not in codes or kecamatan not in codes):
        return "region", kecamatan
    day, month, yy = int(number[6:8]), int(number[8:10]), int(number[10:12])
    if kind == "nik" and day > 40:
        day -= 40
    if not _date_in(day, month, yy) or number[12:] == "0000":
        return "date", number[6:12]
    return None


def nik_matches(nik: str, sex: str | None, born: date | None) -> str | None:
    """Why a NIK does not fit its holder (`nik_sex`, `nik_birth_date`), or None."""
    day, month, yy = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    female = day > 40
    if sex is not None and female != (sex == "P"):
        return "nik_sex"
    if born is not None and (day - 40 * female, month, yy) != (
        born.day,
        born.month,
        born.year % 100,
    ):
        return "nik_birth_date"
    return None


def _digits(value: Any) -> Any:
    """An identity number as typed: spaces, dots and dashes dropped; Excel's `3.2E+15` refused."""
    value = blank_to_none(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        if value.isdigit():
            return value
        if FLOAT_TEXT.fullmatch(value.strip()):
            raise PydanticCustomError("number_as_float", "spreadsheet turned it into a number", {})
        return SEPARATORS.sub("", value)
    return value


def parse_day(value: Any) -> Any:
    """A date as typed: `2026-12-03`, `03/12/2026`, `3-12-2026`, Excel's `2026-12-03T00:00:00`."""
    value = blank_to_none(value)
    if isinstance(value, str):
        found = DAY_FIRST.fullmatch(value.strip())
        if found:
            return f"{found[3]}-{int(found[2]):02d}-{int(found[1]):02d}"
        return value.strip()[:10]
    return value


def parse_flag(value: Any) -> bool:
    return str(blank_to_none(value) or "").strip().casefold() in YES_WORDS


def _damage(value: Any) -> str | None:
    """A house's damage in words (`Rusak Berat`, `RB`, `heavy`); blank: not given."""
    if blank_to_none(value) is None:
        return None
    return one_of(value, DAMAGE_WORDS, "bad_damage", choices=", ".join(DAMAGE))


def _kk(value: str, info: ValidationInfo) -> str:
    return number_problem(value, "kk", info)


Identity = Annotated[str, BeforeValidator(_digits)]
KK = Annotated[str, BeforeValidator(_digits), AfterValidator(_kk)]
Damage = Annotated[str | None, BeforeValidator(_damage)]
Day = Annotated[date, BeforeValidator(parse_day)]
Flag = Annotated[bool, BeforeValidator(parse_flag)]


def _errors(exc: ValidationError) -> list[FieldError]:
    """FieldErrors named by their full place: `members[1].nik`."""
    errors = []
    for error in exc.errors():
        parts = [str(p) for p in error["loc"]]
        name = "".join(f"[{p}]" if p.isdigit() else f".{p}" for p in parts).lstrip(".") or "-"
        params = {k: v for k, v in (error.get("ctx") or {}).items() if k != "error"}
        if "value" not in params and error.get("input") is not None:
            params["value"] = str(error["input"])[:80]
        kind = error["type"]
        code = "bad_date" if kind.startswith("date_") else PYDANTIC_CODES.get(kind, kind)
        errors.append(FieldError(name, code, params))
    return errors


class _Input(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, frozen=True)

    @classmethod
    def check(cls, values: Mapping[str, Any], geography: Any = None) -> Any:
        """Validate `values` (areas and identity numbers against `geography` when given).

        Raises:
            InvalidInput: one FieldError per bad field, named by its place.
        """
        try:
            return cls.model_validate(dict(values), context={"geography": geography})
        except ValidationError as exc:
            raise InvalidInput(_errors(exc)) from exc


class MemberInput(_Input):
    """One person of a household. Fields are checked in this order: the NIK last, against
    the sex and birth date given before it."""

    name: str = Field(min_length=1, max_length=120)
    sex: str
    birth_date: Day
    relation: str
    nik: Identity
    casualty: str | None = None
    pregnant: Flag = False
    disabled: Flag = False

    @field_validator("sex", mode="before")
    @classmethod
    def _sex(cls, value: Any) -> str:
        return one_of(value, SEX_WORDS, "bad_sex")

    @field_validator("relation", mode="before")
    @classmethod
    def _relation(cls, value: Any) -> str:
        return one_of(value, RELATION_WORDS, "bad_relation", choices=", ".join(RELATIONS))

    @field_validator("casualty", mode="before")
    @classmethod
    def _casualty(cls, value: Any) -> str | None:
        if blank_to_none(value) is None:
            return None
        return one_of(value, CASUALTY_WORDS, "bad_casualty", choices=", ".join(CASUALTIES)) or None

    @field_validator("birth_date")
    @classmethod
    def _born(cls, value: date) -> date:
        if not date(1900, 1, 1) <= value <= today_in("WIT"):  # born today anywhere in Indonesia
            raise PydanticCustomError("bad_birth_date", "impossible", {"value": value})
        return value

    @field_validator("nik")
    @classmethod
    def _nik(cls, value: str, info: ValidationInfo) -> str:
        number_problem(value, "nik", info)
        problem = nik_matches(value, info.data.get("sex"), info.data.get("birth_date"))
        if problem:
            raise PydanticCustomError(problem, "does not fit", {"value": value[6:12]})
        return value


class HouseholdInput(_Input):
    """A family (one KK) as the form or an import gives it."""

    kk: KK
    kecamatan_code: KecamatanCode
    desa: str = Field(min_length=1, max_length=120)
    address: Annotated[Text, longest(200)] = None
    damage: Damage = "tidak"
    displaced: Flag = False
    shelter_id: int | None = None
    payout: Annotated[Text, longest(120)] = None  # bank account or collection point
    members: list[MemberInput] = Field(min_length=1, max_length=MAX_MEMBERS)

    @classmethod
    def check(cls, values: Mapping[str, Any], geography: Any = None) -> HouseholdInput:
        entry = super().check(values, geography)
        errors, seen = [], {}
        for i, member in enumerate(entry.members):
            if member.nik in seen:
                errors.append(
                    FieldError(f"members[{i}].nik", "nik_twice", {"row": seen[member.nik] + 1})
                )
            seen.setdefault(member.nik, i)
        heads = sum(m.relation == "kepala_keluarga" for m in entry.members)
        if heads != 1:
            errors.append(FieldError("members", "one_head", {"value": heads}))
        if errors:
            raise InvalidInput(errors)
        return entry

    @property
    def head(self) -> MemberInput:
        return next(m for m in self.members if m.relation == "kepala_keluarga")


IMPORT_HEADERS = {
    "kk": ("no_kk", "nomor_kk", "nomor_kartu_keluarga", "kk", "no_kartu_keluarga", "family_card"),
    "nik": ("nik", "no_nik", "nomor_nik", "nomor_induk_kependudukan", "no_ktp"),
    "name": ("nama", "nama_lengkap", "nama_anggota", "name", "full_name"),
    "sex": ("jenis_kelamin", "jk", "l_p", "sex", "gender", "kelamin"),
    "birth_date": ("tanggal_lahir", "tgl_lahir", "tgl_lhr", "birth_date", "date_of_birth"),
    "relation": ("hubungan", "hubungan_keluarga", "shdk", "status_hubungan", "relation"),
    "kecamatan_code": ("kode_kecamatan", "kode_kec", "kecamatan_code", "kd_kec"),
    "desa": ("desa", "kelurahan", "desa_kelurahan", "village", "nama_desa"),
    "address": ("alamat", "address", "alamat_lengkap"),
    "damage": ("kerusakan_rumah", "kondisi_rumah", "rumah", "house_damage", "kerusakan"),
    "displaced": ("mengungsi", "pengungsi", "displaced"),
    "shelter": ("posko", "pengungsian", "lokasi_pengungsian", "shelter", "posko_pengungsian"),
    "payout": ("rekening", "no_rekening", "bank", "titik_pengambilan", "payout"),
    "casualty": ("korban", "status_korban", "kondisi", "casualty"),
    "pregnant": ("hamil", "ibu_hamil", "pregnant"),
    "disabled": ("disabilitas", "difabel", "penyandang_disabilitas", "disabled"),
}
FAMILY_ANSWERS = (  # a household form's family questions, given to each of its people
    "kk",
    "kecamatan_code",
    "desa",
    "address",
    "damage",
    "displaced",
    "shelter",
    "payout",
)
PERSONAL = ("kk", "nik", "name", "address", "payout")  # sealed wherever they are stored


class MemberRow(MemberInput):
    """One row of a household spreadsheet: a person, with their family's fields."""

    kk: KK
    kecamatan_code: KecamatanCode
    desa: str = Field(min_length=1, max_length=120)
    address: Annotated[Text, longest(200)] = None
    damage: Damage = None
    displaced: Flag = False
    shelter: Annotated[Text, longest(120)] = None
    payout: Annotated[Text, longest(120)] = None


# Kemensos assistance. Amounts are the 2025-2026 values (Kemensos statements December 2025 -
# February 2026 on the Sumatra floods; the 2019 Selat Sunda tsunami); `CC_ASSISTANCE_AMOUNTS`
# overrides them. Conditions live here and nowhere else.


@dataclass(frozen=True)
class Programme:
    code: str
    per: str  # "person" (one payment per member who qualifies) or "household"
    amount: int  # rupiah per person, per household, or per person per day (jadup)
    condition: str  # in words, as the eligibility lists show it
    source: str


PROGRAMMES = {
    p.code: p
    for p in (
        Programme(
            "santunan_ahli_waris",
            "person",
            15_000_000,
            "anggota meninggal; dibayar ke ahli waris (anggota keluarga yang hidup, dewasa)",
            "Kemensos, santunan ahli waris korban meninggal, Rp15 juta per jiwa (2025-2026)",
        ),
        Programme(
            "santunan_luka_berat",
            "person",
            5_000_000,
            "anggota luka berat",
            "Kemensos, santunan korban luka berat, Rp5 juta per jiwa (2025-2026)",
        ),
        Programme(
            "jadup",
            "household",
            15_000,
            "rumah rusak berat; per jiwa yang hidup per hari, selama CC_JADUP_DAYS hari",
            "Kemensos, jaminan hidup Rp15.000 per jiwa per hari selama 3 bulan (indeks 2025)",
        ),
        Programme(
            "family_kit",
            "household",
            0,
            "keluarga mengungsi; bantuan barang (1 paket family kit)",
            "Kemensos, bantuan logistik family kit untuk keluarga pengungsi",
        ),
    )
}
JADUP_DAYS = 90
PAYMENT_STATUSES = ("diusulkan", "diverifikasi", "disalurkan")


def programmes(amounts: Mapping[str, int] | None = None) -> dict[str, Programme]:
    """The programmes with configured amounts (`{"jadup": 10000}`) in place of today's."""
    amounts = amounts or {}
    return {
        code: Programme(p.code, p.per, int(amounts.get(code, p.amount)), p.condition, p.source)
        for code, p in PROGRAMMES.items()
    }


def next_status(current: str | None) -> str | None:
    """The status a payment moves to next (diusulkan → diverifikasi → disalurkan), or None."""
    order = (None, *PAYMENT_STATUSES)
    return order[order.index(current) + 1] if current != PAYMENT_STATUSES[-1] else None


def eligible(
    households: pd.DataFrame,
    members: pd.DataFrame,
    rates: Mapping[str, Programme],
    jadup_days: int = JADUP_DAYS,
) -> pd.DataFrame:
    """Who each programme owes, one row per payment: programme, household_id, member_id (the
    person it is for, per-person programmes), heir_id (santunan ahli waris: the oldest living
    adult of the family), amount, subject (the KK or NIK key that must not be paid twice).

    `households`: id, kk_index, damage, displaced. `members`: id, household_id, nik_index,
    casualty, birth_date, relation.
    """
    rows: list[dict[str, Any]] = []
    living = members[members["casualty"].isna() | (members["casualty"] == "luka_berat")]
    day = today_in()
    adults = living[[_age(b, day) >= 17 for b in living["birth_date"]]].sort_values("birth_date")
    heirs = adults.groupby("household_id")["id"].first().to_dict()
    for person in members.itertuples():
        for code, casualty in (
            ("santunan_ahli_waris", "meninggal"),
            ("santunan_luka_berat", "luka_berat"),
        ):
            if person.casualty == casualty:
                rows.append(
                    {
                        "programme": code,
                        "household_id": person.household_id,
                        "member_id": person.id,
                        "heir_id": heirs.get(person.household_id)
                        if casualty == "meninggal"
                        else person.id,
                        "amount": rates[code].amount,
                        "subject": person.nik_index,
                    }
                )
    alive = living.groupby("household_id").size().to_dict()
    for family in households.itertuples():
        if family.damage == "berat" and alive.get(family.id):
            rows.append(
                {
                    "programme": "jadup",
                    "household_id": family.id,
                    "member_id": None,
                    "heir_id": None,
                    "amount": rates["jadup"].amount * alive[family.id] * jadup_days,
                    "subject": family.kk_index,
                }
            )
        if family.displaced:
            rows.append(
                {
                    "programme": "family_kit",
                    "household_id": family.id,
                    "member_id": None,
                    "heir_id": None,
                    "amount": rates["family_kit"].amount,
                    "subject": family.kk_index,
                }
            )
    columns = ["programme", "household_id", "member_id", "heir_id", "amount", "subject"]
    return pd.DataFrame(rows, columns=columns)


def _age(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


# Counts per kecamatan, next to what the reports say

COMPARED = {  # household count -> the report figure it is set against
    "families": "affected_families",
    "people": "affected_people",
    "deaths": "deaths",
    "missing": "missing",
    "injured_severe": "injured_severe",
    "displaced": "displaced",
    "houses_heavy": "houses_heavy",
    "houses_moderate": "houses_moderate",
    "houses_light": "houses_light",
    "houses_flooded": "houses_flooded",
}


HOUSE_LEVELS = (
    ("heavy", "berat"),
    ("moderate", "sedang"),
    ("light", "ringan"),
    ("flooded", "terendam"),
)


def counts(households: pd.DataFrame, members: pd.DataFrame) -> pd.DataFrame:
    """Per kecamatan: families, people, deaths, missing, seriously injured, displaced people
    (members of displaced families who are not dead or missing), houses by damage, and the
    vulnerable (toddlers, pregnant, elderly, disabled, living). Index: kecamatan_code."""
    people = members.merge(
        households[["id", "kecamatan_code", "displaced"]].rename(columns={"id": "household_id"}),
        on="household_id",
    )
    day = today_in()
    ages = pd.Series([_age(b, day) for b in people["birth_date"]], index=people.index, dtype=int)
    gone = people["casualty"].isin(["meninggal", "hilang"])
    here = ~gone
    per = pd.DataFrame(
        {
            "kecamatan_code": people["kecamatan_code"],
            "people": 1,
            "deaths": people["casualty"] == "meninggal",
            "missing": people["casualty"] == "hilang",
            "injured_severe": people["casualty"] == "luka_berat",
            "displaced": people["displaced"].astype(bool) & here,
            "toddlers": (ages < TODDLER_YEARS) & here,
            "pregnant": people["pregnant"].astype(bool) & here,
            "elderly": (ages >= ELDERLY_YEARS) & here,
            "disabled": people["disabled"].astype(bool) & here,
        }
    )
    by_people = per.groupby("kecamatan_code").sum().astype(int)
    homes = pd.DataFrame(
        {
            "kecamatan_code": households["kecamatan_code"],
            "families": 1,
            **{f"houses_{name}": households["damage"] == damage for name, damage in HOUSE_LEVELS},
        }
    )
    by_homes = homes.groupby("kecamatan_code").sum().astype(int)
    return by_homes.join(by_people, how="outer").fillna(0).astype(int)


def against_reports(counted: pd.DataFrame, reported: pd.DataFrame) -> pd.DataFrame:
    """Per kecamatan and figure: households' count, the report's figure and the difference
    (report - households: positive means the report is ahead of the household list).
    `reported` is indexed by kecamatan_code with the report's figure columns."""
    kecamatan = sorted(set(counted.index) | set(reported.index))
    rows = []
    for code in kecamatan:
        for ours, theirs in COMPARED.items():
            have = int(counted.loc[code, ours]) if code in counted.index else 0
            said = (
                reported.loc[code, theirs]
                if code in reported.index and theirs in reported
                else None
            )
            said = None if said is None or pd.isna(said) else int(said)
            rows.append(
                {
                    "kecamatan_code": code,
                    "figure": ours,
                    "households": have,
                    "reported": said,
                    "difference": None if said is None else said - have,
                }
            )
    return pd.DataFrame(
        rows, columns=["kecamatan_code", "figure", "households", "reported", "difference"]
    )


# The social registry (DTSEN): an extract's columns, and the proposal (usulan) format

REGISTRY_HEADERS = {
    "nik": ("nik", "no_nik", "nomor_induk_kependudukan"),
    "pkh": ("pkh", "penerima_pkh", "flag_pkh", "status_pkh"),
    "sembako": ("sembako", "bpnt", "penerima_sembako", "flag_bpnt", "flag_sembako"),
    "pbi": ("pbi", "pbi_jk", "penerima_pbi", "flag_pbi"),
    "decile": ("desil", "decile", "desil_kesejahteraan"),
}
# the regional update's new-household template (SIKS-NG style), one row per person
USULAN_COLUMNS = (
    "NO_KK",
    "NIK",
    "NAMA",
    "JENIS_KELAMIN",
    "TGL_LAHIR",
    "HUB_KELUARGA",
    "KODE_WILAYAH_KEC",
    "DESA_KELURAHAN",
    "ALAMAT",
    "KETERANGAN",
)


# Changes to a registered family. A household is compared as a snapshot: the fields of a
# `HouseholdInput` in JSON form (`HouseholdInput.model_dump(mode="json")`), members by NIK.

FAMILY_FIELDS = ("kk", "kecamatan_code", "desa", "address", "damage", "displaced", "shelter_id")
MEMBER_FIELDS = ("name", "sex", "birth_date", "relation", "casualty", "pregnant", "disabled")
# what decides who is paid what and where: payout, the KK (a household programme's subject),
# the house (jadup), displacement (family kit), who belongs (membership), and per person the
# casualty (santunan), birth date (the heir) and name (the payee)
PAYMENT_FIELDS = frozenset({"payout", "kk", "damage", "displaced", "members"})
PAYMENT_MEMBER_FIELDS = frozenset({"casualty", "birth_date", "name"})


@dataclass(frozen=True)
class Change:
    """One field that differs: `field` is `payout`, `members` (a person added or removed:
    `nik` names them) or a person's field (`casualty`, with their `nik`)."""

    field: str
    before: Any
    after: Any
    nik: str | None = None

    @property
    def payment(self) -> bool:
        """Whether the change decides who is paid what, or where."""
        if self.nik is None or self.field == "members":
            return self.field in PAYMENT_FIELDS
        return self.field in PAYMENT_MEMBER_FIELDS


def merged(before: Mapping[str, Any], entry: Mapping[str, Any], keep: bool) -> dict[str, Any]:
    """The household `entry` makes of `before`. An edit (`keep` False) replaces it whole. A
    merge (`keep`: a later report, a spreadsheet row) takes the entry's family fields where
    given, keeps a family displaced once displaced, matches members by NIK (the entry's win)
    and keeps those only `before` had. A family with a shelter is displaced."""
    names = (*FAMILY_FIELDS, "payout")
    if keep:
        after = {name: before.get(name) for name in names}
        after.update({n: entry[n] for n in names if entry.get(n) is not None})
        after["displaced"] = bool(entry.get("displaced")) or bool(before.get("displaced"))
        people = {m["nik"]: dict(m) for m in before.get("members", [])}
    else:
        after = {name: entry.get(name) for name in names}
        people = {}
    people.update({m["nik"]: dict(m) for m in entry.get("members", [])})
    after["displaced"] = bool(after["displaced"]) or after["shelter_id"] is not None
    after["members"] = list(people.values())
    return after


def changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[Change]:
    """Every field where `after` differs from `before`, family fields first, then people."""
    found = [
        Change(name, before.get(name), after.get(name))
        for name in (*FAMILY_FIELDS, "payout")
        if before.get(name) != after.get(name)
    ]
    old = {m["nik"]: m for m in before.get("members", [])}
    new = {m["nik"]: m for m in after.get("members", [])}
    for nik in [*old, *(n for n in new if n not in old)]:
        if nik not in new or nik not in old:
            found.append(Change("members", old.get(nik), new.get(nik), nik))
            continue
        found += [
            Change(name, old[nik].get(name), new[nik].get(name), nik)
            for name in MEMBER_FIELDS
            if old[nik].get(name) != new[nik].get(name)
        ]
    return found


def age_band(born: date, day: date) -> str:
    """What a masked list shows instead of a birth date: `0-4`, `5-17`, `18-59` or `60+`."""
    age = _age(born, day)
    if age < TODDLER_YEARS:
        return f"0-{TODDLER_YEARS - 1}"
    if age < 18:
        return f"{TODDLER_YEARS}-17"
    return f"18-{ELDERLY_YEARS - 1}" if age < ELDERLY_YEARS else f"{ELDERLY_YEARS}+"
