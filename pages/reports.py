"""Impact: kecamatan reports of an incident — totals and choropleth, reports and verification,
entry, import and exports. Only the open tab runs."""

import streamlit as st

from command_center.adapters.reports import incident_choices
from command_center.base.labels import t
from command_center.ui import reports, shell
from command_center.ui.messages import show_done

lang = shell.start_page()
st.title(t("page_reports", lang))
show_done()

choices = incident_choices()
if not choices:
    st.info(t("no_reports", lang))
    st.stop()
left, right = st.columns([3, 2])
incident_id = left.selectbox(
    t("choose_incident", lang),
    [*choices, None],
    format_func=lambda i: t("all_incidents", lang) if i is None else choices[i],
    key="reports_incident",
)
include_unverified = right.toggle(t("include_unverified", lang), key="include_unverified")
shell.exercise_banner(incident_id is not None and "LATIHAN" in choices[incident_id])


OF_INCIDENT = {  # tab -> its panel, for one chosen incident
    "tab_reports": reports.reports,
    "tab_entry": reports.entry,
    "tab_whatsapp": reports.whatsapp,
    "tab_import": reports.import_reports,
}
keys = ("tab_summary", *OF_INCIDENT, "tab_reporters", "tab_export")
tabs = st.tabs([t(k, lang) for k in keys], key="reports_tab", on_change="rerun")
for key, tab in zip(keys, tabs, strict=True):
    if not tab.open:  # only the open tab runs
        continue
    with tab:
        if key == "tab_summary":
            reports.summary(incident_id, include_unverified, lang)
        elif key == "tab_reporters":
            reports.reporter_links(incident_id, lang)
        elif key == "tab_export":
            reports.export(incident_id, include_unverified, lang)
        elif incident_id is None:
            st.info(t("choose_one_incident", lang))
        else:
            OF_INCIDENT[key](incident_id, lang)
