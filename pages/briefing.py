"""Briefing: headline figures per open incident, for the wall screen."""

import streamlit as st

from command_center.adapters.briefing import load_briefing
from command_center.labels import number, t
from command_center.times import format_wib
from command_center.ui import shell

lang = shell.start_page()
st.title(t("page_briefing", lang))

include_unverified = st.toggle(t("include_unverified", lang), key="briefing_unverified")
briefings = load_briefing(include_unverified)
if not briefings:
    st.info(t("no_briefing", lang))
for item in briefings:
    shell.exercise_banner(item.incident.is_exercise)
    st.header(item.incident.name)
    st.caption(f"{t('incident', lang)}: {format_wib(item.incident.started_at, lang)}")
    figures = item.figures
    cells = (
        ("deaths", figures.deaths),
        ("missing", figures.missing),
        ("injured", figures.injured),
        ("displaced", figures.displaced),
        ("houses_damaged", figures.houses_damaged),
        ("teams_deployed", figures.teams_deployed),
        ("teams_standby", figures.teams_standby),
        ("kecamatan_reporting", figures.kecamatan_reporting),
    )
    for column, (key, value) in zip(st.columns(4) + st.columns(4), cells, strict=True):
        column.metric(t(key, lang), number(value, lang))
    if figures.unverified_reports:
        st.warning(t("unverified_included", lang, n=figures.unverified_reports))
    elif not include_unverified:
        st.caption(t("verified_only", lang))
shell.coming_later(6, "briefing_later")
