"""Affected households of an incident, their Kemensos assistance and the social-registry match.

Personal fields (KK number, NIK, names, address, bank account) are sealed with the vault before
they reach a session, so the database, its files and the audit log never hold them in clear;
lists read only masked forms and keyed hashes. Opening a household in clear (`reveal`) and every
named export need the `pii` permission inside the household's area and are audited with who and
why. Rules and formats are in `services/households.py`.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import Engine, case, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from command_center import form_store, imports, tables
from command_center.auth import Principal, in_scope, require, require_in
from command_center.db import bulk_write, next_ids, writing
from command_center.errors import (
    DuplicateHousehold,
    FieldError,
    InvalidInput,
    NotFound,
    StaleRecord,
)
from command_center.geography import Geography
from command_center.models import (
    AssistancePayment,
    Household,
    HouseholdMember,
    RegistryEntry,
    Shelter,
)
from command_center.pdp import Vault, mask, mask_name
from command_center.services import households as rules
from command_center.services.exports import watermarked_csv
from command_center.services.xlsform import MEMBERS
from command_center.settings import ImportLimits
from command_center.sources.odk import Submission
from command_center.store import frame, record_audit
from command_center.times import format_wib, utcnow

HOUSEHOLDS = "households"  # the quarantine kind
SEALED_FIELDS = rules.PERSONAL


def _sealed(vault: Vault) -> imports.Sealed:
    return imports.Sealed(vault, SEALED_FIELDS)


def _summary(household: Household) -> dict[str, Any]:
    """What the audit log keeps of a household: no personal data, only its masked KK."""
    return {
        "kk": household.kk_masked,
        "kecamatan_code": household.kecamatan_code,
        "members": len(household.members),
        "damage": household.damage,
    }


def _apply_member(
    vault: Vault, member: HouseholdMember, entry: rules.MemberInput, nik_index: str
) -> None:
    member.nik_sealed = vault.seal(entry.nik, "nik")
    member.nik_index = nik_index
    member.nik_masked = mask(entry.nik)
    member.name_sealed = vault.seal(entry.name, "name")
    member.sex, member.birth_date, member.relation = entry.sex, entry.birth_date, entry.relation
    member.casualty, member.pregnant, member.disabled = (
        entry.casualty,
        entry.pregnant,
        entry.disabled,
    )


def _clash(
    session: Session, incident_id: int, nik_indexes: list[str], besides: int | None
) -> tuple[int, int, str] | None:
    """(position in the list, household, its author) of the first NIK already in another
    household of the incident."""
    if not nik_indexes:
        return None
    query = (
        select(HouseholdMember.nik_index, Household.id, Household.updated_by)
        .join(Household)
        .where(HouseholdMember.incident_id == incident_id)
        .where(HouseholdMember.nik_index.in_(nik_indexes))
    )
    found = {nik: (hid, by) for nik, hid, by in session.execute(query) if hid != besides}
    for position, nik in enumerate(nik_indexes):
        if nik in found:
            return position, *found[nik]
    return None


def _shelter_in(session: Session, incident_id: int, shelter_id: int | None) -> None:
    if shelter_id is None:
        return
    shelter = session.get(Shelter, shelter_id)
    if shelter is None or shelter.incident_id != incident_id:
        raise InvalidInput([FieldError("shelter_id", "unknown_shelter", {"value": shelter_id})])


def save_household(
    engine: Engine,
    vault: Vault,
    incident_id: int,
    entry: rules.HouseholdInput,
    actor: Principal,
    household_id: int | None = None,
    version: int | None = None,
    merge_into: int | None = None,
) -> int:
    """Register a family (`household_id` None) or change one (at `version`); returns its id.

    A family already registered for the incident (same KK, or a member's NIK in another
    household) is refused with `DuplicateHousehold` naming it; saving again with `merge_into`
    set to that household merges: its fields become these, members are matched by NIK (the
    newer entry wins) and those only it had are kept.

    Raises:
        Forbidden: `actor` may not register households in the kecamatan.
        DuplicateHousehold: as above.
        StaleRecord: someone changed the household since `version`.
        InvalidInput: the shelter is not one of the incident's.
    """
    require_in(actor, "household", entry.kecamatan_code)
    kk_index = vault.index(entry.kk)
    nik_indexes = vault.indexes(m.nik for m in entry.members)
    try:
        with writing(engine) as session, session.begin():
            _shelter_in(session, incident_id, entry.shelter_id)
            same_kk = session.scalar(
                select(Household).where(
                    Household.incident_id == incident_id, Household.kk_index == kk_index
                )
            )
            target = household_id if household_id is not None else merge_into
            if same_kk is not None and same_kk.id != target:
                raise DuplicateHousehold(same_kk.id, "kk", "kk", same_kk.updated_by)
            clash = _clash(session, incident_id, nik_indexes, target)
            if clash is not None:
                position, other, by = clash
                raise DuplicateHousehold(other, "nik", f"members[{position}].nik", by)
            if target is None:
                household = Household(
                    incident_id=incident_id, source="form", created_by=actor.name, members=[]
                )
                session.add(household)
                action = "create"
            else:
                household = _household(session, target, incident_id)
                require_in(actor, "household", household.kecamatan_code)
                if household_id is not None and version is not None:
                    if household.version != version:
                        raise StaleRecord("household changed", household.updated_by)
                action = "update" if merge_into is None else "merge"
            _fill(vault, household, entry, kk_index, actor)
            _members(vault, household, entry.members, nik_indexes, incident_id, keep=merge_into)
            session.flush()
            record_audit(
                session, actor.name, action, "household", household.id, after=_summary(household)
            )
            return household.id
    except IntegrityError as exc:  # another clerk registered the same family a moment ago
        raise DuplicateHousehold(0, "race", "kk") from exc


def _household(session: Session, household_id: int, incident_id: int | None = None) -> Household:
    household = session.get(Household, household_id, options=[selectinload(Household.members)])
    if household is None or (incident_id is not None and household.incident_id != incident_id):
        raise NotFound(f"household {household_id}")
    return household


def _fill(
    vault: Vault, household: Household, entry: rules.HouseholdInput, kk_index: str, actor: Principal
) -> None:
    household.kecamatan_code, household.desa = entry.kecamatan_code, entry.desa
    household.kk_sealed, household.kk_index, household.kk_masked = (
        vault.seal(entry.kk, "kk"),
        kk_index,
        mask(entry.kk),
    )
    head = entry.head.name
    household.head_sealed, household.head_masked = vault.seal(head, "name"), mask_name(head)
    household.address_sealed = vault.seal(entry.address, "address")
    household.payout_sealed = vault.seal(entry.payout, "payout")
    household.damage = entry.damage or "tidak"
    household.displaced = entry.displaced or bool(entry.shelter_id)
    household.shelter_id, household.updated_by = entry.shelter_id, actor.name


def _members(
    vault: Vault,
    household: Household,
    entries: list[rules.MemberInput],
    nik_indexes: list[str],
    incident_id: int,
    keep: int | None,
) -> None:
    """Members matched by NIK: changed in place, added, and (unless merging) dropped."""
    present = {m.nik_index: m for m in household.members}
    for entry, nik_index in zip(entries, nik_indexes, strict=True):
        member = present.pop(nik_index, None)
        if member is None:
            member = HouseholdMember(incident_id=incident_id)
            household.members.append(member)
        _apply_member(vault, member, entry, nik_index)
    if keep is None:
        for gone in present.values():
            household.members.remove(gone)


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
        household = _household(session, household_id)
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
    registered for the incident (the newest row wins); each NIK is one member. New families
    are inserted in bulk when the import closes."""

    def __init__(self, vault: Vault, incident_id: int):
        self.vault, self.incident_id = vault, incident_id
        self.known: dict[str, int] | None = None  # kk_index -> stored household
        self.niks: dict[str, str] = {}  # nik_index -> kk_index of its household
        self.shelters: dict[str, int] = {}
        self.new: dict[str, dict[str, Any]] = {}  # kk_index -> household row, with "members"
        self.stored: dict[str, Household] = {}
        self.kk_indexes: dict[str, str] = {}  # a family's rows share one KK: hashed once

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

    def __call__(self, session: Session, row: rules.MemberRow, actor: Principal) -> str:
        if self.known is None:
            self._load(session)
        in_scope(actor, row.kecamatan_code)
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
        head = row.relation == "kepala_keluarga"
        if head:
            fields["head_sealed"] = self.vault.seal(row.name, "name")
            fields["head_masked"] = mask_name(row.name)
        displaced = row.displaced or shelter_id is not None
        member = _member_row(self.vault, row, nik_index, self.incident_id)
        if kk_index in self.known:
            return self._join(session, kk_index, fields, displaced, member)
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
        family_row["members"][nik_index] = member
        return outcome

    def _join(
        self,
        session: Session,
        kk_index: str,
        fields: dict[str, Any],
        displaced: bool,
        member: dict[str, Any],
    ) -> str:
        """A person of a family registered before (by a form or another reporter's file)."""
        household = self.stored.get(kk_index)
        if household is None:
            household = self.stored[kk_index] = _household(session, self.known[kk_index])
        for name, value in fields.items():
            setattr(household, name, value)
        household.displaced = household.displaced or displaced
        present = next((m for m in household.members if m.nik_index == member["nik_index"]), None)
        if present is None:
            household.members.append(HouseholdMember(**member))
            return "created"
        for name, value in member.items():
            setattr(present, name, value)
        return "updated"

    def close(self, session: Session) -> None:
        """Insert the new families, then their members, in bulk."""
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
    """The reason someone gives for opening personal data (at least a few words' worth)."""
    why = " ".join((why or "").split())
    if len(why) < 5:
        raise InvalidInput([FieldError("why", "reason_needed", {})])
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
        after = {"why": why, "rows": len(rows)}
        record_audit(session, actor.name, "view_pii", "quarantine", HOUSEHOLDS, after=after)
    sealed = _sealed(vault)
    return [
        {
            "id": r.id,
            "file_name": r.file_name,
            "row_number": r.row_number,
            "data": sealed.open(r.data),
            "errors": r.errors,
        }
        for r in rows
    ]


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
    families = families[[actor.covers(c) for c in families["kecamatan_code"]]]
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
    """Move a payment on (diusulkan → diverifikasi → disalurkan); returns its new status. A
    payment is disbursed with its date and transfer or receipt reference.

    Raises:
        Forbidden: `actor` may not handle assistance in the household's area.
        InvalidInput: already disbursed (`paid_twice`), or no reference or date to disburse.
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
            payment.verified_at, payment.verified_by = utcnow(), actor.name
        else:
            reference = " ".join((reference or "").split())
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
        query = (
            select(Household)
            .options(selectinload(Household.members))
            .where(Household.incident_id == incident_id)
            .order_by(Household.kecamatan_code, Household.desa, Household.id)
        )
        families = [h for h in session.scalars(query) if actor.covers(h.kecamatan_code)]
        if kind == "payments":
            table = _payments_table(vault, families, payments(engine, incident_id))
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


def _payments_table(vault: Vault, families: list[Household], paid: pd.DataFrame) -> pd.DataFrame:
    """Who is paid what, where: the heir or injured person when the payment names one, else
    the head of the family."""
    by_family = {h.id: h for h in families}
    people = {m.id: m for h in families for m in h.members}
    rows = []
    for p in paid.itertuples():
        family = by_family.get(p.household_id)
        if family is None:  # outside the exporter's area
            continue
        person = people.get(int(p.heir_id)) if not pd.isna(p.heir_id) else None
        name = person.name_sealed if person else family.head_sealed
        rows.append(
            {
                "program": p.programme,
                "no_kk": vault.open(family.kk_sealed, "kk"),
                "penerima": vault.open(name, "name"),
                "nik_penerima": vault.open(person.nik_sealed, "nik") if person else "",
                "rekening_atau_titik": vault.open(family.payout_sealed, "payout") or "",
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
