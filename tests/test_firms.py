"""FIRMS CSV: every shape FIRMS hands out, recognised by its header; changed shapes refused."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from command_center.base.errors import FeedFormatError
from command_center.sources.firms import is_firms, parse_firms

FIXTURES = Path(__file__).parent / "fixtures" / "firms"


def _read(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_the_area_api_shape_keeps_time_place_and_viirs_confidence() -> None:
    spots = parse_firms(_read("firms_area_VIIRS_SNPP_NRT_2019-09-12.csv"))
    first = spots[0]
    assert len(spots) == 39
    assert first.time_utc == datetime(2019, 9, 12, 6, 1, tzinfo=UTC)
    assert (first.lat, first.lon, first.satellite, first.instrument) == (
        -2.57858,
        114.04192,
        "N",
        "VIIRS",
    )
    assert {s.confidence for s in spots} == {"low", "nominal", "high"}
    assert first.frp_mw == pytest.approx(9.59)


def test_the_downloadable_file_has_no_instrument_column_and_is_read_as_viirs() -> None:
    spots = parse_firms(_read("SUOMI_VIIRS_C2_SouthEast_Asia_48h.csv"))
    assert len(spots) == 109 and {s.instrument for s in spots} == {"VIIRS"}
    assert {s.time_utc.date().isoformat() for s in spots} == {"2019-09-13", "2019-09-14"}


def test_modis_percentages_fall_in_the_three_firms_classes() -> None:
    spots = parse_firms(_read("MODIS_C6_1_SouthEast_Asia_24h.csv"))
    assert [s.confidence for s in spots] == ["high", "high", "nominal", "nominal"]
    assert {(s.instrument, s.satellite) for s in spots} == {("MODIS", "Aqua")}
    low = b"latitude,longitude,brightness,scan,track,acq_date,acq_time,satellite,confidence\n"
    assert parse_firms(low + b"-2.5,114.0,320,1,1,2019-09-14,0615,T,29\n")[0].confidence == "low"


def test_the_country_api_shape_and_an_hhmm_time_without_its_leading_zero() -> None:
    spots = parse_firms(_read("firms_country_IDN_VIIRS_NOAA20_NRT_2019-09-12.csv"))
    assert [s.time_utc.strftime("%H:%M") for s in spots] == ["05:42"] * 3
    assert {s.satellite for s in spots} == {"N20"}


def test_older_downloads_spell_the_class_out() -> None:
    header = b"latitude,longitude,bright_ti4,scan,track,acq_date,acq_time,satellite,confidence\n"
    rows = (
        b"-2.5,114.0,340,0.4,0.4,2019-09-14,46,1,nominal\n"
        b"-2.6,114.1,350,0.4,0.4,2019-09-14,46,1,high\n"
    )
    spots = parse_firms(header + rows)
    assert [s.confidence for s in spots] == ["nominal", "high"]
    assert spots[0].time_utc.strftime("%H:%M") == "00:46"


def test_files_are_recognised_by_their_header_whatever_their_name() -> None:
    for path in FIXTURES.glob("*.csv"):
        assert is_firms(path.read_bytes()), path.name
    assert not is_firms(b"kode_kec,kecamatan,meninggal\n32.03.01,Cianjur,1\n")
    assert not is_firms(b'{"type": "FeatureCollection"}')


def test_a_header_alone_is_no_hotspots() -> None:
    header = _read("MODIS_C6_1_SouthEast_Asia_24h.csv").split(b"\n", 1)[0] + b"\n"
    assert parse_firms(header) == []


def test_a_changed_shape_is_a_format_error_naming_what_is_missing() -> None:
    renamed = _read("SUOMI_VIIRS_C2_SouthEast_Asia_24h.csv").replace(b"acq_date", b"date", 1)
    with pytest.raises(FeedFormatError, match="no acq_date"):
        parse_firms(renamed)
    with pytest.raises(FeedFormatError, match="not a FIRMS header"):
        parse_firms(b"<html><body>MAP_KEY invalid</body></html>")


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        (b"-2.5,114.0,340,0.4,0.4,14/09/2019,0601,N,h", "row 3: acq_date/acq_time"),
        (b"-2.5,east,340,0.4,0.4,2019-09-14,0601,N,h", "row 3: longitude 'east' is not a number"),
        (b"-95,114.0,340,0.4,0.4,2019-09-14,0601,N,h", "row 3: latitude -95.0 is out of range"),
        (b"-2.5,114.0,340,0.4,0.4,2019-09-14,0601,N,x", "row 3: confidence 'x'"),
        (b"-2.5,114.0,340,0.4,0.4,2019-09-14,0601,,h", "row 3: satellite is empty"),
    ],
)
def test_a_bad_row_names_its_field_and_row(row: bytes, problem: str) -> None:
    header = b"latitude,longitude,bright_ti4,scan,track,acq_date,acq_time,satellite,confidence\n"
    good = b"-2.4,114.0,340,0.4,0.4,2019-09-14,0601,N,h\n"
    with pytest.raises(FeedFormatError, match=problem):
        parse_firms(header + good + row + b"\n")


def test_rows_past_the_cap_are_refused() -> None:
    with pytest.raises(FeedFormatError, match="more than 10 rows"):
        parse_firms(_read("SUOMI_VIIRS_C2_SouthEast_Asia_24h.csv"), max_rows=10)
