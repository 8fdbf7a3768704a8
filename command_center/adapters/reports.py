"""Kecamatan reports page: the latest report per kecamatan of an incident."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from command_center import store
from command_center.labels import t
from command_center.times import format_wib
from command_center.ui import resources


@st.cache_data(ttl=30, show_spinner=False)
def incident_choices() -> dict[int, str]:
    """Open incidents as {id: name}, newest first."""
    return {i.id: i.name for i in store.incidents(resources.engine())}


@st.cache_data(ttl=30, show_spinner=False)
def load_latest_reports(incident_id: int, lang: str) -> pd.DataFrame:
    """One row per kecamatan (its latest report) with labelled columns."""
    rows = store.latest_reports(resources.engine(), incident_id)
    return pd.DataFrame(
        {
            t("col_code", lang): rows["kecamatan_code"],
            t("col_kecamatan", lang): rows["kecamatan"],
            t("col_source", lang): rows["source"].str.upper(),
            t("col_version", lang): rows["version"],
            t("col_time", lang): [format_wib(v, lang) for v in rows["report_time"]],
            t("col_reporter", lang): rows["reporter"],
            t("col_verification", lang): [
                t(f"verification_{v}", lang) for v in rows["verification"]
            ],
            t("deaths", lang): rows["deaths"],
            t("missing", lang): rows["missing"],
            t("injured", lang): rows["injured_severe"].fillna(0) + rows["injured_light"].fillna(0),
            t("displaced", lang): rows["displaced"],
            t("houses_damaged", lang): rows[["houses_heavy", "houses_moderate", "houses_light"]]
            .fillna(0)
            .sum(axis=1),
        }
    )
