"""Aid logistics in the store: warehouses and their stock ledger, dispatches with their
delivery note and receipt, shelters, dapur umum and the meals they serve.

Stock is never a stored balance: it is the sum of a warehouse's movements. Every movement
locks its warehouse row first (`SELECT ... FOR UPDATE` on PostgreSQL, the write lock on
SQLite), then reads what is on hand and refuses to take more, so two operators dispatching
from one warehouse at once cannot both take the last blanket. Every write is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import Engine, case, func, select
from sqlalchemy.orm import Session

from command_center.base.auth import Principal, in_scope, require, require_in
from command_center.base.db import writing
from command_center.base.errors import FieldError, InvalidInput, NotFound, StaleRecord
from command_center.base.models import (
    Dispatch,
    Incident,
    IncidentArea,
    IncidentStatus,
    Kitchen,
    MealCount,
    Shelter,
    StockMovement,
    Warehouse,
)
from command_center.base.settings import ImportLimits
from command_center.base.times import today_in, utcnow
from command_center.services import logistics as rules
from command_center.services.incidents import zone_of
from command_center.services.validation import LABEL, NAME, NOTE, REASON, SHORT, check_lengths
from command_center.stores import common as store
from command_center.stores import imports
from command_center.stores.common import frame, record_audit

OPENING = "stock"  # the import kind (and quarantine) of opening stock counts


@dataclass(frozen=True)
class Line:
    """A quantity of an item to take out: from one batch, or (batch None) first expiry first."""

    item: str
    quantity: int
    batch: str | None = None


def local_today(area_code: str | None = None) -> date:
    """Today in the area's zone (WIB when none is given): the day expiry and decrees count by."""
    return today_in(zone_of(area_code))


def _locked(session: Session, *warehouse_ids: int) -> dict[int, Warehouse]:
    """The warehouses, locked for this transaction in id order (no deadlock between two)."""
    ids = sorted({int(w) for w in warehouse_ids})
    found = {
        w.id: w
        for w in session.scalars(
            select(Warehouse).where(Warehouse.id.in_(ids)).order_by(Warehouse.id).with_for_update()
        )
    }
    for warehouse_id in ids:
        if warehouse_id not in found:
            raise NotFound(f"warehouse {warehouse_id}")
    return found


def _batches(session: Session, warehouse_id: int, item: str) -> list[rules.Batch]:
    rows = session.execute(
        select(
            StockMovement.batch,
            func.sum(StockMovement.quantity),
            func.max(StockMovement.expires_on),
        )
        .where(StockMovement.warehouse_id == warehouse_id, StockMovement.item == item)
        .group_by(StockMovement.batch)
    )
    return [rules.Batch(batch, int(held), expires) for batch, held, expires in rows]


def _take(
    session: Session,
    warehouse: Warehouse,
    lines: list[Line],
    kind: str,
    actor: Principal,
    **extra: Any,
) -> list[StockMovement]:
    """Negative movements for `lines` (first expiry first where no batch is named), or
    InvalidInput naming each line that asks for more than is on hand (expired stock excluded)."""
    today = local_today()
    taken: list[StockMovement] = []
    errors = []
    for i, line in enumerate(lines):
        batches = {b.batch: b for b in _batches(session, warehouse.id, line.item)}
        usable = [b for b in batches.values() if b.expires_on is None or b.expires_on >= today]
        if line.batch is not None:
            chosen = batches.get(line.batch)
            if chosen is not None and chosen.expires_on and chosen.expires_on < today:
                errors.append(FieldError(f"lines[{i}].batch", "batch_expired", _said(line)))
                continue
            available = chosen.on_hand if chosen else 0
            plan = [(line.batch, line.quantity)]
        else:
            available = sum(b.on_hand for b in usable)
            plan = rules.fefo(usable, line.quantity)
        if line.quantity > available:
            params = {**_said(line), "available": available}
            errors.append(FieldError(f"lines[{i}].quantity", "out_of_stock", params))
            continue
        for batch, quantity in plan:
            movement = StockMovement(
                warehouse_id=warehouse.id,
                item=line.item,
                batch=batch,
                expires_on=batches[batch].expires_on,
                quantity=-quantity,
                kind=kind,
                by=actor.name,
                **extra,
            )
            session.add(movement)
            taken.append(movement)
        session.flush()  # the next line of the same item sees what this one took
    if errors:
        raise InvalidInput(errors)
    return taken


def _said(line: Line) -> dict[str, Any]:
    return {
        "item": line.item,
        "batch": f" {line.batch}" if line.batch else "",
        "value": line.quantity,
    }


def _snapshot(movements: list[StockMovement]) -> list[dict[str, Any]]:
    return [{"item": m.item, "batch": m.batch, "quantity": m.quantity} for m in movements]


def create_warehouse(
    engine: Engine, entry: rules.WarehouseInput, actor: Principal, is_exercise: bool = False
) -> int:
    """Add a warehouse or lumbung sosial (empty: stock arrives by receipts); returns its id.

    Raises:
        Forbidden: not stock staff of its kabupaten. InvalidInput: the name is taken.
    """
    require_in(actor, "stock", entry.kabupaten_code)
    with writing(engine) as session, session.begin():
        if session.scalar(select(Warehouse.id).where(Warehouse.name == entry.name)):
            raise InvalidInput([FieldError("name", "duplicate_name", {"value": entry.name})])
        warehouse = Warehouse(
            **entry.model_dump(),
            kabupaten_code=entry.kabupaten_code,
            is_exercise=is_exercise,
            created_by=actor.name,
        )
        session.add(warehouse)
        session.flush()
        record_audit(
            session, actor.name, "create", "warehouse", warehouse.id, None, entry.model_dump()
        )
        return warehouse.id


def receive(
    engine: Engine,
    warehouse_id: int,
    lines: list[rules.StockLine],
    source: str,
    document: str | None,
    actor: Principal,
) -> None:
    """Stock arriving at a warehouse (from Kemensos, a donor, a purchase), batch by batch.

    Raises:
        InvalidInput: no source, or a source or document longer than `NAME`.
    """
    if not source.strip():
        raise InvalidInput([FieldError("source", "missing")])
    check_lengths(source=(source.strip(), NAME), document=(document, NAME))
    with writing(engine) as session, session.begin():
        warehouse = _locked(session, warehouse_id)[warehouse_id]
        require_in(actor, "stock", warehouse.kabupaten_code)
        for line in lines:
            session.add(
                StockMovement(
                    warehouse_id=warehouse_id,
                    **line.model_dump(),
                    kind="receipt",
                    source=source.strip(),
                    document=document,
                    by=actor.name,
                )
            )
        after = {"source": source, "document": document, "lines": _lines(lines)}
        record_audit(session, actor.name, "receipt", "warehouse", warehouse_id, None, after)


def _lines(lines: list[rules.StockLine]) -> list[dict[str, Any]]:
    return [line.model_dump(mode="json") for line in lines]


def adjust(
    engine: Engine,
    warehouse_id: int,
    item: str,
    batch: str,
    quantity: int,
    reason: str,
    note: str | None,
    actor: Principal,
) -> None:
    """Correct a batch by a signed quantity (expired, damaged, lost, or a count); never below
    zero.

    Raises:
        InvalidInput: an unknown reason, zero, or more taken than the batch holds; an item,
            batch or note longer than its bound.
    """
    check_lengths(item=(item, SHORT), batch=(batch, LABEL), note=(note, NOTE))
    if reason not in rules.ADJUSTMENT_REASONS:
        values = {"value": reason, "reasons": ", ".join(rules.ADJUSTMENT_REASONS)}
        raise InvalidInput([FieldError("reason", "bad_reason", values)])
    if quantity == 0:
        raise InvalidInput([FieldError("quantity", "zero", {})])
    with writing(engine) as session, session.begin():
        warehouse = _locked(session, warehouse_id)[warehouse_id]
        require_in(actor, "stock", warehouse.kabupaten_code)
        held = {b.batch: b for b in _batches(session, warehouse_id, item)}
        on_hand = held[batch].on_hand if batch in held else 0
        if on_hand + quantity < 0:
            params = {"item": item, "batch": f" {batch}", "value": -quantity, "available": on_hand}
            raise InvalidInput([FieldError("quantity", "out_of_stock", params)])
        expires = held[batch].expires_on if batch in held else None
        session.add(
            StockMovement(
                warehouse_id=warehouse_id,
                item=item,
                batch=batch,
                expires_on=expires,
                quantity=quantity,
                kind="adjustment",
                reason=reason,
                note=note,
                by=actor.name,
            )
        )
        after = {"item": item, "batch": batch, "quantity": quantity, "reason": reason}
        record_audit(session, actor.name, "adjust", "warehouse", warehouse_id, None, after)


def transfer(
    engine: Engine,
    from_id: int,
    to_id: int,
    lines: list[Line],
    document: str | None,
    actor: Principal,
) -> None:
    """Move stock between warehouses: out of one and into the other, batches kept, in one
    transaction. A lumbung sosial's stock leaves only by dispatch for a declared emergency.

    Raises:
        InvalidInput: the same warehouse, a lumbung sosial as the source, or not enough stock;
            a document longer than `NAME`.
    """
    check_lengths(document=(document, NAME))
    if int(from_id) == int(to_id):
        raise InvalidInput([FieldError("to_warehouse", "same_warehouse", {})])
    with writing(engine) as session, session.begin():
        found = _locked(session, from_id, to_id)
        source, target = found[int(from_id)], found[int(to_id)]
        require_in(actor, "stock", source.kabupaten_code)
        if source.kind == "lumbung_sosial":
            raise InvalidInput([FieldError("from_warehouse", "lumbung_transfer", {})])
        taken = _take(
            session,
            source,
            lines,
            "transfer_out",
            actor,
            document=document,
            other_warehouse_id=target.id,
        )
        for movement in taken:
            session.add(
                StockMovement(
                    warehouse_id=target.id,
                    item=movement.item,
                    batch=movement.batch,
                    expires_on=movement.expires_on,
                    quantity=-movement.quantity,
                    kind="transfer_in",
                    document=document,
                    other_warehouse_id=source.id,
                    by=actor.name,
                )
            )
        after = {"to": target.id, "document": document, "lines": _snapshot(taken)}
        record_audit(session, actor.name, "transfer", "warehouse", source.id, None, after)


@dataclass(frozen=True)
class DispatchRequest:
    """Aid to send for an incident: to a shelter, a dapur umum, or (neither) a kecamatan."""

    incident_id: int
    warehouse_id: int
    lines: list[Line]
    kecamatan_code: str | None = None
    shelter_id: int | None = None
    kitchen_id: int | None = None
    carrier: str | None = None
    override_reason: str | None = None  # an admin's, to release past the lumbung rule


def dispatch(engine: Engine, request: DispatchRequest, actor: Principal) -> int:
    """Send aid: the dispatch movements and the delivery note in one transaction; in transit
    until `confirm_receipt`. Returns the dispatch id (its note number is `note_number`).

    Raises:
        InvalidInput: nothing to send, a closed incident, an unknown destination or a
            kecamatan outside the incident's area, more than is on hand (with what is
            available), or a lumbung sosial's stock without a confirmed emergency decree for
            it (unless an admin overrides with a reason); a carrier or reason longer than its
            bound.
        Forbidden: not stock staff of the warehouse's kabupaten; an override by a non-admin.
    """
    if not request.lines:
        raise InvalidInput([FieldError("lines", "missing")])
    reason = (request.override_reason or "").strip() or None
    check_lengths(carrier=(request.carrier, NAME), override_reason=(reason, REASON))
    with writing(engine) as session, session.begin():
        warehouse = _locked(session, request.warehouse_id)[int(request.warehouse_id)]
        require_in(actor, "stock", warehouse.kabupaten_code)
        incident = session.get(Incident, request.incident_id)
        if incident is None or incident.status != IncidentStatus.OPEN:
            raise InvalidInput([FieldError("incident_id", "incident_not_open", {})])
        area = set(
            session.scalars(
                select(IncidentArea.kecamatan_code).where(IncidentArea.incident_id == incident.id)
            )
        )
        kecamatan = _destination(session, request, area)
        refusal = rules.release_refusal(
            warehouse.kind,
            warehouse.kabupaten_code,
            store.region(session, warehouse.kabupaten_code),
            area,
            store.phases_in(session, incident.id),
            local_today(incident.kabupaten_code),
        )
        if refusal is not None and reason is None:
            raise InvalidInput([FieldError("incident_id", *refusal)])
        if refusal is not None:
            require(actor, "release")
        note = Dispatch(
            incident_id=incident.id,
            warehouse_id=warehouse.id,
            kecamatan_code=kecamatan,
            shelter_id=request.shelter_id,
            kitchen_id=request.kitchen_id,
            carrier=request.carrier,
            override_reason=reason if refusal is not None else None,
            created_by=actor.name,
        )
        session.add(note)
        session.flush()
        taken = _take(session, warehouse, request.lines, "dispatch", actor, dispatch_id=note.id)
        after = {
            "incident": incident.id,
            "warehouse": warehouse.id,
            "kecamatan": kecamatan,
            "lines": _snapshot(taken),
            **({"override": reason, "rule": refusal[0]} if refusal else {}),
        }
        record_audit(session, actor.name, "dispatch", "dispatch", note.id, None, after)
        return note.id


def _destination(session: Session, request: DispatchRequest, area: set[str]) -> str:
    """The kecamatan a dispatch goes to: its shelter's or dapur umum's, else the one given,
    which must be in the incident's `area`."""
    for model, target_id, field in (
        (Shelter, request.shelter_id, "shelter_id"),
        (Kitchen, request.kitchen_id, "kitchen_id"),
    ):
        if target_id is not None:
            place = session.get(model, target_id)
            if place is None or place.incident_id != request.incident_id:
                raise InvalidInput([FieldError(field, "not_of_incident", {"value": target_id})])
            return place.kecamatan_code
    code = (request.kecamatan_code or "").strip()
    if not code:
        raise InvalidInput([FieldError("kecamatan_code", "missing")])
    if code not in area:
        raise InvalidInput([FieldError("kecamatan_code", "dispatch_outside_area", {"value": code})])
    return code


def note_number(dispatch_id: int, year: int) -> str:
    """The delivery note's number as printed: `SJ-2026-00042`."""
    return f"SJ-{year}-{int(dispatch_id):05d}"


def confirm_receipt(
    engine: Engine,
    dispatch_id: int,
    received_by: str,
    received: dict[str, int],
    note: str | None,
    actor: Principal,
) -> dict[str, int]:
    """Record the receipt (BAST) of a dispatch: who signed, what arrived per item. A difference
    from what was sent needs a note saying why. Returns the differences (sent - received).

    Raises:
        InvalidInput: already received, no signer, an item that was not sent, a negative or
            larger quantity, or a difference without a note; a signer or note longer than
            its bound.
    """
    if not received_by.strip():
        raise InvalidInput([FieldError("received_by", "missing")])
    check_lengths(received_by=(received_by.strip(), NAME), receipt_note=(note, NOTE))
    with writing(engine) as session, session.begin():
        row = session.get(Dispatch, dispatch_id)
        if row is None:
            raise NotFound(f"dispatch {dispatch_id}")
        require_in(actor, "stock", row.kecamatan_code)
        if row.received_at is not None:
            raise StaleRecord(
                f"dispatch {dispatch_id} was received", row.recorded_by, row.received_at
            )
        sent = _sent(session, dispatch_id)
        errors = []
        for item, quantity in received.items():
            if item not in sent:
                errors.append(FieldError(item, "not_sent", {"value": item}))
            elif not 0 <= int(quantity) <= sent[item]:
                errors.append(
                    FieldError(
                        item, "out_of_range", {"value": quantity, "low": 0, "high": sent[item]}
                    )
                )
        got = {item: int(received.get(item, 0)) for item in sent}
        differences = {item: sent[item] - got[item] for item in sent if sent[item] != got[item]}
        if differences and not (note or "").strip():
            errors.append(FieldError("receipt_note", "explain_difference", {}))
        if errors:
            raise InvalidInput(errors)
        row.received, row.received_by, row.receipt_note = got, received_by.strip(), note
        row.received_at, row.recorded_by = utcnow(), actor.name
        after = {"received": got, "by": received_by, "differences": differences}
        record_audit(session, actor.name, "receive", "dispatch", dispatch_id, None, after)
        return differences


def _sent(session: Session, dispatch_id: int) -> dict[str, int]:
    rows = session.execute(
        select(StockMovement.item, -func.sum(StockMovement.quantity))
        .where(StockMovement.dispatch_id == dispatch_id)
        .group_by(StockMovement.item)
    )
    return {item: int(quantity) for item, quantity in rows}


SHELTER_FIELDS = tuple(rules.ShelterInput.model_fields)


def save_shelter(
    engine: Engine,
    incident_id: int,
    entry: rules.ShelterInput,
    actor: Principal,
    shelter_id: int | None = None,
    version: int | None = None,
) -> int:
    """Open a shelter for an incident, or update one (at the `version` the user saw).

    Raises:
        StaleRecord: someone changed it since. Forbidden: outside the actor's area.
    """
    require_in(actor, "shelter", entry.kecamatan_code)
    values = entry.model_dump()
    with writing(engine) as session, session.begin():
        if session.get(Incident, incident_id) is None:
            raise NotFound(f"incident {incident_id}")
        if shelter_id is None:
            shelter = Shelter(incident_id=incident_id, **values, updated_by=actor.name)
            session.add(shelter)
            session.flush()
            before = None
        else:
            shelter = session.get(Shelter, shelter_id)
            if shelter is None or shelter.incident_id != incident_id:
                raise NotFound(f"shelter {shelter_id}")
            if version is not None and shelter.version != version:
                raise StaleRecord(
                    f"shelter {shelter_id} changed", shelter.updated_by, shelter.updated_at
                )
            require_in(actor, "shelter", shelter.kecamatan_code)
            before = {f: _plain(getattr(shelter, f)) for f in SHELTER_FIELDS}
            for field, value in values.items():
                setattr(shelter, field, value)
            shelter.updated_by = actor.name
            session.flush()
        after = {f: _plain(getattr(shelter, f)) for f in SHELTER_FIELDS}
        changed = {k: v for k, v in after.items() if (before or {}).get(k) != v}
        action = "create" if before is None else "edit"
        record_audit(session, actor.name, action, "shelter", shelter.id, before, changed)
        return shelter.id


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def save_kitchen(
    engine: Engine,
    incident_id: int,
    entry: rules.KitchenInput,
    actor: Principal,
    kitchen_id: int | None = None,
) -> int:
    """Open a dapur umum for an incident, or change one (its team, its end date)."""
    require_in(actor, "shelter", entry.kecamatan_code)
    values = entry.model_dump()
    with writing(engine) as session, session.begin():
        if session.get(Incident, incident_id) is None:
            raise NotFound(f"incident {incident_id}")
        kitchen = (
            Kitchen(incident_id=incident_id)
            if kitchen_id is None
            else session.get(Kitchen, kitchen_id)
        )
        if kitchen is None or kitchen.incident_id != incident_id:
            raise NotFound(f"kitchen {kitchen_id}")
        if kitchen_id is not None:
            require_in(actor, "shelter", kitchen.kecamatan_code)
        for field, value in values.items():
            setattr(kitchen, field, value)
        kitchen.updated_by = actor.name
        session.add(kitchen)
        session.flush()
        after = {k: _plain(v) for k, v in values.items()}
        action = "create" if kitchen_id is None else "edit"
        record_audit(session, actor.name, action, "kitchen", kitchen.id, None, after)
        return kitchen.id


def record_meals(
    engine: Engine, kitchen_id: int, entry: rules.MealsInput, actor: Principal
) -> None:
    """Portions served at one meal of one day; a second entry for the same meal corrects it."""
    with writing(engine) as session, session.begin():
        kitchen = session.get(Kitchen, kitchen_id)
        if kitchen is None:
            raise NotFound(f"kitchen {kitchen_id}")
        require_in(actor, "shelter", kitchen.kecamatan_code)
        row = session.scalar(
            select(MealCount).where(
                MealCount.kitchen_id == kitchen_id,
                MealCount.day == entry.day,
                MealCount.meal == entry.meal,
            )
        )
        before = None if row is None else {"portions": row.portions}
        if row is None:
            row = MealCount(kitchen_id=kitchen_id, day=entry.day, meal=entry.meal, portions=0)
            session.add(row)
        row.portions, row.recorded_by, row.recorded_at = entry.portions, actor.name, utcnow()
        after = {"day": entry.day.isoformat(), "meal": entry.meal, "portions": entry.portions}
        record_audit(session, actor.name, "meals", "kitchen", kitchen_id, before, after)


class _Opening:
    """Writes opening stock rows: each lands as an `opening` movement of its warehouse."""

    def __init__(self) -> None:
        self.locked: dict[str, Warehouse] = {}

    def __call__(self, session: Session, row: rules.OpeningRow, actor: Principal) -> str:
        name = row.warehouse.casefold()
        warehouse = self.locked.get(name)
        if warehouse is None:
            found = session.scalar(select(Warehouse).where(func.lower(Warehouse.name) == name))
            if found is None:
                raise InvalidInput(
                    [FieldError("warehouse", "unknown_warehouse", {"value": row.warehouse})]
                )
            warehouse = _locked(session, found.id)[found.id]
            self.locked[name] = warehouse
        in_scope(actor, warehouse.kabupaten_code, "warehouse")
        session.add(
            StockMovement(
                warehouse_id=warehouse.id,
                item=row.item,
                batch=row.batch,
                expires_on=row.expires_on,
                quantity=row.quantity,
                kind="opening",
                document=row.document,
                by=actor.name,
            )
        )
        return "created"


def import_opening_stock(
    engine: Engine,
    data: bytes,
    file_name: str,
    actor: Principal,
    limits: ImportLimits,
    progress: imports.Progress | None = None,
) -> imports.ImportReport:
    """Import an opening stock count: valid rows land as movements, the others wait in
    quarantine. One line per warehouse, item and batch.

    Raises:
        ImportFileError: the file as a whole cannot be read.
    """
    table = imports.preview(data, file_name, OPENING, rules.OPENING_HEADERS, actor, limits)
    return imports.run_import(
        engine,
        OPENING,
        file_name,
        table.rows,
        rules.OpeningRow.check,
        _Opening(),
        actor,
        key=lambda r: f"{r.warehouse.casefold()}|{r.item}|{r.batch.casefold()}",
        progress=progress,
    )


def resubmit_opening(
    engine: Engine, edits: dict[int, dict[str, Any]], actor: Principal
) -> imports.ImportReport:
    """Check corrected quarantined stock rows again; the valid ones land."""
    require(actor, "stock")
    return imports.resubmit(engine, OPENING, edits, rules.OpeningRow.check, _Opening(), actor)


# Reads


def warehouses(engine: Engine) -> pd.DataFrame:
    """Every warehouse: id, name, kind, kecamatan and kabupaten codes, position."""
    query = select(
        Warehouse.id,
        Warehouse.name,
        Warehouse.kind,
        Warehouse.kecamatan_code,
        Warehouse.kabupaten_code,
        Warehouse.lat,
        Warehouse.lon,
        Warehouse.is_exercise,
    ).order_by(Warehouse.name)
    return frame(engine, query)


def balances(engine: Engine) -> pd.DataFrame:
    """What every warehouse holds per item, all batches together (non-zero only)."""
    held = func.sum(StockMovement.quantity)
    query = (
        select(StockMovement.warehouse_id, StockMovement.item, held.label("on_hand"))
        .group_by(StockMovement.warehouse_id, StockMovement.item)
        .having(held != 0)
    )
    return frame(engine, query)


def stock(engine: Engine) -> pd.DataFrame:
    """What every warehouse holds per item and batch (non-zero only), with the batch's expiry."""
    held = func.sum(StockMovement.quantity)
    query = (
        select(
            StockMovement.warehouse_id,
            StockMovement.item,
            StockMovement.batch,
            func.max(StockMovement.expires_on).label("expires_on"),
            held.label("on_hand"),
        )
        .group_by(StockMovement.warehouse_id, StockMovement.item, StockMovement.batch)
        .having(held != 0)
    )
    return frame(engine, query)


def movements(engine: Engine, warehouse_id: int | None = None, limit: int = 500) -> pd.DataFrame:
    """The newest movements (of one warehouse, or all): the ledger as it was written."""
    query = select(
        StockMovement.id,
        StockMovement.at,
        StockMovement.warehouse_id,
        StockMovement.kind,
        StockMovement.item,
        StockMovement.batch,
        StockMovement.expires_on,
        StockMovement.quantity,
        StockMovement.reason,
        StockMovement.source,
        StockMovement.document,
        StockMovement.dispatch_id,
        StockMovement.other_warehouse_id,
        StockMovement.note,
        StockMovement.by,
    )
    if warehouse_id is not None:
        query = query.where(StockMovement.warehouse_id == warehouse_id)
    return frame(engine, query.order_by(StockMovement.id.desc()).limit(limit))


def dispatches(engine: Engine) -> pd.DataFrame:
    """Every dispatch with its lines per item: sent, and received once its BAST is in."""
    sent = (
        select(
            StockMovement.dispatch_id,
            StockMovement.item,
            (-func.sum(StockMovement.quantity)).label("sent"),
        )
        .where(StockMovement.dispatch_id.is_not(None))
        .group_by(StockMovement.dispatch_id, StockMovement.item)
        .subquery()
    )
    query = select(
        Dispatch.id,
        Dispatch.incident_id,
        Dispatch.warehouse_id,
        Dispatch.kecamatan_code,
        Dispatch.shelter_id,
        Dispatch.kitchen_id,
        Dispatch.carrier,
        Dispatch.override_reason,
        Dispatch.created_at,
        Dispatch.created_by,
        Dispatch.received_at,
        Dispatch.received_by,
        Dispatch.receipt_note,
        Dispatch.received,
        sent.c.item,
        sent.c.sent,
        case((Dispatch.received_at.is_(None), "in_transit"), else_="received").label("status"),
    ).join(sent, sent.c.dispatch_id == Dispatch.id)
    table = frame(engine, query.order_by(Dispatch.id.desc(), sent.c.item))
    table["received_quantity"] = [
        (got or {}).get(item) for got, item in zip(table["received"], table["item"], strict=True)
    ]
    return table.drop(columns="received")


def shelters(engine: Engine) -> pd.DataFrame:
    """Every shelter of every incident."""
    columns = [Shelter.id, Shelter.incident_id, Shelter.version, Shelter.updated_by]
    columns += [getattr(Shelter, f) for f in SHELTER_FIELDS]
    return frame(engine, select(*columns).order_by(Shelter.incident_id, Shelter.name))


def kitchens(engine: Engine) -> pd.DataFrame:
    """Every dapur umum with the portions it has served in all."""
    served = (
        select(MealCount.kitchen_id, func.sum(MealCount.portions).label("portions"))
        .group_by(MealCount.kitchen_id)
        .subquery()
    )
    query = (
        select(
            Kitchen.id,
            Kitchen.incident_id,
            Kitchen.name,
            Kitchen.kecamatan_code,
            Kitchen.lat,
            Kitchen.lon,
            Kitchen.team_id,
            Kitchen.started_on,
            Kitchen.ended_on,
            func.coalesce(served.c.portions, 0).label("portions"),
        )
        .outerjoin(served, served.c.kitchen_id == Kitchen.id)
        .order_by(Kitchen.incident_id, Kitchen.name)
    )
    return frame(engine, query)


def meals(engine: Engine) -> pd.DataFrame:
    """Portions served per dapur umum, day and meal."""
    query = select(
        MealCount.kitchen_id, Kitchen.incident_id, MealCount.day, MealCount.meal, MealCount.portions
    ).join(Kitchen, Kitchen.id == MealCount.kitchen_id)
    return frame(engine, query.order_by(MealCount.day, MealCount.kitchen_id))
