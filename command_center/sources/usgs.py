"""USGS GeoJSON summary feeds: a second earthquake source, kept to the Indonesian region."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from command_center.base.errors import FeedFormatError
from command_center.sources.bmkg_quakes import Quake

# A coarse first cut: Indonesia and its seas (lon 94..142 E, lat 12 S..7 N). It takes in parts of
# Mindanao and Timor-Leste, so it only decides what is stored and drawn; whether an event
# concerns Indonesia (proposes an incident) is decided by the kecamatan it reaches.
REGION = (94.0, -12.0, 142.0, 7.0)


def parse_usgs(payload: bytes, region: tuple[float, float, float, float] = REGION) -> list[Quake]:
    """Earthquakes inside `region` (min lon, min lat, max lon, max lat) from a summary feed.

    Raises:
        FeedFormatError: not a GeoJSON FeatureCollection, or a feature without id/time/point.
    """
    try:
        features = json.loads(payload.decode("utf-8-sig"))["features"]
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise FeedFormatError(f"USGS feed: not valid JSON: {exc}") from exc
    except (KeyError, TypeError) as exc:
        raise FeedFormatError("USGS feed: no features") from exc
    min_lon, min_lat, max_lon, max_lat = region
    quakes = []
    for index, feature in enumerate(features):
        try:
            lon, lat, depth = (float(v) for v in feature["geometry"]["coordinates"][:3])
            props = feature["properties"]
            event_id = str(feature["id"])
            time_utc = datetime.fromtimestamp(props["time"] / 1000, tz=UTC)
        except (KeyError, TypeError, ValueError) as exc:
            raise FeedFormatError(f"USGS feed: features[{index}]: {exc!r}") from exc
        if not (min_lon <= lon <= max_lon and min_lat <= lat <= max_lat):
            continue
        quakes.append(
            Quake(
                source="usgs",
                event_id=event_id,
                time_utc=time_utc,
                lat=lat,
                lon=lon,
                depth_km=depth,
                magnitude=float(props["mag"]) if props.get("mag") is not None else None,
                location_text=str(props.get("place") or ""),
                tsunami_potential=False,  # BMKG decides tsunami potential for Indonesia
                details={
                    "url": props.get("url"),
                    "status": props.get("status"),
                    "usgs_tsunami_flag": bool(props.get("tsunami")),
                },
            )
        )
    return quakes
