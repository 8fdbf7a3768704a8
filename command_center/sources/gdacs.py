"""GDACS RSS (https://www.gdacs.org/xml/rss.xml): floods, tropical cyclones, volcanoes,
droughts, wildfires and earthquakes with their alert level, kept to items about Indonesia.

Quirks: a UTF-8 BOM; `gdacs:`, `geo:` and `georss:` namespaces; RFC-822 dates; `gdacs:bbox`
is "lonmin lonmax latmin latmax"; an earthquake's magnitude is in `gdacs:severity`'s value.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from command_center.base.errors import FeedFormatError
from command_center.sources.xml import parse_xml

NS = {
    "gdacs": "http://www.gdacs.org",
    "geo": "http://www.w3.org/2003/01/geo/wgs84_pos#",
}
# A coarse first cut (Indonesia and its seas); whether an event concerns Indonesia is then
# decided by the kecamatan it reaches, when proposals are made.
REGION = (94.0, -12.0, 142.0, 7.0)


@dataclass(frozen=True)
class GdacsEvent:
    event_type: str  # EQ, FL, TC, VO, DR, WF
    event_id: str
    episode_id: str
    alert_level: str  # Green, Orange, Red
    title: str
    country: str
    from_utc: datetime
    to_utc: datetime | None
    lat: float
    lon: float
    severity: str
    magnitude: float | None  # earthquakes only
    link: str | None
    is_current: bool


def _date(text: str | None) -> datetime | None:
    if not text or not text.strip():
        return None
    try:
        return parsedate_to_datetime(text.strip()).astimezone(UTC)
    except (TypeError, ValueError) as exc:
        raise FeedFormatError(f"GDACS RSS: bad date {text!r}") from exc


def parse_gdacs(
    payload: bytes, region: tuple[float, float, float, float] = REGION
) -> list[GdacsEvent]:
    """The items of a GDACS RSS that name Indonesia or lie in `region`.

    Raises:
        FeedFormatError: not RSS, or an item without event id, type or point.
    """
    root = parse_xml(payload, "GDACS RSS", "rss")
    events = []
    for index, item in enumerate(root.iterfind("channel/item")):
        try:
            event = _event(item)
        except (TypeError, ValueError) as exc:
            raise FeedFormatError(f"GDACS RSS: item {index}: {exc}") from exc
        min_lon, min_lat, max_lon, max_lat = region
        inside = min_lon <= event.lon <= max_lon and min_lat <= event.lat <= max_lat
        if inside or "indonesia" in event.country.lower():
            events.append(event)
    return events


def _event(item: Any) -> GdacsEvent:
    def text(tag: str) -> str:
        return (item.findtext(tag, namespaces=NS) or "").strip()

    event_type, event_id = text("gdacs:eventtype"), text("gdacs:eventid")
    if not event_type or not event_id:
        raise ValueError("no gdacs:eventtype or gdacs:eventid")
    lat, lon = float(text("geo:Point/geo:lat")), float(text("geo:Point/geo:long"))
    severity = item.find("gdacs:severity", NS)
    value = severity.get("value") if severity is not None else None
    return GdacsEvent(
        event_type=event_type.upper(),
        event_id=event_id,
        episode_id=text("gdacs:episodeid"),
        alert_level=text("gdacs:alertlevel").capitalize() or "Green",
        title=text("title"),
        country=text("gdacs:country"),
        from_utc=_date(text("gdacs:fromdate")) or _date(text("pubDate")),  # type: ignore[arg-type]
        to_utc=_date(text("gdacs:todate")),
        lat=lat,
        lon=lon,
        severity=(severity.text or "").strip() if severity is not None else "",
        magnitude=float(value) if event_type.upper() == "EQ" and value else None,
        link=text("link") or None,
        is_current=text("gdacs:iscurrent").lower() != "false",
    )
