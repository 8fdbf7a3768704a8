"""Rules on hazard events as plain data: when two reports are one earthquake, which hazard a
warning means, which warnings and alerts propose an incident, and how old is too old.

Every threshold an operator might ask about is here, in one place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from command_center.services.exposure import haversine_km

# Revisions of one earthquake by the same agency (automatic then reviewed solution): BMKG's
# Flores 2021-12-14 event moved 1 s, 2 km and 0.1 magnitude between the two.
REVISION_SECONDS = 10
REVISION_KM = 50.0
REVISION_MAGNITUDE = 1.0
# The same earthquake reported by two agencies (BMKG and USGS or GDACS).
TWIN_SECONDS = 60
TWIN_KM = 100.0
TWIN_MAGNITUDE = 0.7

# CAP severities that propose an incident; Moderate and Minor are shown only.
PROPOSING_SEVERITIES = ("Severe", "Extreme")
# CAP `event` wording → our hazard, first match wins (BMKG: "Hujan Sangat Lebat", "Angin
# Kencang", "Hujan Lebat disertai Angin Kencang", "Gelombang Tinggi", "Hujan Es" ...).
CAP_HAZARDS = (
    (re.compile(r"puting beliung|hujan es|angin kencang(?!.*hujan)", re.I), "cuaca_ekstrem"),
    (re.compile(r"hujan", re.I), "banjir"),
    (re.compile(r"gelombang", re.I), "gelombang_pasang"),
    (re.compile(r"kebakaran|titik panas", re.I), "karhutla"),
)

# GDACS event types → our hazards; Orange and Red propose, Green is shown only.
GDACS_HAZARDS = {
    "EQ": "gempa_bumi",
    "FL": "banjir",
    "TC": "cuaca_ekstrem",
    "VO": "erupsi",
    "DR": "kekeringan",
    "WF": "karhutla",
}
GDACS_KINDS = {
    "EQ": "earthquake",
    "FL": "flood",
    "TC": "tropical_cyclone",
    "VO": "volcano",
    "DR": "drought",
    "WF": "wildfire",
}
GDACS_PROPOSING = ("Orange", "Red")
# How far from a GDACS point its incident's first area reaches, by type (km).
GDACS_REACH_KM = {"FL": 50.0, "TC": 150.0, "VO": 15.0, "DR": 100.0, "WF": 25.0}

# InaTEWS warning levels, weakest first.
TSUNAMI_LEVELS = ("WASPADA", "SIAGA", "AWAS")
TSUNAMI_WARNING_HOURS = 12  # a warning with no end message is taken as over after this
TSUNAMI_REACH_KM = 200.0  # coast proposed for an earthquake BMKG says may cause a tsunami


@dataclass(frozen=True)
class Solution:
    """One earthquake solution: enough to tell revisions and twins apart."""

    time: datetime
    lat: float
    lon: float
    magnitude: float | None


def _close(a: Solution, b: Solution, seconds: float, km: float, magnitude: float) -> bool:
    if abs((a.time - b.time).total_seconds()) > seconds:
        return False
    if float(haversine_km(a.lat, a.lon, b.lat, b.lon)) > km:
        return False
    return None in (a.magnitude, b.magnitude) or abs(a.magnitude - b.magnitude) <= magnitude  # type: ignore[operator]


def is_revision(a: Solution, b: Solution) -> bool:
    """Two solutions from one agency of the same earthquake (seconds and tens of km apart)."""
    return _close(a, b, REVISION_SECONDS, REVISION_KM, REVISION_MAGNITUDE)


def is_twin(a: Solution, b: Solution) -> bool:
    """Two agencies' solutions of the same earthquake."""
    return _close(a, b, TWIN_SECONDS, TWIN_KM, TWIN_MAGNITUDE)


def cap_hazard(event: str) -> str:
    """The hazard a CAP `event` text means (cuaca_ekstrem when none is recognised)."""
    return next(
        (hazard for pattern, hazard in CAP_HAZARDS if pattern.search(event)), "cuaca_ekstrem"
    )


def too_old(event_time: datetime, first_seen: datetime, max_age_h: float | None) -> bool:
    """An event first seen more than `max_age_h` after it happened is history (BMKG's lists
    repeat events for days); None means any age may propose (an archive replay on request)."""
    return max_age_h is not None and first_seen - event_time > timedelta(hours=max_age_h)


def strongest_level(levels: list[str]) -> str | None:
    """The highest InaTEWS level among `levels` (unknown words are ignored)."""
    known = [level.upper() for level in levels if level.upper() in TSUNAMI_LEVELS]
    return max(known, key=TSUNAMI_LEVELS.index) if known else None
