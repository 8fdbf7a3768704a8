"""The server `command-center run` starts: the dashboard (`app.py`, Streamlit) and, on the same
port, the field reporter's light report form at `/lapor` (`command_center/ui/lapor_form.py`).

It sits beside `app.py` on purpose: Streamlit reads `.streamlit/config.toml` and `secrets.toml`
from the folder of the file it runs (and from the working directory), and puts that folder
first on `sys.path`."""

from pathlib import Path

import streamlit as st

from command_center.ui.lapor_form import routes

app = st.App(Path(__file__).with_name("app.py"), routes=routes(st.get_option("server.baseUrlPath")))
