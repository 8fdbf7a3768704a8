"""Operator: live map of open incidents, affected kecamatan and Tagana teams."""

import streamlit as st
from streamlit_folium import st_folium

from command_center.adapters.live_map import load_live_map
from command_center.labels import t
from command_center.ui import maps, resources, shell

lang = shell.start_page()
settings = resources.settings()
st.title(t("page_live_map", lang))
st.caption(t("live_map_intro", lang))

view = load_live_map(lang)
if view.problem:
    st.error(view.problem, icon=":material/map:")
shell.exercise_banner(any(i.is_exercise for i in view.incidents))
if not view.incidents:
    st.info(t("no_incidents", lang))
if not settings.tile_url:
    st.caption(t("tiles_off", lang))

fmap = maps.live_map(
    view, settings.tile_url, settings.tile_attribution, st.get_option("server.baseUrlPath")
)
st_folium(fmap, key="live_map", returned_objects=[], height=620, use_container_width=True)
shell.coming_later(3, "live_feeds_later")
