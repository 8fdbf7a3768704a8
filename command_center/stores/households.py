"""Affected households of an incident, their Kemensos assistance and the social-registry match.

Personal fields (KK number, NIK, names, address, bank account) are sealed with the vault before
they reach a session, so the database, its files and the audit log never hold them in clear;
lists read only masked forms and keyed hashes. Opening a household in clear (`reveal`) and every
named export need the `pii` permission inside the household's area and are audited with who and
why. What changes a registered family at once and what waits for a second person is in
`stores/household_changes.py`; rules and formats are in `services/households.py`.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import Engine, case, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from command_center.base import pdp, tables
from command_center.base.auth import Principal, in_scope, permits, require, require_in
from command_center.base.db import bulk_write, next_ids, writing
from command_center.base.errors import (
    CommandCenterError,
    DuplicateHousehold,
    FieldError,
    InvalidInput,
    NotFound,
    StaleRecord,
)
from command_center.base.geography import Geography
from command_center.base.models import (
    AssistancePayment,
    AuditEntry,
    Household,
    HouseholdChange,
    HouseholdMember,
    IncidentArea,
    PdpKeyCheck,
    QuarantinedRow,
    RegistryEntry,
    Shelter,
)
from command_center.base.pdp import Vault, mask, mask_name
from command_center.base.settings import ImportLimits, ProbeLimits
from command_center.base.times import format_wib, utcnow
from command_center.services import households as rules
from command_center.services.exports import watermarked_csv
from command_center.services.validation import LINE, NAME, REASON, check_lengths
from command_center.services.xlsform import MEMBERS
from command_center.sources.odk import Submission
from command_center.stores import forms as form_store
from command_center.stores import household_changes as changes
from command_center.stores import imports
from command_center.stores.common import frame, recent_actions, rechain_audit, record_audit

HOUSEHOLDS = "households"  # the quarantine kind
DEFAULT_PROBES = ProbeLimits()
DUPLICATE_ACTIONS = ("duplicate", "duplicate_refused")  # the audited hits on other families
SEALED_ENTITIES = ("household", HOUSEHOLDS)  # audit entries that may hold sealed values


def _sealed(vault: Vault) -> imports.Sealed:
    """A quarantined person row is sealed whole; its incident stays readable to land it."""
    return imports.Sealed(vault, clear=("incident_id",))


def _summary(household: Household) -> dict[str, Any]:
    """What the audit log keeps of a household in the open: no personal data, its masked KK."""
    return {
        "kk": household.kk_masked,
        "kecamatan_code": household.kecamatan_code,
        "members": len(household.members),
        "damage": household.damage,
    }


def _shelter_in(session: Session, incident_id: int, shelter_id: int | None) -> None:
    if shelter_id is None:
        return
    shelter = session.get(Shelter, shelter_id)
    if shelter is None or shelter.incident_id != incident_id:
        raise InvalidInput([FieldError("shelter_id", "unknown_shelter", {"value": shelter_id})])


def _incident_kecamatan(session: Session, incident_id: int) -> set[str]:
    query = select(IncidentArea.kecamatan_code).where(IncidentArea.incident_id == incident_id)
    return set(session.scalars(query))


def _in_incident(session: Session, incident_id: int, kecamatan_code: str) -> None:
    """A family belongs to a kecamatan of its incident's area."""
    if kecamatan_code not in _incident_kecamatan(session, incident_id):
        error = FieldError("kecamatan_code", "not_in_incident", {"value": kecamatan_code})
        raise InvalidInput([error])


@dataclass(frozen=True)
class Saved:
    """What became of an entry: the household it changed or created (None: a duplicate the
    one entering it may not see), and the change waiting for review when it did not take
    effect."""

    household_id: int | None
    waiting: int | None = None


def save_household(
    engine: Engine,
    vault: Vault,
    incident_id: int,
    entry: rules.HouseholdInput,
    actor: Principal,
    household_id: int | None = None,
    version: int | None = None,
    merge_into: int | None = None,
    field_entry: bool = False,
    limits: ProbeLimits = DEFAULT_PROBES,
) -> Saved:
    """Register a family (`household_id` None) or change one (at `version`).

    A family already registered for the incident (same KK, or a member's NIK in another
    household) is a duplicate: someone who may open that household (`pii` in its area) is
    refused with `DuplicateHousehold` naming it, and saving again with `merge_into` merges
    (the entry's fields win, members matched by NIK, those only it had kept); anyone else's
    entry waits, sealed, for a data officer. A `field_entry` (a reporter's link) takes a family
    the link registered itself as a merge; any other family is a duplicate to it. A change
    waits for review too when it changes what is paid (`rules.Change.payment`). Duplicate hits
    are audited and limited per actor.

    Raises:
        Forbidden: `actor` may not register households in the kecamatan.
        InvalidInput: the kecamatan is not in the incident's area, the shelter is not one of
            the incident's, or `actor` hit other families too often (`too_many_duplicates`).
        DuplicateHousehold: as above.
        StaleRecord: someone changed the household since `version`.
    """
    require_in(actor, "household", entry.kecamatan_code)
    kk_index = vault.index(entry.kk)
    nik_indexes = vault.indexes(m.nik for m in entry.members)
    shot = entry.model_dump(mode="json")
    refused: CommandCenterError | None = None
    try:
        with writing(engine) as session, session.begin():
            pdp.ensure_key(session, vault)
            _in_incident(session, incident_id, entry.kecamatan_code)
            _shelter_in(session, incident_id, entry.shelter_id)
            target = household_id if household_id is not None else merge_into
            clash = changes.duplicate(session, incident_id, kk_index, nik_indexes, target)
            if clash is not None and field_entry and clash[1] == "kk":
                if clash[0].created_by == actor.name:  # the link's own family, sent again
                    target, clash = clash[0].id, None
            if clash is not None:
                other, reason, field = clash
                outcome = _duplicate(session, vault, shot, actor, other, reason, field, limits)
                if isinstance(outcome, Saved):
                    return outcome
                refused = outcome
            elif target is None:
                household = Household(
                    incident_id=incident_id, source="form", created_by=actor.name, members=[]
                )
                session.add(household)
                changes.write(vault, household, rules.merged({}, shot, False), actor)
                session.flush()
                after = {**_summary(household), **changes.sealed(vault, shot)}
                record_audit(session, actor.name, "create", "household", household.id, None, after)
                return Saved(household.id)
            else:
                keep = merge_into is not None or field_entry
                return _change(session, vault, target, incident_id, shot, actor, keep, version)
    except IntegrityError as exc:  # another clerk registered the same family a moment ago
        raise DuplicateHousehold(0, "race", "kk") from exc
    raise refused


def _change(
    session: Session,
    vault: Vault,
    household_id: int,
    incident_id: int,
    shot: dict[str, Any],
    actor: Principal,
    keep: bool,
    version: int | None,
) -> Saved:
    """An entry for a registered family: written, or waiting when it changes what is paid."""
    household = changes.household(session, household_id, incident_id)
    require_in(actor, "household", household.kecamatan_code)
    if version is not None and household.version != version:
        raise StaleRecord("household changed", household.updated_by)
    before = changes.snapshot(vault, household)
    after = rules.merged(before, shot, keep)
    found = rules.changes(before, after)
    if not found:
        return Saved(household.id)
    if any(c.payment for c in found):
        change = changes.propose(session, vault, household, shot, actor, "payment", keep, found)
        return Saved(household.id, change.id)
    changes.write(vault, household, after, actor)
    session.flush()
    record_audit(
        session,
        actor.name,
        "merge" if keep else "update",
        "household",
        household.id,
        changes.sealed(vault, before),
        {**_summary(household), **changes.sealed(vault, after)},
    )
    return Saved(household.id)


def _duplicate(
    session: Session,
    vault: Vault,
    shot: dict[str, Any],
    actor: Principal,
    other: Household,
    reason: str,
    field: str,
    limits: ProbeLimits,
) -> Saved | CommandCenterError:
    """An entry that hits another family: audited; refused when `actor` hit too often, named
    to those who may open that family, else waiting (sealed) for a data officer."""
    hits = recent_actions(session, actor.name, limits.duplicate_window_min, DUPLICATE_ACTIONS)
    after = {"reason": reason, "field": field}
    if hits >= limits.duplicate_hits:
        record_audit(session, actor.name, "duplicate_refused", "household", other.id, after=after)
        params = {"minutes": limits.duplicate_window_min}
        return InvalidInput([FieldError("kk", "too_many_duplicates", params)])
    record_audit(session, actor.name, "duplicate", "household", other.id, after=after)
    if permits(actor, "pii") and actor.covers(other.kecamatan_code):
        return DuplicateHousehold(other.id, reason, field, other.updated_by)
    before = changes.snapshot(vault, other)
    found = rules.changes(before, rules.merged(before, shot, True))
    change = changes.propose(session, vault, other, shot, actor, "duplicate", True, found)
    return Saved(None, change.id)


def reveal(
    engine: Engine, vault: Vault, household_id: int, actor: Principal, why: str
) -> dict[str, Any]:
    """A household in clear (KK, head, address, payout, members with NIK and name), for
    someone with `pii` in its area who says why; the view is audited.

    Raises:
        Forbidden: `actor` may not see personal data there.
        InvalidInput: no reason given (`why`).
    """
    require(actor, "pii")
    why = _reason(why)
    with Session(engine) as session, session.begin():
        pdp.ensure_key(session, vault)
        household = changes.household(session, household_id)
        require_in(actor, "pii", household.kecamatan_code)
        record_audit(session, actor.name, "view_pii", "household", household_id, after={"why": why})
        return {
            "kk": vault.open(household.kk_sealed, "kk"),
            "head": vault.open(household.head_sealed, "name"),
            "address": vault.open(household.address_sealed, "address"),
            "payout": vault.open(household.payout_sealed, "payout"),
            "members": [
                {
                    "id": m.id,
                    "nik": vault.open(m.nik_sealed, "nik"),
                    "name": vault.open(m.name_sealed, "name"),
                    "sex": m.sex,
                    "birth_date": m.birth_date,
                    "relation": m.relation,
                    "casualty": m.casualty,
                    "pregnant": m.pregnant,
                    "disabled": m.disabled,
                }
                for m in household.members
            ],
        }


# Spreadsheet import: one row per person, the family's fields on each (or on the head's) row


class _Writer:
    """Lands valid person rows: each KK becomes one household, or joins the one already
    registered for the incident (the newest row wins, as in `rules.merged`); each NIK is one
    member. New families are inserted in bulk when the import closes; a registered family
    whose rows change what is paid waits whole for a second person's review (its rows are
    noted), the others change at once."""

    def __init__(self, vault: Vault, incident_id: int):
        self.vault, self.incident_id = vault, incident_id
        self.known: dict[str, int] | None = None  # kk_index -> stored household
        self.niks: dict[str, str] = {}  # nik_index -> kk_index of its household
        self.shelters: dict[str, int] = {}
        self.areas: set[str] = set()  # the incident's kecamatan
        self.new: dict[str, dict[str, Any]] = {}  # kk_index -> household row, with "members"
        # kk_index -> (a registered family rows joined, as it was, as the rows make it)
        self.joined: dict[str, tuple[Household, dict, dict]] = {}
        self.waiting: set[str] = set()  # NIKs of the people whose family waits for review
        self.kk_indexes: dict[str, str] = {}  # a family's rows share one KK: hashed once
        self.actor: Principal | None = None

    def _load(self, session: Session) -> None:
        incident = self.incident_id
        query = select(Household.kk_index, Household.id).where(Household.incident_id == incident)
        self.known = dict(session.execute(query).all())
        members = (
            select(HouseholdMember.nik_index, Household.kk_index)
            .join(Household)
            .where(HouseholdMember.incident_id == incident)
        )
        self.niks = dict(session.execute(members).all())
        shelters = select(Shelter.name, Shelter.id).where(Shelter.incident_id == incident)
        self.shelters = {name.casefold(): i for name, i in session.execute(shelters)}
        self.areas = _incident_kecamatan(session, incident)

    def __call__(self, session: Session, row: rules.MemberRow, actor: Principal) -> str:
        if self.known is None:
            self._load(session)
        self.actor = actor
        in_scope(actor, row.kecamatan_code)
        if row.kecamatan_code not in self.areas:
            params = {"value": row.kecamatan_code}
            raise InvalidInput([FieldError("kecamatan_code", "not_in_incident", params)])
        shelter_id = None
        if row.shelter is not None:
            shelter_id = self.shelters.get(row.shelter.casefold())
            if shelter_id is None:
                raise InvalidInput(
                    [FieldError("shelter", "unknown_shelter", {"value": row.shelter})]
                )
        kk_index = self.kk_indexes.get(row.kk) or self.kk_indexes.setdefault(
            row.kk, self.vault.index(row.kk)
        )
        nik_index = self.vault.index(row.nik)
        family = self.niks.get(nik_index)
        if family is not None and family != kk_index:
            other = self.known.get(family)
            raise InvalidInput([FieldError("nik", "nik_elsewhere", {"value": other or "?"})])
        self.niks[nik_index] = kk_index
        displaced = row.displaced or shelter_id is not None
        if kk_index in self.known:
            return self._join(session, kk_index, row, shelter_id, displaced)
        fields = {
            "kecamatan_code": row.kecamatan_code,
            "desa": row.desa,
            "updated_by": actor.name,
        }
        if row.address:
            fields["address_sealed"] = self.vault.seal(row.address, "address")
        if row.payout:
            fields["payout_sealed"] = self.vault.seal(row.payout, "payout")
        if row.damage:
            fields["damage"] = row.damage
        if shelter_id is not None:
            fields["shelter_id"] = shelter_id
        if row.relation == "kepala_keluarga":
            fields["head_sealed"] = self.vault.seal(row.name, "name")
            fields["head_masked"] = mask_name(row.name)
        family_row = self.new.get(kk_index)
        if family_row is None:
            family_row = self.new[kk_index] = {
                "incident_id": self.incident_id,
                "kk_sealed": self.vault.seal(row.kk, "kk"),
                "kk_index": kk_index,
                "kk_masked": mask(row.kk),
                "head_sealed": fields.get("head_sealed") or self.vault.seal(row.name, "name"),
                "head_masked": fields.get("head_masked") or mask_name(row.name),
                "damage": "tidak",
                "displaced": False,
                "source": "import",
                "created_by": actor.name,
                "members": {},
            }
        family_row.update(fields)
        family_row["displaced"] = family_row["displaced"] or displaced
        outcome = "updated" if nik_index in family_row["members"] else "created"
        family_row["members"][nik_index] = _member_row(self.vault, row, nik_index, self.incident_id)
        return outcome

    def _join(
        self,
        session: Session,
        kk_index: str,
        row: rules.MemberRow,
        shelter_id: int | None,
        displaced: bool,
    ) -> str:
        """A person of a family registered before (by a form or another reporter's file):
        the row is merged into what the family will be when the import closes."""
        if kk_index not in self.joined:
            household = changes.household(session, self.known[kk_index])
            before = changes.snapshot(self.vault, household)
            self.joined[kk_index] = (household, before, before)
        household, before, after = self.joined[kk_index]
        family = {name: getattr(row, name) for name in rules.FAMILY_FIELDS if name != "shelter_id"}
        person = row.model_dump(mode="json", include={"nik", *rules.MEMBER_FIELDS})
        entry = {**family, "shelter_id": shelter_id, "displaced": displaced, "members": [person]}
        outcome = "updated" if any(m["nik"] == row.nik for m in after["members"]) else "created"
        self.joined[kk_index] = (household, before, rules.merged(after, entry, True))
        return outcome

    def notes(self, row: rules.MemberRow) -> list[FieldError]:
        """A row of a registered family whose changes wait for review."""
        if row.nik not in self.waiting:
            return []
        return [FieldError("kk", "change_waiting", {})]

    def close(self, session: Session) -> None:
        """Write (or send for review) the registered families the rows joined, then insert
        the new families and their members in bulk."""
        for household, before, after in self.joined.values():
            found = rules.changes(before, after)
            if any(c.payment for c in found):
                changes.propose(
                    session, self.vault, household, after, self.actor, "payment", True, found
                )
                self.waiting.update(p["nik"] for p in after["members"])
            elif found:
                changes.write(self.vault, household, after, self.actor)
                record_audit(
                    session,
                    self.actor.name,
                    "merge",
                    "household",
                    household.id,
                    changes.sealed(self.vault, before),
                    {**_summary(household), **changes.sealed(self.vault, after)},
                )
        self.joined = {}
        if not self.new:
            return
        families = [{k: v for k, v in f.items() if k != "members"} for f in self.new.values()]
        now = utcnow()
        numbers = next_ids(session, Household.__table__, len(families))
        for family, number in zip(families, numbers, strict=True):
            family.update(id=number, updated_at=now, version=1)
            for optional in ("address_sealed", "payout_sealed", "shelter_id"):
                family.setdefault(optional, None)
        bulk_write(session, Household.__table__, families)
        ids = {family["kk_index"]: family["id"] for family in families}
        members = [
            {**person, "household_id": ids[kk_index]}
            for kk_index, family in self.new.items()
            for person in family["members"].values()
        ]
        bulk_write(session, HouseholdMember.__table__, members)
        record_audit(
            session,
            families[0]["created_by"],
            "import",
            "household",
            self.incident_id,
            after={"households": len(families), "members": len(members)},
        )
        self.new = {}


def _member_row(
    vault: Vault, row: rules.MemberInput, nik_index: str, incident_id: int
) -> dict[str, Any]:
    return {
        "incident_id": incident_id,
        "nik_sealed": vault.seal(row.nik, "nik"),
        "nik_index": nik_index,
        "nik_masked": mask(row.nik),
        "name_sealed": vault.seal(row.name, "name"),
        "sex": row.sex,
        "birth_date": row.birth_date,
        "relation": row.relation,
        "casualty": row.casualty,
        "pregnant": row.pregnant,
        "disabled": row.disabled,
    }


def import_households(
    engine: Engine,
    vault: Vault,
    data: bytes,
    file_name: str,
    incident_id: int,
    geography: Geography | None,
    actor: Principal,
    limits: ImportLimits,
    progress: imports.Progress | None = None,
) -> imports.ImportReport:
    """Import people of affected families from CSV/Excel, one row per person. Valid rows land;
    the others wait in quarantine with their personal fields sealed.

    Raises:
        Forbidden: `actor` may not import named lists.
        ImportFileError: the file as a whole cannot be read.
    """
    table = imports.preview(data, file_name, HOUSEHOLDS, rules.IMPORT_HEADERS, actor, limits)
    return imports.run_import(
        engine,
        HOUSEHOLDS,
        file_name,
        table.rows,
        lambda values: rules.MemberRow.check(values, geography),
        _Writer(vault, incident_id),
        actor,
        key=lambda r: r.nik,
        key_field="nik",
        progress=progress,
        context={"incident_id": incident_id},
        sealed=_sealed(vault),
    )


def save_form_households(
    engine: Engine,
    vault: Vault,
    server: str,
    form: str,
    submissions: list[Submission],
    geography: Geography | None,
    actor: Principal,
    incident_id: int | None = None,
) -> imports.ImportReport:
    """Store the household-form submissions (ODK/Kobo) not pulled before: each person of the
    `anggota` repeat lands as a spreadsheet row would (the family once, a family registered
    before is joined, the newest answer wins), for `incident_id` or else the newest open
    incident holding the kecamatan. Wrong persons wait in the sealed quarantine.

    Raises:
        Forbidden: `actor` may not import named lists.
    """
    pulled = form_store.seen(engine, server, form)
    current = {s.submission_id: s for s in submissions}.values()  # a server lists the newest
    fresh = [s for s in current if s.version_id not in pulled]
    incidents = form_store.incident_of(engine) if incident_id is None else {}
    by_incident: dict[int | None, list[imports.RawRow]] = {}
    submission_of: dict[int, int] = {}  # person row -> its submission's number
    for number, submission in enumerate(fresh, start=1):
        family = {k: v for k, v in submission.answers.items() if k in rules.FAMILY_ANSWERS}
        target = incident_id or incidents.get(family.get("kecamatan_code", ""))
        for person in submission.repeats.get(MEMBERS, []):
            row = {**family, **person, "submission_id": submission.submission_id}
            row["server_review"] = "rejected" if submission.rejected else ""
            submission_of[len(submission_of) + 1] = number
            by_incident.setdefault(target, []).append(imports.RawRow(len(submission_of), row))
    reports = [
        imports.run_import(
            engine,
            HOUSEHOLDS,
            f"odk:{form}",
            rows,
            _form_check(target, geography),
            _Writer(vault, target or 0),
            actor,
            key=lambda r: r.nik,
            key_field="nik",
            context={"incident_id": target} if target else None,
            sealed=_sealed(vault),
        )
        for target, rows in by_incident.items()
    ]
    waiting = {submission_of[p.number] for r in reports for p in r.problems}
    with Session(engine) as session, session.begin():
        form_store.remember_pulled(session, server, form, fresh, lambda n, _: n in waiting)
    return _combined(reports, len(submission_of))


def _form_check(incident_id: int | None, geography: Geography | None):
    """A submitted person's check: refused on the server, or no open incident, waits."""

    def check(values: Mapping[str, Any]) -> rules.MemberRow:
        if values.get("server_review") == "rejected":
            raise InvalidInput([FieldError("server_review", "rejected_on_server")])
        if incident_id is None:
            raise InvalidInput([FieldError("incident_id", "no_open_incident")])
        return rules.MemberRow.check(values, geography)

    return check


def _combined(reports: list[imports.ImportReport], total: int) -> imports.ImportReport:
    """One report of several imports (one per incident)."""
    return imports.ImportReport(
        "",
        total,
        sum(r.created for r in reports),
        sum(r.updated for r in reports),
        tuple(p for r in reports for p in r.problems),
        tuple(n for r in reports for n in r.notes),
    )


def resubmit_households(
    engine: Engine,
    vault: Vault,
    edits: dict[int, dict[str, Any]],
    geography: Geography | None,
    actor: Principal,
) -> imports.ImportReport:
    """Check corrected quarantined person rows again; the valid ones land in their incident."""
    require(actor, "pii")
    by_incident: dict[int, dict[int, dict[str, Any]]] = {}
    for row in imports.quarantine(engine, HOUSEHOLDS, actor):
        if row.id in edits:
            incident_id = int(row.data.get("incident_id", 0))
            by_incident.setdefault(incident_id, {})[row.id] = edits[row.id]
    reports = []
    for incident_id, mine in sorted(by_incident.items()):
        reports.append(
            imports.resubmit(
                engine,
                HOUSEHOLDS,
                mine,
                lambda values: rules.MemberRow.check(values, geography),
                _Writer(vault, incident_id),
                actor,
                sealed=_sealed(vault),
            )
        )
    return _combined(reports, len(edits))


def _reason(why: str | None) -> str:
    """The reason someone gives for opening personal data (a few words' worth, at most
    `REASON` characters)."""
    why = " ".join((why or "").split())
    if len(why) < 5:
        raise InvalidInput([FieldError("why", "reason_needed", {})])
    check_lengths(why=(why, REASON))
    return why


def open_quarantine(
    engine: Engine, vault: Vault, actor: Principal, why: str
) -> list[dict[str, Any]]:
    """Quarantined person rows inside `actor`'s area, in clear for correcting (id, file_name,
    row_number, data, errors); the view is audited with `why`.

    Raises:
        Forbidden: `actor` may not see personal data.
        InvalidInput: no reason given (`why`).
    """
    require(actor, "pii")
    why = _reason(why)
    rows = imports.quarantine(engine, HOUSEHOLDS, actor)
    with Session(engine) as session, session.begin():
        pdp.ensure_key(session, vault)
        after = {"why": why, "rows": len(rows)}
        record_audit(session, actor.name, "view_pii", "quarantine", HOUSEHOLDS, after=after)
    sealed = _sealed(vault)
    return [
        {
            "id": r.id,
            "file_name": r.file_name,
            "row_number": r.row_number,
            "data": sealed.open(r.data),
            "errors": [{**e, "params": sealed.open(e["params"])} for e in r.errors],
        }
        for r in rows
    ]


def rotate_key(engine: Engine, old: Vault, new: Vault, actor: Principal) -> dict[str, int]:
    """Seal every personal value again with `new`, and hash every identity number with it, in
    one transaction: households, members, payments, changes waiting for review, the sealed
    quarantine and the sealed values in the audit log. The store's key check becomes the new
    key's. The registry extract, kept as hashes of NIKs only, cannot be hashed again: it is
    emptied (import it again). Returns how many rows of each kind were sealed again.

    Raises:
        Forbidden: not an unscoped data officer or admin.
        KeyMissing: `old` is not the store's key.
    """
    require_in(actor, "pii", None)
    with writing(engine) as session, session.begin():
        pdp.ensure_key(session, old)
        indexes: dict[str, str] = {}  # old keyed hash -> new, for the payments' subjects
        families = session.scalars(select(Household).options(selectinload(Household.members)))
        counted = {"households": 0, "members": 0}
        for family in families:
            kk = old.open(family.kk_sealed, "kk")
            indexes[family.kk_index] = family.kk_index = new.index(kk)
            family.kk_sealed = new.seal(kk, "kk")
            for name, field in (("head", "name"), ("address", "address"), ("payout", "payout")):
                column = f"{name}_sealed"
                setattr(family, column, old.reseal(getattr(family, column), field, new))
            for member in family.members:
                nik = old.open(member.nik_sealed, "nik")
                indexes[member.nik_index] = member.nik_index = new.index(nik)
                member.nik_sealed = new.seal(nik, "nik")
                member.name_sealed = old.reseal(member.name_sealed, "name", new)
            counted["households"] += 1
            counted["members"] += len(family.members)
        payments = list(session.scalars(select(AssistancePayment)))
        for payment in payments:
            payment.subject = indexes.get(payment.subject, payment.subject)
            payment.payout_sealed = old.reseal(payment.payout_sealed, "payout", new)
        waiting = list(session.scalars(select(HouseholdChange)))
        for change in waiting:
            change.entry_sealed = old.reseal(change.entry_sealed, changes.SEALED_AS, new)
        held = list(
            session.scalars(select(QuarantinedRow).where(QuarantinedRow.kind == HOUSEHOLDS))
        )
        for row in held:
            row.data, row.errors = old.reseal_row(row.data, new), old.reseal_row(row.errors, new)
        audited = list(
            session.scalars(select(AuditEntry).where(AuditEntry.entity.in_(SEALED_ENTITIES)))
        )
        for entry in audited:
            entry.before = old.reseal_row(entry.before, new)
            entry.after = old.reseal_row(entry.after, new)
        rechained_from = rechain_audit(session, audited)  # resealed entries hash anew
        dropped = session.execute(delete(RegistryEntry)).rowcount
        session.get(PdpKeyCheck, 1).check_value = new.check_value
        counted |= {
            "payments": len(payments),
            "changes": len(waiting),
            "quarantine": len(held),
            "audit": len(audited),
            "registry_dropped": dropped,
        }
        record_audit(
            session,
            actor.name,
            "rotate_key",
            "pdp_key",
            1,
            {"check_value": old.check_value},
            {"check_value": new.check_value, **counted, "audit_rechained_from": rechained_from},
        )
    return counted


# Reads: masked forms and keyed hashes only


def households(engine: Engine, incident_id: int) -> pd.DataFrame:
    """The incident's households, masked: id, kecamatan_code, desa, kk_masked, head_masked,
    damage, displaced, shelter_id, source, updated_by, updated_at, version, members."""
    people = (
        select(HouseholdMember.household_id, func.count().label("members"))
        .group_by(HouseholdMember.household_id)
        .subquery()
    )
    query = (
        select(
            Household.id,
            Household.kecamatan_code,
            Household.desa,
            Household.kk_masked,
            Household.head_masked,
            Household.kk_index,
            Household.damage,
            Household.displaced,
            Household.shelter_id,
            Household.source,
            Household.updated_by,
            Household.updated_at,
            Household.version,
            func.coalesce(people.c.members, 0).label("members"),
        )
        .outerjoin(people, people.c.household_id == Household.id)
        .where(Household.incident_id == incident_id)
        .order_by(Household.kecamatan_code, Household.desa, Household.id)
    )
    return frame(engine, query)


def members(engine: Engine, incident_id: int) -> pd.DataFrame:
    """The incident's people, masked: id, household_id, nik_masked, nik_index, sex, birth_date,
    relation, casualty, pregnant, disabled."""
    query = (
        select(
            HouseholdMember.id,
            HouseholdMember.household_id,
            HouseholdMember.nik_masked,
            HouseholdMember.nik_index,
            HouseholdMember.sex,
            HouseholdMember.birth_date,
            HouseholdMember.relation,
            HouseholdMember.casualty,
            HouseholdMember.pregnant,
            HouseholdMember.disabled,
        )
        .where(HouseholdMember.incident_id == incident_id)
        .order_by(HouseholdMember.household_id, HouseholdMember.id)
    )
    return frame(engine, query)


def shelter_names(engine: Engine, incident_id: int) -> dict[int, str]:
    """The incident's shelters: id -> name."""
    query = select(Shelter.id, Shelter.name).where(Shelter.incident_id == incident_id)
    with engine.connect() as conn:
        return dict(conn.execute(query).all())


def registry_size(engine: Engine) -> int:
    """How many people the stored registry extract holds."""
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(RegistryEntry)) or 0


def counts(engine: Engine, incident_id: int) -> pd.DataFrame:
    """Per kecamatan: families, people, casualties, displaced, houses by damage, vulnerable."""
    return rules.counts(households(engine, incident_id), members(engine, incident_id))


def totals(engine: Engine, incident_id: int) -> dict[str, int]:
    """The incident's `counts`, all kecamatan together."""
    table = counts(engine, incident_id)
    return {column: int(table[column].sum()) for column in table.columns}


# The social registry (DTSEN) extract: NIKs stored only as keyed hashes


def import_registry(
    engine: Engine,
    vault: Vault,
    data: bytes,
    file_name: str,
    actor: Principal,
    limits: ImportLimits,
):
    """Store an extract of the social registry (CSV: NIK and programme flags PKH, sembako/
    BPNT, PBI, optionally the decile; read within `limits`' memory and time, its rows not
    capped). Each NIK is kept as its keyed hash only; a NIK seen before takes the newer flags.
    Returns (rows stored, row numbers refused for a bad NIK).

    Raises:
        Forbidden: `actor` may not handle personal data.
        ImportFileError: not a CSV extract with a NIK column, or past `limits`.
    """
    require(actor, "pii")
    check_lengths(file_name=(file_name, LINE))
    columns = tables.read_columns(data, file_name, rules.REGISTRY_HEADERS, limits)
    table = pd.DataFrame(columns, dtype=object)
    niks = table["nik"].str.replace(r"[\s.\-']", "", regex=True)
    good = niks.str.fullmatch(r"\d{16}")
    refused = [int(i) + 2 for i in table.index[~good]]  # + the header row, counted from 1
    table, niks = table[good], niks[good]
    flags = {
        name: table[name].str.strip().str.casefold().isin(rules.YES_WORDS).tolist()
        if name in table
        else [False] * len(table)
        for name in ("pkh", "sembako", "pbi")
    }
    decile = (
        pd.to_numeric(table["decile"], errors="coerce").astype("Int64").tolist()
        if "decile" in table
        else [None] * len(table)
    )
    batch = uuid.uuid4().hex[:12]
    rows = [
        {
            "nik_index": index,
            "pkh": pkh,
            "sembako": sembako,
            "pbi": pbi,
            "decile": None if pd.isna(d) else int(d),
            "batch": batch,
        }
        for index, pkh, sembako, pbi, d in zip(
            vault.indexes(niks), flags["pkh"], flags["sembako"], flags["pbi"], decile, strict=True
        )
    ]
    unique = list({row["nik_index"]: row for row in rows}.values())  # a NIK twice: the last
    with writing(engine) as session, session.begin():
        pdp.ensure_key(session, vault)
        bulk_write(session, RegistryEntry.__table__, unique, key="nik_index")
        summary = {"file": file_name, "stored": len(rows), "refused": len(refused)}
        record_audit(session, actor.name, "import", "registry", batch, after=summary)
    return len(rows), refused


def registry_match(engine: Engine, incident_id: int) -> pd.DataFrame:
    """Per household of the incident: members, how many are in the registry, and how many
    receive PKH, sembako and PBI."""
    flag = lambda column: func.sum(case((column.is_(True), 1), else_=0))  # noqa: E731
    query = (
        select(
            HouseholdMember.household_id,
            func.count().label("members"),
            func.count(RegistryEntry.nik_index).label("in_registry"),
            flag(RegistryEntry.pkh).label("pkh"),
            flag(RegistryEntry.sembako).label("sembako"),
            flag(RegistryEntry.pbi).label("pbi"),
        )
        .outerjoin(RegistryEntry, RegistryEntry.nik_index == HouseholdMember.nik_index)
        .where(HouseholdMember.incident_id == incident_id)
        .group_by(HouseholdMember.household_id)
    )
    return frame(engine, query)


# Kemensos assistance payments


def propose_payments(
    engine: Engine,
    incident_id: int,
    actor: Principal,
    amounts: Mapping[str, int] | None = None,
    jadup_days: int = rules.JADUP_DAYS,
) -> int:
    """Propose (diusulkan) every payment the programmes owe the incident's households inside
    `actor`'s area that is not proposed yet; returns how many are new. A subject (a NIK or a
    KK) is proposed once per programme and incident, also when two clerks do this at once.

    Raises:
        Forbidden: `actor` may not handle assistance.
    """
    require(actor, "assistance")
    families = households(engine, incident_id)
    families = families.loc[[actor.covers(c) for c in families["kecamatan_code"]]]
    people = members(engine, incident_id)
    people = people[people["household_id"].isin(families["id"])]
    owed = rules.eligible(families, people, rules.programmes(amounts), jadup_days)
    if owed.empty:
        return 0
    now = utcnow()
    rows = [
        {
            "incident_id": incident_id,
            "programme": r.programme,
            "subject": r.subject,
            "household_id": int(r.household_id),
            "member_id": None if pd.isna(r.member_id) else int(r.member_id),
            "heir_id": None if pd.isna(r.heir_id) else int(r.heir_id),
            "amount": int(r.amount),
            "status": rules.PAYMENT_STATUSES[0],
            "proposed_at": now,
            "proposed_by": actor.name,
        }
        for r in owed.itertuples()
    ]
    upsert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
    with writing(engine) as session, session.begin():
        statement = (
            upsert(AssistancePayment)
            .on_conflict_do_nothing(index_elements=["incident_id", "programme", "subject"])
            .returning(AssistancePayment.id)
        )
        added = len(session.execute(statement, rows).all())  # only the rows inserted
        record_audit(
            session, actor.name, "propose", "assistance", incident_id, after={"new": added}
        )
    return added


def advance_payment(
    engine: Engine,
    payment_id: int,
    actor: Principal,
    reference: str | None = None,
    paid_on: date | None = None,
) -> str:
    """Move a payment on (diusulkan → diverifikasi → disalurkan); returns its new status. It
    is verified by someone who neither proposed it nor entered the family (`four_eyes`), and
    keeps the payout it was verified with; it is disbursed with its date and transfer or
    receipt reference.

    Raises:
        Forbidden: `actor` may not handle assistance in the household's area.
        InvalidInput: already disbursed (`paid_twice`), verified by its maker (`four_eyes`),
            or no reference or date to disburse.
    """
    require(actor, "assistance")
    with writing(engine) as session, session.begin():
        payment = session.get(AssistancePayment, payment_id, with_for_update=True)
        if payment is None:
            raise NotFound(f"payment {payment_id}")
        household = session.get(Household, payment.household_id) if payment.household_id else None
        require_in(actor, "assistance", household.kecamatan_code if household else None)
        target = rules.next_status(payment.status)
        if target is None:
            raise InvalidInput([FieldError("status", "paid_twice", {"value": payment.reference})])
        before = {"status": payment.status}
        if target == "diverifikasi":
            entered = (household.created_by, household.updated_by) if household else ()
            if actor.name in {payment.proposed_by, *entered}:  # not on one person's word
                raise InvalidInput([FieldError("status", "four_eyes", {"value": actor.name})])
            payment.verified_at, payment.verified_by = utcnow(), actor.name
            if household is not None:  # paid where it was verified
                payment.payout_sealed = household.payout_sealed
        else:
            reference = " ".join((reference or "").split())
            check_lengths(reference=(reference, NAME))
            problems = [FieldError("reference", "missing")] if not reference else []
            if paid_on is None:
                problems.append(FieldError("paid_on", "missing"))
            if problems:
                raise InvalidInput(problems)
            payment.paid_on, payment.paid_by, payment.reference = paid_on, actor.name, reference
        payment.status = target
        after = {"status": target, "reference": payment.reference}
        record_audit(session, actor.name, "advance", "assistance", payment_id, before, after)
        return target


def payments(engine: Engine, incident_id: int) -> pd.DataFrame:
    """The incident's payments with their household's kecamatan and masked KK."""
    query = (
        select(
            AssistancePayment.id,
            AssistancePayment.programme,
            AssistancePayment.household_id,
            AssistancePayment.member_id,
            AssistancePayment.heir_id,
            AssistancePayment.amount,
            AssistancePayment.status,
            AssistancePayment.proposed_at,
            AssistancePayment.verified_at,
            AssistancePayment.paid_on,
            AssistancePayment.reference,
            Household.kecamatan_code,
            Household.kk_masked,
        )
        .outerjoin(Household, Household.id == AssistancePayment.household_id)
        .where(AssistancePayment.incident_id == incident_id)
        .order_by(AssistancePayment.programme, AssistancePayment.id)
    )
    return frame(engine, query)


# Named exports: pii inside the area, a reason, a watermark, an audit entry

NAMED_EXPORTS = ("households", "usulan", "payments")


def export_named(
    engine: Engine,
    vault: Vault,
    incident_id: int,
    kind: str,
    actor: Principal,
    why: str,
    now: datetime | None = None,
) -> bytes:
    """A named list as CSV (`households`: every person; `usulan`: families not in the social
    registry, in the registry update's format; `payments`: who is owed what and where it is
    paid), of the households inside `actor`'s area. Its first line says who exported it, when
    and why; the export is audited.

    Raises:
        Forbidden: `actor` may not see personal data.
        InvalidInput: no reason given (`why`).
    """
    require(actor, "pii")
    why = _reason(why)
    now = now or utcnow()
    with Session(engine) as session, session.begin():
        pdp.ensure_key(session, vault)
        query = (
            select(Household)
            .options(selectinload(Household.members))
            .where(Household.incident_id == incident_id)
            .order_by(Household.kecamatan_code, Household.desa, Household.id)
        )
        families = [h for h in session.scalars(query) if actor.covers(h.kecamatan_code)]
        if kind == "payments":
            paid = session.scalars(
                select(AssistancePayment)
                .where(AssistancePayment.incident_id == incident_id)
                .order_by(AssistancePayment.programme, AssistancePayment.id)
            )
            table = _payments_table(vault, families, list(paid))
        else:
            if kind == "usulan":
                matched = registry_match(engine, incident_id)
                known = set(matched.loc[matched["in_registry"] > 0, "household_id"])
                families = [h for h in families if h.id not in known]
            table = _people_table(vault, families)
        watermark = (
            f"RAHASIA - data pribadi (UU 27/2022). Diekspor oleh {actor.name} "
            f"pada {format_wib(now)} untuk: {why}"
        )
        record_audit(
            session,
            actor.name,
            "export",
            kind,
            incident_id,
            after={"rows": len(table), "why": why},
        )
    return watermarked_csv(table, watermark)


def _payments_table(
    vault: Vault, families: list[Household], paid: list[AssistancePayment]
) -> pd.DataFrame:
    """Who is paid what, where: the heir or injured person when the payment names one, else
    the head of the family; to the payout it was verified with, once verified."""
    by_family = {h.id: h for h in families}
    people = {m.id: m for h in families for m in h.members}
    rows = []
    for p in paid:
        family = by_family.get(p.household_id)
        if family is None:  # outside the exporter's area
            continue
        person = people.get(p.heir_id)
        name = person.name_sealed if person else family.head_sealed
        payout = p.payout_sealed or family.payout_sealed
        rows.append(
            {
                "program": p.programme,
                "no_kk": vault.open(family.kk_sealed, "kk"),
                "penerima": vault.open(name, "name"),
                "nik_penerima": vault.open(person.nik_sealed, "nik") if person else "",
                "rekening_atau_titik": vault.open(payout, "payout") or "",
                "kode_kecamatan": family.kecamatan_code,
                "desa": family.desa,
                "jumlah_rp": int(p.amount),
                "status": p.status,
                "tanggal_salur": p.paid_on or "",
                "referensi": p.reference or "",
            }
        )
    return pd.DataFrame(rows)


def _people_table(vault: Vault, families: list[Household]) -> pd.DataFrame:
    """Every person of `families`, in the registry update's new-household layout."""
    rows = []
    for family in families:
        kk = vault.open(family.kk_sealed, "kk")
        address = vault.open(family.address_sealed, "address") or ""
        for m in family.members:
            casualty = f"; {m.casualty}" if m.casualty else ""
            rows.append(
                {
                    "NO_KK": kk,
                    "NIK": vault.open(m.nik_sealed, "nik"),
                    "NAMA": vault.open(m.name_sealed, "name"),
                    "JENIS_KELAMIN": m.sex,
                    "TGL_LAHIR": m.birth_date.isoformat(),
                    "HUB_KELUARGA": m.relation,
                    "KODE_WILAYAH_KEC": family.kecamatan_code,
                    "DESA_KELURAHAN": family.desa,
                    "ALAMAT": address,
                    "KETERANGAN": f"korban bencana; rumah {family.damage}{casualty}",
                }
            )
    return pd.DataFrame(rows, columns=list(rules.USULAN_COLUMNS))
