"""Feed freshness: the pure rules, and the worker's /health endpoint against real feeds."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import create_engine

from command_center import health_server
from command_center.db import make_engine, migrate
from command_center.services.health import feed_state, health_report
from tests.conftest import free_port, get_json, wait_for_status

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
    finally:
        server.shutdown()
