"""Import screens of every page: the quarantine of rows waiting for correction."""

from __future__ import annotations

import pandas as pd

from command_center.base import resources
from command_center.base.auth import Principal
from command_center.base.labels import field_error, t
from command_center.base.models import QuarantinedRow
from command_center.stores import imports


@resources.cached(QuarantinedRow, ttl=15)
def load_quarantine(kind: str, lang: str, actor: Principal) -> pd.DataFrame:
    """Quarantined rows of `kind` in `actor`'s area as typed, with their problems in words;
    index = row id."""
    rows = imports.quarantine(resources.engine(), kind, actor)
    table = pd.DataFrame([r.data for r in rows], index=pd.Index([r.id for r in rows], name="id"))
    problems = [
        "; ".join(field_error(e["field"], e["code"], e["params"], lang) for e in r.errors)
        for r in rows
    ]
    table.insert(0, t("col_problem", lang), problems)
    table.insert(0, t("col_row", lang), [f"{r.file_name}:{r.row_number}" for r in rows])
    return table


def discard(row_ids: list[int], actor: Principal) -> int:
    return resources.written(imports.discard(resources.engine(), row_ids, actor))
