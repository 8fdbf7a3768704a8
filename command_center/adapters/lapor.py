"""The field reporter's page (`Lapor`, the full Streamlit page and the light form alike): who
holds the link, where and what they may report, their earlier reports, and saving a new one.
Nothing here is cached: a revoked link stops on the reporter's next tap."""

from __future__ import annotations

from typing import Any

import pandas as pd

from command_center.base import resources
from command_center.base.labels import number, t
from command_center.base.models import FIGURES
from command_center.base.pdp import KeyMissing
from command_center.base.times import format_wib
from command_center.services.households import HouseholdInput
from command_center.services.logistics import typed_list
from command_center.services.reporters import FieldReporter
from command_center.stores import households as household_store
from command_center.stores import reporters as reporter_store
from command_center.stores.reports import Saved

LANG = "id"  # the field speaks Bahasa Indonesia
UNSENT_AFTER_S = 20  # no answer by then: the page says the report is not sent yet
GROUPS = (  # the figures a reporter gives, in the order they count them (label, figures)
    ("lapor_victims", ("deaths", "missing", "injured_severe", "injured_light")),
    ("lapor_displaced", ("displaced", "shelters")),
    ("lapor_affected", ("affected_families", "affected_people")),
    ("lapor_houses", ("houses_heavy", "houses_moderate", "houses_light", "houses_flooded")),
)
SHOWN = 20  # the reporter's newest reports listed under the form
SUMMED = ("deaths", "missing", "displaced", "houses_heavy")  # a past report at a glance


def reporter(token: str) -> FieldReporter | None:
    """The link's holder, or None when the link is unknown, revoked or expired."""
    return reporter_store.reporter_for(resources.engine(), token)


def incidents(holder: FieldReporter) -> dict[int, str]:
    """The open incidents the reporter may report to, newest first: id → name."""
    return reporter_store.reporter_incidents(resources.engine(), holder)


def kecamatan(holder: FieldReporter) -> dict[str, str]:
    """The link's kecamatan: code → "Name (code)"."""
    geography = resources.geography()
    return {
        code: f"{geography.name(code)} ({code})" if geography is not None else code
        for code in holder.kecamatan
    }


def previous(holder: FieldReporter) -> pd.DataFrame:
    """The reporter's own reports, newest first (our column names)."""
    return reporter_store.own_reports(resources.engine(), holder)


def summaries(mine: pd.DataFrame, lang: str) -> list[dict[str, Any]]:
    """The reporter's newest reports (`mine`, from `previous`) in words, as plain text for
    the page to escape: id, incident, kecamatan (code and name), when, version, status, and
    the main figures."""
    return [
        {
            "id": int(row.id),
            "incident_id": int(row.incident_id),
            "code": row.kecamatan_code,
            "kecamatan": row.kecamatan,
            "when": format_wib(row.report_time, lang),
            "version": int(row.version),
            "status": t(f"verification_{row.verification}", lang),
            "figures": ", ".join(
                f"{t(f'field_{f}', lang)} {number(int(getattr(row, f)), lang)}"
                for f in SUMMED
                if pd.notna(getattr(row, f))
            ),
        }
        for row in mine.head(SHOWN).itertuples()
    ]


def last_figures(mine: pd.DataFrame, incident_id: int, code: str) -> dict[str, Any]:
    """The figures and needs of the reporter's latest report (`mine`, from `previous`) for
    this kecamatan and incident, to start the update from; or nothing."""
    rows = mine[(mine["incident_id"] == incident_id) & (mine["kecamatan_code"] == code)]
    if rows.empty:
        return {}
    latest = rows.iloc[0]
    figures = {f: int(latest[f]) for f in FIGURES if pd.notna(latest[f])}
    return {**figures, "needs": typed_list(latest["needs"] or [])}


def save(token: str, values: dict[str, Any], confirmed: bool) -> Saved:
    """Store the reporter's report (the link is checked again as it is saved)."""
    engine, geography = resources.engine(), resources.geography()
    limits = resources.settings().probe_limits
    return resources.written(
        reporter_store.save_field_report(engine, token, values, geography, confirmed, limits)
    )


def households_open() -> bool:
    """Whether families can be registered here (the personal-data key is set)."""
    try:
        resources.vault()
    except KeyMissing:
        return False
    return True


def shelters(incident_id: int) -> dict[int, str]:
    return household_store.shelter_names(resources.engine(), incident_id)


def save_household(token: str, incident_id: int, values: dict[str, Any]) -> household_store.Saved:
    """Register the reporter's family entry (the link is checked again as it is saved); an
    entry for a family someone else registered waits for review (`waiting`)."""
    entry = HouseholdInput.check(values, resources.geography())
    return resources.written(
        reporter_store.save_field_household(
            resources.engine(),
            resources.vault(),
            token,
            incident_id,
            entry,
            resources.settings().probe_limits,
        )
    )
