"""Data KK Terdampak: affected families of an incident, masked for all but data officers and
counted only for the roles that do not register them; the changes waiting for review, Kemensos
assistance and its payments, the social registry match and proposals, the import, and the
households' counts next to the kecamatan reports. Only the open tab runs."""

import streamlit as st

from command_center.base.labels import t
from command_center.ui import households, shell
from command_center.ui.messages import show_done

lang = shell.start_page()
st.title(t("page_households", lang))
show_done()
if households.key_ready(lang):
    incident_id = households.incident_picker(lang)
    if incident_id is not None:
        households.counts(incident_id, lang)
        PANELS = households.panels(lang)  # those of the signed-in role
        tabs = st.tabs([t(k, lang) for k in PANELS], key="households_tab", on_change="rerun")
        for panel, tab in zip(PANELS.values(), tabs, strict=True):
            if tab.open:
                with tab:
                    panel(incident_id, lang)
