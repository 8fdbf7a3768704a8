"""Exports of the counted kecamatan reports: CSV, GeoJSON (with geometry) and HXL-tagged CSV.

Text cells that a spreadsheet would take for a formula (`=`, `+`, `-`, `@` first) are prefixed
with an apostrophe, so opening an export never runs anything.
"""

from __future__ import annotations

import io
import json

import pandas as pd

from command_center.base.geography import Geography
from command_center.base.models import FIGURES
from command_center.services.logistics import typed_list

HXL_TAGS = {
    "kecamatan_code": "#adm3+code",
    "kecamatan": "#adm3+name",
    "kabupaten_code": "#adm2+code",
    "kabupaten": "#adm2+name",
    "province_code": "#adm1+code",
    "province": "#adm1+name",
    "report_time_utc": "#date+reported",
    "source": "#meta+source",
    "reporter": "#contact+name",
    "verification": "#status+verification",
    "deaths": "#affected+killed",
    "missing": "#affected+missing",
    "injured_severe": "#affected+injured+severe",
    "injured_light": "#affected+injured+minor",
    "injured_unspecified": "#affected+injured",
    "displaced": "#affected+displaced",
    "shelters": "#loc+shelter+num",
    "affected_families": "#affected+hh",
    "affected_people": "#affected+ind",
    "houses_heavy": "#affected+houses+damaged+severe",
    "houses_moderate": "#affected+houses+damaged+moderate",
    "houses_light": "#affected+houses+damaged+light",
    "houses_flooded": "#affected+houses+flooded",
    "schools_damaged": "#affected+schools+damaged",
    "worship_damaged": "#affected+worship+damaged",
    "health_damaged": "#affected+health+damaged",
    "offices_damaged": "#affected+offices+damaged",
    "bridges_damaged": "#affected+bridges+damaged",
    "needs": "#need+items",
    "aid_delivered": "#delivered+items",
}
COLUMNS = list(HXL_TAGS)


def _inert(value: object) -> object:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def export_table(counted: pd.DataFrame, geography: Geography | None) -> pd.DataFrame:
    """One row per kecamatan with its area codes and names, in export column order."""
    table = counted.copy()
    codes = table["kecamatan_code"]
    table["kabupaten_code"], table["province_code"] = codes.str[:5], codes.str[:2]
    name = geography.name if geography is not None else str
    table["kabupaten"] = table["kabupaten_code"].map(name)
    table["province"] = table["province_code"].map(name)
    table["report_time_utc"] = [t.isoformat() for t in table["report_time"]]
    table["needs"] = [typed_list(items or []) for items in table["needs"]]
    table["aid_delivered"] = [typed_list(items or []) for items in table["aid_delivered"]]
    table[list(FIGURES)] = table[list(FIGURES)].astype("Int64")
    return table[COLUMNS]


def to_csv(table: pd.DataFrame) -> bytes:
    return table.map(_inert).to_csv(index=False).encode("utf-8")


def to_hxl(table: pd.DataFrame) -> bytes:
    """CSV with the HXL hashtag row under the header (hxlstandard.org)."""
    tags = pd.DataFrame([[HXL_TAGS[c] for c in table.columns]], columns=table.columns)
    body = table.astype(object).map(_inert)
    return pd.concat([tags, body], ignore_index=True).to_csv(index=False).encode("utf-8")


def to_geojson(table: pd.DataFrame, geography: Geography) -> bytes:
    """A FeatureCollection: each kecamatan's boundary with its figures as properties."""
    shapes = geography.kecamatan.loc[table["kecamatan_code"], ["geometry"]].reset_index(drop=True)
    properties = table.reset_index(drop=True).astype(object).where(table.notna().values, None)
    layer = shapes.join(properties)
    return json.dumps(json.loads(layer.to_json(drop_id=True)), ensure_ascii=False).encode("utf-8")


def to_xlsx(table: pd.DataFrame) -> bytes:
    """An .xlsx workbook of `table`; text a spreadsheet would run as a formula stays text."""
    out = io.BytesIO()
    table.astype(object).map(_inert).to_excel(out, index=False, engine="openpyxl")
    return out.getvalue()


def watermarked_csv(table: pd.DataFrame, watermark: str) -> bytes:
    """A named list as CSV: the watermark line (who exported it, when, why) first, then the
    table, formula-safe. Kept on every copy of the file, as the first line."""
    body = table.astype(object).map(_inert).to_csv(index=False)
    return f"# {watermark}\n{body}".encode()
