"""Operator: BMKG hazards (earthquakes, warnings), one event's affected kecamatan, incidents."""

import streamlit as st

from command_center.adapters.hazards import load_event_detail, load_forecasts, load_hazard_table
from command_center.adapters.incidents import decide_proposal
from command_center.adapters.volcanoes import load_volcano_table
from command_center.base import resources
from command_center.base.errors import Forbidden, StaleRecord
from command_center.base.labels import t
from command_center.ui import shell
from command_center.ui.feeds import feed_panel
from command_center.ui.hotspots import hotspot_section
from command_center.ui.messages import done, explain, show_done, show_table

lang = shell.start_page()
st.title(t("page_hazards", lang))
show_done()
feed_panel(lang)
hotspot_section(lang)

st.subheader(t("volcanoes_heading", lang))
volcanoes = load_volcano_table(lang)
if volcanoes.empty:
    st.caption(t("no_volcanoes", lang))
else:
    show_table(volcanoes, lang, hide_index=True, width="stretch", key="volcano_table")

table, ids = load_hazard_table(lang)
if table.empty:
    st.info(t("no_hazards", lang))
    st.stop()
show_table(table, lang, hide_index=True, width="stretch")

labels = dict(zip(ids, table.index, strict=True))
event_id = st.selectbox(t("choose_event", lang), ids, format_func=labels.get, key="hazard_event")
detail = load_event_detail(event_id, lang)
if detail is not None:
    st.subheader(detail.title)
    if detail.incident_id and detail.incident_status == "proposed":
        st.warning(t("incident_proposed", lang, name=detail.incident_name))
        confirm, dismiss = st.columns(2)
        try:
            if confirm.button(t("confirm_incident", lang), type="primary"):
                decide_proposal(detail.incident_id, detail.incident_version, True, shell.actor())
                done(t("incident_confirmed", lang))
            if dismiss.button(t("dismiss_incident", lang)):
                decide_proposal(detail.incident_id, detail.incident_version, False, shell.actor())
                done(t("incident_dismissed", lang))
        except StaleRecord:
            st.error(t("incident_changed", lang))
        except Forbidden as exc:
            st.error(explain(exc, lang))
    elif detail.incident_id and detail.incident_status == "open":
        st.success(t("incident_open", lang, name=detail.incident_name))
    mmi = resources.settings().affected_min_mmi
    heading = {
        "weather_warning": "warning_kecamatan",
        "tsunami_warning": "tsunami_areas",
        "earthquake": "affected_kecamatan",
        "volcano_level": "zone_kecamatan_heading",
        "forest_fire": "fire_kecamatan",
    }.get(detail.kind, "gdacs_reach")
    st.markdown(f"**{t(heading, lang, mmi=f'{mmi:g}')}**")
    if detail.kind == "earthquake":
        st.caption(t("estimate_note", lang))
    if detail.affected.empty:
        st.caption(t("no_affected", lang, mmi=f"{mmi:g}"))
    else:
        show_table(detail.affected, lang, hide_index=True, width="stretch")
    if not detail.felt.empty:
        st.markdown(f"**{t('felt_reports', lang)}**")
        show_table(detail.felt, lang, hide_index=True, width="stretch")
    if detail.shakemap_url:
        st.link_button(t("shakemap", lang), detail.shakemap_url)
    if detail.incident_status == "open":
        st.markdown(f"**{t('forecast', lang)}**")
        forecast = load_forecasts(detail.incident_kecamatan, lang)
        if forecast.empty:
            st.caption(t("no_forecast", lang))
        else:
            show_table(forecast, lang, hide_index=True, width="stretch")
        st.caption(t("bmkg_credit", lang))
