"""Incidents as plain data: proposals, hazards and phases, areas and zones."""

from datetime import date

import pytest

from command_center.base.labels import t
from command_center.services import incidents
from command_center.services.incidents import ProposalRules, proposal_reason

RULES = ProposalRules(min_magnitude=5.0, max_depth_km=70, min_felt_mmi=4)


@pytest.mark.parametrize(
    ("magnitude", "depth", "on_land", "felt", "tsunami", "affected", "expected"),
    [
        (7.4, 10, False, 0, True, 100, "potensi tsunami"),
        (4.2, 5, True, 5, False, 3, "dirasakan V MMI"),
        (4.2, 5, True, 5, False, 0, None),  # felt, but in no kecamatan it could name
        (7.4, 10, False, 0, True, 0, None),  # tsunami potential far from any Indonesian coast
        (5.6, 10, True, 0, False, 20, "M5,6 di darat"),
        (5.2, 30, False, 0, False, 3, "M5,2 dangkal (30 km)"),
        (5.2, 150, False, 0, False, 3, None),  # deep, at sea
        (5.2, 30, False, 0, False, 0, None),  # shallow but shakes no kecamatan strongly
        (4.9, 10, True, 3, False, 2, None),  # below every threshold
    ],
)
def test_which_quakes_become_proposed_incidents(
    magnitude, depth, on_land, felt, tsunami, affected, expected
) -> None:
    assert proposal_reason(magnitude, depth, on_land, felt, tsunami, affected, RULES) == expected


def test_the_local_zone_follows_the_province() -> None:
    assert [incidents.zone_of(c) for c in ("32.04", "61.01", "51.71", "94.01", None)] == [
        "WIB",
        "WIB",  # Kalimantan Barat
        "WITA",
        "WIT",
        "WIB",
    ]


def test_the_area_of_an_incident_is_the_smallest_that_holds_its_kecamatan() -> None:
    assert incidents.common_area(["32.04.07", "32.04.08"]) == "32.04"
    assert incidents.common_area(["32.04.07", "32.03.01"]) == "32"
    assert incidents.common_area(["32.04.07", "35.07.01"]) is None


def _sk(
    phase: str, start: date, end: date | None = None, by: str | None = "Kedua"
) -> incidents.PhaseRecord:
    number = f"360/{start:%d%m}/BPBD/{start:%Y}"
    return incidents.PhaseRecord(phase, number, "Bupati Bandung", start, end, confirmed_by=by)


def test_an_extension_keeps_counting_the_days_of_its_phase() -> None:
    history = [
        _sk("siaga_darurat", date(2026, 11, 25), date(2026, 11, 27)),
        _sk("tanggap_darurat", date(2026, 11, 28), date(2026, 12, 4)),
        _sk("tanggap_darurat", date(2026, 12, 5), date(2026, 12, 11)),  # perpanjangan
    ]
    assert incidents.phase_day(history, date(2026, 11, 24)) is None
    assert incidents.phase_day(history, date(2026, 11, 26))[1] == 2
    phase, day = incidents.phase_day(history, date(2026, 12, 6))
    assert (phase.ends_on, day) == (date(2026, 12, 11), 9)
    line = incidents.phase_line(history, date(2026, 12, 2))
    assert line == "Hari ke-5 tanggap darurat, s.d. 4 Des"
    assert incidents.phase_line(history, date(2026, 12, 13)) == (
        "Status tanggap darurat berakhir 11 Des; belum ada SK baru"
    )


def test_an_unconfirmed_decree_still_shows_its_phase_marked_as_such() -> None:
    waiting = [_sk("tanggap_darurat", date(2026, 11, 28), date(2026, 12, 4), by=None)]
    assert incidents.phase_line(waiting, date(2026, 12, 2)) == (
        "Hari ke-5 tanggap darurat, s.d. 4 Des (belum dikonfirmasi)"
    )
    assert incidents.phase_line(waiting, date(2026, 12, 2), "en").endswith("(not confirmed yet)")


def test_a_phase_decree_is_checked_field_by_field() -> None:
    errors = incidents.phase_errors("darurat", " ", date(2026, 12, 5), date(2026, 12, 1))
    assert [(e.field, e.code) for e in errors] == [
        ("phase", "bad_phase"),
        ("decree", "missing"),
        ("authority", "missing"),
        ("ends_on", "end_before_start"),
    ]
    sk = ("tanggap_darurat", "360/Kep.12-BPBD/2026", date(2026, 12, 1), None, "Bupati Bandung")
    assert incidents.phase_errors(*sk) == []
    long = incidents.phase_errors("tanggap_darurat", "1/" * 61, date(2026, 12, 1), None, "B" * 121)
    assert [(e.field, e.code) for e in long] == [("decree", "too_long"), ("authority", "too_long")]
    attack = incidents.phase_errors("tanggap_darurat", "-", date(2026, 12, 1), None, "bukan bupati")
    assert [(e.field, e.code, e.params["value"]) for e in attack] == [
        ("decree", "bad_decree", "-"),
        ("authority", "bad_authority", "bukan bupati"),
    ]


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("360/Kep.123-BPBD/2026", "360/Kep.123-BPBD/2026"),
        ("188.45/Kep.1203-BPBD/2024", "188.45/Kep.1203-BPBD/2024"),
        ("Nomor: 300/45/BPBD/2026", "300/45/BPBD/2026"),
        ("No. 362/KEP.51-BPBD/2025", "362/KEP.51-BPBD/2025"),
        ("360 / 8717 / BPBD / 2022", "360/8717/BPBD/2022"),  # Bupati Cianjur, November 2022
        ("362/kep.1024-BPBD/2017", "362/kep.1024-BPBD/2017"),  # Gubernur Jawa Barat, siaga
        ("050/ 30 /HK/437.12/2026", "050/30/HK/437.12/2026"),
        ("Nomor 12 Tahun 2020", "12 Tahun 2020"),  # a Keputusan Presiden
        ("-", None),
        ("x", None),
        ("123", None),
        ("belum ada", None),
        ("SK 1", None),
        ("360/BPBD/2026", None),  # no running number
        ("360/12/BPBD", None),  # no year
        ("Nomor:", None),
    ],
)
def test_a_decree_number_is_one_as_regional_heads_number_them(
    written: str, stored: str | None
) -> None:
    assert incidents.decree_number(written) == stored


KABUPATEN_BANDUNG = incidents.Region("Kabupaten Bandung", "Jawa Barat")
KOTA_BANDUNG = incidents.Region("Kota Bandung", "Jawa Barat")


@pytest.mark.parametrize(
    ("authority", "of_kabupaten", "of_kota"),
    [
        ("Bupati Bandung", True, False),
        ("bupati  kabupaten bandung", True, False),
        ("Pj. Bupati Bandung", True, False),
        ("Wali Kota Bandung", False, True),
        ("Walikota Bandung", False, True),
        ("Bupati Bandung Barat", False, False),  # another kabupaten
        ("Gubernur Jawa Barat", True, True),
        ("Gubernur Jawa Tengah", False, False),
        ("Presiden", True, True),
        ("Presiden Republik Indonesia", True, True),
        ("bukan bupati", False, False),
        ("Bupati Bandung bukan", False, False),
        ("Kepala BPBD Kabupaten Bandung", False, False),
        ("Bupati", False, False),
    ],
)
def test_a_decree_is_set_by_the_head_of_a_region_holding_the_area(
    authority: str, of_kabupaten: bool, of_kota: bool
) -> None:
    assert incidents.heads(authority, KABUPATEN_BANDUNG) is of_kabupaten
    assert incidents.heads(authority, KOTA_BANDUNG) is of_kota


def test_region_names_match_as_the_store_spells_them() -> None:
    jakarta = incidents.Region(None, "Daerah Khusus Ibukota Jakarta")
    assert incidents.heads("Gubernur DKI Jakarta", jakarta)
    assert not incidents.heads("Wali Kota Jakarta Selatan", jakarta)  # no kota given
    siau = incidents.Region("Kabupaten Kep. Siau Tagulandang Biaro", "Sulawesi Utara")
    assert incidents.heads("Bupati Kepulauan Siau Tagulandang Biaro", siau)
    assert incidents.heads("Bupati Toli-Toli", incidents.Region("Kabupaten Toli-Toli", None))
    assert not incidents.heads("Gubernur Jawa Barat", incidents.Region())  # across provinces
    assert incidents.heads("Presiden", incidents.Region())


def test_every_hazard_and_phase_has_words_in_both_languages() -> None:
    for code in incidents.HAZARDS:
        assert t(f"hazard_{code}", "id") and t(f"hazard_{code}", "en")
    for code in incidents.PHASES:
        assert t(f"phase_{code}", "id") != t(f"phase_{code}", "en")
    assert incidents.suggested_name("Banjir", "Kabupaten Bandung", date(2026, 12, 2)) == (
        "Banjir Kabupaten Bandung 2 Des 2026"
    )
