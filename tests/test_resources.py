"""What every session shares is released cleanly: a cleared cache closes the store's
connections (a long-lived server, or a test run, must not pile up connections)."""

from __future__ import annotations

import streamlit as st
from sqlalchemy import event, text

from command_center.base import resources


def test_clearing_the_shared_resources_closes_the_engines_connections(app_env) -> None:
    engine = resources.engine()
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    disposed = []
    event.listen(engine, "engine_disposed", lambda _engine: disposed.append(True))
    st.cache_resource.clear()
    assert disposed == [True]
    assert resources.engine() is not engine
