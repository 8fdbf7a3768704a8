"""Dates and times as field reports write them: "5/12", "05-12-2024", "5 Des 2024",
"Kamis (5/12/2024) pkl 09.00 WIB", "pukul 14:00 WITA", "hari ini".

A day and month without a year take the year that puts them nearest before `now`; a clock
without a zone is in the place's own zone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from command_center.times import ZONES

MONTHS = {
    "jan": 1,
    "feb": 2,
    "peb": 2,
    "mar": 3,
    "apr": 4,
    "mei": 5,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "agu": 8,
    "agt": 8,
    "ags": 8,
    "aug": 8,
    "sep": 9,
    "okt": 10,
    "oct": 10,
    "nov": 11,
    "nop": 11,
    "des": 12,
    "dec": 12,
}
_MONTH = (
    r"jan(?:uari)?|feb(?:ruari)?|peb(?:ruari)?|mar(?:et)?|apr(?:il)?|mei|may|jun(?:i)?|"
    r"jul(?:i)?|agu(?:stus)?|agt|ags|aug|sep(?:t(?:ember)?)?|okt(?:ober)?|oct|nov(?:ember)?|"
    r"nop(?:ember)?|des(?:ember)?|dec"
)
DATE = re.compile(
    r"(?<![\w/.,-])(?<!RT )(?<!RW )(?P<d>\d{1,2})[/-](?P<m>\d{1,2})(?:[/-](?P<y>\d{4}|\d{2}))?"
    r"(?![\w/]|[.,]\d)"
    rf"|(?<![\w.,])(?P<d2>\d{{1,2}})\s*(?P<m2>{_MONTH})\.?(?:\s*(?P<y2>\d{{4}}))?\b"
    r"|\b(?P<rel>hari ini|kemarin)\b",
    re.IGNORECASE,
)
CLOCK = re.compile(
    r"(?:\b(?:pkl|pukul|jam|jm)\.?\s*(?P<h>\d{1,2})(?:[.:](?P<mi>\d{2}))?"
    r"|(?<![\w.,])(?P<h2>\d{1,2})[.:](?P<mi2>\d{2})(?![\d.,]))"
    r"(?:[.:]\d{2})?\s*(?P<zone>WIB|WITA|WIT)?\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class When:
    """A time read from a text, with where the date (and clock) were."""

    moment: datetime
    has_clock: bool
    spans: tuple[tuple[int, int], ...]


def spans(text: str) -> list[tuple[int, int]]:
    """Where every date and clock in `text` is (so their digits are not read as counts)."""
    found = [m.span() for m in DATE.finditer(text)]
    found += [m.span() for m in CLOCK.finditer(text) if _clock(m) is not None]
    return found


def first_time(text: str, now: datetime, zone: str) -> When | None:
    """The first date in `text` with the clock that follows it (within the same line), in
    `zone` unless the text names one; None without a date, or with an impossible one."""
    for date in DATE.finditer(text):
        line_end = text.find("\n", date.end())
        rest = text[date.end() : line_end if line_end >= 0 else len(text)]
        clock = next((c for c in CLOCK.finditer(rest) if _clock(c) is not None), None)
        before = text[max(0, date.start() - 20) : date.start()]
        if clock is None:  # "pkl 09.00 tanggal 5/12"
            clock = next((c for c in CLOCK.finditer(before) if _clock(c) is not None), None)
            offset = max(0, date.start() - 20)
        else:
            offset = date.end()
        hour_minute = _clock(clock) if clock else None
        named = (clock["zone"] or "").upper() if clock else ""
        where = ZoneInfo(ZONES[named or zone])
        moment = _day(date, now.astimezone(where), hour_minute or (0, 0), where)
        if moment is None:
            return None
        spans_ = [date.span()]
        if clock is not None:
            spans_.append((clock.start() + offset, clock.end() + offset))
        return When(moment, hour_minute is not None, tuple(spans_))
    return None


def _clock(match: re.Match) -> tuple[int, int] | None:
    hour = match["h"] or match["h2"]
    minute = match["mi"] or match["mi2"] or "0"
    if int(hour) > 23 or int(minute) > 59:
        return None
    return int(hour), int(minute)


def _day(date: re.Match, now: datetime, clock: tuple[int, int], where: ZoneInfo) -> datetime | None:
    if date["rel"]:
        day = now - timedelta(days=1 if date["rel"].lower() == "kemarin" else 0)
        return day.replace(hour=clock[0], minute=clock[1], second=0, microsecond=0)
    if date["d"]:
        day, month, year = int(date["d"]), int(date["m"]), date["y"]
    else:
        day, month, year = int(date["d2"]), MONTHS[date["m2"][:3].lower()], date["y2"]
    years = [int(year)] if year else [now.year, now.year - 1]
    for candidate in years:
        candidate = candidate + 2000 if candidate < 100 else candidate
        try:
            moment = datetime(candidate, month, day, *clock, tzinfo=where)
        except ValueError:
            return None
        if year or moment <= now + timedelta(hours=12):
            return moment
    return None
