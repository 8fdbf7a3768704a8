"""Hazards page: the newest stored BMKG (and other) events, ready to show."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from command_center import store
from command_center.labels import t
from command_center.times import format_wib
from command_center.ui import resources


@st.cache_data(ttl=30, show_spinner=False)
def load_hazard_table(lang: str, limit: int = 200) -> pd.DataFrame:
    """One row per event, newest first, with labelled columns and WIB times."""
    events = store.hazard_events(resources.engine(), limit)
    return pd.DataFrame(
        {
            t("col_time", lang): [format_wib(v, lang) for v in events["time_utc"]],
            t("col_source", lang): events["source"],
            t("col_magnitude", lang): events["magnitude"],
            t("col_depth_km", lang): events["depth_km"],
            t("col_location", lang): events["location_text"],
            t("col_tsunami", lang): [
                t("yes" if v else "no", lang) for v in events["tsunami_potential"]
            ],
        }
    )
