import json
from dataclasses import replace
from pathlib import Path

import folium

from command_center.adapters.live_map import LiveMapView, QuakeMarker, load_live_map
from command_center.base import resources
from command_center.base.assets import install_static_assets, leaflet_urls
from command_center.base.auth import SYSTEM
from command_center.base.labels import t
from command_center.base.times import utcnow
from command_center.services.figures import STATUS_COLOURS
from command_center.services.teams import TeamOnMap
from command_center.stores import teams as team_store
from command_center.stores.common import IncidentRecord
from command_center.ui import maps
from command_center.ui.shell import PAGES

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _view(**changes) -> LiveMapView:
    incident = IncidentRecord(
        id=1,
        key="k",
        name=f"Gempa {HOSTILE}",
        kind="gempa_bumi",
        status="open",
        kabupaten_code="32.03",
        started_at=utcnow(),
        is_exercise=True,
        kecamatan_codes=("32.03.11",),
        lat=-6.84,
        lon=107.05,
        magnitude=5.6,
    )
    affected = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {
                    "kode_kec": "32.03.11",
                    "kecamatan": HOSTILE,
                    "kabupaten": "Cianjur",
                },
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[107.0, -6.9], [107.1, -6.9], [107.1, -6.8], [107.0, -6.9]]],
                },
            }
        ],
    }
    fields = {
        "incidents": [incident],
        "affected": affected,
        "teams": [
            TeamOnMap(f"Tim {HOSTILE}", "on_scene", -6.8, 107.06, (-6.81, 107.1), HOSTILE),
            TeamOnMap("Tim Siaga", "standby", -6.9, 107.6, None),
        ],
        "centre": (-6.84, 107.05),
        "zoom": 9,
        "problem": None,
    }
    return LiveMapView(**{**fields, **changes})


def _external_links(element: object) -> list[str]:
    """Every JS/CSS URL the map would load from another host (must be none offline)."""
    own = [*getattr(element, "default_js", []), *getattr(element, "default_css", [])]
    links = [url for _, url in own if url.startswith(("http://", "https://", "//"))]
    for child in getattr(element, "_children", {}).values():
        links += _external_links(child)
    return links


def _html(fmap: folium.Map) -> str:
    return fmap.get_root().render()


def test_maps_load_leaflet_from_the_app_not_a_cdn() -> None:
    fmap = maps.live_map(_view(), "https://tile.example/{z}/{x}/{y}.png", "x")
    assert _external_links(fmap) == []
    html = _html(fmap)
    assert '<script src="/app/static/vendor/leaflet-1.9.3/leaflet.js">' in html
    assert "cdn.jsdelivr.net" not in html and "code.jquery.com" not in html


def test_static_url_follows_the_base_url_path() -> None:
    js, css = leaflet_urls("/pusdalops/")
    assert js == "/pusdalops/app/static/vendor/leaflet-1.9.3/leaflet.js"
    assert css.endswith("/leaflet.css")


def test_tile_url_is_a_setting_and_empty_means_plain_background() -> None:
    tiled = _html(maps.live_map(_view(), "http://tiles.local/{z}/{x}/{y}.png", "Local tiles"))
    assert "http://tiles.local/{z}/{x}/{y}.png" in tiled
    plain = maps.live_map(_view(), "", "")
    html = _html(plain)
    assert "L.tileLayer" not in html
    assert maps.PLAIN_BACKGROUND in html
    assert "L.geoJson" in html and "L.circleMarker" in html  # data still drawn


def test_tiles_are_credited_only_once_shown_and_outlines_lie_beneath_the_data() -> None:
    urls = {"province": "/app/static/geo/p.geojson", "kabupaten": "/app/static/geo/k.geojson"}
    tiled = _html(maps.live_map(_view(), "http://tiles.local/{z}/{x}/{y}.png", "© OSM", "", urls))
    assert "removeAttribution" in tiled and "tileload" in tiled  # credited when a tile loads
    assert "/app/static/geo/p.geojson" in tiled and '"ccOutlines"' in tiled
    assert "fill: false,\n      fillColor" in tiled  # no land fill over the tiles
    plain = _html(maps.live_map(_view(), "", "© OSM", "", urls))
    assert "© OSM" not in plain and "L.tileLayer" not in plain
    assert "fill: true,\n      fillColor" in plain and maps.LAND in plain  # land against sea
    assert "ccOutlines" not in _html(maps.live_map(_view(), "", ""))  # no boundaries, no outlines


def test_user_text_reaches_tooltips_only_as_json_data() -> None:
    html = _html(maps.live_map(_view(), "", ""))
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "\\u003cscript\\u003ealert" in html  # the label, as a JSON string
    assert "bindTooltip(`" not in html  # never inside a JavaScript template literal
    assert html.count("textContent") == 5  # warning-free view: kecamatan, quake-free, 3 team marks


def test_a_template_literal_payload_stays_inside_a_json_string() -> None:
    payload = "Tim ${top.document.title=1} `x` </script>"
    marker = maps.with_label(folium.CircleMarker((0, 0)), payload)
    fmap = maps.base_map("", "")
    marker.add_to(fmap)
    html = _html(fmap)
    assert '"Tim ${top.document.title=1} `x` \\u003c/script\\u003e"' in html


def test_template_syntax_in_user_text_is_shown_never_run_on_the_server() -> None:
    """branca renders each element's output a second time as a Jinja template: a label of
    `{{ 7*7 }}` became "49" there, and a crafted one ran code in the server."""
    payload = "Tim {{ 7*7 }} {% if true %}ya{% endif %} {# x #}"
    view = _view(
        teams=[TeamOnMap(payload, "on_scene", -6.8, 107.06, (-6.81, 107.1), payload)],
        affected={"type": "FeatureCollection", "features": []},
    )
    html = _html(maps.live_map(view, "", ""))
    assert f"textContent = {json.dumps(payload)[:-1]}" in html and "Tim 49" not in html
    fmap = maps.base_map("", "")
    folium.CircleMarker((0, 0), popup=folium.Popup(payload)).add_to(fmap)  # folium's own too
    assert "Tim {{ 7*7 }}" in _html(fmap)


def test_teams_are_coloured_by_status_with_a_line_to_their_kecamatan() -> None:
    group = maps.team_layer(_view().teams, {"on_scene": "Bertugas", "standby": "Siaga"})
    lines = [c for c in group._children.values() if isinstance(c, folium.PolyLine)]
    markers = [c for c in group._children.values() if isinstance(c, folium.CircleMarker)]
    assert len(lines) == 1 and len(markers) == 2
    assert lines[0].locations == [[-6.8, 107.06], [-6.81, 107.1]]
    assert lines[0].options["color"] == STATUS_COLOURS["on_scene"]
    assert {m.options["fillColor"] for m in markers} == {
        STATUS_COLOURS["on_scene"],
        STATUS_COLOURS["standby"],
    }
    html = _html(maps.live_map(_view(), "", ""))
    assert "L.polyline" in html
    assert json.dumps("Tim Siaga · standby") in html  # without words a status shows as its code


def test_empty_view_draws_an_empty_map_of_indonesia() -> None:
    view = _view(
        incidents=[],
        teams=[],
        affected={"type": "FeatureCollection", "features": []},
        centre=maps.INDONESIA_CENTRE,
        zoom=5,
    )
    html = _html(maps.live_map(view, "", ""))
    assert "L.circleMarker" not in html and "L.geoJson" not in html


def test_static_assets_are_copied_from_the_installed_package(tmp_path: Path) -> None:
    folder = install_static_assets(tmp_path)
    assert (folder / "leaflet.js").stat().st_size > 100_000
    assert (folder / "leaflet.css").exists()
    assert (folder / "images" / "marker-icon.png").exists()
    assert install_static_assets(tmp_path) == folder  # second call is a no-op


def test_an_area_without_intensities_is_shaded_by_hazard_with_a_legend() -> None:
    affected = _view().affected
    affected["features"][0]["properties"].update(hazard="banjir", hazard_word="Banjir", mmi=0)
    view = _view(affected=affected, legend=[("Banjir", "#1e88e5"), ("Gempa bumi", "#bfccff")])
    html = _html(maps.live_map(view, "", ""))
    assert '"fill": "#1e88e5"' in html
    assert json.dumps([["Banjir", "#1e88e5"], ["Gempa bumi", "#bfccff"]]) in html
    assert "(32.03.11) \\u00b7 Banjir" in html  # the label says the hazard


def test_a_wall_screen_bound_to_one_incident_maps_that_incident_only() -> None:
    view = _view()
    flood = replace(view.incidents[0], id=2, kind="banjir", kecamatan_codes=("32.04.12",))
    other_area = {**view.affected["features"][0], "properties": {"kode_kec": "32.04.12"}}
    teams = [
        replace(view.teams[0], incident_id=1),
        replace(view.teams[0], name="Tim Banjir", incident_id=2),
        view.teams[1],  # at standby: no incident
    ]
    both = _view(
        incidents=[view.incidents[0], flood],
        affected={**view.affected, "features": [*view.affected["features"], other_area]},
        teams=teams,
        legend=[("Gempa bumi", "#bfccff"), ("Banjir", "#1e88e5")],
    )
    quake_only = both.for_incident(1)
    assert [i.id for i in quake_only.incidents] == [1]
    assert [f["properties"]["kode_kec"] for f in quake_only.affected["features"]] == ["32.03.11"]
    assert [t.incident_id for t in quake_only.teams] == [1]
    assert quake_only.legend == [("Gempa bumi", "#bfccff")]
    assert len(both.teams) == 3  # the shared view is left as it was


def test_the_live_map_legend_explains_every_colour_it_draws(with_demo) -> None:
    legend = dict(load_live_map("id").legend)
    assert legend[t("hazard_gempa_bumi")]
    assert legend[f"{t('legend_team')}: {t('status_on_scene')}"] == STATUS_COLOURS["on_scene"]
    assert legend[f"{t('legend_team')}: {t('status_standby')}"] == STATUS_COLOURS["standby"]
    assert any(words.startswith(t("legend_quake")) for words in legend)  # the demo quake
    assert any(words.startswith("MMI") for words in legend)  # its kecamatan by intensity


def test_a_wall_screen_map_is_fitted_to_its_incident_beside_the_legend() -> None:
    """The wall screen of a flood is fitted to the flood's kecamatan, not centred on another
    incident (the quake), and keys only what it draws: not the quake's intensities, nor the
    quakes far off its map."""
    view = _view()
    quake = {**view.affected["features"][0], "properties": {"kode_kec": "32.03.11", "mmi": 6.2}}
    flood_area = {
        "type": "Feature",
        "properties": {"kode_kec": "32.04.12", "mmi": 0.0},
        "geometry": {
            "type": "Polygon",
            "coordinates": [[[107.5, -7.1], [107.7, -7.1], [107.7, -6.95], [107.5, -7.1]]],
        },
    }
    flood = replace(view.incidents[0], id=2, kind="banjir", kecamatan_codes=("32.04.12",))
    far = QuakeMarker(-8.77, 116.14, 5.2, 3.0, "M5,2 Lombok Barat")
    near = QuakeMarker(-7.0, 107.6, 3.1, 3.0, "M3,1 Bandung")
    ages = [("Gempa < 1 jam", "#d50000"), ("Gempa lebih lama", "#9e9e9e")]
    both = _view(
        incidents=[view.incidents[0], flood],
        affected={**view.affected, "features": [quake, flood_area]},
        quakes=(far, near),
        legend=[("Gempa bumi", "#bfccff"), ("Banjir", "#1e88e5"), ("MMI 6+", "#ffff00"), *ages],
    )
    wall = both.for_incident(2)
    assert wall.bounds == ((-7.1, 107.5), (-6.95, 107.7))
    assert wall.quakes == (near,)
    assert wall.legend == [("Banjir", "#1e88e5"), *ages]
    assert both.for_incident(1).legend[:2] == [("Gempa bumi", "#bfccff"), ("MMI 6+", "#ffff00")]
    alone = _view(incidents=[flood], affected={**view.affected, "features": [flood_area]})
    assert alone.for_incident(2).legend == []  # no quake on its map: no quake keys
    html = _html(maps.live_map(wall, "", ""))
    fit = html.index("var bounds = [[-7.1, 107.5], [-6.95, 107.7]]")
    assert html.index("L.control({position") < fit  # the legend is drawn before the fit
    assert "paddingBottomRight: [right" in html[fit:]  # which keeps clear of its width
    assert "fitBounds" not in _html(maps.live_map(both, "", ""))  # the live map stays put


def test_the_live_maps_areas_are_written_once_per_data_version_for_every_session(
    open_page, with_demo, monkeypatch
) -> None:
    """The areas' GeoJSON is the live map's largest part (a fifth of its run, written as
    JSON): the sessions share one writing of it per data version."""
    written = []
    areas_json = LiveMapView.areas_json

    def counted(view: LiveMapView) -> str:  # the real method, counted
        written.append(view)
        return areas_json(view)

    monkeypatch.setattr(LiveMapView, "areas_json", counted)
    page = PAGES[0].file  # the live map
    first, second = open_page(page), open_page(page)
    second.run()
    assert len(written) == 1
    roster = team_store.roster(resources.engine())
    team = roster[roster["status"] == "standby"].iloc[0]
    team_store.change_status(
        resources.engine(), int(team["id"]), int(team["version"]), "unavailable", SYSTEM, "sakit"
    )
    first.run()
    second.run()
    assert len(written) == 2 and not first.exception and not second.exception
