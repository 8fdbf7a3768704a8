"""Pure logic on plain data (frames, records): no Streamlit, no SQL, no HTTP."""
