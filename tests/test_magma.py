"""MAGMA Indonesia payloads (activity reports, VONA), PVMBG's zone wording, the shipped
volcano list, and the exclusion zone drawn from them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from shapely.geometry import Point

from command_center.base.errors import FeedFormatError
from command_center.base.http import parsed
from command_center.services.volcanoes import KM_PER_DEGREE, exclusion_zone
from command_center.sources.magma import (
    Exclusion,
    exclusion_of,
    level_of,
    parse_magma_var,
    parse_vona,
    report_time,
    volcano_list,
)

FIXTURES = Path(__file__).parent / "fixtures" / "magma"
AWAS = FIXTURES / "magma_var_20241104_lewotobi_awas.json"


def test_each_report_gives_level_period_end_in_utc_and_zone() -> None:
    levels = {v.name: v for v in parse_magma_var(AWAS.read_bytes())}
    lewotobi, semeru, salak = levels["Lewotobi Laki-laki"], levels["Semeru"], levels["Salak"]
    assert lewotobi.level == 4 and lewotobi.exclusion == Exclusion(7.0)
    assert lewotobi.report_utc.isoformat() == "2024-11-03T22:00:00+00:00"  # 06:00 WITA
    assert (
        lewotobi.recommendation.startswith("1. Masyarakat") and "<br" not in semeru.recommendation
    )
    assert semeru.exclusion == Exclusion(3.0, 8.0, 135.0, 135.0)  # and "sektor tenggara ... 8 km"
    assert salak.level == 1 and salak.exclusion == Exclusion(None)
    assert salak.report_utc.isoformat() == "2024-11-03T17:00:00+00:00"  # 24:00 WIB


@pytest.mark.parametrize(
    ("words", "zone"),
    [
        ("radius 3 km dari puncak", Exclusion(3.0)),
        ("dalam radius 500 meter dari kawah", Exclusion(0.5)),
        ("radius 2,5 km dari kawah aktif", Exclusion(2.5)),
        ("sektoral 7 km arah tenggara", Exclusion(None, 7.0, 135.0, 135.0)),
        ("sektoral arah tenggara 7 km", Exclusion(None, 7.0, 135.0, 135.0)),
        (
            "radius 6 km dan perluasan sektoral arah Barat Daya - Timur Laut sejauh 9 km",
            Exclusion(6.0, 9.0, 225.0, 45.0),
        ),
        ("sektoral 7 km arah tenggara\u2013selatan", Exclusion(None, 7.0, 135.0, 180.0)),
        ("radius 3 km. Sektor Barat Laut sejauh 5 km", Exclusion(3.0, 5.0, 315.0, 315.0)),
        ("sektoral 2.5 km arah barat. Radius 1 km", Exclusion(1.0, 2.5, 270.0, 270.0)),
        ("agar tidak mendekati kawah", Exclusion(None)),
    ],
)
def test_pvmbg_zone_wording(words: str, zone: Exclusion) -> None:
    assert exclusion_of(words) == zone


@pytest.mark.parametrize(
    ("status", "level"), [("Level IV (Awas)", 4), ("Level III (Siaga)", 3), ("2", 2), (1, 1)]
)
def test_levels_as_magma_writes_them(status: object, level: int) -> None:
    assert level_of(status) == level


def test_a_period_across_midnight_ends_the_next_day() -> None:
    when = report_time("Laporan per 6 jam, tanggal 2024-11-03 pukul 18:00 - 24:00 WITA")
    assert when.isoformat() == "2024-11-03T16:00:00+00:00"


def test_the_vona_keeps_colour_and_ash_height() -> None:
    (vona,) = parse_vona((FIXTURES / "vona_20241104_lewotobi.json").read_bytes())
    assert (vona.code, vona.colour, vona.ash_top_m, vona.ash_above_summit_m) == (
        "LWK",
        "RED",
        3584.0,
        2000.0,
    )
    assert vona.issued_utc.isoformat() == "2024-11-04T05:39:00+00:00"


def _report(**changes: object) -> bytes:
    report = json.loads(AWAS.read_text())[0]
    for path, value in changes.items():
        section, key = path.split("__")
        report[section][key] = value
    return json.dumps([report]).encode()


@pytest.mark.parametrize(
    "payload",
    [
        b'{"data": []}',  # an object where a list was
        b"<html><body>Maintenance</body></html>",
        _report(gunung_api__status="Siaga"),  # a level without its number
        _report(laporan_terakhir__tanggal="kemarin"),
        _report(gunung_api__nama=""),
        b"[" * 100_000,
    ],
)
def test_a_changed_shape_is_a_format_error(payload: bytes) -> None:
    with pytest.raises(FeedFormatError):
        parsed(parse_magma_var, payload)


@pytest.mark.parametrize(
    "payload", [b"[]", b'{"data": [{"code_id": "LWK", "cu_code": "PURPLE"}]}', b'{"data": 1}']
)
def test_a_broken_vona_is_a_format_error(payload: bytes) -> None:
    with pytest.raises(FeedFormatError):
        parsed(parse_vona, payload)


def test_the_shipped_volcano_list_has_unique_codes_in_indonesia() -> None:
    volcanoes = volcano_list()
    assert len(volcanoes) == 58
    assert len({v.code for v in volcanoes.values()}) == 58
    assert all(-11.5 < v.lat < 6.5 and 94.5 < v.lon < 141.5 for v in volcanoes.values())
    assert volcanoes["lewotobilakilaki"].code == "LWK"


def _km(km: float) -> float:
    return km / KM_PER_DEGREE


def test_the_zone_is_the_radius_and_the_sector_wedge() -> None:
    lat, lon = -8.542, 122.775
    circle = exclusion_zone(lat, lon, Exclusion(7.0))
    assert circle.contains(Point(lon, lat + _km(6.9))) and not circle.contains(
        Point(lon, lat + _km(7.1))
    )
    sector = exclusion_zone(lat, lon, Exclusion(3.0, 8.0, 135.0, 135.0))  # south-east
    south_east = Point(lon + _km(7.5 * 0.7071) / 0.989, lat - _km(7.5 * 0.7071))
    north_west = Point(lon - _km(7.5 * 0.7071) / 0.989, lat + _km(7.5 * 0.7071))
    assert sector.contains(south_east) and not sector.contains(north_west)
    assert sector.contains(Point(lon, lat + _km(2.9)))  # the radius still holds all round
    assert exclusion_zone(lat, lon, Exclusion(None)) is None
