from datetime import UTC, datetime
from pathlib import Path

import pytest
from shapely import MultiPolygon, Polygon

from command_center.base.errors import FeedFormatError
from command_center.sources.bmkg_nowcast import parse_cap, parse_rss
from command_center.sources.bmkg_quakes import parse_infogempa


def test_rss_lists_identifiers_and_cap_links(shared_data: Path) -> None:
    items = parse_rss(
        (shared_data / "bmkg" / "nowcast_rss_20260216_dhanyyudi-bmkg-api.xml").read_bytes()
    )
    assert len(items) == 3
    assert items[0] == (
        "2.49.0.1.360.0.2026.02.16.16.36.004",
        "https://www.bmkg.go.id/alerts/nowcast/id/CBT20260216004_alert.xml",
    )


def test_cap_alert_with_two_polygons(shared_data: Path) -> None:
    warning = parse_cap(
        (shared_data / "bmkg" / "nowcast_cap_banten_20260216_dhanyyudi-bmkg-api.xml").read_bytes()
    )
    assert warning.identifier == "2.49.0.1.360.0.2026.02.16.16.36.004"
    assert warning.sent_utc == datetime(2026, 2, 16, 15, 50, tzinfo=UTC)
    assert warning.expires_utc == datetime(2026, 2, 16, 19, 0, tzinfo=UTC)
    assert warning.event == "Hujan Lebat dan Petir"
    assert (warning.severity, warning.urgency) == ("Moderate", "Immediate")
    assert warning.area == "Banten"
    assert len(warning.polygons) == 2
    assert warning.polygons[0][0] == (105.994, -5.981)  # "lat,lon" turned into (lon, lat)
    assert warning.polygons[0][0] == warning.polygons[0][-1]


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"<alert", "not valid XML"),
        (b"<rss/>", "expected <{urn:oasis:names:tc:emergency:cap:1.2}alert>"),
        (
            b'<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">'
            b"<identifier>x</identifier></alert>",
            "identifier, sent and info are required",
        ),
    ],
)
def test_bad_cap_is_a_clear_format_error(payload: bytes, message: str) -> None:
    with pytest.raises(FeedFormatError, match=message):
        parse_cap(payload)


def test_xml_bombs_are_refused() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]><rss>&b;</rss>'
    )
    with pytest.raises(FeedFormatError, match="refused unsafe XML"):
        parse_rss(bomb)
    with pytest.raises(FeedFormatError, match="refused unsafe XML"):
        parse_infogempa(bomb.replace(b"rss", b"Infogempa"))


def test_warning_polygons_hit_the_kecamatan_its_text_names(shared_data: Path, geography) -> None:
    warning = parse_cap(
        (shared_data / "bmkg" / "nowcast_cap_banten_20260216_dhanyyudi-bmkg-api.xml").read_bytes()
    )
    hit = geography.intersecting(MultiPolygon([Polygon(ring) for ring in warning.polygons]))
    names = set(hit["kecamatan"])
    assert {"Ciwandan", "Citangkil", "Jombang", "Sobang", "Lebakgedong", "Cipanas"} <= names
    assert set(hit["kode_kec"].str[:2]) <= {"36", "32"}  # Banten, and its border with Jawa Barat
