"""NIK and KK checks, the household form, eligibility and the counts, as plain functions."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest
import time_machine
from cryptography.exceptions import InvalidTag
from hypothesis import given
from hypothesis import strategies as st

from command_center.base.errors import InvalidInput
from command_center.base.pdp import KeyMissing, Vault, mask, mask_name
from command_center.services import households as rules
from tests.conftest import next_utc
from tests.households import KEY, family, kk, nik

births = st.dates(min_value=date(1930, 1, 1), max_value=date(2025, 12, 31))
KECAMATAN = ["320311", "320301", "110101", "940101"]


def member(born: date, female: bool, number: str, **more) -> dict:
    return {
        "name": "Warga",
        "sex": "P" if female else "L",
        "birth_date": born.isoformat(),
        "relation": "anak",
        "nik": number,
        **more,
    }


@given(born=births, female=st.booleans(), serial=st.integers(1, 9999))
def test_a_nik_built_from_the_birth_date_and_sex_is_accepted(born, female, serial) -> None:
    person = rules.MemberInput.check(member(born, female, nik(born, female, serial)))
    assert person.birth_date == born and person.sex == ("P" if female else "L")


@given(born=births, female=st.booleans(), days=st.integers(1, 400))
def test_a_nik_that_does_not_carry_the_birth_date_is_refused(born, female, days) -> None:
    other = born + timedelta(days=days)
    if (other.day, other.month, other.year % 100) == (born.day, born.month, born.year % 100):
        return
    with pytest.raises(InvalidInput) as refused:
        rules.MemberInput.check(member(born, female, nik(other, female)))
    assert [(e.field, e.code) for e in refused.value.errors] == [("nik", "nik_birth_date")]


def test_a_baby_born_this_morning_in_papua_is_not_born_in_the_future() -> None:
    """08:00 WIT is 23:00 UTC, still yesterday there: a birth on the Jayapura day is accepted,
    and one on the day after it is not."""
    morning = next_utc(23)
    born = (morning + timedelta(hours=9)).date()
    papua = "940101"
    with time_machine.travel(morning, tick=True):
        baby = rules.MemberInput.check(member(born, True, nik(born, True, kecamatan=papua)))
        later = born + timedelta(days=1)
        with pytest.raises(InvalidInput) as refused:
            rules.MemberInput.check(member(later, True, nik(later, True, kecamatan=papua)))
    assert baby.birth_date == born
    assert [(e.field, e.code) for e in refused.value.errors] == [("birth_date", "bad_birth_date")]


@given(born=births, female=st.booleans())
def test_the_plus_forty_rule_tells_women_from_men(born, female) -> None:
    with pytest.raises(InvalidInput) as refused:
        rules.MemberInput.check(member(born, not female, nik(born, female)))
    assert refused.value.errors[0].code == "nik_sex"


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("32031117058", "nik_format"),  # too short
        ("3203111705800001x", "nik_format"),
        ("9903111705800001", "nik_region"),  # province 99 does not exist
        ("3203991705800001", "nik_region"),  # no kecamatan 32.03.99
        ("3203113205800001", "nik_date"),  # day 32
        ("3203117213800001", "nik_date"),  # day 72 (a woman's 32)
        ("3203111705800000", "nik_date"),  # serial 0000
    ],
)
def test_bad_niks_are_refused_naming_the_field(number, code, geography) -> None:
    with pytest.raises(InvalidInput) as refused:
        rules.MemberInput.check(member(date(1980, 5, 17), False, number), geography)
    assert [(e.field, e.code) for e in refused.value.errors] == [("nik", code)]


def test_a_spreadsheet_number_turned_float_is_named_not_guessed() -> None:
    with pytest.raises(InvalidInput) as refused:
        rules.MemberInput.check(member(date(1980, 5, 17), False, "3.20311E+15"))
    assert refused.value.errors[0].code == "number_as_float"


def test_a_household_names_each_bad_member_field_by_its_place(geography) -> None:
    values = family()
    values["members"][1]["nik"] = values["members"][0]["nik"]
    values["members"][2]["birth_date"] = "2024-02-30"
    values["kk"] = kk(kecamatan="320399")
    with pytest.raises(InvalidInput) as refused:
        rules.HouseholdInput.check(values, geography)
    fields = {(e.field, e.code) for e in refused.value.errors}
    assert ("kk", "kk_region") in fields
    assert ("members[2].birth_date", "bad_date") in fields
    assert ("members[1].nik", "nik_sex") in fields  # the father's NIK on the mother


def test_the_same_nik_twice_in_one_family_and_a_family_without_a_head_are_refused() -> None:
    values = family()
    values["members"].append(dict(values["members"][2]))
    values["members"][0]["relation"] = "anak"
    with pytest.raises(InvalidInput) as refused:
        rules.HouseholdInput.check(values)
    fields = {(e.field, e.code) for e in refused.value.errors}
    assert fields == {("members[3].nik", "nik_twice"), ("members", "one_head")}


def test_words_as_people_write_them() -> None:
    values = family(damage="Rusak Berat", displaced="ya")
    values["members"][0].update(sex="Laki-laki", relation="Kepala Keluarga")
    values["members"][1].update(sex="perempuan", casualty="MD", birth_date="02/11/1984")
    entry = rules.HouseholdInput.check(values)
    assert (entry.damage, entry.displaced) == ("berat", True)
    assert entry.head.name == "Asep Saepudin"
    assert (entry.members[1].casualty, entry.members[1].birth_date) == (
        "meninggal",
        date(1984, 11, 2),
    )


def test_sealing_round_trips_and_binds_the_field() -> None:
    vault = Vault(KEY)
    sealed = vault.seal("3203111705800011", "nik")
    assert b"3203111705800011" not in sealed
    assert vault.open(sealed, "nik") == "3203111705800011"
    with pytest.raises(InvalidTag):  # a NIK's ciphertext is not a name's
        vault.open(sealed, "name")
    assert vault.index("3203111705800011") == vault.index("3203111705800011")
    assert vault.index("3203111705800011") != Vault(
        "b3RoZXIta2V5LW90aGVyLWtleS1vdGhlci1rZXktMzI="
    ).index("3203111705800011")
    row = vault.seal_row({"nik": "3203111705800011", "desa": "Sarampad"}, ["nik"])
    assert row["desa"] == "Sarampad" and "3203111705800011" not in str(row)
    assert vault.open_row(row, ["nik"])["nik"] == "3203111705800011"


@pytest.mark.parametrize("key", [None, "", "not base64 !!", "c2hvcnQ="])
def test_without_a_usable_key_the_module_refuses_and_says_how(key) -> None:
    with pytest.raises(KeyMissing) as refused:
        Vault(key)
    assert "command-center households key" in str(refused.value)


def test_masks_hide_the_region_and_the_birth_date() -> None:
    assert mask("3204124405801012") == "•••••••••••••012"
    assert mask_name("Siti Nur Aisyah") == "S••• N••• A•••"


def test_a_change_says_what_differs_and_whether_it_decides_payments() -> None:
    before = rules.HouseholdInput.check(family()).model_dump(mode="json")
    entry = family(desa="Sukamulya", payout="BNI 1")
    entry["members"] = entry["members"][:2]
    entry["members"][1]["casualty"] = None
    edit = rules.merged(before, rules.HouseholdInput.check(entry).model_dump(mode="json"), False)
    found = {(c.field, c.nik): c.payment for c in rules.changes(before, edit)}
    mother, child = (m["nik"] for m in before["members"][1:])
    assert found == {
        ("desa", None): False,
        ("payout", None): True,
        ("casualty", mother): True,
        ("members", child): True,
    }
    merge = rules.merged(before, rules.HouseholdInput.check(entry).model_dump(mode="json"), True)
    assert len(merge["members"]) == 3  # a merge keeps the people only the family had
    assert {(c.field, c.nik) for c in rules.changes(before, merge)} == {
        ("desa", None),
        ("payout", None),
        ("casualty", mother),
    }
    assert rules.changes(before, rules.merged(before, before, True)) == []


def test_a_family_holds_at_most_thirty_people() -> None:
    values = family()
    child = values["members"][2]
    values["members"] += [
        {**child, "nik": nik(child["birth_date"], True, 100 + i)} for i in range(28)
    ]
    with pytest.raises(InvalidInput) as refused:  # 31 people: a list of candidates, not a KK
        rules.HouseholdInput.check(values)
    assert [(e.field, e.code) for e in refused.value.errors] == [("members", "too_long")]
    values["members"].pop()
    assert len(rules.HouseholdInput.check(values).members) == 30


def test_a_list_shows_an_age_band_never_a_birth_date() -> None:
    day = date(2026, 12, 7)
    years = (2022, 2020, 2008, 2007, 1966, 1965)  # a day short of 4, 6, 18, 19, 60, 61
    bands = [rules.age_band(date(y, 12, 8), day) for y in years]
    assert bands == ["0-4", "5-17", "5-17", "18-59", "18-59", "60+"]


def _frames():
    families = pd.DataFrame(
        [
            {
                "id": 1,
                "kk_index": "k1",
                "kecamatan_code": "32.03.11",
                "damage": "berat",
                "displaced": True,
            },
            {
                "id": 2,
                "kk_index": "k2",
                "kecamatan_code": "32.03.11",
                "damage": "ringan",
                "displaced": False,
            },
            {
                "id": 3,
                "kk_index": "k3",
                "kecamatan_code": "32.03.01",
                "damage": "terendam",
                "displaced": True,
            },
        ]
    )
    people = pd.DataFrame(
        [
            # household 1: a dead mother, a father, a seriously injured toddler
            (10, 1, "n10", None, date(1980, 5, 17), "kepala_keluarga", False, False),
            (11, 1, "n11", "meninggal", date(1984, 11, 2), "istri", False, False),
            (12, 1, "n12", "luka_berat", date(2024, 1, 30), "anak", False, False),
            # household 2: an elderly man living alone, missing
            (20, 2, "n20", "hilang", date(1940, 1, 1), "kepala_keluarga", False, False),
            # household 3: a pregnant woman and her disabled father
            (30, 3, "n30", None, date(1995, 6, 1), "kepala_keluarga", True, False),
            (31, 3, "n31", None, date(1950, 6, 1), "orang_tua", False, True),
        ],
        columns=[
            "id",
            "household_id",
            "nik_index",
            "casualty",
            "birth_date",
            "relation",
            "pregnant",
            "disabled",
        ],
    )
    return families, people


def test_who_each_programme_owes_and_how_much() -> None:
    families, people = _frames()
    owed = rules.eligible(families, people, rules.programmes(), jadup_days=90)
    table = {(r.programme, r.subject): (r.amount, r.heir_id) for r in owed.itertuples()}
    assert table[("santunan_ahli_waris", "n11")] == (15_000_000, 10)  # paid to the father
    assert table[("santunan_luka_berat", "n12")][0] == 5_000_000
    # jadup: house destroyed, 2 living members (the dead mother not counted), 90 days
    assert table[("jadup", "k1")][0] == 15_000 * 2 * 90
    assert ("jadup", "k2") not in table  # a lightly damaged house
    assert {s for p, s in table if p == "family_kit"} == {"k1", "k3"}  # displaced families
    assert len(owed) == 5


def test_amounts_come_from_settings_when_configured() -> None:
    families, people = _frames()
    owed = rules.eligible(families, people, rules.programmes({"jadup": 10_000}), jadup_days=30)
    assert owed.set_index("programme").loc["jadup", "amount"] == 10_000 * 2 * 30


def test_counts_per_kecamatan_and_against_the_reports() -> None:
    families, people = _frames()
    counted = rules.counts(families, people)
    cugenang = counted.loc["32.03.11"]
    assert (cugenang["families"], cugenang["people"], cugenang["deaths"]) == (2, 4, 1)
    assert (cugenang["missing"], cugenang["injured_severe"], cugenang["houses_heavy"]) == (1, 1, 1)
    assert cugenang["displaced"] == 2  # father and toddler; the dead mother is not displaced
    assert cugenang["toddlers"] == 1 and counted.loc["32.03.01", "elderly"] == 1
    assert counted.loc["32.03.01", "houses_flooded"] == 1
    reported = pd.DataFrame({"deaths": [41], "displaced": [None]}, index=["32.03.11"])
    diff = rules.against_reports(counted, reported).set_index(["kecamatan_code", "figure"])
    assert diff.loc[("32.03.11", "deaths")].tolist() == [1, 41, 40]  # the report is ahead
    assert pd.isna(diff.loc[("32.03.11", "displaced"), "reported"])  # not given: no difference
    assert diff.loc[("32.03.01", "deaths"), "households"] == 0
    assert pd.isna(diff.loc[("32.03.01", "deaths"), "difference"])


def test_payments_move_forward_only() -> None:
    assert rules.next_status(None) == "diusulkan"
    assert rules.next_status("diusulkan") == "diverifikasi"
    assert rules.next_status("diverifikasi") == "disalurkan"
    assert rules.next_status("disalurkan") is None
