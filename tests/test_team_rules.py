from datetime import UTC, datetime, timedelta

import pytest

from command_center.base.errors import IllegalTransition, InvalidInput
from command_center.services import teams as rules
from command_center.services.roster import TeamInput
from command_center.services.teams import TeamPlace, days_on_duty, suggest


@pytest.mark.parametrize(
    ("current", "target"),
    [
        ("standby", "unavailable"),
        ("en_route", "on_scene"),
        ("en_route", "returning"),
        ("on_scene", "returning"),
        ("returning", "standby"),
        ("returning", "unavailable"),
        ("unavailable", "standby"),
    ],
)
def test_the_lifecycle_allows_its_steps(current, target) -> None:
    rules.check_transition(current, target)


@pytest.mark.parametrize(
    ("current", "target", "hint"),
    [
        ("standby", "en_route", "assign"),  # only an assignment sends a team
        ("standby", "on_scene", "assign"),
        ("on_scene", "standby", "stand_down"),
        ("en_route", "unavailable", "stand_down"),
        ("unavailable", "en_route", "standby_first"),
        ("unavailable", "returning", "standby_first"),
        ("returning", "on_scene", "standby_first"),
        ("standby", "standby", "same"),
    ],
)
def test_illegal_transitions_are_refused_with_the_way_that_works(current, target, hint) -> None:
    with pytest.raises(IllegalTransition) as caught:
        rules.check_transition(current, target)
    assert (caught.value.current, caught.value.target, caught.value.hint) == (current, target, hint)


def _place(i, status, lat, lon, skills=("evakuasi",), last=False) -> TeamPlace:
    return TeamPlace(i, f"Tim {i}", status, skills, lat, lon, last)


def test_suggestions_are_the_nearest_standby_teams_with_the_skill() -> None:
    scene = (-6.84, 107.05)  # Cugenang, Cianjur
    teams = [
        _place(1, "standby", -6.92, 107.60, ("evakuasi",)),  # Bandung, ~61 km
        _place(2, "standby", -6.82, 107.14, ("evakuasi", "dapur umum")),  # Cianjur, ~10 km
        _place(3, "on_scene", -6.84, 107.05, ("evakuasi",)),  # already deployed
        _place(4, "standby", -6.60, 106.80, ("logistik",)),  # near, wrong skill
        _place(5, "unavailable", -6.83, 107.06, ("evakuasi",)),
        _place(6, "standby", None, None, ("evakuasi",)),  # no position known
    ]
    found = suggest(teams, *scene, skill="Evakuasi")
    assert [s.team_id for s in found] == [2, 1]
    assert found[0].distance_km == pytest.approx(10.2, abs=0.5)
    assert found[1].distance_km == pytest.approx(61, abs=2)
    assert [s.team_id for s in suggest(teams, *scene)][:3] == [2, 4, 1]
    assert suggest(teams, *scene, skill="SAR air") == []


def test_shelter_matches_shelter_or_huntara() -> None:
    assert rules.has_skill(["shelter"], "shelter/huntara")
    assert rules.has_skill(["shelter/huntara"], "huntara")
    assert not rules.has_skill(["logistik"], "shelter/huntara")


def test_days_on_duty_count_the_day_the_team_is_on() -> None:
    now = datetime(2026, 11, 22, 12, tzinfo=UTC)
    assert days_on_duty(None, now) is None
    assert days_on_duty(now - timedelta(hours=3), now) == 1
    assert days_on_duty(now - timedelta(days=1, hours=1), now) == 2
    assert days_on_duty(now - timedelta(days=15), now) == 15


def test_a_roster_entry_from_a_messy_row_is_cleaned() -> None:
    entry = TeamInput.check(
        {
            "name": "  Tagana Kab. Cianjur 3 ",
            "kind": "Karang Taruna",
            "home_kecamatan_code": "320311",
            "base_lat": "-6,84",
            "base_lon": "107,05",
            "member_count": "1.204",
            "skills": "sar AIR; Logistik, logistik",
            "contact_phone": "+62 812-3456-7890",
        },
        None,
    )
    assert entry.name == "Tagana Kab. Cianjur 3"
    assert entry.kind == "karang_taruna"
    assert (entry.home_kecamatan_code, entry.home_kabupaten_code) == ("32.03.11", "32.03")
    assert (entry.base_lat, entry.base_lon) == (-6.84, 107.05)
    assert entry.member_count == 1204
    assert entry.skills == ["SAR air", "logistik"]


def test_every_bad_field_of_a_roster_entry_is_named() -> None:
    with pytest.raises(InvalidInput) as caught:
        TeamInput.check(
            {
                "name": "",
                "kind": "pemadam",
                "home_kecamatan_code": "32.03",
                "member_count": "-2",
                "base_lat": "-6.8",
                "contact_phone": "<script>",
            },
            None,
        )
    codes = {(e.field, e.code) for e in caught.value.errors}
    assert codes == {
        ("name", "missing"),
        ("kind", "bad_kind"),
        ("home_kecamatan_code", "bad_code"),
        ("member_count", "negative"),
        ("contact_phone", "bad_phone"),
        ("base_lon", "one_coordinate"),
    }


def test_a_kecamatan_must_exist_and_the_base_defaults_to_its_centre(geography) -> None:
    with pytest.raises(InvalidInput) as caught:
        TeamInput.check({"name": "X", "home_kecamatan_code": "32.03.99"}, geography)
    assert [(e.field, e.code) for e in caught.value.errors] == [
        ("home_kecamatan_code", "unknown_kecamatan")
    ]
    entry = TeamInput.check({"name": "X", "home_kecamatan_code": "32.03.11"}, geography)
    assert geography.locate(entry.base_lat, entry.base_lon).code == "32.03.11"
