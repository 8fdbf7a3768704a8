"""BMKG nowcast weather warnings: the RSS list and the CAP 1.2 alerts it links to.

Parsed with defusedxml. CAP polygons are "lat,lon lat,lon …" (lat first); one `<area>` may
hold many `<polygon>`s. Times carry their offset (+07:00) and are converted to UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from command_center.base.errors import FeedFormatError
from command_center.sources.xml import parse_xml

CAP = "{urn:oasis:names:tc:emergency:cap:1.2}"


@dataclass(frozen=True)
class WeatherWarning:
    """One CAP alert, in our names; polygons are rings of (lon, lat)."""

    identifier: str
    sent_utc: datetime
    effective_utc: datetime | None
    expires_utc: datetime | None
    event: str
    severity: str
    urgency: str
    certainty: str
    headline: str
    description: str
    area: str
    polygons: tuple[tuple[tuple[float, float], ...], ...]
    link: str | None = None
    msg_type: str = "Alert"  # or "Update" / "Cancel" of the alerts in `references`
    references: tuple[str, ...] = ()  # identifiers of the earlier alerts it updates or cancels


def parse_rss(payload: bytes) -> list[tuple[str, str]]:
    """(CAP identifier, CAP alert URL) of every item in the nowcast RSS, in feed order."""
    root = parse_xml(payload, "nowcast RSS", "rss")
    items = []
    for item in root.iterfind("channel/item"):
        link, guid = (item.findtext("link") or "").strip(), (item.findtext("guid") or "").strip()
        if link:
            items.append((guid or link, link))
    return items


def parse_cap(payload: bytes, link: str | None = None) -> WeatherWarning:
    """One CAP 1.2 alert.

    Raises:
        FeedFormatError: not CAP 1.2, or a required element (identifier, sent, info) is missing.
    """
    root = parse_xml(payload, "CAP alert", f"{CAP}alert")
    info = root.find(f"{CAP}info")
    identifier, sent = root.findtext(f"{CAP}identifier"), root.findtext(f"{CAP}sent")
    if info is None or not identifier or not sent:
        raise FeedFormatError("CAP alert: identifier, sent and info are required")

    def text(tag: str) -> str:
        return (info.findtext(f"{CAP}{tag}") or "").strip()

    polygons = tuple(
        _polygon(element.text or "", identifier)
        for element in info.iterfind(f"{CAP}area/{CAP}polygon")
    )
    return WeatherWarning(
        identifier=identifier.strip(),
        sent_utc=_time(sent),
        effective_utc=_time(text("effective")) if text("effective") else None,
        expires_utc=_time(text("expires")) if text("expires") else None,
        event=text("event"),
        severity=text("severity"),
        urgency=text("urgency"),
        certainty=text("certainty"),
        headline=text("headline"),
        description=text("description"),
        area=_area(info),
        polygons=polygons,
        link=link,
        msg_type=(root.findtext(f"{CAP}msgType") or "Alert").strip(),
        references=_references(root.findtext(f"{CAP}references") or ""),
    )


def _references(text: str) -> tuple[str, ...]:
    """CAP `references`: space-separated "sender,identifier,sent" triples → identifiers."""
    parts = [triple.split(",") for triple in text.split()]
    return tuple(p[1].strip() for p in parts if len(p) == 3 and p[1].strip())


def _area(info: Any) -> str:
    return ", ".join((a.text or "").strip() for a in info.iterfind(f"{CAP}area/{CAP}areaDesc"))


def _time(value: str) -> datetime:
    try:
        return datetime.fromisoformat(value.strip()).astimezone(UTC)
    except ValueError as exc:
        raise FeedFormatError(f"CAP alert: bad time {value!r}") from exc


def _polygon(text: str, identifier: str) -> tuple[tuple[float, float], ...]:
    try:
        pairs = [pair.split(",") for pair in text.split()]
        ring = tuple((float(lon), float(lat)) for lat, lon in pairs)
    except ValueError as exc:
        raise FeedFormatError(f"CAP alert {identifier}: bad polygon {text[:40]!r}") from exc
    if len(ring) < 4:
        raise FeedFormatError(f"CAP alert {identifier}: polygon with {len(ring)} points")
    return ring
