"""Tagana: status board, assignment with nearest-team suggestions, team status and history,
the roster and its import."""

import streamlit as st

from command_center.labels import t
from command_center.ui import roster, shell, teams
from command_center.ui.messages import show_done

lang = shell.start_page()
st.title(t("page_deployments", lang))
show_done()

board, assign, team, table, upload = st.tabs(
    [t(k, lang) for k in ("tab_board", "tab_assign", "tab_team", "tab_roster", "tab_import")],
    key="deployments_tab",
    on_change="rerun",
)
with board:
    teams.board(lang)
with assign:
    teams.assign(lang)
with team:
    teams.team_status(lang)
with table:
    roster.roster_table(lang)
with upload:
    roster.import_roster(lang)
