import pytest

from command_center.services.incidents import ProposalRules, proposal_reason

RULES = ProposalRules(min_magnitude=5.0, max_depth_km=70, min_felt_mmi=4)


@pytest.mark.parametrize(
    ("magnitude", "depth", "on_land", "felt", "tsunami", "affected", "expected"),
    [
        (7.4, 10, False, 0, True, 100, "potensi tsunami"),
        (4.2, 5, True, 5, False, 0, "dirasakan V MMI"),
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
