from datetime import UTC, datetime
from pathlib import Path

import pytest

from command_center.base.errors import FeedFormatError
from command_center.sources.usgs import parse_usgs


def test_only_events_in_the_indonesian_region_are_kept(shared_data: Path) -> None:
    quakes = parse_usgs(
        (
            shared_data
            / "feeds"
            / "usgs_significant_month_20230227_stbere-leaflet-challenge.geojson"
        ).read_bytes()
    )
    (tobelo,) = quakes
    assert tobelo.source == "usgs"
    assert tobelo.location_text == "177 km N of Tobelo, Indonesia"
    assert tobelo.time_utc.tzinfo == UTC and tobelo.time_utc.year == 2023
    assert 0 < tobelo.lat < 5 and 127 < tobelo.lon < 129  # [lon, lat, depth] order handled


def test_epoch_milliseconds_become_utc() -> None:
    payload = (
        b'{"type":"FeatureCollection","features":[{"type":"Feature","id":"us1",'
        b'"properties":{"time":1600000000000,"mag":5.1,"place":"Banda Sea","tsunami":1},'
        b'"geometry":{"type":"Point","coordinates":[128.1,-6.5,100.0]}}]}'
    )
    (quake,) = parse_usgs(payload)
    assert quake.time_utc == datetime(2020, 9, 13, 12, 26, 40, tzinfo=UTC)
    assert (quake.lat, quake.lon, quake.depth_km, quake.magnitude) == (-6.5, 128.1, 100.0, 5.1)
    assert not quake.tsunami_potential  # BMKG, not USGS, says so for Indonesia
    assert quake.details["usgs_tsunami_flag"]


def test_broken_feature_names_its_index() -> None:
    with pytest.raises(FeedFormatError, match=r"features\[0\]"):
        parse_usgs(b'{"features":[{"id":"x","properties":{},"geometry":null}]}')
