"""Saving a report that may need a second look: a figure that fell sharply since the previous
version is saved only after the user confirms it (the form, WhatsApp drafts, the Lapor page)."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from command_center.base.errors import CommandCenterError, NeedsConfirmation
from command_center.base.labels import field_error, t
from command_center.stores.reports import Saved
from command_center.ui.messages import done, explain, md

PENDING = "report_pending_confirmation"
Save = Callable[[dict, bool], Saved]  # (values, confirmed) -> what was stored
Said = Callable[[dict, Saved], str]  # the message once stored


def save_report(save: Save, said: Said, values: dict, lang: str, confirmed: bool = False) -> None:
    """Save; sharp drops wait (with the values) for `confirm_pending`; an error is shown."""
    try:
        saved = save(values, confirmed)
    except NeedsConfirmation as exc:
        st.session_state[PENDING] = (values, exc.warnings)
        return
    except CommandCenterError as exc:
        st.session_state.pop(PENDING, None)
        st.error(explain(exc, lang))
        return
    st.session_state.pop(PENDING, None)
    done(said(values, saved))


def confirm_pending(save: Save, said: Said, lang: str, key: str) -> None:
    """A report waiting for confirmation of its sharp drops: the drops, and the button."""
    pending = st.session_state.get(PENDING)
    if pending is not None:
        drops = "; ".join(field_error(w.field, w.code, w.params, lang, md) for w in pending[1])
        st.warning(t("confirm_drops", lang, drops=drops))
        if st.button(t("confirm_save", lang), key=key):
            save_report(save, said, pending[0], lang, confirmed=True)
