"""Hotspots seen in headless Chromium against `streamlit run`: the density layer and its legend
on the live map and on the wall screen of a forest and land fire in Pulang Pisau."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Frame, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from command_center.base.db import make_engine
from tests.conftest import APP, app_env_vars, store_copy
from tests.test_browser_screens import _shot, _tab
from tests.test_hotspots import _open_fire, _recent_hotspots

pytestmark = pytest.mark.browser
FIRE = "Karhutla Sebangau Kuala"

# In the map's frame: the hotspot cells drawn (GeoJSON circles with a density colour), those
# in sight, and the legend's lines.
DRAWN = """() => {
  const map = Object.values(window).find(v => v instanceof L.Map);
  let cells = 0, seen = 0;
  map.eachLayer(l => {
    if (l.feature && l.feature.properties.radius) {
      cells += 1;
      if (map.getBounds().contains(l.getLatLng())) { seen += 1; }
    }
  });
  const legend = document.querySelector('.cc-legend');
  const fit = window.ccFitted;  // a wall screen's map, fitted to its incident's area
  return {cells: cells, seen: seen, legend: legend ? legend.innerText : '',
          fitted: Boolean(fit) && map.getBounds().contains(L.latLngBounds(fit.bounds))};
}"""


@pytest.fixture(scope="module")
def fire_server(
    demo_database: str, shared_data: Path, boundary_cache: Path, tmp_path_factory, streamlit_server
) -> Iterator[tuple[str, int]]:
    """The demo store with the fixture week's hotspots (moved to the last hours) and an open
    karhutla incident in Pulang Pisau: (base URL, the fire's id)."""
    url = store_copy(demo_database, tmp_path_factory.mktemp("fires"))
    engine = make_engine(url)
    _recent_hotspots(engine)
    fire = _open_fire(engine, FIRE)
    engine.dispose()
    env = app_env_vars(url, shared_data, boundary_cache, CC_KIOSK_ROTATE_S="600")
    with streamlit_server(APP, env) as base:
        yield base, fire


def _map_frame(tab: Page) -> Frame:
    iframe = tab.wait_for_selector('iframe[data-testid="stCustomComponentV1"]', timeout=60_000)
    frame = iframe.content_frame()
    assert frame is not None
    frame.wait_for_function(f"() => ({DRAWN})().cells > 0", timeout=60_000)
    return frame


def test_the_live_map_shows_hotspot_density_with_its_legend(
    fire_server: tuple[str, int], browser: Browser
) -> None:
    base, _ = fire_server
    tab = _tab(browser, "desktop")
    tab.goto(f"{base}/live_map")
    drawn = _map_frame(tab).evaluate(DRAWN)
    assert 0 < drawn["cells"] < 113, drawn  # cells, not a marker per hotspot
    assert "Titik panas 48 jam: 1-4" in drawn["legend"], drawn
    _shot(tab, "hotspots-live-map")
    tab.context.close()


def test_the_wall_screen_of_a_fire_shows_its_hotspots_with_their_legend(
    fire_server: tuple[str, int], browser: Browser
) -> None:
    base, fire = fire_server
    tab = _tab(browser, "desktop")
    tab.goto(f"{base}/briefing?kiosk=1&incident={fire}")
    expect(tab.locator("h1").first).to_contain_text(FIRE, timeout=60_000)
    frame = _map_frame(tab)
    with contextlib.suppress(PlaywrightTimeout):  # else the assertions below say what is off
        frame.wait_for_function(f"() => ({DRAWN})().fitted", timeout=30_000)
    drawn = frame.evaluate(DRAWN)
    assert drawn["fitted"] and drawn["seen"] > 0, drawn  # the fire's area, and hotspots in it
    assert "Titik panas 48 jam" in drawn["legend"], drawn
    assert "Kebakaran hutan dan lahan" in drawn["legend"], drawn  # the incident's own key
    _shot(tab, "hotspots-wall")
    tab.context.close()
