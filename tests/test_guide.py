"""The user guide's screenshots (`docs/panduan/`), taken from the real app in Chromium, one
signed-in account per role on the training scenario, so the guide shows the screens as they are.
Regenerate them with `.venv/bin/python -m pytest tests/test_guide.py` (`docs/running.md`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy.orm import Session

from command_center.base.auth import SYSTEM
from command_center.base.db import make_engine
from command_center.base.labels import t
from command_center.base.settings import PROJECT_ROOT
from command_center.services.reporters import LINK_PARAM, NewLink
from command_center.stores import accounts, outbox
from command_center.stores import common as store
from command_center.stores import reporters as reporter_store
from tests.conftest import APP, app_env_vars, store_copy

GUIDE = PROJECT_ROOT / "docs" / "panduan"
PASSWORD = "kata-sandi-panduan"
PHONE = (390, 844)
DESK = (1366, 768)


@dataclass(frozen=True)
class Shot:
    """One screenshot: who takes it, where, the page title it must show, and a tab to open."""

    name: str
    username: str
    path: str
    title: str
    tab: str | None = None
    size: tuple[int, int] = DESK


SHOTS = (
    Shot("operator-peta", "operator", "live_map", "page_live_map"),
    Shot("operator-kejadian", "operator", "incidents?incident=1", "page_incidents"),
    Shot("operator-whatsapp", "operator", "reports", "page_reports", "tab_whatsapp"),
    Shot("koordinator-papan", "koordinator", "deployments", "page_deployments"),
    Shot("koordinator-tugaskan", "koordinator", "deployments", "page_deployments", "tab_assign"),
    Shot("pejabat-briefing", "pejabat", "briefing", "page_briefing"),
    Shot("pejabat-notifikasi", "pejabat", "notifications", "page_notifications"),
    Shot("pejabat-kejadian", "pejabat", "incidents?incident=1", "page_incidents"),
    Shot("logistik-stok", "logistik", "logistics", "page_logistics", "tab_stock"),
    Shot("pendata-kk", "pendata", "households", "page_households"),
    Shot("pelapor-lapor", "", "lapor", "lapor_title", size=PHONE),
)
ROLES = {
    "operator": ("operator", "32.03"),
    "koordinator": ("coordinator", "32"),
    "pejabat": ("viewer", "32.03"),
    "logistik": ("logistik", "32.03"),
    "pendata": ("pendata", "32.03"),
}


def test_the_guide_shows_only_pictures_this_module_takes() -> None:
    pictures = {
        name
        for page in GUIDE.glob("*.md")
        for name in re.findall(r"\]\(gambar/([\w-]+)\.jpg\)", page.read_text())
    }
    assert pictures == {shot.name for shot in SHOTS}


@pytest.fixture(scope="module")
def guide_server(
    demo_database: str,
    shared_data: Path,
    boundary_cache: Path,
    streamlit_server,
    tmp_path_factory,
    geography,
) -> Iterator[tuple[str, str]]:
    """The training scenario with one account per role and a TKSK's link: (base URL, token)."""
    url = store_copy(demo_database, tmp_path_factory.mktemp("guide"))
    engine = make_engine(url)
    for username, (role, scope) in ROLES.items():
        accounts.create_user(engine, SYSTEM, username, PASSWORD, role, scope, username.title())
    assert [i.id for i in store.incidents(engine)] == [1]
    with Session(engine) as session, session.begin():  # what an official is alerted to
        outbox.write(
            session,
            "incident_phase",
            "LATIHAN Gempa M5,6 Kabupaten Cianjur: tanggap darurat s.d. 19 Des 2026",
            "SK Bupati Cianjur No. 360/Kep.101-BPBD/2026",
            "/incidents?incident=1",
            ["32.03.11"],
            hazard="gempa_bumi",
            incident_id=1,
        )
    link = NewLink.check({"name": "Ujang", "role": "tksk", "kecamatan": "32.03.11"}, geography)
    _, token = reporter_store.create_link(engine, SYSTEM, link)
    engine.dispose()
    env = app_env_vars(url, shared_data, boundary_cache, CC_AUTH_MODE="local")
    with streamlit_server(APP, env) as base:
        yield base, token


def _open(browser: Browser, base: str, token: str, shot: Shot) -> Page:
    width, height = shot.size
    tab = browser.new_context(viewport={"width": width, "height": height}).new_page()
    if not shot.username:
        tab.goto(f"{base}/{shot.path}?{LINK_PARAM}={token}")
        return tab
    tab.goto(f"{base}/{shot.path}")
    expect(tab.get_by_label("Nama pengguna")).to_be_visible(timeout=60_000)
    tab.get_by_label("Nama pengguna").fill(shot.username)
    tab.get_by_label("Kata sandi").fill(PASSWORD)
    tab.get_by_role("button", name="Masuk").click()
    return tab


@pytest.mark.browser
@pytest.mark.parametrize("shot", SHOTS, ids=lambda s: s.name)
def test_each_role_s_screen_for_the_guide(
    guide_server: tuple[str, str], browser: Browser, shot: Shot
) -> None:
    tab = _open(browser, *guide_server, shot)
    expect(tab.locator("h1").first).to_have_text(t(shot.title), timeout=90_000)
    if shot.tab:
        tab.get_by_role("tab", name=t(shot.tab), exact=True).click()
    tab.wait_for_timeout(500)
    for busy in ("stStatusWidget", "stSkeleton"):  # the script finished, every widget drawn
        expect(tab.locator(f'[data-testid="{busy}"]')).to_have_count(0, timeout=60_000)
    assert tab.locator('[data-testid="stException"]').count() == 0
    assert tab.get_by_text("Page not found").count() == 0
    GUIDE.joinpath("gambar").mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=GUIDE / "gambar" / f"{shot.name}.jpg", type="jpeg", quality=70)
    tab.context.close()
