"""Bulk import from CSV and Excel: read a messy table, check each row, land the valid rows in one
transaction and keep the invalid ones in a quarantine to fix and re-submit. Nothing is dropped.

Files are read by `tables.read_table`, in a child process within `ImportLimits`, and only once
the importer's role allows importing them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from command_center.base.auth import Principal, require, require_in
from command_center.base.db import writing
from command_center.base.errors import FieldError, InvalidInput
from command_center.base.models import QuarantinedRow
from command_center.base.pdp import Vault, ensure_key
from command_center.base.tables import ImportLimits, RawRow, Table, cell_text, read_table
from command_center.base.times import utcnow
from command_center.services.validation import LINE, NOTE, check_lengths, length_errors
from command_center.stores.common import record_audit

UNMAPPED = "~"  # a column we do not read stays with its quarantined row as "~<its header>"
PERMISSION = {
    "roster": "team",
    "reports": "report",
    "stock": "stock",
    "households": "pii",  # named lists: data officers (pendata) and admins
}  # what importing each kind needs

Check = Callable[[dict[str, Any]], Any]
Write = Callable[[Session, Any, Principal], str]
"""Writes one valid row; returns "created" or "updated". A writer with a `close(session)`
method is closed before the transaction commits (e.g. to insert the rows in bulk); one with a
`notes(model)` method may then flag rows it wrote (they land, and are listed)."""
Progress = Callable[[float], None]


@dataclass(frozen=True)
class Sealed:
    """Quarantined rows of personal data, kept encrypted whole: every field (the columns we do
    not read too) but those named `clear` (what a row needs to land, such as its incident),
    and the values quoted in their errors."""

    vault: Vault
    clear: tuple[str, ...] = ()

    def seal(self, row: dict[str, Any]) -> dict[str, Any]:
        return self.vault.seal_row(row, [k for k in row if k not in self.clear])

    def open(self, row: dict[str, Any]) -> dict[str, Any]:
        return self.vault.open_row(row, list(row))


@dataclass(frozen=True)
class RowProblem:
    number: int
    errors: list[FieldError]
    values: dict[str, Any]


@dataclass(frozen=True)
class ImportReport:
    batch: str
    total: int
    created: int
    updated: int
    problems: tuple[RowProblem, ...]
    notes: tuple[RowProblem, ...] = ()  # rows that landed but deserve a second look

    @property
    def landed(self) -> int:
        return self.created + self.updated


def preview(
    data: bytes,
    file_name: str,
    kind: str,
    headers: dict[str, tuple[str, ...]],
    actor: Principal,
    limits: ImportLimits,
) -> Table:
    """The rows an import of `kind` would read (`read_table`), parsed only once the role of
    `actor` allows importing them.

    Raises:
        Forbidden: `actor` may not import `kind`.
        ImportFileError: the file as a whole cannot be read.
    """
    require(actor, PERMISSION[kind])
    return read_table(data, file_name, headers, limits)


def run_import(
    engine: Engine,
    kind: str,
    file_name: str,
    rows: Iterable[RawRow],
    check: Check,
    write: Write,
    actor: Principal,
    key: Callable[[Any], str] | None = None,
    progress: Progress | None = None,
    context: dict[str, Any] | None = None,
    dry_run: bool = False,
    finish: Callable[[Session, list[RowProblem]], None] | None = None,
    sealed: Sealed | None = None,
    key_field: str = "name",
) -> ImportReport:
    """Check every row; in one transaction write the valid ones and quarantine the others
    (with `dry_run`, do all of it and roll the transaction back: the report says what would
    land). `finish(session, problems)` runs last in the same transaction (e.g. to remember
    which rows were taken).

    `key` names a row's identity (e.g. a team's name, in the field `key_field`); a second row
    with the same key in one file is quarantined, not silently merged. `context` (e.g. the
    incident a file is for) is kept with each quarantined row, so a corrected row lands where
    the file was meant to. A row the writer refuses (InvalidInput) is quarantined too. With
    `sealed` (a vault and field names), those fields of a quarantined row are stored encrypted.

    Raises:
        Forbidden: `actor` may not import `kind` at all.
        InvalidInput: a file name longer than `LINE`; nothing is stored.
    """
    require(actor, PERMISSION[kind])
    check_lengths(file_name=(file_name, LINE))
    rows = list(rows)
    batch = uuid.uuid4().hex[:12]
    valid: list[tuple[RawRow, Any]] = []
    problems: list[RowProblem] = []
    seen: dict[str, int] = {}
    for i, row in enumerate(rows, start=1):
        try:
            model = check(row.values)
            identity = key(model) if key else None
            if identity is not None and identity in seen:
                error = FieldError(key_field, "duplicate_in_file", {"row": seen[identity]})
                raise InvalidInput([error])
            if identity is not None:
                seen[identity] = row.number
            valid.append((row, model))
        except InvalidInput as exc:
            problems.append(RowProblem(row.number, exc.errors, kept(row)))
        if progress and (i % 200 == 0 or i == len(rows)):
            progress(0.8 * i / len(rows))
    outcomes = {"created": 0, "updated": 0}
    landed: list[tuple[int, dict[str, Any], Any]] = []
    with writing(engine) as session, session.begin() as transaction:
        if sealed is not None:
            ensure_key(session, sealed.vault)
        for j, (row, model) in enumerate(valid, start=1):
            try:
                outcomes[write(session, model, actor)] += 1
            except InvalidInput as exc:
                problems.append(RowProblem(row.number, exc.errors, kept(row)))
            else:
                landed.append((row.number, row.values, model))
            if progress and j % 200 == 0:
                progress(0.8 + 0.15 * j / len(valid))  # writing, inside the one transaction
        notes = _close(write, session, landed)
        for problem in sorted(problems, key=lambda p: p.number):
            problem.values.update(context or {})
            session.add(_quarantined(kind, batch, file_name, problem, actor, sealed))
        summary = {"file": file_name, **outcomes, "quarantined": len(problems)}
        record_audit(session, actor.name, "import", kind, batch, after=summary)
        if finish is not None:
            finish(session, problems)
        if dry_run:
            transaction.rollback()
    if progress:
        progress(1.0)
    problems.sort(key=lambda p: p.number)
    created, updated = outcomes["created"], outcomes["updated"]
    return ImportReport(batch, len(rows), created, updated, tuple(problems), tuple(notes))


def kept(row: RawRow) -> dict[str, Any]:
    """A row as it waits in quarantine: our fields, and every other column it had."""
    return {**row.values, **{f"{UNMAPPED}{h}": v for h, v in row.unmapped.items()}}


def _close(
    write: Write, session: Session, landed: list[tuple[int, dict[str, Any], Any]]
) -> list[RowProblem]:
    """Close the writer (if it has `close`), then its notes on the rows it took."""
    close = getattr(write, "close", None)
    if close is not None:
        close(session)
    remarks = getattr(write, "notes", None)
    if remarks is None:
        return []
    said = ((number, values, remarks(model)) for number, values, model in landed)
    return [RowProblem(number, errors, values) for number, values, errors in said if errors]


def _quarantined(
    kind: str,
    batch: str,
    file_name: str,
    problem: RowProblem,
    actor: Principal,
    sealed: Sealed | None,
) -> QuarantinedRow:
    """A row waiting for correction; it belongs to the importer's area (`scope`)."""
    return QuarantinedRow(
        kind=kind,
        batch=batch,
        file_name=file_name,
        row_number=problem.number,
        data=sealed.seal(problem.values) if sealed else problem.values,
        errors=[_error_json(e, sealed) for e in problem.errors],
        created_by=actor.name,
        scope=actor.scope,
    )


def _error_json(error: FieldError, sealed: Sealed | None = None) -> dict[str, Any]:
    params = {k: str(v) for k, v in error.params.items()}
    return {
        "field": error.field,
        "code": error.code,
        "params": sealed.seal(params) if sealed else params,
    }


def quarantine(engine: Engine, kind: str, actor: Principal) -> list[QuarantinedRow]:
    """The rows of `kind` waiting for correction inside `actor`'s area, oldest first
    (detached, read-only)."""
    with Session(engine, expire_on_commit=False) as session:
        query = (
            select(QuarantinedRow)
            .where(QuarantinedRow.kind == kind, QuarantinedRow.resolved_at.is_(None))
            .order_by(QuarantinedRow.id)
        )
        return [row for row in session.scalars(query) if actor.covers(row.scope)]


def _held(session: Session, row_ids: list[int], kind: str | None, actor: Principal) -> list:
    """The open quarantined rows asked for, each checked against `actor`'s role and area
    before anything changes (one refused row refuses them all)."""
    query = select(QuarantinedRow).where(QuarantinedRow.id.in_(row_ids)).order_by(QuarantinedRow.id)
    rows = [r for r in session.scalars(query) if r.resolved_at is None and kind in (None, r.kind)]
    for row in rows:
        require_in(actor, PERMISSION[row.kind], row.scope)
    return rows


def resubmit(
    engine: Engine,
    kind: str,
    edits: dict[int, dict[str, Any]],
    check: Check,
    write: Write,
    actor: Principal,
    sealed: Sealed | None = None,
) -> ImportReport:
    """Check corrected quarantine rows again: the valid ones land, the rest stay with new errors
    (their corrections kept and audited). Rows someone else fixed or discarded meanwhile are
    skipped. `sealed` as for `run_import`.

    Raises:
        Forbidden: a row lies outside `actor`'s area; nothing is changed.
        InvalidInput: a cell changed to a text longer than any field takes (`NOTE`), named
            with its row; nothing is changed.
    """
    outcomes = {"created": 0, "updated": 0}
    problems, landed = [], []
    with writing(engine) as session, session.begin():
        if sealed is not None:
            ensure_key(session, sealed.vault)
        for row in _held(session, list(edits), kind, actor):
            stored = row.data
            before = sealed.open(stored) if sealed else stored
            values = {**before, **{k: cell_text(v) for k, v in edits[row.id].items()}}
            _within_note(values, before, row.row_number)
            if values != before:
                row.data = sealed.seal(values) if sealed else values
            try:
                model = check(values)
                outcomes[write(session, model, actor)] += 1
            except InvalidInput as exc:
                row.errors = [_error_json(e, sealed) for e in exc.errors]
                problems.append(RowProblem(row.row_number, exc.errors, values))
                if values != before:
                    record_audit(session, actor.name, "correct", kind, row.id, stored, row.data)
                continue
            landed.append((row.row_number, values, model))
            row.resolved_at, row.resolved_by = utcnow(), actor.name
            record_audit(session, actor.name, "resubmit", kind, row.id, after=row.data)
        notes = _close(write, session, landed)
    created, updated = outcomes["created"], outcomes["updated"]
    return ImportReport("", len(edits), created, updated, tuple(problems), tuple(notes))


def _within_note(values: dict[str, Any], before: dict[str, Any], row_number: int) -> None:
    """Refuse a correction that makes a cell longer than any field takes (cells left as the
    file had them may be longer: they wait to be fixed)."""
    changed = {k: (str(v), NOTE) for k, v in values.items() if v != before.get(k)}
    if errors := length_errors(**changed):
        line = f"row[{row_number - 1}]"  # shown as "Baris <row_number>"
        raise InvalidInput([FieldError(f"{line}.{e.field}", e.code, e.params) for e in errors])


def discard(engine: Engine, row_ids: list[int], actor: Principal) -> int:
    """Drop quarantined rows on purpose; each keeps its data in the audit log.

    Raises:
        Forbidden: a row is of a kind `actor` may not import, or outside `actor`'s area;
            nothing is dropped.
    """
    with writing(engine) as session, session.begin():
        rows = _held(session, row_ids, None, actor)
        for row in rows:
            row.resolved_at, row.resolved_by = utcnow(), actor.name
            record_audit(session, actor.name, "discard", row.kind, row.id, before=row.data)
        return len(rows)
