"""MAGMA Indonesia (PVMBG, Badan Geologi): each volcano's activity level with the exclusion
zone its recommendation names, and VONA aviation notices.

Shapes, as MAGMA's own code serves them (github.com/magma-indonesia/magma-indonesia):
- `/api/v1/magma-var` (`MagmaVarController@index`; a MAGMA token): a JSON array, one object
  per volcano with its latest activity report (VAR): `gunung_api` {`nama`, `status`
  "Level IV (Awas)", `koordinat` {`latitude`, `longitude`}} and `laporan_terakhir`
  {`tanggal` "Laporan per 6 jam, tanggal 2024-11-04 pukul 00:00 - 06:00 WITA",
  `rekomendasi` (numbered lines joined by `<br />`)}.
- `/api/v1/vona` (`VonaController@index`): `{"data": [...]}`, each VONA with `code_id`,
  `volcano`, `issued_utc` "2024-11-04 05:39:00", `cu_code` (RED, ORANGE, YELLOW, GREEN),
  `vch_asl` and `vch_summit` (ash-cloud top in m above sea level and above the summit).

The exclusion zone is read from PVMBG's wording: "radius 7 km dari pusat erupsi", "radius 3 km
dari puncak", "sektoral 5 km arah tenggara", "sektoral arah Barat Daya - Timur Laut sejauh 9 km".
"""

from __future__ import annotations

import csv
import html
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from command_center.base.errors import FeedFormatError
from command_center.base.settings import DATA_DIR

VOLCANO_LIST = DATA_DIR / "volcanoes.csv"
LEVELS = {"I": 1, "II": 2, "III": 3, "IV": 4}
LEVEL_WORDS = {1: "Normal", 2: "Waspada", 3: "Siaga", 4: "Awas"}
ZONES = {"WIB": 7, "WITA": 8, "WIT": 9}
# compass words in PVMBG's recommendations, as bearings (degrees clockwise from north);
# two-word directions first, so that "barat daya" is not read as "barat"
BEARINGS = {
    "timur laut": 45.0,
    "tenggara": 135.0,
    "barat daya": 225.0,
    "barat laut": 315.0,
    "utara": 0.0,
    "timur": 90.0,
    "selatan": 180.0,
    "barat": 270.0,
}
_NUMBER = r"(\d+(?:[.,]\d+)?)\s*(km|kilometer|m|meter)\b"
_RADIUS = re.compile(r"radius\s+" + _NUMBER, re.I)
_SECTOR = re.compile(r"sektor(?:al)?\b(?:[^.;\n]|\.(?=\d))*", re.I)  # to the sentence's end
_DISTANCE = re.compile(_NUMBER, re.I)
_DIRECTION = re.compile("|".join(BEARINGS), re.I)
_LEVEL = re.compile(r"level\s+(IV|III|II|I)\b", re.I)
_PERIOD = re.compile(
    r"(\d{4}-\d{2}-\d{2})\s+pukul\s+\d{1,2}[:.]\d{2}\s*-\s*(\d{1,2})[:.](\d{2})\s*(WITA|WIT|WIB)",
    re.I,
)
MAX_VOLCANOES = 500  # MAGMA monitors 127 volcanoes; more is not this feed


@dataclass(frozen=True)
class Exclusion:
    """Where people are to stay out: a radius around the crater and, at times, a farther
    sector between two bearings (clockwise from `sector_from` to `sector_to`)."""

    radius_km: float | None
    sector_km: float | None = None
    sector_from: float | None = None
    sector_to: float | None = None


@dataclass(frozen=True)
class VolcanoLevel:
    name: str
    level: int  # 1 Normal, 2 Waspada, 3 Siaga, 4 Awas
    report_utc: datetime  # the end of the reported period
    lat: float | None  # as MAGMA gives it (the shipped list's crater point is preferred)
    lon: float | None
    recommendation: str
    exclusion: Exclusion


@dataclass(frozen=True)
class Vona:
    code: str  # MAGMA's volcano code, e.g. LWK
    volcano: str
    issued_utc: datetime
    colour: str  # RED, ORANGE, YELLOW, GREEN
    ash_top_m: float | None  # above sea level
    ash_above_summit_m: float | None


@dataclass(frozen=True)
class Volcano:
    code: str
    name: str
    lat: float
    lon: float
    elevation_m: int


def name_key(name: str) -> str:
    """A volcano's name as a key: "Lewotobi Laki-laki" and "LEWOTOBI LAKI LAKI" are one."""
    return re.sub(r"[^a-z0-9]", "", name.lower().removeprefix("gunung "))


@cache
def volcano_list() -> dict[str, Volcano]:
    """The shipped list (`data/volcanoes.csv`), keyed by `name_key` of MAGMA's name."""
    with VOLCANO_LIST.open(encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    return {
        name_key(row["name"]): Volcano(
            row["code"], row["name"], float(row["lat"]), float(row["lon"]), int(row["elevation_m"])
        )
        for row in rows
    }


def level_of(status: object) -> int:
    """MAGMA's status ("Level IV (Awas)", or the number) as 1..4."""
    if isinstance(status, int) and not isinstance(status, bool) and 1 <= status <= 4:
        return status
    text = str(status).strip()
    if text in ("1", "2", "3", "4"):
        return int(text)
    found = _LEVEL.search(text)
    if found is None:
        raise ValueError(f"no activity level in {text[:60]!r}")
    return LEVELS[found.group(1).upper()]


def _km(value: str, unit: str) -> float:
    number = float(value.replace(",", "."))
    return number / 1000 if unit.lower() in ("m", "meter") else number


def exclusion_of(recommendation: str) -> Exclusion:
    """The zone a PVMBG recommendation names: the widest radius, and the first sector with
    its distance and the bearings it spans (one direction: that direction alone)."""
    radii = [_km(v, u) for v, u in _RADIUS.findall(recommendation)]
    sector = _SECTOR.search(recommendation)
    sector_km = sector_from = sector_to = None
    if sector is not None:
        distance = _DISTANCE.search(sector.group(0))
        directions = [BEARINGS[d.lower()] for d in _DIRECTION.findall(sector.group(0))]
        if distance is not None and directions:
            sector_km = _km(*distance.groups())
            sector_from, sector_to = directions[0], directions[-1]
    return Exclusion(max(radii, default=None), sector_km, sector_from, sector_to)


def report_time(text: str) -> datetime:
    """The end of a VAR's period in UTC: "tanggal 2024-11-03 pukul 18:00 - 24:00 WITA" is
    2024-11-03 16:00 UTC."""
    found = _PERIOD.search(text)
    if found is None:
        raise ValueError(f"no report period in {text[:80]!r}")
    day, hour, minute, zone = found.groups()
    local = datetime.fromisoformat(day) + timedelta(hours=int(hour), minutes=int(minute))
    return (local - timedelta(hours=ZONES[zone.upper()])).replace(tzinfo=UTC)


def plain(text: str) -> str:
    """A recommendation without its HTML line breaks and entities, one line per item."""
    return html.unescape(re.sub(r"<br\s*/?>", "\n", text or "", flags=re.I)).strip()


def parse_magma_var(payload: bytes) -> list[VolcanoLevel]:
    """Every volcano's level and exclusion zone from MAGMA's `/api/v1/magma-var` list.

    Raises:
        FeedFormatError: not a list of reports, or a report without name, level or time.
    """
    data = json.loads(payload)
    if not isinstance(data, list):
        raise FeedFormatError("MAGMA VAR: not a list of activity reports")
    if len(data) > MAX_VOLCANOES:
        raise FeedFormatError(f"MAGMA VAR: {len(data)} reports, more than {MAX_VOLCANOES}")
    levels = []
    for index, item in enumerate(data):
        try:
            levels.append(_level(item))
        except (KeyError, TypeError, ValueError) as exc:
            raise FeedFormatError(f"MAGMA VAR: report {index}: {exc}") from exc
    return levels


def _level(item: dict[str, Any]) -> VolcanoLevel:
    volcano, report = item["gunung_api"], item["laporan_terakhir"]
    name = str(volcano["nama"]).strip()
    if not name:
        raise ValueError("no volcano name")
    point = volcano.get("koordinat") or {}
    lat, lon = point.get("latitude"), point.get("longitude")
    recommendation = plain(str(report.get("rekomendasi") or ""))
    return VolcanoLevel(
        name=name,
        level=level_of(volcano["status"]),
        report_utc=report_time(str(report["tanggal"])),
        lat=float(lat) if lat not in (None, "") else None,
        lon=float(lon) if lon not in (None, "") else None,
        recommendation=recommendation,
        exclusion=exclusion_of(recommendation),
    )


def parse_vona(payload: bytes) -> list[Vona]:
    """The VONAs of MAGMA's `/api/v1/vona` page (newest first, as MAGMA lists them).

    Raises:
        FeedFormatError: no `data` list, or a VONA without code, time or colour.
    """
    data = json.loads(payload)
    items = data.get("data") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise FeedFormatError("MAGMA VONA: no list of notices under 'data'")
    notices = []
    for index, item in enumerate(items[:MAX_VOLCANOES]):
        try:
            notices.append(_vona(item))
        except (KeyError, TypeError, ValueError) as exc:
            raise FeedFormatError(f"MAGMA VONA: notice {index}: {exc}") from exc
    return notices


def _vona(item: dict[str, Any]) -> Vona:
    colour = str(item["cu_code"]).strip().upper()
    if colour not in ("RED", "ORANGE", "YELLOW", "GREEN"):
        raise ValueError(f"colour code {colour[:20]!r}")
    issued = datetime.fromisoformat(str(item["issued_utc"]).strip()).replace(tzinfo=UTC)

    def metres(key: str) -> float | None:
        value = item.get(key)
        return float(value) if value not in (None, "", 0, "0") else None

    return Vona(
        code=str(item["code_id"]).strip().upper(),
        volcano=str(item.get("volcano") or "").strip(),
        issued_utc=issued,
        colour=colour,
        ash_top_m=metres("vch_asl"),
        ash_above_summit_m=metres("vch_summit"),
    )


def is_magma_var(payload: bytes) -> bool:
    """Whether a recorded payload is MAGMA's VAR list (recognised by its content)."""
    return payload.lstrip()[:1] == b"[" and b'"gunung_api"' in payload[:4000]


def is_vona(payload: bytes) -> bool:
    """Whether a recorded payload is MAGMA's VONA list (recognised by its content)."""
    head = payload[:4000]
    return payload.lstrip()[:1] == b"{" and b'"cu_code"' in head and b'"code_id"' in head
