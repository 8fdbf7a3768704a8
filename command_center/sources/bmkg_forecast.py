"""BMKG public weather forecast (`api.bmkg.go.id/publik/prakiraan-cuaca?adm4=…`).

Keyed by Kemendagri codes: `lokasi.adm3` is the kecamatan code. `data[0].cuaca` is a list of
lists (one per day, uneven lengths) of 3-hourly slots; `datetime` is ISO UTC with `Z`.
BMKG asks for credit on screen and allows 60 requests per minute per IP.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from command_center.base.errors import FeedFormatError


@dataclass(frozen=True)
class ForecastSlot:
    time_utc: datetime
    weather_code: int | None
    description_id: str
    description_en: str
    temperature_c: float | None
    humidity_pct: float | None
    rain_mm: float | None
    wind_kmh: float | None
    wind_from: str
    visibility: str


@dataclass(frozen=True)
class Forecast:
    adm4: str
    kecamatan_code: str
    desa: str
    slots: tuple[ForecastSlot, ...]


def parse_forecast(payload: bytes) -> Forecast:
    """One location's forecast, slots in time order.

    Raises:
        FeedFormatError: not JSON, or no `lokasi`/`data[0].cuaca`.
    """
    try:
        document = json.loads(payload.decode("utf-8-sig"))
        where, days = document["lokasi"], document["data"][0]["cuaca"]
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise FeedFormatError(f"forecast: not valid JSON: {exc}") from exc
    except (KeyError, IndexError, TypeError) as exc:
        raise FeedFormatError("forecast: no lokasi or data[0].cuaca") from exc
    slots = []
    for day in days:
        for slot in day:
            try:
                time_utc = datetime.fromisoformat(slot["datetime"].replace("Z", "+00:00"))
            except (KeyError, ValueError) as exc:
                raise FeedFormatError(f"forecast: slot without a valid datetime: {exc}") from exc
            slots.append(
                ForecastSlot(
                    time_utc=time_utc.astimezone(UTC),
                    weather_code=slot.get("weather"),
                    description_id=str(slot.get("weather_desc", "")),
                    description_en=str(slot.get("weather_desc_en", "")),
                    temperature_c=slot.get("t"),
                    humidity_pct=slot.get("hu"),
                    rain_mm=slot.get("tp"),
                    wind_kmh=slot.get("ws"),
                    wind_from=str(slot.get("wd", "")),
                    visibility=str(slot.get("vs_text", "")),
                )
            )
    return Forecast(
        adm4=str(where.get("adm4", "")),
        kecamatan_code=str(where.get("adm3", "")),
        desa=str(where.get("desa", "")),
        slots=tuple(sorted(slots, key=lambda s: s.time_utc)),
    )
