"""The Hazards page's hotspot section: counts per kecamatan per day, and the rule they feed."""

from __future__ import annotations

import streamlit as st

from command_center.adapters.hotspots import TABLE_DAYS, load_hotspot_table
from command_center.base import resources
from command_center.base.labels import t
from command_center.ui.messages import show_table


def hotspot_section(lang: str) -> None:
    """High-confidence hotspots per kecamatan for the last days, most first (open when any)."""
    table = load_hotspot_table(lang)
    settings = resources.settings()
    with st.expander(t("hotspot_counts", lang, days=TABLE_DAYS), expanded=not table.empty):
        st.caption(
            t(
                "hotspot_counts_note",
                lang,
                min_high=settings.hotspot_min_high,
                days=settings.hotspot_days,
            )
        )
        if table.empty:
            st.caption(t("no_hotspots", lang, days=TABLE_DAYS))
        else:
            show_table(table, lang, hide_index=True, width="stretch", height=320)
