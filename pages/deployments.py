"""Tagana: status board, assignment with nearest-team suggestions, team status and history,
the roster and its import. Only the open tab runs."""

import streamlit as st

from command_center.base.labels import t
from command_center.ui import roster, shell, teams
from command_center.ui.messages import show_done

lang = shell.start_page()
st.title(t("page_deployments", lang))
show_done()

PANELS = {
    "tab_board": teams.board,
    "tab_assign": teams.assign,
    "tab_team": teams.team_status,
    "tab_roster": roster.roster_table,
    "tab_import": roster.import_roster,
}
tabs = st.tabs([t(k, lang) for k in PANELS], key="deployments_tab", on_change="rerun")
for panel, tab in zip(PANELS.values(), tabs, strict=True):
    if tab.open:  # only the open tab runs
        with tab:
            panel(lang)
