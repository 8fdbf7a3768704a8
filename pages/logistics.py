"""Logistik: stock per warehouse and its ledger, dispatch and receipt of aid, shelters, dapur
umum, the cover of an incident's needs, and the opening stock import."""

import streamlit as st

from command_center.labels import t
from command_center.ui import logistics, shell
from command_center.ui.messages import show_done

lang = shell.start_page()
st.title(t("page_logistics", lang))
show_done()
incident_id = logistics.incident_picker(lang)

stock, send, received, shelters, kitchens, cover, upload = st.tabs(
    [
        t(k, lang)
        for k in (
            "tab_stock",
            "tab_dispatch",
            "tab_receipts",
            "tab_shelters",
            "tab_kitchens",
            "tab_cover",
            "tab_import",
        )
    ]
)
with stock:
    logistics.stock(lang)
with upload:
    logistics.opening_import(lang)
if incident_id is not None:
    with send:
        logistics.dispatch(incident_id, lang)
    with received:
        logistics.receipts(incident_id, lang)
    with shelters:
        logistics.shelters(incident_id, lang)
    with kitchens:
        logistics.kitchens(incident_id, lang)
    with cover:
        logistics.cover(incident_id, lang)
