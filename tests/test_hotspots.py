"""Hotspots: stored once however many files list them, counted per kecamatan per WIB day, and
a fire that persists proposes a `karhutla` incident for its kabupaten, only there."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from command_center import cli
from command_center.adapters.live_map import load_live_map
from command_center.base import resources
from command_center.base.auth import SYSTEM
from command_center.base.http import make_session
from command_center.base.models import HazardEvent, Hotspot, Incident
from command_center.base.settings import load_settings
from command_center.base.times import utcnow
from command_center.services.hotspots import (
    FireRules,
    daily_counts,
    density,
    density_colour,
    fire_areas,
    persistent_runs,
    wib_day,
)
from command_center.services.incidents import ProposalRules
from command_center.sources.firms import parse_firms
from command_center.stores import hazards as hazard_store
from command_center.stores import hotspots as hotspot_store
from command_center.stores import incidents as incident_store
from command_center.stores import proposals as proposal_store
from command_center.stores.incidents import NewIncident
from command_center.ui import maps
from command_center.workers import ingest

FIXTURES = Path(__file__).parent / "fixtures"
SEBANGAU_KUALA, JABIREN_RAYA, KAHAYAN_TENGAH = "62.11.08", "62.11.07", "62.11.03"
CENGAL, TULUNG_SELAPAN = "16.02.18", "16.02.11"


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _counts(rows: list[tuple[str, str, int]]) -> pd.DataFrame:
    """Counts as `daily_counts` gives them: (kecamatan, day, high-confidence hotspots)."""
    return pd.DataFrame(
        [(code, date.fromisoformat(day), high, high) for code, day, high in rows],
        columns=["kode_kec", "day", "hotspots", "high"],
    )


def test_a_night_pass_counts_for_the_next_wib_day() -> None:
    located = pd.DataFrame(
        {
            "kode_kec": [SEBANGAU_KUALA] * 3,
            "time_utc": [_at("2019-09-12T06:01"), _at("2019-09-12T18:12"), _at("2019-09-12T06:02")],
            "confidence": ["high", "high", "nominal"],
        }
    )
    counts = daily_counts(located)
    assert counts.to_dict("records") == [
        {"kode_kec": SEBANGAU_KUALA, "day": date(2019, 9, 12), "hotspots": 2, "high": 1},
        {"kode_kec": SEBANGAU_KUALA, "day": date(2019, 9, 13), "hotspots": 1, "high": 1},
    ]


def test_a_run_needs_its_days_in_a_row_at_the_threshold() -> None:
    counts = _counts(
        [
            (CENGAL, "2019-09-12", 6),
            (CENGAL, "2019-09-13", 4),  # under the threshold: the run breaks
            (CENGAL, "2019-09-14", 6),
            (CENGAL, "2019-09-15", 6),
            (SEBANGAU_KUALA, "2019-09-12", 5),
            (SEBANGAU_KUALA, "2019-09-13", 5),
            (SEBANGAU_KUALA, "2019-09-14", 9),
        ]
    )
    runs = persistent_runs(counts, FireRules(min_high=5, days=3))
    assert runs.values.tolist() == [[SEBANGAU_KUALA, date(2019, 9, 12), date(2019, 9, 14)]]
    two_days = persistent_runs(counts, FireRules(min_high=5, days=2))
    assert sorted(two_days["kode_kec"]) == [CENGAL, SEBANGAU_KUALA]


def test_a_fire_covers_the_kabupatens_kecamatan_with_high_confidence_hotspots_then() -> None:
    counts = _counts(
        [
            (SEBANGAU_KUALA, "2019-09-12", 8),
            (SEBANGAU_KUALA, "2019-09-13", 8),
            (JABIREN_RAYA, "2019-09-13", 1),
            (JABIREN_RAYA, "2019-09-20", 3),  # a week later: not this fire's
            (CENGAL, "2019-09-13", 4),  # another kabupaten
        ]
    )
    (area,) = fire_areas(counts, FireRules(min_high=5, days=2))
    assert (area.kode_kab, area.persistent, area.affected) == (
        "62.11",
        (SEBANGAU_KUALA,),
        (SEBANGAU_KUALA, JABIREN_RAYA),
    )
    assert (area.first_day, area.last_day) == (date(2019, 9, 12), date(2019, 9, 13))


def test_density_counts_hotspots_per_cell_most_first() -> None:
    spots = pd.DataFrame(
        {
            "lat": [-2.51, -2.52, -2.58, -3.01],
            "lon": [113.91, 113.93, 113.99, 114.5],
            "confidence": ["high", "nominal", "high", "low"],
        }
    )
    cells = density(spots)
    assert [tuple(row) for row in cells.itertuples(index=False)] == [
        (-2.55, 113.95, 3, 2),
        (-3.05, 114.55, 1, 0),
    ]
    assert [density_colour(n) for n in (1, 5, 20)] == ["#ffb300", "#f4511e", "#b71c1c"]


def test_thousands_of_hotspots_are_at_most_a_cell_each_a_tenth_of_a_degree_wide() -> None:
    rng = np.random.default_rng(2019)
    many = pd.DataFrame(
        {
            "lat": rng.uniform(-3.0, -2.0, 5000),
            "lon": rng.uniform(113.5, 114.5, 5000),
            "confidence": rng.choice(["low", "nominal", "high"], 5000),
        }
    )
    cells = density(many)
    assert len(cells) <= 100 and cells["hotspots"].sum() == 5000


def _hotspots(engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(Hotspot)) or 0


def _replay(settings, *folders: str, **rules: int) -> None:
    cfg = settings.model_copy(update=rules)
    assert cli.ingest_feeds(cfg, [str(FIXTURES / f) for f in folders], False, propose=True) == 0


def _fires(engine) -> dict[str, set[str]]:
    """The karhutla incidents: kabupaten code → kecamatan codes."""
    with Session(engine) as session:
        incidents = session.scalars(select(Incident).where(Incident.kind == "karhutla")).all()
        return {i.kabupaten_code: {a.kecamatan_code for a in i.areas} for i in incidents}


def test_a_dry_season_file_set_proposes_fires_only_where_the_threshold_is_met(
    settings, engine
) -> None:
    _replay(settings, "firms", hotspot_min_high=5, hotspot_days=3)
    # Sebangau Kuala burns three days running; Jabiren Raya's few high-confidence hotspots are
    # the same fire's; Kahayan Tengah's nominal ones are not; OKI never holds three days.
    assert _fires(engine) == {"62.11": {SEBANGAU_KUALA, JABIREN_RAYA}}
    with Session(engine) as session:
        incident = session.scalar(select(Incident).where(Incident.kind == "karhutla"))
        assert incident.status == "proposed"
        assert incident.name == "Kebakaran hutan dan lahan Kabupaten Pulang Pisau"

    _replay(settings, "firms_next_day", hotspot_min_high=5, hotspot_days=3)
    # the 15th: Cengal's third day in a row; Pulang Pisau's fire goes on as the same incident
    assert _fires(engine) == {
        "62.11": {SEBANGAU_KUALA, JABIREN_RAYA},
        "16.02": {CENGAL, TULUNG_SELAPAN},
    }


def test_the_threshold_is_a_setting(settings, engine) -> None:
    _replay(settings, "firms", hotspot_min_high=5, hotspot_days=2)
    assert set(_fires(engine)) == {"62.11", "16.02"}  # Cengal's 13th and 14th now suffice


def test_overlapping_files_store_each_detection_once(settings, engine) -> None:
    _replay(settings, "firms", hotspot_min_high=5, hotspot_days=3)
    # 39 + 3 on the 12th, 109 over the 13th and 14th (the 24 h file repeats the 14th), 4 MODIS
    assert _hotspots(engine) == 39 + 3 + 109 + 4
    _replay(settings, "firms", hotspot_min_high=5, hotspot_days=3)
    assert _hotspots(engine) == 155
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(HazardEvent)) == 1
        assert session.scalar(select(func.count()).select_from(Incident)) == 1


def _firms_feed(httpserver: HTTPServer, key: str | None = "SECRET-KEY-123"):
    url = httpserver.url_for("/api/area/csv/{map_key}/VIIRS_SNPP_NRT/94,-12,142,7/2")
    return ingest.registry(load_settings(feed_firms_url=url, firms_map_key=key)).get("firms")


def _poll(engine, feed) -> str:
    return ingest.poll(engine, make_session("test", retries=0, backoff_s=0), feed, 5.0)


def test_the_feed_is_off_until_its_map_key_is_set(httpserver: HTTPServer) -> None:
    assert _firms_feed(httpserver, key=None) is None
    feed = _firms_feed(httpserver)
    assert feed.url.endswith("/api/area/csv/SECRET-KEY-123/VIIRS_SNPP_NRT/94,-12,142,7/2")
    keyless = "https://example.org/SUOMI_VIIRS_C2_SouthEast_Asia_48h.csv"
    assert ingest.registry(load_settings(feed_firms_url=keyless))["firms"].url == keyless


def test_a_changed_shape_is_a_feed_error_and_the_last_good_hotspots_stay(
    engine, httpserver: HTTPServer
) -> None:
    feed = _firms_feed(httpserver)
    path = "/api/area/csv/SECRET-KEY-123/VIIRS_SNPP_NRT/94,-12,142,7/2"
    good = (FIXTURES / "firms" / "firms_area_VIIRS_SNPP_NRT_2019-09-12.csv").read_bytes()
    httpserver.expect_ordered_request(path).respond_with_data(good, content_type="text/csv")
    changed = good.replace(b"latitude", b"lat", 1)
    httpserver.expect_ordered_request(path).respond_with_data(changed, content_type="text/csv")
    assert _poll(engine, feed) == "ok"
    assert _poll(engine, feed) == "error"
    status = hazard_store.feed_state(engine, "firms")
    assert "not a FIRMS header (no latitude)" in status.last_error
    assert status.last_ok_at is not None and status.failing_since is not None
    assert _hotspots(engine) == 39


@pytest.mark.parametrize("days", [1, 3])
def test_a_fire_event_is_one_per_kabupaten_episode(settings, engine, days: int) -> None:
    _replay(settings, "firms", hotspot_min_high=5, hotspot_days=days)
    _replay(settings, "firms_next_day", hotspot_min_high=5, hotspot_days=days)
    with Session(engine) as session:
        events = session.scalars(select(HazardEvent).where(HazardEvent.kind == "forest_fire"))
        kabupaten = sorted(e.details["kode_kab"] for e in events)
    assert kabupaten == ["16.02", "62.11"]


def _recent_hotspots(engine, folder: str = "firms") -> None:
    """The fixture week's detections moved so that its last one is an hour old."""
    spots = [s for path in sorted((FIXTURES / folder).glob("*.csv")) for s in _parsed(path)]
    shift = utcnow() - timedelta(hours=1) - max(s.time_utc for s in spots)
    with Session(engine) as session, session.begin():
        hotspot_store.save_hotspots(
            session, [replace(s, time_utc=s.time_utc + shift) for s in spots]
        )


def _parsed(path: Path):
    return parse_firms(path.read_bytes())


def _open_fire(engine, name: str = "Karhutla Pulang Pisau") -> int:
    """An operator's open karhutla incident in Pulang Pisau, for the wall screen."""
    entry = NewIncident("karhutla", name, (SEBANGAU_KUALA, JABIREN_RAYA), utcnow())
    key = incident_store.open_incident(engine, entry, SYSTEM)
    return incident_store.incident_id(engine, key)


def test_the_maps_draw_the_last_two_days_as_density_cells_with_a_legend(
    app_env, area_engine
) -> None:
    assert load_live_map("id").hotspots["features"] == []
    _recent_hotspots(area_engine)  # a new version of the table: the map is built again
    resources.look_for_changes()  # as the next run does
    view = load_live_map("id")
    cells = view.hotspots["features"]
    # the fixture's last two days: 109 VIIRS and 4 MODIS detections, one of them in Sarawak
    shown = sum(int(f["properties"]["label"].split()[0]) for f in cells)
    assert shown == 113 and 0 < len(cells) < shown
    legend = dict(view.legend)
    assert legend["Titik panas 48 jam: 1-4"] == "#ffb300"
    keys = {colour for words, colour in legend.items() if words.startswith("Titik panas")}
    assert keys == {f["properties"]["colour"] for f in cells}  # a key for every colour drawn
    html = maps.live_map(view, "", "").get_root().render()
    assert "Titik panas 48 jam" in html and html.count('"radius"') >= len(cells)


def test_a_wall_screen_shows_the_hotspots_around_its_incident_only(app_env, area_engine) -> None:
    _recent_hotspots(area_engine)
    fire = _open_fire(area_engine)
    wall = load_live_map("id").for_incident(fire)
    lats = [f["geometry"]["coordinates"][1] for f in wall.hotspots["features"]]
    assert lats and all(lat > -3.6 for lat in lats)  # Pulang Pisau's, not OKI's (Sumatra)
    assert all(
        lon > 113 for lon, _ in (f["geometry"]["coordinates"] for f in wall.hotspots["features"])
    )
    assert any(words.startswith("Titik panas 48 jam") for words, _ in wall.legend)


def test_the_hazards_page_counts_hotspots_per_kecamatan_per_day(
    app_env, area_engine, open_page
) -> None:
    _recent_hotspots(area_engine)
    at = open_page("pages/hazards.py")
    expander = next(e for e in at.expander if e.label.startswith("Titik panas per kecamatan"))
    table = expander.dataframe[0].value
    first = table.iloc[0]
    assert first["Kecamatan"] == "Sebangau Kuala"
    assert first["Semua titik panas"] == 8 + 3 + 1 + 12 + 4 + 2 + 15 + 5 + 2 + 3 + 3
    assert "Kahayan Tengah" in set(table["Kecamatan"])  # listed: it has nominal hotspots


def test_a_fire_just_become_persistent_proposes_under_the_live_age_rule(
    area_engine, geography
) -> None:
    """Polled live (events older than 24 h when first seen are history), a fire seen an hour
    ago proposes; its incident starts at its last high-confidence detection: the afternoon
    pass, about 12 h before the night pass (nominal) that ends the files."""
    _recent_hotspots(area_engine)
    with Session(area_engine) as session, session.begin():
        stored = hotspot_store.hotspots_between(session, _at("2000-01-01T00:00"), utcnow())
        days = tuple(sorted(set(wib_day(stored["time_utc"]))))
        fires = hotspot_store.fire_events(session, geography, FireRules(5, 3), days)
        created = proposal_store.propose_incidents(session, geography, fires, ProposalRules())
        assert len(created) == 1
        incident = session.get(Incident, created[0])
        assert timedelta(hours=12) < utcnow() - incident.started_at < timedelta(hours=14)


def test_the_hazards_page_names_a_fires_kecamatan_and_where_it_persists(
    settings, app_env, open_page
) -> None:
    _replay(settings, "firms", hotspot_min_high=5, hotspot_days=3)
    at = open_page("pages/hazards.py")
    assert at.selectbox(key="hazard_event").value is not None  # the fire, the only event
    assert any("Kabupaten Pulang Pisau" in s.value for s in at.subheader)
    assert any("Kebakaran hutan dan lahan" in w.value for w in at.warning)  # proposed
    fire = next(d.value for d in at.dataframe if "Menetap 3 hari" in d.value.columns)
    assert dict(zip(fire["Kecamatan"], fire["Menetap 3 hari"], strict=True)) == {
        "Sebangau Kuala": "Ya",
        "Jabiren Raya": "Tidak",
    }
