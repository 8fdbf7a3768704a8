"""Bulk import from CSV and Excel: read a messy table, check each row, land the valid rows in one
transaction and keep the invalid ones in a quarantine to fix and re-submit. Nothing is dropped.

Files are only read: Excel through openpyxl with cached values (no formula is evaluated, no
macro can run), CSV as text. Size is checked before and while reading (`ImportLimits`): the
bytes, an .xlsx file's decompressed parts, and rows and columns as they stream in, whatever
the sheet declares about itself; then each cell (no longer than an Excel cell can be). The
header row may sit below title rows; headers are matched to our fields by their usual
Indonesian and English names.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import openpyxl
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from command_center.auth import Principal, require, require_in
from command_center.db import writing
from command_center.errors import FieldError, ImportFileError, InvalidInput
from command_center.models import QuarantinedRow
from command_center.pdp import Vault, ensure_key
from command_center.services.validation import CELL, LINE, NOTE, check_lengths, length_errors
from command_center.settings import ImportLimits
from command_center.store import record_audit
from command_center.times import utcnow

HEADER_SCAN_ROWS = 15
UNMAPPED = "~"  # a column we do not read stays with its quarantined row as "~<its header>"
PERMISSION = {
    "roster": "team",
    "reports": "report",
    "stock": "stock",
    "households": "pii",  # named lists: data officers (pendata) and admins
}  # what importing each kind needs
CSV_DELIMITERS = ",;\t|"

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
class RawRow:
    number: int  # as the spreadsheet shows it (the header row included)
    values: dict[str, str]  # our field name -> the cell as text
    unmapped: dict[str, str] = field(default_factory=dict)  # other headers -> non-empty cells


@dataclass(frozen=True)
class Table:
    rows: list[RawRow]
    columns: dict[str, str]  # our field name -> the header as written in the file
    ignored: list[str]  # headers we do not know


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


def header_key(text: object) -> str:
    """`"Kode Kecamatan "` and `"kode-kecamatan"` both become `kode_kecamatan`."""
    return re.sub(r"[^0-9a-z]+", "_", str(text or "").casefold()).strip("_")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


EMPTY_ROW: tuple[str, ...] = ()


def _xlsx(data: bytes, file_name: str, limits: ImportLimits) -> list[Any]:
    """The cells of an .xlsx file's first sheet, read as a stream within `limits`."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(part.file_size for part in archive.infolist())
        if unpacked > limits.max_unpacked_bytes:
            raise ImportFileError(
                f"{file_name}: unpacks to {unpacked:,} bytes, more than "
                f"{limits.max_unpacked_bytes:,} allowed"
            )
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ImportFileError(f"{file_name}: not a readable .xlsx workbook ({exc})") from exc
    try:
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # its declared size (A1:XFD1048576) would be padded out
        grid: list[Any] = []
        for row in sheet.iter_rows(max_col=limits.max_columns, values_only=True):
            _within_rows(len(grid) + 1, file_name, limits)
            cells = [_cell(v) for v in row]
            while cells and not cells[-1]:
                cells.pop()
            grid.append(cells or EMPTY_ROW)
        return grid
    finally:
        book.close()


def _within_rows(rows: int, file_name: str, limits: ImportLimits) -> None:
    """Refuse a table past `max_rows` (blank rows count: a far cell pads out a sheet)."""
    if rows > limits.max_rows + HEADER_SCAN_ROWS:
        raise ImportFileError(f"{file_name}: more than {limits.max_rows:,} rows; split the file")


def _text(data: bytes, file_name: str, limits: ImportLimits) -> str | list[Any]:
    """The cells of an .xlsx file's first sheet, or the text of a CSV file."""
    if data[:4] == b"PK\x03\x04":
        return _xlsx(data, file_name, limits)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ImportFileError(f"{file_name}: old .xls format; save it as .xlsx or CSV")
    if b"\x00" in data[:4096]:
        raise ImportFileError(f"{file_name}: not a CSV or .xlsx file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _csv(
    text: str, delimiter: str, limits: ImportLimits, file_name: str, lines: int | None = None
) -> list[list[str]]:
    """The cells of a CSV text (its first `lines` only, when given), within `limits`."""
    # line ends kept: a quoted cell may hold several lines (BNPB's "Kec. X\nDs. Y" lists)
    lines_of = text.splitlines(keepends=True)
    head = lines_of[:lines] if lines is not None else lines_of
    for number, line in enumerate(head, start=1):
        # quoted cells may hold the delimiter too: only an absurd count is refused here
        if line.count(delimiter) > 5 * limits.max_columns:
            raise ImportFileError(
                f"{file_name}: row {number} has more than {limits.max_columns} columns"
            )
    grid = []
    reader = csv.reader(head, delimiter=delimiter)
    try:
        for row in reader:
            _within_rows(len(grid) + 1, file_name, limits)
            grid.append([c.strip() for c in row[: limits.max_columns]])
    except csv.Error as exc:  # a cell past the csv module's own limit, among others
        raise ImportFileError(f"{file_name}: line {reader.line_num}: {exc}") from exc
    return grid


def _within_cells(grid: list[list[str]], file_name: str) -> None:
    """Refuse a table with a cell longer than `CELL` characters, naming where it is."""
    for number, cells in enumerate(grid, start=1):
        for position, cell in enumerate(cells, start=1):
            if len(cell) > CELL:
                raise ImportFileError(
                    f"{file_name}: row {number}, column {position} holds {len(cell):,} "
                    f"characters, more than {CELL:,} allowed"
                )


def _header_row(grid: list[list[str]], aliases: dict[str, str]) -> tuple[int, int]:
    """(index, known headers) of the row with the most known headers near the top."""
    known, index = max(
        (
            (sum(header_key(c) in aliases for c in cells), -i)
            for i, cells in enumerate(grid[:HEADER_SCAN_ROWS])
        ),
        default=(0, 0),
    )
    return -index, known


def read_table(
    data: bytes, file_name: str, headers: dict[str, tuple[str, ...]], limits: ImportLimits
) -> Table:
    """The rows of a CSV or .xlsx file, keyed by our field names.

    A CSV file's delimiter is the one of `,;|` or tab that finds the most known headers.

    Raises:
        ImportFileError: too large (bytes, unpacked, rows, columns or a cell), not CSV/.xlsx,
            or no row that looks like a header.
    """
    if len(data) > limits.max_bytes:
        raise ImportFileError(
            f"{file_name}: {len(data):,} bytes, more than {limits.max_bytes:,} allowed"
        )
    aliases = {alias: ours for ours, names in headers.items() for alias in names}
    content = _text(data, file_name, limits)
    if isinstance(content, str):
        delimiter = max(
            CSV_DELIMITERS,
            key=lambda d: _header_row(
                _csv(content, d, limits, file_name, HEADER_SCAN_ROWS), aliases
            )[1],
        )
        grid = _csv(content, delimiter, limits, file_name)
    else:
        grid = content
    _within_cells(grid, file_name)
    index, known = _header_row(grid, aliases)
    if known < 2:
        expected = ", ".join(names[0] for names in headers.values())
        raise ImportFileError(f"{file_name}: no header row found (expected columns: {expected})")
    columns: dict[str, str] = {}
    positions: dict[str, int] = {}
    others: dict[str, int] = {}
    for position, header in enumerate(grid[index]):
        ours = aliases.get(header_key(header))
        if ours and ours not in positions:
            positions[ours], columns[ours] = position, header
        elif header:
            others.setdefault(header, position)
    rows = []
    for number, cells in enumerate(grid[index + 1 :], start=index + 2):
        if not any(cells):
            continue  # blank lines between blocks are common in real spreadsheets
        values = {f: cells[p] if p < len(cells) else "" for f, p in positions.items()}
        unmapped = {h: cells[p] for h, p in others.items() if p < len(cells) and cells[p]}
        rows.append(RawRow(number, values, unmapped))
    return Table(rows, columns, list(others))


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
            problems.append(RowProblem(row.number, exc.errors, _kept(row)))
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
                problems.append(RowProblem(row.number, exc.errors, _kept(row)))
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


def _kept(row: RawRow) -> dict[str, Any]:
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
            values = {**before, **{k: _cell(v) for k, v in edits[row.id].items()}}
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
