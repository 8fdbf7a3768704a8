"""Proposed incidents raised from hazard events, and kept in step with them.

Every kind of event proposes through one path: an earthquake (BMKG, USGS or GDACS), a severe
CAP weather warning, an InaTEWS tsunami warning and an Orange/Red GDACS alert. A proposal always
has an area: an event that reaches no Indonesian kecamatan proposes nothing. An event first
seen long after it happened is history and proposes nothing (`ProposalRules.max_age_h`).
BMKG's earthquake and InaTEWS's tsunami warning of it make one incident (the warning names it,
the area is both). While an incident is still *proposed* it follows its events: a revised
earthquake or an updated warning changes its name and area, a cancelled or downgraded warning
withdraws it. Once an operator has confirmed it, the incident is theirs and is left alone.
A volcano is the exception (`_volcano_incident`): a level raised to Siaga or Awas proposes an
erupsi incident over its exclusion zone, a wider zone widens even a confirmed incident (people
must leave it), and a lowered level is written on the incident's history, never closing it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from shapely import MultiPolygon, Polygon
from sqlalchemy import select
from sqlalchemy.orm import Session

from command_center.base.geography import Geography
from command_center.base.labels import magnitude
from command_center.base.models import HazardEvent, Incident, IncidentArea, IncidentEvent
from command_center.base.times import utcnow
from command_center.services.exposure import affected_kecamatan
from command_center.services.gazetteer import gazetteer_of
from command_center.services.hazards import (
    GDACS_HAZARDS,
    GDACS_PROPOSING,
    GDACS_REACH_KM,
    PROPOSING_SEVERITIES,
    TSUNAMI_REACH_KM,
    TWIN_SECONDS,
    Solution,
    cap_hazard,
    is_twin,
    strongest_level,
    too_old,
)
from command_center.services.incidents import ProposalRules, common_area, proposal_reason
from command_center.services.volcanoes import (
    CRITICAL_LEVEL,
    PROPOSING_LEVEL,
    crater_kecamatan,
    level_words,
    zone_kecamatan,
    zone_words,
)
from command_center.stores import outbox
from command_center.stores import volcanoes as volcano_store
from command_center.stores.common import record_audit

NAME_LENGTH = 200
COMPANIONS = {"earthquake": "tsunami_warning", "tsunami_warning": "earthquake"}


@dataclass(frozen=True)
class Proposal:
    """What an event proposes: a hazard over kecamatan, with a name and the reason."""

    kind: str
    name: str
    kecamatan: tuple[str, ...]
    reason: str
    description: str | None = None


def propose_incidents(
    session: Session,
    geography: Geography,
    event_ids: tuple[int, ...],
    rules: ProposalRules,
    now: datetime | None = None,
) -> list[int]:
    """Create, update or withdraw the proposed incidents of these (new or changed) events, in
    the caller's transaction. Returns the ids of incidents created."""
    now = now or utcnow()
    created = []
    events = session.scalars(select(HazardEvent).where(HazardEvent.id.in_(event_ids))).all()
    for event in sorted(events, key=lambda e: e.id):
        if event.duplicate_of_id is not None or event.details.get("replaced_by"):
            continue  # its primary (or the message replacing it) carries the proposal
        if event.kind == volcano_store.KIND:
            created += _volcano_incident(session, geography, event, rules, now)
            continue
        _hazard_alert(session, geography, event, rules)
        incident = _incident_of(session, event) or _companion(session, event)
        if incident is not None:
            _follow(session, incident, event, _combined(session, geography, incident, rules))
            continue
        proposal = _proposal(geography, event, rules)
        first_seen = event.fetched_at or now
        if proposal is None or too_old(event.time_utc, first_seen, rules.max_age_h):
            continue
        over = event.expires_at is not None and event.expires_at <= now
        if over and rules.max_age_h is not None:
            continue  # a warning already over when first seen
        key = f"{event.source}-{event.source_event_id}"
        created.append(_propose(session, event, proposal, key))
    return created


def _propose(session: Session, event: HazardEvent, proposal: Proposal, key: str) -> int:
    """A proposed incident of `event` over the proposal's kecamatan, audited and alerted."""
    incident = Incident(
        key=key[:60],
        name=proposal.name[:NAME_LENGTH],
        kind=proposal.kind,
        description=proposal.description,
        status="proposed",
        hazard_event_id=event.id,
        kabupaten_code=common_area(proposal.kecamatan),
        started_at=event.time_utc,
        areas=[IncidentArea(kecamatan_code=code) for code in proposal.kecamatan],
    )
    session.add(incident)
    session.flush()
    record_audit(
        session, "ingest", "propose", "incident", incident.id, after={"reason": proposal.reason}
    )
    outbox.incident_alert(session, incident, "incident_proposed", proposal.reason)
    return incident.id


def _hazard_alert(
    session: Session, geography: Geography, event: HazardEvent, rules: ProposalRules
) -> None:
    """Alert on a tsunami warning (everyone on duty) or a Severe/Extreme weather warning over
    kecamatan, once per message, whether or not it proposes an incident of its own (a tsunami
    warning usually joins its earthquake's). Old news alerts no one."""
    if event.kind not in ("tsunami_warning", "weather_warning"):
        return
    if too_old(event.time_utc, event.fetched_at or utcnow(), rules.max_age_h):
        return
    tsunami = event.kind == "tsunami_warning"
    found = _tsunami(geography, event) if tsunami else _weather(geography, event, rules)
    if found is None:
        return
    severity = "critical" if event.details.get("severity") == "Extreme" else None
    outbox.write(
        session,
        event.kind,
        found.name,
        "\n".join(
            part for part in (found.reason, outbox.area_words(session, found.kecamatan, 5)) if part
        )
        + (f"\n{found.description}" if found.description else ""),
        "/hazards",
        found.kecamatan,
        found.kind,
        dedupe_key=f"{event.kind}:{event.source}:{event.source_event_id}"[:200],
        severity=severity,
    )


def _incident_of(session: Session, event: HazardEvent) -> Incident | None:
    """The incident raised from (or linked to) this event, or from the warnings it updates or
    cancels; an update takes over as the incident's event."""
    references = event.details.get("references") or []
    replaced = session.scalars(
        select(HazardEvent.id).where(
            HazardEvent.source == event.source, HazardEvent.source_event_id.in_(references)
        )
    ).all()
    incident = session.scalar(
        select(Incident)
        .where(Incident.hazard_event_id.in_([event.id, *replaced]))
        .order_by(Incident.id)
    )
    if incident is not None:
        incident.hazard_event_id = event.id
        return incident
    linked = select(IncidentEvent.incident_id).where(IncidentEvent.hazard_event_id == event.id)
    return session.scalar(select(Incident).where(Incident.id.in_(linked)))


def _companion(session: Session, event: HazardEvent) -> Incident | None:
    """The incident of the same earthquake's other message (BMKG's earthquake and InaTEWS's
    tsunami warning, in either order); this event is linked to it rather than proposed again."""
    other = COMPANIONS.get(event.kind)
    if other is None or event.lat is None or event.lon is None:
        return None
    window = timedelta(seconds=TWIN_SECONDS)
    mine = Solution(event.time_utc, event.lat, event.lon, event.magnitude)
    for candidate in session.scalars(
        select(HazardEvent).where(
            HazardEvent.kind == other,
            HazardEvent.duplicate_of_id.is_(None),
            HazardEvent.time_utc.between(event.time_utc - window, event.time_utc + window),
        )
    ):
        theirs = Solution(candidate.time_utc, candidate.lat, candidate.lon, candidate.magnitude)  # type: ignore[arg-type]
        incident = session.scalar(
            select(Incident).where(
                Incident.hazard_event_id == candidate.id,
                Incident.status.in_(("proposed", "open")),  # a dismissed one is no reason
            )
        )
        if incident is not None and candidate.lat is not None and is_twin(mine, theirs):
            session.add(IncidentEvent(incident_id=incident.id, hazard_event_id=event.id))
            session.flush()
            return incident
    return None


def _combined(
    session: Session, geography: Geography, incident: Incident, rules: ProposalRules
) -> Proposal | None:
    """What an incident's events propose together: the tsunami warning (else its own event)
    names it, the area is every kecamatan any of them reaches."""
    linked = select(IncidentEvent.hazard_event_id).where(IncidentEvent.incident_id == incident.id)
    events = session.scalars(
        select(HazardEvent).where(
            (HazardEvent.id == incident.hazard_event_id) | HazardEvent.id.in_(linked)
        )
    ).all()
    proposals = {e.id: p for e in events if (p := _proposal(geography, e, rules)) is not None}
    if not proposals:
        return None
    lead = next(
        (p for p in proposals.values() if p.kind == "tsunami"),
        proposals.get(incident.hazard_event_id) or next(iter(proposals.values())),
    )
    area = dict.fromkeys(lead.kecamatan)
    for proposal in proposals.values():
        area.update(dict.fromkeys(proposal.kecamatan))
    return Proposal(lead.kind, lead.name, tuple(area), lead.reason, lead.description)


def _follow(
    session: Session, incident: Incident, event: HazardEvent, proposal: Proposal | None
) -> None:
    """Keep a still-proposed incident in step with its events; withdraw it when they no
    longer propose (a cancelled or downgraded warning)."""
    if incident.status != "proposed":
        return
    if proposal is None:
        incident.status, incident.closed_at = "closed", utcnow()
        reason = "cancelled" if event.details.get("msg_type") == "Cancel" else "no longer proposed"
        record_audit(
            session, "ingest", "withdraw", "incident", incident.id, after={"reason": reason}
        )
        return
    before = (incident.name, sorted(a.kecamatan_code for a in incident.areas))
    after = (proposal.name[:NAME_LENGTH], sorted(proposal.kecamatan))
    if before == after and incident.kind == proposal.kind:
        return
    incident.name, incident.kind = after[0], proposal.kind
    incident.description = proposal.description
    incident.areas = [IncidentArea(kecamatan_code=code) for code in proposal.kecamatan]
    incident.kabupaten_code = common_area(proposal.kecamatan)
    record_audit(
        session,
        "ingest",
        "follow",
        "incident",
        incident.id,
        before={"name": before[0], "kecamatan": len(before[1])},
        after={"name": after[0], "kecamatan": len(after[1])},
    )


def _proposal(geography: Geography, event: HazardEvent, rules: ProposalRules) -> Proposal | None:
    if event.kind == "earthquake":
        return _earthquake(geography, event, rules)
    if event.kind == "weather_warning":
        return _weather(geography, event, rules)
    if event.kind == "tsunami_warning":
        return _tsunami(geography, event)
    if event.kind == "forest_fire":
        return _fire(event)
    if event.source == "gdacs":
        return _gdacs(geography, event)
    return None


def _earthquake(geography: Geography, event: HazardEvent, rules: ProposalRules) -> Proposal | None:
    """Kecamatan estimated at MMI ≥ `rules.min_mmi`, the kabupaten felt at or above
    `rules.min_felt_mmi`, and with tsunami potential the coast near the epicentre."""
    if event.lat is None or event.lon is None:
        return None
    if event.source == "gdacs" and event.details.get("alert_level") not in GDACS_PROPOSING:
        return None
    hit = affected_kecamatan(
        geography.points,
        event.magnitude or 0.0,
        event.depth_km or 10.0,
        event.lat,
        event.lon,
        rules.min_mmi,
    )
    area = dict.fromkeys(hit["kode_kec"])
    felt = event.details.get("felt", [])
    gazetteer = gazetteer_of(geography.points)
    for _, mmi_max, place in felt:
        if mmi_max < rules.min_felt_mmi:
            continue
        found = gazetteer.resolve(place, event.lat, event.lon)
        if found.kode_kec:
            area[found.kode_kec] = None
        elif found.kode_kab:
            area.update(dict.fromkeys(_kecamatan_of(geography, found.kode_kab)))
    if event.tsunami_potential:
        near = geography.within_km(event.lat, event.lon, TSUNAMI_REACH_KM)["kode_kec"]
        area.update(dict.fromkeys(c for c in near if c in geography.coastal))
    reason = proposal_reason(
        event.magnitude,
        event.depth_km,
        geography.locate(event.lat, event.lon).method == "inside",
        max((level[1] for level in felt), default=0),
        event.tsunami_potential,
        len(area),
        rules,
    )
    if reason is None:
        return None
    name = f"Gempa {magnitude(event.magnitude)} {event.location_text or ''}".strip()
    return Proposal("gempa_bumi", name, tuple(area), reason)


def _weather(geography: Geography, event: HazardEvent, rules: ProposalRules) -> Proposal | None:
    """A Severe or Extreme CAP warning, over the kecamatan its polygons cover."""
    details = event.details
    if details.get("severity") not in PROPOSING_SEVERITIES or details.get("cancelled"):
        return None
    if details.get("msg_type") == "Cancel" or not details.get("polygons"):
        return None
    shape = MultiPolygon([Polygon(ring) for ring in details["polygons"]])
    covered = geography.covered(shape, rules.warning_min_share)
    if covered.empty:
        return None
    event_text = details.get("event") or details.get("headline") or ""
    name = f"{event_text} · {event.location_text or ''}".strip(" ·")
    reason = f"peringatan cuaca {details['severity']}"
    return Proposal(cap_hazard(event_text), name, tuple(covered["kode_kec"]), reason)


def _tsunami(geography: Geography, event: HazardEvent) -> Proposal | None:
    """The coastal kecamatan of every district the warning names, with its level."""
    gazetteer = gazetteer_of(geography.points)
    area: dict[str, None] = {}
    lines = []
    for province, district, level in event.details.get("areas", []):
        place = gazetteer.resolve(district, event.lat or 0.0, event.lon or 0.0)
        if place.kode_kec:
            codes = [place.kode_kec]
        elif place.kode_kab:
            codes = [c for c in _kecamatan_of(geography, place.kode_kab) if c in geography.coastal]
        else:
            codes = []
        area.update(dict.fromkeys(codes))
        where = place.kabupaten or "tidak dikenali"
        lines.append(f"{level} — {district} ({province}; {where})")
    if not area:
        return None
    level = strongest_level([a[2] for a in event.details.get("areas", [])]) or "WASPADA"
    name = f"Peringatan dini tsunami {level} · {magnitude(event.magnitude)} {event.location_text}"
    return Proposal("tsunami", name, tuple(area), f"peringatan tsunami {level}", "\n".join(lines))


def _gdacs(geography: Geography, event: HazardEvent) -> Proposal | None:
    """An Orange or Red GDACS alert, over the kecamatan within its type's reach."""
    details = event.details
    kind = details.get("event_type", "")
    if details.get("alert_level") not in GDACS_PROPOSING or kind not in GDACS_REACH_KM:
        return None
    if event.lat is None or event.lon is None:
        return None
    near = geography.within_km(event.lat, event.lon, GDACS_REACH_KM[kind])
    if near.empty:
        return None
    name, reason = details.get("title") or kind, f"GDACS {details['alert_level']}"
    return Proposal(GDACS_HAZARDS[kind], name, tuple(near["kode_kec"]), reason)


def _volcano(geography: Geography, event: HazardEvent) -> Proposal | None:
    """A volcano at Siaga or Awas, over the kecamatan its exclusion zone reaches (the crater's
    own when the recommendation names no zone)."""
    details = event.details
    if details["level"] < PROPOSING_LEVEL or event.lat is None or event.lon is None:
        return None
    zone = volcano_store.exclusion(details)
    area = tuple(zone_kecamatan(geography, event.lat, event.lon, zone)["kode_kec"])
    area = area or crater_kecamatan(geography, event.lat, event.lon)
    if not area:
        return None
    level = level_words(details["level"])
    name = f"Erupsi {event.location_text} · {level}"
    reason = f"{level} · {zone_words(zone)}"
    return Proposal("erupsi", name, area, reason, details.get("recommendation") or None)


def _volcano_incident(
    session: Session, geography: Geography, event: HazardEvent, rules: ProposalRules, now: datetime
) -> list[int]:
    """Propose, widen or annotate the erupsi incident of a volcano whose level or zone changed;
    returns the id of an incident created. A dismissed proposal comes back only with a raise."""
    proposal = _volcano(geography, event)
    change = volcano_store.level_change(event.details)
    _volcano_alert(session, geography, event, proposal, rules)
    raised_from = select(Incident).where(Incident.hazard_event_id == event.id)
    incident = session.scalar(
        raised_from.where(Incident.status.in_(("proposed", "open"))).order_by(Incident.id.desc())
    )
    if incident is not None:
        _widen(session, incident, event, proposal)
        if change.raised or change.lowered:
            record_audit(
                session,
                "ingest",
                "volcano_level",
                "incident",
                incident.id,
                before={"level": change.before},
                after={"level": change.after, "reason": level_words(change.after)},
            )
        return []
    ever = session.scalar(raised_from.limit(1)) is not None
    if proposal is None or (ever and not change.raised):
        return []
    if too_old(event.time_utc, event.fetched_at or now, rules.max_age_h):
        return []
    key = f"magma-{event.source_event_id}-{event.time_utc:%Y%m%d%H%M}"
    return [_propose(session, event, proposal, key)]


def _widen(
    session: Session, incident: Incident, event: HazardEvent, proposal: Proposal | None
) -> None:
    """A proposed incident follows its volcano's zone; a confirmed one only gains the
    kecamatan a wider zone reaches. A level below Siaga changes neither."""
    if proposal is None:
        return
    if incident.status == "proposed":
        _follow(session, incident, event, proposal)
        return
    known = {area.kecamatan_code for area in incident.areas}
    added = [code for code in proposal.kecamatan if code not in known]
    if not added:
        return
    incident.areas = [*incident.areas, *(IncidentArea(kecamatan_code=code) for code in added)]
    incident.kabupaten_code = common_area([*known, *added])
    record_audit(
        session,
        "ingest",
        "follow",
        "incident",
        incident.id,
        before={"kecamatan": len(known)},
        after={"kecamatan": len(known) + len(added), "reason": proposal.reason},
    )


def _volcano_alert(
    session: Session,
    geography: Geography,
    event: HazardEvent,
    proposal: Proposal | None,
    rules: ProposalRules,
) -> None:
    """Alert (`volcano_level`) on a level change, and on a volcano first seen at Siaga or
    above; critical at Awas. Over the zone's kecamatan, else the crater's. Old news alerts
    no one."""
    change = volcano_store.level_change(event.details)
    first_alarming = change.before is None and change.after >= PROPOSING_LEVEL
    if not first_alarming and (change.before is None or change.before == change.after):
        return
    if event.lat is None or event.lon is None:
        return
    if too_old(event.time_utc, event.fetched_at or utcnow(), rules.max_age_h):
        return
    area = proposal.kecamatan if proposal else crater_kecamatan(geography, event.lat, event.lon)
    was = f"{level_words(change.before)} → " if change.before else ""
    zone = zone_words(volcano_store.exclusion(event.details))
    outbox.write(
        session,
        "volcano_level",
        f"{event.location_text}: {level_words(change.after)}",
        "\n".join((f"{was}{level_words(change.after)}", zone, outbox.area_words(session, area, 5))),
        "/hazards",
        area,
        "erupsi",
        dedupe_key=f"volcano_level:{event.source_event_id}:{event.details['report_utc']}"[:200],
        severity="critical" if change.after >= CRITICAL_LEVEL else None,
    )


def _fire(event: HazardEvent) -> Proposal:
    """A persistent fire (`hotspot_store.fire_events`), over its kabupaten's kecamatan with
    high-confidence hotspots, those where it persists first."""
    details = event.details
    reason = (
        f"titik panas ≥ {details['min_high']}/hari selama {details['days']} hari berturut-turut "
        f"di {len(details['persistent'])} kecamatan"
    )
    name = f"Kebakaran hutan dan lahan {event.location_text or details['kode_kab']}"
    return Proposal("karhutla", name, tuple(details["kecamatan"]), reason)


def _kecamatan_of(geography: Geography, kode_kab: str) -> list[str]:
    codes = geography.kecamatan["kode_kec"]
    return list(codes[codes.str.startswith(kode_kab + ".")])
