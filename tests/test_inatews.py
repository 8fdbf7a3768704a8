"""InaTEWS payloads as recorded from BMKG: the earthquake and its tsunami warning."""

from datetime import UTC, datetime

import pytest

from command_center.base.errors import FeedFormatError
from command_center.sources.inatews import parse_datagempa, parse_gempaql

TSUNAMI = "inatews_datagempa_tsunami_20230425_arraysyams-testingrepo.json"


def test_a_tsunami_message_gives_the_quake_and_the_warning_per_area(shared_data) -> None:
    message = parse_datagempa((shared_data / "bmkg" / TSUNAMI).read_bytes())
    quake, warning = message.quake, message.warning
    # "25-04-23" "03:00:57 WIB" → UTC; point.coordinates is "lon,lat"
    assert quake.time_utc == datetime(2023, 4, 24, 20, 0, 57, tzinfo=UTC)
    assert (quake.lat, quake.lon, quake.magnitude, quake.depth_km) == (-0.93, 98.39, 7.3, 84.0)
    assert quake.tsunami_potential is True
    assert warning is not None and warning.message == 1 and not warning.ended
    # "sent": "2023-04-25T03:05:33WIB" (zone glued on)
    assert warning.sent_utc == datetime(2023, 4, 24, 20, 5, 33, tzinfo=UTC)
    # wzarea lists the district twice; it is one area
    assert [(a.district, a.level) for a in warning.areas] == [
        ("NIAS-SELATAN PULAU TANABALA", "WASPADA")
    ]


def test_a_felt_message_is_an_earthquake_without_a_warning(shared_data) -> None:
    felt = shared_data / "bmkg" / "inatews_datagempa_felt_20220214_arraysyams-testingrepo.json"
    message = parse_datagempa(felt.read_bytes())
    assert message.warning is None
    assert [(f.mmi_max, f.place) for f in message.quake.felt] == [(2, "Kota Bengkulu")]


def test_the_end_message_ends_the_warning(shared_data) -> None:
    text = (shared_data / "bmkg" / TSUNAMI).read_text()
    ended = parse_datagempa(text.replace("PD-1", "PD-4").encode()).warning
    assert ended is not None and ended.message == 4 and ended.ended
    words = parse_datagempa(
        text.replace("Warning Tsunami PD-1", "Peringatan Dini Tsunami Berakhir").encode()
    ).warning
    assert words is not None and words.ended


def test_realtime_solutions_have_string_coordinates(shared_data) -> None:
    path = shared_data / "bmkg" / "inatews_gempaQL_realtime_20220925_arraysyams-testingrepo.geojson"
    (quake,) = parse_gempaql(path.read_bytes())
    assert (quake.lat, quake.lon, quake.magnitude) == (0.319303, 122.090919, 2.6)
    assert quake.time_utc == datetime(2022, 9, 25, 13, 3, 33, tzinfo=UTC)


@pytest.mark.parametrize(
    "payload",
    [b"", b"[]", b'{"sent": "x", "info": {}}', b'{"info": {"point": {"coordinates": "1"}}}'],
)
def test_broken_messages_are_format_errors(payload: bytes) -> None:
    with pytest.raises(FeedFormatError):
        parse_datagempa(payload)
