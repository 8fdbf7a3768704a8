"""Accounts, roles and scopes, enforced in the stores: every check calls the services directly."""

from datetime import timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from command_center.base.auth import SYSTEM, Principal, within
from command_center.base.db import make_engine, migrate
from command_center.base.errors import Forbidden, InvalidInput, SignInRefused
from command_center.base.models import Incident, IncidentStatus, SignInFailure, User, UserSession
from command_center.base.settings import ImportLimits, SignInLimits
from command_center.base.times import utcnow
from command_center.services.reports import ReportInput
from command_center.services.roster import TeamInput
from command_center.stores import accounts
from command_center.stores import common as store
from command_center.stores import reports as report_store
from command_center.stores import sitreps as sitrep_store
from command_center.stores import teams as team_store
from command_center.ui.messages import explain
from tests.commands import command

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
                "incident": "ok",  # operators and above open and decide incidents
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


def test_a_refusal_names_the_area_not_only_its_code(app_env) -> None:
    said = explain(Forbidden("Koordinator Cianjur", "team", "32.05"), "id")
    assert said.endswith(" di Kabupaten Garut (32.05).")
    assert explain(Forbidden("X", "team", "?"), "id").endswith(" di ?.")


def test_pick_lists_offer_only_the_areas_inside_the_user_s_scope() -> None:
    options = {
        "32": "Jawa Barat",
        "32.03": "Kabupaten Cianjur",
        "32.04": "Kabupaten Bandung",
        "32.04.12": "Dayeuhkolot",
        "32.040": "not a child of 32.04",
        "32.73.01": "Sukasari",
        "32.03.11": "Cugenang",
    }
    bandung = Principal("Koordinator Bandung", "coordinator", "32.04")
    assert within(bandung, options) == {"32.04": "Kabupaten Bandung", "32.04.12": "Dayeuhkolot"}
    assert list(within(Principal("Dinsos Jabar", "operator", "32"), options)) == [
        "32",
        "32.03",
        "32.04",
        "32.04.12",
        "32.040",
        "32.73.01",
        "32.03.11",
    ]
    assert within(Principal("Pusat", "coordinator"), options) == options  # unscoped: all
    assert within(bandung, {}) == {}


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
        demo_engine,
        text.encode(),
        "x.csv",
        incident.id,
        geography,
        CIANJUR_OPERATOR,
        ImportLimits(),
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
        "Ani", "operator", "32.03", username="ani"
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
    assert accounts.kiosk_principal(engine, token) == Principal(
        "layar: Layar Pusdalops", "viewer", kiosk=True
    )
    assert accounts.kiosk_principal(engine, token + "x") is None
    (row,) = accounts.tokens(engine, SYSTEM)
    assert token not in row.token_hash
    accounts.revoke_token(engine, SYSTEM, row.id)
    assert accounts.kiosk_principal(engine, token) is None


def test_user_add_from_the_command_line(database_url) -> None:
    added = command(
        *("user", "add", "budi", "--role", "coordinator", "--scope", "32.03", "--password-stdin"),
        stdin="kata-sandi-budi\n",
        DATABASE_URL=database_url,
    )
    assert added.returncode == 0, added.stderr
    listed = command("user", "list", DATABASE_URL=database_url)
    assert "budi\tcoordinator\t32.03" in listed.stdout
    short = command(
        "user", "add", "cici", "--password-stdin", stdin="pendek\n", DATABASE_URL=database_url
    )
    assert short.returncode == 2 and "Password: too short" in short.stderr


EAST_JAVA_ADMIN = Principal("Admin Jatim", "admin", "35", username="admin-jatim")


def test_a_scoped_admin_manages_only_accounts_and_tokens_inside_its_scope(demo_engine) -> None:
    engine = demo_engine
    accounts.create_user(engine, SYSTEM, "viewer-jabar", "kata-sandi-1", "viewer", "32")
    accounts.create_user(engine, SYSTEM, "op-malang", "kata-sandi-1", "operator", "35.07")
    refused = {
        "unscoped admin": lambda: accounts.create_user(
            engine, EAST_JAVA_ADMIN, "x", "kata-sandi-1", "admin", None
        ),
        "account in 32": lambda: accounts.create_user(
            engine, EAST_JAVA_ADMIN, "y", "kata-sandi-1", "operator", "32.03"
        ),
        "promote 32's viewer": lambda: accounts.set_user(
            engine, EAST_JAVA_ADMIN, "viewer-jabar", role="admin"
        ),
        "move its own user out": lambda: accounts.set_user(
            engine, EAST_JAVA_ADMIN, "op-malang", scope=None
        ),
        "national token": lambda: accounts.create_token(engine, EAST_JAVA_ADMIN, "x", None),
        "token for Cianjur's incident": lambda: accounts.create_token(
            engine, EAST_JAVA_ADMIN, "x", incident_id=store.incidents(engine)[0].id
        ),
    }
    for what, action in refused.items():
        with pytest.raises(Forbidden):
            action()
        assert what  # (named for the failure message)
    with Session(engine) as session:
        roles = dict(session.execute(select(User.username, User.role)).all())
    assert roles == {"viewer-jabar": "viewer", "op-malang": "operator"}  # nothing changed
    accounts.create_user(engine, EAST_JAVA_ADMIN, "op-sby", "kata-sandi-1", "operator", "35.78")
    accounts.set_user(engine, EAST_JAVA_ADMIN, "op-malang", role="coordinator", scope="35")
    token = accounts.create_token(engine, EAST_JAVA_ADMIN, "Layar Jatim")  # its own scope
    assert accounts.kiosk_principal(engine, token).scope == "35"
    with pytest.raises(InvalidInput):
        accounts.create_token(engine, SYSTEM, "x", "Jawa Barat dan sekitarnya")
    national = accounts.create_token(engine, SYSTEM, "Layar nasional", None)
    national_id = next(r.id for r in accounts.tokens(engine, SYSTEM) if r.scope is None)
    with pytest.raises(Forbidden):
        accounts.revoke_token(engine, EAST_JAVA_ADMIN, national_id)
    assert accounts.kiosk_principal(engine, national) is not None
    seen = {u.username for u in accounts.users(engine, EAST_JAVA_ADMIN)}
    assert seen == {"op-malang", "op-sby"}
    assert [r.label for r in accounts.tokens(engine, EAST_JAVA_ADMIN)] == ["Layar Jatim"]


def test_a_record_whose_area_is_unknown_is_for_unscoped_users_only(demo_engine) -> None:
    (incident,) = store.incidents(demo_engine)
    with Session(demo_engine) as session, session.begin():
        session.get(Incident, incident.id).kabupaten_code = None  # a proposal with no kecamatan
    facts = sitrep_store.gather(demo_engine, incident.id)
    for scoped in (
        Principal("Operator Jatim", "operator", "35"),
        Principal("Operator Jayapura", "operator", "94.01"),
    ):
        with pytest.raises(Forbidden):
            store.set_incident_status(demo_engine, incident.id, 2, IncidentStatus.CLOSED, scoped)
        with pytest.raises(Forbidden):
            sitrep_store.issue(demo_engine, facts, incident.id, scoped)
    assert sitrep_store.issued(demo_engine, incident.id) == []
    sitrep_store.issue(demo_engine, facts, incident.id, OPERATOR)  # unscoped: allowed


def _later(engine, seconds: float) -> None:
    """As if `seconds` had passed since every failed sign-in recorded so far."""
    with Session(engine) as session, session.begin():
        for row in session.scalars(select(SignInFailure)):
            row.at -= timedelta(seconds=seconds)


def _waits(engine, username: str, password: str, client: str, limits: SignInLimits) -> int:
    """The seconds a sign-in is told to wait (it must be refused)."""
    with pytest.raises(SignInRefused) as refused:
        accounts.authenticate(engine, username, password, client, limits)
    return refused.value.seconds


def test_guessing_a_username_makes_it_wait_longer_each_time_and_never_locks_it(engine) -> None:
    accounts.create_user(engine, SYSTEM, "ani", "rahasia-panjang-1", "operator", "32.03")
    token = accounts.open_session(engine, "ani", 12)  # signed in before the guessing
    limits = SignInLimits(per_user=3, per_client=100, wait_s=10, user_max_wait_s=40)
    names = ("ani", "bukan-akun")  # an account, and a name that is none
    seen = {name: [] for name in names}
    for name in names:
        for n in range(3):  # from three places: a username waits wherever the guesses come from
            guess = accounts.authenticate(engine, name, f"tebakan-{n}", f"10.0.0.{n}", limits)
            assert guess is None
        seen[name].append(_waits(engine, name, "rahasia-panjang-1", "10.0.0.9", limits))
        for _ in range(3):  # each further failure after the wait doubles it, up to the cap
            _later(engine, seen[name][-1])
            assert accounts.authenticate(engine, name, "tebakan", "10.0.0.1", limits) is None
            seen[name].append(_waits(engine, name, "rahasia-panjang-1", "10.0.0.9", limits))
        _later(engine, 40)
    assert seen["ani"] == seen["bukan-akun"] == [10, 20, 40, 40]
    assert accounts.session_principal(engine, token).username == "ani"  # never thrown out
    assert accounts.authenticate(engine, "ani", "rahasia-panjang-1", "10.0.0.9", limits)
    for name in names:  # the owner signed in; the guesser's own waits do not show it
        assert accounts.authenticate(engine, name, "tebakan", "10.0.0.1", limits) is None
        seen[name].append(_waits(engine, name, "tebakan", "10.0.0.1", limits))
    assert seen["ani"] == seen["bukan-akun"]
    audit = store.audit_entries(engine, 100)
    failed, locks = audit[audit["action"] == "failed"], audit[audit["action"] == "lock"]
    assert sorted(e["username"] for e in failed["after"]) == ["ani"] * 7 + ["bukan-akun"] * 7
    began = [
        (e["entity"], e["after"]["username"], e["after"]["wait_s"])
        for e in locks.to_dict("records")
    ]
    assert began == [("user", "bukan-akun", 10), ("user", "ani", 10)]  # once each (newest first)


def test_one_client_guessing_many_usernames_waits_longer_each_time(engine) -> None:
    accounts.create_user(engine, SYSTEM, "budi", "rahasia-panjang-2", "viewer")
    limits = SignInLimits(per_user=100, per_client=4, wait_s=10, client_max_wait_s=30)
    for _ in range(3):  # an office's typos, forgotten once their owner signs in from there
        assert accounts.authenticate(engine, "budi", "salah", "10.9.9.9", limits) is None
    assert accounts.authenticate(engine, "budi", "rahasia-panjang-2", "10.9.9.9", limits)
    for n in range(4):
        assert accounts.authenticate(engine, f"user{n}", "x", "10.9.9.9", limits) is None
    assert _waits(engine, "budi", "rahasia-panjang-2", "10.9.9.9", limits) == 10
    assert accounts.authenticate(engine, "budi", "rahasia-panjang-2", "10.1.1.1", limits)
    _later(engine, 10)
    # signing in to one's own account from there forgets nothing of the guesses at others
    assert accounts.authenticate(engine, "budi", "rahasia-panjang-2", "10.9.9.9", limits)
    assert accounts.authenticate(engine, "user5", "x", "10.9.9.9", limits) is None
    assert _waits(engine, "user6", "x", "10.9.9.9", limits) == 20
    _later(engine, 20)
    assert accounts.authenticate(engine, "user6", "x", "10.9.9.9", limits) is None
    assert _waits(engine, "user7", "x", "10.9.9.9", limits) == 30  # the client's cap
    _later(engine, 24 * 3600)  # a day later the failures no longer count
    assert accounts.authenticate(engine, "user8", "x", "10.9.9.9", limits) is None
    audit = store.audit_entries(engine, 100)
    [lock] = audit[audit["action"] == "lock"].to_dict("records")
    began = (lock["entity"], lock["entity_id"], lock["after"]["wait_s"])
    assert began == ("client", "10.9.9.9", 10)


def test_an_admin_s_unlock_lets_a_waiting_username_try_at_once(engine) -> None:
    accounts.create_user(engine, SYSTEM, "ani", "rahasia-panjang-1", "operator", "32.03")
    limits = SignInLimits(per_user=2, wait_s=600, user_max_wait_s=600)
    for _ in range(2):
        accounts.authenticate(engine, "ani", "tebakan", "10.0.0.1", limits)
    assert _waits(engine, "ani", "rahasia-panjang-1", "10.0.0.2", limits) == 600
    accounts.set_user(engine, ADMIN, "ani", unlock=True)
    assert accounts.authenticate(engine, "ani", "rahasia-panjang-1", "10.0.0.2", limits)
    unlocked = store.audit_entries(engine, 10).iloc[0]
    assert (unlocked["action"], unlocked["after"]["unlocked"]) == ("edit", True)


def test_an_account_locked_by_the_old_rule_signs_in_after_the_upgrade(empty_database_url) -> None:
    engine = make_engine(empty_database_url)
    migrate(engine, "0017")
    with engine.begin() as conn:  # ten failures in a row locked it until an admin unlocked it
        conn.execute(
            text(
                "INSERT INTO users (username, display_name, password_hash, role, active, "
                "created_at, failed_sign_ins, locked_at, must_change_password) VALUES ('ani', "
                "'Ani', :hash, 'operator', true, :t, 10, :t, false)"
            ),
            {"hash": accounts.HASHER.hash("rahasia-panjang-1"), "t": utcnow()},
        )
    migrate(engine)
    assert accounts.authenticate(engine, "ani", "rahasia-panjang-1").username == "ani"
    engine.dispose()


def test_a_password_set_by_someone_else_must_be_changed(engine) -> None:
    accounts.create_user(engine, SYSTEM, "citra", "rahasia-panjang-3", "viewer")
    accounts.set_user(engine, ADMIN, "citra", password="sementara-123")
    assert accounts.must_change_password(engine, "citra")
    with pytest.raises(InvalidInput):
        accounts.change_own_password(engine, "citra", "salah-sekali", "baru-panjang-1")
    with pytest.raises(InvalidInput):
        accounts.change_own_password(engine, "citra", "sementara-123", "sementara-123")
    accounts.change_own_password(engine, "citra", "sementara-123", "baru-panjang-1")
    assert not accounts.must_change_password(engine, "citra")
    assert accounts.authenticate(engine, "citra", "baru-panjang-1")


def test_changing_one_s_own_password_ends_one_s_other_sessions(engine) -> None:
    accounts.create_user(engine, SYSTEM, "citra", "rahasia-panjang-3", "viewer")
    here, elsewhere = (accounts.open_session(engine, "citra", 12) for _ in range(2))
    accounts.change_own_password(engine, "citra", "rahasia-panjang-3", "baru-panjang-1", here)
    assert accounts.session_principal(engine, elsewhere) is None  # whoever had the old one
    assert accounts.session_principal(engine, here).username == "citra"  # the one changing it
    changed = store.audit_entries(engine, 10).iloc[0]
    assert (changed["action"], changed["after"]) == ("password", {"sessions_ended": 1})


def test_oidc_roles_come_from_the_account_or_checked_claims(engine) -> None:
    accounts.create_user(engine, SYSTEM, "ani@dinsos.go.id", None, "operator", "32.03", "Ani")
    claims = {"email": "ani@dinsos.go.id", "cc_role": "coordinator", "cc_scope": "32.05"}
    from_account = accounts.oidc_principal(engine, claims)
    assert (from_account.role, from_account.scope) == ("operator", "32.03")
    from_claims = accounts.oidc_principal(engine, claims, "cc_role", "cc_scope")
    assert (from_claims.role, from_claims.scope, from_claims.name) == (
        "coordinator",
        "32.05",
        "Ani",
    )
    for bad in (
        {"cc_role": "raja"},
        {"cc_role": "admin", "cc_scope": "Jawa Barat"},
        {"cc_role": None},
    ):
        assert accounts.oidc_principal(engine, {**claims, **bad}, "cc_role", "cc_scope") is None
    assert accounts.oidc_principal(engine, {**claims, "email": "x@y.id"}, "cc_role") is None


def test_a_session_lasts_its_hours_and_ends_on_sign_out_or_a_change(engine) -> None:
    accounts.create_user(engine, SYSTEM, "ani", "kata-sandi-1", "operator", "32")
    token = accounts.open_session(engine, "ani", 12, "10.0.0.7", "Firefox")
    assert accounts.session_principal(engine, token).role == "operator"
    assert accounts.session_principal(engine, token + "x") is None
    second = accounts.open_session(engine, "ani", 12)  # another browser
    accounts.end_session(engine, token)  # signing out ends this one only
    assert accounts.session_principal(engine, token) is None
    assert accounts.session_principal(engine, second) is not None
    accounts.set_user(engine, SYSTEM, "ani", scope="32.03")  # a change signs out everywhere
    assert accounts.session_principal(engine, second) is None
    short = accounts.open_session(engine, "ani", 12)
    with Session(engine) as session, session.begin():  # twelve hours later
        for row in session.scalars(select(UserSession)):
            row.expires_at = utcnow() - timedelta(seconds=1)
    assert accounts.session_principal(engine, short) is None
    with Session(engine) as session:
        stored = session.scalars(select(UserSession.token_hash)).all()
    assert token not in stored and accounts.digest(token) in stored  # only hashes are kept


def test_users_end_their_own_sessions_and_admins_those_in_their_scope(engine) -> None:
    accounts.create_user(engine, SYSTEM, "ani", "kata-sandi-1", "operator", "32.03")
    accounts.create_user(engine, SYSTEM, "budi", "kata-sandi-2", "operator", "33")
    accounts.create_user(engine, SYSTEM, "jabar", "kata-sandi-3", "admin", "32")
    ani, budi = (
        accounts.session_principal(engine, accounts.open_session(engine, u, 12))
        for u in ("ani", "budi")
    )
    jabar = accounts.principal_for(engine, "jabar")
    [own] = accounts.open_sessions(engine, ani)
    with pytest.raises(Forbidden):
        accounts.open_sessions(engine, ani, "budi")
    with pytest.raises(Forbidden):
        accounts.revoke_session(engine, jabar, accounts.open_sessions(engine, budi)[0]["id"])
    accounts.revoke_session(engine, jabar, own["id"])  # ani is in the admin's province
    assert accounts.open_sessions(engine, ani) == []
    assert len(accounts.open_sessions(engine, budi)) == 1
    [entry] = [
        e
        for e in store.audit_entries(engine, 50).to_dict("records")
        if e["entity"] == "user_session"
    ]
    assert entry["actor"] == "jabar" and entry["after"]["username"] == "ani"
