"""Counts as Indonesians write them, read the same way on every path (a form, a file's cell,
an ODK answer, a WhatsApp message).

"1.250" and "1,250" are 1250 (thousands grouped), "1,2 rb" is 1200 (a decimal comma before a
scale), "± 1.500" and "kurang lebih 1.500" are 1500, "640 jiwa" is 640, "dua" is 2, "nihil" and
"tidak ada" are 0. "1,5" alone is not a count: it is refused, never rounded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SCALES = {"rb": 1_000, "rbu": 1_000, "ribu": 1_000, "jt": 1_000_000, "juta": 1_000_000}
WORDS = {
    "nol": 0,
    "satu": 1,
    "dua": 2,
    "tiga": 3,
    "empat": 4,
    "lima": 5,
    "enam": 6,
    "tujuh": 7,
    "delapan": 8,
    "sembilan": 9,
    "sepuluh": 10,
    "sebelas": 11,
    "seratus": 100,
    "seorang": 1,
    "sebuah": 1,
}
ZERO = r"nihil|tidak ada|tdk ada|tak ada|nil"
APPROX = (
    r"±|\+/-|\+-|~|kurang lebih|kurleb|lebih kurang|kl\.|sekitar|kira-kira|"
    r"sebanyak"
)
# counted things written after a number, accepted by a single cell ("640 jiwa", "12 unit")
COUNT_NOUNS = (
    r"jiwa|orang|org|warga|kk|keluarga|rumah|rmh|unit|buah|bh|titik|lokasi|lembar|lbr|paket|pkt|"
    r"dus|karton|kg|liter|ltr|lt|pcs|bungkus|porsi|sak|karung|galon|botol|ekor|jiwa/orang"
)
_DIGITS = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d{1,3}(?:,\d{3})+(?![\d,])|\d+(?:[.,]\d+)?"
_UNITS = "satu|dua|tiga|empat|lima|enam|tujuh|delapan|sembilan"
_WORD = rf"(?:{_UNITS})\s+(?:belas|puluh(?:\s+(?:{_UNITS}))?)|" + "|".join(
    sorted(WORDS, key=len, reverse=True)
)
NUMBER = re.compile(
    rf"(?:(?P<approx>{APPROX})\s*)?"
    rf"(?:(?P<digits>(?<![\w.,])(?<!\d/)(?:{_DIGITS})(?![\w/]|[.,:]\d))(?:\s*(?P<scale>rb|rbu|ribu|jt|juta)\b)?"
    rf"|(?P<word>\b(?:{_WORD})\b)|(?P<zero>\b(?:{ZERO})\b))",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Found:
    """A number in a text: its value (None when it is not a whole count, e.g. "1,5" or
    "2.5 m"), where it was, and whether it was a word ("dua") or a nil ("nihil")."""

    value: int | None
    start: int
    end: int
    kind: str  # "digits", "word" or "zero"


def numbers_in(text: str) -> list[Found]:
    """Every number in `text`, in order."""
    return [_found(m) for m in NUMBER.finditer(text)]


def _found(match: re.Match) -> Found:
    start, end = match.span()
    if match["zero"]:
        return Found(0, start, end, "zero")
    if match["word"]:
        return Found(_word_value(match["word"]), start, end, "word")
    return Found(_value(match["digits"], match["scale"]), start, end, "digits")


def _word_value(text: str) -> int:
    words = text.lower().split()
    if len(words) == 1:
        return WORDS[words[0]]
    tens = WORDS[words[0]]
    if words[1] == "belas":
        return 10 + tens
    return tens * 10 + (WORDS[words[2]] if len(words) > 2 else 0)


def _value(digits: str, scale: str | None) -> int | None:
    factor = SCALES.get((scale or "").lower(), 1)
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?", digits):  # 1.250 or 1.250,5
        whole, _, decimals = digits.partition(",")
        amount = float(whole.replace(".", "") + "." + (decimals or "0"))
    elif re.fullmatch(r"\d{1,3}(?:,\d{3})+", digits) and factor == 1:  # 1,250
        amount = float(digits.replace(",", ""))
    else:
        amount = float(digits.replace(",", "."))
    amount *= factor
    return int(amount) if amount.is_integer() else None


def count(text: str) -> int:
    """A cell or an answer that holds one count and nothing else (see the module docstring).

    Raises:
        ValueError: the text is not one whole count.
    """
    cleaned = " ".join(text.strip().split())
    cleaned = re.sub(rf"\s*\b(?:{COUNT_NOUNS})\.?$", "", cleaned, flags=re.IGNORECASE)
    if re.fullmatch(r"-?\d+[.,]0{1,2}", cleaned):  # Excel's "12.0", not "4.000"
        return int(re.split(r"[.,]", cleaned)[0])
    if re.fullmatch(r"\d{1,3}( \d{3})+", cleaned):  # "1 250"
        return int(cleaned.replace(" ", ""))
    match = NUMBER.fullmatch(cleaned)
    found = _found(match) if match else None
    if found is None or found.value is None:
        raise ValueError(f"not a whole number: {text}")
    return found.value
