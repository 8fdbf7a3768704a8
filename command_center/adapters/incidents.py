"""Incidents page (list, one incident's view, its changes), and the incident pick lists
shared by the Tagana and reports pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pandas as pd

from command_center.base import resources
from command_center.base.auth import Principal, within
from command_center.base.errors import NotFound
from command_center.base.labels import action_label, change_text, status_label, t
from command_center.base.models import (
    Alert,
    Area,
    Deployment,
    HazardEvent,
    Household,
    HouseholdMember,
    ImpactReport,
    Incident,
    IncidentArea,
    IncidentEvent,
    IncidentPhase,
    IncidentStatus,
    Sitrep,
    SitrepFile,
    Team,
)
from command_center.base.times import format_local, format_wib, today_in, utcnow
from command_center.services import exports, sitrep
from command_center.services.alerts import covers
from command_center.services.incidents import (
    IncidentFilters,
    PhaseRecord,
    filter_incidents,
    phase_day,
    phase_line,
    zone_of,
)
from command_center.services.reports import counted
from command_center.stores import alerts as alert_store
from command_center.stores import common as store
from command_center.stores import hazards as hazard_store
from command_center.stores import households as household_store
from command_center.stores import incidents as incident_store
from command_center.stores import reports as report_store
from command_center.stores import sitreps as sitrep_store
from command_center.stores import teams as team_store
from command_center.stores.incidents import NewIncident


@resources.cached(IncidentArea, ttl=60)
def load_incident_kecamatan(incident_id: int) -> dict[str, str]:
    """The incident's kecamatan, then the rest of its kabupaten: code -> "name (code)"."""
    codes = list(store.incident_kecamatan(resources.engine(), incident_id))
    geography = resources.geography()
    if geography is not None and codes:
        same = geography.kecamatan["kode_kab"].isin({c[:5] for c in codes})
        codes += sorted(set(geography.kecamatan.index[same]) - set(codes))
    name = geography.name if geography is not None else str
    return {c: f"{name(c)} ({c})" for c in codes}


@resources.cached(Deployment, ImpactReport, Incident, IncidentArea, IncidentPhase, ttl=30)
def _incident_frame() -> pd.DataFrame:
    """Every incident with the phase in force today, in its own zone, and its day count (our
    column names)."""
    engine = resources.engine()
    frame = incident_store.incident_frame(engine)
    phases = store.all_phases(engine)
    days = [today_in(zone_of(code)) for code in frame["area_code"]]
    decrees = [phases.get(i, []) for i in frame["id"]]
    found = [phase_day(p, day) for p, day in zip(decrees, days, strict=True)]
    frame["phase"] = [f[0].phase if f else "none" for f in found]
    frame["phase_line"] = [phase_line(p, day) or "" for p, day in zip(decrees, days, strict=True)]
    return frame


@resources.cached(HazardEvent, Incident, IncidentArea)
def visible(scope: str | None) -> frozenset[int]:
    """The incidents a user of `scope` sees: those with a kecamatan inside it (as their
    alerts reach them); every one for the unscoped."""
    return frozenset(
        i.id
        for i in store.incidents(resources.engine(), include_closed=True)
        if covers(scope, i.kecamatan_codes)
    )


def load_proposals(lang: str) -> pd.DataFrame:
    """Proposed incidents waiting for an operator, newest first (labelled; index = id, with
    the `version` to decide on)."""
    frame = _incident_frame()
    frame = frame[frame["status"] == "proposed"]
    table = pd.DataFrame(
        {
            t("col_name", lang): frame["name"],
            t("field_hazard", lang): [t(f"hazard_{h}", lang) for h in frame["hazard"]],
            t("col_area", lang): [
                area_label(c) if isinstance(c, str) else "—" for c in frame["area_code"]
            ],
            t("col_kecamatan", lang): frame["kecamatan"],
            t("col_started", lang): [format_wib(v, lang) for v in frame["started_at"]],
            "version": frame["version"],
        }
    )
    table.index = pd.Index(frame["id"].astype(int), name="id")
    return table


def decidable_proposals(actor: Principal) -> set[int]:
    """The proposals `actor` may confirm or dismiss: those whose area lies in its scope."""
    frame = _incident_frame()
    frame = frame[frame["status"] == "proposed"]
    return {
        int(i)
        for i, area in zip(frame["id"], frame["area_code"], strict=True)
        if actor.covers(area if isinstance(area, str) else None)
    }


def proposal_count() -> int:
    """How many proposals wait (the badge on the incidents page)."""
    return int((_incident_frame()["status"] == "proposed").sum())


def decide_proposal(incident_id: int, version: int, confirm: bool, actor: Principal) -> None:
    """Confirm (open) or dismiss (close) a proposal.

    Raises:
        StaleRecord: someone else decided it first.
    """
    status = IncidentStatus.OPEN if confirm else IncidentStatus.CLOSED
    resources.written(
        store.set_incident_status(resources.engine(), incident_id, version, status, actor)
    )


def load_incidents(filters: IncidentFilters, lang: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The incidents list as shown (labelled columns, index = incident id) and its counts by
    status and hazard, both narrowed by `filters`."""
    frame = filter_incidents(_incident_frame(), filters)
    geography = resources.geography()
    name = geography.name if geography is not None else str
    table = pd.DataFrame(
        {
            t("col_incident", lang): frame["name"],
            t("field_hazard", lang): [t(f"hazard_{h}", lang) for h in frame["hazard"]],
            t("col_status", lang): [t(f"status_incident_{s}", lang) for s in frame["status"]],
            t("field_phase", lang): [line or "-" for line in frame["phase_line"]],
            t("col_area", lang): [
                name(c) if c else t("national", lang) for c in frame["area_code"]
            ],
            t("field_started_at", lang): [
                format_local(v, zone_of(c), lang)
                for v, c in zip(frame["started_at"], frame["area_code"], strict=True)
            ],
            t("col_kecamatan_count", lang): frame["kecamatan"],
            t("col_reports", lang): frame["reports"],
            t("teams_deployed", lang): frame["teams"],
            t("exercise", lang): [t("yes" if e else "no", lang) for e in frame["is_exercise"]],
        }
    ).set_index(frame["id"])
    counts = (
        frame.assign(
            hazard=[t(f"hazard_{h}", lang) for h in frame["hazard"]],
            status=[t(f"status_incident_{s}", lang) for s in frame["status"]],
        )
        .pivot_table(index="hazard", columns="status", values="id", aggfunc="count", fill_value=0)
        .rename_axis(index=t("field_hazard", lang), columns=None)
    )
    return table, counts


def incidents_csv(table: pd.DataFrame) -> bytes:
    """The list as shown, as CSV (closed incidents too, when listed); cells a spreadsheet
    would run as formulas are made inert."""
    return exports.to_csv(table.reset_index(names="id"))


@dataclass(frozen=True)
class IncidentView:
    """One incident's own page: the record, its phases, area, teams and audit trail."""

    record: store.IncidentRecord
    description: str | None
    merged_into: str | None
    phase_line: str | None
    phases: pd.DataFrame
    decrees: tuple[PhaseRecord, ...]  # the rows of `phases`, for the confirm control
    kecamatan: pd.DataFrame
    reports: pd.DataFrame  # the latest verified figures per kecamatan
    outside: pd.DataFrame  # reports and deployments in kecamatan no longer in the area
    teams: pd.DataFrame
    audit: pd.DataFrame
    zone: str


@resources.cached(
    Area,
    Deployment,
    ImpactReport,
    Incident,
    IncidentArea,
    IncidentEvent,
    IncidentPhase,
    Team,
    ttl=15,
)
def load_incident(incident_id: int, lang: str) -> IncidentView | None:
    engine = resources.engine()
    record = next((i for i in store.incidents(engine, True) if i.id == incident_id), None)
    if record is None:
        return None
    details = incident_store.incident_details(engine, incident_id)
    history = store.phases(engine, incident_id)
    zone = zone_of(record.kabupaten_code)
    geography = resources.geography()
    name = geography.name if geography is not None else str
    codes = set(record.kecamatan_codes)
    versions = report_store.all_versions(engine, incident_id)
    roster = team_store.roster(engine)
    mine = roster[roster["assigned_incident_id"] == incident_id]
    outside = sorted(
        {*versions["kecamatan_code"], *mine["assigned_kecamatan_code"].dropna()} - codes
    )
    lines = sitrep.kecamatan_lines(counted(versions))
    return IncidentView(
        record=record,
        description=details.description,
        merged_into=details.merged_into,
        phase_line=phase_line(history, today_in(zone), lang),
        phases=pd.DataFrame(
            {
                t("field_phase", lang): [t(f"phase_{p.phase}", lang) for p in history],
                t("field_decree", lang): [p.decree for p in history],
                t("field_authority", lang): [p.authority for p in history],
                t("field_starts_on", lang): [p.starts_on.isoformat() for p in history],
                t("field_ends_on", lang): [
                    p.ends_on.isoformat() if p.ends_on else "-" for p in history
                ],
                t("col_confirmed_by", lang): [
                    p.confirmed_by or t("decree_unconfirmed", lang) for p in history
                ],
            }
        ),
        decrees=tuple(history),
        kecamatan=pd.DataFrame(
            {
                t("col_kecamatan", lang): [name(c) for c in record.kecamatan_codes],
                t("col_code", lang): list(record.kecamatan_codes),
            }
        ),
        reports=pd.DataFrame(
            {
                t("col_kecamatan", lang): [k.name for k in lines],
                t("deaths", lang): [k.deaths for k in lines],
                t("missing", lang): [k.missing for k in lines],
                t("displaced", lang): [k.displaced for k in lines],
                t("houses_damaged", lang): [k.houses_damaged for k in lines],
            }
        ),
        outside=pd.DataFrame(
            {
                t("col_kecamatan", lang): [name(c) for c in outside],
                t("col_code", lang): outside,
                t("col_reports", lang): [
                    int((versions["kecamatan_code"] == c).sum()) for c in outside
                ],
                t("teams_deployed", lang): [
                    int((mine["assigned_kecamatan_code"] == c).sum()) for c in outside
                ],
            }
        ),
        teams=pd.DataFrame(
            {
                t("col_team", lang): mine["name"],
                t("col_status", lang): [status_label(s, lang) for s in mine["status"]],
                t("col_kecamatan", lang): mine["assigned_kecamatan"],
            }
        ),
        audit=pd.DataFrame(
            {
                t("col_time", lang): [format_wib(v, lang) for v in details.audit["at"]],
                t("col_by", lang): details.audit["actor"],
                t("col_action", lang): [action_label(a, lang) for a in details.audit["action"]],
                t("col_change", lang): [change_text(None, a, lang) for a in details.audit["after"]],
            }
        ),
        zone=zone,
    )


def open_incident(entry: NewIncident, actor: Principal) -> str:
    return resources.written(incident_store.open_incident(resources.engine(), entry, actor))


def change_area(incident_id: int, actor: Principal, add=(), remove=()) -> tuple[str, ...]:
    engine = resources.engine()
    return resources.written(incident_store.change_area(engine, incident_id, actor, add, remove))


def set_details(
    incident_id: int, actor: Principal, name: str, description: str, is_exercise: bool
) -> None:
    engine = resources.engine()
    resources.written(
        incident_store.set_details(
            engine,
            incident_id,
            actor,
            name=name,
            description=description,
            is_exercise=is_exercise,
        )
    )


def add_phase(incident_id: int, actor: Principal, *decree) -> None:
    resources.written(incident_store.add_phase(resources.engine(), incident_id, actor, *decree))


def confirm_phase(phase_id: int, actor: Principal) -> None:
    resources.written(incident_store.confirm_phase(resources.engine(), phase_id, actor))


def close_incident(incident_id: int, actor: Principal) -> int:
    engine, organisation = resources.engine(), resources.settings().organisation
    return resources.written(
        incident_store.close_incident(
            engine, incident_id, actor, resources.geography(), organisation
        )
    )


@resources.cached(Incident)
def load_sitrep_schedule(incident_id: int) -> str:
    """The local times the incident's sitrep is issued by itself ("07:00,19:00"; "": none)."""
    return sitrep_store.schedule_of(resources.engine(), incident_id)


def set_sitrep_schedule(incident_id: int, actor: Principal, text: str) -> str:
    engine = resources.engine()
    return resources.written(sitrep_store.set_schedule(engine, incident_id, text, actor))


@resources.cached(Sitrep, SitrepFile)
def load_sitreps(incident_id: int, lang: str) -> pd.DataFrame:
    """The incident's issued sitreps, newest first (labelled; index = number, with `files`:
    whether its PDF and image were made)."""
    engine = resources.engine()
    rows = sitrep_store.issued(engine, incident_id)
    made = sitrep_store.with_files(engine, incident_id)
    table = pd.DataFrame(
        {
            t("col_number", lang): [r.number for r in rows],
            t("col_time", lang): [format_wib(r.issued_at, lang) for r in rows],
            t("col_by", lang): [r.issued_by for r in rows],
            t("sitrep_final", lang): [t("yes" if r.is_final else "no", lang) for r in rows],
            "files": [r.number in made for r in rows],
        }
    )
    table.index = pd.Index([r.number for r in rows], name="number")
    return table


SITREP_TYPES = {"pdf": "application/pdf", "png": "image/png"}


def sitrep_file(incident_id: int, number: int, kind: str, viewer: Principal) -> tuple[str, bytes]:
    """One issued sitrep's PDF or image (`kind`) as (file name, bytes), for a viewer who sees
    the incident.

    Raises:
        NotFound: no such sitrep, it has no files, or the incident lies outside `viewer`'s
            scope (as if it did not exist).
    """
    if incident_id not in visible(viewer.scope):
        raise NotFound(f"incident {incident_id}")
    files = sitrep_store.files(resources.engine(), incident_id, number)
    return f"sitrep-{incident_id}-{number}.{kind}", getattr(files, kind)


def reopen_incident(incident_id: int, actor: Principal, reason: str) -> None:
    engine = resources.engine()
    resources.written(incident_store.reopen_incident(engine, incident_id, actor, reason))


def merge_incidents(keep_id: int, other_id: int, actor: Principal) -> None:
    engine = resources.engine()
    resources.written(incident_store.merge_incidents(engine, keep_id, other_id, actor))


def kabupaten_choices() -> dict[str, str]:
    """Every kabupaten/kota: code -> "name (code)" (514 entries: light enough for a pick list)."""
    geography = resources.geography()
    if geography is None:
        return {}
    kabupaten = geography.layer("kabupaten")
    return {code: f"{row.kabupaten} ({code})" for code, row in kabupaten.iterrows()}


def kecamatan_of(kabupaten: tuple[str, ...]) -> dict[str, str]:
    """The kecamatan of some kabupaten: code -> "name (code)"."""
    geography = resources.geography()
    if geography is None or not kabupaten:
        return {}
    rows = geography.kecamatan[geography.kecamatan["kode_kab"].isin(kabupaten)]
    return {code: f"{row.kecamatan} ({code})" for code, row in rows.sort_index().iterrows()}


def kabupaten_for(actor: Principal) -> dict[str, str]:
    """The kabupaten/kota `actor` may open an incident in or add to one."""
    return within(actor, kabupaten_choices())


def kecamatan_to_add(
    record: store.IncidentRecord, kabupaten: tuple[str, ...], actor: Principal
) -> dict[str, str]:
    """The kecamatan of `kabupaten` inside `actor`'s scope and not yet in the incident."""
    choices = within(actor, kecamatan_of(kabupaten))
    return {code: label for code, label in choices.items() if code not in record.kecamatan_codes}


def kecamatan_for(incident_id: int, actor: Principal) -> dict[str, str]:
    """The incident's kecamatan, then the rest of its kabupaten, inside `actor`'s scope."""
    return within(actor, load_incident_kecamatan(incident_id))


def province_choices() -> list[str]:
    geography = resources.geography()
    return [] if geography is None else list(geography.layer("province").index)


def area_label(code: str) -> str:
    """`Kabupaten Bandung (32.04)`: any area by its code."""
    geography = resources.geography()
    return f"{geography.name(code)} ({code})" if geography is not None else code


def incident_id(key: str) -> int:
    return incident_store.incident_id(resources.engine(), key)


@resources.cached(HazardEvent, ttl=60)
def recent_events(lang: str) -> dict[int, str]:
    """Hazard events of the last 30 days, to link to an incident: id -> one line."""
    events = hazard_store.latest_events(resources.engine(), 200)
    if events.empty:
        return {}
    events = events[events["time_utc"] >= utcnow() - timedelta(days=30)]
    return {
        int(r.id): f"{format_wib(r.time_utc, lang)} · {r.location_text or r.kind}"
        for r in events.itertuples()
    }


def merge_choices(incident_id: int, actor: Principal) -> dict[int, str]:
    """The other open or proposed incidents inside `actor`'s scope, to merge into this one."""
    engine = resources.engine()
    return {
        i.id: i.name
        for i in store.incidents(engine)
        if i.id != incident_id and actor.covers(i.kabupaten_code)
    }


@resources.cached(IncidentArea, ttl=60)
def area_layer(incident_id: int) -> dict | None:
    """The kecamatan of the incident's kabupaten as GeoJSON, those in its area marked
    (`inside`), each with its `code` and `label`; None without boundaries."""
    geography = resources.geography()
    codes = set(store.incident_kecamatan(resources.engine(), incident_id))
    if geography is None or not codes:
        return None
    shapes = geography.kecamatan[geography.kecamatan["kode_kab"].isin({c[:5] for c in codes})]
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": row.geometry.__geo_interface__,
                "properties": {
                    "code": code,
                    "label": f"{row.kecamatan} ({code})",
                    "inside": code in codes,
                },
            }
            for code, row in shapes.iterrows()
        ],
    }


@resources.cached(Household, HouseholdMember, ttl=None)
def load_household_counts(incident_id: int) -> dict[str, int]:
    """The incident's affected-household counts (counts only, never names)."""
    return household_store.totals(resources.engine(), incident_id)


@resources.cached(Alert)
def load_alerts(incident_id: int, lang: str) -> pd.DataFrame:
    """The alerts the incident raised, with who acknowledged them and when."""
    rows = alert_store.incident_alerts(resources.engine(), incident_id)
    return pd.DataFrame(
        {
            t("col_time", lang): [format_wib(v, lang) for v in rows["created_at"]],
            t("col_severity", lang): [t(f"severity_{s or 'info'}", lang) for s in rows["severity"]],
            t("col_alert", lang): rows["title"],
            t("col_acked", lang): [
                f"{by} · {format_wib(at, lang)}" if pd.notna(at) else "-"
                for by, at in zip(rows["acked_by"], rows["acked_at"], strict=True)
            ],
            t("col_escalation", lang): rows["escalation"],
        }
    )
