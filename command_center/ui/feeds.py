"""What hazard feeds say on every screen that shows hazards: a tsunami warning in force, above
everything, and the feed-health panel (age, stale, failing since when)."""

from __future__ import annotations

import streamlit as st

from command_center.adapters.hazards import feed_health
from command_center.adapters.live_map import TsunamiAlert
from command_center.base.labels import t
from command_center.ui.messages import md


def tsunami_banner(alerts: tuple[TsunamiAlert, ...], lang: str) -> None:
    """Every InaTEWS tsunami warning in force, first on the page, in red."""
    for alert in alerts:
        text = t("tsunami_banner", lang, level=alert.level, headline=md(alert.headline))
        areas = t("tsunami_banner_areas", lang, areas=md("; ".join(alert.areas)))
        st.error(f"### {text}\n\n{areas}", icon=":material/tsunami:")


def feed_panel(lang: str) -> None:
    """Say how old each feed's data is; stale in amber, failing in red, with the reason."""
    lines = feed_health(lang)
    if not lines:
        st.warning(t("no_feeds", lang), icon=":material/cloud_off:")
        return
    with st.container(border=True):
        st.caption(t("feeds", lang))
        for line in lines:
            if line.level == "failing":
                st.error(line.text, icon=":material/sync_problem:")
            elif line.level == "stale":
                st.warning(line.text, icon=":material/schedule:")
            else:
                st.caption(f":green[●] {line.text}")
    st.caption(t("bmkg_credit", lang))
