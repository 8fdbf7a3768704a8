"""Every text a person, a file or a form can put into the store has a maximum length, checked
where the store checks its input: an over-long value is refused with an error naming its field
(`too_long`, or the field's own check for a choice or a code) and nothing is stored; nothing a
person typed is cut short. The inputs are found, not listed by hand, so one added later without
a bound fails here: every field of every input model (pydantic), and every text argument of
every write path (`test_permissions.write_paths`), which is either aimed at the training
scenario with an over-long value below or named with the reason it is not free text."""

from __future__ import annotations

import collections.abc
import dataclasses
import importlib
import typing
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError
from pydantic_settings import BaseSettings
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from command_center.base.auth import SYSTEM, Principal
from command_center.base.errors import InvalidInput
from command_center.base.models import AuditEntry, ImpactReport, QuarantinedRow, ReporterLink
from command_center.base.pdp import Vault
from command_center.base.settings import PROJECT_ROOT, ImportLimits
from command_center.base.times import utcnow
from command_center.services.households import HouseholdInput
from command_center.services.logistics import StockLine, WarehouseInput
from command_center.services.reporters import NewLink
from command_center.services.reports import ReportInput
from command_center.services.validation import ITEMS, NOTE, SHORT, WORDS
from command_center.stores import accounts, imports
from command_center.stores import alerts as alert_store
from command_center.stores import common as store
from command_center.stores import household_changes as household_change_store
from command_center.stores import households as household_store
from command_center.stores import incidents as incident_store
from command_center.stores import logistics as logistics_store
from command_center.stores import reporters as reporter_store
from command_center.stores import reports as report_store
from command_center.stores import teams as team_store
from command_center.stores.incidents import NewIncident
from command_center.stores.logistics import DispatchRequest, Line
from tests.households import KEY, family
from tests.test_permissions import SKIPPED, _snapshot, write_paths

MEGABYTE = 2**20
LONG = "x" * MEGABYTE
SHAPES = {  # over-long values as they may come: one text, a list typed in one text, a list
    "text": LONG,
    "typed list": "; ".join(f"x{i}: 1" for i in range(MEGABYTE // 8)),
    "list": [f"x{i}" for i in range(MEGABYTE // 8)],
}


# -- every field of every input model -------------------------------------------------------


def _input_models() -> list[type[BaseModel]]:
    """Every pydantic model of the package (settings aside), after importing its modules."""
    package = PROJECT_ROOT / "command_center"
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(PROJECT_ROOT).with_suffix("").parts
        if not SKIPPED & set(parts):
            importlib.import_module(".".join(parts).removesuffix(".__init__"))
    found, todo = [], list(BaseModel.__subclasses__())
    while todo:
        model = todo.pop()
        todo += model.__subclasses__()
        if model.__module__.startswith("command_center.") and not issubclass(model, BaseSettings):
            found.append(model)
    return sorted(set(found), key=lambda m: f"{m.__module__}.{m.__qualname__}")


def _holds_text(hint: Any) -> bool:
    """Whether a field's type can hold text: `str`, a model, or a collection of them."""
    if hint is str or (isinstance(hint, type) and issubclass(hint, BaseModel)):
        return True
    return any(_holds_text(arg) for arg in typing.get_args(hint))


@pytest.mark.parametrize("model", _input_models(), ids=lambda m: m.__qualname__)
def test_every_text_field_of_every_input_model_refuses_a_megabyte_by_name(model) -> None:
    texts = [name for name, field in model.model_fields.items() if _holds_text(field.annotation)]
    for name in texts:
        for shape, value in SHAPES.items():
            with pytest.raises(ValidationError) as caught:
                model.model_validate({name: value})
            named = {str(e["loc"][0]) for e in caught.value.errors() if e["loc"]}
            assert name in named, f"{model.__qualname__}.{name} takes a megabyte ({shape})"


# -- every text argument of every write path ------------------------------------------------


def _mentions_text(hint: Any) -> bool:
    """Whether a type can carry text: `str`, or a collection or mapping holding it."""
    if hint is str:
        return True
    if typing.get_origin(hint) is collections.abc.Callable:
        return False  # a check or writer the store hands itself, not input
    return any(_mentions_text(arg) for arg in typing.get_args(hint))


def _dataclass_of(hint: Any) -> type | None:
    """The dataclass a type is, or holds (`list[Line]`)."""
    for candidate in (hint, *typing.get_args(hint)):
        if isinstance(candidate, type) and dataclasses.is_dataclass(candidate):
            return candidate
    return None


def _texts(name: str, hint: Any) -> list[str]:
    """The text arguments inside one parameter: itself, or its dataclass's fields by path."""
    if hint is Principal or (isinstance(hint, type) and issubclass(hint, BaseModel)):
        return []  # who acts (from the sign-in); input models are checked above
    holder = _dataclass_of(hint)
    if holder is not None:
        fields = typing.get_type_hints(holder)
        return [text for field, kind in fields.items() for text in _texts(f"{name}.{field}", kind)]
    return [name] if _mentions_text(hint) else []


def text_arguments() -> set[tuple[str, str]]:
    """(write path, argument) for every text a write path takes, dataclass fields included."""
    found = set()
    for path in write_paths():
        module, function = path.rsplit(".", 1)
        hints = typing.get_type_hints(
            getattr(importlib.import_module(f"command_center.{module}"), function)
        )
        hints.pop("return", None)
        found |= {(path, text) for name, hint in hints.items() for text in _texts(name, hint)}
    return found


NOT_FREE_TEXT = {  # (write path, argument): why it is not free text the store keeps
    **dict.fromkeys(
        [
            ("stores.accounts.authenticate", "username"),
            ("stores.accounts.authenticate", "client"),
            ("stores.accounts.open_session", "client"),
            ("stores.accounts.open_session", "agent"),
        ],
        "a sign-in's own record, cut to its column: what the client sent, never a person's entry",
    ),
    ("base.pdp.open_vault", "key"): "the personal-data key: never stored, only its check value",
    ("stores.alerts.set_address", "allowed_hosts"): "the server's own CC_WEBHOOK_ALLOWED_HOSTS",
    **dict.fromkeys(
        [("stores.alerts.set_address", "off"), ("stores.alerts.start_telegram", "off")],
        "the server's own settings: the channels it has not configured, never stored",
    ),
    ("stores.alerts.mark_read", "overrides"): "the server's own CC_ALERT_RULES, never stored",
    **dict.fromkeys(
        [
            ("stores.accounts.authenticate", "password"),
            ("stores.accounts.change_own_password", "current"),
            ("stores.accounts.change_own_password", "new"),
            ("stores.accounts.create_user", "password"),
            ("stores.accounts.set_user", "password"),
        ],
        "a password: only its Argon2 hash is kept",
    ),
    **dict.fromkeys(
        [
            ("stores.accounts.end_session", "token"),
            ("stores.accounts.change_own_password", "keep"),
            ("stores.alerts.acknowledge", "token"),
            ("stores.reporters.save_field_report", "token"),
            ("stores.reporters.save_field_household", "token"),
        ],
        "a token, looked up by its SHA-256 and never stored",
    ),
    **dict.fromkeys(
        [
            ("stores.accounts.change_own_password", "username"),
            ("stores.accounts.open_session", "username"),
            ("stores.accounts.set_user", "username"),
            ("stores.alerts.save_subscription", "username"),
            ("stores.alerts.set_address", "username"),
            ("stores.alerts.start_telegram", "username"),
            ("stores.alerts.unlink", "username"),
            ("stores.alerts.unlink", "channel"),
        ],
        "looks up a stored row (NotFound, or nothing to remove): never stored itself",
    ),
    **dict.fromkeys(
        [
            ("stores.alerts.claim", "channels"),
            ("stores.alerts.escalate", "available"),
            ("stores.alerts.fan_out", "overrides"),
            ("stores.alerts.fan_out", "available"),
            ("stores.alerts.link_telegram", "chat_id"),
            ("stores.alerts.set_sender_value", "name"),
            ("stores.alerts.set_sender_value", "value"),
            ("stores.alerts.mark", "failed"),
        ],
        "the alert sender's own values (channels configured, Telegram's chat id and offset)",
    ),
    (
        "stores.alerts.link_telegram",
        "text",
    ): "a one-time code of at most 32 characters, else ignored",
    ("base.db.migrate", "revision"): "an Alembic revision, from the code",
    **dict.fromkeys(
        [
            ("workers.form_pull.poll_forms", "key"),
            ("workers.form_pull.poll_forms", "server"),
            ("workers.form_pull.pull", "server"),
            ("workers.form_pull.pull_households", "server"),
            ("stores.forms.save_submissions", "server"),
            ("stores.forms.save_submissions", "form"),
            ("stores.households.save_form_households", "server"),
            ("stores.households.save_form_households", "form"),
            ("stores.households.propose_payments", "amounts"),
            ("workers.ingest.poll", "feed"),
            ("workers.ingest.poll_forecasts", "feed"),
            ("workers.ingest.run", "feeds"),
            ("workers.alert_watch.watch", "limits"),
            ("demo.load", "scenarios"),
            ("stores.common.sync_areas", "rows"),
        ],
        "settings or reference data (the boundary file), not input",
    ),
    **dict.fromkeys(
        [
            ("stores.forms.save_submissions", "submissions"),
            ("stores.households.save_form_households", "submissions"),
        ],
        "each answer is checked row by row by its input model (above), as a file's row is",
    ),
    **dict.fromkeys(
        [
            ("stores.imports.run_import", "kind"),
            ("stores.imports.run_import", "key_field"),
            ("stores.imports.run_import", "context"),
            ("stores.imports.resubmit", "kind"),
            ("stores.imports.run_import", "sealed"),
            ("stores.imports.resubmit", "sealed"),
        ],
        "set by the store that imports, not by the file",
    ),
    (
        "stores.imports.run_import",
        "rows",
    ): "a file's or form's rows, each checked by its input model",
    **dict.fromkeys(
        [
            ("stores.logistics.dispatch", "request.lines.item"),
            ("stores.logistics.dispatch", "request.lines.batch"),
            ("stores.logistics.transfer", "lines.item"),
            ("stores.logistics.transfer", "lines.batch"),
        ],
        "taken from stock: an item or batch the warehouse does not hold is refused",
    ),
    ("stores.logistics.dispatch", "request.kecamatan_code"): "a kecamatan: a foreign key",
    ("stores.households.export_named", "kind"): "one of the named lists, else nothing is written",
    ("stores.reports.set_verification", "status"): "a Verification: its column refuses others",
    ("stores.teams.change_status", "target"): "a status of the lifecycle (IllegalTransition)",
    ("stores.sitreps.issue", "facts"): "gathered from the store (`sitrep_store.gather`)",
    **dict.fromkeys(
        [
            ("stores.backups.restore", "database_url"),
            ("stores.backups.restore", "pdp_check"),
            ("stores.backups.restore", "sealing.passphrase"),
            ("stores.backups.run_schedule", "database_url"),
            ("stores.backups.run_schedule", "sealing.passphrase"),
            ("stores.backups.take", "database_url"),
            ("stores.backups.take", "sealing.passphrase"),
            ("stores.incidents.close_incident", "organisation"),
            ("stores.sitreps.issue_due", "organisation"),
            ("stores.sitreps.issue_slot", "organisation"),
        ],
        "the server's own settings (the database, the backup passphrase, CC_ORGANISATION)",
    ),
    ("stores.backups.take", "suffix"): "the restore's own `before-restore`, part of a file name",
    ("base.versions.move_past", "seen"): "data versions read from the store being replaced",
    ("stores.processes.report", "process"): "this process's own host:pid",
    ("stores.processes.report", "reruns.buckets"): "this process's own rerun histogram",
    ("stores.sitreps.issue_slot", "clock"): "a slot's time, read from the stored schedule",
    ("stores.sitreps.set_schedule", "text"): "parsed into HH:MM times (InvalidInput otherwise); "
    "the times are stored, never the text",
    ("stores.alerts.save_subscription", "entry.sitrep_format"): "one of pdf, png, text: "
    "anything else is refused",
}


@dataclasses.dataclass
class Scenario:
    """The training scenario, with one of each record a write path is aimed at."""

    engine: Engine
    geography: Any
    vault: Vault
    incident: int
    closed: int
    report: int
    team: int
    version: int
    token: str
    warehouses: tuple[int, int]
    lumbung: int
    sent: int
    household: int
    payment: int
    change: int  # a change of the family waiting for review
    waiting: dict[str, int]  # import kind -> a quarantined row of it
    limits = ImportLimits()

    def edits(self, kind: str, field: str) -> dict[int, dict[str, str]]:
        return {self.waiting[kind]: {field: LONG}}


@dataclasses.dataclass(frozen=True)
class Aim:
    field: str  # the field the refusal names
    code: str  # its error code
    call: Callable[[Scenario], object]


def _report(s: Scenario, **changes: Any) -> dict[str, Any]:
    moment = (utcnow() - timedelta(minutes=5)).isoformat()
    return {
        "incident_id": s.incident,
        "kecamatan_code": "32.03.11",
        "report_time": moment,
        "reporter": "Petugas",
        "source": "dinsos",
        **changes,
    }


REPORT_FILE = b"Kode Kecamatan,Waktu Laporan,Pelapor,Sumber,Meninggal\n32.03.11,%s,X,tksk,1\n"
ROSTER_FILE = b"Nama Tim,Kode Kecamatan\nTagana Uji,32.03.11\n"
STOCK_FILE = b"Gudang,Barang,Batch,Jumlah\nGudang Uji,selimut,B2024,5\n"
LONG_FILE = "x" * 300 + ".csv"
CHECKER = Principal("Verifikator", "admin")  # a second person: verifies, decides


def _stamped(file: bytes) -> bytes:
    return file.replace(b"%s", utcnow().strftime("%d/%m/%Y %H:%M").encode())


def _people() -> bytes:
    """A household file whose one row lacks most fields (it waits in quarantine)."""
    kin = family(serial=7)
    return f"No KK;NIK;Nama\n{kin['kk']};{kin['members'][0]['nik']};A\n".encode()


AIMED: dict[tuple[str, str], Aim] = {
    ("stores.accounts.create_user", "username"): Aim(
        "username",
        "too_long",
        lambda s: accounts.create_user(s.engine, SYSTEM, LONG, None, "viewer"),
    ),
    ("stores.accounts.create_user", "display_name"): Aim(
        "display_name",
        "too_long",
        lambda s: accounts.create_user(s.engine, SYSTEM, "baru", None, "viewer", None, LONG),
    ),
    ("stores.accounts.create_user", "role"): Aim(
        "role", "bad_role", lambda s: accounts.create_user(s.engine, SYSTEM, "baru", None, LONG)
    ),
    ("stores.accounts.create_user", "scope"): Aim(
        "scope",
        "bad_scope",
        lambda s: accounts.create_user(s.engine, SYSTEM, "baru", None, "viewer", LONG),
    ),
    ("stores.accounts.set_user", "role"): Aim(
        "role", "bad_role", lambda s: accounts.set_user(s.engine, SYSTEM, "petugas", role=LONG)
    ),
    ("stores.accounts.set_user", "scope"): Aim(
        "scope", "bad_scope", lambda s: accounts.set_user(s.engine, SYSTEM, "petugas", scope=LONG)
    ),
    ("stores.accounts.create_token", "label"): Aim(
        "label", "too_long", lambda s: accounts.create_token(s.engine, SYSTEM, LONG, None)
    ),
    ("stores.accounts.create_token", "scope"): Aim(
        "scope", "bad_scope", lambda s: accounts.create_token(s.engine, SYSTEM, "Layar", LONG)
    ),
    **{
        ("stores.alerts.save_subscription", f"entry.{field}"): Aim(
            field,
            code,
            lambda s, field=field, value=value: alert_store.save_subscription(
                s.engine, SYSTEM, "petugas", alert_store.SubscriptionInput(**{field: value})
            ),
        )
        for field, code, value in (
            ("areas", "unknown_kecamatan", (LONG,)),
            ("hazards", "bad_choice", (LONG,)),
            ("channels", "bad_choice", (LONG,)),
            ("min_severity", "bad_choice", LONG),
            ("quiet_from", "bad_time", LONG),
            ("quiet_until", "bad_time", LONG),
        )
    },
    ("stores.alerts.set_address", "address"): Aim(
        "email",
        "too_long",
        lambda s: alert_store.set_address(
            s.engine, SYSTEM, "petugas", "email", f"{LONG}@dinsos.go.id"
        ),
    ),
    ("stores.alerts.set_address", "channel"): Aim(
        "channel",
        "bad_choice",
        lambda s: alert_store.set_address(s.engine, SYSTEM, "petugas", LONG, "a@dinsos.go.id"),
    ),
    ("stores.households.import_households", "file_name"): Aim(
        "file_name",
        "too_long",
        lambda s: household_store.import_households(
            s.engine, s.vault, _people(), LONG_FILE, s.incident, s.geography, SYSTEM, s.limits
        ),
    ),
    ("stores.households.resubmit_households", "edits"): Aim(
        "address",
        "too_long",
        lambda s: household_store.resubmit_households(
            s.engine, s.vault, s.edits("households", "address"), s.geography, SYSTEM
        ),
    ),
    ("stores.imports.run_import", "file_name"): Aim(
        "file_name",
        "too_long",
        lambda s: imports.run_import(
            s.engine, "reports", LONG_FILE, [], ReportInput.model_validate, lambda *_: "", SYSTEM
        ),
    ),
    ("stores.imports.resubmit", "edits"): Aim(
        "notes",
        "too_long",
        lambda s: imports.resubmit(
            s.engine,
            "reports",
            s.edits("reports", "notes"),
            lambda values: ReportInput.check(values, s.geography),
            report_store.ImportWriter(confirmed=False),
            SYSTEM,
        ),
    ),
    ("stores.incidents.add_phase", "phase"): Aim(
        "phase",
        "bad_phase",
        lambda s: incident_store.add_phase(
            s.engine, s.incident, SYSTEM, LONG, "360/1/2026", "Bupati Cianjur", utcnow().date()
        ),
    ),
    ("stores.incidents.add_phase", "decree"): Aim(
        "decree",
        "too_long",
        lambda s: incident_store.add_phase(
            s.engine, s.incident, SYSTEM, "tanggap_darurat", LONG, "Bupati", utcnow().date()
        ),
    ),
    ("stores.incidents.add_phase", "authority"): Aim(
        "authority",
        "too_long",
        lambda s: incident_store.add_phase(
            s.engine, s.incident, SYSTEM, "tanggap_darurat", "360/1", LONG, utcnow().date()
        ),
    ),
    ("stores.incidents.change_area", "add"): Aim(
        "add",
        "unknown_kecamatan",
        lambda s: incident_store.change_area(s.engine, s.incident, SYSTEM, add=[LONG]),
    ),
    ("stores.incidents.change_area", "remove"): Aim(
        "remove",
        "unknown_kecamatan",
        lambda s: incident_store.change_area(s.engine, s.incident, SYSTEM, remove=[LONG]),
    ),
    **{
        ("stores.incidents.open_incident", f"entry.{field}"): Aim(
            field,
            code,
            lambda s, field=field, value=value: incident_store.open_incident(
                s.engine,
                dataclasses.replace(
                    NewIncident("banjir", "Banjir", ("32.03.11",), utcnow() - timedelta(hours=1)),
                    **{field: value},
                ),
                SYSTEM,
            ),
        )
        for field, code, value in (
            ("hazard", "bad_hazard", LONG),
            ("name", "too_long", LONG),
            ("description", "too_long", LONG),
            ("kecamatan", "unknown_kecamatan", (LONG,)),
        )
    },
    ("stores.incidents.reopen_incident", "reason"): Aim(
        "reason",
        "too_long",
        lambda s: incident_store.reopen_incident(s.engine, s.closed, SYSTEM, LONG),
    ),
    ("stores.incidents.set_details", "name"): Aim(
        "name",
        "too_long",
        lambda s: incident_store.set_details(s.engine, s.incident, SYSTEM, name=LONG),
    ),
    ("stores.incidents.set_details", "description"): Aim(
        "description",
        "too_long",
        lambda s: incident_store.set_details(s.engine, s.incident, SYSTEM, description=LONG),
    ),
    ("stores.logistics.adjust", "item"): Aim(
        "item",
        "too_long",
        lambda s: logistics_store.adjust(
            s.engine, s.warehouses[0], LONG, "A2023", 1, "counted", None, SYSTEM
        ),
    ),
    ("stores.logistics.adjust", "batch"): Aim(
        "batch",
        "too_long",
        lambda s: logistics_store.adjust(
            s.engine, s.warehouses[0], "selimut", LONG, 1, "counted", None, SYSTEM
        ),
    ),
    ("stores.logistics.adjust", "reason"): Aim(
        "reason",
        "bad_reason",
        lambda s: logistics_store.adjust(
            s.engine, s.warehouses[0], "selimut", "A2023", -1, LONG, None, SYSTEM
        ),
    ),
    ("stores.logistics.adjust", "note"): Aim(
        "note",
        "too_long",
        lambda s: logistics_store.adjust(
            s.engine, s.warehouses[0], "selimut", "A2023", -1, "damaged", LONG, SYSTEM
        ),
    ),
    ("stores.logistics.receive", "source"): Aim(
        "source",
        "too_long",
        lambda s: logistics_store.receive(
            s.engine, s.warehouses[0], _blankets(), LONG, None, SYSTEM
        ),
    ),
    ("stores.logistics.receive", "document"): Aim(
        "document",
        "too_long",
        lambda s: logistics_store.receive(
            s.engine, s.warehouses[0], _blankets(), "Kemensos", LONG, SYSTEM
        ),
    ),
    ("stores.logistics.transfer", "document"): Aim(
        "document",
        "too_long",
        lambda s: logistics_store.transfer(
            s.engine, *s.warehouses, [Line("selimut", 1)], LONG, SYSTEM
        ),
    ),
    ("stores.logistics.dispatch", "request.carrier"): Aim(
        "carrier",
        "too_long",
        lambda s: logistics_store.dispatch(
            s.engine,
            DispatchRequest(
                s.incident, s.warehouses[0], [Line("selimut", 1)], "32.03.11", carrier=LONG
            ),
            SYSTEM,
        ),
    ),
    ("stores.logistics.dispatch", "request.override_reason"): Aim(
        "override_reason",
        "too_long",
        lambda s: logistics_store.dispatch(
            s.engine,
            DispatchRequest(
                s.incident, s.lumbung, [Line("selimut", 1)], "32.03.11", override_reason=LONG
            ),
            SYSTEM,
        ),
    ),
    ("stores.logistics.confirm_receipt", "received_by"): Aim(
        "received_by",
        "too_long",
        lambda s: logistics_store.confirm_receipt(
            s.engine, s.sent, LONG, {"selimut": 2}, None, SYSTEM
        ),
    ),
    ("stores.logistics.confirm_receipt", "received"): Aim(
        LONG,
        "not_sent",
        lambda s: logistics_store.confirm_receipt(
            s.engine, s.sent, "Kades", {LONG: 1}, None, SYSTEM
        ),
    ),
    ("stores.logistics.confirm_receipt", "note"): Aim(
        "receipt_note",
        "too_long",
        lambda s: logistics_store.confirm_receipt(
            s.engine, s.sent, "Kades", {"selimut": 1}, LONG, SYSTEM
        ),
    ),
    ("stores.logistics.import_opening_stock", "file_name"): Aim(
        "file_name",
        "too_long",
        lambda s: logistics_store.import_opening_stock(
            s.engine, STOCK_FILE, LONG_FILE, SYSTEM, s.limits
        ),
    ),
    ("stores.logistics.resubmit_opening", "edits"): Aim(
        "document",
        "too_long",
        lambda s: logistics_store.resubmit_opening(s.engine, s.edits("stock", "document"), SYSTEM),
    ),
    ("stores.reports.set_verification", "reason"): Aim(
        "rejection_reason",
        "too_long",
        lambda s: report_store.set_verification(
            s.engine, s.report, "rejected", SYSTEM, LONG, confirmed=True
        ),
    ),
    ("stores.reports.import_reports", "file_name"): Aim(
        "file_name",
        "too_long",
        lambda s: report_store.import_reports(
            s.engine, _stamped(REPORT_FILE), LONG_FILE, s.incident, s.geography, SYSTEM, s.limits
        ),
    ),
    ("stores.reports.import_reports", "default_source"): Aim(
        "source",
        "too_long",
        lambda s: report_store.import_reports(
            s.engine,
            _stamped(REPORT_FILE).replace(b",Sumber", b"").replace(b",tksk", b""),
            "laporan.csv",
            s.incident,
            s.geography,
            SYSTEM,
            s.limits,
            default_source=LONG,
        ),
    ),
    ("stores.reports.resubmit_reports", "edits"): Aim(
        "notes",
        "too_long",
        lambda s: report_store.resubmit_reports(
            s.engine, s.edits("reports", "notes"), s.geography, SYSTEM
        ),
    ),
    ("stores.reporters.save_field_report", "values"): Aim(
        "needs",
        "too_long",
        lambda s: reporter_store.save_field_report(
            s.engine, s.token, _report(s, needs="selimut: 300; " * (MEGABYTE // 14)), s.geography
        ),
    ),
    ("stores.teams.assign", "values"): Aim(
        "task",
        "too_long",
        lambda s: team_store.assign(
            s.engine,
            s.team,
            s.version,
            {"incident_id": s.incident, "kecamatan_code": "32.03.11", "task": LONG},
            SYSTEM,
        ),
    ),
    ("stores.teams.change_status", "reason"): Aim(
        "status_reason",
        "too_long",
        lambda s: team_store.change_status(
            s.engine, s.team, s.version, "unavailable", SYSTEM, LONG
        ),
    ),
    ("stores.teams.set_members", "members"): Aim(
        "name",
        "too_long",
        lambda s: team_store.set_members(s.engine, s.team, s.version, [{"name": LONG}], SYSTEM),
    ),
    ("stores.teams.import_roster", "file_name"): Aim(
        "file_name",
        "too_long",
        lambda s: team_store.import_roster(
            s.engine, ROSTER_FILE, LONG_FILE, s.geography, SYSTEM, s.limits
        ),
    ),
    ("stores.teams.resubmit_roster", "edits"): Aim(
        "equipment",
        "too_long",
        lambda s: team_store.resubmit_roster(
            s.engine, s.edits("roster", "equipment"), s.geography, SYSTEM
        ),
    ),
    ("stores.household_changes.decide", "note"): Aim(
        "note",
        "too_long",
        lambda s: household_change_store.decide(
            s.engine, s.vault, s.change, CHECKER, False, note=LONG
        ),
    ),
    ("stores.households.reveal", "why"): Aim(
        "why",
        "too_long",
        lambda s: household_store.reveal(s.engine, s.vault, s.household, SYSTEM, LONG),
    ),
    ("stores.households.export_named", "why"): Aim(
        "why",
        "too_long",
        lambda s: household_store.export_named(
            s.engine, s.vault, s.incident, "households", SYSTEM, LONG
        ),
    ),
    ("stores.households.open_quarantine", "why"): Aim(
        "why",
        "too_long",
        lambda s: household_store.open_quarantine(s.engine, s.vault, SYSTEM, LONG),
    ),
    ("stores.households.advance_payment", "reference"): Aim(
        "reference",
        "too_long",
        lambda s: household_store.advance_payment(
            s.engine, s.payment, SYSTEM, LONG, utcnow().date()
        ),
    ),
    ("stores.households.import_registry", "file_name"): Aim(
        "file_name",
        "too_long",
        lambda s: household_store.import_registry(
            s.engine, s.vault, b"NIK,PKH\n3203111705800011,1\n", LONG_FILE, SYSTEM, s.limits
        ),
    ),
}


def _blankets() -> list[StockLine]:
    return [StockLine.check({"item": "selimut", "batch": "A2023", "quantity": 10})]


def _waiting(engine: Engine, kind: str) -> int:
    with Session(engine) as session:
        return session.scalar(
            select(func.max(QuarantinedRow.id)).where(QuarantinedRow.kind == kind)
        )


def _scenario(engine: Engine, geography) -> Scenario:
    """The training scenario with a record for every aimed write: a closed incident, a field
    reporter's link, two warehouses and a lumbung sosial outside the incident's area with
    blankets, a dispatch in transit, a family with a verified payment, a row of each import kind
    waiting in quarantine, and an account to change."""
    (incident,) = store.incidents(engine)
    roster = team_store.roster(engine).set_index("name")
    garut = roster.loc["Tagana Kab. Garut (Latihan)"]
    report = int(report_store.all_versions(engine)["id"].iloc[0])
    flood = NewIncident("banjir", "Banjir Uji", ("32.03.11",), utcnow() - timedelta(hours=1))
    closed = incident_store.incident_id(engine, incident_store.open_incident(engine, flood, SYSTEM))
    incident_store.close_incident(engine, closed, SYSTEM)
    link = NewLink.check({"name": "Siti", "role": "tksk", "kecamatan": "32.03.11"}, geography)
    _, token = reporter_store.create_link(engine, SYSTEM, link)
    places = []
    for name, kind, code in (
        ("Gudang Uji", "kabupaten", "32.03.11"),
        ("Gudang Dua", "kabupaten", "32.03.11"),
        ("Lumbung Garut", "lumbung", "32.05.01"),
    ):
        entry = WarehouseInput.check({"name": name, "kind": kind, "kecamatan_code": code})
        places.append(logistics_store.create_warehouse(engine, entry, SYSTEM))
        logistics_store.receive(engine, places[-1], _blankets(), "Kemensos", None, SYSTEM)
    sending = DispatchRequest(incident.id, places[0], [Line("selimut", 2)], "32.03.11")
    sent = logistics_store.dispatch(engine, sending, SYSTEM)
    vault = Vault(KEY)
    kin = HouseholdInput.check(family())
    household = household_store.save_household(engine, vault, incident.id, kin, SYSTEM)
    moved = HouseholdInput.check(family(payout="BNI 0987654321"))
    change = household_store.save_household(
        engine, vault, incident.id, moved, SYSTEM, household.household_id
    )
    household_store.propose_payments(engine, incident.id, SYSTEM)
    payment = int(household_store.payments(engine, incident.id)["id"].iloc[0])
    household_store.advance_payment(engine, payment, CHECKER)  # not who proposed it
    limits = ImportLimits()
    bad_report = _stamped(REPORT_FILE).replace(b"tksk,1", b"tksk,-1")
    report_store.import_reports(engine, bad_report, "r.csv", incident.id, geography, SYSTEM, limits)
    team_store.import_roster(
        engine, ROSTER_FILE.replace(b"32.03.11", b"99.99.99"), "t.csv", geography, SYSTEM, limits
    )
    logistics_store.import_opening_stock(
        engine, STOCK_FILE.replace(b"Uji", b"Entah"), "s.csv", SYSTEM, limits
    )
    household_store.import_households(
        engine, vault, _people(), "kk.csv", incident.id, geography, SYSTEM, limits
    )
    accounts.create_user(engine, SYSTEM, "petugas", "kata-sandi-1", "operator")
    return Scenario(
        engine,
        geography,
        vault,
        incident.id,
        closed,
        report,
        int(garut["id"]),
        int(garut["version"]),
        token,
        (places[0], places[1]),
        places[2],
        sent,
        household.household_id,
        payment,
        change.waiting,
        {kind: _waiting(engine, kind) for kind in ("reports", "roster", "stock", "households")},
    )


def _refusal(scenario: Scenario, aim: Aim) -> str | None:
    """What is wrong with how the store takes `aim`'s over-long value (None: refused by name,
    nothing stored)."""
    before = _snapshot(scenario.engine)
    try:
        aim.call(scenario)
    except InvalidInput as exc:
        said = {(e.field.rsplit(".", 1)[-1], e.code) for e in exc.errors}  # row[3].notes
        if (aim.field, aim.code) not in said:
            return f"refused as {sorted(said)[:3]}"[:200]
    except Exception as exc:
        return f"raised {type(exc).__name__}: {str(exc)[:120]}"
    else:
        return "accepted"
    return None if _snapshot(scenario.engine) == before else "refused, but stored something"


def test_every_text_argument_of_every_write_path_is_aimed_at_or_named() -> None:
    named = set(AIMED) | set(NOT_FREE_TEXT)  # a parameter covers its fields
    found = text_arguments()
    covered = {
        (p, a) for p, a in found for n in named if n[0] == p and f"{a}.".startswith(f"{n[1]}.")
    }
    unused = {
        (p, a)
        for p, a in named
        if not any(f[0] == p and f"{f[1]}.".startswith(f"{a}.") for f in found)
    }
    assert (found - covered, unused) == (set(), set())


def test_each_write_path_refuses_a_megabyte_by_name_and_stores_nothing(
    demo_engine, geography
) -> None:
    scenario = _scenario(demo_engine, geography)
    found = {key: _refusal(scenario, aim) for key, aim in AIMED.items()}
    assert {key: said for key, said in found.items() if said} == {}


# -- the case reproduced, and the bounds where they fit real use ----------------------------


def _count(engine: Engine, model: type) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(model))


def test_a_megabyte_of_needs_is_refused_by_the_store_and_through_a_reporter_link(
    demo_engine, geography
) -> None:
    (incident,) = store.incidents(demo_engine)
    link = NewLink.check({"name": "Siti", "role": "tksk", "kecamatan": "32.03.11"}, geography)
    _, token = reporter_store.create_link(demo_engine, SYSTEM, link)
    moment = (utcnow() - timedelta(minutes=5)).isoformat()
    values = {"incident_id": incident.id, "kecamatan_code": "32.03.11", "report_time": moment}
    needs = "selimut: 300; " * (MEGABYTE // 14)  # a megabyte of well-formed items
    reports, audited = _count(demo_engine, ImpactReport), _count(demo_engine, AuditEntry)
    with pytest.raises(InvalidInput) as typed:
        report = ReportInput.check(
            {**values, "reporter": "Operator", "source": "dinsos", "needs": needs}, geography
        )
        report_store.save_report(demo_engine, report, SYSTEM)
    with pytest.raises(InvalidInput) as linked:
        reporter_store.save_field_report(demo_engine, token, {**values, "needs": needs}, geography)
    for refused in (typed, linked):
        said = [(e.field, e.code, e.params["max_length"]) for e in refused.value.errors]
        assert said == [("needs", "too_long", NOTE)]
    assert (_count(demo_engine, ImpactReport), _count(demo_engine, AuditEntry)) == (
        reports,
        audited,
    )
    with Session(demo_engine) as session:
        assert session.scalar(select(ReporterLink.last_used_at)) is None


def test_a_needs_list_takes_a_poskos_whole_list_and_no_more(demo_engine) -> None:
    (incident,) = store.incidents(demo_engine)
    moment = (utcnow() - timedelta(minutes=5)).isoformat()
    values = {
        "incident_id": incident.id,
        "kecamatan_code": "32.03.11",
        "report_time": moment,
        "reporter": "Operator",
        "source": "dinsos",
    }
    longest = [
        {"item": f"{i:02d}" + "x" * (WORDS - 2), "qty": 1, "date": "9" * SHORT}
        for i in range(ITEMS)
    ]
    typed = "; ".join(f"item {i}: {i}" for i in range(ITEMS))
    for needs in (longest, typed):
        saved = report_store.save_report(
            demo_engine, ReportInput.check({**values, "needs": needs}, None), SYSTEM
        )
        assert (
            len(report_store.all_versions(demo_engine).set_index("id").loc[saved.id, "needs"])
            == ITEMS
        )
    for needs, where in (
        ([*longest, longest[0]], "count"),
        ([{**longest[0], "item": "x" * (WORDS + 1)}], "item"),
        ([{**longest[0], "date": "9" * (SHORT + 1)}], "date"),
        (f"{typed}; one more: 1", "count"),
        ("selimut: 1; " + " " * NOTE, "text"),
    ):
        with pytest.raises(InvalidInput) as refused:
            ReportInput.check({**values, "needs": needs}, None)
        assert [(e.field, e.code) for e in refused.value.errors] == [("needs", "too_long")], where


def test_the_longest_name_a_reporter_link_takes_is_recorded_with_each_report(
    demo_engine, geography
) -> None:
    """The store records a link's reports as "<name> (lapor #<id>)" in `String(80)` columns:
    a name the link takes must fit there (PostgreSQL refuses a longer one)."""
    longest = next(
        m.max_length for m in NewLink.model_fields["name"].metadata if hasattr(m, "max_length")
    )
    name = "S" * longest
    link = NewLink.check({"name": name, "role": "tksk", "kecamatan": "32.03.11"}, geography)
    link_id, token = reporter_store.create_link(demo_engine, SYSTEM, link)
    (incident,) = store.incidents(demo_engine)
    moment = (utcnow() - timedelta(minutes=5)).isoformat()
    values = {"incident_id": incident.id, "kecamatan_code": "32.03.11", "report_time": moment}
    saved = reporter_store.save_field_report(
        demo_engine, token, {**values, "deaths": 1}, geography, confirmed=True
    )
    row = report_store.all_versions(demo_engine).set_index("id").loc[saved.id]
    assert (row["reporter"], row["created_by"]) == (name, f"{name} (lapor #{link_id})")
    with pytest.raises(InvalidInput):
        NewLink.check({"name": name + "S", "role": "tksk", "kecamatan": "32.03.11"}, geography)
