"""Entry point: page config, the shared sidebar, navigation by role. Nothing else."""

import streamlit as st

from command_center.labels import t
from command_center.ui import resources, shell

st.set_page_config(page_title=t("app_title", shell.lang()), page_icon="🛟", layout="wide")
resources.static_assets()
page = shell.navigation()
shell.sidebar()
page.run()
