"""Notifikasi: the alerts sent to me, what I am told and where (my subscription and linked
channels); for admins, anyone's, and the outbox with its dead letters and latency."""

import streamlit as st

from command_center.base.labels import t
from command_center.ui import alerts, shell
from command_center.ui.messages import show_done

lang = shell.start_page()
st.title(t("page_notifications", lang))
show_done()
who = shell.actor()
username = alerts.whose(who, lang)
if not username:
    st.info(t("alerts_need_account", lang))
    st.stop()
PANELS = {
    "tab_my_alerts": alerts.my_alerts,
    "tab_subscription": alerts.subscription,
    "tab_channels": alerts.linked_channels,
}
if alerts.permits(who, "alerts"):
    PANELS["tab_outbox"] = lambda _username, language: alerts.outbox(language)
tabs = st.tabs([t(k, lang) for k in PANELS], key="notifications_tab", on_change="rerun")
for panel, tab in zip(PANELS.values(), tabs, strict=True):
    if tab.open:
        with tab:
            panel(username, lang)
