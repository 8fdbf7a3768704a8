"""Shared fixtures: the real shared data, a real database (SQLite file or PostgreSQL), the demo.

Tests that need `../shared/data` find it through `CC_SHARED_DATA_DIR` (or the default beside the
checkout); in CI (`CI=true`) a missing folder fails them loudly instead of skipping.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
import streamlit as st
from playwright.sync_api import Browser, sync_playwright
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from streamlit import dataframe_util
from streamlit.testing.v1 import AppTest

from command_center import demo
from command_center.base import versions
from command_center.base.auth import SYSTEM
from command_center.base.db import make_engine, migrate
from command_center.base.geography import Geography, load_geography
from command_center.base.labels import t
from command_center.base.scenarios import SCENARIOS
from command_center.base.settings import PROJECT_ROOT, Settings, load_settings
from command_center.base.times import utcnow
from command_center.services.reporters import NewLink
from command_center.sources.inatews import parse_datagempa
from command_center.stores import common as store
from command_center.stores import hazards as hazard_store
from command_center.stores import incidents as incident_store
from command_center.stores import reporters as reporter_store
from command_center.ui.shell import PAGES
from tests.households import KEY as PDP_KEY

FIXTURES = Path(__file__).parent / "fixtures"
TSUNAMI_WARNING = "inatews_datagempa_tsunami_20230425_arraysyams-testingrepo.json"
# most tests reason about the Cianjur earthquake alone; `with_every_scenario` adds the flood
EARTHQUAKE = SCENARIOS[:1]
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
CHROMIUM = os.environ.get("CC_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


APP = ["streamlit", "run", str(PROJECT_ROOT / "server.py")]  # as `command-center run`


def app_env_vars(database_url: str, shared_data: Path, boundary_cache: Path, **settings: str):
    """The environment of every app server here: no basemap tiles, no sign-in, `settings`."""
    return {
        "DATABASE_URL": database_url,
        "CC_SHARED_DATA_DIR": str(shared_data),
        "CC_CACHE_DIR": str(boundary_cache),
        "CC_TILE_URL": "",
        "CC_AUTH_MODE": "dev",
        "CC_PDP_KEY": PDP_KEY,
        **settings,
    }


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not shutil.which(CHROMIUM):
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory, geography) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'store.db'}"
    engine = make_engine(url)
    migrate(engine)
    demo.load(engine, geography, scenarios=EARTHQUAKE)
    engine.dispose()
    return url


def store_copy(database_url: str, folder: Path) -> str:
    """A copy of a SQLite store (e.g. the shared demo) in `folder`, for a test to change."""
    copy = folder / "store.db"
    shutil.copy(database_url.removeprefix("sqlite:///"), copy)
    return f"sqlite:///{copy}"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    folder = load_settings().shared_data_dir
    if not (folder / "kecamatan_indonesia.geojson").exists():
        message = f"shared data missing: {folder} (set CC_SHARED_DATA_DIR)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return folder


@pytest.fixture(scope="session")
def boundary_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("boundary-cache")


@pytest.fixture(scope="session")
def geography(shared_data: Path, boundary_cache: Path) -> Geography:
    return load_geography(shared_data / "kecamatan_indonesia.geojson", boundary_cache)


def _postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith("postgresql") else None


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--store-tests-only",
        action="store_true",
        help="run only the tests that use a database (CI's PostgreSQL half: the rest ran already)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.getoption("--store-tests-only"):
        return
    store_tests = ("database_url", "empty_database_url")
    kept, left = [], []
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        (kept if any(name in fixtures for name in store_tests) else left).append(item)
    config.hook.pytest_deselected(items=left)
    items[:] = kept


def _schema_url(pg: str, schema: str) -> str:
    """`pg` confined to `schema`, its connections named after it (`application_name`)."""
    separator = "&" if "?" in pg else "?"
    return f"{pg}{separator}options=-csearch_path%3D{schema}&application_name={schema}"


class FreshStores:
    """Fresh, empty stores at the newest schema, made cheaply (migrating one takes 0.2 s on
    SQLite and 0.7 s on PostgreSQL): a SQLite store is a copy of one migrated once; a
    PostgreSQL schema is emptied after its test (TRUNCATE) and handed to the next."""

    def __init__(self, folder: Path, pg: str | None) -> None:
        self.folder, self.pg = folder, pg
        self.admin = make_engine(pg) if pg else None
        self.emptied: list[str] = []  # PostgreSQL schemas at the newest revision, holding nothing
        self.head = ""  # the newest revision, once a store is migrated

    def take(self, folder: Path) -> tuple[str, str | None]:
        """A new store's URL, and its PostgreSQL schema (None on SQLite)."""
        if self.admin is None:
            template = self.folder / "store.db"
            if not template.exists():
                self._migrate(f"sqlite:///{template}")
            shutil.copy(template, folder / "store.db")
            return f"sqlite:///{folder / 'store.db'}", None
        if self.emptied:
            schema = self.emptied.pop()
        else:
            schema = self.new_schema()
            self._migrate(_schema_url(self.pg, schema))
        return _schema_url(self.pg, schema), schema

    def new_schema(self) -> str:
        schema = f"t_{uuid.uuid4().hex[:12]}"
        with self.admin.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        return schema

    def give_back(self, schema: str) -> None:
        """Empty the schema for the next test; drop it instead if its test left it at another
        revision, or left something connected to it (a process still running would write into
        the next test's store), or something still holds a table."""
        try:
            with self.admin.begin() as conn:
                conn.execute(text("SET LOCAL lock_timeout = '5s'"))
                revision = conn.scalar(text(f"SELECT version_num FROM {schema}.alembic_version"))
                connected = conn.scalar(
                    text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :s"),
                    {"s": schema},
                )
                if revision != self.head or connected:
                    raise LookupError(schema)
                tables = conn.scalars(
                    text("SELECT tablename FROM pg_tables WHERE schemaname = :s"), {"s": schema}
                ).all()
                emptied = ", ".join(f'{schema}."{t}"' for t in tables if t != "alembic_version")
                conn.execute(text(f"TRUNCATE {emptied} RESTART IDENTITY CASCADE"))
            engine = make_engine(_schema_url(self.pg, schema))
            versions.seed(engine)  # the data counters start again at 0, as in a new store
            engine.dispose()
        except (SQLAlchemyError, LookupError):
            self.drop(schema)
            return
        self.emptied.append(schema)

    def drop(self, schema: str) -> None:
        with self.admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))

    def close(self) -> None:
        if self.admin is not None:
            for schema in self.emptied:
                self.drop(schema)
            self.admin.dispose()

    def _migrate(self, url: str) -> None:
        engine = make_engine(url)
        self.head = migrate(engine)
        engine.dispose()


@pytest.fixture(scope="session")
def fresh_stores(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FreshStores]:
    stores = FreshStores(tmp_path_factory.mktemp("template"), _postgres_url())
    yield stores
    stores.close()


@pytest.fixture
def database_url(fresh_stores: FreshStores, tmp_path: Path) -> Iterator[str]:
    """A fresh store at the newest schema, holding nothing: a SQLite file, or a schema on
    PostgreSQL when `DATABASE_URL` points at one (so the whole suite runs on both)."""
    url, schema = fresh_stores.take(tmp_path)
    yield url
    if schema is not None:
        fresh_stores.give_back(schema)


@pytest.fixture
def empty_database_url(fresh_stores: FreshStores, tmp_path: Path) -> Iterator[str]:
    """A database with no schema at all, for tests of migrating one."""
    if fresh_stores.pg is None:
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    schema = fresh_stores.new_schema()
    yield _schema_url(fresh_stores.pg, schema)
    fresh_stores.drop(schema)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    eng = make_engine(database_url)
    yield eng
    eng.dispose()


@pytest.fixture
def area_engine(engine: Engine, geography: Geography) -> Engine:
    """A store that knows every area (as `command-center run` leaves it), but holds no data."""
    store.sync_areas(engine, geography.area_rows())
    return engine


@pytest.fixture
def demo_engine(engine: Engine, geography: Geography) -> Engine:
    demo.load(engine, geography, scenarios=EARTHQUAKE)
    return engine


@pytest.fixture
def settings(database_url: str, shared_data: Path, boundary_cache: Path) -> Settings:
    return load_settings(database_url=database_url, cache_dir=boundary_cache)


@pytest.fixture
def app_env(monkeypatch: pytest.MonkeyPatch, database_url: str, shared_data: Path, boundary_cache):
    """Point the app (AppTest) at the test database and start with empty caches."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("CC_SHARED_DATA_DIR", str(shared_data))
    monkeypatch.setenv("CC_CACHE_DIR", str(boundary_cache))
    monkeypatch.setenv("CC_AUTH_MODE", "dev")  # sign-in has its own tests
    monkeypatch.setenv("CC_PDP_KEY", PDP_KEY)
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def with_demo(app_env, database_url: str, geography) -> None:
    engine = make_engine(database_url)
    migrate(engine)
    demo.load(engine, geography, scenarios=EARTHQUAKE)
    engine.dispose()


def _tsunami_now(shared_data: Path) -> bytes:
    """The recorded Mentawai tsunami warning (PD-1), as if sent a minute ago."""
    text = (shared_data / "bmkg" / TSUNAMI_WARNING).read_text()
    sent = (utcnow() + timedelta(hours=7) - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%S")
    return text.replace('"sent":"2023-04-25T03:05:33WIB"', f'"sent":"{sent}WIB"').encode()


@pytest.fixture
def tsunami_in_force(with_demo, database_url: str, shared_data: Path) -> None:
    engine = make_engine(database_url)
    with Session(engine) as session, session.begin():
        hazard_store.save_tsunami(session, [parse_datagempa(_tsunami_now(shared_data))])
    engine.dispose()


@pytest.fixture
def with_every_scenario(app_env, database_url: str, geography) -> None:
    """The app on a store with both training scenarios: an earthquake and a flood."""
    engine = make_engine(database_url)
    migrate(engine)
    demo.load(engine, geography)
    engine.dispose()


def signed_in(username: str, password: str = "kata-sandi-1", page: str | None = None) -> AppTest:
    """The real app (AppTest) signed in with a local account, on `page` when one is given."""
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=120).run()
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    at = at.button[0].click().run()
    return at.switch_page(page).run() if page else at


def _open_page(page_file: str) -> AppTest:
    """Run the real app in AppTest and switch to `page_file`; fails on any exception."""
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=120).run()
    if page_file != PAGES[0].file:
        at.switch_page(page_file).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


@pytest.fixture
def open_page():
    """`open_page("pages/x.py")` runs the app in AppTest on that page."""
    return _open_page


@contextmanager
def _streamlit_server(
    arguments: list[str], env: dict[str, str], port: int | None = None
) -> Iterator[str]:
    """Start `python -m <arguments> --server.port=P …` on a free loopback port (or `port`),
    wait for Streamlit's health check, yield the base URL, and stop the server afterwards."""
    port = port or free_port()
    command = [
        sys.executable,
        "-m",
        *arguments,
        f"--server.port={port}",
        "--server.address=127.0.0.1",
        "--server.headless=true",
    ]
    server = subprocess.Popen(
        command,
        env={**os.environ, **env},
        cwd=PROJECT_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if urllib.request.urlopen(f"{base}/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.25)
        else:
            pytest.fail(f"{' '.join(arguments)} did not answer /_stcore/health within 120 s")
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:  # open websockets can hold up a graceful stop
            server.kill()
            server.wait(timeout=20)


@pytest.fixture(scope="session")
def streamlit_server():
    """Start a Streamlit server for a test: `with streamlit_server([...], env) as base_url:`."""
    return _streamlit_server


@pytest.fixture
def recorded_feeds(httpserver, shared_data: Path) -> dict[str, str]:
    """Every polled feed served by a local HTTP server from real recorded payloads; returns
    the `CC_FEED_*_URL` variables that point a worker at it."""
    bmkg = shared_data / "bmkg"
    for name, payload in {
        "autogempa": "autogempa_20261007_ai-gempa-bmkg.json",
        "gempaterkini": "gempaterkini_20261007_ai-gempa-bmkg.json",
        "gempadirasakan": "gempadirasakan_20261007_ai-gempa-bmkg.json",
    }.items():
        httpserver.expect_request(f"/{name}.json").respond_with_data(
            (bmkg / payload).read_bytes(), content_type="application/json"
        )
    usgs = shared_data / "feeds" / "usgs_4.5_week_20201102_hebasolveig-Verkefni-9.geojson"
    httpserver.expect_request("/usgs.geojson").respond_with_data(usgs.read_bytes())
    rss = (bmkg / "nowcast_rss_20260216_dhanyyudi-bmkg-api.xml").read_text()
    rss = rss.replace("https://www.bmkg.go.id/alerts/nowcast/id/", httpserver.url_for("/cap/"))
    httpserver.expect_request("/rss.xml").respond_with_data(rss)
    cap = (bmkg / "nowcast_cap_banten_20260216_dhanyyudi-bmkg-api.xml").read_bytes()
    httpserver.expect_request(re.compile("/cap/.*")).respond_with_data(cap)
    forecast = next(bmkg.glob("prakiraan-cuaca_*.json"))
    httpserver.expect_request("/forecast").respond_with_data(forecast.read_bytes())
    for path, payload in {
        "/datagempa.json": bmkg / "inatews_datagempa_felt_20230621_arraysyams-testingrepo.json",
        "/gempaQL.json": bmkg / "inatews_gempaQL_realtime_20220925_arraysyams-testingrepo.geojson",
        "/gdacs.xml": shared_data
        / "feeds"
        / "gdacs_rss_20191230_exxamalte-python-aio-georss-gdacs.xml",
        "/petabencana": shared_data / "impacts" / "petabencana_jbd_reports_2017-02-21.geojson",
        "/magma-var": FIXTURES / "magma" / "magma_var_20241104_lewotobi_awas.json",
        "/vona": FIXTURES / "magma" / "vona_20241104_lewotobi.json",
    }.items():
        httpserver.expect_request(path).respond_with_data(payload.read_bytes())
    return {
        "CC_FEED_INATEWS_URL": httpserver.url_for("/datagempa.json"),
        "CC_FEED_INATEWS_REALTIME_URL": httpserver.url_for("/gempaQL.json"),
        "CC_FEED_GDACS_URL": httpserver.url_for("/gdacs.xml"),
        "CC_FEED_AUTOGEMPA_URL": httpserver.url_for("/autogempa.json"),
        "CC_FEED_GEMPATERKINI_URL": httpserver.url_for("/gempaterkini.json"),
        "CC_FEED_GEMPADIRASAKAN_URL": httpserver.url_for("/gempadirasakan.json"),
        "CC_FEED_USGS_URL": httpserver.url_for("/usgs.geojson"),
        "CC_FEED_NOWCAST_RSS_URL": httpserver.url_for("/rss.xml"),
        "CC_FEED_FORECAST_URL": httpserver.url_for("/forecast"),
        "CC_FEED_PETABENCANA_URL": httpserver.url_for("/petabencana"),
        "CC_FEED_MAGMA_VAR_URL": httpserver.url_for("/magma-var"),
        "CC_FEED_MAGMA_VONA_URL": httpserver.url_for("/vona"),
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Worker:
    """A running `command-center ingest` process and its log."""

    process: subprocess.Popen
    log: Path

    def wait_for(self, text: str, seconds: float = 60) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if text in self.log.read_text():
                return True
            time.sleep(0.2)
        return False


@pytest.fixture
def ingest_worker(tmp_path: Path):
    """`ingest_worker(env, name, *args)` starts `command-center ingest`; all are killed after."""
    started: list[subprocess.Popen] = []

    def start(env: dict[str, str], name: str = "worker", *args: str) -> Worker:
        log = tmp_path / f"{name}.log"
        process = subprocess.Popen(
            [sys.executable, "-u", "-m", "command_center.cli", "ingest", *args],
            env={**os.environ, **env},
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )
        started.append(process)
        return Worker(process, log)

    yield start
    for process in started:
        process.kill()
        process.wait(10)


def get_json(url: str) -> tuple[int, dict]:
    """(HTTP status, decoded JSON body) of a GET, error statuses included."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def scrape_metrics(port: int) -> dict[tuple[str, tuple], float]:
    """The worker's `/metrics` over HTTP, parsed by prometheus_client:
    {(sample name, sorted labels): value}."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain; version=")
        text = response.read().decode()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def wait_for_status(
    url: str, status: int, seconds: float = 60, until: Callable[[dict], bool] | None = None
) -> dict:
    """Poll `url` until it answers `status` (and its body satisfies `until`); returns that
    answer's JSON body."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            code, body = get_json(url)
            if code == status and (until is None or until(body)):
                return body
        except OSError:
            pass  # not listening yet
        time.sleep(0.3)
    raise AssertionError(f"{url} never answered {status}; last: {get_json(url)}")


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """The resolver's answers for the names a test puts here (a name -> its addresses), which
    may change between two look-ups as a hostile DNS server's do; every other name resolves as
    usual. It is the C library's resolver that is replaced, for our code and urllib3's alike."""
    answers: dict[str, list[str]] = {}
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in answers:
            return real(host, port, *args, **kwargs)
        return [found for a in answers[host] for found in real(a, port, *args, **kwargs)]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers


def _tab_container(at: AppTest, key: str):
    """The node of the stateful tabs `key` (None: no such tabs in this run)."""
    for node in at._tree:
        proto = getattr(node, "proto", None)
        if getattr(proto, "DESCRIPTOR", None) is None or proto.DESCRIPTOR.name != "Block":
            continue
        if proto.WhichOneof("type") == "tab_container" and proto.tab_container.id.endswith(
            f"-{key}"
        ):
            return node
    return None


def tab_shown(at: AppTest, key: str) -> str | None:
    """The label of the tab that the tabs `key` show after this run (None: no such stateful
    tabs). Tabs without state open on the first after every rerun that moves them."""
    node = _tab_container(at, key)
    if node is None:
        return None
    return list(node.children.values())[node.proto.tab_container.default_tab_index].label


def open_tab(at: AppTest, key: str, tab: str) -> AppTest:
    """`at` rerun with the tab labelled `t(tab)` of the tabs `key` open: only the open tab
    runs, so a widget is reached through the tab it is in."""
    at.session_state[key] = t(tab)
    return at.run()


def tabs_of(at: AppTest, key: str) -> list:
    """The tabs of the stateful tabs `key` in this run (each with its `label` and `children`)."""
    node = _tab_container(at, key)
    return [] if node is None else list(node.children.values())


AREA_CODE = re.compile(r"\(([\d.]+)\)")


def area_codes(options: list[str]) -> set[str]:
    """The area codes a pick list shows: "Cugenang (32.03.11)" -> "32.03.11"."""
    return {AREA_CODE.findall(option)[-1] for option in options}


def shown_table(table) -> pd.DataFrame:
    """A table (an AppTest dataframe) as the browser draws it: its display values where it
    has them (`labels.shown`), else its values."""
    display = table.proto.arrow_data.styler.display_values
    return dataframe_util.convert_arrow_bytes_to_pandas_df(display) if display else table.value


def shown_column(at: AppTest, column: str) -> list[str]:
    """The cells of every table's `column` as the browser draws them."""
    return [
        str(c) for d in at.dataframe if column in d.value.columns for c in shown_table(d)[column]
    ]


def next_utc(hour: int) -> datetime:
    """The next time it is `hour`:00 UTC: a moment to travel to (`time_machine.travel`) where
    a day in Indonesia has begun and UTC's has not."""
    now = utcnow()
    moment = now.replace(hour=hour, minute=0, second=0, microsecond=0)
    return moment if moment > now else moment + timedelta(days=1)


def dawn_in_java() -> datetime:
    """The next 03:00 WIB (20:00 UTC): it tells "today where the incident is" from UTC's."""
    return next_utc(20)


SENTANI = "91.03.01"  # Kabupaten Jayapura, Papua: WIT, two hours ahead of Jakarta
JAYAPURA = ZoneInfo("Asia/Jayapura")  # Sentani's clock


def sentani_link(database_url: str, geography: Geography) -> tuple[int, str]:
    """A flash flood open in Sentani and a TKSK's reporter link there: (incident id, token)."""
    engine = make_engine(database_url)
    started = utcnow() - timedelta(days=2)
    flood = incident_store.NewIncident(
        "banjir_bandang", "Banjir Bandang Sentani", (SENTANI,), started
    )
    incident = incident_store.incident_id(
        engine, incident_store.open_incident(engine, flood, SYSTEM)
    )
    entry = {"name": "Yoel (TKSK Sentani)", "role": "tksk", "kecamatan": SENTANI}
    _, token = reporter_store.create_link(
        engine, SYSTEM, NewLink.check({**entry, "incident_id": incident}, geography)
    )
    engine.dispose()
    return incident, token
