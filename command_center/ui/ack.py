"""What an alert's ACK link opens, without sign-in (the link itself names the delivery): one
button, so a link preview or a mail scanner fetching the address acknowledges nothing."""

from __future__ import annotations

import streamlit as st

from command_center.adapters import alerts as data
from command_center.base.labels import t
from command_center.base.times import format_wib
from command_center.ui.messages import md

ACK_PARAM = "ack"


def ack_screen(lang: str) -> None:
    st.title(t("ack_title", lang))
    token = st.query_params.get(ACK_PARAM, "")
    alert = data.alert_of_token(token)
    if alert is None:
        st.error(t("ack_unknown", lang))
        return
    st.markdown(f"**{md(alert[0])}**")
    st.caption(md(alert[1]))
    if not st.button(t("ack_button", lang), type="primary"):
        return
    acked = data.acknowledge(token)
    if acked is None:
        st.error(t("ack_unknown", lang))
        return
    words = "ack_done" if acked.first else "ack_already"
    at = format_wib(acked.at, lang)
    st.success(t(words, lang, title=md(acked.title), by=md(acked.by), at=at))
