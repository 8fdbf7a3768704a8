"""Times are stored in UTC and shown in Asia/Jakarta (WIB), or in an area's own zone (WITA,
WIT), with the zone named."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

WIB = ZoneInfo("Asia/Jakarta")
ZONES = {"WIB": "Asia/Jakarta", "WITA": "Asia/Makassar", "WIT": "Asia/Jayapura"}
MONTHS_ID = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def now_in(zone: str = "WIB") -> datetime:
    """The current time on a clock in an Indonesian zone (WIB, WITA or WIT)."""
    return utcnow().astimezone(ZoneInfo(ZONES[zone]))


def today_in(zone: str = "WIB") -> date:
    """Today's date in an Indonesian zone, whatever the server's own."""
    return now_in(zone).date()


def as_utc(moment: datetime) -> datetime:
    """Return `moment` in UTC; a naive datetime is taken to be UTC already (as stored)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def format_wib(moment: datetime | None, lang: str = "id") -> str:
    """Format a stored UTC time for display, e.g. `22 Nov 2026 22.51 WIB`."""
    return format_local(moment, "WIB", lang)


def format_local(moment: datetime | None, zone: str, lang: str = "id") -> str:
    """A stored UTC time in one of Indonesia's zones, e.g. `23 Nov 2026 00.51 WITA`
    (`00:51` in English)."""
    if moment is None or str(moment) == "NaT":  # none, or pandas' missing time
        return "-"
    local = as_utc(moment).astimezone(ZoneInfo(ZONES[zone]))
    return f"{format_day(local, lang)} {clock(local, lang)} {zone}"


def format_day(day: date, lang: str = "id", year: bool = True) -> str:
    """A calendar day as people write it: `19 Des 2026` (`19 Dec 2026`), `19 Des` without
    the year."""
    month = (MONTHS_ID if lang == "id" else MONTHS_EN)[day.month - 1]
    return f"{day.day} {month} {day.year}" if year else f"{day.day} {month}"


def clock(moment: datetime, lang: str = "id") -> str:
    """A time of day as written in the language: `14.00` in Indonesian, `14:00` in English."""
    return f"{moment:%H.%M}" if lang == "id" else f"{moment:%H:%M}"


def age_minutes(moment: datetime, now: datetime | None = None) -> float:
    """Minutes between `moment` and now (both UTC)."""
    return ((now or utcnow()) - as_utc(moment)).total_seconds() / 60


def format_age(minutes: float, lang: str = "id") -> str:
    """A data age for people: `12 menit`, `3 jam`, `2 hari` (English: min, h, days)."""
    units = ("menit", "jam", "hari") if lang == "id" else ("min", "h", "days")
    if minutes < 90:
        return f"{max(int(minutes), 0)} {units[0]}"
    if minutes < 48 * 60:
        return f"{minutes / 60:.0f} {units[1]}"
    return f"{minutes / 1440:.0f} {units[2]}"
