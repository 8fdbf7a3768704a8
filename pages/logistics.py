"""Logistik: stock per warehouse and its ledger, dispatch and receipt of aid, shelters, dapur
umum, the cover of an incident's needs, and the opening stock import. Only the open tab runs
(a map drawn in a hidden tab would have no height)."""

import streamlit as st

from command_center.base.labels import t
from command_center.ui import logistics, shell
from command_center.ui.messages import show_done

lang = shell.start_page()
st.title(t("page_logistics", lang))
show_done()
incident_id = logistics.incident_picker(lang)

OF_INCIDENT = {  # tab -> its panel for the chosen incident
    "tab_dispatch": logistics.dispatch,
    "tab_receipts": logistics.receipts,
    "tab_shelters": logistics.shelters,
    "tab_kitchens": logistics.kitchens,
    "tab_cover": logistics.cover,
}
keys = ("tab_stock", *OF_INCIDENT, "tab_import")
tabs = st.tabs([t(k, lang) for k in keys], key="logistics_tab", on_change="rerun")
for key, tab in zip(keys, tabs, strict=True):
    if not tab.open:
        continue
    with tab:
        if key == "tab_stock":
            logistics.stock(lang)
        elif key == "tab_import":
            logistics.opening_import(lang)
        elif incident_id is not None:
            OF_INCIDENT[key](incident_id, lang)
