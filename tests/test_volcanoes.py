"""Volcano activity levels end to end: MAGMA's reports served by a local HTTP server, polled
by the worker into a real store, the exclusion zone over the real boundary layer, the erupsi
incident it proposes, how that incident follows a raise and a downgrade, alerts and replay."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import select
from sqlalchemy.orm import Session

from command_center.adapters.live_map import load_live_map
from command_center.base.auth import SYSTEM
from command_center.base.db import make_engine
from command_center.base.http import fetch, make_session
from command_center.base.labels import t
from command_center.base.models import Alert, AuditEntry, HazardEvent, Incident, IncidentStatus
from command_center.base.settings import load_settings
from command_center.services.incidents import ProposalRules
from command_center.services.volcanoes import LEVEL_COLOURS
from command_center.sources.magma import parse_magma_var as parse
from command_center.stores import common as store
from command_center.stores import hazards as hazard_store
from command_center.stores import proposals as proposal_store
from command_center.stores import volcanoes as volcano_store
from command_center.ui import maps
from command_center.workers import ingest
from command_center.workers.ingest import Feed

FIXTURES = Path(__file__).parent / "fixtures" / "magma"
AWAS = FIXTURES / "magma_var_20241104_lewotobi_awas.json"
WASPADA = FIXTURES / "magma_var_20250102_lewotobi_waspada.json"
VONA = FIXTURES / "vona_20241104_lewotobi.json"
RULES = ProposalRules(max_age_h=None)  # recorded reports are old: propose anyway
# the Lewotobi Laki-laki zone of November 2024 (7 km) in the shared boundary layer
LEWOTOBI_7_KM = {"53.06.01", "53.06.16"}  # Wulanggitang, Ile Bura (Flores Timur)


@pytest.fixture
def areas(engine, geography):
    store.sync_areas(engine, geography.area_rows())
    return engine


def _feed(httpserver: HTTPServer, path: str = "/magma-var", kind: str = "magma_var") -> Feed:
    return Feed(f"magma_{kind}", httpserver.url_for(path), 600, kind)


def _poll(engine, geography, feed: Feed) -> str:
    def propose(session: Session, result) -> None:
        proposal_store.propose_incidents(session, geography, result.changed_ids, RULES)

    return ingest.poll(engine, make_session("test", retries=0), feed, 5.0, propose)


def _serve(httpserver: HTTPServer, payload: bytes | str, path: str = "/magma-var") -> None:
    httpserver.clear()
    httpserver.expect_request(path).respond_with_data(payload, content_type="application/json")


def _lewotobi(payload: str, status: str, recommendation: str, day: str) -> str:
    """The Level IV report with Lewotobi's status, zone and report day changed."""
    reports = json.loads(payload)
    report = reports[0]
    report["gunung_api"]["status"] = status
    report["laporan_terakhir"]["rekomendasi"] = recommendation
    report["laporan_terakhir"]["tanggal"] = (
        f"Laporan per 6 jam, tanggal {day} pukul 00:00 - 06:00 WITA"
    )
    return json.dumps([report])


def _incidents(engine) -> list[tuple[Incident, set[str]]]:
    with Session(engine) as session:
        rows = session.scalars(select(Incident).order_by(Incident.id)).all()
        return [(row, {a.kecamatan_code for a in row.areas}) for row in rows]


def _history(engine, incident_id: int) -> list[tuple[str, dict]]:
    with Session(engine) as session:
        rows = session.execute(
            select(AuditEntry.action, AuditEntry.after)
            .where(AuditEntry.entity == "incident", AuditEntry.entity_id == str(incident_id))
            .order_by(AuditEntry.id)
        ).all()
        return [(action, after) for action, after in rows]


def test_level_iv_proposes_one_erupsi_incident_over_the_zone_and_a_downgrade_is_written_on_it(
    areas, geography, httpserver: HTTPServer
) -> None:
    _serve(httpserver, AWAS.read_bytes())
    assert _poll(areas, geography, _feed(httpserver)) == "ok"
    ((incident, kecamatan),) = _incidents(areas)  # Semeru, Marapi, Ruang (II) and Salak (I) not
    assert incident.kind == "erupsi" and incident.status == "proposed"
    assert incident.name == "Erupsi Lewotobi Laki-laki · Level IV (Awas)"
    assert kecamatan == LEWOTOBI_7_KM and incident.kabupaten_code == "53.06"
    assert "radius 7 km dari pusat erupsi" in incident.description

    _serve(httpserver, AWAS.read_bytes())  # the same report again changes nothing
    assert _poll(areas, geography, _feed(httpserver)) == "ok"
    assert len(_incidents(areas)) == 1

    _serve(httpserver, WASPADA.read_bytes())  # January 2025: Level II, 3 km
    assert _poll(areas, geography, _feed(httpserver)) == "ok"
    ((incident, kecamatan),) = _incidents(areas)
    assert incident.status == "proposed" and kecamatan == LEWOTOBI_7_KM  # not withdrawn
    assert _history(areas, incident.id)[-1] == (
        "volcano_level",
        {"level": 2, "reason": "Level II (Waspada)"},
    )
    (row,) = (
        volcano_store.volcanoes(areas, min_level=2)
        .query("name == 'Lewotobi Laki-laki'")[["level", "changed_at"]]
        .itertuples(index=False)
    )
    assert row.level == 2 and row.changed_at.isoformat() == "2025-01-01T22:00:00+00:00"


def test_a_raise_widens_the_proposal_and_a_confirmed_incident_gains_the_wider_zone(
    areas, geography, httpserver: HTTPServer
) -> None:
    text = AWAS.read_text()
    siaga = _lewotobi(
        text, "Level III (Siaga)", "dalam radius 5 km dari pusat erupsi", "2024-11-01"
    )
    _serve(httpserver, siaga)
    _poll(areas, geography, _feed(httpserver))
    ((incident, kecamatan),) = _incidents(areas)
    assert incident.name.endswith("Level III (Siaga)") and kecamatan == LEWOTOBI_7_KM
    store.set_incident_status(areas, incident.id, incident.version, IncidentStatus.OPEN, SYSTEM)

    awas = _lewotobi(text, "Level IV (Awas)", "dalam radius 9 km dari pusat erupsi", "2024-11-04")
    _serve(httpserver, awas)
    _poll(areas, geography, _feed(httpserver))
    ((incident, kecamatan),) = _incidents(areas)
    assert incident.status == "open" and kecamatan == LEWOTOBI_7_KM | {"53.06.02"}  # Titehena
    assert incident.name.endswith("Level III (Siaga)")  # the operator's name is kept
    actions = [action for action, _ in _history(areas, incident.id)]
    assert actions[-2:] == ["follow", "volcano_level"]


def test_level_changes_alert_critical_at_awas(areas, geography, httpserver: HTTPServer) -> None:
    text = AWAS.read_text()
    _serve(httpserver, _lewotobi(text, "Level II (Waspada)", "radius 3 km", "2024-10-20"))
    _poll(areas, geography, _feed(httpserver))
    _serve(httpserver, AWAS.read_bytes())
    _poll(areas, geography, _feed(httpserver))
    with Session(areas) as session:
        alerts = session.scalars(select(Alert).where(Alert.rule == "volcano_level")).all()
    (alert,) = alerts  # first seen at Waspada alerts no one; the raise to Awas does
    assert alert.severity == "critical" and alert.hazard == "erupsi"
    assert alert.title == "Lewotobi Laki-laki: Level IV (Awas)"
    assert "Level II (Waspada) → Level IV (Awas)" in alert.body
    assert set(alert.areas) == LEWOTOBI_7_KM


def test_a_changed_shape_is_a_feed_error_and_the_last_good_levels_stay(
    areas, geography, httpserver: HTTPServer
) -> None:
    _serve(httpserver, AWAS.read_bytes())
    _poll(areas, geography, _feed(httpserver))
    before = volcano_store.volcanoes(areas)
    changed = json.dumps({"data": json.loads(AWAS.read_text())})  # wrapped in an object
    _serve(httpserver, changed)
    assert _poll(areas, geography, _feed(httpserver)) == "error"
    status = hazard_store.feed_state(areas, "magma_magma_var")
    assert status.last_outcome == "error" and "not a list" in status.last_error
    assert status.last_ok_at is not None  # the age of the last good levels
    after = volcano_store.volcanoes(areas)
    assert after[["name", "level"]].equals(before[["name", "level"]])


def test_the_vona_rides_on_its_volcano(areas, geography, httpserver: HTTPServer) -> None:
    _serve(httpserver, AWAS.read_bytes())
    _poll(areas, geography, _feed(httpserver))
    _serve(httpserver, VONA.read_bytes(), "/vona")
    assert _poll(areas, geography, _feed(httpserver, "/vona", "magma_vona")) == "ok"
    with Session(areas) as session:
        row = session.scalar(select(HazardEvent).where(HazardEvent.source_event_id == "LWK"))
    assert row.details["vona"]["colour"] == "RED"
    assert row.details["vona"]["ash_above_summit_m"] == 2000
    ruang = json.loads(VONA.read_text())  # a volcano not in the shipped list: by its name
    ruang["data"][0].update(code_id="RUA", volcano="Ruang", cu_code="ORANGE")
    _serve(httpserver, json.dumps(ruang), "/vona")
    _poll(areas, geography, _feed(httpserver, "/vona", "magma_vona"))
    with Session(areas) as session:
        row = session.scalar(select(HazardEvent).where(HazardEvent.location_text == "Ruang"))
    assert row.details["vona"]["colour"] == "ORANGE"


def test_the_worker_polls_magma_with_its_token(httpserver: HTTPServer) -> None:
    settings = load_settings(
        feed_magma_var_url=httpserver.url_for("/magma-var"),
        magma_token="rahasia",
        poll_volcanoes_s=900,
    )
    feed = ingest.registry(settings)["magma_var"]
    assert feed.interval_s == 900 and feed.kind == "magma_var"
    httpserver.expect_request(
        "/magma-var", headers={"Authorization": "Bearer rahasia"}
    ).respond_with_data(AWAS.read_bytes())
    fetched = fetch(make_session("test", retries=0), feed.url, 5.0, auth=feed.auth)
    assert fetched.body == AWAS.read_bytes()


def test_replay_recognises_magma_files_by_content_and_proposes_when_asked(
    areas, geography, tmp_path: Path
) -> None:
    (tmp_path / "lewotobi-2024-11-04.json").write_bytes(AWAS.read_bytes())  # any name
    (tmp_path / "vona.json").write_bytes(VONA.read_bytes())

    def propose(session: Session, result) -> None:
        proposal_store.propose_incidents(session, geography, result.changed_ids, RULES)

    outcomes = ingest.replay(areas, tmp_path, propose)
    assert outcomes["lewotobi-2024-11-04.json"].detail == "5 new, 0 updated"
    assert outcomes["vona.json"].status == "ok"
    ((incident, kecamatan),) = _incidents(areas)
    assert incident.kind == "erupsi" and kecamatan == LEWOTOBI_7_KM


def replay_lewotobi(engine, geography, folder: Path) -> int:
    """MAGMA's Level IV report replayed into `engine` (from `folder`), its erupsi incident
    confirmed (the wall screen shows open incidents); returns the incident's id."""
    (folder / "awas.json").write_bytes(AWAS.read_bytes())

    def propose(session: Session, result) -> None:
        proposal_store.propose_incidents(session, geography, result.changed_ids, RULES)

    ingest.replay(engine, folder, propose)
    ((incident, _),) = [(i, k) for i, k in _incidents(engine) if i.kind == "erupsi"]
    store.set_incident_status(engine, incident.id, incident.version, IncidentStatus.OPEN, SYSTEM)
    return incident.id


@pytest.fixture
def with_lewotobi(with_demo, database_url: str, geography, tmp_path: Path) -> None:
    """The demo store with Lewotobi Laki-laki at Awas and its eruption open."""
    engine = make_engine(database_url)
    replay_lewotobi(engine, geography, tmp_path)
    engine.dispose()


def test_the_hazards_page_lists_volcanoes_by_level_with_the_kecamatan_in_the_zone(
    open_page, with_lewotobi, database_url: str, geography
) -> None:
    at = open_page("pages/hazards.py")
    table = at.dataframe[0].value
    assert list(table[t("col_volcano")]) == ["Lewotobi Laki-laki", "Marapi", "Semeru", "Ruang"]
    lewotobi = table.iloc[0]
    assert lewotobi[t("col_activity_level")] == "Level IV (Awas)"
    assert lewotobi[t("col_zone")] == "radius 7 km"
    assert lewotobi[t("col_zone_kecamatan")] == "Wulanggitang (53.06.01), Ile Bura (53.06.16)"
    assert lewotobi[t("col_level_since")] == "4 Nov 2024 05.00 WIB"  # 06:00 WITA
    assert "Salak" not in set(table[t("col_volcano")])  # Normal is not listed
    semeru = table.iloc[2]
    assert semeru[t("col_zone")] == "radius 3 km; sektoral 8 km (135°-135°)"

    engine = make_engine(database_url)
    with Session(engine) as session, session.begin():  # January 2025: lowered to Waspada
        result = volcano_store.save_volcano_levels(session, parse(WASPADA.read_bytes()))
        proposal_store.propose_incidents(session, geography, result.changed_ids, RULES)
    at = open_page("pages/hazards.py")
    lewotobi = at.dataframe[0].value.set_index(t("col_volcano")).loc["Lewotobi Laki-laki"]
    assert lewotobi[t("col_activity_level")] == "Level II (Waspada)"
    assert lewotobi[t("col_level_since")] == "2 Jan 2025 05.00 WIB"
    assert lewotobi[t("col_zone")] == "radius 3 km"


def test_the_map_draws_each_volcano_as_a_triangle_with_its_zone_and_legend(
    with_lewotobi,
) -> None:
    view = load_live_map("id")
    names = [v.name for v in view.volcanoes]
    assert names == ["Lewotobi Laki-laki", "Marapi", "Semeru", "Ruang"]
    legend = dict(view.legend)
    assert legend["Gunung api Level IV (Awas)"] == LEVEL_COLOURS[4]
    assert legend["Gunung api Level II (Waspada)"] == LEVEL_COLOURS[2]
    others = {colour for words, colour in view.legend if not words.startswith("Gunung api")}
    assert others and not others & set(LEVEL_COLOURS.values())  # teams are red and green too
    (erupsi,) = [i for i in view.incidents if i.kind == "erupsi"]
    wall = view.for_incident(erupsi.id)  # the wall screen of the eruption
    assert [v.name for v in wall.volcanoes] == ["Lewotobi Laki-laki"]
    assert ("Gunung api Level IV (Awas)", LEVEL_COLOURS[4]) in wall.legend
    assert ("Gunung api Level II (Waspada)", LEVEL_COLOURS[2]) not in wall.legend
    demo = next(i for i in view.incidents if i.kind == "gempa_bumi")
    assert view.for_incident(demo.id).volcanoes == ()  # far from West Java's quake
    html = maps.live_map(wall, "", "").get_root().render()
    assert html.count('class=\\"cc-volcano\\"') == 1  # the icon's SVG, as JSON in the page
    assert f'"color": "{LEVEL_COLOURS[4]}"' in html  # the zone in the level's colour
