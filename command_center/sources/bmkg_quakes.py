"""BMKG earthquake feeds (`autogempa`, `gempaterkini`, `gempadirasakan`; JSON and XML).

Parsing is pure: bytes in, `Quake` records with our names and units out. Quirks handled (see
`shared/data/README.md`): `gempa` is an object or a list; every value is a string ("10 km",
"5.2 SR"); coordinates are "lat,lon" in current files but "lon,lat" in legacy XML, so position
comes from the unambiguous `Lintang`/`Bujur` ("8.77 LS", "116.14 BT") when present; `DateTime`
(ISO UTC) is the truth, else `Tanggal` + `Jam` in WIB/WITA/WIT with Indonesian or English months.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from command_center.base.errors import FeedFormatError
from command_center.sources.xml import parse_xml

SHAKEMAP_BASE = "https://data.bmkg.go.id/DataMKG/TEWS/"
ZONES = {"WIB": 7, "WITA": 8, "WIT": 9}
MONTHS = {
    m: i + 1
    for names in (
        ("jan", "feb", "mar", "apr", "mei", "jun", "jul", "agu", "sep", "okt", "nov", "des"),
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
    )
    for i, m in enumerate(names)
}
_NUMBER = re.compile(r"-?\d+(?:[.,]\d+)?")
_FELT_ITEM = re.compile(r"^\s*([IVX]+(?:\s*-\s*[IVX]+)?)\s+(.+?)\s*$")
ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9,
         "X": 10, "XI": 11, "XII": 12}  # fmt: skip


@dataclass(frozen=True)
class FeltReport:
    """One `Dirasakan` entry: "IV-V Mataram" → (4, 5, "Mataram")."""

    mmi_min: int
    mmi_max: int
    place: str


@dataclass(frozen=True)
class Quake:
    """An earthquake as one feed reported it, in our names and units."""

    source: str
    event_id: str
    time_utc: datetime
    lat: float
    lon: float
    depth_km: float | None
    magnitude: float | None
    location_text: str
    tsunami_potential: bool | None  # None: this feed does not say (gempadirasakan)
    felt_text: str | None = None
    felt: tuple[FeltReport, ...] = ()
    shakemap_url: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


def parse_infogempa(payload: bytes, source: str = "bmkg") -> list[Quake]:
    """All earthquakes in one BMKG `Infogempa` payload (JSON or XML), duplicates removed.

    Raises:
        FeedFormatError: not JSON/XML, no `Infogempa.gempa`, or an entry without time or place.
    """
    entries = _entries(payload)
    quakes: dict[str, Quake] = {}
    for index, entry in enumerate(entries):
        try:
            quake = _quake(entry, source)
        except (KeyError, ValueError) as exc:
            raise FeedFormatError(f"Infogempa.gempa[{index}]: {exc}") from exc
        quakes.setdefault(quake.event_id, quake)  # gempaterkini repeats events; first wins
    return list(quakes.values())


def _entries(payload: bytes) -> list[dict[str, str]]:
    text = payload.decode("utf-8-sig", errors="replace").strip()
    if not text:
        raise FeedFormatError("empty body")
    if text.startswith("<"):
        root = parse_xml(text, "Infogempa", "Infogempa")
        return [_xml_entry(g) for g in root.findall("gempa")]
    try:
        document = json.loads(text)
        gempa = document["Infogempa"]["gempa"]
    except json.JSONDecodeError as exc:
        raise FeedFormatError(f"not valid JSON: {exc.msg} at line {exc.lineno}") from exc
    except (KeyError, TypeError) as exc:
        raise FeedFormatError("no Infogempa.gempa in the payload") from exc
    entries = gempa if isinstance(gempa, list) else [gempa]
    if not all(isinstance(e, dict) for e in entries):
        raise FeedFormatError("Infogempa.gempa holds something other than objects")
    return entries


def _xml_entry(element: Any) -> dict[str, str]:
    entry = {child.tag: (child.text or "").strip() for child in element}
    coordinates = element.find("point/coordinates")
    if coordinates is not None and coordinates.text:
        entry["Coordinates"] = coordinates.text.strip()
        entry["_lon_first"] = "DateTime" not in entry  # legacy XML: "lon,lat"
    if "Wilayah" not in entry and "Wilayah1" in entry:
        entry["Wilayah"] = entry["Wilayah1"]
    return entry


def _quake(entry: dict[str, Any], source: str) -> Quake:
    lat, lon = _position(entry)
    time_utc = _time(entry)
    potensi = str(entry.get("Potensi", ""))
    felt_text = _clean(entry.get("Dirasakan"))
    shakemap = _clean(entry.get("Shakemap"))
    return Quake(
        source=source,
        event_id=event_id_of(time_utc),
        time_utc=time_utc,
        lat=lat,
        lon=lon,
        depth_km=_number(entry.get("Kedalaman")),
        magnitude=_number(entry.get("Magnitude")),
        location_text=str(entry.get("Wilayah", "")).strip(),
        tsunami_potential=is_tsunami_potential(potensi) if potensi else None,
        felt_text=felt_text,
        felt=parse_felt(felt_text),
        shakemap_url=SHAKEMAP_BASE + shakemap if shakemap else None,
        details={"potensi": potensi} if potensi else {},
    )


def event_id_of(time_utc: datetime) -> str:
    """A BMKG earthquake's id: its UTC time to the second, the same in every BMKG feed."""
    return time_utc.strftime("%Y%m%d%H%M%S")


def is_tsunami_potential(potensi: str) -> bool:
    """True for "Potensi tsunami …"; false for "Tidak berpotensi tsunami" and felt notices."""
    text = potensi.lower()
    return "tsunami" in text and "tidak" not in text


def _clean(value: object) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text if text and text != "-" else None


def _number(value: object) -> float | None:
    match = _NUMBER.search(str(value or ""))
    return float(match.group().replace(",", ".")) if match else None


def _position(entry: dict[str, Any]) -> tuple[float, float]:
    if entry.get("Lintang") and entry.get("Bujur"):
        lat = _number(entry["Lintang"])
        lon = _number(entry["Bujur"])
        if lat is not None and lon is not None:
            south = "LS" in entry["Lintang"].upper()
            west = "BB" in entry["Bujur"].upper()
            return (-abs(lat) if south else abs(lat)), (-abs(lon) if west else abs(lon))
    first, second = (float(v) for v in str(entry["Coordinates"]).split(","))
    return (second, first) if entry.get("_lon_first") else (first, second)


def _time(entry: dict[str, Any]) -> datetime:
    if entry.get("DateTime"):
        return datetime.fromisoformat(entry["DateTime"]).astimezone(UTC)
    date, clock = str(entry["Tanggal"]).strip(), str(entry["Jam"]).strip()
    parts = re.split(r"[\s-]+", date)
    day, month, year = int(parts[0]), parts[1], int(parts[2])
    month_number = int(month) if month.isdigit() else MONTHS[month[:3].lower()]
    year = year + 2000 if year < 100 else year
    hms, _, zone = clock.partition(" ")
    hour, minute, second = (int(v) for v in hms.split(":"))
    offset = timezone(timedelta(hours=ZONES.get(zone.strip().upper() or "WIB", 7)))
    local = datetime(year, month_number, day, hour, minute, second, tzinfo=offset)
    return local.astimezone(UTC)


def parse_felt(text: str | None) -> tuple[FeltReport, ...]:
    """Split `Dirasakan` ("IV-V Mataram, III Kab. Lombok Tengah") into felt reports."""
    reports = []
    for item in (text or "").split(","):
        match = _FELT_ITEM.match(item)
        if not match:
            continue
        levels = [ROMAN[v.strip()] for v in match.group(1).split("-") if v.strip() in ROMAN]
        if levels:
            reports.append(FeltReport(min(levels), max(levels), match.group(2)))
    return tuple(reports)
