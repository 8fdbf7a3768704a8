"""A roster entry (Tagana team or another pilar sosial unit) as typed or imported, validated.

`TeamInput.check(values, geography)` returns a valid entry or raises `InvalidInput` naming every
bad field. Import headers in Indonesian or English are mapped with `TEAM_HEADERS`.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)
from pydantic_core import PydanticCustomError

from command_center.base.errors import FieldError, InvalidInput
from command_center.base.geography import Geography
from command_center.services.teams import KINDS, normalise_skills
from command_center.services.validation import (
    ITEMS,
    LABEL,
    LIST,
    NAME,
    Count,
    Decimal,
    KecamatanCode,
    Phone,
    Text,
    blank_to_none,
    bounded,
    field_errors,
    longest,
    one_of,
)

INDONESIA_BOUNDS = {"lat": (-11.5, 6.5), "lon": (94.0, 141.5)}
KIND_WORDS = {
    "tagana": "tagana",
    "tksk": "tksk",
    "psm": "psm",
    "karang taruna": "karang_taruna",
    "karang_taruna": "karang_taruna",
    "kartar": "karang_taruna",
    "lainnya": "other",
    "other": "other",
}
TEAM_HEADERS = {
    "name": ("nama", "nama_tim", "tim", "team", "name", "nama_unit", "unit"),
    "kind": ("jenis", "jenis_unit", "tipe", "type", "kind"),
    "home_kecamatan_code": (
        "kode_kecamatan",
        "kode_kec",
        "kecamatan_code",
        "home_kecamatan_code",
        "kode_wilayah",
        "kode",
        "kode_kemendagri",
    ),
    "base_lat": ("lat", "latitude", "lintang", "base_lat"),
    "base_lon": ("lon", "lng", "long", "longitude", "bujur", "base_lon"),
    "member_count": ("jumlah_anggota", "anggota", "members", "member_count", "personel"),
    "skills": ("keahlian", "skills", "kemampuan", "keterampilan"),
    "equipment": ("peralatan", "equipment", "perlengkapan"),
    "contact_name": ("narahubung", "kontak", "contact", "contact_name", "koordinator"),
    "contact_phone": ("telepon", "no_hp", "hp", "telp", "phone", "contact_phone", "nomor_hp"),
}


def _split_skills(value: Any) -> Any:
    """Skills as typed (`SAR air; dapur umum`) or listed; more than `ITEMS` are refused."""
    value = blank_to_none(value)
    if value is None:
        return []
    skills = re.split(r"[;,\n]", value) if isinstance(value, str) else value
    if not isinstance(skills, list | tuple):
        return skills
    if sum(bool(str(s).strip()) for s in skills) > ITEMS:
        raise PydanticCustomError("too_long", "too many", {"max_length": ITEMS})
    return normalise_skills(skills)


class TeamInput(BaseModel):
    """One roster entry; the base defaults to the home kecamatan's centre."""

    model_config = ConfigDict(str_strip_whitespace=True, frozen=True)

    name: str = Field(min_length=1, max_length=NAME)
    kind: str = "tagana"
    home_kecamatan_code: KecamatanCode
    base_lat: Annotated[Decimal, bounded(*INDONESIA_BOUNDS["lat"])] = None
    base_lon: Annotated[Decimal, bounded(*INDONESIA_BOUNDS["lon"])] = None
    member_count: Annotated[Count, bounded(0, 10_000)] = 0
    skills: Annotated[
        list[Annotated[str, Field(max_length=LABEL)]], BeforeValidator(_split_skills)
    ] = Field(default_factory=list)
    equipment: Annotated[Text, longest(LIST)] = None
    contact_name: Annotated[Text, longest(NAME)] = None
    contact_phone: Phone = None

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, value: Any) -> str:
        if blank_to_none(value) is None:
            return "tagana"
        return one_of(value, KIND_WORDS, "bad_kind", kinds=", ".join(KINDS))

    @field_validator("member_count")
    @classmethod
    def _no_count_is_zero(cls, value: int | None) -> int:
        return value or 0

    @property
    def home_kabupaten_code(self) -> str:
        return self.home_kecamatan_code[:5]

    @classmethod
    def check(cls, values: dict[str, Any], geography: Geography | None) -> TeamInput:
        """Validate `values`; the base defaults to the kecamatan's centre when geography is known.

        Raises:
            InvalidInput: one FieldError per bad field.
        """
        errors = []
        lat, lon = (blank_to_none(values.get(key)) for key in ("base_lat", "base_lon"))
        if (lat is None) != (lon is None):
            errors.append(FieldError("base_lat" if lat is None else "base_lon", "one_coordinate"))
        try:
            entry = cls.model_validate(values, context={"geography": geography})
        except ValidationError as exc:
            errors = field_errors(exc) + errors
        if errors:
            raise InvalidInput(errors)
        if entry.base_lat is None and geography is not None:
            centre = geography.centre(entry.home_kecamatan_code)
            entry = entry.model_copy(
                update={"base_lat": round(centre.y, 5), "base_lon": round(centre.x, 5)}
            )
        return entry
