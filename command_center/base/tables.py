"""Reading an uploaded table: the rows of a CSV or .xlsx file, keyed by our field names.

Files are only read: Excel through openpyxl with cached values (no formula is evaluated, no
macro can run), CSV as text. Size is checked before and while reading (`ImportLimits`): the
bytes, an .xlsx file's decompressed parts and its shared-strings table, and rows and columns as
they stream in, whatever the file declares about itself. The header row may sit below title
rows; headers are matched to our fields by their usual Indonesian and English names.

`read_table` and `read_columns` read in a child process (`sandbox`) within a memory and a time
limit, so a file built to need gigabytes or minutes costs that process, not the dashboard.
This module is what the child imports, so it imports little (no database, no pandas).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import openpyxl
from openpyxl.packaging.manifest import Manifest
from openpyxl.xml.constants import ARC_CONTENT_TYPES, SHARED_STRINGS
from openpyxl.xml.functions import fromstring

from command_center.base import sandbox
from command_center.base.errors import ImportFileError

HEADER_SCAN_ROWS = 15
CELL = 32_767  # one cell as read: the most an Excel cell holds
CSV_DELIMITERS = ",;\t|"
# an entry of the shared-strings table, with or without a namespace prefix (`<x:si>`)
SHARED_STRING = re.compile(rb"<(?:[\w.-]{1,40}:)?si[\s/>]")
SHARED_STRING_LONGEST = 45  # bytes: a match can straddle two chunks by less than this
CHUNK = 1 << 20


@dataclass(frozen=True)
class ImportLimits:
    """What an uploaded file may hold, and what reading it may take, before it is refused
    (`CC_MAX_*`, `CC_IMPORT_PARSE_*`)."""

    max_bytes: int = 20_000_000
    max_rows: int = 100_000
    max_columns: int = 200
    max_unpacked_bytes: int = 200_000_000  # an .xlsx file's parts, decompressed
    max_shared_strings: int = 2_000_000  # an .xlsx file's distinct texts (its shared strings)
    max_shared_strings_bytes: int = 100_000_000  # and their part, decompressed
    parse_memory_bytes: int = 1_000_000_000  # the reading child's address space (RLIMIT_AS)
    parse_seconds: float = 300.0  # the reading child's time, start to finish


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


def header_key(text: object) -> str:
    """`"Kode Kecamatan "` and `"kode-kecamatan"` both become `kode_kecamatan`."""
    return re.sub(r"[^0-9a-z]+", "_", str(text or "").casefold()).strip("_")


def cell_text(value: Any) -> str:
    """A cell as text: `3.0` -> `"3"`, a date in ISO form, nothing -> `""`."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


EMPTY_ROW: tuple[str, ...] = ()


def _workbook(data: bytes, file_name: str, limits: ImportLimits) -> Any:
    """The workbook, opened read-only once its parts and shared strings are within `limits`."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(part.file_size for part in archive.infolist())
            if unpacked > limits.max_unpacked_bytes:
                raise ImportFileError(
                    f"{file_name}: unpacks to {unpacked:,} bytes, more than "
                    f"{limits.max_unpacked_bytes:,} allowed"
                )
            _within_shared_strings(archive, file_name, limits)
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except ImportFileError:
        raise  # a ValueError too, but already in words
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ImportFileError(f"{file_name}: not a readable .xlsx workbook ({exc})") from exc


def _within_shared_strings(archive: zipfile.ZipFile, file_name: str, limits: ImportLimits) -> None:
    """Refuse a shared-strings table past `limits`: openpyxl holds all of it in memory before
    the first row is read (11 million one-letter texts took 1.25 GB). Its size comes from the
    zip directory (zipfile reads no more than that); its entries are counted as the part
    streams, whatever it declares."""
    # found the way openpyxl finds it: through the content types, whatever its name
    listed = Manifest.from_tree(fromstring(archive.read(ARC_CONTENT_TYPES))).find(SHARED_STRINGS)
    if listed is None:
        return
    part = archive.getinfo(listed.PartName[1:])
    if part.file_size > limits.max_shared_strings_bytes:
        raise ImportFileError(
            f"{file_name}: its shared strings (the distinct texts) unpack to "
            f"{part.file_size:,} bytes, more than {limits.max_shared_strings_bytes:,} allowed"
        )
    count, tail = 0, b""
    with archive.open(part) as stream:
        while chunk := stream.read(CHUNK):
            text = tail + chunk
            # entries wholly inside `tail` were counted with the chunk before
            count += len(SHARED_STRING.findall(text)) - len(SHARED_STRING.findall(tail))
            if count > limits.max_shared_strings:
                raise ImportFileError(
                    f"{file_name}: more than {limits.max_shared_strings:,} shared strings "
                    "(distinct texts); split the file"
                )
            tail = text[-SHARED_STRING_LONGEST:]


def _xlsx(data: bytes, file_name: str, limits: ImportLimits) -> list[Any]:
    """The cells of an .xlsx file's first sheet, read as a stream within `limits`."""
    book = _workbook(data, file_name, limits)
    try:
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # its declared size (A1:XFD1048576) would be padded out
        grid: list[Any] = []
        for row in sheet.iter_rows(max_col=limits.max_columns, values_only=True):
            _within_rows(len(grid) + 1, file_name, limits)
            cells = [cell_text(v) for v in row]
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


def read(
    data: bytes, file_name: str, headers: dict[str, tuple[str, ...]], limits: ImportLimits
) -> Table:
    """The rows of a CSV or .xlsx file, keyed by our field names, read in this process.

    A CSV file's delimiter is the one of `,;|` or tab that finds the most known headers.

    Raises:
        ImportFileError: too large (bytes, unpacked, shared strings, rows, columns or a
            cell), not CSV/.xlsx, or no row that looks like a header.
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


def read_table(
    data: bytes, file_name: str, headers: dict[str, tuple[str, ...]], limits: ImportLimits
) -> Table:
    """`read`, in a child process within `limits.parse_memory_bytes` and `parse_seconds`.

    Raises:
        ImportFileError: as `read`, or reading the file took more memory or time than allowed.
    """
    found = _in_child(_read_plain, data, file_name, headers, limits, limits=limits)
    fields = list(found["columns"])
    rows = [
        RawRow(n, dict(zip(fields, cells, strict=True)), other) for n, cells, other in found["rows"]
    ]
    return Table(rows, found["columns"], found["ignored"])


def _read_plain(
    data: bytes, file_name: str, headers: dict[str, tuple[str, ...]], limits: ImportLimits
) -> dict[str, Any]:
    """`read`'s table as plain data for the trip back from the child (every row has the same
    fields, in the order of `columns`)."""
    table = read(data, file_name, headers, limits)
    rows = [[row.number, list(row.values.values()), row.unmapped] for row in table.rows]
    return {"rows": rows, "columns": table.columns, "ignored": table.ignored}


def read_columns(
    data: bytes, file_name: str, headers: dict[str, tuple[str, ...]], limits: ImportLimits
) -> dict[str, list[str]]:
    """The columns of a large CSV extract that `headers` names, as text, in a child process
    within `limits.parse_memory_bytes` and `parse_seconds`: for a bulk load that checks no row
    by itself (the registry's million NIKs), so its rows are not capped and blank lines are
    skipped. The header is the first line; the delimiter, the one of `,;|` or tab it holds
    most of.

    Raises:
        ImportFileError: no column for the first field of `headers`, or reading the file took
            more memory or time than allowed.
    """
    return _in_child(_columns, data, file_name, headers, limits=limits)


def _columns(
    data: bytes, file_name: str, headers: dict[str, tuple[str, ...]]
) -> dict[str, list[str]]:
    text = data.decode("utf-8-sig", errors="replace")
    first = text.split("\n", 1)[0]
    lines = csv.reader(io.StringIO(text), delimiter=max(CSV_DELIMITERS, key=first.count))
    aliases = {alias: ours for ours, names in headers.items() for alias in names}
    positions: dict[str, int] = {}
    for position, header in enumerate(next(lines, [])):
        ours = aliases.get(header_key(header))
        if ours is not None:
            positions.setdefault(ours, position)
    key = next(iter(headers))
    if key not in positions:
        raise ImportFileError(f"{file_name}: no {key.upper()} column (headers: {first[:120]})")
    columns: dict[str, list[str]] = {ours: [] for ours in headers if ours in positions}
    for cells in lines:
        if cells:
            for ours, values in columns.items():
                position = positions[ours]
                values.append(cells[position] if position < len(cells) else "")
    return columns


def _in_child(
    reader: Callable[..., Any], data: bytes, file_name: str, *args: Any, limits: ImportLimits
) -> Any:
    """`reader(data, file_name, *args)` in a child process within `limits`."""
    return sandbox.run(
        reader,
        data,
        file_name,
        *args,
        file_name=file_name,
        memory_bytes=limits.parse_memory_bytes,
        seconds=limits.parse_seconds,
    )
