"""Feed freshness: the pure rules, and the worker's /health endpoint against real feeds."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from command_center.base.db import make_engine, migrate
from command_center.base.times import utcnow
from command_center.services.health import feed_state, health_report
from command_center.services.reruns import RerunTimes
from command_center.stores import alerts as alert_store
from command_center.stores import hazards as hazard_store
from command_center.stores import processes as process_store
from command_center.stores.system import Checks
from command_center.workers import health_server
from tests.alerts import flood, person
from tests.conftest import free_port, get_json, scrape_metrics, wait_for_status

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def _row(feed="bmkg_autogempa", ok_min_ago=2.0, failing_min_ago=None, error=None):
    return {
        "feed": feed,
        "last_ok_at": None if ok_min_ago is None else NOW - timedelta(minutes=ok_min_ago),
        "last_attempt_at": NOW - timedelta(minutes=1),
        "failing_since": None
        if failing_min_ago is None
        else NOW - timedelta(minutes=failing_min_ago),
        "last_error": error,
    }


def test_a_feed_is_ok_stale_failing_or_never_polled() -> None:
    def state(**row):
        r = _row(**row)
        return feed_state(r["feed"], r["last_ok_at"], r["failing_since"], NOW, 15)

    assert state(ok_min_ago=14) == "ok"
    assert state(ok_min_ago=16) == "stale"
    assert state(ok_min_ago=1, failing_min_ago=0.5) == "failing"
    assert state(ok_min_ago=None) == "never"
    assert state(feed="replay:bmkg_quakes", ok_min_ago=600) == "ok"  # a replay is as old as it is


def test_the_report_is_ok_only_when_every_feed_is_fresh() -> None:
    fresh = health_report([_row(), _row("usgs")], NOW, 15, polling=True)
    assert fresh["status"] == "ok" and fresh["polling"] is True
    assert fresh["feeds"][0]["age_s"] == 120
    assert fresh["feeds"][0]["last_ok_at"] == "2026-11-22T11:58:00+00:00"
    one_failing = health_report(
        [_row(), _row("usgs", failing_min_ago=3, error="server error (HTTP 502)")], NOW, 15, False
    )
    assert one_failing["status"] == "degraded"
    assert (
        one_failing["feeds"][1] | {"state": "failing", "error": "server error (HTTP 502)"}
        == (one_failing["feeds"][1])
    )
    not_yet = health_report([_row()], NOW, 15, True, expected=["bmkg_autogempa", "usgs"])
    assert [(f["feed"], f["state"]) for f in not_yet["feeds"]] == [
        ("bmkg_autogempa", "ok"),
        ("usgs", "never"),
    ]
    assert not_yet["status"] == "degraded"
    assert health_report([], NOW, 15, True)["status"] == "degraded"


def test_the_worker_reports_freshness_and_which_one_polls(
    database_url, recorded_feeds, httpserver, ingest_worker
) -> None:
    migrate(make_engine(database_url))
    env = {
        **recorded_feeds,
        "DATABASE_URL": database_url,
        "CC_SHARED_DATA_DIR": "/nonexistent",
        "CC_POLL_EARTHQUAKES_S": "1",
    }
    first_port, second_port = free_port(), free_port()
    first = ingest_worker(env, "first", "--health-port", str(first_port))
    assert first.wait_for("polling"), first.log.read_text()
    body = wait_for_status(f"http://127.0.0.1:{first_port}/health", 200)
    assert body["polling"] is True
    assert {f["feed"] for f in body["feeds"]} >= {"bmkg_autogempa", "usgs", "bmkg_nowcast"}
    assert all(f["state"] == "ok" and f["age_s"] < 60 for f in body["feeds"])

    second = ingest_worker(env, "second", "--health-port", str(second_port))
    assert second.wait_for("waiting as a standby"), second.log.read_text()
    code, standby = get_json(f"http://127.0.0.1:{second_port}/live")
    assert code == 200 and standby["polling"] is False

    # the feeds go down: both workers say so, naming each feed and the reason
    httpserver.clear_all_handlers()
    httpserver.expect_request(re.compile(".*")).respond_with_data("busy", status=502)

    def autogempa_failing(body: dict) -> bool:  # the feeds fail one by one as they come due
        return any(f["feed"] == "bmkg_autogempa" and f["state"] == "failing" for f in body["feeds"])

    for port in (first_port, second_port):
        degraded = wait_for_status(f"http://127.0.0.1:{port}/health", 503, until=autogempa_failing)
        states = {f["feed"]: f for f in degraded["feeds"]}
        assert degraded["status"] == "degraded"
        assert states["bmkg_autogempa"]["state"] == "failing"
        assert "502" in states["bmkg_autogempa"]["error"]
        assert states["bmkg_autogempa"]["last_ok_at"] is not None  # the last good data remains


def test_an_unreachable_store_is_reported_as_down(tmp_path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'missing' / 'store.db'}")
    server = health_server.start(engine, ("127.0.0.1", 0), 15, threading.Event())
    try:
        code, body = get_json(f"http://127.0.0.1:{server.server_port}/health")
        assert code == 503 and body["status"] == "down"
        assert get_json(f"http://127.0.0.1:{server.server_port}/nope")[0] == 404
        samples = scrape_metrics(server.server_port)  # answers: the store is down, not the worker
        assert samples[("cc_store_up", ())] == 0
        assert samples[("cc_worker_polling", ())] == 0
        assert not any(name.startswith(("cc_feed", "cc_outbox")) for name, _ in samples)
    finally:
        server.shutdown()


def test_metrics_show_feeds_the_outbox_app_processes_backups_and_the_audit_chain(
    area_engine,
) -> None:
    now = utcnow()
    with Session(area_engine) as session, session.begin():
        hazard_store.record_fetch(session, "usgs", "ok", at=now - timedelta(minutes=20))
        hazard_store.record_fetch(session, "bmkg_autogempa", "ok", at=now - timedelta(minutes=3))
        hazard_store.record_fetch(session, "bmkg_autogempa", "error", "HTTP 502", at=now)
    person(area_engine, "bandung", email="bandung@dinsos.example", whatsapp="081234567890")
    flood(area_engine)
    alert_store.fan_out(area_engine, {}, ("email",))  # e-mail waits, WhatsApp is off: dead
    times = RerunTimes()
    for seconds in (0.03, 0.2, 0.2, 4.0):
        times.observe(seconds)
    process_store.report(area_engine, "app-1:41", 3, times.snapshot(), now)
    process_store.report(area_engine, "gone:7", 9, times.snapshot(), now - timedelta(minutes=6))
    backup = now - timedelta(hours=2)
    checks = Checks(last_backup_at=lambda: backup, audit_chain_ok=lambda: False)
    polling = threading.Event()
    polling.set()
    server = health_server.start(
        area_engine, ("127.0.0.1", 0), 15, polling, ("usgs", "gdacs"), checks
    )
    try:
        samples = scrape_metrics(server.server_port)
    finally:
        server.shutdown()
    assert samples[("cc_store_up", ())] == 1 and samples[("cc_worker_polling", ())] == 1
    feed = (("feed", "usgs"),)
    assert 1200 <= samples[("cc_feed_age_seconds", feed)] < 1260
    assert samples[("cc_feed_stale", feed)] == 1 and samples[("cc_feed_failing", feed)] == 0
    gempa = (("feed", "bmkg_autogempa"),)
    assert samples[("cc_feed_failing", gempa)] == 1 and samples[("cc_feed_stale", gempa)] == 1
    assert samples[("cc_feed_stale", (("feed", "gdacs"),))] == 1  # expected, never polled
    assert ("cc_feed_age_seconds", (("feed", "gdacs"),)) not in samples
    by_status = {k[1][0][1]: v for k, v in samples.items() if k[0] == "cc_outbox_deliveries"}
    assert by_status == {"pending": 1, "dead": 1, "sent": 0, "sending": 0, "discarded": 0}
    assert samples[("cc_outbox_backlog", ())] == 1
    assert samples[("cc_outbox_dead_letters", ())] == 1
    assert 0 <= samples[("cc_outbox_oldest_waiting_age_seconds", ())] < 60
    app = (("process", "app-1:41"),)
    assert samples[("cc_app_open_sessions", app)] == 3
    assert samples[("cc_page_rerun_seconds_count", app)] == 4
    assert samples[("cc_page_rerun_seconds_sum", app)] == pytest.approx(4.43)
    assert samples[("cc_page_rerun_seconds_bucket", (("le", "0.25"), *app))] == 3
    assert samples[("cc_page_rerun_seconds_bucket", (("le", "+Inf"), *app))] == 4
    assert not any(("process", "gone:7") in labels for _, labels in samples)  # silent 6 min
    assert samples[("cc_backup_last_success_timestamp_seconds", ())] == backup.timestamp()
    assert 7200 <= samples[("cc_backup_age_seconds", ())] < 7260
    assert samples[("cc_audit_chain_ok", ())] == 0
    assert samples[("process_resident_memory_bytes", ())] > 0
