"""Incidents: every disaster of any hazard, opened by hand or from a proposal, with its area,
emergency phases, teams and history; open, change, close, reopen and merge. Roles that may
not change incidents (viewer, logistik, pendata) read the list and each incident of their area."""

import streamlit as st

from command_center.adapters.incidents import proposal_count
from command_center.base.auth import permits
from command_center.base.labels import t
from command_center.ui import incidents, shell
from command_center.ui.messages import show_done

lang = shell.start_page()
st.title(t("page_incidents", lang))
show_done()

if permits(shell.actor(), "incident"):
    proposals, listing, opening = st.tabs(
        [
            t("tab_proposals", lang, n=proposal_count()),
            t("tab_incident_list", lang),
            t("tab_open_incident", lang),
        ],
        key="incidents_tab",
        on_change="rerun",
    )
    for tab, panel in (
        (proposals, incidents.proposal_list),
        (listing, incidents.incident_list),
        (opening, incidents.open_form),
    ):
        if tab.open:  # only the open tab runs
            with tab:
                panel(lang)
else:  # officials, logistics and data staff read the incidents of their area
    st.caption(t("incidents_read_only", lang))
    incidents.incident_list(lang)

chosen = incidents.chosen()
st.divider()
if chosen is None:
    st.caption(t("choose_incident_view", lang))
else:
    incidents.incident_view(chosen, lang)
