"""Impact: the latest report of each kecamatan for an incident."""

import streamlit as st

from command_center.adapters.reports import incident_choices, load_latest_reports
from command_center.labels import t
from command_center.ui import shell

lang = shell.start_page()
st.title(t("page_reports", lang))

choices = incident_choices()
if not choices:
    st.info(t("no_reports", lang))
else:
    incident_id = st.selectbox(t("choose_incident", lang), list(choices), format_func=choices.get)
    table = load_latest_reports(incident_id, lang)
    st.subheader(t("latest_per_kecamatan", lang))
    if table.empty:
        st.info(t("no_reports", lang))
    else:
        st.dataframe(table, hide_index=True, width="stretch")
shell.coming_later(5, "reports_later")
