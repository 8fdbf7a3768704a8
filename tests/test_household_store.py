"""Affected households on a real database (SQLite here, PostgreSQL in CI): sealed at rest,
masked in lists, audited when opened or exported, duplicates caught, imports quarantined,
the registry matched by keyed hash, and nobody paid twice."""

from __future__ import annotations

import json
import logging
import threading
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from command_center.base import pdp
from command_center.base.auth import Principal
from command_center.base.errors import DuplicateHousehold, Forbidden, ImportFileError, InvalidInput
from command_center.base.models import AssistancePayment, AuditEntry, Base, Household
from command_center.base.pdp import Vault
from command_center.base.settings import ImportLimits, ProbeLimits
from command_center.base.times import utcnow
from command_center.services.households import HouseholdInput
from command_center.services.reporters import NewLink
from command_center.stores import common as store
from command_center.stores import household_changes as changes
from command_center.stores import households as household_store
from command_center.stores import imports
from command_center.stores import incidents as incident_store
from command_center.stores import reporters as reporter_store
from command_center.stores.incidents import NewIncident
from tests.households import KEY, family, kk, nik

ADMIN = Principal("Admin Pusat", "admin")
PENDATA = Principal("Pendata Cianjur", "pendata", "32.03")
PENDATA_GARUT = Principal("Pendata Garut", "pendata", "32.05")
OPERATOR = Principal("Operator Cianjur", "operator", "32.03")
VERIFIER = Principal("Verifikator Cianjur", "pendata", "32.03")
REPORTER_B = Principal("TKSK Cugenang", "operator", "32.03")
LIMITS = ImportLimits()


@pytest.fixture
def vault() -> Vault:
    return Vault(KEY)


@pytest.fixture
def incident(area_engine: Engine) -> int:
    key = incident_store.open_incident(
        area_engine,
        NewIncident("gempa_bumi", "Gempa Cianjur", ("32.03.11", "32.03.01"), utcnow()),
        ADMIN,
    )
    return next(i.id for i in store.incidents(area_engine) if i.key == key)


def _save(engine, vault, incident, values, actor=OPERATOR, **kwargs) -> household_store.Saved:
    return household_store.save_household(
        engine, vault, incident, HouseholdInput.check(values), actor, **kwargs
    )


def _every_value(engine: Engine) -> str:
    """Every row of every table as text (what a dump of the database would show)."""
    with engine.connect() as conn:
        return "\n".join(
            repr(row)
            for table in Base.metadata.sorted_tables
            for row in conn.execute(table.select())
        )


def test_a_family_is_sealed_at_rest_listed_masked_and_opened_only_with_a_reason(
    area_engine, vault, incident
) -> None:
    values = family()
    household_id = _save(area_engine, vault, incident, values).household_id
    listed = household_store.households(area_engine, incident).set_index("id").loc[household_id]
    assert listed["kk_masked"] == "•" * 13 + values["kk"][-3:]  # no region, no date
    assert listed["head_masked"] == "A••• S•••" and listed["members"] == 3
    people = household_store.members(area_engine, incident)
    assert people["nik_masked"].str.contains("•••••••••").all()
    with pytest.raises(InvalidInput) as no_reason:
        household_store.reveal(area_engine, vault, household_id, PENDATA, "  ")
    assert no_reason.value.errors[0].field == "why"
    opened = household_store.reveal(
        area_engine, vault, household_id, PENDATA, "verifikasi santunan ahli waris"
    )
    assert opened["kk"] == values["kk"] and opened["head"] == "Asep Saepudin"
    assert [m["nik"] for m in opened["members"]] == [m["nik"] for m in values["members"]]
    assert opened["payout"] == values["payout"]
    with Session(area_engine) as session:
        seen = session.scalars(select(AuditEntry).where(AuditEntry.action == "view_pii")).one()
    assert (seen.actor, seen.after) == (
        "Pendata Cianjur",
        {"why": "verifikasi santunan ahli waris"},
    )


@pytest.mark.parametrize(
    "who",
    [OPERATOR, PENDATA_GARUT, Principal("Koordinator", "coordinator"), Principal("x", "viewer")],
)
def test_only_pendata_and_admins_within_scope_see_personal_data(area_engine, vault, incident, who):
    household_id = _save(area_engine, vault, incident, family()).household_id
    with pytest.raises(Forbidden):
        household_store.reveal(area_engine, vault, household_id, who, "ingin tahu saja")
    if who.role == "pendata":  # another kabupaten's data officer: the list holds none of it
        listed = household_store.export_named(
            area_engine, vault, incident, "households", who, "rekap"
        )
        assert "Asep" not in listed.decode() and len(listed.decode().splitlines()) == 2
    else:
        with pytest.raises(Forbidden):
            household_store.export_named(area_engine, vault, incident, "households", who, "rekap")
    assert household_store.reveal(area_engine, vault, household_id, ADMIN, "audit internal")


def test_no_clear_identity_number_or_name_in_the_database_or_any_log(
    area_engine, vault, incident, database_url, caplog
) -> None:
    caplog.set_level(logging.DEBUG)
    logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)  # every statement and value
    try:
        values = family()
        household_id = _save(area_engine, vault, incident, values).household_id
        household_store.reveal(area_engine, vault, household_id, PENDATA, "cek data lapangan")
        moved = family(payout="BANK LAIN 9999-8888", address="Kp. Pasirhuni")
        waiting = _save(area_engine, vault, incident, moved, REPORTER_B)  # waits, sealed
        assert waiting.waiting is not None
        bad = _row(family(serial=2), 0, NIK="3203111705800000")
        bad["Nama Ibu Kandung"] = "Imas Masitoh"  # a column we do not read
        report = household_store.import_households(
            area_engine, vault, _person_csv([bad]), "kk.csv", incident, None, PENDATA, LIMITS
        )
        assert len(report.problems) == 1  # waits in quarantine, sealed whole
    finally:
        logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
    secrets = [values["kk"], "3203111705800000", "Asep Saepudin", "Rawacina", "0123-01-000123"]
    secrets += [m["nik"] for m in values["members"]]
    secrets += ["Imas Masitoh", "170580", "BANK LAIN", "9999-8888", "Pasirhuni"]
    dumped = _every_value(area_engine)
    logged = caplog.text
    assert "INSERT INTO households" in logged  # the statements were logged, with their values
    for secret in secrets:
        assert secret not in dumped, secret
        assert secret not in logged, secret
    if database_url.startswith("sqlite"):
        area_engine.dispose()
        files = Path(database_url.removeprefix("sqlite:///")).parent.glob("store.db*")
        raw = b"".join(f.read_bytes() for f in files)
        for secret in secrets:
            assert secret.encode() not in raw, secret


def test_an_operators_duplicate_waits_unnamed_for_a_data_officer_who_sees_both(
    area_engine, vault, incident
) -> None:
    first = _save(area_engine, vault, incident, family()).household_id
    again = family(desa="Sukamulya")
    again["members"] = [
        *again["members"][:2],
        {
            "nik": nik(date(2019, 8, 9), serial=14),
            "name": "Rizky",
            "sex": "L",
            "birth_date": date(2019, 8, 9),
            "relation": "anak",
        },
    ]
    again["members"][1]["casualty"] = None  # the newer report: the mother was found alive
    saved = _save(area_engine, vault, incident, again, REPORTER_B)
    assert saved.household_id is None and saved.waiting  # nothing named, nothing changed
    assert len(household_store.members(area_engine, incident)) == 3
    with pytest.raises(Forbidden):
        changes.pending(area_engine, REPORTER_B, incident)
    queue = changes.pending(area_engine, PENDATA, incident)
    assert queue[["household_id", "reason"]].values.tolist() == [[first, "duplicate"]]
    assert {"members", "casualty", "desa"} <= set(queue.loc[0, "fields"])
    seen = changes.review(area_engine, vault, saved.waiting, PENDATA)
    assert (seen["before"]["desa"], seen["after"]["desa"]) == ("Sarampad", "Sukamulya")
    differ = [(c.field, c.before, c.after) for c in seen["changes"]]
    assert ("casualty", "meninggal", None) in differ
    assert changes.decide(area_engine, vault, saved.waiting, PENDATA, True, seen["version"])
    people = household_store.members(area_engine, incident)
    assert len(people) == 4  # three before, the son only the second reporter knew
    assert people["casualty"].tolist().count("meninggal") == 0
    assert len(household_store.households(area_engine, incident)) == 1
    assert changes.pending(area_engine, PENDATA, incident).empty


def test_a_data_officers_duplicate_is_named_and_what_it_pays_needs_a_second_person(
    area_engine, vault, incident
) -> None:
    first = _save(area_engine, vault, incident, family()).household_id
    again = family()
    again["members"][1]["casualty"] = None
    with pytest.raises(DuplicateHousehold) as caught:
        _save(area_engine, vault, incident, again, PENDATA)
    assert (caught.value.household_id, caught.value.reason) == (first, "kk")
    assert caught.value.by == "Operator Cianjur"
    merged = _save(area_engine, vault, incident, again, PENDATA, merge_into=first)
    assert merged.household_id == first and merged.waiting  # a casualty: what is paid
    with pytest.raises(InvalidInput) as own:
        changes.decide(area_engine, vault, merged.waiting, PENDATA, True)
    assert own.value.errors[0].code == "four_eyes"
    assert (
        household_store.members(area_engine, incident)["casualty"].tolist().count("meninggal") == 1
    )
    assert changes.decide(area_engine, vault, merged.waiting, ADMIN, True) == "accepted"
    assert "meninggal" not in household_store.members(area_engine, incident)["casualty"].tolist()


def test_a_nik_already_in_another_family_is_named_only_to_those_who_may_open_it(
    area_engine, vault, incident
) -> None:
    first = _save(area_engine, vault, incident, family()).household_id
    other = family(serial=2)
    other["members"][2]["nik"] = family()["members"][2]["nik"]
    with pytest.raises(DuplicateHousehold) as caught:
        _save(area_engine, vault, incident, other, PENDATA)
    assert (caught.value.household_id, caught.value.field) == (first, "members[2].nik")
    waiting = _save(area_engine, vault, incident, other, OPERATOR)
    assert waiting.household_id is None and waiting.waiting
    assert len(household_store.households(area_engine, incident)) == 1


def test_masked_identity_numbers_cannot_be_confirmed_by_guessing(
    area_engine, vault, incident, geography
) -> None:
    """The reproduced attack: the masked list gave all but one digit of a NIK; ten families
    with the candidates confirmed it through the duplicate message. Now the list masks the
    birth date, the message names nobody, a kecamatan outside the incident is refused, and
    the hits are audited and limited."""
    _save(area_engine, vault, incident, family())
    people = household_store.members(area_engine, incident)
    assert all(m == "•" * 13 + m[-3:] for m in people["nik_masked"])
    limits = ProbeLimits(duplicate_hits=3)
    outsider = Principal("Operator Garut", "operator", "32.05")
    garut = family(serial=7, kecamatan="32.05.01")
    with pytest.raises(InvalidInput) as elsewhere:  # Garut is not in the Cianjur incident
        _save(area_engine, vault, incident, garut, outsider)
    assert elsewhere.value.errors[0].field == "kecamatan_code"
    child = family()["members"][2]["nik"]
    outcomes = []
    for serial in range(20, 25):
        guess = family(serial=serial)
        guess["members"][2]["nik"] = child  # the one candidate that is registered
        try:
            outcomes.append(_save(area_engine, vault, incident, guess, OPERATOR, limits=limits))
        except InvalidInput as exc:
            outcomes.append(exc.errors[0].code)
    assert [o if isinstance(o, str) else o.household_id for o in outcomes] == [
        None,
        None,
        None,
        "too_many_duplicates",
        "too_many_duplicates",
    ]
    with Session(area_engine) as session:
        audited = session.scalars(
            select(AuditEntry.action).where(AuditEntry.actor == OPERATOR.name)
        ).all()
    assert audited.count("duplicate") == 3 and audited.count("duplicate_refused") == 2
    assert len(changes.pending(area_engine, PENDATA, incident)) == 3  # for the data officer


def _row(values: dict, i: int, **changes) -> dict:
    person = values["members"][i]
    return {
        "No KK": values["kk"],
        "NIK": person["nik"],
        "Nama Lengkap": person["name"],
        "JK": person["sex"],
        "Tgl Lahir": person["birth_date"].strftime("%d/%m/%Y"),
        "Hubungan": person["relation"],
        "Kode Kecamatan": values["kecamatan_code"],
        "Desa": values["desa"],
        "Alamat": values["address"],
        "Kondisi Rumah": "Rusak Berat",
        "Korban": person.get("casualty") or "",
        **changes,
    }


def _person_csv(rows: list[dict]) -> bytes:
    header = list(rows[0])
    lines = ["DATA KK TERDAMPAK GEMPA CIANJUR", "", ";".join(header)]
    lines += [";".join(str(r[h]) for h in header) for r in rows]
    return "\n".join(lines).encode()


def test_a_spreadsheet_lands_per_family_quarantines_bad_rows_sealed_and_takes_corrections(
    area_engine, vault, incident, geography
) -> None:
    one, two = family(), family(serial=2)
    rows = [_row(one, i) for i in range(3)] + [_row(two, 0), _row(two, 1, NIK="3203114211850099")]
    report = household_store.import_households(
        area_engine, vault, _person_csv(rows), "kk.csv", incident, geography, PENDATA, LIMITS
    )
    assert (report.created, len(report.problems)) == (4, 1)
    problem = report.problems[0]
    assert problem.number == 8 and [e.field for e in problem.errors] == ["nik"]
    assert len(household_store.households(area_engine, incident)) == 2
    held = imports.quarantine(area_engine, "households", PENDATA)
    assert "3203114211850099" not in repr(held[0].data)  # sealed at rest
    with pytest.raises(Forbidden):
        household_store.open_quarantine(area_engine, vault, OPERATOR, "koreksi impor")
    opened = household_store.open_quarantine(area_engine, vault, PENDATA, "koreksi impor")
    assert opened[0]["data"]["nik"] == "3203114211850099"  # in clear for the data officer
    assert household_store.open_quarantine(area_engine, vault, PENDATA_GARUT, "koreksi") == []
    assert held[0].errors[0]["params"]["value"].startswith("pdp:")  # its digits too
    fixed = household_store.resubmit_households(
        area_engine, vault, {held[0].id: {"nik": two["members"][1]["nik"]}}, geography, PENDATA
    )
    # a person more in a registered family changes what it is paid: a second person agrees
    assert (fixed.created, fixed.problems) == (1, ())
    assert [e.code for note in fixed.notes for e in note.errors] == ["change_waiting"]
    waiting = changes.pending(area_engine, PENDATA, incident)
    assert waiting["fields"].tolist() == [["members"]]
    changes.decide(area_engine, vault, int(waiting.loc[0, "id"]), ADMIN, True)
    counted = household_store.counts(area_engine, incident).loc["32.03.11"]
    assert (counted["families"], counted["people"], counted["deaths"]) == (2, 5, 2)
    # the same file again from another reporter: nothing doubles
    again = household_store.import_households(
        area_engine, vault, _person_csv(rows[:3]), "kk2.csv", incident, geography, PENDATA, LIMITS
    )
    assert (again.created, again.updated) == (0, 3)
    assert len(household_store.members(area_engine, incident)) == 5


def test_only_pendata_imports_named_lists(area_engine, vault, incident) -> None:
    data = _person_csv([_row(family(), 0)])
    with pytest.raises(Forbidden):
        household_store.import_households(
            area_engine, vault, data, "kk.csv", incident, None, OPERATOR, LIMITS
        )


def test_the_registry_is_matched_on_keyed_hashes_and_the_rest_proposed(
    area_engine, vault, incident
) -> None:
    known, new = family(), family(serial=2)
    first = _save(area_engine, vault, incident, known).household_id
    second = _save(area_engine, vault, incident, new).household_id
    father = known["members"][0]["nik"]
    extract = "\n".join(
        [
            "NIK|NAMA|FLAG_PKH|FLAG_BPNT|PBI_JK|DESIL",
            f"{father}|ASEP|Y|1|Ya|1",
            "3201010101900001|ORANG LAIN|0|1|0|3",
            "32.01.01 x|RUSAK|0|0|0|",
        ]
    ).encode()
    stored, refused = household_store.import_registry(
        area_engine, vault, extract, "dtsen.csv", PENDATA, LIMITS
    )
    assert (stored, refused) == (2, [4])
    assert father not in _every_value(area_engine)
    matched = household_store.registry_match(area_engine, incident).set_index("household_id")
    assert matched.loc[first, ["in_registry", "pkh", "sembako", "pbi"]].tolist() == [1, 1, 1, 1]
    assert matched.loc[second, "in_registry"] == 0
    usulan = household_store.export_named(
        area_engine, vault, incident, "usulan", PENDATA, "usulan DTSEN desa Sarampad"
    ).decode()
    lines = usulan.splitlines()
    assert lines[0].startswith("# RAHASIA") and "Pendata Cianjur" in lines[0]
    assert "usulan DTSEN desa Sarampad" in lines[0]
    assert lines[1].startswith("NO_KK,NIK,NAMA,JENIS_KELAMIN,TGL_LAHIR")
    assert len(lines) == 2 + 3 and all(new["kk"] in line for line in lines[2:])
    with Session(area_engine) as session:
        exported = session.scalars(select(AuditEntry).where(AuditEntry.action == "export")).one()
    assert exported.after == {"rows": 3, "why": "usulan DTSEN desa Sarampad"}


def test_a_registry_extract_is_read_in_a_child_within_the_import_limits(area_engine, vault) -> None:
    # read by the import's child process: here with less memory than the child already has
    row = f"{nik(date(1980, 5, 17))},1\n"
    small = ImportLimits(parse_memory_bytes=50_000_000)
    with pytest.raises(ImportFileError, match=r"more than 50 MB of memory.*CC_IMPORT_PARSE_MB"):
        household_store.import_registry(
            area_engine, vault, f"NIK,PKH\n{row * 100_000}".encode(), "dtsen.csv", PENDATA, small
        )
    assert household_store.registry_size(area_engine) == 0
    extract = f"NIK,PKH\n{row}".encode()
    stored = household_store.import_registry(area_engine, vault, extract, "x.csv", PENDATA, LIMITS)
    assert stored == (1, [])


def test_payments_are_proposed_once_and_move_on_with_a_reference(area_engine, vault, incident):
    _save(area_engine, vault, incident, family())
    assert household_store.propose_payments(area_engine, incident, PENDATA) == 4
    assert household_store.propose_payments(area_engine, incident, PENDATA) == 0
    paid = household_store.payments(area_engine, incident).set_index("programme")
    santunan = int(paid.loc["santunan_ahli_waris", "id"])
    assert paid.loc["santunan_ahli_waris", "amount"] == 15_000_000
    assert paid.loc["jadup", "amount"] == 15_000 * 2 * 90
    with pytest.raises(Forbidden):
        household_store.advance_payment(area_engine, santunan, OPERATOR)
    with pytest.raises(InvalidInput) as own:  # who proposed it does not verify it
        household_store.advance_payment(area_engine, santunan, PENDATA)
    assert own.value.errors[0].code == "four_eyes"
    assert household_store.advance_payment(area_engine, santunan, VERIFIER) == "diverifikasi"
    with pytest.raises(InvalidInput) as unreferenced:
        household_store.advance_payment(area_engine, santunan, PENDATA)
    assert {e.field for e in unreferenced.value.errors} == {"reference", "paid_on"}
    done = household_store.advance_payment(
        area_engine, santunan, PENDATA, "TRX-BRI-2026-0042", date(2026, 12, 3)
    )
    assert done == "disalurkan"
    with pytest.raises(InvalidInput) as twice:
        household_store.advance_payment(area_engine, santunan, PENDATA, "TRX-2", date(2026, 12, 4))
    assert twice.value.errors[0].code == "paid_twice"
    payments = household_store.export_named(
        area_engine, vault, incident, "payments", PENDATA, "daftar penyaluran santunan"
    ).decode()
    assert "Asep Saepudin" in payments and "TRX-BRI-2026-0042" in payments  # paid to the heir


def test_a_reporter_link_cannot_redirect_a_familys_aid(area_engine, vault, incident, geography):
    """The reproduced attack: a link holder sent the KK of a family a Dinsos officer had
    registered, with a new address and payout. The family is unchanged until a data officer
    accepts the change; a verified payment keeps its account until then and is verified
    again after; both accounts are on record, sealed."""
    official = family()
    household_id = _save(area_engine, vault, incident, official, PENDATA).household_id
    household_store.propose_payments(area_engine, incident, PENDATA)
    paid = household_store.payments(area_engine, incident).set_index("programme")
    jadup = int(paid.loc["jadup", "id"])
    household_store.advance_payment(area_engine, jadup, VERIFIER)
    link = NewLink.check({"name": "Ujang", "role": "tksk", "kecamatan": "32.03.11"}, geography)
    _, token = reporter_store.create_link(area_engine, ADMIN, link)
    forged = HouseholdInput.check(
        family(address="Kp. Baru", payout="BANK LAIN 9999-0000-1111"), geography
    )
    saved = reporter_store.save_field_household(area_engine, vault, token, incident, forged)
    assert saved.household_id is None and saved.waiting  # the family is not even named
    why = "cek rekening penerima"
    clear = household_store.reveal(area_engine, vault, household_id, PENDATA, why)
    assert clear["payout"] == official["payout"]
    listed = household_store.export_named(area_engine, vault, incident, "payments", ADMIN, why)
    assert "BANK LAIN" not in listed.decode()
    with pytest.raises(Forbidden):
        changes.review(area_engine, vault, saved.waiting, OPERATOR)
    seen = changes.review(area_engine, vault, saved.waiting, PENDATA)
    assert (seen["reason"], seen["household_id"]) == ("duplicate", household_id)
    assert ("payout", official["payout"], "BANK LAIN 9999-0000-1111") in [
        (c.field, c.before, c.after) for c in seen["changes"]
    ]
    assert changes.decide(area_engine, vault, saved.waiting, PENDATA, True, seen["version"])
    assert household_store.reveal(area_engine, vault, household_id, PENDATA, why)["payout"] == (
        "BANK LAIN 9999-0000-1111"
    )
    statuses = household_store.payments(area_engine, incident).set_index("id")["status"]
    assert statuses[jadup] == "diusulkan"  # verified with the old account: verify again
    with Session(area_engine) as session:
        accepted = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "accept_change")
        ).one()
    sides = [
        json.loads(vault.open_row(side, ["household"])["household"])
        for side in (accepted.before, accepted.after)
    ]
    assert [side["payout"] for side in sides] == [official["payout"], "BANK LAIN 9999-0000-1111"]


def test_a_payout_changed_by_one_account_waits_for_a_second(area_engine, vault, incident):
    saved = _save(area_engine, vault, incident, family(), PENDATA)
    edit = family(payout="BRI 0123-01-000999-50-1", desa="Sarampad Girang")
    with Session(area_engine) as session:
        version = session.get(Household, saved.household_id).version
    waiting = _save(
        area_engine,
        vault,
        incident,
        edit,
        PENDATA,
        household_id=saved.household_id,
        version=version,
    )
    assert waiting.waiting
    assert household_store.households(area_engine, incident).loc[0, "desa"] == "Sarampad"
    with pytest.raises(InvalidInput):
        changes.decide(area_engine, vault, waiting.waiting, PENDATA, True)
    assert changes.decide(area_engine, vault, waiting.waiting, ADMIN, False, note="salah ketik")
    assert changes.pending(area_engine, ADMIN, incident).empty
    small = family(desa="Sarampad Girang")  # nothing that is paid: at once
    _save(area_engine, vault, incident, small, OPERATOR, household_id=saved.household_id)
    assert household_store.households(area_engine, incident).loc[0, "desa"] == "Sarampad Girang"


def test_the_database_itself_refuses_a_second_payment_for_the_same_person(
    area_engine, vault, incident
) -> None:
    _save(area_engine, vault, incident, family())
    household_store.propose_payments(area_engine, incident, PENDATA)
    with Session(area_engine) as session:
        first = session.scalars(select(AssistancePayment)).first()
        twin = AssistancePayment(
            incident_id=first.incident_id,
            programme=first.programme,
            subject=first.subject,
            amount=first.amount,
            status="diusulkan",
            proposed_by="x",
        )
        session.add(twin)
        with pytest.raises(IntegrityError):
            session.commit()


def test_two_clerks_proposing_at_once_never_double_a_payment(area_engine, vault, incident):
    for serial in range(1, 6):
        _save(area_engine, vault, incident, family(serial=serial))
    barrier = threading.Barrier(2)
    results: list[int] = []

    def propose() -> None:
        barrier.wait()
        results.append(household_store.propose_payments(area_engine, incident, PENDATA))

    threads = [threading.Thread(target=propose) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results)[-1] + sorted(results)[0] == 20
    with area_engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM assistance_payments")) == 20


def test_a_family_outside_the_operators_area_is_refused(area_engine, vault, incident) -> None:
    garut = family(kecamatan="32.05.01", kk=kk(kecamatan="320501"))
    for person in garut["members"]:
        person["nik"] = "320501" + person["nik"][6:]
    with pytest.raises(Forbidden):
        _save(area_engine, vault, incident, garut)


def test_a_reporter_link_registers_families_of_its_kecamatan_only(
    area_engine, vault, incident, geography
) -> None:
    link = NewLink.check(
        {"name": "Siti (TKSK)", "role": "tksk", "kecamatan": "32.03.11"}, geography
    )
    link_id, token = reporter_store.create_link(area_engine, ADMIN, link)
    entry = HouseholdInput.check(family())
    first = reporter_store.save_field_household(area_engine, vault, token, incident, entry)
    again = reporter_store.save_field_household(area_engine, vault, token, incident, entry)
    assert again == first  # the same KK later: the newer entry, not a second family
    elsewhere = family(serial=3, kecamatan="32.03.01")
    for person in elsewhere["members"]:
        person["nik"] = "320301" + person["nik"][6:]
    with pytest.raises(Forbidden):
        reporter_store.save_field_household(
            area_engine, vault, token, incident, HouseholdInput.check(elsewhere)
        )
    reporter_store.revoke_link(area_engine, ADMIN, link_id)
    with pytest.raises(Forbidden):
        reporter_store.save_field_household(area_engine, vault, token, incident, entry)
    assert len(household_store.households(area_engine, incident)) == 1


def test_another_key_is_refused_and_a_rotation_seals_everything_again(
    area_engine, vault, incident
) -> None:
    first = _save(area_engine, vault, incident, family(), PENDATA).household_id
    moved = family(payout="BNI 0987654321")
    assert _save(area_engine, vault, incident, moved, OPERATOR, household_id=first).waiting
    household_store.propose_payments(area_engine, incident, PENDATA)
    bad = _person_csv([_row(family(serial=2), 0, NIK="3203111705800000")])
    household_store.import_households(
        area_engine, vault, bad, "kk.csv", incident, None, PENDATA, LIMITS
    )
    father = family()["members"][0]["nik"]
    extract = f"NIK\n{father}".encode()
    household_store.import_registry(area_engine, vault, extract, "r.csv", ADMIN, LIMITS)
    new_key = pdp.new_key()
    other = Vault(new_key)
    with pytest.raises(pdp.KeyMissing) as refused:  # a process started with another key
        _save(area_engine, other, incident, family(serial=3), PENDATA)
    assert vault.check_value in str(refused.value) and other.check_value in str(refused.value)
    with pytest.raises(pdp.KeyMissing):
        pdp.open_vault(area_engine, new_key)
    assert len(household_store.households(area_engine, incident)) == 1

    counted = household_store.rotate_key(area_engine, vault, other, ADMIN)
    assert counted | {"audit": 0} == {
        "households": 1,
        "members": 3,
        "payments": 4,
        "changes": 1,
        "quarantine": 1,
        "audit": 0,
        "registry_dropped": 1,
    }
    assert store.verify_audit(area_engine).intact  # resealed entries chained anew
    with pytest.raises(pdp.KeyMissing):
        household_store.reveal(area_engine, vault, first, PENDATA, "dengan kunci lama")
    assert pdp.open_vault(area_engine, new_key).check_value == other.check_value
    clear = household_store.reveal(area_engine, other, first, PENDATA, "setelah rotasi kunci")
    assert clear["kk"] == family()["kk"] and clear["payout"] == family()["payout"]
    assert household_store.propose_payments(area_engine, incident, PENDATA) == 0  # same subjects
    with pytest.raises(DuplicateHousehold):  # the KK is still found by its new keyed hash
        _save(area_engine, other, incident, family(), PENDATA)
    held = household_store.open_quarantine(area_engine, other, PENDATA, "koreksi impor")
    assert held[0]["data"]["nik"] == "3203111705800000"
    waiting = changes.pending(area_engine, ADMIN, incident)
    seen = changes.review(area_engine, other, int(waiting.loc[0, "id"]), ADMIN)
    assert seen["after"]["payout"] == "BNI 0987654321"
    with Session(area_engine) as session:
        created = session.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "create", AuditEntry.entity == "household"
            )
        ).one()
    assert (
        json.loads(other.open_row(created.after, ["household"])["household"])["kk"]
        == (family()["kk"])
    )
    with pytest.raises(Forbidden):
        household_store.rotate_key(area_engine, other, vault, PENDATA)  # a scoped officer
