"""BMKG forecast: parsing the recorded payload, and polling it for open incidents politely."""

import itertools
import json
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy.orm import Session
from werkzeug import Request, Response

from command_center.base.errors import FeedFormatError
from command_center.base.http import make_session
from command_center.sources.bmkg_forecast import parse_forecast
from command_center.stores import common as store
from command_center.stores import hazards as hazard_store
from command_center.workers.ingest import Feed, poll_forecasts

SAMPLE = "prakiraan-cuaca_adm4-32.01.02.2003_20241214_Froppii-froppiis-weather-station.json"


def test_recorded_forecast_parses_in_time_order(shared_data: Path) -> None:
    forecast = parse_forecast((shared_data / "bmkg" / SAMPLE).read_bytes())
    assert (forecast.kecamatan_code, forecast.adm4, forecast.desa) == (
        "32.01.02",
        "32.01.02.2003",
        "Ciangsana",
    )
    assert len(forecast.slots) == 22
    first = forecast.slots[0]
    assert first.time_utc == datetime(2024, 12, 14, 0, 0, tzinfo=UTC)
    assert (first.description_id, first.description_en) == ("Hujan Ringan", "Light Rain")
    assert (first.temperature_c, first.rain_mm, first.wind_from) == (25, 7.5, "SW")
    times = [s.time_utc for s in forecast.slots]
    assert times == sorted(times)


def test_broken_forecast_is_a_format_error() -> None:
    with pytest.raises(FeedFormatError, match="no lokasi"):
        parse_forecast(b'{"data": []}')


def test_forecasts_are_fetched_for_open_incidents_within_the_rate_limit(
    demo_engine, httpserver: HTTPServer, shared_data: Path
) -> None:
    sample = json.loads((shared_data / "bmkg" / SAMPLE).read_text())
    seen: list[tuple[str, float]] = []

    def handler(request: Request) -> Response:
        adm4 = request.args["adm4"]
        seen.append((adm4, time.monotonic()))
        if adm4.endswith(".2001") and adm4.startswith("32.03.11"):
            return Response("not found", status=404)  # Cugenang: try the kelurahan code next
        body = {**sample, "lokasi": {**sample["lokasi"], "adm3": adm4[:8], "adm4": adm4}}
        return Response(json.dumps(body), content_type="application/json")

    httpserver.expect_request("/prakiraan-cuaca").respond_with_handler(handler)
    feed = Feed("bmkg_forecast", httpserver.url_for("/prakiraan-cuaca"), 3600, "forecast")
    http = make_session("test", retries=0)
    assert poll_forecasts(demo_engine, http, feed, 5.0, min_interval_s=0.1) == "ok"
    (incident,) = store.incidents(demo_engine)
    stored = hazard_store.forecasts(demo_engine, list(incident.kecamatan_codes))
    assert set(stored) == set(incident.kecamatan_codes)  # all 15 kecamatan
    assert stored["32.03.11"].adm4 == "32.03.11.1001"
    gaps = [b - a for (_, a), (_, b) in itertools.pairwise(seen)]
    assert min(gaps) >= 0.075  # never faster than the limit (less the server's timing jitter)
    assert hazard_store.feed_state(demo_engine, "bmkg_forecast").last_outcome == "ok"
    requests_before = len(seen)
    assert poll_forecasts(demo_engine, http, feed, 5.0, min_interval_s=0.1) == "ok"
    assert len(seen) == requests_before  # still fresh: nothing asked again


def test_forecast_failures_are_recorded(demo_engine, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/prakiraan-cuaca").respond_with_data("busy", status=503)
    feed = Feed("bmkg_forecast", httpserver.url_for("/prakiraan-cuaca"), 3600, "forecast")
    outcome = poll_forecasts(demo_engine, make_session("test", retries=0), feed, 5.0, 0.0)
    assert outcome == "error"
    assert (
        "server error (HTTP 503)"
        in hazard_store.feed_state(demo_engine, "bmkg_forecast").last_error
    )


def test_an_unchanged_forecast_still_counts_as_checked(demo_engine, shared_data: Path) -> None:
    forecast = parse_forecast((shared_data / "bmkg" / SAMPLE).read_bytes())
    with Session(demo_engine) as session, session.begin():
        assert hazard_store.save_forecast(session, forecast).inserted == 1
    first = hazard_store.forecasts(demo_engine, ["32.01.02"])["32.01.02"].fetched_at
    time.sleep(0.01)
    with Session(demo_engine) as session, session.begin():
        unchanged = hazard_store.save_forecast(session, forecast)
    assert (unchanged.inserted, unchanged.updated) == (0, 0)
    assert hazard_store.forecasts(demo_engine, ["32.01.02"])["32.01.02"].fetched_at > first
