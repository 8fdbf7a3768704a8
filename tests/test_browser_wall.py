"""The wall screen of a flood in Kab. Bandung (beside the Cianjur training quake and BMKG's
quakes across Indonesia), in headless Chromium against `streamlit run` with local accounts:
opened by its token's link and signed in on its own address, at 1920x1080 and 1366x768."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from sqlalchemy.orm import Session

from command_center import demo
from command_center.base.auth import SYSTEM
from command_center.base.db import make_engine
from command_center.base.scenarios import SCENARIOS
from command_center.sources.bmkg_quakes import parse_infogempa
from command_center.stores import accounts
from command_center.stores import common as store
from command_center.stores import hazards as hazard_store
from tests.conftest import APP, app_env_vars, store_copy
from tests.test_browser_screens import PASSWORD, _shot, _sign_in, _tab

pytestmark = pytest.mark.browser
FLOOD = "LATIHAN Banjir Citarum Kabupaten Bandung"
WALL_SIZES = ["desktop", "laptop"]


@pytest.fixture(scope="module")
def flood_wall(
    demo_database: str,
    geography,
    shared_data: Path,
    boundary_cache: Path,
    tmp_path_factory,
    streamlit_server,
) -> Iterator[tuple[str, int, str]]:
    """The demo store with the Bandung flood too, BMKG's recorded quakes (Papua, Lombok, ...),
    an official's account and a wall-screen token of the flood, served with local sign-in:
    (base URL, the flood's id, the token)."""
    url = store_copy(demo_database, tmp_path_factory.mktemp("wall"))
    engine = make_engine(url)
    demo.load(engine, geography, scenarios=SCENARIOS[1:])
    payload = (shared_data / "bmkg" / "gempaterkini_20261007_ai-gempa-bmkg.json").read_bytes()
    with Session(engine) as session, session.begin():
        hazard_store.save_quakes(session, parse_infogempa(payload))
    flood = next(i.id for i in store.incidents(engine) if i.name == FLOOD)
    accounts.create_user(engine, SYSTEM, "pejabat", PASSWORD, "viewer", "32")
    token = accounts.create_token(engine, SYSTEM, "Layar Pusdalops", "32", flood)
    engine.dispose()
    env = app_env_vars(url, shared_data, boundary_cache, CC_AUTH_MODE="local")
    with streamlit_server(APP, env) as base:
        yield base, flood, token


# Each headline figure is on screen and nothing lies over its middle.
FIGURES_SEEN = """() => [...document.querySelectorAll('[data-testid="stMetric"]')].map(m => {
  const r = m.getBoundingClientRect();
  const top = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
  return r.bottom <= innerHeight && r.right <= innerWidth && m.contains(top);
})"""


def _figures_clear(tab: Page) -> None:
    """The wall screen's figures drawn, whole, with no dialog (Streamlit's "Page not found")
    over them, also after the first run has had time to send one."""
    expect(tab.locator("h1").first).to_contain_text(FLOOD, timeout=60_000)
    expect(tab.locator('[data-testid="stMetric"]')).to_have_count(8, timeout=30_000)
    tab.wait_for_timeout(2_000)
    assert tab.locator('[role="dialog"]').count() == 0
    assert tab.get_by_text("Page not found").count() == 0
    assert all(tab.evaluate(FIGURES_SEEN))


@pytest.mark.parametrize("size", WALL_SIZES)
def test_a_token_link_opens_the_wall_screen_with_nothing_over_it(
    flood_wall: tuple[str, int, str], browser: Browser, size: str
) -> None:
    base, _, token = flood_wall
    tab = _tab(browser, size)
    address = f"{base}/briefing?kiosk=1&token={token}"
    tab.goto(address)
    _figures_clear(tab)
    assert tab.url == address  # the address it was given, not rewritten to `/`
    _shot(tab, f"wall-token-{size}")
    tab.reload()
    _figures_clear(tab)
    assert tab.url == address
    tab.context.close()


@pytest.mark.parametrize("size", WALL_SIZES)
def test_a_wall_screen_signed_in_on_its_address_survives_a_reload(
    flood_wall: tuple[str, int, str], browser: Browser, size: str
) -> None:
    base, flood, _ = flood_wall
    tab = _tab(browser, size)
    address = f"{base}/briefing?kiosk=1&incident={flood}"
    tab.goto(address)
    _sign_in(tab, "pejabat")  # fails unless the session's cookie is written
    _figures_clear(tab)
    for _ in range(2):  # the daily reload of docs/briefing.md, twice
        tab.reload()
        _figures_clear(tab)
        assert tab.get_by_label("Nama pengguna").count() == 0
        assert tab.url == address
    tab.context.close()


# In the map's frame: the incident's kecamatan (labelled shapes), whether the map's bounds hold
# them and whether each lies wholly left of or above the legend, and the legend's type size.
MAP_FIT = """() => {
  const map = Object.values(window).find(v => v instanceof L.Map);
  const legend = document.querySelector('.cc-legend');
  const box = legend.getBoundingClientRect();
  const areas = [];
  map.eachLayer(l => { if (l.feature && l.feature.properties.label) areas.push(l); });
  const clear = l => {
    const ne = map.latLngToContainerPoint(l.getBounds().getNorthEast());
    const sw = map.latLngToContainerPoint(l.getBounds().getSouthWest());
    return ne.x <= box.left || sw.y <= box.top;
  };
  return {areas: areas.map(l => l.feature.properties.label),
          inside: areas.every(l => map.getBounds().contains(l.getBounds())),
          clear: areas.every(clear), zoom: map.getZoom(), fitted: window.ccFitted,
          legend: parseFloat(getComputedStyle(legend).fontSize)};
}"""
# the smallest table text, and how far down the map's pair reaches (share of the screen)
LAYOUT = """() => {
  const cells = [...document.querySelectorAll('[data-testid="stTable"] td')];
  const pair = document.querySelector('.st-key-kiosk_pair_0').getBoundingClientRect();
  return {table: Math.min(...cells.map(c => parseFloat(getComputedStyle(c).fontSize))),
          reach: pair.bottom / innerHeight};
}"""


@pytest.mark.parametrize("size", WALL_SIZES)
def test_the_wall_screen_shows_its_own_area_and_hazards_in_type_read_across_a_room(
    flood_wall: tuple[str, int, str], browser: Browser, size: str
) -> None:
    """The flood's map is fitted to its eight kecamatan (not the Cianjur quake's), none under
    the legend; table text at least 22 px and the legend's 20 px (docs/briefing.md); the panels
    reach into the lower fifth of the screen; "Gempa terkini" has no quake of Papua or Lombok."""
    base, _, token = flood_wall
    tab = _tab(browser, size)
    tab.goto(f"{base}/briefing?kiosk=1&token={token}")
    _figures_clear(tab)
    iframe = tab.wait_for_selector('iframe[data-testid="stCustomComponentV1"]', timeout=60_000)
    frame = iframe.content_frame()
    fitted = f"() => {{ const fit = ({MAP_FIT})(); return fit.inside && fit.clear; }}"
    with contextlib.suppress(PlaywrightTimeout):  # else the assertions below say what is off
        frame.wait_for_function(fitted, timeout=30_000)
    fit = frame.evaluate(MAP_FIT)
    assert len(fit["areas"]) == 8 and all("(32.04." in a for a in fit["areas"]), fit
    assert fit["inside"] and fit["clear"], {k: v for k, v in fit.items() if k != "areas"}
    assert fit["legend"] >= 20, fit
    layout = tab.evaluate(LAYOUT)
    assert layout["table"] >= 22 and layout["reach"] >= 0.8, layout
    quakes = tab.locator(".st-key-kiosk_pair_1").text_content()  # shown in turn
    assert "PAPUA" not in quakes and "LOMBOK" not in quakes, quakes
    assert "BAYAH-BANTEN" in quakes  # within 300 km of the flood
    _shot(tab, f"wall-flood-map-{size}")
    tab.context.close()
