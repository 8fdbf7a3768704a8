"""Briefing: headline figures per open incident and the Laporan Situasi; with `?kiosk=1`, the
wall screen (no menus, dark, large type, rotating panels)."""

import streamlit as st

from command_center.base.labels import t
from command_center.ui import briefing, shell

lang = shell.start_page()
if shell.is_kiosk():
    briefing.kiosk(lang)
else:
    st.title(t("page_briefing", lang))
    briefing.briefing(lang)
