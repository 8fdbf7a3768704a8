"""Needs and aid in field text: where a needs (or aid given) list is ("Kebutuhan: ...",
"pengungsi membutuhkan ...") and its items with their quantity and unit as written."""

from __future__ import annotations

import re
from dataclasses import dataclass

from command_center.services.numbers import numbers_in

NEEDS = re.compile(
    r"\b(?:kebutuhan(?: yang)?(?: mendesak| darurat| pengungsi| mendesak pengungsi)?|"
    r"(?:bantuan )?yang (?:sangat |paling )?(?:dibutuhkan|mendesak|diperlukan)|dibutuhkan|"
    r"membutuhkan|memerlukan|butuh|diperlukan|mohon bantuan)\b"
    r"\s*(?:saat ini|segera)?\s*(?:adalah|berupa|antara lain|yaitu|yakni|meliputi|seperti|"
    r"terdiri(?: dari| atas)?)?\s*:?",
    re.IGNORECASE,
)
AID = re.compile(  # aid given: not needs, and not figures of the disaster
    r"\b(?:bantuan (?:yang )?(?:sudah|telah)|sudah disalurkan|telah disalurkan|tersalur|"
    r"distribusi|logistik (?:yang )?(?:sudah|telah))",
    re.IGNORECASE,
)
NEED_FILLER = re.compile(  # words around a needs list that are not items
    r"^\s*(?:(?:para|pengungsi|warga|korban|yang|mendesak|saat ini|sekarang|antara lain|lainnya|"
    r"seperti|berupa|yaitu|yakni|adalah|juga|sangat|masih|paling|utama|terutama|lain)\b\s*)+",
    re.IGNORECASE,
)
NOT_AN_ITEM = re.compile(
    r"(?:dll|dsb|dan lain-lain|lain-lain|lainnya|dan sebagainya|sejumlah bantuan|bantuan|"
    r"logistik|pengungsi|warga)\.?",
    re.IGNORECASE,
)
NEED_UNIT = re.compile(
    r"\s*(?P<unit>dus|karton|ktn|paket|pkt|liter|ltr|lt|kg|ton|kwintal|lembar|lbr|buah|bh|"
    r"unit|karung|sak|galon|pcs|bungkus|bks|botol|btl|pak|box|set|porsi|biji|pasang|roll|rol)\b\.?",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Need:
    item: str  # as written
    qty: int | None
    unit: str | None


def regions(body: str, pattern: re.Pattern) -> list[tuple[int, int, int]]:
    """Where the needs (or aid) lists of a text are (start, start of the list, end): from
    their word to the end of its sentence, or, for a heading ("Kebutuhan:" and lines under
    it), to a blank line."""
    regions = []
    for match in pattern.finditer(body):
        if regions and match.start() < regions[-1][1]:
            continue
        line_end = body.find("\n", match.end())
        inline = body[match.end() : line_end if line_end >= 0 else len(body)].strip()
        if inline:
            end = re.search(r"(?<!\d)\.(?!\d)|[\n\"\u201d]|$", body[match.end() :])
        else:
            end = re.search(r"\n[ \t]*\n|$", body[match.end() :])
        regions.append((match.start(), match.end(), match.end() + end.start()))
    return regions


def read_needs(text: str) -> list[Need]:
    """ "selimut 300 lbr, 500 dus air mineral, obat-obatan" → Need(item, qty, unit)."""
    needs = []
    for piece in re.split(r"[;\n]|(?<!\d),|,(?!\d)|\s(?:dan|serta)\s|\s/\s", text):
        piece = NEED_FILLER.sub("", re.sub(r"^\s*(?:[-•*]|\d{1,2}[.)])\s*", "", piece))
        piece = re.split(r"\s(?:yang|karena|agar|supaya|sebab|bagi|untuk para)\s", piece)[0]
        piece = piece.strip(' .:*-\t"\u201c\u201d')
        if not piece or NOT_AN_ITEM.fullmatch(piece) or len(piece.split()) > 5:
            continue
        counts = [f for f in numbers_in(piece) if f.value is not None and f.kind != "zero"]
        qty, unit, words = None, None, piece
        if counts:
            found = counts[0]
            qty = found.value
            after = NEED_UNIT.match(piece, found.end)
            before = re.search(r"\b(?P<unit>\w+)\.?\s*$", piece[: found.start])
            if after:
                unit, words = after["unit"], piece[: found.start] + " " + piece[after.end() :]
            elif before and NEED_UNIT.fullmatch(" " + before["unit"]):
                unit = before["unit"]
                words = piece[: before.start()] + " " + piece[found.end :]
            else:
                words = piece[: found.start] + " " + piece[found.end :]
        item = " ".join(re.sub(r"[():]", " ", words).split()).strip(" .-").lower()
        if item:
            needs.append(Need(item, qty, unit.lower() if unit else None))
    return needs
