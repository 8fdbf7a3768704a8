"""Every write path and the permission and scope it checks: `docs/permissions.md` is checked
against the code here (read from its syntax tree), so the table cannot drift. A write path is a
public function of the package that opens a write transaction, itself or through a helper; its
checks are the `require`/`require_in`/`in_scope` calls it makes, itself or through a helper.
Each row of the table names the test that proves the check."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from command_center.base import pdp
from command_center.base.auth import ROLES, SYSTEM, Principal, permits
from command_center.base.errors import Forbidden
from command_center.base.models import Base, IncidentStatus, QuarantinedRow
from command_center.base.pdp import Vault
from command_center.base.settings import PROJECT_ROOT, ImportLimits
from command_center.base.times import utcnow
from command_center.services.households import HouseholdInput
from command_center.services.logistics import (
    KitchenInput,
    MealsInput,
    ShelterInput,
    StockLine,
    WarehouseInput,
)
from command_center.services.reporters import NewLink
from command_center.services.reports import ReportInput
from command_center.services.roster import TeamInput
from command_center.sources.odk import Submission
from command_center.stores import accounts, imports
from command_center.stores import alerts as alert_store
from command_center.stores import common as store
from command_center.stores import forms as form_store
from command_center.stores import household_changes as household_change_store
from command_center.stores import households as household_store
from command_center.stores import incidents as incident_store
from command_center.stores import logistics as logistics_store
from command_center.stores import reporters as reporter_store
from command_center.stores import reports as report_store
from command_center.stores import sitreps as sitrep_store
from command_center.stores import teams as team_store
from command_center.stores.alerts import SubscriptionInput
from command_center.stores.incidents import NewIncident
from command_center.stores.logistics import DispatchRequest, Line
from tests.households import KEY, family

PACKAGE = PROJECT_ROOT / "command_center"
TABLE = PROJECT_ROOT / "docs" / "permissions.md"
CHECKS = {"require", "require_in", "in_scope"}
# the stores and services; adapters and the CLI only pass the caller's principal on to them
SKIPPED = {"ui", "migrations", "adapters", "cli.py", "health_server.py"}


def _functions() -> dict[str, tuple[str, ast.FunctionDef]]:
    """Every function of the stores and services, as `module.f` or `module.Class.f`, with the
    module it is in."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if SKIPPED & set(path.relative_to(PACKAGE).parts):
            continue
        module = ".".join(path.relative_to(PROJECT_ROOT).with_suffix("").parts)
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.FunctionDef):
                found[f"{module}.{node.name}"] = module, node
            elif isinstance(node, ast.ClassDef):
                for item in node.body:
                    if isinstance(item, ast.FunctionDef):
                        found[f"{module}.{node.name}.{item.name}"] = module, item
    return found


@cache
def _modules_in(module: str) -> dict[str, str]:
    """The package's modules `module` imports, by the name it uses for each: `incident_store`
    for `from command_center.stores import incidents as incident_store`."""
    path = PROJECT_ROOT / f"{module.replace('.', '/')}.py"
    named = {}
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("command_center"):
            named |= {a.asname or a.name: f"{node.module}.{a.name}" for a in node.names}
        elif isinstance(node, ast.Import):
            named |= {a.asname: a.name for a in node.names if a.asname}
    return named


def _reached(node: ast.AST, module: str, names: dict[str, tuple[str, ast.FunctionDef]]) -> set[str]:
    """The package functions `node` calls or hands on (a writer passed to `run_import`): a
    name in its module, `mod.f` in another, and every method of a class it builds."""
    reached = set()
    for item in ast.walk(node):
        if isinstance(item, ast.Name):
            name = f"{module}.{item.id}"
        elif isinstance(item, ast.Attribute) and isinstance(item.value, ast.Name):
            imported = _modules_in(module).get(item.value.id, f"command_center.{item.value.id}")
            name = f"{imported}.{item.attr}"
        else:
            continue
        reached |= {n for n in names if n == name or n.startswith(name + ".")}
    return reached


def write_paths() -> dict[str, str]:
    """Each public function that writes, with the checks it makes (sorted, `; `-joined)."""
    names = _functions()
    direct: dict[str, set[str]] = {}
    writes: dict[str, bool] = {}
    calls: dict[str, set[str]] = {}
    for qualified, (module, node) in names.items():
        direct[qualified], writes[qualified] = set(), False
        for call in (n for n in ast.walk(node) if isinstance(n, ast.Call)):
            func = call.func
            if isinstance(func, ast.Name) and func.id in CHECKS:
                direct[qualified].add(f"{func.id}({', '.join(map(ast.unparse, call.args[1:]))})")
            if (isinstance(func, ast.Name) and func.id == "writing") or (
                isinstance(func, ast.Attribute) and func.attr == "begin"
            ):
                writes[qualified] = True
        calls[qualified] = _reached(node, module, names) - {qualified}

    def reach(name: str, seen: frozenset = frozenset()) -> tuple[bool, set[str]]:
        wrote, checks = writes[name], set(direct[name])
        for callee in calls[name] - seen:
            more_wrote, more = reach(callee, seen | {name})
            wrote, checks = wrote or more_wrote, checks | more
        return wrote, checks

    paths = {}
    for name, (module, node) in names.items():
        if name == f"{module}.{node.name}" and not node.name.startswith("_"):
            wrote, checks = reach(name)
            if wrote:
                paths[name.removeprefix("command_center.")] = "; ".join(sorted(checks)) or "—"
    return paths


def _table() -> dict[str, tuple[str, str]]:
    rows = {}
    for line in TABLE.read_text().splitlines():
        cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0] not in ("write path", "---"):
            rows[cells[0]] = (cells[1], cells[3])
    return rows


def test_the_table_lists_every_write_path_with_the_checks_it_makes() -> None:
    table = _table()
    assert {name: checks for name, (checks, _) in table.items()} == write_paths()


def test_each_row_names_a_test_that_exists() -> None:
    tests = "\n".join(p.read_text() for p in (PROJECT_ROOT / "tests").glob("test_*.py"))
    for name, (_, proof) in _table().items():
        for test in re.findall(r"test_\w+", proof):
            assert f"def {test}(" in tests, f"{name}: {test} not found"


# Property: a principal whose role lacks the permission, or whose scope does not cover the
# record, is refused by every write function, and the store is exactly as it was.

KNOWN_SCOPES = ["32", "32.03", "32.05", "35", "35.07", "94.01"]
principals = st.builds(
    Principal,
    name=st.text(min_size=1, max_size=40),
    role=st.sampled_from(ROLES),
    scope=st.one_of(
        st.none(), st.sampled_from(KNOWN_SCOPES), st.from_regex(r"\A\d{2}(\.\d{2})?\Z")
    ),
    username=st.one_of(st.none(), st.text(max_size=20)),
)


@dataclass(frozen=True)
class Write:
    permission: str
    area: str | None  # the record's area in the training scenario
    call: Callable[[Engine, Principal], object]


def _writes(engine: Engine, geography) -> dict[str, Write]:
    """Every checked write path, aimed at a record of the training scenario."""
    (incident,) = store.incidents(engine)
    roster = team_store.roster(engine).set_index("name")
    garut = roster.loc["Tagana Kab. Garut (Latihan)"]
    team, version = int(garut["id"]), int(garut["version"])
    report = ReportInput.check(
        {
            "incident_id": incident.id,
            "kecamatan_code": "32.03.11",
            "report_time": (utcnow() - timedelta(minutes=5)).isoformat(),
            "reporter": "Petugas",
            "source": "dinsos",
            "deaths": 1,
        },
        None,
    )
    report_id = int(report_store.all_versions(engine)["id"].iloc[0])
    new_team = TeamInput.check({"name": "Tagana Baru", "home_kecamatan_code": "32.05.01"}, None)
    facts = sitrep_store.gather(engine, incident.id)
    stamp = utcnow().strftime("%d/%m/%Y %H:%M")
    data = f"Kode Kecamatan,Waktu Laporan,Pelapor,Sumber,Meninggal\n32.03.11,{stamp},X,tksk,-1\n"
    with Session(engine) as session, session.begin():
        waiting = QuarantinedRow(
            kind="reports",
            batch="b",
            file_name="f.csv",
            row_number=2,
            data={"kecamatan_code": "32.03.11", "incident_id": str(incident.id)},
            errors=[],
            created_by="Operator Cianjur",
            scope="32.03",
        )
        session.add(waiting)
        session.flush()
        quarantined = waiting.id
    accounts.create_user(engine, SYSTEM, "op-garut", "kata-sandi-1", "operator", "32.05")
    token = accounts.create_token(engine, SYSTEM, "Layar Garut", "32.05")
    token_id = next(r.id for r in accounts.tokens(engine, SYSTEM) if r.scope == "32.05")
    accounts.open_session(engine, "op-garut", 12)
    [session] = accounts.open_sessions(engine, SYSTEM, "op-garut")
    assert token
    assignment = {"incident_id": incident.id, "kecamatan_code": "32.03.11", "task": "Evakuasi"}
    limits = ImportLimits()
    flood = NewIncident("banjir", "Banjir", ("32.04.12",), utcnow() - timedelta(hours=1))
    twin = NewIncident("gempa_bumi", "Gempa (manual)", ("32.03.11",), utcnow())
    twin_id = incident_store.incident_id(engine, incident_store.open_incident(engine, twin, SYSTEM))
    decree = ("tanggap_darurat", "360/8717/BPBD/2026", "Bupati Cianjur", utcnow().date())
    recorder = Principal("Koordinator Cianjur", "coordinator", "32.03")
    waiting = incident_store.add_phase(engine, incident.id, recorder, *decree)  # unconfirmed
    link = NewLink.check({"name": "Siti", "role": "tksk", "kecamatan": "32.03.11"}, geography)
    link_id, _ = reporter_store.create_link(engine, SYSTEM, link)
    submission = Submission("uuid:1", "uuid:1", None, "hp", False, {"kecamatan_code": "32.03.11"})
    place = {"kecamatan_code": "32.03.11", "opened_on": utcnow().date()}
    depot = WarehouseInput.check({"name": "Gudang Uji", "kind": "kabupaten", **place})
    store_ids = [logistics_store.create_warehouse(engine, depot, SYSTEM)]
    store_ids.append(
        logistics_store.create_warehouse(engine, depot.model_copy(update={"name": "G2"}), SYSTEM)
    )
    blankets = [StockLine.check({"item": "selimut", "batch": "A2023", "quantity": 10})]
    logistics_store.receive(engine, store_ids[0], blankets, "Kemensos", None, SYSTEM)
    sending = DispatchRequest(incident.id, store_ids[0], [Line("selimut", 2)], "32.03.11")
    sent = logistics_store.dispatch(engine, sending, SYSTEM)
    shelter = ShelterInput.check({"name": "Posko", **place})
    shelter_id = logistics_store.save_shelter(engine, incident.id, shelter, SYSTEM)
    kitchen = KitchenInput.check({"name": "DU", "started_on": utcnow().date(), **place})
    kitchen_id = logistics_store.save_kitchen(engine, incident.id, kitchen, SYSTEM)
    meals = MealsInput.check({"day": utcnow().date(), "meal": "pagi", "portions": 10})
    count = b"Gudang,Barang,Batch,Jumlah\nGudang Uji,selimut,B,5\n"
    vault = Vault(KEY)
    kin = HouseholdInput.check(family())
    saved = household_store.save_household(engine, vault, incident.id, kin, SYSTEM)
    household_id = saved.household_id
    moved = HouseholdInput.check(family(payout="BNI 0987654321"))
    change_id = household_store.save_household(
        engine, vault, incident.id, moved, SYSTEM, household_id
    ).waiting
    household_store.propose_payments(engine, incident.id, SYSTEM)
    payment_id = int(household_store.payments(engine, incident.id)["id"].iloc[0])
    people = b"No KK;NIK;Nama\n" + kin.kk.encode() + b";" + kin.members[0].nik.encode() + b";A\n"
    registry = b"NIK,PKH\n3203111705800011,1\n"
    someone = "petugas-lain"  # another user's alerts: only admins (`users`) set them
    return {
        "stores.alerts.save_subscription": Write(
            "users",
            None,
            lambda e, p: alert_store.save_subscription(e, p, someone, SubscriptionInput()),
        ),
        "stores.alerts.set_address": Write(
            "users", None, lambda e, p: alert_store.set_address(e, p, someone, "email", "a@b.id")
        ),
        "stores.alerts.start_telegram": Write(
            "users", None, lambda e, p: alert_store.start_telegram(e, p, someone)
        ),
        "stores.alerts.unlink": Write(
            "users", None, lambda e, p: alert_store.unlink(e, p, someone, "email")
        ),
        "stores.alerts.retry_dead": Write(
            "alerts", None, lambda e, p: alert_store.retry_dead(e, p, [1])
        ),
        "stores.alerts.discard": Write("alerts", None, lambda e, p: alert_store.discard(e, p, [1])),
        "stores.logistics.create_warehouse": Write(
            "stock",
            "32.03",
            lambda e, a: logistics_store.create_warehouse(
                e, depot.model_copy(update={"name": "G3"}), a
            ),
        ),
        "stores.logistics.receive": Write(
            "stock",
            "32.03",
            lambda e, a: logistics_store.receive(e, store_ids[0], blankets, "X", None, a),
        ),
        "stores.logistics.adjust": Write(
            "stock",
            "32.03",
            lambda e, a: logistics_store.adjust(
                e, store_ids[0], "selimut", "A2023", -1, "damaged", None, a
            ),
        ),
        "stores.logistics.transfer": Write(
            "stock",
            "32.03",
            lambda e, a: logistics_store.transfer(e, *store_ids, [Line("selimut", 1)], None, a),
        ),
        "stores.logistics.dispatch": Write(
            "stock", "32.03", lambda e, a: logistics_store.dispatch(e, sending, a)
        ),
        "stores.logistics.confirm_receipt": Write(
            "stock",
            "32.03.11",
            lambda e, a: logistics_store.confirm_receipt(e, sent, "Kades", {"selimut": 2}, "", a),
        ),
        "stores.logistics.save_shelter": Write(
            "shelter",
            "32.03.11",
            lambda e, a: logistics_store.save_shelter(e, incident.id, shelter, a, shelter_id),
        ),
        "stores.logistics.save_kitchen": Write(
            "shelter",
            "32.03.11",
            lambda e, a: logistics_store.save_kitchen(e, incident.id, kitchen, a),
        ),
        "stores.logistics.record_meals": Write(
            "shelter",
            "32.03.11",
            lambda e, a: logistics_store.record_meals(e, kitchen_id, meals, a),
        ),
        "stores.logistics.import_opening_stock": Write(
            "stock",
            None,  # rows are checked one by one: out-of-scope rows wait in quarantine
            lambda e, a: logistics_store.import_opening_stock(e, count, "s.csv", a, limits),
        ),
        "stores.forms.save_submissions": Write(
            "report",
            None,  # rows are checked one by one, as an import's
            lambda e, a: form_store.save_submissions(e, "central:x", "f", [submission], None, a),
        ),
        "stores.reporters.create_link": Write(
            "reporters", "32.03.11", lambda e, a: reporter_store.create_link(e, a, link)
        ),
        "stores.reporters.revoke_link": Write(
            "reporters", "32.03.11", lambda e, a: reporter_store.revoke_link(e, a, link_id)
        ),
        "stores.incidents.open_incident": Write(
            "incident", "32.04", lambda e, a: incident_store.open_incident(e, flood, a)
        ),
        "stores.incidents.change_area": Write(
            "incident",
            "32.03",
            lambda e, a: incident_store.change_area(e, incident.id, a, add=["32.03.12"]),
        ),
        "stores.incidents.set_details": Write(
            "incident",
            "32.03",
            lambda e, a: incident_store.set_details(e, incident.id, a, name="x"),
        ),
        "stores.incidents.add_phase": Write(
            "phase", "32.03", lambda e, a: incident_store.add_phase(e, incident.id, a, *decree)
        ),
        "stores.incidents.confirm_phase": Write(
            "phase", "32.03", lambda e, a: incident_store.confirm_phase(e, waiting, a)
        ),
        "stores.incidents.close_incident": Write(
            "phase", "32.03", lambda e, a: incident_store.close_incident(e, incident.id, a)
        ),
        "stores.incidents.reopen_incident": Write(
            "merge", "32.03", lambda e, a: incident_store.reopen_incident(e, incident.id, a, "x")
        ),
        "stores.incidents.merge_incidents": Write(
            "merge",
            "32.03",
            lambda e, a: incident_store.merge_incidents(e, incident.id, twin_id, a),
        ),
        "stores.reports.save_report": Write(
            "report", "32.03", lambda e, a: report_store.save_report(e, report, a)
        ),
        "stores.reports.set_verification": Write(
            "verify",
            report_store.all_versions(engine).set_index("id").loc[report_id, "kecamatan_code"],
            lambda e, a: report_store.set_verification(e, report_id, "verified", a),
        ),
        "stores.reports.import_reports": Write(
            "report",
            None,  # rows are checked one by one: out-of-scope rows wait in quarantine
            lambda e, a: report_store.import_reports(
                e, data.encode(), "x.csv", incident.id, geography, a, limits
            ),
        ),
        "stores.reports.resubmit_reports": Write(
            "report",
            "32.03",
            lambda e, a: report_store.resubmit_reports(e, {quarantined: {}}, geography, a),
        ),
        "stores.imports.discard": Write(
            "report", "32.03", lambda e, a: imports.discard(e, [quarantined], a)
        ),
        "stores.sitreps.issue": Write(
            "sitrep",
            incident.kabupaten_code,
            lambda e, a: sitrep_store.issue(e, facts, incident.id, a),
        ),
        "stores.sitreps.set_schedule": Write(
            "incident",
            incident.kabupaten_code,
            lambda e, a: sitrep_store.set_schedule(e, incident.id, "07:00", a),
        ),
        "stores.common.set_incident_status": Write(
            "incident",
            incident.kabupaten_code,
            lambda e, a: store.set_incident_status(e, incident.id, 1, IncidentStatus.CLOSED, a),
        ),
        "stores.teams.create_team": Write(
            "team", "32.05", lambda e, a: team_store.create_team(e, new_team, a)
        ),
        "stores.teams.update_team": Write(
            "team", "32.05", lambda e, a: team_store.update_team(e, team, version, new_team, a)
        ),
        "stores.teams.set_members": Write(
            "team", "32.05", lambda e, a: team_store.set_members(e, team, version, [], a)
        ),
        "stores.teams.change_status": Write(
            "team",
            "32.05",
            lambda e, a: team_store.change_status(e, team, version, "unavailable", a, "sakit"),
        ),
        "stores.teams.assign": Write(
            "team", "32.05", lambda e, a: team_store.assign(e, team, version, assignment, a)
        ),
        "stores.households.save_household": Write(
            "household",
            "32.03.11",
            lambda e, a: household_store.save_household(
                e, vault, incident.id, kin, a, household_id, merge_into=household_id
            ),
        ),
        "stores.households.reveal": Write(
            "pii",
            "32.03.11",
            lambda e, a: household_store.reveal(e, vault, household_id, a, "verifikasi"),
        ),
        "stores.households.export_named": Write(
            "pii",
            None,  # a list of the households inside the exporter's area
            lambda e, a: household_store.export_named(
                e, vault, incident.id, "households", a, "verifikasi"
            ),
        ),
        "stores.households.import_households": Write(
            "pii",
            None,  # rows are checked one by one, as an import's
            lambda e, a: household_store.import_households(
                e, vault, people, "kk.csv", incident.id, geography, a, limits
            ),
        ),
        "stores.households.import_registry": Write(
            "pii",
            None,
            lambda e, a: household_store.import_registry(
                e, vault, registry, "dtsen.csv", a, limits
            ),
        ),
        "stores.households.propose_payments": Write(
            "assistance",
            None,  # the payments owed to the households inside the proposer's area
            lambda e, a: household_store.propose_payments(e, incident.id, a),
        ),
        "stores.households.open_quarantine": Write(
            "pii",
            None,  # the rows inside the reader's area
            lambda e, a: household_store.open_quarantine(e, vault, a, "koreksi impor"),
        ),
        "stores.household_changes.review": Write(
            "pii", "32.03.11", lambda e, a: household_change_store.review(e, vault, change_id, a)
        ),
        "stores.household_changes.decide": Write(
            "pii",
            "32.03.11",
            lambda e, a: household_change_store.decide(e, vault, change_id, a, True),
        ),
        "stores.households.rotate_key": Write(
            "pii",
            "32.03.11",  # unscoped only: every scope is refused (test_another_key_is_refused_...)
            lambda e, a: household_store.rotate_key(e, vault, Vault(pdp.new_key()), a),
        ),
        "stores.households.advance_payment": Write(
            "assistance",
            "32.03.11",
            lambda e, a: household_store.advance_payment(e, payment_id, a),
        ),
        "stores.accounts.create_user": Write(
            "users",
            "32.05",
            lambda e, a: accounts.create_user(e, a, "baru", "kata-sandi-1", "viewer", "32.05"),
        ),
        "stores.accounts.set_user": Write(
            "users", "32.05", lambda e, a: accounts.set_user(e, a, "op-garut", role="admin")
        ),
        "stores.accounts.create_token": Write(
            "users", "32.05", lambda e, a: accounts.create_token(e, a, "x", "32.05")
        ),
        "stores.accounts.revoke_token": Write(
            "users", "32.05", lambda e, a: accounts.revoke_token(e, a, token_id)
        ),
        "stores.accounts.revoke_session": Write(
            "users", "32.05", lambda e, a: accounts.revoke_session(e, a, session["id"])
        ),
    }


def _snapshot(engine: Engine) -> dict[str, list]:
    """Every row of every table but the reference areas, as text."""
    with engine.connect() as conn:
        return {
            table.name: sorted(map(repr, conn.execute(table.select())))
            for table in Base.metadata.sorted_tables
            if table.name != "areas"
        }


@pytest.fixture
def aimed_writes(demo_engine, geography) -> tuple[Engine, dict[str, Write]]:
    return demo_engine, _writes(demo_engine, geography)


def test_every_checked_write_path_is_in_the_property_test(aimed_writes) -> None:
    _, writes = aimed_writes
    checked = {name for name, checks in write_paths().items() if checks != "—"}
    assert checked - set(writes) == {"stores.imports.resubmit", "stores.imports.run_import"} | {
        "stores.teams.import_roster",
        "stores.teams.resubmit_roster",
        "stores.logistics.resubmit_opening",
        "stores.households.resubmit_households",
        "stores.households.save_form_households",
        "workers.form_pull.pull_households",
        "stores.reporters.save_field_household",
        "stores.teams.stand_down",
        "workers.form_pull.pull",
        "workers.form_pull.poll_forms",
        "stores.sitreps.issue_due",
        "stores.sitreps.issue_slot",
    }  # the same checks as report imports, resubmit_reports, change_status, save_submissions,
    # import_households; a link's family: its token (test_a_reporter_link_registers_...); the
    # worker's sitreps on schedule: its own principal, no actor to aim


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],  # refusals change nothing
)
@given(who=principals, data=st.data())
def test_no_write_without_the_role_and_scope_changes_anything(aimed_writes, who, data) -> None:
    engine, writes = aimed_writes
    name = data.draw(st.sampled_from(sorted(writes)))
    write = writes[name]
    allowed = permits(who, write.permission) and (write.area is None or who.covers(write.area))
    assume(not allowed)
    before = _snapshot(engine)
    with pytest.raises(Forbidden):
        write.call(engine, who)
    assert _snapshot(engine) == before, name
