"""Impact: kecamatan reports of an incident — totals and choropleth, reports and verification,
entry, import and exports."""

import streamlit as st

from command_center.adapters.reports import incident_choices
from command_center.labels import t
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

tabs = (
    "tab_summary",
    "tab_reports",
    "tab_entry",
    "tab_whatsapp",
    "tab_import",
    "tab_reporters",
    "tab_export",
)
summary, listing, entry, pasted, upload, reporters, export = st.tabs(
    [t(k, lang) for k in tabs], key="reports_tab", on_change="rerun"
)
with summary:
    reports.summary(incident_id, include_unverified, lang)
with reporters:
    reports.reporter_links(incident_id, lang)
with export:
    reports.export(incident_id, include_unverified, lang)
for tab, panel in (
    (listing, reports.reports),
    (entry, reports.entry),
    (pasted, reports.whatsapp),
    (upload, reports.import_reports),
):
    with tab:
        if incident_id is None:
            st.info(t("choose_one_incident", lang))
        else:
            panel(incident_id, lang)
