"""Incidents as plain data: proposals, hazards and phases, areas and zones."""

from datetime import date

import pytest

from command_center.labels import t
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
        (5.6, 10, True, 0, False, 20, "M5.6 di darat"),
        (5.2, 30, False, 0, False, 3, "M5.2 dangkal (30 km)"),
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


def _sk(phase: str, start: date, end: date | None = None) -> incidents.PhaseRecord:
    return incidents.PhaseRecord(phase, f"SK {phase} {start}", "Bupati Bandung", start, end)


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


def test_a_phase_decree_is_checked_field_by_field() -> None:
    errors = incidents.phase_errors("darurat", " ", date(2026, 12, 5), date(2026, 12, 1))
    assert [(e.field, e.code) for e in errors] == [
        ("phase", "bad_phase"),
        ("decree", "missing"),
        ("ends_on", "end_before_start"),
    ]
    assert incidents.phase_errors("tanggap_darurat", "SK 1", date(2026, 12, 1), None) == []
    long = incidents.phase_errors("tanggap_darurat", "SK " * 50, date(2026, 12, 1), None, "B" * 121)
    assert [(e.field, e.code) for e in long] == [("decree", "too_long"), ("authority", "too_long")]


def test_every_hazard_and_phase_has_words_in_both_languages() -> None:
    for code in incidents.HAZARDS:
        assert t(f"hazard_{code}", "id") and t(f"hazard_{code}", "en")
    for code in incidents.PHASES:
        assert t(f"phase_{code}", "id") != t(f"phase_{code}", "en")
    assert incidents.suggested_name("Banjir", "Kabupaten Bandung", date(2026, 12, 2)) == (
        "Banjir Kabupaten Bandung 2 Des 2026"
    )
