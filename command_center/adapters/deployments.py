"""Deployments page: the status board, assignment with suggestions, team status and history,
the editable roster and its import. Reads are cached briefly; every write clears them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd

from command_center.base import resources
from command_center.base.auth import Principal, within
from command_center.base.labels import action_label, change_text, kind_label, status_label, t
from command_center.base.models import (
    Area,
    AuditEntry,
    Deployment,
    HazardEvent,
    Incident,
    IncidentArea,
    Team,
    TeamStatus,
)
from command_center.base.times import format_wib, utcnow
from command_center.services import teams as rules
from command_center.services.roster import TeamInput
from command_center.stores import common as store
from command_center.stores import imports
from command_center.stores import teams as team_store
from command_center.stores.teams import TeamDetail

EDITABLE = ("name", "kind", "member_count", "skills", "equipment", "contact_name", "contact_phone")


@dataclass(frozen=True)
class BoardCard:
    name: str
    where: str  # the assignment, the reason it is unavailable, or the home kabupaten
    days: int | None  # day of the current assignment
    over_limit: bool


@dataclass(frozen=True)
class BoardView:
    counts: dict[str, int]  # status -> teams (every status, zeros included)
    columns: dict[str, list[BoardCard]]  # status -> its teams
    over_duty: list[str]  # teams on duty longer than the configured limit
    teams_on_map: list[rules.TeamOnMap]
    any_exercise: bool
    empty: bool


@dataclass(frozen=True)
class Choices:
    """Options for the filters: code -> label."""

    provinces: dict[str, str]
    kabupaten: dict[str, str]
    skills: list[str]


@resources.cached(Area, Deployment, Team, ttl=15)
def _roster() -> pd.DataFrame:
    """The roster with what the loaders below derive from it; one query serves them all."""
    roster = team_store.roster(resources.engine())
    roster["status"] = roster["status"].astype(str)
    roster["province_code"] = roster["home_kabupaten_code"].str[:2]
    roster["days"] = [
        rules.days_on_duty(at, utcnow()) if pd.notna(at) else None for at in roster["assigned_at"]
    ]
    return roster


@resources.cached(Area, Deployment, Team, ttl=15)
def load_choices() -> Choices:
    roster = _roster()
    provinces = {c: resources.area_name(c) for c in sorted(roster["province_code"].unique())}
    kabupaten = dict(zip(roster["home_kabupaten_code"], roster["home_kabupaten"], strict=True))
    skills = sorted({s for skills in roster["skills"] for s in skills} | set(rules.SKILLS))
    return Choices(provinces, dict(sorted(kabupaten.items())), skills)


def _where(row: Any, lang: str) -> str:
    if pd.notna(row.assigned_kecamatan_code):
        return f"{row.assigned_kecamatan} ({row.assigned_kecamatan_code}) · {row.task}"
    if row.status == rules.UNAVAILABLE and row.status_reason:
        until = (
            f" · {format_wib(row.unavailable_until, lang)}"
            if pd.notna(row.unavailable_until)
            else ""
        )
        return f"{row.status_reason}{until}"
    return str(row.home_kabupaten)


@resources.cached(Area, Deployment, Team, ttl=15)
def load_board(
    lang: str, province: str | None = None, kabupaten: str | None = None, skill: str | None = None
) -> BoardView:
    """Teams by status after the filters, who has served too long, and where everyone is."""
    roster = _roster()
    shown = roster[
        (roster["province_code"] == province if province else True)
        & (roster["home_kabupaten_code"] == kabupaten if kabupaten else True)
        & roster["skills"].map(lambda s: rules.has_skill(s, skill))
    ]
    limit = resources.settings().duty_days_warning
    columns = {
        status.value: [
            BoardCard(
                r.name,
                _where(r, lang),
                None if pd.isna(r.days) else int(r.days),
                bool(r.days > limit),
            )
            for r in shown[shown["status"] == status.value].itertuples()
        ]
        for status in TeamStatus
    }
    over = shown[shown["days"].fillna(0) > limit]["name"].tolist()
    return BoardView(
        counts={s.value: len(columns[s.value]) for s in TeamStatus},
        columns=columns,
        over_duty=over,
        teams_on_map=rules.on_map(shown),
        any_exercise=bool(roster["is_exercise"].any()),
        empty=roster.empty,
    )


@resources.cached(HazardEvent, Incident, IncidentArea, ttl=15)
def load_open_incidents(actor: Principal) -> dict[int, str]:
    """Open incidents with a kecamatan inside `actor`'s scope, to send teams to: id -> name."""
    return {
        i.id: i.name
        for i in store.incidents(resources.engine())
        if i.status == "open" and any(actor.covers(code) for code in i.kecamatan_codes)
    }


def _teams_of(actor: Principal) -> pd.DataFrame:
    """The roster's teams based inside `actor`'s scope (those `actor` may change)."""
    roster = _roster()
    return roster.loc[[actor.covers(code) for code in roster["home_kabupaten_code"]]]


@resources.cached(Area, Deployment, Team, ttl=15)
def load_suggestions(
    kecamatan_code: str, skill: str | None, actor: Principal, lang: str
) -> pd.DataFrame:
    """Nearest teams at standby with the skill that `actor` may send; the index is the team
    id."""
    geography = resources.geography()
    if geography is None:
        return pd.DataFrame()
    centre = geography.centre(kecamatan_code)
    found = rules.suggest(rules.places(_teams_of(actor)), centre.y, centre.x, skill, 8)
    return pd.DataFrame(
        {
            t("col_team", lang): [s.name for s in found],
            t("col_distance_km", lang): [s.distance_km for s in found],
            t("col_skills", lang): [", ".join(s.skills) for s in found],
            t("col_position", lang): [
                t("position_last" if s.at_last_position else "position_base", lang) for s in found
            ],
        },
        index=pd.Index([s.team_id for s in found], name="id"),
    )


@resources.cached(Area, Deployment, Team, ttl=15)
def load_team_names(actor: Principal, lang: str) -> dict[int, str]:
    """The teams `actor` may change: id -> "name · status"."""
    roster = _teams_of(actor)
    return {int(r.id): f"{r.name} · {status_label(r.status, lang)}" for r in roster.itertuples()}


@resources.cached(Area, Deployment, Team, ttl=15)
def load_team_versions() -> dict[int, int]:
    """Every team's current version: what a change made now would be based on."""
    roster = _roster()
    return dict(zip(roster["id"].astype(int), roster["version"].astype(int), strict=True))


@resources.cached()
def load_kecamatan_options(actor: Principal) -> dict[str, str]:
    """The kecamatan inside `actor`'s scope for a home-base pick list: code -> "name,
    kabupaten (code)"."""
    geography = resources.geography()
    if geography is None:
        return {}
    layer = geography.kecamatan
    return within(
        actor,
        {
            code: f"{name}, {kab} ({code})"
            for code, name, kab in zip(
                layer.index, layer["kecamatan"], layer["kabupaten"], strict=True
            )
        },
    )


def load_team(team_id: int) -> TeamDetail:
    """A team as it is now (not cached: its version guards the next change)."""
    return team_store.team_detail(resources.engine(), team_id)


@resources.cached(Area, Deployment, Team, ttl=15)
def current_assignment(team_id: int) -> dict[str, Any] | None:
    roster = _roster()
    row = roster[roster["id"] == team_id]
    if row.empty or pd.isna(row.iloc[0]["assigned_kecamatan_code"]):
        return None
    r = row.iloc[0]
    return {
        "kecamatan": f"{r.assigned_kecamatan} ({r.assigned_kecamatan_code})",
        "since": r.assigned_at,
        "days": int(r.days),
        "task": r.task,
        "over_limit": r.days > resources.settings().duty_days_warning,
    }


@resources.cached(AuditEntry, ttl=15)
def load_history(team_id: int, lang: str) -> pd.DataFrame:
    entries = team_store.history(resources.engine(), team_id)
    return pd.DataFrame(
        {
            t("col_time", lang): [format_wib(at, lang) for at in entries["at"]],
            t("col_by", lang): entries["actor"],
            t("col_action", lang): [action_label(a, lang) for a in entries["action"]],
            t("col_change", lang): [
                change_text(b, a, lang)
                for b, a in zip(entries["before"], entries["after"], strict=True)
            ],
        }
    )


@resources.cached(Area, Deployment, Team, ttl=15)
def load_roster_table() -> pd.DataFrame:
    """The editable roster: our field names, skills as text; index = id, `version` kept."""
    roster = _roster().set_index("id")
    table = roster[["version", *EDITABLE, "home_kecamatan_code"]].copy()
    table["skills"] = [", ".join(s) for s in table["skills"]]
    text = table.select_dtypes(exclude="number").columns
    table[text] = table[text].fillna("")  # an empty cell to type in (saved as no value)
    return table


def assign_team(team_id: int, version: int, job: dict[str, Any], actor: Principal) -> int:
    engine = resources.engine()
    return resources.written(team_store.assign(engine, team_id, version, job, actor))


def set_status(
    team_id: int,
    version: int,
    target: str,
    actor: Principal,
    reason: str | None,
    until: datetime | None,
) -> None:
    engine = resources.engine()
    resources.written(
        team_store.change_status(engine, team_id, version, target, actor, reason, until)
    )


def stand_down(team_id: int, version: int, actor: Principal) -> None:
    resources.written(team_store.stand_down(resources.engine(), team_id, version, actor))


def add_team(values: dict[str, Any], actor: Principal) -> int:
    entry = TeamInput.check(values, resources.geography())
    return resources.written(team_store.create_team(resources.engine(), entry, actor))


def save_team(team_id: int, version: int, values: dict[str, Any], actor: Principal) -> None:
    entry = TeamInput.check(values, resources.geography())
    resources.written(team_store.update_team(resources.engine(), team_id, version, entry, actor))


def save_members(
    team_id: int, version: int, members: list[dict[str, Any]], actor: Principal
) -> None:
    engine = resources.engine()
    resources.written(team_store.set_members(engine, team_id, version, members, actor))


def import_roster(
    data: bytes, file_name: str, actor: Principal, progress: imports.Progress
) -> imports.ImportReport:
    engine, geography = resources.engine(), resources.geography()
    limits = resources.settings().import_limits
    return resources.written(
        team_store.import_roster(engine, data, file_name, geography, actor, limits, progress)
    )


def preview_roster(data: bytes, file_name: str, actor: Principal) -> imports.Table:
    limits = resources.settings().import_limits
    return imports.preview(
        data, file_name, team_store.ROSTER, team_store.TEAM_HEADERS, actor, limits
    )


def resubmit(edits: dict[int, dict[str, Any]], actor: Principal) -> imports.ImportReport:
    engine, geography = resources.engine(), resources.geography()
    return resources.written(team_store.resubmit_roster(engine, edits, geography, actor))


def kind_options(lang: str) -> dict[str, str]:
    return {k: kind_label(k, lang) for k in rules.KINDS}
