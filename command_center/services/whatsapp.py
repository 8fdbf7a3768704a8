"""Posko reports pasted from WhatsApp, read into draft kecamatan reports.

    Kec. Dayeuhkolot 2/12 pkl 14.00: MD 2, LB 3, LR 15, mengungsi 1.250 jiwa (4 titik),
    RB 12 RS 30 RR 41, terendam 1.200 rumah. Kebutuhan: selimut 300, air bersih,
    makanan bayi 1,2 rb.

Each message starts at "Kec." or "Kecamatan". Figures are read by BNPB's abbreviations (MD
meninggal, H hilang, LB/LR luka berat/ringan, RB/RS/RR rumah rusak berat/sedang/ringan) and by
words; numbers as Indonesians write them ("1.250", "1,2 rb", "1 jt"); the day/month without a
year takes the year that puts it nearest before `now`. Every figure read keeps where it was in
the message, for the operator to see; every fragment not read is listed, never dropped. Nothing
is saved here: a draft becomes a report only when an operator confirms it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from command_center.times import WIB

_NUMBER = r"(\d{1,3}(?:\.\d{3})+|\d+(?:,\d+)?)(?:\s*(rb|ribu|jt|juta)\b)?"
_START = re.compile(r"(?:^|\n|(?<=\s))(?:Kec\.?|Kecamatan)\s+", re.IGNORECASE)
_DATE = re.compile(r"\b(\d{1,2})[/-](\d{1,2})(?:[/-](\d{2,4}))?\b")
_TIME = re.compile(r"\b(?:pkl|pukul|jam)?\s*(\d{1,2})[.:](\d{2})\s*(?:WIB)?\b", re.IGNORECASE)
_NEEDS = re.compile(r"\bkebutuhan\s*:?\s*(.*)$", re.IGNORECASE | re.DOTALL)
# (figure, pattern before the number) and (figure, pattern after it), first match wins
_BEFORE = (
    ("deaths", r"\b(?:MD|meninggal(?: dunia)?)"),
    ("missing", r"\b(?:H|hilang)"),
    ("injured_severe", r"\b(?:LB|luka berat)"),
    ("injured_light", r"\b(?:LR|luka ringan)"),
    ("houses_heavy", r"\b(?:RB|rusak berat)"),
    ("houses_moderate", r"\b(?:RS|rusak sedang)"),
    ("houses_light", r"\b(?:RR|rusak ringan)"),
    ("displaced", r"\b(?:mengungsi|pengungsi)"),
    ("houses_flooded", r"\b(?:terendam|rumah terendam)"),
    ("affected_families", r"\bKK terdampak"),
    ("affected_people", r"\b(?:terdampak|jiwa terdampak)"),
)
_AFTER = (  # "(4 titik)" in brackets: a bare "2 titik" may be anything ("jalan putus 2 titik")
    ("shelters", (r"\(\s*", r"\s*titik(?: pengungsian)?\s*\)")),
    ("shelters", (r"", r"\s*titik pengungsian")),
    ("affected_families", (r"", r"\s*KK(?: terdampak)?")),
)


@dataclass(frozen=True)
class Figure:
    name: str
    value: int
    start: int  # where it was read in the message
    end: int


@dataclass
class Draft:
    """One message read: the kecamatan as written, when, the figures and what was not read."""

    message: str
    kecamatan: str
    report_time: datetime | None
    figures: list[Figure] = field(default_factory=list)
    needs: list[tuple[str, int | None]] = field(default_factory=list)  # quantity when given
    unread: list[str] = field(default_factory=list)

    def values(self) -> dict[str, int]:
        return {f.name: f.value for f in self.figures}

    def counted_needs(self) -> list[dict[str, object]]:
        """The needs with a quantity, as a report's `needs` items."""
        return [{"item": item, "qty": qty} for item, qty in self.needs if qty is not None]

    def uncounted_needs(self) -> list[str]:
        return [item for item, qty in self.needs if qty is None]


def number(text: str, unit: str | None = None) -> int:
    """ "1.250" → 1250, "1,2" with "rb" → 1200, "1" with "jt" → 1000000."""
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", text):
        value = float(text.replace(".", ""))
    else:
        value = float(text.replace(",", "."))
    scale = {"rb": 1_000, "ribu": 1_000, "jt": 1_000_000, "juta": 1_000_000}.get(
        (unit or "").lower(), 1
    )
    return round(value * scale)


def split_messages(text: str) -> list[str]:
    """The messages in a paste, each from its "Kec."/"Kecamatan" to the next."""
    starts = [m.start() for m in _START.finditer(text)]
    return [text[a:b].strip() for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]


def read_messages(text: str, now: datetime) -> list[Draft]:
    """Every message in a paste as a draft (see the module docstring)."""
    return [read_message(message, now) for message in split_messages(text)]


def read_message(message: str, now: datetime) -> Draft:
    colon = re.search(r":(?!\d{2})", message)  # the header's colon, not the one in "14:00"
    head, body = (message[: colon.start()], message[colon.end() :]) if colon else (message, "")
    body_at = colon.end() if colon else len(message)
    name = re.sub(r"^(?:Kec\.?|Kecamatan)\s+", "", head, flags=re.IGNORECASE)
    name = _TIME.sub("", _DATE.sub("", name)).strip(" ,.-")
    draft = Draft(message, name, _when(head, now))
    needs = _NEEDS.search(body)
    figures_text = body[: needs.start()] if needs else body
    if needs:
        draft.needs = _needs(needs.group(1))
    taken: list[tuple[int, int]] = []
    for name_, pattern in _BEFORE:
        for match in re.finditer(pattern + r"\s*:?\s*" + _NUMBER, figures_text, re.IGNORECASE):
            _add(draft, taken, name_, match, body_at)
    for name_, (before, after) in _AFTER:
        for match in re.finditer(before + _NUMBER + after, figures_text, re.IGNORECASE):
            _add(draft, taken, name_, match, body_at, number_group=1)
    draft.figures.sort(key=lambda f: f.start)
    draft.unread = _unread(figures_text, taken)
    return draft


def _add(
    draft: Draft,
    taken: list[tuple[int, int]],
    name: str,
    match: re.Match,
    offset: int,
    number_group: int | None = None,
) -> None:
    start, end = match.span()
    if any(a < end and start < b for a, b in taken) or name in draft.values():
        return
    groups = list(match.groups())
    value_text, unit = (groups[0], groups[1]) if number_group else (groups[-2], groups[-1])
    taken.append((start, end))
    draft.figures.append(Figure(name, number(value_text, unit), start + offset, end + offset))


def _needs(text: str) -> list[tuple[str, int | None]]:
    """ "selimut 300, air bersih, beras 2 ton" → (item, quantity if given); a unit other than
    pieces goes into the item's name ("beras (ton)")."""
    items = []
    for piece in re.split(r"[;\n]|,(?!\d)|\bdan\b", text.strip().rstrip(".")):
        piece = piece.strip(" .")
        if not piece:
            continue
        counted = re.fullmatch(r"(.*?\D)\s*:?\s*" + _NUMBER + r"(?:\s+([A-Za-z]+))?", piece)
        if counted is None or not counted.group(1).strip(" :"):
            items.append((piece, None))
            continue
        name, unit = counted.group(1).strip(" :"), counted.group(4)
        if unit and unit.lower() not in ("buah", "pcs", "unit", "paket", "lembar", "pak"):
            name = f"{name} ({unit})"
        items.append((name, number(counted.group(2), counted.group(3))))
    return items


def _unread(text: str, taken: list[tuple[int, int]]) -> list[str]:
    """The pieces of `text` outside every figure read, that hold a word or a number."""
    kept, last = [], 0
    for start, end in sorted(taken):
        kept.append(text[last:start])
        last = end
    kept.append(text[last:])
    pieces = re.split(r"[,;\n]|\.(?!\d)", " ".join(kept))
    noise = {"jiwa", "rumah", "unit", "orang", "dan", "kk", "()", "(", ")"}
    return [
        p.strip(" ()")
        for p in pieces
        if p.strip(" ()") and p.strip(" ()").lower() not in noise and re.search(r"\w", p)
    ]


def _when(head: str, now: datetime) -> datetime | None:
    """The day/month (and time) in a message header, in WIB; without a year, the year that
    puts it nearest before `now`."""
    date = _DATE.search(head)
    if date is None:
        return None
    clock = _TIME.search(head[date.end() :])
    day, month = int(date.group(1)), int(date.group(2))
    hour, minute = (int(clock.group(1)), int(clock.group(2))) if clock else (0, 0)
    local_now = now.astimezone(WIB)
    years = [int(date.group(3))] if date.group(3) else [local_now.year, local_now.year - 1]
    for year in years:
        year = year + 2000 if year < 100 else year
        try:
            when = datetime(year, month, day, hour, minute, tzinfo=WIB)
        except ValueError:
            return None
        if date.group(3) or when <= local_now + timedelta(minutes=10):
            return when
    return None
