"""Field reporters' personal links, as plain data: a link as a coordinator asks for it
(`NewLink`), what a link lets its holder do (`FieldReporter`), and the incidents it reports to.

A link is for one person of the pilar sosial (TKSK, Tagana, PSM, Karang Taruna, SLRT, PKH) in
one or more kecamatan, for one incident or every open incident there, until it expires or is
revoked. Its report is stored unverified, with the reporter's role as its source.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)

from command_center.base.errors import InvalidInput
from command_center.base.geography import Geography
from command_center.services.reports import PILAR_SOSIAL, SOURCE_WORDS
from command_center.services.validation import (
    LABEL,
    KecamatanCode,
    Phone,
    blank_to_none,
    field_errors,
    one_of,
)

LINK_DAYS = 14  # how long a link lasts unless said otherwise
MAX_LINK_DAYS = 90
LINK_PARAM = "kunci"  # the query parameter that carries a link's token (`/lapor?kunci=...`)


def _codes(value: Any) -> Any:
    """Kecamatan codes as typed: a list, or `32.04.12, 32.04.32` in one text."""
    if isinstance(value, str):
        return [c for c in (p.strip() for p in value.replace(";", ",").split(",")) if c]
    return value


class NewLink(BaseModel):
    """A reporter link as a coordinator asks for it."""

    model_config = ConfigDict(str_strip_whitespace=True, frozen=True)

    name: str = Field(min_length=1, max_length=LABEL)  # "<name> (lapor #id)" is the audit's "who"
    phone: Phone = None
    role: str
    kecamatan: Annotated[list[KecamatanCode], BeforeValidator(_codes)] = Field(min_length=1)
    incident_id: int | None = None
    days: int = Field(default=LINK_DAYS, ge=1, le=MAX_LINK_DAYS)

    @field_validator("role", mode="before")
    @classmethod
    def _role(cls, value: Any) -> str:
        roles = {word: s for word, s in SOURCE_WORDS.items() if s in PILAR_SOSIAL}
        return one_of(value, roles, "bad_pilar_role", roles=", ".join(PILAR_SOSIAL))

    @field_validator("kecamatan")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))

    @classmethod
    def check(cls, values: dict[str, Any], geography: Geography | None) -> NewLink:
        """Validate a link request.

        Raises:
            InvalidInput: one FieldError per bad field.
        """
        values = {k: blank_to_none(v) if k == "incident_id" else v for k, v in values.items()}
        try:
            return cls.model_validate(values, context={"geography": geography})
        except ValidationError as exc:
            raise InvalidInput(field_errors(exc)) from exc


@dataclass(frozen=True)
class FieldReporter:
    """Who holds a valid link, and what it lets them report on."""

    link_id: int
    name: str
    role: str
    kecamatan: tuple[str, ...]
    incident_id: int | None
    expires_at: datetime


def incidents_for(reporter: FieldReporter, open_areas: dict[int, set[str]]) -> list[int]:
    """The open incidents a reporter may report to: the link's own incident if it is open,
    else every open incident whose area holds one of the link's kecamatan."""
    mine = set(reporter.kecamatan)
    return [
        incident_id
        for incident_id, area in open_areas.items()
        if reporter.incident_id in (None, incident_id) and area & mine
    ]


def link_state(revoked_at: datetime | None, expires_at: datetime, now: datetime) -> str:
    """ "revoked", "expired" or "valid"."""
    if revoked_at is not None:
        return "revoked"
    return "expired" if expires_at <= now else "valid"


def link_url(base_url: str, token: str) -> str:
    """The address a reporter opens: the light report form (`/lapor?kunci=...`, a few kB
    that a phone on a weak signal opens in seconds; docs/phone.md). The full Streamlit page,
    with the family form, stays at the root (`/?kunci=...`)."""
    return f"{base_url.rstrip('/')}/lapor?{urlencode({LINK_PARAM: token})}"
