"""Tagana: the roster and where each team is."""

import streamlit as st

from command_center.adapters.deployments import load_roster
from command_center.labels import t
from command_center.ui import shell

lang = shell.start_page()
st.title(t("page_deployments", lang))

roster = load_roster(lang)
shell.exercise_banner(roster.any_exercise)
if roster.table.empty:
    st.info(t("no_teams", lang))
else:
    for column, (status, count) in zip(
        st.columns(len(roster.counts)), roster.counts.items(), strict=True
    ):
        column.metric(status, count)
    st.dataframe(roster.table, hide_index=True, width="stretch")
shell.coming_later(4, "assignment_later")
