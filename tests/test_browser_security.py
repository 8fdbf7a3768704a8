"""What a browser session may see and run: labels from users and feeds stay text on every map
(stored XSS), and a wall-screen token shows only the briefing, until it is revoked.

folium's own tooltips put text inside a JavaScript template literal; here a payload set that
breaks out of template literals, strings, script and HTML is stored in every label field
(team, incident, quake region, warning headline, the kecamatan a team is sent to, shelter),
and each map must show it as plain text with no script run: live map, team map, wall screen
and the shelter map.
"""

from __future__ import annotations

import shutil
import time
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from command_center.base.auth import SYSTEM
from command_center.base.db import make_engine
from command_center.base.models import Area, Deployment, HazardEvent, Incident, Shelter, Team
from command_center.base.times import utcnow
from command_center.stores import accounts
from tests.conftest import APP, ARTIFACTS, app_env_vars

pytestmark = pytest.mark.browser

# each sets top.__xss when it runs; the page then also says so in its title
PAYLOADS = (
    "${top.__xss=1,top.document.title='XSS'}",
    "`;top.__xss=2;`",
    "</script><script>top.__xss=3</script>",
    "<img src=x onerror=top.__xss=4>",
    "javascript:top.__xss=5",
    "'\";top.__xss=6//",
)
HOSTILE = " ".join(PAYLOADS)


def _poison(database_url: str) -> None:
    """Every label field the maps draw gets the payload set."""
    engine = make_engine(database_url)
    with Session(engine) as session, session.begin():
        session.execute(update(Team).values(name=Team.name + " " + HOSTILE[:60]))
        session.execute(update(Shelter).values(name=Shelter.name + " " + HOSTILE[:60]))
        deployed = session.scalars(select(Deployment.kecamatan_code)).first()
        session.execute(update(Area).where(Area.code == deployed).values(name=HOSTILE[:120]))
        session.execute(update(Incident).values(name="Gempa " + HOSTILE[:100]))
        session.execute(update(HazardEvent).values(location_text=HOSTILE))
        event = session.scalars(select(HazardEvent)).first()
        lon, lat = event.lon, event.lat
        ring = [[lon - 0.3, lat - 0.3], [lon + 0.3, lat - 0.3], [lon, lat + 0.3]]
        session.add(
            HazardEvent(
                source="bmkg_nowcast",
                source_event_id="xss-warning",
                kind="weather_warning",
                time_utc=utcnow(),
                expires_at=utcnow() + timedelta(days=2),
                details={"headline": HOSTILE, "polygons": [[*ring, ring[0]]]},
            )
        )
    engine.dispose()


@pytest.fixture
def poisoned_server(demo_database, tmp_path: Path, shared_data, boundary_cache, streamlit_server):
    copy = tmp_path / "store.db"
    shutil.copy(demo_database.removeprefix("sqlite:///"), copy)
    _poison(f"sqlite:///{copy}")
    env = app_env_vars(
        f"sqlite:///{copy}", shared_data, boundary_cache, CC_KIOSK_ROTATE_S=str(_map_first())
    )
    with streamlit_server(APP, env) as base:
        yield base


def _map_first(seconds: float = 180) -> int:
    """A rotation period that keeps the wall screen on its first panel pair (the map) for the
    next `seconds`: panels change with `time() // period`."""
    now = time.time()
    return next(
        period
        for period in range(600, 1200)
        if int(now // period) % 2 == 0 and int((now + seconds) // period) % 2 == 0
    )


OPEN_EVERY_TOOLTIP = """() => {
  const texts = [];
  window.map.eachLayer(layer => {
    if (!layer.getTooltip || !layer.getTooltip()) return;
    const at = layer.getLatLng ? layer.getLatLng() : layer.getBounds().getCenter();
    layer.openTooltip(at);
    texts.push(layer.getTooltip().getElement().textContent);
  });
  return texts;
}"""


def _tooltips(page: Page, minimum: int) -> list[str]:
    frame_element = page.wait_for_selector(
        'iframe[data-testid="stCustomComponentV1"]', timeout=60_000
    )
    frame = frame_element.content_frame()
    frame.wait_for_selector("path.leaflet-interactive", timeout=60_000)
    frame.wait_for_function(
        f"document.querySelectorAll('path.leaflet-interactive').length >= {minimum}"
    )
    texts = frame.evaluate(OPEN_EVERY_TOOLTIP)
    assert frame.evaluate("top.__xss") is None and frame.evaluate("window.__xss") is None
    return texts


def test_every_map_shows_hostile_labels_as_text_and_runs_none(
    poisoned_server, browser: Browser
) -> None:
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    page = context.new_page()
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        page.goto(f"{poisoned_server}/live_map")
        live = _tooltips(page, 15 + 1 + 10 + 1)
        page.screenshot(path=ARTIFACTS / "map-labels-live.png")
        assert sum(HOSTILE[:60] in text for text in live) >= 10 + 4  # teams and their lines
        assert any(text.startswith("Gempa " + HOSTILE[:60]) for text in live)  # incident
        assert any(HOSTILE in text for text in live if text.startswith("M"))  # quake region
        assert any(text.startswith(HOSTILE) for text in live)  # warning headline
        assert any(f"→ {HOSTILE[:60]}" in text for text in live)  # the kecamatan sent to

        page.goto(f"{poisoned_server}/deployments")
        team_map = _tooltips(page, 10)
        assert sum(HOSTILE[:60] in text for text in team_map) >= 10

        page.goto(f"{poisoned_server}/logistics")
        page.get_by_role("tab", name="Posko pengungsian").click()
        shelters = _tooltips(page, 2)
        assert sum(HOSTILE[:60] in text for text in shelters) == 2  # the quake's two posko

        page.goto(f"{poisoned_server}/briefing?kiosk=1")
        wall = _tooltips(page, 15)
        assert any(HOSTILE[:60] in text for text in wall)
        page.screenshot(path=ARTIFACTS / "map-labels-kiosk.png")

        assert page.evaluate("top.__xss") is None
        assert "XSS" not in page.title()
        assert page.locator('[data-testid="stException"]').count() == 0
    finally:
        context.close()


def test_a_revoked_wall_screen_stops_at_its_next_check(
    demo_database, tmp_path: Path, shared_data, boundary_cache, streamlit_server, browser: Browser
) -> None:
    copy = tmp_path / "store.db"
    shutil.copy(demo_database.removeprefix("sqlite:///"), copy)
    engine = make_engine(f"sqlite:///{copy}")
    token = accounts.create_token(engine, SYSTEM, "Layar Pusdalops")
    env = app_env_vars(
        f"sqlite:///{copy}",
        shared_data,
        boundary_cache,
        CC_AUTH_MODE="local",
        CC_REFRESH_EVERY_S="3",  # the screen checks its token with its data
    )
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    try:
        with streamlit_server(APP, env) as base:
            page.goto(f"{base}/deployments?kiosk=1&token={token}")  # any page: the briefing
            expect(page.locator("h1").first).to_contain_text("LATIHAN Gempa", timeout=60_000)
            assert page.get_by_text("Penugasan Tagana").count() == 0
            accounts.revoke_token(engine, SYSTEM, accounts.tokens(engine, SYSTEM)[0].id)
            expect(page.locator("h1").first).to_have_text("Masuk", timeout=20_000)
            assert page.get_by_text("LATIHAN Gempa").count() == 0
            assert page.evaluate("performance.getEntriesByType('navigation').length") == 1
    finally:
        page.screenshot(path=ARTIFACTS / "kiosk-revoked.png")
        context.close()
        engine.dispose()
