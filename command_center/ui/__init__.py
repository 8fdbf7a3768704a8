"""Streamlit glue: cached resources, the app shell and map builders."""
