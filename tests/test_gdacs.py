"""GDACS RSS: the recorded feed (no event in Indonesia) and items about Indonesia."""

from pathlib import Path

import pytest

from command_center.base.errors import FeedFormatError
from command_center.sources.gdacs import parse_gdacs

FIXTURE = Path(__file__).parent / "fixtures" / "gdacs_indonesia.xml"


def test_the_recorded_feed_parses_with_its_bom_and_keeps_nothing_outside_indonesia(
    shared_data,
) -> None:
    payload = next((shared_data / "feeds").glob("gdacs_rss_*.xml")).read_bytes()
    assert payload.startswith(b"\xef\xbb\xbf")
    assert parse_gdacs(payload) == []
    everywhere = parse_gdacs(payload, region=(-180, -90, 180, 90))
    assert [(e.event_type, e.alert_level) for e in everywhere] == [
        ("TC", "Green"),
        ("EQ", "Green"),
        ("DR", "Green"),
        ("DR", "Green"),
    ]
    quake = everywhere[1]
    assert quake.magnitude == 5.5 and quake.from_utc.isoformat() == "2019-12-28T15:36:35+00:00"


def test_items_about_indonesia_keep_type_level_and_place() -> None:
    flood, volcano, quake = parse_gdacs(FIXTURE.read_bytes())
    assert (flood.event_type, flood.alert_level, flood.country) == ("FL", "Orange", "Indonesia")
    assert (flood.lat, flood.lon) == (-3.32, 114.59) and flood.magnitude is None
    assert volcano.alert_level == "Green" and quake.magnitude == 6.8


@pytest.mark.parametrize(
    "payload",
    [
        b"<rss><channel><item><title>no id</title></item></channel></rss>",
        b"<feed/>",
        b"<rss",
    ],
)
def test_broken_feeds_are_format_errors(payload: bytes) -> None:
    with pytest.raises(FeedFormatError):
        parse_gdacs(payload)
