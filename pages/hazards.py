"""Operator: BMKG hazards (earthquakes, warnings) from the store."""

import streamlit as st

from command_center.adapters.hazards import load_hazard_table
from command_center.labels import t
from command_center.ui import shell

lang = shell.start_page()
st.title(t("page_hazards", lang))

table = load_hazard_table(lang)
if table.empty:
    st.info(t("no_hazards", lang))
else:
    st.dataframe(table, hide_index=True, width="stretch")
shell.coming_later(3, "hazard_feeds_later")
