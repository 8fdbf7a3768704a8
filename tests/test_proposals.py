"""Proposed incidents from every kind of hazard event, against the real boundaries and the
recorded feeds: who proposes, over which kecamatan, and how a proposal follows its event."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from command_center.base.models import HazardEvent, Incident, IncidentEvent
from command_center.base.times import utcnow
from command_center.services.incidents import ProposalRules
from command_center.sources.bmkg_nowcast import parse_cap
from command_center.sources.bmkg_quakes import Quake
from command_center.sources.gdacs import parse_gdacs
from command_center.sources.inatews import parse_datagempa
from command_center.stores import common as store
from command_center.stores import hazards as hazard_store
from command_center.stores import proposals as proposal_store
from command_center.workers import ingest

FIXTURES = Path(__file__).parent / "fixtures"
CAP = "nowcast_cap_banten_20260216_dhanyyudi-bmkg-api.xml"
TSUNAMI = "inatews_datagempa_tsunami_20230425_arraysyams-testingrepo.json"
ARCHIVE_RULES = ProposalRules(max_age_h=None)  # an archive's events are old: propose anyway


@pytest.fixture
def areas(engine, geography):
    store.sync_areas(engine, geography.area_rows())
    return engine


def _save_and_propose(engine, geography, save, rules=ARCHIVE_RULES, now=None) -> list[int]:
    with Session(engine) as session, session.begin():
        result = save(session)
        return proposal_store.propose_incidents(session, geography, result.changed_ids, rules, now)


def _incidents(engine) -> list[Incident]:
    with Session(engine) as session:
        rows = session.scalars(select(Incident).order_by(Incident.id)).all()
        for row in rows:
            _ = row.areas
        session.expunge_all()
        return list(rows)


def _replay_propose(engine, geography, folder: Path) -> dict:
    def propose(session, result) -> None:
        proposal_store.propose_incidents(session, geography, result.changed_ids, ARCHIVE_RULES)

    return ingest.replay(engine, folder, propose)


def test_replaying_the_archive_proposes_nothing_unless_asked(areas, geography, shared_data) -> None:
    ingest.replay(areas, shared_data / "bmkg")
    ingest.replay(areas, shared_data / "feeds")
    assert _incidents(areas) == []


def test_the_archive_replayed_with_proposals_gives_each_event_once_and_never_an_empty_area(
    areas, geography, shared_data
) -> None:
    for folder in ("bmkg", "feeds"):
        outcomes = _replay_propose(areas, geography, shared_data / folder)
        assert not [o for o in outcomes.values() if o.status == "error"]
    incidents = _incidents(areas)
    assert incidents and all(i.areas for i in incidents)
    flores = [i for i in incidents if i.kind == "gempa_bumi" and "LARANTUKA" in i.name]
    assert len(flores) == 1 and flores[0].name.startswith("Gempa M7,4")  # the reviewed solution
    codes = {a.kecamatan_code for a in flores[0].areas}
    assert len(codes) > 50 and all(c.startswith(("53.", "52.", "73.", "74.")) for c in codes)
    # the Mentawai M7.3 of 2023-04-25: BMKG's earthquake and InaTEWS's tsunami warning (Nias
    # Selatan WASPADA) are one tsunami incident
    (tsunami,) = [i for i in incidents if "MENTAWAI" in i.name and "M7,3" in i.name]
    assert tsunami.kind == "tsunami" and tsunami.name.startswith("Peringatan dini tsunami")
    assert "12.14" in {a.kecamatan_code[:5] for a in tsunami.areas}
    assert "WASPADA — NIAS-SELATAN PULAU TANABALA" in tsunami.description
    assert not any("M3,9" in i.name or "M2," in i.name for i in incidents)


def test_an_event_first_seen_after_its_max_age_is_history(areas, geography, shared_data) -> None:
    happened = utcnow() - timedelta(days=3)
    quakes = [Quake("bmkg", "x", happened, -6.84, 107.05, 10.0, 5.6, "Cianjur", False)]
    live = ProposalRules()  # 24 h
    with Session(areas) as session, session.begin():
        result = hazard_store.save_quakes(session, quakes)
        event = session.get(HazardEvent, result.changed_ids[0])
        event.fetched_at = event.time_utc + timedelta(hours=30)  # first seen 30 h later
        late = proposal_store.propose_incidents(session, geography, result.changed_ids, live)
        event.fetched_at = event.time_utc + timedelta(minutes=5)
        prompt = proposal_store.propose_incidents(
            session, geography, result.changed_ids, ARCHIVE_RULES
        )
    assert late == [] and len(prompt) == 1


def _cap(shared_data: Path, **changes: str) -> bytes:
    """The recorded Banten CAP alert with some elements changed (severity, msgType, ...)."""
    text = (shared_data / "bmkg" / CAP).read_text()
    for tag, value in changes.items():
        start, end = text.index(f"<{tag}>"), text.index(f"</{tag}>") + len(tag) + 3
        text = text[:start] + f"<{tag}>{value}</{tag}>" + text[end:]
    return text.encode()


def test_severe_weather_proposes_over_the_kecamatan_its_polygons_cover(
    areas, geography, shared_data
) -> None:
    moderate = parse_cap(_cap(shared_data))
    assert (
        _save_and_propose(areas, geography, lambda s: hazard_store.save_warnings(s, [moderate]))
        == []
    )

    severe = parse_cap(
        _cap(shared_data, identifier="cap-severe-1", severity="Severe", event="Hujan Sangat Lebat")
    )
    created = _save_and_propose(areas, geography, lambda s: hazard_store.save_warnings(s, [severe]))
    (incident,) = [i for i in _incidents(areas) if i.id in created]
    assert incident.kind == "banjir" and incident.status == "proposed"
    # Lebakgedong (97 % covered) and Citangkil (91 %); the kecamatan the polygons only graze
    # are left out by the share rule
    assert sorted(a.kecamatan_code for a in incident.areas) == ["36.02.25", "36.72.08"]


def test_a_cap_update_moves_the_proposal_and_a_cancel_withdraws_it(
    areas, geography, shared_data
) -> None:
    first = parse_cap(_cap(shared_data, identifier="cap-a", severity="Severe"))
    _save_and_propose(areas, geography, lambda s: hazard_store.save_warnings(s, [first]))
    small_polygon = (  # the first polygon of the recorded alert, alone
        "-5.981,105.994 -6.004,106.022 -6.010,106.029 -6.016,106.047 -6.020,106.049 "
        "-6.030,106.036 -6.041,106.031 -6.039,106.018 -6.046,106.005 -6.021,105.999 "
        "-6.005,105.983 -6.000,105.983 -5.993,105.981 -5.981,105.994"
    )
    text = _cap(
        shared_data,
        identifier="cap-b",
        msgType="Update",
        severity="Extreme",
        sent="2026-02-16T23:20:00+07:00",
    ).decode()
    text = text.replace(
        "<scope>Public</scope>",
        "<scope>Public</scope><references>cuaca.ekstrem@bmkg.go.id,cap-a,2026-02-16T22:50:00+07:00</references>",
    )
    start, end = text.index("<area>"), text.index("</area>")
    text = (
        text[:start]
        + f"<area><areaDesc>Banten</areaDesc><polygon>{small_polygon}</polygon>"
        + text[end:]
    )
    update = parse_cap(text.encode())
    assert update.references == ("cap-a",)
    assert (
        _save_and_propose(areas, geography, lambda s: hazard_store.save_warnings(s, [update])) == []
    )
    (incident,) = _incidents(areas)
    assert [a.kecamatan_code for a in incident.areas] == ["36.72.08"]  # followed the update
    assert incident.status == "proposed"

    cancel_text = (
        _cap(shared_data, identifier="cap-c", msgType="Cancel", sent="2026-02-16T23:40:00+07:00")
        .decode()
        .replace(
            "<scope>Public</scope>",
            "<scope>Public</scope><references>cuaca.ekstrem@bmkg.go.id,cap-b,2026-02-16T23:20:00+07:00</references>",
        )
    )
    cancel = parse_cap(cancel_text.encode())
    _save_and_propose(areas, geography, lambda s: hazard_store.save_warnings(s, [cancel]))
    (incident,) = _incidents(areas)
    assert incident.status == "closed"  # withdrawn
    with Session(areas) as session:
        rows = {e.source_event_id: e for e in session.scalars(select(HazardEvent))}
    assert rows["cap-b"].details["replaced_by"] == "cap-c" and rows["cap-b"].details["cancelled"]
    assert rows["cap-a"].details["replaced_by"] == "cap-b"
    assert all(r.expires_at is not None for r in rows.values())


def test_gdacs_orange_and_red_propose_green_is_shown_and_far_events_propose_nothing(
    areas, geography
) -> None:
    events = parse_gdacs((FIXTURES / "gdacs_indonesia.xml").read_bytes())
    assert [(e.event_type, e.alert_level) for e in events] == [
        ("FL", "Orange"),
        ("VO", "Green"),
        ("EQ", "Orange"),  # Mindanao is inside the coarse box; it reaches no kecamatan
    ]
    created = _save_and_propose(areas, geography, lambda s: hazard_store.save_gdacs(s, events))
    (flood,) = _incidents(areas)
    assert created == [flood.id] and flood.kind == "banjir"
    assert {a.kecamatan_code[:5] for a in flood.areas} >= {"63.71"}  # Kota Banjarmasin
    with Session(areas) as session:
        kinds = sorted(e.kind for e in session.scalars(select(HazardEvent)))
    assert kinds == ["earthquake", "flood", "volcano"]


def test_a_tsunami_warning_names_its_coast_and_its_end_message_ends_it(
    areas, geography, shared_data
) -> None:
    payload = shared_data / "bmkg" / TSUNAMI
    message = parse_datagempa(payload.read_bytes())
    _save_and_propose(areas, geography, lambda s: hazard_store.save_tsunami(s, [message]))
    ended = payload.read_text().replace("Warning Tsunami PD-1", "Warning Tsunami PD-4 Berakhir")
    ended = ended.replace('"identifier":"Indonesia-InaTEWS-20230425030533"', '"identifier":"end"')
    ended = ended.replace("03:05:33WIB", "04:35:33WIB")
    _save_and_propose(
        areas, geography, lambda s: hazard_store.save_tsunami(s, [parse_datagempa(ended.encode())])
    )
    with Session(areas) as session:
        warning = session.scalar(select(HazardEvent).where(HazardEvent.kind == "tsunami_warning"))
        assert [m["message"] for m in warning.details["messages"]] == [1, 4]
        assert warning.details["ended"] and warning.expires_at < utcnow()
    (tsunami,) = _incidents(areas)  # the earthquake and its warning: one incident
    assert tsunami.kind == "tsunami"
    nias_coast = {c for c in geography.coastal if c.startswith("12.14.")}
    assert nias_coast <= {a.kecamatan_code for a in tsunami.areas}


def test_a_proposal_follows_the_revised_earthquake(areas, geography) -> None:
    """BMKG's automatic M7.5 proposes; its reviewed M7.4 a second later renames the same
    proposal (and its area) rather than opening a second one."""
    now = utcnow()
    automatic = Quake(
        "bmkg", "a", now, -7.59, 122.26, 10.0, 7.5, "112 km BaratLaut LARANTUKA", True
    )
    reviewed = Quake(
        "bmkg",
        "b",
        now + timedelta(seconds=1),
        -7.59,
        122.24,
        10.0,
        7.4,
        "113 km BaratLaut LARANTUKA",
        True,
    )
    live = ProposalRules()
    _save_and_propose(areas, geography, lambda s: hazard_store.save_quakes(s, [automatic]), live)
    (first,) = _incidents(areas)
    assert first.name.startswith("Gempa M7,5")
    _save_and_propose(areas, geography, lambda s: hazard_store.save_quakes(s, [reviewed]), live)
    (after,) = _incidents(areas)
    assert after.id == first.id and after.name.startswith("Gempa M7,4")
    with Session(areas) as session:
        (event,) = session.scalars(select(HazardEvent)).all()
        assert [r["magnitude"] for r in event.details["revisions"]] == [7.5, 7.4]


def test_the_warning_joins_an_earthquake_already_proposed_in_either_order(
    areas, geography, shared_data
) -> None:
    payload = (shared_data / "bmkg" / TSUNAMI).read_bytes()
    message = parse_datagempa(payload)
    # the earthquake first (autogempa), as its own proposal
    _save_and_propose(areas, geography, lambda s: hazard_store.save_quakes(s, [message.quake]))
    (quake,) = _incidents(areas)
    assert quake.kind == "gempa_bumi"
    # then InaTEWS: the same incident becomes the tsunami one, its area grows
    _save_and_propose(areas, geography, lambda s: hazard_store.save_tsunami(s, [message]))
    (joined,) = _incidents(areas)
    assert joined.id == quake.id and joined.kind == "tsunami"
    assert {a.kecamatan_code for a in quake.areas} <= {a.kecamatan_code for a in joined.areas}
    with Session(areas) as session:
        links = session.scalars(select(IncidentEvent)).all()
        assert [link.incident_id for link in links] == [joined.id]


def test_a_tsunami_warning_still_proposes_after_its_earthquake_was_dismissed(
    areas, geography, shared_data
) -> None:
    message = parse_datagempa((shared_data / "bmkg" / TSUNAMI).read_bytes())
    _save_and_propose(areas, geography, lambda s: hazard_store.save_quakes(s, [message.quake]))
    (quake,) = _incidents(areas)
    with Session(areas) as session, session.begin():
        session.get(Incident, quake.id).status = "closed"  # the operator dismissed it
    _save_and_propose(areas, geography, lambda s: hazard_store.save_tsunami(s, [message]))
    tsunami = [i for i in _incidents(areas) if i.kind == "tsunami"]
    assert len(tsunami) == 1 and tsunami[0].status == "proposed" and tsunami[0].id != quake.id
