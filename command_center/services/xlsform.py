"""The kecamatan impact report and the affected-household form as XLSForms for ODK Collect /
KoboCollect.

Their field names are ours (`kecamatan_code`, `deaths`, ... as `ReportInput` reads them; `kk`,
`nik`, ... as a household spreadsheet's person rows), so a pulled submission needs no mapping.
The household form asks for the family once and its people in one repeat group (`anggota`).
The kecamatan is chosen province → kabupaten → kecamatan
(cascading choices filtered by code), the choices generated from the boundary layer in use.
"""

from __future__ import annotations

import io

import openpyxl
import pandas as pd

from command_center.base.labels import t
from command_center.services.households import CASUALTIES, DAMAGE, RELATIONS
from command_center.services.reports import SOURCES

FORM_ID = "laporan_dampak_kecamatan"
TITLE = "Laporan Dampak Kecamatan (Kemensos)"
HOUSEHOLD_FORM_ID = "data_kk_terdampak"
HOUSEHOLD_TITLE = "Data KK Terdampak (Kemensos)"
MEMBERS = "anggota"  # the repeat group of a household's people
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


def q(kind: str, name: str, label: str, **more: str) -> dict[str, str]:
    return {"type": kind, "name": name, "label": label, **more}


def _place() -> list[dict[str, str]]:
    """Province → kabupaten → kecamatan, each choice filtered by the one before."""
    return [
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
    ]


def survey() -> list[dict[str, str]]:
    """The report's questions, in Bahasa Indonesia."""
    rows = [
        q("start", "start", ""),
        q("end", "end", ""),
        *_place(),
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


IDENTITY = {"constraint": "regex(., '^[0-9]{16}$')", "constraint_message": "16 angka"}


def household_survey() -> list[dict[str, str]]:
    """The family's questions, then one repeat per person, in Bahasa Indonesia. The NIK and KK
    are checked for 16 digits on the phone; the rest of their checks run when pulled."""
    rows = [
        q("start", "start", ""),
        q("end", "end", ""),
        q("text", "kk", t("field_kk"), required="yes", **IDENTITY),
        *_place(),
        q("text", "desa", t("field_desa"), required="yes"),
        q("text", "address", t("field_address")),
        q("select_one kerusakan", "damage", t("field_damage"), required="yes"),
        q("select_one ya_tidak", "displaced", t("field_displaced_family")),
        q("text", "shelter", t("field_shelter")),
        q("text", "payout", t("field_payout")),
        q("begin_repeat", MEMBERS, t("household_members")),
        q("text", "nik", t("field_nik"), required="yes", **IDENTITY),
        q("text", "name", t("field_name"), required="yes"),
        q("select_one jk", "sex", t("field_sex"), required="yes"),
        q("date", "birth_date", t("field_birth_date"), required="yes"),
        q("select_one hubungan", "relation", t("field_relation"), required="yes"),
        q("select_one korban", "casualty", t("field_casualty")),
        q("select_one ya_tidak", "pregnant", t("field_pregnant_person")),
        q("select_one ya_tidak", "disabled", t("field_disabled_person")),
        q("end_repeat", MEMBERS, ""),
    ]
    return rows


def household_choices() -> list[dict[str, str]]:
    """The household form's own lists (its places come from `choices`)."""
    lists = {
        "kerusakan": {d: t(f"damage_{d}") for d in DAMAGE},
        "ya_tidak": {"ya": "Ya", "tidak": "Tidak"},
        "jk": {"L": "Laki-laki", "P": "Perempuan"},
        "hubungan": {r: t(f"relation_{r}") for r in RELATIONS},
        "korban": {c: t(f"casualty_{c}") for c in CASUALTIES},
    }
    return [
        {"list_name": name, "name": code, "label": label}
        for name, options in lists.items()
        for code, label in options.items()
    ]


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


def sheets(
    points: pd.DataFrame, version: str, households: bool = False
) -> dict[str, list[list[str]]]:
    """The three sheets of the report's XLSForm (or, with `households`, the household form's),
    each as rows (the header first)."""
    choice_rows = choices(points)
    choice_columns = ["list_name", "name", "label", "prov", "kab"]
    settings = {"form_title": TITLE, "form_id": FORM_ID, "version": version}
    questions = survey()
    if households:
        choice_rows = [r for r in choice_rows if r["list_name"] != "sumber"] + household_choices()
        settings.update(form_title=HOUSEHOLD_TITLE, form_id=HOUSEHOLD_FORM_ID)
        questions = household_survey()
    return {
        "survey": [
            list(SURVEY_COLUMNS),
            *([row.get(c, "") for c in SURVEY_COLUMNS] for row in questions),
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
