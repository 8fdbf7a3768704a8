"""Shared pieces of input validation: the longest text the store takes, lenient number parsing
for messy spreadsheets, and pydantic errors turned into our `FieldError`s (codes that
`base/labels.py` words as `err_<code>`)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, ValidationError, ValidationInfo
from pydantic_core import PydanticCustomError

from command_center.base.errors import FieldError, InvalidAreaCode, InvalidInput
from command_center.base.geography import Geography, normalise_code
from command_center.services import numbers

# The longest text the store takes, by what it holds (characters). Each is checked where the
# store checks its input, whoever sends it (a form, a file, a reporter link, the CLI), and is
# no longer than its column (`String(n)`); `Text` columns are bounded here alone.
SHORT = 40  # a phone number as written, a catalogue item's code, a date as typed
LABEL = 60  # a member's role, a stock batch, a skill, a wall screen's or field reporter's name
WORDS = 80  # an item of a needs list; a display name (the audit's "who", `String(80)`)
NAME = 120  # a name of a person, team or place; a document, decree or account number
LINE = 200  # one line: an incident's name, an address, a file's name
CONTACT = 320  # an alert address: an e-mail (RFC 5321's most), a number, a webhook URL
REASON = 500  # why it was done or what to do: a status, a rejection, an override, a task
LIST = 1000  # things listed in one field: a team's equipment
NOTE = 2000  # notes and descriptions; a needs or aid list as typed
ITEMS = 50  # entries of a list typed in one field (needs, aid, skills): a posko's whole list
CHOICES = 600  # areas picked in one field: every province and kabupaten (552) fit

PYDANTIC_CODES = {
    "missing": "missing",
    "string_too_short": "missing",
    "string_too_long": "too_long",
    "int_parsing": "not_integer",
    "int_from_float": "not_integer",
    "int_type": "not_integer",
    "float_parsing": "not_number",
    "float_type": "not_number",
    "greater_than_equal": "negative",
    "less_than_equal": "too_large",
    "finite_number": "not_number",
}


def blank_to_none(value: Any) -> Any:
    """Empty cells and whitespace-only text are "not given"."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, str) and not value.strip():
        return None
    return value


def parse_count(value: Any) -> Any:
    """A whole number as people type it (`numbers.count`: `1.234`, `1,2 rb`, `± 1.500`,
    `640 jiwa`, `nihil`, Excel's `12.0`) → int.

    Anything else is returned as it came, for pydantic to refuse with a clear message.
    """
    value = blank_to_none(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"-\d+", text):  # for the bound to refuse as negative, by name
            return int(text)
        try:
            return numbers.count(text)
        except ValueError:
            if re.fullmatch(r"-?\d+[.,]\d+", text):
                raise PydanticCustomError(
                    "not_integer", "not a whole number: {value}", {"value": text}
                ) from None
    return value


def parse_decimal(value: Any) -> Any:
    """A coordinate or decimal with either separator (`-6,84` → -6.84)."""
    value = blank_to_none(value)
    if isinstance(value, str):
        return value.strip().replace(",", ".")
    return value


def bounded(low: float, high: float) -> AfterValidator:
    """A check that a given number lies in [low, high] (error `negative` or `out_of_range`)."""

    def check(value: float | None) -> float | None:
        if value is not None and not low <= value <= high:
            code = "negative" if value < 0 <= low else "out_of_range"
            raise PydanticCustomError(
                code, "out of range", {"value": value, "low": low, "high": high}
            )
        return value

    return AfterValidator(check)


def longest(max_length: int) -> AfterValidator:
    """A check that given text is at most `max_length` characters (error `too_long`)."""

    def check(value: str | None) -> str | None:
        if value is not None and len(value) > max_length:
            raise PydanticCustomError("too_long", "too long", {"max_length": max_length})
        return value

    return AfterValidator(check)


def length_errors(**texts: tuple[str | None, int]) -> list[FieldError]:
    """A `too_long` error for each text longer than its bound (`field=(text, max_length)`)."""
    return [
        FieldError(field, "too_long", {"max_length": most})
        for field, (text, most) in texts.items()
        if text is not None and len(text) > most
    ]


def check_lengths(**texts: tuple[str | None, int]) -> None:
    """Refuse texts longer than their bounds (`length_errors`); never cut them short.

    Raises:
        InvalidInput: a `too_long` error for each over-long field.
    """
    if errors := length_errors(**texts):
        raise InvalidInput(errors)


def known_code(value: Any, info: ValidationInfo, level: str = "kecamatan") -> str:
    """A kecamatan (or kabupaten) code as typed, normalised (`32.3.1` → `32.03.01`); it must
    be a known one when the validation context holds a `geography` (errors `bad_code` /
    `bad_kabupaten_code`, `unknown_kecamatan` / `unknown_kabupaten`)."""
    bad, unknown = ("bad_code", "unknown_kecamatan")
    if level == "kabupaten":
        bad, unknown = ("bad_kabupaten_code", "unknown_kabupaten")
    try:
        code = normalise_code(blank_to_none(value) or "", level)
    except InvalidAreaCode as exc:
        raise PydanticCustomError(bad, "bad code", {"value": str(value)}) from exc
    geography: Geography | None = (info.context or {}).get("geography")
    if geography is not None and code not in geography.layer(level).index:
        raise PydanticCustomError(unknown, "unknown", {"value": code})
    return code


def kecamatan_code(value: Any, info: ValidationInfo) -> str:
    """A known kecamatan code (`known_code`)."""
    return known_code(value, info)


def one_of(value: Any, words: Mapping[str, str], code: str, **listed: str) -> str:
    """The choice `value` names in `words`, case and spacing ignored; else the error `code`
    (with `listed`, e.g. the choices, for its message)."""
    choice = words.get(" ".join(str(blank_to_none(value) or "").casefold().split()))
    if choice is None:
        raise PydanticCustomError(code, "unknown {value}", {"value": str(value), **listed})
    return choice


Count = Annotated[int | None, BeforeValidator(parse_count), bounded(0, 10**9)]
Decimal = Annotated[float | None, BeforeValidator(parse_decimal)]
Text = Annotated[str | None, BeforeValidator(blank_to_none)]
KecamatanCode = Annotated[str, BeforeValidator(kecamatan_code)]
PHONE = re.compile(r"^\+?[0-9][0-9 ()\-.]{5,24}$")


def phone(value: str | None) -> str | None:
    """A telephone number as typed (`0812-3456-7890`, `+62 812 ...`); error `bad_phone`."""
    if value is not None and not PHONE.match(value):
        raise PydanticCustomError("bad_phone", "bad phone", {"value": value})
    return value


Phone = Annotated[Text, AfterValidator(phone)]


def field_errors(exc: ValidationError) -> list[FieldError]:
    """Our field errors from a pydantic ValidationError (first location item is the field)."""
    errors = []
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else "-"
        code = PYDANTIC_CODES.get(error["type"], error["type"])
        params = {k: v for k, v in (error.get("ctx") or {}).items() if k != "error"}
        if "value" not in params and error.get("input") is not None:
            params["value"] = str(error["input"])[:80]
        errors.append(FieldError(field, code, params))
    return errors
