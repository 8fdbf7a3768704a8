"""Accounts, roles and scopes, enforced in the stores: every check calls the services directly."""

import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from command_center import accounts, report_store, sitrep_store, store, team_store
from command_center.auth import SYSTEM, Principal
from command_center.errors import Forbidden, InvalidInput
from command_center.models import IncidentStatus, User
from command_center.services.reports import ReportInput
from command_center.services.roster import TeamInput
from command_center.times import utcnow

VIEWER = Principal("Pejabat", "viewer")
OPERATOR = Principal("Operator Pusdalops", "operator")
COORDINATOR = Principal("Koordinator Tagana", "coordinator")
ADMIN = Principal("Admin", "admin")
CIANJUR = Principal("Dinsos Cianjur", "coordinator", "32.03")
CIANJUR_OPERATOR = Principal("Operator Cianjur", "operator", "32.03")


def _team(engine, name="Tagana Kab. Garut (Latihan)"):
    roster = team_store.roster(engine)
    return roster[roster["name"] == name].iloc[0]


def _report(engine, kecamatan="32.03.11") -> ReportInput:
    (incident,) = store.incidents(engine)
    values = {
        "incident_id": incident.id,
        "kecamatan_code": kecamatan,
        "report_time": (utcnow() - timedelta(minutes=1)).isoformat(),
        "reporter": "Petugas",
        "source": "dinsos",
        "deaths": 1,
    }
    return ReportInput.check(values, None)


def _try(action) -> str:
    try:
        action()
    except Forbidden:
        return "forbidden"
    return "ok"


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        (
            VIEWER,
            {
                "team": "forbidden",
                "report": "forbidden",
                "verify": "forbidden",
                "incident": "forbidden",
                "sitrep": "forbidden",
                "users": "forbidden",
            },
        ),
        (
            OPERATOR,
            {
                "team": "forbidden",
                "report": "ok",
                "verify": "ok",
                "incident": "ok",
                "sitrep": "ok",
                "users": "forbidden",
            },
        ),
        (
            COORDINATOR,
            {
                "team": "ok",
                "report": "forbidden",
                "verify": "forbidden",
                "incident": "forbidden",
                "sitrep": "ok",
                "users": "forbidden",
            },
        ),
        (
            ADMIN,
            {
                "team": "ok",
                "report": "ok",
                "verify": "ok",
                "incident": "ok",
                "sitrep": "ok",
                "users": "ok",
            },
        ),
    ],
    ids=lambda v: v.role if isinstance(v, Principal) else "",
)
def test_each_role_may_do_exactly_its_part(demo_engine, who, expected) -> None:
    engine = demo_engine
    team = _team(engine)
    (incident,) = store.incidents(engine)
    versions = report_store.all_versions(engine)
    report_id = int(versions["id"].iloc[0])
    outcome = {
        "team": _try(
            lambda: team_store.change_status(
                engine, team.id, team.version, "unavailable", who, "Libur"
            )
        ),
        "report": _try(lambda: report_store.save_report(engine, _report(engine), who, True)),
        "verify": _try(lambda: report_store.set_verification(engine, report_id, "verified", who)),
        "incident": _try(
            lambda: store.set_incident_status(engine, incident.id, 1, IncidentStatus.OPEN, who)
        ),
        "sitrep": _try(
            lambda: sitrep_store.issue(
                engine, sitrep_store.gather(engine, incident.id), incident.id, who
            )
        ),
        "users": _try(
            lambda: accounts.create_user(engine, who, f"u-{who.role}", "x" * 12, "viewer")
        ),
    }
    assert outcome == expected


def test_a_scoped_coordinator_edits_only_its_kabupaten(demo_engine, geography) -> None:
    cianjur = _team(demo_engine, "Tagana Kab. Cianjur 2 (Latihan)")
    team_store.change_status(
        demo_engine, cianjur.id, cianjur.version, "unavailable", CIANJUR, "Libur"
    )
    garut = _team(demo_engine)
    with pytest.raises(Forbidden) as caught:
        team_store.change_status(demo_engine, garut.id, garut.version, "unavailable", CIANJUR, "x")
    assert (caught.value.permission, caught.value.area_code) == ("team", "32.05")
    entry = TeamInput.check({"name": "Tagana Baru", "home_kecamatan_code": "32.02.01"}, geography)
    with pytest.raises(Forbidden):
        team_store.create_team(demo_engine, entry, CIANJUR)


def test_a_scoped_operator_reports_only_in_its_area_and_imports_are_filtered(
    demo_engine, geography
) -> None:
    report_store.save_report(demo_engine, _report(demo_engine), CIANJUR_OPERATOR, True)
    with pytest.raises(Forbidden):
        report_store.save_report(demo_engine, _report(demo_engine, "32.02.01"), CIANJUR_OPERATOR)
    (incident,) = store.incidents(demo_engine)
    stamp = (utcnow() - timedelta(hours=1)).strftime("%d/%m/%Y %H:%M")
    text = (
        "kode_kecamatan,waktu_laporan,pelapor,sumber,meninggal\n"
        f"32.03.12,{stamp},TKSK Campaka,tksk,1\n"
        f"32.02.01,{stamp},TKSK Sukabumi,tksk,2\n"
    )
    result = report_store.import_reports(
        demo_engine, text.encode(), "x.csv", incident.id, geography, CIANJUR_OPERATOR, 10**6
    )
    assert result.created == 1
    assert [(p.number, p.errors[0].code) for p in result.problems] == [(3, "out_of_scope")]


def test_passwords_are_kept_only_as_argon2_hashes(engine, database_url) -> None:
    accounts.create_user(engine, SYSTEM, "ani", "rahasia-panjang-1", "operator", "32.03", "Ani")
    with Session(engine) as session:
        stored = session.scalar(select(User.password_hash).where(User.username == "ani"))
    assert stored.startswith("$argon2id$") and "rahasia" not in stored
    if database_url.startswith("sqlite"):
        path = database_url.removeprefix("sqlite:///")
        assert b"rahasia-panjang-1" not in open(path, "rb").read()
    assert accounts.authenticate(engine, "ani", "rahasia-panjang-1") == Principal(
        "Ani", "operator", "32.03"
    )
    assert accounts.authenticate(engine, "ani", "salah") is None
    assert accounts.authenticate(engine, "budi", "rahasia-panjang-1") is None
    accounts.set_user(engine, SYSTEM, "ani", active=False)
    assert accounts.authenticate(engine, "ani", "rahasia-panjang-1") is None


def test_bad_accounts_are_refused_by_field(engine) -> None:
    with pytest.raises(InvalidInput) as caught:
        accounts.create_user(engine, SYSTEM, "x", "pendek", "raja", "Jawa Barat")
    assert {e.field for e in caught.value.errors} == {"password", "role", "scope"}
    with pytest.raises(InvalidInput) as caught:
        accounts.create_user(engine, SYSTEM, "y", "cukup-panjang", "viewer", None, "N" * 81)
    assert [e.field for e in caught.value.errors] == ["display_name"]  # the audit log's width
    accounts.create_user(engine, SYSTEM, "x", "cukup-panjang", "viewer")
    with pytest.raises(InvalidInput):
        accounts.create_user(engine, SYSTEM, "x", "cukup-panjang", "viewer")


def test_wall_screen_tokens_work_until_revoked(engine) -> None:
    token = accounts.create_token(engine, SYSTEM, "Layar Pusdalops")
    assert accounts.kiosk_principal(engine, token) == Principal("layar: Layar Pusdalops", "viewer")
    assert accounts.kiosk_principal(engine, token + "x") is None
    (row,) = accounts.tokens(engine)
    assert token not in row.token_hash
    accounts.revoke_token(engine, SYSTEM, row.id)
    assert accounts.kiosk_principal(engine, token) is None


def test_user_add_from_the_command_line(database_url) -> None:
    import os

    env = {**os.environ, "DATABASE_URL": database_url}
    added = subprocess.run(
        [
            sys.executable,
            "-m",
            "command_center.cli",
            "user",
            "add",
            "budi",
            "--role",
            "coordinator",
            "--scope",
            "32.03",
            "--password-stdin",
        ],
        input="kata-sandi-budi\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert added.returncode == 0, added.stderr
    listed = subprocess.run(
        [sys.executable, "-m", "command_center.cli", "user", "list"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert "budi\tcoordinator\t32.03" in listed.stdout
    short = subprocess.run(
        [sys.executable, "-m", "command_center.cli", "user", "add", "cici", "--password-stdin"],
        input="pendek\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert short.returncode == 2 and "password" in short.stderr
