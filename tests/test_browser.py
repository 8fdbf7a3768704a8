"""The real app (`streamlit run`) in headless Chromium: deep links on a fresh server, offline map.

Chromium is Debian's (`/usr/bin/chromium`, or `CC_CHROMIUM`); screenshots go to
`test-artifacts/`.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from command_center import demo
from command_center.base.db import make_engine, migrate
from tests.conftest import (
    APP,
    ARTIFACTS,
    EARTHQUAKE,
    app_env_vars,
    free_port,
    scrape_metrics,
    wait_for_status,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def fresh_server(
    demo_database: str, shared_data: Path, boundary_cache: Path, streamlit_server
) -> Iterator[str]:
    """A newly started `streamlit run app.py`, with no basemap tiles and a 2 s refresh."""
    env = app_env_vars(demo_database, shared_data, boundary_cache, CC_REFRESH_EVERY_S="2")
    with streamlit_server(APP, env) as base:
        yield base


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    tab = context.new_page()
    tab.outside_requests = []  # type: ignore[attr-defined]
    tab.on(
        "request",
        lambda r: (
            r.url.startswith(("http://127.0.0.1", "data:")) or tab.outside_requests.append(r.url)
        ),
    )  # type: ignore[attr-defined]
    yield tab
    ARTIFACTS.mkdir(exist_ok=True)
    tab.screenshot(path=ARTIFACTS / f"{request.node.name}.png", full_page=True)
    context.close()


def _wait_for_app(tab: Page, title: str) -> None:
    expect(tab.locator("h1").first).to_have_text(title, timeout=60_000)
    expect(tab.locator('[data-testid="stSidebarNav"]')).to_contain_text("Layar briefing")


@pytest.mark.parametrize(
    ("path", "title"),
    [
        ("briefing", "Layar briefing"),
        ("deployments", "Penugasan Tagana"),
        ("reports", "Laporan kecamatan"),
        ("hazards", "Bahaya BMKG"),
        ("admin", "Pengguna & audit"),
        ("live_map", "Peta langsung"),  # the first page, also served at "/"
    ],
)
def test_deep_link_opens_its_page_on_a_fresh_server(fresh_server, page, path, title) -> None:
    page.goto(f"{fresh_server}/{path}")
    _wait_for_app(page, title)
    nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
    assert "Peta langsung" in nav and "Operator" in nav  # our navigation, not the legacy menu
    assert page.get_by_text("Page not found").count() == 0
    assert page.locator("h1").count() == 1  # the page ran once, inside the app shell
    assert page.locator('[data-testid="stException"]').count() == 0


def test_live_map_draws_kecamatan_and_markers_offline(fresh_server, page) -> None:
    page.goto(f"{fresh_server}/live_map")
    _wait_for_app(page, "Peta langsung")
    frame = page.frame_locator('iframe[data-testid="stCustomComponentV1"]')
    expect(frame.locator(".leaflet-container")).to_be_visible(timeout=60_000)
    shapes = frame.locator("path.leaflet-interactive")
    expect(shapes.nth(15 + 1 + 10 - 1)).to_be_attached(
        timeout=30_000
    )  # 15 kecamatan, 1 event, 10 teams
    assert frame.locator("img.leaflet-tile").count() == 0  # tiles are off: plain background
    iframe = page.wait_for_selector('iframe[data-testid="stCustomComponentV1"]')
    iframe.content_frame().wait_for_function("window.ccOutlinesDrawn", timeout=60_000)
    assert "OpenStreetMap" not in frame.locator(".leaflet-control-attribution").inner_text()
    assert page.outside_requests == []  # type: ignore[attr-defined]


def test_live_map_refreshes_without_losing_the_users_zoom(fresh_server, page) -> None:
    page.goto(f"{fresh_server}/live_map")
    _wait_for_app(page, "Peta langsung")
    iframe = page.wait_for_selector('iframe[data-testid="stCustomComponentV1"]', timeout=60_000)
    frame = iframe.content_frame()
    frame.wait_for_selector(".leaflet-container", timeout=60_000)
    zoom = frame.evaluate("window.map.getZoom()")
    page.frame_locator('iframe[data-testid="stCustomComponentV1"]').locator(
        ".leaflet-control-zoom-in"
    ).click()
    expect(page.locator("h1").first).to_have_text("Peta langsung")
    time.sleep(5)  # the panel refreshes every 2 s in this server
    again = page.query_selector('iframe[data-testid="stCustomComponentV1"]').content_frame()
    assert again == frame  # the map was not rebuilt
    assert again.evaluate("window.map.getZoom()") == zoom + 1


@pytest.fixture
def own_server(
    demo_database: str, tmp_path: Path, shared_data: Path, boundary_cache: Path, streamlit_server
) -> Iterator[str]:
    """A server on its own copy of the demo database, for tests that change data."""
    copy = tmp_path / "store.db"
    shutil.copy(demo_database.removeprefix("sqlite:///"), copy)
    with streamlit_server(
        APP, app_env_vars(f"sqlite:///{copy}", shared_data, boundary_cache)
    ) as base:
        yield base


def _metric(page: Page, label: str) -> str:
    box = page.locator('[data-testid="stMetric"]').filter(has_text=label).first
    return box.locator('[data-testid="stMetricValue"]').inner_text()


def _assign_first_suggestion(tab: Page, task: str) -> None:
    """On the open deployments page: assign the suggested team with `task`, wait for the OK."""
    tab.get_by_role("tab", name="Penugasan").click()
    suggestions = tab.locator('[data-testid="stDataFrame"]').filter(has_text="Jarak (km)")
    expect(suggestions).to_be_visible(timeout=30_000)
    tab.get_by_label("Tugas", exact=True).fill(task)
    tab.get_by_role("button", name="Tugaskan").click()
    expect(tab.get_by_text("ditugaskan ke")).to_be_visible(timeout=30_000)


def test_an_assignment_made_in_the_browser_shows_on_the_board_and_map(own_server, page) -> None:
    page.goto(f"{own_server}/deployments")
    _wait_for_app(page, "Penugasan Tagana")
    assert _metric(page, "Dalam perjalanan") == "1"
    _assign_first_suggestion(page, "Dapur umum <b>darurat</b>")
    page.get_by_role("tab", name="Papan status").click()
    expect(
        page.locator('[data-testid="stMetric"]').filter(has_text="Dalam perjalanan")
    ).to_contain_text("2", timeout=30_000)
    frame = page.frame_locator('iframe[data-testid="stCustomComponentV1"]').first
    expect(frame.locator(".leaflet-container")).to_be_visible(timeout=60_000)
    # 10 team markers, and a line for each of the 5 deployed teams (4 before, 1 just assigned)
    expect(frame.locator("path.leaflet-interactive")).to_have_count(10 + 5, timeout=30_000)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator("b", has_text="darurat").count() == 0  # user text never became HTML


def test_the_national_choropleth_draws_from_the_prepared_layers(fresh_server, page) -> None:
    fetched: dict[str, int] = {}
    encodings: set[str | None] = set()

    def seen(response) -> None:
        if "/app/static/geo/" in response.url:
            fetched[response.url] = len(response.body())
            encodings.add(response.headers.get("content-encoding"))

    page.on("response", seen)
    page.goto(f"{fresh_server}/reports")
    _wait_for_app(page, "Laporan kecamatan")
    iframe = page.wait_for_selector('iframe[data-testid="stCustomComponentV1"]', timeout=60_000)
    frame = iframe.content_frame()
    frame.wait_for_function("window.ccChoroplethDrawn", timeout=90_000)
    assert frame.locator("canvas.leaflet-zoom-animated").count() >= 1  # drawn on a canvas
    assert sorted(url.split("/")[-1].split("-")[0] for url in fetched) == [
        "kabupaten",
        "kecamatan",
        "province",
    ]
    assert sum(fetched.values()) < 8_000_000  # the three national layers, uncompressed
    assert encodings == {"gzip"}  # and sent compressed (about 1 MB)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.outside_requests == []  # type: ignore[attr-defined]


@pytest.fixture
def kiosk_server(
    demo_database: str, shared_data: Path, boundary_cache: Path, streamlit_server
) -> Iterator[str]:
    env = app_env_vars(demo_database, shared_data, boundary_cache, CC_KIOSK_ROTATE_S="6")
    with streamlit_server(APP, env) as base:
        yield base


def test_the_wall_screen_at_1920x1080_rotates_all_panels_without_menus(
    kiosk_server, browser: Browser
) -> None:
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    page.goto(f"{kiosk_server}/briefing?kiosk=1")
    expect(page.locator("h1").first).to_contain_text("LATIHAN Gempa", timeout=60_000)
    assert not page.locator('[data-testid="stSidebar"]').is_visible()
    assert not page.locator('[data-testid="stHeader"]').is_visible()
    background = page.evaluate("getComputedStyle(document.querySelector('.stApp')).backgroundColor")
    assert background == "rgb(11, 15, 20)"  # the dark theme
    value = page.locator('[data-testid="stMetricValue"]').first
    assert float(value.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 64
    seen: set[str] = set()
    ARTIFACTS.mkdir(exist_ok=True)
    deadline = time.monotonic() + 40
    panels = {
        "Peta situasi",
        "Kecamatan terdampak terbesar",
        "Gempa terkini dan peringatan dini BMKG",
        "Kebutuhan dan bantuan tersalur",
    }
    while time.monotonic() < deadline and not panels <= seen:
        for title in panels:
            if page.get_by_role("heading", name=title).count():
                if title not in seen:
                    page.screenshot(path=ARTIFACTS / f"kiosk-{len(seen)}.png")
                seen.add(title)
        time.sleep(0.5)
    assert panels <= seen  # every panel came round, and the page never reloaded:
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1
    assert page.locator(".cc-ticker").count() == 1
    assert page.locator('[data-testid="stException"]').count() == 0
    context.close()


def _settled(page, locator, seconds: float = 30) -> list[str]:
    """The texts of `locator` once two reads half a second apart agree (the page may still
    be replacing the previous page's elements when they first show)."""
    deadline, last = time.monotonic() + seconds, None
    while time.monotonic() < deadline:
        texts = locator.all_inner_texts()
        if texts == last:
            return texts
        last = texts
        page.wait_for_timeout(500)
    return last or []


@pytest.mark.replicas
def test_two_replicas_and_one_worker_share_one_store(
    database_url: str,
    geography,
    recorded_feeds: dict[str, str],
    ingest_worker,
    streamlit_server,
    browser: Browser,
    shared_data: Path,
    boundary_cache: Path,
) -> None:
    """The multi-user deployment: two `streamlit run` replicas and a polling worker (plus a
    standby) on one store, PostgreSQL when `DATABASE_URL` names one. A change made through one
    replica shows on the other at its next run; the worker's quakes show on both, and both
    give the same figures."""
    engine = make_engine(database_url)
    migrate(engine)
    demo.load(engine, geography, scenarios=EARTHQUAKE)
    engine.dispose()
    env = app_env_vars(database_url, shared_data, boundary_cache)
    health = free_port()
    worker = ingest_worker({**env, **recorded_feeds}, "worker", "--health-port", str(health))
    assert worker.wait_for("polling", 120), worker.log.read_text()
    standby = ingest_worker({**env, **recorded_feeds}, "standby")
    assert standby.wait_for("waiting as a standby", 120), standby.log.read_text()
    assert wait_for_status(f"http://127.0.0.1:{health}/health", 200)["polling"] is True

    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    first, second = context.new_page(), context.new_page()
    try:
        with streamlit_server(APP, env) as one, streamlit_server(APP, env) as two:
            for tab, base in ((first, one), (second, two)):
                tab.goto(f"{base}/hazards")
                _wait_for_app(tab, "Bahaya BMKG")
                quake = tab.get_by_text("Yalimo").first  # a table cell, drawn on a canvas
                expect(quake).to_be_attached(timeout=30_000)

            second.goto(f"{two}/deployments")
            _wait_for_app(second, "Penugasan Tagana")
            assert _metric(second, "Dalam perjalanan") == "1"
            first.goto(f"{one}/deployments")
            _wait_for_app(first, "Penugasan Tagana")
            _assign_first_suggestion(first, "Dapur umum")

            # the other replica shows it on its next run, before its cached results expire
            second.reload()
            _wait_for_app(second, "Penugasan Tagana")
            board = second.locator('[data-testid="stMetric"]').filter(has_text="Dalam perjalanan")
            expect(board).to_contain_text("2", timeout=10_000)
            # and both give the same answers, figure for figure, where the data meets
            for path, title in (
                ("deployments", "Penugasan Tagana"),
                ("briefing", "Layar briefing"),
            ):
                answers = []
                for tab, base in ((first, one), (second, two)):
                    tab.goto(f"{base}/{path}")
                    _wait_for_app(tab, title)
                    metrics = tab.locator('[data-testid="stMetric"]')
                    expect(metrics.first).to_be_visible(timeout=30_000)
                    answers.append(_settled(tab, metrics))
                assert answers[0] == answers[1] and len(answers[0]) >= 5, answers
            for tab in (first, second):
                assert tab.locator('[data-testid="stException"]').count() == 0
            # each replica's open session and rerun times reach the worker's /metrics
            samples = scrape_metrics(health)
            replicas = {
                dict(labels)["process"]: value
                for (name, labels), value in samples.items()
                if name == "cc_app_open_sessions"
            }
            assert len(replicas) == 2 and all(value >= 1 for value in replicas.values())
            for process in replicas:
                assert samples[("cc_page_rerun_seconds_count", (("process", process),))] >= 1
    finally:
        ARTIFACTS.mkdir(exist_ok=True)
        for name, tab in (("replica-one", first), ("replica-two", second)):
            tab.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)
        context.close()
