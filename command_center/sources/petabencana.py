"""PetaBencana.id community flood reports (its public `/reports` GeoJSON, or an archive of it).

Each report is a point with its time, the app it came from (grasp, qlue, detik), the flood depth
the resident gave (cm, often none) and their text. They are residents' reports, never
verified by anyone: shown apart from official figures and never counted as them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from command_center.base.times import WIB, as_utc


@dataclass(frozen=True)
class CommunityReport:
    external_id: str  # PetaBencana's `pkey`, or a digest of what the report says
    app: str
    created_at: datetime  # UTC
    lat: float
    lon: float
    depth_cm: int | None
    text: str
    image_url: str | None


def _time(text: str) -> datetime:
    """PetaBencana's `created_at`: with a zone, or (as in its archive) local time, UTC+7."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return as_utc(moment if moment.tzinfo else moment.replace(tzinfo=WIB))


def parse_reports(payload: bytes) -> list[CommunityReport]:
    """The point reports of a GeoJSON FeatureCollection; features without a point are skipped."""
    data = json.loads(payload)
    if isinstance(data, dict) and "result" in data:  # the live API wraps its collection
        data = data["result"]
    reports = []
    for feature in data["features"]:
        geometry = feature.get("geometry") or {}
        if geometry.get("type") != "Point":
            continue
        lon, lat = (float(v) for v in geometry["coordinates"][:2])
        props = feature.get("properties") or {}
        depth = (props.get("report_data") or {}).get("flood_depth")
        app = str(props.get("source") or "petabencana")
        created = str(props["created_at"])
        said = f"{created}|{lon}|{lat}|{app}|{props.get('text')}|{props.get('image_url')}"
        key = props.get("pkey") or hashlib.sha256(said.encode()).hexdigest()
        reports.append(
            CommunityReport(
                external_id=str(key)[:64],
                app=app[:40],
                created_at=_time(created),
                lat=lat,
                lon=lon,
                depth_cm=int(depth) if depth is not None else None,
                text=str(props.get("text") or "").strip()[:1000],
                image_url=props.get("image_url") or None,
            )
        )
    return reports
