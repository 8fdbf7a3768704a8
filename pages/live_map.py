"""Operator: live map of incidents, BMKG quakes and warnings, affected kecamatan and teams."""

import streamlit as st
from streamlit_folium import st_folium

from command_center.adapters.hazards import feed_health
from command_center.adapters.live_map import load_areas, load_live_map
from command_center.base import resources
from command_center.base.labels import t
from command_center.ui import maps, refresh, shell
from command_center.ui.feeds import feed_panel, tsunami_banner
from command_center.ui.messages import md, show_table

lang = shell.start_page()
st.title(t("page_live_map", lang))
st.caption(t("live_map_intro", lang))
# redrawn when its data changes (checked before it is read): new data reaches the map as a
# layer group, so pan and zoom stay
refresh.watch(refresh.drawn(*load_live_map.tables, *feed_health.tables))

view = load_live_map(lang)
tsunami_banner(view.tsunami, lang)
if view.problem:
    st.error(view.problem, icon=":material/map:")
shell.exercise_banner(any(i.is_exercise for i in view.incidents))
if not view.incidents:
    st.info(t("no_incidents", lang))
tiles = resources.tiles()
base = maps.base_map(
    tiles.url,
    tiles.attribution,
    view.centre,
    view.zoom,
    base_url_path=st.get_option("server.baseUrlPath"),
    outlines=resources.map_layers(),
)
maps.Legend(view.legend).add_to(base)
st_folium(
    base,
    key="live_map",
    feature_group_to_add=maps.live_layers(view, load_areas(lang)),
    center=view.centre,
    zoom=view.zoom,
    returned_objects=[],
    height=620,
    use_container_width=True,
)
st.caption(t("event_age_legend", lang) + " " + t("active_warnings", lang, n=len(view.warnings)))
if not view.community_counts.empty:
    st.caption(t("community_note", lang, n=len(view.community)))
    show_table(view.community_counts, lang, hide_index=True, width="stretch", height=220)
if tiles.problem:
    st.warning(t("basemap_problem", lang, problem=md(tiles.problem)))
elif not tiles.url:
    st.caption(t("tiles_off", lang))
feed_panel(lang)
