"""Errors and user text as people should read them on screen."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from command_center.base import resources
from command_center.base.errors import (
    CommandCenterError,
    DuplicateHousehold,
    Forbidden,
    IllegalTransition,
    ImportFileError,
    InvalidInput,
    NotReports,
    StaleRecord,
    TeamBusy,
)
from command_center.base.labels import field_error, field_label, shown, status_label, t
from command_center.base.times import format_wib

FLASH = "_flash"
MARKDOWN_SPECIAL = re.compile(r"([!-/:-@\[-`{-~])")


def area_name(code: str) -> str:
    """An area as people know it, "Kabupaten Cianjur (32.03)"; the code alone when the
    boundaries are missing or do not know it."""
    geography = resources.geography()
    try:
        return f"{geography.name(code)} ({code})" if geography is not None else code
    except (KeyError, IndexError):
        return code


def md(text: object) -> str:
    """User text made inert inside Streamlit markdown: every ASCII punctuation is escaped,
    so no link, image, HTML, colour or LaTeX can come from it."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", str(text))


def explain(error: CommandCenterError, lang: str, quote: Callable[[object], str] = md) -> str:
    """What went wrong, in the user's language; what came from people goes through `quote`
    (markdown-safe by default; `str` for a page that escapes its own HTML)."""
    if isinstance(error, StaleRecord):
        by = quote(error.by or "?")
        return t("stale_record", lang, by=by, at=format_wib(error.at, lang))
    if isinstance(error, InvalidInput):
        return "  \n".join(
            field_error(e.field, e.code, e.params, lang, quote=quote) for e in error.errors
        )
    if isinstance(error, TeamBusy):
        where = (
            t("busy_where", lang, kecamatan=area_name(error.kecamatan_code))
            if error.kecamatan_code
            else ""
        )
        return t(
            "team_busy",
            lang,
            team=quote(error.team),
            status=status_label(error.status, lang),
            where=where,
        )
    if isinstance(error, IllegalTransition):
        return t(
            "illegal_transition",
            lang,
            current=status_label(error.current, lang),
            target=status_label(error.target, lang),
            hint=t(f"hint_{error.hint}", lang),
        )
    if isinstance(error, Forbidden):
        where = (
            t("busy_where", lang, kecamatan=area_name(error.area_code)) if error.area_code else ""
        )
        what = t(f"perm_{error.permission}", lang)
        return t("forbidden", lang, who=quote(error.who), what=what, where=where)
    if isinstance(error, DuplicateHousehold):
        by = t("duplicate_by", lang, by=quote(error.by)) if error.by else ""
        where = field_label(error.field, lang, quote=quote)
        return t("duplicate_household", lang, field=where, household=error.household_id, by=by)
    if isinstance(error, NotReports):
        return t(f"not_reports_{error.reason}", lang, file=quote(error.file_name))
    if isinstance(error, ImportFileError):
        return t("import_failed", lang, reason=quote(error))
    return quote(error)


def done(text: str) -> None:
    """Report a successful change and rerun the whole page (also from inside a fragment), so
    every panel shows the new state at once."""
    st.session_state[FLASH] = text
    st.rerun(scope="app")


def show_done() -> None:
    """Show the last `done` message once (call near the top of a page)."""
    text = st.session_state.pop(FLASH, None)
    if text:
        st.success(text, icon=":material/check_circle:")


def show_table(
    frame: pd.DataFrame | pd.Series | dict, lang: str, where: Any = st, **options: Any
) -> Any:
    """A table with numbers and dates in the user's language (`labels.shown`), or a line
    saying there is nothing yet where Streamlit would print its English "empty". `options`
    go to `st.dataframe`, whose answer (a selection) is returned."""
    frame = frame.to_frame() if isinstance(frame, pd.Series) else pd.DataFrame(frame)
    if frame.empty:
        return where.caption(t("table_empty", lang))
    return where.dataframe(shown(frame, lang), **options)
