"""Volcanoes seen in headless Chromium: MAGMA's Level IV report of Lewotobi Laki-laki replayed
into the demo store, its erupsi incident confirmed; the live map draws every volcano above
Normal as a triangle with its zone, and the eruption's wall screen its own volcano, each with
the level in the legend."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Frame, expect

from command_center.base.db import make_engine
from command_center.services.volcanoes import LEVEL_COLOURS
from tests.conftest import APP, app_env_vars, store_copy
from tests.test_browser_screens import _shot, _tab
from tests.test_volcanoes import replay_lewotobi

pytestmark = pytest.mark.browser
AWAS_KEY = "Gunung api Level IV (Awas)"
# the triangles' fill colours and the zones' outline colours drawn in the map's frame
DRAWN = """() => ({
  triangles: [...document.querySelectorAll('svg.cc-volcano polygon')]
    .map(p => p.getAttribute('fill')),
  zones: [...document.querySelectorAll('path.leaflet-interactive')]
    .filter(p => p.getAttribute('stroke-dasharray') === '5 4').map(p => p.getAttribute('stroke')),
  legend: document.querySelector('.cc-legend').innerText,
})"""


@pytest.fixture(scope="module")
def eruption(
    demo_database: str,
    geography,
    shared_data: Path,
    boundary_cache: Path,
    tmp_path_factory,
    streamlit_server,
) -> Iterator[tuple[str, int]]:
    """(base URL, the eruption's incident id) of a server on the demo store with Lewotobi."""
    folder = tmp_path_factory.mktemp("eruption")
    (folder / "replay").mkdir()
    url = store_copy(demo_database, folder)
    engine = make_engine(url)
    incident = replay_lewotobi(engine, geography, folder / "replay")
    engine.dispose()
    with streamlit_server(APP, app_env_vars(url, shared_data, boundary_cache)) as base:
        yield base, incident


def _map_frame(tab) -> Frame:
    iframe = tab.wait_for_selector('iframe[data-testid="stCustomComponentV1"]', timeout=60_000)
    frame = iframe.content_frame()
    frame.wait_for_selector("svg.cc-volcano", state="attached", timeout=60_000)
    return frame


def test_the_live_map_draws_volcanoes_by_level_with_their_zones_and_legend(
    eruption: tuple[str, int], browser: Browser
) -> None:
    base, _ = eruption
    tab = _tab(browser, "desktop")
    tab.goto(f"{base}/live_map")
    expect(tab.locator("h1").first).to_have_text("Peta langsung", timeout=60_000)
    frame = _map_frame(tab)
    frame.wait_for_function("document.querySelectorAll('svg.cc-volcano').length === 4")
    drawn = frame.evaluate(DRAWN)
    # Lewotobi Laki-laki at Awas; Semeru, Marapi and Ruang at Waspada; Salak (Normal) not
    assert sorted(drawn["triangles"]) == sorted([LEVEL_COLOURS[4]] + [LEVEL_COLOURS[2]] * 3)
    assert sorted(drawn["zones"]) == sorted(drawn["triangles"])  # each with its zone
    assert AWAS_KEY in drawn["legend"] and "Gunung api Level II (Waspada)" in drawn["legend"]
    _shot(tab, "volcanoes-live-map")
    tab.context.close()


def test_the_eruptions_wall_screen_draws_its_volcano_and_zone_with_the_legend(
    eruption: tuple[str, int], browser: Browser
) -> None:
    base, incident = eruption
    tab = _tab(browser, "desktop")
    tab.goto(f"{base}/briefing?kiosk=1&incident={incident}")
    expect(tab.locator("h1").first).to_contain_text("Lewotobi Laki-laki", timeout=60_000)
    drawn = _map_frame(tab).evaluate(DRAWN)
    assert drawn["triangles"] == [LEVEL_COLOURS[4]] and drawn["zones"] == [LEVEL_COLOURS[4]]
    assert AWAS_KEY in drawn["legend"] and "Waspada" not in drawn["legend"]
    _shot(tab, "volcanoes-wall")
    tab.context.close()
