"""Team rules as plain functions: the status lifecycle, who to send, how long a team has served.

Lifecycle: siaga (standby) → dalam perjalanan (en route) → bertugas (on scene) → kembali
(returning) → siaga; a team at standby or returning may be made unavailable, and comes back to
standby. Going en route only happens by assignment, and leaving the scene (en route or on
scene → returning) is the stand-down that ends the assignment.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from command_center.base.errors import IllegalTransition
from command_center.services.exposure import haversine_km

STANDBY, EN_ROUTE, ON_SCENE, RETURNING, UNAVAILABLE = (
    "standby",
    "en_route",
    "on_scene",
    "returning",
    "unavailable",
)
DEPLOYED = frozenset({EN_ROUTE, ON_SCENE})
NEXT_STATUS = {
    STANDBY: (UNAVAILABLE,),
    EN_ROUTE: (ON_SCENE, RETURNING),
    ON_SCENE: (RETURNING,),
    RETURNING: (STANDBY, UNAVAILABLE),
    UNAVAILABLE: (STANDBY,),
}
"""The status changes a coordinator may make directly (assignment makes standby → en route)."""

KINDS = ("tagana", "tksk", "psm", "karang_taruna", "other")
SKILLS = (
    "SAR air",
    "evakuasi",
    "dapur umum",
    "shelter/huntara",
    "psikososial",
    "logistik",
    "medis dasar",
    "pendataan",
)
"""The common skills, offered in pick lists; teams may list others too."""


def check_transition(current: str, target: str) -> None:
    """Refuse a status change the lifecycle does not allow.

    Raises:
        IllegalTransition: with a hint naming the way that works (`assign`, `stand_down`,
            `standby_first` or `same`).
    """
    if target in NEXT_STATUS[current]:
        return
    if target == current:
        hint = "same"
    elif target in DEPLOYED:
        hint = "assign" if current == STANDBY else "standby_first"
    elif current in DEPLOYED:
        hint = "stand_down"
    else:
        hint = "standby_first"
    raise IllegalTransition(current, target, hint)


def normalise_skills(skills: Iterable[str]) -> list[str]:
    """Trimmed skills, spelled as in `SKILLS` when they match one, without repeats."""
    known = {s.casefold(): s for s in SKILLS}
    out: list[str] = []
    for raw in skills:
        skill = " ".join(str(raw).split())
        skill = known.get(skill.casefold(), skill)
        if skill and skill.casefold() not in {s.casefold() for s in out}:
            out.append(skill)
    return out


def _parts(skill: str) -> set[str]:
    return {part.strip() for part in skill.casefold().split("/")}


def has_skill(skills: Iterable[str], wanted: str | None) -> bool:
    """Whether a team lists `wanted` (any team when None); `shelter` matches `shelter/huntara`."""
    if not wanted:
        return True
    want = _parts(wanted)
    return any(_parts(skill) & want for skill in skills)


@dataclass(frozen=True)
class TeamPlace:
    """What a suggestion needs to know of a team."""

    id: int
    name: str
    status: str
    skills: tuple[str, ...]
    lat: float | None
    lon: float | None
    at_last_position: bool


@dataclass(frozen=True)
class Suggestion:
    team_id: int
    name: str
    distance_km: float
    skills: tuple[str, ...]
    at_last_position: bool


def suggest(
    teams: Iterable[TeamPlace], lat: float, lon: float, skill: str | None = None, limit: int = 5
) -> list[Suggestion]:
    """The nearest teams at standby with `skill`, nearest first (straight-line km)."""
    candidates = [
        t
        for t in teams
        if t.status == STANDBY and t.lat is not None and t.lon is not None
        if has_skill(t.skills, skill)
    ]
    if not candidates:
        return []
    km = haversine_km(
        lat, lon, np.array([t.lat for t in candidates]), np.array([t.lon for t in candidates])
    )
    order = np.argsort(km, kind="stable")[:limit]
    return [
        Suggestion(
            candidates[i].id,
            candidates[i].name,
            round(float(km[i]), 1),
            candidates[i].skills,
            candidates[i].at_last_position,
        )
        for i in order
    ]


@dataclass(frozen=True)
class TeamOnMap:
    name: str
    status: str
    lat: float
    lon: float
    target: tuple[float, float] | None  # the assigned kecamatan's centre, if deployed
    target_name: str | None = None
    incident_id: int | None = None  # the incident it is deployed to


def _position(row: Any) -> tuple[float | None, float | None, bool]:
    """Where a roster row's team is: (lat, lon, whether that is its last known position);
    its base when no position was reported."""
    known = bool(pd.notna(row.last_lat))
    lat, lon = (row.last_lat, row.last_lon) if known else (row.base_lat, row.base_lon)
    if pd.isna(lat):
        return None, None, known
    return float(lat), float(lon), known


def places(roster: pd.DataFrame) -> list[TeamPlace]:
    """What `suggest` needs of each team, from a `team_store.roster` frame."""
    return [
        TeamPlace(int(r.id), r.name, str(r.status), tuple(r.skills or ()), *_position(r))
        for r in roster.itertuples()
    ]


def on_map(roster: pd.DataFrame) -> list[TeamOnMap]:
    """Teams with a known position (last known, else base), from a `team_store.roster` frame."""
    teams = []
    for r in roster.itertuples():
        lat, lon, _ = _position(r)
        if lat is None:
            continue
        deployed = pd.notna(r.assigned_lat)
        teams.append(
            TeamOnMap(
                str(r.name),
                str(r.status),
                lat,
                lon,
                (float(r.assigned_lat), float(r.assigned_lon)) if deployed else None,
                str(r.assigned_kecamatan) if deployed else None,
                int(r.assigned_incident_id) if deployed else None,
            )
        )
    return teams


def days_on_duty(assigned_at: datetime | None, now: datetime) -> int | None:
    """The day of an assignment a team is on (day 1 is the first 24 hours), or None."""
    if assigned_at is None:
        return None
    return max(1, math.ceil((now - assigned_at).total_seconds() / 86400))
