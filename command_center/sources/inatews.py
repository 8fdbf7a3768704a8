"""BMKG InaTEWS feeds: `datagempa.json` (the latest earthquake message, with the tsunami warning
when there is one) and `gempaQL.json` (real-time automatic solutions, GeoJSON).

Quirks (see `shared/data/README.md`): `sent` is "2023-04-25T03:05:33WIB" (the zone glued on),
`date` is dd-mm-yy, `point.coordinates` is "lon,lat", `wzarea` lists a district once per
message it was named in; gempaQL has coordinates, magnitude and depth as strings and a zoneless
UTC `time`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from command_center.base.errors import FeedFormatError
from command_center.sources.bmkg_quakes import (
    SHAKEMAP_BASE,
    ZONES,
    Quake,
    event_id_of,
    is_tsunami_potential,
    parse_felt,
)

_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_MESSAGE = re.compile(r"\bPD[-\s]?(\d)\b", re.I)
_ENDED = re.compile(r"berakhir|diakhiri|pengakhiran|\bend(ed)?\b", re.I)


@dataclass(frozen=True)
class WarnedArea:
    """One coastal area of a tsunami warning and its level (WASPADA, SIAGA or AWAS)."""

    province: str
    district: str
    level: str


@dataclass(frozen=True)
class TsunamiWarning:
    """One InaTEWS tsunami message; `message` is the PD number (1-4) when it gives one."""

    event_id: str
    identifier: str
    sent_utc: datetime
    message: int | None
    ended: bool
    subject: str
    headline: str
    instruction: str
    areas: tuple[WarnedArea, ...]


@dataclass(frozen=True)
class InatewsMessage:
    quake: Quake
    warning: TsunamiWarning | None


def _json(payload: bytes, what: str) -> Any:
    try:
        return json.loads(payload.decode("utf-8-sig"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise FeedFormatError(f"{what}: not valid JSON: {exc}") from exc


def _local(text: str) -> datetime:
    """ "2023-04-25T03:05:33WIB" or "03:00:57 WIB" with a date → UTC."""
    match = re.fullmatch(r"(.+?)\s*(WIB|WITA|WIT)?", text.strip())
    value, zone = (match.group(1), match.group(2)) if match else (text, None)
    offset = timezone(timedelta(hours=ZONES.get(zone or "WIB", 7)))
    return datetime.fromisoformat(value).replace(tzinfo=offset).astimezone(UTC)


def _origin(info: dict[str, Any]) -> datetime:
    day, month, year = (int(v) for v in str(info["date"]).split("-"))
    clock, _, zone = str(info["time"]).strip().partition(" ")
    year = year + 2000 if year < 100 else year
    offset = timezone(timedelta(hours=ZONES.get(zone.strip() or "WIB", 7)))
    hour, minute, second = (int(v) for v in clock.split(":"))
    return datetime(year, month, day, hour, minute, second, tzinfo=offset).astimezone(UTC)


def _number(value: object) -> float | None:
    match = _NUMBER.search(str(value or ""))
    return float(match.group()) if match else None


def parse_datagempa(payload: bytes) -> InatewsMessage:
    """The earthquake of one `datagempa.json` message and its tsunami warning, if any.

    Raises:
        FeedFormatError: not JSON, no `info`, or no time or position.
    """
    document = _json(payload, "InaTEWS datagempa")
    try:
        info = document["info"]
        lon, lat = (float(v) for v in str(info["point"]["coordinates"]).split(","))
        origin = _origin(info)
        sent = _local(str(document["sent"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise FeedFormatError(f"InaTEWS datagempa: {exc!r}") from exc
    potential = str(info.get("potential") or "")
    felt_text = str(info.get("felt") or "").strip() or None
    shakemap = str(info.get("shakemap") or "").strip()
    quake = Quake(
        source="bmkg",
        event_id=event_id_of(origin),
        time_utc=origin,
        lat=lat,
        lon=lon,
        depth_km=_number(info.get("depth")),
        magnitude=_number(info.get("magnitude")),
        location_text=str(info.get("area") or "").strip(),
        tsunami_potential=is_tsunami_potential(potential) if potential else None,
        felt_text=felt_text,
        felt=parse_felt(felt_text),
        shakemap_url=SHAKEMAP_BASE + shakemap if shakemap else None,
        details={"potensi": potential} if potential else {},
    )
    subject = str(info.get("subject") or "")
    headline = str(info.get("headline") or "")
    if "tsunami" not in subject.lower() and not info.get("wzarea"):
        return InatewsMessage(quake, None)
    number = _MESSAGE.search(subject)
    areas = {
        WarnedArea(
            str(a.get("province", "")).strip(),
            str(a.get("district", "")).strip(),
            str(a.get("level", "")).strip().upper(),
        )
        for a in info.get("wzarea") or []
        if isinstance(a, dict) and a.get("district")
    }
    warning = TsunamiWarning(
        event_id=str(info.get("eventid") or quake.event_id),
        identifier=str(document.get("identifier") or ""),
        sent_utc=sent,
        message=int(number.group(1)) if number else None,
        ended=bool(_ENDED.search(f"{subject} {headline}") or (number and number.group(1) == "4")),
        subject=subject,
        headline=headline,
        instruction=str(info.get("instruction") or ""),
        areas=tuple(sorted(areas, key=lambda a: (a.province, a.district))),
    )
    return InatewsMessage(quake, warning)


def parse_gempaql(payload: bytes) -> list[Quake]:
    """Real-time automatic solutions (`gempaQL.json`); revised later by the reviewed ones.

    Raises:
        FeedFormatError: not a GeoJSON FeatureCollection, or a feature without time/point.
    """
    document = _json(payload, "InaTEWS gempaQL")
    features = document.get("features") if isinstance(document, dict) else None
    if not isinstance(features, list):
        raise FeedFormatError("InaTEWS gempaQL: no features")
    quakes = []
    for index, feature in enumerate(features):
        try:
            props = feature["properties"]
            lon, lat = (float(v) for v in feature["geometry"]["coordinates"][:2])
            time_utc = datetime.fromisoformat(str(props["time"])).replace(tzinfo=UTC)
        except (KeyError, TypeError, ValueError) as exc:
            raise FeedFormatError(f"InaTEWS gempaQL: features[{index}]: {exc!r}") from exc
        time_utc = time_utc.replace(microsecond=0)
        quakes.append(
            Quake(
                source="bmkg",
                event_id=event_id_of(time_utc),
                time_utc=time_utc,
                lat=lat,
                lon=lon,
                depth_km=_number(props.get("depth")),
                magnitude=round(m, 1) if (m := _number(props.get("mag"))) is not None else None,
                location_text=str(props.get("place") or ""),
                tsunami_potential=None,
                details={"status": "automatic" if props.get("status") == "A" else "manual"},
            )
        )
    return quakes
