"""NASA FIRMS active-fire CSV: VIIRS (375 m) and MODIS (1 km) hotspots.

One parser for every CSV FIRMS hands out, recognised by its header whatever the file's name:
- the area API (`/api/area/csv/MAP_KEY/VIIRS_SNPP_NRT/west,south,east,north/DAYS`):
  `latitude,longitude,bright_ti4,scan,track,acq_date,acq_time,satellite,instrument,
  confidence,version,bright_ti5,frp,daynight` (VIIRS; confidence `l`/`n`/`h`);
- the country API, the same with `country_id` first;
- the downloadable files (`SUOMI_VIIRS_C2_SouthEast_Asia_48h.csv`, `J1_VIIRS_C2_...`,
  `MODIS_C6_1_...`), without `instrument`; archive downloads add `type`;
- MODIS: `brightness` and `bright_t31` in place of `bright_ti4`/`bright_ti5`, confidence 0-100.

Quirks: `acq_time` is HHMM in UTC and may lose its leading zeros (`46` is 00:46); VIIRS
confidence is a letter in the API and sometimes a word (`nominal`) in older downloads.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime

from command_center.base.errors import FeedFormatError

# Both instruments' files carry these; the brightness column tells VIIRS from MODIS.
REQUIRED = ("latitude", "longitude", "acq_date", "acq_time", "satellite", "confidence")
INSTRUMENT_COLUMNS = {"bright_ti4": "VIIRS", "brightness": "MODIS"}
VIIRS_CLASSES = {"l": "low", "n": "nominal", "h": "high"}
# MODIS confidence (0-100 %) in the three fire classes of the MODIS C6 user's guide and FIRMS.
MODIS_NOMINAL_FROM, MODIS_HIGH_FROM = 30, 80
MAX_ROWS = 500_000  # a global 7-day VIIRS file; Southeast Asia over 48 h is far fewer
NAME = "FIRMS CSV"


@dataclass(frozen=True)
class Hotspot:
    """One fire pixel as a satellite saw it; `confidence` is low, nominal or high."""

    time_utc: datetime
    lat: float
    lon: float
    satellite: str  # as FIRMS gives it: N, N20, N21, 1, T, A ...
    instrument: str  # VIIRS or MODIS
    confidence: str
    frp_mw: float | None  # fire radiative power


def _header(payload: bytes) -> list[str]:
    first = payload.lstrip(b"\xef\xbb\xbf").split(b"\n", 1)[0]
    return [name.strip().lower() for name in first.decode("utf-8", "replace").split(",")]


def is_firms(payload: bytes) -> bool:
    """Whether `payload` starts with a FIRMS header (how replayed files are recognised)."""
    columns = set(_header(payload[:2000]))
    return set(REQUIRED) <= columns and bool(columns & set(INSTRUMENT_COLUMNS))


def parse_firms(payload: bytes, max_rows: int = MAX_ROWS) -> list[Hotspot]:
    """The hotspots of one FIRMS CSV (an empty file with its header is no hotspots).

    Raises:
        FeedFormatError: not a FIRMS header (a changed shape), or a row whose field cannot be
            read; the message names the field and the row (the header is row 1).
    """
    columns = _header(payload)
    instrument = next((INSTRUMENT_COLUMNS[c] for c in columns if c in INSTRUMENT_COLUMNS), None)
    missing = [c for c in REQUIRED if c not in columns]
    if missing or instrument is None:
        lacking = ", ".join(missing or ["bright_ti4 or brightness"])
        raise FeedFormatError(f"{NAME}: not a FIRMS header (no {lacking})")
    text = payload.lstrip(b"\xef\xbb\xbf").decode("utf-8", "replace")
    reader = csv.DictReader(io.StringIO(text), fieldnames=columns)
    next(reader)  # the header, already read
    hotspots = []
    for row_number, row in enumerate(reader, start=2):
        if not any((value or "").strip() for value in row.values()):
            continue
        if len(hotspots) >= max_rows:
            raise FeedFormatError(f"{NAME}: more than {max_rows:,} rows")
        hotspots.append(_hotspot(row, row_number, instrument))
    return hotspots


def _hotspot(row: dict[str, str], row_number: int, instrument: str) -> Hotspot:
    def field(name: str) -> str:
        value = row.get(name)
        if value is None or not value.strip():
            raise FeedFormatError(f"{NAME}: row {row_number}: {name} is empty")
        return value.strip()

    def number(name: str, low: float, high: float) -> float:
        try:
            value = float(field(name))
        except ValueError:
            raise FeedFormatError(
                f"{NAME}: row {row_number}: {name} {row[name]!r} is not a number"
            ) from None
        if not low <= value <= high:
            raise FeedFormatError(f"{NAME}: row {row_number}: {name} {value} is out of range")
        return value

    clock = field("acq_time").zfill(4)
    try:
        when = datetime.strptime(f"{field('acq_date')} {clock}", "%Y-%m-%d %H%M")
    except ValueError:
        raise FeedFormatError(
            f"{NAME}: row {row_number}: acq_date/acq_time {row['acq_date']!r} "
            f"{row['acq_time']!r} is not a date and HHMM time"
        ) from None
    frp = (row.get("frp") or "").strip()
    return Hotspot(
        time_utc=when.replace(tzinfo=UTC),
        lat=number("latitude", -90, 90),
        lon=number("longitude", -180, 180),
        satellite=field("satellite")[:20],
        instrument=(row.get("instrument") or instrument).strip().upper()[:10] or instrument,
        confidence=_confidence(field("confidence"), row_number),
        frp_mw=number("frp", 0, 1e6) if frp else None,
    )


def _confidence(raw: str, row_number: int) -> str:
    """VIIRS's class letter (or word), or MODIS's percentage put in the same three classes."""
    word = raw.lower()
    if word in VIIRS_CLASSES.values():
        return word
    if word in VIIRS_CLASSES:
        return VIIRS_CLASSES[word]
    try:
        percent = float(word)
    except ValueError:
        percent = -1.0
    if not 0 <= percent <= 100:
        raise FeedFormatError(
            f"{NAME}: row {row_number}: confidence {raw!r} is neither l/n/h nor 0-100"
        )
    if percent >= MODIS_HIGH_FROM:
        return "high"
    return "nominal" if percent >= MODIS_NOMINAL_FROM else "low"
