"""The PostgreSQL server stopped and started again under load: a page open in Chromium says the
database is away and comes back by itself, the alert sender delivers a batch across the
outage exactly once, and the ingest worker (a real `command-center ingest`) polls on.

It stops the server everyone on it uses: it runs only on PostgreSQL and only when
`CC_TEST_PG_CTL` names the command that stops and starts it (`.ci/run` sets it, e.g.
`pg_ctlcluster 15 main`)."""

from __future__ import annotations

import os
import shlex
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from werkzeug import Request, Response

from command_center.base.models import AlertDelivery
from command_center.base.times import utcnow
from command_center.stores import alerts as alert_store
from command_center.stores import hazards as hazard_store
from command_center.workers.worker_lock import serve
from tests.alerts import flood, person
from tests.conftest import APP, app_env_vars
from tests.test_alert_sender import _sender

pytestmark = [pytest.mark.pg_restart, pytest.mark.browser]

PG_CTL = os.environ.get("CC_TEST_PG_CTL", "")
USERS, FLOODS = 40, 3  # 120 webhook deliveries
RATE = 10.0  # a second: the batch takes 12 s, so the server goes away in its middle
DOWN = "Basis data tidak dapat dihubungi"


def _pg(action: str, check: bool = True) -> None:
    subprocess.run([*shlex.split(PG_CTL), action], check=check, capture_output=True, timeout=60)


def _wait(condition: Callable[[], bool], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _statuses(engine: Engine) -> Counter:
    with Session(engine) as session:
        return Counter(session.scalars(select(AlertDelivery.status)))


@pytest.fixture
def pg_ctl(database_url: str) -> Callable[[str], None]:
    if not database_url.startswith("postgresql"):
        pytest.skip("restarts a PostgreSQL server (DATABASE_URL is not one)")
    if not PG_CTL:
        pytest.skip("set CC_TEST_PG_CTL to the command that stops/starts PostgreSQL")
    yield _pg
    _pg("start", check=False)  # whatever happened, the server is left running


def test_a_postgresql_restart_under_load_loses_and_doubles_nothing(
    pg_ctl,
    area_engine,
    database_url,
    httpserver,
    recorded_feeds,
    ingest_worker,
    streamlit_server,
    browser: Browser,
    shared_data: Path,
    boundary_cache: Path,
) -> None:
    keys: Counter = Counter()

    def receive(request: Request) -> Response:
        keys[request.headers["Idempotency-Key"]] += 1
        return Response(status=200)

    httpserver.expect_request("/hook").respond_with_handler(receive)
    hook = httpserver.url_for("/hook")
    for n in range(USERS):
        person(area_engine, f"bpbd{n}", "viewer", "32.04", webhook=hook)
    for n in range(FLOODS):
        flood(area_engine, f"Banjir {n}")
    sender = _sender(database_url, area_engine, alert_rates={"webhook": RATE})
    # written before any sender runs, so the worker's (without a webhook) cannot take them
    alert_store.fan_out(area_engine, sender.settings.alert_rules, ("webhook",))
    assert _statuses(area_engine) == {"pending": USERS * FLOODS}

    env = app_env_vars(database_url, shared_data, boundary_cache, CC_REFRESH_EVERY_S="1")
    stop = threading.Event()
    sending = threading.Thread(
        target=serve,
        args=(area_engine, lambda mine: sender.run(stop, mine=mine)),
        kwargs={"say": print, "name": "sender"},
    )
    with streamlit_server(APP, env) as base:
        tab = browser.new_page()
        tab.goto(f"{base}/live_map")
        expect(tab.locator("h1").first).to_have_text("Peta langsung", timeout=60_000)
        sending.start()  # first, so that it holds the sender lock (the worker's stands by)
        try:
            _wait(lambda: sum(keys.values()) > 0)
            worker = ingest_worker({**env, **recorded_feeds, "CC_POLL_EARTHQUAKES_S": "2"})
            assert worker.wait_for("polling "), worker.log.read_text()
            assert sum(keys.values()) < USERS * FLOODS  # the batch is still going out
            started = time.monotonic()
            pg_ctl("stop")
            stopped_at = utcnow()
            # the page (its 1 s refresh) says so, without a traceback
            expect(tab.get_by_text(DOWN)).to_be_visible(timeout=20_000)
            assert tab.locator('[data-testid="stException"]').count() == 0
            _wait(lambda: sum(keys.values()) >= USERS * FLOODS)  # sent while the store is away
            pg_ctl("start")
            # the page comes back by itself, the sender records what it sent
            expect(tab.get_by_text(DOWN)).to_have_count(0, timeout=30_000)
            expect(tab.locator("h1").first).to_have_text("Peta langsung")
            _wait(lambda: _statuses(area_engine) == {"sent": USERS * FLOODS})
            # the worker polled again after the restart
            _wait(
                lambda: (
                    (state := hazard_store.feed_state(area_engine, "bmkg_autogempa")) is not None
                    and state.last_ok_at > stopped_at
                )
            )
            print(f"stopped to recovered: {time.monotonic() - started:.1f} s")
        finally:
            stop.set()
            sending.join(30)
    assert len(keys) == USERS * FLOODS and set(keys.values()) == {1}  # each exactly once
    # said once each way (the worker says it is back just after the pass that reached the store)
    assert worker.wait_for("store back after"), worker.log.read_text()
    log = worker.log.read_text()
    assert log.count("store unavailable") == 1 and log.count("store back after") == 1
    assert "Traceback" not in log
