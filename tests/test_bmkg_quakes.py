"""BMKG earthquake parsing on the real recorded payloads in ../shared/data/bmkg, plus faults."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from command_center.base.errors import FeedFormatError
from command_center.sources.bmkg_quakes import FeltReport, parse_felt, parse_infogempa


def _payload(shared_data: Path, name: str) -> bytes:
    return (shared_data / "bmkg" / name).read_bytes()


def test_every_recorded_earthquake_payload_parses(shared_data: Path) -> None:
    files = [
        f
        for f in (shared_data / "bmkg").iterdir()
        if f.name.startswith(("autogempa", "gempaterkini", "gempadirasakan"))
    ]
    assert len(files) == 13
    for path in files:
        quakes = parse_infogempa(path.read_bytes())
        assert quakes, path.name
        for quake in quakes:
            assert -12 < quake.lat < 8 and 90 < quake.lon < 145, path.name  # Indonesia region
            assert quake.magnitude and 1 < quake.magnitude < 10
            assert quake.time_utc.tzinfo is not None


def test_current_autogempa_json(shared_data: Path) -> None:
    (quake,) = parse_infogempa(_payload(shared_data, "autogempa_20261007_ai-gempa-bmkg.json"))
    assert quake.time_utc == datetime(2026, 10, 6, 21, 56, 46, tzinfo=UTC)  # DateTime is the truth
    assert (quake.lat, quake.lon, quake.depth_km, quake.magnitude) == (-3.80, 139.66, 50.0, 4.8)
    assert quake.felt == (FeltReport(2, 2, "Wamena"),)
    assert not quake.tsunami_potential
    assert quake.shakemap_url == "https://data.bmkg.go.id/DataMKG/TEWS/20261007045646.mmi.jpg"
    assert quake.event_id == "20261006215646"


def test_legacy_xml_with_lon_lat_coordinates_and_sr_suffix(shared_data: Path) -> None:
    (quake,) = parse_infogempa(
        _payload(shared_data, "autogempa_20131108_legacy_rezanii-tubesoot.xml")
    )
    assert (quake.lat, quake.lon) == (3.90, 126.40)  # file says "126.40,3.90"
    assert quake.time_utc == datetime(2013, 11, 7, 18, 38, 53, tzinfo=UTC)  # 08-Nov-13 01:38:53 WIB
    assert (quake.magnitude, quake.depth_km) == (5.0, 24.0)
    assert quake.location_text == "63 km BaratDaya KEP-TALAUD-SULUT"
    assert not quake.tsunami_potential  # "tidak berpotensi TSUNAMI"


def test_current_xml_is_lat_lon(shared_data: Path) -> None:
    (quake,) = parse_infogempa(
        _payload(shared_data, "autogempa_20220822_alfanalfarisy-php_webkantorv2.xml")
    )
    assert (quake.lat, quake.lon) == (-1.85, 120.88)
    assert quake.felt == (FeltReport(2, 3, "Tomata"),)


def test_gempaterkini_repeats_are_removed_and_tsunami_potential_read(shared_data: Path) -> None:
    quakes = parse_infogempa(
        _payload(shared_data, "gempaterkini_20211214_flores_m7.4_arraysyams-testingrepo.json")
    )
    big = [q for q in quakes if q.magnitude == 7.4]
    assert len(big) == 1
    assert big[0].tsunami_potential
    assert len({q.event_id for q in quakes}) == len(quakes)


def test_felt_reports_with_ranges_spaces_and_kabupaten() -> None:
    assert parse_felt("IV-V Mataram, III-IV Kab. Lombok Tengah, II - III Kab. Manggarai") == (
        FeltReport(4, 5, "Mataram"),
        FeltReport(3, 4, "Kab. Lombok Tengah"),
        FeltReport(2, 3, "Kab. Manggarai"),
    )
    assert parse_felt("-") == ()
    assert parse_felt(None) == ()


def test_local_time_in_wita_is_converted_when_datetime_is_missing() -> None:
    payload = (
        b'{"Infogempa":{"gempa":{"Tanggal":"05 Agu 2018","Jam":"19:46:35 WITA",'
        b'"Lintang":"8.37 LS","Bujur":"116.48 BT","Magnitude":"7.0","Kedalaman":"15 km",'
        b'"Wilayah":"Lombok","Potensi":"Potensi tsunami untuk diteruskan pada masyarakat",'
        b'"NewField":"ignored"}}}'
    )
    (quake,) = parse_infogempa(payload)
    assert quake.time_utc == datetime(2018, 8, 5, 11, 46, 35, tzinfo=UTC)
    assert quake.tsunami_potential


def test_an_empty_list_is_a_normal_state() -> None:
    assert parse_infogempa(b'{"Infogempa":{"gempa":[]}}') == []


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"", "empty body"),
        (b'{"Infogempa":{"gempa":[{"Tanggal"', "not valid JSON"),
        (b"<html><body>502 Bad Gateway</body></html>", "expected <Infogempa>"),
        (b'{"status":"success","data":[]}', "no Infogempa.gempa"),
        (b'{"Infogempa":{"gempa":[{"Magnitude":"5.0"}]}}', "Infogempa.gempa[0]"),
    ],
)
def test_bad_payloads_raise_a_clear_format_error(payload: bytes, message: str) -> None:
    with pytest.raises(FeedFormatError) as error:
        parse_infogempa(payload)
    assert message in str(error.value)
