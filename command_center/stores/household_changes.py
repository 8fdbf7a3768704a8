"""Changes to registered families: a household in clear as a snapshot, its direct writes, and
the changes that wait for a data officer instead of taking effect (`services/households.py`
says what touches payments).

A change waits when it changes what is paid or where (payout, the KK, membership, casualties,
the house, displacement: one person's word is not enough), or when it is a duplicate that the
one entering it may not see (a field reporter's entry for a family someone else registered
is one). The entry is sealed whole; a `pendata` or admin of the area, not the
one who entered it, opens it beside the family as it is then (audited), and accepts or
rejects it. Both sides of every household write are in the audit log, sealed.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, selectinload

from command_center.base import pdp
from command_center.base.auth import Principal, require, require_in
from command_center.base.db import writing
from command_center.base.errors import (
    DuplicateHousehold,
    FieldError,
    InvalidInput,
    NotFound,
    StaleRecord,
)
from command_center.base.models import (
    AssistancePayment,
    Household,
    HouseholdChange,
    HouseholdMember,
)
from command_center.base.pdp import Vault, mask, mask_name
from command_center.base.times import utcnow
from command_center.services import households as rules
from command_center.services.validation import LINE, check_lengths
from command_center.stores.common import frame, record_audit

SEALED_AS = "household_change"  # the field a change's entry is sealed for


def household(session: Session, household_id: int, incident_id: int | None = None) -> Household:
    """A household with its members (of `incident_id` when given).

    Raises:
        NotFound: no such household (in that incident).
    """
    found = session.get(Household, household_id, options=[selectinload(Household.members)])
    if found is None or (incident_id is not None and found.incident_id != incident_id):
        raise NotFound(f"household {household_id}")
    return found


def duplicate(
    session: Session, incident_id: int, kk_index: str, nik_indexes: list[str], besides: int | None
) -> tuple[Household, str, str] | None:
    """The incident's other household (not `besides`) with this KK or one of these NIKs: it,
    the reason (`kk`, `nik`) and the field (`kk`, `members[2].nik`); None when there is none."""
    same_kk = session.scalar(
        select(Household).where(
            Household.incident_id == incident_id, Household.kk_index == kk_index
        )
    )
    if same_kk is not None and same_kk.id != besides:
        return same_kk, "kk", "kk"
    if not nik_indexes:
        return None
    query = (
        select(HouseholdMember.nik_index, HouseholdMember.household_id)
        .where(HouseholdMember.incident_id == incident_id)
        .where(HouseholdMember.nik_index.in_(nik_indexes))
    )
    found = {nik: hid for nik, hid in session.execute(query) if hid != besides}
    for position, nik in enumerate(nik_indexes):
        if nik in found:
            return household(session, found[nik]), "nik", f"members[{position}].nik"
    return None


def snapshot(vault: Vault, family: Household) -> dict[str, Any]:
    """The household in clear, shaped as an entry (`HouseholdInput` in JSON form)."""
    return {
        "kk": vault.open(family.kk_sealed, "kk"),
        "kecamatan_code": family.kecamatan_code,
        "desa": family.desa,
        "address": vault.open(family.address_sealed, "address"),
        "damage": family.damage,
        "displaced": family.displaced,
        "shelter_id": family.shelter_id,
        "payout": vault.open(family.payout_sealed, "payout"),
        "members": [
            {
                "nik": vault.open(m.nik_sealed, "nik"),
                "name": vault.open(m.name_sealed, "name"),
                "sex": m.sex,
                "birth_date": m.birth_date.isoformat(),
                "relation": m.relation,
                "casualty": m.casualty,
                "pregnant": m.pregnant,
                "disabled": m.disabled,
            }
            for m in family.members
        ],
    }


def sealed(vault: Vault, shot: dict[str, Any]) -> dict[str, str]:
    """A snapshot as the audit log keeps it: sealed whole."""
    return vault.seal_row({"household": json.dumps(shot, default=str)}, ["household"])


def write(vault: Vault, family: Household, shot: dict[str, Any], actor: Principal) -> None:
    """Make `family` what `shot` says: its fields sealed, masked and hashed; members matched by
    NIK (changed in place, added, and those not in `shot` dropped)."""
    family.kecamatan_code, family.desa = shot["kecamatan_code"], shot["desa"]
    kk = shot["kk"]
    family.kk_sealed, family.kk_index, family.kk_masked = (
        vault.seal(kk, "kk"),
        vault.index(kk),
        mask(kk),
    )
    people = shot["members"]
    head = next((p for p in people if p["relation"] == "kepala_keluarga"), people[0])["name"]
    family.head_sealed, family.head_masked = vault.seal(head, "name"), mask_name(head)
    family.address_sealed = vault.seal(shot.get("address"), "address")
    family.payout_sealed = vault.seal(shot.get("payout"), "payout")
    family.damage = shot.get("damage") or "tidak"
    family.displaced = bool(shot.get("displaced"))
    family.shelter_id, family.updated_by = shot.get("shelter_id"), actor.name
    present = {m.nik_index: m for m in family.members}
    for person in people:
        nik_index = vault.index(person["nik"])
        member = present.pop(nik_index, None)
        if member is None:
            member = HouseholdMember(incident_id=family.incident_id)
            family.members.append(member)
        member.nik_sealed, member.nik_index, member.nik_masked = (
            vault.seal(person["nik"], "nik"),
            nik_index,
            mask(person["nik"]),
        )
        member.name_sealed = vault.seal(person["name"], "name")
        member.sex, member.relation = person["sex"], person["relation"]
        member.birth_date = date.fromisoformat(person["birth_date"])
        member.casualty = person.get("casualty")
        member.pregnant, member.disabled = (
            bool(person.get("pregnant")),
            bool(person.get("disabled")),
        )
    for gone in present.values():
        family.members.remove(gone)


def propose(
    session: Session,
    vault: Vault,
    family: Household,
    entry: dict[str, Any],
    actor: Principal,
    reason: str,
    keep: bool,
    found: list[rules.Change],
) -> HouseholdChange:
    """`entry` (JSON form) waits for review instead of changing `family` (audited, sealed)."""
    change = HouseholdChange(
        incident_id=family.incident_id,
        household_id=family.id,
        kecamatan_code=entry["kecamatan_code"],
        reason=reason,
        keep_members=keep,
        fields=sorted({c.field for c in found}),
        entry_sealed=vault.seal(json.dumps(entry, default=str), SEALED_AS),
        proposed_by=actor.name,
    )
    session.add(change)
    session.flush()
    after = {"change": change.id, "reason": reason, "fields": change.fields, **sealed(vault, entry)}
    record_audit(session, actor.name, "propose_change", "household", family.id, after=after)
    return change


def _entry(vault: Vault, change: HouseholdChange) -> dict[str, Any]:
    return json.loads(vault.open(change.entry_sealed, SEALED_AS))


def _waiting(
    session: Session, change_id: int, actor: Principal
) -> tuple[HouseholdChange, Household]:
    """A change still waiting and its household, both inside `actor`'s area for `pii`."""
    require(actor, "pii")
    change = session.get(HouseholdChange, change_id)
    if change is None:
        raise NotFound(f"household change {change_id}")
    if change.status != "waiting":
        raise InvalidInput([FieldError("status", "already_decided", {"value": change.status})])
    family = household(session, change.household_id)
    require_in(actor, "pii", family.kecamatan_code)
    require_in(actor, "pii", change.kecamatan_code)
    return change, family


def pending(engine: Engine, actor: Principal, incident_id: int) -> pd.DataFrame:
    """The incident's changes waiting inside `actor`'s area, masked: id, household_id,
    kk_masked, kecamatan_code, reason, fields, proposed_by, proposed_at.

    Raises:
        Forbidden: `actor` may not review personal data.
    """
    require(actor, "pii")
    query = (
        select(
            HouseholdChange.id,
            HouseholdChange.household_id,
            Household.kk_masked,
            HouseholdChange.kecamatan_code,
            Household.kecamatan_code.label("household_kecamatan"),
            HouseholdChange.reason,
            HouseholdChange.fields,
            HouseholdChange.proposed_by,
            HouseholdChange.proposed_at,
        )
        .join(Household, Household.id == HouseholdChange.household_id)
        .where(HouseholdChange.incident_id == incident_id, HouseholdChange.status == "waiting")
        .order_by(HouseholdChange.id)
    )
    table = frame(engine, query)
    mine = pd.Series(
        [
            actor.covers(a) and actor.covers(b)
            for a, b in zip(table["kecamatan_code"], table["household_kecamatan"], strict=True)
        ],
        index=table.index,
        dtype=bool,
    )
    return table[mine].drop(columns="household_kecamatan").reset_index(drop=True)


def waiting_count(engine: Engine, incident_id: int) -> int:
    """How many of the incident's changes wait for review (a count: no names)."""
    query = (
        select(func.count())
        .select_from(HouseholdChange)
        .where(HouseholdChange.incident_id == incident_id, HouseholdChange.status == "waiting")
    )
    with engine.connect() as conn:
        return conn.scalar(query) or 0


def review(engine: Engine, vault: Vault, change_id: int, actor: Principal) -> dict[str, Any]:
    """A waiting change beside its household, in clear, for a `pendata` or admin of both
    areas; the view is audited. Returns id, reason, proposed_by, proposed_at, version (of the
    household, to decide on), before, after, changes (`rules.Change`, each field that differs).

    Raises:
        Forbidden: `actor` may not see personal data in the household's or the entry's area.
        NotFound / InvalidInput: no such change, or it is decided already.
    """
    with writing(engine) as session, session.begin():
        pdp.ensure_key(session, vault)
        change, family = _waiting(session, change_id, actor)
        before = snapshot(vault, family)
        after = rules.merged(before, _entry(vault, change), change.keep_members)
        why = {"why": f"tinjau usulan perubahan #{change.id}"}
        record_audit(session, actor.name, "view_pii", "household", family.id, after=why)
        return {
            "id": change.id,
            "household_id": family.id,
            "reason": change.reason,
            "proposed_by": change.proposed_by,
            "proposed_at": change.proposed_at,
            "version": family.version,
            "before": before,
            "after": after,
            "changes": rules.changes(before, after),
        }


def decide(
    engine: Engine,
    vault: Vault,
    change_id: int,
    actor: Principal,
    accept: bool,
    version: int | None = None,
    note: str = "",
) -> str:
    """Accept (the household becomes what the reviewer saw) or reject a waiting change;
    returns the new status. Nobody decides on a change they entered. A payout accepted sends
    the family's verified, unpaid payments back to be verified with it.

    Raises:
        Forbidden: `actor` may not see personal data in the household's or the entry's area.
        InvalidInput: `actor` entered the change (`four_eyes`), it is decided already, or the
            note is longer than `LINE`.
        StaleRecord: the household changed since the reviewer opened it (`version`).
        DuplicateHousehold: accepting would put a NIK or KK in two families.
    """
    note = " ".join(note.split())
    check_lengths(note=(note, LINE))
    with writing(engine) as session, session.begin():
        pdp.ensure_key(session, vault)
        change, family = _waiting(session, change_id, actor)
        if change.proposed_by == actor.name:
            raise InvalidInput([FieldError("decided_by", "four_eyes", {"value": actor.name})])
        if accept:
            if version is not None and family.version != version:
                raise StaleRecord("household changed", family.updated_by, family.updated_at)
            before = snapshot(vault, family)
            after = rules.merged(before, _entry(vault, change), change.keep_members)
            niks = vault.indexes(p["nik"] for p in after["members"])
            clash = duplicate(
                session, family.incident_id, vault.index(after["kk"]), niks, family.id
            )
            if clash is not None:
                other, reason, field = clash
                raise DuplicateHousehold(other.id, reason, field, other.updated_by)
            write(vault, family, after, actor)
            if before.get("payout") != after.get("payout"):
                _verify_again(session, family.id, actor)
            audit = {"change": change.id, **sealed(vault, after)}
            record_audit(
                session,
                actor.name,
                "accept_change",
                "household",
                family.id,
                {"change": change.id, **sealed(vault, before)},
                audit,
            )
        else:
            after = {"change": change.id, "note": note}
            record_audit(session, actor.name, "reject_change", "household", family.id, after=after)
        change.status = "accepted" if accept else "rejected"
        change.decided_by, change.decided_at, change.note = actor.name, utcnow(), note or None
        session.flush()
        return change.status


def _verify_again(session: Session, household_id: int, actor: Principal) -> None:
    """Payments verified with the old payout and not yet paid go back to `diusulkan`."""
    query = select(AssistancePayment).where(
        AssistancePayment.household_id == household_id,
        AssistancePayment.status == rules.PAYMENT_STATUSES[1],
    )
    for payment in session.scalars(query):
        payment.status = rules.PAYMENT_STATUSES[0]
        payment.verified_at = payment.verified_by = payment.payout_sealed = None
        before, after = {"status": rules.PAYMENT_STATUSES[1]}, {"status": payment.status}
        record_audit(session, actor.name, "verify_again", "assistance", payment.id, before, after)
