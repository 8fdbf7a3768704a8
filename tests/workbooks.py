"""Test helpers: workbooks built to hurt a reader (a shared-strings bomb), written as streams."""

from __future__ import annotations

import io
import zipfile

import openpyxl

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHARED_STRINGS = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
RELATION = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
ENTRIES_PER_WRITE = 100_000


def workbook(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def shared_strings_bomb(
    rows: list[list[object]],
    strings: int,
    part: str = "xl/sharedStrings.xml",
    prefix: str = "",
    without: str | None = None,
) -> bytes:
    """The workbook of `rows` with a shared-strings table of `strings` one-letter texts
    (`<si><t>x</t></si>`: 17 bytes each, compressed about a thousandfold) that declares a count
    of 1. The table may sit in another `part` and use a namespace `prefix` (`"x:"`), as openpyxl
    allows; the part `without` (e.g. `xl/workbook.xml`) is left out."""
    source = zipfile.ZipFile(io.BytesIO(workbook(rows)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "[Content_Types].xml":
                listed = f'<Override PartName="/{part}" ContentType="{SHARED_STRINGS}"/>'
                data = data.replace(b"</Types>", listed.encode() + b"</Types>")
            if item.filename == "xl/_rels/workbook.xml.rels":
                related = f'<Relationship Type="{RELATION}" Target="/{part}" Id="rId99"/>'
                data = data.replace(b"</Relationships>", related.encode() + b"</Relationships>")
            if item.filename != without:
                target.writestr(item, data)
        with target.open(part, "w") as stream:
            space = f"xmlns:{prefix[:-1]}" if prefix else "xmlns"
            stream.write(f'<{prefix}sst {space}="{MAIN}" count="1" uniqueCount="1">'.encode())
            entry = f"<{prefix}si><{prefix}t>x</{prefix}t></{prefix}si>".encode()
            for done in range(0, strings, ENTRIES_PER_WRITE):
                stream.write(entry * min(ENTRIES_PER_WRITE, strings - done))
            stream.write(f"</{prefix}sst>".encode())
    return out.getvalue()
