"""Two steps for a destructive or irreversible action (close, merge, release, revoke, discard,
disable): the first click only asks, naming what the action acts on; Konfirmasi does it, Batal
forgets it. The question waits in session state, so it survives the rerun of the first click
and the forms it came from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import streamlit as st

from command_center.base.labels import t

WAITING = "irreversible_waiting"  # action key -> Asked


@dataclass(frozen=True)
class Asked:
    """An action waiting for its confirmation: the question shown and what it acts on."""

    question: str
    payload: Any = None


def ask(key: str, question: str, payload: Any = None) -> None:
    """The first click: remember the action `key` and what it acts on, do nothing yet."""
    st.session_state.setdefault(WAITING, {})[key] = Asked(question, payload)


def confirmed(key: str, lang: str) -> Asked | None:
    """The question of a waiting action `key` with Konfirmasi and Batal; the action once
    confirmed (and then forgotten), else None."""
    waiting = st.session_state.get(WAITING, {})
    asked = waiting.get(key)
    if asked is None:
        return None
    with st.container(border=True):
        st.warning(asked.question, icon=":material/warning:")
        yes, no = st.columns(2)
        if yes.button(t("confirm_yes", lang), type="primary", key=f"{key}_yes"):
            del waiting[key]
            return asked
        if no.button(t("confirm_no", lang), key=f"{key}_no"):
            del waiting[key]
            st.rerun()  # the question goes away
    return None
