"""Incident pick lists shared by the Tagana and reports pages."""

from __future__ import annotations

import streamlit as st

from command_center import store
from command_center.ui import resources


@st.cache_data(ttl=60, show_spinner=False)
def load_incident_kecamatan(incident_id: int) -> dict[str, str]:
    """The incident's kecamatan, then the rest of its kabupaten: code -> "name (code)"."""
    codes = list(store.incident_kecamatan(resources.engine(), incident_id))
    geography = resources.geography()
    if geography is not None and codes:
        same = geography.kecamatan["kode_kab"].isin({c[:5] for c in codes})
        codes += sorted(set(geography.kecamatan.index[same]) - set(codes))
    name = geography.name if geography is not None else str
    return {c: f"{name(c)} ({c})" for c in codes}
