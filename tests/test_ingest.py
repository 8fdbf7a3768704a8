"""The ingest worker against a real local HTTP server serving recorded BMKG/USGS payloads and
every fault we expect from the field. Nothing already stored may be lost."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug import Request, Response

from command_center.base.http import MAX_FEED_BYTES, make_session
from command_center.base.models import FetchLog, HazardEvent
from command_center.base.settings import load_settings
from command_center.sources.bmkg_nowcast import parse_rss
from command_center.sources.bmkg_quakes import parse_infogempa
from command_center.stores import common as store
from command_center.stores import hazards as hazard_store
from command_center.workers import ingest
from command_center.workers.ingest import Feed

AUTOGEMPA = "autogempa_20261007_ai-gempa-bmkg.json"
FLORES = "gempaterkini_20211214_flores_m7.4_arraysyams-testingrepo.json"


def _quake_feed(httpserver: HTTPServer, path: str = "/autogempa.json") -> Feed:
    return Feed("bmkg_autogempa", httpserver.url_for(path), 60, "bmkg_quakes")


def _poll(engine, feed: Feed, timeout_s: float = 5.0, retries: int = 0) -> str:
    return ingest.poll(engine, make_session("test", retries=retries, backoff_s=0), feed, timeout_s)


def _events(engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(HazardEvent)) or 0


def _status(engine, feed: str = "bmkg_autogempa"):
    return hazard_store.feed_state(engine, feed)


def _nowcast(httpserver: HTTPServer) -> Feed:
    """The nowcast feed as the worker builds it: CAP links only to the RSS's own host."""
    settings = load_settings(feed_nowcast_rss_url=httpserver.url_for("/rss.xml"))
    return ingest.registry(settings)["bmkg_nowcast"]


@pytest.fixture
def stored_quake(engine, httpserver: HTTPServer, shared_data: Path) -> Feed:
    """One good poll first, so every fault test can check nothing was lost."""
    payload = (shared_data / "bmkg" / AUTOGEMPA).read_bytes()
    httpserver.expect_ordered_request("/autogempa.json").respond_with_data(
        payload, content_type="application/json"
    )
    feed = _quake_feed(httpserver)
    assert _poll(engine, feed) == "ok"
    assert _events(engine) == 1
    return feed


def test_new_event_is_stored_with_our_names_and_the_outcome_logged(stored_quake, engine) -> None:
    events = hazard_store.latest_events(engine)
    row = events.iloc[0]
    assert (row["magnitude"], row["depth_km"], row["lat"], row["lon"]) == (4.8, 50.0, -3.8, 139.66)
    assert row["details"]["shakemap_url"].endswith("20261007045646.mmi.jpg")
    status = _status(engine)
    assert status.last_outcome == "ok" and status.failing_since is None
    with Session(engine) as session:
        (log,) = session.scalars(select(FetchLog)).all()
    assert (log.feed, log.outcome, log.items, log.detail) == (
        "bmkg_autogempa",
        "ok",
        1,
        "1 new, 0 updated",
    )


def test_conditional_get_gets_not_modified(
    engine, httpserver: HTTPServer, shared_data: Path
) -> None:
    payload = (shared_data / "bmkg" / AUTOGEMPA).read_bytes()

    def handler(request: Request) -> Response:
        if request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304)
        return Response(payload, headers={"ETag": '"v1"'}, content_type="application/json")

    httpserver.expect_request("/autogempa.json").respond_with_handler(handler)
    feed = _quake_feed(httpserver)
    assert _poll(engine, feed) == "ok"
    assert _poll(engine, feed) == "not_modified"
    assert _events(engine) == 1
    assert _status(engine).last_outcome == "not_modified"


def test_a_resent_and_revised_event_updates_never_duplicates(
    stored_quake, engine, httpserver, shared_data
) -> None:
    revised = (shared_data / "bmkg" / AUTOGEMPA).read_bytes().replace(b'"4.8"', b'"5.0"')
    httpserver.expect_request("/autogempa.json").respond_with_data(revised)
    assert _poll(engine, stored_quake) == "ok"
    assert _poll(engine, stored_quake) == "ok"
    assert _events(engine) == 1
    assert hazard_store.latest_events(engine).iloc[0]["magnitude"] == 5.0


def test_the_three_bmkg_feeds_describe_one_event_once(engine, shared_data: Path) -> None:
    folder = shared_data / "bmkg"
    with Session(engine) as session, session.begin():
        for name in (
            AUTOGEMPA,
            "gempadirasakan_20261007_ai-gempa-bmkg.json",
            "gempaterkini_20261007_ai-gempa-bmkg.json",
        ):
            hazard_store.save_quakes(session, parse_infogempa((folder / name).read_bytes()))
    events = hazard_store.latest_events(engine)
    lombok = events[events["location_text"].str.contains("LOMBOK|Lombok")]
    assert len(lombok) == 1
    assert lombok.iloc[0]["felt"].startswith("IV-V Mataram")  # from gempadirasakan, kept


@pytest.mark.parametrize(
    ("respond", "reason"),
    [
        (lambda r: r.respond_with_data("oops", status=500), "server error (HTTP 500)"),
        (
            lambda r: r.respond_with_data("", status=429, headers={"Retry-After": "0"}),
            "rate limited (HTTP 429, retry after 0 s)",
        ),
        (
            lambda r: r.respond_with_data(
                "<html><body>Bad gateway</body></html>", content_type="text/html"
            ),
            "expected <Infogempa>",
        ),
        (
            lambda r: r.respond_with_data('{"Infogempa":{"gempa":{"Tanggal":"07 Okt'),
            "not valid JSON",
        ),
        (lambda r: r.respond_with_data(""), "empty body"),
        (
            lambda r: r.respond_with_data('{"Infogempa":{"gempa":{"Magnitude":"5.0"}}}'),
            "Infogempa.gempa[0]",
        ),
        (lambda r: r.respond_with_data("gone", status=404), "HTTP 404"),
    ],
    ids=["5xx", "429", "html", "truncated", "empty", "missing-field", "404"],
)
def test_faults_are_recorded_and_lose_nothing(
    stored_quake, engine, httpserver, respond, reason
) -> None:
    respond(httpserver.expect_request("/autogempa.json"))
    assert _poll(engine, stored_quake) == "error"
    status = _status(engine)
    assert status.last_outcome == "error"
    assert reason in status.last_error
    assert status.failing_since is not None and status.last_ok_at is not None
    assert _events(engine) == 1  # the last good data is still there


def test_unknown_fields_are_ignored(engine, httpserver: HTTPServer, shared_data: Path) -> None:
    payload = (
        (shared_data / "bmkg" / AUTOGEMPA)
        .read_bytes()
        .replace(b'"Tanggal"', b'"BaruSekali":{"x":1},"Tanggal"')
    )
    httpserver.expect_request("/autogempa.json").respond_with_data(payload)
    assert _poll(engine, _quake_feed(httpserver)) == "ok"


def test_timeout_is_an_error_not_a_hang(stored_quake, engine, httpserver: HTTPServer) -> None:
    def slow(_request: Request) -> Response:
        time.sleep(1.5)
        return Response("{}")

    httpserver.expect_request("/autogempa.json").respond_with_handler(slow)
    started = time.monotonic()
    assert _poll(engine, stored_quake, timeout_s=0.5) == "error"
    assert time.monotonic() - started < 5
    assert "timeout after 0.5 s" in _status(engine).last_error


def test_connection_refused_is_recorded(engine) -> None:
    feed = Feed("bmkg_autogempa", "http://127.0.0.1:9/autogempa.json", 60, "bmkg_quakes")
    assert _poll(engine, feed) == "error"
    assert "connection failed" in _status(engine).last_error


def test_a_transient_error_is_retried(engine, httpserver: HTTPServer, shared_data: Path) -> None:
    httpserver.expect_ordered_request("/autogempa.json").respond_with_data("busy", status=503)
    httpserver.expect_ordered_request("/autogempa.json").respond_with_data(
        (shared_data / "bmkg" / AUTOGEMPA).read_bytes()
    )
    assert _poll(engine, _quake_feed(httpserver), retries=2) == "ok"
    assert _events(engine) == 1


def test_recovery_clears_the_failing_state(stored_quake, engine, httpserver, shared_data) -> None:
    httpserver.expect_ordered_request("/autogempa.json").respond_with_data("x", status=502)
    httpserver.expect_ordered_request("/autogempa.json").respond_with_data(
        (shared_data / "bmkg" / AUTOGEMPA).read_bytes()
    )
    assert _poll(engine, stored_quake) == "error"
    assert _poll(engine, stored_quake) == "ok"
    status = _status(engine)
    assert status.failing_since is None and status.last_error is None


def test_nowcast_rss_leads_to_cap_alerts_fetched_once(engine, httpserver, shared_data) -> None:
    rss = (shared_data / "bmkg" / "nowcast_rss_20260216_dhanyyudi-bmkg-api.xml").read_text()
    rss = rss.replace("https://www.bmkg.go.id/alerts/nowcast/id/", httpserver.url_for("/cap/"))
    cap = (shared_data / "bmkg" / "nowcast_cap_banten_20260216_dhanyyudi-bmkg-api.xml").read_bytes()
    httpserver.expect_request("/rss.xml").respond_with_data(rss)
    served = []

    guids = {link.rsplit("/", 1)[-1]: guid for guid, link in parse_rss(rss.encode())}

    def cap_handler(request: Request) -> Response:
        served.append(request.path)
        # every listed alert gets the Banten alert's body with its own identifier
        guid = guids[request.path.rsplit("/", 1)[-1]]
        return Response(cap.replace(b"2.49.0.1.360.0.2026.02.16.16.36.004", guid.encode()))

    for cap_path in ("CBT20260216004", "CJG20260216005", "CSU20260216005"):
        httpserver.expect_request(f"/cap/{cap_path}_alert.xml").respond_with_handler(cap_handler)
    feed = _nowcast(httpserver)
    assert _poll(engine, feed) == "ok"
    assert _poll(engine, feed) == "ok"
    assert len(served) == 3  # the second poll knew every alert already
    warnings = hazard_store.latest_events(engine, kind="weather_warning")
    assert len(warnings) == 3
    polygons = warnings.iloc[0]["details"]["polygons"]
    assert len(polygons) == 2 and polygons[0][0] == [105.994, -5.981]  # lon, lat


def test_the_same_quake_from_usgs_is_shown_once_with_both_sources(engine) -> None:
    from datetime import UTC, datetime, timedelta

    from command_center.sources.bmkg_quakes import Quake

    when = datetime(2026, 10, 6, 20, 15, 26, tzinfo=UTC)
    bmkg = Quake("bmkg", "20261006201526", when, -8.77, 116.14, 92.0, 5.2, "Lombok", False)
    usgs = Quake(
        "usgs",
        "us7000abcd",
        when + timedelta(seconds=4),
        -8.81,
        116.20,
        85.0,
        5.4,
        "12 km SE of Mataram, Indonesia",
        False,
    )
    far = Quake("usgs", "us7000zzzz", when, -2.0, 130.0, 10.0, 5.2, "Papua", False)
    with Session(engine) as session, session.begin():
        hazard_store.save_quakes(session, [usgs, far])
        hazard_store.save_quakes(session, [bmkg])
    events = hazard_store.latest_events(engine)
    assert len(events) == 2
    lombok = events[events["source"] == "bmkg"].iloc[0]
    assert lombok["sources"] == "bmkg, usgs"
    assert _events(engine) == 3  # both sources kept


def test_usgs_feed_keeps_events_in_the_region(engine, httpserver, shared_data) -> None:
    payload = shared_data / "feeds" / "usgs_4.5_week_20201010_josem279-Mapping_Earthquakes.geojson"
    httpserver.expect_request("/usgs.geojson").respond_with_data(payload.read_bytes())
    feed = Feed("usgs", httpserver.url_for("/usgs.geojson"), 60, "usgs_quakes")
    assert _poll(engine, feed) == "ok"
    events = hazard_store.latest_events(engine)
    assert len(events) == 14
    assert events["lon"].between(94, 142).all()


def test_run_polls_every_feed_once_per_round(engine, httpserver, shared_data) -> None:
    payload = (shared_data / "bmkg" / AUTOGEMPA).read_bytes()
    httpserver.expect_request("/a.json").respond_with_data(payload)
    httpserver.expect_request("/b.json").respond_with_data("x", status=500)
    feeds = {
        "a": Feed("a", httpserver.url_for("/a.json"), 60, "bmkg_quakes"),
        "b": Feed("b", httpserver.url_for("/b.json"), 60, "bmkg_quakes"),
    }
    ingest.run(engine, make_session("test", retries=0), feeds, 5.0, rounds=1)
    assert _status(engine, "a").last_outcome == "ok"
    assert _status(engine, "b").last_outcome == "error"


def test_replay_loads_the_recorded_payloads_once(engine, geography, shared_data: Path) -> None:
    store.sync_areas(engine, geography.area_rows())  # the forecast names its kecamatan
    first = ingest.replay(engine, shared_data / "bmkg")
    # 13 earthquake files, 3 InaTEWS messages, 1 real-time file, one CAP alert, one forecast
    used = {name for name, o in first.items() if o.status == "ok"}
    assert len(used) == 19 and not [o for o in first.values() if o.status == "error"]
    skipped = {name: o.detail for name, o in first.items() if o.status == "skipped"}
    rss = "nowcast_rss_20260216_dhanyyudi-bmkg-api.xml"
    assert sorted(skipped) == [
        "DigitalForecast-JawaBarat_20240108_Vanz-Noob-Prediksi-Cuaca-Regresi-Linear.xml",
        rss,
    ]
    assert "replay the nowcast_cap_* files" in skipped[rss]
    count = _events(engine)
    again = ingest.replay(engine, shared_data / "bmkg")
    assert all(str(again[name]) == "0 new, 0 updated" for name in used)
    assert _events(engine) == count
    assert hazard_store.forecasts(engine, ["32.01.02"])["32.01.02"].desa == "Ciangsana"


def test_replay_reports_unreadable_files_and_reads_the_rest(engine, shared_data, tmp_path) -> None:
    (tmp_path / "autogempa_broken.json").write_text('{"Infogempa": ')
    (tmp_path / "notes.txt").write_text("not a feed")
    good = shared_data / "bmkg" / AUTOGEMPA
    (tmp_path / AUTOGEMPA).write_bytes(good.read_bytes())
    outcomes = ingest.replay(engine, tmp_path)
    assert outcomes["autogempa_broken.json"].status == "error"
    assert "not valid JSON" in outcomes["autogempa_broken.json"].detail
    assert outcomes["notes.txt"].status == "skipped"
    assert str(outcomes[AUTOGEMPA]) == "1 new, 0 updated" and _events(engine) == 1


def test_a_revised_earthquake_is_one_event_with_its_revision_history(engine, shared_data) -> None:
    """Flores 2021-12-14: BMKG's automatic M7.5 (03:20:22) and reviewed M7.4 (03:20:23) are
    listed side by side in gempaterkini; they are one event, at the reviewed values."""
    payload = (shared_data / "bmkg" / FLORES).read_bytes()
    with Session(engine) as session, session.begin():
        result = hazard_store.save_quakes(session, parse_infogempa(payload))
    # 15 listed: 11 other events, the M7.4 three times and its automatic M7.5 before it
    assert (result.inserted, result.updated) == (12, 1)
    with Session(engine) as session:
        (event,) = session.scalars(select(HazardEvent).where(HazardEvent.magnitude >= 7)).all()
        assert (event.magnitude, event.time_utc.second, event.lon) == (7.4, 23, 122.24)
        assert [(r["magnitude"], r["event_id"][-2:]) for r in event.details["revisions"]] == [
            (7.5, "22"),
            (7.4, "23"),
        ]
    # the same list again changes nothing; the automatic solution never comes back
    with Session(engine) as session, session.begin():
        again = hazard_store.save_quakes(session, parse_infogempa(payload))
    assert (again.inserted, again.updated) == (0, 0)


NEW_FEEDS = {  # feed key: (payload, events it stores)
    "bmkg_inatews": ("bmkg/inatews_datagempa_tsunami_20230425_arraysyams-testingrepo.json", 2),
    "bmkg_realtime": ("bmkg/inatews_gempaQL_realtime_20220925_arraysyams-testingrepo.geojson", 1),
    "gdacs": ("feeds/gdacs_rss_20191230_exxamalte-python-aio-georss-gdacs.xml", 0),  # no Indonesia
}


@pytest.mark.parametrize("key", sorted(NEW_FEEDS))
def test_each_new_feed_is_polled_and_keeps_its_data_through_faults(
    engine, httpserver: HTTPServer, shared_data: Path, key: str
) -> None:
    """InaTEWS, its real-time list and GDACS, from their recorded payloads over HTTP, then a
    server error and a cut-off payload: the error is recorded, nothing stored is lost."""
    payload, stored = NEW_FEEDS[key]
    body = (shared_data / payload).read_bytes()
    httpserver.expect_ordered_request("/feed").respond_with_data(body)
    httpserver.expect_ordered_request("/feed").respond_with_data("down", status=503)
    httpserver.expect_ordered_request("/feed").respond_with_data(body[: len(body) // 2])
    url = httpserver.url_for("/feed")
    settings = load_settings(
        feed_inatews_url=url, feed_inatews_realtime_url=url, feed_gdacs_url=url
    )
    feed = ingest.registry(settings)[key]
    assert _poll(engine, feed) == "ok" and _events(engine) == stored
    assert _poll(engine, feed) == "error"
    assert _status(engine, key).last_error == "server error (HTTP 503)"
    assert _poll(engine, feed) == "error"
    assert _events(engine) == stored and _status(engine, key).last_ok_at is not None


def test_gdacs_alerts_for_indonesia_are_stored_with_their_level(
    engine, httpserver: HTTPServer
) -> None:
    fixture = Path(__file__).parent / "fixtures" / "gdacs_indonesia.xml"
    httpserver.expect_request("/gdacs.xml").respond_with_data(fixture.read_bytes())
    settings = load_settings(feed_gdacs_url=httpserver.url_for("/gdacs.xml"))
    assert _poll(engine, ingest.registry(settings)["gdacs"]) == "ok"
    events = hazard_store.latest_events(engine)
    levels = [d["alert_level"] for d in events["details"]]
    assert sorted(zip(events["kind"], levels, strict=True)) == [
        ("earthquake", "Orange"),
        ("flood", "Orange"),
        ("volcano", "Green"),
    ]


HOSTILE_PAYLOADS = {
    "deep_nesting": b"[" * 100_000,
    "deep_object": b'{"Infogempa": ' * 50_000,
    "datetime_a_number": b'{"Infogempa": {"gempa": {"DateTime": 5, "Magnitude": "5.0"}}}',
    "latitude_a_list": b'{"Infogempa": {"gempa": {"DateTime": "2026-10-07T01:02:03+00:00",'
    b' "Lintang": [1], "Bujur": {"x": 1}, "Magnitude": []}}}',
    "quakes_a_string": b'{"Infogempa": {"gempa": "x"}}',
    "usgs_features_a_number": b'{"type": "FeatureCollection", "features": 7}',
    "inatews_info_a_list": b'{"sent": "2023-04-25T03:05:33WIB", "info": [1, 2]}',
    "realtime_coordinates_text": b'{"features": [{"properties": {"time": "x"}, "geometry": 5}]}',
    "gdacs_billion_laughs": b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><rss>&a;</rss>',
}
HOSTILE_KINDS = {"usgs": "usgs_quakes", "inatews": "inatews", "realtime": "inatews_realtime"}
HOSTILE_KINDS["gdacs"] = "gdacs"


@pytest.mark.parametrize("name", sorted(HOSTILE_PAYLOADS))
def test_hostile_json_is_a_format_error_recorded_while_other_feeds_go_on(
    engine, httpserver: HTTPServer, shared_data: Path, name: str
) -> None:
    httpserver.expect_request("/bad.json").respond_with_data(HOSTILE_PAYLOADS[name])
    httpserver.expect_request("/good.json").respond_with_data(
        (shared_data / "bmkg" / AUTOGEMPA).read_bytes()
    )
    kind = HOSTILE_KINDS.get(name.split("_")[0], "bmkg_quakes")
    feeds = {
        "bad": Feed("bad", httpserver.url_for("/bad.json"), 60, kind),
        "good": Feed("good", httpserver.url_for("/good.json"), 60, "bmkg_quakes"),
    }
    ingest.run(engine, make_session("test", retries=0), feeds, 5.0, rounds=1)
    bad = _status(engine, "bad")
    assert bad.last_outcome == "error" and bad.last_error  # the parser's words or ours
    assert _status(engine, "good").last_outcome == "ok" and _events(engine) == 1


def test_a_payload_past_the_size_cap_is_refused_unread(engine, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/huge.json").respond_with_data(b" " * (MAX_FEED_BYTES + 1))
    assert _poll(engine, _quake_feed(httpserver, "/huge.json")) == "error"
    assert "larger than" in _status(engine).last_error


def test_cap_links_to_other_hosts_are_not_fetched(engine, httpserver, shared_data) -> None:
    rss = (shared_data / "bmkg" / "nowcast_rss_20260216_dhanyyudi-bmkg-api.xml").read_text()
    elsewhere = httpserver.url_for("/cap/").replace("localhost", "127.0.0.1")
    httpserver.expect_request("/rss.xml").respond_with_data(
        rss.replace("https://www.bmkg.go.id/alerts/nowcast/id/", elsewhere)
    )
    assert _poll(engine, _nowcast(httpserver)) == "error"
    assert "host not allowed: 127.0.0.1" in _status(engine, "bmkg_nowcast").last_error
    assert not [r for r, _ in httpserver.log if r.path.startswith("/cap/")]
