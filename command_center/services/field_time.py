"""Dates and times as field reports write them: "5/12", "05-12-2024", "5 Des 2024",
"Kamis (5/12/2024) pkl 09.00 WIB", "pukul 14:00 WITA", "hari ini".

A day and month without a year take the year that puts them nearest before `now`; a clock
without a zone is in the place's own zone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from command_center.base.times import ZONES

WEEKDAYS = {
    "senin": 0,
    "selasa": 1,
    "rabu": 2,
    "kamis": 3,
    "jumat": 4,
    "sabtu": 5,
    "minggu": 6,
    "ahad": 6,
}
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
    r"|(?<![\w.,])(?P<d3>\d{1,2})\.(?P<m3>\d{1,2})\.(?P<y3>\d{4})\b"  # 05.12.2026
    r"|(?<!\d )(?<!satu )(?<!dua )(?<!tiga )"  # "2 minggu" is two weeks
    r"\b(?P<wd>senin|selasa|rabu|kamis|jum'?at|sabtu|minggu|ahad)\b(?!\s*[,(/]?\s*\(?\d)"
    r"|\b(?P<rel>hari ini|kemarin|(?:pagi|siang|sore|malam) ini|tadi (?:pagi|siang|sore|malam))\b",
    re.IGNORECASE,
)
CLOCK = re.compile(
    r"(?:\b(?:pkl|pukul|jam|jm)\.?\s*(?P<h>\d{1,2})(?:[.:](?P<mi>\d{2}))?"
    r"|(?<![\w.,])(?P<h2>\d{1,2})[.:](?P<mi2>\d{2})(?![\d.,]))"
    r"(?:[.:]\d{2})?\s*(?P<zone>WIB|WITA|WIT)?\b",
    re.IGNORECASE,
)


DATA_CUE = re.compile(  # a date the figures are as of
    r"\b(?:per|hingga|sampai|s\.?d\.?|s/d|update|pembaruan|data|laporan|tercatat)\b[^.\n]*$",
    re.IGNORECASE,
)
EVENT_CUE = re.compile(  # a date something happened
    r"\b(?:sejak|terjadi|melanda|mengguncang|menerjang|dimulai|mulai)\b[^.\n]*$", re.IGNORECASE
)


SENTENCE_END = re.compile(  # not the dot of "pkl.", "Kec.", "tgl."
    r"\n|(?<!\bpkl)(?<!\bkec)(?<!\bkab)(?<!\btgl)(?<!\bds)(?<!\bjl)(?<!\bno)\.(?=\s)", re.IGNORECASE
)


@dataclass(frozen=True)
class When:
    """A time read from a text, with where the date (and clock) were."""

    moment: datetime | None  # None: the date is impossible ("31/02")
    has_clock: bool
    spans: tuple[tuple[int, int], ...]
    sure: int = 0  # how surely the data's time: a cue ("per", "hingga"), a clock; a weekday less


def spans(text: str) -> list[tuple[int, int]]:
    """Where every date and clock in `text` is (so their digits are not read as counts)."""
    found = [m.span() for m in DATE.finditer(text)]
    found += [m.span() for m in CLOCK.finditer(text) if _clock(m) is not None]
    return found


def first_time(text: str, now: datetime, zone: str) -> When | None:
    """The time the figures of `text` are for: its first date (with the clock after it on its
    line, or just before it), preferring one said to be the data's ("per 28 November",
    "hingga pukul 07.00 tanggal 26/1", "update 5/12") to one said to be the event's ("sejak
    31 Desember", "terjadi pada Senin (21/11)"); in `zone` unless the text names one. None
    without a date, or with an impossible one."""
    found = [_read_date(text, date, now, zone) for date in DATE.finditer(text)]
    found = [when for when in found if when is not None]
    if not found:
        return _clock_alone(text, now, zone)
    best = max(found, key=lambda w: (w[0], -w[1].spans[0][0]))
    if best[0] < 0:  # only when it happened ("meletus pada Sabtu 4/12"): not the data's time
        return None
    return replace(best[1], sure=best[0]) if best[1].moment is not None else None


def _read_date(text: str, date: re.Match, now: datetime, zone: str) -> tuple[int, When] | None:
    """A date with the clock nearest it in its sentence (or on the line under it), and how
    sure it is the data's time (a cue before it, a clock)."""
    stops = [m.start() for m in SENTENCE_END.finditer(text)]
    start = max((i for i in stops if i < date.start()), default=-1) + 1
    end = min((i for i in stops if i >= date.end()), default=len(text))
    if re.match(r"\n\s*(?:pukul|pkl|jam|waktu)\b", text[end:], re.IGNORECASE):
        end = text.find("\n", end + 1) if "\n" in text[end + 1 :] else len(text)
    clocks = [c for c in CLOCK.finditer(text, start, end) if _clock(c) and not _inside(c, date)]
    clock = min(
        clocks,
        key=lambda c: min(abs(c.start() - date.end()), abs(date.start() - c.end())),
        default=None,
    )
    hour_minute = _clock(clock) if clock else None
    named = (clock["zone"] or "").upper() if clock else ""
    where = ZoneInfo(ZONES[named or zone])
    moment = _day(date, now.astimezone(where), hour_minute or (0, 0), where)
    spans = [date.span(), *([clock.span()] if clock else [])]
    lead = text[max(0, date.start() - 40) : date.start()]
    cue = 2 if DATA_CUE.search(lead) else -2 if EVENT_CUE.search(lead) else 0
    cue -= 1 if date["wd"] else 0  # a weekday alone is less sure than a date
    return cue + (hour_minute is not None), When(moment, hour_minute is not None, tuple(spans))


def _inside(clock: re.Match, date: re.Match) -> bool:
    return clock.start() < date.end() and date.start() < clock.end()


def _clock_alone(text: str, now: datetime, zone: str) -> When | None:
    """ "Update jam 14.00" with no date: that clock on the day of `now` (the day before when
    it is later than `now`)."""
    clock = next((c for c in CLOCK.finditer(text) if c["h"] and _clock(c)), None)
    if clock is None:
        return None
    where = ZoneInfo(ZONES[(clock["zone"] or "").upper() or zone])
    hour, minute = _clock(clock)
    moment = now.astimezone(where).replace(hour=hour, minute=minute, second=0, microsecond=0)
    if moment > now + timedelta(minutes=30):
        moment -= timedelta(days=1)
    return When(moment, True, (clock.span(),))


def _clock(match: re.Match) -> tuple[int, int] | None:
    hour = match["h"] or match["h2"]
    minute = match["mi"] or match["mi2"] or "0"
    if int(hour) > 23 or int(minute) > 59:
        return None
    return int(hour), int(minute)


def _day(date: re.Match, now: datetime, clock: tuple[int, int], where: ZoneInfo) -> datetime | None:
    if date["wd"]:  # "hingga Senin": the latest Monday up to now
        back = (now.weekday() - WEEKDAYS[date["wd"].lower().replace("'", "")]) % 7
        day = now - timedelta(days=back)
        return day.replace(hour=clock[0], minute=clock[1], second=0, microsecond=0)
    if date["rel"]:
        day = now - timedelta(days=1 if date["rel"].lower() == "kemarin" else 0)
        return day.replace(hour=clock[0], minute=clock[1], second=0, microsecond=0)
    if date["d"]:
        day, month, year = int(date["d"]), int(date["m"]), date["y"]
    elif date["d3"]:
        day, month, year = int(date["d3"]), int(date["m3"]), date["y3"]
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
