"""The kecamatan impact report as an XLSForm for ODK Collect / KoboCollect.

Its field names are ours (`kecamatan_code`, `deaths`, ... as `ReportInput` reads them), so a
pulled submission needs no mapping. The kecamatan is chosen province → kabupaten → kecamatan
(cascading choices filtered by code), the choices generated from the boundary layer in use.
"""

from __future__ import annotations

import io

import openpyxl
import pandas as pd

from command_center.labels import t
from command_center.services.reports import SOURCES

FORM_ID = "laporan_dampak_kecamatan"
TITLE = "Laporan Dampak Kecamatan (Kemensos)"
SURVEY_COLUMNS = (
    "type",
    "name",
    "label",
    "hint",
    "required",
    "constraint",
    "constraint_message",
    "choice_filter",
)
GROUPS = (  # as on the Lapor page
    ("korban", "lapor_victims", ("deaths", "missing", "injured_severe", "injured_light")),
    ("pengungsi", "lapor_displaced", ("displaced", "shelters")),
    ("terdampak", "lapor_affected", ("affected_families", "affected_people")),
    (
        "rumah",
        "lapor_houses",
        ("houses_heavy", "houses_moderate", "houses_light", "houses_flooded"),
    ),
    (
        "fasilitas",
        "xlsform_facilities",
        (
            "schools_damaged",
            "worship_damaged",
            "health_damaged",
            "offices_damaged",
            "bridges_damaged",
        ),
    ),
)
COUNT = {"constraint": ". >= 0", "constraint_message": "Tidak boleh negatif"}


def survey() -> list[dict[str, str]]:
    """The questions, in Bahasa Indonesia."""

    def q(kind: str, name: str, label: str, **more: str) -> dict[str, str]:
        return {"type": kind, "name": name, "label": label, **more}

    rows = [
        q("start", "start", ""),
        q("end", "end", ""),
        q("select_one provinsi", "provinsi", "Provinsi", required="yes"),
        q(
            "select_one kabupaten",
            "kabupaten",
            "Kabupaten/Kota",
            required="yes",
            choice_filter="prov=${provinsi}",
        ),
        q(
            "select_one kecamatan",
            "kecamatan_code",
            "Kecamatan",
            required="yes",
            choice_filter="kab=${kabupaten}",
        ),
        q("dateTime", "report_time", t("field_report_time"), required="yes"),
        q("text", "reporter", t("field_reporter"), required="yes"),
        q("select_one sumber", "source", t("field_source"), required="yes"),
    ]
    for group, label, figures in GROUPS:
        rows.append(q("begin_group", group, t(label)))
        rows += [q("integer", f, t(f"field_{f}"), **COUNT) for f in figures]
        rows.append(q("end_group", group, ""))
    rows += [
        q("text", "needs", t("field_needs"), hint="mis. tenda: 20; selimut: 300"),
        q("text", "notes", t("field_notes")),
    ]
    return rows


def choices(points: pd.DataFrame) -> list[dict[str, str]]:
    """Provinces, kabupaten and kecamatan by code (from `Geography.points`), and the sources."""
    points = points.sort_values("kode_kec")
    kabupaten = points.assign(kode_kab=points["kode_kec"].str[:5]).drop_duplicates("kode_kab")
    rows = [
        {"list_name": "provinsi", "name": code[:2], "label": name}
        for code, name in zip(kabupaten["kode_kab"], kabupaten["provinsi"], strict=True)
    ]
    rows = list({r["name"]: r for r in rows}.values())
    rows += [
        {"list_name": "kabupaten", "name": code, "label": name, "prov": code[:2]}
        for code, name in zip(kabupaten["kode_kab"], kabupaten["kabupaten"], strict=True)
    ]
    rows += [
        {"list_name": "kecamatan", "name": code, "label": name, "kab": code[:5]}
        for code, name in zip(points["kode_kec"], points["kecamatan"], strict=True)
    ]
    rows += [{"list_name": "sumber", "name": s, "label": t(f"source_{s}")} for s in SOURCES]
    return rows


def sheets(points: pd.DataFrame, version: str) -> dict[str, list[list[str]]]:
    """The three sheets of the XLSForm, each as rows (the header first)."""
    choice_rows = choices(points)
    choice_columns = ["list_name", "name", "label", "prov", "kab"]
    settings = {"form_title": TITLE, "form_id": FORM_ID, "version": version}
    return {
        "survey": [
            list(SURVEY_COLUMNS),
            *([row.get(c, "") for c in SURVEY_COLUMNS] for row in survey()),
        ],
        "choices": [choice_columns, *([r.get(c, "") for c in choice_columns] for r in choice_rows)],
        "settings": [list(settings), list(settings.values())],
    }


def to_xlsx(book: dict[str, list[list[str]]]) -> bytes:
    """The sheets as an .xlsx workbook."""
    workbook = openpyxl.Workbook(write_only=True)
    for name, rows in book.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
